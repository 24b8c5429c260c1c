/// Where a block sits: which input file, and its order within that file.
struct BlockPosition: Hashable, Comparable {
    var file: Int
    var block: Int

    static func < (a: BlockPosition, b: BlockPosition) -> Bool {
        (a.file, a.block) < (b.file, b.block)
    }
}

/// Skipped lines as an aggregation sees them: counted by reason, with the first few kept
/// by block position and block-relative line, resolved to file line numbers at the end
/// (when every block's length is known).
struct SkippedLedger {
    struct Example: Comparable {
        var position: BlockPosition
        var line: Int
        var file: String
        var reason: String

        static func < (a: Example, b: Example) -> Bool {
            (a.position, a.line) < (b.position, b.line)
        }
    }

    private(set) var total = 0
    private(set) var byReason: [String: Int] = [:]
    /// The earliest examples, in order, at most `SkippedLines.exampleLimit`.
    private(set) var examples: [Example] = []

    mutating func add(_ reason: String, file: String, at position: BlockPosition, line: Int) {
        total += 1
        byReason[reason, default: 0] += 1
        let example = Example(position: position, line: line, file: file, reason: reason)
        guard examples.count < SkippedLines.exampleLimit || example < examples[examples.count - 1] else { return }
        let index = examples.firstIndex { example < $0 } ?? examples.count
        examples.insert(example, at: index)
        if examples.count > SkippedLines.exampleLimit { examples.removeLast() }
    }

    mutating func merge(_ other: SkippedLedger) {
        total += other.total
        byReason.merge(other.byReason, uniquingKeysWith: +)
        examples = Array((examples + other.examples).sorted().prefix(SkippedLines.exampleLimit))
    }

    /// The ledger with file line numbers, given every block's line count.
    func resolve(blockLines: [BlockPosition: Int]) -> SkippedLines {
        var offsets: [BlockPosition: Int] = [:]
        var running: [Int: Int] = [:]
        for position in blockLines.keys.sorted() {
            offsets[position] = running[position.file, default: 0]
            running[position.file, default: 0] += blockLines[position] ?? 0
        }
        var result = SkippedLines()
        result.total = total
        result.byReason = byReason
        result.examples = examples.map {
            SkippedLine(file: $0.file, line: (offsets[$0.position] ?? 0) + $0.line, reason: $0.reason)
        }
        return result
    }
}
