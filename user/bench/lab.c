// SPDX-License-Identifier: GPL-2.0
/*
 * The lab's posix-flags protocol (user/sum/posix_flags.c through xport.h),
 * as a ping-pong transport (an empty line each way) and as a streaming one
 * (one line per handshake: that is the protocol).  Its waits poll with
 * usleep(1000), about 1-2 ms a message: its batches are bounded by time.
 */
#include <errno.h>

#include "chan.h"
#include "stream.h"
#include "xport.h"

static int lab_send(struct end *e)
{
	struct xport *x = e->priv;

	return x->ops->send(x, "", 0, true);
}

static int lab_recv(struct end *e)
{
	struct xport *x = e->priv;
	struct xport_piece pc;
	int ret = x->ops->recv(x, &pc, 0);

	if (ret)
		return ret == XPORT_EOF ? -EPIPE : ret;
	return x->ops->recv_done(x);
}

const struct pp_ops pp_flags = {
	.name = "posix-flags",
	.flags = PP_SLOW_ALWAYS,
	.chan = { .create = lab_create, .attach = lab_attach,
		  .close = lab_close },
	.send = lab_send,
	.recv = lab_recv,
};

static int lab_produce(struct end *e, const char *text, size_t len)
{
	struct xport *x = e->priv;
	const char *p = text, *end = text + len, *next;
	size_t n;
	int ret;

	for (; p < end; p = next) {
		next = line_next(p, end, &n);
		ret = x->ops->send(x, p, n, true);
		if (ret)
			return ret;
	}
	return x->ops->close(x);
}

/**
 * st_xport_consume() - receive pieces from a struct xport into @k, as the
 *	child does (whole lines at once where the transport has them)
 * @e: the child's side; e->priv is the struct xport
 * @k: the sink
 *
 * The piece stays valid until recv_done(): it is fed before.
 *
 * Return: 0 at end of stream, or -errno.
 */
int st_xport_consume(struct end *e, struct sink *k)
{
	struct xport *x = e->priv;
	struct xport_piece pc;
	int ret;

	for (;;) {
		ret = x->ops->recv(x, &pc, XPORT_LINES);
		if (ret == XPORT_EOF)
			return 0;
		if (ret)
			return ret;
		if (pc.lines)
			sink_lines(k, pc.data, pc.lens, pc.nlines);
		else
			sink_piece(k, pc.data, pc.len, pc.eol);
		ret = x->ops->recv_done(x);
		if (ret)
			return ret;
	}
}

const struct st_ops st_flags = {
	.name = "posix-flags",
	.chan = { .create = lab_create, .attach = lab_attach,
		  .close = lab_close },
	.produce = lab_produce,
	.consume = st_xport_consume,
};
