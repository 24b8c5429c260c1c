/// The aggregated metrics of one run: `summary.json`, in the seed's key names plus ours.
/// Its schema is `summary.schema.json` beside this file; `schema_version` names it.
public struct RunSummary: Sendable, Codable, Equatable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    /// The service the records came from, as their first line names it (the old
    /// framework's `service_type`); `unknown` when no line does.
    public var serviceType = "unknown"
    public var totalRequests: Int
    public var successfulRequests: Int
    public var failedRequests: Int
    /// Percent of requests that succeeded (0–100), as the seed reported it.
    public var successRate: Double
    /// Over successful requests only; absent when none succeeded.
    public var latency: LatencyStatistics?
    /// From the intended start (open-loop schedule) to the end, when records carry
    /// `timestamp_intended`: what a user waiting in line saw.
    public var latencyFromIntended: LatencyStatistics?
    /// All finished requests (successful or not) per second of `testDurationSeconds`.
    public var requestsPerSecond: Double
    /// From the first request's start to the last request's end.
    public var testDurationSeconds: Double
    /// Unix seconds of the first start and the last end; written twice, also under the old
    /// framework's `test_start_time` and `test_end_time`.
    public var firstTimestamp: Double?
    public var lastTimestamp: Double?
    /// How many failed requests gave each error message.
    public var errorSummary: [String: Int]
    public var httpStatuses: [String: Int]
    public var excludedRequests: ExcludedRequests
    public var operations: [String: OperationSummary]
    public var queryTypes: [String: OperationSummary]
    public var clients: [String: ClientSummary]
    public var timeseries: [TimeseriesPoint]
    /// Successful requests' latencies in log-spaced bins (10 per decade).
    public var latencyHistogram: [HistogramBin]
    /// Latency at percentiles up to the highest one the sample size supports.
    public var percentileSpectrum: [PercentilePoint]
    /// Token throughput and TTFT/TPOT/ITL, when the records carry them.
    public var llm: LLMSummary?
    /// Requests per second within the recipe's per-request objectives, when it has some.
    public var goodput: Goodput?
    /// Open loop: requests that were due while every in-flight slot was busy, never sent
    /// (counted among the failed ones too).
    public var droppedRequests = 0
    /// Vector stores: recall@k of the successful queries against exact search.
    public var recall: RecallSummary?
    /// What the load generator itself did: its schedule lateness and drops (from the
    /// records), its CPU and write rate (from the run, when FactoryBench ran the clients).
    public var loadGenerator: LoadGeneratorSummary?
    /// What the service's machine, its processes and the server itself were doing
    /// (`telemetry.jsonl`), when the run sampled them.
    public var telemetry: TelemetrySummary?
    public var percentileMethod: String
    public var stdMethod: String
    /// Successful requests up to which percentiles are exact.
    public var exactLimit: Int
    public var skippedLines: SkippedLines

    /// Database runs (the old framework's `transactions_per_second`): every request is a
    /// transaction, so this is `requests_per_second`; `nil` for other services.
    public var transactionsPerSecond: Double? {
        Self.databaseServices.contains(serviceType) ? requestsPerSecond : nil
    }

    static let databaseServices: Set<String> = ["postgres", "sqlite", "redis"]

    // The seed's LLM keys `tokens_per_second`, `avg_output_tokens` and `avg_input_tokens`
    // are written at the top level too (from `llm`), so old readers find them.
    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case serviceType = "service_type"
        case testStartTime = "test_start_time"
        case testEndTime = "test_end_time"
        case transactionsPerSecond = "transactions_per_second"
        case totalRequests = "total_requests"
        case successfulRequests = "successful_requests"
        case failedRequests = "failed_requests"
        case successRate = "success_rate"
        case latency = "latency_s"
        case latencyFromIntended = "latency_from_intended_s"
        case requestsPerSecond = "requests_per_second"
        case testDurationSeconds = "test_duration_s"
        case firstTimestamp = "first_timestamp"
        case lastTimestamp = "last_timestamp"
        case errorSummary = "error_summary"
        case httpStatuses = "http_statuses"
        case excludedRequests = "excluded_requests"
        case operations
        case queryTypes = "query_types"
        case clients, timeseries
        case latencyHistogram = "latency_histogram"
        case percentileSpectrum = "percentile_spectrum"
        case llm, goodput
        case droppedRequests = "dropped_requests"
        case recall
        case loadGenerator = "load_generator"
        case telemetry
        case tokensPerSecond = "tokens_per_second"
        case avgOutputTokens = "avg_output_tokens"
        case avgInputTokens = "avg_input_tokens"
        case percentileMethod = "percentile_method"
        case stdMethod = "std_method"
        case exactLimit = "exact_limit"
        case skippedLines = "skipped_lines"
    }

    public init(
        schemaVersion: Int, totalRequests: Int, successfulRequests: Int, failedRequests: Int, successRate: Double,
        latency: LatencyStatistics?, latencyFromIntended: LatencyStatistics?, requestsPerSecond: Double,
        testDurationSeconds: Double, firstTimestamp: Double?, lastTimestamp: Double?, errorSummary: [String: Int],
        httpStatuses: [String: Int], excludedRequests: ExcludedRequests, operations: [String: OperationSummary],
        queryTypes: [String: OperationSummary], clients: [String: ClientSummary], timeseries: [TimeseriesPoint],
        latencyHistogram: [HistogramBin], percentileSpectrum: [PercentilePoint], llm: LLMSummary?, goodput: Goodput? = nil,
        percentileMethod: String, stdMethod: String, exactLimit: Int, skippedLines: SkippedLines
    ) {
        self.schemaVersion = schemaVersion
        self.totalRequests = totalRequests
        self.successfulRequests = successfulRequests
        self.failedRequests = failedRequests
        self.successRate = successRate
        self.latency = latency
        self.latencyFromIntended = latencyFromIntended
        self.requestsPerSecond = requestsPerSecond
        self.testDurationSeconds = testDurationSeconds
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.errorSummary = errorSummary
        self.httpStatuses = httpStatuses
        self.excludedRequests = excludedRequests
        self.operations = operations
        self.queryTypes = queryTypes
        self.clients = clients
        self.timeseries = timeseries
        self.latencyHistogram = latencyHistogram
        self.percentileSpectrum = percentileSpectrum
        self.llm = llm
        self.goodput = goodput
        self.percentileMethod = percentileMethod
        self.stdMethod = stdMethod
        self.exactLimit = exactLimit
        self.skippedLines = skippedLines
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
        serviceType = try c.decodeIfPresent(String.self, forKey: .serviceType) ?? "unknown"
        totalRequests = try c.decode(Int.self, forKey: .totalRequests)
        successfulRequests = try c.decode(Int.self, forKey: .successfulRequests)
        failedRequests = try c.decode(Int.self, forKey: .failedRequests)
        successRate = try c.decode(Double.self, forKey: .successRate)
        latency = try c.decodeIfPresent(LatencyStatistics.self, forKey: .latency)
        latencyFromIntended = try c.decodeIfPresent(LatencyStatistics.self, forKey: .latencyFromIntended)
        requestsPerSecond = try c.decode(Double.self, forKey: .requestsPerSecond)
        testDurationSeconds = try c.decode(Double.self, forKey: .testDurationSeconds)
        firstTimestamp = try c.decodeIfPresent(Double.self, forKey: .firstTimestamp)
        lastTimestamp = try c.decodeIfPresent(Double.self, forKey: .lastTimestamp)
        errorSummary = try c.decode([String: Int].self, forKey: .errorSummary)
        httpStatuses = try c.decode([String: Int].self, forKey: .httpStatuses)
        excludedRequests = try c.decode(ExcludedRequests.self, forKey: .excludedRequests)
        operations = try c.decode([String: OperationSummary].self, forKey: .operations)
        queryTypes = try c.decode([String: OperationSummary].self, forKey: .queryTypes)
        clients = try c.decode([String: ClientSummary].self, forKey: .clients)
        timeseries = try c.decode([TimeseriesPoint].self, forKey: .timeseries)
        latencyHistogram = try c.decode([HistogramBin].self, forKey: .latencyHistogram)
        percentileSpectrum = try c.decode([PercentilePoint].self, forKey: .percentileSpectrum)
        llm = try c.decodeIfPresent(LLMSummary.self, forKey: .llm)
        goodput = try c.decodeIfPresent(Goodput.self, forKey: .goodput)
        droppedRequests = try c.decodeIfPresent(Int.self, forKey: .droppedRequests) ?? 0
        recall = try c.decodeIfPresent(RecallSummary.self, forKey: .recall)
        loadGenerator = try c.decodeIfPresent(LoadGeneratorSummary.self, forKey: .loadGenerator)
        telemetry = try c.decodeIfPresent(TelemetrySummary.self, forKey: .telemetry)
        percentileMethod = try c.decode(String.self, forKey: .percentileMethod)
        stdMethod = try c.decode(String.self, forKey: .stdMethod)
        exactLimit = try c.decode(Int.self, forKey: .exactLimit)
        skippedLines = try c.decode(SkippedLines.self, forKey: .skippedLines)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(serviceType, forKey: .serviceType)
        try c.encode(totalRequests, forKey: .totalRequests)
        try c.encode(successfulRequests, forKey: .successfulRequests)
        try c.encode(failedRequests, forKey: .failedRequests)
        try c.encode(successRate, forKey: .successRate)
        try c.encodeIfPresent(latency, forKey: .latency)
        try c.encodeIfPresent(latencyFromIntended, forKey: .latencyFromIntended)
        try c.encode(requestsPerSecond, forKey: .requestsPerSecond)
        try c.encode(testDurationSeconds, forKey: .testDurationSeconds)
        try c.encodeIfPresent(firstTimestamp, forKey: .firstTimestamp)
        try c.encodeIfPresent(lastTimestamp, forKey: .lastTimestamp)
        try c.encodeIfPresent(firstTimestamp, forKey: .testStartTime)
        try c.encodeIfPresent(lastTimestamp, forKey: .testEndTime)
        try c.encodeIfPresent(transactionsPerSecond, forKey: .transactionsPerSecond)
        try c.encode(errorSummary, forKey: .errorSummary)
        try c.encode(httpStatuses, forKey: .httpStatuses)
        try c.encode(excludedRequests, forKey: .excludedRequests)
        try c.encode(operations, forKey: .operations)
        try c.encode(queryTypes, forKey: .queryTypes)
        try c.encode(clients, forKey: .clients)
        try c.encode(timeseries, forKey: .timeseries)
        try c.encode(latencyHistogram, forKey: .latencyHistogram)
        try c.encode(percentileSpectrum, forKey: .percentileSpectrum)
        try c.encodeIfPresent(llm, forKey: .llm)
        try c.encodeIfPresent(goodput, forKey: .goodput)
        try c.encode(droppedRequests, forKey: .droppedRequests)
        try c.encodeIfPresent(recall, forKey: .recall)
        try c.encodeIfPresent(loadGenerator, forKey: .loadGenerator)
        try c.encodeIfPresent(telemetry, forKey: .telemetry)
        try c.encodeIfPresent(llm?.tokensPerSecond, forKey: .tokensPerSecond)
        try c.encodeIfPresent(llm?.avgOutputTokens, forKey: .avgOutputTokens)
        try c.encodeIfPresent(llm?.avgInputTokens, forKey: .avgInputTokens)
        try c.encode(percentileMethod, forKey: .percentileMethod)
        try c.encode(stdMethod, forKey: .stdMethod)
        try c.encode(exactLimit, forKey: .exactLimit)
        try c.encode(skippedLines, forKey: .skippedLines)
    }
}

