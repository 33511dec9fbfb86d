/*
 * check_cg.c — the CoinGecko-compatible routes (/api/v3, functions/cg_*.c)
 * called directly through ms_handle() on a small hand-made store, and the
 * helpers of shared/ms_cg.c. Every expected value below is worked out by
 * hand from the fixture; tests/integration/cases/cg.txt repeats the main
 * cases through real web servers.
 *
 * The fixture (source fix_a, days i from 2018-01-01; the last day L is
 * i = 39, 2018-02-09, whose close instant is 2018-02-10T00:00Z =
 * 1518220800 s):
 *   ripple / XRP "XRP", categories layer-1,payments, i = 0..39:
 *       close 1 + 0.01 i, open close - 0.005, high close + 0.02 (5.0 on
 *       i = 3), low close - 0.02 (0.5 on i = 10), volume 1000 (i + 1),
 *       market cap 1e9 close
 *   bitcoin / BTC "Bitcoin", layer-1,store-of-value, i = 0..39:
 *       close 100 + 2 i, open close - 1, high close + 1, low close - 2,
 *       volume 1e6, market cap 2e7 close
 *   alpha / ALP "Alpha Coin", meme, i = 0..39: close 0.5 only (open,
 *       high, low unknown), volume 10 (unknown on i = 39), market cap 5e6
 *   alpine / ALP "Alpine", i = 0..39: open = high = low = close 0.9,
 *       volume 20, market cap 9e6
 *   deadcoin / DEAD "Dead Coin", i = 0..4: 0.1, market cap 1e5 (not
 *       listed on L: no bar in its last 31 days)
 *   nocap / NCP "No Cap", meme, i = 0..39: 2, volume 30, market cap unknown
 * On L: market caps bitcoin 3.56e9 (close 178) > ripple 1.39e9 > alpine
 * 9e6 > alpha 5e6; nocap has none. The day before: bitcoin 3.52e9,
 * ripple 1.38e9. Ranks 1..4, nocap unranked.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <cJSON.h>

#include "ms_cg.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_http.h"
#include "ms_store.h"
#include "testutil.h"

extern const struct ms_route *const ms_route_cg_ping;
extern const struct ms_route *const ms_route_cg_simple_price;
extern const struct ms_route *const ms_route_cg_simple_supported_vs_currencies;
extern const struct ms_route *const ms_route_cg_coins_list;
extern const struct ms_route *const ms_route_cg_coins_markets;
extern const struct ms_route *const ms_route_cg_coin;
extern const struct ms_route *const ms_route_cg_market_chart;
extern const struct ms_route *const ms_route_cg_market_chart_range;
extern const struct ms_route *const ms_route_cg_ohlc;
extern const struct ms_route *const ms_route_cg_categories;
extern const struct ms_route *const ms_route_cg_categories_list;
extern const struct ms_route *const ms_route_cg_global;

#define NDAYS 40
#define L_MS 1518220800000LL    /* close instant of 2018-02-09 */

static char db_path[256];

static void
build_fixture(const char *path)
{
	struct ms_store *st;
	int64_t a;
	int32_t d0 = ms_date_from_ymd(2018, 1, 1);
	sqlite3 *db;

	unlink(path);
	ck_assert_int_eq(ms_store_open(path, MS_STORE_RW, &st), 0);
	db = ms_store_db(st);
	ck_assert_int_eq(ms_store_begin(st), 0);
	ck_assert_int_eq(ms_store_source(st, "fix_a", 10, "close at 23:59 UTC",
	    0, "fixture source A", &a), 0);
	tu_insert_asset(db, 1, "ripple", "XRP", "XRP", "layer-1,payments");
	tu_insert_asset(db, 2, "bitcoin", "BTC", "Bitcoin", "layer-1,store-of-value");
	tu_insert_asset(db, 3, "alpha", "ALP", "Alpha Coin", "meme");
	tu_insert_asset(db, 4, "alpine", "ALP", "Alpine", "");
	tu_insert_asset(db, 5, "deadcoin", "DEAD", "Dead Coin", "");
	tu_insert_asset(db, 6, "nocap", "NCP", "No Cap", "meme");
	for (int i = 0; i < NDAYS; i++) {
		double c = 1 + 0.01 * i, b = 100 + 2 * i;

		tu_insert_bar(db, 1, a, d0 + i, c - 0.005, i == 3 ? 5.0 : c + 0.02,
		    i == 10 ? 0.5 : c - 0.02, c, 1000.0 * (i + 1), 1e9 * c);
		tu_insert_bar(db, 2, a, d0 + i, b - 1, b + 1, b - 2, b, 1e6, 2e7 * b);
		tu_insert_bar(db, 3, a, d0 + i, NAN, NAN, NAN, 0.5,
		    i == NDAYS - 1 ? NAN : 10, 5e6);
		tu_insert_bar(db, 4, a, d0 + i, 0.9, 0.9, 0.9, 0.9, 20, 9e6);
		tu_insert_bar(db, 6, a, d0 + i, 2, 2, 2, 2, 30, NAN);
	}
	for (int i = 0; i < 5; i++)
		tu_insert_bar(db, 5, a, d0 + i, 0.1, 0.1, 0.1, 0.1, 5, 1e5);
	for (int64_t id = 1; id <= 6; id++)
		ck_assert_int_eq(ms_store_rebuild_daily(st, id), 0);
	ck_assert_int_eq(ms_store_bump_version(st), 0);
	ck_assert_int_eq(ms_store_commit(st), 0);
	ms_store_close(st);
}

