import Dispatch
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

    /// Blocks are dealt round-robin to this many shards, each folded on its own thread: one
    /// per core, 2 to 8. Results do not depend on it: percentiles and the means and standard
    /// deviations of the run and its breakdowns come from the merged, sorted samples.
    static let shardCount = min(max(ProcessInfo.processInfo.activeProcessorCount, 2), 8)

    /// Aggregates every record of `files`, in order.
    ///
    /// Percentiles are exact while the run has at most `exactLimit` successful requests (and
    /// ITL at most `exactLimit` gaps), whatever the number of cores; each statistic says which.
    public static func aggregate(
        files: [URL], exactLimit: Int = defaultExactLimit, goodput: GoodputLimits? = nil
    ) throws -> RunSummary {
        var aggregation = try aggregation(files: files, exactLimit: exactLimit, goodput: goodput)
        return aggregation.summary()
    }

    /// Every successful request's latency (and LLM latencies) of `files`, for tests that
    /// need the samples themselves, such as a comparison of two runs.
    public static func samples(files: [URL]) throws -> RequestSamples {
        try aggregation(files: files, exactLimit: Int.max, goodput: nil).samples()
    }

    static func aggregation(
        files: [URL], exactLimit: Int, goodput: GoodputLimits?, shardCount: Int = shardCount
    ) throws -> RequestAggregation {
        let kept = RequestAggregation.KeptSamples()
        let shards = (0..<shardCount).map { _ in Shard(exactLimit: exactLimit, goodput: goodput) }
        for shard in shards { shard.aggregation.keptByAllShards = kept }
        let bytes = files.reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0)
        }
        for shard in shards { shard.aggregation.expectedBytes = bytes / shardCount }
        try scan(files: files, inFlight: 2 * shardCount) { index, _ in shards[index % shardCount] }
        // Whether a request was logged in blocks of two shards is checked on another core
        // while the shards merge (the check only reads their duplicate filters).
        nonisolated(unsafe) let filters = shards.map(\.aggregation.duplicateFilters)
        nonisolated(unsafe) var shared = false
        let checked = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            shared = RequestAggregation.shareRequests(filters)
            checked.signal()
        }
        // Shards merge as a tree, each level's pairs on all cores (each shard sorted its
        // samples at the end of `scan`).
        var level = Array(shards.indices)
        while level.count > 1 {
            let pairs = level
            DispatchQueue.concurrentPerform(iterations: pairs.count / 2) { pair in
                let (left, right) = (shards[pairs[2 * pair]], shards[pairs[2 * pair + 1]])
                left.aggregation.merge(right.aggregation)
                // Free the shard's values as soon as they are merged.
                right.aggregation = RequestAggregation(exactLimit: 0)
            }
            level = stride(from: 0, to: pairs.count, by: 2).map { pairs[$0] }
        }
        var merged = shards[0].aggregation
        shards[0].aggregation = RequestAggregation(exactLimit: 0)
        merged.keptByAllShards = nil
        merged.enforceExactLimit()
        checked.wait()
        if shared {
            // A request logged twice, in blocks of two shards: only one aggregation over
            // everything can leave it out exactly once.
            let single = Shard(exactLimit: exactLimit, goodput: goodput)
            try scan(files: files, inFlight: 4) { _, _ in single }
            single.aggregation.enforceExactLimit()
            return single.aggregation
        }
        return merged
    }

    /// One aggregation and the serial queue that folds blocks into it.
    private final class Shard: @unchecked Sendable {
        var aggregation: RequestAggregation
        let queue = DispatchQueue(label: "factorybench.aggregate.shard")

        init(exactLimit: Int, goodput: GoodputLimits?) {
            aggregation = RequestAggregation(exactLimit: exactLimit)
            aggregation.goodputLimits = goodput
        }
    }

    private struct BlockBox: @unchecked Sendable {
        var block: JSONLBlockReader.Block
    }

    /// Reads `files` block by block on this thread; each block is scanned and folded on the
    /// queue of the shard `route` picks for it (by the block's overall index), with at most
    /// `blocks` blocks read ahead.
    private static func scan(files: [URL], inFlight blocks: Int, route: (Int, BlockPosition) -> Shard) throws {
        let pool = JSONLBlockReader.BufferPool()
        let inFlight = DispatchSemaphore(value: blocks)
        var used: [ObjectIdentifier: Shard] = [:]
        defer {
            // Wait for every block before the pool's buffers go away, even after an error.
            for shard in used.values { shard.queue.sync {} }
        }
        var index = 0
        for (fileIndex, url) in files.enumerated() {
            let name = url.lastPathComponent
            var blockIndex = 0
            try JSONLBlockReader.forEachBlock(path: url.path, pool: pool) { block in
                let position = BlockPosition(file: fileIndex, block: blockIndex)
                let shard = route(index, position)
                used[ObjectIdentifier(shard)] = shard
                blockIndex += 1
                index += 1
                inFlight.wait()
                let box = BlockBox(block: block)
                shard.queue.async {
                    switch box.block {
                    case .lines(let buffer, let bytes):
                        shard.aggregation.add(lines: bytes, at: position, file: name)
                        pool.give(buffer)
                    case .problem(let reason):
                        shard.aggregation.add(problem: reason, at: position, file: name)
                    }
                    inFlight.signal()
                }
            }
        }
        // Each shard finishes (sums, sort) as soon as its last block is folded, while the
        // others may still be scanning.
        for shard in used.values { shard.queue.async { shard.aggregation.finishScan() } }
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
        func bin(_ value: Double) -> Int {
            min(max(Int((log10(max(value, 1e-9)) * perDecade).rounded(.down)) - first, 0), bins.count - 1)
        }
        // The values are sorted, so each bin's are a run of them: its end is found by binary
        // search, not by taking the logarithm of every value.
        var start = 0
        for index in bins.indices {
            var low = start
            var high = sorted.count
            while low < high {
                let middle = (low + high) / 2
                if bin(sorted[middle]) <= index { low = middle + 1 } else { high = middle }
            }
            bins[index].count = low - start
            start = low
        }
        return bins
    }
}

extension RunSummary {
    /// The summary of a run without records: what a page shows for a run whose
    /// `summary.json` is missing.
    public static var empty: RunSummary {
        var aggregation = RequestAggregation(exactLimit: Aggregator.defaultExactLimit)
        return aggregation.summary()
    }
}
