import Foundation

/// `run.json`: what was run, where, with which tool, and how it ended. Written when the run
/// starts and rewritten after every step, so a crash leaves an accurate record.
public struct RunManifest: Sendable, Codable, Equatable {
    public var benchmarkID: String
    public var recipeName: String
    public var recipePath: String
    /// The recipe file's text, byte for byte.
    public var recipeVerbatim: String
    /// The recipe with every default filled in.
    public var recipeResolved: SettingValue
    public var serviceType: String
    public var clientType: String
    public var numClients: Int
    public var target: String
    public var executor: String
    public var host: String
    public var toolVersion: String
    /// The FactoryBench source commit, when the binary was built from a git checkout.
    public var toolCommit: String?
    /// The commit of the directory the run was started in, when it is a git checkout.
    public var workspaceCommit: String?
    public var startedAt: String
    public var finishedAt: String?
    public var status: RunStatus
    public var statusReason: String?
    public var service: ServiceEndpoint?
    public var clients: [ClientOutcome]
    /// CPU time (user + system) this process spent while the clients ran, all clients
    /// together: near the cores available, the load generator — not the service — may be
    /// what limited the numbers.
    public var clientCPUSeconds: Double?
    /// Wall seconds the clients ran, and the cores they could use, beside their CPU time.
    public var clientRunSeconds: Double?
    public var clientCores: Int?
    public var steps: [StepRecord]
    /// The sweep this run is a point of, and the swept values at this point.
    public var sweepID: String?
    public var sweepPoint: [String: SettingValue]?
    /// The Slurm jobs of a cluster run: ids, roles, nodes, end states and exit codes.
    public var jobs: [JobRecord]?

    enum CodingKeys: String, CodingKey {
        case benchmarkID = "benchmark_id"
        case recipeName = "recipe_name"
        case recipePath = "recipe_path"
        case recipeVerbatim = "recipe_verbatim"
        case recipeResolved = "recipe_resolved"
        case serviceType = "service_type"
        case clientType = "client_type"
        case numClients = "num_clients"
        case target, executor, host
        case toolVersion = "tool_version"
        case toolCommit = "tool_commit"
        case workspaceCommit = "workspace_commit"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case status
        case statusReason = "status_reason"
        case service, clients, steps
        case clientCPUSeconds = "client_cpu_seconds"
        case clientRunSeconds = "client_run_seconds"
        case clientCores = "client_cores"
        case sweepID = "sweep_id"
        case sweepPoint = "sweep_point"
        case jobs
    }

    public init(
        benchmarkID: String, recipeName: String, recipePath: String, recipeVerbatim: String,
        recipeResolved: SettingValue, serviceType: String, clientType: String, numClients: Int, target: String,
        executor: String, host: String, toolVersion: String, toolCommit: String?, workspaceCommit: String?,
        startedAt: String, finishedAt: String?, status: RunStatus, statusReason: String?, service: ServiceEndpoint?,
        clients: [ClientOutcome], steps: [StepRecord], sweepID: String? = nil, sweepPoint: [String: SettingValue]? = nil
    ) {
        self.benchmarkID = benchmarkID
        self.recipeName = recipeName
        self.recipePath = recipePath
        self.recipeVerbatim = recipeVerbatim
        self.recipeResolved = recipeResolved
        self.serviceType = serviceType
        self.clientType = clientType
        self.numClients = numClients
        self.target = target
        self.executor = executor
        self.host = host
        self.toolVersion = toolVersion
        self.toolCommit = toolCommit
        self.workspaceCommit = workspaceCommit
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.status = status
        self.statusReason = statusReason
        self.service = service
        self.clients = clients
        self.steps = steps
        self.sweepID = sweepID
        self.sweepPoint = sweepPoint
    }

    /// Reads `run.json`: ours, or the old framework's (see `RunManifest+OldFramework`); for a
    /// directory with request files but no `run.json`, a manifest made from the directory.
    public static func read(from url: URL) throws -> RunManifest {
        let directory = url.deletingLastPathComponent()
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            guard !FileManager.default.fileExists(atPath: url.path), !RunDirectory(url: directory).requestFiles.isEmpty
            else { throw WorkspaceError.cannotRead(path: url.path, reason: "\(error.localizedDescription)") }
            return synthesized(for: directory)
        }
        do {
            return try FastJSONDecoder.decode(RunManifest.self, from: data)
        } catch {
            if let old = try? fromOldFramework(data, directory: directory) { return old }
            throw WorkspaceError.cannotRead(path: url.path, reason: "not a valid run.json (\(error))")
        }
    }
}

/// How a run ended: `completed`, `partial` (some clients or steps failed but results
/// exist) or `failed`; `running` while it is under way.
public enum RunStatus: String, Sendable, Codable {
    case running, completed, partial, failed
}

/// One pipeline step as it happened.
public struct StepRecord: Sendable, Codable, Equatable {
    public var name: String
    public var seconds: Double
    public var error: String?

    public init(name: String, seconds: Double, error: String? = nil) {
        self.name = name
        self.seconds = seconds
        self.error = error
    }
}
