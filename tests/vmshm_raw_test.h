/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The raw ioctl of the selftests and the fuzzer, for the malformed calls
 * that libvmshm's wrappers never make: a wrong size, reserved bits set, a
 * name without its NUL.  Not in libvmshm: no program has a use for it.
 */
#ifndef _VMSHM_RAW_TEST_H
#define _VMSHM_RAW_TEST_H

#include <errno.h>
#include <sys/ioctl.h>

/**
 * _test_ioctl() - any command with any argument on a /dev/vmshm fd
 * @fd: the fd
 * @cmd: any command number, valid or not
 * @arg: the argument, passed unchanged
 *
 * Retries nothing: EINTR is returned.
 *
 * Return: the ioctl's non-negative result, or -errno.
 */
static inline int _test_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

#endif /* _VMSHM_RAW_TEST_H */
