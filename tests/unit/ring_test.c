// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the SPSC ring (user/lib/ring.c) over plain memory:
 * layout, full/empty, record size limits, wrap-around and padding, counter
 * wrap past 2^32, batching and wakeup suppression, the wait protocol,
 * peer death, corruption, a random model check, and futex stress runs
 * across threads and processes.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "ring.h"
#include "vmshm_util.h"
#include "xorshift.h"

/* A fake wait/wake: records the calls, returns a canned result. */
struct fake {
	struct ring_shared *sh;
	struct ring *prod;	/* pushed from inside wait(), if set */
	int wait_ret;
	int waits;
	int wakes;
	_Atomic uint32_t *word;
	uint32_t expected;
	_Atomic uint32_t *sleepers;
	uint32_t head_at_wait;
	uint32_t tail_at_wait;
};

static int fake_wait(void *ctx, _Atomic uint32_t *word, uint32_t expected,
		     _Atomic uint32_t *sleepers, uint64_t deadline_ns)
{
	struct fake *f = ctx;

	(void)deadline_ns;
	f->waits++;
	f->word = word;
	f->expected = expected;
	f->sleepers = sleepers;
	f->head_at_wait = f->sh->head;
	f->tail_at_wait = f->sh->tail;
	if (f->prod) {
		ring_push(f->prod, 9, "late", 4, RING_NOWAIT);
		ring_flush(f->prod);
		f->prod = NULL;
	}
	return f->wait_ret;
}

static int fake_wake(void *ctx, _Atomic uint32_t *word)
{
	struct fake *f = ctx;

	(void)word;
	f->wakes++;
	return 0;
}

static const struct ring_ops fake_ops = {
	.wait = fake_wait,
	.wake = fake_wake,
};

struct tring {
	struct ring_shared *sh;
	unsigned char *data;
	struct ring p;
	struct ring c;
	struct fake f;
};

static void tring_setup(struct __test_metadata *_metadata, struct tring *t,
			uint32_t cap)
{
	memset(t, 0, sizeof(*t));
	t->sh = aligned_alloc(RING_CACHELINE, sizeof(*t->sh));
	t->data = aligned_alloc(RING_CACHELINE, cap);
	memset(t->data, 0xa5, cap);
	ASSERT_EQ(0, ring_format(t->sh, cap));
	t->f.sh = t->sh;
	t->f.wait_ret = -ETIMEDOUT;
	ASSERT_EQ(0,
		  ring_init(&t->p, t->sh, t->data, cap, true, &fake_ops, &t->f));
	ASSERT_EQ(0,
		  ring_init(&t->c, t->sh, t->data, cap, false, &fake_ops, &t->f));
}

static void tring_free(struct tring *t)
{
	free(t->sh);
	free(t->data);
}

static void fill(void *buf, uint32_t len, uint32_t seed)
{
	unsigned char *p = buf;
	uint32_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(seed * 31 + i * 7 + (i >> 8));
}

static bool same(const void *buf, uint32_t len, uint32_t seed)
{
	const unsigned char *p = buf;
	uint32_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (unsigned char)(seed * 31 + i * 7 + (i >> 8)))
			return false;
	return true;
}

static int push_seed(struct ring *r, uint32_t type, uint32_t len,
		     uint32_t seed, unsigned int flags)
{
	void *p;
	int ret = ring_reserve(r, len, &p, flags);

	if (ret)
		return ret;
	fill(p, len, seed);
	return ring_commit(r, type, len);
}

/* Push one record of @seed, waiting for room, and publish it. */
static int send_seed(struct ring *r, uint32_t type, uint32_t len,
		     uint32_t seed)
{
	return push_seed(r, type, len, seed, 0) ?: ring_flush(r);
}

/* Peek, check and consume one record. */
static void pop_check(struct __test_metadata *_metadata, struct ring *r,
		      uint32_t type, uint32_t len, uint32_t seed)
{
	struct ring_rec rec;
	int ret = ring_peek(r, &rec, RING_NOWAIT);

	ASSERT_EQ(0, ret);
	ASSERT_EQ(type, rec.type);
	ASSERT_EQ(len, rec.len);
	ASSERT_TRUE(same(rec.data, len, seed));
	ASSERT_EQ(0, ring_consume(r));
}

TEST(ring_layout)
{
	EXPECT_EQ(320, sizeof(struct ring_shared));
	EXPECT_EQ(64, offsetof(struct ring_shared, head));
	EXPECT_EQ(128, offsetof(struct ring_shared, tail));
	EXPECT_EQ(192, offsetof(struct ring_shared, cons_sleepers));
	EXPECT_EQ(256, offsetof(struct ring_shared, prod_sleepers));
	EXPECT_EQ(64, offsetof(struct ring_pair_shared, ring));
	EXPECT_TRUE(sizeof(struct ring_pair_shared) <= RING_PAIR_DATA);
#if defined(__x86_64__)
	/* Callers allocate struct ring: libvmshm.so.1 keeps its size. */
	EXPECT_EQ(176, sizeof(struct ring));
#endif
}

TEST(ring_format_and_init_checks)
{
	struct ring_shared *sh = aligned_alloc(RING_CACHELINE, sizeof(*sh));
	static unsigned char data[4096];
	struct ring r;

	EXPECT_EQ(-EINVAL, ring_format(sh, 0));
	EXPECT_EQ(-EINVAL, ring_format(sh, 32));
	EXPECT_EQ(-EINVAL, ring_format(sh, 96));
	EXPECT_EQ(0, ring_format(sh, RING_MAX_CAP));
	memset(sh, 0, sizeof(*sh));
	EXPECT_EQ(-EPROTO,
		  ring_init(&r, sh, data, sizeof(data), true, &fake_ops, NULL));
	EXPECT_EQ(0, ring_format(sh, 4096));
	sh->version = 2;
	EXPECT_EQ(-EPROTO,
		  ring_init(&r, sh, data, sizeof(data), true, &fake_ops, NULL));
	ring_format(sh, 4096);
	EXPECT_EQ(-EBADMSG,
		  ring_init(&r, sh, data, 2048, true, &fake_ops, NULL));
	sh->cap = 100;
	EXPECT_EQ(-EBADMSG,
		  ring_init(&r, sh, data, sizeof(data), true, &fake_ops, NULL));
	ring_format(sh, 4096);
	sh->head = 4104;
	EXPECT_EQ(-EBADMSG,
		  ring_init(&r, sh, data, sizeof(data), false, &fake_ops, NULL));
	sh->head = 12;
	EXPECT_EQ(-EBADMSG,
		  ring_init(&r, sh, data, sizeof(data), false, &fake_ops, NULL));
	sh->head = 4096;
	EXPECT_EQ(0,
		  ring_init(&r, sh, data, sizeof(data), false, &fake_ops, NULL));
	EXPECT_EQ(0, r.pos);
	EXPECT_EQ(4096, r.peer);
	free(sh);
}

