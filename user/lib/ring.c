// SPDX-License-Identifier: GPL-2.0
/*
 * SPSC ring of variable-length records.  See ring.h for the layout and the
 * sleeping protocol.  This file touches no device: the wait and wake ops
 * are plugged in, so it runs over any memory (and in host unit tests).
 */
#include <errno.h>
#include <sched.h>
#include <string.h>

#include "ring.h"

_Static_assert(sizeof(struct ring_shared) == 5 * RING_CACHELINE,
	       "ring_shared must be five cache lines");
_Static_assert(offsetof(struct ring_shared, head) == 1 * RING_CACHELINE &&
	       offsetof(struct ring_shared, tail) == 2 * RING_CACHELINE &&
	       offsetof(struct ring_shared, cons_sleepers) == 3 * RING_CACHELINE &&
	       offsetof(struct ring_shared, prod_sleepers) == 4 * RING_CACHELINE,
	       "each ring word on its own cache line");
_Static_assert(offsetof(struct ring_shared, prod_cpu) < 2 * RING_CACHELINE &&
	       offsetof(struct ring_shared, cons_cpu) < 3 * RING_CACHELINE,
	       "each CPU word on its counter's line");
_Static_assert(sizeof(_Atomic uint32_t) == sizeof(uint32_t) &&
	       ATOMIC_INT_LOCK_FREE == 2,
	       "ring words must be plain lock-free u32 for the kernel");
_Static_assert(offsetof(struct ring_shared, head_hint) < 2 * RING_CACHELINE &&
	       ATOMIC_LLONG_LOCK_FREE == 2,
	       "the head hint on head's line, stored in one go");
/* libvmshm.so.1 exports functions that take it: its layout is ABI. */
_Static_assert(sizeof(struct ring) == 176 &&
	       offsetof(struct ring, stats) == 104,
	       "struct ring must keep its size and layout");
_Static_assert(sizeof(struct ring_pair_shared) <= RING_PAIR_DATA,
	       "pair header must fit before the data");

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

static uint32_t rec_size(uint32_t len)
{
	return RING_REC_HDR + ((len + 7) & ~7U);
}

static uint32_t ring_off(const struct ring *r, uint32_t pos)
{
	return pos & (r->cap - 1);
}

static void rec_write(struct ring *r, uint32_t off, uint32_t len,
		      uint32_t type)
{
	uint32_t *hdr = (uint32_t *)(r->data + off);

	hdr[0] = len;
	hdr[1] = type;
}

/* Each header word is loaded once: the peer may change it under us. */
static void rec_read(const struct ring *r, uint32_t off, uint32_t *len,
		     uint32_t *type)
{
	const uint32_t *hdr = (const uint32_t *)(r->data + off);

	*len = __atomic_load_n(&hdr[0], __ATOMIC_RELAXED);
	*type = __atomic_load_n(&hdr[1], __ATOMIC_RELAXED);
}

/* The hint of a record, for a producer's @hint, or 0 when it gets none. */
static uint32_t rec_hint(uint32_t len, uint32_t type)
{
	if (len > RING_HINT_MAX_LEN || type > RING_TYPE_USER_MAX)
		return 0;
	return RING_HINT_VALID | len << 16 | type;
}

/*
 * Consumer: the header of the next record from the head hint, if that
 * record is the last one published and the hint is the one published with
 * it; false to read it from the data area.  Called only right after
 * cons_refresh() loaded head, from the same line: the load is then a
 * cache hit, and the hint at least as new as that head.
 */
static bool hint_read(const struct ring *r, uint32_t *len, uint32_t *type)
{
	uint64_t h;
	uint32_t hint;

	/* Streaming: more than one record pending, leave head's line be. */
	if (r->peer - r->pos > rec_size(RING_HINT_MAX_LEN))
		return false;
	h = atomic_load_explicit(&r->sh->head_hint, memory_order_relaxed);
	hint = h >> 32;
	if (!(hint & RING_HINT_VALID) || (uint32_t)h != r->peer)
		return false;
	*len = hint >> 16 & RING_HINT_MAX_LEN;
	*type = hint & RING_TYPE_USER_MAX;
	return r->peer - r->pos == rec_size(*len);
}

