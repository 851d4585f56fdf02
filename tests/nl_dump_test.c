// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink dumps: GET_REGION and GET_MAPPINGS agree with /proc/vmshm field
 * by field, hide other users' addresses as /proc does, resume correctly
 * across many messages, and stay well-formed while four processes create
 * and destroy regions.
 */
#include "vmshm_nl_test.h"

static void assert_region_eq(struct __test_metadata *_metadata,
			     const struct vmshm_nl_region *p,
			     const struct vmshm_nl_region *n)
{
	ASSERT_STREQ(p->name, n->name);
	ASSERT_EQ(p->id, n->id);
	ASSERT_EQ(p->mode, n->mode);
	ASSERT_EQ(p->flags, n->flags & ~VMSHM_REGION_F_TRANSIENT);
	ASSERT_EQ(p->size, n->size);
	ASSERT_EQ(p->resident, n->resident);
	ASSERT_EQ(p->mappings, n->mappings);
	ASSERT_EQ(p->cpid, n->cpid);
	ASSERT_EQ(p->lpid, n->lpid);
	ASSERT_EQ(p->uid, n->uid);
	ASSERT_EQ(p->gid, n->gid);
	ASSERT_EQ(p->faults, n->faults);
	ASSERT_EQ(p->waits, n->waits);
	ASSERT_EQ(p->wakes, n->wakes);
	ASSERT_EQ(p->timeouts, n->timeouts);
	ASSERT_EQ(p->swapped, n->swapped);
	ASSERT_EQ(p->huge, n->huge);
	ASSERT_EQ(p->majflt, n->majflt);
}

static void assert_mapping_eq(struct __test_metadata *_metadata,
			      const struct vmshm_nl_mapping *p,
			      const struct vmshm_nl_mapping *n)
{
	ASSERT_EQ(p->region_id, n->region_id);
	ASSERT_EQ(p->pid, n->pid);
	ASSERT_STREQ(p->comm, n->comm);
	ASSERT_EQ(p->start, n->start);
	ASSERT_EQ(p->end, n->end);
	ASSERT_EQ(p->prot, n->prot);
	ASSERT_EQ(p->resident, n->resident);
	ASSERT_EQ(p->faults, n->faults);
	ASSERT_EQ(p->majflt, n->majflt);
}

/* /proc/vmshm and the dumps, taken while nothing changes, must agree. */
static void assert_views_agree(struct __test_metadata *_metadata,
			       struct vmshm_nl *nl, int min_regions)
{
	struct nl_snapshot *p = malloc(sizeof(*p)), *n = malloc(sizeof(*n));
	int i, j;

	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, n);
	ASSERT_EQ(0, proc_snapshot(p));
	ASSERT_EQ(0, nl_snapshot(nl, n, true));
	ASSERT_FALSE(n->intr);
	ASSERT_LE(min_regions, n->nr);
	ASSERT_EQ(p->nr, n->nr);
	for (i = 0; i < n->nr; i++) {
		assert_region_eq(_metadata, &p->r[i], &n->r[i]);
		ASSERT_EQ(n->r[i].mappings, n->nr_maps[i]);
		ASSERT_EQ(p->nr_maps[i], n->nr_maps[i]);
		for (j = 0; j < n->nr_maps[i]; j++)
			assert_mapping_eq(_metadata, &p->maps[i][j],
					  &n->maps[i][j]);
	}
	free(p);
	free(n);
}

FIXTURE(dump) {
	struct vmshm_nl *nl;
	int fd;
	uint32_t id;
	char name[VMSHM_NAME_MAX];
	char *p;
};

FIXTURE_SETUP(dump)
{
	self->nl = test_nl_open();
	self->fd = test_open();
	umask(0);
	snprintf(self->name, sizeof(self->name), "dump-%d", getpid());
	ASSERT_EQ(0, vmshm_create(self->fd, self->name, 8 * page_size(), 0644,
				  VMSHM_CREATE_TRANSIENT, &self->id));
	self->p = test_mmap(self->fd, 8 * page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, self->p);
	touch_pages(self->p, 3);
}

