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

extension IndexViewModel.ComparisonRow: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "id": { $0.id }, "link": { $0.link }, "base": { $0.base }, "current": { $0.current }, "headline": { $0.headline },
    ]
}
