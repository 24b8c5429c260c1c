/// The first line of every request file: which run and service its records belong to and
/// when the test started. Each client writes one into its own file (with its id and, on a
/// compute node, its host); the collector writes one, for the whole run, into
/// `requests.jsonl`.
public struct RequestFileHeader: Sendable {
    public var benchmarkID: String
    public var serviceType: String
    public var clientType: String
    /// Unix seconds.
    public var testStart: Double
    public var clientID: Int?
    public var host: String?
    public var numClients: Int?

    public init(recipe: Recipe, benchmarkID: String, testStart: Double) {
        self.benchmarkID = benchmarkID
        serviceType = recipe.service.type.rawValue
        clientType = recipe.client.type.rawValue
        self.testStart = testStart
    }

    public var line: JSONLine {
        var line = JSONLine()
        line.add("benchmark_id", benchmarkID)
        line.add("service_type", serviceType)
        line.add("client_type", clientType)
        line.add("test_start", testStart, decimals: 6)
        if let clientID { line.add("client_id", clientID) }
        if let host { line.add("host", host) }
        if let numClients { line.add("num_clients", numClients) }
        return line
    }
}
