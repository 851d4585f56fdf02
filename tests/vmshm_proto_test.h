/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the tests that run user/sum/parent and user/sum/child
 * (pty_test, kill_test): a private copy of the two programs, process
 * bookkeeping through /proc and pidfds, and the /proc/vmshm region check.
 *
 * The programs are $VMSHM_USER_BIN/{parent,child}, else ../user/sum beside
 * this test program.  They are copied once to $TMPDIR before the tests
 * fork: an exec from the guest's 9p share of the project takes about a
 * second, from tmpfs a few milliseconds.  The parent finds the child next
 * to its own binary, so the two copies share a directory.
 */
#ifndef _VMSHM_PROTO_TEST_H
#define _VMSHM_PROTO_TEST_H

#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>

#include "exe.h"
#include "vmshm_test.h"
#include "util.h"

#define PROTO_DIR_MAX	256

static char proto_dir[PROTO_DIR_MAX];		/* the copies, "" if none */
static char proto_parent[PATH_MAX + 16];	/* the parent to run */
static pid_t proto_dir_owner;

/* Where the build put parent and child: $VMSHM_USER_BIN or ../user/sum. */
static inline int proto_src_dir(char *buf, size_t size)
{
	const char *env = getenv("VMSHM_USER_BIN");

	if (env) {
		snprintf(buf, size, "%s", env);
		return 0;
	}
	return vmshm_exe_relpath(buf, size, "../user/sum");
}

__attribute__((constructor)) static void proto_install(void)
{
	char src[PATH_MAX], from[PATH_MAX + 8], to[PROTO_DIR_MAX + 8];
	static const char *const progs[] = { "parent", "child" };
	unsigned int i;

	if (proto_src_dir(src, sizeof(src)))
		return;
	snprintf(proto_parent, sizeof(proto_parent), "%s/parent", src);
	snprintf(proto_dir, sizeof(proto_dir), "%s/vmshm-proto.XXXXXX",
		 getenv("TMPDIR") ?: "/tmp");
	if (!mkdtemp(proto_dir)) {
		proto_dir[0] = '\0';
		return;
	}
	proto_dir_owner = getpid();
	for (i = 0; i < ARRAY_SIZE(progs); i++) {
		snprintf(from, sizeof(from), "%s/%s", src, progs[i]);
		snprintf(to, sizeof(to), "%s/%s", proto_dir, progs[i]);
		if (copy_file(from, to, 0755))
			return;	/* run them from the build tree */
	}
	snprintf(proto_parent, sizeof(proto_parent), "%s/parent", proto_dir);
}

__attribute__((destructor)) static void proto_uninstall(void)
{
	char path[PROTO_DIR_MAX + 8];

	if (!proto_dir[0] || proto_dir_owner != getpid())
		return;
	snprintf(path, sizeof(path), "%s/parent", proto_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/child", proto_dir);
	unlink(path);
	rmdir(proto_dir);
}

/* Skip unless the module is loaded and the parent can be run. */
static inline void proto_require(void)
{
	vmshm_require_device();
	if (access(proto_parent, X_OK))
		ksft_exit_skip("%s: not executable: build user/ first\n",
			       proto_parent);
}

/* Read all of @path, NUL-terminated, into a malloc()ed buffer. */
static inline char *proto_read_file(const char *path, size_t *len)
{
	size_t size = 4096, n = 0;
	char *buf = malloc(size), *p;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf)
		goto err;
	for (;;) {
		if (n + 1 == size) {
			p = realloc(buf, size * 2);
			if (!p)
				goto err;
			buf = p;
			size *= 2;
		}
		r = read(fd, buf + n, size - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto err;
		if (!r)
			break;
		n += r;
	}
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
err:
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

/*
 * Is @pid a child of @ppid running the program @comm?  One read of
 * /proc/PID/stat, "pid (comm) state ppid ...", answers both.
 */
static inline bool proto_is_child(pid_t pid, pid_t ppid, const char *comm)
{
	char path[64], buf[512], *name, *s;
	int parent;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	s = proc_stat_fields(path, buf, sizeof(buf), &name);
	return s && sscanf(s, "%*c %d", &parent) == 1 && parent == ppid &&
	       !strcmp(name, comm);
}

/*
 * The child process of @ppid once it runs the program "child", waiting
 * up to @timeout_ms for it.  Returns its pid, or -1.  It scans /proc for
 * a process whose parent is @ppid: /proc/PID/task/TID/children needs
 * CONFIG_PROC_CHILDREN, which the debug kernel does not have.
 */
static inline pid_t proto_child_of(pid_t ppid, int timeout_ms)
{
	uint64_t end = vmshm_now_ns() + timeout_ms * 1000000ULL;
	struct dirent *de;
	DIR *dir;
	int pid;

	do {
		dir = opendir("/proc");
		if (!dir)
			return -1;
		while ((de = readdir(dir))) {
			pid = atoi(de->d_name);
			if (pid > 0 && proto_is_child(pid, ppid, "child")) {
				closedir(dir);
				return pid;
			}
		}
		closedir(dir);
		usleep(1000);
	} while (vmshm_now_ns() < end);
	return -1;
}

/* A pidfd for @pid, or -errno. */
static inline int proto_pidfd(pid_t pid)
{
	int fd = syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -errno : fd;
}

/*
 * Wait up to @timeout_ms for the process behind @pidfd to exit.  Returns
 * 0 once it has, -ETIMEDOUT, or -errno.
 */
static inline int proto_wait_exit(int pidfd, int timeout_ms)
{
	uint64_t end = vmshm_now_ns() + timeout_ms * 1000000ULL, now;
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int ret;

	for (;;) {
		now = vmshm_now_ns();
		if (now >= end)
			return -ETIMEDOUT;
		ret = poll(&pfd, 1, (end - now + 999999) / 1000000);
		if (ret > 0)
			return 0;
		if (ret < 0 && errno != EINTR)
			return -errno;
	}
}

/*
 * The regions /proc/vmshm lists now; with @name, whether that one is
 * among them (1) or not (0).  Returns -1 if /proc/vmshm cannot be read.
 */
static inline int proto_regions(const char *name)
{
	char line[512], first[VMSHM_NAME_MAX + 1];
	FILE *f = fopen("/proc/vmshm", "re");
	int n = 0, found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* Mapping rows are indented; the header starts with "name". */
		if (line[0] == ' ' || !strncmp(line, "name ", 5))
			continue;
		if (sscanf(line, "%63s", first) != 1)
			continue;
		n++;
		if (name && !strcmp(first, name))
			found = 1;
	}
	fclose(f);
	return name ? found : n;
}

/* Whether the parent @pid's region "sum-@pid" is still listed. */
static inline int proto_region_left(pid_t pid)
{
	char name[32];

	snprintf(name, sizeof(name), "sum-%d", (int)pid);
	return proto_regions(name);
}

#endif /* _VMSHM_PROTO_TEST_H */
