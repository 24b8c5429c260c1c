import FactoryBenchCore
import FactoryBenchRendering
import Foundation

/// `factorybench watch|collect|cancel|logs ID`: what a user does with a cluster run after
/// `run` detached from it (Ctrl+C), from what the run saved in `results/<id>/`.
public struct SlurmRunControl: Sendable {
    public var workspace: Workspace
    public var templatesDirectory: URL?
    public var output: any PipelineOutput
    public var pollInterval: Duration = .seconds(2)

    public init(workspace: Workspace, templatesDirectory: URL?, output: any PipelineOutput) {
        self.workspace = workspace
        self.templatesDirectory = templatesDirectory
        self.output = output
    }

    /// Waits for the run's client jobs, then collects, aggregates, reports, adds the run to
    /// the site and cancels the service job — what `run` would have done.
    public func watch(_ id: String) async throws -> RunPipeline.Outcome {
        let (directory, manifest, executor) = try open(id)
        // A run whose jobs all ended after `run` finished with it has nothing to follow.
        guard manifest.status == .running || executor.jobs.contains(where: { !$0.isTerminal }) else {
            throw RunAlreadyEndedError(id: directory.url.lastPathComponent, status: manifest.status.rawValue)
        }
        var run = recorder(manifest, directory: directory)
        let display = ProgressDisplay(output: output)
        let outcomes: [ClientOutcome]
        do {
            outcomes = try await run.step("run") {
                try await display.showing(executor, progress: ProgressCounter(expectedRequests: nil, expectedSeconds: nil)) {
                    try await executor.waitForClients(clientsDirectory: directory.clients)
                }
            }
            try? await executor.teardown()
        } catch {
            try? await executor.teardown()
            throw error
        }
        record(outcomes, of: executor, in: &run)
        return try await finish(&run, directory: directory, executor: executor)
    }

    /// Copies back what the clients have written so far and reports it, leaving the jobs
    /// running; a client still running makes the report partial.
    public func collect(_ id: String) async throws -> RunPipeline.Outcome {
        let (directory, manifest, executor) = try open(id)
        var run = recorder(manifest, directory: directory)
        let outcomes = try await run.step("run") {
            try await executor.refresh()
            return try await executor.collect(clientsDirectory: directory.clients)
        }
        await executor.close()
        record(outcomes, of: executor, in: &run)
        return try await finish(&run, directory: directory, executor: executor)
    }

    /// Cancels every job of the run that has not ended; returns the jobs as Slurm last
    /// reported them.
    public func cancel(_ id: String) async throws -> [JobRecord] {
        let (directory, manifest, executor) = try open(id)
        try await executor.cancel()
        await executor.close()
        var updated = manifest
        updated.jobs = executor.jobs
        if updated.status == .running {
            updated.status = .failed
            updated.statusReason = "cancelled with `factorybench cancel`"
        }
        try AtomicFile.writeJSON(updated, to: directory.manifest)
        return executor.jobs
    }

    /// The end of each of the run's logs on the cluster.
    public func logs(_ id: String, lines: Int) async throws -> String {
        let (_, _, executor) = try open(id)
        let text = try await executor.remoteLogs(lines: lines)
        await executor.close()
        return text
    }

    // MARK: - Helpers

    private func open(_ id: String) throws -> (RunDirectory, RunManifest, SlurmExecutor) {
        let directory = try workspace.resolveRun(id)
        let manifest = try RunManifest.read(from: directory.manifest)
        return (directory, manifest, try SlurmExecutor(resuming: directory, pollInterval: pollInterval))
    }

    /// Picks up the run's record where `run` left it: the interrupted step is done again.
    private func recorder(_ manifest: RunManifest, directory: RunDirectory) -> RunRecorder {
        var manifest = manifest
        if let index = manifest.steps.firstIndex(where: { $0.name == "run" }) {
            manifest.steps.removeSubrange(index...)
        }
        manifest.status = .running
        manifest.statusReason = nil
        return RunRecorder(manifest: manifest, url: directory.manifest, output: output, stepCount: RunPipeline.steps.count)
    }

    private func record(_ outcomes: [ClientOutcome], of executor: SlurmExecutor, in run: inout RunRecorder) {
        run.manifest.clients = outcomes
        run.manifest.jobs = executor.jobs
        if let reason = RunPipeline.failureReason(outcomes) { run.fail(.partial, reason: reason) }
    }

    private func finish(
        _ run: inout RunRecorder, directory: RunDirectory, executor: SlurmExecutor
    ) async throws -> RunPipeline.Outcome {
        let startDate = ISO8601DateFormatter.fractional.date(from: run.manifest.startedAt) ?? Date()
        let finisher = RunFinisher(
            workspace: workspace, templatesDirectory: templatesDirectory,
            templates: try TemplateSet.load(overrides: templatesDirectory), output: output)
        return try await finisher.finish(
            run: &run, recipe: executor.recipe, directory: directory, startDate: startDate, firstFailure: nil)
    }
}

/// `watch` on a run that is no longer running.
public struct RunAlreadyEndedError: InputError, LocalizedError {
    public var id: String
    public var status: String

    public var errorDescription: String? {
        "run \(id) has already ended (\(status)); `factorybench report \(id)` renders it again"
    }
}

extension ISO8601DateFormatter {
    /// The format of `run.json`'s timestamps.
    static var fractional: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
