import FactoryBenchCore
import TestSupport
import Testing

@testable import FactoryBenchRendering

/// Rows that templates read by name must name every field they have: a field missing from
/// `fields` would render empty without any error.
@Suite struct TemplateFieldsTests {
    func expectAllFieldsNamed<Row: TemplateFields>(_ row: Row, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let stored = Set(Mirror(reflecting: row).children.compactMap(\.label))
        #expect(Set(Row.fields.keys) == stored, "\(Row.self)", sourceLocation: sourceLocation)
        for child in Mirror(reflecting: row).children {
            guard let label = child.label else { continue }
            #expect(
                Self.text(row.child(named: label)) == Self.text(child.value), "\(Row.self).\(label)",
                sourceLocation: sourceLocation)
        }
        #expect(row.child(named: "notAField") == nil, sourceLocation: sourceLocation)
    }

    /// A value as text, a nil optional as "nil" (as Mustache sees it: missing).
    static func text(_ value: Any?) -> String {
        guard let value else { return "nil" }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional { return mirror.children.first.map { text($0.value) } ?? "nil" }
        return String(describing: value)
    }

    /// Every value a report's template can reach, checked type by type.
    func expectReachableFieldsNamed(_ value: Any, seen: inout Set<String>) {
        if let fields = value as? any TemplateFields {
            expectAllFieldsNamed(fields)
            seen.insert(String(describing: type(of: value)))
        }
        for child in Mirror(reflecting: value).children { expectReachableFieldsNamed(child.value, seen: &seen) }
    }

    @Test func everyTypeAReportReadsNamesEveryField() throws {
        let manifest = try RunManifest.read(from: Fixtures.url("run.json"))
        let summary = try Aggregator.aggregate(files: [Fixtures.url("requests.jsonl")])
        let model = ReportViewModel(
            manifest: manifest, summary: summary, plots: PlotRenderer.plots(for: summary), inlinePlots: true,
            comparisons: [.init(id: "a", link: "b", headline: "c")], downloads: [.init(name: "n", link: "l", size: "s")])
        var seen: Set<String> = []
        expectReachableFieldsNamed(model, seen: &seen)
        #expect(seen.isSuperset(of: ["ReportViewModel", "Latency", "Card", "PlotRow", "EnvironmentRow", "Download"]), "\(seen)")
        // The types this fixture leaves empty, checked on their own.
        expectAllFieldsNamed(
            ReportViewModel.LLMRow(
                name: "1", count: "2", avg: "3", p50: "4", p90: "5", p95: "6", p99: "7", p99_9: "8", definition: "9"))
        expectAllFieldsNamed(ReportViewModel.ErrorRow(message: "m", count: "1"))
        expectAllFieldsNamed(ReportViewModel.SkippedRow(file: "f", line: "1", reason: "r"))
        expectAllFieldsNamed(ReportViewModel.Objective(name: "n", target: "t", actual: "a", verdict: "v"))
        expectAllFieldsNamed(
            ReportViewModel.Operation(name: "n", count: "1", failed: "0", avg: "a", p50: "b", p95: "c", p99: "d"))
        expectAllFieldsNamed(ReportViewModel.Client(name: "n", count: "1", failed: "0", avg: "a", p95: "b"))
        expectAllFieldsNamed(ReportViewModel.Transfer(name: "n", megabytes: "1", megabytesPerSecond: "2"))
    }

    @Test func everyRowNamesEveryField() {
        let values = (0..<13).map { "v\($0)" }
        expectAllFieldsNamed(
            IndexViewModel.ComparisonRow(id: values[0], link: values[1], base: values[2], current: values[3], headline: values[4])
        )
    }
}
