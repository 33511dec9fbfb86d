/*
 * check_quant.c — tests of ms_quant: the issue's golden Sharpe and
 * Sortino values, every metric on a fixed 59-return series (and a
 * benchmark) against independently computed values, hand-checked cases
 * (drawdown paths, VaR/CVaR interpolation, beta of a linear relation),
 * the unknown-value rules, and argument limits.
 *
 * ref_returns, ref_bench_returns, ref_q365 and ref_q252 were printed by
 * tests/quant/reference.py (numpy/scipy implementations of the empyrical
 * definitions, not a translation of the C code; run it with
 * /usr/bin/python3 and paste its "quant metrics" block here when a
 * definition changes). Deterministic values are compared with a relative
 * tolerance of 1e-9.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <check.h>

#include "ms_error.h"
#include "ms_quant.h"

#define REL_TOL 1e-9
#define NRET 59
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* One block of reference.py output: the metrics of one parameter set. */
struct ref_quant {
	double mean, total_return, cagr, annual_volatility, sharpe, sortino,
	    downside_risk;
	double mdd_depth;
	size_t mdd_peak, mdd_trough, mdd_recovery;
	int mdd_recovered;
	size_t mdd_duration;
	double calmar, var, cvar, tail_ratio, skew, kurtosis, beta, alpha;
};

/* ---- pasted from tests/quant/reference.py (numpy 1.24.2, scipy 1.10.1) ---- */
static const double ref_returns[59] = {
	0.053792834130625744, -0.0018528812303131303, -0.04250974568405419, 0.03829003489724703,
	0.008215852861544137, -0.002407630336142108, 0.000556947925369089, 0.032656090546432814,
	0.01850687269787077, -0.009438122960218842, 0.01371326803205708, 0.014230498945888792,
	0.020093538887926643, -0.04355578196637799, 0.014913448735019985, 0.049418350389224264,
	0.006334389064843959, -0.0003312903760145369, 0.026512013256006606, 0.0010492332526230719,
	-0.0036281544787551967, -0.024518530506554503, 0.04620489423475749, 0.022914684427529197,
	-0.018990775908844237, 0.017778128950695304, 0.051548792795590215, 0.00014765596160959404,
	-0.03963977264338969, 0.04504227517294401, 0.0066931450426594985, -0.027032950975378167,
	0.004880979199519464, 0.05163652667762664, 0.02302280963547232, -0.03368757380009724,
	-0.00876940770557788, 0.054387237128353805, -0.02352132049518585, -0.0190167629243555,
	0.04135554279149911, 0.04191947049089917, -0.0036394917946004357, 0.007106329282061452,
	0.03165391717225008, -0.001725901304014399, -0.007940065313440381, -0.007293616471955033,
	0.01885565669700906, 0.002680280791321099, -0.014447556008146734, 0.019179851469163678,
	0.012229121784311348, -0.01928012519561828, -0.0031275930299353716, 0.01908054808554227,
	0.00904749937170135, -0.007658779576587782, 0.01725544330802542,
};
static const double ref_bench_returns[59] = {
	0.014145250499117301, 0.014902319893474125, 0.00802203167696014, -0.02480130488458332,
	-0.013256773497684282, -0.003164437414541754, 0.0016423642367189295, 0.03021722082348166,
	0.013011640889967424, -0.0058141888996967594, -0.005680071869910486, -0.025559166297945635,
	-0.005600373423398031, 0.01842144197255613, 0.010887302089089834, 0.021917266686814374,
	0.0008531039950590014, -0.02392816881355786, -0.008337697305336955, -0.010119837901262141,
	0.007645548233017552, 0.03076450736367775, 0.006502683770121198, 0.0010308740245843495,
	-0.010067673387449738, -0.027424601627492162, 0.001908584277269476, 0.01184234149882335,
	0.01350864699364518, 0.025231665592071018, -0.007242787624004765, -0.018188669997433737,
	-0.0089463290898395, -0.014535247035521559, 0.015950362291235365, 0.025617244543086892,
	0.005136537772689298, 0.006630160878091207, -0.01775242385169773, -0.023615575644208353,
	0.0051059559788952935, 0.00527835943805699, 0.020558416725785955, 0.022591843681665447,
	-0.011952063298083848, -0.011094616659640066, -0.014591248768710097, -0.013508460579458759,
	0.022043687385628008, 0.01787173573741474, 0.009410864330215096, 0.0072821048135169875,
	-0.024425478812674206, -0.0161785193009365, 0.002457773435502908, 0.0028602162310369383,
	0.027994311745461742, 0.015282072973804572, -0.01096181647339034,
};
static const struct ref_quant ref_q365 = {
	.mean = 0.008116785311994307,
	.total_return = 0.5827394318070873,
	.cagr = 16.12515701201036,
	.annual_volatility = 0.4770909552582944,
	.sharpe = 6.209773222956976,
	.sortino = 11.918576531092208,
	.downside_risk = 0.2485721873874169,
	.mdd_depth = -0.04428386140448406,
	.mdd_peak = 1,
	.mdd_trough = 3,
	.mdd_recovery = 5,
	.mdd_recovered = 1,
	.mdd_duration = 4,
	.calmar = 364.1316836561495,
	.var = -0.03428279368442648,
	.cvar = -0.041901766764607294,
	.tail_ratio = 1.5038904547389533,
	.skew = 0.026852492561485232,
	.kurtosis = -0.507269115143758,
	.beta = 0.04858386348489461,
	.alpha = 17.62484334477313,
};
static const struct ref_quant ref_q252 = {
	.mean = 0.008116785311994307,
	.total_return = 0.5827394318070873,
	.cagr = 6.107466492011332,
	.annual_volatility = 0.39641951093246625,
	.sharpe = 5.032622874514463,
	.sortino = 8.373666502630911,
	.downside_risk = 0.21417498512259708,
	.mdd_depth = -0.04428386140448406,
	.mdd_peak = 1,
	.mdd_trough = 3,
	.mdd_recovery = 5,
	.mdd_recovered = 1,
	.mdd_duration = 4,
	.calmar = 137.91630400579538,
	.var = -0.02372076249745958,
	.cvar = -0.0351573925959753,
	.tail_ratio = 1.5038904547389533,
	.skew = 0.026852492561485232,
	.kurtosis = -0.507269115143758,
	.beta = 0.04858386348489461,
	.alpha = 6.181664169302681,
};
/* ---- end of pasted block ---- */

