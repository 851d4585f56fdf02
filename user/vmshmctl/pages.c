// SPDX-License-Identifier: GPL-2.0
/*
 * vmshmctl pages NAME: a map of a region's pages, one character each,
 * from the kernel's GET_PAGES dump, then who maps which pages where and,
 * for root, the physical frame behind each page in memory.
 *
 * JSON: {"region": {"id": N, "name": "...", "pages": N, "page_size": N},
 *        "runs": [{"index": N, "count": N, "state": "resident",
 *                  "flags": [...], "pfn": N}...],
 *        "mappings": [{"pid": N, "comm": "...", "first_page": N,
 *                      "pages": N, "start": N, "end": N}...]}
 * "pfn" only when frames were shown; pages in no run are not present.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "json_print.h"
#include "util.h"
#include "vmshmctl.h"

/* Columns of the page index at the start of each map line. */
#define PAGES_LABEL	9
#define PAGES_MIN_WIDTH	(PAGES_LABEL + 1)
#define PAGES_MAX_WIDTH	4096

/**
 * struct pages_map - what one pages command gathers
 * @runs: the runs of the dump, in index order
 * @n: entries in @runs
 * @cap: room in @runs
 * @pfns: frames were asked for and given
 */
struct pages_map {
	struct vmshm_nl_page_run *runs;
	size_t n;
	size_t cap;
	bool pfns;
};

static int pages_add(const struct vmshm_nl_page_run *run, void *arg)
{
	struct pages_map *m = arg;
	struct vmshm_nl_page_run *v;

	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 64;
		v = realloc(m->runs, m->cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		m->runs = v;
	}
	m->runs[m->n++] = *run;
	return 0;
}

/* The map character of a state: huge wins over shared. */
static char page_char(uint32_t flags)
{
	if (flags & VMSHM_PAGE_F_SWAP)
		return 's';
	if (flags & VMSHM_PAGE_F_HUGE)
		return 'H';
	if (flags & VMSHM_PAGE_F_SHARED)
		return '+';
	if (flags & VMSHM_PAGE_F_RESIDENT)
		return '#';
	return '.';
}

static const char *page_state(uint32_t flags)
{
	switch (page_char(flags)) {
	case 's': return "swap";
	case 'H': return "huge";
	case '+': return "shared";
	default: return "resident";
	}
}

static const char *const page_flag_names[] = {
	/* VMSHM_PAGE_F_*, from bit 0 */
	"resident", "swap", "huge", "shared",
};

/* Columns of the terminal on stdout, $COLUMNS, or 80. */
static unsigned long term_width(void)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");
	unsigned long cols;

	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col)
		return ws.ws_col;
	if (env && !parse_uint(env, PAGES_MAX_WIDTH, &cols) &&
	    cols >= PAGES_MIN_WIDTH)
		return cols;
	return 80;
}

static void print_map(const struct pages_map *m, uint64_t nr_pages,
		      unsigned long width)
{
	unsigned long per_line = width - PAGES_LABEL;
	uint64_t idx;
	size_t r = 0;

	printf("legend: . not present  # resident  + resident, mapped more than once  s in swap  H part of a huge page\n");
	for (idx = 0; idx < nr_pages; idx++) {
		uint32_t flags = 0;

		while (r < m->n && m->runs[r].index + m->runs[r].count <= idx)
			r++;
		if (r < m->n && m->runs[r].index <= idx)
			flags = m->runs[r].flags;
		if (idx % per_line == 0)
			printf("%s%8llu ", idx ? "\n" : "",
			       (unsigned long long)idx);
		putchar(page_char(flags));
	}
	putchar('\n');
}

static void print_runs(const struct pages_map *m)
{
	size_t i;

	open_json_array("runs");
	for (i = 0; i < m->n; i++) {
		const struct vmshm_nl_page_run *run = &m->runs[i];

		open_json_object(NULL);
		print_u64(PRINT_JSON, "index", NULL, run->index);
		print_u64(PRINT_JSON, "count", NULL, run->count);
		print_string(PRINT_JSON, "state", NULL, page_state(run->flags));
		print_flags(PRINT_JSON, "flags", run->flags, page_flag_names,
			    ARRAY_SIZE(page_flag_names));
		if (m->pfns && (run->flags & VMSHM_PAGE_F_RESIDENT))
			print_u64(PRINT_JSON, "pfn", NULL, run->pfn);
		if (m->pfns && (run->flags & VMSHM_PAGE_F_RESIDENT) &&
		    !is_json_context()) {
			printf("  pages %llu-%llu  pfn 0x%llx-0x%llx\n",
			       (unsigned long long)run->index,
			       (unsigned long long)(run->index + run->count - 1),
			       (unsigned long long)run->pfn,
			       (unsigned long long)(run->pfn + run->count - 1));
		}
		close_json_object();
	}
	close_json_array();
}

static int print_page_mapping(const struct vmshm_nl_mapping *mp,
			      void *arg __always_unused)
{
	open_json_object(NULL);
	print_u64(PRINT_ANY, "pid", "  %7llu", mp->pid);
	print_string(PRINT_ANY, "comm", " %-16s", mp->comm[0] ? mp->comm : "?");
	print_u64(PRINT_JSON, "first_page", NULL, mp->pgoff);
	print_u64(PRINT_JSON, "pages", NULL, mp->pages);
	if (!is_json_context())
		printf(" pages %llu-%llu", (unsigned long long)mp->pgoff,
		       (unsigned long long)(mp->pgoff + mp->pages - 1));
	print_u64(PRINT_JSON, "start", NULL, mp->start);
	print_u64(PRINT_JSON, "end", NULL, mp->end);
	if (!is_json_context() && mp->end)
		printf(" at 0x%llx-0x%llx", (unsigned long long)mp->start,
		       (unsigned long long)mp->end);
	else if (!is_json_context())
		printf(" at (hidden: another user's mapping)");
	close_json_object();
	print_nl();
	return 0;
}

