/// One documented, typed setting of a service or client type, with its default.
public struct SettingSpec: Sendable {
    public enum Kind: String, Sendable {
        case integer = "an integer"
        case number = "a number"
        case string = "a string"
        case boolean = "true or false"
        case mapping = "a mapping"
        case list = "a list"
        case duration = "a duration (seconds, or a number with ms, s, m, h or d)"
        case countOrDuration = "a request count or a duration (e.g. 100 or 10s)"
    }

    public var key: String
    public var kind: Kind
    /// `nil` when the setting is optional and has no default.
    public var defaultValue: SettingValue?
    public var help: String
    /// Returns what is wrong with a value of the right kind, or `nil` when it is valid.
    public var check: (@Sendable (SettingValue) -> String?)?

    public init(
        _ key: String, _ kind: Kind, _ defaultValue: SettingValue?, _ help: String,
        check: (@Sendable (SettingValue) -> String?)? = nil
    ) {
        self.key = key
        self.kind = kind
        self.defaultValue = defaultValue
        self.help = help
        self.check = check
    }

    /// The defaults of a list of specs.
    static func defaults(_ specs: [SettingSpec]) -> [String: SettingValue] {
        var values: [String: SettingValue] = [:]
        for spec in specs { if let value = spec.defaultValue { values[spec.key] = value } }
        return values
    }

    /// A check that an integer or number is at least `minimum`.
    public static func atLeast(_ minimum: Double) -> @Sendable (SettingValue) -> String? {
        { value in
            guard let number = value.doubleValue, number < minimum else { return nil }
            return "\(describe(number)) is below the minimum of \(describe(minimum))"
        }
    }

    private static func describe(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }
}

/// The one place where every type's settings and their defaults are declared.
public enum SettingsCatalog {
    /// Settings every LLM client shares.
    static func llmCommon(api: String, source: String) -> [SettingSpec] {
        let apis = api == "generate" ? ["generate", "chat"] : ["completions", "chat"]
        return [
            SettingSpec("model", .string, nil, "Model name sent (the service's model setting by default)."),
            SettingSpec(
                "api", .string, .string(api), "Endpoint: \(apis.joined(separator: " or ")).",
                check: RecipeSchema.oneOf(apis)),
            SettingSpec("stream", .boolean, .bool(true), "Stream the answer (needed for TTFT and ITL)."),
            SettingSpec("temperature", .number, .double(0), "Sampling temperature (0: greedy, repeatable)."),
            SettingSpec("ignore_eos", .boolean, .bool(false), "Generate max_tokens even past end-of-sequence (vLLM)."),
            SettingSpec(
                "prompt_source", .string, .string(source),
                "fixed (prompt), synthetic (seeded, input_tokens words), file (JSONL of prompt or messages) or sharegpt.",
                check: RecipeSchema.oneOf(["fixed", "synthetic", "file", "sharegpt"])),
            SettingSpec("prompts_file", .string, nil, "Prompts for prompt_source file or sharegpt (relative to the recipe)."),
            SettingSpec(
                "input_tokens", .integer, .int(128), "Synthetic prompt length in words (about one token each).",
                check: SettingSpec.atLeast(1)),
            SettingSpec("seed", .integer, .int(42), "Seed of the synthetic prompts."),
            SettingSpec(
                "request_timeout", .number, .double(300), "Seconds before a request fails.", check: SettingSpec.atLeast(0.001)),
        ]
    }

    /// Ollama clients retry a failed request; every attempt is a record of its own.
    static let ollamaRetries = [
        SettingSpec(
            "max_retries", .integer, .int(0),
            "Times a failed request is sent again (each attempt is recorded, the retried ones with retried: true).",
            check: SettingSpec.atLeast(0))
    ]

