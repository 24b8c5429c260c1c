import FactoryBenchCore
import Foundation

/// `sweep.md`: a sweep's points and what they say — saturation, knee, SLO limit, each with
/// its method — and the bottleneck hint.
public enum SweepReport {
    public static func markdown(_ analysis: SweepAnalysis, title: String) -> String {
        let e = MarkdownText.escape
        var lines = ["# Sweep \(e(title))", ""] + findings(analysis).map { "- " + $0 }
        lines += [
            "", "| run | offered | in flight | achieved | p50 | p99 | errors | objectives |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for point in analysis.points {
            let cells = [
                e(point.runID), point.offeredRate.map(Format.rate) ?? "closed loop", String(point.concurrency),
                Format.rate(point.throughput), Format.latency(point.p50), Format.latency(point.p99),
                Format.percent(point.errorRate * 100), point.meetsObjectives.map { $0 ? "met" : "**missed**" } ?? "–",
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// What the analysis found, one Markdown line each (escaped): saturation, knee, SLO
    /// limit, bottleneck.
    static func findings(_ analysis: SweepAnalysis) -> [String] {
        let e = MarkdownText.escape
        var lines: [String] = []
        if let saturation = analysis.saturation {
            lines.append(
                "**Saturation:** \(Format.rate(saturation.throughput)) achieved"
                    + (saturation.offeredRate.map { " at \(Format.rate($0)) offered" } ?? "")
                    + " (run \(e(saturation.runID))). Method: \(saturation.method).")
        } else {
            lines.append("**Saturation:** no point measured any throughput.")
        }
        if let knee = analysis.knee {
            lines.append(
                "**Knee:** p99 turns up at a load of \(Format.rate(knee.load)), p99 \(Format.latency(knee.p99)) "
                    + "(run \(e(knee.runID))). Method: \(knee.method).")
        } else {
            lines.append(
                "**Knee:** none — fewer than 3 points with latencies, or a p99 that grows in a straight line or "
                    + "by less than a fifth.")
        }
        if let limit = analysis.sloLimit {
            lines.append(
                "**SLO limit:** \(Format.rate(limit.load)) (achieved \(Format.rate(limit.throughput))"
                    + (limit.headroomPercent.map { ", headroom \(Format.fixed($0, 1)) %" } ?? "")
                    + ", run \(e(limit.runID))). Method: \(limit.method).")
        } else if analysis.points.contains(where: { $0.meetsObjectives != nil }) {
            lines.append("**SLO limit:** no point met every objective.")
        }
        if let bottleneck = analysis.bottleneck { lines.append("**Bottleneck:** \(e(bottleneck))") }
        return lines
    }
}
