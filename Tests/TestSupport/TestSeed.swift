import FactoryBenchCore
import Foundation

/// The seed of tests that draw random inputs: a fixed default, so every run draws the same
/// inputs, unless `FACTORYBENCH_TEST_SEED` names another (to explore, or to replay a failure).
public enum TestSeed {
    public static let defaultSeed: UInt64 = 20_261_205

    /// `FACTORYBENCH_TEST_SEED` if set (a UInt64), else `defaultSeed`.
    public static let seed: UInt64 = {
        guard let text = ProcessInfo.processInfo.environment["FACTORYBENCH_TEST_SEED"], !text.isEmpty else {
            return TestSeed.defaultSeed
        }
        guard let value = UInt64(text.trimmingCharacters(in: .whitespaces)) else {
            fatalError("FACTORYBENCH_TEST_SEED=\(text) is not a UInt64")
        }
        return value
    }()

    /// A generator seeded with `seed`; prints the seed under the name of `test`, so a failure
    /// can be replayed.
    public static func generator(for test: String) -> SeededGenerator {
        print("\(test): seed \(seed) (FACTORYBENCH_TEST_SEED=\(seed) replays it)")
        return SeededGenerator(seed: seed)
    }
}
