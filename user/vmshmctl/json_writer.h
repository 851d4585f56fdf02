/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer in the manner of iproute2's json_writer:
 * values go straight to a FILE, commas and indentation are inserted as
 * needed, and every string is escaped so that the output is valid JSON
 * (RFC 8259) whatever bytes it is given.
 *
 * Each top-level value ends with a newline, so a writer can emit a
 * stream of JSON documents, one per line unless pretty printing.
 */
#ifndef _VMSHM_JSON_WRITER_H
#define _VMSHM_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json_writer;

struct json_writer *jsonw_new(FILE *f, bool pretty);
void jsonw_destroy(struct json_writer **jw);

void jsonw_name(struct json_writer *jw, const char *name);
void jsonw_start_object(struct json_writer *jw);
void jsonw_end_object(struct json_writer *jw);
void jsonw_start_array(struct json_writer *jw);
void jsonw_end_array(struct json_writer *jw);
void jsonw_string(struct json_writer *jw, const char *s);
void jsonw_u64(struct json_writer *jw, uint64_t v);
void jsonw_bool(struct json_writer *jw, bool v);
void jsonw_null(struct json_writer *jw);

#endif /* _VMSHM_JSON_WRITER_H */
