import FactoryBenchCore
import Foundation

/// Whether a service answers, and what it says it is — one probe per service type, used by
/// the local executor and, on a cluster, by `factorybench node probe` on the login node.
public enum ServiceProbe {
    /// TCP for databases, plain HTTP and generic services; the heartbeat for Chroma, `/readyz` for Qdrant; `/health` (vLLM)
    /// or `/v1/models` (llama.cpp and other OpenAI-compatible servers); `/api/tags` for
    /// Ollama, and with `model` given, only once that model is in its list.
    public static func ready(_ type: ServiceType, host: String, port: Int, model: String? = nil) async -> Bool {
        let base = "http://\(host):\(port)"
        switch type {
        case .chroma:
            return await Readiness.get(base + "/api/v2/heartbeat")?.status == 200
        case .vllm:
            if await Readiness.get(base + "/health")?.status == 200 { return true }
            return await Readiness.get(base + "/v1/models")?.status == 200
        case .ollama:
            guard let reply = await Readiness.get(base + "/api/tags"), reply.status == 200 else { return false }
            guard let model else { return true }
            let models = (try? JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])?["models"]
            let names = (models as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            return names.contains { $0 == model || $0 == model + ":latest" }
        case .qdrant:
            return await Readiness.get(base + "/readyz")?.status == 200
        case .postgres, .redis, .nginx, .http, .minio, .sqlite, .generic:
            return await Readiness.acceptsConnections(host: host, port: port)
        }
    }

    /// "ChromaDB 1.0.0", "vLLM 0.6.3, serving opt-125m", "OpenAI-compatible server, serving
    /// smollm2-135m", "Ollama 0.5.1"; nil when the type has no such question.
    public static func version(_ type: ServiceType, host: String, port: Int) async -> String? {
        let base = "http://\(host):\(port)"
        func json(_ path: String) async -> [String: Any]? {
            guard let reply = await Readiness.get(base + path), reply.status == 200 else { return nil }
            return try? JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any]
        }
        switch type {
        case .chroma:
            return await Readiness.get(base + "/api/v2/version").map {
                "ChromaDB " + $0.body.trimmingCharacters(in: CharacterSet(charactersIn: "\" \n"))
            }
        case .ollama:
            return "Ollama " + ((await json("/api/version"))?["version"] as? String ?? "")
        case .vllm:
            let version = (await json("/version"))?["version"] as? String
            let models = ((await json("/v1/models"))?["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            return (version.map { "vLLM \($0)" } ?? "OpenAI-compatible server")
                + (models.isEmpty ? "" : ", serving " + models.joined(separator: ", "))
        case .qdrant:
            return (await json("/"))?["version"].map { "Qdrant \($0)" }
        case .postgres, .redis, .nginx, .http, .minio, .sqlite, .generic:
            return nil
        }
    }
}
