import Mustache

// Every type `report.md.mustache` reads, answering by name (see `TemplateFields`).

extension ReportViewModel: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "title": { $0.title },
        "id": { $0.id },
        "recipeName": { $0.recipeName },
        "serviceType": { $0.serviceType },
        "clientType": { $0.clientType },
        "numClients": { $0.numClients },
        "target": { $0.target },
        "startedAt": { $0.startedAt },
        "statusLabel": { $0.statusLabel },
        "statusNote": { $0.statusNote },
        "generatorWarning": { $0.generatorWarning },
        "totalRequests": { $0.totalRequests },
        "successfulRequests": { $0.successfulRequests },
        "failedRequests": { $0.failedRequests },
        "successRate": { $0.successRate },
        "throughput": { $0.throughput },
        "duration": { $0.duration },
        "latency": { $0.latency },
        "cards": { $0.cards },
        "fromIntended": { $0.fromIntended },
        "droppedRequests": { $0.droppedRequests },
        "recall": { $0.recall },
        "llm": { $0.llm },
        "hasOperations": { $0.hasOperations },
        "operations": { $0.operations },
        "hasTransfers": { $0.hasTransfers },
        "transfers": { $0.transfers },
        "hasClients": { $0.hasClients },
        "clients": { $0.clients },
        "hasErrors": { $0.hasErrors },
        "errors": { $0.errors },
        "telemetryWarning": { $0.telemetryWarning },
        "hasTelemetry": { $0.hasTelemetry },
        "telemetryNote": { $0.telemetryNote },
        "telemetry": { $0.telemetry },
        "hasSkipped": { $0.hasSkipped },
        "skippedTotal": { $0.skippedTotal },
        "skipped": { $0.skipped },
        "keyPlots": { $0.keyPlots },
        "morePlots": { $0.morePlots },
        "keyFigures": { $0.keyFigures },
        "moreFigures": { $0.moreFigures },
        "hasPlots": { $0.hasPlots },
        "inlinePlots": { $0.inlinePlots },
        "hasComparisons": { $0.hasComparisons },
        "comparisons": { $0.comparisons },
        "recipeFence": { $0.recipeFence },
        "recipeText": { $0.recipeText },
        "environment": { $0.environment },
        "hasDownloads": { $0.hasDownloads },
        "downloads": { $0.downloads },
        "verdict": { $0.verdict },
        "verdictMeaning": { $0.verdictMeaning },
        "verdictRule": { $0.verdictRule },
        "hasFindings": { $0.hasFindings },
        "findings": { $0.findings },
        "hasRecommendations": { $0.hasRecommendations },
        "recommendations": { $0.recommendations },
        "hasObjectives": { $0.hasObjectives },
        "objectivesVerdict": { $0.objectivesVerdict },
        "objectives": { $0.objectives },
        "goodput": { $0.goodput },
    ]
}

extension ReportViewModel.Latency: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "count": { $0.count },
        "avg": { $0.avg },
        "std": { $0.std },
        "min": { $0.min },
        "p50": { $0.p50 },
        "p90": { $0.p90 },
        "p95": { $0.p95 },
        "p99": { $0.p99 },
        "p99_9": { $0.p99_9 },
        "max": { $0.max },
        "percentileMethod": { $0.percentileMethod },
        "stdMethod": { $0.stdMethod },
    ]
}

extension ReportViewModel.LLMRow: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "name": { $0.name },
        "count": { $0.count },
        "avg": { $0.avg },
        "p50": { $0.p50 },
        "p90": { $0.p90 },
        "p95": { $0.p95 },
        "p99": { $0.p99 },
        "p99_9": { $0.p99_9 },
        "definition": { $0.definition },
    ]
}

extension ReportViewModel.LLMView: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "rows": { $0.rows },
        "outputTokensPerSecond": { $0.outputTokensPerSecond },
        "peakOutputTokensPerSecond": { $0.peakOutputTokensPerSecond },
        "totalTokensPerSecond": { $0.totalTokensPerSecond },
        "avgOutputTokens": { $0.avgOutputTokens },
        "avgInputTokens": { $0.avgInputTokens },
        "totalOutputTokens": { $0.totalOutputTokens },
    ]
}

extension ReportViewModel.Card: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "value": { $0.value },
        "label": { $0.label },
    ]
}

extension ReportViewModel.Operation: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "name": { $0.name },
        "count": { $0.count },
        "failed": { $0.failed },
        "avg": { $0.avg },
        "p50": { $0.p50 },
        "p95": { $0.p95 },
        "p99": { $0.p99 },
    ]
}

extension ReportViewModel.Transfer: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "name": { $0.name },
        "megabytes": { $0.megabytes },
        "megabytesPerSecond": { $0.megabytesPerSecond },
    ]
}

extension ReportViewModel.Client: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "name": { $0.name },
        "count": { $0.count },
        "failed": { $0.failed },
        "avg": { $0.avg },
        "p95": { $0.p95 },
    ]
}

extension ReportViewModel.TelemetryRow: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "series": { $0.series },
        "mean": { $0.mean },
        "peak": { $0.peak },
        "detail": { $0.detail },
    ]
}

extension ReportViewModel.ErrorRow: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "message": { $0.message },
        "count": { $0.count },
    ]
}

extension ReportViewModel.SkippedRow: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "file": { $0.file },
        "line": { $0.line },
        "reason": { $0.reason },
    ]
}

extension ReportViewModel.PlotRow: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "file": { $0.file },
        "title": { $0.title },
    ]
}

extension ReportViewModel.Objective: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "name": { $0.name },
        "target": { $0.target },
        "actual": { $0.actual },
        "verdict": { $0.verdict },
    ]
}

extension ReportViewModel.FindingRow: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "number": { $0.number }, "type": { $0.type }, "title": { $0.title }, "description": { $0.description },
    ]
}

extension ReportViewModel.RecommendationRow: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = ["text": { $0.text }]
}

extension ReportViewModel.EnvironmentRow: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "key": { $0.key },
        "value": { $0.value },
    ]
}

extension ReportViewModel.Download: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "name": { $0.name },
        "link": { $0.link },
        "size": { $0.size },
    ]
}

extension ReportViewModel.ComparisonLink: TemplateFields {
    static let fields: [String: @Sendable (Self) -> Any?] = [
        "id": { $0.id },
        "link": { $0.link },
        "headline": { $0.headline },
    ]
}
