import FactoryBenchCore
import Foundation
import TestSupport
import Testing

/// Runs on a real Slurm cluster through `factorybench run` with an ssh alias as target: the
/// cluster CI starts on this machine (munge, slurmctld, three `slurmd -N` nodes, sshd on
/// 127.0.0.1, the alias `fbcluster` for the user `fbtest`; `Tests/Fixtures/slurm/cluster.sh`).
/// `apptainer` there is a STAND-IN that runs the image's command natively.
@Suite(.enabled(if: SlurmCluster.installed, "Slurm is not installed (.ci/run installs and starts it)"))
struct SlurmRunTests {
    @Test func postgresStressRunsAsSlurmJobsAndLandsOnTheSite() async throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "slurm_postgres.yaml",
            """
            configuration: {target: \(SlurmCluster.alias)}
            service: {type: postgres, time_limit: "00:10:00", ready_timeout: 60s, settings: {tuning: {shared_buffers: 64MB}}}
            client: {type: postgres_stress, time_limit: "00:10:00", settings: {num_inserts: 60, num_selects: 40, warmup_delay: 0}}
            benchmarks: {num_clients: 2}
            """)
        let result = try await CommandRunner.run(["run", "slurm_postgres.yaml"], in: directory.url)
        #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
        let run = try SlurmCluster.onlyRun(in: directory)
        let manifest = try SlurmCluster.manifest(run, in: directory)
        #expect(manifest.executor == "slurm" && manifest.status == .completed)
        #expect(manifest.service?.version?.hasPrefix("PostgreSQL") == true)
        let jobs = try #require(manifest.jobs)
        // One job for the service, one for both clients.
        #expect(jobs.map(\.role) == ["service", "clients"])
        let serviceNode = try #require(jobs[0].node)
        #expect(jobs[0].stateWord == "CANCELLED", "the run cancels its service job at the end")
        #expect(jobs[1].state == "COMPLETED" && jobs[1].exitCode == "0:0", "\(jobs[1])")
        #expect(jobs[1].node != nil && jobs[1].node != serviceNode, "clients run on other nodes than the service")
        for client in manifest.clients {
            #expect(client.node != nil && client.node != serviceNode, "\(client)")
            let (ready, start, first) = (client.readyAt ?? 0, client.startAt ?? 0, client.firstRequest ?? 0)
            #expect(ready > 0 && start >= ready && first >= start, "ready, start, first request in order: \(client)")
        }
        let summary = try SlurmCluster.summary(run, in: directory)
        #expect(summary["total_requests"] as? Int == 200)
        #expect(summary["successful_requests"] as? Int == 200)
        // Each client process on its node said what it spent; the run adds them up.
        let generator = try #require(summary["load_generator"] as? [String: Any])
        #expect((generator["cpu_seconds"] as? Double ?? 0) > 0, "\(generator)")
        #expect((generator["cores"] as? Int ?? 0) >= 1, "\(generator)")
        #expect((generator["cpu_us_per_request"] as? Double ?? 0) > 0, "\(generator)")
        let results = directory.path("results/\(run)")
        for client in 0..<2 {
            let usage = try JSONDecoder().decode(
                ClientProcessUsage.self,
                from: Data(contentsOf: results.appendingPathComponent("clients/client-\(client).generator.json")))
            #expect(usage.clientID == client && usage.cpuSeconds > 0 && usage.runSeconds > 0, "\(usage)")
        }
        for file in ["clients/client-0.jsonl", "clients/client-1.jsonl", "slurm/service.sbatch", "slurm/recipe.yaml"] {
            #expect(FileManager.default.fileExists(atPath: results.appendingPathComponent(file).path), "\(file)")
        }
        let logs = try FileManager.default.contentsOfDirectory(atPath: results.appendingPathComponent("logs").path)
        #expect(logs.contains { $0.hasPrefix("service-") } && logs.filter { $0.hasPrefix("client-") }.count == 2)
        // The service job's sampler (`node sample`, beside the server in its job) and each
        // client's own wrote telemetry on the cluster; it came back with the records.
        for file in ["telemetry/service.jsonl", "telemetry/client-0.jsonl", "telemetry/client-1.jsonl", "telemetry.jsonl"] {
            #expect(FileManager.default.fileExists(atPath: results.appendingPathComponent(file).path), "\(file)")
        }
        let sampled = TelemetryFiles.read(results.appendingPathComponent("telemetry/service.jsonl"))
        #expect(sampled.contains { ($0.values["postgres_commits_total"] ?? 0) > 0 }, "the server's own statistics")
        #expect(sampled.contains { $0.values["service_cpu_percent"] != nil && ($0.values["service_rss_bytes"] ?? 0) > 0 })
        let telemetry = try #require(summary["telemetry"] as? [String: Any])
        let series = try #require(telemetry["series"] as? [String: Any])
        for name in ["service_cpu_percent", "clients_cpu_percent", "host_cpu_percent", "postgres_commits_per_s"] {
            #expect(series[name] != nil, "\(name) in \(series.keys.sorted())")
        }
        let index = try String(contentsOf: directory.path("site/index.html"), encoding: .utf8)
        #expect(index.contains(run))
        #expect(FileManager.default.fileExists(atPath: directory.path("site/runs/\(run)/index.html").path))
        #expect(try SlurmCluster.activeJobs(named: run).isEmpty, "nothing of the run is left in the queue")
    }

    /// `clients` clients of an HTTP service, three requests each, over three nodes.
    static func clientsOnThreeNodes(_ clients: Int) -> String {
        """
        configuration: {target: \(SlurmCluster.alias)}
        service: {type: http, command: "python3 -m http.server $PORT --bind 0.0.0.0", time_limit: "00:10:00"}
        client: {type: http_smoke, nodes: 3, time_limit: "00:10:00", settings: {num_requests: 3}}
        benchmarks: {num_clients: \(clients)}
        """
    }

    /// Many clients on several nodes are one job, and they start together: 24 clients over
    /// three nodes (the service has the fourth), their first requests within 50 ms.
    @Test func twentyFourClientsOnThreeNodesStartTogether() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("slurm_many.yaml", Self.clientsOnThreeNodes(24))
        let result = try await CommandRunner.run(["run", "slurm_many.yaml"], in: directory.url)
        #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
        let run = try SlurmCluster.onlyRun(in: directory)
        let manifest = try SlurmCluster.manifest(run, in: directory)
        #expect(manifest.jobs?.map(\.role) == ["service", "clients"], "one job for all clients")
        let serviceNode = try #require(manifest.jobs?.first?.node)
        let nodes = Dictionary(grouping: manifest.clients.compactMap(\.node)) { $0 }.mapValues(\.count)
        #expect(nodes.count == 3 && nodes.values.allSatisfy { $0 == 8 }, "8 clients on each of 3 nodes: \(nodes)")
        #expect(nodes[serviceNode] == nil, "no client on the service's node \(serviceNode)")
        let summary = try SlurmCluster.summary(run, in: directory)
        #expect(summary["total_requests"] as? Int == 72)
        let generator = try #require(summary["load_generator"] as? [String: Any])
        let skew = try #require(generator["start_skew_s"] as? Double, "\(generator)")
        #expect(skew < 0.05, "the clients' first requests spread over \(skew) s")
        // Everyone was given the same start, after the last client was ready.
        let starts = Set(manifest.clients.compactMap(\.startAt))
        let lastReady = try #require(manifest.clients.compactMap(\.readyAt).max())
        #expect(starts.count == 1 && (starts.first ?? 0) >= lastReady, "\(starts), last ready \(lastReady)")
        #expect(try String(contentsOf: directory.path("reports/\(run)/report.md"), encoding: .utf8).contains("client start skew"))
    }

    /// A busy cluster: a node the clients need is taken by another job when the run starts.
    /// The clients' job waits for it, and no client sends load before all of them run.
    @Test func onABusyClusterNoClientStartsBeforeAllCan() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("slurm_busy.yaml", Self.clientsOnThreeNodes(6))
        // Another user's job holds a whole node for 15 s: with the service on one of the other
        // three, the clients (three nodes) cannot all run until it ends.
        let blocker = try SlurmCluster.slurm(
            "sbatch --parsable --exclusive -w n4 -t 1 -J other-user -o /dev/null --wrap 'sleep 15'"
        ).trimmingCharacters(in: .whitespacesAndNewlines)
        let blockedAt = Date().timeIntervalSince1970
        defer { _ = try? SlurmCluster.slurm("scancel \(blocker)") }
        #expect(!blocker.isEmpty && blocker.allSatisfy(\.isNumber), "blocker job: \(blocker)")
        let result = try await CommandRunner.run(["run", "slurm_busy.yaml"], in: directory.url)
        #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
        let run = try SlurmCluster.onlyRun(in: directory)
        let manifest = try SlurmCluster.manifest(run, in: directory)
        let firstRequests = manifest.clients.compactMap(\.firstRequest)
        #expect(firstRequests.count == 6)
        // Nobody sent load while the node was taken; then everybody started at once.
        #expect((firstRequests.min() ?? 0) > blockedAt + 12, "a client started \((firstRequests.min() ?? 0) - blockedAt) s in")
        #expect((firstRequests.max() ?? 0) - (firstRequests.min() ?? 0) < 0.05, "\(firstRequests)")
        #expect(Set(manifest.clients.compactMap(\.node)).count == 3)
    }

    /// `target: local-slurm`: FactoryBench on the login node itself submits with sbatch here,
    /// without ssh; the remote directory is this user's ~/factorybench.
    @Test func localSlurmSubmitsWithSbatchOnThisMachine() async throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "slurm_here.yaml",
            """
            configuration: {target: local-slurm}
            service: {type: http, command: "python3 -m http.server $PORT --bind 0.0.0.0", time_limit: "00:10:00"}
            client: {type: http_smoke, settings: {num_requests: 7}}
            """)
        let result = try await CommandRunner.run(["run", "slurm_here.yaml"], in: directory.url)
        #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
        let run = try SlurmCluster.onlyRun(in: directory)
        defer {
            try? FileManager.default.removeItem(
                at: FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent("factorybench/\(run)"))
        }
        let manifest = try SlurmCluster.manifest(run, in: directory)
        #expect(manifest.executor == "slurm" && manifest.status == .completed)
        #expect(manifest.jobs?.first { $0.role == "clients" }?.state == "COMPLETED")
        #expect(try SlurmCluster.summary(run, in: directory)["successful_requests"] as? Int == 7)
    }

    @Test func aServiceThatNeverAnswersEndsTheRunWithTheReasonAndCancelsIt() async throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "slurm_silent.yaml",
            """
            configuration: {target: \(SlurmCluster.alias)}
            service: {type: http, command: "sleep 600", ready_timeout: 4s, time_limit: "00:10:00"}
            client: {type: http_smoke}
            """)
        let result = try await CommandRunner.run(["run", "slurm_silent.yaml"], in: directory.url)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("did not answer within 4 s"), "\(result.stderr)")
        let run = try SlurmCluster.onlyRun(in: directory)
        let manifest = try SlurmCluster.manifest(run, in: directory)
        #expect(manifest.status == .failed)
        #expect(manifest.statusReason?.contains("did not answer within 4 s") == true)
        #expect(manifest.jobs?.map(\.role) == ["service"])
        #expect(manifest.jobs?.first?.stateWord == "CANCELLED")
        #expect(try SlurmCluster.activeJobs(named: run).isEmpty)
    }

    @Test func aClientThatExitsNonZeroLeavesAPartialRunThatIsStillReported() async throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "slurm_failing.yaml",
            """
            configuration: {target: \(SlurmCluster.alias)}
            service: {type: http, command: "python3 -m http.server $PORT --bind 0.0.0.0", time_limit: "00:10:00"}
            client:
              type: http_stress
              settings: {num_requests: 50}
              command: >-
                if [ "$CLIENT_ID" = 1 ]; then echo "client 1 gives up" >&2; exit 3; fi;
                exec "$FACTORYBENCH" node client --recipe recipe.yaml --endpoint service.env
                --benchmark-id "$BENCHMARK_ID" --client-id "$CLIENT_ID" --output "$OUTPUT"
            benchmarks: {num_clients: 2}
            """)
        let result = try await CommandRunner.run(["run", "slurm_failing.yaml"], in: directory.url)
        #expect(result.exitCode == 1)
        let run = try SlurmCluster.onlyRun(in: directory)
        let manifest = try SlurmCluster.manifest(run, in: directory)
        #expect(manifest.status == .partial)
        #expect(manifest.statusReason?.contains("1 of 2 clients failed") == true, "\(manifest.statusReason ?? "")")
        #expect(manifest.clients.first { $0.clientID == 1 }?.error?.contains("FAILED (exit 3:0)") == true)
        #expect(manifest.clients.first { $0.clientID == 0 }?.error == nil)
        #expect(try SlurmCluster.summary(run, in: directory)["total_requests"] as? Int == 50)
        #expect(FileManager.default.fileExists(atPath: directory.path("reports/\(run)/report.md").path))
        let log = try String(
            contentsOf: directory.path("results/\(run)/logs/client-1.log"), encoding: .utf8)
        #expect(log.contains("client 1 gives up"))
    }

    @Test func aClientCancelledFromOutsideIsReportedAsCancelled() async throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "slurm_cancelled.yaml",
            """
            configuration: {target: \(SlurmCluster.alias)}
            service: {type: http, command: "python3 -m http.server $PORT --bind 0.0.0.0", time_limit: "00:10:00"}
            client: {type: http_stress}
            load: {mode: open, rate: 20, duration: 120s}
            """)
        let running = Task { try await CommandRunner.run(["run", "slurm_cancelled.yaml"], in: directory.url) }
        // Cancel the clients' job a few seconds after its clients started sending (past the
        // start barrier), as an operator would.
        let cancelled = try await SlurmCluster.onOwnThread {
            try SlurmCluster.waitUntilRunning(job: "fb-slurm_cancelled-", role: "-clients").map { (id: String) -> Void in
                usleep(4_000_000)
                _ = try SlurmCluster.slurm("scancel \(id)")
            } != nil
        }
        #expect(cancelled)
        let result = try await running.value
        try SlurmCluster.expectPartialRun(result, in: directory, clientEndedAs: "CANCELLED")
    }

    @Test func aTimeLimitEndsTheClientWithTimeout() async throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "slurm_timeout.yaml",
            """
            configuration: {target: \(SlurmCluster.alias)}
            service: {type: http, command: "python3 -m http.server $PORT --bind 0.0.0.0", time_limit: "00:10:00"}
            client: {type: http_stress, time_limit: "00:01:00"}
            load: {mode: open, rate: 20, duration: 10m}
            """)
        let result = try await CommandRunner.run(["run", "slurm_timeout.yaml"], in: directory.url)
        try SlurmCluster.expectPartialRun(result, in: directory, clientEndedAs: "TIMEOUT")
    }
}

