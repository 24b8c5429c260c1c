import Foundation
import Synchronization

/// Runs a recipe on this machine: starts the service, runs the clients as concurrent tasks
/// (each with its own connections and JSONL file), stops the service.
public final class LocalExecutor: Executor {
    public let recipe: Recipe
    public let clock: WallAnchoredClock
    private let service: any Service
    private let client: any LoadClient
    private let telemetry: LocalTelemetry?
    private let sampler = Mutex<TelemetrySampler?>(nil)

    /// `components` are the service and client for the recipe (see `LocalComponents` for
    /// the types this machine can start); `telemetry` what to sample beside them.
    public init(
        recipe: Recipe, clock: WallAnchoredClock, service: any Service, client: any LoadClient,
        telemetry: LocalTelemetry? = nil
    ) {
        self.recipe = recipe
        self.clock = clock
        self.service = service
        self.client = client
        self.telemetry = telemetry
    }

    /// Requests all clients will send, when the recipe fixes a count.
    public var expectedRequests: Int? {
        client.requestsPerClient.map { $0 * recipe.numClients }
    }

    public var expectedSeconds: Double? { client.plan.totalSeconds }

    /// Starts the service, waits until it answers and prepares its data.
    public func deploy(logDirectory: URL) async throws -> ServiceEndpoint {
        do {
            try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
            let endpoint = try await service.deploy(logDirectory: logDirectory)
            try await client.prepare(endpoint: endpoint)
            startTelemetry(endpoint: endpoint)
            return endpoint
        } catch {
            try? service.stop()
            throw ExecutionError.deployFailed(
                service: recipe.service.type.rawValue, reason: (error as? LocalizedError)?.errorDescription ?? "\(error)")
        }
    }

    /// Runs every client at once and returns each one's failure, if any; the JSONL files of
    /// clients that failed half-way are kept.
    public func runClients(
        benchmarkID: String, clientsDirectory: URL, endpoint: ServiceEndpoint, progress: ProgressCounter
    ) async throws -> [ClientOutcome] {
        try FileManager.default.createDirectory(at: clientsDirectory, withIntermediateDirectories: true)
        let header = RequestFileHeader(recipe: recipe, benchmarkID: benchmarkID, testStart: clock.now())
        let origin = WallAnchoredClock.monotonicNanoseconds()
        return await withTaskGroup(of: ClientOutcome.self) { group in
            for clientID in 0..<recipe.numClients {
                let url = clientsDirectory.appendingPathComponent("client-\(clientID).jsonl")
                group.addTask { [client, clock, recipe] in
                    do {
                        var header = header
                        header.clientID = clientID
                        let writer = try RecordWriter(url: url, header: header.line)
                        var failure: String?
                        do {
                            try await Self.waitForStart(of: clientID, recipe: recipe, origin: origin)
                            try await client.run(
                                clientID: clientID, endpoint: endpoint,
                                context: ClientContext(writer: writer, clock: clock, progress: progress))
                        } catch {
                            failure = (error as? LocalizedError)?.errorDescription ?? "\(error)"
                        }
                        try writer.close()
                        return ClientOutcome(clientID: clientID, file: url.lastPathComponent, error: failure)
                    } catch {
                        return ClientOutcome(clientID: clientID, file: url.lastPathComponent, error: "\(error)")
                    }
                }
            }
            var outcomes: [ClientOutcome] = []
            for await outcome in group { outcomes.append(outcome) }
            await stopTelemetry()
            return outcomes.sorted { $0.clientID < $1.clientID }
        }
    }

    /// Samples the service's process tree, this process (the clients) and the host, with
    /// the recipe's sources, into `telemetry/service.jsonl`; a sampler that cannot start
    /// leaves the run without telemetry, nothing more.
    private func startTelemetry(endpoint: ServiceEndpoint) {
        guard let telemetry else { return }
        var watches = [TelemetrySampler.Watch(name: "clients", pid: Int(getpid()), tree: false)]
        if let pid = service.processID { watches.insert(TelemetrySampler.Watch(name: "service", pid: pid), at: 0) }
        let started = TelemetrySampler(
            watching: watches, sources: telemetry.sources(endpoint), interval: telemetry.interval,
            output: telemetry.directory.appendingPathComponent("service.jsonl"), rawDirectory: telemetry.directory)
        started.start()
        sampler.withLock { $0 = started }
    }

    private func stopTelemetry() async {
        let running = sampler.withLock { current -> TelemetrySampler? in
            defer { current = nil }
            return current
        }
        await running?.stop()
    }

    /// Sleeps until a client's place in the `client_delay` stagger: `origin` (a monotonic
    /// time, the clients' common start) plus the client's offset, so a client scheduled late
    /// does not push the later ones back.
    public static func waitForStart(
        of clientID: Int, recipe: Recipe, origin: UInt64 = WallAnchoredClock.monotonicNanoseconds()
    ) async throws {
        let offset = recipe.startOffset(ofClient: clientID)
        guard offset > 0 else { return }
        await LoadEngine.sleep(until: origin + UInt64(offset * 1e9))
        try Task.checkCancellation()
    }

    public var kind: String { "local" }
    public var capabilities: ExecutorCapabilities { [] }

    public func teardown() async throws {
        await stopTelemetry()
        try service.stop()
    }
}

/// What the local executor samples beside a run (the recipe's `telemetry:`) and where.
public struct LocalTelemetry: Sendable {
    /// The run's `telemetry/` directory.
    public var directory: URL
    public var interval: Double
    /// The server's own statistics and the GPUs, once the service answers at an endpoint.
    public var sources: @Sendable (ServiceEndpoint) -> [any TelemetrySource]

    public init(directory: URL, interval: Double, sources: @escaping @Sendable (ServiceEndpoint) -> [any TelemetrySource]) {
        self.directory = directory
        self.interval = interval
        self.sources = sources
    }
}

/// How one client ended.
public struct ClientOutcome: Sendable, Codable, Equatable {
    public var clientID: Int
    public var file: String
    public var error: String?
    /// Where the client ran (Slurm: its node).
    public var node: String?
    /// Behind the start barrier: Unix seconds at which the client was ready, and the start
    /// every client was given.
    public var readyAt: Double?
    public var startAt: Double?
    /// Unix seconds at which its first request (warm-up included) started.
    public var firstRequest: Double?

    public init(clientID: Int, file: String, error: String?) {
        self.clientID = clientID
        self.file = file
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id"
        case file, error, node
        case readyAt = "ready_at"
        case startAt = "start_at"
        case firstRequest = "first_request"
    }
}
