import FactoryBenchCore
import FactoryBenchRendering
import Foundation
import TestSupport
import Testing

@Suite struct ReportRendererTests {
    func fixture() throws -> (RunManifest, RunSummary) {
        let manifest = try RunManifest.read(from: Fixtures.url("run.json"))
        let summary = try Aggregator.aggregate(files: [Fixtures.url("requests.jsonl")])
        return (manifest, summary)
    }

    @Test func summaryOfTheFixtureMatchesItsGolden() throws {
        let (_, summary) = try fixture()
        #expect(summary.totalRequests == 400)
        #expect(summary.failedRequests == 6)
        #expect(summary.skippedLines.total == 1)
        try assertGolden(String(decoding: try AtomicFile.encodeJSON(summary), as: UTF8.self), named: "summary.json")
    }

    @Test func reportMarkdownMatchesItsGolden() throws {
        let (manifest, summary) = try fixture()
        let renderer = ReportRenderer(templates: .builtIn)
        let markdown = try renderer.markdown(
            manifest: manifest, summary: summary, plots: PlotRenderer.plots(for: summary), inlinePlots: false)
        try assertGolden(markdown, named: "report.md")
        #expect(markdown.contains("![Latency histogram (successful requests)](plots/latency_histogram.svg)"))
    }

    @Test func runPageMatchesItsGoldenAndIsSafe() throws {
        let (manifest, summary) = try fixture()
        let directory = try TemporaryDirectory()
        let run = directory.path("results/\(manifest.benchmarkID)")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        try AtomicFile.writeJSON(manifest, to: run.appendingPathComponent("run.json"))
        try AtomicFile.writeJSON(summary, to: run.appendingPathComponent("summary.json"))
        let workspace = Workspace(root: directory.url)
        #expect(try SiteBuilder(workspace: workspace, templates: .builtIn).build() == 1)
        let page = try String(
            contentsOf: directory.path("site/runs/\(manifest.benchmarkID)/index.html"), encoding: .utf8)
        try assertGolden(page, named: "run-page.html")
        let index = try String(contentsOf: directory.path("site/index.html"), encoding: .utf8)
        try assertGolden(index, named: "index.html")

        for html in [page, index] {
            #expect(!html.lowercased().contains("<script"))
            #expect(!html.contains("<img"))
            #expect(!html.contains("<b>boom"))
            #expect(!html.contains("http://") || !html.contains("src=\"http"))
        }
        #expect(page.contains("&lt;script&gt;alert"))
        #expect(page.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(page.contains("<link rel=\"stylesheet\" href=\"../../style.css\">"))
        // Histogram, percentiles, CDF, throughput, latency and errors over time, errors by
        // reason, per operation, per client (the fixture has failures and two clients).
        #expect(page.components(separatedBy: "<svg ").count - 1 == 9)
        #expect(page.contains("<div class=\"cards\"><div class=\"card\"><span class=\"value\">"))
        #expect(page.contains("<table>"))
        // Pictures first: the key plots right after the headline cards, before any table;
        // the rest after the tables, before the environment.
        let cards = try #require(page.range(of: "<div class=\"cards\">")).lowerBound
        let grid = try #require(page.range(of: "<div class=\"plots\">")).lowerBound
        // (The first table of the page's own, not a plot's data table.)
        let firstTable = try #require(page.range(of: "<th>Run</th>")).lowerBound
        #expect(cards < grid && grid < firstTable)
        let key = page[grid..<firstTable]
        let captions = key.components(separatedBy: "<figcaption>").dropFirst().map { $0.prefix { $0 != "<" } }
        #expect(captions == ["Throughput over time", "Latency by percentile", "Latency over time", "Latency per operation"])
        let more = try #require(page.range(of: "<h2>More plots</h2>")).lowerBound
        let environment = try #require(page.range(of: "<h2>Environment</h2>")).lowerBound
        #expect(firstTable < more && more < environment)
        // One title per plot: the caption; the SVG keeps it only as <title>, with a <desc>
        // and the data in a table beside it.
        #expect(!page.contains("font-weight=\"bold\""))
        #expect(page.components(separatedBy: "<figcaption>").count == page.components(separatedBy: "<svg ").count)
        #expect(page.components(separatedBy: "<desc>").count == page.components(separatedBy: "<svg ").count)
        #expect(page.components(separatedBy: "<summary>Data of this plot</summary>").count == 10)
        #expect(index.contains("<a href=\"runs/fixture-20261129-000000-abcd/index.html\">"))
    }

