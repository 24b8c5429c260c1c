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
    /// Where the recipe runs: this machine or Slurm, by its target (a fake in tests).
    public var executors: any ExecutorFactory = StandardExecutors()
    /// Whether Ctrl+C detaches from a run whose executor can detach (the command line sets it).
    public var interruptDetaches = false
    /// How often the progress line is redrawn on a terminal and printed to a log.
    public var interactiveInterval: Duration = ProgressDisplay.interactiveDefault
    public var logInterval: Duration = ProgressDisplay.logDefault

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
        // Every input check comes before the run directory exists, so a recipe this target
        // cannot run leaves nothing behind.
        try executors.check(recipe)
        let startDate = Date()
        let clock = WallAnchoredClock()
        let (id, directory) = try workspace.createRun(name: recipe.name, at: startDate)
        let executor: any Executor
        do {
            executor = try executors.make(recipe: recipe, benchmarkID: id, directory: directory, clock: clock)
        } catch {
            try? FileManager.default.removeItem(at: directory.url)
            throw error
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
        let interrupt =
            interruptDetaches && executor.capabilities.contains(.detach) ? Self.detachOnInterrupt(executor) : nil
        defer { interrupt?.cancel() }
        var firstFailure: PipelineError?
        do {
            let endpoint: ServiceEndpoint
            do {
                endpoint = try await run.step("deploy") {
                    // An executor with a status line says what it waits for (upload, queue, readiness).
                    guard executor.capabilities.contains(.statusLine) else {
                        return try await executor.deploy(logDirectory: directory.logs)
                    }
                    return try await display.showing(
                        executor, progress: ProgressCounter(expectedRequests: nil, expectedSeconds: nil)
                    ) { try await executor.deploy(logDirectory: directory.logs) }
                }
            } catch {
                try? await executor.teardown()
                throw error
            }
            run.manifest.service = endpoint
            let cpuBefore = ProcessCPU.seconds()
            let clientsStarted = Date()
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
            // This process's CPU is the clients' only when they ran in it (the local executor).
            if executor.kind == "local" {
                run.manifest.clientCPUSeconds = ProcessCPU.seconds() - cpuBefore
                run.manifest.clientRunSeconds = Date().timeIntervalSince(clientsStarted)
                run.manifest.clientCores = ProcessCPU.allowedCores()
            }
            if let reason = Self.failureReason(outcomes) { run.fail(.partial, reason: reason) }
        } catch let error as PipelineError {
            if executor.isDetached {
                run.manifest.statusReason = "detached (Ctrl+C) while its jobs ran"
                if !executor.jobs.isEmpty { run.manifest.jobs = executor.jobs }
                try run.save()
                throw ExecutionError.detached(benchmarkID: id)
            }
            firstFailure = error
            run.fail(.failed, reason: error.localizedDescription)
        }
        if !executor.jobs.isEmpty { run.manifest.jobs = executor.jobs }
        // Where the jobs ran is where to look first when something went wrong.
        if run.manifest.status != .running, executor.capabilities.contains(.remoteLogs) {
            output.line("      the jobs' logs, read where they ran: factorybench logs \(id)")
        }
        return try await RunFinisher(
            workspace: workspace, templatesDirectory: templatesDirectory, templates: templates, output: output
        ).finish(run: &run, recipe: recipe, directory: directory, startDate: startDate, firstFailure: firstFailure)
    }

    var display: ProgressDisplay {
        ProgressDisplay(output: output, interactiveInterval: interactiveInterval, logInterval: logInterval)
    }

    private func runClients(
        executor: any Executor, benchmarkID: String, directory: RunDirectory, endpoint: ServiceEndpoint
    ) async throws -> [ClientOutcome] {
        let progress = ProgressCounter(expectedRequests: executor.expectedRequests, expectedSeconds: executor.expectedSeconds)
        return try await display.showing(executor, progress: progress) {
            try await executor.runClients(
                benchmarkID: benchmarkID, clientsDirectory: directory.clients, endpoint: endpoint, progress: progress)
        }
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
    static func detachOnInterrupt(_ executor: any Executor) -> Task<Void, Never> {
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

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}

/// Set by the SIGINT handler of a cluster run (an atomic store is safe in a handler).
private let interruptRaised = Atomic<Bool>(false)
