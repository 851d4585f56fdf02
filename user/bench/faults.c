// SPDX-License-Identifier: GPL-2.0
/*
 * Page faults: the first touch (one byte written) of every page of a
 * fresh mapping, timed per page, with the minor faults getrusage() saw
 * during the touch, i.e. after the set-up.  Kinds:
 *
 *   anon            private anonymous memory
 *   anon-populate   the same with MAP_POPULATE (faulted in by mmap)
 *   memfd           a memfd, mapped shared (shmem)
 *   vmshm           a vmshm region
 *   vmshm-populate  a vmshm region mapped with MAP_POPULATE: mmap()
 *                   faults every page in, the touch must not fault
 *
 * The set-up time (create, ftruncate, mmap and any populating) is
 * reported per page too.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "acct.h"
#include "chan.h"
#include "run.h"
#include "util.h"

enum { FK_ANON, FK_POPULATE, FK_MEMFD, FK_VMSHM, FK_VMSHM_POPULATE };

const char *const fault_names[FAULT_KINDS] = {
	[FK_ANON] = "anon",
	[FK_POPULATE] = "anon-populate",
	[FK_MEMFD] = "memfd",
	[FK_VMSHM] = "vmshm",
	[FK_VMSHM_POPULATE] = "vmshm-populate",
};

static int fault_map_memfd(size_t size, struct vreg *v)
{
	int fd = memfd_create("vmshm-bench", MFD_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, size)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	v->mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ret = v->mem == MAP_FAILED ? -errno : 0;
	close(fd);
	return ret;
}

/* A region; with @populate, mapped again in place with MAP_POPULATE. */
static int fault_map_vmshm(size_t size, bool populate, struct vreg *v)
{
	char name[VMSHM_NAME_MAX];
	void *p;
	int ret;

	snprintf(name, sizeof(name), "bench-%d-faults", (int)getpid());
	ret = vreg_create(v, name, size, 0);
	if (ret || !populate)
		return ret;
	p = mmap(v->mem, v->size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED | MAP_POPULATE, v->fd, 0);
	if (p != MAP_FAILED)
		return 0;
	ret = -errno;
	vreg_close(v);
	return ret;
}

static int fault_map(unsigned int kind, size_t size, struct vreg *v)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;

	v->fd = -1;
	v->size = size;
	switch (kind) {
	case FK_MEMFD:
		return fault_map_memfd(size, v);
	case FK_VMSHM:
	case FK_VMSHM_POPULATE:
		return fault_map_vmshm(size, kind == FK_VMSHM_POPULATE, v);
	case FK_POPULATE:
		flags |= MAP_POPULATE;
		break;
	}
	v->mem = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
	return v->mem == MAP_FAILED ? -errno : 0;
}

static int64_t fault_count(const struct vreg *v)
{
	struct vmshm_stat st;

	if (v->fd < 0 || vmshm_stat(v->fd, &st))
		return -1;
	return st.out_faults;
}

/* One byte per page; an atomic store the compiler cannot drop. */
static void fault_touch(const struct vreg *v, size_t page)
{
	char *p = v->mem;
	size_t off;

	for (off = 0; off < v->size; off += page)
		__atomic_store_n(&p[off], 1, __ATOMIC_RELAXED);
}

/**
 * fault_run() - map cfg->pages pages of @kind and touch each once
 * @cfg: the configuration
 * @kind: index into fault_names
 * @res: receives the result
 *
 * Return: 0, or -errno after printing why.
 */
int fault_run(const struct bench_cfg *cfg, unsigned int kind,
	      struct result *res)
{
	size_t page = sysconf(_SC_PAGESIZE);
	struct acct_mark m;
	int64_t kf0, kf1;
	struct vreg v;
	uint64_t t0;
	int ret;

	t0 = vmshm_now_ns();
	ret = fault_map(kind, cfg->pages * page, &v);
	res->setup_ns = vmshm_now_ns() - t0;
	if (ret) {
		err_msg("faults: cannot map %s memory: %s", fault_names[kind],
			strerror(-ret));
		return ret;
	}
	kf0 = fault_count(&v);
	acct_start(&m);
	t0 = vmshm_now_ns();
	fault_touch(&v, page);
	res->ns = vmshm_now_ns() - t0;
	acct_stop(&m, &res->side[0]);
	kf1 = fault_count(&v);
	res->kfaults = kf0 < 0 || kf1 < 0 ? -1 : kf1 - kf0;
	res->n = cfg->pages;
	res->side[0].ops = cfg->pages;
	res->side[0].own = 0;
	if (v.fd >= 0)
		vreg_close(&v);
	else
		munmap(v.mem, v.size);
	return 0;
}
