import Foundation

/// `summary.json`'s `telemetry`: per series sampled during the run (the service's process
/// tree, the clients, the host, the GPUs, the server's own statistics) its mean, least and
/// peak value over the samples taken while requests ran (over all its samples when none
/// was), and its points on the run's time
/// axis; and which resources sat at their limit. A series the run could not sample is not
/// here (absent, never zero).
public struct TelemetrySummary: Sendable, Codable, Equatable {
    /// Samples taken while requests ran (all samples when none was).
    public var samples: Int
    /// Median seconds between two samples.
    public var interval: Double?
    public var series: [String: TelemetrySeries]
    /// Resources that sat at their limit, one sentence each.
    public var atLimit: [TelemetryFinding]

    enum CodingKeys: String, CodingKey {
        case samples, interval, series
        case atLimit = "at_limit"
    }
}

/// One series: what its name's suffix says it measures (`unit`), its statistics over the
/// run, and its points (seconds since the run's first second, as `timeseries`, and value).
public struct TelemetrySeries: Sendable, Codable, Equatable {
    /// `percent`, `bytes`, `per_second`, `watts`, `seconds`, `count` (a counter) or `value`.
    public var unit: String
    public var mean: Double
    public var min: Double
    public var peak: Double
    public var samples: Int
    /// Counters (`…_total`): how much they grew during the run.
    public var increase: Double?
    public var points: [[Double]]
}

/// A resource at its limit: the series that shows it and a sentence saying so.
public struct TelemetryFinding: Sendable, Codable, Equatable {
    public var series: String
    public var message: String
}

extension TelemetrySummary {
    /// Points kept per series: longer runs are averaged into this many buckets.
    static let maximumPoints = 1_200

    /// The summary of a run's telemetry lines; `window` is the run's first request start and
    /// last end (Unix seconds), `serviceType` tells a single-threaded server (Redis).
    public static func make(
        lines: [TelemetryLine], window: (start: Double, end: Double)?, serviceType: String
    ) -> TelemetrySummary? {
        guard !lines.isEmpty else { return nil }
        let during = window.map { window in lines.filter { $0.time >= window.start && $0.time <= window.end + 1 } } ?? []
        let counted = during.isEmpty ? lines : during
        // Points from one interval before the first request to one after the last: what led
        // into the run and out of it, on the run's time axis.
        // The count and spacing of samples are the service sampler's: the clients' lines (on
        // a cluster, merged per second) fall between them.
        let clientsOnly = { (line: TelemetryLine) in
            !line.values.isEmpty && line.values.keys.allSatisfy { $0.hasPrefix("clients_") }
        }
        let sampler = lines.filter { !clientsOnly($0) }
        let spacing = Self.medianSpacing(sampler.isEmpty ? lines : sampler)
        let origin = (window?.start ?? lines[0].time).rounded(.down)
        let plotted =
            window.map { window in
                lines.filter { $0.time >= window.start - (spacing ?? 1) && $0.time <= window.end + (spacing ?? 1) }
            } ?? lines
        var series: [String: TelemetrySeries] = [:]
        let names = Set(lines.flatMap(\.values.keys))
        for name in names {
            // A series with no sample while requests ran (a run shorter than an interval, a
            // sampler stopped early) is summarised over every sample it has.
            var values = counted.compactMap { $0.values[name] }
            if values.isEmpty { values = lines.compactMap { $0.values[name] } }
            guard !values.isEmpty else { continue }
            var increase: Double?
            if name.hasSuffix("_total"), let first = values.first, let last = values.last {
                // The counter's value before the run's first sample counts from there.
                let before = lines.last { $0.time < (counted.first?.time ?? 0) && $0.values[name] != nil }?.values[name]
                increase = Swift.max(last - (before ?? first), 0)
            }
            let points = plotted.compactMap { line in line.values[name].map { [line.time - origin, $0] } }
            series[name] = TelemetrySeries(
                unit: unit(of: name), mean: values.reduce(0, +) / Double(values.count), min: values.min() ?? 0,
                peak: values.max() ?? 0, samples: values.count, increase: increase, points: thin(points))
        }
        let samples = counted.filter { !clientsOnly($0) }.count
        var summary = TelemetrySummary(
            samples: samples > 0 ? samples : counted.count, interval: spacing, series: series, atLimit: [])
        summary.atLimit = findings(series: series, lines: counted, serviceType: serviceType)
        return summary
    }

    static func unit(of name: String) -> String {
        if name.hasSuffix("_percent") { return "percent" }
        if name.hasSuffix("_bytes") { return "bytes" }
        if name.hasSuffix("_per_s") { return "per_second" }
        if name.hasSuffix("_watts") { return "watts" }
        if name.hasSuffix("_seconds") || name.hasSuffix("_s") { return "seconds" }
        if name.hasSuffix("_total") { return "count" }
        return "value"
    }

    static func medianSpacing(_ lines: [TelemetryLine]) -> Double? {
        guard lines.count > 1 else { return nil }
        let gaps = zip(lines.dropFirst(), lines).map { $0.time - $1.time }.filter { $0 > 0 }.sorted()
        return gaps.isEmpty ? nil : gaps[gaps.count / 2]
    }

