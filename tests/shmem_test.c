// SPDX-License-Identifier: GPL-2.0
/*
 * Regions in shmem (VMSHM_VERSION 3): what the memory manager now does
 * with region pages, watched from user space.
 *
 *   huge.*    VMSHM_CREATE_HUGE: one fault per PMD, PMD-mapped in smaps,
 *             aligned mappings, base pages past the last huge page and
 *             when shmem_enabled is "deny"
 *   swap.*    a region filled from a memory cgroup goes to swap under
 *             memory.reclaim and comes back intact with major faults;
 *             a VMSHM_CREATE_LOCKED one stays in memory
 *   cow.*     MAP_PRIVATE: copy-on-write, seen in /proc/self/pagemap, and
 *             allowed with PROT_WRITE on a read-only attachment
 *   futex     a shared FUTEX_WAIT on a region word, woken by another process
 *   bad_*, locked_*   the errors of the new flags, RLIMIT_MEMLOCK
 *   maps_name /proc/PID/maps and smaps name the region
 *   life      10^4 create/map/touch/swap/destroy cycles leave nothing
 *
 * The swap tests skip when the system has no swap (the VM's init turns on
 * swap on zram and logs why it could not), the huge ones without THP.
 * Most tests need root: cgroups, sysfs knobs, PFNs in pagemap.
 */
#include <linux/capability.h>
#include <linux/futex.h>
#include <stdbool.h>
#include <sys/resource.h>

#include "vmshm_test.h"
#include "vmshm_cgroup.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif

#define THP_DIR		"/sys/kernel/mm/transparent_hugepage"
#define SHMEM_ENABLED	THP_DIR "/shmem_enabled"

/* /proc/self/pagemap: bits 0-54 PFN, 61 file or shared page, 63 present. */
#define PM_PFN(e)	((e) & ((1ULL << 55) - 1))
#define PM_FILE		(1ULL << 61)
#define PM_PRESENT	(1ULL << 63)

/* The PMD size THP uses, or 0 without THP. */
static unsigned long hpage_size(void)
{
	char buf[32];

	if (read_file(THP_DIR "/hpage_pmd_size", buf, sizeof(buf)) <= 0)
		return 0;
	return strtoul(buf, NULL, 10);
}

/* The word at index @i of a page filled by fill(). */
static inline uint64_t pattern(uint64_t seed, uint64_t i)
{
	return (seed + i) * 0x9e3779b97f4a7c15ULL;
}

/* Fill @len bytes at @p with words that differ from page to page. */
static void fill(void *p, size_t len, uint64_t seed)
{
	volatile uint64_t *w = p;
	size_t i;

	for (i = 0; i < len / sizeof(*w); i++)
		w[i] = pattern(seed, i);
}

/* The offset of the first word fill() did not write, or -1. */
static long check(const void *p, size_t len, uint64_t seed)
{
	const volatile uint64_t *w = p;
	size_t i;

	for (i = 0; i < len / sizeof(*w); i++)
		if (w[i] != pattern(seed, i))
			return i * sizeof(*w);
	return -1;
}

/* Split @line at blanks into at most @max words; returns how many. */
static int split(char *line, char **word, int max)
{
	char *save, *w;
	int n = 0;

	for (w = strtok_r(line, " \t\n", &save); w && n < max;
	     w = strtok_r(NULL, " \t\n", &save))
		word[n++] = w;
	return n;
}

/**
 * struct proc_row - a region in /proc/vmshm, and one process's mappings
 * @resident: the region's resident column
 * @faults: its faults column
 * @swapped: its swapped column
 * @huge: its huge column
 * @majflt: its majflt column
 * @nr_maps: mapping lines of the process asked for
 * @map_majflt: the majflt column (the last) of those lines, summed
 */
struct proc_row {
	unsigned long long resident, faults, swapped, huge, majflt;
	int nr_maps;
	unsigned long long map_majflt;
};

/* The columns of /proc/vmshm the tests read, by their header names. */
enum {
	COL_ID, COL_RESIDENT, COL_FAULTS, COL_SWAPPED, COL_HUGE, COL_MAJFLT,
	NR_COLS
};

static const char *const col_names[NR_COLS] = {
	"id", "resident", "faults", "swapped", "huge", "majflt",
};

/* Where each of col_names is in the header @line; -EPROTO if not there. */
static int proc_columns(char *line, int *col)
{
	char *word[64];
	int n = split(line, word, 64), i, j;

	for (i = 0; i < NR_COLS; i++) {
		col[i] = -1;
		for (j = 0; j < n; j++)
			if (!strcmp(word[j], col_names[i]))
				col[i] = j;
		if (col[i] < 0)
			return -EPROTO;
	}
	return 0;
}

/*
 * Read region @id's line of /proc/vmshm, by the header's column names,
 * and the lines of @pid's mappings of it.  Returns 0, -ENOENT when the
 * region is not listed, -EPROTO when the header lacks a column.
 */
static int proc_row_read(uint32_t id, pid_t pid, struct proc_row *row)
{
	char line[1024], *word[64];
	int col[NR_COLS], n, ret = -ENOENT;
	bool in = false;
	FILE *f = fopen("/proc/vmshm", "re");

	memset(row, 0, sizeof(*row));
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f) || proc_columns(line, col)) {
		fclose(f);
		return -EPROTO;
	}
	while (fgets(line, sizeof(line), f)) {
		bool mapping = line[0] == ' ';

		n = split(line, word, 64);
		if (!mapping) {
			in = n > col[COL_MAJFLT] &&
			     strtoul(word[col[COL_ID]], NULL, 10) == id;
			if (!in)
				continue;
			row->resident = strtoull(word[col[COL_RESIDENT]], NULL, 10);
			row->faults = strtoull(word[col[COL_FAULTS]], NULL, 10);
			row->swapped = strtoull(word[col[COL_SWAPPED]], NULL, 10);
			row->huge = strtoull(word[col[COL_HUGE]], NULL, 10);
			row->majflt = strtoull(word[col[COL_MAJFLT]], NULL, 10);
			ret = 0;
		} else if (in && n > 1 && atoi(word[0]) == pid) {
			row->nr_maps++;
			row->map_majflt += strtoull(word[n - 1], NULL, 10);
		}
	}
	fclose(f);
	return ret;
}

