/*
 * check_ingest.c — tests of ingest/ms_ingest.c without a network: the
 * parsers of /coins/markets, /coins/list, /global and market_chart
 * (null/missing numbers are NaN, never 0; wrong types and non-finite
 * numbers are errors naming the field; the 00:00 UTC snapshot of D is the
 * bar of D-1; intraday points are ignored), the real captured CoinGecko
 * samples in ../shared/data (skipped with a message when absent), the
 * /coins/categories/list parser with the mapping of upstream categories to
 * Moonscope's and the order they are asked in, and the one-transaction
 * write phase (inserts, idempotence, updates, daily rebuild, imports row,
 * data_version, the operator's priority, category tags merged, rollback).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sqlite3.h>

#include "ms_date.h"
#include "ms_error.h"
#include "ms_ingest.h"
#include "ms_reference.h"
#include "ms_store.h"
#include "testutil.h"

#define D20250305 20152                 /* 2025-03-05 */
#define MS0305 "1741132800000"          /* its 00:00 UTC in ms */
#define MS0304 "1741046400000"
#define MS0303 "1740960000000"

static char tmpdir[64];
static struct ms_store *st;

static void
setup(void)
{
	tu_tmpdir(tmpdir, sizeof(tmpdir), "ms_ingest");
	st = tu_open_store(tmpdir, "t.db");
}

static void
teardown(void)
{
	ms_store_close(st);
	st = NULL;
	tu_rmtree(tmpdir);
}

START_TEST(test_id_ok)
{
	static const struct {
		const char *id;
		int ok;
	} ids[] = {
		{ "bitcoin", 1 }, { "usd-coin", 1 }, { "0x", 1 },
		{ "wrapped_btc.e", 1 }, { "a", 1 }, { "", 0 }, { "..", 0 },
		{ ".hidden", 0 }, { "-x", 0 }, { "Bitcoin", 0 }, { "a b", 0 },
		{ "a/b", 0 }, { "a%2f", 0 }, { "a?b", 0 }, { "caf\xc3\xa9", 0 },
	};
	char big[MS_SLUG_MAX + 2];

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		ck_assert_msg(ms_ingest_id_ok(ids[i].id, strlen(ids[i].id)) ==
		    ids[i].ok, "%s", ids[i].id);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(ms_ingest_id_ok(big, MS_SLUG_MAX + 1), 0);
	ck_assert_int_eq(ms_ingest_id_ok(big, MS_SLUG_MAX), 1);
}
END_TEST

static int
markets(const char *body, struct ms_ingest_coin *out, size_t cap, size_t *n,
    unsigned long *skipped, char *err)
{
	*skipped = 0;
	return ms_ingest_parse_markets(body, strlen(body), out, cap, n, skipped,
	    err, 256);
}

