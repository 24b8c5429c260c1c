import Foundation

extension JobRecord {
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
