// SPDX-License-Identifier: GPL-2.0
/*
 * vmshm tracepoints: run a known sequence of creates, faults, waits and
 * wakes with the vmshm events enabled in a private tracefs instance, read
 * the instance's buffer back and check every event and its fields.
 *
 * Skips when tracefs is not mounted or the module has no vmshm events.
 */
#include <ctype.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "vmshm_test.h"

#define MS		1000000ULL
#define NR_PAGES	5
#define WORD		8	/* a word that touching the pages leaves 0 */
#define MAX_EVENTS	64

/**
 * struct trace_event - one line of the trace buffer
 * @name: the event, such as "vmshm_fault"
 * @pid: the task that emitted it
 * @fields: its "key=value ..." text
 */
struct trace_event {
	char name[32];
	int pid;
	char fields[256];
};

FIXTURE(trace) {
	char inst[PATH_MAX];
	struct trace_event ev[MAX_EVENTS];
	int nr;
	long page;
};

/* Write @s to @dir/@file; returns 0 or -errno. */
static int write_inst(const char *dir, const char *file, const char *s)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return write_file(path, s);
}

/* The tracefs mount point with the vmshm events, or NULL and why. */
static const char *tracefs_root(const char **why)
{
	static const char *const roots[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[PATH_MAX];
	unsigned int i;

	*why = "tracefs not mounted (CONFIG_FTRACE, CONFIG_EVENT_TRACING)";
	for (i = 0; i < ARRAY_SIZE(roots); i++) {
		snprintf(path, sizeof(path), "%s/instances", roots[i]);
		if (access(path, F_OK))
			continue;
		snprintf(path, sizeof(path), "%s/events/vmshm", roots[i]);
		if (!access(path, F_OK))
			return roots[i];
		*why = "no vmshm events in tracefs: module built without tracepoints?";
	}
	return NULL;
}

static const char *trace_root;
static char record_cmd[8];	/* options/record-cmd before we ran */

static void record_cmd_restore(void)
{
	if (record_cmd[0])
		write_inst(trace_root, "options/record-cmd", record_cmd);
}

/*
 * The whole program skips (exit 4) without tracefs or the events.
 *
 * With record-cmd on (the default), the first event enabled in any
 * instance hooks the scheduler's sched_switch and sched_wakeup
 * tracepoints to save the names of tasks, and the last one disabled
 * unhooks them: each time, the kernel rewrites the call sites in
 * __schedule() and the wake-up path with int3 patching.  On a guest with
 * two vCPUs under QEMU's multi-threaded TCG (7.2, as here), a vCPU can
 * still execute the int3 after the patching is over, and the kernel dies
 * with "Oops: int3" - "Fatal exception in interrupt" when it was in an
 * interrupt (seen in the debug lane, and at will by toggling the events
 * in a loop).  The tests read pids, never names, so recording is off
 * while they run, and vmshm's own events are switched only while no
 * vmshm code runs.  Our guest turns it off at boot (guest-init.sh); this
 * is for any other.
 */
static void __attribute__((constructor)) trace_require(void)
{
	char path[PATH_MAX];
	const char *why;
	ssize_t n;

	vmshm_require_device();
	trace_root = tracefs_root(&why);
	if (!trace_root)
		ksft_exit_skip("%s\n", why);
	snprintf(path, sizeof(path), "%s/options/record-cmd", trace_root);
	n = read_file(path, record_cmd, sizeof(record_cmd));
	if (n > 0)
		n = write_file(path, "0");
	if (n < 0)
		ksft_exit_fail_msg("%s: cannot turn it off: %s\n", path,
				   strerror(-n));
	atexit(record_cmd_restore);
}

FIXTURE_SETUP(trace)
{
	self->page = sysconf(_SC_PAGESIZE);
	snprintf(self->inst, sizeof(self->inst), "%s/instances/vmshm-trace-%d",
		 trace_root, getpid());
	ASSERT_EQ(0, mkdir(self->inst, 0700)) {
		TH_LOG("mkdir %s: %s", self->inst, strerror(errno));
		self->inst[0] = '\0';
	}
	/* Events of two CPUs are compared: one clock for all. */
	ASSERT_EQ(0, write_inst(self->inst, "trace_clock", "global"));
}

FIXTURE_TEARDOWN(trace)
{
	if (self->inst[0])
		EXPECT_EQ(0, rmdir(self->inst))
			TH_LOG("rmdir %s: %s", self->inst, strerror(errno));
}

/*
 * Enable the vmshm events of the instance for the tasks @pid1 and @pid2
 * only: a filter on the subsystem applies to each of its events.
 */
#define trace_start(pid1, pid2) do {					\
	char __f[64];							\
									\
	snprintf(__f, sizeof(__f), "common_pid == %d || common_pid == %d", \
		 pid1, pid2);						\
	ASSERT_EQ(0, write_inst(self->inst, "events/vmshm/filter", __f)); \
	ASSERT_EQ(0, write_inst(self->inst, "events/vmshm/enable", "1")); \
} while (0)

