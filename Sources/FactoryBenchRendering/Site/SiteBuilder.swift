import FactoryBenchCore
import Foundation

/// Builds the static website from `results/` (and nothing else): `index.html` listing every
/// run, one page per run under `runs/<id>/`, and the stylesheet. All links are relative, so
/// the site works from `file://` and under any URL prefix; pages hold no JavaScript.
public struct SiteBuilder: Sendable {
    public let workspace: Workspace
    public let templates: TemplateSet

    public init(workspace: Workspace, templates: TemplateSet) {
        self.workspace = workspace
        self.templates = templates
    }

    /// A run as the site sees it: its manifest and, when aggregation got that far, its summary.
    struct RunEntry {
        /// The run's directory name under `results/`, which names its page too.
        var id: String
        var manifest: RunManifest
        var summary: RunSummary?
    }

    /// The link from the index to a run's page; ids are percent-encoded for safety.
    static func runLink(_ id: String) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
        return "runs/\(id.addingPercentEncoding(withAllowedCharacters: allowed) ?? "invalid")/index.html"
    }

    /// Rebuilds every page; returns the number of run pages written.
    @discardableResult
    public func build() throws -> Int {
        let site = workspace.siteDirectory
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        try AtomicFile.write(templates.stylesheet, to: site.appendingPathComponent("style.css"))
        let entries = try workspace.runIDs().map { id -> RunEntry in
            let directory = workspace.results(id)
            let manifest = try RunManifest.read(from: directory.manifest)
            let summary = try? JSONDecoder().decode(RunSummary.self, from: Data(contentsOf: directory.summary))
            return RunEntry(id: id, manifest: manifest, summary: summary)
        }
        .sorted { ($0.manifest.startedAt, $0.manifest.benchmarkID) > ($1.manifest.startedAt, $1.manifest.benchmarkID) }

        let renderer = ReportRenderer(templates: templates)
        for entry in entries {
            let summary = entry.summary ?? Aggregator.summarize([])
            let markdown = try renderer.markdown(
                manifest: entry.manifest, summary: summary, plots: PlotRenderer.plots(for: summary), inlinePlots: true)
            let page = try page(title: "Benchmark \(entry.manifest.benchmarkID)", root: "../../", markdown: markdown)
            let directory = site.appendingPathComponent("runs").appendingPathComponent(entry.id)
            try AtomicFile.write(page, to: directory.appendingPathComponent("index.html"))
        }
        let index = try templates.render(IndexViewModel(entries: entries), template: "index.md.mustache")
        try AtomicFile.write(
            try page(title: "Runs", root: "", markdown: index), to: site.appendingPathComponent("index.html"))
        return entries.count
    }

    private func page(title: String, root: String, markdown: String) throws -> String {
        let model = PageViewModel(
            title: title, root: root, body: MarkdownRenderer.html(from: markdown), version: ToolInfo.version)
        return try templates.render(model, template: "page.html.mustache")
    }
}
