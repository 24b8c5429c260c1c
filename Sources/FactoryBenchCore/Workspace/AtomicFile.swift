import Foundation

/// Writes whole files under a temporary name and renames them into place, so a reader
/// never sees half a file and a crash never leaves one.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        // POSIX calls: Foundation's createDirectory and Data.write were a tenth of a full
        // site build (thousands of small files).
        let path = url.path
        let directory = url.deletingLastPathComponent().path
        try createDirectories(atPath: directory)
        let temporary = directory + "/.\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WorkspaceError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        var failure: Int32 = 0
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let written = writeBytes(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw WorkspaceError.cannotWrite(path: path, reason: String(cString: strerror(failure)))
        }
    }

    /// Creates the directory at `path` and any missing parents (like `mkdir -p`).
    public static func createDirectories(atPath path: String) throws {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        guard errno == ENOENT else {
            throw WorkspaceError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        let parent = (path as NSString).deletingLastPathComponent
        guard !parent.isEmpty, parent != path else {
            throw WorkspaceError.cannotWrite(path: path, reason: String(cString: strerror(ENOENT)))
        }
        try createDirectories(atPath: parent)
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw WorkspaceError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
    }

    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// JSON with sorted keys and a final newline: the same value always gives the same bytes.
    public static func writeJSON<T: Encodable>(_ value: T, to url: URL) throws {
        try write(encodeJSON(value), to: url)
    }

    public static func encodeJSON<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(UInt8(ascii: "\n"))
        return data
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// write(2), named apart from `AtomicFile.write`.
private func writeBytes(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(fd, buffer, count)
    #else
        Darwin.write(fd, buffer, count)
    #endif
}
