import FactoryBenchCore
import Foundation
import TestSupport
import Testing

/// The Prometheus text format as a vLLM server writes it (recorded shape), with the edge
/// cases of the format: comments, labels in any order, escaped label values, histograms,
/// special values, timestamps, and lines that are not samples.
struct PrometheusTextTests {
    let exposition: PrometheusText.Exposition

    init() throws {
        exposition = PrometheusText.parse(
            try String(contentsOf: Fixtures.url("telemetry/vllm_metrics.txt"), encoding: .utf8))
    }

    @Test func gaugesWithTheirLabelsTypesAndHelp() {
        let model = ["model_name": "meta-llama/Llama-3.1-8B-Instruct"]
        #expect(exposition.values("vllm:num_requests_running", where: model).map(\.value) == [3])
        #expect(exposition.values("vllm:num_requests_waiting").first?.value == 12)
        #expect(exposition.values("vllm:gpu_cache_usage_perc").first?.labels == ["engine": "0"].merging(model) { a, _ in a })
        #expect(exposition.types["vllm:time_to_first_token_seconds"] == "histogram")
        #expect(exposition.help["vllm:gpu_cache_usage_perc"] == "GPU KV-cache usage. 1 means 100 percent usage.")
    }

    @Test func aHistogramsBucketsInOrderWithSumAndCount() {
        let ttft = exposition.histogram("vllm:time_to_first_token_seconds")
        #expect(ttft.buckets.map(\.upperBound) == [0.001, 0.04, 0.1, .infinity])
        #expect(ttft.buckets.map(\.count) == [0, 20, 95, 100])
        #expect(ttft.sum == 5.25 && ttft.count == 100)
    }

    @Test func escapesSpecialValuesTimestampsAndLinesThatAreNotSamples() throws {
        let weird = try #require(exposition.values("weird_label").first)
        #expect(weird.labels == ["path": #"C:\DIR\file"#, "quote": #"say "hi""#, "multi": "a\nb"])
        let cpu = try #require(exposition.values("process_cpu_seconds_total").first)
        #expect(cpu.value == 12.47 && cpu.timestamp == 1_733_450_000_000 && cpu.labels.isEmpty)
        let indented = try #require(exposition.values("indented_gauge").first)
        #expect(indented.value.isNaN && indented.labels == ["a": "1", "b": "2"])
        #expect(exposition.values("negative_inf").first?.value == -.infinity)
        // Kept aside with their line numbers, not fatal.
        #expect(exposition.skipped.map(\.text) == ["this line is not a sample", #"broken{label="unterminated} 1"#])
        #expect(exposition.skipped.map(\.line) == [22, 23])
    }
}
