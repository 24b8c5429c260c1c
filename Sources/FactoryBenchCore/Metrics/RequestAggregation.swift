import Dispatch
import Foundation

/// The running state of one aggregation: every record is folded in as it is scanned, so
/// memory depends on the exact limit and the run's length in seconds, not on its records.
struct RequestAggregation {
    /// Successful requests up to which this aggregation keeps every latency.
    var exactLimit: Int
    /// When set, requests within these limits are counted for goodput.
    var goodputLimits: GoodputLimits?
    private var goodRequests = 0
    var scanner = RequestLineScanner()
    private var skipped = SkippedLedger()
    /// Lines in each block, to turn block-relative line numbers into file ones.
    private var blockLines: [BlockPosition: Int] = [:]

    private var total = 0
    private var successful = 0
    private var excludedWarmup = 0
    private var dropped = 0
    private var recallSum = 0.0
    private var recallCount = 0
    private var recallMin = Double.infinity
    private var excludedCooldown = 0
    private var firstStart = Double.infinity
    private var lastEnd = -Double.infinity
    private var latency = LatencyDigest()
    private var fromIntended = LatencyDigest()
    /// Indexed by interned string id + 1 (slot 0: none given).
    private var operations: [Group] = []
    private var queryTypes: [Group] = []
    private var clients: [Group] = []
    private var clientSlots: [Int: Int] = [:]
    private var clientIDs: [Int] = []
    private var lastClient: (id: Int, slot: Int)?
    private var errors: [Int: Int] = [:]
    private var httpStatuses: [Int: Int] = [:]
    private var seconds: [Int: SecondBucket] = [:]
    private var lastSecond = Int.min
    private var lastBucket = SecondBucket()
    private var exact = true
    private var seen: [Int: DuplicateFilter] = [:]
    private var lastSeen = (second: Int.min, filter: DuplicateFilter())
    private var remembered = 0
    private var llm = LLMAccumulator()
    private var record = ScannedRecord()

    init(exactLimit: Int) {
        self.exactLimit = exactLimit
        llm.exactLimit = exactLimit
    }

    /// Counts and latencies of a subset of the records.
    struct Group {
        var count = 0
        var failed = 0
        var latency = LatencyDigest()

        mutating func merge(_ other: Group) {
            count += other.count
            failed += other.failed
            latency.merge(other.latency)
        }
    }

    /// Requests that ended within one wall-clock second.
    final class SecondBucket {
        var completed = 0
        var failed = 0
        var busySeconds = 0.0
        var outputTokens = 0
        var exactLatencies: [Double] = []
        var bins: LogBins?

        func add(latency: Double) {
            if bins == nil { exactLatencies.append(latency) } else { bins!.add(latency) }
        }

        func merge(_ other: SecondBucket) {
            completed += other.completed
            failed += other.failed
            busySeconds += other.busySeconds
            outputTokens += other.outputTokens
            if bins == nil && other.bins == nil {
                exactLatencies.append(contentsOf: other.exactLatencies)
            } else {
                dropToBins()
                var copy = other.bins ?? LogBins()
                if other.bins == nil { for value in other.exactLatencies { copy.add(value) } }
                bins!.merge(copy)
            }
        }

        /// The second's median and 95th percentile, set by `finishPercentiles()`.
        private(set) var p50: Double?
        private(set) var p95: Double?

        func finishPercentiles() {
            if let bins {
                p50 = bins.percentile(50)
                p95 = bins.percentile(95)
            } else {
                let selected = Selection.percentiles(of: &exactLatencies, [50, 95])
                p50 = selected[50]
                p95 = selected[95]
            }
        }

        func dropToBins() {
            guard bins == nil else { return }
            var fresh = LogBins()
            for value in exactLatencies { fresh.add(value) }
            bins = fresh
            exactLatencies = []
        }
    }

    // MARK: - Input

    /// Folds in one scanned block of a file; blocks of a file may come to different
    /// aggregations (shards), but each aggregation must get its blocks in file order.
    mutating func add(block: ParsedBlock, at position: BlockPosition, file: String) {
        blockLines[position] = block.lineCount
        // The block's string ids → ours.
        let ids = block.strings.map { scanner.strings.intern($0) }
        var problems = block.problems.makeIterator()
        var nextProblem = problems.next()
        var itlOffset = 0
        for var record in block.records {
            if record.operation >= 0 { record.operation = ids[record.operation] }
            if record.queryType >= 0 { record.queryType = ids[record.queryType] }
            if record.error >= 0 { record.error = ids[record.error] }
            let itl = block.itl[itlOffset..<(itlOffset + record.itlCount)]
            itlOffset += record.itlCount
            // Keep skipped lines in file order: report problems that came before this record.
            while let problem = nextProblem, problem.line < record.line {
                skipped.add(problem.reason, file: file, at: position, line: problem.line)
                nextProblem = problems.next()
            }
            if let reason = add(scanned: record, itl: itl) {
                skipped.add(reason, file: file, at: position, line: record.line)
            }
        }
        while let problem = nextProblem {
            skipped.add(problem.reason, file: file, at: position, line: problem.line)
            nextProblem = problems.next()
        }
    }

