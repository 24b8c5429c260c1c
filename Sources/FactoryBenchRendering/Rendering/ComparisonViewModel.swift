import FactoryBenchCore

/// Everything `comparison.md.mustache` shows, escaped and formatted.
struct ComparisonViewModel {
    struct Difference {
        var key, base, current: String
    }

    struct Metric {
        var name, base, current, change, interval, test, p, verdict: String
    }

    struct Note {
        var name, note: String
    }

    /// A plot as the Markdown report links it (its SVG is a file beside the report).
    struct PlotRow {
        var file, title: String
    }

    var baseID, currentID, baseLink, currentLink: String
    var baseRecipe, currentRecipe, baseStarted, currentStarted, baseStatus, currentStatus: String
    var headline: String
    var hasDifferences: Bool
    var differences: [Difference]
    var metrics: [Metric]
    var confidence, threshold, alpha, method: String
    var hasNotes: Bool
    var notes: [Note]
    var plots: [PlotRow]
    /// The plots as a grid of figures (the site's page).
    var figures: String?
    var inlinePlots: Bool

    /// `runLinkPrefix` leads from the page to the runs' pages (`../../runs/` on the site);
    /// `nil` prints bare ids (the Markdown report).
    init(comparison: Comparison, plots: [Plot], inlinePlots: Bool, runLinkPrefix: String?) {
        let e = MarkdownText.escape
        baseID = e(comparison.base.id)
        currentID = e(comparison.current.id)
        func link(_ id: String) -> String {
            guard let runLinkPrefix else { return e(id) }
            return "[\(e(id))](\(runLinkPrefix)\(SiteBuilder.pathComponent(id))/index.html)"
        }
        baseLink = link(comparison.base.id)
        currentLink = link(comparison.current.id)
        baseRecipe = e(comparison.base.recipeName)
        currentRecipe = e(comparison.current.recipeName)
        baseStarted = e(comparison.base.startedAt)
        currentStarted = e(comparison.current.startedAt)
        baseStatus = comparison.base.status.rawValue
        currentStatus = comparison.current.status.rawValue
        headline = Self.headline(comparison)
        differences = comparison.differences.map { Difference(key: e($0.key), base: e($0.base), current: e($0.current)) }
        hasDifferences = !differences.isEmpty
        metrics = comparison.metrics.map { metric in
            Metric(
                name: e(metric.name), base: Self.value(metric.base, unit: metric.unit),
                current: Self.value(metric.current, unit: metric.unit),
                change: metric.change.map { Self.signedPercent($0) } ?? "–",
                interval: metric.changeLower.map { lower in
                    "\(Self.signedPercent(lower)) … \(Self.signedPercent(metric.changeUpper ?? lower))"
                } ?? "–",
                test: metric.test, p: metric.adjustedP.map(Self.pValue) ?? "–",
                verdict: metric.verdict == .regressed || metric.verdict == .improved
                    ? "**\(Self.label(metric.verdict))**" : Self.label(metric.verdict))
        }
        notes = comparison.metrics.compactMap { metric in metric.note.map { Note(name: e(metric.name), note: e($0)) } }
        hasNotes = !notes.isEmpty
        confidence = Format.fixed(comparison.confidence * 100, 0) + " %"
        threshold = Format.fixed(comparison.threshold * 100, 1) + " %"
        alpha = Format.tick(comparison.alpha)
        method = e(comparison.method)
        self.plots = plots.map { PlotRow(file: $0.file, title: e($0.title)) }
        figures = Plot.grid(plots)
        self.inlinePlots = inlinePlots
    }

    /// One line: which metrics regressed or improved (escaped).
    static func headline(_ comparison: Comparison) -> String {
        comparison.headline(escape: MarkdownText.escape)
    }

    static func label(_ verdict: Verdict) -> String {
        switch verdict {
        case .improved: return "improved"
        case .regressed: return "regressed"
        case .noSignificantChange: return "no significant change"
        case .notComparable: return "not comparable"
        }
    }

    static func value(_ value: Double?, unit: String) -> String {
        guard let value else { return "–" }
        switch unit {
        case "s": return Format.latency(value)
        case "%": return Format.percent(value)
        default: return Format.fixed(value, 1) + " " + unit
        }
    }

    /// A signed percentage that never wraps inside a table cell (no-break space).
    static func signedPercent(_ fraction: Double) -> String {
        (fraction >= 0 ? "+" : "−") + Format.fixed(abs(fraction) * 100, 1) + "\u{00A0}%"
    }

    static func pValue(_ p: Double) -> String {
        p < 0.0001 ? "< 0.0001" : Format.fixed(p, 4)
    }
}
