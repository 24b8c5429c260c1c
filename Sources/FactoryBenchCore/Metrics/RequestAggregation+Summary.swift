import Dispatch
import Foundation

/// Building the summary: exact statistics from the sorted samples (or the histograms past
/// the exact limit), the breakdowns, the time series and everything `summary.json` holds.
extension RequestAggregation {
    /// The kept values, for an aggregation made with an unlimited exact limit.
    func samples() -> RequestSamples {
        let names = scanner.strings.strings
        var byNumber = [[Double]](repeating: [], count: operationNumbers.count)
        for (value, packed) in zip(keyedSamples.values, keyedSamples.keys) {
            byNumber[KeyedSamples.Key(packed).operation].append(value)
        }
        var byOperation: [String: [Double]] = [:]
        for (number, values) in byNumber.enumerated() where !values.isEmpty {
            let slot = operationNumbers.slots[number]
            let name = slot > 0 && slot - 1 < names.count ? names[slot - 1] : "request"
            byOperation[name, default: []].append(contentsOf: values)
        }
        let llmSamples = llm.samples
        return RequestSamples(
            latency: keyedSamples.values, operations: byOperation, ttft: llmSamples.ttft, tpot: llmSamples.tpot,
            itl: llmSamples.itl)
    }

    /// Owns a value while another thread works on it.
    private final class ParallelBox<Value>: @unchecked Sendable {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    mutating func summary() -> RunSummary {
        // The latency from the intended start and the binned seconds (all of them once not
        // exact) are finished on another core meanwhile; both are moved out first, so that
        // no array is copied.
        let intended = ParallelBox((fromIntended, lateness))
        fromIntended = LatencyDigest()
        lateness = LatencyDigest()
        let binned = ParallelBox(exact ? [] : seconds.list)
        if !exact { seconds.list = [] }
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            intended.value.0.finish()
            intended.value.1.finish()
            for index in binned.value.indices { binned.value[index].finishPercentiles() }
            finished.signal()
        }
        finishKeyedSamples()
        finished.wait()
        (fromIntended, lateness) = intended.value
        if !exact { seconds.list = binned.value }
        let names = scanner.strings.strings
        func name(_ id: Int) -> String { id >= 0 && id < names.count ? names[id] : "request" }
        func groups(_ source: [Group], label: (Int) -> String) -> [String: OperationSummary] {
            var result: [String: OperationSummary] = [:]
            for (slot, group) in source.enumerated() where group.count > 0 {
                let statistics = group.latency.statistics
                // `count` keeps the old framework's meaning: successful requests.
                var operation = OperationSummary(
                    count: group.count - group.failed, failed: group.failed, avgLatency: statistics?.avg,
                    p50Latency: statistics?.p50,
                    p95Latency: statistics?.p95, p99Latency: statistics?.p99)
                if group.bytesLastEnd.isFinite {
                    operation.bytes = group.bytes
                    operation.megabytesPerSecond = group.megabytesPerSecond
                }
                result[label(slot)] = operation
            }
            return result
        }
        // First start to last end, and at least the longest request, as the old framework
        // took it: records stamped in whole seconds may all share one second.
        let duration = total > 0 ? max(lastEnd - firstStart, latency.statistics?.max ?? 0, 0) : 0
        var errorSummary: [String: Int] = [:]
        for (id, count) in errors {
            errorSummary[id == ScannedRecord.absent ? "unknown error" : name(id), default: 0] += count
        }
        let sorted = latency.sortedValues
        var summary = RunSummary(
            schemaVersion: RunSummary.currentSchemaVersion,
            totalRequests: total,
            successfulRequests: successful,
            failedRequests: total - successful,
            successRate: total > 0 ? Double(successful) / Double(total) * 100 : 0,
            latency: latency.statistics,
            latencyFromIntended: fromIntended.statistics,
            requestsPerSecond: duration > 0 ? Double(total) / duration : 0,
            testDurationSeconds: duration,
            firstTimestamp: total > 0 ? firstStart : nil,
            lastTimestamp: total > 0 ? lastEnd : nil,
            errorSummary: errorSummary,
            httpStatuses: Dictionary(uniqueKeysWithValues: httpStatuses.map { (String($0.key), $0.value) }),
            excludedRequests: ExcludedRequests(warmup: excludedWarmup, cooldown: excludedCooldown),
            operations: groups(operations) { name($0 - 1) },
            queryTypes: groups(queryTypes) { name($0 - 1) },
            clients: Dictionary(
                uniqueKeysWithValues: clients.indices.filter { clients[$0].count > 0 }.map { slot in
                    let (client, statistics) = (clients[slot], clients[slot].latency.statistics)
                    // A client's count is every request it sent.
                    return (
                        clientIDs[slot] == Int.min ? "unknown" : String(clientIDs[slot]),
                        ClientSummary(
                            count: client.count, failed: client.failed, avgLatency: statistics?.avg,
                            p95Latency: statistics?.p95, firstRequest: client.firstStart.isFinite ? client.firstStart : nil)
                    )
                }),
            timeseries: seconds.timeseries(from: firstStart, withTokens: llm.hasTokens, requests: total),
            latencyHistogram: sorted.map { Aggregator.histogram(sorted: $0) } ?? latency.bins(perDecade: 10),
            percentileSpectrum: Aggregator.spectrum(count: latency.count) { latency.percentile($0) },
            llm: llm.summary(durationSeconds: duration, requests: total),
            goodput: goodputLimits.map {
                Goodput(
                    limits: $0, goodRequests: goodRequests, requestsPerSecond: duration > 0 ? Double(goodRequests) / duration : 0)
            },
            percentileMethod: latency.isExact ? Aggregator.exactMethod : Aggregator.histogramMethod,
            stdMethod: Aggregator.stdMethod,
            exactLimit: exactLimit,
            skippedLines: skipped.resolve(blockLines: blockLines))
        summary.loadGenerator = LoadGeneratorSummary(scheduleLateness: lateness.statistics, droppedRequests: dropped)
        // Clients named in their records (the old framework's are not): how far apart they
        // began to send.
        let firstStarts = clients.indices.filter { clientIDs[$0] != Int.min }.map { clients[$0].firstStart }.filter(\.isFinite)
        summary.loadGenerator?.setStartSkew(firstStarts: firstStarts, duration: duration)
        summary.droppedRequests = dropped
        summary.serviceType = serviceType?.name ?? "unknown"
        if summary.llm != nil {
            summary.llm?.peakOutputTokensPerSecond = summary.timeseries.compactMap(\.outputTokens).max().map(Double.init)
        }
        if recallCount > 0 {
            summary.recall = RecallSummary(mean: recallSum / Double(recallCount), min: recallMin, count: recallCount)
        }
        return summary
    }

