import Foundation

/// What a load sweep says about a service: its capacity (saturation), where its tail latency
/// turns up (the knee), and the highest load that meets every objective (the SLO limit) —
/// each with the method that found it, and a hint of what limited the service.
public struct SweepAnalysis: Sendable, Codable, Equatable {
    /// One run of the sweep, as the analysis sees it.
    public struct Point: Sendable, Codable, Equatable {
        public var runID: String
        /// Open loop: requests per second offered by all clients together; nil for a closed
        /// loop (its load is `concurrency` requests in flight).
        public var offeredRate: Double?
        /// Requests in flight at most: clients × `load.concurrency`.
        public var concurrency: Int
        /// Achieved requests per second (measured requests over the run's duration).
        public var throughput: Double
        /// Seconds.
        public var p50: Double?
        public var p99: Double?
        /// Failed over all measured requests, 0 to 1.
        public var errorRate: Double
        public var goodput: Double?
        /// With objectives: whether the run met every one, and its smallest headroom (a
        /// fraction of the target: 0.2 is 20 % below a latency limit).
        public var meetsObjectives: Bool?
        public var headroom: Double?
        /// The load generator's own warning, when it may have been the bottleneck.
        public var generatorWarning: String?
        /// The median latency of the run's last third of seconds over that of its first
        /// third (3 seconds or more): above 1 the service fell behind as the run went on.
        public var latencyGrowth: Double?
        /// What the run's telemetry saw at its limit (the service's CPU, a GPU, Redis's
        /// memory, ...), one sentence each.
        public var atLimit: [String]?

        public init(
            runID: String, offeredRate: Double?, concurrency: Int, throughput: Double, p50: Double?, p99: Double?,
            errorRate: Double, goodput: Double? = nil, meetsObjectives: Bool? = nil, headroom: Double? = nil,
            generatorWarning: String? = nil
        ) {
            self.runID = runID
            self.offeredRate = offeredRate
            self.concurrency = concurrency
            self.throughput = throughput
            self.p50 = p50
            self.p99 = p99
            self.errorRate = errorRate
            self.goodput = goodput
            self.meetsObjectives = meetsObjectives
            self.headroom = headroom
            self.generatorWarning = generatorWarning
        }

        /// The load of the point on the sweep's axis: the offered rate, else (closed loop) the
        /// throughput it achieved.
        public var load: Double { offeredRate ?? throughput }

        enum CodingKeys: String, CodingKey {
            case runID = "run_id"
            case offeredRate = "offered_rate"
            case concurrency, throughput, p50, p99
            case errorRate = "error_rate"
            case goodput
            case meetsObjectives = "meets_objectives"
            case headroom
            case generatorWarning = "generator_warning"
            case latencyGrowth = "latency_growth"
            case atLimit = "at_limit"
        }
    }

    public struct Saturation: Sendable, Codable, Equatable {
        /// The highest achieved requests per second of the sweep.
        public var throughput: Double
        /// The load offered where it was reached (nil: a closed-loop point).
        public var offeredRate: Double?
        public var runID: String
        public var method: String

        enum CodingKeys: String, CodingKey {
            case throughput
            case offeredRate = "offered_rate"
            case runID = "run_id"
            case method
        }
    }

    public struct Knee: Sendable, Codable, Equatable {
        /// The load (see `Point.load`) of the point where p99 latency turns up.
        public var load: Double
        public var p99: Double
        public var runID: String
        public var method: String

        enum CodingKeys: String, CodingKey {
            case load, p99
            case runID = "run_id"
            case method
        }
    }

    public struct SLOLimit: Sendable, Codable, Equatable {
        /// The highest load at which the run met every objective.
        public var load: Double
        public var throughput: Double
        /// The smallest headroom to an objective there, in percent.
        public var headroomPercent: Double?
        public var runID: String
        public var method: String

        enum CodingKeys: String, CodingKey {
            case load, throughput
            case headroomPercent = "headroom_percent"
            case runID = "run_id"
            case method
        }
    }

