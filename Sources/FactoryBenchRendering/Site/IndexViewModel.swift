import FactoryBenchCore

/// Everything `index.md.mustache` shows: one row per run, newest first.
struct IndexViewModel {
    struct Run {
        var id, link, startedAt, recipeName, serviceType, numClients: String
        var totalRequests, throughput, p50, p95, p99, successRate, statusLabel: String

        /// The run's line of the table. Rows are written here rather than by a template
        /// section: a thousand runs through swift-mustache were most of an index's time.
        var markdownRow: String {
            "| [\(id)](\(link)) | \(startedAt) | \(recipeName) | \(serviceType) | \(numClients) | \(totalRequests) | "
                + "\(throughput) | \(p50) | \(p95) | \(p99) | \(successRate) | \(statusLabel) |"
        }
    }

    struct TrendRow {
        var recipe, link, runCount: String
    }

    struct ServiceRow {
        var name, link, runCount: String
    }

    struct SweepRow {
        var id, link, recipe, pointCount: String
    }

    struct ComparisonRow {
        var id, link, base, current, headline: String
    }

    var title: String
    /// The main index (with trends, sweeps, comparisons and the services list) rather than
    /// one service's sub-index.
    var isMain: Bool
    var services: [ServiceRow]
    var hasServices: Bool
    var hasRuns: Bool
    var runCount: String
    /// The runs' table rows, one line each (see `Run.markdownRow`).
    var runTable: String
    var hasComparisons: Bool
    var comparisons: [ComparisonRow]
    var trends: [TrendRow]
    var hasSweeps: Bool
    var sweeps: [SweepRow]
    /// A service's page: its runs' latency and throughput over time, first on the page.
    var figures: String?

    /// `root` is the relative path from the page to the site root; a service's sub-index
    /// (`title` set) lists only its runs.
    init(
        runs: [RunListing], comparisons: [Comparison], trends: [TrendRow], sweeps: [SweepRow] = [],
        services: [ServiceRow] = [], title: String? = nil, root: String = ""
    ) {
        self.title = title.map(MarkdownText.escape) ?? "FactoryBench runs"
        isMain = title == nil
        // Runs come newest first; the plots run oldest first.
        figures = isMain ? nil : Plot.grid(PlotRenderer.trendPlots(runs.reversed().map(\.metrics)))
        self.services = services
        hasServices = !services.isEmpty
        self.trends = trends
        self.sweeps = sweeps
        hasSweeps = !sweeps.isEmpty
        let e = MarkdownText.escape
        let runs = runs.map { run in
            let m = run.metrics
            return Run(
                id: e(run.benchmarkID), link: root + SiteBuilder.runLink(run.id), startedAt: e(run.startedAt),
                recipeName: e(run.recipeName), serviceType: e(run.serviceType), numClients: String(run.numClients),
                totalRequests: m.map { String($0.totalRequests) } ?? "–",
                throughput: m.map { Format.rate($0.requestsPerSecond) } ?? "–",
                p50: Format.latency(m?.latencyP50Seconds), p95: Format.latency(m?.latencyP95Seconds),
                p99: Format.latency(m?.latencyP99Seconds),
                successRate: m.map { Format.percent($0.successRate) } ?? "–", statusLabel: run.status.rawValue)
        }
        runTable = runs.map(\.markdownRow).joined(separator: "\n")
        hasRuns = !runs.isEmpty
        runCount = String(runs.count)
        self.comparisons = comparisons.map { comparison in
            ComparisonRow(
                id: e(comparison.id), link: SiteBuilder.comparisonLink(comparison.id), base: e(comparison.base.id),
                current: e(comparison.current.id), headline: ComparisonViewModel.headline(comparison))
        }
        hasComparisons = !self.comparisons.isEmpty
    }
}

/// What `page.html.mustache` wraps around a page body.
struct PageViewModel {
    var title: String
    /// The relative path from the page to the site root (`""` or `"../../"`).
    var root: String
    var body: String
    var version: String
}
