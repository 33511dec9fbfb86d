/*
 * check_panel.c — the point-in-time panel: what ms_panel_load reads, and
 * that ms_panel_slice cuts out of a long panel exactly what a direct load
 * of the shorter window returns (the backtester loads history once and
 * slices it per date, the API loads per request; both must see the same).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sqlite3.h>

#include "ms_error.h"
#include "ms_panel.h"
#include "ms_store.h"
#include "testutil.h"

Suite *make_panel_suite(void);

#define D0 17532                /* 2018-01-01 */

/*
 * Three assets over 60 days from D0:
 *   1 "early": bars on days 0..29, and on day 12 a row whose every value
 *     is NULL (a row nonetheless: it counts as a bar);
 *   2 "gappy": bars on even days only, market cap unknown on day 40;
 *   3 "late":  bars from day 45 on.
 */
static struct ms_store *
build(const char *dir)
{
	struct ms_store *st = tu_open_store(dir, "panel.db");
	sqlite3 *db = ms_store_db(st);
	int64_t src;

	ck_assert_int_eq(ms_store_begin(st), 0);
	ck_assert_int_eq(ms_store_source(st, "fix", 10, "close at 23:59 UTC",
	    0, "panel fixture", &src), 0);
	tu_insert_asset(db, 1, "early", "ERL", "Early", "");
	tu_insert_asset(db, 2, "gappy", "GAP", "Gappy", "");
	tu_insert_asset(db, 3, "late", "LAT", "Late", "");
	for (int i = 0; i < 60; i++) {
		double c = 1 + i / 100.0;

		if (i < 30 && i != 12)
			tu_insert_bar(db, 1, src, D0 + i, c, c * 1.1, c * 0.9, c,
			    1e6 + i, 1e8 + i);
		if (i == 12)
			tu_insert_bar(db, 1, src, D0 + i, NAN, NAN, NAN, NAN, NAN,
			    NAN);
		if (i % 2 == 0)
			tu_insert_bar(db, 2, src, D0 + i, 2 * c, 2 * c, 2 * c,
			    2 * c, 5e5, i == 40 ? NAN : 3e7);
		if (i >= 45)
			tu_insert_bar(db, 3, src, D0 + i, 3 * c, 3 * c, 3 * c,
			    3 * c, 7e5, 9e6);
	}
	for (int64_t id = 1; id <= 3; id++)
		ck_assert_int_eq(ms_store_rebuild_daily(st, id), 0);
	ck_assert_int_eq(ms_store_bump_version(st), 0);
	ck_assert_int_eq(ms_store_commit(st), 0);
	return st;
}

/* Bit-for-bit equality of two series (NaN equals NaN). */
static int
same(const double *a, const double *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(a[i] == b[i] || (isnan(a[i]) && isnan(b[i]))))
			return 0;
	return 1;
}

static void
assert_equal_panels(const struct ms_panel *a, const struct ms_panel *b)
{
	size_t cells = a->nassets * a->ndays;

	ck_assert_int_eq(a->first_day, b->first_day);
	ck_assert_int_eq(a->last_day, b->last_day);
	ck_assert_uint_eq(a->ndays, b->ndays);
	ck_assert_uint_eq(a->nassets, b->nassets);
	for (size_t k = 0; k < a->nassets; k++) {
		ck_assert_int_eq(a->assets[k].id, b->assets[k].id);
		ck_assert_str_eq(a->assets[k].slug, b->assets[k].slug);
		ck_assert_int_eq(a->last_bar_day[k], b->last_bar_day[k]);
	}
	ck_assert(same(a->close, b->close, cells));
	ck_assert(same(a->high, b->high, cells));
	ck_assert(same(a->low, b->low, cells));
	ck_assert(same(a->volume, b->volume, cells));
	ck_assert(same(a->market_cap, b->market_cap, cells));
	ck_assert(memcmp(a->present, b->present, cells) == 0);
}

START_TEST(test_load)
{
	char dir[256];
	struct ms_store *st;
	struct ms_panel *p = NULL;

	tu_tmpdir(dir, sizeof(dir), "panel");
	st = build(dir);
	/* Days 20..39: early (bars to 29) and gappy; late has none yet. */
	ck_assert_int_eq(ms_panel_load(st, D0 + 39, 20, &p), 0);
	ck_assert_uint_eq(p->nassets, 2);
	ck_assert_int_eq(p->assets[0].id, 1);
	ck_assert_int_eq(p->assets[1].id, 2);
	ck_assert_int_eq(p->last_bar_day[0], D0 + 29);
	ck_assert_int_eq(p->last_bar_day[1], D0 + 38);
	/* early on day 25 (offset 5): close 1.25; gappy on day 21: none. */
	ck_assert(p->close[5] == 1.25);
	ck_assert(p->present[5] == 1);
	ck_assert(isnan(p->close[p->ndays + 1]) && p->present[p->ndays + 1] == 0);
	ck_assert_uint_eq(p->sources.n, 1);
	ms_panel_free(p);

	/* The all-NULL row of day 12 is a bar: present, every value NaN. */
	ck_assert_int_eq(ms_panel_load(st, D0 + 12, 1, &p), 0);
	ck_assert_uint_eq(p->nassets, 2);
	ck_assert_int_eq(p->last_bar_day[0], D0 + 12);
	ck_assert(p->present[0] == 1 && isnan(p->close[0]));
	ms_panel_free(p);

	ck_assert_int_eq(ms_panel_load(st, D0, 0, &p), MS_ERR_RANGE);
	ck_assert_int_eq(ms_panel_load(st, D0, MS_PANEL_MAX_DAYS + 1, &p),
	    MS_ERR_RANGE);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

START_TEST(test_slice_equals_load)
{
	char dir[256];
	struct ms_store *st;
	struct ms_panel *big = NULL;
	/* Windows that drop assets, gain them, start on a gap, sit on the
	 * all-NULL row, and cover the whole history. */
	static const struct { int day; size_t ndays; } w[] = {
		{ 5, 6 }, { 12, 1 }, { 12, 13 }, { 29, 30 }, { 31, 2 },
		{ 40, 11 }, { 44, 15 }, { 45, 1 }, { 59, 60 }, { 59, 14 },
	};

	tu_tmpdir(dir, sizeof(dir), "panel");
	st = build(dir);
	ck_assert_int_eq(ms_panel_load(st, D0 + 59, 60, &big), 0);
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		struct ms_panel *a = NULL, *b = NULL;

		ck_assert_int_eq(ms_panel_load(st, D0 + w[i].day, w[i].ndays,
		    &a), 0);
		ck_assert_int_eq(ms_panel_slice(big, D0 + w[i].day, w[i].ndays,
		    &b), 0);
		assert_equal_panels(a, b);
		ms_panel_free(a);
		ms_panel_free(b);
	}
	/* Windows big does not cover. */
	{
		struct ms_panel *b = NULL;
		ck_assert_int_eq(ms_panel_slice(big, D0 + 60, 1, &b),
		    MS_ERR_RANGE);
		ck_assert_int_eq(ms_panel_slice(big, D0 + 5, 7, &b),
		    MS_ERR_RANGE);
		ck_assert_int_eq(ms_panel_slice(big, D0 + 5, 0, &b),
		    MS_ERR_RANGE);
		ck_assert_ptr_null(b);
	}
	ms_panel_free(big);
	ms_store_close(st);
	tu_rmtree(dir);
}
END_TEST

Suite *
make_panel_suite(void)
{
	Suite *s = suite_create("panel");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_slice_equals_load);
	suite_add_tcase(s, tc);
	return s;
}
