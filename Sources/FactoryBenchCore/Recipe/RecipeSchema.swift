import Foundation

/// The keys of every recipe section besides the type-specific settings, with their kinds,
/// checks and defaults: together with `SettingsCatalog`, everything a recipe may say.
public enum RecipeSchema {
    public static let configuration: [SettingSpec] = [
        SettingSpec(
            "target", .string, .string("local"),
            "An ssh alias of a Slurm login node, local-slurm to submit with sbatch here, or local for this machine.")
    ]

    public static let benchmarks: [SettingSpec] = [
        SettingSpec("num_clients", .integer, .int(1), "Concurrent load clients.", check: SettingSpec.atLeast(1)),
        SettingSpec("metrics", .list, .list([]), "Metric names to report (kept for the old format; all are reported)."),
        SettingSpec(
            "client_delay", .duration, .double(0),
            "Seconds between client starts: client i starts i × client_delay after the first.",
            check: SettingSpec.atLeast(0)),
    ]

    /// Deployment keys of `service:` (beside `type`, `name` and `settings`), as the
    /// executors use them.
    public static let serviceOptions: [SettingSpec] = [
        SettingSpec("image", .string, nil, "Container image (Apptainer pulls docker://IMAGE); overrides the type's."),
        SettingSpec("port", .integer, nil, "Port the service listens on.", check: port),
        SettingSpec("command", .string, nil, "Command that starts the service ($PORT holds its port); overrides the type's."),
        SettingSpec("ready_timeout", .duration, nil, "How long to wait for the service to answer (default 120 s)."),
        SettingSpec("partition", .string, nil, "Slurm partition.", check: sbatchWord),
        SettingSpec("num_gpus", .integer, nil, "GPUs for the service job.", check: SettingSpec.atLeast(0)),
        SettingSpec(
            "nodes", .integer, nil, "Nodes of the service job (Slurm --nodes; 1 by default).", check: SettingSpec.atLeast(1)),
        SettingSpec("gpus_per_node", .integer, nil, "GPUs per node.", check: SettingSpec.atLeast(0)),
        SettingSpec("cpus_per_task", .integer, nil, "CPUs per task.", check: SettingSpec.atLeast(1)),
        SettingSpec("memory", .string, nil, "Memory, e.g. 16G.", check: memory),
        SettingSpec("time_limit", .string, nil, "Wall time, HH:MM:SS or D-HH:MM:SS.", check: timeLimit),
        SettingSpec("account", .string, nil, "Slurm account.", check: sbatchWord),
        SettingSpec("constraints", .string, nil, "Slurm --constraint.", check: sbatchWord),
        SettingSpec("exclude_nodes", .string, nil, "Slurm --exclude.", check: sbatchWord),
        SettingSpec("env", .mapping, nil, "Environment variables of the service.", check: scalarMap),
        SettingSpec(
            "environment", .mapping, nil, "The same as env (the old framework's name); env wins for a variable in both.",
            check: scalarMap),
        SettingSpec("volumes", .list, nil, "Bind mounts, host:container.", check: volumes),
        SettingSpec("modules", .list, nil, "Environment modules to load.", check: stringList),
        SettingSpec("pre_run_commands", .list, nil, "Shell commands run before the service starts.", check: stringList),
    ]

    public static let clientOptions: [SettingSpec] = [
        SettingSpec(
            "command", .string, nil,
            "Slurm: a command run instead of the built-in client; it writes JSONL records to $OUTPUT "
                + "(the service is at $SERVICE_HOST:$SERVICE_PORT; $CLIENT_ID, $FACTORYBENCH are set). "
                + "Without a client type: the command client, one record per run of the command."),
        SettingSpec(
            "name", .string, nil, "Name of the clients: their Slurm job names and $CLIENT_NAME (client-N by default).",
            check: sbatchWord),
        SettingSpec(
            "nodes", .integer, nil,
            "Nodes the clients are spread over: one Slurm job, one task per client (at most one node per client; "
                + "default: num_clients / clients_per_node, else 1).",
            check: SettingSpec.atLeast(1)),
        SettingSpec(
            "clients_per_node", .integer, nil, "Clients on each node (Slurm --ntasks-per-node; default: an even split).",
            check: SettingSpec.atLeast(1)),
        SettingSpec(
            "cpus_per_task", .integer, nil, "CPUs of each client (Slurm --cpus-per-task).", check: SettingSpec.atLeast(1)),
        SettingSpec(
            "share_service_nodes", .boolean, nil,
            "Let clients run on the service's nodes (default false: they would compete with it for CPUs)."),
        SettingSpec(
            "start_timeout", .duration, nil,
            "How long the clients wait for each other to be ready before the run is given up (default 300 s)."),
        SettingSpec("partition", .string, nil, "Slurm partition of the clients' job.", check: sbatchWord),
        SettingSpec("num_gpus", .integer, nil, "GPUs per client task.", check: SettingSpec.atLeast(0)),
        SettingSpec("time_limit", .string, nil, "Wall time, HH:MM:SS or D-HH:MM:SS.", check: timeLimit),
        SettingSpec("account", .string, nil, "Slurm account.", check: sbatchWord),
    ]

