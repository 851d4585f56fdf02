/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the netlink selftests (nl_test, nl_event_test,
 * vmshmctl_test), on top of vmshm_test.h and libvmshm-nl, in the same
 * triad style:
 *
 *   _test_cmd_nl_x(...)    the raw libvmshm-nl call, returns -errno
 *   test_cmd_nl_x(...)     asserts that it succeeds
 *   test_err_nl_x(E, ...)  asserts that it fails with errno E
 *
 * and a reader of the whole of /proc/vmshm into the library's structs,
 * so that the two views can be compared field by field.
 */
#ifndef _VMSHM_NL_TEST_H
#define _VMSHM_NL_TEST_H

#include <sys/stat.h>

#include <linux/netlink.h>

#include "vmshm_test.h"
#include "vmshm_nl.h"

/* libvmshm-nl's hook for malformed requests, in libvmshm-nl.a only. */
int vmshm_nl_raw(struct vmshm_nl *nl, uint8_t cmd, uint16_t nlflags,
		 const void *attrs, size_t len);

static inline struct vmshm_nl *_test_nl_open(void)
{
	struct vmshm_nl *nl = NULL;

	vmshm_require_device();
	return vmshm_nl_open(&nl) ? NULL : nl;
}

#define test_nl_open() \
	({ struct vmshm_nl *__nl = _test_nl_open(); ASSERT_NE(NULL, __nl); __nl; })

#define _test_cmd_nl_get_region(nl, id, name, r) \
	vmshm_nl_get_region(nl, id, name, r)
#define test_cmd_nl_get_region(nl, id, name, r) \
	ASSERT_EQ(0, _test_cmd_nl_get_region(nl, id, name, r))
#define test_err_nl_get_region(_errno, nl, id, name, r) \
	ASSERT_EQ(-(_errno), _test_cmd_nl_get_region(nl, id, name, r))

#define _test_cmd_nl_unlink(nl, name) vmshm_nl_unlink(nl, name)
#define test_cmd_nl_unlink(nl, name) ASSERT_EQ(0, _test_cmd_nl_unlink(nl, name))
#define test_err_nl_unlink(_errno, nl, name) \
	ASSERT_EQ(-(_errno), _test_cmd_nl_unlink(nl, name))

#define test_cmd_nl_stats(nl, st) ASSERT_EQ(0, vmshm_nl_get_stats(nl, st))

/* A raw request with one attribute of @len bytes at @data. */
static inline int _test_cmd_nl_attr(struct vmshm_nl *nl, uint8_t cmd,
				    uint16_t flags, uint16_t type,
				    const void *data, uint16_t len)
{
	char buf[NLA_HDRLEN + NLA_ALIGN(256)] = { 0 };
	struct nlattr *nla = (struct nlattr *)buf;

	if (len > 256)
		return -E2BIG;
	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	memcpy(buf + NLA_HDRLEN, data, len);
	return vmshm_nl_raw(nl, cmd, flags, buf, NLA_HDRLEN + NLA_ALIGN(len));
}

#define test_err_nl_attr(_errno, nl, cmd, flags, type, data, len) \
	ASSERT_EQ(-(_errno), _test_cmd_nl_attr(nl, cmd, flags, type, data, len))

/**
 * struct nl_snapshot - what a dump or /proc/vmshm showed
 * @r: regions, in id order
 * @nr: entries in @r
 * @maps: for each region, its mappings (at most MAX_MAPS)
 * @nr_maps: for each region, entries in @maps
 * @intr: the dump was flagged NLM_F_DUMP_INTR
 */
#define MAX_REGIONS	300
#define MAX_MAPS	8

struct nl_snapshot {
	struct vmshm_nl_region r[MAX_REGIONS];
	int nr;
	struct vmshm_nl_mapping maps[MAX_REGIONS][MAX_MAPS];
	int nr_maps[MAX_REGIONS];
	bool intr;
};

static inline int snapshot_add_region(const struct vmshm_nl_region *r,
				      void *arg)
{
	struct nl_snapshot *s = arg;

	if (s->nr == MAX_REGIONS)
		return -ENOSPC;
	s->r[s->nr++] = *r;
	return 0;
}

/* Append @m to the mappings of the @i-th region of @s. */
static inline int snapshot_put_mapping(struct nl_snapshot *s, int i,
				       const struct vmshm_nl_mapping *m)
{
	if (i < 0 || i >= s->nr || s->nr_maps[i] == MAX_MAPS)
		return -ENOSPC;
	s->maps[i][s->nr_maps[i]++] = *m;
	return 0;
}

