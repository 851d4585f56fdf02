/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup v2 helpers of the vmshm selftests: a fresh child cgroup with the
 * memory controller, processes moved in and out, and its counters.
 *
 * The functions return 0 (or the value read) and -errno on failure, and
 * never print.  cg_setup() also says in words why a cgroup cannot be had,
 * for the test's SKIP() or TH_LOG().
 *
 * A worker is a forked process, in a cgroup or not, that runs the test's
 * steps one at a time, so that the test can read counters between them.
 */
#ifndef _VMSHM_CGROUP_H
#define _VMSHM_CGROUP_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vmshm_util.h"

/* Where cgroup2 is mounted when it is mounted nowhere yet. */
#define CG_MOUNT		"/sys/fs/cgroup"
/* Room for a cgroup directory's path. */
#define CG_PATH_MAX		256

/*
 * A memory cgroup keeps up to MEMCG_CHARGE_BATCH (64) pages charged ahead
 * in each CPU's stock, and folds its statistics in batches of as many
 * updates: memory.current and memory.stat may each be off by that much
 * per CPU from the pages really in use.
 */
#define CG_BATCH_PAGES		64

/**
 * struct cg - a child cgroup of the cgroup2 root
 * @root: the cgroup2 root directory
 * @dir: the child's directory, empty when there is none
 * @home: the cgroup the calling process left for @dir, empty if it did not
 */
struct cg {
	char root[CG_PATH_MAX];
	char dir[CG_PATH_MAX];
	char home[CG_PATH_MAX];
};

/* How far memory.current or memory.stat may be off, in pages. */
static inline long cg_slack_pages(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_CONF);

	return CG_BATCH_PAGES * (cpus > 0 ? cpus : 1);
}

/* Write @val to @dir/@file; returns 0 or -errno. */
static inline int cg_write(const char *dir, const char *file, const char *val)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	return write_file(path, val);
}

/* Read @dir/@file into @buf, NUL-terminated; returns its length or -errno. */
static inline ssize_t cg_read(const char *dir, const char *file, char *buf,
			      size_t len)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	return read_file(path, buf, len);
}

/* The number in @cg's @file, such as memory.current; or -errno. */
static inline long long cg_read_ll(const struct cg *cg, const char *file)
{
	char buf[64];
	ssize_t n = cg_read(cg->dir, file, buf, sizeof(buf));

	return n < 0 ? n : strtoll(buf, NULL, 10);
}

/*
 * @file of @cg (memory.current, memory.swap.current) in pages, once it is
 * at most @limit or after 10 s; or -errno.
 */
static inline long long cg_settled_pages(const struct cg *cg,
					 const char *file, long long limit)
{
	struct timespec ms = { .tv_nsec = 10 * 1000000 };
	long long v = 0;
	int i;

	/*
	 * RCU-freed objects (the shmem inode) are uncharged a little later;
	 * give a stalled guest 10 s.
	 */
	for (i = 0; i < 1000; i++) {
		v = cg_read_ll(cg, file);
		if (v < 0 || v / (long long)page_size() <= limit)
			break;
		nanosleep(&ms, NULL);
	}
	return v < 0 ? v : v / (long long)page_size();
}

/*
 * The value of the line "@key VALUE" of @cg's @file, such as memory.stat or
 * memory.events; -ENOENT when the kernel has no such line.
 */
static inline long long cg_read_key(const struct cg *cg, const char *file,
				    const char *key)
{
	size_t klen = strlen(key);
	char buf[16384], *line, *next;
	ssize_t n = cg_read(cg->dir, file, buf, sizeof(buf));

	if (n < 0)
		return n;
	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			return strtoll(line + klen + 1, NULL, 10);
	}
	return -ENOENT;
}

