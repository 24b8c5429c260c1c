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
    var dropped = false
    /// How many inter-token gaps of `itl_s` the scanner appended to its ITL buffer.
    var itlCount = 0
    var hasBenchmarkID = false
    /// The line number within its block.
    var line = 0

    /// Warm-up and cool-down requests are recorded but kept out of the statistics.
    enum Phase {
        case measured, warmup, cooldown
    }
}
