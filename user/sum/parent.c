// SPDX-License-Identifier: GPL-2.0
/*
 * parent: read lines from stdin and have the child sum them through
 * shared memory.
 *
 * The parent creates a channel named "sum-<pid>" (a transient vmshm region
 * by default, so a crash leaves nothing behind), starts the child binary
 * that sits next to its own, and sends it every line until an empty line
 * or end of file.  On a terminal it prompts with "> " and prints each sum
 * as the child sends it back (interactive mode); otherwise lines stream
 * through the ring with no round trip per line.
 *
 * The child owns the results file: the parent passes its name and learns
 * from the channel how many results the child wrote (struct xport_status),
 * once the ready pipe has reached end of file, that is once the child and
 * its guard are done with the file.
 *
 * The child's death is noticed without timers: EPOLLHUP on the vmshm fd
 * while waiting for input, -EPIPE from VMSHM_WAIT while waiting for ring
 * space or a result.  (The posix-flags and futex transports have no such
 * signal: there the parent checks the child with waitpid(WNOHANG) where it
 * polls, and SIGCHLD wakes it from poll().)
 *
 * SIGINT or SIGTERM stops reading: what was sent is summed, then both
 * exit.  A second one aborts the waits and passes SIGTERM to the child.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/vmshm.h>

#include "exe.h"
#include "libvmshm.h"
#include "sum.h"
#include "util.h"
#include "xport.h"

#define DEFAULT_RESULTS		"results.txt"
#define DEFAULT_REGION_SIZE	(1024ULL * 1024)
#define IN_BUF_SIZE		65536
#define CHILD_READY_FD		3

enum parent_mode { MODE_AUTO, MODE_STREAM, MODE_INTERACTIVE };

struct parent {
	const char *out_path;
	const char *kind;
	uint64_t region_size;
	unsigned long spin;
	bool lazy;
	enum parent_mode mode;
	bool interactive;
	bool tty;
	char name[VMSHM_NAME_MAX];
	int ready_fd;
	struct xport *x;
	pid_t child;
	int status;
	bool reaped;
	unsigned long long lines;
	bool mid_line;
	size_t rest;
	char buf[IN_BUF_SIZE];
};

/* stop_sig: first SIGINT/SIGTERM; abort_sig: the second one. */
static volatile sig_atomic_t stop_sig, abort_sig;
static int sig_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	int saved = errno;
	ssize_t n;

	if (sig != SIGCHLD) {
		if (stop_sig)
			abort_sig = sig;
		stop_sig = sig;
	}
	/* Wakes poll() even if the signal came just before it. */
	n = write(sig_pipe[1], "", 1);
	(void)n;	/* a full pipe already wakes it */
	errno = saved;
}

static int setup_signals(void)
{
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	if (set_handler(SIGINT, on_signal) || set_handler(SIGTERM, on_signal) ||
	    set_handler(SIGPIPE, SIG_IGN))
		return -errno;
	return 0;
}

/* peer_alive for transports without peer-gone; reaps the child. */
static bool child_alive(void *arg)
{
	struct parent *p = arg;
	pid_t r;

	if (!p->child)
		return true;
	if (p->reaped)
		return false;
	r = waitpid(p->child, &p->status, WNOHANG);
	if (r == p->child)
		p->reaped = true;
	return r == 0;
}

static int print_out(const char *buf, size_t len)
{
	int ret = write_all(STDOUT_FILENO, buf, len);

	if (ret) {
		err_msg("stdout: %s", strerror(-ret));
		return -EIO;
	}
	return 0;
}

/* Interactive: print the result of the line just sent. */
static int show_result(struct parent *p)
{
	struct xport_piece pc;
	int ret, done;

	ret = p->x->ops->flush(p->x);
	while (!ret) {
		ret = p->x->ops->recv(p->x, &pc, 0);
		if (ret)
			break;
		ret = print_out(pc.data, pc.len);
		if (!ret && pc.eol)
			ret = print_out("\n", 1);
		done = p->x->ops->recv_done(p->x);
		if (!ret)
			ret = done;
		if (!ret && pc.eol)
			return 0;
	}
	return ret == XPORT_EOF ? -EPROTO : ret;
}

