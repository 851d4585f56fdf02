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
 *
 * The page-fault targets are judged at each size (one process, one
 * placement); their names end in the size, as the variants' do.  The
 * curves' targets (curves.c) come last.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "curves.h"
#include "report.h"
#include "rounds.h"
#include "target.h"
#include "util.h"

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

/**
 * target_met() - is a target met?
 * @t: the target
 *
 * Return: true if measured and within its goal.
 */
bool target_met(const struct target *t)
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

/* Minor faults while touching a MAP_POPULATE region: the worst round. */
static void populate_target(const struct report *rep, struct target *t)
{
	const struct result *r;
	unsigned int s;

	t->variant = "vmshm-populate";
	for (s = 0; s < rep->cfg->nr_sizes; s++) {
		for (r = rep->res; r < rep->res + rep->nr; r++) {
			if (r->wl == WL_FAULTS &&
			    !strcmp(r->variant, fault_variant(s, FK_VPOPULATE)))
				worse(t, r->side[0].minflt, PL_ONE);
		}
	}
}

/* First touch of kind @a / kind @b at size @s, median of the rounds. */
static void fault_pair(const struct report *rep, struct target *t,
		       unsigned int s, enum fault_kind a, enum fault_kind b)
{
	t->variant = fault_variant(s, a);
	worse(t, report_pair(rep, WL_FAULTS, t->variant, PL_ONE,
			     fault_variant(s, b), PL_ONE), PL_ONE);
}

/*
 * At size @s: a huge region's first touch against anonymous memory (THP
 * as the system has it), its faults per 4 KiB page, and a 4 KiB region's
 * first touch against a memfd (both shmem).
 */
static void fault_targets(const struct report *rep, struct target *t,
			  unsigned int s)
{
	const char *size = strrchr(fault_variant(s, FK_ANON), '-') + 1;
	struct result key = { .wl = WL_FAULTS, .pl = PL_ONE };

	t[0] = (struct target)TARGET("", "<=1.0", 1.0, true, "%.3f");
	t[1] = (struct target)TARGET("", "<=1/256", 1.0 / 256, true, "%.5f");
	t[2] = (struct target)TARGET("", "<=1.1", 1.1, true, "%.3f");
	snprintf(t[0].name, TARGET_NAME, "huge_touch_vs_anon_%s", size);
	snprintf(t[1].name, TARGET_NAME, "huge_faults_per_page_%s", size);
	snprintf(t[2].name, TARGET_NAME, "vmshm_touch_vs_memfd_%s", size);
	fault_pair(rep, &t[0], s, FK_HUGE, FK_ANON);
	t[1].variant = fault_variant(s, FK_HUGE);
	key.variant = t[1].variant;
	worse(&t[1], report_median(rep, &key, C_KFAULTS, NULL, NULL), PL_ONE);
	fault_pair(rep, &t[2], s, FK_VMSHM, FK_MEMFD);
}

/**
 * target_print() - print one target
 * @out: where to
 * @t: the target; a @pl of PL_NR prints no placement (the curves')
 * @csv: as a CSV "target" row, else as a "target" line
 */
void target_print(FILE *out, const struct target *t, bool csv)
{
	char value[32] = "n/a";

	if (!isnan(t->value))
		snprintf(value, sizeof(value), t->fmt, t->value);
	if (csv)
		fprintf(out, "target,%s,%s,%s,,,,,,%s,,,,,,,,,,,,,,,,%s,%s\n",
			t->name, t->variant ? t->variant : "",
			isnan(t->value) || t->pl == PL_NR ? "" :
			placement_names[t->pl], value,
			t->goal, target_met(t) ? "met" : "missed");
	else
		fprintf(out, "target %s %s %s %s\n", t->name, value, t->goal,
			target_met(t) ? "met" : "missed");
}

/**
 * report_targets() - judge and print the targets
 * @rep: the results
 * @out: where to
 * @csv: as CSV "target" rows, else as "target NAME VALUE GOAL met|missed"
 * @total: receives the number of targets
 *
 * Return: the number of targets missed.
 */
int report_targets(const struct report *rep, FILE *out, bool csv,
		   unsigned int *total)
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
		[8 ... 8 + 3 * FAULT_SIZES - 1] = TARGET("", "", 0, true, ""),
	};
	const char *v;
	unsigned int i, n, missed = 0;

	*total = 0;
	if (!rep->nr)
		goto curves;	/* --only picked curves alone */
	v = best_blocking(rep, &t[0]);
	pp_target(rep, &t[1], v, "eventfd", false);
	pp_target(rep, &t[2], v, "pipe", false);
	pp_target(rep, &t[3], v, "posix-flags", true);
	stream_targets(rep, &t[4]);
	populate_target(rep, &t[7]);
	for (i = 0; i < rep->cfg->nr_sizes; i++)
		fault_targets(rep, &t[8 + 3 * i], i);
	*total = 8 + 3 * rep->cfg->nr_sizes;
	for (i = 0; i < *total; i++) {
		target_print(out, &t[i], csv);
		missed += !target_met(&t[i]);
	}
curves:
	if (rep->curves) {
		missed += curves_targets(rep->curves, out, csv, &n);
		*total += n;
	}
	return missed;
}
