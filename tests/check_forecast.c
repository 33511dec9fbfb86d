/*
 * check_forecast.c — tests of ms_forecast: the naive, drift, ewma and
 * garch models against independent values, hand-checked cases, missing
 * closes, fallbacks, determinism, point-in-time use of the input, and
 * argument limits.
 *
 * Reference values come from tests/forecast/forecast_ref.py (numpy and
 * scipy.stats.norm) on the 1001 deterministic closes of
 * tests/forecast/msref.py (re-implemented in tests/forecast/msref.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "forecast/msref.h"
#include "ms_error.h"
#include "ms_forecast.h"

#define NCLOSE (MSREF_NRET + 1)

/* forecast_ref.py output, horizon 30: quantiles, then P(above) at
 * 0.8 S_0, S_0 and 1.2 S_0. */
static const double ref_s0 = 2.587299966600245;
static const struct {
	enum ms_forecast_model model;
	double log_mean, log_sd;
	double q[MS_FORECAST_NQ];
	double above[3];
} ref[] = {
	{ MS_FORECAST_NAIVE, 0, 0.10102232545207213,
	  { 2.1911968679433556, 2.2731113429055769, 2.4168772756609007,
	    2.587299966600245, 2.7697397731289874, 2.9449156276757433,
	    3.0550067020918523 },
	  { 0.98640759555483148, 0.5, 0.035555732053840224 } },
	{ MS_FORECAST_DRIFT, 0.042964353982782116, 0.10102232545207213,
	  { 2.2873919076594769, 2.372902484043526, 2.5229798394800094,
	    2.7008842029989721, 2.891333241692831, 3.0741994359493399,
	    3.1891235837559688 },
	  { 0.99578258267103126, 0.66468941216205824, 0.083875043182393472 } },
	{ MS_FORECAST_EWMA, 0, 0.1620142416452402,
	  { 1.9820370619889363, 2.1022017397412824, 2.3194681243135924,
	    2.587299966600245, 2.8860586817293044, 3.1843381111431643,
	    3.3773945228108926 },
	  { 0.9157915168754025, 0.5, 0.13022190445375903 } },
	/* garch, closed form (paths = 0), window 1000, scipy's MLE */
	{ MS_FORECAST_GARCH, 0, 0.14617449396989746,
	  { 2.034355785459582, 2.145311356559314, 2.3443815835585697,
	    2.587299966600245, 2.8553888855450436, 3.1203494526341258,
	    3.2905360827321348 },
	  { 0.93656427278826038, 0.5, 0.10614612774702531 } },
};
static const double ref_ewma_sigma = 0.029579618262063654;

static double
rel_err(double got, double want)
{
	return fabs(got - want) / fmax(fabs(want), 1e-300);
}

static double *
ref_closes(void)
{
	double r[MSREF_NRET];
	double *c = malloc(NCLOSE * sizeof(*c));

	ck_assert_ptr_nonnull(c);
	msref_prices(MSREF_SEED, MSREF_NRET, r, c);
	return c;
}

static void
params(enum ms_forecast_model m, struct ms_forecast_params *p)
{
	ms_forecast_params_default(m, p);
	p->horizon = 30;
	p->paths = 0;   /* closed form for garch too */
}

