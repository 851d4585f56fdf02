// SPDX-License-Identifier: GPL-2.0
/*
 * vmshmctl top, create, touch, read, write and hold, run as a user
 * would: what they print against /proc/vmshm and netlink for the same
 * state, the events top lists, and every usage and request error.
 */
#include "vmshmctl_run.h"

FIXTURE(lab) {
	CTL_FIXTURE_MEMBERS;
};

FIXTURE_SETUP(lab)
{
	ctl_fixture_setup(self, "lab");
}

FIXTURE_TEARDOWN(lab)
{
	vmshm_unlink(self->fd, self->name);
	ctl_fixture_teardown(self);
}

/* The /proc/vmshm row of @name; the test fails without one. */
static void proc_region(struct __test_metadata *_metadata, const char *name,
			struct vmshm_nl_region *r, uint32_t *nr_maps)
{
	struct nl_snapshot *s = malloc(sizeof(*s));
	int i;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, proc_snapshot(s));
	for (i = 0; i < s->nr && strcmp(s->r[i].name, name); i++)
		;
	ASSERT_LT(i, s->nr) TH_LOG("%s not in /proc/vmshm", name);
	*r = s->r[i];
	if (nr_maps)
		*nr_maps = s->nr_maps[i];
	free(s);
}

static char *size_arg(char *buf, size_t len, unsigned long pages)
{
	snprintf(buf, len, "%lu", pages * page_size());
	return buf;
}

TEST_F(lab, create_touch_write_read)
{
	struct vmshm_nl_region r;
	char want[256], size[32];
	int in = memfd_create("in", 0);

	ASSERT_EQ(0, ctl_run(self->o, "create", self->name,
			     size_arg(size, sizeof(size), 3), "--mode", "640"));
	proc_region(_metadata, self->name, &r, NULL);
	snprintf(want, sizeof(want), "created region %s (id %u): %lu bytes, mode 0640\n",
		 self->name, r.id, 3 * page_size());
	ASSERT_STREQ(want, self->o->out);
	ASSERT_EQ(0640, r.mode);
	ASSERT_EQ(0, r.resident);
	/* Demand paging: one fault per page never touched. */
	ASSERT_EQ(0, ctl_run(self->o, "touch", self->name));
	snprintf(want, sizeof(want), "touched pages 0-2 of region %s: 3 page faults, 0 major\n",
		 self->name);
	ASSERT_STREQ(want, self->o->out);
	proc_region(_metadata, self->name, &r, NULL);
	ASSERT_EQ(3, r.resident);
	ASSERT_EQ(3, r.faults);
	/* The region outlived each command that mapped it. */
	ASSERT_EQ(0, r.mappings);

	ASSERT_EQ(5, write(in, "hello", 5));
	ASSERT_EQ(0, lseek(in, 0, SEEK_SET));
	ctl_stdin = in;
	ASSERT_EQ(0, ctl_run(self->o, "write", self->name, "4097"));
	ctl_stdin = -1;
	close(in);
	snprintf(want, sizeof(want), "wrote 5 bytes to region %s at offset 4097\n",
		 self->name);
	ASSERT_STREQ(want, self->o->out);
	ASSERT_EQ(0, ctl_run(self->o, "read", self->name, "4096", "7"));
	ASSERT_EQ(0, memcmp(self->o->out, "\0hello\0", 7));
	ASSERT_EQ(0, ctl_run(self->o, "read", self->name, "4K", "1"));
	ASSERT_EQ(0, self->o->out[0]);
	/* The whole region by default. */
	ASSERT_EQ(0, ctl_run(self->o, "read", self->name));
	ASSERT_EQ(0, memcmp(self->o->out + 4097, "hello", 5));
}

TEST_F(lab, create_huge)
{
	struct vmshm_nl_region r;

	ASSERT_EQ(0, ctl_run(self->o, "create", "--huge", self->name, "2M"));
	ASSERT_NE(NULL, strstr(self->o->out, ", huge pages\n"));
	proc_region(_metadata, self->name, &r, NULL);
	ASSERT_TRUE(r.flags & VMSHM_REGION_F_HUGE);
	ASSERT_EQ(0600, r.mode);
	ASSERT_EQ(2 << 20, r.size);
}

