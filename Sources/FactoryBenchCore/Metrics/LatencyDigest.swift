import Histogram

/// The samples of one latency distribution (a run, an operation, a client, ...).
///
/// Count, mean, standard deviation, min and max are always exact (Welford's running
/// update). Percentiles are exact while the digest keeps every value; once the run passes
/// the aggregator's exact limit it holds an HdrHistogram instead (3 significant digits,
/// nanosecond units), so memory stops growing with the run.
struct LatencyDigest {
    private(set) var count = 0
    /// Sums of (value − shift) and its square, with the first value as the shift: the
    /// shifted-data variance algorithm, stable for values of similar size and free of a
    /// division per value (Chan, Golub and LeVeque, "Algorithms for computing the sample
    /// variance", The American Statistician, 1983).
    private var shift = 0.0
    private var shiftedSum = 0.0
    private var shiftedSquares = 0.0
    private var minimum = Double.infinity
    private var maximum = -Double.infinity
    private var values: [Double] = []
    private var histogram: Histogram<UInt64>?
    /// Kept beside `histogram` so the hot path tests a Bool, not an optional struct.
    private(set) var isExact = true

    /// The request aggregation's digests (the run's, its breakdowns') get no value while it
    /// keeps every sample itself (`KeyedSamples`): `finish(count:percentiles:mean:)` or
    /// `finish(sorted:…)` then sets their count, extremes, mean and percentiles; when it
    /// drops to histograms, it adds every sample it kept.
    init() {}

    @inline(__always)
    mutating func add(_ value: Double) {
        if count == 0 { shift = value }
        count += 1
        let delta = value - shift
        shiftedSum += delta
        shiftedSquares += delta * delta
        if value < minimum { minimum = value }
        if value > maximum { maximum = value }
        if isExact {
            values.append(value)
        } else {
            histogram!.record(Self.nanoseconds(value))
        }
    }

    /// Adds another digest's samples (Chan, Golub and LeVeque's pairwise update for the
    /// variance); the result is exact only when both were.
    mutating func merge(_ other: LatencyDigest) {
        guard other.count > 0 else { return }
        guard count > 0 else {
            let exact = isExact
            self = other
            if !exact { dropToHistogram() }
            return
        }
        let (n1, n2) = (Double(count), Double(other.count))
        let squares1 = shiftedSquares - shiftedSum * shiftedSum / n1
        let squares2 = other.shiftedSquares - other.shiftedSum * other.shiftedSum / n2
        let delta = other.mean - mean
        let n = n1 + n2
        let combinedMean = mean + delta * n2 / n
        shiftedSquares = squares1 + squares2 + delta * delta * n1 * n2 / n
        shift = combinedMean
        shiftedSum = 0
        count += other.count
        minimum = min(minimum, other.minimum)
        maximum = max(maximum, other.maximum)
        if isExact && other.isExact {
            values.append(contentsOf: other.values)
        } else {
            dropToHistogram()
            var copy = other
            copy.dropToHistogram()
            histogram!.add(copy.histogram!)
        }
    }

    /// Moves the kept values into a histogram and frees them.
    mutating func dropToHistogram() {
        guard isExact else { return }
        var fresh = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        for value in values { fresh.record(Self.nanoseconds(value)) }
        histogram = fresh
        values = []
        isExact = false
    }

    @inline(__always)
    private static func nanoseconds(_ seconds: Double) -> UInt64 {
        UInt64(min(max((seconds * 1e9).rounded(), 1), 9.2e18))
    }

    private var exactMean: Double?
    private var exactStandardDeviation: Double?

    /// Exact percentiles picked out by selection (`finish()`) or set by the aggregation.
    private var selected: [Double: Double] = [:]

    /// Prepares the standard percentiles of a digest that keeps its values, by selection
    /// (linear in time); call once, before reading them. (The run's own latencies are
    /// sorted by the aggregation and handed over with `finish(sorted:…)`.)
    mutating func finish() {
        guard isExact, !values.isEmpty else { return }
        // With every value at hand, mean and spread are recomputed in two passes, as numpy does.
        exactMean = Statistics.mean(values)
        exactStandardDeviation = Statistics.sampleStandardDeviation(values)
        selected = Selection.percentiles(of: &values, LatencyStatistics.percentiles)
    }

