import FactoryBenchCore
import Foundation

/// The prompts an LLM client sends, in order (request i gets prompt i mod count): one fixed
/// prompt, seeded synthetic prompts of a target length, a JSONL file of `prompt` or
/// `messages`, or a ShareGPT file (each conversation's first human turn).
struct PromptSet: Sendable {
    enum Prompt: Sendable, Equatable {
        case text(String)
        /// Chat messages as `(role, content)`.
        case messages([(role: String, content: String)])

        static func == (a: Prompt, b: Prompt) -> Bool {
            switch (a, b) {
            case (.text(let x), .text(let y)): return x == y
            case (.messages(let x), .messages(let y)):
                return x.map(\.role) == y.map(\.role) && x.map(\.content) == y.map(\.content)
            default: return false
            }
        }

        /// As chat messages (a text prompt is one user message).
        var messages: [(role: String, content: String)] {
            switch self {
            case .text(let text): return [("user", text)]
            case .messages(let messages): return messages
            }
        }

        /// As one text (chat messages joined, for completion endpoints).
        var text: String {
            switch self {
            case .text(let text): return text
            case .messages(let messages): return messages.map(\.content).joined(separator: "\n")
            }
        }
    }

    let prompts: [Prompt]

    func prompt(_ index: Int) -> Prompt { prompts[index % prompts.count] }

    /// The prompts a client's settings ask for; a file that cannot be read or holds no
    /// prompt is a `RecipeError` naming the setting.
    static func from(settings: [String: SettingValue], locate: KeyLocations) throws -> PromptSet {
        let source = settings["prompt_source"]?.stringValue ?? "fixed"
        let recipePath = locate.file
        let location = locate("client.settings.prompts_file")
        if settings["prompts_file"] != nil, source != "file", source != "sharegpt" {
            throw RecipeError.invalidValue(
                location, key: "client.settings.prompts_file",
                problem: "is read only with prompt_source: file (JSONL) or sharegpt, and prompt_source is '\(source)'; "
                    + "add prompt_source: file or remove prompts_file")
        }
        switch source {
        case "synthetic":
            let length = max(settings["input_tokens"]?.intValue ?? 128, 1)
            let seed = UInt64(truncatingIfNeeded: settings["seed"]?.intValue ?? 42)
            return PromptSet(prompts: (0..<64).map { .text(synthetic(words: length, seed: seed &+ UInt64($0))) })
        case "file", "sharegpt":
            guard let path = settings["prompts_file"]?.stringValue else {
                throw RecipeError.missingKey(location, key: "prompts_file", section: "client.settings (prompt_source: \(source))")
            }
            let resolved =
                path.hasPrefix("/")
                ? path : URL(fileURLWithPath: recipePath).deletingLastPathComponent().appendingPathComponent(path).path
            guard let data = FileManager.default.contents(atPath: resolved) else {
                throw RecipeError.invalidValue(
                    location, key: "client.settings.prompts_file", problem: "cannot read '\(resolved)'")
            }
            let prompts = source == "file" ? jsonl(data) : shareGPT(data)
            guard !prompts.isEmpty else {
                throw RecipeError.invalidValue(
                    location, key: "client.settings.prompts_file",
                    problem: source == "file"
                        ? "'\(resolved)' holds no line with a \"prompt\" string or a \"messages\" list"
                        : "'\(resolved)' holds no ShareGPT conversation with a human turn")
            }
            return PromptSet(prompts: prompts)
        default:
            return PromptSet(prompts: [.text(settings["prompt"]?.stringValue ?? "Hello")])
        }
    }

    /// Seeded words from a small vocabulary; most tokenizers make about one token of each.
    static func synthetic(words: Int, seed: UInt64) -> String {
        let vocabulary = [
            "the", "data", "model", "cluster", "node", "token", "latency", "request", "server", "queue", "memory",
            "batch", "cache", "network", "storage", "vector", "query", "result", "energy", "system", "time", "load",
            "answer", "question", "factory", "compute", "stream", "job", "value", "rate",
        ]
        var random = SeededGenerator(seed: seed)
        return (0..<words).map { _ in vocabulary[Int(random.next() % UInt64(vocabulary.count))] }.joined(separator: " ")
    }

    /// JSONL lines with `prompt` (a string) or `messages` (a list of role and content).
    static func jsonl(_ data: Data) -> [Prompt] {
        String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            if let prompt = object["prompt"] as? String { return .text(prompt) }
            if let messages = object["messages"] as? [[String: Any]] {
                let pairs = messages.compactMap { message -> (role: String, content: String)? in
                    guard let role = message["role"] as? String, let content = message["content"] as? String else { return nil }
                    return (role, content)
                }
                return pairs.isEmpty ? nil : .messages(pairs)
            }
            return nil
        }
    }

    /// ShareGPT: a JSON list of `{"conversations": [{"from": "human", "value": …}, …]}`.
    static func shareGPT(_ data: Data) -> [Prompt] {
        guard let items = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { return [] }
        return items.compactMap { item in
            let turns = item["conversations"] as? [[String: Any]] ?? []
            let human = turns.first { ($0["from"] as? String) == "human" || ($0["from"] as? String) == "user" }
            return (human?["value"] as? String).map { .text($0) }
        }
    }
}
