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

    /// Saves; when a step failed before, a failed save throws that first failure, which
    /// says more about what went wrong.
    func save(after failure: PipelineError?) throws {
        do {
            try save()
        } catch {
            throw failure ?? error
        }
    }

    /// Runs one step. A step whose record cannot be saved fails with that reason: a run
    /// whose `run.json` is stale could not be followed, reported or resumed.
    @discardableResult
    mutating func step<T>(_ name: String, _ body: () async throws -> T) async throws -> T {
        output.line("[\(manifest.steps.count + 1)/\(stepCount)] \(name)")
        let started = ContinuousClock.now
        let value: T
        do {
            value = try await body()
        } catch {
            throw failed(name, started: started, error)
        }
        manifest.steps.append(StepRecord(name: name, seconds: Self.seconds(since: started)))
        do {
            try save()
        } catch {
            manifest.steps.removeLast()
            throw failed(name, started: started, error)
        }
        return value
    }

    /// Records a failed step and returns the failure to throw; when even that record cannot
    /// be saved, the failure says so too.
    private mutating func failed(_ name: String, started: ContinuousClock.Instant, _ error: any Error) -> PipelineError {
        var failure = PipelineError(step: name, benchmarkID: manifest.benchmarkID, underlying: error)
        manifest.steps.append(
            StepRecord(name: name, seconds: Self.seconds(since: started), error: failure.localizedDescription))
        do {
            try save()
        } catch {
            failure.unsaved = (error as? LocalizedError)?.errorDescription ?? "\(error)"
        }
        output.line("      failed: \(failure.localizedDescription)")
        return failure
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
