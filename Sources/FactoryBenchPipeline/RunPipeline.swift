import FactoryBenchCore
import FactoryBenchNetwork
import FactoryBenchRendering
import Foundation
import Synchronization

/// `factorybench run`: deploy → run → collect → aggregate → report → site, printing
/// `[i/n] step` for each and saving `run.json` after each, so a failure at any step keeps
/// everything written before it and says why.
public struct RunPipeline: Sendable {
    public var recipePath: String
    /// A recipe already loaded (a sweep point); `recipePath` is loaded otherwise.
    public var recipe: Recipe?
    public var overrides: [RecipeOverride] = []
    /// When this run is a point of a sweep: the sweep's id.
    public var sweepID: String?
    public var workspace: Workspace
    public var templatesDirectory: URL?
    public var output: any PipelineOutput
    /// The executable the compute nodes of a Slurm run use (this one by default).
    public var nodeBinary: URL?
    /// Time between two polls of a Slurm run's jobs.
    public var slurmPollInterval: Duration = .seconds(2)
    /// Whether Ctrl+C detaches from a cluster run (the command line sets it).
    public var interruptDetaches = false
    /// How often the progress line is redrawn on a terminal and printed to a log.
    public var interactiveInterval: Duration = .milliseconds(250)
    public var logInterval: Duration = .seconds(5)

    public init(recipePath: String, workspace: Workspace, templatesDirectory: URL?, output: any PipelineOutput) {
        self.recipePath = recipePath
        self.workspace = workspace
        self.templatesDirectory = templatesDirectory
        self.output = output
    }

    public init(recipe: Recipe, sweepID: String?, workspace: Workspace, templatesDirectory: URL?, output: any PipelineOutput) {
        self.init(recipePath: recipe.path, workspace: workspace, templatesDirectory: templatesDirectory, output: output)
        self.recipe = recipe
        self.sweepID = sweepID
    }

    /// What a finished run left where.
    public struct Outcome: Sendable {
        public var benchmarkID: String
        public var status: RunStatus
        public var statusReason: String?
        public var results: RunDirectory
        public var reportDirectory: URL
        public var sitePage: URL
        public var summary: RunSummary?
        /// The comparison with the previous run of the same recipe, when there was one.
        public var comparisonID: String?
    }

    static let steps = ["deploy", "run", "collect", "aggregate", "report", "site"]

