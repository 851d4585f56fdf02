// SPDX-License-Identifier: GPL-2.0
/*
 * Memory cgroup accounting of region pages.  A region is a shmem file, and
 * a page of it is charged, like any shmem page, to the memory cgroup of
 * the task that first touches it; it counts against that cgroup's
 * memory.max, and is uncharged when the region frees it.  Each test runs
 * workers in fresh child cgroups (cgroup2, memory controller on) and
 * reads the counters between the workers' steps:
 *
 *   charged             N touched pages raise memory.current and the
 *                       "shmem" line of memory.stat by N pages, and both
 *                       fall back when the region goes
 *   first_toucher_pays  a region created in one cgroup and touched from
 *                       another charges the toucher's, not the creator's
 *   limit_oom_kill      touching past memory.max runs the cgroup's OOM
 *                       killer, which kills the toucher (SIGKILL); its
 *                       region goes with it
 *   limit_enomem        with nothing the OOM killer may kill,
 *                       MADV_POPULATE_WRITE fails with ENOMEM, and
 *                       MAP_POPULATE stops at the limit
 *
 * The kernel logs a stack trace with each cgroup OOM report; vm-run.sh
 * accepts that trace, and only that one.  Skips when cgroup2 or its memory
 * controller is missing.
 */
#include <signal.h>

#include "vmshm_test.h"
#include "vmshm_cgroup.h"

#define NR_PAGES	1024			/* 4 MiB */
#define LIMIT_PAGES	2048			/* memory.max, 8 MiB */
#define BIG_PAGES	(4 * LIMIT_PAGES)	/* a region past the limit */

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif

/* Worker exit codes, each a step that went wrong. */
enum {
	W_OPEN = 10,		/* open or VMSHM_CREATE/ATTACH failed */
	W_MMAP,			/* mmap() failed */
	W_OOM_ADJ,		/* cannot write /proc/self/oom_score_adj */
	W_NO_LIMIT,		/* touched every page: memory.max never hit */
	W_MAP_POPULATE,		/* a MAP_POPULATE mmap past the limit failed */
	W_PAST_LIMIT,		/* ... or populated past the limit */
	W_POPULATE_OK,		/* MADV_POPULATE_WRITE past the limit worked */
	W_POPULATE_ERRNO,	/* ... or failed with another errno */
};

static const char *const worker_why[] = {
	[W_OPEN] = "open or VMSHM_CREATE/VMSHM_ATTACH failed",
	[W_MMAP] = "mmap() of the region failed",
	[W_OOM_ADJ] = "cannot write /proc/self/oom_score_adj",
	[W_NO_LIMIT] = "touched every page: memory.max never stopped it",
	[W_MAP_POPULATE] = "a MAP_POPULATE mmap() past memory.max failed",
	[W_PAST_LIMIT] = "a MAP_POPULATE mmap() populated more pages than memory.max holds",
	[W_POPULATE_OK] = "MADV_POPULATE_WRITE past memory.max succeeded",
	[W_POPULATE_ERRNO] = "MADV_POPULATE_WRITE past memory.max failed, but not with ENOMEM",
	[W_CGROUP] = "could not move itself into its cgroup",
	[W_PIPE] = "lost its pipe to the test",
};

/* What a worker's status means, for a TH_LOG. */
static const char *worker_status(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status)) {
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	} else if (WIFEXITED(status)) {
		int code = WEXITSTATUS(status);

		snprintf(buf, len, "exit %d: %s", code,
			 code < (int)(sizeof(worker_why) / sizeof(*worker_why)) &&
			 worker_why[code] ? worker_why[code] : "?");
	} else {
		snprintf(buf, len, "status 0x%x", status);
	}
	return buf;
}

FIXTURE(memcg) {
	struct cg cg;
	struct cg cg2;
	struct vmshm_info before;
	char name[VMSHM_NAME_MAX];
	long slack;
};

