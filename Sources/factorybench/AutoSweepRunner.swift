import FactoryBenchCore
import FactoryBenchPipeline
import FactoryBenchRendering
import Foundation

/// `sweep: auto`: a synchronous run (one request in flight), a maximum-throughput run (the
/// recipe's clients and concurrency, closed loop), then open-loop rates evenly between
/// their throughputs, lowest first (from near zero when the synchronous run already
/// reached 90 % of the maximum) — one sweep; it stops early once the service is over its
/// capacity or fails too often. Then the sweep's analysis (`SweepAnalysis`).
struct AutoSweepRunner {
    let recipe: Recipe
    let settings: AutoSweepSettings
    let workspace: Workspace
    let templatesDirectory: URL?

    /// Returns how many points failed.
    func run() async throws -> Int {
        let sweepID = try workspace.createSweepID(name: recipe.name, at: Date())
        print(
            "Automatic sweep \(sweepID): synchronous, maximum throughput, then up to \(settings.points) "
                + "rates between them")
        var points: [SweepAnalysis.Point] = []
        var failed = 0
        func measure(_ point: Recipe, _ label: String) async throws -> SweepAnalysis.Point? {
            print("Point \(points.count + failed + 1): \(label)")
            guard
                let outcome = try await RunCommand.runPoint(
                    point, sweepID: sweepID, workspace: workspace, templatesDirectory: templatesDirectory),
                outcome.status == .completed, let summary = outcome.summary
            else {
                failed += 1
                return nil
            }
            let measured = SweepAnalysis.Point(manifest: try RunManifest.read(from: outcome.results.manifest), summary: summary)
            points.append(measured)
            return measured
        }
        let synchronous = try await measure(closedLoop(clients: 1, concurrency: 1, label: "synchronous"), "synchronous")
        let maximum = try await measure(
            closedLoop(clients: recipe.numClients, concurrency: recipe.load["concurrency"]?.intValue ?? 1, label: "maximum"),
            "maximum throughput")
        if let synchronous = synchronous?.throughput, let high = maximum?.throughput, high > 0 {
            // A service that one request in flight already saturates leaves no range between
            // the two: then the rates start low instead, at an even step below the maximum.
            let low = synchronous < high * 0.9 ? synchronous : high / Double(settings.points + 1)
            for step in 1...settings.points {
                let rate = low + (max(high, low) - low) * Double(step) / Double(settings.points + 1)
                guard let point = try await measure(openLoop(rate: rate), String(format: "%.1f req/s offered", rate))
                else { continue }
                // Past capacity, or failing: higher rates would say nothing more.
                if point.throughput < rate * 0.9 {
                    print(String(format: "Stopping: %.1f req/s achieved of %.1f offered (below 90 %%)", point.throughput, rate))
                    break
                }
                if let growth = point.latencyGrowth, growth > 1.5 {
                    print(String(format: "Stopping: median latency grew %.1f-fold through the run (a queue building up)", growth))
                    break
                }
                if point.errorRate > settings.maxErrorRate {
                    print(String(format: "Stopping: %.1f %% of requests failed", point.errorRate * 100))
                    break
                }
            }
        }
        try SweepReportCommand.save(
            SweepAnalysis(points: points, maxErrorRate: settings.maxErrorRate), id: sweepID, in: workspace,
            templatesDirectory: templatesDirectory)
        return failed
    }

    private func closedLoop(clients: Int, concurrency: Int, label: String) -> Recipe {
        var point = recipe
        point.numClients = clients
        point.load["mode"] = .string("closed")
        point.load["concurrency"] = .int(concurrency)
        point.load["rate"] = nil
        point.sweepPoint = ["auto": .string(label)]
        return point
    }

    /// `rate` requests per second over all clients.
    private func openLoop(rate: Double) -> Recipe {
        var point = recipe
        point.load["mode"] = .string("open")
        point.load["rate"] = .double(rate / Double(max(recipe.numClients, 1)))
        point.sweepPoint = ["auto": .string("rate"), "offered_rate": .double(rate)]
        return point
    }
}
