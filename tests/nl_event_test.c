// SPDX-License-Identifier: GPL-2.0
/*
 * Region events of subscribed sockets: the exact sequence of events for
 * scripted region lifetimes, who caused each, limit rejections, the
 * report of lost events when the listener's socket overflows, and the
 * subscription itself: once per socket, a bounded number per user, gone
 * with the socket.  Which namespaces hear what: ns_test.c.
 */
#include <sys/socket.h>

#include "vmshm_nl_test.h"

/* How long an expected event may take, and how long silence must last. */
#define EVENT_WAIT_MS	2000
#define QUIET_MS	200
/* Subscribed sockets per user, VMSHM_NL_CMD_SUBSCRIBE in vmshm.h. */
#define MAX_USER_SUBSCRIBERS	64

FIXTURE(events) {
	struct vmshm_nl *nl;
	char name[VMSHM_NAME_MAX];
};

FIXTURE_SETUP(events)
{
	self->nl = test_nl_open();
	ASSERT_EQ(0, vmshm_nl_subscribe_events(self->nl));
	snprintf(self->name, sizeof(self->name), "ev-%d", getpid());
	umask(0);
}

FIXTURE_TEARDOWN(events)
{
	vmshm_nl_close(self->nl);
}

/* The next event about region @id or named @name; others are skipped. */
static int next_event_for(struct vmshm_nl *nl, uint32_t id, const char *name,
			  struct vmshm_nl_event *ev, int timeout_ms)
{
	int ret;

	do {
		ret = vmshm_nl_next_event(nl, ev, timeout_ms);
	} while (!ret && !(id && ev->region_id == id) &&
		 !(name[0] && !strcmp(ev->name, name)));
	return ret;
}

/*
 * Exactly @types, in order, about the region (@id, @name), each caused by
 * @pid, and then nothing more.
 */
static void expect_events(struct __test_metadata *_metadata,
			  struct vmshm_nl *nl, uint32_t id, const char *name,
			  pid_t pid, const uint32_t *types, int n)
{
	struct vmshm_nl_event ev;
	int i;

	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, next_event_for(nl, id, name, &ev, EVENT_WAIT_MS))
			TH_LOG("waiting for event %d, \"%s\"", i,
			       vmshm_nl_event_name(types[i]));
		ASSERT_STREQ(vmshm_nl_event_name(types[i]),
			     vmshm_nl_event_name(ev.type));
		ASSERT_EQ(id, ev.region_id);
		ASSERT_STREQ(name, ev.name);
		ASSERT_EQ(pid, ev.pid);
	}
	ASSERT_EQ(-ETIMEDOUT, next_event_for(nl, id, name, &ev, QUIET_MS))
		TH_LOG("unexpected event \"%s\"", vmshm_nl_event_name(ev.type));
}

#define EXPECT_EVENTS(nl, id, name, pid, ...) do {			\
	static const uint32_t __types[] = { __VA_ARGS__ };		\
	expect_events(_metadata, nl, id, name, pid, __types,		\
		      ARRAY_SIZE(__types));					\
} while (0)

TEST_F(events, named_region_lifetime)
{
	int fd = test_open(), fd2 = test_open();
	uint32_t id;

	/* CREATED means the creator is attached too: no ATTACHED for it. */
	ASSERT_EQ(0, vmshm_create(fd, self->name, page_size(), 0600, 0, &id));
	test_cmd_attach(fd2, self->name, 0);
	close(fd2);
	test_cmd_unlink(fd, self->name);
	close(fd);
	EXPECT_EVENTS(self->nl, id, self->name, getpid(),
		      VMSHM_EVENT_CREATED, VMSHM_EVENT_ATTACHED,
		      VMSHM_EVENT_DETACHED, VMSHM_EVENT_UNLINKED,
		      VMSHM_EVENT_DETACHED, VMSHM_EVENT_DESTROYED);
}

TEST_F(events, anonymous_and_transient)
{
	int fd = test_open(), fd2 = test_open();
	uint32_t id, id2;

	ASSERT_EQ(0, vmshm_create(fd, NULL, page_size(), 0600, VMSHM_CREATE_ANON,
				  &id));
	close(fd);
	EXPECT_EVENTS(self->nl, id, "", getpid(), VMSHM_EVENT_CREATED,
		      VMSHM_EVENT_DETACHED, VMSHM_EVENT_DESTROYED);
	/* A transient name goes with the region, without an UNLINKED. */
	ASSERT_EQ(0, vmshm_create(fd2, self->name, page_size(), 0600,
				  VMSHM_CREATE_TRANSIENT, &id2));
	close(fd2);
	EXPECT_EVENTS(self->nl, id2, self->name, getpid(), VMSHM_EVENT_CREATED,
		      VMSHM_EVENT_DETACHED, VMSHM_EVENT_DESTROYED);
}

