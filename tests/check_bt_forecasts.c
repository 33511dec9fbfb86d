/*
 * check_bt_forecasts.c — `backtest forecasts` (backtest/ms_bt_forecasts.h):
 * each metric on hand-checked numbers (pinball, CRPS of the normal in
 * closed form, the CRPS of a sample, the binomial test, coverage counting
 * and the aggregates), and the walk-forward on a small generated store:
 * the same forecasts as the /v1/forecasts route, identical forecasts on a
 * store truncated after the origin (the look-ahead guard), recorded
 * forecasts judged like the walk-forward's, the report files, and the
 * limits of every option.
 *
 * The store (days from 2018-01-01 = index 0, one source):
 *   alpha / ALP  days 0..599, a random walk in the log price with
 *                returns uniform in [-0.05, 0.05] (seeded LCG), close
 *                missing on day 250; market cap close * 1e6
 *   beta / BET   days 300..599, another walk; market cap close * 1e5
 * Origins 2018-12-01 (day 334) .. 2019-06-18 (day 533): beta has fewer
 * than 30 returns at the first origin, so its models are skipped there.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <cJSON.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>

#include "ms_bt.h"
#include "ms_bt_forecasts.h"
#include "ms_buf.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_http.h"
#include "ms_record.h"
#include "ms_store.h"
#include "testutil.h"

extern const struct ms_route *const ms_route_v1_forecasts;

#define D0 ms_date_from_ymd(2018, 1, 1)

/* |got - want| within a relative tol (absolute near 0). */
static void
near_at(double got, double want, double tol, int line)
{
	double t = tol * (fabs(want) > 1 ? fabs(want) : 1);

	ck_assert_msg(fabs(got - want) <= t, "line %d: got %.17g, want %.17g",
	    line, got, want);
}
#define NEAR(a, b) near_at((a), (b), 1e-12, __LINE__)

/* ---- metrics on hand-checked numbers --------------------------------- */

START_TEST(test_pinball)
{
	/*
	 * L = (1{y < q} - tau)(q - y):
	 *   q 110, y 100: y < q, so (1 - 0.9) * 10 = 1 at tau 0.9 and
	 *                 (1 - 0.1) * 10 = 9 at tau 0.1;
	 *   q 90,  y 100: y >= q, so (0 - 0.9) * (-10) = 9 at tau 0.9 and
	 *                 0.1 * 10 = 1 at tau 0.1;
	 *   q = y: 0; tau 0.5 is half the absolute error.
	 */
	NEAR(ms_bt_fc_pinball(110, 100, 0.9), 1.0);
	NEAR(ms_bt_fc_pinball(110, 100, 0.1), 9.0);
	NEAR(ms_bt_fc_pinball(90, 100, 0.9), 9.0);
	NEAR(ms_bt_fc_pinball(90, 100, 0.1), 1.0);
	NEAR(ms_bt_fc_pinball(100, 100, 0.3), 0.0);
	NEAR(ms_bt_fc_pinball(97, 100, 0.5), 1.5);
	NEAR(ms_bt_fc_pinball(103, 100, 0.5), 1.5);
}
END_TEST

START_TEST(test_crps_normal)
{
	double v, v2;

	/*
	 * CRPS(N(mu, s^2), y) = s [z (2 Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi)]
	 * (Gneiting, Raftery, Westveld & Goldman 2005, eq. 5).
	 * z = 0: 2 phi(0) - 1/sqrt(pi) = 2/sqrt(2 pi) - 1/sqrt(pi)
	 *      = (sqrt 2 - 1)/sqrt(pi) = 0.41421356237 / 1.7724538509
	 *      = 0.23369497725510913.
	 * z = 1: (2 * 0.8413447460685429 - 1) + 2 * 0.24197072451914337
	 *      - 0.5641895835477563 = 0.6826894921370859
	 *      + 0.48394144903828673 - 0.5641895835477563 = 0.6024413576276164.
	 * Scale: s = 2, y - mu = 2 (z = 1) gives 2 * 0.6024413576276164;
	 * the CRPS is symmetric in z. s = 0: |y - mu|.
	 */
	ck_assert_int_eq(ms_bt_fc_crps_normal(0, 1, 0, &v), 0);
	NEAR(v, (sqrt(2.0) - 1) / sqrt(M_PI));
	NEAR(v, 0.23369497725510913);
	ck_assert_int_eq(ms_bt_fc_crps_normal(0, 1, 1, &v), 0);
	NEAR(v, 0.6024413576276164);
	ck_assert_int_eq(ms_bt_fc_crps_normal(3, 2, 5, &v), 0);
	NEAR(v, 2 * 0.6024413576276164);
	ck_assert_int_eq(ms_bt_fc_crps_normal(3, 2, 1, &v2), 0);
	NEAR(v2, v);
	ck_assert_int_eq(ms_bt_fc_crps_normal(1, 0, -0.5, &v), 0);
	NEAR(v, 1.5);
	/* Far in the tail the CRPS tends to |y - mu| - s/sqrt(pi)... */
	ck_assert_int_eq(ms_bt_fc_crps_normal(0, 1, 40, &v), 0);
	NEAR(v, 40 - 1 / sqrt(M_PI));
	/* Published: R scoringRules' tests, crps_norm(-3) = 2.43657473
	 * (location 0, scale 1), and 0.9 times that at scale 0.9. */
	ck_assert_int_eq(ms_bt_fc_crps_normal(0, 1, -3, &v), 0);
	near_at(v, 2.43657473, 1e-8, __LINE__);
	ck_assert_int_eq(ms_bt_fc_crps_normal(0.1, 0.9, -2.7 + 0.1, &v), 0);
	near_at(v, 2.43657473 * 0.9, 1e-8, __LINE__);
	ck_assert_int_eq(ms_bt_fc_crps_normal(0, -1, 0, &v), MS_ERR_RANGE);
	ck_assert_int_eq(ms_bt_fc_crps_normal(NAN, 1, 0, &v), MS_ERR_RANGE);
	ck_assert_int_eq(ms_bt_fc_crps_normal(0, 1, INFINITY, &v), MS_ERR_RANGE);
}
END_TEST