TEST(ring_empty_then_flush)
{
	struct tring t;
	struct ring_rec rec;

	tring_setup(_metadata, &t, 1024);
	EXPECT_EQ(-EAGAIN, ring_peek(&t.c, &rec, RING_NOWAIT));
	EXPECT_EQ(0, ring_push(&t.p, 7, "hello", 5, 0));
	/* Not published before a flush (batch is cap / 4). */
	EXPECT_EQ(0, t.sh->head);
	EXPECT_EQ(-EAGAIN, ring_peek(&t.c, &rec, RING_NOWAIT));
	EXPECT_EQ(0, ring_flush(&t.p));
	EXPECT_EQ(16, t.sh->head);
	EXPECT_EQ(0, ring_peek(&t.c, &rec, RING_NOWAIT));
	EXPECT_EQ(7, rec.type);
	EXPECT_EQ(5, rec.len);
	EXPECT_TRUE(!memcmp(rec.data, "hello", 5));
	/* Peeking again returns the same record. */
	EXPECT_EQ(0, ring_peek(&t.c, &rec, RING_NOWAIT));
	EXPECT_EQ(5, rec.len);
	EXPECT_EQ(0, ring_consume(&t.c));
	EXPECT_EQ(-EAGAIN, ring_peek(&t.c, &rec, RING_NOWAIT));
	/* The empty peek released the tail before it would sleep. */
	EXPECT_EQ(16, t.sh->tail);
	/* Zero-length records are fine. */
	EXPECT_EQ(0, ring_push(&t.p, 0, "", 0, 0));
	EXPECT_EQ(0, ring_flush(&t.p));
	pop_check(_metadata, &t.c, 0, 0, 0);
	tring_free(&t);
}

TEST(ring_full_and_eos_slot)
{
	struct tring t;
	struct ring_rec rec;
	int n = 0, i;

	tring_setup(_metadata, &t, 256);
	while (push_seed(&t.p, 1, 8, n, RING_NOWAIT) == 0)
		n++;
	/* 16-byte records, 8 bytes always kept for end-of-stream. */
	EXPECT_EQ(15, n);
	EXPECT_EQ(-EAGAIN, push_seed(&t.p, 1, 8, 0, RING_NOWAIT));
	/* A full ring can still be closed, without waiting. */
	EXPECT_EQ(0, ring_close(&t.p));
	EXPECT_EQ(0, t.f.waits);
	EXPECT_EQ(248, t.sh->head);
	for (i = 0; i < n; i++)
		pop_check(_metadata, &t.c, 1, 8, i);
	EXPECT_EQ(RING_EOF, ring_peek(&t.c, &rec, RING_NOWAIT));
	EXPECT_EQ(RING_EOF, ring_peek(&t.c, &rec, 0));
	EXPECT_EQ(248, t.sh->tail);
	EXPECT_EQ(0, ring_close(&t.p));
	tring_free(&t);
}

TEST(ring_record_too_large)
{
	struct ring_rec rec;
	struct tring t;
	void *p;

	tring_setup(_metadata, &t, 256);
	EXPECT_EQ(240, ring_max_payload(&t.p));
	EXPECT_EQ(-EMSGSIZE, ring_reserve(&t.p, 241, &p, 0));
	EXPECT_EQ(-EMSGSIZE, ring_reserve(&t.p, UINT32_MAX, &p, 0));
	EXPECT_EQ(0, push_seed(&t.p, 2, 240, 5, RING_NOWAIT));
	EXPECT_EQ(-EAGAIN, push_seed(&t.p, 2, 0, 0, RING_NOWAIT));
	EXPECT_EQ(0, ring_flush(&t.p));
	pop_check(_metadata, &t.c, 2, 240, 5);
	/* The big record was released at once: it exceeds the batch. */
	EXPECT_EQ(248, t.sh->tail);
	/*
	 * A maximal record at a non-zero offset pads to the end first, and
	 * must wait until the consumer has skipped and released that pad.
	 */
	EXPECT_EQ(-EAGAIN, push_seed(&t.p, 2, 240, 6, RING_NOWAIT));
	EXPECT_EQ(256, t.p.pos);
	EXPECT_EQ(0, ring_flush(&t.p));
	EXPECT_EQ(-EAGAIN, ring_peek(&t.c, &rec, RING_NOWAIT));
	EXPECT_EQ(256, t.sh->tail);
	EXPECT_EQ(0, push_seed(&t.p, 2, 240, 6, RING_NOWAIT));
	EXPECT_EQ(0, ring_flush(&t.p));
	EXPECT_EQ(256 + 248, t.sh->head);
	pop_check(_metadata, &t.c, 2, 240, 6);
	tring_free(&t);
}

TEST(ring_wrap_with_padding)
{
	uint32_t seq = 0, len, pads = 0, bytes = 0, before;
	struct tring t;
	int i;

	tring_setup(_metadata, &t, 256);
	for (i = 0; i < 2000; i++) {
		len = (i * 37) % 120;
		before = t.p.pos;
		ASSERT_EQ(0, push_seed(&t.p, 3, len, seq, RING_NOWAIT));
		if (t.p.pos - before != 8 + ((len + 7) & ~7U))
			pads++;
		bytes += t.p.pos - before;
		ring_flush(&t.p);
		pop_check(_metadata, &t.c, 3, len, seq++);
	}
	EXPECT_TRUE(pads > 100);
	EXPECT_EQ(bytes, t.p.pos);
	tring_free(&t);
}

TEST(ring_counter_wraps_past_2_32)
{
	struct tring t;
	uint32_t seq = 0, i;

	tring_setup(_metadata, &t, 512);
	t.sh->head = 0xffffff00U;
	t.sh->tail = 0xffffff00U;
	ring_init(&t.p, t.sh, t.data, 512, true, &fake_ops, &t.f);
	ring_init(&t.c, t.sh, t.data, 512, false, &fake_ops, &t.f);
	for (i = 0; i < 300; i++) {
		ASSERT_EQ(0, push_seed(&t.p, 4, i % 50, i, RING_NOWAIT));
		if (i % 3 == 2) {
			ring_flush(&t.p);
			for (; seq <= i; seq++)
				pop_check(_metadata, &t.c, 4, seq % 50, seq);
		}
	}
	EXPECT_TRUE(t.sh->head < 0x10000U);
	tring_free(&t);
}

