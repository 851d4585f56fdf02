// SPDX-License-Identifier: GPL-2.0
/*
 * vmshm in containers: region names and events per IPC namespace, pids
 * per pid namespace, the one unlink rule of the ioctl and netlink, and the
 * per-user limits (see "Namespaces and limits" in Documentation/vmshm.rst).
 *
 * The namespaces are made here with unshare(2) and joined with setns(2),
 * each in a forked child, so that the test process stays where it was.
 * A child reports a failed check on stderr with its line and exits with
 * 1; the parent asserts that it exited with 0.
 *
 * Needs root (to make namespaces and change uids) and a kernel with user,
 * IPC and pid namespaces; skips (exit 4) otherwise.
 */
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <linux/capability.h>

#include "vmshm_nl_test.h"

#define USER_A		1000
#define USER_B		1001
#define USER_C		2000
#define NOBODY		65534
#define SETTLE_NS	10000000000ULL	/* for a dead namespace's names */

/* In a forked child: exit with 1 when @cond is false, saying why. */
#define CHILD_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# %s:%d: in child %d: %s failed (errno %s)\n", \
			__FILE__, __LINE__, getpid(), #cond,		\
			strerror(errno));				\
		_exit(1);						\
	}								\
} while (0)

/* Set both the real and effective ids, and drop the groups. */
static int become(uid_t uid)
{
	return setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	       setresuid(uid, uid, uid) ? -errno : 0;
}

/*
 * A new user namespace (with @flags, more CLONE_NEW* to make at once)
 * whose root is the caller's uid outside, as `unshare -U -r` makes it.
 */
static int unshare_user_root(int flags)
{
	char map[32];
	uid_t uid = geteuid();
	gid_t gid = getegid();

	/* A process that changed uids must be dumpable to write its maps. */
	if (prctl(PR_SET_DUMPABLE, 1) || unshare(CLONE_NEWUSER | flags))
		return -errno;
	snprintf(map, sizeof(map), "0 %u 1", uid);
	if (write_file("/proc/self/uid_map", map))
		return -EIO;
	if (write_file("/proc/self/setgroups", "deny"))
		return -EIO;
	snprintf(map, sizeof(map), "0 %u 1", gid);
	return write_file("/proc/self/gid_map", map) ? -EIO : 0;
}

/* One byte over a pipe, to order two processes. */
static int post(int fd)
{
	return write(fd, "x", 1) == 1 ? 0 : -1;
}

/* Wait for post() on the other end, 20 s at most: no test hangs. */
static int await(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c;

	if (poll(&pfd, 1, 20000) != 1)
		return -ETIMEDOUT;
	return read(fd, &c, 1) == 1 ? 0 : -EPIPE;
}

/* Whether a dump or /proc/vmshm listed region @id, or any named @name. */
static bool snapshot_has(const struct nl_snapshot *s, uint32_t id,
			 const char *name)
{
	int i;

	for (i = 0; i < s->nr; i++)
		if (s->r[i].id == id || (name && !strcmp(s->r[i].name, name)))
			return true;
	return false;
}

static struct nl_snapshot *snapshot_alloc(void)
{
	return calloc(1, sizeof(struct nl_snapshot));
}

/* The mapping of region @i in @s owned by @pid, or NULL. */
static const struct vmshm_nl_mapping *
snapshot_mapping(const struct nl_snapshot *s, int i, uint32_t pid)
{
	int j;

	for (j = 0; i >= 0 && j < s->nr_maps[i]; j++)
		if (s->maps[i][j].pid == pid)
			return &s->maps[i][j];
	return NULL;
}

/*
 * Poll GET_INFO until the module holds @regions regions reserving
 * @reserved pages: a dead IPC namespace's names go in a work item, after
 * an RCU grace period of the namespace's own.
 */
static int info_settle(int fd, uint32_t regions, uint64_t reserved,
		       struct vmshm_info *info)
{
	uint64_t end = vmshm_now_ns() + SETTLE_NS;
	int ret;

	for (;;) {
		ret = vmshm_get_info(fd, info);
		if (ret)
			return ret;
		if (info->out_nr_regions == regions &&
		    info->out_reserved_pages == reserved)
			return 0;
		if (vmshm_now_ns() > end)
			return -ETIMEDOUT;
		usleep(10000);
	}
}

static void __attribute__((constructor)) ns_require(void)
{
	vmshm_require_device();
	if (geteuid())
		ksft_exit_skip("needs root: namespaces and uids\n");
	if (access("/proc/self/ns/ipc", F_OK) ||
	    access("/proc/self/ns/user", F_OK) ||
	    access("/proc/self/ns/pid", F_OK))
		ksft_exit_skip("no IPC, user or pid namespaces in this kernel\n");
}

FIXTURE(ns) {
	int fd;
	uint32_t id;
	char name[VMSHM_NAME_MAX];
	struct vmshm_nl *nl;
	struct nl_snapshot *s;
};

FIXTURE_SETUP(ns)
{
	self->fd = test_open();
	self->nl = test_nl_open();
	self->s = snapshot_alloc();
	ASSERT_NE(NULL, self->s);
	snprintf(self->name, sizeof(self->name), "ns-%d", getpid());
	umask(0);
	ASSERT_EQ(0, vmshm_create(self->fd, self->name, 2 * page_size(), 0666,
				  VMSHM_CREATE_TRANSIENT, &self->id));
}