static void print_summary(const struct vmshm_nl_region *r,
			  const struct pages_map *m, uint64_t nr_pages)
{
	uint64_t n[4] = { 0 };	/* resident, swap, huge, shared */
	size_t i;
	int b;

	for (i = 0; i < m->n; i++)
		for (b = 0; b < 4; b++)
			if (m->runs[i].flags & (1U << b))
				n[b] += m->runs[i].count;
	open_json_object("region");
	print_string(PRINT_JSON, "name", NULL, r->name);
	print_string(PRINT_FP, NULL, "region %s", r->name);
	print_u64(PRINT_ANY, "id", " (id %llu):", r->id);
	print_u64(PRINT_ANY, "pages", " %llu pages", nr_pages);
	print_u64(PRINT_ANY, "page_size", " of %llu bytes", r->size / nr_pages);
	print_u64(PRINT_ANY, "resident", ", %llu resident", n[0]);
	print_u64(PRINT_ANY, "shared", " (%llu mapped more than once)", n[3]);
	print_u64(PRINT_ANY, "swapped", ", %llu in swap", n[1]);
	print_u64(PRINT_ANY, "huge", ", %llu in huge pages", n[2]);
	print_bool(PRINT_JSON, "pfns", NULL, m->pfns);
	close_json_object();
	print_nl();
}

static void print_pages(struct ctl *ctl, const struct vmshm_nl_region *r,
			const struct pages_map *m, unsigned long width)
{
	uint64_t nr_pages = r->size / sysconf(_SC_PAGESIZE);
	int ret;

	open_json_object(NULL);
	print_summary(r, m, nr_pages);
	if (!is_json_context())
		print_map(m, nr_pages, width);
	if (!is_json_context() && m->pfns)
		printf("frames:\n");
	print_runs(m);
	if (!is_json_context())
		printf("mappings:\n");
	open_json_array("mappings");
	ret = vmshm_nl_dump_mappings(ctl->nl, r->id, NULL, print_page_mapping,
				     NULL);
	close_json_array();
	close_json_object();
	if (ret)
		err_msg("mappings of region %s: %s", r->name, strerror(-ret));
}

struct pages_opts {
	unsigned long width;
	bool pfn;		/* --pfn: frames or fail */
};

static int parse_width(const char *s, unsigned long *width)
{
	if (!parse_uint(s, PAGES_MAX_WIDTH, width) && *width >= PAGES_MIN_WIDTH)
		return 0;
	return ctl_usage_error("pages: bad width \"%s\" (expected %d to %d columns)",
			       s, PAGES_MIN_WIDTH, PAGES_MAX_WIDTH);
}

static int parse_pages(int argc, char **argv, struct pages_opts *o,
		       const char **name)
{
	static const struct option opts[] = {
		{ "width", required_argument, NULL, 'w' },
		{ "pfn", no_argument, NULL, 'P' },
		{ }
	};
	int c;

	optind = 0;	/* glibc: start over, after the global options */
	while ((c = getopt_long(argc, argv, "+w:P", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			if (parse_width(optarg, &o->width))
				return EXIT_USAGE;
			break;
		case 'P':
			o->pfn = true;
			break;
		default:
			return ctl_usage_error("pages: unknown option \"%s\"",
					       argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return ctl_usage_error("pages: expected one NAME");
	*name = argv[optind];
	return 0;
}

/* The runs, with frames when root asks or --pfn; 0 or -errno. */
static int pages_dump(struct ctl *ctl, uint32_t id, bool want_pfn,
		      struct pages_map *m)
{
	int ret = -EPERM;

	if (want_pfn || geteuid() == 0) {
		ret = vmshm_nl_dump_pages(ctl->nl, id, NULL, 1, pages_add, m);
		m->pfns = !ret;
		if (ret != -EPERM || want_pfn)
			return ret;
		m->n = 0;
	}
	return vmshm_nl_dump_pages(ctl->nl, id, NULL, 0, pages_add, m);
}

int cmd_pages(struct ctl *ctl, int argc, char **argv)
{
	struct pages_opts o = { 0 };
	struct pages_map m = { 0 };
	struct vmshm_nl_region r;
	const char *name = NULL;
	char what[96];
	int ret;

	ret = parse_pages(argc, argv, &o, &name);
	if (!ret)
		ret = ctl_connect(ctl);
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "region %s", name);
	ret = vmshm_nl_get_region(ctl->nl, 0, name, &r);
	if (!ret)
		ret = pages_dump(ctl, r.id, o.pfn, &m);
	if (ret == -EPERM && o.pfn)
		snprintf(what, sizeof(what),
			 "pages of region %s: frame numbers need CAP_SYS_ADMIN",
			 name);
	if (ret) {
		free(m.runs);
		return ctl_fail(ctl, ret, what);
	}
	print_pages(ctl, &r, &m, o.width ? o.width : term_width());
	free(m.runs);
	return ret;
}