START_TEST(test_crps_sample)
{
	const double two[2] = { 0, 1 };
	double *x, v, brute = 0, a = 0, want, crps_n;
	gsl_rng *rng;
	const size_t m = 400;

	/*
	 * x = {0, 1}: E|X - y| - E|X - X'|/2. At y = 0: (0 + 1)/2 = 0.5, and
	 * E|X - X'| = (0 + 1 + 1 + 0)/4 = 0.5, so 0.5 - 0.25 = 0.25 (the
	 * integral of (F - 1{t >= 0})^2 = (0.5 - 1)^2 over [0, 1)). At
	 * y = 0.5: 0.5 - 0.25 = 0.25. At y = 3: (3 + 2)/2 - 0.25 = 2.25.
	 */
	ck_assert_int_eq(ms_bt_fc_crps_sample(two, 2, 0, &v), 0);
	NEAR(v, 0.25);
	ck_assert_int_eq(ms_bt_fc_crps_sample(two, 2, 0.5, &v), 0);
	NEAR(v, 0.25);
	ck_assert_int_eq(ms_bt_fc_crps_sample(two, 2, 3, &v), 0);
	NEAR(v, 2.25);
	ck_assert_int_eq(ms_bt_fc_crps_sample(two, 0, 0, &v), MS_ERR_RANGE);
	ck_assert_int_eq(ms_bt_fc_crps_sample(two, 2, NAN, &v), MS_ERR_RANGE);

	/* The sorted-sum form equals the double sum over all pairs. */
	x = malloc(m * sizeof(*x));
	ck_assert_ptr_nonnull(x);
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 7);
	for (size_t i = 0; i < m; i++)
		x[i] = gsl_ran_gaussian_ziggurat(rng, 0.3) + 0.1;
	gsl_sort(x, 1, m);
	for (size_t i = 0; i < m; i++) {
		a += fabs(x[i] - 0.25);
		for (size_t j = 0; j < m; j++)
			brute += fabs(x[i] - x[j]);
	}
	want = a / (double)m - brute / (2.0 * (double)m * (double)m);
	ck_assert_int_eq(ms_bt_fc_crps_sample(x, m, 0.25, &v), 0);
	near_at(v, want, 1e-12, __LINE__);
	/* ... and is near the normal's closed form for a normal sample. */
	ck_assert_int_eq(ms_bt_fc_crps_normal(0.1, 0.3, 0.25, &crps_n), 0);
	ck_assert_msg(fabs(v - crps_n) < 0.02, "sample %g vs normal %g", v,
	    crps_n);
	gsl_rng_free(rng);
	free(x);
}
END_TEST

START_TEST(test_binom_p)
{
	double p;

	/*
	 * n 10, p0 0.5: P(X >= 9) = (C(10,9) + C(10,10)) / 2^10 = 11/1024,
	 * two-sided 22/1024 = 0.021484375. k 0: 2/1024. k 5: both tails
	 * exceed 1/2, so 1.
	 */
	ck_assert_int_eq(ms_bt_fc_binom_p(9, 10, 0.5, &p), 0);
	NEAR(p, 22.0 / 1024);
	ck_assert_int_eq(ms_bt_fc_binom_p(1, 10, 0.5, &p), 0);
	NEAR(p, 22.0 / 1024);
	ck_assert_int_eq(ms_bt_fc_binom_p(0, 10, 0.5, &p), 0);
	NEAR(p, 2.0 / 1024);
	ck_assert_int_eq(ms_bt_fc_binom_p(10, 10, 0.5, &p), 0);
	NEAR(p, 2.0 / 1024);
	ck_assert_int_eq(ms_bt_fc_binom_p(5, 10, 0.5, &p), 0);
	NEAR(p, 1.0);
	/*
	 * Coverage of a 90 % interval, n 4: P(X = 4) = 0.9^4 = 0.6561,
	 * P(X = 3) = 4 * 0.729 * 0.1 = 0.2916, so P(X <= 2) = 1 - 0.2916 -
	 * 0.6561 = 0.0523 and k 2 gives 2 * 0.0523 = 0.1046; k 4 gives
	 * min(1, 2 * 0.6561) = 1.
	 */
	ck_assert_int_eq(ms_bt_fc_binom_p(2, 4, 0.9, &p), 0);
	NEAR(p, 0.1046);
	ck_assert_int_eq(ms_bt_fc_binom_p(4, 4, 0.9, &p), 0);
	NEAR(p, 1.0);
	/* 50 % interval, 3 of 20: P(X <= 3) = (1 + 20 + 190 + 1140)/2^20. */
	ck_assert_int_eq(ms_bt_fc_binom_p(3, 20, 0.5, &p), 0);
	NEAR(p, 2.0 * 1351 / 1048576);
	ck_assert_int_eq(ms_bt_fc_binom_p(0, 0, 0.5, &p), 0);
	ck_assert(isnan(p));
	ck_assert_int_eq(ms_bt_fc_binom_p(3, 2, 0.5, &p), MS_ERR_RANGE);
	ck_assert_int_eq(ms_bt_fc_binom_p(1, 2, 0.0, &p), MS_ERR_RANGE);
	ck_assert_int_eq(ms_bt_fc_binom_p(1, 2, 1.0, &p), MS_ERR_RANGE);
}
END_TEST

