import Foundation

/// One axis of a chart: its label (with unit), range, scale and tick marks.
struct Axis {
    enum Scale {
        case linear
        case log10
        /// For percentile spectra: position ∝ log10(1 / (1 − p/100)), so 90, 99, 99.9 are
        /// equally spaced (the HdrHistogram percentile-distribution plot).
        case percentileTail
    }

    var label: String
    var lower: Double
    var upper: Double
    var scale: Scale
    var ticks: [(value: Double, label: String)]

    /// Where `value` falls between 0 (lower end) and 1 (upper end).
    func fraction(_ value: Double) -> Double {
        let (a, b, v) = (transform(lower), transform(upper), transform(value))
        guard b > a else { return 0.5 }
        return min(max((v - a) / (b - a), 0), 1)
    }

    private func transform(_ value: Double) -> Double {
        switch scale {
        case .linear: return value
        case .log10: return Foundation.log10(max(value, .leastNormalMagnitude))
        case .percentileTail: return -Foundation.log10(max(1 - value / 100, 1e-9))
        }
    }

    /// A linear axis from `lower` to a "nice" upper bound, with about five ticks at 1, 2 or
    /// 5 × 10^k steps (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990).
    static func linear(label: String, lower: Double = 0, upper: Double) -> Axis {
        let span = max(upper - lower, 1e-12)
        let rawStep = span / 5
        let power = pow(10, floor(Foundation.log10(rawStep)))
        let step = [1.0, 2.0, 5.0, 10.0].map { $0 * power }.first { $0 >= rawStep } ?? rawStep
        let top = lower + (span / step).rounded(.up) * step
        var ticks: [(Double, String)] = []
        var value = lower
        while value <= top + step / 2 {
            ticks.append((value, Format.tick(value)))
            value += step
        }
        return Axis(label: label, lower: lower, upper: top, scale: .linear, ticks: ticks)
    }

    /// A log axis over whole decades covering `lower...upper`.
    static func log(label: String, lower: Double, upper: Double) -> Axis {
        let low = floor(Foundation.log10(max(lower, 1e-12)))
        var high = ceil(Foundation.log10(max(upper, 1e-12)))
        if high <= low { high = low + 1 }
        let ticks = stride(from: low, through: high, by: 1).map { exponent -> (Double, String) in
            let value = pow(10, exponent)
            return (value, Format.tick(value))
        }
        return Axis(label: label, lower: pow(10, low), upper: pow(10, high), scale: .log10, ticks: ticks)
    }

    /// The percentile axis of a spectrum, from 0 to `highest` (e.g. 99.9).
    static func percentiles(label: String, highest: Double) -> Axis {
        let marks: [(Double, String)] = [
            (0, "0%"), (90, "90%"), (99, "99%"), (99.9, "99.9%"), (99.99, "99.99%"), (99.999, "99.999%"),
        ]
        return Axis(
            label: label, lower: 0, upper: highest, scale: .percentileTail,
            ticks: marks.filter { $0.0 <= highest + 1e-9 })
    }
}
