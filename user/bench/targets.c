// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's performance targets, each judged on the worse of the
 * two placements (same vCPU, different vCPUs), from medians of ratios
 * taken inside each kept round: against the run of the baseline right
 * before the job where the other side is its baseline (rounds.c).
 *
 * "vmshm blocking round trip" is the best of the vmshm variants that sleep
 * in the kernel and never spin (vmshm-wait, vmshm-poll, vmshm-ring), chosen
 * by its ratio to futex; the next three lines use the same variant.  Its
 * ratios to eventfd and pipe are reported figures, not targets: all
 * blocking transports tie under TCG and noise decides them.
 *
 * The spinning ring (vmshm-ring-spin) is judged in each placement on its
 * own: against futex on one vCPU, where it must not spin, and across
 * vCPUs, where it must spin, against futex and the pure spin.  The
 * streaming targets judge the product's transport (vmshm-xport), each
 * placement on its own too.
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

/* Targets and figures before the page-fault ones. */
#define NR_FIXED	16

static const char *const vmshm_blocking[] = {
	"vmshm-wait", "vmshm-wait-wake", "vmshm-poll", "vmshm-ring",
};

#define RING_SPIN	"vmshm-ring-spin"
#define XPORT		"vmshm-xport"

static void worse(struct target *t, double v, enum placement pl)
{
	if (isnan(v))
		return;
	if (isnan(t->value) || (t->at_most ? v > t->value : v < t->value)) {
		t->value = v;
		t->pl = pl;
	}
}

/* Is @t measured, and within its goal? */
static bool target_met(const struct target *t)
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
		worse(t, inv ?
		      report_pair(rep, C_PER_OP, WL_PINGPONG, b, pl, a, pl) :
		      report_pair(rep, C_PER_OP, WL_PINGPONG, a, pl, b, pl), pl);
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

/* Ping-pong in placement @pl only: @a / @b per round trip. */
static void pp_at(const struct report *rep, struct target *t, const char *a,
		  const char *b, enum placement pl)
{
	t->variant = a;
	worse(t, report_pair(rep, C_PER_OP, WL_PINGPONG, a, pl, b, pl), pl);
}

/* CPU time per message of @a against @b, in placement @pl. */
static void pp_cpu_at(const struct report *rep, struct target *t,
		      const char *a, const char *b, enum placement pl)
{
	t->variant = a;
	worse(t, report_pair(rep, C_CPU, WL_PINGPONG, a, pl, b, pl), pl);
}

/* The product's transport against the single process, or the pipe. */
static void stream_at(const struct report *rep, struct target *t,
		      const char *ref, enum placement pl)
{
	t->variant = XPORT;
	worse(t, report_pair(rep, C_PER_OP, WL_STREAM, ref,
			     strcmp(ref, ST_SINGLE_NAME) ? pl : PL_ONE,
			     XPORT, pl), pl);
}

/*
 * The single process alone against variant @v of it: beside a busy vCPU,
 * what a pipeline across vCPUs loses for as long as both sides run
 * (stream.c); again, what pairing itself adds to every ratio (rounds.c);
 * in a child on vCPU 1, how fast the host runs a consumer across vCPUs
 * (stream.c).
 */
static void single_pair(const struct report *rep, struct target *t,
			const char *v, enum placement pl)
{
	t->variant = v;
	worse(t, report_pair(rep, C_PER_OP, WL_STREAM, ST_SINGLE_NAME, PL_ONE,
			     v, pl), pl);
}

