// SPDX-License-Identifier: GPL-2.0
/*
 * Runner of the host unit tests: KTAP on stdout.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define UNIT_MAX_REPORTS	10	/* failed checks printed per test */

static int failures;
static unsigned long long rand_state = 0x9e3779b97f4a7c15ULL;

bool unit_check(bool ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return true;
	if (failures++ < UNIT_MAX_REPORTS) {
		printf("# %s:%d: check failed: ", file, line);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	return false;
}

unsigned long long unit_rand(void)
{
	rand_state ^= rand_state << 13;
	rand_state ^= rand_state >> 7;
	rand_state ^= rand_state << 17;
	return rand_state;
}

void unit_srand(unsigned long long seed)
{
	rand_state = seed ? seed : 1;
}

int main(int argc, char **argv)
{
	const struct unit_test *t;
	const char *name = strrchr(argv[0], '/');
	int n = __stop_unit_tests - __start_unit_tests, i = 0;
	int passed = 0, failed = 0;

	(void)argc;
	name = name ? name + 1 : argv[0];
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("KTAP version 1\n1..%d\n", n);
	/* GCC emits a file's tests in reverse: run them as written. */
	for (t = __stop_unit_tests - 1; t >= __start_unit_tests; t--) {
		failures = 0;
		unit_srand(0x5eed + i);
		t->fn();
		printf("%sok %d %s\n", failures ? "not " : "", ++i, t->name);
		if (failures)
			failed++;
		else
			passed++;
	}
	printf("# %s: %d passed, %d failed\n", name, passed, failed);
	return failed ? 1 : 0;
}