/// Recall@k of a vector store's queries: the fraction of the exact k nearest neighbours
/// each query returned, averaged over queries.
public struct RecallSummary: Sendable, Codable, Equatable {
    public var mean: Double
    public var min: Double
    public var count: Int

    public init(mean: Double, min: Double, count: Int) {
        self.mean = mean
        self.min = min
        self.count = count
    }
}

/// Requests recorded during warm-up or cool-down, kept out of every statistic.
public struct ExcludedRequests: Sendable, Codable, Equatable {
    public var warmup: Int
    public var cooldown: Int

    public init(warmup: Int, cooldown: Int) {
        self.warmup = warmup
        self.cooldown = cooldown
    }
}

/// Token throughput and LLM latencies; definitions in `LLMAccumulator`.
public struct LLMSummary: Sendable, Codable, Equatable {
    /// Output tokens per second of the run (the seed's `tokens_per_second`).
    public var tokensPerSecond: Double
    /// Input and output tokens per second.
    public var totalTokensPerSecond: Double
    public var avgOutputTokens: Double?
    public var avgInputTokens: Double?
    public var totalOutputTokens: Int
    public var totalInputTokens: Int
    public var ttft: LatencyStatistics?
    public var tpot: LatencyStatistics?
    public var itl: LatencyStatistics?
    /// The most output tokens finished in any one second of the run.
    public var peakOutputTokensPerSecond: Double?
    /// TTFT and ITL in log-spaced bins (10 per decade), for their distribution plots.
    public var ttftHistogram: [HistogramBin]?
    public var itlHistogram: [HistogramBin]?