    /// Adds a record built in memory (tests, other tools' records).
    mutating func add(_ request: RequestRecord) {
        var scanned = ScannedRecord()
        scanned.timestampStart = request.timestampStart
        scanned.timestampEnd = request.timestampEnd
        scanned.latency = request.latencySeconds
        scanned.success = request.success
        scanned.clientID = request.clientID
        scanned.operation = request.operationType.map { scanner.strings.intern($0) } ?? ScannedRecord.absent
        scanned.queryType = request.queryType.map { scanner.strings.intern($0) } ?? ScannedRecord.absent
        scanned.error = request.error.map { scanner.strings.intern($0) } ?? ScannedRecord.absent
        scanned.httpStatus = request.httpStatus ?? ScannedRecord.absent
        scanned.requestIDHash = RequestLineScanner.hash(request.requestID)
        scanned.hasRequestID = true
        _ = add(scanned: scanned, itl: [])
    }

    /// Folds one well-formed record in; returns why it was skipped, if it was.
    private mutating func add(scanned record: ScannedRecord, itl: ArraySlice<Double>) -> String? {
        if record.hasRequestID {
            // A duplicate is the same request logged twice: same id, client and start.
            var key = record.requestIDHash ^ UInt64(bitPattern: Int64(record.clientID ?? -1)) &* 0x9E37_79B9_7F4A_7C15
            key ^= record.timestampStart.bitPattern &* 0xC2B2_AE3D_27D4_EB4F
            // The first `exactLimit` records are remembered (later ones are still checked
            // against them), so memory stays bounded on huge runs.
            if filter(forSecond: Int(record.timestampStart.rounded(.down))).isDuplicate(key, remember: remembered < exactLimit) {
                return "duplicate request (same request_id, client_id and timestamp_start)"
            }
            remembered += 1
        }
        switch record.phase {
        case .warmup:
            excludedWarmup += 1
            return nil
        case .cooldown:
            excludedCooldown += 1
            return nil
        case .measured:
            break
        }
        let success = record.success ?? false
        total += 1
        firstStart = min(firstStart, record.timestampStart)
        lastEnd = max(lastEnd, record.timestampEnd)
        if success {
            successful += 1
            latency.add(record.latency)
            if let goodputLimits, goodputLimits.admits(record) { goodRequests += 1 }
            if record.timestampIntended.isFinite {
                fromIntended.add(max(record.timestampEnd - record.timestampIntended, record.latency))
            }
            if record.recall.isFinite {
                recallSum += record.recall
                recallCount += 1
                recallMin = min(recallMin, record.recall)
            }
        } else {
            errors[record.error, default: 0] += 1
            if record.dropped { dropped += 1 }
        }
        if record.httpStatus >= 0 { httpStatuses[record.httpStatus, default: 0] += 1 }
        Self.add(record, success: success, to: &operations, at: record.operation + 1, exact: exact)
        if record.queryType != ScannedRecord.absent {
            Self.add(record, success: success, to: &queryTypes, at: record.queryType + 1, exact: exact)
        }
        Self.add(record, success: success, to: &clients, at: clientSlot(record.clientID ?? Int.min), exact: exact)
        addToSeconds(record, success: success)
        llm.add(record, success: success, itl: itl)
        if exact && successful > exactLimit { dropToHistograms() }
        return nil
    }

    @inline(__always)
    private static func add(_ record: ScannedRecord, success: Bool, to groups: inout [Group], at slot: Int, exact: Bool) {
        while groups.count <= slot {
            var group = Group()
            if !exact { group.latency.dropToHistogram() }
            groups.append(group)
        }
        groups[slot].count += 1
        if success { groups[slot].latency.add(record.latency) } else { groups[slot].failed += 1 }
    }

    @inline(__always)
    private mutating func filter(forSecond second: Int) -> DuplicateFilter {
        if second == lastSeen.second { return lastSeen.filter }
        let filter: DuplicateFilter
        if let existing = seen[second] {
            filter = existing
        } else {
            filter = DuplicateFilter()
            seen[second] = filter
        }
        lastSeen = (second, filter)
        return filter
    }

