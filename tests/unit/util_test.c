// SPDX-License-Identifier: GPL-2.0
/*
 * The message helpers of user/common/util.c: the noun that agrees with a
 * count, and an option named as the user typed it.
 */
#include <getopt.h>

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

TEST_HARNESS_MAIN
