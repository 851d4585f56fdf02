// SPDX-License-Identifier: GPL-2.0
/*
 * Ring transports: two rings in one shared region (lib/ring.h), the
 * forward one for lines, the reverse one for interactive results.
 *
 * Framing.  Whole lines go into XREC_LINES records, each line ended by
 * '\n', as many as fit in XRING_CHUNK bytes with the table of their
 * lengths that closes the record (below): the record stays reserved in
 * the ring while lines are appended, and is committed when the next line
 * does not fit, on flush() and on close().  The sender finds every line
 * anyway, to count them and to stop at an empty one; the table hands
 * what it found to the receiver, which then parses each line without
 * looking for its end again.  The sender calls flush() as
 * soon as its input has nothing more to give at once (the parent after
 * each read() of stdin, the child after each result), so a line typed at
 * a terminal still goes out at once.  A line too long for a chunk, or
 * sent in pieces, goes as XREC_PART records while more follows and an
 * XREC_LINE record last, as it did before there were chunks.
 *
 * The region comes from /dev/vmshm ("vmshm": kernel waits, peer-gone as
 * -EPIPE and EPOLLHUP) or from POSIX shm ("futex": futex waits, peer death
 * seen by polling cfg->peer_alive; for host tests only).  The receiver's
 * account (struct xport_status) sits in the pair header's user area.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libvmshm.h"
#include "util.h"
#include "xport.h"

#define XREC_PART		1	/* a piece of a line, more follows */
#define XREC_LINE		2	/* the last piece of a line */
#define XREC_LINES		4	/* whole lines and their lengths */
#define XRING_CHUNK		4096U	/* most bytes of an XREC_LINES record */

/*
 * An XREC_LINES record: the lines' text, a zero byte if that is odd, each
 * line's length ('\n' included) as a u16, and then how many lines, a u16.
 * XRING_TAB(n) bounds what follows the text of @n lines.
 */
#define XRING_TAB(n)		(2U * (n) + 3U)
#define XRING_MODE		0600
#define XRING_REV_CAP_MAX	65536U
#define XRING_FUTEX_POLL_NS	100000000ULL	/* peer check, futex only */

_Static_assert(XPORT_SPIN_DEFAULT == RING_SPIN_DEFAULT,
	       "the transport's default spin is the ring's");
_Static_assert(sizeof(struct xport_status) <= RING_PAIR_USER,
	       "the account fits the pair header's user area");

/**
 * struct xring - a ring transport endpoint
 * @x: the transport
 * @tx: the ring we send on
 * @rx: the ring we receive from
 * @chunk: sender: the XREC_LINES record being filled, reserved in @tx, or
 *	NULL
 * @chunk_len: its bytes of text so far
 * @chunk_cap: its reserved size
 * @chunk_lines: its lines so far
 * @lens: their lengths, for the table that closes the record
 * @mid_line: sender: a piece of a line went out, its end has not
 * @lines: receiver: what is left of the XREC_LINES record being read, or
 *	NULL when the current record is not one
 * @lines_left: its bytes
 * @rlens: the lengths of its lines left, in @rlens_copy
 * @rlines_left: how many
 * @rlens_copy: the record's table, as checked: the sender cannot change
 *	where a line ends once we have checked it
 * @took_all: recv() handed out every line left in it (XPORT_LINES), not
 *	just the next one, for recv_done()
 */
struct xring {
	struct xport x;
	struct ring tx;
	struct ring rx;
	char *chunk;
	uint32_t chunk_len;
	uint32_t chunk_cap;
	uint32_t chunk_lines;
	uint16_t lens[XRING_CHUNK / 2];
	bool mid_line;
	const char *lines;
	uint32_t lines_left;
	const uint16_t *rlens;
	uint32_t rlines_left;
	uint16_t rlens_copy[XRING_CHUNK / 2];
	bool took_all;
	void *mem;
	size_t size;
	int fd;
	bool creator;
	bool futex;
	volatile sig_atomic_t *stop;
	char shm_name[VMSHM_NAME_MAX + 1];
	struct vmshm_ring_ctx vctx;
	struct ring_futex_ctx fctx;
};

