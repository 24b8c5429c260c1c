/// Token counts and LLM latencies (TTFT, TPOT, ITL) of the records that carry them; the one
/// place these are computed. Definitions follow vLLM's `benchmark_serving`:
/// TTFT = request start → first content token; TPOT = (E2E − TTFT) / (output tokens − 1),
/// first token excluded, for requests with more than one output token; ITL = every gap
/// between streamed chunks, pooled over all requests.
struct LLMAccumulator {
    var exactLimit = Int.max
    private(set) var hasTokens = false
    private var hasAny = false
    private var outputTokens = 0
    private var inputTokens = 0
    private var outputCount = 0
    private var inputCount = 0
    private var ttft = LatencyDigest()
    private var tpot = LatencyDigest()
    private var itl = LatencyDigest()

    mutating func add(_ record: ScannedRecord, success: Bool, itl gaps: ArraySlice<Double>) {
        guard success else { return }
        if record.outputTokens >= 0 {
            hasTokens = true
            hasAny = true
            outputTokens += record.outputTokens
            outputCount += 1
        }
        if record.inputTokens >= 0 {
            hasAny = true
            inputTokens += record.inputTokens
            inputCount += 1
        }
        if record.ttft.isFinite && record.ttft >= 0 {
            hasAny = true
            ttft.add(record.ttft)
            if record.outputTokens > 1 {
                tpot.add(max(record.latency - record.ttft, 0) / Double(record.outputTokens - 1))
            }
        }
        for gap in gaps where gap >= 0 { itl.add(gap) }
        if itl.isExact && itl.count > exactLimit { itl.dropToHistogram() }
    }

    /// TTFT, TPOT and ITL values, while exact.
    var samples: (ttft: [Double], tpot: [Double], itl: [Double]) {
        (ttft.exactValues, tpot.exactValues, itl.exactValues)
    }

    mutating func merge(_ other: LLMAccumulator) {
        hasTokens = hasTokens || other.hasTokens
        hasAny = hasAny || other.hasAny
        outputTokens += other.outputTokens
        inputTokens += other.inputTokens
        outputCount += other.outputCount
        inputCount += other.inputCount
        ttft.merge(other.ttft)
        tpot.merge(other.tpot)
        itl.merge(other.itl)
    }

    /// ITL has many values per request: it drops to a histogram on its own count.
    mutating func enforceExactLimit(_ limit: Int) {
        if itl.isExact && itl.count > limit { itl.dropToHistogram() }
    }

    mutating func dropToHistograms() {
        ttft.dropToHistogram()
        tpot.dropToHistogram()
        itl.dropToHistogram()
    }

    func summary(durationSeconds: Double, requests: Int) -> LLMSummary? {
        guard hasAny else { return nil }
        var ttft = ttft
        var tpot = tpot
        var itl = itl
        ttft.finish()
        tpot.finish()
        itl.finish()
        var summary = LLMSummary(
            tokensPerSecond: durationSeconds > 0 ? Double(outputTokens) / durationSeconds : 0,
            totalTokensPerSecond: durationSeconds > 0 ? Double(outputTokens + inputTokens) / durationSeconds : 0,
            avgOutputTokens: outputCount > 0 ? Double(outputTokens) / Double(outputCount) : nil,
            avgInputTokens: inputCount > 0 ? Double(inputTokens) / Double(inputCount) : nil,
            totalOutputTokens: outputTokens, totalInputTokens: inputTokens, ttft: ttft.statistics,
            tpot: tpot.statistics, itl: itl.statistics)
        summary.ttftHistogram = ttft.count > 0 ? Self.histogram(ttft) : nil
        summary.itlHistogram = itl.count > 0 ? Self.histogram(itl) : nil
        return summary
    }

    /// Log-spaced bins of a digest: exact counts while exact, else from its HdrHistogram.
    static func histogram(_ digest: LatencyDigest) -> [HistogramBin] {
        digest.isExact ? Aggregator.histogram(sorted: digest.exactValues.sorted()) : digest.bins(perDecade: 10)
    }
}
