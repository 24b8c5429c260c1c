import Foundation

/// Compares two runs metric by metric (DESIGN.md, "Measurement rules"): a change is a
/// regression only when it is significant after Holm's correction over every metric tested
/// AND its confidence interval lies wholly beyond the noise threshold, on the side that is
/// worse for that metric.
public enum RunComparator {
    /// One run as a comparison reads it.
    public struct Run: Sendable {
        public var manifest: RunManifest
        public var summary: RunSummary
        public var samples: RequestSamples

        public init(manifest: RunManifest, summary: RunSummary, samples: RequestSamples) {
            self.manifest = manifest
            self.summary = summary
            self.samples = samples
        }
    }

    public static func method(_ options: ComparisonOptions) -> String {
        let confidence = Int((options.confidence * 100).rounded())
        return "Mean and median latency, and throughput from per-second counts: two-sided Mann-Whitney U test on "
            + "the samples (normal approximation with tie and continuity corrections). Tail percentiles: seeded "
            + "bootstrap (\(options.replicates) replicates of up to \(options.maximumBootstrapSample) requests per "
            + "run), p-value from the normal approximation of the replicates. Success rate: two-proportion z-test. "
            + "Change intervals: \(confidence) % percentile bootstrap of the relative change (Wald for success "
            + "rate). p-values are adjusted with Holm's method over all metrics tested; a metric regressed (or "
            + "improved) only if its adjusted p-value is below \(options.alpha) and its whole interval lies beyond "
            + "the \(Int((options.threshold * 100).rounded())) % noise threshold on the worse (or better) side."
    }

    public static func compare(base: Run, current: Run, options: ComparisonOptions = ComparisonOptions()) -> Comparison {
        var metrics: [MetricComparison] = []
        // Each metric's bootstrap gets its own stream: a seed drawn from a generator, not a
        // neighbouring state of the same SplitMix sequence.
        var seeds = SeededGenerator(seed: options.seed)
        func nextSeed() -> UInt64 { seeds.next() }

        metrics += latencyMetrics(
            prefix: "latency", key: "latency_s", base.samples.latency, current.samples.latency,
            percentiles: [50, 90, 95, 99], options: options, seed: nextSeed())
        for name in Set(base.samples.operations.keys).union(current.samples.operations.keys).sorted() {
            metrics += latencyMetrics(
                prefix: "\(name) latency", key: "operations.\(name)", base.samples.operations[name] ?? [],
                current.samples.operations[name] ?? [], percentiles: [50, 95], includeMean: false, options: options,
                seed: nextSeed())
        }
        for (name, key, b, c) in [
            ("TTFT", "llm.ttft_s", base.samples.ttft, current.samples.ttft),
            ("TPOT", "llm.tpot_s", base.samples.tpot, current.samples.tpot),
            ("ITL", "llm.itl_s", base.samples.itl, current.samples.itl),
        ] where !b.isEmpty || !c.isEmpty {
            metrics += latencyMetrics(
                prefix: name, key: key, b, c, percentiles: [50, 95], includeMean: false, options: options, seed: nextSeed())
        }
        metrics.append(
            rateMetric(
                name: "throughput", key: "requests_per_second", unit: "req/s", perSecond(base.summary, \.completed),
                perSecond(current.summary, \.completed), options: options, seed: nextSeed()))
        if base.summary.llm != nil || current.summary.llm != nil {
            metrics.append(
                rateMetric(
                    name: "output tokens/s", key: "tokens_per_second", unit: "tokens/s",
                    perSecond(base.summary) { $0.outputTokens ?? 0 }, perSecond(current.summary) { $0.outputTokens ?? 0 },
                    options: options, seed: nextSeed()))
        }
        metrics.append(successRate(base.summary, current.summary, options: options))
        adjustAndJudge(&metrics, options: options)
        return Comparison(
            base: reference(base.manifest), current: reference(current.manifest), threshold: options.threshold,
            alpha: options.alpha, confidence: options.confidence, replicates: options.replicates, seed: options.seed,
            method: method(options), differences: differences(base.manifest, current.manifest), metrics: metrics)
    }

    // MARK: - Metrics

