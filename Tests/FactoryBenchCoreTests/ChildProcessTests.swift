import FactoryBenchCore
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// How services and remote commands are started.
@Suite struct ChildProcessTests {
    /// A pipe open in this process must not leak into a long-lived child: whoever reads the
    /// pipe would wait for its end as long as the child (a server) runs.
    @Test func aChildInheritsNoneOfThisProcesssOpenFiles() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer {
            close(fds[0])
            close(fds[1])
        }
        let pipeName = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fds[1])")
        let directory = try TemporaryDirectory()
        let child = try ChildProcess.start(["sleep", "30"], log: directory.path("log"))
        defer { child.stop(grace: 1) }
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(child.pid)/fd").map {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(child.pid)/fd/\($0)")) ?? ""
        }
        // (The child may still be loading its libraries, so it can have files of its own open.)
        #expect(!open.contains(pipeName), "\(open)")
    }

    @Test func captureReturnsStatusOutputAndErrorsSeparately() async throws {
        let result = try await ChildProcess.capture(
            ["bash", "-c", "read line; echo \"out:$line\"; echo err >&2; exit 4"], input: "hello\n")
        #expect(result.status == 4)
        #expect(result.output == "out:hello\n")
        #expect(result.errors == "err\n")
    }
}
