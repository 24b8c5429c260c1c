import Foundation

/// Runs a recipe's service and clients somewhere — this machine (`LocalExecutor`) or a batch
/// system (`SlurmExecutor`) — and leaves one JSONL file per client in the run directory.
/// The pipeline sees only this protocol: what an executor can do beyond it is said by its
/// `capabilities`, never by its type.
public protocol Executor: Sendable {
    /// `local` or `slurm`, for `run.json`.
    var kind: String { get }
    var capabilities: ExecutorCapabilities { get }
    /// Requests all clients will send, when the recipe fixes a count.
    var expectedRequests: Int? { get }
    var expectedSeconds: Double? { get }
    /// Starts the service, waits until it answers and prepares its data.
    func deploy(logDirectory: URL) async throws -> ServiceEndpoint
    /// Runs every client; each one's JSONL ends up in `clientsDirectory`.
    func runClients(
        benchmarkID: String, clientsDirectory: URL, endpoint: ServiceEndpoint, progress: ProgressCounter
    ) async throws -> [ClientOutcome]
    /// Stops what `deploy` started; safe to call after a failure, and more than once.
    func teardown() async throws
    /// What the progress line shows instead of request counts (`.statusLine`).
    var statusLine: String? { get }
    /// The jobs of the run, for `run.json`.
    var jobs: [JobRecord] { get }
    /// Stops waiting at the next chance and leaves the jobs running (`.detach`).
    func detach()
    /// Whether a wait ended because of `detach()`: the run goes on without us.
    var isDetached: Bool { get }
}

/// What an executor can do beyond running a recipe to its end.
public struct ExecutorCapabilities: OptionSet, Sendable {
    public let rawValue: Int

    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    /// Ctrl+C can leave the run's jobs running; `factorybench watch ID` picks them up again.
    public static let detach = ExecutorCapabilities(rawValue: 1 << 0)
    /// The logs live where the jobs ran; `factorybench logs ID` reads them there.
    public static let remoteLogs = ExecutorCapabilities(rawValue: 1 << 1)
    /// Requests are not counted as they happen (they run elsewhere): the progress line shows
    /// `statusLine` instead, during deploy too (upload, queue, readiness).
    public static let statusLine = ExecutorCapabilities(rawValue: 1 << 2)
}

extension Executor {
    public var capabilities: ExecutorCapabilities { [] }
    public var statusLine: String? { nil }
    public var jobs: [JobRecord] { [] }
    public func detach() {}
    public var isDetached: Bool { false }
}
