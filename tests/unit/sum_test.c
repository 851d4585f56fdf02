// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the line parser (user/sum/sum.c): every grammar rule
 * and error, overflow both ways, columns, and streaming in arbitrary pieces.
 */
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"

#include "sum.h"
#include "xorshift.h"

static const char *sum_str(const char *line)
{
	static char out[SUM_RESULT_MAX];

	sum_line(line, strlen(line), out, sizeof(out));
	return out;
}

struct sum_case {
	const char *in;
	const char *out;
};

static void check_cases(struct __test_metadata *_metadata,
			const struct sum_case *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		EXPECT_STREQ(c[i].out, sum_str(c[i].in)) {
			TH_LOG("sum(\"%s\")", c[i].in);
		}
	}
}

#define CHECK_CASES(c) check_cases(_metadata, c, ARRAY_SIZE(c))

#define RANGE_ERR(tok, col) \
	"error: number '" tok "' at column " #col " is out of the 64-bit range"

TEST(sum_integers)
{
	static const struct sum_case c[] = {
		{ "1 2 3", "6" },
		{ "42", "42" },
		{ "-5 3", "-2" },
		{ "+7 -3", "4" },
		{ "007 0010", "17" },
		{ "-0", "0" },
		{ "+0 -0 0", "0" },
		{ "1000000 -1000000", "0" },
		{ "-1 -2 -3", "-6" },
	};

	CHECK_CASES(c);
}

TEST(sum_blanks)
{
	static const struct sum_case c[] = {
		{ "", "0" },
		{ "   ", "0" },
		{ "\t\t", "0" },
		{ "1\t2", "3" },
		{ "  1   2  ", "3" },
		{ "1\r", "1" },
		{ "1\v2\f3", "6" },
		{ "\t 4 \t", "4" },
	};

	CHECK_CASES(c);
}

TEST(sum_decimals)
{
	static const struct sum_case c[] = {
		{ "1.5 2.25", "3.75" },
		{ "0.5 0.5", "1.0" },
		{ "-0.5 0.5", "0.0" },
		{ "-1.5", "-1.5" },
		{ "1.5 -3", "-1.5" },
		{ "-0.25 0.125", "-0.125" },
		{ "0.000000001", "0.000000001" },
		{ "1.000000001 -1", "0.000000001" },
		{ "0.1 0.2", "0.3" },
		{ "1.10 1", "2.10" },
		{ "3 0.0", "3.0" },
		{ "+2.5 -0.5", "2.0" },
		{ "-0.000000001", "-0.000000001" },
		{ "123456789.123456789 1", "123456790.123456789" },
	};

	CHECK_CASES(c);
}

TEST(sum_invalid_tokens)
{
	static const struct sum_case c[] = {
		{ "abc", "error: invalid number 'abc' at column 1" },
		{ ".5", "error: invalid number '.5' at column 1" },
		{ "5.", "error: invalid number '5.' at column 1" },
		{ "1e3", "error: invalid number '1e3' at column 1" },
		{ "0x10", "error: invalid number '0x10' at column 1" },
		{ "1,5", "error: invalid number '1,5' at column 1" },
		{ "--1", "error: invalid number '--1' at column 1" },
		{ "+-1", "error: invalid number '+-1' at column 1" },
		{ "-", "error: invalid number '-' at column 1" },
		{ "+", "error: invalid number '+' at column 1" },
		{ "1.2.3", "error: invalid number '1.2.3' at column 1" },
		{ "1..2", "error: invalid number '1..2' at column 1" },
		{ "1-", "error: invalid number '1-' at column 1" },
		{ "- 1", "error: invalid number '-' at column 1" },
		{ "1 2 x3", "error: invalid number 'x3' at column 5" },
	};

	CHECK_CASES(c);
}

TEST(sum_columns)
{
	static const struct sum_case c[] = {
		{ "  x", "error: invalid number 'x' at column 3" },
		{ "1  2 x", "error: invalid number 'x' at column 6" },
		{ "1\tx", "error: invalid number 'x' at column 3" },
		{ "10 200 3000 y", "error: invalid number 'y' at column 13" },
		/* Only the first error of a line counts. */
		{ "x y", "error: invalid number 'x' at column 1" },
		{ "1 z 99999999999999999999",
		  "error: invalid number 'z' at column 3" },
		{ "99999999999999999999 z",
		  RANGE_ERR("99999999999999999999", 1) },
		/* A bad token wins over an overflowing sum. */
		{ "9223372036854775807 1 q",
		  "error: invalid number 'q' at column 23" },
	};

	CHECK_CASES(c);
}