START_TEST(test_reference_models)
{
	double *c = ref_closes();

	for (size_t i = 0; i < sizeof(ref) / sizeof(ref[0]); i++) {
		struct ms_forecast_params p;
		struct ms_forecast f;
		double lv[3];
		/* Closed forms agree to rounding; garch to the optimiser's
		 * tolerance (two different optimisers, same maximum). */
		double tol = ref[i].model == MS_FORECAST_GARCH ? 1e-6 : 1e-12;

		params(ref[i].model, &p);
		lv[0] = 0.8 * ref_s0;
		lv[1] = ref_s0;
		lv[2] = 1.2 * ref_s0;
		ck_assert_int_eq(ms_forecast_run(c, NCLOSE, &p, lv, 3, &f), MS_OK);
		ck_assert(f.fit.price == c[NCLOSE - 1]);
		ck_assert(rel_err(f.fit.price, ref_s0) < 1e-13);
		ck_assert_int_eq(f.fit.used, ref[i].model);
		ck_assert_int_eq(f.method, MS_FORECAST_CLOSED_FORM);
		ck_assert_int_eq(f.fit.fallback, 0);
		ck_assert_uint_eq(f.fit.nobs, p.window);
		ck_assert_uint_eq(f.fit.nskipped, 0);
		ck_assert(fabs(f.log_mean - ref[i].log_mean) < 1e-14);
		ck_assert_msg(rel_err(f.log_sd, ref[i].log_sd) < tol,
		    "model %zu: log_sd %.17g", i, f.log_sd);
		for (int q = 0; q < MS_FORECAST_NQ; q++)
			ck_assert_msg(rel_err(f.quantile[q], ref[i].q[q]) < tol,
			    "model %zu q%d: %.17g want %.17g", i, q,
			    f.quantile[q], ref[i].q[q]);
		ck_assert_uint_eq(f.nlevels, 3);
		for (int k = 0; k < 3; k++)
			ck_assert_msg(fabs(f.p_above[k] - ref[i].above[k]) <
			    tol, "model %zu level %d: %.17g", i, k, f.p_above[k]);
	}
	free(c);
}
END_TEST

START_TEST(test_diagnostics)
{
	double *c = ref_closes();
	struct ms_forecast_params p;
	struct ms_forecast f;

	params(MS_FORECAST_EWMA, &p);
	ck_assert_int_eq(ms_forecast_run(c, NCLOSE, &p, NULL, 0, &f), MS_OK);
	ck_assert(rel_err(f.fit.sigma, ref_ewma_sigma) < 1e-12);
	ck_assert(f.fit.lambda == 0.94);
	ck_assert(f.fit.drift == 0);
	ck_assert_uint_eq(f.fit.first_index, NCLOSE - 1 - 365);
	ck_assert_int_eq(f.fit.garch_tried, 0);
	ck_assert(isnan(f.fit.garch.loglik));
	ck_assert_ptr_null(f.fit.fallback_reason);
	ck_assert_uint_eq(f.nlevels, 0);

	params(MS_FORECAST_GARCH, &p);
	ck_assert_int_eq(ms_forecast_run(c, NCLOSE, &p, NULL, 0, &f), MS_OK);
	ck_assert_uint_eq(f.fit.nobs, 1000);
	ck_assert_int_eq(f.fit.garch_tried, 1);
	ck_assert(f.fit.garch.converged);
	ck_assert(fabs(f.fit.garch.loglik - 2564.9876776874335) < 1e-5);
	ck_assert(rel_err(f.fit.sigma, sqrt(f.fit.garch.sigma2_next)) < 1e-15);
	ck_assert(isnan(f.fit.lambda));
	free(c);
}
END_TEST