static struct xring *to_xring(struct xport *x)
{
	return container_of(x, struct xring, x);
}

static bool xring_stopped(const struct xring *r)
{
	return !r->stop || *r->stop;
}

static int xring_map_vmshm(struct xring *r, const struct xport_cfg *cfg)
{
	uint64_t size, page = sysconf(_SC_PAGESIZE);
	int fd, ret;

	fd = vmshm_open();
	if (fd < 0)
		return fd;
	if (r->creator) {
		size = (cfg->region_size + page - 1) & ~(page - 1);
		ret = vmshm_create(fd, cfg->name, size, XRING_MODE,
				   VMSHM_CREATE_TRANSIENT, NULL);
	} else {
		ret = vmshm_attach(fd, cfg->name, 0, &size, NULL);
	}
	if (ret)
		goto err_close;
	ret = vmshm_map(fd, size, PROT_READ | PROT_WRITE, &r->mem);
	if (ret)
		goto err_close;
	r->fd = fd;
	r->size = size;
	vmshm_ring_ctx_init(&r->vctx, fd, r->mem, size, true);
	r->x.poll_fd = fd;
	return 0;

err_close:
	close(fd);
	return ret;
}

static int xring_shm_open(struct xring *r, uint64_t *size)
{
	struct stat st;
	int fd, ret;

	if (r->creator)
		fd = shm_open(r->shm_name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
			      XRING_MODE);
	else
		fd = shm_open(r->shm_name, O_RDWR | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (r->creator ? ftruncate(fd, *size) : fstat(fd, &st))
		goto err_close;
	if (!r->creator)
		*size = st.st_size;
	return fd;

err_close:
	ret = -errno;
	close(fd);
	if (r->creator)
		shm_unlink(r->shm_name);
	return ret;
}

static int xring_map_futex(struct xring *r, const struct xport_cfg *cfg)
{
	uint64_t size = cfg->region_size;
	void *p;
	int fd, ret;

	if (snprintf(r->shm_name, sizeof(r->shm_name), "/%s", cfg->name) >=
	    (int)sizeof(r->shm_name))
		return -ENAMETOOLONG;
	fd = xring_shm_open(r, &size);
	if (fd < 0)
		return fd;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		goto err_close;
	}
	r->mem = p;
	r->size = size;
	r->fd = fd;
	r->fctx.peer_alive = cfg->peer_alive;
	r->fctx.arg = cfg->peer_arg;
	r->fctx.poll_ns = XRING_FUTEX_POLL_NS;
	r->x.poll_fd = -1;
	return 0;

err_close:
	close(fd);
	if (r->creator)
		shm_unlink(r->shm_name);
	return ret;
}

/* The reverse ring carries one short result per line: 1/8, at most 64K. */
static uint32_t xring_rev_cap(size_t size)
{
	uint64_t want = size > RING_PAIR_DATA ? (size - RING_PAIR_DATA) / 8 : 0;
	uint32_t cap = RING_MIN_CAP;

	while (cap * 2ULL <= want && cap < XRING_REV_CAP_MAX)
		cap *= 2;
	return cap;
}

static const struct xport_ops xring_ops;

static int xring_setup(const struct xport_cfg *cfg, bool creator,
		       struct xport **x)
{
	struct xring *r = calloc(1, sizeof(*r));
	void *ctx;
	int ret;

