import Foundation
import Testing

@testable import FactoryBenchNetwork

/// Recorded streams replayed with chosen arrival times (milliseconds after a start at 0):
/// every derived number is checked against a value computed by hand.
@Suite struct LLMStreamReaderTests {
    static let ms: UInt64 = 1_000_000

    func replay(_ format: LLMStreamReader.Format, _ reads: [(UInt64, String)]) -> LLMStreamReader {
        var reader = LLMStreamReader(format: format, start: 0)
        for (time, text) in reads { reader.feed(Array(text.utf8), at: time * Self.ms) }
        reader.finish(at: (reads.last?.0 ?? 0) * Self.ms)
        return reader
    }

    @Test func chatStreamSkipsTheRoleOnlyChunkAndUsesTheServersUsage() {
        let reader = replay(
            .openAI,
            [
                (100, "data: {\"model\":\"m\",\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n"),
                (250, "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n"),
                (300, "data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\n: keep-alive comment\n"),
                // Two chunks in one read arrive together: a gap of 0.
                (
                    420,
                    "data: {\"choices\":[{\"delta\":{\"content\":\" wor\"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"ld\"},\"finish_reason\":\"stop\"}]}\n\n"
                ),
                (430, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":5}}\n\ndata: [DONE]\n\n"),
            ])
        #expect(reader.done)
        #expect(reader.error == nil)
        let fields = reader.fields(model: "requested")
        #expect(fields.model == "m")
        #expect(fields.ttftSeconds == 0.25)
        #expect(fields.itlSeconds == [0.05, 0.12, 0])
        #expect(fields.outputTokens == 5)
        #expect(fields.inputTokens == 7)
        #expect(fields.tokenCountSource == "usage")
        #expect(fields.finishReason == "stop")
    }

    @Test func completionStreamWithoutUsageCountsContentChunksAcrossSplitReads() {
        // One event split over three reads, with CRLF line ends.
        let reader = replay(
            .openAI,
            [
                (40, "data: {\"choices\":[{\"text\":\"a\"}]}\r\n\r\n"),
                (90, "data: {\"choi"), (95, "ces\":[{\"text\":\"b\"}]}\r\n"), (96, "\r\n"),
                (150, "data: {\"choices\":[{\"text\":\"\",\"finish_reason\":\"length\"}]}\r\n\r\ndata: [DONE]\r\n"),
            ])
        let fields = reader.fields(model: "requested")
        #expect(fields.model == "requested")
        #expect(fields.ttftSeconds == 0.04)
        // "b" completed at 95 ms, when its line's end arrived.
        #expect(fields.itlSeconds == [0.055])
        #expect(fields.outputTokens == 2)
        #expect(fields.tokenCountSource == "chunks")
        #expect(fields.inputTokens == nil)
        #expect(fields.finishReason == "length")
        #expect(reader.done)
    }

    @Test func aStreamCutInTheMiddleIsNotDone() {
        let reader = replay(
            .openAI, [(10, "data: {\"choices\":[{\"text\":\"a\"}]}\n\n"), (20, "data: {\"choices\":[{\"te")])
        #expect(!reader.done)
        #expect(reader.contentTimes.count == 1)
        let outcome = LLMSession.outcome(of: reader, operation: "completions", status: 200, model: nil)
        #expect(outcome.success == false)
        #expect(outcome.error?.contains("ended before it was done") == true)
        #expect(outcome.llm?.ttftSeconds == 0.01)
    }

    @Test func anErrorInsideTheStreamFailsTheRequest() {
        let reader = replay(.openAI, [(5, "data: {\"error\":{\"message\":\"context length exceeded\"}}\n\n")])
        let outcome = LLMSession.outcome(of: reader, operation: "chat", status: 200, model: nil)
        #expect(outcome.success == false)
        #expect(outcome.error == "server error in stream: context length exceeded")
    }

