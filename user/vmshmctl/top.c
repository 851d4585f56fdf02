// SPDX-License-Identifier: GPL-2.0
/*
 * vmshmctl top: every region, refreshed each -d seconds from a region
 * dump, with its counters turned into rates since the last frame.  The
 * events group is read between frames: each event is listed under the
 * next frame, and a region created or destroyed redraws the screen at
 * once (-b waits for the period, so that -n counts periods).
 *
 * The screen is cleared with "ESC [ H ESC [ 2 J" and nothing else, which
 * every terminal and serial console understands; -b prints plain lines.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "vmshmctl.h"

#define TOP_MAX_DELAY	3600.0
#define DELAY_HINT	"expected seconds, more than 0 and at most 3600"
#define TOP_MAX_EVENTS	8	/* listed under one frame; the rest counted */

/**
 * struct top - the state of one top run
 * @ctl: the request handle is ctl->nl
 * @ev: a second handle, subscribed to the events group
 * @cur: the regions of this frame
 * @prev: those of the last frame, for the rates
 * @t_prev: when @prev was taken (CLOCK_MONOTONIC, seconds)
 * @events: the events since the last frame, up to TOP_MAX_EVENTS
 * @nr_events: how many came, listed or not
 * @delay: -d
 * @iterations: -n, 0 for no limit
 * @batch: -b
 */
struct top {
	struct ctl *ctl;
	struct vmshm_nl *ev;
	struct region_list cur;
	struct region_list prev;
	double t_prev;
	struct vmshm_nl_event events[TOP_MAX_EVENTS];
	unsigned int nr_events;
	double delay;
	unsigned long iterations;
	bool batch;
};

static volatile sig_atomic_t top_stop;

static void top_on_signal(int sig __always_unused)
{
	top_stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_top(int argc, char **argv, struct top *t)
{
	unsigned long n;
	char *end;
	int c;

	optind = 0;	/* glibc: start over, after the global options */
	while ((c = getopt(argc, argv, "+d:n:b")) != -1) {
		switch (c) {
		case 'd':
			errno = 0;
			t->delay = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(t->delay > 0) ||
			    t->delay > TOP_MAX_DELAY)
				return ctl_usage_error("top: bad delay \"%s\" (%s)",
						       optarg, DELAY_HINT);
			break;
		case 'n':
			if (parse_uint(optarg, ULONG_MAX, &n) || !n)
				return ctl_usage_error("top: bad iteration count \"%s\" (%s)",
						       optarg, "expected 1 or more");
			t->iterations = n;
			break;
		case 'b':
			t->batch = true;
			break;
		default:
			return ctl_usage_error("top: unknown option \"%s\"",
					       argv[optind - 1]);
		}
	}
	if (optind != argc)
		return ctl_usage_error("top: unexpected argument \"%s\"",
				       argv[optind]);
	return 0;
}

/* Region @id in the last frame, or NULL. */
static const struct vmshm_nl_region *top_prev(const struct top *t,
					      uint32_t id)
{
	size_t i;

	for (i = 0; i < t->prev.n; i++)
		if (t->prev.v[i].id == id)
			return &t->prev.v[i];
	return NULL;
}

/* "%9.1f" of a counter's rate, or "-" without an earlier reading. */
static void print_rate(uint64_t cur, uint64_t prev, double dt, bool known)
{
	if (!known || dt <= 0)
		printf(" %9s", "-");
	else
		printf(" %9.1f", (double)(cur - prev) / dt);
}

