/*
 * check_import.c — tests of the CSV import pipeline (ingest/ms_import.c)
 * on small hand-made fixtures in tests/fixtures/import/, whose expected
 * values were worked out by hand from the files (see the comments at each
 * test): every layout, row skips by reason, zero -> NULL, the CoinGecko
 * day shift, priorities between sources, idempotent re-import, and bad
 * files rejected with FILE:LINE: reason and the store left unchanged.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>
#include <zlib.h>

#include "ms_date.h"
#include "ms_error.h"
#include "ms_import.h"
#include "ms_store.h"
#include "testutil.h"

static char tmpdir[64];
static char dbpath[128];
static struct ms_store *st;
static struct ms_import_result res;

/* A fixed "today" so the date range check does not depend on the clock. */
#define TODAY 20454   /* 2026-01-01 */

static void
setup(void)
{
	tu_tmpdir(tmpdir, sizeof(tmpdir), "ms_import");
	snprintf(dbpath, sizeof(dbpath), "%s/t.db", tmpdir);
	ck_assert_int_eq(ms_store_open(dbpath, MS_STORE_RW, &st), MS_OK);
}

static void
teardown(void)
{
	ms_store_close(st);
	st = NULL;
	tu_rmtree(tmpdir);
}

/* The path of tests/fixtures/import/name (a static buffer). */
static const char *
fixture(const char *name)
{
	static char buf[512];
	char rel[256];

	snprintf(rel, sizeof(rel), "import/%s", name);
	return tu_fixture(rel, buf, sizeof(buf));
}

static int
import_opts(const char *path, const char *source, int priority)
{
	struct ms_import_opts o = { source, priority, TODAY };

	return ms_import_file(st, path, &o, &res);
}

static int
import(const char *name)
{
	return import_opts(fixture(name), NULL, -1);
}

