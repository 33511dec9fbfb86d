/*
 * GET /v1/health — is the store reachable, and what does it hold?
 *
 * Methods: GET, HEAD.
 * Parameters: as_of (date, optional): report the data range up to that day.
 * 200: data {status "ok", schema_version, data_version,
 *      data {first_date, last_date, assets, bars}, data_age_days,
 *      build_version}. data_age_days is today (UTC) minus last_date, null
 *      for an empty store.
 * Problems: 400 invalid-parameters, 405, 503 store-unavailable.
 */
#include "ms_api.h"
#include "ms_error.h"
#include "ms_function.h"
#include "ms_json.h"
#include "ms_store.h"

static const struct ms_param_spec params[] = {
	MS_PARAM_AS_OF,
};

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	const struct ms_param_value *as_of = ms_request_param(req, "as_of");
	struct ms_store *st = ms_ctx_store(ctx, res, req);
	struct ms_data_range r;
	int64_t dv;
	int schema, rc;
	cJSON *data, *d;

	if (st == NULL)
		return 0;
	if ((rc = ms_market_range(st, as_of->present ? as_of->day : -1, &r)) != 0)
		return rc;
	if ((rc = ms_store_schema_version(st, &schema)) != 0)
		return rc;
	if ((rc = ms_store_data_version(st, &dv)) != 0)
		return rc;
	if ((data = cJSON_CreateObject()) == NULL)
		return MS_ERR_NOMEM;
	ms_json_str(data, "status", "ok");
	ms_json_int(data, "schema_version", schema);
	ms_json_int(data, "data_version", dv);
	if ((d = cJSON_AddObjectToObject(data, "data")) != NULL) {
		ms_json_date(d, "first_date", r.first_day);
		ms_json_date(d, "last_date", r.last_day);
		ms_json_int(d, "assets", r.assets);
		ms_json_int(d, "bars", r.bars);
	}
	if (r.last_day >= 0)
		ms_json_int(data, "data_age_days",
		    (int64_t)ms_date_today() - r.last_day);
	else
		cJSON_AddNullToObject(data, "data_age_days");
	ms_json_str(data, "build_version", MS_VERSION);
	return ms_api_send(st, req, res, data,
	    as_of->present ? as_of->day : r.last_day, NULL, 0, 0, 0);
}

static const struct ms_route route = {
	.name = "v1_health",
	.pattern = "/v1/health",
	.methods = "GET, HEAD",
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "store reachability, schema and data versions, data range and age",
};

MS_FUNCTION(route, v1_health)
