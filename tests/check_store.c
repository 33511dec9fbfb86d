/*
 * check_store.c — tests of the SQLite store (shared/ms_store.c): create
 * and migrate, read-only opens of missing/empty/newer stores, the
 * statement cache, data_version semantics, the `daily` priority choice
 * and its rebuild when a priority changes, purges, and a read-only
 * connection seeing later commits. Also the identity rules
 * (shared/ms_identity.c), which the store's assets depend on.
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
#include "ms_error.h"
#include "ms_identity.h"
#include "ms_market.h"
#include "ms_store.h"
#include "testutil.h"

static char tmpdir[64];
static char dbpath[128];

static void
setup(void)
{
	tu_tmpdir(tmpdir, sizeof(tmpdir), "ms_store");
	snprintf(dbpath, sizeof(dbpath), "%s/t.db", tmpdir);
}

static void
teardown(void)
{
	tu_rmtree(tmpdir);
}

START_TEST(test_create_and_migrate)
{
	struct ms_store *st;
	int v = -1;

	ck_assert_int_eq(ms_store_open(dbpath, MS_STORE_RW, &st), MS_OK);
	ck_assert_int_eq(ms_store_schema_version(st, &v), MS_OK);
	ck_assert_int_eq(v, MS_SCHEMA_VERSION);
	ck_assert_int_eq(tu_data_version(st), 0);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM sqlite_master "
	    "WHERE name IN ('sources','assets','bars','daily','imports','meta',"
	    "'daily_day','assets_symbol','bars_source')"), 9);
	ck_assert_int_eq(tu_query_int(st, "PRAGMA foreign_keys"), 1);
	ms_store_close(st);
	/* Re-opening does not migrate again. */
	ck_assert_int_eq(ms_store_open(dbpath, MS_STORE_RW, &st), MS_OK);
	ck_assert_int_eq(ms_store_schema_version(st, &v), MS_OK);
	ck_assert_int_eq(v, MS_SCHEMA_VERSION);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM meta"), 1);
	ms_store_close(st);
	/* And a read-only open works. */
	ck_assert_int_eq(ms_store_open(dbpath, MS_STORE_RO, &st), MS_OK);
	ck_assert_int_eq(tu_data_version(st), 0);
	ms_store_close(st);
	ms_store_close(NULL);
}
END_TEST

