// SPDX-License-Identifier: GPL-2.0
/*
 * vmshm_fuzz: random sequences of vmshm operations from several processes,
 * checked against what the UAPI documents, then a leak check.
 *
 * Each worker process draws operations from its own random stream, derived
 * from the seed: open, CREATE (named, anonymous, transient, huge, locked,
 * malformed), ATTACH (rw, ro), UNLINK, mmap (shared and private),
 * munmap (whole and partial), mprotect, mremap (growing must fail; shrink
 * and move work), touches, MADV_DONTNEED and MADV_PAGEOUT (which swaps
 * when the system has swap), fork, WAIT (short deadlines), WAKE, poll,
 * read, STAT, GET_INFO, close, /proc/vmshm and fdinfo reads, module
 * parameter changes (the per-user limits too), a child in a new IPC
 * namespace, and generic netlink requests when the module registers the
 * family.  The
 * worker models its own files and mappings, so every result is checked
 * against the set of errnos the UAPI allows in that state; odd-numbered
 * workers run as uid 65534 to take the permission paths.  Names come from
 * a small pool shared by all workers, so they collide on purpose.
 *
 * At the end every process has exited; the remaining names are unlinked,
 * the VMSHM_GET_INFO counters must be back to their starting values, and
 * the module must unload (delete_module) and load again from $VMSHM_KO
 * (default /lib/vmshm/vmshm.ko), as in unload_test: ten times, each with
 * a region left by name, while a child process runs netlink dumps and
 * lookups.
 *
 * With -p 1 a seed replays the same operations; with more processes the
 * kernel's interleaving varies, but each worker's choices still come from
 * the seed.  A failure prints the seed and the worker's last operations.
 *
 * Output is KTAP with one test, so tests/run_tests.sh can count it.  Exit
 * status: 0 pass, 1 fail, 4 skip (no /dev/vmshm).
 *
 * Usage: vmshm_fuzz [-s SEED] [-n OPS] [-p PROCS] [-t SECONDS] [-U] [-v]
 *   -s SEED     seed (default: from the clock); printed first
 *   -n OPS      operations over all processes (default 20000)
 *   -p PROCS    worker processes (default 2)
 *   -t SECONDS  stop after this long even if OPS are not done (default 300)
 *   -U          leave the module loaded at the end (no unload/reload)
 *   -v          print every operation to stderr
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kselftest.h"
#include "libvmshm.h"
#include "vmshm_raw_test.h"
#include "vmshm_util.h"

#define MAX_FDS		8	/* open files per process */
#define MAX_MAPS	8	/* mapping records per process */
#define MAX_PAGES	16	/* largest region but a big huge one, in pages */
/* A big huge region: a PMD of 4 KiB pages (2 MiB on x86-64) and a tail. */
#define HUGE_PAGES	512
#define MAX_REGION_PAGES (HUGE_PAGES + MAX_PAGES)
#define NR_NAMES	6	/* shared pool of region names */
#define MAX_CHILDREN	3	/* forked children alive per worker */
#define CHILD_OPS	40	/* operations of a forked child */
#define HISTORY		32	/* operations shown on a failure */
#define NOBODY		65534

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#define MADV_POPULATE_WRITE	23
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif

/* splitmix64: tiny, seedable, and good enough to pick operations. */
struct rnd {
	uint64_t s;
};

