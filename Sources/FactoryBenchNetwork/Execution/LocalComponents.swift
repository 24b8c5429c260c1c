import FactoryBenchCore
import Foundation

/// The services this machine can start and the clients that load them: what the local
/// executor runs for each service and client type.
public enum LocalComponents {
    /// The service and client for a recipe, or a `RecipeError` saying why this machine
    /// cannot run it — before anything is started or written.
    public static func make(for recipe: Recipe, scratchDirectory: URL) throws -> (any Service, any LoadClient) {
        try check(recipe)
        let port = recipe.service.options["port"]?.intValue
        let command = recipe.service.options["command"]?.stringValue
        let environment = (recipe.service.options["env"]?.mapValue ?? [:]).mapValues { RecipePlan.scalar($0) }
        let readyTimeout = recipe.service.options["ready_timeout"]?.doubleValue ?? 120
        let client = try client(for: recipe)
        switch recipe.service.type {
        case .sqlite:
            return (SQLiteService(directory: scratchDirectory, settings: recipe.service.settings), client)
        case .postgres:
            return (PostgresService(settings: recipe.service.settings, port: port, readyTimeoutSeconds: readyTimeout), client)
        case .redis:
            return (RedisService(settings: recipe.service.settings, port: port, readyTimeoutSeconds: readyTimeout), client)
        case .chroma:
            // The chroma type's own `port` setting counts only when the recipe sets it: its
            // default (8000) is for the cluster, where the node is the service's alone.
            let written =
                recipe.defaulted.contains("service.settings.port") ? nil : recipe.service.settings["port"]?.intValue
            let chosen = try port ?? written ?? Readiness.freePort()
            let arguments =
                command.map(ProcessService.shell) ?? [
                    "chroma", "run", "--path", scratchDirectory.appendingPathComponent("chroma").path, "--host",
                    "127.0.0.1", "--port", "\(chosen)",
                ]
            let service = ProcessService(
                name: "chroma", arguments: arguments, port: chosen, environment: environment, scratch: scratchDirectory,
                timeoutSeconds: readyTimeout,
                probe: { port in await ServiceProbe.ready(.chroma, host: "127.0.0.1", port: port) },
                version: { port in await ServiceProbe.version(.chroma, host: "127.0.0.1", port: port) })
            return (service, client)
        case .vllm, .ollama, .nginx, .http, .minio, .qdrant, .generic:
            let kind = recipe.service.type
            let service = ProcessService(
                name: recipe.service.type.rawValue, arguments: ProcessService.shell(command ?? ""),
                port: try port ?? Readiness.freePort(), environment: environment, timeoutSeconds: readyTimeout,
                probe: { port in await ServiceProbe.ready(kind, host: "127.0.0.1", port: port) },
                version: { port in await ServiceProbe.version(kind, host: "127.0.0.1", port: port) })
            return (service, client)
        }
    }

    /// Whether this machine can run a recipe, with the location of the key to change when
    /// it cannot; `TargetCheck` calls it for `validate`, `plan` and `run` alike.
    public static func check(_ recipe: Recipe) throws {
        guard recipe.isLocal else {
            throw RecipeError.unsupported(
                recipe.locate("configuration.target"),
                problem: "target '\(recipe.target)' runs on Slurm, not with the local executor")
        }
        for section in ["service", "client"] {
            let options = section == "service" ? recipe.service.options : recipe.client.options
            if let nodes = options["nodes"]?.intValue, nodes > 1 {
                throw RecipeError.unsupported(
                    recipe.locate("\(section).nodes"),
                    problem: "the local executor runs on this one machine; \(section).nodes: \(nodes) needs a Slurm target")
            }
        }
        if recipe.client.options["command"] != nil, recipe.client.type != .command {
            throw RecipeError.unsupported(
                recipe.locate("client.command"),
                problem: "client.command beside a client type replaces the built-in client in Slurm jobs only; the local "
                    + "executor runs the built-in \(recipe.client.type.rawValue) client — remove client.command, or "
                    + "client.type to run the command itself as the client")
        }
        let type = recipe.service.type
        guard recipe.service.options["command"] == nil else { return }
        switch type {
        case .sqlite, .postgres, .redis:
            return
        case .chroma:
            guard ChildProcess.resolve("chroma") != nil else {
                throw RecipeError.unsupported(
                    recipe.locate("service.type"),
                    problem: "a local chroma service needs the 'chroma' command on PATH "
                        + "(python3 -m venv V && V/bin/pip install chromadb) or service.command")
            }
        case .nginx, .http, .minio, .qdrant, .generic:
            throw RecipeError.unsupported(
                recipe.locate("service.type"),
                problem: ServiceError.missingCommand(service: type.rawValue).errorDescription ?? "")
        case .vllm, .ollama:
            throw RecipeError.unsupported(
                recipe.locate("service.type"),
                problem: "a local \(type.rawValue) service needs service.command, the command that "
                    + "starts the server ($PORT holds the port it should listen on), e.g. python3 -m llama_cpp.server "
                    + "--model MODEL.gguf --host 127.0.0.1 --port $PORT")
        }
    }

