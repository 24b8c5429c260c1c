/// Escaping of text that came from outside (recipes, records, servers) before it enters
/// Markdown that libcmark renders with raw HTML allowed.
public enum MarkdownText {
    /// HTML-escapes `& < >`, backslash-escapes the Markdown punctuation that could start a
    /// construct (`\ ` * [ ] |`, and `_` unless inside a word), and folds line breaks into
    /// spaces, so a value renders as the literal text it is and cannot break a table row.
    public static func escape(_ text: String) -> String {
        // Most strings (ids, dates, names) need nothing: checked on bytes, as this runs for
        // every cell of every list page.
        let plain = text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\n"), UInt8(ascii: "\r"),
                UInt8(ascii: "\t"), UInt8(ascii: "\\"), UInt8(ascii: "`"), UInt8(ascii: "*"), UInt8(ascii: "["),
                UInt8(ascii: "]"), UInt8(ascii: "|"), UInt8(ascii: "_"):
                false
            default: true
            }
        }
        if plain, let first = text.utf8.first,
            first != UInt8(ascii: "#"), first != UInt8(ascii: "-"), first != UInt8(ascii: "+"), first != UInt8(ascii: "=")
        {
            return text
        }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\n", "\r", "\r\n", "\t": result += " "
            case "\\", "`", "*", "[", "]", "|": result += "\\\(character)"
            case "_":
                let inWord =
                    index > 0 && index + 1 < characters.count && characters[index - 1].isLetterOrDigit
                    && characters[index + 1].isLetterOrDigit
                result += inWord ? "_" : "\\_"
            case "#", "-", "+", "=":
                // Only at the start can these open a heading or a list item.
                result += index == 0 ? "\\\(character)" : String(character)
            default: result.append(character)
            }
        }
        return result
    }
}

extension Character {
    var isLetterOrDigit: Bool { isLetter || isNumber }
}

/// Escaping for text placed inside SVG/XML.
public enum XMLText {
    public static func escape(_ text: String) -> String {
        // Most texts (numbers, labels) need nothing escaped: one pass over the bytes says so.
        let special = text.utf8.contains { byte in
            byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
                || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
        }
        if !special { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
