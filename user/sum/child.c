// SPDX-License-Identifier: GPL-2.0
/*
 * child: receive lines from the parent, write one result line per line.
 *
 * Started by the parent, which passes the channel name and the results
 * file (-o).  The child owns that file from open to close: it creates and
 * truncates it, writes it, and keeps its account (struct xport_status) in
 * the channel, where the parent reads how many results it holds.
 *
 * Only whole lines are written, but a write() can still end inside a
 * line: short on an error, or cut by SIGKILL, which the kernel checks
 * between the pages of a write.  After a write error the child cuts the
 * partial line itself.  For its own death it forks a guard once attached:
 * a process that waits for the child to go and, if the child did not say
 * it had finished, counts the whole lines of the file, cuts a partial one
 * and gives the account in the child's place.  The guard holds the ready
 * fd, so the parent sees its end of file only once the guard is done.
 *
 * Stopping: end of stream from the parent ends the run normally.  When
 * the parent goes away (-EPIPE from the transport, or SIGTERM through
 * PR_SET_PDEATHSIG), and on SIGTERM or SIGHUP, the child finishes the
 * lines already received, flushes and exits.  SIGINT is ignored: on a
 * terminal's Ctrl-C the parent ends the stream, and the child drains it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sum.h"
#include "util.h"
#include "xport.h"

#define OUT_BUF_SIZE	65536

/* The results file, and what the child knows it holds. */
struct outbuf {
	int fd;
	int err;		/* the first write error; no write after it */
	uint64_t off;		/* bytes of whole lines in the file */
	uint64_t lines;		/* how many lines */
	size_t len;
	uint64_t nl;		/* lines in @buf */
	char buf[OUT_BUF_SIZE];
};

struct child {
	const char *kind;
	const char *name;
	const char *out_path;
	bool interactive;
	unsigned long spin;
	bool lazy;
	unsigned long ready_fd;
	pid_t ppid;
	struct xport *x;
	struct sum_state sum;
	unsigned long long lines;
	unsigned long long errors;
	bool mid_line;
	struct outbuf out;
	bool counted;
	pid_t guard;
	int guard_fd;
};

static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
	stop_sig = sig;
}

/*
 * Count the whole lines the file holds past the last whole write (with
 * @all, from its start), and cut a partial one after them.  Return: 1 if
 * a partial line was cut, 0 if none (or the output is not a regular file,
 * which cannot be checked), or -errno.  Clobbers the buffer.
 */
static int out_trim(struct outbuf *o, bool all)
{
	uint64_t off, end;
	struct stat st;
	ssize_t n, i;

	if (fstat(o->fd, &st) || !S_ISREG(st.st_mode))
		return 0;
	/* Shorter than written: someone else cut it. */
	if (all || (uint64_t)st.st_size < o->off) {
		o->off = 0;
		o->lines = 0;
	}
	off = o->off;
	end = off;
	while ((n = pread(o->fd, o->buf, sizeof(o->buf), off)) > 0) {
		for (i = 0; i < n; i++) {
			if (o->buf[i] == '\n') {
				o->lines++;
				end = off + i + 1;
			}
		}
		off += n;
	}
	o->len = 0;
	o->nl = 0;
	o->off = end;
	if (n < 0)
		return -errno;
	if (off == end)
		return 0;
	return ftruncate(o->fd, end) ? -errno : 1;
}

/* Only whole lines are in the buffer; account for them once written. */
static int out_flush(struct outbuf *o)
{
	int ret;

	if (o->err)
		return o->err;
	ret = write_all(o->fd, o->buf, o->len);
	if (ret) {
		o->err = ret;
		return ret;
	}
	o->off += o->len;
	o->lines += o->nl;
	o->len = 0;
	o->nl = 0;
	return 0;
}

static bool out_room(const struct outbuf *o, size_t n)
{
	return o->len + n + 1 <= sizeof(o->buf);
}

/* Only whole lines enter the buffer, so a write never splits one. */
static void out_line(struct outbuf *o, const char *s, size_t n)
{
	memcpy(o->buf + o->len, s, n);
	o->buf[o->len + n] = '\n';
	o->len += n + 1;
	o->nl++;
}

