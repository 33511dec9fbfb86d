/*
 * check_target.c — tests of ms_target: the XRP acceptance example
 * (price 0.5010, supply 52.08 B, target $500), the GBM touch and
 * end-above probabilities against independent values and hand identities,
 * the closed form against a seeded Monte Carlo, per-model probabilities
 * from fitted forecasts, and argument limits.
 *
 * Reference values come from tests/forecast/target_ref.py, which checks
 * the closed form against a numerical integral of the first-passage-time
 * density and against Shreve's joint density before printing them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "forecast/msref.h"
#include "ms_error.h"
#include "ms_forecast.h"
#include "ms_garch.h"
#include "ms_target.h"

/* target_ref.py output: s0, target, nu, sigma, T, touch, above. */
static const struct {
	double s0, target, nu, sigma, t, touch, above;
} ref[] = {
	{ 1, 2, 0, 0.04, 365, 0.36439382000484488, 0.1821969100024225 },
	{ 1, 2, 0.001, 0.04, 365, 0.53141448844567996, 0.33381600010070067 },
	{ 1, 2, -0.002, 0.04, 365, 0.12307026866665646, 0.031282295593908237 },
	{ 1, 0.5, 0.001, 0.04, 365, 0.22343226917392939, 0.91692006974557705 },
	{ 1, 0.5, -0.001, 0.03, 730, 0.70274240294148038, 0.48186788377025191 },
	{ 100, 150, 0.0005, 0.02, 30, 0.00035301167124603377,
	  0.00018231521303032898 },
	{ 0.501, 500, 0, 0.0376, 365, 7.0191805807607511e-22,
	  3.5095902903803779e-22 },
	{ 0.501, 500, 0, 0.0376, 1825, 1.7138219542404578e-05,
	  8.5691097712022924e-06 },
	{ 0.501, 500, 0, 0.0376, 3650, 0.0023655918544134725,
	  0.0011827959272067362 },
	{ 0.501, 500, 0.00115, 0.0376, 3650, 0.15518563643539451,
	  0.1165879063975056 },
	{ 0.501, 500, 0, 0.0273, 365, 5.1251603603880689e-40,
	  2.562580180194034e-40 },
	/* 2 nu b / sigma^2 = 829: exp() alone would overflow */
	{ 1, 1000, 0.006, 0.01, 1000, 0.0022072932868557435,
	  0.0020486348612221571 },
	{ 1, 1000, -0.003, 0.05, 3650, 5.9083671286522671e-08,
	  1.6932478321029812e-09 },
};

/* Broadie, Glasserman & Kou (1997): beta = -zeta(1/2) / sqrt(2 pi). */
#define BGK_BETA 0.5825971579390107

static double
rel_err(double got, double want)
{
	return fabs(got - want) / fmax(fabs(want), 1e-300);
}

START_TEST(test_acceptance_xrp)
{
	/*
	 * The example with hand-made inputs: price 0.5010 and a
	 * market cap of 0.5010 x 52.08e9, target $500. By hand:
	 * 500 / 0.5010 = 998.004, +99,700.4 %, 500 x 52.08e9 = 26.04e12.
	 */
	struct ms_target_basic t;

	ck_assert_int_eq(ms_target_basic(0.5010, 0.5010 * 52.08e9, NAN, 500, &t),
	    MS_OK);
	ck_assert(rel_err(t.supply, 52.08e9) < 1e-12);
	ck_assert(rel_err(t.multiple, 998.003992015968) < 1e-12);
	ck_assert(fabs(t.multiple - 998) < 0.5);
	ck_assert(rel_err(t.change_pct, 99700.3992015968) < 1e-12);
	ck_assert(fabs(t.change_pct - 99700) < 50);
	ck_assert(rel_err(t.implied_market_cap, 26.04e12) < 1e-12);
	ck_assert(fabs(t.implied_market_cap - 26.0e12) < 0.05e12);
	ck_assert(isnan(t.max_supply) && isnan(t.implied_fdv));

	/* The stored CoinGecko row for 2023-06-22, pasted: price
	 * 0.500997345241522, market cap 26091973532.575783; XRP's max
	 * supply is 100 B. */
	ck_assert_int_eq(ms_target_basic(0.500997345241522, 26091973532.575783,
	    100e9, 500, &t), MS_OK);
	ck_assert(fabs(t.supply / 1e9 - 52.08) < 0.005);
	ck_assert(fabs(t.multiple - 998) < 0.5);
	ck_assert(fabs(t.implied_market_cap / 1e12 - 26.0) < 0.05);
	ck_assert(rel_err(t.implied_fdv, 50e12) < 1e-15);
}
END_TEST

