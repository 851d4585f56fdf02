// SPDX-License-Identifier: GPL-2.0
/*
 * Cost curves: which curves run (--only curve/NAME), their medians, their
 * log-log slopes, their CSV rows and their targets.  The drivers are in
 * curve_ipc.c (waiters, pairs) and curve_mem.c (regions, region size).
 *
 * The CSV rows follow the summaries, after a comment naming their columns:
 *
 *   curve,CURVE,SERIES,X_NAME,X,UNIT,MEDIAN,Q1,Q3,REPS
 *   slope,CURVE,SERIES,X_NAME,,UNIT,SLOPE       (after each series)
 *
 * scripts/bench-report.sh turns them into one CSV and one log-log plot
 * per curve.  A slope is the least-squares fit of log(median) on log(x)
 * over every point measured: 0 is flat, 1 linear.
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "curves.h"
#include "libvmshm.h"
#include "rounds.h"
#include "stats.h"
#include "target.h"
#include "util.h"

/**
 * struct curve_def - a curve and its driver
 * @name: as in "curve/NAME"
 * @xname: what x counts
 * @run: measures it
 */
struct curve_def {
	const char *name;
	const char *xname;
	int (*run)(const struct bench_cfg *cfg, struct curve *c);
};

static const struct curve_def curve_defs[CV_NR] = {
	[CV_WAKE] = { "wake", "waiters", curve_wake },
	[CV_PAIRS] = { "pairs", "pairs", curve_pairs },
	[CV_REGIONS] = { "regions", "regions", curve_regions },
	[CV_FAULTS] = { "faults", "bytes", curve_faults },
};

/**
 * curves_plan() - pick the curves --only selects
 * @cs: the curves
 * @cfg: the configuration
 *
 * Return: how many.
 */
unsigned int curves_plan(struct curves *cs, const struct bench_cfg *cfg)
{
	unsigned int i, n = 0;
	char key[64];

	memset(cs, 0, sizeof(*cs));
	cs->cfg = cfg;
	for (i = 0; i < CV_NR; i++) {
		cs->c[i].name = curve_defs[i].name;
		cs->c[i].xname = curve_defs[i].xname;
		snprintf(key, sizeof(key), "curve/%s", curve_defs[i].name);
		cs->c[i].ran = bench_selected(cfg, key);
		n += cs->c[i].ran;
	}
	return n;
}

/**
 * unpin_cpu() - let the calling process run on every online CPU
 *
 * The rounds pin the bench to CPU 0, and children inherit it; the curves
 * leave placement to the scheduler.
 *
 * Return: 0 or -errno.
 */
