// SPDX-License-Identifier: GPL-2.0
/*
 * Streaming: the parent sends every line of the generated text, the child
 * sums each line with user/sum/sum.h and hashes the results.  The time runs
 * from the parent's first send to the child's last result; the child's
 * line count and hash are checked by the caller against a single-process
 * pass over the same text.
 */
#include <errno.h>
#include <string.h>

#include "acct.h"
#include "libvmshm.h"
#include "run.h"
#include "spawn.h"
#include "stream.h"
#include "util.h"

#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL

/**
 * struct st_job - one streaming run
 * @c: its channel, first: the child's functions get the job as a chan;
 *	the child works on a copy made by fork()
 * @ops: the transport
 */
struct st_job {
	struct chan c;
	const struct st_ops *ops;
};

/**
 * sink_init() - an empty sink
 * @k: the sink
 */
void sink_init(struct sink *k)
{
	sum_init(&k->sum);
	k->lines = 0;
	k->hash = FNV_OFFSET;
}

static void sink_hash(struct sink *k, const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		k->hash = (k->hash ^ (unsigned char)p[i]) * FNV_PRIME;
}

/**
 * sink_piece() - feed a piece of a line, as a transport delivered it
 * @k: the sink
 * @p: the bytes, without a newline
 * @len: how many
 * @eol: the piece ends its line: sum it and hash the result line
 */
void sink_piece(struct sink *k, const char *p, size_t len, bool eol)
{
	char out[SUM_RESULT_MAX];
	size_t n;

	sum_feed(&k->sum, p, len);
	if (!eol)
		return;
	n = sum_result(&k->sum, out, sizeof(out));
	out[n++] = '\n';
	sink_hash(k, out, n);
	k->lines++;
}

/**
 * sink_text() - feed bytes holding whole lines, or pieces of lines
 * @k: the sink
 * @p: the bytes; a line may continue in the next call
 * @len: how many
 */
void sink_text(struct sink *k, const char *p, size_t len)
{
	const char *nl;

	while (len) {
		nl = memchr(p, '\n', len);
		if (!nl) {
			sink_piece(k, p, len, false);
			return;
		}
		sink_piece(k, p, nl - p, true);
		len -= nl + 1 - p;
		p = nl + 1;
	}
}

/**
 * sink_lines() - feed whole lines whose lengths the sender found
 * @k: the sink
 * @p: the lines, each ended by '\n'
 * @lens: the length of each, '\n' included
 * @n: how many
 */
void sink_lines(struct sink *k, const char *p, const uint16_t *lens,
		size_t n)
{
	size_t i;

	for (i = 0; i < n; p += lens[i++])
		sink_piece(k, p, lens[i] - 1, true);
}

static int st_child_run(void *arg)
{
	struct st_job *j = arg;
	struct acct_mark m;
	struct sink k;
	int ret;

	sink_init(&k);
	acct_start(&m);
	ret = j->ops->consume(&j->c.e, &k);
	ctl->end_ns = vmshm_now_ns();
	acct_stop(&m, &ctl->acct);
	ctl->acct.ops = k.lines;
	ctl->acct.own = chan_own_sys(&j->c);
	ctl->lines = k.lines;
	ctl->hash = k.hash;
	j->ops->chan.close(&j->c.e);
	if (ret)
		err_msg("%s: consumer: %s", j->ops->name, strerror(-ret));
	return ret;
}

static void st_kstat(struct st_job *j, int64_t *waits, int64_t *wakes)
{
	uint64_t w, k;

	if (j->ops->chan.kstat && !j->ops->chan.kstat(&j->c.e, &w, &k)) {
		*waits = w;
		*wakes = k;
	}
}

/* What the child summed and spent, from the control block, into @res. */
static void st_child_result(struct result *res, uint64_t ns)
{
	res->side[1] = ctl->acct;
	res->side[0].ops = ctl->lines;
	res->n = ctl->lines;
	res->hash = ctl->hash;
	res->ns = ns;
}

/* Produce, wait for the consumer, and fill in @res. */
static int st_measure(struct st_job *j, const char *text, size_t len,
		      struct result *res)
{
	int64_t w0 = 0, k0 = 0, w1 = 0, k1 = 0;
	struct acct_mark m;
	uint64_t t0;
	int ret;

	st_kstat(j, &w0, &k0);
	acct_start(&m);
	t0 = vmshm_now_ns();
	ret = j->ops->produce(&j->c.e, text, len);
	acct_stop(&m, &res->side[0]);
	res->side[0].own = chan_own_sys(&j->c);
	if (ret)
		return ret;
	ret = child_finish(&j->c.child);
	if (ret)
		return ret;
	st_kstat(j, &w1, &k1);
	if (j->ops->chan.kstat) {
		res->kwaits = w1 - w0;
		res->kwakes = k1 - k0;
	}
	st_child_result(res, ctl->end_ns - t0);
	return 0;
}

/**
 * st_run() - stream @text through a transport to a new child
 * @cfg: the configuration
 * @ops: the transport
 * @pl: where the child runs; the parent is on CPU 0
 * @text: the lines
 * @len: their length
 * @res: receives the result; its identity fields are the caller's
 *
 * Return: 0, or -errno after printing why.
 */
