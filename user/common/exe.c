// SPDX-License-Identifier: GPL-2.0
/*
 * Paths relative to the running program, for the programs and the
 * selftests; not part of libvmshm, which has no business with them.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "exe.h"

/**
 * vmshm_exe_relpath() - a path relative to the running program's directory
 * @buf: where to put the path
 * @size: size of @buf
 * @rel: what to append to the directory, e.g. "child" or "../user/sum"; ""
 *	gives the directory itself, with its trailing slash
 *
 * Programs find their siblings this way (the parent finds the child, the
 * selftests find ../user/sum) wherever the build tree or the install put
 * them.
 *
 * Return: 0; -ENAMETOOLONG if the path does not fit in @buf; -ENOENT if
 * /proc/self/exe is not an absolute path; or readlink()'s error.
 */
int vmshm_exe_relpath(char *buf, size_t size, const char *rel)
{
	size_t dir, len = strlen(rel) + 1;
	ssize_t n;
	char *slash;

	if (size < 2)
		return -ENAMETOOLONG;
	n = readlink("/proc/self/exe", buf, size - 1);
	if (n < 0)
		return -errno;
	if ((size_t)n == size - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash)
		return -ENOENT;
	dir = slash + 1 - buf;
	if (dir + len > size)
		return -ENAMETOOLONG;
	memcpy(buf + dir, rel, len);
	return 0;
}
