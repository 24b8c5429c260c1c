import Foundation

/// Fixed, locale-independent number formatting for reports and plots, so that the same
/// numbers always give the same bytes.
public enum Format {
    /// A latency in the unit that keeps it readable: µs below 1 ms, ms below 1 s, else s.
    public static func latency(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "–" }
        if seconds < 0.001 { return fixed(seconds * 1e6, 1) + " µs" }
        if seconds < 1 { return fixed(seconds * 1e3, 3) + " ms" }
        return fixed(seconds, 3) + " s"
    }

    public static func rate(_ perSecond: Double) -> String { fixed(perSecond, 1) + "/s" }

    public static func percent(_ value: Double) -> String { fixed(value, 2) + " %" }

    public static func seconds(_ value: Double) -> String { fixed(value, 2) + " s" }

    /// `value` with `decimals` digits after the point, as C's `%.*f` writes it (correctly
    /// rounded). snprintf directly: Foundation's String(format:) took a tenth of a site
    /// rebuild, formatting the numbers of a thousand table rows.
    public static func fixed(_ value: Double, _ decimals: Int) -> String {
        let capacity = 48
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer in
            let count = withVaList([Int32(decimals), value]) { vsnprintf(buffer.baseAddress!, capacity, "%.*f", $0) }
            guard count >= 0, count < capacity else { return String(format: "%.\(decimals)f", value) }
            return String(cString: buffer.baseAddress!)
        }
    }

    /// A compact axis tick label: at most 3 significant digits, no trailing zeros.
    public static func tick(_ value: Double) -> String {
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e6 { return trimmed(value / 1e6, 2) + "M" }
        if magnitude >= 1e4 { return trimmed(value / 1e3, 1) + "k" }
        if magnitude >= 100 { return fixed(value, 0) }
        let decimals = max(0, 2 - Int(floor(log10(magnitude))))
        return trimmed(value, min(decimals, 9))
    }

    private static func trimmed(_ value: Double, _ decimals: Int) -> String {
        var text = fixed(value, decimals)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
