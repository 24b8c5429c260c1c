import CPoll
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// CPU time this process has used, user plus system, in seconds (getrusage), for the cost
/// of the load clients.
public enum ProcessCPU {
    public static func seconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
            getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
            getrusage(RUSAGE_SELF, &usage)
        #endif
        func value(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return value(usage.ru_utime) + value(usage.ru_stime)
    }
}

/// What one client process on a compute node spent (`factorybench node client`): written
/// next to its records as `<client file>.generator.json`, so a run on Slurm states its
/// generator's CPU as a local run does.
public struct ClientProcessUsage: Codable, Equatable, Sendable {
    public var clientID: Int
    public var host: String
    public var cpuSeconds: Double
    public var runSeconds: Double
    /// The cores this process may run on (its CPU affinity: Slurm's allocation).
    public var cores: Int
    /// Behind a start barrier: Unix seconds at which the client was ready, and the start
    /// every client was given.
    public var readyAt: Double?
    public var startAt: Double?

    public init(clientID: Int, host: String, cpuSeconds: Double, runSeconds: Double, cores: Int) {
        self.clientID = clientID
        self.host = host
        self.cpuSeconds = cpuSeconds
        self.runSeconds = runSeconds
        self.cores = cores
    }

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id"
        case host
        case cpuSeconds = "cpu_seconds"
        case runSeconds = "run_seconds"
        case cores
        case readyAt = "ready_at"
        case startAt = "start_at"
    }

    /// The file beside a client's records.
    public static func url(forRecords records: URL) -> URL {
        records.deletingPathExtension().appendingPathExtension("generator.json")
    }

    /// Every client's usage in a run's clients directory.
    public static func read(in directory: URL) -> [ClientProcessUsage] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".generator.json") }.sorted().compactMap { name in
            (try? Data(contentsOf: directory.appendingPathComponent(name)))
                .flatMap { try? JSONDecoder().decode(ClientProcessUsage.self, from: $0) }
        }
    }

    /// The clients together: their CPU, the longest run, and the cores of each host once
    /// (several clients on one node share its cores).
    public static func total(_ usages: [ClientProcessUsage]) -> (cpuSeconds: Double, runSeconds: Double, cores: Int)? {
        // A recipe's own client command measures nothing (its barrier wrote when it started).
        let usages = usages.filter { $0.cores > 0 }
        guard !usages.isEmpty else { return nil }
        var coresByHost: [String: Int] = [:]
        for usage in usages { coresByHost[usage.host] = max(coresByHost[usage.host] ?? 0, usage.cores) }
        return (
            usages.reduce(0) { $0 + $1.cpuSeconds }, usages.map(\.runSeconds).max() ?? 0,
            coresByHost.values.reduce(0, +)
        )
    }
}

extension ProcessCPU {
    /// The cores this process may run on: its CPU affinity (a Slurm allocation, `taskset`),
    /// else the machine's.
    public static func allowedCores() -> Int {
        let allowed = Int(factorybench_allowed_cpus())
        return allowed > 0 ? allowed : ProcessInfo.processInfo.activeProcessorCount
    }
}
