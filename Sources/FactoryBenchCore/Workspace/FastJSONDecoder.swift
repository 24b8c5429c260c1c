import Foundation

/// Reads JSON into a `Decodable` several times faster than Foundation's `JSONDecoder`, for the
/// files read by the thousand: each run's `run.json` and `summary.json`, which a site build
/// reads for every run (there `JSONDecoder` was a quarter of the build's time).
///
/// The bytes are parsed into a tree, which is then decoded. It is strict: whatever it does
/// not read exactly as `JSONDecoder` would — malformed JSON, a type mismatch, a missing key, a
/// number out of range, a `Float`, the types `JSONDecoder` treats specially (`URL`, `Data`,
/// `Decimal`) — makes it hand the bytes to `JSONDecoder`, whose value or error is then the
/// answer. So a value it returns is the one `JSONDecoder` returns, and every error message
/// is `JSONDecoder`'s.
public enum FastJSONDecoder {
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        if let value = fastPath(type, from: data) { return value }
        return try JSONDecoder().decode(type, from: data)
    }

    /// The value read without `JSONDecoder`, or nil where it would be needed.
    static func fastPath<T: Decodable>(_ type: T.Type, from data: Data) -> T? {
        let tree = data.withUnsafeBytes { bytes -> JSONTree? in
            var parser = JSONTreeParser(bytes: bytes.bindMemory(to: UInt8.self))
            return parser.document()
        }
        guard let tree else { return nil }
        return try? T(from: TreeDecoder(tree, path: .root))
    }
}

/// A parsed JSON value.
enum JSONTree {
    case null
    case bool(Bool)
    /// The number as a `Double` and, when it is written as an integer that fits, as an `Int`;
    /// `integerLiteral` says it was written without a fraction or exponent.
    case number(Double, Int?, integerLiteral: Bool)
    case string(String)
    case array([JSONTree])
    /// Members in the order written (objects are small: a linear search beats hashing).
    case object([(String, JSONTree)])
}

/// The one failure of the fast path: the caller falls back to `JSONDecoder`, so it carries
/// nothing (a `DecodingError` with its message cost more than the decoding itself).
struct FastPathMiss: Error {}

/// A recursive-descent JSON parser (RFC 8259) over bytes; nil for anything malformed.
struct JSONTreeParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    var depth = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func document() -> JSONTree? {
        guard let value = value() else { return nil }
        skipSpace()
        return position == bytes.count ? value : nil
    }

    private mutating func skipSpace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    private mutating func value() -> JSONTree? {
        skipSpace()
        guard position < bytes.count else { return nil }
        switch bytes[position] {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "\""): return string().map { .string($0) }
        case UInt8(ascii: "t"): return literal("true", .bool(true))
        case UInt8(ascii: "f"): return literal("false", .bool(false))
        case UInt8(ascii: "n"): return literal("null", .null)
        default: return number()
        }
    }

    private mutating func literal(_ text: StaticString, _ value: JSONTree) -> JSONTree? {
        let count = text.utf8CodeUnitCount
        guard bytes.count - position >= count else { return nil }
        for offset in 0..<count where bytes[position + offset] != text.utf8Start[offset] { return nil }
        position += count
        return value
    }

    private mutating func object() -> JSONTree? {
        // JSONDecoder's nesting limit.
        depth += 1
        defer { depth -= 1 }
        guard depth <= 512 else { return nil }
        position += 1
        var members: [(String, JSONTree)] = []
        skipSpace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\""), let key = string() else { return nil }
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { return nil }
            position += 1
            guard let value = value() else { return nil }
            members.append((key, value))
            skipSpace()
            guard position < bytes.count else { return nil }
            let next = bytes[position]
            position += 1
            if next == UInt8(ascii: "}") { return .object(members) }
            guard next == UInt8(ascii: ",") else { return nil }
        }
    }

    private mutating func array() -> JSONTree? {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 512 else { return nil }
        position += 1
        var elements: [JSONTree] = []
        skipSpace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            guard let value = value() else { return nil }
            elements.append(value)
            skipSpace()
            guard position < bytes.count else { return nil }
            let next = bytes[position]
            position += 1
            if next == UInt8(ascii: "]") { return .array(elements) }
            guard next == UInt8(ascii: ",") else { return nil }
        }
    }

    private mutating func string() -> String? {
        position += 1
        let start = position
        var escaped = false
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { break }
            if byte < 0x20 { return nil }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                position += 1
            }
            position += 1
        }
        guard position < bytes.count else { return nil }
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<position])
        position += 1
        // Without escapes (nearly every string) the bytes are the string; invalid UTF-8,
        // which String repairs, JSONDecoder refuses.
        guard escaped else {
            let text = String(decoding: raw, as: UTF8.self)
            return text.utf8.count == raw.count ? text : nil
        }
        // The scanner's unescaping stands a lone surrogate in for U+FFFD, which JSONDecoder
        // refuses: any U+FFFD is left to it.
        guard let unescaped = RequestLineScanner.unescape(UnsafeRawBufferPointer(raw)),
            !unescaped.indices.dropLast(2).contains(where: {
                unescaped[$0] == 0xEF && unescaped[$0 + 1] == 0xBF && unescaped[$0 + 2] == 0xBD
            })
        else { return nil }
        let text = String(decoding: unescaped, as: UTF8.self)
        return text.utf8.count == unescaped.count ? text : nil
    }

    private mutating func number() -> JSONTree? {
        let start = position
        var negative = false
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        let digitsStart = position
        var magnitude: UInt64 = 0
        var overflow = false
        while position < bytes.count, case let digit = bytes[position] &- UInt8(ascii: "0"), digit < 10 {
            let (times, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(UInt64(digit))
            overflow = overflow || o1 || o2
            magnitude = plus
            position += 1
        }
        let digitCount = position - digitsStart
        // No digits, or a leading zero before more digits: not JSON.
        guard digitCount > 0, !(digitCount > 1 && bytes[digitsStart] == UInt8(ascii: "0")) else { return nil }
        var integerLiteral = true
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            integerLiteral = false
            position += 1
            let fraction = position
            while position < bytes.count, bytes[position] &- UInt8(ascii: "0") < 10 { position += 1 }
            guard position > fraction else { return nil }
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            integerLiteral = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            let exponent = position
            while position < bytes.count, bytes[position] &- UInt8(ascii: "0") < 10 { position += 1 }
            guard position > exponent else { return nil }
        }
        if integerLiteral && !overflow {
            let integer: Int?
            if negative {
                integer = magnitude <= UInt64(Int.max) ? -Int(magnitude) : (magnitude == UInt64(Int.max) + 1 ? Int.min : nil)
            } else {
                integer = magnitude <= UInt64(Int.max) ? Int(magnitude) : nil
            }
            // -0 is an integer 0 but the Double -0.0, as strtod reads it.
            if let integer { return .number(negative && integer == 0 ? -0.0 : Double(integer), integer, integerLiteral: true) }
        }
        // strtod, correctly rounded, as JSONDecoder reads a Double.
        let length = position - start
        let double = withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer -> Double in
            for offset in 0..<length { buffer[offset] = CChar(bitPattern: bytes[start + offset]) }
            buffer[length] = 0
            return strtod(buffer.baseAddress!, nil)
        }
        guard double.isFinite else { return nil }
        return .number(double, nil, integerLiteral: integerLiteral)
    }
}

