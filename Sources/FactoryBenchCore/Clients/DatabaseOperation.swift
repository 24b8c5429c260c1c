/// The kinds of request `sqlite_stress` and `postgres_stress` mix, named as in the `mix` setting and in
/// each record's `operation_type`.
public enum DatabaseOperation: String, CaseIterable, Sendable {
    case insert
    case pointLookup = "point_lookup"
    case rangeScan = "range_scan"
    case aggregation
    case update

    /// The SQL statement kind, recorded as `query_type`.
    public var queryType: String {
        switch self {
        case .insert: return "INSERT"
        case .pointLookup, .rangeScan, .aggregation: return "SELECT"
        case .update: return "UPDATE"
        }
    }

    /// Picks an operation with probability proportional to its weight in `mix` (operations
    /// in a fixed order, so a seed gives the same stream everywhere).
    public static func pick(from mix: [String: SettingValue], using random: inout SeededGenerator) -> DatabaseOperation {
        let weighted = allCases.compactMap { operation -> (DatabaseOperation, Double)? in
            guard let weight = mix[operation.rawValue]?.doubleValue, weight > 0 else { return nil }
            return (operation, weight)
        }
        let total = weighted.reduce(0) { $0 + $1.1 }
        guard total > 0 else { return .pointLookup }
        var pick = Double(random.next() >> 11) * 0x1p-53 * total
        for (operation, weight) in weighted {
            if pick < weight { return operation }
            pick -= weight
        }
        return weighted.last?.0 ?? .pointLookup
    }

    /// Validates a recipe's `mix`: known operations, non-negative weights, a positive total.
    @Sendable public static func checkMix(_ value: SettingValue) -> String? {
        guard let mix = value.mapValue else { return "expected a mapping of operation to weight" }
        let known = allCases.map(\.rawValue)
        var total = 0.0
        for (name, weight) in mix.sorted(by: { $0.key < $1.key }) {
            guard known.contains(name) else {
                return "unknown operation '\(name)'; known operations: \(known.joined(separator: ", "))"
            }
            guard let number = weight.doubleValue, number >= 0 else {
                return "the weight of '\(name)' must be a number of at least 0"
            }
            total += number
        }
        return total > 0 ? nil : "the weights must add up to more than 0"
    }
}