static void print_frame(struct top *t, double dt)
{
	uint64_t res = 0, swp = 0, huge = 0;
	char clock[16];
	time_t wall = time(NULL);
	unsigned int i;
	size_t k;

	for (k = 0; k < t->cur.n; k++) {
		res += t->cur.v[k].resident;
		swp += t->cur.v[k].swapped;
		huge += t->cur.v[k].huge;
	}
	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&wall));
	if (!t->batch)
		fputs("\033[H\033[2J", stdout);
	printf("vmshmctl top - %s  regions: %zu  resident: %llu  swapped: %llu  huge: %llu  events: %u\n",
	       clock, t->cur.n, (unsigned long long)res,
	       (unsigned long long)swp, (unsigned long long)huge,
	       t->nr_events);
	printf("%6s %-20s %8s %8s %8s %9s %9s %9s %9s %5s\n", "ID", "NAME",
	       "RES", "SWAP", "HUGE", "MINFLT/s", "MAJFLT/s", "WAITS/s",
	       "WAKES/s", "MAPS");
	for (k = 0; k < t->cur.n; k++) {
		const struct vmshm_nl_region *r = &t->cur.v[k];
		const struct vmshm_nl_region *p = top_prev(t, r->id);
		bool known = p;

		if (!p)
			p = r;
		printf("%6u %-20.20s %8llu %8llu %8llu", r->id,
		       r->name[0] ? r->name : "(anon)",
		       (unsigned long long)r->resident,
		       (unsigned long long)r->swapped,
		       (unsigned long long)r->huge);
		print_rate(r->faults - r->majflt, p->faults - p->majflt, dt,
			   known);
		print_rate(r->majflt, p->majflt, dt, known);
		print_rate(r->waits, p->waits, dt, known);
		print_rate(r->wakes, p->wakes, dt, known);
		printf(" %5u\n", r->mappings);
	}
	for (i = 0; i < t->nr_events && i < TOP_MAX_EVENTS; i++)
		printf("event: %s region %s (id %u) by pid %u\n",
		       vmshm_nl_event_name(t->events[i].type),
		       t->events[i].name[0] ? t->events[i].name : "(anon)",
		       t->events[i].region_id, t->events[i].pid);
	if (t->nr_events > TOP_MAX_EVENTS)
		printf("event: %u more\n", t->nr_events - TOP_MAX_EVENTS);
	if (t->batch)
		putchar('\n');
	fflush(stdout);
}

/* Take this frame's dump into t->cur; 0 or -errno. */
static int top_sample(struct top *t)
{
	int ret;

	t->cur.n = 0;
	ret = vmshm_nl_dump_regions(t->ctl->nl, region_list_add, &t->cur);
	return ret < 0 ? ret : 0;
}

/*
 * Read events until @deadline; returns 1 when the screen should be
 * redrawn early, 0 at the deadline or on a signal, or -errno.
 */
static int top_wait(struct top *t, double deadline)
{
	struct vmshm_nl_event ev;
	double left;
	int ret;

	while (!top_stop && (left = deadline - now()) > 0) {
		ret = vmshm_nl_next_event(t->ev, &ev, (int)(left * 1000) + 1);
		if (ret == -EINTR || ret == -ETIMEDOUT || ret == -ENOBUFS)
			continue;
		if (ret)
			return ret;
		if (t->nr_events < TOP_MAX_EVENTS)
			t->events[t->nr_events] = ev;
		t->nr_events++;
		if (!t->batch && (ev.type == VMSHM_EVENT_CREATED ||
				  ev.type == VMSHM_EVENT_DESTROYED))
			return 1;
	}
	return 0;
}

static int top_loop(struct top *t)
{
	struct region_list swap;
	unsigned long frames = 0;
	double t_now, deadline;
	int ret;

	t->t_prev = now();
	deadline = t->t_prev;
	while (!top_stop) {
		ret = top_sample(t);
		if (ret)
			return ctl_fail(t->ctl, ret, "top: list regions");
		t_now = now();
		print_frame(t, t_now - t->t_prev);
		t->nr_events = 0;
		swap = t->prev;
		t->prev = t->cur;
		t->cur = swap;
		t->t_prev = t_now;
		if (t->iterations && ++frames == t->iterations)
			break;
		deadline += t->delay;
		ret = top_wait(t, deadline);
		if (ret < 0)
			return ctl_fail(t->ctl, ret, "top: events");
		if (ret)
			deadline = now();
	}
	return EXIT_OK;
}

int cmd_top(struct ctl *ctl, int argc, char **argv)
{
	struct top t = { .ctl = ctl, .delay = 3.0 };
	int ret;

	ret = parse_top(argc, argv, &t);
	if (!ret)
		ret = ctl_connect(ctl);
	if (ret)
		return ret;
	ret = vmshm_nl_open(&t.ev);
	if (!ret)
		ret = vmshm_nl_subscribe_events(t.ev);
	if (ret) {
		vmshm_nl_close(t.ev);
		return ctl_fail(ctl, ret, "top: join the events group");
	}
	if (set_handler(SIGINT, top_on_signal) ||
	    set_handler(SIGTERM, top_on_signal)) {
		ret = ctl_fail(ctl, -errno, "top: signal handlers");
	} else {
		ret = top_loop(&t);
	}
	free(t.cur.v);
	free(t.prev.v);
	vmshm_nl_close(t.ev);
	return ret;
}
