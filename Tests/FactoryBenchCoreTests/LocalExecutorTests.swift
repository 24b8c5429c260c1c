import FactoryBenchCore
import Foundation
import TestSupport
import Testing

@Suite struct LocalExecutorTests {
    @Test func sqliteClientsWriteOneRecordPerRequestWithTheConfiguredMix() async throws {
        let directory = try TemporaryDirectory()
        let recipe = try RecipeLoader.parse(
            """
            service: {type: sqlite}
            client:
              type: sqlite_stress
              settings: {num_requests: 60, initial_rows: 200, mix: {point_lookup: 1, update: 1}}
            benchmarks: {num_clients: 2}
            """, path: "t.yaml", name: "t")
        let executor = try Self.executor(recipe, directory: directory)
        #expect(executor.expectedRequests == 120)
        let endpoint = try await executor.deploy(logDirectory: directory.path("logs"))
        let progress = ProgressCounter(expectedRequests: 120, expectedSeconds: nil)
        let outcomes = try await executor.runClients(
            benchmarkID: "t-1", clientsDirectory: directory.path("clients"), endpoint: endpoint, progress: progress)
        try await executor.teardown()
        #expect(outcomes.map(\.error) == [nil, nil])
        #expect(progress.completed == 120)
        #expect(!FileManager.default.fileExists(atPath: try #require(endpoint.path)))
        let files = Collector.clientFiles(in: directory.path("clients"))
        #expect(files.map(\.lastPathComponent) == ["client-0.jsonl", "client-1.jsonl"])
        var records: [[String: Any]] = []
        for file in files {
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
            #expect(lines.first?.contains("\"benchmark_id\":\"t-1\"") == true)
            for line in lines.dropFirst() {
                records.append(try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]))
            }
        }
        #expect(records.count == 120)
        #expect(Set(records.compactMap { $0["operation_type"] as? String }) == ["select", "update"])
        #expect(Set(records.compactMap { $0["query_type"] as? String }) == ["point_lookup", "point_update"])
        #expect(records.allSatisfy { $0["success"] as? Bool == true && $0["rows_affected"] as? Int == 1 })
        #expect(Set(records.compactMap { $0["request_id"] as? String }).count == 120)
        #expect(Set(records.compactMap { $0["client_id"] as? Int }) == [0, 1])
        for record in records {
            let start = try #require(record["timestamp_start"] as? Double)
            let end = try #require(record["timestamp_end"] as? Double)
            let latency = try #require(record["latency_s"] as? Double)
            #expect(end >= start)
            #expect(abs((end - start) - latency) < 2e-6)
        }
    }

    /// A duration stops each client by the engine's own clock: no request starts past it.
    /// (Asserted on the records' start times, not on how long the test took: a busy machine
    /// stretches the run's wall time, never the window its requests start in.)
    @Test func durationStopsClientsByTime() async throws {
        let directory = try TemporaryDirectory()
        let recipe = try RecipeLoader.parse(
            "service: {type: sqlite}\nclient: {type: sqlite_stress, settings: {duration: 1, initial_rows: 10}}\n",
            path: "t.yaml", name: "t")
        let executor = try Self.executor(recipe, directory: directory)
        #expect(executor.expectedRequests == nil)
        #expect(executor.expectedSeconds == 1)
        let endpoint = try await executor.deploy(logDirectory: directory.path("logs"))
        _ = try await executor.runClients(
            benchmarkID: "t-2", clientsDirectory: directory.path("clients"), endpoint: endpoint,
            progress: ProgressCounter(expectedRequests: nil, expectedSeconds: 1))
        try await executor.teardown()
        let lines = try String(contentsOf: directory.path("clients/client-0.jsonl"), encoding: .utf8).split(separator: "\n")
        let starts = try lines.dropFirst().map {
            try #require((try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["timestamp_start"] as? Double)
        }
        #expect(starts.count > 1)
        // No request starts after the duration (the first starts at its beginning).
        #expect(try #require(starts.max()) - #require(starts.min()) < 1)
    }

    /// sqlite_stress goes through the load engine: open loop, several slots, warm-up and
    /// cool-down work as for every other client.
    @Test func sqliteClientsFollowEveryLoadKey() async throws {
        let directory = try TemporaryDirectory()
        let recipe = try RecipeLoader.parse(
            """
            service: {type: sqlite}
            client: {type: sqlite_stress, settings: {initial_rows: 50, mix: {point_lookup: 1}}}
            load: {mode: open, rate: 400, concurrency: 2, warmup: 10, num_requests: 40, cooldown: 5}
            """, path: "t.yaml", name: "t")
        let executor = try Self.executor(recipe, directory: directory)
        #expect(executor.expectedRequests == 55)
        let endpoint = try await executor.deploy(logDirectory: directory.path("logs"))
        let outcomes = try await executor.runClients(
            benchmarkID: "t-3", clientsDirectory: directory.path("clients"), endpoint: endpoint,
            progress: ProgressCounter(expectedRequests: 55, expectedSeconds: nil))
        try await executor.teardown()
        #expect(outcomes.map(\.error) == [nil])
        let lines = try String(contentsOf: directory.path("clients/client-0.jsonl"), encoding: .utf8).split(separator: "\n")
        let records = try lines.dropFirst().map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(records.count == 55)
        #expect(records.allSatisfy { $0["timestamp_intended"] is Double })
        #expect(records.filter { $0["phase"] as? String == "warmup" }.count == 10)
        #expect(records.filter { $0["phase"] as? String == "cooldown" }.count == 5)
        let summary = try Aggregator.aggregate(files: [directory.path("clients/client-0.jsonl")])
        #expect(summary.excludedRequests == ExcludedRequests(warmup: 10, cooldown: 5))
        // Every measured request ran (timed from its intended start) or, on a machine too
        // busy to keep the schedule, was recorded as dropped: none is lost either way.
        #expect(summary.totalRequests == 40)
        #expect(summary.successfulRequests + summary.droppedRequests == 40)
        #expect((summary.latencyFromIntended?.count ?? 0) == summary.successfulRequests)
    }

    /// The embedded SQLite service and client, as the local components make them.
    static func executor(_ recipe: Recipe, directory: TemporaryDirectory) throws -> LocalExecutor {
        let client = SQLiteStressClient(
            settings: recipe.client.settings, serviceSettings: recipe.service.settings, load: recipe.load)
        return LocalExecutor(
            recipe: recipe, clock: WallAnchoredClock(),
            service: SQLiteService(directory: directory.path("db"), settings: recipe.service.settings), client: client)
    }
}
