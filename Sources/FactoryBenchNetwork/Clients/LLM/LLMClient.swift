import AsyncHTTPClient
import FactoryBenchCore
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// `vllm_smoke`/`vllm_stress` (any OpenAI-compatible server: `/v1/completions` or
/// `/v1/chat/completions`) and `ollama_smoke`/`ollama_stress` (Ollama's `/api/generate` or
/// `/api/chat`): streamed by default, each request's TTFT, inter-chunk gaps and tokens
/// recorded (see `LLMStreamReader`), as the load plan says.
public struct LLMClient: LoadClient {
    public enum API: String, Sendable {
        case completions, chat, generate
    }

    public let kind: ClientType
    public let settings: [String: SettingValue]
    public let plan: LoadPlan
    let api: API
    let model: String?
    let stream: Bool
    let prompts: PromptSet
    let timeoutSeconds: Double

    var isOllama: Bool { kind == .ollamaSmoke || kind == .ollamaStress }

    /// Fails with a `RecipeError` when the prompts cannot be read or the API does not fit.
    public init(
        kind: ClientType, settings: [String: SettingValue], serviceSettings: [String: SettingValue],
        load: [String: SettingValue], locate: KeyLocations
    ) throws {
        self.kind = kind
        self.settings = settings
        let smoke = kind == .vllmSmoke || kind == .ollamaSmoke
        plan = LoadPlan(load: load, defaultMeasured: LoadPlan.measuredWindow(settings: settings, fallback: smoke ? 1 : 50))
        let ollama = kind == .ollamaSmoke || kind == .ollamaStress
        let name = settings["api"]?.stringValue ?? (ollama ? "generate" : "completions")
        guard let api = API(rawValue: name), ollama ? api != .completions : api != .generate else {
            throw RecipeError.invalidValue(
                locate("client.settings.api"), key: "client.settings.api",
                problem:
                    "'\(name)' is not an API of \(ollama ? "Ollama (generate, chat)" : "an OpenAI-compatible server (completions, chat)")"
            )
        }
        self.api = api
        model = settings["model"]?.stringValue ?? serviceSettings["model"]?.stringValue
        stream = settings["stream"]?.boolValue ?? true
        prompts = try PromptSet.from(settings: settings, locate: locate)
        timeoutSeconds = settings["request_timeout"]?.doubleValue ?? 300
    }

    public func prepare(endpoint: ServiceEndpoint) async throws {}

    public func run(clientID: Int, endpoint: ServiceEndpoint, context: ClientContext) async throws {
        try await LoadPlan.waitWarmupDelay(settings: settings)
        let base = "http://\(endpoint.host ?? "127.0.0.1"):\(endpoint.port ?? 8000)"
        let serviceType = isOllama ? "ollama" : "vllm"
        let retries = settings["max_retries"]?.intValue ?? 0
        // On the polling engine, as http_stress; retries (Ollama's max_retries) wait between
        // attempts, which the asynchronous engine's sessions do.
        if retries == 0 {
            let client = self
            try await LoadEngine(plan: plan, serviceType: serviceType).run(
                clientID: clientID, context: context, polled: { _ in LLMPolledSession(client: client, base: base) })
            return
        }
        try await LoadHTTPClient.with(concurrency: plan.concurrency) { http in
            let session = LLMSession(client: self, http: http, base: base)
            try await LoadEngine(plan: plan, serviceType: serviceType).run(clientID: clientID, context: context) { _ in
                RetryingSession(session, maxRetries: retries)
            }
        }
    }

    var path: String {
        switch api {
        case .completions: return "/v1/completions"
        case .chat: return isOllama ? "/api/chat" : "/v1/chat/completions"
        case .generate: return "/api/generate"
        }
    }

