// SPDX-License-Identifier: GPL-2.0
/*
 * vmshm notification: VMSHM_WAIT / VMSHM_WAKE, read() and poll().
 *
 * Every region has two wait queues and one event counter, r->seq.  WAKE
 * advances the counter and wakes both queues: r->wait_wq holds VMSHM_WAIT
 * and read() sleepers, r->wq the poll() ones.  A file remembers the
 * counter value it last read (like uio's event count), so poll() is
 * "counter != my snapshot".  VMSHM_WAIT is futex-like: it sleeps while a
 * word in the region still holds the value the caller saw.
 *
 * Why no wakeup is lost.  The waiter queues itself before it looks at the
 * word and the counter; the waker publishes before it looks at the queue:
 *
 *   waiter (VMSHM_WAIT)                  waker (user store + VMSHM_WAKE)
 *   -------------------                  ------------------------------
 *   seq0 = r->seq                        *word = new
 *   prepare_to_wait_event()              smp_mb()
 *     lock wait_wq; add self; unlock     atomic64_inc_return(&r->seq)
 *     set_current_state() (full mb)      if (waitqueue_active(wait_wq))
 *   if (*word != expected ||               lock; dequeue + collect; unlock
 *       r->seq != seq0) return             wake_up_process(collected)
 *   schedule()
 *
 * The waiter's enqueue is ordered before its loads by the barrier in
 * set_current_state(); the waker's store and increment are ordered before
 * its waitqueue_active() load by the fully ordered atomic.  So either the
 * waker sees the waiter queued and wakes it, or the waiter sees the new
 * word or counter and does not sleep.
 *
 * The waker wakes the collected tasks only after it has dropped the queue
 * lock, as futex_wake() does with its wake_q.  read() sleepers are queued
 * on r->wait_wq too, non-exclusive, so that a wake-one wakes every one of
 * them besides one VMSHM_WAIT sleeper, and they are collected the same way;
 * the argument above holds for them word for word, with the counter as the
 * only thing they look at.  A woken task that ran at
 * once would otherwise spin on the lock its waker still holds, and in a
 * guest whose waker vCPU the host preempted right after the wake-up IPI
 * that spin lasts a host time slice (Documentation/bench/README.md has
 * the measurements).
 *
 * poll() cannot follow.  Its queue entries belong to select() and epoll:
 * their wake functions (pollwake(), ep_poll_callback()) run when
 * __wake_up() calls them, under our queue lock, take the poll mask as the
 * key and wake a task we never see, so there is nothing to collect: r->wq
 * is woken the usual way, under its lock.  It is skipped when empty, as
 * wq_has_sleeper() allows: vmshm_poll() issues a full barrier between
 * poll_wait()'s enqueue and its load of the counter (as sock_poll_wait()
 * does), and the waker's fully ordered increment comes before its
 * waitqueue_active() load, so the argument above holds for poll() too.
 *
 * A wake-one and a waiter that gives up.  The waiter's timer fires (or a
 * signal comes) and its recheck finds nothing, but it is still queued
 * until finish_wait() takes it off.  A wake-one in that window picks it:
 *
 *   waiter (deadline passed)             waker (VMSHM_WAKE, wake-one)
 *   ------------------------             ----------------------------
 *   schedule_hrtimeout_range() == 0
 *   vmshm_wait_done() == 0               atomic64_inc_return(&r->seq)
 *     (decides on ETIMEDOUT)             lock wait_wq
 *                                          vmshm_wake_fn(): woken = true,
 *                                          dequeue; the one wake is spent
 *                                        unlock
 *   finish_wait(): finds itself
 *     dequeued, so reads woken = true
 *   returns 0, not ETIMEDOUT
 *
 * Returning ETIMEDOUT there would lose the wake: the waker counted this
 * waiter as the one it woke, and the next sleeper sleeps on.  So, as in
 * futex_wait(), a waiter that a wake picked returns 0 whatever else made
 * it stop.  The flag is written under the queue lock before the entry is
 * dequeued with list_del_init_careful(), and finish_wait() reads the entry
 * with list_empty_careful() or takes the lock: either way it sees the
 * flag.
 *
 * A peer that answers and leaves.  EPIPE, end of file and EPOLLHUP mean
 * "the peers have gone and left nothing": a waiter that reads the word,
 * then finds the last peer gone, may have missed that peer's final store
 * (and wake), made between its two loads (a vCPU preempted there makes
 * the window as wide as a host time slice):
 *
 *   waiter                               last peer
 *   ------                               ---------
 *   r->seq == seq0, *word == expected
 *                                        *word = new; exit()
 *                                          detach: nr_attach-- (full mb)
 *   peer gone: EPIPE, the answer lost
 *
 * A VMSHM_WAKE that picked this waiter would end its wait with 0 anyway;
 * but a peer may leave without one (its exit wakes everybody), its wake
 * may pick another waiter, and read() has no such flag.
 *
 * The peer stores before its fully ordered decrement, so a waiter that
 * sees it gone reads the word and the counter again after smp_rmb(), and
 * reports what it finds there first.  read() rereads the counter the
 * same way; poll() looks for peers first and at the counter after the
 * barrier, so that EPOLLHUP never comes without the EPOLLIN of a wake
 * that came before it.
 *
 * Wakeup suppression (VMSHM_WAIT_SLEEPERS) is the same argument moved to
 * user space: the kernel increments the sleepers word, then issues a full
 * barrier, then reads the watched word; a waker stores the watched word,
 * issues a full barrier, then reads the sleepers word.  At least one of
 * them sees the other's store, so skipping a wake on zero is safe.
 *
 * VMSHM_WAIT_WAKE does the waker's half, then the waiter's, in one call:
 * a request/response pair then costs one system call per message.  The
 * wake comes before the waiter queues itself, so that a wake-one cannot
 * pick the caller, and seq0 is read after it, so that the caller's own
 * wake does not end its wait.  It also comes before the word's page is
 * looked up: the lookup is the waiter's business, and ahead of the wake
 * it delayed every message to a peer on another CPU (so ENOMEM from it
 * comes after the wake).  Between the wake and the wait it yields to a
 * task it woke on its own CPU (cond_resched()), as a task returning from
 * FUTEX_WAKE is preempted by the one it woke: the peer's answer then
 * lands before the caller sleeps, its recheck ends the wait, and the
 * peer finds no sleeper to wake.  On one CPU that halves a ping-pong's
 * sleeps (and, with VMSHM_WAIT_SLEEPERS, its wake calls); across CPUs
 * need_resched() is not set and nothing changes.
 *
 * Across CPUs, VMSHM_WAIT_SPIN fills that gap, the way mutex_spin_on_owner()
 * spins while the owner runs: after a wake-one that picked a sleeper, the
 * caller watches the word and the counter, without queueing itself, while
 * the task it woke is runnable on another CPU (and that vCPU is not
 * preempted), nothing else is runnable here, no signal is pending, and
 * for at most VMSHM_WAIT_SPIN_NS.  The peer's answer then lands during
 * the spin, and both sides skip a sleep and a wake-up.  A FUTEX_WAIT
 * issued a whole system call after its FUTEX_WAKE finds its answer there
 * early in a fraction of round trips; a fused call never does, since
 * it goes from the wake to the sleep inside one call, unless it spins.
 * The spin is only a head start: nothing is decided in it that the sleep
 * loop would not decide, so every argument above holds as it stands.  A
 * peer that goes back to sleep, dies, or is preempted ends the spin at
 * its next look; VMSHM_WAIT_SPIN_NS, a signal, need_resched() or another
 * task runnable here end it too, as need_resched() ends
 * mutex_spin_on_owner().  The caller's own deadline may pass during the
 * spin: the sleep loop then reports ETIMEDOUT at its first look.
 */
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/sched/stat.h>
#include <linux/sched/task.h>
#include <linux/uaccess.h>

