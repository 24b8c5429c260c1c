import ArgumentParser
import FactoryBenchCore
import FactoryBenchNetwork
import FactoryBenchPipeline
import Foundation

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a recipe: deploy, run the clients, collect, aggregate, report and rebuild the site.",
        discussion: "A recipe with a sweep runs every point in turn, under one sweep id.")

    @Argument(help: "The recipe file (YAML); none with --rerun.")
    var recipe: String?

    @Option(help: "Run again what run ID ran: the recipe its run.json keeps (a sweep point: that point).")
    var rerun: String?

    @Flag(name: .customLong("auto-sweep"), help: "Find the service's capacity: the same as sweep: auto in the recipe.")
    var autoSweep = false

    @OptionGroup var recipeOptions: RecipeOverrideOptions

    @OptionGroup var options: WorkspaceOptions

    func validate() throws {
        if (recipe == nil) == (rerun == nil) {
            throw ValidationError(
                recipe == nil ? "give a recipe file, or --rerun ID" : "give a recipe file or --rerun ID, not both")
        }
    }

    func run() async throws {
        let workspace = options.workspace
        let points: [Recipe]
        if let rerun {
            points = try Self.rerunPoints(of: rerun, in: workspace, overrides: recipeOptions.parsed())
        } else {
            points = try RecipeLoader.points(path: recipe ?? "", overrides: recipeOptions.parsed())
        }
        if points.count == 1, autoSweep || points[0].autoSweep != nil {
            let sweep = AutoSweepRunner(
                recipe: points[0], settings: points[0].autoSweep ?? AutoSweepSettings(), workspace: workspace,
                templatesDirectory: options.templatesDirectory)
            if try await sweep.run() > 0 { throw ExitCode.failure }
            return
        }
        // Every point is checked against its target before the first runs: a point the target
        // refuses must not be found after the earlier ones wrote their results.
        if points.count > 1 { try TargetCheck.check(points) }
        let sweepID = points.count > 1 ? try workspace.createSweepID(name: points[0].name, at: Date()) : nil
        if let sweepID { print("Sweep \(sweepID): \(points.count) points") }
        var failed = 0
        for (index, point) in points.enumerated() {
            if sweepID != nil {
                let values = point.sweepPoint.sorted { $0.key < $1.key }.map { "\($0.key)=\(RecipePlan.scalar($0.value))" }
                print("Point \(index + 1)/\(points.count): \(values.joined(separator: ", "))")
            }
            let outcome = try await Self.runPoint(
                point, sweepID: sweepID, workspace: workspace, templatesDirectory: options.templatesDirectory)
            if outcome?.status != .completed { failed += 1 }
        }
        if failed > 0 { throw ExitCode.failure }
    }

    /// Runs one recipe (a point of a sweep when `sweepID` is set) to the end and prints how it
    /// went; nil when a point of a sweep failed (the sweep goes on).
    static func runPoint(
        _ point: Recipe, sweepID: String?, workspace: Workspace, templatesDirectory: URL?
    ) async throws -> RunPipeline.Outcome? {
        do {
            var pipeline = RunPipeline(
                recipe: point, sweepID: sweepID, workspace: workspace, templatesDirectory: templatesDirectory,
                output: ConsoleOutput())
            pipeline.interruptDetaches = true
            let outcome = try await pipeline.run()
            printOutcome(outcome, workspace: workspace)
            return outcome
        } catch let error as InputError {
            throw error
        } catch ExecutionError.detached(let id) {
            print(ExecutionError.detached(benchmarkID: id).errorDescription ?? "")
            throw ExitCode(130)
        } catch {
            guard sweepID != nil else { throw error }
            FactoryBenchCommand.printError(error)
            return nil
        }
    }

    /// The recipe run `id` ran, from its `run.json`: the recipe file as it was (at its
    /// path, so relative paths in it mean what they meant), or the old framework's resolved
    /// recipe (JSON is YAML); of a sweep, the point the run was.
    static func rerunPoints(of id: String, in workspace: Workspace, overrides: [RecipeOverride]) throws -> [Recipe] {
        let manifest = try RunManifest.read(from: workspace.resolveRun(id).manifest)
        let path = URL(fileURLWithPath: manifest.recipePath, relativeTo: workspace.root).standardizedFileURL.path
        var text = manifest.recipeVerbatim
        if text.isEmpty {
            text = String(decoding: try JSONEncoder().encode(manifest.recipeResolved), as: UTF8.self) + "\n"
        }
        let recipe = try RecipeLoader.parse(text, path: path, name: manifest.recipeName, overrides: overrides)
        let points = try RecipeLoader.points(of: recipe, overrides: overrides)
        guard let point = manifest.sweepPoint else { return points }
        return points.filter { $0.sweepPoint == point }
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
