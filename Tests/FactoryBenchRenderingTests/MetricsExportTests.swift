import FactoryBenchCore
import Foundation
import TestSupport
import Testing

@testable import FactoryBenchRendering

/// The summary as metrics: Prometheus text a scraper reads back whole (our parser is the
/// reader here), the old framework's names, absent values left out, CSV and JSON alike.
struct MetricsExportTests {
    static func manifest() throws -> RunManifest {
        try JSONDecoder().decode(RunManifest.self, from: Data(contentsOf: Fixtures.url("run.json")))
    }

    @Test func prometheusTextReadsBackWithEveryValueAndLabel() throws {
        var summary = try Aggregator.aggregate(files: [Fixtures.url("requests.jsonl")])
        summary.errorSummary = ["timeout \"after\" 5 s\\n": 2]
        summary.telemetry = TelemetrySummary.make(
            lines: [
                TelemetryLine(time: 0, values: ["service_cpu_percent": 20, "redis_evicted_keys_total": 0]),
                TelemetryLine(time: 1, values: ["service_cpu_percent": 40, "redis_evicted_keys_total": 4]),
            ], window: nil, serviceType: "redis")
        let manifest = try Self.manifest()
        let export = MetricsExport(manifest: manifest, summary: summary)
        let text = export.prometheus
        let parsed = PrometheusText.parse(text)
        #expect(parsed.skipped.isEmpty, "\(parsed.skipped)")
        #expect(parsed.samples.count == export.metrics.count)
        #expect(parsed.types["benchmark_latency_seconds"] == "summary")
        #expect(parsed.help["benchmark_requests_total"] == "Total number of benchmark requests")
        let total = try #require(parsed.values("benchmark_requests_total").first)
        #expect(total.value == Double(summary.totalRequests))
        #expect(total.labels == ["benchmark_id": manifest.benchmarkID, "service": manifest.serviceType])
        let p99 = try #require(parsed.values("benchmark_latency_seconds", where: ["quantile": "0.99"]).first)
        #expect(p99.value == summary.latency?.p99)
        // A label value with quotes, a backslash and a newline comes back as it was.
        #expect(parsed.values("benchmark_errors_by_type").first?.labels["error_type"] == "timeout \"after\" 5 s\\n")
        #expect(
            parsed.values("benchmark_telemetry_peak", where: ["series": "service_cpu_percent"]).first?.value == 40)
        #expect(
            parsed.values("benchmark_telemetry_increase", where: ["series": "redis_evicted_keys_total"]).first?.value == 4)
        #expect(parsed.values("benchmark_telemetry_at_limit").first?.labels["series"] == "redis_evicted_keys_total")
        // HELP and TYPE once per metric, even for a metric with many samples.
        #expect(text.components(separatedBy: "# TYPE benchmark_latency_seconds ").count == 2)
        // Each metric's samples together, as a scraper requires (two telemetry series, each
        // with a mean and a peak, are not interleaved).
        let names = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.prefix { $0 != "{" } }
        let runs = zip(names, [""] + names.dropLast()).filter { $0 != $1 }.map(\.0)
        #expect(runs.count == Set(runs).count, "\(runs)")
        #expect(parsed.values("benchmark_telemetry_mean").count == 2)
        // What the run does not have is not written as zero.
        #expect(parsed.values("benchmark_llm_tokens_per_second").isEmpty)
    }

    @Test func csvAndJSONCarryTheSameMetrics() throws {
        var summary = try Aggregator.aggregate(files: [Fixtures.url("requests.jsonl")])
        summary.errorSummary = ["refused, then \"closed\"": 1]
        let export = MetricsExport(manifest: try Self.manifest(), summary: summary)
        let csv = export.csv.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(csv.first == "metric,labels,value")
        #expect(csv.count == export.metrics.count + 2, "a header, a row each, the final newline")
        #expect(csv.contains { $0.hasPrefix("benchmark_errors_by_type,\"") && $0.contains("\"\"closed\"\"") })
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(export.json.utf8)) as? [String: Any])
        let metrics = try #require(json["metrics"] as? [[String: Any]])
        #expect(metrics.count == export.metrics.count)
        #expect(
            metrics.contains {
                $0["name"] as? String == "benchmark_throughput_rps" && ($0["value"] as? Double) == summary.requestsPerSecond
            })
    }
}
