// SPDX-License-Identifier: GPL-2.0
/*
 * Exact, streaming line summing.
 *
 * Numbers are read digit by digit into an unsigned integer part and a
 * fraction of at most SUM_FRAC_MAX digits, then added to a 128-bit
 * accumulator in units of 10^-9.  A number is at most 2^63 * 10^9 ~ 9.2e27
 * units, so the accumulator cannot overflow before ~1.8e10 numbers on one
 * line; if it ever does, the line reports overflow rather than wrap.  Only
 * the final sum must fit in 64 bits, so "9223372036854775807 1 -1" is fine.
 */
#include <stdio.h>
#include <string.h>

#include "sum.h"

#define UNIT		1000000000ULL	/* 10^SUM_FRAC_MAX */
#define I64_LIMIT	0x8000000000000000ULL	/* |INT64_MIN| */

const char sum_grammar_help[] =
"Number grammar (one result line per input line):\n"
"  Numbers are separated by blanks (space, tab, CR, VT, FF).  A number is\n"
"  [+-]DIGITS[.DIGITS]: an optional sign, decimal digits, and an optional\n"
"  fraction of 1 to 9 digits: \"5\", \"-12\", \"+007\", \"3.25\".  Not numbers:\n"
"  \".5\", \"5.\", \"1e3\", \"0x10\", \"1,5\", \"--1\".  Every number and the sum\n"
"  must lie in the signed 64-bit range -9223372036854775808 ..\n"
"  9223372036854775807; the sum is exact, never rounded or wrapped.\n"
"  The result has as many fraction digits as the longest fraction on the\n"
"  line (\"1.5 2.25\" -> 3.75, \"0.5 0.5\" -> 1.0); integers give an\n"
"  integer, and a line of blanks gives 0.\n"
"  Errors are result lines too, and only the first one of a line counts:\n"
"    error: invalid number 'TOKEN' at column N\n"
"    error: more than 9 fraction digits in 'TOKEN' at column N\n"
"    error: number 'TOKEN' at column N is out of the 64-bit range\n"
"    error: overflow: the sum is out of the 64-bit range\n"
"  Columns count bytes from 1.  Long tokens are cut to 24 bytes and '...',\n"
"  and bytes other than printable ASCII are shown as \\xNN.\n";

enum sum_phase {
	PH_START,	/* nothing yet */
	PH_SIGN,	/* after + or - */
	PH_INT,		/* in the integer digits */
	PH_DOT,		/* after the dot */
	PH_FRAC,	/* in the fraction digits */
	PH_LONGFRAC,	/* too many fraction digits, still a number */
	PH_BAD,		/* not a number */
};

static const uint32_t pow10_u32[SUM_FRAC_MAX + 1] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000,
};

/**
 * sum_init() - start a line
 * @s: the state
 */
void sum_init(struct sum_state *s)
{
	memset(s, 0, sizeof(*s));
	s->col = 1;
}

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' ||
	       c == '\n';
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static void tok_error(struct sum_state *s, enum sum_err err)
{
	if (s->err)
		return;
	s->err = err;
	s->err_col = s->tok_col;
	s->err_tok_len = s->tok_len;
	memcpy(s->err_tok, s->tok, sizeof(s->tok));
}

static void tok_digit(struct sum_state *s, unsigned int d)
{
	if (s->phase == PH_INT) {
		if (s->ipart > (UINT64_MAX - d) / 10)
			s->big = true;
		else
			s->ipart = s->ipart * 10 + d;
	} else if (s->frac_digits == SUM_FRAC_MAX) {
		s->phase = PH_LONGFRAC;
	} else {
		s->frac = s->frac * 10 + d;
		s->frac_digits++;
	}
}

static void tok_first_digit(struct sum_state *s, unsigned char c)
{
	if (!is_digit(c)) {
		s->phase = PH_BAD;
		return;
	}
	s->phase = PH_INT;
	s->ipart = c - '0';
}

static void tok_byte(struct sum_state *s, unsigned char c)
{
	if (s->tok_len < SUM_TOKEN_SHOW)
		s->tok[s->tok_len] = c;
	s->tok_len++;

	switch (s->phase) {
	case PH_START:
		if (c == '+' || c == '-') {
			s->neg = c == '-';
			s->phase = PH_SIGN;
			return;
		}
		tok_first_digit(s, c);
		return;
	case PH_SIGN:
		tok_first_digit(s, c);
		return;
	case PH_INT:
		if (is_digit(c))
			tok_digit(s, c - '0');
		else
			s->phase = c == '.' ? PH_DOT : PH_BAD;
		return;
	case PH_DOT:
	case PH_FRAC:
		if (!is_digit(c)) {
			s->phase = PH_BAD;
			return;
		}
		s->phase = PH_FRAC;
		tok_digit(s, c - '0');
		return;
	case PH_LONGFRAC:
		if (!is_digit(c))
			s->phase = PH_BAD;
		return;
	}
}