TEST(ring_batching_and_wake_suppression)
{
	struct tring t;
	int i;

	tring_setup(_metadata, &t, 4096);
	ring_set_batch(&t.p, 4096);
	ring_set_batch(&t.c, 4096);
	for (i = 0; i < 10; i++)
		push_seed(&t.p, 5, 20, i, 0);
	EXPECT_EQ(0, t.sh->head);
	EXPECT_EQ(0, ring_flush(&t.p));
	EXPECT_EQ(320, t.sh->head);	/* 20 bytes pad to 24, plus 8 */
	EXPECT_EQ(1, t.p.stats.publishes);
	EXPECT_EQ(1, t.p.stats.wakes_skipped);
	EXPECT_EQ(0, t.f.wakes);
	/* A consumer marked sleeping gets exactly one wake per publish. */
	t.sh->cons_sleepers = 1;
	push_seed(&t.p, 5, 20, 10, 0);
	push_seed(&t.p, 5, 20, 11, 0);
	ring_flush(&t.p);
	ring_flush(&t.p);
	EXPECT_EQ(1, t.f.wakes);
	EXPECT_EQ(12, t.p.stats.records);
	t.sh->cons_sleepers = 0;

	for (i = 0; i < 12; i++)
		pop_check(_metadata, &t.c, 5, 20, i);
	EXPECT_EQ(0, t.sh->tail);	/* consumer batches its releases too */
	t.sh->prod_sleepers = 1;
	EXPECT_EQ(0, ring_release(&t.c));
	EXPECT_EQ(384, t.sh->tail);
	EXPECT_EQ(2, t.f.wakes);

	/* Batch 0: every commit publishes. */
	ring_set_batch(&t.p, 0);
	push_seed(&t.p, 5, 1, 0, 0);
	EXPECT_EQ(384 + 16, t.sh->head);
	tring_free(&t);
}

TEST(ring_wait_protocol)
{
	struct ring_rec rec;
	struct tring t;
	int n = 0;

	tring_setup(_metadata, &t, 256);
	ring_set_batch(&t.c, 256);
	push_seed(&t.p, 1, 8, 0, 0);
	ring_flush(&t.p);
	pop_check(_metadata, &t.c, 1, 8, 0);
	EXPECT_EQ(0, t.sh->tail);
	/* Consumer: releases, then waits on head with its sleepers word. */
	EXPECT_EQ(-ETIMEDOUT, ring_peek(&t.c, &rec, 0));
	EXPECT_EQ(1, t.f.waits);
	EXPECT_TRUE(t.f.word == &t.sh->head);
	EXPECT_TRUE(t.f.sleepers == &t.sh->cons_sleepers);
	EXPECT_EQ(16, t.f.expected);
	EXPECT_EQ(16, t.f.tail_at_wait);

	/* Producer: publishes, then waits on tail with its own word. */
	while (push_seed(&t.p, 1, 8, n, RING_NOWAIT) == 0)
		n++;
	t.f.wait_ret = -EINTR;
	EXPECT_EQ(-EINTR, push_seed(&t.p, 1, 8, 0, 0));
	EXPECT_TRUE(t.f.word == &t.sh->tail);
	EXPECT_TRUE(t.f.sleepers == &t.sh->prod_sleepers);
	EXPECT_EQ(16, t.f.expected);
	EXPECT_EQ(t.p.pos, t.f.head_at_wait);

	/* A bounded spin runs before each wait, the peer's CPU unknown. */
	t.sh->cons_cpu = 0;
	ring_set_spin(&t.p, 5);
	EXPECT_EQ(-EINTR, push_seed(&t.p, 1, 8, 0, 0));
	EXPECT_EQ(5, t.p.stats.spins);
	EXPECT_EQ(3, t.f.waits);
	/* It missed: the budget halves, down to 5 >> RING_SPIN_SHIFT_MAX. */
	EXPECT_EQ(-EINTR, push_seed(&t.p, 1, 8, 0, 0));
	EXPECT_EQ(5 + 2, t.p.stats.spins);
	for (n = 0; n < RING_SPIN_SHIFT_MAX + 2; n++)
		EXPECT_EQ(-EINTR, push_seed(&t.p, 1, 8, 0, 0));
	EXPECT_EQ(RING_SPIN_SHIFT_MAX, t.p.spin_shift);
	EXPECT_EQ(5 + 2 + 1, t.p.stats.spins);
	tring_free(&t);
}

/* The producer of a tring, answering late, and what tail was by then. */
struct late {
	struct tring *t;
	uint32_t tail_seen;
	int ret;
};

static void *late_fn(void *arg)
{
	struct late *l = arg;

	/* By now the consumer spins: a few microseconds after its peek. */
	usleep(50000);
	l->tail_seen = atomic_load(&l->t->sh->tail);
	l->ret = send_seed(&l->t->p, 1, 8, 3);
	return NULL;
}

/*
 * A consumer with little unreleased spins without releasing: the release,
 * with its fence, would only delay the spin.  The producer has room.
 */
TEST(ring_spins_before_release)
{
	struct late l = { .ret = -1 };
	struct ring_rec rec;
	struct tring t;
	pthread_t thr;

	tring_setup(_metadata, &t, 256);
	push_seed(&t.p, 1, 8, 1, 0);
	ring_flush(&t.p);
	pop_check(_metadata, &t.c, 1, 8, 1);
	t.sh->prod_cpu = 0;		/* the peer's CPU unknown: spin */
	ring_set_spin(&t.c, 1U << 30);
	l.t = &t;
	ASSERT_EQ(0, pthread_create(&thr, NULL, late_fn, &l));
	ASSERT_EQ(0, ring_peek(&t.c, &rec, 0));
	pthread_join(thr, NULL);
	EXPECT_EQ(0, l.ret);
	EXPECT_TRUE(rec.len == 8 && same(rec.data, 8, 3));
	EXPECT_EQ(0, l.tail_seen);
	EXPECT_EQ(1, t.c.stats.spin_hits);
	EXPECT_EQ(0, t.f.waits);
	/* A RING_NOWAIT peek that finds nothing releases at once. */
	ASSERT_EQ(0, ring_consume(&t.c));
	EXPECT_EQ(-EAGAIN, ring_peek(&t.c, &rec, RING_NOWAIT));
	EXPECT_EQ(32, t.sh->tail);
	tring_free(&t);
}

/* Pin the caller to the CPU it runs on; returns that CPU plus one. */
static uint32_t pin_here(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return 0;
	return sched_getcpu() == cpu ? (uint32_t)cpu + 1 : 0;
}

/*
 * Pin us, then set up @t with a consumer set to spin, and send and consume
 * one record of @seed: the producer's tag then says it ran on our CPU,
 * which @here gets (plus one).  Restore @saved at the end.
 */
static void tring_beside(struct __test_metadata *_metadata, struct tring *t,
			 cpu_set_t *saved, uint32_t *here, uint32_t seed)
{
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(*saved), saved));
	*here = pin_here();
	ASSERT_NE(0, *here);
	tring_setup(_metadata, t, 256);
	ring_set_spin(&t->c, 50);
	push_seed(&t->p, 1, 8, seed, 0);
	ring_flush(&t->p);
	/* Publishing stored where from. */
	ASSERT_EQ(*here, t->sh->prod_cpu);
	pop_check(_metadata, &t->c, 1, 8, seed);
}

/*
 * A peer last seen on our own CPU cannot answer while we spin: the side
 * yields to it instead, and with nobody to run, every yield returns.
 */
