import ArgumentParser
import FactoryBenchCore
import FactoryBenchNetwork

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the fully resolved recipe (defaults marked) and what a run would start.")

    @Argument(help: "The recipe file (YAML).")
    var recipe: String

    @Option(name: .customLong("set"), help: "Override a recipe value: key.path=value (YAML). Repeatable.")
    var overrides: [String] = []

    @Option(help: "Where to run, overriding configuration.target (e.g. local).")
    var target: String?

    /// `--set` overrides, with `--target` last so it wins.
    var allOverrides: [String] { overrides + (target.map { ["configuration.target=\($0)"] } ?? []) }

    func run() throws {
        let overrides = try allOverrides.map(RecipeOverride.init)
        let loaded = try RecipeLoader.load(path: recipe, overrides: overrides)
        let points = try RecipeLoader.points(of: loaded, overrides: overrides)
        print(RecipePlan.text(for: loaded, points: points, execution: LocalComponents.describe), terminator: "")
    }
}