START_TEST(test_basic_unknowns)
{
	const double unknown[] = { NAN, 0, -1, INFINITY };
	struct ms_target_basic t;

	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		ck_assert_int_eq(ms_target_basic(2, unknown[i], unknown[i], 3,
		    &t), MS_OK);
		ck_assert(t.multiple == 1.5 && t.change_pct == 50);
		ck_assert(isnan(t.market_cap) && isnan(t.supply) &&
		    isnan(t.implied_market_cap) && isnan(t.implied_fdv));
	}
	/* A target below the price: a fraction and a negative change. */
	ck_assert_int_eq(ms_target_basic(4, 400, NAN, 1, &t), MS_OK);
	ck_assert(t.multiple == 0.25 && t.change_pct == -75);
	ck_assert(t.supply == 100 && t.implied_market_cap == 100);
}
END_TEST

START_TEST(test_touch_reference)
{
	for (size_t i = 0; i < sizeof(ref) / sizeof(ref[0]); i++) {
		double touch = -1, above = -1;

		ck_assert_int_eq(ms_target_touch_gbm(ref[i].s0, ref[i].target,
		    ref[i].nu, ref[i].sigma, ref[i].t, &touch), MS_OK);
		ck_assert_int_eq(ms_target_end_above_gbm(ref[i].s0,
		    ref[i].target, ref[i].nu, ref[i].sigma, ref[i].t, &above),
		    MS_OK);
		ck_assert_msg(rel_err(touch, ref[i].touch) < 1e-9,
		    "case %zu: touch %.17g want %.17g", i, touch, ref[i].touch);
		ck_assert_msg(rel_err(above, ref[i].above) < 1e-9,
		    "case %zu: above %.17g want %.17g", i, above, ref[i].above);
		/* Ending above an upper target implies having touched it. */
		if (ref[i].target > ref[i].s0)
			ck_assert(above <= touch);
	}
}
END_TEST

START_TEST(test_touch_hand)
{
	double p, q;

	/*
	 * Reflection principle, zero drift: P(max >= b) = 2 P(X_T >= b).
	 * b = ln 2, sigma sqrt(T) = 1: 2 Q(ln 2) = 2 x 0.24410859578558275
	 * (normal table: Q(0.6931) = 0.2441).
	 */
	ck_assert_int_eq(ms_target_touch_gbm(1, 2, 0, 0.1, 100, &p), MS_OK);
	ck_assert(rel_err(p, 0.4882171915711655) < 1e-12);
	ck_assert_int_eq(ms_target_end_above_gbm(1, 2, 0, 0.1, 100, &q), MS_OK);
	ck_assert(rel_err(p, 2 * q) < 1e-12);
	/* Scale-free in the price: only B / S_0 matters. */
	ck_assert_int_eq(ms_target_touch_gbm(1000, 2000, 0, 0.1, 100, &q),
	    MS_OK);
	ck_assert(rel_err(p, q) < 1e-14);
	/* Downward target, zero drift: symmetric to the upward one. */
	ck_assert_int_eq(ms_target_touch_gbm(2, 1, 0, 0.1, 100, &q), MS_OK);
	ck_assert(rel_err(p, q) < 1e-14);
	/* Drift nu and -nu swap under reflection of the barrier. */
	ck_assert_int_eq(ms_target_touch_gbm(1, 2, 0.003, 0.05, 200, &p), MS_OK);
	ck_assert_int_eq(ms_target_touch_gbm(1, 0.5, -0.003, 0.05, 200, &q),
	    MS_OK);
	ck_assert(rel_err(p, q) < 1e-14);
	/* Already there: certain. */
	ck_assert_int_eq(ms_target_touch_gbm(3, 3, -0.01, 0.05, 10, &p), MS_OK);
	ck_assert(p == 1.0);
	/* No time, no touch; no volatility, the deterministic path. */
	ck_assert_int_eq(ms_target_touch_gbm(1, 2, 0.01, 0.05, 0, &p), MS_OK);
	ck_assert(p == 0.0);
	ck_assert_int_eq(ms_target_touch_gbm(1, 2, 0.01, 0, 70, &p), MS_OK);
	ck_assert(p == 1.0);   /* 0.01 x 70 = 0.7 >= ln 2 */
	ck_assert_int_eq(ms_target_touch_gbm(1, 2, 0.01, 0, 69, &p), MS_OK);
	ck_assert(p == 0.0);   /* 0.69 < ln 2 */
	ck_assert_int_eq(ms_target_end_above_gbm(1, 2, 0.01, 0, 70, &p), MS_OK);
	ck_assert(p == 1.0);
	/* Monotone in the horizon, and towards 1 with positive drift. */
	{
		double prev = 0;

		for (int t = 30; t <= 3650; t += 30) {
			ck_assert_int_eq(ms_target_touch_gbm(1, 10, 0.001, 0.04,
			    t, &p), MS_OK);
			ck_assert(p >= prev);
			prev = p;
		}
		ck_assert_int_eq(ms_target_touch_gbm(1, 10, 0.001, 0.04, 1e6,
		    &p), MS_OK);
		ck_assert(p > 0.999999);
		/* Negative drift: P(ever) = exp(2 nu b / sigma^2). */
		ck_assert_int_eq(ms_target_touch_gbm(1, 10, -0.0005, 0.04, 1e9,
		    &p), MS_OK);
		ck_assert(rel_err(p, exp(2 * -0.0005 * log(10) / 0.0016)) < 1e-9);
	}
}
END_TEST

