import FactoryBenchCore

/// One rendered plot: its file name under `plots/`, its title, its SVG, and its data as a
/// table (the plot's text alternative on the site).
public struct Plot: Sendable, Equatable {
    public var file: String
    public var title: String
    public var svg: String
    public var table: PlotTable

    init(file: String, chart: Chart) {
        self.file = file
        title = chart.title
        svg = chart.svg()
        let (header, rows) = chart.table()
        table = PlotTable(header: header, rows: rows)
    }

    /// The plot on a page: one figure, its caption the one title, the chart, and its data
    /// in a closed `<details>` (no script). One HTML block with no blank line, so Markdown
    /// passes it through whole.
    public var figure: String {
        let e = XMLText.escape
        var html = "<figure class=\"plot\">\n<figcaption>\(e(title))</figcaption>\n\(svg)\n"
        html += "<details><summary>Data of this plot</summary>\n<table>\n<thead><tr>"
        html += table.header.map { "<th>\(e($0))</th>" }.joined()
        html += "</tr></thead>\n<tbody>\n"
        for row in table.rows { html += "<tr>" + row.map { "<td>\(e($0))</td>" }.joined() + "</tr>\n" }
        html += "</tbody>\n</table>\n</details>\n</figure>"
        return html
    }
}

extension Plot {
    /// The plots of a page in a grid (two columns on a wide screen, one on a phone), as one
    /// HTML block; nil when there is none.
    public static func grid(_ plots: [Plot]) -> String? {
        plots.isEmpty ? nil : "<div class=\"plots\">\n" + plots.map(\.figure).joined(separator: "\n") + "\n</div>"
    }
}

/// A plot's data: column names and rows of formatted values.
public struct PlotTable: Sendable, Equatable {
    public var header: [String]
    public var rows: [[String]]
}

/// Draws a run's plots from its `summary.json` alone, so a report can be re-rendered
/// without the request files.
public enum PlotRenderer {
    /// The plots a run page shows first, in this order (in a two-column grid the first
    /// column holds throughput over latency over time, on one time axis).
    public static let keyPlotFiles = [
        "throughput.svg", "latency_percentiles.svg", "latency_over_time.svg", "operation_latency.svg",
        "telemetry_cpu.svg", "telemetry_server.svg",
    ]

    /// A run's plots split into the key ones (in `keyPlotFiles` order) and the rest.
    public static func split(_ plots: [Plot]) -> (key: [Plot], more: [Plot]) {
        let key = keyPlotFiles.compactMap { file in plots.first { $0.file == file } }
        return (key, plots.filter { !keyPlotFiles.contains($0.file) })
    }

    public static func plots(for summary: RunSummary) -> [Plot] {
        guard summary.latency != nil else {
            // A run where nothing succeeded still shows why.
            return summary.errorSummary.isEmpty ? [] : [errorDistribution(summary)]
        }
        var plots = [latencyHistogram(summary), percentileSpectrum(summary), cdf(summary)]
        if !summary.timeseries.isEmpty {
            plots.append(throughput(summary))
            plots.append(latencyOverTime(summary))
            if summary.failedRequests > 0 { plots.append(errorsOverTime(summary)) }
            plots += telemetryPlots(summary)
        }
        if !summary.errorSummary.isEmpty { plots.append(errorDistribution(summary)) }
        if !summary.operations.isEmpty {
            plots.append(operationLatency(summary))
        }
        if summary.clients.count > 1 {
            plots.append(clientFairness(summary))
        }
        if let llm = summary.llm {
            if let bins = llm.ttftHistogram, !bins.isEmpty {
                plots.append(
                    histogram(bins, file: "ttft_histogram.svg", title: "Time to first token", label: "TTFT"))
            }
            if let bins = llm.itlHistogram, !bins.isEmpty {
                plots.append(
                    histogram(
                        bins, file: "itl_histogram.svg", title: "Inter-token latency", label: "Gap between chunks"))
            }
            if summary.timeseries.contains(where: { $0.outputTokens != nil }) { plots.append(tokensOverTime(summary)) }
        }
        return plots
    }

