/*
 * check_garch.c — tests of ms_garch: the GARCH(1,1) log-likelihood against
 * an independent computation, the maximum-likelihood fit against scipy's
 * and against known simulation parameters, variance forecasts, seeded
 * simulation, and argument limits.
 *
 * Reference values come from tests/forecast/garch_ref.py (numpy/scipy) on
 * the deterministic series of tests/forecast/msref.py, which
 * tests/forecast/msref.h re-implements in C. Re-run the script and paste
 * its output here if the series changes.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "forecast/msref.h"
#include "ms_error.h"
#include "ms_garch.h"

#define LOG_2PI 1.837877066409345483560659472811

/* garch_ref.py output: omega, alpha, beta, log-likelihood, sigma^2_{n+1}. */
static const struct {
	double omega, alpha, beta, ll, s2next;
} ref_ll[] = {
	{ 2.0000000000000002e-05, 0.10000000000000001, 0.84999999999999998,
	  2564.2419119887118, 0.00086409705998603532 },
	{ 1.0000000000000001e-05, 0.050000000000000003, 0.90000000000000002,
	  2545.1783268761619, 0.00058627366449992677 },
	{ 5.0000000000000002e-05, 0.20000000000000001, 0.5,
	  2469.6311760448525, 0.00079486931256737392 },
	{ 0.00029999999999999997, 0, 0,
	  2501.700036154813, 0.00029999999999999997 },
};
static const double ref_mean = 0.0016437620285689402;
static const double ref_var0 = 0.00038116877336825304;
/* garch_ref.py: scipy SLSQP + Nelder-Mead maximum of the likelihood. */
static const struct {
	double omega, alpha, beta, ll, s2next;
} ref_mle = { 1.2250870901878681e-05, 0.089835595671764371,
	0.87995718619352314, 2564.9876776874335, 0.00086754874859697314 };
static const double ref_v30 = 0.021366983268830478;

static double
rel_err(double got, double want)
{
	return fabs(got - want) / fmax(fabs(want), 1e-300);
}

/* The msref series, demeaned in C. */
static void
demeaned(double *e, double *mean, double *var0)
{
	double m = 0, v = 0;

	msref_returns(MSREF_SEED, MSREF_NRET, e);
	for (size_t t = 0; t < MSREF_NRET; t++)
		m += e[t];
	m /= MSREF_NRET;
	for (size_t t = 0; t < MSREF_NRET; t++) {
		e[t] -= m;
		v += e[t] * e[t];
	}
	*mean = m;
	*var0 = v / MSREF_NRET;
}

START_TEST(test_loglik_reference)
{
	double e[MSREF_NRET], mean, var0;

	demeaned(e, &mean, &var0);
	ck_assert(rel_err(mean, ref_mean) < 1e-12);
	ck_assert(rel_err(var0, ref_var0) < 1e-12);
	for (size_t i = 0; i < sizeof(ref_ll) / sizeof(ref_ll[0]); i++) {
		struct ms_garch_params p = { ref_ll[i].omega, ref_ll[i].alpha,
			ref_ll[i].beta };
		double ll = NAN, s2 = NAN;

		ck_assert_int_eq(ms_garch_loglik(e, MSREF_NRET, &p, var0, &ll,
		    &s2), MS_OK);
		ck_assert_msg(rel_err(ll, ref_ll[i].ll) < 1e-11,
		    "case %zu: ll %.17g want %.17g", i, ll, ref_ll[i].ll);
		ck_assert_msg(rel_err(s2, ref_ll[i].s2next) < 1e-11,
		    "case %zu: s2 %.17g want %.17g", i, s2, ref_ll[i].s2next);
	}
}
END_TEST

