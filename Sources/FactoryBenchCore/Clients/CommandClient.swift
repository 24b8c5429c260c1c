import Foundation

/// The command client: the recipe's `client.command`, run in a shell once per request (by
/// default once per client), the old framework's clients without a type. Each run is one
/// record: its duration, success when it exits 0, its exit status and the end of what it
/// printed. The command finds the service in `SERVICE_URL` (`http://host:port`),
/// `SERVICE_HOST`/`SERVICE_HOSTNAME` and `SERVICE_PORT`, as the old framework set them.
public struct CommandClient: LoadClient {
    public let command: String
    public let settings: [String: SettingValue]
    public let plan: LoadPlan
    public let serviceName: String
    /// The service's type, which each record carries as every client's records do.
    public let serviceType: String
    /// `client.name`, numbered per client.
    public let clientName: @Sendable (Int) -> String

    public init(recipe: Recipe) {
        command = recipe.client.options["command"]?.stringValue ?? ""
        settings = recipe.client.settings
        plan = LoadPlan(load: recipe.load, defaultMeasured: LoadPlan.measuredWindow(settings: settings, fallback: 1))
        serviceName = recipe.service.name
        serviceType = recipe.service.type.rawValue
        clientName = { [recipe] in recipe.clientName($0) }
    }

    var timeoutSeconds: Double? { settings["timeout"]?.doubleValue }
    var outputBytes: Int { max(settings["output_bytes"]?.intValue ?? 4096, 0) }

    public func prepare(endpoint: ServiceEndpoint) async throws {}

    public func run(clientID: Int, endpoint: ServiceEndpoint, context: ClientContext) async throws {
        let host = endpoint.host ?? "127.0.0.1"
        var environment = [
            "SERVICE_NAME": serviceName, "CLIENT_ID": "\(clientID)", "CLIENT_NAME": clientName(clientID),
        ]
        if let port = endpoint.port {
            environment["SERVICE_HOST"] = host
            environment["SERVICE_HOSTNAME"] = host
            environment["SERVICE_PORT"] = "\(port)"
            environment["SERVICE_URL"] = "http://\(host):\(port)"
        }
        let session = CommandSession(
            command: command, environment: environment, timeoutSeconds: timeoutSeconds, outputBytes: outputBytes)
        try await LoadEngine(plan: plan, serviceType: serviceType).run(clientID: clientID, context: context) { _ in session }
    }
}

/// One slot of the command client: each request is one run of the command.
struct CommandSession: RequestSession {
    let command: String
    let environment: [String: String]
    let timeoutSeconds: Double?
    let outputBytes: Int

    func send(index: Int) async -> RequestOutcome {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("factorybench-command-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let child: ChildProcess
        do {
            var environment = environment
            environment["REQUEST_INDEX"] = "\(index)"
            child = try ChildProcess.start(["/bin/bash", "-c", command], log: output, environment: environment)
        } catch {
            return .failure((error as? LocalizedError)?.errorDescription ?? "\(error)", operationType: "command")
        }
        let (finished, timedOut) = (Flag(), Flag())
        let status: Int32 = await withCheckedContinuation { continuation in
            Thread {
                let status = child.wait()
                finished.set()
                continuation.resume(returning: status)
            }.start()
            if let timeoutSeconds {
                // Only the waiting thread reaps the command; this one only watches the clock.
                Thread {
                    let deadline = Date().addingTimeInterval(timeoutSeconds)
                    while Date() < deadline {
                        if finished.isSet { return }
                        usleep(10_000)
                    }
                    guard !finished.isSet else { return }
                    timedOut.set()
                    kill(-child.pid, SIGKILL)
                }.start()
            }
        }
        let printed = (try? Data(contentsOf: output)) ?? Data()
        var outcome = RequestOutcome(success: status == 0 && !timedOut.isSet, operationType: "command")
        outcome.exitCode = Int(status)
        outcome.output = String(decoding: printed.suffix(outputBytes), as: UTF8.self)
        if timedOut.isSet {
            outcome.error = "timed out after \(RecipePlan.scalar(.double(timeoutSeconds ?? 0))) s"
        } else if status != 0 {
            let last =
                String(decoding: printed.suffix(300), as: UTF8.self)
                .split(separator: "\n").last.map(String.init) ?? ""
            outcome.error = "exit status \(status)" + (last.isEmpty ? "" : ": \(last)")
        }
        return outcome
    }

    func close() async {}
}

/// A flag one thread sets and others read.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
