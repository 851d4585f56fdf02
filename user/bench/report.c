// SPDX-License-Identifier: GPL-2.0
/*
 * The CSV: "# meta" comment lines (written by main.c), a header, one "run"
 * row per job and round, one "summary" row per job, then the "target"
 * rows (targets.c).  Empty fields are values that do not apply.
 *
 * Ratios are taken inside one round and one placement, against:
 *   pingpong  futex: time per round trip / futex's (lower is faster)
 *   stream    the single process: lines/s / its lines/s (higher is faster)
 *   faults    anon of the same size: time per page / anon's
 * Summaries are medians (and the quartiles of the ratio) over the rounds
 * after the first.  The per-message columns count both processes: a
 * round trip is two messages; streaming counts per line, faults per page.
 * The system call column (sys_msg) comes from the first round only, the
 * only one that counts them with the tracepoint, over the whole job (the
 * child's round trips, warm-up included, or the lines).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "rounds.h"
#include "stats.h"
#include "util.h"

static const char *const csv_header[] = {
	"type", "workload", "variant", "placement", "round", "seq", "n", "ns",
	"per_op_ns", "ratio", "ratio_q1", "ratio_q3", "rate", "sys_msg",
	"own_sys_msg", "nvcsw_msg", "nivcsw_msg", "cpu_ns_msg", "minflt_msg",
	"kwaits_msg", "kwakes_msg", "kfaults_op", "setup_ns_op", "capped",
	"hash", "goal", "verdict", "base_per_op_ns",
};

const struct result *report_find(const struct report *rep, enum workload wl,
				 const char *variant, enum placement pl,
				 unsigned int round)
{
	const struct result *r;

	for (r = rep->res; r < rep->res + rep->nr; r++) {
		if (r->wl == wl && r->pl == pl && r->round == round &&
		    r->variant && !strcmp(r->variant, variant))
			return r;
	}
	return NULL;
}

static double per_op(const struct result *r)
{
	return r && r->n ? (double)r->ns / r->n : NAN;
}

static double acct_get(const struct acct *a, enum col c)
{
	switch (c) {
	case C_OWN:
		return a->own < 0 ? NAN : a->own;
	case C_NVCSW:
		return a->nvcsw;
	case C_NIVCSW:
		return a->nivcsw;
	case C_CPU:
		return a->cpu_ns;
	default:
		return a->minflt;
	}
}

static double kernel_get(const struct result *r, enum col c)
{
	int64_t v = c == C_KWAITS ? r->kwaits :
		    c == C_KWAKES ? r->kwakes : r->kfaults;

	return v < 0 ? NAN : v;
}

/* Per message: both processes' costs; a round trip is two messages. */
static double per_msg(const struct result *r, enum col c)
{
	const struct acct *a = r->side;

	if (!r->n)
		return NAN;
	if (c == C_SYS && r->wl == WL_PINGPONG)
		return r->sys < 0 || !a[1].ops ? NAN : r->sys / (2.0 * a[1].ops);
	if (c == C_SYS)
		return r->sys < 0 ? NAN : (double)r->sys / r->n;
	if (c == C_SETUP)
		return r->wl == WL_FAULTS ? (double)r->setup_ns / r->n : NAN;
	if (c >= C_KWAITS)
		return kernel_get(r, c) /
		       (r->wl == WL_PINGPONG ? 2.0 * r->n : r->n);
	if (r->wl == WL_PINGPONG)
		return a[0].ops && a[1].ops ?
		       (acct_get(&a[0], c) / a[0].ops +
			acct_get(&a[1], c) / a[1].ops) / 2 : NAN;
	if (r->pl == PL_ONE)
		return acct_get(&a[0], c) / r->n;
	return (acct_get(&a[0], c) + acct_get(&a[1], c)) / r->n;
}

/* Is @b a run of @ref's job? */
static bool same_job(const struct result *b, const struct result *ref)
{
	return b && b->wl == ref->wl && b->pl == ref->pl &&
	       !strcmp(b->variant, ref->variant);
}

/*
 * The run @r is compared with when @ref is asked for: the run of @ref's
 * job right before @r (struct result.base or .near), if it had one, else
 * @ref.
 */
static const struct result *paired(const struct result *r,
				   const struct result *ref)
{
	if (!r || !ref)
		return ref;
	if (same_job(r->base, ref))
		return r->base;
	if (same_job(r->near, ref))
		return r->near;
	return ref;
}

static double ratio(const struct report *rep, const struct result *r)
{
	const struct result *ref;
	char anon[64];

	switch (r->wl) {
	case WL_PINGPONG:
		ref = report_find(rep, r->wl, "futex", r->pl, r->round);
		return per_op(r) / per_op(paired(r, ref));
	case WL_STREAM:
		ref = report_find(rep, r->wl, ST_SINGLE_NAME, PL_ONE, r->round);
		return per_op(paired(r, ref)) / per_op(r);
	default:
		/* anon at the same size: the name's "-SIZE" tail */
		snprintf(anon, sizeof(anon), "anon%s", strrchr(r->variant, '-'));
		ref = report_find(rep, r->wl, anon, PL_ONE, r->round);
		return per_op(r) / per_op(paired(r, ref));
	}
}