static void
hand_row(struct ms_bt_fc_row *r, enum ms_forecast_model m, double q50,
    double realised)
{
	/* Quantiles 80 85 90 q50 110 115 120 around a price of 100. */
	const double q[MS_FORECAST_NQ] = { 80, 85, 90, q50, 110, 115, 120 };

	memset(r, 0, sizeof(*r));
	r->origin = D0;
	r->model = r->used = m;
	r->horizon = 7;
	r->price = 100;
	r->log_mean = log(q50 / 100);
	r->log_sd = 0.2;
	memcpy(r->q, q, sizeof(q));
	r->target_day = D0 + 7;
	r->realised_day = isnan(realised) ? -1 : D0 + 7;
	r->realised = realised;
	r->naive = SIZE_MAX;
	ck_assert_int_eq(ms_bt_fc_score_row(r), 0);
}

START_TEST(test_coverage_counting)
{
	/* Outcomes A 110 (on q75: inside, closed), B 84, C 130, D unknown. */
	const double y[4] = { 110, 84, 130, NAN };
	struct ms_bt_fc_row rows[8];
	struct ms_bt_fc_score s, d;
	double c, cn = 0, cd = 0, pn = 0, pd = 0, want;

	for (int i = 0; i < 4; i++) {
		hand_row(&rows[i], MS_FORECAST_NAIVE, 100, y[i]);
		hand_row(&rows[4 + i], MS_FORECAST_DRIFT, 105, y[i]);
		rows[i].naive = rows[4 + i].naive = (size_t)i;
	}
	ck_assert(isnan(rows[3].crps) && isnan(rows[3].pinball[0]));
	ck_assert_int_eq(ms_bt_fc_aggregate(rows, 8, MS_FORECAST_NAIVE, 7,
	    MS_BT_FC_ALL, &s), 0);
	/*
	 * 4 forecasts, 3 judged. 50 % [90, 110]: A only (B < 90, C > 110).
	 * 80 % [85, 115]: A (B = 84 < 85). 90 % [80, 120]: A and B.
	 */
	ck_assert_uint_eq(s.forecasts, 4);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_uint_eq(s.inside[0], 1);
	ck_assert_uint_eq(s.inside[1], 1);
	ck_assert_uint_eq(s.inside[2], 2);
	ck_assert_uint_eq(s.below_lo[0], 1);
	ck_assert_uint_eq(s.below_lo[1], 1);
	ck_assert_uint_eq(s.below_lo[2], 0);
	ck_assert_uint_eq(s.above_hi[0], 1);
	ck_assert_uint_eq(s.above_hi[1], 1);
	ck_assert_uint_eq(s.above_hi[2], 1);
	NEAR(s.coverage[0], 1.0 / 3);
	NEAR(s.coverage[2], 2.0 / 3);
	/* 1 of 3 at 0.5: P(X <= 1) = 4/8, P(X >= 1) = 7/8: p = 1. */
	NEAR(s.coverage_p[0], 1.0);
	/* 2 of 3 at 0.9: P(X <= 2) = 1 - 0.729 = 0.271: p = 0.542. */
	NEAR(s.coverage_p[2], 0.542);
	/* Below q05 (80): none; q10 85: B; q75 110: B (110 < 110 is
	 * false); q90 115 and q95 120: A and B. */
	NEAR(s.share_below[0], 0.0);
	NEAR(s.share_below[1], 1.0 / 3);
	NEAR(s.share_below[4], 1.0 / 3);
	NEAR(s.share_below[5], 2.0 / 3);
	/* Median loss: half the absolute log error, averaged. */
	NEAR(s.pinball[3], 0.5 * (log(1.1) + log(100.0 / 84) + log(1.3)) / 3);
	/* MAPE = (10/110 + 16/84 + 30/130) / 3 = 0.17071817071817072. */
	NEAR(s.mape, (10.0 / 110 + 16.0 / 84 + 30.0 / 130) / 3);
	NEAR(s.mape, 0.17071817071817072);
	NEAR(s.rmse, sqrt((log(1.1) * log(1.1) + log(0.84) * log(0.84) +
	    log(1.3) * log(1.3)) / 3));
	/* Naive's median is the price: no direction call. */
	ck_assert_uint_eq(s.calls, 0);
	ck_assert(isnan(s.accuracy) && isnan(s.accuracy_p));
	NEAR(s.skill_crps, 0.0);
	NEAR(s.skill_pinball, 0.0);
	NEAR(s.skill_rmse, 0.0);
	ck_assert_uint_eq(s.skill_n, 3);

	/* Drift (median 105, up): A up hit, B down miss, C up hit. */
	ck_assert_int_eq(ms_bt_fc_aggregate(rows, 8, MS_FORECAST_DRIFT, 7,
	    MS_BT_FC_ALL, &d), 0);
	ck_assert_uint_eq(d.calls, 3);
	ck_assert_uint_eq(d.hits, 2);
	NEAR(d.accuracy, 2.0 / 3);
	NEAR(d.accuracy_p, 1.0);    /* 2 * min(7/8, 4/8) = 1 */
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(ms_bt_fc_crps_normal(log(100.0), 0.2, log(y[i]),
		    &c), 0);
		NEAR(rows[i].crps, c);
		cn += c;
		ck_assert_int_eq(ms_bt_fc_crps_normal(log(105.0), 0.2,
		    log(y[i]), &c), 0);
		cd += c;
		for (int k = 0; k < MS_FORECAST_NQ; k++) {
			pn += rows[i].pinball[k] / MS_FORECAST_NQ;
			pd += rows[4 + i].pinball[k] / MS_FORECAST_NQ;
		}
	}
	NEAR(d.crps, cd / 3);
	NEAR(d.skill_crps, 1 - cd / cn);
	NEAR(d.skill_pinball, 1 - pd / pn);
	want = 1 - sqrt((log(105.0 / 110) * log(105.0 / 110) +
	    log(105.0 / 84) * log(105.0 / 84) + log(105.0 / 130) *
	    log(105.0 / 130)) / 3) / s.rmse;
	NEAR(d.skill_rmse, want);
	/* Per asset: the rows' asset is 0; asset 1 has nothing. */
	ck_assert_int_eq(ms_bt_fc_aggregate(rows, 8, MS_FORECAST_DRIFT, 7, 1,
	    &d), 0);
	ck_assert_uint_eq(d.forecasts, 0);
	ck_assert(isnan(d.crps) && isnan(d.coverage[0]) && isnan(d.skill_crps));
}
END_TEST

