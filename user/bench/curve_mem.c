// SPDX-License-Identifier: GPL-2.0
/*
 * The region curves.
 *
 * curve/regions: with N regions in existence (transient, one page each,
 * each held by an open fd), three costs:
 *
 *   create-attach-destroy  open, VMSHM_CREATE of a new named region, a
 *                          second open and VMSHM_ATTACH by name,
 *                          VMSHM_UNLINK, both closes: three name lookups
 *   proc-read              open, read to the end and close /proc/vmshm
 *   nl-dump                a netlink dump of every region (libvmshm-nl),
 *                          which must see at least N
 *
 * Each cost is repeated in a run of its own, the first a discarded
 * warm-up.  N stops below the module's limits (max_regions,
 * max_user_regions, max_total_pages, max_user_pages) and RLIMIT_NOFILE,
 * which the bench raises; scripts/bench-guest.sh raises the module's.
 *
 * curve/faults: create a region of S bytes, map it and write one byte
 * per 4 KiB, then unmap and close it (not timed); y is the time per
 * 4 KiB, for 4 KiB pages and for VMSHM_CREATE_HUGE.  S stops below
 * max_region_size and the page limits.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "chan.h"
#include "curves.h"
#include "util.h"
#include "vmshm_nl.h"

#define REGIONS_MAX	10000
#define REGIONS_SLACK	8	/* regions the curve itself creates, and some */
#define FD_SLACK	64
#define SMALL		4096ULL

/* How many regions of @pages pages each the limits leave room for. */
static uint64_t region_room(uint64_t pages)
{
	struct vmshm_info in;
	uint64_t room, t;
	int fd = vmshm_open();

	if (fd < 0)
		return 0;
	if (vmshm_get_info(fd, &in)) {
		close(fd);
		return 0;
	}
	close(fd);
	room = in.out_max_regions > in.out_nr_regions ?
	       in.out_max_regions - in.out_nr_regions : 0;
	t = in.out_max_user_regions > in.out_user_regions ?
	    in.out_max_user_regions - in.out_user_regions : 0;
	room = t < room ? t : room;
	t = in.out_max_total_pages > in.out_reserved_pages ?
	    (in.out_max_total_pages - in.out_reserved_pages) / pages : 0;
	room = t < room ? t : room;
	t = in.out_max_user_pages > in.out_user_pages ?
	    (in.out_max_user_pages - in.out_user_pages) / pages : 0;
	room = t < room ? t : room;
	if (pages * SMALL > in.out_max_region_size)
		room = 0;
	return room;
}

