// SPDX-License-Identifier: GPL-2.0
/*
 * vmshmctl, run as a user would: exit codes and one-line error messages,
 * JSON that a strict parser accepts and that matches the netlink view,
 * escaping of hostile task names, `list` while regions churn, and
 * `monitor`.  The binary is $VMSHMCTL, else ../user/vmshmctl/vmshmctl next
 * to this program.
 */
#include "vmshmctl_run.h"

#define MONITOR_MS	10000

FIXTURE(ctl) {
	CTL_FIXTURE_MEMBERS;
	uint32_t id;
	char *p;
};

FIXTURE_SETUP(ctl)
{
	ctl_fixture_setup(self, "ctl");
	umask(0);
	ASSERT_EQ(0, vmshm_create(self->fd, self->name, 3 * page_size(), 0640,
				  VMSHM_CREATE_TRANSIENT, &self->id));
	self->p = test_mmap(self->fd, 3 * page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, self->p);
	touch_pages(self->p, 2);
}

FIXTURE_TEARDOWN(ctl)
{
	if (self->p)
		munmap(self->p, 3 * page_size());
	ctl_fixture_teardown(self);
}

TEST_F(ctl, usage_errors)
{
	ASSERT_EQ(0, ctl_run(self->o, "--help"));
	ASSERT_EQ(0, strncmp(self->o->out, "Usage: vmshmctl", 15));
	ASSERT_NE(NULL, strstr(self->o->out, "Exit status:"));
	test_err_ctl(2, self->o, "-j");
	test_err_ctl(2, self->o, "frobnicate");
	test_err_ctl(2, self->o, "-x", "list");
	test_err_ctl(2, self->o, "list", "extra");
	test_err_ctl(2, self->o, "show");
	test_err_ctl(2, self->o, "show", "-i", "0");
	test_err_ctl(2, self->o, "unlink");
	test_err_ctl(2, self->o, "monitor", "-c", "zero");
	ASSERT_STREQ("vmshmctl: monitor: bad count \"zero\": expected a number from 1 (see vmshmctl --help)\n",
		     self->o->err);
	test_err_ctl(2, self->o, "show", "-i", "x");
	ASSERT_STREQ("vmshmctl: show: bad region id \"x\": expected a number from 1 to 4294967295 (see vmshmctl --help)\n",
		     self->o->err);
}

TEST_F(ctl, request_errors)
{
	test_err_ctl(1, self->o, "show", "no-such-region");
	ASSERT_STREQ("vmshmctl: region no-such-region: No such file or directory (no such region)\n",
		     self->o->err);
	test_err_ctl(1, self->o, "-j", "show", "-i", "2147483000");
	ASSERT_NE(NULL, strstr(self->o->err, "region id 2147483000: No such file"));
	test_err_ctl(1, self->o, "unlink", "no-such-region");
	ASSERT_STREQ("vmshmctl: unlink region no-such-region: No such file or directory (no such region)\n",
		     self->o->err);
}

/* Refused: the message says who may unlink, and names the owner. */
static int unlink_as_nobody(void *arg)
{
	struct ctl_out *o = malloc(sizeof(*o));
	char want[512];
	int ret;

	if (!o)
		return 100;
	ret = ctl_run(o, "unlink", arg);
	snprintf(want, sizeof(want),
		 "vmshmctl: unlink region %s: Operation not permitted (only the region's owner, or CAP_SYS_ADMIN in the user namespace owning its IPC namespace, may unlink it; the owner is uid 0)\n",
		 (const char *)arg);
	if (strcmp(o->err, want)) {
		fprintf(stderr, "# got %s# want %s", o->err, want);
		ret = 101;
	}
	free(o);
	return ret;
}

TEST_F(ctl, unlink)
{
	int fd = test_open(), fd2 = test_open(), fd3 = test_open();
	char name[VMSHM_NAME_MAX];

	test_name(name);
	test_cmd_create(fd, name, page_size(), 0666, 0);
	ASSERT_EQ(1, run_as_nobody(unlink_as_nobody, name));
	/* Refused: the name is still there. */
	test_cmd_attach(fd2, name, 0);
	ASSERT_EQ(0, ctl_run(self->o, "unlink", name));
	ASSERT_STREQ("", self->o->out);
	ASSERT_STREQ("", self->o->err);
	test_err_attach(ENOENT, fd3, name, 0);
	close(fd);
	close(fd2);
	close(fd3);
}