static void
remove_store(const char *path)
{
	char p[300];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static void
setup(void)
{
	snprintf(db_path, sizeof(db_path), "/tmp/ms_check_cg_%ld.db",
	    (long)getpid());
	build_fixture(db_path);
	setenv(MS_STORE_ENV, db_path, 1);
}

static void
teardown(void)
{
	remove_store(db_path);
}

struct reply {
	int status;
	cJSON *json;
	char content_type[64];
	size_t body_len;
};

static void
call(const struct ms_route *route, const char *method, const char *uri,
    struct reply *out)
{
	char e_method[64], e_uri[1200], e_qs[1200];
	char *envp[] = { e_method, e_uri, e_qs,
		(char *)(uintptr_t)"HTTP_X_CG_PRO_API_KEY=some-key", NULL };
	const char *q = strchr(uri, '?');
	struct ms_ctx ctx;
	struct ms_response res;

	snprintf(e_method, sizeof(e_method), "REQUEST_METHOD=%s", method);
	snprintf(e_uri, sizeof(e_uri), "REQUEST_URI=%s", uri);
	snprintf(e_qs, sizeof(e_qs), "QUERY_STRING=%s", q ? q + 1 : "");
	ms_ctx_init(&ctx);
	ms_response_init(&res);
	ms_handle(&ctx, route, envp, &res);
	out->status = res.status;
	out->body_len = res.body.len;
	out->json = res.body.len ? cJSON_ParseWithLength(res.body.data,
	    res.body.len) : NULL;
	snprintf(out->content_type, sizeof(out->content_type), "%s",
	    res.content_type ? res.content_type : "");
	ms_response_free(&res);
	ms_ctx_free(&ctx);
}

/* GET uri, expecting status; returns the parsed body (caller deletes). */
static cJSON *
get(const struct ms_route *route, const char *uri, int status)
{
	struct reply r;

	call(route, "GET", uri, &r);
	ck_assert_msg(r.status == status, "%s: status %d, want %d", uri,
	    r.status, status);
	ck_assert_ptr_nonnull(r.json);
	return r.json;
}

/* Follows a dotted path with [i] indexes; "" is the root. */
static const cJSON *
at(const cJSON *j, const char *path)
{
	char key[64];

	while (j != NULL && *path != '\0') {
		size_t n = strcspn(path, ".[");
		if (n > 0) {
			ck_assert_uint_lt(n, sizeof(key));
			memcpy(key, path, n);
			key[n] = '\0';
			j = cJSON_GetObjectItemCaseSensitive(j, key);
			path += n;
		} else if (*path == '[') {
			char *end;
			long i = strtol(path + 1, &end, 10);
			j = cJSON_GetArrayItem(j, (int)i);
			path = end + 1;
		}
		if (*path == '.')
			path++;
	}
	return j;
}

static double
num(const cJSON *j, const char *path)
{
	const cJSON *v = at(j, path);

	ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", path);
	return v->valuedouble;
}

static const char *
str(const cJSON *j, const char *path)
{
	const cJSON *v = at(j, path);

	ck_assert_msg(cJSON_IsString(v), "%s is not a string", path);
	return v->valuestring;
}

static int
is_null(const cJSON *j, const char *path)
{
	return cJSON_IsNull(at(j, path));
}

static int
size(const cJSON *j, const char *path)
{
	const cJSON *v = at(j, path);

	ck_assert_msg(cJSON_IsArray(v) || cJSON_IsObject(v),
	    "%s is not an array or object", path);
	return cJSON_GetArraySize(v);
}

/* Checks a CoinGecko error reply {"error": msg}. */
static void
check_error(const struct ms_route *route, const char *uri, int status,
    const char *msg)
{
	cJSON *j = get(route, uri, status);

	ck_assert_msg(cJSON_GetArraySize(j) == 1, "%s: more than error", uri);
	ck_assert_str_eq(str(j, "error"), msg);
	cJSON_Delete(j);
}

#define ck_rel(a, b) ck_assert_msg(fabs((double)(a) - (double)(b)) <= \
	1e-9 * fabs((double)(b)) + 1e-12, "%.12g != %.12g", (double)(a), \
	(double)(b))

