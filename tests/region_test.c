// SPDX-License-Identifier: GPL-2.0
/*
 * vmshm region lifetime: create, attach, unlink, permissions, limits,
 * anonymous and transient regions, and that every page comes back.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include "vmshm_test.h"

FIXTURE(region) {
	int fd;
	char name[VMSHM_NAME_MAX];
	struct vmshm_info before;
};

FIXTURE_SETUP(region)
{
	self->fd = test_open();
	test_cmd_info(self->fd, &self->before);
	snprintf(self->name, sizeof(self->name), "region-%d", getpid());
}

FIXTURE_TEARDOWN(region)
{
	vmshm_unlink(self->fd, self->name);
	close(self->fd);
}

/* The module-wide counters are back where the test started. */
#define ASSERT_ALL_FREED(_self) do {					\
	struct vmshm_info __now;					\
	int __fd = vmshm_open();					\
	ASSERT_LE(0, __fd);						\
	test_cmd_info(__fd, &__now);					\
	close(__fd);							\
	ASSERT_EQ((_self)->before.out_nr_regions, __now.out_nr_regions); \
	ASSERT_EQ((_self)->before.out_reserved_pages,			\
		  __now.out_reserved_pages);				\
	ASSERT_EQ((_self)->before.out_nr_pages, __now.out_nr_pages);	\
} while (0)

TEST_F(region, create_attach_stat)
{
	struct vmshm_stat st;
	uint64_t size = 0;
	uint32_t id = 0, id2 = 0;
	int fd2 = test_open();

	ASSERT_EQ(0, vmshm_create(self->fd, self->name, 3 * page_size() + 1, 0640,
				  0, &id));
	ASSERT_EQ(0, vmshm_attach(fd2, self->name, 0, &size, &id2));
	ASSERT_EQ(id, id2);
	ASSERT_EQ(4 * page_size(), size);
	test_cmd_stat(fd2, &st);
	ASSERT_EQ(id, st.out_id);
	ASSERT_EQ(4 * page_size(), st.out_size);
	ASSERT_EQ(2, st.out_nr_attach);
	ASSERT_EQ(0, st.out_resident);
	ASSERT_EQ(getuid(), st.out_uid);
	ASSERT_EQ(getgid(), st.out_gid);
	close(fd2);
	test_cmd_stat(self->fd, &st);
	ASSERT_EQ(1, st.out_nr_attach);
}

TEST_F(region, exists)
{
	int fd2 = test_open();

	test_cmd_create(self->fd, self->name, page_size(), 0600, 0);
	test_err_create(EEXIST, fd2, self->name, page_size(), 0600, 0);
	close(fd2);
}

TEST_F(region, not_found)
{
	test_err_attach(ENOENT, self->fd, "no-such-region", 0);
	test_err_unlink(ENOENT, self->fd, "no-such-region");
}

TEST_F(region, bad_size_and_mode)
{
	test_err_create(EINVAL, self->fd, self->name, 0, 0600, 0);
	test_err_create(EINVAL, self->fd, self->name, page_size(), 01777, 0);
	test_err_create(EINVAL, self->fd, self->name, page_size(), 0600,
			VMSHM_CREATE_ANON);
	test_err_create(EINVAL, self->fd, NULL, page_size(), 0600,
			VMSHM_CREATE_ANON | VMSHM_CREATE_TRANSIENT);
}

TEST_F(region, umask_applies)
{
	struct vmshm_stat st;
	mode_t old = umask(027);

	test_cmd_create(self->fd, self->name, page_size(), 0666, 0);
	umask(old);
	test_cmd_stat(self->fd, &st);
	ASSERT_EQ(0640, st.out_mode);
}

TEST_F(region, limit_region_size)
{
	unsigned long max = vmshm_get_param("max_region_size");

	ASSERT_LT(0, max);
	test_err_create(EFBIG, self->fd, self->name, max + 1, 0600, 0);
	test_cmd_create(self->fd, self->name, max, 0600, 0);
}

