/*
 * check_routes.c — the /v1 route handlers, called directly through
 * ms_handle() on a small hand-made store whose answers are worked out by
 * hand below. Integration tests (tests/integration) repeat the important
 * cases through real web servers.
 *
 * The fixture (all prices in USD, days from 2018-01-01 = day index 0):
 *   ripple / XRP, source fix_a (priority 10), days 0..99:
 *       close = 1 + 0.01 i, open = close - 0.005, high = 1.1 close,
 *       low = 0.9 close, volume = 1000 (i + 1), market_cap = 1e9 close
 *     source fix_b (priority 30): days 0..9 with close 5 (must lose to
 *       fix_a), and day 100 (2018-04-11) with close 2.5 (served: only one)
 *   alpha-coin / ALP, fix_a, days 0..59, close 0.5, market_cap 5e6
 *   alpine / ALP, fix_a, days 0..59, close 0.9, market_cap 9e6
 *   deadcoin / DEAD, fix_a, days 0..9, close 0.1 (then stops)
 *   nocap / NCP, fix_a, days 0..59, close 2, market_cap unknown
 *   oldsym / OLD, fix_a, days 0..4, close 1, market_cap unknown
 *   newsym / OLD, fix_a, days 20..24, close 1, market_cap unknown
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <cJSON.h>

#include "ms_date.h"
#include "ms_http.h"
#include "ms_record.h"
#include "ms_store.h"
#include "testutil.h"

extern const struct ms_route *const ms_route_v1_health;
extern const struct ms_route *const ms_route_v1_assets;
extern const struct ms_route *const ms_route_v1_asset;
extern const struct ms_route *const ms_route_v1_asset_ohlcv;
extern const struct ms_route *const ms_route_v1_price;
extern const struct ms_route *const ms_route_not_found;
extern const struct ms_route *const ms_route_v1_market;
extern const struct ms_route *const ms_route_v1_grades;
extern const struct ms_route *const ms_route_v1_moonshots;
extern const struct ms_route *const ms_route_v1_moonshots_past;
extern const struct ms_route *const ms_route_v1_forecasts;
extern const struct ms_route *const ms_route_v1_target;
extern const struct ms_route *const ms_route_v1_signals;
extern const struct ms_route *const ms_route_v1_quantmetrics;

static char db_path[256];

/* Builds the fixture store described at the top, at path. */
static void
build_fixture(const char *path)
{
	struct ms_store *st;
	int64_t a, b;
	int32_t d0 = ms_date_from_ymd(2018, 1, 1);
	sqlite3 *db;

	unlink(path);
	ck_assert_int_eq(ms_store_open(path, MS_STORE_RW, &st), 0);
	db = ms_store_db(st);
	ck_assert_int_eq(ms_store_begin(st), 0);
	ck_assert_int_eq(ms_store_source(st, "fix_a", 10, "close at 23:59 UTC",
	    0, "fixture source A", &a), 0);
	ck_assert_int_eq(ms_store_source(st, "fix_b", 30, "close at 23:59 UTC",
	    0, "fixture source B", &b), 0);
	tu_insert_asset(db, 1, "ripple", "XRP", "XRP", "payments,layer-1");
	tu_insert_asset(db, 2, "alpha-coin", "ALP", "Alpha Coin", "");
	tu_insert_asset(db, 3, "alpine", "ALP", "Alpine", "");
	tu_insert_asset(db, 4, "deadcoin", "DEAD", "Dead Coin", "");
	tu_insert_asset(db, 5, "nocap", "NCP", "No Cap", "");
	tu_insert_asset(db, 6, "oldsym", "OLD", "Old Symbol", "");
	tu_insert_asset(db, 7, "newsym", "OLD", "New Symbol", "");
	for (int i = 0; i < 100; i++) {
		double c = 1 + 0.01 * i;
		tu_insert_bar(db, 1, a, d0 + i, c - 0.005, 1.1 * c, 0.9 * c, c,
		    1000.0 * (i + 1), 1e9 * c);
	}
	for (int i = 0; i < 10; i++)
		tu_insert_bar(db, 1, b, d0 + i, 5, 5, 5, 5, 1, 5e9);
	tu_insert_bar(db, 1, b, d0 + 100, NAN, NAN, NAN, 2.5, NAN, 2.5e9);
	for (int i = 0; i < 60; i++) {
		tu_insert_bar(db, 2, a, d0 + i, 0.5, 0.5, 0.5, 0.5, 10, 5e6);
		tu_insert_bar(db, 3, a, d0 + i, 0.9, 0.9, 0.9, 0.9, 20, 9e6);
		tu_insert_bar(db, 5, a, d0 + i, 2, 2, 2, 2, 30, NAN);
	}
	for (int i = 0; i < 10; i++)
		tu_insert_bar(db, 4, a, d0 + i, 0.1, 0.1, 0.1, 0.1, 5, 1e5);
	for (int i = 0; i < 5; i++) {
		tu_insert_bar(db, 6, a, d0 + i, 1, 1, 1, 1, 1, NAN);
		tu_insert_bar(db, 7, a, d0 + 20 + i, 1, 1, 1, 1, 1, NAN);
	}
	for (int64_t id = 1; id <= 7; id++)
		ck_assert_int_eq(ms_store_rebuild_daily(st, id), 0);
	ck_assert_int_eq(ms_store_bump_version(st), 0);
	ck_assert_int_eq(ms_store_commit(st), 0);
	ms_store_close(st);
}

static void
setup(void)
{
	snprintf(db_path, sizeof(db_path), "/tmp/ms_check_routes_%ld.db",
	    (long)getpid());
	build_fixture(db_path);
	setenv(MS_STORE_ENV, db_path, 1);
}

