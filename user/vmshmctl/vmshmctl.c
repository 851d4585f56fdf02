// SPDX-License-Identifier: GPL-2.0
/*
 * vmshmctl: inspect and manage vmshm regions over generic netlink.
 *
 * Everything goes through libvmshm-nl; this file parses the command line,
 * runs a command and maps failures to messages and exit codes.  The output
 * of each command is in vmshmctl_print.c.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_print.h"
#include "util.h"
#include "vmshm_nl.h"
#include "vmshmctl.h"

/* A dump flagged inconsistent is tried again up to this many times. */
#define LIST_TRIES	5

/* How often monitor looks at its stop flag while no event comes. */
#define MONITOR_TICK_MS	500

struct ctl_cmd {
	const char *name;
	int (*run)(struct ctl *ctl, int argc, char **argv);
};

static const char usage_text[] =
"Usage: vmshmctl [OPTIONS] COMMAND [ARGS]\n"
"\n"
"Inspect and manage vmshm shared memory regions over netlink.\n"
"\n"
"Commands:\n"
"  list               every region, named or anonymous\n"
"  show NAME          one region and its mappings\n"
"  show -i ID         the same, by region id (anonymous regions)\n"
"  stats              module-wide counters and limits\n"
"  monitor [-c COUNT] print events as they happen, until SIGINT or\n"
"                     COUNT events\n"
"  unlink NAME        remove a region's name (needs CAP_NET_ADMIN)\n"
"  pages [-w N] [-P] NAME\n"
"                     a map of the region's pages, who maps them where,\n"
"                     and (as root) their frames; -w, --width N: lines of\n"
"                     N columns (default: the terminal's); -P, --pfn:\n"
"                     frames or fail (needs CAP_SYS_ADMIN)\n"
"  help               this text\n"
"\n"
"Options:\n"
"  -j, --json         JSON output (monitor: one object per line)\n"
"  -p, --pretty       indent the JSON output (with -j)\n"
"  -h, --help         this text\n"
"\n"
"Exit status:\n"
"  0  success\n"
"  1  the request failed (the message names the object and the reason)\n"
"  2  usage error\n"
"  3  the vmshm module is not loaded\n";

int ctl_usage_error(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err_msg("%s (see vmshmctl --help)", msg);
	return EXIT_USAGE;
}

/* Open the netlink handle; returns 0 or an exit code. */
int ctl_connect(struct ctl *ctl)
{
	int ret = vmshm_nl_open(&ctl->nl);

	if (ret == -ENOENT) {
		err_msg("vmshm module not loaded");
		return EXIT_NO_MODULE;
	}
	if (ret) {
		err_msg("netlink socket: %s", strerror(-ret));
		return EXIT_FAIL;
	}
	return 0;
}

/**
 * ctl_fail() - report a failed request on one line
 * @ctl: the context; the kernel's extack message is added when present
 * @err: the negative errno
 * @what: the action and object, e.g. "unlink region foo"
 *
 * Return: EXIT_FAIL.
 */
int ctl_fail(struct ctl *ctl, int err, const char *what)
{
	const char *ext = ctl->nl ? vmshm_nl_extack(ctl->nl) : NULL;

	if (ext)
		err_msg("%s: %s (%s)", what, strerror(-err), ext);
	else
		err_msg("%s: %s", what, strerror(-err));
	return EXIT_FAIL;
}

int region_list_add(const struct vmshm_nl_region *r, void *arg)
{
	struct region_list *list = arg;
	struct vmshm_nl_region *v;

	if (list->n == list->cap) {
		list->cap = list->cap ? 2 * list->cap : 64;
		v = realloc(list->v, list->cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		list->v = v;
	}
	list->v[list->n++] = *r;
	return 0;
}

static int cmd_list(struct ctl *ctl, int argc, char **argv)
{
	struct region_list list = { 0 };
	int ret, tries = 0;

	if (argc > 1)
		return ctl_usage_error("list: unexpected argument \"%s\"", argv[1]);
	ret = ctl_connect(ctl);
	if (ret)
		return ret;
	do {
		list.n = 0;
		ret = vmshm_nl_dump_regions(ctl->nl, region_list_add, &list);
	} while (ret == VMSHM_NL_DUMP_INTR && ++tries < LIST_TRIES);
	if (ret < 0) {
		free(list.v);
		return ctl_fail(ctl, ret, "list regions");
	}
	list.interrupted = ret == VMSHM_NL_DUMP_INTR;
	if (list.interrupted)
		err_msg("warning: regions came and went during %d dumps in a row; the list may miss or repeat some",
			LIST_TRIES);
	print_region_list(&list);
	free(list.v);
	return EXIT_OK;
}

static int mapping_print(const struct vmshm_nl_mapping *m,
			 void *arg __always_unused)
{
	print_mapping(m);
	return 0;
}

/* show NAME | show -i ID */
static int parse_show(int argc, char **argv, const char **name,
		      unsigned long *id)
{
	if (argc == 2 && argv[1][0] != '-') {
		*name = argv[1];
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "-i")) {
		if (parse_uint(argv[2], UINT32_MAX, id) || !*id)
			return ctl_usage_error("show: bad region id \"%s\"",
					   argv[2]);
		return 0;
	}
	return ctl_usage_error("show: expected NAME or -i ID");
}

