// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failure sweep.  Each test runs one sequence of vmshm calls
 * with /proc/self/task/<tid>/fail-nth set to N, for N = 1, 2, ...: the Nth
 * fault injection point the task reaches (slab or page allocation, in
 * vmshm or in the core kernel under it) fails.  The sweep ends with the
 * first N that the whole sequence no longer reaches.
 *
 * Every step must succeed or fail cleanly with ENOMEM, which ends that
 * run; a touch of a mapping may also just be retried (VM_FAULT_OOM), so
 * faults are taken with MADV_POPULATE_WRITE, which reports ENOMEM instead.
 * After each run every file, mapping and child is gone, and the module's
 * VMSHM_GET_INFO counters must be back to where the test started.  KASAN,
 * lockdep and kmemleak watch the error paths meanwhile: run this on the
 * debug kernel (make check-debug).
 *
 * Skips when the kernel lacks CONFIG_FAULT_INJECTION (no fail-nth file),
 * or when failslab/fail_page_alloc cannot be set to fail sleeping order-0
 * allocations, as the stock Debian kernels cannot.  Allocations with
 * __GFP_NOFAIL (vmshm's ->open() of a copied VMA) are never failed.
 *
 * The debugfs settings are left as this test sets them; they change
 * nothing while fail-nth and the probability knobs are 0.
 */
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <ucontext.h>
#include <sys/rseq.h>
#include <sys/syscall.h>

#include "vmshm_test.h"

#define NR_PAGES	8
#define MAX_NTH		5000	/* a sweep longer than this is a bug here */
#define MAX_FDS		4
#define MAX_MAPS	4

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#define MADV_POPULATE_WRITE	23
#endif

/* What one run created; all released by run_release() after the run. */
struct run {
	int fd[MAX_FDS];
	int nr_fd;
	struct {
		void *addr;
		size_t len;
	} map[MAX_MAPS];
	int nr_map;
	pid_t child;
};

static const char *debugfs_fault_knobs[][2] = {
	{ "failslab/ignore-gfp-wait", "N" },
	{ "fail_page_alloc/ignore-gfp-wait", "N" },
	{ "fail_page_alloc/ignore-gfp-highmem", "N" },
	{ "fail_page_alloc/min-order", "0" },
	/* An injected failure is not a bug: keep its stack out of the log. */
	{ "failslab/verbose", "0" },
	{ "fail_page_alloc/verbose", "0" },
};

/* 0 when fail-nth can fail vmshm's allocations, else why not in @why. */
static int fault_injection_setup(char *why, size_t len)
{
	char path[128];
	unsigned int i;
	int ret;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth",
		 syscall(SYS_gettid));
	if (access(path, W_OK)) {
		snprintf(why, len, "%s: %s (kernel without CONFIG_FAULT_INJECTION)",
			 path, strerror(errno));
		return -1;
	}
	for (i = 0; i < sizeof(debugfs_fault_knobs) / sizeof(*debugfs_fault_knobs); i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s",
			 debugfs_fault_knobs[i][0]);
		ret = write_file(path, debugfs_fault_knobs[i][1]);
		if (ret) {
			snprintf(why, len, "%s: cannot write %s: %s", path,
				 debugfs_fault_knobs[i][1], strerror(-ret));
			return -1;
		}
	}
	return 0;
}

/* The fail-nth file of this thread, opened before any run is armed. */
static int nth_open(void)
{
	char path[128];

	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth",
		 syscall(SYS_gettid));
	return open(path, O_RDWR | O_CLOEXEC);
}

static int nth_arm(int nth_fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(nth_fd, buf, len, 0) == len ? 0 : -errno;
}

/*
 * Disarm; return 1 if the failure was injected (the count reached 0),
 * 0 if the run ended before reaching it, -errno if the file failed us.
 */
static int nth_disarm(int nth_fd)
{
	char buf[16] = "";
	ssize_t n = pread(nth_fd, buf, sizeof(buf) - 1, 0);
	int injected = n > 0 && atoi(buf) == 0;

	/*
	 * After fork() our stack is copy-on-write: the pread() itself may
	 * be what fails, to copy out, and that was the injected failure.
	 */
	if (n < 0 && errno == EFAULT)
		injected = 1;
	else if (n <= 0)
		return n < 0 ? -errno : -EIO;
	if (pwrite(nth_fd, "0", 1, 0) != 1)
		return -errno;
	return injected;
}

