// SPDX-License-Identifier: GPL-2.0
/*
 * vmshmctl pages: the map, the runs and the frames against what the
 * kernel says elsewhere for the same state: /proc/vmshm for the counts,
 * /proc/self/pagemap for the frames of a mapping this test holds; and
 * every error of the command.  Runs as root (the VM); the frames test
 * also runs vmshmctl as nobody, who must be refused them.
 */
#include "vmshmctl_run.h"

#define NR_PAGES	8
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define PM_PRESENT	(1ULL << 63)

FIXTURE(pages) {
	CTL_FIXTURE_MEMBERS;
	uint32_t id;
	char *p;
	char *q;
};

/*
 * Pages 0-2 touched through one mapping, page 0 also through a second
 * mapping of it alone: "+##....." (fault-around maps only pages already
 * in memory, and only into the mapping that faults).
 */
FIXTURE_SETUP(pages)
{
	ctl_fixture_setup(self, "pages");
	ASSERT_EQ(0, vmshm_create(self->fd, self->name, NR_PAGES * page_size(),
				  0644, VMSHM_CREATE_TRANSIENT, &self->id));
	self->p = test_mmap(self->fd, NR_PAGES * page_size(),
			    PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, self->p);
	touch_pages(self->p, 3);
	self->q = test_mmap(self->fd, page_size(), PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, self->q);
	ASSERT_EQ(1, *(volatile char *)self->q);
}

FIXTURE_TEARDOWN(pages)
{
	if (self->q)
		munmap(self->q, page_size());
	if (self->p)
		munmap(self->p, NR_PAGES * page_size());
	ctl_fixture_teardown(self);
}

/* The map line of page 0, without its label. */
static const char *map_line(const char *out)
{
	const char *l = strstr(out, "\n       0 ");

	return l ? l + 10 : NULL;
}

TEST_F(pages, text_map_and_mappings)
{
	char want[256];
	const char *l;

	ASSERT_EQ(0, ctl_run(self->o, "pages", "--width", "80", self->name));
	ASSERT_STREQ("", self->o->err);
	l = map_line(self->o->out);
	ASSERT_NE(NULL, l) TH_LOG("%s", self->o->out);
	ASSERT_EQ(0, strncmp(l, "+##.....\n", 9)) TH_LOG("%s", self->o->out);
	snprintf(want, sizeof(want), "region %s (id %u): %d pages of %lu bytes, 3 resident (1 mapped more than once), 0 in swap, 0 in huge pages\n",
		 self->name, self->id, NR_PAGES, page_size());
	ASSERT_EQ(0, strncmp(self->o->out, want, strlen(want)))
		TH_LOG("%s", self->o->out);
	ASSERT_NE(NULL, strstr(self->o->out, "\nlegend: . not present"));
	/* Both mappings, with their page ranges and addresses. */
	snprintf(want, sizeof(want), " pages 0-%d at 0x%lx-0x%lx\n",
		 NR_PAGES - 1, (unsigned long)self->p,
		 (unsigned long)self->p + NR_PAGES * page_size());
	ASSERT_NE(NULL, strstr(self->o->out, want)) TH_LOG("%s", self->o->out);
	snprintf(want, sizeof(want), " pages 0-0 at 0x%lx-0x%lx\n",
		 (unsigned long)self->q, (unsigned long)self->q + page_size());
	ASSERT_NE(NULL, strstr(self->o->out, want)) TH_LOG("%s", self->o->out);
}

TEST_F(pages, wraps_to_width)
{
	const char *l;

	/* Label of 9 columns, then 3 pages a line. */
	ASSERT_EQ(0, ctl_run(self->o, "pages", "-w", "12", self->name));
	l = map_line(self->o->out);
	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, strncmp(l, "+##\n       3 ...\n       6 ..\n", 29))
		TH_LOG("%s", self->o->out);
	/* Not a terminal, no --width: $COLUMNS. */
	setenv("COLUMNS", "13", 1);
	ASSERT_EQ(0, ctl_run(self->o, "pages", self->name));
	unsetenv("COLUMNS");
	ASSERT_NE(NULL, strstr(self->o->out, "\n       4 ....\n"))
		TH_LOG("%s", self->o->out);
}

/* pagemap's frame behind @addr of this process, 0 if not present. */
static uint64_t pagemap_pfn(const void *addr)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (uintptr_t)addr / page_size() *
		  sizeof(e)) != sizeof(e))
		e = 0;
	close(fd);
	return e & PM_PRESENT ? e & PM_PFN_MASK : 0;
}

/* The JSON runs against /proc/vmshm and pagemap. */
TEST_F(pages, json_matches_proc_and_pagemap)
{
	struct nl_snapshot *s = malloc(sizeof(*s));
	const struct json *runs, *e, *region;
	uint64_t idx, count, pfn, resident = 0, v;
	struct json *j;
	int i;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, ctl_run(self->o, "-j", "pages", self->name));
	ASSERT_STREQ("", self->o->err);
	j = ctl_json(_metadata, self->o->out);
	region = json_get(j, "region");
	ASSERT_NE(NULL, region);
	ASSERT_EQ(0, json_get_u64(region, "id", &v));
	ASSERT_EQ(self->id, v);
	ASSERT_TRUE(json_get(region, "pfns")->boolean);
	runs = json_get(j, "runs");
	ASSERT_NE(NULL, runs);
	for (e = runs->child; e; e = e->next) {
		ASSERT_EQ(0, json_get_u64(e, "index", &idx));
		ASSERT_EQ(0, json_get_u64(e, "count", &count));
		ASSERT_EQ(0, json_get_u64(e, "pfn", &pfn));
		resident += count;
		/* Every page of the run: the frame this process maps. */
		for (v = 0; v < count; v++)
			ASSERT_EQ(pagemap_pfn(self->p + (idx + v) * page_size()),
				  pfn + v) TH_LOG("page %llu",
						  (unsigned long long)(idx + v));
	}
	ASSERT_EQ(pagemap_pfn(self->q), pagemap_pfn(self->p));
	ASSERT_NE(0, pagemap_pfn(self->p));
	ASSERT_STREQ("shared", json_get_str(json_at(runs, 0), "state"));
	ASSERT_EQ(2, json_get(j, "mappings")->count);
	/* /proc/vmshm counts the same pages. */
	ASSERT_EQ(0, proc_snapshot(s));
	i = snapshot_index(s, self->id);
	ASSERT_LE(0, i);
	ASSERT_EQ(s->r[i].resident, resident);
	ASSERT_EQ(3, resident);
	json_free(j);
	free(s);
}

