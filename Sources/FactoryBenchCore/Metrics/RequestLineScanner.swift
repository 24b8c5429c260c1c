/// Scans one JSONL request line for the fields aggregation needs, without Foundation and
/// without allocating for fields it has seen before; every other field is skipped by a
/// small JSON skipper that still checks the line is well-formed.
public struct RequestLineScanner {
    enum Outcome: Equatable {
        case record
        case header
        case blank
        case invalid(String)
    }

    /// Names of `operation_type`, `query_type` and `error` values, by interned id.
    var strings = StringInterner()
    /// Inter-token gaps of the last scanned line (`itl_s`).
    var itl: [Double] = []
    /// String values seen before, by their bytes (see `ValueCache`).
    private var values = ValueCache()

    /// What came before each value of the last line that had it, by position: request files
    /// repeat one key order and one layout, so the separator, key and colon before a value
    /// are usually recognized by comparing up to three words with the guess.
    private var guesses: [KeyGuess] = []
    private static let guessedKeys = 32

    /// The bytes from the end of one value (or the object's `{`) through the colon after
    /// the next key, up to 24 of them, as the (overlapping) little-endian words that cover
    /// them: `,"latency_s":` or `, "latency_s":`.
    private struct KeyGuess {
        static let longest = 24

        var count: Int
        var head: UInt64
        var mask: UInt64
        var middle: UInt64
        var tail: UInt64
        var field: Field

