// SPDX-License-Identifier: GPL-2.0
/*
 * Fault survival of user/sum/parent and user/sum/child: in each trial the
 * parent streams random lines from a pipe, and the test SIGKILLs the
 * parent or the child at a random byte of the input.  Then:
 *
 *   - the survivor exits within KILL_EXIT_MS of the kill: a parent learns
 *     of a dead child from EPOLLHUP or EPIPE, a child of a dead parent
 *     from EPIPE once it has summed what it holds.  Neither uses a timer,
 *     so a lost notification hangs until KILL_HANG_MS; the bound only
 *     has to leave room for a TCG host that stalls the guest (the debug
 *     kernel's slowest exit is about 0.2 s);
 *   - the results file does not end inside a line;
 *   - its lines are the sums of the first K input lines, once each and in
 *     order, as this test computes them with its own code;
 *   - the survivor's summary agrees with the file: the parent's "holds K
 *     results" when the child was killed, the child's "after K lines" when
 *     the parent was;
 *   - /proc/vmshm lists no region that was not there before;
 *   - no process of the trial is left running: the child's guard exits
 *     with the parent (its last act, closing the ready fd, is what lets
 *     the parent end), within KILL_EXIT_MS of it.
 *
 * A line the child has written to the results file is what it has
 * acknowledged: in streaming mode there is no other acknowledgment.  The
 * parent never reads the file: its "holds K" is the account the child's
 * guard gave in the channel after cutting a partial line, if any.
 *
 * guard.cannot_cut: the guard cannot cut a partial line from a file
 * sealed against shrinking; it must say why and give no account, and the
 * parent must report the count as unknown.
 *
 * Environment: VMSHM_KILL_TRIALS (default 100), VMSHM_KILL_LINES (lines of
 * input per trial, default 100000), VMSHM_KILL_SEED (default: from the
 * clock; printed, so that a failure can be run again), VMSHM_KILL_VERBOSE
 * (non-zero: one line per trial).  Under TCG 100 trials take 1 to 2
 * minutes; the harness allows 900 s in all.
 */
#include <inttypes.h>
#include <stdarg.h>

#include "vmshm_proto_test.h"

#define KILL_TRIALS	100
#define KILL_LINES	100000
#define KILL_LINE_MAX	160	/* longest generated line with its '\n' */
#define KILL_EXIT_MS	5000	/* the survivor must exit this soon */
#define KILL_HANG_MS	10000	/* past this it is hung, and killed */
#define KILL_START_MS	10000	/* for the parent to start the child */
#define KILL_WRITE_MS	10000	/* for the parent to take more input */
#define KILL_LOG_MAX	10	/* failed trials shown in full */
#define KILL_WCHAN_MAX	8	/* distinct wait sites counted */
#define KILL_BAD_TOKEN	"x1"

/* splitmix64: small and seedable. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rng_below(uint64_t *s, uint64_t n)
{
	return rng_next(s) % n;
}

/* What the child must write for one input line. */
struct kill_ref {
	int64_t sum;
	uint32_t bad_col;	/* column of KILL_BAD_TOKEN, 0 if none */
};

/**
 * struct kill_trial - one trial: its plan, what happened, what failed
 * @nr: trial number, from 0
 * @seed: this trial's seed
 * @kill_child: the victim is the child, else the parent
 * @line: the kill comes while line @line is being written...
 * @cut: ...after @cut bytes of input in all
 * @delay_us: and this long after the last write
 * @parent: pid of user/sum/parent
 * @child: pid of user/sum/child
 * @latency_ns: from kill() to the survivor's exit
 * @results: whole lines in the results file
 * @sent: "lines sent" in the parent's summary (child killed)
 * @trimmed: the child's guard cut a partial last line from the file
 * @early: the kill came before the child had attached
 * @wchan: where the survivor was waiting when its peer was killed
 * @why: why the trial failed; empty if it passed
 */
