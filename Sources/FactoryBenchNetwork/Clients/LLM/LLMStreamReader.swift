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
            line(lineStart..<newline, at: time)
            lineStart = newline + 1
        }
        pending.removeFirst(lineStart)
    }

    /// The stream ended: a last line without its newline is still read, but when it is
    /// cut off mid-JSON the stream counts as cut (not done), not as garbage.
    mutating func finish(at time: UInt64) {
        let before = error
        if !pending.isEmpty { line(0..<pending.count, at: time) }
        if before == nil, error?.hasPrefix("unreadable stream line") == true { error = nil }
        pending = []
    }

    private mutating func line(_ range: Range<Int>, at time: UInt64) {
        let lines = pending
        lines.withUnsafeBytes { all in
            var text = UnsafeRawBufferPointer(rebasing: all[range])
            if text.last == 13 { text = UnsafeRawBufferPointer(rebasing: text.dropLast()) }
            switch format {
            case .openAI:
                // SSE: only `data:` lines carry payload; comments, `event:` and blank lines do not.
                guard text.count >= 5, JSONCursor.equals(UnsafeRawBufferPointer(rebasing: text.prefix(5)), "data:") else {
                    return
                }
                let payload = Self.trimmed(UnsafeRawBufferPointer(rebasing: text.dropFirst(5)))
                if JSONCursor.equals(payload, "[DONE]") {
                    done = true
                    return
                }
                chunk(payload, at: time)
            case .ollama:
                let payload = Self.trimmed(text)
                guard !payload.isEmpty else { return }
                chunk(payload, at: time)
            }
        }
    }

    private static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var slice = bytes[...]
        while let first = slice.first, first == 32 || first == 9 { slice = slice.dropFirst() }
        while let last = slice.last, last == 32 || last == 9 { slice = slice.dropLast() }
        return UnsafeRawBufferPointer(rebasing: slice)
    }

    /// What one chunk said, applied only when it carried no error.
    private struct Chunk {
        var model: String?
        var content = false
        var promptTokens: Int?
        var completionTokens: Int?
        var finishReason: String?
        var done = false
        var error: String?
        var counts: [String: Int] = [:]
        var timings: [String: Double] = [:]
    }

    /// One JSON object of the stream: an OpenAI-style chunk (`choices[0].text` or
    /// `choices[0].delta.content`, `usage`, `finish_reason`) or an Ollama one (`response` or
    /// `message.content`, and on the last one `done`, `done_reason` and the server's counts
    /// and durations).
    private mutating func chunk(_ payload: UnsafeRawBufferPointer, at time: UInt64) {
        var chunk = Chunk()
        var cursor = JSONCursor(payload)
        // Every chunk names the model; its name is read once.
        let readsModel = model == nil
        do {
            try cursor.object { key, value in
                if JSONCursor.equals(key, "model") {
                    if readsModel { chunk.model = try value.string() }
                } else if JSONCursor.equals(key, "error") {
                    chunk.error = try Self.errorMessage(&value)
                } else if format == .openAI {
                    try Self.openAIMember(key, &value, into: &chunk)
                } else {
                    try Self.ollamaMember(key, &value, into: &chunk)
                }
            }
            guard cursor.atEnd() else { throw JSONCursor.Malformed() }
        } catch {
            self.error = self.error ?? "unreadable stream line: \(String(decoding: payload.prefix(200), as: UTF8.self))"
            return
        }
        if let failure = chunk.error {
            error = error ?? "server error in stream: \(failure)"
            return
        }
        if let name = chunk.model { model = name }
        if chunk.content { contentTimes.append(time) }
        if let reason = chunk.finishReason { finishReason = reason }
        switch format {
        case .openAI:
            promptTokens = chunk.promptTokens ?? promptTokens
            completionTokens = chunk.completionTokens ?? completionTokens
        case .ollama:
            guard chunk.done else { return }
            done = true
            promptTokens = chunk.promptTokens
            completionTokens = chunk.completionTokens
            serverCounts.merge(chunk.counts) { $1 }
            serverTimings.merge(chunk.timings) { $1 }
        }
    }

    private static func errorMessage(_ value: inout JSONCursor) throws -> String {
        var copy = value
        if let text = try copy.string() {
            value = copy
            return text
        }
        copy = value
        var message: String?
        do {
            try copy.object { key, member in
                if JSONCursor.equals(key, "message") { message = try member.string() }
            }
        } catch {
            message = nil
        }
        if let message {
            value = copy
            return message
        }
        return try value.text()
    }

    private static func openAIMember(_ key: UnsafeRawBufferPointer, _ value: inout JSONCursor, into chunk: inout Chunk) throws {
        if JSONCursor.equals(key, "usage") {
            try value.object { key, count in
                if JSONCursor.equals(key, "prompt_tokens") { chunk.promptTokens = try count.integer() }
                if JSONCursor.equals(key, "completion_tokens") { chunk.completionTokens = try count.integer() }
            }
        } else if JSONCursor.equals(key, "choices") {
            try value.array { index, choice in
                guard index == 0 else { return }
                // Completions stream `text`; chat streams `delta.content` (the first delta
                // often carries only the role).
                try choice.object { key, member in
                    if JSONCursor.equals(key, "text") {
                        chunk.content = try member.isNonEmptyString() || chunk.content
                    } else if JSONCursor.equals(key, "delta") {
                        try member.object { key, content in
                            if JSONCursor.equals(key, "content") {
                                chunk.content = try content.isNonEmptyString() || chunk.content
                            }
                        }
                    } else if JSONCursor.equals(key, "finish_reason") {
                        chunk.finishReason = try member.string()
                    }
                }
            }
        }
    }

    private static func ollamaMember(_ key: UnsafeRawBufferPointer, _ value: inout JSONCursor, into chunk: inout Chunk) throws {
        if JSONCursor.equals(key, "response") {
            chunk.content = try value.isNonEmptyString() || chunk.content
        } else if JSONCursor.equals(key, "message") {
            try value.object { key, content in
                if JSONCursor.equals(key, "content") { chunk.content = try content.isNonEmptyString() || chunk.content }
            }
        } else if JSONCursor.equals(key, "done") {
            chunk.done = try value.boolean() == true
        } else if JSONCursor.equals(key, "done_reason") {
            chunk.finishReason = try value.string()
        } else if JSONCursor.equals(key, "prompt_eval_count") {
            chunk.promptTokens = try value.integer()
            chunk.counts["prompt_eval_count"] = chunk.promptTokens
        } else if JSONCursor.equals(key, "eval_count") {
            chunk.completionTokens = try value.integer()
            chunk.counts["eval_count"] = chunk.completionTokens
        } else {
            // Ollama reports durations in nanoseconds.
            for name: StaticString in ["total_duration", "load_duration", "prompt_eval_duration", "eval_duration"]
            where JSONCursor.equals(key, name) {
                chunk.timings["\(name)_s"] = try value.number().map { $0 / 1e9 }
                return
            }
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
