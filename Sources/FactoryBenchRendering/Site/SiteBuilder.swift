import FactoryBenchCore
import Foundation
import Synchronization

/// Builds the static website from `results/` (and nothing else): `index.html` listing every
/// run, one page per run under `runs/<id>/`, and the stylesheet. All links are relative, so
/// the site works from `file://` and under any URL prefix; pages hold no JavaScript.
public struct SiteBuilder: Sendable {
    public let workspace: Workspace
    public let templates: TemplateSet

    /// `results/` and `reports/` as paths, computed once: URL building was a good part of
    /// a rebuild, which looks at five files of every run.
    private let resultsPath: String
    private let reportsPath: String

    public init(workspace: Workspace, templates: TemplateSet) {
        self.workspace = workspace
        self.templates = templates
        resultsPath = workspace.resultsRoot.path
        reportsPath = workspace.reportsRoot.path
    }

    /// A run as the site sees it: its manifest and, when aggregation got that far, its summary.
    struct RunEntry: Sendable {
        /// The run's directory name under `results/`, which names its page too.
        var id: String
        var manifest: RunManifest
        var summary: RunSummary?
        /// Read from a digest: the lists pages need are there, the run page's are not.
        var isDigest = false
        /// The version and the run's files' sizes and times: what the digest was made from.
        var fingerprint = ""
    }

    /// What `.entry.json` beside a run page keeps: the manifest and summary without what
    /// only the run page shows (the recipe's text, clients, jobs, time series, histograms,
    /// breakdowns).
    struct RunDigest: Codable {
        var fingerprint: String
        var manifest: RunManifest
        var summary: RunSummary?

        init(fingerprint: String, entry: RunEntry) {
            self.fingerprint = fingerprint
            var manifest = entry.manifest
            manifest.recipeVerbatim = ""
            manifest.recipeResolved = .null
            manifest.steps = []
            manifest.clients = []
            manifest.jobs = nil
            self.manifest = manifest
            summary = entry.summary.map { full in
                var light = full
                light.timeseries = []
                light.latencyHistogram = []
                light.percentileSpectrum = []
                light.operations = [:]
                light.queryTypes = [:]
                light.clients = [:]
                light.llm?.ttftHistogram = nil
                light.llm?.itlHistogram = nil
                return light
            }
        }
    }

    /// The link from the index to a run's page.
    static func runLink(_ id: String) -> String {
        "runs/\(pathComponent(id))/index.html"
    }

    /// The link from the index to a comparison's page.
    static func comparisonLink(_ id: String) -> String {
        "compare/\(pathComponent(id))/index.html"
    }

