import Foundation
import Testing

@testable import FactoryBenchCore

/// The sweep analysis on curves whose answers are known (the knee's as numpy computes the
/// old framework's rule on the same points).
struct SweepAnalysisTests {
    func point(_ load: Double, _ throughput: Double, p99: Double?, errors: Double = 0, meets: Bool? = nil) -> SweepAnalysis.Point
    {
        SweepAnalysis.Point(
            runID: "r\(Int(load))", offeredRate: load, concurrency: 1, throughput: throughput, p50: p99.map { $0 / 2 },
            p99: p99, errorRate: errors, meetsObjectives: meets, headroom: meets == true ? 0.25 : nil)
    }

    @Test func theKneeIsThePointOfGreatestCurvature() {
        // numpy: curvature [.042 .042 .042 .338 2.76 5.29 .359 .086] -> index 5 (load 600).
        #expect(
            SweepAnalysis.kneeIndex(
                x: [100, 200, 300, 400, 500, 600, 700, 800], y: [10, 10, 10.5, 11, 12, 20, 80, 300]) == 5)
        // Uneven loads: [2.46 1.45 3.63 3.53 .26 .07], interior maximum at index 2.
        #expect(SweepAnalysis.kneeIndex(x: [1, 2, 4, 8, 16, 32], y: [5, 5, 6, 9, 40, 200]) == 2)
        // A straight line bends nowhere; two points are not a curve.
        #expect(SweepAnalysis.kneeIndex(x: [100, 200, 300, 400], y: [1, 2, 3, 4]) == nil)
        #expect(SweepAnalysis.kneeIndex(x: [1, 2], y: [1, 9]) == nil)
        // A p99 that barely moves has no knee, however the noise bends.
        #expect(SweepAnalysis.kneeIndex(x: [48.1, 48.2, 48.3, 48.4], y: [0.0213, 0.0233, 0.0250, 0.0236]) == nil)
    }

    /// A service of capacity 500 req/s: throughput follows the offered load up to it, then
    /// stays; p99 turns up as the queue grows; objectives hold up to 400 req/s.
    @Test func saturationKneeAndSLOLimitOfAServiceOfKnownCapacity() throws {
        let points = [
            point(600, 497, p99: 0.020, meets: false), point(100, 100, p99: 0.010, meets: true),
            point(300, 300, p99: 0.0105, meets: true), point(500, 499, p99: 0.012, meets: false),
            point(200, 200, p99: 0.010, meets: true), point(400, 400, p99: 0.011, meets: true),
            point(800, 498, p99: 0.300, meets: false), point(700, 496, p99: 0.080, meets: false),
        ]
        let analysis = SweepAnalysis(points: points)
        #expect(analysis.points.map(\.load) == [100, 200, 300, 400, 500, 600, 700, 800], "points by load")
        let saturation = try #require(analysis.saturation)
        #expect(saturation.throughput == 499 && saturation.offeredRate == 500 && saturation.runID == "r500")
        let knee = try #require(analysis.knee)
        #expect(knee.load == 600 && knee.p99 == 0.020, "\(knee)")
        let limit = try #require(analysis.sloLimit)
        #expect(limit.load == 400 && limit.throughput == 400 && limit.headroomPercent == 25)
        #expect(analysis.bottleneck?.hasPrefix("the service: more offered load (600.0 req/s offered)") == true)
        #expect(!saturation.method.isEmpty && !knee.method.isEmpty && !limit.method.isEmpty)
    }

    /// A queue building up through a run: its median latency's last third over its first.
    @Test func latencyGrowthComparesTheLastThirdOfARunWithTheFirst() {
        func seconds(_ medians: [Double?]) -> [TimeseriesPoint] {
            medians.enumerated().map {
                TimeseriesPoint(second: $0.offset, completed: 10, failed: 0, inFlight: 1, p50Latency: $0.element)
            }
        }
        #expect(SweepAnalysis.Point.latencyGrowth(seconds([0.01, 0.01, 0.02, 0.04, 0.08, 0.16])) == 12)
        #expect(SweepAnalysis.Point.latencyGrowth(seconds([0.02, 0.02, 0.02])) == 1)
        #expect(SweepAnalysis.Point.latencyGrowth(seconds([0.02, nil, 0.03])) == nil, "two seconds with latencies")
    }

    @Test func errorsAndTheGeneratorAreNamedAsBottlenecks() {
        let failing = SweepAnalysis(points: [
            point(100, 100, p99: 0.01), point(200, 190, p99: 0.02, errors: 0.05), point(300, 150, p99: 0.5, errors: 0.4),
        ])
        #expect(failing.bottleneck?.hasPrefix("errors: 5.0 % of requests failed from 200.0 req/s offered") == true)
        var limited = point(300, 290, p99: 0.01)
        limited.generatorWarning = "its clients used 97 % of their 2 cores."
        let generator = SweepAnalysis(points: [point(100, 100, p99: 0.01), point(200, 200, p99: 0.01), limited])
        #expect(generator.bottleneck?.contains("the load generator") == true)
        // With telemetry, what sat at its limit where throughput peaked is the bottleneck;
        // with telemetry and nothing at its limit, the flat throughput says so.
        var pegged = point(300, 200, p99: 0.2)
        pegged.atLimit = ["The service's CPU was pegged at every core it may use in 8 of 9 samples."]
        var peak = point(200, 201, p99: 0.02)
        peak.atLimit = []
        let cpu = SweepAnalysis(points: [point(100, 100, p99: 0.01), peak, pegged])
        #expect(cpu.bottleneck == "the service's resources (telemetry): " + pegged.atLimit![0], "\(cpu.bottleneck ?? "")")
        var calm = point(300, 200, p99: 0.2)
        calm.atLimit = []
        let unexplained = SweepAnalysis(points: [point(100, 100, p99: 0.01), peak, calm])
        #expect(unexplained.bottleneck?.contains("no resource its telemetry sampled sat at its limit") == true)
        // Nothing measured: nothing to say.
        let empty = SweepAnalysis(points: [])
        #expect(empty.saturation == nil && empty.knee == nil && empty.sloLimit == nil && empty.bottleneck == nil)
    }
}
