// SPDX-License-Identifier: GPL-2.0
/*
 * libvmshm: ioctl wrappers, mapping, events and clock helpers.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "libvmshm.h"
#include "symver.h"

/* The ioctl's non-negative result, or -errno; EINTR is not retried. */
static int vmshm_do_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/**
 * vmshm_open() - open /dev/vmshm read-write, close-on-exec
 *
 * Return: the new fd, or -errno (-ENOENT when the module is not loaded).
 */
int vmshm_open(void)
{
	int fd = open(VMSHM_DEVICE, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/*
 * An ioctl whose struct, @size bytes at @arg, is all output but for its
 * leading __u32 size and flags: zero it, set its size, and call.
 */
static int vmshm_sized_ioctl(int fd, unsigned long cmd, void *arg,
			     size_t size)
{
	memset(arg, 0, size);
	*(__u32 *)arg = size;
	return vmshm_do_ioctl(fd, cmd, arg);
}

/* Copy @name into a zeroed name field; NULL is the empty name. */
static int vmshm_copy_name(char *dst, const char *name)
{
	size_t len;

	if (!name)
		return 0;
	len = strnlen(name, VMSHM_NAME_MAX);
	if (len == VMSHM_NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(dst, name, len);
	return 0;
}

/**
 * vmshm_get_info() - VMSHM_GET_INFO
 * @fd: any /dev/vmshm fd
 * @info: filled in; its size and flags are set here
 *
 * Return: 0 or -errno.
 */
int vmshm_get_info(int fd, struct vmshm_info *info)
{
	return vmshm_sized_ioctl(fd, VMSHM_GET_INFO, info, sizeof(*info));
}

/**
 * vmshm_create() - VMSHM_CREATE: create a region and bind @fd to it
 * @fd: an unbound /dev/vmshm fd
 * @name: region name, or NULL/"" with VMSHM_CREATE_ANON
 * @size: region size in bytes
 * @mode: permission bits, 0 to 0777
 * @flags: VMSHM_CREATE_* bits
 * @id: if not NULL, receives the region id
 *
 * Return: 0 or -errno; -ENAMETOOLONG before any ioctl if @name does not
 * fit in VMSHM_NAME_MAX bytes with its NUL.
 */
int vmshm_create(int fd, const char *name, uint64_t size, uint32_t mode,
		 uint32_t flags, uint32_t *id)
{
	struct vmshm_create c = {
		.size = sizeof(c),
		.flags = flags,
		.region_size = size,
		.mode = mode,
	};
	int ret;

	ret = vmshm_copy_name(c.name, name);
	if (ret)
		return ret;
	ret = vmshm_do_ioctl(fd, VMSHM_CREATE, &c);
	if (ret)
		return ret;
	if (id)
		*id = c.out_id;
	return 0;
}

/**
 * vmshm_attach() - VMSHM_ATTACH: bind @fd to an existing named region
 * @fd: an unbound /dev/vmshm fd
 * @name: region name
 * @flags: VMSHM_ATTACH_* bits
 * @size: if not NULL, receives the region size in bytes
 * @id: if not NULL, receives the region id
 *
 * Return: 0 or -errno.
 */
int vmshm_attach(int fd, const char *name, uint32_t flags, uint64_t *size,
		 uint32_t *id)
{
	struct vmshm_attach a = { .size = sizeof(a), .flags = flags };
	int ret;

	ret = vmshm_copy_name(a.name, name);
	if (ret)
		return ret;
	ret = vmshm_do_ioctl(fd, VMSHM_ATTACH, &a);
	if (ret)
		return ret;
	if (size)
		*size = a.out_size;
	if (id)
		*id = a.out_id;
	return 0;
}

/**
 * vmshm_unlink() - VMSHM_UNLINK: remove a region's name
 * @fd: any /dev/vmshm fd
 * @name: region name
 *
 * Return: 0 or -errno.
 */
int vmshm_unlink(int fd, const char *name)
{
	struct vmshm_unlink u = { .size = sizeof(u) };
	int ret;

	ret = vmshm_copy_name(u.name, name);
	if (ret)
		return ret;
	return vmshm_do_ioctl(fd, VMSHM_UNLINK, &u);
}

/**
 * vmshm_stat() - VMSHM_STAT: counters of the region bound to @fd
 * @fd: a bound /dev/vmshm fd
 * @st: filled in; its size and flags are set here
 *
 * Return: 0 or -errno.
 */
int vmshm_stat(int fd, struct vmshm_stat *st)
{
	return vmshm_sized_ioctl(fd, VMSHM_STAT, st, sizeof(*st));
}

#ifdef VMSHM_SHARED
/*
 * VMSHM_1.0, for programs built before VMSHM_VERSION 3 grew the structs:
 * theirs end where out_swapped_pages and out_swapped begin, and the
 * kernel accepts the older size (see symver.h).
 */
int vmshm_get_info_v1_0(int fd, struct vmshm_info *info);
int vmshm_get_info_v1_0(int fd, struct vmshm_info *info)
{
	return vmshm_sized_ioctl(fd, VMSHM_GET_INFO, info,
				 offsetof(struct vmshm_info, out_swapped_pages));
}

int vmshm_stat_v1_0(int fd, struct vmshm_stat *st);
int vmshm_stat_v1_0(int fd, struct vmshm_stat *st)
{
	return vmshm_sized_ioctl(fd, VMSHM_STAT, st,
				 offsetof(struct vmshm_stat, out_swapped));
}

VMSHM_SYMVER_OLD(vmshm_get_info_v1_0, vmshm_get_info, VMSHM_1.0);
VMSHM_SYMVER_DEFAULT(vmshm_get_info, VMSHM_1.1);
VMSHM_SYMVER_OLD(vmshm_stat_v1_0, vmshm_stat, VMSHM_1.0);
VMSHM_SYMVER_DEFAULT(vmshm_stat, VMSHM_1.1);
#endif

/**
 * vmshm_map() - map the region bound to @fd, shared, from offset 0
 * @fd: a bound /dev/vmshm fd
 * @size: bytes to map
 * @prot: PROT_* bits
 * @addr: receives the address
 *
 * Return: 0 or -errno.
 */
int vmshm_map(int fd, size_t size, int prot, void **addr)
{
	void *p;

	if (!size)
		return -EINVAL;
	p = mmap(NULL, size, prot, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

/**
 * vmshm_unmap() - undo vmshm_map()
 * @addr: the address vmshm_map() returned
 * @size: the size given to vmshm_map()
 *
 * Return: 0 or -errno.
 */
int vmshm_unmap(void *addr, size_t size)
{
	return munmap(addr, size) ? -errno : 0;
}

/**
 * vmshm_wait() - VMSHM_WAIT: sleep while the word at @offset is @expected
 * @fd: a bound /dev/vmshm fd
 * @offset: byte offset of an aligned __u32 in the region
 * @expected: the value last seen there
 * @deadline_ns: absolute CLOCK_MONOTONIC deadline, or VMSHM_NO_DEADLINE
 * @sleepers_offset: offset of the sleepers word, or VMSHM_NO_SLEEPERS
 * @flags: further VMSHM_WAIT_* bits, passed through (normally 0)
 *
 * VMSHM_WAIT_DEADLINE and VMSHM_WAIT_SLEEPERS are set from @deadline_ns and
 * @sleepers_offset; bits in @flags are added as they are, so a test can
 * still pass VMSHM_WAIT_DEADLINE with a deadline of 0.
 *
 * Return: 0 when woken (recheck the word), or -EAGAIN, -ETIMEDOUT,
 * -EINTR, -EPIPE (the peers have gone), -EINVAL, -ENODEV.
 */
int vmshm_wait(int fd, uint64_t offset, uint32_t expected,
	       uint64_t deadline_ns, int64_t sleepers_offset, uint32_t flags)
{
	struct vmshm_wait w = {
		.size = sizeof(w),
		.flags = flags,
		.offset = offset,
		.expected = expected,
		.deadline_ns = deadline_ns,
	};

	if (deadline_ns != VMSHM_NO_DEADLINE)
		w.flags |= VMSHM_WAIT_DEADLINE;
	if (sleepers_offset >= 0) {
		w.flags |= VMSHM_WAIT_SLEEPERS;
		w.sleepers_offset = sleepers_offset;
	}
	return vmshm_do_ioctl(fd, VMSHM_WAIT, &w);
}

/**
 * vmshm_wake() - VMSHM_WAKE: wake one waiter of the region, or all
 * @fd: a bound, writable /dev/vmshm fd
 * @all: wake every waiter (VMSHM_WAKE_ALL)
 *
 * Return: 0 or -errno.
 */
int vmshm_wake(int fd, bool all)
{
	struct vmshm_wake k = {
		.size = sizeof(k),
		.flags = all ? VMSHM_WAKE_ALL : 0,
	};

	return vmshm_do_ioctl(fd, VMSHM_WAKE, &k);
}

/**
 * vmshm_read_event() - read() the region's event counter
 * @fd: a bound /dev/vmshm fd
 * @seq: receives the counter
 *
 * Blocks until a wake happened since this file's last read, unless the fd
 * is O_NONBLOCK.
 *
 * Return: 0, -EPIPE when read() reports end of file (the peers have gone
 * and no event is pending), -EIO on a short read, or another -errno.
 */
int vmshm_read_event(int fd, uint64_t *seq)
{
	ssize_t n = read(fd, seq, sizeof(*seq));

	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	return n == sizeof(*seq) ? 0 : -EIO;
}

/**
 * vmshm_peer_gone() - non-blocking check for EPOLLHUP
 * @fd: a bound /dev/vmshm fd
 *
 * Return: 1 if every other attachment has gone, 0 if not, -ENODEV if the
 * fd is not bound, or another -errno.
 */
int vmshm_peer_gone(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = 0 };

	if (poll(&pfd, 1, 0) < 0)
		return -errno;
	if (pfd.revents & POLLNVAL)
		return -EBADF;
	if (pfd.revents & POLLERR)
		return -ENODEV;
	return !!(pfd.revents & POLLHUP);
}

/**
 * vmshm_now_ns() - CLOCK_MONOTONIC now, in nanoseconds
 *
 * Return: the time; this clock cannot fail on Linux.
 */
uint64_t vmshm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/**
 * vmshm_deadline_in() - absolute deadline @timeout_ns from now
 * @timeout_ns: relative timeout
 *
 * Saturates at INT64_MAX, the largest deadline the kernel accepts.
 *
 * Return: a deadline for vmshm_wait(), never VMSHM_NO_DEADLINE.
 */
uint64_t vmshm_deadline_in(uint64_t timeout_ns)
{
	uint64_t now = vmshm_now_ns();

	if (timeout_ns > (uint64_t)INT64_MAX - now)
		return INT64_MAX;
	return now + timeout_ns;
}