TEST(ring_yields_beside_peer)
{
	cpu_set_t saved;
	struct ring_rec rec;
	struct tring t;
	uint32_t here, n;

	tring_beside(_metadata, &t, &saved, &here, 0);
	EXPECT_EQ(-ETIMEDOUT, ring_peek(&t.c, &rec, 0));
	/* Released before the sleep, not before the yields. */
	EXPECT_EQ(16, t.f.tail_at_wait);
	EXPECT_EQ(0, t.c.stats.spins);
	EXPECT_EQ(RING_YIELDS, t.c.yields);
	EXPECT_EQ(0, t.c.stats.spin_hits);
	EXPECT_EQ(1, t.f.waits);
	/* The wait and each yield were a system call. */
	EXPECT_EQ(1 + RING_YIELDS, ring_syscalls(&t.c));
	/* It missed: the budget halves, down to one yield. */
	EXPECT_EQ(-ETIMEDOUT, ring_peek(&t.c, &rec, 0));
	EXPECT_EQ(RING_YIELDS + RING_YIELDS / 2, t.c.yields);
	for (n = 0; n < RING_SPIN_SHIFT_MAX + 1; n++)
		EXPECT_EQ(-ETIMEDOUT, ring_peek(&t.c, &rec, 0));
	EXPECT_EQ(RING_SPIN_SHIFT_MAX, t.c.spin_shift);
	EXPECT_EQ(RING_YIELDS + RING_YIELDS / 2 + RING_SPIN_SHIFT_MAX + 1,
		  t.c.yields);
	EXPECT_EQ(0, t.c.stats.spins);
	EXPECT_EQ(RING_SPIN_SHIFT_MAX + 3, t.f.waits);
	/* Elsewhere (any other tag), it spins. */
	ring_set_spin(&t.c, 50);
	t.sh->prod_cpu = here + 1;
	n = t.c.yields;
	EXPECT_EQ(-ETIMEDOUT, ring_peek(&t.c, &rec, 0));
	EXPECT_EQ(50, t.c.stats.spins);
	EXPECT_EQ(n, t.c.yields);
	/* No spin set: neither. */
	ring_set_spin(&t.c, 0);
	t.sh->prod_cpu = here;
	EXPECT_EQ(-ETIMEDOUT, ring_peek(&t.c, &rec, 0));
	EXPECT_EQ(n, t.c.yields);
	EXPECT_EQ(0, t.c.stats.spin_hits);
	EXPECT_EQ(RING_SPIN_SHIFT_MAX + 5, t.f.waits);
	tring_free(&t);
	sched_setaffinity(0, sizeof(saved), &saved);
}

/* The producer of a tring, runnable on the consumer's CPU. */
struct yielder {
	struct tring *t;
	cpu_set_t cpu;
	int ret;
};

/* Once the consumer has released its record, answer with the next one. */
static void *yielder_fn(void *arg)
{
	struct yielder *y = arg;

	y->ret = pthread_setaffinity_np(pthread_self(), sizeof(y->cpu),
					&y->cpu);
	if (y->ret)
		return NULL;
	while (!atomic_load(&y->t->sh->tail))
		sched_yield();
	y->ret = send_seed(&y->t->p, 1, 8, 2);
	return NULL;
}

/*
 * A peer that is runnable on our CPU gets it from the yield and answers:
 * nobody sleeps, and nobody wakes anybody.  The consumer releases before
 * it yields only when the producer could be short of room; over half the
 * ring unreleased makes it so here, and tells the producer when to answer.
 */
TEST(ring_yield_hands_over)
{
	struct yielder y = { .ret = -1 };
	cpu_set_t saved;
	struct ring_rec rec;
	struct tring t;
	pthread_t thr;
	uint32_t here, n;

	tring_beside(_metadata, &t, &saved, &here, 1);
	ring_set_batch(&t.c, 256);
	for (n = 0; n < 8; n++) {
		push_seed(&t.p, 1, 8, n, 0);
		ring_flush(&t.p);
		pop_check(_metadata, &t.c, 1, 8, n);
	}
	/* Not released yet: 144 bytes are, more than half of 256. */
	EXPECT_EQ(0, t.sh->tail);
	y.t = &t;
	CPU_ZERO(&y.cpu);
	CPU_SET(here - 1, &y.cpu);
	ASSERT_EQ(0, pthread_create(&thr, NULL, yielder_fn, &y));
	/* Releases, then yields to the producer instead of sleeping. */
	ASSERT_EQ(0, ring_peek(&t.c, &rec, 0));
	EXPECT_TRUE(rec.len == 8 && same(rec.data, 8, 2));
	pthread_join(thr, NULL);
	EXPECT_EQ(0, y.ret);
	EXPECT_EQ(0, t.f.waits);
	EXPECT_EQ(0, t.f.wakes);
	EXPECT_EQ(1, t.c.stats.spin_hits);
	EXPECT_LE(1, t.c.yields);
	EXPECT_GE(RING_YIELDS, t.c.yields);
	tring_free(&t);
	sched_setaffinity(0, sizeof(saved), &saved);
}

TEST(ring_peer_gone)
{
	struct ring_rec rec;
	struct tring t;
	int i;

	tring_setup(_metadata, &t, 256);
	for (i = 0; i < 3; i++)
		push_seed(&t.p, 1, 10, i, 0);
	ring_flush(&t.p);
	t.f.wait_ret = -EPIPE;
	t.f.prod = &t.p;	/* publishes one more inside the wait */
	for (i = 0; i < 3; i++)
		pop_check(_metadata, &t.c, 1, 10, i);
	EXPECT_EQ(0, ring_peek(&t.c, &rec, 0));
	EXPECT_EQ(9, rec.type);
	EXPECT_TRUE(!memcmp(rec.data, "late", 4));
	ring_consume(&t.c);
	EXPECT_EQ(-EPIPE, ring_peek(&t.c, &rec, 0));
	EXPECT_EQ(-EPIPE, ring_peek(&t.c, &rec, RING_NOWAIT));
	EXPECT_EQ(1, t.f.waits);

	/* Producer: waiting for room when the consumer has gone. */
	while (push_seed(&t.p, 1, 8, 0, RING_NOWAIT) == 0)
		;
	EXPECT_EQ(-EPIPE, push_seed(&t.p, 1, 8, 0, 0));
	EXPECT_EQ(-EPIPE, push_seed(&t.p, 1, 8, 0, RING_NOWAIT));
	tring_free(&t);
}

TEST(ring_misuse)
{
	struct ring_rec rec;
	struct tring t;
	void *p;

	tring_setup(_metadata, &t, 256);
	EXPECT_EQ(-EINVAL, ring_commit(&t.p, 1, 0));
	EXPECT_EQ(0, ring_reserve(&t.p, 8, &p, 0));
	EXPECT_EQ(-EINVAL, ring_commit(&t.p, 1, 9));
	EXPECT_EQ(-EINVAL, ring_commit(&t.p, RING_TYPE_USER_MAX + 1, 8));
	EXPECT_EQ(0, ring_commit(&t.p, RING_TYPE_USER_MAX, 8));
	EXPECT_EQ(-EINVAL, ring_push(&t.p, RING_TYPE_EOS, "", 0, 0));
	EXPECT_EQ(-EINVAL, ring_peek(&t.p, &rec, 0));
	EXPECT_EQ(-EINVAL, ring_release(&t.p));
	EXPECT_EQ(-EINVAL, ring_push(&t.c, 1, "", 0, 0));
	EXPECT_EQ(-EINVAL, ring_flush(&t.c));
	EXPECT_EQ(-EINVAL, ring_close(&t.c));
	EXPECT_EQ(0, ring_close(&t.p));
	EXPECT_EQ(-EINVAL, ring_push(&t.p, 1, "", 0, 0));
	EXPECT_EQ(0, ring_peek(&t.c, &rec, 0));
	EXPECT_EQ(RING_TYPE_USER_MAX, rec.type);
	tring_free(&t);
}

