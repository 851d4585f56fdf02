// SPDX-License-Identifier: GPL-2.0
/*
 * Pages that get_user_pages() holds outlive the region: the bug class of
 * CVE-2024-0582, where io_uring freed pages that user space could still
 * reach.  Each test takes references on the pages of a mapping, then lets
 * the region go (the mapping is unmapped, the fd closed, and another
 * process unlinks the name), and only then uses the references:
 *
 *   odirect         an O_DIRECT read from a RAM disk (brd) into the
 *                   mapping, held up inside get_user_pages() by a
 *                   userfaultfd page at the end of the buffer, right after
 *                   it took the region's pages
 *   vmsplice        the mapping spliced into a pipe, read back afterwards
 *   io_uring_fixed  the mapping registered as an io_uring fixed buffer
 *                   (IORING_REGISTER_BUFFERS), then WRITE_FIXED and
 *                   READ_FIXED through it, then IORING_UNREGISTER_BUFFERS
 *
 * In the "gone" variant the region is freed while the references exist:
 * the module's counters are back where they were, yet the pages must
 * still hold the region's data and take I/O, and with a memory cgroup
 * they stay charged until the last reference goes, then are uncharged.
 * In the "held" variant a third process keeps its own mapping, which must
 * see what the pinned I/O wrote: the references are to the region's own
 * pages.  A write into a freed page trips page_poison=1 (vm-run.sh) or
 * KASAN (make check-debug).
 *
 * odirect skips without /dev/ram0 (brd, which vm-run.sh loads) or
 * userfaultfd; io_uring_fixed skips where io_uring is disabled or takes no
 * file-backed fixed buffers (EOPNOTSUPP: older kernels such as 6.1).
 */
#include <linux/io_uring.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "vmshm_test.h"
#include "vmshm_cgroup.h"

#define NR_PAGES	1024	/* the region: 4 MiB, far above the memcg slack */
#define DIO_PAGES	255	/* with the userfaultfd page, a single bio */
#define RAM_DISK	"/dev/ram0"
#define SEED_A		1	/* what the region held */
#define SEED_B		2	/* what pinned I/O wrote into it */

/* A byte pattern that differs at every offset for different seeds. */
static unsigned char pattern(int seed, size_t off)
{
	return (unsigned char)(off * 7 + (off >> 12) * 13 + seed * 29);
}

static void fill(unsigned char *p, size_t len, int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pattern(seed, i);
}

/* The first byte of @p that is not @seed's at offset @first + i, or -1. */
static ssize_t mismatch(const unsigned char *p, size_t first, size_t len,
			int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != pattern(seed, first + i))
			return i;
	return -1;
}

static int read_full(int fd, unsigned char *p, size_t len)
{
	ssize_t n;

	for (; len; p += n, len -= n) {
		n = read(fd, p, len);
		if (n <= 0)
			return n ? -errno : -EPIPE;
	}
	return 0;
}

static int write_full(int fd, const unsigned char *p, size_t len)
{
	ssize_t n;

	for (; len; p += n, len -= n) {
		n = write(fd, p, len);
		if (n < 0)
			return -errno;
	}
	return 0;
}

/**
 * struct holder - a third process with its own mapping of the region
 * @pid: its pid, 0 when there is none
 * @cmd: the test writes a struct holder_cmd here
 * @ack: the holder answers each command with one byte: 0 done or matched,
 *	1 mismatch
 */
struct holder {
	pid_t pid;
	int cmd;
	int ack;
};

enum { HOLDER_WRITE, HOLDER_CHECK };

struct holder_cmd {
	int op;
	int seed;
	unsigned int pages;
};

static int holder_run(const char *name, int cmd, int ack)
{
	struct holder_cmd c;
	unsigned char *p;
	char res = 0;
	int fd = vmshm_open();

	if (fd < 0 || vmshm_attach(fd, name, 0, NULL, NULL))
		return 1;
	p = test_mmap(fd, NR_PAGES * page_size(), PROT_READ | PROT_WRITE, 0);
	if (p == MAP_FAILED)
		return 2;
	/* From now on only the mapping keeps the region. */
	close(fd);
	while (write(ack, &res, 1) == 1 &&
	       read(cmd, &c, sizeof(c)) == sizeof(c)) {
		res = 0;
		if (c.op == HOLDER_WRITE)
			fill(p, c.pages * page_size(), c.seed);
		else
			res = mismatch(p, 0, c.pages * page_size(), c.seed) >= 0;
	}
	return 0;
}