    /// A latency histogram; `label` names the x axis, which gets its unit and scale here.
    static func histogram(
        _ source: [HistogramBin], file: String, title: String, label: String, countLabel: String = "Count"
    ) -> Plot {
        let unit = TimeUnit(largest: source.last?.upper ?? 1)
        let bins = source.map { Chart.Bin(lower: unit.of($0.lower), upper: unit.of($0.upper), count: Double($0.count)) }
        let chart = Chart(
            title: title,
            xAxis: .log(
                label: "\(label) (\(unit.name), log scale)", lower: bins.first?.lower ?? 0.001, upper: bins.last?.upper ?? 1),
            yAxis: .linear(label: countLabel, upper: Double(source.map(\.count).max() ?? 1)),
            content: .histogram(bins))
        return Plot(file: file, chart: chart)
    }

    static func tokensOverTime(_ summary: RunSummary) -> Plot {
        let points = summary.timeseries.map { (x: Double($0.second), y: Double($0.outputTokens ?? 0)) }
        let chart = Chart(
            title: "Output tokens per second",
            xAxis: .linear(label: "Time since start (s)", upper: Double(max(summary.timeseries.count - 1, 1))),
            yAxis: .linear(label: "Output tokens per second", upper: max(points.map(\.y).max() ?? 1, 1)),
            content: .lines([Chart.Series(name: "output tokens", points: points)]))
        return Plot(file: "tokens_over_time.svg", chart: chart)
    }

    static func latencyHistogram(_ summary: RunSummary) -> Plot {
        histogram(
            summary.latencyHistogram, file: "latency_histogram.svg", title: "Latency histogram (successful requests)",
            label: "Latency", countLabel: "Requests")
    }

    static func percentileSpectrum(_ summary: RunSummary) -> Plot {
        let unit = TimeUnit(largest: summary.percentileSpectrum.map(\.latency).max() ?? 1)
        let points = summary.percentileSpectrum.map { (x: $0.percentile, y: unit.of($0.latency)) }
        let chart = Chart(
            title: "Latency by percentile",
            xAxis: .percentiles(label: "Percentile", highest: points.last?.x ?? 99),
            yAxis: .linear(label: "Latency (\(unit.name))", upper: points.map(\.y).max() ?? 1),
            content: .lines([Chart.Series(name: "latency", points: points)]))
        return Plot(file: "latency_percentiles.svg", chart: chart)
    }

    static func throughput(_ summary: RunSummary) -> Plot {
        let completed = summary.timeseries.map { (x: Double($0.second), y: Double($0.completed)) }
        let failed = summary.timeseries.map { (x: Double($0.second), y: Double($0.failed)) }
        var series = [Chart.Series(name: "completed", points: completed)]
        if summary.failedRequests > 0 { series.append(Chart.Series(name: "failed", points: failed)) }
        let chart = Chart(
            title: "Throughput over time",
            xAxis: .linear(label: "Time since start (s)", upper: Double(max(summary.timeseries.count - 1, 1))),
            yAxis: .linear(label: "Requests per second", upper: max(completed.map(\.y).max() ?? 1, 1)),
            content: .lines(series))
        return Plot(file: "throughput.svg", chart: chart)
    }

    static func latencyOverTime(_ summary: RunSummary) -> Plot {
        let unit = TimeUnit(largest: summary.timeseries.compactMap(\.p95Latency).max() ?? 1)
        let p50 = summary.timeseries.compactMap { point in point.p50Latency.map { (x: Double(point.second), y: unit.of($0)) } }
        let p95 = summary.timeseries.compactMap { point in point.p95Latency.map { (x: Double(point.second), y: unit.of($0)) } }
        let chart = Chart(
            title: "Latency over time",
            xAxis: .linear(label: "Time since start (s)", upper: Double(max(summary.timeseries.count - 1, 1))),
            yAxis: .linear(label: "Latency (\(unit.name))", upper: max(p95.map(\.y).max() ?? 1, 1e-3)),
            content: .lines([Chart.Series(name: "p50", points: p50), Chart.Series(name: "p95", points: p95)]))
        return Plot(file: "latency_over_time.svg", chart: chart)
    }

