/*
 * GET /v1/target — can an asset reach a price? The required multiple, the
 * market cap it implies compared with the whole crypto market and with the
 * largest companies, and each model's probability of touching the price
 * within given horizons.
 *
 * Methods: GET, HEAD.
 * Parameters:
 *   id         required: asset id or symbol
 *   price      required: target price, USD, > 0
 *   horizons   comma-separated days, 1..3660 each, up to 8 (default
 *              365,1825,3650 — 1, 5 and 10 years)
 *   max_supply optional number > 0: for the fully diluted value
 *   as_of      date: everything from data known at the end of that day
 * Formulas, models and sources: docs/models/target.md.
 * 200: data {id, symbol, name, date, price, target, required_multiple,
 *      required_change_pct, market_cap, circulating_supply,
 *      implied_market_cap, max_supply, implied_fully_diluted_value,
 *      crypto_market {total_market_cap, assets, implied_vs_total},
 *      companies {snapshot_date, postdates_as_of, top: [{rank, name, symbol,
 *      market_cap}], top_total, implied_vs_top_total, implied_vs_largest}
 *      (null when no company table was imported),
 *      probabilities: [{model, used, fallback_reason, inputs {window,
 *      observations, drift, sigma_daily, sigma_annual}, horizons: [{days,
 *      touch, end_above, method, paths, touch_se, end_above_se}]}]}
 * Problems: 400 invalid-parameters, 404 asset-not-found, 404 no-data,
 *           405, 503.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ms_api.h"
#include "ms_error.h"
#include "ms_forecast.h"
#include "ms_function.h"
#include "ms_json.h"
#include "ms_target.h"

#define MAX_HORIZONS 8

static const struct ms_param_spec params[] = {
	{ .name = "id", .type = MS_PARAM_SLUG, .required = 1, .max_len = 80,
	  .doc = "asset id or symbol" },
	{ .name = "price", .type = MS_PARAM_NUMBER, .required = 1,
	  .min_d = 1e-12, .max_d = 1e12, .doc = "target price, USD" },
	{ .name = "horizons", .type = MS_PARAM_LIST, .max_len = 4,
	  .max_items = MAX_HORIZONS, .def = "365,1825,3650",
	  .doc = "days within which the price is to be touched" },
	{ .name = "max_supply", .type = MS_PARAM_NUMBER, .min_d = 1,
	  .max_d = 1e18, .doc = "maximum supply, for the fully diluted value" },
	MS_PARAM_AS_OF,
};

static const struct ms_param_spec horizon_spec = {
	.name = "horizons", .type = MS_PARAM_INT, .min_i = 1, .max_i = 3660,
};

static int
cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Sum of the known market caps of the assets listed as of day. */
static int
crypto_total(struct ms_store *st, int32_t day, double *total, size_t *n)
{
	struct ms_listing_row *rows = NULL;
	size_t nrows = 0;
	int rc;

	*total = 0;
	*n = 0;
	if ((rc = ms_market_listing(st, day, &rows, &nrows)) != 0)
		return rc;
	for (size_t i = 0; i < nrows; i++)
		if (rows[i].bar.market_cap > 0) {
			*total += rows[i].bar.market_cap;
			(*n)++;
		}
	free(rows);
	return 0;
}

static void
add_companies(struct ms_store *st, cJSON *data, int32_t as_of,
    double implied)
{
	struct ms_company top[4];
	size_t n = 0;
	int32_t snap;
	int after;
	double sum = 0;
	cJSON *c, *arr;

	if (ms_market_companies(st, as_of, 4, top, &n, &snap, &after) != 0 ||
	    n == 0) {
		cJSON_AddNullToObject(data, "companies");
		return;
	}
	if ((c = cJSON_AddObjectToObject(data, "companies")) == NULL)
		return;
	ms_json_date(c, "snapshot_date", snap);
	ms_json_bool(c, "postdates_as_of", after);
	arr = cJSON_AddArrayToObject(c, "top");
	for (size_t i = 0; arr != NULL && i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		if (o == NULL)
			break;
		cJSON_AddItemToArray(arr, o);
		ms_json_int(o, "rank", top[i].rank);
		ms_json_str(o, "name", top[i].name);
		ms_json_str(o, "symbol", top[i].symbol[0] ? top[i].symbol : NULL);
		ms_json_num(o, "market_cap", top[i].market_cap);
		sum += top[i].market_cap;
	}
	ms_json_num(c, "top_total", sum);
	ms_json_num(c, "implied_vs_top_total", sum > 0 ? implied / sum : NAN);
	ms_json_num(c, "implied_vs_largest",
	    top[0].market_cap > 0 ? implied / top[0].market_cap : NAN);
}

