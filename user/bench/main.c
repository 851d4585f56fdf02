// SPDX-License-Identifier: GPL-2.0
/*
 * vmshm-bench: measure vmshm against the usual IPC primitives.
 *
 * Runs every job (ping-pong round trips, streaming, page faults) in
 * cfg.rounds shuffled rounds, checks that every streaming transport
 * summed the same, then the cost curves (curves.c), and writes a CSV that
 * scripts/bench-report.sh turns into Markdown and plots.  Ends with the
 * target lines on stdout.
 *
 * Exit status: 0 when it ran (targets missed or not), 1 on any failure,
 * including streaming results that differ, 2 on a bad command line.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "curves.h"
#include "meta.h"
#include "rounds.h"
#include "spawn.h"
#include "util.h"

const char *const workload_names[WL_NR] = {
	[WL_PINGPONG] = "pingpong",
	[WL_STREAM] = "stream",
	[WL_FAULTS] = "faults",
};

const char *const placement_names[PL_NR] = {
	[PL_SAME] = "same-vcpu",
	[PL_CROSS] = "cross-vcpu",
	[PL_ONE] = "one-process",
};

static const char usage_text[] =
"Usage: vmshm-bench [OPTION]...\n"
"Round trips, streaming and page faults: vmshm against futex, eventfd,\n"
"pipes, sockets, semaphores, spinning and the lab's usleep() flags; then\n"
"cost curves (curve/wake, curve/pairs, curve/regions, curve/faults).\n"
"\n"
"  -q, --quick           a smoke run: 4 rounds, 2000 round trips, 20000\n"
"                        lines, pages 2048,16384, 0.5 s and 1 s bounds, short\n"
"                        curves; options after it override these\n"
"      --rounds=N        rounds, the first discarded (default 8)\n"
"      --rts=N           round trips per batch (default 10000)\n"
"      --warmup=N        untimed round trips before each batch (default 200)\n"
"      --slow-cap=MS     time bound of the pathological batches (default 3000)\n"
"      --cap=MS          time bound of all other batches (default 8000)\n"
"      --lines=N         streamed lines (default 200000; the lab's protocol\n"
"                        gets N/100)\n"
"      --pages=N[,N...]  pages per fault run, up to %u sizes, each kind run\n"
"                        at each (default 8192,16384)\n"
"      --spin=N          spins of vmshm-ring-spin before sleeping (default %u)\n"
"      --ring-size=SIZE  region of the ring transports (default 1M)\n"
"      --seed=N          input and shuffle seed (default 1)\n"
"      --only=W[,W...]   only jobs whose workload/variant/placement\n"
"                        (e.g. pingpong/futex/same-vcpu; curves:\n"
"                        curve/NAME) contains a W; a W that picks\n"
"                        nothing here is an error (on one CPU, so is one\n"
"                        that picks only jobs across vCPUs)\n"
"  -o, --csv=FILE        write the CSV there (default stdout)\n"
"      --meta=KEY=VALUE  add a \"# meta\" line (e.g. accel=tcg)\n"
"  -h, --help            this text\n";

static void usage(FILE *f)
{
	fprintf(f, usage_text, FAULT_SIZES, BENCH_SPIN);
}

static const struct option opts[] = {
	{ "quick", no_argument, NULL, 'q' },
	{ "rounds", required_argument, NULL, 'r' },
	{ "rts", required_argument, NULL, 'n' },
	{ "warmup", required_argument, NULL, 'w' },
	{ "slow-cap", required_argument, NULL, 'c' },
	{ "cap", required_argument, NULL, 'C' },
	{ "lines", required_argument, NULL, 'l' },
	{ "pages", required_argument, NULL, 'p' },
	{ "spin", required_argument, NULL, 's' },
	{ "ring-size", required_argument, NULL, 'R' },
	{ "seed", required_argument, NULL, 'S' },
	{ "only", required_argument, NULL, 'O' },
	{ "csv", required_argument, NULL, 'o' },
	{ "meta", required_argument, NULL, 'm' },
	{ "help", no_argument, NULL, 'h' },
	{ }
};

static void cfg_quick(struct bench_cfg *cfg)
{
	cfg->rounds = 4;
	cfg->rts = 2000;
	cfg->warmup = 50;
	cfg->slow_cap_ns = 500000000ULL;
	cfg->cap_ns = 1000000000ULL;
	cfg->lines = 20000;
	cfg->pages[0] = 2048;
	cfg->pages[1] = 16384;
	cfg->nr_sizes = 2;
	cfg->quick = true;
}

/* --pages=N[,N...]: the sizes of the fault runs. */
static int parse_pages(struct bench_cfg *cfg, const char *arg)
{
	char words[128], *w, *save;
	unsigned long v;
	unsigned int n = 0;

	snprintf(words, sizeof(words), "%s", arg);
	for (w = strtok_r(words, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (n == FAULT_SIZES || parse_uint(w, 1UL << 30, &v) || !v)
			return -EINVAL;
		cfg->pages[n++] = v;
	}
	if (!n)
		return -EINVAL;
	cfg->nr_sizes = n;
	return 0;
}

static int parse_num_opt(struct bench_cfg *cfg, int opt)
{
	unsigned long v;

	if (parse_uint(optarg, 1UL << 40, &v))
		return -EINVAL;
	switch (opt) {
	case 'r':
		cfg->rounds = v;
		return v < 2 ? -EINVAL : 0;
	case 'n':
		cfg->rts = v;
		return v ? 0 : -EINVAL;
	case 'w':
		cfg->warmup = v;
		return 0;
	case 'c':
		cfg->slow_cap_ns = v * 1000000ULL;
		return v ? 0 : -EINVAL;
	case 'C':
		cfg->cap_ns = v * 1000000ULL;
		return v ? 0 : -EINVAL;
	case 'l':
		cfg->lines = v;
		return v < 100 ? -EINVAL : 0;
	case 's':
		cfg->spin = v;
		return 0;
	case 'S':
		cfg->seed = v;
		return 0;
	}
	return -EINVAL;
}

static int parse_opt(struct bench_cfg *cfg, struct meta *m, int opt)
{
	switch (opt) {
	case 'q':
		cfg_quick(cfg);
		return 0;
	case 'R':
		return parse_size(optarg, &cfg->ring_size);
	case 'p':
		return parse_pages(cfg, optarg);
	case 'O':
		cfg->only = optarg;
		return strlen(optarg) < BENCH_ONLY_MAX ? 0 : -EINVAL;
	case 'o':
		m->csv_path = optarg;
		return 0;
	case 'm':
		return meta_add(m, optarg);
	}
	return parse_num_opt(cfg, opt);
}

/* The value an option expects, for its one-line usage error. */
static const char *opt_want(int opt)
{
	static char pages[80];

	switch (opt) {
	case 'r':
		return "a number of rounds from 2";
	case 'n':
	case 'c':
	case 'C':
		return "a number from 1";
	case 'l':
		return "a number of lines from 100";
	case 'w':
	case 's':
	case 'S':
		return "a number";
	case 'p':
		snprintf(pages, sizeof(pages),
			 "up to %u page counts from 1 to 1073741824, separated by commas",
			 FAULT_SIZES);
		return pages;
	case 'R':
		return "a size in bytes with an optional K, M or G suffix, such as 64K";
	case 'm':
		return "KEY=VALUE";
	case 'o':
		return "a file name";
	}
	return "words separated by commas, " BENCH_STR(BENCH_ONLY_LEN)
	       " characters at most";
}

static int parse_args(struct bench_cfg *cfg, struct meta *m, int argc,
		      char **argv)
{
	char name[32];
	int opt;

	/* Our own messages, one line each: see parse_cmdline(). */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":qo:h", opts, NULL)) >= 0) {
		if (opt == 'h') {
			usage(stdout);
			exit(0);
		}
		if (opt == '?') {
			err_msg("unknown option '%s' (see vmshm-bench --help)",
				argv[optind - 1]);
			return -EINVAL;
		}
		if (opt == ':') {
			err_msg("option %s needs a value: %s",
				opt_name(opts, optopt, name, sizeof(name)),
				opt_want(optopt));
			return -EINVAL;
		}
		if (parse_opt(cfg, m, opt)) {
			err_msg("bad value '%s' for %s: expected %s", optarg,
				opt_name(opts, opt, name, sizeof(name)),
				opt_want(opt));
			return -EINVAL;
		}
	}
	if (optind < argc) {
		err_msg("unexpected argument '%s' (see vmshm-bench --help)",
			argv[optind]);
		return -EINVAL;
	}
	cfg->flags_lines = cfg->lines / 100;
	return 0;
}