/* Fork a holder of region @name; returns 0 once it maps it, or -1. */
static int holder_start(struct holder *h, const char *name)
{
	int cmd[2], ack[2];
	char c;

	if (pipe2(cmd, O_CLOEXEC))
		return -1;
	if (pipe2(ack, O_CLOEXEC)) {
		close(cmd[0]);
		close(cmd[1]);
		return -1;
	}
	h->pid = fork();
	if (!h->pid) {
		close(cmd[1]);
		close(ack[0]);
		_exit(holder_run(name, cmd[0], ack[1]));
	}
	close(cmd[0]);
	close(ack[1]);
	h->cmd = cmd[1];
	h->ack = ack[0];
	if (h->pid > 0 && read(h->ack, &c, 1) == 1)
		return 0;
	close(h->cmd);
	close(h->ack);
	if (h->pid > 0)
		wait_child(h->pid);
	h->pid = 0;
	return -1;
}

/* Have the holder write or check @pages pages; returns 0, 1 or -1. */
static int holder_do(struct holder *h, int op, int seed, unsigned int pages)
{
	struct holder_cmd c = { .op = op, .seed = seed, .pages = pages };
	char res;

	if (write(h->cmd, &c, sizeof(c)) != sizeof(c) ||
	    read(h->ack, &res, 1) != 1)
		return -1;
	return res;
}

static int holder_stop(struct holder *h)
{
	int ret;

	close(h->cmd);
	ret = wait_child(h->pid);
	close(h->ack);
	h->pid = 0;
	return ret;
}

/* Another process removes the name; returns its exit code. */
static int unlink_elsewhere(const char *name)
{
	pid_t pid = fork();
	int fd;

	if (!pid) {
		fd = vmshm_open();
		_exit(fd < 0 ? 1 : vmshm_unlink(fd, name) ? 2 : 0);
	}
	return pid < 0 ? -1 : wait_child(pid);
}

static struct vmshm_info info_now(void)
{
	struct vmshm_info info = { 0 };
	int fd = vmshm_open();

	if (fd >= 0) {
		vmshm_get_info(fd, &info);
		close(fd);
	}
	return info;
}

FIXTURE(pin) {
	int fd;
	char name[VMSHM_NAME_MAX];
	struct vmshm_info before;
	struct holder holder;
	struct cg cg;
	unsigned char *buf;	/* NR_PAGES + 1 pages of scratch memory */
};

FIXTURE_VARIANT(pin) {
	bool holder;
};

FIXTURE_VARIANT_ADD(pin, gone) {
	.holder = false,
};

FIXTURE_VARIANT_ADD(pin, held) {
	.holder = true,
};