struct snapshot_cursor {
	struct nl_snapshot *s;
	int i;
};

static inline int snapshot_add_mapping(const struct vmshm_nl_mapping *m,
				       void *arg)
{
	struct snapshot_cursor *c = arg;

	return snapshot_put_mapping(c->s, c->i, m);
}

/* Every region over netlink; with @maps, each region's mappings too. */
static inline int nl_snapshot(struct vmshm_nl *nl, struct nl_snapshot *s,
			      bool maps)
{
	struct snapshot_cursor c = { .s = s };
	int ret;

	memset(s, 0, sizeof(*s));
	ret = vmshm_nl_dump_regions(nl, snapshot_add_region, s);
	if (ret < 0)
		return ret;
	s->intr = ret == VMSHM_NL_DUMP_INTR;
	for (c.i = 0; maps && c.i < s->nr; c.i++) {
		ret = vmshm_nl_dump_mappings(nl, s->r[c.i].id, NULL,
					     snapshot_add_mapping, &c);
		if (ret)
			return ret;
	}
	return 0;
}

/* "rw-s" in /proc to PROT_* bits. */
static inline uint32_t proc_prot(const char *s)
{
	return (s[0] == 'r' ? PROT_READ : 0) | (s[1] == 'w' ? PROT_WRITE : 0) |
	       (s[2] == 'x' ? PROT_EXEC : 0);
}

/* The region flags that the perms column of /proc/vmshm carries. */
static inline uint32_t proc_perm_flags(unsigned int perms)
{
	return (perms & PROC_PERM_UNLINKED ? VMSHM_REGION_F_UNLINKED : 0) |
	       (perms & PROC_PERM_LOCKED ? VMSHM_REGION_F_LOCKED : 0) |
	       (perms & PROC_PERM_HUGE ? VMSHM_REGION_F_HUGE : 0);
}

/* One /proc/vmshm region row; returns 0 or -EINVAL. */
static inline int proc_parse_region(const char *line,
				    struct vmshm_nl_region *r)
{
	unsigned long long size, resident, faults, waits, wakes, timeouts;
	unsigned long long swapped, huge, majflt;
	unsigned int perms;

	memset(r, 0, sizeof(*r));
	if (sscanf(line, "%63s %u %o %llu %llu %u %u %u %u %u %llu %llu %llu %llu %llu %llu %llu",
		   r->name, &r->id, &perms, &size, &resident, &r->mappings,
		   &r->cpid, &r->lpid, &r->uid, &r->gid, &faults, &waits,
		   &wakes, &timeouts, &swapped, &huge, &majflt) != 17)
		return -EINVAL;
	if (!strcmp(r->name, "(anon)")) {
		r->name[0] = '\0';
		r->flags |= VMSHM_REGION_F_ANON;
	}
	r->flags |= proc_perm_flags(perms);
	r->mode = perms & 0777;
	r->size = size;
	r->resident = resident;
	r->faults = faults;
	r->waits = waits;
	r->wakes = wakes;
	r->timeouts = timeouts;
	r->swapped = swapped;
	r->huge = huge;
	r->majflt = majflt;
	return 0;
}

/* One indented mapping row; "-" as the command name is "". */
static inline int proc_parse_mapping(const char *line,
				     struct vmshm_nl_mapping *m)
{
	unsigned long long start, end, resident, faults, majflt;
	char prot[8];

	memset(m, 0, sizeof(*m));
	if (sscanf(line, " %u %15s %llx %llx %7s %llu %llu %llu", &m->pid,
		   m->comm, &start, &end, prot, &resident, &faults,
		   &majflt) != 8)
		return -EINVAL;
	if (!m->pid && !strcmp(m->comm, "-"))
		m->comm[0] = '\0';
	m->prot = proc_prot(prot);
	m->start = start;
	m->end = end;
	m->resident = resident;
	m->faults = faults;
	m->majflt = majflt;
	return 0;
}

/*
 * The whole of /proc/vmshm.  Fields /proc does not show stay 0: a region's
 * "attached" and "transient" flag, a mapping's region_id.
 */
static inline int proc_snapshot(struct nl_snapshot *s)
{
	struct vmshm_nl_mapping m;
	char line[512];
	int ret = 0, i;
	FILE *f = fopen("/proc/vmshm", "r");

	if (!f)
		return -errno;
	memset(s, 0, sizeof(*s));
	/* Two header lines: region columns, mapping columns. */
	if (!fgets(line, sizeof(line), f) || !fgets(line, sizeof(line), f))
		ret = -EIO;
	while (!ret && fgets(line, sizeof(line), f)) {
		i = s->nr - 1;
		if (line[0] != ' ') {
			ret = s->nr == MAX_REGIONS ? -ENOSPC :
			      proc_parse_region(line, &s->r[s->nr++]);
		} else if (i < 0 || proc_parse_mapping(line, &m)) {
			ret = -EINVAL;
		} else {
			m.region_id = s->r[i].id;
			ret = snapshot_put_mapping(s, i, &m);
		}
	}
	fclose(f);
	return ret;
}

