/*
 * GET /api/v3/coins/{id}/ohlc — CoinGecko's OHLC candles of one coin,
 * going back `days` from now, built from Moonscope's daily bars.
 *
 * Methods: GET, HEAD.
 * Path: id — a Moonscope asset id (e.g. ripple); unknown: 404.
 * Parameters (CoinGecko's):
 *   vs_currency   required; usd only
 *   days          required: 1, 7, 14, 30, 90, 180, 365 or max
 *   interval      daily, or absent (automatic candle size)
 *   precision     full | 0..18 decimals
 *   x_cg_demo_api_key, x_cg_pro_api_key   accepted, not checked
 * "Now" is the close of the last day L in the store; the window is the
 * days L - days + 1 .. L (max: from the coin's first bar).
 * Candle size (CoinGecko's automatic rule: 30 minutes for 1-2 days, 4
 * hours for 3-30 days, 4 days from 31 days on): days 1..30 give one candle
 * per daily bar (the finest Moonscope has); days >= 90 and max give
 * 4-day candles, the blocks of 4 days ending on L, L - 4, L - 8, ... (the
 * oldest may be cut by the window); interval=daily gives daily candles for
 * any days. A candle is [ms, open, high, low, close]: ms is its close
 * instant (00:00 UTC after its last day, CoinGecko's "timestamp is the
 * close time"), open the open of its first bar, close the close of its
 * last bar, high/low the extremes of its bars — null where a bar lacks
 * them (close-only sources such as CoinGecko snapshots). A block without
 * any bar gives no candle.
 * Moonscope extension: as_of=YYYY-MM-DD answers as known at the end of
 * that UTC day (it is then "now"; no later row is read); 400 "invalid
 * as_of" when it is not such a date.
 * 200: [[ms, open, high, low, close]...], oldest first.
 * Errors ({"error": ...}): 404 "coin not found"; 422 "Missing parameter
 *      vs_currency" / "days"; 400 "invalid vs_currency", "invalid days",
 *      "invalid interval" (hourly: no intraday data), "invalid precision";
 *      503.
 */
#include <math.h>
#include <stdlib.h>

#include "ms_cg.h"
#include "ms_error.h"
#include "ms_function.h"

static const struct ms_param_spec path_params[] = {
	MS_CG_PATH_ID,
};

static const struct ms_param_spec params[] = {
	MS_CG_PARAM_VS_CURRENCY,
	MS_CG_PARAM("days", 16,
	    "days back from now (required): 1, 7, 14, 30, 90, 180, 365, max"),
	MS_CG_PARAM("interval", 16, "daily, or absent for automatic"),
	MS_CG_PARAM_PRECISION,
	MS_CG_PARAM_AS_OF,
	MS_CG_PARAM_KEYS,
};

#define BLOCK 4   /* days per candle from 31 days on */

/* Appends the candle of bars[0..n) closing at the end of last_day. */
static int
add_candle(cJSON *doc, const struct ms_bar *bars, size_t n, int32_t last_day,
    int digits)
{
	double high = bars[0].high, low = bars[0].low;
	cJSON *c = cJSON_CreateArray();

	for (size_t i = 1; i < n; i++) {
		high = isnan(high) || isnan(bars[i].high) ? NAN :
		    fmax(high, bars[i].high);
		low = isnan(low) || isnan(bars[i].low) ? NAN :
		    fmin(low, bars[i].low);
	}
	if (c == NULL || !cJSON_AddItemToArray(doc, c)) {
		cJSON_Delete(c);
		return MS_ERR_NOMEM;
	}
	cJSON_AddItemToArray(c, ms_cg_integer(ms_cg_close_ms(last_day)));
	cJSON_AddItemToArray(c, ms_cg_number(ms_cg_round(bars[0].open, digits)));
	cJSON_AddItemToArray(c, ms_cg_number(ms_cg_round(high, digits)));
	cJSON_AddItemToArray(c, ms_cg_number(ms_cg_round(low, digits)));
	cJSON_AddItemToArray(c,
	    ms_cg_number(ms_cg_round(bars[n - 1].close, digits)));
	return 0;
}

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	static const char *const day_choices[] = {
		"1", "7", "14", "30", "90", "180", "365", "max", NULL
	};
	static const int day_values[] = { 1, 7, 14, 30, 90, 180, 365, -1 };
	static const char *const intervals[] = { "daily", NULL };
	const struct ms_param_value *id = ms_request_path_param(req, "id");
	struct ms_store *st;
	int32_t as_of;
	struct ms_asset a;
	struct ms_bar *bars = NULL;
	size_t n = 0, i, j;
	const char *days_s;
	int32_t now, from, block;
	int rc, d, interval, digits;
	cJSON *doc;

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
	    (rc = ms_cg_choice(req, res, "days", day_choices, 0, &d)) != 0 ||
	    (rc = ms_cg_choice(req, res, "interval", intervals, -1,
	    &interval)) != 0 ||
	    (rc = ms_cg_precision(req, res, &digits)) != 0)
		return MS_CG_DONE(rc);
	if ((doc = cJSON_CreateArray()) == NULL)
		return MS_ERR_NOMEM;
	rc = ms_cg_day(st, as_of, &now);
	if (rc == MS_ERR_NODATA)
		return ms_cg_send(res, doc);
	from = day_values[d] < 0 ? 0 : now - day_values[d] + 1;
	block = interval == 0 || (day_values[d] > 0 && day_values[d] <= 30) ?
	    1 : BLOCK;
	if (rc == 0)
		rc = ms_market_bars(st, a.id, from, now, &bars, &n);
	/*
	 * Blocks end on now, now - block, ...: the block of day x ends on
	 * now - ((now - x) / block) * block. Walk the bars oldest first,
	 * grouping those of one block.
	 */
	for (i = 0; rc == 0 && i < n; i = j) {
		int32_t end = now - ((now - bars[i].day) / block) * block;

		for (j = i + 1; j < n && bars[j].day <= end; j++)
			;
		rc = add_candle(doc, bars + i, j - i, end, digits);
	}
	free(bars);
	if (rc != 0) {
		cJSON_Delete(doc);
		return rc;
	}
	return ms_cg_send(res, doc);
}

static const struct ms_route route = {
	.name = "cg_ohlc",
	.pattern = "/api/v3/coins/{id}/ohlc",
	.methods = "GET, HEAD",
	.path_params = path_params,
	.n_path_params = sizeof(path_params) / sizeof(path_params[0]),
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "CoinGecko-compatible: OHLC candles from daily bars",
};

MS_FUNCTION(route, cg_ohlc)