static uint64_t rnd_next(struct rnd *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int rnd_below(struct rnd *r, unsigned int n)
{
	return n ? rnd_next(r) % n : 0;
}

static bool rnd_chance(struct rnd *r, unsigned int percent)
{
	return rnd_below(r, 100) < percent;
}

/* An open /dev/vmshm file as this process knows it. */
struct fz_file {
	int fd;			/* -1: free slot */
	bool bound;
	bool rdonly;		/* bound read-only: no write mapping, no WAKE */
	bool nobind;		/* shared: never CREATE or ATTACH on it */
	bool unknown;		/* inherited unbound: the parent may bind it */
	unsigned int pages;	/* region size when bound */
};

/*
 * A run of mapped pages at consecutive addresses.  vmshm VMAs never merge
 * (VM_DONTEXPAND is in VM_SPECIAL), so @vma tells exactly which pages
 * share a VMA: mprotect() and munmap() split, nothing joins.
 */
struct fz_map {
	char *addr;		/* NULL: free slot */
	unsigned int pages;
	bool rdonly;		/* from a read-only attachment */
	bool private;		/* MAP_PRIVATE: writes are copy-on-write */
	unsigned char prot[MAX_REGION_PAGES];
	unsigned char vma[MAX_REGION_PAGES];
};

enum fz_op {
	OP_OPEN, OP_CREATE, OP_CREATE_BAD, OP_ATTACH, OP_UNLINK, OP_MMAP,
	OP_MUNMAP, OP_MPROTECT, OP_MREMAP, OP_TOUCH, OP_DONTNEED, OP_FORK,
	OP_WAIT, OP_WAKE, OP_POLL, OP_READ, OP_STAT, OP_INFO, OP_CLOSE,
	OP_DUP, OP_PROC, OP_FDINFO, OP_PARAM, OP_NETLINK, OP_PAGEOUT, OP_NS,
	NR_OPS
};

static const char *const op_names[NR_OPS] = {
	"open", "create", "create_bad", "attach", "unlink", "mmap", "munmap",
	"mprotect", "mremap", "touch", "dontneed", "fork", "wait", "wake",
	"poll", "read", "stat", "info", "close", "dup", "proc", "fdinfo",
	"param", "netlink", "pageout", "ns",
};

/* Relative weights; fork is costly under TCG, so rare. */
static unsigned int op_weight[NR_OPS] = {
	[OP_OPEN] = 8, [OP_CREATE] = 8, [OP_CREATE_BAD] = 2, [OP_ATTACH] = 8,
	[OP_UNLINK] = 4, [OP_MMAP] = 10, [OP_MUNMAP] = 6, [OP_MPROTECT] = 5,
	[OP_MREMAP] = 4, [OP_TOUCH] = 12, [OP_DONTNEED] = 3, [OP_FORK] = 1,
	[OP_WAIT] = 6, [OP_WAKE] = 6, [OP_POLL] = 4, [OP_READ] = 4,
	[OP_STAT] = 3, [OP_INFO] = 2, [OP_CLOSE] = 6, [OP_DUP] = 1,
	[OP_PROC] = 2, [OP_FDINFO] = 2, [OP_PARAM] = 1, [OP_NETLINK] = 0,
	[OP_PAGEOUT] = 3, [OP_NS] = 1,
};

/* Counters shared by every process through a MAP_SHARED page. */
struct fz_shared {
	uint64_t ops;			/* operations done, all processes */
	uint64_t per_op[NR_OPS];	/* ... of each kind */
	uint64_t ok[NR_OPS];		/* ... that succeeded */
};

struct fz_proc {
	struct rnd rnd;
	unsigned int worker;
	bool root;
	bool child;			/* a forked child of a worker */
	struct fz_file file[MAX_FDS];
	struct fz_map map[MAX_MAPS];
	pid_t children[MAX_CHILDREN];
	unsigned int next_vma;
	unsigned int ops_left;		/* for a forked child */
	int last_ret;			/* result of the current operation */
	char history[HISTORY][160];
	unsigned int nr_history;
};

static struct fz_shared *shared;
static uint64_t total_ops = 20000;
static uint64_t deadline_ns;
static uint64_t seed;
static bool verbose;
static char name_prefix[32];
static int genl_family;		/* 0: the vmshm family is not registered */

static void pool_name(char *buf, size_t len, unsigned int i)
{
	snprintf(buf, len, "%s-%u", name_prefix, i);
}

static void note(struct fz_proc *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record an operation and its result in the history ring. */
static void note(struct fz_proc *p, const char *fmt, ...)
{
	char *slot = p->history[p->nr_history++ % HISTORY];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(slot, sizeof(p->history[0]), fmt, ap);
	va_end(ap);
	if (verbose)
		fprintf(stderr, "[w%u%s %d] %s\n", p->worker,
			p->child ? "c" : "", getpid(), slot);
}

static void __attribute__((noreturn)) fz_fail(struct fz_proc *p,
					      const char *fmt, ...)
{
	unsigned int i, first;
	va_list ap;

	fprintf(stderr, "vmshm_fuzz: seed 0x%" PRIx64 " worker %u%s pid %d: ",
		seed, p->worker, p->child ? " (child)" : "", getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	first = p->nr_history > HISTORY ? p->nr_history - HISTORY : 0;
	fprintf(stderr, "vmshm_fuzz: last operations of this process:\n");
	for (i = first; i < p->nr_history; i++)
		fprintf(stderr, "vmshm_fuzz:   %s\n", p->history[i % HISTORY]);
	_exit(1);
}

/* @ret (0 or -errno) must be 0 or one of the errnos listed after it. */
#define EXPECT(p, ret, ...) do {						\
	static const int __ok[] = { 0, __VA_ARGS__ };				\
	unsigned int __i;							\
	(p)->last_ret = (ret);							\
	for (__i = 0; __i < ARRAY_SIZE(__ok); __i++)				\
		if ((ret) == (__i ? -__ok[__i] : 0))				\
			break;							\
	if (__i == ARRAY_SIZE(__ok))						\
		fz_fail(p, "%s: unexpected result %d (%s)",			\
			p->history[(p->nr_history - 1) % HISTORY], (ret),	\
			strerror(-(ret)));					\
} while (0)

static struct fz_file *pick_file(struct fz_proc *p, bool open)
{
	unsigned int i, start = rnd_below(&p->rnd, MAX_FDS);

	for (i = 0; i < MAX_FDS; i++) {
		struct fz_file *f = &p->file[(start + i) % MAX_FDS];

		bool is_open = f->fd >= 0;

		if (is_open == open)
			return f;
	}
	return NULL;
}

static struct fz_map *pick_map(struct fz_proc *p, bool used)
{
	unsigned int i, start = rnd_below(&p->rnd, MAX_MAPS);

	for (i = 0; i < MAX_MAPS; i++) {
		struct fz_map *m = &p->map[(start + i) % MAX_MAPS];

		if (!!m->addr == used)
			return m;
	}
	return NULL;
}

static int prot_of(unsigned int r)
{
	static const int prots[] = { PROT_NONE, PROT_READ,
				     PROT_READ | PROT_WRITE };

	return prots[r % 3];
}

static void op_open(struct fz_proc *p)
{
	struct fz_file *f = pick_file(p, false);
	int fd;

	if (!f)
		return;
	fd = vmshm_open();
	note(p, "open() = %d", fd);
	if (fd >= 0) {
		/* Non-blocking, so that read() never waits for a wake. */
		if (fcntl(fd, F_SETFL, O_NONBLOCK))
			fz_fail(p, "fcntl(%d, O_NONBLOCK): %s", fd,
				strerror(errno));
		*f = (struct fz_file){ .fd = fd };
		return;
	}
	EXPECT(p, fd, ENOMEM);
}

static void op_create(struct fz_proc *p)
{
	struct fz_file *f = pick_file(p, true);
	unsigned int r = rnd_below(&p->rnd, 4), pages;
	uint32_t flags = 0;
	uint64_t size;
	char name[VMSHM_NAME_MAX];
	int ret;

	/* A file shared with another fd or process is never bound. */
	if (!f || f->nobind)
		return;
	pages = 1 + rnd_below(&p->rnd, MAX_PAGES);
	size = pages * page_size() - (rnd_chance(&p->rnd, 30) ?
				  rnd_below(&p->rnd, page_size() - 1) : 0);
	pool_name(name, sizeof(name), rnd_below(&p->rnd, NR_NAMES));
	if (r == 0)
		flags |= VMSHM_CREATE_ANON;
	else if (r == 1)
		flags |= VMSHM_CREATE_TRANSIENT;
	if (rnd_chance(&p->rnd, 20)) {
		flags |= VMSHM_CREATE_HUGE;
		/* Big enough for one huge page now and then. */
		if (rnd_chance(&p->rnd, 30)) {
			pages += HUGE_PAGES;
			size += HUGE_PAGES * page_size();
		}
	}
	if (rnd_chance(&p->rnd, 15))
		flags |= VMSHM_CREATE_LOCKED;
	ret = vmshm_create(f->fd, flags & VMSHM_CREATE_ANON ? NULL : name,
			   size, rnd_below(&p->rnd, 01000), flags, NULL);
	note(p, "create(fd %d, %s, %" PRIu64 ", flags %#x) = %d", f->fd,
	     flags & VMSHM_CREATE_ANON ? "(anon)" : name, size, flags, ret);
	/*
	 * Without CAP_IPC_LOCK a locked region is charged to RLIMIT_MEMLOCK:
	 * ENOMEM past it, EPERM when it is 0.
	 */
	if (!p->root && (flags & VMSHM_CREATE_LOCKED) && ret == -EPERM)
		p->last_ret = ret;
	else if (f->bound)
		EXPECT(p, ret, EBUSY, ENOMEM);
	else if (flags & VMSHM_CREATE_ANON)
		EXPECT(p, ret, ENOSPC, EDQUOT, ENOMEM);
	else
		EXPECT(p, ret, EEXIST, ENOSPC, EDQUOT, ENOMEM);
	if (!ret) {
		f->bound = true;
		f->rdonly = false;
		f->pages = pages;
	}
}

/* Malformed CREATE calls, each with the one errno the UAPI gives it. */
static void op_create_bad(struct fz_proc *p)
{
	struct fz_file *f = pick_file(p, true);
	struct vmshm_create c = { .size = sizeof(c), .region_size = page_size(),
				  .mode = 0600 };
	int want, ret;

	if (!f)
		return;
	snprintf(c.name, sizeof(c.name), "bad");
	switch (rnd_below(&p->rnd, 8)) {
	case 0: {
		/* The top bit, the next free one, and the old PREFAULT. */
		static const uint32_t unknown[] = { 1U << 31, 1U << 5, 1U << 2 };

		c.flags = unknown[rnd_below(&p->rnd, ARRAY_SIZE(unknown))];
		want = -EOPNOTSUPP;
		break;
	}
	case 1:
		c.__reserved = 1;
		want = -EINVAL;
		break;
	case 2:
		c.flags = VMSHM_CREATE_ANON | VMSHM_CREATE_TRANSIENT;
		c.name[0] = 0;
		want = -EINVAL;
		break;
	case 3:
		snprintf(c.name, sizeof(c.name), "bad/name");
		want = -EINVAL;
		break;
	case 4:
		c.region_size = 0;
		want = -EINVAL;
		break;
	case 5:
		c.region_size = ~0ULL;
		want = -EFBIG;
		break;
	case 6:
		/* A byte >= 0x80 anywhere: isalnum() takes some as Latin-1. */
		c.name[rnd_below(&p->rnd, 3)] = 0x80 + rnd_below(&p->rnd, 0x80);
		want = -EINVAL;
		break;
	default:
		memset(c.name, 'x', sizeof(c.name));
		want = -ENAMETOOLONG;
		break;
	}
	ret = _test_ioctl(f->fd, VMSHM_CREATE, &c);
	note(p, "create_bad(fd %d, flags %#x, size %llu, name %.8s) = %d",
	     f->fd, c.flags, (unsigned long long)c.region_size, c.name, ret);
	if (ret != want)
		fz_fail(p, "malformed CREATE: got %d (%s), want %d", ret,
			strerror(-ret), want);
	p->last_ret = ret;
}

static void op_attach(struct fz_proc *p)
{
	struct fz_file *f = pick_file(p, true);
	uint32_t flags = 0;
	uint64_t size = 0;
	char name[VMSHM_NAME_MAX];
	int ret;

	if (!f || f->nobind)
		return;
	pool_name(name, sizeof(name), rnd_below(&p->rnd, NR_NAMES));
	if (rnd_chance(&p->rnd, 40))
		flags |= VMSHM_ATTACH_RDONLY;
	ret = vmshm_attach(f->fd, name, flags, &size, NULL);
	note(p, "attach(fd %d, %s, flags %#x) = %d, size %" PRIu64, f->fd,
	     name, flags, ret, size);
	if (f->bound)
		EXPECT(p, ret, ENOENT, EBUSY);
	else if (p->root)
		EXPECT(p, ret, ENOENT);
	else
		EXPECT(p, ret, ENOENT, EACCES);
	if (!ret) {
		if (!size || size % page_size() ||
		    size > MAX_REGION_PAGES * page_size())
			fz_fail(p, "attach %s: out_size %" PRIu64, name, size);
		f->bound = true;
		f->rdonly = flags & VMSHM_ATTACH_RDONLY;
		f->pages = size / page_size();
	}
}

static void op_unlink(struct fz_proc *p)
{
	struct fz_file *f = pick_file(p, true);
	char name[VMSHM_NAME_MAX];
	int ret;

	if (!f)
		return;
	pool_name(name, sizeof(name), rnd_below(&p->rnd, NR_NAMES));
	ret = vmshm_unlink(f->fd, name);
	note(p, "unlink(fd %d, %s) = %d", f->fd, name, ret);
	if (p->root)
		EXPECT(p, ret, ENOENT);
	else
		EXPECT(p, ret, ENOENT, EPERM);
}

static void op_mmap(struct fz_proc *p)
{
	struct fz_file *f = pick_file(p, true);
	struct fz_map *m = pick_map(p, false);
	unsigned int first, pages, i;
	int prot, flags = MAP_SHARED, want = 0, ret;
	bool beyond;
	void *addr;

	if (!f || !m || f->unknown)
		return;
	prot = prot_of(rnd_below(&p->rnd, 3));
	if (f->bound) {
		first = rnd_below(&p->rnd, f->pages);
		pages = 1 + rnd_below(&p->rnd, f->pages - first);
	} else {
		first = rnd_below(&p->rnd, 4);
		pages = 1 + rnd_below(&p->rnd, 4);
	}
	beyond = rnd_chance(&p->rnd, 5);
	if (beyond)
		pages += f->pages;
	if (rnd_chance(&p->rnd, 20))
		flags = MAP_PRIVATE;

	/* A private mapping may write, even a read-only attachment's. */
	if (!f->bound)
		want = -ENODEV;
	else if (beyond)
		want = -EINVAL;
	else if (f->rdonly && (prot & PROT_WRITE) && flags == MAP_SHARED)
		want = -EACCES;
	addr = mmap(NULL, pages * page_size(), prot, flags, f->fd, first * page_size());
	ret = addr == MAP_FAILED ? -errno : 0;
	note(p, "mmap(fd %d, %u pages at %u, prot %d, %s) = %d %p", f->fd,
	     pages, first, prot, flags == MAP_PRIVATE ? "private" : "shared",
	     ret, addr);
	if (ret != want && ret != -ENOMEM)
		fz_fail(p, "mmap: got %d (%s), want %d", ret, strerror(-ret),
			want);
	p->last_ret = ret;
	if (ret)
		return;
	m->addr = addr;
	m->pages = pages;
	m->rdonly = f->rdonly;
	m->private = flags == MAP_PRIVATE;
	for (i = 0; i < pages; i++) {
		m->prot[i] = prot;
		m->vma[i] = p->next_vma;
	}
	p->next_vma++;
}

/* Drop pages [first, first + n) from @m's model. */
static void map_cut(struct fz_proc *p, struct fz_map *m, unsigned int first,
		    unsigned int n)
{
	struct fz_map *tail;
	unsigned int rest = m->pages - first - n;

	if (!first) {
		memmove(m->prot, m->prot + n, rest);
		memmove(m->vma, m->vma + n, rest);
		m->addr += n * page_size();
		m->pages = rest;
	} else if (!rest) {
		m->pages = first;
	} else {
		/* A hole: the pages after it become a record of their own. */
		tail = pick_map(p, false);
		if (!tail) {
			munmap(m->addr + (first + n) * page_size(), rest * page_size());
			m->pages = first;
			return;
		}
		*tail = *m;
		tail->addr = m->addr + (first + n) * page_size();
		tail->pages = rest;
		memmove(tail->prot, m->prot + first + n, rest);
		memmove(tail->vma, m->vma + first + n, rest);
		m->pages = first;
	}
	if (!m->pages)
		m->addr = NULL;
}

static void op_munmap(struct fz_proc *p)
{
	struct fz_map *m = pick_map(p, true);
	unsigned int first, n;
	int ret;

	if (!m)
		return;
	if (rnd_chance(&p->rnd, 50)) {
		first = 0;
		n = m->pages;
	} else {
		first = rnd_below(&p->rnd, m->pages);
		n = 1 + rnd_below(&p->rnd, m->pages - first);
	}
	ret = sys_ret(munmap(m->addr + first * page_size(), n * page_size()));
	note(p, "munmap(%p, pages %u+%u of %u) = %d", m->addr, first, n,
	     m->pages, ret);
	EXPECT(p, ret, ENOMEM);
	if (!ret)
		map_cut(p, m, first, n);
}

/*
 * mprotect() splits exactly the VMAs whose protection changes, at the
 * range's ends.  A shared mapping of a read-only attachment refuses write
 * with EACCES before any VMA changes, since all VMAs of a record share the
 * attachment; a private one may write.
 */
static void op_mprotect(struct fz_proc *p)
{
	struct fz_map *m = pick_map(p, true);
	unsigned int first, n, i, end, vma_new;
	int prot, ret;

	if (!m)
		return;
	first = rnd_below(&p->rnd, m->pages);
	n = 1 + rnd_below(&p->rnd, m->pages - first);
	end = first + n;
	prot = prot_of(rnd_below(&p->rnd, 3));
	ret = sys_ret(mprotect(m->addr + first * page_size(), n * page_size(), prot));
	note(p, "mprotect(%p, pages %u+%u of %u, prot %d) = %d", m->addr,
	     first, n, m->pages, prot, ret);
	if (m->rdonly && !m->private && (prot & PROT_WRITE)) {
		if (ret != -EACCES)
			fz_fail(p, "mprotect of a read-only attachment: got %d, want %d",
				ret, -EACCES);
		p->last_ret = ret;
		return;
	}
	EXPECT(p, ret, ENOMEM);
	if (ret)
		return;
	for (i = first; i < end; i++) {
		unsigned int v = m->vma[i], j;

		if (m->prot[i] == prot)
			continue;
		/* This VMA changes: its pages inside the range split off. */
		vma_new = p->next_vma++;
		for (j = first; j < end; j++)
			if (m->vma[j] == v) {
				m->vma[j] = vma_new;
				m->prot[j] = prot;
			}
	}
}

/* Number of pages of the VMA that starts at page @first of @m. */
static unsigned int vma_len(struct fz_map *m, unsigned int first)
{
	unsigned int i = first;

	while (i < m->pages && m->vma[i] == m->vma[first])
		i++;
	return i - first;
}

/* An inaccessible range of @pages to mremap() onto, or NULL. */
static char *reserve(unsigned int pages)
{
	void *hole = mmap(NULL, pages * page_size(), PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return hole == MAP_FAILED ? NULL : hole;
}

/*
 * Shrinking always works, across VMAs too (it unmaps the tail).  Moving
 * or growing needs the range inside one VMA (else EFAULT), and growing a
 * VM_DONTEXPAND mapping fails with EFAULT whether it may move or not.
 */
static void op_mremap(struct fz_proc *p)
{
	struct fz_map *m = pick_map(p, true);
	unsigned int len, cut, r;
	char *hole, *q;
	int ret;

	if (!m)
		return;
	len = vma_len(m, 0);
	r = rnd_below(&p->rnd, 3);
	if (r == 0 && m->pages > 1) {
		cut = 1 + rnd_below(&p->rnd, m->pages - 1);
		q = mremap(m->addr, m->pages * page_size(),
			   (m->pages - cut) * page_size(), 0);
		ret = q == MAP_FAILED ? -errno : 0;
		note(p, "mremap(%p, %u -> %u pages) = %d", m->addr, m->pages,
		     m->pages - cut, ret);
		EXPECT(p, ret, ENOMEM);
		if (!ret && q != m->addr)
			fz_fail(p, "mremap shrink moved %p to %p", m->addr, q);
		if (!ret)
			map_cut(p, m, m->pages - cut, cut);
	} else if (r == 1) {
		q = mremap(m->addr, len * page_size(), (len + 1) * page_size(),
			   rnd_chance(&p->rnd, 50) ? MREMAP_MAYMOVE : 0);
		ret = q == MAP_FAILED ? -errno : 0;
		note(p, "mremap(%p, %u -> %u pages) = %d", m->addr, len,
		     len + 1, ret);
		if (ret != -EFAULT)
			fz_fail(p, "mremap grow: got %d, want %d", ret, -EFAULT);
		p->last_ret = ret;
	} else {
		hole = reserve(m->pages);
		if (!hole)
			return;
		q = mremap(m->addr, m->pages * page_size(), m->pages * page_size(),
			   MREMAP_MAYMOVE | MREMAP_FIXED, hole);
		ret = q == MAP_FAILED ? -errno : 0;
		note(p, "mremap(%p, %u pages in %s, to %p) = %d", m->addr,
		     m->pages, len < m->pages ? "several VMAs" : "one VMA",
		     hole, ret);
		if (len < m->pages) {
			if (ret != -EFAULT)
				fz_fail(p, "mremap across VMAs: got %d, want %d",
					ret, -EFAULT);
			p->last_ret = ret;
		} else {
			EXPECT(p, ret, ENOMEM);
		}
		if (ret) {
			/* The destination may be unmapped already: harmless. */
			munmap(hole, m->pages * page_size());
			return;
		}
		if (q != hole)
			fz_fail(p, "mremap fixed: moved to %p, not %p", q, hole);
		m->addr = q;
	}
}

/* Read or write a page as its protection allows; never fault to death. */
static void op_touch(struct fz_proc *p)
{
	struct fz_map *m = pick_map(p, true);
	volatile char *c;
	unsigned int i;
	int ret = 0;

	if (!m)
		return;
	i = rnd_below(&p->rnd, m->pages);
	c = m->addr + i * page_size() + rnd_below(&p->rnd, page_size());
	if (m->prot[i] & PROT_WRITE) {
		if (rnd_chance(&p->rnd, 20))
			ret = sys_ret(madvise(m->addr + i * page_size(), page_size(),
					      MADV_POPULATE_WRITE));
		else
			*c = (char)rnd_next(&p->rnd);
	} else if (m->prot[i] & PROT_READ) {
		if (rnd_chance(&p->rnd, 20))
			ret = sys_ret(madvise(m->addr + i * page_size(), page_size(),
					      MADV_POPULATE_READ));
		else
			(void)*c;
	} else {
		/* PROT_NONE: populating must fail instead of faulting. */
		ret = sys_ret(madvise(m->addr + i * page_size(), page_size(),
				      MADV_POPULATE_READ));
		note(p, "populate(prot none %p) = %d", c, ret);
		if (ret != -EFAULT && ret != -EINVAL && ret != -ENOMEM)
			fz_fail(p, "populate of PROT_NONE: got %d", ret);
		p->last_ret = ret;
		return;
	}
	note(p, "touch(%p, prot %d) = %d", c, m->prot[i], ret);
	EXPECT(p, ret, ENOMEM);
}

/* madvise(@advice) on a random range of a random mapping: never fails. */
static void fz_madvise(struct fz_proc *p, int advice, const char *what)
{
	struct fz_map *m = pick_map(p, true);
	unsigned int first, n;
	int ret;

	if (!m)
		return;
	first = rnd_below(&p->rnd, m->pages);
	n = 1 + rnd_below(&p->rnd, m->pages - first);
	ret = sys_ret(madvise(m->addr + first * page_size(), n * page_size(),
			      advice));
	note(p, "madvise(%p, pages %u+%u, %s) = %d", m->addr, first, n, what,
	     ret);
	EXPECT(p, ret);
}

static void op_dontneed(struct fz_proc *p)
{
	fz_madvise(p, MADV_DONTNEED, "DONTNEED");
}

/*
 * Reclaim a range's pages now: with swap, the region's pages go there, and
 * the next touch brings them back with a major fault.  A locked region's
 * pages stay; so do pages another process maps too.
 */
static void op_pageout(struct fz_proc *p)
{
	fz_madvise(p, MADV_PAGEOUT, "PAGEOUT");
}

static void fz_loop(struct fz_proc *p);

/* Reap children that have exited; any failure of theirs is ours. */
static void reap(struct fz_proc *p, bool block)
{
	unsigned int i;
	int status;
	pid_t pid;

	for (i = 0; i < MAX_CHILDREN; i++) {
		if (!p->children[i])
			continue;
		pid = waitpid(p->children[i], &status, block ? 0 : WNOHANG);
		if (pid == 0)
			continue;
		if (pid < 0)
			fz_fail(p, "waitpid(%d): %s", p->children[i],
				strerror(errno));
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			fz_fail(p, "forked child %d %s %d", pid,
				WIFEXITED(status) ? "exited with" : "killed by signal",
				WIFEXITED(status) ? WEXITSTATUS(status) :
						    WTERMSIG(status));
		p->children[i] = 0;
	}
}

static void op_fork(struct fz_proc *p)
{
	unsigned int i, slot = MAX_CHILDREN;
	uint64_t child_seed;
	pid_t pid;

	if (p->child)
		return;
	reap(p, false);
	for (i = 0; i < MAX_CHILDREN; i++)
		if (!p->children[i])
			slot = i;
	if (slot == MAX_CHILDREN)
		return;
	child_seed = rnd_next(&p->rnd);
	pid = fork();
	note(p, "fork() = %d", pid);
	if (pid < 0) {
		EXPECT(p, -errno, ENOMEM, EAGAIN);
		return;
	}
	if (pid) {
		p->children[slot] = pid;
		return;
	}
	p->child = true;
	p->rnd.s = child_seed;
	p->ops_left = CHILD_OPS;
	memset(p->children, 0, sizeof(p->children));
	for (i = 0; i < MAX_FDS; i++) {
		struct fz_file *f = &p->file[i];

		if (f->fd >= 0 && !f->bound) {
			f->nobind = true;
			f->unknown = true;
		}
	}
	fz_loop(p);
	_exit(0);
}

static void op_wait(struct fz_proc *p)
{
	struct fz_file *f = pick_file(p, true);
	unsigned int pages = f && f->bound ? f->pages : 1;
	uint64_t offset, deadline;
	int64_t sleepers = VMSHM_NO_SLEEPERS;
	uint32_t flags = 0;
	bool bad = false;
	int ret;

	if (!f)
		return;
	/* A quarter wake first, spinning while the woken task runs. */
	if (rnd_chance(&p->rnd, 25))
		flags = VMSHM_WAIT_WAKE | VMSHM_WAIT_SPIN;
	offset = rnd_below(&p->rnd, pages * page_size() / 4) * 4;
	if (rnd_chance(&p->rnd, 5)) {
		offset += rnd_chance(&p->rnd, 50) ? 2 : pages * page_size();
		bad = true;
	}
	if (rnd_chance(&p->rnd, 30)) {
		sleepers = (offset + 4) % (pages * page_size());
		/* Too small a region for two words: the same word. */
		bad |= (uint64_t)sleepers == offset;
	}
	deadline = vmshm_now_ns() + rnd_below(&p->rnd, 2000000);
	ret = vmshm_wait(f->fd, offset, rnd_below(&p->rnd, 3), deadline,
			 sleepers, flags);
	note(p, "wait(fd %d, offset %" PRIu64 ", sleepers %" PRId64
	     ", flags %#x) = %d", f->fd, offset, sleepers, flags, ret);
	if (!f->bound && !f->unknown)
		EXPECT(p, ret, ENODEV);
	else if (f->unknown)
		EXPECT(p, ret, ENODEV, EINVAL, EBADF, EAGAIN, ETIMEDOUT, EPIPE,
		       ENOMEM);
	else if (bad)
		EXPECT(p, ret, EINVAL);
	else if (f->rdonly && (sleepers != VMSHM_NO_SLEEPERS || flags))
		/* The kernel would write the sleepers word, or wake, for us. */
		EXPECT(p, ret, EBADF);
	else
		EXPECT(p, ret, EAGAIN, ETIMEDOUT, EPIPE, ENOMEM);
}

static void op_wake(struct fz_proc *p)
{
	struct fz_file *f = pick_file(p, true);
	int ret;

	if (!f)
		return;
	ret = vmshm_wake(f->fd, rnd_chance(&p->rnd, 50));
	note(p, "wake(fd %d) = %d", f->fd, ret);
	if (f->unknown)
		EXPECT(p, ret, ENODEV, EBADF);
	else if (!f->bound)
		EXPECT(p, ret, ENODEV);
	else if (f->rdonly)
		EXPECT(p, ret, EBADF);
	else
		EXPECT(p, ret);
}

static void op_poll(struct fz_proc *p)
{
	struct fz_file *f = pick_file(p, true);
	struct pollfd pfd;
	int n;

	if (!f)
		return;
	pfd = (struct pollfd){ .fd = f->fd, .events = POLLIN };
	n = poll(&pfd, 1, 0);
	note(p, "poll(fd %d) = %d, revents %#x", f->fd, n, pfd.revents);
	if (n < 0)
		EXPECT(p, -errno, ENOMEM);
	if (pfd.revents & ~(POLLIN | POLLRDNORM | POLLHUP | POLLERR))
		fz_fail(p, "poll: revents %#x", pfd.revents);
	if (!f->unknown && f->bound != !(pfd.revents & POLLERR))
		fz_fail(p, "poll: revents %#x on a%s bound file", pfd.revents,
			f->bound ? "" : "n un");
}

static void op_read(struct fz_proc *p)
{
	struct fz_file *f = pick_file(p, true);
	uint64_t seq;
	size_t count = rnd_chance(&p->rnd, 5) ? 4 : sizeof(seq);
	ssize_t n;
	int ret;

	if (!f)
		return;
	n = read(f->fd, &seq, count);
	ret = n < 0 ? -errno : 0;
	note(p, "read(fd %d, %zu) = %zd", f->fd, count, n);
	if (n > 0 && n != sizeof(seq))
		fz_fail(p, "read returned %zd bytes", n);
	if (f->unknown)
		EXPECT(p, ret, ENODEV, EINVAL, EAGAIN);
	else if (!f->bound)
		EXPECT(p, ret, ENODEV);
	else if (count < sizeof(seq))
		EXPECT(p, ret, EINVAL);
	else
		EXPECT(p, ret, EAGAIN);
}

static void op_stat(struct fz_proc *p)
{
	struct fz_file *f = pick_file(p, true);
	struct vmshm_stat st;
	int ret;

	if (!f)
		return;
	ret = vmshm_stat(f->fd, &st);
	note(p, "stat(fd %d) = %d", f->fd, ret);
	if (f->unknown) {
		EXPECT(p, ret, ENODEV);
		return;
	}
	if (!f->bound) {
		EXPECT(p, ret, ENODEV);
		return;
	}
	EXPECT(p, ret);
	/* A page is in memory, in swap, or not there yet. */
	if (st.out_size != f->pages * page_size() ||
	    st.out_resident + st.out_swapped > f->pages || !st.out_nr_attach)
		fz_fail(p, "stat: size %llu resident %llu swapped %llu attach %u, want size %lu",
			(unsigned long long)st.out_size,
			(unsigned long long)st.out_resident,
			(unsigned long long)st.out_swapped, st.out_nr_attach,
			f->pages * page_size());
}

static void op_info(struct fz_proc *p)
{
	struct fz_file *f = pick_file(p, true);
	struct vmshm_info info = { 0 };
	int ret;

	if (!f)
		return;
	ret = vmshm_get_info(f->fd, &info);
	note(p, "info(fd %d) = %d, regions %u", f->fd, ret,
	     info.out_nr_regions);
	EXPECT(p, ret);
	if (info.out_version != VMSHM_VERSION || info.out_page_size != page_size())
		fz_fail(p, "info: version %u page size %u", info.out_version,
			info.out_page_size);
}

static void op_close(struct fz_proc *p)
{
	struct fz_file *f = pick_file(p, true);
	int ret;

	if (!f)
		return;
	ret = sys_ret(close(f->fd));
	note(p, "close(%d) = %d", f->fd, ret);
	EXPECT(p, ret);
	f->fd = -1;
}

/* A second fd for the same file: same binding, same read position. */
static void op_dup(struct fz_proc *p)
{
	struct fz_file *f = pick_file(p, true), *g = pick_file(p, false);
	int fd;

	if (!f || !g)
		return;
	fd = dup(f->fd);
	note(p, "dup(%d) = %d", f->fd, fd);
	if (fd < 0)
		fz_fail(p, "dup(%d): %s", f->fd, strerror(errno));
	/* Binding one would bind both: bind neither from now on. */
	if (!f->bound)
		f->nobind = true;
	*g = *f;
	g->fd = fd;
}

static void read_all(struct fz_proc *p, const char *path, char *first,
		     size_t len)
{
	char buf[4096];
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fz_fail(p, "open %s: %s", path, strerror(errno));
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (!total) {
			memcpy(first, buf, n < (ssize_t)len ? n : (ssize_t)len);
			first[(size_t)n < len ? (size_t)n : len - 1] = 0;
		}
		total += n;
	}
	if (n < 0)
		fz_fail(p, "read %s: %s", path, strerror(errno));
	close(fd);
	if (!total)
		first[0] = 0;
}

static void op_proc(struct fz_proc *p)
{
	char head[64];

	read_all(p, "/proc/vmshm", head, sizeof(head));
	note(p, "read(/proc/vmshm)");
	if (strncmp(head, "name ", 5))
		fz_fail(p, "/proc/vmshm starts with \"%.20s\"", head);
}

static void op_fdinfo(struct fz_proc *p)
{
	struct fz_file *f = pick_file(p, true);
	char path[64], info[1024];
	bool has;

	if (!f)
		return;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", f->fd);
	read_all(p, path, info, sizeof(info));
	has = strstr(info, "vmshm-region:");
	note(p, "read(%s): %s", path, has ? "bound" : "unbound");
	if (!f->unknown && has != f->bound)
		fz_fail(p, "%s: vmshm-region %s on a%s bound file", path,
			has ? "shown" : "missing", f->bound ? "" : "n un");
}

/*
 * Limits move under CREATE's feet; small ones make ENOSPC and, per user,
 * EDQUOT common.
 */
static void op_param(struct fz_proc *p)
{
	static const struct {
		const char *name;
		unsigned int min, span;
	} params[] = {
		{ "max_regions", 4, 24 },
		{ "max_total_pages", 8, 200 },
		{ "max_user_regions", 2, 16 },
		{ "max_user_pages", 8, 100 },
	};
	unsigned int i = rnd_below(&p->rnd, ARRAY_SIZE(params));
	unsigned long v;
	int ret;

	if (!p->root)
		return;
	v = params[i].min + rnd_below(&p->rnd, params[i].span);
	/* Now and then room for big huge regions. */
	if (!strcmp(params[i].name, "max_total_pages") &&
	    rnd_chance(&p->rnd, 30))
		v = 2048 + rnd_below(&p->rnd, 2048);
	ret = vmshm_set_param(params[i].name, v);
	note(p, "%s = %lu: %d", params[i].name, v, ret);
	EXPECT(p, ret);
}

/*
 * Generic netlink: resolve the "vmshm" family once; each operation sends
 * one request and drains the replies.  Raw sockets, no libnl, so that the
 * static test binary runs in the busybox guest.
 */
struct nl_req {
	struct nlmsghdr nlh;
	struct genlmsghdr genl;
	char attrs[128];
};

static int nl_put_attr(struct nl_req *req, uint16_t type, const void *data,
		       uint16_t len)
{
	struct nlattr *nla = (void *)((char *)req + NLMSG_ALIGN(req->nlh.nlmsg_len));

	if (NLMSG_ALIGN(req->nlh.nlmsg_len) + NLA_HDRLEN + NLA_ALIGN(len) >
	    sizeof(*req))
		return -E2BIG;
	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	memcpy((char *)nla + NLA_HDRLEN, data, len);
	req->nlh.nlmsg_len = NLMSG_ALIGN(req->nlh.nlmsg_len) +
			     NLA_ALIGN(nla->nla_len);
	return 0;
}

/*
 * Send @req and read until its ack, error or dump end.  Returns the
 * request's result (0 or -errno) and the family id of a CTRL reply in
 * @family when asked.
 */
static int nl_transact(struct nl_req *req, int *family)
{
	static __thread char buf[32768];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd, ret = -EIO, done = 0;
	ssize_t n;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	req->nlh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nlh.nlmsg_seq = 1;
	if (sendto(fd, req, req->nlh.nlmsg_len, 0, (void *)&sa,
		   sizeof(sa)) < 0) {
		ret = -errno;
		goto out;
	}
	while (!done && (n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		struct nlmsghdr *h;

		for (h = (void *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				ret = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
				done = 1;
				break;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				/* A dump's end carries its error, if any. */
				ret = h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)) ?
				      *(int *)NLMSG_DATA(h) : 0;
				done = 1;
				break;
			}
			if (family && h->nlmsg_type == GENL_ID_CTRL) {
				struct nlattr *a = (void *)((char *)NLMSG_DATA(h) +
							    GENL_HDRLEN);
				int len = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

				for (; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN;
				     len -= NLA_ALIGN(a->nla_len),
				     a = (void *)((char *)a + NLA_ALIGN(a->nla_len)))
					if (a->nla_type == CTRL_ATTR_FAMILY_ID)
						*family = *(uint16_t *)((char *)a + NLA_HDRLEN);
			}
		}
	}
	if (!done)
		ret = n < 0 ? -errno : -EIO;
out:
	close(fd);
	return ret;
}

static void nl_init(struct nl_req *req, int type, int cmd, int flags)
{
	memset(req, 0, sizeof(*req));
	req->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	req->nlh.nlmsg_type = type;
	req->nlh.nlmsg_flags = flags;
	req->genl.cmd = cmd;
	req->genl.version = 1;
}

static int nl_resolve_family(void)
{
	struct nl_req req;
	int family = 0, ret;

	nl_init(&req, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	nl_put_attr(&req, CTRL_ATTR_FAMILY_NAME, VMSHM_GENL_NAME,
		    sizeof(VMSHM_GENL_NAME));
	ret = nl_transact(&req, &family);
	return ret ? ret : family;
}

static void op_netlink(struct fz_proc *p)
{
	char name[VMSHM_NAME_MAX];
	struct nl_req req;
	int ret;

	pool_name(name, sizeof(name), rnd_below(&p->rnd, NR_NAMES));
	switch (rnd_below(&p->rnd, 5)) {
	case 0:
		nl_init(&req, genl_family, VMSHM_NL_CMD_GET_STATS, 0);
		ret = nl_transact(&req, NULL);
		note(p, "netlink GET_STATS = %d", ret);
		EXPECT(p, ret, ENOMEM);
		break;
	case 1:
		nl_init(&req, genl_family, VMSHM_NL_CMD_GET_REGION, NLM_F_DUMP);
		ret = nl_transact(&req, NULL);
		note(p, "netlink GET_REGION dump = %d", ret);
		EXPECT(p, ret, ENOMEM);
		break;
	case 2:
		nl_init(&req, genl_family, VMSHM_NL_CMD_GET_REGION, 0);
		nl_put_attr(&req, VMSHM_A_REGION_NAME, name, strlen(name) + 1);
		ret = nl_transact(&req, NULL);
		note(p, "netlink GET_REGION %s = %d", name, ret);
		EXPECT(p, ret, ENOENT, ENOMEM);
		break;
	case 3:
		nl_init(&req, genl_family, VMSHM_NL_CMD_GET_MAPPINGS,
			NLM_F_DUMP);
		nl_put_attr(&req, VMSHM_A_REGION_NAME, name, strlen(name) + 1);
		ret = nl_transact(&req, NULL);
		note(p, "netlink GET_MAPPINGS %s = %d", name, ret);
		EXPECT(p, ret, ENOENT, ENOMEM);
		break;
	default:
		nl_init(&req, genl_family, VMSHM_NL_CMD_UNLINK, 0);
		nl_put_attr(&req, VMSHM_A_REGION_NAME, name, strlen(name) + 1);
		ret = nl_transact(&req, NULL);
		note(p, "netlink UNLINK %s = %d", name, ret);
		/* The rule of VMSHM_UNLINK: a missing name is ENOENT for all. */
		if (p->root)
			EXPECT(p, ret, ENOENT);
		else
			EXPECT(p, ret, ENOENT, EPERM);
		break;
	}
}

/*
 * The child of op_ns(), in a new IPC namespace (and, if not root, a user
 * namespace that lets it make one): the pool's names are not there.
 * Returns 0, or the number of the check that failed.
 */
static int ns_child(bool root, const char *name)
{
	int fd, fd2, ret;

	if (unshare(CLONE_NEWIPC | (root ? 0 : CLONE_NEWUSER)))
		return errno == ENOMEM || errno == ENOSPC ? 0 : 1;
	fd = vmshm_open();
	fd2 = vmshm_open();
	if (fd < 0 || fd2 < 0)
		return fd == -ENOMEM || fd2 == -ENOMEM ? 0 : 2;
	if (vmshm_attach(fd, name, VMSHM_ATTACH_RDONLY, NULL, NULL) != -ENOENT)
		return 3;
	if (vmshm_unlink(fd, name) != -ENOENT)
		return 4;
	/* Left to the namespace's death, with a name as its only hold. */
	ret = vmshm_create(fd, name, page_size(), 0600, 0, NULL);
	if (ret && ret != -ENOSPC && ret != -EDQUOT && ret != -ENOMEM)
		return 5;
	if (!ret && vmshm_create(fd2, name, page_size(), 0600, 0, NULL) !=
		    -EEXIST)
		return 6;
	return 0;
}

static void op_ns(struct fz_proc *p)
{
	char name[VMSHM_NAME_MAX];
	int status;
	pid_t pid;

	pool_name(name, sizeof(name), rnd_below(&p->rnd, NR_NAMES));
	pid = fork();
	if (pid < 0) {
		note(p, "ns: fork = %d", -errno);
		EXPECT(p, -errno, ENOMEM, EAGAIN);
		return;
	}
	if (!pid)
		_exit(ns_child(p->root, name));
	if (waitpid(pid, &status, 0) != pid)
		fz_fail(p, "ns: waitpid: %s", strerror(errno));
	note(p, "ns(%s) = %d", name, status);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fz_fail(p, "in a new IPC namespace: check %d failed (status %#x)",
			WIFEXITED(status) ? WEXITSTATUS(status) : -1, status);
}

typedef void (*op_fn)(struct fz_proc *p);

static const op_fn ops[NR_OPS] = {
	[OP_OPEN] = op_open, [OP_CREATE] = op_create,
	[OP_CREATE_BAD] = op_create_bad, [OP_ATTACH] = op_attach,
	[OP_UNLINK] = op_unlink, [OP_MMAP] = op_mmap, [OP_MUNMAP] = op_munmap,
	[OP_MPROTECT] = op_mprotect, [OP_MREMAP] = op_mremap,
	[OP_TOUCH] = op_touch, [OP_DONTNEED] = op_dontneed,
	[OP_FORK] = op_fork, [OP_WAIT] = op_wait, [OP_WAKE] = op_wake,
	[OP_POLL] = op_poll, [OP_READ] = op_read, [OP_STAT] = op_stat,
	[OP_INFO] = op_info, [OP_CLOSE] = op_close, [OP_DUP] = op_dup,
	[OP_PROC] = op_proc, [OP_FDINFO] = op_fdinfo, [OP_PARAM] = op_param,
	[OP_NETLINK] = op_netlink, [OP_PAGEOUT] = op_pageout, [OP_NS] = op_ns,
};

static enum fz_op pick_op(struct fz_proc *p)
{
	unsigned int total = 0, i, r;

	for (i = 0; i < NR_OPS; i++)
		total += op_weight[i];
	r = rnd_below(&p->rnd, total);
	for (i = 0; r >= op_weight[i]; i++)
		r -= op_weight[i];
	return i;
}

static void fz_loop(struct fz_proc *p)
{
	unsigned int seen;
	enum fz_op op;

	for (;;) {
		if (p->child && !p->ops_left--)
			break;
		if (__atomic_load_n(&shared->ops, __ATOMIC_RELAXED) >=
		    total_ops || vmshm_now_ns() > deadline_ns)
			break;
		op = pick_op(p);
		seen = p->nr_history;
		p->last_ret = 0;
		ops[op](p);
		if (p->nr_history == seen)
			continue;	/* nothing to work on */
		__atomic_fetch_add(&shared->ops, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&shared->per_op[op], 1, __ATOMIC_RELAXED);
		if (!p->last_ret)
			__atomic_fetch_add(&shared->ok[op], 1, __ATOMIC_RELAXED);
	}
}

static void worker(unsigned int i)
{
	struct fz_proc *p = calloc(1, sizeof(*p));
	unsigned int j;

	if (!p)
		_exit(2);
	p->worker = i;
	p->rnd.s = seed ^ (0x51ed270b27f3a5c1ULL * (i + 1));
	p->root = !(i & 1);
	for (j = 0; j < MAX_FDS; j++)
		p->file[j].fd = -1;
	if (!p->root &&
	    (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY)))
		fz_fail(p, "cannot become uid %d: %s", NOBODY, strerror(errno));
	fz_loop(p);
	reap(p, true);
	/* Exiting closes and unmaps the rest: that is part of the test. */
	_exit(0);
}

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [-s SEED] [-n OPS] [-p PROCS] [-t SECONDS] [-U] [-v]\n",
		argv0);
	exit(2);
}

