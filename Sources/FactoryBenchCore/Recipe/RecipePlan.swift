import Foundation

/// What `factorybench plan` prints: the resolved recipe as YAML, with every value that came
/// from a default marked, and what the run would start.
public enum RecipePlan {
    /// `execution` says in one line how each point would run (the executor's description).
    public static func text(for recipe: Recipe, points: [Recipe], execution: (Recipe) -> String) -> String {
        var lines = ["# \(recipe.path): recipe '\(recipe.name)', resolved; '# default' marks values not in the file"]
        emit(recipe.resolved, path: [], defaulted: recipe.defaulted, indent: 0, into: &lines)
        if !recipe.sweep.isEmpty {
            lines.append("sweep:  # \(points.count) points, one run each, in this order")
            for axis in recipe.sweep {
                lines.append("  \(axis.path): [\(axis.values.map { scalar($0.value) }.joined(separator: ", "))]")
            }
        }
        lines.append("")
        lines.append("# What would run")
        for (index, point) in points.enumerated() {
            let label =
                recipe.sweep.isEmpty
                ? ""
                : "point \(index + 1): "
                    + point.sweepPoint.sorted { $0.key < $1.key }.map { "\($0.key)=\(scalar($0.value))" }
                    .joined(separator: ", ") + " — "
            lines.append("# " + label + execution(point))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// For a Slurm target: the batch scripts a run would submit (run id `ID`), as comments.
    public static func batchScripts(for recipe: Recipe) -> String {
        guard !recipe.isLocal else { return "" }
        let scripts = SlurmBatchScript(
            recipe: recipe,
            layout: SlurmLayout(benchmarkID: "ID", binary: "\(SlurmLayout.root)/bin/factorybench-\(ToolInfo.version)"))
        guard let service = try? scripts.service(), let clients = try? scripts.clients() else { return "" }
        func commented(_ title: String, _ text: String) -> String {
            "#\n# \(title)\n"
                + text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                .map { "#   " + $0 }.joined(separator: "\n") + "\n"
        }
        return commented("slurm/service.sbatch", service) + commented("slurm/clients.sbatch", clients)
    }

    /// The resolved recipe as a recipe file that loads back to the same values: what the
    /// Slurm executor uploads for the compute nodes.
    public static func resolvedYAML(_ recipe: Recipe) -> String {
        var lines = ["# \(recipe.name): resolved from \(recipe.path) by FactoryBench \(ToolInfo.version)"]
        emit(recipe.resolved, path: [], defaulted: [], indent: 0, into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func emit(
        _ value: SettingValue, path: [String], defaulted: Set<String>, indent: Int, into lines: inout [String]
    ) {
        guard case .map(let entries) = value else { return }
        let order = ["configuration", "service", "client", "benchmarks", "load", "slo", "type", "name", "settings"]
        let keys = entries.keys.sorted { a, b in
            let (i, j) = (order.firstIndex(of: a) ?? order.count, order.firstIndex(of: b) ?? order.count)
            return (i, a) < (j, b)
        }
        let pad = String(repeating: "  ", count: indent)
        for key in keys {
            let child = entries[key]!
            let childPath = path + [key]
            if case .map(let inner) = child, !inner.isEmpty,
                !(path.last == "mix" || key == "mix" || key == "env" || key == "tuning")
            {
                lines.append("\(pad)\(key):")
                emit(child, path: childPath, defaulted: defaulted, indent: indent + 1, into: &lines)
            } else {
                let mark = defaulted.contains(childPath.joined(separator: ".")) ? "  # default" : ""
                lines.append("\(pad)\(key): \(scalar(child))\(mark)")
            }
        }
    }

    /// A value in YAML flow style.
    public static func scalar(_ value: SettingValue) -> String {
        switch value {
        case .string(let text):
            let plain =
                text.range(of: #"^[A-Za-z0-9_./@-][A-Za-z0-9_./@ -]*$"#, options: .regularExpression) != nil
                && !["true", "false", "null", "yes", "no"].contains(text.lowercased()) && Double(text) == nil
            return plain
                ? text
                : "\""
                    + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                    .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t")
                    .replacingOccurrences(of: "\r", with: "\\r") + "\""
        case .int(let number): return String(number)
        case .double(let number): return number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        case .list(let items): return "[" + items.map(scalar).joined(separator: ", ") + "]"
        case .map(let entries):
            return "{" + entries.sorted { $0.key < $1.key }.map { "\($0.key): \(scalar($0.value))" }.joined(separator: ", ") + "}"
        }
    }
}
