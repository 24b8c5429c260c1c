/// The old framework's invocation forms, mapped onto subcommands: `factorybench
/// RECIPE.yaml` runs a recipe; `--compare A B`, `--report ID`, `--list`, `--watch ID` and
/// `--collect ID` name their subcommands, and `--compare` and `--watch` keep their old exit
/// behaviour (a regression exits 1; watching a run that has ended shows it, exit 0).
enum LegacyArguments {
    static func rewrite(_ arguments: [String]) -> [String] {
        guard let first = arguments.first else { return arguments }
        switch first {
        case "--compare": return ["compare"] + arguments.dropFirst() + ["--old-verdict"]
        case "--report": return ["report"] + arguments.dropFirst()
        case "--list": return ["list"] + arguments.dropFirst()
        case "--watch": return ["watch"] + arguments.dropFirst() + ["--ended-is-fine"]
        case "--collect": return ["collect"] + arguments.dropFirst()
        case "--stop": return ["cancel"] + arguments.dropFirst()
        case "--sweep-report": return ["sweep-report"] + arguments.dropFirst()
        case "--rerun": return ["run"] + arguments
        default:
            if first.hasSuffix(".yaml") || first.hasSuffix(".yml") { return ["run"] + arguments }
            return arguments
        }
    }
}
