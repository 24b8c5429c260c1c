import CSQLite
import Foundation

/// Embedded SQLite: "deploying" it creates a database file in a private directory that
/// `stop()` removes. Nothing runs in the background.
public struct SQLiteService: Service {
    public let directory: URL
    public let settings: [String: SettingValue]

    public init(directory: URL, settings: [String: SettingValue]) {
        self.directory = directory
        self.settings = settings
    }

    public var databasePath: String { directory.appendingPathComponent("benchmark.sqlite").path }

    public func deploy(logDirectory: URL) async throws -> ServiceEndpoint {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let connection = try SQLiteConnection(path: databasePath)
        let journalMode = settings["journal_mode"]?.stringValue ?? "wal"
        try connection.execute("PRAGMA journal_mode=\(Self.identifier(journalMode));")
        return ServiceEndpoint(path: databasePath, version: "SQLite \(String(cString: sqlite3_libversion()))")
    }

    public func stop() throws {
        if FileManager.default.fileExists(atPath: directory.path) {
            try FileManager.default.removeItem(at: directory)
        }
    }

    /// Opens a connection to the database at `path`, configured as the service settings say.
    static func connect(path: String, settings: [String: SettingValue]) throws -> SQLiteConnection {
        let connection = try SQLiteConnection(path: path)
        let timeout = settings["busy_timeout_ms"]?.intValue ?? 5000
        try connection.execute("PRAGMA busy_timeout=\(timeout);")
        try connection.execute("PRAGMA synchronous=\(Self.identifier(settings["synchronous"]?.stringValue ?? "normal"));")
        return connection
    }

    /// Keeps only letters, digits and `_` of a recipe value spliced into SQL.
    static func identifier(_ value: String) -> String {
        String(value.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || $0 == "_" })
    }
}