static void run_release(struct run *run)
{
	int i;

	if (run->child > 0)
		waitpid(run->child, NULL, 0);
	for (i = 0; i < run->nr_map; i++)
		munmap(run->map[i].addr, run->map[i].len);
	for (i = 0; i < run->nr_fd; i++)
		close(run->fd[i]);
	memset(run, 0, sizeof(*run));
}

/*
 * A step of a run: it returns @_want (0 or a -errno), or -ENOMEM, which
 * ends the run.  Anything else is a bug, reported with the step's text.
 */
#define STEP_EXPECT(_want, _expr) do {					\
	int __ret = (_expr);						\
	if (__ret == -ENOMEM && (_want) != -ENOMEM)			\
		return -ENOMEM;						\
	if (__ret != (_want))						\
		TH_LOG("step \"%s\": got %d (%s), want %d", #_expr,	\
		       __ret, strerror(-__ret), (_want));		\
	ASSERT_EQ((_want), __ret);					\
} while (0)
#define STEP(_expr) STEP_EXPECT(0, _expr)

/* open(/dev/vmshm) as a step; the fd joins the run. */
static int run_open(struct run *run)
{
	int fd = vmshm_open();

	if (fd < 0)
		return fd;
	run->fd[run->nr_fd++] = fd;
	return 0;
}

/* The result of an mmap() of @len bytes joins the run, unless it failed. */
static int run_add_map(struct run *run, void *p, size_t len, char **out)
{
	if (p == MAP_FAILED)
		return -errno;
	run->map[run->nr_map].addr = p;
	run->map[run->nr_map].len = len;
	run->nr_map++;
	*out = p;
	return 0;
}

/* mmap() as a step, MAP_SHARED and @flags; the mapping joins the run. */
static int run_mmap(struct run *run, int fd, size_t len, int prot, int flags,
		    off_t off, char **out)
{
	return run_add_map(run, mmap(NULL, len, prot, MAP_SHARED | flags, fd,
				     off),
			   len, out);
}