    /// The share of requests at or below each latency, from the percentile spectrum.
    static func cdf(_ summary: RunSummary) -> Plot {
        let unit = TimeUnit(largest: summary.percentileSpectrum.map(\.latency).max() ?? 1)
        let points = summary.percentileSpectrum.map { (x: unit.of($0.latency), y: $0.percentile) }
        let positive = points.map(\.x).filter { $0 > 0 }
        let chart = Chart(
            title: "Latency CDF",
            xAxis: .log(label: "Latency (\(unit.name), log scale)", lower: positive.min() ?? 0.001, upper: positive.max() ?? 1),
            yAxis: .linear(label: "Requests at or below (%)", upper: 100),
            content: .lines([Chart.Series(name: "CDF", points: points.filter { $0.x > 0 })]))
        return Plot(file: "latency_cdf.svg", chart: chart)
    }

    /// Failed requests per second and their share of the requests that ended that second.
    static func errorsOverTime(_ summary: RunSummary) -> Plot {
        let failed = summary.timeseries.map { (x: Double($0.second), y: Double($0.failed)) }
        let chart = Chart(
            title: "Errors over time",
            xAxis: .linear(label: "Time since start (s)", upper: Double(max(summary.timeseries.count - 1, 1))),
            yAxis: .linear(label: "Failed requests per second", upper: max(failed.map(\.y).max() ?? 1, 1)),
            content: .lines([Chart.Series(name: "failed", points: failed)]))
        return Plot(file: "errors_over_time.svg", chart: chart)
    }

    /// Failed requests by reason (the old report's error distribution), most frequent first;
    /// past eight reasons the rest are one bar.
    static func errorDistribution(_ summary: RunSummary) -> Plot {
        let shown = 8
        let sorted = summary.errorSummary.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        var bars = sorted.prefix(shown).map { (name: $0.key, count: Double($0.value)) }
        if sorted.count > shown {
            bars.append(
                (name: "\(sorted.count - shown) other reasons", count: Double(sorted.dropFirst(shown).map(\.value).reduce(0, +))))
        }
        // Long messages are cut for the axis; the bar's tooltip has the name as cut.
        let names = bars.map { $0.name.count > 28 ? String($0.name.prefix(27)) + "…" : $0.name }
        let chart = Chart(
            title: "Errors by reason",
            xAxis: Axis(label: "Reason", lower: 0, upper: 1, scale: .linear, ticks: []),
            yAxis: .linear(label: "Failed requests", upper: max(bars.map(\.count).max() ?? 1, 1)),
            content: .groupedBars(categories: names, series: [("failed requests", bars.map(\.count))]))
        return Plot(file: "error_distribution.svg", chart: chart)
    }

    /// Requests and p95 latency per client: a fair run gives every client the same service.
    static func clientFairness(_ summary: RunSummary) -> Plot {
        let names = summary.clients.keys.sorted { (Int($0) ?? Int.max, $0) < (Int($1) ?? Int.max, $1) }
        let counts = names.map { Double(summary.clients[$0]?.count ?? 0) }
        let total = max(counts.reduce(0, +), 1)
        let shares = counts.map { $0 / total * 100 }
        let chart = Chart(
            title: "Share of requests per client",
            xAxis: Axis(label: "Client", lower: 0, upper: 1, scale: .linear, ticks: []),
            yAxis: .linear(label: "Share of all requests (%)", upper: max(shares.max() ?? 1, 1)),
            content: .groupedBars(categories: names.map { "client \($0)" }, series: [("requests", shares)]))
        return Plot(file: "client_fairness.svg", chart: chart)
    }

