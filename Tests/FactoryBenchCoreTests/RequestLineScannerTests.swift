import Foundation
import TestSupport
import Testing

@testable import FactoryBenchCore

/// The request scanner's fast paths: numbers read eight digits at a time, and keys
/// recognized by the previous line's key order. Each must give what the slow way gives.
@Suite struct RequestLineScannerTests {
    /// Parses `text` followed by `tail` (so eight-byte reads find more bytes after it).
    func parse(_ text: String, tail: String = "}, \"x\": 1}") -> (value: Double, length: Int)? {
        let bytes = Array((text + tail).utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            return JSONNumber.parse(base, base + buffer.count).map { ($0.value, $0.next - base) }
        }
    }

    @Test func numbersEqualStrtodAtEveryLength() throws {
        var generator = TestSeed.generator(for: "numbersEqualStrtodAtEveryLength")
        var texts = [
            "0", "-0", "7", "0.5", "1e5", "1E+5", "2.5e-3", "-12.75", "1795912737.944278", "0.000047990", "5.5349e-05",
            "123456789012345678901234", "0.000000000000000000000123", "9007199254740993", "9007199254740992",
            "4.9e-324", "1.7976931348623157e308", "12345678", "123456789", "1234567.8", "0.12345678", "99999999.99999999",
        ]
        let seed = TestSeed.seed
        let digits = "0123456789"
        for _ in 0..<2000 {
            let integerLength = Int.random(in: 1...20, using: &generator)
            let integer = String((0..<integerLength).map { _ in digits.randomElement(using: &generator)! })
            let trimmed = integer.count > 1 ? String(integer.drop { $0 == "0" }) : integer
            var text = trimmed.isEmpty ? "0" : trimmed
            if Bool.random(using: &generator) {
                let fractionLength = Int.random(in: 1...20, using: &generator)
                text += "." + String((0..<fractionLength).map { _ in digits.randomElement(using: &generator)! })
            }
            if Int.random(in: 0..<4, using: &generator) == 0 { text += "e\(Int.random(in: -30...30, using: &generator))" }
            texts.append(Bool.random(using: &generator) ? "-" + text : text)
        }
        for text in texts {
            // Short tails take the general path, a long one the path for short numbers.
            for tail in ["", ",", "}, \"x\": 1}", "0123456789", Self.longTail] where !(tail.first?.isNumber ?? false) {
                let parsed = try #require(parse(text, tail: tail), "\(text) did not parse (seed \(seed))")
                #expect(parsed.value.bitPattern == strtod(text, nil).bitPattern, "\(text) + \(tail) (seed \(seed))")
                #expect(parsed.length == text.utf8.count, "\(text) + \(tail) (seed \(seed))")
            }
        }
    }

    @Test func malformedNumbersAreRefused() {
        for text in ["01", "-", "1.", "1e", "1e+", ".5", "-.5", "+1", "00.1", "a1", "01.5", "1.e5", "1.5e", "0123456789.5"] {
            for tail in ["        ", Self.longTail] {
                #expect(parse(text, tail: tail) == nil, "\(text)")
            }
        }
    }

    /// More bytes than any number needs, as after a value inside a block.
    static let longTail = #","timestamp_end":1795912737.944326,"latency_s":0.000048}"#

    /// One scanner over many lines (keys guessed from the line before) gives what a fresh
    /// scanner gives on each line alone: lines in shuffled key orders, keys that share a
    /// prefix or a length with known ones, escaped keys, spaces and tabs around separators,
    /// broken lines, and lines near the buffer's end.
    @Test func guessedKeysGiveWhatAFreshScannerGives() {
        var generator = TestSeed.generator(for: "guessedKeysGiveWhatAFreshScannerGives")
        let fields = [
            #""request_id":"c1-2""#, #""client_id":3"#, #""timestamp_start":1795912737.944278"#,
            #""timestamp_end":1795912737.944326"#, #""latency_s":0.00004799"#, #""success":true"#,
            #""operation_type":"range_scan""#, #""query_type":"SELECT""#, #""error":"locked""#,
            #""latency_sx":5"#, #""latency_":6"#, #""succes":false"#, #""timestamp_starts":1"#, #""a":1"#,
            // Differs from timestamp_start only in the middle word of a guess.
            #""timestzzz_start":3"#,
            #""latency\u005fs":9"#, #""http_status":200"#, #""phase":"warmup""#, #""output_tokens":12"#,
            #""timestamp_intended":1795912737.9"#, #""itl_s":[0.1,0.2]"#, #""x":{"latency_s":7}"#,
        ]
        var lines: [String] = []
        for index in 0..<3000 {
            var chosen = fields.filter { _ in Int.random(in: 0..<5, using: &generator) > 0 }
            // Runs of lines with one key order, as real files have, broken now and then.
            if index % 7 == 0 || lines.isEmpty { chosen.shuffle(using: &generator) } else { chosen = chosen.sorted() }
            let separator = index % 11 == 0 ? ", " : index % 17 == 0 ? " ,\t" : ","
            let colon = index % 13 == 0 ? "\": " : index % 23 == 0 ? "\" :" : "\":"
            var line = "{" + chosen.joined(separator: separator).replacingOccurrences(of: "\":", with: colon) + "}"
            // Broken lines: cut short, or with a comma before the brace or a colon missing.
            if index % 19 == 0 { line = String(line.prefix(line.count / 2)) }
            if index % 29 == 0 { line = line.dropLast() + ",}" }
            if index % 31 == 0, let colon = line.firstIndex(of: ":") { line.remove(at: colon) }
            lines.append(line)
        }
        expectOneScannerGivesWhatFreshOnesGive(lines)
    }

