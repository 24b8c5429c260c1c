import FactoryBenchCore
import Testing

/// Reading what squeue, sacct and scontrol print, and what each end state means.
@Suite struct SlurmJobTests {
    @Test func squeueLinesGiveStateReasonAndNode() {
        let seen = SlurmStatusParser.squeue("12|RUNNING|None|n1\n13|PENDING|Resources|\n\ngarbage\n14|CANCELLED|None|n2\n")
        #expect(seen.count == 3)
        #expect(seen["12"]?.state == "RUNNING" && seen["12"]?.node == "n1")
        #expect(seen["13"]?.reason == "Resources" && seen["13"]?.node == "")
    }

    @Test func sacctAndScontrolLinesGiveExitCodesAndExactStates() {
        let sacct = SlurmStatusParser.finalStates(
            "12|CANCELLED by 1001|0:15|n1\n12.batch|CANCELLED|0:15|n1\n13|COMPLETED|0:0|n2\n")
        #expect(sacct["12"]?.state == "CANCELLED by 1001" && sacct["12"]?.exitCode == "0:15")
        #expect(sacct["13"]?.state == "COMPLETED" && sacct.count == 2)
        let scontrol = SlurmStatusParser.finalStates(
            "JobId=20 JobName=fb-x-client-0 UserId=fbtest(1000) JobState=TIMEOUT Reason=TimeLimit Dependency=(null) "
                + "ExitCode=0:15 RunTime=00:01:31 NodeList=n3 BatchHost=n3\n")
        #expect(scontrol["20"]?.state == "TIMEOUT" && scontrol["20"]?.reason == "TimeLimit")
        #expect(scontrol["20"]?.exitCode == "0:15" && scontrol["20"]?.node == "n3")
    }

    @Test(arguments: [
        "COMPLETED", "FAILED", "CANCELLED", "CANCELLED by 0", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED",
        "BOOT_FAIL", "DEADLINE",
    ])
    func everyEndStateEndsTheWait(state: String) {
        var job = JobRecord(id: "7", role: "client-0", state: state)
        job.exitCode = state == "COMPLETED" ? "0:0" : "1:0"
        #expect(job.isTerminal)
        #expect(job.succeeded == (state == "COMPLETED"))
        #expect(job.summary.hasPrefix("job 7 \(state)"))
    }

    @Test(arguments: ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING"])
    func activeStatesKeepWaiting(state: String) {
        #expect(!JobRecord(id: "7", role: "service", state: state).isTerminal)
    }

    @Test func aCompletedJobWithANonZeroExitDidNotSucceed() {
        var job = JobRecord(id: "9", role: "client-1", state: "COMPLETED")
        job.exitCode = "3:0"
        job.node = "n2"
        #expect(!job.succeeded)
        #expect(job.summary == "job 9 COMPLETED (exit 3:0) on n2")
        var pending = JobRecord(id: "10", role: "client-0", state: "PENDING")
        pending.reason = "Priority"
        #expect(pending.summary == "job 10 PENDING (Priority)")
    }
}
