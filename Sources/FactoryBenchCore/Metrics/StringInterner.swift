/// Maps the few distinct strings of a request file (operation names, errors) to small
/// integers, comparing raw bytes so the hot path allocates nothing for a string it has seen.
struct StringInterner {
    private(set) var strings: [String] = []
    private var bytes: [[UInt8]] = []
    private var index: [[UInt8]: Int] = [:]
    private var lastHit = 0

    /// The id of the UTF-8 string in `buffer`, or `nil` when the bytes are not valid UTF-8.
    mutating func intern(_ buffer: UnsafeRawBufferPointer) -> Int? {
        if lastHit < bytes.count, matches(bytes[lastHit], buffer) { return lastHit }
        if bytes.count <= 16 {
            for (id, candidate) in bytes.enumerated() where matches(candidate, buffer) {
                lastHit = id
                return id
            }
        } else if let id = index[Array(buffer)] {
            lastHit = id
            return id
        }
        guard let string = String(validating: buffer, as: UTF8.self) else { return nil }
        return add(string, bytes: Array(buffer))
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
        lastHit = id
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