/// The test cluster, reached as a user would: through the ssh alias.
enum SlurmCluster {
    static let alias = ProcessInfo.processInfo.environment["FACTORYBENCH_SLURM_TARGET"] ?? "fbcluster"
    static var installed: Bool { ChildProcess.resolve("sbatch") != nil }

    /// Runs a Slurm command here, as root (the cluster runs on this machine): what a test
    /// observes or does to the cluster does not go through sshd. Synchronous: call it from
    /// `onOwnThread`, or for a single short command.
    @discardableResult
    static func slurm(_ command: String) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("fb-slurm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        _ = try? ChildProcess.run(["bash", "-c", command], log: output)
        return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    }

    /// Jobs still in the queue whose name contains `name`: (id, name, state).
    static func activeJobs(named name: String) throws -> [(String, String, String)] {
        try slurm("squeue -h -o '%i|%j|%T'").split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "|").map(String.init)
            return fields.count == 3 && fields[1].contains(name) ? (fields[0], fields[1], fields[2]) : nil
        }
    }

    /// Polls until the job whose name contains `job` and ends with `role` has been RUNNING
    /// for three polls (half a second apart); its id, or nil after two minutes.
    static func waitUntilRunning(job: String, role: String) throws -> String? {
        var polls = 0
        for _ in 0..<240 {
            usleep(500_000)
            guard let found = try activeJobs(named: job).first(where: { $0.1.hasSuffix(role) && $0.2 == "RUNNING" })
            else { continue }
            polls += 1
            if polls >= 3 { return found.0 }
        }
        return nil
    }

    /// Runs `body` on a thread of its own: a test's waits and signals keep their timing even
    /// while synchronous tests hold every thread Swift concurrency shares.
    static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let result: Result<T, any Error> = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: Result { try body() }) }.start()
        }
        return try result.get()
    }

    /// The run's only client ended in `state`: the run is partial, says why, and what the
    /// client recorded before it ended is still aggregated.
    static func expectPartialRun(
        _ result: CommandRunner.Result, in directory: TemporaryDirectory, clientEndedAs state: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        #expect(result.exitCode == 1, sourceLocation: sourceLocation)
        let run = try onlyRun(in: directory)
        let manifest = try manifest(run, in: directory)
        #expect(manifest.status == .partial, sourceLocation: sourceLocation)
        let client = try #require(manifest.jobs?.first { $0.role == "clients" }, sourceLocation: sourceLocation)
        #expect(client.stateWord == state, "\(client)", sourceLocation: sourceLocation)
        #expect(manifest.clients.first?.error?.contains(state) == true, sourceLocation: sourceLocation)
        let total = try summary(run, in: directory)["total_requests"] as? Int ?? 0
        #expect(total > 0, sourceLocation: sourceLocation)
        // Slurm ended the client with SIGTERM, and the client wrote out its records first.
        let logs = directory.path("results/\(run)/logs")
        let log = try FileManager.default.contentsOfDirectory(atPath: logs.path).first { $0 == "client-0.log" }
        let text = try String(contentsOf: logs.appendingPathComponent(log ?? "missing"), encoding: .utf8)
        #expect(text.contains("stopped by SIGTERM; records so far kept"), "\(text)", sourceLocation: sourceLocation)
    }

    static func onlyRun(in directory: TemporaryDirectory) throws -> String {
        let runs = try FileManager.default.contentsOfDirectory(atPath: directory.path("results").path)
        return try #require(runs.count == 1 ? runs.first : nil)
    }

    static func manifest(_ run: String, in directory: TemporaryDirectory) throws -> RunManifest {
        try JSONDecoder().decode(RunManifest.self, from: Data(contentsOf: directory.path("results/\(run)/run.json")))
    }

    static func summary(_ run: String, in directory: TemporaryDirectory) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: directory.path("results/\(run)/summary.json")))
                as? [String: Any])
    }
}

