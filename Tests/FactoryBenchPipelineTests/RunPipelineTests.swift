import FactoryBenchCore
import FactoryBenchPipeline
import Foundation
import Synchronization
import TestSupport
import Testing

/// Captures what the pipeline prints.
final class RecordingOutput: PipelineOutput {
    let lines = Mutex<[String]>([])
    let isInteractive = false
    func line(_ text: String) { lines.withLock { $0.append(text) } }
    func progress(_ text: String) { lines.withLock { $0.append(text) } }
    func endProgress() {}
}

@Suite struct RunPipelineTests {
    /// The quickstart recipe with a small request count, in a fresh workspace.
    func quickstart(requests: Int, in directory: TemporaryDirectory) throws -> URL {
        let text = try String(
            contentsOf: Fixtures.repositoryRoot.appendingPathComponent("examples/quickstart.yaml"), encoding: .utf8)
        let small = text.replacingOccurrences(of: "num_requests: 20000", with: "num_requests: \(requests)")
        #expect(small != text, "the quickstart no longer sets num_requests: 20000")
        return try directory.write("recipes/quickstart.yaml", small)
    }

    func run(_ recipe: URL, in directory: TemporaryDirectory) async throws -> (RunPipeline.Outcome, [String]) {
        let output = RecordingOutput()
        let outcome = try await RunPipeline(
            recipePath: recipe.path, workspace: Workspace(root: directory.url), templatesDirectory: nil, output: output
        ).run()
        return (outcome, output.lines.withLock { $0 })
    }

