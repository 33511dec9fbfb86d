/*
 * check_bt_picks.c — `backtest picks` (backtest/ms_bt_picks.c) and the
 * snapshot-universe rules of the replay (rebalance "snapshots", status
 * "left", --left-rule) on small hand-made stores, with the answers worked
 * out by hand below; the round trip (a replay's picks judged again give
 * the replay's returns, bit for bit); and the input checks, table-driven.
 *
 * Store A (days from 2018-01-01 = index 0, days 0..99, one source "fix"):
 *   bitcoin / BTC        close 10000 + 100 i, volume 1e9, cap 1.7e11
 *   alpha / ALP "Alpha"  close 1 (i <= 40), 2 (i > 40); high 2.5 on day
 *                        45; volume 1e6; cap 5e7
 *   beta / BET "Beta"    days 0..45 only (then dies): close 1, volume
 *                        20000, cap 4e7
 *   gamma / GAM          close 1 (i <= 40), 0.5 (i > 40); volume 1e5;
 *                        cap 3e7
 *
 * Store B, a snapshot universe: source "snap" has rows on days 10 (S0),
 * 40 (S1) and 70 (S2) only; source "d" (daily) has one bar. Volumes 1e6.
 *   bitcoin  S0 100 (cap 1e9), S1 110 (1.1e9), S2 121 (1.21e9)
 *   a        S0 close 1 cap 5e7; S1 close 1.5 cap 7.5e7; S2 close 1.2
 *   b        S0 close 2 cap 9e7 (supply 4.5e7); absent afterwards: left
 *   c        S0 close 1 cap 3e7; absent from S1, but a "d" bar on day 45
 *            (close 0.8): still trading, sold that day
 *   e        S1 only: close 3 cap 6e7 — the smallest cap of S1 (cutoff)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cJSON.h>

#include "ms_bt.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_store.h"
#include "testutil.h"

#define D0 ms_date_from_ymd(2018, 1, 1)

static void
close_at(double got, double want, int line)
{
	double tol = 1e-12 * (fabs(want) > 1 ? fabs(want) : 1);

	ck_assert_msg(fabs(got - want) <= tol, "line %d: got %.17g, want %.17g",
	    line, got, want);
}
#define CLOSE(a, b) close_at((a), (b), __LINE__)

/* Bit-identical doubles (NaN equal to NaN). */
static int
same(double a, double b)
{
	return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof(a)) == 0;
}

static void
bar(sqlite3 *db, int64_t asset, int64_t src, int32_t day, double high,
    double close, double volume, double cap)
{
	tu_insert_bar(db, asset, src, day, close, high, close, close, volume,
	    cap);
}

static void
finish(struct ms_store *st, int64_t nassets)
{
	for (int64_t id = 1; id <= nassets; id++)
		ck_assert_int_eq(ms_store_rebuild_daily(st, id), 0);
	ck_assert_int_eq(ms_store_bump_version(st), 0);
	ck_assert_int_eq(ms_store_commit(st), 0);
}

static struct ms_store *
store_a(const char *dir)
{
	struct ms_store *st = tu_open_store(dir, "a.db");
	sqlite3 *db = ms_store_db(st);
	int32_t d0 = D0;
	int64_t src;

	ck_assert_int_eq(ms_store_begin(st), 0);
	ck_assert_int_eq(ms_store_source(st, "fix", 10, "close at 23:59 UTC",
	    0, "picks fixture", &src), 0);
	tu_insert_asset(db, 1, "bitcoin", "BTC", "Bitcoin", "");
	tu_insert_asset(db, 2, "alpha", "ALP", "Alpha", "");
	tu_insert_asset(db, 3, "beta", "BET", "Beta", "");
	tu_insert_asset(db, 4, "gamma", "GAM", "Gamma", "");
	for (int i = 0; i < 100; i++) {
		double btc = 10000 + 100.0 * i, a = i <= 40 ? 1 : 2;
		double g = i <= 40 ? 1 : 0.5;
		bar(db, 1, src, d0 + i, btc, btc, 1e9, 1.7e11);
		bar(db, 2, src, d0 + i, i == 45 ? 2.5 : a, a, 1e6, 5e7);
		if (i <= 45)
			bar(db, 3, src, d0 + i, 1, 1, 20000, 4e7);
		bar(db, 4, src, d0 + i, g, g, 1e5, 3e7);
	}
	finish(st, 4);
	return st;
}

#define S0 (D0 + 10)
#define S1 (D0 + 40)
#define S2 (D0 + 70)