#include "trace.h"
#include "vmshm.h"

#define VMSHM_WAIT_FLAGS	(VMSHM_WAIT_DEADLINE | VMSHM_WAIT_SLEEPERS | \
				 VMSHM_WAIT_WAKE | VMSHM_WAIT_WAKE_ALL | \
				 VMSHM_WAIT_SPIN)

/*
 * The longest VMSHM_WAIT_SPIN spins before it sleeps.  Twice a round trip
 * of a lone pair across vCPUs under TCG (about 40 us with futex), and ten
 * times one on bare metal: a bound for a peer that stays runnable without
 * answering, not the usual length of a spin.
 */
#define VMSHM_WAIT_SPIN_NS	(50 * NSEC_PER_USEC)

/**
 * vmshm_file_peer_gone() - has every other attachment of the region gone?
 * @vf: a bound file
 *
 * True when @vf is the only file left bound and some other file was bound
 * at some time since @vf was, or before.  A lone creator waiting for its
 * first peer is not "hung up".
 *
 * Return: true if the peers have gone.
 */
bool vmshm_file_peer_gone(struct vmshm_file *vf)
{
	struct vmshm_region *r = vf->region;
	s64 gen = atomic64_read(&r->attach_gen);

	/*
	 * A bind raises nr_attach, then attach_gen (vmshm_bind_locked());
	 * read them the other way round.  Counted first, a peer attaching
	 * between the two loads would pass for one that came and went.
	 */
	smp_rmb();
	vmshm_fault_wait_gone_race();
	if (atomic_read(&r->nr_attach) > 1)
		return false;
	return vf->had_peer || gen != vf->bind_gen;
}

