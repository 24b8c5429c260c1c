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
    func everyPageKindReadsAtDesktopAndPhoneWidthsAndInDarkMode() throws {
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
        // A test-only page (the site has no script) that loads a page in a frame of a
        // given size and writes what its layout came to.
        try Self.probe.write(to: directory.path("site/probe.html"), atomically: true, encoding: .utf8)
        for (name, path) in pages {
            let url = "http://127.0.0.1:\(port)/\(path)"
            let (dom, log) = try chromium(["--dump-dom"], url: url)
            #expect(dom.contains("<main>"), "\(name): \(dom.prefix(200))")
            #expect(!log.contains("CONSOLE"), "\(name): console output: \(log)")
            let hasPlots = name != "index"
            if hasPlots {
                #expect(dom.contains("<svg"), "\(name) has no plot")
                #expect(dom.contains("<polyline points=\"") || dom.contains("<rect x="), "\(name): empty plots")
                // Every plot has a text alternative: its title, a description, its data.
                #expect(dom.components(separatedBy: "<desc>").count == dom.components(separatedBy: "<svg").count)
                #expect(dom.components(separatedBy: "<summary>Data of this plot</summary>").count > 1, "\(name)")
            }
            let probe = "http://127.0.0.1:\(port)/probe.html?page=/\(path)"
            let desktop = try layout(probe + "&width=1280&height=900")
            let phone = try layout(probe + "&width=390&height=800")
            let dark = try layout(probe + "&width=1280&height=900", arguments: ["--force-dark-mode"])
            if hasPlots {
                let top = try #require(desktop.firstPlotTop, "\(name): no plot found")
                #expect(top < desktop.viewportHeight, "\(name): the first plot starts at \(top) px, below the first screen")
            }
            #expect(
                phone.scrollWidth <= phone.viewportWidth && phone.overflowing.isEmpty,
                "\(name) at phone width: \(phone.scrollWidth) px wide, overflowing: \(phone.overflowing)")
            #expect(dark.background != desktop.background, "\(name): dark mode keeps the background \(desktop.background)")
            // Printed on A4 (the print rules applied in a frame of the page's printable
            // width): every plot fits on one page and is never split between two, and
            // nothing is wider than the paper (a printed page cannot scroll).
            let print = try layout(probe + "&width=\(Self.a4Width)&height=\(Self.a4Height)&print=1")
            #expect(print.printing.isEmpty, "\(name) on A4: \(print.printing)")
            #expect(print.overflowing.isEmpty, "\(name) on A4 overflows: \(print.overflowing)")
            for (width, height, label) in [(1280, 2000, "desktop"), (390, 1600, "phone")] {
                let shot = screenshots.appendingPathComponent("\(name)-\(label).png")
                try? FileManager.default.removeItem(at: shot)
                _ = try chromium(["--screenshot=\(shot.path)", "--window-size=\(width),\(height)"], url: url)
                let size = try FileManager.default.attributesOfItem(atPath: shot.path)[.size] as? Int ?? 0
                #expect(size > 10_000, "\(name) (\(label)): screenshot of \(size) bytes looks blank")
            }
            if name == "run" {
                // And what Chromium prints of it, to look at.
                let pdf = screenshots.appendingPathComponent("run-a4.pdf")
                try? FileManager.default.removeItem(at: pdf)
                _ = try chromium(["--no-pdf-header-footer", "--print-to-pdf=\(pdf.path)"], url: url)
                let document = try Data(contentsOf: pdf)
                #expect(document.starts(with: Data("%PDF".utf8)), "run page: no PDF printed")
                // A run page is a few A4 pages, not one page per plot.
                let text = String(decoding: document, as: UTF8.self)
                let count = text.range(of: "/Count ").map { text[$0.upperBound...].prefix { $0.isNumber } }
                let pages = try #require(count.flatMap { Int($0) }, "run page: the PDF has no page count")
                #expect(pages >= 1 && pages <= 6, "run page printed on \(pages) pages")
            }
        }
    }

    /// What `probe.html` measured of a page.
    struct Layout: Decodable {
        var firstPlotTop: Double?
        var viewportHeight: Double
        var viewportWidth: Double
        var scrollWidth: Double
        var overflowing: [String]
        var background: String
        /// With `print=1`: the plots that would be cut or split on paper.
        var printing: [String]
    }

    /// A4 less the print stylesheet's 12 mm margins, in CSS pixels (96 per inch).
    static let a4Width = Int((210.0 - 24) / 25.4 * 96)
    static let a4Height = Int((297.0 - 24) / 25.4 * 96)

    func layout(_ url: String, arguments: [String] = []) throws -> Layout {
        let (dom, log) = try chromium(arguments + ["--virtual-time-budget=5000", "--dump-dom"], url: url)
        guard let start = dom.range(of: "<pre id=\"probe\">"),
            let end = dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex)
        else {
            Issue.record("no layout from \(url): \(dom.prefix(300)) \(log.suffix(300))")
            throw CancellationError()
        }
        let text = dom[start.upperBound..<end.lowerBound].replacingOccurrences(of: "&amp;", with: "&")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
        return try JSONDecoder().decode(Layout.self, from: Data(text.utf8))
    }

    static let probe = """
        <!DOCTYPE html>
        <html><body style="margin:0"><script>
        var query = new URLSearchParams(location.search);
        var frame = document.createElement("iframe");
        frame.style.cssText = "border:0;width:" + query.get("width") + "px;height:" + query.get("height") + "px";
        frame.src = query.get("page");
        frame.onload = function () {
          var page = frame.contentDocument, view = frame.contentWindow, printing = [];
          if (query.get("print")) {
            // The page's print rules, applied to the screen.
            var rules = [];
            Array.from(page.styleSheets).forEach(function (sheet) {
              Array.from(sheet.cssRules).forEach(function (rule) {
                if (rule.media && rule.media.mediaText.indexOf("print") >= 0) {
                  Array.from(rule.cssRules).forEach(function (inner) { rules.push(inner.cssText); });
                }
              });
            });
            if (rules.length === 0) printing.push("no print rules");
            var style = page.createElement("style");
            style.textContent = rules.join("\\n");
            page.head.appendChild(style);
            page.querySelectorAll("figure.plot").forEach(function (figure, index) {
              var box = figure.getBoundingClientRect(), caption = figure.querySelector("figcaption");
              var label = "plot " + index + " (" + (caption ? caption.textContent : "") + ")";
              if (box.height > view.innerHeight) printing.push(label + " is " + box.height + " px tall");
              if (view.getComputedStyle(figure).breakInside !== "avoid") printing.push(label + " may be split");
            });
          }
          var width = page.documentElement.clientWidth;
          var plot = page.querySelector("figure.plot, svg");
          var overflowing = [];
          // What is inside a box that scrolls or clips (tables, code blocks) may be wider than it.
          function clipped(element) {
            for (var parent = element.parentElement; parent && parent !== page.body; parent = parent.parentElement) {
              if (view.getComputedStyle(parent).overflowX !== "visible") return true;
            }
            return false;
          }
          page.querySelectorAll("body *").forEach(function (element) {
            if (element.closest("svg") || element.getBoundingClientRect().right <= width + 1) return;
            // On paper nothing scrolls: there, what a box clips is cut.
            if (!query.get("print") && clipped(element)) return;
            overflowing.push(element.tagName + "." + element.className);
          });
          var out = document.createElement("pre");
          out.id = "probe";
          out.textContent = JSON.stringify({
            firstPlotTop: plot ? plot.getBoundingClientRect().top : null, viewportHeight: view.innerHeight,
            viewportWidth: width, scrollWidth: page.documentElement.scrollWidth, overflowing: overflowing.slice(0, 8),
            background: view.getComputedStyle(page.body).backgroundColor, printing: printing });
          document.body.appendChild(out);
        };
        document.body.appendChild(frame);
        </script></body></html>
        """
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
