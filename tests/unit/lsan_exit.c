// SPDX-License-Identifier: GPL-2.0
/*
 * Linked into the host unit tests with SAN=1, with -Wl,--wrap=_exit.
 * kselftest_harness.h runs each test in a child that ends with _exit(),
 * which skips LeakSanitizer's check at exit: run that check first, so
 * that a test that leaks fails, as it did with a main() that returned.
 */
#include <sanitizer/lsan_interface.h>

void __real__exit(int status) __attribute__((noreturn));
void __wrap__exit(int status) __attribute__((noreturn));

void __wrap__exit(int status)
{
	__lsan_do_leak_check();
	__real__exit(status);
}
