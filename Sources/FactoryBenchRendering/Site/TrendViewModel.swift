import FactoryBenchCore

/// Everything `trend.md.mustache` shows: one recipe's runs in time order.
struct TrendViewModel {
    struct Row {
        var id, link, startedAt, statusLabel, totalRequests, throughput, p50, p95, p99, successRate, verdict: String

        /// The run's line of the table (see `IndexViewModel.Run.markdownRow`).
        var markdownRow: String {
            "| [\(id)](\(link)) | \(startedAt) | \(statusLabel) | \(totalRequests) | \(throughput) | \(p50) | \(p95) | "
                + "\(p99) | \(successRate) | \(verdict) |"
        }
    }

    var recipe: String
    var runCount: String
    /// The runs' table rows, one line each.
    var runTable: String
    /// The plots as a grid of figures, first on the page; nil without plots.
    var figures: String?

    /// `runs` oldest first; `comparisons` are looked up by their current run.
    init(recipe: String, runs listings: [RunListing], comparisons: [Comparison]) {
        let e = MarkdownText.escape
        self.recipe = e(recipe)
        runCount = String(listings.count)
        let runs = listings.map { run in
            let m = run.metrics
            let comparison = comparisons.first { $0.current.id == run.id }
            return Row(
                id: e(run.id), link: "../../" + SiteBuilder.runLink(run.id), startedAt: e(run.startedAt),
                statusLabel: run.status.rawValue, totalRequests: m.map { String($0.totalRequests) } ?? "–",
                throughput: m.map { Format.rate($0.requestsPerSecond) } ?? "–", p50: Format.latency(m?.latencyP50Seconds),
                p95: Format.latency(m?.latencyP95Seconds), p99: Format.latency(m?.latencyP99Seconds),
                successRate: m.map { Format.percent($0.successRate) } ?? "–",
                verdict: comparison.map {
                    $0.regressedMetrics.isEmpty ? e($0.headline()) : "**" + e($0.headline()) + "**"
                } ?? "–")
        }
        runTable = runs.map(\.markdownRow).joined(separator: "\n")
        // Runs a comparison with the previous run found regressed are ringed on the plot.
        var regressions: [Int: String] = [:]
        for (index, run) in listings.enumerated() {
            guard let comparison = comparisons.first(where: { $0.current.id == run.id }),
                !comparison.regressedMetrics.isEmpty
            else { continue }
            regressions[index + 1] = "regressed: " + comparison.regressedMetrics.joined(separator: ", ")
        }
        figures = Plot.grid(PlotRenderer.trendPlots(listings.map(\.metrics), regressions: regressions))
    }
}
