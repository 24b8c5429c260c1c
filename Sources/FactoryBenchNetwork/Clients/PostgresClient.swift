import FactoryBenchCore
import Foundation
import Logging
import NIOPosix
import PostgresNIO
import Synchronization

/// `postgres_smoke` and `postgres_stress` over libpq: one connection per in-flight slot,
/// driven by the load engine's polling threads as pgbench drives its own, statements
/// prepared once per connection, no `psql` process per request.
/// (The table is made ready with postgres-nio, as the service is.)
///
/// `postgres_smoke` sends its `query`. `postgres_stress` sends inserts, point lookups, range
/// scans, aggregations and updates: in the proportions of `mix` when set, else — the seed's
/// meaning — `num_inserts` inserts followed by `num_selects` point lookups, repeated.
public struct PostgresClient: LoadClient {
    public let kind: ClientType
    public let settings: [String: SettingValue]
    public let plan: LoadPlan
    let databaseName: String
    let table: String
    let initialRows: Int
    let rangeSize: Int
    let payload: String
    let seed: UInt64
    /// `mix` as cumulative weights, or `nil` for the seed's rounds of inserts then selects.
    let mix: [(operation: DatabaseOperation, upTo: Double)]?
    let rounds: (inserts: Int, selects: Int)
    let requestTimeoutSeconds: Double
    private let shared: Shared

    /// What every slot of every client shares: the highest row id so far, for key choice.
    final class Shared: Sendable {
        let highestID = Atomic<Int>(0)
    }

    public init(kind: ClientType, settings: [String: SettingValue], load: [String: SettingValue]) {
        self.kind = kind
        self.settings = settings
        let fallback: Int
        if kind == .postgresStress {
            fallback = (settings["num_inserts"]?.intValue ?? 0) + (settings["num_selects"]?.intValue ?? 0)
        } else {
            fallback = 10
        }
        plan = LoadPlan(load: load, defaultMeasured: LoadPlan.measuredWindow(settings: settings, fallback: fallback))
        databaseName = settings["db_name"]?.stringValue ?? "benchmark"
        table = Self.plainName(settings["table_name"]?.stringValue ?? "stress_test")
        initialRows = settings["initial_rows"]?.intValue ?? 1000
        rangeSize = settings["range_size"]?.intValue ?? 100
        payload = String(repeating: "x", count: settings["payload_bytes"]?.intValue ?? 100)
        seed = UInt64(truncatingIfNeeded: settings["seed"]?.intValue ?? 42)
        mix = settings["mix"]?.mapValue.map(DatabaseOperation.cumulativeWeights)
        rounds = (settings["num_inserts"]?.intValue ?? 0, settings["num_selects"]?.intValue ?? 0)
        requestTimeoutSeconds = settings["request_timeout"]?.doubleValue ?? 30
        shared = Shared()
    }

