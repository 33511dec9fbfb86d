/*
 * check_bt_grades.c — `backtest grades` (backtest/ms_bt_grades.h): the
 * Spearman correlation, deciles and summary statistics on hand-checked
 * numbers, and the run on two hand-made stores (written by
 * tests/fixtures/bt_grades/gen.py; day t = 2020-01-01 + t, days 0..99).
 *
 * growth.csv — g01..g12 (k = 1..12), close 1 + 0.01 k t, volume 1e5,
 * market cap = close x 1e6. Default dates: day 30 (first + 30) every 7
 * days to day 71 (last - 28): days 30, 37, 44, 51, 58, 65. The forward
 * return of g_k on D is (1 + 0.01 k (D + 28)) / (1 + 0.01 k D) - 1 =
 * 0.28 k / (1 + 0.01 k D), rising with k; so do the 7- and 30-day
 * momentum (0.07 k / (1 + 0.01 k (D - 7)), ...) and the trend (close over
 * the mean of a linear series), and the size (log of the market cap).
 * Liquidity (1e5 / cap) falls with k. So on every date IC = +1 for
 * momentum_7d, momentum_30d, trend (from day 37: on day 30 the 50-day SMA
 * has 31 of the 34 days it needs) and size, -1 for liquidity; drawdown
 * (0), age (30..65, the same for all) and volume_trend (1) are constant:
 * no IC. With 12 distinct values the deciles floor(10 (2r - 1) / 24) hold
 * r = 1 | 2 | 3,4 | 5 | 6 | 7 | 8 | 9,10 | 11 | 12, so the momentum
 * spread is the return of g12 minus that of g01.
 *
 * delist.csv — four assets; dates 20 and 60 (--from day 20 --every 40),
 * horizon 28, delist_days 30:
 *   held      close 1 + 0.01 t, every day: held, 1.48 / 1.20 - 1 on day 20,
 *             1.88 / 1.60 - 1 on day 60
 *   gap       close 2 + 0.01 t, no bars on days 41..49: on day 20 the last
 *             bar to day 48 is day 40 and there is one again on day 50
 *             (within 30 days): gap, 2.40 / 2.20 - 1; day 60: held
 *   died      close 5 + 0.1 t, days 0..35 only: on day 20 no bar in the
 *             30 days after day 35, and the store runs past day 65: died,
 *             8.5 x (1 - haircut) / 7 - 1 (haircut 1: -1; 0.5: 4.25/7 - 1);
 *             on day 60 it has no close: not in the sample
 *   censored  close 1 + 0.01 t, days 0..80: held on day 20; on day 60 the
 *             last bar is day 80, and the store ends (day 99) before day
 *             80 + 30: censored, 1.80 / 1.60 - 1
 * Four (three) assets: too few pairs for an IC.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cJSON.h>

#include "ms_bt.h"
#include "ms_bt_grades.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_grade.h"
#include "ms_http.h"
#include "ms_import.h"
#include "ms_panel.h"
#include "ms_store.h"
#include "testutil.h"

extern const struct ms_route *const ms_route_v1_grades;

#define DAY(i) (ms_date_from_ymd(2020, 1, 1) + (i))
#define S_TRADER 0
#define S_INVESTOR 1
#define S_C(k) (2 + (k))

static void
close_at(double got, double want, int line)
{
	double tol = 1e-12 * (fabs(want) > 1 ? fabs(want) : 1);

	ck_assert_msg(fabs(got - want) <= tol, "line %d: got %.17g, want %.17g",
	    line, got, want);
}
#define CLOSE(a, b) close_at((a), (b), __LINE__)

static struct ms_store *
build_store(const char *dir, const char *fixture)
{
	struct ms_import_opts o = { NULL, -1, ms_date_from_ymd(2024, 1, 1) };
	struct ms_import_result *ir = calloc(1, sizeof(*ir));
	struct ms_store *st = tu_open_store(dir, "grades.db");
	char path[512], rel[128];

	ck_assert_ptr_nonnull(ir);
	snprintf(rel, sizeof(rel), "bt_grades/%s", fixture);
	ck_assert_int_eq(ms_import_file(st, tu_fixture(rel, path, sizeof(path)),
	    &o, ir), 0);
	ck_assert_int_eq(ir->skipped, 0);
	free(ir);
	return st;
}

/*
 * x = 1..5, y = 5 6 7 8 7: y's ranks 1 2 3.5 5 3.5 (the two 7s share
 * 3.5). Deviations from 3: x -2 -1 0 1 2, y -2 -1 0.5 2 0.5; sum of
 * products 4 + 1 + 0 + 2 + 1 = 8, sums of squares 10 and 9.5:
 * r = 8 / sqrt(95).
 */
