/*
 * ms_bt_report.c — the moonshot backtest's report: summary.json (schema
 * moonscope.backtest.moonshots, version 1, documented in
 * docs/backtesting.md), picks.csv, periods.csv, rebalances.csv,
 * summary.md and report.html (drawn by ms_bt_html.c); and the report of
 * `backtest picks` (schema moonscope.backtest.picks, version 1,
 * docs/backtest-picks.md): summary.json, picks.csv and summary.md.
 * Every file is built in memory and written once; numbers
 * are printed in the shortest form that reads back exactly, unknown
 * values as null (JSON) or an empty field (CSV).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <cJSON.h>

#include "ms_bt.h"
#include "ms_bt_io.h"
#include "ms_bt_html.h"
#include "ms_buf.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_json.h"

#ifndef MS_VERSION
#define MS_VERSION "0.0.0"
#endif

#define REPORT_MAX (256u * 1024u * 1024u)

/* ---- summary.json ---------------------------------------------------- */

static void
add_series(cJSON *o, const struct ms_bt_series_summary *s, int with_beta)
{
	const struct ms_quant_summary *q = &s->q;
	double nan = NAN;

	if (!s->known) {
		/* Keep the keys: a reader sees null, never a missing metric. */
		static const char *const keys[] = { "total_return", "cagr",
			"annual_volatility", "sharpe", "sortino", "downside_risk",
			"max_drawdown", "calmar", "var", "cvar", "tail_ratio",
			"skew", "kurtosis", "hit_rate_periods", "mean_period_return",
			"mean_period_return_t" };
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			ms_json_num(o, keys[i], nan);
		cJSON_AddNullToObject(o, "max_drawdown_duration");
		cJSON_AddNullToObject(o, "periods");
		if (with_beta) {
			ms_json_num(o, "alpha", nan);
			ms_json_num(o, "beta", nan);
			ms_json_num(o, "alpha_t", nan);
			ms_json_num(o, "beta_t", nan);
		}
		return;
	}
	ms_json_num(o, "total_return", q->total_return);
	ms_json_num(o, "cagr", q->cagr);
	ms_json_num(o, "annual_volatility", q->annual_volatility);
	ms_json_num(o, "sharpe", q->sharpe);
	ms_json_num(o, "sortino", q->sortino);
	ms_json_num(o, "downside_risk", q->downside_risk);
	ms_json_num(o, "max_drawdown", q->max_drawdown.depth);
	if (isnan(q->max_drawdown.depth))
		cJSON_AddNullToObject(o, "max_drawdown_duration");
	else
		ms_json_int(o, "max_drawdown_duration",
		    (int64_t)q->max_drawdown.duration);
	ms_json_num(o, "calmar", q->calmar);
	ms_json_num(o, "var", q->var);
	ms_json_num(o, "cvar", q->cvar);
	ms_json_num(o, "tail_ratio", q->tail_ratio);
	ms_json_num(o, "skew", q->skew);
	ms_json_num(o, "kurtosis", q->kurtosis);
	ms_json_num(o, "hit_rate_periods", s->hit_rate);
	ms_json_num(o, "mean_period_return", q->mean);
	ms_json_num(o, "mean_period_return_t", s->mean_t);
	ms_json_int(o, "periods", (int64_t)q->n);
	if (with_beta) {
		ms_json_num(o, "alpha", q->alpha);
		ms_json_num(o, "beta", q->beta);
		ms_json_num(o, "alpha_t", s->alpha_t);
		ms_json_num(o, "beta_t", s->beta_t);
	}
}

static void
add_ci(cJSON *o, const char *key, const struct ms_bt_ci *ci)
{
	cJSON *c = cJSON_AddObjectToObject(o, key);

	if (c == NULL)
		return;
	ms_json_num(c, "lo", ci->lo);
	ms_json_num(c, "hi", ci->hi);
}

/* The trade statistics both moonshots and picks report under "picks". */
static void
add_trade_stats(cJSON *o, const struct ms_bt_pick_stats *ps, size_t censored,
    size_t written_off)
{
	ms_json_int(o, "judged", (int64_t)ps->count);
	ms_json_int(o, "wins", (int64_t)ps->wins);
	ms_json_num(o, "win_rate", ps->win_rate);
	add_ci(o, "win_rate_ci95", &ps->win_rate_ci);
	ms_json_num(o, "mean_return", ps->mean);
	add_ci(o, "mean_return_ci95", &ps->mean_ci);
	ms_json_num(o, "mean_return_t", ps->mean_t);
	ms_json_num(o, "median_return", ps->median);
	add_ci(o, "median_return_ci95", &ps->median_ci);
	ms_json_int(o, "reached_2x", (int64_t)ps->n2x);
	ms_json_int(o, "reached_10x", (int64_t)ps->n10x);
	ms_json_int(o, "reached_100x", (int64_t)ps->n100x);
	ms_json_num(o, "share_2x", ps->share_2x);
	ms_json_num(o, "share_10x", ps->share_10x);
	ms_json_num(o, "share_100x", ps->share_100x);
	ms_json_int(o, "died", (int64_t)ps->died);
	ms_json_num(o, "share_died", ps->share_died);
	ms_json_int(o, "censored", (int64_t)censored);
	ms_json_int(o, "written_off", (int64_t)written_off);
}

