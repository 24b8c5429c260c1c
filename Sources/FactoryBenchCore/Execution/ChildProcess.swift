import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A process a service or an executor starts: its output goes to a log file, it leads its
/// own process group, and it is stopped by its PID (never by name) — SIGTERM to the group,
/// then SIGKILL when it does not end in time.
public struct ChildProcess: Sendable {
    public let pid: pid_t
    public let arguments: [String]

    /// Starts `arguments` (the first is looked up on `PATH` when it has no slash) with its
    /// standard output and error appended to `log`.
    public static func start(_ arguments: [String], log: URL, environment: [String: String] = [:]) throws -> ChildProcess {
        try start(arguments, input: nil, output: log, errors: nil, environment: environment)
    }

    /// `start` with standard input read from `input` (else `/dev/null`) and standard error
    /// appended to `errors` (else to `output`).
    static func start(
        _ arguments: [String], input: URL?, output: URL, errors: URL?, environment: [String: String]
    ) throws -> ChildProcess {
        guard let program = arguments.first else { throw ChildProcessError.notFound(program: "") }
        guard let executable = resolve(program) else { throw ChildProcessError.notFound(program: program) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input?.path ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if let errors {
            posix_spawn_file_actions_addopen(&actions, 2, errors.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        // Nothing else this process has open reaches the child: a pipe another thread is
        // reading would otherwise never see its end while the child (a server) lives.
        if let closeFrom = Self.closeFrom { _ = closeFrom(&actions, 3) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, and default signal handling: a child inherits blocked and
        // ignored signals, and a server that ignores SIGTERM cannot be stopped gently.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)

        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let argv = ([executable] + arguments.dropFirst()).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw ChildProcessError.cannotStart(program: program, reason: String(cString: strerror(status)))
        }
        return ChildProcess(pid: pid, arguments: arguments)
    }

    /// Runs `arguments` to the end and returns its exit status; fails when it exits non-zero,
    /// quoting the end of its log.
    @discardableResult
    public static func run(_ arguments: [String], log: URL, environment: [String: String] = [:]) throws -> Int32 {
        let child = try start(arguments, log: log, environment: environment)
        let status = child.wait()
        guard status == 0 else {
            throw ChildProcessError.failed(
                command: arguments.joined(separator: " "), status: status, logTail: tail(of: log))
        }
        return status
    }

    /// `run` for async code: the wait happens on a thread of its own, not on one of the
    /// few threads Swift concurrency shares.
    @discardableResult
    public static func run(_ arguments: [String], log: URL, environment: [String: String] = [:]) async throws -> Int32 {
        let result: Result<Int32, any Error> = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Result { try run(arguments, log: log, environment: environment) })
            }
            thread.start()
        }
        return try result.get()
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's
    /// Glibc module does not export; nil where the C library lacks it.
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        else { return nil }
        return unsafeBitCast(
            symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// What a finished command printed.
    public struct Captured: Sendable {
        public var status: Int32
        public var output: String
        public var errors: String

        public init(status: Int32, output: String, errors: String) {
            self.status = status
            self.output = output
            self.errors = errors
        }
    }

    /// Runs `arguments` to the end with `input` on its standard input and returns its exit
    /// status and what it printed; the wait happens on a thread of its own.
    public static func capture(_ arguments: [String], input: String = "") async throws -> Captured {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("factorybench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (inputFile, outputFile, errorFile) = (
            scratch.appendingPathComponent("in"), scratch.appendingPathComponent("out"),
            scratch.appendingPathComponent("err")
        )
        try Data(input.utf8).write(to: inputFile)
        let child = try start(arguments, input: inputFile, output: outputFile, errors: errorFile, environment: [:])
        let status = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: child.wait()) }.start()
        }
        func text(_ url: URL) -> String {
            (try? Data(contentsOf: url)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
        return Captured(status: status, output: text(outputFile), errors: text(errorFile))
    }

    /// Whether the process is still running (it may have ended and not been reaped).
    public var isRunning: Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// Waits for the process to end and returns its exit status (128 + signal when killed).
    public func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        return Self.exitStatus(status)
    }

    /// SIGTERM to the process group, SIGKILL after `grace` seconds; reaps the process.
    public func stop(grace: Double = 10) {
        kill(-pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        var status: Int32 = 0
        while Date() < deadline {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || (result < 0 && errno == ECHILD) {
                kill(-pid, SIGKILL)  // anything the leader left in its group
                return
            }
            usleep(20_000)
        }
        kill(-pid, SIGKILL)
        _ = wait()
    }

    static func exitStatus(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// The last lines of a log, for error messages.
    public static func tail(of log: URL, lines: Int = 8) -> String {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return "" }
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// The full path of a program: as given when it has a slash, else the first match on `PATH`.
    public static func resolve(_ program: String) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// Why a child process could not be started or failed.
public enum ChildProcessError: LocalizedError, Equatable {
    case notFound(program: String)
    case cannotStart(program: String, reason: String)
    case failed(command: String, status: Int32, logTail: String)

    public var errorDescription: String? {
        switch self {
        case .notFound(let program):
            return "'\(program)' was not found on PATH; install it or give its full path"
        case .cannotStart(let program, let reason):
            return "could not start '\(program)': \(reason)"
        case .failed(let command, let status, let logTail):
            return "`\(command)` exited with status \(status)" + (logTail.isEmpty ? "" : "; it printed:\n\(logTail)")
        }
    }
}