    static func latencyMetrics(
        prefix: String, key: String, _ base: [Double], _ current: [Double], percentiles: [Double],
        includeMean: Bool = true, options: ComparisonOptions, seed: UInt64
    ) -> [MetricComparison] {
        var statistics: [(name: String, key: String, statistic: Bootstrap.Statistic, rankTest: Bool)] = []
        if includeMean {
            statistics.append(("\(prefix) mean", "\(key).avg", { values in values.reduce(0, +) / Double(values.count) }, true))
        }
        for p in percentiles {
            let label = p == p.rounded() ? String(Int(p)) : String(p)
            statistics.append(
                (
                    "\(prefix) p\(label)", "\(key).p\(label)",
                    { values in Selection.percentiles(of: &values, [p])[p] ?? .nan }, p == 50
                ))
        }
        let comparable = base.count >= options.minimumSamples && current.count >= options.minimumSamples
        let intervals =
            comparable
            ? Bootstrap.relativeChanges(
                base: base, current: current, statistics: statistics.map(\.statistic), replicates: options.replicates,
                confidence: options.confidence, maximumSample: options.maximumBootstrapSample, seed: seed)
            : statistics.map { _ in nil }
        let rankTest = comparable ? MannWhitney.test(base, current) : nil
        return statistics.enumerated().map { index, entry in
            var b = base
            var c = current
            let baseValue = b.isEmpty ? nil : entry.statistic(&b)
            let currentValue = c.isEmpty ? nil : entry.statistic(&c)
            let interval = intervals[index]
            var metric = MetricComparison(
                name: entry.name, key: entry.key, unit: "s", polarity: .smallerIsBetter, base: baseValue,
                current: currentValue, change: relative(baseValue, currentValue), changeLower: interval?.lower,
                changeUpper: interval?.upper, test: entry.rankTest ? "Mann-Whitney U" : "bootstrap",
                p: entry.rankTest ? rankTest?.p : interval?.p, adjustedP: nil, baseSamples: base.count,
                currentSamples: current.count, verdict: .notComparable, note: nil)
            if !comparable {
                metric.note = "fewer than \(options.minimumSamples) successful requests on one side"
            }
            return metric
        }
    }

    /// Per-second counts of a run, without its first and last second (both partial).
    static func perSecond(_ summary: RunSummary, _ value: (TimeseriesPoint) -> Int) -> [Double] {
        let points = summary.timeseries
        guard points.count > 2 else { return points.map { Double(value($0)) } }
        return points.dropFirst().dropLast().map { Double(value($0)) }
    }

    static func perSecond(_ summary: RunSummary, _ path: KeyPath<TimeseriesPoint, Int>) -> [Double] {
        perSecond(summary) { $0[keyPath: path] }
    }

    static func rateMetric(
        name: String, key: String, unit: String, _ base: [Double], _ current: [Double], options: ComparisonOptions,
        seed: UInt64
    ) -> MetricComparison {
        // Per-second samples are few: a minimum of 5 seconds a side.
        let comparable = base.count >= 5 && current.count >= 5
        let mean: Bootstrap.Statistic = { values in values.reduce(0, +) / Double(values.count) }
        let interval =
            comparable
            ? Bootstrap.relativeChanges(
                base: base, current: current, statistics: [mean], replicates: options.replicates,
                confidence: options.confidence, maximumSample: options.maximumBootstrapSample, seed: seed)[0] : nil
        let baseValue = base.isEmpty ? nil : base.reduce(0, +) / Double(base.count)
        let currentValue = current.isEmpty ? nil : current.reduce(0, +) / Double(current.count)
        return MetricComparison(
            name: name, key: key, unit: unit, polarity: .largerIsBetter, base: baseValue, current: currentValue,
            change: relative(baseValue, currentValue), changeLower: interval?.lower, changeUpper: interval?.upper,
            test: "Mann-Whitney U", p: comparable ? MannWhitney.test(base, current)?.p : nil, adjustedP: nil,
            baseSamples: base.count, currentSamples: current.count, verdict: .notComparable,
            note: comparable ? nil : "fewer than 5 whole seconds on one side")
    }

    /// Two-proportion z-test of the success rates, with a Wald interval of the difference.
    static func successRate(_ base: RunSummary, _ current: RunSummary, options: ComparisonOptions) -> MetricComparison {
        let (n1, n2) = (Double(base.totalRequests), Double(current.totalRequests))
        var metric = MetricComparison(
            name: "success rate", key: "success_rate", unit: "%", polarity: .largerIsBetter,
            base: base.totalRequests > 0 ? base.successRate : nil,
            current: current.totalRequests > 0 ? current.successRate : nil,
            change: nil, changeLower: nil, changeUpper: nil, test: "two-proportion z", p: nil, adjustedP: nil,
            baseSamples: base.totalRequests, currentSamples: current.totalRequests, verdict: .notComparable, note: nil)
        guard n1 >= Double(options.minimumSamples), n2 >= Double(options.minimumSamples) else {
            metric.note = "fewer than \(options.minimumSamples) requests on one side"
            return metric
        }
        let (p1, p2) = (Double(base.successfulRequests) / n1, Double(current.successfulRequests) / n2)
        let pooled = (Double(base.successfulRequests) + Double(current.successfulRequests)) / (n1 + n2)
        let standardError = (pooled * (1 - pooled) * (1 / n1 + 1 / n2)).squareRoot()
        metric.p = standardError > 0 ? erfc(abs(p2 - p1) / standardError / 2.0.squareRoot()) : (p1 == p2 ? 1 : 0)
        guard p1 > 0 else {
            metric.note = "the base run had no successful request"
            return metric
        }
        let z = normalQuantile(1 - (1 - options.confidence) / 2)
        let waldError = (p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2).squareRoot()
        metric.change = (p2 - p1) / p1
        metric.changeLower = (p2 - p1 - z * waldError) / p1
        metric.changeUpper = (p2 - p1 + z * waldError) / p1
        return metric
    }

