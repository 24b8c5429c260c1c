import ArgumentParser

struct CollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Copy back what a cluster run's clients have written so far and report it; the jobs keep running.")

    @OptionGroup var cluster: ClusterRunOptions

    func run() async throws {
        try cluster.finish(try await cluster.control.collect(cluster.id))
    }
}
