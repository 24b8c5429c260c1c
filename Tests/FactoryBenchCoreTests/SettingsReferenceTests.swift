import FactoryBenchCore
import Foundation
import TestSupport
import Testing

/// The README's settings reference is generated from the code that holds the defaults;
/// `RECORD_GOLDEN=1` rewrites it (and fails, as for every golden).
@Suite struct SettingsReferenceTests {
    @Test func theReadmeReferenceIsCurrent() throws {
        let readme = Fixtures.repositoryRoot.appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let start = "<!-- settings-reference:start -->\n"
        let end = "<!-- settings-reference:end -->"
        let lower = try #require(text.range(of: start), "README lacks \(start)")
        let upper = try #require(text.range(of: end), "README lacks \(end)")
        let current = String(text[lower.upperBound..<upper.lowerBound])
        let generated = SettingsReference.markdown()
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1", current != generated {
            try (text[..<lower.upperBound] + generated + text[upper.lowerBound...]).write(
                to: readme, atomically: true, encoding: .utf8)
            Issue.record("rewrote the README's settings reference; run again without RECORD_GOLDEN")
            return
        }
        #expect(current == generated, "the README's settings reference is stale; regenerate it with RECORD_GOLDEN=1")
        for type in ClientType.allCases { #expect(current.contains("client.settings for type: \(type.rawValue)")) }
        #expect(current.contains("| `num_inserts` | an integer | `10000` |"))
    }
}
