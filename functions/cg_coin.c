/*
 * GET /api/v3/coins/{id} — CoinGecko's coin page: identity, categories and
 * market data of one coin.
 *
 * Methods: GET, HEAD.
 * Path: id — a Moonscope asset id (CoinMarketCap-style slug such as
 *       ripple), case-insensitive; not a symbol. Unknown: 404.
 * Parameters (CoinGecko's): localization, tickers, market_data (true |
 *   false, default true), sparkline, include_categories_details (default
 *   false), community_data, developer_data, dex_pair_format (accepted, no
 *   effect: CoinGecko no longer returns those objects), x_cg_demo_api_key,
 *   x_cg_pro_api_key (accepted, not checked).
 * Moonscope extension: as_of=YYYY-MM-DD answers as known at the end of
 * that UTC day (it is then "now"; no later row is read); 400 "invalid
 * as_of" when it is not such a date.
 * 200: CoinGecko's object as of the last day in the store. What Moonscope
 *   stores is filled in: id, symbol (lower case), name, web_slug (= id),
 *   categories (display names of the Moonscope categories),
 *   categories_details?, localization? ({"en": name}), market_cap_rank,
 *   last_updated (the close instant of the coin's last bar) and in
 *   market_data: current_price, market_cap, total_volume, high_24h and
 *   low_24h (the day's high and low) as {"usd": v}; ath, atl with their
 *   change percentage and day; the price changes over 24h, 7d, 14d, 30d,
 *   60d, 200d and 1y (against the close k days earlier, or the last bar at
 *   most k/10 days older); the 24h market-cap change; circulating_supply
 *   (market cap / price); sparkline_7d? (daily closes). Values Moonscope
 *   does not have are null (platform, block time, algorithm, sentiment,
 *   watchlist users, genesis date, supply limits and outstanding supply,
 *   FDV, TVL, ROI, 1h change, image URLs, the rank with rehypothecated
 *   tokens); has_supply_breakdown is false; lists and maps of things it
 *   does not have are empty (platforms, links' lists, description,
 *   status_updates, tickers). community_data and developer_data, which
 *   CoinGecko stopped returning in 2026, are not returned.
 * Errors ({"error": ...}): 404 "coin not found"; 400 "invalid <flag>";
 *   503 store unavailable.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ms_cg.h"
#include "ms_error.h"
#include "ms_function.h"
#include "ms_json.h"

static const struct ms_param_spec path_params[] = {
	MS_CG_PATH_ID,
};

static const struct ms_param_spec params[] = {
	MS_CG_PARAM_FLAG("localization", "include localization (default true)"),
	MS_CG_PARAM_FLAG("tickers", "include tickers (default true; always [])"),
	MS_CG_PARAM_FLAG("market_data", "include market_data (default true)"),
	MS_CG_PARAM_FLAG("community_data", "accepted, no effect"),
	MS_CG_PARAM_FLAG("developer_data", "accepted, no effect"),
	MS_CG_PARAM_FLAG("sparkline", "include market_data.sparkline_7d"),
	MS_CG_PARAM_FLAG("include_categories_details",
	    "include categories_details (default false)"),
	MS_CG_PARAM("dex_pair_format", 32, "accepted, no effect"),
	MS_CG_PARAM_AS_OF,
	MS_CG_PARAM_KEYS,
};

/* The price change periods of market_data: key part and days. */
static const struct { const char *name; int days; } periods[] = {
	{ "24h", 1 }, { "7d", 7 }, { "14d", 14 }, { "30d", 30 },
	{ "60d", 60 }, { "200d", 200 }, { "1y", 365 },
};

static void
add_strings(cJSON *obj, const char *key, const char *const *v, size_t n)
{
	cJSON *arr = cJSON_AddArrayToObject(obj, key);

	for (size_t i = 0; arr != NULL && i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(v[i]));
}

