import FactoryBenchCore
import Foundation

/// Renders a comparison: `comparison.md` (plots as files), `comparison.json` and
/// `plots/*.svg`, and the same Markdown with plots inline for its page on the site.
public struct ComparisonRenderer: Sendable {
    public let templates: TemplateSet

    public init(templates: TemplateSet) {
        self.templates = templates
    }

    public func markdown(comparison: Comparison, plots: [Plot], inlinePlots: Bool, runLinkPrefix: String?) throws
        -> String
    {
        let model = ComparisonViewModel(
            comparison: comparison, plots: plots, inlinePlots: inlinePlots, runLinkPrefix: runLinkPrefix)
        return try templates.render(model, template: "comparison.md.mustache")
    }

    /// Writes `comparison.md`, `comparison.json` and `plots/*.svg` into `directory`.
    public func write(comparison: Comparison, base: RunSummary, current: RunSummary, to directory: URL) throws {
        let plots = PlotRenderer.comparisonPlots(base: base, current: current)
        for plot in plots {
            try AtomicFile.write(plot.svg + "\n", to: directory.appendingPathComponent("plots/\(plot.file)"))
        }
        try AtomicFile.write(
            try markdown(comparison: comparison, plots: plots, inlinePlots: false, runLinkPrefix: nil),
            to: directory.appendingPathComponent("comparison.md"))
        try AtomicFile.writeJSON(comparison, to: directory.appendingPathComponent("comparison.json"))
    }
}
