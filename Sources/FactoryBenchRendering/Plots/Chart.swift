import Foundation

/// A small SVG chart: axes with labelled ticks, grid lines, and line, histogram or
/// grouped-bar content. Text and axes use `currentColor`, so the chart follows the page's
/// light or dark text colour; series colours are mid-tones readable on both.
struct Chart {
    struct Series {
        var name: String
        var points: [(x: Double, y: Double)]
    }

    /// A histogram bin drawn as a bar from `lower` to `upper` on the x axis.
    struct Bin {
        var lower: Double
        var upper: Double
        var count: Double
    }

    enum Content {
        case lines([Series])
        case histogram([Bin])
        /// One cluster of bars per category, one bar per series in each.
        case groupedBars(categories: [String], series: [(name: String, values: [Double])])
    }

    static let palette = ["#2f6fdf", "#e8731a", "#2a9d4b", "#d6336c", "#8a5cd0"]

    var title: String
    var xAxis: Axis
    var yAxis: Axis
    var content: Content
    /// Points marked with a ring and a tooltip (e.g. runs a comparison found regressed).
    var markers: [(x: Double, y: Double, label: String)] = []
    var width = 720.0
    var height = 320.0

    private let left = 72.0
    private let right = 24.0
    private let top = 28.0
    private let bottom = 56.0

    private var plotWidth: Double { width - left - right }
    private var plotHeight: Double { height - top - bottom }

    private func x(_ value: Double) -> Double { left + xAxis.fraction(value) * plotWidth }
    private func y(_ value: Double) -> Double { top + (1 - yAxis.fraction(value)) * plotHeight }

    /// The chart as one SVG element with no blank lines (so it stays one HTML block in
    /// CommonMark) and a `<title>` for accessibility.
    func svg() -> String {
        var out: [String] = []
        out.append(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(n(width)) \(n(height))\" "
                + "width=\"\(n(width))\" height=\"\(n(height))\" role=\"img\" "
                + "font-family=\"DejaVu Sans, sans-serif\" font-size=\"12\" fill=\"currentColor\">")
        // The title is the page's (a figure caption or a heading), not drawn again here;
        // `<title>` and `<desc>` are for screen readers.
        out.append("<title>\(XMLText.escape(title))</title>")
        out.append("<desc>\(XMLText.escape(description))</desc>")
        out.append(contentsOf: yGrid())
        switch content {
        case .lines(let series):
            out.append(contentsOf: xGrid())
            out.append(contentsOf: lines(series))
            out.append(contentsOf: legend(series.map(\.name)))
        case .histogram(let bins):
            out.append(contentsOf: xGrid())
            out.append(contentsOf: histogram(bins))
        case .groupedBars(let categories, let series):
            out.append(contentsOf: groupedBars(categories: categories, series: series))
            out.append(contentsOf: legend(series.map(\.name)))
        }
        for marker in markers {
            out.append(
                "<circle cx=\"\(n(x(marker.x)))\" cy=\"\(n(y(marker.y)))\" r=\"7\" fill=\"none\" stroke=\"#d6336c\" "
                    + "stroke-width=\"2.5\"><title>\(XMLText.escape(marker.label))</title></circle>")
        }
        out.append(axisFrame())
        out.append(
            "<text x=\"\(n(left + plotWidth / 2))\" y=\"\(n(height - 12))\" text-anchor=\"middle\">"
                + "\(XMLText.escape(xAxis.label))</text>")
        out.append(
            "<text transform=\"translate(16 \(n(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">"
                + "\(XMLText.escape(yAxis.label))</text>")
        out.append("</svg>")
        return out.joined(separator: "\n")
    }

    private func axisFrame() -> String {
        let bottomY = top + plotHeight
        return "<path d=\"M\(n(left)) \(n(top))V\(n(bottomY))H\(n(left + plotWidth))\" "
            + "fill=\"none\" stroke=\"currentColor\" stroke-width=\"1\"/>"
    }

    private func yGrid() -> [String] {
        yAxis.ticks.map { tick in
            let position = y(tick.value)
            return "<line x1=\"\(n(left))\" x2=\"\(n(left + plotWidth))\" y1=\"\(n(position))\" y2=\"\(n(position))\" "
                + "stroke=\"currentColor\" stroke-opacity=\"0.15\"/>"
                + "<text x=\"\(n(left - 6))\" y=\"\(n(position + 4))\" text-anchor=\"end\">\(XMLText.escape(tick.label))</text>"
        }
    }

    private func xGrid() -> [String] {
        xAxis.ticks.map { tick in
            let position = x(tick.value)
            return "<line x1=\"\(n(position))\" x2=\"\(n(position))\" y1=\"\(n(top))\" y2=\"\(n(top + plotHeight))\" "
                + "stroke=\"currentColor\" stroke-opacity=\"0.15\"/>"
                + "<text x=\"\(n(position))\" y=\"\(n(top + plotHeight + 16))\" text-anchor=\"middle\">"
                + "\(XMLText.escape(tick.label))</text>"
        }
    }