static bool vmshm_word_ok(struct vmshm_region *r, u64 offset)
{
	return offset < r->size && IS_ALIGNED(offset, sizeof(u32));
}

/**
 * struct vmshm_word - a region word the kernel reads or writes
 * @page: its page, referenced, so that it stays in memory; NULL for a
 *	word on another's page (vmshm_word_get_near())
 * @val: the word, in the page's kernel mapping
 */
struct vmshm_word {
	struct page *page;
	atomic_t *val;
};

/*
 * Get the __u32 at @offset, allocating its page or reading it back from
 * swap, as a touch by user space would.  See vmshm_shmem_page().
 */
static int vmshm_word_get(struct vmshm_region *r, u64 offset,
			  struct vmshm_word *w)
{
	struct page *page = vmshm_shmem_page(r->filp, offset >> PAGE_SHIFT);

	if (IS_ERR(page))
		return PTR_ERR(page);
	w->page = page;
	w->val = kmap_local_page(page) + offset_in_page(offset);
	return 0;
}

/*
 * Get the __u32 at @offset when it may share @near's page (a ring's
 * header holds both of its words): then it borrows @near's page and
 * mapping, and leaves @w->page NULL.
 */
static int vmshm_word_get_near(struct vmshm_region *r, u64 offset,
			       const struct vmshm_word *near, u64 near_offset,
			       struct vmshm_word *w)
{
	if ((offset ^ near_offset) >> PAGE_SHIFT)
		return vmshm_word_get(r, offset, w);
	w->page = NULL;
	w->val = (void *)near->val - offset_in_page(near_offset) +
		 offset_in_page(offset);
	return 0;
}

/*
 * Mark the page dirty if the kernel wrote the word, then let it go.  A
 * borrowed word has nothing to let go: its owner's put does that, and
 * must be told if the borrower wrote.
 */
static void vmshm_word_put(struct vmshm_word *w, bool written)
{
	if (!w->page)
		return;
	kunmap_local(w->val);
	if (written)
		vmshm_shmem_dirty(w->page);
	put_page(w->page);
}

/* 1 if a wake came since @seq0, -EAGAIN if the word moved, else 0. */
static long vmshm_wait_news(struct vmshm_region *r, atomic_t *word,
			    u32 expected, s64 seq0)
{
	if (atomic64_read(&r->seq) != seq0)
		return 1;
	if ((u32)atomic_read(word) != expected)
		return -EAGAIN;
	return 0;
}

/*
 * Nonzero ends the wait: 1 for "woken", or a negative errno.  EPIPE only
 * if the peers left nothing behind: see "A peer that answers and leaves"
 * at the top.
 */