    @inline(__always)
    private mutating func clientSlot(_ id: Int) -> Int {
        if let lastClient, lastClient.id == id { return lastClient.slot }
        let slot: Int
        if let existing = clientSlots[id] {
            slot = existing
        } else {
            slot = clientIDs.count
            clientSlots[id] = slot
            clientIDs.append(id)
        }
        lastClient = (id, slot)
        return slot
    }

    private mutating func bucket(_ second: Int) -> SecondBucket {
        if second == lastSecond { return lastBucket }
        let bucket: SecondBucket
        if let existing = seconds[second] {
            bucket = existing
        } else {
            bucket = SecondBucket()
            if !exact { bucket.bins = LogBins() }
            seconds[second] = bucket
        }
        lastSecond = second
        lastBucket = bucket
        return bucket
    }

    private mutating func addToSeconds(_ record: ScannedRecord, success: Bool) {
        let end = bucket(Int(record.timestampEnd.rounded(.down)))
        end.completed += 1
        if success { end.add(latency: record.latency) } else { end.failed += 1 }
        if record.outputTokens > 0 { end.outputTokens += record.outputTokens }
        // Time in flight, spread over the seconds the request spans (at most a day's worth).
        let start = record.timestampStart
        let stop = max(record.timestampEnd, start)
        var second = start.rounded(.down)
        var spanned = 0
        while second < stop && spanned < 86_400 {
            let overlap = min(stop, second + 1) - max(start, second)
            if overlap > 0 { bucket(Int(second)).busySeconds += overlap }
            second += 1
            spanned += 1
        }
    }

    private mutating func dropToHistograms() {
        exact = false
        latency.dropToHistogram()
        fromIntended.dropToHistogram()
        for index in operations.indices { operations[index].latency.dropToHistogram() }
        for index in queryTypes.indices { queryTypes[index].latency.dropToHistogram() }
        for index in clients.indices { clients[index].latency.dropToHistogram() }
        for bucket in seconds.values { bucket.dropToBins() }
        llm.dropToHistograms()
    }

    // MARK: - Merging shards

    /// Whether a request recorded here was recorded in `other` too: shards catch
    /// duplicates only among their own blocks.
    func sharesRequests(with other: RequestAggregation) -> Bool {
        for (second, theirs) in other.seen {
            guard let mine = seen[second] else { continue }
            for key in theirs.keys where mine.contains(key) { return true }
        }
        return false
    }

    /// Adds everything `other` counted; string ids and client slots are matched by name.
    mutating func merge(_ other: RequestAggregation) {
        skipped.merge(other.skipped)
        blockLines.merge(other.blockLines) { a, _ in a }
        total += other.total
        successful += other.successful
        goodRequests += other.goodRequests
        excludedWarmup += other.excludedWarmup
        dropped += other.dropped
        recallSum += other.recallSum
        recallCount += other.recallCount
        recallMin = min(recallMin, other.recallMin)
        excludedCooldown += other.excludedCooldown
        firstStart = min(firstStart, other.firstStart)
        lastEnd = max(lastEnd, other.lastEnd)
        if exact != other.exact {
            var copy = other
            copy.dropToHistograms()
            dropToHistograms()
            mergeDistributions(copy)
        } else {
            mergeDistributions(other)
        }
    }

    private mutating func mergeDistributions(_ other: RequestAggregation) {
        let names = other.scanner.strings.strings
        func ours(_ id: Int) -> Int { id >= 0 && id < names.count ? scanner.strings.intern(names[id]) : ScannedRecord.absent }
        latency.merge(other.latency)
        fromIntended.merge(other.fromIntended)
        for (slot, group) in other.operations.enumerated() where group.count > 0 {
            Self.merge(group, into: &operations, at: ours(slot - 1) + 1, exact: exact)
        }
        for (slot, group) in other.queryTypes.enumerated() where group.count > 0 {
            Self.merge(group, into: &queryTypes, at: ours(slot - 1) + 1, exact: exact)
        }
        for (slot, group) in other.clients.enumerated() where group.count > 0 {
            Self.merge(group, into: &clients, at: clientSlot(other.clientIDs[slot]), exact: exact)
        }
        for (id, count) in other.errors { errors[id < 0 ? id : ours(id), default: 0] += count }
        httpStatuses.merge(other.httpStatuses, uniquingKeysWith: +)
        for (second, theirs) in other.seconds {
            bucket(second).merge(theirs)
        }
        llm.merge(other.llm)
    }

    private static func merge(_ group: Group, into groups: inout [Group], at slot: Int, exact: Bool) {
        while groups.count <= slot {
            var fresh = Group()
            if !exact { fresh.latency.dropToHistogram() }
            groups.append(fresh)
        }
        groups[slot].merge(group)
    }

    // MARK: - Output

