// SPDX-License-Identifier: GPL-2.0
/*
 * tour_probe: the guest-side measurements of `make tour` that a shell
 * cannot make (scripts/tour-guest.sh narrates and checks them).
 *
 *   tour_probe share             ch. 1, 4: two processes, one region
 *   tour_probe demand PAGES      ch. 2: touch page by page
 *   tour_probe isolate           ch. 3: another uid, a process without it
 *   tour_probe rusage CMD...     ch. 5: CPU time and context switches
 *   tour_probe swap PAGES        ch. 6: a memory cgroup squeezes a region
 *   tour_probe thrash PAGES PASSES PCT...   ch. 7: limit sweep
 *   tour_probe cow               ch. 8: a private mapping is written
 *   tour_probe huge PAGES        ch. 9: the same touch on a huge region
 *
 * Results are "key=value" lines on stdout, for the shell to read; tables
 * go to CSV files in $TOUR_OUT (default ".").  Page maps are drawn from
 * /proc/self/pagemap and /proc/kpageflags (root), and also by the command
 * in $TOUR_PAGES followed by the region's name, when it is set
 * ("vmshmctl pages").  Exit status: 0, 1 when a step failed (the message
 * says which), 4 when the kernel lacks what the step needs.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/vmshm.h>
#include "libvmshm.h"
#include "vmshm_cgroup.h"

#define PM_PFN_MASK	((1ULL << 55) - 1)
#define PM_FILE		(1ULL << 61)
#define PM_SWAP		(1ULL << 62)
#define PM_PRESENT	(1ULL << 63)
#define KPF_THP		22
#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16

static const char *prog = "tour_probe";

static __attribute__((noreturn, format(printf, 1, 2)))
void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static FILE *out_csv(const char *name)
{
	const char *dir = getenv("TOUR_OUT");
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : ".", name);
	f = fopen(path, "w");
	if (!f)
		die("%s: %s", path, strerror(errno));
	return f;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

/* Our pagemap entry for @addr, or 0. */
static uint64_t pagemap(const void *addr)
{
	static int fd = -1;
	uint64_t e = 0;

	if (fd < 0)
		fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pread(fd, &e, sizeof(e), (uintptr_t)addr / page_size() *
			    sizeof(e)) != sizeof(e))
		return 0;
	return e;
}

static uint64_t pfn_of(const void *addr)
{
	uint64_t e = pagemap(addr);

	return e & PM_PRESENT ? e & PM_PFN_MASK : 0;
}

/* A word of /proc/kpageflags or /proc/kpagecount for @pfn, or 0. */
static uint64_t kpage(const char *file, uint64_t pfn)
{
	uint64_t v = 0;
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, &v, sizeof(v), pfn * sizeof(v)) != sizeof(v))
		v = 0;
	close(fd);
	return v;
}

/*
 * The state of one page as this process sees it: '.' not present here,
 * '#' resident, '=' resident and mapped by more than one process, 'H'
 * part of a huge page, 's' in swap.
 */
static char page_state(const void *addr)
{
	uint64_t e = pagemap(addr), pfn = e & PM_PFN_MASK, fl;

	if (e & PM_SWAP)
		return 's';
	if (!(e & PM_PRESENT))
		return '.';
	if (!pfn)
		return '#';	/* not root: no PFN, no flags */
	fl = kpage("/proc/kpageflags", pfn);
	if (fl & (1ULL << KPF_THP | 1ULL << KPF_COMPOUND_HEAD |
		  1ULL << KPF_COMPOUND_TAIL))
		return 'H';
	return kpage("/proc/kpagecount", pfn) > 1 ? '=' : '#';
}

/*
 * Show the page map of @npages at @addr: our own line (also in
 * $TOUR_OUT/@tag-map.csv) and `$TOUR_PAGES NAME` when it is set.
 */
