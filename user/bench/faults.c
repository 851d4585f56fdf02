// SPDX-License-Identifier: GPL-2.0
/*
 * Page faults: the first touch (one byte written) of every page of a
 * fresh mapping, timed per page, with the minor faults getrusage() saw
 * during the touch, i.e. after the set-up.  Kinds:
 *
 *   anon            private anonymous memory (THP as the system has it)
 *   anon-populate   the same with MAP_POPULATE (faulted in by mmap)
 *   memfd           a memfd, mapped shared (shmem, base pages)
 *   vmshm           a vmshm region (shmem, base pages)
 *   vmshm-huge      a VMSHM_CREATE_HUGE region (shmem, huge=within_size)
 *   vmshm-locked    a VMSHM_CREATE_LOCKED region (unevictable)
 *   vmshm-populate  a vmshm region mapped with MAP_POPULATE: the touch
 *                   must not fault
 *
 * Every kind runs at every size of cfg->pages; a variant's name ends in
 * its size ("vmshm-huge-64M"), so that each (variant, size) is a job of
 * its own and is compared with the anon run of the same size.  The set-up
 * time (create, ftruncate, mmap and any populate) is reported per page.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "acct.h"
#include "chan.h"
#include "run.h"
#include "util.h"

#define FAULT_NAME_MAX	32

static const char *const fault_kinds[FAULT_KINDS] = {
	[FK_ANON] = "anon",
	[FK_POPULATE] = "anon-populate",
	[FK_MEMFD] = "memfd",
	[FK_VMSHM] = "vmshm",
	[FK_HUGE] = "vmshm-huge",
	[FK_LOCKED] = "vmshm-locked",
	[FK_VPOPULATE] = "vmshm-populate",
};

static char fault_names[FAULT_SIZES][FAULT_KINDS][FAULT_NAME_MAX];

/**
 * fault_names_init() - name every (kind, size) variant
 * @cfg: the configuration, for its sizes
 *
 * The size is in MiB, or in KiB when it is not a whole number of MiB.
 */
void fault_names_init(const struct bench_cfg *cfg)
{
	uint64_t page = sysconf(_SC_PAGESIZE), bytes;
	unsigned int s, k;
	char size[24];

	for (s = 0; s < cfg->nr_sizes; s++) {
		bytes = cfg->pages[s] * page;
		if (bytes % (1 << 20))
			snprintf(size, sizeof(size), "%lluK",
				 (unsigned long long)bytes >> 10);
		else
			snprintf(size, sizeof(size), "%lluM",
				 (unsigned long long)bytes >> 20);
		for (k = 0; k < FAULT_KINDS; k++)
			snprintf(fault_names[s][k], FAULT_NAME_MAX, "%s-%s",
				 fault_kinds[k], size);
	}
}

/**
 * fault_variant() - the name of a kind at a size
 * @size: index into cfg->pages
 * @kind: the kind
 *
 * Return: e.g. "vmshm-huge-64M"; fault_names_init() must have run.
 */
const char *fault_variant(unsigned int size, enum fault_kind kind)
{
	return fault_names[size][kind];
}

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

static int fault_map_vmshm(enum fault_kind kind, size_t size,
			   struct vreg *v)
{
	uint32_t flags = kind == FK_HUGE ? VMSHM_CREATE_HUGE :
			 kind == FK_LOCKED ? VMSHM_CREATE_LOCKED : 0;
	char name[VMSHM_NAME_MAX];

	snprintf(name, sizeof(name), "bench-%d-faults", (int)getpid());
	return vreg_create_map(v, name, size, flags,
			       kind == FK_VPOPULATE ? MAP_POPULATE : 0);
}

static int fault_map(enum fault_kind kind, size_t size, struct vreg *v)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;

	v->fd = -1;
	v->size = size;
	switch (kind) {
	case FK_ANON:
		break;
	case FK_MEMFD:
		return fault_map_memfd(size, v);
	case FK_POPULATE:
		flags |= MAP_POPULATE;
		break;
	default:
		return fault_map_vmshm(kind, size, v);
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
 * fault_run() - map pages of one kind at one size and touch each once
 * @cfg: the configuration
 * @idx: size * FAULT_KINDS + kind
 * @res: receives the result
 *
 * Return: 0, or -errno after printing why.
 */
int fault_run(const struct bench_cfg *cfg, unsigned int idx,
	      struct result *res)
{
	enum fault_kind kind = idx % FAULT_KINDS;
	uint64_t pages = cfg->pages[idx / FAULT_KINDS];
	size_t page = sysconf(_SC_PAGESIZE);
	struct acct_mark m;
	int64_t kf0, kf1;
	struct vreg v;
	uint64_t t0;
	int ret;

	t0 = vmshm_now_ns();
	ret = fault_map(kind, pages * page, &v);
	res->setup_ns = vmshm_now_ns() - t0;
	if (ret) {
		err_msg("faults: cannot map %s memory: %s", res->variant,
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
	res->n = pages;
	res->side[0].ops = pages;
	res->side[0].own = 0;
	if (v.fd >= 0)
		vreg_close(&v);
	else
		munmap(v.mem, v.size);
	return 0;
}