START_TEST(test_loglik_hand_constant)
{
	/* alpha = beta = 0: sigma^2_1 = var0, then omega every day, so
	 * LL = -1/2 [ln 2pi + ln var0 + e_1^2 / var0]
	 *      -1/2 sum_{t>=2} [ln 2pi + ln omega + e_t^2 / omega]. */
	const double e[] = { 0.01, -0.02, 0.03, 0.0, -0.015 };
	struct ms_garch_params p = { 4e-4, 0, 0 };
	double var0 = 2.5e-4, want, ll;

	want = -0.5 * (LOG_2PI + log(var0) + 1e-4 / var0);
	for (size_t t = 1; t < 5; t++)
		want -= 0.5 * (LOG_2PI + log(4e-4) + e[t] * e[t] / 4e-4);
	ck_assert_int_eq(ms_garch_loglik(e, 5, &p, var0, &ll, NULL), MS_OK);
	ck_assert(rel_err(ll, want) < 1e-14);
}
END_TEST

START_TEST(test_fit_matches_scipy)
{
	double r[MSREF_NRET];
	struct ms_garch_fit f;

	msref_returns(MSREF_SEED, MSREF_NRET, r);
	ck_assert_int_eq(ms_garch_fit(r, MSREF_NRET, NULL, &f), MS_OK);
	ck_assert(f.converged);
	ck_assert_int_eq(f.nobs, MSREF_NRET);
	ck_assert(rel_err(f.mean, ref_mean) < 1e-12);
	ck_assert(rel_err(f.var0, ref_var0) < 1e-12);
	/* Not worse than scipy's maximum, and the same maximum. */
	ck_assert_msg(f.loglik > ref_mle.ll - 1e-7, "ll %.12f < scipy %.12f",
	    f.loglik, ref_mle.ll);
	ck_assert(fabs(f.loglik - ref_mle.ll) < 1e-6);
	ck_assert(fabs(f.p.alpha - ref_mle.alpha) < 1e-4);
	ck_assert(fabs(f.p.beta - ref_mle.beta) < 1e-4);
	ck_assert(rel_err(f.p.omega, ref_mle.omega) < 1e-3);
	ck_assert(rel_err(f.sigma2_next, ref_mle.s2next) < 1e-4);
	ck_assert_int_gt(f.iterations, 0);
	ck_assert_int_eq(f.gsl_status, 0);
}
END_TEST

START_TEST(test_fit_recovers_params)
{
	/*
	 * 5000 returns simulated with omega 2e-5, alpha 0.10, beta 0.85
	 * (seed 1). Over seeds 1..100 the estimates have standard deviations
	 * 0.010 (alpha), 0.016 (beta), 0.18 (ln omega), 0.010 (alpha + beta)
	 * and no visible bias; the tolerances are four of those.
	 */
	const struct ms_garch_params truth = { 2e-5, 0.10, 0.85 };
	size_t n = 5000;
	double *e = malloc(n * sizeof(*e));
	struct ms_garch_fit f;

	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(ms_garch_simulate(&truth, 4e-4, 1, n, e), MS_OK);
	ck_assert_int_eq(ms_garch_fit(e, n, NULL, &f), MS_OK);
	ck_assert(f.converged);
	ck_assert_msg(fabs(f.p.alpha - truth.alpha) < 0.04, "alpha %g",
	    f.p.alpha);
	ck_assert_msg(fabs(f.p.beta - truth.beta) < 0.064, "beta %g", f.p.beta);
	ck_assert_msg(fabs(log(f.p.omega / truth.omega)) < 0.72, "omega %g",
	    f.p.omega);
	ck_assert(fabs(f.p.alpha + f.p.beta - 0.95) < 0.04);
	free(e);
}
END_TEST

