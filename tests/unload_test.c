// SPDX-License-Identifier: GPL-2.0
/*
 * Module unload: refused while a mapping, an fd or a poller holds the
 * module, allowed after, and a name left behind or a socket subscribed to
 * events does not block it; netlink requests race with it, and IPC
 * namespaces die between unloads.  The module is loaded again from
 * $VMSHM_KO (default /lib/vmshm/vmshm.ko), so run this program last.
 */
#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/wait.h>

#include "vmshm_nl_test.h"

FIXTURE(unload) {
	int fd;
};

FIXTURE_SETUP(unload)
{
	self->fd = test_open();
	test_cmd_create(self->fd, NULL, page_size(), 0600, VMSHM_CREATE_ANON);
}

FIXTURE_TEARDOWN(unload)
{
	if (access(VMSHM_DEVICE, F_OK))
		vmshm_reload();
}

TEST_F(unload, refused_while_mapped)
{
	char *p = test_mmap(self->fd, page_size(), PROT_READ | PROT_WRITE, 0);

	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	ASSERT_EQ(-EWOULDBLOCK, vmshm_unload());
	/* The mapping alone still holds the file, and so the module. */
	close(self->fd);
	ASSERT_EQ(-EWOULDBLOCK, vmshm_unload());
	ASSERT_EQ(1, p[0]);
	ASSERT_EQ(0, munmap(p, page_size()));
	ASSERT_EQ(0, vmshm_unload());
	ASSERT_NE(0, access(VMSHM_DEVICE, F_OK));
	ASSERT_EQ(0, vmshm_reload());
	ASSERT_EQ(0, access("/proc/vmshm", R_OK));
}

TEST_F(unload, refused_while_polled)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int ep = epoll_create1(0);

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	ASSERT_EQ(-EWOULDBLOCK, vmshm_unload());
	close(self->fd);
	/* epoll does not hold the file: closing the fd released it. */
	ASSERT_EQ(0, vmshm_unload());
	close(ep);
	ASSERT_EQ(0, vmshm_reload());
}

