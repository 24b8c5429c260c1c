import FactoryBenchCore
import Foundation
import Testing

/// A recipe's free-form values survive `run.json`: written and read back, each keeps its kind
/// and its exact value.
struct SettingValueTests {
    @Test func everyKindOfValueRoundTripsThroughJSON() throws {
        let value = SettingValue.map([
            "count": .int(42), "negative": .int(-7), "zero": .int(0), "rate": .double(2.5), "tiny": .double(1e-9),
            "huge": .double(1e300), "beyond_double": .int(9_007_199_254_740_993), "largest": .int(Int.max),
            "name": .string("point_lookup"), "digits": .string("42"), "on": .bool(true), "off": .bool(false),
            "nothing": .null, "list": .list([.int(1), .string("two"), .double(3.5), .list([]), .map([:])]),
            "nested": .map(["mix": .map(["insert": .int(30)])]),
        ])
        let decoded = try JSONDecoder().decode(SettingValue.self, from: JSONEncoder().encode(value))
        #expect(decoded == value)
    }

    /// JSON writes 3.0 as 3; it reads back as the integer it is, as it always did.
    @Test func aWholeDoubleReadsAsAnInteger() throws {
        let decoded = try JSONDecoder().decode(SettingValue.self, from: Data("[3.0, 3, -0.5]".utf8))
        #expect(decoded == .list([.int(3), .int(3), .double(-0.5)]))
    }
}