	if (!r)
		return -ENOMEM;
	r->x.ops = &xring_ops;
	r->x.kind = cfg->kind;
	r->creator = creator;
	r->futex = !strcmp(cfg->kind, "futex");
	r->stop = cfg->stop;
	ret = r->futex ? xring_map_futex(r, cfg) : xring_map_vmshm(r, cfg);
	if (ret)
		goto err_free;
	if (!cfg->lazy)
		xport_populate(r->mem, r->size);
	if (creator) {
		ret = ring_pair_format(r->mem, r->size, xring_rev_cap(r->size));
		if (ret)
			goto err_unmap;
	}
	ctx = r->futex ? (void *)&r->fctx : (void *)&r->vctx;
	ret = ring_pair_open(r->mem, r->size, creator,
			     r->futex ? &ring_futex_ops : &vmshm_ring_ops, ctx,
			     &r->tx, &r->rx);
	if (ret)
		goto err_unmap;
	ring_set_spin(&r->tx, cfg->spin);
	ring_set_spin(&r->rx, cfg->spin);
	r->x.size = r->size;
	r->x.status = (struct xport_status *)((struct ring_pair_shared *)r->mem)->user;
	*x = &r->x;
	return 0;

err_unmap:
	r->x.ops->destroy(&r->x);
	return ret;
err_free:
	free(r);
	return ret;
}

/**
 * xport_ring_create() - create a ring channel ("vmshm" or "futex")
 * @cfg: its configuration; cfg->region_size is rounded up to pages
 * @x: receives the endpoint
 *
 * A vmshm region is created VMSHM_CREATE_TRANSIENT, mode 0600, so that it
 * disappears with its last user even after a crash.
 *
 * Return: 0 or -errno.
 */
int xport_ring_create(const struct xport_cfg *cfg, struct xport **x)
{
	return xring_setup(cfg, true, x);
}

/**
 * xport_ring_attach() - attach to a ring channel by name
 * @cfg: its configuration
 * @x: receives the endpoint
 *
 * Return: 0, -EPROTO if the region holds no ring pair, or -errno.
 */
int xport_ring_attach(const struct xport_cfg *cfg, struct xport **x)
{
	return xring_setup(cfg, false, x);
}

/*
 * Close the chunk being filled, if any, with its table, and commit it;
 * published on the next flush.
 */
static int xring_seal(struct xring *r)
{
	uint32_t len;
	uint16_t n;
	int ret;

	if (!r->chunk)
		return 0;
	len = r->chunk_len;
	if (len % 2)
		r->chunk[len++] = '\0';
	n = r->chunk_lines;
	memcpy(r->chunk + len, r->lens, sizeof(n) * n);
	len += sizeof(n) * n;
	memcpy(r->chunk + len, &n, sizeof(n));
	ret = ring_commit(&r->tx, XREC_LINES, len + sizeof(n));
	r->chunk = NULL;
	return ret;
}

/* Whether the open chunk takes @len more bytes of text as one more line. */
static bool xring_fits(const struct xring *r, size_t len)
{
	return r->chunk &&
	       r->chunk_len + len + XRING_TAB(r->chunk_lines + 1) <= r->chunk_cap;
}

/*
 * The payload of a chunk: at most a quarter of the ring, so that a small
 * ring keeps pipelining.
 */
static uint32_t xring_chunk_cap(struct xring *r)
{
	uint32_t cap = ring_max_payload(&r->tx) / 4;

	return cap < XRING_CHUNK ? cap : XRING_CHUNK;
}

/*
 * Reserve a new chunk; 0, or 1 when chunks cannot carry a line of @len
 * bytes, '\n' included.
 */
static int xring_open_chunk(struct xring *r, size_t len)
{
	uint32_t cap = xring_chunk_cap(r);
	void *p;
	int ret;

	if (len + XRING_TAB(1) > cap)
		return 1;
	do {
		ret = ring_reserve(&r->tx, cap, &p, 0);
	} while (ret == -EINTR && !xring_stopped(r));
	if (ret)
		return ret;
	r->chunk = p;
	r->chunk_len = 0;
	r->chunk_cap = cap;
	r->chunk_lines = 0;
	return 0;
}

/* A whole line into the chunk; 1 if it must go as records of its own. */
static int xring_append(struct xring *r, const char *buf, size_t len)
{
	int ret;

	if (!xring_fits(r, len + 1)) {
		ret = xring_seal(r);
		if (!ret)
			ret = xring_open_chunk(r, len + 1);
		if (ret)
			return ret;
	}
	memcpy(r->chunk + r->chunk_len, buf, len);
	r->chunk[r->chunk_len + len] = '\n';
	r->chunk_len += len + 1;
	r->lens[r->chunk_lines++] = len + 1;
	return 0;
}

