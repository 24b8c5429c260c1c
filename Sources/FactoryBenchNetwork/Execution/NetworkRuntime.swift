import NIOCore
import NIOPosix

/// How the process schedules its network work.
public enum NetworkRuntime {
    /// Runs Swift concurrency's tasks on SwiftNIO's event-loop threads, so a client's reply
    /// is handled on the thread that read it instead of waking another thread for each
    /// request (two context switches per request otherwise). Call once, first thing in
    /// `main`, on the main thread; returns whether it took effect.
    @discardableResult
    public static func runTasksOnEventLoops() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
