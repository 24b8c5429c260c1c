@preconcurrency import Dispatch
import Foundation
import Synchronization

/// Appends request records to one client's JSONL file through a buffer; safe to share
/// between the in-flight slots of a client.
///
/// The file grows under `<name>.partial` while the client runs and is renamed to its final
/// name by `close()`, so a killed client leaves its records behind, marked as incomplete.
public final class RecordWriter: Sendable {
    public let url: URL
    private let partialURL: URL
    private let state: Mutex<State>
    private let timer: any DispatchSourceTimer
    private static let flushThreshold = 1 << 16
    /// Records reach the file at least this often, even from a client that has stopped
    /// writing (a stalled server), so a collection while it runs (`factorybench collect`)
    /// sees them.
    public static let flushInterval = DispatchTimeInterval.seconds(1)

    private struct State {
        var handle: FileHandle
        var buffer: [UInt8] = []
        /// A flush by the timer that failed, thrown by the next `append` or `close`.
        var failure: (any Error)?
        var closed = false

        mutating func flush() throws {
            if let failure {
                self.failure = nil
                throw failure
            }
            guard !buffer.isEmpty else { return }
            try handle.write(contentsOf: buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }

    /// Creates the file and writes the header line.
    public init(url: URL, header: JSONLine) throws {
        self.url = url
        self.partialURL = url.appendingPathExtension("partial")
        guard FileManager.default.createFile(atPath: partialURL.path, contents: nil) else {
            throw CollectionError.cannotWrite(path: partialURL.path, reason: "could not create the file")
        }
        var state = State(handle: try FileHandle(forWritingTo: partialURL))
        state.buffer.reserveCapacity(Self.flushThreshold + 4096)
        state.buffer.append(contentsOf: header.finished())
        self.state = Mutex(state)
        timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        timer.schedule(deadline: .now() + Self.flushInterval, repeating: Self.flushInterval, leeway: .milliseconds(100))
        timer.setEventHandler { [weak self] in self?.flushFromTimer() }
        timer.activate()
    }

    deinit {
        timer.cancel()
    }

    private func flushFromTimer() {
        state.withLock { state in
            guard state.failure == nil, !state.closed else { return }
            do { try state.flush() } catch { state.failure = error }
        }
    }

    public func append(_ record: RequestRecord) throws {
        try append(lines: record.jsonLine())
    }

    /// Appends whole JSONL lines (each ended by a newline), as one chunk.
    public func append(lines: [UInt8]) throws {
        try state.withLock { state in
            state.buffer.append(contentsOf: lines)
            if state.buffer.count >= Self.flushThreshold || state.failure != nil {
                try state.flush()
            }
        }
    }

    public func flush() throws {
        try state.withLock { try $0.flush() }
    }

    /// Flushes, closes and moves the file to its final name.
    public func close() throws {
        timer.cancel()
        try state.withLock { state in
            try state.flush()
            state.closed = true
            try state.handle.close()
        }
        try FileManager.default.moveItem(at: partialURL, to: url)
    }
}