START_TEST(test_spearman)
{
	const double x[] = { 1, 2, 3, 4, 5 }, y[] = { 5, 6, 7, 8, 7 };
	const double down[] = { 9, 7, 5, 3, 1 }, flat[] = { 2, 2, 2, 2, 2 };
	const double bad[] = { 1, NAN, 3, 4, 5 };
	double work[10], r;

	ck_assert_int_eq(ms_bt_spearman(x, y, 5, work, &r), 0);
	CLOSE(r, 8 / sqrt(95));
	ck_assert_int_eq(ms_bt_spearman(x, down, 5, work, &r), 0);
	CLOSE(r, -1);
	ck_assert_int_eq(ms_bt_spearman(x, flat, 5, work, &r), 0);
	ck_assert(isnan(r));
	ck_assert_int_eq(ms_bt_spearman(flat, x, 5, work, &r), 0);
	ck_assert(isnan(r));
	ck_assert_int_eq(ms_bt_spearman(x, y, 1, work, &r), 0);
	ck_assert(isnan(r));
	ck_assert_int_eq(ms_bt_spearman(x, bad, 5, work, &r), MS_ERR_RANGE);
}
END_TEST

/*
 * x = 3 1 2 2 5 4 6 7 8 9 10 10 (n = 12), y_i = i / 10. Sorted: 1 (r 1),
 * 2 2 (r 2.5 each, 2r = 5), 3 (4), 4 (5), 5 (6), 6 (7), 7 (8), 8 (9),
 * 9 (10), 10 10 (11.5, 2r = 23). Decile = 10 (2r - 1) / 24 rounded down:
 * 1 -> 0; 2 -> 40/24 = 1; 3 -> 70/24 = 2; 4 -> 3; 5 -> 4; 6 -> 5; 7 -> 6;
 * 8 -> 170/24 = 7; 9 -> 190/24 = 7; 10 -> 220/24 = 9. Counts 1 2 1 1 1 1
 * 1 2 0 2. Top: y of the 10s (i = 10, 11) = 1.05; bottom: y of the 1
 * (i = 1) = 0.1; spread 0.95; decile 1: y of the 2s (i = 2, 3) = 0.25;
 * decile 8 is empty.
 */
START_TEST(test_deciles)
{
	const double x[] = { 3, 1, 2, 2, 5, 4, 6, 7, 8, 9, 10, 10 };
	const size_t want[] = { 1, 2, 1, 1, 1, 1, 1, 2, 0, 2 };
	double y[12];
	size_t idx[12];
	struct ms_bt_grades_cell c;

	for (int i = 0; i < 12; i++)
		y[i] = i / 10.0;
	ck_assert_int_eq(ms_bt_deciles(x, y, 12, idx, &c), 0);
	ck_assert_uint_eq(c.n, 12);
	for (int d = 0; d < 10; d++)
		ck_assert_uint_eq(c.dn[d], want[d]);
	CLOSE(c.dmean[9], 1.05);
	CLOSE(c.dmean[0], 0.1);
	CLOSE(c.dmean[1], 0.25);
	CLOSE(c.dmean[7], (0.8 + 0.9) / 2);
	ck_assert(isnan(c.dmean[8]));
	CLOSE(c.spread, 0.95);
	/* Five values: 10 (2r - 1) / 10 = 2r - 1 -> deciles 1 3 5 7 9, no 0. */
	ck_assert_int_eq(ms_bt_deciles(x, y, 5, idx, &c), 0);
	ck_assert_uint_eq(c.dn[0], 0);
	ck_assert(isnan(c.spread));
	ck_assert_int_eq(ms_bt_deciles(x, y, 0, idx, &c), 0);
	ck_assert(isnan(c.spread));
}
END_TEST