/* Cut what a failed write or a killed child left; 0 if the count holds. */
static int trim_results(struct child *c, bool all)
{
	int ret = out_trim(&c->out, all);

	if (ret > 0)
		info_msg("dropped a partial last line from %s", c->out_path);
	else if (ret < 0)
		err_msg("results %s: checking for a partial last line: %s",
			c->out_path, strerror(-ret));
	return ret < 0 ? ret : 0;
}

static void publish(struct child *c, unsigned long long lines,
		    enum xport_state state)
{
	struct xport_status st = {
		.lines = lines,
		.results = c->out.lines,
		.state = state,
	};

	xport_set_status(c->x, &st);
}

/* Write the buffered results; on the first error, say so and trim. */
static int flush_results(struct child *c)
{
	bool first = !c->out.err;
	int ret = out_flush(&c->out);

	if (ret && first) {
		err_msg("results %s: %s", c->out_path, strerror(-ret));
		c->counted = !trim_results(c, false);
	}
	publish(c, c->lines, XPORT_RUNNING);
	return ret;
}

static int send_result(struct child *c, const char *res, size_t n)
{
	int ret = c->x->ops->send(c->x, res, n, true);

	if (!ret)
		ret = c->x->ops->flush(c->x);
	if (ret && ret != -EPIPE)
		err_msg("channel %s: sending result %llu: %s", c->name,
			c->lines, strerror(-ret));
	return ret;
}

static int line_done(struct child *c)
{
	char res[SUM_RESULT_MAX];
	size_t n = sum_result(&c->sum, res, sizeof(res));
	int ret;

	c->lines++;
	if (res[0] == 'e')
		c->errors++;
	if (!out_room(&c->out, n)) {
		ret = flush_results(c);
		if (ret)
			return ret;
	}
	out_line(&c->out, res, n);
	if (!c->interactive)
		return 0;
	ret = flush_results(c);
	return ret ? ret : send_result(c, res, n);
}

/*
 * Take what is there first; flush results before sleeping for more.  Once
 * a stop signal came (even in the middle of the wait), finish what has
 * arrived and wait for nothing more.
 */
static int next_piece(struct child *c, struct xport_piece *p)
{
	int ret;

	for (;;) {
		ret = c->x->ops->recv(c->x, p, XPORT_NOWAIT | XPORT_LINES);
		if (ret != -EAGAIN)
			return ret;
		if (stop_sig)
			return -EINTR;
		ret = flush_results(c);
		if (ret)
			return ret;
		ret = c->x->ops->recv(c->x, p, XPORT_LINES);
		if (ret != -EINTR)
			return ret;
	}
}

/*
 * Sum every line of a piece of whole lines, then release it.  The parent
 * found where each ends: that is the one pass over the bytes it saves us.
 */
static int run_lines(struct child *c, const struct xport_piece *p)
{
	const char *s = p->data;
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < p->nlines; s += p->lens[i++]) {
		sum_feed(&c->sum, s, p->lens[i] - 1);
		ret = line_done(c);
	}
	return ret ? ret : c->x->ops->recv_done(c->x);
}

/* Return: XPORT_EOF at the end of the stream, else a -errno. */
static int run(struct child *c)
{
	struct xport_piece p;
	int ret;

	sum_init(&c->sum);
	for (;;) {
		ret = next_piece(c, &p);
		if (ret)
			return ret;
		if (p.lines) {
			ret = run_lines(c, &p);
			if (ret)
				return ret;
			continue;
		}
		sum_feed(&c->sum, p.data, p.len);
		c->mid_line = !p.eol;
		ret = c->x->ops->recv_done(c->x);
		if (!ret && p.eol)
			ret = line_done(c);
		if (ret)
			return ret;
	}
}

static bool parent_alive(void *arg)
{
	struct child *c = arg;

	return getppid() == c->ppid;
}