TEST_F(lab, errors)
{
	test_err_ctl(2, self->o, "create", self->name);
	ASSERT_STREQ("vmshmctl: create: expected NAME SIZE (see vmshmctl --help)\n",
		     self->o->err);
	test_err_ctl(2, self->o, "create", self->name, "0");
	ASSERT_NE(NULL, strstr(self->o->err, "bad size \"0\""));
	test_err_ctl(2, self->o, "create", self->name, "4K", "--mode", "999");
	ASSERT_NE(NULL, strstr(self->o->err, "bad mode \"999\" (expected octal"));
	test_err_ctl(2, self->o, "create", self->name, "4K", "--frob");
	ASSERT_EQ(0, ctl_run(self->o, "create", self->name, "8K"));
	test_err_ctl(1, self->o, "create", self->name, "4K");
	ASSERT_NE(NULL, strstr(self->o->err, "create region lab-"));
	ASSERT_NE(NULL, strstr(self->o->err, ": File exists\n"));

	test_err_ctl(1, self->o, "touch", "no-such-region");
	ASSERT_STREQ("vmshmctl: touch region no-such-region: no such region\n",
		     self->o->err);
	test_err_ctl(1, self->o, "touch", self->name, "8K");
	ASSERT_NE(NULL, strstr(self->o->err, "bytes 8192-8192 are past its end (8192 bytes)"));
	test_err_ctl(1, self->o, "read", self->name, "4K", "5K");
	ASSERT_NE(NULL, strstr(self->o->err, "bytes 4096-9215 are past its end"));
	test_err_ctl(2, self->o, "touch");
	test_err_ctl(2, self->o, "touch", self->name, "x");
	ASSERT_NE(NULL, strstr(self->o->err, "touch: bad offset \"x\""));
	test_err_ctl(2, self->o, "read", self->name, "0", "0");
	ASSERT_NE(NULL, strstr(self->o->err, "read: bad length \"0\""));
	test_err_ctl(2, self->o, "write", self->name, "0", "1", "2");
	test_err_ctl(2, self->o, "hold");
	test_err_ctl(2, self->o, "hold", self->name, "0");
	test_err_ctl(1, self->o, "hold", "no-such-region");
}

static int touch_as_nobody(void *arg)
{
	struct ctl_out *o = malloc(sizeof(*o));
	int ret;

	if (!o)
		return 100;
	ret = ctl_run(o, "write", arg);
	if (ret != 1 || !strstr(o->err, "Permission denied"))
		ret = 101;
	free(o);
	return ret;
}

TEST_F(lab, write_needs_permission)
{
	ASSERT_EQ(0, ctl_run(self->o, "create", self->name, "4K", "--mode",
			     "600"));
	ASSERT_EQ(1, run_as_nobody(touch_as_nobody, self->name));
}

/* Mappings of region @name now, over netlink. */
static uint32_t nl_mappings(struct vmshm_nl *nl, const char *name)
{
	struct vmshm_nl_region r;

	return vmshm_nl_get_region(nl, 0, name, &r) ? 0 : r.mappings;
}

TEST_F_TIMEOUT(lab, hold_until_signal, 60)
{
	int out = memfd_create("out", 0), err = memfd_create("err", 0);
	int in = open("/dev/null", O_RDONLY), i;
	pid_t pid;

	ASSERT_EQ(0, ctl_run(self->o, "create", self->name, "12K"));
	ctl_stdin = in;
	pid = ctl_spawn((const char *const []){ "hold", self->name, NULL },
			out, err);
	ctl_stdin = -1;
	ASSERT_LT(0, pid);
	/* At EOF on its input, hold keeps its mapping until a signal. */
	for (i = 0; i < 200 && nl_mappings(self->nl, self->name) != 1; i++)
		usleep(50000);
	ASSERT_EQ(1, nl_mappings(self->nl, self->name));
	usleep(200000);
	ASSERT_EQ(1, nl_mappings(self->nl, self->name));
	ASSERT_EQ(0, kill(pid, SIGTERM));
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_EQ(0, nl_mappings(self->nl, self->name));
	ASSERT_EQ(0, read_back(out, self->o->out, sizeof(self->o->out)));
	ASSERT_NE(NULL, strstr(self->o->out, "holding region lab-"));
	ASSERT_NE(NULL, strstr(self->o->out, "press Enter or send SIGINT/SIGTERM"));
	close(err);
	close(in);
}

/* The row of region @id in top's output, from @from on. */
static const char *top_row(const char *from, uint32_t id)
{
	char key[16];
	const char *l;

	snprintf(key, sizeof(key), "\n%6u ", id);
	l = strstr(from, key);
	return l ? l + 1 : NULL;
}

/* One region row of top -b. */
struct top_row {
	char name[32];
	unsigned long long res, swp, huge;
	char rate[4][16];
	unsigned int maps;
};

static int parse_row(const char *row, struct top_row *t)
{
	int n = sscanf(row, "%*u %31s %llu %llu %llu %15s %15s %15s %15s %u",
		       t->name, &t->res, &t->swp, &t->huge, t->rate[0],
		       t->rate[1], t->rate[2], t->rate[3], &t->maps);

	return n == 9 ? 0 : -EINVAL;
}

