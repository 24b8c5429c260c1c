/// Makes the executor of a run: the seam between the `run` pipeline and where a recipe runs,
/// so the pipeline is tested with a fake executor and never names a concrete one.
public protocol ExecutorFactory: Sendable {
    /// Every check of the recipe against its target, made before anything is written; a
    /// problem is a `RecipeError` at the key to change.
    func check(_ recipe: Recipe) throws
    /// The executor of a run whose directory now exists.
    func make(recipe: Recipe, benchmarkID: String, directory: RunDirectory, clock: WallAnchoredClock) throws -> any Executor
}
