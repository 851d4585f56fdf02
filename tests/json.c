// SPDX-License-Identifier: GPL-2.0
/*
 * Strict JSON parser of the selftests; see json.h.  Recursive descent
 * over the grammar of RFC 8259, section 2 onwards.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "utf8.h"

#define JSON_MAX_DEPTH	64

struct json_parser {
	const unsigned char *p;
	const unsigned char *end;
	const unsigned char *start;
	int depth;
	char *err;
	size_t err_size;
	bool failed;
};

static struct json *json_fail(struct json_parser *js, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (js->failed)
		return NULL;
	js->failed = true;
	n = snprintf(js->err, js->err_size, "offset %td: ",
		     js->p - js->start);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < js->err_size)
		vsnprintf(js->err + n, js->err_size - n, fmt, ap);
	va_end(ap);
	return NULL;
}

static void json_skip_ws(struct json_parser *js)
{
	while (js->p < js->end && (*js->p == ' ' || *js->p == '\t' ||
				   *js->p == '\n' || *js->p == '\r'))
		js->p++;
}

static bool json_literal(struct json_parser *js, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(js->end - js->p) < n || memcmp(js->p, word, n))
		return false;
	js->p += n;
	return true;
}

static struct json *json_new(struct json_parser *js, enum json_type type)
{
	struct json *v = calloc(1, sizeof(*v));

	if (!v)
		return json_fail(js, "out of memory");
	v->type = type;
	return v;
}

/* Digits of a number; returns how many. */
static size_t json_digits(struct json_parser *js)
{
	const unsigned char *s = js->p;

	while (js->p < js->end && *js->p >= '0' && *js->p <= '9')
		js->p++;
	return js->p - s;
}

static struct json *json_number(struct json_parser *js)
{
	const unsigned char *s = js->p;
	bool integer = true, neg = false;
	struct json *v;

	if (js->p < js->end && *js->p == '-') {
		neg = true;
		js->p++;
	}
	if (js->p < js->end && *js->p == '0' && js->p + 1 < js->end &&
	    js->p[1] >= '0' && js->p[1] <= '9')
		return json_fail(js, "number with a leading zero");
	if (!json_digits(js))
		return json_fail(js, "bad number");
	if (js->p < js->end && *js->p == '.') {
		js->p++;
		integer = false;
		if (!json_digits(js))
			return json_fail(js, "no digit after the decimal point");
	}
	if (js->p < js->end && (*js->p == 'e' || *js->p == 'E')) {
		js->p++;
		integer = false;
		if (js->p < js->end && (*js->p == '+' || *js->p == '-'))
			js->p++;
		if (!json_digits(js))
			return json_fail(js, "no digit in the exponent");
	}
	v = json_new(js, JSON_NUMBER);
	if (v && integer && !neg) {
		char buf[32];
		size_t n = js->p - s;

		errno = 0;
		if (n < sizeof(buf)) {
			memcpy(buf, s, n);
			buf[n] = '\0';
			v->u64 = strtoull(buf, NULL, 10);
			v->is_u64 = !errno;
		}
	}
	return v;
}

static int json_hex4(struct json_parser *js, unsigned int *out)
{
	unsigned int i, c, v = 0;

	if (js->end - js->p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		c = js->p[i];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			c = (c | 0x20) - 'a' + 10;
		else
			return -1;
		v = v << 4 | c;
	}
	js->p += 4;
	*out = v;
	return 0;
}

