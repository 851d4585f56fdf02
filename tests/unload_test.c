// SPDX-License-Identifier: GPL-2.0
/*
 * Module unload: refused while a mapping, an fd or a poller holds the
 * module, allowed after, and a name left behind does not block it.  The
 * module is loaded again from $VMSHM_KO (default /lib/vmshm/vmshm.ko), so
 * run this program last.
 */
#include <sys/epoll.h>

#include "vmshm_test.h"

FIXTURE(unload) {
	int fd;
};

FIXTURE_SETUP(unload)
{
	self->fd = test_open();
	test_cmd_create(self->fd, NULL, PAGE_SZ, 0600, VMSHM_CREATE_ANON);
}

FIXTURE_TEARDOWN(unload)
{
	if (access(VMSHM_DEVICE, F_OK))
		vmshm_reload();
}

TEST_F(unload, refused_while_mapped)
{
	char *p = test_mmap(self->fd, PAGE_SZ, PROT_READ | PROT_WRITE, 0);

	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	ASSERT_EQ(-EWOULDBLOCK, vmshm_unload());
	/* The mapping alone still holds the file, and so the module. */
	close(self->fd);
	ASSERT_EQ(-EWOULDBLOCK, vmshm_unload());
	ASSERT_EQ(1, p[0]);
	ASSERT_EQ(0, munmap(p, PAGE_SZ));
	ASSERT_EQ(0, vmshm_unload());
	ASSERT_NE(0, access(VMSHM_DEVICE, F_OK));
	ASSERT_EQ(0, vmshm_reload());
	ASSERT_EQ(0, access("/proc/vmshm", R_OK));
}

TEST_F(unload, refused_while_polled)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int ep = epoll_create1(0);

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	ASSERT_EQ(-EWOULDBLOCK, vmshm_unload());
	close(self->fd);
	/* epoll does not hold the file: closing the fd released it. */
	ASSERT_EQ(0, vmshm_unload());
	close(ep);
	ASSERT_EQ(0, vmshm_reload());
}

TEST_F(unload, name_left_behind)
{
	int fd = test_open();
	struct vmshm_info info;
	char *p;

	test_cmd_create(fd, "left-behind", 4 * PAGE_SZ, 0600, 0);
	p = test_mmap(fd, PAGE_SZ, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	ASSERT_EQ(0, munmap(p, PAGE_SZ));
	close(fd);
	close(self->fd);
	/* Only the name holds the region now; it must not pin the module. */
	ASSERT_EQ(0, vmshm_unload());
	ASSERT_EQ(0, vmshm_reload());
	fd = test_open();
	test_cmd_info(fd, &info);
	test_err_attach(ENOENT, fd, "left-behind", 0);
	close(fd);
	ASSERT_EQ(0, info.out_nr_regions);
	ASSERT_EQ(0, info.out_nr_pages);
	ASSERT_EQ(0, info.out_reserved_pages);
}

TEST_HARNESS_MAIN
