import CLibPQ
import FactoryBenchCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One in-flight slot of a PostgreSQL client over libpq, PostgreSQL's own C client (what
/// pgbench uses), driven by the load engine's `ppoll` threads: a connection opened on first
/// use and again after it broke, each statement prepared once on it, each request one
/// `PQsendQueryPrepared` with text parameters whose results are read as they arrive. A
/// request past `request_timeout` fails and its connection is dropped, even when the server
/// hangs.
final class PostgresSession: PolledSession {
    let client: PostgresClient
    let endpoint: ServiceEndpoint
    let clientID: Int
    private var connection: OpaquePointer?
    /// The statements prepared on the connection, one bit each (`DatabaseOperation.bit`).
    private var prepared: UInt8 = 0
    /// The request in flight: what it is recorded as; the rows its results held so far, its first error.
    private var request: (operationType: String, queryType: String, isInsert: Bool)?
    private var rows = 0
    private var failure: String?
    /// The parameters of the request being sent as C strings, in buffers reused by every request.
    private var parameterBytes: [UInt8] = []
    private var parameterStarts: [Int] = []
    private var parameterPointers: [UnsafePointer<CChar>?] = []

    init(client: PostgresClient, endpoint: ServiceEndpoint, clientID: Int) {
        self.client = client
        self.endpoint = endpoint
        self.clientID = clientID
    }

    deinit {
        close()
    }

    var timeoutSeconds: Double { client.requestTimeoutSeconds }

    var waitingFor: (descriptor: Int32, events: Int16) { (PQsocket(connection), Int16(POLLIN)) }

    func start(index: Int) -> RequestOutcome? {
        let (operationType, queryType, operation) = labels(index: index)
        request = (operationType, queryType, operation == .insert)
        rows = 0
        failure = nil
        do {
            let connection = try connected()
            let sent: Int32
            if let operation {
                if prepared & operation.bit == 0 {
                    try Self.prepare(connection, name: operation.rawValue, sql: client.sql(operation), timeout: timeoutSeconds)
                    prepared |= operation.bit
                }
                sent = send(connection, operation, index: index)
            } else {
                sent = PQsendQuery(connection, smokeQuery)
            }
            guard sent == 1 else { throw PostgresFailure.connection(Self.message(connection)) }
            return nil
        } catch {
            return failed("\(error)", dropping: error)
        }
    }

    func proceed() -> RequestOutcome? {
        guard let connection, request != nil else { return nil }
        guard PQconsumeInput(connection) == 1 else {
            return failed(Self.message(connection), dropping: PostgresFailure.connection(""))
        }
        while PQisBusy(connection) == 0 {
            guard let result = PQgetResult(connection) else { return ended() }
            Self.absorb(result, rows: &rows, failure: &failure, connection: connection)
        }
        return nil
    }

    /// Every result of the request in flight was read: its outcome.
    private func ended() -> RequestOutcome? {
        guard let request else { return nil }
        self.request = nil
        if let failure {
            var outcome = RequestOutcome.failure(failure, operationType: request.operationType)
            outcome.queryType = request.queryType
            return outcome
        }
        if request.isInsert { client.noteInsert() }
        return RequestOutcome(
            success: true, operationType: request.operationType, queryType: request.queryType,
            rowsAffected: rows)
    }

    func abandon() -> RequestOutcome {
        failed("\(PostgresFailure.timedOut(seconds: timeoutSeconds))", dropping: PostgresFailure.timedOut(seconds: 0))
    }

    /// Sends the prepared statement with request `index`'s text parameters.
    private func send(_ connection: OpaquePointer, _ operation: DatabaseOperation, index: Int) -> Int32 {
        parameterBytes.removeAll(keepingCapacity: true)
        parameterStarts.removeAll(keepingCapacity: true)
        client.appendParameters(operation, clientID: clientID, index: index, to: &parameterBytes, starts: &parameterStarts)
        return parameterBytes.withUnsafeBytes { bytes in
            let base = bytes.baseAddress!.assumingMemoryBound(to: CChar.self)
            parameterPointers.removeAll(keepingCapacity: true)
            for start in parameterStarts { parameterPointers.append(base + start) }
            return operation.rawValue.withCString { name in
                PQsendQueryPrepared(connection, name, Int32(parameterStarts.count), parameterPointers, nil, nil, 0)
            }
        }
    }

    /// The operation and query type a request is recorded under, whether it succeeds, fails
    /// or times out, and the stress operation (`nil` for the smoke query).
    private func labels(index: Int) -> (String, String, DatabaseOperation?) {
        if client.kind == .postgresSmoke { return (Self.kind(of: smokeQuery).lowercased(), "smoke", nil) }
        let operation = client.operation(clientID: clientID, index: index)
        return (operation.operationType, operation.queryType, operation)
    }

    private var smokeQuery: String { client.settings["query"]?.stringValue ?? "SELECT version();" }

    /// The request in flight failed: its outcome, the connection dropped when it broke or
    /// timed out (a timed-out one may still be busy).
    private func failed(_ reason: String, dropping error: any Error) -> RequestOutcome {
        var outcome = RequestOutcome.failure(reason, operationType: request?.operationType)
        outcome.queryType = request?.queryType
        request = nil
        if let connection {
            let timedOut = if case PostgresFailure.timedOut = error { true } else { false }
            if timedOut || PQstatus(connection) != CONNECTION_OK {
                PQfinish(connection)
                self.connection = nil
                prepared = 0
            }
        }
        return outcome
    }

