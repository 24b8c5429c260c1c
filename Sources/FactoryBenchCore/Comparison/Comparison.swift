/// Whether a metric is better when it goes down (latency) or up (throughput).
public enum Polarity: String, Sendable, Codable {
    case smallerIsBetter = "smaller_is_better"
    case largerIsBetter = "larger_is_better"
}

/// What a comparison concludes about one metric.
public enum Verdict: String, Sendable, Codable {
    case improved
    case regressed
    case noSignificantChange = "no_significant_change"
    case notComparable = "not_comparable"
}

/// One metric of two runs side by side, with its test and verdict.
public struct MetricComparison: Sendable, Codable, Equatable {
    public var name: String
    /// Where the number lives in `summary.json` (e.g. `latency_s.p95`).
    public var key: String
    public var unit: String
    public var polarity: Polarity
    public var base: Double?
    public var current: Double?
    /// Relative change, current over base minus one.
    public var change: Double?
    /// The confidence interval of `change`.
    public var changeLower: Double?
    public var changeUpper: Double?
    public var test: String
    public var p: Double?
    /// `p` after Holm's correction for the number of metrics tested.
    public var adjustedP: Double?
    public var baseSamples: Int
    public var currentSamples: Int
    public var verdict: Verdict
    /// Why the metric is not comparable, when it is not.
    public var note: String?

    enum CodingKeys: String, CodingKey {
        case name, key, unit, polarity, base, current, change
        case changeLower = "change_ci_lower"
        case changeUpper = "change_ci_upper"
        case test, p
        case adjustedP = "p_adjusted"
        case baseSamples = "base_samples"
        case currentSamples = "current_samples"
        case verdict, note
    }
}

/// A value that differs between the two runs' set-ups ("what changed").
public struct SetupDifference: Sendable, Codable, Equatable {
    public var key: String
    public var base: String
    public var current: String
}

/// Identity of a compared run.
public struct ComparedRun: Sendable, Codable, Equatable {
    public var id: String
    public var recipeName: String
    public var startedAt: String
    public var status: RunStatus

    enum CodingKeys: String, CodingKey {
        case id
        case recipeName = "recipe_name"
        case startedAt = "started_at"
        case status
    }
}

/// `comparison.json`: two runs, what differs in their set-up, and every metric's verdict.
public struct Comparison: Sendable, Codable, Equatable {
    public var base: ComparedRun
    public var current: ComparedRun
    public var threshold: Double
    public var alpha: Double
    public var confidence: Double
    public var replicates: Int
    public var seed: UInt64
    public var method: String
    public var differences: [SetupDifference]
    public var metrics: [MetricComparison]

    /// Whether any metric regressed (what `--fail-on-regression` checks).
    public var hasRegression: Bool { metrics.contains { $0.verdict == .regressed } }

    /// Names of the metrics that regressed, in report order.
    public var regressedMetrics: [String] { metrics.filter { $0.verdict == .regressed }.map(\.name) }

    /// Names of the metrics that improved, in report order.
    public var improvedMetrics: [String] { metrics.filter { $0.verdict == .improved }.map(\.name) }

    /// One line on the outcome, with metric names passed through `escape` (for Markdown).
    public func headline(escape: (String) -> String = { $0 }) -> String {
        let regressed = regressedMetrics.map(escape).joined(separator: ", ")
        let improved = improvedMetrics.map(escape).joined(separator: ", ")
        if !regressed.isEmpty { return "Regressed: \(regressed)" + (improved.isEmpty ? "" : "; improved: \(improved)") }
        if !improved.isEmpty { return "Improved: \(improved); no regression" }
        return "No significant change"
    }

    /// The name of the comparison's directory: `<base>-vs-<current>`.
    public var id: String { "\(base.id)-vs-\(current.id)" }

    enum CodingKeys: String, CodingKey {
        case base, current, threshold, alpha, confidence, replicates, seed, method, differences, metrics
    }
}