/* Unlink what the workers left in the name pool; 0 or -errno. */
static int unlink_pool(int fd)
{
	char name[VMSHM_NAME_MAX];
	unsigned int i;
	int ret;

	for (i = 0; i < NR_NAMES; i++) {
		pool_name(name, sizeof(name), i);
		ret = vmshm_unlink(fd, name);
		if (ret && ret != -ENOENT)
			return ret;
	}
	return 0;
}

/*
 * Dump the regions and look the first pool name up, over and over, as
 * the module goes and comes back: the family id changes with each load.
 */
static void __attribute__((noreturn)) nl_dumper(void)
{
	char name[VMSHM_NAME_MAX];
	struct nl_req req;
	int family = 0;

	pool_name(name, sizeof(name), 0);
	for (;;) {
		if (family <= 0) {
			family = nl_resolve_family();
			continue;
		}
		nl_init(&req, family, VMSHM_NL_CMD_GET_REGION, NLM_F_DUMP);
		if (nl_transact(&req, NULL)) {
			family = 0;
			continue;
		}
		nl_init(&req, family, VMSHM_NL_CMD_GET_REGION, 0);
		nl_put_attr(&req, VMSHM_A_REGION_NAME, name, strlen(name) + 1);
		nl_transact(&req, NULL);
	}
}

