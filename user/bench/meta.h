/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CSV file and its "# meta key=value" lines: the machine, the kernel,
 * the clock, the configuration, and what the host passed with --meta.
 */
#ifndef _VMSHM_BENCH_META_H
#define _VMSHM_BENCH_META_H

#include <stdio.h>

#define META_MAX	32

struct bench;

/**
 * struct meta - where the CSV goes, and the host's meta lines
 * @csv_path: the CSV's path, or "stdout"
 * @out: the CSV stream once opened
 * @extra: "key=value" strings from --meta
 * @nr_extra: how many
 */
struct meta {
	const char *csv_path;
	FILE *out;
	const char *extra[META_MAX];
	unsigned int nr_extra;
};

int meta_add(struct meta *m, const char *kv);
int meta_open(struct meta *m);
void meta_write(const struct meta *m, const struct bench *b);

#endif /* _VMSHM_BENCH_META_H */