/* Does the space-separated list @list hold @word? */
static inline int cg_has_word(const char *list, const char *word)
{
	size_t len = strlen(word);
	const char *p;

	for (p = strstr(list, word); p; p = strstr(p + 1, word))
		if ((p == list || p[-1] == ' ') &&
		    (!p[len] || p[len] == ' ' || p[len] == '\n'))
			return 1;
	return 0;
}

/* Find the cgroup2 root, mounting it on CG_MOUNT if it is nowhere. */
static inline int cg_find_root(char *root, size_t len)
{
	char dev[256], dir[PATH_MAX], type[64];
	FILE *f = fopen("/proc/self/mounts", "re");
	int found = 0;

	if (!f)
		return -errno;
	while (!found && fscanf(f, "%255s %4095s %63s %*s %*d %*d\n", dev, dir,
				type) == 3)
		found = !strcmp(type, "cgroup2");
	fclose(f);
	if (found)
		return snprintf(root, len, "%s", dir) < (int)len ? 0 : -ENAMETOOLONG;
	if (mount("cgroup2", CG_MOUNT, "cgroup2", 0, NULL))
		return -errno;
	snprintf(root, len, "%s", CG_MOUNT);
	return 0;
}

/**
 * cg_setup() - make a fresh child cgroup with the memory controller
 * @cg: filled in
 * @name: the child's name under the cgroup2 root
 * @why: on failure, why there is no such cgroup here
 * @len: size of @why
 *
 * Mounts cgroup2 if it is not mounted and enables the memory controller
 * for the root's children.
 *
 * Return: 0, or -errno with @why filled in.
 */
static inline int cg_setup(struct cg *cg, const char *name, char *why,
			   size_t len)
{
	char buf[512];
	ssize_t n;
	int ret;

	cg->dir[0] = 0;
	cg->home[0] = 0;
	ret = cg_find_root(cg->root, sizeof(cg->root));
	if (ret) {
		snprintf(why, len, "cgroup2 not mounted, and mounting it on %s failed: %s",
			 CG_MOUNT, strerror(-ret));
		return ret;
	}
	n = cg_read(cg->root, "cgroup.controllers", buf, sizeof(buf));
	if (n < 0 || !cg_has_word(buf, "memory")) {
		snprintf(why, len, "%s/cgroup.controllers lists no memory controller (CONFIG_MEMCG off, cgroup_disable=memory, or held by cgroup v1)",
			 cg->root);
		return -ENODEV;
	}
	ret = cg_write(cg->root, "cgroup.subtree_control", "+memory");
	if (ret) {
		snprintf(why, len, "%s/cgroup.subtree_control: cannot enable +memory: %s",
			 cg->root, strerror(-ret));
		return ret;
	}
	if (snprintf(cg->dir, sizeof(cg->dir), "%s/%s", cg->root, name) >=
	    (int)sizeof(cg->dir))
		ret = -ENAMETOOLONG;
	else
		ret = mkdir(cg->dir, 0755) ? -errno : 0;
	if (ret) {
		snprintf(why, len, "mkdir %s: %s", cg->dir, strerror(-ret));
		cg->dir[0] = 0;
		return ret;
	}
	return 0;
}

/* Move process @pid into @dir (a cgroup directory); returns 0 or -errno. */
static inline int cg_move(const char *dir, pid_t pid)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", pid);
	return cg_write(dir, "cgroup.procs", buf);
}

/*
 * Move process @pid into @cg; returns 0 or -errno.  The calling process
 * remembers where it was, to go back there in cg_destroy().
 */
static inline int cg_enter(struct cg *cg, pid_t pid)
{
	char buf[PATH_MAX];
	FILE *f;

	if (pid == getpid() && !cg->home[0]) {
		f = fopen("/proc/self/cgroup", "re");
		if (!f)
			return -errno;
		/* The cgroup2 line is "0::/path". */
		while (fgets(buf, sizeof(buf), f))
			if (!strncmp(buf, "0::", 3)) {
				buf[strcspn(buf, "\n")] = 0;
				if (snprintf(cg->home, sizeof(cg->home), "%s%s",
					     cg->root, buf + 3) >= (int)sizeof(cg->home))
					cg->home[0] = 0;
			}
		fclose(f);
		if (!cg->home[0])
			return -ENOENT;
	}
	return cg_move(cg->dir, pid);
}