    private func connected() throws -> OpaquePointer {
        if let connection { return connection }
        let opened = try Self.connect(
            host: endpoint.host ?? "127.0.0.1", port: endpoint.port ?? 5432, database: client.databaseName,
            timeout: timeoutSeconds)
        connection = opened
        prepared = 0
        return opened
    }

    func close() {
        if let connection { PQfinish(connection) }
        connection = nil
    }

    /// The statement kind of a query: its first word, upper-cased.
    static func kind(of query: String) -> String {
        String(query.trimmingCharacters(in: .whitespacesAndNewlines).prefix { $0.isLetter }).uppercased()
    }

    // MARK: - libpq

    static func connect(host: String, port: Int, database: String, timeout: Double) throws -> OpaquePointer {
        let settings = [
            ("host", host), ("port", String(port)), ("dbname", database), ("user", "postgres"),
            ("connect_timeout", String(max(Int(timeout.rounded(.up)), 2))), ("application_name", "factorybench"),
        ]
        let connection = withCStrings(settings.map(\.0)) { keywords in
            withCStrings(settings.map(\.1)) { values in PQconnectdbParams(keywords, values, 0) }
        }
        guard let connection else { throw PostgresFailure.connection("out of memory") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.message(connection)
            PQfinish(connection)
            throw PostgresFailure.connection(message)
        }
        return connection
    }

    static func prepare(_ connection: OpaquePointer, name: String, sql: String, timeout: Double) throws {
        guard PQsendPrepare(connection, name, sql, 0, nil) == 1 else {
            throw PostgresFailure.connection(message(connection))
        }
        _ = try results(connection, timeout: timeout)
    }

    /// Waits for every result of the command in flight; returns the rows they hold, or
    /// throws the first error (after reading the rest, so the connection stays usable).
    static func results(_ connection: OpaquePointer, timeout: Double) throws -> Int {
        let deadline = WallAnchoredClock.monotonicNanoseconds() + UInt64(max(timeout, 0) * 1e9)
        var rows = 0
        var failure: String?
        while true {
            while PQisBusy(connection) == 1 {
                let now = WallAnchoredClock.monotonicNanoseconds()
                guard now < deadline else { throw PostgresFailure.timedOut(seconds: timeout) }
                var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
                let waited = poll(&descriptor, 1, Int32(min((deadline - now) / 1_000_000 + 1, 1000)))
                if waited < 0, errno != EINTR { throw PostgresFailure.connection(String(cString: strerror(errno))) }
                guard PQconsumeInput(connection) == 1 else { throw PostgresFailure.connection(message(connection)) }
            }
            guard let result = PQgetResult(connection) else { break }
            absorb(result, rows: &rows, failure: &failure, connection: connection)
        }
        if let failure { throw PostgresFailure.server(failure) }
        return rows
    }

    /// Adds one result of a command to what its request has read so far (its rows, its
    /// first error), and frees it.
    static func absorb(_ result: OpaquePointer, rows: inout Int, failure: inout String?, connection: OpaquePointer) {
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE: rows += Int(PQntuples(result))
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY: break
        default: failure = failure ?? serverMessage(result, connection: connection)
        }
        PQclear(result)
    }

    /// The server's error as postgres-nio's clients wrote it: `SQLSTATE: message`.
    static func serverMessage(_ result: OpaquePointer, connection: OpaquePointer) -> String {
        let field = { (code: Character) -> String? in
            PQresultErrorField(result, Int32(code.asciiValue ?? 0)).map { String(cString: $0) }
        }
        guard let primary = field("M") else { return message(connection) }
        return [field("C"), primary].compactMap { $0 }.joined(separator: ": ")
    }

    /// libpq's last message for a connection, on one line.
    static func message(_ connection: OpaquePointer?) -> String {
        let text = PQerrorMessage(connection).map { String(cString: $0) } ?? ""
        let line = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: " ")
        return line.isEmpty ? "connection lost" : line
    }

    /// Calls `body` with the strings as a C array of C strings ended by a null pointer (as
    /// `PQconnectdbParams` wants), alive for the call.
    static func withCStrings<Result>(
        _ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> Result
    ) -> Result {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { UnsafePointer($0) } + [nil]
        return pointers.withUnsafeBufferPointer { buffer in body(buffer.baseAddress!) }
    }
}

extension DatabaseOperation {
    /// A bit of its own, so a set of operations fits in one integer.
    fileprivate var bit: UInt8 {
        switch self {
        case .insert: 1
        case .pointLookup: 2
        case .rangeScan: 4
        case .aggregation: 8
        case .update: 16
        }
    }
}

/// Why a PostgreSQL request failed, as its record says.
enum PostgresFailure: Error, CustomStringConvertible {
    case connection(String)
    case server(String)
    case timedOut(seconds: Double)

    var description: String {
        switch self {
        case .connection(let message), .server(let message): return message
        case .timedOut(let seconds): return "no answer within \(seconds.formatted(.number)) s (request_timeout)"
        }
    }
}
