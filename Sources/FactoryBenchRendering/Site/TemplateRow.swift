import Mustache

/// A view-model row that templates read by name without reflection: swift-mustache looks
/// values up with `Mirror` otherwise, which made a 1,000-row index take a third of a second.
/// `fields` must name every stored property (a test compares them with `Mirror`).
protocol TemplateRow: MustacheParent {
    static var fields: [String: @Sendable (Self) -> String] { get }
}

extension TemplateRow {
    func child(named name: String) -> Any? {
        Self.fields[name].map { $0(self) }
    }
}

extension IndexViewModel.Run: TemplateRow {
    static let fields: [String: @Sendable (Self) -> String] = [
        "id": { $0.id }, "link": { $0.link }, "startedAt": { $0.startedAt }, "recipeName": { $0.recipeName },
        "serviceType": { $0.serviceType }, "numClients": { $0.numClients }, "totalRequests": { $0.totalRequests },
        "throughput": { $0.throughput }, "p50": { $0.p50 }, "p95": { $0.p95 }, "p99": { $0.p99 },
        "successRate": { $0.successRate },
        "statusLabel": { $0.statusLabel },
    ]
}

extension TrendViewModel.Row: TemplateRow {
    static let fields: [String: @Sendable (Self) -> String] = [
        "id": { $0.id }, "link": { $0.link }, "startedAt": { $0.startedAt }, "statusLabel": { $0.statusLabel },
        "totalRequests": { $0.totalRequests }, "throughput": { $0.throughput }, "p50": { $0.p50 }, "p95": { $0.p95 },
        "p99": { $0.p99 },
        "successRate": { $0.successRate }, "verdict": { $0.verdict },
    ]
}

extension IndexViewModel.ComparisonRow: TemplateRow {
    static let fields: [String: @Sendable (Self) -> String] = [
        "id": { $0.id }, "link": { $0.link }, "base": { $0.base }, "current": { $0.current }, "headline": { $0.headline },
    ]
}