/// Where a value sits in the document, kept as a chain and made a `[CodingKey]` only when
/// asked (nearly never).
indirect enum TreePath {
    case root
    case key(any CodingKey, TreePath)
    case index(Int, TreePath)

    var codingPath: [any CodingKey] {
        var keys: [any CodingKey] = []
        var node = self
        while true {
            switch node {
            case .root: return keys.reversed()
            case .key(let key, let parent):
                keys.append(key)
                node = parent
            case .index(let index, let parent):
                keys.append(TreeIndexKey(intValue: index))
                node = parent
            }
        }
    }
}

struct TreeIndexKey: CodingKey {
    var stringValue: String { "Index \(intValue ?? 0)" }
    var intValue: Int?
    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

/// Decodes from a parsed tree; every mismatch is a `FastPathMiss`.
struct TreeDecoder: Decoder {
    let tree: JSONTree
    let path: TreePath

    init(_ tree: JSONTree, path: TreePath) {
        self.tree = tree
        self.path = path
    }

    var codingPath: [any CodingKey] { path.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = tree else { throw FastPathMiss() }
        return KeyedDecodingContainer(TreeKeyedContainer<Key>(members: members, path: path))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = tree else { throw FastPathMiss() }
        return TreeUnkeyedContainer(elements: elements, path: path)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        TreeSingleValue(tree: tree, path: path)
    }

    /// The value of `tree` as `T`: primitives read here, everything else by its own
    /// `init(from:)` — except the types `JSONDecoder` reads its own way.
    static func decode<T: Decodable>(_ type: T.Type, from tree: JSONTree, path: TreePath) throws -> T {
        switch type {
        case is String.Type: return try string(tree) as! T
        case is Double.Type: return try double(tree) as! T
        case is Int.Type: return try integer(Int.self, tree) as! T
        case is Bool.Type: return try bool(tree) as! T
        case is URL.Type, is Data.Type, is Decimal.Type, is Float.Type: throw FastPathMiss()
        default: return try T(from: TreeDecoder(tree, path: path))
        }
    }

    static func string(_ tree: JSONTree) throws -> String {
        guard case .string(let value) = tree else { throw FastPathMiss() }
        return value
    }

    static func bool(_ tree: JSONTree) throws -> Bool {
        guard case .bool(let value) = tree else { throw FastPathMiss() }
        return value
    }

    static func double(_ tree: JSONTree) throws -> Double {
        guard case .number(let value, _, _) = tree else { throw FastPathMiss() }
        return value
    }

