import CPoll
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A slot driven by readiness, as the C load generators drive theirs (pgbench `-j`,
/// redis-benchmark, wrk): the engine's threads each wait on many slots' sockets with one
/// `ppoll`, so a request costs no hop between threads and a thread sleeps only when none of
/// its slots can go on. A session is made, used and closed on one thread.
public protocol PolledSession: AnyObject {
    /// Starts request number `index` (numbered from 0 within the client). Returns its
    /// outcome when it ended at once (no connection, a local error), else `nil`: the request
    /// is in flight and `waitingFor` says what to wait for.
    func start(index: Int) -> RequestOutcome?
    /// The descriptor and `poll` events the request in flight waits for.
    var waitingFor: (descriptor: Int32, events: Int16) { get }
    /// The descriptor is ready: goes on with the request; its outcome once it has ended.
    func proceed() -> RequestOutcome?
    /// Seconds a request may take before it is given up.
    var timeoutSeconds: Double { get }
    /// Gives up the request in flight (dropping its connection) and says why it failed.
    func abandon() -> RequestOutcome
    /// Closes the connection; called once, after the last request.
    func close()
}

extension LoadEngine {
    /// Runs the plan for one client on `load.threads` threads (by default one per core), at
    /// most one per slot, the slots spread over them; the load keys mean what they mean for the asynchronous engine.
    ///
    /// Closed loop: a slot starts its next request as soon as its previous one ended. Open
    /// loop: a free slot takes the next arrival of the schedule and starts it when it is due;
    /// an arrival due before any slot was free to take it is recorded as dropped (every slot
    /// was busy), as the asynchronous open loop does.
    public func run(
        clientID: Int, context: ClientContext, requestIDPrefix: String = "",
        polled makeSession: @escaping @Sendable (_ slot: Int) -> any PolledSession
    ) async throws {
        let recorder = Recorder(clientID: clientID, prefix: requestIDPrefix, serviceType: serviceType, context: context)
        // Behind a start gate the threads are made, make their sessions and wait at a latch
        // first: at the start only a wake-up stands between the gate and the first request
        // (24 clients sharing two cores started 55 ms apart when all of that came after it).
        let latch = context.startGate.map { _ in StartLatch() }
        let shared = PollThreads(plan: plan, startsAtLatch: latch != nil)
        let threads = max(min(plan.concurrency, plan.threads ?? ProcessInfo.processInfo.activeProcessorCount), 1)
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                shared.start(threads: threads, continuation: continuation) { thread in
                    let slots = stride(from: thread, to: shared.plan.concurrency, by: threads).map { makeSession($0) }
                    var loop = PollLoop(shared: shared, recorder: recorder, sessions: slots, first: thread, step: threads)
                    defer { loop.close() }
                    try latch?.wait()
                    do {
                        try loop.run()
                    } catch {
                        // The records of requests that ended are kept whatever stopped the loop.
                        try? loop.handRecords()
                        throw error
                    }
                    try loop.handRecords()
                }
                if let latch, let gate = context.startGate {
                    Task {
                        do {
                            try await gate.pass()
                            shared.markStart()
                            latch.open(.success(()))
                        } catch {
                            latch.open(.failure(error))
                        }
                    }
                }
            }
        } onCancel: {
            shared.stop.store(true, ordering: .relaxed)
            latch?.open(.failure(CancellationError()))
        }
    }
}

/// Where a client's load threads wait for the start; opened once, with the start or with
/// the reason there is none.
final class StartLatch: @unchecked Sendable {
    private let condition = NSCondition()
    private var outcome: Result<Void, any Error>?

    func open(_ result: Result<Void, any Error>) {
        condition.lock()
        if outcome == nil { outcome = result }
        condition.broadcast()
        condition.unlock()
    }

    func wait() throws {
        condition.lock()
        while outcome == nil { condition.wait() }
        let result = outcome
        condition.unlock()
        try result?.get()
    }
}

/// What the threads of one client share: the plan's progress, the stop flag, and the
/// first error, handed to the waiting task when the last thread ends.
final class PollThreads: Sendable {
    let plan: LoadPlan
    let stop = Atomic<Bool>(false)
    private let state: Mutex<State>

    private struct State {
        var tracker: PhaseTracker
        var schedule: ArrivalSchedule?
        /// Monotonic time 0 of the plan: the first request's start (closed loop) or the
        /// moment the threads started (open loop).
        var origin: UInt64?
        var running = 0
        var failure: (any Error)?
        var continuation: CheckedContinuation<Void, any Error>?
    }

    /// Whether the threads wait at a latch before their first request (then the open loop's
    /// time 0 is set by `markStart`, when it opens).
    let startsAtLatch: Bool

    init(plan: LoadPlan, startsAtLatch: Bool = false) {
        self.plan = plan
        self.startsAtLatch = startsAtLatch
        state = Mutex(State(tracker: PhaseTracker(plan: plan), schedule: plan.arrivals))
    }

