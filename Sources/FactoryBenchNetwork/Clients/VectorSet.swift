import AsyncHTTPClient
import FactoryBenchCore
import Foundation
import NIOCore
import NIOHTTP1

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

    /// How near two vectors are, as the vector stores define it.
    enum Distance: String, Sendable {
        /// Squared L2 distance (Chroma's default space, Qdrant's `Euclid`).
        case euclid = "Euclid"
        /// Cosine similarity (Qdrant's `Cosine`).
        case cosine = "Cosine"
        /// Dot product (Qdrant's `Dot`).
        case dot = "Dot"
    }

    /// The indices of the `k` vectors nearest to `query` (ties by index): exact search.
    func nearest(to query: ArraySlice<Double>, k: Int, distance: Distance) -> Set<Int> {
        var scored: [(Double, Int)] = []
        scored.reserveCapacity(count)
        let base = query.startIndex
        var queryNorm = 0.0
        for d in 0..<dimension { queryNorm += query[base + d] * query[base + d] }
        for index in 0..<count {
            let offset = index * dimension
            var (squared, dot, norm) = (0.0, 0.0, 0.0)
            for d in 0..<dimension {
                let (a, b) = (values[offset + d], query[base + d])
                squared += (a - b) * (a - b)
                dot += a * b
                norm += a * a
            }
            // Smaller is nearer for every key below.
            switch distance {
            case .euclid: scored.append((squared, index))
            case .dot: scored.append((-dot, index))
            case .cosine: scored.append((norm > 0 && queryNorm > 0 ? -dot / (norm * queryNorm).squareRoot() : 0, index))
            }
        }
        scored.sort { $0 < $1 }
        return Set(scored.prefix(k).map(\.1))
    }

    /// `[[…],[…]]` of the vectors in `range`, numbers written with 4 decimals.
    func json(_ range: Range<Int>) -> String {
        "["
            + range.map { index in "[" + vector(index).map { String(format: "%.4f", $0) }.joined(separator: ",") + "]" }
            .joined(separator: ",") + "]"
    }
}

/// What `chroma_stress` and `qdrant_stress` share: per client, seeded vectors and queries
/// and the queries' exact neighbours, then two timed phases — the vectors in batches of
/// `batch_size` (one request each, closed loop at the plan's concurrency), then the searches
/// as the load plan says, each scored by its recall@k.
struct VectorWorkload: Sendable {
    let plan: LoadPlan
    let serviceType: String
    let count, dimension, topK, batchSize: Int
    let seed: UInt64

    /// `countKey` names the number of vectors (`num_vectors`, `num_points`).
    init(
        settings: [String: SettingValue], plan: LoadPlan, serviceType: String, countKey: String, defaultCount: Int,
        defaultBatchSize: Int
    ) {
        self.plan = plan
        self.serviceType = serviceType
        count = max(settings[countKey]?.intValue ?? defaultCount, 1)
        dimension = max(settings["dim"]?.intValue ?? 128, 1)
        topK = max(settings["top_k"]?.intValue ?? 10, 1)
        batchSize = max(settings["batch_size"]?.intValue ?? defaultBatchSize, 1)
        seed = UInt64(truncatingIfNeeded: settings["seed"]?.intValue ?? 42)
    }

    var batches: Int { (count + batchSize - 1) / batchSize }

    /// Requests per client: the batches and the searches.
    var requestsPerClient: Int? { plan.totalRequests.map { $0 + batches } }

    /// Runs both phases for one client; `insert` makes the session that sends a batch of the
    /// vectors, `search` the one that sends queries (with their exact neighbours).
    func run(
        clientID: Int, context: ClientContext, distance: VectorSet.Distance, insertPrefix: String,
        insert: @escaping @Sendable (VectorSet) -> any RequestSession,
        search: @escaping @Sendable (_ queries: VectorSet, _ truth: [Set<Int>]) -> any RequestSession
    ) async throws {
        let clientSeed = seed &+ UInt64(clientID) &* 0x9E37_79B9
        let data = VectorSet(count: count, dimension: dimension, seed: clientSeed)
        let queries = VectorSet(
            count: min(plan.totalRequests ?? 1000, 1000), dimension: dimension, seed: clientSeed &+ 0xC0FFEE)
        let topK = topK
        let truth = (0..<queries.count).map { data.nearest(to: queries.vector($0), k: topK, distance: distance) }
        let inserts = LoadPlan(
            mode: .closed, concurrency: plan.concurrency, arrivals: nil, warmup: .requests(0), measured: .requests(batches),
            cooldown: .requests(0), rampUpSeconds: 0, seed: plan.seed)
        try await LoadEngine(plan: inserts, serviceType: serviceType).run(
            clientID: clientID, context: context, requestIDPrefix: insertPrefix
        ) { _ in insert(data) }
        try await LoadEngine(plan: plan, serviceType: serviceType).run(clientID: clientID, context: context) { _ in
            search(queries, truth)
        }
    }
}

/// A JSON-over-HTTP API at `base` (Chroma's, Qdrant's).
protocol JSONEndpoint: Sendable {
    var http: HTTPClient { get }
    var base: String { get }
}

extension JSONEndpoint {
    /// Sends a request; returns the status and the body.
    func call(
        _ method: HTTPMethod, _ path: String, body: String? = nil, timeoutSeconds: Int64 = 60
    ) async throws -> (status: Int, body: ByteBuffer) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await http.execute(request, timeout: .seconds(timeoutSeconds))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), bytes)
    }
}
