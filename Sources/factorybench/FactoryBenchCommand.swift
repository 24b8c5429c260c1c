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
            CancelCommand.self, LogsCommand.self, SweepReportCommand.self, ExportCommand.self, NodeCommand.self,
        ])

    static func main() async {
        #if canImport(Glibc)
            // Arrays of up to 32 MB come from the heap and freed memory stays there, so that
            // aggregation reuses pages instead of having fresh ones mapped and zeroed for each
            // sort and merge (a tenth of aggregating a large file went to page faults).
            _ = mallopt(mmapThreshold, 32 << 20)
            _ = mallopt(trimThreshold, 1 << 30)
        #endif
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

#if canImport(Glibc)
    /// glibc's `mallopt` (malloc.h, which the Glibc module leaves out) and two of its
    /// parameters.
    @_silgen_name("mallopt")
    private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
    private let trimThreshold: Int32 = -1  // M_TRIM_THRESHOLD
    private let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
#endif
