import Foundation
import Synchronization

/// Where a deployed service answers, as the clients need it.
public struct ServiceEndpoint: Sendable, Codable, Equatable {
    public var host: String?
    public var port: Int?
    /// A filesystem path, for embedded services such as SQLite.
    public var path: String?
    /// What the service reports about itself (version, ...), recorded in `run.json`.
    public var version: String?
    /// Slurm: the nodes the service's job runs on (a hostlist such as `n[1-2]`).
    public var nodes: String?

    public init(host: String? = nil, port: Int? = nil, path: String? = nil, version: String? = nil) {
        self.host = host
        self.port = port
        self.path = path
        self.version = version
    }
}

/// A service this machine can start, wait for and stop.
public protocol Service: Sendable {
    /// Starts the service and returns once it answers; its output goes to files in
    /// `logDirectory`.
    func deploy(logDirectory: URL) async throws -> ServiceEndpoint
    /// Stops what `deploy` started (by process id) and removes its temporary files.
    func stop() throws
    /// The pid of the service's main process while it runs (its tree is the service's CPU
    /// and memory); nil for a service inside FactoryBench's own process (SQLite).
    var processID: Int? { get }
}

extension Service {
    public var processID: Int? { nil }
}

/// Generates load against a deployed service: one instance is shared by all clients.
public protocol LoadClient: Sendable {
    /// How each client sends its requests.
    var plan: LoadPlan { get }
    /// Requests one client sends, when known in advance (for the progress line).
    var requestsPerClient: Int? { get }
    /// Runs once before any client starts (creates tables, loads initial data).
    func prepare(endpoint: ServiceEndpoint) async throws
    /// Runs one client to completion, appending one record per request to the writer.
    func run(clientID: Int, endpoint: ServiceEndpoint, context: ClientContext) async throws
}

extension LoadClient {
    public var requestsPerClient: Int? { plan.totalRequests }
}

/// What every client run gets from the executor.
public struct ClientContext: Sendable {
    public var writer: RecordWriter
    public var clock: WallAnchoredClock
    public var progress: ProgressCounter
    /// Passed by the load engine before the client's first request (clients on several
    /// nodes wait there for each other: `StartBarrier`).
    public var startGate: StartGate?

    public init(writer: RecordWriter, clock: WallAnchoredClock, progress: ProgressCounter, startGate: StartGate? = nil) {
        self.writer = writer
        self.clock = clock
        self.progress = progress
        self.startGate = startGate
    }
}

/// What a client waits for once it has made everything ready, before it sends its first
/// request; passed once (a client whose load comes in stages waits before the first).
public final class StartGate: Sendable {
    private let passed = Mutex(false)
    private let wait: @Sendable () async throws -> Void

    public init(_ wait: @escaping @Sendable () async throws -> Void) {
        self.wait = wait
    }

    public func pass() async throws {
        let first = passed.withLock { passed in
            defer { passed = true }
            return !passed
        }
        if first { try await wait() }
    }
}
