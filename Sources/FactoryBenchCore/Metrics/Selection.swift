/// Exact percentiles without a full sort: the order statistics that numpy's linear
/// interpolation needs (⌊h⌋ and ⌊h⌋ + 1 for each percentile) are found by multiple
/// quickselect (Hoare's FIND, CACM 1961, recursing only into the parts that hold a wanted
/// rank), linear in the sample size. Reorders `values`.
enum Selection {
    static func percentiles(of values: inout [Double], _ percentiles: [Double]) -> [Double: Double] {
        let n = values.count
        guard n > 0 else { return [:] }
        let wanted = percentiles.map { Statistics.Rank(count: n, percentile: $0) }
        let ranks = Set(wanted.flatMap { [$0.lower, $0.upper] })
        var valueAt: [Int: Double] = [:]
        values.withUnsafeMutableBufferPointer { buffer in
            select(buffer, ranks.sorted()[...], low: 0, high: n - 1, into: &valueAt)
        }
        var result: [Double: Double] = [:]
        for (p, rank) in zip(percentiles, wanted) {
            result[p] = rank.interpolate(valueAt[rank.lower] ?? 0, valueAt[rank.upper] ?? 0)
        }
        return result
    }

    /// Finds the values of the sorted `ranks` within `buffer[low...high]`.
    private static func select(
        _ buffer: UnsafeMutableBufferPointer<Double>, _ ranks: ArraySlice<Int>, low: Int, high: Int,
        into valueAt: inout [Int: Double]
    ) {
        guard let first = ranks.first else { return }
        if low >= high {
            valueAt[first] = buffer[low]
            return
        }
        // Median of three as pivot, then a three-way (Dutch flag) partition, which keeps long
        // runs of equal latencies linear.
        let middle = low + (high - low) / 2
        let pivot = max(min(buffer[low], buffer[middle]), min(max(buffer[low], buffer[middle]), buffer[high]))
        var lt = low
        var gt = high
        var index = low
        while index <= gt {
            let value = buffer[index]
            if value < pivot {
                buffer.swapAt(lt, index)
                lt += 1
                index += 1
            } else if value > pivot {
                buffer.swapAt(index, gt)
                gt -= 1
            } else {
                index += 1
            }
        }
        let left = ranks.prefix { $0 < lt }
        let right = ranks.drop { $0 <= gt }
        for rank in ranks where rank >= lt && rank <= gt { valueAt[rank] = pivot }
        select(buffer, left, low: low, high: lt - 1, into: &valueAt)
        select(buffer, right, low: gt + 1, high: high, into: &valueAt)
    }
}
