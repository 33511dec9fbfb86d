/*
 * check_grade.c — percentile ranks, grade components and the moonshot
 * screener on small hand-made panels whose answers are worked out below.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ms_grade.h"
#include "ms_screen.h"

#define ck_rel(a, b) ck_assert_msg(fabs((double)(a) - (double)(b)) <= 1e-9 * fabs((double)(b)) + 1e-12, \
	"%.12g != %.12g", (double)(a), (double)(b))

Suite *make_grade_suite(void);

START_TEST(test_pct_rank)
{
	/* Sorted: 1 (rank 1), 2, 2 (ranks 2,3 -> 2.5), 5 (rank 4); n = 4. */
	double v[] = { 5, 2, NAN, 1, 2 }, pct[5];

	ck_assert_int_eq(ms_pct_rank(v, 5, pct), 0);
	ck_rel(pct[0], 3.5 / 4);
	ck_rel(pct[1], 2.0 / 4);
	ck_assert(isnan(pct[2]));
	ck_rel(pct[3], 0.5 / 4);
	ck_rel(pct[4], 2.0 / 4);
}
END_TEST

START_TEST(test_pct_rank_empty_and_single)
{
	double v[] = { NAN, 7 }, pct[2];

	ck_assert_int_eq(ms_pct_rank(v, 0, pct), 0);
	ck_assert_int_eq(ms_pct_rank(v, 2, pct), 0);
	ck_assert(isnan(pct[0]));
	ck_rel(pct[1], 0.5);
}
END_TEST

/*
 * A panel of `na` assets over `nd` days, every value NaN, caller fills.
 * Freed with ms_panel_free.
 */
static struct ms_panel *
panel_new(size_t na, size_t nd)
{
	struct ms_panel *p = calloc(1, sizeof(*p));
	double **f[] = { &p->close, &p->high, &p->low, &p->volume, &p->market_cap };

	ck_assert_ptr_nonnull(p);
	p->ndays = nd;
	p->nassets = na;
	p->last_day = 20000;
	p->first_day = 20000 - (int32_t)nd + 1;
	p->assets = calloc(na, sizeof(*p->assets));
	p->last_bar_day = calloc(na, sizeof(*p->last_bar_day));
	for (size_t i = 0; i < 5; i++) {
		*f[i] = malloc(na * nd * sizeof(double));
		for (size_t k = 0; k < na * nd; k++)
			(*f[i])[k] = NAN;
	}
	for (size_t a = 0; a < na; a++) {
		p->assets[a].id = (int64_t)a + 1;
		p->last_bar_day[a] = p->last_day;
	}
	return p;
}

/*
 * Asset a grows geometrically by factor g per day from 1 for all nd
 * days, volume v, market cap = cap * close.
 */
static void
fill_geometric(struct ms_panel *p, size_t a, double g, double v, double cap)
{
	double c = 1;

	for (size_t d = 0; d < p->ndays; d++) {
		p->close[a * p->ndays + d] = c;
		p->volume[a * p->ndays + d] = v;
		p->market_cap[a * p->ndays + d] = cap * c;
		c *= g;
	}
}

START_TEST(test_components_by_hand)
{
	struct ms_panel *p = panel_new(3, 120);
	struct ms_grade g[3];
	size_t at = 119;

	fill_geometric(p, 0, 1.01, 100, 1e6);
	fill_geometric(p, 1, 0.99, 100, 2e6);
	fill_geometric(p, 2, 1.00, 50, 3e6);
	ck_assert_int_eq(ms_grade_panel(p, NULL, g), 0);

	/* 7-day momentum: 1.01^7 - 1. */
	ck_rel(g[0].raw[MS_GC_MOMENTUM_7D], pow(1.01, 7) - 1);
	ck_rel(g[1].raw[MS_GC_MOMENTUM_30D], pow(0.99, 30) - 1);
	/* Trend: close over the mean of the last 50 closes. */
	double s = 0;
	for (int k = 0; k < 50; k++)
		s += pow(1.01, (double)(at - (size_t)k));
	ck_rel(g[0].raw[MS_GC_TREND], pow(1.01, (double)at) / (s / 50) - 1);
	ck_rel(g[2].raw[MS_GC_VOLUME_TREND], 1.0);
	/* Constant log returns: zero stdev, so no risk-adjusted value. */
	ck_assert(isnan(g[0].raw[MS_GC_RISK_ADJUSTED]));
	ck_rel(g[0].raw[MS_GC_SIZE], log(1e6 * pow(1.01, (double)at)));
	ck_rel(g[2].raw[MS_GC_LIQUIDITY], 50 / 3e6);
	ck_rel(g[1].raw[MS_GC_DRAWDOWN], pow(0.99, (double)at) - 1);
	ck_rel(g[0].raw[MS_GC_DRAWDOWN], 0);
	ck_rel(g[0].raw[MS_GC_AGE], 119);

	/* Momentum ranks: asset 0 best (5/6), 2 middle (3/6), 1 worst (1/6). */
	ck_rel(g[0].pct[MS_GC_MOMENTUM_7D], 2.5 / 3);
	ck_rel(g[2].pct[MS_GC_MOMENTUM_7D], 1.5 / 3);
	ck_rel(g[1].pct[MS_GC_MOMENTUM_7D], 0.5 / 3);
	/*
	 * Trader grade of asset 0: momentum 7d/30d and trend at 2.5/3,
	 * volume trend tied at 1.5/3 for all, risk-adjusted unknown (weight
	 * 0.20 of 1.00 missing: still graded over the other 0.80).
	 */
	double want = 100 * (0.20 * 2.5 / 3 + 0.20 * 2.5 / 3 + 0.25 * 2.5 / 3 +
	    0.15 * 1.5 / 3) / 0.80;
	ck_rel(g[0].trader, want);
	ms_panel_free(p);
}
END_TEST

