// SPDX-License-Identifier: GPL-2.0
/*
 * Text-or-JSON output on stdout; see json_print.h.  In JSON mode the
 * formats are ignored; in text mode the keys are.
 */
#include <stdio.h>

#include "json_print.h"
#include "json_writer.h"

/* The writer, or NULL in text mode. */
static struct json_writer *jw;

/**
 * json_print_init() - choose the output mode
 * @json: write JSON instead of text
 * @pretty: indent the JSON
 *
 * Return: 0, or -1 when out of memory.
 */
int json_print_init(bool json, bool pretty)
{
	if (!json)
		return 0;
	jw = jsonw_new(stdout, pretty);
	return jw ? 0 : -1;
}

void json_print_fini(void)
{
	jsonw_destroy(&jw);
	fflush(stdout);
}

bool is_json_context(void)
{
	return jw;
}

static bool want(enum output_type t)
{
	return jw ? t & PRINT_JSON : t & PRINT_FP;
}

/* In JSON mode: the member name, if any. */
static void json_key(const char *key)
{
	if (key)
		jsonw_name(jw, key);
}

void open_json_object(const char *key)
{
	if (!jw)
		return;
	json_key(key);
	jsonw_start_object(jw);
}

void close_json_object(void)
{
	if (jw)
		jsonw_end_object(jw);
}

void open_json_array(const char *key)
{
	if (!jw)
		return;
	json_key(key);
	jsonw_start_array(jw);
}

void close_json_array(void)
{
	if (jw)
		jsonw_end_array(jw);
}

void print_string(enum output_type t, const char *key, const char *fmt,
		  const char *value)
{
	if (!want(t))
		return;
	if (!jw) {
		printf(fmt, value);
		return;
	}
	json_key(key);
	jsonw_string(jw, value);
}

void print_u64(enum output_type t, const char *key, const char *fmt,
	       unsigned long long value)
{
	if (!want(t))
		return;
	if (!jw) {
		printf(fmt, value);
		return;
	}
	json_key(key);
	jsonw_u64(jw, value);
}

/**
 * print_hex() - an address, in hex with "0x" in both modes
 * @t: output type
 * @key: JSON key; the value is the string "0x..." with no leading zeros,
 *	as the kernel's YNL cli.py prints a display-hint: hex attribute
 * @fmt: text format, with "0x" of its own
 * @value: the address
 */
void print_hex(enum output_type t, const char *key, const char *fmt,
	       unsigned long long value)
{
	char buf[24];

	if (!want(t))
		return;
	if (!jw) {
		printf(fmt, value);
		return;
	}
	snprintf(buf, sizeof(buf), "0x%llx", value);
	json_key(key);
	jsonw_string(jw, buf);
}

/**
 * print_mode() - permission bits, in octal with a leading 0 in both modes
 * @t: output type
 * @key: JSON key; the value is a string such as "0640"
 * @fmt: text format for a string
 * @value: the mode
 */
void print_mode(enum output_type t, const char *key, const char *fmt,
		unsigned int value)
{
	char buf[16];

	if (!want(t))
		return;
	snprintf(buf, sizeof(buf), "%#o", value);
	if (!jw) {
		printf(fmt, buf);
		return;
	}
	json_key(key);
	jsonw_string(jw, buf);
}

void print_bool(enum output_type t, const char *key, const char *fmt,
		bool value)
{
	if (!want(t))
		return;
	if (!jw) {
		printf(fmt, value ? "true" : "false");
		return;
	}
	json_key(key);
	jsonw_bool(jw, value);
}

/**
 * print_flags() - a bit mask as names
 * @t: output type
 * @key: JSON key of an array of the names of the set bits
 * @bits: the mask
 * @names: the name of each bit, from bit 0
 * @nr_names: entries in @names; unnamed bits are printed as "0x..."
 *
 * The text form is the names joined by commas, or "-" when none is set.
 */
void print_flags(enum output_type t, const char *key, unsigned int bits,
		 const char *const *names, unsigned int nr_names)
{
	unsigned int i;
	char hex[16];
	bool first = true;

	if (!want(t))
		return;
	open_json_array(key);
	for (i = 0; i < 32; i++) {
		if (!(bits & (1U << i)))
			continue;
		snprintf(hex, sizeof(hex), "0x%x", 1U << i);
		print_string(PRINT_ANY, NULL, first ? "%s" : ",%s",
			     i < nr_names ? names[i] : hex);
		first = false;
	}
	if (first)
		print_string(PRINT_FP, NULL, "%s", "-");
	close_json_array();
}

/* A newline, in text mode only: JSON values end lines by themselves. */
void print_nl(void)
{
	if (!jw)
		putchar('\n');
}