/*
 * v = 0.1 0.3 -0.1 0.3: mean 0.15; deviations -0.05 0.15 -0.25 0.15,
 * squares 0.0025 + 0.0225 + 0.0625 + 0.0225 = 0.11, variance 0.11 / 3,
 * sd = sqrt(0.11 / 3); t = 0.15 / (sd / 2).
 */
START_TEST(test_mean_sd_t)
{
	const double v[] = { 0.1, 0.3, -0.1, 0.3 }, same[] = { 1, 1, 1 };
	double m, sd, t;

	ms_bt_mean_sd_t(v, 4, &m, &sd, &t);
	CLOSE(m, 0.15);
	CLOSE(sd, sqrt(0.11 / 3));
	CLOSE(t, 0.15 / (sqrt(0.11 / 3) / 2));
	ms_bt_mean_sd_t(v, 1, &m, &sd, &t);
	CLOSE(m, 0.1);
	ck_assert(isnan(sd) && isnan(t));
	ms_bt_mean_sd_t(same, 3, &m, &sd, &t);
	CLOSE(m, 1);
	CLOSE(sd, 0);
	ck_assert(isnan(t));
	ms_bt_mean_sd_t(v, 0, &m, &sd, &t);
	ck_assert(isnan(m) && isnan(sd) && isnan(t));
}
END_TEST

static struct ms_bt_grades_result *
run(struct ms_store *st, const struct ms_bt_grades_params *p)
{
	struct ms_bt_grades_result *r = NULL;

	ck_assert_int_eq(ms_bt_grades_run(st, p, NULL, NULL, &r), 0);
	return r;
}

