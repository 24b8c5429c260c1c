import FactoryBenchCore
import Foundation
import TestSupport
import Testing

/// A fake login node that answers every `squeue` with the same line; it stands in for a
/// cluster, which this test does not need.
struct FakeLoginNode: RemoteShell {
    let target = "fake"
    let squeue: String

    func run(_ script: String) async throws -> ChildProcess.Captured {
        ChildProcess.Captured(status: 0, output: script.hasPrefix("squeue") ? squeue : "", errors: "")
    }

    func upload(_ files: [URL], to directory: String) async throws {}
    func download(_ directory: String, to local: URL) async throws {}
    func close() async {}
}

@Suite struct SlurmJobsFileTests {
    /// jobs.json is how `watch`, `collect` and `cancel` find a run's jobs again: a poll
    /// whose jobs cannot be saved fails instead of going on unrecorded.
    @Test func aPollWhoseJobsCannotBeSavedFails() async throws {
        let directory = try TemporaryDirectory()
        let run = RunDirectory(url: directory.path("results/r-1"))
        let slurm = run.url.appendingPathComponent("slurm")
        try directory.write(
            "results/r-1/slurm/recipe.yaml",
            "configuration: {target: c}\nservice: {type: postgres}\nclient: {type: postgres_smoke}\n")
        try directory.write(
            "results/r-1/slurm/jobs.json",
            #"{"target": "c", "binary": "bin/fb", "jobs": [{"id": "12", "role": "service", "state": "PENDING"}]}"#)
        let executor = try SlurmExecutor(resuming: run, shell: FakeLoginNode(squeue: "12|RUNNING|None|n1\n"))
        try await executor.refresh()
        let saved = try String(contentsOf: slurm.appendingPathComponent("jobs.json"), encoding: .utf8)
        #expect(saved.contains("RUNNING"))
        // A directory where jobs.json was: the next save cannot rename onto it.
        try FileManager.default.removeItem(at: slurm.appendingPathComponent("jobs.json"))
        try FileManager.default.createDirectory(
            at: slurm.appendingPathComponent("jobs.json/blocked"), withIntermediateDirectories: true)
        await #expect(throws: WorkspaceError.self) { try await executor.refresh() }
    }
}
