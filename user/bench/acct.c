// SPDX-License-Identifier: GPL-2.0
/*
 * Resource accounting of one process over a timed loop, and the system
 * call counter.
 *
 * The counter is a perf event of type tracepoint on raw_syscalls:sys_enter,
 * opened by the parent with inherit, so that it also counts the children
 * it forks (their counts are added when they exit).  It sees every system
 * call, including those glibc makes inside sem_wait() or usleep(), which
 * the bench cannot count itself.  It costs time on every system call, so
 * only the discarded first round opens it.  And it is opened once for the
 * whole round, not per job: opening and closing per-task perf events flips
 * static keys, i.e. patches kernel text (__schedule(), the syscall entry)
 * while the other vCPU runs it, which TCG does not always survive.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "acct.h"
#include "util.h"

static const char *const tp_paths[] = {
	"/sys/kernel/tracing/events/raw_syscalls/sys_enter/id",
	"/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id",
};

/* The tracepoint's id, or -errno. */
static long sysc_tp_id(void)
{
	static long id;
	char buf[32];
	unsigned int i;
	ssize_t n;
	int fd;

	for (i = 0; !id && i < ARRAY_SIZE(tp_paths); i++) {
		fd = open(tp_paths[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			id = strtol(buf, NULL, 10);
		}
	}
	return id > 0 ? id : -ENOENT;
}

/**
 * sysc_open() - count the system calls of this process and its children
 *
 * Return: a perf event fd, counting from now, or -errno (-ENOENT when
 * tracefs shows no raw_syscalls:sys_enter).
 */
int sysc_open(void)
{
	struct perf_event_attr attr;
	long id = sysc_tp_id();
	int fd;

	if (id < 0)
		return id;
	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = id;
	attr.inherit = 1;
	fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1,
		     PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/**
 * sysc_read() - the count so far, children that have exited included
 * @fd: a sysc_open() fd, or -1
 *
 * Return: the count, which includes this read, or -1.
 */
int64_t sysc_read(int fd)
{
	uint64_t v;

	if (fd < 0 || read(fd, &v, sizeof(v)) != sizeof(v))
		return -1;
	return v;
}

static uint64_t tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000ULL + tv->tv_usec * 1000ULL;
}

/**
 * acct_start() - mark the start of a loop
 * @m: receives the mark
 */
void acct_start(struct acct_mark *m)
{
	getrusage(RUSAGE_SELF, &m->ru);
}

/**
 * acct_stop() - what was spent since acct_start()
 * @m: the mark
 * @a: receives the deltas; @a->ops and @a->own are left to the caller
 */
void acct_stop(const struct acct_mark *m, struct acct *a)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	a->nvcsw = ru.ru_nvcsw - m->ru.ru_nvcsw;
	a->nivcsw = ru.ru_nivcsw - m->ru.ru_nivcsw;
	a->minflt = ru.ru_minflt - m->ru.ru_minflt;
	a->cpu_ns = tv_ns(&ru.ru_utime) + tv_ns(&ru.ru_stime) -
		    tv_ns(&m->ru.ru_utime) - tv_ns(&m->ru.ru_stime);
}