START_TEST(test_ro_missing_and_empty)
{
	struct ms_store *st = NULL;
	char path[160];
	FILE *f;

	ck_assert_int_eq(ms_store_open(dbpath, MS_STORE_RO, &st),
	    MS_ERR_NOTFOUND);
	ck_assert_ptr_null(st);
	ck_assert_int_eq(access(dbpath, F_OK), -1);   /* not created */
	/* An empty file is not an initialised store. */
	f = fopen(dbpath, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(ms_store_open(dbpath, MS_STORE_RO, &st),
	    MS_ERR_SCHEMA);
	/* Nor is a text file. */
	snprintf(path, sizeof(path), "%s/text.db", tmpdir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("this is not a database, just some text to fill the page "
	    "header and more..................................................."
	    "..................................................\n", f);
	fclose(f);
	ck_assert_int_eq(ms_store_open(path, MS_STORE_RO, &st),
	    MS_ERR_SCHEMA);
	ck_assert_int_eq(ms_store_open("", MS_STORE_RO, &st), MS_ERR_INVALID);
}
END_TEST

START_TEST(test_newer_schema)
{
	struct ms_store *st;
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 99", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(ms_store_open(dbpath, MS_STORE_RO, &st),
	    MS_ERR_SCHEMA);
	ck_assert_int_eq(ms_store_open(dbpath, MS_STORE_RW, &st),
	    MS_ERR_SCHEMA);
}
END_TEST

START_TEST(test_stmt_cache)
{
	static const char sql[] = "SELECT ?1 + 1";
	struct ms_store *st;
	sqlite3_stmt *a, *b;

	ck_assert_int_eq(ms_store_open(dbpath, MS_STORE_RW, &st), MS_OK);
	a = ms_store_stmt(st, sql);
	ck_assert_ptr_nonnull(a);
	sqlite3_bind_int(a, 1, 41);
	ck_assert_int_eq(sqlite3_step(a), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(a, 0), 42);
	/* Same pointer, same statement, reset and unbound. */
	b = ms_store_stmt(st, sql);
	ck_assert_ptr_eq(a, b);
	ck_assert_int_eq(sqlite3_step(b), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_type(b, 0), SQLITE_NULL);
	ms_store_release(b);
	ms_store_release(NULL);
	ck_assert_ptr_null(ms_store_stmt(st, "SELECT FROM nothing"));
	ms_store_close(st);
}
END_TEST

START_TEST(test_data_version)
{
	struct ms_store *st;
	int64_t src;

	ck_assert_int_eq(ms_store_open(dbpath, MS_STORE_RW, &st), MS_OK);
	ck_assert_int_eq(tu_data_version(st), 0);
	/* A new source alone is not a data change. */
	ck_assert_int_eq(ms_store_begin(st), MS_OK);
	ck_assert_int_eq(ms_store_source(st, "a", 20, "t", 0, "d", &src),
	    MS_OK);
	ck_assert_int_eq(ms_store_commit(st), MS_OK);
	ck_assert_int_eq(tu_data_version(st), 0);
	/* Same values again: nothing changes. */
	ck_assert_int_eq(ms_store_begin(st), MS_OK);
	ck_assert_int_eq(ms_store_source(st, "a", 20, "t", 0, "d", &src),
	    MS_OK);
	ck_assert_int_eq(ms_store_commit(st), MS_OK);
	ck_assert_int_eq(tu_data_version(st), 0);
	/* A bump that is rolled back does not count. */
	ck_assert_int_eq(ms_store_begin(st), MS_OK);
	ck_assert_int_eq(ms_store_bump_version(st), MS_OK);
	ck_assert_int_eq(tu_data_version(st), 1);
	ms_store_rollback(st);
	ck_assert_int_eq(tu_data_version(st), 0);
	ck_assert_int_eq(ms_store_begin(st), MS_OK);
	ck_assert_int_eq(ms_store_bump_version(st), MS_OK);
	ck_assert_int_eq(ms_store_bump_version(st), MS_OK);
	ck_assert_int_eq(ms_store_commit(st), MS_OK);
	ck_assert_int_eq(tu_data_version(st), 2);
	/* Rollback outside a transaction is harmless. */
	ms_store_rollback(st);
	ms_store_close(st);
}
END_TEST

/* Two sources with bars for the same asset-day; lower priority wins. */
START_TEST(test_rebuild_daily_priority)
{
	struct ms_store *st;
	int64_t a, b, v0;

	ck_assert_int_eq(ms_store_open(dbpath, MS_STORE_RW, &st), MS_OK);
	ck_assert_int_eq(ms_store_begin(st), MS_OK);
	ck_assert_int_eq(ms_store_source(st, "low", 20, "t", 0, "d", &a),
	    MS_OK);
	ck_assert_int_eq(ms_store_source(st, "high", 10, "t", 0, "d", &b),
	    MS_OK);
	tu_exec(st, "INSERT INTO assets(id, slug) VALUES (1, 'x'), (2, 'y')");
	tu_exec(st, "INSERT INTO bars(asset_id, source_id, day, close) VALUES"
	    " (1, 1, 100, 1.0), (1, 2, 100, 2.0), (1, 1, 101, 3.0),"
	    " (2, 2, 100, 9.0)");
	ck_assert_int_eq(ms_store_rebuild_daily(st, 1), MS_OK);
	ck_assert_int_eq(ms_store_rebuild_daily(st, 2), MS_OK);
	ck_assert_int_eq(ms_store_bump_version(st), MS_OK);
	ck_assert_int_eq(ms_store_commit(st), MS_OK);
	ck_assert_double_eq(tu_query_double(st, "SELECT close FROM daily WHERE "
	    "asset_id = 1 AND day = 100"), 2.0);
	ck_assert_int_eq(tu_query_int(st, "SELECT source_id FROM daily WHERE "
	    "asset_id = 1 AND day = 100"), b);
	ck_assert_double_eq(tu_query_double(st, "SELECT close FROM daily WHERE "
	    "asset_id = 1 AND day = 101"), 3.0);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM daily"), 3);

	/* Raising "low" above "high" rebuilds daily and bumps the version. */
	v0 = tu_data_version(st);
	ck_assert_int_eq(ms_store_begin(st), MS_OK);
	ck_assert_int_eq(ms_store_source(st, "low", 5, "t", 0, "d", &a),
	    MS_OK);
	ck_assert_int_eq(ms_store_commit(st), MS_OK);
	ck_assert_int_gt(tu_data_version(st), v0);
	ck_assert_double_eq(tu_query_double(st, "SELECT close FROM daily WHERE "
	    "asset_id = 1 AND day = 100"), 1.0);

	/* Purging "low" falls back to "high"; purging "high" drops y. */
	v0 = tu_data_version(st);
	ck_assert_int_eq(ms_store_begin(st), MS_OK);
	{
		int64_t n = -1;

		ck_assert_int_eq(ms_store_purge_source(st, "low", &n), MS_OK);
		ck_assert_int_eq(n, 2);
		ck_assert_int_eq(ms_store_purge_source(st, "nope", &n),
		    MS_ERR_NOTFOUND);
	}
	ck_assert_int_eq(ms_store_commit(st), MS_OK);
	ck_assert_int_eq(tu_data_version(st), v0 + 1);
	ck_assert_double_eq(tu_query_double(st, "SELECT close FROM daily WHERE "
	    "asset_id = 1 AND day = 100"), 2.0);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM daily"), 2);
	ck_assert_int_eq(ms_store_begin(st), MS_OK);
	{
		int64_t n = -1;

		ck_assert_int_eq(ms_store_purge_source(st, "high", &n), MS_OK);
		ck_assert_int_eq(n, 2);
	}
	ck_assert_int_eq(ms_store_commit(st), MS_OK);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM daily"), 0);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM assets"), 0);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM sources"), 2);
	ms_store_close(st);
}
END_TEST

