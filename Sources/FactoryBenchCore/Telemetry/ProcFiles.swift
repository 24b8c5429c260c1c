import Foundation

/// What Linux's /proc says of a machine and its processes, parsed from the files' text (so
/// fixtures test it), and read live for the sampler.
public enum ProcFiles {
    /// One process's `/proc/<pid>/stat`: its parent, CPU time in clock ticks and resident
    /// pages.
    public struct ProcessStat: Sendable, Equatable {
        public var pid: Int
        public var parent: Int
        /// User + system time, in clock ticks (`sysconf(_SC_CLK_TCK)`, 100 on Linux).
        public var cpuTicks: Int
        public var residentPages: Int
    }

    /// Parses a `/proc/<pid>/stat` line. The command name is in parentheses and may hold
    /// spaces and parentheses itself: the fields after it are counted from its last `)`.
    public static func processStat(_ text: String) -> ProcessStat? {
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"),
            let pid = Int(text[..<open].trimmingCharacters(in: .whitespaces))
        else { return nil }
        // After the name: state(3) ppid(4) ... utime(14) stime(15) ... rss(24), numbered from 1.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count >= 22, let parent = Int(fields[1]), let user = Int(fields[11]), let system = Int(fields[12]),
            let rss = Int(fields[21])
        else { return nil }
        return ProcessStat(pid: pid, parent: parent, cpuTicks: user + system, residentPages: rss)
    }

    /// The processes of a tree: `root` and every descendant, from all processes' stats.
    public static func tree(of root: Int, in stats: [ProcessStat]) -> [ProcessStat] {
        var children: [Int: [ProcessStat]] = [:]
        for stat in stats { children[stat.parent, default: []].append(stat) }
        var result = stats.filter { $0.pid == root }
        var index = 0
        while index < result.count {
            result += children[result[index].pid] ?? []
            index += 1
        }
        return result
    }

    /// `/proc/meminfo`: total and available memory, in bytes.
    public static func memory(_ text: String) -> (total: Int, available: Int)? {
        var values: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2, let value = Int(parts[1]) else { continue }
            values[String(parts[0].dropLast())] = value * (parts.count > 2 && parts[2] == "kB" ? 1024 : 1)
        }
        guard let total = values["MemTotal"], let available = values["MemAvailable"] else { return nil }
        return (total, available)
    }

    /// `/proc/loadavg`: the one-minute load average.
    public static func loadAverage(_ text: String) -> Double? {
        text.split(separator: " ").first.flatMap { Double($0) }
    }

    /// Every process's stat, read now (processes that end while being read are left out).
    public static func allProcesses(root: String = "/proc") -> [ProcessStat] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.compactMap { name in
            guard name.first?.isNumber == true,
                let text = try? String(contentsOfFile: "\(root)/\(name)/stat", encoding: .utf8)
            else { return nil }
            return processStat(text)
        }
    }
}

/// `nvidia-smi --query-gpu=index,utilization.gpu,memory.used,memory.total,power.draw
/// --format=csv,noheader,nounits`: one line per GPU; `[N/A]` or `[Not Supported]` is absent,
/// not zero.
public enum NvidiaSMI {
    public static let arguments = [
        "--query-gpu=index,utilization.gpu,memory.used,memory.total,power.draw", "--format=csv,noheader,nounits",
    ]

    public struct GPU: Sendable, Equatable {
        public var index: Int
        /// Percent.
        public var utilization: Double?
        /// MiB.
        public var memoryUsed: Double?
        public var memoryTotal: Double?
        /// Watts.
        public var power: Double?
    }

    public static func parse(_ csv: String) -> [GPU] {
        csv.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                Double($0.trimmingCharacters(in: .whitespaces))
            }
            guard fields.count == 5, let index = fields[0].map(Int.init) else { return nil }
            return GPU(index: index, utilization: fields[1], memoryUsed: fields[2], memoryTotal: fields[3], power: fields[4])
        }
    }
}

extension ProcFiles {
    /// `/proc/stat`'s first line: clock ticks all cores spent busy and in all (idle and
    /// iowait are not busy).
    public static func cpuTimes(_ text: String) -> (busy: Int, total: Int)? {
        guard let line = text.split(separator: "\n").first, line.hasPrefix("cpu ") else { return nil }
        let ticks = line.split(separator: " ").dropFirst().compactMap { Int($0) }
        guard ticks.count >= 4 else { return nil }
        // user nice system idle iowait irq softirq steal (guest time is inside user already).
        let counted = Array(ticks.prefix(8))
        let total = counted.reduce(0, +)
        let idle = counted[3] + (counted.count > 4 ? counted[4] : 0)
        return (total - idle, total)
    }
}
