/// A benchmark recipe: what to deploy, which load to send and how many clients send it.
///
/// Loaded and validated by `RecipeLoader`; every later stage reads only this resolved form.
public struct Recipe: Sendable {
    /// The recipe's name: its file name without the extension.
    public var name: String
    /// The path the recipe was loaded from, as given.
    public var path: String
    /// The recipe file's text, byte for byte, kept for `run.json`.
    public var text: String
    /// An ssh alias of a Slurm login node, or `local` for this machine.
    public var target: String
    public var service: ServiceSpec
    public var client: ClientSpec
    public var numClients: Int
    /// Seconds between client starts (`benchmarks.client_delay`).
    public var clientDelay: Double = 0
    public var metrics: [String]
    /// `load:` with defaults filled in (`RecipeSchema.load`).
    public var load: [String: SettingValue] = [:]
    /// `slo:` as written.
    public var slo: [String: SettingValue] = [:]
    /// `telemetry:` with defaults filled in (`RecipeSchema.telemetry`).
    public var telemetry: [String: SettingValue] = [:]
    /// The swept keys; empty for a plain recipe.
    public var sweep: [SweepAxis] = []
    /// For one point of a sweep: the value of each swept key.
    public var sweepPoint: [String: SettingValue] = [:]
    /// `sweep: auto`: find the service's capacity with runs at rising load.
    public var autoSweep: AutoSweepSettings?
    /// Dotted paths of the values that came from defaults, not from the file.
    public var defaulted: Set<String> = []
    /// Where each key was written: `recipe.locate("service.command")`.
    public var locate: KeyLocations

    public var isLocal: Bool { target == "local" }

    /// When client `clientID` starts, in seconds after the first: `client_delay` apart.
    public func startOffset(ofClient clientID: Int) -> Double { clientDelay * Double(clientID) }

    /// The name of client `clientID`: `client.name` with its number, else `client-N`.
    public func clientName(_ clientID: Int) -> String {
        "\(client.options["name"]?.stringValue ?? "client")-\(clientID)"
    }
}

/// The `service:` section of a recipe.
public struct ServiceSpec: Sendable {
    public var type: ServiceType
    public var name: String
    /// Deployment keys beside `type` and `settings` (image, partition, env, ...), as written.
    public var options: [String: SettingValue]
    /// Type-specific settings with every default filled in.
    public var settings: [String: SettingValue]
}

/// The `client:` section of a recipe.
public struct ClientSpec: Sendable {
    public var type: ClientType
    /// Deployment keys beside `type` and `settings` (partition, time_limit, ...), as written.
    public var options: [String: SettingValue]
    /// Type-specific settings with every default filled in.
    public var settings: [String: SettingValue]
}

extension Recipe {
    /// The recipe with every default filled in, in the shape of the recipe file.
    public var resolved: SettingValue {
        var service = service.options
        service["type"] = .string(self.service.type.rawValue)
        service["name"] = .string(self.service.name)
        service["settings"] = .map(self.service.settings)
        var client = client.options
        client["type"] = .string(self.client.type.rawValue)
        client["settings"] = .map(self.client.settings)
        return .map([
            "configuration": .map(["target": .string(target)]),
            "service": .map(service),
            "client": .map(client),
            "benchmarks": .map([
                "num_clients": .int(numClients),
                "client_delay": .double(clientDelay),
                "metrics": .list(metrics.map { .string($0) }),
            ]),
            "load": .map(load),
            "slo": .map(slo),
            "telemetry": .map(telemetry),
        ])
    }
}

/// `sweep: auto` (or `sweep: {auto: {points: 8, max_error_rate: 0.01}}`): a synchronous
/// run, a maximum-throughput run, then `points` open-loop rates between their throughputs.
public struct AutoSweepSettings: Sendable, Equatable {
    public var points: Int
    /// Past this error rate the sweep stops early.
    public var maxErrorRate: Double

    public init(points: Int = 8, maxErrorRate: Double = 0.01) {
        self.points = points
        self.maxErrorRate = maxErrorRate
    }
}