START_TEST(test_markets)
{
	struct ms_ingest_coin c[4];
	unsigned long skipped;
	size_t n = 99;
	char err[256];

	ck_assert_int_eq(markets("[{\"id\":\"bitcoin\",\"symbol\":\"btc\","
	    "\"name\":\"Bitcoin\",\"current_price\":80000.5,\"market_cap\":"
	    "1.5e12,\"total_volume\":3e10,\"market_cap_rank\":1,\"roi\":null},"
	    "{\"id\":\"nullcoin\",\"symbol\":null,\"name\":null,"
	    "\"current_price\":null,\"market_cap\":null,\"total_volume\":null,"
	    "\"market_cap_rank\":null},"
	    "{\"id\":\"bare\"},"
	    "{\"id\":\"Bad Id\",\"symbol\":\"bad\"}]", c, 4, &n, &skipped, err),
	    MS_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(skipped, 1);
	ck_assert_str_eq(c[0].id, "bitcoin");
	ck_assert_str_eq(c[0].symbol, "btc");
	ck_assert_str_eq(c[0].name, "Bitcoin");
	ck_assert(c[0].price == 80000.5 && c[0].market_cap == 1.5e12 &&
	    c[0].volume == 3e10 && c[0].rank == 1);
	/* null and missing are unknown (NaN), never 0. */
	for (size_t i = 1; i < 3; i++) {
		ck_assert(isnan(c[i].price) && isnan(c[i].market_cap) &&
		    isnan(c[i].volume) && isnan(c[i].rank));
		ck_assert_str_eq(c[i].symbol, "");
		ck_assert_str_eq(c[i].name, "");
	}
	ck_assert_int_eq(markets("[]", c, 4, &n, &skipped, err), MS_OK);
	ck_assert_uint_eq(n, 0);
}
END_TEST

static const struct {
	const char *body;
	int rc;
	const char *msg;
} bad_markets[] = {
	{ "{}", MS_ERR_PARSE, "expected an array of coins, got an object" },
	{ "[1]", MS_ERR_PARSE, "[0]: expected an object, got a number" },
	{ "[{\"symbol\":\"x\"}]", MS_ERR_PARSE,
	  "[0].id: expected a string, got nothing" },
	{ "[{\"id\":7}]", MS_ERR_PARSE, "[0].id: expected a string, got a number" },
	{ "[{\"id\":\"a\"},{\"id\":\"b\",\"current_price\":\"1\"}]",
	  MS_ERR_PARSE, "[1].current_price: expected a number or null, got a string" },
	{ "[{\"id\":\"a\",\"market_cap\":true}]", MS_ERR_PARSE,
	  "[0].market_cap: expected a number or null, got a boolean" },
	{ "[{\"id\":\"a\",\"total_volume\":[1]}]", MS_ERR_PARSE,
	  "got an array" },
	{ "[{\"id\":\"a\",\"current_price\":1e999}]", MS_ERR_PARSE,
	  "[0].current_price: not a finite number" },
	{ "[{\"id\":\"a\",\"name\":{}}]", MS_ERR_PARSE,
	  "[0].name: expected a string or null, got an object" },
	{ "[{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"c\"}]", MS_ERR_TOOBIG,
	  "more than the 2 coins" },
	{ "[{\"id\":\"a\"}", MS_ERR_PARSE, "truncated" },
	{ "[{\"id\":\"a\"}] []", MS_ERR_PARSE, "unexpected bytes" },
};

START_TEST(test_markets_bad)
{
	struct ms_ingest_coin c[2];
	unsigned long skipped;
	size_t n = 77;
	char err[256];

	for (size_t i = 0; i < sizeof(bad_markets) / sizeof(bad_markets[0]);
	    i++) {
		err[0] = '\0';
		ck_assert_msg(markets(bad_markets[i].body, c, 2, &n, &skipped,
		    err) == bad_markets[i].rc, "%s: %s", bad_markets[i].body,
		    err);
		ck_assert_msg(strstr(err, bad_markets[i].msg) != NULL,
		    "%s: \"%s\" lacks \"%s\"", bad_markets[i].body, err,
		    bad_markets[i].msg);
		ck_assert_uint_eq(n, 77);   /* written only on success */
	}
}
END_TEST

START_TEST(test_markets_long_strings)
{
	struct ms_ingest_coin c[1];
	unsigned long skipped;
	size_t n;
	char err[256], body[512], name[200];

	/* A name too long to store, or with a control byte, is unknown. */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(body, sizeof(body), "[{\"id\":\"x\",\"symbol\":\"a\\u0001b\","
	    "\"name\":\"%s\"}]", name);
	ck_assert_int_eq(markets(body, c, 1, &n, &skipped, err), MS_OK);
	ck_assert_str_eq(c[0].name, "");
	ck_assert_str_eq(c[0].symbol, "");
}
END_TEST

START_TEST(test_list)
{
	static const char body[] = "[{\"id\":\"zeta\",\"symbol\":\"z\","
	    "\"name\":\"Zeta\"},{\"id\":\"alpha\",\"symbol\":\"a\",\"name\":"
	    "null},{\"id\":\"UPPER\",\"symbol\":\"u\",\"name\":\"U\"},"
	    "{\"id\":\"mid\",\"symbol\":\"m\",\"name\":\"Mid\"}]";
	struct ms_ingest_coin *l = NULL;
	const struct ms_ingest_coin *f;
	unsigned long skipped = 0;
	size_t n = 0;
	char err[256];

	ck_assert_int_eq(ms_ingest_parse_list(body, strlen(body), &l, &n,
	    &skipped, err, sizeof(err)), MS_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(skipped, 1);
	ck_assert_str_eq(l[0].id, "alpha");
	ck_assert_str_eq(l[2].id, "zeta");
	f = ms_ingest_list_find(l, n, "mid");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->name, "Mid");
	ck_assert_ptr_null(ms_ingest_list_find(l, n, "nope"));
	ck_assert_ptr_null(ms_ingest_list_find(l, n, "UPPER"));
	free(l);
	l = NULL;
	ck_assert_int_eq(ms_ingest_parse_list("[{\"id\":\"a\",\"name\":5}]", 24,
	    &l, &n, &skipped, err, sizeof(err)), MS_ERR_PARSE);
	ck_assert_ptr_null(l);
	ck_assert_int_eq(ms_ingest_parse_list("{}", 2, &l, &n, &skipped, err,
	    sizeof(err)), MS_ERR_PARSE);
}
END_TEST

/* The vocabulary bit of slug. */
static uint64_t
bit(const char *slug)
{
	size_t n;
	const char *const *v = ms_reference_vocab(&n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], slug) == 0)
			return UINT64_C(1) << i;
	ck_abort_msg("%s is not in the vocabulary", slug);
	return 0;
}