/// Ctrl+C during a cluster run detaches; `logs`, `collect`, `watch` and `cancel` pick the
/// run up again from what it saved.
@Suite(.enabled(if: SlurmCluster.installed, "Slurm is not installed (.ci/run installs and starts it)"))
struct SlurmDetachTests {
    /// Starts `run` for `recipe`, presses Ctrl+C once the clients run, and returns the run id
    /// and what `run` printed.
    func detachedRun(_ name: String, recipe: String, in directory: TemporaryDirectory) async throws -> (String, String) {
        let path = try directory.write("\(name).yaml", recipe)
        let log = directory.path("\(name).log")
        let run = try ChildProcess.start(
            [try CommandRunner.executable().path, "run", path.path, "--workspace", directory.url.path], log: log)
        // Ctrl+C once the client job has run for a few seconds, as Slurm reports it, then
        // wait for `run` to end.
        let (sawRunning, status) = try await SlurmCluster.onOwnThread { () -> (Bool, Int32) in
            let running = try SlurmCluster.waitUntilRunning(job: "fb-\(name)-", role: "-clients") != nil
            kill(run.pid, SIGINT)
            return (running, run.wait())
        }
        #expect(sawRunning, "the client job never ran")
        #expect(status == 130, "run exits with 130 after Ctrl+C")
        let printed = try String(contentsOf: log, encoding: .utf8)
        let id = try SlurmCluster.onlyRun(in: directory)
        #expect(printed.contains("factorybench watch \(id)"), "\(printed)")
        let jobs = try #require(try SlurmCluster.manifest(id, in: directory).jobs)
        #expect(jobs.contains { $0.role == "clients" && !$0.isTerminal }, "the jobs keep running: \(jobs)")
        return (id, printed)
    }

