/// The fields of one request line that aggregation uses, as the scanner found them: numbers
/// parsed, strings interned to small integers, absent values marked.
struct ScannedRecord {
    static let absent = -1

    var timestampStart = Double.nan
    var timestampEnd = Double.nan
    var timestampIntended = Double.nan
    var latency = Double.nan
    var success: Bool?
    var clientID: Int?
    var operation = absent
    var queryType = absent
    var error = absent
    var httpStatus = absent
    var phase = Phase.measured
    var requestIDHash: UInt64 = 0
    var hasRequestID = false
    var inputTokens = absent
    var outputTokens = absent
    var ttft = Double.nan
    var recall = Double.nan
    /// Object stores: payload bytes moved.
    var bytes = absent
    var dropped = false
    var hasBenchmarkID = false

    /// Warm-up and cool-down requests are recorded but kept out of the statistics.
    enum Phase {
        case measured, warmup, cooldown
    }
}