    /// The JSON body of request `index`.
    func body(_ index: Int) -> [String: Any] {
        let prompt = prompts.prompt(index)
        let maxTokens = settings["max_tokens"]?.intValue ?? 64
        let temperature = settings["temperature"]?.doubleValue ?? 0
        var body: [String: Any] = ["stream": stream]
        if let model { body["model"] = model }
        let messages = prompt.messages.map { ["role": $0.role, "content": $0.content] }
        if isOllama {
            if api == .chat { body["messages"] = messages } else { body["prompt"] = prompt.text }
            body["options"] = ["num_predict": maxTokens, "temperature": temperature]
            return body
        }
        if api == .chat { body["messages"] = messages } else { body["prompt"] = prompt.text }
        body["max_tokens"] = maxTokens
        body["temperature"] = temperature
        if settings["ignore_eos"]?.boolValue == true { body["ignore_eos"] = true }
        // Servers that support it (vLLM) send token usage in the last streamed chunk.
        if stream { body["stream_options"] = ["include_usage": true] }
        return body
    }
}

/// One in-flight slot of an LLM client on the polling engine: its own keep-alive connection,
/// each prompt's request bytes made once, the stream read by `LLMStreamReader` as it
/// arrives, each read stamped with the time it was taken from the socket.
final class LLMPolledSession: HTTPPolledSession {
    let client: LLMClient
    /// The request of each prompt (request i sends prompt i mod count), made on first use.
    private var requests: [[UInt8]?]
    private var reader: LLMStreamReader

    init(client: LLMClient, base: String) {
        self.client = client
        requests = Array(repeating: nil, count: client.prompts.prompts.count)
        reader = LLMStreamReader(format: client.isOllama ? .ollama : .openAI, start: 0)
        // The URL is the service's own http:// address, so the session exists.
        super.init(
            url: base + client.path, method: "POST", headers: [("Content-Type", "application/json")], body: nil,
            expectedStatus: 200, timeoutSeconds: client.timeoutSeconds)!
        operation = client.api.rawValue
    }

    override func prepare(index: Int) {
        let position = index % requests.count
        if requests[position] == nil {
            let body = (try? JSONSerialization.data(withJSONObject: client.body(index), options: [.sortedKeys])) ?? Data()
            requests[position] = Self.bytes(head: head, body: Array(body))
        }
        request = requests[position] ?? []
        reader = LLMStreamReader(format: client.isOllama ? .ollama : .openAI, start: WallAnchoredClock.monotonicNanoseconds())
    }

    override var keepsBody: Bool { true }

    override func received(at time: UInt64) {
        // A streamed answer is read as it comes; anything else is judged whole at the end.
        guard client.stream, response.status == 200 else { return }
        reader.feed(body, at: time)
        body.removeAll(keepingCapacity: true)
    }

    override func outcome(status: Int) -> RequestOutcome {
        let operation = client.api.rawValue
        guard status == 200 else {
            var outcome = RequestOutcome.failure(
                "HTTP \(status): \(String(decoding: body.prefix(300), as: UTF8.self))", operationType: operation,
                httpStatus: status)
            outcome.llm = LLMFields()
            outcome.llm?.model = client.model
            return outcome
        }
        guard client.stream else {
            return LLMSession.outcome(
                ofWhole: Data(body), ollama: client.isOllama, operation: operation, status: status, model: client.model)
        }
        reader.finish(at: WallAnchoredClock.monotonicNanoseconds())
        return LLMSession.outcome(of: reader, operation: operation, status: status, model: client.model)
    }

    override func broken(_ reason: String) -> RequestOutcome {
        let streaming = client.stream && response.status == 200
        var outcome = failed(reason)
        guard streaming else { return outcome }
        // Keep what arrived before the break: its TTFT and tokens are real.
        outcome.error = "the stream broke after \(reader.contentTimes.count) content chunks: \(reason)"
        outcome.httpStatus = 200
        outcome.llm = reader.fields(model: client.model)
        return outcome
    }
}

/// Every slot of an LLM client shares its connection pool.
struct LLMSession: RequestSession {
    let client: LLMClient
    let http: HTTPClient
    let base: String

