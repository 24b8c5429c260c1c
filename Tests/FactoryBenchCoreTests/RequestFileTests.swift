import FactoryBenchCore
import Foundation
import TestSupport
import Testing

/// Reading request files: the seed's variants, and every kind of malformed input, which
/// must never crash and never disappear silently.
@Suite struct RequestFileTests {
    func aggregate(_ text: String, exactLimit: Int = Aggregator.defaultExactLimit) throws -> RunSummary {
        try aggregate(Data(text.utf8), exactLimit: exactLimit)
    }

    func aggregate(_ data: Data, exactLimit: Int = Aggregator.defaultExactLimit) throws -> RunSummary {
        let directory = try TemporaryDirectory()
        let file = directory.path("requests.jsonl")
        try data.write(to: file)
        return try Aggregator.aggregate(files: [file], exactLimit: exactLimit)
    }

    static let good =
        #"{"request_id": "a", "timestamp_start": 1700000000, "timestamp_end": 1700000001, "latency_s": 1, "success": true}"#
    /// A record that names its client, so that the same one twice is a repeat.
    static let goodFromClient =
        #"{"request_id": "a", "client_id": 0, "timestamp_start": 1700000000, "timestamp_end": 1700000001, "latency_s": 1, "success": true}"#

    @Test func acceptsTheSeedsVariants() throws {
        let summary = try aggregate(
            """
            {"benchmark_id": "old", "service_type": "postgres", "test_start": 1700000000}
            {"request_id": 7, "timestamp_start": 1700000001, "timestamp_end": 1700000002, "latency_s": 1, "success": true, "operation": "insert"}
            {"request_id": "x", "timestamp_start": 1700000001.5, "timestamp_end": 1700000001.75, "latency_s": 0, "success": false, "error": "refused", "extra": {"a": [1, {"b": "}"}]}}

            """)
        #expect(summary.skippedLines.total == 0)
        #expect(summary.totalRequests == 2)
        #expect(summary.successfulRequests == 1)
        #expect(summary.operations["insert"]?.count == 1)
        #expect(summary.operations["request"]?.count == 0)
        #expect(summary.operations["request"]?.failed == 1)
        #expect(summary.errorSummary == ["refused": 1])
        #expect(summary.firstTimestamp == 1_700_000_001)
    }