START_TEST(test_ping_and_currencies)
{
	struct reply r;
	cJSON *j = get(ms_route_cg_ping, "/api/v3/ping", 200);

	ck_assert_str_eq(str(j, "gecko_says"), "(V3) To the Moon!");
	cJSON_Delete(j);
	j = get(ms_route_cg_ping, "/api/v3/ping?x_cg_demo_api_key=abc", 200);
	cJSON_Delete(j);
	j = get(ms_route_cg_simple_supported_vs_currencies,
	    "/api/v3/simple/supported_vs_currencies?x_cg_pro_api_key=k", 200);
	ck_assert_int_eq(size(j, ""), 1);
	ck_assert_str_eq(str(j, "[0]"), "usd");
	cJSON_Delete(j);

	call(ms_route_cg_ping, "HEAD", "/api/v3/ping", &r);
	ck_assert_int_eq(r.status, 200);
	cJSON_Delete(r.json);
	/* A key the route does not know is the runtime's problem. */
	call(ms_route_cg_ping, "GET", "/api/v3/ping?bogus=1", &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(r.content_type, MS_CONTENT_TYPE_PROBLEM);
	cJSON_Delete(r.json);
	call(ms_route_cg_ping, "POST", "/api/v3/ping", &r);
	ck_assert_int_eq(r.status, 405);
	cJSON_Delete(r.json);
}
END_TEST

START_TEST(test_simple_price)
{
	cJSON *j = get(ms_route_cg_simple_price,
	    "/api/v3/simple/price?ids=ripple,bitcoin,nope,deadcoin"
	    "&vs_currencies=usd&include_market_cap=true&include_24hr_vol=true"
	    "&include_24hr_change=true&include_last_updated_at=true", 200);

	ck_assert_int_eq(size(j, ""), 3);
	ck_rel(num(j, "ripple.usd"), 1.39);
	ck_rel(num(j, "ripple.usd_market_cap"), 1.39e9);
	ck_rel(num(j, "ripple.usd_24h_vol"), 40000);
	ck_rel(num(j, "ripple.usd_24h_change"), 100 * 0.01 / 1.38);
	ck_assert_int_eq((int64_t)num(j, "ripple.last_updated_at"), L_MS / 1000);
	ck_rel(num(j, "bitcoin.usd"), 178);
	ck_rel(num(j, "bitcoin.usd_market_cap"), 3.56e9);
	/* A dead coin keeps its last price, dated by last_updated_at. */
	ck_rel(num(j, "deadcoin.usd"), 0.1);
	ck_assert_int_eq((int64_t)num(j, "deadcoin.last_updated_at"),
	    L_MS / 1000 - 35 * 86400);
	ck_assert_ptr_null(at(j, "nope"));
	cJSON_Delete(j);

	/* Only the asked fields; vs_currencies may carry others. */
	j = get(ms_route_cg_simple_price,
	    "/api/v3/simple/price?ids=RIPPLE&vs_currencies=eur,usd", 200);
	ck_assert_int_eq(size(j, "ripple"), 1);
	ck_rel(num(j, "ripple.usd"), 1.39);
	cJSON_Delete(j);

	/* Symbols: the larger ALP (alpine, 9e6) unless include_tokens=all. */
	j = get(ms_route_cg_simple_price,
	    "/api/v3/simple/price?symbols=alp,btc&vs_currencies=usd", 200);
	ck_assert_int_eq(size(j, ""), 2);
	ck_rel(num(j, "alp.usd"), 0.9);
	ck_rel(num(j, "btc.usd"), 178);
	cJSON_Delete(j);
	j = get(ms_route_cg_simple_price, "/api/v3/simple/price?symbols=alp"
	    "&include_tokens=all&vs_currencies=usd&include_24hr_vol=true", 200);
	ck_assert_int_eq(size(j, ""), 2);
	ck_rel(num(j, "alpine.usd"), 0.9);
	ck_rel(num(j, "alpha.usd"), 0.5);
	ck_assert(is_null(j, "alpha.usd_24h_vol"));
	cJSON_Delete(j);
	/* Names; ids win over names and symbols. */
	j = get(ms_route_cg_simple_price,
	    "/api/v3/simple/price?names=Alpha%20Coin&vs_currencies=usd", 200);
	ck_rel(num(j, "alpha coin.usd"), 0.5);
	cJSON_Delete(j);
	j = get(ms_route_cg_simple_price, "/api/v3/simple/price?ids=bitcoin"
	    "&symbols=xrp&vs_currencies=usd", 200);
	ck_assert_int_eq(size(j, ""), 1);
	ck_assert_ptr_nonnull(at(j, "bitcoin"));
	cJSON_Delete(j);
	/* precision rounds the price only; unknown market cap is null. */
	j = get(ms_route_cg_simple_price, "/api/v3/simple/price?ids=ripple,nocap"
	    "&vs_currencies=usd&precision=1&include_market_cap=true", 200);
	ck_rel(num(j, "ripple.usd"), 1.4);
	ck_rel(num(j, "ripple.usd_market_cap"), 1.39e9);
	ck_assert(is_null(j, "nocap.usd_market_cap"));
	cJSON_Delete(j);

	check_error(ms_route_cg_simple_price, "/api/v3/simple/price?ids=ripple",
	    422, "Missing parameter vs_currencies");
	check_error(ms_route_cg_simple_price,
	    "/api/v3/simple/price?ids=ripple&vs_currencies=eur", 400,
	    "invalid vs_currencies");
	check_error(ms_route_cg_simple_price,
	    "/api/v3/simple/price?vs_currencies=usd", 422,
	    "Missing parameter ids");
	check_error(ms_route_cg_simple_price, "/api/v3/simple/price?ids=ripple"
	    "&vs_currencies=usd&include_market_cap=yes", 400,
	    "invalid include_market_cap");
	check_error(ms_route_cg_simple_price, "/api/v3/simple/price?ids=ripple"
	    "&vs_currencies=usd&precision=19", 400, "invalid precision");
	check_error(ms_route_cg_simple_price, "/api/v3/simple/price?ids=ripple"
	    "&vs_currencies=usd&include_tokens=some", 400,
	    "invalid include_tokens");
}
END_TEST

START_TEST(test_coins_list)
{
	cJSON *j = get(ms_route_cg_coins_list, "/api/v3/coins/list", 200);

	/* Listed on L, by id; deadcoin is not. */
	ck_assert_int_eq(size(j, ""), 5);
	ck_assert_str_eq(str(j, "[0].id"), "alpha");
	ck_assert_str_eq(str(j, "[0].symbol"), "alp");
	ck_assert_str_eq(str(j, "[0].name"), "Alpha Coin");
	ck_assert_str_eq(str(j, "[4].id"), "ripple");
	ck_assert_ptr_null(at(j, "[0].platforms"));
	cJSON_Delete(j);
	j = get(ms_route_cg_coins_list,
	    "/api/v3/coins/list?include_platform=true&status=inactive", 200);
	ck_assert_int_eq(size(j, ""), 1);
	ck_assert_str_eq(str(j, "[0].id"), "deadcoin");
	ck_assert_int_eq(size(j, "[0].platforms"), 0);
	cJSON_Delete(j);
	check_error(ms_route_cg_coins_list, "/api/v3/coins/list?status=dead",
	    400, "invalid status");
}
END_TEST

START_TEST(test_coins_markets_values)
{
	cJSON *j = get(ms_route_cg_coins_markets,
	    "/api/v3/coins/markets?vs_currency=usd", 200);
	const cJSON *x;

	ck_assert_int_eq(size(j, ""), 5);
	ck_assert_str_eq(str(j, "[0].id"), "bitcoin");
	ck_assert_str_eq(str(j, "[1].id"), "ripple");
	ck_assert_str_eq(str(j, "[2].id"), "alpine");
	ck_assert_str_eq(str(j, "[3].id"), "alpha");
	ck_assert_str_eq(str(j, "[4].id"), "nocap");
	ck_assert_int_eq((int)num(j, "[0].market_cap_rank"), 1);
	ck_assert_int_eq((int)num(j, "[3].market_cap_rank"), 4);
	ck_assert(is_null(j, "[4].market_cap_rank"));
	ck_assert(is_null(j, "[4].market_cap"));

	x = at(j, "[1]");
	ck_assert_str_eq(str(x, "symbol"), "xrp");
	ck_assert_str_eq(str(x, "name"), "XRP");
	ck_assert(is_null(x, "image"));
	ck_rel(num(x, "current_price"), 1.39);
	ck_rel(num(x, "market_cap"), 1.39e9);
	ck_rel(num(x, "total_volume"), 40000);
	ck_rel(num(x, "high_24h"), 1.41);
	ck_rel(num(x, "low_24h"), 1.37);
	ck_assert(fabs(num(x, "price_change_24h") - 0.01) < 1e-12);
	ck_rel(num(x, "price_change_percentage_24h"), 100 * 0.01 / 1.38);
	ck_rel(num(x, "market_cap_change_24h"), 1e7);
	ck_rel(num(x, "market_cap_change_percentage_24h"), 100 * 0.01 / 1.38);
	ck_rel(num(x, "circulating_supply"), 1e9);
	ck_assert(is_null(x, "fully_diluted_valuation"));
	ck_assert(is_null(x, "total_supply"));
	ck_assert(is_null(x, "max_supply"));
	ck_assert(is_null(x, "roi"));
	ck_rel(num(x, "ath"), 5.0);
	ck_rel(num(x, "ath_change_percentage"), 100 * (1.39 - 5.0) / 5.0);
	ck_assert_str_eq(str(x, "ath_date"), "2018-01-04T00:00:00.000Z");
	ck_rel(num(x, "atl"), 0.5);
	ck_rel(num(x, "atl_change_percentage"), 100 * (1.39 - 0.5) / 0.5);
	ck_assert_str_eq(str(x, "atl_date"), "2018-01-11T00:00:00.000Z");
	ck_assert_str_eq(str(x, "last_updated"), "2018-02-10T00:00:00.000Z");
	ck_assert_ptr_null(at(x, "sparkline_in_7d"));
	ck_assert_ptr_null(at(x, "price_change_percentage_7d_in_currency"));

	/* Close-only alpha: no high/low; ATL/ATH from closes; volume unknown. */
	x = at(j, "[3]");
	ck_assert(is_null(x, "high_24h"));
	ck_assert(is_null(x, "low_24h"));
	ck_assert(is_null(x, "total_volume"));
	ck_rel(num(x, "ath"), 0.5);
	ck_rel(num(x, "atl"), 0.5);
	ck_assert_str_eq(str(x, "atl_date"), "2018-01-01T00:00:00.000Z");
	ck_rel(num(x, "price_change_percentage_24h"), 0);
	cJSON_Delete(j);

	j = get(ms_route_cg_coins_markets, "/api/v3/coins/markets?vs_currency=usd"
	    "&ids=ripple&sparkline=true&price_change_percentage=1h,7d,30d,1y,x"
	    "&precision=1", 200);
	ck_assert_int_eq(size(j, ""), 1);
	ck_rel(num(j, "[0].current_price"), 1.4);
	ck_rel(num(j, "[0].high_24h"), 1.4);
	/* Closes of days 32..39: 1.32 .. 1.39, rounded to 1 decimal. */
	ck_assert_int_eq(size(j, "[0].sparkline_in_7d.price"), 8);
	ck_rel(num(j, "[0].sparkline_in_7d.price[0]"), 1.3);
	ck_rel(num(j, "[0].sparkline_in_7d.price[7]"), 1.4);
	ck_assert(is_null(j, "[0].price_change_percentage_1h_in_currency"));
	ck_rel(num(j, "[0].price_change_percentage_7d_in_currency"),
	    100 * (1.39 - 1.32) / 1.32);
	ck_rel(num(j, "[0].price_change_percentage_30d_in_currency"),
	    100 * (1.39 - 1.09) / 1.09);
	ck_assert(is_null(j, "[0].price_change_percentage_1y_in_currency"));
	ck_assert_ptr_null(at(j, "[0].price_change_percentage_24h_in_currency"));
	cJSON_Delete(j);
}
END_TEST

/* The ids of a markets answer, joined with ','. */
static void
ids_of(const struct ms_route *route, const char *uri, const char *want)
{
	cJSON *j = get(route, uri, 200), *it;
	char got[256] = "";
	size_t len = 0;

	cJSON_ArrayForEach(it, j) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
		int n = snprintf(got + len, sizeof(got) - len, "%s%s",
		    len ? "," : "", cJSON_IsString(id) ? id->valuestring : "?");
		ck_assert(n > 0 && (size_t)n < sizeof(got) - len);
		len += (size_t)n;
	}
	ck_assert_msg(strcmp(got, want) == 0, "%s: got %s, want %s", uri, got,
	    want);
	cJSON_Delete(j);
}