START_TEST(test_hand_alternating)
{
	/*
	 * Closes 1, e^a, 1, e^a, ...: 364 log returns alternating +a, -a.
	 * Mean 0, sample sd a sqrt(364/363); every r^2 = a^2, so ewma's
	 * sigma is exactly a. Quantile q of naive at h days:
	 * S_0 exp(z_q sd sqrt(h)), z_0.95 = 1.6448536269514722.
	 */
	const double a = 0.02, z95 = 1.6448536269514722;
	double c[365], sd = a * sqrt(364.0 / 363.0);
	struct ms_forecast_params p;
	struct ms_forecast f;

	for (size_t i = 0; i < 365; i++)
		c[i] = i % 2 ? exp(a) : 1.0;
	params(MS_FORECAST_NAIVE, &p);
	p.horizon = 100;
	ck_assert_int_eq(ms_forecast_run(c, 365, &p, NULL, 0, &f), MS_OK);
	ck_assert_uint_eq(f.fit.nobs, 364);
	ck_assert(fabs(f.fit.mean_return) < 1e-15);
	ck_assert(rel_err(f.fit.sigma, sd) < 1e-13);
	ck_assert(f.quantile[3] == 1.0);   /* zero drift: median = S_0 */
	ck_assert(rel_err(f.quantile[6], exp(z95 * sd * 10)) < 1e-12);
	ck_assert(rel_err(f.quantile[0], exp(-z95 * sd * 10)) < 1e-12);

	params(MS_FORECAST_EWMA, &p);
	ck_assert_int_eq(ms_forecast_run(c, 365, &p, NULL, 0, &f), MS_OK);
	ck_assert(rel_err(f.fit.sigma, a) < 1e-13);
}
END_TEST

START_TEST(test_missing_closes)
{
	double *c = ref_closes();
	double r[400], m = 0, v = 0;
	struct ms_forecast_params p;
	struct ms_forecast_fit f;
	size_t n = 0;

	/* A missing close removes the two returns that touch it; a 0 close
	 * (a source's "unknown") counts as missing too. */
	c[900] = NAN;
	c[950] = 0.0;
	params(MS_FORECAST_NAIVE, &p);
	ck_assert_int_eq(ms_forecast_fit(c, NCLOSE, &p, &f), MS_OK);
	ck_assert_uint_eq(f.nskipped, 4);
	ck_assert_uint_eq(f.nobs, 361);
	for (size_t i = NCLOSE - 365; i < NCLOSE; i++) {
		if (i == 900 || i == 901 || i == 950 || i == 951)
			continue;
		r[n++] = log(c[i] / c[i - 1]);
	}
	ck_assert_uint_eq(n, 361);
	for (size_t i = 0; i < n; i++)
		m += r[i];
	m /= (double)n;
	for (size_t i = 0; i < n; i++)
		v += (r[i] - m) * (r[i] - m);
	ck_assert(rel_err(f.sigma, sqrt(v / (double)(n - 1))) < 1e-12);
	ck_assert(rel_err(f.mean_return, m) < 1e-10);
	free(c);
}
END_TEST

START_TEST(test_point_in_time)
{
	/* Only close[0..n) is read: changing later values changes nothing. */
	double *c = ref_closes();
	struct ms_forecast_params p;
	struct ms_forecast a, b;

	for (int m = 0; m < MS_FORECAST_NMODELS; m++) {
		params((enum ms_forecast_model)m, &p);
		p.paths = 2000;
		ck_assert_int_eq(ms_forecast_run(c, 800, &p, NULL, 0, &a), MS_OK);
		for (size_t i = 800; i < NCLOSE; i++)
			c[i] *= 3.0;
		ck_assert_int_eq(ms_forecast_run(c, 800, &p, NULL, 0, &b), MS_OK);
		ck_assert(memcmp(a.quantile, b.quantile, sizeof(a.quantile)) == 0);
		ck_assert(a.fit.sigma == b.fit.sigma);
	}
	free(c);
}
END_TEST

