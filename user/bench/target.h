/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One target line, judged and printed the same way for the rounds' targets
 * (targets.c) and the curves' (curves.c).
 */
#ifndef _VMSHM_BENCH_TARGET_H
#define _VMSHM_BENCH_TARGET_H

#include <math.h>
#include <stdbool.h>
#include <stdio.h>

#include "bench.h"

#define TARGET_NAME	48

/**
 * struct target - one target line
 * @name: its name in the "target" line; at most TARGET_NAME - 1 bytes
 * @goal: the goal as printed
 * @limit: the goal's bound
 * @at_most: the value must be <= @limit (else >=)
 * @fmt: how the value is printed
 * @value: the worse placement's value, NAN if not measured
 * @variant: what it measured
 * @pl: the placement @value comes from
 * @figure: a figure reported next to the targets, never judged
 */
struct target {
	char name[TARGET_NAME];
	const char *goal;
	double limit;
	bool at_most;
	const char *fmt;
	double value;
	const char *variant;
	enum placement pl;
	bool figure;
};

#define TARGET(n, g, lim, le, f) \
	{ .name = n, .goal = g, .limit = lim, .at_most = le, .fmt = f, \
	  .value = NAN }

/* A figure reported next to the targets, never judged. */
#define FIGURE(n, f) \
	{ .name = n, .goal = "-", .fmt = f, .value = NAN, .figure = true }

unsigned int target_judge(FILE *out, const struct target *t, bool csv,
			  unsigned int *total);

#endif /* _VMSHM_BENCH_TARGET_H */
