/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmshm-bench: round trips, streaming and page faults of vmshm against the
 * usual Linux primitives, in one binary that runs in the test guest.
 *
 * A job is one (workload, variant, placement) measured once; a round runs
 * every job once, in a shuffled order.  Two-process jobs fork a child that
 * attaches to the channel by name, as user/sum/child does; the child reports
 * what it spent through a shared control block (struct ctl).
 */
#ifndef _VMSHM_BENCH_H
#define _VMSHM_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vmshm.h>

struct sink;

/* Default spins of vmshm-ring-spin before it sleeps. */
#define BENCH_SPIN	100
/* Sizes of the page-fault runs, at most. */
#define FAULT_SIZES	4

enum workload { WL_PINGPONG, WL_STREAM, WL_FAULTS, WL_NR };
/* Same vCPU, different vCPUs, or a single-process job. */
enum placement { PL_SAME, PL_CROSS, PL_ONE, PL_NR };

extern const char *const workload_names[WL_NR];
extern const char *const placement_names[PL_NR];

/**
 * struct bench_cfg - what to run and how much
 * @rounds: rounds, including the first one, which is discarded
 * @rts: round trips per timed batch
 * @warmup: untimed round trips before each batch
 * @slow_cap_ns: time bound of a batch of a pathologically slow variant
 * @cap_ns: time bound of the batches of all other variants
 * @lines: lines per streaming run
 * @flags_lines: lines per streaming run of the lab's protocol
 * @pages: pages per fault run, one run of every kind per size
 * @nr_sizes: entries of @pages in use
 * @seed: seed of the line generator and of the shuffles
 * @spin: spin-then-sleep iterations of the spinning ring variant
 * @ring_size: bytes of the vmshm region of the ring transports
 * @only: run only the jobs whose "workload/variant/placement" (curves:
 *	"curve/NAME") contains one of these comma-separated words, each of
 *	which must pick something; shorter than BENCH_ONLY_MAX; NULL for all
 * @quick: --quick: the cost curves stop early and repeat less
 */
/* Characters of --only: longer is a usage error, never cut. */
#define BENCH_ONLY_LEN	255
/* The buffers that hold it, with its NUL. */
#define BENCH_ONLY_MAX	(BENCH_ONLY_LEN + 1)
#define BENCH_STR_(x)	#x
#define BENCH_STR(x)	BENCH_STR_(x)

struct bench_cfg {
	unsigned int rounds;
	uint64_t rts;
	uint64_t warmup;
	uint64_t slow_cap_ns;
	uint64_t cap_ns;
	uint64_t lines;
	uint64_t flags_lines;
	uint64_t pages[FAULT_SIZES];
	unsigned int nr_sizes;
	uint64_t seed;
	unsigned int spin;
	uint64_t ring_size;
	const char *only;
	bool quick;
};

/**
 * struct acct - what one process spent over a timed loop
 * @ops: round trips (or lines) it went through in that loop
 * @own: system calls the bench itself issued, -1 where it cannot know
 * @nvcsw: voluntary context switches
 * @nivcsw: involuntary context switches
 * @minflt: minor page faults
 * @cpu_ns: user + system CPU time
 */
struct acct {
	uint64_t ops;
	int64_t own;
	uint64_t nvcsw;
	uint64_t nivcsw;
	uint64_t minflt;
	uint64_t cpu_ns;
};

/**
 * struct result - one job of one round
 * @wl: workload
 * @variant: transport or memory kind
 * @pl: placement
 * @round: 0 is the discarded warm-up round
 * @seq: its position in the round's shuffled order
 * @n: operations timed: round trips, lines or pages
 * @ns: elapsed CLOCK_MONOTONIC time over them
 * @setup_ns: faults: the time of the mapping (and of MAP_POPULATE)
 * @side: [0] the parent (producer), [1] the child (consumer)
 * @sys: system calls of both processes over the whole job, set-up
 *	included, from the tracepoint; -1 when not counted (only the
 *	discarded first round counts them)
 * @kwaits: vmshm: VMSHM_WAIT calls that slept over the batch, else -1
 * @kwakes: vmshm: VMSHM_WAKE calls over the batch, else -1
 * @kfaults: vmshm: faults the region counted over the touch, else -1
 * @hash: streaming: checksum of the result lines
 * @capped: the time bound stopped the batch before @n reached the count
 * @base: the run of its baseline (futex in its placement, the single
 *	process, anonymous memory of its size) right before it in the same
 *	round, which its ratios are taken against; NULL for a baseline, in
 *	the discarded first round, or when --only left the baseline out
 * @near: the run of a second reference right after @base and right
 *	before it, for a target that holds it to one (the pure spin, for the
 *	spinning ring across vCPUs); NULL as @base, or when it has none
 */
