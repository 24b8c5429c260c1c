import ArgumentParser
import FactoryBenchCore
import FactoryBenchNetwork

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract:
            "Check recipe files, and that their target can run them: every problem is reported with "
            + "file:line:column; exit code 2 if any.")

    @Argument(help: "Recipe files.")
    var recipes: [String]

    func run() throws {
        var invalid = 0
        for path in recipes {
            do {
                let points = try RecipeLoader.points(path: path)
                try TargetCheck.check(points)
                print("\(path): ok" + (points.count > 1 ? " (sweep of \(points.count) points)" : ""))
            } catch let error as RecipeError {
                FactoryBenchCommand.printError(error)
                invalid += 1
            }
        }
        if invalid > 0 { throw ExitCode(2) }
    }
}
