import Foundation

/// One line of `telemetry.jsonl`: Unix seconds and the values of the series sampled then.
public struct TelemetryLine: Sendable, Equatable {
    public var time: Double
    public var values: [String: Double]

    public init(time: Double, values: [String: Double]) {
        self.time = time
        self.values = values
    }
}

/// The samplers' files of a run and the one `telemetry.jsonl` made from them.
///
/// `telemetry/service.jsonl` is the sampler beside the service (its process tree, the host,
/// the server's own statistics, the GPUs; on this machine also the clients, which run in
/// FactoryBench's own process); `telemetry/client-N.jsonl` is a client on a compute node
/// sampling its own process. `telemetry/<source>.txt` keeps each source's raw text.
public enum TelemetryFiles {
    /// Reads a telemetry JSONL file; lines that are not a JSON object with a numeric `time`
    /// (a line cut short when the sampler was killed) are left out.
    public static func read(_ url: URL) -> [TelemetryLine] {
        guard let data = try? Data(contentsOf: url) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { parse(Data($0)) }
    }

    /// One line, or nil when it is not a JSON object with a numeric `time`.
    public static func parse<Bytes: DataProtocol>(_ line: Bytes) -> TelemetryLine? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
            let time = (object["time"] as? NSNumber)?.doubleValue
        else { return nil }
        var values: [String: Double] = [:]
        for (key, value) in object where key != "time" {
            // (0 and 1 also cast to Bool here: the number's type code tells a JSON
            // boolean, "c", from a number.)
            if let number = value as? NSNumber, String(cString: number.objCType) != "c" {
                values[key] = number.doubleValue
            }
        }
        return TelemetryLine(time: time, values: values)
    }

    /// Writes `telemetry.jsonl` from the samplers' files in `directory.telemetryFiles`: the
    /// service sampler's lines as they are, the clients' averaged per client and second (a
    /// client sampling more often than every second counts once) and summed over the clients
    /// (their `clients_cpu_percent` is then every client's together); sorted by time. Returns the
    /// lines written; writes nothing when no sampler wrote anything.
    @discardableResult
    public static func merge(_ directory: RunDirectory) throws -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.telemetryFiles.path)) ?? []
        var lines: [TelemetryLine] = []
        // Per second, per client file: its lines.
        var clients: [Int: [String: [TelemetryLine]]] = [:]
        for name in names.sorted() where name.hasSuffix(".jsonl") {
            let read = read(directory.telemetryFiles.appendingPathComponent(name))
            guard name.hasPrefix("client-") else {
                lines += read
                continue
            }
            for line in read { clients[Int(line.time.rounded(.down)), default: [:]][name, default: []].append(line) }
        }
        for (_, byClient) in clients {
            var times: [Double] = []
            var values: [String: Double] = [:]
            for (_, own) in byClient {
                times += own.map(\.time)
                let counted = own.flatMap(\.values).reduce(into: [String: (sum: Double, count: Double)]()) { sums, value in
                    sums[value.key, default: (0, 0)].sum += value.value
                    sums[value.key]?.count += 1
                }
                values.merge(counted.mapValues { $0.sum / $0.count }, uniquingKeysWith: +)
            }
            lines.append(TelemetryLine(time: times.reduce(0, +) / Double(times.count), values: values))
        }
        guard !lines.isEmpty else { return 0 }
        lines.sort { $0.time < $1.time }
        let text = lines.map { line in
            var text = "{\"time\":\(TelemetrySampler.number(line.time))"
            for name in line.values.keys.sorted() {
                guard let value = line.values[name], value.isFinite else { continue }
                text += ",\"\(name)\":\(TelemetrySampler.number(value))"
            }
            return text + "}\n"
        }.joined()
        try AtomicFile.write(Data(text.utf8), to: directory.telemetry)
        return lines.count
    }
}

extension RunDirectory {
    /// `telemetry.jsonl`: every sampler's lines, merged at collection.
    public var telemetry: URL { url.appendingPathComponent("telemetry.jsonl") }
    /// `telemetry/`: what each sampler wrote, and the raw text of each source.
    public var telemetryFiles: URL { url.appendingPathComponent("telemetry") }
}
