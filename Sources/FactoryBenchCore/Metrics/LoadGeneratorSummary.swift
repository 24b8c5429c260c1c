/// Whether the load generator kept up: a benchmark whose generator was the bottleneck
/// measured the generator, not the service. From the records: how late open-loop requests
/// started against their schedule, and the requests dropped because every slot was busy.
/// From the run (`RunFinisher`, when FactoryBench ran the clients here): the CPU the
/// clients used, as a share of the cores they had, and how fast records were written.
public struct LoadGeneratorSummary: Sendable, Codable, Equatable {
    /// Open loop: actual start − intended start of every sent measured request.
    public var scheduleLateness: LatencyStatistics?
    public var droppedRequests: Int
    /// User + system CPU seconds of the client processes while they ran.
    public var cpuSeconds: Double?
    /// Cores the clients could run on.
    public var cores: Int?
    /// Wall seconds the clients ran.
    public var runSeconds: Double?
    /// `cpu_seconds / (run_seconds × cores)`: 1 means every core was busy all the time.
    public var cpuShare: Double?
    /// Client CPU per record written, in microseconds.
    public var cpuMicrosecondsPerRequest: Double?
    /// Records (every request, warm-up and cool-down included) per second of `run_seconds`.
    public var recordsPerSecond: Double?
    /// One sentence when the generator may have been the bottleneck, with what to do.
    public var warning: String?
    /// With two or more clients: the latest client's first request start minus the
    /// earliest's (warm-up included), how far apart the clients began to send.
    public var startSkew: Double?
    /// One sentence when the start skew exceeds 1 % of the run's duration.
    public var startSkewWarning: String?

    /// Share of the run's duration above which the start skew is worth a warning.
    public static let startSkewShare = 0.01

    /// CPU share at or above which the generator may have been short of CPU.
    public static let cpuShareLimit = 0.9
    /// Schedule lateness p99 above which the open loop did not keep its schedule.
    public static let latenessLimitSeconds = 0.001

    public init(scheduleLateness: LatencyStatistics?, droppedRequests: Int) {
        self.scheduleLateness = scheduleLateness
        self.droppedRequests = droppedRequests
        warning = Self.warning(cpuShare: nil, cores: nil, lateness: scheduleLateness, dropped: droppedRequests)
    }

    /// Adds what the run measured of the clients: CPU, cores, wall time and records written.
    public mutating func addRun(cpuSeconds: Double, cores: Int, runSeconds: Double, records: Int) {
        self.cpuSeconds = cpuSeconds
        self.cores = cores
        self.runSeconds = runSeconds
        cpuShare = runSeconds > 0 && cores > 0 ? cpuSeconds / (runSeconds * Double(cores)) : nil
        cpuMicrosecondsPerRequest = records > 0 ? cpuSeconds / Double(records) * 1e6 : nil
        recordsPerSecond = runSeconds > 0 ? Double(records) / runSeconds : nil
        warning = Self.warning(cpuShare: cpuShare, cores: cores, lateness: scheduleLateness, dropped: droppedRequests)
    }

    /// Sets the clients' start skew (`firstStarts`: each client's first request start, Unix
    /// seconds) for a run of `duration` seconds, and its warning when it exceeds 1 % of the
    /// run beyond `intendedSpread` (the `client_delay` stagger the recipe asked for).
    public mutating func setStartSkew(firstStarts: [Double], duration: Double, intendedSpread: Double = 0) {
        guard firstStarts.count >= 2, let first = firstStarts.min(), let last = firstStarts.max() else { return }
        let skew = last - first
        startSkew = skew
        startSkewWarning = nil
        guard duration > 0, skew - intendedSpread > duration * Self.startSkewShare else { return }
        startSkewWarning =
            "The \(firstStarts.count) clients began to send up to \(Self.milliseconds(skew)) ms apart"
            + (intendedSpread > 0 ? " (\(Self.milliseconds(intendedSpread)) ms of it the recipe's client_delay)" : "")
            + ", \(Int(((skew - intendedSpread) / duration * 100).rounded())) % of the run's "
            + "\(String(format: "%.1f", duration)) s: for that long fewer clients sent load than the recipe asks. "
            + "Each client's node, readiness and first request are in run.json (clients)."
    }

    /// The rules: client CPU ≥ 90 % of its cores, schedule lateness p99 above 1 ms, or any
    /// dropped request.
    static func warning(cpuShare: Double?, cores: Int?, lateness: LatencyStatistics?, dropped: Int) -> String? {
        var reasons: [String] = []
        if let cpuShare, let cores, cpuShare >= cpuShareLimit {
            reasons.append("its clients used \(Int((cpuShare * 100).rounded())) % of their \(cores) cores")
        }
        if let lateness, lateness.p99 > latenessLimitSeconds {
            reasons.append(
                "open-loop requests started up to \(Self.milliseconds(lateness.p99)) ms late at p99 "
                    + "(max \(Self.milliseconds(lateness.max)) ms)")
        }
        if dropped > 0 {
            reasons.append("\(dropped) request\(dropped == 1 ? " was" : "s were") dropped because every in-flight slot was busy")
        }
        guard !reasons.isEmpty else { return nil }
        return "The load generator may have been the bottleneck: " + reasons.joined(separator: "; ")
            + ". Use more client processes or nodes (benchmarks.num_clients, client.nodes), more in-flight slots "
            + "(load.concurrency) or a lower rate (load.rate)."
    }

    private static func milliseconds(_ seconds: Double) -> String {
        let value = seconds * 1000
        return value >= 10 ? String(Int(value.rounded())) : String((value * 100).rounded() / 100)
    }

    enum CodingKeys: String, CodingKey {
        case scheduleLateness = "schedule_lateness_s"
        case droppedRequests = "dropped_requests"
        case cpuSeconds = "cpu_seconds"
        case cores
        case runSeconds = "run_seconds"
        case cpuShare = "cpu_share"
        case cpuMicrosecondsPerRequest = "cpu_us_per_request"
        case recordsPerSecond = "records_per_second"
        case warning
        case startSkew = "start_skew_s"
        case startSkewWarning = "start_skew_warning"
    }
}