/*
 * Send the lines in @buf; -EINTR once stopped, or 1 at an empty line, with
 * @p->rest set to the number of bytes of @buf after it.
 */
static int send_lines(struct parent *p, const char *buf, size_t len)
{
	int ret;

	while (len) {
		const char *nl;
		uint64_t lines = 0;
		ssize_t run = 0;
		size_t n;

		if (stop_sig && !p->mid_line)
			return -EINTR;
		/*
		 * Streaming, when the transport packs lines: the lines up to
		 * an empty or unfinished one, at once.
		 */
		if (!p->interactive && !p->mid_line && p->x->ops->send_lines)
			run = xport_send_lines(p->x, buf, len, &lines);
		p->lines += lines;
		if (run < 0)
			return run;
		if (run) {
			buf += run;
			len -= run;
			continue;
		}
		nl = memchr(buf, '\n', len);
		n = nl ? (size_t)(nl - buf) : len;
		if (nl && !n && !p->mid_line) {
			p->rest = len - 1;
			return 1;
		}
		ret = p->x->ops->send(p->x, buf, n, nl);
		if (ret)
			return ret;
		p->mid_line = !nl;
		if (!nl)
			return 0;
		p->lines++;
		if (p->interactive) {
			ret = show_result(p);
			if (ret)
				return ret;
		}
		buf += n + 1;
		len -= n + 1;
	}
	return 0;
}

/* Wait until stdin is readable; -EPIPE once the child has gone. */
static int wait_input(struct parent *p)
{
	struct pollfd pfd[3] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = p->x->poll_fd, .events = 0 },	/* EPOLLHUP only */
		{ .fd = sig_pipe[0], .events = POLLIN },
	};
	char drain[16];

	for (;;) {
		if (stop_sig)
			return -EINTR;
		if (p->x->poll_fd < 0 && !child_alive(p))
			return -EPIPE;
		if (poll(pfd, ARRAY_SIZE(pfd), -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		while (pfd[2].revents && read(sig_pipe[0], drain, sizeof(drain)) > 0)
			;
		if (pfd[1].revents & (POLLHUP | POLLERR))
			return -EPIPE;
		if (pfd[0].revents)
			return 0;
	}
}

/* Count the lines of @buf that are not empty; @mid: inside one. */
static unsigned long long count_lines(const char *buf, size_t len, bool *mid)
{
	unsigned long long n = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] != '\n') {
			*mid = true;
		} else if (*mid) {
			n++;
			*mid = false;
		}
	}
	return n;
}

/*
 * An empty line ended the input: say how many lines after it are left
 * unread.  Unless stdin is a terminal, where an empty line is how the user
 * ends the input, that means reading it to its end.  Empty lines after the
 * first one are not counted.
 */
