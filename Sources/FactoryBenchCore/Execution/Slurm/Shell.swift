/// Quoting for the POSIX shell: every value that comes from a recipe goes through `quote`
/// before it enters a script or a remote command line.
public enum Shell {
    /// `value` as one shell word: single-quoted, with each `'` written as `'\''`; words made
    /// only of safe characters stay bare so scripts read naturally.
    public static func quote(_ value: String) -> String {
        if !value.isEmpty, value.unicodeScalars.allSatisfy({ safe.contains($0) }) { return value }
        return "'" + value.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// Several words, each quoted, joined by spaces.
    public static func join(_ words: [String]) -> String {
        words.map(quote).joined(separator: " ")
    }

    private static let safe = Set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:=@%+,".unicodeScalars)
}
