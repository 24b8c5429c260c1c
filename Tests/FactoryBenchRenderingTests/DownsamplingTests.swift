import FactoryBenchCore
import Foundation
import TestSupport
import Testing

@testable import FactoryBenchRendering

@Suite struct DownsamplingTests {
    @Test func shortLinesAreKeptAsTheyAre() {
        let points = (0..<10).map { (x: Double($0), y: Double($0 * $0)) }
        #expect(Downsampling.lttb(points, threshold: 20).map(\.y) == points.map(\.y))
    }

    @Test func longLinesKeepTheirEndsAndTheirPeaks() {
        // A flat hour of seconds with two one-second spikes.
        var points = (0..<3600).map { (x: Double($0), y: 10.0) }
        points[1234].y = 500
        points[2900].y = -40
        let kept = Downsampling.lttb(points, threshold: 100)
        #expect(kept.count == 100)
        #expect(kept.first?.x == 0 && kept.last?.x == 3599)
        #expect(kept.contains { $0.x == 1234 && $0.y == 500 })
        #expect(kept.contains { $0.x == 2900 && $0.y == -40 })
        #expect(zip(kept, kept.dropFirst()).allSatisfy { $0.x < $1.x })
    }

    @Test func aLongRunsThroughputPlotStaysSmall() {
        let series = Chart.Series(name: "completed", points: (0..<86_400).map { (x: Double($0), y: Double($0 % 97)) })
        let chart = Chart(
            title: "Throughput over time", xAxis: .linear(label: "Time since start (s)", upper: 86_399),
            yAxis: .linear(label: "Requests per second", upper: 100), content: .lines([series]))
        let svg = chart.svg()
        #expect(svg.utf8.count < 40_000, "\(svg.utf8.count) bytes")
    }
}

/// The page of a long, large run stays under 300 KB: its plots are drawn from the summary
/// and long lines are downsampled.
@Suite struct PageBudgetTests {
    @Test func aTenHourRunsPageStaysUnder300KB() throws {
        let directory = try TemporaryDirectory()
        let id = "long-20260101-000000-0001"
        let run = directory.path("results/\(id)")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        // 72,000 requests over ten hours from 8 clients, 5 operations, some failures.
        var text = "{\"benchmark_id\":\"\(id)\",\"service_type\":\"sqlite\",\"test_start\":1767225600}\n"
        for index in 0..<72_000 {
            let start = 1_767_225_600.0 + Double(index) * 0.5
            let latency = 0.001 + Double(index % 1000) * 0.00002
            let failed = index % 250 == 0
            text +=
                "{\"request_id\":\"r\(index)\",\"client_id\":\(index % 8),\"service_type\":\"sqlite\","
                + "\"timestamp_start\":\(start),\"timestamp_end\":\(start + latency),\"latency_s\":\(latency),"
                + "\"success\":\(!failed),\"operation_type\":\"op\(index % 5)\""
                + (failed ? ",\"error\":\"timeout \(index % 3)\"" : "") + "}\n"
        }
        try text.write(to: run.appendingPathComponent("requests.jsonl"), atomically: true, encoding: .utf8)
        let summary = try Aggregator.aggregate(files: [run.appendingPathComponent("requests.jsonl")])
        #expect(summary.timeseries.count >= 36_000)
        var manifest = try RunManifest.read(from: Fixtures.url("run.json"))
        manifest.benchmarkID = id
        try AtomicFile.writeJSON(manifest, to: run.appendingPathComponent("run.json"))
        try AtomicFile.writeJSON(summary, to: run.appendingPathComponent("summary.json"))
        try SiteBuilder(workspace: Workspace(root: directory.url), templates: .builtIn).build()
        let page = try Data(contentsOf: directory.path("site/runs/\(id)/index.html"))
        #expect(page.count < 300_000, "\(page.count) bytes")
        #expect(String(decoding: page, as: UTF8.self).contains(">Throughput over time</title>"))
    }
}
