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
    var goodRequests = 0
    var scanner = RequestLineScanner()
    var skipped = SkippedLedger()
    /// Lines in each block, to turn block-relative line numbers into file ones.
    var blockLines: [BlockPosition: Int] = [:]

    var total = 0
    var successful = 0
    var excludedWarmup = 0
    var dropped = 0
    var recallSum = 0.0
    var recallCount = 0
    var recallMin = Double.infinity
    var excludedCooldown = 0
    var firstStart = Double.infinity
    var lastEnd = -Double.infinity
    var latency = LatencyDigest()
    var fromIntended = LatencyDigest()
    /// Open loop: how late each sent request started against its schedule.
    var lateness = LatencyDigest()
    /// Successful requests' latencies with their breakdowns, while exact: the one copy of
    /// them that `latency` and every group's and second's percentiles come from.
    var keyedSamples = KeyedSamples()
    var operationNumbers = KeyedSamples.DenseSlots()
    var queryTypeNumbers = KeyedSamples.DenseSlots()
    /// Indexed by interned string id + 1 (slot 0: none given).
    var operations: [Group] = []
    var queryTypes: [Group] = []
    var clients: [Group] = []
    var clientSlots: [Int: Int] = [:]
    /// Slot + 1 of clients 0 to 4095 by id (0: none yet): clients take turns line by line,
    /// so remembering the last one missed, and a dictionary lookup per line cost more.
    var smallClientSlots: [Int32] = []
    var clientIDs: [Int] = []
    var lastClient: (id: Int, slot: Int)?
    var errors: [Int: Int] = [:]
    var httpStatuses: [Int: Int] = [:]
    /// The first line (by place in the files) that names the service, and the name.
    var serviceType: (position: BlockPosition, line: Int, name: String)?
    /// Lines read for the service's name so far: a few at most, so files whose lines name
    /// none are not parsed twice.
    var serviceTypeAttempts = 0
    /// Counts, time in flight and (once not exact) latency bins of every second.
    var seconds = SecondBuckets()
    var exact = true
    /// Duplicate filters by sixteenth of a second of `timestamp_start` (see `useFilter`).
    var seen: [Int: DuplicateFilter] = [:]
    var lastSeen = (window: Int.min, filter: DuplicateFilter())
    var remembered = 0
    var llm = LLMAccumulator()

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
        /// Object stores: bytes the successful requests moved, and the span of the requests
        /// that said how many (for MB/s).
        var bytes = 0
        var bytesFirstStart = Double.infinity
        var bytesLastEnd = -Double.infinity
        /// The start of the group's first request, warm-up included.
        var firstStart = Double.infinity

        mutating func merge(_ other: Group) {
            count += other.count
            firstStart = min(firstStart, other.firstStart)
            failed += other.failed
            latency.merge(other.latency)
            bytes += other.bytes
            bytesFirstStart = min(bytesFirstStart, other.bytesFirstStart)
            bytesLastEnd = max(bytesLastEnd, other.bytesLastEnd)
        }

        /// Megabytes (10^6 bytes) per second over the span of the requests that moved them.
        var megabytesPerSecond: Double? {
            guard bytesLastEnd > bytesFirstStart else { return nil }
            return Double(bytes) / 1e6 / (bytesLastEnd - bytesFirstStart)
        }
    }

    mutating func dropToHistograms() {
        guard exact else { return }
        exact = false
        latency.dropToHistogram()
        fromIntended.dropToHistogram()
        lateness.dropToHistogram()
        for index in operations.indices { operations[index].latency.dropToHistogram() }
        for index in queryTypes.indices { queryTypes[index].latency.dropToHistogram() }
        for index in clients.indices { clients[index].latency.dropToHistogram() }
        seconds.dropToBins()
        for (value, packed) in zip(keyedSamples.values, keyedSamples.keys) {
            let key = KeyedSamples.Key(packed)
            latency.add(value)
            operations[operationNumbers.slots[key.operation]].latency.add(value)
            let querySlot = queryTypeNumbers.slots[key.queryType]
            if querySlot > 0 { queryTypes[querySlot].latency.add(value) }
            clients[key.client].latency.add(value)
            seconds.list[key.second].bins!.add(value)
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
        if let theirs = other.serviceType, serviceType.map({ (theirs.position, theirs.line) < ($0.position, $0.line) }) ?? true {
            serviceType = theirs
        }
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
    func keysFit(merging other: RequestAggregation) -> Bool {
        let limits = KeyedSamples.Key.limits
        return operationNumbers.count + other.operationNumbers.count < limits.operation
            && queryTypeNumbers.count + other.queryTypeNumbers.count < limits.queryType
            && clientIDs.count + other.clientIDs.count < limits.client
            && seconds.list.count + other.seconds.list.count < limits.second
    }

    mutating func mergeDistributions(_ other: RequestAggregation) {
        let names = other.scanner.strings.strings
        func ours(_ id: Int) -> Int { id >= 0 && id < names.count ? scanner.strings.intern(names[id]) : ScannedRecord.absent }
        latency.merge(other.latency)
        fromIntended.merge(other.fromIntended)
        lateness.merge(other.lateness)
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
        seconds.merge(other.seconds)
        if exact && !other.keyedSamples.isEmpty {
            // Their slots → ours (`keysFit` made sure ours fit).
            let operationSlots = other.operationNumbers.slots.map { operationNumbers.number(of: ours($0 - 1) + 1) }
            let querySlots = other.queryTypeNumbers.slots.map { queryTypeNumbers.number(of: ours($0 - 1) + 1) }
            let clientSlots = other.clientIDs.map { clientSlot($0) }
            let secondSlots = other.seconds.list.map { seconds.bucket($0.second) }
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

    static func merge(_ group: Group, into groups: inout [Group], at slot: Int, exact: Bool) {
        grow(&groups, toHold: slot, exact: exact)
        groups[slot].merge(group)
    }
}
