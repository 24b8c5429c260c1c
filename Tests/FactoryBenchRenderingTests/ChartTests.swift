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
}