START_TEST(test_growth_ic)
{
	static const size_t want_dn[] = { 1, 1, 2, 1, 1, 1, 1, 2, 1, 1 };
	struct ms_bt_grades_params p;
	struct ms_bt_grades_result *r;
	struct ms_store *st;
	char dir[64];

	tu_tmpdir(dir, sizeof(dir), "ms_btg");
	st = build_store(dir, "growth.csv");
	ms_bt_grades_params_default(&p);
	r = run(st, &p);
	ck_assert_int_eq(r->params.from, DAY(30));
	ck_assert_int_eq(r->params.to, DAY(71));
	ck_assert_uint_eq(r->ndates, 6);
	ck_assert_uint_eq(r->nobs, 72);
	for (size_t i = 0; i < r->ndates; i++) {
		const struct ms_bt_grades_date *d = &r->dates[i];
		int32_t t = 30 + 7 * (int32_t)i;

		ck_assert_int_eq(d->day, DAY(t));
		ck_assert_uint_eq(d->universe, 12);
		ck_assert_uint_eq(d->priced, 12);
		ck_assert_uint_eq(d->status[MS_BT_FWD_HELD], 12);
		CLOSE(d->cell[S_C(MS_GC_MOMENTUM_7D)].ic, 1);
		CLOSE(d->cell[S_C(MS_GC_MOMENTUM_30D)].ic, 1);
		CLOSE(d->cell[S_C(MS_GC_SIZE)].ic, 1);
		CLOSE(d->cell[S_C(MS_GC_LIQUIDITY)].ic, -1);
		if (i == 0) {
			ck_assert_uint_eq(d->cell[S_C(MS_GC_TREND)].n, 0);
			ck_assert(isnan(d->cell[S_C(MS_GC_TREND)].ic));
		} else {
			CLOSE(d->cell[S_C(MS_GC_TREND)].ic, 1);
		}
		ck_assert_uint_eq(d->cell[S_C(MS_GC_DRAWDOWN)].n, 12);
		ck_assert(isnan(d->cell[S_C(MS_GC_DRAWDOWN)].ic));
		ck_assert(isnan(d->cell[S_C(MS_GC_AGE)].ic));
		ck_assert(isnan(d->cell[S_C(MS_GC_VOLUME_TREND)].ic));
		for (size_t s = 0; s < MS_BT_GRADES_NSERIES; s++) {
			double ic = d->cell[s].ic;
			ck_assert(isnan(ic) || (ic >= -1 && ic <= 1));
		}
		/* Deciles of momentum_7d: g12 minus g01. */
		{
			const struct ms_bt_grades_cell *c =
			    &d->cell[S_C(MS_GC_MOMENTUM_7D)];
			double r12 = ((100.0 + 12 * (t + 28)) / 100.0) /
			    ((100.0 + 12 * t) / 100.0) - 1;
			double r1 = ((100.0 + (t + 28)) / 100.0) /
			    ((100.0 + t) / 100.0) - 1;
			for (int k = 0; k < 10; k++)
				ck_assert_uint_eq(c->dn[k], want_dn[k]);
			CLOSE(c->dmean[9], r12);
			CLOSE(c->dmean[0], r1);
			CLOSE(c->spread, r12 - r1);
			CLOSE(d->cell[S_C(MS_GC_LIQUIDITY)].spread, r1 - r12);
		}
	}
	/* Every forward return, by hand. */
	for (size_t i = 0; i < r->nobs; i++) {
		const struct ms_bt_grades_obs *o = &r->obs[i];
		int k = (int)strtol(o->slug + 1, NULL, 10);
		int t = o->day - DAY(0);
		ck_assert(o->status == MS_BT_FWD_HELD);
		ck_assert_int_eq(o->last_bar_day, o->day + 28);
		CLOSE(o->price, (100.0 + k * t) / 100.0);
		CLOSE(o->ret, ((100.0 + k * (t + 28)) / 100.0) /
		    ((100.0 + k * t) / 100.0) - 1);
	}
	/* Over the dates: IC +1 every time, so sd 0 and no t. */
	CLOSE(r->stats[S_C(MS_GC_MOMENTUM_7D)].mean_ic, 1);
	CLOSE(r->stats[S_C(MS_GC_MOMENTUM_7D)].sd_ic, 0);
	ck_assert(isnan(r->stats[S_C(MS_GC_MOMENTUM_7D)].t_ic));
	CLOSE(r->stats[S_C(MS_GC_MOMENTUM_7D)].share_positive, 1);
	CLOSE(r->stats[S_C(MS_GC_MOMENTUM_7D)].mean_pairs, 12);
	ck_assert_uint_eq(r->stats[S_C(MS_GC_MOMENTUM_7D)].dates, 6);
	ck_assert_uint_eq(r->stats[S_C(MS_GC_TREND)].dates, 5);
	CLOSE(r->stats[S_C(MS_GC_LIQUIDITY)].mean_ic, -1);
	CLOSE(r->stats[S_C(MS_GC_LIQUIDITY)].share_positive, 0);
	ck_assert_uint_eq(r->stats[S_C(MS_GC_AGE)].dates, 0);
	ck_assert(isnan(r->stats[S_C(MS_GC_AGE)].mean_ic));
	{
		/* Mean spread = mean over dates of r12 - r1; t from its sd. */
		double v[6], m, sd, t;
		for (int i = 0; i < 6; i++)
			v[i] = r->dates[i].cell[S_C(MS_GC_MOMENTUM_7D)].spread;
		ms_bt_mean_sd_t(v, 6, &m, &sd, &t);
		CLOSE(r->stats[S_C(MS_GC_MOMENTUM_7D)].mean_spread, m);
		CLOSE(r->stats[S_C(MS_GC_MOMENTUM_7D)].t_spread, t);
		ck_assert(t > 0);
	}
	ms_bt_grades_result_free(r);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

START_TEST(test_delisting)
{
	struct ms_bt_grades_params p;
	struct ms_bt_grades_result *r;
	struct ms_store *st;
	char dir[64];

	tu_tmpdir(dir, sizeof(dir), "ms_btg");
	st = build_store(dir, "delist.csv");
	ms_bt_grades_params_default(&p);
	p.from = DAY(20);
	p.to = DAY(90);           /* clamped to the last day - 28 = day 71 */
	p.every = 40;
	for (int pass = 0; pass < 2; pass++) {
		double haircut = pass == 0 ? 1 : 0.5;
		const struct ms_bt_grades_obs *o;

		p.delist_haircut = haircut;
		r = run(st, &p);
		ck_assert_int_eq(r->params.to, DAY(71));
		ck_assert_uint_eq(r->ndates, 2);
		ck_assert_uint_eq(r->dates[0].priced, 4);
		ck_assert_uint_eq(r->dates[0].status[MS_BT_FWD_HELD], 2);
		ck_assert_uint_eq(r->dates[0].status[MS_BT_FWD_GAP], 1);
		ck_assert_uint_eq(r->dates[0].status[MS_BT_FWD_DIED], 1);
		ck_assert_uint_eq(r->dates[1].universe, 4);
		ck_assert_uint_eq(r->dates[1].priced, 3);
		ck_assert_uint_eq(r->dates[1].status[MS_BT_FWD_CENSORED], 1);
		ck_assert_uint_eq(r->nobs, 7);
		for (size_t s = 0; s < MS_BT_GRADES_NSERIES; s++) {
			ck_assert(isnan(r->dates[0].cell[s].ic));
			ck_assert(r->dates[0].cell[s].n < MS_BT_GRADES_MIN_PAIRS);
			ck_assert_uint_eq(r->stats[s].dates, 0);
		}
		/* Date 20, in internal id order: held, gap, died, censored. */
		o = &r->obs[0];
		ck_assert_str_eq(o->slug, "held");
		ck_assert(o->status == MS_BT_FWD_HELD);
		CLOSE(o->ret, 1.48 / 1.20 - 1);
		o = &r->obs[1];
		ck_assert_str_eq(o->slug, "gap");
		ck_assert(o->status == MS_BT_FWD_GAP);
		ck_assert_int_eq(o->last_bar_day, DAY(40));
		CLOSE(o->exit_price, 2.4);
		CLOSE(o->ret, 2.40 / 2.20 - 1);
		o = &r->obs[2];
		ck_assert_str_eq(o->slug, "died");
		ck_assert(o->status == MS_BT_FWD_DIED);
		ck_assert_int_eq(o->last_bar_day, DAY(35));
		CLOSE(o->exit_price, 8.5 * (1 - haircut));
		CLOSE(o->ret, 8.5 * (1 - haircut) / 7 - 1);
		o = &r->obs[3];
		ck_assert_str_eq(o->slug, "censored");
		ck_assert(o->status == MS_BT_FWD_HELD);
		CLOSE(o->ret, 1.48 / 1.20 - 1);
		/* Date 60: held, gap (held now), censored. */
		o = &r->obs[4];
		ck_assert_int_eq(o->day, DAY(60));
		CLOSE(o->ret, 1.88 / 1.60 - 1);
		o = &r->obs[5];
		ck_assert_str_eq(o->slug, "gap");
		ck_assert(o->status == MS_BT_FWD_HELD);
		CLOSE(o->ret, 2.88 / 2.60 - 1);
		o = &r->obs[6];
		ck_assert_str_eq(o->slug, "censored");
		ck_assert(o->status == MS_BT_FWD_CENSORED);
		ck_assert_int_eq(o->last_bar_day, DAY(80));
		CLOSE(o->ret, 1.80 / 1.60 - 1);
		ms_bt_grades_result_free(r);
	}
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

/*
 * The grades scored are what /v1/grades serves, bit for bit, and what
 * ms_grade_universe gives on a copy of the store truncated after the
 * date (nothing after the date is read to grade).
 */
START_TEST(test_same_as_route)
{
	struct ms_bt_grades_params p;
	struct ms_bt_grades_result *r;
	struct ms_store *st, *tst;
	struct ms_panel *pn;
	struct ms_grade *g;
	struct ms_response res;
	struct ms_ctx ctx;
	char dir[64], path[128];
	char *envp[] = { (char *)(uintptr_t)"REQUEST_METHOD=GET",
		(char *)(uintptr_t)"REQUEST_URI=/v1/grades?as_of=2020-02-07&limit=500",
		(char *)(uintptr_t)"QUERY_STRING=as_of=2020-02-07&limit=500", NULL };
	const cJSON *it;
	cJSON *json;
	size_t seen = 0;

	tu_tmpdir(dir, sizeof(dir), "ms_btg");
	st = build_store(dir, "growth.csv");
	ms_bt_grades_params_default(&p);
	p.from = p.to = DAY(37);
	r = run(st, &p);
	ck_assert_uint_eq(r->nobs, 12);

	snprintf(path, sizeof(path), "%s/grades.db", dir);
	setenv(MS_STORE_ENV, path, 1);
	ms_ctx_init(&ctx);
	ms_response_init(&res);
	ms_handle(&ctx, ms_route_v1_grades, envp, &res);
	ck_assert_int_eq(res.status, 200);
	json = cJSON_ParseWithLength(res.body.data, res.body.len);
	ms_response_free(&res);
	ms_ctx_free(&ctx);
	unsetenv(MS_STORE_ENV);
	ck_assert_ptr_nonnull(json);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(json, "data")) {
		const char *id = cJSON_GetObjectItemCaseSensitive(it,
		    "id")->valuestring;
		const cJSON *tg = cJSON_GetObjectItemCaseSensitive(it,
		    "trader_grade");
		const cJSON *ig = cJSON_GetObjectItemCaseSensitive(it,
		    "investor_grade");
		const cJSON *comps = cJSON_GetObjectItemCaseSensitive(it,
		    "components");
		for (size_t i = 0; i < r->nobs; i++) {
			const struct ms_bt_grades_obs *o = &r->obs[i];
			if (strcmp(o->slug, id) != 0)
				continue;
			ck_assert(cJSON_IsNumber(tg) && tg->valuedouble ==
			    o->value[S_TRADER]);
			ck_assert(cJSON_IsNumber(ig) && ig->valuedouble ==
			    o->value[S_INVESTOR]);
			for (int k = 0; k < MS_GC__COUNT; k++) {
				const cJSON *v = cJSON_GetObjectItemCaseSensitive(
				    cJSON_GetObjectItemCaseSensitive(comps,
				    ms_grade_component_name(k)), "value");
				if (cJSON_IsNull(v))
					ck_assert(isnan(o->value[S_C(k)]));
				else
					ck_assert(v->valuedouble == o->value[S_C(k)]);
			}
			seen++;
		}
	}
	ck_assert_uint_eq(seen, 12);
	cJSON_Delete(json);

	snprintf(path, sizeof(path), "%s/cut.db", dir);
	ck_assert_int_eq(ms_bt_truncated_copy(st, DAY(37), path), 0);
	ck_assert_int_eq(ms_store_open(path, MS_STORE_RO, &tst), 0);
	ck_assert_int_eq(ms_grade_universe(tst, DAY(37), NULL, &pn, &g), 0);
	ck_assert_uint_eq(pn->nassets, 12);
	for (size_t a = 0; a < pn->nassets; a++) {
		const struct ms_bt_grades_obs *o = &r->obs[a];
		ck_assert_str_eq(o->slug, pn->assets[a].slug);
		ck_assert(memcmp(&o->value[S_TRADER], &g[a].trader,
		    sizeof(double)) == 0);
		ck_assert(memcmp(&o->value[S_INVESTOR], &g[a].investor,
		    sizeof(double)) == 0);
		ck_assert(memcmp(&o->value[2], g[a].raw,
		    sizeof(g[a].raw)) == 0);
	}
	free(g);
	ms_panel_free(pn);
	ms_store_close(tst);
	ms_bt_grades_result_free(r);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

/* The report files: schema, one ic.csv row per date and series, inputs. */
START_TEST(test_report)
{
	struct ms_bt_grades_params p;
	struct ms_bt_grades_result *r;
	struct ms_store *st;
	char dir[64], out[128], err[256], line[4096];
	static const struct { const char *name; int rows; } files[] = {
		{ "ic.csv", 1 + 6 * MS_BT_GRADES_NSERIES },
		{ "grades_returns.csv", 1 + 72 },
		{ "summary.md", -1 },
		{ "deciles.csv", -1 },
		{ "report.html", -1 },
	};
	cJSON *doc;
	char *txt;

	tu_tmpdir(dir, sizeof(dir), "ms_btg");
	st = build_store(dir, "growth.csv");
	ms_bt_grades_params_default(&p);
	r = run(st, &p);
	snprintf(out, sizeof(out), "%s/rep", dir);
	ck_assert_int_eq(ms_bt_grades_write_report(r, out, err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *f;
		int rows = 0;
		snprintf(out, sizeof(out), "%s/rep/%s", dir, files[i].name);
		ck_assert_ptr_nonnull(f = fopen(out, "r"));
		while (fgets(line, sizeof(line), f) != NULL)
			rows++;
		fclose(f);
		if (files[i].rows >= 0)
			ck_assert_int_eq(rows, files[i].rows);
	}
	/* ms_json_num writes exact raw numbers: read the printed text back. */
	ck_assert_ptr_nonnull(doc = ms_bt_grades_summary_json(r));
	ck_assert_ptr_nonnull(txt = cJSON_Print(doc));
	cJSON_Delete(doc);
	ck_assert_ptr_nonnull(doc = cJSON_Parse(txt));
	cJSON_free(txt);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(doc,
	    "schema")->valuestring, MS_BT_GRADES_SCHEMA);
	CLOSE(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    doc, "metrics"), "momentum_7d"), "mean_ic")->valuedouble, 1);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    doc, "metrics"), "age"), "mean_ic")));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(doc, "decile_mean_returns"),
	    "trader")), 10);
	cJSON_Delete(doc);
	ms_bt_grades_result_free(r);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

