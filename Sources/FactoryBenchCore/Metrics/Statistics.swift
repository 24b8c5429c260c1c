/// Pure descriptive statistics over latency samples; kept apart from rendering and I/O.
public enum Statistics {
    /// The `p`-th percentile (0...100) of ascending `sorted` values by linear interpolation
    /// between the two nearest order statistics: numpy's default (`method="linear"`, Hyndman
    /// and Fan 1996, definition 7): h = (n − 1)·p/100, x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
    public static func percentile(sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Rank(count: sorted.count, percentile: p)
        return rank.interpolate(sorted[rank.lower], sorted[rank.upper])
    }

    /// Where the `percentile`-th percentile of `count` values lies between two order
    /// statistics: the one definition of numpy's linear interpolation, which every way of
    /// finding those order statistics (a sorted array, quickselect, one pass over sorted
    /// groups) shares.
    struct Rank {
        /// The 0-based ranks ⌊h⌋ and ⌊h⌋ + 1 (the last rank when ⌊h⌋ is the last).
        let lower: Int
        let upper: Int
        /// h − ⌊h⌋.
        let fraction: Double

        /// `percentile` is clamped to 0...100; `count` must be positive.
        init(count: Int, percentile: Double) {
            let h = Double(count - 1) * min(max(percentile, 0), 100) / 100
            lower = Int(h.rounded(.down))
            upper = min(lower + 1, count - 1)
            fraction = h - Double(lower)
        }

        func interpolate(_ low: Double, _ high: Double) -> Double {
            low + fraction * (high - low)
        }
    }

    /// The arithmetic mean.
    public static func mean(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        return values.reduce(0, +) / Double(values.count)
    }

    /// The sample standard deviation (Bessel's correction, n − 1; numpy's `ddof=1`), by
    /// Welford's single-pass algorithm; 0 for a single value.
    public static func sampleStandardDeviation(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        guard values.count > 1 else { return 0 }
        var mean = 0.0
        var squares = 0.0
        for (index, value) in values.enumerated() {
            let delta = value - mean
            mean += delta / Double(index + 1)
            squares += delta * (value - mean)
        }
        return (squares / Double(values.count - 1)).squareRoot()
    }
}

/// Mean, spread and percentiles of one set of latencies, in seconds.
public struct LatencyStatistics: Sendable, Codable, Equatable {
    /// The percentiles every statistics block reports.
    static let percentiles: [Double] = [50, 90, 95, 99, 99.9]

    public var count: Int
    public var avg: Double
    public var min: Double
    public var max: Double
    public var std: Double
    public var p50: Double
    public var p90: Double
    public var p95: Double
    public var p99: Double
    public var p99_9: Double
    /// `exact` or `histogram`: each block states how its own percentiles were computed (ITL
    /// has many values per request and may pass the exact limit while latency does not).
    public var percentileMethod: String?

    enum CodingKeys: String, CodingKey {
        case count, avg, min, max, std, p50, p90, p95, p99, p99_9
        case percentileMethod = "percentile_method"
    }

    public init(
        count: Int, avg: Double, min: Double, max: Double, std: Double, p50: Double, p90: Double, p95: Double,
        p99: Double, p99_9: Double, percentileMethod: String? = nil
    ) {
        self.count = count
        self.avg = avg
        self.min = min
        self.max = max
        self.std = std
        self.p50 = p50
        self.p90 = p90
        self.p95 = p95
        self.p99 = p99
        self.p99_9 = p99_9
        self.percentileMethod = percentileMethod
    }
}
