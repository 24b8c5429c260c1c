import Foundation
import Synchronization

/// Samples what a service's machine and its processes are doing, every `interval` seconds on
/// a thread of its own, into `telemetry.jsonl` lines: the time, the CPU share and resident
/// memory of each watched process tree (the service, the clients), the host's load average
/// and memory in use. A source that cannot be read is absent from the line, never zero; a
/// failed sample never stops the sampler.
public final class TelemetrySampler: Sendable {
    /// A process tree to watch, by the pid of its root and a name for its series.
    public struct Watch: Sendable, Equatable {
        public var name: String
        public var pid: Int

        public init(name: String, pid: Int) {
            self.name = name
            self.pid = pid
        }
    }

    private let watches: [Watch]
    private let interval: Double
    private let output: URL
    private let stopped = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    public init(watching watches: [Watch], interval: Double = 1, output: URL) {
        self.watches = watches
        self.interval = interval
        self.output = output
    }

    /// Starts sampling; the first line comes after one interval (a CPU share needs two reads).
    public func start() {
        let thread = Thread { [self] in
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            let handle = try? FileHandle(forWritingTo: output)
            defer {
                try? handle?.close()
                done.signal()
            }
            var previous = Self.ticks(watches)
            var previousTime = Date()
            while !stopped.load(ordering: .relaxed) {
                Thread.sleep(forTimeInterval: interval)
                let now = Date()
                let current = Self.ticks(watches)
                let line = Self.line(
                    at: now, seconds: now.timeIntervalSince(previousTime), before: previous, after: current)
                handle?.write(Data((line + "\n").utf8))
                (previous, previousTime) = (current, now)
            }
        }
        thread.name = "factorybench-telemetry"
        thread.start()
    }

    /// Stops after the sample under way and waits for the file to be closed.
    public func stop() {
        stopped.store(true, ordering: .relaxed)
        done.wait()
    }

    /// CPU ticks and resident pages of each watched tree now (absent when its root is gone).
    static func ticks(_ watches: [Watch]) -> [String: (ticks: Int, pages: Int)] {
        let all = ProcFiles.allProcesses()
        var result: [String: (ticks: Int, pages: Int)] = [:]
        for watch in watches {
            let tree = ProcFiles.tree(of: watch.pid, in: all)
            guard !tree.isEmpty else { continue }
            result[watch.name] = (tree.reduce(0) { $0 + $1.cpuTicks }, tree.reduce(0) { $0 + $1.residentPages })
        }
        return result
    }

    /// One JSONL line: `{"time":…,"<name>_cpu_percent":…,"<name>_rss_bytes":…,
    /// "host_load1":…,"host_memory_used_bytes":…}`; CPU percent of one core (200 = two cores).
    static func line(
        at time: Date, seconds: Double, before: [String: (ticks: Int, pages: Int)], after: [String: (ticks: Int, pages: Int)]
    ) -> String {
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        var fields: [(String, String)] = [("time", String(format: "%.3f", time.timeIntervalSince1970))]
        for name in after.keys.sorted() {
            guard let now = after[name] else { continue }
            if let then = before[name], seconds > 0 {
                let percent = Double(max(now.ticks - then.ticks, 0)) / ticksPerSecond / seconds * 100
                fields.append(("\(name)_cpu_percent", String(format: "%.1f", percent)))
            }
            fields.append(("\(name)_rss_bytes", String(now.pages * pageSize)))
        }
        if let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)).flatMap(ProcFiles.loadAverage) {
            fields.append(("host_load1", String(load)))
        }
        if let memory = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)).flatMap(ProcFiles.memory) {
            fields.append(("host_memory_used_bytes", String(memory.total - memory.available)))
        }
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }
}
