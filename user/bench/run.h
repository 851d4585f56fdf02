/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The measuring drivers, one per workload, and the report.
 */
#ifndef _VMSHM_BENCH_RUN_H
#define _VMSHM_BENCH_RUN_H

#include <stdio.h>

#include "bench.h"

struct curves;

/* The kinds of memory of the page-fault runs, see faults.c. */
enum fault_kind {
	FK_ANON,
	FK_POPULATE,
	FK_MEMFD,
	FK_VMSHM,
	FK_HUGE,
	FK_LOCKED,
	FK_VPOPULATE,
	FAULT_KINDS
};

void fault_names_init(const struct bench_cfg *cfg);
const char *fault_variant(unsigned int size, enum fault_kind kind);

int pp_run(const struct bench_cfg *cfg, const struct pp_ops *ops,
	   enum placement pl, struct result *res);
int st_run(const struct bench_cfg *cfg, const struct st_ops *ops,
	   enum placement pl, const char *text, size_t len,
	   struct result *res);
int st_single(const char *text, size_t len, struct result *res);
int st_local(const char *text, size_t len, struct result *res);
int st_single_beside_busy(const char *text, size_t len, struct result *res);
int st_single_as_consumer(const char *text, size_t len, struct result *res);
int fault_run(const struct bench_cfg *cfg, unsigned int idx,
	      struct result *res);

/**
 * struct report - everything measured, and where to write it
 * @cfg: the configuration it was measured with
 * @res: the results, in the order they were measured
 * @nr: how many
 * @rounds: rounds run; round 0 is left out of every summary
 * @out: the CSV stream
 * @curves: the cost curves, or NULL
 */
struct report {
	const struct bench_cfg *cfg;
	const struct result *res;
	unsigned int nr;
	unsigned int rounds;
	FILE *out;
	const struct curves *curves;
};

void report_csv(const struct report *rep);
int report_targets(const struct report *rep, FILE *out, bool csv,
		   unsigned int *total);

#endif /* _VMSHM_BENCH_RUN_H */
