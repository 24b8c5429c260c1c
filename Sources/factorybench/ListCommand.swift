import ArgumentParser
import FactoryBenchCore
import Foundation

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the runs of the workspace, newest first.")

    @OptionGroup var options: WorkspaceOptions

    func run() throws {
        let workspace = options.workspace
        let (runs, unreadable) = workspace.runs()
        if runs.isEmpty && unreadable.isEmpty { print("No runs in \(workspace.resultsRoot.path)") }
        for run in runs {
            let summary = run.directory.readSummary()
            let numbers =
                summary.map {
                    "\($0.totalRequests) requests, \(String(format: "%.1f", $0.requestsPerSecond)) req/s"
                        + ($0.latency.map { String(format: ", p95 %.3f ms", $0.p95 * 1000) } ?? "")
                } ?? "no summary"
            print("\(run.id)  \(run.manifest.status.rawValue)  \(numbers)")
        }
        for id in unreadable { print("\(id)  run.json cannot be read") }
    }
}
