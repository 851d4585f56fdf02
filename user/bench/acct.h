/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a process spends over a timed loop (getrusage() deltas), and an
 * exact count of system calls from the raw_syscalls:sys_enter tracepoint.
 */
#ifndef _VMSHM_BENCH_ACCT_H
#define _VMSHM_BENCH_ACCT_H

#include <stdint.h>
#include <sys/resource.h>

#include "bench.h"

/**
 * struct acct_mark - the state at the start of a loop
 * @ru: getrusage(RUSAGE_SELF)
 */
struct acct_mark {
	struct rusage ru;
};

int sysc_open(void);
int64_t sysc_read(int fd);
void acct_start(struct acct_mark *m);
void acct_stop(const struct acct_mark *m, struct acct *a);

#endif /* _VMSHM_BENCH_ACCT_H */
