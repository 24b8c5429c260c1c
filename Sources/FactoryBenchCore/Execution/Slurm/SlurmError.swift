import Foundation

/// Why a run on a Slurm cluster could not be submitted, became ready or finished.
public enum SlurmError: LocalizedError, Equatable {
    /// A recipe value that cannot go into an `#SBATCH` line.
    case unsafeDirective(key: String, value: String)
    /// A command on the login node failed (ssh, sbatch, rsync, ...).
    case remoteCommandFailed(target: String, command: String, status: Int32, output: String)
    /// The service job ended before its service answered.
    case serviceJobEnded(job: String, state: String, logTail: String)
    /// The service did not answer within `service.ready_timeout`.
    case serviceNotReady(job: String, seconds: Double, state: String, detail: String)

    /// `watch` on a run whose clients were never submitted.
    case noClientJobs(benchmarkID: String)

    public var errorDescription: String? {
        switch self {
        case .noClientJobs(let id):
            return "run \(id) was detached before its clients were submitted; stop it with "
                + "`factorybench cancel \(id)` and run the recipe again"

        case .unsafeDirective(let key, let value):
            return "\(key): \(String(reflecting: value)) cannot go into an #SBATCH line (sbatch reads those lines "
                + "itself); use only letters, digits and ._-:,=+@%/[] there"
        case .remoteCommandFailed(let target, let command, let status, let output):
            let detail = output.trimmingCharacters(in: .whitespacesAndNewlines)
            return "`\(command)` on \(target) failed with exit status \(status)"
                + (detail.isEmpty ? "" : ": \(detail)")
                + (status == 255 ? " (ssh could not connect: check the alias with `ssh \(target) true`)" : "")
        case .serviceJobEnded(let job, let state, let logTail):
            return "the service job \(job) ended (\(state)) before the service answered"
                + (logTail.isEmpty ? "" : "; end of its log:\n\(logTail)")
        case .serviceNotReady(let job, let seconds, let state, let detail):
            return "the service (job \(job), \(state)) did not answer within \(RecipePlan.scalar(.double(seconds))) s"
                + (detail.isEmpty ? "" : ": \(detail)")
                + "; the job was cancelled (raise service.ready_timeout if it needs longer)"
        }
    }
}

/// A run id given to `watch`, `collect`, `cancel` or `logs` that did not run on Slurm.
public struct NotASlurmRunError: InputError, LocalizedError, Equatable {
    public var directory: String

    public var errorDescription: String? {
        "\(directory) is not a run on a Slurm cluster (it has no slurm/jobs.json); "
            + "watch, collect, cancel and logs follow runs with a Slurm target"
    }
}