void
ms_bt_params_json(cJSON *o, const struct ms_bt_params *p)
{
	const struct ms_screen_params *sp = &p->screen;

	ms_json_date(o, "from", p->from);
	ms_json_date(o, "to", p->to);
	ms_json_str(o, "rebalance", ms_bt_rebalance_name(p->rebalance));
	if (p->hold_days == MS_BT_HOLD_NEXT)
		ms_json_str(o, "hold", "next");
	else
		ms_json_int(o, "hold", p->hold_days);
	ms_json_int(o, "top", (int64_t)p->top);
	ms_json_str(o, "sort", ms_screen_sort_name(sp->sort));
	ms_json_str(o, "order", sp->descending ? "desc" : "asc");
	ms_json_num(o, "max_market_cap", sp->max_market_cap);
	ms_json_num(o, "min_market_cap", sp->min_market_cap);
	ms_json_num(o, "min_volume", sp->min_volume);
	ms_json_str(o, "category", sp->category);
	ms_json_num(o, "capital", p->capital);
	ms_json_num(o, "spread_bps", p->spread_bps);
	ms_json_num(o, "impact", p->impact);
	ms_json_num(o, "max_volume_share", p->max_volume_share);
	ms_json_num(o, "delist_haircut", p->delist_haircut);
	ms_json_int(o, "delist_days", p->delist_days);
	ms_json_str(o, "benchmark", p->benchmark);
	ms_json_int(o, "seed", (int64_t)p->seed);
	ms_json_int(o, "bootstrap", (int64_t)p->bootstrap);
	ms_json_str(o, "left_rule", ms_bt_left_rule_name(p->left_rule));
	ms_json_str(o, "snapshot_source", p->rebalance == MS_BT_SNAPSHOTS ?
	    p->snapshot_source : NULL);
}

/* What the value of a left holding is, by rule. */
static const char *
left_meaning(enum ms_bt_left_rule r)
{
	switch (r) {
	case MS_BT_LEFT_BOUND: return "upper bound";
	case MS_BT_LEFT_ZERO: return "lower bound (zero)";
	default: return "last price";
	}
}

cJSON *
ms_bt_summary_json(const struct ms_bt_result *r)
{
	const struct ms_bt_pick_stats *ps = &r->pick_stats;
	cJSON *root, *o, *m, *x;

	if ((root = cJSON_CreateObject()) == NULL)
		return NULL;
	ms_json_str(root, "schema", MS_BT_SCHEMA);
	ms_json_int(root, "schema_version", MS_BT_SCHEMA_VERSION);
	ms_json_str(root, "moonscope_version", MS_VERSION);
	if ((o = cJSON_AddObjectToObject(root, "store")) != NULL) {
		ms_json_int(o, "data_version", r->data_version);
		ms_json_date(o, "first_day", r->data_first);
		ms_json_date(o, "last_day", r->data_last);
	}
	if ((o = cJSON_AddObjectToObject(root, "parameters")) != NULL)
		ms_bt_params_json(o, &r->params);
	if ((o = cJSON_AddObjectToObject(root, "run")) != NULL) {
		ms_json_int(o, "rebalance_dates", (int64_t)r->ndates);
		ms_json_date(o, "first_day", r->nperiods ? r->periods[0].day : -1);
		ms_json_date(o, "last_day", r->nperiods ?
		    r->periods[r->nperiods - 1].day : -1);
		ms_json_int(o, "periods", (int64_t)r->nperiods);
		ms_json_int(o, "periods_per_year", (int64_t)MS_QUANT_PERIODS_PER_YEAR);
		ms_json_int(o, "tranches", (int64_t)r->ntranches);
		if (r->bench_asset.id != 0 && (x = cJSON_AddObjectToObject(o,
		    "benchmark_asset")) != NULL) {
			ms_json_str(x, "id", r->bench_asset.slug);
			ms_json_str(x, "symbol", r->bench_asset.symbol);
		} else {
			cJSON_AddNullToObject(o, "benchmark_asset");
		}
	}
	if ((m = cJSON_AddObjectToObject(root, "metrics")) == NULL)
		goto out;
	if ((o = cJSON_AddObjectToObject(m, "portfolio")) != NULL) {
		add_series(o, &r->portfolio, 1);
		ms_json_num(o, "final_equity_usd", r->final_equity_usd);
	}
	if ((o = cJSON_AddObjectToObject(m, "picks")) != NULL) {
		ms_json_int(o, "count", (int64_t)r->npicks);
		ms_json_int(o, "filled", (int64_t)r->filled);
		ms_json_int(o, "unfilled", (int64_t)r->unfilled);
		add_trade_stats(o, ps, r->censored, r->written_off);
		ms_json_int(o, "bootstrap_resamples", (int64_t)ps->bootstrap);
		ms_json_int(o, "bootstrap_seed", (int64_t)ps->seed);
		ms_json_int(o, "left", (int64_t)r->left);
		ms_json_num(o, "share_left", ps->count ?
		    (double)r->left / (double)ps->count : NAN);
		ms_json_num(o, "left_value_usd", r->left_value_usd);
		ms_json_str(o, "left_valuation", r->left > 0 ?
		    left_meaning(r->params.left_rule) : NULL);
	}
	if ((o = cJSON_AddObjectToObject(m, "costs")) != NULL) {
		ms_json_num(o, "spread_usd", r->spread_usd);
		ms_json_num(o, "impact_usd", r->impact_usd);
		ms_json_num(o, "total_usd", r->spread_usd + r->impact_usd);
		ms_json_num(o, "total_share_of_capital",
		    (r->spread_usd + r->impact_usd) / r->params.capital);
		ms_json_int(o, "reduced_positions", (int64_t)r->reduced);
		ms_json_num(o, "reduced_usd", r->reduced_usd);
	}
	if ((o = cJSON_AddObjectToObject(m, "benchmarks")) != NULL) {
		if ((x = cJSON_AddObjectToObject(o, "asset")) != NULL)
			add_series(x, &r->bench, 0);
		if ((x = cJSON_AddObjectToObject(o, "universe")) != NULL)
			add_series(x, &r->universe, 0);
	}
	/* The same run with left holdings at zero: the lower bound. */
	if (r->left_zero.known &&
	    (o = cJSON_AddObjectToObject(m, "left_zero")) != NULL) {
		ms_json_num(o, "total_return", r->left_zero.total_return);
		ms_json_num(o, "cagr", r->left_zero.cagr);
		ms_json_num(o, "final_equity_usd", r->left_zero.final_equity_usd);
		ms_json_num(o, "mean_return", r->left_zero.mean_return);
		ms_json_num(o, "median_return", r->left_zero.median_return);
		ms_json_num(o, "win_rate", r->left_zero.win_rate);
		ms_json_num(o, "universe_total_return",
		    r->left_zero.universe_total_return);
	} else {
		cJSON_AddNullToObject(m, "left_zero");
	}
out:
	if (r->lookahead_checked > 0 &&
	    (o = cJSON_AddObjectToObject(root, "lookahead_check")) != NULL) {
		ms_json_int(o, "dates_checked", r->lookahead_checked);
		ms_json_int(o, "identical", r->lookahead_identical);
	} else {
		cJSON_AddNullToObject(root, "lookahead_check");
	}
	return root;
}

