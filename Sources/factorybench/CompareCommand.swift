import ArgumentParser
import FactoryBenchCore
import FactoryBenchPipeline
import Foundation

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two runs metric by metric, with significance tests and a noise threshold.",
        discussion: "With --fail-on-regression the exit code is 3 when any metric regressed.")

    @Argument(help: "The base run: an id under results/ or a results directory.")
    var base: String

    @Argument(help: "The current run: an id under results/ or a results directory.")
    var current: String

    @Option(help: "Noise threshold: a relative change smaller than this is never a regression.")
    var threshold: Double = 0.05

    @Option(help: "Significance level after Holm's correction over the metrics tested.")
    var alpha: Double = 0.01

    @Option(help: "Level of the change intervals.")
    var confidence: Double = 0.95

    @Option(help: "Bootstrap replicates.")
    var replicates: Int = 1000

    @Flag(help: "Exit with code 3 when any metric regressed.")
    var failOnRegression = false

    /// The old `--compare A B`: prints `RESULT: PASS` or `RESULT: FAIL` and exits with 1 on a
    /// regression, as the old framework did.
    @Flag(help: .hidden)
    var oldVerdict = false

    @OptionGroup var options: WorkspaceOptions

    func validate() throws {
        guard threshold >= 0 && threshold < 10 else { throw ValidationError("--threshold must be between 0 and 10") }
        guard alpha > 0 && alpha < 1 else { throw ValidationError("--alpha must be between 0 and 1") }
        guard confidence > 0 && confidence < 1 else { throw ValidationError("--confidence must be between 0 and 1") }
        guard replicates >= 100 else { throw ValidationError("--replicates must be at least 100") }
    }

    func run() throws {
        var comparisonOptions = ComparisonOptions()
        comparisonOptions.threshold = threshold
        comparisonOptions.alpha = alpha
        comparisonOptions.confidence = confidence
        comparisonOptions.replicates = replicates
        let (comparison, directory) = try ComparePipeline(
            workspace: options.workspace, templatesDirectory: options.templatesDirectory, options: comparisonOptions
        ).compare(base: base, current: current)
        if !comparison.differences.isEmpty {
            print("Set-up differs in: " + comparison.differences.map(\.key).joined(separator: ", "))
        }
        for metric in comparison.metrics {
            let change = metric.change.map { String(format: "%+.1f %%", $0 * 100) } ?? "–"
            print(
                "  \(metric.name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(change.padding(toLength: 10, withPad: " ", startingAt: 0)) \(metric.verdict.rawValue)"
            )
        }
        print("Comparison: \(directory.path)/comparison.md")
        print("Site: \(options.workspace.siteDirectory.path)/compare/\(comparison.id)/index.html")
        if oldVerdict {
            print(comparison.hasRegression ? "RESULT: FAIL - REGRESSIONS DETECTED" : "RESULT: PASS - NO SIGNIFICANT REGRESSIONS")
        }
        if failOnRegression && comparison.hasRegression { throw ExitCode(3) }
        if oldVerdict && comparison.hasRegression { throw ExitCode.failure }
    }
}