static void show_map(const char *tag, const char *name, char *addr,
		     size_t npages)
{
	const char *cmd = getenv("TOUR_PAGES");
	char file[128], buf[512];
	size_t i, ps = page_size();
	FILE *f;

	snprintf(file, sizeof(file), "%s-map.csv", tag);
	f = out_csv(file);
	fprintf(f, "page,state,pfn\n");
	printf("map_%s=", tag);
	for (i = 0; i < npages; i++) {
		char c = page_state(addr + i * ps);

		if (npages <= 128 || i % (npages / 64) == 0)
			putchar(c);
		fprintf(f, "%zu,%c,%" PRIu64 "\n", i, c, pfn_of(addr + i * ps));
	}
	putchar('\n');
	fclose(f);
	fflush(stdout);
	/* vmshmctl's map once per region, when it says the most. */
	if (cmd && *cmd && name && strcmp(tag, "demand_0") &&
	    strcmp(tag, "demand_all")) {
		fprintf(stderr, "  $ vmshmctl pages %s    (%s)\n", name, tag);
		snprintf(buf, sizeof(buf), "%s %s >&2", cmd, name);
		if (system(buf))
			fprintf(stderr, "%s: \"%s\" failed\n", prog, buf);
	}
}

static int region(const char *name, size_t size, uint32_t flags,
		  char **addr)
{
	int fd = vmshm_open(), ret;
	void *p;

	if (fd < 0)
		die("/dev/vmshm: %s", strerror(-fd));
	ret = vmshm_create(fd, name, size, 0600, flags, NULL);
	if (ret)
		die("create %s: %s", name, strerror(-ret));
	if (addr) {
		ret = vmshm_map(fd, size, PROT_READ | PROT_WRITE, &p);
		if (ret)
			die("mmap %s: %s", name, strerror(-ret));
		*addr = p;
	}
	return fd;
}

static struct vmshm_stat stat_of(int fd)
{
	struct vmshm_stat st;
	int ret = vmshm_stat(fd, &st);

	if (ret)
		die("VMSHM_STAT: %s", strerror(-ret));
	return st;
}

static void xwrite(int fd, const void *buf, size_t len)
{
	if (write(fd, buf, len) != (ssize_t)len)
		die("pipe write: %s", strerror(errno));
}

static void xread(int fd, void *buf, size_t len)
{
	if (read(fd, buf, len) != (ssize_t)len)
		die("pipe read: the other process is gone");
}

#define SHARE_PAGES	4

/* What the second process of `share` reports back. */
struct share_report {
	pid_t pid;
	uintptr_t va;
	uint64_t pfn[SHARE_PAGES];
	char read[64];
};

