import FactoryBenchCore
import Foundation
import NIOCore

/// One in-flight slot of an HTTP client for `http://` URLs, driven by the load engine's
/// polling threads as wrk drives its own: a keep-alive HTTP/1.1 connection opened on first
/// use and again after it closed, the request's bytes made once, the response read to its
/// last byte (`Content-Length`, chunked, or to the connection's close). Subclasses make
/// each request's bytes (`prepare`), read the body as it arrives (`keepsBody`, `received`)
/// and judge the response (`outcome`).
class HTTPPolledSession: SocketSession, PolledSession {
    /// The request line, `Host` and the recipe's headers, each line ended by CRLF.
    let head: String
    var request: [UInt8]
    let expectedStatus: Int
    let expectsBody: Bool
    private(set) var response = ResponseReader()
    /// The body read and not yet taken by `received` (only when `keepsBody`).
    var body: [UInt8] = []
    /// The request in flight went out on a connection that had served one before.
    private var reused = false

    /// A request for `url` (which must be `http://`); nil for any other scheme.
    init?(
        url: String, method: String, headers: [(String, String)], body: String?, expectedStatus: Int,
        timeoutSeconds: Double
    ) {
        guard let parts = URLComponents(string: url), parts.scheme?.lowercased() == "http", let host = parts.host else {
            return nil
        }
        let target =
            (parts.percentEncodedPath.isEmpty ? "/" : parts.percentEncodedPath)
            + (parts.percentEncodedQuery.map { "?" + $0 } ?? "")
        var head = "\(method) \(target) HTTP/1.1\r\n"
        if !headers.contains(where: { $0.0.lowercased() == "host" }) {
            head += "Host: \(host)\(parts.port.map { ":\($0)" } ?? "")\r\n"
        }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        self.head = head
        let sendsBody = body != nil || ["POST", "PUT", "PATCH"].contains(method)
        request = Self.bytes(head: head, body: sendsBody ? Array((body ?? "").utf8) : nil)
        self.expectedStatus = expectedStatus
        expectsBody = method != "HEAD"
        super.init(host: host, port: parts.port ?? 80, timeoutSeconds: timeoutSeconds)
        operation = method
    }

    /// A whole request: the head, `Content-Length` when there is a body, and the body.
    static func bytes(head: String, body: [UInt8]?) -> [UInt8] {
        guard let body else { return Array((head + "\r\n").utf8) }
        return Array((head + "Content-Length: \(body.count)\r\n\r\n").utf8) + body
    }

    /// Sets `request` for request number `index` (the same bytes for every request here).
    func prepare(index: Int) {}

    /// Whether the body's bytes are kept in `body` for `received` and `outcome`.
    var keepsBody: Bool { false }

    /// Some of the body arrived at `time` (in `body`, which this may empty).
    func received(at time: UInt64) {}

    /// The outcome of a response that ended.
    func outcome(status: Int) -> RequestOutcome {
        guard status == expectedStatus else {
            return .failure("HTTP \(status) (expected \(expectedStatus))", operationType: operation, httpStatus: status)
        }
        return RequestOutcome(success: true, httpStatus: status, operationType: operation)
    }

    /// The outcome of a request that failed on its way (`failed(reason)` here).
    func broken(_ reason: String) -> RequestOutcome {
        failed(reason)
    }

    func start(index: Int) -> RequestOutcome? {
        prepare(index: index)
        response = ResponseReader()
        body.removeAll(keepingCapacity: true)
        reused = socket != nil
        return send(request)
    }

