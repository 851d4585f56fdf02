// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vmshm: the header, a region row and its mapping rows, parsed the
 * way a user's script would, and the hiding of other users' addresses.
 */
#include <sys/stat.h>

#include "exe.h"
#include "vmshm_test.h"

#define HEADER "name id perms size resident mappings cpid lpid uid gid faults waits wakes timeouts swapped huge majflt"
#define MAP_HEADER "pid comm start end prot resident faults majflt"
#define REGION_ROW "%63s %u %o %llu %llu %u %d %d %u %u %llu %llu %llu %llu %llu %llu %llu"

struct proc_region {
	char name[VMSHM_NAME_MAX];
	unsigned int id, perms, mappings, uid, gid;
	unsigned long long size, resident, faults, waits, wakes, timeouts;
	unsigned long long swapped, huge, majflt;
	int cpid, lpid;
};

struct proc_mapping {
	int pid;
	char comm[32], prot[8];
	unsigned long start, end;
	unsigned long long resident, faults, majflt;
};

/*
 * Find @name in /proc/vmshm; fill @r and up to @max of its mappings.
 * Returns the number of mappings, or -1 if the region is not listed.
 */
static int proc_find(const char *name, struct proc_region *r,
		     struct proc_mapping *m, int max)
{
	char line[512];
	int n = -1;
	FILE *f = fopen("/proc/vmshm", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] != ' ') {
			if (n >= 0)
				break;
			if (sscanf(line, REGION_ROW, r->name, &r->id, &r->perms,
				   &r->size, &r->resident, &r->mappings, &r->cpid,
				   &r->lpid, &r->uid, &r->gid, &r->faults,
				   &r->waits, &r->wakes, &r->timeouts,
				   &r->swapped, &r->huge, &r->majflt) == 17 &&
			    !strcmp(r->name, name))
				n = 0;
			continue;
		}
		if (n < 0 || n >= max)
			continue;
		if (sscanf(line, " %d %31s %lx %lx %7s %llu %llu %llu",
			   &m[n].pid, m[n].comm, &m[n].start, &m[n].end,
			   m[n].prot, &m[n].resident, &m[n].faults,
			   &m[n].majflt) == 8)
			n++;
	}
	fclose(f);
	return n;
}

FIXTURE(proc) {
	int fd;
	char name[VMSHM_NAME_MAX];
	struct proc_region r;
	struct proc_mapping m[4];
};

FIXTURE_SETUP(proc)
{
	self->fd = test_open();
	umask(0);
	snprintf(self->name, sizeof(self->name), "proc-%d", getpid());
	test_cmd_create(self->fd, self->name, 8 * page_size(), 0644,
			VMSHM_CREATE_TRANSIENT);
}

FIXTURE_TEARDOWN(proc)
{
	close(self->fd);
}

/* The words of @line, joined by single blanks into @words. */
static void join_words(char *line, char *words)
{
	char *w, *save;

	words[0] = '\0';
	for (w = strtok_r(line, "\n ", &save); w; w = strtok_r(NULL, "\n ", &save)) {
		if (words[0])
			strcat(words, " ");
		strcat(words, w);
	}
}

/* Two header lines: the region columns, then the indented mapping ones. */
TEST_F(proc, header)
{
	char line[512], words[512];
	FILE *f = fopen("/proc/vmshm", "r");

	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(line, sizeof(line), f));
	join_words(line, words);
	ASSERT_STREQ(HEADER, words);
	ASSERT_NE(NULL, fgets(line, sizeof(line), f));
	fclose(f);
	ASSERT_EQ(' ', line[0]);
	join_words(line, words);
	ASSERT_STREQ(MAP_HEADER, words);
}

/* Where word @n of @line starts, or -1. */
static int word_at(const char *line, int n)
{
	int i = 0;

	for (;;) {
		while (line[i] == ' ')
			i++;
		if (!line[i] || line[i] == '\n')
			return -1;
		if (!n--)
			return i;
		while (line[i] && line[i] != ' ' && line[i] != '\n')
			i++;
	}
}

/*
 * Modes in octal with a leading 0, addresses in hex with "0x" and 16
 * digits, and each value under its label, however long the command name.
 */
