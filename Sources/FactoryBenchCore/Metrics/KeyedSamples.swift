import Dispatch

/// Every successful request's latency while an aggregation is exact, kept once with the
/// breakdowns it belongs to (operation, query type, client, second) packed in a key.
///
/// The breakdowns' exact percentiles all come from one sort of these pairs and one pass
/// over them (`OrderStatistics`), instead of each breakdown keeping and selecting its own
/// copy of the values.
struct KeyedSamples {
    var values: [Double] = []
    var keys: [UInt64] = []

    /// The breakdowns of one sample: 10 bits for the operation and the query type (dense
    /// numbers, see `DenseSlots`), 20 for the client slot and 24 for the second's bucket
    /// (each aggregation's own numbering).
    struct Key {
        static let limits = (operation: 1 << 10, queryType: 1 << 10, client: 1 << 20, second: 1 << 24)

        var operation: Int
        var queryType: Int
        var client: Int
        var second: Int

        /// The packed key, or `nil` when a slot does not fit its bits.
        var packed: UInt64? {
            guard (0..<Self.limits.operation).contains(operation), (0..<Self.limits.queryType).contains(queryType),
                (0..<Self.limits.client).contains(client), (0..<Self.limits.second).contains(second)
            else { return nil }
            return UInt64(operation) | UInt64(queryType) << 10 | UInt64(client) << 20 | UInt64(second) << 40
        }

        @inline(__always)
        init(operation: Int, queryType: Int, client: Int, second: Int) {
            self.operation = operation
            self.queryType = queryType
            self.client = client
            self.second = second
        }

        @inline(__always)
        init(_ packed: UInt64) {
            operation = Int(packed & 0x3FF)
            queryType = Int(packed >> 10 & 0x3FF)
            client = Int(packed >> 20 & 0xFFFFF)
            second = Int(packed >> 40)
        }
    }

    /// Numbers the slots of one breakdown (sparse: operation and query type slots follow
    /// string ids, which error messages share) densely, in order of first use, for keys.
    struct DenseSlots {
        private var denseBySlot: [Int32] = []
        /// The slot of each dense number.
        private(set) var slots: [Int] = []

        var count: Int { slots.count }

        @inline(__always)
        mutating func number(of slot: Int) -> Int {
            if slot < denseBySlot.count, denseBySlot[slot] >= 0 { return Int(denseBySlot[slot]) }
            if slot >= denseBySlot.count {
                denseBySlot.append(contentsOf: repeatElement(-1, count: slot + 1 - denseBySlot.count))
            }
            denseBySlot[slot] = Int32(truncatingIfNeeded: slots.count)
            slots.append(slot)
            return slots.count - 1
        }
    }

    var isEmpty: Bool { values.isEmpty }

    /// How many samples fit before the arrays grow.
    var capacity: Int { min(values.capacity, keys.capacity) }

    mutating func reserve(_ count: Int) {
        values.reserveCapacity(count)
        keys.reserveCapacity(count)
    }

    @inline(__always)
    mutating func append(_ value: Double, _ key: UInt64) {
        values.append(value)
        keys.append(key)
        isSorted = false
    }

    /// Whether the values are in ascending order (keys moved with them).
    private(set) var isSorted = false

    /// Sorts the values; keys move with them, equal values keep their order.
    mutating func sort() {
        guard !isSorted else { return }
        RadixSort.sort(&values, carrying: &keys)
        isSorted = true
    }

    /// Merges `other`'s sorted samples into these sorted ones, their keys mapped to ours by
    /// `remap`; ties keep ours first. Large merges run on two threads, each writing one half
    /// of the result.
    mutating func mergeSorted(_ other: KeyedSamples, remap: @Sendable (UInt64) -> UInt64) {
        precondition(isSorted && other.isSorted, "merging unsorted samples")
        let n = values.count + other.values.count
        let half = n >= 1 << 16 ? n / 2 : n
        var mergedKeys: [UInt64] = []
        let mergedValues = [Double](unsafeUninitializedCapacity: n) { valuesOut, valueCount in
            mergedKeys = [UInt64](unsafeUninitializedCapacity: n) { keysOut, keyCount in
                values.withUnsafeBufferPointer { mine in
                    keys.withUnsafeBufferPointer { myKeys in
                        other.values.withUnsafeBufferPointer { theirs in
                            other.keys.withUnsafeBufferPointer { theirKeys in
                                let split = Self.mergePath(mine, theirs, at: half)
                                let runs = Runs(
                                    mine: mine, myKeys: myKeys, theirs: theirs, theirKeys: theirKeys, values: valuesOut,
                                    keys: keysOut)
                                // One part (run in place) for a small merge, two otherwise.
                                DispatchQueue.concurrentPerform(iterations: half == n ? 1 : 2) { part in
                                    if part == 0 {
                                        runs.merge(outputs: 0..<half, mine: 0, theirs: 0, remap: remap)
                                    } else {
                                        runs.merge(outputs: half..<n, mine: split, theirs: half - split, remap: remap)
                                    }
                                }
                            }
                        }
                    }
                }
                keyCount = n
            }
            valueCount = n
        }
        values = mergedValues
        keys = mergedKeys
    }

