/// One in-flight slot of a client: usually one connection. The load engine times each
/// `send`; the session only performs the request and says how it went. A session whose
/// connection fails reports the failure in the outcome and reconnects on the next request.
public protocol RequestSession: Sendable {
    /// Performs request number `index` (numbered from 0 within the client).
    func send(index: Int) async -> RequestOutcome
    /// Closes the connection; called once, after the last request.
    func close() async
}

/// What a session reports about one request; the engine adds the timing.
public struct RequestOutcome: Sendable, Equatable {
    public var success: Bool
    public var error: String?
    public var httpStatus: Int?
    public var operationType: String?
    public var queryType: String?
    public var rowsAffected: Int?
    /// Vector stores: recall@k of a query against exact search.
    public var recall: Double?
    public var topK: Int?
    public var batchSize: Int?
    public var dimension: Int?
    public var llm: LLMFields?
    /// Object stores: payload bytes sent or received (for MB/s).
    public var bytes: Int?
    /// Command clients: the exit status and the end of what the command printed.
    public var exitCode: Int?
    public var output: String?
    /// Attempts that failed and were sent again before this one, oldest first; each is
    /// recorded as a request of its own.
    public var retriedAttempts: [RetriedAttempt] = []
    /// When this (last) attempt started, on the monotonic clock, when earlier ones were retried.
    public var lastAttemptStart: UInt64?

    public init(
        success: Bool, error: String? = nil, httpStatus: Int? = nil, operationType: String? = nil,
        queryType: String? = nil, rowsAffected: Int? = nil, recall: Double? = nil, topK: Int? = nil,
        batchSize: Int? = nil, dimension: Int? = nil
    ) {
        self.success = success
        self.error = error
        self.httpStatus = httpStatus
        self.operationType = operationType
        self.queryType = queryType
        self.rowsAffected = rowsAffected
        self.recall = recall
        self.topK = topK
        self.batchSize = batchSize
        self.dimension = dimension
    }

    /// A failed attempt that was sent again, with its own times on the monotonic clock.
    public struct RetriedAttempt: Sendable, Equatable {
        public var start: UInt64
        public var end: UInt64
        public var outcome: RequestOutcome

        public init(start: UInt64, end: UInt64, outcome: RequestOutcome) {
            self.start = start
            self.end = end
            self.outcome = outcome
        }
    }

    /// A failed request with a reason.
    public static func failure(_ reason: String, operationType: String? = nil, httpStatus: Int? = nil) -> RequestOutcome {
        RequestOutcome(success: false, error: reason, httpStatus: httpStatus, operationType: operationType)
    }
}

/// A session that sends a failed request again, up to `maxRetries` times, waiting a little
/// longer before each retry (0.5 s, 1 s, 2 s, … at most 10 s); every attempt is recorded.
public struct RetryingSession: RequestSession {
    public let inner: any RequestSession
    public let maxRetries: Int

    public init(_ inner: any RequestSession, maxRetries: Int) {
        self.inner = inner
        self.maxRetries = maxRetries
    }

    public func send(index: Int) async -> RequestOutcome {
        var retried: [RequestOutcome.RetriedAttempt] = []
        while true {
            let start = WallAnchoredClock.monotonicNanoseconds()
            var outcome = await inner.send(index: index)
            guard !outcome.success, retried.count < maxRetries, !Task.isCancelled else {
                if !retried.isEmpty {
                    outcome.retriedAttempts = retried
                    outcome.lastAttemptStart = start
                }
                return outcome
            }
            retried.append(.init(start: start, end: WallAnchoredClock.monotonicNanoseconds(), outcome: outcome))
            let backoff = min(0.5 * Double(1 << min(retried.count - 1, 5)), 10)
            try? await Task.sleep(for: .milliseconds(Int64(backoff * 1000)))
        }
    }

    public func close() async { await inner.close() }
}
