import FactoryBenchCore
import FactoryBenchRendering

/// The text of the live progress display: a bar on a terminal, plain counts in a log.
enum ProgressLine {
    static func text(
        completed: Int, failed: Int, expectedRequests: Int?, expectedSeconds: Double?, elapsedSeconds: Double,
        interactive: Bool
    ) -> String {
        let rate = elapsedSeconds > 0 ? Double(completed) / elapsedSeconds : 0
        let fraction: Double?
        if let expectedRequests, expectedRequests > 0 {
            fraction = Double(completed) / Double(expectedRequests)
        } else if let expectedSeconds, expectedSeconds > 0 {
            fraction = elapsedSeconds / expectedSeconds
        } else {
            fraction = nil
        }
        let counts =
            expectedRequests.map { "\(completed)/\($0) requests" } ?? "\(completed) requests"
        let details = "\(counts), \(Format.fixed(rate, 0)) req/s, \(failed) failed, \(Format.fixed(elapsedSeconds, 1)) s"
        guard let fraction else { return "      " + details }
        let clamped = min(max(fraction, 0), 1)
        let percent = Format.fixed(clamped * 100, 0).leftAligned(3)
        guard interactive else { return "      \(percent)% \(details)" }
        let width = 30
        let filled = Int((clamped * Double(width)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        return "      [\(bar)] \(percent)% \(details)"
    }
}

extension String {
    func leftAligned(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