    /// At most `maximumPoints` points: consecutive points averaged in equal groups.
    static func thin(_ points: [[Double]]) -> [[Double]] {
        guard points.count > maximumPoints else { return points }
        let group = (points.count + maximumPoints - 1) / maximumPoints
        return stride(from: 0, to: points.count, by: group).map { start in
            let slice = points[start..<Swift.min(start + group, points.count)]
            return [
                slice.map { $0[0] }.reduce(0, +) / Double(slice.count), slice.map { $0[1] }.reduce(0, +) / Double(slice.count),
            ]
        }
    }

    /// Whether a share of the samples (at least a fifth, and two) satisfies `test`.
    static func sustained(_ lines: [TelemetryLine], _ test: (TelemetryLine) -> Bool?) -> (count: Int, of: Int)? {
        let answers = lines.compactMap(test)
        let hits = answers.filter { $0 }.count
        return hits >= 2 && hits * 5 >= answers.count ? (hits, answers.count) : nil
    }

    /// The resources that sat at their limit during the run.
    static func findings(series: [String: TelemetrySeries], lines: [TelemetryLine], serviceType: String)
        -> [TelemetryFinding]
    {
        var findings: [TelemetryFinding] = []
        func share(_ hit: (count: Int, of: Int)) -> String { "\(hit.count) of \(hit.of) samples" }
        // Redis runs its commands on one thread: one busy core is its limit.
        let singleThreaded = serviceType == "redis"
        if let hit = sustained(
            lines,
            { line in
                guard let cpu = line.values["service_cpu_percent"] else { return nil }
                let cores = singleThreaded ? 1 : line.values["host_cpus_allowed"] ?? line.values["host_cpus"] ?? 1
                return cpu >= 95 * cores
            })
        {
            let what = singleThreaded ? "one core (Redis executes commands on one thread)" : "every core it may use"
            findings.append(
                TelemetryFinding(
                    series: "service_cpu_percent", message: "The service's CPU was pegged at \(what) in \(share(hit))."))
        }
        if let hit = sustained(lines, { line in line.values["host_cpu_percent"].map { $0 >= 95 } }) {
            findings.append(
                TelemetryFinding(
                    series: "host_cpu_percent",
                    message: "The service's host had no CPU to spare (≥ 95 % busy) in \(share(hit))"
                        + (series["clients_cpu_percent"] != nil
                            ? "; the clients ran on it too, so their load and the service competed." : ".")))
        }
        if let hit = sustained(
            lines,
            { line in
                guard let used = line.values["host_memory_used_bytes"], let total = line.values["host_memory_total_bytes"],
                    total > 0
                else { return nil }
                return used >= 0.95 * total
            })
        {
            findings.append(
                TelemetryFinding(series: "host_memory_used_bytes", message: "The host's memory was ≥ 95 % used in \(share(hit)).")
            )
        }
        let gpus = Set(series.keys.filter { $0.hasPrefix("gpu") }.compactMap { $0.split(separator: "_").first.map(String.init) })
        for gpu in gpus.sorted() {
            let memoryPeak = lines.compactMap { line -> Double? in
                guard let used = line.values["\(gpu)_memory_used_bytes"], let total = line.values["\(gpu)_memory_total_bytes"],
                    total > 0
                else { return nil }
                return used / total
            }.max()
            if let memoryPeak, memoryPeak >= 0.95 {
                findings.append(
                    TelemetryFinding(
                        series: "\(gpu)_memory_used_bytes",
                        message: "GPU \(gpu.dropFirst(3))'s memory reached \(Int((memoryPeak * 100).rounded())) % of its size."))
            }
            if let hit = sustained(lines, { line in line.values["\(gpu)_utilization_percent"].map { $0 >= 95 } }) {
                findings.append(
                    TelemetryFinding(
                        series: "\(gpu)_utilization_percent", message: "GPU \(gpu.dropFirst(3)) was ≥ 95 % busy in \(share(hit))."
                    ))
            }
        }
        if let evicted = series["redis_evicted_keys_total"]?.increase, evicted > 0 {
            findings.append(
                TelemetryFinding(
                    series: "redis_evicted_keys_total",
                    message: "Redis evicted \(Int(evicted)) keys: it ran out of its maxmemory and dropped data to make room."))
        }
        if let rollbacks = series["postgres_rollbacks_total"]?.increase, rollbacks > 0 {
            findings.append(
                TelemetryFinding(
                    series: "postgres_rollbacks_total",
                    message: "PostgreSQL rolled back \(Int(rollbacks)) transactions during the run."))
        }
        if let kv = series["vllm_kv_cache_usage_percent"], kv.peak >= 95 {
            findings.append(
                TelemetryFinding(
                    series: "vllm_kv_cache_usage_percent",
                    message: "vLLM's KV cache reached \(Int(kv.peak.rounded())) %: new requests waited for room."))
        }
        if let waiting = series["vllm_requests_waiting"], waiting.mean >= 1 {
            findings.append(
                TelemetryFinding(
                    series: "vllm_requests_waiting",
                    message: String(
                        format: "vLLM queued requests: %.1f waiting on average (peak %.0f).", waiting.mean, waiting.peak)))
        }
        return findings
    }
}

extension RunSummary {
    /// Adds the run's telemetry (`telemetry.jsonl` in `directory`), when it sampled any.
    public mutating func addTelemetry(from directory: RunDirectory) {
        let lines = TelemetryFiles.read(directory.telemetry)
        let window = firstTimestamp.flatMap { start in lastTimestamp.map { (start: start, end: $0) } }
        telemetry = TelemetrySummary.make(lines: lines, window: window, serviceType: serviceType)
    }
}
