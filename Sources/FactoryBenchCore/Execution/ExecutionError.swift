import Foundation

/// Why deploying a service or running the clients failed.
public enum ExecutionError: LocalizedError, Equatable {
    case deployFailed(service: String, reason: String)
    case clientFailed(clientID: Int?, reason: String)
    /// The user pressed Ctrl+C during a run whose executor can detach: its jobs keep running.
    case detached(benchmarkID: String)

    public var errorDescription: String? {
        switch self {
        case .deployFailed(let service, let reason):
            return "could not start the \(service) service: \(reason)"
        case .clientFailed(let clientID, let reason):
            return "\(clientID.map { "client \($0)" } ?? "a client") failed: \(reason)"
        case .detached(let id):
            return "detached from run \(id); its jobs keep running. Follow it with `factorybench watch \(id)`, "
                + "copy back what it has so far with `factorybench collect \(id)`, stop it with "
                + "`factorybench cancel \(id)`, read its logs with `factorybench logs \(id)`"
        }
    }
}
