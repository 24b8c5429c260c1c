import ArgumentParser
import FactoryBenchCore
import FactoryBenchNetwork

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the fully resolved recipe (defaults marked) and what a run would start.")

    @Argument(help: "The recipe file (YAML).")
    var recipe: String

    @OptionGroup var recipeOptions: RecipeOverrideOptions

    func run() throws {
        let overrides = try recipeOptions.parsed()
        let loaded = try RecipeLoader.load(path: recipe, overrides: overrides)
        let points = try RecipeLoader.points(of: loaded, overrides: overrides)
        try TargetCheck.check(points)
        print(RecipePlan.text(for: loaded, points: points, execution: LocalComponents.describe), terminator: "")
        print(RecipePlan.batchScripts(for: points[0]), terminator: "")
    }
}