/* Parse "  comm-PID  [CPU] flags  TIME: EVENT: FIELDS" into @e. */
static int parse_line(const char *line, struct trace_event *e)
{
	const char *cpu = strstr(line, " ["), *ev = strstr(line, ": vmshm_");
	const char *p, *colon;

	if (line[0] == '#' || !cpu || !ev || cpu > ev)
		return -EINVAL;
	/* The pid ends the first column: comm itself may hold '-' or ' '. */
	while (cpu > line && cpu[-1] == ' ')
		cpu--;
	p = cpu;
	while (p > line && isdigit((unsigned char)p[-1]))
		p--;
	if (p == cpu || p == line || p[-1] != '-')
		return -EINVAL;
	e->pid = atoi(p);
	ev += 2;
	colon = strchr(ev, ':');
	if (!colon || colon - ev >= (long)sizeof(e->name))
		return -EINVAL;
	snprintf(e->name, sizeof(e->name), "%.*s", (int)(colon - ev), ev);
	snprintf(e->fields, sizeof(e->fields), "%s", colon + 2);
	e->fields[strcspn(e->fields, "\n")] = '\0';
	return 0;
}

/* Stop tracing and read the instance's buffer; returns events or -errno. */
static int trace_read(const char *inst, struct trace_event *ev, int max)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	int n = 0;
	FILE *f;

	if (write_inst(inst, "events/vmshm/enable", "0"))
		return -errno;
	snprintf(path, sizeof(path), "%s/trace", inst);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		if (!strstr(line, ": vmshm_"))
			continue;
		/* Every line is printed, so a failing test shows them all. */
		printf("# trace: %s", line);
		if (n == max || parse_line(line, &ev[n])) {
			n = -E2BIG;
			break;
		}
		n++;
	}
	free(line);
	fclose(f);
	return n;
}

/* Where the value of "@key=" starts in @e's fields, or NULL. */
static const char *ev_value(const struct trace_event *e, const char *key)
{
	size_t len = strlen(key);
	const char *p = e->fields;

	while ((p = strstr(p, key))) {
		if ((p == e->fields || p[-1] == ' ') && p[len] == '=')
			return p + len + 1;
		p += len;
	}
	return NULL;
}

/* The value of @key in @e's fields, as a number; LLONG_MIN if absent. */
static long long ev_num(const struct trace_event *e, const char *key)
{
	const char *p = ev_value(e, key);

	return p ? strtoll(p, NULL, 0) : LLONG_MIN;
}

/* The value of @key in @e's fields, as a word in @buf; "" if absent. */
static const char *ev_str(const struct trace_event *e, const char *key,
			  char *buf, size_t size)
{
	const char *p = ev_value(e, key);

	if (!p)
		return "";
	snprintf(buf, size, "%.*s", (int)strcspn(p, " "), p);
	return buf;
}

/* Indices of the events called @name, in order, into @idx; their count. */
static int ev_find(const struct trace_event *ev, int nr, const char *name,
		   int *idx, int max)
{
	int i, n = 0;

	for (i = 0; i < nr; i++)
		if (!strcmp(ev[i].name, name) && n < max)
			idx[n++] = i;
	return n;
}

/*
 * The child's side: attach, tell the parent, wait until the parent sleeps
 * in its second VMSHM_WAIT (the STAT "waits" counter, raised once the
 * waiter is queued), then wake it.
 */
