/// Rewrites GitHub-style pipe tables in Markdown as HTML `<table>` blocks, leaving
/// everything else (fenced code included) untouched. Cell text is rendered as inline
/// Markdown by libcmark, so code spans, emphasis and links in cells still work.
///
/// A table is a header row, a delimiter row (`|---|:--:|--:|`) with as many cells, and the
/// rows that follow while they start with `|` (GFM spec, "Tables (extension)").
enum PipeTableConverter {
    enum Alignment {
        case none, left, center, right

        var attribute: String {
            switch self {
            case .none: return ""
            case .left: return " style=\"text-align: left\""
            case .center: return " style=\"text-align: center\""
            case .right: return " style=\"text-align: right\""
            }
        }
    }

    static func convert(_ markdown: String) -> String {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var output: [String] = []
        var fence: String?
        var index = 0
        while index < lines.count {
            let line = lines[index]
            let trimmed = line.trimmingLeadingSpaces()
            if let open = fence {
                if trimmed.hasPrefix(open) { fence = nil }
                output.append(line)
                index += 1
                continue
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                fence = String(trimmed.prefix(3))
                output.append(line)
                index += 1
                continue
            }
            if trimmed.hasPrefix("|"), index + 1 < lines.count,
                let alignments = delimiterRow(lines[index + 1]),
                splitCells(trimmed).count == alignments.count
            {
                var rows: [[String]] = []
                var next = index + 2
                while next < lines.count, lines[next].trimmingLeadingSpaces().hasPrefix("|") {
                    rows.append(splitCells(lines[next].trimmingLeadingSpaces()))
                    next += 1
                }
                output.append(contentsOf: table(header: splitCells(trimmed), alignments: alignments, rows: rows))
                output.append("")
                index = next
                continue
            }
            output.append(line)
            index += 1
        }
        return output.joined(separator: "\n")
    }

    static func table(header: [String], alignments: [Alignment], rows: [[String]]) -> [String] {
        var html = ["<table>", "<thead>", "<tr>"]
        for (cell, alignment) in zip(header, alignments) {
            html.append("<th\(alignment.attribute)>\(MarkdownRenderer.inlineHTML(cell))</th>")
        }
        html.append(contentsOf: ["</tr>", "</thead>", "<tbody>"])
        for row in rows {
            html.append("<tr>")
            for (column, alignment) in alignments.enumerated() {
                let cell = column < row.count ? row[column] : ""
                html.append("<td\(alignment.attribute)>\(MarkdownRenderer.inlineHTML(cell))</td>")
            }
            html.append("</tr>")
        }
        html.append(contentsOf: ["</tbody>", "</table>"])
        return html
    }

    /// The alignments of a delimiter row, or `nil` when the line is not one.
    static func delimiterRow(_ line: String) -> [Alignment]? {
        let trimmed = line.trimmingLeadingSpaces()
        guard trimmed.contains("-") else { return nil }
        let cells = splitCells(trimmed)
        var alignments: [Alignment] = []
        for cell in cells {
            let left = cell.hasPrefix(":")
            let right = cell.hasSuffix(":")
            let dashes = cell.dropFirst(left ? 1 : 0).dropLast(right && cell.count > 1 ? 1 : 0)
            guard !dashes.isEmpty, dashes.allSatisfy({ $0 == "-" }) else { return nil }
            alignments.append(left && right ? .center : left ? .left : right ? .right : .none)
        }
        return alignments.isEmpty ? nil : alignments
    }

    /// Splits a row on `|`, except escaped `\|` and pipes inside code spans; drops the
    /// outer pipes and trims each cell.
    static func splitCells(_ row: String) -> [String] {
        var cells: [String] = []
        var current = ""
        var inCode = false
        var escaped = false
        for character in row {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                current.append(character)
                escaped = true
            } else if character == "`" {
                inCode.toggle()
                current.append(character)
            } else if character == "|" && !inCode {
                cells.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        cells.append(current)
        if cells.first?.allSatisfy(\.isWhitespace) == true { cells.removeFirst() }
        if cells.count > 0, cells.last?.allSatisfy(\.isWhitespace) == true { cells.removeLast() }
        return cells.map { $0.trimmingBlanks() }
    }
}

extension String {
    func trimmingLeadingSpaces() -> String {
        String(drop(while: { $0 == " " }))
    }

    /// Without leading and trailing spaces and tabs.
    func trimmingBlanks() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
