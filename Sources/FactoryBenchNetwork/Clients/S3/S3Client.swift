import AsyncHTTPClient
import FactoryBenchCore
import Foundation
import NIOCore
import NIOHTTP1

/// `minio_stress`: the old framework's MinIO client, against any S3-compatible server.
///
/// Before the clients start, the bucket is created (an existing one is kept). Each client
/// then PUTs `num_objects` objects of `object_size_bytes` under its own prefix, GETs them
/// back as the load plan says (`num_objects` GETs by default, checking each length), and
/// DELETEs them; every request is timed and signed with AWS Signature V4 (path-style URLs),
/// and records the bytes it moved, so the report gives MB/s per operation beside req/s.
public struct S3Client: LoadClient {
    public let settings: [String: SettingValue]
    public let plan: LoadPlan
    public let signer: SignatureV4

    /// `serviceEnvironment` is the service's `env`: MinIO's root user and password are the
    /// credentials when the client names none.
    public init(settings: [String: SettingValue], serviceEnvironment: SettingValue?, load: [String: SettingValue]) {
        self.settings = settings
        let objects = max(settings["num_objects"]?.intValue ?? 100, 1)
        plan = LoadPlan(load: load, defaultMeasured: .requests(objects))
        let environment = serviceEnvironment?.mapValue ?? [:]
        signer = SignatureV4(
            accessKey: settings["access_key"]?.stringValue ?? environment["MINIO_ROOT_USER"]?.text ?? "minioadmin",
            secretKey: settings["secret_key"]?.stringValue ?? environment["MINIO_ROOT_PASSWORD"]?.text ?? "minioadmin",
            region: settings["region"]?.stringValue ?? "us-east-1")
    }

    var numObjects: Int { max(settings["num_objects"]?.intValue ?? 100, 1) }
    var objectSize: Int { max(settings["object_size_bytes"]?.intValue ?? 1_048_576, 0) }
    var bucket: String { settings["bucket"]?.stringValue ?? "benchmark" }
    var timeoutSeconds: Double { settings["request_timeout"]?.doubleValue ?? 60 }

    public var requestsPerClient: Int? { plan.totalRequests.map { $0 + 2 * numObjects } }

    public func prepare(endpoint: ServiceEndpoint) async throws {
        try await LoadHTTPClient.with(concurrency: 1) { http in
            let api = S3API(http: http, endpoint: endpoint, signer: signer, timeoutSeconds: timeoutSeconds)
            let (status, body) = try await api.send(.PUT, bucket: bucket, key: nil, body: nil)
            // 409 BucketAlreadyOwnedByYou: the bucket is there from an earlier run.
            guard (200..<300).contains(status) || (status == 409 && body.contains("BucketAlreadyOwnedByYou")) else {
                throw ExecutionError.clientFailed(
                    clientID: nil, reason: "creating bucket \(bucket): HTTP \(status) \(S3API.errorCode(body))")
            }
        }
    }

    public func run(clientID: Int, endpoint: ServiceEndpoint, context: ClientContext) async throws {
        try await LoadPlan.waitWarmupDelay(settings: settings)
        let payload = S3Payload(size: objectSize, clientID: clientID)
        let prefix = "factorybench/c\(clientID)"
        let fixed = { (count: Int) in
            LoadPlan(
                mode: .closed, concurrency: plan.concurrency, arrivals: nil, warmup: .requests(0),
                measured: .requests(count), cooldown: .requests(0), rampUpSeconds: 0, seed: plan.seed)
        }
        try await LoadHTTPClient.with(concurrency: plan.concurrency) { http in
            let api = S3API(http: http, endpoint: endpoint, signer: signer, timeoutSeconds: timeoutSeconds)
            let (bucket, objects) = (bucket, numObjects)
            let stages: [(S3Session.Operation, LoadPlan)] = [(.put, fixed(objects)), (.get, plan), (.delete, fixed(objects))]
            for (operation, stagePlan) in stages {
                try await LoadEngine(plan: stagePlan, serviceType: "minio").run(
                    clientID: clientID, context: context, requestIDPrefix: operation == .get ? "" : "\(operation.rawValue)-"
                ) { _ in
                    S3Session(
                        api: api, operation: operation, bucket: bucket, prefix: prefix, objects: objects, payload: payload)
                }
            }
        }
    }
}