/* ---- CSV ------------------------------------------------------------- */

static int
picks_csv(const void *arg, struct ms_buf *b)
{
	const struct ms_bt_result *r = arg;
	int rc = ms_buf_puts(b, "date,rank,asset,symbol,market_cap,volume,"
	    "trader_grade,entry_price,entry_cost,target_usd,notional_usd,"
	    "reduced_usd,exit_date,last_bar_date,exit_price,exit_cost,"
	    "unsold_share,status,"
	    "return_gross,return_net,max_gain,died\n");

	for (size_t i = 0; rc == 0 && i < r->npicks; i++) {
		const struct ms_bt_pick *p = &r->picks[i];
		const double nums[] = { p->market_cap, p->volume,
			p->trader_grade, p->entry_price, p->entry_cost,
			p->target_usd, p->notional_usd, p->reduced_usd };
		const double tail[] = { p->ret_gross, p->ret_net, p->max_gain };

		rc |= ms_bt_csv_date(b, p->day);
		rc |= ms_buf_printf(b, ",%zu,", p->rank);
		rc |= ms_bt_csv_text(b, p->slug);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_text(b, p->symbol);
		for (size_t k = 0; k < sizeof(nums) / sizeof(nums[0]); k++) {
			rc |= ms_buf_putc(b, ',');
			rc |= ms_bt_csv_num(b, nums[k]);
		}
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_date(b, p->exit_day);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_date(b, p->last_bar_day);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, p->exit_price);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, p->exit_cost);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, p->unsold_share);
		rc |= ms_buf_printf(b, ",%s", ms_bt_status_name(p->status));
		for (size_t k = 0; k < sizeof(tail) / sizeof(tail[0]); k++) {
			rc |= ms_buf_putc(b, ',');
			rc |= ms_bt_csv_num(b, tail[k]);
		}
		rc |= ms_buf_printf(b, ",%d\n", p->status == MS_BT_DIED);
	}
	return rc ? MS_ERR_TOOBIG : 0;
}

static int
periods_csv(const void *arg, struct ms_buf *b)
{
	const struct ms_bt_result *r = arg;
	int rc = ms_buf_puts(b, "date,return,equity,drawdown,invested,"
	    "positions,benchmark_equity,universe_equity,benchmark_return,"
	    "universe_return\n");

	for (size_t i = 0; rc == 0 && i < r->nperiods; i++) {
		const struct ms_bt_period *p = &r->periods[i];
		const double v[] = { p->ret, p->equity, p->drawdown, p->invested };

		rc |= ms_bt_csv_date(b, p->day);
		for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
			rc |= ms_buf_putc(b, ',');
			rc |= ms_bt_csv_num(b, v[k]);
		}
		rc |= ms_buf_printf(b, ",%zu,", p->positions);
		rc |= ms_bt_csv_num(b, p->bench_equity);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, p->universe_equity);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, p->bench_ret);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, p->universe_ret);
		rc |= ms_buf_putc(b, '\n');
	}
	return rc ? MS_ERR_TOOBIG : 0;
}

