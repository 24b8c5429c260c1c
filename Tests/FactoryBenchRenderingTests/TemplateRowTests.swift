import Testing

@testable import FactoryBenchRendering

/// Rows that templates read by name must name every field they have: a field missing from
/// `fields` would render empty without any error.
@Suite struct TemplateRowTests {
    func expectAllFieldsNamed<Row: TemplateRow>(_ row: Row, sourceLocation: SourceLocation = #_sourceLocation) {
        let stored = Set(Mirror(reflecting: row).children.compactMap(\.label))
        #expect(Set(Row.fields.keys) == stored, sourceLocation: sourceLocation)
        for label in stored {
            let reflected = Mirror(reflecting: row).children.first { $0.label == label }?.value as? String
            #expect(row.child(named: label) as? String == reflected, "\(label)", sourceLocation: sourceLocation)
        }
        #expect(row.child(named: "notAField") == nil, sourceLocation: sourceLocation)
    }

    @Test func everyRowNamesEveryField() {
        let values = (0..<13).map { "v\($0)" }
        expectAllFieldsNamed(
            IndexViewModel.Run(
                id: values[0], link: values[1], startedAt: values[2], recipeName: values[3], serviceType: values[4],
                numClients: values[5], totalRequests: values[6], throughput: values[7], p50: values[8], p95: values[9],
                p99: values[10], successRate: values[11], statusLabel: values[12]))
        expectAllFieldsNamed(
            TrendViewModel.Row(
                id: values[0], link: values[1], startedAt: values[2], statusLabel: values[3], totalRequests: values[4],
                throughput: values[5], p50: values[6], p95: values[7], p99: values[8], successRate: values[9],
                verdict: values[10]))
        expectAllFieldsNamed(
            IndexViewModel.ComparisonRow(id: values[0], link: values[1], base: values[2], current: values[3], headline: values[4])
        )
    }
}