FIXTURE_SETUP(memcg)
{
	char why[512], cg_name[64];
	int fd = test_open();

	test_cmd_info(fd, &self->before);
	close(fd);
	if (geteuid())
		SKIP(return, "needs root: cgroups");
	snprintf(cg_name, sizeof(cg_name), "vmshm-memcg-%d", getpid());
	if (cg_setup(&self->cg, cg_name, why, sizeof(why)))
		SKIP(return, "%s", why);
	snprintf(cg_name, sizeof(cg_name), "vmshm-memcg-%d-b", getpid());
	if (cg_setup(&self->cg2, cg_name, why, sizeof(why))) {
		cg_destroy(&self->cg);
		SKIP(return, "%s", why);
	}
	snprintf(self->name, sizeof(self->name), "memcg-%d", getpid());
	self->slack = cg_slack_pages();
}

FIXTURE_TEARDOWN(memcg)
{
	cg_destroy(&self->cg);
	cg_destroy(&self->cg2);
}

/* memory.current of @cg, in pages. */
#define cg_pages(_cg) ({						\
	long long __b = cg_read_ll(_cg, "memory.current");		\
	ASSERT_LE(0, __b) TH_LOG("%s/memory.current: %s", (_cg)->dir,	\
				 strerror(-__b));			\
	__b / (long long)page_size();					\
})

/* A line of @cg's memory.stat, in pages. */
#define cg_stat_pages(_cg, _key) ({					\
	long long __b = cg_read_key(_cg, "memory.stat", _key);		\
	ASSERT_LE(0, __b) TH_LOG("%s/memory.stat, line \"%s\": %s",	\
				 (_cg)->dir, _key, strerror(-__b));	\
	__b / (long long)page_size();					\
})

/* A line of @cg's memory.events. */
#define cg_event(_cg, _key) ({						\
	long long __n = cg_read_key(_cg, "memory.events", _key);	\
	ASSERT_LE(0, __n) TH_LOG("%s/memory.events, line \"%s\": %s",	\
				 (_cg)->dir, _key, strerror(-__n));	\
	__n;								\
})

/* The module's counters are back where the test started. */
#define ASSERT_MODULE_CLEAN(_self) do {					\
	struct vmshm_info __now;					\
	int __fd = test_open();						\
	test_cmd_info(__fd, &__now);					\
	close(__fd);							\
	ASSERT_EQ((_self)->before.out_nr_regions, __now.out_nr_regions)	\
		TH_LOG("a region outlived its processes");		\
	ASSERT_EQ((_self)->before.out_nr_pages, __now.out_nr_pages)	\
		TH_LOG("region pages outlived their region");		\
} while (0)

/* What the workers of a test share; set up before they fork. */
struct job {
	const char *name;
	unsigned long pages;
	int fd;
	char *map;
	volatile uint64_t *touched;	/* MAP_SHARED: the test reads it */
};

/* Step 0: a transient region of job->pages, mapped.  Step 1: touch it. */
static int create_touch_step(int n, void *arg)
{
	struct job *j = arg;
	unsigned long i;

	switch (n) {
	case 0:
		j->fd = vmshm_open();
		if (j->fd < 0 || vmshm_create(j->fd, j->name, j->pages * page_size(),
					      0600, VMSHM_CREATE_TRANSIENT, NULL))
			return W_OPEN;
		j->map = test_mmap(j->fd, j->pages * page_size(),
				   PROT_READ | PROT_WRITE, 0);
		return j->map == MAP_FAILED ? W_MMAP : 0;
	case 1:
		for (i = 0; i < j->pages; i++) {
			j->map[i * page_size()] = 1;
			if (j->touched)
				*j->touched = i + 1;
		}
		/* Past the limit the OOM killer should have stopped us. */
		return j->touched ? W_NO_LIMIT : 0;
	}
	return 0;
}

/* Step 0: attach to job->name and map it.  Step 1: touch every page. */
static int attach_touch_step(int n, void *arg)
{
	struct job *j = arg;

	switch (n) {
	case 0:
		j->fd = vmshm_open();
		if (j->fd < 0 || vmshm_attach(j->fd, j->name, 0, NULL, NULL))
			return W_OPEN;
		j->map = test_mmap(j->fd, j->pages * page_size(),
				   PROT_READ | PROT_WRITE, 0);
		return j->map == MAP_FAILED ? W_MMAP : 0;
	case 1:
		touch_pages(j->map, j->pages);
		return 0;
	}
	return 0;
}

