import AsyncHTTPClient
import FactoryBenchCore
import Foundation
import NIOCore
import NIOPosix

/// Waiting until a service answers, and the checks that say it does.
public enum Readiness {
    /// Polls `probe` every 100 ms until it returns true, the process ends or `timeout`
    /// passes; fails with what happened and the end of the service's log.
    static func wait(
        for service: String, process: ChildProcess?, log: URL?, timeoutSeconds: Double,
        probe: @Sendable () async -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeoutSeconds * 1000))
        while ContinuousClock.now < deadline {
            if await probe() { return }
            if let process, !process.isRunning {
                throw ServiceError.exited(service: service, logTail: log.map { ChildProcess.tail(of: $0) } ?? "")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ServiceError.notReady(
            service: service, seconds: timeoutSeconds, logTail: log.map { ChildProcess.tail(of: $0) } ?? "")
    }

    /// Whether a TCP connection to host:port opens.
    static func acceptsConnections(host: String, port: Int) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(1))
                .connect(host: host, port: port).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }

    /// The status and body of a GET, or `nil` when no answer came.
    static func get(_ url: String, timeoutSeconds: Int64 = 2) async -> (status: Int, body: String)? {
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(timeoutSeconds))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), String(buffer: body))
        } catch {
            return nil
        }
    }

    /// A TCP port on 127.0.0.1 that nothing listens on now (the kernel picks it).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServiceError.noFreePort(reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else { throw ServiceError.noFreePort(reason: String(cString: strerror(errno))) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Why a local service could not be started.
public enum ServiceError: LocalizedError, Equatable {
    case exited(service: String, logTail: String)
    case notReady(service: String, seconds: Double, logTail: String)
    case noFreePort(reason: String)
    case missingProgram(service: String, program: String, hint: String)
    case missingCommand(service: String)
    case setupFailed(service: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .exited(let service, let logTail):
            return "the \(service) server exited before it answered" + Self.quote(logTail)
        case .notReady(let service, let seconds, let logTail):
            return "the \(service) server did not answer within \(Int(seconds)) s" + Self.quote(logTail)
        case .noFreePort(let reason):
            return "could not find a free TCP port on 127.0.0.1: \(reason)"
        case .missingProgram(let service, let program, let hint):
            return "the \(service) service needs '\(program)', which was not found; \(hint)"
        case .missingCommand(let service):
            return "a local \(service) service needs service.command (the command that starts it; "
                + "$PORT holds the port it should listen on) and service.port or a free port chosen for it"
        case .setupFailed(let service, let reason):
            return "setting up the \(service) service failed: \(reason)"
        }
    }

    private static func quote(_ logTail: String) -> String {
        logTail.isEmpty ? "" : "; the end of its log:\n\(logTail)"
    }
}
