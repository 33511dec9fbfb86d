/*
 * ms_bt_html.c — report.html of a moonshot backtest (contract:
 * ms_bt_html.h): one self-contained page that a reader can open from the
 * report directory, offline, and see at a glance what summary.json says:
 * the performance table of the picks against bitcoin and the universe
 * basket, the equity curves on a log axis, the drawdowns, the trade
 * statistics with their bootstrap intervals, and the distribution of pick
 * returns on a log axis with the picks that died drawn apart.
 *
 * Everything shown comes from struct ms_bt_result as the run computed it;
 * the only arithmetic here is for display (the benchmarks' drawdowns from
 * their equity, the bin counts of the histograms, the best and worst
 * picks). The page has no timestamp, so the same run gives the same bytes.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ms_bt.h"
#include "ms_bt_html.h"
#include "ms_buf.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_svg.h"

#ifndef MS_VERSION
#define MS_VERSION "0.0.0"
#endif

#define HTML_MAX (256u * 1024u * 1024u)
#define CELL 200                     /* bytes per table cell */
#define EXTREMES 10                  /* best and worst picks listed */

/* A fraction as a signed percentage with one decimal, or "n/a". */
static const char *
pct(char *buf, size_t n, double v)
{
	if (!isfinite(v))
		snprintf(buf, n, "n/a");
	else
		snprintf(buf, n, "%+.1f%%", 100 * v);
	return buf;
}

/* A share or a rate (no sign): "20.6%", or "n/a". */
static const char *
share(char *buf, size_t n, double v)
{
	if (!isfinite(v))
		snprintf(buf, n, "n/a");
	else
		snprintf(buf, n, "%.1f%%", 100 * v);
	return buf;
}

static const char *
num2(char *buf, size_t n, double v)
{
	if (!isfinite(v))
		snprintf(buf, n, "n/a");
	else
		snprintf(buf, n, "%.2f", v);
	return buf;
}