    /// Runs the whole pipeline. Invalid input (`InputError`) is thrown before anything is
    /// written; a failed step is thrown as `PipelineError` after `run.json` records it.
    public func run() async throws -> Outcome {
        let recipe = try self.recipe ?? RecipeLoader.load(path: recipePath, overrides: overrides)
        guard recipe.sweep.isEmpty || self.recipe != nil else {
            throw RecipeError.unsupported(
                SourceLocation(file: recipe.path, line: 1, column: 1),
                problem: "this recipe is a sweep; run it with `factorybench run`, which runs every point")
        }
        let templates = try TemplateSet.load(overrides: templatesDirectory)
        let startDate = Date()
        let clock = WallAnchoredClock()
        // Made before the run directory exists, so a recipe this executor cannot run leaves
        // nothing behind.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("factorybench-\(UUID().uuidString)")
        var local: LocalExecutor?
        if recipe.isLocal {
            let (service, client) = try LocalComponents.make(for: recipe, scratchDirectory: scratch)
            local = LocalExecutor(recipe: recipe, clock: clock, service: service, client: client)
        } else {
            try SlurmExecutor.check(recipe)
        }
        let (id, directory) = try workspace.createRun(name: recipe.name, at: startDate)
        let executor: any Executor
        if let local {
            executor = local
        } else {
            let client = try LocalComponents.client(for: recipe)
            executor = try SlurmExecutor(
                recipe: recipe, benchmarkID: id, runDirectory: directory, shell: SSHShell.forTarget(recipe.target),
                binary: nodeBinary ?? Self.currentExecutable,
                expectedRequests: client.requestsPerClient.map { $0 * recipe.numClients },
                expectedSeconds: client.plan.totalSeconds, pollInterval: slurmPollInterval)
        }
        output.line("Benchmark \(id)")

        var run = RunRecorder(
            manifest: RunManifest(
                benchmarkID: id, recipeName: recipe.name, recipePath: recipe.path, recipeVerbatim: recipe.text,
                recipeResolved: recipe.resolved, serviceType: recipe.service.type.rawValue,
                clientType: recipe.client.type.rawValue, numClients: recipe.numClients, target: recipe.target,
                executor: executor.kind, host: ToolInfo.hostName, toolVersion: ToolInfo.version, toolCommit: ToolInfo.commit,
                workspaceCommit: ToolInfo.gitCommit(in: workspace.root.path), startedAt: Self.timestamp(startDate),
                finishedAt: nil, status: .running, statusReason: nil, service: nil, clients: [], steps: [],
                sweepID: sweepID, sweepPoint: recipe.sweepPoint.isEmpty ? nil : recipe.sweepPoint),
            url: directory.manifest, output: output, stepCount: Self.steps.count)
        try run.save()

        // Ctrl+C during a cluster run detaches: the jobs keep running and `watch ID` picks
        // the run up again.
        let interrupt = interruptDetaches ? (executor as? SlurmExecutor).map(Self.detachOnInterrupt) : nil
        defer { interrupt?.cancel() }
        var firstFailure: PipelineError?
        do {
            let endpoint: ServiceEndpoint
            do {
                endpoint = try await run.step("deploy") {
                    // A cluster run says what it waits for (upload, queue, readiness).
                    guard executor is SlurmExecutor else { return try await executor.deploy(logDirectory: directory.logs) }
                    return try await showingProgress(
                        of: executor, progress: ProgressCounter(expectedRequests: nil, expectedSeconds: nil)
                    ) { try await executor.deploy(logDirectory: directory.logs) }
                }
            } catch {
                try? await executor.teardown()
                throw error
            }
            run.manifest.service = endpoint
            let cpuBefore = ProcessCPU.seconds()
            let outcomes: [ClientOutcome]
            do {
                outcomes = try await run.step("run") {
                    try await runClients(executor: executor, benchmarkID: id, directory: directory, endpoint: endpoint)
                }
                try? await executor.teardown()
            } catch {
                try? await executor.teardown()
                throw error
            }
            run.manifest.clients = outcomes
            run.manifest.clientCPUSeconds = ProcessCPU.seconds() - cpuBefore
            if let reason = Self.failureReason(outcomes) { run.fail(.partial, reason: reason) }
        } catch let error as PipelineError {
            if let slurm = executor as? SlurmExecutor, slurm.isDetached {
                run.manifest.statusReason = "detached (Ctrl+C) while its jobs ran"
                if !executor.jobs.isEmpty { run.manifest.jobs = executor.jobs }
                try run.save()
                throw SlurmError.detached(benchmarkID: id)
            }
            firstFailure = error
            run.fail(.failed, reason: error.localizedDescription)
        }
        if !executor.jobs.isEmpty { run.manifest.jobs = executor.jobs }
        return try await finish(
            run: &run, recipe: recipe, directory: directory, startDate: startDate, templates: templates,
            firstFailure: firstFailure)
    }

    /// Collect → aggregate → report → site, then the outcome: the end of every run, and what
    /// `watch` and `collect` do for a run that was detached.
    func finish(
        run: inout RunRecorder, recipe: Recipe, directory: RunDirectory, startDate: Date, templates: TemplateSet,
        firstFailure: PipelineError?
    ) async throws -> Outcome {
        let id = run.manifest.benchmarkID
        var firstFailure = firstFailure
        var summary: RunSummary?
        // Collect and aggregate whatever the clients wrote, even after a failure.
        do {
            try await run.step("collect") {
                var header = JSONLine()
                header.add("benchmark_id", id)
                header.add("service_type", recipe.service.type.rawValue)
                header.add("client_type", recipe.client.type.rawValue)
                header.add("test_start", startDate.timeIntervalSince1970, decimals: 6)
                header.add("num_clients", recipe.numClients)
                let files = Collector.clientFiles(in: directory.clients)
                guard !files.isEmpty else { throw CollectionError.noClientFiles(directory: directory.clients.path) }
                try Collector.merge(files: files, header: header, into: directory.requests)
            }
            summary = try await run.step("aggregate") {
                let summary = try Aggregator.aggregate(
                    files: [directory.requests], goodput: ServiceLevelObjectives(recipe.slo).goodputLimits)
                try AtomicFile.writeJSON(summary, to: directory.summary)
                return summary
            }
            if summary?.totalRequests == 0 {
                run.fail(.failed, reason: run.manifest.statusReason ?? "no request was recorded")
            }
        } catch let error as PipelineError {
            firstFailure = firstFailure ?? error
            run.fail(.failed, reason: run.manifest.statusReason ?? error.localizedDescription)
        }
        if run.manifest.status == .running { run.manifest.status = .completed }
        run.manifest.finishedAt = Self.timestamp(Date())
        try run.save()

        let reportDirectory = workspace.report(id)
        var comparisonID: String?
        do {
            if let summary {
                let manifest = run.manifest
                let comparison = try await run.step("report") { () -> Comparison? in
                    try ReportRenderer(templates: templates).write(manifest: manifest, summary: summary, to: reportDirectory)
                    // Every run is compared with the previous run of its recipe.
                    guard let previous = ComparePipeline.previousRun(of: manifest, in: workspace) else { return nil }
                    return try ComparePipeline(
                        workspace: workspace, templatesDirectory: templatesDirectory, options: ComparisonOptions()
                    ).compare(base: previous, current: directory, templates: templates).comparison
                }
                if let comparison {
                    comparisonID = comparison.id
                    output.line("      compared with \(comparison.base.id): \(comparison.headline())")
                }
            } else {
                run.skip("report", reason: "no summary to report")
            }
            try await run.step("site") {
                try SiteBuilder(workspace: workspace, templates: templates).build()
            }
        } catch let error as PipelineError {
            firstFailure = firstFailure ?? error
        }
        try run.save()
        if let firstFailure { throw firstFailure }
        return Outcome(
            benchmarkID: id, status: run.manifest.status, statusReason: run.manifest.statusReason, results: directory,
            reportDirectory: reportDirectory,
            sitePage: workspace.siteDirectory.appendingPathComponent("runs/\(id)/index.html"), summary: summary,
            comparisonID: comparisonID)
    }

