/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A strict JSON (RFC 8259) parser for the selftests, which run where
 * there is no python or jq.  It rejects anything a lenient parser would
 * let through: trailing commas, leading zeros, bare control characters,
 * invalid UTF-8 or \u escapes, lone surrogates, duplicate keys and text
 * after the value.  The document becomes a tree the tests can query.
 */
#ifndef _VMSHM_TEST_JSON_H
#define _VMSHM_TEST_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

/**
 * struct json - one value
 * @type: which kind
 * @key: the member name when the value is in an object, else NULL
 * @str: JSON_STRING: the decoded text, NUL-terminated
 * @len: JSON_STRING: its length (it may hold NUL bytes)
 * @boolean: JSON_BOOL: the value
 * @is_u64: JSON_NUMBER: an integer in 0..UINT64_MAX, in @u64
 * @u64: JSON_NUMBER: the value, when @is_u64
 * @child: JSON_ARRAY, JSON_OBJECT: the first element or member
 * @next: the next element or member of the parent
 * @count: JSON_ARRAY, JSON_OBJECT: elements or members
 */
struct json {
	enum json_type type;
	char *key;
	char *str;
	size_t len;
	bool boolean;
	bool is_u64;
	uint64_t u64;
	struct json *child;
	struct json *next;
	size_t count;
};

struct json *json_parse(const char *text, size_t len, char *err,
			size_t err_size);
void json_free(struct json *v);

const struct json *json_get(const struct json *obj, const char *key);
const struct json *json_at(const struct json *arr, size_t i);
int json_get_u64(const struct json *obj, const char *key, uint64_t *out);
const char *json_get_str(const struct json *obj, const char *key);

#endif /* _VMSHM_TEST_JSON_H */