static long vmshm_wait_done(struct vmshm_file *vf, atomic_t *word,
			    u32 expected, s64 seq0)
{
	struct vmshm_region *r = vf->region;
	long ret = vmshm_wait_news(r, word, expected, seq0);

	if (ret)
		return ret;
	if (!vmshm_file_peer_gone(vf))
		return 0;
	/* Pairs with the full barrier of the last peer's detach. */
	smp_rmb();
	return vmshm_wait_news(r, word, expected, seq0) ?: -EPIPE;
}

/**
 * struct vmshm_wake_list - VMSHM_WAIT sleepers to wake after the unlock
 * @task: each with a reference held
 * @nr: how many
 *
 * wake_q_add() is not exported to modules, hence this small list; past
 * its end, sleepers are woken in place, under the lock.
 */
struct vmshm_wake_list {
	struct task_struct *task[8];
	unsigned int nr;
};

/**
 * struct vmshm_waiter - a VMSHM_WAIT or read() sleeper
 * @wait: its entry on vmshm_region.wait_wq
 * @woken: a VMSHM_WAKE picked it; written under the queue lock, before
 *	the entry is dequeued (see the top of this file); read() ignores it
 */
struct vmshm_waiter {
	struct wait_queue_entry wait;
	bool woken;
};

/*
 * Wake function of VMSHM_WAIT and read() sleepers.  With a wake list as the key
 * (vmshm_wake_region()) it marks the waiter picked, dequeues it and
 * collects it, to be woken once the queue lock is dropped; without (peer
 * gone), it only wakes it to recheck.
 *
 * Past the list's end the sleeper is woken in place, and is picked only
 * if that woke it: a sleeper already running (its deadline passed, say)
 * does not count, and __wake_up_common() goes on to the next one.  The
 * mark comes before the dequeue, as in the list case, while the sleeper's
 * finish_wait() still waits for the queue lock.
 */
static int vmshm_wake_fn(struct wait_queue_entry *wait, unsigned int mode,
			 int sync, void *key)
{
	struct vmshm_waiter *waiter = container_of(wait, struct vmshm_waiter,
						   wait);
	struct vmshm_wake_list *wl = key;
	int ret;

	if (!wl)
		return autoremove_wake_function(wait, mode, sync, NULL);
	if (wl->nr == ARRAY_SIZE(wl->task)) {
		ret = default_wake_function(wait, mode, sync, NULL);
		if (ret) {
			waiter->woken = true;
			list_del_init_careful(&wait->entry);
		}
		return ret;
	}
	waiter->woken = true;
	get_task_struct(wait->private);
	wl->task[wl->nr++] = wait->private;
	list_del_init_careful(&wait->entry);
	return 1;
}

/*
 * Advance the event counter and wake one VMSHM_WAIT sleeper (@all: every
 * one) and every read() and poll() sleeper.  With @picked, a wake-one
 * that collected exactly one task (a VMSHM_WAIT sleeper, or a read() one
 * when no VMSHM_WAIT sleeper was queued) hands it over there, referenced;
 * otherwise *@picked is NULL.  Returns the new counter.
 */
static s64 vmshm_wake_region(struct vmshm_region *r, bool all,
			     struct task_struct **picked)
{
	struct vmshm_wake_list wl = { .nr = 0 };
	unsigned int i;
	int nr_woken = 0;
	s64 seq;

	/* Order the caller's stores to the region before the wake. */
	smp_mb();
	seq = atomic64_inc_return(&r->seq);
	atomic64_inc(&r->wakes);
	/* The fully ordered increment pairs with prepare_to_wait_event(). */
	if (waitqueue_active(&r->wait_wq))
		nr_woken = __wake_up(&r->wait_wq, TASK_NORMAL, all ? 0 : 1,
				     &wl);
	/* Before the wake-ups: the woken tasks trace after it. */
	trace_vmshm_wake(r, seq, all, nr_woken);
	for (i = 0; i < wl.nr; i++)
		wake_up_process(wl.task[i]);
	/* The one task this wake collected, if one: VMSHM_WAIT_SPIN's peer. */
	if (picked)
		*picked = !all && wl.nr == 1 ? wl.task[--wl.nr] : NULL;
	for (i = 0; i < wl.nr; i++)
		put_task_struct(wl.task[i]);
	/* Not so for r->wq: see "poll() cannot follow" at the top. */
	if (waitqueue_active(&r->wq))
		wake_up_all(&r->wq);
	return seq;
}

