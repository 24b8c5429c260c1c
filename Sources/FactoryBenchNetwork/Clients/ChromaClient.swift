import AsyncHTTPClient
import FactoryBenchCore
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// `chroma_healthcheck` and `chroma_stress` over ChromaDB's v2 REST API.
///
/// `chroma_stress`: each client creates its own collection, adds `num_vectors` seeded random
/// vectors of `dim` in batches of `batch_size` (each batch one timed `add` request), then
/// sends top-`top_k` queries as the load plan says and records each query's recall@k against
/// an exact brute-force search (L2, Chroma's default space) over the same vectors.
public struct ChromaClient: LoadClient {
    public let kind: ClientType
    public let settings: [String: SettingValue]
    public let plan: LoadPlan

    public init(kind: ClientType, settings: [String: SettingValue], load: [String: SettingValue]) {
        self.kind = kind
        self.settings = settings
        let fallback = kind == .chromaStress ? settings["num_queries"]?.intValue ?? 100 : settings["num_requests"]?.intValue ?? 5
        plan = LoadPlan(load: load, defaultMeasured: .requests(fallback))
    }

    var numVectors: Int { max(settings["num_vectors"]?.intValue ?? 1000, 1) }
    var dimension: Int { max(settings["dim"]?.intValue ?? 128, 1) }
    var topK: Int { max(settings["top_k"]?.intValue ?? 10, 1) }
    var batchSize: Int { max(settings["batch_size"]?.intValue ?? 100, 1) }
    var seed: UInt64 { UInt64(truncatingIfNeeded: settings["seed"]?.intValue ?? 42) }
    var batches: Int { (numVectors + batchSize - 1) / batchSize }

    public var requestsPerClient: Int? {
        plan.totalRequests.map { kind == .chromaStress ? $0 + batches : $0 }
    }

    public func prepare(endpoint: ServiceEndpoint) async throws {}

    public func run(clientID: Int, endpoint: ServiceEndpoint, context: ClientContext) async throws {
        let delay = settings["warmup_delay"]?.doubleValue ?? 0
        if delay > 0 { try await Task.sleep(for: .milliseconds(Int(delay * 1000))) }
        try await LoadHTTPClient.with(concurrency: plan.concurrency) { http in
            let api = ChromaAPI(http: http, base: "http://\(endpoint.host ?? "127.0.0.1"):\(endpoint.port ?? 8000)")
            if kind == .chromaHealthcheck {
                try await LoadEngine(plan: plan, serviceType: "chroma").run(clientID: clientID, context: context) { _ in
                    ChromaHeartbeatSession(api: api)
                }
            } else {
                try await stress(clientID: clientID, api: api, context: context)
            }
        }
    }

    private func stress(clientID: Int, api: ChromaAPI, context: ClientContext) async throws {
        let data = VectorSet(count: numVectors, dimension: dimension, seed: seed &+ UInt64(clientID) &* 0x9E37_79B9)
        let queries = VectorSet(
            count: min(plan.totalRequests ?? 1000, 1000), dimension: dimension,
            seed: seed &+ UInt64(clientID) &* 0x9E37_79B9 &+ 0xC0FFEE)
        let topK = topK
        let truth = (0..<queries.count).map { data.nearest(to: queries.vector($0), k: topK) }
        let name = "factorybench-c\(clientID)-\(UUID().uuidString.prefix(8).lowercased())"
        let collection: String
        do {
            collection = try await api.createCollection(name: name)
        } catch {
            throw ExecutionError.clientFailed(clientID: clientID, reason: "creating collection \(name): \(error)")
        }
        let adds = LoadPlan(
            mode: .closed, concurrency: plan.concurrency, arrivals: nil, warmup: .requests(0), measured: .requests(batches),
            cooldown: .requests(0), rampUpSeconds: 0, seed: plan.seed)
        let batchSize = batchSize
        try await LoadEngine(plan: adds, serviceType: "chroma").run(
            clientID: clientID, context: context, requestIDPrefix: "add-"
        ) { _ in
            ChromaAddSession(api: api, collection: collection, data: data, batchSize: batchSize)
        }
        try await LoadEngine(plan: plan, serviceType: "chroma").run(clientID: clientID, context: context) { _ in
            ChromaQuerySession(api: api, collection: collection, queries: queries, truth: truth, topK: topK)
        }
    }
}

/// Seeded random vectors with components in [-1, 1) rounded to 4 decimals, so the JSON sent
/// and the exact search see the same numbers.
struct VectorSet: Sendable {
    let count: Int
    let dimension: Int
    let values: [Double]

    init(count: Int, dimension: Int, seed: UInt64) {
        self.count = count
        self.dimension = dimension
        var random = SeededGenerator(seed: seed)
        values = (0..<(count * dimension)).map { _ in
            (Double(random.next() >> 11) * 0x1p-53 * 20000).rounded(.down) / 10000 - 1
        }
    }

    func vector(_ index: Int) -> ArraySlice<Double> {
        values[(index * dimension)..<((index + 1) * dimension)]
    }

    func id(_ index: Int) -> String { "v\(index)" }

