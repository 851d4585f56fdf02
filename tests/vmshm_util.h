/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the vmshm selftests that need no harness, so that vmshm_fuzz
 * (plain kselftest.h) shares them with the TEST() programs: the page
 * size, small files such as those of sysfs and a task's wchan, copies of
 * the programs under test, the module's parameters in
 * /sys/module/vmshm/parameters, unloading and loading it.
 */
#ifndef _VMSHM_TEST_UTIL_H
#define _VMSHM_TEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define VMSHM_PARAM_DIR	"/sys/module/vmshm/parameters"

/* The page size: the module maps whole pages, and they need not be 4 KiB. */
static inline unsigned long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/* -errno of a failed system call that returned -1, or 0. */
static inline int sys_ret(long ret)
{
	return ret < 0 ? -errno : 0;
}

/* Write the string @val to @path in one write(); returns 0 or -errno. */
static inline int write_file(const char *path, const char *val)
{
	ssize_t len = strlen(val), n;
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	return n == len ? 0 : -EIO;
}

/* Read @path into @buf, NUL-terminated; returns its length or -errno. */
static inline ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

/*
 * Where task @tid sleeps, from /proc/TID/wchan (a thread's id works as
 * well as a process's): a kernel function's name, or "running" when the
 * task is not asleep or the file cannot be read.  Returns @buf.
 */
static inline const char *read_wchan(pid_t tid, char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)tid);
	if (read_file(path, buf, size) > 0)
		buf[strcspn(buf, "\n")] = '\0';
	else
		buf[0] = '\0';
	if (!buf[0] || !strcmp(buf, "0"))
		snprintf(buf, size, "running");
	return buf;
}

#define COPY_BUF	65536

/*
 * Copy @src to @dst, a new file of mode @mode; returns 0 or -errno, and
 * then leaves no @dst.  The tests run copies of the programs from tmpfs:
 * an exec from the guest's 9p share of the project takes a second.
 */
static inline int copy_file(const char *src, const char *dst, mode_t mode)
{
	int in, out, ret = 0;
	char *buf;
	ssize_t n;

	buf = malloc(COPY_BUF);
	if (!buf)
		return -ENOMEM;
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		ret = -errno;
		goto out_free;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (out < 0) {
		ret = -errno;
		goto out_close_in;
	}
	while ((n = read(in, buf, COPY_BUF)) > 0) {
		if (write(out, buf, n) != n) {
			ret = -EIO;
			break;
		}
	}
	if (n < 0)
		ret = -errno;
	if (close(out) && !ret)
		ret = -errno;
	if (ret)
		unlink(dst);
out_close_in:
	close(in);
out_free:
	free(buf);
	return ret;
}

/* Set a module parameter; returns 0 or -errno. */
static inline int vmshm_set_param(const char *param, unsigned long value)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), VMSHM_PARAM_DIR "/%s", param);
	snprintf(buf, sizeof(buf), "%lu", value);
	return write_file(path, buf);
}

/* A module parameter's value, or 0 if it cannot be read. */
static inline unsigned long vmshm_get_param(const char *param)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), VMSHM_PARAM_DIR "/%s", param);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	return strtoul(buf, NULL, 10);
}

/* Unload vmshm.ko if nothing holds it; returns 0 or -errno. */
static inline int vmshm_unload(void)
{
	return syscall(SYS_delete_module, "vmshm", O_NONBLOCK) ? -errno : 0;
}

/* Where vmshm_reload() loads the module from. */
static inline const char *vmshm_ko_path(void)
{
	return getenv("VMSHM_KO") ?: "/lib/vmshm/vmshm.ko";
}

/* Load vmshm.ko again from $VMSHM_KO (default /lib/vmshm/vmshm.ko). */
static inline int vmshm_reload(void)
{
	int fd = open(vmshm_ko_path(), O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

#endif /* _VMSHM_TEST_UTIL_H */
