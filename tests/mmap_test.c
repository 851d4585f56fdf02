// SPDX-License-Identifier: GPL-2.0
/*
 * vmshm mappings: shared and private, bounds, read-only attachments, lazy
 * faults and their counts across munmap, mprotect, fork and mremap.
 * shmem_test goes further into copy-on-write, huge pages and swap.
 */
#include "vmshm_test.h"

#define NR_PAGES	8

FIXTURE(map) {
	int fd;
	char name[VMSHM_NAME_MAX];
};

FIXTURE_SETUP(map)
{
	self->fd = test_open();
	snprintf(self->name, sizeof(self->name), "map-%d", getpid());
	test_cmd_create(self->fd, self->name, NR_PAGES * page_size(), 0644,
			VMSHM_CREATE_TRANSIENT);
}

FIXTURE_TEARDOWN(map)
{
	close(self->fd);
}

static struct vmshm_stat stat_of(int fd)
{
	struct vmshm_stat st = { 0 };

	vmshm_stat(fd, &st);
	return st;
}

/* A private mapping reads the region; its writes stay its own. */
TEST_F(map, private_copy)
{
	char *s = test_mmap(self->fd, page_size(), PROT_READ | PROT_WRITE, 0);
	char *p = mmap(NULL, page_size(), PROT_READ | PROT_WRITE, MAP_PRIVATE,
		       self->fd, 0);

	ASSERT_NE(MAP_FAILED, s);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(s, "shared");
	ASSERT_STREQ("shared", p);
	strcpy(p, "private");
	ASSERT_STREQ("shared", s);
	ASSERT_STREQ("private", p);
	ASSERT_EQ(1, stat_of(self->fd).out_resident);
	ASSERT_EQ(0, munmap(p, page_size()));
	ASSERT_EQ(0, munmap(s, page_size()));
}

TEST_F(map, bounds)
{
	ASSERT_EQ(MAP_FAILED, test_mmap(self->fd, (NR_PAGES + 1) * page_size(),
					PROT_READ, 0));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(MAP_FAILED, test_mmap(self->fd, 2 * page_size(), PROT_READ,
					(NR_PAGES - 1) * page_size()));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(MAP_FAILED, test_mmap(self->fd, page_size(), PROT_READ,
					NR_PAGES * page_size()));
	ASSERT_EQ(EINVAL, errno);
	/* The last page alone is fine. */
	ASSERT_NE(MAP_FAILED, test_mmap(self->fd, page_size(), PROT_READ,
					(NR_PAGES - 1) * page_size()));
}

TEST_F(map, huge_offset)
{
	/* Would wrap pgoff + pages if the check were written naively. */
	off_t off = (off_t)(~0ULL >> 1) & ~(page_size() - 1);

	ASSERT_EQ(MAP_FAILED, test_mmap(self->fd, page_size(), PROT_READ, off));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(MAP_FAILED, test_mmap(self->fd, 4 * page_size(), PROT_READ,
					off - 2 * page_size()));
	ASSERT_EQ(EINVAL, errno);
	/*
	 * Near the largest offset, or wrapping around, the mm core refuses
	 * before vmshm sees the call (vmshm(4)).
	 */
	off = (off_t)(~0ULL & ~(page_size() - 1));
	ASSERT_EQ(MAP_FAILED, test_mmap(self->fd, page_size(), PROT_READ, off));
	ASSERT_EQ(EOVERFLOW, errno);
	ASSERT_EQ(MAP_FAILED, test_mmap(self->fd, 4 * page_size(), PROT_READ,
					off - page_size()));
	ASSERT_EQ(EOVERFLOW, errno);
}

/* PROT_EXEC is allowed, as for a tmpfs file (vmshm(4)). */
TEST_F(map, exec_allowed)
{
	char *p = test_mmap(self->fd, page_size(), PROT_READ | PROT_EXEC, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, p[0]);
	ASSERT_EQ(0, munmap(p, page_size()));
}

/*
 * The binding decides, not the open file's mode: an O_RDONLY file bound
 * read-write may WAKE; only mmap() checks the open file, as for any file.
 */
TEST_F(map, rdonly_open_file_rw_binding)
{
	int fd = open(VMSHM_DEVICE, O_RDONLY | O_CLOEXEC);
	char *p;

	ASSERT_LE(0, fd);
	test_cmd_attach(fd, self->name, 0);
	ASSERT_EQ(0, vmshm_wake(fd, false));
	ASSERT_EQ(MAP_FAILED, test_mmap(fd, page_size(), PROT_READ | PROT_WRITE, 0));
	ASSERT_EQ(EACCES, errno);
	p = test_mmap(fd, page_size(), PROT_READ, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p, page_size()));
	close(fd);
}

