import FactoryBenchCore
import Foundation
import Testing

@testable import FactoryBenchRendering

@Suite struct ChartTests {
    @Test func svgHasATitleAxisLabelsAndNoBlankLines() {
        let chart = Chart(
            title: "Latency <over> time",
            xAxis: .linear(label: "Time since start (s)", upper: 10),
            yAxis: .linear(label: "Latency (ms)", upper: 3.3),
            content: .lines([Chart.Series(name: "p50", points: [(0, 1), (5, 2), (10, 3.3)])]))
        let svg = chart.svg()
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("<title>Latency &lt;over&gt; time</title>"))
        #expect(svg.contains(">Time since start (s)</text>"))
        #expect(svg.contains(">Latency (ms)</text>"))
        #expect(svg.contains("<polyline points=\"72,"))
        #expect(!svg.contains("\n\n"))
        #expect(svg.hasSuffix("</svg>"))
    }

    @Test func niceLinearTicksCoverTheRange() {
        let axis = Axis.linear(label: "x", upper: 3.3)
        #expect(axis.ticks.map(\.label) == ["0", "1", "2", "3", "4"])
        #expect(axis.upper == 4)
        #expect(axis.fraction(2) == 0.5)
    }

    @Test func logAndPercentileAxesPlaceValuesProportionally() {
        let log = Axis.log(label: "x", lower: 0.02, upper: 7)
        #expect(log.ticks.map(\.label) == ["0.01", "0.1", "1", "10"])
        #expect(abs(log.fraction(0.1) - 1.0 / 3) < 1e-12)
        let percentiles = Axis.percentiles(label: "p", highest: 99.9)
        #expect(percentiles.ticks.map(\.label) == ["0%", "90%", "99%", "99.9%"])
        #expect(abs(percentiles.fraction(90) - 1.0 / 3) < 1e-9)
        #expect(abs(percentiles.fraction(99) - 2.0 / 3) < 1e-9)
    }

    @Test func theTableBehindAPlotHoldsItsDataAndItsDescriptionItsRanges() {
        let xs = (0..<100).map(Double.init)
        let chart = Chart(
            title: "t", xAxis: .linear(label: "Time (s)", upper: 99), yAxis: .linear(label: "Requests per second", upper: 200),
            content: .lines([
                Chart.Series(name: "completed", points: xs.map { ($0, $0 * 2) }),
                Chart.Series(name: "failed", points: [(x: 3, y: 1)]),
            ]))
        let table = chart.table(maximumRows: 40)
        #expect(table.header == ["Time (s)", "completed", "failed"])
        // Every third second of 100 (34 rows), the series side by side, empty where a series has no point.
        #expect(table.rows.count == 34)
        #expect(table.rows[0] == ["0", "0", ""])
        #expect(table.rows[1] == ["3", "6", "1"])
        #expect(chart.description == "Lines of completed, failed; Time (s) from 0 to 100; Requests per second from 0 to 200.")
        let svg = chart.svg()
        #expect(svg.contains("<desc>Lines of completed, failed;"))
        #expect(!svg.contains("font-weight=\"bold\""), "the title is the page's caption, not drawn again")
    }

    @Test func eachPlotTakesTheTimeUnitItsLargestValueReadsIn() throws {
        #expect(TimeUnit(largest: 0.000_4).name == "µs" && TimeUnit(largest: 0.000_4).of(0.000_4) == 400)
        #expect(TimeUnit(largest: 0.25).name == "ms")
        #expect(TimeUnit(largest: 12).name == "s")
        var summary = RunSummary.empty
        summary.percentileSpectrum = try JSONDecoder().decode(
            [PercentilePoint].self,
            from: Data(#"[{"percentile": 0, "latency_s": 0.00005}, {"percentile": 99, "latency_s": 0.0003}]"#.utf8))
        summary.operations = [
            "insert": OperationSummary(
                count: 2, failed: 0, avgLatency: 0.000_1, p50Latency: 0.000_02, p95Latency: 0.000_3,
                p99Latency: 0.000_4),
            "select": OperationSummary(
                count: 2, failed: 0, avgLatency: 0.03, p50Latency: 0.02, p95Latency: 0.04,
                p99Latency: 0.05),
        ]
        let spectrum = PlotRenderer.percentileSpectrum(summary)
        #expect(spectrum.svg.contains(">Latency (µs)</text>"))
        // Per operation on a log axis in one unit for all (the largest p99, 50 ms): the
        // 0.02 ms p50 still shows as a bar.
        let operations = PlotRenderer.operationLatency(summary)
        #expect(operations.svg.contains(">Latency (ms, log scale)</text>"))
        #expect(operations.table.rows == [["insert", "0.02", "0.3", "0.4"], ["select", "20", "40", "50"]])
        #expect(operations.svg.contains(">0.01</text>") && operations.svg.contains(">100</text>"))
    }
}
