/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny host unit-test harness with KTAP output.
 *
 *   UNIT_TEST(name) { ... CHECK(x); CHECK_EQ(a, b); CHECK_STR(s, t); }
 *
 * Tests register themselves in the "unit_tests" section; unit.c's main()
 * runs them in link order and prints "ok N name" or "not ok N name" for
 * each, then "# NAME: P passed, F failed".  The checks return whether they
 * held, so a test can stop early: if (!CHECK(p)) return;
 */
#ifndef _VMSHM_UNIT_H
#define _VMSHM_UNIT_H

#include <stdbool.h>

#include "compiler.h"

struct unit_test {
	const char *name;
	void (*fn)(void);
};

/* Bounds of the section, provided by the linker. */
extern const struct unit_test __start_unit_tests[], __stop_unit_tests[];

#define UNIT_TEST(fn_)							\
	static void fn_(void);						\
	static const struct unit_test unit_##fn_			\
		__used __section("unit_tests") __aligned(8) = { #fn_, fn_ }; \
	static void fn_(void)

__printf(4, 5)
bool unit_check(bool ok, const char *file, int line, const char *fmt, ...);

#define CHECK(cond)							\
	unit_check(!!(cond), __FILE__, __LINE__, "%s", #cond)

#define CHECK_EQ(a, b) ({						\
	long long __a = (long long)(a), __b = (long long)(b);		\
	unit_check(__a == __b, __FILE__, __LINE__,			\
		   "%s == %s: %lld != %lld", #a, #b, __a, __b);		\
})

#define CHECK_STR(a, b) ({						\
	const char *__a = (a), *__b = (b);				\
	unit_check(!strcmp(__a, __b), __FILE__, __LINE__,		\
		   "%s: \"%s\" != \"%s\"", #a, __a, __b);		\
})

/* A deterministic xorshift generator, so failures reproduce. */
unsigned long long unit_rand(void);
void unit_srand(unsigned long long seed);

#endif /* _VMSHM_UNIT_H */
