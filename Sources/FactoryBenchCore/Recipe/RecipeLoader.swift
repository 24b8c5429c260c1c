import Foundation
import Yams

/// Reads a recipe file, rejects anything it does not know (with `file:line:column`), and
/// fills in every default from `SettingsCatalog`.
public enum RecipeLoader {
    static let topLevelKeys = ["configuration", "service", "client", "benchmarks"]
    static let configurationKeys = ["target"]
    static let serviceKeys = [
        "type", "name", "image", "port", "command", "partition", "num_gpus", "gpus_per_node",
        "cpus_per_task", "memory", "time_limit", "account", "constraints", "exclude_nodes", "env",
        "volumes", "modules", "pre_run_commands", "settings",
    ]
    static let clientKeys = ["type", "command", "partition", "num_gpus", "time_limit", "account", "settings"]
    static let benchmarksKeys = ["num_clients", "metrics"]

    /// Loads the recipe at `path`.
    public static func load(path: String) throws -> Recipe {
        guard FileManager.default.fileExists(atPath: path) else {
            throw RecipeError.fileNotFound(path: path)
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw RecipeError.unreadable(path: path, reason: "it is not readable UTF-8 text (\(error.localizedDescription))")
        }
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return try parse(text, path: path, name: name)
    }

    /// Parses recipe text; `path` is used only in error locations.
    public static func parse(_ text: String, path: String, name: String) throws -> Recipe {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw RecipeError.missingKey(
                    SourceLocation(file: path, line: 1, column: 1), key: "service", section: "the recipe")
            }
            root = node
        } catch let error as YamlError {
            throw syntaxError(error, path: path)
        }
        var top = try MappingReader(root, file: path, section: "the top level")
        let configuration = try top.mapping("configuration")
        var target = "local"
        if var configuration {
            target = try configuration.string("target") ?? "local"
            try configuration.rejectUnknownKeys(allowed: configurationKeys)
        }

        guard var service = try top.mapping("service") else {
            throw RecipeError.missingKey(top.location, key: "service", section: "the recipe")
        }
        let serviceType = try service.enumValue("type", of: ServiceType.self, kind: "service")
        let serviceName = try service.string("name") ?? serviceType.rawValue
        let serviceSettings = try service.settings(SettingsCatalog.settings(for: serviceType), typeName: serviceType.rawValue)
        let serviceOptions = try service.remainingValues(excluding: ["type", "name", "settings"])
        try service.rejectUnknownKeys(allowed: serviceKeys)

        guard var client = try top.mapping("client") else {
            throw RecipeError.missingKey(top.location, key: "client", section: "the recipe")
        }
        let clientType = try client.enumValue("type", of: ClientType.self, kind: "client")
        let clientSettings = try client.settings(SettingsCatalog.settings(for: clientType), typeName: clientType.rawValue)
        let clientOptions = try client.remainingValues(excluding: ["type", "settings"])
        try client.rejectUnknownKeys(allowed: clientKeys)

        var numClients = 1
        var metrics: [String] = []
        if var benchmarks = try top.mapping("benchmarks") {
            numClients = try benchmarks.int("num_clients", minimum: 1) ?? 1
            metrics = try benchmarks.stringList("metrics") ?? []
            try benchmarks.rejectUnknownKeys(allowed: benchmarksKeys)
        }
        try top.rejectUnknownKeys(allowed: topLevelKeys)

        return Recipe(
            name: name, path: path, text: text, target: target,
            service: ServiceSpec(type: serviceType, name: serviceName, options: serviceOptions, settings: serviceSettings),
            client: ClientSpec(type: clientType, options: clientOptions, settings: clientSettings),
            numClients: numClients, metrics: metrics)
    }

    private static func syntaxError(_ error: YamlError, path: String) -> RecipeError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { "\(problem) (\($0.text))" } ?? problem
            return .syntax(SourceLocation(file: path, line: mark.line, column: mark.column), problem: detail)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return .syntax(
                SourceLocation(file: path, line: context.mark.line, column: context.mark.column),
                problem: "duplicated key \(duplicates.joined(separator: ", "))")
        default:
            return .syntax(SourceLocation(file: path, line: 1, column: 1), problem: "\(error)")
        }
    }
}