        /// Remembers the bytes between `start` and `end` (after the colon); when they cannot
        /// be compared this way (an escaped key, more than 24 bytes, near the block's end),
        /// the guess never matches.
        init(
            _ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, escaped: Bool, field: Field,
            blockEnd: UnsafePointer<UInt8>
        ) {
            count = end - start
            self.field = field
            (head, mask, middle, tail) = (0, 0, 0, 0)
            if escaped || count < 1 || count > Self.longest || blockEnd - start < Self.longest { count = -1 }
            guard count > 0 else { return }
            let raw = UnsafeRawPointer(start)
            mask = count >= 8 ? ~0 : (1 << UInt64(8 * count)) - 1
            head = raw.loadUnaligned(as: UInt64.self) & mask
            middle = count > 16 ? raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self) : 0
            tail = count > 8 ? raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) : 0
        }

        /// The position after the guessed bytes when those at `p` are they. Equal bytes
        /// are equal tokens: the guess holds a whole key with both quotes and the colon.
        @inline(__always)
        func match(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> UnsafePointer<UInt8>? {
            guard count > 0, end - p >= Self.longest else { return nil }
            let raw = UnsafeRawPointer(p)
            guard raw.loadUnaligned(as: UInt64.self) & mask == head else { return nil }
            if count > 8 {
                guard raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) == tail else { return nil }
                if count > 16 && raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self) != middle { return nil }
            }
            return p + count
        }
    }

    /// Short string values (operation and query types, errors) recently interned, in a
    /// two-way set-associative table indexed by their first bytes: a value whose bytes, both
    /// quotes included, equal a cached one's is that one's id, with no search for its closing
    /// quote and no interning. Values of up to 14 characters without escapes are cached.
    private struct ValueCache {
        static let longest = 16

        struct Entry {
            /// The value's bytes from its opening quote through its closing one, as the two
            /// little-endian words that hold them (masked) and their number.
            var first: UInt64 = 0
            var second: UInt64 = 0
            var firstMask: UInt64 = 0
            var secondMask: UInt64 = 0
            var count = 0
            var id = 0
        }

        private var entries = [Entry](repeating: Entry(), count: 64)

        /// The first of the two slots of the value at `p` (on its opening quote), from the
        /// eight bytes after the quote; of a short value they include bytes after it, so one
        /// value may own more than one set, which is harmless.
        @inline(__always)
        private static func slot(_ p: UnsafePointer<UInt8>) -> Int {
            Int(truncatingIfNeeded: (UnsafeRawPointer(p + 1).loadUnaligned(as: UInt64.self) &* 0x9E37_79B9_7F4A_7C15) >> 59)
                << 1
        }

        /// The id and the position after the closing quote of the string value at `p`, when
        /// it is cached; needs `longest` readable bytes.
        @inline(__always)
        func match(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> (id: Int, next: UnsafePointer<UInt8>)? {
            guard end - p >= Self.longest else { return nil }
            let raw = UnsafeRawPointer(p)
            let (first, second) = (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            let slot = Self.slot(p)
            for way in slot...slot + 1 {
                let entry = entries[way]
                if entry.count > 0 && first & entry.firstMask == entry.first && second & entry.secondMask == entry.second {
                    return (entry.id, p + entry.count)
                }
            }
            return nil
        }

        /// Remembers that the string from the quote at `p` through the one at `closing`
        /// (with no escape in between) has `id`.
        mutating func remember(_ p: UnsafePointer<UInt8>, closing: UnsafePointer<UInt8>, id: Int, _ end: UnsafePointer<UInt8>) {
            let count = closing + 1 - p
            guard count <= Self.longest, end - p >= Self.longest else { return }
            let raw = UnsafeRawPointer(p)
            var entry = Entry()
            entry.count = count
            entry.id = id
            entry.firstMask = count >= 8 ? ~0 : (1 << UInt64(8 * count)) - 1
            entry.secondMask = count <= 8 ? 0 : count >= 16 ? ~0 : (1 << UInt64(8 * (count - 8))) - 1
            entry.first = raw.loadUnaligned(as: UInt64.self) & entry.firstMask
            entry.second = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self) & entry.secondMask
            // The set's first way holds the newest value, the second the one before.
            let slot = Self.slot(p)
            entries[slot + 1] = entries[slot]
            entries[slot] = entry
        }
    }

    private enum Field {
        case timestampStart, timestampEnd, timestampIntended, latency, success, clientID, operationType, operation
        case queryType, error, httpStatus, phase, requestID, inputTokens, outputTokens, ttft, itl, benchmarkID
        case recall, dropped, bytes
        case other
    }

    private struct Failure: Error {
        var reason: String
    }

    /// Bytes: `{"`, whitespace and friends, for readability below.
    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")
    private static let newline = UInt8(ascii: "\n")
    /// `true` and `fals` as little-endian words.
    private static let trueWord: UInt32 = 0x6575_7274
    private static let falsWord: UInt32 = 0x736C_6166

    /// Scans one line (without its newline).
    mutating func scan(_ line: UnsafeRawBufferPointer, into record: inout ScannedRecord) -> Outcome {
        guard let base = line.baseAddress?.assumingMemoryBound(to: UInt8.self), line.count > 0 else {
            record = ScannedRecord()
            return .blank
        }
        let start = UnsafePointer(base)
        return scan(from: start, to: start + line.count, into: &record).outcome
    }

    /// Scans the line at `start`, which ends at the next newline or at `end`, and returns
    /// what it is and the position after its newline (or `end`) — nil when the line is not
    /// well-formed, so the caller looks for its end. No line is searched for its newline
    /// first: no token of a line can hold or step over one (JSON lines have no raw newline
    /// inside strings, and between tokens only spaces, tabs and carriage returns).
    mutating func scan(
        from start: UnsafePointer<UInt8>, to end: UnsafePointer<UInt8>, into record: inout ScannedRecord
    ) -> (outcome: Outcome, next: UnsafePointer<UInt8>?) {
        record = ScannedRecord()
        if !itl.isEmpty { itl.removeAll(keepingCapacity: true) }
        var p = skipSpace(start, end)
        if p == end { return (.blank, end) }
        if p.pointee == Self.newline { return (.blank, p + 1) }
        do {
            guard p.pointee == UInt8(ascii: "{") else { throw Failure(reason: "not a JSON object") }
            p += 1
            var keyIndex = 0
            while true {
                let field: Field
                if keyIndex < guesses.count, let next = guesses[keyIndex].match(p, end) {
                    field = guesses[keyIndex].field
                    p = next
                } else {
                    let before = p
                    p = skipSpace(p, end)
                    guard p < end else { throw Failure(reason: "not a JSON object") }
                    if p.pointee == UInt8(ascii: "}") {
                        // The end of the object, after a value or, in `{}`, at once.
                        p += 1
                        break
                    }
                    if keyIndex > 0 {
                        guard p.pointee == UInt8(ascii: ",") else { throw Failure(reason: "not a JSON object") }
                        p = skipSpace(p + 1, end)
                    }
                    guard p < end, p.pointee == Self.quote else { throw Failure(reason: "not a JSON object") }
                    let (keyStart, keyEnd, escaped) = try string(p, end)
                    field = self.field(keyStart, keyEnd, lineEnd: end)
                    p = skipSpace(keyEnd + 1, end)
                    guard p < end, p.pointee == UInt8(ascii: ":") else { throw Failure(reason: "not a JSON object") }
                    p += 1
                    if keyIndex < Self.guessedKeys {
                        let guess = KeyGuess(before, p, escaped: escaped, field: field, blockEnd: end)
                        if keyIndex < guesses.count { guesses[keyIndex] = guess } else { guesses.append(guess) }
                    }
                }
                keyIndex += 1
                p = skipSpace(p, end)
                p = try value(for: field, at: p, end, &record)
            }
            p = skipSpace(p, end)
            if p < end {
                guard p.pointee == Self.newline else { throw Failure(reason: "not a JSON object") }
                p += 1
            }
        } catch let failure as Failure {
            return (.invalid(failure.reason), nil)
        } catch {
            return (.invalid("not a JSON object"), nil)
        }
        return (classify(&record), p)
    }

    /// Decides what a well-formed line is, and whether its values make sense.
    private func classify(_ record: inout ScannedRecord) -> Outcome {
        let hasTiming = !record.timestampStart.isNaN || !record.latency.isNaN || !record.timestampEnd.isNaN
        if !hasTiming && record.success == nil {
            return record.hasBenchmarkID ? .header : .invalid("missing timestamp_start and latency_s")
        }
        guard record.timestampStart.isFinite, record.timestampEnd.isFinite else {
            return .invalid("timestamp_start or timestamp_end missing or not a number")
        }
        // Unix seconds lie between 1970 and the year 5000; milliseconds or garbage do not.
        guard (0...1e11).contains(record.timestampStart), (0...1e11).contains(record.timestampEnd),
            record.timestampIntended.isNaN || (0...1e11).contains(record.timestampIntended)
        else {
            return .invalid("timestamp not in Unix seconds (before 1970 or after the year 5000)")
        }
        guard record.latency.isFinite, record.latency >= 0 else {
            return .invalid("latency_s missing, negative or not a number")
        }
        guard record.latency <= 86_400 else { return .invalid("latency_s over 24 hours") }
        // -0 passes `>= 0` but sorts after every positive number by its bits.
        if record.latency == 0 { record.latency = 0 }
        guard record.timestampEnd >= record.timestampStart - 0.001 else {
            return .invalid("timestamp_end before timestamp_start")
        }
        guard record.timestampEnd - record.timestampStart <= 86_400 else {
            return .invalid("timestamp_start and timestamp_end more than 24 hours apart")
        }
        guard record.ttft.isNaN || (0...86_400).contains(record.ttft), itl.allSatisfy({ (0...86_400).contains($0) }) else {
            return .invalid("ttft_s or itl_s negative or over 24 hours")
        }
        guard record.recall.isNaN || (0...1).contains(record.recall) else { return .invalid("recall outside 0 to 1") }
        guard record.success != nil else { return .invalid("success missing or not true/false") }
        return .record
    }

    // MARK: - Values

    private mutating func value(
        for field: Field, at p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, _ record: inout ScannedRecord
    ) throws -> UnsafePointer<UInt8> {
        switch field {
        case .timestampStart, .timestampEnd, .timestampIntended, .latency, .ttft, .recall, .clientID, .httpStatus,
            .inputTokens, .outputTokens, .bytes:
            // One call site parses every number (one per field cost more).
            var value: Double
            let next: UnsafePointer<UInt8>
            if let (parsed, after) = JSONNumber.parse(p, end) {
                (value, next) = (parsed, after)
            } else {
                value = .nan
                next = try notANumber(p, end)
            }
            switch field {
            case .timestampStart: record.timestampStart = value
            case .timestampEnd: record.timestampEnd = value
            case .timestampIntended: record.timestampIntended = value
            case .latency: record.latency = value
            case .ttft: record.ttft = value
            case .recall: record.recall = value
            case .bytes:
                if value >= 0 && value < 1e15, case let whole = Int(value), Double(whole) == value { record.bytes = whole }
            case .clientID:
                // A whole number, tested by converting back (`Int(exactly:)` calls trunc()).
                if abs(value) < 1e15, case let integer = Int(value), Double(integer) == value { record.clientID = integer }
            default:
                // Counts beyond a billion are not token or status counts; they are left out,
                // which also keeps the sums far from overflowing.
                var integer = -1
                if value >= 0 && value < 1e9, case let whole = Int(value), Double(whole) == value { integer = whole }
                switch field {
                case .httpStatus: record.httpStatus = integer
                case .inputTokens: record.inputTokens = integer
                default: record.outputTokens = integer
                }
            }
            return next
        case .dropped:
            if let next = literal(p, end, "true") {
                record.dropped = true
                return next
            }
            return try skip(p, end)
        case .success:
            // `true` and `false` as words read at once: a memcmp call per line cost more.
            if end - p >= 5 {
                let word = UInt32(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt32.self))
                if word == Self.trueWord {
                    record.success = true
                    return p + 4
                }
                if word == Self.falsWord && p[4] == UInt8(ascii: "e") {
                    record.success = false
                    return p + 5
                }
            }
            if let next = literal(p, end, "true") {
                record.success = true
                return next
            }
            if let next = literal(p, end, "false") {
                record.success = false
                return next
            }
            record.success = nil
            return try skip(p, end)
        case .operationType, .operation, .queryType, .error:
            guard p < end, p.pointee == Self.quote else { return try skip(p, end) }
            let id: Int
            let next: UnsafePointer<UInt8>
            if let (cached, after) = values.match(p, end) {
                (id, next) = (cached, after)
            } else {
                let (start, stop, escaped) = try string(p, end)
                id = try intern(start, stop, escaped)
                if !escaped { values.remember(p, closing: stop, id: id, end) }
                next = stop + 1
            }
            switch field {
            case .operationType: record.operation = id
            case .operation where record.operation == ScannedRecord.absent: record.operation = id
            case .queryType: record.queryType = id
            case .error: record.error = id
            default: break
            }
            return next
        case .phase:
            guard p < end, p.pointee == Self.quote else { return try skip(p, end) }
            let (start, stop, _) = try string(p, end)
            let text = UnsafeRawBufferPointer(start: start, count: stop - start)
            if text.elementsEqual("warmup".utf8) || text.elementsEqual("warm_up".utf8) {
                record.phase = .warmup
            } else if text.elementsEqual("cooldown".utf8) || text.elementsEqual("cool_down".utf8) {
                record.phase = .cooldown
            }
            return stop + 1
        case .requestID:
            let next = try skip(p, end)
            record.requestIDHash = Self.hash(p, next)
            record.hasRequestID = true
            return next
        case .itl:
            return try numberArray(p, end)
        case .benchmarkID:
            record.hasBenchmarkID = true
            return try skip(p, end)
        case .other:
            return try skip(p, end)
        }
    }

    private func number(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, _ target: inout Double) throws
        -> UnsafePointer<UInt8>
    {
        if let (value, next) = JSONNumber.parse(p, end) {
            target = value
            return next
        }
        target = .nan
        return try notANumber(p, end)
    }

    /// Where a number was expected but is not: NaN and Infinity are errors, and a value of
    /// another type (a string, null, ...) is skipped, leaving the field absent.
    private func notANumber(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) throws -> UnsafePointer<UInt8> {
        if literal(p, end, "NaN") != nil || literal(p, end, "Infinity") != nil || literal(p, end, "-Infinity") != nil {
            throw Failure(reason: "non-finite number (NaN or Infinity)")
        }
        return try skip(p, end)
    }

    private mutating func numberArray(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) throws -> UnsafePointer<UInt8> {
        guard p < end, p.pointee == UInt8(ascii: "[") else { return try skip(p, end) }
        var q = skipSpace(p + 1, end)
        if q < end && q.pointee == UInt8(ascii: "]") { return q + 1 }
        while q < end {
            var value = Double.nan
            q = skipSpace(try number(q, end, &value), end)
            if value.isFinite { itl.append(value) }
            guard q < end else { break }
            if q.pointee == UInt8(ascii: ",") {
                q = skipSpace(q + 1, end)
            } else if q.pointee == UInt8(ascii: "]") {
                return q + 1
            } else {
                break
            }
        }
        throw Failure(reason: "not a JSON object")
    }

    private mutating func intern(_ start: UnsafePointer<UInt8>, _ stop: UnsafePointer<UInt8>, _ escaped: Bool) throws -> Int {
        let raw = UnsafeRawBufferPointer(start: start, count: stop - start)
        if !escaped {
            guard let id = strings.intern(raw) else { throw Failure(reason: "not valid UTF-8") }
            return id
        }
        guard let decoded = Self.unescape(raw) else { throw Failure(reason: "bad string escape") }
        let id = decoded.withUnsafeBytes { strings.intern($0) }
        guard let id else { throw Failure(reason: "not valid UTF-8") }
        return id
    }

    // MARK: - Lexing

    @inline(__always)
    private func skipSpace(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> UnsafePointer<UInt8> {
        var q = p
        while q < end {
            let c = q.pointee
            // Not the newline: it ends the line (see `scan(from:to:into:)`).
            guard c == 0x20 || c == 0x09 || c == 0x0D else { break }
            q += 1
        }
        return q
    }

    /// The contents of the string starting at `p` (on its opening quote): start, the
    /// position of the closing quote, and whether it holds escapes.
    ///
    /// Eight bytes at a time while no byte is a quote, a backslash or a control character
    /// (the SWAR "has zero byte" test, Mycroft 1987: (v − 0x01…) & ~v & 0x80…).
    @inline(__always)
    private func string(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) throws -> (
        UnsafePointer<UInt8>, UnsafePointer<UInt8>, Bool
    ) {
        let start = p + 1
        var q = start
        var escaped = false
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while q < end {
            while end - q >= 8 {
                let word = UnsafeRawPointer(q).loadUnaligned(as: UInt64.self)
                let quotes = word ^ (ones &* UInt64(Self.quote))
                let backslashes = word ^ (ones &* UInt64(Self.backslash))
                let special =
                    ((quotes &- ones) & ~quotes) | ((backslashes &- ones) & ~backslashes) | ((word &- ones &* 0x20) & ~word)
                let flagged = special & highs
                if flagged == 0 {
                    q += 8
                } else {
                    q += flagged.trailingZeroBitCount >> 3
                    break
                }
            }
            guard q < end else { break }
            let c = q.pointee
            if c == Self.quote { return (start, q, escaped) }
            if c == Self.backslash {
                // An escaped control character (a newline above all) is not JSON, and
                // stepping over it would leave the line.
                guard end - q >= 2, q[1] >= 0x20 else { throw Failure(reason: "not a JSON object") }
                escaped = true
                q += 2
                continue
            }
            if c < 0x20 { throw Failure(reason: "not a JSON object") }
            q += 1
        }
        throw Failure(reason: "not a JSON object")
    }

    private func literal(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, _ word: StaticString) -> UnsafePointer<UInt8>? {
        let count = word.utf8CodeUnitCount
        guard end - p >= count, memcmp(p, word.utf8Start, count) == 0 else { return nil }
        return p + count
    }

    /// Skips one JSON value of any type and returns the position after it.
    private func skip(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) throws -> UnsafePointer<UInt8> {
        guard p < end else { throw Failure(reason: "not a JSON object") }
        switch p.pointee {
        case Self.quote:
            return try string(p, end).1 + 1
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var q = p
            while q < end {
                switch q.pointee {
                case Self.quote:
                    q = try string(q, end).1
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    guard depth <= 512 else { throw Failure(reason: "nesting deeper than 512") }
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return q + 1 }
                case Self.newline:
                    throw Failure(reason: "not a JSON object")
                default:
                    break
                }
                q += 1
            }
            throw Failure(reason: "not a JSON object")
        case UInt8(ascii: "t"):
            if let next = literal(p, end, "true") { return next }
        case UInt8(ascii: "f"):
            if let next = literal(p, end, "false") { return next }
        case UInt8(ascii: "n"):
            if let next = literal(p, end, "null") { return next }
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            throw Failure(reason: "non-finite number (NaN or Infinity)")
        default:
            if let (_, next) = JSONNumber.parse(p, end) { return next }
            if literal(p, end, "-Infinity") != nil { throw Failure(reason: "non-finite number (NaN or Infinity)") }
        }
        throw Failure(reason: "not a JSON object")
    }

    /// Which field a key names, by its length and its first and last eight bytes read as
    /// little-endian words (constants below: the key names' bytes), with no memcmp call.
    @inline(__always)
    private func field(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, lineEnd: UnsafePointer<UInt8>) -> Field {
        let count = end - start
        guard count >= 5, count <= 18 else { return .other }
        let raw = UnsafeRawPointer(start)
        var head: UInt64
        if count >= 8 || lineEnd - start >= 8 {
            head = raw.loadUnaligned(as: UInt64.self)
        } else {
            head = 0
            for index in 0..<count { head |= UInt64(start[index]) << UInt64(8 * index) }
        }
        if count < 8 { head &= (1 << UInt64(8 * count)) - 1 }
        let tail = count >= 8 ? raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) : 0
        switch (count, head, tail) {
        case (5, 0x72_6f72_7265, _): return .error
        case (5, 0x73_5f6c_7469, _): return .itl
        case (5, 0x65_7361_6870, _): return .phase
        case (5, 0x73_6574_7962, _): return .bytes
        case (6, 0x735f_7466_7474, _): return .ttft
        case (6, 0x6c6c_6163_6572, _): return .recall
        case (7, 0x64_6570_706f_7264, _): return .dropped
        case (7, 0x73_7365_6363_7573, _): return .success
        case (9, 0x5f79_636e_6574_616c, 0x735f_7963_6e65_7461): return .latency
        case (9, 0x695f_746e_6569_6c63, 0x6469_5f74_6e65_696c): return .clientID
        case (9, 0x6f69_7461_7265_706f, 0x6e6f_6974_6172_6570): return .operation
        case (10, 0x7974_5f79_7265_7571, 0x6570_7974_5f79_7265): return .queryType
        case (10, 0x5f74_7365_7571_6572, 0x6469_5f74_7365_7571): return .requestID
        case (11, 0x6174_735f_7074_7468, 0x7375_7461_7473_5f70): return .httpStatus
        case (12, 0x6f74_5f74_7570_6e69, 0x736e_656b_6f74_5f74): return .inputTokens
        case (12, 0x7261_6d68_636e_6562, 0x6469_5f6b_7261_6d68): return .benchmarkID
        case (13, 0x6d61_7473_656d_6974, 0x646e_655f_706d_6174): return .timestampEnd
        case (13, 0x745f_7475_7074_756f, 0x736e_656b_6f74_5f74): return .outputTokens
        case (14, 0x6f69_7461_7265_706f, 0x6570_7974_5f6e_6f69): return .operationType
        case (15, 0x6d61_7473_656d_6974, 0x7472_6174_735f_706d): return .timestampStart
        case (18, 0x6d61_7473_656d_6974, 0x6465_646e_6574_6e69):
            // The first and last eight bytes leave two in the middle unchecked.
            return start[8] == UInt8(ascii: "p") && start[9] == UInt8(ascii: "_") ? .timestampIntended : .other
        default: return .other
        }
    }

    /// A hash of the raw bytes of a value, for duplicate detection: FNV-1a's step taken a
    /// word (eight bytes) at a time, the length mixed in last, then MurmurHash3's finalizer.
    /// Each step is a bijection of the state for a given word, so two values of one length
    /// never collide.
    @inline(__always)
    static func hash(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> UInt64 {
        let prime: UInt64 = 0x0000_0100_0000_01B3
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        var q = start
        while end - q >= 8 {
            hash = (hash ^ UnsafeRawPointer(q).loadUnaligned(as: UInt64.self).littleEndian) &* prime
            q += 8
        }
        var last: UInt64 = 0
        var shift: UInt64 = 0
        while q < end {
            last |= UInt64(q.pointee) << shift
            shift += 8
            q += 1
        }
        hash = (hash ^ last) &* prime
        hash = (hash ^ UInt64(end - start)) &* prime
        hash ^= hash >> 33
        hash &*= 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        hash &*= 0xC4CE_B9FE_1A85_EC53
        return hash ^ (hash >> 33)
    }

    /// The hash of a request id given as a string, equal to that of its quoted JSON form
    /// only in spirit: records built in memory never meet scanned ones.
    static func hash(_ string: String) -> UInt64 {
        var copy = string
        return copy.withUTF8 { buffer in
            guard let base = buffer.baseAddress else { return 0xCBF2_9CE4_8422_2325 }
            return hash(base, base + buffer.count)
        }
    }

    /// Decodes the escapes of a JSON string's raw bytes (RFC 8259, section 7), or `nil` when
    /// an escape is malformed. Lone surrogates become U+FFFD.
    public static func unescape(_ raw: UnsafeRawBufferPointer) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = 0
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= raw.count else { return nil }
            var value: UInt32 = 0
            for offset in 0..<4 {
                let c = raw[at + offset]
                let digit: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - 48
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - 87
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - 55
                default: return nil
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while index < raw.count {
            let c = raw[index]
            guard c == backslash else {
                out.append(c)
                index += 1
                continue
            }
            guard index + 1 < raw.count else { return nil }
            let e = raw[index + 1]
            index += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(index) else { return nil }
                index += 4
                if (0xD800..<0xDC00).contains(scalar), index + 6 <= raw.count, raw[index] == backslash,
                    raw[index + 1] == UInt8(ascii: "u"), let low = hex4(index + 2), (0xDC00..<0xE000).contains(low)
                {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                out.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
            default:
                return nil
            }
        }
        return out
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
