// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's performance targets, each judged on the worse of the
 * two placements (same vCPU, different vCPUs), from medians of ratios
 * taken inside each kept round.
 *
 * "vmshm blocking round trip" is the best of the vmshm variants that sleep
 * in the kernel and never spin (vmshm-wait, vmshm-poll, vmshm-ring), chosen
 * by its ratio to futex; the next three targets use the same variant.
 * Likewise the streaming targets use the better of vmshm-ring and
 * vmshm-ring-chunk by its ratio to the single process.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "rounds.h"
#include "util.h"

/**
 * struct target - one target line
 * @name: its name in the "target" line
 * @goal: the goal as printed
 * @limit: the goal's bound
 * @at_most: the value must be <= @limit (else >=)
 * @fmt: how the value is printed
 * @value: the worse placement's value, NAN if not measured
 * @variant: what it measured
 * @pl: the placement @value comes from
 */
struct target {
	const char *name;
	const char *goal;
	double limit;
	bool at_most;
	const char *fmt;
	double value;
	const char *variant;
	enum placement pl;
};

#define TARGET(n, g, lim, le, f) \
	{ .name = n, .goal = g, .limit = lim, .at_most = le, .fmt = f, \
	  .value = NAN }

static const char *const vmshm_blocking[] = {
	"vmshm-wait", "vmshm-wait-wake", "vmshm-poll", "vmshm-ring",
};

static const char *const vmshm_streams[] = { "vmshm-ring", "vmshm-ring-chunk" };

static void worse(struct target *t, double v, enum placement pl)
{
	if (isnan(v))
		return;
	if (isnan(t->value) || (t->at_most ? v > t->value : v < t->value)) {
		t->value = v;
		t->pl = pl;
	}
}

static bool met(const struct target *t)
{
	return !isnan(t->value) &&
	       (t->at_most ? t->value <= t->limit : t->value >= t->limit);
}

/* Ping-pong: @a / @b per round trip (or @b / @a with @inv), per placement. */
static void pp_target(const struct report *rep, struct target *t,
		      const char *a, const char *b, bool inv)
{
	enum placement pl;

	t->variant = a;
	for (pl = PL_SAME; pl < PL_ONE; pl++)
		worse(t, inv ? report_pair(rep, WL_PINGPONG, b, pl, a, pl) :
			       report_pair(rep, WL_PINGPONG, a, pl, b, pl), pl);
}

/* The blocking vmshm variant whose worse placement is closest to futex. */
static const char *best_blocking(const struct report *rep, struct target *t)
{
	const struct target fresh = *t;
	const char *best = vmshm_blocking[0];
	struct target cand;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vmshm_blocking); i++) {
		cand = fresh;
		pp_target(rep, &cand, vmshm_blocking[i], "futex", false);
		if (!i || (!isnan(cand.value) &&
			   (isnan(t->value) || cand.value < t->value))) {
			*t = cand;
			best = vmshm_blocking[i];
		}
	}
	return best;
}

static void stream_target(const struct report *rep, struct target *t,
			  const char *v)
{
	struct result key = { .wl = WL_STREAM, .variant = v };
	enum placement pl;
	double sys;

	for (pl = PL_SAME; pl < PL_ONE; pl++) {
		worse(&t[0], report_pair(rep, WL_STREAM, ST_SINGLE_NAME, PL_ONE,
					 v, pl), pl);
		worse(&t[1], report_pair(rep, WL_STREAM, "pipe", pl, v, pl), pl);
		key.pl = pl;
		sys = report_median(rep, &key, C_OWN, NULL, NULL);
		worse(&t[2], isnan(sys) ?
		      report_median(rep, &key, C_SYS, NULL, NULL) : sys, pl);
	}
	t[0].variant = v;
	t[1].variant = v;
	t[2].variant = v;
}

/* The ring variant whose worse placement is closest to the single process. */
static void stream_targets(const struct report *rep, struct target *t)
{
	struct target fresh[3], cand[3];
	unsigned int i;

	memcpy(fresh, t, sizeof(fresh));
	for (i = 0; i < ARRAY_SIZE(vmshm_streams); i++) {
		memcpy(cand, fresh, sizeof(cand));
		stream_target(rep, cand, vmshm_streams[i]);
		if (!i || (!isnan(cand[0].value) &&
			   (isnan(t[0].value) || cand[0].value > t[0].value)))
			memcpy(t, cand, sizeof(cand));
	}
}

/* Minor faults while touching a populated region: the worst round. */
static void populate_target(const struct report *rep, struct target *t)
{
	const struct result *r;

	t->variant = "vmshm-populate";
	for (r = rep->res; r < rep->res + rep->nr; r++) {
		if (r->wl == WL_FAULTS && !strcmp(r->variant, t->variant))
			worse(t, r->side[0].minflt, PL_ONE);
	}
}

static void target_print(FILE *out, const struct target *t, bool csv)
{
	char value[32] = "n/a";

	if (!isnan(t->value))
		snprintf(value, sizeof(value), t->fmt, t->value);
	if (csv)
		fprintf(out, "target,%s,%s,%s,,,,,,%s,,,,,,,,,,,,,,,,%s,%s\n",
			t->name, t->variant ? t->variant : "",
			isnan(t->value) ? "" : placement_names[t->pl], value,
			t->goal, met(t) ? "met" : "missed");
	else
		fprintf(out, "target %s %s %s %s\n", t->name, value, t->goal,
			met(t) ? "met" : "missed");
}

/**
 * report_targets() - judge and print the targets
 * @rep: the results
 * @out: where to
 * @csv: as CSV "target" rows, else as "target NAME VALUE GOAL met|missed"
 *
 * Return: the number of targets missed.
 */
int report_targets(const struct report *rep, FILE *out, bool csv)
{
	struct target t[] = {
		TARGET("rt_vmshm_vs_futex", "<=1.10", 1.10, true, "%.3f"),
		TARGET("rt_vmshm_vs_eventfd", "<=1.0", 1.0, true, "%.3f"),
		TARGET("rt_vmshm_vs_pipe", "<=0.9", 0.9, true, "%.3f"),
		TARGET("rt_speedup_vs_usleep_flags", ">=20", 20, false, "%.1f"),
		TARGET("stream_vs_single_process", ">=0.8", 0.8, false, "%.3f"),
		TARGET("stream_vs_pipe", ">=2", 2, false, "%.2f"),
		TARGET("stream_syscalls_per_line", "<=0.1", 0.1, true, "%.5f"),
		TARGET("populate_minflt_after_setup", "0", 0, true, "%.0f"),
	};
	const char *v = best_blocking(rep, &t[0]);
	unsigned int i, missed = 0;

	pp_target(rep, &t[1], v, "eventfd", false);
	pp_target(rep, &t[2], v, "pipe", false);
	pp_target(rep, &t[3], v, "posix-flags", true);
	stream_targets(rep, &t[4]);
	populate_target(rep, &t[7]);
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		target_print(out, &t[i], csv);
		missed += !met(&t[i]);
	}
	return missed;
}
