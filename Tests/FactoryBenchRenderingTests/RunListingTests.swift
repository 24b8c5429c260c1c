import FactoryBenchCore
import Foundation
import TestSupport
import Testing

@testable import FactoryBenchRendering

/// The listing cache (`site/.runs.tsv`) gives back exactly the listings written to it,
/// whatever their strings hold, and drops what it cannot read rather than misreading it.
@Suite struct RunListingTests {
    static let hostile = ["tab\there", "line\nbreak", "cr\rhere", "back\\slash", "\\N", "\\", "", "µs – ✓", "a\\tb"]

    func listings() -> [RunListing.Cache.Entry] {
        var entries: [RunListing.Cache.Entry] = []
        for (number, text) in Self.hostile.enumerated() {
            let metrics = RunListing.Metrics(
                totalRequests: number * 1000, requestsPerSecond: 1.0 / 3.0 + Double(number), successRate: 99.5,
                latencyP50Seconds: number % 2 == 0 ? 0.000_123_456_789 : nil, latencyP95Seconds: 1e-7,
                latencyP99Seconds: .pi, hasLLMMetrics: number % 3 == 0, ttftP95Seconds: number % 3 == 0 ? 0.25 : nil)
            entries.append(
                RunListing.Cache.Entry(
                    files: "run.json 12 1700000000.1\nsummary.json \(text)", page: number % 4 == 1 ? nil : "inputs\n\(text)\n",
                    listing: RunListing(
                        id: "run-\(number)", benchmarkID: text, startedAt: "2026-11-29T00:00:0\(number).000Z",
                        recipeName: text, serviceType: "sqlite", numClients: number, status: .completed,
                        sweepID: number % 2 == 0 ? text : nil,
                        sweepPoint: number % 2 == 0 ? [text: .string(text), "rate": .int(number), "x": .double(0.1)] : nil,
                        metrics: number == 4 ? nil : metrics)))
        }
        return entries
    }

    @Test func listingsComeBackAsWritten() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("site/.runs.tsv").path
        let written = listings()
        try RunListing.Cache.write(written.reversed(), to: path)
        let read = RunListing.Cache.read(from: path)
        #expect(read.count == written.count)
        for entry in written {
            #expect(read[entry.listing.id]?.listing == entry.listing)
            #expect(read[entry.listing.id]?.files == entry.files)
            #expect(read[entry.listing.id]?.page == entry.page)
        }
        // One line per run, ordered by id, after the header.
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == written.count + 1)
        #expect(lines.first.map(String.init) == RunListing.Cache.header)
        #expect(lines.dropFirst().map { String($0.prefix(5)) } == written.map(\.listing.id).sorted())
    }

    @Test func unreadableLinesAndOtherVersionsAreLeftOut() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path(".runs.tsv").path
        try RunListing.Cache.write(listings(), to: path)
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[1] = lines[1].replacingOccurrences(of: "\tcompleted\t", with: "\tfinished\t")  // unknown status
        lines[2] = String(lines[2].dropLast(4))  // fields missing
        lines[3] = lines[3].replacingOccurrences(of: "\tsqlite\t2\t", with: "\tsqlite\ttwo\t")  // not a number
        try directory.write(".runs.tsv", lines.joined(separator: "\n") + "\n")
        let read = RunListing.Cache.read(from: path)
        #expect(read.count == listings().count - 3)
        #expect(read["run-0"] == nil && read["run-1"] == nil && read["run-2"] == nil && read["run-3"] != nil)

        try directory.write(".runs.tsv", "factorybench-runs 1\t0.0.0\t\n" + lines.dropFirst().joined(separator: "\n"))
        #expect(RunListing.Cache.read(from: path).isEmpty)
        #expect(RunListing.Cache.read(from: directory.path("missing.tsv").path).isEmpty)
    }
}
