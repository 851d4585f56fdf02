/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Seeded pseudo-random numbers, shuffles and quantiles.
 */
#ifndef _VMSHM_BENCH_STATS_H
#define _VMSHM_BENCH_STATS_H

#include <stdint.h>

uint64_t rng_next(uint64_t *state);
uint64_t rng_below(uint64_t *state, uint64_t n);
void shuffle(unsigned int *v, unsigned int n, uint64_t *state);
double quantile(double *v, unsigned int n, double q);

#endif /* _VMSHM_BENCH_STATS_H */
