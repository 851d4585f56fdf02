// SPDX-License-Identifier: GPL-2.0
/*
 * vmshm notification: VMSHM_WAIT / VMSHM_WAKE, read(), poll/epoll and
 * peer-gone, including a long ping-pong that would hang on a lost wakeup.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>

#include "vmshm_test.h"
#include "util.h"

#define MS		1000000ULL
#define WORD		0	/* offset of the watched word */
#define SLEEPERS	64	/* offset of the sleepers word */

FIXTURE(notify) {
	int fd;
	char name[VMSHM_NAME_MAX];
	volatile uint32_t *mem;
};

FIXTURE_SETUP(notify)
{
	self->fd = test_open();
	snprintf(self->name, sizeof(self->name), "notify-%d", getpid());
	test_cmd_create(self->fd, self->name, page_size(), 0600,
			VMSHM_CREATE_TRANSIENT);
	self->mem = test_mmap(self->fd, page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
}

FIXTURE_TEARDOWN(notify)
{
	if (self->fd >= 0)
		close(self->fd);
}

static int wait_for(int fd, uint32_t expected, uint64_t timeout_ns)
{
	return vmshm_wait(fd, WORD, expected, vmshm_deadline_in(timeout_ns),
			  SLEEPERS, VMSHM_WAIT_DEADLINE | VMSHM_WAIT_SLEEPERS);
}

TEST_F(notify, value_differs)
{
	self->mem[0] = 5;
	ASSERT_EQ(-EAGAIN, wait_for(self->fd, 4, 1000 * MS));
}

TEST_F(notify, timeout)
{
	struct vmshm_stat st;
	uint64_t t0 = vmshm_now_ns();

	ASSERT_EQ(-ETIMEDOUT, wait_for(self->fd, 0, 50 * MS));
	ASSERT_LE(t0 + 50 * MS, vmshm_now_ns());
	test_cmd_stat(self->fd, &st);
	ASSERT_EQ(1, st.out_timeouts);
	ASSERT_EQ(1, st.out_waits);
	ASSERT_EQ(0, self->mem[SLEEPERS / 4]);
}

TEST_F(notify, deadline_passed)
{
	ASSERT_EQ(-ETIMEDOUT, vmshm_wait(self->fd, WORD, 0, 1, VMSHM_NO_SLEEPERS,
					 VMSHM_WAIT_DEADLINE));
}

TEST_F(notify, bad_offsets)
{
	struct vmshm_stat st;

	ASSERT_EQ(-EINVAL, vmshm_wait(self->fd, 2, 0, 0, VMSHM_NO_SLEEPERS, 0));
	ASSERT_EQ(-EINVAL, vmshm_wait(self->fd, page_size(), 0, 0,
				      VMSHM_NO_SLEEPERS, 0));
	ASSERT_EQ(-EINVAL, vmshm_wait(self->fd, 0, 0, 0, page_size() + 4,
				      VMSHM_WAIT_SLEEPERS));
	/* The sleepers word cannot be the watched word. */
	ASSERT_EQ(-EINVAL, vmshm_wait(self->fd, 8, 0, 0, 8,
				      VMSHM_WAIT_SLEEPERS));
	/* None of the refused waits allocated a page. */
	test_cmd_stat(self->fd, &st);
	ASSERT_EQ(0, st.out_resident);
}

static void on_alarm(int sig)
{
	(void)sig;
}

TEST_F(notify, signal_eintr)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	int ret;

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	/*
	 * Every 50 ms, not once: an alarm that fires before the wait has
	 * begun is lost, and the wait would run to its deadline.
	 */
	ualarm(50000, 50000);
	ret = wait_for(self->fd, 0, 5000 * MS);
	ualarm(0, 0);
	ASSERT_EQ(-EINTR, ret);
	ASSERT_EQ(0, self->mem[SLEEPERS / 4]);
}

TEST_F(notify, signal_restart)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	uint64_t t0 = vmshm_now_ns();

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ualarm(50000, 0);
	/* Restarted after the handler, and the absolute deadline holds. */
	ASSERT_EQ(-ETIMEDOUT, wait_for(self->fd, 0, 300 * MS));
	ASSERT_LE(t0 + 300 * MS, vmshm_now_ns());
	ASSERT_GT(t0 + 3000 * MS, vmshm_now_ns());
}

struct waiter {
	int fd;
	int ret;
	int done;		/* read and written with __atomic */
};