START_TEST(test_coins_markets_order_filter_page)
{
	const struct ms_route *m = ms_route_cg_coins_markets;
	static const char *const cases[][2] = {
		{ "", "bitcoin,ripple,alpine,alpha,nocap" },
		{ "&order=market_cap_asc", "alpha,alpine,ripple,bitcoin,nocap" },
		{ "&order=gecko_desc", "bitcoin,ripple,alpine,alpha,nocap" },
		/* Unknown volume (alpha) last in both directions. */
		{ "&order=volume_desc", "bitcoin,ripple,nocap,alpine,alpha" },
		{ "&order=volume_asc", "alpine,nocap,ripple,bitcoin,alpha" },
		{ "&order=id_asc", "alpha,alpine,bitcoin,nocap,ripple" },
		{ "&order=id_desc", "ripple,nocap,bitcoin,alpine,alpha" },
		{ "&per_page=2", "bitcoin,ripple" },
		{ "&per_page=2&page=2", "alpine,alpha" },
		{ "&per_page=2&page=3", "nocap" },
		{ "&per_page=2&page=4", "" },
		{ "&per_page=250&page=1000000", "" },
		{ "&category=meme", "alpha,nocap" },
		{ "&category=layer-1&order=id_asc", "bitcoin,ripple" },
		{ "&category=none", "" },
		{ "&ids=nocap,RIPPLE,zzz", "ripple,nocap" },
		{ "&symbols=alp", "alpine" },
		{ "&symbols=alp&include_tokens=all", "alpine,alpha" },
		{ "&symbols=alp,xrp&order=id_asc", "alpine,ripple" },
		{ "&names=alpha%20coin,no%20cap", "alpha,nocap" },
		{ "&ids=bitcoin&symbols=xrp", "bitcoin" },
		{ "&ids=deadcoin", "" },
		{ "&locale=en&include_rehypothecated=false&x_cg_pro_api_key=k",
		  "bitcoin,ripple,alpine,alpha,nocap" },
	};
	char uri[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(uri, sizeof(uri), "/api/v3/coins/markets?vs_currency=usd%s",
		    cases[i][0]);
		ids_of(m, uri, cases[i][1]);
	}
	check_error(m, "/api/v3/coins/markets", 422,
	    "Missing parameter vs_currency");
	check_error(m, "/api/v3/coins/markets?vs_currency=eur", 400,
	    "invalid vs_currency");
	check_error(m, "/api/v3/coins/markets?vs_currency=usd&per_page=0", 400,
	    "invalid per_page");
	check_error(m, "/api/v3/coins/markets?vs_currency=usd&per_page=251", 400,
	    "invalid per_page");
	check_error(m, "/api/v3/coins/markets?vs_currency=usd&page=0", 400,
	    "invalid page");
	check_error(m, "/api/v3/coins/markets?vs_currency=usd&page=1x", 400,
	    "invalid page");
	check_error(m, "/api/v3/coins/markets?vs_currency=usd&order=price", 400,
	    "invalid order");
	check_error(m, "/api/v3/coins/markets?vs_currency=usd&sparkline=1", 400,
	    "invalid sparkline");
}
END_TEST

START_TEST(test_coin)
{
	cJSON *j = get(ms_route_cg_coin,
	    "/api/v3/coins/Ripple?include_categories_details=true&sparkline=true",
	    200);

	ck_assert_str_eq(str(j, "id"), "ripple");
	ck_assert_str_eq(str(j, "symbol"), "xrp");
	ck_assert_str_eq(str(j, "web_slug"), "ripple");
	ck_assert_int_eq(size(j, "categories"), 2);
	ck_assert_str_eq(str(j, "categories[0]"), "Layer 1 (L1)");
	ck_assert_str_eq(str(j, "categories[1]"), "Payments");
	ck_assert_str_eq(str(j, "categories_details[1].id"), "payments");
	ck_assert_str_eq(str(j, "localization.en"), "XRP");
	ck_assert_int_eq(size(j, "platforms"), 0);
	ck_assert_int_eq(size(j, "description"), 0);
	ck_assert_int_eq(size(j, "tickers"), 0);
	ck_assert_int_eq(size(j, "links.homepage"), 0);
	ck_assert(is_null(j, "image.large"));
	ck_assert(is_null(j, "genesis_date"));
	ck_assert_int_eq((int)num(j, "market_cap_rank"), 2);
	ck_assert_str_eq(str(j, "last_updated"), "2018-02-10T00:00:00.000Z");
	ck_rel(num(j, "market_data.current_price.usd"), 1.39);
	ck_rel(num(j, "market_data.market_cap.usd"), 1.39e9);
	ck_rel(num(j, "market_data.total_volume.usd"), 40000);
	ck_rel(num(j, "market_data.high_24h.usd"), 1.41);
	ck_rel(num(j, "market_data.ath.usd"), 5.0);
	ck_assert_str_eq(str(j, "market_data.ath_date.usd"),
	    "2018-01-04T00:00:00.000Z");
	ck_rel(num(j, "market_data.atl.usd"), 0.5);
	ck_rel(num(j, "market_data.price_change_percentage_7d"),
	    100 * (1.39 - 1.32) / 1.32);
	ck_rel(num(j, "market_data.price_change_percentage_14d_in_currency.usd"),
	    100 * (1.39 - 1.25) / 1.25);
	/* 60 days back is before the first bar (and beyond 6 days of slack). */
	ck_assert(is_null(j, "market_data.price_change_percentage_60d"));
	ck_assert(is_null(j,
	    "market_data.price_change_percentage_1h_in_currency.usd"));
	ck_assert(is_null(j, "market_data.fully_diluted_valuation.usd"));
	ck_rel(num(j, "market_data.market_cap_change_24h"), 1e7);
	ck_rel(num(j, "market_data.circulating_supply"), 1e9);
	ck_assert_int_eq((int)num(j, "market_data.market_cap_rank"), 2);
	ck_assert_int_eq(size(j, "market_data.sparkline_7d.price"), 8);
	cJSON_Delete(j);

	/* Flags drop parts; a dead coin has no rank. */
	j = get(ms_route_cg_coin, "/api/v3/coins/deadcoin?localization=false"
	    "&tickers=false&market_data=false&community_data=false", 200);
	ck_assert_ptr_null(at(j, "localization"));
	ck_assert_ptr_null(at(j, "tickers"));
	ck_assert_ptr_null(at(j, "market_data"));
	ck_assert(is_null(j, "market_cap_rank"));
	ck_assert_str_eq(str(j, "last_updated"), "2018-01-06T00:00:00.000Z");
	cJSON_Delete(j);

	/* Ids only: a symbol is not a coin id. */
	check_error(ms_route_cg_coin, "/api/v3/coins/xrp", 404, "coin not found");
	check_error(ms_route_cg_coin, "/api/v3/coins/no%20such", 404,
	    "coin not found");
	check_error(ms_route_cg_coin, "/api/v3/coins/ripple?tickers=no", 400,
	    "invalid tickers");
}
END_TEST

