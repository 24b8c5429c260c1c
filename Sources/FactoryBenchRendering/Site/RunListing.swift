import FactoryBenchCore
import Foundation

/// A run as the pages that list runs (index, service, trend and sweep pages) show it: a few
/// fields of its manifest and summary. Every run's listing is kept in one file of the site
/// (`RunListing.Cache`), so a rebuild reads that file instead of each run's manifest and
/// summary — decoding a thousand of them was most of adding one run to a large site.
struct RunListing: Sendable, Equatable {
    /// The run's directory name under `results/`, which names its page too.
    var id: String
    var benchmarkID: String
    var startedAt: String
    var recipeName: String
    var serviceType: String
    var numClients: Int
    var status: RunStatus
    var sweepID: String?
    var sweepPoint: [String: SettingValue]?
    /// Nil when the run has no summary (it failed before aggregation).
    var metrics: Metrics?

    /// The summary's numbers the list pages show and plot.
    struct Metrics: Sendable, Equatable {
        var totalRequests: Int
        var requestsPerSecond: Double
        var successRate: Double
        /// Latency percentiles of successful requests; nil when none succeeded.
        var latencyP50Seconds, latencyP95Seconds, latencyP99Seconds: Double?
        /// The run measured LLM fields (time to first token and others).
        var hasLLMMetrics: Bool
        var ttftP95Seconds: Double?
    }

    /// `site/.runs.tsv`: every run's listing with the stamps of the files it was read from
    /// (size and modification time of `run.json` and `summary.json`) — a run whose stamps
    /// differ is read again — and what its page was rendered from. One line per run in
    /// PostgreSQL's COPY text format (tabs between fields, `\N` for none, backslash
    /// escapes), after a header line naming the format and FactoryBench's version: a file
    /// of another version is ignored. Not JSON: decoding and encoding a thousand listings
    /// with Foundation took 40–60 ms of a 200 ms rebuild.
    enum Cache {
        struct Entry: Sendable {
            var files: String
            /// What the run's page was last rendered from (see `SiteBuilder`), if known.
            var page: String?
            var listing: RunListing
        }

        static let header = "factorybench-runs 1\t" + escape(ToolInfo.version) + "\t" + escape(ToolInfo.commit ?? "")

        /// The cached listings by run id; none when the file is missing or of another
        /// format or version. A line that cannot be read is left out (its run is read again).
        static func read(from path: String) -> [String: Entry] {
            guard let data = FileManager.default.contents(atPath: path) else { return [:] }
            // Bytes through a buffer pointer: Data's own slicing was slower than the rest of
            // the read together.
            return [UInt8](data).withUnsafeBufferPointer { bytes in
                let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
                guard let first = lines.first, String(decoding: first, as: UTF8.self) == header else { return [:] }
                var entries: [String: Entry] = [:]
                entries.reserveCapacity(lines.count)
                for line in lines.dropFirst() {
                    guard let entry = entry(line) else { continue }
                    entries[entry.listing.id] = entry
                }
                return entries
            }
        }

        /// Writes the entries, ordered by run id.
        static func write(_ entries: [Entry], to path: String) throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var bytes = Array((header + "\n").utf8)
            bytes.reserveCapacity(entries.count * 1024)
            for entry in entries.sorted(by: { $0.listing.id < $1.listing.id }) {
                let listing = entry.listing
                let metrics = listing.metrics
                let fields: [String?] = [
                    listing.id, entry.files, entry.page, listing.benchmarkID, listing.startedAt, listing.recipeName,
                    listing.serviceType, String(listing.numClients), listing.status.rawValue, listing.sweepID,
                    try listing.sweepPoint.map { String(decoding: try encoder.encode($0), as: UTF8.self) },
                    metrics.map { String($0.totalRequests) }, metrics.map { $0.requestsPerSecond.description },
                    metrics.map { $0.successRate.description }, metrics?.latencyP50Seconds?.description,
                    metrics?.latencyP95Seconds?.description, metrics?.latencyP99Seconds?.description,
                    metrics.map { $0.hasLLMMetrics ? "t" : "f" }, metrics?.ttftP95Seconds?.description,
                ]
                for (index, field) in fields.enumerated() {
                    if index > 0 { bytes.append(0x09) }
                    appendEscaped(field, to: &bytes)
                }
                bytes.append(0x0A)
            }
            try AtomicFile.write(Data(bytes), to: URL(fileURLWithPath: path))
        }

