// SPDX-License-Identifier: GPL-2.0
/*
 * The wait/wake curves.
 *
 * curve/wake: N threads sleep on one word, VMSHM_WAIT in a vmshm region
 * or FUTEX_WAIT on a shared futex; once every one of them is asleep (the
 * kernel says 'S' in /proc/self/task/TID/stat), the waker stores a new
 * value and wakes them all with one VMSHM_WAKE_ALL (FUTEX_WAKE of
 * INT_MAX).  y is the waker's time in that call divided by N: what each
 * woken waiter costs the waker.  The first wake of every point is a
 * discarded warm-up.
 *
 * curve/pairs: P ping-pong pairs at once, each two processes with a
 * channel of its own, left to the scheduler on every vCPU.  Four of
 * pingpong.c's transports: futex; vmshm-wait-wake, VMSHM_WAIT with
 * VMSHM_WAIT_WAKE, a wake and a wait in one call, as the ring of parent
 * and child blocks; vmshm-wait-spin, the same call with VMSHM_WAIT_SPIN,
 * which watches for the answer in the kernel while the woken peer runs
 * on another CPU and this one has nothing else to run; and
 * vmshm-ring-spin, that ring as parent and child
 * run it by default: spinning while the peer last ran on another CPU,
 * yielding to it while it last ran on ours.  With more pairs than vCPUs
 * a spin or a yield that outlived its use would take the CPU from a pair
 * that could run, and the curve shows it.  futex runs a second time, as
 * a control: its ratio to the first is what noise alone makes of two
 * equal transports.  After a warm-up, the round trips of all pairs are
 * counted over a time window.  Each repetition runs every transport, in
 * an order that rotates from one repetition to the next, and the ratios
 * to futex are taken inside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chan.h"
#include "curves.h"
#include "util.h"

#define WAKE_MAX	256
#define WAKE_STACK	(64 << 10)
#define SETTLE_NS	10000000000ULL	/* for the waiters to fall asleep */
#define PAIRS_MAX	64
#define REAP_NS		10000000000ULL	/* for the pairs to end once told */

/**
 * struct wake_pool - the waiters of one point
 * @futex: FUTEX_WAIT on a shared futex, else VMSHM_WAIT
 * @v: the vmshm region (vmshm)
 * @word: the word they sleep on
 * @ready: waits begun, over all wakes: n * (wakes + 1) once all sleep
 * @stop: end the threads at the next wake
 * @err: the first -errno a thread met, 0 if none
 * @n: threads
 * @tid: their thread ids, 0 until they run
 * @th: their handles
 */
struct wake_pool {
	bool futex;
	struct vreg v;
	_Atomic uint32_t *word;
	_Atomic unsigned int ready;
	_Atomic int stop;
	_Atomic int err;
	unsigned int n;
	_Atomic pid_t tid[WAKE_MAX];
	pthread_t th[WAKE_MAX];
};

/**
 * struct wake_arg - what one waiter thread gets
 * @p: its pool
 * @i: its index
 */
struct wake_arg {
	struct wake_pool *p;
	unsigned int i;
};

static long futex_call(_Atomic uint32_t *w, int op, uint32_t val)
{
	return syscall(SYS_futex, (uint32_t *)w, op, val, NULL, NULL, 0);
}

static int pool_wait(struct wake_pool *p, uint32_t seen)
{
	if (p->futex)
		return futex_call(p->word, FUTEX_WAIT, seen) ? -errno : 0;
	return vmshm_wait(p->v.fd, 0, seen, VMSHM_NO_DEADLINE,
			  VMSHM_NO_SLEEPERS, 0);
}

static int pool_wake(struct wake_pool *p)
{
	if (p->futex)
		return futex_call(p->word, FUTEX_WAKE, INT_MAX) < 0 ? -errno : 0;
	return vmshm_wake(p->v.fd, true);
}

