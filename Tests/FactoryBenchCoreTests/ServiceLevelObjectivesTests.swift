import FactoryBenchCore
import Foundation
import TestSupport
import Testing

@Suite struct ServiceLevelObjectivesTests {
    /// Ten requests of 1..10 ms, the last one failed, and LLM timings on the first five.
    func file(in directory: TemporaryDirectory) throws -> URL {
        var text = ""
        for index in 1...10 {
            let latency = Double(index) / 1000
            let start = 1_700_000_000 + Double(index)
            let llm = index <= 5 ? #", "ttft_s": \#(latency / 2), "output_tokens": 11"# : ""
            text +=
                #"{"request_id": "\#(index)", "timestamp_start": \#(start), "timestamp_end": \#(start + latency), "latency_s": \#(latency), "success": \#(index < 10)\#(llm)}"#
                + "\n"
        }
        return try directory.write("r.jsonl", text)
    }

    @Test func objectivesPassFailOrHaveNoData() throws {
        let directory = try TemporaryDirectory()
        let objectives = ServiceLevelObjectives([
            "p95_latency_ms": .double(8), "p50_latency_ms": .int(6), "error_rate": .double(0.2),
            "tpot_p95_ms": .int(1), "min_requests_per_second": .int(1000),
        ])
        let summary = try Aggregator.aggregate(files: [try file(in: directory)], goodput: objectives.goodputLimits)
        let results = Dictionary(uniqueKeysWithValues: objectives.evaluate(summary).map { ($0.key, $0) })
        #expect(results["p50_latency_ms"]?.passed == true)
        #expect(results["p95_latency_ms"]?.passed == false, "p95 of 1..9 ms is 8.6 ms")
        #expect(results["error_rate"]?.actual == 0.1)
        #expect(results["error_rate"]?.passed == true)
        #expect(results["min_requests_per_second"]?.passed == false)
        // TPOT = (E2E − TTFT) / 10 = latency / 20: at most 0.25 ms here, within 1 ms.
        #expect(results["tpot_p95_ms"]?.passed == true)
        // Goodput: success, latency ≤ 6 ms (the tightest latency objective) and a TPOT:
        // requests 1 to 5 (6 has no TPOT, 10 failed).
        #expect(summary.goodput?.goodRequests == 5)
        #expect(summary.goodput?.limits == GoodputLimits(latency: 0.006, ttft: nil, tpot: 0.001))
        let noData = ServiceLevelObjectives(["ttft_p95_ms": .int(100)]).evaluate(RunSummary.empty)
        #expect(noData.first?.passed == nil)
    }
}