TEST_F(events, last_mapping_detaches)
{
	int fd = test_open();
	uint32_t id;
	char *p;

	ASSERT_EQ(0, vmshm_create(fd, self->name, page_size(), 0600,
				  VMSHM_CREATE_TRANSIENT, &id));
	p = test_mmap(fd, page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	/* The mapping holds the file: closing the fd detaches nothing. */
	close(fd);
	EXPECT_EVENTS(self->nl, id, self->name, getpid(), VMSHM_EVENT_CREATED);
	ASSERT_EQ(0, munmap(p, page_size()));
	EXPECT_EVENTS(self->nl, id, self->name, getpid(),
		      VMSHM_EVENT_DETACHED, VMSHM_EVENT_DESTROYED);
}

TEST_F(events, caused_by_other_process)
{
	int fd = test_open();
	uint32_t id;
	pid_t pid;

	ASSERT_EQ(0, vmshm_create(fd, self->name, page_size(), 0644,
				  VMSHM_CREATE_TRANSIENT, &id));
	EXPECT_EVENTS(self->nl, id, self->name, getpid(), VMSHM_EVENT_CREATED);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd2 = vmshm_open();

		_exit(fd2 < 0 || vmshm_attach(fd2, self->name,
					      VMSHM_ATTACH_RDONLY, NULL, NULL));
	}
	ASSERT_EQ(0, wait_child(pid));
	/* The child's exit closed its file. */
	EXPECT_EVENTS(self->nl, id, self->name, pid, VMSHM_EVENT_ATTACHED,
		      VMSHM_EVENT_DETACHED);
	close(fd);
	EXPECT_EVENTS(self->nl, id, self->name, getpid(),
		      VMSHM_EVENT_DETACHED, VMSHM_EVENT_DESTROYED);
}

TEST_F(events, limit_rejection)
{
	unsigned long max = vmshm_get_param("max_regions");
	int fd = test_open(), fd2 = test_open();
	struct vmshm_info info;
	uint32_t id;

	ASSERT_EQ(0, vmshm_create(fd, self->name, page_size(), 0600,
				  VMSHM_CREATE_TRANSIENT, &id));
	/* A taken name is no limit: no REJECTED. */
	test_err_create(EEXIST, fd2, self->name, page_size(), 0600, 0);
	EXPECT_EVENTS(self->nl, id, self->name, getpid(), VMSHM_EVENT_CREATED);
	close(fd);
	EXPECT_EVENTS(self->nl, id, self->name, getpid(),
		      VMSHM_EVENT_DETACHED, VMSHM_EVENT_DESTROYED);
	test_cmd_info(fd2, &info);
	ASSERT_EQ(0, vmshm_set_param("max_regions", info.out_nr_regions));
	test_err_create(ENOSPC, fd2, self->name, page_size(), 0600, 0);
	ASSERT_EQ(0, vmshm_set_param("max_regions", max));
	/* The region never existed: id 0. */
	EXPECT_EVENTS(self->nl, 0, self->name, getpid(), VMSHM_EVENT_REJECTED);
	close(fd2);
}

TEST_F(events, overflow_reports_lost_events)
{
	struct vmshm_nl_event ev;
	int size = 1, i, fd, ret, lost = 0, got = 0;
	uint32_t id;

	/* The kernel rounds this up to its minimum, a few events' worth. */
	ASSERT_EQ(0, setsockopt(vmshm_nl_fd(self->nl), SOL_SOCKET, SO_RCVBUF,
				&size, sizeof(size)));
	for (i = 0; i < 100; i++) {
		fd = test_open();
		test_cmd_create(fd, NULL, page_size(), 0600, VMSHM_CREATE_ANON);
		close(fd);
	}
	while ((ret = vmshm_nl_next_event(self->nl, &ev, QUIET_MS)) !=
	       -ETIMEDOUT) {
		ASSERT_TRUE(!ret || ret == -ENOBUFS);
		lost += ret == -ENOBUFS;
		got += !ret;
	}
	ASSERT_EQ(1, lost);
	ASSERT_LT(0, got);
	ASSERT_GT(300, got);
	/* The socket works again. */
	fd = test_open();
	ASSERT_EQ(0, vmshm_create(fd, NULL, page_size(), 0600, VMSHM_CREATE_ANON,
				  &id));
	EXPECT_EVENTS(self->nl, id, "", getpid(), VMSHM_EVENT_CREATED);
	close(fd);
}