TEST_F(proc, number_format_and_columns)
{
	char head[512], map_head[512], line[512], row[512] = "", map[512] = "";
	char *p = test_mmap(self->fd, page_size(), PROT_READ, 0);
	char want[64];
	FILE *f;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, prctl(PR_SET_NAME, "c"));
	f = fopen("/proc/vmshm", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(head, sizeof(head), f));
	ASSERT_NE(NULL, fgets(map_head, sizeof(map_head), f));
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, self->name, strlen(self->name)) &&
		    line[strlen(self->name)] == ' ')
			strcpy(row, line);
		else if (row[0] && !map[0])
			strcpy(map, line);
	}
	fclose(f);
	ASSERT_NE('\0', row[0]);
	ASSERT_NE('\0', map[0]);
	/* perms: right-aligned under its label, "0644". */
	ASSERT_EQ(0, strncmp(row + word_at(row, 2), "0644 ", 5)) TH_LOG("%s", row);
	ASSERT_EQ(word_at(head, 2) + 5, word_at(row, 2) + 4);
	/* start and end: left-aligned under their labels, "0x" + 16 digits. */
	snprintf(want, sizeof(want), "0x%016lx 0x%016lx ", (unsigned long)p,
		 (unsigned long)p + page_size());
	ASSERT_EQ(0, strncmp(map + word_at(map, 2), want, strlen(want)))
		TH_LOG("%s", map);
	ASSERT_EQ(word_at(map_head, 2), word_at(map, 2));
	ASSERT_EQ(word_at(map_head, 3), word_at(map, 3));
	ASSERT_EQ(word_at(map_head, 4), word_at(map, 4));
}

TEST_F(proc, region_row)
{
	ASSERT_EQ(0, proc_find(self->name, &self->r, self->m, 4));
	ASSERT_EQ(8 * page_size(), self->r.size);
	ASSERT_EQ(0644, self->r.perms);
	ASSERT_EQ(getpid(), self->r.cpid);
	ASSERT_EQ(getuid(), self->r.uid);
	ASSERT_EQ(0, self->r.mappings);
	ASSERT_EQ(0, self->r.faults);
	ASSERT_EQ(0, self->r.resident);
	ASSERT_EQ(0, self->r.swapped);
	ASSERT_EQ(0, self->r.huge);
	ASSERT_EQ(0, self->r.majflt);
}

TEST_F(proc, faults_match_touches)
{
	char *p = test_mmap(self->fd, 8 * page_size(), PROT_READ | PROT_WRITE, 0);
	unsigned long k;

	ASSERT_NE(MAP_FAILED, p);
	for (k = 1; k <= 5; k += 2) {
		touch_pages(p, k);
		ASSERT_EQ(1, proc_find(self->name, &self->r, self->m, 4));
		ASSERT_EQ(k, self->r.faults);
		ASSERT_EQ(k, self->r.resident);
		ASSERT_EQ(k, self->m[0].faults);
		ASSERT_EQ(k, self->m[0].resident);
		/* In memory, in base pages, never read back from swap. */
		ASSERT_EQ(0, self->r.swapped);
		ASSERT_EQ(0, self->r.huge);
		ASSERT_EQ(0, self->r.majflt);
		ASSERT_EQ(0, self->m[0].majflt);
	}
	ASSERT_EQ(getpid(), self->m[0].pid);
	ASSERT_EQ((unsigned long)p, self->m[0].start);
	ASSERT_EQ((unsigned long)p + 8 * page_size(), self->m[0].end);
	ASSERT_STREQ("rw-s", self->m[0].prot);
}

TEST_F(proc, two_processes_two_addresses)
{
	char *p = test_mmap(self->fd, 2 * page_size(), PROT_READ | PROT_WRITE, 0);
	struct peer peer;
	int n;

	ASSERT_NE(MAP_FAILED, p);
	touch_pages(p, 2);
	ASSERT_EQ(0, peer_start(&peer, self->name, 2, NULL));
	n = proc_find(self->name, &self->r, self->m, 4);
	ASSERT_EQ(0, peer_stop(&peer));
	/*
	 * Ours, the copy fork gave the child (opened in our context, so its
	 * owner is unknown, "0 -", until the child faults through it), and
	 * the child's own read-only one.
	 */
	ASSERT_EQ(3, n);
	ASSERT_EQ(3, self->r.mappings);
	ASSERT_EQ(getpid(), self->m[0].pid);
	ASSERT_EQ(0, self->m[1].pid);
	ASSERT_STREQ("-", self->m[1].comm);
	ASSERT_EQ(peer.pid, self->m[2].pid);
	ASSERT_STREQ("r--s", self->m[2].prot);
	ASSERT_NE(self->m[0].start, self->m[2].start);
	/* Same physical pages: the child faulted once per page it read. */
	ASSERT_EQ(1, self->m[2].faults);
	ASSERT_EQ(2, self->m[2].resident);
}

