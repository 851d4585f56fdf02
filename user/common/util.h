/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers of the programs: messages prefixed with prog_name, option
 * parsing, whole writes, a task's /proc stat fields, signal setup.  Used
 * by user/sum (parent, child), user/vmshmctl, user/bench and the
 * selftests; not by libvmshm, which never prints.
 */
#ifndef _VMSHM_UTIL_H
#define _VMSHM_UTIL_H

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "compiler.h"

extern const char *prog_name;
extern int verbosity;		/* -1 quiet, 0 normal, 1 verbose */

__printf(1, 2) void err_msg(const char *fmt, ...);
__printf(1, 2) void info_msg(const char *fmt, ...);
__printf(1, 2) void verbose_msg(const char *fmt, ...);

int parse_size(const char *s, uint64_t *out);
int parse_uint(const char *s, unsigned long max, unsigned long *out);
int parse_cmdline(int argc, char **argv, const char *optstr,
		  const struct option *opts, int (*parse)(void *arg, int opt),
		  const char *(*want)(int opt), void *arg,
		  void (*usage)(FILE *f));
const char *opt_name(const struct option *opts, int opt, char *buf,
		     size_t size);
const char *plural(unsigned long long n, const char *one, const char *many);
int write_all(int fd, const void *buf, size_t len);
char *proc_stat_fields(const char *path, char *buf, size_t size, char **comm);
int set_handler(int sig, void (*fn)(int));

#endif /* _VMSHM_UTIL_H */
