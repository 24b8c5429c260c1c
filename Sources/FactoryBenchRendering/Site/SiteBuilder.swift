import FactoryBenchCore
import Foundation

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

    /// A run read in full: its manifest and, when aggregation got that far, its summary.
    struct RunEntry: Sendable {
        /// The run's directory name under `results/`, which names its page too.
        var id: String
        var manifest: RunManifest
        var summary: RunSummary?
    }

    /// A run as a build found it: its listing, what the listing was made from, the run read
    /// in full when its files changed since the last build, what its page is made from and
    /// whether the page must be rendered again.
    struct ScannedRun: Sendable {
        var listing: RunListing
        /// See `RunListing.Cache`.
        var files: String
        var full: RunEntry? = nil
        var links: [ReportViewModel.ComparisonLink]
        var inputs: String
        var isStale: Bool
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
    /// are listed from the site's listing cache (`RunListing.Cache`), not read in full.
    /// `clean` removes the site first and renders everything.
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
        let cachePath = site.path + "/.runs.tsv"
        let cached = RunListing.Cache.read(from: cachePath)
        let scanned = try inventory(site: site, cached: cached, linksByRun: linksByRun)
        let rendered = try renderRunPages(scanned, site: site, cached: cached, cachePath: cachePath)
        let comparisonStamps = try renderComparisonPages(comparisons, site: site)
        // The list pages are rendered together at the end, on every core.
        let (trendPages, trends) = trendPages(scanned, comparisons: comparisons, stamps: comparisonStamps, site: site)
        let (sweepPages, sweeps) = sweepPages(scanned, site: site)
        let (servicePages, services) = servicePages(scanned, site: site)
        var listPages = trendPages + sweepPages + servicePages
        // For servers that show 404.html for missing paths (serve does): relative links, as
        // from the site's root, so the page works opened from disk and under any sub-path;
        // serve adds a <base> for the depth it answers at.
        try AtomicFile.write(
            try page(
                title: "Not found", root: "",
                markdown: "# Not found\n\nThere is no page at this address. [All runs](index.html)\n"),
            to: site.appendingPathComponent("404.html"))
        listPages.append(
            ListPage(in: site, inputs: listFingerprint(scanned, comparisons: comparisons, stamps: comparisonStamps)) {
                [trends, sweeps, services] in
                let index = try templates.render(
                    IndexViewModel(
                        runs: scanned.map(\.listing), comparisons: comparisons, trends: trends, sweeps: sweeps, services: services
                    ),
                    template: "index.md.mustache")
                return try page(title: "Runs", root: "", markdown: index)
            })
        _ = try Self.concurrentMap(listPages) { try writePage($0) }
        return Update(runPages: scanned.count, renderedRunPages: rendered)
    }

    /// The inventory of a build: every run of the workspace with its listing (from the
    /// listing cache when its files did not change, else read in full), what its page is
    /// made from and whether the page must be rendered again; newest first.
    private func inventory(
        site: URL, cached: [String: RunListing.Cache.Entry], linksByRun: [String: [ReportViewModel.ComparisonLink]]
    ) throws -> [ScannedRun] {
        // Every run's listing (from the cache when its files did not change) and whether its
        // page is current, on every core at once: five thousand files to look at, by names
        // relative to the open results/ and reports/ directories.
        let results = open(resultsPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        let resultsError = errno
        let reports = open(reportsPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { for fd in [results, reports] where fd >= 0 { close(fd) } }
        // Without results/ there are no runs; results/ that cannot be opened must not look
        // like that (every run page would be removed).
        if results < 0 && resultsError != ENOENT {
            throw SiteError.cannotRead(path: resultsPath, reason: String(cString: strerror(resultsError)))
        }
        // Every run of the workspace, its files' stamps taken on every core.
        let found = try Self.concurrentMap(workspace.runIDs()) { id -> ScannedRun? in
            guard let stamps = Self.stamps(of: id, results: results, reports: reports) else { return nil }
            let files = stamps[0..<2].joined(separator: "\n")
            let links = linksByRun[id] ?? []
            let inputs = inputsFingerprint(stamps: stamps, links: links)
            let page = site.path + "/runs/" + Self.pathComponent(id)
            // The inputs the page was rendered from are in the cache; a page the cache does
            // not know (a new run, or a build that stopped before saving the cache) is
            // rendered again.
            let pageIsCurrent =
                cached[id]?.page == inputs && access(page + "/index.html", F_OK) == 0
            if let entry = cached[id], entry.files == files {
                return ScannedRun(
                    listing: entry.listing, files: files, links: links, inputs: inputs, isStale: !pageIsCurrent)
            }
            let full = try read(id)
            return ScannedRun(
                listing: RunListing(id: id, manifest: full.manifest, summary: full.summary), files: files, full: full,
                links: links, inputs: inputs, isStale: !pageIsCurrent)
        }
        .compactMap { $0 }
        // Newest first, whatever order the directory listed them in; indices are sorted,
        // as moving the runs themselves cost more.
        return found.indices.sorted { left, right in
            let (a, b) = (found[left].listing, found[right].listing)
            return Workspace.isNewer((a.startedAt, a.benchmarkID, a.id), than: (b.startedAt, b.benchmarkID, b.id))
        }
        .map { found[$0] }
    }

    /// Renders the stale run pages (on every core), removes the pages of runs that are gone
    /// and saves the listing cache; returns how many pages were rendered.
    private func renderRunPages(
        _ scanned: [ScannedRun], site: URL, cached: [String: RunListing.Cache.Entry], cachePath: String
    ) throws -> Int {
        // Pages of runs that are no longer under results/ go.
        let runsDirectory = site.appendingPathComponent("runs")
        let current = Set(scanned.map { Self.pathComponent($0.listing.id) })
        for name in (try? FileManager.default.contentsOfDirectory(atPath: runsDirectory.path)) ?? []
        where !current.contains(name) {
            try FileManager.default.removeItem(at: runsDirectory.appendingPathComponent(name))
        }
        let renderer = ReportRenderer(templates: templates)
        // Pages are independent: they are rendered on every core at once.
        let stale = scanned.filter(\.isStale)
        _ = try Self.concurrentMap(stale) { try renderRunPage($0, site: site, renderer: renderer) }
        // Every run page is current now: the cache says so, with every run's listing.
        let changed = scanned.contains { run in
            guard let entry = cached[run.listing.id] else { return true }
            return run.full != nil || entry.page != run.inputs
        }
        if changed || scanned.count != cached.count {
            try RunListing.Cache.write(
                scanned.map { .init(files: $0.files, page: $0.inputs, listing: $0.listing) }, to: cachePath)
        }
        return stale.count
    }

    /// Renders the comparison pages whose inputs changed; returns each comparison's inputs
    /// fingerprint, which the pages that list comparisons are made from.
    private func renderComparisonPages(_ comparisons: [Comparison], site: URL) throws -> [String: String] {
        let comparisonRenderer = ComparisonRenderer(templates: templates)
        var comparisonStamps: [String: String] = [:]
        for comparison in comparisons {
            // Rendered again only when the comparison, either run's summary or the templates changed.
            let directory = site.appendingPathComponent("compare").appendingPathComponent(Self.pathComponent(comparison.id))
            let fingerprint = comparisonFingerprint(comparison)
            comparisonStamps[comparison.id] = fingerprint
            if isCurrent(directory.path, fingerprint: fingerprint) { continue }
            let empty = RunSummary.empty
            let plots = PlotRenderer.comparisonPlots(
                base: (try? read(comparison.base.id).summary) ?? empty,
                current: (try? read(comparison.current.id).summary) ?? empty)
            let markdown = try comparisonRenderer.markdown(
                comparison: comparison, plots: plots, inlinePlots: true, runLinkPrefix: "../../runs/")
            let page = try page(title: "Comparison \(comparison.id)", root: "../../", markdown: markdown)
            try AtomicFile.write(page, to: directory.appendingPathComponent("index.html"))
            try AtomicFile.write(fingerprint, to: directory.appendingPathComponent(".inputs"))
        }
        return comparisonStamps
    }

    /// One trend page per recipe, its runs oldest first, and the index's rows for them.
    private func trendPages(
        _ scanned: [ScannedRun], comparisons: [Comparison], stamps comparisonStamps: [String: String], site: URL
    ) -> ([ListPage], [IndexViewModel.TrendRow]) {
        let byRecipe = Dictionary(grouping: scanned) { $0.listing.recipeName }
        var trends: [IndexViewModel.TrendRow] = []
        var listPages: [ListPage] = []
        for recipe in byRecipe.keys.sorted() {
            let runs = byRecipe[recipe, default: []].reversed().map { $0 }
            let ids = Set(runs.map(\.listing.id))
            let linked = comparisons.filter { ids.contains($0.current.id) }
            listPages.append(
                ListPage(
                    in: site.appendingPathComponent("trends").appendingPathComponent(Self.pathComponent(recipe)),
                    inputs: listFingerprint(runs, comparisons: linked, stamps: comparisonStamps)
                ) {
                    let model = TrendViewModel(recipe: recipe, runs: runs.map(\.listing), comparisons: linked)
                    return try page(
                        title: "Trend \(recipe)", root: "../../",
                        markdown: try templates.render(model, template: "trend.md.mustache"))
                })
            trends.append(
                IndexViewModel.TrendRow(
                    recipe: MarkdownText.escape(recipe), link: "trends/\(Self.pathComponent(recipe))/index.html",
                    runCount: runs.count == 1 ? "1 run" : "\(runs.count) runs"))
        }
        return (listPages, trends)
    }

    /// One page per sweep, its points in the order they ran, and the index's rows for them.
    private func sweepPages(_ scanned: [ScannedRun], site: URL) -> ([ListPage], [IndexViewModel.SweepRow]) {
        var listPages: [ListPage] = []
        let bySweep = Dictionary(grouping: scanned.filter { $0.listing.sweepID != nil }) { $0.listing.sweepID ?? "" }
        var sweeps: [IndexViewModel.SweepRow] = []
        for sweepID in bySweep.keys.sorted(by: >) {
            let points = bySweep[sweepID, default: []].reversed().map { $0 }
            // An analysed sweep (sweep: auto, sweep-report) has its analysis beside its runs.
            let analysisData = try? Data(
                contentsOf: workspace.resultsRoot.appendingPathComponent("sweeps/\(sweepID)/sweep.json"))
            let analysis = analysisData.flatMap { try? FastJSONDecoder.decode(SweepAnalysis.self, from: $0) }
            let model = SweepViewModel(sweepID: sweepID, points: points.map(\.listing), analysis: analysis)
            listPages.append(
                ListPage(
                    in: site.appendingPathComponent("sweeps").appendingPathComponent(Self.pathComponent(sweepID)),
                    inputs: listFingerprint(points, comparisons: [], stamps: [:])
                        + (analysisData.map { "\n" + String(decoding: $0, as: UTF8.self) } ?? "")
                ) {
                    try page(
                        title: "Sweep \(sweepID)", root: "../../",
                        markdown: try templates.render(model, template: "sweep.md.mustache"))
                })
            sweeps.append(
                IndexViewModel.SweepRow(
                    id: MarkdownText.escape(sweepID), link: "sweeps/\(Self.pathComponent(sweepID))/index.html",
                    recipe: MarkdownText.escape(points.first?.listing.recipeName ?? ""), pointCount: model.pointCount))
        }
        return (listPages, sweeps)
    }

    /// One sub-index per service type, its runs newest first, and the index's rows for them.
    private func servicePages(_ scanned: [ScannedRun], site: URL) -> ([ListPage], [IndexViewModel.ServiceRow]) {
        var listPages: [ListPage] = []
        let byService = Dictionary(grouping: scanned) { $0.listing.serviceType }
        var services: [IndexViewModel.ServiceRow] = []
        for service in byService.keys.sorted() {
            let runs = byService[service, default: []]
            listPages.append(
                ListPage(
                    in: site.appendingPathComponent("services").appendingPathComponent(Self.pathComponent(service)),
                    inputs: listFingerprint(runs, comparisons: [], stamps: [:])
                ) {
                    let model = IndexViewModel(
                        runs: runs.map(\.listing), comparisons: [], trends: [], title: "Runs of \(service)", root: "../../")
                    return try page(
                        title: "Runs of \(service)", root: "../../",
                        markdown: try templates.render(model, template: "index.md.mustache"))
                })
            services.append(
                IndexViewModel.ServiceRow(
                    name: MarkdownText.escape(service), link: "services/\(Self.pathComponent(service))/index.html",
                    runCount: runs.count == 1 ? "1 run" : "\(runs.count) runs"))
        }
        return (listPages, services)
    }

    /// Writes a run's page, its downloads and its inputs stamp.
    private func renderRunPage(_ run: ScannedRun, site: URL, renderer: ReportRenderer) throws {
        let id = run.listing.id
        let directory = site.appendingPathComponent("runs").appendingPathComponent(Self.pathComponent(id))
        let full = try run.full ?? read(id)
        let summary = full.summary ?? RunSummary.empty
        let downloads = try publishDownloads(of: id, into: directory)
        let markdown = try renderer.markdown(
            manifest: full.manifest, summary: summary, plots: PlotRenderer.plots(for: summary), inlinePlots: true,
            comparisons: run.links, downloads: downloads)
        let page = try page(title: "Benchmark \(full.manifest.benchmarkID)", root: "../../", markdown: markdown)
        try AtomicFile.write(page, to: directory.appendingPathComponent("index.html"))
        // The listing cache keeps the page's inputs: a file beside each of a thousand pages
        // was a thousand more inodes to create, a tenth of a full build on this disk.
        // Sites built before the cache kept a digest and a stamp beside each page.
        unlink(directory.path + "/.entry.json")
        unlink(directory.path + "/.inputs")
    }

    /// A run's manifest and summary, read in full from `results/`.
    private func read(_ id: String) throws -> RunEntry {
        let directory = workspace.results(id)
        let manifest = try RunManifest.read(from: directory.manifest)
        return RunEntry(id: id, manifest: manifest, summary: directory.readSummary())
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
        let slots = UnsafeMutableBufferPointer<Swift.Result<Result, any Error>?>.allocate(capacity: elements.count)
        slots.initialize(repeating: nil)
        defer {
            _ = slots.deinitialize()
            slots.deallocate()
        }
        // Each slot is written by exactly one iteration, and read after all ended: no lock
        // (a locked dictionary of results cost more than scanning a run).
        nonisolated(unsafe) let shared = slots
        DispatchQueue.concurrentPerform(iterations: elements.count) { index in
            shared[index] = Swift.Result { try transform(elements[index]) }
        }
        return try slots.map { try $0!.get() }
    }

    /// What a page listing runs is made from: the version, the templates, each run's files
    /// (in the page's order) and the comparisons it shows.
    private func listFingerprint(_ runs: [ScannedRun], comparisons: [Comparison], stamps: [String: String]) -> String {
        var parts = [ToolInfo.version, ToolInfo.commit ?? "", templates.fingerprint]
        for run in runs { parts.append(run.listing.id + "\n" + run.files) }
        for comparison in comparisons { parts.append(comparison.id + "\n" + (stamps[comparison.id] ?? "")) }
        return parts.joined(separator: "\n") + "\n"
    }

    /// Whether the page in the directory at `path` was rendered from inputs with this
    /// fingerprint. (Paths as strings: building URLs was a good part of a rebuild's time.)
    private func isCurrent(_ path: String, fingerprint: String) -> Bool {
        guard access(path + "/index.html", F_OK) == 0 else { return false }
        // open and one read: FileManager's contents(atPath:) made several calls more, for
        // each of a thousand run pages.
        let fd = open(path + "/.inputs", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let expected = fingerprint.utf8.count
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: expected + 1) { buffer in
            var count = 0
            while count <= expected {
                let got = Glibc.read(fd, buffer.baseAddress! + count, expected + 1 - count)
                if got < 0 && errno == EINTR { continue }
                if got <= 0 { break }
                count += got
            }
            return count == expected && buffer[..<count].elementsEqual(fingerprint.utf8)
        }
    }

    /// The size and modification time of files, one line each.
    private static func stamps(_ files: [URL]) -> [String] {
        files.map { stamp($0.lastPathComponent, in: AT_FDCWD, path: $0.path) }
    }

    /// A file's name, size and modification time (`path` relative to the open `directory`):
    /// what says whether it changed.
    private static func stamp(_ name: String, in directory: Int32, path: String) -> String {
        var info = stat()
        guard fstatat(directory, path, &info, 0) == 0 else { return "\(name) missing" }
        return stamp(name, info)
    }

    private static func stamp(_ name: String, _ info: stat) -> String {
        "\(name) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }

    /// The stamps of a run's files: `run.json` and `summary.json` (the two a listing is made
    /// from), `requests.jsonl`, `report.md` and `report.json`, looked up relative to the
    /// open `results/` and `reports/` directories; nil when there is no `run.json`.
    /// A run without `run.json` (request files only) is stamped by them; our summary beside
    /// another tool's is stamped instead of it.
    private static func stamps(of id: String, results: Int32, reports: Int32) -> [String]? {
        var manifest = stat()
        var own = stat()
        let hasOwnSummary = fstatat(results, id + "/" + RunDirectory.ownSummaryName, &own, 0) == 0
        let summary = hasOwnSummary ? stamp("summary.json", own) : stamp("summary.json", in: results, path: id + "/summary.json")
        let first: String
        if fstatat(results, id + "/run.json", &manifest, 0) == 0 {
            first = stamp("run.json", manifest)
        } else {
            first = "run.json missing " + stamp("requests.jsonl", in: results, path: id + "/requests.jsonl")
        }
        return [first, summary]
            + [(results, "requests.jsonl"), (reports, "report.md"), (reports, "report.json")]
            .map { directory, name in stamp(name, in: directory, path: id + "/" + name) }
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
    /// the size and modification time of each of the run's files (`stamps(of:)`),
    /// and the comparisons the page links.
    private func inputsFingerprint(stamps: [String], links: [ReportViewModel.ComparisonLink]) -> String {
        var parts = [ToolInfo.version, ToolInfo.commit ?? "", templates.fingerprint] + stamps
        parts += links.map { "\($0.id) \($0.link) \($0.headline)" }
        return parts.joined(separator: "\n") + "\n"
    }

    /// Puts the run's files beside its page (hard links where the file system allows, so a
    /// large requests.jsonl costs no space) and returns them for the page's download list.
    private func publishDownloads(of id: String, into directory: URL) throws -> [ReportViewModel.Download] {
        let results = workspace.results(id)
        let report = workspace.report(id)
        let files = [
            results.summary, results.requests, results.telemetry, report.appendingPathComponent("report.md"),
            report.appendingPathComponent("report.json"), report.appendingPathComponent("metrics.txt"),
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
                throw SiteError.cannotWrite(path: target, reason: String(cString: strerror(errno)))
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
