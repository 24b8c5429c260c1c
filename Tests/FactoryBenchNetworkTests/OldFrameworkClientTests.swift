import FactoryBenchCore
import Foundation
import TestSupport
import Testing

@testable import FactoryBenchNetwork

/// The clients and keys that old-framework recipes use, run end to end: the command client
/// against a generic service, `client_delay`, Redis `key_size_bytes`, and the Qdrant clients
/// against a FAKE Qdrant (Tests/Fixtures/servers/fake_qdrant.py, which follows Qdrant's
/// documented REST API: no real Qdrant can be installed here).
@Suite(.enabled(if: Installed.python, "python3 is not installed"))
struct OldFrameworkClientTests {
    static let httpServer = "python3 -m http.server $PORT --bind 127.0.0.1"

    /// The old `recipe_test.yaml` shape: a service with only a command, a client with only a
    /// command, two clients; each run of the command is one record with its output.
    @Test func aTypelessServiceAndACommandClientRecordOneRecordPerRun() async throws {
        let (run, _, outcomes) = try await LocalRun.run(
            """
            service:
              command: "\(Self.httpServer)"
            client:
              name: probe
              command: |
                echo "client $CLIENT_NAME at $SERVICE_URL"
                curl -sf "$SERVICE_URL/" > /dev/null && echo reachable
            benchmarks: {num_clients: 2}
            """)
        #expect(run.recipe.service.type == .generic && run.recipe.client.type == .command)
        #expect(outcomes.map(\.error) == [nil, nil])
        let records = try run.records()
        expectWellFormed(records, serviceType: "generic")
        #expect(records.count == 2)
        for record in records {
            let client = try #require(record["client_id"] as? Int)
            #expect(record["success"] as? Bool == true, "\(record)")
            #expect(record["exit_code"] as? Int == 0)
            let output = try #require(record["output"] as? String)
            #expect(output.hasPrefix("client probe-\(client) at http://127.0.0.1:"), "\(output)")
            #expect(output.hasSuffix("reachable\n"), "\(output)")
        }
    }

    @Test func aFailingOrHangingCommandIsAFailedRecordWithItsReason() async throws {
        let (failing, _, _) = try await LocalRun.run(
            """
            service: {command: "\(Self.httpServer)"}
            client: {command: "echo about to fail; echo 'no such table' >&2; exit 3", settings: {num_requests: 2}}
            """)
        let records = try failing.records()
        #expect(records.count == 2)
        #expect(records.allSatisfy { $0["success"] as? Bool == false && $0["exit_code"] as? Int == 3 })
        #expect(records.allSatisfy { $0["error"] as? String == "exit status 3: no such table" })

        let (hanging, _, _) = try await LocalRun.run(
            """
            service: {command: "\(Self.httpServer)"}
            client: {command: "sleep 30", settings: {timeout: 0.5s}}
            """)
        let record = try #require(try hanging.records().first)
        #expect(record["success"] as? Bool == false)
        #expect(record["error"] as? String == "timed out after 0.5 s")
        #expect((record["latency_s"] as? Double ?? 99) < 10)
    }

