/*
 * check_reference.c — tests of the reference-table importer
 * (ingest/ms_reference.c) on hand-made fixtures in
 * tests/fixtures/reference/: company snapshots (day from --as-of, from the
 * file name, or rejected when there is none; exact values; re-import
 * replaces a snapshot; a bad row rejects the file and leaves the store as
 * it was) and categories (every layout, the matching rules, ambiguity,
 * merging into existing categories, data_version only on change). The
 * expected numbers were worked out by hand from the fixture files; the
 * comments at each test show the reasoning.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sqlite3.h>

#include "ms_date.h"
#include "ms_error.h"
#include "ms_import.h"
#include "ms_reference.h"
#include "ms_store.h"
#include "testutil.h"

static char tmpdir[64];
static struct ms_store *st;
static struct ms_reference_result res;

/* A fixed "today" so the date range check does not depend on the clock. */
#define TODAY 20454   /* 2026-01-01 */

static void
setup(void)
{
	tu_tmpdir(tmpdir, sizeof(tmpdir), "ms_reference");
	st = tu_open_store(tmpdir, "t.db");
}

static void
teardown(void)
{
	ms_store_close(st);
	st = NULL;
	tu_rmtree(tmpdir);
}

/* The path of tests/fixtures/reference/name (a static buffer). */
static const char *
fixture(const char *name)
{
	static char buf[512];
	char rel[256];

	snprintf(rel, sizeof(rel), "reference/%s", name);
	return tu_fixture(rel, buf, sizeof(buf));
}

static int
import_as_of(const char *path, int32_t as_of)
{
	struct ms_reference_opts o = { as_of, TODAY };

	return ms_reference_import_file(st, path, &o, &res);
}

static int
import(const char *path)
{
	return import_as_of(path, -1);
}

/* Writes text to tmpdir/name and returns its path (a static buffer). */
static const char *
write_tmp(const char *name, const char *text, int gz)
{
	static char buf[320];

	return tu_write_file(tmpdir, name, text, strlen(text), gz, buf,
	    sizeof(buf));
}

static int32_t
D(int y, int m, int d)
{
	return ms_date_from_ymd(y, m, d);
}

/* The categories of an asset ("<null>" for NULL, "<none>" if missing). */
static const char *
cats(const char *slug)
{
	static char buf[600];
	sqlite3_stmt *s;

	ck_assert_int_eq(sqlite3_prepare_v2(ms_store_db(st),
	    "SELECT categories FROM assets WHERE slug = ?", -1, &s, NULL),
	    SQLITE_OK);
	sqlite3_bind_text(s, 1, slug, -1, SQLITE_TRANSIENT);
	snprintf(buf, sizeof(buf), "<none>");
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(buf, sizeof(buf), "%s",
		    sqlite3_column_type(s, 0) == SQLITE_NULL ? "<null>" :
		    (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return buf;
}

static void
set_cats(const char *slug, const char *value)
{
	sqlite3_stmt *s;

	ck_assert_int_eq(sqlite3_prepare_v2(ms_store_db(st),
	    "UPDATE assets SET categories = ?2 WHERE slug = ?1", -1, &s,
	    NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, slug, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_TRANSIENT);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
}

/* The market data the category tests match against (generic layout). */
static void
load_assets(void)
{
	struct ms_import_opts o = { NULL, -1, TODAY };
	struct ms_import_result *ir = malloc(sizeof(*ir));

	ck_assert_ptr_nonnull(ir);
	ck_assert_int_eq(ms_import_file(st, fixture("assets.csv"), &o, ir),
	    MS_OK);
	ck_assert_uint_eq(ir->inserted, 11);
	free(ir);
}

#define COUNT_DAY(day) tu_query_int(st, "SELECT count(*) FROM companies " \
	"WHERE snapshot_day = " #day)

/* ---- companies -------------------------------------------------------- */

/*
 * companies_2021-09_small.csv: 7 rows; Delisted Corp has market cap 0
 * (unknown: not stored), so 6 companies for 2021-09-01 (month from the
 * name, approximate). Values read back exactly; an empty symbol/country is
 * NULL; the quoted name keeps its comma; source = the file's base name.
 */
START_TEST(test_companies_month_from_name)
{
	int64_t v0 = tu_data_version(st);
	int32_t day = D(2021, 9, 1);
	char sql[256];

	ck_assert_int_eq(import(fixture("companies_2021-09_small.csv")),
	    MS_OK);
	ck_assert_str_eq(res.layout, "companies");
	ck_assert_int_eq(res.kind, MS_REF_COMPANIES);
	ck_assert_int_eq(res.snapshot_day, day);
	ck_assert_int_eq(res.day_from, MS_REF_DAY_NAME_MONTH);
	ck_assert_uint_eq(res.rows_read, 7);
	ck_assert_uint_eq(res.inserted, 6);
	ck_assert_uint_eq(res.zero_market_cap, 1);
	ck_assert_uint_eq(res.replaced, 0);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM companies"),
	    6);
	snprintf(sql, sizeof(sql), "SELECT market_cap FROM companies WHERE "
	    "snapshot_day = %d AND name = 'Apple'", day);
	/* 2463495618560 < 2^53: exact in a double and in SQLite. */
	ck_assert(tu_query_double(st, sql) == 2463495618560.0);
	snprintf(sql, sizeof(sql), "SELECT sum(market_cap) FROM (SELECT "
	    "market_cap FROM companies WHERE snapshot_day = %d ORDER BY "
	    "market_cap DESC LIMIT 4)", day);
	ck_assert(tu_query_double(st, sql) == 8557310228373.0);
	ck_assert(tu_query_double(st, "SELECT market_cap FROM companies "
	    "WHERE rank = 6") == 1.5e9);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM companies "
	    "WHERE rank = 6 AND symbol IS NULL AND country IS NULL"), 1);
	ck_assert_int_eq(tu_query_int(st, "SELECT rank FROM companies WHERE "
	    "name = 'Berkshire Hathaway, Inc.'"), 5);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM companies "
	    "WHERE source = 'companies_2021-09_small.csv'"), 6);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM companies "
	    "WHERE rank = 7"), 0);
	/* Not market data: the data version stays; the import is recorded. */
	ck_assert_int_eq(tu_data_version(st), v0);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM imports WHERE "
	    "layout = 'companies' AND source_id IS NULL AND rows_read = 7 "
	    "AND rows_inserted = 6 AND rows_skipped = 1 AND first_day = %d",
	    day);
	ck_assert_int_eq(tu_query_int(st, sql), 1);
}
END_TEST