struct kill_trial {
	unsigned int nr;
	uint64_t seed;
	bool kill_child;
	unsigned int line;
	size_t cut;
	unsigned int delay_us;
	pid_t parent;
	pid_t child;
	uint64_t latency_ns;
	long long results;
	long long sent;
	bool trimmed;
	bool early;
	char wchan[32];
	char why[512];
};

/**
 * struct kill_side - statistics of the trials that killed one side
 * @trials: how many
 * @lat_max_ns: the longest exit latency of the survivor
 * @lat_sum_ns: all of them, for the mean
 * @early: kills that came before the child had attached
 * @whole: trials whose results covered every complete line written
 * @trimmed: trials in which the guard cut a partial last line
 * @wchan: the survivor's wait sites at the kill...
 * @wchan_nr: ...and how often each
 */
struct kill_side {
	unsigned int trials;
	uint64_t lat_max_ns;
	uint64_t lat_sum_ns;
	unsigned int early;
	unsigned int whole;
	unsigned int trimmed;
	char wchan[KILL_WCHAN_MAX][32];
	unsigned int wchan_nr[KILL_WCHAN_MAX];
};

FIXTURE(kill) {
	unsigned int trials;
	unsigned int lines;
	uint64_t seed;
	char *text;		/* the input of the current trial */
	struct kill_ref *ref;	/* its reference results */
	int regions;		/* /proc/vmshm regions before the trials */
	bool verbose;		/* one line per trial */
	char results[PROTO_DIR_MAX + 32];
	char errs[PROTO_DIR_MAX + 32];
	struct kill_side side[2];	/* [1]: the child was killed */
};

static unsigned long env_ulong(const char *name, unsigned long def)
{
	const char *s = getenv(name);

	return s && *s ? strtoul(s, NULL, 0) : def;
}

