/// The aggregated metrics of one run: `summary.json`, in the seed's key names plus ours.
public struct RunSummary: Sendable, Codable, Equatable {
    public var totalRequests: Int
    public var successfulRequests: Int
    public var failedRequests: Int
    /// Percent of requests that succeeded (0–100), as the seed reported it.
    public var successRate: Double
    /// Over successful requests only; absent when none succeeded.
    public var latency: LatencyStatistics?
    /// All finished requests (successful or not) per second of `testDurationSeconds`.
    public var requestsPerSecond: Double
    /// From the first request's start to the last request's end.
    public var testDurationSeconds: Double
    public var firstTimestamp: Double?
    public var lastTimestamp: Double?
    /// How many failed requests gave each error message.
    public var errorSummary: [String: Int]
    public var operations: [String: OperationSummary]
    public var clients: [String: ClientSummary]
    public var timeseries: [TimeseriesPoint]
    /// Successful requests' latencies in log-spaced bins (10 per decade).
    public var latencyHistogram: [HistogramBin]
    /// Latency at percentiles up to the highest one the sample size supports.
    public var percentileSpectrum: [PercentilePoint]
    public var percentileMethod: String
    public var stdMethod: String
    public var skippedLines: SkippedLines

    enum CodingKeys: String, CodingKey {
        case totalRequests = "total_requests"
        case successfulRequests = "successful_requests"
        case failedRequests = "failed_requests"
        case successRate = "success_rate"
        case latency = "latency_s"
        case requestsPerSecond = "requests_per_second"
        case testDurationSeconds = "test_duration_s"
        case firstTimestamp = "first_timestamp"
        case lastTimestamp = "last_timestamp"
        case errorSummary = "error_summary"
        case operations, clients, timeseries
        case latencyHistogram = "latency_histogram"
        case percentileSpectrum = "percentile_spectrum"
        case percentileMethod = "percentile_method"
        case stdMethod = "std_method"
        case skippedLines = "skipped_lines"
    }
}

/// Requests of one `operation_type`.
public struct OperationSummary: Sendable, Codable, Equatable {
    public var count: Int
    public var failed: Int
    /// Over the operation's successful requests; `nil` when none succeeded.
    public var avgLatency: Double?
    public var p50Latency: Double?
    public var p95Latency: Double?
    public var p99Latency: Double?

    enum CodingKeys: String, CodingKey {
        case count, failed
        case avgLatency = "avg_latency"
        case p50Latency = "p50_latency"
        case p95Latency = "p95_latency"
        case p99Latency = "p99_latency"
    }
}

/// Requests of one client, to see whether every client got its share.
public struct ClientSummary: Sendable, Codable, Equatable {
    public var count: Int
    public var failed: Int
    public var avgLatency: Double?
    public var p95Latency: Double?

    enum CodingKeys: String, CodingKey {
        case count, failed
        case avgLatency = "avg_latency"
        case p95Latency = "p95_latency"
    }
}

/// Requests that ended within one second of the run, counted from the first request's start.
public struct TimeseriesPoint: Sendable, Codable, Equatable {
    public var second: Int
    public var completed: Int
    public var failed: Int
    public var p50Latency: Double?
    public var p95Latency: Double?

    enum CodingKeys: String, CodingKey {
        case second, completed, failed
        case p50Latency = "p50_latency_s"
        case p95Latency = "p95_latency_s"
    }
}

/// Successful requests whose latency lies in `[lower, upper)` seconds.
public struct HistogramBin: Sendable, Codable, Equatable {
    public var lower: Double
    public var upper: Double
    public var count: Int

    enum CodingKeys: String, CodingKey {
        case lower = "lower_s"
        case upper = "upper_s"
        case count
    }
}

/// The latency at one percentile.
public struct PercentilePoint: Sendable, Codable, Equatable {
    public var percentile: Double
    public var latency: Double

    enum CodingKeys: String, CodingKey {
        case percentile
        case latency = "latency_s"
    }
}
