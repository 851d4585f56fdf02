/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Streaming: generated lines of numbers, and the consumer's side that
 * every transport shares: user/sum/sum.h's parser and a checksum of the
 * result lines.
 */
#ifndef _VMSHM_BENCH_STREAM_H
#define _VMSHM_BENCH_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench.h"
#include "sum.h"

/**
 * struct sink - sums lines fed in pieces, and hashes the results
 * @sum: the line being summed
 * @lines: lines ended so far
 * @hash: FNV-1a of every result line and its newline
 */
struct sink {
	struct sum_state sum;
	uint64_t lines;
	uint64_t hash;
};

void sink_init(struct sink *k);
void sink_piece(struct sink *k, const char *p, size_t len, bool eol);
void sink_text(struct sink *k, const char *p, size_t len);
void sink_lines(struct sink *k, const char *p, const uint16_t *lens,
		size_t n);
const char *line_next(const char *p, const char *end, size_t *len);
int st_xport_consume(struct end *e, struct sink *k);
int lines_make(uint64_t seed, uint64_t lines, char **text, size_t *len);
size_t lines_prefix(const char *text, size_t len, uint64_t lines);

#endif /* _VMSHM_BENCH_STREAM_H */
