/*
 * GET /api/v3/coins/{id}/market_chart/range — CoinGecko's price,
 * market-cap and volume history of one coin between two instants.
 *
 * Methods: GET, HEAD.
 * Path: id — a Moonscope asset id (e.g. ripple); unknown: 404.
 * Parameters (CoinGecko's):
 *   vs_currency   required; usd only
 *   from, to      required: UNIX seconds, or an ISO date YYYY-MM-DD or
 *                 YYYY-MM-DDTHH:MM (UTC); from <= to
 *   interval      daily, or absent (automatic granularity)
 *   precision     full | 0..18 decimals of prices
 *   x_cg_demo_api_key, x_cg_pro_api_key   accepted, not checked
 * Points are daily: one per bar, at its close instant (00:00 UTC of the
 * next day), for every bar whose close instant is within [from, to]. So a
 * point stamped 00:00 UTC of date D is the close of D - 1, CoinGecko's
 * own daily convention. CoinGecko gives hourly points for ranges within
 * 90 days (5-minutely within one day of now); Moonscope has daily bars
 * only and returns them for every range.
 * Moonscope extension: as_of=YYYY-MM-DD answers as known at the end of
 * that UTC day (it is then "now"; no later row is read); 400 "invalid
 * as_of" when it is not such a date.
 * 200: {"prices", "market_caps", "total_volumes"} as in market_chart.
 * Errors ({"error": ...}): 404 "coin not found"; 422 "Missing parameter
 *      vs_currency" / "from" / "to"; 400 "invalid vs_currency", "invalid
 *      from", "invalid to" (unparsable, or to before from), "invalid
 *      interval", "invalid precision"; 503.
 */
#include "ms_cg.h"
#include "ms_error.h"
#include "ms_function.h"

static const struct ms_param_spec path_params[] = {
	MS_CG_PATH_ID,
};

static const struct ms_param_spec params[] = {
	MS_CG_PARAM_VS_CURRENCY,
	MS_CG_PARAM("from", 32,
	    "start (required): UNIX seconds or YYYY-MM-DD[THH:MM]"),
	MS_CG_PARAM("to", 32, "end (required): UNIX seconds or YYYY-MM-DD[THH:MM]"),
	MS_CG_PARAM("interval", 16, "daily, or absent for automatic"),
	MS_CG_PARAM_PRECISION,
	MS_CG_PARAM_AS_OF,
	MS_CG_PARAM_KEYS,
};

/* The first day whose close instant (day + 1) * 86400 is >= secs. */
static int32_t
first_day(int64_t secs)
{
	return (int32_t)((secs + 86399) / 86400 - 1);
}

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	static const char *const intervals[] = { "daily", NULL };
	const struct ms_param_value *id = ms_request_path_param(req, "id");
	struct ms_store *st;
	int32_t as_of;
	struct ms_asset a;
	const char *from_s = NULL, *to_s = NULL;
	int64_t from, to;
	int32_t to_day;
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
	    (rc = ms_cg_required(req, res, "from", &from_s)) != 0 ||
	    (rc = ms_cg_required(req, res, "to", &to_s)) != 0 ||
	    (rc = ms_cg_choice(req, res, "interval", intervals, 0,
	    &interval)) != 0 ||
	    (rc = ms_cg_precision(req, res, &digits)) != 0)
		return MS_CG_DONE(rc);
	if (ms_cg_parse_time(from_s, &from) != 0)
		return MS_CG_DONE(ms_cg_error(res, 400, "invalid from"));
	if (ms_cg_parse_time(to_s, &to) != 0 || to < from)
		return MS_CG_DONE(ms_cg_error(res, 400, "invalid to"));
	/* Bars whose close instant (day + 1) * 86400 lies in [from, to]. */
	/* With as_of, no bar after that day. */
	to_day = (int32_t)(to / 86400 - 1);
	if (as_of >= 0 && to_day > as_of)
		to_day = as_of;
	rc = ms_cg_chart(st, a.id, first_day(from), to_day, digits, &doc);
	if (rc != 0)
		return rc;
	return ms_cg_send(res, doc);
}

static const struct ms_route route = {
	.name = "cg_market_chart_range",
	.pattern = "/api/v3/coins/{id}/market_chart/range",
	.methods = "GET, HEAD",
	.path_params = path_params,
	.n_path_params = sizeof(path_params) / sizeof(path_params[0]),
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "CoinGecko-compatible: history between two instants",
};

MS_FUNCTION(route, cg_market_chart_range)
