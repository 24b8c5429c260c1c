import FactoryBenchCore
import Foundation

/// The services this machine can start and the clients that load them: what the local
/// executor runs for each service and client type.
public enum LocalComponents {
    /// The service and client for a recipe, or a `RecipeError` saying why this machine
    /// cannot run it — before anything is started or written.
    public static func make(for recipe: Recipe, scratchDirectory: URL) throws -> (any Service, any LoadClient) {
        let location = SourceLocation(file: recipe.path, line: 1, column: 1)
        guard recipe.isLocal else {
            throw RecipeError.unsupported(
                location,
                problem: "target '\(recipe.target)' needs the Slurm executor, which this version does not have yet; "
                    + "use configuration.target: local (or --set configuration.target=local)")
        }
        if recipe.client.options["command"] != nil {
            throw RecipeError.unsupported(
                location,
                problem: "client.command replaces the built-in client in Slurm jobs only; the local executor runs "
                    + "the built-in \(recipe.client.type.rawValue) client — remove client.command or use a Slurm target")
        }
        let port = recipe.service.options["port"]?.intValue
        let command = recipe.service.options["command"]?.stringValue
        let environment = (recipe.service.options["env"]?.mapValue ?? [:]).mapValues { RecipePlan.scalar($0) }
        let readyTimeout = recipe.service.options["ready_timeout"]?.doubleValue ?? 120
        switch (recipe.service.type, recipe.client.type) {
        case (.sqlite, .sqliteStress):
            return (SQLiteService(directory: scratchDirectory, settings: recipe.service.settings), try client(for: recipe))
        case (.postgres, .postgresSmoke), (.postgres, .postgresStress):
            return (
                PostgresService(settings: recipe.service.settings, port: port, readyTimeoutSeconds: readyTimeout),
                try client(for: recipe)
            )
        case (.redis, .redisStress):
            return (
                RedisService(settings: recipe.service.settings, port: port, readyTimeoutSeconds: readyTimeout),
                try client(for: recipe)
            )
        case (.chroma, .chromaHealthcheck), (.chroma, .chromaStress):
            // The chroma type's own `port` setting counts only when the recipe sets it: its
            // default (8000) is for the cluster, where the node is the service's alone.
            let written =
                recipe.defaulted.contains("service.settings.port") ? nil : recipe.service.settings["port"]?.intValue
            let chosen = try port ?? written ?? Readiness.freePort()
            let arguments: [String]
            if let command {
                arguments = ProcessService.shell(command)
            } else {
                guard ChildProcess.resolve("chroma") != nil else {
                    throw RecipeError.unsupported(
                        location,
                        problem: "a local chroma service needs the 'chroma' command on PATH "
                            + "(python3 -m venv V && V/bin/pip install chromadb) or service.command")
                }
                arguments = [
                    "chroma", "run", "--path", scratchDirectory.appendingPathComponent("chroma").path, "--host",
                    "127.0.0.1", "--port", "\(chosen)",
                ]
            }
            let service = ProcessService(
                name: "chroma", arguments: arguments, port: chosen, environment: environment, scratch: scratchDirectory,
                timeoutSeconds: readyTimeout,
                probe: { port in await ServiceProbe.ready(.chroma, host: "127.0.0.1", port: port) },
                version: { port in await ServiceProbe.version(.chroma, host: "127.0.0.1", port: port) })
            return (service, try client(for: recipe))
        case (.nginx, .httpSmoke), (.nginx, .httpStress), (.http, .httpSmoke), (.http, .httpStress),
            (.minio, .httpSmoke), (.minio, .httpStress), (.qdrant, .httpSmoke), (.qdrant, .httpStress):
            guard let command else {
                throw RecipeError.unsupported(
                    location,
                    problem: ServiceError.missingCommand(service: recipe.service.type.rawValue).errorDescription ?? "")
            }
            let chosen = try port ?? Readiness.freePort()
            let service = ProcessService(
                name: recipe.service.type.rawValue, arguments: ProcessService.shell(command), port: chosen,
                environment: environment, timeoutSeconds: readyTimeout,
                probe: { port in await ServiceProbe.ready(.http, host: "127.0.0.1", port: port) })
            return (service, try client(for: recipe))
        case (.vllm, .vllmSmoke), (.vllm, .vllmStress), (.ollama, _):
            guard let command else {
                throw RecipeError.unsupported(
                    location,
                    problem: "a local \(recipe.service.type.rawValue) service needs service.command, the command that "
                        + "starts the server ($PORT holds the port it should listen on), e.g. python3 -m llama_cpp.server "
                        + "--model MODEL.gguf --host 127.0.0.1 --port $PORT")
            }
            let chosen = try port ?? Readiness.freePort()
            let ollama = recipe.service.type == .ollama
            let service = ProcessService(
                name: recipe.service.type.rawValue, arguments: ProcessService.shell(command), port: chosen,
                environment: environment, timeoutSeconds: readyTimeout,
                probe: { port in await ServiceProbe.ready(ollama ? .ollama : .vllm, host: "127.0.0.1", port: port) },
                version: { port in await ServiceProbe.version(ollama ? .ollama : .vllm, host: "127.0.0.1", port: port) })
            return (service, try client(for: recipe))
        case (let service, let client) where !RecipeSchema.clients(for: service).contains(client):
            throw RecipeError.unsupported(
                location,
                problem: "client type '\(client.rawValue)' cannot load a \(service.rawValue) service; use "
                    + RecipeSchema.clients(for: service).map(\.rawValue).joined(separator: " or "))
        case (let service, _):
            throw RecipeError.unsupported(
                location,
                problem: "the local executor cannot run service type '\(service.rawValue)' yet; supported here: "
                    + "sqlite, postgres, redis, chroma, vllm, ollama, nginx, http, minio, qdrant")
        }
    }

    /// The load client for a recipe, on whatever machine runs it (here, or a compute node
    /// running `factorybench node client`).
    public static func client(for recipe: Recipe) throws -> any LoadClient {
        let (settings, load) = (recipe.client.settings, recipe.load)
        switch recipe.client.type {
        case .sqliteStress:
            try LocalExecutor.checkClosedLoop(recipe)
            var client = SQLiteStressClient(settings: settings, serviceSettings: recipe.service.settings)
            client.stop = LoadStop(recipe: recipe)
            return client
        case .postgresSmoke, .postgresStress: return PostgresClient(kind: recipe.client.type, settings: settings, load: load)
        case .redisStress: return RedisClient(settings: settings, load: load)
        case .chromaHealthcheck, .chromaStress: return ChromaClient(kind: recipe.client.type, settings: settings, load: load)
        case .httpSmoke, .httpStress: return HTTPLoadClient(kind: recipe.client.type, settings: settings, load: load)
        case .vllmSmoke, .vllmStress, .ollamaSmoke, .ollamaStress:
            return try LLMClient(
                kind: recipe.client.type, settings: settings, serviceSettings: recipe.service.settings, load: load,
                recipePath: recipe.path)
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