/* ---- the generated store --------------------------------------------- */

static uint64_t
lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

static struct ms_store *
build_store(const char *dir)
{
	struct ms_store *st = tu_open_store(dir, "fc.db");
	sqlite3 *db = ms_store_db(st);
	uint64_t seed = 4242;
	double pa = 100, pb = 2;
	int64_t src;

	ck_assert_int_eq(ms_store_begin(st), 0);
	ck_assert_int_eq(ms_store_source(st, "fix", 10, "close at 23:59 UTC",
	    0, "forecast fixture", &src), 0);
	tu_insert_asset(db, 1, "alpha", "ALP", "Alpha", "");
	tu_insert_asset(db, 2, "beta", "BET", "Beta", "");
	for (int i = 0; i < 600; i++) {
		pa *= exp(((double)(lcg(&seed) % 1001) - 500) / 10000);
		if (i != 250)
			tu_insert_bar(db, 1, src, D0 + i, pa, pa, pa, pa, 1e7,
			    pa * 1e6);
		if (i >= 300) {
			pb *= exp(((double)(lcg(&seed) % 1001) - 480) / 8000);
			tu_insert_bar(db, 2, src, D0 + i, pb, pb, pb, pb, 1e5,
			    pb * 1e5);
		}
	}
	for (int64_t id = 1; id <= 2; id++)
		ck_assert_int_eq(ms_store_rebuild_daily(st, id), 0);
	ck_assert_int_eq(ms_store_bump_version(st), 0);
	ck_assert_int_eq(ms_store_commit(st), 0);
	return st;
}

static void
base_params(struct ms_bt_fc_params *p)
{
	ms_bt_fc_params_default(p);
	ck_assert_int_eq(ms_bt_fc_parse_assets("ALP,beta", p), 0);
	ck_assert_int_eq(ms_bt_fc_parse_horizons("7,30", p), 0);
	p->from = D0 + 334;
	p->to = D0 + 533;
	p->step = 66;                   /* origins 334, 400, 466, 532 */
}

static struct ms_bt_fc_result *
run(struct ms_store *st, const struct ms_bt_fc_params *p)
{
	struct ms_bt_fc_result *r = NULL;
	char why[256];
	int rc = ms_bt_fc_run(st, p, NULL, NULL, &r, why, sizeof(why));

	ck_assert_msg(rc == 0, "run: %d %s", rc, why);
	ck_assert_ptr_nonnull(r);
	return r;
}

static double
jnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	ck_assert_msg(cJSON_IsNumber(v), "no number %s", k);
	return v->valuedouble;
}

