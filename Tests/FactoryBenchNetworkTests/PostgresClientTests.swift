import FactoryBenchCore
import Foundation
import PostgresNIO
import TestSupport
import Testing

@testable import FactoryBenchNetwork

/// postgres_smoke and postgres_stress against a real PostgreSQL that the local executor
/// starts (initdb + pg_ctl in a temporary directory).
@Suite(.enabled(if: Installed.postgres, "PostgreSQL (pg_ctl) is not installed"), .serialized)
struct PostgresClientTests {
    @Test func stressSendsTheMixOverPreparedStatementsAndCountsRows() async throws {
        let (run, endpoint, outcomes) = try await LocalRun.run(
            """
            service: {type: postgres}
            client:
              type: postgres_stress
              settings:
                warmup_delay: 0
                initial_rows: 500
                mix: {insert: 2, point_lookup: 2, range_scan: 1, aggregation: 1, update: 2}
            benchmarks: {num_clients: 2}
            load: {concurrency: 3, num_requests: 150}
            """)
        #expect(outcomes.map(\.error) == [nil, nil])
        #expect(endpoint.version?.hasPrefix("PostgreSQL ") == true)
        let records = try run.records()
        expectWellFormed(records, serviceType: "postgres")
        #expect(records.count == 300)
        #expect(
            records.allSatisfy { $0["success"] as? Bool == true }, "\(records.first { $0["success"] as? Bool == false } ?? [:])")
        // The old framework's meanings: operation_type is the statement, query_type its shape.
        let byQuery = Dictionary(grouping: records) { $0["query_type"] as? String ?? "" }
        #expect(Set(byQuery.keys) == ["point_insert", "point_lookup", "range_scan", "aggregation", "point_update"])
        for query in ["point_insert", "point_lookup", "point_update"] {
            #expect(byQuery[query]!.allSatisfy { $0["rows_affected"] as? Int == 1 }, "\(query)")
        }
        #expect(byQuery["range_scan"]!.allSatisfy { ($0["rows_affected"] as? Int ?? 0) >= 1 })
        #expect(byQuery["point_insert"]!.allSatisfy { $0["operation_type"] as? String == "insert" })
        #expect(byQuery["point_update"]!.allSatisfy { $0["operation_type"] as? String == "update" })
        for query in ["point_lookup", "range_scan", "aggregation"] {
            #expect(byQuery[query]!.allSatisfy { $0["operation_type"] as? String == "select" }, "\(query)")
        }
        let summary = try run.summary()
        #expect(Set(summary.operations.keys) == ["insert", "select", "update"])
        #expect(Set(summary.queryTypes.keys) == ["point_insert", "point_lookup", "range_scan", "aggregation", "point_update"])
        #expect(Set(records.compactMap { $0["request_id"] as? String }).count == 300)
        // The service's data directory is gone after the run.
        #expect(!run.log().isEmpty)
    }

    @Test func theInitialRowsAreVacuumedAndAnalysedBeforeTheLoad() async throws {
        let run = try LocalRun(
            """
            service: {type: postgres}
            client: {type: postgres_stress, settings: {warmup_delay: 0, initial_rows: 2000, mix: {point_lookup: 1}}}
            load: {num_requests: 20}
            """)
        let endpoint = try await run.deploy()
        do {
            #expect(try await run.runClients(endpoint).map(\.error) == [nil])
            let connection = try await PostgresClient.connect(endpoint: endpoint, database: "benchmark", id: -1)
            // The statistics reach the view within a second or so of the vacuum's end.
            var vacuumed = false
            for _ in 0..<50 where !vacuumed {
                let rows = try await connection.query(
                    """
                    SELECT (last_vacuum IS NOT NULL AND last_analyze IS NOT NULL)::int
                    FROM pg_stat_user_tables WHERE relname = 'stress_test'
                    """, logger: PostgresClient.logger
                ).collect()
                vacuumed = try rows.first?.decode(Int.self) == 1
                if !vacuumed { try await Task.sleep(for: .milliseconds(100)) }
            }
            try await connection.close()
            #expect(vacuumed, "pg_stat_user_tables shows no VACUUM ANALYZE of stress_test")
            try await run.executor.teardown()
        } catch {
            try? await run.executor.teardown()
            throw error
        }
    }

    @Test func withoutAMixTheSeedsInsertsThenSelectsKeepTheirMeaning() async throws {
        let (run, _, _) = try await LocalRun.run(
            """
            service: {type: postgres}
            client: {type: postgres_stress, settings: {warmup_delay: 0, num_inserts: 20, num_selects: 10}}
            """)
        let records = try run.records().sorted {
            Int(($0["request_id"] as! String).split(separator: "-").last!)! < Int(
                ($1["request_id"] as! String).split(separator: "-").last!)!
        }
        #expect(
            records.map { $0["query_type"] as? String } == Array(repeating: "point_insert", count: 20)
                + Array(repeating: "point_lookup", count: 10))
        #expect(try run.summary().successRate == 100)
    }

    @Test func badSQLFailsEachRequestWithTheServersReason() async throws {
        let (run, _, outcomes) = try await LocalRun.run(
            """
            service: {type: postgres}
            client: {type: postgres_smoke, settings: {warmup_delay: 0, query: "SELEC 1", num_requests: 4}}
            """)
        #expect(outcomes.map(\.error) == [nil])
        let records = try run.records()
        #expect(records.count == 4)
        #expect(records.allSatisfy { $0["success"] as? Bool == false })
        #expect(records.allSatisfy { ($0["error"] as? String)?.contains("syntax error") == true }, "\(records.first ?? [:])")
        let summary = try run.summary()
        #expect(summary.failedRequests == 4)
        #expect(summary.errorSummary.count == 1)
    }

    @Test func aServerKilledMidRunTurnsIntoFailedRequestsNotACrash() async throws {
        let run = try LocalRun(
            """
            service: {type: postgres}
            client: {type: postgres_smoke, settings: {warmup_delay: 0, query: "SELECT pg_sleep(0.01)"}}
            load: {concurrency: 2, num_requests: 400}
            """)
        let outcomes = try await run.runKillingTheService(afterCompleted: 20)
        #expect(outcomes.map(\.error) == [nil])
        let records = try run.records()
        expectWellFormed(records, serviceType: "postgres")
        let failed = records.filter { $0["success"] as? Bool == false }
        #expect(records.count > failed.count && !failed.isEmpty)
        #expect(failed.allSatisfy { ($0["error"] as? String)?.isEmpty == false })
        #expect(records.allSatisfy { $0["operation_type"] as? String == "select" && $0["query_type"] as? String == "smoke" })
    }

    @Test func aServerThatIsNotThereGivesConnectionErrorsPerRequest() async throws {
        let client = PostgresClient(
            kind: .postgresSmoke, settings: ["warmup_delay": .int(0), "num_requests": .int(3)], load: [:])
        let summary = try await LocalRun.runAlone(
            client, endpoint: ServiceEndpoint(host: "127.0.0.1", port: try Readiness.freePort()))
        #expect(summary.totalRequests == 3)
        #expect(summary.failedRequests == 3)
        #expect(
            summary.errorSummary.keys.allSatisfy { $0.lowercased().contains("refused") || $0.contains("connect") },
            "\(summary.errorSummary)")
    }
}
