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
        let executor = try LocalExecutor(recipe: recipe, clock: WallAnchoredClock())
        #expect(executor.expectedRequests == 120)
        let endpoint = try executor.deploy()
        let progress = ProgressCounter(expectedRequests: 120, expectedSeconds: nil)
        let outcomes = try await executor.runClients(
            benchmarkID: "t-1", clientsDirectory: directory.path("clients"), endpoint: endpoint, progress: progress)
        try executor.teardown()
        #expect(outcomes.map(\.error) == [nil, nil])
        #expect(progress.completed == 120)
        #expect(!FileManager.default.fileExists(atPath: try #require(endpoint.path)))
        let files = Collector.clientFiles(in: directory.path("clients"))
        #expect(files.map(\.lastPathComponent) == ["client-0.jsonl", "client-1.jsonl"])
        var reader = RequestFileReader()
        var records: [RequestRecord] = []
        for file in files { try reader.read(file) { records.append($0) } }
        #expect(records.count == 120)
        #expect(reader.skipped.total == 0)
        #expect(Set(records.compactMap(\.operationType)) == ["point_lookup", "update"])
        #expect(records.allSatisfy { $0.success && $0.rowsAffected == 1 })
        #expect(Set(records.map(\.requestID)).count == 120)
        #expect(Set(records.compactMap(\.clientID)) == [0, 1])
        for record in records {
            #expect(record.timestampEnd >= record.timestampStart)
            #expect(abs((record.timestampEnd - record.timestampStart) - record.latencySeconds) < 2e-6)
        }
    }

    @Test func durationStopsClientsByTime() async throws {
        let directory = try TemporaryDirectory()
        let recipe = try RecipeLoader.parse(
            "service: {type: sqlite}\nclient: {type: sqlite_stress, settings: {duration: 0.3, initial_rows: 10}}\n",
            path: "t.yaml", name: "t")
        let executor = try LocalExecutor(recipe: recipe, clock: WallAnchoredClock())
        #expect(executor.expectedRequests == nil)
        let started = Date()
        let endpoint = try executor.deploy()
        _ = try await executor.runClients(
            benchmarkID: "t-2", clientsDirectory: directory.path("clients"), endpoint: endpoint,
            progress: ProgressCounter(expectedRequests: nil, expectedSeconds: 0.3))
        try executor.teardown()
        let elapsed = Date().timeIntervalSince(started)
        let summary = try Aggregator.aggregate(files: Collector.clientFiles(in: directory.path("clients")))
        #expect(summary.totalRequests > 0)
        #expect(summary.testDurationSeconds < 1.5)
        #expect(elapsed >= 0.3)
    }

    @Test func unsupportedServiceIsRefusedBeforeAnythingStarts() throws {
        let recipe = try RecipeLoader.parse(
            "service: {type: redis}\nclient: {type: redis_stress}\n", path: "t.yaml", name: "t")
        #expect(throws: RecipeError.self) {
            _ = try LocalExecutor.components(for: recipe, scratchDirectory: FileManager.default.temporaryDirectory)
        }
    }
}