    /// How many of the first `count` merged samples come from `mine` (ties: ours first),
    /// found by binary search (the "merge path" of Odeh, Green, Mwassi, Shmueli and Birk,
    /// "Merge Path — parallel merging made simple", IPDPS 2012).
    static func mergePath(_ mine: UnsafeBufferPointer<Double>, _ theirs: UnsafeBufferPointer<Double>, at count: Int) -> Int {
        var low = max(0, count - theirs.count)
        var high = min(count, mine.count)
        while low < high {
            let middle = (low + high) / 2
            // Ours at `middle` comes before theirs at `count - middle - 1`: more of ours.
            if mine[middle] <= theirs[count - middle - 1] { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Two sorted runs and the arrays they merge into, for threads that each fill a part.
    private struct Runs: @unchecked Sendable {
        let mine: UnsafeBufferPointer<Double>, myKeys: UnsafeBufferPointer<UInt64>
        let theirs: UnsafeBufferPointer<Double>, theirKeys: UnsafeBufferPointer<UInt64>
        let values: UnsafeMutableBufferPointer<Double>, keys: UnsafeMutableBufferPointer<UInt64>

        /// Fills `outputs` by merging from ours at `i` and theirs at `j`.
        func merge(outputs: Range<Int>, mine i: Int, theirs j: Int, remap: (UInt64) -> UInt64) {
            var (i, j) = (i, j)
            for k in outputs {
                if j >= theirs.count || (i < mine.count && mine[i] <= theirs[j]) {
                    values[k] = mine[i]
                    keys[k] = myKeys[i]
                    i += 1
                } else {
                    values[k] = theirs[j]
                    keys[k] = remap(theirKeys[j])
                    j += 1
                }
            }
        }
    }
}

/// Exact percentiles of many groups at once, from one pass over values in ascending order:
/// each group's order statistics are picked out as its samples go by. Percentiles use
/// numpy's linear interpolation between the order statistics ⌊h⌋ and ⌊h⌋ + 1, h = (n − 1)p.
struct OrderStatistics {
    let percentiles: [Double]
    private let counts: [Int]
    /// Per group, where its wanted ranks start in `wanted` and `found`.
    private let starts: [Int]
    /// Every group's wanted ranks, ascending, each group's followed by `Int.max`.
    private let wanted: [Int]
    /// The values found at the wanted ranks (same places as in `wanted`).
    private var found: [Double]
    private var groups: [Progress]

    /// One group's progress through its samples.
    private struct Progress {
        var seen = 0
        /// The next wanted rank, and its place in `wanted`.
        var next: Int
        var place: Int
        var sum = 0.0
    }

    /// `counts[g]` is how many samples group `g` will see.
    init(counts: [Int], percentiles: [Double]) {
        self.percentiles = percentiles
        self.counts = counts
        var starts: [Int] = []
        var wanted: [Int] = []
        for n in counts {
            starts.append(wanted.count)
            let ranks = n > 0 ? percentiles.map { Statistics.Rank(count: n, percentile: $0) } : []
            wanted.append(contentsOf: Set(ranks.flatMap { [$0.lower, $0.upper] }).sorted())
            wanted.append(Int.max)
        }
        self.starts = starts
        self.wanted = wanted
        found = [Double](repeating: 0, count: wanted.count)
        groups = starts.map { Progress(next: wanted[$0], place: $0) }
    }

    /// Takes every sample, in ascending order of value, each of the group `group` gives
    /// for its key.
    mutating func see(_ values: [Double], keys: [UInt64], group: (UInt64) -> Int) {
        precondition(values.count == keys.count, "one key per value")
        let wanted = self.wanted
        wanted.withUnsafeBufferPointer { wanted in
            found.withUnsafeMutableBufferPointer { found in
                groups.withUnsafeMutableBufferPointer { groups in
                    for (value, key) in zip(values, keys) {
                        let g = group(key)
                        precondition(g >= 0 && g < groups.count, "a sample outside every group")
                        var progress = groups[g]
                        if progress.seen == progress.next {
                            found[progress.place] = value
                            progress.place += 1
                            progress.next = wanted[progress.place]
                        }
                        progress.seen += 1
                        progress.sum += value
                        groups[g] = progress
                    }
                }
            }
        }
    }

    /// Whether every group saw as many samples as its count said.
    var sawEverySample: Bool { zip(groups, counts).allSatisfy { $0.seen == $1 } }

    /// The mean of group `group`'s samples (summed in ascending order), once all were seen.
    func mean(of group: Int) -> Double { groups[group].sum / Double(counts[group]) }

    /// Group `group`'s percentiles, once all its samples were seen.
    func percentiles(of group: Int) -> [Double: Double] {
        let n = counts[group]
        guard n > 0 else { return [:] }
        func value(at rank: Int) -> Double {
            var place = starts[group]
            while wanted[place] != rank && wanted[place] != Int.max { place += 1 }
            return wanted[place] == rank ? found[place] : 0
        }
        var result: [Double: Double] = [:]
        for p in percentiles {
            let rank = Statistics.Rank(count: n, percentile: p)
            result[p] = rank.interpolate(value(at: rank.lower), value(at: rank.upper))
        }
        return result
    }
}