START_TEST(test_market_chart)
{
	const struct ms_route *mc = ms_route_cg_market_chart;
	const int64_t day = 86400000;
	cJSON *j = get(mc, "/api/v3/coins/ripple/market_chart?vs_currency=usd"
	    "&days=1", 200);

	/* days=1: the points at now - 1 day and now. */
	ck_assert_int_eq(size(j, ""), 3);
	ck_assert_int_eq(size(j, "prices"), 2);
	ck_assert_int_eq((int64_t)num(j, "prices[0][0]"), L_MS - day);
	ck_rel(num(j, "prices[0][1]"), 1.38);
	ck_assert_int_eq((int64_t)num(j, "prices[1][0]"), L_MS);
	ck_rel(num(j, "prices[1][1]"), 1.39);
	ck_rel(num(j, "market_caps[1][1]"), 1.39e9);
	ck_rel(num(j, "total_volumes[1][1]"), 40000);
	cJSON_Delete(j);

	j = get(mc, "/api/v3/coins/ripple/market_chart?vs_currency=usd&days=7"
	    "&interval=daily", 200);
	ck_assert_int_eq(size(j, "prices"), 8);
	cJSON_Delete(j);
	j = get(mc, "/api/v3/coins/ripple/market_chart?vs_currency=usd&days=max",
	    200);
	ck_assert_int_eq(size(j, "prices"), NDAYS);
	ck_assert_int_eq((int64_t)num(j, "prices[0][0]"),
	    L_MS - (NDAYS - 1) * day);
	cJSON_Delete(j);
	j = get(mc, "/api/v3/coins/ripple/market_chart?vs_currency=usd"
	    "&days=100000", 200);
	ck_assert_int_eq(size(j, "prices"), NDAYS);
	cJSON_Delete(j);
	/* An unknown value is left out of its series only. */
	j = get(mc, "/api/v3/coins/alpha/market_chart?vs_currency=usd&days=1",
	    200);
	ck_assert_int_eq(size(j, "prices"), 2);
	ck_assert_int_eq(size(j, "total_volumes"), 1);
	cJSON_Delete(j);
	j = get(mc, "/api/v3/coins/nocap/market_chart?vs_currency=usd&days=1",
	    200);
	ck_assert_int_eq(size(j, "market_caps"), 0);
	cJSON_Delete(j);
	j = get(mc, "/api/v3/coins/ripple/market_chart?vs_currency=usd&days=1"
	    "&precision=0", 200);
	ck_rel(num(j, "prices[1][1]"), 1);
	cJSON_Delete(j);

	check_error(mc, "/api/v3/coins/xrp/market_chart?vs_currency=usd&days=1",
	    404, "coin not found");
	check_error(mc, "/api/v3/coins/ripple/market_chart?vs_currency=usd",
	    422, "Missing parameter days");
	check_error(mc, "/api/v3/coins/ripple/market_chart?days=1", 422,
	    "Missing parameter vs_currency");
	check_error(mc, "/api/v3/coins/ripple/market_chart?vs_currency=btc"
	    "&days=1", 400, "invalid vs_currency");
	check_error(mc, "/api/v3/coins/ripple/market_chart?vs_currency=usd"
	    "&days=0", 400, "invalid days");
	check_error(mc, "/api/v3/coins/ripple/market_chart?vs_currency=usd"
	    "&days=1.5", 400, "invalid days");
	check_error(mc, "/api/v3/coins/ripple/market_chart?vs_currency=usd"
	    "&days=1&interval=hourly", 400, "invalid interval");
}
END_TEST

START_TEST(test_market_chart_range)
{
	const struct ms_route *r = ms_route_cg_market_chart_range;
	cJSON *j;

	/* Closes whose instant is in [2018-01-02T00:00, 2018-01-03T00:00]:
	 * the bars of 2018-01-01 and 2018-01-02. */
	j = get(r, "/api/v3/coins/ripple/market_chart/range?vs_currency=usd"
	    "&from=2018-01-02&to=2018-01-03T00:00", 200);
	ck_assert_int_eq(size(j, "prices"), 2);
	ck_assert_int_eq((int64_t)num(j, "prices[0][0]"), 1514851200000LL);
	ck_rel(num(j, "prices[0][1]"), 1.0);
	ck_rel(num(j, "prices[1][1]"), 1.01);
	cJSON_Delete(j);
	/* The same in UNIX seconds; one second less excludes the second. */
	j = get(r, "/api/v3/coins/ripple/market_chart/range?vs_currency=usd"
	    "&from=1514851200&to=1514937599.9", 200);
	ck_assert_int_eq(size(j, "prices"), 1);
	cJSON_Delete(j);
	j = get(r, "/api/v3/coins/ripple/market_chart/range?vs_currency=usd"
	    "&from=0&to=4102444800", 200);
	ck_assert_int_eq(size(j, "prices"), NDAYS);
	cJSON_Delete(j);
	j = get(r, "/api/v3/coins/ripple/market_chart/range?vs_currency=usd"
	    "&from=2019-01-01&to=2019-02-01", 200);
	ck_assert_int_eq(size(j, "prices"), 0);
	cJSON_Delete(j);

	check_error(r, "/api/v3/coins/ripple/market_chart/range?vs_currency=usd"
	    "&to=1", 422, "Missing parameter from");
	check_error(r, "/api/v3/coins/ripple/market_chart/range?vs_currency=usd"
	    "&from=1", 422, "Missing parameter to");
	check_error(r, "/api/v3/coins/ripple/market_chart/range?vs_currency=usd"
	    "&from=2018-02-30&to=1", 400, "invalid from");
	check_error(r, "/api/v3/coins/ripple/market_chart/range?vs_currency=usd"
	    "&from=100&to=99", 400, "invalid to");
	check_error(r, "/api/v3/coins/nope/market_chart/range?vs_currency=usd"
	    "&from=1&to=2", 404, "coin not found");
}
END_TEST