static int check_hidden(void *arg)
{
	struct proc_region r;
	struct proc_mapping m[2];

	/* Our parent's mapping, and the copy fork gave us: both root's. */
	if (proc_find(arg, &r, m, 2) != 2)
		return 1;
	/* Someone else's mappings: no address, but the pid is public. */
	if (m[0].start || m[0].end || m[1].start || m[1].end)
		return 2;
	if (m[0].pid != getppid())
		return 3;
	return 0;
}

TEST_F(proc, other_users_addresses_hidden)
{
	char *p = test_mmap(self->fd, page_size(), PROT_READ, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(1, proc_find(self->name, &self->r, self->m, 4));
	ASSERT_NE(0, self->m[0].start);
	ASSERT_EQ(0, run_as_nobody(check_hidden, self->name));
}

static int forge_row(void *arg)
{
	struct proc_region r;
	struct proc_mapping m[2];
	int fd = vmshm_open();

	if (fd < 0 || vmshm_attach(fd, arg, VMSHM_ATTACH_RDONLY, NULL, NULL))
		return 1;
	if (prctl(PR_SET_NAME, "x 1\n  fake\\") ||
	    test_mmap(fd, page_size(), PROT_READ, 0) == MAP_FAILED)
		return 2;
	if (proc_find(arg, &r, m, 2) != 1)
		return 3;
	return strcmp(m[0].comm, "x\\0401\\012\\040\\040fake\\134") ? 4 : 0;
}

TEST_F(proc, comm_cannot_forge_rows)
{
	ASSERT_EQ(0, run_as_nobody(forge_row, self->name));
}

/*
 * Whether every word of @row starts or ends where word i of @head does,
 * that is lies under its label, left- or right-aligned.
 */
static bool under_labels(const char *head, const char *row)
{
	int i, h, r, hl, rl;

	for (i = 0; (h = word_at(head, i)) >= 0; i++) {
		r = word_at(row, i);
		if (r < 0)
			return false;
		hl = strcspn(head + h, "\n ");
		rl = strcspn(row + r, "\n ");
		if (h != r && h + hl != r + rl)
			return false;
	}
	return word_at(row, i) < 0;
}

/*
 * The example of Documentation/vmshm.rst, beside the tests: the same two
 * header lines as the real file, and its rows under their labels.
 */
TEST_F(proc, doc_example)
{
	char path[256], real[2][512], doc[5][512], line[512];
	int n = 0, i;
	FILE *f;

	ASSERT_EQ(0, vmshm_exe_relpath(path, sizeof(path),
				       "../Documentation/vmshm.rst"));
	f = fopen(path, "r");
	if (!f)
		SKIP(return, "%.200s: %s", path, strerror(errno));
	while (n < 5 && fgets(line, sizeof(line), f)) {
		/* The literal block after "/proc/vmshm" starts with "name". */
		if (!n && strncmp(line, "    name ", 9))
			continue;
		if (strncmp(line, "    ", 4))
			break;
		strcpy(doc[n++], line + 4);
	}
	fclose(f);
	ASSERT_EQ(5, n);
	f = fopen("/proc/vmshm", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(real[0], sizeof(real[0]), f));
	ASSERT_NE(NULL, fgets(real[1], sizeof(real[1]), f));
	fclose(f);
	ASSERT_STREQ(real[0], doc[0]);
	ASSERT_STREQ(real[1], doc[1]);
	ASSERT_TRUE(under_labels(real[0], doc[2])) TH_LOG("%s", doc[2]);
	for (i = 3; i < 5; i++)
		ASSERT_TRUE(under_labels(real[1], doc[i])) TH_LOG("%s", doc[i]);
}

TEST_F(proc, ids_not_reused)
{
	uint32_t id1, id2;
	int fd = test_open();

	ASSERT_EQ(0, vmshm_create(fd, NULL, page_size(), 0600, VMSHM_CREATE_ANON,
				  &id1));
	close(fd);
	fd = test_open();
	ASSERT_EQ(0, vmshm_create(fd, NULL, page_size(), 0600, VMSHM_CREATE_ANON,
				  &id2));
	close(fd);
	ASSERT_LT(id1, id2);
}

TEST_F(proc, unlinked_flag)
{
	int fd2 = test_open();
	char name[VMSHM_NAME_MAX];

	test_name(name);
	test_cmd_create(fd2, name, page_size(), 0600, 0);
	ASSERT_EQ(0, proc_find(name, &self->r, self->m, 4));
	ASSERT_EQ(0, self->r.perms & PROC_PERM_UNLINKED);
	test_cmd_unlink(fd2, name);
	/* Like SHM_DEST in /proc/sysvipc/shm: gone from the namespace. */
	ASSERT_EQ(0, proc_find(name, &self->r, self->m, 4));
	ASSERT_EQ(0600 | PROC_PERM_UNLINKED, self->r.perms);
	close(fd2);
	ASSERT_EQ(-1, proc_find(name, &self->r, self->m, 4));
}

TEST_F(proc, notify_counters)
{
	ASSERT_EQ(0, vmshm_wake(self->fd, false));
	ASSERT_EQ(0, vmshm_wake(self->fd, true));
	ASSERT_EQ(-ETIMEDOUT, vmshm_wait(self->fd, 0, 0, vmshm_deadline_in(1000000),
					 VMSHM_NO_SLEEPERS, VMSHM_WAIT_DEADLINE));
	ASSERT_EQ(0, proc_find(self->name, &self->r, self->m, 4));
	ASSERT_EQ(2, self->r.wakes);
	ASSERT_EQ(1, self->r.waits);
	ASSERT_EQ(1, self->r.timeouts);
}

/* The flags in the perms column, like SHM_LOCKED and SHM_HUGETLB. */
TEST_F(proc, flags_in_perms)
{
	static const struct { uint32_t flags; unsigned int perms; } v[] = {
		{ 0, 0 },
		{ VMSHM_CREATE_HUGE, PROC_PERM_HUGE },
		{ VMSHM_CREATE_LOCKED, PROC_PERM_LOCKED },
		{ VMSHM_CREATE_HUGE | VMSHM_CREATE_LOCKED,
		  PROC_PERM_HUGE | PROC_PERM_LOCKED },
	};
	char name[VMSHM_NAME_MAX];
	size_t i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		fd = test_open();
		snprintf(name, sizeof(name), "proc-%d-flags-%zu", getpid(), i);
		test_cmd_create(fd, name, 4 * page_size(), 0600,
				VMSHM_CREATE_TRANSIENT | v[i].flags);
		ASSERT_EQ(0, proc_find(name, &self->r, self->m, 4));
		ASSERT_EQ(0600 | v[i].perms, self->r.perms) TH_LOG("%s", name);
		close(fd);
	}
}

