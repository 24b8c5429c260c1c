import Dispatch
import Foundation
import Synchronization

/// The running state of one aggregation: every record is folded in as it is scanned, so
/// memory depends on the exact limit and the run's length in seconds, not on its records.
struct RequestAggregation {
    /// Successful requests up to which this aggregation keeps every latency.
    var exactLimit: Int
    /// How many bytes of request lines this aggregation will probably be given, when known
    /// (a shard's share of the files): its samples' arrays are sized from it.
    var expectedBytes = 0
    /// When set, requests within these limits are counted for goodput.
    var goodputLimits: GoodputLimits?
    /// The successful requests kept by every shard of one aggregation, added block by
    /// block: a shard drops to histograms once all of them together pass the exact limit,
    /// so memory stays bounded whatever the number of shards.
    var keptByAllShards: KeptSamples?
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
    /// Successful requests' latencies with their breakdowns, while exact: the one copy of
    /// them that `latency` and every group's and second's percentiles come from.
    private var keyedSamples = KeyedSamples()
    private var operationNumbers = KeyedSamples.DenseSlots()
    private var queryTypeNumbers = KeyedSamples.DenseSlots()
    /// Indexed by interned string id + 1 (slot 0: none given).
    private var operations: [Group] = []
    private var queryTypes: [Group] = []
    private var clients: [Group] = []
    private var clientSlots: [Int: Int] = [:]
    /// Slot + 1 of clients 0 to 4095 by id (0: none yet): clients take turns line by line,
    /// so remembering the last one missed, and a dictionary lookup per line cost more.
    private var smallClientSlots: [Int32] = []
    private var clientIDs: [Int] = []
    private var lastClient: (id: Int, slot: Int)?
    private var errors: [Int: Int] = [:]
    private var httpStatuses: [Int: Int] = [:]
    /// Each second's place in `secondList`.
    private var seconds: [Int: Int] = [:]
    /// The buckets in order of creation: a sample's key names its bucket by this index.
    private var secondList: [SecondBucket] = []
    private var lastSecond = Int.min
    private var lastBucket = -1
    private var exact = true
    /// Duplicate filters by sixteenth of a second of `timestamp_start` (see `useFilter`).
    private var seen: [Int: DuplicateFilter] = [:]
    private var lastSeen = (window: Int.min, filter: DuplicateFilter())
    private var remembered = 0
    private var llm = LLMAccumulator()

    init(exactLimit: Int) {
        self.exactLimit = exactLimit
        llm.exactLimit = exactLimit
    }

    /// A count shared by the shards of one aggregation.
    final class KeptSamples: Sendable {
        private let count = Atomic<Int>(0)

        /// Adds `values` and returns the new total.
        func add(_ values: Int) -> Int {
            count.add(values, ordering: .relaxed).newValue
        }
    }

    /// Counts and latencies of a subset of the records (their values, while exact, are in
    /// the aggregation's keyed samples).
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

    /// Requests that ended within one wall-clock second. While the aggregation is exact,
    /// the second's latencies are among its keyed samples; after, they are counted in bins.
    struct SecondBucket {
        let second: Int
        var completed = 0
        var failed = 0
        var busySeconds = 0.0
        var outputTokens = 0
        var bins: LogBins?

        init(second: Int) {
            self.second = second
        }

        /// Adds the counts of `other`; when either holds bins, both must (the aggregations
        /// drop to histograms together before merging).
        mutating func merge(_ other: SecondBucket) {
            completed += other.completed
            failed += other.failed
            busySeconds += other.busySeconds
            outputTokens += other.outputTokens
            if let theirs = other.bins {
                if bins == nil { bins = LogBins() }
                bins!.merge(theirs)
            }
        }

        /// The second's median and 95th percentile: exact ones set by the aggregation, or
        /// from the bins.
        var p50: Double?
        var p95: Double?

        mutating func finishPercentiles() {
            guard let bins else { return }
            p50 = bins.percentile(50)
            p95 = bins.percentile(95)
        }
    }

    // MARK: - Input