/* The file name of @pid's mapping at @addr in /proc/PID/@file, or -ENOENT. */
static int maps_path(pid_t pid, const char *file, const void *addr,
		     char *path, size_t len)
{
	unsigned long start, end;
	char name[64], line[512];
	int pos, ret = -ENOENT;
	FILE *f;

	snprintf(name, sizeof(name), "/proc/%d/%s", pid, file);
	f = fopen(name, "re");
	if (!f)
		return -errno;
	while (ret && fgets(line, sizeof(line), f)) {
		pos = 0;
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &start, &end,
			   &pos) != 2 || !pos || start != (unsigned long)addr)
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(path, len, "%s", line + pos);
		ret = 0;
	}
	fclose(f);
	return ret;
}

/* The "@key: N kB" line of the smaps entry of our mapping at @addr. */
static long smaps_kb(const void *addr, const char *key)
{
	unsigned long start, end;
	size_t klen = strlen(key);
	char line[512];
	bool in = false;
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps", "re");

	if (!f)
		return -1;
	while (kb < 0 && fgets(line, sizeof(line), f)) {
		/* A key ("Size:") never parses as an address range. */
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			in = start == (unsigned long)addr;
		else if (in && !strncmp(line, key, klen) && line[klen] == ':')
			kb = strtol(line + klen + 1, NULL, 10);
	}
	fclose(f);
	return kb;
}

/* kB of our mapping at @addr mapped by PMDs: shmem's, or a file's. */
static long pmd_mapped_kb(const void *addr)
{
	long shmem = smaps_kb(addr, "ShmemPmdMapped");
	long file = smaps_kb(addr, "FilePmdMapped");

	return (shmem > 0 ? shmem : 0) + (file > 0 ? file : 0);
}

/* Our /proc/self/pagemap entry of @addr, or 0. */
static uint64_t pagemap_entry(const void *addr)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	uint64_t e = 0;

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (uintptr_t)addr / page_size() *
		  sizeof(e)) != sizeof(e))
		e = 0;
	close(fd);
	return e;
}

/* Does the system have swap space?  If not, say why in @why. */
static bool swap_available(char *why, size_t len)
{
	char buf[4096];
	ssize_t n = read_file("/proc/swaps", buf, sizeof(buf));
	char *nl = n > 0 ? strchr(buf, '\n') : NULL;

	if (nl && nl[1])
		return true;
	snprintf(why, len, "no swap: %s (in the VM, the kernel log says why: \"vmshm-init: no swap\")",
		 n < 0 ? "cannot read /proc/swaps" : "/proc/swaps lists no device");
	return false;
}