/*
 * Is @peer, a task our wake picked, still on its way to an answer, on
 * another CPU?  Woken and not asleep again, and on a CPU whose vCPU runs,
 * as owner_on_cpu() asks.  Until it has first been seen on_cpu (*@ran),
 * the time between the wake-up and its first run counts too, and is left
 * to the spin's bound; after, a peer off its CPU has been preempted.
 */
static bool vmshm_peer_answering(struct task_struct *peer, bool *ran)
{
	unsigned int state = READ_ONCE(peer->__state);
	unsigned int cpu = task_cpu(peer);

	if (state != TASK_RUNNING && state != TASK_WAKING)
		return false;
	if (cpu == raw_smp_processor_id() || vcpu_is_preempted(cpu))
		return false;
	if (READ_ONCE(peer->on_cpu))
		*ran = true;
	else if (*ran)
		return false;
	return true;
}

/*
 * VMSHM_WAIT_SPIN: watch for news while @peer answers on another CPU and
 * this CPU has nothing else to run (see the top).  Returns what
 * vmshm_wait_news() found, 0 if nothing came.
 */
static long vmshm_wait_spin(struct vmshm_region *r, atomic_t *word,
			    u32 expected, s64 seq0, struct task_struct *peer)
{
	u64 start = local_clock(), now = start;
	bool ran = false;
	long ret;

	while (!(ret = vmshm_wait_news(r, word, expected, seq0))) {
		if (!vmshm_peer_answering(peer, &ran) || !single_task_running() ||
		    need_resched() || signal_pending(current) ||
		    now - start > VMSHM_WAIT_SPIN_NS)
			break;
		cpu_relax();
		now = local_clock();
	}
	trace_vmshm_wait_spin(r, ret, now - start);
	return ret;
}

static long vmshm_wait_sleep(struct vmshm_file *vf, atomic_t *word,
			     u32 expected, s64 seq0, ktime_t *deadline)
{
	struct vmshm_region *r = vf->region;
	struct vmshm_waiter waiter = { .woken = false };
	bool slept = false, timed_out;
	long ret;

	/* Exclusive, so that a wake-one WAKE picks one waiter. */
	init_wait_entry(&waiter.wait, WQ_FLAG_EXCLUSIVE);
	waiter.wait.func = vmshm_wake_fn;
	for (;;) {
		long intr = prepare_to_wait_event(&r->wait_wq, &waiter.wait,
						  TASK_INTERRUPTIBLE);

		ret = vmshm_wait_done(vf, word, expected, seq0);
		if (ret)
			break;
		/* Nonzero only if no WAKE picked us: safe to fail. */
		if (intr) {
			ret = intr;
			break;
		}
		if (!slept) {
			slept = true;
			atomic64_inc(&r->waits);
		}
		timed_out = !schedule_hrtimeout_range(deadline,
						      current->timer_slack_ns,
						      HRTIMER_MODE_ABS);
		ret = vmshm_wait_done(vf, word, expected, seq0);
		if (ret)
			break;
		if (timed_out) {
			vmshm_fault_wait_race();
			ret = -ETIMEDOUT;
			break;
		}
	}
	finish_wait(&r->wait_wq, &waiter.wait);
	/* Picked by a wake-one after the last recheck: the wake is ours. */
	if (waiter.woken)
		return 0;
	if (ret == -ETIMEDOUT)
		atomic64_inc(&r->timeouts);
	return ret == 1 ? 0 : ret;
}

