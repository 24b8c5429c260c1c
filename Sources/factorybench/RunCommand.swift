import ArgumentParser
import FactoryBenchCore
import FactoryBenchPipeline
import Foundation

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a recipe: deploy, run the clients, collect, aggregate, report and rebuild the site.")

    @Argument(help: "The recipe file (YAML).")
    var recipe: String

    @OptionGroup var options: WorkspaceOptions

    func run() async throws {
        let workspace = options.workspace
        let outcome = try await RunPipeline(
            recipePath: recipe, workspace: workspace, templatesDirectory: options.templatesDirectory,
            output: ConsoleOutput()
        ).run()
        let root = workspace.root.path
        func relative(_ url: URL) -> String {
            url.path.hasPrefix(root + "/") ? String(url.path.dropFirst(root.count + 1)) : url.path
        }
        print("Status: \(outcome.status.rawValue)" + (outcome.statusReason.map { " (\($0))" } ?? ""))
        if let summary = outcome.summary, let latency = summary.latency {
            print(
                "Requests: \(summary.totalRequests), \(String(format: "%.1f", summary.requestsPerSecond)) req/s, "
                    + "p50 \(String(format: "%.3f", latency.p50 * 1000)) ms, p95 \(String(format: "%.3f", latency.p95 * 1000)) ms, "
                    + "success \(String(format: "%.2f", summary.successRate)) %")
        }
        print("Results: \(relative(outcome.results.url))/")
        print("Report:  \(relative(outcome.reportDirectory))/report.md")
        print("Site:    \(relative(outcome.sitePage)) (index: \(relative(workspace.siteDirectory))/index.html)")
        if outcome.status != .completed { throw ExitCode.failure }
    }
}