FIXTURE_SETUP(pin)
{
	char why[512], cg_name[64];

	self->fd = test_open();
	test_cmd_info(self->fd, &self->before);
	snprintf(self->name, sizeof(self->name), "pin-%d", getpid());
	/* Persistent, so that the name holds a reference until unlinked. */
	test_cmd_create(self->fd, self->name, NR_PAGES * page_size(), 0600, 0);
	/* Touched now, so that it is charged outside the test's cgroup. */
	self->buf = mmap(NULL, (NR_PAGES + 1) * page_size(), PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	memset(self->buf, 0, (NR_PAGES + 1) * page_size());
	if (variant->holder) {
		ASSERT_EQ(0, holder_start(&self->holder, self->name))
			TH_LOG("the holder process could not map %s", self->name);
	}
	/* A holder keeps the pages charged anyway: "gone" only. */
	if (variant->holder || geteuid())
		return;
	snprintf(cg_name, sizeof(cg_name), "vmshm-pin-%d", getpid());
	if (cg_setup(&self->cg, cg_name, why, sizeof(why))) {
		TH_LOG("no memory cgroup checks: %s", why);
	} else if (cg_enter(&self->cg, getpid())) {
		TH_LOG("no memory cgroup checks: cannot enter %s", self->cg.dir);
		cg_destroy(&self->cg);
	}
}

FIXTURE_TEARDOWN(pin)
{
	int fd = vmshm_open();

	if (self->holder.pid)
		holder_stop(&self->holder);
	cg_destroy(&self->cg);
	/* A failed test may have left the name. */
	if (fd >= 0) {
		vmshm_unlink(fd, self->name);
		close(fd);
	}
	if (self->fd >= 0)
		close(self->fd);
}

/* memory.current of the test's cgroup in pages, or -1 without one. */
static long long charged_pages(struct cg *cg)
{
	long long bytes;

	if (!cg->dir[0])
		return -1;
	bytes = cg_read_ll(cg, "memory.current");
	return bytes < 0 ? -1 : bytes / (long long)page_size();
}

/*
 * With a cgroup, @pages pinned pages are still charged to it (@pinned), or
 * no longer are, compared with @base taken before the region had pages.
 */
static void check_charge(struct __test_metadata *_metadata, struct cg *cg,
			 long long base, long pages, bool pinned,
			 const char *when)
{
	long long now = charged_pages(cg);

	if (base < 0)
		return;
	ASSERT_LE(0, now)
		TH_LOG("%s: cannot read %s/memory.current", when, cg->dir);
	TH_LOG("%s: memory.current %+lld pages", when, now - base);
	if (pinned) {
		ASSERT_LE(pages / 2, now - base)
			TH_LOG("%s: %ld pinned pages, yet only %+lld pages charged: freed while pinned?",
			       when, pages, now - base);
	} else {
		ASSERT_GT(pages / 2, now - base)
			TH_LOG("%s: %+lld pages still charged: the pinned pages leaked",
			       when, now - base);
	}
}

/*
 * Let the region go as far as this process can: unmap @len bytes at @map,
 * close the fd, and have another process unlink the name.  Unless a
 * holder keeps it, the region is then freed, while the pages it had are
 * still referenced.
 */
static void let_go(struct __test_metadata *_metadata,
		   FIXTURE_DATA(pin) *self, const FIXTURE_VARIANT(pin) *variant,
		   void *map, size_t len)
{
	struct vmshm_info now;

	ASSERT_EQ(0, munmap(map, len));
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	ASSERT_EQ(0, unlink_elsewhere(self->name))
		TH_LOG("another process could not unlink %s", self->name);
	now = info_now();
	if (variant->holder) {
		ASSERT_EQ(self->before.out_nr_regions + 1, now.out_nr_regions)
			TH_LOG("the holder's mapping should keep the region");
		return;
	}
	ASSERT_EQ(self->before.out_nr_regions, now.out_nr_regions)
		TH_LOG("the region outlived its last file, mapping and name");
	ASSERT_EQ(self->before.out_nr_pages, now.out_nr_pages)
		TH_LOG("the module still counts pages of a freed region");
}

/* Check that @len bytes at @p hold @seed's pattern from offset @first. */
#define ASSERT_PATTERN(_p, _first, _len, _seed, _what) do {		\
	ssize_t __bad = mismatch(_p, _first, _len, _seed);		\
	ASSERT_EQ(-1, __bad)						\
		TH_LOG("%s: byte %zd is 0x%02x, want 0x%02x",		\
		       _what, __bad, (_p)[__bad],			\
		       pattern(_seed, (_first) + __bad));		\
} while (0)

/* An O_DIRECT read, run by a thread, as it blocks in get_user_pages(). */
struct dio {
	int fd;
	void *buf;
	size_t len;
	ssize_t ret;
	int err;
};

static void *dio_read(void *arg)
{
	struct dio *d = arg;

	d->ret = pread(d->fd, d->buf, d->len, 0);
	d->err = errno;
	return NULL;
}

