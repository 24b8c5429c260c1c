import ArgumentParser
import FactoryBenchCore
import Foundation

struct AggregateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregate",
        abstract: "Aggregate request files (FactoryBench's or the old framework's) into a summary.")

    @Argument(help: "JSONL request files, aggregated together in the order given.")
    var files: [String]

    @Option(name: .shortAndLong, help: "Write summary.json here instead of printing it.")
    var output: String?

    @Option(help: "Successful requests up to which percentiles are exact; HdrHistograms beyond.")
    var exactLimit: Int = Aggregator.defaultExactLimit

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one request file") }
        guard exactLimit >= 0 else { throw ValidationError("--exact-limit must be 0 or more") }
        for file in files where !FileManager.default.fileExists(atPath: file) {
            throw ValidationError("request file '\(file)' does not exist")
        }
    }

    func run() throws {
        let summary = try Aggregator.aggregate(files: files.map { URL(fileURLWithPath: $0) }, exactLimit: exactLimit)
        let json = try AtomicFile.encodeJSON(summary)
        if let output {
            try AtomicFile.write(json, to: URL(fileURLWithPath: output))
            print(
                "Aggregated \(summary.totalRequests) requests (\(summary.skippedLines.total) lines skipped) into \(output)")
        } else {
            FileHandle.standardOutput.write(json)
        }
    }
}
