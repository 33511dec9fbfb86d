/*
 * GET /v1/price — latest prices of several assets at once.
 *
 * Methods: GET, HEAD.
 * Parameters: exactly one of
 *   ids      comma-separated asset ids (slugs), 1..100
 *   symbols  comma-separated symbols, 1..100; a symbol shared by several
 *            assets resolves to the largest by market cap as of the day,
 *            and the row says so (resolved_by "symbol", candidates)
 * and as_of (date, optional).
 * An id is also accepted as a symbol and vice versa (ids are tried first),
 * so `ids=xrp` finds ripple; the row's resolved_by tells which matched.
 * 200: data [ {query, id, symbol, name, price, market_cap, volume, date,
 *      source, resolved_by, candidates?} ] in request order; a key that
 *      matches nothing, or has no data as of the day, gives
 *      {query, id: null, error: "not_found" | "no_data"}.
 * Problems: 400 invalid-parameters (neither or both of ids/symbols, bad
 *           items), 404 asset-not-found when no key matches, 405, 503.
 */
#include <stdio.h>

#include "ms_api.h"
#include "ms_error.h"
#include "ms_function.h"
#include "ms_json.h"

static const struct ms_param_spec params[] = {
	{ .name = "ids", .type = MS_PARAM_LIST, .max_len = 80, .max_items = 100,
	  .doc = "comma-separated asset ids" },
	{ .name = "symbols", .type = MS_PARAM_LIST, .max_len = 32,
	  .max_items = 100, .doc = "comma-separated symbols" },
	MS_PARAM_AS_OF,
};

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	const struct ms_param_value *ids = ms_request_param(req, "ids");
	const struct ms_param_value *syms = ms_request_param(req, "symbols");
	const struct ms_param_value *keys = ids->present ? ids : syms;
	struct ms_store *st;
	struct ms_source_set sources = { .n = 0 };
	size_t found = 0;
	int32_t as_of;
	int rc;
	cJSON *data;

	if (ids->present == syms->present) {
		struct ms_invalid_param ip[] = {
			{ "ids", "give exactly one of ids and symbols" },
			{ "symbols", "give exactly one of ids and symbols" },
		};
		return ms_response_problem(res, MS_PROBLEM_INVALID_PARAMS,
		    ids->present ? "both ids and symbols were given"
		    : "ids or symbols is required", ip, 2, req);
	}
	if ((st = ms_ctx_store(ctx, res, req)) == NULL)
		return 0;
	if ((rc = ms_api_as_of(st, req, res, &as_of)) != 0)
		return rc == MS_ERR_NODATA ? 0 : rc;
	if ((data = cJSON_CreateArray()) == NULL)
		return MS_ERR_NOMEM;
	for (size_t i = 0; i < keys->nitems; i++) {
		struct ms_resolution how;
		struct ms_asset a;
		struct ms_bar bar;
		char srcname[MS_SOURCE_NAME_MAX];
		cJSON *o = cJSON_CreateObject();

		if (o == NULL) {
			cJSON_Delete(data);
			return MS_ERR_NOMEM;
		}
		cJSON_AddItemToArray(data, o);
		ms_json_str(o, "query", keys->items[i]);
		rc = ms_market_resolve(st, keys->items[i], as_of, &a, &how);
		if (rc == 0)
			rc = ms_market_bar_at(st, a.id, as_of, &bar);
		if (rc == MS_ERR_NOTFOUND || rc == MS_ERR_NODATA) {
			cJSON_AddNullToObject(o, "id");
			ms_json_str(o, "error", rc == MS_ERR_NOTFOUND ?
			    "not_found" : "no_data");
			continue;
		}
		if (rc != 0) {
			cJSON_Delete(data);
			return rc;
		}
		found++;
		ms_api_asset_fields(o, &a);
		ms_json_num(o, "price", bar.close);
		ms_json_num(o, "market_cap", bar.market_cap);
		ms_json_num(o, "volume", bar.volume);
		ms_json_date(o, "date", bar.day);
		ms_json_str(o, "source", ms_api_source_name(st, bar.source_id,
		    srcname, sizeof(srcname)));
		ms_api_resolution_fields(o, &how);
		ms_source_set_add(&sources, bar.source_id);
	}
	if (found == 0) {
		cJSON_Delete(data);
		struct ms_invalid_param ip = { ids->present ? "ids" : "symbols",
		    "no listed asset matches any of the keys" };
		return ms_response_problem(res, MS_PROBLEM_ASSET_NOT_FOUND,
		    "none of the requested assets has data as of this day",
		    &ip, 1, req);
	}
	return ms_api_send(st, req, res, data, as_of, &sources, 0, 0, 0);
}

static const struct ms_route route = {
	.name = "v1_price",
	.pattern = "/v1/price",
	.methods = "GET, HEAD",
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "prices of several assets by id or symbol",
};

MS_FUNCTION(route, v1_price)
