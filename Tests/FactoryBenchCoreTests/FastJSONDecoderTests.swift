import Foundation
import TestSupport
import Testing

@testable import FactoryBenchCore

/// `FastJSONDecoder` reads what `JSONDecoder` reads, value for value, and leaves to it
/// whatever it does not read the same way (so errors are `JSONDecoder`'s).
struct FastJSONDecoderTests {
    /// Both decoders' values, written back the one way (sorted keys), are the same bytes.
    func expectSame<T: Codable>(
        _ type: T.Type, _ json: String, fast: Bool = true, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        let data = Data(json.utf8)
        // Read without JSONDecoder, or (where asked) left to it.
        #expect((FastJSONDecoder.fastPath(type, from: data) != nil) == fast, sourceLocation: sourceLocation)
        let expected = try AtomicFile.encodeJSON(JSONDecoder().decode(type, from: data))
        let actual = try AtomicFile.encodeJSON(FastJSONDecoder.decode(type, from: data))
        #expect(
            String(decoding: actual, as: UTF8.self) == String(decoding: expected, as: UTF8.self), sourceLocation: sourceLocation)
    }

    @Test func summariesAndManifestsReadAsJSONDecoderReadsThem() async throws {
        let fixtures = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures")
        try expectSame(
            RunSummary.self, String(contentsOf: fixtures.appendingPathComponent("Golden/summary.json"), encoding: .utf8))
        try expectSame(RunManifest.self, String(contentsOf: fixtures.appendingPathComponent("run.json"), encoding: .utf8))
        // A summary of a real run, with every section the aggregation writes.
        let directory = try TemporaryDirectory()
        try directory.write(
            "quick.yaml", "service: {type: sqlite}\nclient: {type: sqlite_stress, settings: {num_requests: 50}}\n")
        let run = try await CommandRunner.run(["run", "quick.yaml"], in: directory.url)
        #expect(run.exitCode == 0, "\(run.stderr)")
        let results = try FileManager.default.contentsOfDirectory(atPath: directory.path("results").path)
        let runDirectory = directory.path("results/" + (results.first ?? ""))
        try expectSame(RunSummary.self, String(contentsOf: runDirectory.appendingPathComponent("summary.json"), encoding: .utf8))
        try expectSame(RunManifest.self, String(contentsOf: runDirectory.appendingPathComponent("run.json"), encoding: .utf8))
    }

    struct Values: Codable {
        var text: String
        var integer: Int
        var small: UInt8?
        var real: Double
        var flag: Bool
        var list: [Double]
        var map: [String: [Int]]
        var missing: String?
        var null: Int?
    }

    @Test func stringsAndNumbersReadExactly() throws {
        try expectSame(
            Values.self,
            #"""
             {"text": "a\"b\\c\/d\n\t\u00e9\ud83d\ude00 ü", "integer": -9223372036854775808, "small": 255,
              "real": -0, "flag": false, "list": [0.1, 1e-300, 12345678901234567890, -0.0, 2.5E+3, 7],
              "map": {"b": [1, 2e0, 3.0], "a": []}, "null": null}
            """#)
        try expectSame(
            Values.self,
            #"{"text":"","integer":9007199254740993,"real":1.7976931348623157e308,"flag":true,"list":[],"map":{}}"#)
    }

    /// What it does not read the same way, JSONDecoder answers: with its value, or its error.
    @Test func whatItCannotReadGoesToJSONDecoder() throws {
        // An integer written beyond Int where a Double is asked for, and a URL.
        struct Other: Codable, Equatable {
            var big: Double
            var link: URL
        }
        let other = #"{"big": 100000000000000000000, "link": "http://127.0.0.1/x"}"#
        #expect(
            try FastJSONDecoder.decode(Other.self, from: Data(other.utf8))
                == Other(big: 1e20, link: URL(string: "http://127.0.0.1/x")!))
        for bad in [
            #"{"text": "x", "integer": 1.5, "real": 1, "flag": true, "list": [], "map": {}}"#,
            #"{"text": "x", "integer": 01, "real": 1, "flag": true, "list": [], "map": {}}"#,
            #"{"text": "x", "integer": 1, "small": 256, "real": 1, "flag": true, "list": [], "map": {}}"#,
            #"{"text": "x", "real": 1, "flag": true, "list": [], "map": {}}"#,
            #"{"text": "x", "integer": 1, "real": 1, "flag": 1, "list": [], "map": {}}"#,
            #"{"text": "\ud83d", "integer": 1, "real": 1, "flag": true, "list": [], "map": {}}"#,
            #"{"text": "x", "integer": 1, "real": 1, "flag": true, "list": [], "map": {}} x"#,
        ] {
            let data = Data(bad.utf8)
            let expected = String(describing: Result { try JSONDecoder().decode(Values.self, from: data) }.map { _ in "" })
            let actual = String(describing: Result { try FastJSONDecoder.decode(Values.self, from: data) }.map { _ in "" })
            #expect(actual == expected, "\(bad)")
            #expect(actual.hasPrefix("failure"), "\(bad)")
        }
        // JSONDecoder reads a trailing comma; the parser does not, and JSONDecoder answers.
        try expectSame(
            Values.self, #"{"text": "x", "integer": 1, "real": 1, "flag": true, "list": [1,], "map": {}}"#, fast: false)
    }
}
