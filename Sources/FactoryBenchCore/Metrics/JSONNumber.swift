#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Parses a JSON number in place, without allocating: the request scanner's hot path.
enum JSONNumber {
    /// Parses the number at `p` (not past `end`); returns the value and the position after
    /// it, or `nil` when the bytes there are not a JSON number.
    ///
    /// Up to 19 digits with a decimal exponent within ±22 take Clinger's fast path (W. D.
    /// Clinger, "How to read floating point numbers accurately", PLDI 1990): a mantissa below
    /// 2^53 and an exact power of ten make the result one correctly rounded multiplication or
    /// division. Everything else goes to strtod.
    @inline(__always)
    static func parse(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> (value: Double, next: UnsafePointer<UInt8>)? {
        if end - p >= shortReadable, let parsed = parseShort(p) { return parsed }
        return parseAny(p, end)
    }

    /// Bytes `parseShort` may read from the number's start.
    static let shortReadable = 40

    /// The common numbers of request files without a loop over digits: no sign, up to 15
    /// digits before the point and 15 after it (19 in all), read in at most four words, and
    /// an exponent of up to three digits; nil for anything else, which `parseAny` then reads
    /// (and judges). Needs `shortReadable` readable bytes.
    @inline(__always)
    private static func parseShort(_ p: UnsafePointer<UInt8>) -> (value: Double, next: UnsafePointer<UInt8>)? {
        guard let (count, integer) = shortDigits(p), count > 0 else { return nil }
        // A leading zero is allowed only alone.
        guard count == 1 || p.pointee != UInt8(ascii: "0") else { return nil }
        var q = p + count
        var mantissa = integer
        var fractionDigits = 0
        if q.pointee == UInt8(ascii: ".") {
            guard let (digits, fraction) = shortDigits(q + 1), digits > 0, count + digits <= 19 else { return nil }
            mantissa = integer &* integerPowers[digits] &+ fraction
            fractionDigits = digits
            q += 1 + digits
        }
        guard mantissa < 1 << 53 else { return nil }
        var exponent = -fractionDigits
        if q.pointee | 0x20 == UInt8(ascii: "e") {
            // Up to three exponent digits, as short latencies are written (5.5349e-05).
            q += 1
            let negative = q.pointee == UInt8(ascii: "-")
            if negative || q.pointee == UInt8(ascii: "+") { q += 1 }
            var written = 0
            var digits = 0
            while digits < 4, case let digit = q.pointee &- 48, digit < 10 {
                written = written * 10 + Int(digit)
                digits += 1
                q += 1
            }
            guard digits > 0, digits < 4 else { return nil }
            exponent += negative ? -written : written
            guard exponent >= -22, exponent <= 22 else { return nil }
        }
        let value = Double(mantissa)
        return (exponent < 0 ? value / powers[-exponent] : value * powers[exponent], q)
    }

    /// The run of up to 15 digits at `p`, read in at most two words: how many and the number
    /// they spell; nil for 16 or more.
    @inline(__always)
    private static func shortDigits(_ p: UnsafePointer<UInt8>) -> (count: Int, value: UInt64)? {
        let raw = UnsafeRawPointer(p)
        let first = raw.loadUnaligned(as: UInt64.self).littleEndian
        let count = leadingDigits(first)
        if count < 8 { return (count, digitValue(first, count)) }
        let second = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian
        let more = leadingDigits(second)
        guard more < 8 else { return nil }
        return (8 + more, digitValue(first, 8) &* integerPowers[more] &+ digitValue(second, more))
    }

    /// How many of the eight bytes of `word` (little-endian) are digits before the first
    /// one that is not.
    @inline(__always)
    private static func leadingDigits(_ word: UInt64) -> Int {
        // Zero in each byte that holds '0'...'9': its high nibble is 3, and adding 6 does
        // not carry it into 4. A carry out of a non-digit byte only reaches later bytes.
        let notDigit =
            ((word & 0xF0F0_F0F0_F0F0_F0F0) | (((word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4))
            ^ 0x3333_3333_3333_3333
        return notDigit == 0 ? 8 : notDigit.trailingZeroBitCount >> 3
    }

    /// The number the first `count` (0 to 8) bytes of `word` spell as digits.
    @inline(__always)
    private static func digitValue(_ word: UInt64, _ count: Int) -> UInt64 {
        // The digits moved to the top bytes, zero bytes (value 0) before them.
        count == 0 ? 0 : eightDigits((word & 0x0F0F_0F0F_0F0F_0F0F) << UInt64(8 * (8 - count)))
    }

    /// Any JSON number: sign, any number of digits, exponent.
    private static func parseAny(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> (
        value: Double, next: UnsafePointer<UInt8>
    )? {
        var q = p
        let negative = q < end && q.pointee == UInt8(ascii: "-")
        if negative { q += 1 }
        var mantissa: UInt64 = 0
        let integerStart = q
        q = digits(q, end, &mantissa)
        let integerDigits = q - integerStart
        guard integerDigits > 0 else { return nil }
        if integerDigits > 1 && integerStart.pointee == UInt8(ascii: "0") { return nil }
        var fractionDigits = 0
        if q < end && q.pointee == UInt8(ascii: ".") {
            q += 1
            let fractionStart = q
            q = digits(q, end, &mantissa)
            fractionDigits = q - fractionStart
            guard fractionDigits > 0 else { return nil }
        }
        var exponent = -fractionDigits
        if q < end && (q.pointee | 0x20) == UInt8(ascii: "e") {
            q += 1
            var exponentNegative = false
            if q < end && (q.pointee == UInt8(ascii: "-") || q.pointee == UInt8(ascii: "+")) {
                exponentNegative = q.pointee == UInt8(ascii: "-")
                q += 1
            }
            let exponentStart = q
            var written = 0
            while q < end, case let d = q.pointee &- 48, d < 10 {
                if written < 10000 { written = written * 10 + Int(d) }
                q += 1
            }
            guard q > exponentStart else { return nil }
            exponent += exponentNegative ? -written : written
        }
        // At most 19 digits cannot overflow the mantissa (10^19 < 2^64).
        if integerDigits + fractionDigits <= 19 && mantissa < (1 << 53) && exponent >= -22 && exponent <= 22 {
            var value = Double(mantissa)
            value = exponent < 0 ? value / powers[-exponent] : value * powers[exponent]
            return (negative ? -value : value, q)
        }
        return (slowParse(p, q), q)
    }

    /// Reads the run of decimal digits at `p` into `mantissa` (times ten per digit, wrapping:
    /// the caller counts the digits) and returns the position after it.
    ///
    /// Eight bytes at a time where eight are readable: which bytes are digits is one mask
    /// test, and up to eight digits become a number in three multiplications (the SWAR
    /// method of D. Lemire, "Fast numerical parsing", as in fast_float and simdjson).
    @inline(__always)
    static func digits(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, _ mantissa: inout UInt64)
        -> UnsafePointer<UInt8>
    {
        var q = p
        while end - q >= 8 {
            let word = UnsafeRawPointer(q).loadUnaligned(as: UInt64.self).littleEndian
            let count = leadingDigits(word)
            guard count > 0 else { return q }
            mantissa = mantissa &* integerPowers[count] &+ digitValue(word, count)
            q += count
            if count < 8 { return q }
        }
        while q < end, case let d = q.pointee &- 48, d < 10 {
            mantissa = mantissa &* 10 &+ UInt64(d)
            q += 1
        }
        return q
    }

    /// Eight digit values (one per byte, the first in the lowest byte) as one number.
    @inline(__always)
    private static func eightDigits(_ word: UInt64) -> UInt64 {
        var value = (word &* 10 &+ (word >> 8)) & 0x00FF_00FF_00FF_00FF
        value = (value &* 100 &+ (value >> 16)) & 0x0000_FFFF_0000_FFFF
        return (value &* 10000 &+ (value >> 32)) & 0xFFFF_FFFF
    }

    /// 10^0 ... 10^19, for the mantissa (a literal array is laid out at compile time, so
    /// reading it needs no lazy initialization).
    private static let integerPowers: [UInt64] = [
        1, 10, 100, 1000, 10000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000,
        100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
        10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000, 10_000_000_000_000_000_000,
    ]

    /// 10^0 ... 10^22, the powers of ten a Double holds exactly.
    private static let powers: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ]

    /// strtod on a NUL-terminated copy of the number's bytes.
    private static func slowParse(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Double {
        let count = end - start
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer in
            for index in 0..<count { buffer[index] = CChar(bitPattern: start[index]) }
            buffer[count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }
}