    /// The ids of the `k` vectors nearest to `query` by squared L2 distance (ties by index).
    func nearest(to query: ArraySlice<Double>, k: Int) -> Set<String> {
        var distances: [(Double, Int)] = []
        distances.reserveCapacity(count)
        let base = query.startIndex
        for index in 0..<count {
            var sum = 0.0
            let offset = index * dimension
            for d in 0..<dimension {
                let difference = values[offset + d] - query[base + d]
                sum += difference * difference
            }
            distances.append((sum, index))
        }
        distances.sort { $0 < $1 }
        return Set(distances.prefix(k).map { id($0.1) })
    }

    /// `[[…],[…]]` of the vectors in `range`, numbers written with 4 decimals.
    func json(_ range: Range<Int>) -> String {
        "["
            + range.map { index in "[" + vector(index).map { String(format: "%.4f", $0) }.joined(separator: ",") + "]" }
            .joined(separator: ",") + "]"
    }
}

/// The few v2 endpoints the clients use.
struct ChromaAPI: Sendable {
    let http: HTTPClient
    let base: String
    static let collections = "/api/v2/tenants/default_tenant/databases/default_database/collections"

    /// Sends a request; returns the status and the body.
    func call(_ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> (status: Int, body: ByteBuffer) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await http.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), bytes)
    }

    /// Creates a collection (or gets it when it exists) and returns its id.
    func createCollection(name: String) async throws -> String {
        let body = String(
            decoding: try JSONSerialization.data(withJSONObject: ["name": name, "get_or_create": true]), as: UTF8.self)
        let (status, reply) = try await call(.POST, Self.collections, body: body)
        guard (200..<300).contains(status),
            let object = try? JSONSerialization.jsonObject(with: Data(buffer: reply)) as? [String: Any],
            let id = object["id"] as? String
        else {
            throw ChromaError.unexpected(status: status, body: String(buffer: reply))
        }
        return id
    }
}

enum ChromaError: Error, CustomStringConvertible {
    case unexpected(status: Int, body: String)

    var description: String {
        switch self {
        case .unexpected(let status, let body): return "HTTP \(status): \(body.prefix(300))"
        }
    }
}

struct ChromaHeartbeatSession: RequestSession {
    let api: ChromaAPI

    func send(index: Int) async -> RequestOutcome {
        do {
            let (status, body) = try await api.call(.GET, "/api/v2/heartbeat")
            guard status == 200 else {
                return .failure(
                    "HTTP \(status): \(String(buffer: body).prefix(200))", operationType: "heartbeat", httpStatus: status)
            }
            return RequestOutcome(success: true, httpStatus: status, operationType: "heartbeat")
        } catch {
            return .failure(HTTPSession.describe(error), operationType: "heartbeat")
        }
    }

    func close() async {}
}

struct ChromaAddSession: RequestSession {
    let api: ChromaAPI
    let collection: String
    let data: VectorSet
    let batchSize: Int

    func send(index: Int) async -> RequestOutcome {
        let range = (index * batchSize)..<min((index + 1) * batchSize, data.count)
        let ids = "[" + range.map { "\"\(data.id($0))\"" }.joined(separator: ",") + "]"
        let body = "{\"ids\":\(ids),\"embeddings\":\(data.json(range))}"
        do {
            let (status, reply) = try await api.call(.POST, "\(ChromaAPI.collections)/\(collection)/add", body: body)
            guard (200..<300).contains(status) else {
                return .failure("HTTP \(status): \(String(buffer: reply).prefix(200))", operationType: "add", httpStatus: status)
            }
            return RequestOutcome(
                success: true, httpStatus: status, operationType: "add", rowsAffected: range.count,
                batchSize: range.count, dimension: data.dimension)
        } catch {
            return .failure(HTTPSession.describe(error), operationType: "add")
        }
    }

    func close() async {}
}

struct ChromaQuerySession: RequestSession {
    let api: ChromaAPI
    let collection: String
    let queries: VectorSet
    let truth: [Set<String>]
    let topK: Int

    func send(index: Int) async -> RequestOutcome {
        let query = index % queries.count
        let body = "{\"query_embeddings\":\(queries.json(query..<(query + 1))),\"n_results\":\(topK),\"include\":[]}"
        do {
            let (status, reply) = try await api.call(.POST, "\(ChromaAPI.collections)/\(collection)/query", body: body)
            guard (200..<300).contains(status) else {
                return .failure(
                    "HTTP \(status): \(String(buffer: reply).prefix(200))", operationType: "query", httpStatus: status)
            }
            guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: reply)) as? [String: Any],
                let ids = (object["ids"] as? [[String]])?.first
            else {
                return .failure(
                    "unreadable query reply: \(String(buffer: reply).prefix(200))", operationType: "query", httpStatus: status)
            }
            let found = truth[query].intersection(ids).count
            return RequestOutcome(
                success: true, httpStatus: status, operationType: "query", rowsAffected: ids.count,
                recall: Double(found) / Double(truth[query].count), topK: topK, dimension: queries.dimension)
        } catch {
            return .failure(HTTPSession.describe(error), operationType: "query")
        }
    }

    func close() async {}
}
