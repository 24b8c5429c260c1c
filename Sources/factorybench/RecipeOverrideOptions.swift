import ArgumentParser
import FactoryBenchCore

/// `--set` and `--target`, shared by the commands that load a recipe to run or plan it.
struct RecipeOverrideOptions: ParsableArguments {
    @Option(name: .customLong("set"), help: "Override a recipe value: key.path=value (YAML). Repeatable.")
    var overrides: [String] = []

    @Option(help: "Where to run, overriding configuration.target (e.g. local).")
    var target: String?

    /// `--set` overrides, with `--target` last so it wins.
    func parsed() throws -> [RecipeOverride] {
        try (overrides + (target.map { ["configuration.target=\($0)"] } ?? [])).map(RecipeOverride.init)
    }
}