TEST(sum_quoting)
{
	static const struct sum_case c[] = {
		{ "a'b", "error: invalid number 'a\\'b' at column 1" },
		{ "a\\b", "error: invalid number 'a\\\\b' at column 1" },
		{ "\x01z", "error: invalid number '\\x01z' at column 1" },
		{ "\xc3\xa9", "error: invalid number '\\xc3\\xa9' at column 1" },
		{ "123456789012345678901234x",
		  "error: invalid number '123456789012345678901234...' at column 1" },
		{ "12345678901234567890123x",
		  "error: invalid number '12345678901234567890123x' at column 1" },
	};
	char out[SUM_RESULT_MAX];

	CHECK_CASES(c);
	/* A NUL byte is not a blank. */
	sum_line("1 2\0003", 5, out, sizeof(out));
	EXPECT_STREQ("error: invalid number '2\\x003' at column 3", out);
}

TEST(sum_fraction_digits)
{
	static const struct sum_case c[] = {
		{ "1.123456789", "1.123456789" },
		{ "1.1234567890",
		  "error: more than 9 fraction digits in '1.1234567890' at column 1" },
		{ "2 -0.0000000001",
		  "error: more than 9 fraction digits in '-0.0000000001' at column 3" },
		/* Not a number at all beats too many digits. */
		{ "1.0000000000x",
		  "error: invalid number '1.0000000000x' at column 1" },
	};

	CHECK_CASES(c);
}

TEST(sum_number_range)
{
	static const struct sum_case c[] = {
		{ "9223372036854775807", "9223372036854775807" },
		{ "-9223372036854775808", "-9223372036854775808" },
		{ "9223372036854775808",
		  RANGE_ERR("9223372036854775808", 1) },
		{ "-9223372036854775809",
		  RANGE_ERR("-9223372036854775809", 1) },
		{ "18446744073709551616",
		  RANGE_ERR("18446744073709551616", 1) },
		{ "1 123456789012345678901234567890",
		  RANGE_ERR("123456789012345678901234...", 3) },
		{ "9223372036854775807.000000001",
		  RANGE_ERR("9223372036854775807.0000...", 1) },
		{ "-9223372036854775808.0", "-9223372036854775808.0" },
		{ "-9223372036854775808.5",
		  RANGE_ERR("-9223372036854775808.5", 1) },
		{ "00000000000000000000000001", "1" },
	};

	CHECK_CASES(c);
}

