/*
 * ms_grade.c — trader and investor grades (see ms_grade.h for the model).
 *
 * All components are computed from the panel's arrays, whose last column
 * is the as-of day, so a grade can never see a later row.
 */
#include <math.h>
#include <stdlib.h>

#include "ms_error.h"
#include "ms_grade.h"

static const char *const names[MS_GC__COUNT] = {
	"momentum_7d", "momentum_30d", "trend", "volume_trend",
	"risk_adjusted", "size", "liquidity", "drawdown", "age", "volatility",
};

const char *
ms_grade_component_name(enum ms_grade_component c)
{
	return (unsigned)c < MS_GC__COUNT ? names[c] : "unknown";
}

void
ms_grade_default_weights(struct ms_grade_weights *w)
{
	static const double def[MS_GC__COUNT] = {
		0.20, 0.20, 0.25, 0.15, 0.20,     /* trader */
		0.25, 0.20, 0.20, 0.15, 0.20,     /* investor */
	};
	for (size_t i = 0; i < MS_GC__COUNT; i++)
		w->w[i] = def[i];
}

struct ranked { double v; size_t i; };

static int
cmp_ranked(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	return (a->v > b->v) - (a->v < b->v);
}

int
ms_pct_rank(const double *v, size_t n, double *pct)
{
	struct ranked *r;
	size_t m = 0;

	if ((r = malloc((n ? n : 1) * sizeof(*r))) == NULL)
		return MS_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		pct[i] = NAN;
		if (!isnan(v[i])) {
			r[m].v = v[i];
			r[m].i = i;
			m++;
		}
	}
	qsort(r, m, sizeof(*r), cmp_ranked);
	for (size_t j = 0; j < m;) {
		size_t k = j;
		while (k + 1 < m && r[k + 1].v == r[j].v)
			k++;
		/* 1-based ranks j+1 .. k+1 share their average. */
		double avg = ((double)(j + 1) + (double)(k + 1)) / 2.0;
		for (size_t t = j; t <= k; t++)
			pct[r[t].i] = (avg - 0.5) / (double)m;
		j = k + 1;
	}
	free(r);
	return 0;
}

/* Close k days before offset `at`, with floor(k/10) days of slack. */
static double
close_back(const double *c, size_t at, size_t k)
{
	if (k > at)
		return NAN;
	return ms_panel_last(c, at - k, k / 10);
}

/* Mean of the known values of x[at-n+1 .. at]; NaN under 2/3 coverage. */
static double
window_mean(const double *x, size_t at, size_t n)
{
	double s = 0;
	size_t k = 0;

	if (n > at + 1)
		return NAN;
	for (size_t i = at + 1 - n; i <= at; i++)
		if (!isnan(x[i])) {
			s += x[i];
			k++;
		}
	return 3 * k >= 2 * n ? s / (double)k : NAN;
}

/*
 * Mean and sample stdev of daily log returns over the last n days
 * (returns between consecutive known closes one day apart).
 */
static void
log_return_stats(const double *c, size_t at, size_t n, double *mean,
    double *sd)
{
	double s = 0, ss = 0;
	size_t k = 0;

	*mean = *sd = NAN;
	if (n > at)
		return;
	for (size_t i = at + 1 - n; i <= at; i++) {
		if (isnan(c[i]) || isnan(c[i - 1]) || c[i] <= 0 || c[i - 1] <= 0)
			continue;
		double r = log(c[i] / c[i - 1]);
		s += r;
		ss += r * r;
		k++;
	}
	if (k < 2 || 3 * k < 2 * n)
		return;
	*mean = s / (double)k;
	double var = (ss - (double)k * *mean * *mean) / (double)(k - 1);
	*sd = var > 0 ? sqrt(var) : 0;
}