static void put_hdr(struct tring *t, uint32_t off, uint32_t len, uint32_t type)
{
	uint32_t *h = (uint32_t *)(t->data + off);

	h[0] = len;
	h[1] = type;
}

TEST(ring_corruption)
{
	struct ring_rec rec;
	struct tring t;

	tring_setup(_metadata, &t, 256);
	t.sh->head = 16;
	put_hdr(&t, 0, 256, 1);				/* len past the end */
	EXPECT_EQ(-EBADMSG, ring_peek(&t.c, &rec, 0));
	put_hdr(&t, 0, 16, 1);				/* past head */
	EXPECT_EQ(-EBADMSG, ring_peek(&t.c, &rec, 0));
	put_hdr(&t, 0, 8, 0x20000);			/* unknown type */
	EXPECT_EQ(-EBADMSG, ring_peek(&t.c, &rec, 0));
	put_hdr(&t, 0, 0, RING_TYPE_PAD);		/* short pad */
	EXPECT_EQ(-EBADMSG, ring_peek(&t.c, &rec, 0));
	put_hdr(&t, 0, 8, RING_TYPE_EOS);		/* EOS with data */
	EXPECT_EQ(-EBADMSG, ring_peek(&t.c, &rec, 0));
	tring_free(&t);

	tring_setup(_metadata, &t, 256);
	t.sh->head = 264;				/* more than cap */
	EXPECT_EQ(-EBADMSG, ring_peek(&t.c, &rec, 0));
	t.sh->head = 4;					/* misaligned */
	EXPECT_EQ(-EBADMSG, ring_peek(&t.c, &rec, 0));
	/* Producer: tail moved past what was published. */
	push_seed(&t.p, 1, 100, 0, 0);
	push_seed(&t.p, 1, 100, 0, 0);
	t.sh->tail = 232;
	EXPECT_EQ(-EBADMSG, push_seed(&t.p, 1, 100, 0, 0));
	tring_free(&t);
}

/* The head hint a producer publishes for a record of @len and @type. */
static uint64_t hint_of(uint32_t head, uint32_t len, uint32_t type)
{
	return (uint64_t)(RING_HINT_VALID | len << 16 | type) << 32 | head;
}

/*
 * The consumer takes the last record's header from head's line when it
 * has just loaded head and is one record behind it, and from the data
 * area otherwise: a clobbered header, or a hint of another type, shows
 * which it read.
 */
TEST(ring_head_hint)
{
	struct ring_rec rec;
	struct tring t;

	tring_setup(_metadata, &t, 256);
	push_seed(&t.p, 1, 8, 0, 0);
	ring_flush(&t.p);
	EXPECT_EQ(hint_of(16, 8, 1), t.sh->head_hint);
	put_hdr(&t, 0, 100, 0x30000);
	pop_check(_metadata, &t.c, 1, 8, 0);		/* from the hint */

	/* Two published at once: the last is not read right after head. */
	push_seed(&t.p, 1, 8, 0, 0);
	push_seed(&t.p, 7, 0, 0, 0);
	ring_flush(&t.p);
	EXPECT_EQ(hint_of(40, 0, 7), t.sh->head_hint);
	t.sh->head_hint = hint_of(40, 0, 9);
	pop_check(_metadata, &t.c, 1, 8, 0);		/* from the data */
	pop_check(_metadata, &t.c, 7, 0, 0);		/* from the data */

	/* None (an older producer), or a stale one: the data area. */
	push_seed(&t.p, 2, 4, 5, 0);
	ring_flush(&t.p);
	t.sh->head_hint = 0;
	pop_check(_metadata, &t.c, 2, 4, 5);
	push_seed(&t.p, 3, 4, 6, 0);
	ring_flush(&t.p);
	t.sh->head_hint = hint_of(24, 0, 9);
	pop_check(_metadata, &t.c, 3, 4, 6);
	/* One whose length is not what is pending: the data area. */
	push_seed(&t.p, 4, 4, 7, 0);
	ring_flush(&t.p);
	t.sh->head_hint = hint_of(t.sh->head, 16, 4);
	pop_check(_metadata, &t.c, 4, 4, 7);

	/* End-of-stream gets none, and clears the last one. */
	ring_close(&t.p);
	EXPECT_EQ(96, t.sh->head);
	EXPECT_EQ(0, t.sh->head_hint);
	EXPECT_EQ(RING_EOF, ring_peek(&t.c, &rec, RING_NOWAIT));
	tring_free(&t);

	/* Too long for a hint: none. */
	tring_setup(_metadata, &t, 131072);
	t.sh->head_hint = hint_of(0, 0, 1);
	push_seed(&t.p, 5, RING_HINT_MAX_LEN + 1, 0, 0);	/* a batch */
	EXPECT_EQ(0, t.p.hint);
	EXPECT_EQ(RING_HINT_MAX_LEN + 1 + RING_REC_HDR, t.sh->head);
	EXPECT_EQ(0, t.sh->head_hint);
	push_seed(&t.p, 5, RING_HINT_MAX_LEN, 0, 0);
	EXPECT_EQ(RING_HINT_VALID | RING_HINT_MAX_LEN << 16 | 5, t.p.hint);
	tring_free(&t);

	/*
	 * A pad makes the last record: published by a wait for room after
	 * it, the hint of the record before it would describe the pad.
	 */
	tring_setup(_metadata, &t, 64);
	push_seed(&t.p, 1, 24, 0, 0);			/* 0 to 32 */
	ring_flush(&t.p);
	pop_check(_metadata, &t.c, 1, 24, 0);
	EXPECT_EQ(-EAGAIN, ring_peek(&t.c, &rec, RING_NOWAIT));
	push_seed(&t.p, 2, 8, 1, 0);			/* 32 to 48 */
	/* The pad, 48 to 64, then no room: publish and wait. */
	EXPECT_EQ(-ETIMEDOUT, push_seed(&t.p, 3, 24, 2, 0));
	EXPECT_EQ(64, t.sh->head);
	EXPECT_EQ(0, t.sh->head_hint);
	pop_check(_metadata, &t.c, 2, 8, 1);
	EXPECT_EQ(-EAGAIN, ring_peek(&t.c, &rec, RING_NOWAIT));
	tring_free(&t);
}

