/// The kinds of request `sqlite_stress` and `postgres_stress` mix, named as in the `mix` setting.
/// Records keep the old framework's meanings: `operation_type` is the statement (insert,
/// select, update) and `query_type` the query's shape (point_insert, point_lookup,
/// range_scan, aggregation, point_update), so `summary.operations` is keyed as it was and
/// `summary.query_types` holds the finer breakdown.
public enum DatabaseOperation: String, CaseIterable, Sendable {
    case insert
    case pointLookup = "point_lookup"
    case rangeScan = "range_scan"
    case aggregation
    case update

    /// The SQL statement, recorded as `operation_type`.
    public var operationType: String {
        switch self {
        case .insert: return "insert"
        case .pointLookup, .rangeScan, .aggregation: return "select"
        case .update: return "update"
        }
    }

    /// The query's shape, recorded as `query_type` (the old framework's `point_insert` for
    /// inserts).
    public var queryType: String {
        switch self {
        case .insert: return "point_insert"
        case .update: return "point_update"
        case .pointLookup, .rangeScan, .aggregation: return rawValue
        }
    }

    /// The operations of a `mix` with positive weights, as cumulative weights in a fixed
    /// order (so a seed gives the same stream everywhere); computed once per client.
    public static func cumulativeWeights(_ mix: [String: SettingValue]) -> [(operation: DatabaseOperation, upTo: Double)] {
        var total = 0.0
        return allCases.compactMap { operation in
            guard let weight = mix[operation.rawValue]?.doubleValue, weight > 0 else { return nil }
            total += weight
            return (operation, total)
        }
    }

    /// Picks an operation with probability proportional to its weight.
    public static func pick(
        from cumulative: [(operation: DatabaseOperation, upTo: Double)], using random: inout SeededGenerator
    ) -> DatabaseOperation {
        guard let total = cumulative.last?.upTo else { return .pointLookup }
        let pick = Double(random.next() >> 11) * 0x1p-53 * total
        return cumulative.first { pick < $0.upTo }?.operation ?? .pointLookup
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
