import Foundation

/// `sqlite_stress`: each client opens its own connection to the shared database file and
/// sends a weighted mix of point inserts, point lookups, range scans, aggregations and
/// updates, for a request count or a duration.
public struct SQLiteStressClient: LoadClient {
    public let settings: [String: SettingValue]
    public let serviceSettings: [String: SettingValue]
    public var stop: LoadStop

    public init(settings: [String: SettingValue], serviceSettings: [String: SettingValue]) {
        self.settings = settings
        self.serviceSettings = serviceSettings
        self.stop = LoadStop(settings: settings)
    }

    var table: String { SQLiteService.identifier(settings["table_name"]?.stringValue ?? "stress_test") }
    var initialRows: Int { settings["initial_rows"]?.intValue ?? 10000 }
    var rangeSize: Int { settings["range_size"]?.intValue ?? 100 }
    var payload: String { String(repeating: "x", count: settings["payload_bytes"]?.intValue ?? 100) }

    /// The operations and their cumulative weights, in a fixed order.
    var cumulativeMix: [(operation: DatabaseOperation, upTo: Double)] {
        DatabaseOperation.cumulativeWeights(settings["mix"]?.mapValue ?? [:])
    }

    public var plan: LoadPlan {
        let measured: LoadPlan.Window =
            stop.durationSeconds.map { .seconds($0) } ?? .requests(stop.requests ?? 0)
        return LoadPlan(
            mode: .closed, concurrency: 1, arrivals: nil, warmup: .requests(0), measured: measured,
            cooldown: .requests(0), rampUpSeconds: 0, seed: UInt64(settings["seed"]?.intValue ?? 42))
    }

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
        var random = SeededGenerator(seed: UInt64(settings["seed"]?.intValue ?? 42))
        for _ in 0..<initialRows {
            insert.bind([Int64.random(in: 0..<100, using: &random), Int64.random(in: 0..<1_000_000, using: &random)])
            insert.bind(text: payload, at: 3)
            try insert.run()
        }
        try connection.execute("COMMIT;")
    }

    public func run(clientID: Int, endpoint: ServiceEndpoint, context: ClientContext) async throws {
        // SQLite calls block, so each client gets a thread of its own instead of a slot in
        // the cooperative pool.
        let result: Result<Void, any Error> = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(
                    returning: Result { try runBlocking(clientID: clientID, endpoint: endpoint, context: context) })
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        try result.get()
    }

    private func runBlocking(clientID: Int, endpoint: ServiceEndpoint, context: ClientContext) throws {
        let connection = try SQLiteService.connect(path: try databasePath(endpoint), settings: serviceSettings)
        let statements = try Statements(connection: connection, table: table)
        let mix = cumulativeMix
        let totalWeight = mix.last?.upTo ?? 1
        let payload = payload
        let seed = UInt64(settings["seed"]?.intValue ?? 42)
        var random = SeededGenerator(seed: seed &+ UInt64(clientID) &* 0x9E37_79B9)
        var maxID = Int64(initialRows)
        let deadline = stop.deadline(from: WallAnchoredClock.monotonicNanoseconds())

        var sent = 0
        while stop.shouldContinue(sent: sent, now: WallAnchoredClock.monotonicNanoseconds(), deadline: deadline) {
            let pick = Double.random(in: 0..<totalWeight, using: &random)
            let operation = mix.first(where: { pick < $0.upTo })?.operation ?? .insert
            let id = Int64.random(in: 1...max(maxID, 1), using: &random)
            let start = WallAnchoredClock.monotonicNanoseconds()
            var rows = 0
            var failure: String?
            do {
                switch operation {
                case .insert:
                    statements.insert.bind([Int64(clientID), id % 100, Int64(sent)])
                    statements.insert.bind(text: payload, at: 4)
                    try statements.insert.run()
                    rows = connection.changes
                case .pointLookup:
                    statements.pointLookup.bind([id])
                    rows = try statements.pointLookup.run()
                case .rangeScan:
                    statements.rangeScan.bind([id, id + Int64(rangeSize) - 1])
                    rows = try statements.rangeScan.run()
                case .aggregation:
                    statements.aggregation.bind([id, id + Int64(rangeSize) * 10 - 1])
                    rows = try statements.aggregation.run()
                case .update:
                    statements.update.bind([id])
                    try statements.update.run()
                    rows = connection.changes
                }
            } catch {
                failure = "\(error)"
            }
            let end = WallAnchoredClock.monotonicNanoseconds()
            if operation == .insert && failure == nil { maxID += 1 }
            let record = RequestRecord(
                requestID: "c\(clientID)-\(sent)", clientID: clientID, serviceType: "sqlite",
                timestampStart: context.clock.unixSeconds(atMonotonic: start),
                timestampEnd: context.clock.unixSeconds(atMonotonic: end),
                latencySeconds: Double(end - start) / 1e9, success: failure == nil, error: failure,
                operationType: operation.rawValue, queryType: operation.queryType,
                rowsAffected: failure == nil ? rows : nil)
            try context.writer.append(record)
            context.progress.record(success: failure == nil)
            sent += 1
        }
    }

    private func databasePath(_ endpoint: ServiceEndpoint) throws -> String {
        guard let path = endpoint.path else {
            throw ExecutionError.clientFailed(clientID: nil, reason: "the SQLite service reported no database path")
        }
        return path
    }

    /// The prepared statement of every operation, made once per connection.
    private struct Statements {
        let insert: SQLiteStatement
        let pointLookup: SQLiteStatement
        let rangeScan: SQLiteStatement
        let aggregation: SQLiteStatement
        let update: SQLiteStatement

        init(connection: SQLiteConnection, table: String) throws {
            insert = try connection.prepare("INSERT INTO \(table)(client_id, bucket, value, payload) VALUES (?, ?, ?, ?);")
            pointLookup = try connection.prepare("SELECT id, bucket, value, payload FROM \(table) WHERE id = ?;")
            rangeScan = try connection.prepare("SELECT id, value FROM \(table) WHERE id BETWEEN ? AND ?;")
            aggregation = try connection.prepare(
                "SELECT bucket, count(*), avg(value), max(value) FROM \(table) WHERE id BETWEEN ? AND ? GROUP BY bucket;")
            update = try connection.prepare("UPDATE \(table) SET value = value + 1 WHERE id = ?;")
        }
    }
}