TEST_F(events, subscribe_twice)
{
	int fd = test_open();
	uint32_t id;

	ASSERT_EQ(-EALREADY, vmshm_nl_subscribe_events(self->nl));
	ASSERT_STREQ("this socket is already subscribed",
		     vmshm_nl_extack(self->nl));
	/* Still subscribed, once: each event comes once. */
	ASSERT_EQ(0, vmshm_create(fd, NULL, page_size(), 0600, VMSHM_CREATE_ANON,
				  &id));
	close(fd);
	EXPECT_EVENTS(self->nl, id, "", getpid(), VMSHM_EVENT_CREATED,
		      VMSHM_EVENT_DETACHED, VMSHM_EVENT_DESTROYED);
}

TEST_F(events, unsubscribed_socket_hears_nothing)
{
	struct vmshm_nl *quiet = test_nl_open();
	struct vmshm_nl_event ev;
	int fd = test_open();
	uint32_t id;

	ASSERT_EQ(0, vmshm_create(fd, NULL, page_size(), 0600, VMSHM_CREATE_ANON,
				  &id));
	close(fd);
	EXPECT_EVENTS(self->nl, id, "", getpid(), VMSHM_EVENT_CREATED,
		      VMSHM_EVENT_DETACHED, VMSHM_EVENT_DESTROYED);
	ASSERT_EQ(-ETIMEDOUT, vmshm_nl_next_event(quiet, &ev, QUIET_MS))
		TH_LOG("unsubscribed socket got \"%s\"",
		       vmshm_nl_event_name(ev.type));
	vmshm_nl_close(quiet);
}

/*
 * A user may hold MAX_USER_SUBSCRIBERS subscriptions: the next fails with
 * EDQUOT until one socket closes.  The fixture holds one.
 */
TEST_F(events, subscribers_per_user)
{
	struct vmshm_nl *nl[MAX_USER_SUBSCRIBERS];
	int i, n, ret = 0;

	for (n = 0; n < MAX_USER_SUBSCRIBERS; n++) {
		nl[n] = test_nl_open();
		ret = vmshm_nl_subscribe_events(nl[n]);
		if (ret) {
			n++;
			break;
		}
	}
	ASSERT_EQ(-EDQUOT, ret);
	ASSERT_EQ(MAX_USER_SUBSCRIBERS, n)
		TH_LOG("EDQUOT after %d subscriptions, fixture's included", n);
	ASSERT_STREQ("at most 64 subscribed sockets per user",
		     vmshm_nl_extack(nl[n - 1]));
	/* A closed socket's subscription is gone at once. */
	vmshm_nl_close(nl[0]);
	ASSERT_EQ(0, vmshm_nl_subscribe_events(nl[n - 1]));
	for (i = 1; i < n; i++)
		vmshm_nl_close(nl[i]);
}

/*
 * Subscriptions go with their sockets: far more subscribe-and-close
 * cycles than a user may hold subscriptions all succeed.  What they
 * allocated is checked by kmemleak in the debug lane.
 */
TEST_F(events, closed_socket_unsubscribes)
{
	struct vmshm_nl *nl;
	int fd = test_open();
	uint32_t id;
	int i;

	for (i = 0; i < 4 * MAX_USER_SUBSCRIBERS; i++) {
		nl = test_nl_open();
		ASSERT_EQ(0, vmshm_nl_subscribe_events(nl))
			TH_LOG("cycle %d", i);
		vmshm_nl_close(nl);
	}
	/* The fixture's socket is still subscribed, once. */
	ASSERT_EQ(0, vmshm_create(fd, NULL, page_size(), 0600, VMSHM_CREATE_ANON,
				  &id));
	close(fd);
	EXPECT_EVENTS(self->nl, id, "", getpid(), VMSHM_EVENT_CREATED,
		      VMSHM_EVENT_DETACHED, VMSHM_EVENT_DESTROYED);
}

TEST_HARNESS_MAIN
