import Foundation

/// Results directories the old framework made, read for what they hold: its `run.json`
/// (`benchmark_id` or `id`, `created_at`, `git_commit`, the resolved `recipe`, `target`,
/// `service`, `clients`), or only request files. They are never rewritten: `report`,
/// `compare`, `list` and `site` read them through this view and add files of their own.
extension RunManifest {
    /// The old framework's `run.json`.
    struct OldFramework: Decodable {
        struct Service: Decodable {
            var name: String?
            var type: String?
            var hostname: String?
            var port: Int?
            var image: String?
        }

        struct Client: Decodable {
            var name: String?
            var hostname: String?
        }

        var benchmarkID: String?
        var id: String?
        var createdAt: String?
        var endedAt: String?
        var gitCommit: String?
        var recipe: SettingValue?
        var target: String?
        var service: Service?
        var clients: [Client]?
        var environment: [String: String]?

        enum CodingKeys: String, CodingKey {
            case benchmarkID = "benchmark_id"
            case id
            case createdAt = "created_at"
            case endedAt = "ended_at"
            case gitCommit = "git_commit"
            case recipe, target, service, clients, environment
        }
    }

    /// A manifest for a run the old framework recorded in `data`.
    static func fromOldFramework(_ data: Data, directory: URL) throws -> RunManifest {
        let old = try JSONDecoder().decode(OldFramework.self, from: data)
        guard old.benchmarkID != nil || old.id != nil || old.createdAt != nil else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "neither ours nor the old framework's"))
        }
        let recipe = old.recipe?.mapValue ?? [:]
        let section = { (name: String) in recipe[name]?.mapValue ?? [:] }
        let serviceType = old.service?.type ?? section("service")["type"]?.stringValue ?? "unknown"
        var manifest = synthesized(
            for: directory, benchmarkID: old.benchmarkID ?? old.id ?? directory.lastPathComponent, serviceType: serviceType)
        manifest.recipeName = old.service?.name ?? section("service")["name"]?.stringValue ?? serviceType
        manifest.recipeResolved = old.recipe ?? .map([:])
        manifest.clientType = section("client")["type"]?.stringValue ?? "unknown"
        manifest.numClients = old.clients?.count ?? section("benchmarks")["num_clients"]?.intValue ?? 0
        manifest.target = old.target ?? section("configuration")["target"]?.stringValue ?? "unknown"
        manifest.executor = "slurm (old framework)"
        manifest.host = old.clients?.first?.hostname ?? ""
        manifest.toolVersion = "old framework " + (old.environment?["framework_version"] ?? "")
        manifest.toolCommit = old.gitCommit
        manifest.startedAt = old.createdAt ?? manifest.startedAt
        manifest.finishedAt = old.endedAt
        manifest.service = ServiceEndpoint(host: old.service?.hostname, port: old.service?.port, version: old.service?.image)
        manifest.clients = (old.clients ?? []).enumerated().map { index, client in
            ClientOutcome(clientID: index, file: client.name ?? "client-\(index)", error: nil)
        }
        return manifest
    }

    /// A manifest for a directory that holds only request files: named after the directory,
    /// started when its oldest request file was written, completed when it holds records.
    static func synthesized(for directory: URL, benchmarkID: String? = nil, serviceType: String = "unknown") -> RunManifest {
        let files = RunDirectory(url: directory).requestFiles
        let written = files.compactMap {
            (try? FileManager.default.attributesOfItem(atPath: $0.path))?[.modificationDate] as? Date
        }.min()
        let formatter = ISO8601DateFormatter()
        return RunManifest(
            benchmarkID: benchmarkID ?? directory.lastPathComponent, recipeName: directory.lastPathComponent,
            recipePath: "", recipeVerbatim: "", recipeResolved: .map([:]), serviceType: serviceType,
            clientType: "unknown", numClients: 0, target: "unknown", executor: "unknown", host: "",
            toolVersion: "unknown", toolCommit: nil, workspaceCommit: nil,
            startedAt: written.map { formatter.string(from: $0) } ?? "", finishedAt: nil,
            status: files.isEmpty ? .failed : .completed,
            statusReason: files.isEmpty ? "no request records" : nil, service: nil, clients: [], steps: [])
    }
}