START_TEST(test_fit_boundary)
{
	/*
	 * No ARCH effect at all (alpha = beta = 0): the maximum sits on the
	 * boundary alpha = 0 (at infinity in the transformed space), which
	 * the flat-objective rule must still call converged. With alpha = 0,
	 * beta is not identified (any omega / (1 - beta) = var0 gives the same
	 * constant variance), so only alpha, the variance path and the
	 * likelihood are checked: at least the i.i.d. likelihood at var0.
	 */
	const struct ms_garch_params iid = { 4e-4, 0, 0 };
	struct ms_garch_params flat = { 0, 0, 0 };
	size_t n = 2000;
	double *e = malloc(n * sizeof(*e)), ll_iid;
	struct ms_garch_fit f;

	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(ms_garch_simulate(&iid, 4e-4, 7, n, e), MS_OK);
	ck_assert_int_eq(ms_garch_fit(e, n, NULL, &f), MS_OK);
	ck_assert(f.converged);
	ck_assert(f.p.alpha < 0.03);
	ck_assert(rel_err(f.sigma2_next, f.var0) < 0.1);
	for (size_t t = 0; t < n; t++)
		e[t] -= f.mean;
	flat.omega = f.var0;
	ck_assert_int_eq(ms_garch_loglik(e, n, &flat, f.var0, &ll_iid, NULL),
	    MS_OK);
	ck_assert_msg(f.loglik > ll_iid - 1e-6, "%.9f < %.9f", f.loglik,
	    ll_iid);
	free(e);
}
END_TEST

START_TEST(test_fit_deterministic)
{
	double r[MSREF_NRET];
	struct ms_garch_fit a, b;

	msref_returns(MSREF_SEED, MSREF_NRET, r);
	ck_assert_int_eq(ms_garch_fit(r, MSREF_NRET, NULL, &a), MS_OK);
	ck_assert_int_eq(ms_garch_fit(r, MSREF_NRET, NULL, &b), MS_OK);
	ck_assert(a.p.omega == b.p.omega && a.p.alpha == b.p.alpha &&
	    a.p.beta == b.p.beta && a.loglik == b.loglik &&
	    a.iterations == b.iterations);
	/* The fit is scale-equivariant: returns x 10 give omega x 100. */
	for (size_t t = 0; t < MSREF_NRET; t++)
		r[t] *= 10;
	ck_assert_int_eq(ms_garch_fit(r, MSREF_NRET, NULL, &b), MS_OK);
	ck_assert(fabs(b.p.alpha - a.p.alpha) < 1e-6);
	ck_assert(rel_err(b.p.omega, 100 * a.p.omega) < 1e-4);
	ck_assert(fabs(b.loglik - (a.loglik - MSREF_NRET * log(10.0))) < 1e-6);
}
END_TEST

START_TEST(test_horizon_var)
{
	struct ms_garch_params p = { ref_mle.omega, ref_mle.alpha, ref_mle.beta };
	struct ms_garch_params flat = { 3e-4, 0, 0 };
	double v;

	/* The loop against garch_ref.py's geometric-sum formula. */
	v = ms_garch_horizon_var(&p, ref_mle.s2next, 30);
	ck_assert_msg(rel_err(v, ref_v30) < 1e-12, "%.17g", v);
	ck_assert(ms_garch_horizon_var(&p, 2e-4, 1) == 2e-4);
	/* Constant variance: h sigma^2. */
	ck_assert(rel_err(ms_garch_horizon_var(&flat, 3e-4, 365),
	    365 * 3e-4) < 1e-13);
	/* Integrated (alpha + beta = 1, omega = 0): flat at sigma2_next. */
	p.omega = 1e-300;
	p.alpha = 0.06;
	p.beta = 0.94;
	ck_assert(rel_err(ms_garch_horizon_var(&p, 1e-3, 100), 0.1) < 1e-12);
}
END_TEST

