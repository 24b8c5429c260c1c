import AsyncHTTPClient
import FactoryBenchCore
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// `qdrant_smoke` and `qdrant_stress` over Qdrant's REST API.
///
/// `qdrant_smoke`: `GET /healthz` as the load plan says. `qdrant_stress` (the old
/// framework's): each client creates its collection `COLLECTION-cN` anew (`dim`,
/// `distance`), upserts `num_points` seeded random points in batches of `batch_size` (each
/// batch one timed request, `wait=true` so it is indexed when it returns), then sends top-k
/// searches (the Query API, `POST …/points/query`, which replaced `…/points/search` in
/// Qdrant 1.10) as the load plan says (`num_queries` by default) and records each search's
/// recall@k against an exact search under the same distance. The collection is deleted at
/// the end.
public struct QdrantClient: LoadClient {
    public let kind: ClientType
    public let settings: [String: SettingValue]
    public let plan: LoadPlan
    let workload: VectorWorkload

    public init(kind: ClientType, settings: [String: SettingValue], load: [String: SettingValue]) {
        self.kind = kind
        self.settings = settings
        let fallback =
            kind == .qdrantStress ? settings["num_queries"]?.intValue ?? 1000 : settings["num_requests"]?.intValue ?? 5
        plan = LoadPlan(load: load, defaultMeasured: .requests(fallback))
        workload = VectorWorkload(
            settings: settings, plan: plan, serviceType: "qdrant", countKey: "num_points", defaultCount: 10000,
            defaultBatchSize: 256)
    }

    var distance: VectorSet.Distance { VectorSet.Distance(rawValue: settings["distance"]?.stringValue ?? "") ?? .cosine }

    func collection(clientID: Int) -> String { "\(settings["collection"]?.stringValue ?? "benchmark")-c\(clientID)" }

    public var requestsPerClient: Int? { kind == .qdrantStress ? workload.requestsPerClient : plan.totalRequests }

    public func prepare(endpoint: ServiceEndpoint) async throws {}

    public func run(clientID: Int, endpoint: ServiceEndpoint, context: ClientContext) async throws {
        try await LoadPlan.waitWarmupDelay(settings: settings)
        try await LoadHTTPClient.with(concurrency: plan.concurrency) { http in
            let api = QdrantAPI(http: http, base: "http://\(endpoint.host ?? "127.0.0.1"):\(endpoint.port ?? 6333)")
            if kind == .qdrantSmoke {
                try await LoadEngine(plan: plan, serviceType: "qdrant").run(clientID: clientID, context: context) { _ in
                    QdrantHealthSession(api: api)
                }
            } else {
                try await stress(clientID: clientID, api: api, context: context)
            }
        }
    }

    private func stress(clientID: Int, api: QdrantAPI, context: ClientContext) async throws {
        let collection = collection(clientID: clientID)
        let (distance, batchSize, topK) = (distance, workload.batchSize, workload.topK)
        do {
            try await api.recreate(collection: collection, dimension: workload.dimension, distance: distance)
        } catch {
            throw ExecutionError.clientFailed(clientID: clientID, reason: "creating collection \(collection): \(error)")
        }
        try await workload.run(
            clientID: clientID, context: context, distance: distance, insertPrefix: "upsert-",
            insert: { QdrantUpsertSession(api: api, collection: collection, data: $0, batchSize: batchSize) },
            search: { QdrantSearchSession(api: api, collection: collection, queries: $0, truth: $1, topK: topK) })
        _ = try? await api.call(.DELETE, "/collections/\(collection)")
    }
}

/// The few endpoints the clients use.
struct QdrantAPI: JSONEndpoint {
    let http: HTTPClient
    let base: String

    /// Deletes the collection if it exists and creates it empty.
    func recreate(collection: String, dimension: Int, distance: VectorSet.Distance) async throws {
        _ = try await call(.DELETE, "/collections/\(collection)")
        let body = "{\"vectors\":{\"size\":\(dimension),\"distance\":\"\(distance.rawValue)\"}}"
        let (status, reply) = try await call(.PUT, "/collections/\(collection)", body: body)
        guard (200..<300).contains(status) else { throw QdrantError.unexpected(status: status, body: String(buffer: reply)) }
    }

