import AsyncHTTPClient
import FactoryBenchCore
import Foundation
import NIOCore
import NIOHTTP1

/// `http_smoke`, `http_stress` and `nginx_healthcheck` (the old framework's, one request by
/// default): one request shape (method, URL, headers, body) sent as
/// the load plan says, a success when the status is the expected one. Each client has its
/// own connection per in-flight slot: keep-alive HTTP/1.1 on the polling engine for
/// `http://`, AsyncHTTPClient's pool for `https://`.
public struct HTTPLoadClient: LoadClient {
    public let kind: ClientType
    public let settings: [String: SettingValue]
    public let plan: LoadPlan

    public init(kind: ClientType, settings: [String: SettingValue], load: [String: SettingValue]) {
        self.kind = kind
        self.settings = settings
        plan = LoadPlan(
            load: load,
            defaultMeasured: LoadPlan.measuredWindow(
                settings: settings, fallback: kind == .httpStress ? 1000 : kind == .httpSmoke ? 5 : 1))
    }

    var method: HTTPMethod { HTTPMethod(rawValue: (settings["method"]?.stringValue ?? "GET").uppercased()) }
    var expectedStatus: Int { settings["expected_status"]?.intValue ?? 200 }
    var timeoutSeconds: Double { settings["timeout"]?.doubleValue ?? 30 }

    /// `url` when set, else `path` on the service's host and port.
    func url(endpoint: ServiceEndpoint) -> String {
        if let url = settings["url"]?.stringValue { return url }
        let path = settings["path"]?.stringValue ?? "/"
        return "http://\(endpoint.host ?? "127.0.0.1"):\(endpoint.port ?? 80)" + (path.hasPrefix("/") ? path : "/" + path)
    }

    public func prepare(endpoint: ServiceEndpoint) async throws {}

    public func run(clientID: Int, endpoint: ServiceEndpoint, context: ClientContext) async throws {
        let headers = (settings["headers"]?.mapValue ?? [:]).sorted(by: { $0.key < $1.key }).map {
            ($0.key, RecipePlan.scalar($0.value))
        }
        let (url, method, body) = (url(endpoint: endpoint), method.rawValue, settings["body"]?.stringValue)
        let (expectedStatus, timeoutSeconds) = (expectedStatus, timeoutSeconds)
        // Plain HTTP on the polling engine, as wrk; HTTPS (and anything else) through AsyncHTTPClient.
        if HTTPPolledSession(
            url: url, method: method, headers: headers, body: body, expectedStatus: expectedStatus,
            timeoutSeconds: timeoutSeconds) != nil
        {
            try await LoadEngine(plan: plan, serviceType: "http").run(
                clientID: clientID, context: context,
                polled: { _ in
                    HTTPPolledSession(
                        url: url, method: method, headers: headers, body: body, expectedStatus: expectedStatus,
                        timeoutSeconds: timeoutSeconds)!
                })
            return
        }
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let prepared = request
        try await LoadHTTPClient.with(concurrency: plan.concurrency) { http in
            let session = HTTPSession(
                http: http, request: prepared, expectedStatus: expectedStatus, timeoutSeconds: timeoutSeconds)
            try await LoadEngine(plan: plan, serviceType: "http").run(clientID: clientID, context: context) { _ in session }
        }
    }
}

/// Every slot of an HTTP client shares its connection pool.
struct HTTPSession: RequestSession {
    let http: HTTPClient
    let request: HTTPClientRequest
    let expectedStatus: Int
    let timeoutSeconds: Double

    func send(index: Int) async -> RequestOutcome {
        let operation = request.method.rawValue
        do {
            let response = try await http.execute(request, timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
            let status = Int(response.status.code)
            // The body is read to its end: a response is over when its last byte arrives.
            for try await _ in response.body {}
            guard status == expectedStatus else {
                return .failure("HTTP \(status) (expected \(expectedStatus))", operationType: operation, httpStatus: status)
            }
            return RequestOutcome(success: true, httpStatus: status, operationType: operation)
        } catch {
            return .failure(HTTPSession.describe(error), operationType: operation)
        }
    }

    func close() async {}

    /// AsyncHTTPClient's errors, in words.
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            return "HTTP client: \(error.shortDescription)"
        }
        return "\(error)"
    }
}
