import Foundation
import Synchronization

/// Runs a recipe on a Slurm cluster: uploads this executable and the resolved recipe, submits
/// the service job, waits for its `service.env` and a readiness probe (run on the login node
/// by the uploaded binary), submits one job for all clients (one task each; they start
/// together behind a barrier), polls every job with one `squeue` call, and copies the
/// clients' JSONL and the logs back.
public final class SlurmExecutor: Executor {
    public let recipe: Recipe
    public let layout: SlurmLayout
    public let expectedRequests: Int?
    public let expectedSeconds: Double?
    private let shell: any RemoteShell
    private let binary: URL?
    private let runDirectory: RunDirectory
    private let pollInterval: Duration
    private let state = Mutex(State())

    private struct State {
        var jobs: [JobRecord] = []
        var statusLine: String?
        /// Ctrl+C was pressed.
        var detachRequested = false
        /// A wait ended because of it: from then on the jobs are left running.
        var detached = false
    }

    /// What a later `factorybench watch|collect|cancel|logs ID` needs to find the run's jobs
    /// again: `results/<id>/slurm/jobs.json`, rewritten whenever a job changes.
    public struct Saved: Codable, Sendable {
        public var target: String
        public var binary: String
        public var jobs: [JobRecord]
    }

    /// - Parameters:
    ///   - binary: the FactoryBench executable the compute nodes run (this one, normally).
    ///   - pollInterval: time between two `squeue` calls.
    public init(
        recipe: Recipe, benchmarkID: String, runDirectory: RunDirectory, shell: any RemoteShell, binary: URL,
        expectedRequests: Int?, expectedSeconds: Double?, pollInterval: Duration = .seconds(2)
    ) throws {
        self.recipe = recipe
        self.shell = shell
        self.binary = binary
        self.runDirectory = runDirectory
        self.expectedRequests = expectedRequests
        self.expectedSeconds = expectedSeconds
        self.pollInterval = pollInterval
        let attributes = try FileManager.default.attributesOfItem(atPath: binary.path)
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        let modified = Int((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)
        // One upload per build: the name changes whenever the executable does.
        layout = SlurmLayout(
            benchmarkID: benchmarkID,
            binary: "\(SlurmLayout.root)/bin/factorybench-\(ToolInfo.version)-\(size)-\(modified)")
    }

    /// The executor of a run started earlier, from what it saved in `results/<id>/slurm/`;
    /// `shell` replaces the one for the saved target (a fake in tests).
    public init(resuming runDirectory: RunDirectory, pollInterval: Duration = .seconds(2), shell: (any RemoteShell)? = nil) throws
    {
        let folder = runDirectory.url.appendingPathComponent("slurm")
        let saved: Saved
        do {
            saved = try JSONDecoder().decode(Saved.self, from: Data(contentsOf: folder.appendingPathComponent("jobs.json")))
        } catch {
            throw NotASlurmRunError(directory: runDirectory.url.path)
        }
        recipe = try RecipeLoader.load(path: folder.appendingPathComponent("recipe.yaml").path)
        self.shell = shell ?? SSHShell.forTarget(saved.target)
        binary = nil
        self.runDirectory = runDirectory
        expectedRequests = nil
        expectedSeconds = nil
        self.pollInterval = pollInterval
        layout = SlurmLayout(benchmarkID: runDirectory.url.lastPathComponent, binary: saved.binary)
        state.withLock { $0.jobs = saved.jobs }
    }

    /// Stops waiting at the next poll and leaves every job running (Ctrl+C); the run can be
    /// picked up again with `factorybench watch ID`.
    public func detach() {
        state.withLock { $0.detachRequested = true }
    }

    /// Whether the run was left with its jobs running (a Ctrl+C that came after the clients
    /// ended changes nothing: the run finishes and cancels its service as usual).
    public var isDetached: Bool { state.withLock { $0.detached } }

    public var kind: String { "slurm" }
    public var capabilities: ExecutorCapabilities { [.detach, .remoteLogs, .statusLine] }
    public var statusLine: String? { state.withLock { $0.statusLine } }
    public var jobs: [JobRecord] { state.withLock { $0.jobs } }

    /// Checks that the recipe can become batch scripts, before anything is written; a
    /// problem is a `RecipeError` at the key to change.
    public static func check(_ recipe: Recipe) throws {
        let scripts = SlurmBatchScript(recipe: recipe, layout: SlurmLayout(benchmarkID: "check", binary: "bin"))
        do {
            _ = try scripts.service()
            _ = try scripts.clients()
        } catch let error as SlurmError {
            guard case .unsafeDirective(let key, let value) = error else { throw error }
            throw RecipeError.invalidValue(
                recipe.locate(key), key: key,
                problem: "\(String(reflecting: value)) cannot go into an #SBATCH line (sbatch reads those lines itself); "
                    + "use only letters, digits and ._-:,=+@%/[] there")
        }
    }

    private var remote: String { layout.runDirectory }

    public func deploy(logDirectory: URL) async throws -> ServiceEndpoint {
        let scripts = SlurmBatchScript(recipe: recipe, layout: layout)
        let local = runDirectory.url.appendingPathComponent("slurm")
        try FileManager.default.createDirectory(at: local, withIntermediateDirectories: true)
        var files = [local.appendingPathComponent("service.sbatch"), local.appendingPathComponent("recipe.yaml")]
        try AtomicFile.write(Data(try scripts.service().utf8), to: files[0])
        try AtomicFile.write(Data(RecipePlan.resolvedYAML(recipe).utf8), to: files[1])
        let clientsScript = local.appendingPathComponent("clients.sbatch")
        try AtomicFile.write(Data(try scripts.clients().utf8), to: clientsScript)
        files.append(clientsScript)

        status("uploading to \(shell.target):~/\(remote)/")
        let present = try await shell.check(
            "mkdir -p \(remote)/clients \(remote)/logs \(SlurmLayout.root)/bin && "
                + "if [ -x \(layout.binary) ]; then echo present; fi",
            what: "mkdir -p ~/\(remote)")
        if !present.contains("present"), let binary {
            try await shell.upload([binary], to: remote)
            try await shell.check(
                "mv \(remote)/\(Shell.quote(binary.lastPathComponent)) \(layout.binary)", what: "mv … \(layout.binary)")
        }
        try await shell.upload(files, to: remote)

        let serviceJob = try await submit(["service.sbatch"], roles: ["service"]).first!
        var endpoint = try await waitUntilReady(serviceJob: serviceJob)
        status("preparing the service's data")
        let prepared = try await shell.check(node("prepare"), what: "factorybench node prepare")
        if let version = Self.environmentFields(prepared)["version"] {
            endpoint.version = version
        }
        return endpoint
    }

    public func runClients(
        benchmarkID: String, clientsDirectory: URL, endpoint: ServiceEndpoint, progress: ProgressCounter
    ) async throws -> [ClientOutcome] {
        let exclude = Self.clientExclusion(
            recipe: recipe, serviceNodes: endpoint.nodes ?? jobs.first { $0.role == "service" }?.node)
        _ = try await submit(["clients.sbatch"], roles: ["clients"], options: exclude)
        return try await waitForClients(clientsDirectory: clientsDirectory)
    }

    /// The clients' job's `--exclude`: every node of the service's job (a multi-node service's
    /// whole node list), unless `client.share_service_nodes` lets them share: clients would
    /// compete with the service for its CPUs.
    static func clientExclusion(recipe: Recipe, serviceNodes: String?) -> String {
        guard recipe.client.options["share_service_nodes"]?.boolValue != true, let serviceNodes else { return "" }
        return " --exclude=\(Shell.quote(serviceNodes))"
    }

    /// Polls until every client job has ended, then copies their records and the logs back.
    public func waitForClients(clientsDirectory: URL) async throws -> [ClientOutcome] {
        guard jobs.contains(where: \.isClientJob) else {
            throw SlurmError.noClientJobs(benchmarkID: layout.benchmarkID)
        }
        while true {
            let jobs = try await poll()
            let clients = jobs.filter(\.isClientJob)
            if clients.allSatisfy(\.isTerminal) { break }
            // Clients of a service that has ended would wait in the queue, or run, for nothing.
            if let service = jobs.first(where: { $0.role == "service" }), service.isTerminal {
                status("the service job ended (\(service.summary)); cancelling the clients")
                _ = try? await shell.run("scancel \(clients.filter { !$0.isTerminal }.map(\.id).joined(separator: " "))")
            }
            try await pause()
        }
        _ = try await finalStates()
        return try await collect(clientsDirectory: clientsDirectory)
    }

    /// Copies back whatever the clients have written so far, and the logs.
    public func collect(clientsDirectory: URL) async throws -> [ClientOutcome] {
        status("copying the clients' records back")
        // What an earlier collect copied (a client's .partial file) goes: the cluster's copy
        // is the one to keep.
        if FileManager.default.fileExists(atPath: clientsDirectory.path) {
            try FileManager.default.removeItem(at: clientsDirectory)
        }
        try await shell.download("\(remote)/clients", to: clientsDirectory)
        try? await shell.download("\(remote)/logs", to: runDirectory.logs)
        try? await shell.download("\(remote)/telemetry", to: runDirectory.telemetryFiles)
        // Runs started before the clients were one job had one job per client.
        if let job = jobs.first(where: { $0.role == "clients" }) {
            let usages = Dictionary(
                ClientProcessUsage.read(in: clientsDirectory).map { ($0.clientID, $0) }, uniquingKeysWith: { a, _ in a })
            return (0..<recipe.numClients).map { clientID in
                let file = "client-\(clientID).jsonl"
                let exists = FileManager.default.fileExists(atPath: clientsDirectory.appendingPathComponent(file).path)
                // srun fails the job when any task fails: a client that wrote what it spent
                // (at its clean end), or whose own command succeeded, finished its work.
                let finished =
                    (usages[clientID]?.runSeconds ?? 0) > 0
                    || FileManager.default.fileExists(
                        atPath: clientsDirectory.appendingPathComponent("client-\(clientID).done").path)
                let error: String? =
                    if job.succeeded || (job.stateWord == "UNKNOWN" && exists) || finished {
                        exists ? nil : "\(job.summary), but wrote no \(file)"
                    } else if job.isTerminal {
                        "did not finish: the clients' job \(job.summary) (see logs/client-\(clientID).log)"
                    } else {
                        "\(job.summary) when its records were collected"
                    }
                return ClientOutcome(clientID: clientID, file: file, error: error)
            }
        }
        return jobs.filter(\.isClientJob).enumerated().map { clientID, job in
            let file = "client-\(clientID).jsonl"
            let exists = FileManager.default.fileExists(atPath: clientsDirectory.appendingPathComponent(file).path)
            // A job Slurm no longer knows (purged before `watch`) that closed its file
            // cleanly (the final name is written only then) finished its work.
            let error =
                job.succeeded || (job.stateWord == "UNKNOWN" && exists)
                ? (exists ? nil : "\(job.summary), but wrote no \(file)")
                : job.isTerminal ? job.summary : "\(job.summary) when its records were collected"
            return ClientOutcome(clientID: clientID, file: file, error: error)
        }
    }

    /// Asks Slurm for every job's state now.
    public func refresh() async throws {
        try await poll()
        _ = try await finalStates()
    }

    /// Cancels every job of the run that has not ended, and waits until Slurm says so.
    public func cancel() async throws {
        let running = jobs.filter { !$0.isTerminal }.map(\.id)
        guard !running.isEmpty else { return }
        // Every job of the run, not only those seen running: a state read once as ended may
        // be a job Slurm requeued. scancel leaves ended jobs alone.
        try await shell.check("scancel \(jobs.map(\.id).joined(separator: " "))", what: "scancel")
        // The cancellation shows in squeue within a poll or two.
        for _ in 0..<20 {
            guard try await poll().contains(where: { running.contains($0.id) && !$0.isTerminal }) else { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        _ = try? await finalStates()
    }

    /// The end of every log of the run on the cluster.
    public func remoteLogs(lines: Int = 40) async throws -> String {
        try await shell.check(
            "for file in \(remote)/logs/*.log; do [ -f \"$file\" ] || continue; echo \"==> $file <==\"; "
                + "tail -n \(lines) \"$file\"; echo; done",
            what: "tail ~/\(remote)/logs/*.log")
    }

    /// Ends the shared ssh connection.
    public func close() async {
        await shell.close()
    }

    /// Waits one poll interval, or ends the wait when the run was detached.
    private func pause() async throws {
        func leaveIfAsked() throws {
            let leaving = state.withLock { state in
                if state.detachRequested { state.detached = true }
                return state.detached
            }
            if leaving { throw ExecutionError.detached(benchmarkID: layout.benchmarkID) }
        }
        try leaveIfAsked()
        try await Task.sleep(for: pollInterval)
        try leaveIfAsked()
    }

    /// Cancels the service (and any job still running) and brings the last logs back;
    /// after a detach it leaves every job running and only closes the connection.
    public func teardown() async throws {
        if !isDetached {
            try? await cancel()
            try? await shell.download("\(remote)/logs", to: runDirectory.logs)
            // The service's sampler has ended with its job: its last lines come too.
            try? await shell.download("\(remote)/telemetry", to: runDirectory.telemetryFiles)
        }
        await shell.close()
    }

    // MARK: - Steps

    /// Submits scripts from the run directory in one remote call; returns the job ids.
    private func submit(_ scripts: [String], roles: [String], options: String = "") async throws -> [String] {
        status("submitting \(roles.count == 1 ? roles[0] : "\(roles.count) clients")")
        // One sbatch per script, each answer on a line of its own: a rejected script stops
        // the rest, and every job that was queued is recorded (so it is cancelled with the run)
        // whatever else a login profile prints.
        let command =
            "cd \(remote) && for script in \(scripts.joined(separator: " ")); do "
            + "id=$(sbatch --parsable\(options) \"$script\") || exit 1; echo \"factorybench-job $script $id\"; done"
        let result = try await shell.run(command)
        var ids: [String] = []
        for line in result.output.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard words.count == 3, words[0] == "factorybench-job", ids.count < scripts.count,
                words[1] == scripts[ids.count]
            else { continue }
            let id = String(words[2].split(separator: ";").first ?? "")
            if !id.isEmpty, id.allSatisfy(\.isNumber) { ids.append(id) }
        }
        try save(
            state.withLock { state in
                state.jobs += zip(ids, roles).map { JobRecord(id: $0, role: $1) }
                return state.jobs
            })
        guard result.status == 0, ids.count == scripts.count else {
            throw SlurmError.remoteCommandFailed(
                target: shell.target, command: "sbatch \(scripts[min(ids.count, scripts.count - 1)])",
                status: result.status, output: result.errors + result.output)
        }
        return ids
    }

    /// Polls until `service.env` exists and the probe answers; `service.ready_timeout`
    /// counts from the moment the job runs (time in the queue is not the service's fault).
    private func waitUntilReady(serviceJob: String) async throws -> ServiceEndpoint {
        let timeout = recipe.service.options["ready_timeout"]?.doubleValue ?? 120
        var runningSince: ContinuousClock.Instant?
        var lastProbe = ""
        while true {
            guard let job = try await poll().first(where: { $0.id == serviceJob }) else { continue }
            if job.isTerminal {
                try await finalStates()
                let tail = try? await shell.run("tail -n 15 \(remote)/logs/service-\(serviceJob).log")
                throw SlurmError.serviceJobEnded(
                    job: serviceJob, state: jobs.first { $0.id == serviceJob }?.summary ?? job.state,
                    logTail: tail?.output.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
            }
            if job.stateWord == "RUNNING" {
                let started = runningSince ?? .now
                runningSince = started
                let probe = try await shell.run(
                    "if [ -f \(remote)/service.env ]; then \(node("probe")); else echo 'no service.env yet'; exit 3; fi")
                if probe.status == 0 {
                    let endpoint = try Self.endpoint(fromEnvironmentFile: probe.output)
                    return endpoint
                }
                lastProbe = (probe.errors + probe.output).trimmingCharacters(in: .whitespacesAndNewlines)
                if ContinuousClock.now - started > .seconds(timeout) {
                    _ = try? await shell.run("scancel \(serviceJob)")
                    throw SlurmError.serviceNotReady(
                        job: serviceJob, seconds: timeout, state: job.summary, detail: lastProbe)
                }
            }
            try await pause()
        }
    }

    /// One `squeue` call for every job of the run; updates and returns them. A job squeue no
    /// longer knows (purged after `MinJobAge`) is looked up in `sacct`/`scontrol`, and ends
    /// as `UNKNOWN` when nothing knows it, so the wait always ends.
    @discardableResult
    private func poll() async throws -> [JobRecord] {
        let ids = jobs.map(\.id)
        guard !ids.isEmpty else { return [] }
        // A failed squeue (a busy controller, a dropped connection) only skips this poll;
        // ssh failing to connect several times in a row ends the run.
        var answer = try await shell.run(
            "squeue -h -t all -j \(ids.joined(separator: ",")) -o '\(SlurmStatusParser.squeueFormat)'")
        var attempts = 1
        while answer.status == 255, attempts < 4 {
            try await Task.sleep(for: .seconds(2 * attempts))
            answer = try await shell.run(
                "squeue -h -t all -j \(ids.joined(separator: ",")) -o '\(SlurmStatusParser.squeueFormat)'")
            attempts += 1
        }
        if answer.status == 255 {
            throw SlurmError.remoteCommandFailed(
                target: shell.target, command: "squeue", status: 255, output: answer.errors)
        }
        guard answer.status == 0 else { return jobs }
        let seen = SlurmStatusParser.squeue(answer.output)
        let missing = jobs.filter { !$0.isTerminal && seen[$0.id] == nil }.map(\.id)
        state.withLock { state in
            for index in state.jobs.indices {
                guard let report = seen[state.jobs[index].id] else { continue }
                state.jobs[index].update(from: report)
            }
        }
        if !missing.isEmpty {
            let found = try await finalStates(of: missing)
            state.withLock { state in
                for index in state.jobs.indices where missing.contains(state.jobs[index].id) {
                    if !found.contains(state.jobs[index].id) {
                        state.jobs[index].state = "UNKNOWN"
                        state.jobs[index].reason = "no longer known to squeue, sacct or scontrol"
                    }
                }
            }
        }
        let jobs = state.withLock { state in
            state.statusLine = Self.describe(state.jobs)
            return state.jobs
        }
        try save(jobs)
        return jobs
    }

    /// Saves what `watch`, `collect` and `cancel` need to find the jobs again; a run whose
    /// jobs could not be saved fails, since nothing else could stop them later.
    private func save(_ jobs: [JobRecord]) throws {
        let saved = Saved(target: recipe.target, binary: layout.binary, jobs: jobs)
        try AtomicFile.writeJSON(saved, to: runDirectory.url.appendingPathComponent("slurm/jobs.json"))
    }

    /// Exit codes and exact end states (`CANCELLED by 1001`) of ended jobs: `sacct`, or
    /// `scontrol show job` where there is no accounting database. Returns the ids found.
    @discardableResult
    private func finalStates(of ids: [String]? = nil) async throws -> Set<String> {
        let ended = ids ?? jobs.filter(\.isTerminal).map(\.id)
        guard !ended.isEmpty else { return [] }
        let output = try await shell.check(
            "sacct -X -n -P -j \(ended.joined(separator: ",")) -o \(SlurmStatusParser.sacctFields) 2>/dev/null | grep . "
                + "|| for job in \(ended.joined(separator: " ")); do scontrol -o show job $job 2>/dev/null; done; true",
            what: "sacct")
        let final = SlurmStatusParser.finalStates(output)
        state.withLock { state in
            for index in state.jobs.indices {
                guard let report = final[state.jobs[index].id] else { continue }
                state.jobs[index].update(from: report)
            }
            state.statusLine = Self.describe(state.jobs)
        }
        try save(jobs)
        return Set(final.keys)
    }

    /// The uploaded executable's node-side command, run on the login node.
    private func node(_ action: String) -> String {
        "\(layout.binary) node \(action) --recipe \(remote)/recipe.yaml --endpoint \(remote)/service.env"
    }

    private func status(_ text: String) {
        state.withLock { $0.statusLine = text }
    }

    /// `host=…` lines (what `service.env` holds and `node probe` prints) as an endpoint.
    public static func endpoint(fromEnvironmentFile text: String) throws -> ServiceEndpoint {
        let fields = environmentFields(text)
        guard let host = fields["host"], !host.isEmpty, let port = fields["port"].flatMap({ Int($0) }) else {
            throw SlurmError.remoteCommandFailed(target: "service.env", command: "read service.env", status: 0, output: text)
        }
        var endpoint = ServiceEndpoint(host: host, port: port, version: fields["version"])
        endpoint.nodes = fields["nodes"].flatMap { $0.isEmpty ? nil : $0 }
        return endpoint
    }

    /// `key=value` lines (service.env, what `node probe` and `node prepare` print).
    static func environmentFields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return fields
    }

    /// `service RUNNING on n1 · clients: 2 RUNNING, 1 PENDING (Resources)`.
    static func describe(_ jobs: [JobRecord]) -> String {
        var parts: [String] = []
        if let service = jobs.first(where: { $0.role == "service" }) { parts.append("service \(service.summary)") }
        if let clients = jobs.first(where: { $0.role == "clients" }) {
            let pending = clients.stateWord == "PENDING" ? " (\(clients.reason ?? ""))" : ""
            parts.append("clients \(clients.stateWord)\(pending)")
        }
        let clients = jobs.filter { $0.role.hasPrefix("client-") }
        if !clients.isEmpty {
            var counts: [String: Int] = [:]
            for client in clients {
                let pending = client.stateWord == "PENDING" ? " (\(client.reason ?? ""))" : ""
                counts[client.stateWord + pending, default: 0] += 1
            }
            parts.append("clients: " + counts.sorted { $0.key < $1.key }.map { "\($1) \($0)" }.joined(separator: ", "))
        }
        return parts.joined(separator: " · ")
    }
}