double report_value(const struct report *rep, const struct result *r,
		    enum col c)
{
	switch (c) {
	case C_N:
		return r->n;
	case C_PER_OP:
		return per_op(r);
	case C_RATIO:
		return ratio(rep, r);
	case C_RATE:
		return r->ns ? r->n * 1e9 / r->ns : NAN;
	default:
		return per_msg(r, c);
	}
}

/* Median (and quartiles) of a column over the kept rounds of a job. */
double report_median(const struct report *rep, const struct result *key,
		     enum col c, double *q1, double *q3)
{
	double v[rep->rounds + 1];
	unsigned int round, n = 0;
	const struct result *r;

	/* Only the first round counts system calls. */
	for (round = c == C_SYS ? 0 : 1; round < rep->rounds; round++) {
		r = report_find(rep, key->wl, key->variant, key->pl, round);
		if (r && !isnan(report_value(rep, r, c)))
			v[n++] = report_value(rep, r, c);
	}
	if (q1)
		*q1 = n ? quantile(v, n, 0.25) : NAN;
	if (q3)
		*q3 = n ? quantile(v, n, 0.75) : NAN;
	return n ? quantile(v, n, 0.5) : NAN;
}

/*
 * Median over the kept rounds of column @c of @a over @b, round by round;
 * where one of them is the other's baseline, against the run of it right
 * before the other (paired()).
 */
double report_pair(const struct report *rep, enum col c, enum workload wl,
		   const char *a, enum placement pla,
		   const char *b, enum placement plb)
{
	const struct result *ra, *rb;
	double v[rep->rounds + 1], x;
	unsigned int round, n = 0;

	for (round = 1; round < rep->rounds; round++) {
		ra = report_find(rep, wl, a, pla, round);
		rb = report_find(rep, wl, b, plb, round);
		if (!ra || !rb)
			continue;
		x = report_value(rep, paired(rb, ra), c) /
		    report_value(rep, paired(ra, rb), c);
		if (!isnan(x))
			v[n++] = x;
	}
	return n ? quantile(v, n, 0.5) : NAN;
}

static void csv_num(FILE *f, double v, const char *fmt)
{
	fputc(',', f);
	if (!isnan(v))
		fprintf(f, fmt, v);
}

static void csv_cols(const struct report *rep, const struct result *r,
		     bool summary)
{
	double q1 = NAN, q3 = NAN, v;
	enum col c;

	for (c = C_N; c < C_NR; c++) {
		v = summary ? report_median(rep, r, c,
					    c == C_RATIO ? &q1 : NULL,
					    c == C_RATIO ? &q3 : NULL) :
			      report_value(rep, r, c);
		csv_num(rep->out, v, c == C_N ? "%.0f" : "%.6g");
		if (c == C_N)
			csv_num(rep->out, summary ? NAN : r->ns, "%.0f");
		if (c == C_RATIO) {
			csv_num(rep->out, q1, "%.6g");
			csv_num(rep->out, q3, "%.6g");
		}
	}
}

static void csv_row(const struct report *rep, const struct result *r,
		    bool summary, unsigned int capped)
{
	FILE *f = rep->out;

	fprintf(f, "%s,%s,%s,%s,", summary ? "summary" : "run",
		workload_names[r->wl], r->variant, placement_names[r->pl]);
	if (!summary)
		fprintf(f, "%u,%u", r->round, r->seq);
	else
		fprintf(f, "%u,", rep->rounds - 1);
	csv_cols(rep, r, summary);
	fprintf(f, ",%u,", capped);
	if (r->wl == WL_STREAM && !summary)
		fprintf(f, "%016llx", (unsigned long long)r->hash);
	fprintf(f, ",,,");	/* goal and verdict: targets only */
	if (!summary && r->base)
		fprintf(f, "%.6g", per_op(r->base));
	fputc('\n', f);
}

static unsigned int capped_rounds(const struct report *rep,
				  const struct result *key)
{
	unsigned int round, n = 0;
	const struct result *r;

	for (round = 1; round < rep->rounds; round++) {
		r = report_find(rep, key->wl, key->variant, key->pl, round);
		n += r && r->capped;
	}
	return n;
}

/**
 * report_csv() - write the header, the run rows and the summary rows
 * @rep: the results; @rep->res holds @rep->rounds rounds of the same jobs
 */
void report_csv(const struct report *rep)
{
	unsigned int i, jobs = rep->nr / rep->rounds;

	for (i = 0; i < ARRAY_SIZE(csv_header); i++)
		fprintf(rep->out, "%s%c", csv_header[i],
			i + 1 < ARRAY_SIZE(csv_header) ? ',' : '\n');
	for (i = 0; i < rep->nr; i++)
		csv_row(rep, &rep->res[i], false, rep->res[i].capped);
	for (i = 0; i < jobs; i++)
		csv_row(rep, &rep->res[i], true,
			capped_rounds(rep, &rep->res[i]));
}
