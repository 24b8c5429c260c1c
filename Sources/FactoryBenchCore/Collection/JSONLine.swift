/// Builds one JSON object on one line, field by field, without Foundation: the record
/// writer's hot path (one line per request).
public struct JSONLine: Sendable {
    private var bytes: [UInt8]

    public init() {
        bytes = [UInt8(ascii: "{")]
        bytes.reserveCapacity(320)
    }

    public mutating func add(_ name: String, _ value: String) {
        bytes.addJSONKey(name)
        bytes.appendJSONValue(value)
    }

    public mutating func add(_ name: String, _ value: Int) {
        bytes.addJSONKey(name)
        bytes.appendJSONValue(value)
    }

    public mutating func add(_ name: String, _ value: Bool) {
        bytes.addJSONKey(name)
        bytes.appendJSONValue(value)
    }

    /// A number with a fixed count of decimals (6 for timestamps: microseconds; 9 for
    /// latencies: nanoseconds). Non-finite values become `null`, as JSON has no NaN.
    public mutating func add(_ name: String, _ value: Double, decimals: Int) {
        bytes.addJSONKey(name)
        bytes.appendJSONValue(value, decimals: decimals)
    }

    /// An array of numbers, each with a fixed count of decimals.
    public mutating func add(_ name: String, _ values: [Double], decimals: Int) {
        bytes.addJSONKey(name)
        bytes.appendJSONValue(values, decimals: decimals)
    }

    /// The finished line, newline included (consuming: the line's bytes become it, uncopied).
    public consuming func finished() -> [UInt8] {
        bytes.endJSONLine()
        return bytes
    }

    static func appendFixed(_ value: Double, decimals: Int, to bytes: inout [UInt8]) {
        guard value.isFinite else {
            bytes.append(contentsOf: "null".utf8)
            return
        }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9.0e18 else {
            bytes.append(contentsOf: "\(value)".utf8)
            return
        }
        let units = UInt64(scaled)
        let divisor = UInt64(scale)
        if value < 0 && units > 0 { bytes.append(UInt8(ascii: "-")) }
        appendDigits(units / divisor, count: 1, to: &bytes)
        guard decimals > 0 else { return }
        bytes.append(UInt8(ascii: "."))
        appendDigits(units % divisor, count: decimals, to: &bytes)
    }

    /// The decimal digits of `value`, at least `count` of them (zeros in front), written
    /// without an intermediate string.
    static func appendDigits(_ value: UInt64, count: Int, to bytes: inout [UInt8]) {
        // UInt64 has at most 20 digits; `count` is a field's decimals (6 or 9).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { scratch in
            var position = scratch.count
            var rest = value
            repeat {
                position -= 1
                scratch[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            } while position > 0 && (rest > 0 || scratch.count - position < count)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[position...]))
        }
    }

    // JSON string escaping (RFC 8259, section 7).
    static func appendQuoted(_ string: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            // Most strings need no escape: copied whole.
            guard utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                    bytes.append(hex[Int(byte >> 4)])
                    bytes.append(hex[Int(byte & 0xF)])
                default: bytes.append(byte)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// The fields of a JSON line written straight onto the end of a byte buffer, so many lines
/// collect in one array (the load engine's record batches) without a copy each. A line
/// starts with `{` (`beginJSONLine`); a field after the first is preceded by a comma.
extension [UInt8] {
    mutating func beginJSONLine() {
        append(UInt8(ascii: "{"))
    }

    mutating func endJSONLine() {
        append(UInt8(ascii: "}"))
        append(UInt8(ascii: "\n"))
    }

    mutating func addJSONKey(_ key: String) {
        if last != UInt8(ascii: "{") { append(UInt8(ascii: ",")) }
        JSONLine.appendQuoted(key, to: &self)
        append(UInt8(ascii: ":"))
    }

    /// A key written as it is: the record's own field names, which need no escaping.
    mutating func addJSONKey(_ key: StaticString) {
        if last != UInt8(ascii: "{") { append(UInt8(ascii: ",")) }
        append(UInt8(ascii: "\""))
        append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        append(UInt8(ascii: "\""))
        append(UInt8(ascii: ":"))
    }

    mutating func appendJSONValue(_ value: String) {
        JSONLine.appendQuoted(value, to: &self)
    }

    mutating func appendJSONValue(_ value: Int) {
        appendDecimal(value)
    }

    /// The integer's decimal digits, without an intermediate string.
    public mutating func appendDecimal(_ value: Int) {
        if value < 0 { append(UInt8(ascii: "-")) }
        JSONLine.appendDigits(UInt64(value.magnitude), count: 1, to: &self)
    }

    mutating func appendJSONValue(_ value: Bool) {
        append(contentsOf: (value ? "true" : "false").utf8)
    }

    mutating func appendJSONValue(_ value: Double, decimals: Int) {
        JSONLine.appendFixed(value, decimals: decimals, to: &self)
    }

    mutating func appendJSONValue(_ values: [Double], decimals: Int) {
        append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { append(UInt8(ascii: ",")) }
            JSONLine.appendFixed(value, decimals: decimals, to: &self)
        }
        append(UInt8(ascii: "]"))
    }

    mutating func addJSONField(_ name: StaticString, _ value: String) {
        addJSONKey(name)
        appendJSONValue(value)
    }

    mutating func addJSONField(_ name: StaticString, _ value: Int) {
        addJSONKey(name)
        appendJSONValue(value)
    }

    mutating func addJSONField(_ name: StaticString, _ value: Bool) {
        addJSONKey(name)
        appendJSONValue(value)
    }

    mutating func addJSONField(_ name: StaticString, _ value: Double, decimals: Int) {
        addJSONKey(name)
        appendJSONValue(value, decimals: decimals)
    }

    mutating func addJSONField(_ name: StaticString, _ values: [Double], decimals: Int) {
        addJSONKey(name)
        appendJSONValue(values, decimals: decimals)
    }
}