static void
teardown(void)
{
	char p[300];

	unlink(db_path);
	snprintf(p, sizeof(p), "%s-wal", db_path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", db_path);
	unlink(p);
}

struct reply {
	int status;
	cJSON *json;
	char allow[128];
	char content_type[64];
};

/*
 * Runs one request through ms_handle with ctx, or with a fresh context
 * (closed afterwards) when ctx is NULL.
 */
static void
call_ctx(struct ms_ctx *shared_ctx, const struct ms_route *route,
    const char *method, const char *uri, struct reply *out)
{
	char e_method[64], e_uri[1200], e_qs[1200];
	char *envp[] = { e_method, e_uri, e_qs,
		(char *)(uintptr_t)"HTTP_X_REQUEST_ID=test-req", NULL };
	const char *q = strchr(uri, '?');
	struct ms_ctx own, *ctx = shared_ctx ? shared_ctx : &own;
	struct ms_response res;

	snprintf(e_method, sizeof(e_method), "REQUEST_METHOD=%s", method);
	snprintf(e_uri, sizeof(e_uri), "REQUEST_URI=%s", uri);
	snprintf(e_qs, sizeof(e_qs), "QUERY_STRING=%s", q ? q + 1 : "");
	if (shared_ctx == NULL)
		ms_ctx_init(&own);
	ms_response_init(&res);
	ms_handle(ctx, route, envp, &res);
	out->status = res.status;
	out->json = res.body.len ? cJSON_ParseWithLength(res.body.data,
	    res.body.len) : NULL;
	out->allow[0] = '\0';
	for (size_t i = 0; i < res.n_headers; i++)
		if (strcmp(res.headers[i].name, "Allow") == 0)
			snprintf(out->allow, sizeof(out->allow), "%s",
			    res.headers[i].value);
	snprintf(out->content_type, sizeof(out->content_type), "%s",
	    res.content_type ? res.content_type : "");
	ms_response_free(&res);
	if (shared_ctx == NULL)
		ms_ctx_free(&own);
}

static void
call(const struct ms_route *route, const char *method, const char *uri,
    struct reply *out)
{
	call_ctx(NULL, route, method, uri, out);
}

/* Follows a dotted path with [i] indexes, e.g. "data.change.d7". */
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

#define ck_rel(a, b) ck_assert_msg(fabs((a) - (b)) <= 1e-9 * fabs(b) + 1e-12, \
	"%.12g != %.12g", (double)(a), (double)(b))

