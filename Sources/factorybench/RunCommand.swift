import ArgumentParser
import FactoryBenchCore
import FactoryBenchPipeline
import Foundation

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a recipe: deploy, run the clients, collect, aggregate, report and rebuild the site.",
        discussion: "A recipe with a sweep runs every point in turn, under one sweep id.")

    @Argument(help: "The recipe file (YAML).")
    var recipe: String

    @OptionGroup var recipeOptions: RecipeOverrideOptions

    @OptionGroup var options: WorkspaceOptions

    func run() async throws {
        let workspace = options.workspace
        let points = try RecipeLoader.points(path: recipe, overrides: recipeOptions.parsed())
        let sweepID = points.count > 1 ? try workspace.createSweepID(name: points[0].name, at: Date()) : nil
        if let sweepID { print("Sweep \(sweepID): \(points.count) points") }
        var failed = 0
        for (index, point) in points.enumerated() {
            if sweepID != nil {
                let values = point.sweepPoint.sorted { $0.key < $1.key }.map { "\($0.key)=\(RecipePlan.scalar($0.value))" }
                print("Point \(index + 1)/\(points.count): \(values.joined(separator: ", "))")
            }
            do {
                var pipeline = RunPipeline(
                    recipe: point, sweepID: sweepID, workspace: workspace, templatesDirectory: options.templatesDirectory,
                    output: ConsoleOutput())
                pipeline.interruptDetaches = true
                let outcome = try await pipeline.run()
                Self.printOutcome(outcome, workspace: workspace)
                if outcome.status != .completed { failed += 1 }
            } catch let error as InputError {
                throw error
            } catch ExecutionError.detached(let id) {
                print(ExecutionError.detached(benchmarkID: id).errorDescription ?? "")
                throw ExitCode(130)
            } catch {
                guard sweepID != nil else { throw error }
                FactoryBenchCommand.printError(error)
                failed += 1
            }
        }
        if failed > 0 { throw ExitCode.failure }
    }

    static func printOutcome(_ outcome: RunPipeline.Outcome, workspace: Workspace) {
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
        if let comparison = outcome.comparisonID {
            print("Compare: \(relative(workspace.comparisonsRoot))/\(comparison)/comparison.md")
        }
        print("Site:    \(relative(outcome.sitePage)) (index: \(relative(workspace.siteDirectory))/index.html)")
    }
}