/* Raw component values of asset a, as of the panel's last day. */
static void
components(const struct ms_panel *p, size_t a, double *raw)
{
	const double *c = ms_panel_row(p, p->close, a);
	const double *vol = ms_panel_row(p, p->volume, a);
	const double *cap = ms_panel_row(p, p->market_cap, a);
	size_t at = p->ndays - 1, first = p->ndays;
	double now = ms_panel_last(c, at, 0), m, sd, peak = NAN;

	for (size_t i = 0; i < MS_GC__COUNT; i++)
		raw[i] = NAN;
	if (isnan(now) || now <= 0)
		return;   /* no bar on the day itself: not graded */

	double c7 = close_back(c, at, 7), c30 = close_back(c, at, 30);
	if (c7 > 0)
		raw[MS_GC_MOMENTUM_7D] = now / c7 - 1;
	if (c30 > 0)
		raw[MS_GC_MOMENTUM_30D] = now / c30 - 1;
	double sma50 = window_mean(c, at, 50);
	if (sma50 > 0)
		raw[MS_GC_TREND] = now / sma50 - 1;
	double v7 = window_mean(vol, at, 7), v30 = window_mean(vol, at, 30);
	if (v30 > 0 && !isnan(v7))
		raw[MS_GC_VOLUME_TREND] = v7 / v30;
	log_return_stats(c, at, 30, &m, &sd);
	if (sd > 0)
		raw[MS_GC_RISK_ADJUSTED] = m / sd;

	double mc = ms_panel_last(cap, at, 0);
	if (mc > 0) {
		raw[MS_GC_SIZE] = log(mc);
		if (v30 >= 0)
			raw[MS_GC_LIQUIDITY] = v30 / mc;
	}
	for (size_t i = 0; i <= at; i++) {
		if (isnan(c[i]))
			continue;
		if (first == p->ndays)
			first = i;
		if (isnan(peak) || c[i] > peak)
			peak = c[i];
	}
	if (peak > 0)
		raw[MS_GC_DRAWDOWN] = now / peak - 1;
	raw[MS_GC_AGE] = (double)(at - first);
	log_return_stats(c, at, 90, &m, &sd);
	if (!isnan(sd))
		raw[MS_GC_VOLATILITY] = -sd;
}

static double
combine(const struct ms_grade *g, const struct ms_grade_weights *w,
    int first, int last)
{
	double total = 0, have = 0, sum = 0;

	for (int k = first; k <= last; k++) {
		total += w->w[k];
		if (!isnan(g->pct[k])) {
			have += w->w[k];
			sum += w->w[k] * g->pct[k];
		}
	}
	if (total <= 0 || have * 2 <= total)
		return NAN;
	return 100.0 * sum / have;
}

int
ms_grade_panel(const struct ms_panel *p,
    const struct ms_grade_weights *weights, struct ms_grade *out)
{
	struct ms_grade_weights def;
	double *col = NULL, *pct = NULL;
	size_t n = p->nassets;
	int rc = 0;

	if (weights == NULL) {
		ms_grade_default_weights(&def);
		weights = &def;
	}
	for (size_t a = 0; a < n; a++) {
		int listed = p->last_day - p->last_bar_day[a] < MS_LISTED_DAYS;
		if (listed)
			components(p, a, out[a].raw);
		else
			for (size_t k = 0; k < MS_GC__COUNT; k++)
				out[a].raw[k] = NAN;
	}
	if (n == 0)
		return 0;
	col = malloc(n * sizeof(*col));
	pct = malloc(n * sizeof(*pct));
	if (col == NULL || pct == NULL) {
		rc = MS_ERR_NOMEM;
		goto done;
	}
	for (size_t k = 0; k < MS_GC__COUNT; k++) {
		for (size_t a = 0; a < n; a++)
			col[a] = out[a].raw[k];
		if ((rc = ms_pct_rank(col, n, pct)) != 0)
			goto done;
		for (size_t a = 0; a < n; a++)
			out[a].pct[k] = pct[a];
	}
	for (size_t a = 0; a < n; a++) {
		out[a].trader = combine(&out[a], weights, MS_GC_TRADER_FIRST,
		    MS_GC_TRADER_LAST);
		out[a].investor = combine(&out[a], weights,
		    MS_GC_INVESTOR_FIRST, MS_GC_INVESTOR_LAST);
	}
done:
	free(col);
	free(pct);
	return rc;
}

int
ms_grade_universe(struct ms_store *st, int32_t day,
    const struct ms_grade_weights *weights, struct ms_panel **panel,
    struct ms_grade **grades)
{
	struct ms_panel *p;
	struct ms_grade *g;
	int rc;

	if ((rc = ms_panel_load(st, day, MS_GRADE_LOOKBACK, &p)) != 0)
		return rc;
	if ((g = calloc(p->nassets ? p->nassets : 1, sizeof(*g))) == NULL) {
		ms_panel_free(p);
		return MS_ERR_NOMEM;
	}
	if ((rc = ms_grade_panel(p, weights, g)) != 0) {
		free(g);
		ms_panel_free(p);
		return rc;
	}
	*panel = p;
	*grades = g;
	return 0;
}
