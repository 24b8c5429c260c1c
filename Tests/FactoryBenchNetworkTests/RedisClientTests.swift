import FactoryBenchCore
import Foundation
import NIOCore
import TestSupport
import Testing

@testable import FactoryBenchNetwork

/// redis_stress against a real redis-server that the local executor starts.
@Suite(.enabled(if: Installed.redis, "redis-server is not installed"), .serialized)
struct RedisClientTests {
    @Test func stressSetsAndGetsValuesOfTheConfiguredSize() async throws {
        let (run, endpoint, outcomes) = try await LocalRun.run(
            """
            service: {type: redis}
            client: {type: redis_stress, settings: {num_requests: 400, value_size_bytes: 64, key_space: 50, mix: {set: 1, get: 3}}}
            benchmarks: {num_clients: 2}
            load: {concurrency: 4}
            """)
        #expect(outcomes.map(\.error) == [nil, nil])
        #expect(endpoint.version?.hasPrefix("Redis ") == true)
        let records = try run.records()
        expectWellFormed(records, serviceType: "redis")
        #expect(records.count == 800)
        #expect(records.allSatisfy { $0["success"] as? Bool == true })
        let gets = records.filter { $0["operation_type"] as? String == "get" }
        let sets = records.filter { $0["operation_type"] as? String == "set" }
        #expect(gets.count + sets.count == 800)
        #expect((520...680).contains(gets.count), "about 3 of 4 are GETs: \(gets.count)")
        // The key space was filled before the clients started, so every GET finds a value.
        #expect(gets.allSatisfy { $0["rows_affected"] as? Int == 1 })
    }

    /// The old framework's `key_size_bytes` and `warmup_delay`, and `appendonly: yes`.
    @Test func keySizeBytesSetsTheLengthOfEveryKeyTheServerHolds() async throws {
        let run = try LocalRun(
            """
            service: {type: redis, settings: {appendonly: yes}}
            client: {type: redis_stress, settings: {num_requests: 20, key_size_bytes: 32, key_space: 40, warmup_delay: 0.3}}
            """)
        let endpoint = try await run.deploy()
        defer { try? run.service.stop() }
        let begun = Date()
        _ = try await run.runClients(endpoint)
        #expect(Date().timeIntervalSince(begun) >= 0.3)
        #expect(try run.records().allSatisfy { $0["success"] as? Bool == true })
        let connection = try await RESPConnection.connect(host: "127.0.0.1", port: endpoint.port ?? 0)
        let replies = try await connection.pipeline([
            [Array("KEYS".utf8), Array("*".utf8)], [Array("CONFIG".utf8), Array("GET".utf8), Array("appendonly".utf8)],
        ])
        await connection.close()
        guard case .array(let keys?) = replies.first, case .array(let config?) = replies.last else {
            Issue.record("unexpected replies \(replies)")
            return
        }
        #expect(keys.count == 40)
        #expect(keys.allSatisfy { if case .bulk(let key?) = $0 { key.count == 32 } else { false } })
        #expect(config.last == .bulk(Array("yes".utf8)))
        #expect(RedisClient.key(7, size: 32) == Array("factorybench:0000000000000000007".utf8))
        #expect(RedisClient.key(12345, size: 3) == Array("12345".utf8))
        #expect(RedisClient.key(7, size: nil) == Array("factorybench:7".utf8))
    }

    @Test func readinessWaitsForPingAndAServerKilledMidRunGivesFailedRequests() async throws {
        let run = try LocalRun(
            """
            service: {type: redis}
            client: {type: redis_stress, settings: {key_space: 10}}
            load: {concurrency: 2, num_requests: 50000}
            """)
        // Enough requests that the kill lands mid-run: the client sends 2,000 in a few ms.
        let outcomes = try await run.runKillingTheService(afterCompleted: 50)
        #expect(outcomes.map(\.error) == [nil])
        let records = try run.records()
        expectWellFormed(records, serviceType: "redis")
        let failed = records.filter { $0["success"] as? Bool == false }
        #expect(!failed.isEmpty && failed.count < records.count)
    }

    /// Coordinated omission on a real server: redis-server is frozen (SIGSTOP) for half a
    /// second in the middle of an open-loop run — from its 100th finished request, a count,
    /// so a busy machine cannot move the freeze out of the run. Every request due during the
    /// freeze waits for it, and the latency from the intended start shows each of them.
    @Test func aFrozenServerShowsInTheOpenLoopsLatencyFromTheIntendedStart() async throws {
        let run = try LocalRun(
            """
            service: {type: redis}
            client: {type: redis_stress, settings: {key_space: 10}}
            load: {mode: open, rate: 200, duration: 1.5s, concurrency: 200}
            """)
        let endpoint = try await run.deploy()
        let pid = try #require((run.service as? RedisService)?.pid)
        let progress = ProgressCounter(expectedRequests: nil, expectedSeconds: nil)
        let freezer = Task {
            while progress.completed < 100 { try await Task.sleep(for: .milliseconds(2)) }
            kill(pid, SIGSTOP)
            defer { kill(pid, SIGCONT) }
            try await Task.sleep(for: .milliseconds(500))
        }
        _ = try await run.runClients(endpoint, progress: progress)
        try await freezer.value
        try await run.executor.teardown()
        let records = try run.records()
        #expect(records.count == 300)
        let held = records.filter { record in
            guard let end = record["timestamp_end"] as? Double, let intended = record["timestamp_intended"] as? Double
            else { return false }
            return end - intended > 0.3
        }
        // About 40 requests were due in the freeze's first 0.2 s (a slower machine only
        // lengthens the freeze).
        #expect(held.count >= 25, "\(held.count) requests waited over 0.3 s")
        let summary = try run.summary()
        #expect(try #require(summary.latencyFromIntended).max > 0.4)
        #expect(summary.droppedRequests == 0)
    }

    @Test func respDecoderReadsEveryReplyKindAndWaitsForMissingBytes() throws {
        var buffer = ByteBuffer(string: "+OK\r\n-ERR bad\r\n:42\r\n$3\r\nabc\r\n$-1\r\n*2\r\n$1\r\nx\r\n:7\r\n")
        #expect(try RESPDecoder.parse(&buffer) == .simple("OK"))
        #expect(try RESPDecoder.parse(&buffer) == .error("ERR bad"))
        #expect(try RESPDecoder.parse(&buffer) == .integer(42))
        #expect(try RESPDecoder.parse(&buffer) == .bulk(Array("abc".utf8)))
        #expect(try RESPDecoder.parse(&buffer) == .bulk(nil))
        #expect(try RESPDecoder.parse(&buffer) == .array([.bulk(Array("x".utf8)), .integer(7)]))
        var partial = ByteBuffer(string: "$5\r\nab")
        #expect(try RESPDecoder.parse(&partial) == nil)
        var garbage = ByteBuffer(string: "?what\r\n")
        #expect(throws: (any Error).self) { try RESPDecoder.parse(&garbage) }
    }
}