START_TEST(test_walk_forward)
{
	static const char *const qn[MS_FORECAST_NQ] = { "p05", "p10", "p25",
		"p50", "p75", "p90", "p95" };
	char dir[64], path[128];
	struct ms_bt_fc_params p;
	struct ms_bt_fc_result *r;
	struct ms_store *st;
	size_t checked = 0;

	tu_tmpdir(dir, sizeof(dir), "ms_btfc");
	st = build_store(dir);
	base_params(&p);
	r = run(st, &p);
	ck_assert_uint_eq(r->norigins, 4);
	ck_assert_int_eq(r->origins[3], D0 + 532);
	ck_assert_uint_eq(r->nassets, 2);
	ck_assert_str_eq(r->assets[0].asset.slug, "alpha");
	/* Beta at day 334 has 34 bars (33 returns >= 30): every origin fits.
	 * 2 assets x 4 origins x 4 models x 2 horizons. */
	ck_assert_uint_eq(r->nrows, 64);
	ck_assert_uint_eq(r->no_forecast, 0);
	ck_assert_uint_eq(r->judged, 64);
	ck_assert_uint_eq(r->sample_mismatch, 0);
	/* Alpha's garch is simulated, and its sample was reproduced. */
	for (size_t i = 0; i < r->nrows; i++)
		if (r->rows[i].method == MS_FORECAST_MONTE_CARLO) {
			ck_assert(isfinite(r->rows[i].crps_sample));
			checked++;
		} else {
			ck_assert(isnan(r->rows[i].crps_sample));
		}
	ck_assert_uint_ge(checked, 4);
	checked = 0;

	/* Every row is what the route answers for that day and horizon. */
	snprintf(path, sizeof(path), "%s/fc.db", dir);
	setenv(MS_STORE_ENV, path, 1);
	for (size_t i = 0; i < r->nrows; i++) {
		const struct ms_bt_fc_row *w = &r->rows[i];
		char uri[160], e_uri[200], e_qs[200], day[MS_DATE_LEN + 1];
		char *envp[] = { (char *)(uintptr_t)"REQUEST_METHOD=GET", e_uri,
			e_qs, NULL };
		const cJSON *fcs, *it;
		struct ms_response res;
		struct ms_ctx ctx;
		cJSON *json;
		int found = 0;

		ck_assert_uint_eq(w->naive, i - (size_t)w->model);
		ck_assert_int_eq(w->target_day, w->origin + w->horizon);
		ck_assert_int_eq(w->realised_day, w->target_day);
		if (w->model != MS_FORECAST_NAIVE && w->model != MS_FORECAST_GARCH)
			continue;           /* two models per row group suffice */
		ms_date_format(w->origin, day);
		snprintf(uri, sizeof(uri), "/v1/forecasts/%s?horizon=%d&as_of=%s"
		    "&model=%s", r->assets[w->asset].asset.slug, w->horizon, day,
		    ms_forecast_model_name(w->model));
		snprintf(e_uri, sizeof(e_uri), "REQUEST_URI=%s", uri);
		snprintf(e_qs, sizeof(e_qs), "QUERY_STRING=%s",
		    strchr(uri, '?') + 1);
		ms_ctx_init(&ctx);
		ms_response_init(&res);
		ms_handle(&ctx, ms_route_v1_forecasts, envp, &res);
		ck_assert_int_eq(res.status, 200);
		json = cJSON_ParseWithLength(res.body.data, res.body.len);
		ms_response_free(&res);
		ms_ctx_free(&ctx);
		ck_assert_ptr_nonnull(json);
		fcs = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(json, "data"), "forecasts");
		cJSON_ArrayForEach(it, fcs) {
			const cJSON *q = cJSON_GetObjectItemCaseSensitive(it,
			    "quantiles");
			for (int k = 0; k < MS_FORECAST_NQ; k++)
				ck_assert_msg(jnum(q, qn[k]) == w->q[k],
				    "%s: %s %.17g vs route %.17g", uri, qn[k], w->q[k],
				    jnum(q, qn[k]));
			ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(it,
			    "used")->valuestring, ms_forecast_model_name(w->used));
			found++;
		}
		ck_assert_int_eq(found, 1);
		checked++;
		cJSON_Delete(json);
	}
	unsetenv(MS_STORE_ENV);
	ck_assert_uint_eq(checked, 32);

	/* The realised close is the close on origin + h. */
	for (size_t i = 0; i < r->nrows; i++) {
		struct ms_bar b;
		const struct ms_bt_fc_row *w = &r->rows[i];

		ck_assert_int_eq(ms_market_bar_at(st, r->assets[w->asset].asset.id,
		    w->target_day, &b), 0);
		ck_assert(b.close == w->realised);
	}
	ms_bt_fc_result_free(r);

	/* An origin before beta's 30th return: its four models are skipped. */
	p.from = p.to = D0 + 320;
	r = run(st, &p);
	ck_assert_uint_eq(r->nrows, 8);
	ck_assert_uint_eq(r->no_forecast, 4);
	ck_assert_uint_eq(r->assets[1].no_forecast, 4);
	ck_assert_uint_eq(r->assets[1].forecasts, 0);
	ms_bt_fc_result_free(r);

	/* Day 250 has no close: no forecast of alpha as of that day. */
	p.from = p.to = D0 + 250;
	r = run(st, &p);
	ck_assert_uint_eq(r->nrows, 0);
	ck_assert_uint_eq(r->assets[0].no_forecast, 4);
	ms_bt_fc_result_free(r);

	/* Horizons past the store's end are made but not judged. */
	p.from = p.to = D0 + 590;
	r = run(st, &p);
	ck_assert_uint_eq(r->nrows, 16);
	ck_assert_uint_eq(r->judged, 8);       /* h 7 only */
	ms_bt_fc_result_free(r);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

