/// The old report's judgement of a run, kept for its users: a verdict (PASS, ACCEPTABLE,
/// FAIL) with the rule that gave it, key findings and recommendations, each from a rule on
/// the summary alone. The report and `report.json` show it.
public struct RunAssessment: Sendable, Equatable, Codable {
    public enum Grade: String, Sendable, Codable {
        case pass = "PASS"
        case acceptable = "ACCEPTABLE"
        case fail = "FAIL"
    }

    /// One key finding: `success`, `info`, `warning` or `error`, a title and what was seen.
    public struct Finding: Sendable, Equatable, Codable {
        public var type: String
        public var title: String
        public var description: String

        public init(type: String, title: String, description: String) {
            self.type = type
            self.title = title
            self.description = description
        }
    }

    public var verdict: Grade
    /// `Ready for production`, `Minor issues detected`, `Requires optimization`, or what the
    /// objectives said.
    public var meaning: String
    /// The rule the verdict came from, in words.
    public var rule: String
    public var findings: [Finding]
    public var recommendations: [String]

    // The old framework's thresholds (its reporter): PASS needs a 99 % success rate and a
    // p99 under 2 s; ACCEPTABLE a 95 % success rate.
    static let passSuccessRate = 99.0
    static let passP99Seconds = 2.0
    static let acceptableSuccessRate = 95.0

    /// Judges a run by its `slo:` objectives when the recipe has some, else by success rate
    /// and tail latency as the old framework did.
    public static func assess(_ summary: RunSummary, objectives: ServiceLevelObjectives.Verdict?) -> RunAssessment {
        let (verdict, meaning, rule) = grade(summary, objectives: objectives)
        return RunAssessment(
            verdict: verdict, meaning: meaning, rule: rule, findings: findings(summary),
            recommendations: recommendations(summary))
    }

    static func grade(
        _ summary: RunSummary, objectives: ServiceLevelObjectives.Verdict?
    ) -> (Grade, meaning: String, rule: String) {
        if let objectives {
            let rule =
                "from the recipe's slo: PASS when every objective is met, ACCEPTABLE when none failed but some "
                + "had no data, FAIL when any failed"
            if objectives.failed > 0 { return (.fail, objectives.headline, rule) }
            if objectives.withoutData > 0 { return (.acceptable, objectives.headline, rule) }
            return (.pass, objectives.headline, rule)
        }
        let rule =
            "without slo: PASS at a success rate of at least 99 % with p99 under 2 s, ACCEPTABLE at a success "
            + "rate of at least 95 %, FAIL below"
        let p99 = summary.latency?.p99
        if summary.successRate >= passSuccessRate, let p99, p99 < passP99Seconds {
            return (.pass, "Ready for production", rule)
        }
        if summary.successRate >= acceptableSuccessRate { return (.acceptable, "Minor issues detected", rule) }
        return (.fail, "Requires optimization", rule)
    }

    static let llmServices: Set<String> = ["vllm", "ollama"]

    static func findings(_ summary: RunSummary) -> [Finding] {
        var findings: [Finding] = []
        let rate = summary.successRate
        if summary.totalRequests > 0 && rate < acceptableSuccessRate {
            findings.append(
                Finding(
                    type: "warning", title: "Low Success Rate",
                    description: "\(percent(rate)) of requests succeeded (below \(percent(acceptableSuccessRate)))"))
        } else if summary.totalRequests > 0 && rate == 100 {
            findings.append(
                Finding(
                    type: "success", title: "Perfect Reliability",
                    description: "every one of \(summary.totalRequests) requests succeeded"))
        }
        if let p99 = summary.latency?.p99 {
            if p99 > passP99Seconds {
                findings.append(
                    Finding(type: "warning", title: "High Tail Latency", description: "p99 latency is \(seconds(p99)) (over 2 s)")
                )
            } else if p99 < 0.1 {
                findings.append(
                    Finding(
                        type: "success", title: "Excellent Latency", description: "p99 latency is \(seconds(p99)) (under 100 ms)")
                )
            }
        }
        let rps = summary.requestsPerSecond
        if llmServices.contains(summary.serviceType) {
            if rps > 10 {
                findings.append(
                    Finding(
                        type: "success", title: "High Throughput", description: "\(number(rps)) requests per second (over 10)"))
            } else if rps < 1 {
                findings.append(
                    Finding(type: "info", title: "Low Throughput", description: "\(number(rps)) requests per second (under 1)"))
            }
        }
        if summary.serviceType == "postgres" && rps > 1000 {
            findings.append(
                Finding(
                    type: "success", title: "High Database Throughput",
                    description: "\(number(rps)) transactions per second (over 1,000)"))
        }
        if let (error, count) = summary.errorSummary.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) {
            findings.append(
                Finding(
                    type: "error", title: "Error Pattern Detected",
                    description: "most common error: \(error) (\(count) of \(summary.failedRequests) failed requests)"))
        }
        return findings
    }

    static func recommendations(_ summary: RunSummary) -> [String] {
        var recommendations: [String] = []
        if summary.totalRequests > 0 && summary.successRate < 100 {
            recommendations.append("Investigate failed requests to improve reliability")
        }
        if llmServices.contains(summary.serviceType) {
            if let p95 = summary.latency?.p95, p95 > 1 {
                recommendations.append("Consider reducing model size or increasing GPU resources")
                recommendations.append("Enable request batching to improve throughput")
            }
            if summary.requestsPerSecond < 5 {
                recommendations.append("Check GPU utilization and memory usage")
                recommendations.append("Consider using tensor parallelism for larger models")
            }
        }
        if summary.serviceType == "postgres" {
            let slow = summary.operations.filter { ($0.value.avgLatency ?? 0) > 0.1 }.keys.sorted()
            if !slow.isEmpty {
                recommendations.append("Optimize slow operations: \(slow.joined(separator: ", "))")
                recommendations.append("Review and add appropriate indexes")
            }
        }
        return recommendations
    }

    private static func percent(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return (rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)) + " %"
    }

    private static func seconds(_ value: Double) -> String {
        value < 1 ? number(value * 1000) + " ms" : number(value) + " s"
    }

    private static func number(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
