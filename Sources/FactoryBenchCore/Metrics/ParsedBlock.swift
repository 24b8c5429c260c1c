/// The records of one block of whole lines, scanned on a worker thread and handed to the
/// aggregation in file order.
final class ParsedBlock: @unchecked Sendable {
    var records: [ScannedRecord] = []
    /// The `itl_s` values of all records, in order; each record says how many are its own.
    var itl: [Double] = []
    /// Lines that were not records, numbered within the block (from 1).
    var problems: [(line: Int, reason: String)] = []
    var lineCount = 0
    /// The block's interned strings: record ids index into this.
    var strings: [String] = []

    /// Scans every line of `bytes`, which holds whole lines, each ended by a newline.
    static func scan(_ bytes: UnsafeRawBufferPointer) -> ParsedBlock {
        let block = ParsedBlock()
        guard let base = bytes.baseAddress else { return block }
        // Filled as locals and stored once: appending to the class's arrays line by line
        // would check exclusive access at run time for every line.
        var records: [ScannedRecord] = []
        records.reserveCapacity(bytes.count / 160)
        var itl: [Double] = []
        var problems: [(line: Int, reason: String)] = []
        var lineCount = 0
        var scanner = RequestLineScanner()
        var record = ScannedRecord()
        var start = 0
        while start < bytes.count {
            let rest = bytes.count - start
            let stop = memchr(base + start, 0x0A, rest).map { base.distance(to: UnsafeRawPointer($0)) } ?? bytes.count
            lineCount += 1
            if stop - start > JSONLBlockReader.maximumLineBytes {
                problems.append((lineCount, "line longer than 1 MB"))
            } else {
                switch scanner.scan(UnsafeRawBufferPointer(rebasing: bytes[start..<stop]), into: &record) {
                case .record:
                    record.itlCount = scanner.itl.count
                    record.line = lineCount
                    if !scanner.itl.isEmpty { itl.append(contentsOf: scanner.itl) }
                    records.append(record)
                case .header, .blank:
                    break
                case .invalid(let reason):
                    problems.append((lineCount, reason))
                }
            }
            start = stop + 1
        }
        block.records = records
        block.itl = itl
        block.problems = problems
        block.lineCount = lineCount
        block.strings = scanner.strings.strings
        return block
    }

    /// A block standing for one line that could not be scanned at all.
    static func problem(_ reason: String) -> ParsedBlock {
        let block = ParsedBlock()
        block.lineCount = 1
        block.problems = [(1, reason)]
        return block
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