TEST_F_TIMEOUT(pin, odirect, 60)
{
	size_t len = DIO_PAGES * page_size(), total = len + page_size();
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	struct uffdio_copy copy = { 0 };
	struct pollfd pfd;
	struct uffd_msg msg;
	struct dio dio;
	pthread_t thread;
	unsigned char *area, *tail;
	int ram, uffd;

	ram = open(RAM_DISK, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (ram < 0)
		SKIP(return, "%s: %s (CONFIG_BLK_DEV_RAM: vm-run.sh loads brd.ko if there is one)",
		     RAM_DISK, strerror(errno));
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		SKIP(return, "userfaultfd: %s (CONFIG_USERFAULTFD off?)",
		     strerror(errno));
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api))
		TH_LOG("UFFDIO_API: %s", strerror(errno));

	/* The disk holds pattern B. */
	fill(self->buf, total, SEED_B);
	ASSERT_EQ((ssize_t)total, pwrite(ram, self->buf, total, 0))
		TH_LOG("O_DIRECT write to %s: %s", RAM_DISK, strerror(errno));

	/*
	 * The read's buffer: the region's first DIO_PAGES pages, all faulted
	 * in, then an anonymous page that only userfaultfd can fill.
	 */
	area = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	ASSERT_EQ(area, mmap(area, len, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_FIXED, self->fd, 0));
	tail = area + len;
	ASSERT_EQ(tail, mmap(tail, page_size(), PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	fill(area, len, SEED_A);
	reg.range.start = (uintptr_t)tail;
	reg.range.len = page_size();
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg))
		TH_LOG("UFFDIO_REGISTER: %s", strerror(errno));

	dio = (struct dio){ .fd = ram, .buf = area, .len = total };
	ASSERT_EQ(0, pthread_create(&thread, NULL, dio_read, &dio));
	/* The read now holds the region's pages and waits for the last one. */
	pfd = (struct pollfd){ .fd = uffd, .events = POLLIN };
	ASSERT_EQ(1, poll(&pfd, 1, 10000))
		TH_LOG("the O_DIRECT read never faulted on its buffer's last page (read returned %zd: %s)",
		       dio.ret, strerror(dio.err));
	ASSERT_EQ(sizeof(msg), read(uffd, &msg, sizeof(msg)));
	ASSERT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);
	ASSERT_EQ((uintptr_t)tail, msg.arg.pagefault.address & ~(page_size() - 1));

	let_go(_metadata, self, variant, area, len);

	/* Let the read go on: it writes B into the pages it holds. */
	copy.dst = (uintptr_t)tail;
	copy.src = (uintptr_t)(self->buf + len);
	copy.len = page_size();
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_COPY, &copy))
		TH_LOG("UFFDIO_COPY: %s", strerror(errno));
	ASSERT_EQ(0, pthread_join(thread, NULL));
	ASSERT_EQ((ssize_t)total, dio.ret)
		TH_LOG("O_DIRECT read: %zd, %s", dio.ret, strerror(dio.err));
	ASSERT_PATTERN(tail, len, page_size(), SEED_B, "the read's last page");
	if (variant->holder) {
		ASSERT_EQ(0, holder_do(&self->holder, HOLDER_CHECK, SEED_B,
				       DIO_PAGES))
			TH_LOG("the holder's mapping does not show what the O_DIRECT read wrote into the pages it held");
	}
	ASSERT_EQ(0, munmap(tail, page_size()));
	close(uffd);
	close(ram);
}