        /// A listing from one line, or nil when the line is not one.
        static func entry(_ line: Slice<UnsafeBufferPointer<UInt8>>) -> Entry? {
            struct Unreadable: Error {}
            let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false).map(unescape)
            guard fields.count == 19 else { return nil }
            func text(_ index: Int) throws -> String {
                guard let field = fields[index] else { throw Unreadable() }
                return field
            }
            /// A number, nil for `\N`; anything else makes the line unreadable.
            func number<Value: LosslessStringConvertible>(_ index: Int) throws -> Value? {
                guard let field = fields[index] else { return nil }
                guard let value = Value(field) else { throw Unreadable() }
                return value
            }
            return try? {
                guard let numClients: Int = try number(7), let status = RunStatus(rawValue: try text(8)) else {
                    throw Unreadable()
                }
                let sweepPoint = try fields[10].map { try JSONDecoder().decode([String: SettingValue].self, from: Data($0.utf8)) }
                var metrics: Metrics?
                if let totalRequests: Int = try number(11) {
                    guard let rate: Double = try number(12), let success: Double = try number(13),
                        let llm = fields[17], llm == "t" || llm == "f"
                    else { throw Unreadable() }
                    metrics = Metrics(
                        totalRequests: totalRequests, requestsPerSecond: rate, successRate: success,
                        latencyP50Seconds: try number(14), latencyP95Seconds: try number(15),
                        latencyP99Seconds: try number(16), hasLLMMetrics: llm == "t", ttftP95Seconds: try number(18))
                }
                let listing = RunListing(
                    id: try text(0), benchmarkID: try text(3), startedAt: try text(4), recipeName: try text(5),
                    serviceType: try text(6), numClients: numClients, status: status, sweepID: fields[9],
                    sweepPoint: sweepPoint, metrics: metrics)
                return Entry(files: try text(1), page: fields[2], listing: listing)
            }()
        }

        /// COPY text escaping: backslash, tab, newline and carriage return.
        static func escape(_ field: String) -> String {
            var bytes: [UInt8] = []
            appendEscaped(field, to: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }

        /// `field` escaped, or `\N` for none, at the end of `bytes`.
        static func appendEscaped(_ field: String?, to bytes: inout [UInt8]) {
            guard var field else {
                bytes.append(0x5C)
                bytes.append(UInt8(ascii: "N"))
                return
            }
            // Runs of plain bytes are copied whole; most fields have no byte to escape.
            field.withUTF8 { source in
                var start = 0
                for index in source.indices {
                    let escaped: UInt8
                    switch source[index] {
                    case 0x5C: escaped = 0x5C
                    case 0x09: escaped = UInt8(ascii: "t")
                    case 0x0A: escaped = UInt8(ascii: "n")
                    case 0x0D: escaped = UInt8(ascii: "r")
                    default: continue
                    }
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[start..<index]))
                    bytes.append(0x5C)
                    bytes.append(escaped)
                    start = index + 1
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[start...]))
            }
        }

        /// A field's text, or nil for `\N`.
        static func unescape(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String? {
            guard bytes.contains(0x5C) else { return String(decoding: bytes, as: UTF8.self) }
            if bytes.elementsEqual([0x5C, UInt8(ascii: "N")]) { return nil }
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count)
            var escaping = false
            for byte in bytes {
                if escaping {
                    switch byte {
                    case UInt8(ascii: "t"): output.append(0x09)
                    case UInt8(ascii: "n"): output.append(0x0A)
                    case UInt8(ascii: "r"): output.append(0x0D)
                    default: output.append(byte)
                    }
                    escaping = false
                } else if byte == 0x5C {
                    escaping = true
                } else {
                    output.append(byte)
                }
            }
            return String(decoding: output, as: UTF8.self)
        }
    }
}

extension RunListing {
    /// The listing of a run read in full.
    init(id: String, manifest: RunManifest, summary: RunSummary?) {
        self.id = id
        benchmarkID = manifest.benchmarkID
        startedAt = manifest.startedAt
        recipeName = manifest.recipeName
        serviceType = manifest.serviceType
        numClients = manifest.numClients
        status = manifest.status
        sweepID = manifest.sweepID
        sweepPoint = manifest.sweepPoint
        metrics = summary.map { summary in
            Metrics(
                totalRequests: summary.totalRequests, requestsPerSecond: summary.requestsPerSecond,
                successRate: summary.successRate, latencyP50Seconds: summary.latency?.p50,
                latencyP95Seconds: summary.latency?.p95, latencyP99Seconds: summary.latency?.p99,
                hasLLMMetrics: summary.llm != nil, ttftP95Seconds: summary.llm?.ttft?.p95)
        }
    }
}