/* An inaccessible range to mremap() onto; it joins the run. */
static int run_reserve(struct run *run, size_t len, char **out)
{
	return run_add_map(run, mmap(NULL, len, PROT_NONE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
			   len, out);
}

static int populate(void *p, size_t len, bool write)
{
	return sys_ret(madvise(p, len, write ? MADV_POPULATE_WRITE :
						MADV_POPULATE_READ));
}

FIXTURE(fail_nth) {
	int nth_fd;
	struct vmshm_info before;
	char name[VMSHM_NAME_MAX];
	int creator;		/* holds the run's region, or -1 */
	char *mem;		/* creator's mapping of all NR_PAGES */
	struct run run;
	unsigned int iterations;
	int injected;		/* set by a run that disarmed early, or -1 */
	int home_ipc_ns;	/* runs in new IPC namespaces: ours, or -1 */
};

FIXTURE_VARIANT(fail_nth) {
	uint32_t create_flags;	/* VMSHM_CREATE_* of the region */
	uint32_t attach_flags;	/* VMSHM_ATTACH_* of the second fd */
	int map_flags;		/* mmap() flags besides MAP_SHARED */
};

FIXTURE_VARIANT_ADD(fail_nth, named) {
	.create_flags = 0,
	.attach_flags = 0,
};

FIXTURE_VARIANT_ADD(fail_nth, transient_rdonly) {
	.create_flags = VMSHM_CREATE_TRANSIENT,
	.attach_flags = VMSHM_ATTACH_RDONLY,
};

/* mmap() allocates every page, as VMSHM_*_PREFAULT did until version 3. */
FIXTURE_VARIANT_ADD(fail_nth, populate) {
	.create_flags = VMSHM_CREATE_TRANSIENT,
	.attach_flags = 0,
	.map_flags = MAP_POPULATE,
};

/* The second shmem mount, and the creator's RLIMIT_MEMLOCK charge. */
FIXTURE_VARIANT_ADD(fail_nth, huge_locked) {
	.create_flags = VMSHM_CREATE_TRANSIENT | VMSHM_CREATE_HUGE |
			VMSHM_CREATE_LOCKED,
	.attach_flags = 0,
};

/* The region a run works on, made before the run is armed. */
static void region_setup(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fail_nth) *self,
			 const FIXTURE_VARIANT(fail_nth) *variant)
{
	self->creator = test_open();
	test_cmd_create(self->creator, self->name, NR_PAGES * page_size(), 0600,
			variant->create_flags);
	self->mem = mmap(NULL, NR_PAGES * page_size(), PROT_READ | PROT_WRITE,
			 MAP_SHARED | variant->map_flags, self->creator, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	self->mem[0] = 1;
}

/* Drop the run's region, and its name if the run ended before UNLINK. */
static void region_teardown(FIXTURE_DATA(fail_nth) *self)
{
	int fd;

	if (self->creator >= 0) {
		munmap(self->mem, NR_PAGES * page_size());
		close(self->creator);
		self->creator = -1;
	}
	fd = vmshm_open();
	if (fd >= 0) {
		vmshm_unlink(fd, self->name);
		close(fd);
	}
}

static volatile sig_atomic_t armed_nth;	/* for the SIGSEGV report */

/*
 * Say which fail-nth run crashed before the harness reports the signal.
 * si_code SI_KERNEL (128) with no address is the kernel giving up on the
 * process: trap 13 is a general protection fault, trap 0 a failed write
 * of the kernel's own to user memory (rseq area, signal frame).
 */
static void on_sigsegv(int sig, siginfo_t *si, void *uc)
{
	const ucontext_t *ctx = uc;
	char buf[160];
	int n;

	n = snprintf(buf, sizeof(buf),
		     "# SIGSEGV at %p, si_code %d, trap %lld, ip %#llx, in the run with fail-nth %d\n",
		     si->si_addr, si->si_code,
		     (long long)ctx->uc_mcontext.gregs[REG_TRAPNO],
		     (unsigned long long)ctx->uc_mcontext.gregs[REG_RIP],
		     armed_nth);
	if (write(STDERR_FILENO, buf, n) < 0)
		n = 0;
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The handler runs on its own stack: the fault may be the stack's. */
static void sigsegv_report(void)
{
	static char altstack[64 * 1024];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa = {
		.sa_sigaction = on_sigsegv,
		.sa_flags = SA_SIGINFO | SA_ONSTACK,
	};

	sigaltstack(&ss, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

/*
 * glibc registers an rseq area in the thread's TLS, and the kernel writes
 * it (cpu_id, rseq_cs) on the way back to user space after a preemption
 * or a migration.  After fork() that TLS page is copy-on-write, so the
 * write on the parent's return from clone() allocates a page, a fail-nth
 * injection point outside vmshm.  When it is the one that fails,
 * __rseq_handle_notify_resume() gets EFAULT and force_sigsegv() kills the
 * test: SIGSEGV, si_code SI_KERNEL, no address.  Whether the parent was
 * preempted decides, so the fork sweeps failed now and then.  Nothing
 * here needs rseq: unregister it, and every test child inherits that.
 *
 * Return: 0 when no rseq area is left registered, else -errno.
 */
static int rseq_unregister(void)
{
	void *area = (char *)__builtin_thread_pointer() + __rseq_offset;

	if (!__rseq_size)
		return 0;	/* glibc registered none */
	if (!syscall(SYS_rseq, area, __rseq_size, RSEQ_FLAG_UNREGISTER,
		     RSEQ_SIG))
		return 0;
	/* glibc registers 32 bytes even when it reports fewer. */
	if (__rseq_size < 32 &&
	    !syscall(SYS_rseq, area, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG))
		return 0;
	return -errno;
}

/* The whole program skips (exit 4) when fail-nth cannot work here. */
static void __attribute__((constructor)) fail_nth_require(void)
{
	char why[256];
	int ret;

	vmshm_require_device();
	if (fault_injection_setup(why, sizeof(why)))
		ksft_exit_skip("%s\n", why);
	ret = rseq_unregister();
	if (ret)
		ksft_exit_fail_msg("cannot unregister glibc's rseq area: %s\n",
				   strerror(-ret));
}

FIXTURE_SETUP(fail_nth)
{
	int fd = test_open();

	self->creator = -1;
	self->nth_fd = -1;
	self->home_ipc_ns = -1;
	test_cmd_info(fd, &self->before);
	close(fd);
	self->nth_fd = nth_open();
	ASSERT_LE(0, self->nth_fd);
	sigsegv_report();
	snprintf(self->name, sizeof(self->name), "fail-nth-%d", getpid());
}

FIXTURE_TEARDOWN(fail_nth)
{
	if (self->nth_fd >= 0)
		nth_disarm(self->nth_fd);
	run_release(&self->run);
	if (self->home_ipc_ns >= 0) {
		setns(self->home_ipc_ns, CLONE_NEWIPC);
		close(self->home_ipc_ns);
	}
	region_teardown(self);
}

/*
 * Everything the run made is gone: the counters are as they started.
 * A run in a new IPC namespace leaves its names to the namespace's death,
 * which drops them in a work item: give that 10 s.
 */
static void assert_all_freed(struct __test_metadata *_metadata,
			     FIXTURE_DATA(fail_nth) *self)
{
	uint64_t end = vmshm_now_ns() + 10000000000ULL;
	struct vmshm_info now;
	int fd = test_open();

	for (;;) {
		test_cmd_info(fd, &now);
		if (self->home_ipc_ns < 0 || vmshm_now_ns() > end ||
		    (now.out_nr_regions == self->before.out_nr_regions &&
		     now.out_reserved_pages == self->before.out_reserved_pages &&
		     now.out_nr_pages == self->before.out_nr_pages))
			break;
		usleep(10000);
	}
	close(fd);
	if (now.out_nr_regions != self->before.out_nr_regions ||
	    now.out_reserved_pages != self->before.out_reserved_pages ||
	    now.out_nr_pages != self->before.out_nr_pages)
		TH_LOG("after fail-nth %u: regions %u pages %llu/%llu reserved/allocated, want %u %llu/%llu",
		       self->iterations, now.out_nr_regions,
		       (unsigned long long)now.out_reserved_pages,
		       (unsigned long long)now.out_nr_pages,
		       self->before.out_nr_regions,
		       (unsigned long long)self->before.out_reserved_pages,
		       (unsigned long long)self->before.out_nr_pages);
	ASSERT_EQ(self->before.out_nr_regions, now.out_nr_regions);
	ASSERT_EQ(self->before.out_reserved_pages, now.out_reserved_pages);
	ASSERT_EQ(self->before.out_nr_pages, now.out_nr_pages);
}

typedef int (*run_fn)(struct __test_metadata *_metadata,
		      FIXTURE_DATA(fail_nth) *self,
		      const FIXTURE_VARIANT(fail_nth) *variant);

/*
 * A stack that grows while armed can fail to (the VMA needs memory), and
 * that is SIGSEGV, not ENOMEM: grow it once, now.
 */
static void __attribute__((noinline)) stack_prefault(void)
{
	char buf[256 * 1024];

	memset(buf, 0, sizeof(buf));
	/* Keep the compiler from dropping the stores to a dead buffer. */
	__asm__ __volatile__("" : : "r"(buf) : "memory");
}

/*
 * Run @fn with the 1st, 2nd, ... injection point failing until a run
 * reaches no injection point; that last run must succeed.  With
 * @needs_region, each run gets a fresh region made while disarmed.
 * Return: the number of injection points the sequence has.
 */
static unsigned int sweep(struct __test_metadata *_metadata,
			  FIXTURE_DATA(fail_nth) *self,
			  const FIXTURE_VARIANT(fail_nth) *variant,
			  run_fn fn, bool needs_region)
{
	unsigned int n, enomem = 0;
	int ret, injected;

	stack_prefault();
	for (n = 1; n <= MAX_NTH; n++) {
		self->iterations = n;
		if (needs_region)
			region_setup(_metadata, self, variant);
		/* A namespace vmshm has never seen: CREATE allocates its state. */
		if (self->home_ipc_ns >= 0)
			ASSERT_EQ(0, unshare(CLONE_NEWIPC));
		armed_nth = n;
		self->injected = -1;
		ASSERT_EQ(0, nth_arm(self->nth_fd, n));
		ret = fn(_metadata, self, variant);
		injected = self->injected >= 0 ? self->injected :
			   nth_disarm(self->nth_fd);
		ASSERT_LE(0, injected);
		run_release(&self->run);
		if (self->home_ipc_ns >= 0)
			ASSERT_EQ(0, setns(self->home_ipc_ns, CLONE_NEWIPC));
		region_teardown(self);
		assert_all_freed(_metadata, self);
		if (!injected) {
			/* Nothing failed, so every step must have worked. */
			ASSERT_EQ(0, ret);
			break;
		}
		enomem += ret == -ENOMEM;
	}
	TH_LOG("%u injection points, %u runs ended with ENOMEM", n - 1,
	       enomem);
	ASSERT_GE(MAX_NTH, n);
	return n - 1;
}

/*
 * open, CREATE @pages as @name (NULL: anonymous), mmap with @map_flags,
 * populate.
 */
static int run_new_region(struct __test_metadata *_metadata, struct run *run,
			  const char *name, unsigned long pages,
			  uint32_t flags, int map_flags, char **p)
{
	size_t len = pages * page_size();

	STEP(run_open(run));
	STEP(_test_cmd_create(run->fd[0], name, len, 0600, flags));
	STEP(run_mmap(run, run->fd[0], len, PROT_READ | PROT_WRITE, map_flags,
		      0, p));
	STEP(populate(*p, len, true));
	return 0;
}

/* A fresh region with the variant's CREATE flags. */
static int run_create(struct __test_metadata *_metadata,
		      FIXTURE_DATA(fail_nth) *self,
		      const FIXTURE_VARIANT(fail_nth) *variant)
{
	struct run *run = &self->run;
	char *p = NULL;

	STEP(run_new_region(_metadata, run, self->name, NR_PAGES,
			    variant->create_flags, variant->map_flags, &p));
	p[page_size()] = 2;
	if (!(variant->create_flags & VMSHM_CREATE_TRANSIENT))
		STEP(vmshm_unlink(run->fd[0], self->name));
	return 0;
}

/* Anonymous regions have their own paths: no name, no link reference. */
static int run_create_anon(struct __test_metadata *_metadata,
			   FIXTURE_DATA(fail_nth) *self,
			   const FIXTURE_VARIANT(fail_nth) *variant)
{
	char *p = NULL;

	STEP(run_new_region(_metadata, &self->run, NULL, 3,
			    VMSHM_CREATE_ANON | (variant->create_flags &
						 (VMSHM_CREATE_HUGE |
						  VMSHM_CREATE_LOCKED)),
			    variant->map_flags, &p));
	return 0;
}

/* A second fd attaches (the variant's flags), maps and reads back. */
static int run_attach(struct __test_metadata *_metadata,
		      FIXTURE_DATA(fail_nth) *self,
		      const FIXTURE_VARIANT(fail_nth) *variant)
{
	bool rdonly = variant->attach_flags & VMSHM_ATTACH_RDONLY;
	int prot = PROT_READ | (rdonly ? 0 : PROT_WRITE);
	struct run *run = &self->run;
	char *p = NULL;

	STEP(run_open(run));
	STEP(_test_cmd_attach(run->fd[0], self->name, variant->attach_flags));
	STEP(run_mmap(run, run->fd[0], NR_PAGES * page_size(), prot,
		      variant->map_flags, 0, &p));
	STEP(populate(p, NR_PAGES * page_size(), !rdonly));
	ASSERT_EQ(1, p[0]);
	if (rdonly)
		STEP_EXPECT(-EACCES, sys_ret(mprotect(p, page_size(),
						      PROT_READ | PROT_WRITE)));
	return 0;
}

/* Lazy faults, then every way to split, shrink and move a mapping. */
static int run_mmap_faults(struct __test_metadata *_metadata,
			   FIXTURE_DATA(fail_nth) *self,
			   const FIXTURE_VARIANT(fail_nth) *variant)
{
	struct run *run = &self->run;
	char *p = NULL, *q = NULL, *hole = NULL;

	STEP(run_mmap(run, self->creator, NR_PAGES * page_size(),
		      PROT_READ | PROT_WRITE, variant->map_flags, 0, &p));
	STEP(populate(p, NR_PAGES * page_size(), true));
	ASSERT_EQ(1, p[0]);
	/* A window of the region at a page offset. */
	STEP(run_mmap(run, self->creator, 2 * page_size(), PROT_READ,
		      variant->map_flags, 3 * page_size(), &q));
	STEP(populate(q, 2 * page_size(), false));
	/* Split by munmap of a middle page, then by mprotect. */
	STEP(sys_ret(munmap(p + 2 * page_size(), page_size())));
	STEP(sys_ret(mprotect(p + 4 * page_size(), page_size(), PROT_READ)));
	/* Growing must fail (VM_DONTEXPAND); shrinking and moving work. */
	STEP_EXPECT(-EFAULT, mremap(p, 2 * page_size(), 3 * page_size(),
				    MREMAP_MAYMOVE) == MAP_FAILED ? -errno : 0);
	STEP(mremap(p + 5 * page_size(), 3 * page_size(), page_size(), 0) == MAP_FAILED ?
	     -errno : 0);
	STEP(run_reserve(run, page_size(), &hole));
	STEP(mremap(p, page_size(), page_size(), MREMAP_MAYMOVE | MREMAP_FIXED, hole) ==
	     MAP_FAILED ? -errno : 0);
	ASSERT_EQ(1, hole[0]);
	/* Drop the PTEs and fault them back. */
	STEP(sys_ret(madvise(p + page_size(), page_size(), MADV_DONTNEED)));
	STEP(populate(p + page_size(), page_size(), true));
	return 0;
}

/*
 * fork() copies the VMAs, and the sweep fails each allocation of that copy
 * in turn: before the vmshm VMA is reached, after its ->open() (whose own
 * allocation is __GFP_NOFAIL, so never failed), in the page tables copied
 * after it.  The half-built child mm is then torn down, which must
 * ->close() exactly the vmshm VMAs that were opened: assert_all_freed()
 * and kmemleak check that.
 *
 * The sweep's last points are not vmshm's: the parent's first writes to
 * its now copy-on-write memory, between clone() and nth_disarm().  A user
 * write that fails is VM_FAULT_OOM, which the fault handler retries ("Huh
 * VM_FAULT_OOM leaked out to the #PF handler"); pread()'s copy-out fails
 * with EFAULT, which nth_disarm() counts as injected; the kernel's own
 * write, to the rseq area, is gone (see rseq_unregister()), and no signal
 * handler runs.  A SIGSEGV or SIGBUS here is then a real bug, vmshm's or
 * the kernel's, and fails the test.
 */
static int run_fork(struct __test_metadata *_metadata,
		    FIXTURE_DATA(fail_nth) *self,
		    const FIXTURE_VARIANT(fail_nth) *variant)
{
	struct run *run = &self->run;
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		/* The child's fail-nth starts at 0: nothing fails here. */
		if (self->mem[0] != 1)
			_exit(1);
		if (madvise(self->mem, NR_PAGES * page_size(), MADV_POPULATE_WRITE))
			_exit(2);
		self->mem[NR_PAGES * page_size() - 1] = 3;
		_exit(0);
	}
	/*
	 * Stop here: every write to our now copy-on-write memory would be a
	 * new injection point, and one made by the kernel (waitpid's status)
	 * fails with EFAULT instead of being retried like a user fault.
	 */
	self->injected = nth_disarm(self->nth_fd);
	run->child = pid;
	ASSERT_LE(0, self->injected);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	run->child = 0;
	ASSERT_EQ(0, WIFEXITED(status) ? WEXITSTATUS(status) : 128);
	ASSERT_EQ(3, self->mem[NR_PAGES * page_size() - 1]);
	return 0;
}

/*
 * VMSHM_WAIT allocates the page of its word; use words in pages nothing
 * touched yet.  WAKE, poll and a non-blocking read do not allocate.  A
 * fused VMSHM_WAIT_WAKE wakes before it looks its page up: its wake
 * counts even when the lookup fails.
 */
static int run_wait_wake(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fail_nth) *self,
			 const FIXTURE_VARIANT(fail_nth) *variant)
{
	struct pollfd pfd = { .fd = self->creator, .events = POLLIN };
	struct vmshm_stat st;
	uint64_t seq;
	int ret;

	ret = vmshm_wait(self->creator, 4 * page_size(), 0, 1,
			 VMSHM_NO_SLEEPERS,
			 VMSHM_WAIT_WAKE | VMSHM_WAIT_DEADLINE);
	test_cmd_stat(self->creator, &st);
	ASSERT_EQ(1, st.out_wakes);
	STEP_EXPECT(-ETIMEDOUT, ret);

	STEP_EXPECT(-ETIMEDOUT,
		    vmshm_wait(self->creator, 5 * page_size(), 0, 1,
			       6 * page_size() + 4, VMSHM_WAIT_DEADLINE));
	STEP_EXPECT(-EAGAIN,
		    vmshm_wait(self->creator, 0, 0, VMSHM_NO_DEADLINE,
			       7 * page_size(), 0));
	STEP(vmshm_wake(self->creator, true));
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	STEP(fcntl(self->creator, F_SETFL, O_NONBLOCK) ? -errno : 0);
	STEP(vmshm_read_event(self->creator, &seq));
	ASSERT_EQ(2, seq);
	STEP_EXPECT(-EAGAIN, vmshm_read_event(self->creator, &seq));
	return 0;
}

/* seq_file allocates its buffer on the first read of /proc/vmshm. */
static int run_proc_read(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fail_nth) *self,
			 const FIXTURE_VARIANT(fail_nth) *variant)
{
	char buf[4096];
	ssize_t n, total = 0;
	int fd = open("/proc/vmshm", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	self->run.fd[self->run.nr_fd++] = fd;
	while ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = 0;
		if (!total)
			ASSERT_EQ(0, strncmp(buf, "name ", 5));
		total += n;
	}
	if (n < 0)
		return -errno;
	ASSERT_LT(0, total);
	return 0;
}

TEST_F_TIMEOUT(fail_nth, create, 900)
{
	/* Sanity: fail-nth does reach this sequence's allocations. */
	ASSERT_LT(0, sweep(_metadata, self, variant, run_create, false));
}

/*
 * The first CREATE in an IPC namespace allocates vmshm's state for it
 * (struct vmshm_ns) besides the region and its user's entry; each run
 * has a namespace of its own, left afterwards, so that it dies.
 */
TEST_F_TIMEOUT(fail_nth, create_in_new_ipc_ns, 900)
{
	self->home_ipc_ns = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->home_ipc_ns);
	/* Sanity: fail-nth does reach this sequence's allocations. */
	ASSERT_LT(0, sweep(_metadata, self, variant, run_create, false));
}

