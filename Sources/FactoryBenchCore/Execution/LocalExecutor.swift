import Foundation

/// Runs a recipe on this machine: starts the service, runs the clients as concurrent
/// threads (one per client, each with its own connection and JSONL file), stops the service.
public final class LocalExecutor: Sendable {
    public let recipe: Recipe
    public let clock: WallAnchoredClock
    private let service: any Service
    private let client: any LoadClient

    /// Fails with a `RecipeError` when this executor cannot run the recipe's service or
    /// client type, before anything is started or written.
    public init(recipe: Recipe, clock: WallAnchoredClock) throws {
        self.recipe = recipe
        self.clock = clock
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("factorybench-\(UUID().uuidString)")
        (service, client) = try Self.components(for: recipe, scratchDirectory: scratch)
    }

    /// The service and client implementations this executor has for a recipe.
    public static func components(for recipe: Recipe, scratchDirectory: URL) throws -> (any Service, any LoadClient) {
        let location = SourceLocation(file: recipe.path, line: 1, column: 1)
        guard recipe.isLocal else {
            throw RecipeError.unsupported(
                location,
                problem: "target '\(recipe.target)' needs the Slurm executor, which this version does not have yet; "
                    + "use configuration.target: local (or --set configuration.target=local)")
        }
        switch (recipe.service.type, recipe.client.type) {
        case (.sqlite, .sqliteStress):
            try checkClosedLoop(recipe)
            var client = SQLiteStressClient(settings: recipe.client.settings, serviceSettings: recipe.service.settings)
            client.stop = LoadStop(recipe: recipe)
            return (SQLiteService(directory: scratchDirectory, settings: recipe.service.settings), client)
        case (.sqlite, let client):
            throw RecipeError.unsupported(
                location, problem: "client type '\(client.rawValue)' cannot load a sqlite service; use sqlite_stress")
        case (let service, _):
            throw RecipeError.unsupported(
                location,
                problem: "the local executor cannot run service type '\(service.rawValue)' yet; "
                    + "supported here: sqlite (with client sqlite_stress)")
        }
    }

    /// The embedded SQLite client runs a closed loop with one request in flight per client;
    /// the rest of `load:` comes with the load engine.
    static func checkClosedLoop(_ recipe: Recipe) throws {
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
        LoadStop(recipe: recipe).requests.map { $0 * recipe.numClients }
    }

    public var expectedSeconds: Double? { LoadStop(recipe: recipe).durationSeconds }

    /// Starts the service, waits until it answers and prepares its data.
    public func deploy() throws -> ServiceEndpoint {
        do {
            let endpoint = try service.deploy()
            try client.prepare(endpoint: endpoint)
            return endpoint
        } catch {
            try? service.stop()
            throw ExecutionError.deployFailed(service: recipe.service.type.rawValue, reason: "\(error)")
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
                    // SQLite calls block, so each client gets a thread of its own instead of
                    // a slot in the cooperative pool.
                    await Self.onThread {
                        do {
                            var line = header
                            line.add("client_id", clientID)
                            let writer = try RecordWriter(url: url, header: line)
                            var failure: String?
                            do {
                                try client.run(
                                    clientID: clientID, endpoint: endpoint,
                                    context: ClientContext(writer: writer, clock: clock, progress: progress))
                            } catch {
                                failure = "\(error)"
                            }
                            try writer.close()
                            return ClientOutcome(clientID: clientID, file: url.lastPathComponent, error: failure)
                        } catch {
                            return ClientOutcome(clientID: clientID, file: url.lastPathComponent, error: "\(error)")
                        }
                    }
                }
            }
            var outcomes: [ClientOutcome] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes.sorted { $0.clientID < $1.clientID }
        }
    }

    public func teardown() throws {
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

    private static func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.stackSize = 1 << 20
            thread.start()
        }
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