FIXTURE_TEARDOWN(ns)
{
	free(self->s);
	vmshm_nl_close(self->nl);
	close(self->fd);
}

/*
 * In a new IPC namespace, the region of the parent's (@id, @name) cannot
 * be attached, unlinked or seen, and the name is free to take.  Returns
 * the id of the namespace's own region with that name over @out.
 */
static int invisible_child(uint32_t id, const char *name, int out, int go)
{
	struct nl_snapshot *s = snapshot_alloc();
	struct vmshm_nl_region r;
	struct vmshm_nl *nl;
	int fd = vmshm_open();
	uint32_t own;

	CHILD_CHECK(s && fd >= 0);
	CHILD_CHECK(!unshare(CLONE_NEWIPC));
	CHILD_CHECK(vmshm_attach(fd, name, 0, NULL, NULL) == -ENOENT);
	CHILD_CHECK(vmshm_attach(fd, name, VMSHM_ATTACH_RDONLY, NULL, NULL) ==
		    -ENOENT);
	CHILD_CHECK(vmshm_unlink(fd, name) == -ENOENT);
	CHILD_CHECK(!proc_snapshot(s));
	CHILD_CHECK(!snapshot_has(s, id, name));
	CHILD_CHECK(!vmshm_nl_open(&nl));
	CHILD_CHECK(!nl_snapshot(nl, s, false));
	CHILD_CHECK(!snapshot_has(s, id, name));
	CHILD_CHECK(vmshm_nl_get_region(nl, 0, name, &r) == -ENOENT);
	CHILD_CHECK(vmshm_nl_get_region(nl, id, NULL, &r) == -ENOENT);
	CHILD_CHECK(vmshm_nl_dump_mappings(nl, id, NULL, snapshot_add_mapping,
					   NULL) == -ENOENT);
	CHILD_CHECK(vmshm_nl_unlink(nl, name) == -ENOENT);

	/* The same name, at the same time, is this namespace's own. */
	CHILD_CHECK(!vmshm_create(fd, name, page_size(), 0600, 0, &own));
	CHILD_CHECK(own != id);
	CHILD_CHECK(!proc_snapshot(s));
	CHILD_CHECK(s->nr == 1 && s->r[0].id == own);
	CHILD_CHECK(!nl_snapshot(nl, s, false));
	CHILD_CHECK(s->nr == 1 && s->r[0].id == own);
	CHILD_CHECK(!vmshm_nl_get_region(nl, 0, name, &r) && r.id == own);
	CHILD_CHECK(write(out, &own, sizeof(own)) == sizeof(own));
	CHILD_CHECK(!await(go));
	/* The parent unlinked its name meanwhile; ours is still here. */
	CHILD_CHECK(!vmshm_nl_get_region(nl, 0, name, &r) && r.id == own);
	CHILD_CHECK(!vmshm_unlink(fd, name));
	vmshm_nl_close(nl);
	return 0;
}

TEST_F(ns, names_per_ipc_namespace)
{
	struct vmshm_nl_region r;
	int out[2], go[2], fd;
	struct vmshm_stat st;
	uint32_t other;
	pid_t pid;

	ASSERT_EQ(0, pipe(out));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(invisible_child(self->id, self->name, out[1], go[0]));
	ASSERT_EQ(sizeof(other), read(out[0], &other, sizeof(other)));
	/* Ours is still what the name finds here; theirs is unseen. */
	fd = test_open();
	test_cmd_attach(fd, self->name, 0);
	test_cmd_stat(fd, &st);
	ASSERT_EQ(self->id, st.out_id);
	close(fd);
	ASSERT_EQ(0, proc_snapshot(self->s));
	ASSERT_TRUE(snapshot_has(self->s, self->id, NULL));
	ASSERT_FALSE(snapshot_has(self->s, other, NULL));
	ASSERT_EQ(0, nl_snapshot(self->nl, self->s, false));
	ASSERT_TRUE(snapshot_has(self->s, self->id, NULL));
	ASSERT_FALSE(snapshot_has(self->s, other, NULL));
	test_err_nl_get_region(ENOENT, self->nl, other, NULL, &r);
	test_cmd_nl_get_region(self->nl, 0, self->name, &r);
	ASSERT_EQ(self->id, r.id);
	/* Unlinking our name leaves theirs alone. */
	test_cmd_unlink(self->fd, self->name);
	fd = test_open();
	test_err_attach(ENOENT, fd, self->name, 0);
	close(fd);
	ASSERT_EQ(0, post(go[1]));
	ASSERT_EQ(0, wait_child(pid));
}

/*
 * The fd came over a socket into a new IPC namespace: it maps the region
 * the name no longer finds, and waits and wakes across the namespaces.
 */