/* Insert, same again, a changed value, unknown values (NULL = NULL). */
START_TEST(test_put_bar)
{
	struct ms_store *st;
	struct ms_bar b = { .day = 100, .open = 1, .high = 2, .low = 0.5,
		.close = 1.5, .volume = NAN, .market_cap = 1e6 };
	int64_t src;

	ck_assert_int_eq(ms_store_open(dbpath, MS_STORE_RW, &st), MS_OK);
	ck_assert_int_eq(ms_store_begin(st), MS_OK);
	ck_assert_int_eq(ms_store_source(st, "s", 10, "t", 0, "d", &src),
	    MS_OK);
	tu_exec(st, "INSERT INTO assets(id, slug) VALUES (1, 'x')");
	ck_assert_int_eq(ms_store_put_bar(st, 1, src, &b),
	    MS_STORE_BAR_INSERTED);
	ck_assert_int_eq(ms_store_put_bar(st, 1, src, &b), 0);
	ck_assert_int_eq(tu_query_int(st, "SELECT volume IS NULL FROM bars"),
	    1);
	b.close = 1.25;
	ck_assert_int_eq(ms_store_put_bar(st, 1, src, &b),
	    MS_STORE_BAR_UPDATED);
	ck_assert_double_eq(tu_query_double(st, "SELECT close FROM bars"), 1.25);
	b.open = b.high = b.low = NAN;          /* a close-only source */
	ck_assert_int_eq(ms_store_put_bar(st, 1, src, &b),
	    MS_STORE_BAR_UPDATED);
	ck_assert_int_eq(ms_store_put_bar(st, 1, src, &b), 0);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM bars WHERE "
	    "open IS NULL AND high IS NULL AND low IS NULL"), 1);
	b.day = 101;
	ck_assert_int_eq(ms_store_put_bar(st, 1, src, &b),
	    MS_STORE_BAR_INSERTED);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM bars"), 2);
	/* daily is the caller's to rebuild. */
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM daily"), 0);
	ck_assert_int_eq(ms_store_commit(st), MS_OK);
	ms_store_close(st);
}
END_TEST

