import FactoryBenchCore
import Foundation

/// Reads a streamed LLM response as its bytes arrive — OpenAI-style server-sent events
/// (`data: {json}` lines ending with `data: [DONE]`) or Ollama's newline-delimited JSON —
/// and keeps when each content chunk arrived, the server's token counts and why generation
/// stopped. Pure: the caller passes each read with its monotonic arrival time, so tests can
/// replay recorded streams with chosen timestamps.
struct LLMStreamReader {
    enum Format: Sendable {
        case openAI
        case ollama
    }

    let format: Format
    let start: UInt64
    private var pending: [UInt8] = []
    /// Arrival times of the chunks that carried content (role-only and empty ones excluded).
    private(set) var contentTimes: [UInt64] = []
    private(set) var promptTokens: Int?
    private(set) var completionTokens: Int?
    private(set) var finishReason: String?
    private(set) var done = false
    /// An error the server sent inside the stream, or a line that was not JSON.
    private(set) var error: String?
    private(set) var serverTimings: [String: Double] = [:]
    private(set) var serverCounts: [String: Int] = [:]
    private(set) var model: String?

    init(format: Format, start: UInt64) {
        self.format = format
        self.start = start
    }

    /// Takes one read; complete lines are parsed now, a partial one waits for the next read.
    mutating func feed<Bytes: Collection<UInt8>>(_ bytes: Bytes, at time: UInt64) {
        pending.append(contentsOf: bytes)
        var lineStart = 0
        while let newline = pending[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
            line(pending[lineStart..<newline], at: time)
            lineStart = newline + 1
        }
        pending.removeFirst(lineStart)
    }

    /// The stream ended: a last line without its newline is still read, but when it is
    /// cut off mid-JSON the stream counts as cut (not done), not as garbage.
    mutating func finish(at time: UInt64) {
        let before = error
        if !pending.isEmpty { line(pending[...], at: time) }
        if before == nil, error?.hasPrefix("unreadable stream line") == true { error = nil }
        pending = []
    }

    private mutating func line(_ raw: ArraySlice<UInt8>, at time: UInt64) {
        var text = String(decoding: raw, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        switch format {
        case .openAI:
            // SSE: only `data:` lines carry payload; comments, `event:` and blank lines do not.
            guard text.hasPrefix("data:") else { return }
            let payload = text.dropFirst(5).trimmingCharacters(in: .whitespaces)
            if payload == "[DONE]" {
                done = true
                return
            }
            openAIChunk(payload, at: time)
        case .ollama:
            let payload = text.trimmingCharacters(in: .whitespaces)
            guard !payload.isEmpty else { return }
            ollamaChunk(payload, at: time)
        }
    }

    private mutating func object(_ payload: String) -> [String: Any]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any] else {
            error = error ?? "unreadable stream line: \(payload.prefix(200))"
            return nil
        }
        if let failure = object["error"] {
            let message = (failure as? [String: Any])?["message"] as? String ?? (failure as? String) ?? "\(failure)"
            error = error ?? "server error in stream: \(message)"
            return nil
        }
        return object
    }

    private mutating func openAIChunk(_ payload: String, at time: UInt64) {
        guard let object = object(payload) else { return }
        if let name = object["model"] as? String { model = name }
        if let usage = object["usage"] as? [String: Any] {
            promptTokens = (usage["prompt_tokens"] as? Int) ?? promptTokens
            completionTokens = (usage["completion_tokens"] as? Int) ?? completionTokens
        }
        guard let choice = (object["choices"] as? [[String: Any]])?.first else { return }
        // Completions stream `text`; chat streams `delta.content` (the first delta often
        // carries only the role).
        let content = (choice["text"] as? String) ?? ((choice["delta"] as? [String: Any])?["content"] as? String) ?? ""
        if !content.isEmpty { contentTimes.append(time) }
        if let reason = choice["finish_reason"] as? String { finishReason = reason }
    }

    private mutating func ollamaChunk(_ payload: String, at time: UInt64) {
        guard let object = object(payload) else { return }
        if let name = object["model"] as? String { model = name }
        let content = (object["response"] as? String) ?? ((object["message"] as? [String: Any])?["content"] as? String) ?? ""
        if !content.isEmpty { contentTimes.append(time) }
        guard object["done"] as? Bool == true else { return }
        done = true
        finishReason = object["done_reason"] as? String ?? finishReason
        promptTokens = object["prompt_eval_count"] as? Int
        completionTokens = object["eval_count"] as? Int
        for key in ["prompt_eval_count", "eval_count"] {
            if let value = object[key] as? Int { serverCounts[key] = value }
        }
        // Ollama reports durations in nanoseconds.
        for key in ["total_duration", "load_duration", "prompt_eval_duration", "eval_duration"] {
            if let value = object[key] as? Double { serverTimings[key + "_s"] = value / 1e9 }
        }
    }

    /// The record's LLM fields: TTFT from the request start to the first content chunk, the
    /// gaps between content chunks, and token counts — the server's when it gave them, else
    /// one token per content chunk (`token_count_source` says which).
    func fields(model requested: String?) -> LLMFields {
        var fields = LLMFields()
        fields.model = model ?? requested
        if let first = contentTimes.first { fields.ttftSeconds = Double(first &- start) / 1e9 }
        fields.itlSeconds = zip(contentTimes.dropFirst(), contentTimes).map { Double($0 &- $1) / 1e9 }
        if let completionTokens {
            fields.outputTokens = completionTokens
            fields.tokenCountSource = "usage"
        } else {
            fields.outputTokens = contentTimes.count
            fields.tokenCountSource = "chunks"
        }
        fields.inputTokens = promptTokens
        fields.finishReason = finishReason
        fields.serverTimings = serverTimings
        fields.serverCounts = serverCounts
        return fields
    }
}