START_TEST(test_simulate_and_paths)
{
	const struct ms_garch_params p = { 2e-5, 0.1, 0.85 };
	const struct ms_garch_params gbm = { 1e-4, 0, 0 };
	double a[200], b[200], fin[2000], m = 0, v = 0;
	int marks[] = { 10, 50, 100 };
	size_t touched[3], above[3];

	ck_assert_int_eq(ms_garch_simulate(&p, 4e-4, 99, 200, a), MS_OK);
	ck_assert_int_eq(ms_garch_simulate(&p, 4e-4, 99, 200, b), MS_OK);
	ck_assert(memcmp(a, b, sizeof(a)) == 0);
	ck_assert_int_eq(ms_garch_simulate(&p, 4e-4, 100, 200, b), MS_OK);
	ck_assert(memcmp(a, b, sizeof(a)) != 0);

	/* i.i.d. normal steps: x_100 ~ N(100 drift, 100 omega). */
	ck_assert_int_eq(ms_garch_paths(&gbm, 0.001, 1e-4, 100, 2000, 5, 0.05,
	    marks, 3, fin, touched, above), MS_OK);
	for (size_t i = 0; i < 2000; i++)
		m += fin[i];
	m /= 2000;
	for (size_t i = 0; i < 2000; i++)
		v += (fin[i] - m) * (fin[i] - m);
	v /= 1999;
	ck_assert_msg(fabs(m - 0.1) < 4 * 0.1 / sqrt(2000), "mean %g", m);
	ck_assert_msg(fabs(v / 0.01 - 1) < 0.15, "var %g", v);
	/* Touching by day k is monotone in k and implies nothing less than
	 * being above at k. */
	ck_assert(touched[0] <= touched[1] && touched[1] <= touched[2]);
	for (size_t k = 0; k < 3; k++)
		ck_assert(above[k] <= touched[k]);
}
END_TEST

