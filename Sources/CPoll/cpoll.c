#define _GNU_SOURCE
#include <poll.h>
#include <sched.h>
#include <time.h>

#include "cpoll.h"

int factorybench_ppoll(void *descriptors, unsigned long count, long long timeout_nanoseconds) {
    struct timespec timeout = {timeout_nanoseconds / 1000000000LL, timeout_nanoseconds % 1000000000LL};
    return ppoll((struct pollfd *)descriptors, (nfds_t)count, timeout_nanoseconds < 0 ? NULL : &timeout, NULL);
}

int factorybench_allowed_cpus(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    return sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 0;
}