/* Raise RLIMIT_NOFILE to hold @n more fds; return how many it allows. */
static uint64_t fd_room(uint64_t n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	if (rl.rlim_cur < n + FD_SLACK) {
		rl.rlim_cur = n + FD_SLACK;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur > FD_SLACK ? rl.rlim_cur - FD_SLACK : 0;
}

/* Plan x = 1, 3, 10, 30... up to @top; cut where @room ends. */
static void regions_plan(struct curve *c, unsigned int top, uint64_t room)
{
	static char note[96];
	unsigned int n, i = 0, decade = 1;

	/* 1, 3, 10, 30, 100... */
	for (n = 1; n <= top; n = i % 2 ? 3 * decade : (decade *= 10)) {
		if (n > room && !c->note) {
			snprintf(note, sizeof(note),
				 "stopped at %llu regions: module limits or RLIMIT_NOFILE",
				 (unsigned long long)room);
			c->note = note;
		}
		if (n <= room)
			c->x[c->nr_points++] = n;
		i++;
	}
	c->planned = i;
}

static int cad_once(const char *name, double *ns)
{
	uint64_t t0 = vmshm_now_ns(), size;
	int fd, fd2, ret, ret2;

	fd = vmshm_open();
	if (fd < 0)
		return fd;
	fd2 = vmshm_open();
	ret = fd2 < 0 ? fd2 :
	      vmshm_create(fd, name, SMALL, 0600, 0, NULL);
	if (!ret) {
		ret = vmshm_attach(fd2, name, 0, &size, NULL);
		ret2 = vmshm_unlink(fd, name);
		ret = ret ? ret : ret2;
	}
	if (fd2 >= 0)
		close(fd2);
	close(fd);
	*ns = vmshm_now_ns() - t0;
	return ret;
}

static int proc_once(double *ns)
{
	uint64_t t0 = vmshm_now_ns();
	static char buf[65536];
	ssize_t n;
	int fd = open("/proc/vmshm", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
	*ns = vmshm_now_ns() - t0;
	return n < 0 ? -errno : 0;
}

static int nl_count(const struct vmshm_nl_region *r, void *arg)
{
	(void)r;
	++*(uint64_t *)arg;
	return 0;
}

static int nl_once(struct vmshm_nl *nl, uint64_t want, double *ns)
{
	uint64_t t0 = vmshm_now_ns(), seen = 0;
	int ret = vmshm_nl_dump_regions(nl, nl_count, &seen);

	*ns = vmshm_now_ns() - t0;
	if (ret < 0)
		return ret;
	if (seen < want) {
		err_msg("curve regions: the netlink dump saw %llu regions, not %llu",
			(unsigned long long)seen, (unsigned long long)want);
		return -EIO;
	}
	return 0;
}

/* The three costs with @n regions in existence, @reps times after one. */
static int regions_point(struct curve *c, unsigned int i, struct vmshm_nl *nl,
			 uint64_t n)
{
	double v[3][CURVE_REPS + 1];
	char name[VMSHM_NAME_MAX];
	unsigned int k;
	int ret = 0;

	/*
	 * Each cost in a run of its own: a dump of thousands of regions
	 * between two lookups would leave every lookup to a cold cache
	 * (and TCG's TLB), and the lookup would be charged for the dump.
	 */
	snprintf(name, sizeof(name), "bench-%d-measured", (int)getpid());
	for (k = 0; k <= c->reps && !ret; k++)
		ret = cad_once(name, &v[0][k]);
	for (k = 0; k <= c->reps && !ret; k++)
		ret = proc_once(&v[1][k]);
	for (k = 0; k <= c->reps && !ret; k++)
		ret = nl_once(nl, n, &v[2][k]);
	for (k = 0; k < 3 && !ret; k++)
		curve_point(c, k, i, v[k] + 1, c->reps);
	return ret;
}

/* Create transient regions until @fds holds @n of them. */
static int regions_fill(int *fds, uint64_t *have, uint64_t n)
{
	char name[VMSHM_NAME_MAX];
	int fd, ret;

	while (*have < n) {
		fd = vmshm_open();
		if (fd < 0)
			return fd;
		snprintf(name, sizeof(name), "bench-%d-r%llu", (int)getpid(),
			 (unsigned long long)*have);
		ret = vmshm_create(fd, name, SMALL, 0600,
				   VMSHM_CREATE_TRANSIENT, NULL);
		if (ret) {
			close(fd);
			return ret;
		}
		fds[(*have)++] = fd;
	}
	return 0;
}

static int regions_measure(struct curve *c, int *fds, uint64_t *have)
{
	struct vmshm_nl *nl;
	unsigned int i;
	int ret;

	ret = vmshm_nl_open(&nl);
	if (ret) {
		err_msg("curve regions: netlink: %s", strerror(-ret));
		return ret;
	}
	for (i = 0; i < c->nr_points && !ret; i++) {
		ret = regions_fill(fds, have, c->x[i]);
		if (ret)
			err_msg("curve regions: creating region %llu: %s",
				(unsigned long long)*have + 1, strerror(-ret));
		else
			ret = regions_point(c, i, nl, c->x[i]);
	}
	vmshm_nl_close(nl);
	return ret;
}

/**
 * curve_regions() - lookup and dump costs against existing regions
 * @cfg: the configuration (--quick: up to 1000 regions, fewer reps)
 * @c: receives the curve
 *
 * Return: 0 or -errno.
 */
int curve_regions(const struct bench_cfg *cfg, struct curve *c)
{
	unsigned int top = cfg->quick ? 1000 : REGIONS_MAX;
	uint64_t room = region_room(1), have = 0, fr, i;
	int *fds, ret;

	c->reps = cfg->quick ? 5 : 7;
	c->nr_series = 3;
	c->series[0] = (struct curve_series){ .name = "create-attach-destroy",
					      .unit = "ns" };
	c->series[1] = (struct curve_series){ .name = "proc-read",
					      .unit = "ns" };
	c->series[2] = (struct curve_series){ .name = "nl-dump",
					      .unit = "ns" };
	room = room > REGIONS_SLACK ? room - REGIONS_SLACK : 0;
	fr = fd_room(top);
	regions_plan(c, top, fr < room ? fr : room);
	fds = calloc(top, sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	ret = regions_measure(c, fds, &have);
	for (i = 0; i < have; i++)
		close(fds[i]);
	free(fds);
	return ret;
}

/* Create, map and touch @bytes once: ns per 4 KiB. */
static int fault_once(uint64_t bytes, uint32_t flags, double *ns)
{
	char name[VMSHM_NAME_MAX];
	uint64_t t0, off;
	struct vreg v;
	int ret;

	snprintf(name, sizeof(name), "bench-%d-size", (int)getpid());
	t0 = vmshm_now_ns();
	ret = vreg_create_map(&v, name, bytes, flags, 0);
	if (ret)
		return ret;
	for (off = 0; off < bytes; off += SMALL)
		__atomic_store_n((char *)v.mem + off, 1, __ATOMIC_RELAXED);
	*ns = (double)(vmshm_now_ns() - t0) / (bytes / SMALL);
	vreg_close(&v);
	return 0;
}

/**
 * curve_faults() - create+map+touch time per 4 KiB against region size
 * @cfg: the configuration (--quick: up to 16 MiB, fewer reps)
 * @c: receives the curve
 *
 * Return: 0 or -errno.
 */
int curve_faults(const struct bench_cfg *cfg, struct curve *c)
{
	static const uint32_t flags[2] = { 0, VMSHM_CREATE_HUGE };
	uint64_t top = (cfg->quick ? 16ULL : 256ULL) << 20, bytes;
	static char note[96];
	double v[CURVE_REPS];
	unsigned int i = 0, k, s;
	int ret;

	c->reps = cfg->quick ? 3 : 5;
	c->nr_series = 2;
	c->series[0] = (struct curve_series){ .name = "vmshm",
					      .unit = "ns/4KiB" };
	c->series[1] = (struct curve_series){ .name = "vmshm-huge",
					      .unit = "ns/4KiB" };
	for (bytes = SMALL; bytes <= top; bytes *= 4, c->planned++) {
		if (!c->note && region_room(bytes / SMALL) < 1) {
			snprintf(note, sizeof(note),
				 "stopped below %llu KiB: module limits",
				 (unsigned long long)bytes >> 10);
			c->note = note;
		}
		for (s = 0; s < 2 && !c->note; s++) {
			for (k = 0; k < c->reps; k++) {
				ret = fault_once(bytes, flags[s], &v[k]);
				if (ret) {
					err_msg("curve faults: %s of %llu KiB: %s",
						c->series[s].name,
						(unsigned long long)bytes >> 10,
						strerror(-ret));
					return ret;
				}
			}
			curve_point(c, s, i, v, c->reps);
		}
		if (!c->note) {
			c->x[i++] = bytes;
			c->nr_points = i;
		}
	}
	return 0;
}