START_TEST(test_ro_sees_new_commits)
{
	struct ms_store *rw, *ro;

	ck_assert_int_eq(ms_store_open(dbpath, MS_STORE_RW, &rw), MS_OK);
	ck_assert_int_eq(ms_store_open(dbpath, MS_STORE_RO, &ro), MS_OK);
	ck_assert_int_eq(tu_data_version(ro), 0);
	for (int i = 1; i <= 3; i++) {
		ck_assert_int_eq(ms_store_begin(rw), MS_OK);
		ck_assert_int_eq(ms_store_bump_version(rw), MS_OK);
		ck_assert_int_eq(ms_store_commit(rw), MS_OK);
		ck_assert_int_eq(tu_data_version(ro), i);
	}
	/* The read-only connection cannot write. */
	ck_assert_int_eq(ms_store_begin(ro), MS_OK);
	ck_assert_int_ne(ms_store_bump_version(ro), MS_OK);
	ms_store_rollback(ro);
	ms_store_close(ro);
	ms_store_close(rw);
	/* After the writer closed, the -wal/-shm files are kept. */
	ck_assert_int_eq(ms_store_open(dbpath, MS_STORE_RO, &ro), MS_OK);
	ck_assert_int_eq(tu_data_version(ro), 3);
	ms_store_close(ro);
}
END_TEST

START_TEST(test_path_default)
{
	const char *old = getenv(MS_STORE_ENV);
	char *save = old != NULL ? strdup(old) : NULL;

	setenv(MS_STORE_ENV, "/x/y.db", 1);
	ck_assert_str_eq(ms_store_path_default(), "/x/y.db");
	setenv(MS_STORE_ENV, "", 1);
	ck_assert_str_eq(ms_store_path_default(), MS_STORE_DEFAULT_PATH);
	unsetenv(MS_STORE_ENV);
	ck_assert_str_eq(ms_store_path_default(), MS_STORE_DEFAULT_PATH);
	if (save != NULL) {
		setenv(MS_STORE_ENV, save, 1);
		free(save);
	}
}
END_TEST

/* ---- identity ---- */

static const struct {
	const char *slug, *symbol, *name;
	int y, m, d;
	const char *want_slug, *want_symbol, *want_name;
} ident_cases[] = {
	{ "ripple", NULL, NULL, 2018, 1, 1, "ripple", "XRP", "XRP" },
	{ "Bitcoin", NULL, NULL, 2018, 1, 1, "bitcoin", "BTC", "Bitcoin" },
	{ "tinycoin", NULL, NULL, 2018, 1, 1, "tinycoin", NULL, NULL },
	{ NULL, "XRP", "XRP", 2020, 1, 1, "ripple", "XRP", "XRP" },
	{ NULL, "xrp", NULL, 2020, 1, 1, "ripple", "XRP", "XRP" },
	{ NULL, "MIOTA", "IOTA", 2020, 1, 1, "iota", "MIOTA", "IOTA" },
	{ NULL, "BNB", "BNB", 2022, 1, 1, "binance-coin", "BNB",
	  "Binance Coin" },
	{ NULL, "CRO", "Cronos", 2023, 1, 1, "crypto-com-coin", "CRO",
	  "Crypto.com Coin" },
	{ NULL, "LUNA", "Terra", 2022, 5, 1, "terra-luna", "LUNC",
	  "Terra Classic" },
	{ NULL, "LUNA", "Terra", 2022, 10, 1, "terra-luna-v2", "LUNA",
	  "Terra" },
	{ NULL, "LUNC", "Terra Classic", 2022, 10, 1, "terra-luna", "LUNC",
	  "Terra Classic" },
	{ NULL, "lunc", NULL, 2021, 1, 1, "terra-luna", "LUNC",
	  "Terra Classic" },
	/* A reused ticker with another name is not the curated coin. */
	{ NULL, "XRP", "XRP Classic", 2020, 1, 1, "xrp-classic", "XRP",
	  "XRP Classic" },
	{ NULL, "ABC", "Act I : The AI Prophecy", 2024, 1, 1,
	  "act-i-the-ai-prophecy", "ABC", "Act I : The AI Prophecy" },
	{ NULL, "ZZZ", NULL, 2024, 1, 1, "zzz", "ZZZ", NULL },
	{ NULL, NULL, "  --Hello,  World!! ", 2024, 1, 1, "hello-world", NULL,
	  "  --Hello,  World!! " },
};

