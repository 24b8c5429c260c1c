import FactoryBenchCore
import Foundation
import TestSupport
import Testing

@testable import FactoryBenchNetwork

/// http_smoke and http_stress against a real HTTP server (Python's, from the fixtures)
/// that the local executor starts from `service.command`.
@Suite(.enabled(if: Installed.python, "python3 is not installed"))
struct HTTPClientTests {
    static let server = "python3 \(Fixtures.url("servers/status_server.py").path) $PORT"

    @Test func stressSendsTheRequestShapeAndCountsStatuses() async throws {
        let (run, _, outcomes) = try await LocalRun.run(
            """
            service: {type: http, command: "\(Self.server)"}
            client:
              type: http_stress
              settings: {path: /status/200, method: POST, body: "hello", headers: {X-Test: "1"}, num_requests: 60}
            benchmarks: {num_clients: 2}
            load: {concurrency: 3}
            """)
        #expect(outcomes.map(\.error) == [nil, nil])
        let records = try run.records()
        expectWellFormed(records, serviceType: "http")
        #expect(records.count == 120)
        #expect(records.allSatisfy { $0["success"] as? Bool == true && $0["http_status"] as? Int == 200 })
        #expect(records.allSatisfy { $0["operation_type"] as? String == "POST" })
        #expect(try run.summary().httpStatuses == ["200": 120])
    }

    /// Python's http.server speaks HTTP/1.0 and closes every connection after its response;
    /// every request is answered on a connection of its own.
    @Test func anHTTP10ServerThatClosesEveryConnectionAnswersEveryRequest() async throws {
        let (run, _, outcomes) = try await LocalRun.run(
            """
            service: {type: http, command: "python3 -m http.server $PORT --bind 127.0.0.1"}
            client: {type: http_stress, settings: {num_requests: 30}}
            load: {concurrency: 2}
            """)
        #expect(outcomes.map(\.error) == [nil])
        let summary = try run.summary()
        #expect(summary.totalRequests == 30 && summary.failedRequests == 0, "\(summary.errorSummary)")
    }

    @Test func anUnexpectedStatusIsAFailedRequestWithTheStatus() async throws {
        let (run, _, _) = try await LocalRun.run(
            """
            service: {type: http, command: "\(Self.server)"}
            client: {type: http_smoke, settings: {path: /status/500}}
            """)
        let records = try run.records()
        #expect(records.count == 5)
        #expect(records.allSatisfy { $0["success"] as? Bool == false && $0["http_status"] as? Int == 500 })
        #expect(records.allSatisfy { $0["error"] as? String == "HTTP 500 (expected 200)" })
        let summary = try run.summary()
        #expect(summary.errorSummary == ["HTTP 500 (expected 200)": 5])
        #expect(summary.httpStatuses == ["500": 5])
    }

    @Test func theOpenLoopKeepsItsScheduleAgainstASlowServer() async throws {
        // 40 ms responses at 50 requests/s, with a slot for every request: none is dropped.
        let (run, _, _) = try await LocalRun.run(
            """
            service: {type: http, command: "\(Self.server)"}
            client: {type: http_stress, settings: {path: /slow/40}}
            load: {mode: open, rate: 50, num_requests: 40, concurrency: 40}
            """)
        let records = try run.records()
        #expect(records.count == 40)
        #expect(records.allSatisfy { $0["timestamp_intended"] is Double })
        let summary = try run.summary()
        #expect(summary.droppedRequests == 0, "\(summary.errorSummary)")
        let fromIntended = try #require(summary.latencyFromIntended)
        #expect(fromIntended.p50 >= 0.04)
        // The schedule spans 39 gaps of 20 ms whatever the machine's load; a request may
        // start late (a busy machine), never early.
        let intended = records.compactMap { $0["timestamp_intended"] as? Double }.sorted()
        #expect(abs((intended.last ?? 0) - (intended.first ?? 0) - 0.78) < 0.001)
        #expect(
            records.allSatisfy { ($0["timestamp_start"] as? Double ?? 0) >= ($0["timestamp_intended"] as? Double ?? 1) - 1e-6 })
    }

    @Test func connectionRefusedIsRecordedPerRequest() async throws {
        let client = HTTPLoadClient(kind: .httpSmoke, settings: ["num_requests": .int(3)], load: [:])
        let summary = try await LocalRun.runAlone(
            client, endpoint: ServiceEndpoint(host: "127.0.0.1", port: try Readiness.freePort()))
        #expect(summary.failedRequests == 3)
        #expect(summary.errorSummary.keys.allSatisfy { $0.lowercased().contains("refused") }, "\(summary.errorSummary)")
    }
}

/// Starting a service that never answers, or dies, ends the deploy step with the reason and
/// the end of its log, and leaves no process behind.
@Suite struct ServiceReadinessTests {
    @Test func aServiceThatNeverListensTimesOut() async throws {
        let run = try LocalRun(
            """
            service: {type: http, command: "echo starting; sleep 600", ready_timeout: 1s}
            client: {type: http_smoke}
            """)
        let started = Date()
        await #expect {
            _ = try await run.deploy()
        } throws: { error in
            let text = (error as? LocalizedError)?.errorDescription ?? ""
            return text.contains("did not answer within 1 s") && text.contains("starting")
        }
        // It gave up after its timeout rather than waiting for the process (no hang).
        #expect(Date().timeIntervalSince(started) < 300)
    }

    @Test func aServiceThatExitsIsReportedWithItsLog() async throws {
        let run = try LocalRun(
            """
            service: {type: nginx, command: "echo 'bind: address in use' >&2; exit 3"}
            client: {type: http_smoke}
            """)
        await #expect {
            _ = try await run.deploy()
        } throws: { error in
            let text = (error as? LocalizedError)?.errorDescription ?? ""
            return text.contains("exited before it answered") && text.contains("address in use")
        }
    }

    @Test func aLocalHTTPServiceNeedsACommand() throws {
        #expect(throws: RecipeError.self) {
            _ = try LocalRun("service: {type: nginx}\nclient: {type: http_smoke}\n")
        }
    }
}