START_TEST(test_category_tags)
{
	enum ms_ingest_cat_how how;

	/* The importer's CoinGecko names; the canonical one of a category is
	 * what /api/v3/coins/categories/list serves for it. */
	ck_assert(ms_ingest_category_tags("layer-1", "Layer 1 (L1)", &how) ==
	    bit("layer-1"));
	ck_assert_int_eq(how, MS_INGEST_CAT_CANONICAL);
	ck_assert(ms_ingest_category_tags("meme-token", "Meme", &how) ==
	    bit("meme"));
	ck_assert_int_eq(how, MS_INGEST_CAT_CANONICAL);
	ck_assert(ms_ingest_category_tags("dog-themed-coins", "Dog-Themed",
	    &how) == bit("meme"));
	ck_assert_int_eq(how, MS_INGEST_CAT_NAME);
	ck_assert(ms_ingest_category_tags("x", "Decentralized Exchange (DEX)",
	    &how) == (bit("defi") | bit("exchange")));
	ck_assert_int_eq(how, MS_INGEST_CAT_NAME);
	/* An unmapped or empty name: the id when it is a Moonscope category
	 * (another Moonscope's payments, CoinGecko's store-of-value). */
	ck_assert(ms_ingest_category_tags("payments", "payments", &how) ==
	    bit("payments"));
	ck_assert_int_eq(how, MS_INGEST_CAT_ID);
	ck_assert(ms_ingest_category_tags("store-of-value", "", &how) ==
	    bit("store-of-value"));
	ck_assert_int_eq(how, MS_INGEST_CAT_ID);
	ck_assert(ms_ingest_category_tags("ethereum-ecosystem",
	    "Ethereum Ecosystem", &how) == 0);
	ck_assert_int_eq(how, MS_INGEST_CAT_NONE);
	ck_assert(ms_ingest_category_tags("meme-token", "meme", NULL) == 0);
	ck_assert(ms_ingest_category_tags("", "", NULL) == 0);
}
END_TEST

