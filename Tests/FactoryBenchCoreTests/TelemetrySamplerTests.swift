import Foundation
import TestSupport
import Testing

@testable import FactoryBenchCore

/// The sampler on live processes: a busy child shows its CPU, and its line has the host's.
struct TelemetrySamplerTests {
    @Test func aBusyProcessShowsItsCPUAndTheHostItsLoad() async throws {
        let directory = try TemporaryDirectory()
        // A child that burns one core for a few seconds, stopped by its PID.
        let busy = try BackgroundProcess.start(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", "while True: pass"])
        defer {
            // SIGKILL: the child may inherit a blocked SIGTERM from the test process's threads.
            kill(busy.pid, SIGKILL)
            busy.stop()
        }
        let output = directory.path("telemetry/service.jsonl")
        let sampler = TelemetrySampler(
            watching: [
                .init(name: "service", pid: Int(busy.pid)), .init(name: "gone", pid: 999_999_999),
                .init(name: "clients", pid: Int(getpid()), tree: false),
            ], interval: 0.5, output: output)
        sampler.start()
        let begun = Date()
        while TelemetryFiles.read(output).count < 3, Date().timeIntervalSince(begun) < 30 {
            try await Task.sleep(for: .milliseconds(100))
        }
        await sampler.stop()
        let lines = TelemetryFiles.read(output)
        #expect(lines.count >= 3, "a line every half second: \(lines.count)")
        let cpu = lines.compactMap { $0.values["service_cpu_percent"] }
        #expect(cpu.count == lines.count && (cpu.max() ?? 0) > 20, "a busy loop's CPU: \(cpu)")
        #expect(lines.allSatisfy { ($0.values["service_rss_bytes"] ?? 0) > 0 && ($0.values["clients_rss_bytes"] ?? 0) > 0 })
        // A process that does not exist is absent from every line, not zero.
        #expect(!lines.contains { $0.values.keys.contains { $0.hasPrefix("gone_") } })
        #expect(
            lines.allSatisfy {
                $0.values["host_load1"] != nil && ($0.values["host_memory_used_bytes"] ?? 0) > 0
                    && ($0.values["host_cpus"] ?? 0) >= ($0.values["host_cpus_allowed"] ?? .infinity)
                    && ($0.values["host_cpus_allowed"] ?? 0) >= 1 && $0.values["host_cpu_percent"] != nil
            })
        // The sampler's own cost: a sample is cheap (the benchmark measures it at 1 s).
        #expect(lines.map(\.time) == lines.map(\.time).sorted())
    }

    /// A tree's CPU is the sum of each process's ticks since the previous sample: a process
    /// that ended takes its ticks with it (the rest of the tree still counts), one that
    /// started counts all of its own.
    @Test func aTreesCPUIsCountedProcessByProcess() throws {
        let hertz = Double(sysconf(Int32(_SC_CLK_TCK)))
        var previous = TelemetrySampler.Snapshot(time: 100)
        previous.processes["service"] = ([1: 1000, 2: 500], 10)
        var current = TelemetrySampler.Snapshot(time: 101)
        // Process 2 ended; 1 worked half a second, 3 started and worked a quarter.
        current.processes["service"] = ([1: 1000 + Int(hertz / 2), 3: Int(hertz / 4)], 12)
        let line = TelemetrySampler.line(previous: previous, current: current)
        let values = try #require(TelemetryFiles.parse(Data(line.utf8))).values
        #expect(values["service_cpu_percent"] == 75, "\(line)")
        #expect(values["service_rss_bytes"] == Double(12 * sysconf(Int32(_SC_PAGESIZE))))
    }

    /// A source the test controls: a counter that grows by 10 a read, a gauge, raw text, and
    /// a read that fails (nil) every third time.
    final class CountingSource: TelemetrySource, @unchecked Sendable {
        private let lock = NSLock()
        private var reads = 0
        var name: String { "fake" }

        func read() async -> TelemetryReading? {
            let count = lock.withLock {
                reads += 1
                return reads
            }
            guard count % 3 != 0 else { return nil }
            return TelemetryReading(
                values: ["fake_requests_total": Double(count * 10), "fake_queue": 2], raw: "fake_queue 2\nread \(count)\n")
        }
    }