static int
close_to(double got, double want, double rel)
{
	if (isnan(want))
		return isnan(got);
	return isfinite(got) && fabs(got - want) <= rel * fabs(want) + 1e-15;
}

#define CHECK_CLOSE(got, want, rel) \
	ck_assert_msg(close_to((got), (want), (rel)), \
	    "%s: got %.17g want %.17g", #got, (double)(got), (double)(want))

/*
 * The issue's golden values: returns [0.01, 0.02, -0.01, 0.03, -0.02]
 * with 252 periods per year. Sharpe = 0.006 / sd(ddof=1) sqrt(252) with
 * sd = sqrt(0.00172 / 4); Sortino = 0.006 / sqrt((0.01^2 + 0.02^2) / 5)
 * sqrt(252) = 0.6 sqrt(252), the downside deviation taken over all five
 * observations (empyrical), not over the two negative ones.
 */
START_TEST(test_golden_issue)
{
	const double r[] = { 0.01, 0.02, -0.01, 0.03, -0.02 };

	CHECK_CLOSE(ms_quant_sharpe(r, 5, 0, 252), 4.593220484, 1e-9);
	CHECK_CLOSE(ms_quant_sortino(r, 5, 0, 252), 9.524704720, 1e-9);
	/* The closed forms behind them. */
	CHECK_CLOSE(ms_quant_sharpe(r, 5, 0, 252),
	    0.006 / sqrt(0.00172 / 4) * sqrt(252.0), 1e-13);
	CHECK_CLOSE(ms_quant_sortino(r, 5, 0, 252), 0.6 * sqrt(252.0), 1e-13);
	CHECK_CLOSE(ms_quant_downside_risk(r, 5, 0, 252), 0.01 * sqrt(252.0),
	    1e-13);
}
END_TEST

static void
check_block(const struct ref_quant *w, const struct ms_quant_params *p)
{
	struct ms_quant_summary s;
	struct ms_quant_drawdown d;
	double work[NRET], a, b;
	double ppy = p->periods_per_year;
	size_t np;

	/* The individual functions. */
	CHECK_CLOSE(ms_quant_mean(ref_returns, NRET), w->mean, REL_TOL);
	CHECK_CLOSE(ms_quant_total_return(ref_returns, NRET), w->total_return,
	    REL_TOL);
	CHECK_CLOSE(ms_quant_cagr(ref_returns, NRET, ppy), w->cagr, REL_TOL);
	CHECK_CLOSE(ms_quant_annual_volatility(ref_returns, NRET, ppy),
	    w->annual_volatility, REL_TOL);
	CHECK_CLOSE(ms_quant_sharpe(ref_returns, NRET, p->risk_free, ppy),
	    w->sharpe, REL_TOL);
	CHECK_CLOSE(ms_quant_sortino(ref_returns, NRET, p->required_return,
	    ppy), w->sortino, REL_TOL);
	CHECK_CLOSE(ms_quant_downside_risk(ref_returns, NRET,
	    p->required_return, ppy), w->downside_risk, REL_TOL);
	ck_assert_int_eq(ms_quant_max_drawdown(ref_returns, NRET, &d), MS_OK);
	CHECK_CLOSE(d.depth, w->mdd_depth, REL_TOL);
	ck_assert_uint_eq(d.peak, w->mdd_peak);
	ck_assert_uint_eq(d.trough, w->mdd_trough);
	ck_assert_uint_eq(d.recovery, w->mdd_recovery);
	ck_assert_int_eq(d.recovered, w->mdd_recovered);
	ck_assert_uint_eq(d.duration, w->mdd_duration);
	CHECK_CLOSE(ms_quant_calmar(ref_returns, NRET, ppy), w->calmar,
	    REL_TOL);
	CHECK_CLOSE(ms_quant_var(ref_returns, NRET, p->cutoff, work), w->var,
	    REL_TOL);
	CHECK_CLOSE(ms_quant_cvar(ref_returns, NRET, p->cutoff, work), w->cvar,
	    REL_TOL);
	CHECK_CLOSE(ms_quant_tail_ratio(ref_returns, NRET, work), w->tail_ratio,
	    REL_TOL);
	CHECK_CLOSE(ms_quant_skew(ref_returns, NRET), w->skew, REL_TOL);
	CHECK_CLOSE(ms_quant_kurtosis(ref_returns, NRET), w->kurtosis, REL_TOL);
	ck_assert_int_eq(ms_quant_alpha_beta(ref_returns, ref_bench_returns,
	    NRET, p->risk_free, ppy, &a, &b, &np), MS_OK);
	ck_assert_uint_eq(np, NRET);
	CHECK_CLOSE(b, w->beta, REL_TOL);
	CHECK_CLOSE(a, w->alpha, REL_TOL);

	/* The summary gives the same numbers. */
	ck_assert_int_eq(ms_quant_summary(ref_returns, ref_bench_returns, NRET,
	    p, work, &s), MS_OK);
	ck_assert_uint_eq(s.n, NRET);
	ck_assert_uint_eq(s.nobs, NRET);
	CHECK_CLOSE(s.mean, w->mean, REL_TOL);
	CHECK_CLOSE(s.total_return, w->total_return, REL_TOL);
	CHECK_CLOSE(s.cagr, w->cagr, REL_TOL);
	CHECK_CLOSE(s.annual_volatility, w->annual_volatility, REL_TOL);
	CHECK_CLOSE(s.sharpe, w->sharpe, REL_TOL);
	CHECK_CLOSE(s.sortino, w->sortino, REL_TOL);
	CHECK_CLOSE(s.downside_risk, w->downside_risk, REL_TOL);
	CHECK_CLOSE(s.max_drawdown.depth, w->mdd_depth, REL_TOL);
	ck_assert_uint_eq(s.max_drawdown.duration, w->mdd_duration);
	CHECK_CLOSE(s.calmar, w->calmar, REL_TOL);
	CHECK_CLOSE(s.var, w->var, REL_TOL);
	CHECK_CLOSE(s.cvar, w->cvar, REL_TOL);
	CHECK_CLOSE(s.tail_ratio, w->tail_ratio, REL_TOL);
	CHECK_CLOSE(s.skew, w->skew, REL_TOL);
	CHECK_CLOSE(s.kurtosis, w->kurtosis, REL_TOL);
	ck_assert_uint_eq(s.npairs, NRET);
	CHECK_CLOSE(s.beta, w->beta, REL_TOL);
	CHECK_CLOSE(s.alpha, w->alpha, REL_TOL);
}

START_TEST(test_reference_365)
{
	struct ms_quant_params p;

	ms_quant_params_default(&p);
	ck_assert(p.periods_per_year == 365 && p.cutoff == 0.05);
	ck_assert(p.risk_free == 0 && p.required_return == 0);
	check_block(&ref_q365, &p);
}
END_TEST

START_TEST(test_reference_252)
{
	const struct ms_quant_params p = { 252, 0.0002, 0.001, 0.10 };

	check_block(&ref_q252, &p);
}
END_TEST

START_TEST(test_summary_defaults_no_bench)
{
	struct ms_quant_summary s;
	double work[NRET];

	ck_assert_int_eq(ms_quant_summary(ref_returns, NULL, NRET, NULL, work,
	    &s), MS_OK);
	CHECK_CLOSE(s.sharpe, ref_q365.sharpe, REL_TOL);
	CHECK_CLOSE(s.var, ref_q365.var, REL_TOL);
	ck_assert_uint_eq(s.npairs, 0);
	ck_assert(isnan(s.beta) && isnan(s.alpha));
}
END_TEST

START_TEST(test_drawdown_hand)
{
	struct ms_quant_drawdown d;

	/* W = 1, 1.1, 0.88, 0.924, 0.8316: peak 1, trough 4, not recovered,
	 * ongoing for n - peak = 3 periods. */
	{
		const double r[] = { 0.1, -0.2, 0.05, -0.1 };

		ck_assert_int_eq(ms_quant_max_drawdown(r, 4, &d), MS_OK);
		CHECK_CLOSE(d.depth, 0.8316 / 1.1 - 1, 1e-13);
		ck_assert(d.peak == 1 && d.trough == 4 && !d.recovered);
		ck_assert_uint_eq(d.duration, 3);
	}
	/* The start counts: a first loss is a drawdown from W_0 = 1.
	 * W = 1, 0.9, 0.99, 1.089: recovered at 3, duration 3. */
	{
		const double r[] = { -0.1, 0.1, 0.1 };

		ck_assert_int_eq(ms_quant_max_drawdown(r, 3, &d), MS_OK);
		CHECK_CLOSE(d.depth, -0.1, 1e-13);
		ck_assert(d.peak == 0 && d.trough == 1 && d.recovered);
		ck_assert(d.recovery == 3 && d.duration == 3);
	}
	/* Two drawdowns, the second deeper; peak is the last point at the
	 * high-water mark (W_2 = W_3 after a zero return). */
	{
		const double r[] = { 0.1, -0.05, 0.06, 0.0, -0.3, 0.5 };

		ck_assert_int_eq(ms_quant_max_drawdown(r, 6, &d), MS_OK);
		CHECK_CLOSE(d.depth, -0.3, 1e-13);
		ck_assert(d.peak == 4 && d.trough == 5 && d.recovered);
		ck_assert(d.recovery == 6 && d.duration == 2);
	}
	/* Never below a previous high. */
	{
		const double r[] = { 0.01, 0.0, 0.02 };

		ck_assert_int_eq(ms_quant_max_drawdown(r, 3, &d), MS_OK);
		ck_assert(d.depth == 0 && d.peak == 0 && d.trough == 0);
		ck_assert(d.recovered && d.duration == 0);
		ck_assert(isnan(ms_quant_calmar(r, 3, 365)));
	}
	/* -100 % is a total loss; below -100 % is not a return. */
	{
		const double r[] = { 0.5, -1.0, 0.2 };
		const double bad[] = { 0.5, -1.5 };

		ck_assert_int_eq(ms_quant_max_drawdown(r, 3, &d), MS_OK);
		ck_assert(d.depth == -1 && d.trough == 2 && !d.recovered);
		CHECK_CLOSE(ms_quant_cagr(r, 3, 365), -1.0, 1e-15);
		ck_assert_int_eq(ms_quant_max_drawdown(bad, 2, &d), MS_OK);
		ck_assert(isnan(d.depth));
	}
}
END_TEST

START_TEST(test_hand_values)
{
	const double r[] = { 0.02, -0.05, 0.04, -0.01, 0.0, -0.03 };
	double work[8], a, b;
	size_t np;

	/* Sorted: -0.05 -0.03 -0.01 0 0.02 0.04. 5 % of 5 = 0.25 ->
	 * -0.05 + 0.25 * 0.02; 95 %: 4.75 -> 0.02 + 0.75 * 0.02. */
	CHECK_CLOSE(ms_quant_var(r, 6, 0.05, work), -0.045, 1e-13);
	CHECK_CLOSE(ms_quant_var(r, 6, 0.5, work), -0.005, 1e-13);
	/* CVaR: floor(5 * 0.05) + 1 = 1 value; at 0.5: floor(2.5) + 1 = 3. */
	CHECK_CLOSE(ms_quant_cvar(r, 6, 0.05, work), -0.05, 1e-13);
	CHECK_CLOSE(ms_quant_cvar(r, 6, 0.5, work), -0.03, 1e-13);
	CHECK_CLOSE(ms_quant_tail_ratio(r, 6, work), 0.035 / 0.045, 1e-13);
	/* Total return and CAGR over 6 periods of a 6-period year. */
	CHECK_CLOSE(ms_quant_total_return(r, 6),
	    1.02 * 0.95 * 1.04 * 0.99 * 0.97 - 1, 1e-13);
	CHECK_CLOSE(ms_quant_cagr(r, 6, 6), ms_quant_total_return(r, 6),
	    1e-12);

	/* Symmetric sample: skew 0; two-point +-1: kurtosis 1 - 3 = -2. */
	{
		const double sym[] = { -2, -1, 0, 1, 2 };
		const double two[] = { -1, 1, -1, 1 };

		ck_assert(fabs(ms_quant_skew(sym, 5)) < 1e-15);
		CHECK_CLOSE(ms_quant_kurtosis(two, 4), -2.0, 1e-14);
		/* -2..2: m2 = 2, m4 = 6.8, so m4 / m2^2 - 3 = 1.7 - 3. */
		CHECK_CLOSE(ms_quant_kurtosis(sym, 5), 1.7 - 3.0, 1e-14);
	}

	/* r = 2 b + 0.001 exactly: beta 2, daily alpha 0.001. */
	{
		const double bench[] = { 0.01, -0.02, 0.03, 0.0, -0.01, 0.02 };
		double y[6];

		for (size_t i = 0; i < 6; i++)
			y[i] = 2 * bench[i] + 0.001;
		ck_assert_int_eq(ms_quant_alpha_beta(y, bench, 6, 0, 365, &a,
		    &b, &np), MS_OK);
		CHECK_CLOSE(b, 2.0, 1e-12);
		CHECK_CLOSE(a, pow(1.001, 365) - 1, 1e-9);
		ck_assert_uint_eq(np, 6);
		/* With risk-free rf: alpha_daily = 0.001 + rf (beta - 1). */
		ck_assert_int_eq(ms_quant_alpha_beta(y, bench, 6, 0.0001, 365,
		    &a, &b, NULL), MS_OK);
		CHECK_CLOSE(a, pow(1.0011, 365) - 1, 1e-9);
	}
}
END_TEST

START_TEST(test_unknown_values)
{
	double r[NRET + 3], work[NRET + 3], bench[NRET + 3], a, b, a0, b0;
	struct ms_quant_drawdown d;
	size_t np;

	/* NaN/inf inserted: distribution statistics equal those without. */
	memcpy(r, ref_returns, 10 * sizeof(double));
	r[10] = NAN;
	memcpy(r + 11, ref_returns + 10, 20 * sizeof(double));
	r[31] = INFINITY;
	memcpy(r + 32, ref_returns + 30, 29 * sizeof(double));
	r[61] = -NAN;
	ck_assert_uint_eq(ms_quant_count(r, NRET + 3), NRET);
	CHECK_CLOSE(ms_quant_mean(r, NRET + 3), ref_q365.mean, REL_TOL);
	CHECK_CLOSE(ms_quant_sharpe(r, NRET + 3, 0, 365), ref_q365.sharpe,
	    REL_TOL);
	CHECK_CLOSE(ms_quant_sortino(r, NRET + 3, 0, 365), ref_q365.sortino,
	    REL_TOL);
	CHECK_CLOSE(ms_quant_annual_volatility(r, NRET + 3, 365),
	    ref_q365.annual_volatility, REL_TOL);
	CHECK_CLOSE(ms_quant_var(r, NRET + 3, 0.05, work), ref_q365.var,
	    REL_TOL);
	CHECK_CLOSE(ms_quant_cvar(r, NRET + 3, 0.05, work), ref_q365.cvar,
	    REL_TOL);
	CHECK_CLOSE(ms_quant_tail_ratio(r, NRET + 3, work), ref_q365.tail_ratio,
	    REL_TOL);
	CHECK_CLOSE(ms_quant_skew(r, NRET + 3), ref_q365.skew, REL_TOL);
	CHECK_CLOSE(ms_quant_kurtosis(r, NRET + 3), ref_q365.kurtosis, REL_TOL);

	/* Path statistics refuse to compound an unknown return. */
	ck_assert(isnan(ms_quant_total_return(r, NRET + 3)));
	ck_assert(isnan(ms_quant_cagr(r, NRET + 3, 365)));
	ck_assert(isnan(ms_quant_calmar(r, NRET + 3, 365)));
	ck_assert_int_eq(ms_quant_max_drawdown(r, NRET + 3, &d), MS_OK);
	ck_assert(isnan(d.depth));

	/* Beta/alpha use the pairs where both sides are known. */
	ck_assert_int_eq(ms_quant_alpha_beta(ref_returns, ref_bench_returns,
	    NRET, 0, 365, &a0, &b0, NULL), MS_OK);
	memcpy(bench, ref_bench_returns, 10 * sizeof(double));
	bench[10] = 0.5;        /* paired with r[10] = NaN: dropped */
	memcpy(bench + 11, ref_bench_returns + 10, 20 * sizeof(double));
	bench[31] = NAN;
	memcpy(bench + 32, ref_bench_returns + 30, 29 * sizeof(double));
	bench[61] = 0.1;
	ck_assert_int_eq(ms_quant_alpha_beta(r, bench, NRET + 3, 0, 365, &a,
	    &b, &np), MS_OK);
	ck_assert_uint_eq(np, NRET);
	CHECK_CLOSE(b, b0, 1e-12);
	CHECK_CLOSE(a, a0, 1e-12);

	/* Undefined: too few values, zero dispersion, no downside. */
	{
		const double one[] = { 0.01 };
		const double cst[] = { 0.01, 0.01, 0.01 };
		const double up[] = { 0.01, 0.02, 0.03 };
		const double nan3[] = { NAN, NAN, NAN };

		ck_assert(isnan(ms_quant_sharpe(one, 1, 0, 365)));
		ck_assert(isnan(ms_quant_annual_volatility(one, 1, 365)));
		ck_assert(isnan(ms_quant_sortino(one, 1, 0, 365)));
		ck_assert(isnan(ms_quant_sharpe(cst, 3, 0, 365)));
		ck_assert(isnan(ms_quant_skew(cst, 3)));
		ck_assert(isnan(ms_quant_kurtosis(cst, 3)));
		ck_assert(isnan(ms_quant_sortino(up, 3, 0, 365)));
		ck_assert(ms_quant_downside_risk(up, 3, 0, 365) == 0);
		ck_assert(isnan(ms_quant_mean(nan3, 3)));
		ck_assert(isnan(ms_quant_var(nan3, 3, 0.05, work)));
		ck_assert(isnan(ms_quant_cvar(nan3, 3, 0.05, work)));
		ck_assert(isnan(ms_quant_tail_ratio(nan3, 3, work)));
		ck_assert(isnan(ms_quant_downside_risk(nan3, 3, 0, 365)));
		ck_assert(isnan(ms_quant_tail_ratio(cst, 3, work)) == 0);
		ck_assert_int_eq(ms_quant_alpha_beta(up, cst, 3, 0, 365, &a,
		    &b, &np), MS_OK);
		ck_assert(isnan(a) && isnan(b) && np == 3);
		ck_assert_int_eq(ms_quant_alpha_beta(one, one, 1, 0, 365, &a,
		    &b, &np), MS_OK);
		ck_assert(isnan(a) && isnan(b) && np == 1);
	}
	/* A zero 5 % quantile makes the tail ratio undefined. */
	{
		const double z[] = { 0, 0, 0, 0.01, 0.02 };

		ck_assert(isnan(ms_quant_tail_ratio(z, 5, work)));
	}
}
END_TEST

START_TEST(test_limits)
{
	const double r[] = { 0.01, -0.02, 0.03 };
	double work[3], a = -7, b = -7;
	size_t big = (size_t)MS_QUANT_MAX_N + 1;
	struct ms_quant_drawdown d;
	struct ms_quant_summary s;
	struct ms_quant_params p;
	const double bad_ppy[] = { 0, -1, NAN, INFINITY, 2e6 };
	const double bad_cut[] = { 0, 1, -0.1, 1.5, NAN };

	/* NULL and oversized input: NaN or an error, nothing read. */
	ck_assert(isnan(ms_quant_sharpe(NULL, 3, 0, 365)));
	ck_assert(isnan(ms_quant_sharpe(r, big, 0, 365)));
	ck_assert(isnan(ms_quant_sortino(r, big, 0, 365)));
	ck_assert(isnan(ms_quant_mean(r, big)));
	ck_assert(isnan(ms_quant_skew(r, big)));
	ck_assert(isnan(ms_quant_kurtosis(NULL, 3)));
	ck_assert(isnan(ms_quant_total_return(r, big)));
	ck_assert(isnan(ms_quant_cagr(r, big, 365)));
	ck_assert(isnan(ms_quant_var(r, 3, 0.05, NULL)));
	ck_assert(isnan(ms_quant_var(r, big, 0.05, work)));
	ck_assert(isnan(ms_quant_cvar(NULL, 3, 0.05, work)));
	ck_assert(isnan(ms_quant_tail_ratio(r, 3, NULL)));
	ck_assert_uint_eq(ms_quant_count(NULL, 3), 0);
	ck_assert_uint_eq(ms_quant_count(r, big), 0);
	ck_assert_int_eq(ms_quant_max_drawdown(NULL, 3, &d), MS_ERR_INVALID);
	ck_assert_int_eq(ms_quant_max_drawdown(r, 3, NULL), MS_ERR_INVALID);
	ck_assert_int_eq(ms_quant_max_drawdown(r, big, &d), MS_ERR_TOOBIG);
	ck_assert_int_eq(ms_quant_alpha_beta(r, NULL, 3, 0, 365, &a, &b,
	    NULL), MS_ERR_INVALID);
	ck_assert_int_eq(ms_quant_alpha_beta(r, r, big, 0, 365, &a, &b, NULL),
	    MS_ERR_TOOBIG);
	ck_assert_int_eq(ms_quant_alpha_beta(r, r, 3, NAN, 365, &a, &b, NULL),
	    MS_ERR_RANGE);
	ck_assert(a == -7 && b == -7);
	ck_assert_int_eq(ms_quant_summary(NULL, NULL, 3, NULL, work, &s),
	    MS_ERR_INVALID);
	ck_assert_int_eq(ms_quant_summary(r, NULL, 3, NULL, NULL, &s),
	    MS_ERR_INVALID);
	ck_assert_int_eq(ms_quant_summary(r, NULL, 3, NULL, work, NULL),
	    MS_ERR_INVALID);
	ck_assert_int_eq(ms_quant_summary(r, NULL, big, NULL, work, &s),
	    MS_ERR_TOOBIG);

	/* periods_per_year, table-driven. */
	for (size_t i = 0; i < ARRAY_LEN(bad_ppy); i++) {
		double v = bad_ppy[i];

		ck_assert(isnan(ms_quant_sharpe(r, 3, 0, v)));
		ck_assert(isnan(ms_quant_sortino(r, 3, 0, v)));
		ck_assert(isnan(ms_quant_downside_risk(r, 3, 0, v)));
		ck_assert(isnan(ms_quant_annual_volatility(r, 3, v)));
		ck_assert(isnan(ms_quant_cagr(r, 3, v)));
		ck_assert(isnan(ms_quant_calmar(r, 3, v)));
		ck_assert_int_eq(ms_quant_alpha_beta(r, r, 3, 0, v, &a, &b,
		    NULL), MS_ERR_RANGE);
		ms_quant_params_default(&p);
		p.periods_per_year = v;
		ck_assert_int_eq(ms_quant_summary(r, NULL, 3, &p, work, &s),
		    MS_ERR_RANGE);
	}
	/* cutoff, table-driven. */
	for (size_t i = 0; i < ARRAY_LEN(bad_cut); i++) {
		ck_assert(isnan(ms_quant_var(r, 3, bad_cut[i], work)));
		ck_assert(isnan(ms_quant_cvar(r, 3, bad_cut[i], work)));
		ms_quant_params_default(&p);
		p.cutoff = bad_cut[i];
		ck_assert_int_eq(ms_quant_summary(r, NULL, 3, &p, work, &s),
		    MS_ERR_RANGE);
	}
	/* risk_free / required_return must be finite per-period rates. */
	ms_quant_params_default(&p);
	p.risk_free = 1.0;
	ck_assert_int_eq(ms_quant_summary(r, NULL, 3, &p, work, &s),
	    MS_ERR_RANGE);
	ms_quant_params_default(&p);
	p.required_return = NAN;
	ck_assert_int_eq(ms_quant_summary(r, NULL, 3, &p, work, &s),
	    MS_ERR_RANGE);
	ck_assert(isnan(ms_quant_sharpe(r, 3, INFINITY, 365)));
	ck_assert(isnan(ms_quant_sortino(r, 3, NAN, 365)));
	ms_quant_params_default(NULL);      /* a no-op, not a crash */

	/* n = 0: everything undefined, nothing fails. */
	ck_assert_int_eq(ms_quant_summary(r, r, 0, NULL, work, &s), MS_OK);
	ck_assert(s.n == 0 && s.nobs == 0 && s.npairs == 0);
	ck_assert(isnan(s.mean) && isnan(s.sharpe) && isnan(s.cagr));
	ck_assert(isnan(s.max_drawdown.depth) && isnan(s.var));
	ck_assert(isnan(s.beta) && isnan(s.skew) && isnan(s.total_return));

	/* The GSL switch is idempotent. */
	ms_quant_init();
	ms_quant_init();
}
END_TEST

Suite *make_quant_suite(void);

Suite *
make_quant_suite(void)
{
	Suite *s = suite_create("quant");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");

	tcase_add_test(core, test_golden_issue);
	tcase_add_test(core, test_reference_365);
	tcase_add_test(core, test_reference_252);
	tcase_add_test(core, test_summary_defaults_no_bench);
	tcase_add_test(core, test_drawdown_hand);
	tcase_add_test(core, test_hand_values);
	tcase_add_test(core, test_unknown_values);
	tcase_add_test(limits, test_limits);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}