START_TEST(test_categories)
{
	static const char body[] = "["
	    "{\"category_id\":\"ethereum-ecosystem\",\"name\":\"Ethereum "
	    "Ecosystem\"},"
	    "{\"category_id\":\"store-of-value\",\"name\":null},"
	    "{\"category_id\":\"dog-themed-coins\",\"name\":\"Dog-Themed\"},"
	    "{\"category_id\":\"smart-contract-platform\",\"name\":\"Smart "
	    "Contract Platform\"},"
	    "{\"category_id\":\"meme-token\",\"name\":\"Meme\"},"
	    "{\"category_id\":null,\"name\":\"Layer 2 (L2)\"},"
	    "{\"name\":\"Layer 2 (L2)\"},"
	    "{\"category_id\":\"Bad Id\",\"name\":\"Layer 2 (L2)\"},"
	    "{\"category_id\":\"layer-1\",\"name\":\"Layer 1 (L1)\","
	    "\"extra\":[1,2]},"
	    "{\"category_id\":\"layer-1\",\"name\":\"Layer 1 (L1)\"},"
	    "{\"category_id\":\"meme-token\",\"name\":\"Meme\"},"
	    "{\"category_id\":\"layer-1\",\"name\":\"Layer 1 (L1)\"}]";
	static const char *const order[] = { "layer-1", "meme-token",
	    "smart-contract-platform", "dog-themed-coins", "store-of-value",
	    "ethereum-ecosystem" };
	struct ms_ingest_category *v = NULL;
	unsigned long skipped = 0;
	size_t n = 0;
	char err[256];

	ck_assert_int_eq(ms_ingest_parse_categories(body, strlen(body), &v, &n,
	    &skipped, err, sizeof(err)), MS_OK);
	ck_assert_uint_eq(n, 6);
	ck_assert_uint_eq(skipped, 6);
	ck_assert_str_eq(v[0].id, "ethereum-ecosystem");
	ck_assert_str_eq(v[1].name, "");
	ck_assert(v[1].tags == bit("store-of-value"));
	ck_assert_uint_eq(v[5].pos, 8);
	/* Canonical names by sector, other names, ids; unmapped last and
	 * never counted. */
	ck_assert_uint_eq(ms_ingest_pick_categories(v, n, 1000), 5);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(v[i].id, order[i]);
	ck_assert_uint_eq(ms_ingest_pick_categories(v, n, 2), 2);
	ck_assert_str_eq(v[1].id, "meme-token");
	ck_assert_uint_eq(ms_ingest_pick_categories(v, n, 0), 0);
	free(v);
	v = NULL;
	ck_assert_int_eq(ms_ingest_parse_categories("[]", 2, &v, &n, &skipped,
	    err, sizeof(err)), MS_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(ms_ingest_pick_categories(v, n, 5), 0);
	free(v);
}
END_TEST

START_TEST(test_categories_bad)
{
	static const struct {
		const char *body, *msg;
		int rc;
	} cases[] = {
		{ "{}", "expected an array of categories, got an object",
		  MS_ERR_PARSE },
		{ "[1]", "[0]: expected an object, got a number",
		  MS_ERR_PARSE },
		{ "[{\"category_id\":\"a\"},{\"category_id\":5}]",
		  "[1].category_id: expected a string or null, got a number",
		  MS_ERR_PARSE },
		{ "[{\"category_id\":[\"a\"]}]",
		  "[0].category_id: expected a string or null, got an array",
		  MS_ERR_PARSE },
		{ "[{\"category_id\":\"a\",\"name\":true}]",
		  "[0].name: expected a string or null, got a boolean",
		  MS_ERR_PARSE },
		{ "[{\"category_id\":\"a\",", "invalid JSON", MS_ERR_PARSE },
		{ "[] x", "unexpected bytes after the value", MS_ERR_PARSE },
		{ "", "empty", MS_ERR_PARSE },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ms_ingest_category *v = NULL;
		unsigned long skipped = 0;
		size_t n = 0;
		char err[256] = "";
		int rc = ms_ingest_parse_categories(cases[i].body,
		    strlen(cases[i].body), &v, &n, &skipped, err, sizeof(err));

		ck_assert_msg(rc == cases[i].rc, "case %zu: rc %d", i, rc);
		ck_assert_msg(strstr(err, cases[i].msg) != NULL,
		    "case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].msg);
		ck_assert_ptr_null(v);
	}
	/* Names too long or with control bytes are unknown, not errors. */
	{
		char body[512];
		struct ms_ingest_category *v = NULL;
		unsigned long skipped = 0;
		size_t n = 0;
		char err[256];
		int len = snprintf(body, sizeof(body), "[{\"category_id\":\"a\","
		    "\"name\":\"%0200d\"},{\"category_id\":\"b\",\"name\":"
		    "\"Me\\u0001me\"}]", 0);

		ck_assert_int_eq(ms_ingest_parse_categories(body, (size_t)len,
		    &v, &n, &skipped, err, sizeof(err)), MS_OK);
		ck_assert_uint_eq(n, 2);
		ck_assert_str_eq(v[0].name, "");
		ck_assert_str_eq(v[1].name, "");
		ck_assert(v[1].tags == 0);
		free(v);
	}
}
END_TEST

static int
global(const char *body, struct ms_ingest_global *g, char *err)
{
	return ms_ingest_parse_global(body, strlen(body), g, err, 256);
}

START_TEST(test_global)
{
	static const char ok[] = "{\"data\":{\"active_cryptocurrencies\":"
	    "15000,\"total_market_cap\":{\"usd\":2.7e12,\"eur\":2.5e12},"
	    "\"total_volume\":{\"usd\":1.1e11},\"market_cap_percentage\":"
	    "{\"btc\":58.7}}}";
	static const char nulls[] = "{\"data\":{\"total_market_cap\":null,"
	    "\"total_volume\":{\"usd\":null}}}";
	struct ms_ingest_global g;
	char err[256];

	ck_assert_int_eq(ms_ingest_parse_global(ok, strlen(ok), &g, err,
	    sizeof(err)), MS_OK);
	ck_assert(g.present && g.total_market_cap_usd == 2.7e12 &&
	    g.total_volume_usd == 1.1e11 && g.btc_dominance == 58.7 &&
	    g.active_cryptocurrencies == 15000);
	ck_assert_int_eq(ms_ingest_parse_global(nulls, strlen(nulls), &g, err,
	    sizeof(err)), MS_OK);
	ck_assert(isnan(g.total_market_cap_usd) && isnan(g.total_volume_usd) &&
	    isnan(g.btc_dominance) && isnan(g.active_cryptocurrencies));
	ck_assert_int_eq(global("{\"data\":[]}", &g, err), MS_ERR_PARSE);
	ck_assert_int_eq(global("{\"data\":{\"total_volume\":{\"usd\":\"1\"}}}",
	    &g, err), MS_ERR_PARSE);
	ck_assert_ptr_nonnull(strstr(err, "data.total_volume.usd: expected a "
	    "number or null, got a string"));
	ck_assert_int_eq(global("{\"data\":{\"total_volume\":5}}", &g, err),
	    MS_ERR_PARSE);
	ck_assert_int_eq(global("{\"x\":1}", &g, err), MS_ERR_PARSE);
}
END_TEST

static int
chart(const char *body, int32_t lo, int32_t hi, struct ms_ingest_point **p,
    size_t *n, struct ms_ingest_chart_stats *cs, char *err)
{
	memset(cs, 0, sizeof(*cs));
	*p = NULL;
	return ms_ingest_parse_chart(body, strlen(body), lo, hi, p, n, cs, err,
	    256);
}

START_TEST(test_chart)
{
	/*
	 * 00:00 of 03-03, 03-04, 03-05 and an intraday point of 03-05: bars
	 * 03-02, 03-03, 03-04; the intraday one is ignored. 03-04's market
	 * cap is null, 03-03's volume is 0 (stored as unknown).
	 */
	static const char body[] = "{\"prices\":[[" MS0303 ",10.5],[" MS0304
	    ",11],[" MS0305 ",12],[1741185950000,12.5]],\"market_caps\":[["
	    MS0303 ",100],[" MS0304 ",null],[" MS0305 ",120]],"
	    "\"total_volumes\":[[" MS0303 ",5],[" MS0304 ",0],[" MS0305 ",7]]}";
	struct ms_ingest_chart_stats cs;
	struct ms_ingest_point *p;
	size_t n = 0;
	char err[256];

	ck_assert_int_eq(chart(body, D20250305 - 100, D20250305 - 1, &p, &n,
	    &cs, err), MS_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(p[0].day, D20250305 - 3);
	ck_assert(p[0].close == 10.5 && p[0].market_cap == 100 &&
	    p[0].volume == 5);
	ck_assert_int_eq(p[1].day, D20250305 - 2);
	ck_assert(p[1].close == 11 && isnan(p[1].market_cap) &&
	    isnan(p[1].volume));
	ck_assert_int_eq(p[2].day, D20250305 - 1);
	ck_assert(p[2].close == 12 && p[2].market_cap == 120 &&
	    p[2].volume == 7);
	ck_assert_uint_eq(cs.points, 3);
	ck_assert_uint_eq(cs.intraday, 1);
	ck_assert_uint_eq(cs.zero_as_null, 1);
	free(p);
	/* The window keeps only its days. */
	ck_assert_int_eq(chart(body, D20250305 - 2, D20250305 - 2, &p, &n, &cs,
	    err), MS_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(p[0].day, D20250305 - 2);
	ck_assert_uint_eq(cs.out_of_range, 2);
	free(p);
}
END_TEST

START_TEST(test_chart_nulls_and_bad_values)
{
	/* null price: no bar; <= 0 price or a negative value: no bar; the
	 * same day twice: the first kept; series may be missing. */
	static const char body[] = "{\"prices\":[[" MS0303 ",null],[" MS0304
	    ",0],[" MS0305 ",3],[" MS0305 ",4]],\"market_caps\":[[" MS0305
	    ",-1]]}";
	static const char ok[] = "{\"prices\":[[" MS0305 ",3],[" MS0305
	    ",4]],\"market_caps\":null}";
	struct ms_ingest_chart_stats cs;
	struct ms_ingest_point *p;
	size_t n = 9;
	char err[256];

	ck_assert_int_eq(chart(body, D20250305 - 10, D20250305, &p, &n, &cs,
	    err), MS_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(cs.null_price, 1);
	ck_assert_uint_eq(cs.bad_value, 2);
	ck_assert_uint_eq(cs.duplicates, 1);
	free(p);
	ck_assert_int_eq(chart(ok, D20250305 - 10, D20250305, &p, &n, &cs,
	    err), MS_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert(p[0].close == 3 && isnan(p[0].market_cap) &&
	    isnan(p[0].volume));
	free(p);
	ck_assert_int_eq(chart("{\"prices\":[]}", 0, 10, &p, &n, &cs, err),
	    MS_OK);
	ck_assert_uint_eq(n, 0);
	free(p);
}
END_TEST

static const struct {
	const char *body;
	const char *msg;
} bad_charts[] = {
	{ "[]", "expected an object with \"prices\", got an array" },
	{ "{}", "no \"prices\" array" },
	{ "{\"prices\":null}", "no \"prices\" array" },
	{ "{\"prices\":\"abc\"}", "prices: expected an array, got a string" },
	{ "{\"prices\":[1]}", "prices[0]: expected [timestamp, value], got a number" },
	{ "{\"prices\":[[1,2,3]]}", "prices[0]: expected [timestamp, value], "
	  "got an array of another length" },
	{ "{\"prices\":[[\"1\",2]]}", "prices[0][0]: expected a timestamp in ms, "
	  "got a string" },
	{ "{\"prices\":[[" MS0305 ",\"2\"]]}", "prices[0][1]: expected a number "
	  "or null, got a string" },
	{ "{\"prices\":[[" MS0305 ",1e999]]}", "prices[0][1]: not a finite number" },
	{ "{\"prices\":[[1e999,1]]}", "a non-finite number" },
	{ "{\"prices\":[],\"market_caps\":{}}", "market_caps: expected an array, "
	  "got an object" },
	{ "{\"prices\":[],\"total_volumes\":[[" MS0305 ",true]]}",
	  "total_volumes[0][1]: expected a number or null, got a boolean" },
	{ "{\"prices\":[[" MS0305 ",1]", "truncated" },
	{ "{\"prices\":[[" MS0305 ",nul", "truncated" },
	{ "{\"prices\":[[" MS0305 ",1],]}", "syntax error" },
};

START_TEST(test_chart_bad)
{
	struct ms_ingest_chart_stats cs;
	struct ms_ingest_point *p;
	size_t n = 5;
	char err[256];

	for (size_t i = 0; i < sizeof(bad_charts) / sizeof(bad_charts[0]);
	    i++) {
		err[0] = '\0';
		ck_assert_msg(chart(bad_charts[i].body, 0, D20250305, &p, &n, &cs,
		    err) != MS_OK, "%s", bad_charts[i].body);
		ck_assert_msg(strstr(err, bad_charts[i].msg) != NULL,
		    "%s: \"%s\" lacks \"%s\"", bad_charts[i].body, err,
		    bad_charts[i].msg);
		ck_assert_ptr_null(p);
		ck_assert_uint_eq(n, 5);
	}
	ck_assert_int_eq(chart("{\"prices\":[]}", 10, 5, &p, &n, &cs, err),
	    MS_ERR_INVALID);
}
END_TEST

/* Reads a file of ../shared/data into a malloc'd NUL-terminated buffer;
 * NULL (with a printed reason) when it is not there. */
static char *
shared_sample(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "../shared/data/api_samples/coingecko/"
	    "captured/%s", name);
	if ((f = fopen(path, "rb")) == NULL) {
		printf("check_ingest: %s not found; real-sample test skipped\n",
		    path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

START_TEST(test_real_samples)
{
	struct ms_ingest_coin c[250];
	struct ms_ingest_chart_stats cs;
	struct ms_ingest_point *p = NULL;
	unsigned long skipped = 0;
	size_t len, n = 0;
	char err[256], *body;
	int32_t d0902 = ms_date_from_ymd(2026, 9, 2);

	if ((body = shared_sample("GET_coins_markets_top30_2025-03-04.json",
	    &len)) != NULL) {
		ck_assert_int_eq(ms_ingest_parse_markets(body, len, c, 250, &n,
		    &skipped, err, sizeof(err)), MS_OK);
		ck_assert_uint_eq(n, 30);
		ck_assert_str_eq(c[0].id, "bitcoin");
		ck_assert(c[0].price == 79847 && c[0].rank == 1);
		free(body);
	}
	if ((body = shared_sample("GET_coins_markets_rows_top80_2024-10-21.json",
	    &len)) != NULL) {
		ck_assert_int_eq(ms_ingest_parse_markets(body, len, c, 250, &n,
		    &skipped, err, sizeof(err)), MS_OK);
		ck_assert_uint_eq(n, 80);
		free(body);
	}
	/* 7 daily points at 00:00 UTC (08-27..09-02) and a "now" point. */
	if ((body = shared_sample(
	    "GET_coins_bitcoin_market_chart_days7_daily_2026-09-02.json",
	    &len)) != NULL) {
		memset(&cs, 0, sizeof(cs));
		ck_assert_int_eq(ms_ingest_parse_chart(body, len, d0902 - 30,
		    d0902, &p, &n, &cs, err, sizeof(err)), MS_OK);
		ck_assert_uint_eq(n, 7);
		ck_assert_uint_eq(cs.intraday, 1);
		ck_assert_int_eq(p[6].day, d0902 - 1);
		ck_assert(p[6].close == 77416.44110979848);
		ck_assert(p[6].market_cap == 1554389755370.4558);
		ck_assert(p[6].volume == 30118812390.414185);
		free(p);
		free(body);
	}
}
END_TEST

/* ---- the write phase ---------------------------------------------------- */

static struct ms_ingest_item *
item(struct ms_ingest_batch *b, const char *slug, const char *sym,
    const char *name, int32_t lo, int32_t hi, size_t npts)
{
	struct ms_ingest_item *it;

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 4;
		b->items = realloc(b->items, b->cap * sizeof(*b->items));
		ck_assert_ptr_nonnull(b->items);
	}
	it = &b->items[b->n++];
	memset(it, 0, sizeof(*it));
	snprintf(it->id, sizeof(it->id), "%s", slug);
	snprintf(it->slug, sizeof(it->slug), "%s", slug);
	snprintf(it->symbol, sizeof(it->symbol), "%s", sym);
	snprintf(it->name, sizeof(it->name), "%s", name);
	it->want_lo = lo;
	it->want_hi = hi;
	it->want = malloc((size_t)(hi - lo) + 1);
	ck_assert_ptr_nonnull(it->want);
	memset(it->want, 1, (size_t)(hi - lo) + 1);
	it->pts = calloc(npts, sizeof(*it->pts));
	ck_assert_ptr_nonnull(it->pts);
	it->npts = npts;
	for (size_t i = 0; i < npts; i++) {
		it->pts[i].day = lo + (int32_t)i;
		it->pts[i].close = 10 + (double)i;
		it->pts[i].market_cap = i == 1 ? NAN : 1000 + (double)i;
		it->pts[i].volume = NAN;
	}
	return it;
}

static int
write_batch(const struct ms_ingest_batch *b, struct ms_ingest_result *r,
    volatile sig_atomic_t *cancel)
{
	memset(r, 0, sizeof(*r));
	r->first_day = r->last_day = -1;
	return ms_ingest_write(st, b, "http://127.0.0.1:1/api/v3", cancel, r);
}

START_TEST(test_write)
{
	struct ms_ingest_batch b = { 0 };
	struct ms_ingest_result r;
	int64_t v;

	item(&b, "bitcoin", "BTC", "Bitcoin", 20000, 20004, 5);
	item(&b, "newcoin", "", "", 20000, 20001, 2);
	ck_assert_int_eq(write_batch(&b, &r, NULL), MS_OK);
	ck_assert_uint_eq(r.inserted, 7);
	ck_assert_uint_eq(r.assets_new, 2);
	ck_assert_int_eq(r.first_day, 20000);
	ck_assert_int_eq(r.last_day, 20004);
	ck_assert(r.changed);
	v = tu_data_version(st);
	ck_assert_int_eq(v, r.data_version);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM daily"), 7);
	ck_assert_int_eq(tu_query_int(st, "SELECT priority FROM sources WHERE "
	    "name = 'coingecko_api'"), 35);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM bars WHERE "
	    "open IS NULL AND high IS NULL AND low IS NULL AND volume IS NULL"),
	    7);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM bars WHERE "
	    "market_cap IS NULL"), 2);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM assets WHERE "
	    "slug = 'newcoin' AND symbol IS NULL AND name IS NULL"), 1);
	ck_assert_int_eq(tu_query_int(st, "SELECT rows_inserted FROM imports "
	    "WHERE layout = 'coingecko_api'"), 7);
	/* The same batch again changes nothing. */
	ck_assert_int_eq(write_batch(&b, &r, NULL), MS_OK);
	ck_assert_uint_eq(r.inserted, 0);
	ck_assert_uint_eq(r.unchanged, 7);
	ck_assert(!r.changed);
	ck_assert_int_eq(tu_data_version(st), v);
	/* A new value is an update; a day not wanted is left alone. */
	b.items[0].pts[2].close = 99;
	b.items[0].want[3] = 0;
	b.items[0].pts[3].close = 77;
	ck_assert_int_eq(write_batch(&b, &r, NULL), MS_OK);
	ck_assert_uint_eq(r.updated, 1);
	ck_assert_uint_eq(r.already_stored, 1);
	ck_assert_int_eq(tu_data_version(st), v + 1);
	ck_assert(tu_query_double(st, "SELECT d.close FROM daily d JOIN assets "
	    "a ON a.id = d.asset_id WHERE a.slug = 'bitcoin' AND day = 20002") ==
	    99);
	ck_assert(tu_query_double(st, "SELECT d.close FROM daily d JOIN assets "
	    "a ON a.id = d.asset_id WHERE a.slug = 'bitcoin' AND day = 20003") ==
	    13);
	ms_ingest_batch_free(&b);
	ms_ingest_batch_free(NULL);
}
END_TEST

START_TEST(test_write_keeps_identity_and_priority)
{
	struct ms_ingest_batch b = { 0 };
	struct ms_ingest_result r;

	tu_exec(st, "INSERT INTO assets(slug, symbol, name) VALUES "
	    "('ripple', 'XRP', 'XRP'), ('bare', NULL, NULL);"
	    "INSERT INTO sources(name, priority, timing, description) VALUES "
	    "('coingecko_api', 5, 't', 'd')");
	item(&b, "ripple", "XRPX", "Ripple Other", 20000, 20000, 1);
	item(&b, "bare", "BAR", "Bare Coin", 20000, 20000, 1);
	ck_assert_int_eq(write_batch(&b, &r, NULL), MS_OK);
	ck_assert_uint_eq(r.assets_new, 0);
	/* Symbol/name are never overwritten, only filled in. */
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM assets WHERE "
	    "slug = 'ripple' AND symbol = 'XRP' AND name = 'XRP'"), 1);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM assets WHERE "
	    "slug = 'bare' AND symbol = 'BAR' AND name = 'Bare Coin'"), 1);
	/* An operator's priority stays. */
	ck_assert_int_eq(tu_query_int(st, "SELECT priority FROM sources WHERE "
	    "name = 'coingecko_api'"), 5);
	ms_ingest_batch_free(&b);
}
END_TEST