/* "flags": the names of the VMSHM_REGION_F_* bits, from bit 0. */
static const char *const flag_names[] = {
	"anon", "transient", "unlinked", "huge", "locked",
};

static void assert_json_flags(struct __test_metadata *_metadata,
			      const struct json *flags, uint32_t bits)
{
	const struct json *e;
	unsigned int i;

	ASSERT_NE(NULL, flags);
	ASSERT_EQ(JSON_ARRAY, flags->type);
	ASSERT_EQ((size_t)__builtin_popcount(bits), flags->count);
	for (i = 0, e = flags->child; i < ARRAY_SIZE(flag_names); i++) {
		if (!(bits & (1U << i)))
			continue;
		ASSERT_STREQ(flag_names[i], e->str);
		e = e->next;
	}
}

/* The JSON of a region against the netlink view of it. */
static void assert_json_region(struct __test_metadata *_metadata,
			       const struct json *j,
			       const struct vmshm_nl_region *r)
{
	static const struct { const char *key; size_t off; bool wide; } f[] = {
#define U32(m) { #m, offsetof(struct vmshm_nl_region, m), false }
#define U64(m) { #m, offsetof(struct vmshm_nl_region, m), true }
		U32(id), U32(uid), U32(gid), U32(cpid), U32(lpid),
		U32(mappings), U32(attached), U64(size), U64(resident),
		U64(faults), U64(waits), U64(wakes), U64(timeouts),
		U64(swapped), U64(huge), U64(majflt),
#undef U32
#undef U64
	};
	uint64_t v, want;
	char mode[16];
	size_t i;

	ASSERT_STREQ(r->name, json_get_str(j, "name"));
	/* In octal with a leading 0, as /proc/vmshm and the table. */
	snprintf(mode, sizeof(mode), "%#o", r->mode);
	ASSERT_STREQ(mode, json_get_str(j, "mode"));
	for (i = 0; i < ARRAY_SIZE(f); i++) {
		const char *p = (const char *)r + f[i].off;

		want = f[i].wide ? *(const uint64_t *)p : *(const uint32_t *)p;
		ASSERT_EQ(0, json_get_u64(j, f[i].key, &v)) TH_LOG("%s", f[i].key);
		ASSERT_EQ(want, v) TH_LOG("%s", f[i].key);
	}
	assert_json_flags(_metadata, json_get(j, "flags"), r->flags);
	/* Those, "name", "mode" and "flags": nothing else. */
	ASSERT_EQ(ARRAY_SIZE(f) + 3, j->count);
}

TEST_F(ctl, list_json)
{
	struct nl_snapshot *s = malloc(sizeof(*s));
	const struct json *regions, *e;
	struct json *v;
	int i = 0;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, ctl_run(self->o, "-j", "list"));
	ASSERT_STREQ("", self->o->err);
	ASSERT_EQ(0, nl_snapshot(self->nl, s, false));
	v = ctl_json(_metadata, self->o->out);
	regions = json_get(v, "regions");
	ASSERT_NE(NULL, regions);
	ASSERT_EQ(JSON_BOOL, json_get(v, "dump_interrupted")->type);
	ASSERT_FALSE(json_get(v, "dump_interrupted")->boolean);
	ASSERT_EQ((size_t)s->nr, regions->count);
	for (e = regions->child; e; e = e->next, i++)
		assert_json_region(_metadata, e, &s->r[i]);
	i = snapshot_index(s, self->id);
	ASSERT_LE(0, i);
	e = json_get(json_at(regions, i), "flags");
	ASSERT_STREQ("transient", json_at(e, 0)->str);
	json_free(v);
	free(s);
}