static int
rebalances_csv(const void *arg, struct ms_buf *b)
{
	const struct ms_bt_result *r = arg;
	/* Snapshot universes add three columns; others keep the eight. */
	int snap = r->params.rebalance == MS_BT_SNAPSHOTS;
	int rc = ms_buf_puts(b, snap ? "date,universe,tradable,matched,picked,"
	    "filled,tranche,tranche_value_usd,exit_date,left,"
	    "exit_min_market_cap\n" : "date,universe,tradable,matched,picked,"
	    "filled,tranche,tranche_value_usd\n");

	for (size_t i = 0; rc == 0 && i < r->ndates; i++) {
		const struct ms_bt_date *d = &r->dates[i];

		rc |= ms_bt_csv_date(b, d->day);
		rc |= ms_buf_printf(b, ",%zu,%zu,%zu,%zu,%zu,", d->universe,
		    d->tradable, d->matched, d->picked, d->filled);
		if (d->tranche != SIZE_MAX)
			rc |= ms_buf_printf(b, "%zu", d->tranche + 1);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, d->tranche_value);
		if (snap) {
			rc |= ms_buf_putc(b, ',');
			rc |= ms_bt_csv_date(b, d->exit_day);
			rc |= ms_buf_printf(b, ",%zu,", d->left);
			rc |= ms_bt_csv_num(b, d->exit_cap_limit);
		}
		rc |= ms_buf_putc(b, '\n');
	}
	return rc ? MS_ERR_TOOBIG : 0;
}

/* ---- summary.md ------------------------------------------------------ */

/* A percentage with one decimal, or "n/a". */
static const char *
pct(char *buf, size_t n, double v)
{
	if (!isfinite(v))
		snprintf(buf, n, "n/a");
	else
		snprintf(buf, n, "%+.1f%%", 100 * v);
	return buf;
}

static const char *
num(char *buf, size_t n, double v)
{
	if (!isfinite(v))
		snprintf(buf, n, "n/a");
	else
		snprintf(buf, n, "%.2f", v);
	return buf;
}

static int
md_series_row(struct ms_buf *b, const char *name,
    const struct ms_bt_series_summary *s)
{
	char a[32], c[32], d[32], e[32], f[32], g[32];

	if (!s->known)
		return ms_buf_printf(b, "| %s | n/a | n/a | n/a | n/a | n/a | n/a |\n",
		    name);
	return ms_buf_printf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", name,
	    pct(a, sizeof(a), s->q.total_return), pct(c, sizeof(c), s->q.cagr),
	    num(d, sizeof(d), s->q.sharpe), num(e, sizeof(e), s->q.sortino),
	    pct(f, sizeof(f), s->q.max_drawdown.depth),
	    pct(g, sizeof(g), s->q.annual_volatility));
}