    @Test func writesReportFilesWithSortedKeys() throws {
        let (manifest, summary) = try fixture()
        let directory = try TemporaryDirectory()
        try ReportRenderer(templates: .builtIn).write(manifest: manifest, summary: summary, to: directory.url)
        #expect(
            directory.files() == [
                "metrics.txt", "plots/client_fairness.svg", "plots/error_distribution.svg", "plots/errors_over_time.svg",
                "plots/latency_cdf.svg",
                "plots/latency_histogram.svg", "plots/latency_over_time.svg", "plots/latency_percentiles.svg",
                "plots/operation_latency.svg", "plots/throughput.svg", "report.json", "report.md",
            ])
        let json = try String(contentsOf: directory.path("report.json"), encoding: .utf8)
        let keys = json.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map { $0.split(separator: "\"")[1] }
        #expect(keys == keys.sorted())
        #expect(keys.contains("summary"))
        // The old report's keys: the verdict with its rule, findings, recommendations, when
        // it was generated and the run's metadata (its run.json).
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["verdict"] as? String == "ACCEPTABLE", "98.5 % succeeded")
        #expect((object["verdict_rule"] as? String)?.contains("99 %") == true)
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(findings.map { $0["title"] as? String } == ["Excellent Latency", "Error Pattern Detected"])
        #expect(object["recommendations"] as? [String] == ["Investigate failed requests to improve reliability"])
        #expect((object["generated_at"] as? String).flatMap(ISO8601DateFormatter().date(from:)) != nil)
        #expect((object["run_metadata"] as? [String: Any])?["benchmark_id"] as? String == manifest.benchmarkID)
        let markdown = try String(contentsOf: directory.path("report.md"), encoding: .utf8)
        #expect(markdown.contains("**Verdict: ACCEPTABLE** — Minor issues detected"))
        #expect(markdown.contains("2. **[ERROR]** Error Pattern Detected: most common error: "))
        let errors = try String(contentsOf: directory.path("plots/error_distribution.svg"), encoding: .utf8)
        #expect(errors.contains("Errors by reason"))
    }

    /// The SLO verdict is computed in the core and reaches report.json, not only the page.
    @Test func reportJSONCarriesTheSLOVerdict() throws {
        var (manifest, summary) = try fixture()
        manifest.recipeResolved = .map(["slo": .map(["p99_latency_ms": .int(10_000), "error_rate": .double(0.001)])])
        let directory = try TemporaryDirectory()
        try ReportRenderer(templates: .builtIn).write(manifest: manifest, summary: summary, to: directory.url)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.path("report.json"))) as? [String: Any]
        let slo = try #require(json?["slo"] as? [String: Any])
        #expect(slo["headline"] as? String == "1 of 2 objectives failed")
        let objectives = try #require(slo["objectives"] as? [[String: Any]])
        #expect(objectives.map { $0["key"] as? String } == ["error_rate", "p99_latency_ms"])
        #expect(objectives.map { $0["passed"] as? Bool } == [false, true])
        #expect(objectives.first?["actual"] as? Double == 6.0 / 400)
        let markdown = try ReportRenderer(templates: .builtIn).markdown(
            manifest: manifest, summary: summary, plots: [], inlinePlots: false)
        #expect(markdown.contains("1 of 2 objectives failed"))
    }

    /// Operations that moved bytes (S3) get their megabytes and MB/s in their own table;
    /// a run without transfers has no such section.
    @Test func transfersShowMegabytesPerSecondPerOperation() throws {
        var (manifest, summary) = try fixture()
        let renderer = ReportRenderer(templates: .builtIn)
        let plain = try renderer.markdown(manifest: manifest, summary: summary, plots: [], inlinePlots: false)
        #expect(!plain.contains("## Throughput in bytes"))
        let name = try #require(summary.operations.keys.sorted().first)
        summary.operations[name]?.bytes = 52_428_800
        summary.operations[name]?.megabytesPerSecond = 12.34
        let markdown = try renderer.markdown(manifest: manifest, summary: summary, plots: [], inlinePlots: false)
        #expect(markdown.contains("## Throughput in bytes"))
        // The fixture's first operation name is markup, escaped like every other cell.
        #expect(markdown.contains("| &lt;img src=x onerror=alert(1)&gt; | 52.4 | 12.3 |"))
    }

    @Test func templatesCanBeOverriddenFileByFile() throws {
        let directory = try TemporaryDirectory()
        try directory.write("report.md.mustache", "{{% CONTENT_TYPE: TEXT}}\nCustom {{id}}\n")
        let templates = try TemplateSet.load(overrides: directory.url)
        let (manifest, summary) = try fixture()
        let markdown = try ReportRenderer(templates: templates).markdown(
            manifest: manifest, summary: summary, plots: [], inlinePlots: false)
        #expect(markdown == "Custom fixture-20261129-000000-abcd\n")
        #expect(templates.stylesheet == TemplateSet.builtIn.stylesheet)
        #expect(throws: RenderingError.self) { try TemplateSet.load(overrides: directory.path("missing")) }
    }

    @Test func theRecipeShownOnThePageCannotBreakOutOfItsCodeBlock() throws {
        var (manifest, summary) = try fixture()
        manifest.recipeVerbatim = "service:\n  name: \"```\"\n```\n<script>alert(1)</script>\n# [x](javascript:y)\n"
        let markdown = try ReportRenderer(templates: .builtIn).markdown(
            manifest: manifest, summary: summary, plots: [], inlinePlots: true)
        #expect(markdown.contains("````yaml\n"))
        let html = MarkdownRenderer.html(from: markdown)
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("href=\"javascript"))
    }
}
