import Foundation

/// What one telemetry source said at one sample: values by series name, and the raw text
/// it read (kept in `telemetry/<source>.txt`).
public struct TelemetryReading: Sendable, Equatable {
    /// Series ending in `_total` are counters: the sampler adds their rate (`…_per_s`).
    public var values: [String: Double]
    public var raw: String?

    public init(values: [String: Double], raw: String? = nil) {
        self.values = values
        self.raw = raw
    }
}

/// Something beside the process trees and the host that the sampler reads every interval:
/// a server's own statistics (PostgreSQL, Redis, a Prometheus endpoint) or the GPUs. A
/// source that cannot be read answers nil: its series are absent from that sample.
public protocol TelemetrySource: Sendable {
    /// The series' prefix and the name of the raw file.
    var name: String { get }
    func read() async -> TelemetryReading?
    /// Closes what `read` opened (a connection); called once, at the end.
    func close() async
}

extension TelemetrySource {
    public func close() async {}
}

/// The GPUs of this machine, from `nvidia-smi` in query mode: per GPU its utilisation,
/// memory used and total, and power draw.
public struct GPUSource: TelemetrySource {
    public var executable: String

    public init(executable: String) {
        self.executable = executable
    }

    /// The source when `nvidia-smi` is on PATH, else nil (no GPU series at all).
    public static func onPath() -> GPUSource? {
        ChildProcess.resolve("nvidia-smi").map(GPUSource.init)
    }

    public var name: String { "gpu" }

    public func read() async -> TelemetryReading? {
        guard let result = try? await ChildProcess.capture([executable] + NvidiaSMI.arguments), result.status == 0 else {
            return nil
        }
        let gpus = NvidiaSMI.parse(result.output)
        guard !gpus.isEmpty else { return nil }
        return TelemetryReading(values: Self.values(gpus))
    }

    /// `gpu<i>_utilization_percent`, `gpu<i>_memory_used_bytes`, `gpu<i>_memory_total_bytes`,
    /// `gpu<i>_power_watts`; a field nvidia-smi does not report is absent.
    static func values(_ gpus: [NvidiaSMI.GPU]) -> [String: Double] {
        var values: [String: Double] = [:]
        let mebibyte = 1_048_576.0
        for gpu in gpus {
            let prefix = "gpu\(gpu.index)_"
            values[prefix + "utilization_percent"] = gpu.utilization
            values[prefix + "memory_used_bytes"] = gpu.memoryUsed.map { $0 * mebibyte }
            values[prefix + "memory_total_bytes"] = gpu.memoryTotal.map { $0 * mebibyte }
            values[prefix + "power_watts"] = gpu.power
        }
        return values
    }
}
