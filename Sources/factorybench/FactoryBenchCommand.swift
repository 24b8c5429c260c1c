import ArgumentParser
import FactoryBenchCore
import FactoryBenchNetwork
import Foundation

/// The `factorybench` command line: one subcommand per file, each a thin shell around one
/// library call. Exit codes: 0 ok, 1 failure, 2 invalid input, 3 regression (compare), 130 detached from a cluster run.
@main
struct FactoryBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "factorybench",
        abstract: "Benchmark AI-factory services and publish the results as a static site.",
        discussion: """
            Exit codes: 0 success, 1 the run or a step failed, 2 invalid input \
            (recipe, flag, unknown run id), 3 a regression found by compare --fail-on-regression, \
            130 run detached from a cluster run (Ctrl+C).
            """,
        version: "factorybench \(ToolInfo.version)" + (ToolInfo.commit.map { " (\($0.prefix(12)))" } ?? ""),
        subcommands: [
            RunCommand.self, ValidateCommand.self, PlanCommand.self, ListCommand.self, ReportCommand.self,
            AggregateCommand.self, CompareCommand.self, SiteCommand.self, ServeCommand.self, WatchCommand.self,
            CollectCommand.self,
            CancelCommand.self, LogsCommand.self, NodeCommand.self,
        ])

    static func main() async {
        NetworkRuntime.runTasksOnEventLoops()
        do {
            var command = try parseAsRoot(LegacyArguments.rewrite(Array(CommandLine.arguments.dropFirst())))
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            finish(with: error)
        }
    }

    /// Prints the error as one line and exits with the documented code.
    static func finish(with error: any Error) -> Never {
        if error is InputError {
            printError(error)
            Foundation.exit(2)
        }
        if let code = error as? ExitCode {
            Foundation.exit(code.rawValue)
        }
        if exitCode(for: error) == .success {
            // --help, --version
            exit(withError: error)
        }
        if error is LocalizedError {
            printError(error)
            Foundation.exit(1)
        }
        // A usage error from the argument parser: its message with the usage, code 2.
        FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
        Foundation.exit(2)
    }

    static func printError(_ error: any Error) {
        let message = (error as? LocalizedError)?.errorDescription ?? "\(error)"
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }
}