static void *wake_thread(void *arg)
{
	struct wake_arg *a = arg;
	struct wake_pool *p = a->p;
	uint32_t seen = 0;
	int ret;

	atomic_store(&p->tid[a->i], gettid());
	for (;;) {
		atomic_fetch_add(&p->ready, 1);
		while (atomic_load_explicit(p->word, memory_order_acquire) == seen) {
			ret = pool_wait(p, seen);
			if (ret && ret != -EAGAIN && ret != -EINTR) {
				atomic_store(&p->err, ret);
				return NULL;
			}
		}
		seen = atomic_load(p->word);
		if (atomic_load(&p->stop))
			return NULL;
	}
}

/* Is the thread asleep ('S'), as /proc/self/task/TID/stat says? */
static bool thread_sleeping(pid_t tid)
{
	char path[64], buf[256], *s;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	s = proc_stat_fields(path, buf, sizeof(buf), NULL);
	return s && *s == 'S';
}

/* Until @want waits have begun and every waiter sleeps. */
static int pool_settle(struct wake_pool *p, unsigned int want)
{
	uint64_t t0 = vmshm_now_ns();
	unsigned int i;

	for (;;) {
		if (atomic_load(&p->err))
			return atomic_load(&p->err);
		for (i = 0; atomic_load(&p->ready) >= want && i < p->n; i++) {
			if (!thread_sleeping(atomic_load(&p->tid[i])))
				break;
		}
		if (atomic_load(&p->ready) >= want && i == p->n)
			return 0;
		if (vmshm_now_ns() - t0 > SETTLE_NS)
			return -ETIMEDOUT;
		usleep(200);
	}
}

static int pool_open(struct wake_pool *p, bool futex, unsigned int n)
{
	char name[VMSHM_NAME_MAX];
	void *mem;
	int ret;

	memset(p, 0, sizeof(*p));
	p->futex = futex;
	p->n = n;
	if (futex) {
		/* Shared, not private, as a vmshm region's word is. */
		mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			return -errno;
		p->word = mem;
		return 0;
	}
	snprintf(name, sizeof(name), "bench-%d-wake", (int)getpid());
	ret = vreg_create(&p->v, name, 4096, 0);
	if (!ret)
		p->word = p->v.mem;
	return ret;
}

static void pool_close(struct wake_pool *p)
{
	if (p->futex)
		munmap((void *)p->word, 4096);
	else
		vreg_close(&p->v);
}

/* Start the threads; returns how many started, or -errno if none could. */
static int pool_start(struct wake_pool *p, struct wake_arg *args)
{
	pthread_attr_t attr;
	unsigned int i;
	int ret = 0;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, WAKE_STACK);
	for (i = 0; i < p->n && !ret; i++) {
		args[i] = (struct wake_arg){ .p = p, .i = i };
		ret = -pthread_create(&p->th[i], &attr, wake_thread, &args[i]);
	}
	pthread_attr_destroy(&attr);
	if (ret)
		p->n = i - 1;
	return ret;
}

/* Tell the threads to end, wake them and join them. */
static int pool_stop(struct wake_pool *p)
{
	unsigned int i;
	int ret;

	atomic_store(&p->stop, 1);
	atomic_fetch_add_explicit(p->word, 1, memory_order_release);
	ret = pool_wake(p);
	for (i = 0; i < p->n; i++)
		pthread_join(p->th[i], NULL);
	return ret ? ret : atomic_load(&p->err);
}

/* @reps timed wakes of @n sleepers (after one untimed), ns per waiter. */
static int wake_point(bool futex, unsigned int n, unsigned int reps,
		      double *v)
{
	static struct wake_pool p;
	static struct wake_arg args[WAKE_MAX];
	unsigned int k;
	uint64_t t0;
	int ret, ret2;

	ret = pool_open(&p, futex, n);
	if (ret)
		return ret;
	ret = pool_start(&p, args);
	for (k = 0; !ret && k <= reps; k++) {
		ret = pool_settle(&p, n * (k + 1));
		if (ret)
			break;
		t0 = vmshm_now_ns();
		atomic_fetch_add_explicit(p.word, 1, memory_order_release);
		ret = pool_wake(&p);
		if (k)
			v[k - 1] = (double)(vmshm_now_ns() - t0) / n;
	}
	ret2 = pool_stop(&p);
	pool_close(&p);
	return ret ? ret : ret2;
}