static void *waiter_thread(void *arg)
{
	struct waiter *w = arg;

	w->ret = wait_for(w->fd, 0, 10000 * MS);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int count_done(struct waiter *w, int n)
{
	int i, done = 0;

	for (i = 0; i < n; i++)
		done += __atomic_load_n(&w[i].done, __ATOMIC_ACQUIRE);
	return done;
}

/* Wait until @n tasks sleep on the word, or give up after 5 s. */
static int wait_sleepers(volatile uint32_t *mem, uint32_t n)
{
	int i;

	for (i = 0; i < 5000 && mem[SLEEPERS / 4] != n; i++)
		usleep(1000);
	return mem[SLEEPERS / 4] == n ? 0 : -1;
}

/* Wait until @n VMSHM_WAIT calls have gone to sleep, or 5 s pass. */
static int wait_waits(int fd, uint64_t n)
{
	struct vmshm_stat st = { 0 };
	int i;

	for (i = 0; i < 5000; i++) {
		if (vmshm_stat(fd, &st) || st.out_waits >= n)
			break;
		usleep(1000);
	}
	return st.out_waits >= n ? 0 : -1;
}

/*
 * Wait until @n tasks are asleep on the word, @waits0 being the region's
 * count of waits that slept before they started; give up after 5 s.  The
 * sleepers word counts a task from before its first look at the word, so
 * a store or a WAKE then could still end its wait before it sleeps: only
 * the count of waits that slept says it went to sleep.
 */
static int wait_asleep(int fd, volatile uint32_t *mem, uint32_t n,
		       uint64_t waits0)
{
	return wait_sleepers(mem, n) ?: wait_waits(fd, waits0 + n);
}

/*
 * Wait until @want of the @n waiters are done, or give up after 5 s; then
 * give any other waiter that was wrongly woken 100 ms to show itself.
 * Returns the number done.
 */
static int settle_done(struct waiter *w, int n, int want)
{
	int i;

	for (i = 0; i < 5000 && count_done(w, n) < want; i++)
		usleep(1000);
	usleep(100000);
	return count_done(w, n);
}

/* Wait until @n files are attached, or give up after 5 s. */
static int wait_attached(int fd, uint32_t n)
{
	struct vmshm_stat st;
	int i;

	for (i = 0; i < 5000; i++) {
		if (vmshm_stat(fd, &st) || st.out_nr_attach == n)
			break;
		usleep(1000);
	}
	return st.out_nr_attach == n ? 0 : -1;
}

#define NR_WAITERS	4

/* Start @n waiter threads and wait until they all sleep. */
static int start_waiters(int fd, volatile uint32_t *mem, struct waiter *w,
			 pthread_t *th, int n)
{
	struct vmshm_stat st;
	int i;

	if (vmshm_stat(fd, &st))
		return -1;
	for (i = 0; i < n; i++) {
		w[i].fd = fd;
		if (pthread_create(&th[i], NULL, waiter_thread, &w[i]))
			return -1;
	}
	return wait_asleep(fd, mem, n, st.out_waits);
}

TEST_F(notify, wake_one_then_all)
{
	struct waiter w[NR_WAITERS] = { 0 };
	pthread_t th[NR_WAITERS];
	int i;

	ASSERT_EQ(0, start_waiters(self->fd, self->mem, w, th, NR_WAITERS));

	ASSERT_EQ(0, vmshm_wake(self->fd, false));
	ASSERT_EQ(0, wait_sleepers(self->mem, NR_WAITERS - 1));
	ASSERT_EQ(1, settle_done(w, NR_WAITERS, 1));

	ASSERT_EQ(0, vmshm_wake(self->fd, true));
	for (i = 0; i < NR_WAITERS; i++) {
		pthread_join(th[i], NULL);
		ASSERT_EQ(0, w[i].ret);
	}
	ASSERT_EQ(0, self->mem[SLEEPERS / 4]);
}

/* The fault attributes of fault_inject.c, on debug kernels only. */
#define WAIT_RACE	"/sys/kernel/debug/vmshm_wait_race"
#define WAIT_GONE_RACE	"/sys/kernel/debug/vmshm_wait_gone_race"

/* The number in @path, or -errno (-EIO when it is empty). */
static long read_long(const char *path)
{
	char buf[32];
	ssize_t n = read_file(path, buf, sizeof(buf));

	if (n < 0)
		return n;
	return n ? strtol(buf, NULL, 10) : -EIO;
}

/* Write @val to the file @name of the fault attribute in @dir. */
static int race_write(const char *dir, const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return write_file(path, val);
}

/* Arm the attribute in @dir to delay a marked task once, by @delay_ms. */
static int race_arm(const char *dir, unsigned int delay_ms)
{
	char delay[16];

	snprintf(delay, sizeof(delay), "%u", delay_ms);
	return race_write(dir, "verbose", "0") ?:
	       race_write(dir, "task-filter", "Y") ?:
	       race_write(dir, "interval", "1") ?:
	       race_write(dir, "probability", "100") ?:
	       race_write(dir, "delay_ms", delay) ?:
	       race_write(dir, "times", "1");
}

/* Until the attribute in @dir has fired (its times drops to 0), 5 s. */
static long race_fired(const char *dir)
{
	char path[128];
	long times;
	int i;

	snprintf(path, sizeof(path), "%s/times", dir);
	for (i = 0; i < 5000 && (times = read_long(path)) > 0; i++)
		usleep(1000);
	return times;
}

/* Mark the calling thread for the fault attributes. */
static int race_mark_self(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%ld/make-it-fail",
		 (long)syscall(SYS_gettid));
	return write_file(path, "1");
}