/* A full day in the name (_2023-08-15) is exact; the four largest sum to
 * 9,056,401,683,027 (the issue's ≈ 9.06e12). */
START_TEST(test_companies_day_from_name)
{
	char sql[256];

	ck_assert_int_eq(import(fixture("companies_2023-08-15.csv")), MS_OK);
	ck_assert_int_eq(res.snapshot_day, D(2023, 8, 15));
	ck_assert_int_eq(res.day_from, MS_REF_DAY_NAME);
	ck_assert_uint_eq(res.inserted, 4);
	snprintf(sql, sizeof(sql), "SELECT sum(market_cap) FROM companies "
	    "WHERE snapshot_day = %d", D(2023, 8, 15));
	ck_assert(tu_query_double(st, sql) == 9056401683027.0);
}
END_TEST

/*
 * companies_nodate.csv (CRLF line ends) has no date in its name: rejected
 * without --as-of, with a message that asks for it, and nothing written;
 * accepted with it. --as-of also overrides a date in the name.
 */
START_TEST(test_companies_as_of)
{
	ck_assert_int_eq(import(fixture("companies_nodate.csv")),
	    MS_ERR_INVALID);
	ck_assert_int_eq(res.rejected, 1);
	ck_assert_int_eq(res.unknown_layout, 0);
	ck_assert_ptr_nonnull(strstr(res.error, "--as-of"));
	ck_assert_ptr_nonnull(strstr(res.error, "companies_nodate.csv: "));
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM companies"),
	    0);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM imports"), 0);

	ck_assert_int_eq(import_as_of(fixture("companies_nodate.csv"),
	    D(2023, 8, 15)), MS_OK);
	ck_assert_int_eq(res.day_from, MS_REF_DAY_AS_OF);
	ck_assert_int_eq(res.snapshot_day, D(2023, 8, 15));
	ck_assert_uint_eq(res.inserted, 2);
	ck_assert(tu_query_double(st, "SELECT market_cap FROM companies "
	    "WHERE name = 'Microsoft'") == 2424341266432.0);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM companies "
	    "WHERE name = 'Microsoft' AND country = 'United States'"), 1);

	ck_assert_int_eq(import_as_of(fixture("companies_2021-09_small.csv"),
	    D(2021, 9, 17)), MS_OK);
	ck_assert_int_eq(res.snapshot_day, D(2021, 9, 17));
	ck_assert_int_eq(res.day_from, MS_REF_DAY_AS_OF);

	/* A day after tomorrow is refused. */
	ck_assert_int_eq(import_as_of(fixture("companies_nodate.csv"),
	    TODAY + 2), MS_ERR_RANGE);
	ck_assert_int_eq(res.rejected, 1);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM companies"),
	    8);
}
END_TEST

/*
 * Re-importing replaces the snapshot: the same file again leaves the same
 * 6 rows (replaced 6); a smaller file for the same day leaves only its
 * rows; other snapshots are untouched.
 */
START_TEST(test_companies_reimport_replaces)
{
	const char *small =
	    "rank,name,symbol,market_cap_usd,price_usd,country\n"
	    "1,Apple,AAPL,2.5e12,150,United States\n";
	int32_t day = D(2021, 9, 1);
	char sql[256];

	ck_assert_int_eq(import(fixture("companies_2021-09_small.csv")),
	    MS_OK);
	ck_assert_int_eq(import(fixture("companies_2023-08-15.csv")), MS_OK);
	ck_assert_int_eq(import(fixture("companies_2021-09_small.csv")),
	    MS_OK);
	ck_assert_uint_eq(res.replaced, 6);
	ck_assert_uint_eq(res.inserted, 6);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM companies"),
	    10);
	ck_assert_int_eq(import(write_tmp("other_2021-09.csv", small, 0)),
	    MS_OK);
	ck_assert_uint_eq(res.replaced, 6);
	ck_assert_uint_eq(res.inserted, 1);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM companies WHERE "
	    "snapshot_day = %d", day);
	ck_assert_int_eq(tu_query_int(st, sql), 1);
	snprintf(sql, sizeof(sql), "SELECT market_cap FROM companies WHERE "
	    "snapshot_day = %d", day);
	ck_assert(tu_query_double(st, sql) == 2.5e12);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM companies"),
	    5);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM companies "
	    "WHERE source = 'other_2021-09.csv'"), 1);
}
END_TEST

