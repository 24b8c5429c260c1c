import Foundation

/// The Mann–Whitney U test of two independent samples (Mann and Whitney, Ann. Math.
/// Statist. 18, 1947), two-sided, by the normal approximation with the tie correction of
/// the variance and a continuity correction of 0.5 — what
/// `scipy.stats.mannwhitneyu(a, b, method="asymptotic")` computes.
public enum MannWhitney {
    public struct Result: Sendable, Equatable {
        /// U of the first sample: the number of (a, b) pairs with a > b, ties counting ½.
        public var u: Double
        public var z: Double
        public var p: Double
    }

    public static func test(_ a: [Double], _ b: [Double]) -> Result? {
        let n1 = a.count
        let n2 = b.count
        guard n1 > 0, n2 > 0 else { return nil }
        // Ranks of the pooled sample, ties getting their average rank.
        var pooled = a.map { ($0, true) } + b.map { ($0, false) }
        pooled.sort { $0.0 < $1.0 }
        let n = pooled.count
        var rankSumA = 0.0
        var tieTerm = 0.0
        var start = 0
        while start < n {
            var end = start + 1
            while end < n && pooled[end].0 == pooled[start].0 { end += 1 }
            let averageRank = Double(start + end + 1) / 2
            let ties = Double(end - start)
            if ties > 1 { tieTerm += ties * ties * ties - ties }
            for index in start..<end where pooled[index].1 { rankSumA += averageRank }
            start = end
        }
        let (m1, m2, total) = (Double(n1), Double(n2), Double(n))
        let u = rankSumA - m1 * (m1 + 1) / 2
        let mean = m1 * m2 / 2
        let variance = m1 * m2 / 12 * ((total + 1) - tieTerm / (total * (total - 1)))
        guard variance > 0 else { return Result(u: u, z: 0, p: 1) }
        // Continuity correction towards the mean, as scipy does.
        let difference = u - mean
        let corrected = difference == 0 ? 0 : (abs(difference) - 0.5) * (difference > 0 ? 1 : -1)
        let z = corrected / variance.squareRoot()
        return Result(u: u, z: z, p: min(1, erfc(abs(z) / 2.0.squareRoot())))
    }
}