    /// What the chart shows, in one sentence: its axes, ranges and series.
    var description: String {
        let shown: String
        switch content {
        case .lines(let series): shown = "Lines of " + series.map(\.name).joined(separator: ", ")
        case .histogram(let bins): shown = "Histogram of \(bins.filter { $0.count > 0 }.count) non-empty bins"
        case .groupedBars(let categories, let series):
            shown = "Bars of " + series.map(\.name).joined(separator: ", ") + " for " + categories.joined(separator: ", ")
        }
        let y = "\(yAxis.label) from \(Format.tick(yAxis.lower)) to \(Format.tick(yAxis.upper))"
        if case .groupedBars = content { return "\(shown); \(y)." }
        return "\(shown); \(xAxis.label) from \(Format.tick(xAxis.lower)) to \(Format.tick(xAxis.upper)); \(y)."
    }

    /// The chart's data as a table (header, then rows), at most `maximumRows` rows: every
    /// `k`-th x of a long series, so the table stays readable; the plot's text alternative.
    func table(maximumRows: Int = 40) -> (header: [String], rows: [[String]]) {
        switch content {
        case .lines(let series):
            let xs = Array(Set(series.flatMap { $0.points.map(\.x) })).sorted()
            let step = max(Int((Double(xs.count) / Double(maximumRows)).rounded(.up)), 1)
            let kept = stride(from: 0, to: xs.count, by: step).map { xs[$0] }
            let values = series.map { line in Dictionary(line.points.map { ($0.x, $0.y) }, uniquingKeysWith: { a, _ in a }) }
            return (
                [xAxis.label] + series.map(\.name),
                kept.map { x in [Format.tick(x)] + values.map { $0[x].map(Format.tick) ?? "" } }
            )
        case .histogram(let bins):
            let filled = bins.filter { $0.count > 0 }
            let step = max(Int((Double(filled.count) / Double(maximumRows)).rounded(.up)), 1)
            return (
                [xAxis.label, yAxis.label],
                stride(from: 0, to: filled.count, by: step).map { index in
                    let bin = filled[index]
                    return ["\(Format.tick(bin.lower))–\(Format.tick(bin.upper))", Format.tick(bin.count)]
                }
            )
        case .groupedBars(let categories, let series):
            return (
                [xAxis.label] + series.map(\.name),
                categories.enumerated().map { column, category in
                    [category] + series.map { column < $0.values.count ? Format.tick($0.values[column]) : "" }
                }
            )
        }
    }

    /// Points per line at most: a plot is about 700 pixels wide, so more add bytes, not detail.
    static let maximumLinePoints = 1000

    private func lines(_ series: [Series]) -> [String] {
        series.enumerated().map { index, line in
            let points = Downsampling.lttb(line.points, threshold: Self.maximumLinePoints)
                .map { "\(n(x($0.x))),\(n(y($0.y)))" }.joined(separator: " ")
            let color = Self.palette[index % Self.palette.count]
            return "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" "
                + "stroke-linejoin=\"round\"><title>\(XMLText.escape(line.name))</title></polyline>"
        }
    }

    private func histogram(_ bins: [Bin]) -> [String] {
        bins.filter { $0.count > 0 }.map { bin in
            let x0 = x(bin.lower)
            let x1 = x(bin.upper)
            let y0 = y(bin.count)
            return "<rect x=\"\(n(x0))\" y=\"\(n(y0))\" width=\"\(n(max(x1 - x0 - 1, 1)))\" "
                + "height=\"\(n(top + plotHeight - y0))\" fill=\"\(Self.palette[0])\">"
                + "<title>\(Format.tick(bin.lower))–\(Format.tick(bin.upper)): \(Int(bin.count))</title></rect>"
        }
    }

    private func groupedBars(categories: [String], series: [(name: String, values: [Double])]) -> [String] {
        guard !categories.isEmpty, !series.isEmpty else { return [] }
        var out: [String] = []
        let slot = plotWidth / Double(categories.count)
        let barWidth = slot * 0.8 / Double(series.count)
        for (column, category) in categories.enumerated() {
            let slotLeft = left + Double(column) * slot
            for (index, bars) in series.enumerated() where column < bars.values.count {
                let value = bars.values[column]
                let y0 = y(value)
                out.append(
                    "<rect x=\"\(n(slotLeft + slot * 0.1 + Double(index) * barWidth))\" y=\"\(n(y0))\" "
                        + "width=\"\(n(barWidth))\" height=\"\(n(top + plotHeight - y0))\" "
                        + "fill=\"\(Self.palette[index % Self.palette.count])\">"
                        + "<title>\(XMLText.escape(category)) \(XMLText.escape(bars.name)): "
                        + "\(Format.tick(value))</title></rect>")
            }
            out.append(
                "<text x=\"\(n(slotLeft + slot / 2))\" y=\"\(n(top + plotHeight + 16))\" text-anchor=\"middle\">"
                    + "\(XMLText.escape(category))</text>")
        }
        return out
    }

    private func legend(_ names: [String]) -> [String] {
        guard names.count > 1 else { return [] }
        return names.enumerated().map { index, name in
            let itemX = left + plotWidth - Double(names.count - index) * 110
            let color = Self.palette[index % Self.palette.count]
            return "<rect x=\"\(n(itemX))\" y=\"10\" width=\"12\" height=\"12\" fill=\"\(color)\"/>"
                + "<text x=\"\(n(itemX + 16))\" y=\"20\">\(XMLText.escape(name))</text>"
        }
    }

    /// Coordinates with at most one decimal, without a trailing `.0`.
    private func n(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : Format.fixed(rounded, 1)
    }
}
