/*
 * GET /v1/assets/{id}/ohlcv — daily, weekly or monthly bars of an asset.
 *
 * Methods: GET, HEAD.
 * Path: id — asset id or symbol (as in /v1/assets/{id}).
 * Parameters (all optional):
 *   from      date; default: to - 365 days (day), to - 1095 days (week),
 *             the first bar (month)
 *   to        date; default and upper bound: as_of
 *   interval  day (default) | week | month
 *   as_of     date; no bar after it is read (default: last day in store)
 * Weeks are ISO weeks (Monday to Sunday) dated by their Monday; months are
 * dated by their first day. An aggregated bar has open = the first day's
 * open, high/low = the extremes of the known daily highs/lows, close and
 * market_cap = the last day's, volume = the sum of the known volumes, and
 * `days` (bars in it) and `last_date`, so a partial period — at the edges
 * of the range or cut by as_of — is visible.
 * 200: data {id, symbol, name, interval, from, to, bars: [{date, open, high,
 *      low, close, volume, market_cap, source[, days, last_date]}]}.
 * Problems: 400 invalid-parameters (from after to), 404 asset-not-found,
 *           404 no-data, 405, 503.
 */
#include <math.h>
#include <stdlib.h>

#include "ms_api.h"
#include "ms_error.h"
#include "ms_function.h"
#include "ms_json.h"

static const char *const intervals[] = { "day", "week", "month", NULL };
enum { IV_DAY, IV_WEEK, IV_MONTH };

static const struct ms_param_spec path_params[] = {
	MS_PATH_ID,
};

static const struct ms_param_spec params[] = {
	{ .name = "from", .type = MS_PARAM_DATE, .doc = "first day (inclusive)" },
	{ .name = "to", .type = MS_PARAM_DATE,
	  .doc = "last day (inclusive); capped at as_of" },
	{ .name = "interval", .type = MS_PARAM_ENUM, .choices = intervals,
	  .def = "day", .doc = "bar length: day, week or month" },
	MS_PARAM_AS_OF,
};

/* The first day of the period containing day. */
static int32_t
period_start(int interval, int32_t day)
{
	int y, m, d;

	switch (interval) {
	case IV_WEEK:
		return day - ms_date_weekday(day);
	case IV_MONTH:
		ms_date_to_ymd(day, &y, &m, &d);
		return ms_date_from_ymd(y, m, 1);
	default:
		return day;
	}
}

static double
nan_max(double a, double b)
{
	if (isnan(a))
		return b;
	if (isnan(b))
		return a;
	return a > b ? a : b;
}

static double
nan_min(double a, double b)
{
	if (isnan(a))
		return b;
	if (isnan(b))
		return a;
	return a < b ? a : b;
}

static double
nan_sum(double a, double b)
{
	if (isnan(a))
		return b;
	if (isnan(b))
		return a;
	return a + b;
}

static void
emit_bar(struct ms_store *st, cJSON *arr, const struct ms_bar *b,
    int interval, int32_t start, int days)
{
	char srcname[MS_SOURCE_NAME_MAX];
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return;
	cJSON_AddItemToArray(arr, o);
	ms_json_date(o, "date", start);
	ms_json_num(o, "open", b->open);
	ms_json_num(o, "high", b->high);
	ms_json_num(o, "low", b->low);
	ms_json_num(o, "close", b->close);
	ms_json_num(o, "volume", b->volume);
	ms_json_num(o, "market_cap", b->market_cap);
	ms_json_str(o, "source",
	    ms_api_source_name(st, b->source_id, srcname, sizeof(srcname)));
	if (interval != IV_DAY) {
		ms_json_int(o, "days", days);
		ms_json_date(o, "last_date", b->day);
	}
}

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	const struct ms_param_value *id = ms_request_path_param(req, "id");
	const struct ms_param_value *pfrom = ms_request_param(req, "from");
	const struct ms_param_value *pto = ms_request_param(req, "to");
	int interval = ms_request_param(req, "interval")->choice;
	struct ms_store *st = ms_ctx_store(ctx, res, req);
	struct ms_source_set sources = { .n = 0 };
	struct ms_resolution how;
	struct ms_asset a;
	struct ms_bar *bars = NULL, agg;
	size_t n = 0;
	int32_t as_of, from, to;
	int rc;
	cJSON *data, *arr;

	if (st == NULL)
		return 0;
	if ((rc = ms_api_as_of(st, req, res, &as_of)) != 0)
		return rc == MS_ERR_NODATA ? 0 : rc;
	to = pto->present && pto->day < as_of ? pto->day : as_of;
	if (pfrom->present)
		from = pfrom->day;
	else if (interval == IV_DAY)
		from = to - 365;
	else if (interval == IV_WEEK)
		from = to - 1095;
	else
		from = MS_DATE_MIN;
	if (from > to) {
		struct ms_invalid_param ip = { "from",
		    "must not be after `to` (or after as_of)" };
		return ms_response_problem(res, MS_PROBLEM_INVALID_PARAMS,
		    "the date range is empty", &ip, 1, req);
	}
	rc = ms_api_resolve(st, req, res, "id", id->s, as_of, &a, &how);
	if (rc != 0)
		return rc == MS_ERR_NOTFOUND ? 0 : rc;
	if ((rc = ms_market_bars(st, a.id, from, to, &bars, &n)) != 0)
		return rc;

	if ((data = cJSON_CreateObject()) == NULL) {
		free(bars);
		return MS_ERR_NOMEM;
	}
	ms_api_asset_fields(data, &a);
	ms_json_str(data, "interval", intervals[interval]);
	ms_json_date(data, "from", from);
	ms_json_date(data, "to", to);
	ms_api_resolution_fields(data, &how);
	arr = cJSON_AddArrayToObject(data, "bars");
	for (size_t i = 0; arr != NULL && i < n;) {
		int32_t start = period_start(interval, bars[i].day);
		int days = 0;
		agg = bars[i];
		for (; i < n && period_start(interval, bars[i].day) == start; i++) {
			const struct ms_bar *b = &bars[i];
			if (days > 0) {
				agg.high = nan_max(agg.high, b->high);
				agg.low = nan_min(agg.low, b->low);
				agg.volume = nan_sum(agg.volume, b->volume);
				agg.close = b->close;
				agg.market_cap = b->market_cap;
				agg.day = b->day;
				agg.source_id = b->source_id;
			}
			ms_source_set_add(&sources, b->source_id);
			days++;
		}
		emit_bar(st, arr, &agg, interval, start, days);
	}
	free(bars);
	return ms_api_send(st, req, res, data, as_of, &sources, 0, 0, 0);
}

static const struct ms_route route = {
	.name = "v1_asset_ohlcv",
	.pattern = "/v1/assets/{id}/ohlcv",
	.methods = "GET, HEAD",
	.path_params = path_params,
	.n_path_params = sizeof(path_params) / sizeof(path_params[0]),
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "daily, weekly or monthly OHLCV bars of one asset",
};

MS_FUNCTION(route, v1_asset_ohlcv)
