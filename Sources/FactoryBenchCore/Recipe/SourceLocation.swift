/// A position in a recipe file, printed as `file:line:column` like a compiler diagnostic.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`; a value given with `--set` has no line and says so.
    public var description: String { line == 0 ? "\(file) (--set)" : "\(file):\(line):\(column)" }
}
