import Foundation
import Hummingbird
import Logging
import NIOPosix

/// Hummingbird's local file provider, confined to the site directory: a path whose real
/// location (symbolic links resolved) lies outside the directory is not found.
struct ConfinedFileSystem: FileProvider {
    typealias FileAttributes = LocalFileSystem.FileAttributes
    typealias FileIdentifier = LocalFileSystem.FileIdentifier

    let base: LocalFileSystem
    let realRoot: String

    init(rootFolder: String, logger: Logger) {
        base = LocalFileSystem(rootFolder: rootFolder, threadPool: .singleton, logger: logger)
        realRoot = Self.realPath(rootFolder) ?? rootFolder
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    func getFileIdentifier(_ path: String) -> FileIdentifier? {
        guard let identifier = base.getFileIdentifier(path) else { return nil }
        // A path that does not exist is passed on (and not found); one that exists must
        // resolve inside the root.
        guard let real = Self.realPath(identifier) else { return identifier }
        return real == realRoot || real.hasPrefix(realRoot + "/") ? identifier : nil
    }

    func getAttributes(id: FileIdentifier) async throws -> FileAttributes? {
        try await base.getAttributes(id: id)
    }

    func loadFile(id: FileIdentifier, context: some RequestContext) async throws -> ResponseBody {
        try await base.loadFile(id: id, context: context)
    }

    func loadFile(id: FileIdentifier, range: ClosedRange<Int>, context: some RequestContext) async throws -> ResponseBody {
        try await base.loadFile(id: id, range: range, context: context)
    }
}
