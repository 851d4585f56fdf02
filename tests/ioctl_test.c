// SPDX-License-Identifier: GPL-2.0
/*
 * vmshm ioctl input validation: numbers, struct sizes, flags, reserved
 * fields, names and bad pointers, for every ioctl.
 */
#include "vmshm_test.h"

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = test_open();
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

TEST_F(dev, get_info)
{
	struct vmshm_info info;

	test_cmd_info(self->fd, &info);
	ASSERT_EQ(VMSHM_VERSION, info.out_version);
	ASSERT_EQ(sysconf(_SC_PAGESIZE), info.out_page_size);
	ASSERT_EQ(vmshm_get_param("max_regions"), info.out_max_regions);
	ASSERT_EQ(vmshm_get_param("max_region_size"), info.out_max_region_size);
	ASSERT_EQ(vmshm_get_param("max_total_pages"), info.out_max_total_pages);
	ASSERT_LE(info.out_nr_pages, info.out_reserved_pages);
}

TEST_F(dev, unknown_ioctl)
{
	struct vmshm_info info = { .size = sizeof(info) };

	/* Past the table, below it, another type, and foreign size bits. */
	test_ioctl_err(ENOTTY, self->fd, _IO(VMSHM_TYPE, 0xff), &info);
	test_ioctl_err(ENOTTY, self->fd, _IO(VMSHM_TYPE, 0x01), &info);
	test_ioctl_err(ENOTTY, self->fd, _IO('V', VMSHM_CMD_GET_INFO), &info);
	test_ioctl_err(ENOTTY, self->fd,
		       _IOWR(VMSHM_TYPE, VMSHM_CMD_GET_INFO, int), &info);
}

TEST_F(dev, size_too_small)
{
	struct vmshm_info info = { .size = 0 };

	test_ioctl_err(EINVAL, self->fd, VMSHM_GET_INFO, &info);
	info.size = offsetof(struct vmshm_info, out_swapped_pages) - 8;
	test_ioctl_err(EINVAL, self->fd, VMSHM_GET_INFO, &info);
}

/*
 * The structs of version 2, which programs built then pass (through
 * libvmshm.so's VMSHM_1.0 symbols too): taken, and nothing is written
 * past them.
 */
TEST_F(dev, size_of_version_2)
{
	struct vmshm_info info = {
		.size = offsetof(struct vmshm_info, out_swapped_pages),
		.out_swapped_pages = 7,
	};
	struct vmshm_stat st = {
		.size = offsetof(struct vmshm_stat, out_swapped),
		.out_swapped = 7, .out_flags = 7,
	};
	char name[VMSHM_NAME_MAX];

	ASSERT_EQ(0, _test_ioctl(self->fd, VMSHM_GET_INFO, &info));
	ASSERT_EQ(VMSHM_VERSION, info.out_version);
	ASSERT_EQ(7, info.out_swapped_pages);
	test_name(name);
	test_cmd_create(self->fd, name, page_size(), 0600,
			VMSHM_CREATE_TRANSIENT);
	ASSERT_EQ(0, _test_ioctl(self->fd, VMSHM_STAT, &st));
	ASSERT_EQ(page_size(), st.out_size);
	ASSERT_EQ(7, st.out_swapped);
	ASSERT_EQ(7, st.out_flags);
}

TEST_F(dev, size_larger_zero_tail)
{
	struct {
		struct vmshm_info info;
		__u64 tail[4];
	} big = { .info.size = sizeof(big) };

	ASSERT_EQ(0, _test_ioctl(self->fd, VMSHM_GET_INFO, &big));
	ASSERT_EQ(VMSHM_VERSION, big.info.out_version);
	ASSERT_EQ(0, big.tail[0]);
}

TEST_F(dev, size_larger_nonzero_tail)
{
	struct {
		struct vmshm_info info;
		__u64 tail;
	} big = { .info.size = sizeof(big), .tail = 1 };

	test_ioctl_err(E2BIG, self->fd, VMSHM_GET_INFO, &big);
}