START_TEST(test_params_limits)
{
	static const struct {
		int32_t from, to;
		int every, horizon, delist_days;
		double haircut;
		const char *why;
	} bad[] = {
		{ 100, -1, 7, 28, 30, 1, "--from" },
		{ -1, 47482, 7, 28, 30, 1, "--to" },
		{ 18300, 18200, 7, 28, 30, 1, "--to: is before" },
		{ -1, -1, 0, 28, 30, 1, "--every" },
		{ -1, -1, 366, 28, 30, 1, "--every" },
		{ -1, -1, 7, 0, 30, 1, "--horizon" },
		{ -1, -1, 7, 731, 30, 1, "--horizon" },
		{ -1, -1, 7, 28, 0, 1, "--delist-days" },
		{ -1, -1, 7, 28, 366, 1, "--delist-days" },
		{ -1, -1, 7, 28, 30, -0.1, "--delist-haircut" },
		{ -1, -1, 7, 28, 30, NAN, "--delist-haircut" },
	};
	struct ms_bt_grades_params p;
	struct ms_bt_grades_result *r = NULL;
	struct ms_store *st;
	char why[160], dir[64];

	ms_bt_grades_params_default(&p);
	ck_assert_int_eq(ms_bt_grades_params_check(&p, why, sizeof(why)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ms_bt_grades_params_default(&p);
		p.from = bad[i].from;
		p.to = bad[i].to;
		p.every = bad[i].every;
		p.horizon = bad[i].horizon;
		p.delist_days = bad[i].delist_days;
		p.delist_haircut = bad[i].haircut;
		ck_assert_int_eq(ms_bt_grades_params_check(&p, why, sizeof(why)),
		    MS_ERR_RANGE);
		ck_assert_msg(strncmp(why, bad[i].why, strlen(bad[i].why)) == 0,
		    "case %zu: %s", i, why);
	}
	for (size_t s = 0; s < MS_BT_GRADES_NSERIES; s++)
		ck_assert_str_ne(ms_bt_grades_series_name(s), "?");
	ck_assert_str_eq(ms_bt_grades_series_name(MS_BT_GRADES_NSERIES), "?");
	ck_assert_str_eq(ms_bt_fwd_status_name(MS_BT_FWD__COUNT), "?");

	/* An empty store, and a range with no date. */
	tu_tmpdir(dir, sizeof(dir), "ms_btg");
	st = tu_open_store(dir, "empty.db");
	ms_bt_grades_params_default(&p);
	ck_assert_int_eq(ms_bt_grades_run(st, &p, NULL, NULL, &r),
	    MS_ERR_NODATA);
	ms_store_close(st);
	st = build_store(dir, "delist.csv");
	p.horizon = 90;           /* first + 30 > last - 90 */
	ck_assert_int_eq(ms_bt_grades_run(st, &p, NULL, NULL, &r),
	    MS_ERR_NODATA);
	ck_assert_ptr_null(r);
	ms_bt_grades_result_free(NULL);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

Suite *make_bt_grades_suite(void);

Suite *
make_bt_grades_suite(void)
{
	Suite *s = suite_create("bt_grades");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");

	tcase_set_timeout(core, 60);
	tcase_add_test(core, test_spearman);
	tcase_add_test(core, test_deciles);
	tcase_add_test(core, test_mean_sd_t);
	tcase_add_test(core, test_growth_ic);
	tcase_add_test(core, test_delisting);
	tcase_add_test(core, test_same_as_route);
	tcase_add_test(core, test_report);
	tcase_add_test(limits, test_params_limits);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}
