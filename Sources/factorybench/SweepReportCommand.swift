import ArgumentParser
import FactoryBenchCore
import FactoryBenchRendering
import Foundation

/// The old framework's `--sweep-report IDS`: the sweep analysis over runs that exist.
struct SweepReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep-report",
        abstract: "Find saturation, the latency knee and the SLO limit over runs at rising load.",
        discussion: """
            Writes results/sweeps/ID/sweep.json and sweep.md (ID: the runs' sweep, or the first \
            run's id) and prints sweep.md.
            """)

    @Argument(help: "The runs: ids under results/ or results directories (three or more for a knee).")
    var runs: [String]

    @Option(help: "A p99 latency limit in seconds, instead of the runs' own slo objectives (the old --slo).")
    var slo: Double?

    @Option(name: .customLong("max-error-rate"), help: "Error rate above which errors are named the bottleneck.")
    var maxErrorRate: Double = 0.01

    @OptionGroup var options: WorkspaceOptions

    func validate() throws {
        guard !runs.isEmpty else { throw ValidationError("name the runs of the sweep") }
        if let slo, slo <= 0 { throw ValidationError("--slo must be a latency in seconds above 0") }
    }

    func run() throws {
        let workspace = options.workspace
        var sweepIDs: Set<String> = []
        let points = try runs.map { id -> SweepAnalysis.Point in
            let directory = try workspace.resolveRun(id)
            let manifest = try RunManifest.read(from: directory.manifest)
            guard let summary = directory.readSummary() else {
                throw ValidationError("run \(id) has no summary.json: aggregate it first (factorybench report \(id))")
            }
            if let sweep = manifest.sweepID { sweepIDs.insert(sweep) }
            var point = SweepAnalysis.Point(manifest: manifest, summary: summary)
            if let slo {
                point.meetsObjectives = (point.p99 ?? .infinity) <= slo
                point.headroom = point.p99.map { (slo - $0) / slo }
            }
            return point
        }
        try Self.save(
            SweepAnalysis(points: points, maxErrorRate: maxErrorRate),
            id: sweepIDs.count == 1 ? sweepIDs.first! : points[0].runID, in: workspace,
            templatesDirectory: options.templatesDirectory)
    }

    /// Writes `results/sweeps/<id>/sweep.json` and `sweep.md`, prints `sweep.md`, and brings
    /// the site up to date (the sweep's page shows the analysis).
    static func save(_ analysis: SweepAnalysis, id: String, in workspace: Workspace, templatesDirectory: URL?) throws {
        let directory = workspace.resultsRoot.appendingPathComponent("sweeps").appendingPathComponent(id)
        let markdown = SweepReport.markdown(analysis, title: id)
        try AtomicFile.writeJSON(analysis, to: directory.appendingPathComponent("sweep.json"))
        try AtomicFile.write(markdown, to: directory.appendingPathComponent("sweep.md"))
        print(markdown, terminator: "")
        print("Sweep analysis: results/sweeps/\(id)/sweep.json, sweep.md")
        try SiteBuilder(workspace: workspace, templates: TemplateSet.load(overrides: templatesDirectory)).build()
    }
}
