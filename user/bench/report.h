/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Derived values of the results, shared by the CSV writer and the targets.
 */
#ifndef _VMSHM_BENCH_REPORT_H
#define _VMSHM_BENCH_REPORT_H

#include "run.h"

/* The columns a result can be summarized on. */
enum col {
	C_N,		/* operations timed */
	C_PER_OP,	/* ns per round trip, line or page */
	C_RATIO,	/* against the baseline, see ratio() and paired() */
	C_RATE,		/* operations per second */
	C_SYS,		/* the rest: per message (or line, or page) */
	C_OWN,
	C_NVCSW,
	C_NIVCSW,
	C_CPU,
	C_MINFLT,
	C_KWAITS,
	C_KWAKES,
	C_KFAULTS,
	C_SETUP,
	C_NR
};

const struct result *report_find(const struct report *rep, enum workload wl,
				 const char *variant, enum placement pl,
				 unsigned int round);
double report_value(const struct report *rep, const struct result *r,
		    enum col c);
double report_median(const struct report *rep, const struct result *key,
		     enum col c, double *q1, double *q3);
double report_pair(const struct report *rep, enum col c, enum workload wl,
		   const char *a, enum placement pla,
		   const char *b, enum placement plb);

#endif /* _VMSHM_BENCH_REPORT_H */