static void on_sigchld(int sig)
{
	(void)sig;
}

/* SIGCHLD ends the usleep() of the lab's protocol when a child dies. */
static int setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_sigchld,
				.sa_flags = SA_RESTART | SA_NOCLDSTOP };

	sigemptyset(&sa.sa_mask);
	return sigaction(SIGCHLD, &sa, NULL) ? -errno : 0;
}

/* Does @word of --only pick a job (planned for @cpus CPUs) or a curve? */
static bool only_picks(const struct bench_cfg *cfg, const char *word,
		       int cpus)
{
	static struct bench one;
	static struct curves cs;
	struct bench_cfg c = *cfg;

	c.only = word;
	one = (struct bench){ .cfg = &c, .cpus = cpus };
	return bench_plan(&one) || curves_plan(&cs, &c);
}

/*
 * Say which word of --only picks no job and no curve here: a typo is an
 * error, not a selection that silently shrinks.  A list without a word
 * (--only=, --only=,) is one too, and so is a word that picks only jobs
 * across vCPUs where this process may run on one CPU.
 *
 * Return: true if every word picks something.
 */
static bool only_valid(const struct bench_cfg *cfg)
{
	static char words[BENCH_ONLY_MAX];
	const char *w;
	char *save;

	if (!cfg->only)
		return true;
	snprintf(words, sizeof(words), "%s", cfg->only);
	w = strtok_r(words, ",", &save);
	if (!w)
		w = cfg->only;
	for (; w; w = strtok_r(NULL, ",", &save)) {
		if (only_picks(cfg, w, 0))
			continue;
		if (only_picks(cfg, w, 2))
			err_msg("bad value '%s' for --only: expected a job that runs on one CPU; it picks only jobs across vCPUs, and this process may run on one CPU",
				w);
		else
			err_msg("bad value '%s' for --only: expected part of a job's workload/variant/placement or of curve/NAME",
				w);
		return false;
	}
	return true;
}

