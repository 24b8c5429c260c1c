import Foundation

/// The Prometheus text exposition format (version 0.0.4), as servers such as vLLM expose it
/// on `/metrics`: `# HELP` and `# TYPE` lines, samples `name{label="value",...} value
/// [timestamp]`, label values with `\\`, `\"` and `\n` escapes, and `NaN`, `+Inf`, `-Inf`.
/// A histogram is its `_bucket{le=...}`, `_sum` and `_count` samples.
public enum PrometheusText {
    public struct Sample: Sendable, Equatable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
        /// Milliseconds since the epoch, when the sample carries one.
        public var timestamp: Int64?

        public init(name: String, labels: [String: String] = [:], value: Double, timestamp: Int64? = nil) {
            self.name = name
            self.labels = labels
            self.value = value
            self.timestamp = timestamp
        }
    }

    public struct Exposition: Sendable, Equatable {
        public var samples: [Sample] = []
        /// `# TYPE` of each metric family: counter, gauge, histogram, summary, untyped.
        public var types: [String: String] = [:]
        public var help: [String: String] = [:]
        /// Lines that could not be read, with their numbers (from 1): kept, not fatal.
        public var skipped: [(line: Int, text: String)] = []

        public static func == (a: Exposition, b: Exposition) -> Bool {
            a.samples == b.samples && a.types == b.types && a.help == b.help
                && a.skipped.map(\.line) == b.skipped.map(\.line)
        }

        /// The samples of one metric, optionally with the given labels.
        public func values(_ name: String, where labels: [String: String] = [:]) -> [Sample] {
            samples.filter { sample in
                sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
            }
        }

        /// A histogram's cumulative buckets (upper bound, count) in order, with its sum and count.
        public func histogram(_ name: String, where labels: [String: String] = [:]) -> (
            buckets: [(upperBound: Double, count: Double)], sum: Double?, count: Double?
        ) {
            let buckets = values(name + "_bucket", where: labels).compactMap { sample -> (Double, Double)? in
                guard let bound = sample.labels["le"].flatMap(PrometheusText.number) else { return nil }
                return (bound, sample.value)
            }
            .sorted { $0.0 < $1.0 }
            return (
                buckets.map { (upperBound: $0.0, count: $0.1) }, values(name + "_sum", where: labels).first?.value,
                values(name + "_count", where: labels).first?.value
            )
        }
    }

    public static func parse(_ text: String) -> Exposition {
        var exposition = Exposition()
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty { continue }
            if trimmed.hasPrefix("#") {
                let words = trimmed.dropFirst().split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
                if words.count >= 3, words[0] == "TYPE" { exposition.types[String(words[1])] = String(words[2]) }
                if words.count >= 2, words[0] == "HELP" {
                    exposition.help[String(words[1])] = words.count == 3 ? unescape(String(words[2])) : ""
                }
                continue
            }
            if let sample = sample(String(trimmed)) {
                exposition.samples.append(sample)
            } else {
                exposition.skipped.append((index + 1, String(line)))
            }
        }
        return exposition
    }

    /// One sample line; nil when it is not one.
    static func sample(_ line: String) -> Sample? {
        var rest = Substring(line)
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }
        guard let first = name.first, !first.isNumber else { return nil }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while true {
                rest = rest.drop { $0 == " " || $0 == "," }
                if rest.first == "}" {
                    rest = rest.dropFirst()
                    break
                }
                let key = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                guard !key.isEmpty else { return nil }
                rest = rest.dropFirst(key.count).drop { $0 == " " }
                guard rest.first == "=" else { return nil }
                rest = rest.dropFirst().drop { $0 == " " }
                guard rest.first == "\"" else { return nil }
                rest = rest.dropFirst()
                // The value up to the closing quote that is not escaped.
                var value = ""
                var escaped = false
                var closed = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        switch character {
                        case "n": value.append("\n")
                        default: value.append(character)
                        }
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        closed = true
                        break
                    } else {
                        value.append(character)
                    }
                }
                guard closed else { return nil }
                labels[String(key)] = value
            }
        }
        let fields = rest.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 1 || fields.count == 2, let value = number(String(fields[0])) else { return nil }
        var timestamp: Int64?
        if fields.count == 2 {
            guard let stamp = Int64(fields[1]) else { return nil }
            timestamp = stamp
        }
        return Sample(name: String(name), labels: labels, value: value, timestamp: timestamp)
    }

    /// A sample value: a float, `NaN`, `+Inf` or `-Inf`.
    static func number(_ text: String) -> Double? {
        switch text {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default: return Double(text)
        }
    }

    /// `\\` and `\n` of a `# HELP` text undone.
    static func unescape(_ text: String) -> String {
        var result = ""
        var escaped = false
        for character in text {
            if escaped {
                result.append(character == "n" ? "\n" : character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        return result
    }
}
