// SPDX-License-Identifier: GPL-2.0
/*
 * The lab's original protocol, kept as the measured baseline.
 *
 * One POSIX shm object holds the lab's 4096-byte struct, { char data[4092];
 * int data_ready; }, once per direction: [0] parent to child, [1] child to
 * parent (results, interactive mode only).  data_ready is 0 (empty), 1
 * (data ready) or 2 (end of data).  The sender waits while data_ready is 1,
 * copies a NUL-terminated string in and sets 1; the receiver waits while
 * it is 0, copies the string out, sets 0 at once and then works on its
 * copy.  Both wait with usleep(1000) polling, as the lab did.
 *
 * What is added, without changing that shape:
 *  - data_ready is accessed with acquire/release atomics: the lab's plain
 *    int only works where the compiler and CPU happen not to reorder.
 *  - A line longer than 4091 bytes goes as several messages: a message
 *    ending in '\n' ends its line, any other continues it (the lab cut
 *    such lines silently).  An empty message stands for one NUL byte,
 *    which a C string cannot carry.
 *  - End of data waits until the last message was taken (the lab set 2
 *    right over a pending 1, which could lose that line).
 *  - The waits notice the peer's death through cfg->peer_alive and give
 *    up on a signal when cfg->stop is set.
 *  - The shm name is unlinked as soon as the child has opened it.
 *  - The receiver's account (struct xport_status) follows the two
 *    structs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "xport.h"

#define SHM_SIZE	4096	/* the lab's SHM_SIZE */
#define PF_POLL_US	1000	/* the lab's usleep(1000) */
#define PF_MODE		0600

/* The lab's shared_data_t. */
struct pf_shared {
	char data[SHM_SIZE - 4];
	int data_ready;
};

_Static_assert(sizeof(struct pf_shared) == SHM_SIZE, "the lab's layout");

#define PF_DATA_MAX	(sizeof(((struct pf_shared *)0)->data) - 1)

/* The shm object: one lab struct per direction, then the account. */
struct pf_channel {
	struct pf_shared dir[2];
	struct xport_status status;
};

#define PF_SIZE		sizeof(struct pf_channel)

enum {
	PF_EMPTY = 0,
	PF_READY = 1,
	PF_END = 2,
};

struct pf_xport {
	struct xport x;
	struct pf_channel *mem;
	struct pf_shared *tx;
	struct pf_shared *rx;
	int fd;
	bool creator;
	char shm_name[80];
	bool (*peer_alive)(void *arg);
	void *peer_arg;
	volatile sig_atomic_t *stop;
	char buf[sizeof(((struct pf_shared *)0)->data)];
	unsigned long long sent;
	unsigned long long received;
	unsigned long long polls;
};

static struct pf_xport *to_pf(struct xport *x)
{
	return container_of(x, struct pf_xport, x);
}

/* The lab's wait: poll the flag every millisecond while it is @busy. */
static int pf_wait_while(struct pf_xport *p, struct pf_shared *c, int busy)
{
	while (__atomic_load_n(&c->data_ready, __ATOMIC_ACQUIRE) == busy) {
		if (p->peer_alive && !p->peer_alive(p->peer_arg))
			return -EPIPE;
		if (usleep(PF_POLL_US) && (!p->stop || *p->stop))
			return -EINTR;
		p->polls++;
	}
	return 0;
}

/* Send one message: @n bytes, plus '\n' if @nl, as a C string. */
static int pf_put(struct pf_xport *p, const char *buf, size_t n, bool nl)
{
	int ret = pf_wait_while(p, p->tx, PF_READY);

	if (ret)
		return ret;
	memcpy(p->tx->data, buf, n);
	if (nl)
		p->tx->data[n++] = '\n';
	p->tx->data[n] = '\0';
	__atomic_store_n(&p->tx->data_ready, PF_READY, __ATOMIC_RELEASE);
	p->sent++;
	return 0;
}

