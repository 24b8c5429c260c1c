import FactoryBenchCore
import Foundation

/// A run's summary as metrics: `reports/<id>/metrics.txt` in the Prometheus text format (the
/// old framework's file, for a Pushgateway or node_exporter's textfile collector), and
/// `factorybench export ID --format prometheus|csv|json`. The old framework's metric names
/// keep their meaning; a value the run does not have is left out, never written as zero.
public struct MetricsExport: Sendable {
    public enum Format: String, CaseIterable, Sendable {
        case prometheus, csv, json
    }

    /// One sample of one metric.
    public struct Metric: Sendable, Equatable {
        public var name: String
        public var help: String
        public var type: String
        public var labels: [(String, String)]
        public var value: Double

        public static func == (a: Metric, b: Metric) -> Bool {
            a.name == b.name && a.value == b.value && a.labels.map { "\($0)=\($1)" } == b.labels.map { "\($0)=\($1)" }
        }
    }

    public var metrics: [Metric] = []

    public init(manifest: RunManifest, summary: RunSummary) {
        let common = [("benchmark_id", manifest.benchmarkID), ("service", manifest.serviceType)]
        func add(_ name: String, _ help: String, _ type: String = "gauge", _ value: Double?, _ labels: [(String, String)] = []) {
            guard let value, value.isFinite else { return }
            metrics.append(Metric(name: name, help: help, type: type, labels: common + labels, value: value))
        }
        add("benchmark_requests_total", "Total number of benchmark requests", "counter", Double(summary.totalRequests))
        add("benchmark_requests_success", "Number of successful requests", "counter", Double(summary.successfulRequests))
        add("benchmark_requests_failed", "Number of failed requests", "counter", Double(summary.failedRequests))
        add("benchmark_success_rate_percent", "Success rate as percentage (0-100)", "gauge", summary.successRate)
        if let latency = summary.latency {
            for (quantile, value) in [("0.50", latency.p50), ("0.90", latency.p90), ("0.95", latency.p95), ("0.99", latency.p99)]
            {
                add(
                    "benchmark_latency_seconds", "Request latency distribution in seconds", "summary", value,
                    [("quantile", quantile)])
            }
            add("benchmark_latency_avg_seconds", "Average request latency", "gauge", latency.avg)
            add("benchmark_latency_min_seconds", "Minimum request latency", "gauge", latency.min)
            add("benchmark_latency_max_seconds", "Maximum request latency", "gauge", latency.max)
            add("benchmark_latency_std_seconds", "Standard deviation of latency", "gauge", latency.std)
        }
        add("benchmark_throughput_rps", "Throughput in requests per second", "gauge", summary.requestsPerSecond)
        add("benchmark_duration_seconds", "Total test duration in seconds", "gauge", summary.testDurationSeconds)
        add("benchmark_start_timestamp", "Unix timestamp when test started", "gauge", summary.firstTimestamp)
        add("benchmark_end_timestamp", "Unix timestamp when test ended", "gauge", summary.lastTimestamp)
        if let llm = summary.llm {
            add("benchmark_llm_tokens_per_second", "Token generation throughput", "gauge", llm.tokensPerSecond)
            add("benchmark_llm_avg_output_tokens", "Average output tokens per request", "gauge", llm.avgOutputTokens)
            add("benchmark_llm_avg_input_tokens", "Average input tokens per request", "gauge", llm.avgInputTokens)
            for (name, statistics) in [("ttft", llm.ttft), ("tpot", llm.tpot), ("itl", llm.itl)] {
                guard let statistics else { continue }
                for (quantile, value) in [("0.50", statistics.p50), ("0.95", statistics.p95), ("0.99", statistics.p99)] {
                    add(
                        "benchmark_llm_\(name)_seconds", "\(name.uppercased()) distribution in seconds", "summary", value,
                        [("quantile", quantile)])
                }
            }
        }
        add(
            "benchmark_db_transactions_per_second", "Database transactions per second", "gauge",
            summary.transactionsPerSecond)
        for (operation, data) in summary.operations.sorted(by: { $0.key < $1.key }) {
            let labels = [("operation", operation)]
            add("benchmark_db_operation_count", "Count per operation type", "counter", Double(data.count), labels)
            add("benchmark_db_operation_avg_latency_seconds", "Average latency per operation", "gauge", data.avgLatency, labels)
            add("benchmark_db_operation_p50_latency_seconds", "P50 latency per operation", "gauge", data.p50Latency, labels)
            add("benchmark_db_operation_p95_latency_seconds", "P95 latency per operation", "gauge", data.p95Latency, labels)
            add("benchmark_db_operation_p99_latency_seconds", "P99 latency per operation", "gauge", data.p99Latency, labels)
        }
        for (error, count) in summary.errorSummary.sorted(by: { $0.key < $1.key }) {
            add("benchmark_errors_by_type", "Count of errors by error type", "counter", Double(count), [("error_type", error)])
        }
        add("benchmark_client_count", "Number of concurrent benchmark clients", "gauge", Double(manifest.numClients))
        if let telemetry = summary.telemetry {
            for (series, data) in telemetry.series.sorted(by: { $0.key < $1.key }) {
                let labels = [("series", series), ("unit", data.unit)]
                add("benchmark_telemetry_mean", "Mean of a telemetry series while requests ran", "gauge", data.mean, labels)
                add("benchmark_telemetry_peak", "Peak of a telemetry series while requests ran", "gauge", data.peak, labels)
                add(
                    "benchmark_telemetry_increase", "How much a telemetry counter grew during the run", "gauge", data.increase,
                    labels)
            }
            for finding in telemetry.atLimit {
                add(
                    "benchmark_telemetry_at_limit", "A resource that sat at its limit during the run (1)", "gauge", 1,
                    [("series", finding.series)])
            }
        }
    }

    public func render(_ format: Format) -> String {
        switch format {
        case .prometheus: return prometheus
        case .csv: return csv
        case .json: return json
        }
    }

    /// The text exposition format: each metric's samples together (as the format requires),
    /// in the order metrics first appear, after its HELP and TYPE; label values escaped.
    public var prometheus: String {
        let families = Dictionary(grouping: metrics, by: \.name)
        var seen: Set<String> = []
        return metrics.filter { seen.insert($0.name).inserted }.map { first in
            var text = "# HELP \(first.name) \(first.help)\n# TYPE \(first.name) \(first.type)\n"
            for metric in families[first.name] ?? [] {
                let labels = metric.labels.map { "\($0)=\"\(Self.escapeLabel($1))\"" }.joined(separator: ",")
                text += "\(metric.name){\(labels)} \(Self.number(metric.value))\n"
            }
            return text
        }.joined(separator: "\n")
    }

    /// `metric,labels,value`: labels as `key=value` joined by `;`, fields quoted as CSV needs.
    public var csv: String {
        var text = "metric,labels,value\n"
        for metric in metrics {
            let labels = metric.labels.map { "\($0)=\($1)" }.joined(separator: ";")
            text += [metric.name, labels, Self.number(metric.value)].map(Self.csvField).joined(separator: ",") + "\n"
        }
        return text
    }

    /// `{"metrics": [{"name", "type", "help", "labels", "value"}]}`.
    public var json: String {
        let objects: [[String: Any]] = metrics.map { metric in
            [
                "name": metric.name, "type": metric.type, "help": metric.help,
                "labels": Dictionary(metric.labels, uniquingKeysWith: { _, last in last }), "value": metric.value,
            ]
        }
        let data =
            (try? JSONSerialization.data(withJSONObject: ["metrics": objects], options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func escapeLabel(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func csvField(_ value: String) -> String {
        value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
            ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
    }

    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
