import FactoryBenchCore
import PostgresNIO

/// One in-flight slot of a PostgreSQL client: a connection opened on first use (and again
/// after it broke) and each statement prepared once on it.
actor PostgresSession: RequestSession {
    let client: PostgresClient
    let endpoint: ServiceEndpoint
    let clientID: Int
    let slot: Int
    private var connection: PostgresConnection?
    private var prepared: [DatabaseOperation: PreparedQuery] = [:]

    init(client: PostgresClient, endpoint: ServiceEndpoint, clientID: Int, slot: Int) {
        self.client = client
        self.endpoint = endpoint
        self.clientID = clientID
        self.slot = slot
    }

    func send(index: Int) async -> RequestOutcome {
        // A server that dies mid-request can leave a driver future that never completes:
        // the deadline turns that into a failed request and a fresh connection.
        do {
            return try await withDeadline(seconds: client.requestTimeoutSeconds) { await self.perform(index: index) }
        } catch {
            abandonConnection()
            let (operationType, queryType) = labels(index: index)
            var outcome = RequestOutcome.failure("\(error)", operationType: operationType)
            outcome.queryType = queryType
            return outcome
        }
    }

    /// The operation and query type a request is recorded under, whether it succeeds, fails or times out.
    private func labels(index: Int) -> (operationType: String, queryType: String) {
        if client.kind == .postgresSmoke { return (Self.kind(of: smokeQuery).lowercased(), "smoke") }
        let operation = client.operation(clientID: clientID, index: index)
        return (operation.operationType, operation.queryType)
    }

    private var smokeQuery: String { client.settings["query"]?.stringValue ?? "SELECT version();" }

    private func perform(index: Int) async -> RequestOutcome {
        if client.kind == .postgresSmoke { return await smoke() }
        let operation = client.operation(clientID: clientID, index: index)
        do {
            let connection = try await connected()
            let statement: PreparedQuery
            if let existing = prepared[operation] {
                statement = existing
            } else {
                statement = try await connection.prepare(query: client.sql(operation)).get()
                prepared[operation] = statement
            }
            let rows = try await statement.execute(client.binds(operation, clientID: clientID, index: index)).get()
            if operation == .insert { client.noteInsert() }
            return RequestOutcome(
                success: true, operationType: operation.operationType, queryType: operation.queryType, rowsAffected: rows.count)
        } catch {
            await dropConnectionIfClosed()
            var outcome = RequestOutcome.failure(PostgresClient.describe(error), operationType: operation.operationType)
            outcome.queryType = operation.queryType
            return outcome
        }
    }

    private func smoke() async -> RequestOutcome {
        let query = smokeQuery
        do {
            let connection = try await connected()
            var rows = 0
            for try await _ in try await connection.query(PostgresQuery(unsafeSQL: query), logger: PostgresClient.logger) {
                rows += 1
            }
            return RequestOutcome(
                success: true, operationType: Self.kind(of: query).lowercased(), queryType: "smoke", rowsAffected: rows)
        } catch {
            await dropConnectionIfClosed()
            var outcome = RequestOutcome.failure(
                PostgresClient.describe(error), operationType: Self.kind(of: query).lowercased())
            outcome.queryType = "smoke"
            return outcome
        }
    }

    private func connected() async throws -> PostgresConnection {
        if let connection { return connection }
        let opened = try await PostgresClient.connect(
            endpoint: endpoint, database: client.databaseName, id: clientID * 10_000 + slot)
        connection = opened
        prepared = [:]
        return opened
    }

    private func dropConnectionIfClosed() async {
        guard let connection, connection.isClosed else { return }
        self.connection = nil
        prepared = [:]
    }

    /// Forgets the connection; closing it must not wait on a server that may be gone.
    private func abandonConnection() {
        if let connection { Task { try? await connection.close() } }
        connection = nil
        prepared = [:]
    }

    func close() async {
        abandonConnection()
    }

    /// The statement kind of a query: its first word, upper-cased.
    static func kind(of query: String) -> String {
        String(query.trimmingCharacters(in: .whitespacesAndNewlines).prefix { $0.isLetter }).uppercased()
    }
}
