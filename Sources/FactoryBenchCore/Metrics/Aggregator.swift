import Foundation

/// Turns request files into a `RunSummary`: counts, exact latency statistics over successful
/// requests, per-operation and per-client breakdowns, and a per-second time series.
public enum Aggregator {
    public static let percentileMethod =
        "exact: linear interpolation between order statistics (numpy's default, Hyndman-Fan type 7)"
    public static let stdMethod = "sample standard deviation (n - 1)"

    /// Aggregates every record of `files`.
    public static func aggregate(files: [URL]) throws -> RunSummary {
        var reader = RequestFileReader()
        var records: [RequestRecord] = []
        for file in files {
            try reader.read(file) { records.append($0) }
        }
        return summarize(records, skipped: reader.skipped)
    }

    /// Aggregates records already in memory.
    public static func summarize(_ records: [RequestRecord], skipped: SkippedLines = SkippedLines()) -> RunSummary {
        var successLatencies: [Double] = []
        var errors: [String: Int] = [:]
        var byOperation: [String: Group] = [:]
        var byClient: [String: Group] = [:]
        var firstStart = Double.infinity
        var lastEnd = -Double.infinity
        for record in records {
            firstStart = min(firstStart, record.timestampStart)
            lastEnd = max(lastEnd, record.timestampEnd)
            if record.success {
                successLatencies.append(record.latencySeconds)
            } else {
                errors[record.error ?? "unknown error", default: 0] += 1
            }
            byOperation[record.operationType ?? "request", default: Group()].add(record)
            byClient[record.clientID.map(String.init) ?? "unknown", default: Group()].add(record)
        }
        let total = records.count
        let successful = successLatencies.count
        let duration = total > 0 ? max(lastEnd - firstStart, 0) : 0
        let latency = LatencyStatistics(values: &successLatencies)
        return RunSummary(
            totalRequests: total,
            successfulRequests: successful,
            failedRequests: total - successful,
            successRate: total > 0 ? Double(successful) / Double(total) * 100 : 0,
            latency: latency,
            requestsPerSecond: duration > 0 ? Double(total) / duration : 0,
            testDurationSeconds: duration,
            firstTimestamp: total > 0 ? firstStart : nil,
            lastTimestamp: total > 0 ? lastEnd : nil,
            errorSummary: errors,
            operations: byOperation.mapValues { $0.operationSummary() },
            clients: byClient.mapValues { $0.clientSummary() },
            timeseries: total > 0 ? timeseries(records, origin: firstStart, duration: duration) : [],
            latencyHistogram: histogram(sorted: successLatencies),
            percentileSpectrum: spectrum(sorted: successLatencies),
            percentileMethod: percentileMethod,
            stdMethod: stdMethod,
            skippedLines: skipped)
    }

    /// Percentiles drawn in a spectrum; one is kept only when the sample has at least
    /// 1 / (1 − p) values, so the tail is not extrapolated from too few requests.
    static let spectrumPercentiles: [Double] = [
        0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96.25, 97.5, 98.75, 99, 99.5, 99.75, 99.9,
        99.95, 99.99, 99.995, 99.999,
    ]

    static func spectrum(sorted: [Double]) -> [PercentilePoint] {
        spectrumPercentiles.filter { Double(sorted.count) >= 1 / (1 - $0 / 100) }.compactMap { p in
            Statistics.percentile(sorted: sorted, p).map { PercentilePoint(percentile: p, latency: $0) }
        }
    }

    /// Log-spaced bins, 10 per decade, from the bin holding the smallest latency to the one
    /// holding the largest (empty bins in between included, so the shape is honest).
    static func histogram(sorted: [Double]) -> [HistogramBin] {
        guard let smallest = sorted.first, let largest = sorted.last, largest > 0 else { return [] }
        let perDecade = 10.0
        let first = Int((log10(max(smallest, 1e-9)) * perDecade).rounded(.down))
        let last = max(Int((log10(max(largest, 1e-9)) * perDecade).rounded(.down)), first)
        var bins = (first...last).map { index in
            HistogramBin(
                lower: pow(10, Double(index) / perDecade), upper: pow(10, Double(index + 1) / perDecade), count: 0)
        }
        for value in sorted {
            let index = Int((log10(max(value, 1e-9)) * perDecade).rounded(.down)) - first
            bins[min(max(index, 0), bins.count - 1)].count += 1
        }
        return bins
    }

    /// One point per second from the first start to the last end, including empty seconds.
    static func timeseries(_ records: [RequestRecord], origin: Double, duration: Double) -> [TimeseriesPoint] {
        let seconds = Int(duration.rounded(.down)) + 1
        var groups = Array(repeating: Group(), count: seconds)
        for record in records {
            let second = min(max(Int((record.timestampEnd - origin).rounded(.down)), 0), seconds - 1)
            groups[second].add(record)
        }
        return groups.enumerated().map { second, group in
            var latencies = group.latencies
            latencies.sort()
            return TimeseriesPoint(
                second: second, completed: group.count, failed: group.failed,
                p50Latency: Statistics.percentile(sorted: latencies, 50),
                p95Latency: Statistics.percentile(sorted: latencies, 95))
        }
    }

    /// Counts and successful latencies of a subset of the records.
    struct Group {
        var count = 0
        var failed = 0
        var latencies: [Double] = []

        mutating func add(_ record: RequestRecord) {
            count += 1
            if record.success { latencies.append(record.latencySeconds) } else { failed += 1 }
        }

        func operationSummary() -> OperationSummary {
            var values = latencies
            let statistics = LatencyStatistics(values: &values)
            return OperationSummary(
                count: count, failed: failed, avgLatency: statistics?.avg, p50Latency: statistics?.p50,
                p95Latency: statistics?.p95, p99Latency: statistics?.p99)
        }

        func clientSummary() -> ClientSummary {
            var values = latencies
            let statistics = LatencyStatistics(values: &values)
            return ClientSummary(count: count, failed: failed, avgLatency: statistics?.avg, p95Latency: statistics?.p95)
        }
    }
}
