/*
 * check_backtest.c — the moonshot backtester (backtest/ms_bt.h) and the
 * compare gate (backtest/ms_bt_compare.h) on small hand-made stores whose
 * picks, costs and returns are worked out by hand below.
 *
 * The fixture (days from 2018-01-01 = day index 0, days 0..99, one source):
 *   bitcoin / BTC  close 10000 + 100 i, volume 1e9, market cap 1.7e11
 *   alpha / ALP    close 1 (i <= 40), 2 (i > 40); high = close except
 *                  2.5 on day 45; volume 1e6; market cap 5e7
 *   beta / BET     days 0..45 only (then dies): close 1, volume 20000,
 *                  market cap 4e7
 *   gamma / GAM    close 1 (i <= 40), 0.5 (i > 40); volume 1e5; cap 3e7
 *   delta / DEL    close 1; volume 1e5 except unknown on day 35; cap 2e7
 *   nocap / NCP    close 3; volume 1e5; market cap unknown
 *   epsilon / EPS  close 1; volume 1e6 up to day 40, then 1000; cap 1e7
 * The base run decides on day 35 (2018-02-05) only: sort by market cap
 * descending under $100M, top 2, hold 14 days (exit day 49), capital
 * 10000, spread 50 bps per trade, impact 1.0 x volume share, buys capped
 * at 10 % of the day's volume, delisting haircut 1.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <cJSON.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "ms_bt.h"
#include "ms_bt_compare.h"
#include "ms_bt_io.h"
#include "ms_buf.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_http.h"
#include "ms_store.h"
#include "testutil.h"

extern const struct ms_route *const ms_route_v1_moonshots;

#define D0 ms_date_from_ymd(2018, 1, 1)

/* |got - want| within a relative 1e-12 (absolute near 0). */
static void
close_at(double got, double want, int line)
{
	double tol = 1e-12 * (fabs(want) > 1 ? fabs(want) : 1);

	ck_assert_msg(fabs(got - want) <= tol, "line %d: got %.17g, want %.17g",
	    line, got, want);
}
#define CLOSE(a, b) close_at((a), (b), __LINE__)

