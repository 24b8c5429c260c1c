import Foundation
import TestSupport
import Testing

@testable import FactoryBenchCore

/// `summary.telemetry` from telemetry lines: statistics over the samples taken while
/// requests ran, counters' growth, points on the run's time axis, resources at their limit.
struct TelemetrySummaryTests {
    static func line(_ time: Double, _ values: [String: Double]) -> TelemetryLine {
        TelemetryLine(time: time, values: values)
    }

    @Test func statisticsCoverTheRunAndPointsSitOnItsTimeAxis() throws {
        // Requests ran from 1000.4 to 1004.6; samples every second from 998 to 1007.
        let lines = (998...1007).map { (second: Int) -> TelemetryLine in
            let busy = second >= 1001 && second <= 1004
            let values: [String: Double] = [
                "service_cpu_percent": busy ? 50 : 5, "host_cpus": 2,
                "postgres_rollbacks_total": Double(max(0, second - 1000)), "service_rss_bytes": 1_000_000,
            ]
            return Self.line(Double(second) + 0.5, values)
        }
        let summary = try #require(
            TelemetrySummary.make(lines: lines, window: (start: 1000.4, end: 1004.6), serviceType: "postgres"))
        // Samples at 1000.5 ... 1005.5 (a second past the last end still shows the run's tail).
        #expect(summary.samples == 6)
        #expect(summary.interval == 1)
        let cpu = try #require(summary.series["service_cpu_percent"])
        #expect(cpu.unit == "percent" && cpu.peak == 50 && cpu.min == 5 && cpu.samples == 6)
        #expect(abs(cpu.mean - (4 * 50 + 2 * 5) / 6) < 1e-9)
        // x is seconds since the run's first second (1000), as in `timeseries`.
        #expect(cpu.points.first == [-0.5, 5] && cpu.points.contains([1.5, 50]))
        let rollbacks = try #require(summary.series["postgres_rollbacks_total"])
        #expect(rollbacks.unit == "count" && rollbacks.increase == 5, "from 0 before the run to 5")
        #expect(summary.series["service_rss_bytes"]?.unit == "bytes")
        #expect(summary.series["gpu0_utilization_percent"] == nil, "nothing sampled, nothing reported")
        #expect(summary.atLimit.map(\.series) == ["postgres_rollbacks_total"])
        #expect(summary.atLimit[0].message.contains("rolled back 5 transactions"))
        #expect(TelemetrySummary.make(lines: [], window: nil, serviceType: "postgres") == nil)
        // The clients' merged lines fall between the sampler's: they are not samples of it.
        let withClients = (lines + (998...1007).map { Self.line(Double($0) + 0.1, ["clients_cpu_percent": 20]) })
            .sorted { $0.time < $1.time }
        let both = try #require(
            TelemetrySummary.make(lines: withClients, window: (start: 1000.4, end: 1004.6), serviceType: "postgres"))
        #expect(both.samples == 6 && both.interval == 1, "\(both.samples) samples \(both.interval ?? 0) s apart")
        #expect(both.series["clients_cpu_percent"]?.samples == 5)
        // A run shorter than an interval, between two samples: each series over all its samples.
        let short = try #require(TelemetrySummary.make(lines: lines, window: (1000.6, 1000.7), serviceType: "postgres"))
        #expect(short.samples == 1 && short.series["service_cpu_percent"]?.samples == 1)
        let between = try #require(
            TelemetrySummary.make(lines: Array(lines.prefix(2)), window: (1000.6, 1000.7), serviceType: "postgres"))
        #expect(between.series["service_cpu_percent"]?.samples == 2, "no sample in the window: every sample")
    }

    @Test func resourcesAtTheirLimitAreFlagged() throws {
        let lines = (0..<10).map { (index: Int) -> TelemetryLine in
            let cpu: Double = index < 2 ? 10 : 99
            let gpuMemory: Double = index == 5 ? 97 : 50
            let values: [String: Double] = [
                "service_cpu_percent": cpu, "host_cpus": 4, "host_cpu_percent": 97,
                "host_memory_used_bytes": 50, "host_memory_total_bytes": 100,
                "gpu0_memory_used_bytes": gpuMemory, "gpu0_memory_total_bytes": 100,
                "gpu0_utilization_percent": 20, "redis_evicted_keys_total": Double(index * 3),
                "clients_cpu_percent": 30,
            ]
            return Self.line(Double(index), values)
        }
        let redis = try #require(TelemetrySummary.make(lines: lines, window: (0, 9), serviceType: "redis"))
        let flagged = Set(redis.atLimit.map(\.series))
        // Redis is single-threaded: 99 % of one core is its limit, though the host has 4.
        #expect(
            flagged == [
                "service_cpu_percent", "host_cpu_percent", "gpu0_memory_used_bytes", "redis_evicted_keys_total",
            ], "\(redis.atLimit)")
        #expect(redis.atLimit.first { $0.series == "host_cpu_percent" }?.message.contains("the clients ran on it too") == true)
        #expect(redis.atLimit.first { $0.series == "redis_evicted_keys_total" }?.message.contains("evicted 27 keys") == true)
        // Any other server may use every core: 99 % of one of four is not its limit.
        let postgres = try #require(TelemetrySummary.make(lines: lines, window: (0, 9), serviceType: "postgres"))
        #expect(!postgres.atLimit.contains { $0.series == "service_cpu_percent" })
        // A service allowed one core of the four (its job's, its affinity's) is pegged at 99 %.
        let pinned = lines.map { line in
            TelemetryLine(time: line.time, values: line.values.merging(["host_cpus_allowed": 1]) { $1 })
        }
        let allowed = try #require(TelemetrySummary.make(lines: pinned, window: (0, 9), serviceType: "postgres"))
        #expect(allowed.atLimit.contains { $0.series == "service_cpu_percent" })
        // One sample at the limit is not "sat at its limit".
        let brief = (0..<10).map { (index: Int) -> TelemetryLine in
            let values: [String: Double] = ["host_cpu_percent": index == 3 ? 100 : 10]
            return Self.line(Double(index), values)
        }
        #expect(TelemetrySummary.make(lines: brief, window: (0, 9), serviceType: "http")?.atLimit == [])
    }

    @Test func longRunsKeepAtMostTheirPointBudget() throws {
        let lines = (0..<5_000).map { (index: Int) -> TelemetryLine in
            let values: [String: Double] = ["host_load1": Double(index % 2)]
            return Self.line(Double(index), values)
        }
        let summary = try #require(TelemetrySummary.make(lines: lines, window: (0, 4_999), serviceType: "http"))
        let series = try #require(summary.series["host_load1"])
        #expect(series.points.count <= 1_200 && series.points.count >= 1_000)
        #expect(series.samples == 5_000 && series.mean == 0.5)
    }

    @Test func mergeJoinsTheServiceSamplerAndSumsTheClientsPerSecond() throws {
        let directory = try TemporaryDirectory()
        let run = RunDirectory(url: directory.url)
        try directory.write(
            "telemetry/service.jsonl",
            #"{"time":101.5,"service_cpu_percent":40,"host_load1":1.5}"# + "\n"
                + #"{"time":100.5,"service_cpu_percent":30}"# + "\n" + #"{"time":102.5,"service_cpu"# + "\n")
        try directory.write(
            "telemetry/client-0.jsonl",
            #"{"time":100.2,"clients_cpu_percent":10,"clients_rss_bytes":1000}"# + "\n"
                + #"{"time":101.2,"clients_cpu_percent":12,"clients_rss_bytes":1000}"# + "\n")
        try directory.write(
            "telemetry/client-1.jsonl",
            #"{"time":100.4,"clients_cpu_percent":5,"clients_rss_bytes":2000}"# + "\n"
                + #"{"time":100.6,"clients_cpu_percent":7,"clients_rss_bytes":2000}"# + "\n")
        try directory.write("telemetry/client-2.jsonl", #"{"time":103.1,"clients_cpu_percent":0,"clients_rss_bytes":1}"# + "\n")
        try directory.write("telemetry/postgres.txt", "raw scrape\n")
        #expect(try TelemetryFiles.merge(run) == 5)
        let lines = TelemetryFiles.read(run.telemetry)
        #expect(lines.map(\.time) == [100.4, 100.5, 101.2, 101.5, 103.1])
        // 0 and 1 are numbers, not booleans.
        #expect(lines[4].values == ["clients_cpu_percent": 0, "clients_rss_bytes": 1])
        // Both clients in second 100; client 1 sampled twice in it and counts once (its mean).
        #expect(lines[0].values == ["clients_cpu_percent": 16, "clients_rss_bytes": 3000], "\(lines[0])")
        #expect(lines[1].values == ["service_cpu_percent": 30])
        #expect(lines[3].values == ["service_cpu_percent": 40, "host_load1": 1.5])
        // Nothing sampled: no file.
        let empty = try TemporaryDirectory()
        #expect(try TelemetryFiles.merge(RunDirectory(url: empty.url)) == 0)
        #expect(!FileManager.default.fileExists(atPath: RunDirectory(url: empty.url).telemetry.path))
    }

    /// Values are written as JSON numbers a reader takes back: whole numbers as integers,
    /// others with at most three decimals (and never a bare trailing point).
    @Test func sampledNumbersAreValidJSON() {
        #expect(TelemetrySampler.number(37.0000001) == "37")
        #expect(TelemetrySampler.number(36.9999999) == "37")
        #expect(TelemetrySampler.number(12.5) == "12.5")
        #expect(TelemetrySampler.number(0.000012345) == "1.2345e-05")
        #expect(TelemetrySampler.number(-2) == "-2")
        for value in [37.0000001, 36.9999999, 0.5, 1e-9, 123456.789] {
            let text = "{\"time\":1,\"x\":\(TelemetrySampler.number(value))}"
            #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil, "\(text)")
        }
    }

    @Test func theSummaryWithTelemetryFollowsTheSchema() throws {
        var summary = try Aggregator.aggregate(files: [Fixtures.url("requests.jsonl")])
        let start = try #require(summary.firstTimestamp)
        let lines = (0..<5).map { (index: Int) -> TelemetryLine in
            let values: [String: Double] = [
                "service_cpu_percent": 30, "postgres_commits_total": Double(index * 100), "postgres_commits_per_s": 100,
            ]
            return Self.line(start + Double(index), values)
        }
        summary.telemetry = TelemetrySummary.make(
            lines: lines, window: (start, summary.lastTimestamp ?? start), serviceType: summary.serviceType)
        #expect(summary.telemetry != nil)
        let schema = Fixtures.repositoryRoot.appendingPathComponent("Sources/FactoryBenchCore/Metrics/summary.schema.json")
        let data = try AtomicFile.encodeJSON(summary)
        #expect(try JSONSchemaValidator(schema: schema).violations(of: data) == [])
        #expect(try JSONDecoder().decode(RunSummary.self, from: data).telemetry == summary.telemetry)
        #expect(try FastJSONDecoder.decode(RunSummary.self, from: data).telemetry == summary.telemetry)
    }
}