/* Run the jobs and curves planned, then write the CSV and the targets. */
static int run(struct bench *b, struct curves *cs, struct meta *m)
{
	struct report rep;
	unsigned int total;
	int ret = 0, missed;

	if (b->nr_jobs) {
		ret = bench_input(b);
		if (!ret)
			ret = bench_rounds(b);
	}
	if (!ret)
		ret = curves_run(cs);
	if (ret)
		return ret;
	rep.curves = cs;
	rep.cfg = b->cfg;
	rep.res = b->res;
	rep.rounds = b->cfg->rounds;
	rep.nr = b->cfg->rounds * b->nr_jobs;
	rep.out = m->out;
	meta_write(m, b);
	report_csv(&rep);
	curves_csv(cs, m->out);
	report_targets(&rep, m->out, true, &total);
	missed = report_targets(&rep, stdout, false, &total);
	info_msg("%d of %u %s missed; CSV in %s", missed, total,
		 plural(total, "target", "targets"), m->csv_path);
	return 0;
}

int main(int argc, char **argv)
{
	static struct bench_cfg cfg = {
		.rounds = 8,
		.rts = 10000,
		.warmup = 200,
		.slow_cap_ns = 3000000000ULL,
		.cap_ns = 8000000000ULL,
		.lines = 200000,
		.pages = { 8192, 16384 },
		.nr_sizes = 2,
		.seed = 1,
		.spin = BENCH_SPIN,
		.ring_size = 1 << 20,
	};
	static struct meta m = { .csv_path = "stdout" };
	static struct bench b = { .cfg = &cfg };
	static struct curves cs;
	int ret;

	prog_name = "vmshm-bench";
	if (parse_args(&cfg, &m, argc, argv))
		return 2;
	if (!only_valid(&cfg))
		return 2;
	bench_plan(&b);
	curves_plan(&cs, &cfg);
	ret = meta_open(&m);
	if (!ret)
		ret = ctl_init();
	if (!ret)
		ret = setup_signals();
	if (!ret)
		ret = run(&b, &cs, &m);
	if (m.out && m.out != stdout && fclose(m.out) && !ret)
		ret = -errno;
	if (ret) {
		err_msg("failed: %s", strerror(-ret));
		return 1;
	}
	return 0;
}
