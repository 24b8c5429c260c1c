import Synchronization

/// Counts finished requests across all clients while they run, for the live progress line.
public final class ProgressCounter: Sendable {
    private let completedCount = Atomic<Int>(0)
    private let failedCount = Atomic<Int>(0)
    /// Requests all clients will send, when the recipe fixes a count.
    public let expectedRequests: Int?
    /// How long the clients run, when the recipe fixes a duration.
    public let expectedSeconds: Double?

    public init(expectedRequests: Int?, expectedSeconds: Double?) {
        self.expectedRequests = expectedRequests
        self.expectedSeconds = expectedSeconds
    }

    public func record(success: Bool) {
        record(completed: 1, failed: success ? 0 : 1)
    }

    /// Several finished requests at once, `failed` of them failed.
    public func record(completed: Int, failed: Int) {
        completedCount.add(completed, ordering: .relaxed)
        if failed > 0 { failedCount.add(failed, ordering: .relaxed) }
    }

    public var completed: Int { completedCount.load(ordering: .relaxed) }
    public var failed: Int { failedCount.load(ordering: .relaxed) }
}
