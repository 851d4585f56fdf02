// SPDX-License-Identifier: GPL-2.0
/*
 * The "vmshm" generic netlink family through libvmshm-nl: lookups, stats,
 * unlink permissions and the strict validation of malformed requests.
 * Dumps are in nl_dump_test.c, events in nl_event_test.c.
 */
#include <pthread.h>

#include "vmshm_nl_test.h"

FIXTURE(nl) {
	struct vmshm_nl *nl;
	int fd;
	uint32_t id;
	char name[VMSHM_NAME_MAX];
};

FIXTURE_SETUP(nl)
{
	self->nl = test_nl_open();
	self->fd = test_open();
	umask(0);
	snprintf(self->name, sizeof(self->name), "nl-%d", getpid());
	ASSERT_EQ(0, vmshm_create(self->fd, self->name, 4 * page_size(), 0640,
				  VMSHM_CREATE_TRANSIENT, &self->id));
}

FIXTURE_TEARDOWN(nl)
{
	close(self->fd);
	vmshm_nl_close(self->nl);
}

TEST_F(nl, get_region_by_name_and_id)
{
	struct vmshm_nl_region a, b;
	struct vmshm_stat st;

	test_cmd_nl_get_region(self->nl, 0, self->name, &a);
	test_cmd_nl_get_region(self->nl, self->id, NULL, &b);
	ASSERT_EQ(0, memcmp(&a, &b, sizeof(a)));
	test_cmd_stat(self->fd, &st);
	ASSERT_STREQ(self->name, a.name);
	ASSERT_EQ(st.out_id, a.id);
	ASSERT_EQ(VMSHM_REGION_F_TRANSIENT, a.flags);
	ASSERT_EQ(4 * page_size(), a.size);
	ASSERT_EQ(0640, a.mode);
	ASSERT_EQ(st.out_uid, a.uid);
	ASSERT_EQ(st.out_gid, a.gid);
	ASSERT_EQ(getpid(), a.cpid);
	ASSERT_EQ(getpid(), a.lpid);
	ASSERT_EQ(1, a.attached);
	ASSERT_EQ(0, a.mappings);
	ASSERT_EQ(0, a.resident);
	ASSERT_EQ(0, a.swapped);
	ASSERT_EQ(0, a.huge);
	ASSERT_EQ(0, a.majflt);
	ASSERT_EQ(a.flags, st.out_flags);
	ASSERT_EQ(NULL, vmshm_nl_extack(self->nl));
}

TEST_F(nl, huge_and_locked_flags)
{
	uint32_t want = VMSHM_REGION_F_ANON | VMSHM_REGION_F_HUGE |
			VMSHM_REGION_F_LOCKED;
	struct vmshm_nl_region r;
	struct vmshm_stat st;
	int fd = test_open();
	uint32_t id;

	ASSERT_EQ(0, vmshm_create(fd, NULL, page_size(), 0600,
				  VMSHM_CREATE_ANON | VMSHM_CREATE_HUGE |
				  VMSHM_CREATE_LOCKED, &id));
	test_cmd_nl_get_region(self->nl, id, NULL, &r);
	ASSERT_EQ(want, r.flags);
	test_cmd_stat(fd, &st);
	ASSERT_EQ(want, st.out_flags);
	close(fd);
}

TEST_F(nl, get_region_missing)
{
	struct vmshm_nl_region r;

	test_err_nl_get_region(ENOENT, self->nl, 0, "no-such-region", &r);
	ASSERT_STREQ("no such region", vmshm_nl_extack(self->nl));
	test_err_nl_get_region(ENOENT, self->nl, 0x7ffffff0, NULL, &r);
	/* Without an id or a name there is nothing to look up. */
	ASSERT_EQ(-EINVAL, vmshm_nl_raw(self->nl, VMSHM_NL_CMD_GET_REGION, 0,
					NULL, 0));
	ASSERT_STREQ("region id or name attribute required",
		     vmshm_nl_extack(self->nl));
}

TEST_F(nl, unknown_attribute)
{
	uint32_t v = self->id;

	/* Past VMSHM_A_MAX, in a doit, a dump and a command without policy. */
	test_err_nl_attr(EINVAL, self->nl, VMSHM_NL_CMD_GET_REGION, 0,
			 VMSHM_A_MAX + 1, &v, sizeof(v));
	ASSERT_NE(NULL, vmshm_nl_extack(self->nl));
	TH_LOG("extack: %s", vmshm_nl_extack(self->nl));
	test_err_nl_attr(EINVAL, self->nl, VMSHM_NL_CMD_GET_REGION, NLM_F_DUMP,
			 VMSHM_A_MAX + 1, &v, sizeof(v));
	ASSERT_NE(NULL, vmshm_nl_extack(self->nl));
	test_err_nl_attr(EINVAL, self->nl, VMSHM_NL_CMD_GET_STATS, 0,
			 VMSHM_A_MAX + 1, &v, sizeof(v));
	ASSERT_NE(NULL, vmshm_nl_extack(self->nl));
	/* Known, but not an attribute of any request. */
	test_err_nl_attr(EINVAL, self->nl, VMSHM_NL_CMD_GET_REGION, 0,
			 VMSHM_A_EVENT_TYPE, &v, sizeof(v));
	ASSERT_NE(NULL, vmshm_nl_extack(self->nl));
	/* The same request with the right attribute works. */
	ASSERT_EQ(1, _test_cmd_nl_attr(self->nl, VMSHM_NL_CMD_GET_REGION, 0,
				       VMSHM_A_REGION_ID, &v, sizeof(v)));
	ASSERT_EQ(NULL, vmshm_nl_extack(self->nl));
}