START_TEST(test_touch_vs_monte_carlo)
{
	/*
	 * GBM simulated at daily closes (ms_garch_paths with alpha = beta = 0)
	 * against the closed form, 10,000 paths, 100 days. A daily path
	 * misses touches between closes, so the simulation must lie below
	 * the continuous closed form; Broadie, Glasserman & Kou (1997) shift
	 * the barrier away by beta sigma sqrt(dt), beta = 0.5826, dt = 1 day,
	 * to correct for that, and the simulation must match the shifted
	 * closed form within 4 binomial standard errors plus 0.005 for the
	 * correction's own O(dt) error. Against the unshifted formula the
	 * tolerance is loose: 0.06.
	 */
	static const struct {
		double target, nu, sigma;
	} cases[] = {
		{ 1.5, 0, 0.05 }, { 1.5, 0.002, 0.05 }, { 0.7, 0.001, 0.05 },
	};
	const int h[] = { 50, 100 };
	const size_t n = 10000;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ms_garch_params gbm = { cases[i].sigma * cases[i].sigma,
			0, 0 };
		double touch[2], above[2];
		double up = cases[i].target > 1 ? 1 : -1;
		double shifted = cases[i].target *
		    exp(up * BGK_BETA * cases[i].sigma);

		ck_assert_int_eq(ms_target_touch_mc(&gbm, cases[i].nu,
		    gbm.omega, 1, cases[i].target, h, 2, n, 42, touch, above),
		    MS_OK);
		for (size_t k = 0; k < 2; k++) {
			double cf, bgk, end, se;

			ck_assert_int_eq(ms_target_touch_gbm(1, cases[i].target,
			    cases[i].nu, cases[i].sigma, h[k], &cf), MS_OK);
			ck_assert_int_eq(ms_target_touch_gbm(1, shifted,
			    cases[i].nu, cases[i].sigma, h[k], &bgk), MS_OK);
			ck_assert_int_eq(ms_target_end_above_gbm(1,
			    cases[i].target, cases[i].nu, cases[i].sigma, h[k],
			    &end), MS_OK);
			se = sqrt(bgk * (1 - bgk) / (double)n);
			ck_assert_msg(fabs(touch[k] - bgk) < 4 * se + 0.005,
			    "case %zu h %d: mc %g bgk %g", i, h[k], touch[k], bgk);
			ck_assert_msg(touch[k] < cf && cf - touch[k] < 0.06,
			    "case %zu h %d: mc %g closed %g", i, h[k], touch[k],
			    cf);
			se = sqrt(end * (1 - end) / (double)n);
			ck_assert_msg(fabs(above[k] - end) < 4 * se,
			    "case %zu h %d: above mc %g cf %g", i, h[k],
			    above[k], end);
		}
	}
}
END_TEST

