// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of libvmshm's helpers that need no module: the time helpers
 * and vmshm_exe_relpath(), which the parent uses to find its child.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exe.h"
#include "libvmshm.h"
#include "unit.h"

/* This program's own path, and the length of its directory with the '/'. */
static size_t self(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);

	if (n < 0)
		return 0;
	buf[n] = '\0';
	return strrchr(buf, '/') + 1 - buf;
}

UNIT_TEST(exe_relpath_joins_the_directory)
{
	char exe[PATH_MAX], buf[PATH_MAX], want[PATH_MAX + 16];
	size_t dir = self(exe, sizeof(exe));

	if (!CHECK(dir > 0))
		return;
	snprintf(want, sizeof(want), "%.*schild", (int)dir, exe);
	CHECK_EQ(vmshm_exe_relpath(buf, sizeof(buf), "child"), 0);
	CHECK_STR(buf, want);
	snprintf(want, sizeof(want), "%.*s../user", (int)dir, exe);
	CHECK_EQ(vmshm_exe_relpath(buf, sizeof(buf), "../user"), 0);
	CHECK_STR(buf, want);
	/* "" is the directory itself, with its slash. */
	CHECK_EQ(vmshm_exe_relpath(buf, sizeof(buf), ""), 0);
	CHECK_EQ(strlen(buf), dir);
	CHECK(!strncmp(buf, exe, dir) && buf[dir - 1] == '/');
}

UNIT_TEST(exe_relpath_exact_fit)
{
	static const char rel[] = "a-name-longer-than-any-test-binary-name";
	char exe[PATH_MAX], buf[PATH_MAX];
	size_t dir = self(exe, sizeof(exe));

	if (!CHECK(dir > 0))
		return;
	/* Room for the directory, the name and the NUL, not a byte more. */
	CHECK_EQ(vmshm_exe_relpath(buf, dir + sizeof(rel), rel), 0);
	CHECK_EQ(strlen(buf), dir + sizeof(rel) - 1);
	CHECK_EQ(vmshm_exe_relpath(buf, dir + sizeof(rel) - 1, rel),
		 -ENAMETOOLONG);
}

/* Too small for /proc/self/exe itself: an error, never a cut path. */
UNIT_TEST(exe_relpath_too_small)
{
	char exe[PATH_MAX], buf[PATH_MAX];
	size_t len;

	if (!CHECK(self(exe, sizeof(exe)) > 0))
		return;
	len = strlen(exe);
	CHECK_EQ(vmshm_exe_relpath(buf, len, "x"), -ENAMETOOLONG);
	CHECK_EQ(vmshm_exe_relpath(buf, 1, ""), -ENAMETOOLONG);
	CHECK_EQ(vmshm_exe_relpath(buf, 0, ""), -ENAMETOOLONG);
}

UNIT_TEST(deadline_in_saturates)
{
	uint64_t now = vmshm_now_ns();
	uint64_t d = vmshm_deadline_in(1000000000ULL);

	CHECK(d >= now + 1000000000ULL);
	CHECK(d < now + 60 * 1000000000ULL);
	CHECK_EQ(vmshm_deadline_in(UINT64_MAX), INT64_MAX);
	CHECK_EQ(vmshm_deadline_in((uint64_t)INT64_MAX), INT64_MAX);
}
