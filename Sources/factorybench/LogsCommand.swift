import ArgumentParser

struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Print the end of each log of a cluster run, read on the cluster.")

    @OptionGroup var cluster: ClusterRunOptions

    @Option(name: [.customShort("n"), .long], help: "Lines from the end of each log.")
    var lines = 40

    func validate() throws {
        guard lines > 0 else { throw ValidationError("--lines must be at least 1") }
    }

    func run() async throws {
        print(try await cluster.control.logs(cluster.id, lines: lines), terminator: "")
    }
}
