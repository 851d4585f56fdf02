/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A single-producer single-consumer ring of variable-length records in
 * shared memory, with futex-style sleeping and wakeup suppression.
 *
 * Shared layout (struct ring_shared, five 64-byte cache lines, then the data
 * area, which may live elsewhere):
 *
 *   line 0  magic, version, cap          constant after ring_format()
 *   line 1  head, prod_cpu, head_hint    producer: bytes published, its CPU,
 *                                        the header of the last record
 *   line 2  tail, cons_cpu               consumer: bytes released, its CPU
 *   line 3  cons_sleepers                consumers inside wait() on head
 *   line 4  prod_sleepers                producers inside wait() on tail
 *
 * head and tail are free-running u32 byte counters; cap is a power of two,
 * so (head - tail) is the fill level and (x & (cap - 1)) a data offset.
 *
 * A record is an 8-byte header { u32 len; u32 type; } and len payload bytes,
 * padded to 8.  A record never wraps: when it does not fit before the end of
 * the data area, a RING_TYPE_PAD record fills the rest and it starts at 0.
 * The producer always leaves 8 bytes free, so ring_close() can append its
 * RING_TYPE_EOS record without ever waiting.
 *
 * Ordering: payload stores, then a release store of head; the consumer's
 * acquire load of head, then payload loads.  Symmetrically for tail.
 *
 * The head hint saves the consumer a cache line per record in a ping-pong.
 * With head the producer publishes the header of the last record before
 * it, tagged with that head, on head's own line.  A consumer that has
 * just loaded head, and is exactly one record behind it and the tag,
 * takes the record's length and type from there and does not read the
 * header in the data area, whose line then stays with the producer.  It
 * looks at the hint only then, when the load is a cache hit: a stream
 * pays one such load per refresh of head, not one per record.  The producer writes both, so a
 * consumer may always read either.  Every publish writes the hint word,
 * zero when the last record gets no hint: only records of user types
 * with payloads up to RING_HINT_MAX_LEN do, not a pad or end-of-stream.
 * The tag makes a hint that is not the one published with the head the
 * consumer saw (the producer has published again since, or is older and
 * leaves the word zero) fail the check.
 *
 * Sleeping (Dekker-style, so that a waker can skip the wake syscall):
 *
 *   consumer                              producer
 *   --------                              --------
 *   sees head == tail                     writes records
 *   wait(&head, h, &cons_sleepers):       store_release(head)
 *     cons_sleepers++                     fence(seq_cst)
 *     full barrier                        if (cons_sleepers)
 *     sleep if head == h                          wake()
 *
 * The wait op increments the sleepers word and issues a full barrier
 * before it checks the watched word (the kernel does exactly this for
 * VMSHM_WAIT_SLEEPERS).  Either the producer sees the increment and wakes,
 * or the consumer sees the new head and does not sleep.  The producer
 * waits for space on tail with prod_sleepers in the same way.
 *
 * Spinning (ring_set_spin()) pays only while the peer runs on another CPU
 * and can answer before the spin ends.  Each side stores the CPU it
 * publishes from (plus one; 0 is "unknown", as an older peer leaves it)
 * next to the counter it publishes, on the cache line the other side
 * polls anyway.  A side about to wait reads its peer's.  A ring_call()
 * looks its CPU up once, for its publish and its wait, and again only
 * after a sleep, in which it may have moved.  On its own CPU
 * the peer cannot run while we spin, so the side yields to it instead,
 * up to RING_YIELDS times: a peer that is runnable there answers at once,
 * and neither side sleeps or wakes the other, which costs a context
 * switch and no more (a peer asleep or blocked elsewhere leaves nothing
 * to run, and the yields return at once; then the side sleeps).
 * Elsewhere it spins.  Both share a budget that halves on every try that
 * ends empty-handed and doubles back on every hit, between the full count
 * (the spin count set, or RING_YIELDS) and 1/32 of it, one yield at the
 * least: a peer that is busy, or that the scheduler will not run, stops
 * costing a whole spin on every wait.  Right after it woke its peer a side
 * tries the whole count, and a miss there leaves the budget alone: the
 * peer was asleep, not slow, and only a full spin lets both sides get back
 * to answering each other without sleeping.  A consumer about to spin or
 * yield releases tail only if the producer could be short of room (over
 * half the ring unreleased); else it releases, and wakes a producer
 * sleeping for room, just before its own sleep.  Documentation/bench/README.md
 * has the measurements behind the choice.
 *
 * Nothing in shared memory is trusted: lengths, types and counters written
 * by the peer are validated, and a bad one gives -EBADMSG.
 */