static struct ms_store *
store_b(const char *dir)
{
	struct ms_store *st = tu_open_store(dir, "b.db");
	sqlite3 *db = ms_store_db(st);
	int64_t snap, d;

	ck_assert_int_eq(ms_store_begin(st), 0);
	ck_assert_int_eq(ms_store_source(st, "snap", 40, "snapshot close", 0,
	    "snapshot fixture", &snap), 0);
	ck_assert_int_eq(ms_store_source(st, "d", 50, "daily close", 0,
	    "daily fixture", &d), 0);
	tu_insert_asset(db, 1, "bitcoin", "BTC", "Bitcoin", "");
	tu_insert_asset(db, 2, "a", "AAA", "a", "");
	tu_insert_asset(db, 3, "b", "BBB", "b", "");
	tu_insert_asset(db, 4, "c", "CCC", "c", "");
	tu_insert_asset(db, 5, "e", "EEE", "e", "");
	bar(db, 1, snap, S0, 100, 100, 1e8, 1e9);
	bar(db, 1, snap, S1, 110, 110, 1e8, 1.1e9);
	bar(db, 1, snap, S2, 121, 121, 1e8, 1.21e9);
	bar(db, 2, snap, S0, NAN, 1, 1e6, 5e7);
	bar(db, 2, snap, S1, NAN, 1.5, 1e6, 7.5e7);
	bar(db, 2, snap, S2, NAN, 1.2, 1e6, 6e7);
	bar(db, 3, snap, S0, NAN, 2, 1e6, 9e7);
	bar(db, 4, snap, S0, NAN, 1, 1e6, 3e7);
	bar(db, 4, d, D0 + 45, NAN, 0.8, 1e6, NAN);
	bar(db, 5, snap, S1, NAN, 3, 1e6, 6e7);
	finish(st, 5);
	return st;
}

static const struct ms_bt_pick *
find_pick(const struct ms_bt_pick *v, size_t n, const char *slug)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].slug, slug) == 0)
			return &v[i];
	ck_abort_msg("no pick %s", slug);
	return NULL;
}

static void
opts_default(struct ms_bt_picks_opts *o)
{
	o->notional = NAN;
	o->exit = -1;
}

/* Reads fixture name and judges it on st; asserts success. */
static struct ms_bt_picks_result *
judge_file(struct ms_store *st, const char *path,
    const struct ms_bt_params *p, const struct ms_bt_picks_opts *o)
{
	struct ms_bt_picks_file in;
	struct ms_bt_picks_errors errs;
	struct ms_bt_picks_result *r = NULL;
	int rc;

	rc = ms_bt_picks_read(path, &in, &errs);
	ck_assert_msg(rc == 0, "%s: read %d: %s", path, rc,
	    errs.n ? errs.e[0].reason : "");
	rc = ms_bt_picks_judge(st, p, o, path, &in, &r, &errs);
	ck_assert_msg(rc == 0, "%s: judge %d: %s", path, rc,
	    errs.n ? errs.e[0].reason : "");
	ms_bt_picks_file_free(&in);
	return r;
}

/* ---- hand-computed picks on store A ------------------------------------ */

