/// Collects every problem of a recipe, so that one `validate` reports them all, sorted by
/// position, instead of stopping at the first.
public final class Diagnostics {
    public init() {}

    private(set) var errors: [RecipeError] = []

    public func record(_ error: any Error) {
        guard let error = error as? RecipeError else {
            errors.append(.unsupported(SourceLocation(file: "?", line: 0, column: 0), problem: "\(error)"))
            return
        }
        if case .multiple(let inner) = error {
            errors.append(contentsOf: inner)
        } else if !errors.contains(error) {
            errors.append(error)
        }
    }

    /// Runs `body`, recording what it throws; `nil` when it threw.
    @discardableResult
    public func attempt<T>(_ body: () throws -> T) -> T? {
        do {
            return try body()
        } catch {
            record(error)
            return nil
        }
    }

    /// Throws the problems (sorted by position) if there are any.
    public func check() throws {
        guard !errors.isEmpty else { return }
        if errors.count == 1 { throw errors[0] }
        throw RecipeError.multiple(
            errors.sorted {
                ($0.location?.line ?? 0, $0.location?.column ?? 0) < ($1.location?.line ?? 0, $1.location?.column ?? 0)
            })
    }
}
