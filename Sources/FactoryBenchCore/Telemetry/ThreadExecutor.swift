import Foundation
import Synchronization

/// Runs the jobs of the tasks that prefer it on one thread of its own, so that work which
/// must keep time (the telemetry sources' reads) is not queued behind a Swift concurrency
/// pool that other work keeps busy.
final class ThreadExecutor: TaskExecutor {
    private let jobs = Mutex<(queue: [UnownedJob], ended: Bool)>(([], false))
    private let available = DispatchSemaphore(value: 0)

    init(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.queue.append(job) }
        available.signal()
    }

    /// Ends the thread once the jobs already queued have run.
    func shutdown() {
        jobs.withLock { $0.ended = true }
        available.signal()
    }

    private func run() {
        while true {
            available.wait()
            let (job, ended) = jobs.withLock { state in
                (state.queue.isEmpty ? nil : state.queue.removeFirst(), state.ended)
            }
            if let job {
                job.runSynchronously(on: asUnownedTaskExecutor())
            } else if ended {
                return
            }
        }
    }
}
