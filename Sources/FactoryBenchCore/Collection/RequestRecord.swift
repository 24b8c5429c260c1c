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
