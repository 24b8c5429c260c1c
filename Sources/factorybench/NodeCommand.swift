import ArgumentParser
import FactoryBenchCore
import FactoryBenchNetwork
import Foundation

/// What the Slurm executor runs on the cluster with the uploaded executable; not for users.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Cluster side of a Slurm run (run by the batch jobs and over ssh).",
        shouldDisplay: false,
        subcommands: [Probe.self, Prepare.self, Client.self, FreePort.self])

    struct Paths: ParsableArguments {
        @Option(help: "The resolved recipe the run uploaded.")
        var recipe: String
        @Option(help: "The service job's service.env (host=, port=).")
        var endpoint: String

        func load() throws -> Recipe { try RecipeLoader.load(path: recipe) }
        var endpointFile: URL { URL(fileURLWithPath: endpoint) }
    }

    struct Probe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Exit 0 and print host=/port=/version= once the service answers, else exit 3.")
        @OptionGroup var paths: Paths

        func run() async throws {
            guard let lines = try await NodeRole.probe(recipe: paths.load(), endpointFile: paths.endpointFile) else {
                print("the service at \(paths.endpoint) does not answer yet")
                throw ExitCode(3)
            }
            print(lines, terminator: "")
        }
    }

    struct Prepare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create the service's database and the client's data.")
        @OptionGroup var paths: Paths

        func run() async throws {
            if let version = try await NodeRole.prepare(recipe: paths.load(), endpointFile: paths.endpointFile) {
                print("version=\(version)")
            }
        }
    }

    struct Client: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run one load client to the end.")
        @OptionGroup var paths: Paths
        @Option(name: .customLong("benchmark-id"), help: "The run's id.")
        var benchmarkID: String
        @Option(name: .customLong("client-id"), help: "This client's number.")
        var clientID: Int
        @Option(help: "Where the client's JSONL goes.")
        var output: String

        func run() async throws {
            try await NodeRole.runClient(
                recipe: paths.load(), endpointFile: paths.endpointFile, benchmarkID: benchmarkID, clientID: clientID,
                output: URL(fileURLWithPath: output))
        }
    }

    struct FreePort: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "free-port", abstract: "Print a free TCP port.")

        func run() throws {
            print(try Readiness.freePort())
        }
    }
}
