import FactoryBenchCore
import Foundation

/// Runs the pipeline's steps in order: prints `[i/n] name`, times each step, records it in
/// `run.json` (saved after every step) and re-throws a failure with the step's name.
struct RunRecorder {
    var manifest: RunManifest
    let url: URL
    let output: any PipelineOutput
    let stepCount: Int

    func save() throws {
        try AtomicFile.writeJSON(manifest, to: url)
    }

    @discardableResult
    mutating func step<T>(_ name: String, _ body: () async throws -> T) async throws -> T {
        output.line("[\(manifest.steps.count + 1)/\(stepCount)] \(name)")
        let started = ContinuousClock.now
        do {
            let value = try await body()
            manifest.steps.append(StepRecord(name: name, seconds: Self.seconds(since: started)))
            try? save()
            return value
        } catch {
            let failure = PipelineError(step: name, benchmarkID: manifest.benchmarkID, underlying: error)
            manifest.steps.append(
                StepRecord(name: name, seconds: Self.seconds(since: started), error: failure.localizedDescription))
            try? save()
            output.line("      failed: \(failure.localizedDescription)")
            throw failure
        }
    }

    /// Records a step that could not run because an earlier one failed.
    mutating func skip(_ name: String, reason: String) {
        output.line("[\(manifest.steps.count + 1)/\(stepCount)] \(name): skipped (\(reason))")
        manifest.steps.append(StepRecord(name: name, seconds: 0, error: "skipped: \(reason)"))
    }

    /// Marks the run as not completed; the first reason given is kept.
    mutating func fail(_ status: RunStatus, reason: String) {
        if manifest.status == .running || manifest.status == .partial && status == .failed {
            manifest.status = status
        }
        if manifest.statusReason == nil { manifest.statusReason = reason }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = (ContinuousClock.now - start).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }
}
