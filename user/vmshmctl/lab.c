// SPDX-License-Identifier: GPL-2.0
/*
 * vmshmctl create, touch, read, write and hold: experiments from the
 * shell.  These go through /dev/vmshm (libvmshm), as a program would, so
 * that their faults, mappings and pages show in `pages`, `top`, `show`
 * and /proc/vmshm like anyone else's.
 *
 *   create NAME SIZE [--mode M] [--huge]   a named region that stays
 *                                          until unlinked
 *   touch NAME [OFFSET [LEN]]    read one byte of each page: demand paging
 *   read NAME [OFFSET [LEN]]     the bytes, raw, to standard output
 *   write NAME [OFFSET [LEN]]    standard input into the region, up to LEN
 *                                bytes or the region's end
 *   hold NAME                    map it until Enter, EOF+signal or a signal
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libvmshm.h"
#include "util.h"
#include "vmshmctl.h"

/**
 * struct lab - a region attached and mapped for one command
 * @fd: the /dev/vmshm file bound to it
 * @p: the whole region, mapped shared
 * @size: its size in bytes
 * @id: its id
 * @off: OFFSET, 0 by default
 * @len: LEN, by default from @off to the end
 */
struct lab {
	int fd;
	char *p;
	uint64_t size;
	uint32_t id;
	uint64_t off;
	uint64_t len;
};

#define BYTES_HINT	"expected bytes, with an optional K, M or G"
#define MODE_HINT	"expected octal permission bits, 0 to 0777"

/* A byte count as parse_size() reads it, but 0 too. */
static int parse_bytes(const char *s, uint64_t *v)
{
	if (!strcmp(s, "0")) {
		*v = 0;
		return 0;
	}
	return parse_size(s, v);
}

/* Close, map and attach errors as the one line of the command. */
static int lab_fail(const char *cmd, const char *name, int err)
{
	if (err == -ENOENT && !access(VMSHM_DEVICE, F_OK))
		err_msg("%s region %s: no such region", cmd, name);
	else if (err == -ENOENT)
		err_msg("%s region %s: %s not present: is vmshm.ko loaded?",
			cmd, name, VMSHM_DEVICE);
	else if (err == -EACCES)
		err_msg("%s region %s: %s (its mode does not allow this user to %s it)",
			cmd, name, strerror(-err),
			strcmp(cmd, "read") && strcmp(cmd, "touch") ? "write" :
								     "read");
	else
		err_msg("%s region %s: %s", cmd, name, strerror(-err));
	return err == -ENOENT && access(VMSHM_DEVICE, F_OK) ? EXIT_NO_MODULE :
							      EXIT_FAIL;
}

static void lab_close(struct lab *l)
{
	if (l->p)
		munmap(l->p, l->size);
	if (l->fd >= 0)
		close(l->fd);
}

/* Attach @name (read-only unless @write) and map all of it; 0 or -errno. */
static int lab_open(struct lab *l, const char *name, bool write)
{
	void *p;
	int ret;

	l->p = NULL;
	l->fd = vmshm_open();
	if (l->fd < 0)
		return l->fd;
	ret = vmshm_attach(l->fd, name, write ? 0 : VMSHM_ATTACH_RDONLY,
			   &l->size, &l->id);
	if (!ret)
		ret = vmshm_map(l->fd, l->size,
				PROT_READ | (write ? PROT_WRITE : 0), &p);
	if (ret) {
		lab_close(l);
		return ret;
	}
	l->p = p;
	return 0;
}