    public static func settings(for service: ServiceType) -> [SettingSpec] {
        switch service {
        case .sqlite:
            return [
                SettingSpec("journal_mode", .string, .string("wal"), "SQLite journal mode (PRAGMA journal_mode)."),
                SettingSpec("synchronous", .string, .string("normal"), "SQLite sync level (PRAGMA synchronous)."),
                SettingSpec("busy_timeout_ms", .integer, .int(5000), "How long a writer waits for a lock."),
            ]
        case .postgres:
            return [
                SettingSpec("db_name", .string, .string("benchmark"), "Database created for the run."),
                SettingSpec("auth", .string, .string("trust"), "Authentication method for local connections."),
                SettingSpec("data_dir", .string, nil, "Data directory (a temporary one by default)."),
                SettingSpec("tuning", .mapping, .map([:]), "shared_buffers, effective_cache_size, maintenance_work_mem."),
            ]
        case .chroma:
            return [
                SettingSpec("host", .string, .string("127.0.0.1"), "Address the server binds to."),
                SettingSpec("port", .integer, .int(8000), "Port the server listens on."),
            ]
        case .vllm:
            return [
                SettingSpec("model", .string, .string("facebook/opt-125m"), "Model served."),
                SettingSpec("tensor_parallel_size", .integer, .int(1), "GPUs a model is split across."),
            ]
        case .ollama:
            return [
                SettingSpec("model", .string, .string("llama2"), "Model pulled and served."),
                SettingSpec("warmup_seconds", .integer, .int(5), "Wait after start before clients run."),
            ]
        case .redis:
            return [
                SettingSpec(
                    "port", .integer, nil, "Port the server listens on (the same as service.port).", check: RecipeSchema.port),
                SettingSpec("appendonly", .boolean, .bool(false), "Enable the append-only file (true/false or yes/no)."),
                SettingSpec("maxmemory", .string, nil, "Memory limit, e.g. 1gb."),
                SettingSpec("maxmemory_policy", .string, nil, "Eviction policy, e.g. allkeys-lru."),
            ]
        case .minio:
            return [
                SettingSpec("port", .integer, nil, "S3 API port (the same as service.port).", check: RecipeSchema.port),
                SettingSpec("console_port", .integer, .int(9001), "Port of MinIO's web console.", check: RecipeSchema.port),
                SettingSpec("data_dir", .string, nil, "Data directory (a temporary one by default)."),
            ]
        case .nginx, .http, .qdrant, .generic:
            return [
                SettingSpec(
                    "port", .integer, nil, "Port the server listens on (the same as service.port).", check: RecipeSchema.port)
            ]
        }
    }

