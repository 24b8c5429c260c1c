import Foundation
import Hummingbird
import Logging

/// `factorybench serve`: serves the static site directory over HTTP on loopback by default,
/// with `index.html` for directories. Hummingbird's file middleware rejects paths that
/// leave the directory (`..`, also percent-encoded); `ConfinedFileSystem` refuses symbolic
/// links that point outside it.
public struct SiteServer: Sendable {
    public var directory: URL
    public var host: String
    public var port: Int

    public init(directory: URL, host: String = "127.0.0.1", port: Int = 8000) {
        self.directory = directory
        self.host = host
        self.port = port
    }

    /// Serves until the process gets SIGINT or SIGTERM; `onRunning` receives the bound port
    /// (useful with port 0).
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SiteServerError.noSite(path: directory.path)
        }
        var logger = Logger(label: "factorybench.serve")
        logger.logLevel = .warning
        let router = Router()
        router.middlewares.add(NotFoundPage(page: directory.appendingPathComponent("404.html")))
        router.middlewares.add(
            FileMiddleware(
                fileProvider: ConfinedFileSystem(rootFolder: directory.path, logger: logger),
                cacheControl: CacheControl([(MediaType(type: .any), [.noCache])]), searchForIndexHtml: true))
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "factorybench"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await app.runService()
    }
}

/// Why the site server could not start.
public enum SiteServerError: LocalizedError, Equatable {
    case noSite(path: String)

    public var errorDescription: String? {
        switch self {
        case .noSite(let path):
            return "'\(path)' is not a directory; build the site first with `factorybench site`"
        }
    }
}
