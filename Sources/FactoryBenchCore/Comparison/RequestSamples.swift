/// The per-request values of one run that a comparison tests: successful latencies overall
/// and per operation, and the LLM latencies when the records carry them.
public struct RequestSamples: Sendable, Equatable {
    public var latency: [Double]
    public var operations: [String: [Double]]
    public var ttft: [Double]
    public var tpot: [Double]
    public var itl: [Double]

    public init(
        latency: [Double], operations: [String: [Double]] = [:], ttft: [Double] = [], tpot: [Double] = [],
        itl: [Double] = []
    ) {
        self.latency = latency
        self.operations = operations
        self.ttft = ttft
        self.tpot = tpot
        self.itl = itl
    }
}