/* Wait for 0 on the word for @timeout_ns, in a task the attributes delay. */
static void *marked_wait(struct waiter *w, uint64_t timeout_ns)
{
	w->ret = race_mark_self() ?:
		 vmshm_wait(w->fd, WORD, 0, vmshm_deadline_in(timeout_ns),
			    VMSHM_NO_SLEEPERS, VMSHM_WAIT_DEADLINE);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* A waiter whose deadline passes. */
static void *late_waiter_thread(void *arg)
{
	return marked_wait(arg, 50 * MS);
}

/* A waiter that only its peer can end, within 10 s. */
static void *marked_waiter_thread(void *arg)
{
	return marked_wait(arg, 10000 * MS);
}

/*
 * A wake-one that picks a waiter between its timeout and finish_wait()
 * is that waiter's: it returns 0, not ETIMEDOUT, and the waiter queued
 * behind it sleeps on until the next wake.  The fault attribute holds the
 * timed-out waiter in that window for 2 s; the wake comes as soon as the
 * attribute has fired.
 */
TEST_F(notify, wake_one_picks_timing_out_waiter)
{
	struct waiter late = { .fd = self->fd }, next = { .fd = self->fd };
	struct vmshm_stat st;
	pthread_t th_late, th_next;

	if (access(WAIT_RACE, F_OK))
		SKIP(return, "%s: needs CONFIG_FAULT_INJECTION_DEBUG_FS",
		     WAIT_RACE);
	ASSERT_EQ(0, race_arm(WAIT_RACE, 2000));
	ASSERT_EQ(0, pthread_create(&th_late, NULL, late_waiter_thread, &late));
	ASSERT_EQ(0, wait_waits(self->fd, 1));
	/* Queued behind the late waiter, so a wake-one picks that first. */
	ASSERT_EQ(0, pthread_create(&th_next, NULL, waiter_thread, &next));
	ASSERT_EQ(0, wait_waits(self->fd, 2));

	/* times drops to 0 once the late waiter has given up, queued. */
	ASSERT_EQ(0, race_fired(WAIT_RACE));
	ASSERT_EQ(0, count_done(&late, 1));
	ASSERT_EQ(0, vmshm_wake(self->fd, false));
	pthread_join(th_late, NULL);
	ASSERT_EQ(0, late.ret);

	/* The wake was spent on the late waiter: the next one still sleeps. */
	usleep(200000);
	ASSERT_EQ(0, count_done(&next, 1));
	ASSERT_EQ(0, vmshm_wake(self->fd, false));
	pthread_join(th_next, NULL);
	ASSERT_EQ(0, next.ret);
	test_cmd_stat(self->fd, &st);
	ASSERT_EQ(0, st.out_timeouts);
	ASSERT_EQ(0, write_file(WAIT_RACE "/probability", "0"));
}

/*
 * The peer of last_answer_before_gone(): attach, map, say so on @ready,
 * then on a byte from @go store the answer and exit.  No VMSHM_WAKE: its
 * exit wakes the waiter, and a wake-one that picked the waiter would end
 * the wait with 0 however the waiter's checks went.
 */
static int answer_and_leave(const char *name, int ready, int go)
{
	void *mem;
	char c = 0;
	int fd = vmshm_open();

	if (fd < 0 || vmshm_attach(fd, name, 0, NULL, NULL) ||
	    vmshm_map(fd, page_size(), PROT_READ | PROT_WRITE, &mem))
		return 1;
	if (write(ready, &c, 1) != 1 || read(go, &c, 1) != 1)
		return 2;
	__atomic_store_n((uint32_t *)mem + WORD / 4, 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * A peer that stores its answer and exits while the waiter is between
 * its look at the word and its look for peers: the waiter must see the
 * answer (EAGAIN), not EPIPE.  The fault attribute holds the waiter there
 * for 2 s, in which the peer does both.
 */
TEST_F(notify, last_answer_before_gone)
{
	struct waiter w = { .fd = self->fd };
	int ready[2], go[2], status;
	pthread_t th;
	pid_t pid;
	char c;

	if (access(WAIT_GONE_RACE, F_OK))
		SKIP(return, "%s: needs CONFIG_FAULT_INJECTION_DEBUG_FS",
		     WAIT_GONE_RACE);
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(answer_and_leave(self->name, ready[1], go[0]));
	ASSERT_EQ(1, read(ready[0], &c, 1));

	ASSERT_EQ(0, race_arm(WAIT_GONE_RACE, 2000));
	ASSERT_EQ(0, pthread_create(&th, NULL, marked_waiter_thread, &w));
	ASSERT_EQ(0, race_fired(WAIT_GONE_RACE));
	ASSERT_EQ(1, write(go[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WIFEXITED(status) ? WEXITSTATUS(status) : 128);
	/* The peer has gone while the waiter was held: the window was hit. */
	ASSERT_EQ(0, count_done(&w, 1));
	pthread_join(th, NULL);
	ASSERT_EQ(-EAGAIN, w.ret);
	ASSERT_EQ(0, write_file(WAIT_GONE_RACE "/probability", "0"));
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}

/*
 * A first peer that attaches while the waiter looks for peers has not
 * come and gone: the waiter must sleep on, not fail with EPIPE.  The
 * fault attribute holds the waiter for 1 s between its look at the bind
 * generation and its count of peers; the peer attaches in that window.
 */
TEST_F(notify, first_peer_attaching)
{
	struct waiter w = { .fd = self->fd };
	pthread_t th;
	int fd;

	if (access(WAIT_GONE_RACE, F_OK))
		SKIP(return, "%s: needs CONFIG_FAULT_INJECTION_DEBUG_FS",
		     WAIT_GONE_RACE);
	ASSERT_EQ(0, race_arm(WAIT_GONE_RACE, 1000));
	ASSERT_EQ(0, pthread_create(&th, NULL, marked_waiter_thread, &w));
	ASSERT_EQ(0, race_fired(WAIT_GONE_RACE));
	fd = test_open();
	ASSERT_EQ(0, vmshm_attach(fd, self->name, 0, NULL, NULL));
	/* Past the held window: the waiter went to sleep. */
	ASSERT_EQ(0, wait_waits(self->fd, 1));
	ASSERT_EQ(0, count_done(&w, 1));
	ASSERT_EQ(0, vmshm_wake(fd, false));
	pthread_join(th, NULL);
	ASSERT_EQ(0, w.ret);
	ASSERT_EQ(0, write_file(WAIT_GONE_RACE "/probability", "0"));
	close(fd);
}

TEST_F(notify, sleepers_word)
{
	struct waiter w = { 0 };
	pthread_t th;

	ASSERT_EQ(0, self->mem[SLEEPERS / 4]);
	ASSERT_EQ(0, start_waiters(self->fd, self->mem, &w, &th, 1));
	/* Changing the word alone does not wake: WAKE does. */
	self->mem[WORD / 4] = 1;
	usleep(50000);
	ASSERT_EQ(0, __atomic_load_n(&w.done, __ATOMIC_ACQUIRE));
	ASSERT_EQ(0, vmshm_wake(self->fd, false));
	pthread_join(th, NULL);
	ASSERT_EQ(0, w.ret);
	ASSERT_EQ(0, self->mem[SLEEPERS / 4]);
}

/* Errors of VMSHM_WAIT_WAKE come before its wake: nothing is woken. */
TEST_F(notify, wait_wake_bad_args)
{
	uint32_t flags = VMSHM_WAIT_WAKE | VMSHM_WAIT_DEADLINE;
	uint64_t soon = vmshm_deadline_in(10 * MS);
	struct vmshm_stat st;
	int ro = test_open();

	ASSERT_EQ(-EINVAL, vmshm_wait(self->fd, WORD, 0, soon,
				      VMSHM_NO_SLEEPERS,
				      VMSHM_WAIT_WAKE_ALL | VMSHM_WAIT_DEADLINE));
	ASSERT_EQ(-EINVAL, vmshm_wait(self->fd, WORD, 0, soon,
				      VMSHM_NO_SLEEPERS,
				      VMSHM_WAIT_SPIN | VMSHM_WAIT_DEADLINE));
	ASSERT_EQ(-EINVAL, vmshm_wait(self->fd, WORD, 0, soon,
				      VMSHM_NO_SLEEPERS, VMSHM_WAIT_SPIN |
				      VMSHM_WAIT_WAKE_ALL | VMSHM_WAIT_DEADLINE));
	ASSERT_EQ(-EOPNOTSUPP, vmshm_wait(self->fd, WORD, 0, soon,
					  VMSHM_NO_SLEEPERS, flags | (1U << 5)));
	ASSERT_EQ(-EINVAL, vmshm_wait(self->fd, page_size(), 0, soon,
				      VMSHM_NO_SLEEPERS, flags));
	ASSERT_EQ(-EINVAL, vmshm_wait(self->fd, WORD + 2, 0, soon,
				      VMSHM_NO_SLEEPERS, flags));
	test_cmd_attach(ro, self->name, VMSHM_ATTACH_RDONLY);
	ASSERT_EQ(-EBADF, vmshm_wait(ro, WORD, 0, soon, VMSHM_NO_SLEEPERS,
				     flags));
	ASSERT_EQ(-EBADF, vmshm_wait(ro, WORD, 0, soon, VMSHM_NO_SLEEPERS,
				     flags | VMSHM_WAIT_SPIN));
	test_cmd_stat(self->fd, &st);
	ASSERT_EQ(0, st.out_wakes);
	ASSERT_EQ(0, st.out_seq);
	ASSERT_EQ(0, st.out_waits);
	close(ro);
}

/*
 * With a waiter asleep, VMSHM_WAIT_WAKE (and @flags) expecting @val on
 * the word must return @err and wake the waiter.
 */
static void wait_wake_one(struct __test_metadata *_metadata,
			  FIXTURE_DATA(notify) *self, uint32_t val, int err,
			  uint32_t flags)
{
	struct waiter w = { 0 };
	pthread_t th;

	ASSERT_EQ(0, start_waiters(self->fd, self->mem, &w, &th, 1));
	ASSERT_EQ(err, vmshm_wait(self->fd, WORD, val,
				  vmshm_deadline_in(100 * MS),
				  VMSHM_NO_SLEEPERS, VMSHM_WAIT_WAKE |
				  VMSHM_WAIT_DEADLINE | flags));
	pthread_join(th, NULL);
	ASSERT_EQ(0, w.ret);
}

/*
 * VMSHM_WAIT_WAKE wakes a waiter, then waits itself: its wake is not its.
 * With VMSHM_WAIT_SPIN the same: the woken waiter leaves without an
 * answer, so the spin finds nothing, and the caller sleeps to its
 * deadline as it would have without spinning.
 */
static void wait_wake_then_wait(struct __test_metadata *_metadata,
				FIXTURE_DATA(notify) *self, uint32_t flags)
{
	struct vmshm_stat st;

	wait_wake_one(_metadata, self, 0, -ETIMEDOUT, flags);
	test_cmd_stat(self->fd, &st);
	ASSERT_EQ(1, st.out_wakes);
	ASSERT_EQ(1, st.out_timeouts);
	ASSERT_EQ(2, st.out_waits);

	/* The word differs: EAGAIN, but the wake has been done. */
	wait_wake_one(_metadata, self, 1, -EAGAIN, flags);
	test_cmd_stat(self->fd, &st);
	ASSERT_EQ(2, st.out_wakes);
	ASSERT_EQ(0, self->mem[SLEEPERS / 4]);
}

TEST_F(notify, wait_wake_wakes_then_waits)
{
	wait_wake_then_wait(_metadata, self, 0);
}

TEST_F(notify, wait_spin_wakes_then_waits)
{
	wait_wake_then_wait(_metadata, self, VMSHM_WAIT_SPIN);
}

/* Pin the caller to @cpu.  Returns 0 or -1. */
static int pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Fork a process that SIGKILLs @pid once @n waits on @fd's region have
 * slept, or after 5 s if they do not.  It runs on CPU 1 and exits 0, or
 * 2 if it gave up.
 */
static pid_t kill_when_waits(int fd, uint64_t n, pid_t pid)
{
	pid_t killer = fork();
	int ret;

	if (!killer) {
		/* Off the caller's CPU: waking up there would end its spin. */
		ret = pin_to(1) ?: wait_waits(fd, n);
		kill(pid, SIGKILL);
		_exit(ret ? 2 : 0);
	}
	return killer;
}

/*
 * Spinning must never hang: the peer VMSHM_WAIT_SPIN woke stays runnable
 * on another CPU and never answers.  The spin gives up (its bound, or
 * need_resched()) and the caller goes to sleep, which the region's count
 * of waits that slept shows; only then is the peer killed, and its death
 * ends the sleep with EPIPE.  A spin bounded only by the peer's running
 * would keep that count at 1: the killer would give up after 5 s, and
 * the call would last longer than that.
 */
TEST_F(notify, wait_spin_peer_runs_and_dies)
{
	pid_t pid, killer;
	uint64_t t0;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "the peer needs a CPU of its own");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = vmshm_open();

		/* Dies with the test, should it fail before the kill. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || pin_to(1) || fd < 0 ||
		    vmshm_attach(fd, self->name, 0, NULL, NULL) ||
		    vmshm_wait(fd, WORD, 0, 0, VMSHM_NO_SLEEPERS, 0))
			_exit(1);
		for (;;)
			;	/* woken, runs, never answers */
	}
	/* The peer's wait, then ours once its spin has given up. */
	killer = kill_when_waits(self->fd, 2, pid);
	ASSERT_LE(0, killer);
	/* Alone on CPU 0 by the time the peer sleeps: nothing ends the spin. */
	ASSERT_EQ(0, pin_to(0));
	ASSERT_EQ(0, wait_waits(self->fd, 1));
	t0 = vmshm_now_ns();
	ASSERT_EQ(-EPIPE, vmshm_wait(self->fd, WORD, 0, 0, VMSHM_NO_SLEEPERS,
				     VMSHM_WAIT_WAKE | VMSHM_WAIT_SPIN));
	ASSERT_GT(t0 + 5000 * MS, vmshm_now_ns());
	ASSERT_EQ(0, wait_child(killer));
	ASSERT_EQ(255, wait_child(pid));	/* killed */
}

/* VMSHM_WAIT_WAKE_ALL wakes every waiter before the caller waits. */
TEST_F(notify, wait_wake_all)
{
	struct waiter w[NR_WAITERS] = { 0 };
	pthread_t th[NR_WAITERS];
	int i;

	ASSERT_EQ(0, start_waiters(self->fd, self->mem, w, th, NR_WAITERS));
	ASSERT_EQ(-ETIMEDOUT,
		  vmshm_wait(self->fd, WORD, 0, vmshm_deadline_in(50 * MS),
			     VMSHM_NO_SLEEPERS, VMSHM_WAIT_WAKE |
			     VMSHM_WAIT_WAKE_ALL | VMSHM_WAIT_DEADLINE));
	for (i = 0; i < NR_WAITERS; i++) {
		pthread_join(th[i], NULL);
		ASSERT_EQ(0, w[i].ret);
	}
}

TEST_F(notify, read_and_poll)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	uint64_t seq = 0;

	ASSERT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
	ASSERT_EQ(-EAGAIN, vmshm_read_event(self->fd, &seq));
	ASSERT_EQ(0, vmshm_wake(self->fd, false));
	ASSERT_EQ(1, poll(&pfd, 1, 1000));
	ASSERT_EQ(POLLIN, pfd.revents);
	ASSERT_EQ(0, vmshm_read_event(self->fd, &seq));
	ASSERT_EQ(1, seq);
	/* read() consumed the readiness. */
	ASSERT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(-1, read(self->fd, &seq, 4));
	ASSERT_EQ(EINVAL, errno);
}

struct reader {
	int fd;
	pid_t tid;		/* read and written with __atomic */
	ssize_t ret;
	int err;
	uint64_t seq;
};

static void *reader_thread(void *arg)
{
	struct reader *rd = arg;

	__atomic_store_n(&rd->tid, gettid(), __ATOMIC_RELEASE);
	rd->ret = read(rd->fd, &rd->seq, sizeof(rd->seq));
	rd->err = rd->ret < 0 ? errno : 0;
	return NULL;
}

/* Wait until thread @tid of ours sleeps ('S'), or give up after 5 s. */
static int wait_task_sleeps(pid_t *tidp)
{
	char path[64], buf[256], *s;
	pid_t tid;
	int i;

	for (i = 0; i < 5000; i++, usleep(1000)) {
		tid = __atomic_load_n(tidp, __ATOMIC_ACQUIRE);
		if (!tid)
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
		s = proc_stat_fields(path, buf, sizeof(buf), NULL);
		if (s && *s == 'S')
			return 0;
	}
	return -1;
}

static int start_reader(struct reader *rd, pthread_t *th, const char *name)
{
	rd->fd = vmshm_open();
	if (rd->fd < 0 || vmshm_attach(rd->fd, name, 0, NULL, NULL))
		return -1;
	if (pthread_create(th, NULL, reader_thread, rd))
		return -1;
	return wait_task_sleeps(&rd->tid);
}

/*
 * read() sleepers share the VMSHM_WAIT queue, non-exclusive: a wake-one
 * wakes every reader and still exactly one VMSHM_WAIT sleeper.
 */
TEST_F(notify, wake_one_wakes_readers_and_one_waiter)
{
	struct waiter w[NR_WAITERS] = { 0 };
	struct reader rd[2] = { 0 };
	pthread_t th[NR_WAITERS], rth[2];
	int i;

	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, start_reader(&rd[i], &rth[i], self->name));
	ASSERT_EQ(0, start_waiters(self->fd, self->mem, w, th, NR_WAITERS));

	ASSERT_EQ(0, vmshm_wake(self->fd, false));
	for (i = 0; i < 2; i++) {
		pthread_join(rth[i], NULL);
		ASSERT_EQ(sizeof(uint64_t), rd[i].ret);
		ASSERT_EQ(1, rd[i].seq);
	}
	ASSERT_EQ(0, wait_sleepers(self->mem, NR_WAITERS - 1));
	ASSERT_EQ(1, settle_done(w, NR_WAITERS, 1));
	ASSERT_EQ(0, vmshm_wake(self->fd, true));
	for (i = 0; i < NR_WAITERS; i++) {
		pthread_join(th[i], NULL);
		ASSERT_EQ(0, w[i].ret);
	}
	/* Only now: a detach wakes every sleeper to recheck. */
	for (i = 0; i < 2; i++)
		close(rd[i].fd);
}

/* A sleeping read() ends with EINTR on a signal, with 0 once peers go. */
TEST_F(notify, read_sleeper_signal_and_hangup)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct reader rd = { 0 };
	pthread_t th;
	int fd;

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, start_reader(&rd, &th, self->name));
	ASSERT_EQ(0, pthread_kill(th, SIGALRM));
	pthread_join(th, NULL);
	ASSERT_EQ(-1, rd.ret);
	ASSERT_EQ(EINTR, rd.err);

	/* rd.fd stays attached: sleep on it, then let every peer go. */
	fd = rd.fd;
	memset(&rd, 0, sizeof(rd));
	rd.fd = fd;
	ASSERT_EQ(0, pthread_create(&th, NULL, reader_thread, &rd));
	ASSERT_EQ(0, wait_task_sleeps(&rd.tid));
	munmap((void *)self->mem, page_size());
	close(self->fd);
	self->fd = -1;
	pthread_join(th, NULL);
	ASSERT_EQ(0, rd.ret);
	close(fd);
}