/* System calls per line of the product's transport, worse placement. */
static void stream_sys(const struct report *rep, struct target *t)
{
	struct result key = { .wl = WL_STREAM, .variant = XPORT };
	enum placement pl;
	double sys;

	t->variant = XPORT;
	for (pl = PL_SAME; pl < PL_ONE; pl++) {
		key.pl = pl;
		sys = report_median(rep, &key, C_OWN, NULL, NULL);
		worse(t, isnan(sys) ?
		      report_median(rep, &key, C_SYS, NULL, NULL) : sys, pl);
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
	worse(t, report_pair(rep, C_PER_OP, WL_FAULTS, t->variant, PL_ONE,
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

/* Print one target; a @pl of PL_NR prints no placement (the curves'). */
static void target_print(FILE *out, const struct target *t, bool csv)
{
	const char *verdict = t->figure ? "reported" :
			      target_met(t) ? "met" : "missed";
	char value[32] = "n/a";

	if (!isnan(t->value))
		snprintf(value, sizeof(value), t->fmt, t->value);

	if (csv)
		fprintf(out, "target,%s,%s,%s,,,,,,%s,,,,,,,,,,,,,,,,%s,%s\n",
			t->name, t->variant ? t->variant : "",
			isnan(t->value) || t->pl == PL_NR ? "" :
			placement_names[t->pl], value, t->goal, verdict);
	else
		fprintf(out, "target %s %s %s %s\n", t->name, value, t->goal,
			verdict);
}

/**
 * target_judge() - print one target, and count it unless it is a figure
 * @out: where to
 * @t: the target
 * @csv: as a CSV "target" row, else as a "target" line
 * @total: incremented unless @t is a figure
 *
 * Return: 1 if @t is a target and missed, else 0.
 */
unsigned int target_judge(FILE *out, const struct target *t, bool csv,
			  unsigned int *total)
{
	target_print(out, t, csv);
	if (t->figure)
		return 0;
	++*total;
	return !target_met(t);
}

/**
 * report_targets() - judge and print the targets
 * @rep: the results
 * @out: where to
 * @csv: as CSV "target" rows, else as "target NAME VALUE GOAL met|missed"
 *	("reported" and goal "-" for a figure that is not judged)
 * @total: receives the number of targets, figures not counted
 *
 * Return: the number of targets missed.
 */
int report_targets(const struct report *rep, FILE *out, bool csv,
		   unsigned int *total)
{
	struct target t[] = {
		TARGET("rt_vmshm_vs_futex", "<=1.10", 1.10, true, "%.3f"),
		FIGURE("rt_vmshm_vs_eventfd", "%.3f"),
		FIGURE("rt_vmshm_vs_pipe", "%.3f"),
		FIGURE("rt_speedup_vs_usleep_flags", "%.1f"),
		TARGET("rt_spin_vs_futex_same", "<=1.05", 1.05, true, "%.3f"),
		TARGET("rt_spin_vs_futex_cross", "<=0.05", 0.05, true, "%.4f"),
		TARGET("rt_spin_vs_pure_spin_cross", "<=2.0", 2.0, true,
		       "%.2f"),
		TARGET("cpu_spin_vs_futex_same", "<=1.0", 1.0, true, "%.3f"),
		TARGET("stream_xport_vs_single_same", ">=0.95", 0.95, false,
		       "%.3f"),
		TARGET("stream_xport_vs_single_cross", ">=1.0", 1.0, false,
		       "%.3f"),
		FIGURE("stream_single_beside_busy", "%.3f"),
		FIGURE("stream_single_vs_itself", "%.3f"),
		FIGURE("stream_single_as_consumer", "%.3f"),
		TARGET("stream_xport_vs_pipe_same", ">=1.6", 1.6, false,
		       "%.2f"),
		TARGET("stream_syscalls_per_line", "<=0.1", 0.1, true, "%.5f"),
		TARGET("populate_minflt_after_setup", "0", 0, true, "%.0f"),
		[NR_FIXED ... NR_FIXED + 3 * FAULT_SIZES - 1] =
			TARGET("", "", 0, true, ""),
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
	pp_at(rep, &t[4], RING_SPIN, "futex", PL_SAME);
	pp_at(rep, &t[5], RING_SPIN, "futex", PL_CROSS);
	pp_at(rep, &t[6], RING_SPIN, "spin", PL_CROSS);
	pp_cpu_at(rep, &t[7], RING_SPIN, "futex", PL_SAME);
	stream_at(rep, &t[8], ST_SINGLE_NAME, PL_SAME);
	stream_at(rep, &t[9], ST_SINGLE_NAME, PL_CROSS);
	single_pair(rep, &t[10], ST_BUSY_NAME, PL_CROSS);
	single_pair(rep, &t[11], ST_AGAIN_NAME, PL_ONE);
	single_pair(rep, &t[12], ST_CONSUMER_NAME, PL_CROSS);
	stream_at(rep, &t[13], "pipe", PL_SAME);
	stream_sys(rep, &t[14]);
	populate_target(rep, &t[15]);
	for (i = 0; i < rep->cfg->nr_sizes; i++)
		fault_targets(rep, &t[NR_FIXED + 3 * i], i);
	n = NR_FIXED + 3 * rep->cfg->nr_sizes;
	for (i = 0; i < n; i++)
		missed += target_judge(out, &t[i], csv, total);
curves:
	if (rep->curves) {
		missed += curves_targets(rep->curves, out, csv, &n);
		*total += n;
	}
	return missed;
}
