import FactoryBenchCore
import Foundation

/// The live progress line while an executor works: request counts, or the executor's own
/// status line when it cannot count requests as they happen (`.statusLine`).
struct ProgressDisplay: Sendable {
    let output: any PipelineOutput
    /// How often the line is redrawn on a terminal and printed to a log.
    var interactiveInterval: Duration = Self.interactiveDefault
    var logInterval: Duration = Self.logDefault

    static let interactiveDefault = Duration.milliseconds(250)
    static let logDefault = Duration.seconds(5)

    /// Runs `body` while the progress line shows.
    func showing<T: Sendable>(
        _ executor: any Executor, progress: ProgressCounter, _ body: () async throws -> T
    ) async throws -> T {
        let started = ContinuousClock.now
        let interactive = output.isInteractive
        let interval = interactive ? interactiveInterval : logInterval
        let output = output
        let display = { @Sendable in
            if let status = executor.statusLine {
                output.progress(status)
                return
            }
            output.progress(
                ProgressLine.text(
                    completed: progress.completed, failed: progress.failed, expectedRequests: progress.expectedRequests,
                    expectedSeconds: progress.expectedSeconds,
                    elapsedSeconds: RunRecorder.seconds(since: started),
                    interactive: interactive))
        }
        let monitor = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if !Task.isCancelled { display() }
            }
        }
        defer {
            monitor.cancel()
            display()
            output.endProgress()
        }
        return try await body()
    }
}