TEST_F(pin, vmsplice)
{
	size_t len = NR_PAGES * page_size(), done;
	int seed = variant->holder ? SEED_B : SEED_A;
	unsigned char *map;
	struct iovec iov;
	long long base;
	ssize_t n;
	int p[2];

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_LE((int)len, fcntl(p[1], F_SETPIPE_SZ, (int)len))
		TH_LOG("F_SETPIPE_SZ %zu: %s", len, strerror(errno));
	base = charged_pages(&self->cg);
	map = test_mmap(self->fd, len, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, map);
	fill(map, len, SEED_A);
	for (done = 0; done < len; done += n) {
		iov = (struct iovec){ .iov_base = map + done,
				      .iov_len = len - done };
		n = vmsplice(p[1], &iov, 1, 0);
		ASSERT_LT(0, n) TH_LOG("vmsplice: %s", strerror(errno));
	}

	let_go(_metadata, self, variant, map, len);
	check_charge(_metadata, &self->cg, base, NR_PAGES, true,
		     "region gone, its pages in the pipe");
	/* The pipe holds the region's own pages: the holder's writes show. */
	if (variant->holder) {
		ASSERT_EQ(0, holder_do(&self->holder, HOLDER_WRITE, SEED_B,
				       NR_PAGES))
			TH_LOG("the holder process did not answer");
	}
	ASSERT_EQ(0, read_full(p[0], self->buf, len));
	ASSERT_PATTERN(self->buf, 0, len, seed, "the pages read from the pipe");
	close(p[0]);
	close(p[1]);
	check_charge(_metadata, &self->cg, base, NR_PAGES, false,
		     "pipe drained");
}

/**
 * struct uring - an io_uring instance, set up with raw system calls
 * @fd: the ring's fd
 * @p: the parameters io_uring_setup() returned
 * @sq: the submission ring mapping
 * @cq: the completion ring mapping
 * @sqes: the submission entries
 */
struct uring {
	int fd;
	struct io_uring_params p;
	char *sq;
	char *cq;
	struct io_uring_sqe *sqes;
};

static size_t ring_sq_len(const struct uring *r)
{
	return r->p.sq_off.array + r->p.sq_entries * sizeof(__u32);
}

static size_t ring_cq_len(const struct uring *r)
{
	return r->p.cq_off.cqes +
	       r->p.cq_entries * sizeof(struct io_uring_cqe);
}

static void ring_free(struct uring *r)
{
	if (r->sqes && r->sqes != MAP_FAILED)
		munmap(r->sqes, r->p.sq_entries * sizeof(*r->sqes));
	if (r->cq && r->cq != MAP_FAILED)
		munmap(r->cq, ring_cq_len(r));
	if (r->sq && r->sq != MAP_FAILED)
		munmap(r->sq, ring_sq_len(r));
	close(r->fd);
}

/* Returns 0 or -errno. */
static int ring_setup(struct uring *r, unsigned int entries)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->fd = syscall(__NR_io_uring_setup, entries, &r->p);
	if (r->fd < 0)
		return -errno;
	r->sq = mmap(NULL, ring_sq_len(r), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	r->cq = mmap(NULL, ring_cq_len(r), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, r->p.sq_entries * sizeof(*r->sqes),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		       IORING_OFF_SQES);
	if (r->sq == MAP_FAILED || r->cq == MAP_FAILED ||
	    r->sqes == MAP_FAILED) {
		ret = -errno;
		ring_free(r);
		return ret;
	}
	return 0;
}

/* One op on fixed buffer 0, waited for; returns its result or -errno. */
static int ring_rw_fixed(struct uring *r, int op, int fd, void *addr,
			 size_t len)
{
	__u32 *sq_tail = (__u32 *)(r->sq + r->p.sq_off.tail);
	__u32 *sq_mask = (__u32 *)(r->sq + r->p.sq_off.ring_mask);
	__u32 *sq_array = (__u32 *)(r->sq + r->p.sq_off.array);
	__u32 *cq_head = (__u32 *)(r->cq + r->p.cq_off.head);
	__u32 *cq_tail = (__u32 *)(r->cq + r->p.cq_off.tail);
	__u32 *cq_mask = (__u32 *)(r->cq + r->p.cq_off.ring_mask);
	struct io_uring_cqe *cqes = (void *)(r->cq + r->p.cq_off.cqes);
	__u32 tail = *sq_tail, idx = tail & *sq_mask, head;
	struct io_uring_sqe *sqe = &r->sqes[idx];
	int res;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = op;
	sqe->fd = fd;
	sqe->addr = (uintptr_t)addr;
	sqe->len = len;
	sqe->buf_index = 0;
	sq_array[idx] = idx;
	__atomic_store_n(sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS,
		    NULL, 0) < 0)
		return -errno;
	head = *cq_head;
	if (head == __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE))
		return -ENODATA;
	res = cqes[head & *cq_mask].res;
	__atomic_store_n(cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

/* Why io_uring_setup() may have failed, from the sysctl. */
static const char *io_uring_disabled(void)
{
	FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "re");
	int v = 0;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v ? " (kernel.io_uring_disabled is set)" : "";
}