static int passed_fd_child(int sock, const char *name)
{
	int fd, other = vmshm_open();
	volatile uint32_t *w;
	char *p;

	CHILD_CHECK(!unshare(CLONE_NEWIPC));
	fd = recv_fd(sock);
	CHILD_CHECK(fd >= 0 && other >= 0);
	CHILD_CHECK(vmshm_attach(other, name, 0, NULL, NULL) == -ENOENT);
	p = test_mmap(fd, 2 * page_size(), PROT_READ | PROT_WRITE, 0);
	CHILD_CHECK(p != MAP_FAILED);
	w = (volatile uint32_t *)p;
	CHILD_CHECK(p[page_size()] == 0x5a);
	p[page_size() + 1] = 0xa5;
	/* Sleep until the parent changes word 0 and wakes us. */
	CHILD_CHECK(!vmshm_wait(fd, 0, 0, vmshm_deadline_in(SETTLE_NS),
				VMSHM_NO_SLEEPERS, VMSHM_WAIT_DEADLINE));
	CHILD_CHECK(w[0] == 1);
	/* Then wake the parent, asleep on word 1. */
	w[1] = 1;
	CHILD_CHECK(!vmshm_wake(fd, true));
	return 0;
}

/* Wait until @fd's region counts more than @waits sleeping waits. */
static int await_sleeper(int fd, uint64_t waits)
{
	uint64_t end = vmshm_now_ns() + SETTLE_NS;
	struct vmshm_stat st;

	while (!vmshm_stat(fd, &st) && st.out_waits <= waits) {
		if (vmshm_now_ns() > end)
			return -ETIMEDOUT;
		usleep(1000);
	}
	return st.out_waits > waits ? 0 : -EIO;
}

