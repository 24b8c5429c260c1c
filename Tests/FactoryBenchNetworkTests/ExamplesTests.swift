import FactoryBenchCore
import FactoryBenchNetwork
import Foundation
import TestSupport
import Testing

/// Every recipe in `examples/` validates and plans (CI runs this on each change).
@Suite struct ExamplesTests {
    let directory = Fixtures.repositoryRoot.appendingPathComponent("examples")

    var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test func everyExampleValidatesAndPlans() throws {
        #expect(files.count >= 14)
        for file in files {
            let path = directory.appendingPathComponent(file).path
            let recipe = try RecipeLoader.load(path: path)
            let points = try RecipeLoader.points(of: recipe)
            let plan = RecipePlan.text(for: recipe, points: points, execution: LocalComponents.describe)
            #expect(plan.contains("# What would run"), "\(file)")
            #expect(plan.contains("service:\n  type: \(recipe.service.type.rawValue)"), "\(file)")
        }
    }

    @Test func thereIsAnExampleForEveryClientTypeASweepAndAnSLORecipe() throws {
        var clients = Set<ClientType>()
        var sweeps = 0
        var slos = 0
        for file in files {
            let recipe = try RecipeLoader.load(path: directory.appendingPathComponent(file).path)
            clients.insert(recipe.client.type)
            if !recipe.sweep.isEmpty { sweeps += 1 }
            if !recipe.slo.isEmpty { slos += 1 }
        }
        #expect(clients == Set(ClientType.allCases))
        #expect(sweeps >= 1)
        #expect(slos >= 1)
    }

    @Test func planMarksDefaultsAndSaysWhatWouldRun() throws {
        let recipe = try RecipeLoader.load(path: directory.appendingPathComponent("vllm_stress.yaml").path)
        let plan = RecipePlan.text(for: recipe, points: [recipe], execution: LocalComponents.describe)
        try assertGolden(plan.replacingOccurrences(of: directory.path + "/", with: "examples/"), named: "plan-vllm_stress.txt")
        // A cluster recipe's plan shows the batch scripts a run would submit.
        let scripts = RecipePlan.batchScripts(for: recipe)
        #expect(scripts.contains("# slurm/service.sbatch\n#   #!/bin/bash\n#   #SBATCH --job-name=fb-ID-service"))
        #expect(scripts.contains("vllm serve") && scripts.contains("# slurm/clients.sbatch"))
        let sweep = try RecipeLoader.load(path: directory.appendingPathComponent("sqlite_sweep.yaml").path)
        let sweepPlan = RecipePlan.text(
            for: sweep, points: try RecipeLoader.points(of: sweep), execution: LocalComponents.describe)
        #expect(sweepPlan.contains("sweep:  # 3 points, one run each, in this order"))
        #expect(sweepPlan.contains("# point 3: benchmarks.num_clients=4 — local: embedded sqlite"))
        #expect(sweepPlan.contains("  seed: 42  # default"))
    }
}
