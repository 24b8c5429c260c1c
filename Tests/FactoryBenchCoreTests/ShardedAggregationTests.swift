import Foundation
import TestSupport
import Testing

@testable import FactoryBenchCore

/// Files of many blocks are scanned in four shards; results must not depend on that.
@Suite struct ShardedAggregationTests {
    /// About 20 MB: blocks of 4 MB land in every shard.
    func bigFile(lines: Int, extra: [Int: String], in directory: TemporaryDirectory) throws -> (URL, [Double]) {
        var text = ""
        text.reserveCapacity(lines * 260)
        var latencies: [Double] = []
        for index in 0..<lines {
            if let line = extra[index] {
                text += line + "\n"
                continue
            }
            let latency = Double((index * 7919) % 100_000 + 1) / 1e7
            latencies.append(latency)
            let start = 1_700_000_000 + Double(index) / 1000
            text +=
                #"{"request_id":"r\#(index)","client_id":\#(index % 5),"service_type":"sqlite","timestamp_start":\#(start),"#
                + #""timestamp_end":\#(start + latency),"latency_s":\#(latency),"success":true,"operation_type":"op\#(index % 3)","#
                + #""padding":"\#(String(repeating: "p", count: 60))"}"# + "\n"
        }
        return (try directory.write("big.jsonl", text), latencies)
    }

    /// One shard per core: the summary must be the same, to the last bit, on every machine.
    @Test func theSummaryDoesNotDependOnTheNumberOfShards() throws {
        let directory = try TemporaryDirectory()
        let (file, _) = try bigFile(lines: 100_000, extra: [5: "garbage", 60_000: #"{"latency_s": -1}"#], in: directory)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let summaries = try [1, 2, 3, 5, 8].map { shards in
            var aggregation = try Aggregator.aggregation(
                files: [file], exactLimit: Aggregator.defaultExactLimit, goodput: nil, shardCount: shards)
            return try encoder.encode(aggregation.summary())
        }
        #expect(Set(summaries).count == 1)
        let summary = try JSONDecoder().decode(RunSummary.self, from: summaries[0])
        #expect(summary.totalRequests == 99_998)
        #expect(summary.skippedLines.total == 2)
    }

    @Test func shardsGiveTheSameNumbersAsOneSortAndTheRightLineNumbers() throws {
        let directory = try TemporaryDirectory()
        let (file, latencies) = try bigFile(lines: 100_000, extra: [70_000: "garbage"], in: directory)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int)
        #expect(size > 5 * (4 << 20), "the file must span more blocks than there are shards")
        let summary = try Aggregator.aggregate(files: [file])
        let sorted = latencies.sorted()
        let latency = try #require(summary.latency)
        #expect(summary.totalRequests == latencies.count)
        #expect(latency.p50 == Statistics.percentile(sorted: sorted, 50))
        #expect(latency.p99 == Statistics.percentile(sorted: sorted, 99))
        #expect(latency.max == sorted.last)
        #expect(abs(latency.avg - latencies.reduce(0, +) / Double(latencies.count)) < 1e-15)
        // Each shard's spread, combined (Chan, Golub and LeVeque), is that of all the values.
        #expect(abs(latency.std - (try #require(Statistics.sampleStandardDeviation(latencies)))) < 1e-15)
        #expect(summary.skippedLines.examples == [SkippedLine(file: "big.jsonl", line: 70_001, reason: "not a JSON object")])
        #expect(summary.operations.keys.sorted() == ["op0", "op1", "op2"])
        #expect(summary.clients.count == 5)
        #expect(summary.timeseries.map(\.completed).reduce(0, +) == latencies.count)
        // The same records in one in-memory aggregation agree on every percentile.
        #expect(summary.percentileMethod.hasPrefix("exact"))
    }

    /// A shard that saw only failed requests brings seconds and clients but no samples:
    /// the merged run's exact statistics must make room for them.
    @Test func aShardWithOnlyFailuresMergesIntoAnExactRun() throws {
        let directory = try TemporaryDirectory()
        func line(_ index: Int, client: Int, success: Bool, start: Double) -> String {
            #"{"request_id":"r\#(index)","client_id":\#(client),"timestamp_start":\#(start),"#
                + #""timestamp_end":\#(start + 0.01),"latency_s":0.01,"success":\#(success),"operation_type":"op"}"#
        }
        let good = (0..<200).map { line($0, client: $0 % 3, success: true, start: 1_700_000_000 + Double($0) / 100) }
        let failed = (0..<50).map { line(1000 + $0, client: 9, success: false, start: 1_700_000_010 + Double($0)) }
        let files = [
            try directory.write("good.jsonl", good.joined(separator: "\n") + "\n"),
            try directory.write("failed.jsonl", failed.joined(separator: "\n") + "\n"),
        ]
        let summary = try Aggregator.aggregate(files: files)
        #expect(summary.totalRequests == 250)
        #expect(summary.failedRequests == 50)
        #expect(summary.latency?.p50 == 0.01)
        #expect(summary.clients["9"]?.failed == 50)
        #expect(summary.clients["0"]?.p95Latency == 0.01)
        #expect(summary.timeseries.count == 60)
        #expect(summary.timeseries.last?.p50Latency == nil)
        #expect(summary.timeseries.first?.p50Latency == 0.01)
    }