FIXTURE_SETUP(kill)
{
	const char *dir = proto_dir[0] ? proto_dir : "/tmp";

	proto_require();
	self->trials = env_ulong("VMSHM_KILL_TRIALS", KILL_TRIALS);
	self->lines = env_ulong("VMSHM_KILL_LINES", KILL_LINES);
	ASSERT_LT(0, self->lines);
	self->verbose = env_ulong("VMSHM_KILL_VERBOSE", 0);
	self->seed = env_ulong("VMSHM_KILL_SEED",
			       vmshm_now_ns() ^ ((uint64_t)getpid() << 32));
	self->text = malloc((size_t)self->lines * KILL_LINE_MAX);
	self->ref = calloc(self->lines, sizeof(*self->ref));
	ASSERT_NE(NULL, self->text);
	ASSERT_NE(NULL, self->ref);
	snprintf(self->results, sizeof(self->results), "%s/kill-results.%d",
		 dir, getpid());
	snprintf(self->errs, sizeof(self->errs), "%s/kill-stderr.%d", dir,
		 getpid());
	/* An orphaned child comes back to us, to be timed and reaped. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	signal(SIGPIPE, SIG_IGN);
	self->regions = proto_regions(NULL);
	ASSERT_LE(0, self->regions);
}

FIXTURE_TEARDOWN(kill)
{
	unlink(self->results);
	unlink(self->errs);
	free(self->text);
	free(self->ref);
}

static __printf(2, 3) void kill_fail(struct kill_trial *t, const char *fmt,
				     ...)
{
	size_t n = strlen(t->why);
	va_list ap;

	if (n + 3 >= sizeof(t->why))
		return;
	if (n) {
		strcpy(t->why + n, "; ");
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(t->why + n, sizeof(t->why) - n, fmt, ap);
	va_end(ap);
}

/*
 * One random line: 0 to 8 integers below 10^12 with optional signs,
 * blanks between and around them, and one time in 200 an invalid token.
 * Never empty, which would end the input.  Returns its length.
 */
static size_t kill_gen_line(uint64_t *rs, char *p, struct kill_ref *ref)
{
	unsigned int n = rng_below(rs, 9), bad, i, d;
	uint64_t v, m;
	size_t len = 0;

	bad = n && !rng_below(rs, 200) ? rng_below(rs, n) : n;
	ref->sum = 0;
	ref->bad_col = 0;
	if (!rng_below(rs, 16))
		p[len++] = '\t';
	for (i = 0; i < n; i++) {
		if (i)
			p[len++] = rng_below(rs, 8) ? ' ' : '\t';
		if (i && !rng_below(rs, 16))
			p[len++] = ' ';
		if (i == bad) {
			ref->bad_col = len + 1;
			memcpy(p + len, KILL_BAD_TOKEN, 2);
			len += 2;
			continue;
		}
		for (d = 1 + rng_below(rs, 12), m = 1; d; d--)
			m *= 10;
		v = rng_below(rs, m);
		d = rng_below(rs, 6);
		if (d < 2)
			p[len++] = '-';
		else if (d == 2)
			p[len++] = '+';
		ref->sum += d < 2 ? -(int64_t)v : (int64_t)v;
		len += sprintf(p + len, "%" PRIu64, v);
	}
	if (!n || !rng_below(rs, 16))
		p[len++] = ' ';
	p[len++] = '\n';
	return len;
}

/* Plan the trial and write its input up to the line of the kill. */
static void kill_plan(FIXTURE_DATA(kill) *self, struct kill_trial *t)
{
	uint64_t rs = t->seed;
	size_t off = 0, len = 0;
	unsigned int i;

	t->kill_child = rng_below(&rs, 2);
	t->line = rng_below(&rs, self->lines);
	t->delay_us = rng_below(&rs, 4) ? 0 : rng_below(&rs, 20000);
	for (i = 0; i <= t->line; i++) {
		off += len;
		len = kill_gen_line(&rs, self->text + off, &self->ref[i]);
	}
	/* Some bytes of line t->line, never all: it stays incomplete. */
	t->cut = off + rng_below(&rs, len);
}

/* In the forked process: stdin the pipe, stderr the log, then exec. */
static void kill_exec(FIXTURE_DATA(kill) *self, int in, int err)
{
	int null = open("/dev/null", O_WRONLY);

	if (null < 0 || dup2(in, STDIN_FILENO) < 0 ||
	    dup2(null, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
		_exit(120);
	close(null);
	execl(proto_parent, "parent", "-o", self->results, (char *)NULL);
	_exit(121);
}

/* Start the parent on a pipe; returns the write end, or -1. */
static int kill_start(FIXTURE_DATA(kill) *self, struct kill_trial *t)
{
	int p[2], err;

	err = open(self->errs, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
		   O_CLOEXEC, 0644);
	if (err < 0 || pipe2(p, O_CLOEXEC)) {
		kill_fail(t, "setup: %s", strerror(errno));
		if (err >= 0)
			close(err);
		return -1;
	}
	t->parent = fork();
	if (!t->parent)
		kill_exec(self, p[0], err);
	close(p[0]);
	close(err);
	if (t->parent < 0) {
		kill_fail(t, "fork: %s", strerror(errno));
		close(p[1]);
		return -1;
	}
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	t->child = proto_child_of(t->parent, KILL_START_MS);
	if (t->child < 0)
		kill_fail(t, "no child process %d ms after the parent started",
			  KILL_START_MS);
	return p[1];
}

/* Write the input up to t->cut, in chunks of random size. */
static int kill_feed(FIXTURE_DATA(kill) *self, struct kill_trial *t, int fd,
		     int parent_fd)
{
	struct pollfd pfd[2] = {
		{ .fd = fd, .events = POLLOUT },
		{ .fd = parent_fd, .events = POLLIN },
	};
	uint64_t rs = t->seed ^ 0x5bd1e995ULL;
	size_t pos = 0, n;
	ssize_t w;

	while (pos < t->cut) {
		if (poll(pfd, 2, KILL_WRITE_MS) <= 0) {
			kill_fail(t, "parent took no input for %d ms, %zu of %zu bytes written",
				  KILL_WRITE_MS, pos, t->cut);
			return -1;
		}
		if (pfd[1].revents) {
			kill_fail(t, "parent exited before the kill, %zu of %zu bytes written",
				  pos, t->cut);
			return -1;
		}
		n = 1 + rng_below(&rs, 65536);
		if (n > t->cut - pos)
			n = t->cut - pos;
		w = write(fd, self->text + pos, n);
		if (w < 0 && errno != EAGAIN && errno != EINTR) {
			kill_fail(t, "writing input: %s", strerror(errno));
			return -1;
		}
		pos += w > 0 ? w : 0;
	}
	return 0;
}

/* SIGKILL the victim; time the survivor's exit through its pidfd. */
static void kill_strike(struct kill_trial *t, int survivor_fd)
{
	pid_t victim = t->kill_child ? t->child : t->parent;
	pid_t survivor = t->kill_child ? t->parent : t->child;
	uint64_t t0;
	int ret;

	if (t->delay_us)
		usleep(t->delay_us);
	read_wchan(survivor, t->wchan, sizeof(t->wchan));
	t0 = vmshm_now_ns();
	if (kill(victim, SIGKILL)) {
		kill_fail(t, "kill %d: %s", (int)victim, strerror(errno));
		return;
	}
	ret = proto_wait_exit(survivor_fd, KILL_HANG_MS);
	t->latency_ns = vmshm_now_ns() - t0;
	if (ret) {
		kill_fail(t, "%s %d still running %d ms after the kill (%s), was in %s",
			  t->kill_child ? "parent" : "child", (int)survivor,
			  KILL_HANG_MS, strerror(-ret), t->wchan);
		kill(survivor, SIGKILL);
	} else if (t->latency_ns > KILL_EXIT_MS * 1000000ULL) {
		kill_fail(t, "%s exited %" PRIu64 " ms after the kill, over %d ms",
			  t->kill_child ? "parent" : "child",
			  t->latency_ns / 1000000, KILL_EXIT_MS);
	}
}

/*
 * Reap whatever else of the trial comes to us (the guard of a killed
 * child), waiting up to @ms for it to exit.  The parent sees end of file
 * on the ready fd as the guard closes its files in do_exit(), a little
 * before the guard becomes a zombie, so it may exit first by a hair.
 * Returns true if one still runs.
 */
static bool kill_reap_rest(int ms)
{
	uint64_t end = vmshm_now_ns() + ms * 1000000ULL;
	siginfo_t si;

	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG))
			return false;		/* ECHILD: none left */
		if (si.si_pid)
			continue;		/* reaped one */
		if (vmshm_now_ns() >= end)
			return true;
		usleep(1000);
	}
}