static int xring_send(struct xport *x, const char *buf, size_t len, bool eol)
{
	struct xring *r = to_xring(x);
	uint32_t max = ring_max_payload(&r->tx);
	int ret;

	if (eol && !r->mid_line) {
		ret = xring_append(r, buf, len);
		if (ret <= 0)
			return ret;
	}
	ret = xring_seal(r);
	if (ret)
		return ret;
	r->mid_line = !eol;
	for (;;) {
		size_t n = len < max ? len : max;
		bool last = n == len;

		if (last && !n && !eol)
			return 0;
		ret = ring_push(&r->tx, last && eol ? XREC_LINE : XREC_PART,
				buf, n, 0);
		if (ret == -EINTR && !xring_stopped(r))
			continue;
		if (ret || last)
			return ret;
		buf += n;
		len -= n;
	}
}

/* @len bytes of lines the chunk's table already counts. */
static void xring_copy(struct xring *r, const char *buf, size_t len)
{
	if (len) {
		memcpy(r->chunk + r->chunk_len, buf, len);
		r->chunk_len += len;
	}
}

/*
 * The run of whole, non-empty lines at the start of @buf, found with one
 * memchr() a line and copied into chunks with one memcpy() a chunk.
 */
static ssize_t xring_send_lines(struct xport *x, const char *buf, size_t len,
				uint64_t *lines)
{
	struct xring *r = to_xring(x);
	const char *s = buf, *run = buf, *end = buf + len, *nl;
	size_t n;
	int ret;

	if (r->mid_line)
		return -EINVAL;
	while (s < end && *s != '\n') {
		nl = memchr(s, '\n', end - s);
		if (!nl)
			break;
		n = nl + 1 - s;
		if (!xring_fits(r, s - run + n)) {
			xring_copy(r, run, s - run);
			run = s;
			ret = xring_seal(r);
			if (!ret)
				ret = xring_open_chunk(r, n);
			if (ret > 0) {
				/* Longer than a chunk: records of its own. */
				ret = xring_send(x, s, n - 1, true);
				run = nl + 1;
			}
			if (ret)
				return ret;
		}
		if (run <= s)	/* in a chunk, not sent on its own */
			r->lens[r->chunk_lines++] = n;
		++*lines;
		s = nl + 1;
	}
	xring_copy(r, run, s - run);
	return s - buf;
}

static int xring_flush(struct xport *x)
{
	struct xring *r = to_xring(x);
	int ret = xring_seal(r);

	return ret ? ret : ring_flush(&r->tx);
}

static int xring_close(struct xport *x)
{
	struct xring *r = to_xring(x);
	int ret = xring_seal(r);

	return ret ? ret : ring_close(&r->tx);
}

/*
 * Check an XREC_LINES record's table against its text, and start reading
 * it.  The lengths are trusted to split the text where the sender found
 * each '\n'; they are checked to stay inside it and end at a '\n'.  Each
 * is read once from the shared memory, into r->rlens_copy: what was
 * checked is what bounds every read of the text.
 */
static int xring_open_lines(struct xring *r, const struct ring_rec *rec)
{
	const char *d = rec->data;
	uint32_t text = 0, tab, i;
	uint16_t n, len;

	if (rec->len < sizeof(n) || rec->len % 2)
		return -EBADMSG;
	memcpy(&n, d + rec->len - sizeof(n), sizeof(n));
	if (!n || n > ARRAY_SIZE(r->rlens_copy) || XRING_TAB(n) - 1 > rec->len)
		return -EBADMSG;
	tab = rec->len - (XRING_TAB(n) - 1);
	for (i = 0; i < n; i++) {
		memcpy(&len, d + tab + sizeof(len) * i, sizeof(len));
		text += len;
		if (!len || text > tab || d[text - 1] != '\n')
			return -EBADMSG;
		r->rlens_copy[i] = len;
	}
	if (text + text % 2 != tab)
		return -EBADMSG;
	r->lines = d;
	r->lines_left = text;
	r->rlens = r->rlens_copy;
	r->rlines_left = n;
	return 0;
}

