import Foundation

/// One Slurm job of a run, as last seen: recorded in `run.json`.
public struct SlurmJob: Sendable, Codable, Equatable {
    public var id: String
    /// `service` or `client-N`.
    public var role: String
    /// Slurm's state word (`PENDING`, `RUNNING`, `COMPLETED`, `CANCELLED by 1001`, ...).
    public var state: String
    /// Why it is pending, or why it ended.
    public var reason: String?
    public var node: String?
    /// `status:signal`, as Slurm prints it.
    public var exitCode: String?
    /// When Slurm says the job was submitted, started and ended (its own `YYYY-MM-DDTHH:MM:SS`).
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

extension SlurmJob {
    /// Takes what a status command said about this job; a finished job keeps its end state
    /// unless the report is an end state too (squeue may lag behind sacct).
    public mutating func update(from report: SlurmStatusParser.Report) {
        let word = String(report.state.split(separator: " ").first ?? "")
        guard !isTerminal || Self.terminalStates.contains(word) else { return }
        state = report.state
        if let reason = report.reason { self.reason = reason }
        if let node = report.node, !node.isEmpty, node != "None assigned", node != "(null)" { self.node = node }
        if let exitCode = report.exitCode { self.exitCode = exitCode }
        func time(_ text: String?) -> String? {
            guard let text, text.first?.isNumber == true else { return nil }
            return text
        }
        submittedAt = time(report.submitted) ?? submittedAt
        startedAt = time(report.started) ?? startedAt
        endedAt = time(report.ended) ?? endedAt
    }
}

/// Reads what `squeue`, `sacct` and `scontrol` print about jobs.
public enum SlurmStatusParser {
    /// What one status line says about one job.
    public struct Report: Sendable, Equatable {
        public var state: String
        public var reason: String?
        public var node: String?
        public var exitCode: String?
        public var submitted: String?
        public var started: String?
        public var ended: String?
    }

    /// The `squeue` format the executor asks for, and what it reads back.
    public static let squeueFormat = "%i|%T|%r|%N|%V|%S|%e"

    /// `squeue -h -o 'squeueFormat'` lines: id → report.
    public static func squeue(_ text: String) -> [String: Report] {
        var result: [String: Report] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard fields.count >= 4, !fields[0].isEmpty else { continue }
            let at = { (index: Int) in fields.count > index ? fields[index] : nil }
            result[fields[0]] = Report(
                state: fields[1], reason: fields[2], node: fields[3], submitted: at(4), started: at(5), ended: at(6))
        }
        return result
    }

    /// The `sacct` fields the executor asks for.
    public static let sacctFields = "JobID,State,ExitCode,NodeList,Submit,Start,End"

    /// `sacct -X -n -P -o sacctFields` lines, or `scontrol -o show job` lines: id → report.
    public static func finalStates(_ text: String) -> [String: Report] {
        var result: [String: Report] = [:]
        for line in text.split(separator: "\n") {
            if line.hasPrefix("JobId=") {
                var fields: [String: String] = [:]
                for pair in line.split(separator: " ") {
                    guard let equals = pair.firstIndex(of: "=") else { continue }
                    fields[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
                }
                guard let id = fields["JobId"], let state = fields["JobState"] else { continue }
                result[id] = Report(
                    state: state, reason: fields["Reason"], node: fields["NodeList"], exitCode: fields["ExitCode"],
                    submitted: fields["SubmitTime"], started: fields["StartTime"], ended: fields["EndTime"])
            } else {
                let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                guard fields.count >= 4, !fields[0].isEmpty, !fields[0].contains(".") else { continue }
                let at = { (index: Int) in fields.count > index ? fields[index] : nil }
                result[fields[0]] = Report(
                    state: fields[1], node: fields[3], exitCode: fields[2], submitted: at(4), started: at(5), ended: at(6))
            }
        }
        return result
    }
}
