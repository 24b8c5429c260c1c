import FactoryBenchCore
import Foundation
import TestSupport
import Testing

@testable import FactoryBenchNetwork

/// The Ollama clients against a FAKE Ollama server (Tests/Fixtures/servers/fake_ollama.py,
/// which follows Ollama's documented NDJSON API): no real Ollama can be installed here.
@Suite(.enabled(if: Installed.python, "python3 is not installed"))
struct OllamaClientTests {
    static let fake = "python3 \(Fixtures.url("servers/fake_ollama.py").path) $PORT"

    static func recipe(client: String, settings: String, load: String = "") -> String {
        """
        service: {type: ollama, command: "\(fake)", settings: {model: "fake-llama:1b"}}
        client: {type: \(client), settings: {warmup_delay: 0, \(settings)}}
        \(load)
        """
    }

    @Test func streamedGenerateRecordsTTFTTokensAndTheServersTimings() async throws {
        let (run, endpoint, outcomes) = try await LocalRun.run(
            Self.recipe(client: "ollama_stress", settings: "num_requests: 6, max_tokens: 5", load: "load: {concurrency: 2}"))
        #expect(outcomes.map(\.error) == [nil])
        #expect(endpoint.version == "Ollama 0.0.0-fake")
        let records = try run.records()
        expectWellFormed(records, serviceType: "ollama")
        #expect(records.count == 6)
        for record in records {
            #expect(record["success"] as? Bool == true, "\(record)")
            let ttft = try #require(record["ttft_s"] as? Double)
            let latency = try #require(record["latency_s"] as? Double)
            #expect(ttft > 0.02 && ttft < latency)
            #expect((record["itl_s"] as? [Double])?.count == 4)
            #expect(record["output_tokens"] as? Int == 5)
            #expect(record["input_tokens"] as? Int == 128)
            #expect(record["token_count_source"] as? String == "usage")
            #expect(record["model"] as? String == "fake-llama:1b")
            #expect(record["eval_count"] as? Int == 5)
            #expect(record["eval_duration_s"] as? Double == 0.125)
            #expect(record["finish_reason"] as? String == "length")
        }
        let llm = try #require(try run.summary().llm)
        #expect(llm.totalOutputTokens == 30)
        #expect(llm.tpot != nil && llm.itl != nil)
    }

    @Test func chatAndNonStreamedAnswersAreRecorded() async throws {
        let (chat, _, _) = try await LocalRun.run(
            Self.recipe(client: "ollama_smoke", settings: "num_requests: 2, max_tokens: 3, api: chat"))
        #expect(try chat.records().allSatisfy { $0["success"] as? Bool == true && $0["output_tokens"] as? Int == 3 })
        #expect(try chat.records().allSatisfy { $0["operation_type"] as? String == "chat" })
        let (whole, _, _) = try await LocalRun.run(
            Self.recipe(client: "ollama_smoke", settings: "num_requests: 2, max_tokens: 4, stream: false"))
        let records = try whole.records()
        #expect(records.allSatisfy { $0["success"] as? Bool == true && $0["output_tokens"] as? Int == 4 })
        #expect(records.allSatisfy { $0["ttft_s"] == nil })
    }

    /// The old framework's `max_retries`: a failed request is sent again, each attempt a
    /// record of its own; the retried ones say so.
    @Test func maxRetriesSendsAFailedRequestAgainAndRecordsEveryAttempt() async throws {
        let (run, _, outcomes) = try await LocalRun.run(
            Self.recipe(client: "ollama_smoke", settings: "num_requests: 1, max_tokens: 2, prompt: FLAKY2, max_retries: 3"))
        #expect(outcomes.map(\.error) == [nil])
        let records = try run.records().sorted { ($0["attempt"] as? Int ?? 0) < ($1["attempt"] as? Int ?? 0) }
        #expect(records.map { $0["attempt"] as? Int } == [1, 2, 3])
        #expect(records.map { $0["success"] as? Bool } == [false, false, true])
        #expect(records.map { $0["retried"] as? Bool } == [true, true, nil])
        #expect(Set(records.compactMap { $0["request_id"] as? String }).count == 1)
        // Each attempt has its own times: the retry waits before it starts again.
        let starts = records.compactMap { $0["timestamp_start"] as? Double }
        #expect(starts == starts.sorted() && starts[2] - starts[0] >= 1.4, "\(starts)")
        let summary = try run.summary()
        #expect(summary.totalRequests == 3 && summary.failedRequests == 2)

        // Without retries the same failure is one failed record.
        let (plain, _, _) = try await LocalRun.run(
            Self.recipe(client: "ollama_smoke", settings: "num_requests: 1, max_tokens: 2, prompt: FLAKY1"))
        #expect(try plain.records().map { $0["success"] as? Bool } == [false])
    }

    @Test func anHTTP500ACutStreamAndASilentServerFailTheirRequestsWithAReason() async throws {
        let (failing, _, _) = try await LocalRun.run(
            Self.recipe(client: "ollama_smoke", settings: "num_requests: 2, prompt: FAIL500"))
        let failed = try failing.records()
        #expect(failed.allSatisfy { $0["success"] as? Bool == false && $0["http_status"] as? Int == 500 })
        #expect(failed.allSatisfy { ($0["error"] as? String)?.contains("model runner crashed") == true })

        let (cut, _, _) = try await LocalRun.run(Self.recipe(client: "ollama_smoke", settings: "num_requests: 1, prompt: CUT"))
        let cutRecord = try #require(try cut.records().first)
        #expect(cutRecord["success"] as? Bool == false)
        // The client counts what it read; a client slower than the fake's pause can see the close
        // before the second chunk (the HTTP client drops parts still buffered when a stream fails).
        #expect((cutRecord["error"] as? String)?.contains("the stream broke after") == true, "\(cutRecord)")
        #expect([1, 2].contains(cutRecord["output_tokens"] as? Int), "\(cutRecord)")
        #expect(cutRecord["ttft_s"] is Double)

        let (silent, _, outcomes) = try await LocalRun.run(
            Self.recipe(client: "ollama_smoke", settings: "num_requests: 1, prompt: HANG, request_timeout: 1"))
        #expect(outcomes.map(\.error) == [nil])
        let silentRecord = try #require(try silent.records().first)
        #expect(silentRecord["success"] as? Bool == false)
        #expect((silentRecord["latency_s"] as? Double ?? 0) < 10)
        #expect((silentRecord["error"] as? String)?.isEmpty == false)
    }

    @Test func aPromptsFileThatCannotBeReadIsAnInputErrorNamingIt() throws {
        #expect(throws: RecipeError.self) {
            _ = try LocalRun(Self.recipe(client: "ollama_stress", settings: "prompt_source: file, prompts_file: /no/such.jsonl"))
        }
    }

    /// A prompts file that the prompt source would not read is an error, not ignored.
    @Test func aPromptsFileWithAnotherPromptSourceIsAnError() throws {
        let error = #expect(throws: RecipeError.self) {
            _ = try LocalRun(Self.recipe(client: "ollama_stress", settings: "prompts_file: prompts.jsonl"))
        }
        #expect(error.map { "\($0)" }?.contains("add prompt_source: file") == true)
    }
}