static void
add_model(cJSON *arr, const struct ms_forecast_fit *fit,
    const struct ms_target_prob *p, size_t nh)
{
	cJSON *o = cJSON_CreateObject(), *in, *hs;

	if (o == NULL)
		return;
	cJSON_AddItemToArray(arr, o);
	ms_json_str(o, "model", ms_forecast_model_name(fit->model));
	ms_json_str(o, "used", ms_forecast_model_name(fit->used));
	ms_json_str(o, "fallback_reason", fit->fallback ? fit->fallback_reason : NULL);
	if ((in = cJSON_AddObjectToObject(o, "inputs")) != NULL) {
		ms_json_int(in, "window", (int64_t)fit->window);
		ms_json_int(in, "observations", (int64_t)fit->nobs);
		ms_json_num(in, "drift", fit->drift);
		ms_json_num(in, "sigma_daily", fit->sigma);
		ms_json_num(in, "sigma_annual",
		    fit->sigma * sqrt(MS_FORECAST_DAYS_PER_YEAR));
	}
	if ((hs = cJSON_AddArrayToObject(o, "horizons")) == NULL)
		return;
	for (size_t i = 0; i < nh; i++) {
		cJSON *h = cJSON_CreateObject();
		if (h == NULL)
			return;
		cJSON_AddItemToArray(hs, h);
		ms_json_int(h, "days", p[i].horizon);
		ms_json_num(h, "touch", p[i].touch);
		ms_json_num(h, "end_above", p[i].above);
		ms_json_str(h, "method", p[i].method == MS_FORECAST_MONTE_CARLO ?
		    "monte_carlo" : "closed_form");
		ms_json_int(h, "paths", (int64_t)p[i].paths);
		ms_json_num(h, "touch_se", p[i].touch_se);
		ms_json_num(h, "end_above_se", p[i].above_se);
	}
}

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	const struct ms_param_value *id = ms_request_param(req, "id");
	double target = ms_request_param(req, "price")->d;
	const struct ms_param_value *ph = ms_request_param(req, "horizons");
	const struct ms_param_value *pmax = ms_request_param(req, "max_supply");
	struct ms_store *st = ms_ctx_store(ctx, res, req);
	struct ms_source_set sources = { .n = 0 };
	struct ms_target_basic tb;
	struct ms_resolution how;
	struct ms_asset a;
	struct ms_bar bar;
	int horizons[MAX_HORIZONS];
	size_t nh = 0, ncap;
	double *closes = NULL, total;
	int32_t as_of;
	int rc;
	cJSON *data = NULL, *cm, *arr;

	if (st == NULL)
		return 0;
	for (size_t i = 0; i < ph->nitems; i++) {
		struct ms_param_value v;
		const char *why;
		memset(&v, 0, sizeof(v));
		if (ms_param_validate(&horizon_spec, ph->items[i],
		    strlen(ph->items[i]), &v, &why) != 0) {
			struct ms_invalid_param ip = { "horizons",
			    "every horizon must be a whole number of days, 1..3660" };
			return ms_response_problem(res, MS_PROBLEM_INVALID_PARAMS,
			    "a horizon is not a number of days from 1 to 3660",
			    &ip, 1, req);
		}
		horizons[nh++] = (int)v.i;
	}
	qsort(horizons, nh, sizeof(int), cmp_int);
	for (size_t i = 1; i < nh; i++)
		if (horizons[i] == horizons[i - 1]) {
			struct ms_invalid_param ip = { "horizons",
			    "horizons must be distinct" };
			return ms_response_problem(res, MS_PROBLEM_INVALID_PARAMS,
			    "a horizon is repeated", &ip, 1, req);
		}
	if ((rc = ms_api_as_of(st, req, res, &as_of)) != 0)
		return rc == MS_ERR_NODATA ? 0 : rc;
	rc = ms_api_resolve(st, req, res, "id", id->s, as_of, &a, &how);
	if (rc != 0)
		return rc == MS_ERR_NOTFOUND ? 0 : rc;
	if ((rc = ms_api_bar_on_day(st, req, res, &a, as_of, &bar)) != 0)
		return rc == MS_ERR_NODATA ? 0 : rc;
	ms_source_set_add(&sources, bar.source_id);
	if ((rc = ms_target_basic(bar.close, bar.market_cap,
	    pmax->present ? pmax->d : NAN, target, &tb)) != 0)
		return rc;
	if ((rc = crypto_total(st, as_of, &total, &ncap)) != 0)
		return rc;

	if ((data = cJSON_CreateObject()) == NULL)
		return MS_ERR_NOMEM;
	ms_api_asset_fields(data, &a);
	ms_api_resolution_fields(data, &how);
	ms_json_date(data, "date", as_of);
	ms_json_num(data, "price", tb.price);
	ms_json_num(data, "target", tb.target);
	ms_json_num(data, "required_multiple", tb.multiple);
	ms_json_num(data, "required_change_pct", tb.change_pct);
	ms_json_num(data, "market_cap", tb.market_cap);
	ms_json_num(data, "circulating_supply", tb.supply);
	ms_json_num(data, "implied_market_cap", tb.implied_market_cap);
	ms_json_num(data, "max_supply", tb.max_supply);
	ms_json_num(data, "implied_fully_diluted_value", tb.implied_fdv);
	if ((cm = cJSON_AddObjectToObject(data, "crypto_market")) != NULL) {
		ms_json_num(cm, "total_market_cap", ncap ? total : NAN);
		ms_json_int(cm, "assets", (int64_t)ncap);
		ms_json_num(cm, "implied_vs_total",
		    total > 0 ? tb.implied_market_cap / total : NAN);
	}
	add_companies(st, data, as_of, tb.implied_market_cap);

	arr = cJSON_AddArrayToObject(data, "probabilities");
	if ((rc = ms_market_closes(st, a.id, as_of,
	    MS_FORECAST_DEFAULT_GARCH_WINDOW + 1, &closes)) != 0) {
		cJSON_Delete(data);
		return rc;
	}
	for (int m = 0; m < MS_FORECAST_NMODELS && arr != NULL; m++) {
		struct ms_forecast_params fp;
		struct ms_forecast_fit fit;
		struct ms_target_prob probs[MAX_HORIZONS];
		ms_forecast_params_default((enum ms_forecast_model)m, &fp);
		fp.horizon = horizons[nh - 1];
		rc = ms_forecast_fit(closes, MS_FORECAST_DEFAULT_GARCH_WINDOW + 1,
		    &fp, &fit);
		if (rc == MS_ERR_NODATA || rc == MS_ERR_RANGE)
			continue;
		if (rc == 0)
			rc = ms_target_probs(&fit, &fp, target, horizons, nh, probs);
		if (rc != 0) {
			free(closes);
			cJSON_Delete(data);
			return rc;
		}
		add_model(arr, &fit, probs, nh);
	}
	free(closes);
	return ms_api_send(st, req, res, data, as_of, &sources, 0, 0, 0);
}

static const struct ms_route route = {
	.name = "v1_target",
	.pattern = "/v1/target",
	.methods = "GET, HEAD",
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "can an asset reach a price: multiple, implied market cap, touch probabilities",
};

MS_FUNCTION(route, v1_target)