/* The open token is a complete number: range-check it and add it. */
static void tok_add(struct sum_state *s)
{
	unsigned __int128 mag;
	__int128 v;

	mag = (unsigned __int128)s->ipart * UNIT +
	      (uint64_t)s->frac * pow10_u32[SUM_FRAC_MAX - s->frac_digits];
	if (s->big || mag > (unsigned __int128)(I64_LIMIT - !s->neg) * UNIT) {
		tok_error(s, SUM_ERANGE);
		return;
	}
	v = s->neg ? -(__int128)mag : (__int128)mag;
	if (__builtin_add_overflow(s->acc, v, &s->acc))
		s->acc_overflow = true;
	if (s->frac_digits > s->scale)
		s->scale = s->frac_digits;
}

static void tok_end(struct sum_state *s)
{
	switch (s->phase) {
	case PH_INT:
	case PH_FRAC:
		tok_add(s);
		break;
	case PH_LONGFRAC:
		tok_error(s, SUM_EFRAC);
		break;
	default:
		tok_error(s, SUM_EBADTOK);
		break;
	}
	s->in_tok = false;
	s->phase = PH_START;
	s->neg = false;
	s->big = false;
	s->ipart = 0;
	s->frac = 0;
	s->frac_digits = 0;
	s->tok_len = 0;
}

/**
 * sum_feed() - feed the next piece of a line
 * @s: the state
 * @buf: bytes of the line, without its newline
 * @len: how many
 *
 * Once the line has an error, the rest is only counted.
 */
void sum_feed(struct sum_state *s, const char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)buf;
	size_t i;

	if (s->err) {
		s->col += len;
		return;
	}
	for (i = 0; i < len; i++) {
		if (is_blank(p[i])) {
			if (!s->in_tok)
				continue;
			tok_end(s);
			if (s->err)
				break;
		} else {
			if (!s->in_tok) {
				s->in_tok = true;
				s->tok_col = s->col + i;
			}
			tok_byte(s, p[i]);
		}
	}
	s->col += len;
}

/* Quote @len bytes of @tok (of @full in all) into @out, escaped. */
static size_t quote_token(char *out, size_t size, const char *tok,
			  size_t len, size_t full)
{
	size_t n = 0, i;

	for (i = 0; i < len && i < SUM_TOKEN_SHOW; i++) {
		unsigned char c = tok[i];

		if (c == '\'' || c == '\\')
			n += snprintf(out + n, size - n, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			n += snprintf(out + n, size - n, "%c", c);
		else
			n += snprintf(out + n, size - n, "\\x%02x", c);
	}
	if (full > SUM_TOKEN_SHOW)
		n += snprintf(out + n, size - n, "...");
	return n;
}

static size_t format_error(const struct sum_state *s, char *out, size_t size)
{
	char tok[SUM_TOKEN_SHOW * 4 + 4];
	unsigned long long col = s->err_col;

	quote_token(tok, sizeof(tok), s->err_tok, s->err_tok_len,
		    s->err_tok_len);
	switch (s->err) {
	case SUM_EBADTOK:
		return snprintf(out, size,
				"error: invalid number '%s' at column %llu",
				tok, col);
	case SUM_EFRAC:
		return snprintf(out, size,
				"error: more than %d fraction digits in '%s' at column %llu",
				SUM_FRAC_MAX, tok, col);
	case SUM_ERANGE:
		return snprintf(out, size,
				"error: number '%s' at column %llu is out of the 64-bit range",
				tok, col);
	default:
		return snprintf(out, size,
				"error: overflow: the sum is out of the 64-bit range");
	}
}

static size_t format_sum(const struct sum_state *s, char *out, size_t size)
{
	unsigned __int128 mag = s->acc < 0 ? -(unsigned __int128)s->acc
					   : (unsigned __int128)s->acc;
	unsigned long long ip = mag / UNIT;
	uint32_t frac = mag % UNIT;
	const char *sign = s->acc < 0 ? "-" : "";

	if (!s->scale)
		return snprintf(out, size, "%s%llu", sign, ip);
	frac /= pow10_u32[SUM_FRAC_MAX - s->scale];
	return snprintf(out, size, "%s%llu.%0*u", sign, ip, (int)s->scale,
			frac);
}

/**
 * sum_result() - end the line and format its result
 * @s: the state; reset for the next line
 * @out: receives the result line, NUL-terminated, without a newline
 * @size: room at @out; SUM_RESULT_MAX is always enough
 *
 * Errors start with "error:"; sums start with '-' or a digit, so a caller
 * can tell them apart by the first byte.
 *
 * Return: the length of the result, as snprintf().
 */
size_t sum_result(struct sum_state *s, char *out, size_t size)
{
	const __int128 lim = (__int128)I64_LIMIT * UNIT;
	size_t n;

	if (s->in_tok)
		tok_end(s);
	if (!s->err && (s->acc_overflow || s->acc < -lim ||
			s->acc > lim - (__int128)UNIT))
		s->err = SUM_EOVERFLOW;
	n = s->err ? format_error(s, out, size) : format_sum(s, out, size);
	sum_init(s);
	return n;
}

/**
 * sum_line() - sum a whole line
 * @line: the line, without its newline
 * @len: its length
 * @out: as sum_result()
 * @size: as sum_result()
 *
 * Return: as sum_result().
 */
size_t sum_line(const char *line, size_t len, char *out, size_t size)
{
	struct sum_state s;

	sum_init(&s);
	sum_feed(&s, line, len);
	return sum_result(&s, out, size);
}