/* A gzip file reads the same; a _YYYY-MM-DD in a .csv.gz name counts. */
START_TEST(test_companies_gzip)
{
	FILE *f = fopen(fixture("companies_2021-09_small.csv"), "rb");
	char text[2048];
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	ck_assert_int_eq(import(write_tmp("cmc_2021-09-17.csv.gz", text, 1)),
	    MS_OK);
	ck_assert_int_eq(res.snapshot_day, D(2021, 9, 17));
	ck_assert_int_eq(res.day_from, MS_REF_DAY_NAME);
	ck_assert_uint_eq(res.inserted, 6);
	ck_assert_uint_eq(res.zero_market_cap, 1);
	ck_assert(tu_query_double(st, "SELECT market_cap FROM companies "
	    "WHERE rank = 1") == 2463495618560.0);
}
END_TEST

/* ---- categories ------------------------------------------------------- */

/*
 * coingecko_categories_2024-10-21.csv against assets.csv, row by row:
 *   bitcoin      id = slug        Layer 1 -> layer-1; Cryptocurrency, PoW
 *                                 ignored                    +1
 *   ethereum     id = slug        Smart Contract Platform, Layer 1; ETH
 *                                 Ecosystem ignored          +2
 *   binancecoin  no slug "binancecoin" or "bnb": curated BNB (alias BNB)
 *                -> binance-coin  CEX Token -> exchange; BNB Chain
 *                                 Ecosystem ignored          +1
 *   avalanche-2  name "Avalanche" -> slug avalanche          +2
 *   uniswap      id = slug        DEX, AMM -> defi, exchange (once each);
 *                                 Governance ignored; the existing
 *                                 "governance" is kept       +2
 *   link-x       no slug, curated LINK is "Chainlink" not "ChainLink
 *                Token": the only asset with LINK           +1
 *   aptos        id = slug (APT is shared with `apt`)       +2
 *   pepe         id = slug        Meme, Frog-Themed -> meme  +1
 *   unknown-coin no asset: unmatched
 * 9 rows; matched 8 (slug 6, curated 1, symbol 1); values mapped 14,
 * ignored 5; 12 categories added to 8 assets; data_version + 1.
 */
START_TEST(test_categories_coingecko)
{
	int64_t v0;

	load_assets();
	set_cats("uniswap", "governance");
	v0 = tu_data_version(st);
	ck_assert_int_eq(import(fixture("coingecko_categories_2024-10-21.csv")),
	    MS_OK);
	ck_assert_str_eq(res.layout, "coingecko_categories");
	ck_assert_int_eq(res.kind, MS_REF_CATEGORIES);
	ck_assert_uint_eq(res.rows_read, 9);
	ck_assert_uint_eq(res.matched, 8);
	ck_assert_uint_eq(res.matched_slug, 6);
	ck_assert_uint_eq(res.matched_curated, 1);
	ck_assert_uint_eq(res.matched_symbol, 1);
	ck_assert_uint_eq(res.ambiguous, 0);
	ck_assert_uint_eq(res.unmatched, 1);
	ck_assert_str_eq(res.unmatched_ex, "unk");
	ck_assert_uint_eq(res.mapped, 14);
	ck_assert_uint_eq(res.unmapped, 5);
	ck_assert_uint_eq(res.added, 12);
	ck_assert_uint_eq(res.assets_changed, 8);
	ck_assert_int_eq(res.changed, 1);
	ck_assert_int_eq(tu_data_version(st), v0 + 1);
	ck_assert_str_eq(cats("bitcoin"), "layer-1");
	ck_assert_str_eq(cats("ethereum"), "layer-1,smart-contracts");
	ck_assert_str_eq(cats("binance-coin"), "exchange");
	ck_assert_str_eq(cats("avalanche"), "layer-1,smart-contracts");
	ck_assert_str_eq(cats("uniswap"), "defi,exchange,governance");
	ck_assert_str_eq(cats("chainlink"), "oracle");
	ck_assert_str_eq(cats("aptos"), "layer-1,smart-contracts");
	ck_assert_str_eq(cats("apt"), "<null>");
	ck_assert_str_eq(cats("pepe"), "meme");
	ck_assert_str_eq(cats("ripple"), "<null>");

	/* Again: nothing new, no write, same data version. */
	ck_assert_int_eq(import(fixture("coingecko_categories_2024-10-21.csv")),
	    MS_OK);
	ck_assert_uint_eq(res.matched, 8);
	ck_assert_uint_eq(res.added, 0);
	ck_assert_uint_eq(res.assets_changed, 0);
	ck_assert_int_eq(res.changed, 0);
	ck_assert_int_eq(tu_data_version(st), v0 + 1);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM imports WHERE "
	    "layout = 'coingecko_categories'"), 2);
}
END_TEST

