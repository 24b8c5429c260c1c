#define _GNU_SOURCE
#include <poll.h>
#include <time.h>

#include "cpoll.h"

int factorybench_ppoll(void *descriptors, unsigned long count, long long timeout_nanoseconds) {
    struct timespec timeout = {timeout_nanoseconds / 1000000000LL, timeout_nanoseconds % 1000000000LL};
    return ppoll((struct pollfd *)descriptors, (nfds_t)count, timeout_nanoseconds < 0 ? NULL : &timeout, NULL);
}