static void warn_unread(struct parent *p, const char *rest, size_t len)
{
	unsigned long long n;
	bool mid = false;
	ssize_t r;

	n = count_lines(rest, len, &mid);
	while (!p->tty && !stop_sig) {
		r = read(STDIN_FILENO, p->buf, sizeof(p->buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += count_lines(p->buf, r, &mid);
	}
	n += mid;
	if (n)
		info_msg("warning: an empty line ended the input; %llu more %s left unread",
			 n, plural(n, "line was", "lines were"));
}

/*
 * Read stdin and send every line.  Return: 0 at an empty line or end of
 * file, -EINTR when stopped by a signal, -EPIPE when the child has gone,
 * or another -errno.
 */
static int read_input(struct parent *p)
{
	ssize_t n;
	int ret;

	for (;;) {
		if (p->interactive && p->tty && !p->mid_line) {
			ret = print_out("> ", 2);
			if (ret)
				return ret;
		}
		ret = wait_input(p);
		if (ret)
			return ret;
		n = read(STDIN_FILENO, p->buf, sizeof(p->buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_msg("stdin: %s", strerror(errno));
			return -EIO;
		}
		/*
		 * At end of file, a last line without '\n' still counts.  The
		 * terminal echoed no newline: put the sum on a line of its own.
		 */
		if (!n && p->mid_line && p->interactive && p->tty) {
			ret = print_out("\n", 1);
			if (ret)
				return ret;
		}
		if (!n)
			return p->mid_line ? send_lines(p, "\n", 1) : 0;
		ret = send_lines(p, p->buf, n);
		if (ret > 0)
			warn_unread(p, p->buf + n - p->rest, p->rest);
		if (ret)
			return ret > 0 ? 0 : ret;
		ret = p->x->ops->flush(p->x);
		if (ret)
			return ret;
	}
}

/*
 * The child binary sits next to ours: "vmshm-child" where make install put
 * the programs, "child" in the build tree.  On -ENOENT @buf holds the
 * directory searched.
 */
static const char *const child_names[] = { "vmshm-child", "child" };

static int child_path(char *buf, size_t size)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(child_names); i++) {
		ret = vmshm_exe_relpath(buf, size, child_names[i]);
		if (ret)
			return ret;
		if (!access(buf, X_OK))
			return 0;
	}
	ret = vmshm_exe_relpath(buf, size, "");
	return ret ?: -ENOENT;
}

struct child_args {
	char exe[PATH_MAX];
	char transport[64];
	char spin[32];
	char ready[32];
	char *argv[14];
};

static int child_args(struct parent *p, struct child_args *a)
{
	int n = 0, ret;

	ret = child_path(a->exe, sizeof(a->exe));
	if (ret) {
		if (ret == -ENOENT)
			err_msg("no executable vmshm-child or child in %s", a->exe);
		else
			err_msg("cannot locate the child binary via /proc/self/exe: %s",
				strerror(-ret));
		return ret;
	}
	snprintf(a->transport, sizeof(a->transport), "--transport=%s", p->kind);
	snprintf(a->spin, sizeof(a->spin), "--spin=%lu", p->spin);
	snprintf(a->ready, sizeof(a->ready), "--ready-fd=%d", CHILD_READY_FD);
	a->argv[n++] = a->exe;
	a->argv[n++] = a->transport;
	a->argv[n++] = a->spin;
	a->argv[n++] = a->ready;
	if (p->interactive)
		a->argv[n++] = (char *)"--interactive";
	if (p->lazy)
		a->argv[n++] = (char *)"--lazy";
	if (verbosity)
		a->argv[n++] = (char *)(verbosity < 0 ? "-q" : "-v");
	a->argv[n++] = (char *)"-o";
	a->argv[n++] = (char *)p->out_path;
	a->argv[n++] = p->name;
	a->argv[n] = NULL;
	return 0;
}

/* In the forked process: the ready pipe on fd 3. */
static void exec_child(struct child_args *a, int ready)
{
	if (dup2(ready, CHILD_READY_FD) < 0 ||
	    fcntl(CHILD_READY_FD, F_SETFD, 0) < 0) {
		err_msg("child setup: %s", strerror(errno));
		_exit(127);
	}
	execv(a->exe, a->argv);
	err_msg("cannot run %s: %s", a->exe, strerror(errno));
	_exit(127);
}

/* The child writes one byte once attached; EOF means it died first. */
static int wait_ready(int fd)
{
	char c;

	for (;;) {
		ssize_t n = read(fd, &c, 1);

		if (n == 1)
			return 0;
		if (!n)
			return -EPIPE;
		if (errno != EINTR)
			return -errno;
		if (abort_sig)
			return -EINTR;
	}
}

static int spawn_child(struct parent *p)
{
	struct child_args a;
	int ready[2], ret;

	ret = child_args(p, &a);
	if (ret)
		return ret;
	if (pipe2(ready, O_CLOEXEC)) {
		ret = -errno;
		err_msg("ready pipe: %s", strerror(errno));
		return ret;
	}
	p->child = fork();
	if (!p->child)
		exec_child(&a, ready[1]);
	ret = p->child < 0 ? -errno : 0;
	close(ready[1]);
	if (!ret)
		ret = wait_ready(ready[0]);
	/* Kept: its end of file says the child's side is done. */
	p->ready_fd = ready[0];
	if (p->child < 0) {
		p->child = 0;
		err_msg("fork: %s", strerror(-ret));
	} else if (ret && ret != -EPIPE) {
		err_msg("waiting for the child to attach to %s: %s", p->name,
			strerror(-ret));
	}
	return ret;
}

static void wait_child(struct parent *p)
{
	bool forwarded = false;
	pid_t r;

	while (p->child && !p->reaped) {
		if (abort_sig && !forwarded) {
			kill(p->child, SIGTERM);
			forwarded = true;
		}
		r = waitpid(p->child, &p->status, 0);
		if (r == p->child) {
			p->reaped = true;
		} else if (r < 0 && errno != EINTR) {
			err_msg("waitpid %d: %s", (int)p->child, strerror(errno));
			return;
		}
	}
}

/*
 * Wait for end of file on the ready pipe: the child's guard has finished
 * the account of a child that died.  A second signal stops the wait.
 */
static void wait_account(struct parent *p)
{
	char c;
	ssize_t n;

	while (p->ready_fd >= 0) {
		n = read(p->ready_fd, &c, 1);
		if (n > 0 || (n < 0 && errno == EINTR && !abort_sig))
			continue;
		close(p->ready_fd);
		p->ready_fd = -1;
	}
}

static void describe_status(const struct parent *p, char *buf, size_t size)
{
	if (!p->reaped)
		snprintf(buf, size, "was not reaped");
	else if (WIFEXITED(p->status))
		snprintf(buf, size, "exited with status %d",
			 WEXITSTATUS(p->status));
	else if (WIFSIGNALED(p->status))
		snprintf(buf, size, "was killed by signal %d (%s)",
			 WTERMSIG(p->status), strsignal(WTERMSIG(p->status)));
	else
		snprintf(buf, size, "ended with wait status %#x", p->status);
}

/* The child never attached: end the channel, reap it, say how it ended. */
static void spawn_failed(struct parent *p, int err)
{
	char st[96];

	p->x->ops->close(p->x);
	wait_child(p);
	if (err != -EPIPE || !p->child)
		return;
	describe_status(p, st, sizeof(st));
	err_msg("child %s before attaching to %s", st, p->name);
}

/*
 * The child's account of the results file: -1 if it gave none (both the
 * child and its guard were killed) or a corrupt one.
 */
static long long child_results(struct parent *p)
{
	struct xport_status st;

	if (xport_get_status(p->x, &st))
		return -1;
	verbose_msg("child summed %llu %s", (unsigned long long)st.lines,
		    plural(st.lines, "line", "lines"));
	if (st.state == XPORT_RUNNING)
		return -1;
	if (st.state == XPORT_RECOVERED)
		verbose_msg("the child's guard counted the results");
	return st.results > LLONG_MAX ? -1 : (long long)st.results;
}

/* Print the summary; returns the exit status. */
static int report(struct parent *p, int ret)
{
	bool child_ok = p->reaped && WIFEXITED(p->status) &&
			!WEXITSTATUS(p->status);
	long long results = child_results(p);
	const char *lines = plural(p->lines, "line", "lines");
	const char *res_noun = plural(results, "result", "results");
	char st[96], res[32] = "?";

	describe_status(p, st, sizeof(st));
	if (results >= 0)
		snprintf(res, sizeof(res), "%lld", results);
	if (!child_ok || ret == -EPIPE) {
		err_msg("child %s after %llu %s sent; %s holds %s %s",
			st, p->lines, lines, p->out_path, res, res_noun);
		return 1;
	}
	if (results >= 0 && results != (long long)p->lines) {
		err_msg("%llu %s sent but %s holds %s %s", p->lines, lines,
			p->out_path, res, res_noun);
		return 1;
	}
	info_msg("%llu %s sent, %s %s written to %s, child %s",
		 p->lines, lines, res, res_noun, p->out_path, st);
	if (stop_sig) {
		info_msg("stopped by signal %d", (int)stop_sig);
		return 128 + stop_sig;
	}
	return ret ? 1 : 0;
}

/* End the stream, wait for the child, report; returns the exit status. */
static int finish(struct parent *p, int ret)
{
	char stats[256];
	int err;

	if (ret && ret != -EPIPE && ret != -EINTR && ret != -EIO)
		err_msg("channel %s: %s", p->name, strerror(-ret));
	if (ret != -EPIPE) {
		err = p->x->ops->close(p->x);
		if (err == -EPIPE)
			ret = err;
	}
	wait_child(p);
	wait_account(p);
	p->x->ops->stats(p->x, stats, sizeof(stats));
	verbose_msg("%s", stats);
	return report(p, ret);
}

static void channel_error(const struct parent *p, int err)
{
	const char *hint = "";

	if (strcmp(p->kind, "vmshm"))
		hint = " (shm_open needs a tmpfs mounted at /dev/shm)";
	else if (err == -ENOENT)
		hint = " (" VMSHM_DEVICE " missing: is vmshm.ko loaded?)";
	else if (err == -EFBIG)
		hint = " (larger than the max_region_size module parameter)";
	else if (err == -ENOSPC)
		hint = " (max_regions or max_total_pages reached)";
	err_msg("cannot create %s channel %s of %llu bytes: %s%s", p->kind,
		p->name, (unsigned long long)p->region_size, strerror(-err),
		hint);
}

static int create_channel(struct parent *p)
{
	struct xport_cfg cfg = {
		.kind = p->kind,
		.name = p->name,
		.region_size = p->region_size,
		.spin = p->spin,
		.lazy = p->lazy,
		.peer_alive = child_alive,
		.peer_arg = p,
		.stop = &abort_sig,
	};
	int ret;

	snprintf(p->name, sizeof(p->name), "sum-%d", (int)getpid());
	ret = xport_create(&cfg, &p->x);
	if (ret) {
		channel_error(p, ret);
		return ret;
	}
	/* Without EPOLLHUP, SIGCHLD is what wakes wait_input(). */
	if (p->x->poll_fd < 0)
		set_handler(SIGCHLD, on_signal);
	verbose_msg("%s channel %s, %llu bytes, %s mode%s", p->kind, p->name,
		    (unsigned long long)p->x->size,
		    p->interactive ? "interactive" : "streaming",
		    p->lazy ? ", pages faulted in on first touch" : "");
	return 0;
}

static const char usage_text[] =
	"Usage: %s [options] < numbers\n"
	"Read lines of numbers from stdin until an empty line or end of file; a\n"
	"child process sums each line and writes one result line per input line,\n"
	"in order, to the results file.  Lines go to the child through shared\n"
	"memory.  On a terminal, each sum is also printed after its line.\n"
	"\n"
	"  -o, --output=FILE       results file (default ./" DEFAULT_RESULTS ")\n"
	"      --region-size=SIZE  shared region size, K/M/G suffixes (default 1M)\n"
	"      --transport=KIND    vmshm: rings in a /dev/vmshm region (default);\n"
	"                          posix-flags: the lab's shm_open struct and\n"
	"                          data_ready flag polled every 1 ms (needs a tmpfs\n"
	"                          at /dev/shm); futex: rings in POSIX shm with\n"
	"                          futex waits, for testing without the module\n"
	"      --interactive       print each sum (default when stdin is a tty)\n"
	"      --stream            do not wait for sums (default otherwise)\n"
	"      --spin=N            ring transports: poll up to N times before\n"
	"                          sleeping, while the child runs on another CPU;\n"
	"                          on ours, yield to it (default %u; 0: never)\n"
	"      --lazy              ring transports: let the channel's pages fault\n"
	"                          in on first touch (demand paging), not all at\n"
	"                          set-up; /proc/vmshm then shows only those used\n"
	"  -q, --quiet             no summary unless something failed\n"
	"  -v, --verbose           channel details and transport counters\n"
	"  -h, --help              this text\n"
	"\n"
	"The summary goes to stderr.  Exit status: 0 when every line was summed,\n"
	"1 on failure (e.g. the child died), 128+N after signal N stopped it.\n"
	"\n%s";

static void usage(FILE *f)
{
	fprintf(f, usage_text, prog_name, XPORT_SPIN_DEFAULT, sum_grammar_help);
}

static const struct option parent_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "region-size", required_argument, NULL, 'R' },
	{ "transport", required_argument, NULL, 'T' },
	{ "interactive", no_argument, NULL, 'I' },
	{ "stream", no_argument, NULL, 'S' },
	{ "spin", required_argument, NULL, 'P' },
	{ "lazy", no_argument, NULL, 'L' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ }
};

