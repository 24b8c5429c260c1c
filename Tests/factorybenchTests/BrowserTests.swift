import Foundation
import TestSupport
import Testing

/// The site in a real browser: headless Chromium loads pages through `factorybench serve`.
/// CI installs Chromium (.ci/run); elsewhere the test says why it is skipped.
@Suite struct BrowserTests {
    static let chromiumPath = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Runs Chromium headless on `url` with `arguments`; returns stdout and stderr.
    func chromium(_ arguments: [String], url: String) throws -> (String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.chromiumPath))
        process.arguments =
            ["--headless", "--no-sandbox", "--disable-gpu", "--disable-crash-reporter", "--enable-logging=stderr", "--v=0"]
            + arguments + [url]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let errors = Thread.detachedRead(err.fileHandleForReading)
        let output = String(decoding: FileDescriptorReaderBridge.read(out.fileHandleForReading), as: UTF8.self)
        process.waitUntilExit()
        return (output, String(decoding: errors.wait(), as: UTF8.self))
    }

    @Test(.enabled(if: chromiumPath != nil, "headless Chromium is not installed (CI installs it)"))
    func pagesRenderThroughServeWithoutConsoleErrors() throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "quick.yaml", "service: {type: sqlite}\nclient: {type: sqlite_stress, settings: {num_requests: 200}}\n")
        try directory.write(
            "points.yaml",
            "service: {type: sqlite}\nclient: {type: sqlite_stress, settings: {num_requests: 100}}\n"
                + "sweep: {benchmarks.num_clients: [1, 2]}\n")
        for recipe in ["quick.yaml", "quick.yaml", "points.yaml"] {
            let run = try CommandRunner.run(["run", recipe], in: directory.url)
            #expect(run.exitCode == 0, "\(run.stderr)")
        }
        let server = try BackgroundProcess.start(
            try CommandRunner.executable(), ["serve", "--port", "0", "--directory", directory.path("site").path])
        defer { server.stop() }
        let line = try server.waitForLine(containing: "http://127.0.0.1:")
        let port = try #require(line.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) })
        let runs = try FileManager.default.contentsOfDirectory(atPath: directory.path("site/runs").path).sorted()
        let comparisons = try FileManager.default.contentsOfDirectory(atPath: directory.path("site/compare").path)
        let sweeps = try FileManager.default.contentsOfDirectory(atPath: directory.path("site/sweeps").path)
        #expect(runs.count == 4)
        #expect(comparisons.count == 1)
        #expect(sweeps.count == 1)
        let screenshots = Fixtures.repositoryRoot.appendingPathComponent(".build/screenshots")
        try FileManager.default.createDirectory(at: screenshots, withIntermediateDirectories: true)
        let pages = [
            ("index", ""), ("run", "runs/\(runs.first { $0.hasPrefix("quick-") } ?? "")/"),
            ("comparison", "compare/\(comparisons.sorted()[0])/"), ("trend", "trends/quick/"),
            ("sweep", "sweeps/\(sweeps[0])/"), ("service", "services/sqlite/"),
        ]
        for (name, path) in pages {
            let url = "http://127.0.0.1:\(port)/\(path)"
            let (dom, log) = try chromium(["--dump-dom"], url: url)
            #expect(dom.contains("<main>"), "\(name): \(dom.prefix(200))")
            #expect(!log.contains("CONSOLE"), "\(name): console output: \(log)")
            if name != "index" && name != "service" {
                #expect(dom.contains("<svg"), "\(name) has no plot")
                #expect(dom.contains("<polyline points=\"") || dom.contains("<rect x="), "\(name): empty plots")
            }
            let shot = screenshots.appendingPathComponent("\(name).png")
            try? FileManager.default.removeItem(at: shot)
            _ = try chromium(["--screenshot=\(shot.path)", "--window-size=1280,2000"], url: url)
            let size = try FileManager.default.attributesOfItem(atPath: shot.path)[.size] as? Int ?? 0
            #expect(size > 20_000, "\(name): screenshot of \(size) bytes looks blank")
        }
    }
}

/// Reading a pipe on another thread, for the two-pipe dance of child processes.
extension Thread {
    final class PendingRead: @unchecked Sendable {
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)

        fileprivate func finish(_ value: Data) {
            data = value
            done.signal()
        }

        func wait() -> Data {
            done.wait()
            return data
        }
    }

    static func detachedRead(_ handle: FileHandle) -> PendingRead {
        let pending = PendingRead()
        Thread { pending.finish(FileDescriptorReaderBridge.read(handle)) }.start()
        return pending
    }
}