    /// The open loop's time 0: now.
    func markStart() {
        guard plan.mode == .open else { return }
        state.withLock { $0.origin = WallAnchoredClock.monotonicNanoseconds() }
    }

    var stopped: Bool { stop.load(ordering: .relaxed) }

    /// Starts `threads` threads running `body(thread)`; the continuation resumes when all ended.
    func start(
        threads: Int, continuation: CheckedContinuation<Void, any Error>,
        body: @escaping @Sendable (_ thread: Int) throws -> Void
    ) {
        state.withLock { state in
            state.running = threads
            state.continuation = continuation
            if plan.mode == .open && !startsAtLatch { state.origin = WallAnchoredClock.monotonicNanoseconds() }
        }
        for number in 0..<threads {
            let thread = Thread { [self] in
                var failure: (any Error)?
                do { try body(number) } catch { failure = error }
                finished(failure: failure)
            }
            thread.name = "factorybench-load-\(number)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private func finished(failure: (any Error)?) {
        if failure != nil { stop.store(true, ordering: .relaxed) }
        let done: (CheckedContinuation<Void, any Error>, (any Error)?)? = state.withLock { state in
            if state.failure == nil { state.failure = failure }
            state.running -= 1
            guard state.running == 0, let continuation = state.continuation else { return nil }
            state.continuation = nil
            return (continuation, state.failure)
        }
        guard let (continuation, failure) = done else { return }
        if let failure { continuation.resume(throwing: failure) } else { continuation.resume() }
    }

    /// The time 0 of the plan, set by the first caller.
    func origin(orNow now: UInt64) -> UInt64 {
        state.withLock { state in
            if state.origin == nil { state.origin = now }
            return state.origin ?? now
        }
    }

    /// Closed loop: the next request's number and phase when it starts at `now`.
    func nextRequest(at now: UInt64) -> (index: Int, phase: PhaseTracker.Phase)? {
        state.withLock { state in
            // Time 0 is the first request's start, so slow thread start-up eats no warm-up.
            if state.origin == nil { state.origin = now }
            let origin = state.origin ?? now
            return state.tracker.next(at: Double(now - min(origin, now)) / 1e9)
        }
    }

    /// Open loop: the next arrival, with the monotonic time it is due.
    func nextArrival() -> Work? {
        state.withLock { state in
            guard let origin = state.origin, let offset = state.schedule?.next(),
                let (index, phase) = state.tracker.next(at: offset)
            else { return nil }
            return Work(index: index, phase: phase, intended: origin + UInt64(offset * 1e9))
        }
    }

    struct Work {
        var index: Int
        var phase: PhaseTracker.Phase
        var intended: UInt64?
    }
}

/// One thread's slots and the loop that drives them.
struct PollLoop {
    let shared: PollThreads
    let recorder: LoadEngine.Recorder

    struct Slot {
        let session: any PolledSession
        /// Closed loop with a ramp-up: the slot's first request starts no earlier.
        var joinAt: UInt64?
        /// When the slot became free: the threads' start, then each request's end.
        var freeSince: UInt64
        /// Open loop: the arrival taken and waiting until it is due.
        var held: PollThreads.Work?
        var inFlight: (work: PollThreads.Work, begin: UInt64, deadline: UInt64)?
        var finished = false
    }

    var slots: [Slot]
    /// The thread's records not yet handed to the client's writer.
    var batch = LoadEngine.RecordBatch(capacity: LoadEngine.RecordBatch.handoverBytes + 4096)

    init(shared: PollThreads, recorder: LoadEngine.Recorder, sessions: [any PolledSession], first: Int, step: Int) {
        self.shared = shared
        self.recorder = recorder
        let now = WallAnchoredClock.monotonicNanoseconds()
        let plan = shared.plan
        let start = plan.mode == .open || plan.rampUpSeconds > 0 ? shared.origin(orNow: now) : now
        slots = sessions.enumerated().map { offset, session in
            let number = first + offset * step
            let joinAt =
                plan.mode == .closed && plan.rampUpSeconds > 0
                ? start + UInt64(plan.rampUpSeconds * Double(number) / Double(plan.concurrency) * 1e9) : nil
            return Slot(session: session, joinAt: joinAt, freeSince: start)
        }
        batch.handedAt = now
    }

    /// Hands the thread's remaining records to the writer.
    mutating func handRecords() throws {
        try recorder.hand(&batch, at: WallAnchoredClock.monotonicNanoseconds())
    }

