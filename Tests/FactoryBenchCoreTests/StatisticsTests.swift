import Foundation
import TestSupport
import Testing

@testable import FactoryBenchCore

@Suite struct StatisticsTests {
    struct NumpyReference: Decodable {
        var values: [Double]
        var percentiles: [String: Double]
        var mean: Double
        var std_ddof1: Double
    }

    @Test func percentilesOnExactInputs() {
        let sorted: [Double] = [1, 2, 3, 4]
        #expect(Statistics.percentile(sorted: sorted, 0) == 1)
        #expect(Statistics.percentile(sorted: sorted, 50) == 2.5)
        #expect(Statistics.percentile(sorted: sorted, 100) == 4)
        #expect(Statistics.percentile(sorted: sorted, 25) == 1.75)
        #expect(Statistics.percentile(sorted: [7], 99) == 7)
        #expect(Statistics.percentile(sorted: [], 50) == nil)
    }

    @Test func meanAndSampleStandardDeviationOnExactInputs() {
        #expect(Statistics.mean([2, 4, 4, 4, 5, 5, 7, 9]) == 5)
        // Sum of squared deviations is 32 over 8 values: sample variance 32/7.
        let std = Statistics.sampleStandardDeviation([2, 4, 4, 4, 5, 5, 7, 9]) ?? 0
        #expect(abs(std - (32.0 / 7).squareRoot()) < 1e-12)
        #expect(Statistics.sampleStandardDeviation([3]) == 0)
    }

    @Test func matchesNumpyOnAStoredSample() throws {
        let reference = try JSONDecoder().decode(
            NumpyReference.self, from: Data(contentsOf: Fixtures.url("numpy_percentiles.json")))
        let values = reference.values.sorted()
        let records = reference.values.enumerated().map { index, latency in
            RequestRecord(
                requestID: "\(index)", clientID: 0, serviceType: "x", timestampStart: 1000, timestampEnd: 1000 + latency,
                latencySeconds: latency, success: true)
        }
        let statistics = try #require(try RecordFile.summary(of: records).latency)
        for (key, expected) in reference.percentiles {
            let actual = try #require(Statistics.percentile(sorted: values, Double(key)!))
            #expect(abs(actual - expected) <= 1e-12 * max(1, abs(expected)), "p\(key)")
        }
        #expect(abs(statistics.avg - reference.mean) < 1e-12)
        #expect(abs(statistics.std - reference.std_ddof1) < 1e-12)
        #expect(statistics.p99_9 == Statistics.percentile(sorted: values, 99.9))
        #expect(statistics.count == reference.values.count)
    }
}

/// The three ways of finding order statistics (a sorted array, quickselect, one pass over
/// sorted groups) share one interpolation and agree to the bit, out-of-range percentiles
/// clamped.
@Suite struct PercentileAgreementTests {
    @Test func sortedSelectionAndOrderStatisticsAgree() {
        var generator = SeededGenerator(seed: 7)
        let percentiles: [Double] = [-5, 0, 0.1, 37.3, 50, 95, 99.9, 100, 150]
        for count in [1, 2, 3, 10, 1001] {
            let values = (0..<count).map { _ in Double.random(in: 0.0001...2, using: &generator) }
            let sorted = values.sorted()
            var unsorted = values
            let selected = Selection.percentiles(of: &unsorted, percentiles)
            var ordered = OrderStatistics(counts: [count], percentiles: percentiles)
            ordered.see(sorted, keys: Array(repeating: 0, count: count)) { _ in 0 }
            let grouped = ordered.percentiles(of: 0)
            for p in percentiles {
                let expected = Statistics.percentile(sorted: sorted, p)
                #expect(selected[p] == expected, "quickselect, n=\(count), p=\(p)")
                #expect(grouped[p] == expected, "grouped, n=\(count), p=\(p)")
            }
            #expect(selected[150] == sorted.last && selected[-5] == sorted.first)
        }
    }
}
