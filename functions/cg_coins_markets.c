/*
 * GET /api/v3/coins/markets — CoinGecko's market table: price, market cap,
 * volume, changes, ATH/ATL of every listed coin, filtered, sorted, paged.
 *
 * Methods: GET, HEAD.
 * Parameters (CoinGecko's):
 *   vs_currency              required; usd only
 *   ids | names | symbols    comma-separated filters; only the first of
 *                            ids > names > symbols is used
 *   include_tokens           top (default) | all: a symbol or name matches
 *                            its largest coin by market cap, or every coin
 *   category                 a Moonscope category id (/coins/categories/list)
 *   order                    market_cap_desc (default), market_cap_asc,
 *                            volume_desc, volume_asc, id_asc, id_desc;
 *                            gecko_desc/gecko_asc sort like market_cap_*
 *                            (there is no CoinGecko score here)
 *   per_page 1..250 (default 100), page >= 1 (default 1)
 *   sparkline                true | false: sparkline_in_7d.price, the daily
 *                            closes of the last 7 days (8 points)
 *   price_change_percentage  comma-separated of 1h, 24h, 7d, 14d, 30d,
 *                            200d, 1y (others ignored): adds
 *                            price_change_percentage_<p>_in_currency
 *   precision                full | 0..18 decimals of price values
 *   locale, include_rehypothecated, x_cg_demo_api_key, x_cg_pro_api_key
 *                            accepted, no effect
 * The universe: assets listed as of the last day in the store (a bar in
 * its last 31 days), each with its last bar. market_cap_rank ranks the
 * ones with a market cap, largest first. Sorting puts unknown values last
 * in either direction; ties keep the rank order.
 * Moonscope extension: as_of=YYYY-MM-DD answers as known at the end of
 * that UTC day (it is then "now"; no later row is read); 400 "invalid
 * as_of" when it is not such a date.
 * 200: [{id, symbol, name, image: null, current_price, market_cap,
 *      market_cap_rank, fully_diluted_valuation: null, total_volume,
 *      high_24h, low_24h (the day's high and low), price_change_24h,
 *      price_change_percentage_24h, market_cap_change_24h,
 *      market_cap_change_percentage_24h (against the day before),
 *      circulating_supply (market_cap / price), total_supply: null,
 *      max_supply: null, ath, ath_change_percentage, ath_date, atl,
 *      atl_change_percentage, atl_date, roi: null, last_updated (the bar's
 *      close instant), market_cap_rank_with_rehypothecated: null,
 *      sparkline_in_7d?, price_change_percentage_*?}].
 * Errors ({"error": ...}): 422 "Missing parameter vs_currency"; 400
 *      "invalid vs_currency" and "invalid <param>"; 503.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ms_cg.h"
#include "ms_error.h"
#include "ms_function.h"
#include "ms_json.h"

static const struct ms_param_spec params[] = {
	MS_CG_PARAM_VS_CURRENCY,
	MS_CG_PARAM("ids", MS_CG_LIST_MAX, "coin ids, comma-separated"),
	MS_CG_PARAM("names", MS_CG_LIST_MAX, "coin names, comma-separated"),
	MS_CG_PARAM("symbols", MS_CG_LIST_MAX, "coin symbols, comma-separated"),
	MS_CG_PARAM("include_tokens", 8,
	    "top (default) or all: which coins a name or symbol matches"),
	MS_CG_PARAM("category", 128, "category id (see /coins/categories/list)"),
	MS_CG_PARAM("order", 32, "market_cap_desc (default), market_cap_asc, "
	    "volume_desc, volume_asc, id_asc, id_desc"),
	MS_CG_PARAM("per_page", 8, "page size 1..250 (default 100)"),
	MS_CG_PARAM("page", 24, "page number from 1 (default 1)"),
	MS_CG_PARAM_FLAG("sparkline", "include sparkline_in_7d"),
	MS_CG_PARAM("price_change_percentage", 64,
	    "comma-separated of 1h, 24h, 7d, 14d, 30d, 200d, 1y"),
	MS_CG_PARAM("locale", 8, "accepted, no effect (names are English)"),
	MS_CG_PARAM_FLAG("include_rehypothecated", "accepted, no effect"),
	MS_CG_PARAM_PRECISION,
	MS_CG_PARAM_AS_OF,
	MS_CG_PARAM_KEYS,
};

enum order { BY_CAP, BY_VOLUME, BY_ID };

static const char *const orders[] = {
	"market_cap_desc", "market_cap_asc", "volume_desc", "volume_asc",
	"id_desc", "id_asc", "gecko_desc", "gecko_asc", NULL
};

/* The price_change_percentage periods: name and days (0: not available). */
static const struct { const char *name; int days; } periods[] = {
	{ "1h", 0 }, { "24h", 1 }, { "7d", 7 }, { "14d", 14 }, { "30d", 30 },
	{ "200d", 200 }, { "1y", 365 },
};
#define N_PERIODS (sizeof(periods) / sizeof(periods[0]))

struct sorter {
	enum order by;
	int desc;
};

