import FactoryBenchCore
import FactoryBenchRendering
import Foundation
import TestSupport
import Testing

/// `site` renders again only the run pages whose inputs changed; `--clean` renders all.
@Suite struct SiteUpdateTests {
    /// A workspace with the fixture run under `id`.
    func addRun(_ id: String, to directory: TemporaryDirectory) throws {
        var manifest = try RunManifest.read(from: Fixtures.url("run.json"))
        manifest.benchmarkID = id
        let summary = try Aggregator.aggregate(files: [Fixtures.url("requests.jsonl")])
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
}
