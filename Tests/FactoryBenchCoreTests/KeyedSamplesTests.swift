import Testing

@testable import FactoryBenchCore

/// Merging two shards' sorted samples, on one thread for small runs and two for large ones.
@Suite struct KeyedSamplesTests {
    /// Sorted samples of `count` values drawn from `distinct` values (so, many ties), each
    /// keyed by where it came from: `origin` in the high bits, its index in the low ones.
    func samples(count: Int, distinct: Int, origin: UInt64, seed: UInt64) -> KeyedSamples {
        var generator = SeededGenerator(seed: seed)
        var samples = KeyedSamples()
        for index in 0..<count {
            samples.append(Double(Int.random(in: 0..<distinct, using: &generator)) / 1000, origin << 40 | UInt64(index))
        }
        samples.sort()
        return samples
    }

    /// The merge a stable sort gives: ours before theirs on ties, each side in its order.
    func reference(_ mine: KeyedSamples, _ theirs: KeyedSamples, remap: (UInt64) -> UInt64) -> [(Double, UInt64)] {
        let pairs =
            zip(mine.values, mine.keys).map { ($0, $1, 0) }
            + zip(theirs.values, theirs.keys).map { ($0, remap($1), 1) }
        return pairs.enumerated().sorted { a, b in
            (a.element.0, a.element.2, a.offset) < (b.element.0, b.element.2, b.offset)
        }.map { ($0.element.0, $0.element.1) }
    }

    @Test(arguments: [(10, 7), (40_000, 30), (70_000, 50), (100_001, 3), (90_000, 100_000)])
    func mergeKeepsOursFirstOnTiesAndRemapsTheirKeys(count: Int, distinct: Int) {
        let mine = samples(count: count, distinct: distinct, origin: 1, seed: UInt64(count))
        // Uneven sizes move the halves' split away from the middle of either side.
        let theirs = samples(count: count / 3 + 1, distinct: distinct, origin: 2, seed: UInt64(distinct))
        let remap: @Sendable (UInt64) -> UInt64 = { $0 | 1 << 50 }
        let expected = reference(mine, theirs, remap: remap)
        var merged = mine
        merged.mergeSorted(theirs, remap: remap)
        #expect(merged.values.count == expected.count)
        #expect(merged.values == expected.map(\.0))
        #expect(merged.keys == expected.map(\.1))
    }

    @Test func mergePathSplitsWhereASequentialMergeWouldBe() {
        let mine: [Double] = [1, 2, 2, 2, 5, 9]
        let theirs: [Double] = [0, 2, 2, 3, 9, 10]
        // Sequential merge, ours first on ties: 0t 1m 2m 2m 2m 2t 2t 3t 5m 9m 9t 10t.
        let fromMine = [0, 0, 1, 2, 3, 4, 4, 4, 4, 5, 6, 6, 6]
        mine.withUnsafeBufferPointer { mine in
            theirs.withUnsafeBufferPointer { theirs in
                for count in 0...12 {
                    #expect(KeyedSamples.mergePath(mine, theirs, at: count) == fromMine[count], "at \(count)")
                }
            }
        }
    }
}
