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

static int vmshm_ring_wait_flags(struct vmshm_ring_ctx *c,
				 _Atomic uint32_t *word, uint32_t expected,
				 _Atomic uint32_t *sleepers,
				 uint64_t deadline_ns, uint32_t flags)
{
	uint64_t off, sleepers_off;
	int ret;

	ret = vmshm_ring_offset(c, (const void *)word, &off);
	if (ret)
		return ret;
	ret = vmshm_ring_offset(c, (const void *)sleepers, &sleepers_off);
	if (ret)
		return ret;
	return vmshm_wait(c->fd, off, expected, deadline_ns,
			  (int64_t)sleepers_off, flags);
}

static int vmshm_ring_wait(void *ctx, _Atomic uint32_t *word,
			   uint32_t expected, _Atomic uint32_t *sleepers,
			   uint64_t deadline_ns)
{
	return vmshm_ring_wait_flags(ctx, word, expected, sleepers,
				     deadline_ns, 0);
}

/* VMSHM_WAKE is per region: the word is implied. */
static int vmshm_ring_wake(void *ctx, _Atomic uint32_t *word)
{
	struct vmshm_ring_ctx *c = ctx;

	(void)word;
	return vmshm_wake(c->fd, c->wake_all);
}

/*
 * VMSHM_WAIT_WAKE: VMSHM_WAKE, then the wait, in one ioctl.  A module
 * without it rejects the flag before waking anybody: then use two calls.
 */
static int vmshm_ring_wake_wait(void *ctx, _Atomic uint32_t *wake_word,
				_Atomic uint32_t *word, uint32_t expected,
				_Atomic uint32_t *sleepers,
				uint64_t deadline_ns)
{
	struct vmshm_ring_ctx *c = ctx;
	uint32_t flags = VMSHM_WAIT_WAKE;
	int ret;

	if (c->wake_all)
		flags |= VMSHM_WAIT_WAKE_ALL;
	if (!c->no_wake_wait) {
		ret = vmshm_ring_wait_flags(c, word, expected, sleepers,
					    deadline_ns, flags);
		if (ret != -EOPNOTSUPP)
			return ret;
		c->no_wake_wait = true;
	}
	ret = vmshm_ring_wake(ctx, wake_word);
	return ret ? ret : vmshm_ring_wait(ctx, word, expected, sleepers,
					   deadline_ns);
}

/**
 * vmshm_ring_ctx_init() - bind ring ops to a mapped vmshm region
 * @c: the context to fill in
 * @fd: the /dev/vmshm fd bound to the region
 * @base: where the region is mapped
 * @size: the mapped length
 * @wake_all: wake every waiter of the region, not one (see the struct)
 */
void vmshm_ring_ctx_init(struct vmshm_ring_ctx *c, int fd, void *base,
			 size_t size, bool wake_all)
{
	*c = (struct vmshm_ring_ctx){
		.fd = fd,
		.base = base,
		.size = size,
		.wake_all = wake_all,
	};
}

const struct ring_ops vmshm_ring_ops = {
	.wait = vmshm_ring_wait,
	.wake = vmshm_ring_wake,
	.wake_wait = vmshm_ring_wake_wait,
};
