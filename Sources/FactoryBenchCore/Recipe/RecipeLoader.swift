import Foundation
import Yams

/// Reads a recipe file, reports every problem at once (each with `file:line:column`),
/// fills in every default, and expands a `sweep:` into one recipe per point.
public enum RecipeLoader {
    static let topLevelKeys = ["configuration", "service", "client", "benchmarks", "load", "slo", "telemetry", "sweep"]

    /// Loads the recipe at `path`; a sweep is validated in every point but not expanded.
    public static func load(path: String, overrides: [RecipeOverride] = []) throws -> Recipe {
        let (text, name) = try read(path)
        return try parse(text, path: path, name: name, overrides: overrides)
    }

    /// The recipes a `run` executes: the sweep's points in order, or the recipe itself.
    public static func points(path: String, overrides: [RecipeOverride] = []) throws -> [Recipe] {
        let recipe = try load(path: path, overrides: overrides)
        return try points(of: recipe, overrides: overrides)
    }

    /// The points of a recipe already loaded.
    public static func points(of recipe: Recipe, overrides: [RecipeOverride] = []) throws -> [Recipe] {
        guard !recipe.sweep.isEmpty else { return [recipe] }
        let root = removing("sweep", from: try compose(recipe.text, path: recipe.path))
        return try combinations(of: recipe.sweep).map { point in
            var node = apply(overrides, to: root)
            for (axis, item) in zip(recipe.sweep, point) {
                node = setting(axis.path.split(separator: ".").map(String.init), to: item.node, in: node, keyMark: axis.mark)
            }
            var expanded = try recipeFrom(node, text: recipe.text, path: recipe.path, name: recipe.name, sweepAllowed: false)
            expanded.sweep = recipe.sweep
            expanded.sweepPoint = Dictionary(
                uniqueKeysWithValues: zip(recipe.sweep, point).map { ($0.path, MappingReader.settingValue($1.node)) })
            return expanded
        }
    }

    /// Parses recipe text; `path` is used only in error locations.
    public static func parse(_ text: String, path: String, name: String, overrides: [RecipeOverride] = []) throws -> Recipe {
        let root = apply(overrides, to: try compose(text, path: path))
        let recipe = try recipeFrom(root, text: text, path: path, name: name, sweepAllowed: true)
        // Every sweep point must be valid too: check them all now, before anything runs.
        if !recipe.sweep.isEmpty {
            let diagnostics = Diagnostics()
            diagnostics.attempt { _ = try points(of: recipe, overrides: overrides) }
            try diagnostics.check()
        }
        return recipe
    }

    // MARK: - Reading