/**
 * curve_wake() - wake cost against the number of waiters
 * @cfg: the configuration (--quick: 1 to 64 waiters, fewer reps)
 * @c: receives the curve
 *
 * Return: 0 or -errno.
 */
int curve_wake(const struct bench_cfg *cfg, struct curve *c)
{
	unsigned int i, top = cfg->quick ? 64 : WAKE_MAX, s, n;
	double v[CURVE_REPS];
	int ret;

	c->reps = cfg->quick ? 5 : 9;
	c->nr_series = 2;
	c->series[0] = (struct curve_series){ .name = "vmshm",
					      .unit = "ns/waiter" };
	c->series[1] = (struct curve_series){ .name = "futex",
					      .unit = "ns/waiter" };
	for (n = 1; n <= top; n *= cfg->quick ? 4 : 2)
		c->x[c->planned++] = n;
	for (i = 0; i < c->planned; i++) {
		n = c->x[i];
		for (s = 0; s < 2; s++) {
			ret = wake_point(s, n, c->reps, v);
			if (ret) {
				err_msg("curve wake: %u %s waiters: %s", n,
					c->series[s].name, strerror(-ret));
				return ret;
			}
			curve_point(c, s, i, v, c->reps);
		}
		c->nr_points = i + 1;
	}
	return 0;
}

/**
 * struct pairs_ctl - shared by the bench and every pair (MAP_SHARED)
 * @stop: the bench tells the initiators to end
 * @pair: per pair, on its own cache line: @pair.n its round trips so
 *	far, @pair.done set by its initiator between two round trips, before
 *	the last message: only then can the responder end without leaving
 *	the initiator waiting for an answer
 */
struct pairs_ctl {
	_Atomic int stop;
	struct {
		_Alignas(CHAN_LINE) _Atomic uint64_t n;
		_Atomic int done;
	} pair[PAIRS_MAX];
};

static int pair_call(const struct pp_ops *ops, struct end *e)
{
	int ret;

	if (ops->call)
		return ops->call(e);
	ret = ops->send(e);
	return ret ? ret : ops->recv(e);
}

/* One side of pair @i, in its own process: 0 or 1 as exit status. */
static int pair_side(const struct pp_ops *ops, struct end *e, bool initiator,
		     int go, struct pairs_ctl *pc, unsigned int i)
{
	struct end b = { .parent = false, .cfg = e->cfg };
	uint64_t n = 0;
	char buf;
	int ret = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (!initiator) {
		memcpy(b.name, e->name, sizeof(b.name));
		ret = ops->chan.attach(&b);
		e = &b;
	}
	/* Everybody starts when the bench closes its end of the pipe. */
	while (!ret && read(go, &buf, 1) < 0 && errno == EINTR)
		;
	if (!ret && initiator) {
		while (!ret && !atomic_load(&pc->stop)) {
			ret = pair_call(ops, e);
			atomic_store_explicit(&pc->pair[i].n, ++n,
					      memory_order_relaxed);
		}
		atomic_store(&pc->pair[i].done, 1);
		if (!ret)
			ret = ops->send(e);	/* the responder's last wake */
	} else if (!ret) {
		ret = ops->recv(e);
		while (!ret && !atomic_load(&pc->pair[i].done))
			ret = pair_call(ops, e);
	}
	if (ret)
		err_msg("curve pairs: %s pair %u: %s", ops->name, i,
			strerror(-ret));
	return !!ret;
}

