import FactoryBenchCore
import FactoryBenchRendering
import Foundation
import TestSupport
import Testing

@Suite struct ComparisonRendererTests {
    /// The fixture run and a copy of it 50 % slower, set up with other settings, as a
    /// workspace with both results and their comparison.
    func workspace() throws -> (TemporaryDirectory, Comparison) {
        let directory = try TemporaryDirectory()
        var runs: [RunComparator.Run] = []
        for (manifestName, requestsName) in [("run.json", "requests.jsonl"), ("run-slower.json", "requests-slower.jsonl")] {
            let manifest = try RunManifest.read(from: Fixtures.url(manifestName))
            let run = directory.path("results/\(manifest.benchmarkID)")
            try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: Fixtures.url(manifestName), to: run.appendingPathComponent("run.json"))
            try FileManager.default.copyItem(at: Fixtures.url(requestsName), to: run.appendingPathComponent("requests.jsonl"))
            let files = [run.appendingPathComponent("requests.jsonl")]
            let summary = try Aggregator.aggregate(files: files)
            try AtomicFile.writeJSON(summary, to: run.appendingPathComponent("summary.json"))
            runs.append(RunComparator.Run(manifest: manifest, summary: summary, samples: try Aggregator.samples(files: files)))
        }
        let comparison = RunComparator.compare(base: runs[0], current: runs[1])
        try ComparisonRenderer(templates: .builtIn).write(
            comparison: comparison, base: runs[0].summary, current: runs[1].summary,
            to: directory.path("reports/compare/\(comparison.id)"))
        return (directory, comparison)
    }

    @Test func comparisonMarkdownAndPageMatchTheirGoldens() throws {
        let (directory, comparison) = try workspace()
        #expect(comparison.hasRegression)
        #expect(comparison.metrics.first { $0.name == "latency p50" }?.verdict == .regressed)
        #expect(comparison.differences.map(\.key).contains("service version"))
        #expect(comparison.differences.map(\.key).contains("recipe.benchmarks.num_clients"))
        let markdown = try String(
            contentsOf: directory.path("reports/compare/\(comparison.id)/comparison.md"), encoding: .utf8)
        try assertGolden(markdown, named: "comparison.md")
        #expect(
            Set(directory.files().filter { $0.hasPrefix("reports/compare/") }.map { ($0 as NSString).lastPathComponent })
                == ["comparison.json", "comparison.md", "latency_cdf.svg", "latency_histogram.svg"])

        try SiteBuilder(workspace: Workspace(root: directory.url), templates: .builtIn).build()
        let page = try String(
            contentsOf: directory.path("site/compare/\(comparison.id)/index.html"), encoding: .utf8)
        try assertGolden(page, named: "comparison-page.html")
        #expect(page.components(separatedBy: "<svg ").count - 1 == 2)
        #expect(page.contains("<a href=\"../../runs/fixture-20261129-000000-abcd/index.html\">"))
        #expect(!page.contains("<script"))
        let index = try String(contentsOf: directory.path("site/index.html"), encoding: .utf8)
        #expect(index.contains("href=\"compare/\(comparison.id)/index.html\""))
        let runPage = try String(
            contentsOf: directory.path("site/runs/\(comparison.current.id)/index.html"), encoding: .utf8)
        #expect(runPage.contains("href=\"../../compare/\(comparison.id)/index.html\""))
        // The trend page rings the regressed run on its latency plot.
        let trends = try FileManager.default.contentsOfDirectory(atPath: directory.path("site/trends").path)
        let trend = try String(
            contentsOf: directory.path("site/trends/\(try #require(trends.first))/index.html"), encoding: .utf8)
        #expect(trend.contains("stroke-width=\"2.5\"><title>run 2: regressed: latency"), "\(trends)")
        #expect(try LinkChecker.problems(in: directory.path("site")) == [])
        try directory.write("site/runs/bad.html", "<a href=\"../nowhere.html\">x</a><img src=\"https://cdn.example/x.png\">")
        #expect(
            try LinkChecker.problems(in: directory.path("site")) == [
                "runs/bad.html: broken link ../nowhere.html",
                "runs/bad.html: external or scripted reference https://cdn.example/x.png",
            ])
        let json = try String(
            contentsOf: directory.path("reports/compare/\(comparison.id)/comparison.json"), encoding: .utf8)
        #expect(json.contains("\"verdict\" : \"regressed\""))
        #expect(json.contains("\"polarity\" : \"smaller_is_better\""))
    }
}
