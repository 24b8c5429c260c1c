import FactoryBenchCore
import Foundation
import TestSupport
import Testing

@Suite struct CollectorTests {
    @Test func mergesClientFilesWithOneHeaderFirst() throws {
        let directory = try TemporaryDirectory()
        let header0 = #"{"benchmark_id":"b","service_type":"sqlite","client_id":0}"#
        let header1 = #"{"benchmark_id":"b","service_type":"sqlite","client_id":1}"#
        let line = { (id: String) in
            #"{"request_id":"\#(id)","timestamp_start":1,"timestamp_end":2,"latency_s":1,"success":true}"#
        }
        try directory.write("clients/client-0.jsonl", [header0, line("a"), line("b")].joined(separator: "\n") + "\n")
        // A client killed mid-write: `.partial` name and a last line without its newline.
        try directory.write(
            "clients/client-1.jsonl.partial", [header1, line("c"), #"{"request_id":"d","#].joined(separator: "\n"))
        let files = Collector.clientFiles(in: directory.path("clients"))
        #expect(files.map(\.lastPathComponent) == ["client-0.jsonl", "client-1.jsonl.partial"])
        var header = JSONLine()
        header.add("benchmark_id", "b")
        let output = directory.path("requests.jsonl")
        let count = try Collector.merge(files: files, header: header, into: output)
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(count == 4)
        #expect(lines.count == 5)
        #expect(lines[0] == #"{"benchmark_id":"b"}"#)
        #expect(
            lines[1...3].map {
                $0.contains(#""request_id":"a""#) || $0.contains(#""request_id":"b""#) || $0.contains(#""request_id":"c""#)
            } == [true, true, true])
        #expect(lines[4] == #"{"request_id":"d","#)
        let summary = try Aggregator.aggregate(files: [output])
        #expect(summary.totalRequests == 3)
        #expect(summary.skippedLines.total == 1)
    }

    @Test func aPartialFileIsSkippedOnceItsFinalFileIsThere() throws {
        let directory = try TemporaryDirectory()
        for name in ["client-0.jsonl", "client-0.jsonl.partial", "client-1.jsonl.partial", "notes.txt"] {
            try directory.write("clients/\(name)", "{}\n")
        }
        let files = Collector.clientFiles(in: directory.path("clients")).map(\.lastPathComponent)
        #expect(files == ["client-0.jsonl", "client-1.jsonl.partial"])
    }
}
