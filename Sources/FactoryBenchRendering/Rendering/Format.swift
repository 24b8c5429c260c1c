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
    /// rounded, ties to even, the sign kept on negative values that round to zero). Common
    /// values are written in integer arithmetic (`exactFixed`), the rest by vsnprintf:
    /// Foundation's String(format:) took a tenth of a site rebuild, and even vsnprintf's
    /// argument list costs more than a table of numbers should.
    public static func fixed(_ value: Double, _ decimals: Int) -> String {
        if let text = exactFixed(value, decimals) { return text }
        let capacity = 48
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer in
            let count = withVaList([Int32(decimals), value]) { vsnprintf(buffer.baseAddress!, capacity, "%.*f", $0) }
            guard count >= 0, count < capacity else { return String(format: "%.\(decimals)f", value) }
            return String(cString: buffer.baseAddress!)
        }
    }

    private static let powersOfTen: [UInt64] = [
        1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
    ]

    /// `%.*f` for finite values below 2^53 with at most 9 decimals, or nil. A double is
    /// exactly m·2^e (m an integer below 2^53), so value·10^d is m·10^d·2^e: for e < 0 the
    /// quotient and remainder of a shift give the rounding exactly, as printf rounds the
    /// exact binary value (C11 7.21.6.1, glibc).
    static func exactFixed(_ value: Double, _ decimals: Int) -> String? {
        guard value.isFinite, value.magnitude < 0x1p53, decimals >= 0, decimals < powersOfTen.count else { return nil }
        let significand = value.significandBitPattern | (value.isNormal ? 1 << 52 : 0)
        let exponent = value.isNormal ? Int(value.exponent) - 52 : -1074
        // Below 2^53 · 10^9 < 2^83: fits with room for the shifts below.
        let scaled = UInt128(significand) * UInt128(powersOfTen[decimals])
        var units: UInt128
        if exponent >= 0 {
            units = scaled << exponent
        } else if -exponent >= 100 {
            units = 0  // scaled < 2^83 is below half of 2^100: rounds down
        } else {
            let shift = -exponent
            units = scaled >> shift
            let remainder = scaled & ((1 << shift) - 1)
            let half: UInt128 = 1 << (shift - 1)
            if remainder > half || (remainder == half && units & 1 == 1) { units += 1 }
        }
        guard units <= UInt128(UInt64.max) else { return nil }
        var digits = UInt64(units)
        var length = 1
        var rest = digits / 10
        while rest > 0 {
            length += 1
            rest /= 10
        }
        length = max(length, decimals + 1)
        let negative = value.sign == .minus
        let total = (negative ? 1 : 0) + length + (decimals > 0 ? 1 : 0)
        // Written from the last digit back: at most a sign, 20 digits and the point.
        return String(unsafeUninitializedCapacity: total) { buffer in
            var position = total
            for written in 0..<length {
                if written == decimals && decimals > 0 {
                    position -= 1
                    buffer[position] = UInt8(ascii: ".")
                }
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(digits % 10)
                digits /= 10
            }
            if negative { buffer[0] = UInt8(ascii: "-") }
            return total
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
        // Bytes, not `contains(".")`: that is Foundation's substring search, a twentieth of a
        // site build when every tick of every plot went through it.
        if text.utf8.contains(UInt8(ascii: ".")) {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