/*
 * After the CoinGecko file, the symbol-only layouts:
 * cmc_tag_categories_20251102.csv (no dash date in the name):
 *   BTC   curated bitcoin; is_layer1 ignored (unreliable)     +0
 *   UNI   curated uniswap; is_layer1/2 ignored; defi, exchange there
 *   APT   apt and aptos: ambiguous
 *   PEPE  curated pepe; meme there
 *   LONE  not curated, the only LONE: lonely; ai, infrastructure  +2
 *   ZZZ   unmatched
 *   rows 6, matched 4 (curated 3, symbol 1), ambiguous 1, unmatched 1,
 *   mapped 6 (UNI 2, PEPE 1, LONE 2, ZZZ 1), ignored 4; added 2.
 * category_mappings.csv:
 *   BTC BTC Ecosystem (ignored); ETH L1 Smart Contract (there); ETH ETH
 *   Ecosystem (ignored); LINK Oracle Networks (there); APT ambiguous;
 *   XRP Dino Coins (ignored); AVAX RWA -> rwa                 +1
 *   rows 7, matched 6 (all curated), ambiguous 1, mapped 4, ignored 3.
 * cmc_coin_tags.csv:
 *   BTC store-of-value +1, layer-1 (there), pow (ignored); XRP payments,
 *   layer-1 +2. rows 5, matched 5, mapped 4, ignored 1, added 3 to 2 assets.
 */
START_TEST(test_categories_symbol_layouts)
{
	int64_t v;

	load_assets();
	ck_assert_int_eq(import(fixture("coingecko_categories_2024-10-21.csv")),
	    MS_OK);

	v = tu_data_version(st);
	ck_assert_int_eq(import(fixture("cmc_tag_categories_20251102.csv")),
	    MS_OK);
	ck_assert_str_eq(res.layout, "cmc_tag_flags");
	ck_assert_uint_eq(res.rows_read, 6);
	ck_assert_uint_eq(res.matched, 4);
	ck_assert_uint_eq(res.matched_curated, 3);
	ck_assert_uint_eq(res.matched_symbol, 1);
	ck_assert_uint_eq(res.ambiguous, 1);
	ck_assert_str_eq(res.ambiguous_ex, "APT");
	ck_assert_uint_eq(res.unmatched, 1);
	ck_assert_str_eq(res.unmatched_ex, "ZZZ");
	ck_assert_uint_eq(res.mapped, 6);
	ck_assert_uint_eq(res.unmapped, 4);
	ck_assert_uint_eq(res.added, 2);
	ck_assert_uint_eq(res.assets_changed, 1);
	ck_assert_int_eq(tu_data_version(st), v + 1);
	ck_assert_str_eq(cats("lonely"), "ai,infrastructure");
	ck_assert_str_eq(cats("bitcoin"), "layer-1");
	ck_assert_str_eq(cats("apt"), "<null>");

	ck_assert_int_eq(import(fixture("category_mappings.csv")), MS_OK);
	ck_assert_str_eq(res.layout, "category_mappings");
	ck_assert_uint_eq(res.rows_read, 7);
	ck_assert_uint_eq(res.matched, 6);
	ck_assert_uint_eq(res.matched_curated, 6);
	ck_assert_uint_eq(res.ambiguous, 1);
	ck_assert_uint_eq(res.unmatched, 0);
	ck_assert_uint_eq(res.mapped, 4);
	ck_assert_uint_eq(res.unmapped, 3);
	ck_assert_uint_eq(res.added, 1);
	ck_assert_uint_eq(res.assets_changed, 1);
	ck_assert_str_eq(cats("avalanche"), "layer-1,rwa,smart-contracts");

	ck_assert_int_eq(import(fixture("cmc_coin_tags.csv")), MS_OK);
	ck_assert_str_eq(res.layout, "cmc_coin_tags");
	ck_assert_uint_eq(res.rows_read, 5);
	ck_assert_uint_eq(res.matched, 5);
	ck_assert_uint_eq(res.mapped, 4);
	ck_assert_uint_eq(res.unmapped, 1);
	ck_assert_uint_eq(res.added, 3);
	ck_assert_uint_eq(res.assets_changed, 2);
	ck_assert_str_eq(cats("bitcoin"), "layer-1,store-of-value");
	ck_assert_str_eq(cats("ripple"), "layer-1,payments");
	ck_assert_int_eq(tu_data_version(st), v + 3);
}
END_TEST

/*
 * Merging: a category already there in another case is not added again
 * and the string is left exactly as it was (no rewrite, no new data
 * version); adding one sorts (byte order) and de-duplicates the list; a
 * list that would pass 511 bytes is not extended (counted as overflow).
 */