START_TEST(test_limits_loglik)
{
	double e[3] = { 0.01, -0.01, 0.02 }, ll = 42;
	struct ms_garch_params ok = { 1e-4, 0.1, 0.8 };
	struct ms_garch_params bad[] = {
		{ 0, 0.1, 0.8 }, { -1e-4, 0.1, 0.8 }, { 1e-4, -0.1, 0.8 },
		{ 1e-4, 0.1, -0.8 }, { NAN, 0.1, 0.8 }, { 1e-4, INFINITY, 0.8 },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(ms_garch_loglik(e, 3, &bad[i], 1e-4, &ll, NULL),
		    MS_ERR_RANGE);
	ck_assert_int_eq(ms_garch_loglik(e, 3, &ok, 0, &ll, NULL), MS_ERR_RANGE);
	ck_assert_int_eq(ms_garch_loglik(e, 3, &ok, NAN, &ll, NULL),
	    MS_ERR_RANGE);
	ck_assert_int_eq(ms_garch_loglik(e, 0, &ok, 1e-4, &ll, NULL),
	    MS_ERR_INVALID);
	ck_assert_int_eq(ms_garch_loglik(NULL, 3, &ok, 1e-4, &ll, NULL),
	    MS_ERR_INVALID);
	e[1] = NAN;
	ck_assert_int_eq(ms_garch_loglik(e, 3, &ok, 1e-4, &ll, NULL),
	    MS_ERR_INVALID);
	ck_assert(ll == 42);   /* untouched on error */
}
END_TEST

START_TEST(test_limits_fit)
{
	double r[MS_GARCH_MIN_OBS];
	struct ms_garch_fit f;
	struct ms_garch_options o;

	memset(&f, 0x5a, sizeof(f));
	msref_returns(MSREF_SEED, MS_GARCH_MIN_OBS, r);
	ck_assert_int_eq(ms_garch_fit(r, MS_GARCH_MIN_OBS - 1, NULL, &f),
	    MS_ERR_NODATA);
	ck_assert_int_eq(ms_garch_fit(r, MS_GARCH_MAX_OBS + 1, NULL, &f),
	    MS_ERR_TOOBIG);
	ck_assert_int_eq(ms_garch_fit(NULL, 100, NULL, &f), MS_ERR_INVALID);
	ck_assert_int_eq(ms_garch_fit(r, 100, NULL, NULL), MS_ERR_INVALID);
	ms_garch_options_default(&o);
	o.max_iter = 0;
	ck_assert_int_eq(ms_garch_fit(r, 100, &o, &f), MS_ERR_INVALID);
	ms_garch_options_default(&o);
	o.size_tol = -1;
	ck_assert_int_eq(ms_garch_fit(r, 100, &o, &f), MS_ERR_INVALID);
	r[50] = INFINITY;
	ck_assert_int_eq(ms_garch_fit(r, 100, NULL, &f), MS_ERR_INVALID);
	for (size_t t = 0; t < MS_GARCH_MIN_OBS; t++)
		r[t] = 0.01;  /* a constant: zero variance */
	ck_assert_int_eq(ms_garch_fit(r, 100, NULL, &f), MS_ERR_RANGE);
	/* Out-parameter untouched by every failure above. */
	ck_assert_uint_eq(f.nobs, 0x5a5a5a5a5a5a5a5aULL);

	/* An iteration cap too small to converge: reported, not hidden. */
	msref_returns(MSREF_SEED, MS_GARCH_MIN_OBS, r);
	ms_garch_options_default(&o);
	o.max_iter = 3;
	ck_assert_int_eq(ms_garch_fit(r, 100, &o, &f), MS_OK);
	ck_assert(!f.converged);
}
END_TEST

START_TEST(test_limits_horizon_and_paths)
{
	const struct ms_garch_params p = { 2e-5, 0.1, 0.85 };
	int marks[] = { 5, 3 };
	size_t t[2], a[2];

	ck_assert(isnan(ms_garch_horizon_var(&p, 1e-4, 0)));
	ck_assert(isnan(ms_garch_horizon_var(&p, 1e-4,
	    MS_GARCH_MAX_HORIZON + 1)));
	ck_assert(isnan(ms_garch_horizon_var(&p, NAN, 10)));
	ck_assert(isnan(ms_garch_horizon_var(NULL, 1e-4, 10)));
	ck_assert_int_eq(ms_garch_paths(&p, 0, 1e-4, 0, 10, 1, 0, NULL, 0,
	    NULL, NULL, NULL), MS_ERR_RANGE);
	ck_assert_int_eq(ms_garch_paths(&p, 0, 1e-4, 10, 0, 1, 0, NULL, 0,
	    NULL, NULL, NULL), MS_ERR_RANGE);
	ck_assert_int_eq(ms_garch_paths(&p, 0, 1e-4, 10, 10, 1, 0.1, marks, 2,
	    NULL, t, a), MS_ERR_RANGE);   /* marks not increasing */
	marks[0] = 1;
	marks[1] = 11;
	ck_assert_int_eq(ms_garch_paths(&p, 0, 1e-4, 10, 10, 1, 0.1, marks, 2,
	    NULL, t, a), MS_ERR_RANGE);   /* mark beyond the horizon */
	ck_assert_int_eq(ms_garch_paths(&p, 0, 1e-4, 10, 10, 1, 0.1, NULL, 2,
	    NULL, t, a), MS_ERR_INVALID);
	ck_assert_int_eq(ms_garch_paths(&p, NAN, 1e-4, 10, 10, 1, 0.1, NULL, 0,
	    NULL, NULL, NULL), MS_ERR_RANGE);
	ck_assert_int_eq(ms_garch_simulate(&p, 0, 1, 10, (double[10]){ 0 }),
	    MS_ERR_RANGE);
}
END_TEST

Suite *make_garch_suite(void);

Suite *
make_garch_suite(void)
{
	Suite *s = suite_create("garch");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");

	tcase_set_timeout(core, 60);
	tcase_add_test(core, test_loglik_reference);
	tcase_add_test(core, test_loglik_hand_constant);
	tcase_add_test(core, test_fit_matches_scipy);
	tcase_add_test(core, test_fit_recovers_params);
	tcase_add_test(core, test_fit_boundary);
	tcase_add_test(core, test_fit_deterministic);
	tcase_add_test(core, test_horizon_var);
	tcase_add_test(core, test_simulate_and_paths);
	tcase_add_test(limits, test_limits_loglik);
	tcase_add_test(limits, test_limits_fit);
	tcase_add_test(limits, test_limits_horizon_and_paths);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}
