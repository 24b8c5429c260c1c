/// When a client stops: after a request count, or after a duration when the recipe sets one.
public struct LoadStop: Sendable, Equatable {
    public var requests: Int?
    public var durationSeconds: Double?

    public init(requests: Int?, durationSeconds: Double?) {
        self.requests = requests
        self.durationSeconds = durationSeconds
    }

    /// A recipe's stop: `load.duration` or `load.num_requests` when given, else the client
    /// settings' `duration` or `num_requests`.
    public init(recipe: Recipe) {
        if let duration = recipe.load["duration"]?.doubleValue {
            self.init(requests: nil, durationSeconds: duration)
        } else if let count = recipe.load["num_requests"]?.intValue {
            self.init(requests: count, durationSeconds: nil)
        } else {
            self.init(settings: recipe.client.settings)
        }
    }

    /// Reads `duration` (seconds), else `num_requests`, from a client's settings.
    public init(settings: [String: SettingValue]) {
        if let duration = settings["duration"]?.doubleValue {
            self.init(requests: nil, durationSeconds: duration)
        } else {
            self.init(requests: settings["num_requests"]?.intValue ?? 1, durationSeconds: nil)
        }
    }

    func deadline(from startNanoseconds: UInt64) -> UInt64? {
        durationSeconds.map { startNanoseconds + UInt64($0 * 1e9) }
    }

    func shouldContinue(sent: Int, now: UInt64, deadline: UInt64?) -> Bool {
        if let deadline { return now < deadline }
        return sent < (requests ?? 0)
    }
}
