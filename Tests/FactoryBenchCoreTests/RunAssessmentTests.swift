import FactoryBenchCore
import Testing

/// The old report's verdict, findings and recommendations, each rule on a summary with a
/// known answer.
@Suite struct RunAssessmentTests {
    func summary(
        service: String = "sqlite", total: Int = 1000, failed: Int = 0, p95: Double = 0.05, p99: Double = 0.05,
        rate: Double = 100, errors: [String: Int] = [:]
    ) -> RunSummary {
        var summary = RunSummary.empty
        summary.serviceType = service
        summary.totalRequests = total
        summary.successfulRequests = total - failed
        summary.failedRequests = failed
        summary.successRate = total > 0 ? Double(total - failed) / Double(total) * 100 : 0
        summary.requestsPerSecond = rate
        summary.errorSummary = errors
        if total > failed {
            summary.latency = LatencyStatistics(
                count: total - failed, avg: p95 / 2, min: 0.001, max: p99 * 2, std: 0.01, p50: p95 / 2, p90: p95, p95: p95,
                p99: p99, p99_9: p99 * 1.5)
        }
        return summary
    }

    @Test func theOldVerdictRule() {
        #expect(RunAssessment.assess(summary(), objectives: nil).verdict == .pass)
        #expect(RunAssessment.assess(summary(failed: 10), objectives: nil).verdict == .pass, "99 % succeeded")
        #expect(RunAssessment.assess(summary(failed: 11), objectives: nil).verdict == .acceptable)
        #expect(RunAssessment.assess(summary(p99: 2.0), objectives: nil).verdict == .acceptable, "p99 must be under 2 s")
        #expect(RunAssessment.assess(summary(failed: 50), objectives: nil).verdict == .acceptable, "95 %")
        #expect(RunAssessment.assess(summary(failed: 51), objectives: nil).verdict == .fail)
        #expect(RunAssessment.assess(summary(failed: 1000), objectives: nil).verdict == .fail)
        let pass = RunAssessment.assess(summary(), objectives: nil)
        #expect(pass.meaning == "Ready for production")
        #expect(pass.rule.contains("99 %") && pass.rule.contains("2 s"))
    }

    @Test func objectivesDecideWhenTheRecipeHasThem() {
        let met = ServiceLevelObjectives(["p99_latency_ms": .int(100)])
        let missed = ServiceLevelObjectives(["p99_latency_ms": .int(10)])
        let noData = ServiceLevelObjectives(["ttft_p95_ms": .int(10)])
        let run = summary(failed: 60)
        #expect(RunAssessment.assess(run, objectives: met.verdict(run)).verdict == .pass, "the objectives, not the success rate")
        #expect(RunAssessment.assess(run, objectives: missed.verdict(run)).verdict == .fail)
        #expect(RunAssessment.assess(run, objectives: noData.verdict(run)).verdict == .acceptable)
        #expect(RunAssessment.assess(run, objectives: missed.verdict(run)).meaning == "1 of 1 objectives failed")
    }

    @Test func findingsFollowTheOldRules() {
        func titles(_ summary: RunSummary) -> [String] {
            RunAssessment.assess(summary, objectives: nil).findings.map(\.title)
        }
        #expect(titles(summary()) == ["Perfect Reliability", "Excellent Latency"])
        #expect(
            titles(summary(failed: 100, p99: 3, errors: ["timeout": 70, "refused": 30]))
                == ["Low Success Rate", "High Tail Latency", "Error Pattern Detected"])
        #expect(titles(summary(service: "vllm", p99: 0.5, rate: 12)) == ["Perfect Reliability", "High Throughput"])
        #expect(titles(summary(service: "ollama", p99: 0.5, rate: 0.5)) == ["Perfect Reliability", "Low Throughput"])
        #expect(
            titles(summary(service: "postgres", p99: 0.5, rate: 1500)) == ["Perfect Reliability", "High Database Throughput"])
        let errors = RunAssessment.assess(summary(failed: 100, errors: ["timeout": 70, "refused": 30]), objectives: nil)
        #expect(errors.findings.last?.description == "most common error: timeout (70 of 100 failed requests)")
        #expect(errors.findings.last?.type == "error")
    }

    @Test func recommendationsFollowTheOldRules() {
        #expect(RunAssessment.assess(summary(), objectives: nil).recommendations.isEmpty)
        #expect(
            RunAssessment.assess(summary(failed: 1), objectives: nil).recommendations
                == ["Investigate failed requests to improve reliability"])
        #expect(
            RunAssessment.assess(summary(service: "vllm", p95: 1.5, p99: 1.8, rate: 2), objectives: nil).recommendations == [
                "Consider reducing model size or increasing GPU resources", "Enable request batching to improve throughput",
                "Check GPU utilization and memory usage", "Consider using tensor parallelism for larger models",
            ])
        var postgres = summary(service: "postgres")
        postgres.operations = [
            "insert": OperationSummary(count: 10, failed: 0, avgLatency: 0.2),
            "select": OperationSummary(count: 10, failed: 0, avgLatency: 0.01),
        ]
        #expect(
            RunAssessment.assess(postgres, objectives: nil).recommendations
                == ["Optimize slow operations: insert", "Review and add appropriate indexes"])
    }
}
