import Testing

@testable import FactoryBenchPipeline

@Suite struct ProgressLineTests {
    @Test func terminalGetsABarLogsGetPlainCounts() {
        let bar = ProgressLine.text(
            completed: 500, failed: 2, expectedRequests: 1000, expectedSeconds: nil, elapsedSeconds: 2,
            interactive: true)
        #expect(bar == "      [███████████████░░░░░░░░░░░░░░░]  50% 500/1000 requests, 250 req/s, 2 failed, 2.0 s")
        let plain = ProgressLine.text(
            completed: 500, failed: 2, expectedRequests: 1000, expectedSeconds: nil, elapsedSeconds: 2,
            interactive: false)
        #expect(plain == "       50% 500/1000 requests, 250 req/s, 2 failed, 2.0 s")
        let timed = ProgressLine.text(
            completed: 30, failed: 0, expectedRequests: nil, expectedSeconds: 10, elapsedSeconds: 2.5,
            interactive: false)
        #expect(timed == "       25% 30 requests, 12 req/s, 0 failed, 2.5 s")
    }
}
