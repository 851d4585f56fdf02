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
#include "kselftest_harness.h"

#include "libvmshm.h"

/* This program's own path, and the length of its directory with the '/'. */
static size_t exe_path(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);

	if (n < 0)
		return 0;
	buf[n] = '\0';
	return strrchr(buf, '/') + 1 - buf;
}

FIXTURE(exe) {
	char path[PATH_MAX];	/* /proc/self/exe */
	size_t dir;		/* the length of its directory, with the '/' */
};

FIXTURE_SETUP(exe)
{
	self->dir = exe_path(self->path, sizeof(self->path));
	ASSERT_LT(0UL, self->dir);
}

FIXTURE_TEARDOWN(exe)
{
}

TEST_F(exe, relpath_joins_the_directory)
{
	char buf[PATH_MAX], want[PATH_MAX + 16];
	size_t dir = self->dir;

	snprintf(want, sizeof(want), "%.*schild", (int)dir, self->path);
	EXPECT_EQ(0, vmshm_exe_relpath(buf, sizeof(buf), "child"));
	EXPECT_STREQ(want, buf);
	snprintf(want, sizeof(want), "%.*s../user", (int)dir, self->path);
	EXPECT_EQ(0, vmshm_exe_relpath(buf, sizeof(buf), "../user"));
	EXPECT_STREQ(want, buf);
	/* "" is the directory itself, with its slash. */
	EXPECT_EQ(0, vmshm_exe_relpath(buf, sizeof(buf), ""));
	EXPECT_EQ(dir, strlen(buf));
	EXPECT_TRUE(!strncmp(buf, self->path, dir) && buf[dir - 1] == '/');
}

TEST_F(exe, relpath_exact_fit)
{
	static const char rel[] = "a-name-longer-than-any-test-binary-name";
	char buf[PATH_MAX];
	size_t dir = self->dir;

	/* Room for the directory, the name and the NUL, not a byte more. */
	EXPECT_EQ(0, vmshm_exe_relpath(buf, dir + sizeof(rel), rel));
	EXPECT_EQ(dir + sizeof(rel) - 1, strlen(buf));
	EXPECT_EQ(-ENAMETOOLONG,
		  vmshm_exe_relpath(buf, dir + sizeof(rel) - 1, rel));
}

/* Too small for /proc/self/exe itself: an error, never a cut path. */
TEST_F(exe, relpath_too_small)
{
	size_t len = strlen(self->path);
	char buf[PATH_MAX];

	EXPECT_EQ(-ENAMETOOLONG, vmshm_exe_relpath(buf, len, "x"));
	EXPECT_EQ(-ENAMETOOLONG, vmshm_exe_relpath(buf, 1, ""));
	EXPECT_EQ(-ENAMETOOLONG, vmshm_exe_relpath(buf, 0, ""));
}

TEST(deadline_in_saturates)
{
	uint64_t now = vmshm_now_ns();
	uint64_t d = vmshm_deadline_in(1000000000ULL);

	EXPECT_TRUE(d >= now + 1000000000ULL);
	EXPECT_TRUE(d < now + 60 * 1000000000ULL);
	EXPECT_EQ((uint64_t)INT64_MAX, vmshm_deadline_in(UINT64_MAX));
	EXPECT_EQ((uint64_t)INT64_MAX,
		  vmshm_deadline_in((uint64_t)INT64_MAX));
}

TEST_HARNESS_MAIN
