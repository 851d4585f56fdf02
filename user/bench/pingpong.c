// SPDX-License-Identifier: GPL-2.0
/*
 * Ping-pong: the parent sends an empty message, the child answers it;
 * the parent times a batch of round trips between two clock reads.
 *
 * Each batch ends after cfg->rts round trips or when its time bound runs
 * out, whichever comes first, and the time per round trip is taken over
 * the round trips completed.  The bound is cfg->slow_cap_ns for the
 * variants that are pathological in this placement (the lab's usleep()
 * flags, a spin on one vCPU), a generous safety net for the others.
 *
 * The parent ends the child by setting ctl->stop and sending one more
 * message; the child then writes what it spent into ctl and exits.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "acct.h"
#include "libvmshm.h"
#include "run.h"
#include "spawn.h"
#include "util.h"

#define PP_CLOCK_EVERY	64	/* round trips between clock reads */

/**
 * struct pp_job - one ping-pong batch
 * @c: its channel, first: the child's functions get the job as a chan;
 *	the child works on a copy made by fork()
 * @ops: the transport
 */
struct pp_job {
	struct chan c;
	const struct pp_ops *ops;
};

/* Send a message and wait for the answer, in one call if the ops can. */
static int pp_call(struct pp_job *j)
{
	int ret;

	if (j->ops->call)
		return j->ops->call(&j->c.e);
	ret = j->ops->send(&j->c.e);
	return ret ? ret : j->ops->recv(&j->c.e);
}

static int pp_child_run(void *arg)
{
	struct pp_job *j = arg;
	struct acct_mark m;
	uint64_t n = 0;
	int ret;

	acct_start(&m);
	/* Each answer goes out with the wait for the next message. */
	ret = j->ops->recv(&j->c.e);
	while (!ret && !atomic_load(&ctl->stop)) {
		ret = pp_call(j);
		n += !ret;
	}
	acct_stop(&m, &ctl->acct);
	ctl->acct.ops = n;
	ctl->acct.own = chan_own_sys(&j->c);
	j->ops->chan.close(&j->c.e);
	if (ret)
		err_msg("%s: child: %s", j->ops->name, strerror(-ret));
	return ret;
}

/*
 * Up to @n round trips, fewer if @cap_ns runs out; the clock is read every
 * @every round trips only: on a guest whose clocksource has no vDSO mode
 * (hpet) every read is a system call.
 */
static int pp_batch(struct pp_job *j, uint64_t n, uint64_t cap_ns,
		    unsigned int every, uint64_t *done, uint64_t *ns)
{
	uint64_t t0 = vmshm_now_ns(), i = 0;
	int ret = 0;

	while (i < n) {
		ret = pp_call(j);
		if (ret)
			break;
		if (++i % every == 0 && vmshm_now_ns() - t0 >= cap_ns)
			break;
	}
	*ns = vmshm_now_ns() - t0;
	*done = i;
	return ret;
}

static bool pp_slow(const struct pp_ops *ops, enum placement pl)
{
	return ops->flags & PP_SLOW_ALWAYS ||
	       (ops->flags & PP_SLOW_SAME && pl == PL_SAME);
}

static int pp_kstat(struct pp_job *j, uint64_t *waits, uint64_t *wakes)
{
	*waits = *wakes = 0;
	return j->ops->chan.kstat ? j->ops->chan.kstat(&j->c.e, waits, wakes) : 0;
}

static int pp_measure(const struct bench_cfg *cfg, struct pp_job *j,
		      enum placement pl, struct result *res)
{
	bool slow = pp_slow(j->ops, pl);
	uint64_t cap = slow ? cfg->slow_cap_ns : cfg->cap_ns;
	unsigned int every = slow ? 1 : PP_CLOCK_EVERY;
	uint64_t w0, k0, w1, k1, n, ns;
	struct acct_mark m;
	int64_t own0;
	int ret;

	ret = pp_batch(j, cfg->warmup, cap / 10, every, &n, &ns);
	if (!ret)
		ret = pp_kstat(j, &w0, &k0);
	if (ret)
		return ret;
	own0 = chan_own_sys(&j->c);
	acct_start(&m);
	ret = pp_batch(j, cfg->rts, cap, every, &res->n, &res->ns);
	acct_stop(&m, &res->side[0]);
	res->side[0].ops = res->n;
	res->side[0].own = own0 < 0 ? -1 : chan_own_sys(&j->c) - own0;
	res->capped = res->n < cfg->rts;
	if (!ret && j->ops->chan.kstat && !pp_kstat(j, &w1, &k1)) {
		res->kwaits = w1 - w0;
		res->kwakes = k1 - k0;
	}
	if (ret)
		return ret;
	atomic_store(&ctl->stop, 1);
	return j->ops->send(&j->c.e);
}

/**
 * pp_run() - one ping-pong batch in a new child
 * @cfg: the configuration
 * @ops: the transport
 * @pl: where the child runs; the parent is on CPU 0
 * @res: receives the result; its identity fields are the caller's
 *
 * Return: 0, or -errno after printing why.
 */
int pp_run(const struct bench_cfg *cfg, const struct pp_ops *ops,
	   enum placement pl, struct result *res)
{
	static const struct child_fns fns = {
		.attach = chan_child_attach,
		.run = pp_child_run,
	};
	struct pp_job j = {
		.ops = ops,
		.c = { .ops = &ops->chan, .variant = ops->name,
		       .own_sys = ops->own_sys },
	};
	int ret;

	ret = chan_open(&j.c, cfg, pl, &fns, &j);
	if (ret)
		return ret;
	ret = pp_measure(cfg, &j, pl, res);
	if (!ret) {
		ret = child_finish(&j.c.child);
		res->side[1] = ctl->acct;
	}
	chan_close(&j.c, ret);
	return ret;
}
