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
    let workload: VectorWorkload

    public init(kind: ClientType, settings: [String: SettingValue], load: [String: SettingValue]) {
        self.kind = kind
        self.settings = settings
        let fallback = kind == .chromaStress ? settings["num_queries"]?.intValue ?? 100 : settings["num_requests"]?.intValue ?? 5
        plan = LoadPlan(load: load, defaultMeasured: .requests(fallback))
        workload = VectorWorkload(
            settings: settings, plan: plan, serviceType: "chroma", countKey: "num_vectors", defaultCount: 1000,
            defaultBatchSize: 100)
    }

    public var requestsPerClient: Int? { kind == .chromaStress ? workload.requestsPerClient : plan.totalRequests }

    public func prepare(endpoint: ServiceEndpoint) async throws {}

    public func run(clientID: Int, endpoint: ServiceEndpoint, context: ClientContext) async throws {
        try await LoadPlan.waitWarmupDelay(settings: settings)
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
        let name = "factorybench-c\(clientID)-\(UUID().uuidString.prefix(8).lowercased())"
        let collection: String
        do {
            collection = try await api.createCollection(name: name)
        } catch {
            throw ExecutionError.clientFailed(clientID: clientID, reason: "creating collection \(name): \(error)")
        }
        let (batchSize, topK) = (workload.batchSize, workload.topK)
        try await workload.run(
            clientID: clientID, context: context, distance: .euclid, insertPrefix: "add-",
            insert: { ChromaAddSession(api: api, collection: collection, data: $0, batchSize: batchSize) },
            search: { ChromaQuerySession(api: api, collection: collection, queries: $0, truth: $1, topK: topK) })
    }
}

/// The few v2 endpoints the clients use.
struct ChromaAPI: JSONEndpoint {
    let http: HTTPClient
    let base: String
    static let collections = "/api/v2/tenants/default_tenant/databases/default_database/collections"

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
    let truth: [Set<Int>]
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
            let found = truth[query].intersection(ids.compactMap { Int($0.dropFirst()) }).count
            return RequestOutcome(
                success: true, httpStatus: status, operationType: "query", rowsAffected: ids.count,
                recall: Double(found) / Double(truth[query].count), topK: topK, dimension: queries.dimension)
        } catch {
            return .failure(HTTPSession.describe(error), operationType: "query")
        }
    }

    func close() async {}
}