    /// Drops to histograms whatever holds more values than the exact limit: once shards are
    /// merged, whether a statistic is exact depends on the run's own counts alone, never on
    /// how many shards (cores) read it.
    mutating func enforceExactLimit() {
        if exact && successful > exactLimit { dropToHistograms() }
        llm.enforceExactLimit(exactLimit)
    }

    /// Sorts the keyed samples once scanning is over: each shard does so on its own core,
    /// and merging shards then merges sorted runs.
    mutating func finishScan() {
        guard exact else { return }
        keyedSamples.sort()
    }

    /// Exact percentiles and means of the run and of every breakdown and second, from passes
    /// over the sorted keyed samples on two threads (operations, query types and the run's
    /// sum on another, clients and seconds here). Sums are taken in sorted order, so means
    /// do not depend on how the file was cut into shards. The sorted values go to the run's
    /// digest.
    mutating func finishKeyedSamples() {
        guard exact, !keyedSamples.isEmpty else { return }
        finishScan()
        // Every successful request of a breakdown is among the samples: their counts, by
        // the samples' key numbers, come from the breakdowns' own counts.
        func successes(_ groups: [Group], _ slot: Int) -> Int {
            slot < groups.count ? groups[slot].count - groups[slot].failed : 0
        }
        let operationCounts = operationNumbers.slots.map { successes(operations, $0) }
        // Requests without a query type (slot 0) have no breakdown of their own.
        var queryCounts = queryTypeNumbers.slots.map { $0 > 0 ? successes(queryTypes, $0) : 0 }
        if let none = queryTypeNumbers.slots.firstIndex(of: 0) {
            queryCounts[none] = keyedSamples.values.count - queryCounts.reduce(0, +)
        }
        let clientCounts = clientIDs.indices.map { successes(clients, $0) }
        let secondCounts = seconds.list.map { $0.completed - $0.failed }
        // Breakdowns show only these percentiles (see `groups` in `summary()`); the 0th and
        // 100th are their extremes.
        let samples = keyedSamples
        let byName = ParallelBox(
            (
                OrderStatistics(counts: operationCounts, percentiles: [0, 50, 95, 99, 100]),
                OrderStatistics(counts: queryCounts, percentiles: [0, 50, 95, 99, 100]), 0.0
            ))
        let named = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            byName.value.0.see(samples.values, keys: samples.keys) { KeyedSamples.Key($0).operation }
            byName.value.1.see(samples.values, keys: samples.keys) { KeyedSamples.Key($0).queryType }
            byName.value.2 = samples.values.reduce(0, +)
            named.signal()
        }
        var clientStatistics = OrderStatistics(counts: clientCounts, percentiles: [0, 95, 100])
        var secondStatistics = OrderStatistics(counts: secondCounts, percentiles: [50, 95])
        clientStatistics.see(samples.values, keys: samples.keys) { KeyedSamples.Key($0).client }
        secondStatistics.see(samples.values, keys: samples.keys) { KeyedSamples.Key($0).second }
        named.wait()
        let (operationStatistics, queryStatistics, sum) = byName.value
        precondition(
            [operationStatistics, queryStatistics, clientStatistics, secondStatistics].allSatisfy(\.sawEverySample),
            "breakdown counts differ from their samples")
        for (number, slot) in operationNumbers.slots.enumerated() where operationCounts[number] > 0 {
            operations[slot].latency.finish(
                count: operationCounts[number], percentiles: operationStatistics.percentiles(of: number),
                mean: operationStatistics.mean(of: number))
        }
        for (number, slot) in queryTypeNumbers.slots.enumerated() where slot > 0 && queryCounts[number] > 0 {
            queryTypes[slot].latency.finish(
                count: queryCounts[number], percentiles: queryStatistics.percentiles(of: number),
                mean: queryStatistics.mean(of: number))
        }
        for slot in clients.indices where clientCounts[slot] > 0 {
            clients[slot].latency.finish(
                count: clientCounts[slot], percentiles: clientStatistics.percentiles(of: slot),
                mean: clientStatistics.mean(of: slot))
        }
        for index in seconds.list.indices where secondCounts[index] > 0 {
            let percentiles = secondStatistics.percentiles(of: index)
            seconds.list[index].p50 = percentiles[50]
            seconds.list[index].p95 = percentiles[95]
        }
        // The sample standard deviation in two passes, as numpy computes it.
        let count = samples.values.count
        let mean = sum / Double(count)
        var squares = 0.0
        for value in samples.values { squares += (value - mean) * (value - mean) }
        latency.finish(
            sorted: samples.values, mean: mean, standardDeviation: count > 1 ? (squares / Double(count - 1)).squareRoot() : 0)
        keyedSamples = KeyedSamples()
    }
}
