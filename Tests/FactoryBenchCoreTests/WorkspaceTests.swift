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

    @Test func atomicWritesLeaveNoTemporaryFiles() throws {
        let directory = try TemporaryDirectory()
        try AtomicFile.write("one", to: directory.path("a/b.txt"))
        try AtomicFile.write("two", to: directory.path("a/b.txt"))
        #expect(try String(contentsOf: directory.path("a/b.txt"), encoding: .utf8) == "two")
        #expect(directory.files() == ["a/b.txt"])
    }
}