    static func recipe(seconds: Int) -> String {
        """
        configuration: {target: \(SlurmCluster.alias)}
        service: {type: http, command: "python3 -m http.server $PORT --bind 0.0.0.0", time_limit: "00:10:00"}
        client: {type: http_stress}
        load: {mode: open, rate: 20, duration: \(seconds)s}
        """
    }

    @Test func aDetachedRunIsFollowedWithLogsCollectAndWatch() async throws {
        let directory = try TemporaryDirectory()
        // Long enough that `collect` below still finds the client running on a loaded
        // machine: with 60 s, one run of the whole suite saw the client finish first.
        let (id, _) = try await detachedRun("slurm_detach", recipe: Self.recipe(seconds: 120), in: directory)
        let workspace = ["--workspace", directory.url.path]

        let logs = try await CommandRunner.run(["logs", id, "-n", "5"] + workspace, in: directory.url)
        #expect(logs.exitCode == 0, "\(logs.stderr)")
        #expect(logs.stdout.contains("==> factorybench/\(id)/logs/service-"), "\(logs.stdout)")

        // A snapshot while the client still runs (past the start barrier and a flush of its
        // records): partial, with what it has written so far.
        try await Task.sleep(for: .seconds(3))
        let collected = try await CommandRunner.run(["collect", id] + workspace, in: directory.url)
        #expect(collected.exitCode == 1, "\(collected.stdout)\(collected.stderr)")
        #expect(try SlurmCluster.manifest(id, in: directory).statusReason?.contains("when its records were collected") == true)
        let early = try SlurmCluster.summary(id, in: directory)["total_requests"] as? Int ?? 0
        #expect(early > 0)

        // watch follows it to the end, as run would have.
        let watched = try await CommandRunner.run(["watch", id] + workspace, in: directory.url)
        #expect(watched.exitCode == 0, "\(watched.stdout)\(watched.stderr)")
        let manifest = try SlurmCluster.manifest(id, in: directory)
        #expect(manifest.status == .completed)
        #expect(manifest.jobs?.first { $0.role == "clients" }?.state == "COMPLETED")
        #expect(manifest.jobs?.first { $0.role == "service" }?.stateWord == "CANCELLED")
        // 120 s at 20 requests/s: every scheduled request once, none counted twice from the
        // snapshot's partial file.
        #expect(try SlurmCluster.summary(id, in: directory)["total_requests"] as? Int == 2400)
        #expect(try String(contentsOf: directory.path("site/index.html"), encoding: .utf8).contains(id))

        let again = try await CommandRunner.run(["watch", id] + workspace, in: directory.url)
        #expect(again.exitCode == 2 && again.stderr.contains("has already ended (completed)"), "\(again.stderr)")
    }

    @Test func cancelStopsEveryJobOfADetachedRun() async throws {
        let directory = try TemporaryDirectory()
        let (id, _) = try await detachedRun("slurm_detach_cancel", recipe: Self.recipe(seconds: 300), in: directory)
        let cancelled = try await CommandRunner.run(["cancel", id, "--workspace", directory.url.path], in: directory.url)
        #expect(cancelled.exitCode == 0, "\(cancelled.stderr)")
        #expect(cancelled.stdout.contains("clients: job"))
        let manifest = try SlurmCluster.manifest(id, in: directory)
        #expect(manifest.status == .failed && manifest.statusReason?.contains("factorybench cancel") == true)
        #expect(manifest.jobs?.allSatisfy { $0.stateWord == "CANCELLED" } == true, "\(manifest.jobs ?? [])")
        #expect(try SlurmCluster.activeJobs(named: id).isEmpty)
    }
}