/* delete_module(), retried while a dump in flight holds the module. */
static int unload(char *why, size_t len)
{
	int i, ret;

	for (i = 0; i < 5000; i++) {
		ret = vmshm_unload();
		if (ret != -EWOULDBLOCK)
			break;
		usleep(1000);
	}
	if (!ret)
		return 0;
	snprintf(why, len, "delete_module(vmshm): %s", strerror(-ret));
	return -1;
}

static int unload_reload(char *why, size_t len)
{
	int ret;

	if (unload(why, len))
		return -1;
	ret = vmshm_reload();
	if (ret)
		snprintf(why, len, "loading %s: %s", vmshm_ko_path(),
			 strerror(-ret));
	return ret ? -1 : 0;
}

#define NL_UNLOAD_CYCLES	10

/*
 * Unload and load the module NL_UNLOAD_CYCLES times, each time with a
 * region left by name, while a child runs netlink dumps and lookups.  No
 * request may reach a region once unloading has begun; a splat fails the
 * VM run.
 */
static int unload_under_netlink(char *why, size_t len)
{
	char name[VMSHM_NAME_MAX];
	int i, fd, bad = 0;
	pid_t pid;

	pool_name(name, sizeof(name), 0);
	pid = fork();
	if (pid < 0) {
		snprintf(why, len, "fork: %s", strerror(errno));
		return -1;
	}
	if (!pid)
		nl_dumper();
	for (i = 0; !bad && i < NL_UNLOAD_CYCLES; i++) {
		fd = vmshm_open();
		if (fd < 0 || vmshm_create(fd, name, page_size(), 0600, 0, NULL)) {
			snprintf(why, len, "cycle %d: cannot create %s", i, name);
			bad = -1;
		}
		if (fd >= 0)
			close(fd);
		if (!bad)
			bad = unload_reload(why, len);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return bad;
}

/* Wait for the workers; kill them if they outlive the deadline by 60 s. */
static int wait_workers(pid_t *pids, unsigned int n, char *why, size_t len)
{
	unsigned int left = n, i;
	int status, bad = 0;
	pid_t pid;

	while (left) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid < 0) {
			snprintf(why, len, "waitpid: %s", strerror(errno));
			return -1;
		}
		if (!pid) {
			if (vmshm_now_ns() > deadline_ns + 60000000000ULL) {
				for (i = 0; i < n; i++)
					if (pids[i])
						kill(pids[i], SIGKILL);
				snprintf(why, len, "workers still running 60 s after the time bound");
				bad = -1;
			}
			usleep(10000);
			continue;
		}
		for (i = 0; i < n; i++)
			if (pids[i] == pid)
				break;
		if (i == n)
			continue;
		pids[i] = 0;
		left--;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			snprintf(why, len, "worker %u %s %d", i,
				 WIFEXITED(status) ? "exited with" : "killed by signal",
				 WIFEXITED(status) ? WEXITSTATUS(status) :
						     WTERMSIG(status));
			bad = -1;
		}
	}
	return bad;
}

