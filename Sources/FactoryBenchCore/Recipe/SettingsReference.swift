/// The reference of every recipe key, generated from `RecipeSchema` and `SettingsCatalog`
/// (the one place defaults live) for the README, where a test keeps it current.
public enum SettingsReference {
    public static func markdown() -> String {
        var sections: [String] = []
        sections.append(table("configuration", RecipeSchema.configuration))
        sections.append(table("service (deployment keys, besides type, name and settings)", RecipeSchema.serviceOptions))
        sections.append(table("client (deployment keys, besides type and settings)", RecipeSchema.clientOptions))
        sections.append(table("benchmarks", RecipeSchema.benchmarks))
        sections.append(table("load", RecipeSchema.load))
        sections.append(table("slo", RecipeSchema.slo))
        sections.append(table("telemetry", RecipeSchema.telemetry))
        for type in ServiceType.allCases {
            sections.append(table("service.settings for type: \(type.rawValue)", SettingsCatalog.settings(for: type)))
        }
        for type in ClientType.allCases {
            sections.append(table("client.settings for type: \(type.rawValue)", SettingsCatalog.settings(for: type)))
        }
        return sections.joined(separator: "\n")
    }

    static func table(_ title: String, _ specs: [SettingSpec]) -> String {
        var lines = ["#### \(title)", ""]
        guard !specs.isEmpty else { return (lines + ["No settings.", ""]).joined(separator: "\n") }
        lines.append("| key | kind | default | meaning |")
        lines.append("|---|---|---|---|")
        for spec in specs {
            let value = spec.defaultValue.map { "`\(RecipePlan.scalar($0))`" } ?? "–"
            lines.append(
                "| `\(spec.key)` | \(spec.kind.rawValue) | \(value) | \(spec.help.replacingOccurrences(of: "|", with: "\\|")) |")
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }
}
