import FactoryBenchCore

/// `redis_stress`: SET and GET of `value_size_bytes` values over `key_space` keys (each
/// `key_size_bytes` long when set), in the
/// proportions of `mix`, one RESP connection per in-flight slot (no `redis-cli` per request).
public struct RedisClient: LoadClient {
    public let settings: [String: SettingValue]
    public let plan: LoadPlan
    let keySpace: Int
    let value: [UInt8]
    let seed: UInt64
    /// The share of SETs among all requests.
    let setShare: Double
    /// Every key, made once when the key space is not huge.
    let keys: [[UInt8]]
    /// `key_size_bytes`: every key padded to this length.
    let keySize: Int?

    public init(settings: [String: SettingValue], load: [String: SettingValue]) {
        self.settings = settings
        plan = LoadPlan(load: load, defaultMeasured: LoadPlan.measuredWindow(settings: settings, fallback: 10000))
        keySpace = max(settings["key_space"]?.intValue ?? 10000, 1)
        value = [UInt8](repeating: UInt8(ascii: "v"), count: settings["value_size_bytes"]?.intValue ?? 256)
        seed = UInt64(truncatingIfNeeded: settings["seed"]?.intValue ?? 42)
        let mix = settings["mix"]?.mapValue ?? [:]
        let sets = mix["set"]?.doubleValue ?? 1
        let gets = mix["get"]?.doubleValue ?? 1
        setShare = sets + gets > 0 ? sets / (sets + gets) : 0.5
        let keySize = settings["key_size_bytes"]?.intValue
        self.keySize = keySize
        keys = keySpace <= 1_000_000 ? (0..<keySpace).map { Self.key($0, size: keySize) } : []
    }

    static let set = Array("SET".utf8)
    static let get = Array("GET".utf8)

    /// Fills the key space, so GETs find values, in pipelined batches of 1,000 SETs.
    public func prepare(endpoint: ServiceEndpoint) async throws {
        let connection = try await RESPConnection.connect(host: endpoint.host ?? "127.0.0.1", port: endpoint.port ?? 6379)
        do {
            let value = value
            var start = 0
            while start < keySpace {
                let end = min(start + 1000, keySpace)
                let replies = try await connection.pipeline(
                    (start..<end).map { [Self.set, keys.isEmpty ? Self.key($0, size: keySize) : keys[$0], value] })
                if case .error(let message) = replies.first(where: { if case .error = $0 { true } else { false } }) {
                    throw ExecutionError.clientFailed(clientID: nil, reason: "filling the key space: \(message)")
                }
                start = end
            }
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
    }

    public func run(clientID: Int, endpoint: ServiceEndpoint, context: ClientContext) async throws {
        try await LoadPlan.waitWarmupDelay(settings: settings)
        let client = self
        try await LoadEngine(plan: plan, serviceType: "redis").run(
            clientID: clientID, context: context,
            polled: { _ in RedisSession(client: client, endpoint: endpoint, clientID: clientID) })
    }

    /// The command of request `index`: SET or GET, and its key.
    func command(clientID: Int, index: Int) -> (operation: String, arguments: [[UInt8]]) {
        var random = SeededGenerator(seed: seed ^ (UInt64(clientID) << 40) ^ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
        let pick = Double(random.next() >> 11) * 0x1p-53
        let number = Int(random.next() % UInt64(keySpace))
        let key = keys.isEmpty ? Self.key(number, size: keySize) : keys[number]
        return pick < setShare ? ("set", [Self.set, key, value]) : ("get", [Self.get, key])
    }

    /// Key `number`: `factorybench:N`, or with `size`, exactly that long (zeros before the
    /// number; a size too short for the number itself gives just the number).
    static func key(_ number: Int, size: Int?) -> [UInt8] {
        let prefix = "factorybench:"
        let digits = String(number)
        guard let size else { return Array((prefix + digits).utf8) }
        let zeros = { (count: Int) in String(repeating: "0", count: max(count, 0)) }
        let text =
            size >= prefix.count + digits.count
            ? prefix + zeros(size - prefix.count - digits.count) + digits : zeros(size - digits.count) + digits
        return Array(text.utf8)
    }
}

/// One in-flight slot of a Redis client, driven by the load engine's polling threads as
/// redis-benchmark drives its own: a non-blocking connection opened on first use and again
/// after it broke, one command written and its reply parsed as it arrives.
final class RedisSession: SocketSession, PolledSession {
    let client: RedisClient
    let clientID: Int

    init(client: RedisClient, endpoint: ServiceEndpoint, clientID: Int) {
        self.client = client
        self.clientID = clientID
        super.init(
            host: endpoint.host ?? "127.0.0.1", port: endpoint.port ?? 6379,
            timeoutSeconds: client.settings["request_timeout"]?.doubleValue ?? 30)
    }

    func start(index: Int) -> RequestOutcome? {
        let (operation, arguments) = client.command(clientID: clientID, index: index)
        self.operation = operation
        return send(Self.encode(arguments))
    }

    func proceed() -> RequestOutcome? {
        guard let socket else { return nil }
        do {
            guard try socket.flush() else { return nil }
            try socket.receive()
            guard let reply = try RESPDecoder.parse(&socket.input) else { return nil }
            socket.input.discardReadBytes()
            switch reply {
            case .error(let message): return .failure("server error: \(message)", operationType: operation)
            case .bulk(let value):
                return RequestOutcome(success: true, operationType: operation, rowsAffected: value == nil ? 0 : 1)
            default: return RequestOutcome(success: true, operationType: operation, rowsAffected: 1)
            }
        } catch {
            return failed("\(error)")
        }
    }

    func abandon() -> RequestOutcome {
        failed("no reply from the Redis server within \(timeoutSeconds.formatted(.number)) s")
    }

    /// A command as RESP: an array of bulk strings.
    static func encode(_ arguments: [[UInt8]]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(arguments.reduce(16) { $0 + $1.count + 16 })
        bytes.append(UInt8(ascii: "*"))
        bytes.append(contentsOf: String(arguments.count).utf8)
        bytes.append(contentsOf: [13, 10])
        for argument in arguments {
            bytes.append(UInt8(ascii: "$"))
            bytes.append(contentsOf: String(argument.count).utf8)
            bytes.append(contentsOf: [13, 10])
            bytes.append(contentsOf: argument)
            bytes.append(contentsOf: [13, 10])
        }
        return bytes
    }
}
