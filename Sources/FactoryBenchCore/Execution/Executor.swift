import Foundation

/// Runs a recipe's service and clients somewhere — this machine (`LocalExecutor`) or a Slurm
/// cluster (`SlurmExecutor`) — and leaves one JSONL file per client in the run directory.
public protocol Executor: Sendable {
    /// `local` or `slurm`, for `run.json`.
    var kind: String { get }
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
    /// What the progress line shows instead of request counts, when the executor cannot
    /// count requests as they happen (jobs on another machine).
    var statusLine: String? { get }
    /// The batch jobs of the run, for `run.json`.
    var jobs: [SlurmJob] { get }
}

extension Executor {
    public var statusLine: String? { nil }
    public var jobs: [SlurmJob] { [] }
}