    func proceed() -> RequestOutcome? {
        guard let socket else { return nil }
        do {
            guard try socket.flush() else { return nil }
            var closed = false
            do { try socket.receive() } catch let error as SocketError where error.closed { closed = true }
            let now = WallAnchoredClock.monotonicNanoseconds()
            let sink: ((ByteBufferView) -> Void)? = keepsBody ? { [unowned self] in body.append(contentsOf: $0) } : nil
            let ended = try response.read(&socket.input, expectsBody: expectsBody, closed: closed, body: sink)
            if !body.isEmpty { received(at: now) }
            guard ended else {
                guard closed else { return nil }
                // A kept-alive connection the server closed before this request reached it
                // (its idle timeout): sent again once on a new connection, as browsers do.
                if reused && !response.started {
                    self.socket = nil
                    reused = false
                    response = ResponseReader()
                    return send(request)
                }
                throw SocketError("the server closed the connection before the response ended")
            }
            socket.input.discardReadBytes()
            if closed || response.closes { self.socket = nil }
            return outcome(status: response.status)
        } catch {
            return broken("\(error)")
        }
    }

    func abandon() -> RequestOutcome {
        broken("no response within \(timeoutSeconds.formatted(.number)) s (timeout)")
    }
}

/// Reads one HTTP/1.1 response from the front of a buffer: the status line and headers,
/// then the body by its `Content-Length`, its chunks, or up to the connection's close.
/// Works on bytes, never on `String`: this runs once per request.
struct ResponseReader {
    private(set) var status = 0
    /// The server said it closes the connection after this response.
    private(set) var closes = false
    /// Some byte of the response has arrived.
    private(set) var started = false
    private var headRead = false
    private var remaining: Int?
    private var chunked = false
    private var toClose = false

    private static let crlf: [UInt8] = [13, 10]

    /// Consumes what it can; true when the response has ended. The body's bytes go to
    /// `body` as they are read (without chunk framing), or are dropped.
    mutating func read(
        _ buffer: inout ByteBuffer, expectsBody: Bool, closed: Bool, body: ((ByteBufferView) -> Void)? = nil
    ) throws -> Bool {
        if buffer.readableBytes > 0 { started = true }
        if !headRead {
            guard let head = Self.take(through: [13, 10, 13, 10], from: &buffer) else { return false }
            try readHead(head, expectsBody: expectsBody)
        }
        if chunked { return try readChunks(&buffer, body: body) }
        if let remaining {
            let take = min(remaining, buffer.readableBytes)
            Self.consume(take, of: &buffer, into: body)
            self.remaining = remaining - take
            return remaining - take == 0
        }
        if toClose {
            Self.consume(buffer.readableBytes, of: &buffer, into: body)
            return closed
        }
        return true
    }

    private static func consume(_ count: Int, of buffer: inout ByteBuffer, into body: ((ByteBufferView) -> Void)?) {
        if let body, count > 0 { body(buffer.readableBytesView.prefix(count)) }
        buffer.moveReaderIndex(forwardBy: count)
    }

    private mutating func readHead(_ head: [UInt8], expectsBody: Bool) throws {
        var lines = Self.lines(head)
        let statusLine = lines.isEmpty ? [] : Array(lines.removeFirst())
        // "HTTP/1.x NNN …"
        guard statusLine.count >= 12, statusLine.starts(with: Array("HTTP/1.".utf8)), statusLine[8] == 32,
            let code = Self.decimal(statusLine[9..<12])
        else {
            throw SocketError("not an HTTP/1.1 response: \(String(decoding: statusLine.prefix(80), as: UTF8.self))")
        }
        status = code
        headRead = true
        // HTTP/1.0 closes after each response unless it says keep-alive.
        closes = statusLine[7] == UInt8(ascii: "0")
        var length: Int?
        for line in lines {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = line[..<colon]
            let value = Self.trimmed(line[(colon + 1)...])
            if Self.equalsIgnoringCase(name, "content-length") {
                length = Self.decimal(value)
            } else if Self.equalsIgnoringCase(name, "transfer-encoding") {
                chunked = Self.contains(value, "chunked")
            } else if Self.equalsIgnoringCase(name, "connection") {
                closes = Self.contains(value, "close") || (closes && !Self.contains(value, "keep-alive"))
            }
        }
        if !expectsBody || (100..<200).contains(code) || code == 204 || code == 304 {
            remaining = 0
            chunked = false
        } else if !chunked {
            if let length { remaining = length } else { toClose = true }
        }
        if toClose { closes = true }
    }