START_TEST(test_lookahead)
{
	char dir[64];
	struct ms_bt_fc_params p;
	struct ms_forecast *fa, *fb;
	struct ms_store *st;
	const int64_t ids[2] = { 1, 2 };
	int ra[8], rb[8], same, differ = 0;

	tu_tmpdir(dir, sizeof(dir), "ms_btfc_la");
	st = build_store(dir);
	base_params(&p);
	for (int32_t d = D0 + 320; d <= D0 + 590; d += 45) {
		same = 0;
		ck_assert_int_eq(ms_bt_fc_check_lookahead(st, d, ids, 2, &p, dir,
		    &same), 0);
		ck_assert_msg(same, "forecasts on day %d differ when the store "
		    "is truncated after it", (int)(d - D0));
	}
	/* The comparison can tell forecasts apart: the next day differs. */
	fa = calloc(2 * 4 * 2, sizeof(*fa));
	fb = calloc(2 * 4 * 2, sizeof(*fb));
	ck_assert(fa != NULL && fb != NULL);
	ck_assert_int_eq(ms_bt_fc_forecast_at(st, D0 + 400, ids, 2, &p, fa, ra),
	    0);
	ck_assert_int_eq(ms_bt_fc_forecast_at(st, D0 + 401, ids, 2, &p, fb, rb),
	    0);
	for (int k = 0; k < 16; k++)
		differ += memcmp(fa[k].quantile, fb[k].quantile,
		    sizeof(fa[k].quantile)) != 0;
	ck_assert_int_eq(differ, 16);
	free(fa);
	free(fb);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

START_TEST(test_recorded)
{
	char dir[64];
	struct ms_bt_fc_params p, w;
	struct ms_bt_fc_result *r, *f;
	struct ms_record_opts o;
	struct ms_store *st;
	size_t matched = 0;

	tu_tmpdir(dir, sizeof(dir), "ms_btfc_rec");
	st = build_store(dir);
	ms_record_opts_default(&o);
	o.horizons[0] = 7;
	o.horizons[1] = 30;
	o.nhorizons = 2;
	ck_assert_int_eq(ms_record_day_opts(st, D0 + 400, &o, NULL), 0);
	ck_assert_int_eq(ms_record_day_opts(st, D0 + 580, &o, NULL), 0);

	/* Recorded: every recorded asset, model and horizon 7 and 30. */
	ms_bt_fc_params_default(&p);
	p.recorded = 1;
	ck_assert_int_eq(ms_bt_fc_parse_horizons("7,30", &p), 0);
	r = run(st, &p);
	ck_assert_int_eq(r->params.from, D0 + 400);
	ck_assert_int_eq(r->params.to, D0 + 580);
	ck_assert_uint_eq(r->norigins, 2);
	ck_assert_uint_eq(r->nassets, 2);
	ck_assert_uint_eq(r->nrows, 32);
	/* Day 580 + 30 is past the store: 8 of its 16 are not judged. */
	ck_assert_uint_eq(r->judged, 24);

	/* The walk-forward on the same days makes the same forecasts. */
	base_params(&w);
	w.from = D0 + 400;
	w.to = D0 + 580;
	w.step = 180;
	f = run(st, &w);
	ck_assert_uint_eq(f->nrows, r->nrows);
	for (size_t i = 0; i < r->nrows; i++) {
		const struct ms_bt_fc_row *a = &r->rows[i], *b = &f->rows[i];

		ck_assert_int_eq(a->origin, b->origin);
		ck_assert_int_eq(a->model, b->model);
		ck_assert_int_eq(a->used, b->used);
		ck_assert_int_eq(a->horizon, b->horizon);
		ck_assert_str_eq(r->assets[a->asset].asset.slug,
		    f->assets[b->asset].asset.slug);
		ck_assert(memcmp(a->q, b->q, sizeof(a->q)) == 0);
		ck_assert(a->price == b->price);
		ck_assert(a->realised == b->realised || (isnan(a->realised) &&
		    isnan(b->realised)));
		/* A closed-form law is recovered from its quantiles. */
		if (b->method == MS_FORECAST_CLOSED_FORM) {
			near_at(a->log_sd, b->log_sd, 1e-9, __LINE__);
			near_at(a->log_mean, b->log_mean, 1e-9, __LINE__);
			if (isfinite(b->realised))
				near_at(a->crps, b->crps, 1e-9, __LINE__);
		}
		ck_assert(isnan(a->crps) == isnan(b->crps));
		ck_assert(isnan(a->crps_sample));
		ck_assert_uint_eq(a->naive == SIZE_MAX, 0);
		ck_assert_int_eq(r->rows[a->naive].model, MS_FORECAST_NAIVE);
		matched++;
	}
	ck_assert_uint_eq(matched, 32);
	ms_bt_fc_result_free(f);
	ms_bt_fc_result_free(r);

	/* Filters: one asset, one model, one horizon. */
	ck_assert_int_eq(ms_bt_fc_parse_assets("BET", &p), 0);
	ck_assert_int_eq(ms_bt_fc_parse_models("ewma", &p), 0);
	ck_assert_int_eq(ms_bt_fc_parse_horizons("30", &p), 0);
	r = run(st, &p);
	ck_assert_uint_eq(r->nrows, 2);
	ck_assert_uint_eq(r->nassets, 1);
	ck_assert_str_eq(r->assets[0].asset.slug, "beta");
	ck_assert_ptr_null(ms_bt_fc_cell(r, MS_BT_FC_ALL, MS_FORECAST_NAIVE,
	    30));
	ck_assert(isnan(ms_bt_fc_cell(r, MS_BT_FC_ALL, MS_FORECAST_EWMA,
	    30)->skill_crps));      /* no naive to compare with */
	ms_bt_fc_result_free(r);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

START_TEST(test_report_files)
{
	static const char *const files[] = { "summary.json", "forecasts.csv",
		"summary.md" };
	char dir[64], rep[128], path[200], err[256], *text;
	struct ms_bt_fc_params p;
	struct ms_bt_fc_result *r;
	struct ms_store *st;
	struct ms_buf b;
	cJSON *doc;
	const cJSON *m;
	size_t lines = 0;

	tu_tmpdir(dir, sizeof(dir), "ms_btfc_rep");
	st = build_store(dir);
	base_params(&p);
	r = run(st, &p);
	snprintf(rep, sizeof(rep), "%s/out/report", dir);
	ck_assert_msg(ms_bt_fc_write_report(r, rep, err, sizeof(err)) == 0,
	    "%s", err);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", rep, files[i]);
		ck_assert_msg(access(path, R_OK) == 0, "%s missing", files[i]);
	}
	/* The document as written (numbers are raw items until printed). */
	doc = ms_bt_fc_summary_json(r);
	ck_assert_ptr_nonnull(doc);
	text = cJSON_PrintUnformatted(doc);
	ck_assert_ptr_nonnull(text);
	cJSON_Delete(doc);
	doc = cJSON_Parse(text);
	cJSON_free(text);
	ck_assert_ptr_nonnull(doc);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(doc, "schema")->
	    valuestring, MS_BT_FC_SCHEMA);
	m = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(doc, "metrics"), "garch"), "h30");
	ck_assert_ptr_nonnull(m);
	ck_assert(jnum(m, "judged") == 8);
	ck_assert(jnum(m, "crps") == ms_bt_fc_cell(r, MS_BT_FC_ALL,
	    MS_FORECAST_GARCH, 30)->crps);
	ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(doc, "by_asset"), "beta"));
	cJSON_Delete(doc);
	ms_buf_init(&b, 0);
	ck_assert_int_eq(ms_bt_fc_csv(r, &b), 0);
	for (size_t i = 0; i < b.len; i++)
		lines += b.data[i] == '\n';
	ck_assert_uint_eq(lines, r->nrows + 1);
	ck_assert(strncmp(b.data, "origin,asset,symbol,model,", 26) == 0);
	ms_buf_free(&b);
	text = ms_bt_fc_summary_markdown(r);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(strstr(text, "| garch | 30 | 8 |"));
	free(text);
	ms_bt_fc_result_free(r);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