START_TEST(test_categories_merge)
{
	const char *meme = "symbol,category,priority,notes\n"
	    "LONE,Meme Coins,primary,x\n";
	const char *ai = "symbol,category,priority,notes\n"
	    "LONE,AI/Compute,primary,x\n";
	char longcats[520];
	int64_t v;

	load_assets();
	set_cats("lonely", "zeta,Meme,zeta");
	v = tu_data_version(st);
	ck_assert_int_eq(import(write_tmp("m1.csv", meme, 0)), MS_OK);
	ck_assert_uint_eq(res.matched, 1);
	ck_assert_uint_eq(res.added, 0);
	ck_assert_int_eq(res.changed, 0);
	ck_assert_str_eq(cats("lonely"), "zeta,Meme,zeta");
	ck_assert_int_eq(tu_data_version(st), v);

	ck_assert_int_eq(import(write_tmp("m2.csv", ai, 0)), MS_OK);
	ck_assert_uint_eq(res.added, 1);
	ck_assert_str_eq(cats("lonely"), "Meme,ai,zeta");
	ck_assert_int_eq(tu_data_version(st), v + 1);

	/* 509 bytes + ",ai" = 512 > 511. */
	memset(longcats, 'x', 509);
	longcats[509] = '\0';
	set_cats("lonely", longcats);
	ck_assert_int_eq(import(write_tmp("m3.csv", ai, 0)), MS_OK);
	ck_assert_uint_eq(res.added, 0);
	ck_assert_uint_eq(res.overflow, 1);
	ck_assert_int_eq(res.changed, 0);
	ck_assert_str_eq(cats("lonely"), longcats);
	/* 508 bytes + ",ai" = 511 fits. */
	longcats[508] = '\0';
	set_cats("lonely", longcats);
	ck_assert_int_eq(import(write_tmp("m4.csv", ai, 0)), MS_OK);
	ck_assert_uint_eq(res.added, 1);
	ck_assert_uint_eq(strlen(cats("lonely")), 511);
	ck_assert_int_eq(strncmp(cats("lonely"), "ai,xxx", 6), 0);
}
END_TEST

/* Category files before any market data: nothing matches, no change. */
START_TEST(test_categories_empty_store)
{
	int64_t v = tu_data_version(st);

	ck_assert_int_eq(import(fixture("category_mappings.csv")), MS_OK);
	ck_assert_uint_eq(res.matched, 0);
	ck_assert_uint_eq(res.unmatched, 7);
	/* Each symbol once in the examples. */
	ck_assert_str_eq(res.unmatched_ex, "BTC,ETH,LINK,APT,XRP,AVAX");
	ck_assert_int_eq(res.changed, 0);
	ck_assert_int_eq(tu_data_version(st), v);
}
END_TEST

/* ---- names, layouts, the vocabulary ----------------------------------- */

