import FactoryBenchCore
import FactoryBenchNetwork
import Foundation

/// The executors a user's `run` gets: the local executor for `target: local`, the Slurm
/// executor for any other target.
public struct StandardExecutors: ExecutorFactory {
    /// The executable the compute nodes of a Slurm run use (this one by default).
    public var nodeBinary: URL?
    /// Time between two polls of a Slurm run's jobs.
    public var slurmPollInterval: Duration = .seconds(2)

    public init() {}

    public func check(_ recipe: Recipe) throws {
        try TargetCheck.check([recipe])
    }

    public func make(
        recipe: Recipe, benchmarkID: String, directory: RunDirectory, clock: WallAnchoredClock
    ) throws -> any Executor {
        if recipe.isLocal {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("factorybench-\(UUID().uuidString)")
            let (service, client) = try LocalComponents.make(for: recipe, scratchDirectory: scratch)
            return LocalExecutor(
                recipe: recipe, clock: clock, service: service, client: client, telemetry: Self.telemetry(recipe, directory))
        }
        let client = try LocalComponents.client(for: recipe)
        return try SlurmExecutor(
            recipe: recipe, benchmarkID: benchmarkID, runDirectory: directory, shell: SSHShell.forTarget(recipe.target),
            binary: nodeBinary ?? Self.currentExecutable,
            expectedRequests: client.requestsPerClient.map { $0 * recipe.numClients },
            expectedSeconds: client.plan.totalSeconds, pollInterval: slurmPollInterval)
    }

    /// What a local run samples beside its load, unless `telemetry.enabled: false`.
    static func telemetry(_ recipe: Recipe, _ directory: RunDirectory) -> LocalTelemetry? {
        guard recipe.telemetry["enabled"]?.boolValue ?? true else { return nil }
        return LocalTelemetry(
            directory: directory.telemetryFiles, interval: recipe.telemetry["interval"]?.doubleValue ?? 1,
            sources: { endpoint in ServerTelemetry.sources(for: recipe, endpoint: endpoint) })
    }

    /// The running executable, which a Slurm run uploads for the compute nodes.
    static var currentExecutable: URL {
        URL(
            fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0])
    }
}
