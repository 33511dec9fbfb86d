/*
 * GET /api/v3/simple/price — CoinGecko's prices of several coins at once.
 *
 * Methods: GET, HEAD.
 * Parameters (CoinGecko's):
 *   vs_currencies            required; must include usd (others ignored)
 *   ids | names | symbols    comma-separated; when several are given only
 *                            the first of ids > names > symbols is used
 *   include_tokens           top (default) | all: for names/symbols, the
 *                            largest asset by market cap, or every match
 *   include_market_cap, include_24hr_vol, include_24hr_change,
 *   include_last_updated_at  true | false (default false)
 *   precision                full | 0..18 decimals of the price
 *   x_cg_demo_api_key, x_cg_pro_api_key   accepted, not checked
 * Moonscope extension: as_of=YYYY-MM-DD answers as known at the end of
 * that UTC day (it is then "now"; no later row is read); 400 "invalid
 * as_of" when it is not such a date.
 * 200: {"<key>": {"usd", "usd_market_cap"?, "usd_24h_vol"?,
 *      "usd_24h_change"?, "last_updated_at"?}} as of the last day in the
 *      store: the close of each coin's last bar, its market cap and volume,
 *      the percent change against the close of the day before, and the
 *      close instant in UNIX seconds. <key> is the id for ids, the
 *      requested name or symbol (lower case) for names/symbols with
 *      include_tokens=top, and each matching id with include_tokens=all.
 *      Unknown coins are left out (CoinGecko's behaviour); unknown values
 *      are null.
 * Errors ({"error": ...}): 422 "Missing parameter vs_currencies" / "...
 *      ids" (none of ids, names, symbols); 400 "invalid vs_currencies",
 *      "invalid <flag>", "invalid precision", "invalid include_tokens",
 *      "invalid ids|names|symbols" (over 500 items); 503 store unavailable.
 */
#include <ctype.h>
#include <stdio.h>

#include "ms_cg.h"
#include "ms_error.h"
#include "ms_function.h"
#include "ms_json.h"

static const struct ms_param_spec params[] = {
	MS_CG_PARAM("vs_currencies", 256,
	    "target currencies, comma-separated (required; usd is served)"),
	MS_CG_PARAM("ids", MS_CG_LIST_MAX, "coin ids, comma-separated"),
	MS_CG_PARAM("names", MS_CG_LIST_MAX, "coin names, comma-separated"),
	MS_CG_PARAM("symbols", MS_CG_LIST_MAX, "coin symbols, comma-separated"),
	MS_CG_PARAM("include_tokens", 8,
	    "top (default) or all: which coins a name or symbol matches"),
	MS_CG_PARAM_FLAG("include_market_cap", "include usd_market_cap"),
	MS_CG_PARAM_FLAG("include_24hr_vol", "include usd_24h_vol"),
	MS_CG_PARAM_FLAG("include_24hr_change", "include usd_24h_change"),
	MS_CG_PARAM_FLAG("include_last_updated_at", "include last_updated_at"),
	MS_CG_PARAM_PRECISION,
	MS_CG_PARAM_AS_OF,
	MS_CG_PARAM_KEYS,
};

struct opts {
	int mcap, vol, change, updated, digits;
	int32_t now;
};

