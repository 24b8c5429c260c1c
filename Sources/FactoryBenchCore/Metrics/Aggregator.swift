import Foundation

/// Turns request files into a `RunSummary` in one streaming pass: counts, latency statistics
/// over successful requests (exact up to `exactLimit` of them, HdrHistogram after),
/// breakdowns per operation, query type, client, HTTP status and error, and a per-second
/// time series.
public enum Aggregator {
    /// Successful requests whose latencies are all kept for exact percentiles (about 40
    /// bytes each); past it, histograms take over.
    public static let defaultExactLimit = 1_500_000

    public static let exactMethod =
        "exact: linear interpolation between order statistics (numpy's default, Hyndman-Fan type 7)"
    public static let histogramMethod =
        "HdrHistogram with 3 significant digits (values within 0.1 %); per-second percentiles within 2.3 %"
    public static let stdMethod = "sample standard deviation (n - 1)"

    /// Aggregates every record of `files`, in order.
    public static func aggregate(files: [URL], exactLimit: Int = defaultExactLimit) throws -> RunSummary {
        var aggregation = RequestAggregation(exactLimit: exactLimit)
        for file in files { try aggregation.add(file: file) }
        return aggregation.summary()
    }

    /// Aggregates records already in memory.
    public static func summarize(_ records: [RequestRecord], exactLimit: Int = defaultExactLimit) -> RunSummary {
        var aggregation = RequestAggregation(exactLimit: exactLimit)
        for record in records { aggregation.add(record) }
        return aggregation.summary()
    }

    /// Percentiles drawn in a spectrum; one is kept only when the sample has at least
    /// 1 / (1 − p) values, so the tail is not extrapolated from too few requests.
    static let spectrumPercentiles: [Double] = [
        0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96.25, 97.5, 98.75, 99, 99.5, 99.75, 99.9,
        99.95, 99.99, 99.995, 99.999,
    ]

    static func spectrum(count: Int, percentile: (Double) -> Double?) -> [PercentilePoint] {
        spectrumPercentiles.filter { Double(count) >= 1 / (1 - $0 / 100) }.compactMap { p in
            percentile(p).map { PercentilePoint(percentile: p, latency: $0) }
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
}
