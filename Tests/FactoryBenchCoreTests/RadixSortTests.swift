import Foundation
import Testing

@testable import FactoryBenchCore

/// The radix sort of latencies against a stable comparison sort, on sizes from none to
/// 100,000 and on shapes that skip different byte passes (those every value shares).
@Suite struct RadixSortTests {
    enum Shape: CaseIterable {
        /// Latencies from 10 µs to 1 s, log-uniform: many buckets.
        case spread
        /// Within one sixteenth of a binade: the top two bytes are the same for all.
        case narrow
        /// A few distinct values: ties everywhere and bytes every value shares.
        case fewDistinct
        /// 3,000 distinct values over eleven decades: ties among values of every size.
        case manyTies
        /// Zeros (+0 and −0), subnormals, whole numbers and the largest finite value.
        case edges
    }

    func values(_ shape: Shape, count: Int, generator: inout SeededGenerator) -> [Double] {
        (0..<count).map { _ in
            switch shape {
            case .spread: return pow(10, Double.random(in: -5...0, using: &generator))
            case .narrow: return 0.001 + Double.random(in: 0..<0.00003, using: &generator)
            case .fewDistinct: return [0.25, 0.5, 0.125, 3, 0.0001][Int.random(in: 0..<5, using: &generator)]
            case .manyTies: return pow(10, Double(Int.random(in: 0..<3000, using: &generator)) / 3000 * 11 - 8)
            case .edges:
                return [
                    0, -0.0, Double.leastNonzeroMagnitude, Double.leastNonzeroMagnitude * 3, 1, 2, 86_400,
                    .greatestFiniteMagnitude,
                ][
                    Int.random(in: 0..<8, using: &generator)]
            }
        }
    }

    @Test(arguments: Shape.allCases, [0, 1, 2, 63, 64, 65, 1000, 16_383, 20_000, 100_000])
    func sortsLikeAStableSortAndCarriesThePayload(shape: Shape, count: Int) {
        var generator = SeededGenerator(seed: UInt64(count) &* 31 &+ UInt64(Shape.allCases.firstIndex(of: shape)!))
        var sorted = values(shape, count: count, generator: &generator)
        let original = sorted
        var payload = (0..<count).map { UInt64($0) }
        RadixSort.sort(&sorted, carrying: &payload)
        // -0 sorts as +0 and comes out as +0.
        let expected = original.enumerated().map { ($0.element + 0.0, $0.offset) }.sorted { $0 < $1 }
        // The first difference only: a failing comparison of whole arrays takes minutes to print.
        let wrong = (0..<count).first {
            sorted[$0].bitPattern != expected[$0].0.bitPattern || payload[$0] != UInt64(expected[$0].1)
        }
        #expect(wrong == nil, "from \(wrong ?? 0): \(sorted[(wrong ?? 0)...].prefix(3)) \(payload[(wrong ?? 0)...].prefix(3))")
    }
}