TEST_F(pin, io_uring_fixed)
{
	size_t len = NR_PAGES * page_size();
	int in[2], out[2], ret;
	unsigned char *map;
	struct iovec iov;
	struct uring ring;
	long long base;

	ret = ring_setup(&ring, 4);
	if (ret)
		SKIP(return, "io_uring_setup: %s%s", strerror(-ret),
		     io_uring_disabled());
	ASSERT_EQ(0, pipe2(in, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(out, O_CLOEXEC));
	ASSERT_LE((int)len, fcntl(in[1], F_SETPIPE_SZ, (int)len));
	ASSERT_LE((int)len, fcntl(out[1], F_SETPIPE_SZ, (int)len));
	base = charged_pages(&self->cg);
	map = test_mmap(self->fd, len, PROT_READ | PROT_WRITE, 0);
	ASSERT_NE(MAP_FAILED, map);
	fill(map, len, SEED_A);
	iov = (struct iovec){ .iov_base = map, .iov_len = len };
	ret = syscall(__NR_io_uring_register, ring.fd, IORING_REGISTER_BUFFERS,
		      &iov, 1) ? -errno : 0;
	if (ret == -EOPNOTSUPP) {
		ring_free(&ring);
		SKIP(return, "IORING_REGISTER_BUFFERS: %s: no file-backed buffers here",
		     strerror(-ret));
	}
	ASSERT_EQ(0, ret)
		TH_LOG("IORING_REGISTER_BUFFERS: %s", strerror(-ret));

	let_go(_metadata, self, variant, map, len);
	check_charge(_metadata, &self->cg, base, NR_PAGES, true,
		     "region gone, buffer registered");

	/* The registered pages still hold what the region held... */
	ret = ring_rw_fixed(&ring, IORING_OP_WRITE_FIXED, out[1], map, len);
	ASSERT_EQ((int)len, ret)
		TH_LOG("WRITE_FIXED: %s", ret < 0 ? strerror(-ret) : "short");
	ASSERT_EQ(0, read_full(out[0], self->buf, len));
	ASSERT_PATTERN(self->buf, 0, len, SEED_A,
		       "WRITE_FIXED from the registered pages");

	/* ...and what READ_FIXED puts there lands in the region's pages. */
	fill(self->buf, len, SEED_B);
	ASSERT_EQ(0, write_full(in[1], self->buf, len));
	ret = ring_rw_fixed(&ring, IORING_OP_READ_FIXED, in[0], map, len);
	ASSERT_EQ((int)len, ret)
		TH_LOG("READ_FIXED: %s", ret < 0 ? strerror(-ret) : "short");
	if (variant->holder) {
		ASSERT_EQ(0, holder_do(&self->holder, HOLDER_CHECK, SEED_B,
				       NR_PAGES))
			TH_LOG("the holder's mapping does not show what READ_FIXED wrote into the registered pages");
	} else {
		memset(self->buf, 0, len);
		ret = ring_rw_fixed(&ring, IORING_OP_WRITE_FIXED, out[1], map,
				    len);
		ASSERT_EQ((int)len, ret);
		ASSERT_EQ(0, read_full(out[0], self->buf, len));
		ASSERT_PATTERN(self->buf, 0, len, SEED_B,
			       "WRITE_FIXED after READ_FIXED");
	}

	ASSERT_EQ(0, syscall(__NR_io_uring_register, ring.fd,
			     IORING_UNREGISTER_BUFFERS, NULL, 0))
		TH_LOG("IORING_UNREGISTER_BUFFERS: %s", strerror(errno));
	check_charge(_metadata, &self->cg, base, NR_PAGES, false,
		     "buffers unregistered");
	ring_free(&ring);
	close(in[0]);
	close(in[1]);
	close(out[0]);
	close(out[1]);
}

TEST_HARNESS_MAIN
