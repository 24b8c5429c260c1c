import Foundation

/// Reads JSONL request files line by line, tolerating the seed's variants (integer
/// timestamps, header lines, `operation` for `operation_type`, numeric `request_id`).
///
/// A line that is not a usable record is never fatal and never silently dropped: it is
/// counted by reason in `skipped`, and the first few are kept with file and line number.
public struct RequestFileReader {
    public private(set) var skipped = SkippedLines()

    public init() {}

    /// Calls `body` with every valid record of `url`, in file order.
    public mutating func read(_ url: URL, _ body: (RequestRecord) -> Void) throws {
        guard let file = FileHandle(forReadingAtPath: url.path) else {
            throw CollectionError.cannotRead(path: url.path, reason: "the file does not exist or is not readable")
        }
        defer { try? file.close() }
        let decoder = JSONDecoder()
        var pending = Data()
        var lineNumber = 0
        let name = url.lastPathComponent
        func handle(line: Data) {
            lineNumber += 1
            guard !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) else { return }
            do {
                let decoded = try decoder.decode(DecodedLine.self, from: line)
                switch decoded.kind {
                case .header: return
                case .record(let record): body(record)
                case .invalid(let reason): skipped.add(reason: reason, file: name, line: lineNumber)
                }
            } catch {
                skipped.add(reason: "not a JSON object", file: name, line: lineNumber)
            }
        }
        while let chunk = try file.read(upToCount: 1 << 22), !chunk.isEmpty {
            pending.append(chunk)
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                handle(line: pending[start..<newline])
                start = pending.index(after: newline)
            }
            pending = Data(pending[start...])
        }
        if !pending.isEmpty {
            lineNumber += 1
            skipped.add(reason: "truncated last line (no newline)", file: name, line: lineNumber)
        }
    }
}

/// Lines of request files that were not used, by reason, with the first few kept.
public struct SkippedLines: Sendable, Codable, Equatable {
    public var total = 0
    public var byReason: [String: Int] = [:]
    public var examples: [SkippedLine] = []

    public init() {}

    public static let exampleLimit = 10

    enum CodingKeys: String, CodingKey {
        case total
        case byReason = "by_reason"
        case examples
    }

    mutating func add(reason: String, file: String, line: Int) {
        total += 1
        byReason[reason, default: 0] += 1
        if examples.count < Self.exampleLimit {
            examples.append(SkippedLine(file: file, line: line, reason: reason))
        }
    }
}

/// One skipped line: where it was and why.
public struct SkippedLine: Sendable, Codable, Equatable {
    public var file: String
    public var line: Int
    public var reason: String
}

/// One decoded line of a request file: a header, a record, or the reason it is neither.
private struct DecodedLine: Decodable {
    enum Kind {
        case header
        case record(RequestRecord)
        case invalid(String)
    }

    var kind: Kind

    private enum Key: String, CodingKey {
        case requestID = "request_id"
        case clientID = "client_id"
        case serviceType = "service_type"
        case timestampStart = "timestamp_start"
        case timestampEnd = "timestamp_end"
        case latency = "latency_s"
        case success, error
        case httpStatus = "http_status"
        case operationType = "operation_type"
        case operation
        case queryType = "query_type"
        case rowsAffected = "rows_affected"
        case benchmarkID = "benchmark_id"
    }

    init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: Key.self)
        guard fields.contains(.timestampStart) || fields.contains(.latency) else {
            kind = fields.contains(.benchmarkID) ? .header : .invalid("missing timestamp_start and latency_s")
            return
        }
        guard let start = try? fields.decode(Double.self, forKey: .timestampStart),
            let end = try? fields.decode(Double.self, forKey: .timestampEnd)
        else {
            kind = .invalid("timestamp_start or timestamp_end missing or not a number")
            return
        }
        guard let latency = try? fields.decode(Double.self, forKey: .latency), latency.isFinite, latency >= 0 else {
            kind = .invalid("latency_s missing, negative or not a number")
            return
        }
        guard let success = try? fields.decode(Bool.self, forKey: .success) else {
            kind = .invalid("success missing or not true/false")
            return
        }
        let requestID =
            (try? fields.decode(String.self, forKey: .requestID))
            ?? (try? fields.decode(Int.self, forKey: .requestID)).map(String.init) ?? ""
        let operation =
            (try? fields.decodeIfPresent(String.self, forKey: .operationType))
            ?? (try? fields.decodeIfPresent(String.self, forKey: .operation))
        kind = .record(
            RequestRecord(
                requestID: requestID,
                clientID: try? fields.decodeIfPresent(Int.self, forKey: .clientID),
                serviceType: (try? fields.decodeIfPresent(String.self, forKey: .serviceType)) ?? "unknown",
                timestampStart: start, timestampEnd: end, latencySeconds: latency, success: success,
                error: try? fields.decodeIfPresent(String.self, forKey: .error),
                httpStatus: try? fields.decodeIfPresent(Int.self, forKey: .httpStatus),
                operationType: operation ?? nil,
                queryType: try? fields.decodeIfPresent(String.self, forKey: .queryType),
                rowsAffected: try? fields.decodeIfPresent(Int.self, forKey: .rowsAffected)))
    }
}
