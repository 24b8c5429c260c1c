import FactoryBenchCore
import FactoryBenchRendering
import Foundation

/// `factorybench report ID`: re-aggregates a run from its request files and re-renders its
/// report, without running anything.
public struct ReportPipeline: Sendable {
    public var workspace: Workspace
    public var templatesDirectory: URL?

    public init(workspace: Workspace, templatesDirectory: URL?) {
        self.workspace = workspace
        self.templatesDirectory = templatesDirectory
    }

    /// Writes `summary.json` and `reports/<id>/`; returns the report directory and summary.
    public func report(_ idOrPath: String) throws -> (directory: URL, summary: RunSummary) {
        let templates = try TemplateSet.load(overrides: templatesDirectory)
        let run = try workspace.resolveRun(idOrPath)
        let manifest = try RunManifest.read(from: run.manifest)
        let files = run.requestFiles
        guard !files.isEmpty else { throw CollectionError.noClientFiles(directory: run.clients.path) }
        var summary = try Aggregator.aggregate(
            files: files, goodput: ServiceLevelObjectives(manifest: manifest).goodputLimits)
        if !FileManager.default.fileExists(atPath: run.telemetry.path) { _ = try? TelemetryFiles.merge(run) }
        summary.addTelemetry(from: run)
        try AtomicFile.writeJSON(summary, to: run.summaryForWriting)
        let directory = workspace.report(run.url.lastPathComponent)
        try ReportRenderer(templates: templates).write(manifest: manifest, summary: summary, to: directory)
        return (directory, summary)
    }
}
