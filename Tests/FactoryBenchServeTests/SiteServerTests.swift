import FactoryBenchServe
import Foundation
import TestSupport
import Testing

@Suite struct SiteServerTests {
    /// Starts a server on a free loopback port for the duration of `body`.
    func withServer(_ site: URL, _ body: (Int) async throws -> Void) async throws {
        let port = AsyncStream<Int>.makeStream()
        let server = Task {
            try await SiteServer(directory: site, port: 0).run { port.continuation.yield($0) }
        }
        defer { server.cancel() }
        var iterator = port.stream.makeAsyncIterator()
        let bound = try #require(await iterator.next())
        try await body(bound)
        server.cancel()
        _ = await server.result
    }

    @Test func servesPagesAndIndexHTMLAndNothingOutsideTheSite() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("site/index.html", "<h1>runs</h1>")
        try directory.write("site/runs/a/index.html", "<h1>run a</h1>")
        try directory.write("site/style.css", "body {}")
        try directory.write("secret.txt", "do not serve")
        // Symbolic links that lead out of the site must not be followed; one within it may.
        try FileManager.default.createSymbolicLink(
            atPath: directory.path("site/outside.txt").path, withDestinationPath: "../secret.txt")
        try FileManager.default.createSymbolicLink(
            atPath: directory.path("site/outside-directory").path, withDestinationPath: directory.url.path)
        try FileManager.default.createSymbolicLink(
            atPath: directory.path("site/inside.html").path, withDestinationPath: "index.html")
        try await withServer(directory.path("site")) { port in
            let index = try RawHTTP.request(port: port, path: "/")
            #expect(index.status == 200)
            #expect(index.body == "<h1>runs</h1>")
            #expect(index.headers["content-type"]?.hasPrefix("text/html") == true)
            let run = try RawHTTP.request(port: port, path: "/runs/a/")
            #expect(run.body == "<h1>run a</h1>")
            let css = try RawHTTP.request(port: port, path: "/style.css")
            #expect(css.headers["content-type"]?.hasPrefix("text/css") == true)
            #expect(try RawHTTP.request(port: port, path: "/missing.html").status == 404)
            try directory.write("site/404.html", "<h1>not here</h1>")
            let missing = try RawHTTP.request(port: port, path: "/runs/nope/index.html")
            #expect(missing.status == 404)
            #expect(missing.body == "<h1>not here</h1>")
            #expect(missing.headers["content-type"]?.hasPrefix("text/html") == true)
            // The site's own 404 page links relatively; served at depth it gets a <base> to the root.
            try directory.write("site/404.html", "<head><link href=\"style.css\"></head>")
            let deep = try RawHTTP.request(port: port, path: "/runs/nope/index.html")
            #expect(deep.body == "<head>\n<base href=\"../../\"><link href=\"style.css\"></head>")
            #expect(deep.headers["content-length"] == String(deep.body.utf8.count))
            let top = try RawHTTP.request(port: port, path: "/nope.html")
            #expect(top.body.hasPrefix("<head>\n<base href=\"./\">"))
            let head = try RawHTTP.request(port: port, method: "HEAD", path: "/style.css")
            #expect(head.status == 200)
            #expect(head.headers["content-length"] == "7")
            #expect(head.body.isEmpty)
            #expect(try RawHTTP.request(port: port, path: "/inside.html").body == "<h1>runs</h1>", "a link within the site")
            for path in [
                "/../secret.txt", "/%2e%2e/secret.txt", "/runs/%2E%2E/%2E%2E/secret.txt", "/outside.txt",
                "/outside-directory/secret.txt",
            ] {
                let response = try RawHTTP.request(port: port, path: path)
                #expect(response.status >= 400, "\(path)")
                #expect(!response.body.contains("do not serve"), "\(path)")
            }
        }
    }

    @Test func refusesAMissingDirectory() async throws {
        let directory = try TemporaryDirectory()
        await #expect(throws: SiteServerError.self) {
            try await SiteServer(directory: directory.path("nope"), port: 0).run()
        }
    }
}
