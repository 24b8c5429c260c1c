import CCmark
import Foundation

/// Markdown → HTML through libcmark (CommonMark), plus pipe tables, which plain libcmark
/// does not know: `PipeTableConverter` turns them into HTML table blocks first.
///
/// Raw HTML passes through (`CMARK_OPT_UNSAFE`) so that inline SVG plots survive; every
/// string from a recipe, a record or a server must therefore be escaped before it enters
/// the Markdown (`MarkdownText.escape`).
public enum MarkdownRenderer {
    public static func html(from markdown: String) -> String {
        cmark(PipeTableConverter.convert(markdown))
    }

    /// One paragraph's worth of inline Markdown as HTML, without the `<p>` around it.
    static func inlineHTML(_ markdown: String) -> String {
        var html = cmark(markdown)
        if html.hasSuffix("\n") { html.removeLast() }
        if html.hasPrefix("<p>") && html.hasSuffix("</p>") {
            html = String(html.dropFirst(3).dropLast(4))
        }
        return html
    }

    /// Several one-line pieces of inline Markdown as HTML. Plain pieces (`isPlain`) are their
    /// own HTML; the others go through `renderedInline` in one libcmark call — most cells of
    /// a table of runs are numbers, and parsing them was a third of a list page's time.
    static func inlineHTML(_ pieces: [String]) -> [String] {
        let marked = pieces.indices.filter { !isPlain(pieces[$0]) }
        guard !marked.isEmpty else { return pieces }
        var html = pieces
        for (index, rendered) in zip(marked, renderedInline(marked.map { pieces[$0] })) { html[index] = rendered }
        return html
    }

    /// Whether libcmark would give `piece` back unchanged as inline HTML: only letters,
    /// digits, non-ASCII characters (but for the private-use ones `renderedInline` uses as
    /// markers) and punctuation that is neither Markdown syntax nor escaped in HTML, with no
    /// blank at either end (a paragraph's blanks are trimmed).
    static func isPlain(_ piece: String) -> Bool {
        let bytes = piece.utf8
        if let first = bytes.first, first == 0x20 || first == 0x09 { return false }
        if let last = bytes.last, last == 0x20 || last == 0x09 { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: " "), UInt8(ascii: "."), UInt8(ascii: ","),
                UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: "/"), UInt8(ascii: "%"), UInt8(ascii: "+"),
                UInt8(ascii: "-"), UInt8(ascii: "="), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "?"),
                UInt8(ascii: "@"), UInt8(ascii: "#"):
                true
            case 0x80...0xFF: byte != 0xEE
            default: false
            }
        }
    }

    /// Several one-line pieces of inline Markdown as HTML, in one libcmark call: each becomes
    /// a paragraph opened by a private-use marker (so no piece can start a heading, list or
    /// other block), and the output is split at the markers.
    static func renderedInline(_ pieces: [String]) -> [String] {
        let marker = "\u{E000}"
        // A marker inside a piece would split it; such a one (rare: 0xEE leads every
        // character from U+E000 to U+EFFF) becomes U+FFFD.
        let document = pieces.map { piece in
            guard piece.utf8.contains(0xEE) else { return marker + piece }
            return marker + String(String.UnicodeScalarView(piece.unicodeScalars.map { $0 == "\u{E000}" ? "\u{FFFD}" : $0 }))
        }
        .joined(separator: "\n\n")
        // Split on the marker's UTF-8 bytes (EE 80 80): Foundation's string search is far
        // slower on a document this size.
        let bytes = Array(cmark(document).utf8)
        var starts: [Int] = []
        var index = 0
        while index + 2 < bytes.count {
            if bytes[index] == 0xEE, bytes[index + 1] == 0x80, bytes[index + 2] == 0x80 {
                starts.append(index + 3)
                index += 3
            } else {
                index += 1
            }
        }
        let closing = Array("</p>\n<p>".utf8)
        let last = Array("</p>\n".utf8)
        return starts.enumerated().map { number, start in
            var end = number + 1 < starts.count ? starts[number + 1] - 3 : bytes.count
            for ending in [closing, last] where end - start >= ending.count && Array(bytes[(end - ending.count)..<end]) == ending
            {
                end -= ending.count
                break
            }
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
    }

    static func cmark(_ markdown: String) -> String {
        let length = markdown.utf8.count
        guard let pointer = cmark_markdown_to_html(markdown, length, CMARK_OPT_UNSAFE) else { return "" }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}
