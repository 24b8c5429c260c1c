import FactoryBenchCore
import Foundation
import TestSupport
import Testing

@testable import FactoryBenchNetwork

/// The server sources' parsing and choice, on recorded replies.
struct ServerTelemetryTests {
    /// Part of a Redis 7 `INFO` reply.
    @Test func redisInfoBecomesItsSeries() {
        let info = """
            # Server\r
            redis_version:7.0.15\r
            # Clients\r
            connected_clients:3\r
            blocked_clients:0\r
            # Memory\r
            used_memory:1048576\r
            maxmemory:0\r
            # Stats\r
            total_commands_processed:12345\r
            keyspace_hits:100\r
            keyspace_misses:7\r
            evicted_keys:0\r
            expired_keys:2\r
            """
        let values = RedisTelemetry.values(info: info)
        #expect(values["redis_commands_total"] == 12345)
        #expect(values["redis_connected_clients"] == 2, "our own connection left out")
        #expect(values["redis_used_memory_bytes"] == 1_048_576)
        #expect(values["redis_maxmemory_bytes"] == nil, "maxmemory 0 is no limit: absent")
        #expect(values["redis_keyspace_misses_total"] == 7 && values["redis_evicted_keys_total"] == 0)
    }

    @Test func vLLMsRecordedScrapeAndAnyOtherServersGauges() throws {
        let text = try String(contentsOf: Fixtures.url("telemetry/vllm_metrics.txt"), encoding: .utf8)
        let scrape = PrometheusScrape(url: "http://127.0.0.1:1/metrics", vllm: true)
        let first = scrape.vllmValues(PrometheusText.parse(text))
        #expect(first["vllm_requests_running"] == 3 && first["vllm_requests_waiting"] == 12)
        #expect(first["vllm_kv_cache_usage_percent"] == 81.25)
        #expect(first["vllm_ttft_mean_seconds"] == nil, "one scrape has no interval yet")
        let later = text.replacingOccurrences(
            of: "_sum{engine=\"0\",model_name=\"meta-llama/Llama-3.1-8B-Instruct\"} 5.25",
            with: "_sum{engine=\"0\",model_name=\"meta-llama/Llama-3.1-8B-Instruct\"} 7.25"
        )
        .replacingOccurrences(
            of: "_count{engine=\"0\",model_name=\"meta-llama/Llama-3.1-8B-Instruct\"} 100.0",
            with: "_count{engine=\"0\",model_name=\"meta-llama/Llama-3.1-8B-Instruct\"} 104.0")
        #expect(scrape.vllmValues(PrometheusText.parse(later))["vllm_ttft_mean_seconds"] == 0.5, "2 s over 4 requests")
        let generic = PrometheusScrape.genericValues(PrometheusText.parse(text))
        #expect(generic["prometheus_process_cpu_seconds_total"] != nil, "\(generic.keys.sorted())")
        #expect(generic["prometheus_vllm_num_requests_waiting"] == 12)
    }

    /// Any other server's families: a declared `untyped` one, a gauge whose name ends in
    /// `_total` beside a gauge of the shorter name, a counter in either naming, samples of no
    /// declared type, and a histogram's parts left out.
    @Test func anyOtherServersFamiliesByTheirTypes() {
        let text = """
            # TYPE queue_depth untyped
            queue_depth{q="a"} 2
            queue_depth{q="b"} 3
            # TYPE disk gauge
            disk 7
            # TYPE disk_total gauge
            disk_total 100
            # TYPE hits counter
            hits_total{code="200"} 40
            hits_total{code="500"} 2
            # TYPE legacy counter
            legacy 5
            undeclared_seconds 1.5
            # TYPE latency histogram
            latency_bucket{le="+Inf"} 9
            latency_sum 3
            latency_count 9
            """
        let values = PrometheusScrape.genericValues(PrometheusText.parse(text))
        #expect(
            values == [
                "prometheus_queue_depth": 5, "prometheus_disk": 7, "prometheus_disk_total": 100,
                "prometheus_hits_total": 42, "prometheus_legacy_total": 5, "prometheus_undeclared_seconds": 1.5,
            ], "\(values)")
    }

    @Test func theSourcesFollowTheRecipe() throws {
        func sources(_ yaml: String) throws -> [String] {
            let recipe = try RecipeLoader.parse(yaml, path: "t.yaml", name: "t")
            return ServerTelemetry.sources(for: recipe, endpoint: ServiceEndpoint(host: "127.0.0.1", port: 9)).map(\.name)
        }
        #expect(try sources("service: {type: postgres}\nclient: {type: postgres_stress}\n") == ["postgres"])
        #expect(try sources("service: {type: redis}\nclient: {type: redis_stress}\n") == ["redis"])
        #expect(
            try sources("service: {type: vllm, command: x}\nclient: {type: vllm_smoke}\n") == ["prometheus"], "vLLM: /metrics")
        #expect(try sources("service: {type: redis}\nclient: {type: redis_stress}\ntelemetry: {server: false}\n") == [])
        let recipe = try RecipeLoader.parse(
            "service: {type: http, command: x}\nclient: {type: http_smoke}\ntelemetry: {prometheus: /stats/prom}\n",
            path: "t.yaml", name: "t")
        #expect(
            ServerTelemetry.prometheusURL(for: recipe, endpoint: ServiceEndpoint(host: "10.0.0.5", port: 8080))
                == "http://10.0.0.5:8080/stats/prom")
    }
}
