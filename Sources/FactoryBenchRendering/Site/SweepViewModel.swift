import FactoryBenchCore

/// Everything `sweep.md.mustache` shows: the points of one sweep, each with its swept
/// values and key metrics, and — when one numeric key was swept — the metrics plotted
/// against it.
struct SweepViewModel {
    struct Point {
        var cells: [String]
        var id, link, statusLabel, throughput, p50, p95, p99, successRate, ttftP95: String
    }

    var sweepID: String
    var recipe: String
    var pointCount: String
    var axes: [String]
    var points: [Point]
    var hasLLM: Bool
    /// The plots as a grid of figures, first on the page; nil without plots.
    var figures: String?
    /// An analysed sweep's saturation, knee, SLO limit and bottleneck, one line each.
    var findings: [String] = []

    /// `points` are the sweep's runs, in the order they ran; `analysis` is its
    /// `results/sweeps/<id>/sweep.json`, when it was analysed.
    init(sweepID: String, points runs: [RunListing], analysis: SweepAnalysis? = nil) {
        let e = MarkdownText.escape
        self.sweepID = e(sweepID)
        recipe = e(runs.first?.recipeName ?? "")
        pointCount = runs.count == 1 ? "1 point" : "\(runs.count) points"
        let keys = Set(runs.flatMap { ($0.sweepPoint ?? [:]).keys }).sorted()
        axes = keys.map(e)
        hasLLM = runs.contains { $0.metrics?.hasLLMMetrics == true }
        points = runs.map { run in
            let m = run.metrics
            return Point(
                cells: keys.map { key in run.sweepPoint?[key].map { e(RecipePlan.scalar($0)) } ?? "–" },
                id: e(run.id), link: "../../" + SiteBuilder.runLink(run.id), statusLabel: run.status.rawValue,
                throughput: m.map { Format.rate($0.requestsPerSecond) } ?? "–", p50: Format.latency(m?.latencyP50Seconds),
                p95: Format.latency(m?.latencyP95Seconds), p99: Format.latency(m?.latencyP99Seconds),
                successRate: m.map { Format.percent($0.successRate) } ?? "–",
                ttftP95: Format.latency(m?.ttftP95Seconds))
        }
        figures = nil
        if let analysis {
            findings = SweepReport.findings(analysis)
            let plots = PlotRenderer.sweepAnalysisPlots(analysis)
            if !plots.isEmpty {
                figures = Plot.grid(plots)
                return
            }
        }
        // One numeric swept key: throughput and latency against it, points in key order.
        guard keys.count == 1, let key = keys.first else { return }
        let measured = runs.compactMap { run -> (x: Double, metrics: RunListing.Metrics)? in
            guard let value = run.sweepPoint?[key]?.doubleValue, let metrics = run.metrics else { return nil }
            return (value, metrics)
        }
        .sorted { $0.x < $1.x }
        guard measured.count >= 2, let low = measured.first?.x, let high = measured.last?.x, high > low else { return }
        figures = Plot.grid(PlotRenderer.sweepPlots(axis: key, low: low, high: high, points: measured))
    }
}
