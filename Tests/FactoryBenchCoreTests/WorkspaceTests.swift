import FactoryBenchCore
import Foundation
import TestSupport
import Testing

@Suite struct WorkspaceTests {
    @Test func runIDsAreUniqueEvenWithinOneSecond() throws {
        let directory = try TemporaryDirectory()
        let workspace = Workspace(root: directory.url)
        let date = Date(timeIntervalSince1970: 1_795_912_737)
        let ids = try (0..<50).map { _ in try workspace.createRun(name: "quick start", at: date).id }
        #expect(Set(ids).count == 50)
        #expect(ids.allSatisfy { $0.hasPrefix("quick_start-20261129-003857-") })
    }

    /// One listing of runs for `list`, the previous-run lookup and the site: newest first,
    /// ties by benchmark id, and runs whose run.json does not read are named apart.
    @Test func runsAreListedNewestFirstAndUnreadableOnesApart() throws {
        let directory = try TemporaryDirectory()
        let workspace = Workspace(root: directory.url)
        for (id, started) in [("b", "2026-11-29T00:00:01Z"), ("a", "2026-11-29T00:00:02Z"), ("c", "2026-11-29T00:00:01Z")] {
            let manifest = RunManifest(
                benchmarkID: id, recipeName: "r", recipePath: "r.yaml", recipeVerbatim: "", recipeResolved: .map([:]),
                serviceType: "sqlite", clientType: "sqlite_stress", numClients: 1, target: "local", executor: "local",
                host: "test", toolVersion: "0", toolCommit: nil, workspaceCommit: nil, startedAt: started, finishedAt: nil,
                status: .completed, statusReason: nil, service: nil, clients: [], steps: [])
            try AtomicFile.writeJSON(manifest, to: workspace.results(id).manifest)
        }
        try AtomicFile.write("{", to: workspace.results("broken").manifest)
        try FileManager.default.createDirectory(at: workspace.results("no-run-json").url, withIntermediateDirectories: true)
        let (runs, unreadable) = workspace.runs()
        #expect(runs.map(\.id) == ["a", "c", "b"])
        #expect(unreadable == ["broken"])
    }

    @Test func atomicWritesLeaveNoTemporaryFiles() throws {
        let directory = try TemporaryDirectory()
        try AtomicFile.write("one", to: directory.path("a/b.txt"))
        try AtomicFile.write("two", to: directory.path("a/b.txt"))
        #expect(try String(contentsOf: directory.path("a/b.txt"), encoding: .utf8) == "two")
        #expect(directory.files() == ["a/b.txt"])
        try AtomicFile.write("deep", to: directory.path("c/d/e/f.txt"))
        #expect(try String(contentsOf: directory.path("c/d/e/f.txt"), encoding: .utf8) == "deep")
        // A file where a directory should be: the error names the path, nothing is left behind.
        #expect {
            try AtomicFile.write("x", to: directory.path("a/b.txt/c.txt"))
        } throws: { error in
            (error as? LocalizedError)?.errorDescription?.contains("a/b.txt") == true
        }
        #expect(directory.files() == ["a/b.txt", "c/d/e/f.txt"])
    }

    /// The commit is read from git's files; `git rev-parse` is the reference, through loose
    /// and packed refs, a detached HEAD and a linked worktree.
    @Test func gitCommitIsReadFromTheRepositoryFiles() async throws {
        let directory = try TemporaryDirectory()
        let repository = directory.path("repo")
        try FileManager.default.createDirectory(at: repository.appendingPathComponent("sub"), withIntermediateDirectories: true)
        func git(_ arguments: String...) async throws -> String {
            let result = try await ChildProcess.capture(
                ["git", "-C", repository.path, "-c", "user.name=t", "-c", "user.email=t@example.org"] + arguments)
            #expect(result.status == 0, "git \(arguments): \(result.errors)")
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(ToolInfo.gitCommit(in: repository.path) == nil)
        _ = try await git("init", "-q", "-b", "main")
        #expect(ToolInfo.gitCommit(in: repository.path) == nil)  // no commit yet
        _ = try await git("commit", "-q", "--allow-empty", "-m", "one")
        let first = try await git("rev-parse", "HEAD")
        #expect(ToolInfo.gitCommit(in: repository.appendingPathComponent("sub").path) == first)
        _ = try await git("pack-refs", "--all")
        #expect(!FileManager.default.fileExists(atPath: repository.appendingPathComponent(".git/refs/heads/main").path))
        #expect(ToolInfo.gitCommit(in: repository.path) == first)
        _ = try await git("commit", "-q", "--allow-empty", "-m", "two")
        let second = try await git("rev-parse", "HEAD")
        #expect(second != first)
        #expect(ToolInfo.gitCommit(in: repository.path) == second)
        _ = try await git("checkout", "-q", "--detach", first)
        #expect(ToolInfo.gitCommit(in: repository.path) == first)
        let worktree = directory.path("worktree")
        _ = try await git("worktree", "add", "-q", "-b", "other", worktree.path, second)
        #expect(ToolInfo.gitCommit(in: worktree.path) == second)
    }
}
