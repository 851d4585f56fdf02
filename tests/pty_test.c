// SPDX-License-Identifier: GPL-2.0
/*
 * user/sum/parent in interactive mode on a pseudo-terminal, as a user at a
 * terminal runs it: the pts is its controlling terminal and its stdin,
 * stdout and stderr.  The test types on the master side, waits for the
 * "> " prompt and reads back what the terminal shows: the echo of the
 * line, then its sum.  It ends the input with an empty line, with the
 * terminal's end-of-file character, or with its interrupt character, and
 * checks the exit status, the results file and /proc/vmshm.
 *
 * Each case runs with the parent's default spinning ring and with
 * --spin=0: either way each line, typed alone, must come back summed
 * before the next is typed, so the transport's packing of lines into
 * records may hold none back.
 *
 * The terminal keeps its default settings (canonical, echo, ONLCR), so a
 * line "1 2" shows as "1 2\r\n3\r\n> ".  Every read of the master has a
 * deadline: a program that hangs fails the test instead of stalling it.
 */
#include <sys/ioctl.h>
#include <termios.h>

#include "vmshm_proto_test.h"

#define PTY_TIMEOUT_MS	10000	/* the longest wait for any output */
#define PTY_EXIT_MS	5000	/* for the exit once the input has ended */
#define PTY_OUT_MAX	8192

struct pty_case {
	const char *line;
	const char *sum;
};

/* Lines typed at the prompt and the sums the child must send back. */
static const struct pty_case pty_cases[] = {
	{ "1 2", "3" },
	{ "-5 +2.25 0.5", "-2.25" },
	{ "1 2x 3", "error: invalid number '2x' at column 3" },
	{ "   ", "0" },
	{ "9223372036854775807 1 -1", "9223372036854775807" },
	{ "0.1 0.2", "0.3" },
};

FIXTURE(pty) {
	char results[PATH_MAX];
	int master;
	pid_t pid;		/* user/sum/parent, until reaped */
	pid_t child;		/* its child, once known */
	struct termios tio;	/* the terminal's settings, for ^C and ^D */
	char out[PTY_OUT_MAX];	/* what the terminal showed */
	size_t len;
	char esc[PTY_OUT_MAX * 4];	/* the same, escaped for messages */
};

/* Extra options of user/sum/parent (and so of its child). */
FIXTURE_VARIANT(pty) {
	const char *spin;
};

FIXTURE_VARIANT_ADD(pty, spin_default) {
	.spin = NULL,
};

FIXTURE_VARIANT_ADD(pty, no_spin) {
	.spin = "--spin=0",
};