TEST_F(ctl, list_pretty_and_text)
{
	struct json *a, *b;
	char *line;

	ASSERT_EQ(0, ctl_run(self->o, "-j", "list"));
	a = ctl_json(_metadata, self->o->out);
	ASSERT_EQ(0, ctl_run(self->o, "-p", "-j", "list"));
	ASSERT_NE(NULL, strstr(self->o->out, "\n    \"regions\": [\n"));
	b = ctl_json(_metadata, self->o->out);
	ASSERT_EQ(json_get(a, "regions")->count, json_get(b, "regions")->count);
	json_free(a);
	json_free(b);
	ASSERT_EQ(0, ctl_run(self->o, "list"));
	ASSERT_EQ(0, strncmp(self->o->out, "NAME ", 5));
	line = strstr(self->o->out, self->name);
	ASSERT_NE(NULL, line);
	ASSERT_EQ('\n', line[-1]);
	ASSERT_NE(NULL, strstr(line, " 0640 "));
	ASSERT_NE(NULL, strstr(line, " transient\n"));
}

TEST_F(ctl, show_json)
{
	const struct json *maps, *m;
	struct vmshm_nl_region r;
	char comm[16] = "", id[16], addr[24], *by_name;
	uint64_t v;
	struct json *j;

	ASSERT_EQ(0, ctl_run(self->o, "-j", "show", self->name));
	by_name = strdup(self->o->out);
	j = ctl_json(_metadata, by_name);
	test_cmd_nl_get_region(self->nl, self->id, NULL, &r);
	assert_json_region(_metadata, json_get(j, "region"), &r);
	maps = json_get(j, "mappings");
	ASSERT_NE(NULL, maps);
	ASSERT_EQ(1, maps->count);
	m = maps->child;
	ASSERT_EQ(8, m->count);
	ASSERT_EQ(0, json_get_u64(m, "pid", &v));
	ASSERT_EQ(getpid(), v);
	ASSERT_EQ(0, prctl(PR_GET_NAME, comm));
	ASSERT_STREQ(comm, json_get_str(m, "comm"));
	/* Hex strings, as YNL's cli.py prints display-hint: hex. */
	snprintf(addr, sizeof(addr), "%#lx", (unsigned long)self->p);
	ASSERT_STREQ(addr, json_get_str(m, "start"));
	snprintf(addr, sizeof(addr), "%#lx",
		 (unsigned long)self->p + 3 * page_size());
	ASSERT_STREQ(addr, json_get_str(m, "end"));
	ASSERT_STREQ("rw-", json_get_str(m, "prot"));
	ASSERT_EQ(0, json_get_u64(m, "resident", &v));
	ASSERT_EQ(2, v);
	ASSERT_EQ(0, json_get_u64(m, "faults", &v));
	ASSERT_EQ(2, v);
	ASSERT_EQ(0, json_get_u64(m, "majflt", &v));
	ASSERT_EQ(0, v);
	json_free(j);
	/* By id, the same. */
	snprintf(id, sizeof(id), "%u", self->id);
	ASSERT_EQ(0, ctl_run(self->o, "-j", "show", "-i", id));
	ASSERT_STREQ(by_name, self->o->out);
	free(by_name);
	ASSERT_EQ(0, ctl_run(self->o, "show", self->name));
	ASSERT_NE(NULL, strstr(self->o->out,
			       "\nfaults 2  majflt 0  waits 0  wakes 0  timeouts 0\n"));
	ASSERT_NE(NULL, strstr(self->o->out, " rw- "));
	/* The base of /proc/vmshm: "0x" and 16 hex digits. */
	snprintf(addr, sizeof(addr), " 0x%016lx ", (unsigned long)self->p);
	ASSERT_NE(NULL, strstr(self->o->out, addr)) TH_LOG("%s", self->o->out);
}