START_TEST(test_day_from_name)
{
	static const struct {
		const char *path;
		int rc;
		int y, m, d;
		enum ms_ref_day_from from;
	} cases[] = {
		{ "companiesmarketcap_2021-09_clean.csv", MS_OK, 2021, 9, 1,
		  MS_REF_DAY_NAME_MONTH },
		{ "dir/x_2023-08.csv.gz", MS_OK, 2023, 8, 1,
		  MS_REF_DAY_NAME_MONTH },
		{ "coingecko_categories_top80_2024-10-21.csv", MS_OK,
		  2024, 10, 21, MS_REF_DAY_NAME },
		{ "a_2021-09-17_b_2022-01.csv", MS_OK, 2021, 9, 17,
		  MS_REF_DAY_NAME },
		{ "a_x_2020-02-29.csv", MS_OK, 2020, 2, 29, MS_REF_DAY_NAME },
		/* An impossible day is not taken as its month either. */
		{ "a_2021-02-30.csv", MS_ERR_NOTFOUND, 0, 0, 0, 0 },
		{ "a_2021-13.csv", MS_ERR_NOTFOUND, 0, 0, 0, 0 },
		{ "a_2021-00.csv", MS_ERR_NOTFOUND, 0, 0, 0, 0 },
		{ "a_20210917.csv", MS_ERR_NOTFOUND, 0, 0, 0, 0 },
		{ "a_2021-091.csv", MS_ERR_NOTFOUND, 0, 0, 0, 0 },
		{ "a-2021-09.csv", MS_ERR_NOTFOUND, 0, 0, 0, 0 },
		{ "x_2021-09/companies.csv", MS_ERR_NOTFOUND, 0, 0, 0, 0 },
		{ "companies.csv", MS_ERR_NOTFOUND, 0, 0, 0, 0 },
		{ "", MS_ERR_NOTFOUND, 0, 0, 0, 0 },
		{ "_", MS_ERR_NOTFOUND, 0, 0, 0, 0 },
		{ "a_2021-0", MS_ERR_NOTFOUND, 0, 0, 0, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int32_t day = -7;
		enum ms_ref_day_from from = MS_REF_DAY_AS_OF;
		int rc = ms_reference_day_from_name(cases[i].path, &day, &from);

		ck_assert_msg(rc == cases[i].rc, "%s: rc %d", cases[i].path,
		    rc);
		if (rc != MS_OK) {
			ck_assert_int_eq(day, -7);
			continue;
		}
		ck_assert_msg(day == D(cases[i].y, cases[i].m, cases[i].d),
		    "%s: day", cases[i].path);
		ck_assert_int_eq(from, cases[i].from);
	}
}
END_TEST

START_TEST(test_layouts)
{
	static const struct {
		const char *header;
		const char *layout;
		enum ms_ref_kind kind;
	} cases[] = {
		{ "rank,name,symbol,market_cap_usd,price_usd,country",
		  "companies", MS_REF_COMPANIES },
		{ "coingecko_id,symbol,name,market_cap_rank,market_cap_usd,"
		  "categories", "coingecko_categories", MS_REF_CATEGORIES },
		{ "symbol,is_layer1,is_layer2,is_defi,is_meme,is_ai,is_gaming,"
		  "is_infrastructure,is_rwa,is_stablecoin,is_exchange",
		  "cmc_tag_flags", MS_REF_CATEGORIES },
		{ "symbol,tag,tag_name,tag_group", "cmc_coin_tags",
		  MS_REF_CATEGORIES },
		{ "symbol,category,priority,notes", "category_mappings",
		  MS_REF_CATEGORIES },
		{ "Rank,name,symbol,market_cap_usd,price_usd,country", NULL,
		  MS_REF_NONE },
		{ "rank,name,symbol,market_cap_usd,price_usd", NULL,
		  MS_REF_NONE },
		{ "rank,name,symbol,market_cap_usd,price_usd,country,", NULL,
		  MS_REF_NONE },
		{ "symbol, category,priority,notes", NULL, MS_REF_NONE },
		{ "", NULL, MS_REF_NONE },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum ms_ref_kind k = MS_REF_COMPANIES;
		const char *l = ms_reference_layout_of(cases[i].header, &k);

		if (cases[i].layout == NULL)
			ck_assert_msg(l == NULL, "%s", cases[i].header);
		else
			ck_assert_str_eq(l, cases[i].layout);
		ck_assert_int_eq(k, cases[i].kind);
	}
	/* The same from a file's first line. */
	ck_assert_int_eq(ms_reference_file_kind(
	    fixture("companies_nodate.csv")), MS_REF_COMPANIES);
	ck_assert_int_eq(ms_reference_file_kind(
	    fixture("cmc_coin_tags.csv")), MS_REF_CATEGORIES);
	ck_assert_int_eq(ms_reference_file_kind(fixture("assets.csv")),
	    MS_REF_NONE);
	ck_assert_int_eq(ms_reference_file_kind(write_tmp("e.csv", "", 0)),
	    MS_REF_NONE);
	ck_assert_int_eq(ms_reference_file_kind("/nonexistent.csv"),
	    MS_REF_NONE);
}
END_TEST

/* The vocabulary is sorted and unique; every mapping target is in it; a
 * few mappings by hand; is_layer1/is_layer2 are deliberately unmapped. */
START_TEST(test_vocabulary)
{
	static const struct {
		const char *layout, *value, *to0, *to1;
	} cases[] = {
		{ "coingecko_categories", "Layer 1 (L1)", "layer-1", NULL },
		{ "coingecko_categories", "Decentralized Exchange (DEX)",
		  "defi", "exchange" },
		{ "coingecko_categories", "Ethereum Ecosystem", NULL, NULL },
		{ "coingecko_categories", "layer 1 (l1)", NULL, NULL },
		{ "cmc_tag_flags", "is_meme", "meme", NULL },
		{ "cmc_tag_flags", "is_layer1", NULL, NULL },
		{ "cmc_tag_flags", "is_layer2", NULL, NULL },
		{ "cmc_coin_tags", "layer-1", "layer-1", NULL },
		{ "cmc_coin_tags", "binance-ecosystem", NULL, NULL },
		{ "category_mappings", "L1 Smart Contract", "layer-1",
		  "smart-contracts" },
		{ "category_mappings", "Dino Coins", NULL, NULL },
		{ "companies", "Layer 1 (L1)", NULL, NULL },
		{ "nope", "Layer 1 (L1)", NULL, NULL },
	};
	const char *const *v;
	const char *layout, *value, *to[4];
	size_t n, k, i;

	v = ms_reference_vocab(&n);
	ck_assert_uint_ge(n, 20);
	for (i = 1; i < n; i++)
		ck_assert_msg(strcmp(v[i - 1], v[i]) < 0, "%s", v[i]);
	for (i = 0; (k = ms_reference_mapping(i, &layout, &value, to, 4)) > 0;
	    i++) {
		for (size_t j = 0; j < k; j++) {
			size_t x;

			for (x = 0; x < n; x++)
				if (strcmp(v[x], to[j]) == 0)
					break;
			ck_assert_msg(x < n, "%s %s -> %s: not in the "
			    "vocabulary", layout, value, to[j]);
		}
	}
	ck_assert_uint_gt(i, 100);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		k = ms_reference_map(cases[i].layout, cases[i].value, to, 4);
		ck_assert_uint_eq(k, cases[i].to0 == NULL ? 0 :
		    cases[i].to1 == NULL ? 1 : 2);
		if (k > 0)
			ck_assert_str_eq(to[0], cases[i].to0);
		if (k > 1)
			ck_assert_str_eq(to[1], cases[i].to1);
	}
}
END_TEST