TEST_F(nl, bad_attribute_value)
{
	char name[VMSHM_NAME_MAX + 1];
	uint32_t zero = 0;
	uint16_t shorty = 1;

	/* Out of the policy's range: ERANGE, as everywhere in netlink. */
	test_err_nl_attr(ERANGE, self->nl, VMSHM_NL_CMD_GET_REGION, 0,
			 VMSHM_A_REGION_ID, &zero, sizeof(zero));
	ASSERT_NE(NULL, vmshm_nl_extack(self->nl));
	test_err_nl_attr(EINVAL, self->nl, VMSHM_NL_CMD_GET_REGION, 0,
			 VMSHM_A_REGION_ID, &shorty, sizeof(shorty));
	/* No NUL, then one byte too long. */
	test_err_nl_attr(EINVAL, self->nl, VMSHM_NL_CMD_GET_REGION, 0,
			 VMSHM_A_REGION_NAME, self->name, strlen(self->name));
	memset(name, 'a', VMSHM_NAME_MAX);
	name[VMSHM_NAME_MAX] = '\0';
	test_err_nl_attr(EINVAL, self->nl, VMSHM_NL_CMD_GET_REGION, 0,
			 VMSHM_A_REGION_NAME, name, sizeof(name));
	ASSERT_NE(NULL, vmshm_nl_extack(self->nl));
}