    /// Sets the count, exact percentiles (the 0th and 100th among them: the extremes) and
    /// mean of a digest that was given no value. Its spread is not kept (breakdowns
    /// do not show one): the standard deviation reads 0.
    mutating func finish(count: Int, percentiles: [Double: Double], mean: Double) {
        guard isExact, count > 0, let smallest = percentiles[0], let largest = percentiles[100] else { return }
        self.count = count
        (minimum, maximum) = (smallest, largest)
        selected = percentiles
        exactMean = mean
    }

    /// Hands a digest that was given no value all of them, sorted, with their mean and
    /// standard deviation.
    mutating func finish(sorted: [Double], mean: Double?, standardDeviation: Double?) {
        guard isExact, let smallest = sorted.first, let largest = sorted.last else { return }
        count = sorted.count
        (minimum, maximum) = (smallest, largest)
        values = sorted
        exactMean = mean
        exactStandardDeviation = standardDeviation
    }

    /// The `p`-th percentile: exact (numpy's linear interpolation) or from the histogram.
    func percentile(_ p: Double) -> Double? {
        guard count > 0 else { return nil }
        if let histogram {
            return Double(histogram.valueAtPercentile(p)) / 1e9
        }
        if !selected.isEmpty { return selected[p] }
        return Statistics.percentile(sorted: values, p)
    }

    var statistics: LatencyStatistics? {
        guard count > 0 else { return nil }
        let n = Double(count)
        let variance = count > 1 ? max(shiftedSquares - shiftedSum * shiftedSum / n, 0) / (n - 1) : 0
        return LatencyStatistics(
            count: count, avg: exactMean ?? mean, min: minimum, max: maximum,
            std: exactStandardDeviation ?? variance.squareRoot(),
            p50: percentile(50) ?? 0, p90: percentile(90) ?? 0, p95: percentile(95) ?? 0, p99: percentile(99) ?? 0,
            p99_9: percentile(99.9) ?? 0, percentileMethod: isExact ? "exact" : "histogram")
    }

    private var mean: Double { count > 0 ? shift + shiftedSum / Double(count) : 0 }

    /// Every value, in no particular order, while the digest is exact.
    var exactValues: [Double] { isExact ? values : [] }

    /// The sorted values, while exact and fully sorted (for the histogram and spectrum).
    var sortedValues: [Double]? { isExact && selected.isEmpty ? values : nil }

    /// Log-spaced bins of the histogram's contents, when not exact.
    func bins(perDecade: Double) -> [HistogramBin] {
        guard let histogram, count > 0 else { return [] }
        let first = Int((log10(max(minimum, 1e-9)) * perDecade).rounded(.down))
        let last = max(Int((log10(max(maximum, 1e-9)) * perDecade).rounded(.down)), first)
        var previous: UInt64 = 0
        return (first...last).map { index in
            let lower = pow(10, Double(index) / perDecade)
            let upper = pow(10, Double(index + 1) / perDecade)
            let below = index == last ? histogram.totalCount : histogram.count(within: 0...UInt64(upper * 1e9))
            defer { previous = below }
            return HistogramBin(lower: lower, upper: upper, count: Int(below - min(previous, below)))
        }
    }
}

/// Counts of per-second latencies in log-spaced bins (50 per decade from 100 ns to 1 day):
/// the per-second time series keeps these once the run is past the exact limit, so a long
/// run costs a few KB per second. Percentiles are bin midpoints (within 2.3 %).
struct LogBins {
    static let perDecade = 50.0
    static let lowest = 1e-7
    static let count = 700
    private var counts = [UInt32](repeating: 0, count: count)
    private var total = 0

    @inline(__always)
    mutating func add(_ value: Double) {
        let index = Int((log10(max(value, Self.lowest) / Self.lowest) * Self.perDecade).rounded(.down))
        counts[min(max(index, 0), Self.count - 1)] &+= 1
        total += 1
    }

    mutating func merge(_ other: LogBins) {
        for index in counts.indices { counts[index] &+= other.counts[index] }
        total += other.total
    }

    func percentile(_ p: Double) -> Double? {
        guard total > 0 else { return nil }
        let rank = max(1, Int((p / 100 * Double(total)).rounded(.up)))
        var seen = 0
        for (index, count) in counts.enumerated() {
            seen += Int(count)
            if seen >= rank {
                return Self.lowest * pow(10, (Double(index) + 0.5) / Self.perDecade)
            }
        }
        return nil
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
