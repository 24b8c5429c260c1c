import FactoryBenchCore
import Foundation
import TestSupport
import Testing

/// Telemetry end to end: `factorybench run` against real PostgreSQL and Redis started on
/// this machine samples the servers' own statistics, the service's processes and the host,
/// and the run page, the report and `metrics.txt` show them.
struct TelemetryRunTests {
    static func summary(_ id: String, in directory: TemporaryDirectory) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: directory.path("results/\(id)/summary.json"))) as? [String: Any]
            ?? [:]
    }

    static func runID(_ stdout: String) throws -> String {
        try #require(stdout.split(separator: "\n").first?.split(separator: " ").last.map(String.init))
    }

    @Test func aLocalPostgresRunShowsTheServersOwnSeriesOnItsPage() async throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "pg.yaml",
            """
            service: {type: postgres}
            client: {type: postgres_stress, settings: {warmup_delay: 0}}
            load: {duration: 4s, concurrency: 2}
            telemetry: {interval: 500ms}
            """)
        let result = try await CommandRunner.run(["run", "pg.yaml"], in: directory.url)
        #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
        let id = try Self.runID(result.stdout)
        let results = directory.path("results/\(id)")
        #expect(FileManager.default.fileExists(atPath: results.appendingPathComponent("telemetry.jsonl").path))
        let raw = try String(contentsOf: results.appendingPathComponent("telemetry/postgres.txt"), encoding: .utf8)
        #expect(raw.contains("pg_stat_database xact_commit="), "the raw reads are kept")
        let telemetry = try #require(try Self.summary(id, in: directory)["telemetry"] as? [String: Any])
        let series = try #require(telemetry["series"] as? [String: [String: Any]])
        #expect((telemetry["samples"] as? Int ?? 0) >= 4, "\(telemetry["samples"] ?? "none")")
        // The server's own counters moved with the load; its process tree worked.
        #expect((series["postgres_commits_per_s"]?["mean"] as? Double ?? 0) > 10, "\(series["postgres_commits_per_s"] ?? [:])")
        #expect((series["postgres_commits_total"]?["increase"] as? Double ?? 0) > 40)
        #expect((series["postgres_rows_inserted_per_s"]?["peak"] as? Double ?? 0) > 0)
        #expect((series["postgres_connections"]?["peak"] as? Double ?? 0) >= 2, "the two clients' connections")
        #expect((series["service_cpu_percent"]?["peak"] as? Double ?? 0) > 0)
        #expect((series["service_rss_bytes"]?["mean"] as? Double ?? 0) > 1_000_000)
        #expect(series["clients_cpu_percent"] != nil && series["host_cpu_percent"] != nil)
        #expect(series["gpu0_utilization_percent"] == nil, "no nvidia-smi here: absent, not zero")
        let page = try String(contentsOf: directory.path("site/runs/\(id)/index.html"), encoding: .utf8)
        for text in [
            "PostgreSQL over time (pg_stat_database)", "CPU over time", "Memory over time", "Service telemetry",
            "postgres_commits_per_s", "telemetry.jsonl", "metrics.txt",
        ] {
            #expect(page.contains(text), "\(text)")
        }
        // metrics.txt, for a Pushgateway: the telemetry is in it next to the old metrics.
        let metrics = try String(contentsOf: directory.path("reports/\(id)/metrics.txt"), encoding: .utf8)
        #expect(metrics.contains("benchmark_throughput_rps{benchmark_id=\"\(id)\",service=\"postgres\"} "))
        #expect(
            metrics.contains(
                "benchmark_telemetry_mean{benchmark_id=\"\(id)\",service=\"postgres\",series=\"postgres_commits_per_s\""))
        let exported = try await CommandRunner.run(["export", id], in: directory.url)
        #expect(exported.exitCode == 0 && exported.stdout == metrics)
        let csv = try await CommandRunner.run(["export", id, "--format", "csv"], in: directory.url)
        #expect(csv.exitCode == 0 && csv.stdout.hasPrefix("metric,labels,value\n"))
        #expect(csv.stdout.contains("benchmark_telemetry_peak,benchmark_id=\(id);service=postgres;series=service_cpu_percent"))
        let json = try await CommandRunner.run(["export", id, "--format", "json", "-o", "m.json"], in: directory.url)
        #expect(json.exitCode == 0)
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.path("m.json"))) as? [String: Any]
        #expect((document?["metrics"] as? [Any])?.isEmpty == false)
        let wrong = try await CommandRunner.run(["export", id, "--format", "xml"], in: directory.url)
        #expect(wrong.exitCode == 64 || wrong.exitCode == 2, "\(wrong.exitCode)")
        #expect(wrong.stderr.contains("unknown --format 'xml': use one of prometheus, csv, json"))
        let missing = try await CommandRunner.run(["export", "no-such-run"], in: directory.url)
        #expect(missing.exitCode != 0 && missing.stderr.contains("no-such-run"))
    }

    /// Redis with a small maxmemory and large values evicts keys while the clients set them:
    /// the report says it sat at its limit, and the page plots Redis's own commands.
    @Test func aRedisRunThatEvictsIsFlaggedAtItsLimit() async throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "redis.yaml",
            """
            service: {type: redis, settings: {maxmemory: 3mb, maxmemory_policy: allkeys-lru}}
            client: {type: redis_stress, settings: {value_size_bytes: 65536, key_space: 200, mix: {set: 1, get: 1}}}
            load: {duration: 3s, concurrency: 2}
            telemetry: {interval: 500ms}
            """)
        let result = try await CommandRunner.run(["run", "redis.yaml"], in: directory.url)
        #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
        let id = try Self.runID(result.stdout)
        let telemetry = try #require(try Self.summary(id, in: directory)["telemetry"] as? [String: Any])
        let series = try #require(telemetry["series"] as? [String: [String: Any]])
        #expect((series["redis_commands_per_s"]?["mean"] as? Double ?? 0) > 10)
        #expect((series["redis_evicted_keys_total"]?["increase"] as? Double ?? 0) > 0)
        #expect((series["redis_used_memory_bytes"]?["peak"] as? Double ?? 0) > 1_000_000)
        #expect(series["redis_maxmemory_bytes"]?["peak"] as? Double == Double(3 * 1_048_576))
        let limits = try #require(telemetry["at_limit"] as? [[String: Any]])
        #expect(limits.contains { $0["series"] as? String == "redis_evicted_keys_total" }, "\(limits)")
        let page = try String(contentsOf: directory.path("site/runs/\(id)/index.html"), encoding: .utf8)
        #expect(page.contains("At its limit:") && page.contains("Redis evicted"))
        #expect(page.contains("Redis over time (INFO)"))
        let raw = try String(contentsOf: directory.path("results/\(id)/telemetry/redis.txt"), encoding: .utf8)
        #expect(raw.contains("evicted_keys:"))
    }

    @Test func telemetryCanBeTurnedOffAndABadIntervalIsRefusedWhereItIsWritten() async throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "off.yaml",
            """
            service: {type: sqlite}
            client: {type: sqlite_stress, settings: {num_requests: 20}}
            telemetry: {enabled: false}
            """)
        let off = try await CommandRunner.run(["run", "off.yaml"], in: directory.url)
        #expect(off.exitCode == 0, "\(off.stderr)")
        let id = try Self.runID(off.stdout)
        #expect(!FileManager.default.fileExists(atPath: directory.path("results/\(id)/telemetry.jsonl").path))
        #expect(try Self.summary(id, in: directory)["telemetry"] == nil)
        try directory.write(
            "bad.yaml",
            """
            service: {type: sqlite}
            client: {type: sqlite_stress}
            telemetry:
              interval: 10ms
            """)
        let bad = try await CommandRunner.run(["validate", "bad.yaml"], in: directory.url)
        #expect(bad.exitCode != 0)
        #expect(bad.stderr.contains("bad.yaml:4:13") && bad.stderr.contains("at least 0.1 s"), "\(bad.stderr)")
    }
}

