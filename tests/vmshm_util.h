/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the vmshm selftests that need no harness, so that vmshm_fuzz
 * (plain kselftest.h) shares them with the TEST() programs: the page
 * size, the module's parameters in /sys/module/vmshm/parameters,
 * unloading and loading it.
 */
#ifndef _VMSHM_UTIL_H
#define _VMSHM_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define VMSHM_PARAM_DIR	"/sys/module/vmshm/parameters"

/* The page size: the module maps whole pages, and they need not be 4 KiB. */
static inline unsigned long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/* Set a module parameter; returns 0 or -errno. */
static inline int vmshm_set_param(const char *param, unsigned long value)
{
	char path[128], buf[32];
	int fd, n, ret = 0;

	snprintf(path, sizeof(path), VMSHM_PARAM_DIR "/%s", param);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%lu", value);
	if (write(fd, buf, n) != n)
		ret = -errno;
	close(fd);
	return ret;
}

/* A module parameter's value, or 0 if it cannot be read. */
static inline unsigned long vmshm_get_param(const char *param)
{
	char path[128];
	unsigned long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), VMSHM_PARAM_DIR "/%s", param);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%lu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
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

#endif /* _VMSHM_UTIL_H */
