// SPDX-License-Identifier: GPL-2.0
/*
 * Ping-pong over words in POSIX shm: futex, a pure spin, and POSIX
 * semaphores.  Each direction has a message counter on its own cache line;
 * a side sends by storing its next count and receives by waiting until
 * the peer's count moves.
 *
 * futex always wakes: it keeps no count of sleepers, like the vmshm-wait
 * variant, so the two compare system call for system call.
 */
#include <errno.h>
#include <linux/futex.h>
#include <semaphore.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "chan.h"

#define WORD_SHM_SIZE	4096
#define SEM_OFF		(2 * CHAN_LINE)

static inline void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static int word_create(struct end *e)
{
	return pshm_create(e, WORD_SHM_SIZE);
}

static int word_attach(struct end *e)
{
	return pshm_attach(e, WORD_SHM_SIZE);
}

/* Shared (not private) futexes: the word is in two processes. */
static long futex_op(_Atomic uint32_t *w, int op, uint32_t val)
{
	return syscall(SYS_futex, (uint32_t *)w, op, val, NULL, NULL, 0);
}

static int futex_send(struct end *e)
{
	_Atomic uint32_t *w = tx_word(e);

	atomic_store_explicit(w, ++e->seq, memory_order_release);
	e->nsys++;
	return futex_op(w, FUTEX_WAKE, 1) < 0 ? -errno : 0;
}

static int futex_recv(struct end *e)
{
	_Atomic uint32_t *w = rx_word(e);
	uint32_t v;

	while ((v = atomic_load_explicit(w, memory_order_acquire)) == e->rcvd) {
		e->nsys++;
		if (futex_op(w, FUTEX_WAIT, v) && errno != EAGAIN &&
		    errno != EINTR)
			return -errno;
	}
	e->rcvd = v;
	return 0;
}

const struct pp_ops pp_futex = {
	.name = "futex",
	.chan = { .create = word_create, .attach = word_attach,
		  .close = pshm_close },
	.send = futex_send,
	.recv = futex_recv,
};

static int spin_send(struct end *e)
{
	atomic_store_explicit(tx_word(e), ++e->seq, memory_order_release);
	return 0;
}

static int spin_recv(struct end *e)
{
	_Atomic uint32_t *w = rx_word(e);
	uint32_t v;

	while ((v = atomic_load_explicit(w, memory_order_acquire)) == e->rcvd)
		relax();
	e->rcvd = v;
	return 0;
}

/* On one vCPU the spinner holds the CPU its peer needs until preempted. */
const struct pp_ops pp_spin = {
	.name = "spin",
	.flags = PP_SLOW_SAME,
	.chan = { .create = word_create, .attach = word_attach,
		  .close = pshm_close },
	.send = spin_send,
	.recv = spin_recv,
};

static sem_t *sem_at(struct end *e, bool tx)
{
	bool second = tx ? !e->parent : e->parent;

	return (sem_t *)((char *)e->mem + SEM_OFF + second * CHAN_LINE);
}

static int sem_create(struct end *e)
{
	int ret = pshm_create(e, WORD_SHM_SIZE);

	if (ret)
		return ret;
	if (sem_init(sem_at(e, true), 1, 0) || sem_init(sem_at(e, false), 1, 0)) {
		ret = -errno;
		pshm_close(e);
		return ret;
	}
	e->nsys = -1;		/* glibc decides when to enter the kernel */
	return 0;
}

static int sem_attach(struct end *e)
{
	e->nsys = -1;
	return pshm_attach(e, WORD_SHM_SIZE);
}

static int sem_send(struct end *e)
{
	return sem_post(sem_at(e, true)) ? -errno : 0;
}

static int sem_recv(struct end *e)
{
	while (sem_wait(sem_at(e, false))) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

const struct pp_ops pp_sem = {
	.name = "sem",
	.chan = { .create = sem_create, .attach = sem_attach,
		  .close = pshm_close },
	.send = sem_send,
	.recv = sem_recv,
};
