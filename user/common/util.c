// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the programs (parent, child, vmshmctl, vmshm-bench): see
 * util.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

const char *prog_name = "vmshm";
int verbosity;

static void vmsg(const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	/* One write per message, so parent and child lines do not mix. */
	n = snprintf(line, sizeof(line), "%s: ", prog_name);
	n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (n >= (int)sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	write_all(STDERR_FILENO, line, n);
}

/* An error: always printed. */
void err_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

/* A summary: not with -q. */
void info_msg(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 0)
		return;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

/* Details: only with -v. */
void verbose_msg(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 1)
		return;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

/**
 * parse_size() - parse a byte count with an optional K, M or G suffix
 * @s: the text, e.g. "4096", "64K", "1M"
 * @out: receives the count
 *
 * Return: 0, or -EINVAL for anything else, including 0 and overflow.
 */
int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'K': case 'k':
		shift = 10;
		break;
	case 'M': case 'm':
		shift = 20;
		break;
	case 'G': case 'g':
		shift = 30;
		break;
	case '\0':
		break;
	default:
		return -EINVAL;
	}
	if (shift && end[1])
		return -EINVAL;
	if (!v || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = v << shift;
	return 0;
}

/**
 * parse_uint() - parse a decimal number no larger than @max
 * @s: the text
 * @max: the largest value accepted
 * @out: receives the value
 *
 * Return: 0 or -EINVAL.
 */
int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/**
 * opt_name() - an option as the user knows it, for messages
 * @opts: the long options
 * @opt: the value getopt_long() returned, or optopt
 * @buf: receives "--long-name", or "-c" for an option with no long name
 * @size: room in @buf
 *
 * Return: @buf.
 */
const char *opt_name(const struct option *opts, int opt, char *buf,
		     size_t size)
{
	for (; opts->name; opts++) {
		if (opts->val == opt) {
			snprintf(buf, size, "--%s", opts->name);
			return buf;
		}
	}
	snprintf(buf, size, "-%c", opt);
	return buf;
}

/**
 * plural() - the noun for a count, for messages such as "1 line"
 * @n: the count
 * @one: the singular, used when @n is 1
 * @many: the plural
 *
 * Return: @one or @many.
 */
const char *plural(unsigned long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/**
 * parse_cmdline() - the option loop of the parent and the child
 * @argc: as main() got it
 * @argv: as main() got it
 * @optstr: short options for getopt_long(), with "qvh"
 * @opts: long options, with "quiet", "verbose" and "help"
 * @parse: handles every other option: 0, or -EINVAL for a bad one
 * @want: names the value an option expects, e.g. "a size such as 64K"
 * @arg: the first argument of @parse
 * @usage: prints the program's usage on stdout for -h
 *
 * -q and -v set the verbosity; -h prints the usage and exits 0.  A bad
 * option gets one line on stderr naming what was expected, not the usage.
 *
 * Return: the index of the first operand in @argv, or -EINVAL.
 */
int parse_cmdline(int argc, char **argv, const char *optstr,
		  const struct option *opts, int (*parse)(void *arg, int opt),
		  const char *(*want)(int opt), void *arg,
		  void (*usage)(FILE *f))
{
	char colon_optstr[64], name[64];
	int opt;

	/* A leading ':' tells a missing value (':') from an unknown option. */
	snprintf(colon_optstr, sizeof(colon_optstr), ":%s", optstr);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, colon_optstr, opts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			verbosity = -1;
			continue;
		case 'v':
			verbosity = 1;
			continue;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			err_msg("option %s needs a value: %s",
				opt_name(opts, optopt, name, sizeof(name)),
				want(optopt));
			return -EINVAL;
		case '?':
			/* A long flag given a value: optopt is its val. */
			if (optopt && !strncmp(argv[optind - 1], "--", 2)) {
				err_msg("option %s takes no value",
					opt_name(opts, optopt, name,
						 sizeof(name)));
				return -EINVAL;
			}
			if (optopt)
				snprintf(name, sizeof(name), "-%c", optopt);
			else
				snprintf(name, sizeof(name), "%s", argv[optind - 1]);
			err_msg("unknown option '%s' (see %s --help)", name,
				prog_name);
			return -EINVAL;
		}
		if (parse(arg, opt)) {
			err_msg("bad value '%s' for %s: expected %s", optarg,
				opt_name(opts, opt, name, sizeof(name)), want(opt));
			return -EINVAL;
		}
	}
	return optind;
}

/**
 * write_all() - write all of @buf, retrying short writes and EINTR
 * @fd: where
 * @buf: what
 * @len: how much
 *
 * Return: 0 or -errno.
 */
int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/**
 * proc_stat_fields() - read a task's stat file and find its fields
 * @path: /proc/PID/stat, or /proc/self/task/TID/stat for a thread
 * @buf: receives the text, cut where it does not fit
 * @size: the size of @buf
 * @comm: receives the task's name, NUL-terminated inside @buf; may be NULL
 *
 * The file reads "pid (comm) state ppid ...", and a name may hold
 * anything, ')' and spaces included: it runs from the first '(' to the
 * last ')'.
 *
 * Return: the fields after the name, from the state on ("S 1 ..."), or
 * NULL if the file cannot be read or is not a stat file.
 */
char *proc_stat_fields(const char *path, char *buf, size_t size, char **comm)
{
	char *start, *end;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	start = strchr(buf, '(');
	end = strrchr(buf, ')');
	if (!start || !end || end < start || end[1] != ' ' || !end[2])
		return NULL;
	*end = '\0';
	if (comm)
		*comm = start + 1;
	return end + 2;
}

/**
 * set_handler() - install a signal handler without SA_RESTART
 * @sig: the signal
 * @fn: the handler, or SIG_IGN / SIG_DFL
 *
 * Without SA_RESTART, blocking calls return EINTR and the programs look
 * at their flags; the transports retry unless asked to stop.
 *
 * Return: 0 or -errno.
 */
int set_handler(int sig, void (*fn)(int))
{
	struct sigaction sa = { .sa_handler = fn };

	if (sig == SIGCHLD)
		sa.sa_flags = SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL) ? -errno : 0;
}