    @Test func sourcesAddTheirSeriesCountersTheirRatesAndRawTextIsKept() async throws {
        let directory = try TemporaryDirectory()
        let sampler = TelemetrySampler(
            watching: [], sources: [CountingSource()], interval: 0.2, output: directory.path("telemetry/service.jsonl"),
            rawDirectory: directory.path("telemetry"), host: false)
        sampler.start()
        // Every thread of the concurrency pool blocked for 1.5 s (as a suite of synchronous
        // tests does): the sources are read on the sampler's own executor all the same.
        let blocked = await withTaskGroup(of: (start: Double, end: Double).self) { group in
            for _ in 0..<ProcessCPU.allowedCores() {
                group.addTask {
                    let start = Date().timeIntervalSince1970
                    usleep(1_500_000)
                    return (start, Date().timeIntervalSince1970)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        // Until six lines are written (however busy the machine), within half a minute.
        let begun = Date()
        while TelemetryFiles.read(directory.path("telemetry/service.jsonl")).count < 6, Date().timeIntervalSince(begun) < 30 {
            try await Task.sleep(for: .milliseconds(100))
        }
        await sampler.stop()
        let lines = TelemetryFiles.read(directory.path("telemetry/service.jsonl"))
        #expect(lines.count >= 6)
        // Under the suite's load the blockers may not all run at once: the time they did, or
        // else the time any of them did.
        let overlap = (start: blocked.map(\.start).max() ?? 0, end: blocked.map(\.end).min() ?? 0)
        let windows = overlap.end - overlap.start > 0.5 ? [overlap] : blocked
        let whileBlocked = lines.filter { line in windows.contains { line.time > $0.start + 0.3 && line.time < $0.end } }
        #expect(
            whileBlocked.contains { $0.values["fake_queue"] != nil },
            "read while the pool was blocked (\(windows)): \(lines)")
        // Every third read fails: those lines lack the source's series (absent, not zero).
        let missing = lines.filter { $0.values["fake_queue"] == nil }
        #expect(!missing.isEmpty && missing.count < lines.count, "\(lines)")
        #expect(missing.allSatisfy { $0.values.isEmpty })
        // The rate of the counter over an interval whose both ends were read.
        let rates = lines.compactMap { $0.values["fake_requests_per_s"] }
        #expect(!rates.isEmpty && rates.allSatisfy { $0 > 0 && $0 < 200 }, "10 a read, reads 0.2 s apart or more: \(rates)")
        #expect(!lines.contains { $0.values.keys.contains { $0.hasPrefix("host_") } }, "host: false")
        let raw = try String(contentsOf: directory.path("telemetry/fake.txt"), encoding: .utf8)
        #expect(raw.components(separatedBy: "# factorybench sample time=").count - 1 == lines.count - missing.count)
        // The first read is the baseline of the first line's rates, not a line of its own.
        #expect(raw.contains("fake_queue 2\nread 2\n") && !raw.contains("read 1\n"))
    }

    /// A FAKE nvidia-smi (this machine has no GPU): a script printing what the real one
    /// prints in query mode for two GPUs, one of which reports no power.
    @Test func theGPUSourceReadsNvidiaSMIInQueryMode() async throws {
        let directory = try TemporaryDirectory()
        let fake = try directory.write(
            "nvidia-smi",
            """
            #!/bin/sh
            [ "$1" = "--query-gpu=index,utilization.gpu,memory.used,memory.total,power.draw" ] || exit 2
            [ "$2" = "--format=csv,noheader,nounits" ] || exit 2
            echo "0, 87, 39000, 40960, 250.12"
            echo "1, 3, 500, 40960, [N/A]"
            """)
        chmod(fake.path, 0o755)
        let reading = try #require(await GPUSource(executable: fake.path).read())
        #expect(reading.values["gpu0_utilization_percent"] == 87)
        #expect(reading.values["gpu0_memory_used_bytes"] == Double(39000 * 1_048_576))
        #expect(reading.values["gpu0_memory_total_bytes"] == Double(40960 * 1_048_576))
        #expect(reading.values["gpu0_power_watts"] == 250.12)
        #expect(reading.values["gpu1_utilization_percent"] == 3)
        #expect(reading.values["gpu1_power_watts"] == nil, "[N/A] is absent, not zero")
        #expect(await GPUSource(executable: directory.path("missing").path).read() == nil)
    }
}
