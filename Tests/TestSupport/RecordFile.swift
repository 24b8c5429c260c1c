import FactoryBenchCore
import Foundation

/// Records made in a test, aggregated through the real path: written to a request file as
/// a client writes them, then read by the scanner, so a test sees exactly what a run's
/// records give (phases, intended times, LLM and vector fields included).
public enum RecordFile {
    public static func summary(
        of records: [RequestRecord], exactLimit: Int = Aggregator.defaultExactLimit
    ) throws -> RunSummary {
        let directory = try TemporaryDirectory()
        let url = directory.path("client-0.jsonl")
        var header = JSONLine()
        header.add("benchmark_id", "test")
        header.add("service_type", records.first?.serviceType ?? "test")
        header.add("test_start", records.first?.timestampStart ?? 0, decimals: 6)
        let writer = try RecordWriter(url: url, header: header)
        for record in records { try writer.append(record) }
        try writer.close()
        return try Aggregator.aggregate(files: [url], exactLimit: exactLimit)
    }
}