    /// String values recognized by their bytes (the scanner's value cache) are named as a
    /// fresh scanner names them: values that share their first eight bytes or differ only
    /// past them, short ones (whose first word holds bytes after the closing quote), the
    /// empty string, escaped spellings of cached values, values too long to cache, many
    /// values competing for few cache sets, and whitespace after the value.
    @Test func cachedStringValuesGiveWhatAFreshScannerGives() {
        var generator = TestSeed.generator(for: "cachedStringValuesGiveWhatAFreshScannerGives")
        var values = [
            "point_lookup", "point_lookuq", "point_lookup2", "point_lo", "point_l", "point_update", "", "a", "ab",
            "insert", #"insert"#, #"in"sert"#, "aggregation", "update", "exactly_14_byt", "exactly_15_byte",
            "a value longer than sixteen bytes", "SELECT", "WRITE", "é", "SELECT ",
        ]
        values += (0..<150).map { "v\($0)" }
        var lines: [String] = []
        for index in 0..<4000 {
            func pick() -> String { values[Int.random(in: 0..<(index % 3 == 0 ? values.count : 12), using: &generator)] }
            let space = index % 5 == 0 ? " " : ""
            lines.append(
                #"{"operation_type":"\#(pick())"\#(space),"query_type":"\#(pick())","error":"\#(pick())"\#(space)}"#)
        }
        expectOneScannerGivesWhatFreshOnesGive(lines)
    }

    /// Scans `lines` with one scanner (which learns from each line) and each with a fresh
    /// one, and expects the same; stops at the first difference.
    func expectOneScannerGivesWhatFreshOnesGive(_ lines: [String]) {
        var shared = RequestLineScanner()
        for line in lines {
            var fresh = RequestLineScanner()
            let learned = describe(line, &shared)
            let alone = describe(line, &fresh)
            #expect(learned == alone, "\(line) (seed \(TestSeed.seed))")
            if learned != alone { return }
        }
    }

    /// The scan of `line` placed at the very end of its buffer, with interned strings named.
    func describe(_ line: String, _ scanner: inout RequestLineScanner) -> String {
        let bytes = Array(line.utf8)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: bytes)
        var record = ScannedRecord()
        let outcome = scanner.scan(UnsafeRawBufferPointer(buffer), into: &record)
        let names = scanner.strings.strings
        func name(_ id: Int) -> String { id >= 0 ? names[id] : "-" }
        let strings = [record.operation, record.queryType, record.error].map(name)
        record.operation = 0
        record.queryType = 0
        record.error = 0
        return "\(outcome) \(strings) \(record) \(scanner.itl)"
    }
}

/// Interned strings keep one id each, however their lengths and end bytes collide in the
/// interner's cache.
@Suite struct StringInternerTests {
    @Test func lookAlikeStringsKeepTheirOwnIDs() {
        var interner = StringInterner()
        // Same length, first and last byte: one cache slot for all of them.
        var words = (0..<40).map { "a\(String(format: "%03d", $0))z" }
        words += ["", "é", "insert", "update", "i", "in", String(repeating: "x", count: 300)]
        var ids: [String: Int] = [:]
        for round in 0..<3 {
            for word in (round == 1 ? words.reversed() : words) {
                let id = Array(word.utf8).withUnsafeBytes { interner.intern($0) }
                #expect(id != nil)
                if let known = ids[word] { #expect(id == known, "\(word)") } else { ids[word] = id }
                #expect(interner.strings[id ?? 0] == word)
            }
        }
        #expect(Set(ids.values).count == words.count)
        #expect([0xFF, 0xFE].withUnsafeBytes { interner.intern($0) } == nil)
    }
}
