import FactoryBenchCore
import Foundation
import TestSupport
import Testing

/// Every kind of recipe problem, with its exact message.
@Suite struct RecipeValidationTests {
    func message(_ text: String, overrides: [String] = []) -> String? {
        do {
            _ = try RecipeLoader.parse(text, path: "r.yaml", name: "r", overrides: try overrides.map(RecipeOverride.init))
            return nil
        } catch {
            return (error as? LocalizedError)?.errorDescription
        }
    }

    static let base = "service:\n  type: sqlite\nclient:\n  type: sqlite_stress\n"

    @Test func everyProblemIsReportedAtOnceInFileOrder() {
        let text = """
            service:
              type: sqlite
              tim_limit: 01:00:00
              settings:
                journal_mod: wal
            client:
              type: sqlite_stress
              settings:
                num_requests: -3
            load:
              mode: closed
              rate: 5
            slo:
              error_rate: 3
            """
        #expect(
            message(text) == """
                5 problems:
                r.yaml:3:3: unknown key 'tim_limit' in service (did you mean 'time_limit'?); allowed keys: image, port, command, ready_timeout, partition, num_gpus, nodes, gpus_per_node, cpus_per_task, memory, time_limit, account, constraints, exclude_nodes, env, environment, volumes, modules, pre_run_commands, type, name, settings
                r.yaml:5:5: unknown key 'journal_mod' in settings of sqlite (did you mean 'journal_mode'?); allowed keys: journal_mode, synchronous, busy_timeout_ms
                r.yaml:9:19: invalid value for 'client.settings.num_requests': -3 is below the minimum of 1
                r.yaml:12:9: invalid value for 'load.rate': a rate needs mode: open (closed loop is set by concurrency)
                r.yaml:14:15: invalid value for 'slo.error_rate': must be a fraction between 0 and 1
                """)
    }

    @Test func clusterKeysAreChecked() {
        let text = """
            service:
              type: sqlite
              time_limit: "90 minutes"
              port: 70000
              memory: lots
              volumes: ["/data"]
              env: {A: [1]}
            client:
              type: sqlite_stress
            """
        let lines = message(text)?.split(separator: "\n").dropFirst().map(String.init) ?? []
        #expect(
            lines == [
                "r.yaml:3:15: invalid value for 'service.time_limit': '90 minutes' is not a time limit; write HH:MM:SS or D-HH:MM:SS (e.g. 01:30:00 or 2-00:00:00)",
                "r.yaml:4:9: invalid value for 'service.port': 70000 is not a port number (1 to 65535)",
                "r.yaml:5:11: invalid value for 'service.memory': 'lots' is not an amount of memory; write e.g. 512M or 16G",
                "r.yaml:6:12: invalid value for 'service.volumes': every volume must be host_path:container_path",
                "r.yaml:7:8: invalid value for 'service.env': the value of 'A' must be a string, a number or true/false",
            ])
        #expect(
            message(Self.base.replacingOccurrences(of: "type: sqlite\n", with: "type: sqlite\n  time_limit: 2-00:00:00\n")) == nil
        )
    }

    @Test func aClientMustFitItsService() {
        #expect(
            message("service:\n  type: redis\nclient:\n  type: sqlite_stress\n")
                == "r.yaml:4:9: invalid value for 'client.type': client type 'sqlite_stress' does not fit service type 'redis'; use one of redis_stress, command"
        )
    }

    @Test func loadRules() {
        func load(_ body: String) -> String? { message(Self.base + "load:\n" + body) }
        #expect(load("  mode: open\n") == "r.yaml:6:9: load (mode: open) is missing the required key 'rate'")
        #expect(
            load("  mode: open\n  rate: 10\n  burstiness: 2\n")
                == "r.yaml:8:15: invalid value for 'load.burstiness': burstiness needs arrival: gamma")
        #expect(
            load("  num_requests: 10\n  duration: 30s\n")
                == "r.yaml:7:13: invalid value for 'load.duration': give num_requests or duration, not both")
        #expect(
            load("  duration: soon\n")
                == "r.yaml:6:13: 'load.duration' must be a duration (seconds, or a number with ms, s, m, h or d)")
        #expect(
            load("  mode: opne\n")
                == "r.yaml:6:9: invalid value for 'load.mode': 'opne' is not one of closed, open (did you mean 'open'?)")
        #expect(load("  mode: open\n  rate: 10\n  arrival: gamma\n  burstiness: 0.5\n  duration: 5m\n  warmup: 10s\n") == nil)
        let recipe = try? RecipeLoader.parse(Self.base + "load:\n  duration: 5m\n  warmup: 100\n", path: "r.yaml", name: "r")
        #expect(recipe?.load["duration"] == .double(300))
        #expect(recipe?.load["warmup"] == .int(100))
        #expect(recipe?.load["mode"] == .string("closed"))
        #expect(recipe?.defaulted.contains("load.mode") == true)
        #expect(recipe?.defaulted.contains("load.duration") == false)
    }

    @Test func sweepsExpandToTheCartesianProductAndEveryPointIsChecked() throws {
        let text = Self.base + "sweep:\n  benchmarks.num_clients: [1, 2, 4]\n  client.settings.num_requests: [10, 20]\n"
        let directory = try TemporaryDirectory()
        let file = try directory.write("sweep.yaml", text)
        let points = try RecipeLoader.points(path: file.path)
        #expect(points.count == 6)
        #expect(points.map(\.numClients) == [1, 1, 2, 2, 4, 4])
        #expect(
            points.map { $0.client.settings["num_requests"] } == [.int(10), .int(20), .int(10), .int(20), .int(10), .int(20)])
        #expect(points[3].sweepPoint == ["benchmarks.num_clients": .int(2), "client.settings.num_requests": .int(20)])
        #expect(
            message(Self.base + "sweep:\n  benchmarks.num_clients: [1, 0]\n")
                == "r.yaml:6:31: invalid value for 'benchmarks.num_clients': 0 is below the minimum of 1")
        #expect(
            message(Self.base + "sweep:\n  benchmarks.num_client: [1]\n")?.hasPrefix(
                "r.yaml:6:3: unknown key 'num_client' in benchmarks (did you mean 'num_clients'?)") == true)
        #expect(message(Self.base + "sweep:\n  load.rate: 5\n") == "r.yaml:6:14: 'sweep.load.rate' must be a non-empty list")
    }

    @Test func overridesFromTheCommandLine() throws {
        let recipe = try RecipeLoader.parse(
            Self.base, path: "r.yaml", name: "r",
            overrides: [try RecipeOverride("benchmarks.num_clients=8"), try RecipeOverride("client.settings.mix={insert: 1}")])
        #expect(recipe.numClients == 8)
        #expect(recipe.client.settings["mix"] == .map(["insert": .int(1)]))
        #expect(
            message(Self.base, overrides: ["benchmarks.num_clients=none"])
                == "r.yaml (--set): 'benchmarks.num_clients' must be an integer")
        #expect(throws: RecipeError.self) { try RecipeOverride("no-equals-sign") }
    }

    @Test func everyTypeHasItsSeedDefaults() throws {
        func settings(_ service: String, _ client: String) throws -> (
            service: [String: SettingValue], client: [String: SettingValue]
        ) {
            let recipe = try RecipeLoader.parse(
                "service:\n  type: \(service)\nclient:\n  type: \(client)\n", path: "r.yaml", name: "r")
            return (recipe.service.settings, recipe.client.settings)
        }
        let postgres = try settings("postgres", "postgres_stress")
        #expect(postgres.service["db_name"] == .string("benchmark"))
        #expect(postgres.service["auth"] == .string("trust"))
        #expect(postgres.client["num_inserts"] == .int(10000))
        #expect(postgres.client["num_selects"] == .int(5000))
        #expect(postgres.client["table_name"] == .string("stress_test"))
        #expect(postgres.client["warmup_delay"] == .int(5))
        #expect(try settings("postgres", "postgres_smoke").client["query"] == .string("SELECT version();"))
        let chroma = try settings("chroma", "chroma_stress")
        #expect(chroma.service["port"] == .int(8000))
        #expect(chroma.client["num_vectors"] == .int(1000))
        #expect(chroma.client["dim"] == .int(128))
        #expect(chroma.client["num_queries"] == .int(100))
        #expect(chroma.client["top_k"] == .int(10))
        let vllm = try settings("vllm", "vllm_stress")
        #expect(vllm.service["model"] == .string("facebook/opt-125m"))
        #expect(vllm.service["tensor_parallel_size"] == .int(1))
        #expect(vllm.client["num_requests"] == .int(50))
        #expect(vllm.client["max_tokens"] == .int(64))
        #expect(vllm.client["warmup_delay"] == .int(10))
        let smoke = try settings("vllm", "vllm_smoke")
        #expect(smoke.client["prompt"] == .string("Hello"))
        #expect(smoke.client["max_tokens"] == .int(50))
        let ollama = try settings("ollama", "ollama_stress")
        #expect(ollama.service["model"] == .string("llama2"))
        #expect(ollama.service["warmup_seconds"] == .int(5))
        #expect(ollama.client["num_requests"] == .int(20))
        #expect(ollama.client["max_tokens"] == .int(50))
        #expect(ollama.client["warmup_delay"] == .int(30))
        #expect(try settings("ollama", "ollama_smoke").client["num_requests"] == .int(5))
        let redis = try settings("redis", "redis_stress")
        #expect(redis.client["num_requests"] == .int(10000))
        #expect(redis.client["value_size_bytes"] == .int(256))
        #expect(redis.service["appendonly"] == .bool(false))
    }
}