START_TEST(test_no_bar_today_not_graded)
{
	struct ms_panel *p = panel_new(2, 60);
	struct ms_grade g[2];

	fill_geometric(p, 0, 1.01, 100, 1e6);
	fill_geometric(p, 1, 1.02, 100, 1e6);
	p->close[1 * 60 + 59] = NAN;      /* asset 1 missing on the day */
	ck_assert_int_eq(ms_grade_panel(p, NULL, g), 0);
	ck_assert(isnan(g[1].trader));
	ck_assert(isnan(g[1].investor));
	ck_assert(!isnan(g[0].trader));
	ms_panel_free(p);
}
END_TEST

START_TEST(test_screen_filters_and_counts)
{
	struct ms_panel *p = panel_new(5, 100);
	struct ms_grade g[5];
	struct ms_screen_params sp;
	struct ms_screen_result r;

	fill_geometric(p, 0, 1.01, 1e5, 1e6);    /* small, rising */
	fill_geometric(p, 1, 1.00, 1e5, 1e9);    /* above $100M */
	fill_geometric(p, 2, 0.99, 1e3, 1e6);    /* small, falling, illiquid */
	fill_geometric(p, 3, 1.00, 1e5, 1e6);
	for (size_t d = 0; d < 100; d++)         /* unknown market cap */
		p->market_cap[3 * 100 + d] = NAN;
	fill_geometric(p, 4, 1.00, 1e5, 1e6);
	p->close[4 * 100 + 99] = NAN;            /* no bar on the day */
	ck_assert_int_eq(ms_grade_panel(p, NULL, g), 0);

	ms_screen_defaults(&sp);
	ck_assert_int_eq(ms_screen_run(p, g, &sp, &r), 0);
	ck_assert_uint_eq(r.universe, 5);
	ck_assert_uint_eq(r.n, 2);
	ck_assert_uint_eq(r.excluded[MS_EX_ABOVE_MAX_MARKET_CAP], 1);
	ck_assert_uint_eq(r.excluded[MS_EX_MARKET_CAP_UNKNOWN], 1);
	ck_assert_uint_eq(r.excluded[MS_EX_NO_BAR_ON_DAY], 1);
	ck_assert_uint_eq(r.picks[0].asset, 0);   /* higher trader grade */
	ck_assert_uint_eq(r.picks[1].asset, 2);
	ck_rel(r.picks[0].roi[0], pow(1.01, 7) - 1);
	ck_rel(r.picks[1].roi[2], pow(0.99, 90) - 1);
	ms_screen_result_free(&r);

	/* Liquidity floor and an ROI bound; unknown caps kept on request. */
	sp.min_liquidity = 0.01;
	sp.roi_min[1] = -0.5;
	sp.include_unknown_cap = 1;
	sp.sort = MS_SORT_ROI_30D;
	ck_assert_int_eq(ms_screen_run(p, g, &sp, &r), 0);
	/*
	 * Asset 2: 1e3 / (1e6 * 0.99^99) = 0.0027 < 0.01; asset 3 has no
	 * market cap, so no liquidity: both fail the floor. Asset 0:
	 * 1e5 / (1e6 * 1.01^99) = 0.037 passes.
	 */
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.picks[0].asset, 0);
	ck_assert_uint_eq(r.excluded[MS_EX_LIQUIDITY], 2);
	ms_screen_result_free(&r);
	ms_panel_free(p);
}
END_TEST

Suite *
make_grade_suite(void)
{
	Suite *s = suite_create("grade");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_pct_rank);
	tcase_add_test(tc, test_pct_rank_empty_and_single);
	tcase_add_test(tc, test_components_by_hand);
	tcase_add_test(tc, test_no_bar_today_not_graded);
	tcase_add_test(tc, test_screen_filters_and_counts);
	suite_add_tcase(s, tc);
	return s;
}
