/*
 * check_demo.c — tests of the synthetic demo generator (ingest/ms_demo.c):
 * same seed gives bit-identical bars, another seed does not; the universe
 * has the familiar large caps, dying small caps that collapse before they
 * stop, fat-tailed returns (kurtosis > 3) and consistent OHLC; it is
 * labelled synthetic; it refuses to mix into real data unless forced.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include "ms_date.h"
#include "ms_demo.h"
#include "ms_error.h"
#include "ms_import.h"
#include "ms_store.h"
#include "testutil.h"

#define NASSETS 24

static char tmpdir[64];

static void
setup(void)
{
	tu_tmpdir(tmpdir, sizeof(tmpdir), "ms_demo");
}

static void
teardown(void)
{
	tu_rmtree(tmpdir);
}

static struct ms_store *
make_demo_n(const char *name, int n, uint64_t seed,
    struct ms_demo_result *res)
{
	struct ms_demo_opts o = { n, seed, 0 };
	struct ms_store *st = tu_open_store(tmpdir, name);
	char err[256];

	ck_assert_int_eq(ms_demo_generate(st, &o, res, err, sizeof(err)),
	    MS_OK);
	return st;
}

static struct ms_store *
make_demo(const char *name, uint64_t seed, struct ms_demo_result *res)
{
	return make_demo_n(name, NASSETS, seed, res);
}

/* FNV-1a over every bar's bytes (slug, day, the six doubles). */
static uint64_t
bars_hash(struct ms_store *st, long *n)
{
	sqlite3_stmt *s;
	uint64_t h = UINT64_C(1469598103934665603);

	*n = 0;
	ck_assert_int_eq(sqlite3_prepare_v2(ms_store_db(st),
	    "SELECT a.slug, b.day, b.open, b.high, b.low, b.close, b.volume, "
	    "b.market_cap FROM bars b JOIN assets a ON a.id = b.asset_id "
	    "ORDER BY a.slug, b.day", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		unsigned char buf[8 * 7 + 64];
		size_t len = 0;
		const char *slug = (const char *)sqlite3_column_text(s, 0);
		int64_t day = sqlite3_column_int64(s, 1);

		len = strlen(slug);
		memcpy(buf, slug, len);
		memcpy(buf + len, &day, 8);
		len += 8;
		for (int c = 2; c < 8; c++) {
			double v = sqlite3_column_double(s, c);

			memcpy(buf + len, &v, 8);
			len += 8;
		}
		for (size_t i = 0; i < len; i++) {
			h ^= buf[i];
			h *= UINT64_C(1099511628211);
		}
		(*n)++;
	}
	sqlite3_finalize(s);
	return h;
}

START_TEST(test_deterministic)
{
	struct ms_demo_result r1, r2, r3;
	struct ms_store *a = make_demo("a.db", 7, &r1);
	struct ms_store *b = make_demo("b.db", 7, &r2);
	struct ms_store *c = make_demo_n("c.db", MS_DEMO_MIN_ASSETS, 8, &r3);
	long na, nb, nc;
	uint64_t ha = bars_hash(a, &na), hb = bars_hash(b, &nb);
	uint64_t hc = bars_hash(c, &nc);

	ck_assert_int_eq(r1.assets, NASSETS);
	ck_assert_int_eq(r1.bars, na);
	ck_assert_int_eq(na, nb);
	ck_assert_uint_eq(ha, hb);
	ck_assert_uint_ne(ha, hc);
	ck_assert_int_eq(r1.first_day, ms_date_from_ymd(2021, 1, 1));
	ck_assert_int_eq(r1.last_day, ms_date_from_ymd(2024, 12, 31));
	/* Running it again replaces the data with the same data. */
	{
		struct ms_demo_opts o = { NASSETS, 7, 0 };
		char err[256];
		long n2;

		ck_assert_int_eq(ms_demo_generate(a, &o, &r3, err,
		    sizeof(err)), MS_OK);
		ck_assert_uint_eq(bars_hash(a, &n2), ha);
		ck_assert_int_eq(n2, na);
	}
	ms_store_close(a);
	ms_store_close(b);
	ms_store_close(c);
}
END_TEST

static void
check_fat_tails(struct ms_store *st)
{
	sqlite3_stmt *s;
	double prev = NAN, m1 = 0, m2 = 0, m4 = 0;
	int64_t prev_asset = -1;
	long n = 0;
	double *x = NULL;
	size_t cap = 0;

	/* Daily log returns of the large caps. */
	ck_assert_int_eq(sqlite3_prepare_v2(ms_store_db(st),
	    "SELECT asset_id, close FROM daily WHERE asset_id IN (SELECT id "
	    "FROM assets WHERE slug NOT LIKE 'demo-coin-%') ORDER BY asset_id,"
	    " day", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		int64_t a = sqlite3_column_int64(s, 0);
		double c = sqlite3_column_double(s, 1);

		if (a == prev_asset) {
			if ((size_t)n == cap) {
				cap = cap ? cap * 2 : 4096;
				x = realloc(x, cap * sizeof(*x));
				ck_assert_ptr_nonnull(x);
			}
			x[n++] = log(c / prev);
		}
		prev_asset = a;
		prev = c;
	}
	sqlite3_finalize(s);
	ck_assert_int_gt(n, 10000);
	for (long i = 0; i < n; i++)
		m1 += x[i];
	m1 /= (double)n;
	for (long i = 0; i < n; i++) {
		double d = x[i] - m1;

		m2 += d * d;
		m4 += d * d * d * d;
	}
	m2 /= (double)n;
	m4 /= (double)n;
	/* A normal distribution has kurtosis 3. */
	ck_assert_msg(m4 / (m2 * m2) > 4.0, "kurtosis %g", m4 / (m2 * m2));
	/* Daily volatility in a crypto-like range (2%..10%). */
	ck_assert_msg(sqrt(m2) > 0.02 && sqrt(m2) < 0.10, "vol %g", sqrt(m2));
	free(x);
}

START_TEST(test_universe_shape)
{
	struct ms_demo_result r;
	/* Seed 3 with 24 assets has three dying small caps. */
	struct ms_store *st = make_demo("a.db", 3, &r);
	int32_t last = ms_date_from_ymd(2024, 12, 31);
	sqlite3_stmt *s;
	long dead = 0, collapsed = 0;

	/* Familiar large caps, with symbols, and the source is synthetic. */
	ck_assert_int_eq(tu_query_int(st,
	    "SELECT count(*) FROM assets WHERE slug IN "
	    "('bitcoin','ethereum','ripple','dogecoin') AND symbol IS NOT NULL"),
	    4);
	ck_assert_int_eq(tu_query_int(st,
	    "SELECT count(*) FROM daily d JOIN assets a "
	    "ON a.id = d.asset_id WHERE a.slug = 'bitcoin'"), 1461);
	ck_assert_int_eq(tu_query_int(st,
	    "SELECT synthetic FROM sources WHERE name = "
	    "'synthetic-demo'"), 1);
	ck_assert_int_eq(tu_query_int(st,
	    "SELECT priority FROM sources WHERE name = "
	    "'synthetic-demo'"), MS_DEMO_PRIORITY);
	ck_assert_int_eq(tu_query_int(st,
	    "SELECT instr(description, 'SYNTHETIC') > 0 "
	    "AND instr(description, 'NOT market data') > 0 FROM sources"), 1);
	ck_assert_int_eq(tu_query_int(st,
	    "SELECT count(*) FROM assets WHERE slug = "
	    "'demo-coin-001'"), 1);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM assets WHERE "
	    "categories IS NULL"), 0);
	/* OHLC is consistent and positive; market cap and volume present. */
	ck_assert_int_eq(tu_query_int(st,
	    "SELECT count(*) FROM bars WHERE NOT (low > 0 "
	    "AND low <= open AND low <= close AND high >= open AND "
	    "high >= close AND volume > 0 AND market_cap > 0)"), 0);
	/* Dying coins: the series stops early after a collapse. */
	ck_assert_int_eq(sqlite3_prepare_v2(ms_store_db(st),
	    "SELECT max(day), max(close), (SELECT close FROM daily d2 WHERE "
	    "d2.asset_id = d.asset_id ORDER BY day DESC LIMIT 1) FROM daily d "
	    "GROUP BY asset_id", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (sqlite3_column_int(s, 0) < last) {
			dead++;
			if (sqlite3_column_double(s, 2) <
			    0.05 * sqlite3_column_double(s, 1))
				collapsed++;
		}
	}
	sqlite3_finalize(s);
	ck_assert_int_eq(dead, r.dead);
	ck_assert_int_ge(dead, 2);
	ck_assert_int_eq(collapsed, dead);
	check_fat_tails(st);
	ms_store_close(st);
}
END_TEST


START_TEST(test_refuses_real_data)
{
	struct ms_store *st = tu_open_store(tmpdir, "a.db");
	struct ms_demo_opts o = { NASSETS, 1, 0 };
	struct ms_demo_result r;
	struct ms_import_result ir;
	struct ms_import_opts io = { NULL, -1, 20454 };
	char err[256], path[512];
	const char *dir = getenv("MS_TEST_FIXTURES");
	int64_t v;

	snprintf(path, sizeof(path), "%s/import/kaggle.csv",
	    dir != NULL ? dir : "tests/fixtures");
	ck_assert_int_eq(ms_import_file(st, path, &io, &ir), MS_OK);
	ck_assert_int_eq(ms_store_data_version(st, &v), MS_OK);
	ck_assert_int_eq(ms_demo_generate(st, &o, &r, err, sizeof(err)),
	    MS_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err, "--force"));
	{
		int64_t v2;

		ck_assert_int_eq(ms_store_data_version(st, &v2), MS_OK);
		ck_assert_int_eq(v2, v);
	}
	o.assets = 5;
	o.force = 1;
	ck_assert_int_eq(ms_demo_generate(st, &o, &r, err, sizeof(err)),
	    MS_ERR_INVALID);
	o.assets = MS_DEMO_MIN_ASSETS;
	ck_assert_int_eq(ms_demo_generate(st, &o, &r, err, sizeof(err)),
	    MS_OK);
	/* Real data keeps winning where both exist (priority 10 < 90). */
	ck_assert_int_eq(tu_query_int(st,
	    "SELECT count(*) FROM daily d JOIN sources s "
	    "ON s.id = d.source_id WHERE s.name = 'cmc_daily_kaggle'"), 4);
	/* And purging the demo leaves the real data alone. */
	{
		int64_t n;

		ck_assert_int_eq(ms_store_begin(st), MS_OK);
		ck_assert_int_eq(ms_store_purge_source(st, MS_DEMO_SOURCE, &n),
		    MS_OK);
		ck_assert_int_eq(ms_store_commit(st), MS_OK);
		ck_assert_int_eq(n, r.bars);
	}
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM daily"), 4);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM assets"), 2);
	ms_store_close(st);
}
END_TEST

Suite *make_demo_suite(void);

Suite *
make_demo_suite(void)
{
	Suite *s = suite_create("demo");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");

	tcase_add_checked_fixture(core, setup, teardown);
	tcase_add_checked_fixture(limits, setup, teardown);
	tcase_set_timeout(core, 300);
	tcase_set_timeout(limits, 300);
	tcase_add_test(core, test_deterministic);
	tcase_add_test(core, test_universe_shape);
	tcase_add_test(limits, test_refuses_real_data);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}