TEST_F(unload, name_left_behind)
{
	int fd = test_open();
	struct vmshm_info info;
	char *p;

	test_cmd_create(fd, "left-behind", 4 * page_size(), 0600, 0);
	p = test_mmap(fd, page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	ASSERT_EQ(0, munmap(p, page_size()));
	close(fd);
	close(self->fd);
	/* Only the name holds the region now; it must not pin the module. */
	ASSERT_EQ(0, vmshm_unload());
	ASSERT_EQ(0, vmshm_reload());
	fd = test_open();
	test_cmd_info(fd, &info);
	test_err_attach(ENOENT, fd, "left-behind", 0);
	close(fd);
	ASSERT_EQ(0, info.out_nr_regions);
	ASSERT_EQ(0, info.out_nr_pages);
	ASSERT_EQ(0, info.out_reserved_pages);
}

/* Loads of the module so far; a looker reopens its socket on a new one. */
static int module_gen;		/* read and written with __atomic */

/* /proc/sys/kernel/tainted, whose bit 9 (W) a WARNING sets. */
static unsigned long tainted(void)
{
	unsigned long t = 0;
	FILE *f = fopen("/proc/sys/kernel/tainted", "r");

	if (f) {
		if (fscanf(f, "%lu", &t) != 1)
			t = 0;
		fclose(f);
	}
	return t;
}

#define TAINT_WARN	(1UL << 9)

/*
 * A socket subscribed to events holds no module reference: the module
 * unloads under it, dropping the subscription; the socket hears nothing
 * more, closes cleanly after the reload, and a new one subscribes.
 */
TEST_F(unload, subscribed_socket_does_not_block)
{
	unsigned long taint0 = tainted();
	struct vmshm_nl *nl = test_nl_open(), *nl2;
	struct vmshm_nl_event ev;

	ASSERT_EQ(0, vmshm_nl_subscribe_events(nl));
	close(self->fd);
	/* The anonymous region of the fixture: CREATED came before. */
	ASSERT_EQ(0, vmshm_nl_next_event(nl, &ev, 2000));
	ASSERT_EQ(VMSHM_EVENT_DETACHED, ev.type);
	ASSERT_EQ(0, vmshm_nl_next_event(nl, &ev, 2000));
	ASSERT_EQ(VMSHM_EVENT_DESTROYED, ev.type);
	ASSERT_EQ(0, vmshm_unload());
	ASSERT_EQ(0, vmshm_reload());
	self->fd = test_open();
	test_cmd_create(self->fd, NULL, page_size(), 0600, VMSHM_CREATE_ANON);
	ASSERT_EQ(-ETIMEDOUT, vmshm_nl_next_event(nl, &ev, 200));
	vmshm_nl_close(nl);
	nl2 = test_nl_open();
	ASSERT_EQ(0, vmshm_nl_subscribe_events(nl2));
	close(self->fd);
	ASSERT_EQ(0, vmshm_nl_next_event(nl2, &ev, 2000));
	ASSERT_EQ(VMSHM_EVENT_DETACHED, ev.type);
	vmshm_nl_close(nl2);
	ASSERT_EQ(0, (tainted() & ~taint0) & TAINT_WARN);
}

struct looker {
	const char *name;
	int stop;		/* read and written with __atomic */
	long found;
};

/* Netlink GET_REGION by name, as any user may, across every reload. */
static void *looker_thread(void *arg)
{
	struct looker *l = arg;
	struct vmshm_nl_region r;
	struct vmshm_nl *nl = NULL;
	int gen = -1;

	while (!__atomic_load_n(&l->stop, __ATOMIC_ACQUIRE)) {
		if (gen != __atomic_load_n(&module_gen, __ATOMIC_ACQUIRE)) {
			vmshm_nl_close(nl);
			nl = NULL;
			gen = __atomic_load_n(&module_gen, __ATOMIC_ACQUIRE);
			/* The family is missing while the module is out. */
			if (vmshm_nl_open(&nl)) {
				gen = -1;
				continue;
			}
		}
		l->found += !vmshm_nl_get_region(nl, 0, l->name, &r);
	}
	vmshm_nl_close(nl);
	return NULL;
}

/*
 * Unloading while netlink requests run: no request may still hold a
 * region when the regions left by name are destroyed (a WARNING before
 * the exit path unregistered the family first).
 */
TEST_F_TIMEOUT(unload, netlink_request_in_flight, 300)
{
	/*
	 * 100 cycles take 10 s on a stock kernel under TCG, and more than the
	 * harness's default 30 s on the debug kernel in the middle of its
	 * lane; a test killed there would leave the module out.  So: 100
	 * cycles or 60 s, whichever comes first, inside a 300 s timeout.
	 */
	uint64_t end = vmshm_deadline_in(60ULL * 1000000000ULL);
	unsigned long taint0 = tainted();
	struct looker l = { .name = "unload-race" };
	pthread_t th;
	int i, fd;

	close(self->fd);
	ASSERT_EQ(0, pthread_create(&th, NULL, looker_thread, &l));
	for (i = 0; i < 100 && vmshm_now_ns() < end; i++) {
		fd = test_open();
		test_cmd_create(fd, l.name, page_size(), 0600, 0);
		close(fd);
		/* Give the looker time to meet the region. */
		usleep(1000);
		ASSERT_EQ(0, vmshm_unload());
		ASSERT_EQ(0, vmshm_reload());
		__atomic_add_fetch(&module_gen, 1, __ATOMIC_RELEASE);
		if ((tainted() & ~taint0) & TAINT_WARN)
			break;
	}
	__atomic_store_n(&l.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	TH_LOG("%d cycles, %ld lookups found the region", i, l.found);
	ASSERT_EQ(0, (tainted() & ~taint0) & TAINT_WARN);
	ASSERT_LT(0, l.found);
}

/* Shared by the test and its namespace makers (MAP_SHARED). */
struct ns_deaths {
	int stop;		/* read and written with __atomic */
	int hold;		/* pause number N asked for, 0 none: __atomic */
	int held;		/* the maker is in pause N: __atomic */
	long made;		/* regions made in a namespace that then died */
	int unsupported;	/* EOPNOTSUPP: the module cannot follow them */
};

/*
 * Make IPC namespaces with a named region in each, and let them die,
 * until told to stop: each death runs the module's shm_exit_ns() probe,
 * which raises an irq_work that queues the work dropping the names.
 */
static void __attribute__((noreturn)) ns_deaths_run(struct ns_deaths *d)
{
	char name[32];
	pid_t pid;
	int i, fd, ret, hold;

	for (i = 0; !__atomic_load_n(&d->stop, __ATOMIC_ACQUIRE); i++) {
		hold = __atomic_load_n(&d->hold, __ATOMIC_ACQUIRE);
		if (hold) {
			__atomic_store_n(&d->held, hold, __ATOMIC_RELEASE);
			usleep(1000);
			continue;
		}
		pid = fork();
		if (pid < 0)
			_exit(1);
		if (!pid) {
			if (unshare(CLONE_NEWIPC))
				_exit(1);
			/* The module may be out: try again with the next. */
			fd = open(VMSHM_DEVICE, O_RDWR | O_CLOEXEC);
			if (fd < 0)
				_exit(0);
			snprintf(name, sizeof(name), "ns-death-%d", i);
			ret = vmshm_create(fd, name, page_size(), 0600, 0, NULL);
			if (!ret)
				__atomic_add_fetch(&d->made, 1,
						   __ATOMIC_RELAXED);
			else if (ret == -EOPNOTSUPP)
				__atomic_store_n(&d->unsupported, 1,
						 __ATOMIC_RELAXED);
			_exit(0);
		}
		if (waitpid(pid, NULL, 0) != pid)
			_exit(1);
	}
	_exit(0);
}

/* The module's count of regions, or -1 when it cannot be read. */
static long nr_regions(void)
{
	struct vmshm_info info;
	int fd = open(VMSHM_DEVICE, O_RDWR | O_CLOEXEC);
	long n = -1;

	if (fd < 0)
		return -1;
	if (!vmshm_get_info(fd, &info))
		n = info.out_nr_regions;
	close(fd);
	return n;
}

/*
 * Pause the maker (pause number @n), then wait up to 10 s until every
 * namespace it let die has had its names dropped, the region count back
 * at @base: each of those deaths has then run past the probe.
 */
static int ns_deaths_hold(struct ns_deaths *d, int n, long base)
{
	int i;

	__atomic_store_n(&d->hold, n, __ATOMIC_RELEASE);
	for (i = 0; i < 10000; i++, usleep(1000)) {
		if (__atomic_load_n(&d->held, __ATOMIC_ACQUIRE) == n &&
		    nr_regions() == base)
			return 0;
	}
	return -1;
}

/*
 * IPC namespaces die under each of many loads of the module: each load's
 * probe follows them, and drops their names, with nothing left behind at
 * the unload (no warning).  The deaths pause while the module goes and
 * comes back, until the last one's names are gone: taking the probe out
 * and putting it in rewrites shm_exit_ns()'s code, and under QEMU's
 * multi-threaded TCG a vCPU running it meanwhile can run the old bytes
 * (free_ipc() jumped to 0 with the ftrace probe, and met a stale int3 at
 * shm_exit_ns+0xa with a plain int3 one, tried).  So a death no longer races
 * the unload itself, nor work the probe queued; that race needs a guest
 * whose vCPUs see code changes as CPUs do.  50 cycles or 30 s.
 */
TEST_F_TIMEOUT(unload, namespaces_die_across_reloads, 300)
{
	uint64_t end = vmshm_deadline_in(30ULL * 1000000000ULL);
	unsigned long taint0 = tainted();
	struct ns_deaths *d;
	int i, ret, status;
	pid_t maker;
	long base;

	close(self->fd);
	base = nr_regions();
	ASSERT_LE(0, base);
	d = mmap(NULL, sizeof(*d), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, d);
	maker = fork();
	ASSERT_LE(0, maker);
	if (!maker)
		ns_deaths_run(d);
	for (i = 0; i < 50 && vmshm_now_ns() < end; i++) {
		usleep(rand() % 10000);
		ASSERT_EQ(0, ns_deaths_hold(d, i + 1, base))
			TH_LOG("regions %ld, want %ld", nr_regions(), base);
		while ((ret = vmshm_unload()) == -EWOULDBLOCK)
			usleep(100);
		ASSERT_EQ(0, ret);
		usleep(rand() % 10000);
		ASSERT_EQ(0, vmshm_reload());
		__atomic_store_n(&d->hold, 0, __ATOMIC_RELEASE);
		if ((tainted() & ~taint0) & TAINT_WARN)
			break;
	}
	__atomic_store_n(&d->stop, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(maker, waitpid(maker, &status, 0));
	TH_LOG("%d cycles, %ld regions made in namespaces that died", i,
	       d->made);
	ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	ASSERT_EQ(0, (tainted() & ~taint0) & TAINT_WARN);
	if (!d->made && d->unsupported)
		SKIP(return, "regions outside the initial IPC namespace: EOPNOTSUPP (no kprobes)");
	/* Else the probe had nothing to do, and this tested nothing. */
	ASSERT_LT(0, d->made);
	munmap(d, sizeof(*d));
}

TEST_HARNESS_MAIN