START_TEST(test_probs_per_model)
{
	double r[MSREF_NRET], c[MSREF_NRET + 1];
	const int h[] = { 30, 365 };
	double target;

	msref_prices(MSREF_SEED, MSREF_NRET, r, c);
	target = 1.5 * c[MSREF_NRET];
	for (int m = 0; m < MS_FORECAST_NMODELS; m++) {
		struct ms_forecast_params p;
		struct ms_forecast_fit f;
		struct ms_target_prob pr[2], again[2];

		ms_forecast_params_default((enum ms_forecast_model)m, &p);
		p.paths = 4000;
		ck_assert_int_eq(ms_forecast_fit(c, MSREF_NRET + 1, &p, &f), MS_OK);
		ck_assert_int_eq(ms_target_probs(&f, &p, target, h, 2, pr), MS_OK);
		for (size_t k = 0; k < 2; k++) {
			double v = ms_forecast_horizon_var(&f, h[k]);

			ck_assert_int_eq(pr[k].horizon, h[k]);
			ck_assert(pr[k].touch >= pr[k].above);
			ck_assert(pr[k].touch >= 0 && pr[k].touch <= 1);
			ck_assert(rel_err(pr[k].sigma * pr[k].sigma * h[k], v) <
			    1e-12);
			ck_assert(pr[k].drift == f.drift);
		}
		ck_assert(pr[0].touch <= pr[1].touch);
		if (m == MS_FORECAST_GARCH) {
			double cf;

			ck_assert_int_eq(pr[0].method, MS_FORECAST_MONTE_CARLO);
			ck_assert_uint_eq(pr[0].paths, 4000);
			ck_assert(pr[1].touch_se > 0 && pr[1].touch_se < 0.01);
			/* Deterministic for a given seed. */
			ck_assert_int_eq(ms_target_probs(&f, &p, target, h, 2,
			    again), MS_OK);
			ck_assert(memcmp(pr, again, sizeof(pr)) == 0);
			/* Roughly the GBM with the GARCH's average variance
			 * (loose: different path laws, discrete monitoring). */
			ck_assert_int_eq(ms_target_touch_gbm(f.price, target, 0,
			    pr[1].sigma, 365, &cf), MS_OK);
			ck_assert_msg(fabs(pr[1].touch - cf) < 0.08, "mc %g cf %g",
			    pr[1].touch, cf);
		} else {
			double cf;

			ck_assert_int_eq(pr[0].method, MS_FORECAST_CLOSED_FORM);
			ck_assert_uint_eq(pr[0].paths, 0);
			ck_assert(pr[0].touch_se == 0);
			ck_assert(pr[1].sigma == f.sigma ||
			    rel_err(pr[1].sigma, f.sigma) < 1e-15);
			ck_assert_int_eq(ms_target_touch_gbm(f.price, target,
			    f.drift, f.sigma, 365, &cf), MS_OK);
			ck_assert(rel_err(pr[1].touch, cf) < 1e-12);
		}
	}
}
END_TEST

