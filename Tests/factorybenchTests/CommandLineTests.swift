import Foundation
import TestSupport
import Testing

/// The `factorybench` executable as a user runs it: exit codes, one-line errors, nothing
/// written on bad input.
@Suite struct CommandLineTests {
    let validRecipe = "service: {type: sqlite}\nclient: {type: sqlite_stress, settings: {num_requests: 5}}\n"

    func expectInvalidInput(
        _ recipe: String?, mentions expected: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let directory = try TemporaryDirectory()
        if let recipe { try directory.write("recipe.yaml", recipe) }
        let result = try CommandRunner.run(["run", "recipe.yaml"], in: directory.url)
        #expect(result.exitCode == 2, "exit code; stderr: \(result.stderr)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one line: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(lines.first?.hasPrefix("error: ") == true, sourceLocation: sourceLocation)
        for text in expected {
            #expect(result.stderr.contains(text), "'\(text)' in: \(result.stderr)", sourceLocation: sourceLocation)
        }
        #expect(directory.files() == (recipe == nil ? [] : ["recipe.yaml"]), "nothing written", sourceLocation: sourceLocation)
    }

    @Test func missingRecipeFile() throws {
        try expectInvalidInput(nil, mentions: ["recipe.yaml", "does not exist"])
    }

    @Test func yamlSyntaxError() throws {
        try expectInvalidInput(
            "service:\n  type: sqlite\n  settings: {a: [1, 2}\n", mentions: ["recipe.yaml:3:", "YAML syntax error"])
    }

    @Test func unknownServiceType() throws {
        try expectInvalidInput(
            validRecipe.replacingOccurrences(of: "type: sqlite}", with: "type: mongodb}"),
            mentions: ["recipe.yaml:1:17:", "unknown service type 'mongodb'"])
    }

    @Test func unknownKey() throws {
        try expectInvalidInput(
            validRecipe + "benchmark: {num_clients: 2}\n",
            mentions: ["recipe.yaml:3:1:", "unknown key 'benchmark'", "did you mean 'benchmarks'"])
    }

    @Test func embeddedSQLiteCannotRunOnASlurmTarget() throws {
        try expectInvalidInput(
            "configuration: {target: meluxina}\nservice: {type: sqlite}\nclient: {type: sqlite_stress}\n",
            mentions: ["recipe.yaml:2:11:", "the Slurm executor cannot deploy a sqlite service", "configuration.target: local"])
    }

    /// A sweep whose later point the target refuses is refused before its first point runs
    /// (it used to run the earlier points first).
    @Test func aSweepPointTheTargetRefusesStopsTheSweepBeforeAnythingRuns() throws {
        try expectInvalidInput(
            "service: {type: sqlite}\nclient: {type: sqlite_stress}\nsweep: {configuration.target: [local, meluxina]}\n",
            mentions: ["the Slurm executor cannot deploy a sqlite service"])
    }

    /// An unreadable prompts file on a cluster target is found before a results directory
    /// exists (it used to leave an empty one behind).
    @Test func anUnreadablePromptsFileOnAClusterTargetWritesNothing() throws {
        try expectInvalidInput(
            "configuration: {target: meluxina}\nservice: {type: vllm, command: \"serve $PORT\"}\n"
                + "client: {type: vllm_stress, settings: {prompt_source: file, prompts_file: missing.jsonl}}\n",
            mentions: ["recipe.yaml:3:", "client.settings.prompts_file", "cannot read"])
    }

