import Foundation

/// Appends request records to one client's JSONL file through a buffer.
///
/// The file grows under `<name>.partial` while the client runs and is renamed to its final
/// name by `close()`, so a killed client leaves its records behind, marked as incomplete.
public final class RecordWriter {
    public let url: URL
    private let partialURL: URL
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private let flushThreshold = 1 << 16

    /// Creates the file and writes the header line.
    public init(url: URL, header: JSONLine) throws {
        self.url = url
        self.partialURL = url.appendingPathExtension("partial")
        guard FileManager.default.createFile(atPath: partialURL.path, contents: nil) else {
            throw CollectionError.cannotWrite(path: partialURL.path, reason: "could not create the file")
        }
        handle = try FileHandle(forWritingTo: partialURL)
        buffer.reserveCapacity(flushThreshold + 4096)
        buffer.append(contentsOf: header.finished())
    }

    public func append(_ record: RequestRecord) throws {
        buffer.append(contentsOf: record.jsonLine())
        if buffer.count >= flushThreshold { try flush() }
    }

    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, closes and moves the file to its final name.
    public func close() throws {
        try flush()
        try handle.close()
        try FileManager.default.moveItem(at: partialURL, to: url)
    }
}