    mutating func run() throws {
        var descriptors: [pollfd] = []
        var polled: [Int] = []
        while !shared.stopped {
            var wakeAt = UInt64.max
            for number in slots.indices where slots[number].inFlight == nil && !slots[number].finished {
                feed(number, wakeAt: &wakeAt)
            }
            descriptors.removeAll(keepingCapacity: true)
            polled.removeAll(keepingCapacity: true)
            for (number, slot) in slots.enumerated() {
                guard let request = slot.inFlight else { continue }
                let (descriptor, events) = slot.session.waitingFor
                descriptors.append(pollfd(fd: descriptor, events: events, revents: 0))
                polled.append(number)
                wakeAt = min(wakeAt, request.deadline)
            }
            if polled.isEmpty && wakeAt == .max { return }
            let now = WallAnchoredClock.monotonicNanoseconds()
            // At most 100 ms, to see a stop.
            let wait = min(wakeAt > now ? wakeAt - now : 0, 100_000_000)
            let ready = descriptors.withUnsafeMutableBufferPointer { buffer in
                factorybench_ppoll(buffer.baseAddress, UInt(buffer.count), Int64(wait))
            }
            if ready < 0 && errno != EINTR {
                throw ExecutionError.clientFailed(
                    clientID: recorder.clientID, reason: "ppoll: \(String(cString: strerror(errno)))")
            }
            for (position, descriptor) in descriptors.enumerated() where descriptor.revents != 0 {
                let number = polled[position]
                if let outcome = slots[number].session.proceed() { finish(number, outcome, feedingNext: true) }
            }
            let later = WallAnchoredClock.monotonicNanoseconds()
            for number in polled where (slots[number].inFlight?.deadline ?? .max) <= later {
                finish(number, slots[number].session.abandon())
            }
            try recorder.handIfDue(&batch, now: later)
        }
    }

    /// Gives a free slot its next request, starting it when it is due; pulls `wakeAt` in to
    /// when this slot next needs the thread.
    private mutating func feed(_ number: Int, wakeAt: inout UInt64) {
        let plan = shared.plan
        while slots[number].inFlight == nil {
            let now = WallAnchoredClock.monotonicNanoseconds()
            let work: PollThreads.Work
            if plan.mode == .closed {
                if let joinAt = slots[number].joinAt, joinAt > now {
                    wakeAt = min(wakeAt, joinAt)
                    return
                }
                guard let (index, phase) = shared.nextRequest(at: now) else {
                    slots[number].finished = true
                    return
                }
                work = PollThreads.Work(index: index, phase: phase, intended: nil)
            } else {
                if slots[number].held == nil {
                    // One slot of the thread holds the next arrival until it is due; the
                    // others stay free for the arrivals after it, as a dispatcher would
                    // assign them at their due times.
                    if slots.contains(where: { $0.held != nil }) { return }
                    guard let next = shared.nextArrival() else {
                        slots[number].finished = true
                        return
                    }
                    let intended = next.intended ?? now
                    if intended < earliestFreeSince() {
                        recorder.writeDropped(
                            index: next.index, phase: next.phase, intended: intended, slots: plan.concurrency,
                            to: &batch)
                        continue
                    }
                    slots[number].held = next
                }
                guard let held = slots[number].held else { return }
                let intended = held.intended ?? now
                if intended > now + 20_000 {
                    wakeAt = min(wakeAt, intended)
                    return
                }
                slots[number].held = nil
                work = held
            }
            let begin = WallAnchoredClock.monotonicNanoseconds()
            let session = slots[number].session
            let deadline = begin + UInt64(max(session.timeoutSeconds, 0) * 1e9)
            slots[number].inFlight = (work, begin, deadline)
            if let outcome = session.start(index: work.index) {
                // Ended at once (e.g. no connection): back to the loop, so the other slots'
                // replies are read before this slot goes on.
                finish(number, outcome)
                wakeAt = 0
                return
            }
        }
    }

    /// Since when the longest-free slot of this thread (with no request, held or in flight)
    /// has been free: an arrival due before that was due while every slot was busy. (One
    /// due later but taken late only waited for this thread, and is sent late, its
    /// lateness on record.)
    private func earliestFreeSince() -> UInt64 {
        var earliest = UInt64.max
        for slot in slots where slot.inFlight == nil && slot.held == nil && !slot.finished {
            earliest = min(earliest, slot.freeSince)
        }
        return earliest
    }

    /// Records the slot's request as ended. With `feedingNext`, the slot's next request
    /// starts first (as pgbench's state machine does): the server gets work back before
    /// this thread spends time on the record or on its other slots.
    private mutating func finish(_ number: Int, _ outcome: RequestOutcome, feedingNext: Bool = false) {
        guard let request = slots[number].inFlight else { return }
        let end = WallAnchoredClock.monotonicNanoseconds()
        slots[number].inFlight = nil
        slots[number].freeSince = end
        if feedingNext {
            // The loop's next pass sets its wake-up time from every slot again.
            var wakeAt = UInt64.max
            feed(number, wakeAt: &wakeAt)
        }
        recorder.write(
            index: request.work.index, phase: request.work.phase, intended: request.work.intended, start: request.begin,
            end: end, outcome: outcome, to: &batch)
    }

    func close() {
        for slot in slots { slot.session.close() }
    }
}