/* ---- limits: bad files ------------------------------------------------ */

#define CO_HDR "rank,name,symbol,market_cap_usd,price_usd,country\n"
#define CO_OK "1,Good Co,GOOD,1000000000,10,US\n"

/*
 * Each bad company file is rejected whole with FILE:LINE: reason; the
 * existing snapshot of the same day (deleted first inside the import's
 * transaction) is back, and nothing else changed.
 */
START_TEST(test_companies_bad_rows)
{
	static char name129[200];
	static const struct {
		const char *row;
		const char *reason;
	} cases[] = {
		{ "2,Bad Co,BAD,,10,US\n", ":3: market_cap_usd: empty" },
		{ "2,Bad Co,BAD,-5,10,US\n", ":3: market_cap_usd: negative" },
		{ "2,Bad Co,BAD,12abc,10,US\n", ":3: market_cap_usd: not a "
		  "number" },
		{ "2,Bad Co,BAD,nan,10,US\n", ":3: market_cap_usd: not a "
		  "number" },
		{ "2,Bad Co,BAD,inf,10,US\n", ":3: market_cap_usd: not a "
		  "number" },
		{ "2,Bad Co,BAD,1e999,10,US\n", ":3: market_cap_usd: not a "
		  "number" },
		{ "2,Bad Co,BAD,0x10,10,US\n", ":3: market_cap_usd: not a "
		  "number" },
		{ "2,Bad Co,BAD, 5,10,US\n", ":3: market_cap_usd: not a "
		  "number" },
		{ "2,Bad Co,BAD,\"1,000\",10,US\n", ":3: market_cap_usd: not a "
		  "number" },
		{ "0,Bad Co,BAD,5e9,10,US\n", ":3: rank: not an integer" },
		{ "-2,Bad Co,BAD,5e9,10,US\n", ":3: rank: not an integer" },
		{ "2.5,Bad Co,BAD,5e9,10,US\n", ":3: rank: not an integer" },
		{ " 2,Bad Co,BAD,5e9,10,US\n", ":3: rank: not an integer" },
		{ ",Bad Co,BAD,5e9,10,US\n", ":3: rank: not an integer" },
		{ "1000001,Bad Co,BAD,5e9,10,US\n", ":3: rank: not an "
		  "integer" },
		{ "1,Dup Co,DUP,5e9,10,US\n", ":3: rank 1 repeated" },
		{ "2,,BAD,5e9,10,US\n", ":3: name: empty" },
		{ "2,Bad Co,BAD,5e9,abc,US\n", ":3: price_usd" },
		{ "2,Bad Co,BAD,5e9,-1,US\n", ":3: price_usd" },
		{ "2,Bad Co,BAD,5e9,10\n", ":3: wrong number of fields: 5" },
		{ "2,Bad Co,BAD,5e9,10,US,x\n", ":3: wrong number of fields" },
		{ "2,Bad Co,ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456,5e9,10,US\n",
		  ":3: symbol longer than 31 bytes" },
		{ "2,\"Bad \"Co\",BAD,5e9,10,US\n", ":3: " },
		{ name129, ":3: name longer than 127 bytes" },
	};
	char text[512];
	int32_t day = D(2021, 9, 1);
	int64_t v;

	snprintf(name129, sizeof(name129), "2,%0128d,BAD,5e9,10,US\n", 7);
	ck_assert_int_eq(import(fixture("companies_2021-09_small.csv")),
	    MS_OK);
	v = tu_data_version(st);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		snprintf(text, sizeof(text), CO_HDR CO_OK "%s", cases[i].row);
		rc = import(write_tmp("bad_2021-09.csv", text, 0));
		ck_assert_msg(rc != MS_OK, "case %zu accepted", i);
		ck_assert_int_eq(res.rejected, 1);
		ck_assert_msg(strstr(res.error, "bad_2021-09.csv:") != NULL &&
		    strstr(res.error, cases[i].reason) != NULL,
		    "case %zu: \"%s\" lacks \"%s\"", i, res.error,
		    cases[i].reason);
		ck_assert_int_eq(COUNT_DAY(18871), 6);
		ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM "
		    "companies WHERE source = 'bad_2021-09.csv'"), 0);
	}
	ck_assert_int_eq(day, 18871);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM imports"), 1);
	ck_assert_int_eq(tu_data_version(st), v);

	/* No data rows; only unknown market caps. */
	ck_assert_int_eq(import(write_tmp("h_2021-09.csv", CO_HDR, 0)),
	    MS_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(res.error, "no data rows"));
	ck_assert_int_eq(import(write_tmp("z_2021-09.csv",
	    CO_HDR "1,Zero Co,Z,0,1,RU\n", 0)), MS_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(res.error, "no company"));
	ck_assert_int_eq(COUNT_DAY(18871), 6);
}
END_TEST

/*
 * Bad category files are rejected whole: a good first row that added a
 * category is rolled back, and the data version does not move. A file of
 * no reference layout is not ours (MS_ERR_NOTFOUND, unknown_layout).
 */
