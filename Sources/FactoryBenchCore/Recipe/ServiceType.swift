/// The kinds of service a recipe can benchmark (the seed's `service.type` values).
///
/// `generic` is a service given only by its `command` (and, on Slurm, its `image`): the
/// old framework's recipes without a type.
public enum ServiceType: String, Sendable, CaseIterable, Codable {
    case postgres, sqlite, chroma, vllm, ollama, redis, nginx, http, minio, qdrant, generic
}

/// The kinds of load client a recipe can run (the seed's `client.type` values).
public enum ClientType: String, Sendable, CaseIterable, Codable {
    case postgresSmoke = "postgres_smoke"
    case postgresStress = "postgres_stress"
    case sqliteStress = "sqlite_stress"
    case chromaHealthcheck = "chroma_healthcheck"
    case chromaStress = "chroma_stress"
    case vllmSmoke = "vllm_smoke"
    case vllmStress = "vllm_stress"
    case ollamaSmoke = "ollama_smoke"
    case ollamaStress = "ollama_stress"
    case redisStress = "redis_stress"
    case httpSmoke = "http_smoke"
    case httpStress = "http_stress"
    case nginxHealthcheck = "nginx_healthcheck"
    case minioStress = "minio_stress"
    case qdrantSmoke = "qdrant_smoke"
    case qdrantStress = "qdrant_stress"
    /// The recipe's own `client.command`, run once per request in a shell: the old
    /// framework's clients without a type.
    case command
}
