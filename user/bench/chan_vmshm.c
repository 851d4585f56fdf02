// SPDX-License-Identifier: GPL-2.0
/*
 * vmshm regions by name, and the ring pair of the vmshm transport in one.
 *
 * Regions are created VMSHM_CREATE_TRANSIENT, so that a bench killed in
 * the middle leaves none behind.  The ring pair uses the library's layout
 * (ring_pair_format) and wait/wake ops (vmshm_ring_ops) unchanged; only
 * the region size and the spin count come from the bench's options.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "chan.h"
#include "xport.h"

#define VREG_MODE	0600
#define RING_REV_CAP	65536U	/* as the vmshm transport's largest */

/* Map all of it shared, read-write, with @mflags (MAP_POPULATE) added. */
static int vreg_map(struct vreg *v, int fd, uint64_t size, int mflags)
{
	int ret;

	v->mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | mflags,
		      fd, 0);
	if (v->mem == MAP_FAILED) {
		ret = -errno;
		v->mem = NULL;
		close(fd);
		return ret;
	}
	v->fd = fd;
	v->size = size;
	return 0;
}

/**
 * vreg_create_map() - create a transient region and map it
 * @v: receives the region
 * @name: its name
 * @size: its size, rounded up to pages by the kernel
 * @flags: VMSHM_CREATE_* bits besides TRANSIENT
 * @mflags: mmap() flags besides MAP_SHARED, e.g. MAP_POPULATE
 *
 * Return: 0 or -errno.
 */
int vreg_create_map(struct vreg *v, const char *name, uint64_t size,
		    uint32_t flags, int mflags)
{
	uint64_t page = sysconf(_SC_PAGESIZE);
	int fd = vmshm_open();
	int ret;

	if (fd < 0)
		return fd;
	size = (size + page - 1) & ~(page - 1);
	ret = vmshm_create(fd, name, size, VREG_MODE,
			   flags | VMSHM_CREATE_TRANSIENT, NULL);
	if (ret) {
		close(fd);
		return ret;
	}
	return vreg_map(v, fd, size, mflags);
}

/**
 * vreg_create() - create a transient region and map it
 * @v: receives the region
 * @name: its name
 * @size: its size, rounded up to pages by the kernel
 * @flags: VMSHM_CREATE_* bits besides TRANSIENT
 *
 * Return: 0 or -errno.
 */
int vreg_create(struct vreg *v, const char *name, uint64_t size,
		uint32_t flags)
{
	return vreg_create_map(v, name, size, flags, 0);
}

/**
 * vreg_attach() - attach to a region by name and map all of it
 * @v: receives the region
 * @name: its name
 * @flags: VMSHM_ATTACH_* bits
 *
 * Return: 0 or -errno.
 */
int vreg_attach(struct vreg *v, const char *name, uint32_t flags)
{
	uint64_t size;
	int fd = vmshm_open();
	int ret;

	if (fd < 0)
		return fd;
	ret = vmshm_attach(fd, name, flags, &size, NULL);
	if (ret) {
		close(fd);
		return ret;
	}
	return vreg_map(v, fd, size, 0);
}

/**
 * vreg_close() - unmap and detach
 * @v: the region; the last user's detach frees a transient one
 */
void vreg_close(struct vreg *v)
{
	if (!v->mem)
		return;
	vmshm_unmap(v->mem, v->size);
	close(v->fd);
	v->mem = NULL;
}

/**
 * vreg_kstat() - the region's wait and wake counters (VMSHM_STAT)
 * @v: the region
 * @waits: receives the VMSHM_WAIT calls that slept
 * @wakes: receives the VMSHM_WAKE calls
 *
 * Return: 0 or -errno.
 */
int vreg_kstat(const struct vreg *v, uint64_t *waits, uint64_t *wakes)
{
	struct vmshm_stat st;
	int ret = vmshm_stat(v->fd, &st);

	if (ret)
		return ret;
	*waits = st.out_waits;
	*wakes = st.out_wakes;
	return 0;
}

static int ring_chan_open(struct end *e, struct ring_chan *c)
{
	int ret;

	/* Wake-all, as the parent's transport does. */
	vmshm_ring_ctx_init(&c->ctx, c->reg.fd, c->reg.mem, c->reg.size, true);
	ret = ring_pair_open(c->reg.mem, c->reg.size, e->parent,
			     &vmshm_ring_ops, &c->ctx, &c->tx, &c->rx);
	if (ret)
		return ret;
	e->priv = c;
	e->nsys = -1;
	return 0;
}

static int ring_chan_setup(struct end *e, bool create)
{
	struct ring_chan *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return -ENOMEM;
	ret = create ? vreg_create(&c->reg, e->name, e->cfg->ring_size, 0) :
		       vreg_attach(&c->reg, e->name, 0);
	if (ret)
		goto err_free;
	/* Faulted in at set-up, as the parent's transport does. */
	xport_populate(c->reg.mem, c->reg.size);
	if (create)
		ret = ring_pair_format(c->reg.mem, c->reg.size, RING_REV_CAP);
	if (!ret)
		ret = ring_chan_open(e, c);
	if (!ret)
		return 0;
	vreg_close(&c->reg);
err_free:
	free(c);
	return ret;
}

/**
 * ring_chan_create() - parent: a region of cfg->ring_size with a ring pair
 * @e: the parent's side; e->priv receives the channel
 *
 * Return: 0 or -errno.
 */
int ring_chan_create(struct end *e)
{
	return ring_chan_setup(e, true);
}

/**
 * ring_chan_attach() - child: attach to the parent's ring pair by name
 * @e: the child's side; e->priv receives the channel
 *
 * Return: 0 or -errno.
 */
int ring_chan_attach(struct end *e)
{
	return ring_chan_setup(e, false);
}

/**
 * ring_chan_kstat() - the region's wait and wake counters
 * @e: either side
 * @waits: as vreg_kstat()
 * @wakes: as vreg_kstat()
 *
 * Return: 0 or -errno.
 */
int ring_chan_kstat(struct end *e, uint64_t *waits, uint64_t *wakes)
{
	struct ring_chan *c = e->priv;

	return vreg_kstat(&c->reg, waits, wakes);
}

/**
 * ring_chan_sys() - system calls the rings made (see ring_syscalls())
 * @e: either side
 *
 * Return: the count for this side, both rings.
 */
int64_t ring_chan_sys(struct end *e)
{
	struct ring_chan *c = e->priv;

	return ring_syscalls(&c->tx) + ring_syscalls(&c->rx);
}

/**
 * ring_chan_close() - unmap and detach; frees e->priv
 * @e: either side
 */
void ring_chan_close(struct end *e)
{
	struct ring_chan *c = e->priv;

	if (!c)
		return;
	vreg_close(&c->reg);
	free(c);
	e->priv = NULL;
}