TEST_F(memcg, charged)
{
	struct job job = { .name = self->name, .pages = NR_PAGES };
	long long c0, c1, c2, k0, k1, k2, m0, m1;
	struct worker w;
	char buf[128];

	ASSERT_EQ(0, worker_start(&w, &self->cg, create_touch_step, &job));
	ASSERT_EQ(0, worker_next(&w))
		TH_LOG("worker: %s", worker_status(w.status, buf, sizeof(buf)));
	c0 = cg_pages(&self->cg);
	k0 = cg_stat_pages(&self->cg, "shmem");
	m0 = cg_stat_pages(&self->cg, "file_mapped");

	ASSERT_EQ(0, worker_next(&w))
		TH_LOG("worker: %s", worker_status(w.status, buf, sizeof(buf)));
	c1 = cg_pages(&self->cg);
	k1 = cg_stat_pages(&self->cg, "shmem");
	m1 = cg_stat_pages(&self->cg, "file_mapped");
	TH_LOG("%d pages touched: memory.current %+lld, shmem %+lld, file_mapped %+lld pages",
	       NR_PAGES, c1 - c0, k1 - k0, m1 - m0);
	/* Charged once each, give or take the per-CPU batches. */
	ASSERT_LE(NR_PAGES - self->slack, c1 - c0)
		TH_LOG("memory.current grew by %lld pages for %d touched pages: the region's pages are not charged to the toucher's cgroup",
		       c1 - c0, NR_PAGES);
	ASSERT_GE(NR_PAGES + self->slack, c1 - c0)
		TH_LOG("memory.current grew by %lld pages for %d touched pages: charged more than once?",
		       c1 - c0, NR_PAGES);
	ASSERT_LE(NR_PAGES - self->slack, k1 - k0)
		TH_LOG("memory.stat shmem grew by %lld pages for %d touched pages: not charged as shmem pages",
		       k1 - k0, NR_PAGES);
	ASSERT_LE(NR_PAGES - self->slack, m1 - m0)
		TH_LOG("memory.stat file_mapped grew by %lld pages for %d pages mapped and touched",
		       m1 - m0, NR_PAGES);

	ASSERT_EQ(0, worker_stop(&w))
		TH_LOG("worker: %s", worker_status(w.status, buf, sizeof(buf)));
	c2 = cg_settled_pages(&self->cg, "memory.current", c0 + self->slack);
	ASSERT_LE(0, c2) TH_LOG("%s/memory.current: %s", self->cg.dir,
				strerror(-c2));
	k2 = cg_stat_pages(&self->cg, "shmem");
	TH_LOG("worker gone: memory.current %lld, shmem %lld pages (before touching: %lld, %lld)",
	       c2, k2, c0, k0);
	ASSERT_GE(c0 + self->slack, c2)
		TH_LOG("memory.current still %lld pages above where it was: region pages not uncharged",
		       c2 - c0);
	ASSERT_GE(k0 + self->slack, k2)
		TH_LOG("memory.stat shmem still %lld pages above where it was",
		       k2 - k0);
	ASSERT_MODULE_CLEAN(self);
}

