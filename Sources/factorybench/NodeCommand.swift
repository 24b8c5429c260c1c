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
        subcommands: [Probe.self, Prepare.self, Client.self, Barrier.self, Sample.self, FreePort.self])

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

    /// Which client this process is and whom it waits for: `--client-id`, else its Slurm
    /// task number (one `srun` starts every client of the run).
    struct Start: ParsableArguments {
        @Option(name: .customLong("client-id"), help: "This client's number (default: $SLURM_PROCID).")
        var clientID: Int?
        @Option(help: "Directory of the start barrier every client sees (none: start at once).")
        var barrier: String?
        @Option(help: "Clients behind the barrier.")
        var clients: Int?
        @Option(name: .customLong("start-timeout"), help: "Seconds client 0 waits for the others.")
        var startTimeout: Double = 300

        func resolvedClientID() throws -> Int {
            if let clientID { return clientID }
            guard let task = ProcessInfo.processInfo.environment["SLURM_PROCID"].flatMap({ Int($0) }) else {
                throw ValidationError("--client-id is needed outside a Slurm task (no SLURM_PROCID)")
            }
            return task
        }

        func startBarrier() throws -> StartBarrier? {
            guard let barrier else { return nil }
            guard let clients, clients >= 1 else { throw ValidationError("--barrier needs --clients, the number of clients") }
            return StartBarrier(directory: URL(fileURLWithPath: barrier), clients: clients, timeout: startTimeout)
        }
    }

    struct Client: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run one load client to the end.")
        @OptionGroup var paths: Paths
        @Option(name: .customLong("benchmark-id"), help: "The run's id.")
        var benchmarkID: String
        @OptionGroup var start: Start
        @Option(help: "Where the client's JSONL goes (default: clients/client-<id>.jsonl).")
        var output: String?

        func run() async throws {
            let clientID = try start.resolvedClientID()
            try await NodeRole.runClient(
                recipe: paths.load(), endpointFile: paths.endpointFile, benchmarkID: benchmarkID, clientID: clientID,
                output: URL(fileURLWithPath: output ?? "clients/client-\(clientID).jsonl"), barrier: start.startBarrier())
        }
    }

    /// For a recipe's own client command: returns at the common start (its `client_delay`
    /// offset after it), then the script runs the command.
    struct Barrier: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Wait for every client, then return at the start.")
        @Option(help: "The resolved recipe the run uploaded.")
        var recipe: String
        @OptionGroup var start: Start

        func run() async throws {
            let clientID = try start.resolvedClientID()
            guard let barrier = try start.startBarrier() else { throw ValidationError("--barrier is needed") }
            let recipe = try RecipeLoader.load(path: recipe)
            let clock = WallAnchoredClock()
            let passage = try await barrier.pass(
                clientID: clientID, node: ToolInfo.nodeName, offset: recipe.startOffset(ofClient: clientID), clock: clock)
            // What `node client` writes beside its records, so the run knows this client's
            // node and start too.
            var usage = ClientProcessUsage(clientID: clientID, host: ToolInfo.nodeName, cpuSeconds: 0, runSeconds: 0, cores: 0)
            usage.readyAt = passage.readyAt
            usage.startAt = passage.startAt
            try AtomicFile.writeJSON(
                usage, to: ClientProcessUsage.url(forRecords: URL(fileURLWithPath: "clients/client-\(clientID).jsonl")))
        }
    }

    /// Beside the service, in its job: samples it (and the host, GPUs, the server's own
    /// statistics) until the job's script ends.
    struct Sample: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sample the service's process tree, host, GPUs and server statistics until --watch ends.")
        @OptionGroup var paths: Paths
        @Option(help: "The pid whose process tree is the service (the job's script); sampling ends with it.")
        var watch: Int
        @Option(help: "Directory of the telemetry files.")
        var output: String = "telemetry"

        func run() async throws {
            try await NodeRole.sample(
                recipe: paths.load(), endpointFile: paths.endpointFile, watching: watch,
                directory: URL(fileURLWithPath: output))
        }
    }

    struct FreePort: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "free-port", abstract: "Print a free TCP port.")

        func run() throws {
            print(try Readiness.freePort())
        }
    }
}
