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
        // On UTF-8 bytes, into one buffer: lines are ranges, and only table rows become
        // strings (a String per line and joining them were most of a 1,000-row page's time).
        let bytes = Array(markdown.utf8)
        var lines: [Range<Int>] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            lines.append(start..<index)
            start = index + 1
        }
        lines.append(start..<bytes.count)
        // A line without its leading spaces.
        func trimmed(_ line: Range<Int>) -> Range<Int> {
            var lower = line.lowerBound
            while lower < line.upperBound, bytes[lower] == UInt8(ascii: " ") { lower += 1 }
            return lower..<line.upperBound
        }
        func starts(_ line: Range<Int>, with prefix: ArraySlice<UInt8>) -> Bool {
            line.count >= prefix.count && bytes[line.lowerBound..<(line.lowerBound + prefix.count)] == prefix
        }
        func text(_ line: Range<Int>) -> String { String(decoding: bytes[line], as: UTF8.self) }
        let pipe: ArraySlice<UInt8> = [UInt8(ascii: "|")]
        let fences: [ArraySlice<UInt8>] = [Array("```".utf8)[...], Array("~~~".utf8)[...]]

        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2)
        var fence: ArraySlice<UInt8>?
        var index = 0
        while index < lines.count {
            // Lines are joined with newlines, as they came.
            if index > 0 { output.append(UInt8(ascii: "\n")) }
            let line = lines[index]
            let content = trimmed(line)
            if let open = fence {
                if starts(content, with: open) { fence = nil }
                output.append(contentsOf: bytes[line])
                index += 1
                continue
            }
            if let opening = fences.first(where: { starts(content, with: $0) }) {
                fence = opening
                output.append(contentsOf: bytes[line])
                index += 1
                continue
            }
            if starts(content, with: pipe), index + 1 < lines.count,
                let alignments = delimiterRow(text(lines[index + 1])),
                splitCells(text(content)).count == alignments.count
            {
                var rows: [[String]] = []
                var next = index + 2
                while next < lines.count, starts(trimmed(lines[next]), with: pipe) {
                    rows.append(splitCells(text(trimmed(lines[next]))))
                    next += 1
                }
                output.append(contentsOf: table(header: splitCells(text(content)), alignments: alignments, rows: rows).utf8)
                // A blank line after the table ends its HTML block.
                output.append(UInt8(ascii: "\n"))
                index = next
                continue
            }
            output.append(contentsOf: bytes[line])
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The HTML of a table.
    static func table(header: [String], alignments: [Alignment], rows: [[String]]) -> String {
        // Every cell of the table in one libcmark call (a call per cell made a 1,000-row
        // index spend most of its time starting parsers).
        let cells = header + rows.flatMap { row in alignments.indices.map { $0 < row.count ? row[$0] : "" } }
        var rendered = MarkdownRenderer.inlineHTML(cells)[...]
        var html = "<table>\n<thead>\n<tr>\n"
        html.reserveCapacity(rendered.reduce(0) { $0 + $1.utf8.count } + cells.count * 40 + 100)
        func cell(_ open: String, _ alignment: Alignment, _ close: String) {
            html.append(open)
            html.append(alignment.attribute)
            html.append(">")
            html.append(rendered.popFirst() ?? "")
            html.append(close)
        }
        for alignment in alignments.prefix(header.count) { cell("<th", alignment, "</th>\n") }
        html += "</tr>\n</thead>\n<tbody>\n"
        for _ in rows {
            html += "<tr>\n"
            for alignment in alignments { cell("<td", alignment, "</td>\n") }
            html += "</tr>\n"
        }
        html += "</tbody>\n</table>"
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
