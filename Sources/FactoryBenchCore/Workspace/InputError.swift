import Foundation

/// Marks errors caused by what the user passed in (a recipe, an id, a flag): the command
/// exits with code 2 for these, and with 1 for failures of the run itself.
public protocol InputError: Error {}

extension RecipeError: InputError {}

/// A run id or results directory that does not exist in the workspace.
public struct RunNotFoundError: InputError, LocalizedError, Equatable {
    public var id: String
    public var resultsRoot: String

    public init(id: String, resultsRoot: String) {
        self.id = id
        self.resultsRoot = resultsRoot
    }

    public var errorDescription: String? {
        "no run '\(id)' in \(resultsRoot); list the runs with `ls \(resultsRoot)` or pass a results directory"
    }
}