    public func prepare(endpoint: ServiceEndpoint) async throws {
        guard kind == .postgresStress else { return }
        let connection = try await Self.connect(endpoint: endpoint, database: databaseName, id: -1)
        do {
            for statement in [
                """
                CREATE TABLE IF NOT EXISTS \(table) (
                    id BIGSERIAL PRIMARY KEY, client_id BIGINT NOT NULL, bucket BIGINT NOT NULL,
                    value BIGINT NOT NULL, payload TEXT NOT NULL)
                """,
                "CREATE INDEX IF NOT EXISTS \(table)_bucket ON \(table)(bucket)",
                """
                INSERT INTO \(table)(client_id, bucket, value, payload)
                SELECT -1, g % 100, (g * 7919) % 1000000, repeat('x', \(payload.utf8.count))
                FROM generate_series(1, \(initialRows)) AS g
                """,
                // As `pgbench -i` does: the load's aftermath (hint bits, visibility map,
                // statistics, an autovacuum of the new rows) is not left to the measured phase.
                "VACUUM ANALYZE \(table)",
            ] {
                _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: Self.logger)
            }
            var highest = 0
            for try await value in try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT COALESCE(max(id), 0) FROM \(table)"), logger: Self.logger
            ).decode(Int.self) {
                highest = value
            }
            shared.highestID.store(highest, ordering: .relaxed)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw ExecutionError.clientFailed(clientID: nil, reason: "preparing table \(table): \(Self.describe(error))")
        }
    }

    public func run(clientID: Int, endpoint: ServiceEndpoint, context: ClientContext) async throws {
        try await LoadPlan.waitWarmupDelay(settings: settings)
        let client = self
        try await LoadEngine(plan: plan, serviceType: "postgres").run(
            clientID: clientID, context: context,
            polled: { _ in PostgresSession(client: client, endpoint: endpoint, clientID: clientID) })
    }

    /// The operation of request `index` of a client.
    func operation(clientID: Int, index: Int) -> DatabaseOperation {
        if let mix {
            var random = SeededGenerator(seed: seed ^ (UInt64(clientID) << 40) ^ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
            return DatabaseOperation.pick(from: mix, using: &random)
        }
        guard rounds.inserts + rounds.selects > 0 else { return .pointLookup }
        return index % (rounds.inserts + rounds.selects) < rounds.inserts ? .insert : .pointLookup
    }

    /// The SQL of an operation on the client's table.
    func sql(_ operation: DatabaseOperation) -> String {
        switch operation {
        case .insert: return "INSERT INTO \(table)(client_id, bucket, value, payload) VALUES ($1, $2, $3, $4) RETURNING id"
        case .pointLookup: return "SELECT id, bucket, value, payload FROM \(table) WHERE id = $1"
        case .rangeScan: return "SELECT id, value FROM \(table) WHERE id BETWEEN $1 AND $2"
        case .aggregation:
            return "SELECT bucket, count(*), avg(value), max(value) FROM \(table) WHERE id BETWEEN $1 AND $2 GROUP BY bucket"
        case .update: return "UPDATE \(table) SET value = value + 1 WHERE id = $1 RETURNING id"
        }
    }

    /// The parameters of request `index` as text, drawn from the seeded generator: each
    /// appended to `bytes` and ended by a NUL (C strings for libpq), its start in `starts`.
    func appendParameters(
        _ operation: DatabaseOperation, clientID: Int, index: Int, to bytes: inout [UInt8], starts: inout [Int]
    ) {
        var random = SeededGenerator(seed: seed &+ UInt64(clientID) &* 0x9E37_79B9 &+ UInt64(index) << 20)
        let highest = max(shared.highestID.load(ordering: .relaxed), 1)
        let id = Int64.random(in: 1...Int64(highest), using: &random)
        func add(_ number: Int64) {
            starts.append(bytes.count)
            bytes.appendDecimal(Int(number))
            bytes.append(0)
        }
        switch operation {
        case .insert:
            add(Int64(clientID))
            add(id % 100)
            add(Int64(index))
            starts.append(bytes.count)
            bytes.append(contentsOf: payload.utf8)
            bytes.append(0)
        case .pointLookup, .update: add(id)
        case .rangeScan:
            add(id)
            add(id + Int64(rangeSize) - 1)
        case .aggregation:
            add(id)
            add(id + Int64(rangeSize) * 10 - 1)
        }
    }

    func noteInsert() {
        shared.highestID.add(1, ordering: .relaxed)
    }

    static let logger = Logger(label: "factorybench.postgres")

    static func configuration(port: Int, database: String, host: String = "127.0.0.1") -> PostgresConnection.Configuration {
        PostgresConnection.Configuration(
            host: host, port: port, username: "postgres", password: nil, database: database, tls: .disable)
    }

    static func connect(endpoint: ServiceEndpoint, database: String, id: Int) async throws -> PostgresConnection {
        try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(),
            configuration: configuration(port: endpoint.port ?? 5432, database: database, host: endpoint.host ?? "127.0.0.1"),
            id: id, logger: logger)
    }

    /// Keeps only letters, digits and `_` of a recipe value spliced into SQL as a name.
    static func plainName(_ value: String) -> String {
        String(value.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || $0 == "_" })
    }

    /// A double-quoted SQL identifier.
    static func identifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// What went wrong, in the server's words when it sent any (postgres-nio hides them from
    /// `description` on purpose).
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] {
            return [error.serverInfo?[.sqlState], message].compactMap { $0 }.joined(separator: ": ")
        }
        let underlying = error.underlying.map { ": \($0)" } ?? ""
        return "\(error.code.description)\(underlying)"
    }
}