FIXTURE_SETUP(pty)
{
	proto_require();
	self->master = -1;
	self->pid = -1;
	self->child = -1;
	snprintf(self->results, sizeof(self->results), "%s/pty-results.%d",
		 proto_dir[0] ? proto_dir : "/tmp", getpid());
	/* A child that outlives the parent comes back to us, not to init. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
}

FIXTURE_TEARDOWN(pty)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	if (self->child > 0 && !kill(self->child, SIGKILL))
		waitpid(self->child, NULL, 0);
	if (self->master >= 0)
		close(self->master);
	unlink(self->results);
}

/* In the forked process: a new session on the pts, then user/sum/parent. */
static void pty_exec(const char *pts, const char *results, const char *spin)
{
	int fd;

	if (setsid() < 0)
		_exit(120);
	fd = open(pts, O_RDWR | O_NOCTTY);
	if (fd < 0 || ioctl(fd, TIOCSCTTY, 0))
		_exit(121);
	if (dup2(fd, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0 ||
	    dup2(fd, STDERR_FILENO) < 0)
		_exit(122);
	if (fd > STDERR_FILENO)
		close(fd);
	execl(proto_parent, "parent", "-o", results, spin, (char *)NULL);
	_exit(123);
}

/* Open a pty pair and start user/sum/parent on its slave side. */
static void pty_spawn(struct __test_metadata *_metadata,
		      FIXTURE_DATA(pty) *self,
		      const FIXTURE_VARIANT(pty) *variant)
{
	char pts[64];

	self->master = posix_openpt(O_RDWR | O_NOCTTY);
	ASSERT_LE(0, self->master) {
		TH_LOG("posix_openpt: %s", strerror(errno));
	}
	ASSERT_EQ(0, fcntl(self->master, F_SETFD, FD_CLOEXEC));
	ASSERT_EQ(0, grantpt(self->master));
	ASSERT_EQ(0, unlockpt(self->master));
	ASSERT_EQ(0, ptsname_r(self->master, pts, sizeof(pts)));
	/* On Linux the master reports the slave's settings. */
	ASSERT_EQ(0, tcgetattr(self->master, &self->tio));
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		pty_exec(pts, self->results, variant->spin);
}

/*
 * Read the master into self->out (from empty) until the text ends with
 * @suffix, or with @suffix NULL until the slave side is closed by all.
 * Returns 0, -ETIMEDOUT, -ENOSPC, or -EIO: closed before @suffix came.
 */
static int pty_read_until(FIXTURE_DATA(pty) *self, const char *suffix,
			  int timeout_ms)
{
	uint64_t end = vmshm_now_ns() + timeout_ms * 1000000ULL, now;
	struct pollfd pfd = { .fd = self->master, .events = POLLIN };
	size_t slen = suffix ? strlen(suffix) : 0;
	ssize_t n;

	self->len = 0;
	self->out[0] = '\0';
	for (;;) {
		if (suffix && self->len >= slen &&
		    !memcmp(self->out + self->len - slen, suffix, slen))
			return 0;
		now = vmshm_now_ns();
		if (now >= end)
			return -ETIMEDOUT;
		if (self->len == sizeof(self->out) - 1)
			return -ENOSPC;
		if (poll(&pfd, 1, (end - now) / 1000000 + 1) <= 0)
			continue;
		n = read(self->master, self->out + self->len,
			 sizeof(self->out) - 1 - self->len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		/* Linux: EIO once no process has the slave open. */
		if (n <= 0)
			return suffix ? -EIO : 0;
		self->len += n;
		self->out[self->len] = '\0';
	}
}

/* Write @s to the terminal, as if typed. */
static void pty_type(struct __test_metadata *_metadata,
		     FIXTURE_DATA(pty) *self, const char *s, size_t len)
{
	ASSERT_EQ((ssize_t)len, write(self->master, s, len)) {
		TH_LOG("writing to the pty master: %s", strerror(errno));
	}
}

/* @s for a message: control characters as C escapes, "\r\n" readable. */
static const char *pty_esc(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	for (; *s && n + 5 < size; s++) {
		unsigned char c = *s;

		if (c == '\r' || c == '\n')
			n += snprintf(buf + n, size - n, "\\%c", c == '\r' ? 'r' : 'n');
		else if (c < 0x20 || c >= 0x7f)
			n += snprintf(buf + n, size - n, "\\x%02x", c);
		else
			buf[n++] = c;
	}
	buf[n] = '\0';
	return buf;
}

/* What the terminal showed, escaped. */
static const char *pty_shown(FIXTURE_DATA(pty) *self)
{
	return pty_esc(self->out, self->esc, sizeof(self->esc));
}

/* Wait for the prompt; the terminal must show exactly @want. */
static void pty_expect_prompt(struct __test_metadata *_metadata,
			      FIXTURE_DATA(pty) *self, const char *want)
{
	int ret = pty_read_until(self, "> ", PTY_TIMEOUT_MS);
	char e[1024];

	ASSERT_EQ(0, ret) {
		TH_LOG("no \"> \" prompt within %d ms (%s); the terminal showed \"%s\"",
		       PTY_TIMEOUT_MS, strerror(-ret), pty_shown(self));
	}
	ASSERT_EQ(0, strcmp(want, self->out)) {
		TH_LOG("the terminal showed \"%s\", want \"%s\"",
		       pty_shown(self), pty_esc(want, e, sizeof(e)));
	}
}

/* Type @c->line; the terminal must echo it, show its sum and prompt. */
static void pty_sum(struct __test_metadata *_metadata,
		    FIXTURE_DATA(pty) *self, const struct pty_case *c)
{
	char want[256], line[128];

	snprintf(line, sizeof(line), "%s\n", c->line);
	snprintf(want, sizeof(want), "%s\r\n%s\r\n> ", c->line, c->sum);
	pty_type(_metadata, self, line, strlen(line));
	pty_expect_prompt(_metadata, self, want);
}

/* Read until the slave closes; the parent must then exit within 5 s. */
static int pty_finish(struct __test_metadata *_metadata,
		      FIXTURE_DATA(pty) *self)
{
	int pidfd, status, ret;

	ret = pty_read_until(self, NULL, PTY_TIMEOUT_MS);
	EXPECT_EQ(0, ret) {
		TH_LOG("the terminal stayed open %d ms after the end of input; it showed \"%s\"",
		       PTY_TIMEOUT_MS, pty_shown(self));
	}
	pidfd = proto_pidfd(self->pid);
	ASSERT_LE(0, pidfd);
	ret = proto_wait_exit(pidfd, PTY_EXIT_MS);
	close(pidfd);
	ASSERT_EQ(0, ret) {
		TH_LOG("parent still running %d ms after the end of input (%s)",
		       PTY_EXIT_MS, strerror(-ret));
	}
	ASSERT_EQ(self->pid, waitpid(self->pid, &status, 0));
	self->pid = -1;
	ASSERT_TRUE(WIFEXITED(status)) {
		TH_LOG("parent died of signal %d; the terminal showed \"%s\"",
		       WTERMSIG(status), pty_shown(self));
	}
	return WEXITSTATUS(status);
}

/* The parent must have exited with @want. */
static void pty_expect_status(struct __test_metadata *_metadata,
			      FIXTURE_DATA(pty) *self, int status, int want)
{
	EXPECT_EQ(want, status) {
		TH_LOG("parent exit status %d, want %d; the terminal showed \"%s\"",
		       status, want, pty_shown(self));
	}
}

/* The terminal must have shown @needle somewhere. */
static void pty_expect_shown(struct __test_metadata *_metadata,
			     FIXTURE_DATA(pty) *self, const char *needle)
{
	char e[PATH_MAX + 512];

	EXPECT_NE(NULL, strstr(self->out, needle)) {
		TH_LOG("no \"%s\" in what the terminal showed: \"%s\"",
		       pty_esc(needle, e, sizeof(e)), pty_shown(self));
	}
}

/* The parent's summary line, as it shows on the terminal. */
static void pty_summary(char *buf, size_t size, FIXTURE_DATA(pty) *self,
			unsigned int lines)
{
	const char *s = lines == 1 ? "" : "s";

	snprintf(buf, size,
		 "parent: %u line%s sent, %u result%s written to %s, child exited with status 0\r\n",
		 lines, s, lines, s, self->results);
}

static void pty_expect_summary(struct __test_metadata *_metadata,
			       FIXTURE_DATA(pty) *self, unsigned int lines)
{
	char summary[PATH_MAX + 128];

	pty_summary(summary, sizeof(summary), self, lines);
	pty_expect_shown(_metadata, self, summary);
}

/* The results file must hold exactly @want; no region may be left. */
static void pty_check_results(struct __test_metadata *_metadata,
			      FIXTURE_DATA(pty) *self, pid_t parent,
			      const char *want)
{
	char *got = proto_read_file(self->results, NULL), e1[1024], e2[1024];

	ASSERT_NE(NULL, got) {
		TH_LOG("results %s: %s", self->results, strerror(errno));
	}
	EXPECT_EQ(0, strcmp(want, got)) {
		TH_LOG("results \"%s\", want \"%s\"",
		       pty_esc(got, e1, sizeof(e1)),
		       pty_esc(want, e2, sizeof(e2)));
	}
	free(got);
	EXPECT_EQ(0, proto_region_left(parent)) {
		TH_LOG("/proc/vmshm still lists region sum-%d", (int)parent);
	}
}

TEST_F(pty, sums_then_empty_line)
{
	char want[1024] = "";
	unsigned int i;
	pid_t parent;
	int status;

	pty_spawn(_metadata, self, variant);
	parent = self->pid;
	pty_expect_prompt(_metadata, self, "> ");
	for (i = 0; i < ARRAY_SIZE(pty_cases); i++) {
		pty_sum(_metadata, self, &pty_cases[i]);
		strcat(want, pty_cases[i].sum);
		strcat(want, "\n");
	}
	pty_type(_metadata, self, "\n", 1);
	status = pty_finish(_metadata, self);
	pty_expect_status(_metadata, self, status, 0);
	/* The echo of the empty line, then the summary on stderr. */
	EXPECT_EQ(0, strncmp(self->out, "\r\n", 2)) {
		TH_LOG("the terminal showed \"%s\"", pty_shown(self));
	}
	pty_expect_summary(_metadata, self, ARRAY_SIZE(pty_cases));
	pty_check_results(_metadata, self, parent, want);
}

TEST_F(pty, eof_at_prompt)
{
	pid_t parent;
	int status;
	char eof;

	pty_spawn(_metadata, self, variant);
	eof = self->tio.c_cc[VEOF];
	parent = self->pid;
	pty_expect_prompt(_metadata, self, "> ");
	pty_sum(_metadata, self, &pty_cases[0]);
	pty_sum(_metadata, self, &pty_cases[2]);
	pty_type(_metadata, self, &eof, 1);
	status = pty_finish(_metadata, self);
	pty_expect_status(_metadata, self, status, 0);
	pty_expect_summary(_metadata, self, 2);
	pty_check_results(_metadata, self, parent,
			  "3\nerror: invalid number '2x' at column 3\n");
}

/*
 * ^D inside a line hands over the line without its newline, and no prompt
 * follows; the second ^D is the end of file, which ends the line.
 */
TEST_F(pty, eof_inside_line)
{
	char eof, summary[PATH_MAX + 128], want[PATH_MAX + 256], e[1024];
	pid_t parent;
	int status;

	pty_spawn(_metadata, self, variant);
	eof = self->tio.c_cc[VEOF];
	parent = self->pid;
	pty_expect_prompt(_metadata, self, "> ");
	pty_type(_metadata, self, "4 5", 3);
	pty_type(_metadata, self, &eof, 1);
	pty_type(_metadata, self, &eof, 1);
	status = pty_finish(_metadata, self);
	pty_expect_status(_metadata, self, status, 0);
	pty_summary(summary, sizeof(summary), self, 1);
	/* No newline was echoed: the parent starts a line for the sum. */
	snprintf(want, sizeof(want), "4 5\r\n9\r\n%s", summary);
	EXPECT_EQ(0, strcmp(want, self->out)) {
		TH_LOG("the terminal showed \"%s\", want \"%s\"",
		       pty_shown(self), pty_esc(want, e, sizeof(e)));
	}
	pty_check_results(_metadata, self, parent, "9\n");
}

/*
 * ^C at the prompt: the terminal sends SIGINT to its foreground process
 * group, the parent and the child.  The child ignores it; the parent ends
 * the stream, the child sums what it has and exits, and the parent exits
 * 128 + SIGINT once it has reaped the child.
 */
TEST_F(pty, sigint_at_prompt)
{
	pid_t parent, child;
	int status;
	char intr;

	pty_spawn(_metadata, self, variant);
	intr = self->tio.c_cc[VINTR];
	parent = self->pid;
	pty_expect_prompt(_metadata, self, "> ");
	child = proto_child_of(parent, PTY_TIMEOUT_MS);
	ASSERT_LT(0, child) {
		TH_LOG("parent %d started no child process", (int)parent);
	}
	self->child = child;
	pty_sum(_metadata, self, &pty_cases[0]);
	pty_sum(_metadata, self, &pty_cases[1]);
	pty_type(_metadata, self, &intr, 1);
	status = pty_finish(_metadata, self);
	pty_expect_status(_metadata, self, status, 128 + SIGINT);
	EXPECT_TRUE(kill(child, 0) && errno == ESRCH) {
		TH_LOG("child %d still exists after the parent exited",
		       (int)child);
	}
	self->child = -1;
	pty_expect_summary(_metadata, self, 2);
	pty_expect_shown(_metadata, self, "parent: stopped by signal 2\r\n");
	pty_check_results(_metadata, self, parent, "3\n-2.25\n");
}

TEST_HARNESS_MAIN