/// The object every PUT of a client sends, and its SHA-256 (computed once: the signature
/// covers the payload).
struct S3Payload: Sendable {
    let bytes: ByteBuffer
    let sha256: String

    init(size: Int, clientID: Int) {
        let data = [UInt8]((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ clientID) })
        bytes = ByteBuffer(bytes: data)
        sha256 = SignatureV4.sha256Hex(data)
    }
}

/// Signed path-style requests to one S3 endpoint.
struct S3API: Sendable {
    let http: HTTPClient
    let endpoint: ServiceEndpoint
    let signer: SignatureV4
    let timeoutSeconds: Double

    static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    var host: String { "\(endpoint.host ?? "127.0.0.1"):\(endpoint.port ?? 9000)" }

    /// Sends one request and returns its status and body.
    func send(_ method: HTTPMethod, bucket: String, key: String?, body: S3Payload?) async throws -> (
        status: Int, body: String
    ) {
        let reply = try await exchange(method, bucket: bucket, key: key, body: body)
        return (reply.status, reply.text)
    }

    /// Sends one request; returns its status, the body's length, and the body itself when
    /// it is an error (or small).
    func exchange(_ method: HTTPMethod, bucket: String, key: String?, body: S3Payload?) async throws -> (
        status: Int, length: Int, text: String
    ) {
        let path = "/" + SignatureV4.encode(bucket) + (key.map { "/" + SignatureV4.encode($0, slash: true) } ?? "")
        let amzDate = SignatureV4.amzDate(Date())
        let payloadHash = body?.sha256 ?? Self.emptySHA256
        let headers = ["host": host, "x-amz-date": amzDate, "x-amz-content-sha256": payloadHash]
        var request = HTTPClientRequest(url: "http://\(host)\(path)")
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.add(
            name: "Authorization",
            value: signer.authorization(
                method: method.rawValue, path: path, headers: headers, payloadHash: payloadHash, amzDate: amzDate))
        if let body {
            // A form content type (some HTTP stacks' default) makes some servers store nothing.
            request.headers.add(name: "Content-Type", value: "application/octet-stream")
            request.headers.add(name: "Content-Length", value: String(body.bytes.readableBytes))
            request.body = .bytes(body.bytes)
        }
        let response = try await http.execute(request, timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
        var length = 0
        var kept = ByteBuffer()
        for try await var part in response.body {
            length += part.readableBytes
            if kept.readableBytes < 4096 { kept.writeBuffer(&part) }
        }
        let status = Int(response.status.code)
        return (status, length, (200..<300).contains(status) && method == .GET && key != nil ? "" : String(buffer: kept))
    }

    /// The `<Code>` of an S3 error reply, or its start.
    static func errorCode(_ body: String) -> String {
        guard let start = body.range(of: "<Code>"), let end = body.range(of: "</Code>", range: start.upperBound..<body.endIndex)
        else { return String(body.prefix(200)) }
        return String(body[start.upperBound..<end.lowerBound])
    }
}

/// One slot of an S3 client in one stage: object `index % objects` of the client's prefix.
struct S3Session: RequestSession {
    enum Operation: String, Sendable {
        case put, get, delete
    }

    let api: S3API
    let operation: Operation
    let bucket: String
    let prefix: String
    let objects: Int
    let payload: S3Payload

    func send(index: Int) async -> RequestOutcome {
        let key = "\(prefix)/object-\(index % objects)"
        let method: HTTPMethod = operation == .put ? .PUT : operation == .get ? .GET : .DELETE
        do {
            let (status, length, text) = try await api.exchange(
                method, bucket: bucket, key: key, body: operation == .put ? payload : nil)
            guard (200..<300).contains(status) else {
                return .failure(
                    "HTTP \(status): \(S3API.errorCode(text))", operationType: operation.rawValue, httpStatus: status)
            }
            var outcome = RequestOutcome(success: true, httpStatus: status, operationType: operation.rawValue)
            switch operation {
            case .put: outcome.bytes = payload.bytes.readableBytes
            case .get:
                guard length == payload.bytes.readableBytes else {
                    return .failure(
                        "GET returned \(length) bytes, \(payload.bytes.readableBytes) were put",
                        operationType: operation.rawValue, httpStatus: status)
                }
                outcome.bytes = length
            case .delete: break
            }
            return outcome
        } catch {
            return .failure(HTTPSession.describe(error), operationType: operation.rawValue)
        }
    }

    func close() async {}
}