char *
ms_bt_summary_markdown(const struct ms_bt_result *r)
{
	const struct ms_bt_params *p = &r->params;
	const struct ms_bt_pick_stats *ps = &r->pick_stats;
	struct ms_buf b;
	char d0[MS_DATE_LEN + 1], d1[MS_DATE_LEN + 1], e0[MS_DATE_LEN + 1],
	    e1[MS_DATE_LEN + 1], x[32], y[32], z[32], w[32], hold[32],
	    bench[128];
	int rc = 0;

	ms_buf_init(&b, REPORT_MAX);
	ms_date_format(p->from, d0);
	ms_date_format(p->to, d1);
	ms_date_format(r->nperiods ? r->periods[0].day : p->from, e0);
	ms_date_format(r->nperiods ? r->periods[r->nperiods - 1].day : p->to, e1);
	if (p->rebalance == MS_BT_SNAPSHOTS)
		snprintf(hold, sizeof(hold), "until the next snapshot");
	else if (p->hold_days == MS_BT_HOLD_NEXT)
		snprintf(hold, sizeof(hold), "until the next rebalance");
	else
		snprintf(hold, sizeof(hold), "%d days", p->hold_days);
	if (r->bench_asset.id != 0)
		snprintf(bench, sizeof(bench), "%s (%s)", r->bench_asset.slug,
		    r->bench_asset.symbol);
	else
		snprintf(bench, sizeof(bench), "%s (not found)", p->benchmark);
	rc |= ms_buf_printf(&b, "# Moonshot backtest %s .. %s\n\n", d0, d1);
	rc |= ms_buf_printf(&b, "%zu %s rebalance dates; top %zu by %s (%s), "
	    "market cap under $%.0f; held %s; capital $%.0f in %zu tranche%s; "
	    "costs: spread %.0f bps per trade, impact %g x volume share, buys "
	    "capped at %g of the day's volume; delisted after %d days without "
	    "a bar, haircut %g. Store data version %lld. Periods: %s .. %s "
	    "(daily, annualised with 365).\n\n",
	    r->ndates, p->rebalance == MS_BT_SNAPSHOTS ? "snapshot" :
	    ms_bt_rebalance_name(p->rebalance), p->top,
	    ms_screen_sort_name(p->screen.sort),
	    p->screen.descending ? "desc" : "asc", p->screen.max_market_cap,
	    hold, p->capital, r->ntranches, r->ntranches == 1 ? "" : "s",
	    p->spread_bps, p->impact, p->max_volume_share, p->delist_days,
	    p->delist_haircut, (long long)r->data_version, e0, e1);
	rc |= ms_buf_puts(&b, "| series | total return | CAGR | Sharpe | "
	    "Sortino | max drawdown | volatility |\n|---|---|---|---|---|---|---|\n");
	rc |= md_series_row(&b, "moonshot picks (net of costs)", &r->portfolio);
	rc |= md_series_row(&b, bench, &r->bench);
	rc |= md_series_row(&b, "universe basket (gross)", &r->universe);
	rc |= ms_buf_printf(&b, "\nPicks: %zu (%zu bought, %zu unfilled, %zu "
	    "reduced by $%.0f to fit %g of the day's volume, %zu not sold "
	    "out within %d days and written off in part, %zu censored at the "
	    "end of the data).\n\n", r->npicks, r->filled, r->unfilled,
	    r->reduced, r->reduced_usd, p->max_volume_share, r->written_off,
	    p->delist_days, r->censored);
	if (p->rebalance == MS_BT_SNAPSHOTS) {
		rc |= ms_buf_printf(&b, "Snapshot universe `%s`: rebalanced on "
		    "its snapshot days, each cohort held until the next one and "
		    "marked between them by any bar the store has, else at the "
		    "last known price. **%zu pick%s left the universe** (absent "
		    "from the next snapshot, no other price; not counted as "
		    "died), valued by the `%s` rule: %s, $%.0f in all.",
		    p->snapshot_source, r->left, r->left == 1 ? "" : "s",
		    ms_bt_left_rule_name(p->left_rule),
		    p->left_rule == MS_BT_LEFT_BOUND ? "min(last price, last "
		    "price x smallest market cap of the next snapshot / its last "
		    "market cap), supply assumed unchanged - an **upper bound**" :
		    p->left_rule == MS_BT_LEFT_ZERO ? "zero - a lower bound" :
		    "the last price", r->left_value_usd);
		if (r->left_zero.known)
			rc |= ms_buf_printf(&b, " Valued at zero instead (the lower "
			    "bound): portfolio total return %s (CAGR %s), mean "
			    "pick %s, median pick %s; universe basket %s.",
			    pct(x, sizeof(x), r->left_zero.total_return),
			    pct(y, sizeof(y), r->left_zero.cagr),
			    pct(z, sizeof(z), r->left_zero.mean_return),
			    pct(hold, sizeof(hold), r->left_zero.median_return),
			    pct(bench, sizeof(bench),
			    r->left_zero.universe_total_return));
		rc |= ms_buf_puts(&b, "\n\n");
	}
	rc |= ms_buf_puts(&b, "| pick statistic | value | 95% bootstrap CI |\n"
	    "|---|---|---|\n");
	rc |= ms_buf_printf(&b, "| win rate (trade-based, net > 0) | %s | %s .. %s |\n",
	    pct(x, sizeof(x), ps->win_rate), pct(y, sizeof(y), ps->win_rate_ci.lo),
	    pct(z, sizeof(z), ps->win_rate_ci.hi));
	rc |= ms_buf_printf(&b, "| mean net return | %s | %s .. %s |\n",
	    pct(x, sizeof(x), ps->mean), pct(y, sizeof(y), ps->mean_ci.lo),
	    pct(z, sizeof(z), ps->mean_ci.hi));
	rc |= ms_buf_printf(&b, "| median net return | %s | %s .. %s |\n",
	    pct(x, sizeof(x), ps->median), pct(y, sizeof(y), ps->median_ci.lo),
	    pct(z, sizeof(z), ps->median_ci.hi));
	rc |= ms_buf_printf(&b, "| reached 2x / 10x / 100x (best high) | %zu / "
	    "%zu / %zu of %zu | |\n", ps->n2x, ps->n10x, ps->n100x, ps->count);
	rc |= ms_buf_printf(&b, "| died (no bar for %d days) | %zu (%s) | |\n",
	    p->delist_days, ps->died, pct(x, sizeof(x), ps->share_died));
	if (p->rebalance == MS_BT_SNAPSHOTS)
		rc |= ms_buf_printf(&b, "| left the universe (valued: %s) | %zu "
		    "(%s) | |\n", left_meaning(p->left_rule), r->left,
		    pct(x, sizeof(x), ps->count ? (double)r->left /
		    (double)ps->count : NAN));
	rc |= ms_buf_printf(&b, "\nt-statistics: mean net pick return t = %s; "
	    "mean daily portfolio return t = %s", num(x, sizeof(x), ps->mean_t),
	    num(y, sizeof(y), r->portfolio.known ? r->portfolio.mean_t : NAN));
	if (r->portfolio.known && isfinite(r->portfolio.q.beta))
		rc |= ms_buf_printf(&b, "; against %s (OLS on daily returns): "
		    "alpha %s a year (t = %s), beta %s (t = %s)", bench,
		    pct(z, sizeof(z), r->portfolio.q.alpha),
		    num(x, sizeof(x), r->portfolio.alpha_t),
		    num(y, sizeof(y), r->portfolio.q.beta),
		    num(w, sizeof(w), r->portfolio.beta_t));
	rc |= ms_buf_puts(&b, ".\n");
	rc |= ms_buf_printf(&b, "\nCosts paid: $%.2f spread + $%.2f impact = "
	    "%s of the starting capital. Bootstrap: %zu resamples, seed %llu.\n",
	    r->spread_usd, r->impact_usd, pct(x, sizeof(x),
	    (r->spread_usd + r->impact_usd) / p->capital), ps->bootstrap,
	    (unsigned long long)ps->seed);
	if (r->lookahead_checked > 0)
		rc |= ms_buf_printf(&b, "\nLook-ahead check: %d of %d decisions "
		    "identical on the store truncated after their date.\n",
		    r->lookahead_identical, r->lookahead_checked);
	if (rc != 0) {
		ms_buf_free(&b);
		return NULL;
	}
	return ms_buf_steal(&b);
}

