#ifndef FACTORYBENCH_CPOLL_H
#define FACTORYBENCH_CPOLL_H

/// ppoll(2) with a timeout in nanoseconds (negative: none) and no signal mask: poll with
/// sub-millisecond timeouts, which Swift's Glibc module does not declare (_GNU_SOURCE).
/// `descriptors` points to `count` struct pollfd.
int factorybench_ppoll(void *descriptors, unsigned long count, long long timeout_nanoseconds);

/// The CPUs this process may run on (sched_getaffinity(2): a Slurm allocation, taskset),
/// or 0 when it cannot say. Also _GNU_SOURCE only.
int factorybench_allowed_cpus(void);

#endif
