/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvmshm: a thin C library over the /dev/vmshm UAPI.
 *
 * Every function returns 0 (or a documented non-negative value) on success
 * and a negative errno on failure; none of them prints.  The errno values
 * are the kernel's, documented in <linux/vmshm.h>.
 *
 * The wrappers fill in the "size" member of each ioctl struct, zero the
 * reserved members and copy names with a length check.
 */
#ifndef _LIBVMSHM_H
#define _LIBVMSHM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vmshm.h>

#include "ring.h"

/* A deadline_ns of 0 means "no deadline" in vmshm_wait(). */
#define VMSHM_NO_DEADLINE	0ULL
/* A sleepers_offset of -1 means "no sleepers word" in vmshm_wait(). */
#define VMSHM_NO_SLEEPERS	(-1LL)

int vmshm_open(void);
int vmshm_get_info(int fd, struct vmshm_info *info);
int vmshm_create(int fd, const char *name, uint64_t size, uint32_t mode,
		 uint32_t flags, uint32_t *id);
int vmshm_attach(int fd, const char *name, uint32_t flags, uint64_t *size,
		 uint32_t *id);
int vmshm_unlink(int fd, const char *name);
int vmshm_stat(int fd, struct vmshm_stat *st);

int vmshm_map(int fd, size_t size, int prot, void **addr);
int vmshm_unmap(void *addr, size_t size);

int vmshm_wait(int fd, uint64_t offset, uint32_t expected,
	       uint64_t deadline_ns, int64_t sleepers_offset, uint32_t flags);
int vmshm_wake(int fd, bool all);
int vmshm_read_event(int fd, uint64_t *seq);
int vmshm_peer_gone(int fd);

uint64_t vmshm_now_ns(void);
uint64_t vmshm_deadline_in(uint64_t timeout_ns);

/**
 * struct vmshm_ring_ctx - binds struct ring_ops to a vmshm region
 * @fd: the /dev/vmshm fd bound to the region
 * @base: where the region is mapped; ring words are passed to the kernel
 *	as offsets from here
 * @size: mapped length, to reject words outside the mapping
 * @wake_all: use VMSHM_WAKE_ALL.  A wake-one is enough when only the peer
 *	process can be waiting in the region; wake-all is the safe default.
 * @no_wake_wait: the module has no VMSHM_WAIT_WAKE (it said EOPNOTSUPP):
 *	the wake_wait op makes two calls
 */
struct vmshm_ring_ctx {
	int fd;
	void *base;
	size_t size;
	bool wake_all;
	bool no_wake_wait;
};

void vmshm_ring_ctx_init(struct vmshm_ring_ctx *c, int fd, void *base,
			 size_t size, bool wake_all);

extern const struct ring_ops vmshm_ring_ops;

#endif /* _LIBVMSHM_H */