/*
 * The next line of the XREC_LINES record being read or, with XPORT_LINES,
 * every line left in it.
 */
static void xring_next_line(struct xring *r, struct xport_piece *p,
			    unsigned int flags)
{
	p->data = r->lines;
	p->eol = true;
	p->lines = flags & XPORT_LINES;
	if (p->lines) {
		p->len = r->lines_left;
		p->lens = r->rlens;
		p->nlines = r->rlines_left;
		r->took_all = true;
	} else {
		p->len = r->rlens[0] - 1;
		r->took_all = false;
	}
}

static int xring_recv(struct xport *x, struct xport_piece *p,
		      unsigned int flags)
{
	struct xring *r = to_xring(x);
	struct ring_rec rec;
	int ret;

	if (!r->lines) {
		do {
			ret = ring_peek(&r->rx, &rec,
					flags & XPORT_NOWAIT ? RING_NOWAIT : 0);
		} while (ret == -EINTR && !xring_stopped(r));
		if (ret == RING_EOF)
			return XPORT_EOF;
		if (ret)
			return ret;
		if (rec.type == XREC_LINES) {
			ret = xring_open_lines(r, &rec);
			if (ret)
				return ret;
		} else if (rec.type == XREC_PART || rec.type == XREC_LINE) {
			p->data = rec.data;
			p->len = rec.len;
			p->eol = rec.type == XREC_LINE;
			p->lines = false;
			return 0;
		} else {
			return -EBADMSG;
		}
	}
	xring_next_line(r, p, flags);
	return 0;
}

static int xring_recv_done(struct xport *x)
{
	struct xring *r = to_xring(x);

	if (r->lines) {
		if (!r->took_all) {
			r->lines += r->rlens[0];
			r->lines_left -= r->rlens[0];
			r->rlens++;
			if (--r->rlines_left)
				return 0;
		}
		r->lines = NULL;
	}
	return ring_consume(&r->rx);
}

static int xring_peer_ready(struct xport *x)
{
	struct xring *r = to_xring(x);

	if (!r->futex || !r->creator || !r->shm_name[0])
		return 0;
	if (shm_unlink(r->shm_name))
		return -errno;
	r->shm_name[0] = '\0';
	return 0;
}

static void xring_stats(struct xport *x, char *buf, size_t size)
{
	struct xring *r = to_xring(x);
	const struct ring_stats *t = &r->tx.stats, *v = &r->rx.stats;

	xport_format_stats(buf, size, t->records, v->records,
			   t->waits + v->waits, t->wakes + v->wakes,
			   t->wakes_skipped + v->wakes_skipped, v->spin_hits);
}

/**
 * xport_ring_sys() - system calls a ring transport's waiting and waking made
 * @x: a "vmshm" or "futex" endpoint
 *
 * Return: the count for this side, both rings (see ring_syscalls()).
 */
int64_t xport_ring_sys(struct xport *x)
{
	struct xring *r = to_xring(x);

	return ring_syscalls(&r->tx) + ring_syscalls(&r->rx);
}

static void xring_destroy(struct xport *x)
{
	struct xring *r = to_xring(x);

	if (r->futex && r->creator && r->shm_name[0])
		shm_unlink(r->shm_name);
	munmap(r->mem, r->size);
	close(r->fd);
	free(r);
}

static const struct xport_ops xring_ops = {
	.send = xring_send,
	.send_lines = xring_send_lines,
	.flush = xring_flush,
	.close = xring_close,
	.recv = xring_recv,
	.recv_done = xring_recv_done,
	.peer_ready = xring_peer_ready,
	.stats = xring_stats,
	.destroy = xring_destroy,
};