/* A hint that passes the checks still gets the header's own checks. */
TEST(ring_head_hint_corrupt)
{
	struct ring_rec rec;
	struct tring t;

	tring_setup(_metadata, &t, 64);
	push_seed(&t.p, 1, 32, 0, 0);			/* 0 to 40 */
	ring_flush(&t.p);
	pop_check(_metadata, &t.c, 1, 32, 0);
	/* A record of 16 bytes at 48 would cross the end. */
	push_seed(&t.p, 1, 0, 0, 0);			/* 40 to 48 */
	ring_flush(&t.p);
	pop_check(_metadata, &t.c, 1, 0, 0);
	t.sh->head = 72;
	t.sh->head_hint = hint_of(72, 16, 1);
	EXPECT_EQ(-EBADMSG, ring_peek(&t.c, &rec, RING_NOWAIT));
	tring_free(&t);
}

/* Random operations against a FIFO model, single-threaded. */
struct model_rec {
	uint32_t type;
	uint32_t len;
	uint32_t seed;
};

struct model {
	struct model_rec q[65536];
	unsigned int head;
	unsigned int tail;
	uint32_t seq;
};

static void model_add(struct model *m, uint32_t len)
{
	m->q[m->tail++ & 0xffff] = (struct model_rec){
		m->seq & 0xffff, len, m->seq };
	m->seq++;
}

/* Pop one record and compare it with the model. */
static void model_pop(struct __test_metadata *_metadata, struct model *m,
		      struct ring *c)
{
	struct model_rec *r = &m->q[m->head++ & 0xffff];

	pop_check(_metadata, c, r->type, r->len, r->seed);
}

/*
 * Publish, drain, and peek once more as a real consumer does before it
 * sleeps (skipping pads, releasing the tail).  A record that did not fit
 * must fit after at most two such rounds: the first may leave a new pad.
 */
static void model_make_room(struct __test_metadata *_metadata,
			    struct model *m, struct tring *t, uint32_t len)
{
	int round, ret = -EAGAIN;

	for (round = 0; round < 2 && ret == -EAGAIN; round++) {
		ring_flush(&t->p);
		while (m->head != m->tail)
			model_pop(_metadata, m, &t->c);
		EXPECT_EQ(-EAGAIN,
			  ring_peek(&t->c, &(struct ring_rec){ }, RING_NOWAIT));
		ret = push_seed(&t->p, m->seq & 0xffff, len, m->seq,
				RING_NOWAIT);
	}
	ASSERT_EQ(0, ret);
	model_add(m, len);
}

static void model_step(struct __test_metadata *_metadata, struct model *m,
		       struct tring *t, uint32_t cap, unsigned long long *rng)
{
	uint32_t max = ring_max_payload(&t->p), len;
	unsigned int op = xorshift64(rng) % 10;
	int ret;

	if (op < 5) {
		len = xorshift64(rng) % 4 ? xorshift64(rng) % 24 :
					    xorshift64(rng) % (max + 2);
		ret = push_seed(&t->p, m->seq & 0xffff, len, m->seq,
				RING_NOWAIT);
		if (len > max) {
			ASSERT_EQ(-EMSGSIZE, ret);
		} else if (!ret) {
			model_add(m, len);
		} else {
			ASSERT_EQ(-EAGAIN, ret);
			model_make_room(_metadata, m, t, len);
		}
	} else if (op < 6) {
		ring_flush(&t->p);
	} else if (op < 7) {
		ring_set_batch(&t->p, xorshift64(rng) % cap);
		ring_set_batch(&t->c, xorshift64(rng) % cap);
	} else if (m->head != m->tail) {
		struct ring_rec rec;

		ret = ring_peek(&t->c, &rec, RING_NOWAIT);
		/* model_pop() peeks the same record again. */
		if (ret != -EAGAIN)
			model_pop(_metadata, m, &t->c);
	}
}

static void model_run(struct __test_metadata *_metadata, uint32_t cap,
		      int ops, unsigned long long *rng)
{
	static struct model m;
	struct ring_rec rec;
	struct tring t;
	int i;

	memset(&m, 0, sizeof(m));
	tring_setup(_metadata, &t, cap);
	for (i = 0; i < ops; i++)
		model_step(_metadata, &m, &t, cap, rng);
	/* Everything pushed comes out, then end-of-stream. */
	ring_close(&t.p);
	while (m.head != m.tail)
		model_pop(_metadata, &m, &t.c);
	EXPECT_EQ(RING_EOF, ring_peek(&t.c, &rec, RING_NOWAIT));
	tring_free(&t);
}

TEST(ring_random_against_model)
{
	unsigned long long rng = 0x5ef9;

	model_run(_metadata, 64, 20000, &rng);
	model_run(_metadata, 256, 100000, &rng);
	model_run(_metadata, 4096, 100000, &rng);
}

/* Two threads over futex ops; a deadline turns a lost wakeup into a failure. */
struct stress {
	struct ring p;
	struct ring c;
	uint32_t records;
	uint32_t max_len;
	int prod_err;
	int cons_err;
	uint32_t received;
	bool bad_data;
};

static void *stress_producer(void *arg)
{
	struct stress *s = arg;
	unsigned long long rng = 0x1234567 + s->max_len, x;
	uint32_t i;
	int ret = 0;

	for (i = 0; i < s->records && !ret; i++) {
		x = xorshift64(&rng);
		ret = push_seed(&s->p, i & 0xffff, x % (s->max_len + 1), i, 0);
		if (!ret && x % 7 == 0)
			ret = ring_flush(&s->p);
	}
	s->prod_err = ret ? ret : ring_close(&s->p);
	return NULL;
}

