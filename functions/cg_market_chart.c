/*
 * GET /api/v3/coins/{id}/market_chart — CoinGecko's price, market-cap and
 * volume history of one coin, going back `days` from now.
 *
 * Methods: GET, HEAD.
 * Path: id — a Moonscope asset id (e.g. ripple); unknown: 404.
 * Parameters (CoinGecko's):
 *   vs_currency   required; usd only
 *   days          required: a whole number of days >= 1, or max
 *   interval      daily, or absent (automatic granularity)
 *   precision     full | 0..18 decimals of prices
 *   x_cg_demo_api_key, x_cg_pro_api_key   accepted, not checked
 * "Now" is the close of the last day L in the store (00:00 UTC of L + 1).
 * Points are daily: one per bar, at its close instant, for the bars of
 * days L - days .. L (days + 1 points when none is missing; max: all).
 * Granularity: CoinGecko gives 5-minutely points for days=1 and hourly
 * ones for 2..90 days; Moonscope has daily bars only, so it returns the
 * daily points it has for every range (documented in docs/api-v3.md).
 * Moonscope extension: as_of=YYYY-MM-DD answers as known at the end of
 * that UTC day (it is then "now"; no later row is read); 400 "invalid
 * as_of" when it is not such a date.
 * 200: {"prices": [[ms, price]...], "market_caps": [[ms, cap]...],
 *      "total_volumes": [[ms, volume]...]}, oldest first, timestamps in
 *      milliseconds; a day whose value is unknown is left out of that
 *      series.
 * Errors ({"error": ...}): 404 "coin not found"; 422 "Missing parameter
 *      vs_currency" / "... days"; 400 "invalid vs_currency", "invalid
 *      days", "invalid interval" (hourly, 5m and 1m: no intraday data),
 *      "invalid precision"; 503.
 */
#include <stdint.h>
#include <string.h>

#include "ms_cg.h"
#include "ms_error.h"
#include "ms_function.h"

static const struct ms_param_spec path_params[] = {
	MS_CG_PATH_ID,
};

static const struct ms_param_spec params[] = {
	MS_CG_PARAM_VS_CURRENCY,
	MS_CG_PARAM("days", 16, "days back from now (required): 1.. or max"),
	MS_CG_PARAM("interval", 16, "daily, or absent for automatic"),
	MS_CG_PARAM_PRECISION,
	MS_CG_PARAM_AS_OF,
	MS_CG_PARAM_KEYS,
};

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	static const char *const intervals[] = { "daily", NULL };
	const struct ms_param_value *id = ms_request_path_param(req, "id");
	struct ms_store *st;
	int32_t as_of;
	struct ms_asset a;
	const char *days_s = NULL;
	int64_t days = -1;   /* max */
	int32_t now, from;
	int rc, interval, digits;
	cJSON *doc = NULL;

	if ((st = ms_cg_store(ctx, req, res)) == NULL)
		return 0;
	if ((rc = ms_cg_check_as_of(req, res, &as_of)) != 0)
		return MS_CG_DONE(rc);
	rc = ms_cg_find(st, id->s, &a);
	if (rc == MS_ERR_NOTFOUND)
		return MS_CG_DONE(ms_cg_error(res, 404, "coin not found"));
	if (rc != 0)
		return rc;
	if ((rc = ms_cg_vs_currency(req, res, "vs_currency")) != 0 ||
	    (rc = ms_cg_required(req, res, "days", &days_s)) != 0 ||
	    (strcmp(days_s, "max") != 0 &&
	    (rc = ms_cg_int(req, res, "days", 1, 100000, 1, &days)) != 0) ||
	    (rc = ms_cg_choice(req, res, "interval", intervals, 0,
	    &interval)) != 0 ||
	    (rc = ms_cg_precision(req, res, &digits)) != 0)
		return MS_CG_DONE(rc);
	rc = ms_cg_day(st, as_of, &now);
	if (rc == MS_ERR_NODATA) {
		now = 0;
		from = 1;   /* an empty range */
	} else if (rc != 0) {
		return rc;
	} else {
		from = days < 0 ? 0 : (int32_t)(now - days);
	}
	if ((rc = ms_cg_chart(st, a.id, from, now, digits, &doc)) != 0)
		return rc;
	return ms_cg_send(res, doc);
}

static const struct ms_route route = {
	.name = "cg_market_chart",
	.pattern = "/api/v3/coins/{id}/market_chart",
	.methods = "GET, HEAD",
	.path_params = path_params,
	.n_path_params = sizeof(path_params) / sizeof(path_params[0]),
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "CoinGecko-compatible: price, market cap and volume history",
};

MS_FUNCTION(route, cg_market_chart)
