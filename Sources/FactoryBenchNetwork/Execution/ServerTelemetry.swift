import AsyncHTTPClient
import FactoryBenchCore
import Foundation
import Logging
import NIOPosix
import PostgresNIO
import Synchronization

/// The telemetry sources of a recipe's service: the server's own statistics (PostgreSQL,
/// Redis, a Prometheus endpoint; vLLM's `/metrics` by default) and the GPUs, as the
/// recipe's `telemetry:` asks. The same on this machine and beside a service on Slurm.
public enum ServerTelemetry {
    public static func sources(for recipe: Recipe, endpoint: ServiceEndpoint) -> [any TelemetrySource] {
        let settings = recipe.telemetry
        var sources: [any TelemetrySource] = []
        let host = endpoint.host ?? "127.0.0.1"
        if settings["server"]?.boolValue ?? true, let port = endpoint.port {
            switch recipe.service.type {
            case .postgres:
                sources.append(
                    PostgresTelemetry(
                        host: host, port: port, database: recipe.service.settings["db_name"]?.stringValue ?? "benchmark"))
            case .redis:
                sources.append(RedisTelemetry(host: host, port: port))
            default:
                break
            }
        }
        if let url = prometheusURL(for: recipe, endpoint: endpoint) {
            sources.append(PrometheusScrape(url: url, vllm: recipe.service.type == .vllm))
        }
        if settings["gpu"]?.boolValue ?? true, let gpus = GPUSource.onPath() {
            sources.append(gpus)
        }
        return sources
    }

    /// `telemetry.prometheus` (a path on the service's port, or a URL), else `/metrics` for
    /// vLLM when the server statistics are on.
    static func prometheusURL(for recipe: Recipe, endpoint: ServiceEndpoint) -> String? {
        let written = recipe.telemetry["prometheus"]?.stringValue
        guard
            let path = written
                ?? (recipe.service.type == .vllm && recipe.telemetry["server"]?.boolValue != false ? "/metrics" : nil)
        else { return nil }
        if path.hasPrefix("http://") || path.hasPrefix("https://") { return path }
        guard let port = endpoint.port else { return nil }
        return "http://\(endpoint.host ?? "127.0.0.1"):\(port)" + (path.hasPrefix("/") ? path : "/" + path)
    }
}

/// PostgreSQL's own statistics of the run's database: `pg_stat_database` (commits,
/// rollbacks, blocks hit and read, rows, deadlocks) and `pg_stat_activity` (connections by
/// state, and those waiting on a lock), on one connection of its own (left out of the
/// counts).
final class PostgresTelemetry: TelemetrySource {
    let host: String
    let port: Int
    let database: String
    private let connection = Mutex<PostgresConnection?>(nil)

    init(host: String, port: Int, database: String) {
        self.host = host
        self.port = port
        self.database = database
    }

    var name: String { "postgres" }

    static let counters = [
        ("xact_commit", "commits"), ("xact_rollback", "rollbacks"), ("blks_hit", "blocks_hit"), ("blks_read", "blocks_read"),
        ("tup_returned", "rows_returned"), ("tup_fetched", "rows_fetched"), ("tup_inserted", "rows_inserted"),
        ("tup_updated", "rows_updated"), ("tup_deleted", "rows_deleted"), ("deadlocks", "deadlocks"),
    ]

