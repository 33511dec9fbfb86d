/*
 * GET /v1/assets/{id} — one asset as known at the end of a day.
 *
 * Methods: GET, HEAD.
 * Path: id — asset id (slug, e.g. ripple) or symbol (e.g. XRP),
 *       case-insensitive; an id wins over a symbol, and a symbol shared by
 *       several assets resolves to the largest by market cap as of the day
 *       (resolved_by "symbol", candidates listed).
 * Parameters: as_of (date, optional; default the last day in the store).
 * 200: data {id, symbol, name, categories[], date, open, high, low, close,
 *      volume, market_cap, change {d1, d7, d30, d90}, ath {price, date,
 *      drawdown}, supply, first_date, last_date, stale_days, source,
 *      resolved_by, candidates?}. Unknown values are null.
 *      - date: the day of the last bar at or before as_of.
 *      - change.dK: close / close(date - K) - 1, where close(date - K) is
 *        the bar on that day or the last one at most floor(K/10) days older.
 *      - ath: highest high (close where high is unknown) up to date, the
 *        first day it was reached, and drawdown = close / ath.price - 1.
 *      - supply: market_cap / close (implied circulating supply).
 * Problems: 400 invalid-parameters, 404 asset-not-found, 404 no-data,
 *           405, 503 store-unavailable.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ms_api.h"
#include "ms_error.h"
#include "ms_function.h"
#include "ms_json.h"

static const struct ms_param_spec path_params[] = {
	MS_PATH_ID,
};

static const struct ms_param_spec params[] = {
	MS_PARAM_AS_OF,
};

static void
add_categories(cJSON *obj, const char *csv)
{
	cJSON *arr = cJSON_AddArrayToObject(obj, "categories");
	const char *p = csv, *comma;
	char item[128];

	if (arr == NULL)
		return;
	while (*p != '\0') {
		comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (n > 0 && n < sizeof(item)) {
			memcpy(item, p, n);
			item[n] = '\0';
			cJSON_AddItemToArray(arr, cJSON_CreateString(item));
		}
		if (comma == NULL)
			break;
		p = comma + 1;
	}
}

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	static const int horizons[] = { 1, 7, 30, 90 };
	const struct ms_param_value *id = ms_request_path_param(req, "id");
	struct ms_store *st = ms_ctx_store(ctx, res, req);
	struct ms_source_set sources = { .n = 0 };
	struct ms_resolution how;
	struct ms_asset a;
	struct ms_bar bar, past;
	char srcname[MS_SOURCE_NAME_MAX], key[8];
	double ath;
	int32_t as_of, ath_day, first;
	int rc;
	cJSON *data, *o;

	if (st == NULL)
		return 0;
	if ((rc = ms_api_as_of(st, req, res, &as_of)) != 0)
		return rc == MS_ERR_NODATA ? 0 : rc;
	rc = ms_api_resolve(st, req, res, "id", id->s, as_of, &a, &how);
	if (rc != 0)
		return rc == MS_ERR_NOTFOUND ? 0 : rc;
	rc = ms_market_bar_at(st, a.id, as_of, &bar);
	if (rc == MS_ERR_NODATA) {
		char date[MS_DATE_LEN + 1], detail[200];
		ms_date_format(as_of, date);
		snprintf(detail, sizeof(detail),
		    "asset '%s' has no data on or before %s", a.slug, date);
		return ms_response_problem(res, MS_PROBLEM_NO_DATA, detail,
		    NULL, 0, req);
	}
	if (rc != 0)
		return rc;
	ms_source_set_add(&sources, bar.source_id);

	if ((data = cJSON_CreateObject()) == NULL)
		return MS_ERR_NOMEM;
	ms_api_asset_fields(data, &a);
	add_categories(data, a.categories);
	ms_json_date(data, "date", bar.day);
	ms_json_num(data, "open", bar.open);
	ms_json_num(data, "high", bar.high);
	ms_json_num(data, "low", bar.low);
	ms_json_num(data, "close", bar.close);
	ms_json_num(data, "volume", bar.volume);
	ms_json_num(data, "market_cap", bar.market_cap);

	o = cJSON_AddObjectToObject(data, "change");
	for (size_t i = 0; o != NULL && i < sizeof(horizons) / sizeof(horizons[0]); i++) {
		int k = horizons[i];
		double ch = NAN;
		rc = ms_market_bar_near(st, a.id, bar.day - k, k / 10, &past);
		if (rc == 0 && past.close > 0 && !isnan(bar.close)) {
			ch = bar.close / past.close - 1.0;
			ms_source_set_add(&sources, past.source_id);
		} else if (rc != 0 && rc != MS_ERR_NODATA) {
			cJSON_Delete(data);
			return rc;
		}
		snprintf(key, sizeof(key), "d%d", k);
		ms_json_num(o, key, ch);
	}

	o = cJSON_AddObjectToObject(data, "ath");
	rc = ms_market_ath(st, a.id, bar.day, &ath, &ath_day);
	if (rc == 0 && o != NULL) {
		ms_json_num(o, "price", ath);
		ms_json_date(o, "date", ath_day);
		ms_json_num(o, "drawdown", ath > 0 ? bar.close / ath - 1.0 : NAN);
	} else if (rc != 0 && rc != MS_ERR_NODATA) {
		cJSON_Delete(data);
		return rc;
	}

	ms_json_num(data, "supply", bar.close > 0 ? bar.market_cap / bar.close : NAN);
	if ((rc = ms_market_first_day(st, a.id, &first)) != 0) {
		cJSON_Delete(data);
		return rc;
	}
	ms_json_date(data, "first_date", first);
	ms_json_date(data, "last_date", bar.day);
	ms_json_int(data, "stale_days", (int64_t)as_of - bar.day);
	ms_json_str(data, "source",
	    ms_api_source_name(st, bar.source_id, srcname, sizeof(srcname)));
	ms_api_resolution_fields(data, &how);
	return ms_api_send(st, req, res, data, as_of, &sources, 0, 0, 0);
}

static const struct ms_route route = {
	.name = "v1_asset",
	.pattern = "/v1/assets/{id}",
	.methods = "GET, HEAD",
	.path_params = path_params,
	.n_path_params = sizeof(path_params) / sizeof(path_params[0]),
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "one asset: latest price, market cap, changes, all-time high, supply",
};

MS_FUNCTION(route, v1_asset)
