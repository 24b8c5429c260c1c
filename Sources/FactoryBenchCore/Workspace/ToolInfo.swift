import Foundation

/// What FactoryBench says about itself in `--version` and in every `run.json`.
public enum ToolInfo {
    public static let version = "0.1.0"

    /// The commit of the FactoryBench checkout this binary was built from, when that checkout
    /// is still on disk (as with `swift run`); `nil` for a binary copied elsewhere.
    public static let commit: String? = gitCommit(
        in: URL(fileURLWithPath: #filePath).deletingLastPathComponent().path)

    /// The commit `HEAD` of the git checkout holding `directory`, if any.
    public static func gitCommit(in directory: String) -> String? {
        guard FileManager.default.fileExists(atPath: directory) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory, "rev-parse", "HEAD"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        let data = FileDescriptorReader.readAll(output.fileHandleForReading)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let commit = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return commit.isEmpty ? nil : commit
    }

    /// This machine's host name.
    public static var hostName: String { ProcessInfo.processInfo.hostName }
}
