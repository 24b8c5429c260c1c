import FactoryBenchCore
import Foundation
import TestSupport
import Testing

@Suite struct SummarySchemaTests {
    let schema = Fixtures.repositoryRoot.appendingPathComponent("Sources/FactoryBenchCore/Metrics/summary.schema.json")

    func expectValid(_ summary: RunSummary, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let problems = try JSONSchemaValidator(schema: schema).violations(of: AtomicFile.encodeJSON(summary))
        #expect(problems.isEmpty, "\(problems)", sourceLocation: sourceLocation)
    }

    @Test func everySummaryShapeFollowsTheSchema() throws {
        let plain = try Aggregator.aggregate(files: [Fixtures.url("requests.jsonl")])
        try expectValid(plain)
        try expectValid(RunSummary.empty)
        let directory = try TemporaryDirectory()
        let llm = try directory.write(
            "llm.jsonl",
            #"{"request_id": "1", "timestamp_start": 1700000000, "timestamp_end": 1700000002, "latency_s": 2, "success": true, "ttft_s": 0.5, "itl_s": [0.5, 0.5, 0.5], "output_tokens": 4, "input_tokens": 10, "http_status": 200, "timestamp_intended": 1699999999.5}"#
                + "\n")
        let summary = try Aggregator.aggregate(files: [llm])
        try expectValid(summary)
        let llmSummary = try #require(summary.llm)
        #expect(llmSummary.ttft?.p50 == 0.5)
        #expect(llmSummary.tpot?.p50 == 0.5)
        #expect(llmSummary.itl?.count == 3)
        #expect(llmSummary.totalOutputTokens == 4)
        #expect(summary.latencyFromIntended?.max == 2.5)
        #expect(summary.httpStatuses == ["200": 1])
        let json = try #require(try JSONSerialization.jsonObject(with: AtomicFile.encodeJSON(summary)) as? [String: Any])
        #expect(json["tokens_per_second"] as? Double == 2)
        #expect(json["avg_output_tokens"] as? Double == 4)
        #expect(json["avg_input_tokens"] as? Double == 10)
    }

    @Test func theCheckerCatchesKeysTheSchemaDoesNotKnow() throws {
        var object = try #require(
            try JSONSerialization.jsonObject(with: AtomicFile.encodeJSON(RunSummary.empty)) as? [String: Any])
        object["surprise"] = 1
        object["total_requests"] = "many"
        let problems = try JSONSchemaValidator(schema: schema).violations(
            of: JSONSerialization.data(withJSONObject: object))
        #expect(problems.contains("$: 'surprise' is not in the schema"))
        #expect(problems.contains { $0.hasPrefix("$.total_requests: expected integer") })
    }
}