static void share_child(const char *name, int go, int back)
{
	struct share_report r = { .pid = getpid() };
	size_t ps = page_size(), size = SHARE_PAGES * ps, i;
	uint64_t sz;
	void *p;
	char c;
	int fd;

	/* Take the address the parent got, as an unrelated process would. */
	if (mmap(NULL, 64 * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
	    MAP_FAILED)
		die("mmap: %s", strerror(errno));
	xread(go, &c, 1);
	fd = vmshm_open();
	if (fd < 0 || vmshm_attach(fd, name, 0, &sz, NULL) ||
	    vmshm_map(fd, size, PROT_READ | PROT_WRITE, &p))
		die("child: attach %s failed", name);
	r.va = (uintptr_t)p;
	snprintf(r.read, sizeof(r.read), "%s", (char *)p);
	snprintf((char *)p + ps, 64, "child %d read your line", getpid());
	for (i = 0; i < SHARE_PAGES; i++) {
		c = ((volatile char *)p)[i * ps + 100];
		r.pfn[i] = pfn_of((char *)p + i * ps);
	}
	xwrite(back, &r, sizeof(r));
	xread(go, &c, 1);
	_exit(0);
}

static int cmd_share(void)
{
	size_t ps = page_size(), size = SHARE_PAGES * ps, i;
	int go[2], back[2], fd, same = 0, st;
	struct share_report r;
	struct vmshm_stat s;
	char name[64], *p, snap[65536];
	ssize_t n;
	pid_t pid;
	FILE *f;

	snprintf(name, sizeof(name), "tour-share-%d", getpid());
	if (pipe(go) || pipe(back))
		die("pipe: %s", strerror(errno));
	fd = region(name, size, VMSHM_CREATE_TRANSIENT, NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid)
		share_child(name, go[0], back[1]);
	if (vmshm_map(fd, size, PROT_READ | PROT_WRITE, (void **)&p))
		die("mmap %s failed", name);
	for (i = 0; i < SHARE_PAGES; i++)
		p[i * ps + 100] = 1;
	snprintf(p, 64, "hello from parent %d", getpid());
	xwrite(go[1], "g", 1);
	xread(back[0], &r, sizeof(r));
	n = read_file("/proc/vmshm", snap, sizeof(snap));
	s = stat_of(fd);
	f = out_csv("frames.csv");
	fprintf(f, "role,pid,page,va,pfn\n");
	for (i = 0; i < SHARE_PAGES; i++) {
		uint64_t mine = pfn_of(p + i * ps);

		fprintf(f, "parent,%d,%zu,0x%" PRIxPTR ",%" PRIu64 "\n",
			getpid(), i, (uintptr_t)(p + i * ps), mine);
		fprintf(f, "child,%d,%zu,0x%" PRIxPTR ",%" PRIu64 "\n",
			r.pid, i, r.va + i * ps, r.pfn[i]);
		same += mine && mine == r.pfn[i];
	}
	fclose(f);
	f = out_csv("share-proc-vmshm.txt");
	if (n > 0)
		fputs(snap, f);
	fclose(f);
	printf("name=%s\npages=%d\nparent_pid=%d\nparent_va=0x%" PRIxPTR
	       "\nchild_pid=%d\nchild_va=0x%" PRIxPTR "\n",
	       name, SHARE_PAGES, getpid(), (uintptr_t)p, r.pid, r.va);
	printf("parent_pfn0=%" PRIu64 "\nchild_pfn0=%" PRIu64 "\nsame_frames=%d\n",
	       pfn_of(p), r.pfn[0], same);
	printf("child_read='%s'\nparent_read='%s'\n", r.read, p + ps);
	printf("faults=%llu\nresident=%llu\nmappings=%u\n",
	       (unsigned long long)s.out_faults,
	       (unsigned long long)s.out_resident, s.out_nr_mappings);
	xwrite(go[1], "g", 1);
	waitpid(pid, &st, 0);
	return 0;
}

static int cmd_demand(size_t npages)
{
	size_t ps = page_size(), i;
	struct vmshm_stat s;
	struct rusage ru0, ru1;
	char name[64], *p;
	FILE *f;
	int fd;

	snprintf(name, sizeof(name), "tour-demand-%d", getpid());
	fd = region(name, npages * ps, VMSHM_CREATE_TRANSIENT, &p);
	f = out_csv("demand.csv");
	fprintf(f, "touched,region_faults,resident,task_minflt\n");
	s = stat_of(fd);
	getrusage(RUSAGE_SELF, &ru0);
	printf("faults0=%llu\nresident0=%llu\n",
	       (unsigned long long)s.out_faults,
	       (unsigned long long)s.out_resident);
	fprintf(f, "0,%llu,%llu,0\n", (unsigned long long)s.out_faults,
		(unsigned long long)s.out_resident);
	show_map("demand_0", name, p, npages);
	for (i = 0; i < npages; i++) {
		p[i * ps] = 1;
		s = stat_of(fd);
		getrusage(RUSAGE_SELF, &ru1);
		fprintf(f, "%zu,%llu,%llu,%ld\n", i + 1,
			(unsigned long long)s.out_faults,
			(unsigned long long)s.out_resident,
			ru1.ru_minflt - ru0.ru_minflt);
		printf("step=%zu faults=%llu resident=%llu\n", i + 1,
		       (unsigned long long)s.out_faults,
		       (unsigned long long)s.out_resident);
		if (i + 1 == npages / 2)
			show_map("demand_half", name, p, npages);
	}
	fclose(f);
	show_map("demand_all", name, p, npages);
	return 0;
}

static int cmd_isolate(void)
{
	size_t ps = page_size();
	int fd, st, sync_pipe[2], err = 0;
	uintptr_t va;
	char name[64], *p;
	pid_t pid;

	snprintf(name, sizeof(name), "tour-isolate-%d", getpid());
	if (pipe(sync_pipe))
		die("pipe: %s", strerror(errno));
	/* The third process: forked before the mapping exists. */
	pid = fork();
	if (!pid) {
		xread(sync_pipe[0], &va, sizeof(va));
		/* The same number, but no mapping here: SIGSEGV. */
		printf("third_read=%d\n", *(volatile char *)va);
		_exit(0);
	}
	fd = region(name, ps, VMSHM_CREATE_TRANSIENT, &p);
	strcpy(p, "secret");
	va = (uintptr_t)p;
	xwrite(sync_pipe[1], &va, sizeof(va));
	waitpid(pid, &st, 0);
	printf("va=0x%" PRIxPTR "\nthird_signal=%d\n", va,
	       WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	pid = fork();
	if (!pid) {
		int fd2;
		uint64_t sz;

		if (setgid(65534) || setuid(65534))
			_exit(100);
		fd2 = vmshm_open();
		if (fd2 < 0)
			_exit(101);
		_exit(-vmshm_attach(fd2, name, 0, &sz, NULL));
	}
	waitpid(pid, &st, 0);
	if (WIFEXITED(st))
		err = WEXITSTATUS(st);
	printf("other_uid=65534\nattach_errno=%d\nattach_error='%s'\n", err,
	       err < 100 ? strerror(err) : "setuid or open failed");
	printf("mode=0%o\n", stat_of(fd).out_mode);
	return 0;
}

/* Run argv, print its and its children's CPU time and context switches. */
static int cmd_rusage(char **argv)
{
	struct rusage ru;
	uint64_t t0 = now_us();
	int st;
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		execvp(argv[0], argv);
		die("%s: %s", argv[0], strerror(errno));
	}
	if (wait4(pid, &st, 0, &ru) < 0)
		die("wait4: %s", strerror(errno));
	printf("status=%d\nwall_us=%" PRIu64 "\nutime_us=%ld\nstime_us=%ld\n"
	       "nvcsw=%ld\nnivcsw=%ld\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128,
	       now_us() - t0, ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec,
	       ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec,
	       ru.ru_nvcsw, ru.ru_nivcsw);
	/* wait4() counts the grandchildren the command itself reaped. */
	return 0;
}

/*
 * A worker in cgroup @cg: create region @name of @npages and touch it, then
 * on each byte from @go touch every page again, reporting the pass time
 * on @back; it exits at end of file.
 */
static void toucher(struct cg *cg, const char *name, size_t npages, int go,
		    int back)
{
	size_t ps = page_size(), i;
	uint64_t t;
	char c, *p;
	int bad;

	if (cg_move(cg->dir, getpid()))
		die("cannot enter %s", cg->dir);
	region(name, npages * ps, VMSHM_CREATE_TRANSIENT, &p);
	for (i = 0; i < npages; i++)
		memset(p + i * ps, (int)(i & 0x7f) + 1, 16);
	t = 0;
	xwrite(back, &t, sizeof(t));
	while (read(go, &c, 1) == 1) {
		t = now_us();
		bad = 0;
		for (i = 0; i < npages; i++) {
			bad += ((volatile char *)p)[i * ps] != (char)((i & 0x7f) + 1);
			p[i * ps + 8] = c;
		}
		t = now_us() - t;
		if (bad)
			t = 0;	/* the data did not survive: say so */
		xwrite(back, &t, sizeof(t));
	}
	_exit(0);
}

struct squeeze {
	struct cg cg;
	char name[64];
	int go, back, fd;
	pid_t pid;
};

static int squeeze_start(struct squeeze *q, const char *tag, size_t npages,
			 long long max_bytes)
{
	int go[2], back[2];
	char why[512], buf[32];
	uint64_t t;
	uint64_t sz;

	snprintf(buf, sizeof(buf), "tour-%s-%d", tag, getpid());
	if (cg_setup(&q->cg, buf, why, sizeof(why))) {
		printf("skip_reason='%s'\n", why);
		return 4;
	}
	if (max_bytes > 0) {
		snprintf(buf, sizeof(buf), "%lld", max_bytes);
		if (cg_write(q->cg.dir, "memory.max", buf))
			die("%s/memory.max: cannot write %s", q->cg.dir, buf);
	}
	snprintf(q->name, sizeof(q->name), "tour-%s-%d", tag, getpid());
	if (pipe(go) || pipe(back))
		die("pipe: %s", strerror(errno));
	q->pid = fork();
	if (!q->pid) {
		close(go[1]);
		toucher(&q->cg, q->name, npages, go[0], back[1]);
	}
	close(go[0]);
	close(back[1]);
	q->go = go[1];
	q->back = back[0];
	xread(q->back, &t, sizeof(t));
	q->fd = vmshm_open();
	if (q->fd < 0 || vmshm_attach(q->fd, q->name, 0, &sz, NULL))
		die("attach %s failed", q->name);
	return 0;
}

static uint64_t squeeze_pass(struct squeeze *q)
{
	uint64_t t;

	xwrite(q->go, "x", 1);
	xread(q->back, &t, sizeof(t));
	if (!t)
		die("%s: a page came back with the wrong data", q->name);
	return t;
}

static void squeeze_stop(struct squeeze *q)
{
	int st;

	close(q->go);
	close(q->back);
	waitpid(q->pid, &st, 0);
	close(q->fd);
	cg_destroy(&q->cg);
}

static bool have_swap(void)
{
	char buf[4096];
	ssize_t n = read_file("/proc/swaps", buf, sizeof(buf));

	return n > 0 && strchr(buf, '\n') && strchr(buf, '\n')[1];
}

static int cmd_swap(size_t npages)
{
	struct vmshm_stat s0, s1, s2;
	struct squeeze q;
	char amount[32];
	uint64_t us;
	int i, ret;

	if (!have_swap()) {
		printf("skip_reason='no swap: /proc/swaps lists no device'\n");
		return 4;
	}
	ret = squeeze_start(&q, "swap", npages, 0);
	if (ret)
		return ret;
	s0 = stat_of(q.fd);
	snprintf(amount, sizeof(amount), "%zu", npages * page_size());
	for (i = 0; i < 10; i++) {
		/* EAGAIN: less than asked was reclaimed, which is expected. */
		cg_write(q.cg.dir, "memory.reclaim", amount);
		s1 = stat_of(q.fd);
		if (s1.out_swapped >= npages * 9 / 10)
			break;
	}
	printf("reclaims=%d\nswap_current=%lld\n", i + 1,
	       cg_read_ll(&q.cg, "memory.swap.current"));
	us = squeeze_pass(&q);
	s2 = stat_of(q.fd);
	printf("before_resident=%llu\nbefore_swapped=%llu\nbefore_majflt=%llu\n",
	       (unsigned long long)s0.out_resident,
	       (unsigned long long)s0.out_swapped,
	       (unsigned long long)s0.out_majflt);
	printf("squeezed_resident=%llu\nsqueezed_swapped=%llu\n",
	       (unsigned long long)s1.out_resident,
	       (unsigned long long)s1.out_swapped);
	printf("after_resident=%llu\nafter_swapped=%llu\nafter_majflt=%llu\n"
	       "after_faults=%llu\ntouch_us=%" PRIu64 "\n",
	       (unsigned long long)s2.out_resident,
	       (unsigned long long)s2.out_swapped,
	       (unsigned long long)s2.out_majflt,
	       (unsigned long long)s2.out_faults, us);
	{
		FILE *f = out_csv("swap.csv");

		fprintf(f, "step,resident,swapped,majflt,faults\n");
		fprintf(f, "touched,%llu,%llu,%llu,%llu\n",
			(unsigned long long)s0.out_resident,
			(unsigned long long)s0.out_swapped,
			(unsigned long long)s0.out_majflt,
			(unsigned long long)s0.out_faults);
		fprintf(f, "squeezed,%llu,%llu,%llu,%llu\n",
			(unsigned long long)s1.out_resident,
			(unsigned long long)s1.out_swapped,
			(unsigned long long)s1.out_majflt,
			(unsigned long long)s1.out_faults);
		fprintf(f, "touched_again,%llu,%llu,%llu,%llu\n",
			(unsigned long long)s2.out_resident,
			(unsigned long long)s2.out_swapped,
			(unsigned long long)s2.out_majflt,
			(unsigned long long)s2.out_faults);
		fclose(f);
	}
	squeeze_stop(&q);
	return 0;
}

static int cmd_thrash(size_t npages, int passes, char **pcts)
{
	size_t ps = page_size();
	FILE *f;

	if (!have_swap()) {
		printf("skip_reason='no swap: /proc/swaps lists no device'\n");
		return 4;
	}
	f = out_csv("thrash.csv");
	fprintf(f, "limit_pct,limit_pages,pages_per_s,majflt_per_pass,faults_per_pass\n");
	for (; *pcts; pcts++) {
		int pct = atoi(*pcts), i, ret;
		/* The region and room for the worker's own pages (256 KiB). */
		long long max = (long long)npages * ps * pct / 100 + (256 << 10);
		struct vmshm_stat s0, s1;
		uint64_t us = 0;
		struct squeeze q;
		double rate, mf, fl;

		ret = squeeze_start(&q, "thrash", npages, max);
		if (ret)
			return ret;
		squeeze_pass(&q);	/* warm-up: settle at the limit */
		s0 = stat_of(q.fd);
		for (i = 0; i < passes; i++)
			us += squeeze_pass(&q);
		s1 = stat_of(q.fd);
		squeeze_stop(&q);
		rate = (double)npages * passes * 1e6 / (us ? us : 1);
		mf = (double)(s1.out_majflt - s0.out_majflt) / passes;
		fl = (double)(s1.out_faults - s0.out_faults) / passes;
		fprintf(f, "%d,%zu,%.0f,%.0f,%.0f\n", pct, npages * pct / 100,
			rate, mf, fl);
		printf("limit_pct=%d pages_per_s=%.0f majflt_per_pass=%.0f faults_per_pass=%.0f\n",
		       pct, rate, mf, fl);
		fflush(stdout);
	}
	fclose(f);
	return 0;
}

static int cmd_cow(void)
{
	size_t ps = page_size();
	uint64_t shared0, priv0, priv1, shared1, e0, e1;
	char name[64], *sh, *pv;
	int fd;

	snprintf(name, sizeof(name), "tour-cow-%d", getpid());
	fd = region(name, ps, VMSHM_CREATE_TRANSIENT, &sh);
	strcpy(sh, "shared");
	pv = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (pv == MAP_FAILED)
		die("mmap MAP_PRIVATE: %s", strerror(errno));
	printf("private_read_before='%s'\n", pv);
	shared0 = pfn_of(sh);
	e0 = pagemap(pv);
	priv0 = e0 & PM_PRESENT ? e0 & PM_PFN_MASK : 0;
	strcpy(pv, "private");
	e1 = pagemap(pv);
	priv1 = e1 & PM_PRESENT ? e1 & PM_PFN_MASK : 0;
	shared1 = pfn_of(sh);
	printf("shared_va=0x%" PRIxPTR "\nprivate_va=0x%" PRIxPTR "\n",
	       (uintptr_t)sh, (uintptr_t)pv);
	printf("shared_pfn_before=%" PRIu64 "\nprivate_pfn_before=%" PRIu64
	       "\nprivate_pfn_after=%" PRIu64 "\nshared_pfn_after=%" PRIu64 "\n",
	       shared0, priv0, priv1, shared1);
	printf("private_file_before=%d\nprivate_file_after=%d\n",
	       !!(e0 & PM_FILE), !!(e1 & PM_FILE));
	printf("shared_reads='%s'\nprivate_reads='%s'\n", sh, pv);
	{
		FILE *f = out_csv("cow.csv");

		fprintf(f, "when,shared_pfn,private_pfn\nbefore,%" PRIu64 ",%" PRIu64
			"\nafter,%" PRIu64 ",%" PRIu64 "\n", shared0, priv0,
			shared1, priv1);
		fclose(f);
	}
	return 0;
}

static int cmd_huge(size_t npages)
{
	size_t ps = page_size(), i;
	struct vmshm_stat sb, sh;
	char name[64], *pb, *ph;
	int fb, fh;
	FILE *f;

	snprintf(name, sizeof(name), "tour-base-%d", getpid());
	fb = region(name, npages * ps, VMSHM_CREATE_TRANSIENT, &pb);
	snprintf(name, sizeof(name), "tour-huge-%d", getpid());
	fh = region(name, npages * ps, VMSHM_CREATE_TRANSIENT | VMSHM_CREATE_HUGE,
		    &ph);
	for (i = 0; i < npages; i++) {
		pb[i * ps] = 1;
		ph[i * ps] = 1;
	}
	sb = stat_of(fb);
	sh = stat_of(fh);
	printf("pages=%zu\nbase_faults=%llu\nhuge_faults=%llu\nhuge_pages=%llu\n"
	       "huge_va=0x%" PRIxPTR "\n", npages,
	       (unsigned long long)sb.out_faults,
	       (unsigned long long)sh.out_faults,
	       (unsigned long long)sh.out_huge, (uintptr_t)ph);
	f = out_csv("huge.csv");
	fprintf(f, "region,pages,faults,huge_pages\nbase,%zu,%llu,%llu\nhuge,%zu,%llu,%llu\n",
		npages, (unsigned long long)sb.out_faults,
		(unsigned long long)sb.out_huge, npages,
		(unsigned long long)sh.out_faults,
		(unsigned long long)sh.out_huge);
	fclose(f);
	show_map("base", NULL, pb, npages);
	show_map("huge", name, ph, npages);
	return 0;
}

static size_t arg_pages(const char *s)
{
	char *end;
	unsigned long v = strtoul(s ? s : "", &end, 10);

	if (!s || *end || !v || v > (1UL << 20))
		die("\"%s\": expected a number of pages, 1 to 1048576", s ? s : "");
	return v;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "share"))
		return cmd_share();
	if (!strcmp(cmd, "demand"))
		return cmd_demand(arg_pages(argv[2]));
	if (!strcmp(cmd, "isolate"))
		return cmd_isolate();
	if (!strcmp(cmd, "rusage") && argc > 2)
		return cmd_rusage(argv + 2);
	if (!strcmp(cmd, "swap"))
		return cmd_swap(arg_pages(argv[2]));
	if (!strcmp(cmd, "thrash") && argc > 4)
		return cmd_thrash(arg_pages(argv[2]), (int)arg_pages(argv[3]),
				  argv + 4);
	if (!strcmp(cmd, "cow"))
		return cmd_cow();
	if (!strcmp(cmd, "huge"))
		return cmd_huge(arg_pages(argv[2]));
	fprintf(stderr, "usage: %s share|demand N|isolate|rusage CMD...|swap N|thrash N PASSES PCT...|cow|huge N\n",
		prog);
	return 2;
}
