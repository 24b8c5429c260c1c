import FactoryBenchCore
import Foundation
import TestSupport
import Testing

@testable import FactoryBenchNetwork

/// chroma_healthcheck and chroma_stress against a real ChromaDB (`chroma run`) that the
/// local executor starts.
@Suite(.enabled(if: Installed.chroma, "the chroma command (pip install chromadb) is not on PATH"), .serialized)
struct ChromaClientTests {
    @Test func stressAddsInTimedBatchesAndMeasuresRecallAgainstExactSearch() async throws {
        let (run, endpoint, outcomes) = try await LocalRun.run(
            """
            service: {type: chroma}
            client:
              type: chroma_stress
              settings: {num_vectors: 250, dim: 16, batch_size: 100, num_queries: 30, top_k: 5, warmup_delay: 0}
            benchmarks: {num_clients: 2}
            load: {concurrency: 2}
            """)
        #expect(outcomes.map(\.error) == [nil, nil])
        #expect(endpoint.version?.hasPrefix("ChromaDB ") == true)
        let records = try run.records()
        expectWellFormed(records, serviceType: "chroma")
        #expect(
            records.allSatisfy { $0["success"] as? Bool == true }, "\(records.first { $0["success"] as? Bool == false } ?? [:])")
        let adds = records.filter { $0["operation_type"] as? String == "add" }
        let queries = records.filter { $0["operation_type"] as? String == "query" }
        // 250 vectors in batches of 100: 100, 100 and 50, per client.
        #expect(adds.count == 6)
        #expect(adds.compactMap { $0["batch_size"] as? Int }.sorted() == [50, 50, 100, 100, 100, 100])
        #expect(queries.count == 60)
        #expect(queries.allSatisfy { $0["top_k"] as? Int == 5 && $0["dimension"] as? Int == 16 })
        let recalls = queries.compactMap { $0["recall"] as? Double }
        #expect(recalls.count == 60)
        let summary = try run.summary()
        let recall = try #require(summary.recall)
        #expect(recall.count == 60)
        // HNSW over 250 vectors finds (nearly) all true neighbours.
        #expect(recall.mean >= 0.9, "recall \(recall)")
        #expect(abs(recall.mean - recalls.reduce(0, +) / 60) < 1e-9)
    }

    @Test func healthcheckSendsHeartbeats() async throws {
        let (run, _, _) = try await LocalRun.run(
            "service: {type: chroma}\nclient: {type: chroma_healthcheck, settings: {num_requests: 7}}\n")
        let records = try run.records()
        #expect(records.count == 7)
        #expect(records.allSatisfy { $0["success"] as? Bool == true && $0["operation_type"] as? String == "heartbeat" })
    }

    @Test func exactSearchFindsTheNearestVectorsUnderEachDistance() {
        let set = VectorSet(count: 50, dimension: 4, seed: 9)
        // Under L2 and cosine, a vector's nearest neighbour is itself.
        for distance in [VectorSet.Distance.euclid, .cosine] {
            for index in [0, 17, 49] { #expect(set.nearest(to: set.vector(index), k: 1, distance: distance) == [index]) }
        }
        #expect(set.nearest(to: set.vector(3), k: 50, distance: .euclid).count == 50)
        // Dot product: the winner is the largest dot product, computed here directly.
        let query = set.vector(3)
        func dot(_ index: Int) -> Double { zip(set.vector(index), query).map { $0 * $1 }.reduce(0, +) }
        let best = (0..<50).max { dot($0) < dot($1) }
        #expect(set.nearest(to: query, k: 1, distance: .dot) == Set(best.map { [$0] } ?? []))
        // Cosine ignores length: a query three times as long has the same neighbours.
        let longer = ArraySlice(query.map { $0 * 3 })
        #expect(set.nearest(to: longer, k: 5, distance: .cosine) == set.nearest(to: query, k: 5, distance: .cosine))
        #expect(set.values.allSatisfy { (-1..<1).contains($0) && abs(($0 * 10000).rounded() - $0 * 10000) < 1e-6 })
    }
}