TEST_F(nl, unknown_command)
{
	static const struct { uint8_t cmd; uint16_t flags; } bad[] = {
		{ VMSHM_NL_CMD_UNSPEC, 0 },
		{ VMSHM_NL_CMD_EVENT, 0 },		/* only sent */
		{ VMSHM_NL_CMD_MAX + 1, 0 },
		{ 200, NLM_F_DUMP },
		{ VMSHM_NL_CMD_GET_MAPPINGS, 0 },	/* dump only */
		{ VMSHM_NL_CMD_GET_STATS, NLM_F_DUMP },	/* doit only */
		{ VMSHM_NL_CMD_UNLINK, NLM_F_DUMP },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ASSERT_EQ(-EOPNOTSUPP, vmshm_nl_raw(self->nl, bad[i].cmd,
						    bad[i].flags, NULL, 0))
			TH_LOG("command %u flags %#x", bad[i].cmd,
			       bad[i].flags);
}

TEST_F(nl, stats_match_info)
{
	struct vmshm_nl_stats st, st2;
	struct vmshm_info info;
	int fd = test_open();

	test_cmd_nl_stats(self->nl, &st);
	test_cmd_info(self->fd, &info);
	ASSERT_EQ(info.out_nr_regions, st.regions);
	ASSERT_EQ(info.out_reserved_pages, st.reserved_pages);
	ASSERT_EQ(info.out_nr_pages, st.pages);
	ASSERT_EQ(info.out_swapped_pages, st.swapped_pages);
	ASSERT_EQ(info.out_max_regions, st.max_regions);
	ASSERT_EQ(info.out_max_region_size, st.max_region_size);
	ASSERT_EQ(info.out_max_total_pages, st.max_total_pages);
	ASSERT_EQ(info.out_user_regions, st.user_regions);
	ASSERT_EQ(info.out_user_pages, st.user_pages);
	ASSERT_EQ(info.out_max_user_regions, st.max_user_regions);
	ASSERT_EQ(info.out_max_user_pages, st.max_user_pages);
	ASSERT_EQ(vmshm_get_param("max_regions"), st.max_regions);
	ASSERT_EQ(vmshm_get_param("max_user_regions"), st.max_user_regions);
	test_cmd_create(fd, NULL, 3 * page_size(), 0600, VMSHM_CREATE_ANON);
	test_cmd_nl_stats(self->nl, &st2);
	ASSERT_EQ(st.regions + 1, st2.regions);
	ASSERT_EQ(st.reserved_pages + 3, st2.reserved_pages);
	close(fd);
	test_cmd_nl_stats(self->nl, &st2);
	ASSERT_EQ(st.regions, st2.regions);
	ASSERT_EQ(st.reserved_pages, st2.reserved_pages);
}

TEST_F(nl, stats_count_rejections)
{
	unsigned long max = vmshm_get_param("max_regions");
	struct vmshm_nl_stats st, st2;
	int fd = test_open();

	test_cmd_nl_stats(self->nl, &st);
	ASSERT_EQ(0, vmshm_set_param("max_regions", st.regions));
	test_err_create(ENOSPC, fd, NULL, page_size(), 0600, VMSHM_CREATE_ANON);
	ASSERT_EQ(0, vmshm_set_param("max_regions", max));
	test_cmd_nl_stats(self->nl, &st2);
	ASSERT_EQ(st.rejected + 1, st2.rejected);
	ASSERT_EQ(st.regions, st2.regions);
	close(fd);
}

TEST_F(nl, unlink_as_admin)
{
	struct vmshm_nl_region r;
	char name[VMSHM_NAME_MAX];
	int fd = test_open();
	uint32_t id;

	test_name(name);
	ASSERT_EQ(0, vmshm_create(fd, name, page_size(), 0600, 0, &id));
	test_cmd_nl_unlink(self->nl, name);
	test_err_nl_get_region(ENOENT, self->nl, 0, name, &r);
	test_err_nl_unlink(ENOENT, self->nl, name);
	/* Still there by id while the fd is open, flagged unlinked. */
	test_cmd_nl_get_region(self->nl, id, NULL, &r);
	ASSERT_STREQ(name, r.name);
	ASSERT_EQ(VMSHM_REGION_F_UNLINKED, r.flags);
	close(fd);
	test_err_nl_get_region(ENOENT, self->nl, id, NULL, &r);
}

/*
 * As nobody: the ioctl's rule, the owner or CAP_SYS_ADMIN, so root's
 * region is EPERM however open its mode; a missing name is ENOENT, as
 * for the ioctl (ns_test has the owner and CAP_NET_ADMIN cases).
 */
static int unlink_unprivileged(void *arg)
{
	struct vmshm_nl *nl;
	int ret;

	if (vmshm_nl_open(&nl))
		return 1;
	ret = vmshm_nl_unlink(nl, arg);
	if (ret != -EPERM)
		return 2;
	ret = vmshm_nl_unlink(nl, "no-such-region");
	vmshm_nl_close(nl);
	return ret == -ENOENT ? 0 : 3;
}

TEST_F(nl, unlink_unprivileged)
{
	struct vmshm_nl_region r;
	char name[VMSHM_NAME_MAX];
	int fd = test_open();

	test_name(name);
	test_cmd_create(fd, name, page_size(), 0666, 0);
	ASSERT_EQ(0, run_as_nobody(unlink_unprivileged, name));
	test_cmd_nl_get_region(self->nl, 0, name, &r);
	ASSERT_EQ(0, r.flags);
	test_cmd_nl_unlink(self->nl, name);
	close(fd);
}

/* Looks a name up by netlink, over and over, until told to stop. */
struct looker {
	const char *name;
	int stop;		/* read and written with __atomic */
	long found;
	int err;
};

static void *looker_thread(void *arg)
{
	struct looker *l = arg;
	struct vmshm_nl_region r;
	struct vmshm_nl *nl = NULL;
	int ret;

	l->err = vmshm_nl_open(&nl);
	while (!l->err && !__atomic_load_n(&l->stop, __ATOMIC_ACQUIRE)) {
		ret = vmshm_nl_get_region(nl, 0, l->name, &r);
		if (!ret)
			l->found++;
		else if (ret != -ENOENT)
			l->err = ret;
	}
	vmshm_nl_close(nl);
	return NULL;
}

/*
 * A transient name goes with its last user even while a netlink lookup
 * holds a reference to the region: re-creating the name at once never
 * fails with EEXIST, and ATTACH never brings the region back.
 */
TEST_F_TIMEOUT(nl, transient_name_goes_with_last_user, 90)
{
	struct looker l = { 0 };
	char name[VMSHM_NAME_MAX];
	int i, fd, eexist = 0, revived = 0, ret;
	uint64_t end = vmshm_deadline_in(20000000000ULL);
	pthread_t th;

	test_name(name);
	l.name = name;
	ASSERT_EQ(0, pthread_create(&th, NULL, looker_thread, &l));
	for (i = 0; i < 5000 && vmshm_now_ns() < end; i++) {
		fd = test_open();
		ret = _test_cmd_create(fd, name, page_size(), 0600,
				       VMSHM_CREATE_TRANSIENT);
		eexist += ret == -EEXIST;
		ASSERT_TRUE(!ret || ret == -EEXIST);
		close(fd);
		fd = test_open();
		ret = _test_cmd_attach(fd, name, 0);
		revived += !ret;
		ASSERT_TRUE(!ret || ret == -ENOENT);
		close(fd);
	}
	__atomic_store_n(&l.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	ASSERT_EQ(0, l.err);
	TH_LOG("%d rounds, %ld lookups found the region, %d EEXIST, %d revived",
	       i, l.found, eexist, revived);
	/* The lookups did meet the region, so the race was run. */
	ASSERT_LT(0, l.found);
	ASSERT_EQ(0, eexist);
	ASSERT_EQ(0, revived);
}

TEST_HARNESS_MAIN
