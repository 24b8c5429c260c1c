#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Parses a JSON number in place, without allocating: the request scanner's hot path.
enum JSONNumber {
    /// Exact powers of ten that a Double holds (10^0 ... 10^22).
    static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// Parses the number at `p` (not past `end`); returns the value and the position after
    /// it, or `nil` when the bytes there are not a JSON number.
    ///
    /// Mantissas below 2^53 with a decimal exponent within ±22 take Clinger's fast path
    /// (W. D. Clinger, "How to read floating point numbers accurately", PLDI 1990): the result
    /// is one correctly rounded multiplication or division. Everything else goes to strtod.
    @inline(__always)
    static func parse(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> (value: Double, next: UnsafePointer<UInt8>)? {
        var q = p
        var negative = false
        if q < end && q.pointee == UInt8(ascii: "-") {
            negative = true
            q += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        let integerStart = q
        while q < end, case let d = q.pointee &- 48, d < 10 {
            if digits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(d)
                if mantissa > 0 { digits += 1 }
            } else {
                exponent += 1
            }
            q += 1
        }
        guard q > integerStart else { return nil }
        if q - integerStart > 1 && integerStart.pointee == UInt8(ascii: "0") { return nil }
        if q < end && q.pointee == UInt8(ascii: ".") {
            q += 1
            let fractionStart = q
            while q < end, case let d = q.pointee &- 48, d < 10 {
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    if mantissa > 0 { digits += 1 }
                    exponent -= 1
                }
                q += 1
            }
            guard q > fractionStart else { return nil }
        }
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
        if digits < 19 && mantissa < (1 << 53) && exponent >= -22 && exponent <= 22 {
            var value = Double(mantissa)
            value = exponent < 0 ? value / powersOfTen[-exponent] : value * powersOfTen[exponent]
            return (negative ? -value : value, q)
        }
        return (slowParse(p, q), q)
    }

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
