import FactoryBenchCore
import FactoryBenchNetwork
import Foundation
import TestSupport
import Testing

/// What the target cannot run is found by the same check for `validate`, `plan` and `run`,
/// at the key to change.
@Suite struct TargetCheckTests {
    func problem(_ text: String, in directory: TemporaryDirectory) throws -> String {
        let path = try directory.write("r.yaml", text).path
        do {
            try TargetCheck.check(RecipeLoader.points(path: path))
            return "ok"
        } catch let error as RecipeError {
            return (error.errorDescription ?? "").replacingOccurrences(of: path, with: "r.yaml")
        }
    }

    @Test func aLocalServiceWithoutItsCommandPointsAtTheServiceType() throws {
        let directory = try TemporaryDirectory()
        let message = try problem("service:\n  name: llm\n  type: vllm\nclient: {type: vllm_smoke}\n", in: directory)
        #expect(message.hasPrefix("r.yaml:3:3: a local vllm service needs service.command"), "\(message)")
    }

    @Test func nodesBeyondOneNeedAClusterAndAClientCommandBesideATypeNeedsOneToo() throws {
        let directory = try TemporaryDirectory()
        let nodes = try problem("service: {type: redis}\nclient:\n  type: redis_stress\n  nodes: 2\n", in: directory)
        #expect(nodes.hasPrefix("r.yaml:4:3: the local executor runs on this one machine; client.nodes: 2"), "\(nodes)")
        #expect(try problem("service: {type: redis, nodes: 1}\nclient: {type: redis_stress, nodes: 1}\n", in: directory) == "ok")
        let typed = try problem("service: {type: redis}\nclient: {type: redis_stress, command: ls}\n", in: directory)
        #expect(typed.contains("client.command beside a client type"), "\(typed)")
        #expect(try problem("service: {command: \"serve $PORT\"}\nclient: {command: ls}\n", in: directory) == "ok")
    }

    @Test func aServiceTheClusterCannotDeployPointsAtItsType() throws {
        let directory = try TemporaryDirectory()
        let message = try problem(
            "configuration: {target: c}\nservice:\n  type: sqlite\nclient: {type: sqlite_stress}\n", in: directory)
        #expect(message.hasPrefix("r.yaml:3:3: the Slurm executor cannot deploy a sqlite service"), "\(message)")
    }

    @Test func anUnreadablePromptsFileIsFoundOnAClusterTargetToo() throws {
        let directory = try TemporaryDirectory()
        let message = try problem(
            """
            configuration: {target: c}
            service: {type: vllm, command: "serve $PORT"}
            client:
              type: vllm_stress
              settings:
                prompt_source: file
                prompts_file: missing.jsonl
            """, in: directory)
        #expect(message.hasPrefix("r.yaml:7:5: invalid value for 'client.settings.prompts_file': cannot read"), "\(message)")
    }

    @Test func aRecipeTheTargetCanRunPasses() throws {
        let directory = try TemporaryDirectory()
        #expect(try problem("service: {type: sqlite}\nclient: {type: sqlite_stress}\n", in: directory) == "ok")
    }
}