/* [OFFSET [LEN]] into @l; a @l->len of 0 means "to the end". */
static int lab_parse_range(const char *cmd, struct lab *l, int argc,
			   char **argv)
{
	l->off = 0;
	l->len = 0;
	if (argc > 2 && parse_bytes(argv[2], &l->off))
		return ctl_usage_error("%s: bad offset \"%s\" (%s)", cmd,
				       argv[2], BYTES_HINT);
	if (argc > 3 && parse_bytes(argv[3], &l->len))
		return ctl_usage_error("%s: bad length \"%s\" (%s)", cmd,
				       argv[3], BYTES_HINT);
	if (argc > 3 && !l->len)
		return ctl_usage_error("%s: bad length \"0\" (expected 1 byte or more)",
				       cmd);
	return 0;
}

/* The range against the region's size, once it is known. */
static int lab_check_range(const char *cmd, const char *name, struct lab *l)
{
	if (l->off >= l->size || l->len > l->size - l->off) {
		err_msg("%s region %s: bytes %llu-%llu are past its end (%llu bytes)",
			cmd, name, (unsigned long long)l->off,
			(unsigned long long)(l->off + (l->len ?: 1) - 1),
			(unsigned long long)l->size);
		return EXIT_FAIL;
	}
	if (!l->len)
		l->len = l->size - l->off;
	return 0;
}

static int lab_args(const char *cmd, int argc, bool hold)
{
	if (argc < 2)
		return ctl_usage_error("%s: expected NAME%s", cmd,
				       hold ? "" : " [OFFSET [LEN]]");
	if (argc > (hold ? 2 : 4))
		return ctl_usage_error("%s: expected NAME%s, not %d arguments",
				       cmd, hold ? "" : " [OFFSET [LEN]]",
				       argc - 1);
	return 0;
}

/* Open @name for @cmd and read its range; 0 or an exit code. */
static int lab_start(const char *cmd, struct lab *l, int argc, char **argv,
		     bool write)
{
	int ret = lab_args(cmd, argc, false);

	if (!ret)
		ret = lab_parse_range(cmd, l, argc, argv);
	if (ret)
		return ret;
	ret = lab_open(l, argv[1], write);
	if (ret)
		return lab_fail(cmd, argv[1], ret);
	ret = lab_check_range(cmd, argv[1], l);
	if (ret)
		lab_close(l);
	return ret;
}

