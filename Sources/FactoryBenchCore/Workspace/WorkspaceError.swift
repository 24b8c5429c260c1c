import Foundation

/// Why a file of the workspace (`results/`, `reports/`, `site/`) could not be written or
/// read: every stage's files go through `AtomicFile` and `Workspace`, which throw this.
public enum WorkspaceError: LocalizedError, Equatable {
    case cannotWrite(path: String, reason: String)
    case cannotRead(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .cannotWrite(let path, let reason):
            return "cannot write '\(path)': \(reason); check that the directory exists and is writable"
        case .cannotRead(let path, let reason):
            return "cannot read '\(path)': \(reason)"
        }
    }
}
