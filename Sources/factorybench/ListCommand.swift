import ArgumentParser
import FactoryBenchCore
import Foundation

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the runs of the workspace, newest first.")

    @OptionGroup var options: WorkspaceOptions

    func run() throws {
        let workspace = options.workspace
        let rows = workspace.runIDs().compactMap { id -> (String, String)? in
            guard let manifest = try? RunManifest.read(from: workspace.results(id).manifest) else { return nil }
            let summary = (try? Data(contentsOf: workspace.results(id).summary)).flatMap {
                try? JSONDecoder().decode(RunSummary.self, from: $0)
            }
            let numbers =
                summary.map {
                    "\($0.totalRequests) requests, \(String(format: "%.1f", $0.requestsPerSecond)) req/s"
                        + ($0.latency.map { String(format: ", p95 %.3f ms", $0.p95 * 1000) } ?? "")
                } ?? "no summary"
            return (manifest.startedAt, "\(id)  \(manifest.status.rawValue)  \(numbers)")
        }
        if rows.isEmpty { print("No runs in \(workspace.resultsRoot.path)") }
        for row in rows.sorted(by: { $0.0 > $1.0 }) { print(row.1) }
    }
}
