import Testing

@testable import FactoryBenchCore

@Suite struct PhaseTrackerTests {
    @Test func countWindowsFollowOneAnother() {
        var tracker = PhaseTracker(
            plan: LoadPlan(
                mode: .closed, concurrency: 1, arrivals: nil, warmup: .requests(2), measured: .requests(3),
                cooldown: .requests(1), rampUpSeconds: 0, seed: 1))
        var phases: [PhaseTracker.Phase] = []
        while let (index, phase) = tracker.next(at: 0) {
            #expect(index == phases.count)
            phases.append(phase)
        }
        #expect(phases == [.warmup, .warmup, .measured, .measured, .measured, .cooldown])
    }

    @Test func timeWindowsStartWhenThePreviousPhaseEnds() {
        var tracker = PhaseTracker(
            plan: LoadPlan(
                mode: .open, concurrency: 1, arrivals: nil, warmup: .seconds(1), measured: .requests(2),
                cooldown: .seconds(0.5), rampUpSeconds: 0, seed: 1))
        #expect(tracker.next(at: 0)?.phase == .warmup)
        #expect(tracker.next(at: 0.9)?.phase == .warmup)
        #expect(tracker.next(at: 1.2)?.phase == .measured)
        #expect(tracker.next(at: 1.3)?.phase == .measured)
        // The measured part ended with its second request; cool-down runs 0.5 s from here.
        #expect(tracker.next(at: 2.0)?.phase == .cooldown)
        #expect(tracker.next(at: 2.4)?.phase == .cooldown)
        #expect(tracker.next(at: 2.6) == nil)
    }
}