START_TEST(test_identity)
{
	for (size_t i = 0; i < sizeof(ident_cases) / sizeof(ident_cases[0]);
	    i++) {
		struct ms_identity id;
		int32_t day = ms_date_from_ymd(ident_cases[i].y,
		    ident_cases[i].m, ident_cases[i].d);

		ck_assert_int_eq(ms_identity_resolve(ident_cases[i].slug,
		    ident_cases[i].symbol, ident_cases[i].name, day, &id),
		    MS_OK);
		ck_assert_str_eq(id.slug, ident_cases[i].want_slug);
		if (ident_cases[i].want_symbol == NULL)
			ck_assert_ptr_null(id.symbol);
		else
			ck_assert_str_eq(id.symbol, ident_cases[i].want_symbol);
		if (ident_cases[i].want_name == NULL)
			ck_assert_ptr_null(id.name);
		else
			ck_assert_str_eq(id.name, ident_cases[i].want_name);
	}
}
END_TEST

START_TEST(test_identity_limits)
{
	struct ms_identity id;
	char longname[200], out[8];

	ck_assert_int_eq(ms_identity_resolve(NULL, NULL, NULL, 0, &id),
	    MS_ERR_INVALID);
	ck_assert_int_eq(ms_identity_resolve("", "", "", 0, &id),
	    MS_ERR_INVALID);
	ck_assert_int_eq(ms_identity_resolve("bad slug", NULL, NULL, 0, &id),
	    MS_ERR_INVALID);
	ck_assert_int_eq(ms_identity_resolve(NULL, "A/B", NULL, 0, &id),
	    MS_ERR_INVALID);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ck_assert_int_eq(ms_identity_resolve(longname, NULL, NULL, 0, &id),
	    MS_ERR_TOOBIG);
	ck_assert_int_eq(ms_identity_resolve(NULL, NULL, longname, 0, &id),
	    MS_ERR_TOOBIG);
	/* A name with no letters or digits falls back to the symbol. */
	ck_assert_int_eq(ms_identity_resolve(NULL, "QQ", "!!!", 0, &id),
	    MS_OK);
	ck_assert_str_eq(id.slug, "qq");
	ck_assert_uint_eq(ms_slugify("abcdefgh", 8, out, sizeof(out)),
	    (size_t)-1);
	ck_assert_uint_eq(ms_slugify("a b", 3, out, sizeof(out)), 3);
	ck_assert_str_eq(out, "a-b");
	ck_assert_uint_eq(ms_slugify("--", 2, out, sizeof(out)), 0);
	/* Every curated entry resolves to itself by slug and by ticker. */
	for (size_t i = 0; i < ms_identity_count(); i++) {
		const struct ms_known_asset *k = ms_identity_entry(i);
		int32_t day = k->from_day ? k->from_day : (k->until_day ?
		    k->until_day : 19000);

		ck_assert_ptr_nonnull(ms_identity_by_slug(k->slug));
		ck_assert_ptr_eq(ms_identity_by_symbol(k->symbol, k->name,
		    day)->slug, k->slug);
	}
	ck_assert_ptr_null(ms_identity_entry(ms_identity_count()));
}
END_TEST

Suite *make_store_suite(void);

Suite *
make_store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");

	tcase_add_checked_fixture(core, setup, teardown);
	tcase_add_checked_fixture(limits, setup, teardown);
	tcase_set_timeout(core, 30);
	tcase_add_test(core, test_create_and_migrate);
	tcase_add_test(core, test_stmt_cache);
	tcase_add_test(core, test_data_version);
	tcase_add_test(core, test_rebuild_daily_priority);
	tcase_add_test(core, test_put_bar);
	tcase_add_test(core, test_ro_sees_new_commits);
	tcase_add_test(core, test_path_default);
	tcase_add_test(core, test_identity);
	tcase_add_test(limits, test_ro_missing_and_empty);
	tcase_add_test(limits, test_newer_schema);
	tcase_add_test(limits, test_identity_limits);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}
