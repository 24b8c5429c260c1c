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
