import FactoryBenchCore
import Foundation
import TestSupport
import Testing

@Suite struct RequestFileReaderTests {
    func read(_ text: String) throws -> ([RequestRecord], SkippedLines) {
        let directory = try TemporaryDirectory()
        let file = try directory.write("requests.jsonl", text)
        var reader = RequestFileReader()
        var records: [RequestRecord] = []
        try reader.read(file) { records.append($0) }
        return (records, reader.skipped)
    }

    @Test func acceptsTheSeedsVariants() throws {
        let text = """
            {"benchmark_id": "old", "service_type": "postgres", "test_start": 1700000000}
            {"request_id": 7, "timestamp_start": 1700000001, "timestamp_end": 1700000002, "latency_s": 1, "success": true, "operation": "insert"}
            {"request_id": "x", "timestamp_start": 1700000001.5, "timestamp_end": 1700000001.75, "latency_s": 0, "success": false, "error": "refused", "extra": {"a": [1, 2]}}

            """
        let (records, skipped) = try read(text)
        #expect(skipped.total == 0)
        #expect(records.count == 2)
        #expect(records[0].requestID == "7")
        #expect(records[0].operationType == "insert")
        #expect(records[0].timestampStart == 1_700_000_001)
        #expect(records[1].success == false)
        #expect(records[1].error == "refused")
    }

    @Test func malformedLinesAreCountedByReasonWithTheirLineNumbers() throws {
        let good = #"{"request_id": "a", "timestamp_start": 1, "timestamp_end": 2, "latency_s": 1, "success": true}"#
        let text = [
            good,
            "garbage",
            #"{"request_id": "b", "timestamp_start": "soon", "timestamp_end": 2, "latency_s": 1, "success": true}"#,
            #"{"request_id": "c", "timestamp_start": 1, "timestamp_end": 2, "latency_s": -1, "success": true}"#,
            #"{"request_id": "d", "timestamp_start": 1, "timestamp_end": 2, "latency_s": 1, "success": "yes"}"#,
            good,
            #"{"request_id": "e", "timestamp_start": 1, "timest"#,
        ].joined(separator: "\n")
        let (records, skipped) = try read(text)
        #expect(records.count == 2)
        #expect(skipped.total == 5)
        #expect(skipped.examples.map(\.line) == [2, 3, 4, 5, 7])
        #expect(skipped.byReason["not a JSON object"] == 1)
        #expect(skipped.byReason["truncated last line (no newline)"] == 1)
        #expect(skipped.byReason["latency_s missing, negative or not a number"] == 1)
    }

    @Test func writtenRecordsReadBackUnchanged() throws {
        let record = RequestRecord(
            requestID: "c1-2", clientID: 1, serviceType: "sqlite", timestampStart: 1_795_912_737.944278,
            timestampEnd: 1_795_912_737.944326, latencySeconds: 0.000047990, success: false,
            error: "quote \" backslash \\ newline \n tab \t bell \u{7} é", operationType: "range_scan",
            queryType: "SELECT", rowsAffected: 100)
        let line = String(decoding: record.jsonLine(), as: UTF8.self)
        #expect(line.hasSuffix("}\n"))
        #expect(line.contains(#""timestamp_start":1795912737.944278,"#))
        #expect(line.contains(#""latency_s":0.000047990,"#))
        let (records, skipped) = try read(line)
        #expect(skipped.total == 0)
        #expect(records == [record])
    }
}
