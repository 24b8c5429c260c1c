import FactoryBenchCore

/// Everything `sweep.md.mustache` shows: the points of one sweep, each with its swept
/// values and key metrics, and — when one numeric key was swept — the metrics plotted
/// against it.
struct SweepViewModel {
    struct Point {
        var cells: [String]
        var id, link, statusLabel, throughput, p50, p95, p99, successRate, ttftP95: String
    }

    struct PlotRow {
        var title, svg: String
    }

    var sweepID: String
    var recipe: String
    var pointCount: String
    var axes: [String]
    var points: [Point]
    var hasLLM: Bool
    var plots: [PlotRow]

    /// `entries` are the sweep's runs, in the order they ran.
    init(sweepID: String, entries: [SiteBuilder.RunEntry]) {
        let e = MarkdownText.escape
        self.sweepID = e(sweepID)
        recipe = e(entries.first?.manifest.recipeName ?? "")
        pointCount = entries.count == 1 ? "1 point" : "\(entries.count) points"
        let keys = Set(entries.flatMap { ($0.manifest.sweepPoint ?? [:]).keys }).sorted()
        axes = keys.map(e)
        hasLLM = entries.contains { $0.summary?.llm != nil }
        points = entries.map { entry in
            let s = entry.summary
            return Point(
                cells: keys.map { key in entry.manifest.sweepPoint?[key].map { e(RecipePlan.scalar($0)) } ?? "–" },
                id: e(entry.id), link: "../../" + SiteBuilder.runLink(entry.id), statusLabel: entry.manifest.status.rawValue,
                throughput: s.map { Format.rate($0.requestsPerSecond) } ?? "–", p50: Format.latency(s?.latency?.p50),
                p95: Format.latency(s?.latency?.p95), p99: Format.latency(s?.latency?.p99),
                successRate: s.map { Format.percent($0.successRate) } ?? "–",
                ttftP95: Format.latency(s?.llm?.ttft?.p95))
        }
        plots = []
        // One numeric swept key: throughput and latency against it, points in key order.
        guard keys.count == 1, let key = keys.first else { return }
        let measured = entries.compactMap { entry -> (x: Double, summary: RunSummary)? in
            guard let value = entry.manifest.sweepPoint?[key]?.doubleValue, let summary = entry.summary else { return nil }
            return (value, summary)
        }
        .sorted { $0.x < $1.x }
        guard measured.count >= 2, let low = measured.first?.x, let high = measured.last?.x, high > low else { return }
        plots = PlotRenderer.sweepPlots(axis: key, low: low, high: high, points: measured).map {
            PlotRow(title: e($0.title), svg: $0.svg)
        }
    }
}