#define ASSERT_FDINFO(_fd, _key, _want) do {				\
	char __val[64];							\
	ASSERT_EQ(0, fdinfo_get(_fd, _key, __val, sizeof(__val)))	\
		TH_LOG("no %s line", _key);				\
	ASSERT_STREQ(_want, __val) TH_LOG("%s", _key);			\
} while (0)

TEST_F(proc, fdinfo)
{
	static const char *const zero[] = {
		"vmshm-resident", "vmshm-swapped", "vmshm-huge",
		"vmshm-faults", "vmshm-majflt",
	};
	char *p;
	size_t i;
	int fd;

	ASSERT_FDINFO(self->fd, "vmshm-region", self->name);
	ASSERT_FDINFO(self->fd, "vmshm-access", "rw");
	ASSERT_FDINFO(self->fd, "vmshm-flags", "-");
	for (i = 0; i < ARRAY_SIZE(zero); i++)
		ASSERT_FDINFO(self->fd, zero[i], "0");
	p = test_mmap(self->fd, 8 * page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	touch_pages(p, 3);
	ASSERT_FDINFO(self->fd, "vmshm-resident", "3");
	ASSERT_FDINFO(self->fd, "vmshm-faults", "3");
	ASSERT_FDINFO(self->fd, "vmshm-swapped", "0");
	ASSERT_FDINFO(self->fd, "vmshm-majflt", "0");
	munmap(p, 8 * page_size());

	fd = test_open();
	test_cmd_attach(fd, self->name, VMSHM_ATTACH_RDONLY);
	ASSERT_FDINFO(fd, "vmshm-access", "ro");
	ASSERT_FDINFO(fd, "vmshm-resident", "3");
	close(fd);
	fd = test_open();
	test_cmd_create(fd, NULL, page_size(), 0600,
			VMSHM_CREATE_ANON | VMSHM_CREATE_HUGE |
			VMSHM_CREATE_LOCKED);
	ASSERT_FDINFO(fd, "vmshm-region", "(anon)");
	ASSERT_FDINFO(fd, "vmshm-flags", "huge,locked");
	close(fd);
}

TEST_HARNESS_MAIN