    /// `validate` makes the same target check as `run`: what `run` refuses, `validate` does too.
    @Test func validateRefusesWhatRunRefuses() throws {
        let directory = try TemporaryDirectory()
        try directory.write("recipe.yaml", "service: {type: vllm}\nclient: {type: vllm_smoke}\n")
        let result = try CommandRunner.run(["validate", "recipe.yaml"], in: directory.url)
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("recipe.yaml:1:11: a local vllm service needs service.command"), "\(result.stderr)")
        let plan = try CommandRunner.run(["plan", "recipe.yaml"], in: directory.url)
        #expect(plan.exitCode == 2)
    }

    @Test func aMissingTemplatesDirectoryIsInvalidInput() throws {
        let directory = try TemporaryDirectory()
        try directory.write("recipe.yaml", validRecipe)
        let result = try CommandRunner.run(["run", "recipe.yaml", "--templates", "nowhere"], in: directory.url)
        #expect(result.exitCode == 2, "\(result.stderr)")
        #expect(directory.files() == ["recipe.yaml"])
    }

    @Test func aLocalLLMServiceNeedsTheCommandThatStartsIt() throws {
        try expectInvalidInput(
            "service: {type: vllm}\nclient: {type: vllm_smoke}\n",
            mentions: ["recipe.yaml:1:11:", "a local vllm service needs service.command"])
    }

    @Test func versionUsageAndUnknownRun() throws {
        let directory = try TemporaryDirectory()
        let version = try CommandRunner.run(["--version"], in: directory.url)
        #expect(version.exitCode == 0)
        #expect(version.stdout.hasPrefix("factorybench 0."))
        let usage = try CommandRunner.run(["run", "--no-such-flag", "x.yaml"], in: directory.url)
        #expect(usage.exitCode == 2)
        #expect(usage.stderr.contains("Usage"))
        let report = try CommandRunner.run(["report", "no-such-run"], in: directory.url)
        #expect(report.exitCode == 2)
        #expect(report.stderr.contains("no run 'no-such-run'"))
        #expect(directory.files().isEmpty)
    }

    @Test func runPrintsWhereTheResultsAre() throws {
        let directory = try TemporaryDirectory()
        try directory.write("quick.yaml", validRecipe)
        let result = try CommandRunner.run(["run", "quick.yaml"], in: directory.url)
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        let id = try #require(result.stdout.split(separator: "\n").first?.split(separator: " ").last.map(String.init))
        #expect(id.hasPrefix("quick-"))
        #expect(result.stdout.contains("[1/6] deploy"))
        #expect(result.stdout.contains("Results: results/\(id)/"))
        #expect(result.stdout.contains("Site:    site/runs/\(id)/index.html"))
        #expect(FileManager.default.fileExists(atPath: directory.path("site/runs/\(id)/index.html").path))
        let legacy = try CommandRunner.run(["quick.yaml"], in: directory.url)
        #expect(legacy.exitCode == 0, "the old framework's `factorybench RECIPE.yaml`")
        #expect(legacy.stdout.contains("[6/6] site"))
        // The cluster-run commands refuse a local run, naming what they follow; the old
        // `--watch` form shows a run that has ended, as the old framework did.
        let watched = try CommandRunner.run(["--watch", id], in: directory.url)
        #expect(watched.exitCode == 0, "\(watched.stderr)")
        #expect(watched.stdout.contains("Run \(id) has already ended: completed."))
        #expect(watched.stdout.contains("Total requests: 5, success rate: "))
        for command in [["watch", id], ["collect", id], ["cancel", id], ["logs", id]] {
            let refused = try CommandRunner.run(command, in: directory.url)
            #expect(refused.exitCode == 2 && refused.stderr.contains("is not a run on a Slurm cluster"), "\(command)")
        }
        let list = try CommandRunner.run(["--list"], in: directory.url)
        #expect(list.exitCode == 0)
        #expect(list.stdout.split(separator: "\n").count == 2)
        #expect(list.stdout.contains("\(id)  completed  5 requests"))
        // A second `site` with nothing changed renders no run page again; --clean renders both.
        let site = try CommandRunner.run(["site"], in: directory.url)
        #expect(site.exitCode == 0)
        #expect(site.stdout.contains("(2 run pages, "), "\(site.stdout)")
        let again = try CommandRunner.run(["site"], in: directory.url)
        #expect(again.stdout.contains("(2 run pages, 0 rendered)"), "\(again.stdout)")
        let clean = try CommandRunner.run(["site", "--clean"], in: directory.url)
        #expect(clean.stdout.contains("(2 run pages, 2 rendered)"), "\(clean.stdout)")
    }

    /// The old framework's `--rerun ID` runs again what a run ran, from its run.json (a
    /// sweep point: that point), and `--stop ID` is `cancel`.
    @Test func rerunRunsTheStoredRecipeAgainAndStopIsCancel() async throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "points.yaml",
            "service: {type: sqlite}\nclient: {type: sqlite_stress, settings: {num_requests: 3}}\n"
                + "sweep: {benchmarks.num_clients: [1, 2]}\n")
        #expect(try await CommandRunner.run(["run", "points.yaml"], in: directory.url).exitCode == 0)
        let runs = try FileManager.default.contentsOfDirectory(atPath: directory.path("results").path).sorted()
        let second = try #require(
            try runs.first { try SlurmCluster.manifest($0, in: directory).sweepPoint?["benchmarks.num_clients"] == .int(2) })
        // The recipe file changes afterwards: the rerun runs what the run ran.
        try directory.write("points.yaml", "service: {type: sqlite}\nclient: {type: nothing}\n")
        let rerun = try await CommandRunner.run(["--rerun", second], in: directory.url)
        #expect(rerun.exitCode == 0, "\(rerun.stderr)")
        let after = try FileManager.default.contentsOfDirectory(atPath: directory.path("results").path)
        let new = try #require(Set(after).subtracting(runs).first)
        #expect(after.count == runs.count + 1, "one point, not the whole sweep again")
        let manifest = try SlurmCluster.manifest(new, in: directory)
        #expect(manifest.numClients == 2 && manifest.recipeName == "points" && manifest.status == .completed)
        #expect(try await CommandRunner.run(["run", "--rerun", "no-such-run"], in: directory.url).exitCode == 2)
        let both = try await CommandRunner.run(["run", "points.yaml", "--rerun", second], in: directory.url)
        #expect(both.exitCode == 2 && both.stderr.contains("not both"), "\(both.stderr)")
        let stop = try await CommandRunner.run(["--stop", second], in: directory.url)
        #expect(stop.exitCode == 2 && stop.stderr.contains("is not a run on a Slurm cluster"), "\(stop.stderr)")
    }

    /// `sweep-report` (the old `--sweep-report IDS`) analyses runs that exist: an open-loop
    /// rate sweep on the embedded SQLite.
    @Test func sweepReportFindsSaturationKneeAndSLOLimitOverExistingRuns() async throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "rates.yaml",
            "service: {type: sqlite}\nclient: {type: sqlite_stress}\n"
                + "load: {mode: open, rate: 50, duration: 1s}\nsweep: {load.rate: [50, 100, 200, 400]}\n")
        let sweep = try await CommandRunner.run(["run", "rates.yaml"], in: directory.url)
        #expect(sweep.exitCode == 0, "\(sweep.stderr)")
        let runs = try FileManager.default.contentsOfDirectory(atPath: directory.path("results").path).sorted()
        #expect(runs.count == 4)
        let sweepID = try #require(try SlurmCluster.manifest(runs[0], in: directory).sweepID)
        let report = try await CommandRunner.run(["--sweep-report"] + runs + ["--slo", "10"], in: directory.url)
        #expect(report.exitCode == 0, "\(report.stderr)")
        #expect(report.stdout.contains("# Sweep \(sweepID)") && report.stdout.contains("- **Saturation:**"))
        let json =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: directory.path("results/sweeps/\(sweepID)/sweep.json"))) as? [String: Any]
        let points = try #require(json?["points"] as? [[String: Any]])
        // By offered load: 50 to 400 req/s, the embedded database keeps up with every one.
        #expect(points.compactMap { $0["offered_rate"] as? Double } == [50, 100, 200, 400])
        let saturation = try #require(json?["saturation"] as? [String: Any])
        #expect((saturation["throughput"] as? Double ?? 0) > 300, "\(saturation)")
        let limit = try #require(json?["slo_limit"] as? [String: Any])
        #expect(limit["load"] as? Double == 400, "every point meets a 10 s p99")
        #expect(FileManager.default.fileExists(atPath: directory.path("results/sweeps/\(sweepID)/sweep.md").path))
        let missing = try await CommandRunner.run(["sweep-report", "no-such-run"], in: directory.url)
        #expect(missing.exitCode == 2, "\(missing.stderr)")
    }

    /// `sweep: auto` against a server of known capacity: one request at a time, 100 ms each,
    /// so at most 10 req/s (a service time long against what a loaded machine adds to each
    /// request: with 20 ms, the full suite's load cut the real ceiling by a sixth). The sweep
    /// finds that ceiling and a knee below it.
    @Test func anAutomaticSweepFindsTheCapacityOfAServerThatServesOneRequestAtATime() async throws {
        let directory = try TemporaryDirectory()
        let server = Fixtures.url("servers/capacity_server.py").path
        try directory.write(
            "capacity.yaml",
            """
            service: {type: http, command: "python3 \(server) $PORT 100"}
            client: {type: http_stress}
            load: {concurrency: 4, duration: 3s}
            slo: {p99_latency_ms: 200}
            sweep: {auto: {points: 3}}
            """)
        let result = try await CommandRunner.run(["run", "capacity.yaml"], in: directory.url)
        #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("Automatic sweep capacity-sweep-"))
        let sweeps = try FileManager.default.contentsOfDirectory(atPath: directory.path("results/sweeps").path)
        let sweepID = try #require(sweeps.first)
        let json =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: directory.path("results/sweeps/\(sweepID)/sweep.json"))) as? [String: Any]
        let points = try #require(json?["points"] as? [[String: Any]])
        #expect(
            points.count == 5 || result.stdout.contains("Stopping:"),
            "synchronous, maximum and three rates: \(points.count)")
        let saturation = try #require(json?["saturation"] as? [String: Any])
        let ceiling = try #require(saturation["throughput"] as? Double)
        #expect(abs(ceiling - 10) / 10 < 0.15, "saturation \(ceiling) req/s against a ceiling of 10")
        let knee = try #require(json?["knee"] as? [String: Any])
        #expect((knee["load"] as? Double ?? .infinity) < ceiling, "\(knee)")
        // The sweep's page: what the analysis found, its plots first with the saturation and
        // the knee ringed, and every point a run of the sweep.
        let page = try String(contentsOf: directory.path("site/sweeps/\(sweepID)/index.html"), encoding: .utf8)
        #expect(page.contains("\(points.count) points"), "\(page.prefix(400))")
        // The objective holds at one request in flight (100 ms), not with four queued (400 ms).
        let limit = try #require(json?["slo_limit"] as? [String: Any])
        #expect((limit["headroom_percent"] as? Double ?? 0) > 0, "\(limit)")
        #expect(page.contains("<figcaption>Goodput by offered load</figcaption>") && page.contains("SLO limit: "))
        #expect(page.contains("<strong>Saturation:</strong>") && page.contains("<strong>Knee:</strong>"))
        for caption in ["Achieved by offered load", "Latency by achieved throughput", "Errors by offered load"] {
            #expect(page.contains("<figcaption>\(caption)</figcaption>"), "\(caption)")
        }
        #expect(page.contains("saturation: ") && page.contains("knee: p99 "), "the rings' labels")
        let runs = try FileManager.default.contentsOfDirectory(atPath: directory.path("results").path).filter { $0 != "sweeps" }
        for run in runs { #expect(page.contains("../../runs/\(run)/index.html"), "\(run) is linked") }
    }

    /// `--auto-sweep` on the embedded SQLite: the sweep runs, writes its analysis and its page.
    @Test func anAutomaticSweepOnTheEmbeddedSQLiteProducesItsPage() async throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "auto.yaml", "service: {type: sqlite}\nclient: {type: sqlite_stress}\nload: {concurrency: 2, duration: 1s}\n")
        let result = try await CommandRunner.run(["run", "auto.yaml", "--auto-sweep"], in: directory.url)
        #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("- **Saturation:**"))
        let sweepID = try #require(
            try FileManager.default.contentsOfDirectory(atPath: directory.path("results/sweeps").path).first)
        #expect(FileManager.default.fileExists(atPath: directory.path("results/sweeps/\(sweepID)/sweep.md").path))
        #expect(FileManager.default.fileExists(atPath: directory.path("site/sweeps/\(sweepID)/index.html").path))
        try directory.write(
            "bad.yaml", "service: {type: sqlite}\nclient: {type: sqlite_stress}\nsweep: {auto: {points: 0}}\n")
        let bad = try await CommandRunner.run(["validate", "bad.yaml"], in: directory.url)
        #expect(bad.exitCode == 2 && bad.stderr.contains("bad.yaml:3:"), "\(bad.stderr)")
        #expect(bad.stderr.contains("sweep.auto.points"), "\(bad.stderr)")
    }

    @Test func aFailedRunKeepsWhatItWroteAndSaysWhy() throws {
        let directory = try TemporaryDirectory()
        try directory.write("quick.yaml", validRecipe)
        // A TMPDIR that is a file: the SQLite service cannot create its scratch directory.
        let blocker = try directory.write("not-a-directory", "")
        let result = try CommandRunner.run(["run", "quick.yaml"], in: directory.url, environment: ["TMPDIR": blocker.path])
        #expect(result.exitCode == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("step 'deploy'"))
        #expect(result.stderr.contains("could not start the sqlite service"))
        let id = try #require(result.stdout.split(separator: "\n").first?.split(separator: " ").last.map(String.init))
        let manifest = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: directory.path("results/\(id)/run.json")))
                as? [String: Any])
        #expect(manifest["status"] as? String == "failed")
        #expect((manifest["status_reason"] as? String)?.contains("could not start the sqlite service") == true)
        let index = try String(contentsOf: directory.path("site/index.html"), encoding: .utf8)
        #expect(index.contains("runs/\(id)/index.html"))
        #expect(index.contains("failed"))
    }

    @Test func compareGatesOnRegressionsWithExitCodeThree() throws {
        let directory = try TemporaryDirectory()
        var ids: [String] = []
        for (manifest, requests) in [("run.json", "requests.jsonl"), ("run-slower.json", "requests-slower.jsonl")] {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url(manifest))) as? [String: Any])
            let id = try #require(object["benchmark_id"] as? String)
            ids.append(id)
            let run = directory.path("results/\(id)")
            try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: Fixtures.url(manifest), to: run.appendingPathComponent("run.json"))
            try FileManager.default.copyItem(at: Fixtures.url(requests), to: run.appendingPathComponent("requests.jsonl"))
        }
        let gated = try CommandRunner.run(["compare", ids[0], ids[1], "--fail-on-regression"], in: directory.url)
        #expect(gated.exitCode == 3, "stderr: \(gated.stderr)")
        #expect(gated.stdout.contains("latency p50"))
        #expect(gated.stdout.contains("regressed"))
        let plain = try CommandRunner.run(["compare", ids[0], ids[1]], in: directory.url)
        #expect(plain.exitCode == 0)
        let legacy = try CommandRunner.run(["--compare", ids[0], ids[1]], in: directory.url)
        #expect(legacy.exitCode == 1, "the old framework's --compare form: a regression is its FAIL, exit 1")
        #expect(legacy.stdout.contains("RESULT: FAIL - REGRESSIONS DETECTED"))
        let legacyGated = try CommandRunner.run(["--compare", ids[0], ids[1], "--fail-on-regression"], in: directory.url)
        #expect(legacyGated.exitCode == 3, "an explicit --fail-on-regression keeps its own code")
        let legacyPass = try CommandRunner.run(["--compare", ids[1], ids[0]], in: directory.url)
        #expect(legacyPass.exitCode == 0)
        #expect(legacyPass.stdout.contains("RESULT: PASS - NO SIGNIFICANT REGRESSIONS"))
        let reversed = try CommandRunner.run(["compare", ids[1], ids[0], "--fail-on-regression"], in: directory.url)
        #expect(reversed.exitCode == 0, "faster is an improvement, not a regression")
        #expect(reversed.stdout.contains("improved"))
        let missing = try CommandRunner.run(["compare", ids[0], "nope"], in: directory.url)
        #expect(missing.exitCode == 2)
        let badFlag = try CommandRunner.run(["compare", ids[0], ids[1], "--alpha", "2"], in: directory.url)
        #expect(badFlag.exitCode == 2)
        #expect(FileManager.default.fileExists(atPath: directory.path("site/compare/\(ids[0])-vs-\(ids[1])/index.html").path))
    }

    @Test func validatePlanSetAndSweeps() throws {
        let directory = try TemporaryDirectory()
        let examples = Fixtures.repositoryRoot.appendingPathComponent("examples")
        let files = try FileManager.default.contentsOfDirectory(atPath: examples.path).filter { $0.hasSuffix(".yaml") }
            .map { examples.appendingPathComponent($0).path }
        let valid = try CommandRunner.run(["validate"] + files, in: directory.url)
        #expect(valid.exitCode == 0, "\(valid.stderr)")
        try directory.write("bad.yaml", "service:\n  type: sqlite\n  prot: 1\nclient:\n  type: sqlite_stress\n")
        let invalid = try CommandRunner.run(["validate", files[0], "bad.yaml"], in: directory.url)
        #expect(invalid.exitCode == 2)
        #expect(invalid.stderr.contains("bad.yaml:3:3: unknown key 'prot' in service (did you mean 'port'?)"))

        let plan = try CommandRunner.run(
            ["plan", examples.appendingPathComponent("quickstart.yaml").path, "--set", "benchmarks.num_clients=7"],
            in: directory.url)
        #expect(plan.exitCode == 0)
        #expect(plan.stdout.contains("  num_clients: 7\n"))
        #expect(plan.stdout.contains("7 sqlite_stress clients, 20000 requests each, closed loop"))
        let local = try CommandRunner.run(
            ["plan", examples.appendingPathComponent("postgres_stress.yaml").path, "--target", "local"], in: directory.url)
        #expect(local.stdout.contains("  target: local\n"))
        #expect(local.stdout.contains("# local: postgres started on 127.0.0.1; 4 postgres_stress clients, 15000 requests each"))
        let badSet = try CommandRunner.run(
            ["plan", examples.appendingPathComponent("quickstart.yaml").path, "--set", "benchmarks.num_clients=0"],
            in: directory.url)
        #expect(badSet.exitCode == 2)
        #expect(badSet.stderr.contains("(--set): invalid value for 'benchmarks.num_clients'"))

        let sweep = try CommandRunner.run(
            ["run", examples.appendingPathComponent("sqlite_sweep.yaml").path, "--set", "client.settings.num_requests=30"],
            in: directory.url)
        #expect(sweep.exitCode == 0, "\(sweep.stderr)")
        #expect(sweep.stdout.contains("Point 3/3: benchmarks.num_clients=4"))
        let runs = try FileManager.default.contentsOfDirectory(atPath: directory.path("results").path)
        #expect(runs.count == 3)
        var sweepIDs = Set<String>()
        var clients: [Int] = []
        for run in runs {
            let manifest = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: directory.path("results/\(run)/run.json")))
                    as? [String: Any])
            sweepIDs.insert(try #require(manifest["sweep_id"] as? String))
            clients.append(try #require(manifest["num_clients"] as? Int))
            let summary = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: directory.path("results/\(run)/summary.json")))
                    as? [String: Any])
            #expect(summary["total_requests"] as? Int == 30 * (manifest["num_clients"] as? Int ?? 0))
        }
        #expect(sweepIDs.count == 1)
        #expect(sweepIDs.first?.hasPrefix("sqlite_sweep-sweep-") == true)
        #expect(clients.sorted() == [1, 2, 4])
        // The sweep's page: a row per point with the swept value, plots against it, linked
        // from the index.
        let sweepID = try #require(sweepIDs.first)
        let sweepPage = try String(contentsOf: directory.path("site/sweeps/\(sweepID)/index.html"), encoding: .utf8)
        #expect(sweepPage.contains("<th>benchmarks.num_clients</th>"))
        for run in runs { #expect(sweepPage.contains("href=\"../../runs/\(run)/index.html\"")) }
        #expect(sweepPage.contains(">Throughput by benchmarks.num_clients</title>"))
        #expect(sweepPage.contains(">Latency by benchmarks.num_clients</title>"))
        let index = try String(contentsOf: directory.path("site/index.html"), encoding: .utf8)
        #expect(index.contains("href=\"sweeps/\(sweepID)/index.html\""))
        #expect(try LinkChecker.problems(in: directory.path("site")) == [])

        let cluster = try CommandRunner.run(
            ["run", examples.appendingPathComponent("postgres_stress.yaml").path], in: directory.url)
        // A cluster alias ssh cannot reach: the run fails at deploy and says how to check it.
        #expect(cluster.exitCode == 1)
        #expect(cluster.stderr.contains("ssh could not connect: check the alias with `ssh meluxina true`"), "\(cluster.stderr)")
    }
}

