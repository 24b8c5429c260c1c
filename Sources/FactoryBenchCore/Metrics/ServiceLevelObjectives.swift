/// A recipe's `slo:` checked against a run: one result per objective, and the per-request
/// limits that goodput counts.
public struct ServiceLevelObjectives: Sendable, Equatable {
    public var targets: [String: Double]

    public init(_ slo: [String: SettingValue]) {
        targets = slo.compactMapValues(\.doubleValue)
    }

    /// The `slo` section of a run's resolved recipe.
    public init(manifest: RunManifest) {
        if case .map(let recipe) = manifest.recipeResolved, case .map(let slo) = recipe["slo"] ?? .null {
            self.init(slo)
        } else {
            self.init([:])
        }
    }

    public var isEmpty: Bool { targets.isEmpty }

    /// A request counts towards goodput when it succeeded and its latency, TTFT and TPOT are
    /// within the tightest objective on each (a percentile objective of X ms asks every
    /// request to finish within X ms; DistServe, OSDI 2024, defines goodput this way).
    public var goodputLimits: GoodputLimits? {
        func tightest(_ keys: [String]) -> Double? { keys.compactMap { targets[$0] }.min().map { $0 / 1000 } }
        let limits = GoodputLimits(
            latency: tightest(["p50_latency_ms", "p90_latency_ms", "p95_latency_ms", "p99_latency_ms"]),
            ttft: tightest(["ttft_p50_ms", "ttft_p95_ms", "ttft_p99_ms"]),
            tpot: tightest(["tpot_p50_ms", "tpot_p95_ms"]))
        return limits.latency == nil && limits.ttft == nil && limits.tpot == nil ? nil : limits
    }

    public struct Result: Sendable, Equatable, Codable {
        public var key: String
        public var target: Double
        public var actual: Double?
        /// `nil` when the run has no value to check (e.g. TTFT without streamed records).
        public var passed: Bool?
    }

    /// Every objective's result and the run's verdict over them: computed here once, shown
    /// by the report and the run page and written to `report.json`.
    public struct Verdict: Sendable, Equatable, Codable {
        public var objectives: [Result]
        public var failed: Int
        public var withoutData: Int
        /// `every objective met`, `2 of 5 objectives failed`, `no objective failed; 1 had no data`.
        public var headline: String

        enum CodingKeys: String, CodingKey {
            case objectives, failed, headline
            case withoutData = "without_data"
        }
    }

    /// The verdict of a run, or `nil` when the recipe sets no objective.
    public func verdict(_ summary: RunSummary) -> Verdict? {
        guard !isEmpty else { return nil }
        let results = evaluate(summary)
        let failed = results.filter { $0.passed == false }.count
        let missing = results.filter { $0.passed == nil }.count
        let headline =
            failed > 0
            ? "\(failed) of \(results.count) objectives failed"
            : missing > 0 ? "no objective failed; \(missing) had no data" : "every objective met"
        return Verdict(objectives: results, failed: failed, withoutData: missing, headline: headline)
    }

    public func evaluate(_ summary: RunSummary) -> [Result] {
        targets.keys.sorted().map { key in
            let target = targets[key]!
            let actual: Double?
            var atLeast = false
            switch key {
            case "p50_latency_ms": actual = summary.latency.map { $0.p50 * 1000 }
            case "p90_latency_ms": actual = summary.latency.map { $0.p90 * 1000 }
            case "p95_latency_ms": actual = summary.latency.map { $0.p95 * 1000 }
            case "p99_latency_ms": actual = summary.latency.map { $0.p99 * 1000 }
            case "ttft_p50_ms": actual = summary.llm?.ttft.map { $0.p50 * 1000 }
            case "ttft_p95_ms": actual = summary.llm?.ttft.map { $0.p95 * 1000 }
            case "ttft_p99_ms": actual = summary.llm?.ttft.map { $0.p99 * 1000 }
            case "tpot_p50_ms": actual = summary.llm?.tpot.map { $0.p50 * 1000 }
            case "tpot_p95_ms": actual = summary.llm?.tpot.map { $0.p95 * 1000 }
            case "itl_p95_ms": actual = summary.llm?.itl.map { $0.p95 * 1000 }
            case "error_rate":
                actual = summary.totalRequests > 0 ? Double(summary.failedRequests) / Double(summary.totalRequests) : nil
            case "min_requests_per_second":
                actual = summary.requestsPerSecond
                atLeast = true
            default: actual = nil
            }
            return Result(key: key, target: target, actual: actual, passed: actual.map { atLeast ? $0 >= target : $0 <= target })
        }
    }
}

/// Per-request limits for goodput, in seconds.
public struct GoodputLimits: Sendable, Equatable, Codable {
    public var latency: Double?
    public var ttft: Double?
    public var tpot: Double?

    public init(latency: Double?, ttft: Double?, tpot: Double?) {
        self.latency = latency
        self.ttft = ttft
        self.tpot = tpot
    }

    enum CodingKeys: String, CodingKey {
        case latency = "latency_s"
        case ttft = "ttft_s"
        case tpot = "tpot_s"
    }

    func admits(_ record: ScannedRecord) -> Bool {
        if let latency, !(record.latency <= latency) { return false }
        if let ttft, !(record.ttft <= ttft) { return false }
        if let tpot {
            guard record.outputTokens > 1, record.ttft.isFinite else { return false }
            if (record.latency - record.ttft) / Double(record.outputTokens - 1) > tpot { return false }
        }
        return true
    }
}

/// Requests per second that met every per-request objective.
public struct Goodput: Sendable, Codable, Equatable {
    public var limits: GoodputLimits
    public var goodRequests: Int
    public var requestsPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case limits
        case goodRequests = "good_requests"
        case requestsPerSecond = "requests_per_second"
    }
}