    @Test func everyMalformedKindIsCountedByReasonWithItsLineNumber() throws {
        // Line n of the file is lines[n - 1]; the expectations below name each line's fault.
        var lines: [String] = [
            Self.goodFromClient,
            "garbage",
            #"{"request_id": "b", "timestamp_start": "soon", "timestamp_end": 2, "latency_s": 1, "success": true}"#,
            #"{"request_id": "c", "timestamp_start": 1700000000, "timestamp_end": 1700000001, "latency_s": -1, "success": true}"#,
            #"{"request_id": "d", "timestamp_start": 1700000000, "timestamp_end": 1700000001, "latency_s": 1, "success": "yes"}"#,
            #"{"request_id": "e", "timestamp_start": 1700000000, "timestamp_end": 1700000001, "latency_s": NaN, "success": true}"#,
            #"{"request_id": "f", "timestamp_start": 1700000000, "timestamp_end": 1700000001, "latency_s": Infinity, "success": true}"#,
            #"{"request_id": "g", "timestamp_start": 1700000000, "timestamp_end": 1700000001, "latency_s": 90000, "success": true}"#,
            Self.goodFromClient,
            #"{"request_id": "h", "timestamp_start": 1700000000123, "timestamp_end": 1700000001, "latency_s": 1, "success": true}"#,
            "{\"request_id\": \"i\", \"timestamp_start\": 1700000000, \"timestamp_end\": 1700000001, \"latency_s\": 1, \"success\": true, \"error\": \"bad \u{FF}\"}",
            #"{"request_id": "j", "timestamp_start": 1700000000, "timestamp_end": 1700000001, "latency_s": 1, "success": true, "pad": ""#
                + String(repeating: "x", count: 1_100_000) + #""}"#,
            #"{"request_id": "k", "timestamp_start": 1700000000, "timestamp_end": 1700000001, "latency_s": 1, "success": true} trailing"#,
            #"[1, 2, 3]"#,
            #"{"request_id": "l", "timestamp_start": 1700000000, "timestamp_end": 1700000001, "latency_s": 0.5, "success": false}"#,
        ]
        lines.append(#"{"request_id": "m", "timestamp_start": 1700000000, "timest"#)
        var data = Data(lines.joined(separator: "\n").utf8)
        // Line 11 gets a byte that is not UTF-8 inside a string the aggregator keeps.
        let marker = Data("bad \u{FF}".utf8)
        let range = try #require(data.range(of: marker))
        data.replaceSubrange(range, with: Data("bad ".utf8) + Data([0xFF]))
        let summary = try aggregate(data)

        #expect(summary.totalRequests == 2, "lines 1 and 15")
        #expect(summary.successfulRequests == 1)
        let reasons = Dictionary(uniqueKeysWithValues: summary.skippedLines.examples.map { ($0.line, $0.reason) })
        #expect(reasons[2] == "not a JSON object")
        #expect(reasons[3] == "timestamp_start or timestamp_end missing or not a number")
        #expect(reasons[4] == "latency_s missing, negative or not a number")
        #expect(reasons[5] == "success missing or not true/false")
        #expect(reasons[6] == "non-finite number (NaN or Infinity)")
        #expect(reasons[7] == "non-finite number (NaN or Infinity)")
        #expect(reasons[8] == "latency_s over 24 hours")
        #expect(reasons[9] == "duplicate request (same request_id, client_id and timestamp_start)")
        #expect(reasons[10] == "timestamp not in Unix seconds (before 1970 or after the year 5000)")
        #expect(summary.skippedLines.total == 14)
        #expect(summary.skippedLines.examples.count == SkippedLines.exampleLimit)
        #expect(summary.skippedLines.examples.map(\.line) == Array(2...11))
        #expect(summary.skippedLines.byReason["not valid UTF-8"] == 1)
        #expect(summary.skippedLines.byReason["line longer than 1 MB"] == 1)
        #expect(summary.skippedLines.byReason["not a JSON object"] == 3)
        #expect(summary.skippedLines.byReason["truncated last line (no newline)"] == 1)
        #expect(summary.skippedLines.byReason.values.reduce(0, +) == 14)
    }

    /// Lines are not split before they are scanned: the scanner itself stops at each
    /// newline, so an object broken across lines, wherever the break falls, is two bad
    /// lines, and the lines after it are read as they are.
    /// Request ids of every length from 1 to 40 bytes that differ only in their last byte,
    /// all from one client at one instant, are told apart; each logged twice is caught once.
    @Test func requestIDsDifferingOnlyInTheirLastByteOrLengthAreNotDuplicates() throws {
        var lines: [String] = []
        var repeated: [String] = []
        for length in 1...40 {
            for last in ["a", "b", "c"] {
                let id = String(repeating: "x", count: length - 1) + last
                lines.append(
                    #"{"request_id":"\#(id)","client_id":1,"timestamp_start":1700000000.5,"timestamp_end":1700000000.75,"latency_s":0.25,"success":true}"#
                )
                if length % 4 == 0 && last == "b" { repeated.append(lines.last!) }
            }
        }
        let summary = try aggregate((lines + repeated).joined(separator: "\n") + "\n")
        #expect(summary.totalRequests == 120)
        #expect(summary.skippedLines.byReason == ["duplicate request (same request_id, client_id and timestamp_start)": 10])
        #expect(summary.skippedLines.examples.map(\.line) == Array(121...130))
    }

    @Test func anObjectBrokenAcrossLinesIsNeverReadAsOne() throws {
        let rest = #""timestamp_start": 1700000000, "timestamp_end": 1700000001, "latency_s": 1, "success": true}"#
        let breaks = [
            #"{"request_id": "a\"#, #"", "# + rest,
            #"{"request_id": "b", "itl_s": [0.1,"#, #"0.2], "# + rest,
            #"{"request_id": "c", "extra": {"x":"#, #"1}, "# + rest,
            #"{"request_id": "d", "timestamp_start": 1700000000,"#,
            #""timestamp_end": 1700000001, "latency_s": 1, "success": true}"#,
            #"{"request_id": "e", "# + rest.dropLast(), "}",
        ]
        let lines = [Self.line(1)] + breaks + ["  \r", Self.line(2), Self.line(3) + " \r"]
        let summary = try aggregate(lines.joined(separator: "\n") + "\n")
        #expect(summary.totalRequests == 3, "lines 1, 13 and 14")
        #expect(summary.skippedLines.total == 10)
        #expect(summary.skippedLines.examples.map(\.line) == Array(2...11))
        #expect(summary.skippedLines.byReason == ["not a JSON object": 10])
    }

    @Test func linesLongerThanABlockAreSkippedAndReadingGoesOn() throws {
        let huge = String(repeating: "y", count: 9 << 20)
        let summary = try aggregate(
            [Self.good, huge, Self.good.replacingOccurrences(of: "\"a\"", with: "\"b\"")].joined(separator: "\n") + "\n")
        #expect(summary.totalRequests == 2)
        #expect(summary.skippedLines.examples == [SkippedLine(file: "requests.jsonl", line: 2, reason: "line longer than 1 MB")])
    }

    @Test func emptyFilesAndHeaderOnlyFilesGiveEmptySummaries() throws {
        for text in ["", "\n\n", #"{"benchmark_id": "b", "service_type": "sqlite", "test_start": 1}"# + "\n"] {
            let summary = try aggregate(text)
            #expect(summary.totalRequests == 0)
            #expect(summary.latency == nil)
            #expect(summary.skippedLines.total == 0)
            #expect(summary.timeseries.isEmpty)
        }
    }

    @Test func escapedStringsAreDecoded() throws {
        let line =
            #"{"request_id": "a", "timestamp_start": 1700000000, "timestamp_end": 1700000001, "latency_s": 1, "success": false, "error": "say \"hi\" \u00e9 \ud83d\ude00 \\ done", "operation_type": "op\/1"}"#
        let summary = try aggregate(line + "\n")
        #expect(summary.errorSummary == ["say \"hi\" é 😀 \\ done": 1])
        #expect(summary.operations["op/1"]?.failed == 1)
    }

    @Test func writtenRecordsReadBackUnchanged() throws {
        let record = RequestRecord(
            requestID: "c1-2", clientID: 1, serviceType: "sqlite", timestampStart: 1_795_912_737.944278,
            timestampEnd: 1_795_912_737.944326, latencySeconds: 0.000047990, success: false,
            error: "quote \" backslash \\ newline \n tab \t bell \u{7} é", operationType: "range_scan",
            queryType: "SELECT", rowsAffected: 100)
        let line = String(decoding: record.jsonLine(), as: UTF8.self)
        #expect(line.hasSuffix("}\n"))
        #expect(line.contains(#""timestamp_start":1795912737.944278,"#))
        #expect(line.contains(#""latency_s":0.000047990,"#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["error"] as? String == record.error)
        let cut = try aggregate(String(line.dropLast()))
        #expect(cut.skippedLines.byReason == ["truncated last line (no newline)": 1])
        let complete = try aggregate(line + line.replacingOccurrences(of: "c1-2", with: "c1-3"))
        #expect(complete.skippedLines.total == 0)
        #expect(complete.errorSummary == [record.error!: 2])
        #expect(complete.queryTypes["SELECT"]?.failed == 2)
        #expect(complete.operations["range_scan"]?.failed == 2)
    }

    @Test func warmupAndCooldownAreCountedButExcluded() throws {
        let lines = [
            #"{"request_id": "1", "timestamp_start": 1700000000, "timestamp_end": 1700000000.5, "latency_s": 0.5, "success": true, "phase": "warmup"}"#,
            #"{"request_id": "2", "timestamp_start": 1700000001, "timestamp_end": 1700000001.1, "latency_s": 0.1, "success": true, "phase": "measured"}"#,
            #"{"request_id": "3", "timestamp_start": 1700000002, "timestamp_end": 1700000002.2, "latency_s": 0.2, "success": true}"#,
            #"{"request_id": "4", "timestamp_start": 1700000003, "timestamp_end": 1700000004, "latency_s": 1, "success": true, "phase": "cooldown"}"#,
        ]
        let summary = try aggregate(lines.joined(separator: "\n") + "\n")
        #expect(summary.totalRequests == 2)
        #expect(summary.excludedRequests == ExcludedRequests(warmup: 1, cooldown: 1))
        #expect(summary.latency?.max == 0.2)
        #expect(abs(summary.testDurationSeconds - 1.2) < 1e-6)
    }

    static func line(_ id: Int, latency: String = "0.001", extra: String = "", start: Double = 1_700_000_000) -> String {
        #"{"request_id": "\#(id)", "timestamp_start": \#(start), "timestamp_end": \#(start + 0.001), "latency_s": \#(latency), "success": true\#(extra)}"#
    }

    @Test func negativeZeroLatencySortsAsZero() throws {
        var lines = (0..<600).map { Self.line($0, latency: String(Double($0 + 1) / 1e6)) }
        lines.append(Self.line(600, latency: "-0.0"))
        let summary = try aggregate(lines.joined(separator: "\n") + "\n")
        let latency = try #require(summary.latency)
        #expect(latency.min == 0)
        #expect(latency.max == 0.0006)
        #expect(abs(latency.p99 - 0.000594) < 1e-12)
        #expect(!summary.latencyHistogram.isEmpty)
    }

    @Test func absurdLLMValuesAndTimestampsAreSkippedNotTrapped() throws {
        let lines = [
            Self.line(1, extra: #", "ttft_s": 1e300"#),
            Self.line(2, extra: #", "itl_s": [0.01, 1e12]"#),
            Self.line(3, extra: #", "output_tokens": 999999999999999"#),
            #"{"request_id": "4", "timestamp_start": 1700000010, "timestamp_end": 1700000000, "latency_s": 1, "success": true}"#,
            #"{"request_id": "5", "timestamp_start": 1700000000, "timestamp_end": 1700200000, "latency_s": 0, "success": false}"#,
            Self.line(6),
        ]
        let summary = try aggregate(lines.joined(separator: "\n") + "\n")
        #expect(summary.totalRequests == 2)
        #expect(summary.llm == nil, "an absurd token count is left out, not summed")
        #expect(summary.skippedLines.byReason["ttft_s or itl_s negative or over 24 hours"] == 2)
        #expect(summary.skippedLines.byReason["timestamp_end before timestamp_start"] == 1)
        #expect(summary.skippedLines.byReason["timestamp_start and timestamp_end more than 24 hours apart"] == 1)
    }

    @Test func aLineAfterAVeryLongOneSurvivesABlockBoundary() throws {
        // The long line ends 100 bytes before the end of the second 2 MiB read, so the next
        // line starts in that read and ends in the third.
        let long = String(repeating: "x", count: 4 * 1_048_576 - 100)
        let text = [long, Self.line(1), Self.line(2), ""].joined(separator: "\n") + "  "
        let summary = try aggregate(text)
        #expect(summary.totalRequests == 2)
        #expect(summary.skippedLines.examples == [SkippedLine(file: "requests.jsonl", line: 1, reason: "line longer than 1 MB")])
    }
}

/// The old framework's records: its clients reuse request ids across clients, write no
/// client id and stamp whole seconds, so two of their requests can be the same line byte
/// for byte (a failure, latency 0, in the same second on two clients). Every such record
/// counts: only a record that names its client can be told to be a repeat.
@Suite struct OldFrameworkRecordTests {
    let clients = (1...3).map { Fixtures.url("old-framework/requests_client-pg-\($0).jsonl") }

    @Test func reusedIDsWholeSecondsAndNoClientIDLoseNoRequest() throws {
        let summary = try Aggregator.aggregate(files: clients)
        #expect(summary.totalRequests == 30)
        #expect(summary.successfulRequests == 27)
        #expect(summary.skippedLines.total == 0)
        #expect(summary.errorSummary == ["psql_failed": 3])
    }

    /// The old summary's keys and meanings: service_type from the records, operations keyed
    /// by operation_type with `count` the successful requests (failed beside them),
    /// test_start_time and test_end_time, and transactions_per_second for a database.
    @Test func theOldSummaryKeysKeepTheirMeaning() throws {
        let summary = try Aggregator.aggregate(files: clients)
        #expect(summary.serviceType == "postgres")
        #expect(summary.operations["insert"]?.count == 15)
        #expect(summary.operations["insert"]?.failed == 0)
        #expect(summary.operations["select"]?.count == 12)
        #expect(summary.operations["select"]?.failed == 3)
        #expect(summary.queryTypes["point_insert"]?.count == 15)
        #expect(summary.transactionsPerSecond == summary.requestsPerSecond)
        let json = try #require(try JSONSerialization.jsonObject(with: AtomicFile.encodeJSON(summary)) as? [String: Any])
        #expect(json["service_type"] as? String == "postgres")
        #expect(json["test_start_time"] as? Double == 1_767_877_392)
        #expect(json["test_end_time"] as? Double == 1_767_877_393)
        #expect(json["transactions_per_second"] as? Double == summary.requestsPerSecond)
        let directory = try TemporaryDirectory()
        let web = try directory.write("r.jsonl", Self.httpLine)
        #expect(try Aggregator.aggregate(files: [web]).transactionsPerSecond == nil)
    }

    static let httpLine =
        #"{"service_type": "http", "request_id": "1", "timestamp_start": 1767877392, "timestamp_end": 1767877393, "latency_s": 0.5, "success": true}"#
        + "\n"

    /// Whole-second stamps within one second: the duration is at least the longest request,
    /// so the rate is never 0 (nor infinite).
    @Test func aRunWithinOneStampedSecondLastsAtLeastItsLongestRequest() throws {
        let line = { (id: Int, latency: Double) in
            #"{"timestamp_start": 1767877392, "timestamp_end": 1767877392, "latency_s": \#(latency), "success": true, "request_id": "insert_\#(id)"}"#
        }
        let directory = try TemporaryDirectory()
        let file = try directory.write("r.jsonl", [line(1, 0.25), line(2, 0.5), line(3, 0.125)].joined(separator: "\n") + "\n")
        let summary = try Aggregator.aggregate(files: [file])
        #expect(summary.testDurationSeconds == 0.5)
        #expect(summary.requestsPerSecond == 6)
    }

    /// The same record of ours (it names its client) collected twice is dropped once; the
    /// identical failure lines of three old clients are three requests.
    @Test func onlyARecordThatNamesItsClientCanBeARepeat() throws {
        let directory = try TemporaryDirectory()
        let ours =
            #"{"request_id":"c1-7","client_id":1,"timestamp_start":1767877392.25,"timestamp_end":1767877392.5,"latency_s":0.25,"success":true}"#
        let file = try directory.write("ours.jsonl", ours + "\n" + ours + "\n")
        let summary = try Aggregator.aggregate(files: clients + [file])
        #expect(summary.totalRequests == 31)
        #expect(summary.skippedLines.byReason == ["duplicate request (same request_id, client_id and timestamp_start)": 1])
    }
}
