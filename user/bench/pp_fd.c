// SPDX-License-Identifier: GPL-2.0
/*
 * Ping-pong over file descriptors inherited through fork(): an eventfd
 * per direction, a pipe per direction, one AF_UNIX stream socketpair.
 *
 * Before fork, fd[0] and fd[1] are the parent's send and receive fds,
 * fd[2] and fd[3] the child's; each side then closes what it does not use.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

static bool fd_in(int fd, const int *set)
{
	return fd == set[0] || fd == set[1];
}

/* Close @drop[0..1], except what @keep[0..1] still uses. */
static void fd_drop(const int *drop, const int *keep)
{
	if (!fd_in(drop[0], keep))
		close(drop[0]);
	if (drop[1] != drop[0] && !fd_in(drop[1], keep))
		close(drop[1]);
}

static int fd_create(struct end *e)
{
	fd_drop(&e->fd[2], &e->fd[0]);
	return 0;
}

static int fd_attach(struct end *e)
{
	fd_drop(&e->fd[0], &e->fd[2]);
	e->fd[0] = e->fd[2];
	e->fd[1] = e->fd[3];
	return 0;
}

static void fd_close(struct end *e)
{
	close(e->fd[0]);
	if (e->fd[1] != e->fd[0])
		close(e->fd[1]);
}

static int eventfd_prefork(struct end *e)
{
	int a = eventfd(0, EFD_CLOEXEC), b;

	if (a < 0)
		return -errno;
	b = eventfd(0, EFD_CLOEXEC);
	if (b < 0) {
		close(a);
		return -errno;
	}
	e->fd[0] = a;
	e->fd[1] = b;
	e->fd[2] = b;
	e->fd[3] = a;
	return 0;
}

static int eventfd_send(struct end *e)
{
	uint64_t one = 1;

	e->nsys++;
	return write(e->fd[0], &one, sizeof(one)) == sizeof(one) ? 0 : -EIO;
}

static int eventfd_recv(struct end *e)
{
	uint64_t v;

	e->nsys++;
	return read(e->fd[1], &v, sizeof(v)) == sizeof(v) ? 0 : -EIO;
}

const struct pp_ops pp_eventfd = {
	.name = "eventfd",
	.chan = { .prefork = eventfd_prefork, .create = fd_create,
		  .attach = fd_attach, .close = fd_close },
	.send = eventfd_send,
	.recv = eventfd_recv,
};

static int byte_send(struct end *e)
{
	e->nsys++;
	return write(e->fd[0], "m", 1) == 1 ? 0 : -EIO;
}

static int byte_recv(struct end *e)
{
	char c;

	e->nsys++;
	return read(e->fd[1], &c, 1) == 1 ? 0 : -EIO;
}

static int pipe_prefork(struct end *e)
{
	int down[2], up[2];

	if (pipe2(down, O_CLOEXEC))
		return -errno;
	if (pipe2(up, O_CLOEXEC)) {
		close(down[0]);
		close(down[1]);
		return -errno;
	}
	e->fd[0] = down[1];
	e->fd[1] = up[0];
	e->fd[2] = up[1];
	e->fd[3] = down[0];
	return 0;
}

const struct pp_ops pp_pipe = {
	.name = "pipe",
	.chan = { .prefork = pipe_prefork, .create = fd_create,
		  .attach = fd_attach, .close = fd_close },
	.send = byte_send,
	.recv = byte_recv,
};

static int socketpair_prefork(struct end *e)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	e->fd[0] = sv[0];
	e->fd[1] = sv[0];
	e->fd[2] = sv[1];
	e->fd[3] = sv[1];
	return 0;
}

const struct pp_ops pp_socketpair = {
	.name = "socketpair",
	.chan = { .prefork = socketpair_prefork, .create = fd_create,
		  .attach = fd_attach, .close = fd_close },
	.send = byte_send,
	.recv = byte_recv,
};