TEST_F(ns, fd_passed_to_other_namespace)
{
	volatile uint32_t *w;
	struct vmshm_stat st;
	int sv[2], ret;
	char *p;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(passed_fd_child(sv[1], self->name));
	p = test_mmap(self->fd, 2 * page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	w = (volatile uint32_t *)p;
	p[page_size()] = 0x5a;
	test_cmd_stat(self->fd, &st);
	ASSERT_EQ(0, send_fd(sv[0], self->fd));
	ASSERT_EQ(0, await_sleeper(self->fd, st.out_waits));
	w[0] = 1;
	ASSERT_EQ(0, vmshm_wake(self->fd, true));
	ret = vmshm_wait(self->fd, 4, 0, vmshm_deadline_in(SETTLE_NS),
			 VMSHM_NO_SLEEPERS, VMSHM_WAIT_DEADLINE);
	/* EAGAIN: the child was quicker than us, word 1 is set already. */
	ASSERT_TRUE(!ret || ret == -EAGAIN);
	ASSERT_EQ(1, w[1]);
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_EQ((char)0xa5, p[page_size() + 1]);
	test_cmd_stat(self->fd, &st);
	ASSERT_LE(2, st.out_wakes);
	munmap(p, 2 * page_size());
	close(sv[0]);
	close(sv[1]);
}

/*
 * Pid 1 of a new pid namespace, in a new mount namespace: maps the
 * region of @outer, then reads /proc/vmshm twice, through the initial
 * namespace's /proc (pids as it sees them) and through a /proc of its
 * own (its own pid 1, and 0 for @outer), and asks netlink (its own).
 */
static int pid_ns_child(const char *name, uint32_t id, pid_t outer, int ready,
			int go)
{
	struct nl_snapshot *s = snapshot_alloc();
	const struct vmshm_nl_mapping *m;
	struct vmshm_nl_region r;
	int fd = vmshm_open(), i;
	struct vmshm_nl *nl;
	char *p;

	CHILD_CHECK(s && fd >= 0);
	CHILD_CHECK(getpid() == 1);
	CHILD_CHECK(!prctl(PR_SET_NAME, "ns-pid1"));
	CHILD_CHECK(!vmshm_attach(fd, name, 0, NULL, NULL));
	p = test_mmap(fd, page_size(), PROT_READ | PROT_WRITE, 0);
	CHILD_CHECK(p != MAP_FAILED);
	p[0] = 1;

	/* The initial /proc: pids of the initial pid namespace. */
	CHILD_CHECK(!proc_snapshot(s));
	i = snapshot_index(s, id);
	CHILD_CHECK(i >= 0 && s->r[i].cpid == (uint32_t)outer);
	CHILD_CHECK(s->r[i].lpid != 1 && s->r[i].lpid != 0 &&
		    s->r[i].lpid != (uint32_t)outer);
	CHILD_CHECK(snapshot_mapping(s, i, outer));
	CHILD_CHECK(!snapshot_mapping(s, i, 1) && !snapshot_mapping(s, i, 0));

	/* Our own /proc: we are 1, and the outer process is 0, nameless. */
	CHILD_CHECK(!mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	CHILD_CHECK(!mount("proc", "/proc", "proc", 0, NULL));
	CHILD_CHECK(!proc_snapshot(s));
	i = snapshot_index(s, id);
	CHILD_CHECK(i >= 0 && s->r[i].cpid == 0 && s->r[i].lpid == 1);
	CHILD_CHECK(s->nr_maps[i] == 2);
	m = snapshot_mapping(s, i, 1);
	CHILD_CHECK(m && !strcmp(m->comm, "ns-pid1"));
	m = snapshot_mapping(s, i, 0);
	CHILD_CHECK(m && !m->comm[0]);

	/* Netlink: the caller's pid namespace. */
	CHILD_CHECK(!vmshm_nl_open(&nl));
	CHILD_CHECK(!vmshm_nl_get_region(nl, id, NULL, &r));
	CHILD_CHECK(r.cpid == 0 && r.lpid == 1);
	CHILD_CHECK(!nl_snapshot(nl, s, true));
	i = snapshot_index(s, id);
	CHILD_CHECK(i >= 0 && s->r[i].cpid == 0 && s->r[i].lpid == 1);
	CHILD_CHECK(s->nr_maps[i] == 2);
	m = snapshot_mapping(s, i, 1);
	CHILD_CHECK(m && !strcmp(m->comm, "ns-pid1"));
	m = snapshot_mapping(s, i, 0);
	CHILD_CHECK(m && !m->comm[0]);
	vmshm_nl_close(nl);

	CHILD_CHECK(!post(ready));
	CHILD_CHECK(!await(go));
	return 0;
}

TEST_F(ns, pids_per_pid_namespace)
{
	const struct vmshm_nl_mapping *m;
	int ready[2], go[2], i;
	pid_t pid, inner;
	char *p;

	p = test_mmap(self->fd, page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	/* Not copied into the children: only our mapping is ours. */
	ASSERT_EQ(0, madvise(p, page_size(), MADV_DONTFORK));
	p[0] = 1;
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		pid_t outer = getppid();

		/* Our children are born in the new pid namespace. */
		CHILD_CHECK(!unshare(CLONE_NEWPID | CLONE_NEWNS));
		inner = fork();
		CHILD_CHECK(inner >= 0);
		if (!inner)
			_exit(pid_ns_child(self->name, self->id, outer,
					   ready[1], go[0]));
		CHILD_CHECK(write(ready[1], &inner, sizeof(inner)) ==
			    sizeof(inner));
		_exit(wait_child(inner));
	}
	ASSERT_EQ(sizeof(inner), read(ready[0], &inner, sizeof(inner)));
	i = await(ready[0]);
	if (i) {
		ASSERT_EQ(0, wait_child(pid));
		ASSERT_EQ(0, i);
	}
	/* Here, in the initial pid namespace, everyone has their pid. */
	ASSERT_EQ(0, proc_snapshot(self->s));
	i = snapshot_index(self->s, self->id);
	ASSERT_LE(0, i);
	ASSERT_EQ(getpid(), self->s->r[i].cpid);
	ASSERT_EQ(inner, self->s->r[i].lpid);
	ASSERT_NE(NULL, snapshot_mapping(self->s, i, getpid()));
	m = snapshot_mapping(self->s, i, inner);
	ASSERT_NE(NULL, m);
	ASSERT_STREQ("ns-pid1", m->comm);
	ASSERT_EQ(NULL, snapshot_mapping(self->s, i, 0));
	ASSERT_EQ(0, nl_snapshot(self->nl, self->s, true));
	i = snapshot_index(self->s, self->id);
	ASSERT_LE(0, i);
	ASSERT_EQ(inner, self->s->r[i].lpid);
	ASSERT_NE(NULL, snapshot_mapping(self->s, i, inner));
	ASSERT_NE(NULL, snapshot_mapping(self->s, i, getpid()));
	ASSERT_EQ(0, post(go[1]));
	ASSERT_EQ(0, wait_child(pid));
	munmap(p, page_size());
}

/* Create @name in the IPC namespace of process @pid, as user @uid. */
static pid_t create_in(pid_t pid, uid_t uid, const char *name, int done,
		       int go)
{
	char path[64];
	pid_t child;
	int ns, fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", pid);
	child = fork();
	if (child)
		return child;
	ns = open(path, O_RDONLY | O_CLOEXEC);
	CHILD_CHECK(ns >= 0);
	CHILD_CHECK(!setns(ns, CLONE_NEWIPC));
	CHILD_CHECK(!become(uid));
	fd = vmshm_open();
	CHILD_CHECK(fd >= 0);
	CHILD_CHECK(!vmshm_create(fd, name, page_size(), 0600, 0, NULL));
	CHILD_CHECK(!post(done));
	CHILD_CHECK(!await(go));
	_exit(0);
}

/*
 * Root of a user namespace of its own (uid USER_A outside): no power over
 * the initial IPC namespace; all power over an IPC namespace its user
 * namespace owns, over USER_C's regions there too.
 */
static int userns_root_child(const char *host_name, int ready, int go)
{
	char victim[VMSHM_NAME_MAX];
	struct vmshm_nl *nl;
	int fd, fd2;

	CHILD_CHECK(!become(USER_A));
	/* Dumpable too, so that the parent may open /proc/PID/ns/ipc. */
	CHILD_CHECK(!unshare_user_root(0));
	CHILD_CHECK(getuid() == 0);
	fd = vmshm_open();
	CHILD_CHECK(fd >= 0);
	/* Still in the initial IPC namespace, owned by the initial user ns. */
	CHILD_CHECK(vmshm_unlink(fd, host_name) == -EPERM);
	CHILD_CHECK(!vmshm_nl_open(&nl));
	CHILD_CHECK(vmshm_nl_unlink(nl, host_name) == -EPERM);
	vmshm_nl_close(nl);

	/* An IPC namespace of our user namespace. */
	CHILD_CHECK(!unshare(CLONE_NEWIPC));
	CHILD_CHECK(vmshm_unlink(fd, host_name) == -ENOENT);
	CHILD_CHECK(!post(ready));
	CHILD_CHECK(!await(go));	/* USER_C made two regions here */
	snprintf(victim, sizeof(victim), "%.40s-c0", host_name);
	/* CAP_IPC_OWNER here passes the mode bits too. */
	fd2 = vmshm_open();
	CHILD_CHECK(fd2 >= 0);
	CHILD_CHECK(!vmshm_attach(fd2, victim, 0, NULL, NULL));
	CHILD_CHECK(!vmshm_unlink(fd, victim));
	CHILD_CHECK(vmshm_unlink(fd, victim) == -ENOENT);
	snprintf(victim, sizeof(victim), "%.40s-c1", host_name);
	CHILD_CHECK(!vmshm_nl_open(&nl));
	CHILD_CHECK(!vmshm_nl_unlink(nl, victim));
	CHILD_CHECK(vmshm_nl_unlink(nl, victim) == -ENOENT);
	vmshm_nl_close(nl);
	close(fd2);
	close(fd);
	return 0;
}

TEST_F(ns, user_ns_root_unlinks_in_its_namespace_only)
{
	int ready[2], go[2], done[2], hold[2];
	struct vmshm_nl_region r;
	char name[VMSHM_NAME_MAX];
	pid_t pid, c0, c1;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	ASSERT_EQ(0, pipe(hold));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(userns_root_child(self->name, ready[1], go[0]));
	if (await(ready[0])) {
		ASSERT_EQ(0, wait_child(pid));
		ASSERT_TRUE(false);
	}
	snprintf(name, sizeof(name), "%.40s-c0", self->name);
	c0 = create_in(pid, USER_C, name, done[1], hold[0]);
	ASSERT_LE(0, c0);
	ASSERT_EQ(0, await(done[0]));
	snprintf(name, sizeof(name), "%.40s-c1", self->name);
	c1 = create_in(pid, USER_C, name, done[1], hold[0]);
	ASSERT_LE(0, c1);
	ASSERT_EQ(0, await(done[0]));
	ASSERT_EQ(0, post(go[1]));
	ASSERT_EQ(0, wait_child(pid));
	/* One byte each: they hold the pipe's write end too. */
	ASSERT_EQ(0, post(hold[1]));
	ASSERT_EQ(0, post(hold[1]));
	ASSERT_EQ(0, wait_child(c0));
	ASSERT_EQ(0, wait_child(c1));
	/* Our region is untouched. */
	test_cmd_nl_get_region(self->nl, 0, self->name, &r);
	ASSERT_EQ(0, r.flags & VMSHM_REGION_F_UNLINKED);
}

/* Keep only @caps (a CAP_* bit mask) of the first 32, effective too. */
static int keep_caps(uint32_t caps)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = { { 0 } };

	data[0].effective = caps;
	data[0].permitted = caps;
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/* The CapEff line of /proc/self/status. */
static unsigned long long cap_eff(void)
{
	unsigned long long v = ~0ULL;
	char line[128];
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

/* As NOBODY holding CAP_NET_ADMIN alone: @name is root's, so EPERM. */
static int net_admin_child(void *arg)
{
	const char *name = arg;
	struct vmshm_nl_region r;
	char own[VMSHM_NAME_MAX];
	struct vmshm_nl *nl;
	int fd;

	CHILD_CHECK(!prctl(PR_SET_KEEPCAPS, 1));
	CHILD_CHECK(!become(NOBODY));
	CHILD_CHECK(!keep_caps(1U << CAP_NET_ADMIN));
	CHILD_CHECK(cap_eff() == 1ULL << CAP_NET_ADMIN);
	CHILD_CHECK(!vmshm_nl_open(&nl));
	CHILD_CHECK(vmshm_nl_unlink(nl, name) == -EPERM);
	CHILD_CHECK(!vmshm_nl_get_region(nl, 0, name, &r));
	vmshm_nl_close(nl);

	/* And the owner needs no capability at all. */
	CHILD_CHECK(!keep_caps(0));
	CHILD_CHECK(cap_eff() == 0);
	fd = vmshm_open();
	snprintf(own, sizeof(own), "%.40s-own", name);
	CHILD_CHECK(fd >= 0 && !vmshm_create(fd, own, page_size(), 0600, 0,
					     NULL));
	CHILD_CHECK(!vmshm_nl_open(&nl));
	CHILD_CHECK(!vmshm_nl_unlink(nl, own));
	CHILD_CHECK(vmshm_nl_get_region(nl, 0, own, &r) == -ENOENT);
	vmshm_nl_close(nl);
	close(fd);
	return 0;
}

TEST_F(ns, nl_unlink_needs_owner_not_net_admin)
{
	struct vmshm_nl_region r;

	ASSERT_EQ(0, run_child(net_admin_child, self->name));
	test_cmd_nl_get_region(self->nl, 0, self->name, &r);
	ASSERT_EQ(0, r.flags & VMSHM_REGION_F_UNLINKED);
}

/* How long a listener waits before it takes silence for the end. */
#define EVENT_QUIET_MS	300

struct event_count {
	int mine;	/* about the region named as asked, caused by pid */
	int wrong_pid;	/* about it, but caused by another pid */
	int others;	/* about another region of this test */
};

/*
 * Read events until EVENT_QUIET_MS pass without one, counting those
 * about region @mine, which @pid caused, and those about other regions
 * whose name starts with @prefix.
 */
static int count_events(struct vmshm_nl *nl, const char *mine, pid_t pid,
			const char *prefix, struct event_count *c)
{
	struct vmshm_nl_event ev;
	int ret;

	memset(c, 0, sizeof(*c));
	while (!(ret = vmshm_nl_next_event(nl, &ev, EVENT_QUIET_MS))) {
		if (!strcmp(ev.name, mine)) {
			c->mine += (pid_t)ev.pid == pid;
			c->wrong_pid += (pid_t)ev.pid != pid;
		} else if (!strncmp(ev.name, prefix, strlen(prefix))) {
			c->others++;
		}
	}
	return ret == -ETIMEDOUT ? 0 : ret;
}

/* A transient region named @name, created and closed: 3 events. */
static int create_and_close(const char *name)
{
	int fd = vmshm_open(), ret;

	if (fd < 0)
		return fd;
	ret = vmshm_create(fd, name, page_size(), 0600, VMSHM_CREATE_TRANSIENT,
			   NULL);
	close(fd);
	return ret;
}

struct events_arg {
	const char *prefix;	/* the test's names start with it */
	pid_t parent;
	int ready, go;
};

/*
 * A listener in a new IPC namespace (same network namespace) hears the
 * events of its own region only: not those of the parent's, made after
 * it subscribed.
 */
static int other_ipc_listener(struct events_arg *a)
{
	char mine[VMSHM_NAME_MAX];
	struct event_count c;
	struct vmshm_nl *nl;

	snprintf(mine, sizeof(mine), "%.40s-c", a->prefix);
	CHILD_CHECK(!unshare(CLONE_NEWIPC));
	CHILD_CHECK(!vmshm_nl_open(&nl));
	CHILD_CHECK(!vmshm_nl_subscribe_events(nl));
	CHILD_CHECK(!post(a->ready));
	CHILD_CHECK(!await(a->go));
	CHILD_CHECK(!create_and_close(mine));
	CHILD_CHECK(!count_events(nl, mine, getpid(), a->prefix, &c));
	CHILD_CHECK(c.mine == 3 && !c.wrong_pid);
	CHILD_CHECK(c.others == 0);
	vmshm_nl_close(nl);
	return 0;
}

/*
 * A listener in a new network namespace, in the parent's IPC namespace,
 * hears the parent's region.
 */
static int other_net_listener(struct events_arg *a)
{
	char theirs[VMSHM_NAME_MAX];
	struct event_count c;
	struct vmshm_nl *nl;

	snprintf(theirs, sizeof(theirs), "%.40s-p", a->prefix);
	CHILD_CHECK(!unshare(CLONE_NEWNET));
	CHILD_CHECK(!vmshm_nl_open(&nl));
	CHILD_CHECK(!vmshm_nl_subscribe_events(nl));
	CHILD_CHECK(!post(a->ready));
	CHILD_CHECK(!await(a->go));
	CHILD_CHECK(!count_events(nl, theirs, a->parent, a->prefix, &c));
	CHILD_CHECK(c.mine == 3 && !c.wrong_pid);
	CHILD_CHECK(c.others == 0);
	vmshm_nl_close(nl);
	return 0;
}

/*
 * The parent's side: subscribe, let @child subscribe, make region "-p",
 * let the child go on, and count what the parent heard.
 */
static void events_between(struct __test_metadata *_metadata,
			   const char *prefix,
			   int (*child)(struct events_arg *),
			   struct event_count *c)
{
	struct events_arg a = { .prefix = prefix, .parent = getpid() };
	char mine[VMSHM_NAME_MAX];
	int ready[2], go[2];
	struct vmshm_nl *nl = test_nl_open();
	pid_t pid;

	snprintf(mine, sizeof(mine), "%.40s-p", prefix);
	ASSERT_EQ(0, vmshm_nl_subscribe_events(nl));
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	a.ready = ready[1];
	a.go = go[0];
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(child(&a));
	ASSERT_EQ(0, await(ready[0]));
	ASSERT_EQ(0, create_and_close(mine));
	ASSERT_EQ(0, post(go[1]));
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_EQ(0, count_events(nl, mine, getpid(), prefix, c));
	vmshm_nl_close(nl);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}

TEST_F(ns, events_per_ipc_namespace)
{
	struct event_count c;

	events_between(_metadata, self->name, other_ipc_listener, &c);
	/* Ours, and not the child's "-c", though in our network namespace. */
	ASSERT_EQ(3, c.mine);
	ASSERT_EQ(0, c.wrong_pid);
	ASSERT_EQ(0, c.others);
}

TEST_F(ns, events_reach_other_network_namespace)
{
	struct event_count c;

	events_between(_metadata, self->name, other_net_listener, &c);
	ASSERT_EQ(3, c.mine);
	ASSERT_EQ(0, c.wrong_pid);
	ASSERT_EQ(0, c.others);
}

/*
 * Namespace death: the names of an IPC namespace go when its last
 * process exits, and with them each region the name alone held; a region
 * whose fd was passed out lives on, nameless, until that fd closes.
 */
static int doomed_child(int sock, const char *name, int ready, int go)
{
	char n[VMSHM_NAME_MAX];
	int fd;
	char *p;

	CHILD_CHECK(!unshare(CLONE_NEWIPC));
	/* a: held by its name alone, 3 pages, one touched. */
	snprintf(n, sizeof(n), "%.40s-a", name);
	fd = vmshm_open();
	CHILD_CHECK(fd >= 0 && !vmshm_create(fd, n, 3 * page_size(), 0600, 0,
					     NULL));
	p = test_mmap(fd, page_size(), PROT_READ | PROT_WRITE, 0);
	CHILD_CHECK(p != MAP_FAILED);
	p[0] = 1;
	munmap(p, page_size());
	close(fd);
	/* b: bound until we exit, 2 pages. */
	snprintf(n, sizeof(n), "%.40s-b", name);
	fd = vmshm_open();
	CHILD_CHECK(fd >= 0 && !vmshm_create(fd, n, 2 * page_size(), 0600, 0,
					     NULL));
	/* c: passed out, 4 pages. */
	snprintf(n, sizeof(n), "%.40s-c", name);
	fd = vmshm_open();
	CHILD_CHECK(fd >= 0 && !vmshm_create(fd, n, 4 * page_size(), 0600, 0,
					     NULL));
	p = test_mmap(fd, page_size(), PROT_READ | PROT_WRITE, 0);
	CHILD_CHECK(p != MAP_FAILED);
	strcpy(p, "still here");
	CHILD_CHECK(!send_fd(sock, fd));
	CHILD_CHECK(!post(ready));
	CHILD_CHECK(!await(go));
	return 0;
}

/* A new IPC namespace does not find @name: it starts empty. */
static int fresh_ns_child(void *name)
{
	int fd = vmshm_open();

	CHILD_CHECK(fd >= 0 && !unshare(CLONE_NEWIPC));
	CHILD_CHECK(vmshm_attach(fd, name, 0, NULL, NULL) == -ENOENT);
	return 0;
}

TEST_F(ns, namespace_exit_drops_its_regions)
{
	struct vmshm_info base, info;
	int sv[2], ready[2], go[2], fd;
	char c_name[VMSHM_NAME_MAX];
	struct vmshm_stat st;
	pid_t pid;
	char *p;

	snprintf(c_name, sizeof(c_name), "%.40s-c", self->name);
	test_cmd_info(self->fd, &base);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(doomed_child(sv[1], self->name, ready[1], go[0]));
	fd = recv_fd(sv[0]);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, await(ready[0]));
	test_cmd_info(self->fd, &info);
	ASSERT_EQ(base.out_nr_regions + 3, info.out_nr_regions);
	ASSERT_EQ(base.out_reserved_pages + 9, info.out_reserved_pages);
	ASSERT_EQ(0, post(go[1]));
	ASSERT_EQ(0, wait_child(pid));

	/* Only c is left, unlinked, and it still works. */
	ASSERT_EQ(0, info_settle(self->fd, base.out_nr_regions + 1,
				 base.out_reserved_pages + 4, &info))
		TH_LOG("regions %u reserved %llu, want %u %llu",
		       info.out_nr_regions,
		       (unsigned long long)info.out_reserved_pages,
		       base.out_nr_regions + 1,
		       (unsigned long long)base.out_reserved_pages + 4);
	test_cmd_stat(fd, &st);
	ASSERT_EQ(VMSHM_REGION_F_UNLINKED, st.out_flags & VMSHM_REGION_F_UNLINKED);
	p = test_mmap(fd, page_size(), PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_STREQ("still here", p);
	/* A namespace made now (perhaps at the old one's address) is empty. */
	ASSERT_EQ(0, run_child(fresh_ns_child, c_name));

	munmap(p, page_size());
	close(fd);
	ASSERT_EQ(0, info_settle(self->fd, base.out_nr_regions,
				 base.out_reserved_pages, &info))
		TH_LOG("regions %u reserved %llu, want %u %llu",
		       info.out_nr_regions,
		       (unsigned long long)info.out_reserved_pages,
		       base.out_nr_regions,
		       (unsigned long long)base.out_reserved_pages);
	close(sv[0]);
	close(sv[1]);
}

/* The per-user limits, restored after each test. */
FIXTURE(limits) {
	unsigned long max_regions;
	unsigned long max_pages;
};

FIXTURE_SETUP(limits)
{
	vmshm_require_device();
	self->max_regions = vmshm_get_param("max_user_regions");
	self->max_pages = vmshm_get_param("max_user_pages");
	ASSERT_LT(0, self->max_regions);
	ASSERT_LT(0, self->max_pages);
}

FIXTURE_TEARDOWN(limits)
{
	vmshm_set_param("max_user_regions", self->max_regions);
	vmshm_set_param("max_user_pages", self->max_pages);
}

/* The caller's usage must be @regions regions of @pages pages. */
static bool usage_is(int fd, uint32_t regions, uint64_t pages)
{
	struct vmshm_info info;

	if (vmshm_get_info(fd, &info))
		return false;
	if (info.out_user_regions == regions && info.out_user_pages == pages)
		return true;
	fprintf(stderr, "# uid %u: %u regions, %llu pages; want %u, %llu\n",
		geteuid(), info.out_user_regions,
		(unsigned long long)info.out_user_pages, regions,
		(unsigned long long)pages);
	return false;
}

/* Create a region of @pages pages on a new fd, into @fds[*n]. */
static int create_pages(int *fds, int *n, unsigned long pages)
{
	int fd = vmshm_open(), ret;

	if (fd < 0)
		return fd;
	ret = vmshm_create(fd, NULL, pages * page_size(), 0600,
			   VMSHM_CREATE_ANON, NULL);
	if (ret) {
		close(fd);
		return ret;
	}
	fds[(*n)++] = fd;
	return 0;
}

/*
 * As @uid, fill a limit of @max regions, or of @max pages with @sizes
 * (pages, 0-terminated: the last one must not fit), tell the parent, and
 * free it all when told.
 */
struct filler {
	uid_t uid;
	bool by_pages;
	unsigned long max;
	const unsigned long *sizes;
	int full, go;
};

static int filler_child(struct filler *f)
{
	int fds[64], n = 0, fd, i;
	struct vmshm_info info;
	unsigned long used = 0;

	CHILD_CHECK(!become(f->uid));
	fd = vmshm_open();
	CHILD_CHECK(fd >= 0 && usage_is(fd, 0, 0));
	CHILD_CHECK(!vmshm_get_info(fd, &info));
	CHILD_CHECK(info.out_max_user_regions ==
		    vmshm_get_param("max_user_regions"));
	CHILD_CHECK(info.out_max_user_pages ==
		    vmshm_get_param("max_user_pages"));
	if (!f->by_pages) {
		for (i = 0; i < (int)f->max; i++)
			CHILD_CHECK(!create_pages(fds, &n, 1));
		used = f->max;
		CHILD_CHECK(create_pages(fds, &n, 1) == -EDQUOT);
		CHILD_CHECK(vmshm_create(fd, "ns-quota", page_size(), 0600, 0,
					 NULL) == -EDQUOT);
		CHILD_CHECK(usage_is(fd, f->max, used));
	} else {
		for (i = 0; f->sizes[i]; i++) {
			int ret = create_pages(fds, &n, f->sizes[i]);

			if (used + f->sizes[i] > f->max) {
				CHILD_CHECK(ret == -EDQUOT);
			} else {
				CHILD_CHECK(!ret);
				used += f->sizes[i];
			}
		}
		CHILD_CHECK(used == f->max);
		CHILD_CHECK(usage_is(fd, n, used));
	}
	CHILD_CHECK(!post(f->full));
	CHILD_CHECK(!await(f->go));
	while (n)
		close(fds[--n]);
	CHILD_CHECK(usage_is(fd, 0, 0));
	return 0;
}

/* Another user creates @pages pages while the first is at its limit. */
static int other_user_child(void *arg)
{
	int fds[1], n = 0, fd = vmshm_open();
	unsigned long pages = *(unsigned long *)arg;

	CHILD_CHECK(!become(USER_B));
	CHILD_CHECK(fd >= 0 && usage_is(fd, 0, 0));
	CHILD_CHECK(!create_pages(fds, &n, pages));
	CHILD_CHECK(usage_is(fd, 1, pages));
	close(fds[0]);
	CHILD_CHECK(usage_is(fd, 0, 0));
	return 0;
}

/*
 * Root of a new user namespace that USER_A made is still USER_A: a user
 * namespace brings no new allowance.
 */
static int user_ns_quota_child(void *arg)
{
	int fds[1], n = 0;

	CHILD_CHECK(!become(USER_A));
	CHILD_CHECK(!unshare_user_root(CLONE_NEWIPC));
	CHILD_CHECK(create_pages(fds, &n, 1) == -EDQUOT);
	return 0;
}

static void run_filler(struct __test_metadata *_metadata, struct filler *f,
		       unsigned long other_pages)
{
	int full[2], go[2], ret;
	pid_t pid;

	ASSERT_EQ(0, pipe(full));
	ASSERT_EQ(0, pipe(go));
	f->full = full[1];
	f->go = go[0];
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(filler_child(f));
	ret = await(full[0]);
	if (!ret) {
		ASSERT_EQ(0, run_child(other_user_child, &other_pages));
		ASSERT_EQ(0, run_child(user_ns_quota_child, NULL));
	}
	post(go[1]);
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_EQ(0, ret);
	close(full[0]);
	close(full[1]);
	close(go[0]);
	close(go[1]);
}

TEST_F(limits, user_regions)
{
	struct filler f = { .uid = USER_A, .max = 3 };

	ASSERT_EQ(0, vmshm_set_param("max_user_regions", f.max));
	run_filler(_metadata, &f, 1);
}

TEST_F(limits, user_pages)
{
	static const unsigned long sizes[] = { 5, 4, 3, 1, 0 };
	struct filler f = { .uid = USER_A, .by_pages = true, .max = 8,
			    .sizes = sizes };

	ASSERT_EQ(0, vmshm_set_param("max_user_pages", f.max));
	run_filler(_metadata, &f, 8);
}

/* The limits are read at CREATE: lowering them takes nothing away. */
TEST_F(limits, lowered_below_usage)
{
	int fds[2], n = 0, fd = test_open();
	struct vmshm_info before;

	test_cmd_info(fd, &before);
	ASSERT_EQ(0, create_pages(fds, &n, 2));
	ASSERT_EQ(0, vmshm_set_param("max_user_regions",
				     before.out_user_regions));
	ASSERT_EQ(-EDQUOT, create_pages(fds, &n, 1));
	ASSERT_TRUE(usage_is(fd, before.out_user_regions + 1,
			     before.out_user_pages + 2));
	ASSERT_EQ(0, vmshm_set_param("max_user_regions", self->max_regions));
	ASSERT_EQ(0, create_pages(fds, &n, 1));
	close(fds[0]);
	close(fds[1]);
	ASSERT_TRUE(usage_is(fd, before.out_user_regions,
			     before.out_user_pages));
	close(fd);
}

TEST_HARNESS_MAIN