    /// The points, by load.
    public var points: [Point]
    public var saturation: Saturation?
    public var knee: Knee?
    public var sloLimit: SLOLimit?
    /// One sentence on what limited the service at saturation, from the runs' own data.
    public var bottleneck: String?

    enum CodingKeys: String, CodingKey {
        case points, saturation, knee
        case sloLimit = "slo_limit"
        case bottleneck
    }

    public static let saturationMethod =
        "the highest achieved throughput among the points, and the load offered at that point"
    public static let kneeMethod =
        "maximum curvature of p99 latency against load, both min-max normalised, derivatives by central "
        + "differences over the points in load order (numpy.gradient), end points excluded; needs 3 points "
        + "and a p99 that grows by a fifth or more"
    public static let sloMethod =
        "the highest load whose run met every slo objective (headroom: the smallest margin to an objective, "
        + "relative to it)"

    /// Analyses `points` (any order).
    public init(points: [Point], maxErrorRate: Double = 0.01) {
        let sorted = points.sorted { ($0.load, $0.runID) < ($1.load, $1.runID) }
        self.points = sorted
        if let best = sorted.max(by: { $0.throughput < $1.throughput }), best.throughput > 0 {
            saturation = Saturation(
                throughput: best.throughput, offeredRate: best.offeredRate, runID: best.runID, method: Self.saturationMethod)
        }
        let latencyPoints = sorted.filter { $0.p99 != nil }
        if let index = Self.kneeIndex(x: latencyPoints.map(\.load), y: latencyPoints.compactMap(\.p99)) {
            let point = latencyPoints[index]
            knee = Knee(load: point.load, p99: point.p99 ?? 0, runID: point.runID, method: Self.kneeMethod)
        }
        if let limit = sorted.last(where: { $0.meetsObjectives == true }) {
            sloLimit = SLOLimit(
                load: limit.load, throughput: limit.throughput, headroomPercent: limit.headroom.map { $0 * 100 },
                runID: limit.runID, method: Self.sloMethod)
        }
        bottleneck = Self.bottleneck(sorted, saturation: saturation, maxErrorRate: maxErrorRate)
    }

    /// The old framework's knee: the index of the interior point of greatest curvature of
    /// (x, y), both scaled to [0, 1]; nil under 3 points, when the curve is straight or when
    /// y (a latency) grows by less than a fifth.
    public static func kneeIndex(x: [Double], y: [Double]) -> Int? {
        guard x.count == y.count, x.count >= 3 else { return nil }
        func normalised(_ values: [Double]) -> [Double] {
            let (low, high) = (values.min() ?? 0, values.max() ?? 0)
            return values.map { ($0 - low) / (high - low + 1e-10) }
        }
        // numpy.gradient with unit spacing: one-sided at the ends, central inside.
        func gradient(_ values: [Double]) -> [Double] {
            values.indices.map { index in
                if index == 0 { return values[1] - values[0] }
                if index == values.count - 1 { return values[index] - values[index - 1] }
                return (values[index + 1] - values[index - 1]) / 2
            }
        }
        let (dx, dy) = (gradient(normalised(x)), gradient(normalised(y)))
        let (ddx, ddy) = (gradient(dx), gradient(dy))
        let curvature = x.indices.map { index in
            abs(dx[index] * ddy[index] - dy[index] * ddx[index])
                / pow(dx[index] * dx[index] + dy[index] * dy[index] + 1e-10, 1.5)
        }
        var best = 1
        for index in 1..<(x.count - 1) where curvature[index] > curvature[best] { best = index }
        // A straight line bends nowhere: no knee (its curvature is rounding noise); nor has a
        // latency that does not grow (under a fifth from lowest to highest: noise, which the
        // normalisation would blow up to a curve).
        let (low, high) = (y.min() ?? 0, y.max() ?? 0)
        guard high >= low * 1.2 else { return nil }
        return curvature[best] > 1e-6 ? best : nil
    }