    /// `benchmarks.client_delay`: client i starts no earlier than i × delay after the
    /// clients' common start (the files' `test_start`); without the delay all would start
    /// at once.
    @Test func clientDelayStaggersTheClientsStarts() async throws {
        let (run, _, _) = try await LocalRun.run(
            """
            service: {command: "\(Self.httpServer)"}
            client: {type: http_smoke, settings: {num_requests: 1}}
            benchmarks: {num_clients: 3, client_delay: 0.6}
            """)
        let starts = Dictionary(
            try run.records().map { ($0["client_id"] as? Int ?? -1, $0["timestamp_start"] as? Double ?? 0) },
            uniquingKeysWith: min)
        let header = try String(contentsOf: run.directory.path("clients/client-0.jsonl"), encoding: .utf8)
            .split(separator: "\n")[0]
        let origin = try #require(
            (try JSONSerialization.jsonObject(with: Data(header.utf8)) as? [String: Any])?["test_start"] as? Double)
        // Lower bounds only: a busy machine can start a client late, never early.
        for client in 0..<3 {
            #expect(try #require(starts[client]) - origin >= 0.6 * Double(client) - 0.001, "client \(client)")
        }
    }

    static let fakeQdrant = "python3 \(Fixtures.url("servers/fake_qdrant.py").path) --port $PORT"

    @Test func qdrantStressUpsertsInBatchesAndMeasuresRecallOfEachSearch() async throws {
        let (run, endpoint, outcomes) = try await LocalRun.run(
            """
            service: {type: qdrant, command: "\(Self.fakeQdrant)"}
            client:
              type: qdrant_stress
              settings: {collection: bench, dim: 8, num_points: 250, batch_size: 100, num_queries: 30, top_k: 5, warmup_delay: 0}
            benchmarks: {num_clients: 2}
            load: {concurrency: 2}
            """)
        #expect(outcomes.map(\.error) == [nil, nil])
        #expect(endpoint.version == "Qdrant 1.x-fake")
        let records = try run.records()
        expectWellFormed(records, serviceType: "qdrant")
        let upserts = records.filter { $0["operation_type"] as? String == "upsert" }
        let searches = records.filter { $0["operation_type"] as? String == "search" }
        #expect(upserts.count == 6 && searches.count == 60)
        #expect(records.allSatisfy { $0["success"] as? Bool == true })
        #expect(upserts.map { $0["batch_size"] as? Int ?? 0 }.sorted() == [50, 50, 100, 100, 100, 100])
        // The fake searches exactly, so every search finds the exact top 5.
        #expect(searches.allSatisfy { $0["recall"] as? Double == 1 && $0["top_k"] as? Int == 5 })
        let summary = try run.summary()
        #expect(summary.recall?.mean == 1 && summary.recall?.count == 60)
    }

    @Test func qdrantSmokeChecksHealthAndAMissingServerFailsEachRequest() async throws {
        let (run, _, _) = try await LocalRun.run(
            """
            service: {type: qdrant, command: "\(Self.fakeQdrant)"}
            client: {type: qdrant_smoke, settings: {num_requests: 4}}
            """)
        let records = try run.records()
        #expect(records.count == 4)
        #expect(records.allSatisfy { $0["success"] as? Bool == true && $0["operation_type"] as? String == "healthz" })
    }

    /// A search that the server refuses (here a wrong dimension, as Qdrant answers it) is a
    /// failed record carrying Qdrant's own message.
    @Test func qdrantErrorsCarryTheServersMessage() async throws {
        let run = try LocalRun(
            """
            service: {type: qdrant, command: "\(Self.fakeQdrant)"}
            client: {type: qdrant_stress, settings: {dim: 4, num_points: 10, num_queries: 2, warmup_delay: 0}}
            """)
        let endpoint = try await run.deploy()
        defer { try? run.service.stop() }
        let client = QdrantClient(
            kind: .qdrantStress, settings: ["dim": .int(4), "num_queries": .int(1)], load: [:])
        try await LoadHTTPClient.with(concurrency: 1) { http in
            let api = QdrantAPI(http: http, base: "http://127.0.0.1:\(endpoint.port ?? 0)")
            try await api.recreate(collection: client.collection(clientID: 0), dimension: 8, distance: .cosine)
            let session = QdrantSearchSession(
                api: api, collection: client.collection(clientID: 0),
                queries: VectorSet(count: 1, dimension: 4, seed: 1), truth: [[0]], topK: 3)
            let outcome = await session.send(index: 0)
            #expect(outcome.success == false && outcome.httpStatus == 400)
            #expect(outcome.error?.contains("Vector dimension error") == true, "\(outcome.error ?? "")")
        }
    }
}

/// `minio_stress` against a real S3-compatible server that checks every request's AWS
/// Signature V4: moto from PyPI (Tests/Fixtures/s3/s3_server.py), since MinIO itself
/// cannot be installed here.
@Suite(.enabled(if: Installed.s3, "the S3 test server (moto) is not installed; .ci/run installs it"))
struct S3ClientTests {
    static func recipe(secret: String, settings: String = "") -> String {
        let server = "\(Installed.s3Python) \(Fixtures.url("s3/s3_server.py").path) --port $PORT"
        return """
            service:
              type: minio
              command: "\(server) --access-key fbtestkey --secret-key fbtestsecret"
              environment: {MINIO_ROOT_USER: fbtestkey, MINIO_ROOT_PASSWORD: \(secret)}
            client:
              type: minio_stress
              settings: {num_objects: 6, object_size_bytes: 100000, bucket: fb-bench, warmup_delay: 0\(settings)}
            benchmarks: {num_clients: 2}
            load: {concurrency: 2}
            """
    }

    @Test func putGetAndDeleteAreSignedTimedAndCountedInBytes() async throws {
        let (run, _, outcomes) = try await LocalRun.run(Self.recipe(secret: "fbtestsecret"))
        #expect(outcomes.map(\.error) == [nil, nil])
        let records = try run.records()
        expectWellFormed(records, serviceType: "minio")
        #expect(
            records.allSatisfy { $0["success"] as? Bool == true }, "\(records.first { $0["success"] as? Bool == false } ?? [:])")
        let byOperation = Dictionary(grouping: records) { $0["operation_type"] as? String ?? "" }
        #expect(byOperation["put"]?.count == 12 && byOperation["get"]?.count == 12 && byOperation["delete"]?.count == 12)
        #expect(byOperation["put"]?.allSatisfy { $0["bytes"] as? Int == 100_000 } == true)
        #expect(byOperation["get"]?.allSatisfy { $0["bytes"] as? Int == 100_000 } == true)
        let summary = try run.summary()
        let get = try #require(summary.operations["get"])
        #expect(get.bytes == 1_200_000)
        #expect((get.megabytesPerSecond ?? 0) > 0)
        #expect(summary.operations["delete"]?.bytes == nil)
    }

    /// The server checks signatures: a wrong secret fails every request with S3's reason,
    /// and the bucket cannot even be created.
    @Test func aWrongSecretIsRefusedByTheServer() async throws {
        let run = try LocalRun(Self.recipe(secret: "not-the-secret"))
        do {
            _ = try await run.deploy()
            Issue.record("the bucket was created with a wrong secret")
        } catch {
            #expect("\(error)".contains("SignatureDoesNotMatch"), "\(error)")
        }
        try? run.service.stop()
    }
}