    /// numpy's default percentile, written independently of `Statistics`.
    func numpyPercentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        let rank = p / 100 * Double(sorted.count - 1)
        let below = Int(rank)
        let above = Swift.min(below + 1, sorted.count - 1)
        return sorted[below] * (1 - (rank - Double(below))) + sorted[above] * (rank - Double(below))
    }

    @Test func quickstartRunsEndToEndAndEveryRunJoinsTheSite() async throws {
        let directory = try TemporaryDirectory()
        let recipe = try quickstart(requests: 150, in: directory)
        let (outcome, lines) = try await run(recipe, in: directory)
        let id = outcome.benchmarkID
        #expect(outcome.status == .completed)
        #expect(lines.first == "Benchmark \(id)")
        for (index, step) in ["deploy", "run", "collect", "aggregate", "report", "site"].enumerated() {
            #expect(lines.contains("[\(index + 1)/6] \(step)"))
        }
        #expect(lines.contains { $0.contains("600/600 requests") })

        let files = Set(directory.files())
        for file in [
            "results/\(id)/run.json", "results/\(id)/requests.jsonl", "results/\(id)/summary.json",
            "results/\(id)/clients/client-0.jsonl", "results/\(id)/clients/client-3.jsonl",
            "reports/\(id)/report.md", "reports/\(id)/report.json", "reports/\(id)/plots/latency_histogram.svg",
            "reports/\(id)/plots/throughput.svg", "site/index.html", "site/style.css", "site/runs/\(id)/index.html",
        ] {
            #expect(files.contains(file), "\(file) is missing")
        }
        #expect(!files.contains { $0.contains(".tmp-") || $0.hasSuffix(".partial") })

        let manifest = try RunManifest.read(from: outcome.results.manifest)
        #expect(manifest.status == .completed)
        #expect(manifest.steps.map(\.name) == ["deploy", "run", "collect", "aggregate", "report", "site"])
        #expect(manifest.recipeVerbatim == (try String(contentsOf: recipe, encoding: .utf8)))
        #expect(manifest.finishedAt != nil)
        #expect((manifest.clientCPUSeconds ?? 0) > 0)

        let summary = try JSONDecoder().decode(RunSummary.self, from: Data(contentsOf: outcome.results.summary))
        #expect(summary.totalRequests == 4 * 150)
        #expect(summary.successfulRequests == 600)

        // Percentiles, recomputed here from requests.jsonl with an independent parser.
        let lines2 = try String(contentsOf: outcome.results.requests, encoding: .utf8).split(separator: "\n")
        let header = try #require(try JSONSerialization.jsonObject(with: Data(lines2[0].utf8)) as? [String: Any])
        #expect(header["benchmark_id"] as? String == id)
        let latencies = try lines2.dropFirst().map { line -> Double in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return try #require(object["latency_s"] as? Double)
        }
        #expect(latencies.count == 600)
        let latency = try #require(summary.latency)
        for (p, value) in [(50.0, latency.p50), (90, latency.p90), (95, latency.p95), (99, latency.p99)] {
            #expect(abs(value - numpyPercentile(latencies, p)) < 1e-12, "p\(p)")
        }
        #expect(abs(latency.avg - latencies.reduce(0, +) / 600) < 1e-12)

        let page = try String(contentsOf: outcome.sitePage, encoding: .utf8)
        #expect(page.contains("<svg "))
        // Each plot in the unit its values read in.
        #expect(["µs", "ms", "s"].contains { page.contains(">Latency (\($0), log scale)</text>") })
        #expect(page.contains(">Requests per second</text>"))
        #expect(page.contains("<table>"))
        #expect(page.contains("load-generator CPU"))
        #expect(!page.lowercased().contains("<script"))
        let index = try String(contentsOf: directory.path("site/index.html"), encoding: .utf8)
        #expect(index.contains("href=\"runs/\(id)/index.html\""))
        // The service's sub-index lists the run, linked from the index.
        #expect(index.contains("By service: <a href=\"services/sqlite/index.html\">sqlite</a> (1 run)"))
        let serviceIndex = try String(contentsOf: directory.path("site/services/sqlite/index.html"), encoding: .utf8)
        #expect(serviceIndex.contains("<h1>Runs of sqlite</h1>"))
        #expect(serviceIndex.contains("href=\"../../runs/\(id)/index.html\""))

        let (second, secondLines) = try await run(recipe, in: directory)
        #expect(second.benchmarkID != id)
        #expect(outcome.comparisonID == nil, "the first run has nothing to compare with")
        // Every run is compared with the previous run of its recipe.
        let comparisonID = try #require(second.comparisonID)
        #expect(comparisonID == "\(id)-vs-\(second.benchmarkID)")
        #expect(secondLines.contains { $0.hasPrefix("      compared with \(id): ") })
        let comparison = try JSONDecoder().decode(
            Comparison.self,
            from: Data(contentsOf: directory.path("reports/compare/\(comparisonID)/comparison.json")))
        #expect(comparison.differences.isEmpty, "\(comparison.differences)")
        #expect(comparison.metrics.contains { $0.name == "latency p95" && $0.baseSamples == 600 })
        let secondPage = try String(contentsOf: second.sitePage, encoding: .utf8)
        #expect(secondPage.contains("href=\"../../compare/\(comparisonID)/index.html\""))
        #expect(FileManager.default.fileExists(atPath: directory.path("site/compare/\(comparisonID)/index.html").path))
        // Downloads sit beside the run page, and no link of the whole site is broken.
        #expect(secondPage.contains("<a href=\"requests.jsonl\">requests.jsonl</a>"))
        #expect(secondPage.contains("<a href=\"summary.json\">summary.json</a>"))
        let published = try String(contentsOf: directory.path("site/runs/\(second.benchmarkID)/summary.json"), encoding: .utf8)
        #expect(published == (try String(contentsOf: second.results.summary, encoding: .utf8)))
        let trend = try String(contentsOf: directory.path("site/trends/quickstart/index.html"), encoding: .utf8)
        #expect(trend.contains("href=\"../../runs/\(id)/index.html\""))
        #expect(trend.contains("href=\"../../runs/\(second.benchmarkID)/index.html\""))
        #expect(try #require(trend.range(of: id)).lowerBound < (try #require(trend.range(of: second.benchmarkID))).lowerBound)
        #expect(trend.contains("<figcaption>Latency across runs</figcaption>"))
        let siteIndex = try String(contentsOf: directory.path("site/index.html"), encoding: .utf8)
        #expect(siteIndex.contains("href=\"trends/quickstart/index.html\""))
        #expect(try LinkChecker.problems(in: directory.path("site")) == [])
        let index2 = try String(contentsOf: directory.path("site/index.html"), encoding: .utf8)
        #expect(index2.contains("href=\"runs/\(id)/index.html\""))
        #expect(index2.contains("href=\"runs/\(second.benchmarkID)/index.html\""))
        #expect(
            try #require(index2.range(of: second.benchmarkID)).lowerBound < (try #require(index2.range(of: id))).lowerBound,
            "newest run first")
    }

    @Test func invalidRecipesWriteNothing() async throws {
        let directory = try TemporaryDirectory()
        let recipes = [
            "typo.yaml": "service: {type: sqlite}\nclient: {type: sqlite_stress}\nbenchmarks: {num_clients: 1, clients: 2}\n",
            "unsupported.yaml": "service: {type: vllm}\nclient: {type: vllm_smoke}\n",
            "syntax.yaml": "service:\n  type: [sqlite\n",
        ]
        for (name, text) in recipes.sorted(by: { $0.key < $1.key }) {
            let url = try directory.write("recipes/\(name)", text)
            await #expect(throws: (any Error).self, "\(name)") { _ = try await run(url, in: directory) }
        }
        await #expect(throws: RecipeError.self) {
            _ = try await run(directory.path("recipes/missing.yaml"), in: directory)
        }
        #expect(directory.files().allSatisfy { $0.hasPrefix("recipes/") })
    }

    /// Every run checks its own load generator: CPU, cores and record rate on a run that
    /// kept up, and a one-sentence warning at the top of the report and the run page when
    /// an open loop asks one slot for a rate it cannot reach.
    @Test func everyRunChecksItsGeneratorAndWarnsWhenItCouldNotKeepUp() async throws {
        let directory = try TemporaryDirectory()
        func generator(_ id: String) throws -> [String: Any] {
            let data = try Data(contentsOf: directory.path("results/\(id)/summary.json"))
            let summary = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            return try #require(summary["load_generator"] as? [String: Any])
        }
        let (kept, _) = try await run(try quickstart(requests: 150, in: directory), in: directory)
        let calm = try generator(kept.benchmarkID)
        #expect((calm["cpu_seconds"] as? Double ?? 0) > 0)
        #expect(calm["cores"] as? Int == ProcessInfo.processInfo.activeProcessorCount)
        #expect((calm["run_seconds"] as? Double ?? 0) > 0 && (calm["records_per_second"] as? Double ?? 0) > 0)
        #expect((calm["cpu_us_per_request"] as? Double ?? 0) > 0 && calm["cpu_share"] is Double)
        #expect(calm["dropped_requests"] as? Int == 0 && calm["schedule_lateness_s"] == nil)

        let starved = try directory.write(
            "recipes/starved.yaml",
            """
            service: {type: sqlite}
            client: {type: sqlite_stress, settings: {initial_rows: 100}}
            load: {mode: open, rate: 100000, concurrency: 1, num_requests: 3000}
            """)
        let (outcome, _) = try await run(starved, in: directory)
        let busy = try generator(outcome.benchmarkID)
        let warning = try #require(busy["warning"] as? String)
        #expect(warning.hasPrefix("The load generator may have been the bottleneck: "))
        #expect(busy["schedule_lateness_s"] is [String: Any])
        let lateP99 = ((busy["schedule_lateness_s"] as? [String: Any])?["p99"] as? Double) ?? 0
        #expect((busy["dropped_requests"] as? Int ?? 0) > 0 || lateP99 > 0.001, "\(busy)")
        let report = try String(contentsOf: directory.path("reports/\(outcome.benchmarkID)/report.md"), encoding: .utf8)
        #expect(report.contains("> **Warning:** The load generator may have been the bottleneck"))
        let page = try String(
            contentsOf: directory.path("site/runs/\(outcome.benchmarkID)/index.html"), encoding: .utf8)
        #expect(page.contains("The load generator may have been the bottleneck"))
        let quiet = try String(contentsOf: directory.path("reports/\(kept.benchmarkID)/report.md"), encoding: .utf8)
        #expect(!quiet.contains("load generator may have been"))
    }

    @Test func reportReaggregatesAndRerendersARun() async throws {
        let directory = try TemporaryDirectory()
        let (outcome, _) = try await run(try quickstart(requests: 20, in: directory), in: directory)
        let reportFile = outcome.reportDirectory.appendingPathComponent("report.md")
        try FileManager.default.removeItem(at: reportFile)
        try FileManager.default.removeItem(at: outcome.results.summary)
        let pipeline = ReportPipeline(workspace: Workspace(root: directory.url), templatesDirectory: nil)
        let (reportDirectory, summary) = try pipeline.report(outcome.benchmarkID)
        #expect(reportDirectory.standardizedFileURL.path == outcome.reportDirectory.standardizedFileURL.path)
        #expect(summary.totalRequests == 80)
        #expect(FileManager.default.fileExists(atPath: reportFile.path))
        #expect(FileManager.default.fileExists(atPath: outcome.results.summary.path))
        #expect(throws: RunNotFoundError.self) { try pipeline.report("no-such-run") }
    }
}