    /// Holm's step-down adjustment (Holm, Scand. J. Statist. 6, 1979), then the verdicts.
    static func adjustAndJudge(_ metrics: inout [MetricComparison], options: ComparisonOptions) {
        let tested = metrics.indices.filter { metrics[$0].p != nil && metrics[$0].note == nil }
            .sorted { (metrics[$0].p!, $0) < (metrics[$1].p!, $1) }
        var running = 0.0
        for (rank, index) in tested.enumerated() {
            running = max(running, min(1, Double(tested.count - rank) * metrics[index].p!))
            metrics[index].adjustedP = running
        }
        for index in metrics.indices {
            metrics[index].verdict = verdict(metrics[index], options: options)
        }
    }

    static func verdict(_ metric: MetricComparison, options: ComparisonOptions) -> Verdict {
        guard metric.note == nil, let adjusted = metric.adjustedP, let lower = metric.changeLower,
            let upper = metric.changeUpper
        else { return .notComparable }
        guard adjusted < options.alpha else { return .noSignificantChange }
        let (worse, better): (Bool, Bool)
        switch metric.polarity {
        case .smallerIsBetter: (worse, better) = (lower > options.threshold, upper < -options.threshold)
        case .largerIsBetter: (worse, better) = (upper < -options.threshold, lower > options.threshold)
        }
        return worse ? .regressed : better ? .improved : .noSignificantChange
    }

    static func relative(_ base: Double?, _ current: Double?) -> Double? {
        guard let base, let current, base != 0 else { return nil }
        return (current - base) / base
    }

    /// The standard normal quantile, by bisection on erfc (precise to 1e-12; called rarely).
    static func normalQuantile(_ probability: Double) -> Double {
        var (low, high) = (-40.0, 40.0)
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if 0.5 * erfc(-middle / 2.0.squareRoot()) < probability { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    // MARK: - What changed

    static func reference(_ manifest: RunManifest) -> ComparedRun {
        ComparedRun(
            id: manifest.benchmarkID, recipeName: manifest.recipeName, startedAt: manifest.startedAt,
            status: manifest.status)
    }

    /// Every set-up value that differs: the resolved recipes, key by key, then the tool,
    /// the host and the service version.
    static func differences(_ base: RunManifest, _ current: RunManifest) -> [SetupDifference] {
        var a = flatten(base.recipeResolved, prefix: "recipe")
        var b = flatten(current.recipeResolved, prefix: "recipe")
        for (key, value) in [
            ("recipe name", \RunManifest.recipeName), ("tool version", \.toolVersion), ("host", \.host),
            ("target", \.target), ("executor", \.executor),
        ] as [(String, KeyPath<RunManifest, String>)] {
            a[key] = base[keyPath: value]
            b[key] = current[keyPath: value]
        }
        a["tool commit"] = base.toolCommit ?? "unknown"
        b["tool commit"] = current.toolCommit ?? "unknown"
        a["service version"] = base.service?.version ?? "unknown"
        b["service version"] = current.service?.version ?? "unknown"
        return Set(a.keys).union(b.keys).sorted().compactMap { key in
            let (x, y) = (a[key] ?? "(absent)", b[key] ?? "(absent)")
            return x == y ? nil : SetupDifference(key: key, base: x, current: y)
        }
    }

    static func flatten(_ value: SettingValue, prefix: String) -> [String: String] {
        switch value {
        case .map(let entries):
            var result: [String: String] = [:]
            for (key, child) in entries { result.merge(flatten(child, prefix: "\(prefix).\(key)")) { a, _ in a } }
            return result
        case .list(let items):
            return [prefix: "[" + items.map { describe($0) }.joined(separator: ", ") + "]"]
        default:
            return [prefix: describe(value)]
        }
    }

    static func describe(_ value: SettingValue) -> String {
        switch value {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .bool(let flag): return String(flag)
        case .null: return "null"
        case .list, .map:
            return flatten(value, prefix: "").sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        }
    }
}
