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

    static func cmark(_ markdown: String) -> String {
        let length = markdown.utf8.count
        guard let pointer = cmark_markdown_to_html(markdown, length, CMARK_OPT_UNSAFE) else { return "" }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}