TEST_F(notify, epoll_hup_after_peer_exit)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int ep = epoll_create1(0);
	uint64_t seq;
	pid_t pid;

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	/* A lone creator is not hung up. */
	ASSERT_EQ(0, epoll_wait(ep, &out, 1, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = vmshm_open();

		if (fd < 0 || vmshm_attach(fd, self->name, 0, NULL, NULL))
			_exit(1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(0, wait_attached(self->fd, 2));
	ASSERT_EQ(0, epoll_wait(ep, &out, 1, 0));
	kill(pid, SIGKILL);
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 5000));
	ASSERT_TRUE(out.events & EPOLLHUP);
	/* read() sees end of file, VMSHM_WAIT sees EPIPE. */
	ASSERT_EQ(0, read(self->fd, &seq, sizeof(seq)));
	ASSERT_EQ(-EPIPE, wait_for(self->fd, 0, 5000 * MS));
	wait_child(pid);
	close(ep);
}

TEST_F(notify, wait_ends_when_peer_dies)
{
	uint64_t t0;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = vmshm_open();

		if (fd < 0 || vmshm_attach(fd, self->name, 0, NULL, NULL))
			_exit(1);
		usleep(200000);
		_exit(0);	/* dies without a WAKE */
	}
	t0 = vmshm_now_ns();
	/* No deadline: only the peer's exit can end this wait. */
	ASSERT_EQ(-EPIPE, vmshm_wait(self->fd, WORD, 0, 0, VMSHM_NO_SLEEPERS,
				     0));
	ASSERT_GT(t0 + 5000 * MS, vmshm_now_ns());
	ASSERT_EQ(0, wait_child(pid));
}

