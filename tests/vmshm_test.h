/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the vmshm selftests, in the iommufd selftest style:
 *
 *   _test_cmd_x(...)       the raw call through libvmshm, returns -errno
 *   test_cmd_x(...)        asserts that it succeeds
 *   test_err_x(E, ...)     asserts that it fails with errno E
 *
 * Every program skips (exit 4, KSFT_SKIP) when /dev/vmshm is absent.
 */
#ifndef _VMSHM_TEST_H
#define _VMSHM_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmshm.h"
#include "vmshm_raw_test.h"
#include "vmshm_util.h"

/*
 * What /proc/vmshm adds to a region's perms, as /proc/sysvipc/shm does:
 * SHM_DEST once unlinked, SHM_LOCKED and SHM_HUGETLB for the flags.
 */
#define PROC_PERM_UNLINKED	01000
#define PROC_PERM_LOCKED	02000
#define PROC_PERM_HUGE		04000

/* A name unique to this process and call site. */
#define test_name(buf) \
	snprintf(buf, sizeof(buf), "t%d-%d-%s", getpid(), __LINE__, __func__)

static inline void vmshm_require_device(void)
{
	if (access(VMSHM_DEVICE, F_OK))
		ksft_exit_skip("%s not present: is vmshm.ko loaded?\n",
			       VMSHM_DEVICE);
}

static inline int _test_open(void)
{
	vmshm_require_device();
	return vmshm_open();
}

#define test_open() ({ int __fd = _test_open(); ASSERT_LE(0, __fd); __fd; })

/* Raw ioctl, for the malformed calls the library would never make. */
#define test_ioctl_err(_errno, _fd, _cmd, _arg) \
	ASSERT_EQ(-(_errno), _test_ioctl(_fd, _cmd, _arg))

#define _test_cmd_create(fd, name, size, mode, flags) \
	vmshm_create(fd, name, size, mode, flags, NULL)
#define test_cmd_create(fd, name, size, mode, flags) \
	ASSERT_EQ(0, _test_cmd_create(fd, name, size, mode, flags))
#define test_err_create(_errno, fd, name, size, mode, flags) \
	ASSERT_EQ(-(_errno), _test_cmd_create(fd, name, size, mode, flags))

#define _test_cmd_attach(fd, name, flags) \
	vmshm_attach(fd, name, flags, NULL, NULL)
#define test_cmd_attach(fd, name, flags) \
	ASSERT_EQ(0, _test_cmd_attach(fd, name, flags))
#define test_err_attach(_errno, fd, name, flags) \
	ASSERT_EQ(-(_errno), _test_cmd_attach(fd, name, flags))

#define test_cmd_unlink(fd, name) ASSERT_EQ(0, vmshm_unlink(fd, name))
#define test_err_unlink(_errno, fd, name) \
	ASSERT_EQ(-(_errno), vmshm_unlink(fd, name))

#define test_cmd_stat(fd, st) ASSERT_EQ(0, vmshm_stat(fd, st))
#define test_cmd_info(fd, info) ASSERT_EQ(0, vmshm_get_info(fd, info))

/* mmap() of a window; returns the address or MAP_FAILED with errno. */
static inline void *test_mmap(int fd, size_t len, int prot, off_t off)
{
	return mmap(NULL, len, prot, MAP_SHARED, fd, off);
}

/* Write one byte in each of @n pages starting at @p. */
static inline void touch_pages(volatile char *p, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		p[i * page_size()] = (char)(i + 1);
}

/*
 * The value of the line "@key:\t..." of /proc/self/fdinfo/@fd, without
 * its newline, in @val; returns 0, -ENOENT without that line, or -errno.
 */
static inline int fdinfo_get(int fd, const char *key, char *val,
			     size_t size)
{
	char path[64], buf[1024], *line, *save;
	size_t len = strlen(key);
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	n = read_file(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, key, len) && line[len] == ':' &&
		    line[len + 1] == '\t') {
			snprintf(val, size, "%s", line + len + 2);
			return 0;
		}
	}
	return -ENOENT;
}

/* The same, for a line holding a decimal number. */
static inline int fdinfo_u64(int fd, const char *key, uint64_t *v)
{
	char val[32], *end;
	int ret = fdinfo_get(fd, key, val, sizeof(val));

	if (ret)
		return ret;
	errno = 0;
	*v = strtoull(val, &end, 10);
	return errno || end == val || *end ? -EINVAL : 0;
}

/* Run @fn in a child as uid/gid 65534; returns its exit status. */
static inline int run_as_nobody(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(200);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Wait for a child and return its exit code, or 255 if it was killed. */
static inline int wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return 254;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

/* Run @fn(@arg) in a child; returns its exit code, or -errno. */
static inline int run_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid)
		_exit(fn(arg));
	return wait_child(pid);
}

/* Pass @fd over the unix socket @sock (SCM_RIGHTS).  Returns 0 or -1. */
static inline int send_fd(int sock, int fd)
{
	char c = 0, buf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = buf, .msg_controllen = sizeof(buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

/* Receive an fd passed with send_fd().  Returns it, or -1. */
static inline int recv_fd(int sock)
{
	char c, buf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = buf, .msg_controllen = sizeof(buf) };
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/**
 * struct peer - another process with a read-only mapping of a region
 * @pid: its pid
 * @go: the pipe that lets it exit
 */
struct peer {
	pid_t pid;
	int go;
};

/* The peer's side: returns its exit code. */
static inline int peer_run(const char *name, unsigned long pages,
			   const char *comm, int done, int go)
{
	int fd = vmshm_open();
	volatile char *q;
	char c;

	if (comm)
		prctl(PR_SET_NAME, comm);
	if (fd < 0 || vmshm_attach(fd, name, VMSHM_ATTACH_RDONLY, NULL, NULL))
		return 1;
	/* Pad the address space so the addresses surely differ. */
	mmap(NULL, 64 * page_size(), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	q = test_mmap(fd, pages * page_size(), PROT_READ, 0);
	/* One fault, on the last page, which touch_pages() numbered. */
	if (q == MAP_FAILED || q[(pages - 1) * page_size()] != (char)pages)
		return 2;
	if (write(done, "x", 1) != 1 || read(go, &c, 1) != 1)
		return 3;
	return 0;
}

/*
 * Fork a peer that attaches to @name read-only (named @comm if not NULL),
 * maps its first @pages pages and reads the last of them, which the
 * caller filled with touch_pages().  Returns 0 once it has, or -errno.
 */
static inline int peer_start(struct peer *p, const char *name,
			     unsigned long pages, const char *comm)
{
	int go[2], done[2], ret;
	char c;

	p->pid = -1;
	p->go = -1;
	if (pipe(go))
		return -errno;
	if (pipe(done)) {
		ret = -errno;
		goto err_close_go;
	}
	p->pid = fork();
	if (!p->pid)
		_exit(peer_run(name, pages, comm, done[1], go[0]));
	ret = p->pid < 0 ? -errno : 0;
	if (!ret && read(done[0], &c, 1) != 1)
		ret = -EPIPE;
	close(done[0]);
	close(done[1]);
	if (!ret) {
		p->go = go[1];
		close(go[0]);
		return 0;
	}
err_close_go:
	close(go[0]);
	close(go[1]);
	return ret;
}

/* Let the peer exit; returns its exit code. */
static inline int peer_stop(struct peer *p)
{
	int ret = write(p->go, "x", 1) == 1 ? 0 : 250;

	close(p->go);
	return wait_child(p->pid) ?: ret;
}

#endif /* _VMSHM_TEST_H */