    /// As JSONDecoder: an integer literal exactly, or a number with a fraction or exponent
    /// whose value is a whole number in range; an integer literal beyond `Int` is left to it.
    static func integer<T: FixedWidthInteger>(_ type: T.Type, _ tree: JSONTree) throws -> T {
        guard case .number(let double, let integer, let integerLiteral) = tree else { throw FastPathMiss() }
        if let integer, let value = T(exactly: integer) { return value }
        guard !integerLiteral, let value = T(exactly: double) else { throw FastPathMiss() }
        return value
    }
}

struct TreeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [(String, JSONTree)]
    let path: TreePath

    var codingPath: [any CodingKey] { path.codingPath }
    var allKeys: [Key] { members.compactMap { Key(stringValue: $0.0) } }

    func member(_ key: Key) throws -> JSONTree {
        let name = key.stringValue
        for (memberName, value) in members where memberName == name { return value }
        throw FastPathMiss()
    }

    func contains(_ key: Key) -> Bool {
        let name = key.stringValue
        return members.contains { $0.0 == name }
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try member(key) { return true }
        return false
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try TreeDecoder.bool(member(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try TreeDecoder.string(member(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try TreeDecoder.double(member(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { throw FastPathMiss() }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try TreeDecoder.integer(type, member(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try TreeDecoder.integer(type, member(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try TreeDecoder.integer(type, member(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try TreeDecoder.integer(type, member(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try TreeDecoder.integer(type, member(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try TreeDecoder.integer(type, member(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try TreeDecoder.integer(type, member(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try TreeDecoder.integer(type, member(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try TreeDecoder.integer(type, member(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try TreeDecoder.integer(type, member(key)) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try TreeDecoder.decode(type, from: member(key), path: .key(key, path))
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try TreeDecoder(member(key), path: .key(key, path)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try TreeDecoder(member(key), path: .key(key, path)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { throw FastPathMiss() }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw FastPathMiss() }
}

struct TreeUnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONTree]
    let path: TreePath
    var currentIndex = 0

    init(elements: [JSONTree], path: TreePath) {
        self.elements = elements
        self.path = path
    }

    var codingPath: [any CodingKey] { path.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    mutating func next() throws -> JSONTree {
        guard currentIndex < elements.count else { throw FastPathMiss() }
        defer { currentIndex += 1 }
        return elements[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        guard currentIndex < elements.count else { throw FastPathMiss() }
        if case .null = elements[currentIndex] {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try TreeDecoder.bool(next()) }
    mutating func decode(_ type: String.Type) throws -> String { try TreeDecoder.string(next()) }
    mutating func decode(_ type: Double.Type) throws -> Double { try TreeDecoder.double(next()) }
    mutating func decode(_ type: Float.Type) throws -> Float { throw FastPathMiss() }
    mutating func decode(_ type: Int.Type) throws -> Int { try TreeDecoder.integer(type, next()) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try TreeDecoder.integer(type, next()) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try TreeDecoder.integer(type, next()) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try TreeDecoder.integer(type, next()) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try TreeDecoder.integer(type, next()) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try TreeDecoder.integer(type, next()) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try TreeDecoder.integer(type, next()) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try TreeDecoder.integer(type, next()) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try TreeDecoder.integer(type, next()) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try TreeDecoder.integer(type, next()) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let index = currentIndex
        return try TreeDecoder.decode(type, from: next(), path: .index(index, path))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey>
    {
        let index = currentIndex
        return try TreeDecoder(next(), path: .index(index, path)).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let index = currentIndex
        return try TreeDecoder(next(), path: .index(index, path)).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { throw FastPathMiss() }
}

struct TreeSingleValue: SingleValueDecodingContainer {
    let tree: JSONTree
    let path: TreePath

    var codingPath: [any CodingKey] { path.codingPath }

    func decodeNil() -> Bool {
        if case .null = tree { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool { try TreeDecoder.bool(tree) }
    func decode(_ type: String.Type) throws -> String { try TreeDecoder.string(tree) }
    func decode(_ type: Double.Type) throws -> Double { try TreeDecoder.double(tree) }
    func decode(_ type: Float.Type) throws -> Float { throw FastPathMiss() }
    func decode(_ type: Int.Type) throws -> Int { try TreeDecoder.integer(type, tree) }
    func decode(_ type: Int8.Type) throws -> Int8 { try TreeDecoder.integer(type, tree) }
    func decode(_ type: Int16.Type) throws -> Int16 { try TreeDecoder.integer(type, tree) }
    func decode(_ type: Int32.Type) throws -> Int32 { try TreeDecoder.integer(type, tree) }
    func decode(_ type: Int64.Type) throws -> Int64 { try TreeDecoder.integer(type, tree) }
    func decode(_ type: UInt.Type) throws -> UInt { try TreeDecoder.integer(type, tree) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try TreeDecoder.integer(type, tree) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try TreeDecoder.integer(type, tree) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try TreeDecoder.integer(type, tree) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try TreeDecoder.integer(type, tree) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try TreeDecoder.decode(type, from: tree, path: path)
    }
}
