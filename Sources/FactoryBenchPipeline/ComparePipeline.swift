import FactoryBenchCore
import FactoryBenchRendering
import Foundation

/// `factorybench compare BASE CURRENT`: reads both runs (their request files for the
/// per-request samples), compares them, writes `reports/compare/<base>-vs-<current>/` and
/// rebuilds the site.
public struct ComparePipeline: Sendable {
    public var workspace: Workspace
    public var templatesDirectory: URL?
    public var options: ComparisonOptions

    public init(workspace: Workspace, templatesDirectory: URL?, options: ComparisonOptions) {
        self.workspace = workspace
        self.templatesDirectory = templatesDirectory
        self.options = options
    }

    public func compare(base: String, current: String) throws -> (comparison: Comparison, directory: URL) {
        let templates = try TemplateSet.load(overrides: templatesDirectory)
        let result = try compare(
            base: try workspace.resolveRun(base), current: try workspace.resolveRun(current), templates: templates)
        try SiteBuilder(workspace: workspace, templates: templates).build()
        return result
    }

    /// Compares two run directories and writes the comparison (without rebuilding the site).
    func compare(base: RunDirectory, current: RunDirectory, templates: TemplateSet) throws -> (
        comparison: Comparison, directory: URL
    ) {
        let a = try Self.load(base)
        let b = try Self.load(current)
        let comparison = RunComparator.compare(base: a, current: b, options: options)
        let directory = workspace.comparisonsRoot.appendingPathComponent(comparison.id)
        try ComparisonRenderer(templates: templates).write(
            comparison: comparison, base: a.summary, current: b.summary, to: directory)
        return (comparison, directory)
    }

    /// A run's manifest, summary (aggregated again if missing) and request samples.
    static func load(_ run: RunDirectory) throws -> RunComparator.Run {
        let manifest = try RunManifest.read(from: run.manifest)
        let files = run.requestFiles
        let summary: RunSummary
        if let decoded = run.readSummary() {
            summary = decoded
        } else {
            summary = try Aggregator.aggregate(files: files)
        }
        return RunComparator.Run(manifest: manifest, summary: summary, samples: try Aggregator.samples(files: files))
    }

    /// The most recent earlier run of the same recipe (and sweep point) that produced a
    /// summary, if any.
    static func previousRun(of manifest: RunManifest, in workspace: Workspace) -> RunDirectory? {
        workspace.runs().runs.first { run in
            let other = run.manifest
            return run.id != manifest.benchmarkID && other.recipeName == manifest.recipeName
                && other.sweepPoint == manifest.sweepPoint && other.startedAt < manifest.startedAt
                && (other.status == .completed || other.status == .partial)
                && FileManager.default.fileExists(atPath: run.directory.summary.path)
        }?.directory
    }
}