/// Results directories the old framework made (its run.json, merged records and summary),
/// and one holding only its per-client request files, work with report, compare, list and
/// site, and none of their files is rewritten.
@Suite struct OldResultsDirectoryTests {
    @Test func reportCompareListAndSiteReadThemAndRewriteNothing() throws {
        let directory = try TemporaryDirectory()
        let results = directory.path("results")
        try FileManager.default.copyItem(at: Fixtures.url("old-framework/results"), to: results)
        func contents() throws -> [String: Data] {
            var files: [String: Data] = [:]
            for id in ["BM-20260108-001", "BM-20260108-002", "BM-20260108-003"] {
                for name in try FileManager.default.contentsOfDirectory(atPath: results.appendingPathComponent(id).path) {
                    files[id + "/" + name] = try Data(contentsOf: results.appendingPathComponent(id).appendingPathComponent(name))
                }
            }
            return files
        }
        let before = try contents()

        let list = try CommandRunner.run(["list"], in: directory.url)
        #expect(list.exitCode == 0, "\(list.stderr)")
        #expect(list.stdout.contains("BM-20260108-002  completed"), "\(list.stdout)")
        #expect(list.stdout.contains("BM-20260108-003  completed"))
        for id in ["BM-20260108-001", "BM-20260108-002", "BM-20260108-003"] {
            let report = try CommandRunner.run(["report", id], in: directory.url)
            #expect(report.exitCode == 0, "\(id): \(report.stderr)")
        }
        let summary = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: results.appendingPathComponent("BM-20260108-001/factorybench-summary.json")))
                as? [String: Any])
        #expect(summary["total_requests"] as? Int == 80, "every request of both clients, ids reused")
        #expect(summary["service_type"] as? String == "postgres")
        let onlyRecords = try String(
            contentsOf: directory.path("reports/BM-20260108-003/report.md"), encoding: .utf8)
        #expect(onlyRecords.contains("| 20 | 18 | 2 |"), "the per-client files of a directory without run.json")
        let compare = try CommandRunner.run(["compare", "BM-20260108-001", "BM-20260108-002"], in: directory.url)
        #expect(compare.exitCode == 0, "\(compare.stderr)")
        #expect(compare.stdout.contains("latency p50") && compare.stdout.contains("regressed"))
        let site = try CommandRunner.run(["site"], in: directory.url)
        #expect(site.exitCode == 0, "\(site.stderr)")
        let index = try String(contentsOf: directory.path("site/index.html"), encoding: .utf8)
        for id in ["BM-20260108-001", "BM-20260108-002", "BM-20260108-003"] {
            #expect(index.contains("runs/\(id)/index.html"), "\(id)")
        }
        #expect(try LinkChecker.problems(in: directory.path("site")) == [])
        // Only files were added: none of the old ones changed.
        let after = try contents()
        for (name, data) in before { #expect(after[name] == data, "\(name) was rewritten") }
        #expect(
            Set(after.keys).subtracting(before.keys) == [
                "BM-20260108-001/factorybench-summary.json", "BM-20260108-002/factorybench-summary.json",
                "BM-20260108-003/summary.json",
            ])
    }
}