#define ROUNDS	100000

/*
 * Each side waits for its turn number and hands the turn over, waking the
 * other only if it is marked sleeping.  With @fused (VMSHM_WAIT_WAKE,
 * with or without VMSHM_WAIT_SPIN), that wake goes with the next wait, in
 * one call, or on its own if no wait follows.
 */
static int pingpong(int fd, volatile uint32_t *turn, uint32_t me,
		    uint32_t rounds, uint32_t fused)
{
	uint32_t i, t, owed = 0;
	int ret;

	for (i = me; i < 2 * rounds; i += 2) {
		while ((t = __atomic_load_n(turn, __ATOMIC_ACQUIRE)) != i) {
			ret = vmshm_wait(fd, WORD, t, 0, SLEEPERS,
					 VMSHM_WAIT_SLEEPERS | owed);
			if (ret && ret != -EAGAIN)
				return ret;
			owed = 0;
		}
		if (owed) {
			ret = vmshm_wake(fd, false);
			if (ret)
				return ret;
			owed = 0;
		}
		__atomic_store_n(turn, i + 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(turn + SLEEPERS / 4, __ATOMIC_SEQ_CST))
			owed = fused ?: VMSHM_WAIT_WAKE;
		if (owed && !fused) {
			ret = vmshm_wake(fd, false);
			if (ret)
				return ret;
			owed = 0;
		}
	}
	return owed ? vmshm_wake(fd, false) : 0;
}

