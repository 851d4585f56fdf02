/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exact line summing, shared by the child and the benchmark.
 *
 * The parser is streaming: a line may be fed in any number of pieces, cut
 * anywhere, even inside a number, so no line is ever too long.  The grammar
 * is in sum_grammar_help (sum.c), which the programs print in --help.
 */
#ifndef _VMSHM_SUM_H
#define _VMSHM_SUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SUM_FRAC_MAX	9	/* fraction digits allowed in a number */
#define SUM_TOKEN_SHOW	24	/* bytes of a bad token quoted in an error */
#define SUM_RESULT_MAX	192	/* a result line with its NUL, no newline */

enum sum_err {
	SUM_OK,
	SUM_EBADTOK,		/* not a number */
	SUM_EFRAC,		/* more than SUM_FRAC_MAX fraction digits */
	SUM_ERANGE,		/* a number outside the 64-bit range */
	SUM_EOVERFLOW,		/* the sum outside the 64-bit range */
};

/**
 * struct sum_state - one line being summed
 * @acc: exact sum so far, in units of 10^-SUM_FRAC_MAX
 * @col: 1-based byte column of the next byte fed
 * @scale: most fraction digits of any number so far
 * @acc_overflow: @acc itself overflowed (needs over 10^10 numbers)
 * @err: first error of the line, SUM_OK if none
 * @err_col: column of the token in error
 * @err_tok: its first bytes
 * @err_tok_len: its full length
 * @in_tok: a token is open
 * @phase: where in the number grammar the open token is
 * @neg: it has a minus sign
 * @big: its integer part exceeds 64 bits
 * @ipart: its integer part
 * @frac: its fraction digits, as an integer
 * @frac_digits: how many
 * @tok_col: its column
 * @tok: its first bytes
 * @tok_len: its length so far
 */
struct sum_state {
	__int128 acc;
	uint64_t col;
	unsigned int scale;
	bool acc_overflow;
	enum sum_err err;
	uint64_t err_col;
	char err_tok[SUM_TOKEN_SHOW];
	size_t err_tok_len;
	bool in_tok;
	uint8_t phase;
	bool neg;
	bool big;
	uint64_t ipart;
	uint32_t frac;
	unsigned int frac_digits;
	uint64_t tok_col;
	char tok[SUM_TOKEN_SHOW];
	size_t tok_len;
};

extern const char sum_grammar_help[];

void sum_init(struct sum_state *s);
void sum_feed(struct sum_state *s, const char *buf, size_t len);
size_t sum_result(struct sum_state *s, char *out, size_t size);
size_t sum_line(const char *line, size_t len, char *out, size_t size);

#endif /* _VMSHM_SUM_H */