TEST_F(ctl, stats_json)
{
	static const char *const keys[] = {
		"regions", "max_regions", "reserved_pages", "max_total_pages",
		"pages", "swapped_pages", "rejected", "max_region_size",
		"user_regions", "max_user_regions", "user_pages",
		"max_user_pages",
	};
	struct vmshm_nl_stats st;
	uint64_t want[ARRAY_SIZE(keys)], v;
	struct json *j;
	size_t i;

	ASSERT_EQ(0, ctl_run(self->o, "-j", "stats"));
	test_cmd_nl_stats(self->nl, &st);
	j = ctl_json(_metadata, self->o->out);
	want[0] = st.regions;
	want[1] = st.max_regions;
	want[2] = st.reserved_pages;
	want[3] = st.max_total_pages;
	want[4] = st.pages;
	want[5] = st.swapped_pages;
	want[6] = st.rejected;
	want[7] = st.max_region_size;
	want[8] = st.user_regions;
	want[9] = st.max_user_regions;
	want[10] = st.user_pages;
	want[11] = st.max_user_pages;
	ASSERT_EQ(ARRAY_SIZE(keys), j->count);
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		ASSERT_EQ(0, json_get_u64(j, keys[i], &v));
		ASSERT_EQ(want[i], v) TH_LOG("%s", keys[i]);
	}
	json_free(j);
	ASSERT_EQ(0, ctl_run(self->o, "stats"));
	ASSERT_EQ(0, strncmp(self->o->out, "regions ", 8));
}

/*
 * The page counters and the huge and locked flags of one region, as one
 * view shows them: VMSHM_STAT, fdinfo, /proc/vmshm, netlink, vmshmctl.
 */
struct view {
	uint64_t resident, swapped, huge, faults, majflt;
	uint32_t flags;
};

#define VIEW_FLAGS	(VMSHM_REGION_F_HUGE | VMSHM_REGION_F_LOCKED)

/* The bit of flag @name, 0 if unknown. */
static uint32_t flag_bit(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flag_names); i++)
		if (!strcmp(name, flag_names[i]))
			return 1U << i;
	return 0;
}

static int view_of_stat(int fd, struct view *v)
{
	struct vmshm_stat st;
	int ret = vmshm_stat(fd, &st);

	*v = (struct view){
		.resident = st.out_resident, .swapped = st.out_swapped,
		.huge = st.out_huge, .faults = st.out_faults,
		.majflt = st.out_majflt, .flags = st.out_flags & VIEW_FLAGS,
	};
	return ret;
}