static uint64_t pairs_sum(struct pairs_ctl *pc, unsigned int np)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < np; i++)
		sum += atomic_load_explicit(&pc->pair[i].n, memory_order_relaxed);
	return sum;
}

/*
 * Reap the @n children in @pid, and only those, so that no other child
 * of the bench is ever taken for one of them.  Past REAP_NS, kill those
 * left.  Returns the first error: -EIO for a child that failed, or
 * -ETIMEDOUT for one that had to be killed.
 */
static int pairs_reap(pid_t *pid, unsigned int n)
{
	uint64_t t0 = vmshm_now_ns();
	unsigned int i, left = n;
	int status, ret = 0;
	pid_t p;

	while (left) {
		for (i = 0; i < n; i++) {
			if (pid[i] <= 0)
				continue;
			p = waitpid(pid[i], &status, WNOHANG);
			if (p < 0)
				return -errno;
			if (!p)
				continue;
			left--;
			pid[i] = 0;
			/* The first error stands: a hang, not its SIGKILL. */
			if ((!WIFEXITED(status) || WEXITSTATUS(status)) && !ret)
				ret = -EIO;
		}
		if (!left)
			break;
		if (vmshm_now_ns() - t0 > REAP_NS) {
			for (i = 0; i < n; i++)
				if (pid[i] > 0)
					kill(pid[i], SIGKILL);
			if (!ret)
				ret = -ETIMEDOUT;
			t0 = vmshm_now_ns();
		}
		usleep(1000);
	}
	return ret;
}

/* Fork both sides of @np pairs over the channels in @e; start them. */
static int pairs_fork(const struct pp_ops *ops, struct end *e,
		      unsigned int np, struct pairs_ctl *pc, pid_t *pid,
		      unsigned int *nr)
{
	unsigned int i, side;
	int go[2];

	if (pipe(go))
		return -errno;
	fflush(NULL);
	for (i = 0; i < np; i++) {
		for (side = 0; side < 2; side++) {
			pid[*nr] = fork();
			if (pid[*nr] < 0)
				break;
			if (!pid[*nr]) {
				close(go[1]);
				_exit(pair_side(ops, &e[i], !side, go[0], pc, i));
			}
			++*nr;
		}
	}
	close(go[0]);
	close(go[1]);
	if (*nr < 2 * np) {
		atomic_store(&pc->stop, 1);
		return -EAGAIN;
	}
	return 0;
}

/* Round trips per second of @np pairs over @ops. */
static int pairs_rate(const struct bench_cfg *cfg, const struct pp_ops *ops,
		      unsigned int np, struct pairs_ctl *pc, double *rate)
{
	uint64_t warm = cfg->quick ? 50000 : 100000;
	uint64_t win = cfg->quick ? 150000 : 300000;
	static struct end e[PAIRS_MAX];
	pid_t pid[2 * PAIRS_MAX];
	unsigned int i, nr = 0;
	uint64_t c0, t0;
	int ret = 0, ret2;

	memset(pc, 0, sizeof(*pc));
	for (i = 0; i < np && !ret; i++) {
		e[i] = (struct end){ .parent = true, .cfg = cfg };
		snprintf(e[i].name, sizeof(e[i].name), "bench-%d-pair-%u",
			 (int)getpid(), i);
		ret = ops->chan.create(&e[i]);
	}
	if (ret) {
		np = i - 1;
		goto close;
	}
	ret = pairs_fork(ops, e, np, pc, pid, &nr);
	if (!ret) {
		usleep(warm);
		c0 = pairs_sum(pc, np);
		t0 = vmshm_now_ns();
		usleep(win);
		*rate = (pairs_sum(pc, np) - c0) * 1e9 / (vmshm_now_ns() - t0);
		atomic_store(&pc->stop, 1);
	}
	ret2 = pairs_reap(pid, nr);
	ret = ret ? ret : ret2;
close:
	for (i = 0; i < np; i++)
		ops->chan.close(&e[i]);
	return ret;
}