    /// `load:`: how each client sends its requests.
    public static let load: [SettingSpec] = [
        SettingSpec(
            "mode", .string, .string("closed"), "closed: concurrency in flight; open: a rate schedule.",
            check: oneOf(["closed", "open"])),
        SettingSpec(
            "concurrency", .integer, .int(1), "Requests in flight per client (closed loop); cap (open loop).",
            check: SettingSpec.atLeast(1)),
        SettingSpec(
            "threads", .integer, nil,
            "Threads of each client that drive PostgreSQL, Redis and plain-HTTP connections (pgbench -j, wrk -t; "
                + "default: one per core, at most one per slot).",
            check: SettingSpec.atLeast(1)),
        SettingSpec("rate", .number, nil, "Requests per second per client (open loop).", check: positive),
        SettingSpec(
            "arrival", .string, .string("constant"), "constant, poisson or gamma inter-arrival times.",
            check: oneOf(["constant", "poisson", "gamma"])),
        SettingSpec("burstiness", .number, nil, "Gamma shape: below 1 bursty, above 1 regular.", check: positive),
        SettingSpec("num_requests", .integer, nil, "Requests per client (instead of duration).", check: SettingSpec.atLeast(1)),
        SettingSpec("duration", .duration, nil, "How long each client runs, e.g. 30s or 5m (instead of num_requests)."),
        SettingSpec(
            "warmup", .countOrDuration, .int(0), "Requests (a count) or time (e.g. 10s) left out of the statistics at the start."),
        SettingSpec("cooldown", .countOrDuration, .int(0), "Requests or time left out at the end."),
        SettingSpec("ramp_up", .duration, .double(0), "Time over which the rate rises linearly to its target."),
        SettingSpec("seed", .integer, .int(42), "Seed of the arrival schedule and of request choices."),
    ]

    /// `slo:`: service-level objectives checked in the report; goodput counts requests
    /// that meet every per-request one.
    public static let slo: [SettingSpec] = [
        SettingSpec("p50_latency_ms", .number, nil, "Median latency at most this.", check: positive),
        SettingSpec("p90_latency_ms", .number, nil, "90th percentile latency at most this.", check: positive),
        SettingSpec("p95_latency_ms", .number, nil, "95th percentile latency at most this.", check: positive),
        SettingSpec("p99_latency_ms", .number, nil, "99th percentile latency at most this.", check: positive),
        SettingSpec("ttft_p50_ms", .number, nil, "Median time to first token at most this.", check: positive),
        SettingSpec("ttft_p95_ms", .number, nil, "95th percentile TTFT at most this.", check: positive),
        SettingSpec("ttft_p99_ms", .number, nil, "99th percentile TTFT at most this.", check: positive),
        SettingSpec("tpot_p50_ms", .number, nil, "Median time per output token at most this.", check: positive),
        SettingSpec("tpot_p95_ms", .number, nil, "95th percentile TPOT at most this.", check: positive),
        SettingSpec("itl_p95_ms", .number, nil, "95th percentile inter-token latency at most this.", check: positive),
        SettingSpec(
            "error_rate", .number, nil, "Failed requests at most this fraction (0.01 = 1 %).",
            check: { value in
                guard let number = value.doubleValue, number < 0 || number > 1 else { return nil }
                return "must be a fraction between 0 and 1"
            }),
        SettingSpec("min_requests_per_second", .number, nil, "Throughput at least this.", check: positive),
    ]

    /// `telemetry:`: what the run samples beside the load (`telemetry.jsonl`).
    public static let telemetry: [SettingSpec] = [
        SettingSpec(
            "enabled", .boolean, .bool(true),
            "Sample the service's processes, its host, its GPUs and the server's own statistics during the run."),
        SettingSpec(
            "interval", .duration, .double(1), "Time between two samples, e.g. 1s or 500ms.",
            check: { value in
                guard let seconds = value.doubleValue, seconds < 0.1 else { return nil }
                return "must be at least 0.1 s (a sample reads every process of the machine)"
            }),
        SettingSpec(
            "server", .boolean, .bool(true),
            "Read the server's own statistics: PostgreSQL's pg_stat_database and pg_stat_activity, Redis's INFO, "
                + "vLLM's /metrics."),
        SettingSpec(
            "prometheus", .string, nil,
            "A Prometheus text endpoint to scrape every sample: a path on the service's port (/metrics) or an http:// "
                + "URL; vllm scrapes /metrics unless this is set. The scrapes are kept in telemetry/prometheus.txt."),
        SettingSpec(
            "gpu", .boolean, .bool(true), "Read every GPU's utilisation, memory and power with nvidia-smi, when it exists."),
    ]

