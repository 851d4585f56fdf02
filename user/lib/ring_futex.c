// SPDX-License-Identifier: GPL-2.0
/*
 * Futex wait/wake ops for rings in ordinary shared memory: host unit
 * tests, and the "futex" test transport that runs without the module.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ring.h"

static uint64_t futex_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC time. */
static long futex_wait_abs(_Atomic uint32_t *word, uint32_t expected,
			   uint64_t until_ns)
{
	struct timespec ts = {
		.tv_sec = until_ns / 1000000000ULL,
		.tv_nsec = until_ns % 1000000000ULL,
	};

	return syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_BITSET,
		       expected, until_ns ? &ts : NULL, NULL,
		       FUTEX_BITSET_MATCH_ANY);
}

static int ring_futex_wait(void *arg, _Atomic uint32_t *word,
			   uint32_t expected, _Atomic uint32_t *sleepers,
			   uint64_t deadline_ns)
{
	struct ring_futex_ctx *c = arg;
	uint64_t until = deadline_ns;
	int err = 0;

	if (c && c->peer_alive && !c->peer_alive(c->arg))
		return -EPIPE;
	if (c && c->poll_ns) {
		uint64_t tick = futex_now_ns() + c->poll_ns;

		if (!until || tick < until)
			until = tick;
	}
	/* A seq_cst RMW: the full barrier between the mark and the check. */
	atomic_fetch_add(sleepers, 1);
	if (futex_wait_abs(word, expected, until) < 0)
		err = errno;
	atomic_fetch_sub(sleepers, 1);

	if (err == ETIMEDOUT && until != deadline_ns)
		return 0;	/* a poll tick: the caller rechecks */
	if (err == EWOULDBLOCK)
		return -EAGAIN;
	return -err;
}

static int ring_futex_wake(void *arg, _Atomic uint32_t *word)
{
	(void)arg;
	if (syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, INT_MAX,
		    NULL, NULL, 0) < 0)
		return -errno;
	return 0;
}

const struct ring_ops ring_futex_ops = {
	.wait = ring_futex_wait,
	.wake = ring_futex_wake,
};
