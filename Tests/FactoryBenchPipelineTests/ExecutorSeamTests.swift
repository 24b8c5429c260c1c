import FactoryBenchCore
import FactoryBenchPipeline
import Foundation
import TestSupport
import Testing

/// The pipeline against a fake executor: what it records comes from the executor's
/// protocol (jobs, capabilities), never from a concrete executor type.
@Suite struct ExecutorSeamTests {
    let recipeText = "service: {type: sqlite}\nclient: {type: sqlite_stress}\nbenchmarks: {num_clients: 2}\n"

    func pipeline(
        _ executors: FakeExecutors, in directory: TemporaryDirectory, output: RecordingOutput = RecordingOutput()
    ) throws -> RunPipeline {
        let recipe = try directory.write("fake.yaml", recipeText)
        var pipeline = RunPipeline(
            recipePath: recipe.path, workspace: Workspace(root: directory.url), templatesDirectory: nil, output: output)
        pipeline.executors = executors
        return pipeline
    }

    @Test func aRunRecordsTheJobsItsExecutorReports() async throws {
        let directory = try TemporaryDirectory()
        var executors = FakeExecutors(requestsPerClient: 30)
        executors.jobs = [JobRecord(id: "7", role: "service", state: "COMPLETED")]
        let outcome = try await pipeline(executors, in: directory).run()
        #expect(outcome.status == .completed)
        #expect(outcome.summary?.totalRequests == 60)
        let manifest = try RunManifest.read(from: outcome.results.manifest)
        #expect(manifest.executor == "fake")
        #expect(manifest.jobs == executors.jobs)
        #expect(manifest.service?.version == "fake 1.0")
    }

    /// An executor whose logs live where its jobs ran says where to read them when a run
    /// goes wrong; one without says nothing.
    @Test func aPartialRunPointsAtRemoteLogsOnlyWhenTheExecutorHasThem() async throws {
        for capabilities: ExecutorCapabilities in [[.remoteLogs], []] {
            let directory = try TemporaryDirectory()
            var executors = FakeExecutors(requestsPerClient: 10)
            executors.capabilities = capabilities
            executors.lastClientError = "node n2 went away"
            let output = RecordingOutput()
            let outcome = try await pipeline(executors, in: directory, output: output).run()
            #expect(outcome.status == .partial)
            let pointer = output.lines.withLock { $0 }.contains { $0.contains("factorybench logs \(outcome.benchmarkID)") }
            #expect(pointer == capabilities.contains(.remoteLogs))
        }
    }

    @Test func aRecipeTheTargetRefusesLeavesNoRunDirectory() async throws {
        let directory = try TemporaryDirectory()
        var executors = FakeExecutors(requestsPerClient: 1)
        executors.refusal = .unsupported(SourceLocation(file: "fake.yaml", line: 2, column: 9), problem: "refused")
        await #expect(throws: RecipeError.self) { try await pipeline(executors, in: directory).run() }
        #expect(!FileManager.default.fileExists(atPath: directory.path("results").path))
    }

    /// A run whose `run.json` cannot be saved must not go on as if it were recorded.
    @Test func aRunJSONThatCannotBeSavedFailsTheStep() async throws {
        let directory = try TemporaryDirectory()
        var executors = FakeExecutors(requestsPerClient: 5)
        executors.afterClients = { run in
            // A directory where run.json was: renaming the new file onto it fails.
            try FileManager.default.removeItem(at: run.manifest)
            try FileManager.default.createDirectory(
                at: run.manifest.appendingPathComponent("blocked"), withIntermediateDirectories: true)
        }
        let error = await #expect(throws: PipelineError.self) { try await pipeline(executors, in: directory).run() }
        #expect(error?.step == "run")
        #expect(error?.localizedDescription.contains("run.json") == true)
    }
}
