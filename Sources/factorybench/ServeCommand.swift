import ArgumentParser
import FactoryBenchServe
import Foundation

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the static website over HTTP (Ctrl+C stops it).")

    @Option(help: "Directory to serve.")
    var directory: String = "site"

    @Option(help: "Address to bind; the default keeps the site on this machine.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = 8000

    func validate() throws {
        guard (0...65535).contains(port) else {
            throw ValidationError("--port must be between 0 and 65535")
        }
    }

    func run() async throws {
        let server = SiteServer(directory: URL(fileURLWithPath: directory, isDirectory: true), host: host, port: port)
        let host = host
        try await server.run { port in
            print("Serving \(server.directory.path) at http://\(host):\(port)/ (Ctrl+C stops)")
            fflush(nil)
        }
    }
}