START_TEST(test_garch_monte_carlo)
{
	double *c = ref_closes();
	struct ms_forecast_params p;
	struct ms_forecast mc, mc2, cf;
	double lv[3] = { 0.8 * ref_s0, ref_s0, 1.2 * ref_s0 };

	params(MS_FORECAST_GARCH, &p);
	ck_assert_int_eq(ms_forecast_run(c, NCLOSE, &p, lv, 3, &cf), MS_OK);
	p.paths = MS_FORECAST_DEFAULT_PATHS;
	ck_assert_int_eq(ms_forecast_run(c, NCLOSE, &p, lv, 3, &mc), MS_OK);
	ck_assert_int_eq(mc.method, MS_FORECAST_MONTE_CARLO);
	ck_assert_uint_eq(mc.paths, 10000);
	ck_assert_uint_eq(mc.seed, MS_FORECAST_DEFAULT_SEED);
	/*
	 * The 30-day GARCH sum is close to normal here (alpha 0.09), so the
	 * simulation must agree with the normal approximation up to Monte
	 * Carlo error (~1% on the quantiles, ~0.005 on probabilities near
	 * 0.5 with 10,000 paths) plus a little excess kurtosis.
	 */
	for (int q = 0; q < MS_FORECAST_NQ; q++)
		ck_assert_msg(rel_err(mc.quantile[q], cf.quantile[q]) < 0.03,
		    "q%d: mc %g cf %g", q, mc.quantile[q], cf.quantile[q]);
	for (int k = 0; k < 3; k++)
		ck_assert_msg(fabs(mc.p_above[k] - cf.p_above[k]) < 0.02,
		    "level %d: mc %g cf %g", k, mc.p_above[k], cf.p_above[k]);
	/* Deterministic: the same input gives the same bits. */
	ck_assert_int_eq(ms_forecast_run(c, NCLOSE, &p, lv, 3, &mc2), MS_OK);
	ck_assert(memcmp(mc.quantile, mc2.quantile, sizeof(mc.quantile)) == 0);
	ck_assert(memcmp(mc.p_above, mc2.p_above, sizeof(mc.p_above)) == 0);
	/* Another seed, other draws. */
	p.seed = 7;
	ck_assert_int_eq(ms_forecast_run(c, NCLOSE, &p, lv, 3, &mc2), MS_OK);
	ck_assert(memcmp(mc.quantile, mc2.quantile, sizeof(mc.quantile)) != 0);
	free(c);
}
END_TEST

START_TEST(test_garch_fallbacks)
{
	double *c = ref_closes();
	struct ms_forecast_params p;
	struct ms_forecast_fit f, e;

	/* Too few returns for a fit: 60 < MS_GARCH_MIN_OBS. */
	params(MS_FORECAST_GARCH, &p);
	p.window = 60;
	ck_assert_int_eq(ms_forecast_fit(c, NCLOSE, &p, &f), MS_OK);
	ck_assert_int_eq(f.model, MS_FORECAST_GARCH);
	ck_assert_int_eq(f.used, MS_FORECAST_EWMA);
	ck_assert_int_eq(f.fallback, 1);
	ck_assert_int_eq(f.garch_rc, MS_ERR_NODATA);
	ck_assert_ptr_nonnull(strstr(f.fallback_reason, "too few"));
	/* The fallback is exactly the ewma model on the same window. */
	params(MS_FORECAST_EWMA, &p);
	p.window = 60;
	ck_assert_int_eq(ms_forecast_fit(c, NCLOSE, &p, &e), MS_OK);
	ck_assert(e.sigma == f.sigma && f.drift == 0);

	/* No convergence within the iteration cap. */
	params(MS_FORECAST_GARCH, &p);
	p.garch.max_iter = 5;
	ck_assert_int_eq(ms_forecast_fit(c, NCLOSE, &p, &f), MS_OK);
	ck_assert_int_eq(f.used, MS_FORECAST_EWMA);
	ck_assert_int_eq(f.garch.converged, 0);
	ck_assert_ptr_nonnull(strstr(f.fallback_reason, "converge"));

	/* A converged fit above max_persistence (0.97 here). */
	params(MS_FORECAST_GARCH, &p);
	p.max_persistence = 0.9;
	ck_assert_int_eq(ms_forecast_fit(c, NCLOSE, &p, &f), MS_OK);
	ck_assert(f.garch.converged);
	ck_assert_int_eq(f.used, MS_FORECAST_EWMA);
	ck_assert_ptr_nonnull(strstr(f.fallback_reason, "near-integrated"));

	/* Constant prices: nothing to fit, ewma with sigma 0, and a
	 * degenerate forecast that still answers. */
	{
		double flat[200];
		struct ms_forecast o;
		double lv[2] = { 0.5, 2.0 };

		for (size_t i = 0; i < 200; i++)
			flat[i] = 1.0;
		params(MS_FORECAST_GARCH, &p);
		ck_assert_int_eq(ms_forecast_run(flat, 200, &p, lv, 2, &o),
		    MS_OK);
		ck_assert_int_eq(o.fit.garch_rc, MS_ERR_RANGE);
		ck_assert_int_eq(o.fit.used, MS_FORECAST_EWMA);
		ck_assert(o.fit.sigma == 0);
		for (int q = 0; q < MS_FORECAST_NQ; q++)
			ck_assert(o.quantile[q] == 1.0);
		ck_assert(o.p_above[0] == 1.0 && o.p_above[1] == 0.0);
	}
	free(c);
}
END_TEST

