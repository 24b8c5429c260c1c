import Synchronization

/// Drives one client's requests as its `LoadPlan` says, timing each on the monotonic clock
/// and writing one record per request — the part every network client shares.
///
/// Closed loop: `concurrency` slots, each sending its next request as soon as the previous
/// one ends. Open loop: requests are due at the schedule's intended times whatever the
/// server does; each record carries `timestamp_intended`, so a stall shows in the latency
/// measured from it (coordinated omission, Tene: "How NOT to Measure Latency", 2015). A
/// request due while every slot is busy is recorded as dropped, never skipped.
public struct LoadEngine: Sendable {
    public let plan: LoadPlan
    public let serviceType: String

    public init(plan: LoadPlan, serviceType: String) {
        self.plan = plan
        self.serviceType = serviceType
    }

    /// Runs the plan for one client; `makeSession` makes the session of each in-flight slot.
    /// Request ids are `c<client>-<prefix><number>`: a client that runs several stages gives
    /// each its own prefix.
    public func run(
        clientID: Int, context: ClientContext, requestIDPrefix: String = "",
        makeSession: @escaping @Sendable (_ slot: Int) async -> any RequestSession
    ) async throws {
        try await context.startGate?.pass()
        let recorder = Recorder(clientID: clientID, prefix: requestIDPrefix, serviceType: serviceType, context: context)
        switch plan.mode {
        case .closed: try await closedLoop(recorder: recorder, makeSession: makeSession)
        case .open: try await openLoop(recorder: recorder, makeSession: makeSession)
        }
    }

    private func closedLoop(
        recorder: Recorder, makeSession: @escaping @Sendable (Int) async -> any RequestSession
    ) async throws {
        // Time 0 is the first request's start, not the moment the slots were created: a
        // busy machine may take a while to schedule them, and that must not eat warm-up.
        let origin = Locked<UInt64?>(nil)
        let tracker = Locked(PhaseTracker(plan: plan))
        let plan = plan
        try await withThrowingTaskGroup(of: Void.self) { group in
            for slot in 0..<plan.concurrency {
                group.addTask {
                    if plan.rampUpSeconds > 0 {
                        // Ramp-up in the closed loop: slot i joins at i/concurrency of the ramp.
                        let start = origin.setOnce(WallAnchoredClock.monotonicNanoseconds())
                        let joinAt = plan.rampUpSeconds * Double(slot) / Double(plan.concurrency)
                        await Self.sleep(until: start + UInt64(joinAt * 1e9))
                    }
                    let session = await makeSession(slot)
                    do {
                        while !Task.isCancelled {
                            let begin = WallAnchoredClock.monotonicNanoseconds()
                            let start = origin.setOnce(begin)
                            let elapsed = Double(begin - min(start, begin)) / 1e9
                            guard let (index, phase) = tracker.withLock({ $0.next(at: elapsed) }) else { break }
                            let outcome = await session.send(index: index)
                            let end = WallAnchoredClock.monotonicNanoseconds()
                            try recorder.write(
                                index: index, phase: phase, intended: nil, start: begin, end: end, outcome: outcome)
                        }
                    } catch {
                        await session.close()
                        throw error
                    }
                    await session.close()
                }
            }
            try await group.waitForAll()
        }
    }

    private func openLoop(
        recorder: Recorder, makeSession: @escaping @Sendable (Int) async -> any RequestSession
    ) async throws {
        guard var schedule = plan.arrivals else { return }
        var sessions: [any RequestSession] = []
        for slot in 0..<plan.concurrency { sessions.append(await makeSession(slot)) }
        let slots = sessions
        let free = Locked(Array((0..<plan.concurrency).reversed()))
        var tracker = PhaseTracker(plan: plan)
        let start = WallAnchoredClock.monotonicNanoseconds()
        do {
            try await withThrowingDiscardingTaskGroup { group in
                while !Task.isCancelled, let offset = schedule.next(), let (index, phase) = tracker.next(at: offset) {
                    let intended = start + UInt64(offset * 1e9)
                    await Self.sleep(until: intended)
                    guard let slot = free.withLock({ $0.popLast() }) else {
                        try recorder.writeDropped(index: index, phase: phase, intended: intended, slots: plan.concurrency)
                        continue
                    }
                    group.addTask {
                        let begin = WallAnchoredClock.monotonicNanoseconds()
                        let outcome = await slots[slot].send(index: index)
                        let end = WallAnchoredClock.monotonicNanoseconds()
                        free.withLock { $0.append(slot) }
                        try recorder.write(
                            index: index, phase: phase, intended: intended, start: begin, end: end, outcome: outcome)
                    }
                }
            }
        } catch {
            for session in slots { await session.close() }
            throw error
        }
        for session in slots { await session.close() }
    }

    /// Sleeps until a monotonic time; returns at once when it has passed. Lateness is not
    /// corrected here: the record's intended time keeps it visible.
    static func sleep(until nanoseconds: UInt64) async {
        let now = WallAnchoredClock.monotonicNanoseconds()
        guard nanoseconds > now + 20_000 else { return }
        try? await Task.sleep(nanoseconds: nanoseconds - now)
    }

    /// A value behind a lock that escaping child tasks can share.
    final class Locked<Value: Sendable>: Sendable {
        private let mutex: Mutex<Value>

        init(_ value: Value) {
            mutex = Mutex(value)
        }

        func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
            mutex.withLock { body(&$0) }
        }