    /// Chunks: `size CRLF data CRLF` … `0 CRLF [trailers] CRLF`.
    private mutating func readChunks(_ buffer: inout ByteBuffer, body: ((ByteBufferView) -> Void)?) throws -> Bool {
        while true {
            if let remaining, remaining > 0 {
                let take = min(remaining, buffer.readableBytes)
                Self.consume(take, of: &buffer, into: body)
                self.remaining = remaining - take
                if remaining - take > 0 { return false }
            }
            if remaining == 0 {
                // The CRLF after a chunk's data.
                guard buffer.readableBytes >= 2 else { return false }
                buffer.moveReaderIndex(forwardBy: 2)
                remaining = nil
            }
            var copy = buffer
            guard let line = Self.take(through: Self.crlf, from: &copy) else { return false }
            let sizeText = Self.trimmed(line[..<(line.firstIndex(of: UInt8(ascii: ";")) ?? line.endIndex)])
            guard let size = Self.hexadecimal(sizeText) else {
                throw SocketError("bad chunk size '\(String(decoding: sizeText.prefix(20), as: UTF8.self))'")
            }
            if size == 0 {
                // The last chunk, then trailers up to an empty line.
                while true {
                    guard let trailer = Self.take(through: Self.crlf, from: &copy) else { return false }
                    if trailer.isEmpty { break }
                }
                buffer = copy
                return true
            }
            buffer = copy
            remaining = size
        }
    }

    /// The bytes before `marker` (which is consumed too), or nil when the buffer holds no
    /// marker yet.
    static func take(through marker: [UInt8], from buffer: inout ByteBuffer) -> [UInt8]? {
        let found = buffer.withUnsafeReadableBytes { bytes -> Int? in
            guard bytes.count >= marker.count else { return nil }
            var index = 0
            while index <= bytes.count - marker.count {
                if bytes[index] == marker[0] {
                    var match = true
                    for offset in 1..<marker.count where bytes[index + offset] != marker[offset] {
                        match = false
                        break
                    }
                    if match { return index }
                }
                index += 1
            }
            return nil
        }
        guard let found else { return nil }
        let text = buffer.readBytes(length: found) ?? []
        buffer.moveReaderIndex(forwardBy: marker.count)
        return text
    }

    static func lines(_ head: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = head.startIndex
        var index = head.startIndex
        while index < head.endIndex {
            if head[index] == 10 {
                let end = index > start && head[index - 1] == 13 ? index - 1 : index
                if end > start { lines.append(head[start..<end]) }
                start = index + 1
            }
            index += 1
        }
        if start < head.endIndex { lines.append(head[start...]) }
        return lines
    }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 32 || first == 9 { slice = slice.dropFirst() }
        while let last = slice.last, last == 32 || last == 9 { slice = slice.dropLast() }
        return slice
    }

    static func lowercased(_ byte: UInt8) -> UInt8 { (65...90).contains(byte) ? byte + 32 : byte }

    static func equalsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        return word.withUTF8Buffer { lower in zip(bytes, lower).allSatisfy { lowercased($0) == $1 } }
    }

    static func contains(_ bytes: ArraySlice<UInt8>, _ word: StaticString) -> Bool {
        let lower = bytes.map(lowercased)
        return word.withUTF8Buffer { needle in
            guard lower.count >= needle.count else { return false }
            return (0...(lower.count - needle.count)).contains { start in
                lower[start..<(start + needle.count)].elementsEqual(needle)
            }
        }
    }

    static func decimal(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard (48...57).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }

    static func hexadecimal(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 15 else { return nil }
        var value = 0
        for byte in bytes {
            let digit: UInt8
            switch byte {
            case 48...57: digit = byte - 48
            case 97...102: digit = byte - 87
            case 65...70: digit = byte - 55
            default: return nil
            }
            value = value * 16 + Int(digit)
        }
        return value
    }
}