START_TEST(test_write_tags)
{
	struct ms_ingest_batch b = { 0 };
	struct ms_ingest_result r;
	struct ms_ingest_item *it;
	int64_t v;
	char cats[64];

	tu_exec(st, "INSERT INTO assets(slug, symbol, name, categories) VALUES "
	    "('bitcoin', 'BTC', 'Bitcoin', 'custom,layer-1')");
	it = item(&b, "bitcoin", "BTC", "Bitcoin", 20000, 20000, 1);
	it->tags = bit("layer-1") | bit("store-of-value");
	it = item(&b, "pepe", "PEPE", "Pepe", 20000, 20000, 0);
	it->tags = bit("meme");
	ck_assert_int_eq(write_batch(&b, &r, NULL), MS_OK);
	ck_assert_uint_eq(r.tags_added, 2);
	ck_assert_uint_eq(r.assets_retagged, 2);
	{
		sqlite3_stmt *q;

		ck_assert_int_eq(sqlite3_prepare_v2(ms_store_db(st), "SELECT "
		    "group_concat(slug || '=' || categories, ' ') FROM (SELECT "
		    "slug, categories FROM assets ORDER BY slug)", -1, &q, NULL),
		    SQLITE_OK);
		ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
		snprintf(cats, sizeof(cats), "%s", sqlite3_column_text(q, 0));
		sqlite3_finalize(q);
	}
	ck_assert_str_eq(cats, "bitcoin=custom,layer-1,store-of-value "
	    "pepe=meme");
	/* Nothing new: no change, data_version kept. */
	v = tu_data_version(st);
	b.items[0].want[0] = 0;
	ck_assert_int_eq(write_batch(&b, &r, NULL), MS_OK);
	ck_assert_uint_eq(r.tags_added, 0);
	ck_assert(!r.changed);
	ck_assert_int_eq(tu_data_version(st), v);
	/* Only a tag added is a change. */
	b.items[1].tags |= bit("ai");
	ck_assert_int_eq(write_batch(&b, &r, NULL), MS_OK);
	ck_assert_uint_eq(r.tags_added, 1);
	ck_assert(r.changed);
	ck_assert_int_eq(tu_data_version(st), v + 1);
	/* A failed write adds no tag. */
	b.items[1].tags |= bit("gaming");
	{
		volatile sig_atomic_t stop = 1;

		ck_assert_int_eq(write_batch(&b, &r, &stop), MS_ERR_IO);
	}
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM assets WHERE "
	    "categories LIKE '%gaming%'"), 0);
	ms_ingest_batch_free(&b);
}
END_TEST