    /// The byte-level chunk reader against what a full JSON parse would say: fields in any
    /// order, escapes, nested values it skips, and lines that are not JSON.
    @Test func chunksAreReadFromTheirBytesWhateverTheirShape() {
        let reader = replay(
            .openAI,
            [
                // Content that is only an escape is still content; unknown nested members are skipped.
                (
                    10,
                    #"data: {"choices":[{"finish_reason":null,"logprobs":{"top":[[1,2],{"a":"}"}]},"text":"\n"}],"#
                        + #""model":"m\u00e9\ud83d\ude00","x":[true,false,null,-1.5e3]}"# + "\n"
                ),
                // A second choice's text is not the first one's.
                (20, #"data: {"choices":[{"text":""},{"text":"other"}]}"# + "\n"),
                (30, #"data:{"choices":[{"index":0,"text":"b","finish_reason":"length"}]}"# + "\n"),
                (40, #"data: {"usage":{"completion_tokens":2,"prompt_tokens":3},"choices":[]}"# + "\ndata: [DONE]\n"),
            ])
        #expect(reader.error == nil)
        #expect(reader.done)
        #expect(reader.contentTimes == [10 * Self.ms, 30 * Self.ms])
        let fields = reader.fields(model: nil)
        #expect(fields.model == "m\u{e9}\u{1F600}")
        #expect(fields.finishReason == "length")
        #expect(fields.outputTokens == 2 && fields.inputTokens == 3)

        for bad in [#"data: {"choices":[{"text":"a"}]"#, #"data: {"choices":[{"text":"a"}]} x"#, "data: {\"a\":tru}"] {
            let broken = replay(.openAI, [(1, bad + "\n"), (2, "data: [DONE]\n")])
            #expect(broken.error?.hasPrefix("unreadable stream line") == true, "\(bad)")
            #expect(broken.contentTimes.isEmpty, "\(bad)")
        }
        let failure = replay(.openAI, [(1, #"data: {"choices":[{"text":"a"}],"error":"overloaded"}"# + "\n")])
        #expect(failure.error == "server error in stream: overloaded")
        #expect(failure.contentTimes.isEmpty)
    }

    @Test func ollamaNDJSONGivesTokensAndTheServersOwnTimings() {
        let reader = replay(
            .ollama,
            [
                (300, "{\"model\":\"llama2\",\"response\":\"The\",\"done\":false}\n"),
                (
                    340,
                    "{\"model\":\"llama2\",\"response\":\" sky\",\"done\":false}\n{\"model\":\"llama2\",\"response\":\" is\",\"done\":false}\n"
                ),
                (
                    400,
                    "{\"model\":\"llama2\",\"response\":\"\",\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":12,\"eval_count\":3,\"total_duration\":410000000,\"load_duration\":5000000,\"prompt_eval_duration\":250000000,\"eval_duration\":100000000}\n"
                ),
            ])
        #expect(reader.done)
        let fields = reader.fields(model: nil)
        #expect(fields.model == "llama2")
        #expect(fields.ttftSeconds == 0.3)
        #expect(fields.itlSeconds == [0.04, 0])
        #expect(fields.outputTokens == 3)
        #expect(fields.inputTokens == 12)
        #expect(fields.tokenCountSource == "usage")
        #expect(fields.finishReason == "stop")
        #expect(fields.serverCounts == ["prompt_eval_count": 12, "eval_count": 3])
        #expect(fields.serverTimings["eval_duration_s"] == 0.1)
        #expect(fields.serverTimings["load_duration_s"] == 0.005)
        #expect(fields.serverTimings["prompt_eval_duration_s"] == 0.25)
        #expect(fields.serverTimings["total_duration_s"] == 0.41)
    }

    @Test func ollamaChatStreamsMessageContent() {
        let reader = replay(
            .ollama,
            [
                (50, "{\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"done\":false}\n"),
                (70, "{\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"eval_count\":1}\n"),
            ])
        let fields = reader.fields(model: "m")
        #expect(fields.ttftSeconds == 0.05)
        #expect(fields.outputTokens == 1)
        #expect(reader.done)
    }

    @Test func aNonStreamedAnswerTakesTokensFromUsageAndHasNoTTFT() {
        let body = Data(
            "{\"model\":\"m\",\"choices\":[{\"text\":\"xyz\",\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":16}}"
                .utf8)
        let outcome = LLMSession.outcome(ofWhole: body, ollama: false, operation: "completions", status: 200, model: nil)
        #expect(outcome.success)
        #expect(outcome.llm?.outputTokens == 16)
        #expect(outcome.llm?.inputTokens == 4)
        #expect(outcome.llm?.ttftSeconds == nil)
        #expect(outcome.llm?.finishReason == "length")
    }
}
