import ArgumentParser
import FactoryBenchPipeline

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Re-aggregate a run from its request files and re-render its report.")

    @Argument(help: "A run id (a directory under results/) or the path of a results directory.")
    var id: String

    @OptionGroup var options: WorkspaceOptions

    func run() throws {
        let (directory, summary) = try ReportPipeline(
            workspace: options.workspace, templatesDirectory: options.templatesDirectory
        ).report(id)
        print("Aggregated \(summary.totalRequests) requests")
        print("Report: \(directory.path)/report.md")
    }
}
