import Foundation
import Testing

@testable import FactoryBenchCore

/// Where the clients' job may run: never on the service's nodes — all of a multi-node
/// service's — unless the recipe lets them share.
struct SlurmClientPlacementTests {
    func recipe(_ client: String) throws -> Recipe {
        try RecipeLoader.parse(
            "configuration: {target: c}\nservice: {type: vllm, nodes: 2}\nclient: {type: vllm_stress\(client)}\n",
            path: "r.yaml", name: "r")
    }

    @Test func theServiceJobsWholeNodeListIsExcluded() throws {
        // What the service job announced: its first node and every node of its job.
        let endpoint = try SlurmExecutor.endpoint(fromEnvironmentFile: "host=n1\nport=8000\nnode=n1\nnodes=n[1-2]\njob=7\n")
        #expect(endpoint.nodes == "n[1-2]" && endpoint.host == "n1" && endpoint.port == 8000)
        #expect(SlurmExecutor.clientExclusion(recipe: try recipe(""), serviceNodes: endpoint.nodes) == " --exclude='n[1-2]'")
        // A service.env of an older run has no node list.
        #expect(try SlurmExecutor.endpoint(fromEnvironmentFile: "host=n1\nport=8000\n").nodes == nil)
    }

    @Test func sharingTheServiceNodesIsTheRecipesChoice() throws {
        #expect(SlurmExecutor.clientExclusion(recipe: try recipe(", share_service_nodes: true"), serviceNodes: "n1") == "")
        #expect(SlurmExecutor.clientExclusion(recipe: try recipe(""), serviceNodes: nil) == "")
    }
}