START_TEST(test_write_rollback)
{
	struct ms_ingest_batch b = { 0 };
	struct ms_ingest_result r;
	volatile sig_atomic_t stop = 1;
	int64_t v = tu_data_version(st);

	item(&b, "bitcoin", "BTC", "Bitcoin", 20000, 20004, 5);
	ck_assert_int_eq(write_batch(&b, &r, &stop), MS_ERR_IO);
	ck_assert_ptr_nonnull(strstr(r.error, "interrupted"));
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM bars"), 0);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM assets"), 0);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM sources"), 0);
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM imports"), 0);
	ck_assert_int_eq(tu_data_version(st), v);
	/* A store error (a bar for a day that breaks the schema is not
	 * possible here, so lock the store from another connection). */
	{
		sqlite3 *other;
		char path[128];

		snprintf(path, sizeof(path), "%s/t.db", tmpdir);
		ck_assert_int_eq(sqlite3_open(path, &other), SQLITE_OK);
		ck_assert_int_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL,
		    NULL, NULL), SQLITE_OK);
		sqlite3_busy_timeout(ms_store_db(st), 50);
		ck_assert_int_ne(write_batch(&b, &r, NULL), MS_OK);
		ck_assert_ptr_nonnull(strstr(r.error, "transaction"));
		sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(other);
	}
	ck_assert_int_eq(tu_query_int(st, "SELECT count(*) FROM bars"), 0);
	ms_ingest_batch_free(&b);
}
END_TEST

Suite *make_ingest_suite(void);

Suite *
make_ingest_suite(void)
{
	Suite *s = suite_create("ingest");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");

	tcase_add_checked_fixture(core, setup, teardown);
	tcase_add_checked_fixture(limits, setup, teardown);
	tcase_set_timeout(core, 60);
	tcase_set_timeout(limits, 60);
	tcase_add_test(core, test_markets);
	tcase_add_test(core, test_list);
	tcase_add_test(core, test_global);
	tcase_add_test(core, test_chart);
	tcase_add_test(core, test_chart_nulls_and_bad_values);
	tcase_add_test(core, test_real_samples);
	tcase_add_test(core, test_write);
	tcase_add_test(core, test_write_keeps_identity_and_priority);
	tcase_add_test(core, test_category_tags);
	tcase_add_test(core, test_categories);
	tcase_add_test(core, test_write_tags);
	tcase_add_test(limits, test_categories_bad);
	tcase_add_test(limits, test_id_ok);
	tcase_add_test(limits, test_markets_bad);
	tcase_add_test(limits, test_markets_long_strings);
	tcase_add_test(limits, test_chart_bad);
	tcase_add_test(limits, test_write_rollback);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}
