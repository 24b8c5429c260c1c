import FactoryBenchCore
import FactoryBenchRendering
import Foundation
import TestSupport
import Testing

/// `site` renders again only the run pages whose inputs changed; `--clean` renders all.
@Suite struct SiteUpdateTests {
    /// A workspace with the fixture run under `id`; `requests` are the fixture's lines
    /// aggregated (all by default), `change` edits the manifest.
    func addRun(
        _ id: String, to directory: TemporaryDirectory, requests: Int? = nil, change: (inout RunManifest) -> Void = { _ in }
    ) throws {
        var manifest = try RunManifest.read(from: Fixtures.url("run.json"))
        manifest.benchmarkID = id
        change(&manifest)
        var lines = try String(contentsOf: Fixtures.url("requests.jsonl"), encoding: .utf8).split(separator: "\n")
        lines = Array(lines.prefix(requests ?? lines.count))
        let source = try directory.write("requests-\(id).jsonl", lines.joined(separator: "\n") + "\n")
        let summary = try Aggregator.aggregate(files: [source])
        let run = directory.path("results/\(id)")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        try AtomicFile.writeJSON(manifest, to: run.appendingPathComponent("run.json"))
        try AtomicFile.writeJSON(summary, to: run.appendingPathComponent("summary.json"))
    }

    @Test func onlyPagesWhoseInputsChangedAreRenderedAgain() throws {
        let directory = try TemporaryDirectory()
        try addRun("one-20260101-000000-0001", to: directory)
        try addRun("two-20260101-000001-0002", to: directory)
        let builder = SiteBuilder(workspace: Workspace(root: directory.url), templates: .builtIn)
        #expect(try builder.update() == SiteBuilder.Update(runPages: 2, renderedRunPages: 2))
        let page = directory.path("site/runs/one-20260101-000000-0001/index.html")
        let first = try String(contentsOf: page, encoding: .utf8)
        #expect(try builder.update() == SiteBuilder.Update(runPages: 2, renderedRunPages: 0))

        // A new run renders one page; the index lists all three.
        try addRun("three-20260101-000002-0003", to: directory)
        #expect(try builder.update() == SiteBuilder.Update(runPages: 3, renderedRunPages: 1))
        let index = try String(contentsOf: directory.path("site/index.html"), encoding: .utf8)
        #expect(index.contains("runs/three-20260101-000002-0003/index.html"))

        // A changed input (the summary rewritten, as `report` does) renders that page again,
        // to the same bytes when nothing else changed.
        try addRun("one-20260101-000000-0001", to: directory)
        #expect(try builder.update() == SiteBuilder.Update(runPages: 3, renderedRunPages: 1))
        #expect(try String(contentsOf: page, encoding: .utf8) == first)

        // Other templates make every page stale.
        let templates = try TemporaryDirectory()
        try templates.write("report.md.mustache", "{{% CONTENT_TYPE: TEXT}}\n# Custom {{title}}\n")
        let custom = SiteBuilder(
            workspace: Workspace(root: directory.url), templates: try TemplateSet.load(overrides: templates.url))
        #expect(try custom.update() == SiteBuilder.Update(runPages: 3, renderedRunPages: 3))
        #expect(try String(contentsOf: page, encoding: .utf8).contains("Custom Benchmark"))
        #expect(try builder.update().renderedRunPages == 3)

        // A run removed from results/ loses its page; --clean renders everything again.
        try FileManager.default.removeItem(at: directory.path("results/two-20260101-000001-0002"))
        #expect(try builder.update() == SiteBuilder.Update(runPages: 2, renderedRunPages: 0))
        #expect(!FileManager.default.fileExists(atPath: directory.path("site/runs/two-20260101-000001-0002").path))
        try directory.write("site/stray.txt", "left over")
        #expect(try builder.update(clean: true) == SiteBuilder.Update(runPages: 2, renderedRunPages: 2))
        #expect(!FileManager.default.fileExists(atPath: directory.path("site/stray.txt").path))
        #expect(try LinkChecker.problems(in: directory.path("site")) == [])
    }

    /// The pages that list runs are built from the listings kept in `site/.runs.tsv`:
    /// after runs are added and a summary rewritten, they are byte for byte what a clean
    /// build writes, and show the new numbers.
    @Test func listPagesFromKeptListingsMatchACleanBuild() throws {
        let directory = try TemporaryDirectory()
        func sweep(_ rate: Int) -> (inout RunManifest) -> Void {
            { manifest in
                manifest.sweepID = "fixture-sweep"
                manifest.sweepPoint = ["client.settings.rate": .int(rate)]
            }
        }
        try addRun("one-20260101-000000-0001", to: directory, change: sweep(10))
        try addRun("two-20260101-000001-0002", to: directory, change: sweep(20))
        let builder = SiteBuilder(workspace: Workspace(root: directory.url), templates: .builtIn)
        _ = try builder.update()
        #expect(FileManager.default.fileExists(atPath: directory.path("site/.runs.tsv").path))

        try addRun("two-20260101-000001-0002", to: directory, requests: 40, change: sweep(20))
        try addRun("three-20260101-000002-0003", to: directory, change: sweep(30))
        #expect(try builder.update() == SiteBuilder.Update(runPages: 3, renderedRunPages: 2))
        let pages = [
            "index.html", "services/sqlite/index.html", "trends/fixture/index.html", "sweeps/fixture-sweep/index.html",
        ]
        let read = { (page: String) in try String(contentsOf: directory.path("site/" + page), encoding: .utf8) }
        let incremental = try pages.map(read)
        let rewritten = try JSONDecoder().decode(
            RunSummary.self, from: Data(contentsOf: directory.path("results/two-20260101-000001-0002/summary.json")))
        #expect(rewritten.totalRequests <= 40)
        #expect(incremental[0].contains("<td style=\"text-align: right\">\(rewritten.totalRequests)</td>"))
        #expect(incremental[3].contains("3 points"))

        #expect(try builder.update(clean: true) == SiteBuilder.Update(runPages: 3, renderedRunPages: 3))
        for (page, before) in zip(pages, incremental) { #expect(try read(page) == before, "\(page)") }

        // A cache of another version is made again from the runs' files; the run pages it
        // vouched for are rendered again (nothing beside them says what they were made from).
        try directory.write("site/.runs.tsv", "factorybench-runs 1\tother version\n")
        try FileManager.default.removeItem(at: directory.path("site/.inputs"))
        #expect(try builder.update() == SiteBuilder.Update(runPages: 3, renderedRunPages: 3))
        #expect(try builder.update() == SiteBuilder.Update(runPages: 3, renderedRunPages: 0))
        #expect(try read("index.html") == incremental[0])
        #expect(try read(".runs.tsv").hasPrefix("factorybench-runs 1\t"))
    }
}