static bool info_equal(const struct vmshm_info *a, const struct vmshm_info *b)
{
	return a->out_nr_regions == b->out_nr_regions &&
	       a->out_reserved_pages == b->out_reserved_pages &&
	       a->out_nr_pages == b->out_nr_pages &&
	       a->out_swapped_pages == b->out_swapped_pages;
}

/*
 * The counters as they settle: the names of the IPC namespaces of op_ns()
 * go in a work item after those namespaces died, 10 s at most.
 */
static int info_settle(int fd, const struct vmshm_info *want,
		       struct vmshm_info *info)
{
	uint64_t end = vmshm_now_ns() + 10000000000ULL;
	int ret;

	while (!(ret = vmshm_get_info(fd, info)) && !info_equal(want, info) &&
	       vmshm_now_ns() < end)
		usleep(10000);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned int nprocs = 2, seconds = 300, i;
	unsigned long max_regions, max_total_pages, max_user_regions;
	unsigned long max_user_pages;
	struct vmshm_info before, after;
	bool unload = true;
	char why[256] = "";
	uint64_t start, done = 0;
	pid_t *pids;
	int c, fd, bad = 0;

	seed = vmshm_now_ns() ^ ((uint64_t)getpid() << 32);
	while ((c = getopt(argc, argv, "s:n:p:t:Uvh")) != -1) {
		switch (c) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			total_ops = strtoull(optarg, NULL, 0);
			break;
		case 'p':
			nprocs = strtoul(optarg, NULL, 0);
			break;
		case 't':
			seconds = strtoul(optarg, NULL, 0);
			break;
		case 'U':
			unload = false;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (optind != argc || !nprocs || nprocs > 64 || !seconds)
		usage(argv[0]);

	ksft_print_header();
	ksft_set_plan(1);
	ksft_print_msg("vmshm_fuzz -s 0x%" PRIx64 " -n %" PRIu64 " -p %u -t %u\n",
		       seed, total_ops, nprocs, seconds);
	if (access(VMSHM_DEVICE, F_OK))
		ksft_exit_skip("%s not present: is vmshm.ko loaded?\n",
			       VMSHM_DEVICE);
	if (geteuid())
		ksft_exit_skip("needs root: module parameters, unload\n");
	snprintf(name_prefix, sizeof(name_prefix), "fz%d", getpid());
	genl_family = nl_resolve_family();
	if (genl_family > 0)
		op_weight[OP_NETLINK] = 3;
	else
		ksft_print_msg("genetlink family %s: %s, netlink operations off\n",
			       VMSHM_GENL_NAME, strerror(-genl_family));

	fd = vmshm_open();
	if (fd < 0 || vmshm_get_info(fd, &before))
		ksft_exit_fail_msg("%s: cannot read VMSHM_GET_INFO\n",
				   VMSHM_DEVICE);
	close(fd);
	max_regions = vmshm_get_param("max_regions");
	max_total_pages = vmshm_get_param("max_total_pages");
	max_user_regions = vmshm_get_param("max_user_regions");
	max_user_pages = vmshm_get_param("max_user_pages");

	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pids = calloc(nprocs, sizeof(*pids));
	if (shared == MAP_FAILED || !pids)
		ksft_exit_fail_msg("out of memory\n");
	fflush(stdout);
	start = vmshm_now_ns();
	deadline_ns = start + seconds * 1000000000ULL;
	for (i = 0; i < nprocs; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			ksft_exit_fail_msg("fork: %s\n", strerror(errno));
		if (!pids[i])
			worker(i);
	}
	bad = wait_workers(pids, nprocs, why, sizeof(why));

	for (i = 0; i < NR_OPS; i++)
		done += shared->per_op[i];
	ksft_print_msg("%" PRIu64 " operations in %.1f s%s\n", done,
		       (vmshm_now_ns() - start) / 1e9,
		       done < total_ops ? " (time bound reached)" : "");
	for (i = 0; i < NR_OPS; i++)
		if (shared->per_op[i])
			ksft_print_msg("  %-10s %8" PRIu64 " (%" PRIu64 " succeeded)\n",
				       op_names[i], shared->per_op[i],
				       shared->ok[i]);

	/* Restore the limits, then every page must have come back. */
	vmshm_set_param("max_regions", max_regions);
	vmshm_set_param("max_total_pages", max_total_pages);
	vmshm_set_param("max_user_regions", max_user_regions);
	vmshm_set_param("max_user_pages", max_user_pages);
	fd = vmshm_open();
	if (fd < 0 || unlink_pool(fd) || info_settle(fd, &before, &after)) {
		if (!bad)
			snprintf(why, sizeof(why), "cannot unlink the name pool or read the counters");
		bad = -1;
	} else if (!info_equal(&before, &after)) {
		snprintf(why, sizeof(why),
			 "counters not back: regions %u reserved %llu pages %llu swapped %llu, were %u %llu %llu %llu",
			 after.out_nr_regions,
			 (unsigned long long)after.out_reserved_pages,
			 (unsigned long long)after.out_nr_pages,
			 (unsigned long long)after.out_swapped_pages,
			 before.out_nr_regions,
			 (unsigned long long)before.out_reserved_pages,
			 (unsigned long long)before.out_nr_pages,
			 (unsigned long long)before.out_swapped_pages);
		bad = -1;
	}
	if (fd >= 0)
		close(fd);
	if (!bad && unload) {
		bad = genl_family > 0 ?
		      unload_under_netlink(why, sizeof(why)) :
		      unload_reload(why, sizeof(why));
		if (!bad)
			ksft_print_msg("module unloaded and loaded again%s\n",
				       genl_family > 0 ?
				       ", 10 times under netlink dumps" : "");
	}
	if (bad)
		ksft_test_result_fail("vmshm_fuzz seed 0x%" PRIx64 ": %s\n",
				      seed, why);
	else
		ksft_test_result_pass("vmshm_fuzz seed 0x%" PRIx64 "\n", seed);
	ksft_finished();
}
