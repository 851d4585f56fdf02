/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The measuring drivers, one per workload, and the report.
 */
#ifndef _VMSHM_BENCH_RUN_H
#define _VMSHM_BENCH_RUN_H

#include <stdio.h>

#include "bench.h"

#define FAULT_KINDS	5

extern const char *const fault_names[FAULT_KINDS];

int pp_run(const struct bench_cfg *cfg, const struct pp_ops *ops,
	   enum placement pl, struct result *res);
int st_run(const struct bench_cfg *cfg, const struct st_ops *ops,
	   enum placement pl, const char *text, size_t len,
	   struct result *res);
int st_single(const char *text, size_t len, struct result *res);
int st_local(const char *text, size_t len, struct result *res);
int fault_run(const struct bench_cfg *cfg, unsigned int kind,
	      struct result *res);

/**
 * struct report - everything measured, and where to write it
 * @res: the results, in the order they were measured
 * @nr: how many
 * @rounds: rounds run; round 0 is left out of every summary
 * @out: the CSV stream
 */
struct report {
	const struct result *res;
	unsigned int nr;
	unsigned int rounds;
	FILE *out;
};

void report_csv(const struct report *rep);
int report_targets(const struct report *rep, FILE *out, bool csv);

#endif /* _VMSHM_BENCH_RUN_H */