/* A row to sort, with the request's sort order (qsort has no context). */
struct row {
	const struct ms_cg_market *m;
	const struct sorter *s;
};

static double
key_of(const struct row *r)
{
	return r->s->by == BY_CAP ? r->m->bar.market_cap : r->m->bar.volume;
}

static int
cmp_rows(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	const struct sorter *s = a->s;
	int c = 0;

	if (s->by == BY_ID) {
		c = strcmp(a->m->asset.slug, b->m->asset.slug);
		if (s->desc)
			c = -c;
	} else {
		double x = key_of(a), y = key_of(b);

		if (isnan(x) != isnan(y))
			return isnan(x) ? 1 : -1;   /* unknown last */
		if (!isnan(x) && x != y)
			c = (x < y) == (s->desc != 0) ? 1 : -1;
	}
	if (c != 0)
		return c;
	return a->m < b->m ? -1 : a->m > b->m;  /* rank order */
}

/* 1 when m matches one of the items of the ids/names/symbols filter. */
static int
matches(const struct ms_cg_market *m, int which, const char **items, int n,
    int *first_of)
{
	for (int i = 0; i < n; i++) {
		const char *v = which == 0 ? m->asset.slug :
		    which == 1 ? m->asset.name : m->asset.symbol;

		if (strcasecmp(v, items[i]) == 0) {
			*first_of = i;
			return 1;
		}
	}
	return 0;
}

