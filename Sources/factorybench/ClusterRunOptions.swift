import ArgumentParser
import FactoryBenchPipeline

/// The run id and workspace that `watch`, `collect`, `cancel` and `logs` share.
struct ClusterRunOptions: ParsableArguments {
    @Argument(help: "A run id (a directory under results/) or the path of a results directory.")
    var id: String

    @OptionGroup var workspace: WorkspaceOptions

    var control: SlurmRunControl {
        SlurmRunControl(
            workspace: workspace.workspace, templatesDirectory: workspace.templatesDirectory, output: ConsoleOutput())
    }

    /// Prints where a followed run's results are; a run that did not complete exits with 1.
    func finish(_ outcome: RunPipeline.Outcome) throws {
        RunCommand.printOutcome(outcome, workspace: workspace.workspace)
        if outcome.status != .completed { throw ExitCode.failure }
    }
}
