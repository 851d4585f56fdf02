// SPDX-License-Identifier: GPL-2.0
/*
 * The helpers of user/common/util.c: the noun that agrees with a count,
 * an option named as the user typed it, and a task's /proc stat fields.
 */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "util.h"

TEST(plural_agrees_with_count)
{
	ASSERT_STREQ("lines", plural(0, "line", "lines"));
	ASSERT_STREQ("line", plural(1, "line", "lines"));
	ASSERT_STREQ("lines", plural(2, "line", "lines"));
	ASSERT_STREQ("lines", plural(~0ULL, "line", "lines"));
}

TEST(opt_name_as_typed)
{
	static const struct option opts[] = {
		{ "region-size", required_argument, NULL, 'R' },
		{ "output", required_argument, NULL, 'o' },
		{ }
	};
	char buf[32];

	ASSERT_STREQ("--region-size", opt_name(opts, 'R', buf, sizeof(buf)));
	ASSERT_STREQ("--output", opt_name(opts, 'o', buf, sizeof(buf)));
	ASSERT_STREQ("-x", opt_name(opts, 'x', buf, sizeof(buf)));
}

/* Write @text to a new temporary file; its path goes to @path. */
static int stat_file(char *path, const char *text)
{
	int fd;

	strcpy(path, "/tmp/vmshm-util-test.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

TEST(proc_stat_fields_of_self)
{
	char path[64], buf[512], *comm, *s;
	int pid, ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)getpid());
	s = proc_stat_fields(path, buf, sizeof(buf), &comm);
	ASSERT_NE(NULL, s);
	pid = strtol(buf, NULL, 10);
	ASSERT_EQ(getpid(), pid);
	ASSERT_EQ('R', s[0]);
	/* The harness runs each test in a child of its own. */
	ppid = strtol(s + 1, NULL, 10);
	ASSERT_EQ(getppid(), ppid);
	ASSERT_STREQ("util_test", comm);
}

/* A name may hold ") S 1 (", and only the last ')' ends it. */
TEST(proc_stat_fields_name_with_parens)
{
	char path[PATH_MAX], buf[128], *comm, *s;

	ASSERT_EQ(0, stat_file(path, "42 (a) S 1 (b) T 7 0\n"));
	s = proc_stat_fields(path, buf, sizeof(buf), &comm);
	unlink(path);
	ASSERT_NE(NULL, s);
	ASSERT_STREQ("a) S 1 (b", comm);
	ASSERT_EQ(0, strncmp(s, "T 7 0", 5));
}

TEST(proc_stat_fields_rejects)
{
	static const char *const bad[] = {
		"",			/* empty */
		"42 a S 1\n",		/* no name */
		"42 (a S 1\n",		/* no end to it */
		"42 a) (S 1\n",		/* ends before it starts */
		"42 (a)S 1\n",		/* no space after it */
		"42 (a) ",		/* nothing after it */
	};
	char path[PATH_MAX], buf[128];
	unsigned int i;

	ASSERT_EQ(NULL, proc_stat_fields("/proc/0/stat", buf, sizeof(buf),
					 NULL));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ASSERT_EQ(0, stat_file(path, bad[i]));
		EXPECT_EQ(NULL, proc_stat_fields(path, buf, sizeof(buf), NULL))
			TH_LOG("accepted \"%s\"", bad[i]);
		unlink(path);
	}
}

TEST_HARNESS_MAIN
