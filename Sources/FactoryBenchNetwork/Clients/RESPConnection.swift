import NIOCore
import NIOPosix

/// A Redis reply (RESP2, https://redis.io/docs/latest/develop/reference/protocol-spec/).
enum RESPValue: Sendable, Equatable {
    case simple(String)
    case error(String)
    case integer(Int)
    case bulk([UInt8]?)
    case array([RESPValue]?)
}

/// One connection to Redis speaking RESP over NIO: commands are written as arrays of bulk
/// strings and replies come back in order, one promise per command.
final class RESPConnection: Sendable {
    private let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    static func connect(host: String, port: Int, timeoutSeconds: Int64 = 5) async throws -> RESPConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(timeoutSeconds))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RESPDecoder()))
                    try channel.pipeline.syncOperations.addHandler(RESPCommandHandler())
                }
            }
            .connect(host: host, port: port).get()
        return RESPConnection(channel: channel)
    }

    /// Sends one command and waits for its reply, at most `timeoutSeconds`.
    func send(_ arguments: [[UInt8]], timeoutSeconds: Int64 = 30) async throws -> RESPValue {
        let promise = channel.eventLoop.makePromise(of: RESPValue.self)
        // A write that fails (the connection closed under it) never reaches the handler's
        // queue, and a server that never answers never fulfils it: both must end the wait.
        // A promise completes once; later attempts are ignored.
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { promise.fail($0) }
        let timeout = channel.eventLoop.scheduleTask(in: .seconds(timeoutSeconds)) {
            promise.fail(RESPError.timeout(seconds: timeoutSeconds))
        }
        channel.writeAndFlush(RESPCommand(arguments: arguments, reply: promise), promise: written)
        defer { timeout.cancel() }
        return try await promise.futureResult.get()
    }

    /// Sends many commands in one write and waits for every reply.
    func pipeline(_ commands: [[[UInt8]]]) async throws -> [RESPValue] {
        let promises = commands.map { command -> EventLoopPromise<RESPValue> in
            let promise = channel.eventLoop.makePromise(of: RESPValue.self)
            let written = channel.eventLoop.makePromise(of: Void.self)
            written.futureResult.whenFailure { promise.fail($0) }
            channel.write(RESPCommand(arguments: command, reply: promise), promise: written)
            return promise
        }
        channel.flush()
        var replies: [RESPValue] = []
        for promise in promises { replies.append(try await promise.futureResult.get()) }
        return replies
    }

    func close() async {
        try? await channel.close()
    }
}

/// A command on its way out, with the promise its reply fulfils.
struct RESPCommand {
    var arguments: [[UInt8]]
    var reply: EventLoopPromise<RESPValue>
}

/// Encodes commands, queues their promises and fulfils them in order as replies arrive;
/// fails every waiting promise when the connection breaks.
final class RESPCommandHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = RESPCommand
    typealias OutboundOut = ByteBuffer

    private var waiting: [EventLoopPromise<RESPValue>] = []
    private var head = 0

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let command = unwrapOutboundIn(data)
        var buffer = context.channel.allocator.buffer(capacity: 64)
        buffer.writeString("*\(command.arguments.count)\r\n")
        for argument in command.arguments {
            buffer.writeString("$\(argument.count)\r\n")
            buffer.writeBytes(argument)
            buffer.writeString("\r\n")
        }
        waiting.append(command.reply)
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = unwrapInboundIn(data)
        guard head < waiting.count else { return }
        let promise = waiting[head]
        head += 1
        if head == waiting.count {
            waiting.removeAll(keepingCapacity: true)
            head = 0
        }
        promise.succeed(value)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RESPError.connectionClosed)
        context.fireChannelInactive()
    }

    private func failAll(_ error: any Error) {
        let pending = waiting[head...]
        waiting = []
        head = 0
        for promise in pending { promise.fail(error) }
    }
}

/// Splits the byte stream into replies.
struct RESPDecoder: ByteToMessageDecoder {
    typealias InboundOut = RESPValue

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        var copy = buffer
        guard let value = try Self.parse(&copy) else { return .needMoreData }
        buffer = copy
        context.fireChannelRead(wrapInboundOut(value))
        return .continue
    }

    /// One reply from the front of `buffer`, or `nil` when it is not complete yet.
    static func parse(_ buffer: inout ByteBuffer) throws -> RESPValue? {
        guard let kind = buffer.readInteger(as: UInt8.self), let line = readLine(&buffer) else { return nil }
        switch kind {
        case UInt8(ascii: "+"): return .simple(line)
        case UInt8(ascii: "-"): return .error(line)
        case UInt8(ascii: ":"):
            guard let number = Int(line) else { throw RESPError.malformed("integer '\(line)'") }
            return .integer(number)
        case UInt8(ascii: "$"):
            guard let length = Int(line) else { throw RESPError.malformed("bulk length '\(line)'") }
            if length < 0 { return .bulk(nil) }
            guard buffer.readableBytes >= length + 2, let bytes = buffer.readBytes(length: length) else { return nil }
            buffer.moveReaderIndex(forwardBy: 2)
            return .bulk(bytes)
        case UInt8(ascii: "*"):
            guard let count = Int(line) else { throw RESPError.malformed("array length '\(line)'") }
            if count < 0 { return .array(nil) }
            var items: [RESPValue] = []
            for _ in 0..<count {
                guard let item = try parse(&buffer) else { return nil }
                items.append(item)
            }
            return .array(items)
        default:
            throw RESPError.malformed("reply type byte \(kind)")
        }
    }

    private static func readLine(_ buffer: inout ByteBuffer) -> String? {
        let view = buffer.readableBytesView
        guard let end = view.firstIndex(of: UInt8(ascii: "\r")), end + 1 < view.endIndex else { return nil }
        let line = buffer.readString(length: end - view.startIndex)
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }
}

enum RESPError: Error, CustomStringConvertible {
    case connectionClosed
    case timeout(seconds: Int64)
    case malformed(String)

    var description: String {
        switch self {
        case .connectionClosed: return "the Redis server closed the connection"
        case .timeout(let seconds): return "no reply from the Redis server within \(seconds) s"
        case .malformed(let what): return "malformed Redis reply: \(what)"
        }
    }
}
