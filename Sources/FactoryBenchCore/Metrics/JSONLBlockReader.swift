import Dispatch
import Foundation

/// Reads a JSONL file in blocks of whole lines and scans the blocks on worker threads, while
/// the calling thread receives the parsed blocks strictly in file order. Memory stays flat:
/// a few reused buffers are in flight whatever the file size.
enum JSONLBlockReader {
    static let blockSize = 4 << 20
    static let maximumLineBytes = 1 << 20
    /// Blocks read ahead of the one being consumed.
    static let inFlight = 4

    /// Calls `consume` with every block of the file at `path`, in order.
    static func forEachBlock(path: String, _ consume: (ParsedBlock) throws -> Void) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw CollectionError.cannotRead(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var reader = Reader(fd: fd, path: path)
        defer { reader.release() }
        let queue = DispatchQueue.global(qos: .userInitiated)
        var pending: [Pending] = []
        while true {
            while pending.count < inFlight, let next = try reader.next() {
                switch next {
                case .lines(let buffer, let count):
                    let slot = Pending(buffer: buffer)
                    queue.async {
                        slot.block = ParsedBlock.scan(UnsafeRawBufferPointer(start: slot.buffer, count: count))
                        slot.done.signal()
                    }
                    pending.append(slot)
                case .problem(let reason):
                    let slot = Pending(buffer: nil)
                    slot.block = .problem(reason)
                    slot.done.signal()
                    pending.append(slot)
                }
            }
            guard !pending.isEmpty else { return }
            let slot = pending.removeFirst()
            slot.done.wait()
            if let buffer = slot.buffer { reader.recycle(buffer) }
            if let block = slot.block { try consume(block) }
        }
    }

    private final class Pending: @unchecked Sendable {
        let buffer: UnsafeMutableRawPointer?
        let done = DispatchSemaphore(value: 0)
        var block: ParsedBlock?

        init(buffer: UnsafeMutableRawPointer?) {
            self.buffer = buffer
        }
    }

    /// Cuts the file into blocks that end on a newline, in reused buffers.
    private struct Reader {
        enum Next {
            case lines(UnsafeMutableRawPointer, Int)
            case problem(String)
        }

        let fd: Int32
        let path: String
        /// Each buffer holds a carried-over partial line plus a block: twice the block size.
        private let capacity = 2 * JSONLBlockReader.blockSize
        private var free: [UnsafeMutableRawPointer] = []
        private var all: [UnsafeMutableRawPointer] = []
        private let carry: UnsafeMutableRawPointer
        private var carried = 0
        private var discarding = false
        private var atEnd = false
        private var queued: [Next] = []

        init(fd: Int32, path: String) {
            self.fd = fd
            self.path = path
            carry = .allocate(byteCount: JSONLBlockReader.blockSize, alignment: 64)
        }

        func release() {
            for buffer in all { buffer.deallocate() }
            carry.deallocate()
        }

        mutating func recycle(_ buffer: UnsafeMutableRawPointer) {
            free.append(buffer)
        }

        mutating func next() throws -> Next? {
            if !queued.isEmpty { return queued.removeFirst() }
            while !atEnd {
                if let next = try readBlock() { return next }
            }
            return queued.isEmpty ? nil : queued.removeFirst()
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

        private mutating func readBlock() throws -> Next? {
            let buffer: UnsafeMutableRawPointer
            if let reused = free.popLast() {
                buffer = reused
            } else {
                buffer = .allocate(byteCount: capacity, alignment: 64)
                all.append(buffer)
            }
            memcpy(buffer, carry, carried)
            var filled = carried
            carried = 0
            let target = filled + JSONLBlockReader.blockSize
            while filled < target {
                let count = read(fd, buffer + filled, target - filled)
                if count < 0 {
                    if errno == EINTR { continue }
                    free.append(buffer)
                    throw CollectionError.cannotRead(path: path, reason: String(cString: strerror(errno)))
                }
                if count == 0 {
                    atEnd = true
                    break
                }
                filled += count
            }
            var start = 0
            if discarding {
                // The rest of a line longer than a whole block is dropped.
                guard let newline = memchr(buffer, 0x0A, filled) else {
                    free.append(buffer)
                    if atEnd { discarding = false }
                    return nil
                }
                discarding = false
                start = buffer.distance(to: newline) + 1
            }
            guard let last = Self.lastNewline(buffer + start, filled - start) else {
                free.append(buffer)
                if filled - start == 0 { return nil }
                if atEnd { return .problem("truncated last line (no newline)") }
                discarding = true
                return .problem("line longer than 1 MB")
            }
            let end = buffer.distance(to: last) + 1
            carried = filled - end
            memcpy(carry, buffer + end, carried)
            if start > 0 { memmove(buffer, buffer + start, end - start) }
            if atEnd && carried > 0 {
                carried = 0
                queued.append(.problem("truncated last line (no newline)"))
            }
            return .lines(buffer, end - start)
        }
    }
}
