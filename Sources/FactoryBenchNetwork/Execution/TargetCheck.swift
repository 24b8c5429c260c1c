import FactoryBenchCore

/// Whether the recipe's target can run it: the one check that `validate`, `plan` and `run`
/// make alike, after the recipe itself is valid and before anything is written. Every
/// problem is a `RecipeError` at the key to change.
public enum TargetCheck {
    /// Checks each recipe (a sweep's points) and throws every problem at once.
    public static func check(_ recipes: [Recipe]) throws {
        let diagnostics = Diagnostics()
        for recipe in recipes {
            if recipe.isLocal {
                diagnostics.attempt { try LocalComponents.check(recipe) }
            } else {
                diagnostics.attempt { try SlurmExecutor.check(recipe) }
            }
            // The client is made as the machine that runs it will make it (prompt files are read).
            diagnostics.attempt { _ = try LocalComponents.client(for: recipe) }
        }
        try diagnostics.check()
    }
}