/* ---- limits ---------------------------------------------------------- */

START_TEST(test_parse_limits)
{
	static const struct {
		const char *s;
		int rc;
	} horizons[] = {
		{ "7,30,90", 0 }, { "90,7,7,30", 0 }, { "", MS_ERR_PARSE },
		{ ",7", MS_ERR_PARSE }, { "7,", MS_ERR_PARSE },
		{ "7,,30", MS_ERR_PARSE }, { " 7", MS_ERR_PARSE },
		{ "7 ", MS_ERR_PARSE }, { "-7", MS_ERR_PARSE },
		{ "0", MS_ERR_RANGE }, { "3661", MS_ERR_RANGE },
		{ "99999999", MS_ERR_TOOBIG }, { "7x", MS_ERR_PARSE },
		{ "1,2,3,4,5,6,7,8", 0 }, { "1,2,3,4,5,6,7,8,9", MS_ERR_TOOBIG },
	}, models[] = {
		{ "naive", 0 }, { "garch,naive", 0 }, { "all", MS_ERR_PARSE },
		{ "Naive", MS_ERR_PARSE }, { "naive,", MS_ERR_PARSE },
		{ "", MS_ERR_PARSE }, { "naive,naiv", MS_ERR_PARSE },
	}, assets[] = {
		{ "BTC", 0 }, { "BTC,ETH", 0 }, { "", MS_ERR_PARSE },
		{ "BTC,,ETH", MS_ERR_PARSE }, { "BT C", MS_ERR_PARSE },
		{ "BTC\t", MS_ERR_PARSE },
		{ "a123456789b123456789c123456789d123456789e123456789f123456789"
		  "g1234", MS_ERR_TOOBIG },
	};
	struct ms_bt_fc_params p;
	char many[400];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(horizons) / sizeof(horizons[0]); i++) {
		ms_bt_fc_params_default(&p);
		ck_assert_msg(ms_bt_fc_parse_horizons(horizons[i].s, &p) ==
		    horizons[i].rc, "horizons \"%s\"", horizons[i].s);
		if (horizons[i].rc != 0) {
			/* A rejected list leaves the defaults. */
			ck_assert_uint_eq(p.nhorizons, 3);
			ck_assert_int_eq(p.horizons[2], 90);
		}
	}
	ms_bt_fc_params_default(&p);
	ck_assert_int_eq(ms_bt_fc_parse_horizons("90,7,7,30", &p), 0);
	ck_assert_uint_eq(p.nhorizons, 3);
	ck_assert(p.horizons[0] == 7 && p.horizons[1] == 30 &&
	    p.horizons[2] == 90);
	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		ms_bt_fc_params_default(&p);
		ck_assert_msg(ms_bt_fc_parse_models(models[i].s, &p) ==
		    models[i].rc, "models \"%s\"", models[i].s);
	}
	ms_bt_fc_params_default(&p);
	ck_assert_int_eq(ms_bt_fc_parse_models("garch,naive", &p), 0);
	ck_assert(p.model_on[0] && !p.model_on[1] && !p.model_on[2] &&
	    p.model_on[3]);
	for (size_t i = 0; i < sizeof(assets) / sizeof(assets[0]); i++) {
		ms_bt_fc_params_default(&p);
		ck_assert_msg(ms_bt_fc_parse_assets(assets[i].s, &p) ==
		    assets[i].rc, "assets \"%s\"", assets[i].s);
	}
	/* 64 keys pass, 65 do not. */
	for (int i = 0; i < 65; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "%sA%d",
		    i ? "," : "", i);
	ms_bt_fc_params_default(&p);
	ck_assert_int_eq(ms_bt_fc_parse_assets(many, &p), MS_ERR_TOOBIG);
	*strrchr(many, ',') = '\0';
	ck_assert_int_eq(ms_bt_fc_parse_assets(many, &p), 0);
	ck_assert_uint_eq(p.nassets, 64);
}
END_TEST

