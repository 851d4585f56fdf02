// SPDX-License-Identifier: GPL-2.0
/*
 * The plan (every job: workload, variant, placement) and the rounds that
 * run it, each in its own seeded shuffle.  Round 0 is a warm-up whose
 * timings are discarded; it is also the only round that counts system
 * calls with the tracepoint, which slows every system call down.
 *
 * From round 1 on, a job that is judged against a baseline (futex in its
 * placement, the single process, anonymous memory of its size) runs right
 * after a run of that baseline of its own, and its ratios are taken
 * against that run.  Under TCG the host's speed drifts by tens of percent
 * over seconds, and a round lasts about a minute: a baseline run anywhere
 * else in the round measured another host.  The spinning ring across
 * vCPUs is also held to the pure spin, which runs between futex and it.
 *
 * The baseline (and the near job) runs twice, and only its second run
 * counts.  Whatever ran before it in the shuffle (children exiting,
 * 64 MiB unmapped) slows the guest down for a second or more, and a
 * single baseline run took all of that while the job after it took none:
 * the single process beside a spinning vCPU, the same work as its
 * baseline, came out 1.13 and 1.73 times as fast as it.  single-again,
 * the single process paired with itself, is kept as the control.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acct.h"
#include "libvmshm.h"
#include "rounds.h"
#include "spawn.h"
#include "stats.h"
#include "stream.h"
#include "util.h"

#define SYSC_SETTLE_S	2	/* after closing the round-0 counter */

static const struct pp_ops *const pp_all[] = {
	&pp_futex, &pp_vmshm_wait, &pp_vmshm_wait_wake, &pp_vmshm_wait_spin,
	&pp_vmshm_poll, &pp_vmshm_ring, &pp_vmshm_ring_spin, &pp_eventfd,
	&pp_pipe,
	&pp_socketpair, &pp_sem, &pp_spin, &pp_flags,
};

/*
 * After the two-process variants: the single process, ring-1proc, the
 * single process beside a busy vCPU, the single process again, and the
 * single process where a consumer across vCPUs runs.
 */
static const struct st_ops *const st_all[] = {
	&st_ring, &st_ring_chunk, &st_xport, &st_pipe, &st_flags,
};

/*
 * The stream jobs without a transport, numbered after st_all[]: each runs
 * from this process, two of them with a child beside or in place of it.
 */
static const struct {
	const char *name;
	int (*run)(const char *text, size_t len, struct result *res);
} st_procs[] = {
	{ ST_SINGLE_NAME, st_single },
	{ "ring-1proc", st_local },
	{ ST_BUSY_NAME, st_single_beside_busy },
	{ ST_AGAIN_NAME, st_single },
	{ ST_CONSUMER_NAME, st_single_as_consumer },
};

#define ST_SINGLE	ARRAY_SIZE(st_all)
#define ST_LOCAL	(ST_SINGLE + 1)
#define ST_BUSY		(ST_SINGLE + 2)
#define ST_AGAIN	(ST_SINGLE + 3)
#define ST_CONSUMER	(ST_SINGLE + 4)

_Static_assert(ARRAY_SIZE(st_procs) == ST_CONSUMER - ST_SINGLE + 1,
	       "one entry of st_procs[] per stream job without a transport");

static const char *job_variant(const struct job *j)
{
	switch (j->wl) {
	case WL_PINGPONG:
		return pp_all[j->idx]->name;
	case WL_STREAM:
		if (j->idx >= ST_SINGLE)
			return st_procs[j->idx - ST_SINGLE].name;
		return st_all[j->idx]->name;
	default:
		return fault_variant(j->idx / FAULT_KINDS, j->idx % FAULT_KINDS);
	}
}

/**
 * bench_selected() - does --only select a job or a curve?
 * @cfg: the configuration
 * @key: "workload/variant/placement" of a job, "curve/NAME" of a curve
 *
 * Return: true without --only, or when one of its words is in @key.
 */