/* "vmshm-flags:\thuge,locked", or "-" for none. */
static int view_of_fdinfo(int fd, struct view *v)
{
	char flags[64], *w, *save;
	uint32_t bit;
	int ret;

	ret = fdinfo_u64(fd, "vmshm-resident", &v->resident) ?:
	      fdinfo_u64(fd, "vmshm-swapped", &v->swapped) ?:
	      fdinfo_u64(fd, "vmshm-huge", &v->huge) ?:
	      fdinfo_u64(fd, "vmshm-faults", &v->faults) ?:
	      fdinfo_u64(fd, "vmshm-majflt", &v->majflt) ?:
	      fdinfo_get(fd, "vmshm-flags", flags, sizeof(flags));
	if (ret)
		return ret;
	v->flags = 0;
	if (!strcmp(flags, "-"))
		return 0;
	for (w = strtok_r(flags, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		bit = flag_bit(w);
		if (!(bit & VIEW_FLAGS))
			return -EINVAL;
		v->flags |= bit;
	}
	return 0;
}

static void view_of_nl_region(const struct vmshm_nl_region *r,
			      struct view *v)
{
	*v = (struct view){
		.resident = r->resident, .swapped = r->swapped,
		.huge = r->huge, .faults = r->faults, .majflt = r->majflt,
		.flags = r->flags & VIEW_FLAGS,
	};
}

/* /proc/vmshm through the parser of nl_dump_test's comparisons. */
static int view_of_proc(uint32_t id, struct view *v)
{
	struct nl_snapshot *s = malloc(sizeof(*s));
	int ret = s ? proc_snapshot(s) : -ENOMEM;
	int i;

	if (!ret) {
		i = snapshot_index(s, id);
		if (i < 0)
			ret = -ENOENT;
		else
			view_of_nl_region(&s->r[i], v);
	}
	free(s);
	return ret;
}

/* vmshmctl -j show -i ID */
static int view_of_ctl(struct ctl_out *o, uint32_t id, struct view *v)
{
	const struct json *j, *flags, *e;
	char ids[16], err[128];
	struct json *root;
	int ret;

	snprintf(ids, sizeof(ids), "%u", id);
	if (ctl_run(o, "-j", "show", "-i", ids))
		return -EIO;
	root = json_parse(o->out, strlen(o->out), err, sizeof(err));
	if (!root)
		return -EBADMSG;
	j = json_get(root, "region");
	flags = j ? json_get(j, "flags") : NULL;
	ret = !flags || json_get_u64(j, "resident", &v->resident) ||
	      json_get_u64(j, "swapped", &v->swapped) ||
	      json_get_u64(j, "huge", &v->huge) ||
	      json_get_u64(j, "faults", &v->faults) ||
	      json_get_u64(j, "majflt", &v->majflt) ? -EBADMSG : 0;
	v->flags = 0;
	for (e = flags ? flags->child : NULL; e; e = e->next)
		v->flags |= e->str ? flag_bit(e->str) & VIEW_FLAGS : 0;
	json_free(root);
	return ret;
}

/*
 * Every view of region @id (bound to @fd) shows @want, the counters of a
 * region whose pages were touched once each and never swapped.
 */
static void assert_views(struct __test_metadata *_metadata,
			 struct ctl_out *o, struct vmshm_nl *nl, int fd,
			 uint32_t id, const struct view *want)
{
	static const char *const names[] = {
		"VMSHM_STAT", "fdinfo", "/proc/vmshm", "netlink", "vmshmctl -j",
	};
	struct vmshm_nl_region r;
	struct view v[ARRAY_SIZE(names)];
	size_t i;

	ASSERT_EQ(0, view_of_stat(fd, &v[0]));
	ASSERT_EQ(0, view_of_fdinfo(fd, &v[1]));
	ASSERT_EQ(0, view_of_proc(id, &v[2]));
	test_cmd_nl_get_region(nl, id, NULL, &r);
	view_of_nl_region(&r, &v[3]);
	ASSERT_EQ(0, view_of_ctl(o, id, &v[4])) TH_LOG("%s", o->err);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		ASSERT_EQ(want->resident, v[i].resident) TH_LOG("%s", names[i]);
		ASSERT_EQ(want->swapped, v[i].swapped) TH_LOG("%s", names[i]);
		ASSERT_EQ(want->huge, v[i].huge) TH_LOG("%s", names[i]);
		ASSERT_EQ(want->faults, v[i].faults) TH_LOG("%s", names[i]);
		ASSERT_EQ(want->majflt, v[i].majflt) TH_LOG("%s", names[i]);
		ASSERT_EQ(want->flags, v[i].flags) TH_LOG("%s", names[i]);
	}
}

/* Two of three pages touched, in base pages, none swapped: every view. */
TEST_F(ctl, views_agree)
{
	struct view want = { .resident = 2, .faults = 2 };

	assert_views(_metadata, self->o, self->nl, self->fd, self->id, &want);
	touch_pages(self->p, 3);
	want.resident = 3;
	want.faults = 3;
	assert_views(_metadata, self->o, self->nl, self->fd, self->id, &want);
}

/*
 * The flags of a huge, locked region.  Four pages hold no huge page, so
 * its pages are base pages too.
 */