static int cmd_show(struct ctl *ctl, int argc, char **argv)
{
	struct vmshm_nl_region r;
	unsigned long id = 0;
	const char *name = NULL;
	char what[96];
	int ret;

	ret = parse_show(argc, argv, &name, &id);
	if (!ret)
		ret = ctl_connect(ctl);
	if (ret)
		return ret;
	if (id)
		snprintf(what, sizeof(what), "region id %lu", id);
	else
		snprintf(what, sizeof(what), "region %s", name);
	ret = vmshm_nl_get_region(ctl->nl, id, name, &r);
	if (ret)
		return ctl_fail(ctl, ret, what);
	print_show_begin(&r);
	/* By id: the name may have been reused since. */
	ret = vmshm_nl_dump_mappings(ctl->nl, r.id, NULL, mapping_print, NULL);
	print_show_end();
	if (ret)
		return ctl_fail(ctl, ret, what);
	return EXIT_OK;
}

static int cmd_stats(struct ctl *ctl, int argc, char **argv)
{
	struct vmshm_nl_stats st;
	int ret;

	if (argc > 1)
		return ctl_usage_error("stats: unexpected argument \"%s\"", argv[1]);
	ret = ctl_connect(ctl);
	if (ret)
		return ret;
	ret = vmshm_nl_get_stats(ctl->nl, &st);
	if (ret)
		return ctl_fail(ctl, ret, "stats");
	print_stats(&st);
	return EXIT_OK;
}

static int cmd_unlink(struct ctl *ctl, int argc, char **argv)
{
	char what[96];
	int ret;

	if (argc != 2)
		return ctl_usage_error("unlink: expected one NAME");
	ret = ctl_connect(ctl);
	if (ret)
		return ret;
	ret = vmshm_nl_unlink(ctl->nl, argv[1]);
	if (ret) {
		snprintf(what, sizeof(what), "unlink region %s", argv[1]);
		return ctl_fail(ctl, ret, what);
	}
	return EXIT_OK;
}

static volatile sig_atomic_t monitor_stop;

static void monitor_on_signal(int sig __always_unused)
{
	monitor_stop = 1;
}

/* Print events until a signal or @count of them (0: no limit). */
static int monitor_loop(struct ctl *ctl, unsigned long count)
{
	struct vmshm_nl_event ev;
	unsigned long seen = 0;
	int ret;

	while (!monitor_stop && (!count || seen < count)) {
		ret = vmshm_nl_next_event(ctl->nl, &ev, MONITOR_TICK_MS);
		if (ret == -EINTR || ret == -ETIMEDOUT)
			continue;
		if (ret == -ENOBUFS) {
			err_msg("monitor: events lost: the socket buffer overflowed");
			continue;
		}
		if (ret)
			return ctl_fail(ctl, ret, "monitor events");
		print_event(&ev);
		seen++;
	}
	return EXIT_OK;
}

static int cmd_monitor(struct ctl *ctl, int argc, char **argv)
{
	unsigned long count = 0;
	int ret;

	if (argc == 3 && !strcmp(argv[1], "-c")) {
		if (parse_uint(argv[2], ULONG_MAX, &count) || !count)
			return ctl_usage_error("monitor: bad count \"%s\"", argv[2]);
	} else if (argc != 1) {
		return ctl_usage_error("monitor: expected no argument or -c COUNT");
	}
	ret = ctl_connect(ctl);
	if (ret)
		return ret;
	ret = vmshm_nl_subscribe_events(ctl->nl);
	if (ret)
		return ctl_fail(ctl, ret, "monitor: join the events group");
	if (set_handler(SIGINT, monitor_on_signal) ||
	    set_handler(SIGTERM, monitor_on_signal))
		return ctl_fail(ctl, -errno, "monitor: signal handlers");
	return monitor_loop(ctl, count);
}

static int cmd_help(struct ctl *ctl __always_unused, int argc, char **argv)
{
	if (argc > 1)
		return ctl_usage_error("help: unexpected argument \"%s\"", argv[1]);
	fputs(usage_text, stdout);
	return EXIT_OK;
}

static const struct ctl_cmd ctl_cmds[] = {
	{ "list", cmd_list },
	{ "show", cmd_show },
	{ "stats", cmd_stats },
	{ "monitor", cmd_monitor },
	{ "unlink", cmd_unlink },
	{ "pages", cmd_pages },
	{ "help", cmd_help },
};

/* Global options; returns the index of the command, or -exit code. */
static int parse_options(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jph", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctl->json = true;
			break;
		case 'p':
			ctl->pretty = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return -EXIT_OK;
		default:
			return -ctl_usage_error("unknown option \"%s\"",
					    argv[optind - 1]);
		}
	}
	if (optind == argc)
		return -ctl_usage_error("no command given");
	return optind;
}

int main(int argc, char **argv)
{
	struct ctl ctl = { 0 };
	const struct ctl_cmd *cmd = NULL;
	size_t i;
	int ret;

	prog_name = "vmshmctl";
	ret = parse_options(&ctl, argc, argv);
	if (ret <= 0)
		return -ret;
	argc -= ret;
	argv += ret;
	for (i = 0; i < ARRAY_SIZE(ctl_cmds); i++)
		if (!strcmp(argv[0], ctl_cmds[i].name))
			cmd = &ctl_cmds[i];
	if (!cmd)
		return ctl_usage_error("unknown command \"%s\"", argv[0]);
	if (json_print_init(ctl.json, ctl.pretty)) {
		err_msg("%s", strerror(ENOMEM));
		return EXIT_FAIL;
	}
	ret = cmd->run(&ctl, argc, argv);
	json_print_fini();
	vmshm_nl_close(ctl.nl);
	return ret;
}
