// SPDX-License-Identifier: GPL-2.0
/*
 * Seeded pseudo-random numbers (splitmix64: any seed, even 0, is good),
 * Fisher-Yates shuffles and quantiles by linear interpolation.
 */
#include <stdlib.h>

#include "stats.h"

/**
 * rng_next() - the next 64 random bits
 * @state: the generator, advanced
 *
 * Return: the bits.
 */
uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/**
 * rng_below() - a random number in [0, @n)
 * @state: the generator
 * @n: the bound, not 0
 *
 * The bias of the modulo is below 2^-40 for the bounds used here.
 *
 * Return: the number.
 */
uint64_t rng_below(uint64_t *state, uint64_t n)
{
	return rng_next(state) % n;
}

/**
 * shuffle() - put @v in a random order
 * @v: the array
 * @n: its length
 * @state: the generator
 */
void shuffle(unsigned int *v, unsigned int n, uint64_t *state)
{
	unsigned int i, j, t;

	for (i = n; i > 1; i--) {
		j = rng_below(state, i);
		t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/**
 * quantile() - the @q quantile of @v, interpolated between order stats
 * @v: the values; sorted in place
 * @n: how many, not 0
 * @q: 0.5 for the median, 0.25 and 0.75 for the quartiles
 *
 * Return: the quantile.
 */
double quantile(double *v, unsigned int n, double q)
{
	double pos, frac;
	unsigned int i;

	qsort(v, n, sizeof(*v), cmp_double);
	pos = q * (n - 1);
	i = (unsigned int)pos;
	frac = pos - i;
	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + frac * (v[i + 1] - v[i]);
}
