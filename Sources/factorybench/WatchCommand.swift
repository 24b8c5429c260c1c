import ArgumentParser
import FactoryBenchCore
import FactoryBenchPipeline
import Foundation

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow a cluster run that `run` detached from (Ctrl+C) to its end: wait, collect, report, site.")

    @OptionGroup var cluster: ClusterRunOptions

    /// The old `--watch ID`: a run that has already ended is shown with its summary, exit 0.
    @Flag(help: .hidden)
    var endedIsFine = false

    func run() async throws {
        do {
            try cluster.finish(try await cluster.control.watch(cluster.id))
        } catch  where endedIsFine && (error is RunAlreadyEndedError || error is NotASlurmRunError) {
            // The old form shows a run that has ended (a local run always has) instead.
            let workspace = cluster.workspace.workspace
            guard let run = try? workspace.resolveRun(cluster.id), let manifest = try? RunManifest.read(from: run.manifest),
                manifest.status != .running
            else { throw error }
            let id = run.url.lastPathComponent
            print("Run \(id) has already ended: \(manifest.status.rawValue).")
            if let summary = run.readSummary() {
                print(
                    "Total requests: \(summary.totalRequests), success rate: "
                        + String(format: "%.2f %%, duration: %.2f s", summary.successRate, summary.testDurationSeconds))
            }
            print("`factorybench report \(id)` renders it again.")
        }
    }
}
