// SPDX-License-Identifier: GPL-2.0
/*
 * The streaming input: lines of 1 to 12 random numbers, integers and
 * decimals with 1 to 9 fraction digits, some negative, separated by one
 * or two blanks, all from a seeded generator so that every run and every
 * transport sees the same bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "stream.h"

#define LINE_MAX_NUMBERS	12
#define LINE_MAX_BYTES		(LINE_MAX_NUMBERS * 24)
#define INT_RANGE		1000000000ULL

static size_t put_number(char *out, uint64_t *rng)
{
	const char *sign = rng_below(rng, 4) ? "" : "-";
	unsigned long long ip = rng_below(rng, INT_RANGE), scale = 1;
	unsigned int digits, i;

	if (rng_below(rng, 10) < 7)
		return sprintf(out, "%s%llu", sign, ip % 1000000);
	digits = 1 + rng_below(rng, SUM_FRAC_MAX);
	for (i = 0; i < digits; i++)
		scale *= 10;
	return sprintf(out, "%s%llu.%0*llu", sign, ip % 100000, (int)digits,
		       (unsigned long long)rng_below(rng, scale));
}

static size_t put_line(char *out, uint64_t *rng)
{
	unsigned int i, n = 1 + rng_below(rng, LINE_MAX_NUMBERS);
	size_t len = 0;

	for (i = 0; i < n; i++) {
		if (i)
			out[len++] = ' ';
		if (i && !rng_below(rng, 8))
			out[len++] = '\t';
		len += put_number(out + len, rng);
	}
	out[len++] = '\n';
	return len;
}

/**
 * lines_make() - generate the input
 * @seed: the generator's seed
 * @lines: how many lines
 * @text: receives a malloc()ed buffer of lines, each ending in '\n'
 * @len: receives its length
 *
 * Return: 0 or -ENOMEM.
 */
int lines_make(uint64_t seed, uint64_t lines, char **text, size_t *len)
{
	size_t cap = 64 * lines + LINE_MAX_BYTES, n = 0;
	uint64_t rng = seed, i;
	char *buf = malloc(cap), *grown;

	if (!buf)
		return -ENOMEM;
	for (i = 0; i < lines; i++) {
		if (cap - n < LINE_MAX_BYTES) {
			grown = realloc(buf, cap * 2);
			if (!grown) {
				free(buf);
				return -ENOMEM;
			}
			buf = grown;
			cap *= 2;
		}
		n += put_line(buf + n, &rng);
	}
	*text = buf;
	*len = n;
	return 0;
}

/**
 * lines_prefix() - the length of the first @lines lines of @text
 * @text: the lines
 * @len: their length
 * @lines: how many to keep
 *
 * Return: the byte count, @len if there are fewer lines.
 */
size_t lines_prefix(const char *text, size_t len, uint64_t lines)
{
	const char *p = text, *end = text + len;
	size_t n;

	while (lines-- && p < end)
		p = line_next(p, end, &n);
	return p - text;
}

/**
 * line_next() - the line at @p
 * @p: its start
 * @end: the end of the text
 * @len: receives its length without the newline
 *
 * Return: the start of the next line (or @end).
 */
const char *line_next(const char *p, const char *end, size_t *len)
{
	const char *nl = memchr(p, '\n', end - p);

	if (!nl) {
		*len = end - p;
		return end;
	}
	*len = nl - p;
	return nl + 1;
}
