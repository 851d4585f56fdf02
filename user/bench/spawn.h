/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The child process of two-process jobs, its CPU and the control block it
 * shares with the parent.
 */
#ifndef _VMSHM_BENCH_SPAWN_H
#define _VMSHM_BENCH_SPAWN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

#include "bench.h"

/**
 * struct ctl - shared by the parent and its children (MAP_SHARED)
 * @stop: ping-pong: set before the last message, which ends the child
 * @acct: what the child spent
 * @end_ns: streaming: when the consumer had summed the last line
 * @ns: streaming: how long a child's single-process pass took
 * @lines: streaming: lines the consumer summed
 * @hash: streaming: checksum of its result lines
 */
struct ctl {
	_Atomic int stop;
	struct acct acct;
	uint64_t end_ns;
	uint64_t ns;
	uint64_t lines;
	uint64_t hash;
};

extern struct ctl *ctl;

/**
 * struct child - a forked child and its two start-up pipes
 * @pid: its pid, 0 once reaped
 * @go: parent's end of "the channel exists, attach now"
 * @ready: parent's end of "attached" ('r') or "failed" ('e')
 */
struct child {
	pid_t pid;
	int go;
	int ready;
};

/**
 * struct child_fns - what the child runs
 * @attach: attach to the channel; its failure is reported as not ready
 * @run: the measured loop
 */
struct child_fns {
	int (*attach)(void *arg);
	int (*run)(void *arg);
};

/**
 * struct chan - a channel between this process and a new child
 * @ops: its set-up
 * @variant: its name, for messages
 * @own_sys: the transport's count of its system calls, or NULL when it
 *	keeps @e.nsys
 * @e: this process's side; the child works on its copy
 * @child: the child
 */
struct chan {
	const struct chan_ops *ops;
	const char *variant;
	int64_t (*own_sys)(struct end *e);
	struct end e;
	struct child child;
};

int chan_open(struct chan *c, const struct bench_cfg *cfg, enum placement pl,
	      const struct child_fns *fns, void *arg);
void chan_close(struct chan *c, int err);
int chan_child_attach(void *arg);
int64_t chan_own_sys(struct chan *c);
int ctl_init(void);
int nr_cpus(void);
int pin_cpu(int cpu);
int placement_cpu(enum placement pl);
int child_start(struct child *c, int cpu, const struct child_fns *fns,
		void *arg);
int child_go(struct child *c);
int child_finish(struct child *c);
void child_kill(struct child *c);

#endif /* _VMSHM_BENCH_SPAWN_H */
