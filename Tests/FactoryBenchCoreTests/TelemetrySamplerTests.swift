import FactoryBenchCore
import Foundation
import TestSupport
import Testing

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
        let output = directory.path("telemetry.jsonl")
        let sampler = TelemetrySampler(
            watching: [.init(name: "service", pid: Int(busy.pid)), .init(name: "gone", pid: 999_999_999)], interval: 0.5,
            output: output)
        sampler.start()
        try await Task.sleep(for: .seconds(2.2))
        sampler.stop()
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(lines.count >= 3, "a line every half second: \(lines.count)")
        let cpu = lines.compactMap { $0["service_cpu_percent"] as? Double }
        #expect(cpu.count == lines.count && (cpu.max() ?? 0) > 20, "a busy loop's CPU: \(cpu)")
        #expect(lines.allSatisfy { ($0["service_rss_bytes"] as? Int ?? 0) > 0 })
        // A process that does not exist is absent from every line, not zero.
        #expect(!lines.contains { $0.keys.contains { $0.hasPrefix("gone_") } })
        #expect(lines.allSatisfy { $0["host_load1"] != nil && ($0["host_memory_used_bytes"] as? Int ?? 0) > 0 })
    }
}