/*
 * Reap both; the survivor must have exited with status 1.  Then reap the
 * child's guard, which comes to us when the child is killed: it must
 * have exited before the parent did.
 */
static void kill_reap(struct kill_trial *t)
{
	int st = 0, cst = 0;

	if (waitpid(t->parent, &st, 0) != t->parent)
		kill_fail(t, "waitpid parent: %s", strerror(errno));
	else if (t->kill_child && (!WIFEXITED(st) || WEXITSTATUS(st) != 1))
		kill_fail(t, "parent wait status %#x, want exit status 1", st);
	if (!t->kill_child && t->child > 0) {
		/* The parent is dead: the orphaned child is ours to reap. */
		if (waitpid(t->child, &cst, 0) != t->child)
			kill_fail(t, "waitpid child: %s", strerror(errno));
		else if (!WIFEXITED(cst) || WEXITSTATUS(cst) != 1)
			kill_fail(t, "child wait status %#x, want exit status 1",
				  cst);
	}
	if (kill_reap_rest(KILL_EXIT_MS)) {
		kill_fail(t, "a process of the trial still runs %d ms after the parent exited",
			  KILL_EXIT_MS);
		while (waitpid(-1, NULL, 0) > 0)
			;
	}
}

/* The results file: whole lines, each the reference of its input line. */
static void kill_check_results(FIXTURE_DATA(kill) *self, struct kill_trial *t)
{
	char *buf, *p, *nl, want[96];
	long long k = 0;
	bool bad = false;
	size_t len;

	buf = proto_read_file(self->results, &len);
	if (!buf) {
		kill_fail(t, "results %s: %s", self->results, strerror(errno));
		return;
	}
	if (len && buf[len - 1] != '\n')
		kill_fail(t, "results end inside a line");
	for (p = buf; (nl = strchr(p, '\n')); p = nl + 1, k++) {
		const struct kill_ref *r = &self->ref[k];

		*nl = '\0';
		if (bad)
			continue;	/* only count the rest */
		if (k >= t->line) {
			kill_fail(t, "more results than the %u whole lines written",
				  t->line);
			bad = true;
			continue;
		}
		if (r->bad_col)
			snprintf(want, sizeof(want), "error: invalid number '%s' at column %u",
				 KILL_BAD_TOKEN, r->bad_col);
		else
			snprintf(want, sizeof(want), "%" PRId64, r->sum);
		if (strcmp(p, want)) {
			kill_fail(t, "result %lld is \"%.60s\", want \"%s\"",
				  k + 1, p, want);
			bad = true;
		}
	}
	t->results = k;
	free(buf);
}

