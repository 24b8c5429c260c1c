import FactoryBenchCore
import Foundation
import Synchronization

/// What the uploaded FactoryBench executable does on the cluster for the Slurm executor:
/// probe the service from the login node, prepare its data once, run one client on a
/// compute node. The service job's `service.env` (host, port) says where the service is.
public enum NodeRole {
    /// Reads `service.env`: `host=…` and `port=…` lines.
    public static func endpoint(file: URL) throws -> ServiceEndpoint {
        try SlurmExecutor.endpoint(fromEnvironmentFile: String(contentsOf: file, encoding: .utf8))
    }

    /// `host=`, `port=` and (when the service says) `version=` lines once the service
    /// answers; nil while it does not.
    public static func probe(recipe: Recipe, endpointFile: URL) async throws -> String? {
        let endpoint = try endpoint(file: endpointFile)
        let (host, port) = (endpoint.host ?? "127.0.0.1", endpoint.port ?? 0)
        let model = recipe.service.type == .ollama ? recipe.service.settings["model"]?.stringValue : nil
        guard await ServiceProbe.ready(recipe.service.type, host: host, port: port, model: model) else { return nil }
        var lines = ["host=\(host)", "port=\(port)"]
        if let version = await ServiceProbe.version(recipe.service.type, host: host, port: port) {
            lines.append("version=\(version)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Runs once before any client: creates the PostgreSQL database, then whatever the client
    /// prepares (tables, pre-filled keys). Returns the service's version when it gave one.
    public static func prepare(recipe: Recipe, endpointFile: URL) async throws -> String? {
        let endpoint = try endpoint(file: endpointFile)
        var version: String?
        if recipe.service.type == .postgres {
            version = try await PostgresService.createDatabase(
                host: endpoint.host ?? "127.0.0.1", port: endpoint.port ?? 5432,
                name: recipe.service.settings["db_name"]?.stringValue ?? "benchmark")
        }
        try await LocalComponents.client(for: recipe).prepare(endpoint: endpoint)
        return version
    }

    /// Runs client `clientID` to the end, writing its JSONL to `output`; with a `barrier`,
    /// its first request waits until every client of the run is ready (and its
    /// `client_delay` offset after the common start).
    public static func runClient(
        recipe: Recipe, endpointFile: URL, benchmarkID: String, clientID: Int, output: URL, barrier: StartBarrier? = nil
    ) async throws {
        let endpoint = try endpoint(file: endpointFile)
        let client = try LocalComponents.client(for: recipe)
        let clock = WallAnchoredClock()
        var header = RequestFileHeader(recipe: recipe, benchmarkID: benchmarkID, testStart: clock.now())
        header.clientID = clientID
        header.host = ToolInfo.nodeName
        try FileManager.default.createDirectory(at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
        let writer = try RecordWriter(url: output, header: header.line)
        let progress = ProgressCounter(expectedRequests: client.requestsPerClient, expectedSeconds: client.plan.totalSeconds)
        // Slurm ends a cancelled or timed-out job with SIGTERM (SIGKILL after KillWait): the
        // records finished so far are written out before the process ends.
        // (A plain handler and a polling task: a libdispatch signal source can lose the
        // signal on Linux, see RunPipeline.detachOnInterrupt.)
        signal(SIGTERM) { _ in terminationRequested.store(true, ordering: .relaxed) }
        let terminate = Task {
            while !Task.isCancelled {
                if terminationRequested.load(ordering: .relaxed) {
                    try? writer.close()
                    FileHandle.standardError.write(Data("client \(clientID): stopped by SIGTERM; records so far kept\n".utf8))
                    exit(143)
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        defer { terminate.cancel() }
        // The client's own CPU and memory, on the run's time axis (`telemetry/client-N.jsonl`
        // beside the run's other telemetry; its host is the service's business).
        var sampler: TelemetrySampler?
        if recipe.telemetry["enabled"]?.boolValue ?? true {
            sampler = TelemetrySampler(
                watching: [.init(name: "clients", pid: Int(getpid()), tree: false)],
                interval: recipe.telemetry["interval"]?.doubleValue ?? 1,
                output: output.deletingLastPathComponent().deletingLastPathComponent()
                    .appendingPathComponent("telemetry/client-\(clientID).jsonl"), host: false)
            sampler?.start()
        }
        let cpuBefore = ProcessCPU.seconds()
        let started = Date()
        let passage = Mutex<StartBarrier.Passage?>(nil)
        var context = ClientContext(writer: writer, clock: clock, progress: progress)
        if let barrier {
            context.startGate = StartGate {
                let passed = try await barrier.pass(
                    clientID: clientID, node: ToolInfo.nodeName, offset: recipe.startOffset(ofClient: clientID), clock: clock)
                passage.withLock { $0 = passed }
            }
        }
        do {
            if barrier == nil { try await LocalExecutor.waitForStart(of: clientID, recipe: recipe) }
            try await client.run(clientID: clientID, endpoint: endpoint, context: context)
        } catch {
            await sampler?.stop()
            try? writer.close()
            throw error
        }
        await sampler?.stop()
        try writer.close()
        // What this process spent generating the load, for the run's `load_generator`.
        var usage = ClientProcessUsage(
            clientID: clientID, host: ToolInfo.nodeName, cpuSeconds: ProcessCPU.seconds() - cpuBefore,
            runSeconds: Date().timeIntervalSince(started), cores: ProcessCPU.allowedCores())
        if let passed = passage.withLock({ $0 }) {
            usage.readyAt = passed.readyAt
            usage.startAt = passed.startAt
        }
        try AtomicFile.writeJSON(usage, to: ClientProcessUsage.url(forRecords: output))
    }
}

extension NodeRole {
    /// Samples beside a service on a compute node until `watching` (the service job's
    /// script) has ended: its process tree (but this process), the host, the GPUs and the
    /// server's own statistics, into `directory/service.jsonl` and raw files beside it.
    /// The service's address comes from `endpointFile`; sources that do not answer yet are
    /// absent until they do.
    public static func sample(recipe: Recipe, endpointFile: URL, watching pid: Int, directory: URL) async throws {
        let endpoint = try endpoint(file: endpointFile)
        let interval = recipe.telemetry["interval"]?.doubleValue ?? 1
        let sampler = TelemetrySampler(
            watching: [.init(name: "service", pid: pid)], sources: ServerTelemetry.sources(for: recipe, endpoint: endpoint),
            interval: interval, output: directory.appendingPathComponent("service.jsonl"),
            rawDirectory: directory)
        // The run cancels the service's job at its end (SIGTERM to every process of it): the
        // sampler writes its last line and the files are closed before this process ends.
        signal(SIGTERM) { _ in terminationRequested.store(true, ordering: .relaxed) }
        sampler.start()
        while !terminationRequested.load(ordering: .relaxed), kill(pid_t(pid), 0) == 0 || errno != ESRCH {
            // Checked at most every half second: each wake-up costs the sampler CPU too.
            try? await Task.sleep(for: .seconds(min(interval, 0.5)))
        }
        await sampler.stop()
    }
}

/// Set by a client's SIGTERM handler (an atomic store is safe in a handler).
private let terminationRequested = Atomic<Bool>(false)