/* One value of a one-row query with a text parameter; NaN for NULL. */
static double
qd(const char *sql, const char *arg, int day)
{
	sqlite3_stmt *s;
	double v = -999;

	ck_assert_int_eq(sqlite3_prepare_v2(ms_store_db(st), sql, -1, &s,
	    NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, arg, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 2, day);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_type(s, 0) == SQLITE_NULL ? NAN :
		    sqlite3_column_double(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int32_t
D(int y, int m, int d)
{
	return ms_date_from_ymd(y, m, d);
}

/* Served (daily) close / market cap / volume / open of slug on day. */
#define DAILY(col, slug, day) qd("SELECT d." col " FROM daily d JOIN assets a" \
	" ON a.id = d.asset_id WHERE a.slug = ?1 AND d.day = ?2", slug, day)
/* Name of the source serving slug on day. */
static const char *
daily_source(const char *slug, int32_t day)
{
	static char buf[64];
	sqlite3_stmt *s;

	buf[0] = '\0';
	ck_assert_int_eq(sqlite3_prepare_v2(ms_store_db(st),
	    "SELECT s.name FROM daily d JOIN assets a ON a.id = d.asset_id "
	    "JOIN sources s ON s.id = d.source_id WHERE a.slug = ?1 AND "
	    "d.day = ?2", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, slug, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 2, day);
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(buf, sizeof(buf), "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return buf;
}

static const char *
asset_text(const char *col, const char *slug)
{
	static char buf[128];
	char sql[128];
	sqlite3_stmt *s;

	snprintf(sql, sizeof(sql), "SELECT %s FROM assets WHERE slug = ?",
	    col);
	ck_assert_int_eq(sqlite3_prepare_v2(ms_store_db(st), sql, -1, &s,
	    NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, slug, -1, SQLITE_TRANSIENT);
	snprintf(buf, sizeof(buf), "<none>");
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(buf, sizeof(buf), "%s",
		    sqlite3_column_type(s, 0) == SQLITE_NULL ? "<null>" :
		    (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return buf;
}

/* A text dump of every table, to compare store states. */
static char *
dump_tables(int with_imports)
{
	static const char *const tables[] = {
		"SELECT * FROM sources ORDER BY id",
		"SELECT * FROM assets ORDER BY id",
		"SELECT * FROM bars ORDER BY asset_id, source_id, day",
		"SELECT * FROM daily ORDER BY asset_id, day",
		"SELECT * FROM imports ORDER BY id",
		"SELECT * FROM meta ORDER BY key",
	};
	size_t cap = 1 << 16, len = 0;
	char *out = malloc(cap);

	ck_assert_ptr_nonnull(out);
	out[0] = '\0';
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		sqlite3_stmt *s;

		if (!with_imports && strstr(tables[t], "imports") != NULL)
			continue;
		ck_assert_int_eq(sqlite3_prepare_v2(ms_store_db(st), tables[t],
		    -1, &s, NULL), SQLITE_OK);
		while (sqlite3_step(s) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(s); c++) {
				const unsigned char *v = sqlite3_column_text(s,
				    c);

				while (len + 256 > cap) {
					cap *= 2;
					out = realloc(out, cap);
					ck_assert_ptr_nonnull(out);
				}
				len += (size_t)snprintf(out + len, cap - len,
				    "%.200s|", v != NULL ? (const char *)v :
				    "NULL");
			}
			out[len++] = '\n';
			out[len] = '\0';
		}
		sqlite3_finalize(s);
	}
	return out;
}

static char *
dump(void)
{
	return dump_tables(1);
}

/*
 * cmc2018.csv, by line: 2 ripple ok; 3 tinycoin volume 0 (-> NULL);
 * 4 ripple ok; 5 tinycoin mcap 0 (-> NULL); 6 no close; 7 high < low;
 * 8 duplicate of line 5; 9 close -1; 10 volume -5; 11 2008-12-31;
 * 12 close 3.35 > high 3.3; 13..16 tinycoin ok.
 * => read 15, inserted 8, skipped 7 (missing 1, nonpositive 1,
 * negative 1, inconsistent 2, duplicate 1, out of range 1), notes 2.
 */
START_TEST(test_cmc2018)
{
	ck_assert_int_eq(import("cmc2018.csv"), MS_OK);
	ck_assert_str_eq(res.layout, "cmc_allcoins_2018");
	ck_assert_str_eq(res.source, "cmc_allcoins_2018");
	ck_assert_uint_eq(res.rows_read, 15);
	ck_assert_uint_eq(res.inserted, 8);
	ck_assert_uint_eq(res.updated, 0);
	ck_assert_uint_eq(res.unchanged, 0);
	ck_assert_uint_eq(res.skipped, 7);
	ck_assert_uint_eq(res.skips[MS_SKIP_MISSING_PRICE], 1);
	ck_assert_uint_eq(res.skips[MS_SKIP_NONPOSITIVE_PRICE], 1);
	ck_assert_uint_eq(res.skips[MS_SKIP_NEGATIVE_VALUE], 1);
	ck_assert_uint_eq(res.skips[MS_SKIP_INCONSISTENT_OHLC], 2);
	ck_assert_uint_eq(res.skips[MS_SKIP_DUPLICATE_ROW], 1);
	ck_assert_uint_eq(res.skips[MS_SKIP_DATE_OUT_OF_RANGE], 1);
	ck_assert_uint_eq(res.skips[MS_SKIP_NON_USD_QUOTE], 0);
	ck_assert_uint_eq(res.zero_as_null, 2);
	ck_assert_uint_eq(res.assets, 2);
	ck_assert_uint_eq(res.assets_new, 2);
	ck_assert_int_eq(res.first_day, D(2018, 1, 3));
	ck_assert_int_eq(res.last_day, D(2018, 1, 10));
	ck_assert_int_eq(res.changed, 1);
	ck_assert_int_eq(tu_data_version(st), 1);
	/* Values as written; the duplicate kept the first row (0.6). */
	ck_assert_double_eq(DAILY("close", "ripple", D(2018, 1, 3)), 3.10);
	ck_assert_double_eq(DAILY("open", "ripple", D(2018, 1, 3)), 2.46);
	ck_assert_double_eq(DAILY("market_cap", "ripple", D(2018, 1, 3)),
	    95000000000.0);
	ck_assert_double_eq(DAILY("close", "tinycoin", D(2018, 1, 4)), 0.6);
	ck_assert(isnan(DAILY("market_cap", "tinycoin", D(2018, 1, 4))));
	ck_assert(isnan(DAILY("volume", "tinycoin", D(2018, 1, 3))));
	ck_assert_double_eq(DAILY("market_cap", "tinycoin", D(2018, 1, 3)),
	    1000000.0);
	/* Skipped rows are absent. */
	ck_assert_double_eq(DAILY("close", "ripple", D(2018, 1, 5)), -999);
	/* The slug-only ripple gets the curated symbol and name. */
	ck_assert_str_eq(asset_text("symbol", "ripple"), "XRP");
	ck_assert_str_eq(asset_text("name", "ripple"), "XRP");
	ck_assert_str_eq(asset_text("symbol", "tinycoin"), "<null>");
	/* One imports row. */
	ck_assert_double_eq(qd("SELECT rows_read FROM imports WHERE layout = "
	    "?1 AND ?2 = ?2", "cmc_allcoins_2018", 0), 15);
}
END_TEST

START_TEST(test_reimport_idempotent)
{
	int64_t v;
	char *before, *after;

	ck_assert_int_eq(import("cmc2018.csv"), MS_OK);
	ck_assert_int_eq(import("kaggle.csv"), MS_OK);
	v = tu_data_version(st);
	ck_assert_int_eq(v, 2);
	before = dump_tables(0);
	ck_assert_int_eq(import("cmc2018.csv"), MS_OK);
	ck_assert_uint_eq(res.inserted, 0);
	ck_assert_uint_eq(res.updated, 0);
	ck_assert_uint_eq(res.unchanged, 8);
	ck_assert_uint_eq(res.skipped, 7);
	ck_assert_uint_eq(res.assets_new, 0);
	ck_assert_int_eq(res.changed, 0);
	ck_assert_int_eq(tu_data_version(st), v);
	ck_assert_int_eq(import("kaggle.csv"), MS_OK);
	ck_assert_int_eq(res.changed, 0);
	ck_assert_int_eq(tu_data_version(st), v);
	/* Only the imports log grew. */
	after = dump_tables(0);
	ck_assert_str_eq(before, after);
	ck_assert_ptr_nonnull(strstr(after, "data_version|2|"));
	ck_assert_double_eq(qd("SELECT count(*) FROM imports WHERE ?1 = ?1 "
	    "AND ?2 = ?2", "", 0), 4);
	free(before);
	free(after);
	/* The subset file without the source column is the same source. */
	ck_assert_int_eq(import("kaggle_nosrc.csv"), MS_OK);
	ck_assert_str_eq(res.source, "cmc_daily_kaggle");
	ck_assert_uint_eq(res.unchanged, 1);
	ck_assert_int_eq(tu_data_version(st), v);
}
END_TEST

START_TEST(test_update_counts)
{
	char path[256];
	FILE *f;

	/* Import, then a changed copy under the same source name. */
	ck_assert_int_eq(import("kaggle.csv"), MS_OK);
	snprintf(path, sizeof(path), "%s/k2.csv", tmpdir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("date,symbol,name,open,high,low,close,volume_usd,market_cap_usd,"
	    "source\n"
	    "2018-01-05,XRP,XRP,3.2,3.5,2.9,3.06,7000000000,118000000000,x\n"
	    "2018-01-06,BTC,Bitcoin,17462.1,17712.4,16764.6,17527.0,"
	    "18314600000,294356000000,x\n"
	    "2018-01-07,BTC,Bitcoin,17527,17600,17000,17100,1,1,x\n", f);
	fclose(f);
	ck_assert_int_eq(import_opts(path, NULL, -1), MS_OK);
	ck_assert_uint_eq(res.inserted, 1);
	ck_assert_uint_eq(res.updated, 1);
	ck_assert_uint_eq(res.unchanged, 1);
	ck_assert_int_eq(res.changed, 1);
	ck_assert_double_eq(DAILY("close", "ripple", D(2018, 1, 5)), 3.06);
}
END_TEST

/*
 * Priorities: kaggle (10) beats cmc2018 (20) beats coingecko (30).
 * ripple 2018-01-03: only cmc2018 (3.10); 2018-01-04: kaggle
 * 3.1966300010681152 (cmc2018 says 3.20, coingecko 3.1);
 * 2018-01-07: cmc2018 skipped that row, coingecko's 2018-01-08 snapshot
 * is the close of 01-07 (3.4, open/high/low NULL, volume 0 -> NULL).
 */
START_TEST(test_priority_and_coingecko_shift)
{
	ck_assert_int_eq(import("coingecko.csv"), MS_OK);
	ck_assert_str_eq(res.layout, "coingecko_max");
	ck_assert_uint_eq(res.rows_read, 3);
	ck_assert_uint_eq(res.inserted, 3);
	ck_assert_uint_eq(res.zero_as_null, 2);
	ck_assert_int_eq(res.first_day, D(2018, 1, 4));
	ck_assert_int_eq(res.last_day, D(2020, 12, 31));
	ck_assert_uint_eq(res.nsrcvalues, 2);
	ck_assert_double_eq(DAILY("close", "ripple", D(2018, 1, 4)), 3.1);
	ck_assert_str_eq(daily_source("ripple", D(2018, 1, 4)),
	    "coingecko_max");
	ck_assert(isnan(DAILY("open", "ripple", D(2018, 1, 4))));
	ck_assert_double_eq(DAILY("close", "ripple", D(2018, 1, 5)), -999);
	/* lunc maps to Terra Classic; its zero market cap is unknown. */
	ck_assert_double_eq(DAILY("close", "terra-luna", D(2020, 12, 31)),
	    0.65);
	ck_assert(isnan(DAILY("market_cap", "terra-luna", D(2020, 12, 31))));
	ck_assert_str_eq(asset_text("symbol", "terra-luna"), "LUNC");

	ck_assert_int_eq(import("cmc2018.csv"), MS_OK);
	ck_assert_double_eq(DAILY("close", "ripple", D(2018, 1, 4)), 3.20);
	ck_assert_int_eq(import("kaggle.csv"), MS_OK);
	ck_assert_str_eq(res.layout, "cmc_daily_kaggle");
	ck_assert_uint_eq(res.assets, 2);
	ck_assert_uint_eq(res.assets_new, 1);   /* bitcoin */
	ck_assert_double_eq(DAILY("close", "ripple", D(2018, 1, 4)),
	    3.1966300010681152);
	ck_assert_str_eq(daily_source("ripple", D(2018, 1, 4)),
	    "cmc_daily_kaggle");
	ck_assert_double_eq(DAILY("high", "ripple", D(2018, 1, 4)),
	    3.841939926147461);
	ck_assert_double_eq(DAILY("close", "ripple", D(2018, 1, 3)), 3.10);
	ck_assert_double_eq(DAILY("close", "ripple", D(2018, 1, 7)), 3.4);
	ck_assert(isnan(DAILY("volume", "ripple", D(2018, 1, 7))));
	ck_assert_str_eq(asset_text("name", "bitcoin"), "Bitcoin");

	/* --priority 5 on coingecko makes it win; daily is rebuilt. */
	ck_assert_int_eq(import_opts(fixture("coingecko.csv"), NULL, 5),
	    MS_OK);
	ck_assert_uint_eq(res.unchanged, 3);
	ck_assert_int_eq(res.changed, 1);
	ck_assert_double_eq(DAILY("close", "ripple", D(2018, 1, 4)), 3.1);

	/*
	 * Regression: re-importing without --priority kept the layout's
	 * default (30) and silently undid the operator's 5.
	 */
	ck_assert_int_eq(import("coingecko.csv"), MS_OK);
	ck_assert_int_eq(res.changed, 0);
	ck_assert_double_eq(DAILY("close", "ripple", D(2018, 1, 4)), 3.1);
}
END_TEST

START_TEST(test_coinbase)
{
	ck_assert_int_eq(import("coinbase.csv"), MS_OK);
	ck_assert_str_eq(res.layout, "coinbase_spot");
	ck_assert_uint_eq(res.rows_read, 3);
	ck_assert_uint_eq(res.inserted, 2);
	ck_assert_uint_eq(res.skips[MS_SKIP_NON_USD_QUOTE], 1);
	ck_assert_double_eq_tol(DAILY("volume", "bitcoin", D(2020, 1, 1)),
	    3017.69 * 7174.33, 1e-6);
	ck_assert(isnan(DAILY("market_cap", "bitcoin", D(2020, 1, 1))));
	ck_assert_double_eq(DAILY("close", "bitcoin", D(2020, 1, 2)), 6942.16);
	ck_assert_str_eq(asset_text("symbol", "bitcoin"), "BTC");
}
END_TEST

/*
 * top200: LUNA "Terra" on 2022-05-01 is Terra Classic (terra-luna), on
 * 2022-10-01 Terra 2.0 (terra-luna-v2); LUNC "Terra Classic" is
 * terra-luna; "BNB"/"BNB" is binance-coin; Baby Doge at price 0 skipped.
 */
START_TEST(test_top200)
{
	ck_assert_int_eq(import("top200.csv"), MS_OK);
	ck_assert_str_eq(res.layout, "cmc_top200_monthly");
	ck_assert_uint_eq(res.rows_read, 5);
	ck_assert_uint_eq(res.inserted, 4);
	ck_assert_uint_eq(res.skips[MS_SKIP_NONPOSITIVE_PRICE], 1);
	/* terra-luna twice, terra-luna-v2, binance-coin (skipped rows do
	 * not create assets). */
	ck_assert_uint_eq(res.assets, 3);
	ck_assert_double_eq(DAILY("close", "terra-luna", D(2022, 5, 1)),
	    82.23954892);
	ck_assert_double_eq(DAILY("market_cap", "terra-luna", D(2022, 5, 1)),
	    28361900934.020237);
	ck_assert_double_eq(DAILY("close", "terra-luna", D(2022, 10, 1)),
	    0.00033313);
	ck_assert_double_eq(DAILY("close", "terra-luna-v2", D(2022, 10, 1)),
	    2.48063331);
	ck_assert_double_eq(DAILY("volume", "binance-coin", D(2022, 10, 1)),
	    900000000.0);
	ck_assert(isnan(DAILY("open", "binance-coin", D(2022, 10, 1))));
	ck_assert_str_eq(asset_text("name", "binance-coin"), "Binance Coin");
	ck_assert_str_eq(asset_text("slug", "baby-doge-coin"), "<none>");
}
END_TEST

START_TEST(test_generic)
{
	ck_assert_int_eq(import("generic.csv"), MS_OK);
	ck_assert_str_eq(res.layout, "generic");
	ck_assert_str_eq(res.source, "generic:generic.csv");
	ck_assert_uint_eq(res.inserted, 4);
	ck_assert_double_eq(qd("SELECT priority FROM sources WHERE name = ?1 "
	    "AND ?2 = ?2", "generic:generic.csv", 0), 60);
	ck_assert_str_eq(asset_text("symbol", "my-token"), "MTK");
	ck_assert_str_eq(asset_text("name", "my-token"), "My Token");
	ck_assert_double_eq(DAILY("close", "ripple", D(2022, 3, 2)), 0.8);
	ck_assert_str_eq(asset_text("name", "some-quoted-coin-inc"),
	    "Some \"Quoted\" Coin, Inc");
	ck_assert_str_eq(asset_text("symbol", "abc"), "ABC");
	/* --source/--priority override. */
	ck_assert_int_eq(import_opts(fixture("generic.csv"), "mine", 3),
	    MS_OK);
	ck_assert_str_eq(res.source, "mine");
	ck_assert_uint_eq(res.inserted, 4);
	ck_assert_str_eq(daily_source("ripple", D(2022, 3, 2)), "mine");
}
END_TEST

/* Each bad fixture: rejected with this location and reason. */
static const struct {
	const char *file;
	const char *where;     /* ":LINE: reason" suffix expected */
} bad_files[] = {
	{ "bad_header.csv",
	  ":1: unknown CSV layout (header: date,slug,price)" },
	{ "bad_fields.csv", ":3: wrong number of fields: 7 (want 8)" },
	{ "bad_number.csv", ":4: field 6 (close): not a number: \"1.5x\"" },
	{ "bad_date.csv", ":3: date: invalid date \"2018-02-30\" (no such day)" },
	{ "bad_quote.csv", ":2: unterminated quoted field" },
	{ "bad_empty.csv", ":1: no data rows" },
	{ "bad_mostly_skipped.csv", ":4: 2 of 3 data rows skipped" },
	{ "bad_inf.csv", ":2: field 7 (volume_usd): not a number: \"inf\"" },
	{ "does_not_exist.csv", ": cannot open: No such file" },
};

START_TEST(test_bad_files_rejected)
{
	char *before, *after;
	int64_t v;

	ck_assert_int_eq(import("cmc2018.csv"), MS_OK);
	v = tu_data_version(st);
	before = dump();
	for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		char want[512];

		ck_assert_int_ne(import(bad_files[i].file), MS_OK);
		ck_assert_int_eq(res.rejected, 1);
		ck_assert_int_eq(res.changed, 0);
		snprintf(want, sizeof(want), "%s%s", fixture(bad_files[i].file),
		    bad_files[i].where);
		ck_assert_msg(strncmp(res.error, want, strlen(want)) == 0,
		    "got \"%s\", want \"%s\"", res.error, want);
		after = dump();
		ck_assert_str_eq(before, after);
		free(after);
	}
	ck_assert_int_eq(tu_data_version(st), v);
	free(before);
}
END_TEST

/* Files made at run time: NUL byte, bad UTF-8, long line, broken gzip. */
START_TEST(test_bad_bytes_rejected)
{
	static const char hdr[] =
	    "date,slug,open,high,low,close,volume_usd,market_cap_usd\n";
	static const char good[] = "2018-01-01,abc,1,2,0.5,1.5,10,100\n";
	char path[256], *before, *after, *big;
	FILE *f;
	gzFile g;

	ck_assert_int_eq(import("cmc2018.csv"), MS_OK);
	before = dump();

	snprintf(path, sizeof(path), "%s/nul.csv", tmpdir);
	f = fopen(path, "wb");
	fputs(hdr, f);
	fputs(good, f);
	fwrite("2018-01-02,ab\0c,1,2,0.5,1.5,10,100\n", 1, 36, f);
	fclose(f);
	ck_assert_int_eq(import_opts(path, NULL, -1), MS_ERR_PARSE);
	ck_assert_ptr_nonnull(strstr(res.error, "nul.csv:3: NUL byte"));

	snprintf(path, sizeof(path), "%s/utf8.csv", tmpdir);
	f = fopen(path, "wb");
	fputs(hdr, f);
	fputs(good, f);
	fputs("2018-01-02,ab\xff,1,2,0.5,1.5,10,100\n", f);
	fclose(f);
	ck_assert_int_eq(import_opts(path, NULL, -1), MS_ERR_PARSE);
	ck_assert_ptr_nonnull(strstr(res.error, "utf8.csv:3: invalid UTF-8"));

	snprintf(path, sizeof(path), "%s/long.csv.gz", tmpdir);
	g = gzopen(path, "wb");
	gzputs(g, hdr);
	gzputs(g, good);
	big = malloc(70000);
	memset(big, '1', 69999);
	big[69999] = '\0';
	gzputs(g, "2018-01-02,abc,1,2,0.5,1.5,10,");
	gzputs(g, big);
	gzputs(g, "\n");
	gzclose(g);
	free(big);
	ck_assert_int_eq(import_opts(path, NULL, -1), MS_ERR_TOOBIG);
	ck_assert_ptr_nonnull(strstr(res.error,
	    "long.csv.gz:3: line longer than 65536 bytes"));

	snprintf(path, sizeof(path), "%s/broken.csv.gz", tmpdir);
	f = fopen(path, "wb");
	fwrite("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xff\xff\xff", 1,
	    14, f);
	fclose(f);
	ck_assert_int_ne(import_opts(path, NULL, -1), MS_OK);
	ck_assert_ptr_nonnull(strstr(res.error, "gzip"));

	after = dump();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

START_TEST(test_gz_import_same)
{
	char path[256], src[4096];
	FILE *f;
	size_t n;
	gzFile g;
	char *a;

	f = fopen(fixture("top200.csv"), "rb");
	ck_assert_ptr_nonnull(f);
	n = fread(src, 1, sizeof(src), f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/top200.csv.gz", tmpdir);
	g = gzopen(path, "wb");
	gzwrite(g, src, (unsigned)n);
	gzclose(g);
	ck_assert_int_eq(import_opts(path, NULL, -1), MS_OK);
	ck_assert_uint_eq(res.inserted, 4);
	a = dump();
	ck_assert_int_eq(import("top200.csv"), MS_OK);
	ck_assert_uint_eq(res.unchanged, 4);
	ck_assert_int_eq(res.changed, 0);
	free(a);
}
END_TEST

START_TEST(test_collect)
{
	char **list = NULL, err[256], dir[512];
	size_t n = 0;

	snprintf(dir, sizeof(dir), "%s", fixture(""));
	ck_assert_int_eq(ms_import_collect(dir, &list, &n, err, sizeof(err)),
	    MS_OK);
	ck_assert_uint_ge(n, 15);
	for (size_t i = 1; i < n; i++)
		ck_assert_int_lt(strcmp(list[i - 1], list[i]), 0);
	ck_assert_ptr_nonnull(strstr(list[0], "bad_date.csv"));
	ck_assert_ptr_null(strstr(list[0], "//"));
	ck_assert_int_eq(ms_import_collect("/nonexistent", &list, &n, err,
	    sizeof(err)), MS_ERR_IO);
	ms_import_free_list(list, n);
	ms_import_free_list(NULL, 0);
	ck_assert_str_eq(ms_import_skip_name(MS_SKIP_COUNT), "unknown");
	ck_assert_str_eq(ms_import_skip_name(MS_SKIP_DUPLICATE_ROW),
	    "duplicate_row");
}
END_TEST

Suite *make_import_suite(void);

Suite *
make_import_suite(void)
{
	Suite *s = suite_create("import");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");

	tcase_add_checked_fixture(core, setup, teardown);
	tcase_add_checked_fixture(limits, setup, teardown);
	tcase_set_timeout(core, 60);
	tcase_set_timeout(limits, 60);
	tcase_add_test(core, test_cmc2018);
	tcase_add_test(core, test_reimport_idempotent);
	tcase_add_test(core, test_update_counts);
	tcase_add_test(core, test_priority_and_coingecko_shift);
	tcase_add_test(core, test_coinbase);
	tcase_add_test(core, test_top200);
	tcase_add_test(core, test_generic);
	tcase_add_test(core, test_gz_import_same);
	tcase_add_test(core, test_collect);
	tcase_add_test(limits, test_bad_files_rejected);
	tcase_add_test(limits, test_bad_bytes_rejected);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}