/* The survivor's summary on stderr must count what the file holds. */
static void kill_check_summary(FIXTURE_DATA(kill) *self, struct kill_trial *t)
{
	char *log = proto_read_file(self->errs, NULL), *p, *q;
	long long got = -1;

	if (!log) {
		kill_fail(t, "stderr log: %s", strerror(errno));
		return;
	}
	t->trimmed = strstr(log, "dropped a partial last line");
	if (t->kill_child) {
		t->early = strstr(log, "before attaching");
		p = strstr(log, "child was killed by signal 9");
		p = p ? strstr(p, " after ") : NULL;
		/* "after 1 line sent; F holds 1 result", or lines, results */
		q = p ? strstr(p, " holds ") : NULL;
		if (p && (!q || sscanf(p, " after %lld", &t->sent) != 1 ||
			  sscanf(q, " holds %lld", &got) != 1))
			got = -1;
		if (t->early)
			got = 0;
		else if (got >= 0 && (t->sent < got || t->sent > t->line))
			kill_fail(t, "%lld lines sent, %lld results, %u whole lines written",
				  t->sent, got, t->line);
	} else {
		t->early = strstr(log, "cannot attach");
		p = strstr(log, "child: parent went away after ");
		if (p && sscanf(p, "child: parent went away after %lld lines",
				&got) != 1)
			got = -1;
		if (t->early)
			got = 0;
	}
	if (got < 0)
		kill_fail(t, "no summary of the %s's fate on stderr: \"%.300s\"",
			  t->kill_child ? "child" : "parent", log);
	else if (got != t->results)
		kill_fail(t, "summary says %lld results, the file holds %lld: \"%.300s\"",
			  got, t->results, log);
	free(log);
}

static void kill_run_trial(FIXTURE_DATA(kill) *self, struct kill_trial *t)
{
	int fd, pfd = -1, sfd = -1;

	kill_plan(self, t);
	fd = kill_start(self, t);
	if (fd < 0)
		return;
	if (t->child < 0)
		goto out_reap;
	pfd = proto_pidfd(t->parent);
	sfd = t->kill_child ? pfd : proto_pidfd(t->child);
	if (pfd < 0 || sfd < 0) {
		kill_fail(t, "pidfd_open: %s", strerror(-(pfd < 0 ? pfd : sfd)));
		goto out_reap;
	}
	if (!kill_feed(self, t, fd, pfd))
		kill_strike(t, sfd);
out_reap:
	/* Until now the write end stayed open: no EOF to end the run. */
	close(fd);
	if (t->why[0]) {
		kill(t->parent, SIGKILL);
		if (t->child > 0)
			kill(t->child, SIGKILL);
	}
	kill_reap(t);
	if (sfd >= 0 && sfd != pfd)
		close(sfd);
	if (pfd >= 0)
		close(pfd);
	kill_check_results(self, t);
	kill_check_summary(self, t);
	if (proto_region_left(t->parent) || proto_regions(NULL) != self->regions)
		kill_fail(t, "/proc/vmshm lists %d regions after the trial, %d before (sum-%d: %s)",
			  proto_regions(NULL), self->regions, (int)t->parent,
			  proto_region_left(t->parent) ? "listed" : "gone");
}