/* Adds key: the price object of c, unless key is already there. */
static void
add_coin(cJSON *doc, const char *key, const struct ms_cg_market *c,
    const struct opts *o)
{
	cJSON *obj;

	if (cJSON_GetObjectItemCaseSensitive(doc, key) != NULL ||
	    (obj = cJSON_AddObjectToObject(doc, key)) == NULL)
		return;
	ms_json_num(obj, "usd", ms_cg_round(c->bar.close, o->digits));
	if (o->mcap)
		ms_json_num(obj, "usd_market_cap", c->bar.market_cap);
	if (o->vol)
		ms_json_num(obj, "usd_24h_vol", c->bar.volume);
	if (o->change)
		ms_json_num(obj, "usd_24h_change",
		    ms_cg_pct(c->bar.close, c->prev_close));
	if (o->updated)
		ms_json_int(obj, "last_updated_at",
		    ms_cg_close_ms(c->bar.day) / 1000);
}

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	static const char *const lookups[] = { "ids", "names", "symbols" };
	static const char *const tokens[] = { "top", "all", NULL };
	const char *items[MS_CG_LIST_ITEMS];
	struct ms_asset found[8];
	struct ms_cg_market c;
	struct opts o;
	struct ms_store *st;
	char buf[MS_CG_LIST_MAX + 1], key[MS_NAME_MAX + 1];
	const char *list = NULL;
	int rc, n, all, which = 0;
	int32_t as_of;
	cJSON *doc;

	if ((st = ms_cg_store(ctx, req, res)) == NULL)
		return 0;
	if ((rc = ms_cg_vs_currency(req, res, "vs_currencies")) != 0 ||
	    (rc = ms_cg_flag(req, res, "include_market_cap", 0, &o.mcap)) != 0 ||
	    (rc = ms_cg_flag(req, res, "include_24hr_vol", 0, &o.vol)) != 0 ||
	    (rc = ms_cg_flag(req, res, "include_24hr_change", 0,
	    &o.change)) != 0 ||
	    (rc = ms_cg_flag(req, res, "include_last_updated_at", 0,
	    &o.updated)) != 0 ||
	    (rc = ms_cg_precision(req, res, &o.digits)) != 0 ||
	    (rc = ms_cg_choice(req, res, "include_tokens", tokens, 0,
	    &all)) != 0 ||
	    (rc = ms_cg_check_as_of(req, res, &as_of)) != 0)
		return MS_CG_DONE(rc);
	for (which = 0; which < 3 && list == NULL; which++)
		list = ms_cg_text(req, lookups[which]);
	if (list == NULL)
		return MS_CG_DONE(ms_cg_error(res, 422, "Missing parameter ids"));
	which--;
	n = ms_cg_split(list, buf, sizeof(buf), items, MS_CG_LIST_ITEMS);
	if (n < 0) {
		char msg[32];

		snprintf(msg, sizeof(msg), "invalid %s", lookups[which]);
		return MS_CG_DONE(ms_cg_error(res, 400, msg));
	}
	if ((doc = cJSON_CreateObject()) == NULL)
		return MS_ERR_NOMEM;
	rc = ms_cg_day(st, as_of, &o.now);
	if (rc == MS_ERR_NODATA)
		return ms_cg_send(res, doc);
	for (int i = 0; rc == 0 && i < n; i++) {
		size_t nf = 0;

		if (which == 0) {
			rc = ms_cg_find(st, items[i], &found[0]);
			nf = rc == 0;
			if (rc == MS_ERR_NOTFOUND)
				rc = 0;
		} else {
			rc = ms_cg_find_by(st, which == 1, items[i], o.now,
			    found, all ? 8 : 1, &nf);
		}
		for (size_t k = 0; rc == 0 && k < nf; k++) {
			rc = ms_cg_quote_of(st, &found[k], o.now, &c);
			if (rc == MS_ERR_NODATA) {
				rc = 0;
				continue;
			}
			if (rc != 0)
				break;
			if (which == 0 || all) {
				snprintf(key, sizeof(key), "%s", found[k].slug);
			} else {
				snprintf(key, sizeof(key), "%s", items[i]);
				lower(key);
			}
			add_coin(doc, key, &c, &o);
		}
	}
	if (rc != 0) {
		cJSON_Delete(doc);
		return rc;
	}
	return ms_cg_send(res, doc);
}

static const struct ms_route route = {
	.name = "cg_simple_price",
	.pattern = "/api/v3/simple/price",
	.methods = "GET, HEAD",
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "CoinGecko-compatible: prices of coins by id, name or symbol",
};

MS_FUNCTION(route, cg_simple_price)