static int waker_run(const char *name, int ready, int go)
{
	struct vmshm_stat st = { 0 };
	int fd = vmshm_open(), i;
	char c;

	if (fd < 0 || vmshm_attach(fd, name, 0, NULL, NULL))
		return 1;
	if (write(ready, "x", 1) != 1 || read(go, &c, 1) != 1)
		return 2;
	for (i = 0; i < 10000 && st.out_waits < 2; i++) {
		if (vmshm_stat(fd, &st))
			return 3;
		usleep(1000);
	}
	if (st.out_waits != 2)
		return 4;
	return vmshm_wake(fd, false) ? 5 : 0;
}

/*
 * create, map, touch NR_PAGES pages, a wait that times out, a wake nobody
 * waits for, a wait that the child wakes, a wait on a changed word, a wait
 * after the child has gone, close: each event with its fields, and
 * nothing else.
 */
TEST_F(trace, sequence)
{
	static const int want_ret[] = { -ETIMEDOUT, 0, -EAGAIN, -EPIPE };
	static const int want_expected[] = { 0, 0, 7, 0 };
	static const int want_seq[] = { 0, 1, 2, 2 };
	int begin[8], end[8], wake[4], fault[NR_PAGES + 1], one[2];
	int ready[2], go[2], fd, i, n, prev;
	bool seen[NR_PAGES] = { false };
	char name[VMSHM_NAME_MAX], buf[VMSHM_NAME_MAX];
	struct trace_event *e;
	volatile char *mem;
	uint32_t id;
	pid_t child;
	char c;

	test_name(name);
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		close(ready[0]);
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(6);
		_exit(waker_run(name, ready[1], go[0]));
	}
	close(ready[1]);
	close(go[0]);
	trace_start(getpid(), child);

	fd = test_open();
	ASSERT_EQ(0, vmshm_create(fd, name, NR_PAGES * self->page, 0600,
				  VMSHM_CREATE_TRANSIENT, &id));
	ASSERT_EQ(1, write(go[1], "x", 1));
	ASSERT_EQ(1, read(ready[0], &c, 1));
	mem = test_mmap(fd, NR_PAGES * self->page, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, mem);
	for (i = 0; i < NR_PAGES; i++)
		mem[i * self->page] = i + 1;

	ASSERT_EQ(-ETIMEDOUT, vmshm_wait(fd, WORD, 0, vmshm_deadline_in(500 * MS),
					 VMSHM_NO_SLEEPERS, 0));
	ASSERT_EQ(0, vmshm_wake(fd, false));
	ASSERT_EQ(1, write(go[1], "x", 1));
	ASSERT_EQ(0, vmshm_wait(fd, WORD, 0, vmshm_deadline_in(10000 * MS),
				VMSHM_NO_SLEEPERS, 0));
	ASSERT_EQ(0, wait_child(child));
	ASSERT_EQ(-EAGAIN, vmshm_wait(fd, WORD, 7, VMSHM_NO_DEADLINE,
				      VMSHM_NO_SLEEPERS, 0));
	ASSERT_EQ(-EPIPE, vmshm_wait(fd, WORD, 0, VMSHM_NO_DEADLINE,
				     VMSHM_NO_SLEEPERS, 0));
	ASSERT_EQ(0, munmap((void *)mem, NR_PAGES * self->page));
	ASSERT_EQ(0, close(fd));
	close(ready[0]);
	close(go[1]);

	self->nr = trace_read(self->inst, self->ev, MAX_EVENTS);
	ASSERT_LT(0, self->nr);
	for (i = 0; i < self->nr; i++)
		ASSERT_EQ(id, ev_num(&self->ev[i], "id"))
			TH_LOG("event %d (%s) of another region", i,
			       self->ev[i].name);

	/* One create and one destroy, with the region's life in numbers. */
	ASSERT_EQ(1, ev_find(self->ev, self->nr, "vmshm_region_create", one, 2));
	e = &self->ev[one[0]];
	ASSERT_EQ(0, one[0]);
	ASSERT_STREQ(name, ev_str(e, "name", buf, sizeof(buf)));
	ASSERT_EQ(NR_PAGES * self->page, ev_num(e, "size"));
	ASSERT_EQ(VMSHM_CREATE_TRANSIENT, ev_num(e, "flags"));
	ASSERT_EQ(0600, ev_num(e, "mode"));
	ASSERT_EQ(getpid(), e->pid);

	ASSERT_EQ(1, ev_find(self->ev, self->nr, "vmshm_region_destroy", one, 2));
	e = &self->ev[one[0]];
	ASSERT_EQ(self->nr - 1, one[0]);
	ASSERT_STREQ(name, ev_str(e, "name", buf, sizeof(buf)));
	ASSERT_EQ(NR_PAGES, ev_num(e, "resident"));
	ASSERT_EQ(NR_PAGES, ev_num(e, "faults"));
	ASSERT_EQ(2, ev_num(e, "waits"));
	ASSERT_EQ(2, ev_num(e, "wakes"));
	ASSERT_EQ(1, ev_num(e, "timeouts"));

	/* Exactly one fault per page, at its address, all successful. */
	n = ev_find(self->ev, self->nr, "vmshm_fault", fault, NR_PAGES + 1);
	ASSERT_EQ(NR_PAGES, n);
	for (i = 0; i < n; i++) {
		long long pgoff;

		e = &self->ev[fault[i]];
		pgoff = ev_num(e, "pgoff");
		ASSERT_TRUE(pgoff >= 0 && pgoff < NR_PAGES);
		ASSERT_FALSE(seen[pgoff]);
		seen[pgoff] = true;
		ASSERT_EQ((uintptr_t)mem + pgoff * self->page,
			  ev_num(e, "address"));
		ASSERT_STREQ("OK", ev_str(e, "result", buf, sizeof(buf)));
		ASSERT_EQ(getpid(), e->pid);
	}

	/* Four waits, each begin followed by its end, with the outcomes. */
	ASSERT_EQ(4, ev_find(self->ev, self->nr, "vmshm_wait_begin", begin, 8));
	ASSERT_EQ(4, ev_find(self->ev, self->nr, "vmshm_wait_end", end, 8));
	prev = -1;
	for (i = 0; i < 4; i++) {
		const struct trace_event *b = &self->ev[begin[i]];

		e = &self->ev[end[i]];
		ASSERT_LT(prev, begin[i]);
		ASSERT_LT(begin[i], end[i]);
		prev = end[i];
		ASSERT_EQ(WORD, ev_num(b, "offset"));
		ASSERT_EQ(want_expected[i], ev_num(b, "expected"));
		ASSERT_EQ(want_seq[i], ev_num(b, "seq"));
		ASSERT_EQ(want_ret[i], ev_num(e, "ret"))
			TH_LOG("wait %d", i);
		ASSERT_EQ(getpid(), b->pid);
		ASSERT_EQ(getpid(), e->pid);
	}
	/*
	 * The first had 500 ms left at most (and more than none, unless this
	 * task stalled that long on its way in), the last had no deadline.
	 */
	ASSERT_EQ(VMSHM_WAIT_DEADLINE, ev_num(&self->ev[begin[0]], "flags"));
	ASSERT_LT(0, ev_num(&self->ev[begin[0]], "timeout_ns"));
	ASSERT_GE(500 * MS, ev_num(&self->ev[begin[0]], "timeout_ns"));
	ASSERT_EQ(0, ev_num(&self->ev[begin[3]], "flags"));
	ASSERT_EQ(0, ev_num(&self->ev[begin[3]], "timeout_ns"));

	/* Our wake found nobody; the child's found the sleeping parent. */
	ASSERT_EQ(2, ev_find(self->ev, self->nr, "vmshm_wake", wake, 4));
	ASSERT_EQ(1, ev_num(&self->ev[wake[0]], "seq"));
	ASSERT_EQ(0, ev_num(&self->ev[wake[0]], "all"));
	ASSERT_EQ(0, ev_num(&self->ev[wake[0]], "nr_woken"));
	ASSERT_EQ(getpid(), self->ev[wake[0]].pid);
	ASSERT_EQ(2, ev_num(&self->ev[wake[1]], "seq"));
	ASSERT_EQ(0, ev_num(&self->ev[wake[1]], "all"));
	ASSERT_EQ(1, ev_num(&self->ev[wake[1]], "nr_woken"));
	ASSERT_EQ(child, self->ev[wake[1]].pid);
	ASSERT_LT(end[0], wake[0]);
	ASSERT_LT(wake[0], begin[1]);
	/* The wake is traced before the task it woke runs again. */
	ASSERT_LT(begin[1], wake[1]);
	ASSERT_LT(wake[1], end[1]);
	ASSERT_EQ(2, ev_num(&self->ev[end[1]], "seq"));

	ASSERT_EQ(2 + NR_PAGES + 4 + 4 + 2, self->nr);
}

