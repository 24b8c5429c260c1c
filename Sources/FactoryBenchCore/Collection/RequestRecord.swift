/// One request as a client saw it: a line of a JSONL request file (DESIGN.md, "The request
/// record").
public struct RequestRecord: Sendable, Equatable {
    public var requestID: String
    public var clientID: Int?
    public var serviceType: String
    /// Unix seconds when the request started and ended.
    public var timestampStart: Double
    public var timestampEnd: Double
    /// Measured on the monotonic clock, not `timestampEnd - timestampStart`.
    public var latencySeconds: Double
    public var success: Bool
    public var error: String?
    public var httpStatus: Int?
    public var operationType: String?
    public var queryType: String?
    public var rowsAffected: Int?
    /// Open loop: when the schedule said the request should start (Unix seconds).
    public var timestampIntended: Double?
    /// `warmup` or `cooldown`; `nil` for measured requests.
    public var phase: String?
    /// Open loop: the request was due while every in-flight slot was busy and never sent.
    public var dropped = false
    public var recall: Double?
    public var topK: Int?
    public var batchSize: Int?
    public var dimension: Int?
    /// LLM requests: tokens and their timing.
    public var llm: LLMFields?
    /// Object stores: payload bytes sent or received.
    public var bytes: Int?
    /// Command clients: the command's exit status and the end of its output.
    public var exitCode: Int?
    public var output: String?
    /// A request sent more than once: which attempt this is (from 1), and whether it failed
    /// and was sent again.
    public var attempt: Int?
    public var retried = false

    public init(
        requestID: String, clientID: Int?, serviceType: String, timestampStart: Double, timestampEnd: Double,
        latencySeconds: Double, success: Bool, error: String? = nil, httpStatus: Int? = nil,
        operationType: String? = nil, queryType: String? = nil, rowsAffected: Int? = nil
    ) {
        self.requestID = requestID
        self.clientID = clientID
        self.serviceType = serviceType
        self.timestampStart = timestampStart
        self.timestampEnd = timestampEnd
        self.latencySeconds = latencySeconds
        self.success = success
        self.error = error
        self.httpStatus = httpStatus
        self.operationType = operationType
        self.queryType = queryType
        self.rowsAffected = rowsAffected
    }
}

/// What an LLM request adds to its record (DESIGN.md: `model`, `input_tokens`,
/// `output_tokens`, `ttft_s`, `itl_s`), plus how tokens were counted and what the server
/// itself reported.
public struct LLMFields: Sendable, Equatable {
    public var model: String?
    /// Request start to the first content token.
    public var ttftSeconds: Double?
    /// Every gap between consecutive content chunks.
    public var itlSeconds: [Double] = []
    public var outputTokens: Int?
    public var inputTokens: Int?
    /// `usage` (the server's count) or `chunks` (one token per content chunk).
    public var tokenCountSource: String?
    public var finishReason: String?
    /// Server-side durations in seconds (Ollama's `*_duration`), keyed as written.
    public var serverTimings: [String: Double] = [:]
    /// Server-side counts (Ollama's `prompt_eval_count`, `eval_count`).
    public var serverCounts: [String: Int] = [:]

    public init() {}
}