START_TEST(test_ohlc)
{
	const struct ms_route *o = ms_route_cg_ohlc;
	const int64_t day = 86400000;
	cJSON *j;

	/* days 1..30: one candle per bar, the last `days` days. */
	j = get(o, "/api/v3/coins/ripple/ohlc?vs_currency=usd&days=7", 200);
	ck_assert_int_eq(size(j, ""), 7);
	ck_assert_int_eq((int64_t)num(j, "[0][0]"), L_MS - 6 * day);
	ck_rel(num(j, "[0][1]"), 1.325);
	ck_rel(num(j, "[0][2]"), 1.35);
	ck_rel(num(j, "[0][3]"), 1.31);
	ck_rel(num(j, "[0][4]"), 1.33);
	ck_assert_int_eq((int64_t)num(j, "[6][0]"), L_MS);
	cJSON_Delete(j);
	j = get(o, "/api/v3/coins/ripple/ohlc?vs_currency=usd&days=1", 200);
	ck_assert_int_eq(size(j, ""), 1);
	cJSON_Delete(j);

	/* days >= 90: 4-day candles ending on L, L-4, ..., 3 (days 0..3). */
	j = get(o, "/api/v3/coins/ripple/ohlc?vs_currency=usd&days=90", 200);
	ck_assert_int_eq(size(j, ""), 10);
	ck_assert_int_eq((int64_t)num(j, "[0][0]"), L_MS - 36 * day);
	ck_rel(num(j, "[0][1]"), 0.995);
	ck_rel(num(j, "[0][2]"), 5.0);
	ck_rel(num(j, "[0][3]"), 0.98);
	ck_rel(num(j, "[0][4]"), 1.03);
	/* Days 8..11 hold the 0.5 low of day 10. */
	ck_rel(num(j, "[2][3]"), 0.5);
	ck_assert_int_eq((int64_t)num(j, "[9][0]"), L_MS);
	ck_rel(num(j, "[9][1]"), 1.355);
	ck_rel(num(j, "[9][4]"), 1.39);
	cJSON_Delete(j);
	j = get(o, "/api/v3/coins/ripple/ohlc?vs_currency=usd&days=max"
	    "&precision=1", 200);
	ck_assert_int_eq(size(j, ""), 10);
	ck_rel(num(j, "[0][1]"), 1.0);
	cJSON_Delete(j);
	j = get(o, "/api/v3/coins/ripple/ohlc?vs_currency=usd&days=max"
	    "&interval=daily", 200);
	ck_assert_int_eq(size(j, ""), NDAYS);
	cJSON_Delete(j);
	/* A close-only coin: open, high and low unknown. */
	j = get(o, "/api/v3/coins/alpha/ohlc?vs_currency=usd&days=14", 200);
	ck_assert_int_eq(size(j, ""), 14);
	ck_assert(is_null(j, "[0][1]"));
	ck_assert(is_null(j, "[0][2]"));
	ck_assert(is_null(j, "[0][3]"));
	ck_rel(num(j, "[0][4]"), 0.5);
	cJSON_Delete(j);

	check_error(o, "/api/v3/coins/ripple/ohlc?vs_currency=usd&days=2", 400,
	    "invalid days");
	check_error(o, "/api/v3/coins/ripple/ohlc?vs_currency=usd", 422,
	    "Missing parameter days");
	check_error(o, "/api/v3/coins/ripple/ohlc?vs_currency=usd&days=1"
	    "&interval=hourly", 400, "invalid interval");
	check_error(o, "/api/v3/coins/XRP/ohlc?vs_currency=usd&days=1", 404,
	    "coin not found");
}
END_TEST

START_TEST(test_categories)
{
	cJSON *j = get(ms_route_cg_categories_list,
	    "/api/v3/coins/categories/list", 200);

	ck_assert_int_eq(size(j, ""), 4);
	ck_assert_str_eq(str(j, "[0].category_id"), "layer-1");
	ck_assert_str_eq(str(j, "[0].name"), "Layer 1 (L1)");
	ck_assert_str_eq(str(j, "[1].category_id"), "meme");
	ck_assert_str_eq(str(j, "[2].name"), "Payments");
	ck_assert_str_eq(str(j, "[3].category_id"), "store-of-value");
	cJSON_Delete(j);

	j = get(ms_route_cg_categories, "/api/v3/coins/categories", 200);
	ck_assert_int_eq(size(j, ""), 4);
	ck_assert_str_eq(str(j, "[0].id"), "layer-1");
	ck_assert_str_eq(str(j, "[0].name"), "Layer 1 (L1)");
	ck_rel(num(j, "[0].market_cap"), 3.56e9 + 1.39e9);
	ck_rel(num(j, "[0].market_cap_change_24h"),
	    100 * ((3.56e9 + 1.39e9) - (3.52e9 + 1.38e9)) / (3.52e9 + 1.38e9));
	ck_rel(num(j, "[0].volume_24h"), 1e6 + 40000);
	ck_assert_int_eq(size(j, "[0].top_3_coins_id"), 2);
	ck_assert_str_eq(str(j, "[0].top_3_coins_id[0]"), "bitcoin");
	ck_assert_str_eq(str(j, "[0].top_3_coins_id[1]"), "ripple");
	ck_assert_int_eq(size(j, "[0].top_3_coins"), 0);
	ck_assert(is_null(j, "[0].content"));
	ck_assert_str_eq(str(j, "[0].updated_at"), "2018-02-10T00:00:00.000Z");
	ck_assert_str_eq(str(j, "[1].id"), "store-of-value");
	ck_assert_str_eq(str(j, "[2].id"), "payments");
	ck_assert_str_eq(str(j, "[3].id"), "meme");
	/* meme: alpha's 5e6 (nocap has none); volumes: nocap's 30 only. */
	ck_rel(num(j, "[3].market_cap"), 5e6);
	ck_rel(num(j, "[3].market_cap_change_24h"), 0);
	ck_rel(num(j, "[3].volume_24h"), 30);
	cJSON_Delete(j);

	ids_of(ms_route_cg_categories,
	    "/api/v3/coins/categories?order=name_asc",
	    "layer-1,meme,payments,store-of-value");
	ids_of(ms_route_cg_categories,
	    "/api/v3/coins/categories?order=market_cap_asc",
	    "meme,payments,store-of-value,layer-1");
	/* Change: meme 0 < payments 100/138 < layer-1 100/98 <
	 * store-of-value 100/88 (percent). */
	ids_of(ms_route_cg_categories,
	    "/api/v3/coins/categories?order=market_cap_change_24h_asc",
	    "meme,payments,layer-1,store-of-value");
	ids_of(ms_route_cg_categories,
	    "/api/v3/coins/categories?order=market_cap_change_24h_desc",
	    "store-of-value,layer-1,payments,meme");
	ids_of(ms_route_cg_categories,
	    "/api/v3/coins/categories?order=name_desc",
	    "store-of-value,payments,meme,layer-1");
	check_error(ms_route_cg_categories,
	    "/api/v3/coins/categories?order=volume_desc", 400, "invalid order");
}
END_TEST

START_TEST(test_global)
{
	cJSON *j = get(ms_route_cg_global, "/api/v3/global", 200);
	double total = 3.56e9 + 1.39e9 + 9e6 + 5e6;
	double before = 3.52e9 + 1.38e9 + 9e6 + 5e6;

	ck_assert_int_eq(size(j, ""), 1);
	ck_assert_int_eq((int)num(j, "data.active_cryptocurrencies"), 5);
	ck_rel(num(j, "data.total_market_cap.usd"), total);
	ck_rel(num(j, "data.total_volume.usd"), 1e6 + 40000 + 20 + 30);
	ck_assert_int_eq(size(j, "data.market_cap_percentage"), 4);
	ck_rel(num(j, "data.market_cap_percentage.btc"), 100 * 3.56e9 / total);
	ck_rel(num(j, "data.market_cap_percentage.xrp"), 100 * 1.39e9 / total);
	ck_rel(num(j, "data.market_cap_percentage.alp"), 100 * 9e6 / total);
	/* alpha's symbol ALP is taken by the larger alpine: keyed by id. */
	ck_rel(num(j, "data.market_cap_percentage.alpha"), 100 * 5e6 / total);
	ck_rel(num(j, "data.market_cap_change_percentage_24h_usd"),
	    100 * (total - before) / before);
	/* Volumes on both days: bitcoin, ripple, alpine, nocap. */
	ck_rel(num(j, "data.volume_change_percentage_24h_usd"),
	    100 * 1000.0 / (1e6 + 39000 + 20 + 30));
	ck_assert_int_eq((int64_t)num(j, "data.updated_at"), L_MS / 1000);
	ck_assert(is_null(j, "data.markets"));
	ck_assert(is_null(j, "data.ongoing_icos"));
	cJSON_Delete(j);
}
END_TEST

