/// A value from a recipe's free-form parts (type-specific `settings`, `env`), kept typed so
/// the resolved recipe can be written back to `run.json` exactly.
public enum SettingValue: Sendable, Equatable, Codable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case list([SettingValue])
    case map([String: SettingValue])
    case null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Each failed attempt costs a thrown error, and run.json is read for every run page:
        // numbers first (most of a recipe's values), as a Double, which is an integer when
        // it is one exactly (JSON writes 3.0 as 3 anyway; beyond 2^53 it is read as an Int,
        // exactly). JSON keeps numbers, strings and booleans apart, so the order changes no
        // value.
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Double.self) {
            if abs(value) < 9_007_199_254_740_992, let integer = Int(exactly: value) {
                self = .int(integer)
            } else if let integer = try? container.decode(Int.self) {
                self = .int(integer)
            } else {
                self = .double(value)
            }
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode([SettingValue].self) {
            self = .list(value)
        } else {
            self = .map(try container.decode([String: SettingValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .list(let value): try container.encode(value)
        case .map(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    public var intValue: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var mapValue: [String: SettingValue]? {
        if case .map(let value) = self { return value }
        return nil
    }

    public var listValue: [SettingValue]? {
        if case .list(let value) = self { return value }
        return nil
    }

    /// A scalar as plain text (`16G`, `8`, `0.5`, `true`); nil for lists, maps and null.
    public var text: String? {
        switch self {
        case .string(let value): return value
        case .int(let value): return String(value)
        case .double(let value): return value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        case .bool(let value): return value ? "true" : "false"
        case .list, .map, .null: return nil
        }
    }
}