        /// Stores `value` if nothing is stored yet; returns what is stored.
        func setOnce<Wrapped: Sendable>(_ value: Wrapped) -> Wrapped where Value == Wrapped? {
            withLock { stored in
                if stored == nil { stored = value }
                return stored ?? value
            }
        }
    }

    /// Records not yet handed to the writer: the polling threads collect their lines here,
    /// so a record costs no lock, and hand them over in chunks.
    struct RecordBatch {
        var lines: [UInt8] = []
        var completed = 0
        var failed = 0
        /// When the batch was last handed over (monotonic nanoseconds).
        var handedAt: UInt64 = 0
        /// Lines are handed over at this size, or when the last handover is this old.
        static let handoverBytes = 1 << 15
        static let handoverNanoseconds: UInt64 = 100_000_000

        init(capacity: Int = 0) {
            lines.reserveCapacity(capacity)
        }

        mutating func add(success: Bool) {
            completed += 1
            if !success { failed += 1 }
        }
    }

    /// Turns outcomes into records for one client's writer.
    struct Recorder: Sendable {
        let clientID: Int
        let prefix: String
        let serviceType: String
        let context: ClientContext

        func write(
            index: Int, phase: PhaseTracker.Phase, intended: UInt64?, start: UInt64, end: UInt64, outcome: RequestOutcome
        ) throws {
            var batch = RecordBatch()
            write(index: index, phase: phase, intended: intended, start: start, end: end, outcome: outcome, to: &batch)
            try hand(&batch)
        }

        func write(
            index: Int, phase: PhaseTracker.Phase, intended: UInt64?, start: UInt64, end: UInt64, outcome: RequestOutcome,
            to batch: inout RecordBatch
        ) {
            for (number, attempt) in outcome.retriedAttempts.enumerated() {
                var record = record(
                    index: index, phase: phase, intended: intended, start: attempt.start, end: attempt.end,
                    outcome: attempt.outcome)
                record.attempt = number + 1
                record.retried = true
                record.appendJSONLine(to: &batch.lines)
                batch.add(success: false)
            }
            var record = record(
                index: index, phase: phase, intended: intended, start: outcome.lastAttemptStart ?? start, end: end,
                outcome: outcome)
            if !outcome.retriedAttempts.isEmpty { record.attempt = outcome.retriedAttempts.count + 1 }
            record.appendJSONLine(to: &batch.lines)
            batch.add(success: outcome.success)
        }

        /// Hands the batch's lines to the writer and its counts to the progress line, and empties it.
        func hand(_ batch: inout RecordBatch, at now: UInt64 = 0) throws {
            batch.handedAt = now
            guard batch.completed > 0 else { return }
            try context.writer.append(lines: batch.lines)
            context.progress.record(completed: batch.completed, failed: batch.failed)
            batch.lines.removeAll(keepingCapacity: true)
            batch.completed = 0
            batch.failed = 0
        }

        /// Hands the batch over when it is large or old enough.
        func handIfDue(_ batch: inout RecordBatch, now: UInt64) throws {
            if batch.lines.count >= RecordBatch.handoverBytes || now >= batch.handedAt + RecordBatch.handoverNanoseconds {
                try hand(&batch, at: now)
            }
        }

        private func record(
            index: Int, phase: PhaseTracker.Phase, intended: UInt64?, start: UInt64, end: UInt64, outcome: RequestOutcome
        ) -> RequestRecord {
            var record = RequestRecord(
                requestID: "c\(clientID)-\(prefix)\(index)", clientID: clientID, serviceType: serviceType,
                timestampStart: context.clock.unixSeconds(atMonotonic: start),
                timestampEnd: context.clock.unixSeconds(atMonotonic: end),
                latencySeconds: Double(end - start) / 1e9, success: outcome.success, error: outcome.error,
                httpStatus: outcome.httpStatus, operationType: outcome.operationType, queryType: outcome.queryType,
                rowsAffected: outcome.rowsAffected)
            record.timestampIntended = intended.map { context.clock.unixSeconds(atMonotonic: $0) }
            record.phase = phase == .measured ? nil : phase.rawValue
            record.recall = outcome.recall
            record.topK = outcome.topK
            record.batchSize = outcome.batchSize
            record.dimension = outcome.dimension
            record.llm = outcome.llm
            record.bytes = outcome.bytes
            record.exitCode = outcome.exitCode
            record.output = outcome.output
            return record
        }

        func writeDropped(index: Int, phase: PhaseTracker.Phase, intended: UInt64, slots: Int) throws {
            var batch = RecordBatch()
            writeDropped(index: index, phase: phase, intended: intended, slots: slots, to: &batch)
            try hand(&batch)
        }

        func writeDropped(
            index: Int, phase: PhaseTracker.Phase, intended: UInt64, slots: Int, to batch: inout RecordBatch
        ) {
            let time = context.clock.unixSeconds(atMonotonic: intended)
            var record = RequestRecord(
                requestID: "c\(clientID)-\(prefix)\(index)", clientID: clientID, serviceType: serviceType,
                timestampStart: time, timestampEnd: time, latencySeconds: 0, success: false,
                error: "dropped: all \(slots) in-flight slots were busy when the request was due")
            record.timestampIntended = time
            record.phase = phase == .measured ? nil : phase.rawValue
            record.dropped = true
            record.appendJSONLine(to: &batch.lines)
            batch.add(success: false)
        }
    }
}
