import Foundation

/// The batch scripts of a run on Slurm: one for the service, one for all clients. Pure text from
/// the resolved recipe, so they are golden-tested and saved in `results/<id>/slurm/`.
///
/// Every value from the recipe is shell-quoted; values in `#SBATCH` lines (which sbatch
/// reads itself, not the shell) must be plain words, else the run is refused before
/// anything is submitted.
public struct SlurmBatchScript: Sendable {
    public var recipe: Recipe
    public var layout: SlurmLayout

    public init(recipe: Recipe, layout: SlurmLayout) {
        self.recipe = recipe
        self.layout = layout
    }

    /// The container image the service runs from: `service.image`, else the type's own.
    public var image: String? {
        recipe.service.options["image"]?.stringValue ?? Self.defaultImages[recipe.service.type]
    }

    static let defaultImages: [ServiceType: String] = [
        .postgres: "postgres:16", .redis: "redis:7", .chroma: "chromadb/chroma:1.5.9",
        .vllm: "vllm/vllm-openai:latest", .ollama: "ollama/ollama:latest", .nginx: "nginx:stable",
        .minio: "minio/minio:latest", .qdrant: "qdrant/qdrant:latest",
    ]

    /// The service job's script.
    public func service() throws -> String {
        let options = recipe.service.options
        var lines = try header(
            section: "service", name: layout.jobName("service"), output: "logs/service-%j.log", options: options,
            gpus: [("num_gpus", "--gres=gpu:"), ("gpus_per_node", "--gpus-per-node=")],
            extra: [("cpus_per_task", "--cpus-per-task="), ("memory", "--mem="), ("constraints", "--constraint=")])
        lines.append(
            "# FactoryBench \(ToolInfo.version): the \(recipe.service.type.rawValue) service of run \(layout.benchmarkID).")
        lines.append("# It writes its host and port to service.env once it is started; the run cancels it at the end.")
        if recipe.telemetry["enabled"]?.boolValue ?? true {
            lines.append("# From then on `node sample` samples it into telemetry/ (telemetry.interval).")
        }
        lines += prologue(options: options)
        if let port = options["port"]?.intValue {
            lines.append("PORT=\(port)")
        } else {
            lines.append(#"PORT=$("$FACTORYBENCH" node free-port)"#)
        }
        lines.append("export PORT")
        lines.append(#"SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/factorybench-\#(layout.benchmarkID)-XXXXXX")"#)
        lines.append(#"trap 'rm -rf "$SCRATCH"' EXIT"#)
        lines.append("trap 'exit 143' TERM INT")
        lines.append("announce() {")
        lines.append(
            #"    printf 'host=%s\nport=%s\nnode=%s\nnodes=%s\njob=%s\n' "$(hostname)" "$PORT" "${SLURMD_NODENAME:-}" "${SLURM_JOB_NODELIST:-}" "${SLURM_JOB_ID:-}" > service.env.tmp"#
        )
        lines.append("    mv service.env.tmp service.env")
        if recipe.telemetry["enabled"]?.boolValue ?? true {
            // Beside the service until this script ends: its tree, the host, the GPUs, the
            // server's own statistics (telemetry/, copied back with the records).
            lines.append(
                #"    "$FACTORYBENCH" node sample --recipe recipe.yaml --endpoint service.env --watch $$ --output telemetry >> logs/telemetry.log 2>&1 &"#
            )
        }
        lines.append("}")
        lines += try start()
        return lines.joined(separator: "\n") + "\n"
    }

    /// How the clients are spread: `client.nodes` nodes (at most one per client), with
    /// `client.clients_per_node` each, else an even split of `benchmarks.num_clients`.
    public var placement: (nodes: Int, perNode: Int) {
        let count = recipe.numClients
        let options = recipe.client.options
        let perNodeAsked = options["clients_per_node"]?.intValue
        let nodes = max(1, min(options["nodes"]?.intValue ?? perNodeAsked.map { (count + $0 - 1) / $0 } ?? 1, count))
        return (nodes, max(perNodeAsked ?? 0, (count + nodes - 1) / nodes))
    }

    /// The clients' job: every client one task of it (`srun` starts them all, client N the
    /// task N), spread over `placement.nodes` nodes. No client sends load before all are
    /// ready: they wait for each other in `barrier/` (see `StartBarrier`).
    public func clients() throws -> String {
        // The clients are charged to the service's account unless the recipe says otherwise
        // (their partition is their own: a GPU service's clients need no GPU node).
        var options = recipe.client.options
        if options["account"] == nil { options["account"] = recipe.service.options["account"] }
        let count = recipe.numClients
        let (nodes, perNode) = placement
        options["nodes"] = .int(nodes)
        var lines = try header(
            section: "client", name: layout.jobName(options["name"]?.stringValue ?? "clients"),
            output: "logs/clients-%j.log", options: options, tasks: count,
            gpus: [("num_gpus", "--gres=gpu:")], extra: [("cpus_per_task", "--cpus-per-task=")])
        lines.append("#SBATCH --ntasks-per-node=\(perNode)")
        lines.append(
            "# FactoryBench \(ToolInfo.version): the \(count) client\(count == 1 ? "" : "s") of run \(layout.benchmarkID), "
                + "one task each on \(nodes) node\(nodes == 1 ? "" : "s").")
        lines.append("# They wait for each other in barrier/ and start at the instant client 0 announces there.")
        lines += prologue(options: [:])
        lines.append("mkdir -p barrier clients")
        let timeout = options["start_timeout"]?.doubleValue.map { " --start-timeout \(Int($0))" } ?? ""
        let barrier = "--barrier barrier --clients \(count)\(timeout)"
        let srun = "srun --kill-on-bad-exit=0 --output=logs/client-%t.log"
        if recipe.client.type != .command, let command = options["command"]?.stringValue {
            // The recipe's own client: it finds the service in SERVICE_HOST/SERVICE_PORT and
            // writes its JSONL records to OUTPUT; it starts once every client is ready.
            lines.append("export FACTORYBENCH BENCHMARK_ID=\(layout.benchmarkID)")
            lines.append(#"SERVICE_HOST=$(sed -n 's/^host=//p' service.env) SERVICE_PORT=$(sed -n 's/^port=//p' service.env)"#)
            lines.append("export SERVICE_HOST SERVICE_PORT")
            // A client whose command succeeded leaves client-N.done: one job's state cannot
            // say which of its tasks failed.
            let task =
                #"export CLIENT_ID=$SLURM_PROCID OUTPUT=clients/client-$SLURM_PROCID.jsonl; "#
                + #""$FACTORYBENCH" node barrier --recipe recipe.yaml "# + barrier + " && bash -c "
                + Shell.quote(command) + #" && : > clients/client-$SLURM_PROCID.done"#
            lines.append(srun + " bash -c " + Shell.quote(task))
        } else {
            lines.append(
                srun + #" "$FACTORYBENCH" node client --recipe recipe.yaml --endpoint service.env "#
                    + "--benchmark-id \(layout.benchmarkID) " + barrier)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func header(
        section: String, name: String, output: String, options: [String: SettingValue], tasks: Int = 1,
        gpus: [(String, String)], extra: [(String, String)]
    ) throws -> [String] {
        var lines = [
            "#!/bin/bash", "#SBATCH --job-name=\(try Self.directiveValue(name, key: "\(section).name"))",
            "#SBATCH --output=\(output)", "#SBATCH --nodes=\(options["nodes"]?.intValue ?? 1)", "#SBATCH --ntasks=\(tasks)",
        ]
        let keyed: [(String, String)] =
            [("partition", "--partition="), ("account", "--account="), ("time_limit", "--time=")] + extra + gpus
        for (key, flag) in keyed {
            guard let value = options[key], let text = value.text else { continue }
            if (key == "num_gpus" || key == "gpus_per_node"), value.intValue == 0 { continue }
            lines.append("#SBATCH \(flag)\(try Self.directiveValue(text, key: "\(section).\(key)"))")
        }
        if section == "service", let excluded = options["exclude_nodes"]?.stringValue {
            lines.append("#SBATCH --exclude=\(try Self.directiveValue(excluded, key: "service.exclude_nodes"))")
        }
        return lines
    }

    /// The lines every script runs first: strict mode, the run directory, modules,
    /// environment and the user's own commands.
    private func prologue(options: [String: SettingValue]) -> [String] {
        var lines = ["set -euo pipefail", "cd \"$HOME\"/\(layout.runDirectory)", "FACTORYBENCH=\"$HOME\"/\(layout.binary)"]
        for module in (options["modules"]?.listValue ?? []).compactMap(\.stringValue) {
            lines.append("module load \(Shell.quote(module))")
        }
        for (key, value) in (options["env"]?.mapValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            lines.append("export \(Shell.quote(key))=\(Shell.quote(value.text ?? ""))")
        }
        // The user's own shell commands, as written: they are meant to be shell.
        for command in (options["pre_run_commands"]?.listValue ?? []).compactMap(\.stringValue) {
            lines.append(command)
        }
        return lines
    }

    /// How the service starts: the recipe's command, else the type's own in its image.
    private func start() throws -> [String] {
        let options = recipe.service.options
        let settings = recipe.service.settings
        let gpus = (options["num_gpus"]?.intValue ?? 0) > 0 || (options["gpus_per_node"]?.intValue ?? 0) > 0
        var prefix = "apptainer exec" + (gpus ? " --nv" : "") + #" --bind "$SCRATCH""#
        if recipe.service.type == .minio, let data = settings["data_dir"]?.stringValue {
            prefix += " --bind \(Shell.quote(data))"
        }
        for volume in (options["volumes"]?.listValue ?? []).compactMap(\.stringValue) {
            prefix += " --bind \(Shell.quote(volume))"
        }
        if let image { prefix += " " + Shell.quote(Self.imageReference(image)) }
        if let command = options["command"]?.stringValue {
            let run = (options["image"] != nil ? prefix + " " : "") + "bash -c \(Shell.quote(command))"
            return ["announce", run]
        }
        switch recipe.service.type {
        case .postgres:
            // initdb's pg_hba.conf admits only local connections, and the image's entrypoint
            // (which would open it) does not run under `apptainer exec`: clients on other
            // nodes are let in here. The socket gets a short directory of its own (a Unix
            // socket path has a ~107 byte limit).
            let auth = Shell.quote(settings["auth"]?.stringValue ?? "trust")
            var server = prefix + #" postgres -D "$SCRATCH/data" -p "$PORT" -c listen_addresses='*' -k "$SOCKETS""#
            for (key, value) in (settings["tuning"]?.mapValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                server += " -c " + Shell.quote("\(key)=\(value.text ?? "")")
            }
            return [
                prefix + #" initdb -D "$SCRATCH/data" -U postgres --auth="# + auth + " -E UTF8 --no-locale",
                #"printf 'host all all 0.0.0.0/0 %s\nhost all all ::/0 %s\n' "# + auth + " " + auth
                    + #" >> "$SCRATCH/data/pg_hba.conf""#,
                #"SOCKETS=$(mktemp -d /tmp/fbpg.XXXXXX)"#, #"trap 'rm -rf "$SCRATCH" "$SOCKETS"' EXIT"#,
                "announce", server,
            ]
        case .redis:
            var server = prefix + #" redis-server --bind 0.0.0.0 --port "$PORT" --save '' --protected-mode no --dir "$SCRATCH""#
            if settings["appendonly"]?.boolValue == true { server += " --appendonly yes" }
            if let memory = settings["maxmemory"]?.stringValue { server += " --maxmemory \(Shell.quote(memory))" }
            if let policy = settings["maxmemory_policy"]?.stringValue {
                server += " --maxmemory-policy \(Shell.quote(policy))"
            }
            return ["announce", server]
        case .chroma:
            return ["announce", prefix + #" chroma run --path "$SCRATCH/chroma" --host 0.0.0.0 --port "$PORT""#]
        case .vllm:
            let model = settings["model"]?.stringValue ?? "facebook/opt-125m"
            let parallel = settings["tensor_parallel_size"]?.intValue ?? 1
            return [
                "announce",
                prefix + #" vllm serve \#(Shell.quote(model)) --host 0.0.0.0 --port "$PORT" --tensor-parallel-size \#(parallel)"#,
            ]
        case .ollama:
            // The model is pulled before the service says where it is, so clients never
            // wait for a download.
            let model = settings["model"]?.stringValue ?? "llama2"
            return [
                #"export OLLAMA_HOST="0.0.0.0:$PORT" OLLAMA_MODELS="${OLLAMA_MODELS:-$HOME/.ollama/models}""#,
                prefix + " ollama serve &", "SERVER=$!",
                #"until \#(prefix) ollama list >/dev/null 2>&1; do kill -0 "$SERVER"; sleep 1; done"#,
                prefix + " ollama pull \(Shell.quote(model))", "announce", #"wait "$SERVER""#,
            ]
        case .minio:
            // MinIO reads its root user and password from the environment (service.env).
            let data = settings["data_dir"]?.stringValue.map(Shell.quote) ?? #""$SCRATCH/minio""#
            let console = settings["console_port"]?.intValue ?? 9001
            return [
                "mkdir -p \(data)", "announce",
                prefix + #" minio server \#(data) --address ":$PORT" --console-address ":\#(console)""#,
            ]
        case .qdrant:
            return [
                #"export QDRANT__STORAGE__STORAGE_PATH="$SCRATCH/qdrant" QDRANT__SERVICE__HTTP_PORT="$PORT""#,
                #"export QDRANT__SERVICE__GRPC_PORT="$("$FACTORYBENCH" node free-port)""#, "announce",
                prefix + " /qdrant/qdrant",
            ]
        case .sqlite, .nginx, .http, .generic:
            throw RecipeError.unsupported(
                recipe.locate("service.type"),
                problem: "the Slurm executor cannot deploy a \(recipe.service.type.rawValue) service: "
                    + (recipe.service.type == .sqlite
                        ? "embedded SQLite has no server to deploy; run it with configuration.target: local"
                        : "set service.command, the command that starts it ($PORT holds the port it should listen on)"))
        }
    }

    /// What `apptainer exec` gets for an image: a SIF file or a reference with its own scheme
    /// (`oras://`, `library://`) as given, else a registry image as `docker://IMAGE`.
    static func imageReference(_ image: String) -> String {
        image.hasSuffix(".sif") || image.hasPrefix("/") || image.contains("://") ? image : "docker://" + image
    }

    /// A value for an `#SBATCH` line: sbatch splits these lines itself, so only plain words
    /// are allowed — never a way out of the line.
    static func directiveValue(_ value: String, key: String) throws -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:,=+@%/[]".unicodeScalars)
        guard !value.isEmpty, value.unicodeScalars.allSatisfy({ allowed.contains($0) }) else {
            throw SlurmError.unsafeDirective(key: key, value: value)
        }
        return value
    }
}

/// Where a run's files live on the cluster, relative to the remote home directory.
public struct SlurmLayout: Sendable, Equatable {
    public var benchmarkID: String
    /// The uploaded FactoryBench executable.
    public var binary: String

    public init(benchmarkID: String, binary: String) {
        self.benchmarkID = benchmarkID
        self.binary = binary
    }

    public static let root = "factorybench"

    public var runDirectory: String { "\(Self.root)/\(benchmarkID)" }

    public func jobName(_ role: String) -> String { "fb-\(benchmarkID)-\(role)" }
}