    /// Which client types fit which service type.
    /// The command client fits every service but the embedded one, which has no address.
    public static func clients(for service: ServiceType) -> [ClientType] {
        switch service {
        case .postgres: return [.postgresSmoke, .postgresStress, .command]
        case .sqlite: return [.sqliteStress]
        case .chroma: return [.chromaHealthcheck, .chromaStress, .command]
        case .vllm: return [.vllmSmoke, .vllmStress, .command]
        case .ollama: return [.ollamaSmoke, .ollamaStress, .vllmSmoke, .vllmStress, .command]
        case .redis: return [.redisStress, .command]
        case .nginx, .http, .generic: return [.httpSmoke, .httpStress, .nginxHealthcheck, .command]
        case .minio: return [.minioStress, .httpSmoke, .httpStress, .command]
        case .qdrant: return [.qdrantSmoke, .qdrantStress, .httpSmoke, .httpStress, .command]
        }
    }

    // MARK: - Checks

    static let positive: @Sendable (SettingValue) -> String? = { value in
        guard let number = value.doubleValue, number <= 0 else { return nil }
        return "must be greater than 0"
    }

    static let port: @Sendable (SettingValue) -> String? = { value in
        guard let number = value.intValue, !(1...65535).contains(number) else { return nil }
        return "\(number) is not a port number (1 to 65535)"
    }

    static func oneOf(_ allowed: [String]) -> @Sendable (SettingValue) -> String? {
        { value in
            guard let text = value.stringValue, !allowed.contains(text) else { return nil }
            let hint = RecipeError.closest(to: text, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
            return "'\(text)' is not one of \(allowed.joined(separator: ", "))\(hint)"
        }
    }

    static let timeLimit: @Sendable (SettingValue) -> String? = { value in
        guard let text = value.stringValue else { return nil }
        let pattern = #"^([0-9]+-)?[0-9]{1,2}:[0-5][0-9]:[0-5][0-9]$"#
        return text.range(of: pattern, options: .regularExpression) == nil
            ? "'\(text)' is not a time limit; write HH:MM:SS or D-HH:MM:SS (e.g. 01:30:00 or 2-00:00:00)" : nil
    }

    /// Values that go into `#SBATCH` lines, which sbatch splits itself: plain words only.
    static let sbatchWord: @Sendable (SettingValue) -> String? = { value in
        guard let text = value.stringValue else { return nil }
        return text.range(of: #"^[A-Za-z0-9_.:,=+@%/\[\]-]+$"#, options: .regularExpression) == nil
            ? "\(String(reflecting: text)) cannot go into an #SBATCH line; use only letters, digits and ._-:,=+@%/[]"
            : nil
    }

    static let memory: @Sendable (SettingValue) -> String? = { value in
        guard let text = value.stringValue else { return nil }
        return text.range(of: #"^[0-9]+[KMGT]?B?$"#, options: [.regularExpression, .caseInsensitive]) == nil
            ? "'\(text)' is not an amount of memory; write e.g. 512M or 16G" : nil
    }

    static let scalarMap: @Sendable (SettingValue) -> String? = { value in
        guard let map = value.mapValue else { return nil }
        for (key, entry) in map.sorted(by: { $0.key < $1.key }) {
            switch entry {
            case .list, .map, .null: return "the value of '\(key)' must be a string, a number or true/false"
            default: continue
            }
        }
        return nil
    }

    static let stringList: @Sendable (SettingValue) -> String? = { value in
        guard case .list(let items) = value else { return nil }
        return items.allSatisfy { $0.stringValue != nil } ? nil : "every item must be a string"
    }

    static let volumes: @Sendable (SettingValue) -> String? = { value in
        guard case .list(let items) = value else { return nil }
        for item in items {
            guard let text = item.stringValue, text.split(separator: ":").count >= 2 else {
                return "every volume must be host_path:container_path"
            }
        }
        return nil
    }
}

/// Durations in recipes: a number of seconds, or a number with a unit (`500ms`, `30s`,
/// `5m`, `2h`, `1d`).
public enum RecipeDuration {
    public static func seconds(_ value: SettingValue) -> Double? {
        if let number = value.doubleValue { return number >= 0 ? number : nil }
        guard let text = value.stringValue?.trimmingCharacters(in: .whitespaces) else { return nil }
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (unit, scale) in units where text.hasSuffix(unit) {
            let number = text.dropLast(unit.count).trimmingCharacters(in: .whitespaces)
            if let value = Double(number), value >= 0, value.isFinite { return value * scale }
        }
        return nil
    }
}
