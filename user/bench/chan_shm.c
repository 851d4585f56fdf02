// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX shm by name (for the futex, semaphore and spin transports), and
 * the lab's posix-flags transport, used through user/sum/xport.h unchanged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "chan.h"
#include "xport.h"

#define PSHM_MODE	0600

static void pshm_path(const struct end *e, char *buf, size_t size)
{
	snprintf(buf, size, "/%s", e->name);
}

/* Map @fd, which is closed either way. */
static int pshm_map(struct end *e, int fd, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int ret = p == MAP_FAILED ? -errno : 0;

	close(fd);
	if (ret)
		return ret;
	e->mem = p;
	e->size = size;
	return 0;
}

/**
 * pshm_create() - parent: a new zero-filled POSIX shm object, mapped
 * @e: the parent's side; named after e->name
 * @size: its size
 *
 * Return: 0 or -errno.
 */
int pshm_create(struct end *e, size_t size)
{
	char path[VMSHM_NAME_MAX + 1];
	int fd, ret;

	pshm_path(e, path, sizeof(path));
	fd = shm_open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, PSHM_MODE);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, size)) {
		ret = -errno;
		close(fd);
		shm_unlink(path);
		return ret;
	}
	ret = pshm_map(e, fd, size);
	if (ret)
		shm_unlink(path);
	return ret;
}

/**
 * pshm_attach() - child: open the parent's object by name and map it
 * @e: the child's side
 * @size: the size the parent gave it
 *
 * Return: 0 or -errno.
 */
int pshm_attach(struct end *e, size_t size)
{
	char path[VMSHM_NAME_MAX + 1];
	int fd;

	pshm_path(e, path, sizeof(path));
	fd = shm_open(path, O_RDWR | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	return pshm_map(e, fd, size);
}

/**
 * pshm_close() - unmap; the parent also removes the name
 * @e: either side
 */
void pshm_close(struct end *e)
{
	char path[VMSHM_NAME_MAX + 1];

	if (!e->mem)
		return;
	munmap(e->mem, e->size);
	e->mem = NULL;
	if (e->parent) {
		pshm_path(e, path, sizeof(path));
		shm_unlink(path);
	}
}

static int lab_open(struct end *e, bool create)
{
	const struct xport_cfg cfg = { .kind = "posix-flags", .name = e->name };
	struct xport *x;
	int ret;

	ret = create ? xport_create(&cfg, &x) : xport_attach(&cfg, &x);
	if (ret)
		return ret;
	e->priv = x;
	e->nsys = -1;		/* usleep() and friends are the xport's */
	return 0;
}

/**
 * lab_create() - parent: the lab's channel (user/sum/posix_flags.c)
 * @e: the parent's side; e->priv receives the struct xport
 *
 * Return: 0 or -errno.
 */
int lab_create(struct end *e)
{
	return lab_open(e, true);
}

/**
 * lab_attach() - child: attach to the lab's channel by name
 * @e: the child's side
 *
 * Return: 0 or -errno.
 */
int lab_attach(struct end *e)
{
	return lab_open(e, false);
}

/**
 * lab_close() - destroy this side; the creator's removes the shm name
 * @e: either side
 */
void lab_close(struct end *e)
{
	struct xport *x = e->priv;

	if (x)
		x->ops->destroy(x);
	e->priv = NULL;
}
