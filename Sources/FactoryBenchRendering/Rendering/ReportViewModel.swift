import FactoryBenchCore

/// Everything `report.md.mustache` shows, as escaped, formatted strings (templates see
/// stored properties only).
struct ReportViewModel {
    struct Latency {
        var count: String
        var avg, std, min, p50, p90, p95, p99, p99_9, max: String
        var percentileMethod: String
        var stdMethod: String
    }

    /// One LLM latency metric with its definition, printed beside its numbers.
    struct LLMRow {
        var name, count, avg, p50, p90, p95, p99, p99_9, definition: String
    }

    struct LLMView {
        var rows: [LLMRow]
        var outputTokensPerSecond, peakOutputTokensPerSecond, totalTokensPerSecond: String
        var avgOutputTokens, avgInputTokens, totalOutputTokens: String
    }

    /// A headline number at the top of the run page.
    struct Card {
        var value, label: String
    }

    struct Operation {
        var name, count, failed, avg, p50, p95, p99: String
    }

    struct Client {
        var name, count, failed, avg, p95: String
    }

    /// Object stores: what each operation moved.
    struct Transfer {
        var name, megabytes, megabytesPerSecond: String
    }

    struct ErrorRow {
        var message, count: String
    }

    /// One telemetry series: its name, mean and peak over the run, and its samples (a
    /// counter: how much it grew).
    struct TelemetryRow {
        var series, mean, peak, detail: String
    }

    struct SkippedRow {
        var file, line, reason: String
    }

    /// A plot as the Markdown report links it (its SVG is a file beside the report).
    struct PlotRow {
        var file, title: String
    }

    struct Objective {
        var name, target, actual, verdict: String
    }

    struct EnvironmentRow {
        var key, value: String
    }

    /// One key finding of the run's assessment.
    struct FindingRow {
        var number, type, title, description: String
    }

    /// One recommendation of the run's assessment.
    struct RecommendationRow {
        var text: String
    }

    /// A file of the run offered on its site page.
    struct Download {
        var name, link, size: String
    }

    /// A comparison of this run with an earlier one, linked from its site page.
    struct ComparisonLink {
        var id, link, headline: String
    }

    var title: String
    var id: String
    var recipeName: String
    var serviceType: String
    var clientType: String
    var numClients: String
    var target: String
    var startedAt: String
    var statusLabel: String
    var statusNote: String?
    /// One sentence when the load generator may have been the bottleneck, one more when the
    /// clients began to send far apart.
    var generatorWarning: String?
    var totalRequests, successfulRequests, failedRequests, successRate, throughput, duration: String
    var latency: Latency?
    var cards: [Card]
    /// Open loop: latency from the intended start, and requests dropped at the in-flight cap.
    var fromIntended: Latency?
    var droppedRequests: String?
    /// Vector stores: "0.987 mean, 0.800 worst, over 200 queries".
    var recall: String?
    var llm: LLMView?
    var hasOperations: Bool
    var operations: [Operation]
    var hasTransfers: Bool
    var transfers: [Transfer]
    var hasClients: Bool
    var clients: [Client]
    var hasErrors: Bool
    var errors: [ErrorRow]
    /// Resources that sat at their limit (from the telemetry), one sentence each.
    var telemetryWarning: String?
    var hasTelemetry: Bool
    var telemetryNote: String
    var telemetry: [TelemetryRow]
    var hasSkipped: Bool
    var skippedTotal: String
    var skipped: [SkippedRow]
    /// The key plots (first, after the headline) and the others (after the tables): as
    /// images in the Markdown report, as a grid of figures on the run page.
    var keyPlots: [PlotRow]
    var morePlots: [PlotRow]
    var keyFigures: String?
    var moreFigures: String?
    var hasPlots: Bool
    var inlinePlots: Bool
    var hasComparisons: Bool
    var comparisons: [ComparisonLink]
    /// The recipe file's text inside a code fence longer than any backtick run in it.
    var recipeFence: String
    var recipeText: String
    var environment: [EnvironmentRow]
    var hasDownloads: Bool
    var downloads: [Download]
    /// The assessment: `PASS`, `ACCEPTABLE` or `FAIL`, what it means and the rule.
    var verdict: String
    var verdictMeaning: String
    var verdictRule: String
    var hasFindings: Bool
    var findings: [FindingRow]
    var hasRecommendations: Bool
    var recommendations: [RecommendationRow]
    var hasObjectives: Bool
    var objectivesVerdict: String
    var objectives: [Objective]
    var goodput: String?

