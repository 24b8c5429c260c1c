import Foundation

/// Why deploying a service or running the clients failed.
public enum ExecutionError: LocalizedError, Equatable {
    case deployFailed(service: String, reason: String)
    case clientFailed(clientID: Int?, reason: String)

    public var errorDescription: String? {
        switch self {
        case .deployFailed(let service, let reason):
            return "could not start the \(service) service: \(reason)"
        case .clientFailed(let clientID, let reason):
            return "\(clientID.map { "client \($0)" } ?? "a client") failed: \(reason)"
        }
    }
}
