// SPDX-License-Identifier: GPL-2.0
/*
 * child: receive lines from the parent, write one result line per line.
 *
 * Started by the parent, which passes the channel name and makes the
 * results file this program's stdout.  Results are written in whole lines
 * only, so the file never ends inside a line unless the child is killed
 * in the middle of a write(); the parent trims that case.
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
#include <unistd.h>

#include "sum.h"
#include "util.h"
#include "xport.h"

#define OUT_BUF_SIZE	65536

struct outbuf {
	int fd;
	size_t len;
	char buf[OUT_BUF_SIZE];
};

struct child {
	const char *kind;
	const char *name;
	const char *out_path;
	bool interactive;
	unsigned long spin;
	unsigned long ready_fd;
	pid_t ppid;
	struct xport *x;
	struct sum_state sum;
	unsigned long long lines;
	unsigned long long errors;
	bool mid_line;
	struct outbuf out;
};

static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
	stop_sig = sig;
}

static int out_flush(struct outbuf *o)
{
	int ret = write_all(o->fd, o->buf, o->len);

	o->len = 0;
	return ret;
}

/* Only whole lines enter the buffer, so a flush never splits one. */
static int out_line(struct outbuf *o, const char *s, size_t n)
{
	int ret;

	if (o->len + n + 1 > sizeof(o->buf)) {
		ret = out_flush(o);
		if (ret)
			return ret;
	}
	memcpy(o->buf + o->len, s, n);
	o->buf[o->len + n] = '\n';
	o->len += n + 1;
	return 0;
}

static int flush_results(struct child *c)
{
	int ret = out_flush(&c->out);

	if (ret)
		err_msg("results %s: %s", c->out_path, strerror(-ret));
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
	ret = out_line(&c->out, res, n);
	if (ret) {
		err_msg("results %s: %s", c->out_path, strerror(-ret));
		return ret;
	}
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
		ret = c->x->ops->recv(c->x, p, XPORT_NOWAIT);
		if (ret != -EAGAIN)
			return ret;
		if (stop_sig)
			return -EINTR;
		ret = flush_results(c);
		if (ret)
			return ret;
		ret = c->x->ops->recv(c->x, p, 0);
		if (ret != -EINTR)
			return ret;
	}
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
	char stats[256];

	if (c->mid_line)
		info_msg("input ended inside line %llu; dropped it",
			 c->lines + 1);
	c->x->ops->stats(c->x, stats, sizeof(stats));
	verbose_msg("%llu lines, %llu errors; %s", c->lines, c->errors, stats);
	if (ret == XPORT_EOF)
		return 0;
	if (ret == -EPIPE || (ret == -EINTR && !parent_alive(c))) {
		err_msg("parent went away after %llu lines", c->lines);
		return 1;
	}
	if (ret == -EINTR) {
		info_msg("stopped by signal %d after %llu lines", (int)stop_sig,
			 c->lines);
		return 128 + stop_sig;
	}
	if (ret == -EBADMSG || ret == -EPROTO)
		err_msg("channel %s: corrupt data after %llu lines", c->name,
			c->lines);
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
	"      --spin=N          ring transports: poll N times before sleeping\n"
	"      --ready-fd=FD     write one byte to FD once attached, then close it\n"
	"  -q, --quiet           only errors on stderr\n"
	"  -v, --verbose         transport counters on stderr at the end\n"
	"  -h, --help            this text\n"
	"\n%s";

static void usage(FILE *f)
{
	fprintf(f, usage_text, prog_name, sum_grammar_help);
}

static const struct option child_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "transport", required_argument, NULL, 'T' },
	{ "interactive", no_argument, NULL, 'I' },
	{ "spin", required_argument, NULL, 'S' },
	{ "ready-fd", required_argument, NULL, 'R' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ }
};

static int parse_opt(struct child *c, int opt)
{
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
	case 'R':
		return parse_uint(optarg, 1UL << 20, &c->ready_fd);
	case 'q':
		verbosity = -1;
		return 0;
	case 'v':
		verbosity = 1;
		return 0;
	case 'h':
		usage(stdout);
		exit(0);
	}
	return -EINVAL;
}

static int parse_args(struct child *c, int argc, char **argv)
{
	const char *optstr = "o:qvh";
	int opt;

	while ((opt = getopt_long(argc, argv, optstr, child_opts, NULL)) != -1) {
		if (parse_opt(c, opt)) {
			if (optarg)
				err_msg("bad value '%s' for option %s", optarg,
					argv[optind - 1]);
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return -EINVAL;
	}
	c->name = argv[optind];
	return 0;
}

static int open_output(struct child *c)
{
	if (!c->out_path) {
		c->out_path = "stdout";
		c->out.fd = STDOUT_FILENO;
		return 0;
	}
	c->out.fd = open(c->out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
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

int main(int argc, char **argv)
{
	static struct child c = { .kind = "vmshm" };
	int ret, status;

	prog_name = "child";
	if (parse_args(&c, argc, argv))
		return 2;
	c.ppid = getppid();
	/* A complement only: the transports report the parent's death. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	set_handler(SIGINT, SIG_IGN);
	set_handler(SIGPIPE, SIG_IGN);
	set_handler(SIGTERM, on_stop);
	set_handler(SIGHUP, on_stop);

	if (open_output(&c) || attach_channel(&c))
		return 1;
	signal_ready(&c);
	ret = run(&c);
	status = finish(&c, ret);
	if (flush_results(&c) && !status)
		status = 1;
	c.x->ops->destroy(c.x);
	return status;
}