    enum CodingKeys: String, CodingKey {
        case peakOutputTokensPerSecond = "peak_output_tokens_per_second"
        case ttftHistogram = "ttft_histogram"
        case itlHistogram = "itl_histogram"
        case tokensPerSecond = "tokens_per_second"
        case totalTokensPerSecond = "total_tokens_per_second"
        case avgOutputTokens = "avg_output_tokens"
        case avgInputTokens = "avg_input_tokens"
        case totalOutputTokens = "total_output_tokens"
        case totalInputTokens = "total_input_tokens"
        case ttft = "ttft_s"
        case tpot = "tpot_s"
        case itl = "itl_s"
    }
}

/// Requests of one `operation_type` (or `query_type`).
public struct OperationSummary: Sendable, Codable, Equatable {
    /// Successful requests (the old framework's meaning of `count`).
    public var count: Int
    /// Failed requests, beside them.
    public var failed: Int
    /// Over the operation's successful requests; `nil` when none succeeded.
    public var avgLatency: Double?
    public var p50Latency: Double?
    public var p95Latency: Double?
    public var p99Latency: Double?
    /// Object stores: bytes the successful requests moved, and megabytes (10^6 bytes) per
    /// second from the first such request's start to the last one's end.
    public var bytes: Int?
    public var megabytesPerSecond: Double?