FIXTURE_TEARDOWN(dump)
{
	munmap(self->p, 8 * page_size());
	close(self->fd);
	vmshm_nl_close(self->nl);
}

TEST_F(dump, agrees_with_proc)
{
	int anon = test_open(), gone = test_open();
	char name[VMSHM_NAME_MAX], *q;

	/*
	 * Counters, two mappings, an anonymous huge and locked region (both
	 * flags show in the perms of /proc) and an unlinked region.
	 */
	ASSERT_EQ(0, vmshm_wake(self->fd, true));
	/* touch_pages() left 1 in the first word. */
	ASSERT_EQ(-ETIMEDOUT, vmshm_wait(self->fd, 0, 1,
					 vmshm_deadline_in(1000000),
					 VMSHM_NO_SLEEPERS, VMSHM_WAIT_DEADLINE));
	q = test_mmap(self->fd, page_size(), PROT_READ, 4 * page_size());
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_EQ(0, q[0]);
	test_cmd_create(anon, NULL, 2 * page_size(), 0600,
			VMSHM_CREATE_ANON | VMSHM_CREATE_HUGE |
			VMSHM_CREATE_LOCKED);
	test_name(name);
	test_cmd_create(gone, name, page_size(), 0600, 0);
	test_cmd_unlink(gone, name);
	assert_views_agree(_metadata, self->nl, 3);
	munmap(q, page_size());
	close(anon);
	close(gone);
}

TEST_F(dump, mappings_of_other_processes)
{
	struct peer peer;

	ASSERT_EQ(0, peer_start(&peer, self->name, 2, NULL));
	/* Ours, the unclaimed copy fork gave the peer, and the peer's. */
	assert_views_agree(_metadata, self->nl, 1);
	ASSERT_EQ(0, peer_stop(&peer));
}

struct hidden_check {
	const char *name;
	unsigned long start;
	pid_t owner;
	int seen;
};

/* Each mapping is root's: the owner's, and the copy fork gave nobody. */
static int hidden_count(const struct vmshm_nl_mapping *m, void *arg)
{
	struct hidden_check *h = arg;

	if (m->start || m->end)
		return -EINVAL;
	h->seen += m->pid == (uint32_t)h->owner;
	return 0;
}

static int check_hidden(void *arg)
{
	struct hidden_check *h = arg;
	struct vmshm_nl *nl;
	int ret;

	if (vmshm_nl_open(&nl))
		return 1;
	ret = vmshm_nl_dump_mappings(nl, 0, h->name, hidden_count, h);
	vmshm_nl_close(nl);
	if (ret)
		return 2;
	/* Addresses are hidden, the pid is not. */
	return h->seen == 1 ? 0 : 3;
}

static int visible_count(const struct vmshm_nl_mapping *m, void *arg)
{
	struct hidden_check *h = arg;

	return m->start == h->start && m->end == h->start + 8 * page_size() ?
	       0 : -EINVAL;
}

TEST_F(dump, other_users_addresses_hidden)
{
	struct hidden_check h = {
		.name = self->name, .start = (unsigned long)self->p,
		.owner = getpid(),
	};

	ASSERT_EQ(0, vmshm_nl_dump_mappings(self->nl, self->id, NULL,
					    visible_count, &h));
	ASSERT_EQ(0, run_as_nobody(check_hidden, &h));
}

