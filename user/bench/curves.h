/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cost curves: how a cost grows with the number of waiters, of concurrent
 * pairs, of existing regions, and with the size of a region.  Each curve
 * is a few series measured at the same x values, with a median (and
 * quartiles) of a few repetitions per point; a least-squares fit of
 * log(y) on log(x) gives its slope, which the targets judge.
 */
#ifndef _VMSHM_BENCH_CURVES_H
#define _VMSHM_BENCH_CURVES_H

#include <stdbool.h>
#include <stdio.h>

#include "bench.h"

#define CURVE_POINTS	16
#define CURVE_SERIES	9
#define CURVE_REPS	15	/* the most repetitions a point, of any curve */

enum curve_id { CV_WAKE, CV_PAIRS, CV_REGIONS, CV_FAULTS, CV_NR };

/*
 * The series of the pairs curve (curve_ipc.c): the rates of its
 * transports, then the ratios of all but the first to the first, in the
 * same order.  curves.c judges the ratios.
 */
enum pairs_series {
	PAIRS_FUTEX, PAIRS_CONTROL, PAIRS_VMSHM, PAIRS_SPIN, PAIRS_RING,
	PAIRS_NR_TR,
	PAIRS_CONTROL_VS_FUTEX = PAIRS_NR_TR,
	PAIRS_VMSHM_VS_FUTEX,
	PAIRS_SPIN_VS_FUTEX,
	PAIRS_RING_VS_FUTEX,
};

/**
 * struct curve_series - one series of a curve
 * @name: its name in the CSV ("vmshm", "proc-read"...)
 * @unit: what y is ("ns/waiter", "round trips/s"...)
 * @y: the median at each point
 * @q1: the first quartile at each point
 * @q3: the third quartile at each point
 */
struct curve_series {
	const char *name;
	const char *unit;
	double y[CURVE_POINTS];
	double q1[CURVE_POINTS];
	double q3[CURVE_POINTS];
};

/**
 * struct curve - one curve
 * @name: its name, selected by --only as "curve/NAME"
 * @xname: what x counts
 * @x: the x values
 * @nr_points: the x values measured; fewer than planned when a limit
 *	(module parameters, open files) cut the curve short
 * @planned: the x values planned
 * @reps: repetitions per point
 * @series: the series
 * @nr_series: how many
 * @note: why the curve stopped early, or NULL
 * @ran: it was selected and measured
 */
struct curve {
	const char *name;
	const char *xname;
	double x[CURVE_POINTS];
	unsigned int nr_points;
	unsigned int planned;
	unsigned int reps;
	struct curve_series series[CURVE_SERIES];
	unsigned int nr_series;
	const char *note;
	bool ran;
};

/**
 * struct curves - every curve of a run
 * @cfg: the configuration
 * @c: the curves
 */
struct curves {
	const struct bench_cfg *cfg;
	struct curve c[CV_NR];
};

unsigned int curves_plan(struct curves *cs, const struct bench_cfg *cfg);
int curves_run(struct curves *cs);
void curves_csv(const struct curves *cs, FILE *out);
int curves_targets(const struct curves *cs, FILE *out, bool csv,
		   unsigned int *total);

/* Helpers of the curve drivers (curves.c). */
void curve_point(struct curve *c, unsigned int s, unsigned int i,
		 double *v, unsigned int n);
double curve_slope(const struct curve *c, unsigned int s);
int unpin_cpu(void);

/* The drivers. */
int curve_wake(const struct bench_cfg *cfg, struct curve *c);
int curve_pairs(const struct bench_cfg *cfg, struct curve *c);
int curve_regions(const struct bench_cfg *cfg, struct curve *c);
int curve_faults(const struct bench_cfg *cfg, struct curve *c);

#endif /* _VMSHM_BENCH_CURVES_H */
