import Foundation

/// Merges the per-client JSONL files of a run into `requests.jsonl`, with one header line
/// first, streaming so that file size does not matter.
public enum Collector {
    /// The client files of a run: finished ones and `.partial` ones of clients that died.
    public static func clientFiles(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        // A `.partial` file is a client still writing (or killed); once its final file is
        // there, the partial one is an older copy of the same records.
        let finished = Set(names.filter { $0.hasSuffix(".jsonl") })
        return names.filter {
            $0.hasSuffix(".jsonl") || ($0.hasSuffix(".jsonl.partial") && !finished.contains(String($0.dropLast(8))))
        }
        .sorted().map { directory.appendingPathComponent($0) }
    }

    /// Writes `output` from `files`: `header` first, then every line of every file except
    /// each file's own header line. Returns the number of record lines written.
    @discardableResult
    public static func merge(files: [URL], header: JSONLine, into output: URL) throws -> Int {
        let temporary = output.deletingLastPathComponent().appendingPathComponent(".\(output.lastPathComponent).tmp-\(getpid())")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
            let out = FileHandle(forWritingAtPath: temporary.path)
        else {
            throw CollectionError.cannotWrite(path: temporary.path, reason: "could not create the file")
        }
        var lines = 0
        do {
            try out.write(contentsOf: header.finished())
            for file in files {
                guard let input = FileHandle(forReadingAtPath: file.path) else {
                    throw CollectionError.cannotRead(path: file.path, reason: "the file vanished or is not readable")
                }
                defer { try? input.close() }
                var firstLine = true
                var carry = Data()
                while let chunk = try input.read(upToCount: 1 << 22), !chunk.isEmpty {
                    var data = carry + chunk
                    if firstLine {
                        guard let newline = data.firstIndex(of: UInt8(ascii: "\n")) else {
                            carry = data
                            continue
                        }
                        firstLine = false
                        let first = data[data.startIndex..<newline]
                        if !isHeader(first) {
                            try out.write(contentsOf: first + [UInt8(ascii: "\n")])
                            lines += 1
                        }
                        data = Data(data[data.index(after: newline)...])
                    }
                    guard let lastNewline = data.lastIndex(of: UInt8(ascii: "\n")) else {
                        carry = data
                        continue
                    }
                    let complete = data[data.startIndex...lastNewline]
                    // Counted over raw bytes: Data's own iterator costs a call per byte.
                    lines += complete.withUnsafeBytes { raw in raw.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) } }
                    try out.write(contentsOf: complete)
                    carry = Data(data[data.index(after: lastNewline)...])
                }
                // A killed client may leave a last line without its newline: keep it (the
                // aggregator reports it) but end it so the next file starts on its own line.
                if !carry.isEmpty && !(firstLine && isHeader(carry)) {
                    try out.write(contentsOf: carry + [UInt8(ascii: "\n")])
                    lines += 1
                }
            }
            try out.close()
        } catch {
            try? out.close()
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        if rename(temporary.path, output.path) != 0 {
            throw CollectionError.cannotWrite(path: output.path, reason: String(cString: strerror(errno)))
        }
        return lines
    }

    /// A header line names the benchmark but carries no request timing.
    static func isHeader(_ line: Data) -> Bool {
        let text = String(decoding: line, as: UTF8.self)
        return text.contains("\"benchmark_id\"") && !text.contains("\"timestamp_start\"")
    }
}