/* ---- files ----------------------------------------------------------- */

int
ms_bt_write_report(const struct ms_bt_result *r, const char *dir,
    char *err, size_t errsz)
{
	static const struct ms_bt_part parts[] = { { "picks.csv", picks_csv },
		{ "periods.csv", periods_csv },
		{ "rebalances.csv", rebalances_csv } };
	int rc = ms_bt_write_report_files(dir, ms_bt_summary_json(r), parts,
	    sizeof(parts) / sizeof(parts[0]), r, ms_bt_summary_markdown(r),
	    REPORT_MAX, err, errsz);

	/* Last, the page with the charts (backtest/ms_bt_html.c). */
	if (rc == 0)
		rc = ms_bt_write_html(r, dir, err, errsz);
	return rc;
}

/* ---- backtest picks ---------------------------------------------------- */

#define PICKS_MD_ROWS 100   /* per-pick rows in the Markdown summary */

cJSON *
ms_bt_picks_summary_json(const struct ms_bt_picks_result *r)
{
	const struct ms_bt_params *p = &r->params;
	const struct ms_bt_pick_stats *ps = &r->stats;
	cJSON *root, *o, *m;

	if ((root = cJSON_CreateObject()) == NULL)
		return NULL;
	ms_json_str(root, "schema", MS_BT_PICKS_SCHEMA);
	ms_json_int(root, "schema_version", MS_BT_PICKS_SCHEMA_VERSION);
	ms_json_str(root, "moonscope_version", MS_VERSION);
	if ((o = cJSON_AddObjectToObject(root, "input")) != NULL) {
		ms_json_str(o, "file", r->file);
		ms_json_str(o, "format", ms_bt_picks_format_name(r->format));
		ms_json_int(o, "picks", (int64_t)r->n);
	}
	if ((o = cJSON_AddObjectToObject(root, "store")) != NULL) {
		ms_json_int(o, "data_version", r->data_version);
		ms_json_date(o, "first_day", r->data_first);
		ms_json_date(o, "last_day", r->data_last);
	}
	if ((o = cJSON_AddObjectToObject(root, "parameters")) != NULL) {
		if (p->hold_days == MS_BT_HOLD_NEXT)
			ms_json_str(o, "hold", "next");
		else
			ms_json_int(o, "hold", p->hold_days);
		ms_json_date(o, "exit", r->opts.exit);
		ms_json_num(o, "notional", r->opts.notional);
		ms_json_num(o, "capital", p->capital);
		ms_json_int(o, "top", (int64_t)p->top);
		ms_json_num(o, "spread_bps", p->spread_bps);
		ms_json_num(o, "impact", p->impact);
		ms_json_num(o, "max_volume_share", p->max_volume_share);
		ms_json_num(o, "delist_haircut", p->delist_haircut);
		ms_json_int(o, "delist_days", p->delist_days);
		ms_json_str(o, "left_rule", ms_bt_left_rule_name(p->left_rule));
		ms_json_str(o, "snapshot_source", p->hold_days == MS_BT_HOLD_NEXT ?
		    p->snapshot_source : NULL);
		ms_json_int(o, "seed", (int64_t)p->seed);
		ms_json_int(o, "bootstrap", (int64_t)p->bootstrap);
	}
	if ((o = cJSON_AddObjectToObject(root, "run")) != NULL) {
		ms_json_int(o, "cohorts", (int64_t)r->cohorts);
		ms_json_str(o, "entry_price", "store close on the pick's date");
	}
	if ((m = cJSON_AddObjectToObject(root, "metrics")) == NULL)
		return root;
	if ((o = cJSON_AddObjectToObject(m, "picks")) != NULL) {
		ms_json_int(o, "count", (int64_t)r->n);
		ms_json_int(o, "filled", (int64_t)r->filled);
		ms_json_int(o, "unfilled", (int64_t)r->unfilled);
		add_trade_stats(o, ps, r->censored, r->written_off);
		ms_json_int(o, "left", (int64_t)r->left);
		ms_json_num(o, "share_left", ps->count ?
		    (double)r->left / (double)ps->count : NAN);
		ms_json_str(o, "left_valuation", r->left > 0 ?
		    left_meaning(p->left_rule) : NULL);
		ms_json_num(o, "notional_usd", r->notional_usd);
		ms_json_num(o, "proceeds_usd", r->proceeds_usd);
		ms_json_int(o, "bootstrap_resamples", (int64_t)ps->bootstrap);
		ms_json_int(o, "bootstrap_seed", (int64_t)ps->seed);
	}
	if ((o = cJSON_AddObjectToObject(m, "entry_prices")) != NULL) {
		ms_json_int(o, "given", (int64_t)r->with_price);
		ms_json_int(o, "off_by_more_than_1pct", (int64_t)r->price_off);
		ms_json_num(o, "median_abs_diff", r->price_diff_median);
		ms_json_num(o, "max_abs_diff", r->price_diff_max);
	}
	if ((o = cJSON_AddObjectToObject(m, "costs")) != NULL) {
		ms_json_num(o, "spread_usd", r->spread_usd);
		ms_json_num(o, "impact_usd", r->impact_usd);
		ms_json_num(o, "total_usd", r->spread_usd + r->impact_usd);
		ms_json_int(o, "reduced_positions", (int64_t)r->reduced);
	}
	return root;
}

