// SPDX-License-Identifier: GPL-2.0
/*
 * "# meta" lines at the top of the CSV.  Values are single lines; the
 * report script prints them as they are.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "meta.h"
#include "rounds.h"
#include "spawn.h"
#include "util.h"

#define CLOCKSOURCE \
	"/sys/devices/system/clocksource/clocksource0/current_clocksource"
#define THP	"/sys/kernel/mm/transparent_hugepage/"

/**
 * meta_add() - add a --meta "key=value"
 * @m: the meta lines
 * @kv: the string, kept by pointer
 *
 * Return: 0, or -EINVAL if it has no '=' or there are too many.
 */
int meta_add(struct meta *m, const char *kv)
{
	if (!strchr(kv, '=') || strchr(kv, '\n') || m->nr_extra == META_MAX)
		return -EINVAL;
	m->extra[m->nr_extra++] = kv;
	return 0;
}

/**
 * meta_open() - open the CSV file
 * @m: the meta lines; "stdout" or "-" writes to stdout
 *
 * Return: 0 or -errno, after printing why.
 */
int meta_open(struct meta *m)
{
	if (!strcmp(m->csv_path, "stdout") || !strcmp(m->csv_path, "-")) {
		m->out = stdout;
		return 0;
	}
	m->out = fopen(m->csv_path, "w");
	if (!m->out) {
		err_msg("%s: cannot create: %s", m->csv_path, strerror(errno));
		return -errno;
	}
	return 0;
}

/* The first line of @path, without its newline, into @buf. */
static const char *first_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	snprintf(buf, size, "unknown");
	if (!f)
		return buf;
	if (fgets(buf, size, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return buf;
}

static void meta_system(FILE *f, int sys_status)
{
	char buf[512], now[32];
	struct utsname u;
	time_t t = time(NULL);

	uname(&u);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	fprintf(f, "# meta date=%s\n", now);
	fprintf(f, "# meta kernel=%s\n", u.release);
	fprintf(f, "# meta machine=%s\n", u.machine);
	fprintf(f, "# meta guest_cpus=%ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	fprintf(f, "# meta clocksource=%s\n",
		first_line(CLOCKSOURCE, buf, sizeof(buf)));
	fprintf(f, "# meta cmdline=%s\n",
		first_line("/proc/cmdline", buf, sizeof(buf)));
	fprintf(f, "# meta thp_enabled=%s\n", first_line(THP "enabled", buf,
							 sizeof(buf)));
	fprintf(f, "# meta thp_shmem_enabled=%s\n",
		first_line(THP "shmem_enabled", buf, sizeof(buf)));
	fprintf(f, "# meta syscall_counter=%s\n", !sys_status ?
		"raw_syscalls:sys_enter tracepoint, round 0 only, per job" :
		strerror(-sys_status));
}

/**
 * meta_write() - write the meta lines
 * @m: the meta lines and the CSV stream
 * @b: the bench, for its configuration
 */
void meta_write(const struct meta *m, const struct bench *b)
{
	const struct bench_cfg *c = b->cfg;
	FILE *f = m->out;
	unsigned int i;

	fprintf(f, "# vmshm-bench CSV; see Documentation/bench/README.md\n");
	meta_system(f, b->sys_status);
	fprintf(f, "# meta rounds=%u\n# meta rts=%llu\n# meta warmup=%llu\n",
		c->rounds, (unsigned long long)c->rts,
		(unsigned long long)c->warmup);
	fprintf(f, "# meta slow_cap_ms=%llu\n# meta cap_ms=%llu\n",
		(unsigned long long)c->slow_cap_ns / 1000000,
		(unsigned long long)c->cap_ns / 1000000);
	fprintf(f, "# meta lines=%llu\n# meta flags_lines=%llu\n",
		(unsigned long long)c->lines,
		(unsigned long long)c->flags_lines);
	fprintf(f, "# meta input_bytes=%zu\n# meta pages=", b->len);
	for (i = 0; i < c->nr_sizes; i++)
		fprintf(f, "%s%llu", i ? "," : "",
			(unsigned long long)c->pages[i]);
	fprintf(f, "\n# meta page_size=%ld\n", sysconf(_SC_PAGESIZE));
	fprintf(f, "# meta spin=%u\n# meta ring_size=%llu\n# meta seed=%llu\n",
		c->spin, (unsigned long long)c->ring_size,
		(unsigned long long)c->seed);
	if (c->only)
		fprintf(f, "# meta only=%s\n", c->only);
	for (i = 0; i < m->nr_extra; i++)
		fprintf(f, "# meta %s\n", m->extra[i]);
}