    /// The service's series first, then the clients', the host's, the GPUs', the server's.
    static func telemetryOrder(_ name: String) -> (Int, String) {
        let groups = ["service_", "clients_", "host_", "gpu"]
        return (groups.firstIndex { name.hasPrefix($0) } ?? groups.count, name)
    }

    /// A telemetry value in its unit's words.
    static func telemetryValue(_ value: Double, unit: String) -> String {
        switch unit {
        case "percent": return Format.fixed(value, 1) + " %"
        case "bytes":
            return value >= Double(1 << 30)
                ? Format.fixed(value / Double(1 << 30), 2) + " GiB" : Format.fixed(value / Double(1 << 20), 1) + " MiB"
        case "per_second": return Format.rate(value)
        case "watts": return Format.fixed(value, 0) + " W"
        case "seconds": return Format.latency(value)
        default: return Format.fixed(value, value == value.rounded() ? 0 : 2)
        }
    }

    init(
        manifest: RunManifest, summary: RunSummary, plots: [Plot], inlinePlots: Bool,
        comparisons: [ComparisonLink] = [], downloads: [Download] = []
    ) {
        let e = MarkdownText.escape
        title = "Benchmark \(e(manifest.benchmarkID))"
        id = e(manifest.benchmarkID)
        recipeName = e(manifest.recipeName)
        serviceType = e(manifest.serviceType)
        clientType = e(manifest.clientType)
        numClients = String(manifest.numClients)
        target = e(manifest.target)
        startedAt = e(manifest.startedAt)
        statusLabel = manifest.status.rawValue
        statusNote = manifest.status == .completed ? nil : e(manifest.statusReason ?? "the run did not finish")
        let warnings = [summary.loadGenerator?.warning, summary.loadGenerator?.startSkewWarning].compactMap { $0 }
        generatorWarning = warnings.isEmpty ? nil : e(warnings.joined(separator: " "))
        totalRequests = String(summary.totalRequests)
        successfulRequests = String(summary.successfulRequests)
        failedRequests = String(summary.failedRequests)
        successRate = Format.percent(summary.successRate)
        throughput = Format.rate(summary.requestsPerSecond)
        duration = Format.seconds(summary.testDurationSeconds)
        func row(_ l: LatencyStatistics) -> Latency {
            Latency(
                count: String(l.count), avg: Format.latency(l.avg), std: Format.latency(l.std),
                min: Format.latency(l.min), p50: Format.latency(l.p50), p90: Format.latency(l.p90),
                p95: Format.latency(l.p95), p99: Format.latency(l.p99), p99_9: Format.latency(l.p99_9),
                max: Format.latency(l.max), percentileMethod: e(summary.percentileMethod), stdMethod: e(summary.stdMethod))
        }
        latency = summary.latency.map(row)
        var cards = [
            Card(value: throughput, label: "requests/s"),
            Card(value: Format.latency(summary.latency?.p50), label: "p50 latency"),
            Card(value: Format.latency(summary.latency?.p99), label: "p99 latency"),
            Card(value: successRate, label: "success"),
        ]
        if let llm = summary.llm {
            cards.append(Card(value: Format.latency(llm.ttft?.p95), label: "TTFT p95"))
            cards.append(Card(value: Format.fixed(llm.tokensPerSecond, 1), label: "output tokens/s"))
        }
        if let recall = summary.recall { cards.append(Card(value: String(format: "%.3f", recall.mean), label: "recall@k")) }
        self.cards = cards
        fromIntended = summary.latencyFromIntended.map(row)
        droppedRequests =
            summary.latencyFromIntended != nil || summary.droppedRequests > 0 ? String(summary.droppedRequests) : nil
        recall = summary.recall.map { r in
            String(format: "%.3f mean, %.3f worst, over %d queries", r.mean, r.min, r.count)
        }
        llm = summary.llm.map { llm in
            func row(_ name: String, _ l: LatencyStatistics?, _ definition: String) -> LLMRow? {
                l.map {
                    LLMRow(
                        name: name, count: String($0.count), avg: Format.latency($0.avg), p50: Format.latency($0.p50),
                        p90: Format.latency($0.p90), p95: Format.latency($0.p95), p99: Format.latency($0.p99),
                        p99_9: Format.latency($0.p99_9),
                        definition: definition
                            + ($0.percentileMethod == "histogram"
                                ? "; percentiles from an HdrHistogram (3 significant digits), past the exact limit" : ""))
                }
            }
            let rows = [
                row("TTFT", llm.ttft, "request start → first content token"),
                row("TPOT", llm.tpot, "(E2E − TTFT) / (output tokens − 1): first token excluded, as vLLM defines it"),
                row("ITL", llm.itl, "every gap between consecutive streamed content chunks, pooled over requests"),
                row("E2E", summary.latency, "request start → last byte of the answer"),
            ].compactMap { $0 }
            return LLMView(
                rows: rows, outputTokensPerSecond: Format.fixed(llm.tokensPerSecond, 1),
                peakOutputTokensPerSecond: llm.peakOutputTokensPerSecond.map { Format.fixed($0, 0) } ?? "–",
                totalTokensPerSecond: Format.fixed(llm.totalTokensPerSecond, 1),
                avgOutputTokens: llm.avgOutputTokens.map { Format.fixed($0, 1) } ?? "–",
                avgInputTokens: llm.avgInputTokens.map { Format.fixed($0, 1) } ?? "not reported by the server",
                totalOutputTokens: String(llm.totalOutputTokens))
        }
        operations = summary.operations.sorted { $0.key < $1.key }.map { name, o in
            Operation(
                name: e(name), count: String(o.count + o.failed), failed: String(o.failed), avg: Format.latency(o.avgLatency),
                p50: Format.latency(o.p50Latency), p95: Format.latency(o.p95Latency), p99: Format.latency(o.p99Latency))
        }
        hasOperations = !operations.isEmpty
        transfers = summary.operations.sorted { $0.key < $1.key }.compactMap { name, o in
            guard let bytes = o.bytes else { return nil }
            return Transfer(
                name: e(name), megabytes: Format.fixed(Double(bytes) / 1e6, 1),
                megabytesPerSecond: o.megabytesPerSecond.map { Format.fixed($0, 1) } ?? "–")
        }
        hasTransfers = !transfers.isEmpty
        clients = summary.clients.sorted { ($0.key.count, $0.key) < ($1.key.count, $1.key) }.map { name, c in
            Client(
                name: e(name), count: String(c.count), failed: String(c.failed), avg: Format.latency(c.avgLatency),
                p95: Format.latency(c.p95Latency))
        }
        hasClients = clients.count > 1
        errors = summary.errorSummary.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map {
            ErrorRow(message: e($0.key), count: String($0.value))
        }
        hasErrors = !errors.isEmpty
        let limits = summary.telemetry?.atLimit.map(\.message) ?? []
        telemetryWarning = limits.isEmpty ? nil : e(limits.joined(separator: " "))
        telemetry = (summary.telemetry?.series ?? [:]).sorted { Self.telemetryOrder($0.key) < Self.telemetryOrder($1.key) }
            .map { name, series in
                // A counter's mean and peak are those of a running total: its growth says it.
                TelemetryRow(
                    series: "`\(name)`", mean: series.increase == nil ? Self.telemetryValue(series.mean, unit: series.unit) : "–",
                    peak: series.increase == nil ? Self.telemetryValue(series.peak, unit: series.unit) : "–",
                    detail: series.increase.map { "grew by " + Format.fixed($0, 0) } ?? "\(series.samples) samples")
            }
        hasTelemetry = !telemetry.isEmpty
        telemetryNote =
            summary.telemetry.map { telemetry in
                "\(telemetry.samples) samples"
                    + (telemetry.interval.map { " every " + Format.fixed($0, 2) + " s" } ?? "")
                    + " while requests ran; every line in `telemetry.jsonl`, the raw scrapes in `telemetry/`."
                    + " A series the run could not sample is absent, not zero."
            } ?? ""
        skipped = summary.skippedLines.examples.map {
            SkippedRow(file: e($0.file), line: String($0.line), reason: e($0.reason))
        }
        skippedTotal = String(summary.skippedLines.total)
        hasSkipped = summary.skippedLines.total > 0
        let (key, more) = PlotRenderer.split(plots)
        keyPlots = key.map { PlotRow(file: $0.file, title: e($0.title)) }
        morePlots = more.map { PlotRow(file: $0.file, title: e($0.title)) }
        keyFigures = Plot.grid(key)
        moreFigures = Plot.grid(more)
        hasPlots = !plots.isEmpty
        self.inlinePlots = inlinePlots
        self.comparisons = comparisons
        hasComparisons = !comparisons.isEmpty
        self.downloads = downloads
        hasDownloads = !downloads.isEmpty
        var longestRun = 0
        var run = 0
        for character in manifest.recipeVerbatim {
            run = character == "`" ? run + 1 : 0
            longestRun = max(longestRun, run)
        }
        recipeFence = String(repeating: "`", count: max(3, longestRun + 1))
        recipeText =
            manifest.recipeVerbatim.hasSuffix("\n") ? String(manifest.recipeVerbatim.dropLast()) : manifest.recipeVerbatim
        environment = [
            ("host", manifest.host), ("target", manifest.target), ("executor", manifest.executor),
            ("service", manifest.service?.version ?? "unknown"), ("FactoryBench", manifest.toolVersion),
            ("FactoryBench commit", manifest.toolCommit ?? "unknown"), ("workspace commit", manifest.workspaceCommit ?? "none"),
            ("recipe file", manifest.recipePath), ("finished", manifest.finishedAt ?? "not finished"),
        ].map { EnvironmentRow(key: $0.0, value: e($0.1)) }
        if let cpu = manifest.clientCPUSeconds {
            let total = summary.totalRequests + summary.excludedRequests.warmup + summary.excludedRequests.cooldown
            let perRequest = total > 0 ? String(format: " (%.1f µs per request)", cpu / Double(total) * 1e6) : ""
            environment.append(EnvironmentRow(key: "load-generator CPU", value: String(format: "%.2f s", cpu) + perRequest))
        }
        if let skew = summary.loadGenerator?.startSkew {
            environment.append(
                EnvironmentRow(
                    key: "client start skew", value: Format.fixed(skew * 1000, 1) + " ms (latest − earliest first request)"))
        }
        let verdict = ServiceLevelObjectives(manifest: manifest).verdict(summary)
        let assessment = RunAssessment.assess(summary, objectives: verdict)
        self.verdict = assessment.verdict.rawValue
        verdictMeaning = e(assessment.meaning)
        verdictRule = e(assessment.rule)
        findings = assessment.findings.enumerated().map { index, finding in
            FindingRow(
                number: String(index + 1), type: finding.type.uppercased(), title: e(finding.title),
                description: e(finding.description))
        }
        hasFindings = !findings.isEmpty
        recommendations = assessment.recommendations.map { RecommendationRow(text: e($0)) }
        hasRecommendations = !recommendations.isEmpty
        objectives = (verdict?.objectives ?? []).map { result in
            let unit = result.key.hasSuffix("_ms") ? " ms" : result.key == "error_rate" ? "" : " req/s"
            let format: (Double) -> String = {
                result.key == "error_rate" ? Format.percent($0 * 100) : Format.fixed($0, 3) + unit
            }
            return Objective(
                name: result.key, target: (result.key == "min_requests_per_second" ? "≥ " : "≤ ") + format(result.target),
                actual: result.actual.map(format) ?? "no data",
                verdict: result.passed.map { $0 ? "pass" : "**fail**" } ?? "no data")
        }
        hasObjectives = verdict != nil
        objectivesVerdict = verdict?.headline ?? ""
        if let verdict {
            self.cards.append(Card(value: verdict.failed > 0 ? "missed" : "met", label: "SLO: \(verdict.headline)"))
        }
        goodput = summary.goodput.map { goodput in
            let share = summary.totalRequests > 0 ? Double(goodput.goodRequests) / Double(summary.totalRequests) * 100 : 0
            return
                "\(Format.rate(goodput.requestsPerSecond)) (\(goodput.goodRequests) requests, \(Format.percent(share)) of all, "
                + "met every per-request objective)"
        }
    }
}
