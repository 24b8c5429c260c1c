import Yams

/// Reads one YAML mapping of a recipe key by key, remembering which keys were read so that
/// every key nobody asked for is reported with its line and column.
struct MappingReader {
    let file: String
    let section: String
    let location: SourceLocation
    private let entries: [(key: String, keyNode: Node, value: Node)]
    private var used: Set<String> = []

    init(_ node: Node, file: String, section: String) throws {
        let location = Self.location(of: node, file: file)
        guard case .mapping(let mapping) = node else {
            throw RecipeError.notAMapping(location, section: section)
        }
        self.file = file
        self.section = section
        self.location = location
        self.entries = try mapping.map { pair in
            guard let key = pair.key.string else {
                throw RecipeError.wrongType(Self.location(of: pair.key, file: file), key: "key", expected: "a string")
            }
            return (key, pair.key, pair.value)
        }
    }

    static func location(of node: Node, file: String) -> SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    private mutating func node(_ key: String) -> Node? {
        guard let entry = entries.first(where: { $0.key == key }) else { return nil }
        used.insert(key)
        if case .scalar(let scalar) = entry.value, entry.value.null != nil, scalar.style == .plain {
            return nil
        }
        return entry.value
    }

    private func qualified(_ key: String) -> String {
        section == "the top level" ? key : "\(section).\(key)"
    }

    mutating func mapping(_ key: String) throws -> MappingReader? {
        guard let node = node(key) else { return nil }
        return try MappingReader(node, file: file, section: qualified(key))
    }

    mutating func string(_ key: String) throws -> String? {
        guard let node = node(key) else { return nil }
        guard case .scalar = node, let value = node.string else {
            throw RecipeError.wrongType(Self.location(of: node, file: file), key: qualified(key), expected: "a string")
        }
        return value
    }

    mutating func int(_ key: String, minimum: Int) throws -> Int? {
        guard let node = node(key) else { return nil }
        guard case .scalar(let scalar) = node, scalar.style == .plain, let value = node.int else {
            throw RecipeError.wrongType(Self.location(of: node, file: file), key: qualified(key), expected: "an integer")
        }
        guard value >= minimum else {
            throw RecipeError.invalidValue(
                Self.location(of: node, file: file), key: qualified(key), problem: "\(value) is below the minimum of \(minimum)")
        }
        return value
    }

    mutating func stringList(_ key: String) throws -> [String]? {
        guard let node = node(key) else { return nil }
        guard case .sequence(let sequence) = node else {
            throw RecipeError.wrongType(Self.location(of: node, file: file), key: qualified(key), expected: "a list of strings")
        }
        return try sequence.map { item in
            guard case .scalar = item, let value = item.string else {
                throw RecipeError.wrongType(
                    Self.location(of: item, file: file), key: qualified(key), expected: "a list of strings")
            }
            return value
        }
    }

    /// Reads a required key whose value must be one of an enum's raw values.
    mutating func enumValue<T: RawRepresentable & CaseIterable>(_ key: String, of type: T.Type, kind: String) throws -> T
    where T.RawValue == String {
        guard let node = node(key) else {
            throw RecipeError.missingKey(location, key: key, section: section)
        }
        let allowed = T.allCases.map(\.rawValue)
        guard case .scalar = node, let raw = node.string, let value = T(rawValue: raw) else {
            throw RecipeError.unknownType(
                Self.location(of: node, file: file), kind: kind, value: node.string ?? "\(node)", allowed: allowed)
        }
        return value
    }

    /// Reads `settings:` against the type's catalog: unknown keys and wrong kinds are errors,
    /// and every default is filled in.
    mutating func settings(_ specs: [SettingSpec], typeName: String) throws -> [String: SettingValue] {
        var resolved: [String: SettingValue] = [:]
        for spec in specs {
            if let value = spec.defaultValue { resolved[spec.key] = value }
        }
        guard var settings = try mapping("settings") else { return resolved }
        for spec in specs {
            guard let node = settings.node(spec.key) else { continue }
            let value = try settings.value(of: node, key: spec.key, kind: spec.kind)
            if let problem = spec.check?(value) {
                throw RecipeError.invalidValue(
                    Self.location(of: node, file: file), key: settings.qualified(spec.key), problem: problem)
            }
            resolved[spec.key] = value
        }
        try settings.rejectUnknownKeys(allowed: specs.map(\.key), what: "settings of \(typeName)")
        return resolved
    }

    private func value(of node: Node, key: String, kind: SettingSpec.Kind) throws -> SettingValue {
        let value = Self.settingValue(node)
        let matches: Bool
        switch (kind, value) {
        case (.integer, .int), (.number, .int), (.number, .double), (.string, .string), (.boolean, .bool),
            (.mapping, .map), (.list, .list):
            matches = true
        default:
            matches = false
        }
        guard matches else {
            throw RecipeError.wrongType(Self.location(of: node, file: file), key: qualified(key), expected: kind.rawValue)
        }
        return value
    }

    /// Every not-yet-read key's value, as written (for deployment keys the local executor
    /// does not use but a cluster run does).
    mutating func remainingValues(excluding: Set<String>) throws -> [String: SettingValue] {
        var values: [String: SettingValue] = [:]
        for entry in entries where !excluding.contains(entry.key) && !used.contains(entry.key) {
            values[entry.key] = Self.settingValue(entry.value)
        }
        return values
    }

    func rejectUnknownKeys(allowed: [String], what: String? = nil) throws {
        for entry in entries where !used.contains(entry.key) && !allowed.contains(entry.key) {
            throw RecipeError.unknownKey(
                Self.location(of: entry.keyNode, file: file), key: entry.key, section: what ?? section,
                allowed: allowed)
        }
    }

    static func settingValue(_ node: Node) -> SettingValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style != .plain { return .string(scalar.string) }
            if node.null != nil { return .null }
            if let value = node.bool { return .bool(value) }
            if let value = node.int { return .int(value) }
            if let value = node.float { return .double(value) }
            return .string(scalar.string)
        case .sequence(let sequence):
            return .list(sequence.map(settingValue))
        case .mapping(let mapping):
            var values: [String: SettingValue] = [:]
            for pair in mapping { values[pair.key.string ?? "\(pair.key)"] = settingValue(pair.value) }
            return .map(values)
        case .alias:
            return .null
        }
    }
}