TEST_F(dump, mappings_of_missing_region)
{
	struct nl_snapshot s = { .nr = 1 };
	struct snapshot_cursor c = { .s = &s };

	ASSERT_EQ(-ENOENT, vmshm_nl_dump_mappings(self->nl, 0, "no-such-region",
						  snapshot_add_mapping, &c));
	ASSERT_STREQ("no such region", vmshm_nl_extack(self->nl));
	ASSERT_EQ(-ENOENT, vmshm_nl_dump_mappings(self->nl, 0x7ffffff0, NULL,
						  snapshot_add_mapping, &c));
	ASSERT_EQ(-EINVAL, vmshm_nl_raw(self->nl, VMSHM_NL_CMD_GET_MAPPINGS,
					NLM_F_DUMP, NULL, 0));
	ASSERT_NE(NULL, vmshm_nl_extack(self->nl));
	ASSERT_EQ(0, s.nr_maps[0]);
}

/* More regions than one message holds: each is seen once, in order. */
TEST_F(dump, many_regions)
{
	enum { N = 200 };
	struct nl_snapshot *s = malloc(sizeof(*s));
	unsigned long max_user = vmshm_get_param("max_user_regions");
	uint32_t ids[N];
	int fds[N], i;

	ASSERT_NE(NULL, s);
	/* More than one user may hold by default. */
	ASSERT_EQ(0, vmshm_set_param("max_user_regions", N + 64));
	for (i = 0; i < N; i++) {
		fds[i] = test_open();
		ASSERT_EQ(0, vmshm_create(fds[i], NULL, page_size(), 0600,
					  VMSHM_CREATE_ANON, &ids[i]));
	}
	ASSERT_EQ(0, nl_snapshot(self->nl, s, false));
	ASSERT_FALSE(s->intr);
	for (i = 1; i < s->nr; i++)
		ASSERT_LT(s->r[i - 1].id, s->r[i].id);
	for (i = 0; i < N; i++)
		ASSERT_LE(0, snapshot_index(s, ids[i]));
	/* Roughly 200 bytes a region: several dump passes were needed. */
	ASSERT_LE(N + 1, s->nr);
	for (i = 0; i < N; i++)
		close(fds[i]);
	ASSERT_EQ(0, vmshm_set_param("max_user_regions", max_user));
	free(s);
}

/* Well-formed, and in strictly increasing id order even when flagged. */
static int check_dump(const struct nl_snapshot *s)
{
	const struct vmshm_nl_region *r;
	int i;

	for (i = 0; i < s->nr; i++) {
		r = &s->r[i];
		if (i && r->id <= s->r[i - 1].id)
			return 1;
		if (!(r->flags & VMSHM_REGION_F_ANON) != !!r->name[0])
			return 2;
		if (!r->size || r->size % page_size() || r->mode > 0777)
			return 3;
		if (r->resident > r->size / page_size())
			return 4;
	}
	return 0;
}

/* Dumps while regions come and go: well-formed, and no oops. */
TEST_F_TIMEOUT(dump, while_regions_churn, 120)
{
	struct nl_snapshot *s = malloc(sizeof(*s));
	struct snapshot_cursor c = { .s = s };
	int dumps, intr = 0, i, ret;
	struct churn churn;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, churn_start(&churn));
	for (dumps = 0; dumps < 100; dumps++) {
		ASSERT_EQ(0, nl_snapshot(self->nl, s, false));
		ASSERT_EQ(0, check_dump(s));
		intr += s->intr;
		/* A region may go between the dump and this request. */
		c.i = s->nr - 1;
		s->nr_maps[c.i] = 0;
		ret = vmshm_nl_dump_mappings(self->nl, s->r[c.i].id, NULL,
					     snapshot_add_mapping, &c);
		ASSERT_TRUE(!ret || ret == -ENOENT || ret == -ENOSPC);
	}
	ASSERT_EQ(0, churn_stop(&churn));
	TH_LOG("%d dumps, %d flagged NLM_F_DUMP_INTR", dumps, intr);
	/* Everything the churners made went with them. */
	ASSERT_EQ(0, nl_snapshot(self->nl, s, false));
	for (i = 0; i < s->nr; i++)
		ASSERT_EQ(NULL, strstr(s->r[i].name, "churn-"));
	free(s);
}

TEST_HARNESS_MAIN
