import FactoryBenchCore
import Foundation
import TestSupport
import Testing

@testable import FactoryBenchNetwork

/// A recipe run through the local executor exactly as `factorybench run` starts it (same
/// components, same service start-up), with its records and summary at hand.
final class LocalRun: Sendable {
    let recipe: Recipe
    let directory: TemporaryDirectory
    let executor: LocalExecutor
    let service: any Service

    init(_ yaml: String) throws {
        recipe = try RecipeLoader.parse(yaml, path: "test.yaml", name: "test")
        directory = try TemporaryDirectory()
        let (service, client) = try LocalComponents.make(for: recipe, scratchDirectory: directory.path("scratch"))
        self.service = service
        executor = LocalExecutor(recipe: recipe, clock: WallAnchoredClock(), service: service, client: client)
    }

    func deploy() async throws -> ServiceEndpoint {
        try await executor.deploy(logDirectory: directory.path("logs"))
    }

    func runClients(
        _ endpoint: ServiceEndpoint, progress: ProgressCounter = ProgressCounter(expectedRequests: nil, expectedSeconds: nil)
    ) async throws -> [ClientOutcome] {
        try await executor.runClients(
            benchmarkID: "test-1", clientsDirectory: directory.path("clients"), endpoint: endpoint, progress: progress)
    }

    /// Deploys, runs every client and stops the service, whatever happens.
    static func run(_ yaml: String) async throws -> (LocalRun, ServiceEndpoint, [ClientOutcome]) {
        let run = try LocalRun(yaml)
        let endpoint = try await run.deploy()
        do {
            let outcomes = try await run.runClients(endpoint)
            try await run.executor.teardown()
            return (run, endpoint, outcomes)
        } catch {
            try? await run.executor.teardown()
            throw error
        }
    }

    /// Deploys and runs the clients, stopping the service (as a crash would) once
    /// `completed` requests have finished — a count, not a time, so a busy machine cannot
    /// move the crash past the end of the run.
    func runKillingTheService(afterCompleted completed: Int) async throws -> [ClientOutcome] {
        let endpoint = try await deploy()
        let progress = ProgressCounter(expectedRequests: nil, expectedSeconds: nil)
        let killer = Task {
            while progress.completed < completed { try await Task.sleep(for: .milliseconds(5)) }
            try await executor.teardown()
        }
        let outcomes = try await executor.runClients(
            benchmarkID: "test-1", clientsDirectory: directory.path("clients"), endpoint: endpoint, progress: progress)
        killer.cancel()
        _ = await killer.result
        try await executor.teardown()
        return outcomes
    }

    /// Runs one client with no executor against an endpoint (say, one nothing listens on)
    /// and aggregates what it recorded.
    static func runAlone(_ client: any LoadClient, endpoint: ServiceEndpoint) async throws -> RunSummary {
        let directory = try TemporaryDirectory()
        let writer = try RecordWriter(url: directory.path("c.jsonl"), header: JSONLine())
        try await client.run(
            clientID: 0, endpoint: endpoint,
            context: ClientContext(
                writer: writer, clock: WallAnchoredClock(), progress: ProgressCounter(expectedRequests: nil, expectedSeconds: nil)
            ))
        try writer.close()
        return try Aggregator.aggregate(files: [directory.path("c.jsonl")])
    }

    /// Every request record of every client file.
    func records() throws -> [[String: Any]] {
        try Collector.clientFiles(in: directory.path("clients")).flatMap { file in
            try String(contentsOf: file, encoding: .utf8).split(separator: "\n").dropFirst().map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
        }
    }

    func summary() throws -> RunSummary {
        try Aggregator.aggregate(files: Collector.clientFiles(in: directory.path("clients")))
    }

    func log() -> String {
        (try? String(contentsOf: directory.path("logs/service.log"), encoding: .utf8)) ?? ""
    }
}

/// What the real-service tests need; CI installs all of it (`.ci/run`), so there nothing
/// is skipped. On a machine without a service, its tests are skipped with this reason.
enum Installed {
    static var postgres: Bool { PostgresService.binaries() != nil }
    static var redis: Bool { ChildProcess.resolve("redis-server") != nil }
    static var chroma: Bool { ChildProcess.resolve("chroma") != nil }
    static var python: Bool { ChildProcess.resolve("python3") != nil }
    /// The S3 server the object-store tests use: moto from PyPI, in `.ci/run`'s environment.
    static var s3Python: String {
        ProcessInfo.processInfo.environment["FACTORYBENCH_S3_PYTHON"] ?? "/opt/factorybench-s3/bin/python"
    }
    static var s3: Bool { FileManager.default.isExecutableFile(atPath: s3Python) }
}

/// Every record has the fields DESIGN.md requires, with sane values.
func expectWellFormed(_ records: [[String: Any]], serviceType: String, sourceLocation: Testing.SourceLocation = #_sourceLocation)
{
    for record in records {
        let start = record["timestamp_start"] as? Double ?? 0
        let end = record["timestamp_end"] as? Double ?? 0
        let latency = record["latency_s"] as? Double ?? -1
        #expect(start > 1.7e9 && end >= start, sourceLocation: sourceLocation)
        #expect(latency >= 0 && abs((end - start) - latency) < 2e-6, sourceLocation: sourceLocation)
        #expect(record["success"] is Bool, sourceLocation: sourceLocation)
        #expect(record["service_type"] as? String == serviceType, sourceLocation: sourceLocation)
        #expect(record["request_id"] is String, sourceLocation: sourceLocation)
        #expect(record["client_id"] is Int, sourceLocation: sourceLocation)
        if record["success"] as? Bool == false {
            #expect((record["error"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
        }
    }
}
