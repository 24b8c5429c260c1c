#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Timestamps for request records: measured on the monotonic clock, so a wall-clock step
/// (NTP) cannot bend a latency, and anchored once to wall time so they read as Unix seconds.
public struct WallAnchoredClock: Sendable {
    private let wallAnchorSeconds: Double
    private let monotonicAnchorNanoseconds: UInt64

    public init() {
        var wall = timespec()
        clock_gettime(CLOCK_REALTIME, &wall)
        monotonicAnchorNanoseconds = Self.monotonicNanoseconds()
        wallAnchorSeconds = Double(wall.tv_sec) + Double(wall.tv_nsec) / 1e9
    }

    /// Nanoseconds on the monotonic clock (meaningful only as differences).
    public static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    /// Unix seconds of a monotonic reading taken with `monotonicNanoseconds()`.
    public func unixSeconds(atMonotonic nanoseconds: UInt64) -> Double {
        wallAnchorSeconds + Double(Int64(bitPattern: nanoseconds &- monotonicAnchorNanoseconds)) / 1e9
    }

    /// The monotonic reading (see `monotonicNanoseconds()`) at Unix time `seconds`.
    public func monotonic(atUnixSeconds seconds: Double) -> UInt64 {
        let offset = Int64(((seconds - wallAnchorSeconds) * 1e9).rounded())
        return UInt64(bitPattern: Int64(bitPattern: monotonicAnchorNanoseconds) &+ offset)
    }

    /// Unix seconds now.
    public func now() -> Double {
        unixSeconds(atMonotonic: Self.monotonicNanoseconds())
    }
}
