import Foundation

/// A pipeline step that failed, with the step's name and the run it belongs to.
public struct PipelineError: LocalizedError {
    public var step: String
    public var benchmarkID: String
    public var underlying: any Error

    public var errorDescription: String? {
        let reason = (underlying as? LocalizedError)?.errorDescription ?? "\(underlying)"
        return "step '\(step)' of run \(benchmarkID) failed: \(reason)"
    }
}
