import Foundation

/// Why the clients' request files could not be written or collected into `requests.jsonl`.
public enum CollectionError: LocalizedError, Equatable {
    case cannotWrite(path: String, reason: String)
    case cannotRead(path: String, reason: String)
    case noClientFiles(directory: String)

    public var errorDescription: String? {
        switch self {
        case .cannotWrite(let path, let reason):
            return "cannot write '\(path)': \(reason); check that the directory exists and is writable"
        case .cannotRead(let path, let reason):
            return "cannot read '\(path)': \(reason)"
        case .noClientFiles(let directory):
            return "no client request files (*.jsonl) in '\(directory)'; the clients wrote nothing"
        }
    }
}
