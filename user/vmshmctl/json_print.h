/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output that is either text or JSON, in the manner of iproute2's
 * json_print: each print_*() call names a JSON key and a printf format,
 * and writes whichever the output mode wants.  PRINT_FP text only,
 * PRINT_JSON JSON only, PRINT_ANY both.
 */
#ifndef _VMSHM_JSON_PRINT_H
#define _VMSHM_JSON_PRINT_H

#include <stdbool.h>

enum output_type {
	PRINT_FP = 1,
	PRINT_JSON = 2,
	PRINT_ANY = PRINT_FP | PRINT_JSON,
};

int json_print_init(bool json, bool pretty);
void json_print_fini(void);
bool is_json_context(void);

void open_json_object(const char *key);
void close_json_object(void);
void open_json_array(const char *key);
void close_json_array(void);

void print_string(enum output_type t, const char *key, const char *fmt,
		  const char *value);
void print_u64(enum output_type t, const char *key, const char *fmt,
	       unsigned long long value);
void print_hex(enum output_type t, const char *key, const char *fmt,
	       unsigned long long value);
void print_mode(enum output_type t, const char *key, const char *fmt,
		unsigned int value);
void print_bool(enum output_type t, const char *key, const char *fmt,
		bool value);
void print_flags(enum output_type t, const char *key, unsigned int bits,
		 const char *const *names, unsigned int nr_names);
void print_nl(void);

#endif /* _VMSHM_JSON_PRINT_H */