    /// What the runs say limited the service at its highest throughput.
    static func bottleneck(_ points: [Point], saturation: Saturation?, maxErrorRate: Double) -> String? {
        guard let saturation, let point = points.first(where: { $0.runID == saturation.runID }) else { return nil }
        if let warning = point.generatorWarning {
            return "the load generator, not the service, may have set the ceiling: " + warning
        }
        // What sat at its limit where throughput peaked (or at the first point past it).
        let past = points.first { $0.load > point.load }
        if let limit = point.atLimit?.first ?? past?.atLimit?.first {
            return "the service's resources (telemetry): " + limit
        }
        if let failing = points.first(where: { $0.errorRate > maxErrorRate }) {
            return String(
                format: "errors: %.1f %% of requests failed from %@ on (limit %.1f %%)", failing.errorRate * 100,
                Self.loadText(failing), maxErrorRate * 100)
        }
        let beyond = points.filter { $0.load > point.load }
        if let next = beyond.first, next.throughput < point.throughput * 1.02 {
            let sampled = point.atLimit != nil
            return "the service: more offered load (\(Self.loadText(next))) brought no more throughput; "
                + (sampled
                    ? "no resource its telemetry sampled sat at its limit (a lock, a queue or the network may have)"
                    : "its CPU, GPU and server statistics would say which resource (sample them with telemetry)")
        }
        return nil
    }

    static func loadText(_ point: Point) -> String {
        point.offeredRate.map { String(format: "%.1f req/s offered", $0) } ?? "\(point.concurrency) in flight"
    }
}

extension SweepAnalysis.Point {
    /// A run as a point: its load from the recipe it ran, its results from its summary, its
    /// objectives from the recipe's `slo`.
    public init(manifest: RunManifest, summary: RunSummary) {
        let recipe = manifest.recipeResolved.mapValue ?? [:]
        let load = recipe["load"]?.mapValue ?? [:]
        let clients = recipe["benchmarks"]?.mapValue?["num_clients"]?.intValue ?? manifest.numClients
        let open = load["mode"]?.stringValue == "open"
        let measured = summary.totalRequests
        var meets: Bool?
        var headroom: Double?
        if let verdict = ServiceLevelObjectives(manifest: manifest).verdict(summary) {
            meets = verdict.failed == 0 && verdict.withoutData == 0
            headroom = verdict.objectives.compactMap { result -> Double? in
                guard let actual = result.actual, result.target > 0 else { return nil }
                return result.key == "min_requests_per_second"
                    ? (actual - result.target) / result.target : (result.target - actual) / result.target
            }.min()
        }
        self.init(
            runID: manifest.benchmarkID,
            offeredRate: open ? load["rate"]?.doubleValue.map { $0 * Double(max(clients, 1)) } : nil,
            concurrency: max(clients, 1) * (load["concurrency"]?.intValue ?? 1), throughput: summary.requestsPerSecond,
            p50: summary.latency?.p50, p99: summary.latency?.p99,
            errorRate: measured > 0 ? Double(summary.failedRequests) / Double(measured) : 0,
            goodput: summary.goodput?.requestsPerSecond, meetsObjectives: meets, headroom: headroom,
            generatorWarning: summary.loadGenerator?.warning)
        latencyGrowth = Self.latencyGrowth(summary.timeseries)
        atLimit = summary.telemetry.map { $0.atLimit.map(\.message) }
    }

    /// Mean per-second median latency of the last third of the seconds over the first
    /// third's; nil under 3 seconds with latencies.
    static func latencyGrowth(_ timeseries: [TimeseriesPoint]) -> Double? {
        let medians = timeseries.compactMap(\.p50Latency)
        guard medians.count >= 3 else { return nil }
        let third = medians.count / 3
        let first = medians.prefix(third).reduce(0, +) / Double(third)
        let last = medians.suffix(third).reduce(0, +) / Double(third)
        return first > 0 ? last / first : nil
    }
}