/* Adds "categories" (display names) and, when details, categories_details. */
static void
add_categories(cJSON *obj, const char *csv, int details)
{
	cJSON *names = cJSON_AddArrayToObject(obj, "categories");
	cJSON *det = details ? cJSON_AddArrayToObject(obj,
	    "categories_details") : NULL;
	const char *p = csv, *comma;
	char item[MS_CATEGORIES_MAX];

	while (names != NULL && *p != '\0') {
		size_t n;

		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		if (n > 0 && n < sizeof(item)) {
			memcpy(item, p, n);
			item[n] = '\0';
			cJSON_AddItemToArray(names,
			    cJSON_CreateString(ms_cg_category_name(item)));
			if (det != NULL) {
				cJSON *d = cJSON_CreateObject();

				cJSON_AddStringToObject(d, "id", item);
				cJSON_AddStringToObject(d, "name",
				    ms_cg_category_name(item));
				cJSON_AddItemToArray(det, d);
			}
		}
		if (comma == NULL)
			break;
		p = comma + 1;
	}
}

static void
add_links(cJSON *obj)
{
	cJSON *l = cJSON_AddObjectToObject(obj, "links"), *r;

	if (l == NULL)
		return;
	add_strings(l, "homepage", NULL, 0);
	cJSON_AddNullToObject(l, "whitepaper");
	add_strings(l, "blockchain_site", NULL, 0);
	add_strings(l, "official_forum_url", NULL, 0);
	add_strings(l, "chat_url", NULL, 0);
	add_strings(l, "announcement_url", NULL, 0);
	cJSON_AddNullToObject(l, "snapshot_url");
	cJSON_AddNullToObject(l, "twitter_screen_name");
	cJSON_AddNullToObject(l, "facebook_username");
	cJSON_AddNullToObject(l, "bitcointalk_thread_identifier");
	cJSON_AddNullToObject(l, "telegram_channel_identifier");
	cJSON_AddNullToObject(l, "subreddit_url");
	if ((r = cJSON_AddObjectToObject(l, "repos_url")) != NULL) {
		add_strings(r, "github", NULL, 0);
		add_strings(r, "bitbucket", NULL, 0);
	}
}