    @Test func aDuplicateInAnotherShardIsSkippedExactlyOnce() throws {
        let directory = try TemporaryDirectory()
        let duplicate =
            #"{"request_id":"dup","client_id":1,"timestamp_start":1700000000.5,"timestamp_end":1700000000.75,"latency_s":0.25,"success":true}"#
        let (file, latencies) = try bigFile(lines: 100_000, extra: [10: duplicate, 90_000: duplicate], in: directory)
        let summary = try Aggregator.aggregate(files: [file])
        #expect(summary.totalRequests == latencies.count + 1)
        #expect(summary.skippedLines.total == 1)
        #expect(
            summary.skippedLines.examples == [
                SkippedLine(
                    file: "big.jsonl", line: 90_001, reason: "duplicate request (same request_id, client_id and timestamp_start)")
            ])
        #expect(summary.latency?.max == 0.25)
    }

    /// Every breakdown's exact percentiles (from the one sort of keyed samples) equal those of
    /// its own subset sorted alone; past the exact limit (dropped to histograms while shards
    /// are still reading) they stay within the histograms' 0.1 %.
    @Test func breakdownPercentilesMatchEachSubsetSortedAlone() throws {
        let directory = try TemporaryDirectory()
        let (file, latencies) = try bigFile(lines: 100_000, extra: [:], in: directory)
        var byOperation: [String: [Double]] = [:]
        var byClient: [String: [Double]] = [:]
        var bySecond: [Int: [Double]] = [:]
        for (index, latency) in latencies.enumerated() {
            byOperation["op\(index % 3)", default: []].append(latency)
            byClient["\(index % 5)", default: []].append(latency)
            let end = 1_700_000_000 + Double(index) / 1000 + latency
            bySecond[Int(end.rounded(.down)) - 1_700_000_000, default: []].append(latency)
        }
        let exact = try Aggregator.aggregate(files: [file])
        let approximate = try Aggregator.aggregate(files: [file], exactLimit: 30_000)
        #expect(approximate.percentileMethod.hasPrefix("HdrHistogram"))
        for (name, values) in byOperation {
            let sorted = values.sorted()
            let operation = try #require(exact.operations[name])
            #expect(operation.p50Latency == Statistics.percentile(sorted: sorted, 50), "\(name)")
            #expect(operation.p95Latency == Statistics.percentile(sorted: sorted, 95), "\(name)")
            #expect(operation.p99Latency == Statistics.percentile(sorted: sorted, 99), "\(name)")
            // Summed in shard order, not file order: equal to the last bits.
            let mean = values.reduce(0, +) / Double(values.count)
            #expect(abs(try #require(operation.avgLatency) - mean) < 1e-15, "\(name)")
            let binned = try #require(approximate.operations[name])
            #expect(binned.count == operation.count)
            for (a, e) in [(binned.p50Latency, operation.p50Latency), (binned.p99Latency, operation.p99Latency)] {
                let (a, e) = (try #require(a), try #require(e))
                #expect(abs(a - e) <= e * 0.0011, "\(name): \(a) vs \(e)")
            }
        }
        for (name, values) in byClient {
            #expect(exact.clients[name]?.p95Latency == Statistics.percentile(sorted: values.sorted(), 95), "client \(name)")
            #expect(approximate.clients[name]?.count == values.count)
        }
        for point in exact.timeseries {
            let sorted = (bySecond[point.second] ?? []).sorted()
            #expect(point.p50Latency == Statistics.percentile(sorted: sorted, 50), "second \(point.second)")
            #expect(point.p95Latency == Statistics.percentile(sorted: sorted, 95), "second \(point.second)")
        }
        #expect(approximate.timeseries.map(\.completed) == exact.timeseries.map(\.completed))
        // Binned seconds give bin midpoints (±2.3 %) at the nearest rank; numpy interpolates.
        for (binned, point) in zip(approximate.timeseries, exact.timeseries) where point.completed > 100 {
            for (a, e) in [(binned.p50Latency, point.p50Latency), (binned.p95Latency, point.p95Latency)] {
                let (a, e) = (try #require(a), try #require(e))
                #expect(abs(a - e) <= e * 0.05, "second \(point.second): \(a) vs \(e)")
            }
        }
    }
}

/// Whether a statistic is exact depends on the run's own counts, never on the cores that
/// read it, and each statistic says how its percentiles were made.
@Suite struct ExactLimitTests {
    @Test func exactnessDependsOnTheCountNotOnTheShards() throws {
        let directory = try TemporaryDirectory()
        let (file, latencies) = try ShardedAggregationTests().bigFile(lines: 100_000, extra: [:], in: directory)
        for shards in [1, 2, 3, 5, 8] {
            for (limit, method) in [(latencies.count, "exact"), (latencies.count - 1, "histogram")] {
                var aggregation = try Aggregator.aggregation(
                    files: [file], exactLimit: limit, goodput: nil, shardCount: shards)
                let summary = aggregation.summary()
                #expect(summary.latency?.percentileMethod == method, "\(shards) shards, limit \(limit)")
                #expect(summary.percentileMethod == (method == "exact" ? Aggregator.exactMethod : Aggregator.histogramMethod))
            }
        }
    }

    @Test func itlStatesItsOwnMethod() throws {
        let directory = try TemporaryDirectory()
        var text = ""
        for index in 0..<100 {
            let start = 1_700_000_000 + Double(index)
            text +=
                #"{"request_id":"r\#(index)","timestamp_start":\#(start),"timestamp_end":\#(start + 0.5),"latency_s":0.5,"#
                + #""success":true,"ttft_s":0.1,"output_tokens":5,"itl_s":[0.1,0.1,0.1,0.1]}"# + "\n"
        }
        let file = try directory.write("llm.jsonl", text)
        // 100 requests fit a limit of 200; their 400 gaps do not.
        let summary = try Aggregator.aggregate(files: [file], exactLimit: 200)
        #expect(summary.latency?.percentileMethod == "exact")
        #expect(summary.llm?.ttft?.percentileMethod == "exact")
        #expect(summary.llm?.itl?.percentileMethod == "histogram")
        #expect(summary.llm?.itl?.count == 400)
    }
}