START_TEST(test_model_names)
{
	static const struct {
		const char *s;
		int rc;
		enum ms_forecast_model m;
	} cases[] = {
		{ "naive", MS_OK, MS_FORECAST_NAIVE },
		{ "drift", MS_OK, MS_FORECAST_DRIFT },
		{ "ewma", MS_OK, MS_FORECAST_EWMA },
		{ "garch", MS_OK, MS_FORECAST_GARCH },
		{ "", MS_ERR_PARSE, 0 },
		{ "Naive", MS_ERR_PARSE, 0 },
		{ "naive ", MS_ERR_PARSE, 0 },
		{ " naive", MS_ERR_PARSE, 0 },
		{ "garc", MS_ERR_PARSE, 0 },
		{ "garchx", MS_ERR_PARSE, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum ms_forecast_model m = MS_FORECAST_EWMA;
		int rc = ms_forecast_model_parse(cases[i].s, strlen(cases[i].s),
		    &m);

		ck_assert_msg(rc == cases[i].rc, "case %zu", i);
		if (rc == MS_OK) {
			ck_assert_int_eq(m, cases[i].m);
			ck_assert_str_eq(ms_forecast_model_name(m), cases[i].s);
		}
	}
	/* Embedded NUL: length counts. */
	ck_assert_int_eq(ms_forecast_model_parse("ewma\0x", 6,
	    &(enum ms_forecast_model){ 0 }), MS_ERR_PARSE);
	ck_assert_str_eq(ms_forecast_model_name((enum ms_forecast_model)9), "?");
}
END_TEST

START_TEST(test_limits_params)
{
	double *c = ref_closes();
	struct ms_forecast_params p;
	struct ms_forecast_fit f;

	for (int i = 0; i < 12; i++) {
		params(MS_FORECAST_EWMA, &p);
		switch (i) {
		case 0: p.horizon = 0; break;
		case 1: p.horizon = MS_FORECAST_MAX_HORIZON + 1; break;
		case 2: p.window = MS_FORECAST_MIN_RETURNS - 1; break;
		case 3: p.window = MS_FORECAST_MAX_WINDOW + 1; break;
		case 4: p.lambda = 0; break;
		case 5: p.lambda = 1; break;
		case 6: p.lambda = NAN; break;
		case 7: p.paths = MS_FORECAST_MAX_PATHS + 1; break;
		case 8: p.model = (enum ms_forecast_model)4; break;
		case 9: p.max_persistence = 0; break;
		case 10: p.max_persistence = 1.5; break;
		case 11: p.model = (enum ms_forecast_model)-1; break;
		}
		ck_assert_msg(ms_forecast_fit(c, NCLOSE, &p, &f) ==
		    MS_ERR_INVALID, "case %d", i);
	}
	params(MS_FORECAST_EWMA, &p);
	ck_assert_int_eq(ms_forecast_fit(NULL, NCLOSE, &p, &f), MS_ERR_INVALID);
	ck_assert_int_eq(ms_forecast_fit(c, NCLOSE, NULL, &f), MS_ERR_INVALID);
	ck_assert_int_eq(ms_forecast_fit(c, MS_FORECAST_MAX_PRICES + 1, &p, &f),
	    MS_ERR_TOOBIG);
	ck_assert_int_eq(ms_forecast_fit(c, 1, &p, &f), MS_ERR_NODATA);
	ck_assert_int_eq(ms_forecast_fit(c, 30, &p, &f), MS_ERR_NODATA);
	ck_assert_int_eq(ms_forecast_fit(c, 31, &p, &f), MS_OK);
	c[500] = NAN;   /* the as-of close itself is missing */
	ck_assert_int_eq(ms_forecast_fit(c, 501, &p, &f), MS_ERR_NODATA);
	c[500] = -1.0;
	ck_assert_int_eq(ms_forecast_fit(c, 501, &p, &f), MS_ERR_NODATA);
	free(c);
}
END_TEST

START_TEST(test_limits_predict)
{
	double *c = ref_closes();
	double lv[MS_FORECAST_MAX_LEVELS + 1];
	struct ms_forecast_params p;
	struct ms_forecast_fit f;
	struct ms_forecast o;

	for (size_t k = 0; k <= MS_FORECAST_MAX_LEVELS; k++)
		lv[k] = 1.0 + (double)k;
	params(MS_FORECAST_NAIVE, &p);
	ck_assert_int_eq(ms_forecast_fit(c, NCLOSE, &p, &f), MS_OK);
	ck_assert_int_eq(ms_forecast_predict(&f, &p, lv, MS_FORECAST_MAX_LEVELS,
	    &o), MS_OK);
	ck_assert_int_eq(ms_forecast_predict(&f, &p, lv,
	    MS_FORECAST_MAX_LEVELS + 1, &o), MS_ERR_TOOBIG);
	ck_assert_int_eq(ms_forecast_predict(&f, &p, NULL, 1, &o),
	    MS_ERR_INVALID);
	lv[0] = 0;
	ck_assert_int_eq(ms_forecast_predict(&f, &p, lv, 1, &o), MS_ERR_RANGE);
	lv[0] = NAN;
	ck_assert_int_eq(ms_forecast_predict(&f, &p, lv, 1, &o), MS_ERR_RANGE);
	lv[0] = INFINITY;
	ck_assert_int_eq(ms_forecast_predict(&f, &p, lv, 1, &o), MS_ERR_RANGE);
	/* The Monte Carlo work cap: paths x horizon. */
	params(MS_FORECAST_GARCH, &p);
	ck_assert_int_eq(ms_forecast_fit(c, NCLOSE, &p, &f), MS_OK);
	p.paths = MS_FORECAST_MAX_PATHS;
	p.horizon = MS_FORECAST_MAX_HORIZON;
	ck_assert_int_eq(ms_forecast_predict(&f, &p, NULL, 0, &o),
	    MS_ERR_TOOBIG);
	ck_assert(isnan(ms_forecast_horizon_var(&f, 0)));
	ck_assert(isnan(ms_forecast_horizon_var(NULL, 10)));
	free(c);
}
END_TEST

Suite *make_forecast_suite(void);

Suite *
make_forecast_suite(void)
{
	Suite *s = suite_create("forecast");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");

	tcase_set_timeout(core, 60);
	tcase_add_test(core, test_reference_models);
	tcase_add_test(core, test_diagnostics);
	tcase_add_test(core, test_hand_alternating);
	tcase_add_test(core, test_missing_closes);
	tcase_add_test(core, test_point_in_time);
	tcase_add_test(core, test_garch_monte_carlo);
	tcase_add_test(core, test_garch_fallbacks);
	tcase_add_test(core, test_model_names);
	tcase_add_test(limits, test_limits_params);
	tcase_add_test(limits, test_limits_predict);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}