/**
 * ring_format() - initialize a ring header before any side uses it
 * @sh: the shared header
 * @cap: data area size, a power of two, RING_MIN_CAP to RING_MAX_CAP
 *
 * Return: 0, or -EINVAL for a bad @cap.
 */
int ring_format(struct ring_shared *sh, uint32_t cap)
{
	if (!is_pow2(cap) || cap < RING_MIN_CAP || cap > RING_MAX_CAP)
		return -EINVAL;
	memset(sh, 0, sizeof(*sh));
	sh->version = RING_VERSION;
	sh->cap = cap;
	__atomic_store_n(&sh->magic, RING_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

/**
 * ring_init() - attach one side to a formatted ring
 * @r: the side, private to this process
 * @sh: the shared header
 * @data: the data area
 * @data_size: bytes available at @data; the ring's cap must fit
 * @producer: true for the producer side, false for the consumer
 * @ops: wait and wake operations
 * @ops_ctx: their context
 *
 * The side starts at the shared counters, so it may attach late.
 * Defaults: no spin, batch of cap/4, no deadline.
 *
 * Return: 0, -EPROTO if @sh is not a ring of this version, -EBADMSG if
 * its header is inconsistent.
 */
int ring_init(struct ring *r, struct ring_shared *sh, void *data,
	      size_t data_size, bool producer, const struct ring_ops *ops,
	      void *ops_ctx)
{
	uint32_t cap, head, tail;

	if (__atomic_load_n(&sh->magic, __ATOMIC_ACQUIRE) != RING_MAGIC ||
	    sh->version != RING_VERSION)
		return -EPROTO;
	cap = sh->cap;
	if (!is_pow2(cap) || cap < RING_MIN_CAP || cap > RING_MAX_CAP ||
	    cap > data_size)
		return -EBADMSG;
	head = atomic_load_explicit(&sh->head, memory_order_acquire);
	tail = atomic_load_explicit(&sh->tail, memory_order_acquire);
	if (head - tail > cap || (head | tail) & (RING_REC_HDR - 1))
		return -EBADMSG;

	memset(r, 0, sizeof(*r));
	r->sh = sh;
	r->data = data;
	r->cap = cap;
	r->producer = producer;
	r->ops = ops;
	r->ops_ctx = ops_ctx;
	r->batch = cap / 4;
	r->reserved = -1;
	r->pos = producer ? head : tail;
	r->pos_pub = r->pos;
	r->peer = producer ? tail : head;
	return 0;
}

/**
 * ring_max_payload() - the largest record payload ring_reserve() accepts
 * @r: either side
 *
 * Return: cap minus a record header and the slot kept for end-of-stream.
 */
uint32_t ring_max_payload(const struct ring *r)
{
	return r->cap - 2 * RING_REC_HDR;
}

/**
 * ring_set_spin() - poll up to this many times before sleeping
 * @r: either side
 * @spin: iterations, 0 to sleep at once; RING_SPIN_DEFAULT is a good start
 *
 * The side spins only while its peer last ran on another CPU, and for a
 * budget that adapts to how often spinning found work.  While the peer
 * last ran on ours, it yields to it instead (see ring.h); 0 turns that
 * off as well.
 */
void ring_set_spin(struct ring *r, unsigned int spin)
{
	r->spin = spin;
	r->spin_shift = 0;
}

/**
 * ring_set_batch() - publish by itself after this many pending bytes
 * @r: either side
 * @bytes: 0 publishes every record; capped at cap
 *
 * The producer still publishes on ring_flush() and before it sleeps, the
 * consumer on ring_release() and before it sleeps.
 */
void ring_set_batch(struct ring *r, uint32_t bytes)
{
	r->batch = bytes < r->cap ? bytes : r->cap;
}

/**
 * ring_set_deadline() - absolute CLOCK_MONOTONIC deadline for the waits
 * @r: either side
 * @deadline_ns: deadline, 0 for none; waits past it fail with -ETIMEDOUT
 */
void ring_set_deadline(struct ring *r, uint64_t deadline_ns)
{
	r->deadline_ns = deadline_ns;
}

/* The CPU we run on, plus one, or 0 when unknown (see ring.h). */
static uint32_t ring_cpu_tag(void)
{
	int cpu = sched_getcpu();

	return cpu < 0 ? 0 : (uint32_t)cpu + 1;
}

/* Our CPU tag: the one ring_call() looked up, else a fresh one. */
static uint32_t ring_cpu(const struct ring *r)
{
	return r->cpu ? r->cpu : ring_cpu_tag();
}

/*
 * After publishing: say where from, for the peer's ring_how().  The
 * peer reads it only when it is about to wait, long after the counter it
 * was waiting for, so the counter goes first.
 */
static void ring_store_cpu(struct ring *r)
{
	atomic_store_explicit(r->producer ? &r->sh->prod_cpu :
			      &r->sh->cons_cpu, ring_cpu(r),
			      memory_order_relaxed);
}

/* How a side waits for its peer before it calls the wait op. */
enum ring_how {
	RING_SLEEP,	/* no spinning set: at once */
	RING_SPIN,	/* the peer runs elsewhere, or we do not know */
	RING_YIELD,	/* the peer last ran on our CPU */
};

/*
 * Can the peer answer while we spin?  Not from our own CPU: there it can
 * answer only if we give the CPU up, and a yield does that.
 */
static enum ring_how ring_how(const struct ring *r)
{
	uint32_t peer;

	if (!r->spin)
		return RING_SLEEP;
	peer = atomic_load_explicit(r->producer ? &r->sh->cons_cpu :
				    &r->sh->prod_cpu, memory_order_relaxed);
	return peer && peer == ring_cpu(r) ? RING_YIELD : RING_SPIN;
}

/*
 * The budget of a spin or a round of yields whose whole count is @full:
 * all of it right after waking the peer (@woke), else @full >> spin_shift.
 */
static unsigned int ring_budget(const struct ring *r, unsigned int full,
				bool woke)
{
	return woke ? full : full >> r->spin_shift;
}

/*
 * Adapt the budget to how the spin or the yields ended, and return @hit.
 * A hit doubles the budget back, a miss halves it, down to 1/32 of the
 * whole count.  Right after waking the peer (@woke) a miss changes
 * nothing: it only says the wake-up took longer than the spin, not that
 * the peer is slow, and a budget cut there would keep both sides sleeping
 * in turn for ever, each waking the other too late.
 */
static bool ring_adapt(struct ring *r, bool hit, bool woke)
{
	if (hit) {
		r->stats.spin_hits++;
		if (r->spin_shift)
			r->spin_shift--;
	} else if (!woke && r->spin_shift < RING_SPIN_SHIFT_MAX) {
		r->spin_shift++;
	}
	return hit;
}

/* Spin on @word while it holds @seen, for the budget; true if it changed. */
static bool ring_spin(struct ring *r, _Atomic uint32_t *word, uint32_t seen,
		      bool woke)
{
	unsigned int i, budget = ring_budget(r, r->spin, woke);

	for (i = 0; i < budget; i++) {
		cpu_relax();
		if (atomic_load_explicit(word, memory_order_relaxed) != seen) {
			r->stats.spins += i + 1;
			return ring_adapt(r, true, woke);
		}
	}
	r->stats.spins += budget;
	return ring_adapt(r, false, woke);
}

/*
 * Give the CPU to a peer that last ran on ours while @word holds @seen,
 * for the budget, one yield at the least (only a hit can grow it back);
 * true if it changed.  A peer that is runnable here answers in our place,
 * with no wake-up and no sleep on either side; a peer that is not (asleep,
 * or blocked on something else) leaves nothing to run, and the yields
 * return at once.  The scheduler also keeps the CPU with us when we have
 * had less than our share of it and the peer more: a producer far lighter
 * than its consumer yields to nobody, and the budget shrinks.
 */
static bool ring_yield(struct ring *r, _Atomic uint32_t *word, uint32_t seen,
		       bool woke)
{
	unsigned int i, budget = ring_budget(r, RING_YIELDS, woke);

	if (!budget)
		budget = 1;
	for (i = 0; i < budget; i++) {
		sched_yield();
		r->yields++;
		if (atomic_load_explicit(word, memory_order_relaxed) != seen)
			return ring_adapt(r, true, woke);
	}
	return ring_adapt(r, false, woke);
}

/*
 * Publish our position in @word (head for the producer, tail for the
 * consumer), if it moved, then say whether the peer is marked sleeping on
 * @sleepers and so needs a wake.  The store comes first, with nothing
 * before it but the producer's head hint on the same line: the peer may
 * be spinning on it.
 */
static __always_inline
bool ring_publish(struct ring *r, _Atomic uint32_t *word,
		  _Atomic uint32_t *sleepers)
{
	if (r->pos == r->pos_pub)
		return false;
	/* Every head gets its own hint, or none: no stale one survives. */
	if (r->producer)
		atomic_store_explicit(&r->sh->head_hint, r->hint ?
				      (uint64_t)r->hint << 32 | r->pos : 0,
				      memory_order_relaxed);
	atomic_store_explicit(word, r->pos, memory_order_release);
	ring_store_cpu(r);
	r->pos_pub = r->pos;
	r->stats.publishes++;
	atomic_thread_fence(memory_order_seq_cst);
	if (!atomic_load_explicit(sleepers, memory_order_relaxed)) {
		r->stats.wakes_skipped++;
		return false;
	}
	return true;
}

/* Wake the peer waiting on @word. */
static int ring_wake(struct ring *r, _Atomic uint32_t *word)
{
	r->stats.wakes++;
	return r->ops->wake(r->ops_ctx, word);
}

/*
 * Pay the wake ring_call() owes, with the wait when there is one to do and
 * a wake_wait op to do both.  Returns the wait's result, or the wake's.
 */
static int ring_pay(struct ring *r, _Atomic uint32_t *word, uint32_t seen,
		    _Atomic uint32_t *sleepers)
{
	struct ring *tx = r->owed;

	r->owed = NULL;
	if (!word || !r->ops->wake_wait)
		return ring_wake(tx, &tx->sh->head);
	tx->stats.wakes++;
	r->stats.waits++;
	tx->stats.wake_waits++;
	return r->ops->wake_wait(r->ops_ctx, &tx->sh->head, word, seen,
				 sleepers, r->deadline_ns);
}

/* Call the wait op; -EAGAIN (the word moved) counts as woken. */
static int ring_wait(struct ring *r, _Atomic uint32_t *word, uint32_t seen,
		     _Atomic uint32_t *sleepers)
{
	enum ring_how how = ring_how(r);
	int ret;

	if (r->owed && r->ops->wake_wait && how == RING_SLEEP) {
		ret = ring_pay(r, word, seen, sleepers);
	} else {
		/*
		 * A spinning side wakes first and on its own: the spin only
		 * pays off if the peer answers before it ends, which it can
		 * do only once awake.  Fused, both sides would sleep in turn
		 * for ever after, each waking the other as it goes to sleep.
		 */
		bool woke = r->owed;

		if (woke) {
			ret = ring_pay(r, NULL, 0, NULL);
			if (ret)
				return ret;
		}
		if (how == RING_SPIN && ring_spin(r, word, seen, woke))
			return 0;
		if (how == RING_YIELD && ring_yield(r, word, seen, woke))
			return 0;
		/* A consumer that spun or yielded has not released yet. */
		if (!r->producer) {
			ret = ring_release(r);
			if (ret)
				return ret;
		}
		r->stats.waits++;
		ret = r->ops->wait(r->ops_ctx, word, seen, sleepers,
				   r->deadline_ns);
	}
	/* It may have slept, and woken up elsewhere. */
	r->cpu = 0;
	if (ret == -EPIPE)
		r->peer_gone = true;
	return ret == -EAGAIN ? 0 : ret;
}

/**
 * ring_flush() - producer: publish every committed record
 * @r: the producer side
 *
 * Stores head with release semantics, then wakes the consumer only if it
 * is marked sleeping.
 *
 * Return: 0, or the wake op's -errno.
 */
int ring_flush(struct ring *r)
{
	if (!r->producer)
		return -EINVAL;
	if (!ring_publish(r, &r->sh->head, &r->sh->cons_sleepers))
		return 0;
	return ring_wake(r, &r->sh->head);
}

/* Producer: is there room for @need bytes, keeping the EOS slot free? */
static bool prod_has_room(const struct ring *r, uint32_t need)
{
	return r->cap - (r->pos - r->peer) >= need + RING_REC_HDR;
}

static int prod_refresh(struct ring *r)
{
	uint32_t tail = atomic_load_explicit(&r->sh->tail,
					     memory_order_acquire);

	/* tail may only move forward, and never past what we published. */
	if (tail - r->peer > r->pos_pub - r->peer)
		return -EBADMSG;
	r->peer = tail;
	return 0;
}

/* Producer: wait until @need bytes (plus the EOS slot) are free. */
static int prod_wait(struct ring *r, uint32_t need, unsigned int flags)
{
	int ret;

	for (;;) {
		if (prod_has_room(r, need))
			return 0;
		ret = prod_refresh(r);
		if (ret)
			return ret;
		if (prod_has_room(r, need))
			return 0;
		if (r->peer_gone)
			return -EPIPE;
		if (flags & RING_NOWAIT)
			return -EAGAIN;
		/* The consumer can only free what it has been shown. */
		ret = ring_flush(r);
		if (ret)
			return ret;
		ret = ring_wait(r, &r->sh->tail, r->peer, &r->sh->prod_sleepers);
		if (ret)
			return ret;
	}
}

/*
 * ring_reserve(), ring_commit() and ring_push(), inlined into one another
 * and into ring_call(): under a ping-pong, the path from a record received
 * to the answer published is what a round trip costs beyond the two
 * stores, and a call and return per step is a good part of it.
 */
static __always_inline
int __ring_reserve(struct ring *r, uint32_t len, void **payload,
		   unsigned int flags)
{
	uint32_t size, off, to_end;
	int ret;

	if (!r->producer || r->eos)
		return -EINVAL;
	if (len > ring_max_payload(r))
		return -EMSGSIZE;
	size = rec_size(len);
	off = ring_off(r, r->pos);
	to_end = r->cap - off;
	if (to_end < size) {
		ret = prod_wait(r, to_end, flags);
		if (ret)
			return ret;
		rec_write(r, off, to_end - RING_REC_HDR, RING_TYPE_PAD);
		r->hint = 0;	/* the last record is now the pad */
		r->pos += to_end;
	}
	if (!prod_has_room(r, size)) {
		ret = prod_wait(r, size, flags);
		if (ret)
			return ret;
	}
	*payload = r->data + ring_off(r, r->pos) + RING_REC_HDR;
	r->reserved = len;
	return 0;
}

/* ring_commit() once its arguments are checked. */
static __always_inline
int __ring_commit(struct ring *r, uint32_t type, uint32_t len)
{
	rec_write(r, ring_off(r, r->pos), len, type);
	r->hint = rec_hint(len, type);
	r->pos += rec_size(len);
	r->reserved = -1;
	r->stats.records++;
	r->stats.bytes += len;
	if (r->pos - r->pos_pub >= r->batch)
		return ring_flush(r);
	return 0;
}

static __always_inline
int __ring_push(struct ring *r, uint32_t type, const void *buf, uint32_t len,
		unsigned int flags)
{
	void *p;
	int ret;

	if (type > RING_TYPE_USER_MAX)
		return -EINVAL;
	ret = __ring_reserve(r, len, &p, flags);
	if (ret)
		return ret;
	if (len)
		memcpy(p, buf, len);
	return __ring_commit(r, type, len);
}

/**
 * ring_reserve() - producer: get room for a record of @len payload bytes
 * @r: the producer side
 * @len: payload length, at most ring_max_payload()
 * @payload: receives where to write the payload
 * @flags: RING_NOWAIT to fail with -EAGAIN instead of waiting
 *
 * May publish earlier records and sleep until the consumer frees room.
 * Finish with ring_commit(); nothing is visible to the consumer before.
 *
 * Return: 0, -EMSGSIZE, -EAGAIN, -EPIPE (the consumer has gone), -EBADMSG
 * (the consumer corrupted the ring), -EINVAL (closed, or consumer side),
 * or a wait op error such as -EINTR or -ETIMEDOUT.
 */
int ring_reserve(struct ring *r, uint32_t len, void **payload,
		 unsigned int flags)
{
	return __ring_reserve(r, len, payload, flags);
}

/**
 * ring_commit() - producer: finish the record ring_reserve() started
 * @r: the producer side
 * @type: the caller's record type, at most RING_TYPE_USER_MAX
 * @len: payload bytes written, at most the reserved length
 *
 * The record is published by ring_flush(), or by itself once the batch
 * size is pending.
 *
 * Return: 0, -EINVAL (nothing reserved, @len too big, bad @type), or the
 * wake op's -errno.
 */
int ring_commit(struct ring *r, uint32_t type, uint32_t len)
{
	if (r->reserved < 0 || len > r->reserved || type > RING_TYPE_USER_MAX)
		return -EINVAL;
	return __ring_commit(r, type, len);
}

/**
 * ring_push() - producer: copy one record in
 * @r: the producer side
 * @type: the caller's record type
 * @buf: payload
 * @len: payload length
 * @flags: RING_NOWAIT or 0
 *
 * Return: as ring_reserve() and ring_commit().
 */
int ring_push(struct ring *r, uint32_t type, const void *buf, uint32_t len,
	      unsigned int flags)
{
	return __ring_push(r, type, buf, len, flags);
}

/**
 * ring_close() - producer: append end-of-stream and publish
 * @r: the producer side
 *
 * Never waits: the producer always keeps room for this record.  A pending
 * reservation is dropped.  Closing twice is a no-op.
 *
 * Return: 0, -EINVAL on the consumer side, or the wake op's -errno.
 */
int ring_close(struct ring *r)
{
	if (!r->producer)
		return -EINVAL;
	if (!r->eos) {
		rec_write(r, ring_off(r, r->pos), 0, RING_TYPE_EOS);
		r->hint = 0;
		r->pos += RING_REC_HDR;
		r->eos = true;
		r->reserved = -1;
	}
	return ring_flush(r);
}

/**
 * ring_release() - consumer: hand consumed records back to the producer
 * @r: the consumer side
 *
 * Stores tail with release semantics, then wakes the producer only if it
 * is marked sleeping.  Called by itself once the batch size is consumed
 * and before the consumer sleeps.
 *
 * Return: 0, or the wake op's -errno.
 */
int ring_release(struct ring *r)
{
	if (r->producer)
		return -EINVAL;
	if (!ring_publish(r, &r->sh->tail, &r->sh->prod_sleepers))
		return 0;
	return ring_wake(r, &r->sh->tail);
}

/* Consumer: wait until head moves past what we have seen. */
static int cons_refresh(struct ring *r, unsigned int flags)
{
	uint32_t head;
	int ret;

	for (;;) {
		head = atomic_load_explicit(&r->sh->head, memory_order_acquire);
		if (head != r->pos) {
			if (head - r->pos > r->cap ||
			    head & (RING_REC_HDR - 1))
				return -EBADMSG;
			r->peer = head;
			return 0;
		}
		/* The peer's last stores are visible: all drained. */
		if (r->peer_gone)
			return -EPIPE;
		/*
		 * Release before spinning only if the producer could be
		 * waiting for room: else the release, with its fence, would
		 * delay the spin, and ring_wait() releases before a sleep.
		 */
		if (flags & RING_NOWAIT || !r->spin ||
		    r->pos - r->pos_pub > r->cap / 2) {
			ret = ring_release(r);
			if (ret)
				return ret;
		}
		if (flags & RING_NOWAIT)
			return -EAGAIN;
		ret = ring_wait(r, &r->sh->head, head, &r->sh->cons_sleepers);
		if (ret && ret != -EPIPE)
			return ret;
	}
}

/* Consumer: the size of a valid record header at @off, or -EBADMSG. */
static int64_t cons_check(const struct ring *r, uint32_t off, uint32_t len,
			  uint32_t type)
{
	uint32_t to_end = r->cap - off;
	int64_t size;

	if (len > to_end - RING_REC_HDR)
		return -EBADMSG;
	size = rec_size(len);
	if (size > r->peer - r->pos)
		return -EBADMSG;
	if (type == RING_TYPE_PAD && size != to_end)
		return -EBADMSG;
	if (type == RING_TYPE_EOS && len)
		return -EBADMSG;
	if (type > RING_TYPE_USER_MAX && type != RING_TYPE_PAD &&
	    type != RING_TYPE_EOS)
		return -EBADMSG;
	return size;
}

/**
 * ring_peek() - consumer: the next record, without consuming it
 * @r: the consumer side
 * @rec: receives the record; its data stays valid until ring_consume()
 * @flags: RING_NOWAIT to fail with -EAGAIN when empty
 *
 * Pad records are skipped.  Before sleeping, consumed records are
 * released to the producer.  Peeking again returns the same record.
 *
 * Return: 0, RING_EOF at end of stream (and every call after it), -EAGAIN,
 * -EPIPE once the producer has gone and everything it published has been
 * drained, -EBADMSG (corrupt ring), -EINVAL (producer side), or a wait op
 * error such as -EINTR or -ETIMEDOUT.
 */
int ring_peek(struct ring *r, struct ring_rec *rec, unsigned int flags)
{
	uint32_t off, len, type;
	bool fresh;
	int64_t size;
	int ret;

	if (r->producer)
		return -EINVAL;
	for (;;) {
		if (r->eos)
			return RING_EOF;
		fresh = r->peer == r->pos;
		if (fresh) {
			ret = cons_refresh(r, flags);
			if (ret)
				return ret;
		}
		off = ring_off(r, r->pos);
		if (!fresh || !hint_read(r, &len, &type))
			rec_read(r, off, &len, &type);
		size = cons_check(r, off, len, type);
		if (size < 0)
			return size;
		if (type <= RING_TYPE_USER_MAX)
			break;
		r->pos += size;
		if (type == RING_TYPE_EOS) {
			r->eos = true;
			(void)ring_release(r);
		}
	}
	rec->type = type;
	rec->len = len;
	rec->data = r->data + off + RING_REC_HDR;
	r->cur_size = size;
	r->cur_len = len;
	return 0;
}

/**
 * ring_consume() - consumer: drop the record ring_peek() returned
 * @r: the consumer side
 *
 * Return: 0, or the wake op's -errno if this released a batch.
 */
int ring_consume(struct ring *r)
{
	if (!r->cur_size)
		return 0;
	r->pos += r->cur_size;
	r->stats.records++;
	r->stats.bytes += r->cur_len;
	r->cur_size = 0;
	if (r->pos - r->pos_pub >= r->batch)
		return ring_release(r);
	return 0;
}

/**
 * ring_call() - send a record, then wait for the next one on another ring
 * @tx: producer side of one ring
 * @type: the record's type
 * @buf: its payload
 * @len: payload length
 * @rx: consumer side of the ring the answer comes on; same ops and context
 * @rec: receives the next record of @rx, as ring_peek()
 *
 * Does what ring_push(), ring_flush() and ring_peek() do, in fewer system
 * calls: when the consumer of @tx is marked sleeping and @rx is empty, the
 * wake_wait op wakes it and sleeps in one call (VMSHM_WAIT_WAKE).  A
 * request and its answer then cost one system call on each side.  A ring
 * set to spin (ring_set_spin()) wakes with a call of its own, then spins
 * (peer on another CPU) or yields (peer on ours) before it sleeps, as
 * ring_flush() and ring_peek() would.  On an error of the wait (-EINTR,
 * -ETIMEDOUT) the record has been sent and the peer woken: call
 * ring_peek() to go on waiting.
 *
 * Return: as ring_peek(), or ring_push()'s or the wake op's -errno.
 */
int ring_call(struct ring *tx, uint32_t type, const void *buf, uint32_t len,
	      struct ring *rx, struct ring_rec *rec)
{
	int ret, err;

	if (!tx->producer || rx->producer || rx->owed || rx->ops != tx->ops ||
	    rx->ops_ctx != tx->ops_ctx)
		return -EINVAL;
	ret = __ring_push(tx, type, buf, len, 0);
	if (ret)
		goto out;
	if (ring_publish(tx, &tx->sh->head, &tx->sh->cons_sleepers))
		rx->owed = tx;
	/*
	 * One CPU lookup for the publish and the wait, not one each, and
	 * after head is out: the peer may be spinning on it.  The publish
	 * looked it up and stored it, and only we store there.
	 */
	rx->cpu = atomic_load_explicit(&tx->sh->prod_cpu, memory_order_relaxed);
	ret = ring_peek(rx, rec, 0);
	if (rx->owed) {
		/* The answer needed no wait: wake on its own. */
		err = ring_pay(rx, NULL, 0, NULL);
		if (!ret)
			ret = err;
	}
out:
	rx->cpu = 0;
	return ret;
}

/**
 * ring_syscalls() - system calls one side's waiting and waking made
 * @r: either side
 *
 * One per wait or wake op, one per wake_wait op (counted in the stats as
 * a wake and a wait), and one per yield.  A ring_call() counts its
 * wake_wait op on the producer side @tx and its wait on @rx: add up both.
 *
 * Return: the count since ring_init().
 */
uint64_t ring_syscalls(const struct ring *r)
{
	const struct ring_stats *s = &r->stats;

	return s->wakes + s->waits - s->wake_waits + r->yields;
}

static uint32_t pow2_floor(uint64_t x)
{
	uint32_t p = RING_MAX_CAP;

	while (p > x)
		p >>= 1;
	return p;
}

/**
 * ring_pair_format() - lay out two rings in one region (see ring.h)
 * @mem: start of the region
 * @size: region size
 * @rev_cap: data size of the reverse ring, a power of two
 *
 * The forward ring gets the largest power of two that fits in the rest.
 *
 * Return: 0, or -EINVAL if @rev_cap is bad or @size too small.
 */
int ring_pair_format(void *mem, size_t size, uint32_t rev_cap)
{
	struct ring_pair_shared *p = mem;
	uint64_t avail;
	uint32_t fwd_cap;

	if (size < RING_PAIR_DATA)
		return -EINVAL;
	avail = size - RING_PAIR_DATA;
	if (!is_pow2(rev_cap) || rev_cap < RING_MIN_CAP || rev_cap > avail)
		return -EINVAL;
	fwd_cap = pow2_floor(avail - rev_cap);
	if (fwd_cap < RING_MIN_CAP)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->version = RING_VERSION;
	p->size = size;
	ring_format(&p->ring[RING_PAIR_FWD], fwd_cap);
	ring_format(&p->ring[RING_PAIR_REV], rev_cap);
	__atomic_store_n(&p->magic, RING_PAIR_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

/**
 * ring_pair_open() - open both rings of a region laid out by
 * ring_pair_format()
 * @mem: start of the region
 * @size: bytes mapped at @mem
 * @creator: true for the side that formatted the region, which produces
 *	on the forward ring and consumes the reverse one
 * @ops: wait and wake operations
 * @ops_ctx: their context
 * @tx: receives the side this process produces on
 * @rx: receives the side this process consumes from
 *
 * Return: 0, -EPROTO (not a ring pair of this version), -EBADMSG.
 */
int ring_pair_open(void *mem, size_t size, bool creator,
		   const struct ring_ops *ops, void *ops_ctx,
		   struct ring *tx, struct ring *rx)
{
	struct ring_pair_shared *p = mem;
	unsigned char *data = (unsigned char *)mem + RING_PAIR_DATA;
	uint32_t fwd_cap;
	int ret;

	if (size < RING_PAIR_DATA ||
	    __atomic_load_n(&p->magic, __ATOMIC_ACQUIRE) != RING_PAIR_MAGIC ||
	    p->version != RING_VERSION)
		return -EPROTO;
	size -= RING_PAIR_DATA;
	fwd_cap = p->ring[RING_PAIR_FWD].cap;
	if (fwd_cap > size)
		return -EBADMSG;
	ret = ring_init(creator ? tx : rx, &p->ring[RING_PAIR_FWD], data,
			fwd_cap, creator, ops, ops_ctx);
	if (ret)
		return ret;
	return ring_init(creator ? rx : tx, &p->ring[RING_PAIR_REV],
			 data + fwd_cap, size - fwd_cap, !creator, ops, ops_ctx);
}
