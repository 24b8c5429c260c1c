import FactoryBenchCore
import Foundation
import TestSupport
import Testing

/// The record writer's hand-written JSON: digits without strings, fixed decimals, escapes,
/// and many lines collected in one buffer.
@Suite struct JSONLineTests {
    @Test func numbersAreWrittenExactlyWithTheirDecimals() {
        var line = JSONLine()
        line.add("zero", 0)
        line.add("negative", -42)
        line.add("smallest", Int.min)
        line.add("largest", Int.max)
        line.add("padded", 1.000_042, decimals: 6)
        line.add("tiny", 0.000_000_007, decimals: 9)
        line.add("below_zero", -2.5, decimals: 3)
        line.add("rounds_to_zero", -0.000_000_1, decimals: 6)
        line.add("not_a_number", Double.nan, decimals: 6)
        line.add("gaps", [0.5, 0.012, 3], decimals: 3)
        line.add("flag", false)
        #expect(
            String(decoding: line.finished(), as: UTF8.self)
                == #"{"zero":0,"negative":-42,"smallest":-9223372036854775808,"largest":9223372036854775807,"#
                + #""padded":1.000042,"tiny":0.000000007,"below_zero":-2.500,"rounds_to_zero":0.000000,"#
                + #""not_a_number":null,"gaps":[0.500,0.012,3.000],"flag":false}"# + "\n")
    }

    @Test func stringsAreEscapedAsJSONWants() throws {
        var line = JSONLine()
        line.add("error", "a \"quoted\" \\ path\nnext\tline \u{1}")
        let bytes = line.finished()
        #expect(
            String(decoding: bytes, as: UTF8.self) == #"{"error":"a \"quoted\" \\ path\nnext\tline \u0001"}"# + "\n")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: String])
        #expect(parsed["error"] == "a \"quoted\" \\ path\nnext\tline \u{1}")
    }

    /// The load engine's batches: several records appended to one buffer are separate,
    /// complete lines, the same bytes as each record's own line.
    @Test func recordsAppendedToOneBufferAreTheirOwnLines() throws {
        var records: [RequestRecord] = []
        for number in 0..<3 {
            var record = RequestRecord(
                requestID: "c1-\(number)", clientID: 1, serviceType: "postgres", timestampStart: 1_700_000_000.25,
                timestampEnd: 1_700_000_000.5, latencySeconds: 0.000_123_456, success: number != 1,
                error: number == 1 ? "57014: canceling statement" : nil, operationType: "select",
                queryType: "point_lookup", rowsAffected: number)
            record.timestampIntended = number == 2 ? 1_700_000_000.125 : nil
            records.append(record)
        }
        var buffer: [UInt8] = []
        for record in records { record.appendJSONLine(to: &buffer) }
        #expect(buffer == records.flatMap { $0.jsonLine() })
        let lines = buffer.split(separator: UInt8(ascii: "\n"))
        #expect(lines.count == 3)
        for (number, line) in lines.enumerated() {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            #expect(object["request_id"] as? String == "c1-\(number)")
            #expect(object["rows_affected"] as? Int == number)
            #expect(object["latency_s"] as? Double == 0.000_123_456)
        }
        #expect(
            String(decoding: records[0].jsonLine(), as: UTF8.self)
                == #"{"request_id":"c1-0","client_id":1,"service_type":"postgres","timestamp_start":1700000000.250000,"#
                + #""timestamp_end":1700000000.500000,"latency_s":0.000123456,"success":true,"operation_type":"select","#
                + #""query_type":"point_lookup","rows_affected":0}"# + "\n")
    }
}
