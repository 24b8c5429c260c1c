import Mustache

/// A view model that templates read by name without reflection: swift-mustache looks
/// values up with `Mirror` otherwise, which made a 1,000-row index take a third of a second
/// and a run page's report most of its rendering time. `fields` must name every stored
/// property (a test compares them with `Mirror`); a nil optional reads as missing, as it
/// does through `Mirror`.
protocol TemplateFields: MustacheParent {
    static var fields: [String: @Sendable (Self) -> Any?] { get }
}

extension TemplateFields {
    func child(named name: String) -> Any? {
        Self.fields[name].flatMap { $0(self) }
    }
}

extension IndexViewModel.Run: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "id": { $0.id }, "link": { $0.link }, "startedAt": { $0.startedAt }, "recipeName": { $0.recipeName },
        "serviceType": { $0.serviceType }, "numClients": { $0.numClients }, "totalRequests": { $0.totalRequests },
        "throughput": { $0.throughput }, "p50": { $0.p50 }, "p95": { $0.p95 }, "p99": { $0.p99 },
        "successRate": { $0.successRate },
        "statusLabel": { $0.statusLabel },
    ]
}

extension TrendViewModel.Row: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "id": { $0.id }, "link": { $0.link }, "startedAt": { $0.startedAt }, "statusLabel": { $0.statusLabel },
        "totalRequests": { $0.totalRequests }, "throughput": { $0.throughput }, "p50": { $0.p50 }, "p95": { $0.p95 },
        "p99": { $0.p99 },
        "successRate": { $0.successRate }, "verdict": { $0.verdict },
    ]
}

extension IndexViewModel.ComparisonRow: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "id": { $0.id }, "link": { $0.link }, "base": { $0.base }, "current": { $0.current }, "headline": { $0.headline },
    ]
}