/* Drop @cap from our effective, permitted and inheritable sets. */
static int cap_drop(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
	data[CAP_TO_INDEX(cap)].permitted &= ~CAP_TO_MASK(cap);
	data[CAP_TO_INDEX(cap)].inheritable &= ~CAP_TO_MASK(cap);
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

static struct vmshm_stat stat_of(int fd)
{
	struct vmshm_stat st = { 0 };

	vmshm_stat(fd, &st);
	return st;
}

/*
 * Huge pages.  shmem_enabled "deny" would turn them off for every mount,
 * "force" on for every mount: the tests set "never", which leaves the
 * choice to vmshm's mount, and restore the value they found.
 */
FIXTURE(huge) {
	int fd;
	unsigned long hpage;
	char saved[32];
};

/* The selected (bracketed) word of shmem_enabled, or "". */
static void thp_shmem_get(char *buf, size_t len)
{
	char line[128], *open, *close;

	buf[0] = 0;
	if (read_file(SHMEM_ENABLED, line, sizeof(line)) <= 0)
		return;
	open = strchr(line, '[');
	close = open ? strchr(open, ']') : NULL;
	if (close)
		snprintf(buf, len, "%.*s", (int)(close - open - 1), open + 1);
}

FIXTURE_SETUP(huge)
{
	char now[32];

	self->fd = test_open();
	self->saved[0] = 0;
	self->hpage = hpage_size();
	if (!self->hpage || access(SHMEM_ENABLED, F_OK))
		SKIP(return, "no transparent huge pages: %s missing", SHMEM_ENABLED);
	thp_shmem_get(now, sizeof(now));
	if (strcmp(now, "deny") && strcmp(now, "force"))
		return;
	if (geteuid())
		SKIP(return, "shmem_enabled is %s, and only root may change it", now);
	ASSERT_EQ(0, write_file(SHMEM_ENABLED, "never"));
	snprintf(self->saved, sizeof(self->saved), "%s", now);
}

FIXTURE_TEARDOWN(huge)
{
	if (self->saved[0])
		write_file(SHMEM_ENABLED, self->saved);
	close(self->fd);
}

/* A fresh anonymous huge region of @len bytes, mapped read-write. */
static char *huge_region(struct __test_metadata *_metadata, int fd, size_t len)
{
	char *p;

	test_cmd_create(fd, NULL, len, 0600,
			VMSHM_CREATE_ANON | VMSHM_CREATE_HUGE);
	p = test_mmap(fd, len, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	return p;
}

TEST_F(huge, pmd_mapped)
{
	size_t len = 4 * self->hpage, pages = len / page_size();
	struct vmshm_stat st;
	char *p = huge_region(_metadata, self->fd, len);

	ASSERT_EQ(0, (uintptr_t)p % self->hpage)
		TH_LOG("a huge region mapped at %p, not aligned to %lu bytes",
		       p, self->hpage);
	fill(p, len, 1);
	st = stat_of(self->fd);
	TH_LOG("%zu pages written: %llu faults, %llu resident, %llu huge, %ld kB PMD-mapped",
	       pages, (unsigned long long)st.out_faults,
	       (unsigned long long)st.out_resident,
	       (unsigned long long)st.out_huge, pmd_mapped_kb(p));
	ASSERT_GE(len / self->hpage, st.out_faults)
		TH_LOG("more than one fault per huge page");
	ASSERT_EQ(pages, st.out_resident);
	ASSERT_EQ(pages, st.out_huge);
	ASSERT_EQ(len / 1024, pmd_mapped_kb(p))
		TH_LOG("smaps: the mapping is not all PMD-mapped");
	ASSERT_TRUE(st.out_flags & VMSHM_REGION_F_HUGE);
	ASSERT_EQ(-1, check(p, len, 1));
}

/* A window at a huge-page offset is aligned too, and PMD-mapped. */
TEST_F(huge, window_aligned)
{
	size_t len = 4 * self->hpage;
	char *p = huge_region(_metadata, self->fd, len), *q;

	q = test_mmap(self->fd, 2 * self->hpage, PROT_READ | PROT_WRITE,
		      self->hpage);
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_EQ(0, (uintptr_t)q % self->hpage);
	touch_pages(q, 2 * self->hpage / page_size());
	ASSERT_GE(2, stat_of(self->fd).out_faults);
	ASSERT_EQ(2 * self->hpage / 1024, pmd_mapped_kb(q));
	/* The other mapping sees the same pages. */
	ASSERT_EQ(1, p[self->hpage]);
}

/*
 * A huge page is used only where it fits below the region's size: of
 * 1.5 huge pages, the first is huge, the rest base pages (vmshm(4)).
 */
TEST_F(huge, tail_base_pages)
{
	size_t len = self->hpage + self->hpage / 2, pages = len / page_size();
	size_t tail = pages - self->hpage / page_size();
	struct vmshm_stat st;
	char *p = huge_region(_metadata, self->fd, len);

	ASSERT_EQ(0, (uintptr_t)p % self->hpage);
	fill(p, len, 2);
	st = stat_of(self->fd);
	TH_LOG("%zu pages written: %llu faults, %llu huge, %ld kB PMD-mapped",
	       pages, (unsigned long long)st.out_faults,
	       (unsigned long long)st.out_huge, pmd_mapped_kb(p));
	ASSERT_EQ(1 + tail, st.out_faults);
	ASSERT_EQ(pages, st.out_resident);
	ASSERT_EQ(self->hpage / page_size(), st.out_huge);
	ASSERT_EQ(self->hpage / 1024, pmd_mapped_kb(p));
	ASSERT_EQ(-1, check(p, len, 2));
}

/* shmem_enabled "deny": base pages, a fault each, and the data is fine. */
TEST_F_TIMEOUT(huge, denied, 120)
{
	size_t len = 4 * self->hpage, pages = len / page_size();
	struct vmshm_stat st;
	char *p;

	if (geteuid())
		SKIP(return, "needs root: shmem_enabled");
	if (!self->saved[0])
		thp_shmem_get(self->saved, sizeof(self->saved));
	ASSERT_EQ(0, write_file(SHMEM_ENABLED, "deny"));
	p = huge_region(_metadata, self->fd, len);
	fill(p, len, 3);
	st = stat_of(self->fd);
	ASSERT_EQ(pages, st.out_faults);
	ASSERT_EQ(pages, st.out_resident);
	ASSERT_EQ(0, st.out_huge);
	ASSERT_EQ(0, pmd_mapped_kb(p));
	ASSERT_TRUE(st.out_flags & VMSHM_REGION_F_HUGE);
	ASSERT_EQ(-1, check(p, len, 3));
}

/*
 * Swap.  A filler in a fresh memory cgroup fills the region; the test
 * pushes the cgroup's memory out with memory.reclaim; a reader in
 * another process then reads it all back.
 */
#define SWAP_PAGES	4096		/* 16 MiB of 4 KiB pages */
#define SWAP_SEED	0x5eed
#define RECLAIM_TRIES	30

FIXTURE(swap) {
	struct cg cg;
	int fd;
	uint32_t id;
	char name[VMSHM_NAME_MAX];
};

FIXTURE_VARIANT(swap) {
	bool locked;
};

FIXTURE_VARIANT_ADD(swap, plain) {
	.locked = false,
};

FIXTURE_VARIANT_ADD(swap, locked) {
	.locked = true,
};

FIXTURE_SETUP(swap)
{
	char why[512], cg_name[64];

	self->fd = -1;
	if (geteuid())
		SKIP(return, "needs root: cgroups");
	if (!swap_available(why, sizeof(why)))
		SKIP(return, "%s", why);
	snprintf(cg_name, sizeof(cg_name), "vmshm-swap-%d", getpid());
	if (cg_setup(&self->cg, cg_name, why, sizeof(why)))
		SKIP(return, "%s", why);
	snprintf(why, sizeof(why), "%s/memory.reclaim", self->cg.dir);
	if (access(why, F_OK))
		SKIP(return, "%s missing (Linux before 5.19)", why);
	self->fd = test_open();
	snprintf(self->name, sizeof(self->name), "swap-%d", getpid());
	ASSERT_EQ(0, vmshm_create(self->fd, self->name,
				  SWAP_PAGES * page_size(), 0600,
				  VMSHM_CREATE_TRANSIENT |
				  (variant->locked ? VMSHM_CREATE_LOCKED : 0),
				  &self->id));
}

FIXTURE_TEARDOWN(swap)
{
	if (self->fd >= 0)
		close(self->fd);
	cg_destroy(&self->cg);
}

/* Worker exit codes of the swap and life tests. */
enum {
	S_MMAP = 10,	/* mmap() of the region failed */
	S_ATTACH,	/* VMSHM_ATTACH or open failed */
	S_DATA,		/* read back something else than was written */
	S_CREATE,	/* VMSHM_CREATE failed */
	S_PAGEOUT,	/* MADV_PAGEOUT failed */
	S_STAT,		/* VMSHM_STAT failed */
};

/**
 * struct swap_job - what the swap workers share with the test
 * @fd: the test's fd of the region, inherited by the filler
 * @name: the region's name, which the reader attaches to
 * @len: the region's size
 */
struct swap_job {
	int fd;
	const char *name;
	size_t len;
};

/* Step 0: map the region and fill it; it stays mapped until the end. */
static int fill_step(int n, void *arg)
{
	struct swap_job *j = arg;
	void *p;

	if (n)
		return 0;
	p = test_mmap(j->fd, j->len, PROT_READ | PROT_WRITE, 0);
	if (p == MAP_FAILED)
		return S_MMAP;
	fill(p, j->len, SWAP_SEED);
	return 0;
}

/* Step 0: attach read-only, map, and read everything back. */
static int read_step(int n, void *arg)
{
	struct swap_job *j = arg;
	int fd;
	void *p;

	if (n)
		return 0;
	fd = vmshm_open();
	if (fd < 0 || vmshm_attach(fd, j->name, VMSHM_ATTACH_RDONLY, NULL, NULL))
		return S_ATTACH;
	p = test_mmap(fd, j->len, PROT_READ, 0);
	if (p == MAP_FAILED)
		return S_MMAP;
	return check(p, j->len, SWAP_SEED) < 0 ? 0 : S_DATA;
}

/*
 * Ask the cgroup to reclaim the region's size until most of it is in
 * swap, or RECLAIM_TRIES times.  A mapped page whose PTE is young is only
 * aged by the first pass, so one write is not enough.  Returns the tries.
 */
static int push_out(struct __test_metadata *_metadata,
		    FIXTURE_DATA(swap) *self)
{
	char amount[32];
	int i, ret;

	snprintf(amount, sizeof(amount), "%lu", SWAP_PAGES * page_size());
	for (i = 1; i <= RECLAIM_TRIES; i++) {
		/* EAGAIN: it reclaimed less than asked, which is expected. */
		ret = cg_write(self->cg.dir, "memory.reclaim", amount);
		ASSERT_TRUE(!ret || ret == -EAGAIN)
			TH_LOG("%s/memory.reclaim: %s", self->cg.dir,
			       strerror(-ret));
		if (stat_of(self->fd).out_swapped >= SWAP_PAGES * 9 / 10)
			break;
	}
	return i;
}

TEST_F_TIMEOUT(swap, out_and_back, 300)
{
	struct swap_job job = { .fd = self->fd, .name = self->name,
				.len = SWAP_PAGES * page_size() };
	struct vmshm_stat st1, st2;
	struct proc_row row1, row2;
	struct vmshm_info info;
	struct worker filler, reader;
	int tries;

	ASSERT_EQ(0, worker_start(&filler, &self->cg, fill_step, &job));
	ASSERT_EQ(0, worker_next(&filler))
		TH_LOG("filler: status 0x%x", filler.status);
	ASSERT_EQ(SWAP_PAGES, stat_of(self->fd).out_resident);
	tries = push_out(_metadata, self);
	st1 = stat_of(self->fd);
	ASSERT_EQ(0, proc_row_read(self->id, 0, &row1))
		TH_LOG("/proc/vmshm: region %u missing, or no swapped, huge and majflt columns",
		       self->id);
	test_cmd_info(self->fd, &info);
	TH_LOG("%d memory.reclaim writes: resident %llu swapped %llu (/proc/vmshm %llu), swap.current %lld",
	       tries, (unsigned long long)st1.out_resident,
	       (unsigned long long)st1.out_swapped, row1.swapped,
	       cg_read_ll(&self->cg, "memory.swap.current"));
	ASSERT_EQ(st1.out_swapped, row1.swapped);
	ASSERT_LE(st1.out_swapped, info.out_swapped_pages);
	ASSERT_EQ(SWAP_PAGES, st1.out_resident + st1.out_swapped)
		TH_LOG("a page is in memory or in swap");
	if (variant->locked) {
		ASSERT_EQ(0, st1.out_swapped)
			TH_LOG("a locked region's pages went to swap");
		ASSERT_TRUE(st1.out_flags & VMSHM_REGION_F_LOCKED);
	} else {
		ASSERT_LT(0, st1.out_swapped)
			TH_LOG("memory.reclaim swapped none of the region's pages");
	}
	ASSERT_EQ(0, worker_stop(&filler));

	ASSERT_EQ(0, worker_start(&reader, NULL, read_step, &job));
	ASSERT_EQ(0, worker_next(&reader))
		TH_LOG("reader: status 0x%x (exit %d: %d is a data mismatch)",
		       reader.status, WEXITSTATUS(reader.status), S_DATA);
	st2 = stat_of(self->fd);
	ASSERT_EQ(0, proc_row_read(self->id, reader.pid, &row2));
	TH_LOG("read back: majflt %llu -> %llu, the reader's mapping %llu; resident %llu swapped %llu",
	       (unsigned long long)st1.out_majflt,
	       (unsigned long long)st2.out_majflt, row2.map_majflt,
	       (unsigned long long)st2.out_resident,
	       (unsigned long long)st2.out_swapped);
	ASSERT_EQ(1, row2.nr_maps);
	ASSERT_EQ(st2.out_majflt, row2.majflt);
	/* Every page was touched, so every page came back. */
	ASSERT_EQ(SWAP_PAGES, st2.out_resident);
	ASSERT_EQ(0, st2.out_swapped);
	if (variant->locked) {
		ASSERT_EQ(st1.out_majflt, st2.out_majflt);
		ASSERT_EQ(0, row2.map_majflt);
	} else {
		ASSERT_LT(st1.out_majflt, st2.out_majflt);
		ASSERT_EQ(st2.out_majflt - st1.out_majflt, row2.map_majflt)
			TH_LOG("the reader's mapping took every major fault");
		/* Swap readahead may bring in pages before their fault. */
		ASSERT_GE(st1.out_swapped, st2.out_majflt - st1.out_majflt);
	}
	ASSERT_EQ(0, worker_stop(&reader));
}

/*
 * Copy-on-write.  A process maps the region MAP_SHARED, another one
 * MAP_PRIVATE: a read of the private mapping maps the shared page itself;
 * the first write copies it.
 */
FIXTURE(cow) {
	int fd;
	char name[VMSHM_NAME_MAX];
	char *shared;
};

FIXTURE_SETUP(cow)
{
	self->fd = test_open();
	umask(0);
	snprintf(self->name, sizeof(self->name), "cow-%d", getpid());
	test_cmd_create(self->fd, self->name, 4 * page_size(), 0644,
			VMSHM_CREATE_TRANSIENT);
	self->shared = test_mmap(self->fd, 4 * page_size(),
				 PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, self->shared);
	strcpy(self->shared, "old");
	strcpy(self->shared + page_size(), "old");
}

FIXTURE_TEARDOWN(cow)
{
	close(self->fd);
}

/**
 * struct cow_report - what the private mapper saw
 * @before: its pagemap entry of the page after reading it
 * @after: the entry after writing it
 * @step: 0, or the step that went wrong
 */
struct cow_report {
	uint64_t before, after;
	int step;
};

/* The private mapper: attach, map private, read, write, report. */
static void cow_child(const char *name, int report, int go)
{
	struct cow_report r = { 0 };
	int fd = vmshm_open();
	char *q, c;

	r.step = 1;
	if (fd < 0 || vmshm_attach(fd, name, 0, NULL, NULL))
		goto out;
	r.step = 2;
	q = mmap(NULL, page_size(), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (q == MAP_FAILED || strcmp(q, "old"))
		goto out;
	r.before = pagemap_entry(q);
	strcpy(q, "new");
	r.after = pagemap_entry(q);
	r.step = strcmp(q, "new") ? 3 : 0;
out:
	if (write(report, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	/* Keep the pages mapped until the test has looked at them. */
	if (read(go, &c, 1) < 0)
		_exit(1);
	_exit(0);
}

TEST_F(cow, private_copy)
{
	int report[2], go[2];
	struct cow_report r;
	uint64_t mine;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root: PFNs in /proc/self/pagemap");
	mine = pagemap_entry(self->shared);
	ASSERT_TRUE(mine & PM_PRESENT);
	ASSERT_NE(0, PM_PFN(mine));
	ASSERT_EQ(0, pipe(report));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(report[0]);
		close(go[1]);
		cow_child(self->name, report[1], go[0]);
	}
	close(report[1]);
	close(go[0]);
	ASSERT_EQ(sizeof(r), read(report[0], &r, sizeof(r)));
	TH_LOG("shared PFN %#llx; private PFN %#llx before its write, %#llx after",
	       PM_PFN(mine), PM_PFN(r.before), PM_PFN(r.after));
	ASSERT_EQ(0, r.step);
	/* The other process's write is its own. */
	ASSERT_STREQ("old", self->shared);
	ASSERT_EQ(PM_PFN(mine), PM_PFN(r.before))
		TH_LOG("a read through a private mapping did not map the region's page");
	ASSERT_TRUE(r.before & PM_FILE);
	ASSERT_TRUE(r.after & PM_PRESENT);
	ASSERT_NE(PM_PFN(mine), PM_PFN(r.after))
		TH_LOG("a write through a private mapping did not copy the page");
	ASSERT_FALSE(r.after & PM_FILE);
	/* The copy is the child's, not a region page. */
	ASSERT_EQ(2, stat_of(self->fd).out_resident);
	close(go[1]);
	ASSERT_EQ(0, wait_child(pid));
}

/*
 * A read-only attachment maps MAP_PRIVATE with PROT_WRITE, as an O_RDONLY
 * file does, and its writes stay private; shared writing stays refused.
 */
static int rdonly_private_child(void *arg)
{
	const char *name = arg;
	int fd = vmshm_open();
	char *q, *r, *s;

	if (fd < 0 || vmshm_attach(fd, name, VMSHM_ATTACH_RDONLY, NULL, NULL))
		return 1;
	if (test_mmap(fd, page_size(), PROT_READ | PROT_WRITE, 0) != MAP_FAILED ||
	    errno != EACCES)
		return 2;
	q = mmap(NULL, page_size(), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (q == MAP_FAILED || strcmp(q, "old"))
		return 3;
	strcpy(q, "mine");
	r = mmap(NULL, page_size(), PROT_READ, MAP_PRIVATE, fd, page_size());
	if (r == MAP_FAILED || mprotect(r, page_size(), PROT_READ | PROT_WRITE))
		return 4;
	strcpy(r, "mine too");
	s = test_mmap(fd, 2 * page_size(), PROT_READ, 0);
	if (s == MAP_FAILED)
		return 5;
	if (mprotect(s, page_size(), PROT_READ | PROT_WRITE) != -1 ||
	    errno != EACCES)
		return 6;
	if (strcmp(s, "old") || strcmp(s + page_size(), "old") ||
	    strcmp(q, "mine") || strcmp(r, "mine too"))
		return 7;
	return 0;
}

TEST_F(cow, rdonly_private_write)
{
	ASSERT_EQ(0, run_child(rdonly_private_child, self->name));
	/* As another user too, who only has the r bit of 0644. */
	ASSERT_EQ(0, run_as_nobody(rdonly_private_child, self->name));
	ASSERT_STREQ("old", self->shared);
	ASSERT_STREQ("old", self->shared + page_size());
}

/*
 * A shared futex on a region word: the key is the shmem page and offset,
 * not the address, so two processes mapping the word at different
 * addresses and offsets of their windows meet on it.
 */
#define FUTEX_OFF	64

static long futex(void *uaddr, int op, uint32_t val,
		  const struct timespec *timeout)
{
	return syscall(SYS_futex, uaddr, op, val, timeout, NULL, 0);
}

/* The waiter maps only the region's second page. */
static int futex_waiter(const char *name)
{
	struct timespec ts = { .tv_sec = 20 };
	int fd = vmshm_open();
	char *q;

	if (fd < 0 || vmshm_attach(fd, name, 0, NULL, NULL))
		return 1;
	q = test_mmap(fd, page_size(), PROT_READ | PROT_WRITE, page_size());
	if (q == MAP_FAILED)
		return 2;
	if (!futex(q + FUTEX_OFF, FUTEX_WAIT, 0, &ts))
		return 0;
	return errno == ETIMEDOUT ? 3 : errno == EAGAIN ? 4 : 5;
}

TEST(futex_shared)
{
	uint64_t end = vmshm_now_ns() + 10 * 1000000000ULL;
	struct timespec ms = { .tv_nsec = 1000000 };
	char name[VMSHM_NAME_MAX];
	int fd = test_open(), status;
	uint32_t *word;
	long woken = 0;
	char *p;
	pid_t pid;

	test_name(name);
	test_cmd_create(fd, name, 2 * page_size(), 0600, VMSHM_CREATE_TRANSIENT);
	p = test_mmap(fd, 2 * page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	word = (uint32_t *)(p + page_size() + FUTEX_OFF);
	*word = 0;
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(futex_waiter(name));
	/* Wake until the waiter is queued and woken, or has gone. */
	while (!woken && vmshm_now_ns() < end) {
		woken = futex(word, FUTEX_WAKE, 1, NULL);
		ASSERT_LE(0, woken) TH_LOG("FUTEX_WAKE: %s", strerror(errno));
		if (!woken && waitpid(pid, &status, WNOHANG) == pid)
			break;
		nanosleep(&ms, NULL);
	}
	ASSERT_EQ(1, woken)
		TH_LOG("no waiter woken (waiter: 3 timed out, 4 EAGAIN, 5 another error)");
	ASSERT_EQ(0, wait_child(pid));
	close(fd);
}

/* Unknown flags, including the PREFAULT bits of version 2: EOPNOTSUPP. */
TEST(bad_create_flags)
{
	static const uint32_t flags[] = {
		1U << 2, 1U << 5, 1U << 31,
		VMSHM_CREATE_HUGE | (1U << 2),
		VMSHM_CREATE_ANON | VMSHM_CREATE_LOCKED | (1U << 6),
	};
	struct vmshm_create c = { .size = sizeof(c), .mode = 0600 };
	char name[VMSHM_NAME_MAX];
	unsigned int i;
	int fd;

	test_name(name);
	c.region_size = page_size();
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		fd = test_open();
		c.flags = flags[i];
		memset(c.name, 0, sizeof(c.name));
		if (!(c.flags & VMSHM_CREATE_ANON))
			snprintf(c.name, sizeof(c.name), "%s", name);
		test_ioctl_err(EOPNOTSUPP, fd, VMSHM_CREATE, &c);
		/* Nothing was created, nor bound. */
		test_err_attach(ENOENT, fd, name, 0);
		close(fd);
	}
}

TEST(bad_attach_flags)
{
	static const uint32_t flags[] = {
		1U << 1, 1U << 2, 1U << 31, VMSHM_ATTACH_RDONLY | (1U << 1),
	};
	struct vmshm_attach a = { .size = sizeof(a) };
	char name[VMSHM_NAME_MAX];
	int fd = test_open(), fd2;
	unsigned int i;

	test_name(name);
	test_cmd_create(fd, name, page_size(), 0600, VMSHM_CREATE_TRANSIENT);
	snprintf(a.name, sizeof(a.name), "%s", name);
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		fd2 = test_open();
		a.flags = flags[i];
		test_ioctl_err(EOPNOTSUPP, fd2, VMSHM_ATTACH, &a);
		/* The failed call bound nothing. */
		test_cmd_attach(fd2, name, VMSHM_ATTACH_RDONLY);
		close(fd2);
	}
	close(fd);
}

TEST(private_unbound)
{
	int fd = test_open();

	ASSERT_EQ(MAP_FAILED, mmap(NULL, page_size(), PROT_READ | PROT_WRITE,
				   MAP_PRIVATE, fd, 0));
	ASSERT_EQ(ENODEV, errno);
	ASSERT_EQ(MAP_FAILED, mmap(NULL, page_size(), PROT_READ, MAP_SHARED,
				   fd, 0));
	ASSERT_EQ(ENODEV, errno);
	close(fd);
}

static int set_memlock(rlim_t bytes)
{
	struct rlimit rl = { .rlim_cur = bytes, .rlim_max = bytes };

	return setrlimit(RLIMIT_MEMLOCK, &rl) ? -errno : 0;
}

/* One anonymous region of @len with @flags; its fd, or -errno. */
static int new_region(size_t len, uint32_t flags)
{
	int fd = vmshm_open(), ret;

	if (fd < 0)
		return fd;
	ret = vmshm_create(fd, NULL, len, 0600, VMSHM_CREATE_ANON | flags, NULL);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/* Root without CAP_IPC_LOCK, and RLIMIT_MEMLOCK 0: no locked region. */
static int memlock_zero_child(void *arg)
{
	int fd;

	if (set_memlock(0) || cap_drop(CAP_IPC_LOCK))
		return 1;
	if (new_region(page_size(), VMSHM_CREATE_LOCKED) != -EPERM)
		return 2;
	if (new_region(page_size(), VMSHM_CREATE_LOCKED |
		       VMSHM_CREATE_HUGE) != -EPERM)
		return 3;
	fd = new_region(page_size(), 0);
	return fd < 0 ? 4 : 0;
}

/* With CAP_IPC_LOCK, RLIMIT_MEMLOCK does not apply. */
static int memlock_capable_child(void *arg)
{
	int fd;

	if (set_memlock(0))
		return 1;
	fd = new_region(4 * page_size(), VMSHM_CREATE_LOCKED);
	return fd < 0 ? 2 : 0;
}

TEST(locked_needs_memlock)
{
	if (geteuid())
		SKIP(return, "needs root: CAP_IPC_LOCK");
	vmshm_require_device();
	ASSERT_EQ(0, run_child(memlock_zero_child, NULL));
	ASSERT_EQ(0, run_child(memlock_capable_child, NULL));
}

/*
 * An unprivileged user of its own, so that no one else's locked memory
 * counts: regions are charged to the user, as io_uring's buffers are.
 */
#define LOCKED_UID	54321
#define MEMLOCK_LIMIT	(1UL << 20)

static int memlock_limit_child(void *arg)
{
	size_t kib = 1024;
	int a, b, i, fd;

	if (set_memlock(MEMLOCK_LIMIT) || setgroups(0, NULL) ||
	    setgid(LOCKED_UID) || setuid(LOCKED_UID))
		return 1;
	if (new_region(2 * MEMLOCK_LIMIT, VMSHM_CREATE_LOCKED) != -ENOMEM)
		return 2;
	a = new_region(512 * kib, VMSHM_CREATE_LOCKED);
	if (a < 0)
		return 3;
	if (new_region(768 * kib, VMSHM_CREATE_LOCKED) != -ENOMEM)
		return 4;
	b = new_region(512 * kib, VMSHM_CREATE_LOCKED);
	if (b < 0)
		return 5;
	/* Destroying a region gives its charge back. */
	close(a);
	for (i = 0; i < 16; i++) {
		fd = new_region(512 * kib, VMSHM_CREATE_LOCKED);
		if (fd < 0)
			return 6;
		close(fd);
	}
	/* Regions that are not locked are not charged. */
	fd = new_region(4 * MEMLOCK_LIMIT, 0);
	return fd < 0 ? 7 : 0;
}

TEST(locked_over_memlock)
{
	if (geteuid())
		SKIP(return, "needs root: setuid");
	vmshm_require_device();
	ASSERT_EQ(0, run_child(memlock_limit_child, NULL));
}

/* /proc/PID/maps and smaps name the region, as they name a memfd. */
TEST(maps_name)
{
	char name[VMSHM_NAME_MAX], want[128], path[256];
	int fd = test_open(), anon = test_open();
	char *p, *q, *r;

	test_name(name);
	test_cmd_create(fd, name, 2 * page_size(), 0600, VMSHM_CREATE_TRANSIENT);
	test_cmd_create(anon, NULL, page_size(), 0600, VMSHM_CREATE_ANON);
	p = test_mmap(fd, 2 * page_size(), PROT_READ | PROT_WRITE, 0);
	q = mmap(NULL, page_size(), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
		 page_size());
	r = test_mmap(anon, page_size(), PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_NE(MAP_FAILED, r);
	snprintf(want, sizeof(want), "/vmshm:%s (deleted)", name);
	ASSERT_EQ(0, maps_path(getpid(), "maps", p, path, sizeof(path)));
	ASSERT_STREQ(want, path);
	ASSERT_EQ(0, maps_path(getpid(), "smaps", p, path, sizeof(path)));
	ASSERT_STREQ(want, path);
	ASSERT_EQ(0, maps_path(getpid(), "maps", q, path, sizeof(path)));
	ASSERT_STREQ(want, path);
	ASSERT_EQ(0, maps_path(getpid(), "maps", r, path, sizeof(path)));
	ASSERT_STREQ("/vmshm:(anon) (deleted)", path);
	close(fd);
	close(anon);
}

/*
 * Lifetime: create, map, touch, swap out, read back, destroy, over and
 * over, in a cgroup; then the module's counters and the cgroup's must be
 * back where they started.  The cycles vary: plain, locked, private
 * (copy-on-write pages swap as anonymous memory), huge (every fourth of
 * them a whole huge page, split to swap).
 */
#define LIFE_CYCLES	10000
#define LIFE_SECONDS	120
/*
 * Fewer cycles in LIFE_SECONDS is a failure.  The stock kernels do all
 * LIFE_CYCLES in 50 to 85 s under TCG on 2 CPUs, the KASAN debug kernel
 * about 1600.
 */
#define LIFE_MIN	500
#define LIFE_PAGES	16
#define LIFE_RECLAIM	64	/* every so many cycles, memory.reclaim too */

/**
 * struct life_stats - the cycles' results, in memory shared with the test
 * @cycles: cycles done
 * @swappable: cycles whose pages could go to swap (not locked)
 * @swapped: of those, cycles that saw region pages in swap
 * @locked_swapped: locked cycles that saw region pages in swap
 */
struct life_stats {
	uint64_t cycles, swappable, swapped, locked_swapped;
};

struct life_job {
	struct life_stats *stats;
	const char *cg_dir;
	unsigned long hpage;
};

/* The region flags, length and mmap flags of cycle @i. */
static void life_kind(const struct life_job *j, uint64_t i, uint32_t *flags,
		      size_t *len, int *map)
{
	*flags = VMSHM_CREATE_ANON;
	*len = LIFE_PAGES * page_size();
	*map = MAP_SHARED;
	switch (i % 4) {
	case 1:
		*flags |= VMSHM_CREATE_LOCKED;
		break;
	case 2:
		*map = MAP_PRIVATE;
		break;
	case 3:
		*flags |= VMSHM_CREATE_HUGE;
		if (j->hpage && i % 16 == 3)
			*len = j->hpage;
		break;
	}
}

/* One cycle; 0 or a worker exit code. */
static int life_cycle(struct life_job *j, uint64_t i)
{
	struct vmshm_stat st = { 0 };
	uint32_t flags;
	int fd, map, ret = 0;
	size_t len, k;
	char *p;

	life_kind(j, i, &flags, &len, &map);
	fd = new_region(len, flags);
	if (fd < 0)
		return S_CREATE;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, map, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return S_MMAP;
	}
	for (k = 0; k < LIFE_PAGES; k++)
		*(uint64_t *)(p + k * page_size()) = pattern(i, k);
	if (madvise(p, len, MADV_PAGEOUT))
		ret = S_PAGEOUT;
	if (!ret && i % LIFE_RECLAIM == 0)
		cg_write(j->cg_dir, "memory.reclaim", "1G");
	if (!ret && vmshm_stat(fd, &st))
		ret = S_STAT;
	for (k = 0; !ret && k < LIFE_PAGES; k++)
		if (*(uint64_t *)(p + k * page_size()) != pattern(i, k))
			ret = S_DATA;
	if (!ret && (flags & VMSHM_CREATE_LOCKED))
		j->stats->locked_swapped += st.out_swapped > 0;
	else if (!ret && map == MAP_SHARED)
		j->stats->swapped += st.out_swapped > 0;
	j->stats->swappable += !(flags & VMSHM_CREATE_LOCKED) && map == MAP_SHARED;
	munmap(p, len);
	close(fd);
	return ret;
}

/* Step 0: all the cycles, until LIFE_CYCLES or LIFE_SECONDS. */
static int life_step(int n, void *arg)
{
	uint64_t end = vmshm_now_ns() + LIFE_SECONDS * 1000000000ULL;
	struct life_job *j = arg;
	int ret;

	if (n)
		return 0;
	while (j->stats->cycles < LIFE_CYCLES && vmshm_now_ns() < end) {
		ret = life_cycle(j, j->stats->cycles);
		if (ret)
			return ret;
		j->stats->cycles++;
	}
	return 0;
}

FIXTURE(life) {
	struct cg cg;
};

FIXTURE_SETUP(life)
{
	char why[512], cg_name[64];

	if (geteuid())
		SKIP(return, "needs root: cgroups");
	if (!swap_available(why, sizeof(why)))
		SKIP(return, "%s", why);
	snprintf(cg_name, sizeof(cg_name), "vmshm-life-%d", getpid());
	if (cg_setup(&self->cg, cg_name, why, sizeof(why)))
		SKIP(return, "%s", why);
}

FIXTURE_TEARDOWN(life)
{
	cg_destroy(&self->cg);
}

/*
 * What may stay charged to an empty cgroup, in pages, and why:
 *  - memory.current: the charges each CPU keeps in stock for the cgroup
 *    (MEMCG_CHARGE_BATCH, 64 pages per CPU: cg_slack_pages());
 *  - memory.swap.current: swap slots freed into a CPU's swap slot cache
 *    (SWAP_SLOTS_CACHE_SIZE, 64 per CPU), which are uncharged only when
 *    the cache returns them to the swap device.
 */
#define SWAP_SLOTS_CACHE_PAGES	64

TEST_F_TIMEOUT(life, cycles, 300)
{
	long long mem0, swap0, mem1, swap1, slack = cg_slack_pages();
	long cpus = sysconf(_SC_NPROCESSORS_CONF);
	uint64_t start;
	struct vmshm_info before, after;
	struct life_job job = { .cg_dir = self->cg.dir,
				.hpage = hpage_size() };
	int fd = test_open();
	struct worker w;

	job.stats = mmap(NULL, sizeof(*job.stats), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, job.stats);
	memset(job.stats, 0, sizeof(*job.stats));	/* charged here */
	test_cmd_info(fd, &before);
	mem0 = cg_read_ll(&self->cg, "memory.current") / (long long)page_size();
	swap0 = cg_read_ll(&self->cg, "memory.swap.current");
	start = vmshm_now_ns();
	ASSERT_EQ(0, worker_start(&w, &self->cg, life_step, &job));
	ASSERT_EQ(0, worker_next(&w))
		TH_LOG("worker: status 0x%x (exit %d)", w.status,
		       WEXITSTATUS(w.status));
	ASSERT_EQ(0, worker_stop(&w));
	test_cmd_info(fd, &after);
	close(fd);
	TH_LOG("%llu cycles in %.1f s: %llu of %llu swappable ones saw swap, %llu locked ones did",
	       (unsigned long long)job.stats->cycles,
	       (vmshm_now_ns() - start) / 1e9,
	       (unsigned long long)job.stats->swapped,
	       (unsigned long long)job.stats->swappable,
	       (unsigned long long)job.stats->locked_swapped);
	ASSERT_LE(LIFE_MIN, job.stats->cycles);
	ASSERT_EQ(0, job.stats->locked_swapped);
	ASSERT_LE(job.stats->swappable / 2, job.stats->swapped)
		TH_LOG("MADV_PAGEOUT seldom moved region pages to swap");

	ASSERT_EQ(before.out_nr_regions, after.out_nr_regions);
	ASSERT_EQ(before.out_reserved_pages, after.out_reserved_pages);
	ASSERT_EQ(before.out_nr_pages, after.out_nr_pages);
	ASSERT_EQ(before.out_swapped_pages, after.out_swapped_pages);
	mem1 = cg_settled_pages(&self->cg, "memory.current", mem0 + slack);
	TH_LOG("memory.current %lld -> %lld pages (slack %lld)", mem0, mem1,
	       slack);
	ASSERT_GE(mem0 + slack, mem1);
	if (swap0 == -ENOENT)
		return;	/* no swap accounting */
	ASSERT_LE(0, swap0);
	swap1 = cg_settled_pages(&self->cg, "memory.swap.current",
				 swap0 / (long long)page_size() +
				 SWAP_SLOTS_CACHE_PAGES * cpus);
	TH_LOG("memory.swap.current %lld -> %lld pages", swap0 / (long long)page_size(),
	       swap1);
	ASSERT_GE(swap0 / (long long)page_size() +
		  SWAP_SLOTS_CACHE_PAGES * cpus, swap1);
}

TEST_HARNESS_MAIN