static int parse_opt(void *arg, int opt)
{
	struct parent *p = arg;

	switch (opt) {
	case 'o':
		p->out_path = optarg;
		return 0;
	case 'R':
		return parse_size(optarg, &p->region_size);
	case 'T':
		p->kind = optarg;
		return xport_kind_valid(optarg) ? 0 : -EINVAL;
	case 'I':
	case 'S':
		p->mode = opt == 'I' ? MODE_INTERACTIVE : MODE_STREAM;
		return 0;
	case 'P':
		return parse_uint(optarg, 1UL << 30, &p->spin);
	case 'L':
		p->lazy = true;
		return 0;
	}
	return -EINVAL;
}

static const char *opt_want(int opt)
{
	switch (opt) {
	case 'o':
		return "a file name";
	case 'R':
		return "a size in bytes with an optional K, M or G suffix, such as 64K";
	case 'T':
		return "one of " XPORT_KINDS;
	case 'P':
		return "a number of polls from 0 to 1073741824";
	}
	return "no value";
}

static int parse_args(struct parent *p, int argc, char **argv)
{
	int first = parse_cmdline(argc, argv, "o:qvh", parent_opts, parse_opt,
				  opt_want, p, usage);

	if (first < 0)
		return first;
	if (first != argc) {
		err_msg("unexpected argument '%s': the parent reads the numbers from standard input (parent < %s)",
			argv[first], argv[first]);
		return -EINVAL;
	}
	p->tty = isatty(STDIN_FILENO);
	p->interactive = p->mode == MODE_AUTO ? p->tty :
			 p->mode == MODE_INTERACTIVE;
	return 0;
}

int main(int argc, char **argv)
{
	static struct parent p = {
		.out_path = DEFAULT_RESULTS,
		.kind = "vmshm",
		.region_size = DEFAULT_REGION_SIZE,
		.spin = XPORT_SPIN_DEFAULT,
		.ready_fd = -1,
	};
	int ret, status = 1;

	prog_name = "parent";
	if (parse_args(&p, argc, argv))
		return 2;
	ret = setup_signals();
	if (ret) {
		err_msg("signal setup: %s", strerror(-ret));
		return 1;
	}
	if (create_channel(&p))
		return 1;
	ret = spawn_child(&p);
	if (ret) {
		spawn_failed(&p, ret);
		goto err_destroy_channel;
	}
	ret = p.x->ops->peer_ready(p.x);
	if (ret)
		err_msg("channel %s: %s", p.name, strerror(-ret));
	ret = read_input(&p);
	status = finish(&p, ret);

err_destroy_channel:
	if (p.ready_fd >= 0)
		close(p.ready_fd);
	p.x->ops->destroy(p.x);
	return status;
}
