import Foundation
import Synchronization

/// Samples what a service's machine, its processes and the server itself are doing, every
/// `interval` seconds, into `telemetry/*.jsonl` lines: the time, the CPU share and resident
/// memory of each watched process (the service's tree, the clients), the host's CPU, load and
/// memory, and each source's series (a server's own statistics, the GPUs). A counter
/// (`…_total`) also gets its rate over the interval (`…_per_s`). A source that cannot be
/// read is absent from the line, never zero; a failed sample never stops the sampler or the
/// run. The raw text a source read is appended to `<raw directory>/<source>.txt`.
public final class TelemetrySampler: Sendable {
    /// A process to watch, by its pid and a name for its series.
    public struct Watch: Sendable, Equatable {
        public var name: String
        public var pid: Int
        /// The process and every descendant (a service), or the process alone (this process,
        /// whose children are the service).
        public var tree: Bool

        public init(name: String, pid: Int, tree: Bool = true) {
            self.name = name
            self.pid = pid
            self.tree = tree
        }
    }

    private let watches: [Watch]
    private let sources: [any TelemetrySource]
    private let interval: Double
    private let output: URL
    private let rawDirectory: URL?
    private let host: Bool
    /// Set by `stop()`; the semaphore cuts the sampler's wait short.
    private let stopping = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    /// Which sources are being read now.
    private let readers = Mutex<Set<Int>>([])
    /// Whether the thread has ended, or who waits for it to.
    private let ending = Mutex<(ended: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    public init(
        watching watches: [Watch], sources: [any TelemetrySource] = [], interval: Double = 1, output: URL,
        rawDirectory: URL? = nil, host: Bool = true
    ) {
        self.watches = watches
        self.sources = sources
        self.interval = max(interval, 0.05)
        self.output = output
        self.rawDirectory = rawDirectory
        self.host = host
    }

    /// Starts sampling on a thread of its own (a busy Swift concurrency pool — clients on the
    /// asynchronous engine — cannot delay a sample); the first line comes after one interval
    /// (a CPU share needs two reads).
    public func start() {
        let thread = Thread { [self] in
            loop()
            let waiter = ending.withLock { state -> CheckedContinuation<Void, Never>? in
                state.ended = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
        thread.name = "factorybench-telemetry"
        thread.start()
    }

    /// Stops after a last sample (of the time since the previous one) and waits until the
    /// files are closed.
    public func stop() async {
        guard !stopping.exchange(true, ordering: .relaxed) else { return }
        wake.signal()
        await withCheckedContinuation { continuation in
            let ended = ending.withLock { state in
                if !state.ended { state.waiter = continuation }
                return state.ended
            }
            if ended { continuation.resume() }
        }
    }

    private func loop() {
        try? FileManager.default.createDirectory(at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
        if let rawDirectory { try? FileManager.default.createDirectory(at: rawDirectory, withIntermediateDirectories: true) }
        let file = open(output.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        var raw: [String: Int32] = [:]
        // Where the sources are read: a thread of their own, ended once they are closed.
        let executor = sources.isEmpty ? nil : ThreadExecutor(name: "factorybench-telemetry-sources")
        defer {
            if file >= 0 { close(file) }
            for descriptor in raw.values { close(descriptor) }
            if let executor {
                let sources = sources
                Task(executorPreference: executor) {
                    for source in sources { await source.close() }
                    executor.shutdown()
                }
            }
        }
        var next = DispatchTime.now()
        var previous = snapshot(readingSourcesOn: executor)
        var stop = false
        while !stop {
            next = next + interval
            // A sampler that fell behind (a stopped machine) starts again from now.
            if next < DispatchTime.now() { next = DispatchTime.now() + interval }
            stop = wake.wait(timeout: next) == .success || stopping.load(ordering: .relaxed)
            // Stopped: one last line for the time since the previous one (a client that ran
            // for less than an interval still has its line), unless it is too short to say much.
            if stop, Date().timeIntervalSince1970 - previous.time < 0.02 { break }
            let current = snapshot(readingSourcesOn: executor)
            let line = Self.line(previous: previous, current: current) + "\n"
            if file >= 0 { _ = line.utf8CString.withUnsafeBufferPointer { write(file, $0.baseAddress, $0.count - 1) } }
            if let rawDirectory {
                for (name, text) in current.raw {
                    if raw[name] == nil {
                        raw[name] = open(
                            rawDirectory.appendingPathComponent("\(name).txt").path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                            0o644)
                    }
                    guard let descriptor = raw[name], descriptor >= 0 else { continue }
                    let block =
                        "# factorybench sample time=\(Self.number(current.time))\n" + text
                        + (text.hasSuffix("\n") ? "" : "\n")
                    _ = block.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count - 1) }
                }
            }
            previous = current
        }
    }

    /// What the sources said, each read by a task on the sampler's own executor while the
    /// sampler's thread waits at most an interval: a source that has not answered by then is
    /// absent from this sample, and is not asked again until it has answered.
    private func readSources(on executor: ThreadExecutor?) -> [(name: String, reading: TelemetryReading)] {
        let asked = readers.withLock { busy -> [Int] in
            let idle = sources.indices.filter { !busy.contains($0) }
            busy.formUnion(idle)
            return idle
        }
        guard let executor, !asked.isEmpty else { return [] }
        // This sample's answers: a late one lands in a box nobody reads any more.
        let answers = Answers(waiting: asked.count)
        for index in asked {
            let source = sources[index]
            Task(executorPreference: executor) { [self] in
                let reading = await source.read()
                readers.withLock { _ = $0.remove(index) }
                answers.add(reading, at: index)
            }
        }
        _ = answers.answered.wait(timeout: .now() + max(interval, 1))
        let readings = answers.state.withLock { $0.readings }
        return asked.compactMap { index in readings[index].map { (sources[index].name, $0) } }
    }

    /// One sample's answers from its sources; `answered` is signalled by the last.
    private final class Answers: Sendable {
        let state: Mutex<(readings: [Int: TelemetryReading], waiting: Int)>
        let answered = DispatchSemaphore(value: 0)

        init(waiting: Int) {
            state = Mutex(([:], waiting))
        }

        func add(_ reading: TelemetryReading?, at index: Int) {
            let last = state.withLock { state in
                state.readings[index] = reading
                state.waiting -= 1
                return state.waiting == 0
            }
            if last { answered.signal() }
        }
    }

    /// Everything read at one instant.
    struct Snapshot {
        var time: Double
        /// CPU ticks of each process and resident pages of each watched process or tree
        /// (absent when it is gone).
        var processes: [String: (ticks: [Int: Int], pages: Int)] = [:]
        var hostCPU: (busy: Int, total: Int)?
        var gauges: [String: Double] = [:]
        var raw: [String: String] = [:]
    }

    private func snapshot(readingSourcesOn executor: ThreadExecutor?) -> Snapshot {
        var snapshot = Snapshot(time: Date().timeIntervalSince1970)
        snapshot.processes = Self.ticks(watches)
        if host {
            if let stat = Self.read("/proc/stat") {
                snapshot.hostCPU = ProcFiles.cpuTimes(stat)
                let cores = ProcFiles.cpuCount(stat)
                if cores > 0 { snapshot.gauges["host_cpus"] = Double(cores) }
            }
            if let load = Self.read("/proc/loadavg").flatMap(ProcFiles.loadAverage) { snapshot.gauges["host_load1"] = load }
            if let memory = Self.read("/proc/meminfo").flatMap(ProcFiles.memory) {
                snapshot.gauges["host_memory_used_bytes"] = Double(memory.total - memory.available)
                snapshot.gauges["host_memory_total_bytes"] = Double(memory.total)
            }
            snapshot.gauges["host_cpus_allowed"] = Double(ProcessCPU.allowedCores())
        }
        for (name, reading) in readSources(on: executor) {
            snapshot.gauges.merge(reading.values) { _, new in new }
            if let raw = reading.raw { snapshot.raw[name] = raw }
        }
        return snapshot
    }

    private static func read(_ path: String) -> String? {
        ProcFiles.read(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// CPU ticks of each process and resident pages of each watched process or tree now.
    static func ticks(_ watches: [Watch]) -> [String: (ticks: [Int: Int], pages: Int)] {
        // The sampler may sit in the tree it watches (beside a service in its job): it and
        // whatever it runs (nvidia-smi) are left out.
        let own = Int(getpid())
        var scanned: [ProcFiles.ProcessStat]?
        var result: [String: (ticks: [Int: Int], pages: Int)] = [:]
        for watch in watches {
            var processes: [ProcFiles.ProcessStat]
            if !watch.tree {
                processes = ProcFiles.read("/proc/\(watch.pid)/stat").flatMap(ProcFiles.processStat(bytes:)).map { [$0] } ?? []
            } else if let walked = ProcFiles.treeStats(of: watch.pid, excluding: own) {
                processes = walked
            } else {
                // No children files: every process's, once a sample.
                if scanned == nil { scanned = ProcFiles.allProcesses().filter { $0.pid != own } }
                processes = ProcFiles.tree(of: watch.pid, in: scanned ?? [])
            }
            guard !processes.isEmpty else { continue }
            result[watch.name] = (
                Dictionary(processes.map { ($0.pid, $0.cpuTicks) }, uniquingKeysWith: max),
                processes.reduce(0) { $0 + $1.residentPages }
            )
        }
        return result
    }

    /// One JSONL line: `{"time":…,"<name>_cpu_percent":…,"<name>_rss_bytes":…,"host_…":…,
    /// "<source series>":…}`; a process's CPU in percent of one core (200 = two cores), the
    /// host's in percent of all its cores.
    static func line(previous: Snapshot, current: Snapshot) -> String {
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        let seconds = current.time - previous.time
        var values = current.gauges
        for (name, now) in current.processes {
            // Per process: one that ended since the previous sample takes its ticks with it
            // instead of cutting the tree's; one that started spent all of its in the interval.
            if let then = previous.processes[name], seconds > 0 {
                let ticks = now.ticks.reduce(0) { sum, process in sum + max(process.value - (then.ticks[process.key] ?? 0), 0) }
                values["\(name)_cpu_percent"] = Double(ticks) / ticksPerSecond / seconds * 100
            }
            values["\(name)_rss_bytes"] = Double(now.pages) * pageSize
        }
        if let now = current.hostCPU, let then = previous.hostCPU, now.total > then.total {
            values["host_cpu_percent"] = Double(now.busy - then.busy) / Double(now.total - then.total) * 100
        }
        for (name, value) in current.gauges where name.hasSuffix("_total") {
            guard let before = previous.gauges[name], value >= before, seconds > 0 else { continue }
            values[String(name.dropLast("_total".count)) + "_per_s"] = (value - before) / seconds
        }
        var text = "{\"time\":\(number(current.time))"
        for name in values.keys.sorted() {
            guard let value = values[name], value.isFinite else { continue }
            text += ",\"\(name)\":\(number(value))"
        }
        return text + "}"
    }

    /// A whole number as an integer, else with three decimals at most (six significant
    /// digits below one).
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        if abs(value) < 1 { return String(format: "%.6g", value) }
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
