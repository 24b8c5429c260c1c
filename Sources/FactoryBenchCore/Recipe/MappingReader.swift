import Yams

/// Reads one YAML mapping of a recipe key by key, remembering which keys were read so that
/// every key nobody asked for is reported with its line and column.
struct MappingReader {
    let file: String
    let section: String
    let location: SourceLocation
    let entries: [(key: String, keyNode: Node, value: Node)]
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

    /// A node's position; nodes made from `--set` values have none and get line 0.
    static func location(of node: Node, file: String) -> SourceLocation {
        guard let mark = node.mark else { return SourceLocation(file: file, line: 0, column: 0) }
        return SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    mutating func node(_ key: String) -> Node? {
        guard let entry = entries.first(where: { $0.key == key }) else { return nil }
        used.insert(key)
        if case .scalar(let scalar) = entry.value, entry.value.null != nil, scalar.style == .plain {
            return nil
        }
        return entry.value
    }

    func qualified(_ key: String) -> String {
        section == "the top level" ? key : "\(section).\(key)"
    }

    mutating func string(_ key: String) throws -> String? {
        guard let node = node(key) else { return nil }
        guard case .scalar = node, let value = node.string else {
            throw RecipeError.wrongType(Self.location(of: node, file: file), key: qualified(key), expected: "a string")
        }
        return value
    }

    /// Reads a required key whose value must be one of an enum's raw values; `absent` is the
    /// value when the key is missing (else a missing key is an error).
    mutating func enumValue<T: RawRepresentable & CaseIterable>(
        _ key: String, of type: T.Type, kind: String, absent: T? = nil
    ) throws -> T
    where T.RawValue == String {
        guard let node = node(key) else {
            if let absent { return absent }
            throw RecipeError.missingKey(location, key: key, section: section)
        }
        let allowed = T.allCases.map(\.rawValue)
        guard case .scalar = node, let raw = node.string, let value = T(rawValue: raw) else {
            throw RecipeError.unknownType(
                Self.location(of: node, file: file), kind: kind, value: node.string ?? "\(node)", allowed: allowed)
        }
        return value
    }

    /// Reads the keys of `specs` from this mapping into `resolved` (which holds the
    /// defaults), recording every problem in `diagnostics`; unknown keys are problems too.
    mutating func read(
        _ specs: [SettingSpec], into resolved: inout [String: SettingValue], what: String, diagnostics: Diagnostics
    ) {
        for spec in specs {
            guard let node = node(spec.key) else { continue }
            diagnostics.attempt {
                let value = try self.value(of: node, key: spec.key, kind: spec.kind)
                if let problem = spec.check?(value) {
                    throw RecipeError.invalidValue(
                        Self.location(of: node, file: file), key: qualified(spec.key), problem: problem)
                }
                resolved[spec.key] = value
            }
        }
        rejectUnknownKeys(allowed: specs.map(\.key), what: what, diagnostics: diagnostics)
    }

    /// Reads `settings:` against the type's catalog, defaults filled in; also returns the
    /// keys the recipe wrote itself.
    mutating func settings(_ specs: [SettingSpec], typeName: String, diagnostics: Diagnostics) -> (
        values: [String: SettingValue], written: Set<String>
    ) {
        var resolved = SettingSpec.defaults(specs)
        guard let node = node("settings") else { return (resolved, []) }
        do {
            var settings = try MappingReader(node, file: file, section: qualified("settings"))
            settings.read(specs, into: &resolved, what: "settings of \(typeName)", diagnostics: diagnostics)
            return (resolved, Set(settings.entries.map(\.key)))
        } catch {
            diagnostics.record(error)
            return (resolved, [])
        }
    }

    /// A node's value, checked against the kind its spec declares.
    private func value(of node: Node, key: String, kind: SettingSpec.Kind) throws -> SettingValue {
        let value = Self.settingValue(node)
        let wrong = RecipeError.wrongType(Self.location(of: node, file: file), key: qualified(key), expected: kind.rawValue)
        switch (kind, value) {
        case (.duration, _):
            guard let seconds = RecipeDuration.seconds(value) else { throw wrong }
            return .double(seconds)
        case (.countOrDuration, .int(let count)):
            guard count >= 0 else { throw wrong }
            return value
        case (.countOrDuration, .string):
            guard let seconds = RecipeDuration.seconds(value) else { throw wrong }
            return .double(seconds)
        case (.boolean, .string(let text)) where ["yes", "no"].contains(text.lowercased()):
            // As Redis and the old framework's recipes write it, quoted or not.
            return .bool(text.lowercased() == "yes")
        case (.integer, .int), (.number, .int), (.number, .double), (.string, .string), (.boolean, .bool),
            (.mapping, .map), (.list, .list):
            return value
        default:
            throw wrong
        }
    }

    /// Where a key's value is, for checks that involve several keys.
    func location(of key: String) -> SourceLocation? {
        entries.first { $0.key == key }.map { Self.location(of: $0.value, file: file) }
    }

    /// Records every key nobody read.
    func rejectUnknownKeys(allowed: [String], what: String? = nil, diagnostics: Diagnostics) {
        for entry in entries where !used.contains(entry.key) && !allowed.contains(entry.key) {
            diagnostics.record(
                RecipeError.unknownKey(
                    Self.location(of: entry.keyNode, file: file), key: entry.key, section: what ?? section,
                    allowed: allowed))
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
