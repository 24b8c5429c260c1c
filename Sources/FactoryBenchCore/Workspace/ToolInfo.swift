import Foundation

/// What FactoryBench says about itself in `--version` and in every `run.json`.
public enum ToolInfo {
    public static let version = "0.1.0"

    /// The commit of the FactoryBench checkout this binary was built from, when that checkout
    /// is still on disk (as with `swift run`); `nil` for a binary copied elsewhere.
    public static let commit: String? = gitCommit(
        in: URL(fileURLWithPath: #filePath).deletingLastPathComponent().path)

    /// The commit `HEAD` of the git checkout holding `directory`, if any.
    ///
    /// Read from the repository's files (`HEAD`, the loose ref, `packed-refs`) rather than
    /// by running `git`: every command asks for it at start-up, and a child process cost
    /// each of them about 40 ms (and needs git on the compute nodes).
    public static func gitCommit(in directory: String) -> String? {
        guard let gitDirectory = gitDirectory(containing: URL(fileURLWithPath: directory)),
            let head = text(gitDirectory.appendingPathComponent("HEAD"))
        else { return nil }
        guard head.hasPrefix("ref:") else { return objectName(head) }
        let reference = head.dropFirst(4).trimmingCharacters(in: .whitespaces)
        // A linked worktree keeps its own HEAD; branches live in the common directory.
        var directories = [gitDirectory]
        if let common = text(gitDirectory.appendingPathComponent("commondir")) {
            directories.append(URL(fileURLWithPath: common, relativeTo: gitDirectory).standardizedFileURL)
        }
        for directory in directories {
            if let loose = text(directory.appendingPathComponent(reference)) { return objectName(loose) }
        }
        for directory in directories {
            guard let packed = text(directory.appendingPathComponent("packed-refs")) else { continue }
            for line in packed.split(separator: "\n") where line.hasSuffix(" " + reference) {
                return objectName(String(line.prefix { $0 != " " }))
            }
        }
        return nil
    }

    /// The `.git` directory of the checkout holding `directory` (a `.git` file, as in a
    /// worktree or submodule, names it with `gitdir:`).
    private static func gitDirectory(containing directory: URL) -> URL? {
        var current = directory.standardizedFileURL
        while true {
            let candidate = current.appendingPathComponent(".git")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory) {
                if isDirectory.boolValue { return candidate }
                guard let pointer = text(candidate), pointer.hasPrefix("gitdir:") else { return nil }
                let path = pointer.dropFirst(7).trimmingCharacters(in: .whitespaces)
                return URL(fileURLWithPath: path, relativeTo: current).standardizedFileURL
            }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { return nil }
            current = parent
        }
    }

    private static func text(_ url: URL) -> String? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// `text` when it is a full hexadecimal object name (SHA-1 or SHA-256).
    private static func objectName(_ text: String) -> String? {
        let isHex = text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
        return isHex && (text.count == 40 || text.count == 64) ? text : nil
    }

    /// This machine's host name.
    public static var hostName: String { ProcessInfo.processInfo.hostName }

    /// The node this process runs on: Slurm's name for it inside a job (several virtual
    /// nodes can share one host), else the host name.
    public static var nodeName: String {
        ProcessInfo.processInfo.environment["SLURMD_NODENAME"].flatMap { $0.isEmpty ? nil : $0 } ?? hostName
    }
}