    private func runClients(
        executor: any Executor, benchmarkID: String, directory: RunDirectory, endpoint: ServiceEndpoint
    ) async throws -> [ClientOutcome] {
        let progress = ProgressCounter(expectedRequests: executor.expectedRequests, expectedSeconds: executor.expectedSeconds)
        return try await showingProgress(of: executor, progress: progress) {
            try await executor.runClients(
                benchmarkID: benchmarkID, clientsDirectory: directory.clients, endpoint: endpoint, progress: progress)
        }
    }

    /// Runs `body` while the progress line shows the request counts (or the executor's own
    /// status line, for jobs on a cluster).
    func showingProgress<T: Sendable>(
        of executor: any Executor, progress: ProgressCounter, _ body: () async throws -> T
    ) async throws -> T {
        let started = ContinuousClock.now
        let interactive = output.isInteractive
        let interval = interactive ? interactiveInterval : logInterval
        let output = output
        let display = { @Sendable in
            if let status = executor.statusLine {
                output.progress(status)
                return
            }
            output.progress(
                ProgressLine.text(
                    completed: progress.completed, failed: progress.failed, expectedRequests: progress.expectedRequests,
                    expectedSeconds: progress.expectedSeconds,
                    elapsedSeconds: RunRecorder.seconds(since: started),
                    interactive: interactive))
        }
        let monitor = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if !Task.isCancelled { display() }
            }
        }
        defer {
            monitor.cancel()
            display()
            output.endProgress()
        }
        return try await body()
    }

    /// Why a run is partial, when some of its clients failed.
    static func failureReason(_ outcomes: [ClientOutcome]) -> String? {
        let failures = outcomes.compactMap { outcome in outcome.error.map { "client \(outcome.clientID): \($0)" } }
        guard !failures.isEmpty else { return nil }
        let count = failures.count == outcomes.count ? "every client" : "\(failures.count) of \(outcomes.count) clients"
        return count + " failed: " + failures.joined(separator: "; ")
    }

    /// Turns SIGINT into a detach of `executor` until the returned task is cancelled.
    ///
    /// A plain handler sets a flag that a task polls: libdispatch's signal sources on Linux
    /// read a signalfd, and with SIGINT ignored (as they need) a thread that does not block
    /// it drops the signal, so Ctrl+C was sometimes lost.
    static func detachOnInterrupt(_ executor: SlurmExecutor) -> Task<Void, Never> {
        interruptRaised.store(false, ordering: .relaxed)
        signal(SIGINT) { _ in interruptRaised.store(true, ordering: .relaxed) }
        return Task {
            defer { signal(SIGINT, SIG_DFL) }
            while !Task.isCancelled {
                if interruptRaised.load(ordering: .relaxed) {
                    FileHandle.standardError.write(Data("\ndetaching: the jobs keep running\n".utf8))
                    executor.detach()
                    return
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// The running executable, which a Slurm run uploads for the compute nodes.
    static var currentExecutable: URL {
        URL(
            fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0])
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}

/// Set by the SIGINT handler of a cluster run (an atomic store is safe in a handler).
private let interruptRaised = Atomic<Bool>(false)
