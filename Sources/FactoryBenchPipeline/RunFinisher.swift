import FactoryBenchCore
import FactoryBenchRendering
import Foundation

/// Collect → aggregate → report → site: the end of every run, whether `run` saw it through
/// or `watch` and `collect` pick up a cluster run that `run` detached from.
struct RunFinisher: Sendable {
    let workspace: Workspace
    let templatesDirectory: URL?
    let templates: TemplateSet
    let output: any PipelineOutput

    /// Finishes the run recorded by `run`; `firstFailure` is a failure of an earlier step,
    /// thrown once everything that can still be done is done.
    func finish(
        run: inout RunRecorder, recipe: Recipe, directory: RunDirectory, startDate: Date, firstFailure: PipelineError?
    ) async throws -> RunPipeline.Outcome {
        let id = run.manifest.benchmarkID
        var firstFailure = firstFailure
        var summary: RunSummary?
        // Collect and aggregate whatever the clients wrote, even after a failure.
        do {
            try await run.step("collect") {
                var header = RequestFileHeader(recipe: recipe, benchmarkID: id, testStart: startDate.timeIntervalSince1970)
                header.numClients = recipe.numClients
                let files = Collector.clientFiles(in: directory.clients)
                guard !files.isEmpty else { throw CollectionError.noClientFiles(directory: directory.clients.path) }
                try Collector.merge(files: files, header: header.line, into: directory.requests)
                // The samplers' lines: a sampling failure never fails the run.
                _ = try? TelemetryFiles.merge(directory)
            }
            let manifest = run.manifest
            // What each client on a compute node wrote beside its records (Slurm): read once,
            // for the generator's CPU and for each client's node and start.
            let usages = ClientProcessUsage.read(in: directory.clients)
            summary = try await run.step("aggregate") {
                var summary = try Aggregator.aggregate(
                    files: [directory.requests], goodput: ServiceLevelObjectives(recipe.slo).goodputLimits)
                // Clients in this process (local) measured here; clients on compute nodes
                // (Slurm) each wrote what they spent beside their records.
                var usage: (cpuSeconds: Double, runSeconds: Double, cores: Int)?
                if let cpu = manifest.clientCPUSeconds, let seconds = manifest.clientRunSeconds,
                    let cores = manifest.clientCores
                {
                    usage = (cpu, seconds, cores)
                } else {
                    usage = ClientProcessUsage.total(usages)
                }
                if let usage {
                    let records = summary.totalRequests + summary.excludedRequests.warmup + summary.excludedRequests.cooldown
                    summary.loadGenerator?.addRun(
                        cpuSeconds: usage.cpuSeconds, cores: usage.cores, runSeconds: usage.runSeconds, records: records)
                }
                // The start skew beyond the stagger the recipe asked for.
                if recipe.clientDelay > 0 {
                    summary.loadGenerator?.setStartSkew(
                        firstStarts: summary.clients.values.compactMap(\.firstRequest), duration: summary.testDurationSeconds,
                        intendedSpread: recipe.startOffset(ofClient: recipe.numClients - 1))
                }
                summary.addTelemetry(from: directory)
                try AtomicFile.writeJSON(summary, to: directory.summary)
                return summary
            }
            // Each client's node, readiness and start (what it wrote beside its records on
            // Slurm) and its first request, in run.json.
            if let summary {
                for index in run.manifest.clients.indices {
                    let clientID = run.manifest.clients[index].clientID
                    if let usage = usages.first(where: { $0.clientID == clientID }) {
                        run.manifest.clients[index].node = usage.host
                        run.manifest.clients[index].readyAt = usage.readyAt
                        run.manifest.clients[index].startAt = usage.startAt
                    }
                    run.manifest.clients[index].firstRequest = summary.clients[String(clientID)]?.firstRequest
                }
            }
            if summary?.totalRequests == 0 {
                run.fail(.failed, reason: run.manifest.statusReason ?? "no request was recorded")
            }
        } catch let error as PipelineError {
            firstFailure = firstFailure ?? error
            run.fail(.failed, reason: run.manifest.statusReason ?? error.localizedDescription)
        }
        if run.manifest.status == .running { run.manifest.status = .completed }
        run.manifest.finishedAt = RunPipeline.timestamp(Date())
        try run.save(after: firstFailure)

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
        try run.save(after: firstFailure)
        if let firstFailure { throw firstFailure }
        return RunPipeline.Outcome(
            benchmarkID: id, status: run.manifest.status, statusReason: run.manifest.statusReason, results: directory,
            reportDirectory: reportDirectory,
            sitePage: workspace.siteDirectory.appendingPathComponent("runs/\(id)/index.html"), summary: summary,
            comparisonID: comparisonID)
    }
}
