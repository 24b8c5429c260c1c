import Foundation
import Testing

@testable import FactoryBenchCore

/// /proc and nvidia-smi, on recorded text and on this process, live.
struct ProcFilesTests {
    @Test func aStatLineWhoseCommandHoldsSpacesAndParentheses() throws {
        let line =
            "4242 (python3 (server) x) S 4200 4242 4200 0 -1 4194560 1532 0 0 0 250 37 0 0 20 0 4 0 "
            + "123456 234567890 5120 18446744073709551615 1 1 0 0 0 0 0 16781312 2 0 0 0 17 1 0 0 0 0 0"
        let stat = try #require(ProcFiles.processStat(line))
        #expect(stat == ProcFiles.ProcessStat(pid: 4242, parent: 4200, cpuTicks: 287, residentPages: 5120))
        #expect(ProcFiles.processStat("4242 (cut short) S 1") == nil)
    }

    @Test func aProcessTreeIsTheRootAndEveryDescendant() {
        let stats = [
            ProcFiles.ProcessStat(pid: 1, parent: 0, cpuTicks: 5, residentPages: 1),
            ProcFiles.ProcessStat(pid: 10, parent: 1, cpuTicks: 100, residentPages: 10),
            ProcFiles.ProcessStat(pid: 11, parent: 10, cpuTicks: 20, residentPages: 2),
            ProcFiles.ProcessStat(pid: 12, parent: 11, cpuTicks: 3, residentPages: 3),
            ProcFiles.ProcessStat(pid: 20, parent: 1, cpuTicks: 7, residentPages: 4),
        ]
        #expect(Set(ProcFiles.tree(of: 10, in: stats).map(\.pid)) == [10, 11, 12])
        #expect(ProcFiles.tree(of: 99, in: stats).isEmpty)
    }

    @Test func memoryAndLoadFromTheirFiles() throws {
        let meminfo =
            "MemTotal:       24568004 kB\nMemFree:         1234 kB\nMemAvailable:   20000000 kB\nHugePages_Total:       0\n"
        let memory = try #require(ProcFiles.memory(meminfo))
        #expect(memory.total == 24_568_004 * 1024 && memory.available == 20_000_000 * 1024)
        #expect(ProcFiles.loadAverage("0.52 0.58 0.59 1/482 12345\n") == 0.52)
    }

    /// `/proc/stat`'s first line: busy is everything but idle and iowait; guest time is
    /// inside user already and is not counted twice.
    @Test func hostCPUTimesFromProcStat() throws {
        let stat = "cpu  4705 356 584 3699176 23060 0 277 0 11 0\ncpu0 1393280 32966 572056 13343292 6130 0 17875 0 23933 0\n"
        let times = try #require(ProcFiles.cpuTimes(stat))
        #expect(times.total == 4705 + 356 + 584 + 3_699_176 + 23060 + 277)
        #expect(times.busy == 4705 + 356 + 584 + 277)
        #expect(ProcFiles.cpuTimes("intr 1 2 3\n") == nil)
        let live = try #require(ProcFiles.cpuTimes(String(contentsOfFile: "/proc/stat", encoding: .utf8)))
        #expect(live.total > live.busy && live.busy > 0)
        // The machine's cores, one line each (the first, all cores', is not one).
        #expect(ProcFiles.cpuCount(stat) == 1)
        #expect(ProcFiles.cpuCount(stat + "cpu1 1 2 3 4\ncpufreq 9\nintr 1 2\n") == 2)
        let machine = ProcFiles.cpuCount(try String(contentsOfFile: "/proc/stat", encoding: .utf8))
        #expect(machine >= ProcessCPU.allowedCores() && machine >= 1)
    }

    /// This test process, read live: it is in the list, its CPU time grows as it works.
    @Test func thisProcessLive() throws {
        let me = Int(getpid())
        let before = try #require(ProcFiles.allProcesses().first { $0.pid == me })
        var sum = 0.0
        let start = Date()
        while Date().timeIntervalSince(start) < 0.3 { sum += sqrt(Double(sum.bitPattern % 1000)) }
        let after = try #require(ProcFiles.allProcesses().first { $0.pid == me })
        #expect(after.cpuTicks > before.cpuTicks, "0.3 s of work shows as CPU time (\(sum))")
        #expect(after.residentPages > 0 && after.parent > 0)
        #expect(ProcFiles.tree(of: me, in: ProcFiles.allProcesses()).first?.pid == me)
    }

    /// The tree walked through `task/<tid>/children` is the tree a scan of every process
    /// finds: a shell with two children of its own, here.
    @Test func aTreeWalkedThroughChildrenFilesIsTheScannedTree() throws {
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "sleep 30 & sleep 30 & wait"]
        try shell.run()
        defer {
            for stat in ProcFiles.tree(of: Int(shell.processIdentifier), in: ProcFiles.allProcesses()) {
                kill(pid_t(stat.pid), SIGKILL)
            }
        }
        let root = Int(shell.processIdentifier)
        var walked: [ProcFiles.ProcessStat] = []
        for _ in 0..<50 {
            walked = try #require(ProcFiles.treeStats(of: root))
            if walked.count == 3 { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(walked.count == 3)
        #expect(Set(walked.map(\.pid)) == Set(ProcFiles.tree(of: root, in: ProcFiles.allProcesses()).map(\.pid)))
        let child = try #require(walked.first { $0.pid != root }?.pid)
        #expect(ProcFiles.treeStats(of: root, excluding: child)?.count == 2, "a process left out, with its children")
        #expect(ProcFiles.treeStats(of: 999_999_999)?.isEmpty == true)
    }

    /// nvidia-smi's CSV (recorded from an A100 node): values, and absent ones left absent.
    @Test func nvidiaSMIQueryOutput() {
        let csv = "0, 87, 30412, 81920, 312.45\n1, 0, 4, 81920, 61.20\n2, [N/A], [N/A], 81920, [Not Supported]\n"
        let gpus = NvidiaSMI.parse(csv)
        #expect(gpus.map(\.index) == [0, 1, 2])
        #expect(gpus[0] == NvidiaSMI.GPU(index: 0, utilization: 87, memoryUsed: 30412, memoryTotal: 81920, power: 312.45))
        #expect(gpus[2].utilization == nil && gpus[2].power == nil && gpus[2].memoryTotal == 81920)
        #expect(NvidiaSMI.parse("").isEmpty)
    }
}