static void
insert_asset(sqlite3 *db, int64_t id, const char *slug, const char *symbol)
{
	sqlite3_stmt *s;

	ck_assert_int_eq(sqlite3_prepare_v2(db,
	    "INSERT INTO assets(id, slug, symbol, name, categories) "
	    "VALUES (?1, ?2, ?3, ?2, '')", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, symbol, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
}

static void
insert_bar(sqlite3 *db, int64_t asset, int64_t source, int32_t day,
    double high, double close, double volume, double mcap)
{
	sqlite3_stmt *s;
	double v[6] = { close, high, close, close, volume, mcap };

	ck_assert_int_eq(sqlite3_prepare_v2(db,
	    "INSERT INTO bars(asset_id, source_id, day, open, high, low, close,"
	    " volume, market_cap) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	    -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_int64(s, 1, asset);
	sqlite3_bind_int64(s, 2, source);
	sqlite3_bind_int64(s, 3, day);
	for (int i = 0; i < 6; i++) {
		if (isnan(v[i]))
			sqlite3_bind_null(s, 4 + i);
		else
			sqlite3_bind_double(s, 4 + i, v[i]);
	}
	ck_assert_int_eq(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
}

static void
finish_store(struct ms_store *st, int64_t nassets)
{
	for (int64_t id = 1; id <= nassets; id++)
		ck_assert_int_eq(ms_store_rebuild_daily(st, id), 0);
	ck_assert_int_eq(ms_store_bump_version(st), 0);
	ck_assert_int_eq(ms_store_commit(st), 0);
}

/* The hand-made store described at the top, in dir/bt.db. */
static struct ms_store *
build_fixture(const char *dir)
{
	struct ms_store *st = tu_open_store(dir, "bt.db");
	sqlite3 *db = ms_store_db(st);
	int32_t d0 = D0;
	int64_t src;

	ck_assert_int_eq(ms_store_begin(st), 0);
	ck_assert_int_eq(ms_store_source(st, "fix", 10, "close at 23:59 UTC",
	    0, "backtest fixture", &src), 0);
	insert_asset(db, 1, "bitcoin", "BTC");
	insert_asset(db, 2, "alpha", "ALP");
	insert_asset(db, 3, "beta", "BET");
	insert_asset(db, 4, "gamma", "GAM");
	insert_asset(db, 5, "delta", "DEL");
	insert_asset(db, 6, "nocap", "NCP");
	insert_asset(db, 7, "epsilon", "EPS");
	for (int i = 0; i < 100; i++) {
		double btc = 10000 + 100.0 * i, a = i <= 40 ? 1 : 2;
		insert_bar(db, 1, src, d0 + i, btc, btc, 1e9, 1.7e11);
		insert_bar(db, 2, src, d0 + i, i == 45 ? 2.5 : a, a, 1e6, 5e7);
		if (i <= 45)
			insert_bar(db, 3, src, d0 + i, 1, 1, 20000, 4e7);
		insert_bar(db, 4, src, d0 + i, i <= 40 ? 1 : 0.5,
		    i <= 40 ? 1 : 0.5, 1e5, 3e7);
		insert_bar(db, 5, src, d0 + i, 1, 1, i == 35 ? NAN : 1e5, 2e7);
		insert_bar(db, 6, src, d0 + i, 3, 3, 1e5, NAN);
		insert_bar(db, 7, src, d0 + i, 1, 1, i <= 40 ? 1e6 : 1000, 1e7);
	}
	finish_store(st, 7);
	return st;
}

static void
base_params(struct ms_bt_params *p)
{
	ms_bt_params_default(p);
	p->from = p->to = D0 + 35;
	p->hold_days = 14;
	p->top = 2;
	p->screen.sort = MS_SORT_MARKET_CAP;
	p->capital = 10000;
	p->spread_bps = 50;
	p->impact = 1.0;
	p->max_volume_share = 0.1;
	p->bootstrap = 0;
}

static struct ms_bt_result *
run(struct ms_store *st, const struct ms_bt_params *p)
{
	struct ms_bt_result *r = NULL;

	ck_assert_int_eq(ms_bt_run(st, p, NULL, NULL, &r), 0);
	ck_assert_ptr_nonnull(r);
	return r;
}

static const struct ms_bt_pick *
pick_of(const struct ms_bt_result *r, int32_t day, const char *slug)
{
	for (size_t i = 0; i < r->npicks; i++)
		if (r->picks[i].day == day && strcmp(r->picks[i].slug, slug) == 0)
			return &r->picks[i];
	ck_abort_msg("no pick %s", slug);
	return NULL;
}

/* ---- the base run, by hand -------------------------------------------- */

START_TEST(test_hand_computed)
{
	char dir[64];
	struct ms_store *st;
	struct ms_bt_params p;
	struct ms_bt_result *r;
	const struct ms_bt_pick *a, *b;

	tu_tmpdir(dir, sizeof(dir), "ms_bt");
	st = build_fixture(dir);
	base_params(&p);
	r = run(st, &p);

	/* Universe on day 35: 7 assets; bitcoin is above $100M and nocap has
	 * no market cap, so 5 match; the two largest are alpha and beta. */
	ck_assert_uint_eq(r->ndates, 1);
	ck_assert_uint_eq(r->dates[0].universe, 7);
	ck_assert_uint_eq(r->dates[0].tradable, 7);
	ck_assert_uint_eq(r->dates[0].matched, 5);
	ck_assert_uint_eq(r->npicks, 2);
	ck_assert_uint_eq(r->ntranches, 1);
	ck_assert_str_eq(r->picks[0].slug, "alpha");
	ck_assert_str_eq(r->picks[1].slug, "beta");

	/* alpha: target 5000 <= 10 % of 1e6. cost in = 0.005 + 5000/1e6. */
	a = pick_of(r, D0 + 35, "alpha");
	double cin_a = 0.005 + 1.0 * 5000 / 1e6;
	double q_a = 5000 / (1 * (1 + cin_a));
	double usd_a = q_a * 2;                       /* sold whole on day 49 */
	double cout_a = 0.005 + 1.0 * usd_a / 1e6;
	double proc_a = usd_a * (1 - cout_a);
	CLOSE(a->entry_price, 1);
	CLOSE(a->entry_cost, cin_a);
	CLOSE(a->notional_usd, 5000);
	CLOSE(a->reduced_usd, 0);
	ck_assert_int_eq(a->exit_day, D0 + 49);
	CLOSE(a->exit_price, 2);
	CLOSE(a->exit_cost, cout_a);
	CLOSE(a->ret_gross, 1.0);
	CLOSE(a->ret_net, proc_a / 5000 - 1);
	CLOSE(a->max_gain, 1.5);                      /* high 2.5 on day 45 */
	CLOSE(a->unsold_share, 0);
	ck_assert_int_eq(a->status, MS_BT_HELD);

	/* beta: 10 % of 20000 = 2000 < 5000: reduced by 3000. Its last bar
	 * is day 45 and none follows within 30 days: died, worth 0. */
	b = pick_of(r, D0 + 35, "beta");
	double cin_b = 0.005 + 1.0 * 2000 / 20000;
	double q_b = 2000 / (1 + cin_b);
	CLOSE(b->notional_usd, 2000);
	CLOSE(b->reduced_usd, 3000);
	CLOSE(b->entry_cost, cin_b);
	ck_assert_int_eq(b->status, MS_BT_DIED);
	ck_assert_int_eq(b->last_bar_day, D0 + 45);
	ck_assert_int_eq(b->exit_day, D0 + 46);
	CLOSE(b->ret_net, -1);
	CLOSE(b->ret_gross, -1);
	CLOSE(b->max_gain, 0);
	ck_assert_uint_eq(r->reduced, 1);
	CLOSE(r->reduced_usd, 3000);

	/* Equity: 3000 unspent cash plus the positions, day by day. */
	ck_assert_uint_eq(r->nperiods, 15);           /* days 35..49 */
	double e0 = 3000 + q_a * 1 + q_b * 1;
	CLOSE(r->periods[0].equity, e0 / 10000);
	CLOSE(r->periods[0].ret, e0 / 10000 - 1);     /* entry costs count */
	CLOSE(r->periods[6].equity, (3000 + q_a * 2 + q_b) / 10000);   /* 41 */
	CLOSE(r->periods[11].equity, (3000 + q_a * 2) / 10000);        /* 46 */
	CLOSE(r->periods[14].equity, (3000 + proc_a) / 10000);
	ck_assert_uint_eq(r->periods[0].positions, 2);
	ck_assert_uint_eq(r->periods[11].positions, 1);
	CLOSE(r->portfolio.q.total_return, (3000 + proc_a) / 10000 - 1);
	CLOSE(r->final_equity_usd, 3000 + proc_a);
	/* The drawdown: from e0 (below the capital) to the beta write-off. */
	CLOSE(r->periods[11].drawdown, (3000 + q_a * 2) /
	    (3000 + q_a * 2 + q_b) - 1);

	/* Costs paid, split by their fractions. */
	double cost_in_a = 5000 - q_a, cost_in_b = 2000 - q_b;
	double spread = cost_in_a * 0.005 / cin_a + cost_in_b * 0.005 / cin_b +
	    usd_a * 0.005;
	CLOSE(r->spread_usd, spread);
	CLOSE(r->spread_usd + r->impact_usd, cost_in_a + cost_in_b +
	    usd_a * cout_a);

	/* Benchmarks: bitcoin 13500 -> 14900; the gross basket of all 7. */
	CLOSE(r->periods[14].bench_equity, 14900.0 / 13500);
	CLOSE(r->bench.q.total_return, 14900.0 / 13500 - 1);
	ck_assert_str_eq(r->bench_asset.slug, "bitcoin");
	double basket = (14900.0 / 13500 + 2 + 0 + 0.5 + 1 + 1 + 1) / 7;
	CLOSE(r->periods[14].universe_equity, basket);
	CLOSE(r->universe.q.total_return, basket - 1);

	/* Trade statistics. */
	ck_assert_uint_eq(r->pick_stats.count, 2);
	ck_assert_uint_eq(r->pick_stats.wins, 1);
	CLOSE(r->pick_stats.win_rate, 0.5);
	CLOSE(r->pick_stats.mean, (proc_a / 5000 - 1 - 1) / 2);
	CLOSE(r->pick_stats.median, (proc_a / 5000 - 1 - 1) / 2);
	ck_assert_uint_eq(r->pick_stats.n2x, 1);
	ck_assert_uint_eq(r->pick_stats.n10x, 0);
	ck_assert_uint_eq(r->pick_stats.died, 1);
	CLOSE(r->pick_stats.share_died, 0.5);

	ms_bt_result_free(r);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

/* Top 4: delta has no volume on day 35 (unfilled), beta is reduced. */
START_TEST(test_unfilled_and_reduced)
{
	char dir[64];
	struct ms_store *st;
	struct ms_bt_params p;
	struct ms_bt_result *r;
	const struct ms_bt_pick *g, *d;

	tu_tmpdir(dir, sizeof(dir), "ms_bt");
	st = build_fixture(dir);
	base_params(&p);
	p.top = 4;
	r = run(st, &p);
	ck_assert_uint_eq(r->npicks, 4);
	ck_assert_uint_eq(r->filled, 3);
	ck_assert_uint_eq(r->unfilled, 1);
	ck_assert_uint_eq(r->reduced, 1);
	CLOSE(r->reduced_usd, 500);                   /* beta: 2500 -> 2000 */
	d = pick_of(r, D0 + 35, "delta");
	ck_assert_int_eq(d->status, MS_BT_UNFILLED);
	CLOSE(d->notional_usd, 0);
	CLOSE(d->reduced_usd, 2500);
	ck_assert(isnan(d->ret_net));
	ck_assert_int_eq(d->exit_day, -1);
	g = pick_of(r, D0 + 35, "gamma");
	double cin = 0.005 + 2500 / 1e5, q = 2500 / (1 + cin);
	double usd = q * 0.5, cout = 0.005 + usd / 1e5;
	CLOSE(g->ret_net, usd * (1 - cout) / 2500 - 1);
	CLOSE(g->ret_gross, -0.5);
	ck_assert_uint_eq(r->pick_stats.count, 3);   /* unfilled: not judged */
	ms_bt_result_free(r);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

/* A sale larger than 10 % of the day's volume takes several days. */
START_TEST(test_liquidation)
{
	char dir[64];
	struct ms_store *st;
	struct ms_bt_params p;
	struct ms_bt_result *r;
	const struct ms_bt_pick *a, *e;

	tu_tmpdir(dir, sizeof(dir), "ms_bt");
	st = build_fixture(dir);
	/* alpha alone, 1 % of 1e6 = 10000 bought; 5000 units a day sold. */
	base_params(&p);
	p.top = 1;
	p.capital = 1e6;
	p.max_volume_share = 0.01;
	p.spread_bps = 0;
	p.impact = 0;
	r = run(st, &p);
	a = pick_of(r, D0 + 35, "alpha");
	CLOSE(a->notional_usd, 1e4);
	CLOSE(a->reduced_usd, 990000);
	ck_assert_int_eq(a->exit_day, D0 + 50);
	CLOSE(a->exit_price, 2);
	CLOSE(a->ret_net, 1.0);
	CLOSE(a->unsold_share, 0);
	ck_assert_uint_eq(r->nperiods, 16);           /* to day 50 */
	for (size_t t = 6; t < 16; t++)
		CLOSE(r->periods[t].equity, 1.01);
	ck_assert_uint_eq(r->periods[14].positions, 1);   /* half sold */
	ck_assert_uint_eq(r->periods[15].positions, 0);
	ms_bt_result_free(r);

	/* Weekly, hold 7 (one tranche): the first cohort's second half sells
	 * on day 43, after the second cohort bought on 42; its 10000 join the
	 * third cohort on day 49, and nothing is lost on the way. */
	p.to = D0 + 49;
	p.hold_days = 7;
	r = run(st, &p);
	ck_assert_uint_eq(r->ndates, 3);
	ck_assert_uint_eq(r->ntranches, 1);
	CLOSE(r->dates[0].tranche_value, 1e6);
	CLOSE(r->dates[1].tranche_value, 1e6);       /* 990000 + day-42 half */
	CLOSE(r->dates[2].tranche_value, 1.01e6);    /* + the day-43 half */
	for (size_t t = 6; t < r->nperiods; t++)
		CLOSE(r->periods[t].equity, 1.01);
	ms_bt_result_free(r);

	/* epsilon: 1e5 bought while it traded 1e6 a day; from day 41 it
	 * trades 1000, so 100 units a day sell for 31 days (49..79) and the
	 * rest is written off on day 79. */
	base_params(&p);
	p.top = 1;
	p.capital = 1e5;
	p.screen.min_market_cap = 9e6;
	p.screen.max_market_cap = 1.1e7;
	p.spread_bps = 0;
	p.impact = 0;
	r = run(st, &p);
	e = pick_of(r, D0 + 35, "epsilon");
	CLOSE(e->notional_usd, 1e5);
	ck_assert_int_eq(e->exit_day, D0 + 79);
	CLOSE(e->ret_net, 3100 / 1e5 - 1);
	CLOSE(e->unsold_share, 0.969);
	ck_assert_int_eq(e->status, MS_BT_HELD);
	ck_assert_uint_eq(r->nperiods, 45);           /* days 35..79 */
	CLOSE(r->periods[43].equity, 1.0);            /* day 78: all marked */
	CLOSE(r->periods[44].equity, 0.031);          /* day 79: written off */
	CLOSE(r->portfolio.q.total_return, -0.969);
	ms_bt_result_free(r);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

/* Overlapping cohorts use separate tranches; a hold of one step does not. */
START_TEST(test_tranches)
{
	char dir[64];
	struct ms_store *st;
	struct ms_bt_params p;
	struct ms_bt_result *r;

	tu_tmpdir(dir, sizeof(dir), "ms_bt");
	st = build_fixture(dir);
	base_params(&p);
	p.to = D0 + 42;                                 /* dates 35 and 42 */
	r = run(st, &p);
	ck_assert_uint_eq(r->ndates, 2);
	ck_assert_uint_eq(r->ntranches, 2);
	ck_assert_uint_eq(r->dates[0].tranche, 0);
	ck_assert_uint_eq(r->dates[1].tranche, 1);
	CLOSE(r->dates[0].tranche_value, 5000);
	CLOSE(r->dates[1].tranche_value, 5000);
	ms_bt_result_free(r);

	for (int mode = 0; mode < 2; mode++) {
		p.hold_days = mode == 0 ? 7 : MS_BT_HOLD_NEXT;
		r = run(st, &p);
		ck_assert_uint_eq(r->ntranches, 1);
		ck_assert_uint_eq(r->dates[1].tranche, 0);
		/* The second cohort invests what the first returned: 3000
		 * unspent, alpha and beta (alive on day 42) sold whole. */
		double cin_a = 0.005 + 5000 / 1e6, q_a = 5000 / (1 + cin_a);
		double cin_b = 0.005 + 2000 / 20000.0, q_b = 2000 / (1 + cin_b);
		CLOSE(r->dates[1].tranche_value, 3000 +
		    q_a * 2 * (1 - 0.005 - q_a * 2 / 1e6) +
		    q_b * (1 - 0.005 - q_b / 20000));
		ck_assert_int_eq(r->picks[0].exit_day, D0 + 42);
		ms_bt_result_free(r);
	}
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

/* Exits after the store's last day are censored; no costs = gross. */
START_TEST(test_censored_and_gross)
{
	char dir[64];
	struct ms_store *st;
	struct ms_bt_params p;
	struct ms_bt_result *r;

	tu_tmpdir(dir, sizeof(dir), "ms_bt");
	st = build_fixture(dir);
	base_params(&p);
	p.from = p.to = D0 + 90;
	p.hold_days = 28;
	r = run(st, &p);
	/* beta has no bar on day 90 any more: alpha and gamma. */
	ck_assert_uint_eq(r->dates[0].tradable, 6);
	ck_assert_str_eq(r->picks[0].slug, "alpha");
	ck_assert_str_eq(r->picks[1].slug, "gamma");
	ck_assert_int_eq(r->picks[0].status, MS_BT_CENSORED);
	ck_assert_int_eq(r->picks[0].exit_day, D0 + 99);
	ck_assert_uint_eq(r->censored, 2);
	ms_bt_result_free(r);

	base_params(&p);
	p.spread_bps = 0;
	p.impact = 0;
	r = run(st, &p);
	CLOSE(r->picks[0].ret_net, r->picks[0].ret_gross);
	CLOSE(r->picks[0].ret_net, 1.0);
	CLOSE(r->spread_usd + r->impact_usd, 0);
	ms_bt_result_free(r);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

/* The backtest's decision is the /v1/moonshots answer, pick for pick. */
START_TEST(test_same_as_route)
{
	static const char *const uris[] = {
		"/v1/moonshots?as_of=2018-02-05&sort=market_cap&limit=500",
		"/v1/moonshots?as_of=2018-02-05&limit=500",
		"/v1/moonshots?as_of=2018-03-20&sort=roi_30d&order=asc&limit=500",
	};
	const int32_t days[] = { D0 + 35, D0 + 35, D0 + 78 };
	const enum ms_screen_sort sorts[] = { MS_SORT_MARKET_CAP,
		MS_SORT_TRADER_GRADE, MS_SORT_ROI_30D };
	char dir[64], path[128];
	struct ms_store *st;

	tu_tmpdir(dir, sizeof(dir), "ms_bt");
	st = build_fixture(dir);
	snprintf(path, sizeof(path), "%s/bt.db", dir);
	setenv(MS_STORE_ENV, path, 1);
	for (size_t k = 0; k < sizeof(uris) / sizeof(uris[0]); k++) {
		char e_uri[200], e_qs[200];
		char *envp[] = { (char *)(uintptr_t)"REQUEST_METHOD=GET", e_uri,
			e_qs, NULL };
		struct ms_screen_params sp;
		struct ms_bt_decision d;
		struct ms_response res;
		struct ms_ctx ctx;
		const cJSON *picks, *it;
		cJSON *json;
		size_t i = 0;

		snprintf(e_uri, sizeof(e_uri), "REQUEST_URI=%s", uris[k]);
		snprintf(e_qs, sizeof(e_qs), "QUERY_STRING=%s",
		    strchr(uris[k], '?') + 1);
		ms_ctx_init(&ctx);
		ms_response_init(&res);
		ms_handle(&ctx, ms_route_v1_moonshots, envp, &res);
		ck_assert_int_eq(res.status, 200);
		json = cJSON_ParseWithLength(res.body.data, res.body.len);
		ms_response_free(&res);
		ms_ctx_free(&ctx);
		ck_assert_ptr_nonnull(json);

		ms_screen_defaults(&sp);
		sp.sort = sorts[k];
		sp.descending = k != 2;
		ck_assert_int_eq(ms_bt_decide(st, days[k], &sp, 500, &d), 0);
		picks = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(json, "data"), "picks");
		ck_assert_int_eq(cJSON_GetArraySize(picks), (int)d.n);
		cJSON_ArrayForEach(it, picks) {
			struct ms_asset a;
			ck_assert_int_eq(ms_market_asset(st, d.picks[i].asset_id,
			    &a), 0);
			ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(it,
			    "id")->valuestring, a.slug);
			i++;
		}
		ms_bt_decision_free(&d);
		cJSON_Delete(json);
	}
	unsetenv(MS_STORE_ENV);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

/* ---- look-ahead ------------------------------------------------------- */

static uint64_t
lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/*
 * 16 random-walk coins over 200 days: some list late, some die, volumes
 * are sometimes unknown, caps straddle $100M.
 */
static struct ms_store *
build_random(const char *dir)
{
	struct ms_store *st = tu_open_store(dir, "rw.db");
	sqlite3 *db = ms_store_db(st);
	uint64_t seed = 12345;
	int64_t src;

	ck_assert_int_eq(ms_store_begin(st), 0);
	ck_assert_int_eq(ms_store_source(st, "rw", 10, "close at 23:59 UTC",
	    0, "random walks", &src), 0);
	for (int64_t id = 1; id <= 16; id++) {
		char slug[16], sym[8];
		int first = (int)(lcg(&seed) % 60), last = 199;
		double price = 0.01 + (double)(lcg(&seed) % 1000) / 100;
		double supply = 1e6 + (double)(lcg(&seed) % 30) * 1e6;

		if (id % 4 == 0)
			last = 80 + (int)(lcg(&seed) % 100);
		snprintf(slug, sizeof(slug), "coin-%02d", (int)id);
		snprintf(sym, sizeof(sym), "C%02d", (int)id);
		insert_asset(db, id, slug, sym);
		for (int i = first; i <= last; i++) {
			double r = ((double)(lcg(&seed) % 2001) - 1000) / 10000;
			double vol = (double)(lcg(&seed) % 100000) * price;
			price *= exp(r);
			if (lcg(&seed) % 17 == 0)
				continue;               /* a missing day */
			insert_bar(db, id, src, D0 + i, price * 1.05, price,
			    lcg(&seed) % 13 == 0 ? NAN : vol, price * supply);
		}
	}
	finish_store(st, 16);
	return st;
}

/*
 * The replay loads its history once and cuts each window out of it
 * (ms_panel_slice); with MOONSCOPE_BT_PRELOAD=0 it reads every window from
 * the store. Both must give the same report, byte for byte, on a store
 * with late listings, deaths and gaps, for daily and weekly schedules.
 */
START_TEST(test_preload_same)
{
	char dir[64];
	struct ms_store *st;
	static const enum ms_bt_rebalance rb[] = { MS_BT_DAILY, MS_BT_WEEKLY };

	tu_tmpdir(dir, sizeof(dir), "ms_bt_pre");
	st = build_random(dir);
	for (size_t i = 0; i < sizeof(rb) / sizeof(rb[0]); i++) {
		struct ms_bt_params p;
		struct ms_bt_result *a, *b;
		char *ja, *jb;
		cJSON *da, *db;

		ms_bt_params_default(&p);
		p.rebalance = rb[i];
		p.hold_days = 20;
		p.top = 3;
		p.delist_days = 10;
		p.bootstrap = 50;
		ck_assert_int_eq(setenv("MOONSCOPE_BT_PRELOAD", "0", 1), 0);
		a = run(st, &p);
		ck_assert_int_eq(unsetenv("MOONSCOPE_BT_PRELOAD"), 0);
		b = run(st, &p);
		ck_assert_uint_gt(a->npicks, 0);
		ck_assert_uint_eq(a->npicks, b->npicks);
		for (size_t k = 0; k < a->npicks; k++) {
			ck_assert_int_eq(a->picks[k].asset_id, b->picks[k].asset_id);
			ck_assert(memcmp(&a->picks[k].ret_net, &b->picks[k].ret_net,
			    sizeof(double)) == 0);
		}
		da = ms_bt_summary_json(a);
		db = ms_bt_summary_json(b);
		ja = cJSON_PrintUnformatted(da);
		jb = cJSON_PrintUnformatted(db);
		ck_assert_str_eq(ja, jb);
		cJSON_free(ja);
		cJSON_free(jb);
		cJSON_Delete(da);
		cJSON_Delete(db);
		ms_bt_result_free(a);
		ms_bt_result_free(b);
	}
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

START_TEST(test_lookahead)
{
	char dir[64], path[128];
	struct ms_store *st, *cut;
	struct ms_screen_params sp;
	struct ms_bt_decision a, b;
	size_t checked = 0, nonempty = 0;

	tu_tmpdir(dir, sizeof(dir), "ms_bt_la");
	st = build_random(dir);
	for (int sort = 0; sort < MS_SORT__COUNT; sort += 3) {
		ms_screen_defaults(&sp);
		sp.sort = (enum ms_screen_sort)sort;
		for (int32_t d = D0 + 40; d <= D0 + 195; d += 7) {
			int same = 0;
			ck_assert_int_eq(ms_bt_check_lookahead(st, d, &sp, 5, dir,
			    &same), 0);
			ck_assert_msg(same, "decision on day %d differs when the "
			    "store is truncated after it", (int)(d - D0));
			checked++;
			ck_assert_int_eq(ms_bt_decide(st, d, &sp, 5, &a), 0);
			nonempty += a.n > 0;
			ms_bt_decision_free(&a);
		}
	}
	ck_assert_uint_ge(checked, 60);
	ck_assert_uint_ge(nonempty, checked / 2);

	/* The copy really holds nothing after the day ... */
	snprintf(path, sizeof(path), "%s/cut.db", dir);
	ck_assert_int_eq(ms_bt_truncated_copy(st, D0 + 100, path), 0);
	ck_assert_int_eq(ms_bt_truncated_copy(st, D0 + 100, path),
	    MS_ERR_INVALID);                            /* never overwrites */
	ck_assert_int_eq(ms_store_open(path, MS_STORE_RO, &cut), 0);
	ck_assert_int_eq(tu_query_int(cut, "SELECT max(day) FROM daily"),
	    D0 + 100);
	ck_assert_int_eq(tu_query_int(cut, "SELECT max(day) FROM bars"),
	    D0 + 100);
	/* ... and the comparison can tell decisions apart: one day later
	 * is a different decision. */
	ms_screen_defaults(&sp);
	ck_assert_int_eq(ms_bt_decide(cut, D0 + 100, &sp, 5, &a), 0);
	ck_assert_int_eq(ms_bt_decide(st, D0 + 101, &sp, 5, &b), 0);
	ck_assert(!ms_bt_decision_equal(&a, &b));
	ms_bt_decision_free(&b);
	ck_assert_int_eq(ms_bt_decide(st, D0 + 100, &sp, 5, &b), 0);
	ck_assert(ms_bt_decision_equal(&a, &b));
	ms_bt_decision_free(&a);
	ms_bt_decision_free(&b);
	ms_store_close(cut);

	/* A whole run over the random store completes without look-ahead
	 * surprises and counts every pick. */
	{
		struct ms_bt_params p;
		struct ms_bt_result *r;
		ms_bt_params_default(&p);
		p.bootstrap = 500;
		r = run(st, &p);
		ck_assert_uint_gt(r->npicks, 0);
		ck_assert_uint_eq(r->filled + r->unfilled, r->npicks);
		ck_assert_int_eq(r->params.from, r->data_first +
		    MS_BT_WARMUP_DAYS);
		ck_assert_int_le(r->params.to + 28, r->data_last);
		ck_assert_int_gt(r->params.to + 35, r->data_last);
		ms_bt_result_free(r);
	}
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

/* ---- statistics ------------------------------------------------------- */

static int
cmp_d(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

START_TEST(test_pick_stats)
{
	const double ret[] = { 0.5, -1, 0.2, NAN };
	const double mg[] = { 1.5, 0, 9.5, 200 };
	const int died[] = { 0, 1, 0, 0 };
	struct ms_bt_pick_stats s, s2;

	ck_assert_int_eq(ms_bt_pick_stats(ret, mg, died, 4, 42, 2000, &s), 0);
	ck_assert_uint_eq(s.count, 3);
	ck_assert_uint_eq(s.wins, 2);
	CLOSE(s.win_rate, 2.0 / 3);
	CLOSE(s.mean, -0.1);
	CLOSE(s.median, 0.2);
	ck_assert_uint_eq(s.n2x, 2);
	ck_assert_uint_eq(s.n10x, 1);
	ck_assert_uint_eq(s.n100x, 0);               /* the 200 is not judged */
	ck_assert_uint_eq(s.died, 1);
	CLOSE(s.share_died, 1.0 / 3);
	/* t = mean / (sd / sqrt 3): deviations 0.6, -0.9, 0.3, ss 1.26. */
	CLOSE(s.mean_t, -0.1 * sqrt(3 / 0.63));
	ck_assert(s.mean_ci.lo <= s.mean && s.mean <= s.mean_ci.hi);
	ck_assert(s.mean_ci.lo >= -1 && s.mean_ci.hi <= 0.5);

	/* Same seed, same intervals; another seed, other draws. */
	ck_assert_int_eq(ms_bt_pick_stats(ret, mg, died, 4, 42, 2000, &s2), 0);
	ck_assert(memcmp(&s.mean_ci, &s2.mean_ci, sizeof(s.mean_ci)) == 0);
	ck_assert(memcmp(&s.median_ci, &s2.median_ci, sizeof(s.median_ci)) == 0);

	/* An independent, naive bootstrap with the same GSL stream: resample,
	 * sort, take gsl means/medians, and percentile them. */
	{
		enum { M = 9, B = 1000 };
		const double x[M] = { -0.9, 0.3, -0.2, 1.7, 0.05, -0.5, 0.0,
			4.0, -0.35 };
		double srt[M], smp[M], bm[B], bd[B], bw[B], mgz[M] = { 0 };
		int dz[M] = { 0 };
		gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

		memcpy(srt, x, sizeof(x));
		qsort(srt, M, sizeof(double), cmp_d);
		gsl_rng_set(rng, 7);
		for (int b = 0; b < B; b++) {
			int w = 0;
			for (int k = 0; k < M; k++) {
				smp[k] = srt[gsl_rng_uniform_int(rng, M)];
				w += smp[k] > 0;
			}
			bm[b] = gsl_stats_mean(smp, 1, M);
			gsl_sort(smp, 1, M);
			bd[b] = gsl_stats_median_from_sorted_data(smp, 1, M);
			bw[b] = (double)w / M;
		}
		gsl_rng_free(rng);
		gsl_sort(bm, 1, B);
		gsl_sort(bd, 1, B);
		gsl_sort(bw, 1, B);
		ck_assert_int_eq(ms_bt_pick_stats(x, mgz, dz, M, 7, B, &s), 0);
		CLOSE(s.mean_ci.lo, gsl_stats_quantile_from_sorted_data(bm, 1, B, 0.025));
		CLOSE(s.mean_ci.hi, gsl_stats_quantile_from_sorted_data(bm, 1, B, 0.975));
		CLOSE(s.median_ci.lo, gsl_stats_quantile_from_sorted_data(bd, 1, B, 0.025));
		CLOSE(s.median_ci.hi, gsl_stats_quantile_from_sorted_data(bd, 1, B, 0.975));
		CLOSE(s.win_rate_ci.lo, gsl_stats_quantile_from_sorted_data(bw, 1, B, 0.025));
		CLOSE(s.win_rate_ci.hi, gsl_stats_quantile_from_sorted_data(bw, 1, B, 0.975));
	}

	/* Constant returns: a degenerate interval. */
	{
		const double c[] = { 0.25, 0.25, 0.25 }, z[] = { 0, 0, 0 };
		const int dz[] = { 0, 0, 0 };
		ck_assert_int_eq(ms_bt_pick_stats(c, z, dz, 3, 1, 100, &s), 0);
		CLOSE(s.mean_ci.lo, 0.25);
		CLOSE(s.mean_ci.hi, 0.25);
		CLOSE(s.median_ci.lo, 0.25);
		ck_assert(isnan(s.mean_t));           /* no spread, no t */
	}
}
END_TEST

/*
 * OLS by hand: bench 1, 2, 3, 4 and r 2, 3, 5, 6 (a fifth pair with r
 * unknown is skipped). Sxx = 5, Sxy = 7: slope 1.4, intercept 0.5;
 * residuals 0.1, -0.3, 0.3, -0.1: s2 = 0.2 / 2 = 0.1.
 * se(slope) = sqrt(0.1 / 5), se(intercept) = sqrt(0.1 (1/4 + 2.5^2 / 5)).
 */
START_TEST(test_t_statistics)
{
	const double r[] = { 2, 3, 5, 6, NAN }, b[] = { 1, 2, 3, 4, 10 };
	const double flat[] = { 1, 1, 1, 1, 1 }, line[] = { 3, 5, 7, 9, 11 };
	double at, bt;

	CLOSE(ms_bt_mean_t(b, 4), sqrt(15.0));    /* 2.5 / (sqrt(5/3) / 2) */
	ck_assert(isnan(ms_bt_mean_t(r + 3, 2)));  /* one finite value */
	ck_assert(isnan(ms_bt_mean_t(flat, 5)));
	ck_assert_int_eq(ms_bt_ols_t(r, b, 5, &at, &bt), 0);
	CLOSE(bt, 1.4 / sqrt(0.1 / 5));
	CLOSE(at, 0.5 / sqrt(0.1 * (0.25 + 6.25 / 5)));
	/* Two pairs fit exactly, a flat benchmark has no slope, an exact
	 * line has no residual: no t. */
	ck_assert_int_eq(ms_bt_ols_t(r, b, 2, &at, &bt), 0);
	ck_assert(isnan(at) && isnan(bt));
	ck_assert_int_eq(ms_bt_ols_t(r, flat, 4, &at, &bt), 0);
	ck_assert(isnan(bt));
	ck_assert_int_eq(ms_bt_ols_t(line, b, 4, &at, &bt), 0);
	ck_assert(isnan(at) && isnan(bt));
	ck_assert_int_eq(ms_bt_ols_t(r, b, (size_t)MS_QUANT_MAX_N + 1, &at,
	    &bt), MS_ERR_RANGE);
}
END_TEST

/* ---- report and compare ----------------------------------------------- */

static char *
slurp(const char *dir, const char *name)
{
	char path[256], err[256], *text = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(ms_bt_cmp_read_file(path, 1u << 24, &text, &len, err,
	    sizeof(err)), 0);
	return text;
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static int
part_hello(const void *r, struct ms_buf *b)
{
	return ms_buf_printf(b, "hello,%s\n", (const char *)r);
}

static int
part_fails(const void *r, struct ms_buf *b)
{
	(void)r;
	(void)b;
	return MS_ERR_RANGE;
}

/* The files every command writes, and how a failure is named. */
START_TEST(test_report_io)
{
	struct ms_bt_part ok = { "a.csv", part_hello },
	    bad = { "b.csv", part_fails };
	char dir[64], sub[128], err[256], *text;
	cJSON *doc;

	snprintf(dir, sizeof(dir), "/tmp/ms-btio-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/x/y", dir);
	doc = cJSON_CreateObject();
	cJSON_AddNumberToObject(doc, "n", 1);
	ck_assert_int_eq(ms_bt_write_report_files(sub, doc, &ok, 1, "w",
	    strdup("# md\n"), 1u << 20, err, sizeof(err)), 0);
	text = slurp(sub, "a.csv");
	ck_assert_str_eq(text, "hello,w\n");
	free(text);
	text = slurp(sub, "summary.md");
	ck_assert_str_eq(text, "# md\n");
	free(text);
	text = slurp(sub, "summary.json");
	ck_assert_ptr_nonnull(strstr(text, "\"n\":"));
	ck_assert_int_eq(text[strlen(text) - 1], '\n');
	free(text);

	/* A part over the size limit, a failing part, no memory for the
	 * summary: each named, and the files after it not written. */
	ck_assert_int_eq(ms_bt_write_part(sub, &ok, "a long line", 4, err,
	    sizeof(err)), MS_ERR_TOOBIG);
	ck_assert_str_eq(err, "a.csv: too large");
	ck_assert_int_eq(ms_bt_write_report_files(dir, cJSON_CreateObject(),
	    &bad, 1, "w", strdup("md"), 1u << 20, err, sizeof(err)),
	    MS_ERR_RANGE);
	ck_assert_ptr_nonnull(strstr(err, "b.csv: "));
	snprintf(sub, sizeof(sub), "%s/summary.md", dir);
	ck_assert_int_ne(access(sub, F_OK), 0);
	ck_assert_int_eq(ms_bt_write_report_files(dir, NULL, &ok, 1, "w",
	    strdup("md"), 1u << 20, err, sizeof(err)), MS_ERR_NOMEM);
	ck_assert_str_eq(err, "out of memory");
	/* A directory that cannot be made: under a regular file. */
	snprintf(sub, sizeof(sub), "%s/summary.json/z", dir);
	ck_assert_int_eq(ms_bt_write_report_files(sub, cJSON_CreateObject(),
	    NULL, 0, NULL, strdup("md"), 1u << 20, err, sizeof(err)),
	    MS_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err, "cannot create"));
	tu_rmtree(dir);
}
END_TEST

START_TEST(test_report_files)
{
	char dir[64], rep[128], err[256];
	struct ms_store *st;
	struct ms_bt_params p;
	struct ms_bt_result *r;
	cJSON *doc;
	char *text;

	tu_tmpdir(dir, sizeof(dir), "ms_bt");
	st = build_fixture(dir);
	base_params(&p);
	p.top = 4;
	p.bootstrap = 200;
	r = run(st, &p);
	snprintf(rep, sizeof(rep), "%s/out/report", dir);
	ck_assert_int_eq(ms_bt_write_report(r, rep, err, sizeof(err)), 0);

	text = slurp(rep, "summary.json");
	ck_assert_int_eq(ms_bt_cmp_parse_summary(text, strlen(text), &doc, err,
	    sizeof(err)), 0);
	free(text);
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(doc, "metrics");
	const cJSON *port = cJSON_GetObjectItemCaseSensitive(m, "portfolio");
	const cJSON *picks = cJSON_GetObjectItemCaseSensitive(m, "picks");
	ck_assert_double_eq(cJSON_GetObjectItemCaseSensitive(port,
	    "total_return")->valuedouble, r->portfolio.q.total_return);
	ck_assert_double_eq(cJSON_GetObjectItemCaseSensitive(picks,
	    "count")->valuedouble, 4);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(port,
	    "sortino")) || cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(port,
	    "sortino")));
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    doc, "parameters"), "sort")->valuestring, "market_cap");
	cJSON_Delete(doc);

	text = slurp(rep, "picks.csv");
	ck_assert_uint_eq(count_lines(text), 5);
	ck_assert_ptr_nonnull(strstr(text, "2018-02-05,2,beta,BET,"));
	ck_assert_ptr_nonnull(strstr(text, ",died,"));
	ck_assert_ptr_nonnull(strstr(text, ",unfilled,"));
	free(text);
	text = slurp(rep, "periods.csv");
	ck_assert_uint_eq(count_lines(text), r->nperiods + 1);
	free(text);
	text = slurp(rep, "rebalances.csv");
	ck_assert_ptr_nonnull(strstr(text, "2018-02-05,7,7,5,4,3,1,10000\n"));
	free(text);
	text = slurp(rep, "summary.md");
	ck_assert_ptr_nonnull(strstr(text, "# Moonshot backtest"));
	free(text);
	ms_bt_result_free(r);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

static cJSON *
summary_of(struct ms_store *st, const struct ms_bt_params *p)
{
	struct ms_bt_result *r = run(st, p);
	cJSON *doc = ms_bt_summary_json(r);
	char *txt = cJSON_PrintUnformatted(doc), err[128];
	cJSON *back = NULL;

	/* Through text, as compare reads files. */
	ck_assert_int_eq(ms_bt_cmp_parse_summary(txt, strlen(txt), &back, err,
	    sizeof(err)), 0);
	cJSON_free(txt);
	cJSON_Delete(doc);
	ms_bt_result_free(r);
	return back;
}

static const struct ms_bt_cmp_row *
row_of(const struct ms_bt_cmp_result *res, const char *name)
{
	for (size_t i = 0; i < res->n; i++)
		if (strcmp(res->rows[i].name, name) == 0)
			return &res->rows[i];
	ck_abort_msg("no row %s", name);
	return NULL;
}

START_TEST(test_compare_gate)
{
	char dir[64], err[256];
	struct ms_store *st;
	struct ms_bt_params p;
	struct ms_bt_cmp_opts o;
	struct ms_bt_cmp_result res;
	cJSON *base, *same, *worse;
	char *md, *xml;

	tu_tmpdir(dir, sizeof(dir), "ms_bt");
	st = build_fixture(dir);
	base_params(&p);
	p.top = 4;
	p.to = D0 + 49;
	p.bootstrap = 100;
	base = summary_of(st, &p);
	same = summary_of(st, &p);
	p.spread_bps = 500;                             /* a degraded model */
	worse = summary_of(st, &p);

	/* Unchanged: passes, nothing moved. */
	ms_bt_cmp_opts_init(&o);
	ck_assert_int_eq(ms_bt_cmp_run(base, same, &o, &res), 0);
	ck_assert_uint_eq(res.degraded, 0);
	ck_assert_uint_eq(res.moved, 0);
	ck_assert_uint_ge(res.gated, 20);
	md = ms_bt_cmp_markdown(&res, "a.json", "b.json");
	ck_assert_ptr_nonnull(strstr(md, "PASS"));
	ck_assert_ptr_nonnull(strstr(md, "No metric moved."));
	free(md);
	xml = ms_bt_cmp_junit(&res);
	ck_assert_ptr_null(strstr(xml, "<failure"));
	free(xml);
	ms_bt_cmp_result_free(&res);

	/* Degraded: fails on the returns. */
	ck_assert_int_eq(ms_bt_cmp_run(base, worse, &o, &res), 0);
	ck_assert_uint_gt(res.degraded, 0);
	ck_assert_int_eq(row_of(&res, "portfolio.total_return")->status,
	    MS_BT_CMP_DEGRADED);
	ck_assert_int_eq(row_of(&res, "picks.mean_return")->status,
	    MS_BT_CMP_DEGRADED);
	ck_assert_int_eq(row_of(&res, "costs.spread_usd")->status,
	    MS_BT_CMP_MOVED);                           /* not gated */
	ck_assert_ptr_nonnull(strstr(res.param_diff, "spread_bps"));
	md = ms_bt_cmp_markdown(&res, "a.json", "b.json");
	ck_assert_ptr_nonnull(strstr(md, "FAIL"));
	ck_assert_ptr_nonnull(strstr(md, "| portfolio.total_return | higher |"));
	free(md);
	xml = ms_bt_cmp_junit(&res);
	ck_assert_ptr_nonnull(strstr(xml, "name=\"portfolio.total_return\">\n"
	    "      <failure type=\"degraded\""));
	free(xml);
	ms_bt_cmp_result_free(&res);

	/* The other way round it improved. */
	ck_assert_int_eq(ms_bt_cmp_run(worse, base, &o, &res), 0);
	ck_assert_int_eq(row_of(&res, "portfolio.total_return")->status,
	    MS_BT_CMP_IMPROVED);
	ms_bt_cmp_result_free(&res);

	/* Tolerances: a wide default passes it; a metric can be ignored. */
	{
		static const char tol[] =
		    "{ \"schema\": \"moonscope.backtest.tolerances\",\n"
		    "  \"schema_version\": 1,\n"
		    "  \"default\": { \"abs\": 1e6, \"rel\": 0 },\n"
		    "  \"metrics\": { \"picks.mean_return\": { \"abs\": 0.001 },\n"
		    "    \"portfolio.total_return\": { \"direction\": \"ignore\" } } }\n";
		ck_assert_int_eq(ms_bt_cmp_parse_tolerances(tol, strlen(tol), &o,
		    err, sizeof(err)), 0);
		ck_assert_int_eq(ms_bt_cmp_run(base, worse, &o, &res), 0);
		ck_assert_int_eq(row_of(&res, "portfolio.total_return")->status,
		    MS_BT_CMP_MOVED);
		ck_assert_int_eq(row_of(&res, "portfolio.sharpe")->status,
		    MS_BT_CMP_WITHIN);
		ck_assert_int_eq(row_of(&res, "picks.mean_return")->status,
		    MS_BT_CMP_DEGRADED);
		ck_assert_uint_eq(res.degraded, 1);
		ms_bt_cmp_result_free(&res);
		ms_bt_cmp_opts_free(&o);
	}

	/* A metric missing from the current file, or turned null, fails. */
	{
		cJSON *cur = cJSON_Duplicate(base, 1);
		cJSON *port = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(cur, "metrics"), "portfolio");
		cJSON_DeleteItemFromObjectCaseSensitive(port, "sharpe");
		cJSON_ReplaceItemInObjectCaseSensitive(port, "cagr",
		    cJSON_CreateNull());
		ms_bt_cmp_opts_init(&o);
		ck_assert_int_eq(ms_bt_cmp_run(base, cur, &o, &res), 0);
		ck_assert_int_eq(row_of(&res, "portfolio.sharpe")->status,
		    MS_BT_CMP_DEGRADED);
		ck_assert_int_eq(row_of(&res, "portfolio.cagr")->status,
		    MS_BT_CMP_DEGRADED);
		ck_assert_uint_eq(res.degraded, 2);
		ms_bt_cmp_result_free(&res);
		cJSON_Delete(cur);
	}
	cJSON_Delete(base);
	cJSON_Delete(same);
	cJSON_Delete(worse);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

/* ---- limits ----------------------------------------------------------- */

START_TEST(test_params_limits)
{
	struct ms_bt_params p;
	char why[160];

	ms_bt_params_default(&p);
	ck_assert_int_eq(ms_bt_params_check(&p, why, sizeof(why)), 0);
	ck_assert_int_eq(p.hold_days, 28);
	ck_assert_uint_eq(p.top, 10);
	ck_assert_double_eq(p.spread_bps, 50);
	ck_assert_double_eq(p.delist_haircut, 1);
	ck_assert_double_eq(p.screen.max_market_cap, 1e8);

	for (int k = 0; k < 18; k++) {
		ms_bt_params_default(&p);
		switch (k) {
		case 0: p.hold_days = -1; break;
		case 1: p.hold_days = MS_BT_MAX_HOLD + 1; break;
		case 2: p.top = 0; break;
		case 3: p.top = MS_BT_MAX_TOP + 1; break;
		case 4: p.capital = 0; break;
		case 5: p.capital = NAN; break;
		case 6: p.spread_bps = -1; break;
		case 7: p.impact = INFINITY; break;
		case 8: p.max_volume_share = 0; break;
		case 9: p.max_volume_share = 1.5; break;
		case 10: p.delist_haircut = 1.01; break;
		case 11: p.bootstrap = MS_BT_MAX_BOOTSTRAP + 1; break;
		case 12: p.from = D0 + 10; p.to = D0 + 9; break;
		case 13: p.from = 5; break;
		case 14: p.screen.min_market_cap = 2e8; break;
		case 15: p.benchmark[0] = '\0'; break;
		case 16: p.delist_days = 0; break;
		case 17: p.delist_days = MS_BT_MAX_DELIST_DAYS + 1; break;
		}
		why[0] = '\0';
		ck_assert_msg(ms_bt_params_check(&p, why, sizeof(why)) ==
		    MS_ERR_RANGE, "case %d accepted", k);
		ck_assert_msg(why[0] == '-', "case %d: no option named", k);
	}
}
END_TEST

START_TEST(test_run_limits)
{
	char dir[64];
	struct ms_store *st;
	struct ms_bt_params p;
	struct ms_bt_result *r = NULL;
	struct ms_bt_pick_stats s;

	tu_tmpdir(dir, sizeof(dir), "ms_bt");
	st = tu_open_store(dir, "empty.db");
	ms_bt_params_default(&p);
	ck_assert_int_eq(ms_bt_run(st, &p, NULL, NULL, &r), MS_ERR_NODATA);
	ck_assert_ptr_null(r);
	ms_store_close(st);
	st = build_fixture(dir);
	/* A range after the store: no date. */
	p.from = D0 + 150;
	p.to = D0 + 160;
	ck_assert_int_eq(ms_bt_run(st, &p, NULL, NULL, &r), MS_ERR_NODATA);
	p.from = p.to = -1;
	p.capital = -5;
	ck_assert_int_eq(ms_bt_run(st, &p, NULL, NULL, &r), MS_ERR_RANGE);
	/* Default range: from day 30, the last date whose hold ends by 99. */
	ms_bt_params_default(&p);
	p.bootstrap = 10;
	ck_assert_int_eq(ms_bt_run(st, &p, NULL, NULL, &r), 0);
	ck_assert_int_eq(r->params.from, D0 + 30);
	ck_assert_int_eq(r->params.to, D0 + 65);      /* 30 + 5 weeks; +28 <= 99 */
	ck_assert_uint_eq(r->ndates, 6);
	ck_assert_uint_eq(r->ntranches, 4);
	ms_bt_result_free(r);
	ms_store_close(st);
	tu_rmtree(dir);

	ck_assert_int_eq(ms_bt_pick_stats(NULL, NULL, NULL, 0, 1, 100, &s), 0);
	ck_assert_uint_eq(s.count, 0);
	ck_assert(isnan(s.mean) && isnan(s.mean_ci.lo) && isnan(s.win_rate));
}
END_TEST

START_TEST(test_compare_limits)
{
	static const char *const bad_tol[] = {
		"",
		"[]",
		"{}",                                          /* no schema */
		"{\"schema\": \"other\"}",
		"{\"schema\": \"moonscope.backtest.tolerances\", \"extra\": 1}",
		"{\"schema\": \"moonscope.backtest.tolerances\", \"schema_version\": 2}",
		"{\"schema\": \"moonscope.backtest.tolerances\", \"default\": {\"abs\": -1}}",
		"{\"schema\": \"moonscope.backtest.tolerances\", \"default\": {\"x\": 1}}",
		"{\"schema\": \"moonscope.backtest.tolerances\", \"metrics\": "
		    "{\"a\": {\"direction\": \"up\"}}}",
		"{\"schema\": \"moonscope.backtest.tolerances\", \"metrics\": "
		    "{\"a\": {\"rel\": \"1\"}}}",
		"{\"schema\": \"moonscope.backtest.tolerances\", \"metrics\": {\"a\": 1}}",
		"{\"schema\": \"moonscope.backtest.tolerances\"} trailing",
	};
	static const char *const bad_summary[] = {
		"",
		"null",
		"{\"schema\": \"moonscope.backtest.moonshots\", \"schema_version\": 2,"
		    " \"metrics\": {}}",
		"{\"schema\": \"x\", \"schema_version\": 1, \"metrics\": {}}",
		"{\"schema\": \"moonscope.backtest.moonshots\", \"schema_version\": 1}",
	};
	struct ms_bt_cmp_opts o;
	char err[256];
	cJSON *doc;

	for (size_t i = 0; i < sizeof(bad_tol) / sizeof(bad_tol[0]); i++) {
		ms_bt_cmp_opts_init(&o);
		err[0] = '\0';
		ck_assert_msg(ms_bt_cmp_parse_tolerances(bad_tol[i],
		    strlen(bad_tol[i]), &o, err, sizeof(err)) != 0,
		    "tolerances %zu accepted", i);
		ck_assert_msg(err[0] != '\0', "tolerances %zu: no reason", i);
		ms_bt_cmp_opts_free(&o);
	}
	for (size_t i = 0; i < sizeof(bad_summary) / sizeof(bad_summary[0]); i++)
		ck_assert_msg(ms_bt_cmp_parse_summary(bad_summary[i],
		    strlen(bad_summary[i]), &doc, err, sizeof(err)) != 0,
		    "summary %zu accepted", i);
	ck_assert_int_eq(ms_bt_cmp_read_file("/nonexistent/x.json", 100, NULL,
	    NULL, err, sizeof(err)), MS_ERR_IO);
}
END_TEST

Suite *make_backtest_suite(void);

Suite *
make_backtest_suite(void)
{
	Suite *s = suite_create("backtest");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");

	tcase_set_timeout(core, 120);
	tcase_add_test(core, test_hand_computed);
	tcase_add_test(core, test_unfilled_and_reduced);
	tcase_add_test(core, test_liquidation);
	tcase_add_test(core, test_tranches);
	tcase_add_test(core, test_censored_and_gross);
	tcase_add_test(core, test_same_as_route);
	tcase_add_test(core, test_lookahead);
	tcase_add_test(core, test_preload_same);
	tcase_add_test(core, test_pick_stats);
	tcase_add_test(core, test_t_statistics);
	tcase_add_test(core, test_report_files);
	tcase_add_test(core, test_report_io);
	tcase_add_test(core, test_compare_gate);
	tcase_add_test(limits, test_params_limits);
	tcase_add_test(limits, test_run_limits);
	tcase_add_test(limits, test_compare_limits);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}
