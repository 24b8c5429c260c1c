import Foundation

/// One job of a run as its executor last saw it, recorded in `run.json`: what any batch
/// system reports about a job (the state words are Slurm's, the one such executor today).
public struct JobRecord: Sendable, Codable, Equatable {
    public var id: String
    /// `service` or `client-N`.
    public var role: String
    /// The batch system's state (`PENDING`, `RUNNING`, `COMPLETED`, `CANCELLED by 1001`, ...).
    public var state: String
    /// Why it is pending, or why it ended.
    public var reason: String?
    public var node: String?
    /// `status:signal`.
    public var exitCode: String?
    /// When the job was submitted, started and ended, as the batch system prints it (`YYYY-MM-DDTHH:MM:SS`).
    public var submittedAt: String?
    public var startedAt: String?
    public var endedAt: String?

    public init(id: String, role: String, state: String = "PENDING") {
        self.id = id
        self.role = role
        self.state = state
    }

    enum CodingKeys: String, CodingKey {
        case id, role, state, reason, node
        case exitCode = "exit_code"
        case submittedAt = "submitted_at"
        case startedAt = "started_at"
        case endedAt = "ended_at"
    }

    /// Every state in which a job will never run again (`UNKNOWN`: ours, for a job no
    /// status command knows any more).
    public static let terminalStates: Set<String> = [
        "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED", "BOOT_FAIL",
        "DEADLINE", "REVOKED", "SPECIAL_EXIT", "UNKNOWN",
    ]

    /// The first word of the state (`CANCELLED by 1001` → `CANCELLED`).
    public var stateWord: String { String(state.split(separator: " ").first ?? "") }

    public var isTerminal: Bool { Self.terminalStates.contains(stateWord) }
    /// The clients' job (`clients`), or one client's job in runs made before the clients
    /// were one job (`client-N`).
    public var isClientJob: Bool { role == "clients" || role.hasPrefix("client-") }

    /// Ended well: COMPLETED with exit status 0.
    public var succeeded: Bool { stateWord == "COMPLETED" && (exitCode == nil || exitCode == "0:0") }

    /// One line for messages: `job 12 FAILED (exit 3:0) on n2`.
    public var summary: String {
        var text = "job \(id) \(state)"
        if let exitCode, exitCode != "0:0" { text += " (exit \(exitCode))" }
        if let reason, !reason.isEmpty, reason != "None", !isTerminal || stateWord != "COMPLETED" {
            text += isTerminal ? " [\(reason)]" : " (\(reason))"
        }
        if let node, !node.isEmpty, !node.hasPrefix("(") { text += " on \(node)" }
        return text
    }
}
