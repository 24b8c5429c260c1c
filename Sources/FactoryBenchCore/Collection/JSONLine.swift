/// Builds one JSON object on one line, field by field, without Foundation: the record
/// writer's hot path (one line per request).
public struct JSONLine: Sendable {
    private var bytes: [UInt8]
    private var empty = true

    public init() {
        bytes = [UInt8(ascii: "{")]
        bytes.reserveCapacity(320)
    }

    private mutating func key(_ key: String) {
        if !empty { bytes.append(UInt8(ascii: ",")) }
        empty = false
        Self.appendQuoted(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    public mutating func add(_ name: String, _ value: String) {
        key(name)
        Self.appendQuoted(value, to: &bytes)
    }

    public mutating func add(_ name: String, _ value: Int) {
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    public mutating func add(_ name: String, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// A number with a fixed count of decimals (6 for timestamps: microseconds; 9 for
    /// latencies: nanoseconds). Non-finite values become `null`, as JSON has no NaN.
    public mutating func add(_ name: String, _ value: Double, decimals: Int) {
        key(name)
        Self.appendFixed(value, decimals: decimals, to: &bytes)
    }

    /// An array of numbers, each with a fixed count of decimals.
    public mutating func add(_ name: String, _ values: [Double], decimals: Int) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            Self.appendFixed(value, decimals: decimals, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// The finished line, newline included (consuming: the line's bytes become it, uncopied).
    public consuming func finished() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        bytes.append(UInt8(ascii: "\n"))
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
        bytes.append(contentsOf: String(units / divisor).utf8)
        guard decimals > 0 else { return }
        bytes.append(UInt8(ascii: "."))
        let fraction = String(units % divisor)
        for _ in 0..<(decimals - fraction.utf8.count) { bytes.append(UInt8(ascii: "0")) }
        bytes.append(contentsOf: fraction.utf8)
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

extension RequestRecord {
    /// The record as one JSONL line, in the field names of DESIGN.md.
    public func jsonLine() -> [UInt8] {
        var line = JSONLine()
        line.add("request_id", requestID)
        if let clientID { line.add("client_id", clientID) }
        line.add("service_type", serviceType)
        line.add("timestamp_start", timestampStart, decimals: 6)
        line.add("timestamp_end", timestampEnd, decimals: 6)
        if let timestampIntended { line.add("timestamp_intended", timestampIntended, decimals: 6) }
        line.add("latency_s", latencySeconds, decimals: 9)
        line.add("success", success)
        if let operationType { line.add("operation_type", operationType) }
        if let queryType { line.add("query_type", queryType) }
        if let rowsAffected { line.add("rows_affected", rowsAffected) }
        if let httpStatus { line.add("http_status", httpStatus) }
        if let error { line.add("error", error) }
        if dropped { line.add("dropped", true) }
        if let phase { line.add("phase", phase) }
        if let recall { line.add("recall", recall, decimals: 6) }
        if let topK { line.add("top_k", topK) }
        if let batchSize { line.add("batch_size", batchSize) }
        if let dimension { line.add("dimension", dimension) }
        if let bytes { line.add("bytes", bytes) }
        if let exitCode { line.add("exit_code", exitCode) }
        if let output { line.add("output", output) }
        if let attempt { line.add("attempt", attempt) }
        if retried { line.add("retried", true) }
        if let llm {
            if let model = llm.model { line.add("model", model) }
            if let ttft = llm.ttftSeconds { line.add("ttft_s", ttft, decimals: 9) }
            if !llm.itlSeconds.isEmpty { line.add("itl_s", llm.itlSeconds, decimals: 9) }
            if let tokens = llm.outputTokens { line.add("output_tokens", tokens) }
            if let tokens = llm.inputTokens { line.add("input_tokens", tokens) }
            if let source = llm.tokenCountSource { line.add("token_count_source", source) }
            if let reason = llm.finishReason { line.add("finish_reason", reason) }
            for (key, value) in llm.serverTimings.sorted(by: { $0.key < $1.key }) { line.add(key, value, decimals: 9) }
            for (key, value) in llm.serverCounts.sorted(by: { $0.key < $1.key }) { line.add(key, value) }
        }
        return line.finished()
    }
}