TEST_F(memcg, first_toucher_pays)
{
	struct job maker = { .name = self->name, .pages = NR_PAGES };
	struct job toucher = { .name = self->name, .pages = NR_PAGES };
	long long a0, a1, b0, b1;
	struct worker wa, wb;
	char buf[128];

	/* A creates and maps, B attaches and touches: B pays. */
	ASSERT_EQ(0, worker_start(&wa, &self->cg, create_touch_step, &maker));
	ASSERT_EQ(0, worker_next(&wa))
		TH_LOG("creator: %s", worker_status(wa.status, buf, sizeof(buf)));
	ASSERT_EQ(0, worker_start(&wb, &self->cg2, attach_touch_step, &toucher));
	ASSERT_EQ(0, worker_next(&wb))
		TH_LOG("toucher: %s", worker_status(wb.status, buf, sizeof(buf)));
	a0 = cg_pages(&self->cg);
	b0 = cg_pages(&self->cg2);
	ASSERT_EQ(0, worker_next(&wb))
		TH_LOG("toucher: %s", worker_status(wb.status, buf, sizeof(buf)));
	/* The pages exist now: the creator touching them allocates none. */
	ASSERT_EQ(0, worker_next(&wa))
		TH_LOG("creator: %s", worker_status(wa.status, buf, sizeof(buf)));
	a1 = cg_pages(&self->cg);
	b1 = cg_pages(&self->cg2);
	TH_LOG("%d pages touched: creator's cgroup %+lld, toucher's %+lld pages",
	       NR_PAGES, a1 - a0, b1 - b0);
	ASSERT_GE(self->slack, a1 - a0)
		TH_LOG("the creator's cgroup paid %lld pages for pages another cgroup touched first",
		       a1 - a0);
	ASSERT_LE(NR_PAGES - self->slack, b1 - b0)
		TH_LOG("the first toucher's cgroup paid only %lld pages of %d",
		       b1 - b0, NR_PAGES);
	ASSERT_EQ(0, worker_stop(&wb))
		TH_LOG("toucher: %s", worker_status(wb.status, buf, sizeof(buf)));
	ASSERT_EQ(0, worker_stop(&wa))
		TH_LOG("creator: %s", worker_status(wa.status, buf, sizeof(buf)));
	ASSERT_GE(b0 + self->slack, cg_pages(&self->cg2))
		TH_LOG("the toucher's cgroup kept its charge after the region went");
	ASSERT_MODULE_CLEAN(self);
}

/* Set memory.max of @cg to LIMIT_PAGES, and no swap. */
#define set_limit(_cg) do {						\
	char __v[32];							\
	int __ret;							\
	snprintf(__v, sizeof(__v), "%lu", LIMIT_PAGES * page_size());	\
	__ret = cg_write((_cg)->dir, "memory.max", __v);		\
	ASSERT_EQ(0, __ret) TH_LOG("%s/memory.max: %s", (_cg)->dir,	\
				   strerror(-__ret));			\
	/* Absent without CONFIG_MEMCG_SWAP or swap accounting. */	\
	cg_write((_cg)->dir, "memory.swap.max", "0");			\
} while (0)

TEST_F_TIMEOUT(memcg, limit_oom_kill, 120)
{
	struct job job = { .name = self->name, .pages = BIG_PAGES };
	unsigned long touched;
	long long c0, c1, ooms, kills;
	struct worker w;
	char buf[128];

	job.touched = mmap(NULL, page_size(), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, job.touched);
	*job.touched = 0;	/* charged here, not in the cgroup */
	set_limit(&self->cg);

	ASSERT_EQ(0, worker_start(&w, &self->cg, create_touch_step, &job));
	ASSERT_EQ(0, worker_next(&w))
		TH_LOG("worker: %s", worker_status(w.status, buf, sizeof(buf)));
	c0 = cg_pages(&self->cg);
	ASSERT_EQ(-1, worker_next(&w))
		TH_LOG("the worker touched %lu pages past memory.max of %d pages and lived",
		       (unsigned long)*job.touched, LIMIT_PAGES);
	touched = *job.touched;
	ooms = cg_event(&self->cg, "oom");
	kills = cg_event(&self->cg, "oom_kill");
	TH_LOG("worker %s after touching %lu of %d pages; memory.events oom %lld oom_kill %lld",
	       worker_status(w.status, buf, sizeof(buf)), touched, BIG_PAGES,
	       ooms, kills);
	ASSERT_TRUE(WIFSIGNALED(w.status) && WTERMSIG(w.status) == SIGKILL)
		TH_LOG("want SIGKILL from the cgroup's OOM killer");
	ASSERT_LE(1, kills)
		TH_LOG("the worker was killed, but not by the cgroup's OOM killer");
	/* The limit stopped it, and its pages were charged up to there. */
	ASSERT_LE(LIMIT_PAGES / 2, touched)
		TH_LOG("killed after only %lu pages of a %d-page limit",
		       touched, LIMIT_PAGES);
	ASSERT_GE(LIMIT_PAGES, touched)
		TH_LOG("%lu pages touched, more than the %d-page limit: region pages escape memory.max",
		       touched, LIMIT_PAGES);

	/* Its transient region died with it, and every page was uncharged. */
	worker_stop(&w);
	c1 = cg_pages(&self->cg);
	ASSERT_GE(c0 + self->slack, c1)
		TH_LOG("memory.current %lld pages after the kill, %lld before touching",
		       c1, c0);
	ASSERT_MODULE_CLEAN(self);
}

