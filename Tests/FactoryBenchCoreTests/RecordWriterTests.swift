import FactoryBenchCore
import Foundation
import TestSupport
import Testing

@Suite struct RecordWriterTests {
    /// A client whose server stalls writes nothing more, yet what it recorded must reach the
    /// file, so `collect` during the run sees it.
    @Test func aRecordReachesTheFileWithoutAnotherWrite() async throws {
        let directory = try TemporaryDirectory()
        let url = directory.path("client-0.jsonl")
        let writer = try RecordWriter(url: url, header: JSONLine())
        try writer.append(
            RequestRecord(
                requestID: "c0-0", clientID: 0, serviceType: "fake", timestampStart: 1, timestampEnd: 2, latencySeconds: 1,
                success: true))
        let partial = url.appendingPathExtension("partial")
        var lines = 0
        // The timer flushes every second; ten times that is the bound, not the expectation.
        for _ in 0..<100 where lines < 2 {
            try await Task.sleep(for: .milliseconds(100))
            lines = (try? String(contentsOf: partial, encoding: .utf8))?.split(separator: "\n").count ?? 0
        }
        #expect(lines == 2)
        try writer.close()
        #expect(try String(contentsOf: url, encoding: .utf8).split(separator: "\n").count == 2)
    }
}
