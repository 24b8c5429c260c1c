import ArgumentParser

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow a cluster run that `run` detached from (Ctrl+C) to its end: wait, collect, report, site.")

    @OptionGroup var cluster: ClusterRunOptions

    func run() async throws {
        try cluster.finish(try await cluster.control.watch(cluster.id))
    }
}
