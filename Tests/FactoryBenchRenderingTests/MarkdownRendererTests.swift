import TestSupport
import Testing

@testable import FactoryBenchRendering

@Suite struct MarkdownRendererTests {
    @Test func pipeTablesBecomeHTMLTablesWithAlignment() {
        let html = MarkdownRenderer.html(
            from: """
                Before.

                | Name | Count | Mid |
                |:---|---:|:-:|
                | `a|b` | 10 | *x* |
                | c \\| d | 2 |

                After.
                """)
        #expect(html.contains("<table>"))
        #expect(html.contains("<th style=\"text-align: left\">Name</th>"))
        #expect(html.contains("<th style=\"text-align: right\">Count</th>"))
        #expect(html.contains("<th style=\"text-align: center\">Mid</th>"))
        #expect(html.contains("<td style=\"text-align: left\"><code>a|b</code></td>"))
        #expect(html.contains("<td style=\"text-align: center\"><em>x</em></td>"))
        #expect(html.contains("<td style=\"text-align: left\">c | d</td>"))
        // A short row is padded with an empty cell.
        #expect(html.contains("<td style=\"text-align: right\">2</td>\n<td style=\"text-align: center\"></td>"))
        #expect(html.contains("<p>Before.</p>"))
        #expect(html.contains("<p>After.</p>"))
        #expect(!html.contains("|---"))
    }

    @Test func tablesInsideCodeFencesAndNonTablesAreLeftAlone() {
        let markdown = """
            ```
            | a | b |
            |---|---|
            ```

            | not a table because no delimiter row |
            | still not |
            """
        let html = MarkdownRenderer.html(from: markdown)
        #expect(!html.contains("<table>"))
        #expect(html.contains("<pre><code>| a | b |\n|---|---|\n</code></pre>"))
    }

    @Test func inlineSVGSurvivesAsRawHTML() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\">\n<title>t</title>\n</svg>"
        let html = MarkdownRenderer.html(from: "# Plot\n\n\(svg)\n\ntext\n")
        #expect(html.contains(svg))
    }

    /// Plain strings come back as they are (a byte check decides), anything else escaped.
    @Test func plainTextIsLeftAloneAndTheRestEscaped() {
        for plain in ["bench-20260101-000001-0001", "2026-01-01T00:00:00.000Z", "1.234 ms", "µs – naïve", "a-b+c=d", ""] {
            #expect(MarkdownText.escape(plain) == plain)
        }
        #expect(MarkdownText.escape("-x") == "\\-x")
        #expect(MarkdownText.escape("#1") == "\\#1")
        #expect(MarkdownText.escape("a_b") == "a_b")
        #expect(MarkdownText.escape("_a") == "\\_a")
        #expect(MarkdownText.escape("a|b") == "a\\|b")
        #expect(MarkdownText.escape("x<y") == "x&lt;y")
        #expect(MarkdownText.escape("line\nbreak") == "line break")
    }

    @Test func escapedTextCannotInjectHTMLOrBreakTables() {
        let hostile = "<script>alert(1)</script> | *bold* [link](javascript:x) `code` _u_ snake_case"
        let markdown = "| a |\n|---|\n| \(MarkdownText.escape(hostile)) |\n"
        let html = MarkdownRenderer.html(from: markdown)
        #expect(!html.contains("<script"))
        #expect(!html.contains("<a "))
        #expect(!html.contains("<em>"))
        #expect(!html.contains("<code>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; | *bold* [link](javascript:x) `code` _u_ snake_case"))
        #expect(html.components(separatedBy: "<td>").count == 2)
    }

    /// Table cells are rendered in one libcmark call: each comes out as it would alone, and
    /// a cell that would start a block elsewhere (`# x`, `- x`, `> x`) stays inline text.
    @Test func cellsRenderedTogetherMatchCellsRenderedAlone() {
        let inline = ["", "plain", "`a|b`", "**bold** and _em_", "[link](x.html)", "<b>raw</b>", "a &amp; b", "trailing\\"]
        #expect(MarkdownRenderer.inlineHTML(inline) == inline.map { MarkdownRenderer.inlineHTML($0) })
        let blocks = MarkdownRenderer.inlineHTML(["# title", "- item", "> quote", "1. one", "\u{E000}marker"])
        #expect(blocks == ["# title", "- item", "&gt; quote", "1. one", "\u{FFFD}marker"])
    }

    /// Pieces taken as plain (not given to libcmark) are exactly what libcmark makes of them:
    /// every ASCII character alone and between letters, table-cell values, and random
    /// strings over plain characters and Markdown syntax.
    @Test func plainPiecesAreWhatLibcmarkMakesOfThem() {
        var pieces = ["686.0 µs", "80.2/s", "99.50 %", "2026-11-29T00:00:00.000Z", "completed", "–", "1,000 runs"]
        for byte in UInt8(0x01)...UInt8(0x7F) {
            let character = String(decoding: [byte], as: UTF8.self)
            pieces += [character, "a\(character)b", "1\(character)", "\(character)x"]
        }
        var generator = TestSeed.generator(for: "plainPiecesAreWhatLibcmarkMakesOfThem")
        let seed = TestSeed.seed
        let alphabet = Array("ab019 .,:;/%+-=()?@#µ–\u{E000}*_`[]<>&\"'!\\~|{}^$\t")
        for _ in 0..<3000 {
            let count = Int.random(in: 1...8, using: &generator)
            pieces.append(String((0..<count).map { _ in alphabet.randomElement(using: &generator)! }))
        }
        #expect(MarkdownRenderer.inlineHTML(pieces) == MarkdownRenderer.renderedInline(pieces), "seed \(seed)")
        let plain = pieces.filter(MarkdownRenderer.isPlain)
        #expect(MarkdownRenderer.renderedInline(plain) == plain, "seed \(seed)")
        #expect(plain.count > 300, "seed \(seed)")
        #expect(!MarkdownRenderer.isPlain("[id](runs/id/index.html)") && !MarkdownRenderer.isPlain(" 1"))
    }
}
