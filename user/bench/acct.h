/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a process spends over a timed loop: getrusage() deltas and, when
 * asked, an exact count of its system calls from the raw_syscalls:sys_enter
 * tracepoint (a counting perf event on the process itself).
 */
#ifndef _VMSHM_BENCH_ACCT_H
#define _VMSHM_BENCH_ACCT_H

#include <stdint.h>
#include <sys/resource.h>

#include "bench.h"

/**
 * struct acct_mark - the state at the start of a loop
 * @ru: getrusage(RUSAGE_SELF)
 * @sys: the system call counter, or -1
 * @fd: the perf event counting them, or -1
 */
struct acct_mark {
	struct rusage ru;
	int64_t sys;
	int fd;
};

int sysc_open(void);
void acct_start(struct acct_mark *m, int sys_fd);
void acct_stop(struct acct_mark *m, struct acct *a);

#endif /* _VMSHM_BENCH_ACCT_H */
