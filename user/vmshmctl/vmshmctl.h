/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmshmctl internals shared by the command code (vmshmctl.c) and the
 * output code (vmshmctl_print.c).
 */
#ifndef _VMSHMCTL_H
#define _VMSHMCTL_H

#include <stdbool.h>
#include <stddef.h>

#include "vmshm_nl.h"

#ifndef __always_unused
#define __always_unused	__attribute__((__unused__))
#endif

/* Exit codes, documented in --help and vmshmctl(8). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* a request failed */
	EXIT_USAGE = 2,
	EXIT_NO_MODULE = 3,	/* the "vmshm" family is not registered */
};

/**
 * struct ctl - one run of vmshmctl
 * @nl: the netlink handle, opened by the commands that need it
 * @json: -j
 * @pretty: -p
 */
struct ctl {
	struct vmshm_nl *nl;
	bool json;
	bool pretty;
};

/**
 * struct region_list - the regions of a dump, kept to retry it whole
 * @v: the regions, in id order
 * @n: entries in @v
 * @cap: room in @v
 * @interrupted: the last try was still flagged NLM_F_DUMP_INTR
 */
struct region_list {
	struct vmshm_nl_region *v;
	size_t n;
	size_t cap;
	bool interrupted;
};

__attribute__((format(printf, 1, 2)))
int ctl_usage_error(const char *fmt, ...);
int ctl_connect(struct ctl *ctl);
int ctl_fail(struct ctl *ctl, int err, const char *what);

int region_list_add(const struct vmshm_nl_region *r, void *arg);
int cmd_pages(struct ctl *ctl, int argc, char **argv);

void print_region_list(const struct region_list *list);
void print_show_begin(const struct vmshm_nl_region *r);
void print_mapping(const struct vmshm_nl_mapping *m);
void print_show_end(void);
void print_stats(const struct vmshm_nl_stats *st);
void print_event(const struct vmshm_nl_event *ev);

#endif /* _VMSHMCTL_H */
