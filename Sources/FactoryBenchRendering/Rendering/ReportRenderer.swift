import FactoryBenchCore
import Foundation

/// Renders one run's report: `report.md` (plots as files), `report.json` and `plots/*.svg`,
/// and the same Markdown with plots inline for the run's page on the site.
public struct ReportRenderer: Sendable {
    public let templates: TemplateSet

    public init(templates: TemplateSet) {
        self.templates = templates
    }

    public func markdown(manifest: RunManifest, summary: RunSummary, plots: [Plot], inlinePlots: Bool) throws -> String {
        try markdown(manifest: manifest, summary: summary, plots: plots, inlinePlots: inlinePlots, comparisons: [])
    }

    func markdown(
        manifest: RunManifest, summary: RunSummary, plots: [Plot], inlinePlots: Bool,
        comparisons: [ReportViewModel.ComparisonLink], downloads: [ReportViewModel.Download] = []
    ) throws -> String {
        let model = ReportViewModel(
            manifest: manifest, summary: summary, plots: plots, inlinePlots: inlinePlots, comparisons: comparisons,
            downloads: downloads)
        return try templates.render(model, template: "report.md.mustache")
    }

    /// Writes `report.md`, `report.json`, `metrics.txt` and `plots/*.svg` into `directory`.
    public func write(manifest: RunManifest, summary: RunSummary, to directory: URL) throws {
        let plots = PlotRenderer.plots(for: summary)
        let plotsDirectory = directory.appendingPathComponent("plots")
        try FileManager.default.createDirectory(at: plotsDirectory, withIntermediateDirectories: true)
        for plot in plots {
            try AtomicFile.write(plot.svg + "\n", to: plotsDirectory.appendingPathComponent(plot.file))
        }
        try AtomicFile.write(
            try markdown(manifest: manifest, summary: summary, plots: plots, inlinePlots: false),
            to: directory.appendingPathComponent("report.md"))
        try AtomicFile.writeJSON(
            ReportDocument(manifest: manifest, summary: summary, plots: plots.map { "plots/\($0.file)" }),
            to: directory.appendingPathComponent("report.json"))
        try AtomicFile.write(
            MetricsExport(manifest: manifest, summary: summary).prometheus, to: directory.appendingPathComponent("metrics.txt"))
    }
}

/// `report.json`: the run's identity and status with its full summary, the assessment, and
/// the old report's keys (`generated_at`, `findings`, `recommendations`, `run_metadata`),
/// for other tools.
struct ReportDocument: Codable {
    var benchmarkID: String
    var recipeName: String
    var serviceType: String
    var clientType: String
    var numClients: Int
    var target: String
    var status: RunStatus
    var statusReason: String?
    var startedAt: String
    var finishedAt: String?
    var toolVersion: String
    var summary: RunSummary
    /// The `slo:` objectives checked against the run, when the recipe sets any.
    var slo: ServiceLevelObjectives.Verdict?
    var verdict: RunAssessment.Grade
    var verdictMeaning: String
    var verdictRule: String
    var findings: [RunAssessment.Finding]
    var recommendations: [String]
    /// When this report was written (ISO 8601, UTC).
    var generatedAt: String
    /// The run's `run.json`, whole.
    var runMetadata: RunManifest
    var plots: [String]

    enum CodingKeys: String, CodingKey {
        case benchmarkID = "benchmark_id"
        case recipeName = "recipe_name"
        case serviceType = "service_type"
        case clientType = "client_type"
        case numClients = "num_clients"
        case target, status
        case statusReason = "status_reason"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case toolVersion = "tool_version"
        case summary, slo, plots, verdict, findings, recommendations
        case verdictMeaning = "verdict_meaning"
        case verdictRule = "verdict_rule"
        case generatedAt = "generated_at"
        case runMetadata = "run_metadata"
    }

    init(manifest: RunManifest, summary: RunSummary, plots: [String]) {
        benchmarkID = manifest.benchmarkID
        recipeName = manifest.recipeName
        serviceType = manifest.serviceType
        clientType = manifest.clientType
        numClients = manifest.numClients
        target = manifest.target
        status = manifest.status
        statusReason = manifest.statusReason
        startedAt = manifest.startedAt
        finishedAt = manifest.finishedAt
        toolVersion = manifest.toolVersion
        self.summary = summary
        slo = ServiceLevelObjectives(manifest: manifest).verdict(summary)
        let assessment = RunAssessment.assess(summary, objectives: slo)
        verdict = assessment.verdict
        verdictMeaning = assessment.meaning
        verdictRule = assessment.rule
        findings = assessment.findings
        recommendations = assessment.recommendations
        generatedAt = ISO8601DateFormatter().string(from: Date())
        runMetadata = manifest
        self.plots = plots
    }
}