/* Pages leave: the map follows. */
TEST_F(pages, punched_pages_leave_the_map)
{
	ASSERT_EQ(0, munmap(self->q, page_size()));
	self->q = NULL;
	ASSERT_EQ(0, madvise(self->p + page_size(), page_size(), MADV_REMOVE));
	ASSERT_EQ(0, ctl_run(self->o, "pages", "-w", "80", self->name));
	ASSERT_EQ(0, strncmp(map_line(self->o->out), "#.#.....\n", 9))
		TH_LOG("%s", self->o->out);
}

static int pfn_as_nobody(void *arg)
{
	struct ctl_out *o = malloc(sizeof(*o));
	int ret;

	if (!o)
		return 100;
	/* Not asked: no frames, no error. */
	ret = ctl_run(o, "pages", arg);
	if (ret || strstr(o->out, "frames:"))
		return 101;
	ret = ctl_run(o, "pages", "--pfn", arg);
	if (ret != 1 || !strstr(o->err, "CAP_SYS_ADMIN") ||
	    !strstr(o->err, "Operation not permitted") || o->out[0])
		ret = 102;
	free(o);
	return ret;
}

TEST_F(pages, frames_need_cap_sys_admin)
{
	ASSERT_EQ(0, ctl_run(self->o, "pages", "--pfn", self->name));
	ASSERT_NE(NULL, strstr(self->o->out, "\nframes:\n  pages 0-0  pfn 0x"));
	ASSERT_EQ(1, run_as_nobody(pfn_as_nobody, self->name));
}

TEST_F(pages, errors)
{
	test_err_ctl(1, self->o, "pages", "no-such-region");
	ASSERT_STREQ("vmshmctl: region no-such-region: No such file or directory (no such region)\n",
		     self->o->err);
	test_err_ctl(2, self->o, "pages");
	ASSERT_STREQ("vmshmctl: pages: expected one NAME (see vmshmctl --help)\n",
		     self->o->err);
	test_err_ctl(2, self->o, "pages", "a", "b");
	test_err_ctl(2, self->o, "pages", "--width", "0", self->name);
	ASSERT_STREQ("vmshmctl: pages: bad width \"0\" (expected 10 to 4096 columns) (see vmshmctl --help)\n",
		     self->o->err);
	test_err_ctl(2, self->o, "pages", "-w", "9", self->name);
	test_err_ctl(2, self->o, "pages", "-w", "x", self->name);
	test_err_ctl(2, self->o, "pages", "-w", self->name);
	test_err_ctl(2, self->o, "pages", "--frob", self->name);
}

static int count_run(const struct vmshm_nl_page_run *run, void *arg)
{
	*(uint64_t *)arg += run->count;
	return 0;
}

/* The kernel's checks, below the tool's. */
TEST_F(pages, netlink_errors)
{
	uint32_t id = 2147483000;
	uint64_t n = 0;

	ASSERT_EQ(-ENOENT, vmshm_nl_dump_pages(self->nl, 0, "no-such-region",
					       0, count_run, &n));
	ASSERT_EQ(-ENOENT, vmshm_nl_dump_pages(self->nl, id, NULL, 1,
					       count_run, &n));
	/* Neither id nor name. */
	ASSERT_EQ(-EINVAL, vmshm_nl_raw(self->nl, VMSHM_NL_CMD_GET_PAGES,
					NLM_F_DUMP, NULL, 0));
	test_err_nl_attr(ERANGE, self->nl, VMSHM_NL_CMD_GET_PAGES, NLM_F_DUMP,
			 VMSHM_A_REGION_ID, &(uint32_t){ 0 }, 4);
	/* The flag has no payload. */
	test_err_nl_attr(ERANGE, self->nl, VMSHM_NL_CMD_GET_PAGES, NLM_F_DUMP,
			 VMSHM_A_PAGE_PFNS, &id, 4);
	ASSERT_EQ(0, n);
}

/* A region bigger than a dump message: the dump resumes, in order. */
TEST_F(pages, dump_resumes_across_messages)
{
	size_t len = 4096 * page_size(), i;
	uint64_t n = 0;
	uint32_t id;
	char *p;
	int fd = test_open();

	ASSERT_EQ(0, vmshm_create(fd, NULL, len, 0600, VMSHM_CREATE_ANON,
				  &id));
	p = test_mmap(fd, len, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	/* Every other page: 2048 runs of one page, many messages. */
	for (i = 0; i < 4096; i += 2)
		p[i * page_size()] = 1;
	ASSERT_EQ(0, vmshm_nl_dump_pages(self->nl, id, NULL, 1, count_run,
					 &n));
	ASSERT_EQ(2048, n);
	munmap(p, len);
	close(fd);
}

TEST_HARNESS_MAIN