static void *stress_consumer(void *arg)
{
	struct stress *s = arg;
	struct ring_rec rec;
	int ret;

	while ((ret = ring_peek(&s->c, &rec, 0)) == 0) {
		if (rec.type != (s->received & 0xffff) ||
		    !same(rec.data, rec.len, s->received))
			s->bad_data = true;
		s->received++;
		ret = ring_consume(&s->c);
		if (ret)
			break;
	}
	s->cons_err = ret == RING_EOF ? 0 : ret;
	return NULL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void stress_run(struct __test_metadata *_metadata, uint32_t cap,
		       uint32_t max_len, unsigned int spin, uint32_t records)
{
	struct ring_shared *sh = aligned_alloc(RING_CACHELINE, sizeof(*sh));
	unsigned char *data = aligned_alloc(RING_CACHELINE, cap);
	struct stress s = { .records = records, .max_len = max_len };
	uint64_t deadline = now_ns() + 60000000000ULL;
	pthread_t pt, ct;

	ring_format(sh, cap);
	ring_init(&s.p, sh, data, cap, true, &ring_futex_ops, NULL);
	ring_init(&s.c, sh, data, cap, false, &ring_futex_ops, NULL);
	ring_set_spin(&s.p, spin);
	ring_set_spin(&s.c, spin);
	ring_set_deadline(&s.p, deadline);
	ring_set_deadline(&s.c, deadline);
	pthread_create(&ct, NULL, stress_consumer, &s);
	pthread_create(&pt, NULL, stress_producer, &s);
	pthread_join(pt, NULL);
	pthread_join(ct, NULL);
	EXPECT_EQ(0, s.prod_err);
	EXPECT_EQ(0, s.cons_err);
	EXPECT_EQ(records, s.received);
	EXPECT_FALSE(s.bad_data);
	EXPECT_TRUE(s.p.stats.wakes <= s.p.stats.publishes);
	EXPECT_TRUE(s.c.stats.wakes <= s.c.stats.publishes);
	EXPECT_EQ(0, sh->cons_sleepers);
	EXPECT_EQ(0, sh->prod_sleepers);
	TH_LOG("cap %u len<=%u spin %u: %u records; producer %llu waits %llu wakes %llu skipped; consumer %llu waits %llu wakes",
	       cap, max_len, spin, records,
	       (unsigned long long)s.p.stats.waits,
	       (unsigned long long)s.p.stats.wakes,
	       (unsigned long long)s.p.stats.wakes_skipped,
	       (unsigned long long)s.c.stats.waits,
	       (unsigned long long)s.c.stats.wakes);
	free(sh);
	free(data);
}

TEST(ring_threads_futex_stress)
{
	stress_run(_metadata, 256, 100, 0, 200000);
	stress_run(_metadata, 4096, 1000, 0, 200000);
	stress_run(_metadata, 4096, 64, 200, 300000);
	stress_run(_metadata, 1 << 20, 3000, 0, 100000);
}

/* A producer process that dies without closing: the consumer drains, then EPIPE. */
static bool pid_alive(void *arg)
{
	pid_t pid = *(pid_t *)arg;

	return waitpid(pid, NULL, WNOHANG) == 0;
}

TEST(ring_process_peer_death)
{
	size_t size = RING_PAIR_DATA + 8192;
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct ring_futex_ctx ctx = { .peer_alive = pid_alive, .poll_ns = 10000000 };
	struct ring tx, rx;
	struct ring_rec rec;
	uint32_t n = 0;
	pid_t pid;
	int ret;

	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, ring_pair_format(mem, size, 4096));
	pid = fork();
	if (!pid) {
		uint32_t i;

		if (ring_pair_open(mem, size, true, &ring_futex_ops, NULL, &tx, &rx))
			_exit(1);
		for (i = 0; i < 5000; i++)
			if (push_seed(&tx, 1, i % 200, i, 0))
				_exit(2);
		ring_flush(&tx);
		_exit(0);	/* no ring_close(): the peer just dies */
	}
	ctx.arg = &pid;
	ASSERT_EQ(0, ring_pair_open(mem, size, false, &ring_futex_ops, &ctx,
				    &tx, &rx));
	ring_set_deadline(&rx, now_ns() + 30000000000ULL);
	while ((ret = ring_peek(&rx, &rec, 0)) == 0) {
		ASSERT_TRUE(rec.len == n % 200 && same(rec.data, rec.len, n));
		n++;
		ring_consume(&rx);
	}
	EXPECT_EQ(-EPIPE, ret);
	EXPECT_EQ(5000U, n);
	munmap(mem, size);
}

TEST(ring_pair_layout)
{
	size_t size = 1 << 20;
	unsigned char *mem = aligned_alloc(page_size(), size);
	struct ring_pair_shared *p = (void *)mem;
	struct ring atx, arx, btx, brx;
	struct ring_rec rec;

	memset(mem, 0, size);
	EXPECT_EQ(-EPROTO,
		  ring_pair_open(mem, size, true, &fake_ops, NULL, &atx, &arx));
	EXPECT_EQ(-EINVAL, ring_pair_format(mem, 1000, 64));
	EXPECT_EQ(-EINVAL, ring_pair_format(mem, RING_PAIR_DATA + 64, 64));
	EXPECT_EQ(-EINVAL, ring_pair_format(mem, size, 100));
	EXPECT_EQ(-EINVAL, ring_pair_format(mem, size, size));
	EXPECT_EQ(0, ring_pair_format(mem, size, 65536));
	EXPECT_EQ(524288, p->ring[RING_PAIR_FWD].cap);
	EXPECT_EQ(65536, p->ring[RING_PAIR_REV].cap);
	EXPECT_EQ(0,
		  ring_pair_open(mem, size, true, &fake_ops, NULL, &atx, &arx));
	EXPECT_EQ(0,
		  ring_pair_open(mem, size, false, &fake_ops, NULL, &btx, &brx));
	EXPECT_TRUE(atx.data == mem + RING_PAIR_DATA);
	EXPECT_TRUE(btx.data == mem + RING_PAIR_DATA + 524288);
	EXPECT_TRUE(atx.producer && !arx.producer && btx.producer && !brx.producer);
	ring_push(&atx, 1, "ping", 4, 0);
	ring_flush(&atx);
	EXPECT_EQ(0, ring_peek(&brx, &rec, RING_NOWAIT));
	EXPECT_TRUE(rec.len == 4 && !memcmp(rec.data, "ping", 4));
	ring_push(&btx, 2, "pong", 4, 0);
	ring_flush(&btx);
	EXPECT_EQ(0, ring_peek(&arx, &rec, RING_NOWAIT));
	EXPECT_TRUE(rec.len == 4 && !memcmp(rec.data, "pong", 4));
	/* A header claiming more than the region holds is refused. */
	EXPECT_EQ(-EBADMSG,
		  ring_pair_open(mem, 4096, false, &fake_ops, NULL, &btx, &brx));
	free(mem);
}

/* A fake for ring_call(): which ops it calls, in which order. */
struct fcall {
	char log[16];		/* 'k' wake, 'w' wait, 'x' wake_wait */
	int n;
	struct ring *answer;	/* pushes "ok" from inside the wait */
};

/* Start a new log of calls. */
static void fcall_forget(struct fcall *f)
{
	f->n = 0;
	memset(f->log, 0, sizeof(f->log));
}

static int fcall_note(struct fcall *f, char op)
{
	if (f->n < (int)sizeof(f->log) - 1)
		f->log[f->n++] = op;
	if (op == 'k')
		return 0;
	if (f->answer) {
		ring_push(f->answer, 3, "ok", 2, RING_NOWAIT);
		ring_flush(f->answer);
		f->answer = NULL;
		return 0;
	}
	return -ETIMEDOUT;
}

static int fcall_wait(void *ctx, _Atomic uint32_t *word, uint32_t expected,
		      _Atomic uint32_t *sleepers, uint64_t deadline_ns)
{
	(void)word, (void)expected, (void)sleepers, (void)deadline_ns;
	return fcall_note(ctx, 'w');
}

static int fcall_wake(void *ctx, _Atomic uint32_t *word)
{
	(void)word;
	return fcall_note(ctx, 'k');
}

static int fcall_wake_wait(void *ctx, _Atomic uint32_t *wake_word,
			   _Atomic uint32_t *word, uint32_t expected,
			   _Atomic uint32_t *sleepers, uint64_t deadline_ns)
{
	(void)wake_word, (void)word, (void)expected, (void)sleepers;
	(void)deadline_ns;
	return fcall_note(ctx, 'x');
}