    func read() async -> TelemetryReading? {
        do {
            let connection = try await connected()
            let columns = Self.counters.map(\.0).joined(separator: ", ")
            var raw = ""
            var values: [String: Double] = [:]
            let database = try await connection.query(
                PostgresQuery(
                    unsafeSQL: "SELECT concat_ws(' ', \(columns)) FROM pg_stat_database WHERE datname = current_database()"),
                logger: Self.logger)
            for try await text in database.decode(String.self) {
                raw +=
                    "pg_stat_database "
                    + zip(Self.counters, text.split(separator: " ")).map { "\($0.0)=\($1)" }.joined(separator: " ")
                    + "\n"
                for ((_, series), value) in zip(Self.counters, text.split(separator: " ")) {
                    values["postgres_\(series)_total"] = Double(value)
                }
            }
            let activity = try await connection.query(
                """
                SELECT coalesce(state, 'none') || ' ' || count(*) || ' ' || count(*) FILTER (WHERE wait_event_type = 'Lock')
                FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY state
                """, logger: Self.logger)
            var connections = 0.0
            var waiting = 0.0
            // A state no connection is in counts zero (it was read, and none was there).
            for state in ["active", "idle", "idle_in_transaction"] { values["postgres_connections_\(state)"] = 0 }
            for try await text in activity.decode(String.self) {
                raw +=
                    "pg_stat_activity state=" + text.split(separator: " ").dropLast(2).joined(separator: " ") + " count="
                    + text.split(separator: " ").dropLast().last.map(String.init)! + "\n"
                let fields = text.split(separator: " ")
                guard fields.count >= 3, let count = Double(fields[fields.count - 2]),
                    let locked = Double(fields[fields.count - 1])
                else { continue }
                let state = fields.dropLast(2).joined(separator: "_").replacingOccurrences(of: "(", with: "")
                    .replacingOccurrences(of: ")", with: "")
                values["postgres_connections_\(state)"] = count
                connections += count
                waiting += locked
            }
            values["postgres_connections"] = connections
            values["postgres_connections_waiting_on_lock"] = waiting
            return TelemetryReading(values: values, raw: raw)
        } catch {
            // The next sample opens a new connection.
            let broken = connection.withLock { current -> PostgresConnection? in
                defer { current = nil }
                return current
            }
            try? await broken?.close()
            return nil
        }
    }

    private func connected() async throws -> PostgresConnection {
        if let open = connection.withLock({ $0 }), !open.isClosed { return open }
        let opened = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(),
            configuration: PostgresClient.configuration(port: port, database: database, host: host), id: 0, logger: Self.logger)
        connection.withLock { $0 = opened }
        return opened
    }

    func close() async {
        let open = connection.withLock { current -> PostgresConnection? in
            defer { current = nil }
            return current
        }
        try? await open?.close()
    }

    static let logger = Logger(label: "factorybench.telemetry.postgres")
}

/// Redis's `INFO`: commands processed (its operations per second), memory used and its
/// limit, keyspace hits and misses, evicted and expired keys, connected clients (this
/// source's own connection left out).
final class RedisTelemetry: TelemetrySource {
    let host: String
    let port: Int
    private let connection = Mutex<RESPConnection?>(nil)

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    var name: String { "redis" }

    static let fields: [(String, String)] = [
        ("total_commands_processed", "commands_total"), ("used_memory", "used_memory_bytes"),
        ("maxmemory", "maxmemory_bytes"), ("keyspace_hits", "keyspace_hits_total"),
        ("keyspace_misses", "keyspace_misses_total"), ("evicted_keys", "evicted_keys_total"),
        ("expired_keys", "expired_keys_total"), ("connected_clients", "connected_clients"),
        ("blocked_clients", "blocked_clients"),
    ]

    func read() async -> TelemetryReading? {
        do {
            let open: RESPConnection
            if let current = connection.withLock({ $0 }) {
                open = current
            } else {
                open = try await RESPConnection.connect(host: host, port: port, timeoutSeconds: 2)
                connection.withLock { $0 = open }
            }
            guard case .bulk(let bytes?) = try await open.send([Array("INFO".utf8)], timeoutSeconds: 5) else { return nil }
            let text = String(decoding: bytes, as: UTF8.self)
            return TelemetryReading(values: Self.values(info: text), raw: text)
        } catch {
            let broken = connection.withLock { current -> RESPConnection? in
                defer { current = nil }
                return current
            }
            await broken?.close()
            return nil
        }
    }

    /// The series of one `INFO` reply.
    static func values(info text: String) -> [String: Double] {
        var info: [String: Double] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if let value = Double(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)) {
                info[String(line[..<colon])] = value
            }
        }
        var values: [String: Double] = [:]
        for (field, series) in fields {
            guard var value = info[field] else { continue }
            if field == "connected_clients" { value = max(value - 1, 0) }
            // maxmemory 0 means no limit: absent, not a limit of zero.
            if field == "maxmemory", value == 0 { continue }
            values["redis_" + series] = value
        }
        return values
    }

    func close() async {
        let open = connection.withLock { current -> RESPConnection? in
            defer { current = nil }
            return current
        }
        await open?.close()
    }
}