TEST_F_TIMEOUT(fail_nth, create_anon, 900)
{
	/* Sanity: fail-nth does reach this sequence's allocations. */
	ASSERT_LT(0, sweep(_metadata, self, variant, run_create_anon, false));
}

TEST_F_TIMEOUT(fail_nth, attach, 900)
{
	/* Sanity: fail-nth does reach this sequence's allocations. */
	ASSERT_LT(0, sweep(_metadata, self, variant, run_attach, true));
}

TEST_F_TIMEOUT(fail_nth, mmap_faults, 900)
{
	/* Sanity: fail-nth does reach this sequence's allocations. */
	ASSERT_LT(0, sweep(_metadata, self, variant, run_mmap_faults, true));
}

TEST_F_TIMEOUT(fail_nth, fork, 900)
{
	/* Sanity: fail-nth does reach this sequence's allocations. */
	ASSERT_LT(0, sweep(_metadata, self, variant, run_fork, true));
}

TEST_F_TIMEOUT(fail_nth, wait_wake, 900)
{
	unsigned int points;

	points = sweep(_metadata, self, variant, run_wait_wake, true);
	/* With every page populated, WAIT allocates nothing. */
	if (!(variant->map_flags & MAP_POPULATE))
		ASSERT_LT(0, points);
}

TEST_F_TIMEOUT(fail_nth, proc_read, 900)
{
	/* Sanity: fail-nth does reach this sequence's allocations. */
	ASSERT_LT(0, sweep(_metadata, self, variant, run_proc_read, true));
}

TEST_HARNESS_MAIN
