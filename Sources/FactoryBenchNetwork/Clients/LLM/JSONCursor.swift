import FactoryBenchCore

#if canImport(Glibc)
    import Glibc
#endif

/// Reads the few fields a streamed LLM chunk carries straight from its bytes, walking the
/// JSON once and skipping what is not asked for: a chunk arrives 64 times per answer, and
/// a Foundation parse of each costs more than the whole request may (`JSONSerialization`
/// builds every object, array and string of it).
///
/// Each reading method starts at the value under the cursor and leaves the cursor after it;
/// malformed JSON throws `JSONCursor.Malformed`.
struct JSONCursor {
    struct Malformed: Error {}

    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Calls `member` with each key of the object under the cursor, the cursor at its value
    /// (which `member` reads or skips; one it leaves unread is skipped).
    mutating func object(_ member: (_ key: UnsafeRawBufferPointer, inout JSONCursor) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        if try peek() == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            let (key, _) = try rawString()
            try expect(UInt8(ascii: ":"))
            let valueStart = try skipSpace()
            try member(key, &self)
            if position == valueStart { try skip() }
            switch try next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"): return
            default: throw Malformed()
            }
        }
    }

    /// Calls `element` with each index of the array under the cursor, as `object` does.
    mutating func array(_ element: (_ index: Int, inout JSONCursor) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        if try peek() == UInt8(ascii: "]") {
            position += 1
            return
        }
        var index = 0
        while true {
            let valueStart = try skipSpace()
            try element(index, &self)
            if position == valueStart { try skip() }
            index += 1
            switch try next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "]"): return
            default: throw Malformed()
            }
        }
    }

    /// The string under the cursor, unescaped; nil for anything else (skipped).
    mutating func string() throws -> String? {
        guard try peek() == UInt8(ascii: "\"") else {
            try skip()
            return nil
        }
        let (raw, escaped) = try rawString()
        guard escaped else { return String(decoding: raw, as: UTF8.self) }
        guard let text = RequestLineScanner.unescape(raw) else { throw Malformed() }
        return String(decoding: text, as: UTF8.self)
    }

    /// Whether the value under the cursor is a string of at least one character (skipped).
    mutating func isNonEmptyString() throws -> Bool {
        guard try peek() == UInt8(ascii: "\"") else {
            try skip()
            return false
        }
        return try !rawString().raw.isEmpty
    }

    /// The number under the cursor; nil for anything else (skipped).
    mutating func number() throws -> Double? {
        let start = try skipSpace()
        try skip()
        guard let first = bytes[start...].first, first == UInt8(ascii: "-") || (48...57).contains(first) else {
            return nil
        }
        return Double(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self))
    }

    /// The integer under the cursor (a number with no fraction); nil for anything else.
    mutating func integer() throws -> Int? {
        guard let value = try number(), value == value.rounded(), abs(value) < 9.0e15 else { return nil }
        return Int(value)
    }

    /// The boolean under the cursor; nil for anything else (skipped).
    mutating func boolean() throws -> Bool? {
        let start = try skipSpace()
        try skip()
        switch bytes[start] {
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        default: return nil
        }
    }

    /// The JSON text of the value under the cursor, as it is.
    mutating func text() throws -> String {
        let start = try skipSpace()
        try skip()
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    /// Moves past the value under the cursor, checking that it is well-formed.
    mutating func skip() throws {
        switch try peek() {
        case UInt8(ascii: "{"): try object { _, _ in }
        case UInt8(ascii: "["): try array { _, _ in }
        case UInt8(ascii: "\""): _ = try rawString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            let start = position
            while position < bytes.count, Self.isNumberByte(bytes[position]) { position += 1 }
            if position == start { throw Malformed() }
        }
    }

    /// Whether only whitespace is left.
    mutating func atEnd() -> Bool {
        (try? skipSpace()) == nil
    }

    static func equals(_ key: UnsafeRawBufferPointer, _ name: StaticString) -> Bool {
        key.count == name.utf8CodeUnitCount && memcmp(key.baseAddress!, name.utf8Start, key.count) == 0
    }

    // MARK: - Bytes

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
    }

    /// Skips whitespace; the position of the next byte. Throws at the end.
    @discardableResult
    private mutating func skipSpace() throws -> Int {
        while position < bytes.count {
            switch bytes[position] {
            case 32, 9, 10, 13: position += 1
            default: return position
            }
        }
        throw Malformed()
    }

    private mutating func peek() throws -> UInt8 {
        bytes[try skipSpace()]
    }

    private mutating func next() throws -> UInt8 {
        let byte = try peek()
        position += 1
        return byte
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard try next() == byte else { throw Malformed() }
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count, memcmp(bytes.baseAddress! + position, word.utf8Start, count) == 0 else {
            throw Malformed()
        }
        position += count
    }

    /// The bytes between a string's quotes, and whether they hold an escape.
    private mutating func rawString() throws -> (raw: UnsafeRawBufferPointer, escaped: Bool) {
        try expect(UInt8(ascii: "\""))
        let start = position
        var escaped = false
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "\""):
                position += 1
                return (UnsafeRawBufferPointer(rebasing: bytes[start..<(position - 1)]), escaped)
            case UInt8(ascii: "\\"):
                escaped = true
                position += 2
            default: position += 1
            }
        }
        throw Malformed()
    }
}