static int
add_market_data(struct ms_store *st, cJSON *obj, const struct ms_cg_market *m,
    int32_t now, int sparkline)
{
	const struct ms_bar *b = &m->bar;
	cJSON *md = cJSON_AddObjectToObject(obj, "market_data");
	double atl = NAN, ch[sizeof(periods) / sizeof(periods[0])];
	int32_t atl_day = -1;
	char key[64];
	int rc;

	if (md == NULL)
		return MS_ERR_NOMEM;
	if (b->day >= 0) {
		rc = ms_cg_atl(st, m->asset.id, b->day, &atl, &atl_day);
		if (rc != 0 && rc != MS_ERR_NODATA)
			return rc;
	}
	for (size_t i = 0; i < sizeof(periods) / sizeof(periods[0]); i++) {
		ch[i] = NAN;
		if (b->day >= 0 &&
		    (rc = ms_cg_change(st, m, periods[i].days, &ch[i])) != 0)
			return rc;
	}
	ms_cg_add_usd(md, "current_price", b->close);
	cJSON_AddNullToObject(md, "total_value_locked");
	cJSON_AddNullToObject(md, "mcap_to_tvl_ratio");
	cJSON_AddNullToObject(md, "fdv_to_tvl_ratio");
	cJSON_AddNullToObject(md, "roi");
	ms_cg_add_usd(md, "ath", m->ath);
	ms_cg_add_usd(md, "ath_change_percentage", ms_cg_pct(b->close, m->ath));
	ms_cg_add_day_iso(cJSON_AddObjectToObject(md, "ath_date"), "usd",
	    isnan(m->ath) ? -1 : m->ath_day);
	ms_cg_add_usd(md, "atl", atl);
	ms_cg_add_usd(md, "atl_change_percentage", ms_cg_pct(b->close, atl));
	ms_cg_add_day_iso(cJSON_AddObjectToObject(md, "atl_date"), "usd",
	    atl_day);
	ms_cg_add_usd(md, "market_cap", b->market_cap);
	if (m->rank > 0)
		ms_json_int(md, "market_cap_rank", m->rank);
	else
		cJSON_AddNullToObject(md, "market_cap_rank");
	ms_cg_add_usd(md, "fully_diluted_valuation", NAN);
	cJSON_AddNullToObject(md, "market_cap_fdv_ratio");
	cJSON_AddNullToObject(md, "outstanding_token_value_usd");
	cJSON_AddNullToObject(md, "market_cap_rank_with_rehypothecated");
	ms_cg_add_usd(md, "total_volume", b->volume);
	ms_cg_add_usd(md, "high_24h", b->high);
	ms_cg_add_usd(md, "low_24h", b->low);
	ms_json_num(md, "price_change_24h", b->close - m->prev_close);
	for (size_t i = 0; i < sizeof(periods) / sizeof(periods[0]); i++) {
		snprintf(key, sizeof(key), "price_change_percentage_%s",
		    periods[i].name);
		ms_json_num(md, key, ch[i]);
	}
	ms_json_num(md, "market_cap_change_24h",
	    b->market_cap - m->prev_market_cap);
	ms_json_num(md, "market_cap_change_percentage_24h",
	    ms_cg_pct(b->market_cap, m->prev_market_cap));
	ms_cg_add_usd(md, "price_change_24h_in_currency",
	    b->close - m->prev_close);
	ms_cg_add_usd(md, "price_change_percentage_1h_in_currency", NAN);
	for (size_t i = 0; i < sizeof(periods) / sizeof(periods[0]); i++) {
		snprintf(key, sizeof(key),
		    "price_change_percentage_%s_in_currency", periods[i].name);
		ms_cg_add_usd(md, key, ch[i]);
	}
	ms_cg_add_usd(md, "market_cap_change_24h_in_currency",
	    b->market_cap - m->prev_market_cap);
	ms_cg_add_usd(md, "market_cap_change_percentage_24h_in_currency",
	    ms_cg_pct(b->market_cap, m->prev_market_cap));
	cJSON_AddNullToObject(md, "total_supply");
	cJSON_AddNullToObject(md, "max_supply");
	cJSON_AddNullToObject(md, "max_supply_infinite");
	ms_json_num(md, "circulating_supply",
	    b->close > 0 ? b->market_cap / b->close : NAN);
	cJSON_AddNullToObject(md, "outstanding_supply");
	if (sparkline) {
		cJSON *sp = cJSON_AddObjectToObject(md, "sparkline_7d"), *arr;

		if ((rc = ms_cg_sparkline(st, m->asset.id, now, -1, &arr)) != 0)
			return rc;
		if (sp == NULL || !cJSON_AddItemToObject(sp, "price", arr)) {
			cJSON_Delete(arr);
			return MS_ERR_NOMEM;
		}
	}
	ms_cg_add_close_iso(md, "last_updated", b->day);
	return 0;
}

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	const struct ms_param_value *id = ms_request_path_param(req, "id");
	struct ms_store *st;
	int32_t as_of;
	struct ms_asset a;
	struct ms_cg_market m;
	char sym[MS_SYMBOL_MAX + 1];
	int32_t now = -1;
	int rc, loc, tickers, mdata, spark, details, ignored;
	cJSON *doc, *o;

	if ((st = ms_cg_store(ctx, req, res)) == NULL)
		return 0;
	if ((rc = ms_cg_check_as_of(req, res, &as_of)) != 0)
		return MS_CG_DONE(rc);
	if ((rc = ms_cg_flag(req, res, "localization", 1, &loc)) != 0 ||
	    (rc = ms_cg_flag(req, res, "tickers", 1, &tickers)) != 0 ||
	    (rc = ms_cg_flag(req, res, "market_data", 1, &mdata)) != 0 ||
	    (rc = ms_cg_flag(req, res, "community_data", 1, &ignored)) != 0 ||
	    (rc = ms_cg_flag(req, res, "developer_data", 1, &ignored)) != 0 ||
	    (rc = ms_cg_flag(req, res, "sparkline", 0, &spark)) != 0 ||
	    (rc = ms_cg_flag(req, res, "include_categories_details", 0,
	    &details)) != 0)
		return MS_CG_DONE(rc);
	rc = ms_cg_find(st, id->s, &a);
	if (rc == MS_ERR_NOTFOUND)
		return MS_CG_DONE(ms_cg_error(res, 404, "coin not found"));
	if (rc != 0)
		return rc;
	memset(&m, 0, sizeof(m));
	m.asset = a;
	m.bar.day = -1;
	m.bar.open = m.bar.high = m.bar.low = m.bar.close = NAN;
	m.bar.volume = m.bar.market_cap = NAN;
	m.prev_close = m.prev_market_cap = m.prev_volume = m.ath = NAN;
	m.ath_day = -1;
	rc = ms_cg_day(st, as_of, &now);
	if (rc == 0)
		rc = ms_cg_market_of(st, &a, now, &m);
	if (rc != 0 && rc != MS_ERR_NODATA)
		return rc;

	if ((doc = cJSON_CreateObject()) == NULL)
		return MS_ERR_NOMEM;
	ms_cg_lower(a.symbol, sym, sizeof(sym));
	cJSON_AddStringToObject(doc, "id", a.slug);
	cJSON_AddStringToObject(doc, "symbol", sym);
	cJSON_AddStringToObject(doc, "name", a.name);
	cJSON_AddStringToObject(doc, "web_slug", a.slug);
	cJSON_AddNullToObject(doc, "asset_platform_id");
	cJSON_AddObjectToObject(doc, "platforms");
	cJSON_AddObjectToObject(doc, "detail_platforms");
	cJSON_AddNullToObject(doc, "block_time_in_minutes");
	cJSON_AddNullToObject(doc, "hashing_algorithm");
	add_categories(doc, a.categories, details);
	ms_json_bool(doc, "preview_listing", 0);
	cJSON_AddNullToObject(doc, "public_notice");
	add_strings(doc, "additional_notices", NULL, 0);
	ms_json_bool(doc, "has_supply_breakdown", 0);
	if (loc && (o = cJSON_AddObjectToObject(doc, "localization")) != NULL)
		cJSON_AddStringToObject(o, "en", a.name);
	cJSON_AddObjectToObject(doc, "description");
	add_links(doc);
	if ((o = cJSON_AddObjectToObject(doc, "image")) != NULL) {
		cJSON_AddNullToObject(o, "thumb");
		cJSON_AddNullToObject(o, "small");
		cJSON_AddNullToObject(o, "large");
	}
	cJSON_AddNullToObject(doc, "country_origin");
	cJSON_AddNullToObject(doc, "genesis_date");
	cJSON_AddNullToObject(doc, "sentiment_votes_up_percentage");
	cJSON_AddNullToObject(doc, "sentiment_votes_down_percentage");
	cJSON_AddNullToObject(doc, "watchlist_portfolio_users");
	if (m.rank > 0)
		ms_json_int(doc, "market_cap_rank", m.rank);
	else
		cJSON_AddNullToObject(doc, "market_cap_rank");
	cJSON_AddNullToObject(doc, "market_cap_rank_with_rehypothecated");
	if (mdata && (rc = add_market_data(st, doc, &m, now, spark)) != 0) {
		cJSON_Delete(doc);
		return rc;
	}
	add_strings(doc, "status_updates", NULL, 0);
	ms_cg_add_close_iso(doc, "last_updated", m.bar.day);
	if (tickers)
		add_strings(doc, "tickers", NULL, 0);
	return ms_cg_send(res, doc);
}

static const struct ms_route route = {
	.name = "cg_coin",
	.pattern = "/api/v3/coins/{id}",
	.methods = "GET, HEAD",
	.path_params = path_params,
	.n_path_params = sizeof(path_params) / sizeof(path_params[0]),
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "CoinGecko-compatible: one coin's identity and market data",
};

MS_FUNCTION(route, cg_coin)
