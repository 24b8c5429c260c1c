import Yams

/// Where each key of a recipe was written, by dotted path (`service.settings.port`), so a
/// check made after loading — what the target can run — still points at the line to fix.
public struct KeyLocations: Sendable {
    public let file: String
    private var locations: [String: SourceLocation] = [:]

    public init(file: String) {
        self.file = file
    }

    init(root: Node, file: String) {
        self.file = file
        visit(root, prefix: "")
    }

    private mutating func visit(_ node: Node, prefix: String) {
        guard case .mapping(let mapping) = node else { return }
        for pair in mapping {
            guard let key = pair.key.string else { continue }
            let path = prefix.isEmpty ? key : prefix + "." + key
            locations[path] = MappingReader.location(of: pair.key, file: file)
            visit(pair.value, prefix: path)
        }
    }

    /// The location of the key at `path`; for a key that was not written (a default), that
    /// of its nearest written parent, else the file's first line.
    public func callAsFunction(_ path: String) -> SourceLocation {
        var path = Substring(path)
        while !path.isEmpty {
            if let location = locations[String(path)] { return location }
            path = path[..<(path.lastIndex(of: ".") ?? path.startIndex)]
        }
        return SourceLocation(file: file, line: 1, column: 1)
    }
}