/* Tell the parent we are attached: one byte, then EOF. */
static void signal_ready(struct child *c)
{
	int fd = c->ready_fd, ret;

	if (!fd)
		return;
	ret = write_all(fd, "R", 1);
	if (ret)
		err_msg("ready fd %d: %s", fd, strerror(-ret));
	close(fd);
}

/* Report how the run ended; returns the exit status. */
static int finish(struct child *c, int ret)
{
	const char *lines = plural(c->lines, "line", "lines");
	char stats[256];

	if (c->mid_line)
		info_msg("input ended inside line %llu; dropped it",
			 c->lines + 1);
	c->x->ops->stats(c->x, stats, sizeof(stats));
	verbose_msg("%llu %s, %llu %s; %s", c->lines, lines, c->errors,
		    plural(c->errors, "error", "errors"), stats);
	if (ret == XPORT_EOF)
		return 0;
	if (ret == -EPIPE || (ret == -EINTR && !parent_alive(c))) {
		err_msg("parent went away after %llu %s", c->lines, lines);
		return 1;
	}
	if (ret == -EINTR) {
		info_msg("stopped by signal %d after %llu %s", (int)stop_sig,
			 c->lines, lines);
		return 128 + stop_sig;
	}
	if (ret == -EBADMSG || ret == -EPROTO)
		err_msg("channel %s: corrupt data after %llu %s", c->name,
			c->lines, lines);
	return 1;
}

static const char usage_text[] =
	"Usage: %s [options] NAME\n"
	"Sum the lines the parent sends through channel NAME; write one result\n"
	"line per input line, in order, to stdout (or -o FILE).  Normally started\n"
	"by parent, not by hand.\n"
	"\n"
	"  -o, --output=FILE     write results to FILE instead of stdout\n"
	"      --transport=KIND  " XPORT_KINDS " (default vmshm)\n"
	"      --interactive     also send each result back to the parent\n"
	"      --spin=N          ring transports: poll up to N times before\n"
	"                        sleeping, while the parent runs on another CPU;\n"
	"                        on ours, yield to it (default %u; 0: never)\n"
	"      --lazy            ring transports: let the channel's pages fault in\n"
	"                        on first touch, not all at attach\n"
	"      --ready-fd=FD     write one byte to FD once attached, then close it;\n"
	"                        FD reaches end of file once the results are final\n"
	"  -q, --quiet           only errors on stderr\n"
	"  -v, --verbose         transport counters on stderr at the end\n"
	"  -h, --help            this text\n"
	"\n%s";

static void usage(FILE *f)
{
	fprintf(f, usage_text, prog_name, XPORT_SPIN_DEFAULT, sum_grammar_help);
}

static const struct option child_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "transport", required_argument, NULL, 'T' },
	{ "interactive", no_argument, NULL, 'I' },
	{ "spin", required_argument, NULL, 'S' },
	{ "lazy", no_argument, NULL, 'L' },
	{ "ready-fd", required_argument, NULL, 'R' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ }
};

static int parse_opt(void *arg, int opt)
{
	struct child *c = arg;

	switch (opt) {
	case 'o':
		c->out_path = optarg;
		return 0;
	case 'T':
		c->kind = optarg;
		return xport_kind_valid(optarg) ? 0 : -EINVAL;
	case 'I':
		c->interactive = true;
		return 0;
	case 'S':
		return parse_uint(optarg, 1UL << 30, &c->spin);
	case 'L':
		c->lazy = true;
		return 0;
	case 'R':
		return parse_uint(optarg, 1UL << 20, &c->ready_fd);
	}
	return -EINVAL;
}

static const char *opt_want(int opt)
{
	switch (opt) {
	case 'o':
		return "a file name";
	case 'T':
		return "one of " XPORT_KINDS;
	case 'S':
		return "a number of polls from 0 to 1073741824";
	case 'R':
		return "a file descriptor from 0 to 1048576";
	}
	return "no value";
}