    static func read(_ path: String) throws -> (text: String, name: String) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw RecipeError.fileNotFound(path: path)
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw RecipeError.unreadable(
                path: path, reason: "it is not readable UTF-8 text (\(error.localizedDescription))")
        }
        return (text, URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
    }

    static func compose(_ text: String, path: String) throws -> Node {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw RecipeError.missingKey(
                    SourceLocation(file: path, line: 1, column: 1), key: "service", section: "the recipe")
            }
            return node
        } catch let error as YamlError {
            throw syntaxError(error, path: path)
        }
    }

    static func recipeFrom(_ root: Node, text: String, path: String, name: String, sweepAllowed: Bool) throws -> Recipe {
        let diagnostics = Diagnostics()
        var top = try MappingReader(root, file: path, section: "the top level")
        var defaulted: Set<String> = []
        func section(_ key: String, _ specs: [SettingSpec]) -> [String: SettingValue] {
            var values = SettingSpec.defaults(specs)
            for spec in specs where spec.defaultValue != nil { defaulted.insert("\(key).\(spec.key)") }
            guard let node = top.node(key) else { return values }
            diagnostics.attempt {
                var reader = try MappingReader(node, file: path, section: key)
                var read = values
                reader.read(specs, into: &read, what: key, diagnostics: diagnostics)
                for (entry, value) in read where values[entry] != value || reader.location(of: entry) != nil {
                    defaulted.remove("\(key).\(entry)")
                }
                values = read
            }
            return values
        }

        let configuration = section("configuration", RecipeSchema.configuration)
        let benchmarks = section("benchmarks", RecipeSchema.benchmarks)
        let load = section("load", RecipeSchema.load)
        let slo = section("slo", RecipeSchema.slo)
        let telemetry = section("telemetry", RecipeSchema.telemetry)

        var service: ServiceSpec?
        if let node = top.node("service") {
            diagnostics.attempt {
                var reader = try MappingReader(node, file: path, section: "service")
                // The old framework's recipes give a service without a type by its command.
                let type = try reader.enumValue(
                    "type", of: ServiceType.self, kind: "service",
                    absent: reader.location(of: "command") != nil ? .generic : nil)
                let name = diagnostics.attempt { try reader.string("name") } ?? nil
                let specs = SettingsCatalog.settings(for: type)
                let (settings, written) = reader.settings(specs, typeName: type.rawValue, diagnostics: diagnostics)
                for spec in specs where spec.defaultValue != nil && !written.contains(spec.key) {
                    defaulted.insert("service.settings.\(spec.key)")
                }
                var options: [String: SettingValue] = [:]
                reader.read(
                    RecipeSchema.serviceOptions + [
                        SettingSpec("type", .string, nil, ""), SettingSpec("name", .string, nil, ""),
                        SettingSpec("settings", .mapping, nil, ""),
                    ],
                    into: &options, what: "service", diagnostics: diagnostics)
                for key in ["type", "name", "settings"] { options[key] = nil }
                // A type whose own port setting has a default (chroma) keeps it to itself.
                let foldsPort = specs.contains { $0.key == "port" && $0.defaultValue == nil }
                Self.mergeOldServiceKeys(
                    into: &options, settings: settings, written: foldsPort ? written : [], reader: reader,
                    diagnostics: diagnostics)
                service = ServiceSpec(type: type, name: name ?? type.rawValue, options: options, settings: settings)
            }
        } else {
            diagnostics.record(RecipeError.missingKey(top.location, key: "service", section: "the recipe"))
        }

        var client: ClientSpec?
        var clientTypeLocation = top.location
        if let node = top.node("client") {
            diagnostics.attempt {
                var reader = try MappingReader(node, file: path, section: "client")
                clientTypeLocation = reader.location(of: "type") ?? reader.location
                // The old framework's recipes give a client without a type by its command.
                let type = try reader.enumValue(
                    "type", of: ClientType.self, kind: "client",
                    absent: reader.location(of: "command") != nil ? .command : nil)
                let specs = SettingsCatalog.settings(for: type)
                let (settings, written) = reader.settings(specs, typeName: type.rawValue, diagnostics: diagnostics)
                for spec in specs where spec.defaultValue != nil && !written.contains(spec.key) {
                    defaulted.insert("client.settings.\(spec.key)")
                }
                var options: [String: SettingValue] = [:]
                reader.read(
                    RecipeSchema.clientOptions + [
                        SettingSpec("type", .string, nil, ""), SettingSpec("settings", .mapping, nil, ""),
                    ],
                    into: &options, what: "client", diagnostics: diagnostics)
                for key in ["type", "settings"] { options[key] = nil }
                if type == .command, options["command"] == nil {
                    diagnostics.record(
                        RecipeError.missingKey(reader.location, key: "command", section: "client (type: command)"))
                }
                client = ClientSpec(type: type, options: options, settings: settings)
            }
        } else {
            diagnostics.record(RecipeError.missingKey(top.location, key: "client", section: "the recipe"))
        }

        var sweep: [SweepAxis] = []
        var autoSweep: AutoSweepSettings?
        if let node = top.node("sweep") {
            if sweepAllowed {
                diagnostics.attempt {
                    autoSweep = try autoSweepSettings(node, path: path)
                    if autoSweep == nil { sweep = try sweepAxes(node, path: path) }
                }
            } else {
                diagnostics.record(
                    RecipeError.unsupported(
                        MappingReader.location(of: node, file: path), problem: "a sweep point cannot hold another sweep"))
            }
        }
        top.rejectUnknownKeys(allowed: topLevelKeys, diagnostics: diagnostics)

        if let service, let client, !RecipeSchema.clients(for: service.type).contains(client.type) {
            diagnostics.record(
                RecipeError.invalidValue(
                    clientTypeLocation, key: "client.type",
                    problem: "client type '\(client.type.rawValue)' does not fit service type '\(service.type.rawValue)'; "
                        + "use one of \(RecipeSchema.clients(for: service.type).map(\.rawValue).joined(separator: ", "))"))
        }
        checkLoad(load, root: root, path: path, diagnostics: diagnostics)
        try diagnostics.check()
        guard let service, let client else { throw RecipeError.multiple([]) }
        var recipe = Recipe(
            name: name, path: path, text: text, target: configuration["target"]?.stringValue ?? "local",
            service: service, client: client, numClients: benchmarks["num_clients"]?.intValue ?? 1,
            clientDelay: benchmarks["client_delay"]?.doubleValue ?? 0,
            metrics: (benchmarks["metrics"].flatMap { value -> [String]? in
                if case .list(let items) = value { return items.compactMap(\.stringValue) }
                return nil
            }) ?? [],
            load: load, slo: slo, sweep: sweep, defaulted: defaulted, locate: KeyLocations(root: root, file: path))
        recipe.autoSweep = autoSweep
        recipe.telemetry = telemetry
        return recipe
    }

    /// `sweep: auto`, or `sweep: {auto: {points: N, max_error_rate: X}}`; nil for swept keys.
    static func autoSweepSettings(_ node: Node, path: String) throws -> AutoSweepSettings? {
        if node.string == "auto" { return AutoSweepSettings() }
        guard case .mapping(let mapping) = node, mapping.count == 1, let pair = mapping.first, pair.key.string == "auto"
        else { return nil }
        guard case .mapping(let settings) = pair.value else {
            throw RecipeError.wrongType(
                MappingReader.location(of: pair.value, file: path), key: "sweep.auto",
                expected: "a mapping of points and max_error_rate (or write sweep: auto)")
        }
        var result = AutoSweepSettings()
        for (key, value) in settings {
            let location = MappingReader.location(of: key, file: path)
            switch key.string {
            case "points":
                guard let points = value.int, points >= 1 else {
                    throw RecipeError.invalidValue(
                        location, key: "sweep.auto.points", problem: "must be an integer of at least 1")
                }
                result.points = points
            case "max_error_rate":
                guard let rate = value.float, rate >= 0, rate <= 1 else {
                    throw RecipeError.invalidValue(
                        location, key: "sweep.auto.max_error_rate", problem: "must be a fraction between 0 and 1")
                }
                result.maxErrorRate = rate
            default:
                throw RecipeError.invalidValue(
                    location, key: "sweep.auto.\(key.string ?? "?")",
                    problem: "is not a key of sweep.auto (points, max_error_rate)")
            }
        }
        return result
    }

    /// The old framework's spellings of deployment keys, folded into ours: `environment`
    /// into `env` (`env` wins for a variable in both), and `settings.port` into `port`.
    static func mergeOldServiceKeys(
        into options: inout [String: SettingValue], settings: [String: SettingValue], written: Set<String>,
        reader: MappingReader, diagnostics: Diagnostics
    ) {
        if let old = options.removeValue(forKey: "environment")?.mapValue {
            options["env"] = .map(old.merging(options["env"]?.mapValue ?? [:]) { _, env in env })
        }
        guard written.contains("port"), let port = settings["port"] else { return }
        if let given = options["port"], given != port {
            diagnostics.record(
                RecipeError.invalidValue(
                    reader.location(of: "port") ?? reader.location, key: "service.port",
                    problem: "service.port (\(given.text ?? "")) and service.settings.port (\(port.text ?? "")) differ; keep one")
            )
        }
        options["port"] = options["port"] ?? port
    }

    /// Checks between `load:` keys: a rate needs the open loop, burstiness needs gamma
    /// arrivals, and a client stops after a count or a duration, not both.
    static func checkLoad(_ load: [String: SettingValue], root: Node, path: String, diagnostics: Diagnostics) {
        guard let node = root["load"], let reader = try? MappingReader(node, file: path, section: "load") else { return }
        let mode = load["mode"]?.stringValue ?? "closed"
        if mode == "closed", let location = reader.location(of: "rate") {
            diagnostics.record(
                RecipeError.invalidValue(
                    location, key: "load.rate", problem: "a rate needs mode: open (closed loop is set by concurrency)"))
        }
        if mode == "open", load["rate"] == nil {
            diagnostics.record(
                RecipeError.missingKey(reader.location(of: "mode") ?? reader.location, key: "rate", section: "load (mode: open)"))
        }
        if load["arrival"]?.stringValue != "gamma", let location = reader.location(of: "burstiness") {
            diagnostics.record(
                RecipeError.invalidValue(location, key: "load.burstiness", problem: "burstiness needs arrival: gamma"))
        }
        if reader.location(of: "num_requests") != nil, let location = reader.location(of: "duration") {
            diagnostics.record(
                RecipeError.invalidValue(
                    location, key: "load.duration", problem: "give num_requests or duration, not both"))
        }
    }

    static func sweepAxes(_ node: Node, path: String) throws -> [SweepAxis] {
        guard case .mapping(let mapping) = node else {
            throw RecipeError.notAMapping(MappingReader.location(of: node, file: path), section: "sweep")
        }
        return try mapping.map { pair in
            let location = MappingReader.location(of: pair.key, file: path)
            guard let key = pair.key.string, !key.isEmpty else {
                throw RecipeError.wrongType(location, key: "sweep", expected: "a mapping of dotted recipe paths to lists")
            }
            guard !key.hasPrefix("sweep") else {
                throw RecipeError.invalidValue(location, key: "sweep.\(key)", problem: "a sweep cannot sweep itself")
            }
            guard case .sequence(let sequence) = pair.value, !sequence.isEmpty else {
                throw RecipeError.wrongType(
                    MappingReader.location(of: pair.value, file: path), key: "sweep.\(key)", expected: "a non-empty list")
            }
            return SweepAxis(path: key, values: sequence.map { SweepValue(node: $0) }, mark: pair.key.mark)
        }
    }

    static func combinations(of axes: [SweepAxis]) -> [[SweepValue]] {
        axes.reduce([[]]) { partial, axis in partial.flatMap { prefix in axis.values.map { prefix + [$0] } } }
    }

    // MARK: - Overrides

    static func apply(_ overrides: [RecipeOverride], to root: Node) -> Node {
        overrides.reduce(root) { node, override in setting(override.path, to: override.value, in: node, keyMark: nil) }
    }

    static func removing(_ key: String, from root: Node) -> Node {
        guard case .mapping(let mapping) = root else { return root }
        let pairs = mapping.filter { $0.key.string != key }.map { ($0.key, $0.value) }
        return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark))
    }

    /// A copy of `node` without positions, for values that come from the command line.
    static func unmarked(_ node: Node) -> Node {
        switch node {
        case .scalar(let scalar):
            return .scalar(Node.Scalar(scalar.string, scalar.tag, scalar.style, nil))
        case .sequence(let sequence):
            return .sequence(Node.Sequence(sequence.map(unmarked), sequence.tag, sequence.style, nil))
        case .mapping(let mapping):
            return .mapping(Node.Mapping(mapping.map { (unmarked($0.key), unmarked($0.value)) }, mapping.tag, mapping.style, nil))
        case .alias:
            return node
        }
    }

    /// `root` with the value at the dotted `path` replaced (mappings created as needed).
    static func setting(_ path: [String], to value: Node, in root: Node, keyMark: Mark?) -> Node {
        guard let key = path.first else { return value }
        var pairs: [(Node, Node)] = []
        var found = false
        var mark: Mark?
        var tag = Tag.implicit
        var style = Node.Mapping.Style.any
        if case .mapping(let mapping) = root {
            mark = mapping.mark
            tag = mapping.tag
            style = mapping.style
            for pair in mapping {
                if pair.key.string == key {
                    found = true
                    pairs.append((pair.key, setting(Array(path.dropFirst()), to: value, in: pair.value, keyMark: keyMark)))
                } else {
                    pairs.append((pair.key, pair.value))
                }
            }
        }
        if !found {
            let child = setting(Array(path.dropFirst()), to: value, in: Node([(Node, Node)]()), keyMark: keyMark)
            pairs.append((.scalar(Node.Scalar(key, .implicit, .plain, keyMark)), child))
        }
        return .mapping(Node.Mapping(pairs, tag, style, mark))
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

/// A `--set key.path=value` from the command line.
public struct RecipeOverride: Sendable {
    public var path: [String]
    public var text: String
    var value: Node { RecipeLoader.unmarked((try? Yams.compose(yaml: text)).flatMap { $0 } ?? Node(text)) }

    /// Parses `key.path=value`; the value is YAML (`4`, `true`, `[1, 2]`, `"text"`).
    public init(_ assignment: String) throws {
        guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
            throw RecipeError.unsupported(
                SourceLocation(file: "--set \(assignment)", line: 0, column: 0),
                problem: "write --set key.path=value, e.g. --set benchmarks.num_clients=8")
        }
        path = assignment[..<equals].split(separator: ".").map(String.init)
        text = String(assignment[assignment.index(after: equals)...])
        do {
            _ = try Yams.compose(yaml: text)
        } catch {
            throw RecipeError.unsupported(
                SourceLocation(file: "--set \(assignment)", line: 0, column: 0),
                problem: "the value is not valid YAML; quote it")
        }
    }
}

/// One swept key and its values, in the order written.
public struct SweepAxis: Sendable {
    public var path: String
    public var values: [SweepValue]
    var mark: Mark?
}

/// One value of a sweep, with its place in the recipe file.
public struct SweepValue: @unchecked Sendable {
    var node: Node

    public var value: SettingValue { MappingReader.settingValue(node) }
}
