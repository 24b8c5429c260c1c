import Foundation

/// The open loop's intended start times, in seconds from the client's start: computed from
/// the rate, the arrival process and the seed alone, so a slow server cannot move them.
///
/// Gaps are drawn in units of "work" (unit mean: all 1 for constant arrivals, exponential
/// for Poisson, gamma with shape `burstiness` as in vLLM's `--burstiness`) and mapped to
/// time through the inverse of the cumulative rate Λ(t) = ∫ r(s) ds — the time-rescaling
/// theorem (Brown et al., Neural Computation 14, 2002) — so a linear ramp-up keeps the
/// arrival process's shape. The first request is due at 0.
public struct ArrivalSchedule: Sendable, Equatable, Sequence, IteratorProtocol {
    public enum Arrival: Sendable, Equatable {
        case constant
        case poisson
        /// Shape below 1 is burstier than Poisson, above 1 more regular.
        case gamma(shape: Double)
    }

    public let rate: Double
    public let arrival: Arrival
    public let rampUpSeconds: Double
    private var generator: SeededGenerator
    private var work = 0.0
    private var started = false

    public init(rate: Double, arrival: Arrival, rampUpSeconds: Double, seed: UInt64) {
        self.rate = rate
        self.arrival = arrival
        self.rampUpSeconds = Swift.max(rampUpSeconds, 0)
        self.generator = SeededGenerator(seed: seed &+ 0x5EED_A441)
    }

    public mutating func next() -> Double? {
        if started {
            work += gap()
        } else {
            started = true
        }
        return time(atWork: work)
    }

    /// The inverse of Λ: with a linear ramp over R seconds to `rate`, Λ(t) = rate·t²/(2R)
    /// for t < R and rate·R/2 + rate·(t − R) after.
    func time(atWork work: Double) -> Double {
        let rampWork = rate * rampUpSeconds / 2
        if work < rampWork { return (2 * rampUpSeconds * work / rate).squareRoot() }
        return rampUpSeconds + (work - rampWork) / rate
    }

    private mutating func gap() -> Double {
        switch arrival {
        case .constant: return 1
        case .poisson: return -Foundation.log(1 - uniform())
        case .gamma(let shape): return gamma(shape: shape) / shape
        }
    }

    /// Uniform in [0, 1) with 53 random bits.
    private mutating func uniform() -> Double {
        Double(generator.next() >> 11) * 0x1p-53
    }

    private mutating func normal() -> Double {
        // Box–Muller.
        let u1 = 1 - uniform()
        let u2 = uniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// A Gamma(shape, 1) variate: Marsaglia and Tsang, "A simple method for generating gamma
    /// variables", ACM TOMS 26(3), 2000; shapes below 1 use their boost Gamma(a+1)·U^(1/a).
    private mutating func gamma(shape: Double) -> Double {
        if shape < 1 {
            return gamma(shape: shape + 1) * Foundation.pow(1 - uniform(), 1 / shape)
        }
        let d = shape - 1.0 / 3
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0
            var v = 0.0
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = 1 - uniform()
            if Foundation.log(u) < 0.5 * x * x + d - d * v + d * Foundation.log(v) { return d * v }
        }
    }
}
