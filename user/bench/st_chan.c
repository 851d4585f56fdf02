// SPDX-License-Identifier: GPL-2.0
/*
 * Streaming transports:
 *
 *   vmshm-ring        the ring pair of parent and child: one record per
 *                     line (as user/sum/xport_ring.c frames them), published
 *                     in batches of a quarter ring, a wake only for a
 *                     sleeping peer
 *   vmshm-ring-chunk  the same ring, but each record carries as many whole
 *                     lines as fit in RING_CHUNK bytes, as a producer that
 *                     reads its input in blocks can send them
 *   vmshm-xport       the product itself: user/sum/xport_ring.c, which
 *                     packs whole lines into records of up to 4 KiB, fed
 *                     as the parent feeds it: the lines of each 64 KiB
 *                     block of input, counted, then sent at once and
 *                     flushed; spinning as the parent does by default
 *   pipe              one write() per line, as a line-buffered stdio
 *                     stream does, read 64 KiB at a time
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "chan.h"
#include "stream.h"
#include "util.h"
#include "xport.h"

#define PIPE_READ_SIZE	65536
#define RING_CHUNK	4096

static int sring_produce(struct end *e, const char *text, size_t len)
{
	struct ring_chan *c = e->priv;
	const char *p = text, *end = text + len, *next;
	size_t n;
	int ret;

	for (; p < end; p = next) {
		next = line_next(p, end, &n);
		ret = ring_push(&c->tx, 1, p, n, 0);
		if (ret)
			return ret;
	}
	return ring_close(&c->tx);
}

/* A record is one line (@lines false) or whole lines with their '\n's. */
static int sring_drain(struct end *e, struct sink *k, bool lines)
{
	struct ring_chan *c = e->priv;
	struct ring_rec rec;
	int ret;

	for (;;) {
		ret = ring_peek(&c->rx, &rec, 0);
		if (ret == RING_EOF)
			return 0;
		if (ret == -EINTR)
			continue;
		if (ret)
			return ret;
		if (lines)
			sink_text(k, rec.data, rec.len);
		else
			sink_piece(k, rec.data, rec.len, true);
		ret = ring_consume(&c->rx);
		if (ret)
			return ret;
	}
}

static int sring_consume(struct end *e, struct sink *k)
{
	return sring_drain(e, k, false);
}

const struct st_ops st_ring = {
	.name = "vmshm-ring",
	.chan = { .create = ring_chan_create, .attach = ring_chan_attach,
		  .kstat = ring_chan_kstat, .close = ring_chan_close },
	.produce = sring_produce,
	.consume = sring_consume,
	.own_sys = ring_chan_sys,
};

/* Whole lines, at most @max bytes unless a single line is longer. */
static size_t chunk_len(const char *p, const char *end, size_t max)
{
	const char *nl;

	if ((size_t)(end - p) <= max)
		return end - p;
	nl = memrchr(p, '\n', max);
	return nl ? (size_t)(nl + 1 - p) : max;
}

static int schunk_produce(struct end *e, const char *text, size_t len)
{
	struct ring_chan *c = e->priv;
	const char *p = text, *end = text + len;
	size_t n;
	int ret;

	for (; p < end; p += n) {
		n = chunk_len(p, end, RING_CHUNK);
		ret = ring_push(&c->tx, 1, p, n, 0);
		if (ret)
			return ret;
	}
	return ring_close(&c->tx);
}

static int schunk_consume(struct end *e, struct sink *k)
{
	return sring_drain(e, k, true);
}

const struct st_ops st_ring_chunk = {
	.name = "vmshm-ring-chunk",
	.chan = { .create = ring_chan_create, .attach = ring_chan_attach,
		  .kstat = ring_chan_kstat, .close = ring_chan_close },
	.produce = schunk_produce,
	.consume = schunk_consume,
	.own_sys = ring_chan_sys,
};

#define XPORT_BLOCK	65536	/* the parent's read() size (IN_BUF_SIZE) */

static int sxport_open(struct end *e, bool create)
{
	const struct xport_cfg cfg = {
		.kind = "vmshm",
		.name = e->name,
		.region_size = e->cfg->ring_size,
		.spin = XPORT_SPIN_DEFAULT,
	};
	struct xport *x;
	int ret;

	ret = create ? xport_create(&cfg, &x) : xport_attach(&cfg, &x);
	if (ret)
		return ret;
	e->priv = x;
	return 0;
}

static int sxport_create(struct end *e)
{
	return sxport_open(e, true);
}

static int sxport_attach(struct end *e)
{
	return sxport_open(e, false);
}

static void sxport_close(struct end *e)
{
	struct xport *x = e->priv;

	if (x)
		x->ops->destroy(x);
	e->priv = NULL;
}

static int64_t sxport_sys(struct end *e)
{
	return xport_ring_sys(e->priv);
}

/*
 * Each block's lines, counted and sent at once, then a flush, as the
 * parent's read_input() and send_lines() do.  The input has no empty line.
 */
static int sxport_produce(struct end *e, const char *text, size_t len)
{
	struct xport *x = e->priv;
	const char *p = text, *end = text + len;
	uint64_t lines = 0;
	ssize_t n;
	int ret;

	while (p < end) {
		n = xport_send_lines(x, p, chunk_len(p, end, XPORT_BLOCK), &lines);
		if (n <= 0)
			return n ? n : -EINVAL;
		p += n;
		ret = x->ops->flush(x);
		if (ret)
			return ret;
	}
	return x->ops->close(x);
}

const struct st_ops st_xport = {
	.name = "vmshm-xport",
	.chan = { .create = sxport_create, .attach = sxport_attach,
		  .close = sxport_close },
	.produce = sxport_produce,
	.consume = st_xport_consume,
	.own_sys = sxport_sys,
};

/* fd[0]: the parent's write end; fd[1]: the child's read end. */
static int spipe_prefork(struct end *e)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	e->fd[0] = p[1];
	e->fd[1] = p[0];
	return 0;
}

static int spipe_create(struct end *e)
{
	close(e->fd[1]);
	e->fd[1] = -1;
	return 0;
}

static int spipe_attach(struct end *e)
{
	close(e->fd[0]);
	e->fd[0] = -1;
	return 0;
}

static void spipe_close(struct end *e)
{
	if (e->fd[0] >= 0)
		close(e->fd[0]);
	if (e->fd[1] >= 0)
		close(e->fd[1]);
}

static int spipe_produce(struct end *e, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *next;
	size_t n;
	int ret;

	for (; p < end; p = next) {
		next = line_next(p, end, &n);
		e->nsys++;
		ret = write_all(e->fd[0], p, next - p);
		if (ret)
			return ret;
	}
	close(e->fd[0]);
	e->fd[0] = -1;
	return 0;
}

static int spipe_consume(struct end *e, struct sink *k)
{
	static char buf[PIPE_READ_SIZE];
	ssize_t n;

	for (;;) {
		e->nsys++;
		n = read(e->fd[1], buf, sizeof(buf));
		if (!n)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0)
			sink_text(k, buf, n);
	}
}

const struct st_ops st_pipe = {
	.name = "pipe",
	.chan = { .prefork = spipe_prefork, .create = spipe_create,
		  .attach = spipe_attach, .close = spipe_close },
	.produce = spipe_produce,
	.consume = spipe_consume,
};
