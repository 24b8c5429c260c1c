import Dispatch
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import FactoryBenchCore

@Suite struct MannWhitneyTests {
    struct Reference: Decodable {
        struct Case: Decodable {
            var name: String
            var a: [Double]
            var b: [Double]
            var u: Double
            var p: Double
        }
        var cases: [Case]
    }

    @Test func matchesScipy() throws {
        let reference = try JSONDecoder().decode(
            Reference.self, from: Data(contentsOf: Fixtures.url("scipy_mannwhitney.json")))
        #expect(reference.cases.count == 4)
        for entry in reference.cases {
            let result = try #require(MannWhitney.test(entry.a, entry.b))
            #expect(result.u == entry.u, "\(entry.name)")
            #expect(abs(result.p - entry.p) <= 1e-12 * max(1, entry.p) + 1e-15, "\(entry.name): \(result.p) vs \(entry.p)")
        }
        #expect(MannWhitney.test([], [1]) == nil)
    }
}

/// Seeded synthetic runs: lognormal latencies, the way request latencies look.
enum SyntheticRun {
    static func latencies(count: Int, scale: Double, seed: UInt64) -> [Double] {
        var random = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            // Box-Muller for a normal deviate, then exp: median 1 ms, shape 0.5.
            let u1 = Double.random(in: Double.ulpOfOne..<1, using: &random)
            let u2 = Double.random(in: 0..<1, using: &random)
            let normal = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
            return 0.001 * scale * exp(0.5 * normal)
        }
    }

    static func run(id: String, latencies: [Double]) throws -> RunComparator.Run {
        let records = latencies.enumerated().map { index, latency in
            RequestRecord(
                requestID: "\(index)", clientID: 0, serviceType: "sqlite", timestampStart: 1_700_000_000 + Double(index) * 0.01,
                timestampEnd: 1_700_000_000 + Double(index) * 0.01 + latency, latencySeconds: latency, success: true)
        }
        let manifest = RunManifest(
            benchmarkID: id, recipeName: "synthetic", recipePath: "synthetic.yaml", recipeVerbatim: "",
            recipeResolved: .map([:]), serviceType: "sqlite", clientType: "sqlite_stress", numClients: 1, target: "local",
            executor: "local", host: "test", toolVersion: "0", toolCommit: nil, workspaceCommit: nil,
            startedAt: "2026-11-29T00:00:00Z", finishedAt: nil, status: .completed, statusReason: nil, service: nil,
            clients: [], steps: [])
        return RunComparator.Run(
            manifest: manifest, summary: try RecordFile.summary(of: records), samples: RequestSamples(latency: latencies))
    }
}

@Suite struct ComparatorTrialTests {
    var options: ComparisonOptions {
        var options = ComparisonOptions()
        options.replicates = 100
        return options
    }

    /// Runs `trials` seeded pairs of `count` lognormal latencies each, the current ones
    /// scaled by `shift`, and counts the verdicts. `full` compares whole runs (every metric,
    /// Holm-corrected: a trial counts as regressed if any metric regressed); otherwise only
    /// the median is tested, which keeps the many trials fast.
    func trials(_ trials: Int, count: Int, shift: Double, full: Bool = false) -> [Verdict: Int] {
        let tally = Mutex<[Verdict: Int]>([:])
        let options = options
        DispatchQueue.concurrentPerform(iterations: trials) { trial in
            let a = SyntheticRun.latencies(count: count, scale: 1, seed: UInt64(2 * trial + 1))
            let b = SyntheticRun.latencies(count: count, scale: shift, seed: UInt64(2 * trial + 2))
            let verdict: Verdict
            if full {
                guard let base = try? SyntheticRun.run(id: "a", latencies: a),
                    let current = try? SyntheticRun.run(id: "b", latencies: b)
                else {
                    Issue.record("trial \(trial): the synthetic runs could not be aggregated")
                    return
                }
                let comparison = RunComparator.compare(base: base, current: current, options: options)
                verdict = comparison.hasRegression ? .regressed : .noSignificantChange
            } else {
                var metrics = RunComparator.latencyMetrics(
                    prefix: "latency", key: "latency_s", a, b, percentiles: [50], includeMean: false, options: options,
                    seed: UInt64(trial))
                RunComparator.adjustAndJudge(&metrics, options: options)
                verdict = metrics[0].verdict
            }
            tally.withLock { $0[verdict, default: 0] += 1 }
        }
        return tally.withLock { $0 }
    }

    @Test func sameDistributionsAreAlmostNeverCalledRegressions() {
        let tally = trials(200, count: 500, shift: 1, full: true)
        #expect(tally[.regressed, default: 0] <= 2, "\(tally)")
    }

    @Test func aTenPercentShiftIsDetected() {
        let slower = trials(100, count: 5000, shift: 1.10)
        #expect(slower[.regressed, default: 0] >= 95, "\(slower)")
        let faster = trials(40, count: 5000, shift: 1 / 1.10)
        #expect(faster[.improved, default: 0] >= 38, "\(faster)")
    }

    @Test func aTwoPercentShiftUnderTheThresholdIsNeverARegression() {
        let tally = trials(100, count: 5000, shift: 1.02)
        #expect(tally[.regressed, default: 0] == 0, "\(tally)")
    }

    @Test func theSameInputsGiveTheSameComparison() throws {
        let base = try SyntheticRun.run(id: "a", latencies: SyntheticRun.latencies(count: 300, scale: 1, seed: 1))
        let current = try SyntheticRun.run(id: "b", latencies: SyntheticRun.latencies(count: 300, scale: 1.3, seed: 2))
        let first = try AtomicFile.encodeJSON(RunComparator.compare(base: base, current: current, options: options))
        let second = try AtomicFile.encodeJSON(RunComparator.compare(base: base, current: current, options: options))
        #expect(first == second)
        let comparison = RunComparator.compare(base: base, current: current, options: options)
        #expect(comparison.metrics.first { $0.name == "latency p50" }?.verdict == .regressed)
        #expect(comparison.metrics.first { $0.name == "latency p50" }?.polarity == .smallerIsBetter)
        #expect(comparison.metrics.first { $0.name == "throughput" }?.polarity == .largerIsBetter)
        #expect(comparison.hasRegression)
    }

    @Test func tooFewSamplesAreNotComparable() throws {
        let base = try SyntheticRun.run(id: "a", latencies: SyntheticRun.latencies(count: 10, scale: 1, seed: 1))
        let current = try SyntheticRun.run(id: "b", latencies: SyntheticRun.latencies(count: 10, scale: 3, seed: 2))
        let comparison = RunComparator.compare(base: base, current: current, options: options)
        let p50 = comparison.metrics.first { $0.name == "latency p50" }
        #expect(p50?.verdict == .notComparable)
        #expect(p50?.note?.contains("fewer than 20") == true)
        #expect(!comparison.hasRegression)
    }
}