    func send(index: Int) async -> RequestOutcome {
        let operation = client.api.rawValue
        var request = HTTPClientRequest(url: base + client.path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        guard let body = try? JSONSerialization.data(withJSONObject: client.body(index), options: [.sortedKeys]) else {
            return .failure("could not encode the request body", operationType: operation)
        }
        request.body = .bytes(ByteBuffer(data: body))
        let start = WallAnchoredClock.monotonicNanoseconds()
        var reader = LLMStreamReader(format: client.isOllama ? .ollama : .openAI, start: start)
        var streaming = false
        do {
            let response = try await http.execute(request, timeout: .milliseconds(Int64(client.timeoutSeconds * 1000)))
            let status = Int(response.status.code)
            guard status == 200 else {
                let text = String(buffer: (try? await response.body.collect(upTo: 1 << 16)) ?? ByteBuffer())
                var outcome = RequestOutcome.failure(
                    "HTTP \(status): \(text.prefix(300))", operationType: operation, httpStatus: status)
                outcome.llm = LLMFields()
                outcome.llm?.model = client.model
                return outcome
            }
            if client.stream {
                streaming = true
                for try await buffer in response.body {
                    reader.feed(buffer.readableBytesView, at: WallAnchoredClock.monotonicNanoseconds())
                }
                reader.finish(at: WallAnchoredClock.monotonicNanoseconds())
                return Self.outcome(of: reader, operation: operation, status: status, model: client.model)
            }
            let whole = try await response.body.collect(upTo: 64 << 20)
            return Self.outcome(
                ofWhole: Data(buffer: whole), ollama: client.isOllama, operation: operation, status: status,
                model: client.model)
        } catch {
            guard streaming else { return .failure(HTTPSession.describe(error), operationType: operation) }
            // Keep what arrived before the break: its TTFT and tokens are real.
            var outcome = RequestOutcome.failure(
                "the stream broke after \(reader.contentTimes.count) content chunks: \(HTTPSession.describe(error))",
                operationType: operation, httpStatus: 200)
            outcome.llm = reader.fields(model: client.model)
            return outcome
        }
    }

    func close() async {}

    /// A streamed response's outcome: complete only if the stream said it was done.
    static func outcome(of reader: LLMStreamReader, operation: String, status: Int, model: String?) -> RequestOutcome {
        var outcome = RequestOutcome(success: true, httpStatus: status, operationType: operation)
        outcome.llm = reader.fields(model: model)
        if let error = reader.error {
            outcome.success = false
            outcome.error = error
        } else if !reader.done {
            outcome.success = false
            outcome.error = "the stream ended before it was done, after \(reader.contentTimes.count) content chunks"
        }
        return outcome
    }

    /// A non-streamed response: tokens from the server's usage; no TTFT (nothing arrives
    /// before the whole answer).
    static func outcome(ofWhole data: Data, ollama: Bool, operation: String, status: Int, model: String?) -> RequestOutcome {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return .failure(
                "unreadable response: \(String(decoding: data.prefix(300), as: UTF8.self))", operationType: operation,
                httpStatus: status)
        }
        var fields = LLMFields()
        fields.model = object["model"] as? String ?? model
        if ollama {
            fields.outputTokens = object["eval_count"] as? Int
            fields.inputTokens = object["prompt_eval_count"] as? Int
            fields.finishReason = object["done_reason"] as? String
        } else {
            let usage = object["usage"] as? [String: Any]
            fields.outputTokens = usage?["completion_tokens"] as? Int
            fields.inputTokens = usage?["prompt_tokens"] as? Int
            fields.finishReason = (object["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String
        }
        fields.tokenCountSource = fields.outputTokens == nil ? nil : "usage"
        var outcome = RequestOutcome(success: true, httpStatus: status, operationType: operation)
        outcome.llm = fields
        return outcome
    }
}