static void pingpong_run(struct __test_metadata *_metadata,
			 FIXTURE_DATA(notify) *self, uint32_t rounds,
			 uint32_t fused)
{
	pid_t pid, dog;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = vmshm_open();

		if (fd < 0 || vmshm_attach(fd, self->name, 0, NULL, NULL))
			_exit(1);
		_exit(pingpong(fd, self->mem, 1, rounds, fused) ? 2 : 0);
	}
	/*
	 * The watchdog: a lost wakeup would hang both sides forever.  Alone
	 * the test takes about 30 s under TCG; the margin is for a host whose
	 * cores are shared with other guests.
	 */
	dog = fork();
	ASSERT_LE(0, dog);
	if (!dog) {
		sleep(840);
		kill(pid, SIGKILL);
		kill(getppid(), SIGKILL);
		_exit(0);
	}
	ASSERT_EQ(0, pingpong(self->fd, self->mem, 0, rounds, fused));
	ASSERT_EQ(0, wait_child(pid));
	kill(dog, SIGKILL);
	wait_child(dog);
	ASSERT_EQ(2 * rounds, self->mem[WORD / 4]);
}

TEST_F_TIMEOUT(notify, pingpong_no_lost_wakeup, 900)
{
	pingpong_run(_metadata, self, ROUNDS, 0);
}

/* The same with each wake fused into the next wait (VMSHM_WAIT_WAKE). */
TEST_F_TIMEOUT(notify, pingpong_wait_wake_no_lost_wakeup, 900)
{
	pingpong_run(_metadata, self, ROUNDS / 4, VMSHM_WAIT_WAKE);
}

/*
 * And with a spin after each wake (VMSHM_WAIT_SPIN): an answer that comes
 * during the spin finds no sleeper counted, so it wakes nobody.
 */
TEST_F_TIMEOUT(notify, pingpong_wait_spin_no_lost_wakeup, 900)
{
	pingpong_run(_metadata, self, ROUNDS / 4,
		     VMSHM_WAIT_WAKE | VMSHM_WAIT_SPIN);
}

TEST_HARNESS_MAIN