#ifndef _VMSHM_RING_H
#define _VMSHM_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"

#define RING_CACHELINE		64
#define RING_MAGIC		0x676e6972U	/* "ring" */
#define RING_VERSION		1
#define RING_MIN_CAP		64U
#define RING_MAX_CAP		0x80000000U
#define RING_REC_HDR		8U

/* Record types up to RING_TYPE_USER_MAX belong to the caller. */
#define RING_TYPE_USER_MAX	0xffffU
#define RING_TYPE_PAD		0x10000U
#define RING_TYPE_EOS		0x10001U

/* ring_reserve() and ring_peek() flag: fail with -EAGAIN, never wait. */
#define RING_NOWAIT		0x1U

/* A spin count that covers a round trip across vCPUs under TCG. */
#define RING_SPIN_DEFAULT	100U
/* The budget shrinks to at most spin >> RING_SPIN_SHIFT_MAX. */
#define RING_SPIN_SHIFT_MAX	5
/* Most yields to a peer on our own CPU before sleeping: one is the rule. */
#define RING_YIELDS		4U

/*
 * The head hint (see the top): bits 0-31 the head it goes with, 32-47 the
 * record's type, 48-62 its length, 63 set.  Zero is no hint.
 */
#define RING_HINT_MAX_LEN	0x7fffU
#define RING_HINT_VALID		0x80000000U

/* ring_peek() return value at end of stream. */
#define RING_EOF		1

/**
 * struct ring_shared - the part of a ring that lives in shared memory
 * @magic: RING_MAGIC once formatted
 * @version: RING_VERSION
 * @cap: size of the data area in bytes, a power of two
 * @__reserved: zero
 * @head: bytes the producer has published, free-running
 * @prod_cpu: the CPU the producer last published from, plus one; 0 unknown
 * @head_hint: the last record's length and type, and the head that ends it
 *	(see the top and RING_HINT_VALID); 0 for none
 * @tail: bytes the consumer has released, free-running
 * @cons_cpu: the CPU the consumer last released from, plus one; 0 unknown
 * @cons_sleepers: consumer tasks inside the wait op on @head
 * @prod_sleepers: producer tasks inside the wait op on @tail
 */
struct ring_shared {
	uint32_t magic;
	uint32_t version;
	uint32_t cap;
	uint32_t __reserved;
	_Atomic uint32_t head __aligned(RING_CACHELINE);
	_Atomic uint32_t prod_cpu;
	_Atomic uint64_t head_hint;
	_Atomic uint32_t tail __aligned(RING_CACHELINE);
	_Atomic uint32_t cons_cpu;
	_Atomic uint32_t cons_sleepers __aligned(RING_CACHELINE);
	_Atomic uint32_t prod_sleepers __aligned(RING_CACHELINE);
};

/**
 * struct ring_ops - how a ring sleeps and wakes
 * @wait: sleep while *@word == @expected.  Must increment *@sleepers and
 *	issue a full barrier before checking *@word, and decrement it after.
 *	@deadline_ns is an absolute CLOCK_MONOTONIC time, 0 for none.
 *	Returns 0 (woken, maybe spuriously), -EAGAIN (value differs),
 *	-EPIPE (the peer has gone), or -EINTR, -ETIMEDOUT, other -errno.
 * @wake: wake the peer sleeping on @word; 0 or -errno.
 * @wake_wait: optional: @wake on @wake_word, then @wait, in one system
 *	call; returns as @wait does, after the wake happened, or an argument
 *	error before it.  Without it, ring_call() calls @wake, then @wait.
 */