TEST_F(lab, top_batch_matches_proc)
{
	struct vmshm_nl_region r;
	struct top_row t;
	uint32_t maps, id;
	const char *row;
	int fd = test_open();
	char *p;

	ASSERT_EQ(0, vmshm_create(fd, self->name, 4 * page_size(), 0600, 0,
				  &id));
	p = test_mmap(fd, 4 * page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	touch_pages(p, 3);
	ASSERT_EQ(0, ctl_run(self->o, "top", "-b", "-n", "2", "-d", "0.5"));
	ASSERT_STREQ("", self->o->err);
	proc_region(_metadata, self->name, &r, &maps);
	ASSERT_EQ(0, strncmp(self->o->out, "vmshmctl top - ", 15));
	ASSERT_NE(NULL, strstr(self->o->out, "    ID NAME "));
	/* Frame 1: counts, no rates yet. */
	row = top_row(self->o->out, id);
	ASSERT_NE(NULL, row) TH_LOG("%s", self->o->out);
	ASSERT_EQ(0, parse_row(row, &t));
	ASSERT_STREQ(self->name, t.name);
	ASSERT_EQ(r.resident, t.res);
	ASSERT_EQ(3, t.res);
	ASSERT_EQ(r.swapped, t.swp);
	ASSERT_EQ(r.huge, t.huge);
	ASSERT_EQ(r.mappings, t.maps);
	ASSERT_EQ(1, t.maps);
	ASSERT_STREQ("-", t.rate[0]);
	/* Frame 2: an idle region's rates are 0. */
	row = top_row(strstr(self->o->out, "\n\nvmshmctl top - "), id);
	ASSERT_NE(NULL, row) TH_LOG("%s", self->o->out);
	ASSERT_EQ(0, parse_row(row, &t));
	ASSERT_STREQ("0.0", t.rate[0]);
	ASSERT_STREQ("0.0", t.rate[1]);
	ASSERT_STREQ("0.0", t.rate[3]);
	/* Batch mode: plain lines, no escape sequence. */
	ASSERT_EQ(NULL, strchr(self->o->out, '\033'));
	munmap(p, 4 * page_size());
	close(fd);
}

/* Wait until memfd @fd holds @want, or give up after @ms. */
static int wait_output(int fd, const char *want, int ms)
{
	char buf[256];
	ssize_t n;

	for (; ms > 0; ms -= 10, usleep(10000)) {
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		if (strstr(buf, want))
			return 0;
	}
	return -1;
}

TEST_F_TIMEOUT(lab, top_lists_events, 60)
{
	static const char *const top_args[] = {
		"top", "-b", "-n", "2", "-d", "4", NULL
	};
	int out = memfd_create("out", 0), err = memfd_create("err", 0);
	char want[128];
	uint32_t id;
	int fd = test_open();
	pid_t pid;

	pid = ctl_spawn(top_args, out, err);
	ASSERT_LT(0, pid);
	/* top joins the events group before it prints its first frame. */
	ASSERT_EQ(0, wait_output(out, "vmshmctl top - ", 20000));
	ASSERT_EQ(0, vmshm_create(fd, self->name, page_size(), 0600, 0, &id));
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_EQ(0, read_back(out, self->o->out, sizeof(self->o->out)));
	snprintf(want, sizeof(want), "event: created region %s (id %u) by pid %d\n",
		 self->name, id, getpid());
	ASSERT_NE(NULL, strstr(self->o->out, want)) TH_LOG("%s", self->o->out);
	/* In the second frame, with the region. */
	ASSERT_NE(NULL, top_row(strstr(self->o->out, "\n\nvmshmctl top"), id));
	close(err);
	close(fd);
}

TEST_F(lab, top_errors)
{
	test_err_ctl(2, self->o, "top", "-n", "-1");
	ASSERT_STREQ("vmshmctl: top: bad iteration count \"-1\" (expected 1 or more) (see vmshmctl --help)\n",
		     self->o->err);
	test_err_ctl(2, self->o, "top", "-n", "0");
	test_err_ctl(2, self->o, "top", "-d", "0");
	ASSERT_NE(NULL, strstr(self->o->err, "top: bad delay \"0\" (expected seconds"));
	test_err_ctl(2, self->o, "top", "-d", "x");
	test_err_ctl(2, self->o, "top", "-d", "nan");
	test_err_ctl(2, self->o, "top", "-q");
	test_err_ctl(2, self->o, "top", "extra");
	test_err_ctl(2, self->o, "-j", "top", "-b");
	ASSERT_STREQ("vmshmctl: top: no JSON output (see vmshmctl --help)\n",
		     self->o->err);
	test_err_ctl(2, self->o, "-j", "touch", self->name);
}

TEST_HARNESS_MAIN