static void on_alarm(int sig)
{
}

/* Send SIGALRM to @pid once a wait on @fd's region has slept. */
static int alarm_run(int fd, pid_t pid)
{
	struct vmshm_stat st = { 0 };
	int i;

	for (i = 0; i < 10000 && !st.out_waits; i++) {
		if (vmshm_stat(fd, &st))
			return 1;
		usleep(1000);
	}
	if (st.out_waits != 1)
		return 2;
	return kill(pid, SIGALRM) ? 3 : 0;
}

/*
 * A signal whose handler has no SA_RESTART ends a wait: user space sees
 * EINTR, the trace shows the kernel's -ERESTARTSYS (-512).
 */
TEST_F(trace, wait_interrupted)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	int begin[2], end[2], fd;
	pid_t child;
	uint32_t id;

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	fd = test_open();
	ASSERT_EQ(0, vmshm_create(fd, "", self->page, 0600, VMSHM_CREATE_ANON,
				  &id));
	trace_start(getpid(), getpid());
	child = fork();
	ASSERT_LE(0, child);
	if (!child)
		_exit(alarm_run(fd, getppid()));
	ASSERT_EQ(-EINTR, vmshm_wait(fd, WORD, 0, vmshm_deadline_in(10000 * MS),
				     VMSHM_NO_SLEEPERS, 0));
	ASSERT_EQ(0, wait_child(child));
	ASSERT_EQ(0, close(fd));

	self->nr = trace_read(self->inst, self->ev, MAX_EVENTS);
	ASSERT_EQ(3, self->nr);
	ASSERT_EQ(1, ev_find(self->ev, self->nr, "vmshm_wait_begin", begin, 2));
	ASSERT_EQ(1, ev_find(self->ev, self->nr, "vmshm_wait_end", end, 2));
	ASSERT_LT(begin[0], end[0]);
	ASSERT_EQ(id, ev_num(&self->ev[end[0]], "id"));
	ASSERT_EQ(-512, ev_num(&self->ev[end[0]], "ret"));
	ASSERT_STREQ("vmshm_region_destroy", self->ev[2].name);
	ASSERT_EQ(id, ev_num(&self->ev[2], "id"));
	ASSERT_EQ(1, ev_num(&self->ev[2], "waits"));
	ASSERT_EQ(0, ev_num(&self->ev[2], "timeouts"));
}

