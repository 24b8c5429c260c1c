import FactoryBenchCore
import Foundation
import TestSupport
import Testing

/// The generator check: its rules on known numbers, and the lateness from records.
@Suite struct LoadGeneratorSummaryTests {
    func lateness(p99: Double) -> LatencyStatistics {
        LatencyStatistics(
            count: 100, avg: p99 / 2, min: 0, max: p99 * 2, std: 0, p50: p99 / 4, p90: p99 / 2, p95: p99 / 2, p99: p99,
            p99_9: p99 * 2, percentileMethod: "exact")
    }

    @Test func aGeneratorThatKeptUpGetsNoWarning() {
        var summary = LoadGeneratorSummary(scheduleLateness: lateness(p99: 0.0009), droppedRequests: 0)
        summary.addRun(cpuSeconds: 8.9, cores: 2, runSeconds: 5, records: 1000)
        #expect(summary.warning == nil)
        #expect(abs((summary.cpuShare ?? 0) - 0.89) < 1e-12)
        #expect(summary.cpuMicrosecondsPerRequest == 8900)
        #expect(summary.recordsPerSecond == 200)
    }

    @Test func eachRuleWarnsWithWhatToDo() throws {
        var busy = LoadGeneratorSummary(scheduleLateness: nil, droppedRequests: 0)
        busy.addRun(cpuSeconds: 9, cores: 2, runSeconds: 5, records: 10)
        let cpu = try #require(busy.warning)
        #expect(cpu.contains("its clients used 90 % of their 2 cores"))
        #expect(cpu.contains("benchmarks.num_clients") && cpu.contains("load.rate"))

        let late = LoadGeneratorSummary(scheduleLateness: lateness(p99: 0.0021), droppedRequests: 0)
        #expect(try #require(late.warning).contains("up to 2.1 ms late at p99 (max 4.2 ms)"))

        let dropped = LoadGeneratorSummary(scheduleLateness: nil, droppedRequests: 3)
        #expect(try #require(dropped.warning).contains("3 requests were dropped because every in-flight slot was busy"))
        #expect(dropped.warning?.hasPrefix("The load generator may have been the bottleneck: ") == true)
    }

    /// Schedule lateness is start − intended of sent measured requests; dropped ones and
    /// closed-loop ones (no intended time) are not in it.
    @Test func latenessComesFromTheRecordsIntendedStarts() throws {
        func record(_ id: Int, intended: Double?, late: Double, dropped: Bool = false) -> RequestRecord {
            let start = (intended ?? 100) + late
            var record = RequestRecord(
                requestID: "r\(id)", clientID: 0, serviceType: "fake", timestampStart: start, timestampEnd: start + 0.01,
                latencySeconds: 0.01, success: !dropped, error: dropped ? "dropped" : nil)
            record.timestampIntended = intended
            record.dropped = dropped
            return record
        }
        let open = [
            record(0, intended: 100, late: 0.0001), record(1, intended: 100.1, late: 0.0003),
            record(2, intended: 100.2, late: 0.0002), record(3, intended: 100.3, late: 0, dropped: true),
        ]
        let summary = try RecordFile.summary(of: open)
        let generator = try #require(summary.loadGenerator)
        let lateness = try #require(generator.scheduleLateness)
        #expect(lateness.count == 3)
        #expect(abs(lateness.max - 0.0003) < 1e-9 && abs(lateness.p50 - 0.0002) < 1e-9)
        #expect(generator.droppedRequests == 1)
        #expect(generator.warning?.contains("1 request was dropped") == true)
        let closed = try RecordFile.summary(of: [record(0, intended: nil, late: 0)])
        #expect(closed.loadGenerator?.scheduleLateness == nil && closed.loadGenerator?.warning == nil)
    }

    /// Clients on compute nodes each write what they spent; the run adds their CPU, takes
    /// the longest run, and counts each node's cores once.
    @Test func clientProcessesOnNodesAddUpWithEachNodesCoresOnce() throws {
        let directory = try TemporaryDirectory()
        let usages = [
            ClientProcessUsage(clientID: 0, host: "node1", cpuSeconds: 2, runSeconds: 10, cores: 4),
            ClientProcessUsage(clientID: 1, host: "node1", cpuSeconds: 3, runSeconds: 12, cores: 4),
            ClientProcessUsage(clientID: 2, host: "node2", cpuSeconds: 1, runSeconds: 11, cores: 8),
        ]
        for usage in usages {
            try AtomicFile.writeJSON(
                usage, to: ClientProcessUsage.url(forRecords: directory.path("client-\(usage.clientID).jsonl")))
        }
        try directory.write("client-0.jsonl", "{}\n")
        #expect(
            ClientProcessUsage.url(forRecords: directory.path("client-0.jsonl")).lastPathComponent == "client-0.generator.json")
        let read = ClientProcessUsage.read(in: directory.url)
        #expect(read == usages)
        let total = try #require(ClientProcessUsage.total(read))
        #expect(total.cpuSeconds == 6 && total.runSeconds == 12 && total.cores == 12)
        #expect(ClientProcessUsage.total([]) == nil)
        #expect(ProcessCPU.allowedCores() >= 1)
    }
}