    /// A failure from a reply that is not a success: Qdrant's own message when it gave one.
    static func failure(status: Int, reply: ByteBuffer, operation: String) -> RequestOutcome {
        let object = try? JSONSerialization.jsonObject(with: Data(buffer: reply)) as? [String: Any]
        let message = (object?["status"] as? [String: Any])?["error"] as? String ?? String(buffer: reply).prefix(200).description
        return .failure("HTTP \(status): \(message)", operationType: operation, httpStatus: status)
    }
}

enum QdrantError: Error, CustomStringConvertible {
    case unexpected(status: Int, body: String)

    var description: String {
        switch self {
        case .unexpected(let status, let body): return "HTTP \(status): \(body.prefix(300))"
        }
    }
}

struct QdrantHealthSession: RequestSession {
    let api: QdrantAPI

    func send(index: Int) async -> RequestOutcome {
        do {
            let (status, reply) = try await api.call(.GET, "/healthz")
            guard status == 200 else { return QdrantAPI.failure(status: status, reply: reply, operation: "healthz") }
            return RequestOutcome(success: true, httpStatus: status, operationType: "healthz")
        } catch {
            return .failure(HTTPSession.describe(error), operationType: "healthz")
        }
    }

    func close() async {}
}

struct QdrantUpsertSession: RequestSession {
    let api: QdrantAPI
    let collection: String
    let data: VectorSet
    let batchSize: Int

    func send(index: Int) async -> RequestOutcome {
        let range = (index * batchSize)..<min((index + 1) * batchSize, data.count)
        let points = range.map { "{\"id\":\($0),\"vector\":\(data.json($0..<($0 + 1)).dropFirst().dropLast())}" }
        let body = "{\"points\":[" + points.joined(separator: ",") + "]}"
        do {
            let (status, reply) = try await api.call(.PUT, "/collections/\(collection)/points?wait=true", body: body)
            guard (200..<300).contains(status) else {
                return QdrantAPI.failure(status: status, reply: reply, operation: "upsert")
            }
            return RequestOutcome(
                success: true, httpStatus: status, operationType: "upsert", rowsAffected: range.count,
                batchSize: range.count, dimension: data.dimension)
        } catch {
            return .failure(HTTPSession.describe(error), operationType: "upsert")
        }
    }

    func close() async {}
}

struct QdrantSearchSession: RequestSession {
    let api: QdrantAPI
    let collection: String
    let queries: VectorSet
    let truth: [Set<Int>]
    let topK: Int

    func send(index: Int) async -> RequestOutcome {
        let query = index % queries.count
        let vector = queries.json(query..<(query + 1)).dropFirst().dropLast()
        let body = "{\"query\":\(vector),\"limit\":\(topK),\"with_payload\":false}"
        do {
            let (status, reply) = try await api.call(.POST, "/collections/\(collection)/points/query", body: body)
            guard (200..<300).contains(status) else {
                return QdrantAPI.failure(status: status, reply: reply, operation: "search")
            }
            guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: reply)) as? [String: Any],
                let result = (object["result"] as? [String: Any])?["points"] as? [[String: Any]]
            else {
                return .failure(
                    "unreadable search reply: \(String(buffer: reply).prefix(200))", operationType: "search",
                    httpStatus: status)
            }
            let ids = result.compactMap { ($0["id"] as? NSNumber)?.intValue }
            let found = truth[query].intersection(ids).count
            return RequestOutcome(
                success: true, httpStatus: status, operationType: "search", rowsAffected: ids.count,
                recall: Double(found) / Double(truth[query].count), topK: topK, dimension: queries.dimension)
        } catch {
            return .failure(HTTPSession.describe(error), operationType: "search")
        }
    }

    func close() async {}
}