START_TEST(test_hand_computed)
{
	char dir[64], path[256];
	struct ms_store *st;
	struct ms_bt_params p;
	struct ms_bt_picks_opts o;
	struct ms_bt_picks_result *r;
	const struct ms_bt_pick *a, *b;

	tu_tmpdir(dir, sizeof(dir), "ms_btp");
	st = store_a(dir);
	ms_bt_params_default(&p);
	p.bootstrap = 0;
	opts_default(&o);
	r = judge_file(st, tu_fixture("bt_picks/picks.json", path,
	    sizeof(path)), &p, &o);
	ck_assert_int_eq(r->format, MS_BT_PICKS_JSON);
	ck_assert_uint_eq(r->n, 2);
	ck_assert_uint_eq(r->cohorts, 2);   /* exits 49 and 63 */

	/*
	 * alpha: bought day 35 at close 1 with 5000 USD, until day 49.
	 * Entry cost 0.005 + 0.5 * 5000 / 1e6 = 0.0075, units q = 5000 /
	 * 1.0075 = 4962.779156; sold on day 49 at close 2: 9925.558313 USD
	 * (under 10 % of 1e6), cost 0.005 + 0.5 * 9925.558313 / 1e6 =
	 * 0.009962779; proceeds 9925.558313 * 0.990037221 = 9826.672167;
	 * net 9826.672167 / 5000 - 1 = +0.965334433. Gross 2 / 1 - 1 = 1;
	 * best high 2.5 on day 45: max gain 1.5.
	 */
	a = &r->picks[0].pick;
	ck_assert_str_eq(a->slug, "alpha");
	ck_assert_int_eq(r->picks[0].until, D0 + 49);
	ck_assert_int_eq(a->status, MS_BT_HELD);
	ck_assert_int_eq(a->exit_day, D0 + 49);
	CLOSE(a->entry_price, 1);
	CLOSE(a->entry_cost, 0.0075);
	CLOSE(a->notional_usd, 5000);
	CLOSE(a->ret_gross, 1);
	CLOSE(a->max_gain, 1.5);
	{
		double q = 5000 / 1.0075, usd = 2 * q;
		double f = 0.005 + 0.5 * usd / 1e6;
		CLOSE(a->ret_net, usd * (1 - f) / 5000 - 1);
		CLOSE(a->ret_net, 0.96533443343657);
	}

	/*
	 * beta (by symbol BET): bought day 35 with 1000 USD (cap 10 % of
	 * 20000 = 2000), held 28 days to day 63; its last bar is day 45 and
	 * none follows within 30 days: died, worth 1 * (1 - haircut 1) = 0
	 * from day 46: net and gross -1.
	 */
	b = &r->picks[1].pick;
	ck_assert_str_eq(b->slug, "beta");
	ck_assert_str_eq(r->picks[1].resolved_by, "symbol");
	ck_assert_int_eq(b->status, MS_BT_DIED);
	ck_assert_int_eq(b->exit_day, D0 + 46);
	ck_assert_int_eq(b->last_bar_day, D0 + 45);
	CLOSE(b->entry_cost, 0.005 + 0.5 * 1000 / 20000.0);
	CLOSE(b->ret_net, -1);
	CLOSE(b->ret_gross, -1);

	/* Statistics: two judged, one win; mean of the two net returns. */
	ck_assert_uint_eq(r->stats.count, 2);
	ck_assert_uint_eq(r->stats.wins, 1);
	ck_assert_uint_eq(r->stats.died, 1);
	CLOSE(r->stats.mean, (a->ret_net - 1) / 2);
	CLOSE(r->notional_usd, 6000);
	CLOSE(r->proceeds_usd, 5000 * (1 + a->ret_net));
	ms_bt_picks_result_free(r);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

/* ---- the formats -------------------------------------------------------- */

START_TEST(test_vendor_and_past)
{
	char dir[64], path[256];
	struct ms_store *st;
	struct ms_bt_params p;
	struct ms_bt_picks_opts o;
	struct ms_bt_picks_file in;
	struct ms_bt_picks_errors errs;
	struct ms_bt_picks_result *r;

	tu_tmpdir(dir, sizeof(dir), "ms_btp");
	st = store_a(dir);
	ms_bt_params_default(&p);
	p.bootstrap = 0;
	opts_default(&o);

	/* A vendor's list: BOM, other column names, '$', a time of day. */
	tu_fixture("bt_picks/vendor.csv", path, sizeof(path));
	ck_assert_int_eq(ms_bt_picks_read(path, &in, &errs), 0);
	ck_assert_int_eq(in.format, MS_BT_PICKS_CSV);
	ck_assert_uint_eq(in.n, 2);
	ck_assert_str_eq(in.v[0].name, "Alpha");
	ck_assert_str_eq(in.v[0].symbol, "ALP");
	CLOSE(in.v[0].entry_price, 1);
	ck_assert_int_eq(in.v[1].day, D0 + 35);
	ck_assert_uint_eq(in.v[1].line, 3);
	ms_bt_picks_file_free(&in);
	r = judge_file(st, path, &p, &o);
	ck_assert_str_eq(r->picks[0].resolved_by, "name");
	ck_assert_str_eq(r->picks[0].pick.slug, "alpha");
	ck_assert_str_eq(r->picks[1].pick.slug, "beta");
	/* Beta's file price 0.98 against the store's close 1: -2 %. */
	ck_assert_uint_eq(r->with_price, 2);
	ck_assert_uint_eq(r->price_off, 1);
	CLOSE(r->picks[1].price_diff, -0.02);
	CLOSE(r->price_diff_max, 0.02);
	/* $10,000 each (capital / top), held 28 days to day 63. */
	CLOSE(r->picks[0].pick.notional_usd, 10000);
	ck_assert_int_eq(r->picks[0].pick.exit_day, D0 + 63);
	ms_bt_picks_result_free(r);

	/* The /v1/moonshots/past response; items start on lines 4 and 6. */
	tu_fixture("bt_picks/past.json", path, sizeof(path));
	ck_assert_int_eq(ms_bt_picks_read(path, &in, &errs), 0);
	ck_assert_int_eq(in.format, MS_BT_PICKS_PAST);
	ck_assert_uint_eq(in.n, 2);
	ck_assert_uint_eq(in.v[0].line, 4);
	ck_assert_uint_eq(in.v[1].line, 6);
	ck_assert_str_eq(in.v[1].id, "beta");
	ck_assert(isnan(in.v[1].entry_price));
	ms_bt_picks_file_free(&in);

	/* --exit: every pick sold on one day. */
	o.exit = D0 + 49;
	r = judge_file(st, path, &p, &o);
	ck_assert_int_eq(r->picks[0].until, D0 + 49);
	ck_assert_uint_eq(r->cohorts, 1);
	ms_bt_picks_result_free(r);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

/* ---- rejected whole ---------------------------------------------------- */

START_TEST(test_rejected)
{
	char dir[64], path[256];
	struct ms_store *st;
	struct ms_bt_params p;
	struct ms_bt_picks_opts o;
	struct ms_bt_picks_file in;
	struct ms_bt_picks_errors errs;
	struct ms_bt_picks_result *r = NULL;
	static const unsigned long want_read[] = { 3, 5, 6, 7, 8 };

	tu_tmpdir(dir, sizeof(dir), "ms_btp");
	st = store_a(dir);
	ms_bt_params_default(&p);
	opts_default(&o);

	/* Malformed lines: every one reported, nothing returned. */
	memset(&in, 0xab, sizeof(in));
	tu_fixture("bt_picks/bad.csv", path, sizeof(path));
	ck_assert_int_eq(ms_bt_picks_read(path, &in, &errs), MS_ERR_INVALID);
	ck_assert_uint_eq(errs.total, 5);
	for (size_t i = 0; i < 5; i++)
		ck_assert_uint_eq(errs.e[i].line, want_read[i]);
	ck_assert_ptr_nonnull(strstr(errs.e[0].reason, "2018-02-30"));
	ck_assert_ptr_nonnull(strstr(errs.e[2].reason, "number of fields"));

	/* Unknown asset, dates outside the store: the file is not judged. */
	tu_fixture("bt_picks/bad_data.csv", path, sizeof(path));
	ck_assert_int_eq(ms_bt_picks_read(path, &in, &errs), 0);
	ck_assert_int_eq(ms_bt_picks_judge(st, &p, &o, path, &in, &r, &errs),
	    MS_ERR_INVALID);
	ck_assert_ptr_null(r);
	ck_assert_uint_eq(errs.total, 3);
	ck_assert_uint_eq(errs.e[0].line, 3);
	ck_assert_ptr_nonnull(strstr(errs.e[0].reason, "unknown asset"));
	ck_assert_uint_eq(errs.e[1].line, 4);
	ck_assert_ptr_nonnull(strstr(errs.e[1].reason, "outside the store"));
	ck_assert_uint_eq(errs.e[2].line, 5);
	ms_bt_picks_file_free(&in);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

/* ---- the round trip: a replay's picks judged again --------------------- */

static void
assert_same_pick(const struct ms_bt_pick *x, const struct ms_bt_pick *y)
{
	ck_assert_int_eq(x->day, y->day);
	ck_assert_int_eq(x->asset_id, y->asset_id);
	ck_assert_int_eq(x->status, y->status);
	ck_assert_int_eq(x->exit_day, y->exit_day);
	ck_assert_int_eq(x->last_bar_day, y->last_bar_day);
	ck_assert_msg(same(x->ret_gross, y->ret_gross) &&
	    same(x->ret_net, y->ret_net) && same(x->max_gain, y->max_gain) &&
	    same(x->entry_price, y->entry_price) &&
	    same(x->entry_cost, y->entry_cost) &&
	    same(x->notional_usd, y->notional_usd) &&
	    same(x->exit_price, y->exit_price) &&
	    same(x->exit_cost, y->exit_cost) &&
	    same(x->unsold_share, y->unsold_share) &&
	    same(x->exit_cap_limit, y->exit_cap_limit),
	    "%s on %d: replay net %.17g gross %.17g, picks net %.17g gross %.17g",
	    x->slug, (int)x->day, x->ret_net, x->ret_gross, y->ret_net,
	    y->ret_gross);
}

/* Judges r's picks (day, asset, target) in memory and through picks.csv. */
static void
round_trip(struct ms_store *st, const struct ms_bt_result *r,
    const struct ms_bt_params *p, const char *dir)
{
	struct ms_bt_picks_file in;
	struct ms_bt_picks_errors errs;
	struct ms_bt_picks_result *j = NULL;
	struct ms_bt_picks_opts o;
	char rep[256], path[300], err[256];

	opts_default(&o);
	in.format = MS_BT_PICKS_CSV;
	in.n = r->npicks;
	in.v = calloc(r->npicks, sizeof(*in.v));
	ck_assert_ptr_nonnull(in.v);
	for (size_t i = 0; i < r->npicks; i++) {
		in.v[i].line = i + 2;
		in.v[i].day = r->picks[i].day;
		in.v[i].until = -1;
		snprintf(in.v[i].id, sizeof(in.v[i].id), "%s", r->picks[i].slug);
		in.v[i].entry_price = NAN;
		in.v[i].target_usd = r->picks[i].target_usd;
	}
	ck_assert_int_eq(ms_bt_picks_judge(st, p, &o, "mem", &in, &j, &errs), 0);
	for (size_t i = 0; i < r->npicks; i++)
		assert_same_pick(&r->picks[i], &j->picks[i].pick);
	ms_bt_picks_result_free(j);
	ms_bt_picks_file_free(&in);

	/* The report's picks.csv, read back as a picks file. */
	snprintf(rep, sizeof(rep), "%s/report", dir);
	ck_assert_int_eq(ms_bt_write_report(r, rep, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/picks.csv", rep);
	j = judge_file(st, path, p, &o);
	ck_assert_uint_eq(j->n, r->npicks);
	for (size_t i = 0; i < r->npicks; i++) {
		assert_same_pick(&r->picks[i], &j->picks[i].pick);
		ck_assert(same(j->picks[i].price_diff, 0) ||
		    isnan(r->picks[i].entry_price));
	}
	ms_bt_picks_result_free(j);
}

START_TEST(test_round_trip)
{
	char dir[64];
	struct ms_store *st;
	struct ms_bt_params p;
	struct ms_bt_result *r = NULL;
	size_t died = 0;

	tu_tmpdir(dir, sizeof(dir), "ms_btp");
	st = store_a(dir);
	ms_bt_params_default(&p);
	p.from = D0 + 31;
	p.to = D0 + 59;
	p.hold_days = 14;
	p.top = 3;
	p.capital = 3e5;      /* large against gamma's volume: capped buys */
	p.screen.sort = MS_SORT_MARKET_CAP;
	p.bootstrap = 0;
	ck_assert_int_eq(ms_bt_run(st, &p, NULL, NULL, &r), 0);
	ck_assert_uint_ge(r->npicks, 10);
	for (size_t i = 0; i < r->npicks; i++)
		died += r->picks[i].status == MS_BT_DIED;
	ck_assert_uint_gt(died, 0);
	ck_assert_uint_gt(r->reduced, 0);
	round_trip(st, r, &p, dir);
	ms_bt_result_free(r);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

/* ---- snapshot universes ------------------------------------------------ */

START_TEST(test_snapshots)
{
	char dir[64];
	struct ms_store *st;
	struct ms_bt_params p;
	struct ms_bt_result *r = NULL;
	const struct ms_bt_pick *a, *b, *c;
	int32_t *days = NULL;
	double *mincap = NULL;
	size_t ns = 0;
	/* Entry: 10,000 USD each at cost 0.005 + 0.5 * 1e4 / 1e6 = 0.01. */
	double qa = 10000 / 1.01, qb = 10000 / (2 * 1.01), qc = 10000 / 1.01;

	tu_tmpdir(dir, sizeof(dir), "ms_btp");
	st = store_b(dir);
	ck_assert_int_eq(ms_bt_snapshots(st, "snap", &days, &mincap, &ns), 0);
	ck_assert_uint_eq(ns, 3);
	ck_assert_int_eq(days[1], S1);
	CLOSE(mincap[1], 6e7);
	free(days);
	free(mincap);
	ck_assert_int_eq(ms_bt_snapshots(st, "nosuch", &days, &mincap, &ns),
	    MS_ERR_NOTFOUND);

	ms_bt_params_default(&p);
	p.rebalance = MS_BT_SNAPSHOTS;
	p.hold_days = MS_BT_HOLD_NEXT;
	snprintf(p.snapshot_source, sizeof(p.snapshot_source), "snap");
	p.from = p.to = S0;
	p.top = 3;
	p.capital = 30000;
	p.screen.sort = MS_SORT_MARKET_CAP;
	p.bootstrap = 0;
	ck_assert_int_eq(ms_bt_run(st, &p, NULL, NULL, &r), 0);
	ck_assert_uint_eq(r->ndates, 1);
	ck_assert_int_eq(r->dates[0].exit_day, S1);
	CLOSE(r->dates[0].exit_cap_limit, 6e7);
	ck_assert_uint_eq(r->npicks, 3);    /* b 9e7, a 5e7, c 3e7 */
	ck_assert_str_eq(r->picks[0].slug, "b");

	/*
	 * b left: absent from S1, no other bar. Supply 9e7 / 2 = 4.5e7; S1's
	 * smallest cap 6e7 bounds its price by 6e7 / 4.5e7 = 1.3333 < 2.
	 * Valued on S1 at 4/3, less the 50 bps spread: net 4/3 * 0.995 /
	 * (2 * 1.01) - 1 = -0.3432343; gross 4/3 / 2 - 1 = -1/3.
	 */
	b = find_pick(r->picks, r->npicks, "b");
	ck_assert_int_eq(b->status, MS_BT_LEFT);
	ck_assert_int_eq(b->exit_day, S1);
	CLOSE(b->exit_price, 4.0 / 3);
	CLOSE(b->exit_cap_limit, 6e7);
	CLOSE(b->ret_gross, -1.0 / 3);
	CLOSE(b->ret_net, qb * (4.0 / 3) * 0.995 / 10000 - 1);
	CLOSE(b->ret_net, -0.34323432343234);

	/* a held: sold on S1 at 1.5, 14851.49 USD at 0.005 + 0.5 * x / 1e6. */
	a = find_pick(r->picks, r->npicks, "a");
	ck_assert_int_eq(a->status, MS_BT_HELD);
	{
		double usd = 1.5 * qa, f = 0.005 + 0.5 * usd / 1e6;
		CLOSE(a->ret_net, usd * (1 - f) / 10000 - 1);
	}

	/* c: absent from S1 but priced on day 45 (source d): sold there. */
	c = find_pick(r->picks, r->npicks, "c");
	ck_assert_int_eq(c->status, MS_BT_HELD);
	ck_assert_int_eq(c->exit_day, D0 + 45);
	CLOSE(c->exit_price, 0.8);
	{
		double usd = 0.8 * qc, f = 0.005 + 0.5 * usd / 1e6;
		CLOSE(c->ret_net, usd * (1 - f) / 10000 - 1);
	}
	ck_assert_uint_eq(r->left, 1);
	ck_assert_uint_eq(r->pick_stats.died, 0);
	CLOSE(r->left_value_usd, qb * (4.0 / 3) * 0.995);

	/* The lower bound: the same run with b worth nothing. */
	ck_assert_int_eq(ms_bt_left_lower_bound(st, r), 0);
	ck_assert(r->left_zero.known);
	ck_assert(r->left_zero.final_equity_usd < r->final_equity_usd);
	CLOSE(r->final_equity_usd - r->left_zero.final_equity_usd,
	    qb * (4.0 / 3) * 0.995);

	/* Round trip in snapshot mode: picks --hold next. */
	round_trip(st, r, &p, dir);
	ms_bt_result_free(r);

	/* --left-rule last and zero. */
	p.left_rule = MS_BT_LEFT_LAST;
	ck_assert_int_eq(ms_bt_run(st, &p, NULL, NULL, &r), 0);
	b = find_pick(r->picks, r->npicks, "b");
	CLOSE(b->ret_net, qb * 2 * 0.995 / 10000 - 1);
	ms_bt_result_free(r);
	p.left_rule = MS_BT_LEFT_ZERO;
	ck_assert_int_eq(ms_bt_run(st, &p, NULL, NULL, &r), 0);
	b = find_pick(r->picks, r->npicks, "b");
	CLOSE(b->ret_net, -1);
	ms_bt_result_free(r);

	/*
	 * Default range: the snapshots from the store's first day + 30 (day
	 * 40) that have a next one: S1 only (S2 is only an exit).
	 */
	p.from = p.to = -1;
	ck_assert_int_eq(ms_bt_run(st, &p, NULL, NULL, &r), 0);
	ck_assert_uint_eq(r->ndates, 1);
	ck_assert_int_eq(r->params.from, S1);
	ck_assert_int_eq(r->params.to, S1);
	ck_assert_int_eq(r->dates[0].exit_day, S2);
	ms_bt_result_free(r);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

/* ---- limits ------------------------------------------------------------ */

START_TEST(test_csv_values)
{
	static const struct {
		const char *row;
		int ok;
	} cases[] = {
		{ "2018-02-05,alpha,1", 1 },
		{ "2018-02-05T00:00:00Z,alpha,1", 1 },
		{ "2018-02-05 13:00,alpha,$1.5", 1 },
		{ "2018-02-05,alpha,1e-3", 1 },
		{ "2018-02-05,alpha,", 1 },
		{ "2018-02-05,\"alpha\",1", 1 },
		{ "2018-02-30,alpha,1", 0 },
		{ "2018-2-5,alpha,1", 0 },
		{ ",alpha,1", 0 },
		{ "2018-02-05x,alpha,1", 0 },
		{ " 2018-02-05,alpha,1", 0 },
		{ "2008-12-31,alpha,1", 0 },
		{ "2018-02-05,alpha,0", 0 },
		{ "2018-02-05,alpha,-1", 0 },
		{ "2018-02-05,alpha,1e999", 0 },
		{ "2018-02-05,alpha,nan", 0 },
		{ "2018-02-05,alpha,inf", 0 },
		{ "2018-02-05,alpha, 1", 0 },
		{ "2018-02-05,alpha,1x", 0 },
		{ "2018-02-05,alpha,$", 0 },
		{ "2018-02-05,,1", 0 },
		{ "2018-02-05,alpha,1,2", 0 },
		{ "2018-02-05,\"al\npha\",1", 0 },
	};
	char dir[64], path[256], text[512];
	struct ms_bt_picks_file in;
	struct ms_bt_picks_errors errs;

	tu_tmpdir(dir, sizeof(dir), "ms_btp");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = snprintf(text, sizeof(text), "date,asset,entry_price\n%s\n",
		    cases[i].row);
		int rc;
		tu_write_file(dir, "t.csv", text, (size_t)n, i % 2, path,
		    sizeof(path));
		rc = ms_bt_picks_read(path, &in, &errs);
		ck_assert_msg((rc == 0) == cases[i].ok, "case %zu (%s): rc %d %s",
		    i, cases[i].row, rc, errs.n ? errs.e[0].reason : "");
		if (rc == 0) {
			ck_assert_uint_eq(in.n, 1);
			ck_assert_int_eq(in.v[0].day, D0 + 35);
			ms_bt_picks_file_free(&in);
		} else {
			ck_assert_uint_ge(errs.n, 1);
			ck_assert_uint_eq(errs.e[0].line, 2);
		}
	}
	tu_rmtree(dir);
}
END_TEST

START_TEST(test_headers_and_json)
{
	static const struct {
		const char *text;
		int ok;
		unsigned long line;      /* of the first problem */
	} cases[] = {
		{ "day,id\n2018-02-05,alpha\n", 1, 0 },
		{ "Pick Date,Ticker\n2018-02-05,ALP\n", 1, 0 },
		{ "date,asset,until\n2018-02-05,alpha,2018-02-05\n", 0, 2 },
		{ "date,coin,price\n2018-02-05,Alpha,\n", 1, 0 },
		{ "asset\nalpha\n", 0, 1 },
		{ "date\n2018-02-05\n", 0, 1 },
		{ "date,asset,id\n2018-02-05,alpha,alpha\n", 0, 1 },
		{ "date,asset\n", 0, 2 },
		{ "", 0, 1 },
		{ "[]", 0, 1 },
		{ "[\n{\"date\": \"2018-02-05\", \"asset\": \"alpha\"},\n"
		  "{\"date\": \"2018-02-05\", \"asset\": 7}\n]", 0, 3 },
		{ "[\n{\"date\": \"2018-02-05\", \"asset\": \"alpha\"},\n 7]", 0, 3 },
		{ "[{\"date\": \"2018-02-05\", \"asset\": \"alpha\"}] x", 0, 1 },
		{ "[{\"date\": \"2018-02-05\",\n\"asset\": \"alpha\",,}]", 0, 2 },
		{ "{\"picks\": [{\"day\": \"2018-02-05\", \"id\": \"alpha\", "
		  "\"entry_price\": 1.5, \"target_usd\": 10}]}", 1, 0 },
		{ "{\"rows\": []}", 0, 1 },
		{ "{\"data\": {\"picks\": [{\"day\": \"2018-02-05\", "
		  "\"id\": \"alpha\", \"day\": \"2018-02-06\"}]}}", 0, 1 },
		{ "[{\"date\": \"2018-02-05\", \"asset\": \"alpha\", "
		  "\"entry_price\": -2}]", 0, 1 },
	};
	char dir[64], path[256];
	struct ms_bt_picks_file in;
	struct ms_bt_picks_errors errs;

	tu_tmpdir(dir, sizeof(dir), "ms_btp");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;
		tu_write_file(dir, "t.in", cases[i].text, strlen(cases[i].text), 0,
		    path, sizeof(path));
		rc = ms_bt_picks_read(path, &in, &errs);
		ck_assert_msg((rc == 0) == cases[i].ok, "case %zu: rc %d %s", i,
		    rc, errs.n ? errs.e[0].reason : "");
		if (rc == 0) {
			ck_assert_uint_eq(in.n, 1);
			ms_bt_picks_file_free(&in);
		} else {
			ck_assert_msg(errs.n >= 1 && errs.e[0].line == cases[i].line,
			    "case %zu: line %lu (%s), want %lu", i,
			    errs.n ? errs.e[0].line : 0,
			    errs.n ? errs.e[0].reason : "", cases[i].line);
		}
	}
	/* A missing file: a problem of the file as a whole. */
	ck_assert_int_eq(ms_bt_picks_read("/nonexistent/x.csv", &in, &errs),
	    MS_ERR_IO);
	ck_assert_uint_eq(errs.e[0].line, 0);
	tu_rmtree(dir);
}
END_TEST

START_TEST(test_limits)
{
	char dir[64], path[256];
	struct ms_store *st;
	struct ms_bt_params p;
	struct ms_bt_picks_opts o;
	struct ms_bt_picks_file in;
	struct ms_bt_picks_errors errs;
	struct ms_bt_picks_result *r = NULL;
	struct ms_bt_cohort co;
	struct ms_bt_pick out[1];
	int64_t id = 2;
	double t = 100;
	const char *why;
	char *text, key[200];
	size_t n;

	tu_tmpdir(dir, sizeof(dir), "ms_btp");
	st = store_a(dir);

	/* A key over 128 bytes. */
	memset(key, 'a', 129);
	key[129] = '\0';
	{
		char buf[300];
		int k = snprintf(buf, sizeof(buf), "date,asset\n2018-02-05,%s\n",
		    key);
		tu_write_file(dir, "k.csv", buf, (size_t)k, 0, path, sizeof(path));
		ck_assert_int_eq(ms_bt_picks_read(path, &in, &errs),
		    MS_ERR_INVALID);
	}

	/* More than MS_BT_PICKS_MAX picks. */
	n = 11 + (size_t)(MS_BT_PICKS_MAX + 1) * 17;
	text = malloc(n + 1);
	ck_assert_ptr_nonnull(text);
	memcpy(text, "date,asset\n", 11);
	for (size_t i = 0; i <= MS_BT_PICKS_MAX; i++)
		memcpy(text + 11 + i * 17, "2018-02-05,alpha\n", 17);
	tu_write_file(dir, "big.csv", text, n, 1, path, sizeof(path));
	free(text);
	ck_assert_int_eq(ms_bt_picks_read(path, &in, &errs), MS_ERR_TOOBIG);

	/* Parameters: notional, hold next without a snapshot source. */
	ms_bt_params_default(&p);
	opts_default(&o);
	tu_fixture("bt_picks/picks.json", path, sizeof(path));
	ck_assert_int_eq(ms_bt_picks_read(path, &in, &errs), 0);
	o.notional = -1;
	ck_assert_int_eq(ms_bt_picks_judge(st, &p, &o, path, &in, &r, &errs),
	    MS_ERR_RANGE);
	opts_default(&o);
	p.hold_days = MS_BT_HOLD_NEXT;
	ck_assert_int_eq(ms_bt_picks_judge(st, &p, &o, path, &in, &r, &errs),
	    MS_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(errs.e[0].reason, "snapshot"));
	ck_assert_ptr_null(r);
	ms_bt_picks_file_free(&in);

	/* ms_bt_value's ranges. */
	ms_bt_params_default(&p);
	co.day = D0 + 35;
	co.snapshot = 0;
	co.after = -1;
	co.cutoff = NAN;
	co.hold = 0;
	ck_assert_int_eq(ms_bt_value(st, &p, D0 + 99, &co, &id, &t, 1, out,
	    NULL, NULL), MS_ERR_RANGE);
	co.hold = MS_BT_MAX_HOLD + 1;
	ck_assert_int_eq(ms_bt_value(st, &p, D0 + 99, &co, &id, &t, 1, out,
	    NULL, NULL), MS_ERR_RANGE);
	co.hold = 5;
	co.day = D0 + 100;
	ck_assert_int_eq(ms_bt_value(st, &p, D0 + 99, &co, &id, &t, 1, out,
	    NULL, NULL), MS_ERR_RANGE);
	/* Past the store's end: censored, sold as far as the data goes. */
	co.day = D0 + 97;
	ck_assert_int_eq(ms_bt_value(st, &p, D0 + 99, &co, &id, &t, 1, out,
	    NULL, NULL), 0);
	ck_assert_int_eq(out[0].status, MS_BT_CENSORED);

	/* Parameters and options of snapshot universes. */
	ms_bt_params_default(&p);
	p.rebalance = MS_BT_SNAPSHOTS;
	ck_assert_int_eq(ms_bt_params_check(&p, NULL, 0), MS_ERR_RANGE);
	p.hold_days = MS_BT_HOLD_NEXT;
	ck_assert_int_eq(ms_bt_params_check(&p, NULL, 0), 0);
	p.left_rule = MS_BT_LEFT__COUNT;
	ck_assert_int_eq(ms_bt_params_check(&p, NULL, 0), MS_ERR_RANGE);
	ms_bt_params_default(&p);
	ck_assert_int_eq(ms_bt_snapshot_option("--rebalance", "weekly", &p,
	    &why), 0);
	ck_assert_int_eq(ms_bt_snapshot_option("--rebalance", "snapshots", &p,
	    &why), 1);
	ck_assert_int_eq(p.rebalance, MS_BT_SNAPSHOTS);
	ck_assert_int_eq(ms_bt_snapshot_option("--left-rule", "upper", &p,
	    &why), -1);
	ck_assert_int_eq(ms_bt_snapshot_option("--left-rule", "zero", &p,
	    &why), 1);
	ck_assert_int_eq(p.left_rule, MS_BT_LEFT_ZERO);
	ck_assert_int_eq(ms_bt_snapshot_option("--snapshot-source", "", &p,
	    &why), -1);
	ck_assert_int_eq(ms_bt_snapshot_option("--top", "3", &p, &why), 0);
	ck_assert_int_eq(ms_bt_rebalance_parse("snapshots"), MS_BT_SNAPSHOTS);
	ck_assert_int_eq(ms_bt_rebalance_parse("yearly"),
	    MS_BT_REBALANCE__COUNT);
	ck_assert_str_eq(ms_bt_status_name(MS_BT_LEFT), "left");
	ck_assert_str_eq(ms_bt_left_rule_name(MS_BT_LEFT_BOUND), "bound");
	ck_assert_str_eq(ms_bt_picks_format_name(MS_BT_PICKS_PAST),
	    "moonshots_past");
	ms_bt_picks_result_free(NULL);
	ms_bt_picks_file_free(NULL);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

/* The report files of a picks run. */
START_TEST(test_report)
{
	char dir[64], path[400], rep[256], err[256];
	struct ms_store *st;
	struct ms_bt_params p;
	struct ms_bt_picks_opts o;
	struct ms_bt_picks_result *r;
	struct cJSON *doc;
	char *md;
	FILE *f;
	char line[1024];

	tu_tmpdir(dir, sizeof(dir), "ms_btp");
	st = store_a(dir);
	ms_bt_params_default(&p);
	p.bootstrap = 200;
	opts_default(&o);
	r = judge_file(st, tu_fixture("bt_picks/vendor.csv", path,
	    sizeof(path)), &p, &o);
	snprintf(rep, sizeof(rep), "%s/out/picks", dir);
	ck_assert_int_eq(ms_bt_picks_write_report(r, rep, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/summary.json", rep);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_ptr_nonnull(strstr(line, "moonscope.backtest.picks"));
	fclose(f);
	snprintf(path, sizeof(path), "%s/picks.csv", rep);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_ptr_nonnull(strstr(line, "line,date,asset,"));
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_ptr_nonnull(strstr(line, "2,2018-02-05,alpha,ALP,Alpha,name,"));
	fclose(f);
	doc = ms_bt_picks_summary_json(r);
	ck_assert_ptr_nonnull(doc);
	cJSON_Delete(doc);
	md = ms_bt_picks_markdown(r);
	ck_assert_ptr_nonnull(md);
	ck_assert_ptr_nonnull(strstr(md, "| 3 | 2018-02-05 | beta |"));
	free(md);
	ms_bt_picks_result_free(r);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

Suite *make_bt_picks_suite(void);

Suite *
make_bt_picks_suite(void)
{
	Suite *s = suite_create("bt_picks");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");

	tcase_set_timeout(core, 60);
	tcase_set_timeout(limits, 60);
	tcase_add_test(core, test_hand_computed);
	tcase_add_test(core, test_vendor_and_past);
	tcase_add_test(core, test_rejected);
	tcase_add_test(core, test_round_trip);
	tcase_add_test(core, test_snapshots);
	tcase_add_test(core, test_report);
	tcase_add_test(limits, test_csv_values);
	tcase_add_test(limits, test_headers_and_json);
	tcase_add_test(limits, test_limits);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}
