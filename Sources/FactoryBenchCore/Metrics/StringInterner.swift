/// Maps the few distinct strings of a request file (operation names, errors) to small
/// integers, comparing raw bytes so the hot path allocates nothing for a string it has seen.
struct StringInterner {
    private(set) var strings: [String] = []
    private var bytes: [[UInt8]] = []
    private var index: [[UInt8]: Int] = [:]
    /// The id last found for strings of each length, first and last byte (a direct-mapped
    /// cache): lines alternate between fields (operation, query type), so one "last hit"
    /// missed every time.
    private var recent = [Int](repeating: -1, count: 256)

    /// The id of the UTF-8 string in `buffer`, or `nil` when the bytes are not valid UTF-8.
    mutating func intern(_ buffer: UnsafeRawBufferPointer) -> Int? {
        let slot = Self.slot(buffer)
        let cached = recent[slot]
        if cached >= 0, matches(bytes[cached], buffer) { return cached }
        var found: Int?
        if bytes.count <= 16 {
            found = bytes.firstIndex { matches($0, buffer) }
        } else {
            found = index[Array(buffer)]
        }
        if let found {
            recent[slot] = found
            return found
        }
        guard let string = String(validating: buffer, as: UTF8.self) else { return nil }
        let id = add(string, bytes: Array(buffer))
        recent[slot] = id
        return id
    }

    @inline(__always)
    private static func slot(_ buffer: UnsafeRawBufferPointer) -> Int {
        guard let first = buffer.first, let last = buffer.last else { return 0 }
        return (buffer.count &* 31 &+ Int(first) &* 7 &+ Int(last)) & 255
    }

    mutating func intern(_ string: String) -> Int {
        let utf8 = Array(string.utf8)
        if let id = index[utf8] { return id }
        return add(string, bytes: utf8)
    }

    private mutating func add(_ string: String, bytes utf8: [UInt8]) -> Int {
        let id = strings.count
        strings.append(string)
        bytes.append(utf8)
        index[utf8] = id
        return id
    }

    @inline(__always)
    private func matches(_ candidate: [UInt8], _ buffer: UnsafeRawBufferPointer) -> Bool {
        guard candidate.count == buffer.count else { return false }
        return candidate.withUnsafeBytes { stored in
            guard let a = stored.baseAddress, let b = buffer.baseAddress else { return buffer.count == 0 }
            return memcmp(a, b, buffer.count) == 0
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