START_TEST(test_params_limits)
{
	struct ms_bt_fc_params p;
	char why[160];
	static const struct {
		int field, value, ok;
	} cases[] = {
		{ 0, 0, 0 }, { 0, 1, 1 }, { 0, 3660, 1 }, { 0, 3661, 0 },
		{ 1, 30, 0 }, { 1, 31, 1 }, { 1, 10000, 1 }, { 1, 10001, 0 },
		{ 2, 0, 0 }, { 2, 1, 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ms_bt_fc_params_default(&p);
		if (cases[i].field == 0)
			p.step = cases[i].value;
		else if (cases[i].field == 1)
			p.window = (size_t)cases[i].value;
		else
			for (int m = 0; m < MS_FORECAST_NMODELS; m++)
				p.model_on[m] = m < cases[i].value;
		ck_assert_msg((ms_bt_fc_params_check(&p, why, sizeof(why)) == 0) ==
		    cases[i].ok, "case %zu", i);
	}
	ms_bt_fc_params_default(&p);
	p.from = D0 + 10;
	p.to = D0 + 9;
	ck_assert_int_eq(ms_bt_fc_params_check(&p, why, sizeof(why)),
	    MS_ERR_RANGE);
	ck_assert_ptr_nonnull(strstr(why, "--to"));
	ms_bt_fc_params_default(&p);
	p.horizons[1] = 7;                  /* not increasing */
	ck_assert_int_eq(ms_bt_fc_params_check(&p, why, sizeof(why)),
	    MS_ERR_RANGE);
	ms_bt_fc_params_default(&p);
	p.nhorizons = 0;
	ck_assert_int_eq(ms_bt_fc_params_check(&p, why, sizeof(why)),
	    MS_ERR_RANGE);
	ms_bt_fc_params_default(&p);
	p.from = MS_DATE_MIN - 1;
	ck_assert_int_eq(ms_bt_fc_params_check(&p, why, sizeof(why)),
	    MS_ERR_RANGE);
}
END_TEST

START_TEST(test_run_limits)
{
	char dir[64], why[256];
	struct ms_bt_fc_params p;
	struct ms_bt_fc_result *r = NULL;
	struct ms_store *st, *empty;

	tu_tmpdir(dir, sizeof(dir), "ms_btfc_lim");
	empty = tu_open_store(dir, "empty.db");
	ms_bt_fc_params_default(&p);
	ck_assert_int_eq(ms_bt_fc_run(empty, &p, NULL, NULL, &r, why,
	    sizeof(why)), MS_ERR_NODATA);
	ck_assert_ptr_null(r);
	ms_store_close(empty);

	st = build_store(dir);
	/* The default majors: none of them is in this store. */
	ck_assert_int_eq(ms_bt_fc_run(st, &p, NULL, NULL, &r, why, sizeof(why)),
	    MS_ERR_NOTFOUND);
	ck_assert_ptr_nonnull(strstr(why, "default"));
	/* An unknown key is named. */
	ck_assert_int_eq(ms_bt_fc_parse_assets("ALP,NOPE", &p), 0);
	ck_assert_int_eq(ms_bt_fc_run(st, &p, NULL, NULL, &r, why, sizeof(why)),
	    MS_ERR_NOTFOUND);
	ck_assert_ptr_nonnull(strstr(why, "NOPE"));
	/* Defaults: from first day + 365 to last day - 90. */
	ck_assert_int_eq(ms_bt_fc_parse_assets("ALP", &p), 0);
	p.step = 50;
	r = run(st, &p);
	ck_assert_int_eq(r->params.from, D0 + 365);
	ck_assert_int_eq(r->params.to, D0 + 599 - 90);
	ck_assert_uint_eq(r->norigins, 3);
	ms_bt_fc_result_free(r);
	r = NULL;
	/* Too many origins. */
	p.from = MS_DATE_MIN;
	p.to = MS_DATE_MAX;
	p.step = 1;
	ck_assert_int_eq(ms_bt_fc_run(st, &p, NULL, NULL, &r, why, sizeof(why)),
	    MS_ERR_TOOBIG);
	ck_assert_ptr_null(r);
	/* The range after the store: no origin has data. */
	p.from = D0 + 700;
	p.to = D0 + 710;
	p.step = 5;
	r = run(st, &p);
	ck_assert_uint_eq(r->nrows, 0);
	ck_assert_uint_eq(r->no_forecast, 3 * 4);
	ck_assert(isnan(ms_bt_fc_cell(r, MS_BT_FC_ALL, MS_FORECAST_NAIVE,
	    7)->crps));
	ms_bt_fc_result_free(r);
	r = NULL;
	/* No records yet. */
	ms_bt_fc_params_default(&p);
	p.recorded = 1;
	ck_assert_int_eq(ms_bt_fc_run(st, &p, NULL, NULL, &r, why, sizeof(why)),
	    MS_ERR_NODATA);
	ck_assert_ptr_nonnull(strstr(why, "recorded"));
	ck_assert_int_eq(ms_bt_fc_run(NULL, &p, NULL, NULL, &r, why,
	    sizeof(why)), MS_ERR_INVALID);
	ms_bt_fc_result_free(NULL);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

Suite *make_bt_forecasts_suite(void);

Suite *
make_bt_forecasts_suite(void)
{
	Suite *s = suite_create("bt_forecasts");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");

	tcase_set_timeout(core, 300);
	tcase_set_timeout(limits, 120);
	tcase_add_test(core, test_pinball);
	tcase_add_test(core, test_crps_normal);
	tcase_add_test(core, test_crps_sample);
	tcase_add_test(core, test_binom_p);
	tcase_add_test(core, test_coverage_counting);
	tcase_add_test(core, test_walk_forward);
	tcase_add_test(core, test_lookahead);
	tcase_add_test(core, test_recorded);
	tcase_add_test(core, test_report_files);
	tcase_add_test(limits, test_parse_limits);
	tcase_add_test(limits, test_params_limits);
	tcase_add_test(limits, test_run_limits);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}