START_TEST(test_health)
{
	struct reply r;

	call(ms_route_v1_health, "GET", "/v1/health", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(str(r.json, "data.status"), "ok");
	ck_assert_str_eq(str(r.json, "data.data.first_date"), "2018-01-01");
	ck_assert_str_eq(str(r.json, "data.data.last_date"), "2018-04-11");
	ck_assert_int_eq((int)num(r.json, "data.data.assets"), 7);
	ck_assert_int_eq((int)num(r.json, "data.data.bars"), 101 + 60 * 3 + 10 + 10);
	ck_assert_int_eq((int)num(r.json, "data.schema_version"), MS_SCHEMA_VERSION);
	ck_assert_str_eq(str(r.json, "meta.request_id"), "test-req");
	cJSON_Delete(r.json);

	call(ms_route_v1_health, "GET", "/v1/health?as_of=2018-01-05", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(str(r.json, "data.data.last_date"), "2018-01-05");
	ck_assert_int_eq((int)num(r.json, "data.data.bars"), 5 * 6);
	cJSON_Delete(r.json);
}
END_TEST

START_TEST(test_asset_values)
{
	struct reply r;
	double c = 1.30;

	call(ms_route_v1_asset, "GET", "/v1/assets/ripple?as_of=2018-01-31", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(str(r.json, "data.id"), "ripple");
	ck_assert_str_eq(str(r.json, "data.symbol"), "XRP");
	ck_assert_str_eq(str(r.json, "data.date"), "2018-01-31");
	ck_rel(num(r.json, "data.close"), c);
	ck_rel(num(r.json, "data.open"), c - 0.005);
	ck_rel(num(r.json, "data.market_cap"), 1e9 * c);
	ck_rel(num(r.json, "data.supply"), 1e9);
	ck_rel(num(r.json, "data.change.d1"), c / 1.29 - 1);
	ck_rel(num(r.json, "data.change.d7"), c / 1.23 - 1);
	/* 30 days back is 2018-01-01, where fix_a (1.00) beats fix_b (5). */
	ck_rel(num(r.json, "data.change.d30"), c / 1.00 - 1);
	ck_assert(is_null(r.json, "data.change.d90"));
	ck_rel(num(r.json, "data.ath.price"), 1.1 * c);
	ck_assert_str_eq(str(r.json, "data.ath.date"), "2018-01-31");
	ck_rel(num(r.json, "data.ath.drawdown"), 1 / 1.1 - 1);
	ck_assert_str_eq(str(r.json, "data.first_date"), "2018-01-01");
	ck_assert_str_eq(str(r.json, "data.source"), "fix_a");
	ck_assert_str_eq(str(r.json, "data.resolved_by"), "id");
	ck_assert_str_eq(str(r.json, "data.categories[1]"), "layer-1");
	ck_assert_str_eq(str(r.json, "meta.as_of"), "2018-01-31");
	ck_assert_str_eq(str(r.json, "meta.source"), "fix_a");
	ck_assert(cJSON_IsFalse(at(r.json, "meta.synthetic")));
	cJSON_Delete(r.json);

	/* Latest: the last day comes only from fix_b. */
	call(ms_route_v1_asset, "GET", "/v1/assets/XRP", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(str(r.json, "data.date"), "2018-04-11");
	ck_rel(num(r.json, "data.close"), 2.5);
	ck_assert_str_eq(str(r.json, "data.source"), "fix_b");
	ck_assert_str_eq(str(r.json, "data.resolved_by"), "symbol");
	ck_assert(is_null(r.json, "data.open"));
	/*
	 * fix_b's last bar has no high, so its close (2.5) counts, and beats
	 * the 1.1 * 1.99 high of 2018-04-10.
	 */
	ck_rel(num(r.json, "data.ath.price"), 2.5);
	ck_assert_str_eq(str(r.json, "data.ath.date"), "2018-04-11");
	ck_rel(num(r.json, "data.change.d90"), 2.5 / 1.10 - 1);
	cJSON_Delete(r.json);
}
END_TEST

START_TEST(test_asset_symbol_ambiguous_and_dead)
{
	struct reply r;

	call(ms_route_v1_asset, "GET", "/v1/assets/alp?as_of=2018-02-01", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(str(r.json, "data.id"), "alpine");
	ck_assert_str_eq(str(r.json, "data.resolved_by"), "symbol");
	ck_assert_str_eq(str(r.json, "data.candidates[0]"), "alpine");
	ck_assert_str_eq(str(r.json, "data.candidates[1]"), "alpha-coin");
	cJSON_Delete(r.json);

	call(ms_route_v1_asset, "GET", "/v1/assets/deadcoin?as_of=2018-03-01", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(str(r.json, "data.date"), "2018-01-10");
	ck_assert_int_eq((int)num(r.json, "data.stale_days"), 50);
	cJSON_Delete(r.json);

	/*
	 * Neither OLD asset has a market cap or a recent bar on 2018-03-31:
	 * the one with the more recent bar wins (regression: the older,
	 * dead one used to win by internal id).
	 */
	call(ms_route_v1_asset, "GET", "/v1/assets/old?as_of=2018-03-31", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(str(r.json, "data.id"), "newsym");
	ck_assert_str_eq(str(r.json, "data.candidates[1]"), "oldsym");
	cJSON_Delete(r.json);

	call(ms_route_v1_asset, "GET", "/v1/assets/nocap", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert(is_null(r.json, "data.market_cap"));
	ck_assert(is_null(r.json, "data.supply"));
	cJSON_Delete(r.json);
}
END_TEST

START_TEST(test_asset_problems)
{
	struct reply r;

	call(ms_route_v1_asset, "GET", "/v1/assets/nosuchcoin", &r);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(r.content_type, "application/problem+json");
	ck_assert_str_eq(str(r.json, "type"),
	    MS_PROBLEM_BASE "asset-not-found");
	cJSON_Delete(r.json);

	call(ms_route_v1_asset, "GET", "/v1/assets/ripple?as_of=2017-12-31", &r);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(str(r.json, "type"), MS_PROBLEM_BASE "no-data");
	cJSON_Delete(r.json);

	call(ms_route_v1_asset, "GET", "/v1/assets/ripple?as_of=2018-02-30", &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(str(r.json, "invalid_params[0].name"), "as_of");
	cJSON_Delete(r.json);

	call(ms_route_v1_asset, "POST", "/v1/assets/ripple", &r);
	ck_assert_int_eq(r.status, 405);
	ck_assert_str_eq(r.allow, "GET, HEAD");
	cJSON_Delete(r.json);

	call(ms_route_v1_asset, "GET", "/v1/assets/ripple?foo=1", &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(str(r.json, "invalid_params[0].name"), "foo");
	cJSON_Delete(r.json);
}
END_TEST

START_TEST(test_assets_list)
{
	struct reply r;

	/* As of 2018-03-01 deadcoin (last bar 2018-01-10) is not listed. */
	call(ms_route_v1_assets, "GET", "/v1/assets?as_of=2018-03-01", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq((int)num(r.json, "meta.pagination.total"), 4);
	ck_assert_str_eq(str(r.json, "data[0].id"), "ripple");
	ck_assert_str_eq(str(r.json, "data[1].id"), "alpine");
	ck_assert_str_eq(str(r.json, "data[2].id"), "alpha-coin");
	ck_assert_str_eq(str(r.json, "data[3].id"), "nocap");  /* null last */
	ck_rel(num(r.json, "data[0].change_24h"), 1.59 / 1.58 - 1);
	cJSON_Delete(r.json);

	call(ms_route_v1_assets, "GET",
	    "/v1/assets?as_of=2018-01-05&max_market_cap=1e7&sort=symbol", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq((int)num(r.json, "meta.pagination.total"), 3);
	ck_assert_str_eq(str(r.json, "data[0].id"), "alpha-coin");
	ck_assert_str_eq(str(r.json, "data[1].id"), "alpine");
	ck_assert_str_eq(str(r.json, "data[2].id"), "deadcoin");
	cJSON_Delete(r.json);

	call(ms_route_v1_assets, "GET", "/v1/assets?q=alp&limit=1&page=2", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq((int)num(r.json, "meta.pagination.total"), 0);
	cJSON_Delete(r.json);

	call(ms_route_v1_assets, "GET",
	    "/v1/assets?q=alp&limit=1&page=2&as_of=2018-02-01", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq((int)num(r.json, "meta.pagination.total"), 2);
	ck_assert_int_eq((int)num(r.json, "meta.pagination.pages"), 2);
	ck_assert_str_eq(str(r.json, "data[0].id"), "alpha-coin");
	cJSON_Delete(r.json);

	call(ms_route_v1_assets, "GET", "/v1/assets?category=LAYER-1&as_of=2018-02-01", &r);
	ck_assert_int_eq((int)num(r.json, "meta.pagination.total"), 1);
	cJSON_Delete(r.json);

	call(ms_route_v1_assets, "GET", "/v1/assets?min_market_cap=5&max_market_cap=4", &r);
	ck_assert_int_eq(r.status, 400);
	cJSON_Delete(r.json);

	call(ms_route_v1_assets, "GET", "/v1/assets?limit=501", &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(str(r.json, "invalid_params[0].name"), "limit");
	cJSON_Delete(r.json);
}
END_TEST

START_TEST(test_ohlcv)
{
	struct reply r;

	call(ms_route_v1_asset_ohlcv, "GET",
	    "/v1/assets/ripple/ohlcv?from=2018-01-01&as_of=2018-01-03", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(at(r.json, "data.bars")), 3);
	ck_rel(num(r.json, "data.bars[2].close"), 1.02);
	ck_assert_str_eq(str(r.json, "data.bars[2].source"), "fix_a");
	cJSON_Delete(r.json);

	/*
	 * ISO weeks: 2018-01-01 is a Monday. Week 2 = days 7..13:
	 * open 1.07 - 0.005, high 1.1 * 1.13, low 0.9 * 1.07, close 1.13,
	 * volume 1000 * (8 + ... + 14) = 77000.
	 */
	call(ms_route_v1_asset_ohlcv, "GET",
	    "/v1/assets/ripple/ohlcv?interval=week&from=2018-01-01&to=2018-01-20", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(at(r.json, "data.bars")), 3);
	ck_assert_str_eq(str(r.json, "data.bars[1].date"), "2018-01-08");
	ck_rel(num(r.json, "data.bars[1].open"), 1.065);
	ck_rel(num(r.json, "data.bars[1].high"), 1.1 * 1.13);
	ck_rel(num(r.json, "data.bars[1].low"), 0.9 * 1.07);
	ck_rel(num(r.json, "data.bars[1].close"), 1.13);
	ck_rel(num(r.json, "data.bars[1].volume"), 77000.0);
	ck_assert_int_eq((int)num(r.json, "data.bars[1].days"), 7);
	ck_assert_int_eq((int)num(r.json, "data.bars[2].days"), 6);
	ck_assert_str_eq(str(r.json, "data.bars[2].last_date"), "2018-01-20");
	cJSON_Delete(r.json);

	/* Months: January has 31 bars, April 10 from fix_a + 1 from fix_b. */
	call(ms_route_v1_asset_ohlcv, "GET",
	    "/v1/assets/ripple/ohlcv?interval=month", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(at(r.json, "data.bars")), 4);
	ck_assert_int_eq((int)num(r.json, "data.bars[0].days"), 31);
	ck_assert_int_eq((int)num(r.json, "data.bars[3].days"), 11);
	ck_rel(num(r.json, "data.bars[3].close"), 2.5);
	ck_rel(num(r.json, "data.bars[3].high"), 1.1 * 1.99);
	ck_assert_str_eq(str(r.json, "meta.source"), "fix_a, fix_b");
	cJSON_Delete(r.json);

	call(ms_route_v1_asset_ohlcv, "GET",
	    "/v1/assets/ripple/ohlcv?from=2018-02-01&to=2018-01-01", &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(str(r.json, "invalid_params[0].name"), "from");
	cJSON_Delete(r.json);

	call(ms_route_v1_asset_ohlcv, "GET",
	    "/v1/assets/ripple/ohlcv?interval=hour", &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(str(r.json, "invalid_params[0].name"), "interval");
	cJSON_Delete(r.json);
}
END_TEST

START_TEST(test_price)
{
	struct reply r;

	call(ms_route_v1_price, "GET",
	    "/v1/price?symbols=xrp,alp,nope&as_of=2018-01-02", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(at(r.json, "data")), 3);
	ck_assert_str_eq(str(r.json, "data[0].id"), "ripple");
	ck_rel(num(r.json, "data[0].price"), 1.01);
	ck_assert_str_eq(str(r.json, "data[1].id"), "alpine");
	ck_assert_str_eq(str(r.json, "data[1].resolved_by"), "symbol");
	ck_assert_str_eq(str(r.json, "data[2].error"), "not_found");
	ck_assert(is_null(r.json, "data[2].id"));
	cJSON_Delete(r.json);

	call(ms_route_v1_price, "GET", "/v1/price", &r);
	ck_assert_int_eq(r.status, 400);
	cJSON_Delete(r.json);

	call(ms_route_v1_price, "GET", "/v1/price?ids=a&symbols=b", &r);
	ck_assert_int_eq(r.status, 400);
	cJSON_Delete(r.json);

	call(ms_route_v1_price, "GET", "/v1/price?ids=nope1,nope2", &r);
	ck_assert_int_eq(r.status, 404);
	cJSON_Delete(r.json);
}
END_TEST

START_TEST(test_not_found)
{
	struct reply r;

	call(ms_route_not_found, "GET", "/v1/nope?x=1", &r);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(str(r.json, "type"), MS_PROBLEM_BASE "not-found");
	cJSON_Delete(r.json);
}
END_TEST

/*
 * Point-in-time: the answer as of D must not change when every row after
 * D is deleted from the store.
 */
static char *
body_without_volatile(const struct ms_route *route, const char *uri)
{
	struct reply r;
	cJSON *meta;
	char *s;

	call(route, "GET", uri, &r);
	ck_assert_int_eq(r.status, 200);
	meta = cJSON_GetObjectItemCaseSensitive(r.json, "meta");
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "data_version");
	s = cJSON_PrintUnformatted(r.json);
	cJSON_Delete(r.json);
	return s;
}

START_TEST(test_as_of_truncation)
{
	static const struct { const struct ms_route *const *route; const char *uri; } cases[] = {
		{ &ms_route_v1_asset, "/v1/assets/ripple?as_of=2018-02-15" },
		{ &ms_route_v1_asset, "/v1/assets/alp?as_of=2018-02-15" },
		{ &ms_route_v1_assets, "/v1/assets?as_of=2018-02-15&sort=change_24h" },
		{ &ms_route_v1_asset_ohlcv, "/v1/assets/ripple/ohlcv?interval=week&as_of=2018-02-15" },
		{ &ms_route_v1_asset_ohlcv, "/v1/assets/ripple/ohlcv?to=2018-12-31&as_of=2018-02-15" },
		{ &ms_route_v1_price, "/v1/price?ids=ripple,alpine,nocap&as_of=2018-02-15" },
		{ &ms_route_v1_health, "/v1/health?as_of=2018-02-15" },
		{ &ms_route_v1_market, "/v1/market?as_of=2018-02-15" },
		{ &ms_route_v1_forecasts, "/v1/forecasts/ripple?as_of=2018-02-15&horizon=90" },
		{ &ms_route_v1_target, "/v1/target?id=ripple&price=10&as_of=2018-02-15" },
		{ &ms_route_v1_signals, "/v1/signals?id=ripple&as_of=2018-02-15" },
		{ &ms_route_v1_quantmetrics, "/v1/quantmetrics?id=ripple&benchmark=alpine&as_of=2018-02-15" },
		{ &ms_route_v1_grades, "/v1/grades?as_of=2018-02-15" },
		{ &ms_route_v1_moonshots, "/v1/moonshots?as_of=2018-02-15&include_unknown_cap=true" },
	};
	size_t n = sizeof(cases) / sizeof(cases[0]);
	char *before[sizeof(cases) / sizeof(cases[0])];
	struct ms_store *st;
	char *err = NULL;

	for (size_t i = 0; i < n; i++)
		before[i] = body_without_volatile(*cases[i].route, cases[i].uri);

	ck_assert_int_eq(ms_store_open(db_path, MS_STORE_RW, &st), 0);
	ck_assert_int_eq(sqlite3_exec(ms_store_db(st),
	    "DELETE FROM bars WHERE day > 17577; DELETE FROM daily WHERE day > 17577;",
	    NULL, NULL, &err), SQLITE_OK);
	ms_store_close(st);
	ck_assert_int_eq(ms_date_from_ymd(2018, 2, 15), 17577);

	for (size_t i = 0; i < n; i++) {
		char *after = body_without_volatile(*cases[i].route, cases[i].uri);
		/* data_age_days depends on today, not on the data cut-off. */
		ck_assert_msg(strcmp(before[i], after) == 0,
		    "%s changed after truncation:\n%s\n%s", cases[i].uri,
		    before[i], after);
		free(after);
		free(before[i]);
	}
}
END_TEST

/*
 * As of 2018-02-01 (day 31): ripple closes 1.31 (cap 1.31e9), alpha-coin
 * 0.5 (5e6), alpine 0.9 (9e6), nocap 2 (cap unknown); deadcoin stopped.
 * Only ripple rose over 30 days (1.31 vs 1.01).
 */
START_TEST(test_market)
{
	struct reply r;
	double total = 1.31e9 + 5e6 + 9e6;

	call(ms_route_v1_market, "GET", "/v1/market?as_of=2018-02-01&top=2", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq((int)num(r.json, "data.assets"), 4);
	ck_assert_int_eq((int)num(r.json, "data.assets_with_market_cap"), 3);
	ck_rel(num(r.json, "data.total_market_cap"), total);
	ck_assert_int_eq(cJSON_GetArraySize(at(r.json, "data.dominance")), 2);
	ck_assert_str_eq(str(r.json, "data.dominance[0].id"), "ripple");
	ck_rel(num(r.json, "data.dominance[0].share"), 1.31e9 / total);
	ck_assert_str_eq(str(r.json, "data.dominance[1].id"), "alpine");
	ck_rel(num(r.json, "data.breadth.positive_roi_30d"), 0.25);
	cJSON_Delete(r.json);

	call(ms_route_v1_market, "GET", "/v1/market?top=0", &r);
	ck_assert_int_eq(r.status, 400);
	cJSON_Delete(r.json);
}
END_TEST

/*
 * Recording 2018-01-31: ripple is over $100M, nocap has no market cap,
 * deadcoin has no bar; the picks are alpha-coin and alpine, whose prices
 * never move (ROI 0). Their series end on 2018-03-01, so judged as of
 * 2018-04-01 (31 days later) both have died; as of 2018-03-31 not yet.
 */
START_TEST(test_record_and_past)
{
	struct ms_record_summary sum;
	struct ms_store *st;
	struct reply r;
	int32_t day = ms_date_from_ymd(2018, 1, 31);

	ck_assert_int_eq(ms_store_open(db_path, MS_STORE_RW, &st), 0);
	ck_assert_int_eq(ms_record_day(st, day, 20, &sum), 0);
	ck_assert_uint_eq(sum.picks, 2);
	ck_assert_uint_eq(sum.universe, 7);
	/* Idempotent: recording again gives the same rows. */
	ck_assert_int_eq(ms_record_day(st, day, 20, &sum), 0);
	ms_store_close(st);

	call(ms_route_v1_moonshots_past, "GET",
	    "/v1/moonshots/past?as_of=2018-04-01", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq((int)num(r.json, "data.summary.count"), 2);
	ck_assert_int_eq((int)num(r.json, "data.summary.died"), 2);
	ck_rel(num(r.json, "data.summary.win_rate"), 0.0);
	ck_rel(num(r.json, "data.summary.median_roi"), 0.0);
	ck_assert_str_eq(str(r.json, "data.picks[0].day"), "2018-01-31");
	ck_assert_str_eq(str(r.json, "data.picks[0].last_date"), "2018-03-01");
	ck_rel(num(r.json, "data.picks[0].roi_30d"), 0.0);
	ck_assert(is_null(r.json, "data.picks[0].roi_90d"));
	ck_assert(cJSON_IsTrue(at(r.json, "data.picks[0].died")));
	cJSON_Delete(r.json);

	call(ms_route_v1_moonshots_past, "GET",
	    "/v1/moonshots/past?as_of=2018-03-31", &r);
	ck_assert_int_eq((int)num(r.json, "data.summary.died"), 0);
	cJSON_Delete(r.json);

	/* Picks made after as_of are not shown. */
	call(ms_route_v1_moonshots_past, "GET",
	    "/v1/moonshots/past?as_of=2018-01-30", &r);
	ck_assert_int_eq((int)num(r.json, "data.summary.count"), 0);
	cJSON_Delete(r.json);

	call(ms_route_v1_moonshots_past, "GET",
	    "/v1/moonshots/past?from=2018-02-01&to=2018-01-01", &r);
	ck_assert_int_eq(r.status, 400);
	cJSON_Delete(r.json);

	/*
	 * Regression: purging a source whose assets have recorded picks
	 * failed on the foreign key. The picked assets (fix_a only) go, with
	 * their records.
	 */
	int64_t deleted;
	ck_assert_int_eq(ms_store_open(db_path, MS_STORE_RW, &st), 0);
	ck_assert_int_eq(ms_store_begin(st), 0);
	ck_assert_int_eq(ms_store_purge_source(st, "fix_a", &deleted), 0);
	ck_assert_int_eq(ms_store_commit(st), 0);
	ms_store_close(st);
	call(ms_route_v1_moonshots_past, "GET",
	    "/v1/moonshots/past?as_of=2018-04-01", &r);
	ck_assert_int_eq((int)num(r.json, "data.summary.count"), 0);
	cJSON_Delete(r.json);
}
END_TEST

/*
 * Migrations 3 and 4 bring a version-2 store (no running high, no
 * company table) up to date; migration 3 fills the running high of its
 * served series: the answers are the same as for a store built at
 * version 3.
 */
START_TEST(test_migration_fills_ath)
{
	struct ms_store *st;
	struct reply r;
	char *before, *after, *err = NULL;

	before = body_without_volatile(ms_route_v1_asset,
	    "/v1/assets/ripple?as_of=2018-03-15");
	ck_assert_int_eq(ms_store_open(db_path, MS_STORE_RW, &st), 0);
	ck_assert_int_eq(sqlite3_exec(ms_store_db(st),
	    "ALTER TABLE daily DROP COLUMN ath;"
	    "ALTER TABLE daily DROP COLUMN ath_day;"
	    "DROP TABLE companies;"
	    "DROP TABLE signal_records;"
	    "DROP TABLE forecast_records;"
	    "PRAGMA user_version = 2;", NULL, NULL, &err), SQLITE_OK);
	ms_store_close(st);
	ck_assert_int_eq(ms_store_open(db_path, MS_STORE_RW, &st), 0);
	ms_store_close(st);
	after = body_without_volatile(ms_route_v1_asset,
	    "/v1/assets/ripple?as_of=2018-03-15");
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	call(ms_route_v1_asset, "GET", "/v1/assets/ripple?as_of=2018-03-15", &r);
	ck_assert_str_eq(str(r.json, "data.ath.date"), "2018-03-15");
	cJSON_Delete(r.json);
}
END_TEST

/*
 * As of 2018-03-31 ripple closes 1.89 after 89 daily returns whose logs
 * sum to ln(1.89 / 1.00). The naive model's median is the last price;
 * the drift model's median is 1.89 * exp(30 * ln(1.89) / 89).
 */
START_TEST(test_forecasts)
{
	struct reply r;

	call(ms_route_v1_forecasts, "GET",
	    "/v1/forecasts/ripple?as_of=2018-03-31&model=naive", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(at(r.json, "data.forecasts")), 1);
	ck_rel(num(r.json, "data.price"), 1.89);
	ck_rel(num(r.json, "data.forecasts[0].quantiles.p50"), 1.89);
	ck_assert_int_eq((int)num(r.json, "data.forecasts[0].inputs.observations"), 89);
	ck_assert_str_eq(str(r.json, "data.target_date"), "2018-04-30");
	cJSON_Delete(r.json);

	call(ms_route_v1_forecasts, "GET",
	    "/v1/forecasts/ripple?as_of=2018-03-31&model=drift&levels=1.89,100", &r);
	ck_assert_int_eq(r.status, 200);
	ck_rel(num(r.json, "data.forecasts[0].inputs.mean_log_return"), log(1.89) / 89);
	ck_rel(num(r.json, "data.forecasts[0].quantiles.p50"),
	    1.89 * exp(30 * log(1.89) / 89));
	/* Positive drift: ending above today's price is more likely than not. */
	ck_assert(num(r.json, "data.forecasts[0].p_above[0].probability") > 0.5);
	ck_assert(num(r.json, "data.forecasts[0].p_above[1].probability") < 1e-6);
	cJSON_Delete(r.json);

	/* Not enough history on 2018-01-15 (14 returns). */
	call(ms_route_v1_forecasts, "GET", "/v1/forecasts/ripple?as_of=2018-01-15", &r);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(str(r.json, "type"), MS_PROBLEM_BASE "no-data");
	cJSON_Delete(r.json);

	call(ms_route_v1_forecasts, "GET", "/v1/forecasts/ripple?levels=1,abc", &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(str(r.json, "invalid_params[0].name"), "levels");
	cJSON_Delete(r.json);

	call(ms_route_v1_forecasts, "GET", "/v1/forecasts/ripple?horizon=0", &r);
	ck_assert_int_eq(r.status, 400);
	cJSON_Delete(r.json);
}
END_TEST

/*
 * As of 2018-03-31 ripple closes 1.89 with market cap 1.89e9 (supply
 * 1e9): a target of 18.9 is a 10x (+900 %) and implies 1.89e10. The
 * listed market: ripple 1.89e9 + alpha-coin 5e6 + alpine 9e6 (nocap's cap
 * is unknown; deadcoin is no longer listed).
 */
START_TEST(test_target)
{
	struct reply r;
	double total = 1.89e9 + 5e6 + 9e6;

	call(ms_route_v1_target, "GET",
	    "/v1/target?id=xrp&price=18.9&as_of=2018-03-31&horizons=365,30", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(str(r.json, "data.id"), "ripple");
	ck_rel(num(r.json, "data.required_multiple"), 10.0);
	ck_rel(num(r.json, "data.required_change_pct"), 900.0);
	ck_rel(num(r.json, "data.circulating_supply"), 1e9);
	ck_rel(num(r.json, "data.implied_market_cap"), 1.89e10);
	ck_rel(num(r.json, "data.crypto_market.total_market_cap"), total);
	ck_rel(num(r.json, "data.crypto_market.implied_vs_total"), 1.89e10 / total);
	ck_assert(is_null(r.json, "data.companies"));
	ck_assert(is_null(r.json, "data.implied_fully_diluted_value"));
	/* Horizons come back sorted; touching is at least as likely as ending above. */
	ck_assert_int_eq((int)num(r.json, "data.probabilities[0].horizons[0].days"), 30);
	for (int h = 0; h < 2; h++) {
		char tp[96], ap[96];
		snprintf(tp, sizeof(tp), "data.probabilities[1].horizons[%d].touch", h);
		snprintf(ap, sizeof(ap), "data.probabilities[1].horizons[%d].end_above", h);
		ck_assert(num(r.json, tp) >= num(r.json, ap));
		ck_assert(num(r.json, tp) >= 0 && num(r.json, tp) <= 1);
	}
	cJSON_Delete(r.json);

	/*
	 * Two company snapshots: 2017-01-01 (454 days before) and
	 * 2018-04-15 (15 days after): the nearest one is used, and said to
	 * postdate as_of. Its four largest: 5e12 + 3e12 + 2e12 + 1e12.
	 */
	struct ms_store *st;
	char *err = NULL;
	ck_assert_int_eq(ms_store_open(db_path, MS_STORE_RW, &st), 0);
	ck_assert_int_eq(sqlite3_exec(ms_store_db(st),
	    "INSERT INTO companies VALUES (17167, 1, 'Old Co', 'OLD', 9e12, 'X', 't');"
	    "INSERT INTO companies VALUES (17636, 1, 'A', 'A', 5e12, 'X', 't'),"
	    " (17636, 2, 'B', 'B', 3e12, 'X', 't'), (17636, 3, 'C', NULL, 2e12, 'X', 't'),"
	    " (17636, 4, 'D', 'D', 1e12, 'X', 't'), (17636, 5, 'E', 'E', 0.5e12, 'X', 't');",
	    NULL, NULL, &err), SQLITE_OK);
	ms_store_close(st);
	ck_assert_int_eq(ms_date_from_ymd(2018, 4, 15), 17636);
	ck_assert_int_eq(ms_date_from_ymd(2017, 1, 1), 17167);
	call(ms_route_v1_target, "GET",
	    "/v1/target?id=xrp&price=18.9&as_of=2018-03-31", &r);
	ck_assert_str_eq(str(r.json, "data.companies.snapshot_date"), "2018-04-15");
	ck_assert(cJSON_IsTrue(at(r.json, "data.companies.postdates_as_of")));
	ck_assert_int_eq(cJSON_GetArraySize(at(r.json, "data.companies.top")), 4);
	ck_rel(num(r.json, "data.companies.top_total"), 11e12);
	ck_rel(num(r.json, "data.companies.implied_vs_top_total"), 1.89e10 / 11e12);
	ck_rel(num(r.json, "data.companies.implied_vs_largest"), 1.89e10 / 5e12);
	ck_assert(is_null(r.json, "data.companies.top[2].symbol"));
	cJSON_Delete(r.json);

	call(ms_route_v1_target, "GET",
	    "/v1/target?id=xrp&price=18.9&as_of=2018-03-31&max_supply=2e9", &r);
	ck_rel(num(r.json, "data.implied_fully_diluted_value"), 18.9 * 2e9);
	cJSON_Delete(r.json);

	call(ms_route_v1_target, "GET", "/v1/target?id=xrp", &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(str(r.json, "invalid_params[0].name"), "price");
	cJSON_Delete(r.json);

	call(ms_route_v1_target, "GET", "/v1/target?id=xrp&price=5&horizons=30,30", &r);
	ck_assert_int_eq(r.status, 400);
	cJSON_Delete(r.json);

	call(ms_route_v1_target, "GET", "/v1/target?id=xrp&price=-5", &r);
	ck_assert_int_eq(r.status, 400);
	cJSON_Delete(r.json);
}
END_TEST

/*
 * ripple rises every day (close 1 + 0.01 i from 2018-01-01 = day 0). The
 * 50-day SMA exists from day 49 (2018-02-19), the 20-day momentum from
 * day 20, so the signal is long from day 49 on. Following it from the
 * default start (as_of - 365, before the data) buys once at day 49's
 * close (1.49) and holds to day 89 (1.89), paying 10 bps once; holding
 * from the first close (1.00) returns 0.89.
 */
START_TEST(test_signals)
{
	struct reply r;

	call(ms_route_v1_signals, "GET",
	    "/v1/signals?id=ripple&as_of=2018-03-31&limit=2", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq((int)num(r.json, "data.signal"), 1);
	ck_assert_str_eq(str(r.json, "data.position"), "long");
	ck_assert_str_eq(str(r.json, "data.trend"), "up");
	ck_assert_str_eq(str(r.json, "data.since"), "2018-02-19");
	ck_rel(num(r.json, "data.performance.strategy_return"),
	    1.89 / 1.49 * (1 - 0.001) - 1);
	ck_rel(num(r.json, "data.performance.hold_return"), 0.89);
	ck_assert_int_eq((int)num(r.json, "data.performance.trades"), 1);
	ck_assert_int_eq(cJSON_GetArraySize(at(r.json, "data.series")), 2);
	ck_assert_str_eq(str(r.json, "data.series[1].date"), "2018-03-30");
	cJSON_Delete(r.json);

	call(ms_route_v1_signals, "GET",
	    "/v1/signals?id=ripple&as_of=2018-03-31&fee_bps=0&from=2018-03-01", &r);
	ck_rel(num(r.json, "data.performance.strategy_return"), 1.89 / 1.59 - 1);
	cJSON_Delete(r.json);

	call(ms_route_v1_signals, "GET", "/v1/signals?id=ripple&fee_bps=-1", &r);
	ck_assert_int_eq(r.status, 400);
	cJSON_Delete(r.json);
	call(ms_route_v1_signals, "GET", "/v1/signals", &r);
	ck_assert_int_eq(r.status, 400);
	cJSON_Delete(r.json);
}
END_TEST

/*
 * ripple's 89 daily returns from 2018-01-01 to 2018-03-31 compound to
 * 1.89 / 1.00 - 1; it never falls, so there is no drawdown; against
 * itself beta is 1 and alpha 0.
 */
START_TEST(test_quantmetrics)
{
	struct reply r;

	call(ms_route_v1_quantmetrics, "GET",
	    "/v1/quantmetrics?id=ripple&benchmark=xrp&as_of=2018-03-31", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq((int)num(r.json, "data.observations"), 89);
	ck_assert_int_eq((int)num(r.json, "data.gaps"), 0);
	ck_rel(num(r.json, "data.metrics.total_return"), 0.89);
	ck_rel(num(r.json, "data.metrics.max_drawdown.depth"), 0.0);
	ck_assert(is_null(r.json, "data.metrics.max_drawdown.peak_date"));
	ck_rel(num(r.json, "data.metrics.beta"), 1.0);
	ck_assert(fabs(num(r.json, "data.metrics.alpha")) < 1e-12);
	ck_assert_int_eq((int)num(r.json, "data.metrics.benchmark_pairs"), 89);
	ck_assert(num(r.json, "data.metrics.sharpe") > 0);
	cJSON_Delete(r.json);

	call(ms_route_v1_quantmetrics, "GET",
	    "/v1/quantmetrics?id=ripple&as_of=2018-01-01", &r);
	ck_assert_int_eq(r.status, 404);
	cJSON_Delete(r.json);
	call(ms_route_v1_quantmetrics, "GET",
	    "/v1/quantmetrics?id=ripple&cutoff=0.9", &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(str(r.json, "invalid_params[0].name"), "cutoff");
	cJSON_Delete(r.json);
}
END_TEST

/*
 * Recording 2018-03-01 with a 7-day horizon for the largest asset
 * (ripple): the naive median is that day's close, 1.59; the outcome on
 * 2018-03-08 is 1.66, so the absolute percentage error is 0.07 / 1.66.
 * Judged as of 2018-03-07 the forecast is not due yet.
 */
START_TEST(test_forecast_track_record)
{
	struct ms_record_opts o;
	struct ms_record_summary sum;
	struct ms_store *st;
	struct reply r;

	ms_record_opts_default(&o);
	o.forecast_top = 1;
	o.horizons[0] = 7;
	o.nhorizons = 1;
	ck_assert_int_eq(ms_store_open(db_path, MS_STORE_RW, &st), 0);
	ck_assert_int_eq(ms_record_day_opts(st, ms_date_from_ymd(2018, 3, 1),
	    &o, &sum), 0);
	ms_store_close(st);
	ck_assert_uint_eq(sum.forecasts, 4);   /* four models, one horizon */
	ck_assert_uint_gt(sum.signals, 0);

	call(ms_route_v1_forecasts, "GET",
	    "/v1/forecasts/ripple?as_of=2018-03-31&model=naive&horizon=7", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq((int)num(r.json, "data.forecasts[0].track_record.judged"), 1);
	ck_rel(num(r.json, "data.forecasts[0].track_record.mape"), 0.07 / 1.66);
	cJSON_Delete(r.json);

	call(ms_route_v1_forecasts, "GET",
	    "/v1/forecasts/ripple?as_of=2018-03-07&model=naive&horizon=7", &r);
	ck_assert_int_eq((int)num(r.json, "data.forecasts[0].track_record.judged"), 0);
	ck_assert(is_null(r.json, "data.forecasts[0].track_record.mape"));
	cJSON_Delete(r.json);
}
END_TEST

/*
 * A function keeps its read-only store open across requests and still
 * sees data committed after it opened it, without a restart.
 */
START_TEST(test_sees_new_data)
{
	struct ms_ctx ctx;
	struct ms_store *st;
	struct reply r;
	int64_t a;

	ms_ctx_init(&ctx);
	call_ctx(&ctx, ms_route_v1_asset, "GET", "/v1/assets/ripple", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(str(r.json, "data.date"), "2018-04-11");
	int64_t dv = (int64_t)num(r.json, "meta.data_version");
	cJSON_Delete(r.json);

	ck_assert_int_eq(ms_store_open(db_path, MS_STORE_RW, &st), 0);
	ck_assert_int_eq(ms_store_begin(st), 0);
	ck_assert_int_eq(ms_store_source(st, "fix_a", 10, "close at 23:59 UTC",
	    0, "fixture source A", &a), 0);
	tu_insert_bar(ms_store_db(st), 1, a, ms_date_from_ymd(2018, 4, 12),
	    3, 3, 3, 3, 1, 3e9);
	ck_assert_int_eq(ms_store_rebuild_daily(st, 1), 0);
	ck_assert_int_eq(ms_store_bump_version(st), 0);
	ck_assert_int_eq(ms_store_commit(st), 0);
	ms_store_close(st);

	call_ctx(&ctx, ms_route_v1_asset, "GET", "/v1/assets/ripple", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(str(r.json, "data.date"), "2018-04-12");
	ck_rel(num(r.json, "data.close"), 3.0);
	ck_assert_int_gt((int64_t)num(r.json, "meta.data_version"), dv);
	cJSON_Delete(r.json);
	ms_ctx_free(&ctx);
}
END_TEST

Suite *make_routes_suite(void);

Suite *
make_routes_suite(void)
{
	Suite *s = suite_create("routes");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_health);
	tcase_add_test(tc, test_asset_values);
	tcase_add_test(tc, test_asset_symbol_ambiguous_and_dead);
	tcase_add_test(tc, test_asset_problems);
	tcase_add_test(tc, test_assets_list);
	tcase_add_test(tc, test_ohlcv);
	tcase_add_test(tc, test_price);
	tcase_add_test(tc, test_not_found);
	tcase_add_test(tc, test_as_of_truncation);
	tcase_add_test(tc, test_sees_new_data);
	tcase_add_test(tc, test_market);
	tcase_add_test(tc, test_record_and_past);
	tcase_add_test(tc, test_migration_fills_ath);
	tcase_add_test(tc, test_forecasts);
	tcase_add_test(tc, test_target);
	tcase_add_test(tc, test_signals);
	tcase_add_test(tc, test_quantmetrics);
	tcase_add_test(tc, test_forecast_track_record);
	suite_add_tcase(s, tc);
	return s;
}