int cmd_create(struct ctl *ctl __always_unused, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "huge", no_argument, NULL, 'H' },
		{ }
	};
	unsigned long mode = 0600;
	uint32_t flags = 0, id;
	uint64_t size;
	int c, fd, ret;

	optind = 0;	/* glibc: start over, after the global options */
	while ((c = getopt_long(argc, argv, "m:H", opts, NULL)) != -1) {
		if (c == 'H') {
			flags |= VMSHM_CREATE_HUGE;
		} else if (c == 'm') {
			char *end;

			errno = 0;
			mode = strtoul(optarg, &end, 8);
			if (errno || end == optarg || *end || mode > 0777)
				return ctl_usage_error("create: bad mode \"%s\" (%s)",
						       optarg, MODE_HINT);
		} else {
			return ctl_usage_error("create: unknown option \"%s\"",
					       argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return ctl_usage_error("create: expected NAME SIZE");
	if (parse_size(argv[optind + 1], &size))
		return ctl_usage_error("create: bad size \"%s\" (%s, more than 0)",
				       argv[optind + 1], BYTES_HINT);
	fd = vmshm_open();
	ret = fd < 0 ? fd : vmshm_create(fd, argv[optind], size, mode, flags,
					 &id);
	if (ret)
		return lab_fail("create", argv[optind], ret);
	close(fd);
	printf("created region %s (id %u): %llu bytes, mode %04lo%s\n",
	       argv[optind], id, (unsigned long long)size, mode,
	       flags & VMSHM_CREATE_HUGE ? ", huge pages" : "");
	return EXIT_OK;
}

/* A read the compiler cannot drop: the page fault is the point. */
static void touch_byte(const char *p)
{
	char c = *p;

	__asm__ __volatile__("" : : "r"(c) : "memory");
}

int cmd_touch(struct ctl *ctl __always_unused, int argc, char **argv)
{
	struct vmshm_stat before = { .size = sizeof(before) };
	struct vmshm_stat after = { .size = sizeof(after) };
	long ps = sysconf(_SC_PAGESIZE);
	uint64_t first, last, pg, n;
	struct lab l;
	int ret;

	ret = lab_start("touch", &l, argc, argv, false);
	if (ret)
		return ret;
	first = l.off / ps;
	last = (l.off + l.len - 1) / ps;
	ret = vmshm_stat(l.fd, &before);
	for (pg = first; pg <= last; pg++)
		touch_byte(l.p + pg * ps);
	if (!ret)
		ret = vmshm_stat(l.fd, &after);
	lab_close(&l);
	if (ret)
		return lab_fail("touch", argv[1], ret);
	n = after.out_faults - before.out_faults;
	printf("touched pages %llu-%llu of region %s: %llu page fault%s, %llu major\n",
	       (unsigned long long)first, (unsigned long long)last, argv[1],
	       (unsigned long long)n, n == 1 ? "" : "s",
	       (unsigned long long)(after.out_majflt - before.out_majflt));
	return EXIT_OK;
}

int cmd_read(struct ctl *ctl __always_unused, int argc, char **argv)
{
	struct lab l;
	int ret;

	ret = lab_start("read", &l, argc, argv, false);
	if (ret)
		return ret;
	ret = write_all(STDOUT_FILENO, l.p + l.off, l.len);
	lab_close(&l);
	if (ret)
		return lab_fail("read", argv[1], ret);
	return EXIT_OK;
}

int cmd_write(struct ctl *ctl __always_unused, int argc, char **argv)
{
	uint64_t done = 0;
	struct lab l;
	ssize_t n = 0;
	int ret;

	ret = lab_start("write", &l, argc, argv, true);
	if (ret)
		return ret;
	while (done < l.len) {
		n = read(STDIN_FILENO, l.p + l.off + done, l.len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += n;
	}
	ret = n < 0 ? -errno : 0;
	lab_close(&l);
	if (ret) {
		err_msg("write region %s: standard input: %s", argv[1],
			strerror(-ret));
		return EXIT_FAIL;
	}
	printf("wrote %llu bytes to region %s at offset %llu\n",
	       (unsigned long long)done, argv[1], (unsigned long long)l.off);
	return EXIT_OK;
}

static volatile sig_atomic_t hold_stop;

static void hold_on_signal(int sig __always_unused)
{
	hold_stop = 1;
}

/* No more input: wait for a signal, without missing one that came. */
static void hold_until_signal(void)
{
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	while (!hold_stop)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

int cmd_hold(struct ctl *ctl __always_unused, int argc, char **argv)
{
	struct lab l;
	char c;
	int ret;

	ret = lab_args("hold", argc, true);
	if (ret)
		return ret;
	if (set_handler(SIGINT, hold_on_signal) ||
	    set_handler(SIGTERM, hold_on_signal) ||
	    set_handler(SIGHUP, hold_on_signal))
		return lab_fail("hold", argv[1], -errno);
	ret = lab_open(&l, argv[1], true);
	if (ret == -EACCES)
		ret = lab_open(&l, argv[1], false);
	if (ret)
		return lab_fail("hold", argv[1], ret);
	printf("holding region %s (id %u) at 0x%lx-0x%lx in pid %d: press Enter or send SIGINT/SIGTERM to release\n",
	       argv[1], l.id, (unsigned long)l.p,
	       (unsigned long)(l.p + l.size), getpid());
	fflush(stdout);
	/* A line or a signal; at EOF (no terminal), a signal only. */
	while (!hold_stop) {
		ssize_t n = read(STDIN_FILENO, &c, 1);

		if (n == 1 && c == '\n')
			break;
		if (!n || (n < 0 && errno != EINTR))
			hold_until_signal();
	}
	lab_close(&l);
	return EXIT_OK;
}