static int
picks_judged_csv(const void *arg, struct ms_buf *b)
{
	const struct ms_bt_picks_result *r = arg;
	int rc = ms_buf_puts(b, "line,date,asset,symbol,key,resolved_by,"
	    "candidates,file_entry_price,entry_price,entry_price_diff,"
	    "entry_cost,target_usd,notional_usd,reduced_usd,until,exit_date,"
	    "last_bar_date,exit_price,exit_cost,unsold_share,status,"
	    "return_gross,return_net,max_gain,died,exit_cap_limit\n");

	for (size_t i = 0; rc == 0 && i < r->n; i++) {
		const struct ms_bt_judged_pick *j = &r->picks[i];
		const struct ms_bt_pick *p = &j->pick;
		const double mid[] = { j->file_price, p->entry_price, j->price_diff,
			p->entry_cost, p->target_usd, p->notional_usd,
			p->reduced_usd };
		const double tail[] = { p->exit_price, p->exit_cost,
			p->unsold_share };
		const double rets[] = { p->ret_gross, p->ret_net, p->max_gain };

		rc |= ms_buf_printf(b, "%lu,", j->line);
		rc |= ms_bt_csv_date(b, p->day);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_text(b, p->slug);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_text(b, p->symbol);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_text(b, j->key);
		rc |= ms_buf_printf(b, ",%s,%zu", j->resolved_by, j->candidates);
		for (size_t k = 0; k < sizeof(mid) / sizeof(mid[0]); k++) {
			rc |= ms_buf_putc(b, ',');
			rc |= ms_bt_csv_num(b, mid[k]);
		}
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_date(b, j->until);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_date(b, p->exit_day);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_date(b, p->last_bar_day);
		for (size_t k = 0; k < sizeof(tail) / sizeof(tail[0]); k++) {
			rc |= ms_buf_putc(b, ',');
			rc |= ms_bt_csv_num(b, tail[k]);
		}
		rc |= ms_buf_printf(b, ",%s", ms_bt_status_name(p->status));
		for (size_t k = 0; k < sizeof(rets) / sizeof(rets[0]); k++) {
			rc |= ms_buf_putc(b, ',');
			rc |= ms_bt_csv_num(b, rets[k]);
		}
		rc |= ms_buf_printf(b, ",%d,", p->status == MS_BT_DIED);
		rc |= ms_bt_csv_num(b, p->exit_cap_limit);
		rc |= ms_buf_putc(b, '\n');
	}
	return rc ? MS_ERR_TOOBIG : 0;
}

/* A price in a readable number of digits, or "n/a". */
static const char *
price(char *buf, size_t n, double v)
{
	if (!isfinite(v))
		snprintf(buf, n, "n/a");
	else
		snprintf(buf, n, "%.6g", v);
	return buf;
}

