import FactoryBenchCore
import Foundation
import Synchronization

/// A service that is one long-running command on this machine — `chroma run`, nginx, an
/// OpenAI-compatible server, any HTTP server: started on 127.0.0.1 and a port (the
/// recipe's, else a free one, passed as `$PORT`), probed until it answers, stopped by its
/// PID (its whole process group).
public final class ProcessService: Service {
    public let name: String
    public let arguments: [String]
    public let port: Int
    public let environment: [String: String]
    public let timeoutSeconds: Double
    /// Answers whether the service is ready, given its port.
    let probe: @Sendable (Int) async -> Bool
    /// Asks the ready service for its version, given its port.
    let version: @Sendable (Int) async -> String?
    private let scratch: URL?
    private let process = Mutex<ChildProcess?>(nil)

    init(
        name: String, arguments: [String], port: Int, environment: [String: String] = [:], scratch: URL? = nil,
        timeoutSeconds: Double = 120, probe: @escaping @Sendable (Int) async -> Bool,
        version: @escaping @Sendable (Int) async -> String? = { _ in nil }
    ) {
        self.name = name
        self.arguments = arguments
        self.port = port
        self.environment = environment
        self.scratch = scratch
        self.timeoutSeconds = timeoutSeconds
        self.probe = probe
        self.version = version
    }

    /// A shell command from a recipe, run by `/bin/sh` with `$PORT` and `$HOST` set.
    static func shell(_ command: String) -> [String] {
        ["/bin/sh", "-c", command]
    }

    public func deploy(logDirectory: URL) async throws -> ServiceEndpoint {
        if let scratch { try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true) }
        let log = logDirectory.appendingPathComponent("service.log")
        var environment = environment
        environment["PORT"] = "\(port)"
        environment["HOST"] = "127.0.0.1"
        let child = try ChildProcess.start(arguments, log: log, environment: environment)
        process.withLock { $0 = child }
        let port = port
        let probe = probe
        do {
            try await Readiness.wait(for: name, process: child, log: log, timeoutSeconds: timeoutSeconds) {
                await probe(port)
            }
        } catch {
            try? stop()
            throw error
        }
        return ServiceEndpoint(host: "127.0.0.1", port: port, version: await version(port))
    }

    /// The shell running the recipe's command: the server is in its tree.
    public var processID: Int? { process.withLock { $0.map { Int($0.pid) } } }

    public func stop() throws {
        let child = process.withLock { current -> ChildProcess? in
            defer { current = nil }
            return current
        }
        child?.stop()
        if let scratch, FileManager.default.fileExists(atPath: scratch.path) {
            try FileManager.default.removeItem(at: scratch)
        }
    }
}
