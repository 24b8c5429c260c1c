/// Seeded percentile bootstrap of the relative change of a statistic between two samples
/// (Efron and Tibshirani, "An Introduction to the Bootstrap", 1993, ch. 13): both samples
/// are resampled with replacement, the statistic recomputed, and the change's distribution
/// read off the replicates.
public enum Bootstrap {
    /// A statistic of a sample, given the sample (which it may reorder).
    public typealias Statistic = @Sendable (inout [Double]) -> Double

    public struct Interval: Sendable, Equatable {
        public var lower: Double
        public var upper: Double
        /// Two-sided p-value of "no change", from a normal approximation of the replicates'
        /// distribution (mean / standard deviation): continuous, so it survives a
        /// multiple-testing correction that a replicate count would not.
        public var p: Double
    }

    /// Statistics computed on one replicate, all from one resample.
    public static func relativeChanges(
        base: [Double], current: [Double], statistics: [Statistic], replicates: Int, confidence: Double,
        maximumSample: Int, seed: UInt64
    ) -> [Interval?] {
        guard !base.isEmpty, !current.isEmpty else { return statistics.map { _ in nil } }
        var random = SeededGenerator(seed: seed)
        let base = subsample(base, to: maximumSample, using: &random)
        let current = subsample(current, to: maximumSample, using: &random)
        var changes = Array(repeating: [Double](), count: statistics.count)
        var resampledBase = [Double](repeating: 0, count: base.count)
        var resampledCurrent = [Double](repeating: 0, count: current.count)
        for _ in 0..<replicates {
            // Modulo of a 64-bit draw: a bias below count / 2^64, far under anything measurable.
            let (baseCount, currentCount) = (UInt64(base.count), UInt64(current.count))
            for index in resampledBase.indices { resampledBase[index] = base[Int(random.next() % baseCount)] }
            for index in resampledCurrent.indices { resampledCurrent[index] = current[Int(random.next() % currentCount)] }
            for (index, statistic) in statistics.enumerated() {
                let b = statistic(&resampledBase)
                let c = statistic(&resampledCurrent)
                if b != 0 && b.isFinite && c.isFinite { changes[index].append((c - b) / b) }
            }
        }
        let tail = (1 - confidence) / 2
        return changes.map { values in
            guard values.count >= replicates / 2 else { return nil }
            let sorted = values.sorted()
            let mean = values.reduce(0, +) / Double(values.count)
            let spread = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(values.count - 1, 1))).squareRoot()
            let p = spread > 0 ? min(1, erfc(abs(mean / spread) / 2.0.squareRoot())) : (mean == 0 ? 1 : 0)
            return Interval(
                lower: Statistics.percentile(sorted: sorted, tail * 100) ?? 0,
                upper: Statistics.percentile(sorted: sorted, (1 - tail) * 100) ?? 0, p: p)
        }
    }

    /// A seeded random subset of at most `count` values (partial Fisher–Yates shuffle).
    static func subsample(_ values: [Double], to count: Int, using random: inout SeededGenerator) -> [Double] {
        guard values.count > count else { return values }
        var copy = values
        for index in 0..<count {
            copy.swapAt(index, Int.random(in: index..<copy.count, using: &random))
        }
        return Array(copy[0..<count])
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
