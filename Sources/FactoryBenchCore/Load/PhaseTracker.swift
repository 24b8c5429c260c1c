/// Hands out request numbers and phases in order: warm-up, then the measured part, then
/// cool-down, each ending after its count or its time. Times are seconds from the client's
/// start: the actual start in the closed loop, the intended start in the open loop.
struct PhaseTracker: Sendable {
    enum Phase: String, Sendable {
        case warmup, measured, cooldown
    }

    private let windows: [(Phase, LoadPlan.Window)]
    private var current = 0
    private var phaseStart = 0.0
    private var countInPhase = 0
    private var index = 0

    init(plan: LoadPlan) {
        windows = [(.warmup, plan.warmup), (.measured, plan.measured), (.cooldown, plan.cooldown)]
    }

    /// The next request's number and phase when it starts at `time`, or `nil` when the
    /// plan is complete.
    mutating func next(at time: Double) -> (index: Int, phase: Phase)? {
        while current < windows.count, windows[current].1.isOver(count: countInPhase, elapsed: time - phaseStart) {
            current += 1
            phaseStart = time
            countInPhase = 0
        }
        guard current < windows.count else { return nil }
        defer {
            index += 1
            countInPhase += 1
        }
        return (index, windows[current].0)
    }
}