/* The index of region @id in @s, or -1. */
static inline int snapshot_index(const struct nl_snapshot *s, uint32_t id)
{
	int i;

	for (i = 0; i < s->nr; i++)
		if (s->r[i].id == id)
			return i;
	return -1;
}

/*
 * Churners of the dump tests: CHURN_PROCS processes that create and
 * destroy regions of every kind, each keeping up to CHURN_FDS at a time,
 * until told to stop (or CHURN_MAX_MS at most).
 */
#define CHURN_PROCS	4
#define CHURN_FDS	32
#define CHURN_MAX_MS	60000

struct churn {
	pid_t pids[CHURN_PROCS];
	int *stop;
	unsigned long max_user_regions;
};

/* A region of every kind in turn, bound to @fd and mapped at *@map. */
static inline int churn_one(int fd, int i, char **map)
{
	uint32_t flags = i % 3 == 1 ? VMSHM_CREATE_TRANSIENT : 0;
	char name[VMSHM_NAME_MAX];
	int ret;

	snprintf(name, sizeof(name), "churn-%d-%d", getpid(), i);
	if (i % 3 == 0)
		ret = vmshm_create(fd, NULL, page_size(), 0600, VMSHM_CREATE_ANON,
				   NULL);
	else
		ret = vmshm_create(fd, name, 2 * page_size(), 0600, flags, NULL);
	if (!ret && i % 3 == 2)
		ret = vmshm_unlink(fd, name);
	if (ret)
		return ret;
	*map = test_mmap(fd, page_size(), PROT_READ | PROT_WRITE, 0);
	if (*map == MAP_FAILED)
		return -errno;
	**map = 1;
	return 0;
}

/* One churner; half of its regions stay alive through a mapping alone. */
static inline int churn_run(unsigned int seed, const int *stop)
{
	uint64_t end = vmshm_now_ns() + CHURN_MAX_MS * 1000000ULL;
	char *maps[CHURN_FDS] = { NULL };
	int fds[CHURN_FDS], i, slot;

	memset(fds, -1, sizeof(fds));
	for (i = 0; !__atomic_load_n(stop, __ATOMIC_RELAXED) &&
	     vmshm_now_ns() < end; i++) {
		slot = rand_r(&seed) % CHURN_FDS;
		if (fds[slot] >= 0)
			close(fds[slot]);
		if (maps[slot])
			munmap(maps[slot], page_size());
		fds[slot] = vmshm_open();
		if (fds[slot] < 0 || churn_one(fds[slot], i, &maps[slot]))
			return 1;
		if (i % 2) {
			close(fds[slot]);
			fds[slot] = -1;
		}
	}
	return 0;
}

/*
 * Start the churners; returns 0 or -errno.  They are all root, and hold
 * more regions than one user may by default: max_user_regions is raised
 * until churn_stop().
 */
static inline int churn_start(struct churn *c)
{
	unsigned long need = CHURN_PROCS * CHURN_FDS + 64;
	int i;

	c->max_user_regions = vmshm_get_param("max_user_regions");
	if (c->max_user_regions && c->max_user_regions < need &&
	    vmshm_set_param("max_user_regions", need))
		return -EIO;
	c->stop = mmap(NULL, sizeof(*c->stop), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c->stop == MAP_FAILED)
		return -errno;
	*c->stop = 0;
	for (i = 0; i < CHURN_PROCS; i++) {
		c->pids[i] = fork();
		if (c->pids[i] < 0)
			return -errno;
		if (!c->pids[i]) {
			/* Not past a test that failed half-way. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			_exit(churn_run(getpid(), c->stop));
		}
	}
	return 0;
}

/* Stop them; returns 0 when each exited with 0, else the first failure. */
static inline int churn_stop(struct churn *c)
{
	int i, ret = 0, status;

	__atomic_store_n(c->stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < CHURN_PROCS; i++) {
		status = wait_child(c->pids[i]);
		ret = ret ?: status;
	}
	munmap(c->stop, sizeof(*c->stop));
	if (c->max_user_regions)
		vmshm_set_param("max_user_regions", c->max_user_regions);
	return ret;
}

#endif /* _VMSHM_NL_TEST_H */