static void kill_count(struct kill_side *s, const struct kill_trial *t)
{
	unsigned int i;

	s->trials++;
	s->lat_sum_ns += t->latency_ns;
	if (t->latency_ns > s->lat_max_ns)
		s->lat_max_ns = t->latency_ns;
	s->early += t->early;
	s->whole += t->results == t->line;
	s->trimmed += t->trimmed;
	for (i = 0; i < KILL_WCHAN_MAX; i++) {
		if (!s->wchan[i][0])
			strcpy(s->wchan[i], t->wchan);
		if (!strcmp(s->wchan[i], t->wchan)) {
			s->wchan_nr[i]++;
			break;
		}
	}
}

static void kill_report(const struct kill_side *s, const char *victim,
			const char *survivor)
{
	char sites[KILL_WCHAN_MAX * 40] = "";
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < KILL_WCHAN_MAX && s->wchan[i][0]; i++)
		n += snprintf(sites + n, sizeof(sites) - n, " %s:%u",
			      s->wchan[i], s->wchan_nr[i]);
	ksft_print_msg("%s killed %u times: %s exit latency max %" PRIu64 " ms, mean %" PRIu64 " ms; %u before attach, %u with every whole line summed, %u partial lines trimmed\n",
		       victim, s->trials, survivor, s->lat_max_ns / 1000000,
		       s->trials ? s->lat_sum_ns / s->trials / 1000000 : 0,
		       s->early, s->whole, s->trimmed);
	ksft_print_msg("  %s waiting at the kill in:%s\n", survivor, sites);
}

static void kill_trace(FIXTURE_DATA(kill) *self, const struct kill_trial *t)
{
	ksft_print_msg("trial %u: %s killed in line %u/%u (+%u us), %s in %s exited after %llu ms; %lld results%s%s\n",
		       t->nr, t->kill_child ? "child" : "parent", t->line + 1,
		       self->lines, t->delay_us,
		       t->kill_child ? "parent" : "child", t->wchan,
		       (unsigned long long)t->latency_ns / 1000000, t->results,
		       t->trimmed ? ", trimmed" : "", t->why[0] ? ", FAILED" : "");
}

TEST_F_TIMEOUT(kill, random_victim, 900)
{
	uint64_t start = vmshm_now_ns();
	unsigned int i, failed = 0;
	struct kill_trial t;

	ksft_print_msg("%u trials, up to %u lines each, seed %#" PRIx64 " (VMSHM_KILL_SEED)\n",
		       self->trials, self->lines, self->seed);
	for (i = 0; i < self->trials; i++) {
		memset(&t, 0, sizeof(t));
		t.nr = i;
		t.seed = self->seed + i * 0x632be59bd9b4e019ULL;
		t.child = -1;
		kill_run_trial(self, &t);
		kill_count(&self->side[t.kill_child], &t);
		if (self->verbose)
			kill_trace(self, &t);
		if (!t.why[0])
			continue;
		if (failed++ < KILL_LOG_MAX)
			TH_LOG("trial %u: SIGKILL to the %s after %zu bytes (in line %u), %u us later: %s",
			       i, t.kill_child ? "child" : "parent", t.cut,
			       t.line + 1, t.delay_us, t.why);
	}
	kill_report(&self->side[0], "parent", "child");
	kill_report(&self->side[1], "child", "parent");
	ksft_print_msg("%u trials in %" PRIu64 " s, %u failed\n", self->trials,
		       (vmshm_now_ns() - start) / 1000000000, failed);
	ASSERT_EQ(0, failed) {
		TH_LOG("%u of %u trials failed, seed %#" PRIx64, failed,
		       self->trials, self->seed);
	}
}