    static func operationLatency(_ summary: RunSummary) -> Plot {
        let names = summary.operations.keys.sorted()
        let unit = TimeUnit(largest: names.compactMap { summary.operations[$0]?.p99Latency }.max() ?? 1)
        let values: (KeyPath<OperationSummary, Double?>) -> [Double] = { path in
            names.map { unit.of(summary.operations[$0]?[keyPath: path] ?? 0) }
        }
        let p50 = values(\.p50Latency)
        let p99 = values(\.p99Latency)
        // A log axis: on a linear one every p50 below the tallest p99 is a sliver.
        let chart = Chart(
            title: "Latency per operation",
            xAxis: Axis(label: "Operation", lower: 0, upper: 1, scale: .linear, ticks: []),
            yAxis: .log(
                label: "Latency (\(unit.name), log scale)", lower: max(p50.filter { $0 > 0 }.min() ?? 1, 1e-6),
                upper: max(p99.max() ?? 1, 1e-6)),
            content: .groupedBars(
                categories: names,
                series: [("p50", p50), ("p95", values(\.p95Latency)), ("p99", p99)]))
        return Plot(file: "operation_latency.svg", chart: chart)
    }
}

extension PlotRenderer {
    /// Both runs' latency distributions overlaid: the CDF and the histogram (as shares, so
    /// runs of different sizes compare).
    public static func comparisonPlots(base: RunSummary, current: RunSummary) -> [Plot] {
        guard base.latency != nil || current.latency != nil else { return [] }
        let unit = TimeUnit(largest: (base.percentileSpectrum + current.percentileSpectrum).map(\.latency).max() ?? 1)
        func cdf(_ summary: RunSummary) -> [(x: Double, y: Double)] {
            summary.percentileSpectrum.map { (x: unit.of($0.latency), y: $0.percentile) }
        }
        func shares(_ summary: RunSummary) -> [(x: Double, y: Double)] {
            let total = Double(max(summary.latencyHistogram.map(\.count).reduce(0, +), 1))
            return summary.latencyHistogram.flatMap { bin in
                [
                    (x: unit.of(bin.lower), y: Double(bin.count) / total * 100),
                    (x: unit.of(bin.upper), y: Double(bin.count) / total * 100),
                ]
            }
        }
        let all = cdf(base) + cdf(current)
        let lowest = all.map(\.x).filter { $0 > 0 }.min() ?? 0.001
        let highest = all.map(\.x).max() ?? 1
        let cdfChart = Chart(
            title: "Latency CDF: base and current",
            xAxis: .log(label: "Latency (\(unit.name), log scale)", lower: lowest, upper: highest),
            yAxis: .linear(label: "Requests at or below (%)", upper: 100),
            content: .lines([
                Chart.Series(name: "base", points: cdf(base)), Chart.Series(name: "current", points: cdf(current)),
            ]))
        let histogram = shares(base) + shares(current)
        let histogramChart = Chart(
            title: "Latency histogram: base and current",
            xAxis: .log(
                label: "Latency (\(unit.name), log scale)", lower: histogram.map(\.x).filter { $0 > 0 }.min() ?? 0.001,
                upper: histogram.map(\.x).max() ?? 1),
            yAxis: .linear(label: "Share of requests (%)", upper: max(histogram.map(\.y).max() ?? 1, 1)),
            content: .lines([
                Chart.Series(name: "base", points: shares(base)), Chart.Series(name: "current", points: shares(current)),
            ]))
        return [
            Plot(file: "latency_cdf.svg", chart: cdfChart),
            Plot(file: "latency_histogram.svg", chart: histogramChart),
        ]
    }
}

