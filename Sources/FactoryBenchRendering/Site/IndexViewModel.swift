import FactoryBenchCore

/// Everything `index.md.mustache` shows: one row per run, newest first.
struct IndexViewModel {
    struct Run {
        var id, link, startedAt, recipeName, serviceType, numClients: String
        var totalRequests, throughput, p50, p95, p99, successRate, statusLabel: String
    }

    var hasRuns: Bool
    var runCount: String
    var runs: [Run]

    init(entries: [SiteBuilder.RunEntry]) {
        let e = MarkdownText.escape
        runs = entries.map { entry in
            let m = entry.manifest
            let s = entry.summary
            return Run(
                id: e(m.benchmarkID), link: SiteBuilder.runLink(entry.id), startedAt: e(m.startedAt),
                recipeName: e(m.recipeName), serviceType: e(m.serviceType), numClients: String(m.numClients),
                totalRequests: s.map { String($0.totalRequests) } ?? "–",
                throughput: s.map { Format.rate($0.requestsPerSecond) } ?? "–",
                p50: Format.latency(s?.latency?.p50), p95: Format.latency(s?.latency?.p95),
                p99: Format.latency(s?.latency?.p99),
                successRate: s.map { Format.percent($0.successRate) } ?? "–", statusLabel: m.status.rawValue)
        }
        hasRuns = !runs.isEmpty
        runCount = String(runs.count)
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
