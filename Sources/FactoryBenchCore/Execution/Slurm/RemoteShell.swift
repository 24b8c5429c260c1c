import Foundation

/// Runs commands and moves files on a Slurm login node: over ssh to an alias from
/// `~/.ssh/config` (one multiplexed connection for the whole run), or here when FactoryBench
/// already runs on the login node (`target: local-slurm`). Remote paths are relative to the
/// remote home directory.
public protocol RemoteShell: Sendable {
    /// Where commands run, for messages: `fbcluster`, `this machine`.
    var target: String { get }
    /// Runs a bash script in the remote home directory (a login shell, so `module` works).
    func run(_ script: String) async throws -> ChildProcess.Captured
    /// Copies local files into a remote directory, which must exist.
    func upload(_ files: [URL], to directory: String) async throws
    /// Copies a remote directory's contents into a local directory.
    func download(_ directory: String, to local: URL) async throws
    /// Ends the shared connection, if any.
    func close() async
}

extension RemoteShell {
    /// Runs `script` and returns what it printed; fails with the command's output when it
    /// exits non-zero.
    @discardableResult
    public func check(_ script: String, what: String) async throws -> String {
        let result = try await run(script)
        guard result.status == 0 else {
            throw SlurmError.remoteCommandFailed(
                target: target, command: what, status: result.status, output: result.errors + result.output)
        }
        return result.output
    }

    /// The shell for a recipe's target.
    public static func forTarget(_ target: String) -> any RemoteShell {
        target == "local-slurm" ? LocalShell() : SSHShell(alias: target)
    }
}

/// Commands over `ssh ALIAS`, files with rsync (scp when rsync is missing on either side).
public struct SSHShell: RemoteShell {
    public var alias: String
    private let controlPath: String

    public init(alias: String) {
        self.alias = alias
        // Short: a Unix socket path has a ~100 byte limit; %C is ssh's hash of the connection.
        controlPath = "/tmp/fb-\(UUID().uuidString.prefix(8))-%C"
    }

    public var target: String { alias }

    private var options: [String] {
        [
            "-o", "BatchMode=yes", "-o", "ControlMaster=auto", "-o", "ControlPath=\(controlPath)", "-o",
            "ControlPersist=300", "-o", "ConnectTimeout=20", "-o", "ServerAliveInterval=30",
        ]
    }

    public func run(_ script: String) async throws -> ChildProcess.Captured {
        // A login profile may change directory: every path here is relative to the home.
        try await ChildProcess.capture(
            ["ssh"] + options + [alias, "--", "bash -lc " + Shell.quote("cd \"$HOME\" && " + script)])
    }

    public func upload(_ files: [URL], to directory: String) async throws {
        guard !files.isEmpty else { return }
        let rsync =
            ["rsync", "-a", "-e", (["ssh"] + options).joined(separator: " ")] + files.map(\.path)
            + ["\(alias):\(directory)/"]
        if ChildProcess.resolve("rsync") != nil, try await ChildProcess.capture(rsync).status == 0 { return }
        let scp = ["scp", "-p", "-q"] + options + files.map(\.path) + ["\(alias):\(directory)/"]
        let result = try await ChildProcess.capture(scp)
        guard result.status == 0 else {
            throw SlurmError.remoteCommandFailed(
                target: alias, command: "scp … \(alias):\(directory)/", status: result.status,
                output: result.errors)
        }
    }

    public func download(_ directory: String, to local: URL) async throws {
        try FileManager.default.createDirectory(at: local, withIntermediateDirectories: true)
        let rsync = ["rsync", "-a", "-e", (["ssh"] + options).joined(separator: " "), "\(alias):\(directory)/", local.path + "/"]
        if ChildProcess.resolve("rsync") != nil, try await ChildProcess.capture(rsync).status == 0 { return }
        let scp = ["scp", "-r", "-p", "-q"] + options + ["\(alias):\(directory)/.", local.path]
        let result = try await ChildProcess.capture(scp)
        guard result.status == 0 else {
            throw SlurmError.remoteCommandFailed(
                target: alias, command: "scp -r \(alias):\(directory)/", status: result.status, output: result.errors)
        }
    }

    public func close() async {
        _ = try? await ChildProcess.capture(["ssh", "-O", "exit", "-o", "ControlPath=\(controlPath)", alias])
    }
}

/// Commands run here, for FactoryBench started on the login node itself.
public struct LocalShell: RemoteShell {
    public init() {}

    public var target: String { "this machine" }

    private var home: String { ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory() }

    public func run(_ script: String) async throws -> ChildProcess.Captured {
        try await ChildProcess.capture(["bash", "-lc", "cd \"$HOME\" && " + script])
    }

    public func upload(_ files: [URL], to directory: String) async throws {
        guard !files.isEmpty else { return }
        try await check(
            Shell.join(["cp", "-p"] + files.map(\.path)) + " " + Shell.quote(directory) + "/", what: "cp … \(directory)/")
    }

    public func download(_ directory: String, to local: URL) async throws {
        try FileManager.default.createDirectory(at: local, withIntermediateDirectories: true)
        try await check(
            "cp -rp " + Shell.quote(directory) + "/. " + Shell.quote(local.path) + "/", what: "cp -r \(directory)/")
    }

    public func close() async {}
}
