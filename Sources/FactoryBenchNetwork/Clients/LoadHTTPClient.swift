import AsyncHTTPClient

/// The AsyncHTTPClient every HTTP-speaking load client uses: one pooled connection per
/// in-flight slot, refused connections failing at once (AsyncHTTPClient would otherwise
/// retry until the request's deadline, hiding a down server behind long latencies), no
/// decompression; shut down when `body` ends, however it ends.
enum LoadHTTPClient {
    static func with<T>(concurrency: Int, _ body: (HTTPClient) async throws -> T) async throws -> T {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.decompression = .disabled
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let result: T
        do {
            result = try await body(http)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
        return result
    }
}