START_TEST(test_categories_bad_files)
{
	static const struct {
		const char *text;
		const char *reason;
	} cases[] = {
		{ "symbol,category,priority,notes\nAVAX,RWA,primary,x\n"
		  ",Meme Coins,primary,x\n", ":3: symbol: empty" },
		{ "symbol,category,priority,notes\nAVAX,RWA,primary,x\n"
		  "AVAX,,primary,x\n", ":3: category: empty" },
		{ "symbol,category,priority,notes\nAVAX,RWA,primary,x\n"
		  "AVAX,RWA,primary\n", ":3: wrong number of fields: 3" },
		{ "symbol,category,priority,notes\nAVAX,RWA,primary,x\n"
		  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456,RWA,primary,x\n",
		  ":3: symbol longer than 32 bytes" },
		{ "symbol,tag,tag_name,tag_group\nAVAX,tokenized-assets,T,C\n"
		  "AVAX,,T,C\n", ":3: tag: empty" },
		{ "symbol,is_layer1,is_layer2,is_defi,is_meme,is_ai,is_gaming,"
		  "is_infrastructure,is_rwa,is_stablecoin,is_exchange\n"
		  "AVAX,0,0,0,0,0,0,0,1,0,0\n"
		  "BTC,2,0,0,0,0,0,0,0,0,0\n", ":3: is_layer1: not 0 or 1" },
		{ "symbol,is_layer1,is_layer2,is_defi,is_meme,is_ai,is_gaming,"
		  "is_infrastructure,is_rwa,is_stablecoin,is_exchange\n"
		  "AVAX,0,0,0,0,0,0,0,1,0,0\n"
		  "BTC,0,0,0,0,0,0,0,0,0,\n", ":3: is_exchange: not 0 or 1" },
		{ "coingecko_id,symbol,name,market_cap_rank,market_cap_usd,"
		  "categories\navalanche-2,avax,Avalanche,11,1e10,RWA Protocol\n"
		  "bitcoin,btc,Bitcoin,one,1,Meme\n",
		  ":3: market_cap_rank: not a number" },
		{ "coingecko_id,symbol,name,market_cap_rank,market_cap_usd,"
		  "categories\navalanche-2,avax,Avalanche,11,1e10,RWA Protocol\n"
		  "bitcoin,btc,Bitcoin,1,$1,Meme\n",
		  ":3: market_cap_usd: not a number" },
		{ "symbol,category,priority,notes\n", ": no data rows" },
		{ "symbol,category,priority,notes\nAVAX,RWA,primary,x\n"
		  "AVAX,RWA,\"primary,x\n", ": unterminated" },
	};
	int64_t v;

	load_assets();
	v = tu_data_version(st);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = import(write_tmp("badcat.csv", cases[i].text, 0));

		ck_assert_msg(rc != MS_OK, "case %zu accepted", i);
		ck_assert_int_eq(res.rejected, 1);
		ck_assert_int_eq(res.changed, 0);
		ck_assert_msg(strstr(res.error, "badcat.csv") != NULL &&
		    strstr(res.error, cases[i].reason) != NULL,
		    "case %zu: \"%s\" lacks \"%s\"", i, res.error,
		    cases[i].reason);
		ck_assert_str_eq(cats("avalanche"), "<null>");
		ck_assert_int_eq(tu_data_version(st), v);
	}
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM imports WHERE "
	    "source_id IS NULL"), 0);

	ck_assert_int_eq(import(write_tmp("other.csv", "date,foo\n1,2\n", 0)),
	    MS_ERR_NOTFOUND);
	ck_assert_int_eq(res.unknown_layout, 1);
	ck_assert_int_eq(res.rejected, 0);
	ck_assert_ptr_null(res.layout);
	ck_assert_int_eq(import(write_tmp("empty.csv", "", 0)),
	    MS_ERR_INVALID);
	ck_assert_int_eq(res.rejected, 1);
	ck_assert_int_eq(import("/nonexistent/x_2021-09.csv"), MS_ERR_IO);
	ck_assert_int_eq(res.rejected, 1);
	ck_assert_int_eq(tu_data_version(st), v);
}
END_TEST

Suite *make_reference_suite(void);

Suite *
make_reference_suite(void)
{
	Suite *s = suite_create("reference");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");

	tcase_add_checked_fixture(core, setup, teardown);
	tcase_add_checked_fixture(limits, setup, teardown);
	tcase_set_timeout(core, 60);
	tcase_set_timeout(limits, 60);
	tcase_add_test(core, test_companies_month_from_name);
	tcase_add_test(core, test_companies_day_from_name);
	tcase_add_test(core, test_companies_as_of);
	tcase_add_test(core, test_companies_reimport_replaces);
	tcase_add_test(core, test_companies_gzip);
	tcase_add_test(core, test_categories_coingecko);
	tcase_add_test(core, test_categories_symbol_layouts);
	tcase_add_test(core, test_categories_merge);
	tcase_add_test(core, test_categories_empty_store);
	tcase_add_test(core, test_day_from_name);
	tcase_add_test(core, test_layouts);
	tcase_add_test(core, test_vocabulary);
	tcase_add_test(limits, test_companies_bad_rows);
	tcase_add_test(limits, test_categories_bad_files);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}
