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
    private static let flushThreshold = 1 << 16
    /// A slow client's records still reach the file within about a second, so a collection
    /// while it runs (`factorybench collect`) sees them.
    private static let flushInterval = Duration.seconds(1)

    private struct State {
        var handle: FileHandle
        var buffer: [UInt8] = []
        var lastFlush = ContinuousClock.now

        mutating func flush() throws {
            lastFlush = .now
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
    }

    public func append(_ record: RequestRecord) throws {
        let line = record.jsonLine()
        try state.withLock { state in
            state.buffer.append(contentsOf: line)
            if state.buffer.count >= Self.flushThreshold || ContinuousClock.now - state.lastFlush >= Self.flushInterval {
                try state.flush()
            }
        }
    }

    public func flush() throws {
        try state.withLock { try $0.flush() }
    }

    /// Flushes, closes and moves the file to its final name.
    public func close() throws {
        try state.withLock { state in
            try state.flush()
            try state.handle.close()
        }
        try FileManager.default.moveItem(at: partialURL, to: url)
    }
}