/* Builds one row of the answer. */
static int
add_market(struct ms_store *st, cJSON *doc, const struct ms_cg_market *m,
    int32_t now, int digits, int sparkline, const int *want)
{
	const struct ms_bar *b = &m->bar;
	char sym[MS_SYMBOL_MAX + 1];
	double atl = NAN, change;
	int32_t atl_day = -1;
	cJSON *o = cJSON_CreateObject();
	int rc;

	if (o == NULL || !cJSON_AddItemToArray(doc, o)) {
		cJSON_Delete(o);
		return MS_ERR_NOMEM;
	}
	rc = ms_cg_atl(st, m->asset.id, b->day, &atl, &atl_day);
	if (rc != 0 && rc != MS_ERR_NODATA)
		return rc;
	ms_cg_lower(m->asset.symbol, sym, sizeof(sym));
	cJSON_AddStringToObject(o, "id", m->asset.slug);
	cJSON_AddStringToObject(o, "symbol", sym);
	cJSON_AddStringToObject(o, "name", m->asset.name);
	cJSON_AddNullToObject(o, "image");
	ms_json_num(o, "current_price", ms_cg_round(b->close, digits));
	ms_json_num(o, "market_cap", b->market_cap);
	if (m->rank > 0)
		ms_json_int(o, "market_cap_rank", m->rank);
	else
		cJSON_AddNullToObject(o, "market_cap_rank");
	cJSON_AddNullToObject(o, "fully_diluted_valuation");
	ms_json_num(o, "total_volume", b->volume);
	ms_json_num(o, "high_24h", ms_cg_round(b->high, digits));
	ms_json_num(o, "low_24h", ms_cg_round(b->low, digits));
	ms_json_num(o, "price_change_24h",
	    ms_cg_round(b->close - m->prev_close, digits));
	ms_json_num(o, "price_change_percentage_24h",
	    ms_cg_pct(b->close, m->prev_close));
	ms_json_num(o, "market_cap_change_24h",
	    b->market_cap - m->prev_market_cap);
	ms_json_num(o, "market_cap_change_percentage_24h",
	    ms_cg_pct(b->market_cap, m->prev_market_cap));
	ms_json_num(o, "circulating_supply",
	    b->close > 0 ? b->market_cap / b->close : NAN);
	cJSON_AddNullToObject(o, "total_supply");
	cJSON_AddNullToObject(o, "max_supply");
	ms_json_num(o, "ath", ms_cg_round(m->ath, digits));
	ms_json_num(o, "ath_change_percentage", ms_cg_pct(b->close, m->ath));
	ms_cg_add_day_iso(o, "ath_date", isnan(m->ath) ? -1 : m->ath_day);
	ms_json_num(o, "atl", ms_cg_round(atl, digits));
	ms_json_num(o, "atl_change_percentage", ms_cg_pct(b->close, atl));
	ms_cg_add_day_iso(o, "atl_date", atl_day);
	cJSON_AddNullToObject(o, "roi");
	ms_cg_add_close_iso(o, "last_updated", b->day);
	cJSON_AddNullToObject(o, "market_cap_rank_with_rehypothecated");
	if (sparkline) {
		cJSON *sp = cJSON_AddObjectToObject(o, "sparkline_in_7d"), *arr;

		if ((rc = ms_cg_sparkline(st, m->asset.id, now, digits,
		    &arr)) != 0)
			return rc;
		if (sp == NULL || !cJSON_AddItemToObject(sp, "price", arr)) {
			cJSON_Delete(arr);
			return MS_ERR_NOMEM;
		}
	}
	for (size_t i = 0; i < N_PERIODS; i++) {
		char key[64];

		if (!want[i])
			continue;
		change = NAN;
		if (periods[i].days > 0 &&
		    (rc = ms_cg_change(st, m, periods[i].days, &change)) != 0)
			return rc;
		snprintf(key, sizeof(key),
		    "price_change_percentage_%s_in_currency", periods[i].name);
		ms_json_num(o, key, change);
	}
	return 0;
}

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	static const char *const lookups[] = { "ids", "names", "symbols" };
	static const char *const tokens[] = { "top", "all", NULL };
	const char *items[MS_CG_LIST_ITEMS], *pcp[16];
	char buf[MS_CG_LIST_MAX + 1], pbuf[80];
	unsigned char *taken = NULL;
	struct ms_store *st;
	int32_t as_of;
	struct ms_cg_market *v = NULL;
	struct row *rows = NULL;
	struct sorter sorter;
	size_t n = 0, nrows = 0;
	int64_t per_page, page;
	int32_t now;
	int rc, order, all, sparkline, digits, which, nitems = 0, npcp, ignored;
	int want[N_PERIODS] = { 0 };
	const char *list = NULL, *category;
	cJSON *doc;

	if ((st = ms_cg_store(ctx, req, res)) == NULL)
		return 0;
	if ((rc = ms_cg_check_as_of(req, res, &as_of)) != 0)
		return MS_CG_DONE(rc);
	if ((rc = ms_cg_vs_currency(req, res, "vs_currency")) != 0 ||
	    (rc = ms_cg_choice(req, res, "order", orders, 0, &order)) != 0 ||
	    (rc = ms_cg_int(req, res, "per_page", 1, 250, 100,
	    &per_page)) != 0 ||
	    (rc = ms_cg_int(req, res, "page", 1, 1000000, 1, &page)) != 0 ||
	    (rc = ms_cg_flag(req, res, "sparkline", 0, &sparkline)) != 0 ||
	    (rc = ms_cg_flag(req, res, "include_rehypothecated", 0,
	    &ignored)) != 0 ||
	    (rc = ms_cg_precision(req, res, &digits)) != 0 ||
	    (rc = ms_cg_choice(req, res, "include_tokens", tokens, 0,
	    &all)) != 0)
		return MS_CG_DONE(rc);
	for (which = 0; which < 3 && list == NULL; which++)
		list = ms_cg_text(req, lookups[which]);
	which--;
	if (list != NULL && (nitems = ms_cg_split(list, buf, sizeof(buf),
	    items, MS_CG_LIST_ITEMS)) < 0) {
		char msg[32];

		snprintf(msg, sizeof(msg), "invalid %s", lookups[which]);
		return MS_CG_DONE(ms_cg_error(res, 400, msg));
	}
	if (ms_cg_text(req, "price_change_percentage") != NULL) {
		npcp = ms_cg_split(ms_cg_text(req, "price_change_percentage"),
		    pbuf, sizeof(pbuf), pcp, 16);
		for (int i = 0; i < npcp; i++)
			for (size_t k = 0; k < N_PERIODS; k++)
				if (strcmp(pcp[i], periods[k].name) == 0)
					want[k] = 1;
	}
	category = ms_cg_text(req, "category");
	sorter.by = order < 2 || order >= 6 ? BY_CAP :
	    order < 4 ? BY_VOLUME : BY_ID;
	sorter.desc = order % 2 == 0;

	if ((doc = cJSON_CreateArray()) == NULL)
		return MS_ERR_NOMEM;
	rc = ms_cg_day(st, as_of, &now);
	if (rc == MS_ERR_NODATA)
		return ms_cg_send(res, doc);
	if (rc == 0)
		rc = ms_cg_listing(st, now, &v, &n);
	if (rc == 0 && n > 0 && ((rows = malloc(n * sizeof(*rows))) == NULL ||
	    (taken = calloc((size_t)nitems + 1, 1)) == NULL))
		rc = MS_ERR_NOMEM;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		int k = 0;

		if (list != NULL && !matches(&v[i], which, items, nitems, &k))
			continue;
		/* A name or symbol matches only its top coin unless "all". */
		if (list != NULL && which > 0 && !all) {
			if (taken[k])
				continue;
			taken[k] = 1;
		}
		if (category != NULL && !ms_cg_in_category(&v[i].asset, category))
			continue;
		rows[nrows].m = &v[i];
		rows[nrows].s = &sorter;
		nrows++;
	}
	if (rc == 0 && nrows > 1)
		qsort(rows, nrows, sizeof(*rows), cmp_rows);
	for (int64_t i = (page - 1) * per_page;
	    rc == 0 && i < (int64_t)nrows && i < page * per_page; i++)
		rc = add_market(st, doc, rows[i].m, now, digits, sparkline,
		    want);
	free(taken);
	free(rows);
	free(v);
	if (rc != 0) {
		cJSON_Delete(doc);
		return rc;
	}
	return ms_cg_send(res, doc);
}

static const struct ms_route route = {
	.name = "cg_coins_markets",
	.pattern = "/api/v3/coins/markets",
	.methods = "GET, HEAD",
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "CoinGecko-compatible: market table of the listed coins",
};

MS_FUNCTION(route, cg_coins_markets)
