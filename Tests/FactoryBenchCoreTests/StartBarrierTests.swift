import FactoryBenchCore
import Foundation
import TestSupport
import Testing

/// Clients behind a `StartBarrier` start together, however far apart they became ready.
struct StartBarrierTests {
    /// Passes the barrier as `clients` clients that become ready `readyAfter[i]` seconds in;
    /// returns each one's passage and the Unix time at which it left.
    func pass(
        _ barrier: StartBarrier, readyAfter: [Double], offsets: [Double]? = nil
    ) async throws -> [(StartBarrier.Passage, Double)] {
        let clock = WallAnchoredClock()
        return try await withThrowingTaskGroup(of: (Int, StartBarrier.Passage, Double).self) { group in
            for (clientID, delay) in readyAfter.enumerated() {
                group.addTask {
                    try await Task.sleep(for: .seconds(delay))
                    let passage = try await barrier.pass(
                        clientID: clientID, node: "node\(clientID % 3)", offset: offsets?[clientID] ?? 0, clock: clock)
                    return (clientID, passage, clock.now())
                }
            }
            var results: [(Int, StartBarrier.Passage, Double)] = []
            for try await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map { ($0.1, $0.2) }
        }
    }

    // How close together the clients leave is a matter of the machine's load (these tasks
    // share the test run's threads): the Slurm tests measure it with real processes. Here,
    // what the barrier decides: one start for all, after the last is ready, never left early.

    @Test func clientsReadyAtDifferentTimesAreGivenOneStartAfterTheLast() async throws {
        let directory = try TemporaryDirectory()
        let barrier = StartBarrier(directory: directory.url, clients: 6, margin: 0.3)
        let results = try await pass(barrier, readyAfter: [0.4, 0.0, 0.25, 0.1, 0.05, 0.3])
        let starts = Set(results.map(\.0.startAt))
        #expect(starts.count == 1, "one announced start: \(starts)")
        let start = try #require(starts.first)
        let readiness = results.map(\.0.readyAt)
        let lastReady = try #require(readiness.max())
        // The start is the margin after the last readiness, and nobody left before it.
        #expect(start >= lastReady + 0.3 - 0.001 && start < lastReady + 0.3 + 5)
        for (_, left) in results { #expect(left >= start - 0.001, "a client left \(start - left) s early") }
        // What each client wrote says where and when it was ready.
        let ready = try JSONDecoder().decode(
            StartBarrier.Ready.self, from: Data(contentsOf: directory.url.appendingPathComponent("ready-4.json")))
        #expect(ready.node == "node1" && ready.clientID == 4 && ready.readyAt == results[4].0.readyAt)
    }

    /// `client_delay`: client i leaves i × delay after the common start, never before.
    @Test func clientDelayStaggersStartsFromTheCommonInstant() async throws {
        let directory = try TemporaryDirectory()
        let barrier = StartBarrier(directory: directory.url, clients: 3, margin: 0.2)
        let results = try await pass(barrier, readyAfter: [0.1, 0, 0.05], offsets: [0, 0.25, 0.5])
        for (clientID, (passage, left)) in results.enumerated() {
            #expect(left >= passage.startAt + 0.25 * Double(clientID) - 0.001, "client \(clientID) left early")
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