TEST_F(map, zero_length)
{
	ASSERT_EQ(MAP_FAILED, test_mmap(self->fd, 0, PROT_READ, 0));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(map, fresh_pages_are_zero)
{
	unsigned char *p = test_mmap(self->fd, NR_PAGES * page_size(), PROT_READ, 0);
	unsigned long i;

	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < NR_PAGES * page_size(); i++)
		ASSERT_EQ(0, p[i]);
	munmap(p, NR_PAGES * page_size());
}

TEST_F(map, shared_between_attachments)
{
	int fd2 = test_open();
	char *p, *q;

	test_cmd_attach(fd2, self->name, 0);
	p = test_mmap(self->fd, page_size(), PROT_READ | PROT_WRITE, 0);
	q = test_mmap(fd2, page_size(), PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_NE(MAP_FAILED, q);
	/* One physical page, two virtual addresses. */
	ASSERT_NE(p, q);
	strcpy(p, "hello");
	ASSERT_STREQ("hello", q);
	q[0] = 'j';
	ASSERT_STREQ("jello", p);
	close(fd2);
}

static int readonly_child(void *arg)
{
	const char *name = arg;
	int fd = vmshm_open();
	char *p;

	if (fd < 0 || vmshm_attach(fd, name, VMSHM_ATTACH_RDONLY, NULL, NULL))
		return 1;
	if (test_mmap(fd, page_size(), PROT_READ | PROT_WRITE, 0) != MAP_FAILED ||
	    errno != EACCES)
		return 2;
	p = test_mmap(fd, page_size(), PROT_READ, 0);
	if (p == MAP_FAILED)
		return 3;
	if (mprotect(p, page_size(), PROT_READ | PROT_WRITE) != -1 ||
	    errno != EACCES)
		return 4;
	if (vmshm_wake(fd, 0) != -EBADF)
		return 5;
	/* Waiting reads, but a sleepers word would be written: refused. */
	if (vmshm_wait(fd, 0, 1, 0, 64, VMSHM_WAIT_SLEEPERS) != -EBADF)
		return 6;
	if (vmshm_wait(fd, 0, 1, 0, VMSHM_NO_SLEEPERS, 0) != -EAGAIN)
		return 7;
	return 0;
}

TEST_F(map, readonly_attachment)
{
	ASSERT_EQ(0, readonly_child(self->name));
	/* Also as another user, where only the r bit of 0644 applies. */
	ASSERT_EQ(0, run_as_nobody(readonly_child, self->name));
}

TEST_F(map, faults_counted)
{
	char *p = test_mmap(self->fd, NR_PAGES * page_size(),
			    PROT_READ | PROT_WRITE, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, stat_of(self->fd).out_faults);
	touch_pages(p, 3);
	ASSERT_EQ(3, stat_of(self->fd).out_faults);
	ASSERT_EQ(3, stat_of(self->fd).out_resident);
	/* Touching the same pages again takes no fault. */
	touch_pages(p, 3);
	ASSERT_EQ(3, stat_of(self->fd).out_faults);
	ASSERT_EQ(1, stat_of(self->fd).out_nr_mappings);
}

TEST_F(map, partial_munmap)
{
	char *p = test_mmap(self->fd, NR_PAGES * page_size(),
			    PROT_READ | PROT_WRITE, 0);

	ASSERT_NE(MAP_FAILED, p);
	touch_pages(p, NR_PAGES);
	/* A hole in the middle splits the VMA in two. */
	ASSERT_EQ(0, munmap(p + 2 * page_size(), 2 * page_size()));
	ASSERT_EQ(2, stat_of(self->fd).out_nr_mappings);
	ASSERT_EQ(NR_PAGES, stat_of(self->fd).out_resident);
	touch_pages(p, 2);
	touch_pages(p + 4 * page_size(), NR_PAGES - 4);
	ASSERT_EQ(NR_PAGES, stat_of(self->fd).out_faults);
	/* The data of the unmapped pages is still in the region. */
	p = test_mmap(self->fd, page_size(), PROT_READ, 2 * page_size());
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(3, p[0]);
	ASSERT_EQ(3, stat_of(self->fd).out_nr_mappings);
	ASSERT_EQ(NR_PAGES + 1, stat_of(self->fd).out_faults);
}

TEST_F(map, mprotect_split)
{
	char *p = test_mmap(self->fd, NR_PAGES * page_size(),
			    PROT_READ | PROT_WRITE, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, mprotect(p + page_size(), page_size(), PROT_READ));
	ASSERT_EQ(3, stat_of(self->fd).out_nr_mappings);
	touch_pages(p, 1);
	ASSERT_EQ(0, p[page_size()]);
	ASSERT_EQ(2, stat_of(self->fd).out_faults);
	ASSERT_EQ(0, munmap(p, NR_PAGES * page_size()));
	ASSERT_EQ(0, stat_of(self->fd).out_nr_mappings);
}

TEST_F(map, fork_counts)
{
	char *p = test_mmap(self->fd, NR_PAGES * page_size(),
			    PROT_READ | PROT_WRITE, 0);
	pid_t pid;

	ASSERT_NE(MAP_FAILED, p);
	touch_pages(p, 2);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* The child sees the parent's data through its own VMA. */
		if (p[0] != 1 || p[page_size()] != 2)
			_exit(1);
		touch_pages(p + 2 * page_size(), 2);
		_exit(stat_of(self->fd).out_nr_mappings == 2 ? 0 : 2);
	}
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_EQ(1, stat_of(self->fd).out_nr_mappings);
	/* The child faulted at least the two new pages. */
	ASSERT_LE(4, stat_of(self->fd).out_faults);
	ASSERT_EQ(1, p[2 * page_size()]);
	ASSERT_EQ(2, p[3 * page_size()]);
}