extension PlotRenderer {
    /// Latency percentiles and throughput across the runs of one recipe (x: run number);
    /// `regressions` (run number → what regressed) are ringed on the latency chart.
    static func trendPlots(_ summaries: [RunListing.Metrics?], regressions: [Int: String] = [:]) -> [Plot] {
        guard summaries.count > 1 else { return [] }
        let metrics = summaries.compactMap { $0 }
        func series(_ name: String, _ value: (RunListing.Metrics) -> Double?) -> Chart.Series {
            Chart.Series(
                name: name,
                points: summaries.enumerated().compactMap { index, summary in
                    summary.flatMap(value).map { (x: Double(index + 1), y: $0) }
                })
        }
        let unit = TimeUnit(largest: metrics.compactMap(\.latencyP99Seconds).max() ?? 1)
        let p50 = series("p50") { $0.latencyP50Seconds.map(unit.of) }
        let p95 = series("p95") { $0.latencyP95Seconds.map(unit.of) }
        let p99 = series("p99") { $0.latencyP99Seconds.map(unit.of) }
        let throughput = series("requests/s") { $0.requestsPerSecond }
        let runs = Double(summaries.count)
        var latency = Chart(
            title: "Latency across runs",
            xAxis: .linear(label: "Run (oldest first)", lower: 1, upper: runs),
            yAxis: .linear(label: "Latency (\(unit.name))", upper: max(p99.points.map(\.y).max() ?? 1, 1e-3)),
            content: .lines([p50, p95, p99]))
        latency.markers = regressions.sorted { $0.key < $1.key }.compactMap { run, what in
            p95.points.first { $0.x == Double(run) }.map { (x: $0.x, y: $0.y, label: "run \(run): \(what)") }
        }
        let rate = Chart(
            title: "Throughput across runs",
            xAxis: .linear(label: "Run (oldest first)", lower: 1, upper: runs),
            yAxis: .linear(label: "Requests per second", upper: max(throughput.points.map(\.y).max() ?? 1, 1)),
            content: .lines([throughput]))
        return [
            Plot(file: "trend_latency.svg", chart: latency),
            Plot(file: "trend_throughput.svg", chart: rate),
        ]
    }
}

extension PlotRenderer {
    /// Latency percentiles and throughput against the one numeric key a sweep varied.
    static func sweepPlots(
        axis: String, low: Double, high: Double, points: [(x: Double, metrics: RunListing.Metrics)]
    ) -> [Plot] {
        let metrics = points.map(\.metrics)
        func series(_ name: String, _ value: (RunListing.Metrics) -> Double?) -> Chart.Series {
            Chart.Series(name: name, points: points.compactMap { point in value(point.metrics).map { (x: point.x, y: $0) } })
        }
        let unit = TimeUnit(largest: metrics.compactMap(\.latencyP99Seconds).max() ?? 1)
        let p50 = series("p50") { $0.latencyP50Seconds.map(unit.of) }
        let p95 = series("p95") { $0.latencyP95Seconds.map(unit.of) }
        let p99 = series("p99") { $0.latencyP99Seconds.map(unit.of) }
        let throughput = series("requests/s") { $0.requestsPerSecond }
        let latency = Chart(
            title: "Latency by \(axis)",
            xAxis: .linear(label: axis, lower: low, upper: high),
            yAxis: .linear(label: "Latency (\(unit.name))", upper: max(p99.points.map(\.y).max() ?? 1, 1e-3)),
            content: .lines([p50, p95, p99]))
        let rate = Chart(
            title: "Throughput by \(axis)",
            xAxis: .linear(label: axis, lower: low, upper: high),
            yAxis: .linear(label: "Requests per second", upper: max(throughput.points.map(\.y).max() ?? 1, 1)),
            content: .lines([throughput]))
        return [
            Plot(file: "sweep_latency.svg", chart: latency),
            Plot(file: "sweep_throughput.svg", chart: rate),
        ]
    }
}