TEST_F(dev, bad_pointer)
{
	test_ioctl_err(EFAULT, self->fd, VMSHM_GET_INFO, NULL);
	test_ioctl_err(EFAULT, self->fd, VMSHM_CREATE, (void *)8);
}

TEST_F(dev, unknown_flags)
{
	struct vmshm_info info = { .size = sizeof(info), .flags = 1 };
	struct vmshm_create c = { .size = sizeof(c), .flags = 1U << 31,
				  .region_size = page_size(), .name = "x" };
	struct vmshm_attach a = { .size = sizeof(a), .flags = 1U << 31,
				  .name = "x" };
	struct vmshm_unlink u = { .size = sizeof(u), .flags = 1, .name = "x" };

	test_ioctl_err(EOPNOTSUPP, self->fd, VMSHM_GET_INFO, &info);
	test_ioctl_err(EOPNOTSUPP, self->fd, VMSHM_CREATE, &c);
	test_ioctl_err(EOPNOTSUPP, self->fd, VMSHM_ATTACH, &a);
	test_ioctl_err(EOPNOTSUPP, self->fd, VMSHM_UNLINK, &u);
}

TEST_F(dev, unknown_flags_bound)
{
	struct vmshm_wait w = { .size = sizeof(w), .flags = 1U << 31 };
	struct vmshm_wake k = { .size = sizeof(k), .flags = 1U << 31 };
	struct vmshm_stat s = { .size = sizeof(s), .flags = 1 };

	test_cmd_create(self->fd, NULL, page_size(), 0600, VMSHM_CREATE_ANON);
	test_ioctl_err(EOPNOTSUPP, self->fd, VMSHM_WAIT, &w);
	test_ioctl_err(EOPNOTSUPP, self->fd, VMSHM_WAKE, &k);
	test_ioctl_err(EOPNOTSUPP, self->fd, VMSHM_STAT, &s);
}

TEST_F(dev, reserved_nonzero)
{
	struct vmshm_create c = { .size = sizeof(c), .region_size = page_size(),
				  .mode = 0600, .name = "resv" };
	struct vmshm_attach a = { .size = sizeof(a), .name = "resv",
				  .__reserved = 1 };
	struct vmshm_wait w = { .size = sizeof(w), .__reserved = 1 };
	struct vmshm_wake k = { .size = sizeof(k), .__reserved = 1 };
	struct vmshm_stat st = { .size = sizeof(st), .__reserved = 1 };

	c.__reserved = 1;
	test_ioctl_err(EINVAL, self->fd, VMSHM_CREATE, &c);
	c.__reserved = 0;
	c.__reserved2 = 1;
	test_ioctl_err(EINVAL, self->fd, VMSHM_CREATE, &c);
	test_ioctl_err(EINVAL, self->fd, VMSHM_ATTACH, &a);

	test_cmd_create(self->fd, NULL, page_size(), 0600, VMSHM_CREATE_ANON);
	test_ioctl_err(EINVAL, self->fd, VMSHM_WAIT, &w);
	test_ioctl_err(EINVAL, self->fd, VMSHM_WAKE, &k);
	test_ioctl_err(EINVAL, self->fd, VMSHM_STAT, &st);
}

TEST_F(dev, name_rules)
{
	struct vmshm_create c = { .size = sizeof(c), .region_size = page_size(),
				  .mode = 0600 };

	/* empty */
	test_ioctl_err(EINVAL, self->fd, VMSHM_CREATE, &c);
	/* not terminated within VMSHM_NAME_MAX */
	memset(c.name, 'a', sizeof(c.name));
	test_ioctl_err(ENAMETOOLONG, self->fd, VMSHM_CREATE, &c);
	/* the longest legal name works */
	c.name[VMSHM_NAME_MAX - 1] = 0;
	ASSERT_EQ(0, _test_ioctl(self->fd, VMSHM_CREATE, &c));
	test_cmd_unlink(self->fd, c.name);
}