bool bench_selected(const struct bench_cfg *cfg, const char *key)
{
	char words[BENCH_ONLY_MAX], *w, *save;

	if (!cfg->only)
		return true;
	snprintf(words, sizeof(words), "%s", cfg->only);
	for (w = strtok_r(words, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (strstr(key, w))
			return true;
	}
	return false;
}

static bool job_selected(const struct bench_cfg *cfg, const struct job *j)
{
	char key[128];

	snprintf(key, sizeof(key), "%s/%s/%s", workload_names[j->wl],
		 job_variant(j), placement_names[j->pl]);
	return bench_selected(cfg, key);
}

static void plan_add(struct bench *b, enum workload wl, unsigned int idx,
		     enum placement pl)
{
	struct job j = { .wl = wl, .idx = idx, .pl = pl };

	if (b->nr_jobs < MAX_JOBS && job_selected(b->cfg, &j))
		b->jobs[b->nr_jobs++] = j;
}

/* The index of @ops in pp_all[]. */
static unsigned int pp_index(const struct pp_ops *ops)
{
	unsigned int i = 0;

	while (pp_all[i] != ops)
		i++;
	return i;
}

/* The index of the job @base in the plan; -1 if left out. */
static int plan_find(const struct bench *b, const struct job *base)
{
	unsigned int i;

	for (i = 0; i < b->nr_jobs; i++) {
		if (b->jobs[i].wl == base->wl && b->jobs[i].idx == base->idx &&
		    b->jobs[i].pl == base->pl)
			return i;
	}
	return -1;
}

/* The index of @j's baseline job in the plan; -1 if none or left out. */
static int plan_baseline(const struct bench *b, const struct job *j)
{
	struct job base = { .wl = j->wl, .pl = PL_ONE };

	switch (j->wl) {
	case WL_PINGPONG:
		base.idx = pp_index(&pp_futex);
		base.pl = j->pl;
		break;
	case WL_STREAM:
		base.idx = ST_SINGLE;
		break;
	default:
		base.idx = j->idx - j->idx % FAULT_KINDS + FK_ANON;
		break;
	}
	if (base.idx == j->idx && base.pl == j->pl)
		return -1;
	return plan_find(b, &base);
}

/*
 * The index of the job a target holds @j to besides its baseline; -1 if
 * none or left out.  Only the spinning ring across vCPUs has one, the
 * pure spin: at a few µs a round trip, the two are within 2x of each
 * other only if the host ran both at the same speed.
 */
static int plan_near(const struct bench *b, const struct job *j)
{
	struct job spin = {
		.wl = WL_PINGPONG, .idx = pp_index(&pp_spin), .pl = PL_CROSS,
	};

	if (j->wl != WL_PINGPONG || j->pl != PL_CROSS ||
	    j->idx != pp_index(&pp_vmshm_ring_spin))
		return -1;
	return plan_find(b, &spin);
}

/**
 * bench_plan() - list the jobs of a round
 * @b: the bench; b->cfg and b->cpus are set
 *
 * Different-vCPU jobs are left out on a single CPU.
 *
 * Return: the number of jobs.
 */
unsigned int bench_plan(struct bench *b)
{
	int npl = (b->cpus ? b->cpus : nr_cpus()) > 1 ? PL_ONE : 1;
	unsigned int i;
	int pl;

	for (i = 0; i < ARRAY_SIZE(pp_all); i++)
		for (pl = 0; pl < npl; pl++)
			plan_add(b, WL_PINGPONG, i, pl);
	for (i = 0; i < ST_SINGLE; i++)
		for (pl = 0; pl < npl; pl++)
			plan_add(b, WL_STREAM, i, pl);
	plan_add(b, WL_STREAM, ST_SINGLE, PL_ONE);
	plan_add(b, WL_STREAM, ST_LOCAL, PL_ONE);
	if (npl > 1)
		plan_add(b, WL_STREAM, ST_BUSY, PL_CROSS);
	plan_add(b, WL_STREAM, ST_AGAIN, PL_ONE);
	if (npl > 1)
		plan_add(b, WL_STREAM, ST_CONSUMER, PL_CROSS);
	fault_names_init(b->cfg);
	for (i = 0; i < b->cfg->nr_sizes * FAULT_KINDS; i++)
		plan_add(b, WL_FAULTS, i, PL_ONE);
	for (i = 0; i < b->nr_jobs; i++) {
		b->base_of[i] = plan_baseline(b, &b->jobs[i]);
		b->near_of[i] = plan_near(b, &b->jobs[i]);
	}
	return b->nr_jobs;
}

/**
 * bench_input() - generate the lines and their single-process checksums
 * @b: the bench
 *
 * Return: 0 or -ENOMEM.
 */
int bench_input(struct bench *b)
{
	const struct bench_cfg *cfg = b->cfg;
	struct result r;
	int ret;

	ret = lines_make(cfg->seed, cfg->lines, &b->text, &b->len);
	if (ret)
		return ret;
	b->flags_len = lines_prefix(b->text, b->len, cfg->flags_lines);
	st_single(b->text, b->len, &r);
	b->ref_lines = r.n;
	b->ref_hash = r.hash;
	st_single(b->text, b->flags_len, &r);
	b->ref_flags_lines = r.n;
	b->ref_flags_hash = r.hash;
	return 0;
}

/* Every transport must have produced the single process's results. */
static int stream_check(const struct bench *b, const struct result *r,
			bool lab)
{
	uint64_t lines = lab ? b->ref_flags_lines : b->ref_lines;
	uint64_t hash = lab ? b->ref_flags_hash : b->ref_hash;

	if (r->n == lines && r->hash == hash)
		return 0;
	err_msg("stream %s %s round %u: %016llx over %llu %s, not %016llx over %llu",
		r->variant, placement_names[r->pl], r->round,
		(unsigned long long)r->hash, (unsigned long long)r->n,
		plural(r->n, "line", "lines"),
		(unsigned long long)hash, (unsigned long long)lines);
	return -EBADMSG;
}

static int stream_job(struct bench *b, const struct job *j,
		      struct result *r)
{
	const struct st_ops *ops;
	bool lab;
	int ret;

	if (j->idx >= ST_SINGLE) {
		ret = st_procs[j->idx - ST_SINGLE].run(b->text, b->len, r);
		return ret ? ret : stream_check(b, r, false);
	}
	ops = st_all[j->idx];
	lab = ops == &st_flags;
	ret = st_run(b->cfg, ops, j->pl, b->text, lab ? b->flags_len : b->len,
		     r);
	return ret ? ret : stream_check(b, r, lab);
}

static int job_dispatch(struct bench *b, const struct job *j,
			struct result *r)
{
	switch (j->wl) {
	case WL_PINGPONG:
		return pp_run(b->cfg, pp_all[j->idx], j->pl, r);
	case WL_STREAM:
		return stream_job(b, j, r);
	default:
		return fault_run(b->cfg, j->idx, r);
	}
}

/* One job; with @sys_fd >= 0, count its system calls, children's too. */
static int job_run(struct bench *b, const struct job *j, unsigned int round,
		   int sys_fd, struct result *r)
{
	int64_t sys0;
	int ret;

	memset(r, 0, sizeof(*r));
	r->wl = j->wl;
	r->variant = job_variant(j);
	r->pl = j->pl;
	r->round = round;
	r->kwaits = -1;
	r->kwakes = -1;
	r->kfaults = -1;
	ret = pin_cpu(0);
	if (ret)
		return ret;
	sys0 = sysc_read(sys_fd);
	ret = job_dispatch(b, j, r);
	r->sys = sys0 < 0 ? -1 : sysc_read(sys_fd) - sys0 - 1;
	return ret;
}

/*
 * From round 1 on, two runs of job @ref, the second into @slot; NULL if
 * none.  The first only settles the guest (see the top).
 */
static int ref_run(struct bench *b, int ref, unsigned int round, int sys_fd,
		   struct result *slot, const struct result **out)
{
	int ret;

	*out = NULL;
	if (!round || ref < 0)
		return 0;
	ret = job_run(b, &b->jobs[ref], round, sys_fd, slot);
	if (ret)
		return ret;
	*out = slot;
	return job_run(b, &b->jobs[ref], round, sys_fd, slot);
}

/* Job @j of the plan, after runs of its baseline and near job. */
static int job_run_paired(struct bench *b, unsigned int j,
			  unsigned int round, int sys_fd)
{
	size_t slot = (size_t)round * b->nr_jobs + j;
	const struct result *base, *near;
	int ret;

	ret = ref_run(b, b->base_of[j], round, sys_fd, &b->base_res[slot],
		      &base);
	if (!ret)
		ret = ref_run(b, b->near_of[j], round, sys_fd,
			      &b->near_res[slot], &near);
	if (ret)
		return ret;
	ret = job_run(b, &b->jobs[j], round, sys_fd, &b->res[slot]);
	b->res[slot].base = base;
	b->res[slot].near = near;
	return ret;
}

/*
 * Round 0 counts system calls with one counter for the whole round.  Its
 * closing disables static keys after a delay (perf's is deferred by a
 * second): let that happen while nothing else runs.
 */
static int round_sys_open(struct bench *b, unsigned int round)
{
	int fd;

	if (round)
		return -1;
	fd = sysc_open();
	b->sys_status = fd < 0 ? fd : 0;
	return fd < 0 ? -1 : fd;
}

static void round_sys_close(int fd)
{
	if (fd < 0)
		return;
	close(fd);
	sleep(SYSC_SETTLE_S);
}

/**
 * bench_rounds() - run every round
 * @b: the bench, planned, with its input; b->res receives the results,
 *	indexed round * nr_jobs + job
 *
 * Return: 0, or the first job's -errno (already printed).
 */
int bench_rounds(struct bench *b)
{
	unsigned int order[MAX_JOBS], i, round, n = b->nr_jobs;
	uint64_t rng = b->cfg->seed ^ 0x5eed5eedULL, t0;
	int ret, fd;

	b->res = calloc((size_t)b->cfg->rounds * n, sizeof(*b->res));
	b->base_res = calloc((size_t)b->cfg->rounds * n, sizeof(*b->base_res));
	b->near_res = calloc((size_t)b->cfg->rounds * n, sizeof(*b->near_res));
	if (!b->res || !b->base_res || !b->near_res)
		return -ENOMEM;
	for (round = 0; round < b->cfg->rounds; round++) {
		t0 = vmshm_now_ns();
		for (i = 0; i < n; i++)
			order[i] = i;
		shuffle(order, n, &rng);
		fd = round_sys_open(b, round);
		for (i = 0; i < n; i++) {
			ret = job_run_paired(b, order[i], round, fd);
			if (ret)
				break;
			b->res[round * n + order[i]].seq = i;
		}
		round_sys_close(fd);
		if (ret)
			return ret;
		info_msg("round %u/%u: %u %s in %.1f s%s", round + 1,
			 b->cfg->rounds, n, plural(n, "job", "jobs"),
			 (vmshm_now_ns() - t0) / 1e9,
			 round ? "" : " (warm-up, discarded; counts syscalls)");
	}
	return 0;
}
