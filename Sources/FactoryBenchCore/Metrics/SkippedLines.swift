/// Lines of request files that were not used, by reason, with the first few kept.
public struct SkippedLines: Sendable, Codable, Equatable {
    public var total = 0
    public var byReason: [String: Int] = [:]
    public var examples: [SkippedLine] = []

    public static let exampleLimit = 10

    public init() {}

    enum CodingKeys: String, CodingKey {
        case total
        case byReason = "by_reason"
        case examples
    }

}

/// One skipped line: where it was and why.
public struct SkippedLine: Sendable, Codable, Equatable {
    public var file: String
    public var line: Int
    public var reason: String

    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }
}