    /// The kept values, for an aggregation made with an unlimited exact limit.
    func samples() -> RequestSamples {
        let names = scanner.strings.strings
        var byOperation: [String: [Double]] = [:]
        for (slot, group) in operations.enumerated() where group.latency.count > 0 {
            let name = slot > 0 && slot - 1 < names.count ? names[slot - 1] : "request"
            byOperation[name, default: []].append(contentsOf: group.latency.exactValues)
        }
        let llmSamples = llm.samples
        return RequestSamples(
            latency: latency.exactValues, operations: byOperation, ttft: llmSamples.ttft, tpot: llmSamples.tpot,
            itl: llmSamples.itl)
    }

    mutating func summary() -> RunSummary {
        // Every distribution is finished (sorted, or its percentiles selected) at once, on
        // all cores. The digests are moved out first, so that no array is copied.
        var digests: [LatencyDigest] = [latency, fromIntended]
        latency = LatencyDigest()
        fromIntended = LatencyDigest()
        var groupRanges: [Range<Int>] = []
        for groups in [operations, queryTypes, clients] {
            let first = digests.count
            digests.append(contentsOf: groups.map(\.latency))
            groupRanges.append(first..<digests.count)
        }
        for index in operations.indices { operations[index].latency = LatencyDigest() }
        for index in queryTypes.indices { queryTypes[index].latency = LatencyDigest() }
        for index in clients.indices { clients[index].latency = LatencyDigest() }
        nonisolated(unsafe) let buckets = Array(seconds.values)
        let clientRange = groupRanges[2]
        digests.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let shared = buffer
            DispatchQueue.concurrentPerform(iterations: shared.count + buckets.count) { index in
                if index < 2 {
                    shared[index].finish(sorting: index == 0)
                } else if index < shared.count {
                    // Breakdowns show only these (see `groups` below).
                    let percentiles: [Double] = clientRange.contains(index) ? [95] : [50, 95, 99]
                    shared[index].finish(sorting: false, percentiles: percentiles, spread: false)
                } else {
                    buckets[index - shared.count].finishPercentiles()
                }
            }
        }
        latency = digests[0]
        fromIntended = digests[1]
        let names = scanner.strings.strings
        func name(_ id: Int) -> String { id >= 0 && id < names.count ? names[id] : "request" }
        func groups(_ source: [Group], _ range: Range<Int>, label: (Int) -> String) -> [String: OperationSummary] {
            var result: [String: OperationSummary] = [:]
            for (slot, group) in source.enumerated() where group.count > 0 {
                let statistics = digests[range.lowerBound + slot].statistics
                result[label(slot)] = OperationSummary(
                    count: group.count, failed: group.failed, avgLatency: statistics?.avg, p50Latency: statistics?.p50,
                    p95Latency: statistics?.p95, p99Latency: statistics?.p99)
            }
            return result
        }
        let duration = total > 0 ? max(lastEnd - firstStart, 0) : 0
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
            operations: groups(operations, groupRanges[0]) { name($0 - 1) },
            queryTypes: groups(queryTypes, groupRanges[1]) { name($0 - 1) },
            clients: groups(clients, groupRanges[2]) { clientIDs[$0] == Int.min ? "unknown" : String(clientIDs[$0]) }.mapValues {
                ClientSummary(count: $0.count, failed: $0.failed, avgLatency: $0.avgLatency, p95Latency: $0.p95Latency)
            },
            timeseries: timeseries(),
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
        summary.droppedRequests = dropped
        if summary.llm != nil {
            summary.llm?.peakOutputTokensPerSecond = summary.timeseries.compactMap(\.outputTokens).max().map(Double.init)
        }
        if recallCount > 0 {
            summary.recall = RecallSummary(mean: recallSum / Double(recallCount), min: recallMin, count: recallCount)
        }
        return summary
    }

    private func timeseries() -> [TimeseriesPoint] {
        guard total > 0, !seconds.isEmpty else { return [] }
        let origin = Int(firstStart.rounded(.down))
        let keys = seconds.keys.filter { $0 >= origin }.sorted()
        guard let last = keys.last else { return [] }
        // Every second from the first to the last, empty ones included, unless timestamps
        // far apart would make that absurdly long: then only seconds with data.
        let range = last - origin <= 86_400 ? Array(origin...last) : keys
        return range.map { second in
            guard let bucket = seconds[second] else {
                return TimeseriesPoint(
                    second: second - origin, completed: 0, failed: 0, inFlight: 0, outputTokens: nil, p50Latency: nil,
                    p95Latency: nil)
            }
            return TimeseriesPoint(
                second: second - origin, completed: bucket.completed, failed: bucket.failed,
                inFlight: bucket.busySeconds, outputTokens: llm.hasTokens ? bucket.outputTokens : nil,
                p50Latency: bucket.p50, p95Latency: bucket.p95)
        }
    }
}
