import Foundation

/// Runs a recipe on this machine: starts the service, runs the clients as concurrent tasks
/// (each with its own connections and JSONL file), stops the service.
public final class LocalExecutor: Executor {
    public let recipe: Recipe
    public let clock: WallAnchoredClock
    private let service: any Service
    private let client: any LoadClient

    /// `components` are the service and client for the recipe (see `LocalComponents` for
    /// the types this machine can start).
    public init(recipe: Recipe, clock: WallAnchoredClock, service: any Service, client: any LoadClient) {
        self.recipe = recipe
        self.clock = clock
        self.service = service
        self.client = client
    }

    /// The embedded SQLite client runs a closed loop with one request in flight per client
    /// (SQLite calls block, so it does not go through the load engine).
    public static func checkClosedLoop(_ recipe: Recipe) throws {
        let location = SourceLocation(file: recipe.path, line: 1, column: 1)
        let mode = recipe.load["mode"]?.stringValue ?? "closed"
        let unsupported = [
            mode != "closed" ? "load.mode: \(mode)" : nil,
            (recipe.load["concurrency"]?.intValue ?? 1) != 1 ? "load.concurrency above 1" : nil,
            recipe.load["warmup"].map { $0 != .int(0) && $0 != .double(0) } == true ? "load.warmup" : nil,
            recipe.load["cooldown"].map { $0 != .int(0) && $0 != .double(0) } == true ? "load.cooldown" : nil,
            (recipe.load["ramp_up"]?.doubleValue ?? 0) != 0 ? "load.ramp_up" : nil,
        ].compactMap { $0 }
        guard unsupported.isEmpty else {
            throw RecipeError.unsupported(
                location,
                problem: "sqlite_stress runs a closed loop with one request in flight per client; "
                    + "it does not support \(unsupported.joined(separator: ", ")) yet")
        }
    }

    /// Requests all clients will send, when the recipe fixes a count.
    public var expectedRequests: Int? {
        client.requestsPerClient.map { $0 * recipe.numClients }
    }

    public var expectedSeconds: Double? { client.plan.totalSeconds }

    /// Starts the service, waits until it answers and prepares its data.
    public func deploy(logDirectory: URL) async throws -> ServiceEndpoint {
        do {
            try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
            let endpoint = try await service.deploy(logDirectory: logDirectory)
            try await client.prepare(endpoint: endpoint)
            return endpoint
        } catch {
            try? service.stop()
            throw ExecutionError.deployFailed(
                service: recipe.service.type.rawValue, reason: (error as? LocalizedError)?.errorDescription ?? "\(error)")
        }
    }

    /// Runs every client at once and returns each one's failure, if any; the JSONL files of
    /// clients that failed half-way are kept.
    public func runClients(
        benchmarkID: String, clientsDirectory: URL, endpoint: ServiceEndpoint, progress: ProgressCounter
    ) async throws -> [ClientOutcome] {
        try FileManager.default.createDirectory(at: clientsDirectory, withIntermediateDirectories: true)
        let header = headerLine(benchmarkID: benchmarkID)
        return await withTaskGroup(of: ClientOutcome.self) { group in
            for clientID in 0..<recipe.numClients {
                let url = clientsDirectory.appendingPathComponent("client-\(clientID).jsonl")
                group.addTask { [client, clock] in
                    do {
                        var line = header
                        line.add("client_id", clientID)
                        let writer = try RecordWriter(url: url, header: line)
                        var failure: String?
                        do {
                            try await client.run(
                                clientID: clientID, endpoint: endpoint,
                                context: ClientContext(writer: writer, clock: clock, progress: progress))
                        } catch {
                            failure = (error as? LocalizedError)?.errorDescription ?? "\(error)"
                        }
                        try writer.close()
                        return ClientOutcome(clientID: clientID, file: url.lastPathComponent, error: failure)
                    } catch {
                        return ClientOutcome(clientID: clientID, file: url.lastPathComponent, error: "\(error)")
                    }
                }
            }
            var outcomes: [ClientOutcome] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes.sorted { $0.clientID < $1.clientID }
        }
    }

    public var kind: String { "local" }

    public func teardown() async throws {
        try service.stop()
    }

    private func headerLine(benchmarkID: String) -> JSONLine {
        var line = JSONLine()
        line.add("benchmark_id", benchmarkID)
        line.add("service_type", recipe.service.type.rawValue)
        line.add("client_type", recipe.client.type.rawValue)
        line.add("test_start", clock.now(), decimals: 6)
        return line
    }
}

/// How one client ended.
public struct ClientOutcome: Sendable, Codable, Equatable {
    public var clientID: Int
    public var file: String
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id"
        case file, error
    }
}
