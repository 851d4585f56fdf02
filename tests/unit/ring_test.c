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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ring.h"
#include "unit.h"

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

static void tring_setup(struct tring *t, uint32_t cap)
{
	memset(t, 0, sizeof(*t));
	t->sh = aligned_alloc(RING_CACHELINE, sizeof(*t->sh));
	t->data = aligned_alloc(RING_CACHELINE, cap);
	memset(t->data, 0xa5, cap);
	CHECK_EQ(ring_format(t->sh, cap), 0);
	t->f.sh = t->sh;
	t->f.wait_ret = -ETIMEDOUT;
	CHECK_EQ(ring_init(&t->p, t->sh, t->data, cap, true, &fake_ops, &t->f), 0);
	CHECK_EQ(ring_init(&t->c, t->sh, t->data, cap, false, &fake_ops, &t->f), 0);
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

/* Peek, check and consume one record. */
static bool pop_check(struct ring *r, uint32_t type, uint32_t len,
		      uint32_t seed)
{
	struct ring_rec rec;
	int ret = ring_peek(r, &rec, RING_NOWAIT);

	if (!CHECK_EQ(ret, 0) || !CHECK_EQ(rec.type, type) ||
	    !CHECK_EQ(rec.len, len) || !CHECK(same(rec.data, len, seed)))
		return false;
	return CHECK_EQ(ring_consume(r), 0);
}

UNIT_TEST(ring_layout)
{
	CHECK_EQ(sizeof(struct ring_shared), 320);
	CHECK_EQ(offsetof(struct ring_shared, head), 64);
	CHECK_EQ(offsetof(struct ring_shared, tail), 128);
	CHECK_EQ(offsetof(struct ring_shared, cons_sleepers), 192);
	CHECK_EQ(offsetof(struct ring_shared, prod_sleepers), 256);
	CHECK_EQ(offsetof(struct ring_pair_shared, ring), 64);
	CHECK(sizeof(struct ring_pair_shared) <= RING_PAIR_DATA);
}

UNIT_TEST(ring_format_and_init_checks)
{
	struct ring_shared *sh = aligned_alloc(RING_CACHELINE, sizeof(*sh));
	static unsigned char data[4096];
	struct ring r;

	CHECK_EQ(ring_format(sh, 0), -EINVAL);
	CHECK_EQ(ring_format(sh, 32), -EINVAL);
	CHECK_EQ(ring_format(sh, 96), -EINVAL);
	CHECK_EQ(ring_format(sh, RING_MAX_CAP), 0);
	memset(sh, 0, sizeof(*sh));
	CHECK_EQ(ring_init(&r, sh, data, sizeof(data), true, &fake_ops, NULL),
		 -EPROTO);
	CHECK_EQ(ring_format(sh, 4096), 0);
	sh->version = 2;
	CHECK_EQ(ring_init(&r, sh, data, sizeof(data), true, &fake_ops, NULL),
		 -EPROTO);
	ring_format(sh, 4096);
	CHECK_EQ(ring_init(&r, sh, data, 2048, true, &fake_ops, NULL), -EBADMSG);
	sh->cap = 100;
	CHECK_EQ(ring_init(&r, sh, data, sizeof(data), true, &fake_ops, NULL),
		 -EBADMSG);
	ring_format(sh, 4096);
	sh->head = 4104;
	CHECK_EQ(ring_init(&r, sh, data, sizeof(data), false, &fake_ops, NULL),
		 -EBADMSG);
	sh->head = 12;
	CHECK_EQ(ring_init(&r, sh, data, sizeof(data), false, &fake_ops, NULL),
		 -EBADMSG);
	sh->head = 4096;
	CHECK_EQ(ring_init(&r, sh, data, sizeof(data), false, &fake_ops, NULL), 0);
	CHECK_EQ(r.pos, 0);
	CHECK_EQ(r.peer, 4096);
	free(sh);
}

UNIT_TEST(ring_empty_then_flush)
{
	struct tring t;
	struct ring_rec rec;

	tring_setup(&t, 1024);
	CHECK_EQ(ring_peek(&t.c, &rec, RING_NOWAIT), -EAGAIN);
	CHECK_EQ(ring_push(&t.p, 7, "hello", 5, 0), 0);
	/* Not published before a flush (batch is cap / 4). */
	CHECK_EQ(t.sh->head, 0);
	CHECK_EQ(ring_peek(&t.c, &rec, RING_NOWAIT), -EAGAIN);
	CHECK_EQ(ring_flush(&t.p), 0);
	CHECK_EQ(t.sh->head, 16);
	CHECK_EQ(ring_peek(&t.c, &rec, RING_NOWAIT), 0);
	CHECK_EQ(rec.type, 7);
	CHECK_EQ(rec.len, 5);
	CHECK(!memcmp(rec.data, "hello", 5));
	/* Peeking again returns the same record. */
	CHECK_EQ(ring_peek(&t.c, &rec, RING_NOWAIT), 0);
	CHECK_EQ(rec.len, 5);
	CHECK_EQ(ring_consume(&t.c), 0);
	CHECK_EQ(ring_peek(&t.c, &rec, RING_NOWAIT), -EAGAIN);
	/* The empty peek released the tail before it would sleep. */
	CHECK_EQ(t.sh->tail, 16);
	/* Zero-length records are fine. */
	CHECK_EQ(ring_push(&t.p, 0, "", 0, 0), 0);
	CHECK_EQ(ring_flush(&t.p), 0);
	CHECK(pop_check(&t.c, 0, 0, 0));
	tring_free(&t);
}

UNIT_TEST(ring_full_and_eos_slot)
{
	struct tring t;
	struct ring_rec rec;
	int n = 0, i;

	tring_setup(&t, 256);
	while (push_seed(&t.p, 1, 8, n, RING_NOWAIT) == 0)
		n++;
	/* 16-byte records, 8 bytes always kept for end-of-stream. */
	CHECK_EQ(n, 15);
	CHECK_EQ(push_seed(&t.p, 1, 8, 0, RING_NOWAIT), -EAGAIN);
	/* A full ring can still be closed, without waiting. */
	CHECK_EQ(ring_close(&t.p), 0);
	CHECK_EQ(t.f.waits, 0);
	CHECK_EQ(t.sh->head, 248);
	for (i = 0; i < n; i++)
		if (!pop_check(&t.c, 1, 8, i))
			break;
	CHECK_EQ(ring_peek(&t.c, &rec, RING_NOWAIT), RING_EOF);
	CHECK_EQ(ring_peek(&t.c, &rec, 0), RING_EOF);
	CHECK_EQ(t.sh->tail, 248);
	CHECK_EQ(ring_close(&t.p), 0);
	tring_free(&t);
}

UNIT_TEST(ring_record_too_large)
{
	struct ring_rec rec;
	struct tring t;
	void *p;

	tring_setup(&t, 256);
	CHECK_EQ(ring_max_payload(&t.p), 240);
	CHECK_EQ(ring_reserve(&t.p, 241, &p, 0), -EMSGSIZE);
	CHECK_EQ(ring_reserve(&t.p, UINT32_MAX, &p, 0), -EMSGSIZE);
	CHECK_EQ(push_seed(&t.p, 2, 240, 5, RING_NOWAIT), 0);
	CHECK_EQ(push_seed(&t.p, 2, 0, 0, RING_NOWAIT), -EAGAIN);
	CHECK_EQ(ring_flush(&t.p), 0);
	CHECK(pop_check(&t.c, 2, 240, 5));
	/* The big record was released at once: it exceeds the batch. */
	CHECK_EQ(t.sh->tail, 248);
	/*
	 * A maximal record at a non-zero offset pads to the end first, and
	 * must wait until the consumer has skipped and released that pad.
	 */
	CHECK_EQ(push_seed(&t.p, 2, 240, 6, RING_NOWAIT), -EAGAIN);
	CHECK_EQ(t.p.pos, 256);
	CHECK_EQ(ring_flush(&t.p), 0);
	CHECK_EQ(ring_peek(&t.c, &rec, RING_NOWAIT), -EAGAIN);
	CHECK_EQ(t.sh->tail, 256);
	CHECK_EQ(push_seed(&t.p, 2, 240, 6, RING_NOWAIT), 0);
	CHECK_EQ(ring_flush(&t.p), 0);
	CHECK_EQ(t.sh->head, 256 + 248);
	CHECK(pop_check(&t.c, 2, 240, 6));
	tring_free(&t);
}

UNIT_TEST(ring_wrap_with_padding)
{
	uint32_t seq = 0, len, pads = 0, bytes = 0, before;
	struct tring t;
	int i;

	tring_setup(&t, 256);
	for (i = 0; i < 2000; i++) {
		len = (i * 37) % 120;
		before = t.p.pos;
		if (!CHECK_EQ(push_seed(&t.p, 3, len, seq, RING_NOWAIT), 0))
			break;
		if (t.p.pos - before != 8 + ((len + 7) & ~7U))
			pads++;
		bytes += t.p.pos - before;
		ring_flush(&t.p);
		if (!pop_check(&t.c, 3, len, seq++))
			break;
	}
	CHECK(pads > 100);
	CHECK_EQ(t.p.pos, bytes);
	tring_free(&t);
}

UNIT_TEST(ring_counter_wraps_past_2_32)
{
	struct tring t;
	uint32_t seq = 0, i;

	tring_setup(&t, 512);
	t.sh->head = 0xffffff00U;
	t.sh->tail = 0xffffff00U;
	ring_init(&t.p, t.sh, t.data, 512, true, &fake_ops, &t.f);
	ring_init(&t.c, t.sh, t.data, 512, false, &fake_ops, &t.f);
	for (i = 0; i < 300; i++) {
		if (!CHECK_EQ(push_seed(&t.p, 4, i % 50, i, RING_NOWAIT), 0))
			break;
		if (i % 3 == 2) {
			ring_flush(&t.p);
			for (; seq <= i; seq++)
				if (!pop_check(&t.c, 4, seq % 50, seq))
					goto out;
		}
	}
	CHECK(t.sh->head < 0x10000U);
out:
	tring_free(&t);
}

UNIT_TEST(ring_batching_and_wake_suppression)
{
	struct tring t;
	int i;

	tring_setup(&t, 4096);
	ring_set_batch(&t.p, 4096);
	ring_set_batch(&t.c, 4096);
	for (i = 0; i < 10; i++)
		push_seed(&t.p, 5, 20, i, 0);
	CHECK_EQ(t.sh->head, 0);
	CHECK_EQ(ring_flush(&t.p), 0);
	CHECK_EQ(t.sh->head, 320);	/* 20 bytes pad to 24, plus 8 */
	CHECK_EQ(t.p.stats.publishes, 1);
	CHECK_EQ(t.p.stats.wakes_skipped, 1);
	CHECK_EQ(t.f.wakes, 0);
	/* A consumer marked sleeping gets exactly one wake per publish. */
	t.sh->cons_sleepers = 1;
	push_seed(&t.p, 5, 20, 10, 0);
	push_seed(&t.p, 5, 20, 11, 0);
	ring_flush(&t.p);
	ring_flush(&t.p);
	CHECK_EQ(t.f.wakes, 1);
	CHECK_EQ(t.p.stats.records, 12);
	t.sh->cons_sleepers = 0;

	for (i = 0; i < 12; i++)
		pop_check(&t.c, 5, 20, i);
	CHECK_EQ(t.sh->tail, 0);	/* consumer batches its releases too */
	t.sh->prod_sleepers = 1;
	CHECK_EQ(ring_release(&t.c), 0);
	CHECK_EQ(t.sh->tail, 384);
	CHECK_EQ(t.f.wakes, 2);

	/* Batch 0: every commit publishes. */
	ring_set_batch(&t.p, 0);
	push_seed(&t.p, 5, 1, 0, 0);
	CHECK_EQ(t.sh->head, 384 + 16);
	tring_free(&t);
}

UNIT_TEST(ring_wait_protocol)
{
	struct ring_rec rec;
	struct tring t;
	int n = 0;

	tring_setup(&t, 256);
	ring_set_batch(&t.c, 256);
	push_seed(&t.p, 1, 8, 0, 0);
	ring_flush(&t.p);
	pop_check(&t.c, 1, 8, 0);
	CHECK_EQ(t.sh->tail, 0);
	/* Consumer: releases, then waits on head with its sleepers word. */
	CHECK_EQ(ring_peek(&t.c, &rec, 0), -ETIMEDOUT);
	CHECK_EQ(t.f.waits, 1);
	CHECK(t.f.word == &t.sh->head);
	CHECK(t.f.sleepers == &t.sh->cons_sleepers);
	CHECK_EQ(t.f.expected, 16);
	CHECK_EQ(t.f.tail_at_wait, 16);

	/* Producer: publishes, then waits on tail with its own word. */
	while (push_seed(&t.p, 1, 8, n, RING_NOWAIT) == 0)
		n++;
	t.f.wait_ret = -EINTR;
	CHECK_EQ(push_seed(&t.p, 1, 8, 0, 0), -EINTR);
	CHECK(t.f.word == &t.sh->tail);
	CHECK(t.f.sleepers == &t.sh->prod_sleepers);
	CHECK_EQ(t.f.expected, 16);
	CHECK_EQ(t.f.head_at_wait, t.p.pos);

	/* A bounded spin runs before each wait. */
	ring_set_spin(&t.p, 5);
	CHECK_EQ(push_seed(&t.p, 1, 8, 0, 0), -EINTR);
	CHECK_EQ(t.p.stats.spins, 5);
	CHECK_EQ(t.f.waits, 3);
	tring_free(&t);
}

UNIT_TEST(ring_peer_gone)
{
	struct ring_rec rec;
	struct tring t;
	int i;

	tring_setup(&t, 256);
	for (i = 0; i < 3; i++)
		push_seed(&t.p, 1, 10, i, 0);
	ring_flush(&t.p);
	t.f.wait_ret = -EPIPE;
	t.f.prod = &t.p;	/* publishes one more inside the wait */
	for (i = 0; i < 3; i++)
		pop_check(&t.c, 1, 10, i);
	CHECK_EQ(ring_peek(&t.c, &rec, 0), 0);
	CHECK_EQ(rec.type, 9);
	CHECK(!memcmp(rec.data, "late", 4));
	ring_consume(&t.c);
	CHECK_EQ(ring_peek(&t.c, &rec, 0), -EPIPE);
	CHECK_EQ(ring_peek(&t.c, &rec, RING_NOWAIT), -EPIPE);
	CHECK_EQ(t.f.waits, 1);

	/* Producer: waiting for room when the consumer has gone. */
	while (push_seed(&t.p, 1, 8, 0, RING_NOWAIT) == 0)
		;
	CHECK_EQ(push_seed(&t.p, 1, 8, 0, 0), -EPIPE);
	CHECK_EQ(push_seed(&t.p, 1, 8, 0, RING_NOWAIT), -EPIPE);
	tring_free(&t);
}

UNIT_TEST(ring_misuse)
{
	struct ring_rec rec;
	struct tring t;
	void *p;

	tring_setup(&t, 256);
	CHECK_EQ(ring_commit(&t.p, 1, 0), -EINVAL);
	CHECK_EQ(ring_reserve(&t.p, 8, &p, 0), 0);
	CHECK_EQ(ring_commit(&t.p, 1, 9), -EINVAL);
	CHECK_EQ(ring_commit(&t.p, RING_TYPE_USER_MAX + 1, 8), -EINVAL);
	CHECK_EQ(ring_commit(&t.p, RING_TYPE_USER_MAX, 8), 0);
	CHECK_EQ(ring_push(&t.p, RING_TYPE_EOS, "", 0, 0), -EINVAL);
	CHECK_EQ(ring_peek(&t.p, &rec, 0), -EINVAL);
	CHECK_EQ(ring_release(&t.p), -EINVAL);
	CHECK_EQ(ring_push(&t.c, 1, "", 0, 0), -EINVAL);
	CHECK_EQ(ring_flush(&t.c), -EINVAL);
	CHECK_EQ(ring_close(&t.c), -EINVAL);
	CHECK_EQ(ring_close(&t.p), 0);
	CHECK_EQ(ring_push(&t.p, 1, "", 0, 0), -EINVAL);
	CHECK_EQ(ring_peek(&t.c, &rec, 0), 0);
	CHECK_EQ(rec.type, RING_TYPE_USER_MAX);
	tring_free(&t);
}

static void put_hdr(struct tring *t, uint32_t off, uint32_t len, uint32_t type)
{
	uint32_t *h = (uint32_t *)(t->data + off);

	h[0] = len;
	h[1] = type;
}

UNIT_TEST(ring_corruption)
{
	struct ring_rec rec;
	struct tring t;

	tring_setup(&t, 256);
	t.sh->head = 16;
	put_hdr(&t, 0, 256, 1);				/* len past the end */
	CHECK_EQ(ring_peek(&t.c, &rec, 0), -EBADMSG);
	put_hdr(&t, 0, 16, 1);				/* past head */
	CHECK_EQ(ring_peek(&t.c, &rec, 0), -EBADMSG);
	put_hdr(&t, 0, 8, 0x20000);			/* unknown type */
	CHECK_EQ(ring_peek(&t.c, &rec, 0), -EBADMSG);
	put_hdr(&t, 0, 0, RING_TYPE_PAD);		/* short pad */
	CHECK_EQ(ring_peek(&t.c, &rec, 0), -EBADMSG);
	put_hdr(&t, 0, 8, RING_TYPE_EOS);		/* EOS with data */
	CHECK_EQ(ring_peek(&t.c, &rec, 0), -EBADMSG);
	tring_free(&t);

	tring_setup(&t, 256);
	t.sh->head = 264;				/* more than cap */
	CHECK_EQ(ring_peek(&t.c, &rec, 0), -EBADMSG);
	t.sh->head = 4;					/* misaligned */
	CHECK_EQ(ring_peek(&t.c, &rec, 0), -EBADMSG);
	/* Producer: tail moved past what was published. */
	push_seed(&t.p, 1, 100, 0, 0);
	push_seed(&t.p, 1, 100, 0, 0);
	t.sh->tail = 232;
	CHECK_EQ(push_seed(&t.p, 1, 100, 0, 0), -EBADMSG);
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
static bool model_pop(struct model *m, struct ring *c)
{
	struct model_rec *r = &m->q[m->head++ & 0xffff];

	return pop_check(c, r->type, r->len, r->seed);
}

/*
 * Publish, drain, and peek once more as a real consumer does before it
 * sleeps (skipping pads, releasing the tail).  A record that did not fit
 * must fit after at most two such rounds: the first may leave a new pad.
 */
static bool model_make_room(struct model *m, struct tring *t, uint32_t len)
{
	int round, ret = -EAGAIN;

	for (round = 0; round < 2 && ret == -EAGAIN; round++) {
		ring_flush(&t->p);
		while (m->head != m->tail)
			if (!model_pop(m, &t->c))
				return false;
		CHECK_EQ(ring_peek(&t->c, &(struct ring_rec){ }, RING_NOWAIT),
			 -EAGAIN);
		ret = push_seed(&t->p, m->seq & 0xffff, len, m->seq,
				RING_NOWAIT);
	}
	if (!CHECK_EQ(ret, 0))
		return false;
	model_add(m, len);
	return true;
}

static bool model_step(struct model *m, struct tring *t, uint32_t cap)
{
	uint32_t max = ring_max_payload(&t->p), len;
	unsigned int op = unit_rand() % 10;
	int ret;

	if (op < 5) {
		len = unit_rand() % 4 ? unit_rand() % 24 :
					unit_rand() % (max + 2);
		ret = push_seed(&t->p, m->seq & 0xffff, len, m->seq,
				RING_NOWAIT);
		if (len > max)
			return CHECK_EQ(ret, -EMSGSIZE);
		if (!ret)
			model_add(m, len);
		else if (!CHECK_EQ(ret, -EAGAIN) || !model_make_room(m, t, len))
			return false;
	} else if (op < 6) {
		ring_flush(&t->p);
	} else if (op < 7) {
		ring_set_batch(&t->p, unit_rand() % cap);
		ring_set_batch(&t->c, unit_rand() % cap);
	} else if (m->head != m->tail) {
		struct ring_rec rec;

		ret = ring_peek(&t->c, &rec, RING_NOWAIT);
		if (ret == -EAGAIN)
			return true;
		/* model_pop() peeks the same record again. */
		return model_pop(m, &t->c);
	}
	return true;
}

static void model_run(uint32_t cap, int ops)
{
	static struct model m;
	struct ring_rec rec;
	struct tring t;
	int i;

	memset(&m, 0, sizeof(m));
	tring_setup(&t, cap);
	for (i = 0; i < ops; i++)
		if (!model_step(&m, &t, cap))
			goto out;
	/* Everything pushed comes out, then end-of-stream. */
	ring_close(&t.p);
	while (m.head != m.tail)
		if (!model_pop(&m, &t.c))
			goto out;
	CHECK_EQ(ring_peek(&t.c, &rec, RING_NOWAIT), RING_EOF);
out:
	tring_free(&t);
}

UNIT_TEST(ring_random_against_model)
{
	model_run(64, 20000);
	model_run(256, 100000);
	model_run(4096, 100000);
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
	unsigned long long x = 0x1234567 + s->max_len;
	uint32_t i;
	int ret = 0;

	for (i = 0; i < s->records && !ret; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
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

static void stress_run(uint32_t cap, uint32_t max_len, unsigned int spin,
		       uint32_t records)
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
	CHECK_EQ(s.prod_err, 0);
	CHECK_EQ(s.cons_err, 0);
	CHECK_EQ(s.received, records);
	CHECK(!s.bad_data);
	CHECK(s.p.stats.wakes <= s.p.stats.publishes);
	CHECK(s.c.stats.wakes <= s.c.stats.publishes);
	CHECK_EQ(sh->cons_sleepers, 0);
	CHECK_EQ(sh->prod_sleepers, 0);
	printf("# cap %u len<=%u spin %u: %u records;", cap, max_len, spin,
	       records);
	printf(" producer %llu waits %llu wakes %llu skipped;",
	       (unsigned long long)s.p.stats.waits,
	       (unsigned long long)s.p.stats.wakes,
	       (unsigned long long)s.p.stats.wakes_skipped);
	printf(" consumer %llu waits %llu wakes\n",
	       (unsigned long long)s.c.stats.waits,
	       (unsigned long long)s.c.stats.wakes);
	free(sh);
	free(data);
}

UNIT_TEST(ring_threads_futex_stress)
{
	stress_run(256, 100, 0, 200000);
	stress_run(4096, 1000, 0, 200000);
	stress_run(4096, 64, 200, 300000);
	stress_run(1 << 20, 3000, 0, 100000);
}

/* A producer process that dies without closing: the consumer drains, then EPIPE. */
static bool pid_alive(void *arg)
{
	pid_t pid = *(pid_t *)arg;

	return waitpid(pid, NULL, WNOHANG) == 0;
}

UNIT_TEST(ring_process_peer_death)
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

	if (!CHECK(mem != MAP_FAILED))
		return;
	CHECK_EQ(ring_pair_format(mem, size, 4096), 0);
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
	CHECK_EQ(ring_pair_open(mem, size, false, &ring_futex_ops, &ctx, &tx, &rx), 0);
	ring_set_deadline(&rx, now_ns() + 30000000000ULL);
	while ((ret = ring_peek(&rx, &rec, 0)) == 0) {
		if (!CHECK(rec.len == n % 200 && same(rec.data, rec.len, n)))
			break;
		n++;
		ring_consume(&rx);
	}
	CHECK_EQ(ret, -EPIPE);
	CHECK_EQ(n, 5000);
	munmap(mem, size);
}

UNIT_TEST(ring_pair_layout)
{
	size_t size = 1 << 20;
	unsigned char *mem = aligned_alloc(4096, size);
	struct ring_pair_shared *p = (void *)mem;
	struct ring atx, arx, btx, brx;
	struct ring_rec rec;

	memset(mem, 0, size);
	CHECK_EQ(ring_pair_open(mem, size, true, &fake_ops, NULL, &atx, &arx),
		 -EPROTO);
	CHECK_EQ(ring_pair_format(mem, 1000, 64), -EINVAL);
	CHECK_EQ(ring_pair_format(mem, RING_PAIR_DATA + 64, 64), -EINVAL);
	CHECK_EQ(ring_pair_format(mem, size, 100), -EINVAL);
	CHECK_EQ(ring_pair_format(mem, size, size), -EINVAL);
	CHECK_EQ(ring_pair_format(mem, size, 65536), 0);
	CHECK_EQ(p->ring[RING_PAIR_FWD].cap, 524288);
	CHECK_EQ(p->ring[RING_PAIR_REV].cap, 65536);
	CHECK_EQ(ring_pair_open(mem, size, true, &fake_ops, NULL, &atx, &arx), 0);
	CHECK_EQ(ring_pair_open(mem, size, false, &fake_ops, NULL, &btx, &brx), 0);
	CHECK(atx.data == mem + RING_PAIR_DATA);
	CHECK(btx.data == mem + RING_PAIR_DATA + 524288);
	CHECK(atx.producer && !arx.producer && btx.producer && !brx.producer);
	ring_push(&atx, 1, "ping", 4, 0);
	ring_flush(&atx);
	CHECK_EQ(ring_peek(&brx, &rec, RING_NOWAIT), 0);
	CHECK(rec.len == 4 && !memcmp(rec.data, "ping", 4));
	ring_push(&btx, 2, "pong", 4, 0);
	ring_flush(&btx);
	CHECK_EQ(ring_peek(&arx, &rec, RING_NOWAIT), 0);
	CHECK(rec.len == 4 && !memcmp(rec.data, "pong", 4));
	/* A header claiming more than the region holds is refused. */
	CHECK_EQ(ring_pair_open(mem, 4096, false, &fake_ops, NULL, &btx, &brx),
		 -EBADMSG);
	free(mem);
}

/* A fake for ring_call(): which ops it calls, in which order. */
struct fcall {
	char log[16];		/* 'k' wake, 'w' wait, 'x' wake_wait */
	int n;
	struct ring *answer;	/* pushes "ok" from inside the wait */
};

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
static unsigned char *fcall_pair(struct fcall *f, const struct ring_ops *ops,
				 struct ring *tx, struct ring *rx,
				 struct ring p[2])
{
	size_t size = 1 << 16;
	unsigned char *mem = aligned_alloc(4096, size);

	memset(f, 0, sizeof(*f));
	memset(mem, 0, size);
	CHECK_EQ(ring_pair_format(mem, size, 4096), 0);
	CHECK_EQ(ring_pair_open(mem, size, true, ops, f, tx, rx), 0);
	CHECK_EQ(ring_pair_open(mem, size, false, ops, f, &p[0], &p[1]), 0);
	return mem;
}

UNIT_TEST(ring_call_wakes_and_waits_in_one_op)
{
	struct ring_pair_shared *sh;
	struct ring tx, rx, peer[2];
	struct ring_rec rec;
	struct fcall f;
	unsigned char *mem = fcall_pair(&f, &fcall_ops, &tx, &rx, peer);

	sh = (void *)mem;
	/* The peer sleeps on the forward ring: one wake_wait, no spin. */
	sh->ring[RING_PAIR_FWD].cons_sleepers = 1;
	ring_set_spin(&rx, 0);
	f.answer = &peer[0];
	CHECK_EQ(ring_call(&tx, 1, "req", 3, &rx, &rec), 0);
	CHECK(rec.len == 2 && !memcmp(rec.data, "ok", 2));
	CHECK(!strcmp(f.log, "x"));
	CHECK_EQ(tx.stats.wakes, 1);
	CHECK_EQ(tx.stats.wake_waits, 1);
	CHECK_EQ(rx.stats.waits, 1);
	CHECK_EQ(ring_peek(&peer[1], &rec, RING_NOWAIT), 0);
	CHECK(rec.len == 3 && !memcmp(rec.data, "req", 3));
	ring_consume(&peer[1]);
	ring_consume(&rx);

	/* Peer awake: no wake at all, just the wait. */
	sh->ring[RING_PAIR_FWD].cons_sleepers = 0;
	f.n = 0;
	memset(f.log, 0, sizeof(f.log));
	f.answer = &peer[0];
	CHECK_EQ(ring_call(&tx, 1, "req", 3, &rx, &rec), 0);
	CHECK(!strcmp(f.log, "w"));
	ring_consume(&rx);

	/* The answer is there already: the owed wake goes on its own. */
	sh->ring[RING_PAIR_FWD].cons_sleepers = 1;
	f.n = 0;
	memset(f.log, 0, sizeof(f.log));
	ring_push(&peer[0], 3, "ok", 2, 0);
	ring_flush(&peer[0]);
	CHECK_EQ(ring_call(&tx, 1, "req", 3, &rx, &rec), 0);
	CHECK(!strcmp(f.log, "k"));
	ring_consume(&rx);

	/* A spinning side wakes on its own, spins, then waits. */
	f.n = 0;
	memset(f.log, 0, sizeof(f.log));
	ring_set_spin(&rx, 10);
	CHECK_EQ(ring_call(&tx, 1, "req", 3, &rx, &rec), -ETIMEDOUT);
	CHECK(!strcmp(f.log, "kw"));
	CHECK_EQ(rx.stats.spins, 10);

	/* A wait error after the fused wake: nothing owed any more. */
	ring_set_spin(&rx, 0);
	f.n = 0;
	memset(f.log, 0, sizeof(f.log));
	CHECK_EQ(ring_call(&tx, 1, "req", 3, &rx, &rec), -ETIMEDOUT);
	CHECK(!strcmp(f.log, "x"));
	CHECK(!rx.owed);

	/* Misuse. */
	CHECK_EQ(ring_call(&rx, 1, "req", 3, &tx, &rec), -EINVAL);
	peer[1].ops_ctx = NULL;		/* another context: another region */
	CHECK_EQ(ring_call(&tx, 1, "req", 3, &peer[1], &rec), -EINVAL);
	free(mem);
}

UNIT_TEST(ring_call_without_wake_wait)
{
	static const struct ring_ops two_calls = {
		.wait = fcall_wait,
		.wake = fcall_wake,
	};
	struct ring_pair_shared *sh;
	struct ring tx, rx, peer[2];
	struct ring_rec rec;
	struct fcall f;
	unsigned char *mem = fcall_pair(&f, &two_calls, &tx, &rx, peer);

	sh = (void *)mem;
	sh->ring[RING_PAIR_FWD].cons_sleepers = 1;
	f.answer = &peer[0];
	CHECK_EQ(ring_call(&tx, 1, "req", 3, &rx, &rec), 0);
	CHECK(!strcmp(f.log, "kw"));
	CHECK_EQ(tx.stats.wake_waits, 0);
	free(mem);
}

UNIT_TEST(ring_futex_wait_wake)
{
	_Atomic uint32_t word = 5, sleepers = 0;
	struct ring_futex_ctx dead = { .peer_alive = NULL };
	uint64_t t0 = now_ns();
	pid_t self = getpid();

	CHECK_EQ(ring_futex_ops.wait(NULL, &word, 4, &sleepers, 0), -EAGAIN);
	CHECK_EQ(ring_futex_ops.wait(NULL, &word, 5, &sleepers,
				     t0 + 20000000), -ETIMEDOUT);
	CHECK(now_ns() - t0 >= 15000000);
	CHECK_EQ(sleepers, 0);
	dead.peer_alive = pid_alive;
	dead.arg = &self;	/* not our child: waitpid fails, so "dead" */
	CHECK_EQ(ring_futex_ops.wait(&dead, &word, 5, &sleepers, 0), -EPIPE);
	CHECK_EQ(ring_futex_ops.wake(NULL, &word), 0);
}