TEST_F(ctl, views_agree_huge_locked)
{
	struct view want = { .resident = 3, .faults = 3, .flags = VIEW_FLAGS };
	int fd = test_open();
	uint32_t id;
	char *p;

	ASSERT_EQ(0, vmshm_create(fd, NULL, 4 * page_size(), 0600,
				  VMSHM_CREATE_ANON | VMSHM_CREATE_HUGE |
				  VMSHM_CREATE_LOCKED, &id));
	p = test_mmap(fd, 4 * page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	touch_pages(p, 3);
	assert_views(_metadata, self->o, self->nl, fd, id, &want);
	munmap(p, 4 * page_size());
	close(fd);
}

/* A task name with every kind of byte JSON must escape. */
#define HOSTILE_COMM	"q\"b\\s\n\x01\xff"
#define HOSTILE_JSON	"q\"b\\s\n\x01\xef\xbf\xbd"	/* \xff: U+FFFD */
#define HOSTILE_TEXT	" q\"b\\s??? "

TEST_F(ctl, json_escapes_task_names)
{
	const struct json *m;
	struct peer peer;
	struct json *j;
	uint64_t pid;

	ASSERT_EQ(0, peer_start(&peer, self->name, 1, HOSTILE_COMM));
	ASSERT_EQ(0, ctl_run(self->o, "-j", "show", self->name));
	j = ctl_json(_metadata, self->o->out);
	for (m = json_get(j, "mappings")->child; m; m = m->next)
		if (!json_get_u64(m, "pid", &pid) && pid == (uint64_t)peer.pid)
			break;
	ASSERT_NE(NULL, m);
	ASSERT_STREQ(HOSTILE_JSON, json_get_str(m, "comm"));
	json_free(j);
	ASSERT_EQ(0, ctl_run(self->o, "show", self->name));
	ASSERT_NE(NULL, strstr(self->o->out, HOSTILE_TEXT));
	ASSERT_EQ(0, peer_stop(&peer));
}

/* Every region in strictly increasing id order, as the kernel sends. */
static int check_list(const struct json *v)
{
	const struct json *regions = json_get(v, "regions"), *e;
	const struct json *intr = json_get(v, "dump_interrupted");
	uint64_t id, prev = 0;

	if (!regions || regions->type != JSON_ARRAY || !intr ||
	    intr->type != JSON_BOOL)
		return 1;
	for (e = regions->child; e; e = e->next, prev = id)
		if (json_get_u64(e, "id", &id) || id <= prev)
			return 2;
	return 0;
}

TEST_F_TIMEOUT(ctl, list_while_regions_churn, 120)
{
	int runs, intr = 0;
	struct churn churn;
	struct json *v;

	ASSERT_EQ(0, churn_start(&churn));
	for (runs = 0; runs < 10; runs++) {
		ASSERT_EQ(0, ctl_run(self->o, "-j", "list"))
			TH_LOG("stderr: %s", self->o->err);
		v = ctl_json(_metadata, self->o->out);
		ASSERT_EQ(0, check_list(v));
		intr += json_get(v, "dump_interrupted")->boolean;
		json_free(v);
	}
	ASSERT_EQ(0, churn_stop(&churn));
	TH_LOG("%d runs, %d still inconsistent after retries", runs, intr);
}

/*
 * Append what @fd has to @buf until @needle is in it; 0 when it is, else
 * -ETIMEDOUT, or -EPIPE at the end of the output.
 */
static int read_until(int fd, char *buf, size_t size, const char *needle,
		      int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t len = strlen(buf);
	ssize_t n;

	while (!needle || !strstr(buf, needle)) {
		if (poll(&pfd, 1, timeout_ms) <= 0)
			return -ETIMEDOUT;
		n = read(fd, buf + len, size - 1 - len);
		if (n <= 0)
			return -EPIPE;
		len += n;
		buf[len] = '\0';
	}
	return 0;
}

/* Make events until the monitor on @fd shows one: it has subscribed. */
static int monitor_sync(int fd, char *buf, size_t size)
{
	char probe[VMSHM_NAME_MAX], quoted[VMSHM_NAME_MAX + 2];
	int i, vfd;

	snprintf(probe, sizeof(probe), "probe-%d", getpid());
	snprintf(quoted, sizeof(quoted), "\"%s\"", probe);
	for (i = 0; i < 100; i++) {
		vfd = vmshm_open();
		if (vfd < 0 || vmshm_create(vfd, probe, page_size(), 0600,
					    VMSHM_CREATE_TRANSIENT, NULL))
			return -1;
		close(vfd);
		if (!read_until(fd, buf, size, quoted, 100))
			return 0;
	}
	return -1;
}

/*
 * The "event" member of each JSON line of @buf about region @name, which
 * must carry @id and @pid; -1 when a line is not strict JSON.
 */
static int monitor_events(char *buf, const char *name, uint32_t id, pid_t pid,
			  char (*types)[16], int max)
{
	char *line, *save, err[128];
	uint64_t ev_id, ev_pid;
	struct json *v;
	int n = 0, bad;

	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		v = json_parse(line, strlen(line), err, sizeof(err));
		if (!v)
			return -1;
		bad = json_get_u64(v, "id", &ev_id) ||
		      json_get_u64(v, "pid", &ev_pid) || !json_get_str(v, "event");
		if (!bad && !strcmp(json_get_str(v, "name") ?: "", name)) {
			bad = n == max || ev_id != id || ev_pid != (uint64_t)pid;
			if (!bad)
				snprintf(types[n++], sizeof(types[0]), "%s",
					 json_get_str(v, "event"));
		}
		json_free(v);
		if (bad)
			return -1;
	}
	return n;
}