TEST_F(map, mremap_grow_fails)
{
	char *p = test_mmap(self->fd, 2 * page_size(), PROT_READ | PROT_WRITE, 0);

	ASSERT_NE(MAP_FAILED, p);
	p[0] = 42;
	ASSERT_EQ(MAP_FAILED, mremap(p, 2 * page_size(), 4 * page_size(),
				     MREMAP_MAYMOVE));
	ASSERT_EQ(EFAULT, errno);
	/* The failed mremap left the mapping and its counts alone. */
	ASSERT_EQ(1, stat_of(self->fd).out_nr_mappings);
	ASSERT_EQ(42, p[0]);
	ASSERT_EQ(1, stat_of(self->fd).out_faults);
}

TEST_F(map, mremap_shrink_and_move)
{
	char *p = test_mmap(self->fd, 4 * page_size(), PROT_READ | PROT_WRITE, 0);
	char *q, *hole;

	ASSERT_NE(MAP_FAILED, p);
	touch_pages(p, 4);
	ASSERT_EQ(p, mremap(p, 4 * page_size(), 2 * page_size(), 0));
	ASSERT_EQ(1, stat_of(self->fd).out_nr_mappings);
	hole = mmap(NULL, 2 * page_size(), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	q = mremap(p, 2 * page_size(), 2 * page_size(), MREMAP_MAYMOVE | MREMAP_FIXED,
		   hole);
	ASSERT_EQ(hole, q);
	ASSERT_EQ(1, stat_of(self->fd).out_nr_mappings);
	ASSERT_EQ(2, q[page_size()]);
	ASSERT_EQ(4, stat_of(self->fd).out_faults);
}

TEST_F(map, dontneed_keeps_data)
{
	char *p = test_mmap(self->fd, page_size(), PROT_READ | PROT_WRITE, 0);

	ASSERT_NE(MAP_FAILED, p);
	p[0] = 7;
	/* Drops the PTE, not the page: the next touch faults it back. */
	ASSERT_EQ(0, madvise(p, page_size(), MADV_DONTNEED));
	ASSERT_EQ(7, p[0]);
	ASSERT_EQ(2, stat_of(self->fd).out_faults);
	ASSERT_EQ(1, stat_of(self->fd).out_resident);
}

TEST_F(map, populate_counts_faults)
{
	void *p = mmap(NULL, NR_PAGES * page_size(), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, self->fd, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(NR_PAGES, stat_of(self->fd).out_faults);
}

/* What VMSHM_ATTACH_PREFAULT did until version 3, for any file. */
TEST_F(map, populate_then_no_fault)
{
	unsigned char vec[NR_PAGES];
	int fd2 = test_open();
	char *p;
	int i;

	test_cmd_attach(fd2, self->name, 0);
	p = mmap(NULL, NR_PAGES * page_size(), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_POPULATE, fd2, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(NR_PAGES, stat_of(fd2).out_resident);
	ASSERT_EQ(0, mincore(p, NR_PAGES * page_size(), vec));
	for (i = 0; i < NR_PAGES; i++)
		ASSERT_EQ(1, vec[i] & 1);
	/* Every PTE is there, writable, so touching takes no more fault. */
	touch_pages(p, NR_PAGES);
	ASSERT_EQ(NR_PAGES, stat_of(fd2).out_faults);
	close(fd2);
}

TEST_HARNESS_MAIN