    /// Scans and folds in one block of whole lines of a file, each ended by a newline;
    /// blocks of a file may come to different aggregations (shards), but each aggregation
    /// must get its blocks in file order. Each line is folded as soon as it is scanned:
    /// keeping a block's records to fold them afterwards cost more than folding itself.
    mutating func add(lines bytes: UnsafeRawBufferPointer, at position: BlockPosition, file: String) {
        var lineCount = 0
        let successfulBefore = successful
        if let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) {
            var record = ScannedRecord()
            var start = UnsafePointer(base)
            let end = start + bytes.count
            while start < end {
                lineCount += 1
                var (outcome, next) = scanner.scan(from: start, to: end, into: &record)
                // Where the line's newline is (or the end): known from the scan, or found
                // only now for a line that is not well-formed.
                let stop: UnsafePointer<UInt8>
                if let next {
                    stop = next > start && next[-1] == 0x0A ? next - 1 : next
                } else {
                    stop = memchr(start, 0x0A, end - start).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) } ?? end
                }
                if stop - start > JSONLBlockReader.maximumLineBytes { outcome = .invalid("line longer than 1 MB") }
                var problem: String?
                switch outcome {
                case .record:
                    problem = add(scanned: &record, itl: scanner.itl.isEmpty ? [] : scanner.itl[...])
                case .header, .blank:
                    break
                case .invalid(let reason):
                    problem = reason
                }
                if let problem { skipped.add(problem, file: file, at: position, line: lineCount) }
                start = next ?? stop + 1
            }
        }
        blockLines[position] = lineCount
        if exact, let kept = keptByAllShards, kept.add(successful - successfulBefore) > exactLimit { dropToHistograms() }
        if expectedBytes > 0 && exact && keyedSamples.capacity == 0 && lineCount > 0 {
            // Room for the samples of every line expected, at this block's bytes per line
            // (pages never written cost no memory): growing by doubling copied each array
            // and touched twice its final size.
            let lines = Double(expectedBytes) / Double(bytes.count) * Double(lineCount)
            keyedSamples.reserve(Int(min(lines * 1.05, Double(exactLimit))))
        }
    }

    /// Counts one line of a file that could not be kept at all (see `JSONLBlockReader`),
    /// standing for a block of its own.
    mutating func add(problem reason: String, at position: BlockPosition, file: String) {
        blockLines[position] = 1
        skipped.add(reason, file: file, at: position, line: 1)
    }

    /// Folds one well-formed record in; returns why it was skipped, if it was. (`inout`
    /// only so that it is not copied: passed by value, its 146 bytes were copied on every
    /// line; it is not changed.)
    private mutating func add(scanned record: inout ScannedRecord, itl: ArraySlice<Double>) -> String? {
        if record.hasRequestID {
            // A duplicate is the same request logged twice: same id, client and start.
            var key = record.requestIDHash ^ UInt64(bitPattern: Int64(record.clientID ?? -1)) &* 0x9E37_79B9_7F4A_7C15
            key ^= record.timestampStart.bitPattern &* 0xC2B2_AE3D_27D4_EB4F
            // The first `exactLimit` records are remembered (later ones are still checked
            // against them), so memory stays bounded on huge runs.
            let window = Self.second(record.timestampStart * Self.duplicateWindowsPerSecond)
            if window != lastSeen.window { useFilter(forWindow: window) }
            if lastSeen.filter.isDuplicate(key, remember: remembered < exactLimit) {
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
        let client = clientSlot(record.clientID ?? Int.min)
        let end = bucket(Self.second(record.timestampEnd))
        if success && exact {
            let key = KeyedSamples.Key(
                operation: operationNumbers.number(of: record.operation + 1),
                queryType: queryTypeNumbers.number(of: record.queryType + 1), client: client, second: end)
            if let packed = key.packed {
                keyedSamples.append(record.latency, packed)
            } else {
                // More operations, clients or seconds than a key holds: histograms from here on.
                dropToHistograms()
            }
        }
        if success {
            successful += 1
            // While exact, the run's latency statistics come from the keyed samples.
            if !exact { latency.add(record.latency) }
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
        Self.add(record, success: success, to: &clients, at: client, exact: exact)
        addToSeconds(
            start: record.timestampStart, end: record.timestampEnd, latency: record.latency,
            outputTokens: record.outputTokens, success: success, bucket: end)
        if record.outputTokens >= 0 || record.inputTokens >= 0 || !record.ttft.isNaN || !itl.isEmpty {
            llm.add(record, success: success, itl: itl)
        }
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
        // While exact, the breakdowns' latency statistics come from the keyed samples.
        if !success {
            groups[slot].failed += 1
        } else if !exact {
            groups[slot].latency.add(record.latency)
        }
    }

    /// The whole second a Unix time falls in: truncation for times after 1970 (all that
    /// the scanner lets through), which is one instruction where `rounded(.down)` is a
    /// call to `floor` on x86-64's baseline.
    @inline(__always)
    static func second(_ time: Double) -> Int {
        time >= 0 && time < 1e15 ? Int(time) : Int(time.rounded(.down))
    }

    /// A duplicate starts at the same instant as the request it repeats, so each window
    /// of start times has its own duplicate filter: a sixteenth of a second keeps the table
    /// in use small enough for the nearest caches (a second's table at 20k requests per
    /// second was 256 KB, and its probe a cache miss per line).
    static let duplicateWindowsPerSecond = 16.0

    /// Makes the duplicate filter of `window` the one in use (`lastSeen`), which the hot
    /// path then calls in place (returning it cost a retain and a release per line).
    private mutating func useFilter(forWindow window: Int) {
        let filter: DuplicateFilter
        if let existing = seen[window] {
            filter = existing
        } else {
            // Capped: after a burst, a run of quiet windows should not each get a burst's table.
            filter = DuplicateFilter(expected: min(lastSeen.filter.count, 1024))
            seen[window] = filter
        }
        lastSeen = (window, filter)
    }

    @inline(__always)
    private mutating func clientSlot(_ id: Int) -> Int {
        let small = id >= 0 && id < 4096
        if small, id < smallClientSlots.count, smallClientSlots[id] > 0 { return Int(smallClientSlots[id]) - 1 }
        if !small, let lastClient, lastClient.id == id { return lastClient.slot }
        let slot: Int
        if let existing = clientSlots[id] {
            slot = existing
        } else {
            slot = clientIDs.count
            clientSlots[id] = slot
            clientIDs.append(id)
        }
        if small {
            if id >= smallClientSlots.count {
                smallClientSlots.append(contentsOf: repeatElement(0, count: id + 1 - smallClientSlots.count))
            }
            smallClientSlots[id] = Int32(slot + 1)
        } else {
            lastClient = (id, slot)
        }
        return slot
    }

    /// The place in `secondList` of the bucket of `second`, made if new. (Buckets are values
    /// in one array: as objects, each line retained and released two of them.)
    private mutating func bucket(_ second: Int) -> Int {
        if second == lastSecond { return lastBucket }
        let index: Int
        if let existing = seconds[second] {
            index = existing
        } else {
            index = secondList.count
            var bucket = SecondBucket(second: second)
            if !exact { bucket.bins = LogBins() }
            seconds[second] = index
            secondList.append(bucket)
        }
        lastSecond = second
        lastBucket = index
        return index
    }

    /// Counts a request in the second it ended in (whose bucket is `end`) and its time in
    /// flight in every second it spans. (Given the record's fields, not the record: passing
    /// the record copied it, 146 bytes, on every line.)
    private mutating func addToSeconds(
        start: Double, end finish: Double, latency: Double, outputTokens: Int, success: Bool, bucket end: Int
    ) {
        secondList[end].completed += 1
        if success {
            if !exact { secondList[end].bins!.add(latency) }
        } else {
            secondList[end].failed += 1
        }
        if outputTokens > 0 { secondList[end].outputTokens += outputTokens }
        // Time in flight, spread over the seconds the request spans (at most a day's worth).
        let stop = max(finish, start)
        let first = Self.second(start)
        if secondList[end].second == first && stop <= Double(first) + 1 {
            // Within the second it ended in, as most requests are.
            if stop > start { secondList[end].busySeconds += stop - start }
            return
        }
        var second = Double(first)
        var spanned = 0
        while second < stop && spanned < 86_400 {
            let overlap = min(stop, second + 1) - max(start, second)
            if overlap > 0 { secondList[bucket(Int(second))].busySeconds += overlap }
            second += 1
            spanned += 1
        }
    }

    private mutating func dropToHistograms() {
        guard exact else { return }
        exact = false
        latency.dropToHistogram()
        fromIntended.dropToHistogram()
        for index in operations.indices { operations[index].latency.dropToHistogram() }
        for index in queryTypes.indices { queryTypes[index].latency.dropToHistogram() }
        for index in clients.indices { clients[index].latency.dropToHistogram() }
        for index in secondList.indices { secondList[index].bins = LogBins() }
        for (value, packed) in zip(keyedSamples.values, keyedSamples.keys) {
            let key = KeyedSamples.Key(packed)
            latency.add(value)
            operations[operationNumbers.slots[key.operation]].latency.add(value)
            let querySlot = queryTypeNumbers.slots[key.queryType]
            if querySlot > 0 { queryTypes[querySlot].latency.add(value) }
            clients[key.client].latency.add(value)
            secondList[key.second].bins!.add(value)
        }
        keyedSamples = KeyedSamples()
        llm.dropToHistograms()
    }

    // MARK: - Merging shards

    /// The duplicate filters, by window of `timestamp_start`.
    var duplicateFilters: [Int: DuplicateFilter] { seen }

    /// Whether a request was recorded by two of the aggregations whose duplicate filters
    /// these are: shards catch duplicates only among their own blocks.
    static func shareRequests(_ filters: [[Int: DuplicateFilter]]) -> Bool {
        for (index, later) in filters.enumerated() {
            for earlier in filters[..<index] {
                for (second, theirs) in later {
                    if let mine = earlier[second], mine.sharesKey(with: theirs) { return true }
                }
            }
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
        if exact != other.exact || !keysFit(merging: other) {
            var copy = other
            copy.dropToHistograms()
            dropToHistograms()
            mergeDistributions(copy)
        } else {
            mergeDistributions(other)
        }
    }

    /// Whether every sample key still fits its bits once `other`'s slots are added to ours.
    private func keysFit(merging other: RequestAggregation) -> Bool {
        let limits = KeyedSamples.Key.limits
        return operationNumbers.count + other.operationNumbers.count < limits.operation
            && queryTypeNumbers.count + other.queryTypeNumbers.count < limits.queryType
            && clientIDs.count + other.clientIDs.count < limits.client
            && secondList.count + other.secondList.count < limits.second
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
            secondList[bucket(second)].merge(other.secondList[theirs])
        }
        if exact && !other.keyedSamples.isEmpty {
            // Their slots → ours (`keysFit` made sure ours fit).
            let operationSlots = other.operationNumbers.slots.map { operationNumbers.number(of: ours($0 - 1) + 1) }
            let querySlots = other.queryTypeNumbers.slots.map { queryTypeNumbers.number(of: ours($0 - 1) + 1) }
            let clientSlots = other.clientIDs.map { clientSlot($0) }
            let secondSlots = other.secondList.map { bucket($0.second) }
            // Both sides sorted (see `finishScan`): one merge of sorted runs.
            var theirs = other
            theirs.finishScan()
            finishScan()
            keyedSamples.mergeSorted(theirs.keyedSamples) { packed in
                let key = KeyedSamples.Key(packed)
                return KeyedSamples.Key(
                    operation: operationSlots[key.operation], queryType: querySlots[key.queryType],
                    client: clientSlots[key.client], second: secondSlots[key.second]
                ).packed!
            }
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
        let intended = ParallelBox(fromIntended)
        fromIntended = LatencyDigest()
        let binned = ParallelBox(exact ? [] : secondList)
        if !exact { secondList = [] }
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            intended.value.finish()
            for index in binned.value.indices { binned.value[index].finishPercentiles() }
            finished.signal()
        }
        finishKeyedSamples()
        finished.wait()
        fromIntended = intended.value
        if !exact { secondList = binned.value }
        let names = scanner.strings.strings
        func name(_ id: Int) -> String { id >= 0 && id < names.count ? names[id] : "request" }
        func groups(_ source: [Group], label: (Int) -> String) -> [String: OperationSummary] {
            var result: [String: OperationSummary] = [:]
            for (slot, group) in source.enumerated() where group.count > 0 {
                let statistics = group.latency.statistics
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
            operations: groups(operations) { name($0 - 1) },
            queryTypes: groups(queryTypes) { name($0 - 1) },
            clients: groups(clients) { clientIDs[$0] == Int.min ? "unknown" : String(clientIDs[$0]) }.mapValues {
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
    private mutating func finishKeyedSamples() {
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
        let secondCounts = secondList.map { $0.completed - $0.failed }
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
        for index in secondList.indices where secondCounts[index] > 0 {
            let percentiles = secondStatistics.percentiles(of: index)
            secondList[index].p50 = percentiles[50]
            secondList[index].p95 = percentiles[95]
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

    private func timeseries() -> [TimeseriesPoint] {
        guard total > 0, !seconds.isEmpty else { return [] }
        let origin = Int(firstStart.rounded(.down))
        let keys = seconds.keys.filter { $0 >= origin }.sorted()
        guard let last = keys.last else { return [] }
        // Every second from the first to the last, empty ones included, unless timestamps
        // far apart would make that absurdly long: then only seconds with data.
        let range = last - origin <= 86_400 ? Array(origin...last) : keys
        return range.map { second in
            guard let bucket = seconds[second].map({ secondList[$0] }) else {
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