/// A Prometheus text endpoint, scraped every sample (the scrape kept whole). vLLM's
/// metrics become `vllm_requests_running`, `vllm_requests_waiting`,
/// `vllm_kv_cache_usage_percent`, its token counters and its own time to first token over
/// the interval (`vllm_ttft_mean_seconds`); any other server's gauges and counters (summed
/// over their labels, at most `maximumFamilies`) become `prometheus_<name>`.
final class PrometheusScrape: TelemetrySource {
    let url: String
    let vllm: Bool
    private let previousTTFT = Mutex<(sum: Double, count: Double)?>(nil)

    init(url: String, vllm: Bool) {
        self.url = url
        self.vllm = vllm
    }

    var name: String { "prometheus" }
    static let maximumFamilies = 40

    func read() async -> TelemetryReading? {
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
            let body = String(buffer: try await response.body.collect(upTo: 16 << 20))
            guard response.status.code == 200 else { return nil }
            let exposition = PrometheusText.parse(body)
            return TelemetryReading(values: vllm ? vllmValues(exposition) : Self.genericValues(exposition), raw: body)
        } catch {
            return nil
        }
    }

    func vllmValues(_ exposition: PrometheusText.Exposition) -> [String: Double] {
        var values: [String: Double] = [:]
        func sum(_ name: String) -> Double? {
            let samples = exposition.values(name)
            return samples.isEmpty ? nil : samples.reduce(0) { $0 + $1.value }
        }
        values["vllm_requests_running"] = sum("vllm:num_requests_running")
        values["vllm_requests_waiting"] = sum("vllm:num_requests_waiting")
        // Renamed in vLLM's V1 engine; a fraction of 1 either way.
        values["vllm_kv_cache_usage_percent"] = (sum("vllm:kv_cache_usage_perc") ?? sum("vllm:gpu_cache_usage_perc")).map {
            $0 * 100
        }
        values["vllm_prompt_tokens_total"] = sum("vllm:prompt_tokens_total")
        values["vllm_generation_tokens_total"] = sum("vllm:generation_tokens_total")
        values["vllm_preemptions_total"] = sum("vllm:num_preemptions_total")
        let ttft = exposition.histogram("vllm:time_to_first_token_seconds")
        if let total = ttft.sum, let count = ttft.count {
            let before = previousTTFT.withLock { previous in
                defer { previous = (total, count) }
                return previous
            }
            if let before, count > before.count {
                values["vllm_ttft_mean_seconds"] = (total - before.sum) / (count - before.count)
            }
        }
        return values
    }

    static func genericValues(_ exposition: PrometheusText.Exposition) -> [String: Double] {
        var values: [String: Double] = [:]
        // Gauges, counters and untyped families, and samples of no declared type (taken as
        // they are) that are not a counter's, histogram's or summary's parts.
        let typed = exposition.types.filter { ["gauge", "counter", "untyped"].contains($0.value) }.keys
        func family(of name: String, suffix: String) -> String? {
            name.hasSuffix(suffix) ? String(name.dropLast(suffix.count)) : nil
        }
        let untyped = exposition.samples.map(\.name).filter { name in
            exposition.types[name] == nil
                && !["_total", "_bucket", "_sum", "_count", "_created"].contains { suffix in
                    family(of: name, suffix: suffix).map { exposition.types[$0] != nil } ?? false
                }
        }
        let families = Set(typed).union(untyped).sorted()
        for family in families.prefix(maximumFamilies) {
            let counter = exposition.types[family] == "counter"
            // A counter's samples are named `<family>_total` (or, in the older format, as it).
            let samples = exposition.samples.filter { $0.name == family || (counter && $0.name == family + "_total") }
            guard !samples.isEmpty else { continue }
            let name = family.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
            values["prometheus_" + name + (counter && !name.hasSuffix("_total") ? "_total" : "")] =
                samples.reduce(0) { $0 + $1.value }
        }
        return values
    }
}
