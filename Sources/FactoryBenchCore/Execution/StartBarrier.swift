import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The start of a run's clients on several nodes: no client sends load before every client
/// is ready, then all start at one announced instant.
///
/// It works through files in a directory every client sees (the run directory on the
/// cluster's shared file system). A ready client writes `ready-<id>.json` (its node and the
/// time). Client 0 waits until all are there, then writes `start.json`: an instant `margin`
/// seconds ahead, in Unix seconds, long enough for every client to read it first. Each
/// client sleeps until that instant (plus its `client_delay` offset) on its own monotonic
/// clock, so the start is as close as the nodes' clocks are (NTP keeps them within a
/// millisecond). A client that never becomes ready makes client 0 announce an abort after
/// `timeout` seconds instead, and every client fails with the missing ones named.
public struct StartBarrier: Sendable {
    /// What a ready client wrote.
    public struct Ready: Codable, Sendable, Equatable {
        public var clientID: Int
        public var node: String
        /// Unix seconds.
        public var readyAt: Double

        enum CodingKeys: String, CodingKey {
            case clientID = "client_id"
            case node
            case readyAt = "ready_at"
        }
    }

    /// What client 0 announced.
    public struct Start: Codable, Sendable, Equatable {
        /// Unix seconds at which every client starts (before its `client_delay` offset).
        public var startAt: Double?
        /// Why the run does not start.
        public var abort: String?

        enum CodingKeys: String, CodingKey {
            case startAt = "start_at"
            case abort
        }
    }

    /// When a client passed.
    public struct Passage: Sendable, Equatable {
        public var readyAt: Double
        public var startAt: Double
    }

    public let directory: URL
    public let clients: Int
    /// Seconds between the last client's readiness and the start.
    public var margin: Double
    /// Seconds client 0 waits for the others once it is ready.
    public var timeout: Double
    /// Seconds between two looks at the directory.
    public var pollInterval: Double

    public init(directory: URL, clients: Int, margin: Double = 1, timeout: Double = 300, pollInterval: Double = 0.01) {
        self.directory = directory
        self.clients = clients
        self.margin = margin
        self.timeout = timeout
        self.pollInterval = pollInterval
    }

    var startFile: URL { directory.appendingPathComponent("start.json") }

    func readyFile(_ clientID: Int) -> URL { directory.appendingPathComponent("ready-\(clientID).json") }

    /// Says client `clientID` is ready, waits for the announced start and sleeps until it
    /// (plus `offset` seconds); returns when it became ready and the common start.
    public func pass(clientID: Int, node: String, offset: Double = 0, clock: WallAnchoredClock) async throws -> Passage {
        let ready = Ready(clientID: clientID, node: node, readyAt: clock.now())
        try AtomicFile.writeJSON(ready, to: readyFile(clientID))
        if clientID == 0 { try await announce(since: ready.readyAt, clock: clock) }
        let start = try await waitForStart(clientID: clientID, clock: clock)
        if let abort = start.abort { throw ExecutionError.clientFailed(clientID: clientID, reason: abort) }
        let startAt = start.startAt ?? clock.now()
        await Self.sleep(until: clock.monotonic(atUnixSeconds: startAt + offset))
        try Task.checkCancellation()
        return Passage(readyAt: ready.readyAt, startAt: startAt)
    }

    /// Sleeps until a monotonic time, to within the scheduler's wake-up: a task's sleep may
    /// end up to a tenth of its length late (the timer's leeway: up to 100 ms of the 1 s
    /// margin, which the test cluster's start skew showed), so the last stretch is a
    /// blocking `clock_nanosleep` on the monotonic clock.
    static func sleep(until nanoseconds: UInt64) async {
        // Each task sleep covers four fifths of what is left, so even a late wake-up leaves
        // some; the last 20 ms are slept exactly.
        while true {
            let now = WallAnchoredClock.monotonicNanoseconds()
            guard nanoseconds > now + 20_000_000 else { break }
            try? await Task.sleep(nanoseconds: (nanoseconds - now) / 5 * 4)
        }
        var deadline = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nil) == EINTR {}
    }

    /// Client 0: waits until every client is ready, then writes the start (or the abort).
    private func announce(since readyAt: Double, clock: WallAnchoredClock) async throws {
        var missing = Array(0..<clients)
        while true {
            missing = missing.filter { !FileManager.default.fileExists(atPath: readyFile($0).path) }
            if missing.isEmpty {
                try AtomicFile.writeJSON(Start(startAt: clock.now() + margin, abort: nil), to: startFile)
                return
            }
            if clock.now() - readyAt > timeout {
                let names = missing.prefix(10).map(String.init).joined(separator: ", ") + (missing.count > 10 ? ", …" : "")
                let reason =
                    "\(missing.count) of \(clients) clients (\(names)) were not ready \(String(format: "%g", timeout)) s after client 0; "
                    + "no client sent load (see their logs; client.start_timeout sets the wait)"
                try AtomicFile.writeJSON(Start(startAt: nil, abort: reason), to: startFile)
                return
            }
            try await Task.sleep(for: .seconds(pollInterval))
        }
    }

    /// Reads `start.json` once client 0 wrote it.
    private func waitForStart(clientID: Int, clock: WallAnchoredClock) async throws -> Start {
        let since = clock.now()
        while true {
            if let data = try? Data(contentsOf: startFile), let start = try? JSONDecoder().decode(Start.self, from: data) {
                return start
            }
            // Client 0 announces within `timeout` of its own readiness; a client far later
            // than that (or client 0 gone) stops waiting.
            if clock.now() - since > timeout + margin + 30 {
                throw ExecutionError.clientFailed(
                    clientID: clientID, reason: "no start was announced in \(directory.path) (client 0 did not run?)")
            }
            try await Task.sleep(for: .seconds(pollInterval))
        }
    }
}
