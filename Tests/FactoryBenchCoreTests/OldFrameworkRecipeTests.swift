import FactoryBenchCore
import Foundation
import TestSupport
import Testing

/// The old framework's recipes run unchanged, with the meaning their keys had: its own 28
/// example recipes (Tests/Fixtures/old-framework/recipes) and each key it used.
@Suite struct OldFrameworkRecipeTests {
    static let layout = SlurmLayout(benchmarkID: "r-20261205-000000-abcd", binary: "factorybench/bin/factorybench-test")

    static var exampleFiles: [URL] {
        let directory = Fixtures.url("old-framework/recipes")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let sweeps = (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("sweeps").path)) ?? []
        return
            (files.map { directory.appendingPathComponent($0) }
            + sweeps.map { directory.appendingPathComponent("sweeps/\($0)") })
            .filter { $0.pathExtension == "yaml" }.sorted { $0.path < $1.path }
    }

    func recipe(_ text: String) throws -> Recipe { try RecipeLoader.parse(text, path: "r.yaml", name: "r") }

    func scripts(_ text: String) throws -> SlurmBatchScript {
        SlurmBatchScript(recipe: try recipe(text), layout: Self.layout)
    }

    func message(_ text: String) -> String? {
        do {
            _ = try recipe(text)
            return nil
        } catch {
            return (error as? LocalizedError)?.errorDescription
        }
    }

    @Test func everyOldExampleValidatesAndGetsItsSlurmScripts() throws {
        #expect(Self.exampleFiles.count == 28)
        for file in Self.exampleFiles {
            let recipe = try RecipeLoader.load(path: file.path)
            let scripts = SlurmBatchScript(recipe: recipe, layout: Self.layout)
            let service = try scripts.service()
            #expect(service.hasPrefix("#!/bin/bash\n#SBATCH --job-name="), "\(file.lastPathComponent)")
            _ = try scripts.clients()
            // What the recipe wrote is what it resolves to: nothing the old framework used is dropped.
            let again = try RecipeLoader.parse(RecipePlan.resolvedYAML(recipe), path: file.path, name: recipe.name)
            #expect(again.numClients == recipe.numClients && again.clientDelay == recipe.clientDelay)
            #expect(again.service.options == recipe.service.options && again.client.options == recipe.client.options)
            #expect(again.service.type == recipe.service.type && again.client.type == recipe.client.type)
        }
    }

    @Test func nodesGoToEachJobsSbatchLines() throws {
        let scripts = try scripts(
            """
            configuration: {target: meluxina}
            service: {type: vllm, nodes: 2, account: p1}
            client: {type: vllm_stress, nodes: 3}
            benchmarks: {num_clients: 7}
            """)
        #expect(try scripts.service().contains("#SBATCH --nodes=2\n"))
        // Seven clients over three nodes: one job, seven tasks, at most three a node.
        #expect(try scripts.clients().contains("#SBATCH --nodes=3\n#SBATCH --ntasks=7\n"))
        #expect(try scripts.clients().contains("#SBATCH --ntasks-per-node=3\n"))
        // More nodes than clients: one node a client.
        let few = try self.scripts(
            "configuration: {target: meluxina}\nservice: {type: redis}\nclient: {type: redis_stress, nodes: 3}\n")
        #expect(try few.clients().contains("#SBATCH --nodes=1\n#SBATCH --ntasks=1\n"))
        // clients_per_node sets the nodes when nodes is not given.
        let packed = try self.scripts(
            "configuration: {target: meluxina}\nservice: {type: redis}\nclient: {type: redis_stress, clients_per_node: 4}\n"
                + "benchmarks: {num_clients: 10}\n")
        #expect(try packed.clients().contains("#SBATCH --nodes=3\n#SBATCH --ntasks=10\n"))
        #expect(try packed.clients().contains("#SBATCH --ntasks-per-node=4\n"))
        let plain = try self.scripts("configuration: {target: meluxina}\nservice: {type: redis}\nclient: {type: redis_stress}\n")
        #expect(try plain.service().contains("#SBATCH --nodes=1\n"))
    }

    @Test func clientNameNamesTheClientsJobAndClientDelayStaggersThem() throws {
        let recipe = try recipe(
            """
            configuration: {target: meluxina}
            service: {type: redis}
            client: {type: redis_stress, name: redis-benchmark}
            benchmarks: {num_clients: 3, client_delay: 5}
            """)
        let scripts = SlurmBatchScript(recipe: recipe, layout: Self.layout)
        #expect(try scripts.clients().contains("#SBATCH --job-name=fb-\(Self.layout.benchmarkID)-redis-benchmark\n"))
        #expect(recipe.clientName(1) == "redis-benchmark-1")
        #expect((0..<3).map(recipe.startOffset(ofClient:)) == [0, 5, 10])
        let unnamed = try self.recipe("service: {type: sqlite}\nclient: {type: sqlite_stress}\n")
        #expect(unnamed.clientName(0) == "client-0" && unnamed.startOffset(ofClient: 4) == 0)
    }

    @Test func environmentIsEnvAndSettingsPortIsThePort() throws {
        let scripts = try scripts(
            """
            configuration: {target: meluxina}
            service:
              type: redis
              settings: {port: 6390}
              environment: {A: from-environment, B: from-environment}
              env: {B: from-env}
            client: {type: redis_stress}
            """)
        let service = try scripts.service()
        #expect(
            service.contains("export 'A'='from-environment'\n") || service.contains("export A=from-environment\n"), "\(service)")
        #expect(service.contains("from-env'\n") || service.contains("B=from-env\n"))
        #expect(!service.contains("B='from-environment'") && !service.contains("B=from-environment"))
        #expect(service.contains("PORT=6390\n"))
        #expect(scripts.recipe.service.options["port"] == .int(6390))
        #expect(
            message("service: {type: redis, port: 1, settings: {port: 2}}\nclient: {type: redis_stress}\n")?.contains(
                "service.port (1) and service.settings.port (2) differ") == true)
    }

    @Test func appendonlyTakesRedisOwnYesAndNo() throws {
        for (written, on) in [("yes", true), ("\"yes\"", true), ("no", false), ("\"no\"", false), ("true", true)] {
            let recipe = try recipe(
                "configuration: {target: meluxina}\nservice: {type: redis, settings: {appendonly: \(written)}}\n"
                    + "client: {type: redis_stress}\n")
            #expect(recipe.service.settings["appendonly"] == .bool(on), "\(written)")
            let script = try SlurmBatchScript(recipe: recipe, layout: Self.layout).service()
            #expect(script.contains("--appendonly yes") == on, "\(written)")
        }
        #expect(
            message("service: {type: redis, settings: {appendonly: maybe}}\nclient: {type: redis_stress}\n")?.contains(
                "appendonly") == true)
    }

    @Test func minioAndQdrantStartFromTheirImagesOnSlurm() throws {
        let minio = try scripts(
            """
            configuration: {target: meluxina}
            service:
              type: minio
              settings: {data_dir: /data, console_port: 9101}
              environment: {MINIO_ROOT_USER: admin, MINIO_ROOT_PASSWORD: secret123}
            client: {type: minio_stress}
            """
        ).service()
        #expect(minio.contains(#" minio server /data --address ":$PORT" --console-address ":9101""#), "\(minio)")
        #expect(minio.contains(#"--bind "$SCRATCH" --bind /data "#))
        #expect(minio.contains("docker://minio/minio:latest"))
        #expect(minio.contains("MINIO_ROOT_USER"))
        let qdrant = try scripts(
            "configuration: {target: meluxina}\nservice: {type: qdrant, settings: {port: 6333}}\nclient: {type: qdrant_stress}\n"
        ).service()
        #expect(qdrant.contains(#"QDRANT__SERVICE__HTTP_PORT="$PORT""#) && qdrant.contains("PORT=6333\n"))
        #expect(qdrant.contains("docker://qdrant/qdrant:latest") && qdrant.hasSuffix(" /qdrant/qdrant\n"))
    }

    /// The old `recipe_test.yaml` shape: no types, a service command and a client command.
    @Test func aTypelessRecipeIsAGenericServiceWithACommandClient() throws {
        let recipe = try recipe(
            """
            configuration: {target: meluxina}
            service: {image: "nginx:latest", command: "nginx -g 'daemon off;'", port: 80}
            client:
              command: |
                curl -s $SERVICE_URL | head -5
            benchmarks: {num_clients: 2}
            """)
        #expect(recipe.service.type == .generic && recipe.client.type == .command)
        let scripts = SlurmBatchScript(recipe: recipe, layout: Self.layout)
        #expect(try scripts.service().contains("PORT=80\n"))
        // On a node the command client is this executable's, so its runs are recorded.
        #expect(try scripts.clients().contains(#""$FACTORYBENCH" node client"#))
        #expect(message("service: {type: redis}\nclient: {type: command}\n")?.contains("'command'") == true)
        #expect(message("service: {port: 80}\nclient: {command: ls}\n")?.contains("missing the required key 'type'") == true)
    }

    /// Strictness stays for typos: a key neither format ever had is still an error.
    @Test func aTypoOfAnOldKeyIsStillAnError() {
        #expect(
            message("service: {type: redis, nodez: 2}\nclient: {type: redis_stress}\n")?.contains(
                "r.yaml:1:24: unknown key 'nodez' in service (did you mean 'nodes'?)") == true)
        #expect(
            message("service: {type: redis}\nclient: {type: redis_stress}\nbenchmarks: {client_dely: 5}\n")?.contains(
                "did you mean 'client_delay'?") == true)
        #expect(
            message("service: {type: redis}\nclient: {type: redis_stress, settings: {key_sise_bytes: 5}}\n")?.contains(
                "did you mean 'key_size_bytes'?") == true)
    }
}