int st_run(const struct bench_cfg *cfg, const struct st_ops *ops,
	   enum placement pl, const char *text, size_t len,
	   struct result *res)
{
	static const struct child_fns fns = {
		.attach = chan_child_attach,
		.run = st_child_run,
	};
	struct st_job j = {
		.ops = ops,
		.c = { .ops = &ops->chan, .variant = ops->name,
		       .own_sys = ops->own_sys },
	};
	int ret;

	ret = chan_open(&j.c, cfg, pl, &fns, &j);
	if (ret)
		return ret;
	ret = st_measure(&j, text, len, res);
	chan_close(&j.c, ret);
	return ret;
}

/**
 * st_single() - sum @text in this process: no IPC, the limit
 * @text: the lines
 * @len: their length
 * @res: receives the result
 *
 * Return: 0.
 */
int st_single(const char *text, size_t len, struct result *res)
{
	struct acct_mark m;
	struct sink k;
	uint64_t t0;

	sink_init(&k);
	acct_start(&m);
	t0 = vmshm_now_ns();
	sink_text(&k, text, len);
	res->ns = vmshm_now_ns() - t0;
	acct_stop(&m, &res->side[0]);
	res->side[0].ops = k.lines;
	res->side[0].own = 0;
	res->n = k.lines;
	res->hash = k.hash;
	return 0;
}

/* The job of @res failed at @step of its child: say which (job_run()). */
static int child_failed(const struct result *res, const char *step, int err)
{
	err_msg("%s: %s: %s", res->variant, step, strerror(-err));
	return err;
}

/* The children of the jobs without a transport attach to nothing. */
static int no_attach(void *arg)
{
	(void)arg;
	return 0;
}

/* Keep the other vCPU busy, as a peer that never sleeps would. */
static int busy_run(void *arg)
{
	(void)arg;
	while (!atomic_load_explicit(&ctl->stop, memory_order_relaxed))
		;
	return 0;
}

/**
 * st_single_beside_busy() - st_single() while a process spins on vCPU 1
 * @text: the lines
 * @len: their length
 * @res: receives the result
 *
 * Against st_single() right before it, this says what the other vCPU's
 * being busy costs one that works: nothing on hardware with a core each,
 * a lot when the host runs both vCPU threads on one core's two hardware
 * threads, or time-slices them.  Every pipeline across vCPUs pays it for
 * as long as both sides run.
 *
 * Return: 0, or -errno from starting or reaping the spinner.
 */
int st_single_beside_busy(const char *text, size_t len, struct result *res)
{
	static const struct child_fns fns = {
		.attach = no_attach,
		.run = busy_run,
	};
	struct child c;
	int ret;

	atomic_store(&ctl->stop, 0);
	ret = child_start(&c, placement_cpu(PL_CROSS), &fns, NULL);
	if (ret)
		return child_failed(res, "cannot start a child", ret);
	ret = child_go(&c);
	if (!ret)
		ret = st_single(text, len, res);
	atomic_store(&ctl->stop, 1);
	if (ret)
		child_kill(&c);
	else
		ret = child_finish(&c);
	return ret ? child_failed(res, "the spinner failed", ret) : 0;
}

/**
 * struct st_text - the lines a child sums by itself
 * @text: the lines
 * @len: their length
 */
struct st_text {
	const char *text;
	size_t len;
};

static int consumer_like_run(void *arg)
{
	const struct st_text *s = arg;
	struct result r;

	st_single(s->text, s->len, &r);
	ctl->acct = r.side[0];
	ctl->ns = r.ns;
	ctl->lines = r.n;
	ctl->hash = r.hash;
	return 0;
}

/**
 * st_single_as_consumer() - st_single() where a consumer across vCPUs runs
 * @text: the lines
 * @len: their length
 * @res: receives the result
 *
 * The same pass, in a child forked and pinned to vCPU 1 as st_run()'s
 * consumer is, with vCPU 0 idle.  Against st_single() right before it,
 * this says how fast the host runs the consumer's vCPU, with no transport
 * at all: a pipeline across vCPUs can beat the single process only by the
 * work its producer takes off the consumer, and only if this is 1.0.
 *
 * Return: 0, or -errno from starting or reaping the child.
 */
int st_single_as_consumer(const char *text, size_t len, struct result *res)
{
	static const struct child_fns fns = {
		.attach = no_attach,
		.run = consumer_like_run,
	};
	struct st_text s = { .text = text, .len = len };
	struct child c;
	int ret;

	memset(ctl, 0, sizeof(*ctl));
	ret = child_start(&c, placement_cpu(PL_CROSS), &fns, &s);
	if (ret)
		return child_failed(res, "cannot start a child", ret);
	ret = child_go(&c);
	if (ret)
		child_kill(&c);
	else
		ret = child_finish(&c);
	if (ret)
		return child_failed(res, "the child failed", ret);
	res->side[0].own = 0;
	st_child_result(res, ctl->ns);
	return 0;
}
