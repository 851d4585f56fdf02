/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Run vmshmctl as a user would, for the selftests of its commands: the
 * binary is $VMSHMCTL, else ../user/vmshmctl/vmshmctl next to the test
 * program.  ctl_run() collects the exit status, stdout and stderr;
 * test_err_ctl() asserts a failure with one line on stderr.
 */
#ifndef _VMSHMCTL_RUN_H
#define _VMSHMCTL_RUN_H

#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>

#include "exe.h"
#include "json.h"
#include "vmshm_nl_test.h"

#define OUT_MAX		(256 * 1024)

/**
 * struct ctl_out - what one run of vmshmctl printed
 * @status: exit status, or -1 when it did not exit normally
 * @out: stdout, NUL-terminated
 * @err: stderr, NUL-terminated
 */
struct ctl_out {
	int status;
	char out[OUT_MAX];
	char err[4096];
};

/* The binary to run, "" when there is none; its copy's owner, if any. */
static char ctl_bin[PATH_MAX];
static pid_t ctl_copy_owner;

/*
 * $VMSHMCTL, else ../user/vmshmctl/vmshmctl beside this program, copied
 * once to $TMPDIR before the tests fork: an exec from the guest's 9p share
 * of the project takes a second, from tmpfs a few milliseconds.
 */
__attribute__((constructor)) static void ctl_install(void)
{
	const char *env = getenv("VMSHMCTL");
	char src[PATH_MAX];

	if (env) {
		snprintf(ctl_bin, sizeof(ctl_bin), "%s", env);
		return;
	}
	if (vmshm_exe_relpath(src, sizeof(src), "../user/vmshmctl/vmshmctl") ||
	    access(src, X_OK))
		return;
	snprintf(ctl_bin, sizeof(ctl_bin), "%s/vmshmctl-test.%d",
		 getenv("TMPDIR") ?: "/tmp", getpid());
	if (copy_file(src, ctl_bin, 0755))
		snprintf(ctl_bin, sizeof(ctl_bin), "%s", src);
	else
		ctl_copy_owner = getpid();
}

__attribute__((destructor)) static void ctl_uninstall(void)
{
	if (ctl_copy_owner && ctl_copy_owner == getpid())
		unlink(ctl_bin);
}

static const char *ctl_path(void)
{
	return ctl_bin[0] ? ctl_bin : NULL;
}

/* The standard input of the next runs when >= 0, else the test's. */
static int ctl_stdin = -1;

/* Start vmshmctl @args (NULL-terminated) with stdout @out, stderr @err. */
static pid_t ctl_spawn(const char *const *args, int out, int err)
{
	const char *argv[16] = { "vmshmctl" };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int i, ret;

	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	posix_spawn_file_actions_init(&fa);
	if (ctl_stdin >= 0)
		posix_spawn_file_actions_adddup2(&fa, ctl_stdin, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, err, STDERR_FILENO);
	ret = posix_spawn(&pid, ctl_path(), &fa, NULL, (char **)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return ret ? -ret : pid;
}

static int read_back(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return n < 0 || (size_t)n == size - 1 ? -1 : 0;
}

/* Run vmshmctl to completion; returns its exit status or -1. */
static int _ctl_run(struct ctl_out *o, const char *const *args)
{
	int out = memfd_create("out", MFD_CLOEXEC);
	int err = memfd_create("err", MFD_CLOEXEC);
	pid_t pid = ctl_spawn(args, out, err);
	int ret = 0;

	o->status = pid < 0 ? -1 : wait_child(pid);
	ret |= read_back(out, o->out, sizeof(o->out));
	ret |= read_back(err, o->err, sizeof(o->err));
	if (o->status > 128 || ret)
		o->status = -1;
	return o->status;
}

#define ctl_run(o, ...) \
	_ctl_run(o, (const char *const []){ __VA_ARGS__, NULL })

/* A run that failed: exit @status, and one line on stderr. */
#define test_err_ctl(_status, o, ...) do {				\
	ASSERT_EQ(_status, ctl_run(o, __VA_ARGS__));			\
	ASSERT_EQ(0, strncmp((o)->err, "vmshmctl: ", 10));		\
	ASSERT_EQ(strlen((o)->err) - 1, strcspn((o)->err, "\n"));	\
	ASSERT_STREQ("", (o)->out);					\
} while (0)

/*
 * The members every vmshmctl fixture starts with: the output of the last
 * run, a netlink socket, an open /dev/vmshm and a region name of the
 * test's own.
 */
#define CTL_FIXTURE_MEMBERS						\
	struct ctl_out *o;						\
	struct vmshm_nl *nl;						\
	int fd;								\
	char name[VMSHM_NAME_MAX]

/*
 * Set up CTL_FIXTURE_MEMBERS in FIXTURE_SETUP(), with the name
 * "@prefix-PID"; skip the test when there is no vmshmctl to run.
 */
#define ctl_fixture_setup(self, prefix) do {				\
	(self)->nl = test_nl_open();					\
	if (!ctl_path())						\
		SKIP(return, "vmshmctl not found: set VMSHMCTL");	\
	(self)->o = malloc(sizeof(*(self)->o));				\
	ASSERT_NE(NULL, (self)->o);					\
	(self)->fd = test_open();					\
	snprintf((self)->name, sizeof((self)->name), prefix "-%d",	\
		 getpid());						\
} while (0)

/* Undo ctl_fixture_setup(), in FIXTURE_TEARDOWN(). */
#define ctl_fixture_teardown(self) do {					\
	close((self)->fd);						\
	free((self)->o);						\
	vmshm_nl_close((self)->nl);					\
} while (0)

/* Parse stdout strictly; the tree is the caller's to free. */
static inline struct json *ctl_json(struct __test_metadata *_metadata,
				    const char *text)
{
	char err[128];
	struct json *v = json_parse(text, strlen(text), err, sizeof(err));

	ASSERT_NE(NULL, v) TH_LOG("bad JSON (%s): %s", err, text);
	return v;
}

#endif /* _VMSHMCTL_RUN_H */