/*
 * Step 0: become unkillable by the OOM killer.  Step 1: a MAP_POPULATE
 * mmap() past the limit succeeds, as population is best effort, with no
 * more pages than the limit holds.  Step 2: populating a lazy mapping with
 * MADV_POPULATE_WRITE must fail with ENOMEM, reporting what a touch would
 * only retry (VM_FAULT_OOM).
 */
static int enomem_step(int n, void *arg)
{
	struct job *j = arg;
	size_t len = j->pages * page_size();
	struct vmshm_stat st;
	int fd;

	switch (n) {
	case 0:
		fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "-1000", 5) != 5)
			return W_OOM_ADJ;
		close(fd);
		return 0;
	case 1:
		fd = vmshm_open();
		if (fd < 0 || vmshm_create(fd, NULL, len, 0600,
					   VMSHM_CREATE_ANON, NULL))
			return W_OPEN;
		j->map = mmap(NULL, len, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_POPULATE, fd, 0);
		if (j->map == MAP_FAILED)
			return W_MAP_POPULATE;
		if (vmshm_stat(fd, &st) || st.out_resident > LIMIT_PAGES)
			return W_PAST_LIMIT;
		munmap(j->map, len);
		close(fd);
		return 0;
	case 2:
		fd = vmshm_open();
		if (fd < 0 || vmshm_create(fd, NULL, len, 0600,
					   VMSHM_CREATE_ANON, NULL))
			return W_OPEN;
		j->map = test_mmap(fd, len, PROT_READ | PROT_WRITE, 0);
		if (j->map == MAP_FAILED)
			return W_MMAP;
		if (!madvise(j->map, len, MADV_POPULATE_WRITE))
			return W_POPULATE_OK;
		if (errno != ENOMEM)
			return W_POPULATE_ERRNO;
		munmap(j->map, len);
		close(fd);
		return 0;
	}
	return 0;
}

TEST_F_TIMEOUT(memcg, limit_enomem, 120)
{
	struct job job = { .name = self->name, .pages = BIG_PAGES };
	long long c0, c1, ooms, kills;
	struct worker w;
	char buf[128];
	int step;

	set_limit(&self->cg);
	ASSERT_EQ(0, worker_start(&w, &self->cg, enomem_step, &job));
	ASSERT_EQ(0, worker_next(&w))
		TH_LOG("worker: %s", worker_status(w.status, buf, sizeof(buf)));
	c0 = cg_pages(&self->cg);
	for (step = 1; step <= 2; step++) {
		ASSERT_EQ(0, worker_next(&w))
			TH_LOG("worker, step %d: %s", step,
			       worker_status(w.status, buf, sizeof(buf)));
		/* Whatever the failed attempt allocated went with it. */
		c1 = cg_pages(&self->cg);
		ASSERT_GE(c0 + self->slack, c1)
			TH_LOG("step %d: memory.current %lld pages, %lld before",
			       step, c1, c0);
	}
	ooms = cg_event(&self->cg, "oom");
	kills = cg_event(&self->cg, "oom_kill");
	TH_LOG("memory.events: oom %lld, oom_kill %lld", ooms, kills);
	ASSERT_LE(2, ooms)
		TH_LOG("both steps should have gone through the cgroup's OOM path");
	ASSERT_EQ(0, kills)
		TH_LOG("the OOM killer killed an unkillable worker?");
	ASSERT_EQ(0, worker_stop(&w))
		TH_LOG("worker: %s", worker_status(w.status, buf, sizeof(buf)));
	ASSERT_MODULE_CLEAN(self);
}

TEST_HARNESS_MAIN
