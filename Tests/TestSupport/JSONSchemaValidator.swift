import Foundation

/// A small JSON Schema checker for the parts of the vocabulary our schemas use: `type`,
/// `const`, `enum` (of strings), `properties`, `required`, `additionalProperties`, `items`,
/// `minItems`, `maxItems`, `minimum`, `maximum` and `$ref` into `#/$defs`. Returns every violation with its JSON path.
public struct JSONSchemaValidator {
    let root: [String: Any]

    public init(schema url: URL) throws {
        root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
    }

    public func violations(of data: Data) throws -> [String] {
        let value = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        var problems: [String] = []
        check(value, against: root, at: "$", into: &problems)
        return problems
    }

    private func resolve(_ schema: [String: Any]) -> [String: Any] {
        guard let reference = schema["$ref"] as? String, reference.hasPrefix("#/$defs/") else { return schema }
        let name = String(reference.dropFirst("#/$defs/".count))
        return (root["$defs"] as? [String: Any])?[name] as? [String: Any] ?? [:]
    }

    private func check(_ value: Any, against rawSchema: [String: Any], at path: String, into problems: inout [String]) {
        let schema = resolve(rawSchema)
        if let type = schema["type"] as? String, !matches(value, type) {
            problems.append("\(path): expected \(type), got \(value)")
            return
        }
        if let constant = schema["const"] as? Int, (value as? Int) != constant {
            problems.append("\(path): expected \(constant)")
        }
        if let allowed = schema["enum"] as? [String], !allowed.contains(value as? String ?? "") {
            problems.append("\(path): expected one of \(allowed), got \(value)")
        }
        if let array = value as? [Any] {
            if let least = schema["minItems"] as? Int, array.count < least {
                problems.append("\(path): fewer than \(least) items")
            }
            if let most = schema["maxItems"] as? Int, array.count > most { problems.append("\(path): more than \(most) items") }
        }
        if let number = (value as? NSNumber)?.doubleValue, !Self.isBoolean(value) {
            if let minimum = schema["minimum"] as? Double, number < minimum { problems.append("\(path): below \(minimum)") }
            if let maximum = schema["maximum"] as? Double, number > maximum { problems.append("\(path): above \(maximum)") }
        }
        if let object = value as? [String: Any] {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for key in schema["required"] as? [String] ?? [] where object[key] == nil {
                problems.append("\(path): missing required '\(key)'")
            }
            for (key, child) in object {
                if let propertySchema = properties[key] as? [String: Any] {
                    check(child, against: propertySchema, at: "\(path).\(key)", into: &problems)
                } else if let additional = schema["additionalProperties"] as? [String: Any] {
                    check(child, against: additional, at: "\(path).\(key)", into: &problems)
                } else if schema["additionalProperties"] as? Bool == false {
                    problems.append("\(path): '\(key)' is not in the schema")
                }
            }
        }
        if let array = value as? [Any], let items = schema["items"] as? [String: Any] {
            for (index, child) in array.enumerated() {
                check(child, against: items, at: "\(path)[\(index)]", into: &problems)
            }
        }
    }

    /// JSONSerialization gives NSNumbers for numbers and booleans alike, and any 0 or 1
    /// casts to Bool; the Objective-C type code tells them apart ("c" for a boolean).
    private static func isBoolean(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }

    private func matches(_ value: Any, _ type: String) -> Bool {
        switch type {
        case "object": return value is [String: Any]
        case "array": return value is [Any]
        case "string": return value is String
        case "boolean": return Self.isBoolean(value)
        case "integer":
            guard let number = value as? NSNumber, !Self.isBoolean(value) else { return false }
            return number.doubleValue == number.doubleValue.rounded()
        case "number": return value is NSNumber && !Self.isBoolean(value)
        default: return true
        }
    }
}