static int pf_send(struct xport *x, const char *buf, size_t len, bool eol)
{
	struct pf_xport *p = to_pf(x);

	while (len || eol) {
		size_t n = len < PF_DATA_MAX ? len : PF_DATA_MAX;
		const char *nul = memchr(buf, '\0', n);
		bool nl;
		int ret;

		if (nul)
			n = nul - buf;
		nl = eol && n == len && n < PF_DATA_MAX;
		/* n == 0 without nl: an empty message, i.e. one NUL byte. */
		ret = pf_put(p, buf, n, nl);
		if (ret || nl)
			return ret;
		n = n ? n : 1;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Every message is handed over as soon as it is written. */
static int pf_flush(struct xport *x)
{
	(void)x;
	return 0;
}

static int pf_close(struct xport *x)
{
	struct pf_xport *p = to_pf(x);
	int ret = pf_wait_while(p, p->tx, PF_READY);

	if (ret)
		return ret;
	__atomic_store_n(&p->tx->data_ready, PF_END, __ATOMIC_RELEASE);
	return 0;
}

static int pf_recv(struct xport *x, struct xport_piece *pc,
		   unsigned int flags)
{
	struct pf_xport *p = to_pf(x);
	int state = __atomic_load_n(&p->rx->data_ready, __ATOMIC_ACQUIRE);
	size_t n;

	if (state == PF_EMPTY) {
		if (flags & XPORT_NOWAIT)
			return -EAGAIN;
		state = pf_wait_while(p, p->rx, PF_EMPTY);
		if (state)
			return state;
		state = __atomic_load_n(&p->rx->data_ready, __ATOMIC_ACQUIRE);
	}
	if (state == PF_END)
		return XPORT_EOF;
	n = strnlen(p->rx->data, sizeof(p->rx->data));
	if (state != PF_READY || n == sizeof(p->rx->data))
		return -EBADMSG;
	/* As the lab: copy out, then hand the buffer back at once. */
	memcpy(p->buf, p->rx->data, n);
	__atomic_store_n(&p->rx->data_ready, PF_EMPTY, __ATOMIC_RELEASE);
	p->received++;

	pc->data = p->buf;
	pc->eol = n && p->buf[n - 1] == '\n';
	pc->len = n ? n - pc->eol : 1;
	pc->lines = false;	/* one line per message: the lab's protocol */
	if (!n)
		p->buf[0] = '\0';
	return 0;
}

static int pf_recv_done(struct xport *x)
{
	(void)x;
	return 0;
}

static int pf_peer_ready(struct xport *x)
{
	struct pf_xport *p = to_pf(x);

	if (!p->creator || !p->shm_name[0])
		return 0;
	if (shm_unlink(p->shm_name))
		return -errno;
	p->shm_name[0] = '\0';
	return 0;
}

static void pf_stats(struct xport *x, char *buf, size_t size)
{
	struct pf_xport *p = to_pf(x);

	/* Each poll is a sleep; nobody is woken, the peer polls too. */
	xport_format_stats(buf, size, p->sent, p->received, p->polls, 0, 0, 0);
}

static void pf_destroy(struct xport *x)
{
	struct pf_xport *p = to_pf(x);

	if (p->creator && p->shm_name[0])
		shm_unlink(p->shm_name);
	munmap(p->mem, PF_SIZE);
	close(p->fd);
	free(p);
}

static const struct xport_ops pf_ops = {
	.send = pf_send,
	.flush = pf_flush,
	.close = pf_close,
	.recv = pf_recv,
	.recv_done = pf_recv_done,
	.peer_ready = pf_peer_ready,
	.stats = pf_stats,
	.destroy = pf_destroy,
};

static int pf_open(struct pf_xport *p, bool creator)
{
	int flags = O_RDWR | O_CLOEXEC | (creator ? O_CREAT | O_EXCL : 0);
	struct stat st;
	int fd, ret;

	fd = shm_open(p->shm_name, flags, PF_MODE);
	if (fd < 0)
		return -errno;
	if (creator ? ftruncate(fd, PF_SIZE) : fstat(fd, &st))
		goto err_close;
	if (!creator && st.st_size < (off_t)PF_SIZE) {
		close(fd);
		return -EPROTO;
	}
	p->mem = mmap(NULL, PF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p->mem == MAP_FAILED)
		goto err_close;
	p->fd = fd;
	return 0;

err_close:
	ret = -errno;
	close(fd);
	if (creator)
		shm_unlink(p->shm_name);
	return ret;
}

static int pf_setup(const struct xport_cfg *cfg, bool creator,
		    struct xport **x)
{
	struct pf_xport *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return -ENOMEM;
	ret = -ENAMETOOLONG;
	if (snprintf(p->shm_name, sizeof(p->shm_name), "/%s", cfg->name) >=
	    (int)sizeof(p->shm_name))
		goto err_free;
	ret = pf_open(p, creator);
	if (ret)
		goto err_free;
	p->creator = creator;
	p->tx = &p->mem->dir[creator ? 0 : 1];
	p->rx = &p->mem->dir[creator ? 1 : 0];
	p->peer_alive = cfg->peer_alive;
	p->peer_arg = cfg->peer_arg;
	p->stop = cfg->stop;
	p->x.ops = &pf_ops;
	p->x.kind = cfg->kind;
	p->x.poll_fd = -1;
	p->x.size = PF_SIZE;
	p->x.status = &p->mem->status;
	*x = &p->x;
	return 0;

err_free:
	free(p);
	return ret;
}

/**
 * posix_flags_create() - shm_open(O_CREAT | O_EXCL) the lab's channel
 * @cfg: cfg->name is the shm name without its '/'
 * @x: receives the endpoint
 *
 * shm_open() needs a tmpfs at /dev/shm.  Both directions start empty, and
 * the account zeroed, as ftruncate() zero-fills.
 *
 * Return: 0 or -errno.
 */
int posix_flags_create(const struct xport_cfg *cfg, struct xport **x)
{
	return pf_setup(cfg, true, x);
}

/**
 * posix_flags_attach() - shm_open() an existing lab channel
 * @cfg: cfg->name is the shm name without its '/'
 * @x: receives the endpoint
 *
 * Return: 0 or -errno.
 */
int posix_flags_attach(const struct xport_cfg *cfg, struct xport **x)
{
	return pf_setup(cfg, false, x);
}
