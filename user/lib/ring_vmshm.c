// SPDX-License-Identifier: GPL-2.0
/*
 * Ring wait/wake ops over VMSHM_WAIT (with VMSHM_WAIT_SLEEPERS, which
 * maintains the ring's sleepers word in the kernel) and VMSHM_WAKE.
 */
#include <errno.h>

#include "libvmshm.h"

static int vmshm_ring_offset(const struct vmshm_ring_ctx *c, const void *p,
			     uint64_t *off)
{
	uintptr_t base = (uintptr_t)c->base, addr = (uintptr_t)p;

	if (addr < base || c->size < sizeof(uint32_t) ||
	    addr - base > c->size - sizeof(uint32_t))
		return -EINVAL;
	*off = addr - base;
	return 0;
}

static int vmshm_ring_wait(void *ctx, _Atomic uint32_t *word,
			   uint32_t expected, _Atomic uint32_t *sleepers,
			   uint64_t deadline_ns)
{
	struct vmshm_ring_ctx *c = ctx;
	uint64_t off, sleepers_off;
	int ret;

	ret = vmshm_ring_offset(c, (const void *)word, &off);
	if (ret)
		return ret;
	ret = vmshm_ring_offset(c, (const void *)sleepers, &sleepers_off);
	if (ret)
		return ret;
	return vmshm_wait(c->fd, off, expected, deadline_ns,
			  (int64_t)sleepers_off, 0);
}

/* VMSHM_WAKE is per region: the word is implied. */
static int vmshm_ring_wake(void *ctx, _Atomic uint32_t *word)
{
	struct vmshm_ring_ctx *c = ctx;

	(void)word;
	return vmshm_wake(c->fd, c->wake_all);
}

const struct ring_ops vmshm_ring_ops = {
	.wait = vmshm_ring_wait,
	.wake = vmshm_ring_wake,
};