/* Every route on an empty store, and with the store unavailable. */
START_TEST(test_limits_empty_and_missing_store)
{
	static const struct { const struct ms_route *const *r; const char *uri,
	    *body; } cases[] = {
		{ &ms_route_cg_coins_markets,
		  "/api/v3/coins/markets?vs_currency=usd", "[]" },
		{ &ms_route_cg_coins_list, "/api/v3/coins/list", "[]" },
		{ &ms_route_cg_simple_price,
		  "/api/v3/simple/price?ids=bitcoin&vs_currencies=usd", "{}" },
		{ &ms_route_cg_categories, "/api/v3/coins/categories", "[]" },
		{ &ms_route_cg_categories_list, "/api/v3/coins/categories/list",
		  "[]" },
	};
	char empty[300], missing[300];
	struct ms_store *st;
	cJSON *j;

	snprintf(empty, sizeof(empty), "%s.empty", db_path);
	remove_store(empty);
	ck_assert_int_eq(ms_store_open(empty, MS_STORE_RW, &st), 0);
	ms_store_close(st);
	setenv(MS_STORE_ENV, empty, 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text;

		j = get(*cases[i].r, cases[i].uri, 200);
		text = cJSON_PrintUnformatted(j);
		ck_assert_str_eq(text, cases[i].body);
		cJSON_free(text);
		cJSON_Delete(j);
	}
	j = get(ms_route_cg_global, "/api/v3/global", 200);
	ck_assert_int_eq((int)num(j, "data.active_cryptocurrencies"), 0);
	ck_assert(is_null(j, "data.total_market_cap.usd"));
	ck_assert(is_null(j, "data.updated_at"));
	cJSON_Delete(j);
	check_error(ms_route_cg_coin, "/api/v3/coins/bitcoin", 404,
	    "coin not found");
	remove_store(empty);

	snprintf(missing, sizeof(missing), "%s.missing", db_path);
	setenv(MS_STORE_ENV, missing, 1);
	check_error(ms_route_cg_coins_markets,
	    "/api/v3/coins/markets?vs_currency=usd", 503,
	    "the data store is not available; try again later");
	setenv(MS_STORE_ENV, db_path, 1);
}
END_TEST