struct ring_ops {
	int (*wait)(void *ctx, _Atomic uint32_t *word, uint32_t expected,
		    _Atomic uint32_t *sleepers, uint64_t deadline_ns);
	int (*wake)(void *ctx, _Atomic uint32_t *word);
	int (*wake_wait)(void *ctx, _Atomic uint32_t *wake_word,
			 _Atomic uint32_t *word, uint32_t expected,
			 _Atomic uint32_t *sleepers, uint64_t deadline_ns);
};

/**
 * struct ring_stats - per-side counters, private to the process
 * @records: records committed (producer) or consumed (consumer)
 * @bytes: payload bytes of those records
 * @publishes: stores of head (producer) or tail (consumer)
 * @wakes: wake ops called, because the peer was marked sleeping (wakes
 *	done by a wake_wait op included)
 * @wake_waits: wake_wait ops called by ring_call(), one system call each
 * @wakes_skipped: publishes that found no sleeper and skipped the wake
 * @waits: wait ops called
 * @spins: spin iterations spent before sleeping
 * @spin_hits: spins, or yields (see struct ring), that found work and
 *	avoided the wait op
 */
struct ring_stats {
	uint64_t records;
	uint64_t bytes;
	uint64_t publishes;
	uint64_t wakes;
	uint64_t wake_waits;
	uint64_t wakes_skipped;
	uint64_t waits;
	uint64_t spins;
	uint64_t spin_hits;
};

/**
 * struct ring - one side (producer or consumer) of a ring
 * @sh: the shared header
 * @data: the data area, @cap bytes
 * @cap: snapshot of @sh->cap, validated once by ring_init()
 * @cpu: consumer inside ring_call(): the CPU tag the call's publish looked
 *	up, 0 to look it up again (it fills a hole, as @yields does)
 * @ops: wait/wake implementation
 * @ops_ctx: its argument
 * @spin: most iterations to poll before calling the wait op, 0 for none
 * @batch: publish by itself once this many bytes are pending
 * @deadline_ns: absolute deadline passed to the wait op, 0 for none
 * @pos: producer: bytes written; consumer: bytes consumed
 * @pos_pub: the value of @pos last stored to head (or tail)
 * @peer: last seen tail (producer) or head (consumer)
 * @cur_size: consumer: size of the record ring_peek() handed out, or 0
 * @cur_len: consumer: its payload length
 * @hint: producer: the head hint's upper half for the last record
 *	committed, RING_HINT_VALID set, or 0 when it gets none (a hole too)
 * @reserved: producer: payload bytes ring_reserve() handed out, or -1
 * @producer: this is the producer side
 * @eos: producer: closed; consumer: end of stream seen
 * @peer_gone: the wait op reported -EPIPE
 * @spin_shift: the spin budget is @spin >> @spin_shift (see the top)
 * @yields: sched_yield() calls made to a peer on our CPU, wrapping at
 *	2^32.  A counter, but not in @stats: it fills a hole here, where a
 *	field of @stats would grow struct ring, which callers allocate.
 * @owed: consumer, inside ring_call(): the producer side whose peer is
 *	marked sleeping and still has to be woken, else NULL
 * @stats: counters
 */
struct ring {
	struct ring_shared *sh;
	unsigned char *data;
	uint32_t cap;
	uint32_t cpu;
	const struct ring_ops *ops;
	void *ops_ctx;
	unsigned int spin;
	uint32_t batch;
	uint64_t deadline_ns;
	uint32_t pos;
	uint32_t pos_pub;
	uint32_t peer;
	uint32_t cur_size;
	uint32_t cur_len;
	uint32_t hint;
	int64_t reserved;
	bool producer;
	bool eos;
	bool peer_gone;
	uint8_t spin_shift;
	uint32_t yields;
	struct ring *owed;
	struct ring_stats stats;
};

