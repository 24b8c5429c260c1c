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

    /// A failed request with a reason.
    public static func failure(_ reason: String, operationType: String? = nil, httpStatus: Int? = nil) -> RequestOutcome {
        RequestOutcome(success: false, error: reason, httpStatus: httpStatus, operationType: operationType)
    }
}