/* A results file the guard cannot cut: a memfd sealed against shrinking. */
FIXTURE(guard) {
	int memfd;
	int in;			/* the parent's stdin */
	pid_t parent;
	pid_t child;
	char path[64];
	char errs[PROTO_DIR_MAX + 32];
};

FIXTURE_SETUP(guard)
{
	proto_require();
	self->in = -1;
	self->parent = -1;
	self->child = -1;
	self->memfd = memfd_create("results", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	ASSERT_LE(0, self->memfd);
	ASSERT_EQ(0, fcntl(self->memfd, F_ADD_SEALS, F_SEAL_SHRINK));
	/* The child opens it by this name; O_TRUNC from 0 does not shrink. */
	snprintf(self->path, sizeof(self->path), "/proc/%d/fd/%d",
		 (int)getpid(), self->memfd);
	snprintf(self->errs, sizeof(self->errs), "%s/guard-stderr.%d",
		 proto_dir[0] ? proto_dir : "/tmp", getpid());
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
}

FIXTURE_TEARDOWN(guard)
{
	if (self->child > 0)
		kill(self->child, SIGKILL);
	if (self->parent > 0)
		kill(self->parent, SIGKILL);
	if (self->in >= 0)
		close(self->in);
	while (waitpid(-1, NULL, 0) > 0)
		;
	close(self->memfd);
	unlink(self->errs);
}

/* Start the parent on a pipe, results in the memfd, stderr to the log. */
static void guard_start(struct __test_metadata *_metadata,
			FIXTURE_DATA(guard) *self)
{
	int p[2], err;

	err = open(self->errs, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ASSERT_LE(0, err);
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	self->parent = fork();
	ASSERT_LE(0, self->parent);
	if (!self->parent) {
		if (dup2(p[0], STDIN_FILENO) < 0 ||
		    dup2(err, STDERR_FILENO) < 0)
			_exit(120);
		execl(proto_parent, "parent", "-o", self->path, (char *)NULL);
		_exit(121);
	}
	close(p[0]);
	close(err);
	self->in = p[1];
	self->child = proto_child_of(self->parent, KILL_START_MS);
	ASSERT_LT(0, self->child) {
		TH_LOG("parent %d started no child process", (int)self->parent);
	}
}

TEST_F(guard, cannot_cut)
{
	uint64_t end = vmshm_now_ns() + KILL_START_MS * 1000000ULL;
	char want[256], *log;
	struct stat st;
	int status;

	guard_start(_metadata, self);
	ASSERT_EQ(4, write(self->in, "1 2\n", 4));
	do {
		ASSERT_EQ(0, fstat(self->memfd, &st));
		if (st.st_size >= 2)
			break;
		usleep(1000);
	} while (vmshm_now_ns() < end);
	ASSERT_EQ(2, st.st_size);
	/* What a write cut by the kill would leave: half a line. */
	ASSERT_EQ(0, kill(self->child, SIGSTOP));
	ASSERT_EQ(2, pwrite(self->memfd, "12", 2, 2));
	ASSERT_EQ(0, kill(self->child, SIGKILL));
	self->child = -1;
	ASSERT_EQ(self->parent, waitpid(self->parent, &status, 0));
	self->parent = -1;
	log = proto_read_file(self->errs, NULL);
	ASSERT_NE(NULL, log);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) {
		TH_LOG("parent wait status %#x, want exit status 1", status);
	}
	snprintf(want, sizeof(want),
		 "child: results %s: checking for a partial last line: %s\n",
		 self->path, strerror(EPERM));
	EXPECT_NE(NULL, strstr(log, want)) {
		TH_LOG("no \"%s\" in \"%s\"", want, log);
	}
	snprintf(want, sizeof(want), "; %s holds ? results\n", self->path);
	EXPECT_NE(NULL, strstr(log, want)) {
		TH_LOG("no \"%s\" in \"%s\"", want, log);
	}
	free(log);
}

TEST_HARNESS_MAIN