START_TEST(test_limits_parse_time)
{
	static const struct { const char *in; int ok; int64_t secs; } cases[] = {
		{ "0", 1, 0 },
		{ "1519862400", 1, 1519862400 },
		{ "1519862400.75", 1, 1519862400 },
		{ "4102444800", 1, 4102444800LL },
		{ "4102444801", 0, 0 },
		{ "99999999999", 0, 0 },
		{ "2018-03-01", 1, 1519862400 },
		{ "2018-03-01T12:30", 1, 1519862400 + 45000 },
		{ "2018-03-01T12:30:15", 1, 1519862400 + 45015 },
		{ "2018-03-01T12:30:15Z", 1, 1519862400 + 45015 },
		{ "2018-03-01Z", 1, 1519862400 },
		{ "1970-01-01", 1, 0 },
		{ "2099-12-31", 1, 4102358400LL },
		{ "", 0, 0 },
		{ "1e9", 0, 0 },
		{ "-1", 0, 0 },
		{ "+1", 0, 0 },
		{ " 1", 0, 0 },
		{ "1 ", 0, 0 },
		{ "12.", 0, 0 },
		{ "12.3x", 0, 0 },
		{ "0x10", 0, 0 },
		{ "2018-02-30", 0, 0 },
		{ "1969-12-31", 0, 0 },
		{ "2100-01-01", 0, 0 },
		{ "2018-3-01", 0, 0 },
		{ "2018-03-01T24:00", 0, 0 },
		{ "2018-03-01T12", 0, 0 },
		{ "2018-03-01T12:60", 0, 0 },
		{ "2018-03-01 12:30", 0, 0 },
		{ "2018-03-01T12:30+01:00", 0, 0 },
		{ "today", 0, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t secs = -7;
		int rc = ms_cg_parse_time(cases[i].in, &secs);

		ck_assert_msg((rc == 0) == cases[i].ok, "'%s': rc %d", cases[i].in,
		    rc);
		if (cases[i].ok)
			ck_assert_msg(secs == cases[i].secs, "'%s': %lld",
			    cases[i].in, (long long)secs);
		else
			ck_assert_int_eq(secs, -7);
	}
	ck_assert_int_ne(ms_cg_parse_time(NULL, &(int64_t){ 0 }), 0);
}
END_TEST

START_TEST(test_limits_helpers)
{
	const char *items[4];
	char buf[32];
	int n;

	n = ms_cg_split(" a, b ,,c,", buf, sizeof(buf), items, 4);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(items[0], "a");
	ck_assert_str_eq(items[1], "b");
	ck_assert_str_eq(items[2], "c");
	ck_assert_int_eq(ms_cg_split(",,", buf, sizeof(buf), items, 4), 0);
	ck_assert_int_eq(ms_cg_split("a,b,c,d,e", buf, sizeof(buf), items, 4),
	    -1);
	ck_assert_int_eq(ms_cg_split("0123456789012345678901234567890123",
	    buf, sizeof(buf), items, 4), -1);

	ck_rel(ms_cg_round(1.2345, 2), 1.23);
	ck_rel(ms_cg_round(1.235001, 2), 1.24);
	ck_rel(ms_cg_round(123.5, 0), 124);
	ck_rel(ms_cg_round(1.2345, -1), 1.2345);
	ck_rel(ms_cg_round(1e20, 18), 1e20);
	ck_assert(isnan(ms_cg_round(NAN, 2)));
	ck_rel(ms_cg_pct(110, 100), 10);
	ck_assert(isnan(ms_cg_pct(1, 0)));
	ck_assert(isnan(ms_cg_pct(NAN, 1)));
	ck_assert(isnan(ms_cg_pct(1, -1)));
	ck_assert_int_eq(ms_cg_close_ms(ms_date_from_ymd(2018, 2, 9)), L_MS);
	ms_cg_close_iso(ms_date_from_ymd(2018, 12, 31), buf);
	ck_assert_str_eq(buf, "2019-01-01T00:00:00.000Z");
	ck_assert_str_eq(ms_cg_category_name("meme"), "Meme");
	ck_assert_str_eq(ms_cg_category_name("unheard-of"), "unheard-of");
	ms_cg_lower("AbC", buf, 3);
	ck_assert_str_eq(buf, "ab");
}
END_TEST

/* Overlong or malformed input stays the runtime's problem; ours is CG. */
START_TEST(test_limits_params)
{
	const struct ms_route *m = ms_route_cg_coins_markets;
	char uri[1100];
	struct reply r;
	size_t n;

	/* 500 ids is the limit; the query-string limit (4096) comes first
	 * for long ids, so use one-letter ones. */
	n = (size_t)snprintf(uri, sizeof(uri), "/api/v3/coins/markets?"
	    "vs_currency=usd&ids=a");
	for (int i = 1; i < 501; i++) {
		ck_assert_uint_lt(n + 3, sizeof(uri));
		memcpy(uri + n, ",a", 3);
		n += 2;
	}
	check_error(m, uri, 400, "invalid ids");
	call(m, "GET", "/api/v3/coins/markets?vs_currency=usd&per_page=1"
	    "&per_page=2", &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(r.content_type, MS_CONTENT_TYPE_PROBLEM);
	cJSON_Delete(r.json);
	check_error(m, "/api/v3/coins/markets?vs_currency=usd&per_page=-1", 400,
	    "invalid per_page");
	check_error(m, "/api/v3/coins/markets?vs_currency=usd&per_page=%2B5",
	    400, "invalid per_page");
	check_error(m, "/api/v3/coins/markets?vs_currency=usd&per_page=9999999",
	    400, "invalid per_page");
	check_error(m, "/api/v3/coins/markets?vs_currency=usd"
	    "&page=99999999999999999999", 400, "invalid page");
	/* Over its 8 bytes, per_page is refused by the runtime. */
	call(m, "GET", "/api/v3/coins/markets?vs_currency=usd"
	    "&per_page=999999999", &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(r.content_type, MS_CONTENT_TYPE_PROBLEM);
	cJSON_Delete(r.json);
	check_error(m, "/api/v3/coins/markets?vs_currency=USD&precision=full"
	    "&page=1000001", 400, "invalid page");
}
END_TEST

Suite *make_cg_suite(void);

/*
 * as_of (a Moonscope extension): 2018-01-03 (i = 2) is "now". ripple
 * closes 1.02 with an ATH of 1.04 (the 5.0 of i = 3 is not known yet),
 * bitcoin 104; deadcoin (bars i = 0..4) is still listed.
 */
START_TEST(test_as_of)
{
	static const char *const bad[] = {
		"/api/v3/simple/price?ids=ripple&vs_currencies=usd&as_of=2018-1-3",
		"/api/v3/simple/price?ids=ripple&vs_currencies=usd&as_of=2018-02-30",
		"/api/v3/simple/price?ids=ripple&vs_currencies=usd&as_of=2008-12-31",
		"/api/v3/simple/price?ids=ripple&vs_currencies=usd&as_of=20180103",
		"/api/v3/simple/price?ids=ripple&vs_currencies=usd&as_of=2018-01-03x",
	};
	int64_t close_ms = ms_cg_close_ms(ms_date_from_ymd(2018, 1, 3));
	cJSON *j = get(ms_route_cg_simple_price, "/api/v3/simple/price?"
	    "ids=ripple,bitcoin&vs_currencies=usd&include_last_updated_at=true"
	    "&as_of=2018-01-03", 200);

	ck_rel(num(j, "ripple.usd"), 1.02);
	ck_rel(num(j, "bitcoin.usd"), 104);
	ck_assert_int_eq((int64_t)num(j, "ripple.last_updated_at"),
	    close_ms / 1000);
	cJSON_Delete(j);
	j = get(ms_route_cg_coins_markets, "/api/v3/coins/markets?"
	    "vs_currency=usd&as_of=2018-01-03", 200);
	ck_assert_int_eq(size(j, ""), 6);
	ck_assert_str_eq(str(j, "[0].id"), "bitcoin");
	ck_assert_str_eq(str(j, "[1].id"), "ripple");
	ck_rel(num(j, "[1].ath"), 1.04);
	ck_assert_str_eq(str(j, "[4].id"), "deadcoin");
	ck_assert_int_eq((int64_t)num(j, "[4].market_cap_rank"), 5);
	cJSON_Delete(j);
	j = get(ms_route_cg_coins_list, "/api/v3/coins/list?status=inactive"
	    "&as_of=2018-01-03", 200);
	ck_assert_int_eq(size(j, ""), 0);
	cJSON_Delete(j);
	j = get(ms_route_cg_coin, "/api/v3/coins/ripple?as_of=2018-01-03", 200);
	ck_rel(num(j, "market_data.current_price.usd"), 1.02);
	ck_rel(num(j, "market_data.ath.usd"), 1.04);
	cJSON_Delete(j);
	j = get(ms_route_cg_market_chart, "/api/v3/coins/ripple/market_chart?"
	    "vs_currency=usd&days=max&as_of=2018-01-03", 200);
	ck_assert_int_eq(size(j, "prices"), 3);
	ck_assert_int_eq((int64_t)num(j, "prices[2][0]"), close_ms);
	cJSON_Delete(j);
	j = get(ms_route_cg_market_chart_range, "/api/v3/coins/ripple/"
	    "market_chart/range?vs_currency=usd&from=2018-01-01&to=2018-03-01"
	    "&as_of=2018-01-03", 200);
	ck_assert_int_eq(size(j, "prices"), 3);
	cJSON_Delete(j);
	j = get(ms_route_cg_ohlc, "/api/v3/coins/ripple/ohlc?vs_currency=usd"
	    "&days=max&interval=daily&as_of=2018-01-03", 200);
	ck_assert_int_eq(size(j, ""), 3);
	cJSON_Delete(j);
	j = get(ms_route_cg_global, "/api/v3/global?as_of=2018-01-03", 200);
	ck_assert_int_eq((int64_t)num(j, "data.active_cryptocurrencies"), 6);
	ck_assert_int_eq((int64_t)num(j, "data.updated_at"), close_ms / 1000);
	cJSON_Delete(j);
	j = get(ms_route_cg_categories, "/api/v3/coins/categories?"
	    "as_of=2018-01-03", 200);
	ck_assert_int_gt(size(j, ""), 0);
	cJSON_Delete(j);
	/* Before the first bar: the answers of an empty store. */
	j = get(ms_route_cg_simple_price, "/api/v3/simple/price?ids=ripple"
	    "&vs_currencies=usd&as_of=2017-12-31", 200);
	ck_assert_int_eq(size(j, ""), 0);
	cJSON_Delete(j);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_error(ms_route_cg_simple_price, bad[i], 400,
		    "invalid as_of");
	check_error(ms_route_cg_coins_markets, "/api/v3/coins/markets?"
	    "vs_currency=usd&as_of=today", 400, "invalid as_of");
}
END_TEST

Suite *
make_cg_suite(void)
{
	Suite *s = suite_create("cg");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");

	tcase_add_checked_fixture(core, setup, teardown);
	tcase_set_timeout(core, 30);
	tcase_add_test(core, test_ping_and_currencies);
	tcase_add_test(core, test_simple_price);
	tcase_add_test(core, test_coins_list);
	tcase_add_test(core, test_coins_markets_values);
	tcase_add_test(core, test_coins_markets_order_filter_page);
	tcase_add_test(core, test_coin);
	tcase_add_test(core, test_market_chart);
	tcase_add_test(core, test_market_chart_range);
	tcase_add_test(core, test_ohlc);
	tcase_add_test(core, test_categories);
	tcase_add_test(core, test_global);
	tcase_add_test(core, test_as_of);
	suite_add_tcase(s, core);
	tcase_add_checked_fixture(limits, setup, teardown);
	tcase_set_timeout(limits, 30);
	tcase_add_test(limits, test_limits_empty_and_missing_store);
	tcase_add_test(limits, test_limits_parse_time);
	tcase_add_test(limits, test_limits_helpers);
	tcase_add_test(limits, test_limits_params);
	suite_add_tcase(s, limits);
	return s;
}
