import FactoryBenchCore
import Foundation
import TestSupport
import Testing

/// The batch scripts of a Slurm run: one golden per service type, and hostile recipe values
/// that must stay data when the script runs.
@Suite struct SlurmBatchScriptTests {
    static let layout = SlurmLayout(benchmarkID: "r-20261129-000000-abcd", binary: "factorybench/bin/factorybench-test")

    func scripts(_ text: String) throws -> SlurmBatchScript {
        SlurmBatchScript(recipe: try RecipeLoader.parse(text, path: "r.yaml", name: "r"), layout: Self.layout)
    }

    static let recipes: [(String, String)] = [
        (
            "postgres",
            """
            configuration: {target: meluxina}
            service:
              type: postgres
              partition: cpu
              account: p200000
              time_limit: "01:00:00"
              cpus_per_task: 8
              memory: 16G
              constraints: x86
              exclude_nodes: "mel[0001-0002]"
              modules: [Apptainer/1.3.1]
              env: {PGTZ: UTC}
              pre_run_commands: ["ulimit -n 65536"]
              volumes: ["/project/data:/data"]
              settings: {tuning: {shared_buffers: 4GB, effective_cache_size: 12GB}}
            client: {type: postgres_stress, partition: cpu, time_limit: "00:30:00", account: p200000}
            benchmarks: {num_clients: 2}
            """
        ),
        (
            "redis",
            """
            configuration: {target: meluxina}
            service: {type: redis, port: 6380, settings: {appendonly: true, maxmemory: 1gb, maxmemory_policy: allkeys-lru}}
            client: {type: redis_stress}
            """
        ),
        (
            "chroma",
            """
            configuration: {target: meluxina}
            service: {type: chroma, image: "chromadb/chroma:1.5.9"}
            client: {type: chroma_stress}
            """
        ),
        (
            "vllm",
            """
            configuration: {target: meluxina}
            service:
              type: vllm
              partition: gpu
              num_gpus: 4
              settings: {model: meta-llama/Llama-3.1-8B-Instruct, tensor_parallel_size: 4}
            client: {type: vllm_stress, num_gpus: 0}
            """
        ),
        (
            "ollama",
            """
            configuration: {target: meluxina}
            service: {type: ollama, gpus_per_node: 1, settings: {model: "llama3.2:1b"}}
            client: {type: ollama_stress}
            """
        ),
        (
            "nginx",
            """
            configuration: {target: meluxina}
            service: {type: nginx, image: "nginx:1.27", command: "nginx -g 'daemon off;' -c /etc/nginx/$PORT.conf"}
            client: {type: http_stress, command: "./my-client --port $SERVICE_PORT > $OUTPUT"}
            """
        ),
        (
            "http",
            """
            configuration: {target: local-slurm}
            service: {type: http, command: "python3 -m http.server $PORT"}
            client: {type: http_smoke}
            """
        ),
    ]

    @Test(arguments: recipes)
    func everyServiceTypeHasAGoldenBatchScript(type: String, recipe: String) throws {
        let scripts = try scripts(recipe)
        let text = try scripts.service() + "\n" + scripts.clients()
        try assertGolden(text, named: "slurm/\(type).sbatch")
        for script in [try scripts.service(), try scripts.clients()] {
            let check = try runBash(["-n"], script: script)
            #expect(check.status == 0, "bash -n: \(check.errors)")
        }
    }

    @Test func sqliteAndCommandlessHTTPServicesAreRefusedWithTheFix() throws {
        let sqlite = try scripts("configuration: {target: c}\nservice: {type: sqlite}\nclient: {type: sqlite_stress}\n")
        #expect(throws: RecipeError.self) { try sqlite.service() }
        let nginx = try scripts("configuration: {target: c}\nservice: {type: nginx}\nclient: {type: http_smoke}\n")
        do {
            _ = try nginx.service()
            Issue.record("a nginx service without a command was accepted")
        } catch {
            #expect((error as? LocalizedError)?.errorDescription?.contains("set service.command") == true)
        }
    }

    static let hostile = [
        "; touch PWNED1", "$(touch PWNED2)", "`touch PWNED3`", "a'b\"c", "line1\nline2", "x' ; touch PWNED4 ; '",
        "\\$HOME", "*",
    ]