/* Start `vmshmctl ARGS` with stdout on a pipe; its read end in *@out. */
static pid_t monitor_start(const char *const *args, int *out)
{
	int p[2], err = open("/dev/null", O_WRONLY | O_CLOEXEC);
	pid_t pid;

	if (err < 0 || pipe2(p, O_CLOEXEC))
		return -1;
	pid = ctl_spawn(args, p[1], err);
	close(p[1]);
	close(err);
	*out = p[0];
	return pid;
}

TEST_F_TIMEOUT(ctl, monitor_json, 60)
{
	static const char *const want[] = {
		"created", "attached", "detached", "unlinked", "detached",
		"destroyed",
	};
	char *buf = self->o->out, name[VMSHM_NAME_MAX], last[160];
	int fd = test_open(), fd2 = test_open(), out, i;
	char types[8][16];
	uint32_t id;
	pid_t pid;

	buf[0] = '\0';
	pid = monitor_start((const char *const []){ "-j", "monitor", NULL },
			    &out);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, monitor_sync(out, buf, OUT_MAX));
	test_name(name);
	ASSERT_EQ(0, vmshm_create(fd, name, page_size(), 0600, 0, &id));
	test_cmd_attach(fd2, name, 0);
	close(fd2);
	test_cmd_unlink(fd, name);
	close(fd);
	snprintf(last, sizeof(last),
		 "{\"event\":\"destroyed\",\"id\":%u,\"name\":\"%s\"", id, name);
	ASSERT_EQ(0, read_until(out, buf, OUT_MAX, last, MONITOR_MS));
	ASSERT_EQ(0, kill(pid, SIGINT));
	ASSERT_EQ(-EPIPE, read_until(out, buf, OUT_MAX, NULL, MONITOR_MS));
	ASSERT_EQ(0, wait_child(pid));
	close(out);
	ASSERT_EQ(ARRAY_SIZE(want), monitor_events(buf, name, id, getpid(),
						   types, 8));
	for (i = 0; i < (int)ARRAY_SIZE(want); i++)
		ASSERT_STREQ(want[i], types[i]);
}

TEST_F_TIMEOUT(ctl, monitor_count, 60)
{
	char *buf = self->o->out, *line, *save;
	int out, status, n = 0;
	pid_t pid;

	buf[0] = '\0';
	pid = monitor_start((const char *const []){ "monitor", "-c", "2", NULL },
			    &out);
	ASSERT_LT(0, pid);
	/* The probes make events until it has printed two and exited. */
	monitor_sync(out, buf, OUT_MAX);
	ASSERT_EQ(-EPIPE, read_until(out, buf, OUT_MAX, NULL, MONITOR_MS));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	close(out);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), n++)
		ASSERT_NE(NULL, strstr(line, " id "));
	ASSERT_EQ(2, n);
}

/* Last: it unloads and reloads the module. */
TEST(module_not_loaded)
{
	struct ctl_out *o = malloc(sizeof(*o));
	struct vmshm_nl *nl = NULL;
	int status, ret;

	vmshm_require_device();
	if (!ctl_path())
		SKIP(return, "vmshmctl not found: set VMSHMCTL");
	ASSERT_NE(NULL, o);
	ret = vmshm_unload();
	if (ret)
		SKIP(return, "cannot unload vmshm: %s", strerror(-ret));
	status = ctl_run(o, "list");
	ret = vmshm_nl_open(&nl);
	ASSERT_EQ(0, vmshm_reload());
	ASSERT_EQ(-ENOENT, ret);
	ASSERT_EQ(3, status);
	ASSERT_STREQ("vmshmctl: vmshm module not loaded\n", o->err);
	ASSERT_STREQ("", o->out);
	free(o);
}

TEST_HARNESS_MAIN