static const struct ring_ops fcall_ops = {
	.wait = fcall_wait,
	.wake = fcall_wake,
	.wake_wait = fcall_wake_wait,
};

/* A ring pair, the creator's two sides in @tx/@rx and the peer's in @p. */
static unsigned char *fcall_pair(struct __test_metadata *_metadata,
				 struct fcall *f, const struct ring_ops *ops,
				 struct ring *tx, struct ring *rx,
				 struct ring p[2])
{
	size_t size = 1 << 16;
	unsigned char *mem = aligned_alloc(page_size(), size);

	memset(f, 0, sizeof(*f));
	memset(mem, 0, size);
	ASSERT_EQ(0, ring_pair_format(mem, size, 4096));
	ASSERT_EQ(0, ring_pair_open(mem, size, true, ops, f, tx, rx));
	ASSERT_EQ(0, ring_pair_open(mem, size, false, ops, f, &p[0], &p[1]));
	return mem;
}

TEST(ring_call_wakes_and_waits_in_one_op)
{
	struct ring_pair_shared *sh;
	cpu_set_t saved;
	uint32_t here;
	struct ring tx, rx, peer[2];
	struct ring_rec rec;
	struct fcall f;
	unsigned char *mem = fcall_pair(_metadata, &f, &fcall_ops, &tx, &rx, peer);

	sh = (void *)mem;
	/* The peer sleeps on the forward ring: one wake_wait, no spin. */
	sh->ring[RING_PAIR_FWD].cons_sleepers = 1;
	ring_set_spin(&rx, 0);
	f.answer = &peer[0];
	EXPECT_EQ(0, ring_call(&tx, 1, "req", 3, &rx, &rec));
	EXPECT_TRUE(rec.len == 2 && !memcmp(rec.data, "ok", 2));
	EXPECT_STREQ("x", f.log);
	EXPECT_EQ(1, tx.stats.wakes);
	EXPECT_EQ(1, tx.stats.wake_waits);
	EXPECT_EQ(1, rx.stats.waits);
	EXPECT_EQ(0, ring_peek(&peer[1], &rec, RING_NOWAIT));
	EXPECT_TRUE(rec.len == 3 && !memcmp(rec.data, "req", 3));
	ring_consume(&peer[1]);
	ring_consume(&rx);

	/* Peer awake: no wake at all, just the wait. */
	sh->ring[RING_PAIR_FWD].cons_sleepers = 0;
	fcall_forget(&f);
	f.answer = &peer[0];
	EXPECT_EQ(0, ring_call(&tx, 1, "req", 3, &rx, &rec));
	EXPECT_STREQ("w", f.log);
	ring_consume(&rx);

	/* The answer is there already: the owed wake goes on its own. */
	sh->ring[RING_PAIR_FWD].cons_sleepers = 1;
	fcall_forget(&f);
	ring_push(&peer[0], 3, "ok", 2, 0);
	ring_flush(&peer[0]);
	EXPECT_EQ(0, ring_call(&tx, 1, "req", 3, &rx, &rec));
	EXPECT_STREQ("k", f.log);
	ring_consume(&rx);

	/* A spinning side wakes on its own, spins, then waits. */
	fcall_forget(&f);
	sh->ring[RING_PAIR_REV].prod_cpu = 0;	/* the peer's CPU unknown */
	ring_set_spin(&rx, 10);
	EXPECT_EQ(-ETIMEDOUT, ring_call(&tx, 1, "req", 3, &rx, &rec));
	EXPECT_STREQ("kw", f.log);
	EXPECT_EQ(10, rx.stats.spins);

	/*
	 * With the peer last on our CPU it yields instead, judged by the CPU
	 * its own publish stored, not by anything the peer stored.
	 */
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(saved), &saved));
	here = pin_here();
	ASSERT_NE(0, here);
	sh->ring[RING_PAIR_REV].prod_cpu = here;
	sh->ring[RING_PAIR_FWD].cons_cpu = here + 1;
	fcall_forget(&f);
	EXPECT_EQ(-ETIMEDOUT, ring_call(&tx, 1, "req", 3, &rx, &rec));
	EXPECT_STREQ("kw", f.log);
	EXPECT_EQ(here, sh->ring[RING_PAIR_FWD].prod_cpu);
	EXPECT_EQ(10, rx.stats.spins);
	EXPECT_EQ(RING_YIELDS, rx.yields);
	EXPECT_EQ(0, rx.cpu);
	sched_setaffinity(0, sizeof(saved), &saved);

	/* A wait error after the fused wake: nothing owed any more. */
	ring_set_spin(&rx, 0);
	fcall_forget(&f);
	EXPECT_EQ(-ETIMEDOUT, ring_call(&tx, 1, "req", 3, &rx, &rec));
	EXPECT_STREQ("x", f.log);
	EXPECT_EQ(NULL, rx.owed);

	/* Misuse. */
	EXPECT_EQ(-EINVAL, ring_call(&rx, 1, "req", 3, &tx, &rec));
	peer[1].ops_ctx = NULL;		/* another context: another region */
	EXPECT_EQ(-EINVAL, ring_call(&tx, 1, "req", 3, &peer[1], &rec));
	free(mem);
}

TEST(ring_call_without_wake_wait)
{
	static const struct ring_ops two_calls = {
		.wait = fcall_wait,
		.wake = fcall_wake,
	};
	struct ring_pair_shared *sh;
	struct ring tx, rx, peer[2];
	struct ring_rec rec;
	struct fcall f;
	unsigned char *mem = fcall_pair(_metadata, &f, &two_calls, &tx, &rx, peer);

	sh = (void *)mem;
	sh->ring[RING_PAIR_FWD].cons_sleepers = 1;
	f.answer = &peer[0];
	EXPECT_EQ(0, ring_call(&tx, 1, "req", 3, &rx, &rec));
	EXPECT_STREQ("kw", f.log);
	EXPECT_EQ(0, tx.stats.wake_waits);
	free(mem);
}

TEST(ring_futex_wait_wake)
{
	_Atomic uint32_t word = 5, sleepers = 0;
	struct ring_futex_ctx dead = { .peer_alive = NULL };
	uint64_t t0 = now_ns();
	pid_t me = getpid();

	EXPECT_EQ(-EAGAIN, ring_futex_ops.wait(NULL, &word, 4, &sleepers, 0));
	EXPECT_EQ(-ETIMEDOUT,
		  ring_futex_ops.wait(NULL, &word, 5, &sleepers, t0 + 20000000));
	EXPECT_TRUE(now_ns() - t0 >= 15000000);
	EXPECT_EQ(0, sleepers);
	dead.peer_alive = pid_alive;
	dead.arg = &me;	/* not our child: waitpid fails, so "dead" */
	EXPECT_EQ(-EPIPE, ring_futex_ops.wait(&dead, &word, 5, &sleepers, 0));
	EXPECT_EQ(0, ring_futex_ops.wake(NULL, &word));
}

TEST_HARNESS_MAIN