/* Reject bad arguments before anything is allocated. */
static int vmshm_wait_check(struct vmshm_file *vf, const struct vmshm_wait *w)
{
	struct vmshm_region *r = vf->region;

	if (w->flags & ~VMSHM_WAIT_FLAGS)
		return -EOPNOTSUPP;
	if (w->__reserved)
		return -EINVAL;
	if ((w->flags & (VMSHM_WAIT_WAKE_ALL | VMSHM_WAIT_SPIN)) &&
	    !(w->flags & VMSHM_WAIT_WAKE))
		return -EINVAL;
	if ((w->flags & VMSHM_WAIT_DEADLINE) && w->deadline_ns > KTIME_MAX)
		return -EINVAL;
	if (!vmshm_word_ok(r, w->offset))
		return -EINVAL;
	/* A read-only file may not wake, nor have the kernel write for it. */
	if ((w->flags & (VMSHM_WAIT_SLEEPERS | VMSHM_WAIT_WAKE)) &&
	    (vf->flags & VMSHM_ATTACH_RDONLY))
		return -EBADF;
	if (!(w->flags & VMSHM_WAIT_SLEEPERS))
		return 0;
	if (!vmshm_word_ok(r, w->sleepers_offset) ||
	    w->sleepers_offset == w->offset)
		return -EINVAL;
	return 0;
}

/**
 * vmshm_ioctl_wait() - VMSHM_WAIT: sleep until the word changes or a wake
 * @vf: the calling file, bound
 * @arg: struct vmshm_wait
 *
 * The deadline is absolute, so returning -ERESTARTSYS on a signal lets the
 * signal code restart the ioctl (SA_RESTART) without stretching it.
 *
 * Return: 0 when woken, or a negative errno documented in the UAPI header.
 */
long vmshm_ioctl_wait(struct vmshm_file *vf, void *arg)
{
	struct vmshm_region *r = vmshm_file_region(vf);
	struct vmshm_wait *w = arg;
	struct vmshm_word word, sleepers = { };
	bool count_sleepers = w->flags & VMSHM_WAIT_SLEEPERS;
	struct task_struct *peer = NULL;
	ktime_t deadline, *expires = NULL;
	s64 seq0;
	long ret;

	ret = vmshm_wait_check(vf, w);
	if (ret)
		return ret;
	if (w->flags & VMSHM_WAIT_DEADLINE) {
		deadline = ns_to_ktime(w->deadline_ns);
		expires = &deadline;
	}
	/*
	 * Wake before queueing ourselves, or a wake-one could pick us, and
	 * before the page lookups, which the peer need not wait for.  The
	 * counter is read after it, so this wake does not end the wait.
	 */
	if (w->flags & VMSHM_WAIT_WAKE) {
		vmshm_wake_region(r, w->flags & VMSHM_WAIT_WAKE_ALL,
				  w->flags & VMSHM_WAIT_SPIN ? &peer : NULL);
		/* Let a peer woken on this CPU answer first: see the top. */
		cond_resched();
	}
	seq0 = atomic64_read(&r->seq);
	ret = vmshm_word_get(r, w->offset, &word);
	if (ret)
		goto err_put_peer;
	/* Before counting ourselves a sleeper, so that an answer needs no wake. */
	if (peer) {
		ret = vmshm_wait_spin(r, word.val, w->expected, seq0, peer);
		put_task_struct(peer);
		if (ret) {
			vmshm_word_put(&word, false);
			return ret == 1 ? 0 : ret;
		}
	}
	if (count_sleepers) {
		ret = vmshm_word_get_near(r, w->sleepers_offset, &word,
					  w->offset, &sleepers);
		if (ret)
			goto err_put_word;
	}
	if (count_sleepers) {
		atomic_inc(sleepers.val);
		/* Sleepers store before the watched load: see the top. */
		smp_mb__after_atomic();
	}

	trace_vmshm_wait_begin(r, w);
	ret = vmshm_wait_sleep(vf, word.val, w->expected, seq0, expires);
	trace_vmshm_wait_end(r, w, ret);

	if (count_sleepers) {
		atomic_dec(sleepers.val);
		vmshm_word_put(&sleepers, true);
	}
	vmshm_word_put(&word, count_sleepers && !sleepers.page);
	return ret;

err_put_word:
	vmshm_word_put(&word, false);
	return ret;
err_put_peer:
	if (peer)
		put_task_struct(peer);
	return ret;
}

/**
 * vmshm_ioctl_wake() - VMSHM_WAKE: advance the event counter and wake
 * @vf: the calling file, bound
 * @arg: struct vmshm_wake, updated with out_seq
 *
 * Return: 0, -EOPNOTSUPP for unknown flags, -EINVAL for a reserved
 * field, -EBADF on a read-only attachment.
 */
