import Foundation

/// Cuts a JSONL file into blocks of whole lines (each ended by a newline) in buffers taken
/// from a pool, so that the blocks can be scanned on other threads while reading goes on.
/// A line too long for the limit and a last line without its newline come out as problems.
struct JSONLBlockReader {
    static let blockSize = 2 << 20
    static let maximumLineBytes = 1 << 20

    /// What the reader hands out next.
    enum Block {
        /// Whole lines (`bytes`) in a buffer of the pool; give `buffer` back after use.
        case lines(buffer: UnsafeMutableRawPointer, bytes: UnsafeRawBufferPointer)
        /// One line that could not be kept.
        case problem(String)
    }

    private let fd: Int32
    private let path: String
    private let pool: BufferPool
    private let carry: UnsafeMutableRawPointer
    private var carried = 0
    /// Bytes read from the file so far.
    private var offset = 0
    private var discarding = false
    private var atEnd = false
    private var queued: [Block] = []

    /// Buffers of twice the block size (a carried-over partial line plus a block) and a page
    /// (see `readBlock`), reused across blocks and threads.
    final class BufferPool: @unchecked Sendable {
        private let lock = NSLock()
        private var free: [UnsafeMutableRawPointer] = []
        private var all: [UnsafeMutableRawPointer] = []

        init() {}

        deinit {
            for buffer in all { buffer.deallocate() }
        }

        func take() -> UnsafeMutableRawPointer {
            lock.lock()
            defer { lock.unlock() }
            if let buffer = free.popLast() { return buffer }
            let buffer = UnsafeMutableRawPointer.allocate(
                byteCount: 2 * JSONLBlockReader.blockSize + JSONLBlockReader.page, alignment: JSONLBlockReader.page)
            all.append(buffer)
            return buffer
        }

        func give(_ buffer: UnsafeMutableRawPointer) {
            lock.lock()
            free.append(buffer)
            lock.unlock()
        }
    }

    /// Calls `body` with every block of the file at `path`, in order.
    static func forEachBlock(path: String, pool: BufferPool, _ body: (Block) throws -> Void) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw AggregationError.cannotRead(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var reader = JSONLBlockReader(fd: fd, path: path, pool: pool)
        defer { reader.carry.deallocate() }
        while let block = try reader.next() { try body(block) }
    }

    private init(fd: Int32, path: String, pool: BufferPool) {
        self.fd = fd
        self.path = path
        self.pool = pool
        carry = .allocate(byteCount: JSONLBlockReader.blockSize, alignment: 64)
    }

    private mutating func next() throws -> Block? {
        if !queued.isEmpty { return queued.removeFirst() }
        while !atEnd {
            if let block = try readBlock() { return block }
        }
        return queued.isEmpty ? nil : queued.removeFirst()
    }

    private static func isBlank(_ start: UnsafeMutableRawPointer, _ count: Int) -> Bool {
        let bytes = start.assumingMemoryBound(to: UInt8.self)
        return (0..<count).allSatisfy { [0x20, 0x09, 0x0D].contains(bytes[$0]) }
    }

    private static func lastNewline(_ start: UnsafeMutableRawPointer, _ count: Int) -> UnsafeMutableRawPointer? {
        let bytes = start.assumingMemoryBound(to: UInt8.self)
        var index = count - 1
        while index >= 0 {
            if bytes[index] == 0x0A { return start + index }
            index -= 1
        }
        return nil
    }

    static let page = 4096

    private mutating func readBlock() throws -> Block? {
        let buffer = pool.take()
        // The block starts `pad` bytes into the buffer, so that bytes land at the same offset
        // within a page as in the file: the kernel's copy runs up to four times slower when
        // the two are a few bytes apart (its loads wait on its own recent stores).
        let pad = ((offset - carried) % Self.page + Self.page) % Self.page
        memcpy(buffer + pad, carry, carried)
        var filled = pad + carried
        carried = 0
        let target = filled + Self.blockSize
        while filled < target {
            let count = read(fd, buffer + filled, target - filled)
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                pool.give(buffer)
                throw AggregationError.cannotRead(path: path, reason: String(cString: strerror(code)))
            }
            if count == 0 {
                atEnd = true
                break
            }
            filled += count
            offset += count
        }
        var start = pad
        var droppedTail = false
        if discarding {
            // The rest of a line longer than a whole block is dropped.
            guard let newline = memchr(buffer + start, 0x0A, filled - start) else {
                pool.give(buffer)
                if atEnd { discarding = false }
                return nil
            }
            discarding = false
            droppedTail = true
            start = buffer.distance(to: newline) + 1
        }
        guard let last = Self.lastNewline(buffer + start, filled - start) else {
            if droppedTail && !atEnd {
                // The end of a very long line was dropped above; what follows it is the
                // start of the next line: carry it over (it is shorter than a block).
                carried = filled - start
                memcpy(carry, buffer + start, carried)
                pool.give(buffer)
                return nil
            }
            pool.give(buffer)
            if Self.isBlank(buffer + start, filled - start) { return nil }
            if atEnd { return .problem("truncated last line (no newline)") }
            discarding = true
            return .problem("line longer than 1 MB")
        }
        let end = buffer.distance(to: last) + 1
        carried = filled - end
        memcpy(carry, buffer + end, carried)
        if atEnd && carried > 0 {
            if !Self.isBlank(carry, carried) { queued.append(.problem("truncated last line (no newline)")) }
            carried = 0
        }
        return .lines(buffer: buffer, bytes: UnsafeRawBufferPointer(start: buffer + start, count: end - start))
    }
}