/// A vLLM service is scraped at `/metrics` without being asked: here a FAKE of vLLM's
/// endpoint (`instant_llm.py --metrics`, serving a recorded vLLM scrape whose TTFT histogram
/// grows with every request), since vLLM needs a GPU.
struct VLLMTelemetryTests {
    @Test func aVLLMServiceIsScrapedAtItsMetricsEndpoint() async throws {
        let directory = try TemporaryDirectory()
        let server = Fixtures.url("servers/instant_llm.py").path
        let recorded = Fixtures.url("telemetry/vllm_metrics.txt").path
        try directory.write(
            "llm.yaml",
            """
            service: {type: vllm, command: "python3 \(server) --port $PORT --chunks 4 --metrics \(recorded)"}
            client: {type: vllm_stress, settings: {max_tokens: 4}}
            load: {duration: 3s, concurrency: 2}
            telemetry: {interval: 500ms}
            """)
        let result = try await CommandRunner.run(["run", "llm.yaml"], in: directory.url)
        #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
        let id = try TelemetryRunTests.runID(result.stdout)
        let telemetry = try #require(try TelemetryRunTests.summary(id, in: directory)["telemetry"] as? [String: Any])
        let series = try #require(telemetry["series"] as? [String: [String: Any]])
        #expect(series["vllm_requests_waiting"]?["mean"] as? Double == 12, "as recorded")
        #expect(series["vllm_kv_cache_usage_percent"]?["peak"] as? Double == 81.25, "a fraction of 1 as percent")
        // Over each interval: 10 ms a request, as the fake adds them.
        let ttft = try #require(series["vllm_ttft_mean_seconds"]?["mean"] as? Double)
        #expect(abs(ttft - 0.01) < 1e-6, "\(ttft)")
        let limits = try #require(telemetry["at_limit"] as? [[String: Any]])
        #expect(limits.contains { $0["series"] as? String == "vllm_requests_waiting" })
        let page = try String(contentsOf: directory.path("site/runs/\(id)/index.html"), encoding: .utf8)
        #expect(page.contains("vLLM over time (/metrics)") && page.contains("vLLM queued requests"))
        let raw = try String(contentsOf: directory.path("results/\(id)/telemetry/prometheus.txt"), encoding: .utf8)
        #expect(raw.contains("# factorybench sample time=") && raw.contains("vllm:gpu_cache_usage_perc"))
    }
}