TEST_F(dev, name_bad_bytes)
{
	/* Bytes >= 0x80 too, which the kernel's isalnum() takes as Latin-1. */
	static const char *const bad[] = { "a/b", "a b", "a\nb", "(anon)",
					   "caf\xc3\xa9", "\xff", "caf\xe9",
					   "\xc0\xc1", "a\xd8z", "\x80" };
	struct vmshm_create c = { .size = sizeof(c), .region_size = page_size(),
				  .mode = 0600 };
	struct vmshm_attach a = { .size = sizeof(a) };
	struct vmshm_unlink u = { .size = sizeof(u) };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(c.name, 0, sizeof(c.name));
		strcpy(c.name, bad[i]);
		test_ioctl_err(EINVAL, self->fd, VMSHM_CREATE, &c);
		memcpy(a.name, c.name, sizeof(a.name));
		test_ioctl_err(EINVAL, self->fd, VMSHM_ATTACH, &a);
		memcpy(u.name, c.name, sizeof(u.name));
		test_ioctl_err(EINVAL, self->fd, VMSHM_UNLINK, &u);
	}
	/* garbage after the terminating NUL */
	memset(c.name, 0, sizeof(c.name));
	strcpy(c.name, "ok");
	c.name[10] = 'x';
	test_ioctl_err(EINVAL, self->fd, VMSHM_CREATE, &c);
	test_ioctl_err(EINVAL, self->fd, VMSHM_UNLINK,
		       &((struct vmshm_unlink){ .size = 72, .name = "" }));
}

TEST_F(dev, unbound_fd)
{
	struct vmshm_stat st;
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	__u64 seq;

	ASSERT_EQ(-ENODEV, vmshm_stat(self->fd, &st));
	ASSERT_EQ(-ENODEV, vmshm_wake(self->fd, 0));
	ASSERT_EQ(MAP_FAILED, test_mmap(self->fd, page_size(), PROT_READ, 0));
	ASSERT_EQ(ENODEV, errno);
	ASSERT_EQ(-1, read(self->fd, &seq, sizeof(seq)));
	ASSERT_EQ(ENODEV, errno);
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_EQ(POLLERR, pfd.revents);
}

TEST_F(dev, bind_twice)
{
	char name[VMSHM_NAME_MAX];

	test_name(name);
	test_cmd_create(self->fd, name, page_size(), 0600, VMSHM_CREATE_TRANSIENT);
	test_err_create(EBUSY, self->fd, NULL, page_size(), 0600,
			VMSHM_CREATE_ANON);
	test_err_attach(EBUSY, self->fd, name, 0);
}

/*
 * A CREATE whose results cannot be written back fails with EFAULT, but
 * the file is bound, as vmshm(4) says: STAT gives the id, the name is
 * taken, and closing the file undoes it all.
 */
TEST_F(dev, create_efault_on_copy_back)
{
	struct vmshm_create *c;
	struct vmshm_stat st;
	char name[VMSHM_NAME_MAX];
	int fd;

	test_name(name);
	c = mmap(NULL, page_size(), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, c);
	*c = (struct vmshm_create){ .size = sizeof(*c), .region_size = page_size(),
				    .mode = 0600,
				    .flags = VMSHM_CREATE_TRANSIENT };
	strcpy(c->name, name);
	/* Readable for copy_struct_from_user(), not writable for the rest. */
	ASSERT_EQ(0, mprotect(c, page_size(), PROT_READ));
	test_ioctl_err(EFAULT, self->fd, VMSHM_CREATE, c);
	test_cmd_stat(self->fd, &st);
	ASSERT_NE(0, st.out_id);
	fd = test_open();
	test_err_create(EEXIST, fd, name, page_size(), 0600, 0);
	close(self->fd);
	self->fd = -1;
	test_cmd_create(fd, name, page_size(), 0600, VMSHM_CREATE_TRANSIENT);
	close(fd);
	munmap(c, page_size());
}

TEST_HARNESS_MAIN