    /// The generated script runs for real, with a recording `apptainer` and a fake
    /// executable: every hostile value reaches the service's arguments and environment
    /// exactly, and nothing it contains is ever executed.
    @Test func hostileRecipeValuesStayData() throws {
        let directory = try TemporaryDirectory()
        var env = ""
        for (index, value) in Self.hostile.enumerated() {
            env += "    V\(index): \(Self.yamlString(value))\n"
        }
        let recipe = """
            configuration: {target: c}
            service:
              type: vllm
              image: \(Self.yamlString("img:1$(touch PWNED5)"))
              volumes: [\(Self.yamlString("/a:/b'; touch PWNED6; '"))]
              env:
            \(env.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
              settings: {model: \(Self.yamlString("m'; touch PWNED7; 'x\n$(touch PWNED8)"))}
            client: {type: vllm_stress}
            """
        let script = try scripts(recipe).service()
        let home = directory.url
        try FileManager.default.createDirectory(
            at: home.appendingPathComponent(Self.layout.runDirectory), withIntermediateDirectories: true)
        let bin = home.appendingPathComponent("stubs")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try Self.executable(
            bin.appendingPathComponent("apptainer"),
            "#!/bin/bash\nprintf '%s\\0' \"$@\" > \"$HOME/args\"\nfor i in 0 1 2 3 4 5 6 7; do v=V$i; printf '%s\\0' \"${!v}\"; done > \"$HOME/env\"\n"
        )
        try FileManager.default.createDirectory(
            at: home.appendingPathComponent("factorybench/bin"), withIntermediateDirectories: true)
        try Self.executable(home.appendingPathComponent(Self.layout.binary), "#!/bin/sh\necho 41000\n")
        let result = try runBash(
            [], script: script, environment: ["HOME": home.path, "PATH": bin.path + ":/usr/bin:/bin", "TMPDIR": home.path])
        #expect(result.status == 0, "\(result.errors)")
        let arguments = try String(contentsOf: home.appendingPathComponent("args"), encoding: .utf8)
            .split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
        #expect(arguments.contains("docker://img:1$(touch PWNED5)"))
        #expect(arguments.contains("/a:/b'; touch PWNED6; '"))
        #expect(arguments.contains("m'; touch PWNED7; 'x\n$(touch PWNED8)"))
        let values = try String(contentsOf: home.appendingPathComponent("env"), encoding: .utf8)
            .split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(values == Self.hostile)
        let service = try String(
            contentsOf: home.appendingPathComponent(Self.layout.runDirectory + "/service.env"), encoding: .utf8)
        #expect(service.contains("port=41000"))
        let created = (FileManager.default.enumerator(atPath: home.path)?.allObjects as? [String] ?? [])
            .filter { $0.contains("PWNED") }
        #expect(created.isEmpty, "hostile values ran: \(created)")
    }

    @Test func sbatchLinesRefuseValuesThatCouldLeaveTheLine() throws {
        let text = """
            configuration: {target: c}
            service:
              type: postgres
              partition: "cpu\\n#SBATCH --uid=0"
            client: {type: postgres_stress, account: "p1; rm -rf ~"}
            """
        do {
            _ = try RecipeLoader.parse(text, path: "r.yaml", name: "r")
            Issue.record("hostile #SBATCH values were accepted")
        } catch {
            let message = (error as? LocalizedError)?.errorDescription ?? ""
            #expect(message.contains("r.yaml:4:14"), "\(message)")
            #expect(message.contains("r.yaml:5:42"), "\(message)")
            #expect(message.contains("cannot go into an #SBATCH line"))
        }
    }

    /// What the compute nodes load is the recipe the run resolved, value for value.
    @Test func theUploadedRecipeLoadsBackToTheSameValues() throws {
        for (_, text) in Self.recipes {
            let recipe = try RecipeLoader.parse(text, path: "r.yaml", name: "r")
            let again = try RecipeLoader.parse(RecipePlan.resolvedYAML(recipe), path: "recipe.yaml", name: "r")
            #expect(Self.normalized(again.resolved) == Self.normalized(recipe.resolved))
        }
        let tricky = try RecipeLoader.parse(
            "configuration: {target: c}\nservice: {type: vllm, env: {A: \(Self.yamlString("x\n'y\"\t$z"))}}\n"
                + "client: {type: vllm_stress}\n", path: "r.yaml", name: "r")
        let again = try RecipeLoader.parse(RecipePlan.resolvedYAML(tricky), path: "recipe.yaml", name: "r")
        #expect(again.service.options["env"] == tricky.service.options["env"])
    }

    // MARK: - Helpers

    /// A whole double (a default such as `timeout: 30.0`) reads back from YAML as an integer.
    static func normalized(_ value: SettingValue) -> SettingValue {
        switch value {
        case .double(let number) where number == number.rounded(): return .int(Int(number))
        case .list(let items): return .list(items.map(normalized))
        case .map(let entries): return .map(entries.mapValues(normalized))
        default: return value
        }
    }

    static func yamlString(_ value: String) -> String {
        "\""
            + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t") + "\""
    }

    static func executable(_ url: URL, _ text: String) throws {
        try text.write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    }

    func runBash(_ options: [String], script: String, environment: [String: String] = [:]) throws -> (
        status: Int32, errors: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = options + ["-s"]
        if !environment.isEmpty { process.environment = environment }
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(script.utf8))
        try input.fileHandleForWriting.close()
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
