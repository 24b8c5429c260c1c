import FactoryBenchCore
import Foundation

/// A child process (a server) that a test starts, reads lines from, and stops by its PID.
public final class BackgroundProcess: @unchecked Sendable {
    private let process: Process
    private let output: Pipe

    private init(process: Process, output: Pipe) {
        self.process = process
        self.output = output
    }

    public static func start(_ executable: URL, _ arguments: [String]) throws -> BackgroundProcess {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        return BackgroundProcess(process: process, output: output)
    }

    /// Reads output until a line contains `text` (or the process ends); returns that line.
    public func waitForLine(containing text: String) throws -> String {
        var pending = ""
        let fd = output.fileHandleForReading.fileDescriptor
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            pending += String(decoding: buffer[0..<count], as: UTF8.self)
            if let line = pending.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
        }
        struct Ended: Error, CustomStringConvertible {
            var description: String
        }
        throw Ended(description: "the process ended before printing '\(text)'; it printed: \(pending)")
    }

    /// The process's id.
    public var pid: Int32 { process.processIdentifier }

    /// Stops the process by its PID and waits for it.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
    }
}

/// `FileDescriptorReader` under a name tests can reach without importing the core library.
public enum FileDescriptorReaderBridge {
    public static func read(_ handle: FileHandle) -> Data { FileDescriptorReader.readAll(handle) }
}
