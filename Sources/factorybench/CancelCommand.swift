import ArgumentParser

struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel every job of a cluster run that has not ended.")

    @OptionGroup var cluster: ClusterRunOptions

    func run() async throws {
        for job in try await cluster.control.cancel(cluster.id) { print("\(job.role): \(job.summary)") }
    }
}