TEST_F(region, limit_regions)
{
	unsigned long old = vmshm_get_param("max_regions");
	int fd2 = test_open();

	ASSERT_EQ(0, vmshm_set_param("max_regions",
				     self->before.out_nr_regions + 1));
	test_cmd_create(self->fd, self->name, page_size(), 0600, 0);
	test_err_create(ENOSPC, fd2, NULL, page_size(), 0600, VMSHM_CREATE_ANON);
	ASSERT_EQ(0, vmshm_set_param("max_regions", old));
	test_cmd_create(fd2, NULL, page_size(), 0600, VMSHM_CREATE_ANON);
	close(fd2);
}

TEST_F(region, limit_total_pages)
{
	unsigned long old = vmshm_get_param("max_total_pages");
	unsigned long room = 4;
	int fd2 = test_open();

	ASSERT_EQ(0, vmshm_set_param("max_total_pages",
				     self->before.out_reserved_pages + room));
	test_cmd_create(self->fd, self->name, room * page_size(), 0600, 0);
	test_err_create(ENOSPC, fd2, NULL, page_size(), 0600, VMSHM_CREATE_ANON);
	ASSERT_EQ(0, vmshm_set_param("max_total_pages", old));
	close(fd2);
}

static int attach_as_other(void *arg)
{
	const char *name = arg;
	int fd = vmshm_open();

	if (fd < 0)
		return 1;
	if (vmshm_attach(fd, name, 0, NULL, NULL) != -EACCES)
		return 2;
	if (vmshm_attach(fd, name, VMSHM_ATTACH_RDONLY, NULL, NULL) != -EACCES)
		return 3;
	if (vmshm_unlink(fd, name) != -EPERM)
		return 4;
	return 0;
}

TEST_F(region, other_uid_0600)
{
	test_cmd_create(self->fd, self->name, page_size(), 0600, 0);
	ASSERT_EQ(0, run_as_nobody(attach_as_other, self->name));
}

static int attach_readonly_as_other(void *arg)
{
	const char *name = arg;
	int fd = vmshm_open();

	if (fd < 0)
		return 1;
	if (vmshm_attach(fd, name, 0, NULL, NULL) != -EACCES)
		return 2;
	if (vmshm_attach(fd, name, VMSHM_ATTACH_RDONLY, NULL, NULL))
		return 3;
	return 0;
}

TEST_F(region, other_uid_0644)
{
	umask(0);
	test_cmd_create(self->fd, self->name, page_size(), 0644, 0);
	ASSERT_EQ(0, run_as_nobody(attach_readonly_as_other, self->name));
}