    /// The load client for a recipe, on whatever machine runs it (here, or a compute node
    /// running `factorybench node client`).
    public static func client(for recipe: Recipe) throws -> any LoadClient {
        let (settings, load) = (recipe.client.settings, recipe.load)
        switch recipe.client.type {
        case .sqliteStress:
            return SQLiteStressClient(settings: settings, serviceSettings: recipe.service.settings, load: load)
        case .postgresSmoke, .postgresStress: return PostgresClient(kind: recipe.client.type, settings: settings, load: load)
        case .redisStress: return RedisClient(settings: settings, load: load)
        case .chromaHealthcheck, .chromaStress: return ChromaClient(kind: recipe.client.type, settings: settings, load: load)
        case .httpSmoke, .httpStress, .nginxHealthcheck:
            return HTTPLoadClient(kind: recipe.client.type, settings: settings, load: load)
        case .minioStress: return S3Client(settings: settings, serviceEnvironment: recipe.service.options["env"], load: load)
        case .qdrantSmoke, .qdrantStress: return QdrantClient(kind: recipe.client.type, settings: settings, load: load)
        case .command: return CommandClient(recipe: recipe)
        case .vllmSmoke, .vllmStress, .ollamaSmoke, .ollamaStress:
            return try LLMClient(
                kind: recipe.client.type, settings: settings, serviceSettings: recipe.service.settings, load: load,
                locate: recipe.locate)
        }
    }

    /// One line on how the local executor would run a recipe, or why it cannot.
    public static func describe(_ recipe: Recipe) -> String {
        guard recipe.isLocal else {
            do {
                try SlurmExecutor.check(recipe)
            } catch {
                return "slurm: cannot run — \((error as? LocalizedError)?.errorDescription ?? "\(error)")"
            }
            let via = recipe.target == "local-slurm" ? "sbatch on this machine" : "ssh \(recipe.target)"
            let image = SlurmBatchScript(recipe: recipe, layout: SlurmLayout(benchmarkID: "ID", binary: "bin")).image
            return "slurm via \(via): one service job (\(recipe.service.type.rawValue)"
                + (recipe.service.options["command"] != nil ? ", service.command" : image.map { ", docker://\($0)" } ?? "")
                + "), then \(recipe.numClients) client job\(recipe.numClients == 1 ? "" : "s") running this executable; "
                + "scripts in results/<id>/slurm/, remote files in ~/factorybench/<id>/"
        }
        let client: any LoadClient
        do {
            (_, client) = try make(for: recipe, scratchDirectory: URL(fileURLWithPath: "/tmp"))
        } catch {
            return "local: cannot run — \((error as? RecipeError)?.errorDescription ?? "\(error)")"
        }
        let plan = client.plan
        let amount: String
        switch plan.measured {
        case .requests(let count): amount = "\(count) requests each"
        case .seconds(let seconds): amount = "for \(RecipePlan.scalar(.double(seconds))) s"
        }
        let loop: String
        switch plan.mode {
        case .closed:
            loop = "closed loop, \(plan.concurrency) request\(plan.concurrency == 1 ? "" : "s") in flight per client"
        case .open:
            loop =
                "open loop at \(RecipePlan.scalar(.double(plan.arrivals?.rate ?? 0))) requests/s per client "
                + "(at most \(plan.concurrency) in flight)"
        }
        let where_ =
            recipe.service.type == .sqlite
            ? "embedded sqlite in a temporary directory" : "\(recipe.service.type.rawValue) started on 127.0.0.1"
        return "local: \(where_); \(recipe.numClients) \(recipe.client.type.rawValue) client"
            + "\(recipe.numClients == 1 ? "" : "s"), \(amount), \(loop); results/<id>/, reports/<id>/, site/"
    }
}
