import FactoryBenchCore
import Foundation
import Logging
import NIOPosix
import PostgresNIO
import Synchronization

/// PostgreSQL started for one run: `initdb` into a temporary directory, `pg_ctl start` on
/// 127.0.0.1 and a free port (as the `postgres` user when FactoryBench runs as root, since
/// PostgreSQL refuses root), the run's database created; `stop()` runs `pg_ctl stop`, which
/// signals the server by the PID in its pid file, and removes the directory.
public final class PostgresService: Service {
    public let settings: [String: SettingValue]
    public let requestedPort: Int?
    public let readyTimeoutSeconds: Double
    private let state = Mutex<Running?>(nil)

    struct Running: Sendable {
        var dataDirectory: URL
        var removeDataDirectory: Bool
        var binaries: URL
        var log: URL
    }

    public init(settings: [String: SettingValue], port: Int?, readyTimeoutSeconds: Double = 120) {
        self.settings = settings
        self.requestedPort = port
        self.readyTimeoutSeconds = readyTimeoutSeconds
    }

    var databaseName: String { settings["db_name"]?.stringValue ?? "benchmark" }

    public func deploy(logDirectory: URL) async throws -> ServiceEndpoint {
        guard let binaries = Self.binaries() else {
            throw ServiceError.missingProgram(
                service: "postgres", program: "pg_ctl",
                hint: "install PostgreSQL (apt-get install postgresql) or put its bin directory on PATH")
        }
        let log = logDirectory.appendingPathComponent("service.log")
        let given = settings["data_dir"]?.stringValue
        let dataDirectory = URL(
            fileURLWithPath: given
                ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                    "factorybench-pg-\(UUID().uuidString.prefix(8))"
                ).path)
        let running = Running(
            dataDirectory: dataDirectory, removeDataDirectory: given == nil, binaries: binaries, log: log)
        state.withLock { $0 = running }
        let port = try requestedPort ?? Readiness.freePort()
        let user = Self.runAs
        do {
            if !FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) {
                try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
                if let user { try await ChildProcess.run(["chown", user, dataDirectory.path], log: log) }
                try await ChildProcess.run(
                    Self.userPrefix(user) + [
                        binaries.appendingPathComponent("initdb").path, "-D", dataDirectory.path, "-U", "postgres",
                        "--auth=\(settings["auth"]?.stringValue ?? "trust")", "-E", "UTF8", "--no-locale",
                    ], log: log)
            }
            var options = "-c listen_addresses=127.0.0.1 -p \(port) -k \(dataDirectory.path)"
            for (key, value) in (settings["tuning"]?.mapValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                options += " -c \(Self.word(key))=\(Self.word(RecipePlan.scalar(value)))"
            }
            try await ChildProcess.run(
                Self.userPrefix(user) + [
                    binaries.appendingPathComponent("pg_ctl").path, "-D", dataDirectory.path, "-w", "-t",
                    "\(Int(readyTimeoutSeconds.rounded(.up)))", "-o",
                    options, "start",
                ], log: log)
            let version = try await Self.createDatabase(host: "127.0.0.1", port: port, name: databaseName)
            return ServiceEndpoint(host: "127.0.0.1", port: port, version: version)
        } catch {
            try? stop()
            throw error
        }
    }

    /// Creates the run's database (when missing) and returns the server's version.
    static func createDatabase(host: String, port: Int, name databaseName: String) async throws -> String {
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(),
            configuration: PostgresClient.configuration(port: port, database: "postgres", host: host), id: 0,
            logger: Self.logger)
        do {
            var version = "PostgreSQL"
            for try await (text) in try await connection.query("SHOW server_version", logger: Self.logger)
                .decode(String.self)
            {
                version = "PostgreSQL \(text)"
            }
            var exists = false
            for try await _ in try await connection.query(
                "SELECT 1 FROM pg_database WHERE datname = \(databaseName)", logger: Self.logger)
            {
                exists = true
            }
            if !exists {
                _ = try await connection.query(
                    PostgresQuery(unsafeSQL: "CREATE DATABASE \(PostgresClient.identifier(databaseName))"),
                    logger: Self.logger)
            }
            try await connection.close()
            return version
        } catch {
            try? await connection.close()
            throw ServiceError.setupFailed(service: "postgres", reason: PostgresClient.describe(error))
        }
    }

    /// The postmaster, from the first line of `postmaster.pid` (`pg_ctl` started it, so
    /// it is no child of ours); its tree holds every backend.
    public var processID: Int? {
        guard let directory = state.withLock({ $0?.dataDirectory }),
            let text = try? String(contentsOf: directory.appendingPathComponent("postmaster.pid"), encoding: .utf8)
        else { return nil }
        return text.split(separator: "\n").first.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    public func stop() throws {
        guard
            let running = state.withLock({ current -> Running? in
                defer { current = nil }
                return current
            })
        else { return }
        if FileManager.default.fileExists(atPath: running.dataDirectory.appendingPathComponent("postmaster.pid").path) {
            _ = try? ChildProcess.run(
                Self.userPrefix(Self.runAs) + [
                    running.binaries.appendingPathComponent("pg_ctl").path, "-D", running.dataDirectory.path, "-m",
                    "fast", "-w", "stop",
                ], log: running.log)
        }
        if running.removeDataDirectory, FileManager.default.fileExists(atPath: running.dataDirectory.path) {
            try FileManager.default.removeItem(at: running.dataDirectory)
        }
    }

    static let logger = Logger(label: "factorybench.postgres")

    /// PostgreSQL refuses to run as root: then every server command runs as `postgres`.
    static var runAs: String? { getuid() == 0 ? "postgres" : nil }

    static func userPrefix(_ user: String?) -> [String] {
        user.map { ["runuser", "-u", $0, "--"] } ?? []
    }

    /// The directory of `pg_ctl`: on PATH, else the newest /usr/lib/postgresql/*/bin.
    static func binaries() -> URL? {
        if let onPath = ChildProcess.resolve("pg_ctl") {
            return URL(fileURLWithPath: onPath).deletingLastPathComponent()
        }
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return versions.compactMap(Int.init).sorted().last.map {
            root.appendingPathComponent("\($0)/bin")
        }.flatMap { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("pg_ctl").path) ? $0 : nil }
    }

    /// Keeps a recipe value that goes into a server option to one safe word.
    static func word(_ value: String) -> String {
        String(value.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || "_.-".unicodeScalars.contains($0) })
    }
}
