import FactoryBenchRendering
import Foundation
import TestSupport
import Testing

/// Number formatting works in integer arithmetic or goes straight to snprintf; it must
/// write exactly what Foundation's String(format:) writes, so pages stay byte for byte
/// the same.
@Suite struct FormatTests {
    @Test func fixedWritesWhatStringFormatWrites() {
        var generator = TestSeed.generator(for: "fixedWritesWhatStringFormatWrites")
        let seed = TestSeed.seed
        var values: [Double] = [
            0, -0.0, 0.5, 1.5, 2.5, 0.125, 0.0005, 1e-9, 123.456, -987.654321, 1e15, 1e21, 1e300, -1e300,
            .infinity, -.infinity, .nan, .greatestFiniteMagnitude, .leastNonzeroMagnitude,
        ]
        for _ in 0..<2000 {
            values.append(Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &generator)))
            values.append(Double.random(in: -1e6...1e6, using: &generator))
            // Few binary digits after the point: many exact ties at 1 to 9 decimals.
            let ties = Double(Int.random(in: -1_000_000...1_000_000, using: &generator))
            values.append(ties / Double(1 << Int.random(in: 1...12, using: &generator)))
            values.append(Double.random(in: -1e-3...1e-3, using: &generator))
        }
        // Integers near the largest of 2^53 and 2^64 ten-thousandths, subnormals, ties at 0.
        values += [
            0x1p53 - 1, 0x1p53, 0x1p53 + 2, 1_844_674_407_370_955.1615, 4 * .leastNonzeroMagnitude, -5e-10, 0.05, 0.005, 0.0005,
        ]
        for value in values {
            for decimals in [0, 1, 2, 3, 4, 6, 9] {
                #expect(
                    Format.fixed(value, decimals) == String(format: "%.\(decimals)f", value),
                    "\(value) \(decimals) (seed \(seed))")
            }
        }
        #expect(Format.latency(0.0012345) == "1.234 ms")
        #expect(Format.tick(12_345) == "12.3k")
        #expect(Format.tick(250) == "250")
    }
}