TEST(sum_overflow)
{
	static const char *ovf =
		"error: overflow: the sum is out of the 64-bit range";
	static const struct sum_case c[] = {
		{ "9223372036854775807 1", "" },
		{ "-9223372036854775808 -1", "" },
		{ "9223372036854775807 9223372036854775807", "" },
		{ "-9223372036854775808 -9223372036854775808", "" },
		{ "9223372036854775807 0.5", "" },
		{ "-9223372036854775808 -0.5", "" },
		{ "4611686018427387904 4611686018427387904", "" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		EXPECT_STREQ(ovf, sum_str(c[i].in)) {
			TH_LOG("sum(\"%s\")", c[i].in);
		}
	}
	/* The sum is exact: only the final value must fit. */
	EXPECT_STREQ("9223372036854775807",
		     sum_str("9223372036854775807 1 -1"));
	EXPECT_STREQ("-9223372036854775808",
		     sum_str("-9223372036854775808 -1 1"));
	EXPECT_STREQ("9223372036854775807",
		     sum_str("9223372036854775807 9223372036854775807 -9223372036854775807"));
	EXPECT_STREQ("9223372036854775807",
		     sum_str("4611686018427387904 4611686018427387903"));
	EXPECT_STREQ("-9223372036854775808",
		     sum_str("-4611686018427387904 -4611686018427387904"));
	EXPECT_STREQ("9223372036854775807.0",
		     sum_str("9223372036854775806.5 0.5"));
}

TEST(sum_state_resets)
{
	struct sum_state s;
	char out[SUM_RESULT_MAX];

	sum_init(&s);
	sum_feed(&s, "1.5 x", 5);
	sum_result(&s, out, sizeof(out));
	EXPECT_STREQ("error: invalid number 'x' at column 5", out);
	sum_feed(&s, "2 3", 3);
	sum_result(&s, out, sizeof(out));
	EXPECT_STREQ("5", out);
	sum_feed(&s, "7 ", 2);
	EXPECT_EQ(1UL, sum_result(&s, out, sizeof(out)));
	EXPECT_STREQ("7", out);
	EXPECT_EQ(1UL, sum_result(&s, out, sizeof(out)));
	EXPECT_STREQ("0", out);
}

/* Feeding a line in pieces cut anywhere gives the same result. */
static void check_splits(struct __test_metadata *_metadata, const char *line)
{
	char whole[SUM_RESULT_MAX], part[SUM_RESULT_MAX];
	size_t len = strlen(line), i, j;
	struct sum_state s;

	sum_line(line, len, whole, sizeof(whole));
	for (i = 0; i <= len; i++) {
		sum_init(&s);
		sum_feed(&s, line, i);
		sum_feed(&s, line + i, len - i);
		sum_result(&s, part, sizeof(part));
		EXPECT_STREQ(whole, part) {
			TH_LOG("\"%s\" split at %zu", line, i);
		}
	}
	sum_init(&s);
	for (j = 0; j < len; j++)
		sum_feed(&s, line + j, 1);
	sum_result(&s, part, sizeof(part));
	EXPECT_STREQ(whole, part);
}

TEST(sum_streaming_pieces)
{
	check_splits(_metadata, "12 -34 +56 7.25 -0.125");
	check_splits(_metadata, "9223372036854775807 1 -1");
	check_splits(_metadata, "  1  2  x3  ");
	check_splits(_metadata, "1.1234567890 2");
	check_splits(_metadata, "99999999999999999999999 1");
	check_splits(_metadata, "a\tb\tc");
}

/* Random lines against an independent computation of the expected text. */
static void format_model(__int128 acc, unsigned int scale, char *want,
			 size_t wsize)
{
	unsigned __int128 m = acc < 0 ? -acc : acc;
	unsigned long long q = m / 1000000000, r = m % 1000000000;
	const char *sign = acc < 0 ? "-" : "";
	unsigned int d;

	if (!scale) {
		snprintf(want, wsize, "%s%llu", sign, q);
		return;
	}
	for (d = scale; d < 9; d++)
		r /= 10;
	snprintf(want, wsize, "%s%llu.%0*llu", sign, q, scale, r);
}

static void random_line(unsigned long long *rng, char *line, size_t size,
			char *want, size_t wsize)
{
	static const char * const signs[] = { "", "-", "+" };
	unsigned int scale = 0, k, n = xorshift64(rng) % 12;
	__int128 acc = 0;
	size_t len = 0;

	line[0] = '\0';
	for (k = 0; k < n; k++) {
		unsigned int sign = xorshift64(rng) % 3;
		unsigned long long ip = xorshift64(rng) % 1000001;
		unsigned int fd = xorshift64(rng) % 4 ? 0 :
				  1 + xorshift64(rng) % 9;
		unsigned long long frac = 0, p = 1;
		unsigned int d;

		for (d = fd; d < 9; d++)
			p *= 10;
		if (fd)
			frac = xorshift64(rng) % 1000000000ULL / p;
		acc += (sign == 1 ? -1 : 1) *
		       ((__int128)ip * 1000000000 + frac * p);
		if (fd > scale)
			scale = fd;
		len += snprintf(line + len, size - len, "%s%s%llu",
				k ? " " : "", signs[sign], ip);
		if (fd)
			len += snprintf(line + len, size - len, ".%0*llu", fd,
					frac);
	}
	format_model(acc, scale, want, wsize);
}

TEST(sum_random_against_model)
{
	unsigned long long rng = 0x5ef8;
	char line[512], want[SUM_RESULT_MAX];
	int i;

	for (i = 0; i < 20000; i++) {
		random_line(&rng, line, sizeof(line), want, sizeof(want));
		ASSERT_STREQ(want, sum_str(line)) {
			TH_LOG("sum(\"%s\")", line);
		}
		if (i < 200)
			check_splits(_metadata, line);
	}
}

TEST(sum_result_fits)
{
	char line[4096], out[SUM_RESULT_MAX];
	size_t n;

	/* The longest error: a 24-byte token of escapes, a huge column. */
	memset(line, ' ', sizeof(line));
	memset(line + sizeof(line) - 30, 1, 30);
	n = sum_line(line, sizeof(line), out, sizeof(out));
	EXPECT_TRUE(n < sizeof(out));
	EXPECT_NE(NULL, strstr(out, "...' at column 4067"));
}

TEST_HARNESS_MAIN