/*
 * The transports of the pairs curve, each with the name of its series of
 * rates and, after the first, of its series of ratios to the first (enum
 * pairs_series).  futex runs twice: the control's ratio to futex is what
 * noise alone makes of two equal transports, the floor under which no
 * other ratio means anything.
 */
static const struct pairs_transport {
	const struct pp_ops *ops;
	const char *name;
	const char *ratio;
} pairs_tr[] = {
	[PAIRS_FUTEX] = { &pp_futex, "futex", NULL },
	[PAIRS_CONTROL] = { &pp_futex, "futex-control", "control-vs-futex" },
	[PAIRS_VMSHM] = { &pp_vmshm_wait_wake, "vmshm-wait-wake",
			  "vmshm-vs-futex" },
	[PAIRS_SPIN] = { &pp_vmshm_wait_spin, "vmshm-wait-spin",
			 "wait-spin-vs-futex" },
	[PAIRS_RING] = { &pp_vmshm_ring_spin, "vmshm-ring-spin",
			 "ring-spin-vs-futex" },
};

/* Transport s >= 1 has its ratio at PAIRS_TR + s - 1 (enum pairs_series). */
#define PAIRS_TR	ARRAY_SIZE(pairs_tr)
_Static_assert(ARRAY_SIZE(pairs_tr) == PAIRS_NR_TR &&
	       2 * ARRAY_SIZE(pairs_tr) - 1 <= CURVE_SERIES,
	       "a series per rate and ratio");

/* One point: @reps repetitions of every transport, the order rotating. */
static int pairs_point(const struct bench_cfg *cfg, struct curve *c,
		       unsigned int i, unsigned int np, struct pairs_ctl *pc)
{
	double v[2 * PAIRS_TR - 1][CURVE_REPS];
	unsigned int k, s, o;
	int ret;

	for (k = 0; k < c->reps; k++) {
		for (o = 0; o < PAIRS_TR; o++) {
			s = (o + k) % PAIRS_TR;
			ret = pairs_rate(cfg, pairs_tr[s].ops, np, pc, &v[s][k]);
			if (ret) {
				err_msg("curve pairs: %u %s pairs: %s", np,
					pairs_tr[s].name, strerror(-ret));
				return ret;
			}
		}
		for (s = 1; s < PAIRS_TR; s++)
			v[PAIRS_TR + s - 1][k] = v[s][k] / v[0][k];
	}
	for (s = 0; s < c->nr_series; s++)
		curve_point(c, s, i, v[s], c->reps);
	return 0;
}

/**
 * curve_pairs() - aggregate round trips per second against pairs
 * @cfg: the configuration (--quick: 1 to 16 pairs, fewer reps)
 * @c: receives the curve
 *
 * Return: 0 or -errno.
 */
int curve_pairs(const struct bench_cfg *cfg, struct curve *c)
{
	unsigned int i, np, top = cfg->quick ? 16 : PAIRS_MAX;
	struct pairs_ctl *pc;
	int ret = 0;

	c->reps = cfg->quick ? 3 : 15;
	c->nr_series = 2 * PAIRS_TR - 1;
	for (i = 0; i < PAIRS_TR; i++)
		c->series[i] = (struct curve_series){
			.name = pairs_tr[i].name, .unit = "round trips/s" };
	for (i = 1; i < PAIRS_TR; i++)
		c->series[PAIRS_TR + i - 1] = (struct curve_series){
			.name = pairs_tr[i].ratio, .unit = "ratio" };
	pc = mmap(NULL, sizeof(*pc), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (pc == MAP_FAILED)
		return -errno;
	for (np = 1; np <= top; np *= cfg->quick ? 4 : 2)
		c->x[c->planned++] = np;
	for (i = 0; i < c->planned && !ret; i++) {
		ret = pairs_point(cfg, c, i, c->x[i], pc);
		if (!ret)
			c->nr_points = i + 1;
	}
	munmap(pc, sizeof(*pc));
	return ret;
}
