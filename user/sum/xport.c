// SPDX-License-Identifier: GPL-2.0
/*
 * Transport selection by name, and the receiver's account in the channel.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "xport.h"

/**
 * xport_kind_valid() - is @kind a transport name?
 * @kind: "vmshm", "futex" or "posix-flags"
 *
 * Return: true if so.
 */
bool xport_kind_valid(const char *kind)
{
	return !strcmp(kind, "vmshm") || !strcmp(kind, "futex") ||
	       !strcmp(kind, "posix-flags");
}

/**
 * xport_format_stats() - the -v counters, one vocabulary for all transports
 * @buf: receives one line, "sent=N received=N waits=N ..."
 * @size: room in @buf
 * @sent: records (pieces of lines, end of stream) this side sent
 * @received: records it received
 * @waits: times it slept waiting for the peer: a VMSHM_WAIT or FUTEX_WAIT
 *	call, or one usleep() poll of posix-flags
 * @wakes: wake calls it made for a sleeping peer (VMSHM_WAKE, FUTEX_WAKE)
 * @wakes_skipped: publishes that found the peer awake and made no call
 * @spin_hits: --spin polls or yields that found work and saved a wait
 *
 * vmshm-parent(1) and vmshm-child(1) document the same words.
 */
void xport_format_stats(char *buf, size_t size, uint64_t sent,
			uint64_t received, uint64_t waits, uint64_t wakes,
			uint64_t wakes_skipped, uint64_t spin_hits)
{
	snprintf(buf, size,
		 "sent=%llu received=%llu waits=%llu wakes=%llu wakes_skipped=%llu spin_hits=%llu",
		 (unsigned long long)sent, (unsigned long long)received,
		 (unsigned long long)waits, (unsigned long long)wakes,
		 (unsigned long long)wakes_skipped,
		 (unsigned long long)spin_hits);
}

/**
 * xport_send_lines() - queue the whole, non-empty lines at the start of @buf
 * @x: the sending side, with no line half sent
 * @buf: bytes read, at the start of a line
 * @len: how many
 * @lines: incremented by each line queued, also when an error comes after
 *	some
 *
 * The run stops before an empty line and before a line @buf does not end;
 * send those with ->send().  The ring transports pack the run into records
 * with one copy per record, and find each line once: the receiver gets
 * their lengths with them (struct xport_piece).
 *
 * Return: the run's bytes, '\n's included (0 when @buf starts with an
 * empty or unended line), -EOPNOTSUPP if the transport sends line by line
 * only (posix-flags), -EINVAL if a line is half sent, or the transport's
 * -errno.
 */
ssize_t xport_send_lines(struct xport *x, const char *buf, size_t len,
			 uint64_t *lines)
{
	if (!x->ops->send_lines)
		return -EOPNOTSUPP;
	return x->ops->send_lines(x, buf, len, lines);
}

/**
 * xport_create() - create a channel, as the parent
 * @cfg: kind, name, size, ...
 * @x: receives the endpoint
 *
 * Return: 0, -EINVAL for an unknown kind, or the transport's -errno.
 */
int xport_create(const struct xport_cfg *cfg, struct xport **x)
{
	if (!xport_kind_valid(cfg->kind))
		return -EINVAL;
	if (!strcmp(cfg->kind, "posix-flags"))
		return posix_flags_create(cfg, x);
	return xport_ring_create(cfg, x);
}

/**
 * xport_attach() - attach to a channel by name, as the child
 * @cfg: kind and name
 * @x: receives the endpoint
 *
 * Return: 0, -EINVAL for an unknown kind, or the transport's -errno.
 */
int xport_attach(const struct xport_cfg *cfg, struct xport **x)
{
	if (!xport_kind_valid(cfg->kind))
		return -EINVAL;
	if (!strcmp(cfg->kind, "posix-flags"))
		return posix_flags_attach(cfg, x);
	return xport_ring_attach(cfg, x);
}

/**
 * xport_set_status() - publish the receiver's account, as the child
 * @x: the attached endpoint
 * @st: the account
 *
 * @st->state goes last, with release ordering: a reader that sees it sees
 * the counts that came with it.  Never waits.
 */
void xport_set_status(struct xport *x, const struct xport_status *st)
{
	struct xport_status *sh = x->status;

	__atomic_store_n(&sh->lines, st->lines, __ATOMIC_RELAXED);
	__atomic_store_n(&sh->results, st->results, __ATOMIC_RELAXED);
	__atomic_store_n(&sh->state, st->state, __ATOMIC_RELEASE);
}

/**
 * xport_get_status() - read the receiver's account, as the parent
 * @x: the creating endpoint
 * @st: receives the account
 *
 * Exact once the receiver's side has gone; while it runs, a snapshot.
 *
 * Return: 0, or -EBADMSG for a state no receiver writes.
 */
int xport_get_status(struct xport *x, struct xport_status *st)
{
	const struct xport_status *sh = x->status;

	st->state = __atomic_load_n(&sh->state, __ATOMIC_ACQUIRE);
	st->lines = __atomic_load_n(&sh->lines, __ATOMIC_RELAXED);
	st->results = __atomic_load_n(&sh->results, __ATOMIC_RELAXED);
	st->__reserved = 0;
	return st->state < __XPORT_STATE_MAX ? 0 : -EBADMSG;
}

/**
 * xport_populate() - fault a channel's mapping in now, writable
 * @mem: the mapping
 * @size: its length
 *
 * So that no page fault lands on the data path: a fresh ring otherwise
 * takes one per page and side on its first pass (0.0038 a message in the
 * bench's ping-pong, 0.0007 a streamed line).  Best effort: where it
 * fails (before Linux 5.14, or short of memory now) the pages fault in on
 * first touch, as they would without it.
 */
void xport_populate(void *mem, size_t size)
{
	(void)madvise(mem, size, MADV_POPULATE_WRITE);
}
