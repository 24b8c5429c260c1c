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

    /// Object stores: bytes of the successful requests, and MB/s over the span of the
    /// operation's requests, in both the exact and the histogram paths.
    @Test func bytesGiveMegabytesPerSecondPerOperation() throws {
        func moved(_ id: Int, start: Double, bytes: Int, success: Bool = true, operation: String = "get") -> RequestRecord {
            var record = record(
                id, start: start, latency: 0.5, success: success, operation: operation, error: success ? nil : "x")
            record.bytes = bytes
            return record
        }
        let records = [
            moved(0, start: 100, bytes: 2_000_000), moved(1, start: 101, bytes: 2_000_000),
            moved(2, start: 102.5, bytes: 2_000_000, success: false), moved(3, start: 103, bytes: 1_000_000, operation: "put"),
            record(4, start: 103, latency: 0.1, operation: "delete"),
        ]
        for limit in [Aggregator.defaultExactLimit, 1] {
            let summary = try RecordFile.summary(of: records, exactLimit: limit)
            let get = try #require(summary.operations["get"])
            // 4 MB moved by the successful GETs, from 100 to the failed one's end at 103.
            #expect(get.bytes == 4_000_000)
            #expect(abs((get.megabytesPerSecond ?? 0) - 4.0 / 3.0) < 1e-9)
            #expect(summary.operations["put"]?.bytes == 1_000_000 && summary.operations["put"]?.megabytesPerSecond == 2)
            #expect(summary.operations["delete"]?.bytes == nil && summary.operations["delete"]?.megabytesPerSecond == nil)
        }
    }

    @Test func countsRatesAndLatenciesOverSuccessfulRequests() throws {
        let records = [
            record(0, start: 100.0, latency: 0.1),
            record(1, start: 100.2, latency: 0.2, operation: "write", client: 1),
            record(2, start: 100.5, latency: 0.3),
            record(3, start: 101.5, latency: 5.0, success: false, client: 1, error: "boom"),
            record(4, start: 101.7, latency: 0.3, operation: "write"),
        ]
        let summary = try RecordFile.summary(of: records)
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
        // `count`: successful requests, as the old framework counted them.
        #expect(summary.operations["read"]?.count == 2)
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
        let summary = RunSummary.empty
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

    /// Bins are counted by binary search over the sorted values: each holds exactly the
    /// values whose own bin (⌊10·log10 v⌋) it is, bin edges and zeros included.
    @Test func histogramCountsMatchEachValuesOwnBin() {
        var generator = TestSeed.generator(for: "histogramCountsMatchEachValuesOwnBin")
        var values = (0..<20_000).map { _ in pow(10, Double.random(in: -7...2, using: &generator)) }
        values += (-70...20).map { pow(10, Double($0) / 10) } + [0, 0, 1e-12, 0.001, 0.001, 0.01]
        values.sort()
        let bins = Aggregator.histogram(sorted: values)
        let first = Int((log10(max(values[0], 1e-9)) * 10).rounded(.down))
        var expected = [Int](repeating: 0, count: bins.count)
        for value in values { expected[Int((log10(max(value, 1e-9)) * 10).rounded(.down)) - first] += 1 }
        #expect(bins.map(\.count) == expected, "seed \(TestSeed.seed)")
    }

    @Test func summaryJSONUsesTheSeedKeys() throws {
        let summary = try RecordFile.summary(of: [record(0, start: 1, latency: 0.5)])
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

@Suite struct AggregatorReferenceTests {
    struct NumpyReference: Decodable {
        var values: [Double]
        var percentiles: [String: Double]
        var mean: Double
        var std_ddof1: Double
    }

    /// The stored numpy sample written as a request file, every 7th request failed.
    func referenceFile(in directory: TemporaryDirectory) throws -> (URL, NumpyReference) {
        let reference = try JSONDecoder().decode(
            NumpyReference.self, from: Data(contentsOf: Fixtures.url("numpy_percentiles.json")))
        var text = #"{"benchmark_id": "numpy", "service_type": "sqlite", "test_start": 1700000000}"# + "\n"
        for (index, value) in reference.values.enumerated() {
            let start = 1_700_000_000 + Double(index) * 0.01
            var record = JSONLine()
            record.add("request_id", "r\(index)")
            record.add("client_id", index % 3)
            record.add("timestamp_start", start, decimals: 6)
            record.add("timestamp_end", start + value, decimals: 6)
            record.add("latency_s", value, decimals: 9)
            record.add("success", true)
            record.add("operation_type", index % 2 == 0 ? "even" : "odd")
            text += String(decoding: record.finished(), as: UTF8.self)
            if index % 7 == 0 {
                text +=
                    #"{"request_id": "f\#(index)", "timestamp_start": \#(start), "timestamp_end": \#(start), "latency_s": 0, "success": false, "error": "boom"}"#
                    + "\n"
            }
        }
        return (try directory.write("numpy.jsonl", text), reference)
    }

    @Test func fileAggregationMatchesNumpy() throws {
        let directory = try TemporaryDirectory()
        let (file, reference) = try referenceFile(in: directory)
        let summary = try Aggregator.aggregate(files: [file])
        let latency = try #require(summary.latency)
        #expect(summary.successfulRequests == reference.values.count)
        #expect(summary.failedRequests == (reference.values.count + 6) / 7)
        #expect(summary.percentileMethod.hasPrefix("exact"))
        let expected = reference.percentiles
        for (p, actual) in [
            ("50", latency.p50), ("90", latency.p90), ("95", latency.p95), ("99", latency.p99), ("99.9", latency.p99_9),
        ] {
            #expect(abs(actual - expected[p]!) <= 1e-12, "p\(p)")
        }
        #expect(latency.min == expected["0"])
        #expect(latency.max == expected["100"])
        #expect(abs(latency.avg - reference.mean) < 1e-12)
        #expect(abs(latency.std - reference.std_ddof1) < 1e-12)
        // The per-operation numbers, by selection rather than sorting, agree with a sort.
        let even = reference.values.enumerated().filter { $0.offset % 2 == 0 }.map(\.element).sorted()
        let operation = try #require(summary.operations["even"])
        #expect(operation.p95Latency == Statistics.percentile(sorted: even, 95))
        #expect(operation.p50Latency == Statistics.percentile(sorted: even, 50))
        #expect(operation.failed == 0)
        // The failed records carry no client_id.
        #expect(summary.clients.keys.sorted() == ["0", "1", "2", "unknown"])
        #expect(summary.clients["unknown"]?.failed == summary.failedRequests)
    }

    @Test func pastTheExactLimitHistogramsKeepPercentilesWithinAThousandth() throws {
        let directory = try TemporaryDirectory()
        let (file, reference) = try referenceFile(in: directory)
        let exact = try Aggregator.aggregate(files: [file])
        let approximate = try Aggregator.aggregate(files: [file], exactLimit: 100)
        #expect(approximate.percentileMethod.hasPrefix("HdrHistogram"))
        #expect(approximate.exactLimit == 100)
        let a = try #require(approximate.latency)
        let e = try #require(exact.latency)
        #expect(a.count == e.count)
        #expect(a.min == e.min)
        #expect(a.max == e.max)
        #expect(abs(a.avg - e.avg) < 1e-12)
        #expect(abs(a.std - e.std) < 1e-12)
        // HdrHistogram with 3 significant digits reports the top of a value's bucket; numpy
        // interpolates. Both stay within the neighbouring sample values' 0.1 %.
        let sorted = reference.values.sorted()
        for (p, value) in [(50.0, a.p50), (95, a.p95), (99, a.p99)] {
            let rank = Int((Double(sorted.count - 1) * p / 100).rounded(.down))
            #expect(value >= sorted[rank] * 0.999 && value <= sorted[min(rank + 1, sorted.count - 1)] * 1.001, "p\(p)")
        }
        #expect(approximate.latencyHistogram.map(\.count).reduce(0, +) == reference.values.count)
        #expect(approximate.timeseries.map(\.completed) == exact.timeseries.map(\.completed))
    }

    @Test func oneRequestAndAllFailed() throws {
        let one = try RecordFile.summary(of: [
            RequestRecord(
                requestID: "1", clientID: 0, serviceType: "x", timestampStart: 10, timestampEnd: 10.25,
                latencySeconds: 0.25, success: true)
        ])
        #expect(
            one.latency
                == LatencyStatistics(
                    count: 1, avg: 0.25, min: 0.25, max: 0.25, std: 0, p50: 0.25, p90: 0.25, p95: 0.25, p99: 0.25, p99_9: 0.25,
                    percentileMethod: "exact"))
        #expect(one.percentileSpectrum.map(\.percentile) == [0])
        let failed = try RecordFile.summary(
            of: (0..<3).map {
                RequestRecord(
                    requestID: "\($0)", clientID: 0, serviceType: "x", timestampStart: 10, timestampEnd: 11,
                    latencySeconds: 1, success: false, error: "down")
            })
        #expect(failed.latency == nil)
        #expect(failed.successRate == 0)
        #expect(failed.errorSummary == ["down": 3])
        #expect(failed.latencyHistogram.isEmpty)
        #expect(failed.timeseries.map(\.failed) == [0, 3])

        let anonymous = try RecordFile.summary(of: [
            RequestRecord(
                requestID: "1", clientID: nil, serviceType: "x", timestampStart: 10, timestampEnd: 11,
                latencySeconds: 1, success: true)
        ])
        #expect(anonymous.clients.keys.sorted() == ["unknown"])
    }
}
