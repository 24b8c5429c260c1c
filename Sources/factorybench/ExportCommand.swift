import ArgumentParser
import FactoryBenchCore
import FactoryBenchRendering
import Foundation

/// `factorybench export ID --format prometheus|csv|json`: a run's summary as metrics.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Print a run's summary as metrics: Prometheus text (as reports/<id>/metrics.txt), CSV or JSON.")

    @Argument(help: "A run id (a directory under results/) or the path of a results directory.")
    var id: String

    @Option(help: "prometheus, csv or json.")
    var format: String = "prometheus"

    @Option(name: [.customShort("o"), .long], help: "Write to this file instead of standard output.")
    var output: String?

    @OptionGroup var options: WorkspaceOptions

    func validate() throws {
        guard MetricsExport.Format(rawValue: format) != nil else {
            throw ValidationError(
                "unknown --format '\(format)': use one of \(MetricsExport.Format.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
    }

    func run() throws {
        let run = try options.workspace.resolveRun(id)
        let manifest = try RunManifest.read(from: run.manifest)
        guard let summary = run.readSummary() else {
            throw ValidationError(
                "run \(id) has no summary yet (\(run.summary.path)): make it with `factorybench report \(id)`")
        }
        let text = MetricsExport(manifest: manifest, summary: summary).render(MetricsExport.Format(rawValue: format)!)
        if let output {
            try AtomicFile.write(text, to: URL(fileURLWithPath: output))
        } else {
            print(text, terminator: "")
        }
    }
}
