import FactoryBenchCore
import Foundation
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A fake service (the engine's timing is the subject here, not a server): each request
/// takes `serviceSeconds`; when `stall` is set, the server freezes for `stall.seconds` from
/// the moment its `stall.atRequest`-th request arrives, and every request that arrives
/// meanwhile waits until it thaws, as requests queue behind a stalled server. It also
/// tracks requests in flight.
final class FakeServer: Sendable {
    let serviceSeconds: Double
    let stall: (atRequest: Int, seconds: Double)?
    private let state = Mutex((inFlight: 0, peak: 0, sent: 0, frozenUntil: Date.distantPast))

    init(serviceSeconds: Double, stall: (atRequest: Int, seconds: Double)? = nil) {
        self.serviceSeconds = serviceSeconds
        self.stall = stall
    }

    var peakInFlight: Int { state.withLock { $0.peak } }

    /// The threads requests were started on (polled sessions note theirs).
    private let threadIDs = Mutex<Set<UInt>>([])
    var threads: Int { threadIDs.withLock { $0.count } }
    func noteThread() { _ = threadIDs.withLock { $0.insert(UInt(bitPattern: Int(pthread_self()))) } }
    var sent: Int { state.withLock { $0.sent } }

    func handle() async {
        let wait = arrive()
        if wait > 0 {
            try? await Task.sleep(for: .milliseconds(Int(wait * 1000)))
        } else {
            await Task.yield()
        }
        leave()
    }

    /// A request arrives: how long it will take.
    func arrive() -> Double {
        let now = Date()
        let frozenUntil = state.withLock { state in
            state.inFlight += 1
            state.sent += 1
            state.peak = max(state.peak, state.inFlight)
            if let stall, state.sent == stall.atRequest { state.frozenUntil = now.addingTimeInterval(stall.seconds) }
            return state.frozenUntil
        }
        return max(frozenUntil.timeIntervalSince(now), 0) + serviceSeconds
    }

    func leave() {
        state.withLock { $0.inFlight -= 1 }
    }
}

/// The fake server's answers, as the polling engine's threads meet them: a reply is a byte
/// on a pipe, written when the server's time for the request is up.
final class FakePolledSession: PolledSession {
    let server: FakeServer
    private let pipe: (read: Int32, write: Int32)
    private var index = 0

    init(server: FakeServer, timeoutSeconds: Double = 30) {
        self.server = server
        self.timeoutSeconds = timeoutSeconds
        var ends: [Int32] = [0, 0]
        _ = ends.withUnsafeMutableBufferPointer { Glibc.pipe($0.baseAddress!) }
        pipe = (ends[0], ends[1])
    }

    deinit {
        Glibc.close(pipe.read)
        Glibc.close(pipe.write)
    }

    var waitingFor: (descriptor: Int32, events: Int16) { (pipe.read, Int16(POLLIN)) }
    let timeoutSeconds: Double

    func start(index: Int) -> RequestOutcome? {
        self.index = index
        server.noteThread()
        let wait = server.arrive()
        let end = pipe.write
        DispatchQueue.global().asyncAfter(deadline: .now() + wait) {
            var byte: UInt8 = 1
            _ = Glibc.write(end, &byte, 1)
        }
        return nil
    }

    func proceed() -> RequestOutcome? {
        var byte: UInt8 = 0
        guard Glibc.read(pipe.read, &byte, 1) == 1 else { return nil }
        server.leave()
        return FakeSession.outcome(index: index)
    }

    func abandon() -> RequestOutcome {
        server.leave()
        return .failure("timed out", operationType: "op")
    }
    func close() {}
}

/// The two engines: asynchronous sessions, and polled sessions on the engine's own threads.
enum Engine: String, CaseIterable, Sendable {
    case async, polled
}

struct FakeSession: RequestSession {
    let server: FakeServer

    func send(index: Int) async -> RequestOutcome {
        await server.handle()
        return Self.outcome(index: index)
    }

    static func outcome(index: Int) -> RequestOutcome {
        RequestOutcome(success: index % 10 != 9, error: index % 10 == 9 ? "every tenth fails" : nil, operationType: "op")
    }

    func close() async {}
}

/// Runs a plan against a fake server and returns the records written, parsed.
func runEngine(
    _ plan: LoadPlan, server: FakeServer, in directory: TemporaryDirectory, engine: Engine = .async,
    startGate: StartGate? = nil
) async throws -> [[String: Any]] {
    let url = directory.path("client-0.jsonl")
    let writer = try RecordWriter(url: url, header: JSONLine())
    let context = ClientContext(
        writer: writer, clock: WallAnchoredClock(), progress: ProgressCounter(expectedRequests: nil, expectedSeconds: nil),
        startGate: startGate)
    switch engine {
    case .async:
        try await LoadEngine(plan: plan, serviceType: "fake").run(clientID: 0, context: context) { _ in
            FakeSession(server: server)
        }
    case .polled:
        try await LoadEngine(plan: plan, serviceType: "fake").run(
            clientID: 0, context: context, polled: { _ in FakePolledSession(server: server) })
    }
    try writer.close()
    return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst().map {
        try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
}

func plan(
    _ mode: LoadPlan.Mode, concurrency: Int, rate: Double? = nil, measured: LoadPlan.Window,
    warmup: LoadPlan.Window = .requests(0), cooldown: LoadPlan.Window = .requests(0)
) -> LoadPlan {
    LoadPlan(
        mode: mode, concurrency: concurrency,
        arrivals: rate.map { ArrivalSchedule(rate: $0, arrival: .constant, rampUpSeconds: 0, seed: 1) },
        warmup: warmup, measured: measured, cooldown: cooldown, rampUpSeconds: 0, seed: 1)
}

@Suite struct LoadEngineTests {
    /// A client behind a start gate sends nothing before the gate opens (the open loop's
    /// schedule starts there, so the wait makes nothing late), and a gate that fails ends
    /// the client with its error.
    @Test(arguments: Engine.allCases) func nothingIsSentBeforeTheStartGateOpens(engine: Engine) async throws {
        let directory = try TemporaryDirectory()
        let opened = Mutex(0.0)
        let gate = StartGate {
            try await Task.sleep(for: .milliseconds(300))
            opened.withLock { $0 = Date().timeIntervalSince1970 }
        }
        let server = FakeServer(serviceSeconds: 0.001)
        let records = try await runEngine(
            plan(.open, concurrency: 4, rate: 100, measured: .requests(20)), server: server, in: directory, engine: engine,
            startGate: gate)
        let openedAt = opened.withLock { $0 }
        #expect(records.count == 20 && openedAt > 0)
        let starts = records.compactMap { $0["timestamp_start"] as? Double }
        #expect(starts.allSatisfy { $0 >= openedAt - 0.001 }, "a request started before the gate opened")
        let intended = records.compactMap { $0["timestamp_intended"] as? Double }
        #expect(intended.count == 20 && intended.allSatisfy { $0 >= openedAt - 0.001 }, "the schedule began before the gate")

        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            _ = try await runEngine(
                plan(.closed, concurrency: 2, measured: .requests(5)), server: server, in: try TemporaryDirectory(),
                engine: engine, startGate: StartGate { throw Refused() })
        }
    }

    @Test(arguments: Engine.allCases) func closedLoopKeepsConcurrencyInFlightAndSendsEveryRequestOnce(engine: Engine) async throws
    {
        let directory = try TemporaryDirectory()
        let server = FakeServer(serviceSeconds: 0.01)
        let records = try await runEngine(
            plan(.closed, concurrency: 4, measured: .requests(40)), server: server, in: directory, engine: engine)
        #expect(records.count == 40)
        #expect(server.peakInFlight == 4)
        #expect(Set(records.compactMap { $0["request_id"] as? String }) == Set((0..<40).map { "c0-\($0)" }))
        #expect(records.filter { $0["success"] as? Bool == false }.count == 4)
        #expect(records.allSatisfy { $0["timestamp_intended"] == nil && $0["phase"] == nil })
        for record in records {
            let latency = try #require(record["latency_s"] as? Double)
            #expect(latency >= 0.009)
        }
    }

    @Test(arguments: Engine.allCases) func warmupAndCooldownAreRecordedWithTheirPhaseAndLeftOutOfTheSummary(engine: Engine)
        async throws
    {
        let directory = try TemporaryDirectory()
        let records = try await runEngine(
            plan(.closed, concurrency: 2, measured: .requests(20), warmup: .requests(5), cooldown: .requests(3)),
            server: FakeServer(serviceSeconds: 0.001), in: directory, engine: engine)
        #expect(records.count == 28)
        #expect(records.filter { $0["phase"] as? String == "warmup" }.count == 5)
        #expect(records.filter { $0["phase"] as? String == "cooldown" }.count == 3)
        let summary = try Aggregator.aggregate(files: [directory.path("client-0.jsonl")])
        #expect(summary.totalRequests == 20)
        #expect(summary.excludedRequests == ExcludedRequests(warmup: 5, cooldown: 3))
    }

    @Test(arguments: Engine.allCases) func timeWindowsEndEachPhaseByTheClock(engine: Engine) async throws {
        let directory = try TemporaryDirectory()
        let records = try await runEngine(
            plan(.closed, concurrency: 1, measured: .seconds(0.3), warmup: .seconds(0.1)),
            server: FakeServer(serviceSeconds: 0.01), in: directory, engine: engine)
        // Each record's phase follows from when it started (the engine's clock starts just
        // before the first request).
        let first = try #require(records.compactMap { $0["timestamp_start"] as? Double }.min())
        let warm = records.filter { $0["phase"] as? String == "warmup" }
        let measured = records.filter { $0["phase"] == nil }
        #expect(!warm.isEmpty && !measured.isEmpty)
        #expect(warm.allSatisfy { ($0["timestamp_start"] as? Double ?? 9) - first < 0.1 })
        let measuredStart = try #require(measured.compactMap { $0["timestamp_start"] as? Double }.min())
        #expect(measuredStart - first >= 0.099)
        #expect(measured.allSatisfy { ($0["timestamp_start"] as? Double ?? 9) - measuredStart < 0.3 })
    }

    @Test(arguments: Engine.allCases) func openLoopStartsRequestsOnTheScheduleAndRecordsTheIntendedTime(engine: Engine)
        async throws
    {
        let directory = try TemporaryDirectory()
        let records = try await runEngine(
            plan(.open, concurrency: 8, rate: 100, measured: .seconds(0.5)), server: FakeServer(serviceSeconds: 0.002),
            in: directory, engine: engine)
        #expect(records.count == 50)
        let intended = records.compactMap { $0["timestamp_intended"] as? Double }.sorted()
        #expect(intended.count == 50)
        for (a, b) in zip(intended, intended.dropFirst()) { #expect(abs((b - a) - 0.01) < 0.000_002) }
        for record in records {
            let start = try #require(record["timestamp_start"] as? Double)
            let scheduled = try #require(record["timestamp_intended"] as? Double)
            #expect(start >= scheduled - 0.000_001)
        }
    }

    /// Coordinated omission: a server that freezes for 500 ms. The closed loop sends nothing
    /// while it waits, so only the request in flight sees the freeze; the open loop keeps
    /// its schedule, and the latency from the intended start shows every request the
    /// freeze held up. (Counts and shares of the sample, not latencies: a busy test machine
    /// stretches every sleep, which only adds to the open loop's numbers.)
    @Test(arguments: Engine.allCases) func aStalledServerShowsInTheOpenLoopButHidesFromTheClosedLoop(engine: Engine) async throws
    {
        let closedDirectory = try TemporaryDirectory()
        let closedRecords = try await runEngine(
            plan(.closed, concurrency: 1, measured: .requests(200)),
            server: FakeServer(serviceSeconds: 0, stall: (atRequest: 50, seconds: 0.5)), in: closedDirectory, engine: engine)
        let openDirectory = try TemporaryDirectory()
        let openRecords = try await runEngine(
            plan(.open, concurrency: 100, rate: 100, measured: .requests(100)),
            server: FakeServer(serviceSeconds: 0, stall: (atRequest: 20, seconds: 0.5)), in: openDirectory, engine: engine)
        // The closed loop's slow requests are a sliver of its sample, so its percentiles
        // hide the freeze: its 95th percentile stays far below the stall. (Asserted as a
        // percentile, not a count of slow requests: a loaded machine stretches a few sleeps.)
        let closedLatencies = closedRecords.map { $0["latency_s"] as? Double ?? 0 }.sorted()
        #expect(closedRecords.count == 200)
        #expect(closedLatencies.last.map { $0 > 0.4 } == true, "the stall itself is in the sample")
        #expect((Statistics.percentile(sorted: closedLatencies, 95) ?? 1) < 0.25, "\(closedLatencies.suffix(12))")
        #expect(closedRecords.allSatisfy { $0["timestamp_intended"] == nil })
        // Requests due in the freeze's first quarter second waited at least 0.25 s past
        // their intended start: about 25 of them.
        let openSlow = openRecords.filter { record in
            guard let end = record["timestamp_end"] as? Double, let intended = record["timestamp_intended"] as? Double
            else { return false }
            return end - intended > 0.25
        }
        #expect(openSlow.count >= 20, "\(openSlow.count)")
        #expect(openRecords.count == 100)
        let open = try Aggregator.aggregate(files: [openDirectory.path("client-0.jsonl")])
        #expect(try #require(open.latencyFromIntended).max > 0.4)
    }

    @Test(arguments: Engine.allCases) func requestsDueWhileEverySlotIsBusyAreRecordedAsDropped(engine: Engine) async throws {
        let directory = try TemporaryDirectory()
        let records = try await runEngine(
            plan(.open, concurrency: 1, rate: 100, measured: .requests(30)), server: FakeServer(serviceSeconds: 0.045),
            in: directory, engine: engine)
        #expect(records.count == 30)
        let dropped = records.filter { $0["dropped"] as? Bool == true }
        // One slot busy for 45 ms per request at 10 ms intervals: most are dropped.
        #expect(dropped.count >= 18)
        #expect(dropped.allSatisfy { $0["success"] as? Bool == false && ($0["error"] as? String)?.hasPrefix("dropped") == true })
        let summary = try Aggregator.aggregate(files: [directory.path("client-0.jsonl")])
        #expect(summary.droppedRequests == dropped.count)
        #expect(summary.failedRequests >= dropped.count)
    }

    /// A polled request past its session's timeout is given up and recorded as failed at
    /// the timeout, and the slot goes on with its next request.
    @Test func aPolledRequestPastItsTimeoutFailsAndTheSlotGoesOn() async throws {
        let directory = try TemporaryDirectory()
        let url = directory.path("client-0.jsonl")
        let writer = try RecordWriter(url: url, header: JSONLine())
        let context = ClientContext(
            writer: writer, clock: WallAnchoredClock(), progress: ProgressCounter(expectedRequests: nil, expectedSeconds: nil))
        let slow = FakeServer(serviceSeconds: 0.5)
        try await LoadEngine(plan: plan(.closed, concurrency: 2, measured: .requests(2)), serviceType: "fake").run(
            clientID: 0, context: context, polled: { _ in FakePolledSession(server: slow, timeoutSeconds: 0.05) })
        try writer.close()
        let summary = try Aggregator.aggregate(files: [url])
        #expect(summary.totalRequests == 2 && summary.failedRequests == 2)
        #expect(summary.errorSummary == ["timed out": 2])
        let records = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst().map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        // Given up at the timeout, not when the server answered (0.5 s).
        #expect(records.allSatisfy { ($0["latency_s"] as? Double ?? 0) >= 0.05 && ($0["latency_s"] as? Double ?? 1) < 0.45 })
    }

    /// The polling threads keep their records in batches; a batch still reaches the file
    /// while the server stalls and no request ends (so `collect` during a run sees it).
    @Test func aPolledClientsRecordsReachTheFileWhileTheServerStalls() async throws {
        let directory = try TemporaryDirectory()
        let url = directory.path("client-0.jsonl")
        let writer = try RecordWriter(url: url, header: JSONLine())
        let context = ClientContext(
            writer: writer, clock: WallAnchoredClock(), progress: ProgressCounter(expectedRequests: nil, expectedSeconds: nil))
        let server = FakeServer(serviceSeconds: 0.001, stall: (atRequest: 20, seconds: 6))
        let task = Task {
            try await LoadEngine(plan: plan(.closed, concurrency: 1, measured: .requests(21)), serviceType: "fake").run(
                clientID: 0, context: context, polled: { _ in FakePolledSession(server: server) })
        }
        while server.sent < 20 { try await Task.sleep(for: .milliseconds(10)) }
        var recorded = 0
        // Within the stall: the batch is handed over within 0.1 s, the writer flushes each second.
        for _ in 0..<50 where recorded < 19 {
            try await Task.sleep(for: .milliseconds(100))
            let text = (try? String(contentsOf: url.appendingPathExtension("partial"), encoding: .utf8)) ?? ""
            recorded = text.split(separator: "\n").count - 1
        }
        #expect(recorded == 19)
        #expect(server.sent == 20, "the stalled request had ended: the check ran after the stall")
        try await task.value
        try writer.close()
    }

    /// Cancelling the client (a stopped run) ends the polling threads promptly.
    @Test func cancellingAPolledClientStopsItsThreads() async throws {
        let directory = try TemporaryDirectory()
        let writer = try RecordWriter(url: directory.path("c.jsonl"), header: JSONLine())
        let context = ClientContext(
            writer: writer, clock: WallAnchoredClock(), progress: ProgressCounter(expectedRequests: nil, expectedSeconds: nil))
        let server = FakeServer(serviceSeconds: 0.001)
        let task = Task {
            try await LoadEngine(plan: plan(.closed, concurrency: 2, measured: .seconds(60)), serviceType: "fake").run(
                clientID: 0, context: context, polled: { _ in FakePolledSession(server: server) })
        }
        while server.sent < 10 { try await Task.sleep(for: .milliseconds(10)) }
        let before = Date()
        task.cancel()
        _ = await task.result
        #expect(Date().timeIntervalSince(before) < 5)
        try writer.close()
    }

    /// `load.threads` sets the polling engine's threads (at most one per slot); one per core
    /// by default.
    @Test func theSlotsShareLoadThreadsThreads() async throws {
        for (threads, expected) in [(1, 1), (2, 2), (8, 4), (nil, min(4, ProcessInfo.processInfo.activeProcessorCount))] {
            var plan = plan(.closed, concurrency: 4, measured: .requests(40))
            plan.threads = threads
            let server = FakeServer(serviceSeconds: 0.005)
            let records = try await runEngine(plan, server: server, in: try TemporaryDirectory(), engine: .polled)
            #expect(records.count == 40)
            #expect(server.threads == expected, "threads: \(threads.map(String.init) ?? "default")")
            #expect(server.peakInFlight == 4)
        }
        let recipe = try RecipeLoader.parse(
            "service: {type: sqlite}\nclient: {type: sqlite_stress}\nload: {threads: 3}\n", path: "t.yaml", name: "t")
        #expect(LoadPlan(load: recipe.load, defaultMeasured: .requests(1)).threads == 3)
    }

    @Test func planReadsTheRecipesLoadSection() throws {
        let recipe = try RecipeLoader.parse(
            """
            service: {type: redis}
            client: {type: redis_stress}
            load: {mode: open, rate: 50, arrival: gamma, burstiness: 0.5, duration: 10s, warmup: 2s, cooldown: 20, concurrency: 16}
            """, path: "r.yaml", name: "r")
        let plan = LoadPlan(load: recipe.load, defaultMeasured: .requests(7))
        #expect(plan.mode == .open)
        #expect(plan.concurrency == 16)
        #expect(plan.arrivals == ArrivalSchedule(rate: 50, arrival: .gamma(shape: 0.5), rampUpSeconds: 0, seed: 42))
        #expect(plan.measured == .seconds(10))
        #expect(plan.warmup == .seconds(2))
        #expect(plan.cooldown == .requests(20))
        #expect(plan.totalRequests == nil)
        let closed = LoadPlan(load: ["concurrency": .int(3)], defaultMeasured: .requests(7))
        #expect(closed.mode == .closed)
        #expect(closed.totalRequests == 7)
    }
}
