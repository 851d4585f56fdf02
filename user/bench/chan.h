/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Channel building blocks shared by the transports: named POSIX shm, named
 * vmshm regions, a ring pair in a vmshm region, and the lab's transport.
 */
#ifndef _VMSHM_BENCH_CHAN_H
#define _VMSHM_BENCH_CHAN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench.h"
#include "libvmshm.h"

#define CHAN_LINE	64	/* each shared word on its own cache line */

/**
 * struct vreg - a vmshm region, attached and mapped
 * @fd: the /dev/vmshm fd bound to it
 * @mem: the mapping, read-write, of the whole region
 * @size: the region's size
 */
struct vreg {
	int fd;
	void *mem;
	size_t size;
};

int vreg_create(struct vreg *v, const char *name, uint64_t size,
		uint32_t flags);
int vreg_create_map(struct vreg *v, const char *name, uint64_t size,
		    uint32_t flags, int mflags);
int vreg_attach(struct vreg *v, const char *name, uint32_t flags);
void vreg_close(struct vreg *v);
int vreg_kstat(const struct vreg *v, uint64_t *waits, uint64_t *wakes);

/**
 * struct ring_chan - two rings in one vmshm region (lib/ring.h), as the
 * vmshm transport of parent and child lays them out
 * @reg: the region
 * @ctx: the rings' wait/wake context
 * @tx: the ring this side produces on
 * @rx: the ring this side consumes
 */
struct ring_chan {
	struct vreg reg;
	struct vmshm_ring_ctx ctx;
	struct ring tx;
	struct ring rx;
};

int ring_chan_create(struct end *e);
int ring_chan_attach(struct end *e);
int ring_chan_kstat(struct end *e, uint64_t *waits, uint64_t *wakes);
void ring_chan_close(struct end *e);
int64_t ring_chan_sys(struct end *e);

int pshm_create(struct end *e, size_t size);
int pshm_attach(struct end *e, size_t size);
void pshm_close(struct end *e);

/* The shared word this side writes, and the one it reads. */
static inline _Atomic uint32_t *tx_word(struct end *e)
{
	return (_Atomic uint32_t *)((char *)e->mem + !e->parent * CHAN_LINE);
}

static inline _Atomic uint32_t *rx_word(struct end *e)
{
	return (_Atomic uint32_t *)((char *)e->mem + e->parent * CHAN_LINE);
}

int lab_create(struct end *e);
int lab_attach(struct end *e);
void lab_close(struct end *e);

#endif /* _VMSHM_BENCH_CHAN_H */
