import FactoryBenchCore
import Foundation

/// Runs the built `factorybench` executable as a user would, for command-line tests.
public enum CommandRunner {
    public struct Result: Sendable {
        public var exitCode: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The `factorybench` binary next to the test bundle in the build directory.
    public static func executable() throws -> URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("factorybench")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        struct NotBuilt: Error, CustomStringConvertible {
            var description: String { "the factorybench executable is not built; run `swift build` first" }
        }
        throw NotBuilt()
    }

    /// Runs `factorybench` with `arguments` in `directory`; `environment` entries are added
    /// to (or replace) this process's environment.
    public static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.currentDirectoryURL = directory
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Both pipes are drained at once (stderr on another thread), so a full pipe cannot
        // block the child.
        let errorOutput = Box()
        let errorRead = DispatchSemaphore(value: 0)
        let reader = Thread {
            errorOutput.data = FileDescriptorReader.readAll(err.fileHandleForReading)
            errorRead.signal()
        }
        reader.start()
        let outData = FileDescriptorReader.readAll(out.fileHandleForReading)
        errorRead.wait()
        let errData = errorOutput.data
        process.waitUntilExit()
        return Result(
            exitCode: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// `run` on a thread of its own, for long commands in async tests: waiting does not hold
    /// one of the few threads Swift concurrency shares with every other test.
    public static func run(
        _ arguments: [String], in directory: URL, environment: [String: String] = [:]
    ) async throws -> Result {
        let result: Swift.Result<Result, any Error> = await withCheckedContinuation { continuation in
            Thread {
                continuation.resume(
                    returning: Swift.Result { try run(arguments, in: directory, environment: environment) as Result })
            }.start()
        }
        return try result.get()
    }

    private final class Box: @unchecked Sendable {
        var data = Data()
    }
}