/*
 * A fault that shmem makes wait for a hole punch (shmem_falloc_wait())
 * lets go of the mmap or VMA lock and returns VM_FAULT_RETRY.  While it
 * waits, the VMA is unmapped and its vmshm_mapping freed, so the fault
 * handler may not touch either when shmem returns: the event says RETRY
 * with the id read before, and the debug kernel's KASAN reports any read
 * of the mapping.  The fault comes from pwrite() reading the mapping, so
 * that its retry on the VMA that is gone ends in EFAULT, not a signal.
 */
#define PUNCH_PAGES	8192
#define PUNCH_TRIALS	20

struct punch {
	char *p;
	size_t len;
	int sink;		/* a memfd that pwrite() copies the page into */
	pid_t toucher;		/* the faulting thread */
	int started, done;	/* read and written with __atomic */
	int punch_err, touch_err;
};

static void *punch_run(void *arg)
{
	struct punch *pu = arg;

	__atomic_store_n(&pu->started, 1, __ATOMIC_RELEASE);
	pu->punch_err = madvise(pu->p, pu->len, MADV_REMOVE) ? errno : 0;
	__atomic_store_n(&pu->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Read the first page until the punch is over or the mapping is gone.
 * The punch unmaps its range in order, then frees the pages: a fault on
 * the first page waits for nearly all of it, which leaves the main thread
 * the time to unmap before the fault is taken again.
 */
static void *punch_touch(void *arg)
{
	struct punch *pu = arg;

	__atomic_store_n(&pu->toucher, (pid_t)syscall(SYS_gettid),
			 __ATOMIC_RELEASE);
	while (!__atomic_load_n(&pu->started, __ATOMIC_ACQUIRE))
		;
	while (!__atomic_load_n(&pu->done, __ATOMIC_ACQUIRE)) {
		if (pwrite(pu->sink, pu->p, 1, 0) < 0) {
			pu->touch_err = errno;
			break;
		}
	}
	return NULL;
}

/* Whether @tid sleeps in shmem's wait for a hole punch (maybe inlined). */
static bool waits_for_punch(pid_t tid)
{
	char buf[64];

	read_wchan(tid, buf, sizeof(buf));
	return !strcmp(buf, "shmem_falloc_wait") || !strcmp(buf, "shmem_fault");
}

TEST_F_TIMEOUT(trace, fault_retried_after_unmap, 120)
{
	size_t len = PUNCH_PAGES * self->page;
	int fd = test_open(), trial, caught = 0, fault[MAX_EVENTS], n, i;
	pthread_t puncher, toucher;
	char buf[16];
	struct punch pu;
	uint32_t id;
	pid_t tid;

	ASSERT_EQ(0, vmshm_create(fd, "", len, 0600, VMSHM_CREATE_ANON, &id));
	for (trial = 0; trial < PUNCH_TRIALS && !caught; trial++) {
		memset(&pu, 0, sizeof(pu));
		pu.len = len;
		pu.sink = memfd_create("punch-sink", MFD_CLOEXEC);
		ASSERT_LE(0, pu.sink);
		pu.p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_POPULATE, fd, 0);
		ASSERT_NE(MAP_FAILED, pu.p);
		ASSERT_EQ(0, pthread_create(&toucher, NULL, punch_touch, &pu));
		while (!(tid = __atomic_load_n(&pu.toucher, __ATOMIC_ACQUIRE)))
			;
		/* The toucher's events only: not the populating faults. */
		trace_start(tid, tid);
		ASSERT_EQ(0, pthread_create(&puncher, NULL, punch_run, &pu));
		while (!__atomic_load_n(&pu.done, __ATOMIC_ACQUIRE)) {
			if (waits_for_punch(tid)) {
				/* Its fault let go of the locks: unmap under it. */
				ASSERT_EQ(0, munmap(pu.p, len));
				caught = 1;
				break;
			}
		}
		ASSERT_EQ(0, pthread_join(puncher, NULL));
		ASSERT_EQ(0, pthread_join(toucher, NULL));
		ASSERT_EQ(0, pu.punch_err);
		/* A fault caught waiting retries on a VMA that is gone. */
		ASSERT_EQ(caught ? EFAULT : 0, pu.touch_err);
		ASSERT_EQ(0, caught ? 0 : munmap(pu.p, len));
		ASSERT_EQ(0, write_inst(self->inst, "events/vmshm/enable", "0"));
		close(pu.sink);
	}
	TH_LOG("fault caught waiting for the punch in trial %d of %d",
	       trial, PUNCH_TRIALS);
	/* Else the window never opened, and this tested nothing. */
	ASSERT_TRUE(caught);

	/* The caught fault's last event: the retry, of this region. */
	self->nr = trace_read(self->inst, self->ev, MAX_EVENTS);
	ASSERT_LT(0, self->nr);
	n = ev_find(self->ev, self->nr, "vmshm_fault", fault, MAX_EVENTS);
	for (i = n - 1; i >= 0 && self->ev[fault[i]].pid != tid; i--)
		;
	ASSERT_LE(0, i);
	ASSERT_EQ(id, ev_num(&self->ev[fault[i]], "id"));
	ASSERT_STREQ("RETRY", ev_str(&self->ev[fault[i]], "result", buf,
				     sizeof(buf)));
	/* Nothing is left of the mapping, and the region still maps. */
	pu.p = test_mmap(fd, self->page, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, pu.p);
	pu.p[0] = 1;
	ASSERT_EQ(0, munmap(pu.p, self->page));
	close(fd);
}

TEST_HARNESS_MAIN
