// SPDX-License-Identifier: GPL-2.0
/*
 * Streaming JSON writer; see json_writer.h.
 *
 * Strings are escaped per RFC 8259: the quote, the backslash and control
 * characters are escaped, valid UTF-8 passes through, and a byte that does
 * not start a valid UTF-8 sequence becomes U+FFFD, so that a task name set
 * with prctl(PR_SET_NAME) to arbitrary bytes still yields valid JSON.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json_writer.h"
#include "utf8.h"

/* Deeper values are not supported: vmshmctl nests three levels. */
#define JSONW_MAX_DEPTH	16

/**
 * struct json_writer - writer state
 * @f: where the text goes
 * @pretty: indent, one member per line
 * @depth: open objects and arrays
 * @named: jsonw_name() was called, the value comes next
 * @first: per depth, nothing was written in this object or array yet
 */
struct json_writer {
	FILE *f;
	bool pretty;
	int depth;
	bool named;
	bool first[JSONW_MAX_DEPTH + 1];
};

struct json_writer *jsonw_new(FILE *f, bool pretty)
{
	struct json_writer *jw = calloc(1, sizeof(*jw));

	if (!jw)
		return NULL;
	jw->f = f;
	jw->pretty = pretty;
	jw->first[0] = true;
	return jw;
}

void jsonw_destroy(struct json_writer **jw)
{
	if (*jw)
		fflush((*jw)->f);
	free(*jw);
	*jw = NULL;
}

static void jsonw_indent(struct json_writer *jw)
{
	int i;

	if (!jw->pretty)
		return;
	fputc('\n', jw->f);
	for (i = 0; i < jw->depth; i++)
		fputs("    ", jw->f);
}

/* Separate this value (or member) from the one before it. */
static void jsonw_begin_value(struct json_writer *jw)
{
	if (jw->named) {
		jw->named = false;
		return;
	}
	if (!jw->first[jw->depth])
		fputc(',', jw->f);
	jw->first[jw->depth] = false;
	if (jw->depth)
		jsonw_indent(jw);
}

static void jsonw_end_value(struct json_writer *jw)
{
	if (!jw->depth) {
		fputc('\n', jw->f);
		jw->first[0] = true;
	}
}

/* One byte or UTF-8 sequence of @s; returns how many bytes it took. */
static size_t jsonw_char(struct json_writer *jw, const unsigned char *s,
			 size_t left)
{
	size_t n;

	switch (*s) {
	case '"':
	case '\\':
		fprintf(jw->f, "\\%c", *s);
		return 1;
	case '\n':
		fputs("\\n", jw->f);
		return 1;
	case '\r':
		fputs("\\r", jw->f);
		return 1;
	case '\t':
		fputs("\\t", jw->f);
		return 1;
	}
	if (*s < 0x20 || *s == 0x7f) {
		fprintf(jw->f, "\\u%04x", *s);
		return 1;
	}
	n = utf8_seq_len(s, left);
	if (!n) {
		fputs("\\ufffd", jw->f);
		return 1;
	}
	fwrite(s, 1, n, jw->f);
	return n;
}

static void jsonw_escaped(struct json_writer *jw, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t left = strlen(str), n;

	fputc('"', jw->f);
	for (; left; s += n, left -= n)
		n = jsonw_char(jw, s, left);
	fputc('"', jw->f);
}

void jsonw_name(struct json_writer *jw, const char *name)
{
	jsonw_begin_value(jw);
	jsonw_escaped(jw, name);
	fputs(jw->pretty ? ": " : ":", jw->f);
	jw->named = true;
}

static void jsonw_open(struct json_writer *jw, char c)
{
	jsonw_begin_value(jw);
	fputc(c, jw->f);
	if (jw->depth < JSONW_MAX_DEPTH)
		jw->depth++;
	jw->first[jw->depth] = true;
}

static void jsonw_close(struct json_writer *jw, char c)
{
	bool empty = jw->first[jw->depth];

	if (jw->depth)
		jw->depth--;
	if (!empty)
		jsonw_indent(jw);
	fputc(c, jw->f);
	jsonw_end_value(jw);
}

void jsonw_start_object(struct json_writer *jw)
{
	jsonw_open(jw, '{');
}

void jsonw_end_object(struct json_writer *jw)
{
	jsonw_close(jw, '}');
}

void jsonw_start_array(struct json_writer *jw)
{
	jsonw_open(jw, '[');
}

void jsonw_end_array(struct json_writer *jw)
{
	jsonw_close(jw, ']');
}

void jsonw_string(struct json_writer *jw, const char *s)
{
	jsonw_begin_value(jw);
	jsonw_escaped(jw, s);
	jsonw_end_value(jw);
}

void jsonw_u64(struct json_writer *jw, uint64_t v)
{
	jsonw_begin_value(jw);
	fprintf(jw->f, "%" PRIu64, v);
	jsonw_end_value(jw);
}

void jsonw_bool(struct json_writer *jw, bool v)
{
	jsonw_begin_value(jw);
	fputs(v ? "true" : "false", jw->f);
	jsonw_end_value(jw);
}

void jsonw_null(struct json_writer *jw)
{
	jsonw_begin_value(jw);
	fputs("null", jw->f);
	jsonw_end_value(jw);
}
