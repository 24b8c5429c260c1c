import Foundation

/// A pipeline step that failed, with the step's name and the run it belongs to.
public struct PipelineError: LocalizedError {
    public var step: String
    public var benchmarkID: String
    public var underlying: any Error
    /// Why the failure could not be recorded in `run.json` either, when it could not.
    public var unsaved: String?

    public init(step: String, benchmarkID: String, underlying: any Error) {
        self.step = step
        self.benchmarkID = benchmarkID
        self.underlying = underlying
    }

    public var errorDescription: String? {
        let reason = (underlying as? LocalizedError)?.errorDescription ?? "\(underlying)"
        return "step '\(step)' of run \(benchmarkID) failed: \(reason)"
            + (unsaved.map { " (and run.json could not record it: \($0))" } ?? "")
    }
}
