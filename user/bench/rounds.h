/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The plan of a bench run and its rounds.
 */
#ifndef _VMSHM_BENCH_ROUNDS_H
#define _VMSHM_BENCH_ROUNDS_H

#include "bench.h"
#include "run.h"

#define MAX_JOBS	80
#define ST_SINGLE_NAME	"single-process"
#define ST_BUSY_NAME	"single-beside-busy"
#define ST_AGAIN_NAME	"single-again"
#define ST_CONSUMER_NAME	"single-as-consumer"

/**
 * struct job - one measurement of a round
 * @wl: workload
 * @idx: the variant's index in its workload's table
 * @pl: placement
 */
struct job {
	enum workload wl;
	unsigned int idx;
	enum placement pl;
};

/**
 * struct bench - a whole run
 * @cfg: the configuration
 * @cpus: CPUs to plan for; 0: those this process may run on (nr_cpus())
 * @jobs: the plan, in report order
 * @nr_jobs: its length
 * @base_of: for each job, the index of its baseline job in @jobs, or -1
 * @near_of: for each job, the index of the job a target holds it to
 *	besides its baseline, run between the baseline and it, or -1
 * @text: the streaming input
 * @len: its length
 * @flags_len: the length of its first cfg->flags_lines lines
 * @ref_lines: lines of @text, counted by the single process
 * @ref_hash: the single process's checksum of their results
 * @ref_flags_lines: the same over the lab protocol's prefix
 * @ref_flags_hash: its checksum
 * @res: cfg->rounds * @nr_jobs results
 * @base_res: as many: the baseline run right before each job, where
 *	@base_of has one, from the second round on (struct result.base)
 * @near_res: as many: the same for @near_of (struct result.near)
 * @sys_status: 0 if round 0 could count system calls, else -errno
 */
struct bench {
	const struct bench_cfg *cfg;
	int cpus;
	struct job jobs[MAX_JOBS];
	unsigned int nr_jobs;
	int base_of[MAX_JOBS];
	int near_of[MAX_JOBS];
	char *text;
	size_t len;
	size_t flags_len;
	uint64_t ref_lines;
	uint64_t ref_hash;
	uint64_t ref_flags_lines;
	uint64_t ref_flags_hash;
	struct result *res;
	struct result *base_res;
	struct result *near_res;
	int sys_status;
};

bool bench_selected(const struct bench_cfg *cfg, const char *key);
unsigned int bench_plan(struct bench *b);
int bench_input(struct bench *b);
int bench_rounds(struct bench *b);

#endif /* _VMSHM_BENCH_ROUNDS_H */