static size_t json_put_utf8(char *dst, unsigned int cp)
{
	if (cp < 0x80) {
		dst[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		dst[0] = 0xc0 | cp >> 6;
		dst[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		dst[0] = 0xe0 | cp >> 12;
		dst[1] = 0x80 | (cp >> 6 & 0x3f);
		dst[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	dst[0] = 0xf0 | cp >> 18;
	dst[1] = 0x80 | (cp >> 12 & 0x3f);
	dst[2] = 0x80 | (cp >> 6 & 0x3f);
	dst[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/* \uXXXX, possibly a surrogate pair; js->p is after the "u". */
static int json_unicode(struct json_parser *js, unsigned int *cp)
{
	unsigned int lo;

	if (json_hex4(js, cp))
		return -1;
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return -1;
	if (*cp < 0xd800 || *cp > 0xdbff)
		return 0;
	if (!json_literal(js, "\\u") || json_hex4(js, &lo) ||
	    lo < 0xdc00 || lo > 0xdfff)
		return -1;
	*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
	return 0;
}

/* One escape sequence, js->p after the backslash; returns bytes put. */
static size_t json_escape(struct json_parser *js, char *dst)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e;
	unsigned int cp;

	if (js->p >= js->end)
		return 0;
	if (*js->p == 'u') {
		js->p++;
		return json_unicode(js, &cp) ? 0 : json_put_utf8(dst, cp);
	}
	e = memchr(from, *js->p, sizeof(from) - 1);
	if (!e)
		return 0;
	js->p++;
	*dst = to[e - from];
	return 1;
}

/* A string, js->p at the opening quote; decoded into a new buffer. */
static char *json_string_raw(struct json_parser *js, size_t *len)
{
	char *buf = malloc(js->end - js->p + 1), *d = buf;
	size_t n;

	if (!buf) {
		json_fail(js, "out of memory");
		return NULL;
	}
	for (js->p++; js->p < js->end && *js->p != '"'; d += n) {
		if (*js->p < 0x20) {
			json_fail(js, "control character in a string");
			break;
		}
		if (*js->p == '\\') {
			js->p++;
			n = json_escape(js, d);
			if (!n) {
				json_fail(js, "bad escape sequence");
				break;
			}
			continue;
		}
		n = utf8_seq_len(js->p, js->end - js->p);
		if (!n) {
			json_fail(js, "invalid UTF-8");
			break;
		}
		memcpy(d, js->p, n);
		js->p += n;
	}
	if (!js->failed && js->p >= js->end)
		json_fail(js, "unterminated string");
	if (js->failed) {
		free(buf);
		return NULL;
	}
	js->p++;
	*d = '\0';
	*len = d - buf;
	return buf;
}

static struct json *json_string(struct json_parser *js)
{
	struct json *v = json_new(js, JSON_STRING);

	if (v) {
		v->str = json_string_raw(js, &v->len);
		if (!v->str) {
			free(v);
			v = NULL;
		}
	}
	return v;
}

static struct json *json_value(struct json_parser *js);

static bool json_has_key(const struct json *obj, const char *key)
{
	const struct json *m;

	for (m = obj->child; m; m = m->next)
		if (!strcmp(m->key, key))
			return true;
	return false;
}

/* One member of an object: "key": value. */
static struct json *json_member(struct json_parser *js, struct json *obj)
{
	struct json *v;
	size_t len;
	char *key;

	json_skip_ws(js);
	if (js->p >= js->end || *js->p != '"')
		return json_fail(js, "member name expected");
	key = json_string_raw(js, &len);
	if (!key)
		return NULL;
	if (strlen(key) != len || json_has_key(obj, key)) {
		json_fail(js, "duplicate or NUL-containing key \"%s\"", key);
		free(key);
		return NULL;
	}
	json_skip_ws(js);
	if (!json_literal(js, ":")) {
		free(key);
		return json_fail(js, "':' expected");
	}
	v = json_value(js);
	if (!v) {
		free(key);
		return NULL;
	}
	v->key = key;
	return v;
}

/* An array or object, js->p at the opening bracket. */
static struct json *json_container(struct json_parser *js,
				   enum json_type type)
{
	const char *close = type == JSON_ARRAY ? "]" : "}";
	struct json *v = json_new(js, type), **tail, *e;

	if (!v)
		return NULL;
	tail = &v->child;
	js->p++;
	json_skip_ws(js);
	if (json_literal(js, close))
		return v;
	do {
		e = type == JSON_ARRAY ? json_value(js) : json_member(js, v);
		if (!e) {
			json_free(v);
			return NULL;
		}
		*tail = e;
		tail = &e->next;
		v->count++;
		json_skip_ws(js);
	} while (json_literal(js, ","));
	if (!json_literal(js, close)) {
		json_free(v);
		return json_fail(js, "',' or '%s' expected", close);
	}
	return v;
}

static struct json *json_bool(struct json_parser *js, bool value)
{
	struct json *v = json_new(js, JSON_BOOL);

	if (v)
		v->boolean = value;
	return v;
}

static struct json *json_value(struct json_parser *js)
{
	struct json *v = NULL;

	json_skip_ws(js);
	if (js->p >= js->end)
		return json_fail(js, "value expected");
	if (++js->depth > JSON_MAX_DEPTH)
		return json_fail(js, "nested too deeply");
	if (*js->p == '{' || *js->p == '[')
		v = json_container(js, *js->p == '{' ? JSON_OBJECT : JSON_ARRAY);
	else if (*js->p == '"')
		v = json_string(js);
	else if (*js->p == '-' || (*js->p >= '0' && *js->p <= '9'))
		v = json_number(js);
	else if (json_literal(js, "null"))
		v = json_new(js, JSON_NULL);
	else if (json_literal(js, "true"))
		v = json_bool(js, true);
	else if (json_literal(js, "false"))
		v = json_bool(js, false);
	else
		json_fail(js, "unexpected character 0x%02x", *js->p);
	js->depth--;
	return v;
}

/**
 * json_parse() - parse one JSON text
 * @text: the bytes
 * @len: their count
 * @err: receives a message with the offset of the first error
 * @err_size: room at @err
 *
 * Return: the tree, to free with json_free(), or NULL.
 */
struct json *json_parse(const char *text, size_t len, char *err,
			size_t err_size)
{
	struct json_parser js = {
		.p = (const unsigned char *)text,
		.start = (const unsigned char *)text,
		.end = (const unsigned char *)text + len,
		.err = err,
		.err_size = err_size,
	};
	struct json *v;

	if (err_size)
		err[0] = '\0';
	v = json_value(&js);
	if (!v)
		return NULL;
	json_skip_ws(&js);
	if (js.p != js.end) {
		json_free(v);
		return json_fail(&js, "text after the value");
	}
	return v;
}

void json_free(struct json *v)
{
	struct json *next;

	for (; v; v = next) {
		next = v->next;
		json_free(v->child);
		free(v->key);
		free(v->str);
		free(v);
	}
}

/* The member @key of object @obj, or NULL. */
const struct json *json_get(const struct json *obj, const char *key)
{
	const struct json *m;

	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (m = obj->child; m; m = m->next)
		if (!strcmp(m->key, key))
			return m;
	return NULL;
}

/* Element @i of array @arr, or NULL. */
const struct json *json_at(const struct json *arr, size_t i)
{
	const struct json *e;

	if (!arr || arr->type != JSON_ARRAY)
		return NULL;
	for (e = arr->child; e && i; e = e->next)
		i--;
	return e;
}

/* Member @key as an unsigned integer: 0, -ENOENT or -EINVAL. */
int json_get_u64(const struct json *obj, const char *key, uint64_t *out)
{
	const struct json *v = json_get(obj, key);

	if (!v)
		return -ENOENT;
	if (v->type != JSON_NUMBER || !v->is_u64)
		return -EINVAL;
	*out = v->u64;
	return 0;
}

/* Member @key as a string, or NULL when absent or not a string. */
const char *json_get_str(const struct json *obj, const char *key)
{
	const struct json *v = json_get(obj, key);

	return v && v->type == JSON_STRING ? v->str : NULL;
}
