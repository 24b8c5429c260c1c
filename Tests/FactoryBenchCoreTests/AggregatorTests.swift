import Foundation
import TestSupport
import Testing

@testable import FactoryBenchCore

@Suite struct AggregatorTests {
    func record(
        _ id: Int, start: Double, latency: Double, success: Bool = true, operation: String = "read", client: Int = 0,
        error: String? = nil
    ) -> RequestRecord {
        RequestRecord(
            requestID: "r\(id)", clientID: client, serviceType: "sqlite", timestampStart: start,
            timestampEnd: start + latency, latencySeconds: latency, success: success, error: error,
            operationType: operation)
    }

    @Test func countsRatesAndLatenciesOverSuccessfulRequests() throws {
        let records = [
            record(0, start: 100.0, latency: 0.1),
            record(1, start: 100.2, latency: 0.2, operation: "write", client: 1),
            record(2, start: 100.5, latency: 0.3),
            record(3, start: 101.5, latency: 5.0, success: false, client: 1, error: "boom"),
            record(4, start: 101.7, latency: 0.3, operation: "write"),
        ]
        let summary = Aggregator.summarize(records)
        #expect(summary.totalRequests == 5)
        #expect(summary.successfulRequests == 4)
        #expect(summary.failedRequests == 1)
        #expect(summary.successRate == 80)
        let latency = try #require(summary.latency)
        #expect(latency.count == 4)
        #expect(latency.min == 0.1)
        #expect(latency.max == 0.3)
        #expect(abs(latency.avg - 0.225) < 1e-12)
        #expect(abs(latency.p50 - 0.25) < 1e-12)
        // First start 100.0, last end 101.5 + 5.0.
        #expect(abs(summary.testDurationSeconds - 6.5) < 1e-9)
        #expect(abs(summary.requestsPerSecond - 5 / 6.5) < 1e-9)
        #expect(summary.errorSummary == ["boom": 1])
        #expect(summary.operations["read"]?.count == 3)
        #expect(summary.operations["read"]?.failed == 1)
        #expect(summary.operations["write"]?.count == 2)
        #expect(summary.operations["write"]?.p95Latency.map { abs($0 - 0.295) < 1e-12 } == true)
        #expect(summary.clients["1"]?.count == 2)
        #expect(summary.timeseries.count == 7)
        // Ends at 100.1, 100.4, 100.8 | none | 102.0 | ... | 106.5 (failed), from 100.0.
        #expect(summary.timeseries[0].completed == 3)
        #expect(summary.timeseries[0].second == 0)
        #expect(summary.timeseries[1].completed == 0)
        #expect(summary.timeseries[2].completed == 1)
        #expect(summary.timeseries[6].completed == 1)
        #expect(summary.timeseries[6].failed == 1)
        #expect(summary.timeseries.map(\.completed).reduce(0, +) == 5)
        #expect(summary.latencyHistogram.map(\.count).reduce(0, +) == 4)
        #expect(summary.percentileSpectrum.first?.latency == 0.1)
    }

    @Test func emptyInputGivesAnEmptySummary() {
        let summary = Aggregator.summarize([])
        #expect(summary.totalRequests == 0)
        #expect(summary.latency == nil)
        #expect(summary.timeseries.isEmpty)
        #expect(summary.requestsPerSecond == 0)
    }

    @Test func histogramBinsAreLogSpacedAndHoldEveryValue() {
        let values = [0.0001, 0.00015, 0.001, 0.0099, 0.01, 0.5].sorted()
        let bins = Aggregator.histogram(sorted: values)
        #expect(bins.map(\.count).reduce(0, +) == values.count)
        for value in values {
            let slack = 1 + 1e-12
            let holders = bins.filter { (bin: HistogramBin) -> Bool in
                bin.lower <= value * slack && value < bin.upper * slack
            }
            #expect(!holders.isEmpty, "\(value)")
        }
        #expect(abs(bins[0].upper / bins[0].lower - pow(10, 0.1)) < 1e-9)
    }

    @Test func summaryJSONUsesTheSeedKeys() throws {
        let summary = Aggregator.summarize([record(0, start: 1, latency: 0.5)])
        let json = try #require(
            try JSONSerialization.jsonObject(with: AtomicFile.encodeJSON(summary)) as? [String: Any])
        for key in [
            "total_requests", "successful_requests", "failed_requests", "success_rate", "latency_s",
            "requests_per_second", "test_duration_s", "error_summary", "operations", "timeseries",
        ] {
            #expect(json[key] != nil, "\(key)")
        }
        let latency = try #require(json["latency_s"] as? [String: Any])
        for key in ["avg", "min", "max", "std", "p50", "p90", "p95", "p99"] {
            #expect(latency[key] != nil, "latency_s.\(key)")
        }
        let operation = try #require((json["operations"] as? [String: Any])?["read"] as? [String: Any])
        #expect(operation["count"] as? Int == 1)
        #expect(operation["avg_latency"] as? Double == 0.5)
        #expect(operation["p95_latency"] as? Double == 0.5)
    }
}
