import FactoryBenchCore
import Foundation
import TestSupport
import Testing

/// Clients behind a `StartBarrier` start together, however far apart they became ready.
struct StartBarrierTests {
    /// Passes the barrier as `clients` clients that become ready `readyAfter[i]` seconds in;
    /// returns each one's passage and the monotonic time it left (nanoseconds).
    func pass(
        _ barrier: StartBarrier, readyAfter: [Double], offsets: [Double]? = nil
    ) async throws -> [(StartBarrier.Passage, UInt64)] {
        let clock = WallAnchoredClock()
        return try await withThrowingTaskGroup(of: (Int, StartBarrier.Passage, UInt64).self) { group in
            for (clientID, delay) in readyAfter.enumerated() {
                group.addTask {
                    try await Task.sleep(for: .seconds(delay))
                    let passage = try await barrier.pass(
                        clientID: clientID, node: "node\(clientID % 3)", offset: offsets?[clientID] ?? 0, clock: clock)
                    return (clientID, passage, WallAnchoredClock.monotonicNanoseconds())
                }
            }
            var results: [(Int, StartBarrier.Passage, UInt64)] = []
            for try await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map { ($0.1, $0.2) }
        }
    }

    @Test func clientsReadyAtDifferentTimesStartTogether() async throws {
        let directory = try TemporaryDirectory()
        let barrier = StartBarrier(directory: directory.url, clients: 6, margin: 0.3)
        let readyAfter = [0.4, 0.0, 0.25, 0.1, 0.05, 0.3]
        let results = try await pass(barrier, readyAfter: readyAfter)
        let starts = Set(results.map(\.0.startAt))
        #expect(starts.count == 1, "one announced start: \(starts)")
        let start = try #require(starts.first)
        // Nobody started before the last client was ready, and the last was ~0.4 s late.
        let lastReady = try #require(results.map(\.0.readyAt).max())
        #expect(start >= lastReady)
        #expect(lastReady - (results.map(\.0.readyAt).min() ?? 0) > 0.3)
        // They left the barrier together: a spread of scheduling noise, not of readiness.
        let left = results.map(\.1)
        let spread = Double((left.max() ?? 0) - (left.min() ?? 0)) / 1e9
        #expect(spread < 0.05, "clients left the barrier \(spread) s apart")
        // What each client wrote says where and when it was ready.
        let ready = try JSONDecoder().decode(
            StartBarrier.Ready.self, from: Data(contentsOf: directory.url.appendingPathComponent("ready-4.json")))
        #expect(ready.node == "node1" && ready.clientID == 4)
    }

    /// `client_delay`: client i starts i × delay after the common start.
    @Test func clientDelayStaggersStartsFromTheCommonInstant() async throws {
        let directory = try TemporaryDirectory()
        let barrier = StartBarrier(directory: directory.url, clients: 3, margin: 0.2)
        let results = try await pass(barrier, readyAfter: [0.1, 0, 0.05], offsets: [0, 0.25, 0.5])
        let left = results.map { Double($0.1) / 1e9 }
        for clientID in 1..<3 {
            let gap = left[clientID] - left[0]
            #expect(abs(gap - 0.25 * Double(clientID)) < 0.05, "client \(clientID) started \(gap) s after client 0")
        }
    }

    /// A client that never becomes ready: nobody starts, and everyone says which one.
    @Test func aClientThatNeverComesStopsEveryoneWithItsNumber() async throws {
        let directory = try TemporaryDirectory()
        let barrier = StartBarrier(directory: directory.url, clients: 3, margin: 0.1, timeout: 0.3)
        await withTaskGroup(of: String.self) { group in
            for clientID in [0, 1] {
                group.addTask {
                    do {
                        _ = try await barrier.pass(clientID: clientID, node: "n", clock: WallAnchoredClock())
                        return "client \(clientID) passed a barrier client 2 never reached"
                    } catch {
                        return (error as? LocalizedError)?.errorDescription ?? "\(error)"
                    }
                }
            }
            for await text in group {
                #expect(text.contains("1 of 3 clients (2) were not ready 0.3 s after client 0"), "\(text)")
            }
        }
    }
}
