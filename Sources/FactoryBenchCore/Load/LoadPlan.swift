/// How one client sends its requests, read from a recipe's `load:` section: closed or open
/// loop, in-flight slots, the arrival schedule, when to stop and which requests are warm-up
/// or cool-down. The load engine follows it; the clients only say how to send one request.
public struct LoadPlan: Sendable, Equatable {
    public enum Mode: String, Sendable {
        /// `concurrency` requests in flight, each starting when the previous one ends.
        case closed
        /// Requests start at times scheduled in advance from `rate`, whatever the server does.
        case open
    }

    /// A warm-up or cool-down window, or the measured part: a request count or a time.
    public enum Window: Sendable, Equatable {
        case requests(Int)
        case seconds(Double)

        /// Whether a phase that has started `count` requests over `elapsed` seconds is over.
        func isOver(count: Int, elapsed: Double) -> Bool {
            switch self {
            case .requests(let limit): return count >= limit
            case .seconds(let limit): return elapsed >= limit
            }
        }

        static func from(_ value: SettingValue?) -> Window {
            switch value {
            case .int(let count): return .requests(count)
            case .double(let seconds): return .seconds(seconds)
            default: return .requests(0)
            }
        }
    }

    public var mode: Mode
    /// Closed loop: requests in flight. Open loop: the cap on requests in flight; a request
    /// due while every slot is busy is recorded as dropped.
    public var concurrency: Int
    /// Open loop: the schedule of intended start times.
    public var arrivals: ArrivalSchedule?
    public var warmup: Window
    /// The measured part: `num_requests` or `duration`.
    public var measured: Window
    public var cooldown: Window
    /// Closed loop: slots start one by one over this time.
    public var rampUpSeconds: Double
    public var seed: UInt64
    /// Threads of the polling engine (`load.threads`); nil: one per core.
    public var threads: Int?

    public init(
        mode: Mode, concurrency: Int, arrivals: ArrivalSchedule?, warmup: Window, measured: Window,
        cooldown: Window, rampUpSeconds: Double, seed: UInt64
    ) {
        self.mode = mode
        self.concurrency = max(concurrency, 1)
        self.arrivals = arrivals
        self.warmup = warmup
        self.measured = measured
        self.cooldown = cooldown
        self.rampUpSeconds = rampUpSeconds
        self.seed = seed
    }

    /// The plan a recipe's `load:` gives. `measured` falls back to the client's own count
    /// (its settings' `num_requests`, say) when `load:` sets neither `num_requests` nor `duration`.
    public init(load: [String: SettingValue], defaultMeasured: Window) {
        let mode = Mode(rawValue: load["mode"]?.stringValue ?? "closed") ?? .closed
        let seed = UInt64(truncatingIfNeeded: load["seed"]?.intValue ?? 42)
        let rampUp = load["ramp_up"]?.doubleValue ?? 0
        var arrivals: ArrivalSchedule?
        if mode == .open, let rate = load["rate"]?.doubleValue {
            let arrival: ArrivalSchedule.Arrival
            switch load["arrival"]?.stringValue {
            case "poisson": arrival = .poisson
            case "gamma": arrival = .gamma(shape: load["burstiness"]?.doubleValue ?? 1)
            default: arrival = .constant
            }
            arrivals = ArrivalSchedule(rate: rate, arrival: arrival, rampUpSeconds: rampUp, seed: seed)
        }
        let measured: Window
        if let duration = load["duration"]?.doubleValue {
            measured = .seconds(duration)
        } else if let count = load["num_requests"]?.intValue {
            measured = .requests(count)
        } else {
            measured = defaultMeasured
        }
        self.init(
            mode: mode, concurrency: load["concurrency"]?.intValue ?? 1, arrivals: arrivals,
            warmup: .from(load["warmup"]), measured: measured, cooldown: .from(load["cooldown"]),
            rampUpSeconds: mode == .closed ? rampUp : 0, seed: seed)
        threads = load["threads"]?.intValue
    }

    /// The client's own count or duration: `duration` (seconds) when its settings have one,
    /// else `num_requests`, else `fallback`.
    public static func measuredWindow(settings: [String: SettingValue], fallback: Int) -> Window {
        if let duration = settings["duration"]?.doubleValue { return .seconds(duration) }
        return .requests(settings["num_requests"]?.intValue ?? fallback)
    }

    /// Requests one client sends, when every window is a count.
    public var totalRequests: Int? {
        guard case .requests(let warm) = warmup, case .requests(let main) = measured,
            case .requests(let cool) = cooldown
        else { return nil }
        return warm + main + cool
    }

    /// Seconds one client runs, when every window is a time.
    public var totalSeconds: Double? {
        guard case .seconds(let warm) = warmup, case .seconds(let main) = measured,
            case .seconds(let cool) = cooldown
        else {
            if case .seconds(let main) = measured, warmup == .requests(0), cooldown == .requests(0) { return main }
            return nil
        }
        return warm + main + cool
    }
}

extension LoadPlan {
    /// The old framework's `warmup_delay` client setting: seconds a client waits before its
    /// first request.
    public static func waitWarmupDelay(settings: [String: SettingValue]) async throws {
        let delay = settings["warmup_delay"]?.doubleValue ?? 0
        if delay > 0 { try await Task.sleep(for: .milliseconds(Int(delay * 1000))) }
    }
}