long vmshm_ioctl_wake(struct vmshm_file *vf, void *arg)
{
	struct vmshm_region *r = vmshm_file_region(vf);
	struct vmshm_wake *k = arg;

	if (k->flags & ~VMSHM_WAKE_ALL)
		return -EOPNOTSUPP;
	if (k->__reserved)
		return -EINVAL;
	if (vf->flags & VMSHM_ATTACH_RDONLY)
		return -EBADF;

	k->out_seq = vmshm_wake_region(r, k->flags & VMSHM_WAKE_ALL, NULL);
	return 0;
}

/**
 * vmshm_poll() - poll()/epoll readiness
 * @file: the /dev/vmshm file
 * @pt: poll table
 *
 * EPOLLIN when a WAKE happened since the last read(), EPOLLHUP when every
 * other attachment has gone, EPOLLERR when the file is not bound.  The
 * wait queue lives in the region, which the file keeps alive until after
 * eventpoll has dropped its entries in __fput().
 *
 * Return: the ready mask.
 */
__poll_t vmshm_poll(struct file *file, struct poll_table_struct *pt)
{
	struct vmshm_file *vf = file->private_data;
	struct vmshm_region *r = vmshm_file_region(vf);
	__poll_t mask = 0;

	if (!r)
		return EPOLLERR;
	poll_wait(file, &r->wq, pt);
	/* Enqueue before the load: see "poll() cannot follow" at the top. */
	smp_mb();
	if (vmshm_file_peer_gone(vf))
		mask |= EPOLLHUP;
	/* EPOLLHUP comes with any wake before the detach: see the top. */
	smp_rmb();
	if (atomic64_read(&r->seq) != atomic64_read(&vf->seen))
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

/*
 * Sleep on r->wait_wq until the counter moves past @seen or the peers
 * have gone, to be woken after the waker's unlock (vmshm_wake_fn()).
 * Non-exclusive: a wake-one is not spent on a read() sleeper.
 */
static int vmshm_read_sleep(struct vmshm_file *vf, s64 seen)
{
	struct vmshm_region *r = vf->region;
	struct vmshm_waiter waiter = { .woken = false };
	long ret;

	init_wait_entry(&waiter.wait, 0);
	waiter.wait.func = vmshm_wake_fn;
	for (;;) {
		ret = prepare_to_wait_event(&r->wait_wq, &waiter.wait,
					    TASK_INTERRUPTIBLE);
		if (atomic64_read(&r->seq) != seen ||
		    vmshm_file_peer_gone(vf)) {
			ret = 0;
			break;
		}
		if (ret)
			break;
		schedule();
	}
	finish_wait(&r->wait_wq, &waiter.wait);
	return ret;
}

/**
 * vmshm_read() - read the event counter, consuming the readiness
 * @file: the /dev/vmshm file
 * @buf: user buffer for one __u64
 * @count: at least 8
 * @ppos: unused
 *
 * Blocks until a WAKE happens after the last read() of this file, unless
 * O_NONBLOCK.  Once the peers have gone and no event is pending, returns
 * 0, like a pipe at end of file.
 *
 * Return: 8, 0, or -EINVAL, -ENODEV, -EAGAIN, -ERESTARTSYS, -EFAULT.
 */
ssize_t vmshm_read(struct file *file, char __user *buf, size_t count,
		   loff_t *ppos)
{
	struct vmshm_file *vf = file->private_data;
	struct vmshm_region *r = vmshm_file_region(vf);
	s64 seen = atomic64_read(&vf->seen);
	u64 seq;
	int ret;

	if (!r)
		return -ENODEV;
	if (count < sizeof(seq))
		return -EINVAL;
	while ((seq = atomic64_read(&r->seq)) == seen) {
		if (vmshm_file_peer_gone(vf)) {
			/* A last wake before the detach: see the top. */
			smp_rmb();
			if (atomic64_read(&r->seq) != seen)
				continue;
			return 0;
		}
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = vmshm_read_sleep(vf, seen);
		if (ret)
			return ret;
	}
	atomic64_set(&vf->seen, seq);
	if (copy_to_user(buf, &seq, sizeof(seq)))
		return -EFAULT;
	return sizeof(seq);
}
