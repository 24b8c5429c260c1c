import Dispatch
import Foundation
import Synchronization

/// `sqlite_stress`: each in-flight slot opens its own connection to the shared database
/// file and sends a weighted mix of point inserts, point lookups, range scans, aggregations
/// and updates, through the load engine like every other client (so every `load:` key —
/// open loop, concurrency, warm-up, cool-down, ramp-up — works here too).
public struct SQLiteStressClient: LoadClient {
    public let settings: [String: SettingValue]
    public let serviceSettings: [String: SettingValue]
    public let plan: LoadPlan

    /// `settings.duration`, the seed's own key, is read as `load.duration` when `load:`
    /// sets neither a count nor a duration.
    public init(settings: [String: SettingValue], serviceSettings: [String: SettingValue], load: [String: SettingValue]) {
        self.settings = settings
        self.serviceSettings = serviceSettings
        plan = LoadPlan(load: load, defaultMeasured: LoadPlan.measuredWindow(settings: settings, fallback: 1000))
    }

    var table: String { SQLiteService.identifier(settings["table_name"]?.stringValue ?? "stress_test") }
    var initialRows: Int { settings["initial_rows"]?.intValue ?? 10000 }
    var rangeSize: Int64 { Int64(settings["range_size"]?.intValue ?? 100) }
    var payload: String { String(repeating: "x", count: settings["payload_bytes"]?.intValue ?? 100) }
    var seed: UInt64 { UInt64(truncatingIfNeeded: settings["seed"]?.intValue ?? 42) }