    public static func settings(for client: ClientType) -> [SettingSpec] {
        switch client {
        case .sqliteStress:
            return [
                SettingSpec(
                    "num_requests", .integer, .int(1000), "Requests each client sends (when load: sets no count or duration).",
                    check: SettingSpec.atLeast(1)),
                SettingSpec(
                    "duration", .number, nil,
                    "Seconds each client runs: the same as load.duration, which wins when both are set.",
                    check: SettingSpec.atLeast(0.001)),
                SettingSpec(
                    "mix", .mapping,
                    .map([
                        "insert": .int(30), "point_lookup": .int(30), "range_scan": .int(15),
                        "aggregation": .int(10), "update": .int(15),
                    ]),
                    "Relative weights of insert, point_lookup, range_scan, aggregation and update.",
                    check: DatabaseOperation.checkMix),
                SettingSpec(
                    "initial_rows", .integer, .int(10000), "Rows loaded before the clients start.",
                    check: SettingSpec.atLeast(1)),
                SettingSpec("range_size", .integer, .int(100), "Rows a range scan reads.", check: SettingSpec.atLeast(1)),
                SettingSpec(
                    "payload_bytes", .integer, .int(100), "Size of each row's text payload.", check: SettingSpec.atLeast(0)),
                SettingSpec("table_name", .string, .string("stress_test"), "Table the clients use."),
                SettingSpec("seed", .integer, .int(42), "Seed of the operation and key choice."),
            ]
        case .postgresSmoke:
            return [
                SettingSpec("query", .string, .string("SELECT version();"), "Query sent."),
                SettingSpec(
                    "num_requests", .integer, .int(10), "Requests each client sends (when load: sets no count or duration).",
                    check: SettingSpec.atLeast(1)),
                SettingSpec("warmup_delay", .integer, .int(5), "Seconds each client waits before its first request."),
                SettingSpec("db_name", .string, .string("benchmark"), "Database to connect to."),
                SettingSpec(
                    "request_timeout", .number, .double(30), "Seconds before a request fails.", check: SettingSpec.atLeast(0.001)),
            ]
        case .postgresStress:
            return [
                SettingSpec(
                    "num_inserts", .integer, .int(10000),
                    "Inserts per round; without mix, each client sends num_inserts inserts then num_selects point lookups.",
                    check: SettingSpec.atLeast(0)),
                SettingSpec(
                    "num_selects", .integer, .int(5000), "Point lookups per round (without mix).", check: SettingSpec.atLeast(0)),
                SettingSpec(
                    "mix", .mapping, nil,
                    "Relative weights of insert, point_lookup, range_scan, aggregation and update (replaces the rounds).",
                    check: DatabaseOperation.checkMix),
                SettingSpec(
                    "initial_rows", .integer, .int(1000), "Rows loaded before the clients start.", check: SettingSpec.atLeast(0)),
                SettingSpec("range_size", .integer, .int(100), "Rows a range scan reads.", check: SettingSpec.atLeast(1)),
                SettingSpec(
                    "payload_bytes", .integer, .int(100), "Size of each row's text payload.", check: SettingSpec.atLeast(0)),
                SettingSpec("table_name", .string, .string("stress_test"), "Table used (created if missing)."),
                SettingSpec("seed", .integer, .int(42), "Seed of the operation and key choice."),
                SettingSpec("warmup_delay", .integer, .int(5), "Seconds each client waits before its first request."),
                SettingSpec("db_name", .string, .string("benchmark"), "Database to connect to."),
                SettingSpec(
                    "request_timeout", .number, .double(30), "Seconds before a request fails.", check: SettingSpec.atLeast(0.001)),
            ]
        case .chromaHealthcheck:
            return [
                SettingSpec(
                    "num_requests", .integer, .int(5), "Heartbeats each client sends (when load: sets no count or duration).",
                    check: SettingSpec.atLeast(1))
            ]
        case .chromaStress:
            return [
                SettingSpec(
                    "num_vectors", .integer, .int(1000), "Vectors each client adds to its collection.",
                    check: SettingSpec.atLeast(1)),
                SettingSpec("dim", .integer, .int(128), "Vector dimension.", check: SettingSpec.atLeast(1)),
                SettingSpec("batch_size", .integer, .int(100), "Vectors per add request.", check: SettingSpec.atLeast(1)),
                SettingSpec(
                    "num_queries", .integer, .int(100), "Queries each client sends (when load: sets no count or duration).",
                    check: SettingSpec.atLeast(1)),
                SettingSpec(
                    "top_k", .integer, .int(10), "Neighbours per query; recall@k is measured.", check: SettingSpec.atLeast(1)),
                SettingSpec("seed", .integer, .int(42), "Seed of the vectors and queries."),
                SettingSpec("warmup_delay", .integer, .int(5), "Seconds each client waits before its first request."),
            ]
        case .vllmSmoke:
            return [
                SettingSpec("prompt", .string, .string("Hello"), "Prompt sent (prompt_source: fixed)."),
                SettingSpec("max_tokens", .integer, .int(50), "Tokens generated per request.", check: SettingSpec.atLeast(1)),
                SettingSpec("num_requests", .integer, .int(1), "Requests each client sends.", check: SettingSpec.atLeast(1)),
                SettingSpec("warmup_delay", .integer, .int(0), "Seconds each client waits before its first request."),
            ] + llmCommon(api: "completions", source: "fixed")
        case .vllmStress:
            return [
                SettingSpec("num_requests", .integer, .int(50), "Requests sent.", check: SettingSpec.atLeast(1)),
                SettingSpec("max_tokens", .integer, .int(64), "Tokens generated per request.", check: SettingSpec.atLeast(1)),
                SettingSpec("warmup_delay", .integer, .int(10), "Seconds each client waits before its first request."),
                SettingSpec("prompt", .string, .string("Hello"), "Prompt sent (prompt_source: fixed)."),
            ] + llmCommon(api: "completions", source: "synthetic")
        case .ollamaSmoke:
            return [
                SettingSpec("num_requests", .integer, .int(5), "Requests sent.", check: SettingSpec.atLeast(1)),
                SettingSpec("max_tokens", .integer, .int(50), "Tokens generated per request.", check: SettingSpec.atLeast(1)),
                SettingSpec("prompt", .string, .string("Hello"), "Prompt sent (prompt_source: fixed)."),
                SettingSpec("warmup_delay", .integer, .int(0), "Seconds each client waits before its first request."),
            ] + ollamaRetries + llmCommon(api: "generate", source: "fixed")
        case .ollamaStress:
            return [
                SettingSpec("num_requests", .integer, .int(20), "Requests sent.", check: SettingSpec.atLeast(1)),
                SettingSpec("max_tokens", .integer, .int(50), "Tokens generated per request.", check: SettingSpec.atLeast(1)),
                SettingSpec("warmup_delay", .integer, .int(30), "Seconds each client waits before its first request."),
                SettingSpec("prompt", .string, .string("Hello"), "Prompt sent (prompt_source: fixed)."),
            ] + ollamaRetries + llmCommon(api: "generate", source: "synthetic")
        case .redisStress:
            return [
                SettingSpec(
                    "num_requests", .integer, .int(10000), "Requests each client sends (when load: sets no count or duration).",
                    check: SettingSpec.atLeast(1)),
                SettingSpec("value_size_bytes", .integer, .int(256), "Size of each value.", check: SettingSpec.atLeast(0)),
                SettingSpec(
                    "key_size_bytes", .integer, nil, "Length of each key, padded (the shortest unique key by default).",
                    check: SettingSpec.atLeast(1)),
                SettingSpec(
                    "warmup_delay", .number, .int(0), "Seconds each client waits before its first request.",
                    check: SettingSpec.atLeast(0)),
                SettingSpec(
                    "key_space", .integer, .int(10000), "Keys used (all set before the clients start).",
                    check: SettingSpec.atLeast(1)),
                SettingSpec(
                    "mix", .mapping, .map(["set": .int(1), "get": .int(1)]), "Relative weights of set and get.",
                    check: { value in
                        guard let mix = value.mapValue else { return "expected a mapping of set and get to weights" }
                        for (name, weight) in mix.sorted(by: { $0.key < $1.key }) {
                            guard name == "set" || name == "get" else { return "unknown operation '\(name)'; known: get, set" }
                            guard let number = weight.doubleValue, number >= 0 else {
                                return "the weight of '\(name)' must be a number of at least 0"
                            }
                        }
                        return mix.values.compactMap(\.doubleValue).reduce(0, +) > 0
                            ? nil : "the weights must add up to more than 0"
                    }),
                SettingSpec("seed", .integer, .int(42), "Seed of the operation and key choice."),
            ]
        case .nginxHealthcheck, .httpSmoke, .httpStress:
            return [
                SettingSpec("url", .string, nil, "Full URL requested (default: path on the service's host and port)."),
                SettingSpec("path", .string, .string("/"), "Path requested on the service."),
                SettingSpec("method", .string, .string("GET"), "HTTP method."),
                SettingSpec("headers", .mapping, nil, "Request headers."),
                SettingSpec("body", .string, nil, "Request body."),
                SettingSpec("expected_status", .integer, .int(200), "Status that counts as success."),
                SettingSpec(
                    "timeout", .number, .double(30), "Seconds before a request fails.", check: SettingSpec.atLeast(0.001)),
                SettingSpec(
                    "num_requests", .integer, client == .httpStress ? .int(1000) : client == .httpSmoke ? .int(5) : .int(1),
                    "Requests each client sends (when load: sets no count or duration).", check: SettingSpec.atLeast(1)),
            ]
        case .minioStress:
            return [
                SettingSpec(
                    "num_objects", .integer, .int(100), "Objects each client puts, then reads, then deletes.",
                    check: SettingSpec.atLeast(1)),
                SettingSpec(
                    "object_size_bytes", .integer, .int(1_048_576), "Size of each object.", check: SettingSpec.atLeast(0)),
                SettingSpec("bucket", .string, .string("benchmark"), "Bucket used (created when missing)."),
                SettingSpec(
                    "access_key", .string, nil,
                    "S3 access key (default: the service's MINIO_ROOT_USER, else minioadmin)."),
                SettingSpec(
                    "secret_key", .string, nil,
                    "S3 secret key (default: the service's MINIO_ROOT_PASSWORD, else minioadmin)."),
                SettingSpec("region", .string, .string("us-east-1"), "Region in the request signatures."),
                SettingSpec(
                    "warmup_delay", .number, .int(10), "Seconds each client waits before its first request.",
                    check: SettingSpec.atLeast(0)),
                SettingSpec(
                    "request_timeout", .number, .double(60), "Seconds before a request fails.", check: SettingSpec.atLeast(0.001)),
            ]
        case .qdrantSmoke:
            return [
                SettingSpec(
                    "num_requests", .integer, .int(5), "Health checks each client sends (when load: sets no count or duration).",
                    check: SettingSpec.atLeast(1)),
                SettingSpec(
                    "warmup_delay", .number, .int(0), "Seconds each client waits before its first request.",
                    check: SettingSpec.atLeast(0)),
            ]
        case .qdrantStress:
            return [
                SettingSpec(
                    "collection", .string, .string("benchmark"),
                    "Collection name; client N uses COLLECTION-cN, created anew for the run."),
                SettingSpec("dim", .integer, .int(128), "Vector dimension.", check: SettingSpec.atLeast(1)),
                SettingSpec("num_points", .integer, .int(10000), "Points each client upserts.", check: SettingSpec.atLeast(1)),
                SettingSpec("batch_size", .integer, .int(256), "Points per upsert request.", check: SettingSpec.atLeast(1)),
                SettingSpec(
                    "num_queries", .integer, .int(1000), "Searches each client sends (when load: sets no count or duration).",
                    check: SettingSpec.atLeast(1)),
                SettingSpec(
                    "top_k", .integer, .int(10), "Neighbours per search; recall@k is measured.", check: SettingSpec.atLeast(1)),
                SettingSpec(
                    "distance", .string, .string("Cosine"), "Cosine, Euclid or Dot.",
                    check: RecipeSchema.oneOf(["Cosine", "Euclid", "Dot"])),
                SettingSpec("seed", .integer, .int(42), "Seed of the points and queries."),
                SettingSpec(
                    "warmup_delay", .number, .int(10), "Seconds each client waits before its first request.",
                    check: SettingSpec.atLeast(0)),
            ]
        case .command:
            return [
                SettingSpec(
                    "num_requests", .integer, .int(1), "Runs of the command per client (when load: sets no count or duration).",
                    check: SettingSpec.atLeast(1)),
                SettingSpec(
                    "timeout", .duration, nil, "How long one run may take before it is stopped and fails (no limit by default)."),
                SettingSpec(
                    "output_bytes", .integer, .int(4096), "Bytes of the command's output kept in its record (the last ones).",
                    check: SettingSpec.atLeast(0)),
            ]
        }
    }
}
