import FactoryBenchCore
import Foundation
import Synchronization

/// Redis started for one run: `redis-server` on 127.0.0.1 and a free port with persistence
/// off unless the settings ask for the append-only file; stopped by its PID.
public final class RedisService: Service {
    public let settings: [String: SettingValue]
    public let requestedPort: Int?
    public let readyTimeoutSeconds: Double
    private let state = Mutex<(process: ChildProcess, directory: URL)?>(nil)

    public init(settings: [String: SettingValue], port: Int?, readyTimeoutSeconds: Double = 30) {
        self.settings = settings
        self.requestedPort = port
        self.readyTimeoutSeconds = readyTimeoutSeconds
    }

    public func deploy(logDirectory: URL) async throws -> ServiceEndpoint {
        guard ChildProcess.resolve("redis-server") != nil else {
            throw ServiceError.missingProgram(
                service: "redis", program: "redis-server", hint: "install it (apt-get install redis-server)")
        }
        let port = try requestedPort ?? Readiness.freePort()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "factorybench-redis-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var arguments = [
            "redis-server", "--bind", "127.0.0.1", "--port", "\(port)", "--save", "", "--dir", directory.path,
            "--appendonly", settings["appendonly"]?.boolValue == true ? "yes" : "no",
        ]
        if let limit = settings["maxmemory"]?.stringValue { arguments += ["--maxmemory", limit] }
        if let policy = settings["maxmemory_policy"]?.stringValue { arguments += ["--maxmemory-policy", policy] }
        let log = logDirectory.appendingPathComponent("service.log")
        let process = try ChildProcess.start(arguments, log: log)
        state.withLock { $0 = (process, directory) }
        do {
            try await Readiness.wait(for: "redis", process: process, log: log, timeoutSeconds: readyTimeoutSeconds) {
                guard let connection = try? await RESPConnection.connect(host: "127.0.0.1", port: port, timeoutSeconds: 1)
                else { return false }
                let reply = try? await connection.send([Array("PING".utf8)])
                await connection.close()
                return reply == .simple("PONG")
            }
            return ServiceEndpoint(host: "127.0.0.1", port: port, version: try await Self.version(port: port))
        } catch {
            try? stop()
            throw error
        }
    }

    /// "Redis 7.0.15", from INFO server.
    static func version(port: Int) async throws -> String {
        let connection = try await RESPConnection.connect(host: "127.0.0.1", port: port)
        let reply = try? await connection.send([Array("INFO".utf8), Array("server".utf8)])
        await connection.close()
        guard case .bulk(let bytes?) = reply else { return "Redis" }
        let line = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
            .first { $0.hasPrefix("redis_version:") }
        return "Redis " + (line.map { String($0.dropFirst("redis_version:".count)) } ?? "")
    }

    /// The server's process id while it runs.
    public var pid: pid_t? { state.withLock { $0?.process.pid } }
    public var processID: Int? { pid.map(Int.init) }

    public func stop() throws {
        guard
            let (process, directory) = state.withLock({ current in
                defer { current = nil }
                return current
            })
        else { return }
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
