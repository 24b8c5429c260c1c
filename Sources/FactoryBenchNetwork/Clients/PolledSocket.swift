import FactoryBenchCore
import Foundation
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// A non-blocking TCP connection for the load engine's polling threads (`PolledSession`):
/// bytes go out with `send`, the rest waiting for the socket to be writable; bytes come in
/// with `receive` into a buffer that a protocol parser reads from.
final class PolledSocket {
    let descriptor: Int32
    /// Bytes received and not yet parsed.
    var input = ByteBuffer()
    private var output: [UInt8] = []
    private var sent = 0

    /// Connects to `host:port` (an IPv4 or IPv6 address or a name) within `timeoutSeconds`.
    init(host: String, port: Int, timeoutSeconds: Double) throws {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &found)
        guard status == 0, let address = found else {
            throw SocketError("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(found) }
        descriptor = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { throw SocketError("socket: \(Self.lastError())") }
        var on: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        if connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) != 0 {
            // A failed init still runs deinit, which closes the descriptor (closing it here
            // too could close a descriptor that another connection has reused meanwhile).
            guard errno == EINPROGRESS else { throw SocketError("connect to \(host):\(port): \(Self.lastError())") }
            var waiting = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&waiting, 1, Int32(max(timeoutSeconds, 0.001) * 1000))
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &failure, &length)
            guard ready == 1, failure == 0 else {
                let reason = ready == 1 ? String(cString: strerror(failure)) : "timed out after \(timeoutSeconds) s"
                throw SocketError("connect to \(host):\(port): \(reason)")
            }
        }
    }

    deinit {
        Glibc.close(descriptor)
    }

    /// What to wait for: writable while bytes are still going out, else readable.
    var events: Int16 { sent < output.count ? Int16(POLLOUT) : Int16(POLLIN) }

    /// Sends `bytes` (after anything still unsent); what the socket does not take now goes
    /// out on later `flush` calls.
    func send(_ bytes: [UInt8]) throws {
        if sent == output.count {
            output = bytes
            sent = 0
        } else {
            output.append(contentsOf: bytes)
        }
        try flush()
    }

    /// Sends what is still waiting; true when nothing is left.
    @discardableResult
    func flush() throws -> Bool {
        while sent < output.count {
            let count = output.withUnsafeBytes { buffer in
                Glibc.send(descriptor, buffer.baseAddress! + sent, buffer.count - sent, Int32(MSG_NOSIGNAL))
            }
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK { return false }
                if errno == EINTR { continue }
                throw SocketError("send: \(Self.lastError())")
            }
            sent += count
        }
        return true
    }

    /// Reads what has arrived into `input`; throws when the peer closed the connection.
    func receive() throws {
        while true {
            input.reserveCapacity(minimumWritableBytes: 16 << 10)
            var count = 0
            input.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { buffer in
                count = recv(descriptor, buffer.baseAddress, buffer.count, 0)
                return max(count, 0)
            }
            if count > 0 { return }
            if count == 0 { throw SocketError("the server closed the connection", closed: true) }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return }
            throw SocketError("recv: \(Self.lastError())")
        }
    }

    static func lastError() -> String { String(cString: strerror(errno)) }
}

/// What the polled sessions over a `PolledSocket` share: a connection opened on first use
/// and dropped after a failure (a reply may still be on its way), a request's bytes sent on
/// it, and the operation its record is filed under.
class SocketSession {
    let host: String
    let port: Int
    let timeoutSeconds: Double
    var socket: PolledSocket?
    var operation = ""

    init(host: String, port: Int, timeoutSeconds: Double) {
        self.host = host
        self.port = port
        self.timeoutSeconds = timeoutSeconds
    }

    var waitingFor: (descriptor: Int32, events: Int16) { (socket?.descriptor ?? -1, socket?.events ?? 0) }

    /// Sends a request, connecting first when needed; a failure's outcome, or nil.
    func send(_ bytes: [UInt8]) -> RequestOutcome? {
        do {
            if socket == nil { socket = try PolledSocket(host: host, port: port, timeoutSeconds: timeoutSeconds) }
            try socket?.send(bytes)
            return nil
        } catch {
            return failed("\(error)")
        }
    }

    func failed(_ reason: String) -> RequestOutcome {
        socket = nil
        return .failure(reason, operationType: operation)
    }

    func close() {
        socket = nil
    }
}

struct SocketError: Error, CustomStringConvertible {
    var description: String
    /// The peer closed the connection (an orderly end, which some protocols use).
    var closed = false

    init(_ description: String, closed: Bool = false) {
        self.description = description
        self.closed = closed
    }
}