    public init(
        count: Int, failed: Int, avgLatency: Double? = nil, p50Latency: Double? = nil, p95Latency: Double? = nil,
        p99Latency: Double? = nil
    ) {
        self.count = count
        self.failed = failed
        self.avgLatency = avgLatency
        self.p50Latency = p50Latency
        self.p95Latency = p95Latency
        self.p99Latency = p99Latency
    }

    enum CodingKeys: String, CodingKey {
        case count, failed
        case avgLatency = "avg_latency"
        case p50Latency = "p50_latency"
        case p95Latency = "p95_latency"
        case p99Latency = "p99_latency"
        case bytes
        case megabytesPerSecond = "megabytes_per_second"
    }
}

/// Requests of one client, to see whether every client got its share.
public struct ClientSummary: Sendable, Codable, Equatable {
    public var count: Int
    public var failed: Int
    public var avgLatency: Double?
    public var p95Latency: Double?
    /// Unix seconds at which the client's first request (warm-up included) started.
    public var firstRequest: Double?

    enum CodingKeys: String, CodingKey {
        case count, failed
        case avgLatency = "avg_latency"
        case p95Latency = "p95_latency"
        case firstRequest = "first_request"
    }
}

/// One second of the run: requests that ended in it (counted from the second holding the
/// first request's start), and the average number of requests in flight during it.
public struct TimeseriesPoint: Sendable, Codable, Equatable {
    public var second: Int
    public var completed: Int
    public var failed: Int
    /// Request-seconds spent in flight during this second: the average concurrency.
    public var inFlight: Double
    /// Output tokens of the requests that ended in this second (LLM runs).
    public var outputTokens: Int?
    public var p50Latency: Double?
    public var p95Latency: Double?

    enum CodingKeys: String, CodingKey {
        case second, completed, failed
        case inFlight = "in_flight"
        case outputTokens = "output_tokens"
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