int unpin_cpu(void)
{
	long i, n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	CPU_ZERO(&set);
	for (i = 0; i < n && i < CPU_SETSIZE; i++)
		CPU_SET(i, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/**
 * curves_run() - measure every selected curve, one after the other
 * @cs: the curves, planned
 *
 * Return: 0, or the first driver's -errno (already printed).
 */
int curves_run(struct curves *cs)
{
	struct curve *c;
	uint64_t t0;
	int ret;

	for (c = cs->c; c < cs->c + CV_NR; c++) {
		if (!c->ran)
			continue;
		t0 = vmshm_now_ns();
		ret = unpin_cpu();
		if (!ret)
			ret = curve_defs[c - cs->c].run(cs->cfg, c);
		if (ret) {
			err_msg("curve %s: %s", c->name, strerror(-ret));
			return ret;
		}
		info_msg("curve %s: %u of %u points, %u reps, in %.1f s%s%s",
			 c->name, c->nr_points, c->planned, c->reps,
			 (vmshm_now_ns() - t0) / 1e9, c->note ? "; " : "",
			 c->note ? c->note : "");
	}
	return 0;
}

/**
 * curve_point() - the median and quartiles of one point of one series
 * @c: the curve
 * @s: the series
 * @i: the point
 * @v: the repetitions' values; sorted in place
 * @n: how many; 0 leaves the point unmeasured (NAN)
 */
void curve_point(struct curve *c, unsigned int s, unsigned int i,
		 double *v, unsigned int n)
{
	struct curve_series *cs = &c->series[s];

	cs->y[i] = n ? quantile(v, n, 0.5) : NAN;
	cs->q1[i] = n ? quantile(v, n, 0.25) : NAN;
	cs->q3[i] = n ? quantile(v, n, 0.75) : NAN;
}

/**
 * curve_slope() - the log-log slope of a series
 * @c: the curve
 * @s: the series
 *
 * Return: the least-squares slope of log(y) on log(x) over the points
 * with a positive median, or NAN with fewer than two.
 */
double curve_slope(const struct curve *c, unsigned int s)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, lx, ly, d;
	const struct curve_series *cs = &c->series[s];
	unsigned int i, n = 0;

	for (i = 0; i < c->nr_points; i++) {
		if (!(cs->y[i] > 0) || !(c->x[i] > 0))
			continue;
		lx = log(c->x[i]);
		ly = log(cs->y[i]);
		sx += lx;
		sy += ly;
		sxx += lx * lx;
		sxy += lx * ly;
		n++;
	}
	d = n * sxx - sx * sx;
	return n < 2 || d == 0 ? NAN : (n * sxy - sx * sy) / d;
}

/* The smallest median of a series: the pairs curve's worst ratio. */
static double curve_min(const struct curve *c, unsigned int s)
{
	double m = NAN;
	unsigned int i;

	for (i = 0; i < c->nr_points; i++) {
		if (!isnan(c->series[s].y[i]) &&
		    (isnan(m) || c->series[s].y[i] < m))
			m = c->series[s].y[i];
	}
	return m;
}

/**
 * curves_csv() - the curves' meta lines and rows
 * @cs: the curves, measured
 * @out: the CSV stream
 */
void curves_csv(const struct curves *cs, FILE *out)
{
	const struct curve *c;
	unsigned int s, i;

	for (c = cs->c; c < cs->c + CV_NR; c++) {
		if (c->ran)
			fprintf(out, "# meta curve_%s=%u of %u points, %u reps%s%s\n",
				c->name, c->nr_points, c->planned, c->reps,
				c->note ? "; " : "", c->note ? c->note : "");
	}
	fprintf(out, "# curve columns: type,curve,series,x_name,x,unit,median,q1,q3,reps\n");
	fprintf(out, "# slope columns: type,curve,series,x_name,,unit,slope\n");
	for (c = cs->c; c < cs->c + CV_NR; c++) {
		for (s = 0; c->ran && s < c->nr_series; s++) {
			for (i = 0; i < c->nr_points; i++)
				fprintf(out, "curve,%s,%s,%s,%.0f,%s,%.6g,%.6g,%.6g,%u\n",
					c->name, c->series[s].name, c->xname,
					c->x[i], c->series[s].unit,
					c->series[s].y[i], c->series[s].q1[i],
					c->series[s].q3[i], c->reps);
			fprintf(out, "slope,%s,%s,%s,,%s,%.4f\n", c->name,
				c->series[s].name, c->xname, c->series[s].unit,
				curve_slope(c, s));
		}
	}
}

/* A slope (or, with @min, the smallest median) of series @s as a target. */
static void curve_target(const struct curve *c, struct target *t,
			 unsigned int s, bool min)
{
	t->variant = c->series[s].name;
	t->pl = PL_NR;
	if (c->ran)
		t->value = min ? curve_min(c, s) : curve_slope(c, s);
}

/**
 * curves_targets() - judge and print the curves' targets
 * @cs: the curves, measured
 * @out: where to
 * @csv: as CSV "target" rows, else as "target" lines
 * @total: receives the number of targets judged (those of the curves run;
 *	the figures among them are printed, not counted)
 *
 * Return: the number of them missed.
 */
int curves_targets(const struct curves *cs, FILE *out, bool csv,
		   unsigned int *total)
{
	struct target t[] = {
		TARGET("curve_wake_per_waiter_slope", "<=0.1", 0.1, true, "%.3f"),
		TARGET("curve_pairs_vs_futex_min", ">=0.90", 0.9, false, "%.3f"),
		TARGET("curve_pairs_vs_futex_slope", ">=-0.05", -0.05, false, "%.3f"),
		TARGET("curve_pairs_ring_vs_futex_min", ">=0.90", 0.9, false, "%.3f"),
		FIGURE("curve_pairs_wait_wake_min", "%.3f"),
		FIGURE("curve_pairs_control_min", "%.3f"),
		TARGET("curve_lookup_slope", "<=0.1", 0.1, true, "%.3f"),
		TARGET("curve_proc_dump_slope", "<=1.1", 1.1, true, "%.3f"),
		TARGET("curve_nl_dump_slope", "<=1.1", 1.1, true, "%.3f"),
		TARGET("curve_fault_slope_4k", "<=0.1", 0.1, true, "%.3f"),
		TARGET("curve_fault_slope_huge", "<=0.1", 0.1, true, "%.3f"),
	};
	static const struct {
		enum curve_id id;
		unsigned int series;
		bool min;
	} from[ARRAY_SIZE(t)] = {
		{ CV_WAKE, 0, false },
		{ CV_PAIRS, PAIRS_SPIN_VS_FUTEX, true },
		{ CV_PAIRS, PAIRS_VMSHM_VS_FUTEX, false },
		{ CV_PAIRS, PAIRS_RING_VS_FUTEX, true },
		{ CV_PAIRS, PAIRS_VMSHM_VS_FUTEX, true },
		{ CV_PAIRS, PAIRS_CONTROL_VS_FUTEX, true },
		{ CV_REGIONS, 0, false },
		{ CV_REGIONS, 1, false }, { CV_REGIONS, 2, false },
		{ CV_FAULTS, 0, false }, { CV_FAULTS, 1, false },
	};
	unsigned int i, missed = 0;
	const struct curve *c;

	*total = 0;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		c = &cs->c[from[i].id];
		if (!c->ran)
			continue;
		curve_target(c, &t[i], from[i].series, from[i].min);
		missed += target_judge(out, &t[i], csv, total);
	}
	return missed;
}