extension RequestRecord {
    /// The record as one JSONL line, in the field names of DESIGN.md.
    public func jsonLine() -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(320)
        appendJSONLine(to: &line)
        return line
    }

    /// Appends the record's line to `buffer`.
    public func appendJSONLine(to buffer: inout [UInt8]) {
        buffer.beginJSONLine()
        buffer.addJSONField("request_id", requestID)
        if let clientID { buffer.addJSONField("client_id", clientID) }
        buffer.addJSONField("service_type", serviceType)
        buffer.addJSONField("timestamp_start", timestampStart, decimals: 6)
        buffer.addJSONField("timestamp_end", timestampEnd, decimals: 6)
        if let timestampIntended { buffer.addJSONField("timestamp_intended", timestampIntended, decimals: 6) }
        buffer.addJSONField("latency_s", latencySeconds, decimals: 9)
        buffer.addJSONField("success", success)
        if let operationType { buffer.addJSONField("operation_type", operationType) }
        if let queryType { buffer.addJSONField("query_type", queryType) }
        if let rowsAffected { buffer.addJSONField("rows_affected", rowsAffected) }
        if let httpStatus { buffer.addJSONField("http_status", httpStatus) }
        if let error { buffer.addJSONField("error", error) }
        if dropped { buffer.addJSONField("dropped", true) }
        if let phase { buffer.addJSONField("phase", phase) }
        if let recall { buffer.addJSONField("recall", recall, decimals: 6) }
        if let topK { buffer.addJSONField("top_k", topK) }
        if let batchSize { buffer.addJSONField("batch_size", batchSize) }
        if let dimension { buffer.addJSONField("dimension", dimension) }
        if let bytes { buffer.addJSONField("bytes", bytes) }
        if let exitCode { buffer.addJSONField("exit_code", exitCode) }
        if let output { buffer.addJSONField("output", output) }
        if let attempt { buffer.addJSONField("attempt", attempt) }
        if retried { buffer.addJSONField("retried", true) }
        if let llm {
            if let model = llm.model { buffer.addJSONField("model", model) }
            if let ttft = llm.ttftSeconds { buffer.addJSONField("ttft_s", ttft, decimals: 9) }
            if !llm.itlSeconds.isEmpty { buffer.addJSONField("itl_s", llm.itlSeconds, decimals: 9) }
            if let tokens = llm.outputTokens { buffer.addJSONField("output_tokens", tokens) }
            if let tokens = llm.inputTokens { buffer.addJSONField("input_tokens", tokens) }
            if let source = llm.tokenCountSource { buffer.addJSONField("token_count_source", source) }
            if let reason = llm.finishReason { buffer.addJSONField("finish_reason", reason) }
            for (key, value) in llm.serverTimings.sorted(by: { $0.key < $1.key }) {
                buffer.addJSONKey(key)
                buffer.appendJSONValue(value, decimals: 9)
            }
            for (key, value) in llm.serverCounts.sorted(by: { $0.key < $1.key }) {
                buffer.addJSONKey(key)
                buffer.appendJSONValue(value)
            }
        }
        buffer.endJSONLine()
    }
}
