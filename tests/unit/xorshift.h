/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host unit tests' random numbers: Marsaglia's xorshift64, from a
 * fixed seed, so that a failure reproduces.  The state must not be 0.
 */
#ifndef _VMSHM_XORSHIFT_H
#define _VMSHM_XORSHIFT_H

static inline unsigned long long xorshift64(unsigned long long *state)
{
	unsigned long long x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

#endif /* _VMSHM_XORSHIFT_H */
