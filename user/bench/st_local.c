// SPDX-License-Identifier: GPL-2.0
/*
 * "ring-1proc": the vmshm transport's ring (one record per line, as
 * vmshm-ring) with its producer and consumer in one process, taking turns
 * without ever sleeping: the ring's own cost per line, with no system
 * call, no second process and no /dev/vmshm.  Against single-process it
 * isolates what the ring adds; against vmshm-ring, what IPC adds.  It also
 * runs on a host without the module, under valgrind.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acct.h"
#include "libvmshm.h"
#include "run.h"
#include "spawn.h"
#include "stream.h"

#define LOCAL_CAP	(512U << 10)	/* the vmshm transport's forward ring */

/* Consume everything published; 0 once empty or at end of stream. */
static int local_drain(struct ring *rx, struct sink *k)
{
	struct ring_rec rec;
	int ret;

	while (!(ret = ring_peek(rx, &rec, RING_NOWAIT))) {
		sink_piece(k, rec.data, rec.len, true);
		ret = ring_consume(rx);
		if (ret)
			return ret;
	}
	return ret == -EAGAIN || ret == RING_EOF ? 0 : ret;
}

static int local_stream(struct ring *tx, struct ring *rx, const char *text,
			size_t len, struct sink *k)
{
	const char *p = text, *end = text + len, *next;
	size_t n;
	int ret;

	while (p < end) {
		next = line_next(p, end, &n);
		ret = ring_push(tx, 1, p, n, RING_NOWAIT);
		if (!ret) {
			p = next;
			continue;
		}
		if (ret != -EAGAIN)
			return ret;
		ret = ring_flush(tx);
		if (!ret)
			ret = local_drain(rx, k);
		if (ret)
			return ret;
	}
	ret = ring_close(tx);
	return ret ? ret : local_drain(rx, k);
}

static int local_rings(struct ring_shared **sh, unsigned char **data,
		       struct ring *tx, struct ring *rx)
{
	*sh = aligned_alloc(RING_CACHELINE, sizeof(**sh));
	*data = malloc(LOCAL_CAP);
	if (!*sh || !*data)
		return -ENOMEM;
	/* Touch the data now, as the region's pages are before a run. */
	memset(*data, 0, LOCAL_CAP);
	ring_format(*sh, LOCAL_CAP);
	ring_init(tx, *sh, *data, LOCAL_CAP, true, &ring_futex_ops, NULL);
	return ring_init(rx, *sh, *data, LOCAL_CAP, false, &ring_futex_ops,
			 NULL);
}

/**
 * st_local() - stream @text through a ring inside this process
 * @text: the lines
 * @len: their length
 * @res: receives the result
 *
 * Return: 0 or -errno.
 */
int st_local(const char *text, size_t len, struct result *res)
{
	struct ring_shared *sh;
	unsigned char *data;
	struct acct_mark m;
	struct ring tx, rx;
	struct sink k;
	uint64_t t0;
	int ret;

	ret = local_rings(&sh, &data, &tx, &rx);
	if (!ret) {
		sink_init(&k);
		acct_start(&m);
		t0 = vmshm_now_ns();
		ret = local_stream(&tx, &rx, text, len, &k);
		res->ns = vmshm_now_ns() - t0;
		acct_stop(&m, &res->side[0]);
		res->n = k.lines;
		res->side[0].ops = k.lines;
		res->side[0].own = 0;
		res->hash = k.hash;
	}
	free(sh);
	free(data);
	return ret;
}