/**
 * struct ring_rec - a record handed out by ring_peek()
 * @type: the caller's type, 0 to RING_TYPE_USER_MAX
 * @len: payload length
 * @data: the payload, in the ring; valid until ring_consume()
 */
struct ring_rec {
	uint32_t type;
	uint32_t len;
	const void *data;
};

int ring_format(struct ring_shared *sh, uint32_t cap);
int ring_init(struct ring *r, struct ring_shared *sh, void *data,
	      size_t data_size, bool producer, const struct ring_ops *ops,
	      void *ops_ctx);
uint32_t ring_max_payload(const struct ring *r);
void ring_set_spin(struct ring *r, unsigned int spin);
void ring_set_batch(struct ring *r, uint32_t bytes);
void ring_set_deadline(struct ring *r, uint64_t deadline_ns);

/* Producer side. */
int ring_reserve(struct ring *r, uint32_t len, void **payload,
		 unsigned int flags);
int ring_commit(struct ring *r, uint32_t type, uint32_t len);
int ring_push(struct ring *r, uint32_t type, const void *buf, uint32_t len,
	      unsigned int flags);
int ring_flush(struct ring *r);
int ring_close(struct ring *r);

/* Consumer side. */
int ring_peek(struct ring *r, struct ring_rec *rec, unsigned int flags);
int ring_consume(struct ring *r);
int ring_release(struct ring *r);

/* Both: a request and the wait for its answer, or an answer and the wait. */
int ring_call(struct ring *tx, uint32_t type, const void *buf, uint32_t len,
	      struct ring *rx, struct ring_rec *rec);
uint64_t ring_syscalls(const struct ring *r);

/*
 * Two rings in one region, one per direction: ring 0 (RING_PAIR_FWD)
 * carries data from the region's creator to the attacher, ring 1
 * (RING_PAIR_REV) the replies.
 *
 *   0                 struct ring_pair_shared (pair header, two ring headers,
 *                     RING_PAIR_USER bytes for the pair's users)
 *   RING_PAIR_DATA    data of ring 0, cap0 bytes
 *   + cap0            data of ring 1, cap1 bytes
 */
#define RING_PAIR_MAGIC		0x72696170U	/* "pair" */
#define RING_PAIR_DATA		1024U
#define RING_PAIR_USER		256U
#define RING_PAIR_FWD		0
#define RING_PAIR_REV		1

/**
 * struct ring_pair_shared - header of a region holding two rings
 * @magic: RING_PAIR_MAGIC once formatted
 * @version: RING_VERSION
 * @size: bytes the layout covers
 * @ring: the two ring headers
 * @user: the users' own shared state, zeroed by ring_pair_format(); the
 *	rings never touch it
 */
struct ring_pair_shared {
	uint32_t magic;
	uint32_t version;
	uint64_t size;
	struct ring_shared ring[2] __aligned(RING_CACHELINE);
	unsigned char user[RING_PAIR_USER] __aligned(RING_CACHELINE);
};

int ring_pair_format(void *mem, size_t size, uint32_t rev_cap);
int ring_pair_open(void *mem, size_t size, bool creator,
		   const struct ring_ops *ops, void *ops_ctx,
		   struct ring *tx, struct ring *rx);

/*
 * Futex wait/wake, for rings in memory shared by threads or by processes
 * (MAP_SHARED) without /dev/vmshm.  Peer death is only seen through
 * @peer_alive, polled every @poll_ns while sleeping: fine for tests.
 */
struct ring_futex_ctx {
	bool (*peer_alive)(void *arg);
	void *arg;
	uint64_t poll_ns;
};

extern const struct ring_ops ring_futex_ops;

#endif /* _VMSHM_RING_H */