static int parse_args(struct child *c, int argc, char **argv)
{
	int first = parse_cmdline(argc, argv, "o:qvh", child_opts, parse_opt,
				  opt_want, c, usage);

	if (first < 0)
		return first;
	if (first == argc) {
		err_msg("expected the channel NAME (see child --help)");
		return -EINVAL;
	}
	if (first != argc - 1) {
		err_msg("unexpected argument '%s': expected only the channel NAME",
			argv[first + 1]);
		return -EINVAL;
	}
	c->name = argv[first];
	return 0;
}

static int open_output(struct child *c)
{
	if (!c->out_path) {
		c->out_path = "stdout";
		c->out.fd = STDOUT_FILENO;
		return 0;
	}
	/* O_RDWR: a partial last line is found by reading the file back. */
	c->out.fd = open(c->out_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
			 0644);
	if (c->out.fd < 0) {
		err_msg("results %s: %s", c->out_path, strerror(errno));
		return -errno;
	}
	return 0;
}

static int attach_channel(struct child *c)
{
	struct xport_cfg cfg = {
		.kind = c->kind,
		.name = c->name,
		.spin = c->spin,
		.lazy = c->lazy,
		.peer_alive = parent_alive,
		.peer_arg = c,
		.stop = &stop_sig,
	};
	int ret = xport_attach(&cfg, &c->x);

	if (ret)
		err_msg("cannot attach to %s channel %s: %s", c->kind, c->name,
			strerror(-ret));
	return ret;
}

/*
 * In the guard: wait for the child to go.  A byte first means it gave
 * its account; end of file alone, that it died without.  Then count the
 * whole lines from the start, cut a partial one, and give the account.
 */
static void guard(struct child *c, int fd)
{
	struct xport_status st;
	char b;
	ssize_t n;

	set_handler(SIGTERM, SIG_IGN);
	set_handler(SIGHUP, SIG_IGN);
	do {
		n = read(fd, &b, 1);
	} while (n < 0 && errno == EINTR);
	if (n > 0 || xport_get_status(c->x, &st))
		_exit(0);
	/* What the child counted, if the file cannot be counted again. */
	c->out.lines = st.results;
	if (!trim_results(c, true))
		publish(c, st.lines, XPORT_RECOVERED);
	_exit(0);
}

static int start_guard(struct child *c)
{
	int p[2], ret;

	if (pipe2(p, O_CLOEXEC))
		goto err;
	c->guard = fork();
	if (!c->guard) {
		close(p[1]);
		guard(c, p[0]);
	}
	close(p[0]);
	if (c->guard > 0) {
		c->guard_fd = p[1];
		return 0;
	}
	close(p[1]);
err:
	ret = -errno;
	err_msg("cannot start the guard of %s: %s", c->out_path,
		strerror(errno));
	return ret;
}

/* Tell the guard the account is given, and reap it. */
static void stop_guard(struct child *c)
{
	/* Fails only if the guard has gone already: then it has no use. */
	write_all(c->guard_fd, "D", 1);
	close(c->guard_fd);
	while (waitpid(c->guard, NULL, 0) < 0 && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	static struct child c = {
		.kind = "vmshm", .counted = true, .spin = XPORT_SPIN_DEFAULT,
	};
	int ret, status;

	prog_name = "child";
	if (parse_args(&c, argc, argv))
		return 2;
	c.ppid = getppid();
	/* A complement only: the transports report the parent's death. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	set_handler(SIGINT, SIG_IGN);
	set_handler(SIGPIPE, SIG_IGN);
	/* Past RLIMIT_FSIZE, a write fails with EFBIG and is reported. */
	set_handler(SIGXFSZ, SIG_IGN);
	set_handler(SIGTERM, on_stop);
	set_handler(SIGHUP, on_stop);

	if (open_output(&c) || attach_channel(&c))
		return 1;
	if (start_guard(&c)) {
		c.x->ops->destroy(c.x);
		return 1;
	}
	signal_ready(&c);
	ret = run(&c);
	status = finish(&c, ret);
	if (flush_results(&c) && !status)
		status = 1;
	if (c.counted)
		publish(&c, c.lines, XPORT_CLOSED);
	stop_guard(&c);
	c.x->ops->destroy(c.x);
	return status;
}