struct result {
	enum workload wl;
	const char *variant;
	enum placement pl;
	unsigned int round;
	unsigned int seq;
	uint64_t n;
	uint64_t ns;
	uint64_t setup_ns;
	struct acct side[2];
	int64_t sys;
	int64_t kwaits;
	int64_t kwakes;
	int64_t kfaults;
	uint64_t hash;
	bool capped;
	const struct result *base;
	const struct result *near;
};

/**
 * struct end - one side of a two-process channel
 * @parent: the side that created the channel (and produces)
 * @name: the channel's name, for the objects attached by name
 * @cfg: the configuration
 * @seq: messages sent by this side so far
 * @rcvd: the peer's message count this side last saw
 * @nsys: system calls this side's transport code issued; transports that
 *	cannot count leave it -1
 * @fd: file descriptors of the transport
 * @mem: its shared mapping, if any
 * @size: the mapping's size
 * @priv: transport state
 */
struct end {
	bool parent;
	char name[VMSHM_NAME_MAX];
	const struct bench_cfg *cfg;
	uint32_t seq;
	uint32_t rcvd;
	int64_t nsys;
	int fd[4];
	void *mem;
	size_t size;
	void *priv;
};

/**
 * struct chan_ops - set-up of a channel, common to both workloads
 * @prefork: parent, before fork: what both processes inherit (fds); may
 *	be NULL
 * @create: parent, after fork: create the named objects and drop the
 *	fds that belong to the child
 * @attach: child: attach by name, drop the fds that belong to the parent
 * @kstat: vmshm region counters (waits that slept, wakes); may be NULL
 * @close: release this side; the parent also removes what it created
 */
struct chan_ops {
	int (*prefork)(struct end *e);
	int (*create)(struct end *e);
	int (*attach)(struct end *e);
	int (*kstat)(struct end *e, uint64_t *waits, uint64_t *wakes);
	void (*close)(struct end *e);
};

/* A variant that is pathological in a placement: bound it by time. */
#define PP_SLOW_SAME	(1U << 0)
#define PP_SLOW_ALWAYS	(1U << 1)

/**
 * struct pp_ops - a ping-pong transport: an empty message each way
 * @name: the variant
 * @flags: PP_* bits
 * @chan: its set-up
 * @send: send one message to the peer
 * @recv: wait for one message from the peer
 * @call: @send, then @recv, in fewer system calls; may be NULL
 * @own_sys: system calls issued so far, when @nsys is not kept; may be NULL
 */
struct pp_ops {
	const char *name;
	unsigned int flags;
	struct chan_ops chan;
	int (*send)(struct end *e);
	int (*recv)(struct end *e);
	int (*call)(struct end *e);
	int64_t (*own_sys)(struct end *e);
};

/**
 * struct st_ops - a streaming transport: lines one way, end of stream
 * @name: the variant
 * @chan: its set-up
 * @produce: send every line of @text, then end the stream
 * @consume: feed every piece received to @k until end of stream
 * @own_sys: system calls issued so far, when @nsys is not kept; may be NULL
 */
struct st_ops {
	const char *name;
	struct chan_ops chan;
	int (*produce)(struct end *e, const char *text, size_t len);
	int (*consume)(struct end *e, struct sink *k);
	int64_t (*own_sys)(struct end *e);
};

extern const struct pp_ops pp_futex, pp_spin, pp_sem;
extern const struct pp_ops pp_eventfd, pp_pipe, pp_socketpair;
extern const struct pp_ops pp_vmshm_wait, pp_vmshm_wait_wake, pp_vmshm_poll;
extern const struct pp_ops pp_vmshm_wait_spin;
extern const struct pp_ops pp_vmshm_ring, pp_vmshm_ring_spin;
extern const struct pp_ops pp_flags;
extern const struct st_ops st_ring, st_ring_chunk, st_xport, st_pipe,
	st_flags;

#endif /* _VMSHM_BENCH_H */
