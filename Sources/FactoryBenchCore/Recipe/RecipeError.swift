import Foundation

/// Why a recipe could not be loaded; every case that points into the file carries its location.
public enum RecipeError: LocalizedError, Equatable {
    case fileNotFound(path: String)
    case unreadable(path: String, reason: String)
    case syntax(SourceLocation, problem: String)
    case notAMapping(SourceLocation, section: String)
    case unknownKey(SourceLocation, key: String, section: String, allowed: [String])
    case missingKey(SourceLocation, key: String, section: String)
    case wrongType(SourceLocation, key: String, expected: String)
    case unknownType(SourceLocation, kind: String, value: String, allowed: [String])
    case invalidValue(SourceLocation, key: String, problem: String)
    case unsupported(SourceLocation, problem: String)
    /// Several problems, sorted by position; each is printed on its own line.
    indirect case multiple([RecipeError])

    public var errorDescription: String? {
        switch self {
        case .fileNotFound(let path):
            return "recipe file '\(path)' does not exist; check the path (recipes usually live in examples/)"
        case .unreadable(let path, let reason):
            return "cannot read recipe file '\(path)': \(reason)"
        case .syntax(let location, let problem):
            return "\(location): YAML syntax error: \(problem); fix the line or quote the value"
        case .notAMapping(let location, let section):
            return "\(location): '\(section)' must be a mapping of keys to values"
        case .unknownKey(let location, let key, let section, let allowed):
            let hint = Self.closest(to: key, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
            return "\(location): unknown key '\(key)' in \(section)\(hint); "
                + "allowed keys: \(allowed.joined(separator: ", "))"
        case .missingKey(let location, let key, let section):
            return "\(location): \(section) is missing the required key '\(key)'"
        case .wrongType(let location, let key, let expected):
            return "\(location): '\(key)' must be \(expected)"
        case .unknownType(let location, let kind, let value, let allowed):
            let hint = Self.closest(to: value, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
            return "\(location): unknown \(kind) type '\(value)'\(hint); "
                + "known types: \(allowed.joined(separator: ", "))"
        case .invalidValue(let location, let key, let problem):
            return "\(location): invalid value for '\(key)': \(problem)"
        case .unsupported(let location, let problem):
            return "\(location): \(problem)"
        case .multiple(let errors):
            return "\(errors.count) problems:\n" + errors.compactMap(\.errorDescription).joined(separator: "\n")
        }
    }

    /// Where in the recipe the problem is, when it is in one place.
    public var location: SourceLocation? {
        switch self {
        case .fileNotFound, .unreadable, .multiple: return nil
        case .syntax(let location, _), .notAMapping(let location, _), .unknownKey(let location, _, _, _),
            .missingKey(let location, _, _), .wrongType(let location, _, _), .unknownType(let location, _, _, _),
            .invalidValue(let location, _, _), .unsupported(let location, _):
            return location
        }
    }

    /// The allowed word nearest to a typo, if it is near enough to be a likely intent.
    static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 3) else {
            return nil
        }
        return best.0
    }

    // Levenshtein distance with a single rolling row.
    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}