/* USD with thousands separators, no cents. */
static const char *
usd(char *buf, size_t n, double v)
{
	char digits[64];
	size_t len, o = 0;
	int neg;

	if (!isfinite(v)) {
		snprintf(buf, n, "n/a");
		return buf;
	}
	neg = v < 0;
	snprintf(digits, sizeof(digits), "%.0f", fabs(v));
	len = strlen(digits);
	if (n < 2 * len + 3) {
		snprintf(buf, n, "n/a");
		return buf;
	}
	if (neg)
		buf[o++] = '-';
	buf[o++] = '$';
	for (size_t i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

/* ms_svg returns MS_ERR_RANGE for data it cannot draw: say so instead. */
static int
chart_or_note(struct ms_buf *b, int rc, const char *what)
{
	char msg[200];

	if (rc != MS_ERR_RANGE)
		return rc;
	snprintf(msg, sizeof(msg), "(%s: nothing to draw — no known values.)",
	    what);
	return ms_html_p(b, msg);
}

static int
perf_table(struct ms_buf *b, const struct ms_bt_result *r)
{
	char cells[4][8][CELL];
	const char *ptr[4 * 8];
	static const char *const head[8] = { "series", "total return", "CAGR",
		"Sharpe", "Sortino", "max drawdown", "volatility",
		"days up (period hit rate)" };
	const struct ms_bt_series_summary *s[3] = { &r->portfolio, &r->bench,
		&r->universe };
	char bench[160];

	if (r->bench_asset.id != 0)
		snprintf(bench, sizeof(bench), "%s (%s), buy and hold",
		    r->bench_asset.slug, r->bench_asset.symbol);
	else
		snprintf(bench, sizeof(bench), "%s (not in the store)",
		    r->params.benchmark);
	for (size_t c = 0; c < 8; c++)
		snprintf(cells[0][c], CELL, "%s", head[c]);
	snprintf(cells[1][0], CELL, "moonshot picks (net of costs)");
	snprintf(cells[2][0], CELL, "%s", bench);
	snprintf(cells[3][0], CELL, "universe basket (gross)");
	for (size_t i = 0; i < 3; i++) {
		const struct ms_quant_summary *q = &s[i]->q;
		int k = s[i]->known;
		pct(cells[i + 1][1], CELL, k ? q->total_return : NAN);
		pct(cells[i + 1][2], CELL, k ? q->cagr : NAN);
		num2(cells[i + 1][3], CELL, k ? q->sharpe : NAN);
		num2(cells[i + 1][4], CELL, k ? q->sortino : NAN);
		pct(cells[i + 1][5], CELL, k ? q->max_drawdown.depth : NAN);
		share(cells[i + 1][6], CELL, k ? q->annual_volatility : NAN);
		share(cells[i + 1][7], CELL, k ? s[i]->hit_rate : NAN);
	}
	for (size_t i = 0; i < 4 * 8; i++)
		ptr[i] = cells[i / 8][i % 8];
	return ms_html_table(b, ptr, 4, 8);
}

static int
pick_table(struct ms_buf *b, const struct ms_bt_result *r)
{
	char cells[8][3][CELL];
	const char *ptr[8 * 3];
	const struct ms_bt_pick_stats *ps = &r->pick_stats;
	char x[32], y[32];

	snprintf(cells[0][0], CELL, "pick statistic");
	snprintf(cells[0][1], CELL, "value");
	snprintf(cells[0][2], CELL, "95%% bootstrap interval");
	snprintf(cells[1][0], CELL, "picks judged (bought)");
	snprintf(cells[1][1], CELL, "%zu", ps->count);
	snprintf(cells[1][2], CELL, " ");
	snprintf(cells[2][0], CELL, "win rate (trade-based, net > 0)");
	share(cells[2][1], CELL, ps->win_rate);
	snprintf(cells[2][2], CELL, "%s .. %s", share(x, sizeof(x),
	    ps->win_rate_ci.lo), share(y, sizeof(y), ps->win_rate_ci.hi));
	snprintf(cells[3][0], CELL, "mean net return");
	pct(cells[3][1], CELL, ps->mean);
	snprintf(cells[3][2], CELL, "%s .. %s", pct(x, sizeof(x),
	    ps->mean_ci.lo), pct(y, sizeof(y), ps->mean_ci.hi));
	snprintf(cells[4][0], CELL, "median net return");
	pct(cells[4][1], CELL, ps->median);
	snprintf(cells[4][2], CELL, "%s .. %s", pct(x, sizeof(x),
	    ps->median_ci.lo), pct(y, sizeof(y), ps->median_ci.hi));
	snprintf(cells[5][0], CELL, "reached 2x / 10x / 100x (best high)");
	snprintf(cells[5][1], CELL, "%zu / %zu / %zu", ps->n2x, ps->n10x,
	    ps->n100x);
	snprintf(cells[5][2], CELL, " ");
	snprintf(cells[6][0], CELL, "share reaching 2x / 10x / 100x");
	{
		char z[32];
		snprintf(cells[6][1], CELL, "%s / %s / %s",
		    share(x, sizeof(x), ps->share_2x), share(y, sizeof(y),
		    ps->share_10x), share(z, sizeof(z), ps->share_100x));
	}
	snprintf(cells[6][2], CELL, " ");
	snprintf(cells[7][0], CELL, "died (no bar for %d days)",
	    r->params.delist_days);
	snprintf(cells[7][1], CELL, "%zu (%s)", ps->died, share(x, sizeof(x),
	    ps->share_died));
	snprintf(cells[7][2], CELL, " ");
	for (size_t i = 0; i < 8 * 3; i++)
		ptr[i] = cells[i / 3][i % 3];
	return ms_html_table(b, ptr, 8, 3);
}

static int
cost_table(struct ms_buf *b, const struct ms_bt_result *r)
{
	char cells[6][2][CELL];
	const char *ptr[6 * 2];
	const struct ms_bt_params *p = &r->params;

	snprintf(cells[0][0], CELL, "costs");
	snprintf(cells[0][1], CELL, "USD");
	snprintf(cells[1][0], CELL, "spread (%.0f bps per trade)", p->spread_bps);
	usd(cells[1][1], CELL, r->spread_usd);
	snprintf(cells[2][0], CELL, "impact (%g x volume share)", p->impact);
	usd(cells[2][1], CELL, r->impact_usd);
	snprintf(cells[3][0], CELL, "total, share of the starting capital");
	{
		char t[32], s[32];
		snprintf(cells[3][1], CELL, "%s (%s)", usd(t, sizeof(t),
		    r->spread_usd + r->impact_usd), share(s, sizeof(s),
		    (r->spread_usd + r->impact_usd) / p->capital));
	}
	snprintf(cells[4][0], CELL, "buys reduced to %g of the day's volume",
	    p->max_volume_share);
	{
		char t[32];
		snprintf(cells[4][1], CELL, "%zu, by %s", r->reduced,
		    usd(t, sizeof(t), r->reduced_usd));
	}
	snprintf(cells[5][0], CELL, "final equity");
	usd(cells[5][1], CELL, r->final_equity_usd);
	for (size_t i = 0; i < 6 * 2; i++)
		ptr[i] = cells[i / 2][i % 2];
	return ms_html_table(b, ptr, 6, 2);
}

/* A judged pick in the best/worst order. */
struct ranked {
	double ret;
	int32_t day;
	size_t rank, idx;
};

/* Net return descending, then date, then rank: a total order. */
static int
cmp_ranked(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *c = pb;

	if (a->ret != c->ret)
		return a->ret > c->ret ? -1 : 1;
	if (a->day != c->day)
		return a->day < c->day ? -1 : 1;
	return a->rank < c->rank ? -1 : a->rank > c->rank;
}

static void
pick_row(const struct ms_bt_pick *k, char (*row)[CELL])
{
	char d[MS_DATE_LEN + 1];

	ms_date_format(k->day, d);
	snprintf(row[0], CELL, "%s", d);
	if (k->symbol[0] != '\0')
		snprintf(row[1], CELL, "%s (%s)", k->slug, k->symbol);
	else
		snprintf(row[1], CELL, "%s", k->slug);
	snprintf(row[2], CELL, "%zu", k->rank);
	pct(row[3], CELL, k->ret_net);
	pct(row[4], CELL, k->max_gain);
	snprintf(row[5], CELL, "%s", ms_bt_status_name(k->status));
}

/* The EXTREMES best and worst judged picks (all of them when few). */
static int
extremes_table(struct ms_buf *b, const struct ms_bt_result *r,
    const struct ranked *idx, size_t n)
{
	static const char *const head[6] = { "date", "asset", "rank",
		"net return", "best gain", "status" };
	size_t rows = n <= 2 * EXTREMES ? n : 2 * EXTREMES + 1, ri = 1;
	char (*cells)[6][CELL];
	const char **ptr;
	int rc;

	cells = calloc(rows + 1, sizeof(*cells));
	ptr = calloc((rows + 1) * 6, sizeof(*ptr));
	if (cells == NULL || ptr == NULL) {
		free(cells);
		free(ptr);
		return MS_ERR_NOMEM;
	}
	for (size_t c = 0; c < 6; c++)
		snprintf(cells[0][c], CELL, "%s", head[c]);
	for (size_t i = 0; i < n; i++) {
		if (n > 2 * EXTREMES && i == EXTREMES) {
			snprintf(cells[ri][0], CELL, "...");
			snprintf(cells[ri][1], CELL, "%zu picks", n - 2 * EXTREMES);
			ri++;
			i = n - EXTREMES;
		}
		pick_row(&r->picks[idx[i].idx], cells[ri++]);
	}
	for (size_t i = 0; i < (rows + 1) * 6; i++)
		ptr[i] = cells[i / 6][i % 6];
	rc = ms_html_table(b, ptr, rows + 1, 6);
	free(cells);
	free(ptr);
	return rc;
}

/* Drawdown of an equity path: equity / running high - 1 (NaN kept). */
static void
drawdown(const double *eq, size_t n, double *dd)
{
	double hi = -HUGE_VAL;

	for (size_t i = 0; i < n; i++) {
		if (!isfinite(eq[i])) {
			dd[i] = NAN;
			continue;
		}
		if (eq[i] > hi)
			hi = eq[i];
		dd[i] = hi > 0 ? eq[i] / hi - 1 : NAN;
	}
}

static int
curves(struct ms_buf *b, const struct ms_bt_result *r, const char *bench)
{
	size_t n = r->nperiods;
	double *x = malloc((n ? n : 1) * 7 * sizeof(double));
	double *eq, *be, *ue, *dp, *db, *du;
	struct ms_svg_series s[3];
	struct ms_svg_axes ax;
	char bname[200];
	int rc;

	if (x == NULL)
		return MS_ERR_NOMEM;
	eq = x + n;
	be = eq + n;
	ue = be + n;
	dp = ue + n;
	db = dp + n;
	du = db + n;
	for (size_t i = 0; i < n; i++) {
		x[i] = r->periods[i].day;
		eq[i] = r->periods[i].equity;
		be[i] = r->periods[i].bench_equity;
		ue[i] = r->periods[i].universe_equity;
		dp[i] = r->periods[i].drawdown;
	}
	drawdown(be, n, db);
	drawdown(ue, n, du);
	snprintf(bname, sizeof(bname), "%s (buy and hold)", bench);
	s[0] = (struct ms_svg_series){ "moonshot picks (net of costs)", x, eq, n };
	s[1] = (struct ms_svg_series){ bname, x, be, n };
	s[2] = (struct ms_svg_series){ "universe basket (gross)", x, ue, n };
	memset(&ax, 0, sizeof(ax));
	ax.title = "Growth of 1 (log scale)";
	ax.ylabel = "equity / start";
	ax.x_is_date = 1;
	ax.y_log = 1;
	rc = chart_or_note(b, ms_svg_lines(b, &ax, s, 3), "equity");
	if (rc == 0) {
		s[0].y = dp;
		s[1].y = db;
		s[2].y = du;
		memset(&ax, 0, sizeof(ax));
		ax.title = "Drawdown from the running high";
		ax.ylabel = "drawdown";
		ax.x_is_date = 1;
		ax.y_percent = 1;
		rc = chart_or_note(b, ms_svg_lines(b, &ax, s, 3), "drawdown");
	}
	free(x);
	return rc;
}

/* Histogram bins for n values: about 2 sqrt(n), 10..40. */
static size_t
hist_bins(size_t n)
{
	size_t k = (size_t)ceil(2 * sqrt((double)n));

	return k < 10 ? 10 : k > 40 ? 40 : k;
}

static int
pick_charts(struct ms_buf *b, const struct ms_bt_result *r)
{
	size_t n = 0, died = 0, loss = 0, died_loss = 0, unfilled = 0;
	double *v = malloc((r->npicks ? r->npicks : 1) * 2 * sizeof(double));
	double *g;
	int *mk = malloc((r->npicks ? r->npicks : 1) * sizeof(int));
	struct ms_svg_axes ax;
	char msg[600];
	int rc;

	if (v == NULL || mk == NULL) {
		free(v);
		free(mk);
		return MS_ERR_NOMEM;
	}
	g = v + r->npicks;
	for (size_t i = 0; i < r->npicks; i++) {
		const struct ms_bt_pick *k = &r->picks[i];
		if (!isfinite(k->ret_net)) {
			unfilled++;
			continue;
		}
		v[n] = k->ret_net;
		g[n] = k->max_gain;
		mk[n] = k->status == MS_BT_DIED;
		died += (size_t)mk[n];
		if (k->ret_net <= -1) {
			loss++;
			died_loss += (size_t)mk[n];
		}
		n++;
	}
	snprintf(msg, sizeof(msg), "%zu picks were bought and judged; %zu of "
	    "them died (drawn in red, valued at the last close less a "
	    "haircut of %g%%); %zu ended as a total loss (the -100%% bar "
	    "at the left when there are any: %zu of them died, the others "
	    "could not be sold within %d days). %zu picks could not be "
	    "bought (no volume on the day) and have no return.", n, died,
	    100 * r->params.delist_haircut, loss, died_loss,
	    r->params.delist_days, unfilled);
	rc = ms_html_p(b, msg);
	if (rc == 0) {
		memset(&ax, 0, sizeof(ax));
		ax.title = "Net return per pick (log scale of 1 + r)";
		ax.xlabel = "net return, all costs included (10x = +900%)";
		ax.ylabel = "picks";
		ax.x_log = 1;
		ax.x_percent = 1;
		rc = chart_or_note(b, ms_svg_histogram_marked(b, &ax, v, mk, n,
		    hist_bins(n), "picks", "died"), "pick returns");
	}
	if (rc == 0) {
		memset(&ax, 0, sizeof(ax));
		ax.title = "Best gain after entry per pick (gross, log scale of "
		    "1 + gain)";
		ax.xlabel = "best high after entry / entry close - 1 "
		    "(2x = +100%; 10x = +900%)";
		ax.ylabel = "picks";
		ax.x_log = 1;
		ax.x_percent = 1;
		rc = chart_or_note(b, ms_svg_histogram_marked(b, &ax, g, mk, n,
		    hist_bins(n), "picks", "died"), "best gains");
	}
	if (rc == 0) {
		struct ranked *idx = malloc((n ? n : 1) * sizeof(*idx));
		size_t m = 0;
		if (idx == NULL) {
			rc = MS_ERR_NOMEM;
		} else {
			for (size_t i = 0; i < r->npicks; i++)
				if (isfinite(r->picks[i].ret_net)) {
					idx[m].ret = r->picks[i].ret_net;
					idx[m].day = r->picks[i].day;
					idx[m].rank = r->picks[i].rank;
					idx[m++].idx = i;
				}
			qsort(idx, m, sizeof(*idx), cmp_ranked);
			rc = ms_html_h2(b, "Best and worst picks");
			if (rc == 0 && m > 0)
				rc = extremes_table(b, r, idx, m);
			free(idx);
		}
	}
	free(v);
	free(mk);
	return rc;
}

/* The screen's filters in words ("market cap under $100,000,000"). */
static void
filters(char *out, size_t n, const struct ms_bt_params *p)
{
	const struct ms_screen_params *sp = &p->screen;
	char a[40], c[40];
	size_t o = 0;

	out[0] = '\0';
	if (isfinite(sp->min_market_cap) && sp->min_market_cap > 0 &&
	    isfinite(sp->max_market_cap))
		o += (size_t)snprintf(out, n, "market cap %s .. %s",
		    usd(a, sizeof(a), sp->min_market_cap),
		    usd(c, sizeof(c), sp->max_market_cap));
	else if (isfinite(sp->max_market_cap))
		o += (size_t)snprintf(out, n, "market cap under %s",
		    usd(a, sizeof(a), sp->max_market_cap));
	else if (isfinite(sp->min_market_cap) && sp->min_market_cap > 0)
		o += (size_t)snprintf(out, n, "market cap over %s",
		    usd(a, sizeof(a), sp->min_market_cap));
	else
		o += (size_t)snprintf(out, n, "any market cap");
	if (o < n && isfinite(sp->min_volume) && sp->min_volume > 0)
		o += (size_t)snprintf(out + o, n - o, ", volume at least %s",
		    usd(a, sizeof(a), sp->min_volume));
	if (o < n && sp->category != NULL)
		snprintf(out + o, n - o, ", category %s", sp->category);
}

int
ms_bt_html(const struct ms_bt_result *r, struct ms_buf *b)
{
	const struct ms_bt_params *p = &r->params;
	char title[128], d0[MS_DATE_LEN + 1], d1[MS_DATE_LEN + 1],
	    e0[MS_DATE_LEN + 1], e1[MS_DATE_LEN + 1], hold[48], bench[160],
	    msg[1200], cap[32], mc[32];
	int rc;

	if (r == NULL || b == NULL)
		return MS_ERR_INVALID;
	ms_date_format(p->from, d0);
	ms_date_format(p->to, d1);
	ms_date_format(r->nperiods ? r->periods[0].day : p->from, e0);
	ms_date_format(r->nperiods ? r->periods[r->nperiods - 1].day : p->to,
	    e1);
	if (p->hold_days == MS_BT_HOLD_NEXT)
		snprintf(hold, sizeof(hold), "until the next rebalance");
	else
		snprintf(hold, sizeof(hold), "%d days", p->hold_days);
	if (r->bench_asset.id != 0)
		snprintf(bench, sizeof(bench), "%s", r->bench_asset.slug);
	else
		snprintf(bench, sizeof(bench), "%s", p->benchmark);
	snprintf(title, sizeof(title), "Moonshot backtest %s .. %s", d0, d1);
	filters(mc, sizeof(mc), p);
	rc = ms_html_begin(b, title);
	snprintf(msg, sizeof(msg), "%zu %s rebalance dates; on each, the top "
	    "%zu of /v1/moonshots sorted by %s (%s) with %s, "
	    "bought at the close and held %s; capital %s in %zu tranche%s. "
	    "Costs per trade: spread %.0f bps plus impact %g x the trade's "
	    "share of the day's volume; buys capped at %g of that volume. A "
	    "coin without a bar for %d days died and is valued at its last "
	    "close less %g%%. Benchmarks: %s bought and held, and an "
	    "equal-weight basket of every coin the screen saw, gross of costs. "
	    "Daily periods %s .. %s, annualised with 365. Store data version "
	    "%lld.", r->ndates, ms_bt_rebalance_name(p->rebalance), p->top,
	    ms_screen_sort_name(p->screen.sort),
	    p->screen.descending ? "descending" : "ascending", mc, hold,
	    usd(cap, sizeof(cap), p->capital), r->ntranches,
	    r->ntranches == 1 ? "" : "s", p->spread_bps, p->impact,
	    p->max_volume_share, p->delist_days, 100 * p->delist_haircut, bench, e0,
	    e1, (long long)r->data_version);
	if (rc == 0)
		rc = ms_html_p(b, msg);
	if (rc == 0)
		rc = ms_html_h2(b, "Performance");
	if (rc == 0)
		rc = perf_table(b, r);
	if (rc == 0 && r->portfolio.known && isfinite(r->portfolio.q.beta)) {
		const struct ms_bt_series_summary *pf = &r->portfolio;
		char a[32], at[32], be[32], bt[32];

		snprintf(msg, sizeof(msg), "Against %s, by OLS on daily "
		    "returns: alpha %s a year (t = %s), beta %s (t = %s). "
		    "The daily returns are not independent, so the "
		    "t-statistics overstate significance.", bench,
		    pct(a, sizeof(a), pf->q.alpha),
		    num2(at, sizeof(at), pf->alpha_t),
		    num2(be, sizeof(be), pf->q.beta),
		    num2(bt, sizeof(bt), pf->beta_t));
		rc = ms_html_p(b, msg);
	}
	if (rc == 0)
		rc = curves(b, r, bench);
	if (rc == 0)
		rc = ms_html_p(b, "Daily marks of illiquid coins are noisy: a pick "
		    "that jumps on paper lifts the curve until it has to be sold, "
		    "within the volume cap. The trade-based figures below, with "
		    "their intervals, are the more honest measure.");
	if (rc == 0)
		rc = ms_html_h2(b, "Picks");
	if (rc == 0)
		rc = pick_table(b, r);
	if (rc == 0) {
		snprintf(msg, sizeof(msg), "Intervals: %zu bootstrap resamples of "
		    "the judged picks (seed %llu); picks of one date share the "
		    "market's moves, so the true uncertainty is wider.",
		    r->pick_stats.bootstrap,
		    (unsigned long long)r->pick_stats.seed);
		rc = ms_html_p(b, msg);
	}
	if (rc == 0)
		rc = pick_charts(b, r);
	if (rc == 0)
		rc = ms_html_h2(b, "Costs");
	if (rc == 0)
		rc = cost_table(b, r);
	if (rc == 0) {
		snprintf(msg, sizeof(msg), "%zu picks bought, %zu unfilled, %zu "
		    "censored at the end of the data, %zu with an unsold part "
		    "written off after %d days.", r->filled, r->unfilled,
		    r->censored, r->written_off, p->delist_days);
		rc = ms_html_p(b, msg);
	}
	if (rc == 0 && r->lookahead_checked > 0) {
		snprintf(msg, sizeof(msg), "Look-ahead check: %d of %d decisions "
		    "identical on the store truncated after their date.",
		    r->lookahead_identical, r->lookahead_checked);
		rc = ms_html_p(b, msg);
	}
	if (rc == 0)
		rc = ms_html_h2(b, "Files");
	if (rc == 0) {
		snprintf(msg, sizeof(msg), "This directory also holds "
		    "summary.json (schema %s, version %d: every metric), "
		    "summary.md, picks.csv (one row per pick), periods.csv (one "
		    "row per day) and rebalances.csv. Written by Moonscope %s; "
		    "docs/backtesting.md defines every figure.", MS_BT_SCHEMA,
		    MS_BT_SCHEMA_VERSION, MS_VERSION);
		rc = ms_html_p(b, msg);
	}
	if (rc == 0)
		rc = ms_html_end(b);
	return rc;
}

int
ms_bt_write_html(const struct ms_bt_result *r, const char *dir,
    char *err, size_t errsz)
{
	struct ms_buf b;
	char path[4200];
	FILE *f;
	int rc, ok;

	if ((size_t)snprintf(path, sizeof(path), "%s/report.html", dir) >=
	    sizeof(path)) {
		snprintf(err, errsz, "%s/report.html: path too long", dir);
		return MS_ERR_TOOBIG;
	}
	ms_buf_init(&b, HTML_MAX);
	if ((rc = ms_bt_html(r, &b)) != 0) {
		snprintf(err, errsz, "report.html: %s", ms_strerror(rc));
		ms_buf_free(&b);
		return rc;
	}
	if ((f = fopen(path, "w")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		ms_buf_free(&b);
		return MS_ERR_IO;
	}
	ok = fwrite(b.data, 1, b.len, f) == b.len;
	ok = (fclose(f) == 0) && ok;
	ms_buf_free(&b);
	if (!ok) {
		snprintf(err, errsz, "%s: write failed", path);
		return MS_ERR_IO;
	}
	return 0;
}
