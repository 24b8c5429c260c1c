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

    struct PlotRow {
        var title, svg: String
    }

    var recipe: String
    var runCount: String
    /// The runs' table rows, one line each.
    var runTable: String
    var plots: [PlotRow]

    /// `entries` oldest first; `comparisons` are looked up by their current run.
    init(recipe: String, entries: [SiteBuilder.RunEntry], comparisons: [Comparison]) {
        let e = MarkdownText.escape
        self.recipe = e(recipe)
        runCount = String(entries.count)
        let runs = entries.map { entry in
            let s = entry.summary
            let comparison = comparisons.first { $0.current.id == entry.id }
            return Row(
                id: e(entry.id), link: "../../" + SiteBuilder.runLink(entry.id), startedAt: e(entry.manifest.startedAt),
                statusLabel: entry.manifest.status.rawValue, totalRequests: s.map { String($0.totalRequests) } ?? "–",
                throughput: s.map { Format.rate($0.requestsPerSecond) } ?? "–", p50: Format.latency(s?.latency?.p50),
                p95: Format.latency(s?.latency?.p95), p99: Format.latency(s?.latency?.p99),
                successRate: s.map { Format.percent($0.successRate) } ?? "–",
                verdict: comparison.map {
                    $0.regressedMetrics.isEmpty ? e($0.headline()) : "**" + e($0.headline()) + "**"
                } ?? "–")
        }
        runTable = runs.map(\.markdownRow).joined(separator: "\n")
        // Runs a comparison with the previous run found regressed are ringed on the plot.
        var regressions: [Int: String] = [:]
        for (index, entry) in entries.enumerated() {
            guard let comparison = comparisons.first(where: { $0.current.id == entry.id }),
                !comparison.regressedMetrics.isEmpty
            else { continue }
            regressions[index + 1] = "regressed: " + comparison.regressedMetrics.joined(separator: ", ")
        }
        plots = PlotRenderer.trendPlots(entries.map(\.summary), regressions: regressions).map {
            PlotRow(title: e($0.title), svg: $0.svg)
        }
    }
}
