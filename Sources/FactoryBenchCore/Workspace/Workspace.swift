import Foundation

/// The directories a run leaves behind, relative to one root (the current directory by
/// default): `results/<id>/`, `reports/<id>/` and `site/` (DESIGN.md, "Workspace").
public struct Workspace: Sendable {
    public var root: URL
    public var siteDirectory: URL

    public init(root: URL, siteDirectory: URL? = nil) {
        self.root = root
        self.siteDirectory = siteDirectory ?? root.appendingPathComponent("site")
    }

    public var resultsRoot: URL { root.appendingPathComponent("results") }
    public var reportsRoot: URL { root.appendingPathComponent("reports") }

    public func results(_ id: String) -> RunDirectory {
        RunDirectory(url: resultsRoot.appendingPathComponent(id))
    }

    public func report(_ id: String) -> URL { reportsRoot.appendingPathComponent(id) }

    /// `reports/compare/`, where each comparison has a directory `<base>-vs-<current>`.
    public var comparisonsRoot: URL { reportsRoot.appendingPathComponent("compare") }

    /// Finds a run by id (a directory under `results/`) or by the path of its directory.
    public func resolveRun(_ idOrPath: String) throws -> RunDirectory {
        // A run has a run.json, or (the old framework's, another tool's) request files only.
        func isRun(_ run: RunDirectory) -> Bool {
            FileManager.default.fileExists(atPath: run.manifest.path) || !run.requestFiles.isEmpty
        }
        let byID = results(idOrPath)
        if !idOrPath.contains("/"), isRun(byID) {
            return byID
        }
        let byPath = RunDirectory(url: URL(fileURLWithPath: idOrPath, relativeTo: root).standardizedFileURL)
        if isRun(byPath) {
            return byPath
        }
        throw RunNotFoundError(id: idOrPath, resultsRoot: resultsRoot.path)
    }

    /// Creates a fresh results directory under a new, unique benchmark id: `mkdir` fails if
    /// the directory exists, so two runs started in the same second never share one.
    public func createRun(name: String, at date: Date) throws -> (id: String, directory: RunDirectory) {
        try FileManager.default.createDirectory(at: resultsRoot, withIntermediateDirectories: true)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let stamp = formatter.string(from: date)
        let safeName = String(
            name.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" ? Character($0) : "_" })
        for _ in 0..<100 {
            let suffix = String(UInt16.random(in: 0...UInt16.max), radix: 16).leftPadded(to: 4)
            let id = "\(safeName)-\(stamp)-\(suffix)"
            let directory = results(id)
            if mkdir(directory.url.path, 0o755) == 0 {
                return (id, directory)
            }
            guard errno == EEXIST else {
                throw WorkspaceError.cannotWrite(path: directory.url.path, reason: String(cString: strerror(errno)))
            }
        }
        throw WorkspaceError.cannotWrite(path: resultsRoot.path, reason: "could not find a free benchmark id")
    }

    /// A new sweep id, `<name>-sweep-<UTC date>-<time>-<4 hex digits>`.
    public func createSweepID(name: String, at date: Date) throws -> String {
        let (id, directory) = try createRun(name: "\(name)-sweep", at: date)
        // The directory only reserved the id; runs of the sweep get their own.
        try? FileManager.default.removeItem(at: directory.url)
        return id
    }

    /// Ids of every run with a `run.json`, sorted: the one definition of what a run of the
    /// workspace is, which `runs()`, `list`, the previous-run lookup and the site all use.
    /// A directory with request files but no `run.json` (the old framework's, or another
    /// tool's) is a run too.
    public func runIDs() -> [String] {
        let root = resultsRoot.path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.filter {
            access(root + "/" + $0 + "/run.json", F_OK) == 0 || !results($0).requestFiles.isEmpty
        }.sorted()
    }

    /// Every run with its `run.json` read, newest first (`isNewer`); the ids of runs whose
    /// `run.json` cannot be read are returned apart, so a listing can say so.
    public func runs() -> (runs: [WorkspaceRun], unreadable: [String]) {
        var runs: [WorkspaceRun] = []
        var unreadable: [String] = []
        for id in runIDs() {
            let directory = results(id)
            guard let manifest = try? RunManifest.read(from: directory.manifest) else {
                unreadable.append(id)
                continue
            }
            runs.append(WorkspaceRun(id: id, directory: directory, manifest: manifest))
        }
        runs.sort {
            Self.isNewer(
                ($0.manifest.startedAt, $0.manifest.benchmarkID, $0.id),
                than: ($1.manifest.startedAt, $1.manifest.benchmarkID, $1.id))
        }
        return (runs, unreadable)
    }

    /// The order of every listing of runs: later start first, then the larger benchmark id,
    /// then the larger directory name, so runs that started in the same second keep one order.
    public static func isNewer(
        _ a: (startedAt: String, benchmarkID: String, id: String), than b: (startedAt: String, benchmarkID: String, id: String)
    ) -> Bool {
        if a.startedAt != b.startedAt { return a.startedAt > b.startedAt }
        return a.benchmarkID != b.benchmarkID ? a.benchmarkID > b.benchmarkID : a.id > b.id
    }
}

/// One run of a workspace and what its `run.json` says.
public struct WorkspaceRun: Sendable {
    /// The name of its directory under `results/`.
    public var id: String
    public var directory: RunDirectory
    public var manifest: RunManifest
}

/// The files of one run under `results/<id>/`.
public struct RunDirectory: Sendable {
    public var url: URL

    public init(url: URL) {
        self.url = url
    }

    public var manifest: URL { url.appendingPathComponent("run.json") }
    public var requests: URL { url.appendingPathComponent("requests.jsonl") }
    public var clients: URL { url.appendingPathComponent("clients") }
    public var logs: URL { url.appendingPathComponent("logs") }
    /// Our summary: `summary.json`, or `factorybench-summary.json` in a directory whose
    /// `summary.json` another tool wrote (the old framework's), which is never rewritten.
    public var summary: URL {
        let own = url.appendingPathComponent(Self.ownSummaryName)
        return access(own.path, F_OK) == 0 ? own : url.appendingPathComponent("summary.json")
    }

    /// Our summary, read; `nil` when there is none or it is another tool's.
    public func readSummary() -> RunSummary? {
        (try? Data(contentsOf: summary)).flatMap { try? FastJSONDecoder.decode(RunSummary.self, from: $0) }
    }

    /// Where a new summary goes: `summary` unless the `summary.json` there is not ours.
    public var summaryForWriting: URL {
        let summary = self.summary
        guard summary.lastPathComponent == "summary.json", let data = try? Data(contentsOf: summary) else { return summary }
        let ours = (try? JSONDecoder().decode(RunSummary.self, from: data)) != nil
        return ours ? summary : url.appendingPathComponent(Self.ownSummaryName)
    }

    /// The name of our summary beside another tool's `summary.json`.
    public static let ownSummaryName = "factorybench-summary.json"

    /// The files holding the run's records: `requests.jsonl`, or the client files when the
    /// run never got as far as collecting them, or the old framework's per-client
    /// `requests_*.jsonl` beside them.
    public var requestFiles: [URL] {
        if FileManager.default.fileExists(atPath: requests.path) { return [requests] }
        let clientFiles = Collector.clientFiles(in: clients)
        if !clientFiles.isEmpty { return clientFiles }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter { $0.hasPrefix("requests") && $0.hasSuffix(".jsonl") }.sorted().map { url.appendingPathComponent($0) }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
