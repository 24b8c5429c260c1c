import Foundation

/// Why request files could not be aggregated (a line that cannot be read is skipped and
/// counted, never an error: only a file that cannot be read at all is).
public enum AggregationError: LocalizedError, Equatable {
    case cannotRead(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .cannotRead(let path, let reason):
            return "cannot read request file '\(path)': \(reason)"
        }
    }
}
