import NIOCore
import Testing

@testable import FactoryBenchNetwork

/// The polled HTTP client's response reader: every way HTTP/1.1 ends a response, whole or
/// arriving in pieces.
@Suite struct HTTPResponseReaderTests {
    /// Feeds `text` in pieces of `piece` bytes; returns the reader when the response ended,
    /// and what was left in the buffer after it.
    func read(_ text: String, piece: Int, expectsBody: Bool = true, closedAtEnd: Bool = false) throws -> (
        ResponseReader, String
    )? {
        var reader = ResponseReader()
        var buffer = ByteBuffer()
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + piece, bytes.count)
            buffer.writeBytes(bytes[offset..<end])
            offset = end
            let closed = closedAtEnd && offset == bytes.count
            if try reader.read(&buffer, expectsBody: expectsBody, closed: closed) {
                return (reader, buffer.readString(length: buffer.readableBytes) ?? "")
            }
        }
        return nil
    }

    @Test(arguments: [1, 3, 1000])
    func contentLengthChunkedAndCloseDelimitedBodiesEndWhereTheyEnd(piece: Int) throws {
        let sized = try #require(try read("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloNEXT", piece: piece))
        #expect(sized.0.status == 200 && !sized.0.closes)
        #expect("NEXT".hasPrefix(sized.1) && (piece < 1000 || sized.1 == "NEXT"))
        let chunked = try #require(
            try read(
                "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5;x=y\r\npedia\r\n0\r\nTrailer: 1\r\n\r\nNEXT",
                piece: piece))
        #expect(chunked.0.status == 201)
        #expect("NEXT".hasPrefix(chunked.1) && (piece < 1000 || chunked.1 == "NEXT"))
        // No length and not chunked: the body runs to the connection's close.
        #expect(try read("HTTP/1.1 200 OK\r\n\r\nto the end", piece: piece) == nil)
        let toClose = try #require(try read("HTTP/1.1 200 OK\r\n\r\nto the end", piece: piece, closedAtEnd: true))
        #expect(toClose.0.closes)
    }

    @Test func responsesWithoutABodyEndAfterTheirHead() throws {
        #expect(try read("HTTP/1.1 204 No Content\r\n\r\n", piece: 100)?.0.status == 204)
        #expect(try read("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", piece: 100)?.0.status == 304)
        let head = try read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\n", piece: 100, expectsBody: false)
        #expect(head?.0.status == 200 && head?.0.closes == true)
    }

    /// HTTP/1.0 closes after every response unless it says keep-alive (Python's
    /// http.server answers so).
    @Test func http10ClosesUnlessItKeepsAlive() throws {
        #expect(try read("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", piece: 100)?.0.closes == true)
        let kept = try read("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", piece: 100)
        #expect(kept?.0.closes == false)
        #expect(try read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", piece: 100)?.0.closes == false)
    }

    @Test func somethingElseIsAnError() {
        #expect(throws: SocketError.self) { try read("SSH-2.0-OpenSSH\r\n\r\n", piece: 100) }
        #expect(throws: SocketError.self) {
            try read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", piece: 100)
        }
    }
}
