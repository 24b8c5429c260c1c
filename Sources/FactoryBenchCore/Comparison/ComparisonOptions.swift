/// How strict a comparison is, and how its bootstrap runs.
public struct ComparisonOptions: Sendable, Equatable {
    /// A change smaller than this (relative, 0.05 = 5 %) is never a regression.
    public var threshold = 0.05
    /// Significance level, after Holm's correction over the metrics tested.
    public var alpha = 0.01
    /// Level of the change intervals that must clear the threshold.
    public var confidence = 0.95
    public var replicates = 1000
    /// Requests per run the bootstrap resamples from (a seeded subsample beyond it).
    public var maximumBootstrapSample = 20_000
    public var seed: UInt64 = 20_261_129
    /// Fewer samples than this on either side make a metric not comparable.
    public var minimumSamples = 20

    public init() {}
}