char *
ms_bt_picks_markdown(const struct ms_bt_picks_result *r)
{
	const struct ms_bt_params *p = &r->params;
	const struct ms_bt_pick_stats *ps = &r->stats;
	struct ms_buf b;
	char x[32], y[32], z[32], hold[160], d0[MS_DATE_LEN + 1],
	    d1[MS_DATE_LEN + 1];
	int rc = 0;

	ms_buf_init(&b, REPORT_MAX);
	if (r->opts.exit >= 0) {
		ms_date_format(r->opts.exit, d0);
		snprintf(hold, sizeof(hold), "sold on %s", d0);
	} else if (p->hold_days == MS_BT_HOLD_NEXT) {
		snprintf(hold, sizeof(hold), "held until the next snapshot of %s",
		    p->snapshot_source);
	} else {
		snprintf(hold, sizeof(hold), "held %d days", p->hold_days);
	}
	ms_date_format(r->data_first, d0);
	ms_date_format(r->data_last, d1);
	rc |= ms_buf_printf(&b, "# Picks judged: %s\n\n", r->file);
	rc |= ms_buf_printf(&b, "%zu picks (%s) bought at the store's close on "
	    "their date (a price in the file is only compared with it), %s "
	    "unless the file gives an exit; $%.0f each unless the file gives "
	    "target_usd; the rules of `backtest moonshots`: spread %.0f bps "
	    "per trade, impact %g x volume share, trades capped at %g of the "
	    "day's volume, delisted after %d days without a bar (haircut %g). "
	    "Store %s .. %s, data version %lld; %zu cohorts.\n\n", r->n,
	    ms_bt_picks_format_name(r->format), hold, r->opts.notional,
	    p->spread_bps, p->impact, p->max_volume_share, p->delist_days,
	    p->delist_haircut, d0, d1, (long long)r->data_version, r->cohorts);
	rc |= ms_buf_puts(&b, "| pick statistic | value | 95% bootstrap CI |\n"
	    "|---|---|---|\n");
	rc |= ms_buf_printf(&b, "| judged (bought) | %zu of %zu | |\n",
	    ps->count, r->n);
	rc |= ms_buf_printf(&b, "| win rate (trade-based, net > 0) | %s | %s .. %s |\n",
	    pct(x, sizeof(x), ps->win_rate), pct(y, sizeof(y), ps->win_rate_ci.lo),
	    pct(z, sizeof(z), ps->win_rate_ci.hi));
	rc |= ms_buf_printf(&b, "| mean net return | %s | %s .. %s |\n",
	    pct(x, sizeof(x), ps->mean), pct(y, sizeof(y), ps->mean_ci.lo),
	    pct(z, sizeof(z), ps->mean_ci.hi));
	rc |= ms_buf_printf(&b, "| median net return | %s | %s .. %s |\n",
	    pct(x, sizeof(x), ps->median), pct(y, sizeof(y), ps->median_ci.lo),
	    pct(z, sizeof(z), ps->median_ci.hi));
	rc |= ms_buf_printf(&b, "| reached 2x / 10x / 100x (best high) | %zu / "
	    "%zu / %zu | |\n", ps->n2x, ps->n10x, ps->n100x);
	rc |= ms_buf_printf(&b, "| died (no bar for %d days) | %zu (%s) | |\n",
	    p->delist_days, ps->died, pct(x, sizeof(x), ps->share_died));
	if (r->left > 0)
		rc |= ms_buf_printf(&b, "| left the snapshot universe (valued: "
		    "%s) | %zu | |\n", left_meaning(p->left_rule), r->left);
	rc |= ms_buf_printf(&b, "\nUnfilled %zu (no bar or no volume on the "
	    "day), censored %zu (the data ends first), written off in part "
	    "%zu, reduced to the volume cap %zu. Invested $%.2f, got back "
	    "$%.2f; costs $%.2f spread + $%.2f impact. Bootstrap: %zu "
	    "resamples, seed %llu.\n", r->unfilled, r->censored,
	    r->written_off, r->reduced, r->notional_usd, r->proceeds_usd,
	    r->spread_usd, r->impact_usd, ps->bootstrap,
	    (unsigned long long)ps->seed);
	if (r->with_price > 0)
		rc |= ms_buf_printf(&b, "\nEntry prices in the file: %zu; median "
		    "|file / store close - 1| %s, largest %s; %zu more than 1 %% "
		    "off. Returns use the store's close.\n", r->with_price,
		    pct(x, sizeof(x), r->price_diff_median),
		    pct(y, sizeof(y), r->price_diff_max), r->price_off);
	rc |= ms_buf_puts(&b, "\n| line | date | asset | entry | exit date | "
	    "exit price | gross | net | max gain | status |\n"
	    "|---|---|---|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < r->n && i < PICKS_MD_ROWS; i++) {
		const struct ms_bt_judged_pick *j = &r->picks[i];
		const struct ms_bt_pick *pk = &j->pick;
		char e0[32], e1[32], g[32], n[32], mg[32];
		char da[MS_DATE_LEN + 1], dx[MS_DATE_LEN + 1];

		ms_date_format(pk->day, da);
		if (pk->exit_day >= 0)
			ms_date_format(pk->exit_day, dx);
		else
			snprintf(dx, sizeof(dx), "-");
		rc |= ms_buf_printf(&b, "| %lu | %s | %s | %s | %s | %s | %s | %s "
		    "| %s | %s |\n", j->line, da, pk->slug,
		    price(e0, sizeof(e0), pk->entry_price), dx,
		    price(e1, sizeof(e1), pk->exit_price),
		    pct(g, sizeof(g), pk->ret_gross), pct(n, sizeof(n), pk->ret_net),
		    pct(mg, sizeof(mg), pk->max_gain), ms_bt_status_name(pk->status));
	}
	if (r->n > PICKS_MD_ROWS)
		rc |= ms_buf_printf(&b, "\n(The first %d of %zu picks; every pick "
		    "is in picks.csv with --report.)\n", PICKS_MD_ROWS, r->n);
	if (rc != 0) {
		ms_buf_free(&b);
		return NULL;
	}
	return ms_buf_steal(&b);
}

int
ms_bt_picks_write_report(const struct ms_bt_picks_result *r, const char *dir,
    char *err, size_t errsz)
{
	static const struct ms_bt_part parts[] = {
		{ "picks.csv", picks_judged_csv } };

	return ms_bt_write_report_files(dir, ms_bt_picks_summary_json(r), parts,
	    1, r, ms_bt_picks_markdown(r), REPORT_MAX, err, errsz);
}