extension PlotRenderer {
    /// An analysed sweep (`sweep: auto`, `sweep-report`): achieved against offered load with
    /// the saturation ringed; latency against achieved throughput with the knee and the SLO
    /// limit ringed; errors against offered load.
    static func sweepAnalysisPlots(_ analysis: SweepAnalysis) -> [Plot] {
        let points = analysis.points
        guard points.count >= 2, let highest = points.map({ max($0.load, $0.throughput) }).max(), highest > 0 else {
            return []
        }
        let byThroughput = points.sorted { $0.throughput < $1.throughput }
        let unit = TimeUnit(largest: points.compactMap(\.p99).max() ?? 1)
        var throughput = Chart(
            title: "Achieved by offered load",
            xAxis: .linear(label: "Offered load (requests/s; closed loop: achieved)", lower: 0, upper: highest),
            yAxis: .linear(label: "Achieved requests/s", upper: highest),
            content: .lines([
                Chart.Series(name: "achieved", points: points.map { (x: $0.load, y: $0.throughput) }),
                Chart.Series(name: "offered", points: [(x: 0, y: 0), (x: highest, y: highest)]),
            ]))
        if let saturation = analysis.saturation, let point = points.first(where: { $0.runID == saturation.runID }) {
            throughput.markers = [(x: point.load, y: point.throughput, label: "saturation: \(Format.rate(point.throughput))")]
        }
        func latencySeries(_ name: String, _ value: (SweepAnalysis.Point) -> Double?) -> Chart.Series {
            Chart.Series(
                name: name,
                points: byThroughput.compactMap { point in value(point).map { (x: point.throughput, y: unit.of($0)) } })
        }
        let p99 = latencySeries("p99", \.p99)
        var latency = Chart(
            title: "Latency by achieved throughput",
            xAxis: .linear(label: "Achieved requests/s", lower: 0, upper: highest),
            yAxis: .linear(label: "Latency (\(unit.name))", upper: max(p99.points.map(\.y).max() ?? 1, 1e-3)),
            content: .lines([latencySeries("p50", \.p50), p99]))
        var marked: [(x: Double, y: Double, label: String)] = []
        if let knee = analysis.knee, let point = points.first(where: { $0.runID == knee.runID }) {
            marked.append((x: point.throughput, y: unit.of(knee.p99), label: "knee: p99 \(Format.latency(knee.p99))"))
        }
        if let limit = analysis.sloLimit, let point = points.first(where: { $0.runID == limit.runID }), let value = point.p99 {
            marked.append((x: point.throughput, y: unit.of(value), label: "SLO limit: \(Format.rate(limit.load))"))
        }
        latency.markers = marked
        let errors = Chart(
            title: "Errors by offered load",
            xAxis: .linear(label: "Offered load (requests/s; closed loop: achieved)", lower: 0, upper: highest),
            yAxis: .linear(label: "Failed requests (%)", upper: max(points.map { $0.errorRate * 100 }.max() ?? 0, 1)),
            content: .lines([Chart.Series(name: "failed", points: points.map { (x: $0.load, y: $0.errorRate * 100) })]))
        var plots = [
            Plot(file: "sweep_achieved.svg", chart: throughput), Plot(file: "sweep_latency_by_throughput.svg", chart: latency),
            Plot(file: "sweep_errors.svg", chart: errors),
        ]
        // With objectives: requests within them per second, against the load.
        let goodput = points.compactMap { point in point.goodput.map { (x: point.load, y: $0) } }
        if goodput.count >= 2 {
            let chart = Chart(
                title: "Goodput by offered load",
                xAxis: .linear(label: "Offered load (requests/s; closed loop: achieved)", lower: 0, upper: highest),
                yAxis: .linear(label: "Requests/s within the objectives", upper: max(goodput.map(\.y).max() ?? 1, 1)),
                content: .lines([
                    Chart.Series(name: "goodput", points: goodput),
                    Chart.Series(name: "achieved", points: points.map { (x: $0.load, y: $0.throughput) }),
                ]))
            plots.append(Plot(file: "sweep_goodput.svg", chart: chart))
        }
        return plots
    }
}

/// The unit of a plot's latencies: µs, ms or s, whichever makes its largest value read
/// between 1 and 1000.
struct TimeUnit {
    let name: String
    let perSecond: Double

    init(largest seconds: Double) {
        switch seconds {
        case ..<1e-3: (name, perSecond) = ("µs", 1e6)
        case ..<1: (name, perSecond) = ("ms", 1e3)
        default: (name, perSecond) = ("s", 1)
        }
    }

    /// Seconds in this unit.
    func of(_ seconds: Double) -> Double { seconds * perSecond }
}