    public func prepare(endpoint: ServiceEndpoint) async throws {
        let connection = try SQLiteService.connect(path: try databasePath(endpoint), settings: serviceSettings)
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS \(table) (
                id INTEGER PRIMARY KEY, client_id INTEGER NOT NULL, bucket INTEGER NOT NULL,
                value INTEGER NOT NULL, payload TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS \(table)_bucket ON \(table)(bucket);
            """)
        try connection.execute("BEGIN;")
        let insert = try connection.prepare("INSERT INTO \(table)(client_id, bucket, value, payload) VALUES (-1, ?, ?, ?);")
        var random = SeededGenerator(seed: seed)
        for _ in 0..<initialRows {
            insert.bind([Int64.random(in: 0..<100, using: &random), Int64.random(in: 0..<1_000_000, using: &random)])
            insert.bind(text: payload, at: 3)
            try insert.run()
        }
        try connection.execute("COMMIT;")
    }

    public func run(clientID: Int, endpoint: ServiceEndpoint, context: ClientContext) async throws {
        let path = try databasePath(endpoint)
        let shared = SQLiteSession.Shared(
            client: self, clientID: clientID, mix: DatabaseOperation.cumulativeWeights(settings["mix"]?.mapValue ?? [:]),
            highestID: Int64(initialRows))
        try await LoadEngine(plan: plan, serviceType: "sqlite").run(clientID: clientID, context: context) { slot in
            SQLiteSession(shared: shared, path: path, slot: slot)
        }
    }

    private func databasePath(_ endpoint: ServiceEndpoint) throws -> String {
        guard let path = endpoint.path else {
            throw ExecutionError.clientFailed(clientID: nil, reason: "the SQLite service reported no database path")
        }
        return path
    }
}

/// One in-flight slot of `sqlite_stress`: a connection with its prepared statements, used
/// only on the slot's own serial queue, since SQLite calls block (a busy database waits up
/// to `busy_timeout_ms`) and must not hold a thread of the cooperative pool.
final class SQLiteSession: RequestSession, @unchecked Sendable {
    /// What the slots of one client share: its settings and the highest row id so far.
    final class Shared: Sendable {
        let table: String
        let serviceSettings: [String: SettingValue]
        let clientID: Int
        let mix: [(operation: DatabaseOperation, upTo: Double)]
        let seed: UInt64
        let rangeSize: Int64
        let payload: String
        let highestID: Atomic<Int64>

        init(client: SQLiteStressClient, clientID: Int, mix: [(operation: DatabaseOperation, upTo: Double)], highestID: Int64) {
            table = client.table
            serviceSettings = client.serviceSettings
            self.clientID = clientID
            self.mix = mix
            seed = client.seed
            rangeSize = client.rangeSize
            payload = client.payload
            self.highestID = Atomic(highestID)
        }
    }

    private let shared: Shared
    private let path: String
    private let queue: DispatchQueue
    // Touched only on `queue`.
    private var statements: Result<Statements, any Error>?

    init(shared: Shared, path: String, slot: Int) {
        self.shared = shared
        self.path = path
        queue = DispatchQueue(label: "factorybench.sqlite.c\(shared.clientID).s\(slot)")
    }

    func send(index: Int) async -> RequestOutcome {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.perform(index: index)) }
        }
    }

    func close() async {
        await withCheckedContinuation { continuation in
            queue.async {
                self.statements = nil
                continuation.resume()
            }
        }
    }

    /// Request `index` of the client: its operation and keys come from the seed, the client
    /// and the index alone, so a seed gives the same stream whatever the slot.
    private func perform(index: Int) -> RequestOutcome {
        let clientID = UInt64(shared.clientID)
        var random = SeededGenerator(seed: shared.seed ^ (clientID << 40) ^ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
        let operation = DatabaseOperation.pick(from: shared.mix, using: &random)
        let id = Int64.random(in: 1...max(shared.highestID.load(ordering: .relaxed), 1), using: &random)
        do {
            let statements = try connected()
            let rows: Int
            switch operation {
            case .insert:
                statements.insert.bind([Int64(clientID), id % 100, Int64(index)])
                statements.insert.bind(text: shared.payload, at: 4)
                _ = try statements.insert.run()
                rows = statements.connection.changes
                shared.highestID.add(1, ordering: .relaxed)
            case .pointLookup:
                statements.pointLookup.bind([id])
                rows = try statements.pointLookup.run()
            case .rangeScan:
                statements.rangeScan.bind([id, id + shared.rangeSize - 1])
                rows = try statements.rangeScan.run()
            case .aggregation:
                statements.aggregation.bind([id, id + shared.rangeSize * 10 - 1])
                rows = try statements.aggregation.run()
            case .update:
                statements.update.bind([id])
                _ = try statements.update.run()
                rows = statements.connection.changes
            }
            return RequestOutcome(
                success: true, operationType: operation.operationType, queryType: operation.queryType, rowsAffected: rows)
        } catch {
            var outcome = RequestOutcome.failure("\(error)", operationType: operation.operationType)
            outcome.queryType = operation.queryType
            return outcome
        }
    }

    /// The slot's connection, opened on its first request; a failed open is tried again on
    /// the next one.
    private func connected() throws -> Statements {
        if case .success(let statements) = statements { return statements }
        let opened = Result {
            try Statements(connection: SQLiteService.connect(path: path, settings: shared.serviceSettings), table: shared.table)
        }
        statements = opened
        return try opened.get()
    }

    /// The prepared statement of every operation, made once per connection.
    private struct Statements {
        let connection: SQLiteConnection
        let insert: SQLiteStatement
        let pointLookup: SQLiteStatement
        let rangeScan: SQLiteStatement
        let aggregation: SQLiteStatement
        let update: SQLiteStatement

        init(connection: SQLiteConnection, table: String) throws {
            self.connection = connection
            insert = try connection.prepare("INSERT INTO \(table)(client_id, bucket, value, payload) VALUES (?, ?, ?, ?);")
            pointLookup = try connection.prepare("SELECT id, bucket, value, payload FROM \(table) WHERE id = ?;")
            rangeScan = try connection.prepare("SELECT id, value FROM \(table) WHERE id BETWEEN ? AND ?;")
            aggregation = try connection.prepare(
                "SELECT bucket, count(*), avg(value), max(value) FROM \(table) WHERE id BETWEEN ? AND ? GROUP BY bucket;")
            update = try connection.prepare("UPDATE \(table) SET value = value + 1 WHERE id = ?;")
        }
    }
}