    /// An id as a URL path component: percent-encoded, so no id can leave its directory.
    static func pathComponent(_ id: String) -> String {
        // Ids FactoryBench makes need no encoding; checking the bytes is much cheaper than
        // Foundation's percent-encoding, and this runs for every run on every rebuild.
        let plain = id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                true
            default: false
            }
        }
        if plain && !id.isEmpty && id != "." && id != ".." { return id }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
        let encoded = id.addingPercentEncoding(withAllowedCharacters: allowed) ?? "invalid"
        return encoded == "." || encoded == ".." ? "invalid" : encoded
    }

    /// What a build did.
    public struct Update: Sendable, Equatable {
        /// Run pages on the site.
        public var runPages: Int
        /// Run pages rendered this time (the others' inputs had not changed).
        public var renderedRunPages: Int

        public init(runPages: Int, renderedRunPages: Int) {
            self.runPages = runPages
            self.renderedRunPages = renderedRunPages
        }
    }

    /// Brings every page up to date; returns the number of run pages.
    @discardableResult
    public func build() throws -> Int {
        try update().runPages
    }

    /// Brings the site up to date. A run page is rendered again only when one of its inputs
    /// changed — the run's files (size and modification time), the comparisons it links,
    /// the templates or FactoryBench's version; so is every other page (index, trend, sweep,
    /// service, comparison) only when what it shows changed. Runs whose files did not change
    /// are listed from the digest kept beside their page, not read in full. `clean` removes
    /// the site first and renders everything.
    public func update(clean: Bool = false) throws -> Update {
        let site = workspace.siteDirectory
        if clean, FileManager.default.fileExists(atPath: site.path) { try FileManager.default.removeItem(at: site) }
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        try AtomicFile.write(templates.stylesheet, to: site.appendingPathComponent("style.css"))
        let comparisons = readComparisons()
        // Each run page links the comparisons in which it is the current run.
        let linksByRun = Dictionary(grouping: comparisons, by: \.current.id).mapValues { comparisons in
            comparisons.map { comparison in
                ReportViewModel.ComparisonLink(
                    id: MarkdownText.escape(comparison.base.id), link: "../../" + Self.comparisonLink(comparison.id),
                    headline: ComparisonViewModel.headline(comparison))
            }
        }
        // Every run's entry (from its digest when its files did not change) and whether its
        // page is current, on every core at once: a thousand digests to decode and five
        // thousand files to look at.
        let scanned = try Self.concurrentMap(workspace.runIDs()) { id -> (RunEntry, [ReportViewModel.ComparisonLink], String?) in
            let entry = try entry(id, site: site)
            let links = linksByRun[id] ?? []
            let fingerprint = inputsFingerprint(of: id, links: links)
            let directory = site.path + "/runs/" + id
            return (entry, links, isCurrent(directory, fingerprint: fingerprint) ? nil : fingerprint)
        }
        .sorted { ($0.0.manifest.startedAt, $0.0.manifest.benchmarkID) > ($1.0.manifest.startedAt, $1.0.manifest.benchmarkID) }
        let entries = scanned.map(\.0)

        // Pages of runs that are no longer under results/ go.
        let runsDirectory = site.appendingPathComponent("runs")
        let current = Set(entries.map { Self.pathComponent($0.id) })
        for name in (try? FileManager.default.contentsOfDirectory(atPath: runsDirectory.path)) ?? []
        where !current.contains(name) {
            try FileManager.default.removeItem(at: runsDirectory.appendingPathComponent(name))
        }
        let renderer = ReportRenderer(templates: templates)
        // Pages are independent: they are rendered on every core at once.
        let stale = scanned.compactMap { entry, links, fingerprint in fingerprint.map { (entry, links, $0) } }
        _ = try Self.concurrentMap(stale) { entry, links, fingerprint in
            try renderRunPage(entry, links: links, fingerprint: fingerprint, site: site, renderer: renderer)
        }
        let rendered = stale.count
        let comparisonRenderer = ComparisonRenderer(templates: templates)
        var comparisonStamps: [String: String] = [:]
        for comparison in comparisons {
            // Rendered again only when the comparison, either run's summary or the templates changed.
            let directory = site.appendingPathComponent("compare").appendingPathComponent(Self.pathComponent(comparison.id))
            let fingerprint = comparisonFingerprint(comparison)
            comparisonStamps[comparison.id] = fingerprint
            if isCurrent(directory.path, fingerprint: fingerprint) { continue }
            let empty = Aggregator.summarize([])
            let plots = PlotRenderer.comparisonPlots(
                base: (try? read(comparison.base.id).summary) ?? empty,
                current: (try? read(comparison.current.id).summary) ?? empty)
            let markdown = try comparisonRenderer.markdown(
                comparison: comparison, plots: plots, inlinePlots: true, runLinkPrefix: "../../runs/")
            let page = try page(title: "Comparison \(comparison.id)", root: "../../", markdown: markdown)
            try AtomicFile.write(page, to: directory.appendingPathComponent("index.html"))
            try AtomicFile.write(fingerprint, to: directory.appendingPathComponent(".inputs"))
        }
        // One trend page per recipe, its runs oldest first.
        let byRecipe = Dictionary(grouping: entries) { $0.manifest.recipeName }
        var trends: [IndexViewModel.TrendRow] = []
        // The list pages are rendered together at the end, on every core.
        var listPages: [ListPage] = []
        for recipe in byRecipe.keys.sorted() {
            let runs = byRecipe[recipe, default: []].reversed().map { $0 }
            let ids = Set(runs.map(\.id))
            let linked = comparisons.filter { ids.contains($0.current.id) }
            listPages.append(
                ListPage(
                    in: site.appendingPathComponent("trends").appendingPathComponent(Self.pathComponent(recipe)),
                    inputs: listFingerprint(runs, comparisons: linked, stamps: comparisonStamps)
                ) {
                    let model = TrendViewModel(recipe: recipe, entries: runs, comparisons: linked)
                    return try page(
                        title: "Trend \(recipe)", root: "../../",
                        markdown: try templates.render(model, template: "trend.md.mustache"))
                })
            trends.append(
                IndexViewModel.TrendRow(
                    recipe: MarkdownText.escape(recipe), link: "trends/\(Self.pathComponent(recipe))/index.html",
                    runCount: runs.count == 1 ? "1 run" : "\(runs.count) runs"))
        }
        // One page per sweep, its points in the order they ran.
        let bySweep = Dictionary(grouping: entries.filter { $0.manifest.sweepID != nil }) { $0.manifest.sweepID ?? "" }
        var sweeps: [IndexViewModel.SweepRow] = []
        for sweepID in bySweep.keys.sorted(by: >) {
            let points = bySweep[sweepID, default: []].reversed().map { $0 }
            let model = SweepViewModel(sweepID: sweepID, entries: points)
            listPages.append(
                ListPage(
                    in: site.appendingPathComponent("sweeps").appendingPathComponent(Self.pathComponent(sweepID)),
                    inputs: listFingerprint(points, comparisons: [], stamps: [:])
                ) {
                    try page(
                        title: "Sweep \(sweepID)", root: "../../",
                        markdown: try templates.render(model, template: "sweep.md.mustache"))
                })
            sweeps.append(
                IndexViewModel.SweepRow(
                    id: MarkdownText.escape(sweepID), link: "sweeps/\(Self.pathComponent(sweepID))/index.html",
                    recipe: MarkdownText.escape(points.first?.manifest.recipeName ?? ""), pointCount: model.pointCount))
        }
        // One sub-index per service type, its runs newest first.
        let byService = Dictionary(grouping: entries) { $0.manifest.serviceType }
        var services: [IndexViewModel.ServiceRow] = []
        for service in byService.keys.sorted() {
            let runs = byService[service, default: []]
            listPages.append(
                ListPage(
                    in: site.appendingPathComponent("services").appendingPathComponent(Self.pathComponent(service)),
                    inputs: listFingerprint(runs, comparisons: [], stamps: [:])
                ) {
                    let model = IndexViewModel(
                        entries: runs, comparisons: [], trends: [], title: "Runs of \(service)", root: "../../")
                    return try page(
                        title: "Runs of \(service)", root: "../../",
                        markdown: try templates.render(model, template: "index.md.mustache"))
                })
            services.append(
                IndexViewModel.ServiceRow(
                    name: MarkdownText.escape(service), link: "services/\(Self.pathComponent(service))/index.html",
                    runCount: runs.count == 1 ? "1 run" : "\(runs.count) runs"))
        }
        // For servers that show /404.html for missing paths (serve does): links from the site
        // root, since the page answers at any depth.
        try AtomicFile.write(
            try page(
                title: "Not found", root: "/",
                markdown: "# Not found\n\nThere is no page at this address. [All runs](/index.html)\n"),
            to: site.appendingPathComponent("404.html"))
        listPages.append(
            ListPage(in: site, inputs: listFingerprint(entries, comparisons: comparisons, stamps: comparisonStamps)) {
                [trends, sweeps, services] in
                let index = try templates.render(
                    IndexViewModel(
                        entries: entries, comparisons: comparisons, trends: trends, sweeps: sweeps, services: services),
                    template: "index.md.mustache")
                return try page(title: "Runs", root: "", markdown: index)
            })
        _ = try Self.concurrentMap(listPages) { try writePage($0) }
        return Update(runPages: entries.count, renderedRunPages: rendered)
    }

    /// Writes a run's page, its downloads and its inputs stamp.
    private func renderRunPage(
        _ entry: RunEntry, links: [ReportViewModel.ComparisonLink], fingerprint: String, site: URL,
        renderer: ReportRenderer
    ) throws {
        let directory = site.appendingPathComponent("runs").appendingPathComponent(entry.id)
        let full = entry.isDigest ? try read(entry.id) : entry
        let summary = full.summary ?? Aggregator.summarize([])
        let downloads = try publishDownloads(of: entry.id, into: directory)
        let markdown = try renderer.markdown(
            manifest: full.manifest, summary: summary, plots: PlotRenderer.plots(for: summary), inlinePlots: true,
            comparisons: links, downloads: downloads)
        let page = try page(title: "Benchmark \(entry.manifest.benchmarkID)", root: "../../", markdown: markdown)
        try AtomicFile.write(page, to: directory.appendingPathComponent("index.html"))
        try AtomicFile.write(fingerprint, to: directory.appendingPathComponent(".inputs"))
    }

    /// A run as the index, trend, sweep and service pages need it: from the digest saved
    /// beside its page when the run's files have not changed since, else read in full (and
    /// the digest saved for the next build).
    private func entry(_ id: String, site: URL) throws -> RunEntry {
        let cachePath = site.path + "/runs/" + Self.pathComponent(id) + "/.entry.json"
        let files = filesFingerprint(of: id)
        if let data = FileManager.default.contents(atPath: cachePath),
            let digest = try? JSONDecoder().decode(RunDigest.self, from: data),
            digest.fingerprint == files
        {
            return RunEntry(
                id: id, manifest: digest.manifest, summary: digest.summary, isDigest: true, fingerprint: files)
        }
        var full = try read(id)
        full.fingerprint = files
        try AtomicFile.writeJSON(RunDigest(fingerprint: files, entry: full), to: URL(fileURLWithPath: cachePath))
        return full
    }

    /// A run's manifest and summary, read in full from `results/`.
    private func read(_ id: String) throws -> RunEntry {
        let directory = workspace.results(id)
        let manifest = try RunManifest.read(from: directory.manifest)
        let summary = try? JSONDecoder().decode(RunSummary.self, from: Data(contentsOf: directory.summary))
        return RunEntry(id: id, manifest: manifest, summary: summary)
    }

    /// A page listing runs: `directory/index.html`, rendered unless it was rendered from the
    /// same inputs.
    struct ListPage: Sendable {
        var directory: URL
        var inputs: String
        var render: @Sendable () throws -> String

        init(in directory: URL, inputs: String, render: @escaping @Sendable () throws -> String) {
            self.directory = directory
            self.inputs = inputs
            self.render = render
        }
    }

    private func writePage(_ page: ListPage) throws {
        guard !isCurrent(page.directory.path, fingerprint: page.inputs) else { return }
        try AtomicFile.write(try page.render(), to: page.directory.appendingPathComponent("index.html"))
        try AtomicFile.write(page.inputs, to: page.directory.appendingPathComponent(".inputs"))
    }

    /// `transform` of every element, on every core at once, in order; the first error (by
    /// position) is thrown after all ran.
    static func concurrentMap<Element: Sendable, Result: Sendable>(
        _ elements: [Element], _ transform: @Sendable (Element) throws -> Result
    ) throws -> [Result] {
        let results = Mutex<[Int: Swift.Result<Result, any Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: elements.count) { index in
            let result = Swift.Result { try transform(elements[index]) }
            results.withLock { $0[index] = result }
        }
        let collected = results.withLock { $0 }
        return try elements.indices.map { try collected[$0]!.get() }
    }

    /// What a page listing runs is made from: the version, the templates, each run's files
    /// (in the page's order) and the comparisons it shows.
    private func listFingerprint(_ entries: [RunEntry], comparisons: [Comparison], stamps: [String: String]) -> String {
        var parts = [ToolInfo.version, ToolInfo.commit ?? "", templates.fingerprint]
        for entry in entries { parts.append(entry.id + "\n" + entry.fingerprint) }
        for comparison in comparisons { parts.append(comparison.id + "\n" + (stamps[comparison.id] ?? "")) }
        return parts.joined(separator: "\n") + "\n"
    }

    /// Whether the page in the directory at `path` was rendered from inputs with this
    /// fingerprint. (Paths as strings: building URLs was a good part of a rebuild's time.)
    private func isCurrent(_ path: String, fingerprint: String) -> Bool {
        access(path + "/index.html", F_OK) == 0
            && FileManager.default.contents(atPath: path + "/.inputs").map { String(decoding: $0, as: UTF8.self) }
                == fingerprint
    }

    /// The size and modification time of files, one line each.
    private static func stamps(_ files: [URL]) -> [String] {
        stamps(paths: files.map(\.path))
    }

    private static func stamps(paths: [String]) -> [String] {
        paths.map { path in
            let name = path.utf8.lastIndex(of: UInt8(ascii: "/")).map { String(path[path.index(after: $0)...]) } ?? path
            var info = stat()
            guard stat(path, &info) == 0 else { return "\(name) missing" }
            return "\(name) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        }
    }

    /// The paths of a run's files under `results/` and `reports/`.
    private func runFiles(_ id: String) -> (
        manifest: String, summary: String, requests: String, reportMarkdown: String, reportJSON: String
    ) {
        let results = resultsPath + "/" + id
        let report = reportsPath + "/" + id
        return (
            results + "/run.json", results + "/summary.json", results + "/requests.jsonl", report + "/report.md",
            report + "/report.json"
        )
    }

    /// What a run's digest is made from: FactoryBench's version and the run's own files.
    private func filesFingerprint(of id: String) -> String {
        let files = runFiles(id)
        return ([ToolInfo.version, ToolInfo.commit ?? ""] + Self.stamps(paths: [files.manifest, files.summary]))
            .joined(separator: "\n")
    }

    /// What a comparison page is made from.
    private func comparisonFingerprint(_ comparison: Comparison) -> String {
        let file = workspace.comparisonsRoot.appendingPathComponent(comparison.id).appendingPathComponent("comparison.json")
        return
            ([ToolInfo.version, ToolInfo.commit ?? "", templates.fingerprint]
            + Self.stamps([
                file, workspace.results(comparison.base.id).summary, workspace.results(comparison.current.id).summary,
            ])).joined(separator: "\n") + "\n"
    }

    /// What a run page is made from, as one string: FactoryBench's version, the templates,
    /// the size and modification time of each of the run's files, and the comparisons the
    /// page links.
    private func inputsFingerprint(of id: String, links: [ReportViewModel.ComparisonLink]) -> String {
        let files = runFiles(id)
        var parts = [ToolInfo.version, ToolInfo.commit ?? "", templates.fingerprint]
        parts += Self.stamps(paths: [files.manifest, files.summary, files.requests, files.reportMarkdown, files.reportJSON])
        parts += links.map { "\($0.id) \($0.link) \($0.headline)" }
        return parts.joined(separator: "\n") + "\n"
    }

    /// Puts the run's files beside its page (hard links where the file system allows, so a
    /// large requests.jsonl costs no space) and returns them for the page's download list.
    private func publishDownloads(of id: String, into directory: URL) throws -> [ReportViewModel.Download] {
        let results = workspace.results(id)
        let report = workspace.report(id)
        let files = [
            results.summary, results.requests, report.appendingPathComponent("report.md"),
            report.appendingPathComponent("report.json"),
        ]
        try AtomicFile.createDirectories(atPath: directory.path)
        return try files.compactMap { source in
            var info = stat()
            guard stat(source.path, &info) == 0 else { return nil }
            let size = Int(info.st_size)
            let target = directory.path + "/" + source.lastPathComponent
            let temporary = directory.path + "/.\(source.lastPathComponent).tmp-\(getpid())"
            unlink(temporary)
            if link(source.path, temporary) != 0 {
                try FileManager.default.copyItem(atPath: source.path, toPath: temporary)
            }
            if rename(temporary, target) != 0 {
                throw CollectionError.cannotWrite(path: target, reason: String(cString: strerror(errno)))
            }
            return ReportViewModel.Download(
                name: source.lastPathComponent, link: source.lastPathComponent,
                size: size >= 1_048_576
                    ? Format.fixed(Double(size) / 1_048_576, 1) + " MB" : Format.fixed(Double(size) / 1024, 1) + " KB")
        }
    }

    /// Every `comparison.json` under `reports/compare/`, newest current run first.
    private func readComparisons() -> [Comparison] {
        let root = workspace.comparisonsRoot
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.sorted().compactMap { name in
            let url = root.appendingPathComponent(name).appendingPathComponent("comparison.json")
            return try? JSONDecoder().decode(Comparison.self, from: Data(contentsOf: url))
        }
        .sorted { ($0.current.startedAt, $0.id) > ($1.current.startedAt, $1.id) }
    }

    private func page(title: String, root: String, markdown: String) throws -> String {
        let model = PageViewModel(
            title: title, root: root, body: MarkdownRenderer.html(from: markdown), version: ToolInfo.version)
        return try templates.render(model, template: "page.html.mustache")
    }
}