START_TEST(test_limits_target)
{
	const struct ms_garch_params gbm = { 1e-3, 0, 0 };
	struct ms_target_basic t;
	struct ms_target_prob pr[MS_TARGET_MAX_HORIZONS + 1];
	struct ms_forecast_params p;
	struct ms_forecast_fit f;
	int h[MS_TARGET_MAX_HORIZONS + 1];
	double out = 42, r[MSREF_NRET], c[MSREF_NRET + 1];

	ck_assert_int_eq(ms_target_basic(0, 1, 1, 1, &t), MS_ERR_RANGE);
	ck_assert_int_eq(ms_target_basic(-1, 1, 1, 1, &t), MS_ERR_RANGE);
	ck_assert_int_eq(ms_target_basic(NAN, 1, 1, 1, &t), MS_ERR_RANGE);
	ck_assert_int_eq(ms_target_basic(1, 1, 1, 0, &t), MS_ERR_RANGE);
	ck_assert_int_eq(ms_target_basic(1, 1, 1, INFINITY, &t), MS_ERR_RANGE);
	ck_assert_int_eq(ms_target_basic(1e-300, 1, 1, 1e300, &t),
	    MS_ERR_RANGE);   /* multiple overflows */
	ck_assert_int_eq(ms_target_basic(1, 1, 1, 1, NULL), MS_ERR_INVALID);

	ck_assert_int_eq(ms_target_touch_gbm(0, 1, 0, 0.1, 1, &out),
	    MS_ERR_RANGE);
	ck_assert_int_eq(ms_target_touch_gbm(1, -1, 0, 0.1, 1, &out),
	    MS_ERR_RANGE);
	ck_assert_int_eq(ms_target_touch_gbm(1, 2, NAN, 0.1, 1, &out),
	    MS_ERR_RANGE);
	ck_assert_int_eq(ms_target_touch_gbm(1, 2, 0, -0.1, 1, &out),
	    MS_ERR_RANGE);
	ck_assert_int_eq(ms_target_touch_gbm(1, 2, 0, 0.1, -1, &out),
	    MS_ERR_RANGE);
	ck_assert_int_eq(ms_target_touch_gbm(1, 2, 0, 0.1, INFINITY, &out),
	    MS_ERR_RANGE);
	ck_assert_int_eq(ms_target_end_above_gbm(1, 2, 0, NAN, 1, &out),
	    MS_ERR_RANGE);
	ck_assert_int_eq(ms_target_touch_gbm(1, 2, 0, 0.1, 1, NULL),
	    MS_ERR_INVALID);
	ck_assert(out == 42);

	for (int k = 0; k <= MS_TARGET_MAX_HORIZONS; k++)
		h[k] = 10 * (k + 1);
	ck_assert_int_eq(ms_target_touch_mc(&gbm, 0, 1e-3, 1, 2, h,
	    MS_TARGET_MAX_HORIZONS + 1, 10, 1, NULL, NULL), MS_ERR_INVALID);
	ck_assert_int_eq(ms_target_touch_mc(&gbm, 0, 1e-3, 1, 2, h, 0, 10, 1,
	    NULL, NULL), MS_ERR_INVALID);
	ck_assert_int_eq(ms_target_touch_mc(&gbm, 0, 1e-3, 1, 2, h, 2, 0, 1,
	    NULL, NULL), MS_ERR_RANGE);
	ck_assert_int_eq(ms_target_touch_mc(&gbm, 0, 1e-3, 0, 2, h, 2, 10, 1,
	    NULL, NULL), MS_ERR_RANGE);
	h[1] = h[0];   /* not increasing */
	ck_assert_int_eq(ms_target_touch_mc(&gbm, 0, 1e-3, 1, 2, h, 2, 10, 1,
	    NULL, NULL), MS_ERR_INVALID);
	h[0] = 3650;
	ck_assert_int_eq(ms_target_touch_mc(&gbm, 0, 1e-3, 1, 2, h, 1,
	    MS_FORECAST_MAX_PATHS, 1, NULL, NULL), MS_ERR_TOOBIG);
	h[0] = MS_FORECAST_MAX_HORIZON + 1;
	ck_assert_int_eq(ms_target_touch_mc(&gbm, 0, 1e-3, 1, 2, h, 1, 10, 1,
	    NULL, NULL), MS_ERR_INVALID);

	msref_prices(MSREF_SEED, MSREF_NRET, r, c);
	ms_forecast_params_default(MS_FORECAST_DRIFT, &p);
	ck_assert_int_eq(ms_forecast_fit(c, MSREF_NRET + 1, &p, &f), MS_OK);
	h[0] = 365;
	ck_assert_int_eq(ms_target_probs(&f, &p, 0, h, 1, pr), MS_ERR_RANGE);
	ck_assert_int_eq(ms_target_probs(NULL, &p, 1, h, 1, pr), MS_ERR_INVALID);
	ck_assert_int_eq(ms_target_probs(&f, &p, 1, NULL, 1, pr),
	    MS_ERR_INVALID);
}
END_TEST

Suite *make_target_suite(void);

Suite *
make_target_suite(void)
{
	Suite *s = suite_create("target");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");

	tcase_set_timeout(core, 60);
	tcase_add_test(core, test_acceptance_xrp);
	tcase_add_test(core, test_basic_unknowns);
	tcase_add_test(core, test_touch_reference);
	tcase_add_test(core, test_touch_hand);
	tcase_add_test(core, test_touch_vs_monte_carlo);
	tcase_add_test(core, test_probs_per_model);
	tcase_add_test(limits, test_limits_target);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}
