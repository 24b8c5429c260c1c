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
        processStat(bytes: Array(text.utf8))
    }

    /// The same, from the file's bytes (the sampler reads every process's file each sample:
    /// no String, no split).
    static func processStat(bytes: [UInt8]) -> ProcessStat? {
        guard let open = bytes.firstIndex(of: UInt8(ascii: "(")), let close = bytes.lastIndex(of: UInt8(ascii: ")")),
            let pid = integer(bytes[..<open].filter { $0 != UInt8(ascii: " ") }[...])
        else { return nil }
        // After the name: state(3) ppid(4) ... utime(14) stime(15) ... rss(24), numbered from 1;
        // here field 0 is the state.
        var fields: [Int: Int] = [:]
        var field = -1
        var index = close + 1
        while index < bytes.count, field < 21 {
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: " "), bytes[index] != UInt8(ascii: "\n") { index += 1 }
            guard index > start else { break }
            field += 1
            if field == 1 || field == 11 || field == 12 || field == 21 {
                guard let value = integer(bytes[start..<index]) else { return nil }
                fields[field] = value
            }
        }
        guard let parent = fields[1], let user = fields[11], let system = fields[12], let rss = fields[21] else { return nil }
        return ProcessStat(pid: pid, parent: parent, cpuTicks: user + system, residentPages: rss)
    }

    /// A decimal integer (with an optional minus sign) spanning all of `digits`.
    static func integer(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        var negative = false
        var any = false
        for (offset, byte) in digits.enumerated() {
            if offset == 0, byte == UInt8(ascii: "-") {
                negative = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value &* 10 &+ Int(byte - UInt8(ascii: "0"))
            any = true
        }
        return any ? (negative ? -value : value) : nil
    }

    /// A small file of /proc, read with one `read(2)` (they are generated whole per read).
    static func read(_ path: String) -> [UInt8]? {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { Glibc.close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 8192)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        buffer.removeSubrange(count...)
        return buffer
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

    /// The stats of `root` and its descendants but `excluded` (and what it started), found
    /// through each thread's `task/<tid>/children` (a few reads for a service, where a scan
    /// reads every process of the machine); nil when the kernel has no such files (then
    /// `tree(of:in:)` over `allProcesses()`).
    public static func treeStats(of root: Int, excluding excluded: Int? = nil, root proc: String = "/proc") -> [ProcessStat]? {
        var stats: [ProcessStat] = []
        var queue = [root]
        var index = 0
        while index < queue.count {
            let pid = queue[index]
            index += 1
            guard pid != excluded, let bytes = read("\(proc)/\(pid)/stat"), let stat = processStat(bytes: bytes) else { continue }
            stats.append(stat)
            guard let tasks = opendir("\(proc)/\(pid)/task") else { continue }
            defer { closedir(tasks) }
            while let entry = readdir(tasks) {
                guard entry.pointee.d_name.0 >= 0x31, entry.pointee.d_name.0 <= 0x39 else { continue }
                let tid = withUnsafePointer(to: entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                let path = "\(proc)/\(pid)/task/\(tid)/children"
                guard let children = read(path) else {
                    if access(path, F_OK) != 0, index == 1, stats.count == 1 { return nil }
                    continue
                }
                for word in children.split(separator: UInt8(ascii: " ")) {
                    if let child = integer(word.filter { $0 != UInt8(ascii: "\n") }[...]) { queue.append(child) }
                }
            }
        }
        return stats
    }

    /// Every process's stat, read now (processes that end while being read are left out).
    public static func allProcesses(root: String = "/proc") -> [ProcessStat] {
        guard let directory = opendir(root) else { return [] }
        defer { closedir(directory) }
        var stats: [ProcessStat] = []
        while let entry = readdir(directory) {
            let first = entry.pointee.d_name.0
            guard first >= 0x31, first <= 0x39 else { continue }  // a pid: 1-9 first
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if let bytes = read(root + "/" + name + "/stat"), let stat = processStat(bytes: bytes) { stats.append(stat) }
        }
        return stats
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

    /// How many cores `/proc/stat` lists (`cpu0`, `cpu1`, …): the machine's, whatever this
    /// process may use.
    public static func cpuCount(_ text: String) -> Int {
        text.split(separator: "\n").filter { line in
            line.hasPrefix("cpu") && line.dropFirst(3).first.map { $0.isASCII && $0.isNumber } == true
        }.count
    }
}
