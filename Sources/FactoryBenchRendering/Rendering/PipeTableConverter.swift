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
        // Lines split on UTF-8 bytes: splitting on Characters was slow on pages carrying plots.
        let lines = markdown.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map {
            String(Substring($0))
        }
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
        // Every cell of the table in one libcmark call (a call per cell made a 1,000-row
        // index spend most of its time starting parsers).
        let cells = header + rows.flatMap { row in alignments.indices.map { $0 < row.count ? row[$0] : "" } }
        var rendered = MarkdownRenderer.inlineHTML(cells)[...]
        var html = ["<table>", "<thead>", "<tr>"]
        for alignment in alignments.prefix(header.count) {
            html.append("<th\(alignment.attribute)>\(rendered.popFirst() ?? "")</th>")
        }
        html.append(contentsOf: ["</tr>", "</thead>", "<tbody>"])
        for _ in rows {
            html.append("<tr>")
            for alignment in alignments {
                html.append("<td\(alignment.attribute)>\(rendered.popFirst() ?? "")</td>")
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
        // On UTF-8 bytes: `\`, `` ` `` and `|` are ASCII and never part of a longer character,
        // and Character iteration made tables of a thousand rows slow.
        let bytes = Array(row.utf8)
        var ranges: [Range<Int>] = []
        var start = 0
        var inCode = false
        var escaped = false
        for (index, byte) in bytes.enumerated() {
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "`") {
                inCode.toggle()
            } else if byte == UInt8(ascii: "|") && !inCode {
                ranges.append(start..<index)
                start = index + 1
            }
        }
        ranges.append(start..<bytes.count)
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        func isWhitespace(_ range: Range<Int>) -> Bool {
            bytes[range].allSatisfy { isBlank($0) || $0 == 0x0A || $0 == 0x0D || $0 == 0x0B || $0 == 0x0C }
        }
        if let first = ranges.first, isWhitespace(first) { ranges.removeFirst() }
        if let last = ranges.last, isWhitespace(last) { ranges.removeLast() }
        return ranges.map { range in
            var lower = range.lowerBound
            var upper = range.upperBound
            while lower < upper, isBlank(bytes[lower]) { lower += 1 }
            while upper > lower, isBlank(bytes[upper - 1]) { upper -= 1 }
            return String(decoding: bytes[lower..<upper], as: UTF8.self)
        }
    }
}

extension String {
    func trimmingLeadingSpaces() -> String {
        utf8.first == UInt8(ascii: " ") ? String(drop(while: { $0 == " " })) : self
    }

    /// Without leading and trailing spaces and tabs.
    func trimmingBlanks() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