TEST_F(region, unlink_keeps_memory)
{
	int fd2 = test_open();
	char *p, *q;

	test_cmd_create(self->fd, self->name, page_size(), 0600, 0);
	test_cmd_attach(fd2, self->name, 0);
	p = test_mmap(self->fd, page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	test_cmd_unlink(self->fd, self->name);
	test_err_attach(ENOENT, test_open(), self->name, 0);
	close(self->fd);
	self->fd = test_open();
	q = test_mmap(fd2, page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, q);
	strcpy(p, "still here");
	ASSERT_STREQ("still here", q);
	munmap(p, page_size());
	munmap(q, page_size());
	close(fd2);
	ASSERT_ALL_FREED(self);
}

TEST_F(region, persistent_name)
{
	int fd2 = test_open();

	test_cmd_create(fd2, self->name, 2 * page_size(), 0600, 0);
	close(fd2);
	/* The name alone keeps it, like POSIX shm. */
	fd2 = test_open();
	test_cmd_attach(fd2, self->name, 0);
	close(fd2);
	test_cmd_unlink(self->fd, self->name);
	ASSERT_ALL_FREED(self);
}

TEST_F(region, transient_name)
{
	int fd2 = test_open();
	char *p;

	test_cmd_create(fd2, self->name, page_size(), 0600, VMSHM_CREATE_TRANSIENT);
	p = test_mmap(fd2, page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	close(fd2);
	/* The mapping still holds it, so the name still resolves. */
	test_cmd_attach(self->fd, self->name, 0);
	close(self->fd);
	munmap(p, page_size());
	self->fd = test_open();
	test_err_attach(ENOENT, self->fd, self->name, 0);
	ASSERT_ALL_FREED(self);
}

TEST_F(region, anon_over_fork)
{
	char *p;
	pid_t pid;

	test_cmd_create(self->fd, NULL, page_size(), 0600, VMSHM_CREATE_ANON);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char *c = test_mmap(self->fd, page_size(), PROT_WRITE, 0);

		if (c == MAP_FAILED)
			_exit(1);
		strcpy(c, "from child");
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
	p = test_mmap(self->fd, page_size(), PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_STREQ("from child", p);
	munmap(p, page_size());
	close(self->fd);
	self->fd = test_open();
	ASSERT_ALL_FREED(self);
}

TEST_F(region, anon_over_scm_rights)
{
	int sv[2], status;
	char *p;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* The child never had the fd: it gets it over the socket. */
		int fd = recv_fd(sv[1]);
		char *c;

		if (fd < 0)
			_exit(1);
		c = test_mmap(fd, page_size(), PROT_READ | PROT_WRITE, 0);
		if (c == MAP_FAILED)
			_exit(2);
		strcpy(c, "via SCM_RIGHTS");
		_exit(0);
	}
	test_cmd_create(self->fd, NULL, page_size(), 0600, VMSHM_CREATE_ANON);
	ASSERT_EQ(0, send_fd(sv[0], self->fd));
	status = wait_child(pid);
	ASSERT_EQ(0, status);
	p = test_mmap(self->fd, page_size(), PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_STREQ("via SCM_RIGHTS", p);
	munmap(p, page_size());
	close(sv[0]);
	close(sv[1]);
}

/* The fault attribute of fault_inject.c, on debug kernels only. */
#define FAIL_LINK_NAME	"/sys/kernel/debug/vmshm_fail_link_name"

/* Mark the calling thread for fault attributes ("1") or unmark it ("0"). */
static int make_it_fail(const char *on)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%ld/make-it-fail",
		 (long)syscall(SYS_gettid));
	return write_file(path, on);
}

/* 1 when /proc/vmshm has a region row named @name, 0 if not, or -errno. */
static int proc_lists(const char *name)
{
	char line[512], first[VMSHM_NAME_MAX + 1];
	FILE *f = fopen("/proc/vmshm", "r");
	int found = 0;

	if (!f)
		return -errno;
	while (!found && fgets(line, sizeof(line), f))
		found = line[0] != ' ' && sscanf(line, "%64s", first) == 1 &&
			!strcmp(first, name);
	fclose(f);
	return found;
}

/*
 * A name that cannot be linked (the name table could not grow) fails
 * CREATE with ENOMEM and leaves nothing behind: no region in /proc/vmshm
 * or in the totals, no name, and the file is still free to create the
 * same name again.
 */
TEST_F(region, create_link_name_enomem)
{
	int ret;

	if (access(FAIL_LINK_NAME, F_OK))
		SKIP(return, "%s: needs CONFIG_FAULT_INJECTION_DEBUG_FS",
		     FAIL_LINK_NAME);
	ASSERT_EQ(0, write_file(FAIL_LINK_NAME "/verbose", "0"));
	ASSERT_EQ(0, write_file(FAIL_LINK_NAME "/task-filter", "Y"));
	ASSERT_EQ(0, write_file(FAIL_LINK_NAME "/interval", "1"));
	ASSERT_EQ(0, write_file(FAIL_LINK_NAME "/probability", "100"));
	ASSERT_EQ(0, write_file(FAIL_LINK_NAME "/times", "1"));

	ASSERT_EQ(0, make_it_fail("1"));
	ret = _test_cmd_create(self->fd, self->name, 2 * page_size(), 0600, 0);
	ASSERT_EQ(0, make_it_fail("0"));
	ASSERT_EQ(0, write_file(FAIL_LINK_NAME "/probability", "0"));
	ASSERT_EQ(-ENOMEM, ret);

	ASSERT_EQ(0, proc_lists(self->name));
	test_err_attach(ENOENT, self->fd, self->name, 0);
	ASSERT_ALL_FREED(self);

	test_cmd_create(self->fd, self->name, 2 * page_size(), 0600, 0);
	ASSERT_EQ(1, proc_lists(self->name));
	test_cmd_unlink(self->fd, self->name);
	close(self->fd);
	self->fd = test_open();
	ASSERT_ALL_FREED(self);
}

TEST_HARNESS_MAIN