/*
 * Remove @cg, after moving the calling process back where it was.  The
 * other processes must be gone; a reaped one can take a moment to leave.
 */
static inline int cg_destroy(struct cg *cg)
{
	struct timespec ms = { .tv_nsec = 1000000 };
	int i, ret = 0;

	if (!cg->dir[0])
		return 0;
	if (cg->home[0])
		cg_move(cg->home, getpid());
	for (i = 0; i < 1000; i++) {
		ret = rmdir(cg->dir) ? -errno : 0;
		if (ret != -EBUSY)
			break;
		nanosleep(&ms, NULL);
	}
	cg->dir[0] = 0;
	return ret;
}

/**
 * struct worker - a process in a cgroup, run one step at a time
 * @pid: its pid
 * @cmd: the test writes a byte here to start a step
 * @ack: the worker writes a byte here when the step is done
 * @status: its wait status, once it is gone
 * @step: its next step
 * @arg: the test's argument to @step
 */
struct worker {
	pid_t pid;
	int cmd;
	int ack;
	int status;
	int (*step)(int n, void *arg);
	void *arg;
};

/* A worker's own exit codes; its steps return theirs below W_CGROUP. */
enum {
	W_CGROUP = 100,		/* could not enter its cgroup */
	W_PIPE,			/* the test went away mid-step */
};

/* The worker's side: steps until the test closes the command pipe. */
static inline void worker_main(struct worker *w, struct cg *cg, int cmd,
			       int ack)
{
	char c;
	int n, ret;

	if (cg && cg_enter(cg, getpid()))
		_exit(W_CGROUP);
	for (n = 0; ; n++) {
		if (read(cmd, &c, 1) != 1)
			_exit(0);
		ret = w->step(n, w->arg);
		if (ret)
			_exit(ret);
		if (write(ack, &c, 1) != 1)
			_exit(W_PIPE);
	}
}

/* Fork a worker into @cg (NULL: stay here); returns 0 or -errno. */
static inline int worker_start(struct worker *w, struct cg *cg,
			       int (*step)(int n, void *arg), void *arg)
{
	int cmd[2], ack[2];

	w->step = step;
	w->arg = arg;
	w->status = -1;
	if (pipe2(cmd, O_CLOEXEC))
		return -errno;
	if (pipe2(ack, O_CLOEXEC)) {
		close(cmd[0]);
		close(cmd[1]);
		return -errno;
	}
	w->pid = fork();
	if (!w->pid) {
		close(cmd[1]);
		close(ack[0]);
		worker_main(w, cg, cmd[0], ack[1]);
	}
	close(cmd[0]);
	close(ack[1]);
	w->cmd = cmd[1];
	w->ack = ack[0];
	if (w->pid < 0) {
		close(w->cmd);
		close(w->ack);
		return -EAGAIN;
	}
	return 0;
}

/* Run the next step; 0 when done, -1 when the worker is gone (@status). */
static inline int worker_next(struct worker *w)
{
	char c = 's';

	if (write(w->cmd, &c, 1) == 1 && read(w->ack, &c, 1) == 1)
		return 0;
	waitpid(w->pid, &w->status, 0);
	return -1;
}

/* Let the worker exit; returns its exit code, 255 if it was killed. */
static inline int worker_stop(struct worker *w)
{
	close(w->cmd);
	if (w->status == -1)
		waitpid(w->pid, &w->status, 0);
	close(w->ack);
	return WIFEXITED(w->status) ? WEXITSTATUS(w->status) : 255;
}

#endif /* _VMSHM_CGROUP_H */
