import FactoryBenchCore
import Foundation

/// A fake executor: no service and no network, each client writes `requestsPerClient`
/// records with fixed latencies. It stands in for where a run executes, so pipeline tests
/// exercise the pipeline alone, with the capabilities and jobs a test gives it.
public final class FakeExecutor: Executor, @unchecked Sendable {
    public let recipe: Recipe
    public let requestsPerClient: Int
    public let capabilities: ExecutorCapabilities
    public let jobs: [JobRecord]
    /// Runs inside the "run" step, after the clients wrote their files.
    public let afterClients: @Sendable (RunDirectory) throws -> Void
    /// What the last client reports as its failure, if anything (the run is then partial).
    public let lastClientError: String?
    let directory: RunDirectory

    public init(
        recipe: Recipe, directory: RunDirectory, requestsPerClient: Int, capabilities: ExecutorCapabilities = [],
        jobs: [JobRecord] = [], lastClientError: String? = nil,
        afterClients: @escaping @Sendable (RunDirectory) throws -> Void = { _ in }
    ) {
        self.lastClientError = lastClientError
        self.recipe = recipe
        self.directory = directory
        self.requestsPerClient = requestsPerClient
        self.capabilities = capabilities
        self.jobs = jobs
        self.afterClients = afterClients
    }

    public var kind: String { "fake" }
    public var expectedRequests: Int? { requestsPerClient * recipe.numClients }
    public var expectedSeconds: Double? { nil }

    public func deploy(logDirectory: URL) async throws -> ServiceEndpoint {
        ServiceEndpoint(host: "127.0.0.1", port: 1, version: "fake 1.0")
    }

    public func runClients(
        benchmarkID: String, clientsDirectory: URL, endpoint: ServiceEndpoint, progress: ProgressCounter
    ) async throws -> [ClientOutcome] {
        try FileManager.default.createDirectory(at: clientsDirectory, withIntermediateDirectories: true)
        var outcomes: [ClientOutcome] = []
        for clientID in 0..<recipe.numClients {
            let file = "client-\(clientID).jsonl"
            var header = RequestFileHeader(recipe: recipe, benchmarkID: benchmarkID, testStart: 1_700_000_000)
            header.clientID = clientID
            let writer = try RecordWriter(url: clientsDirectory.appendingPathComponent(file), header: header.line)
            for index in 0..<requestsPerClient {
                let start = 1_700_000_000 + Double(index) * 0.01
                let latency = 0.001 * Double(1 + index % 5)
                try writer.append(
                    RequestRecord(
                        requestID: "c\(clientID)-\(index)", clientID: clientID, serviceType: recipe.service.type.rawValue,
                        timestampStart: start, timestampEnd: start + latency, latencySeconds: latency, success: true))
                progress.record(success: true)
            }
            try writer.close()
            let failure = clientID == recipe.numClients - 1 ? lastClientError : nil
            outcomes.append(ClientOutcome(clientID: clientID, file: file, error: failure))
        }
        try afterClients(directory)
        return outcomes
    }

    public func teardown() async throws {}
}

/// Makes `FakeExecutor`s; `check` accepts every recipe unless `refusal` is set.
public struct FakeExecutors: ExecutorFactory {
    public var requestsPerClient: Int
    public var capabilities: ExecutorCapabilities = []
    public var jobs: [JobRecord] = []
    public var refusal: RecipeError?
    public var lastClientError: String?
    public var afterClients: @Sendable (RunDirectory) throws -> Void = { _ in }

    public init(requestsPerClient: Int) {
        self.requestsPerClient = requestsPerClient
    }

    public func check(_ recipe: Recipe) throws {
        if let refusal { throw refusal }
    }

    public func make(
        recipe: Recipe, benchmarkID: String, directory: RunDirectory, clock: WallAnchoredClock
    ) throws -> any Executor {
        FakeExecutor(
            recipe: recipe, directory: directory, requestsPerClient: requestsPerClient, capabilities: capabilities,
            jobs: jobs, lastClientError: lastClientError, afterClients: afterClients)
    }
}
