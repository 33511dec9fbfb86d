/*
 * GET /v1/forecasts/{id} — price forecasts of one asset at a horizon:
 * quantile fans from four transparent models, with their inputs.
 *
 * Methods: GET, HEAD.
 * Path: id — asset id or symbol.
 * Parameters (all optional):
 *   horizon  integer days 1..3660 (default 30)
 *   model    naive | drift | ewma | garch | all (default all)
 *   window   integer days 31..10000: history used (default 365; garch
 *            1000)
 *   levels   comma-separated prices (1..16): probability of ending above
 *            each
 *   as_of    date: fit on data up to this day only
 * Models and formulas: docs/models/forecasts.md. Deterministic: the garch
 * simulation is seeded (seed and paths are reported).
 * 200: data {id, symbol, name, date, price, horizon, target_date,
 *      forecasts: [{model, used, fallback_reason, method, paths, seed,
 *      quantiles: {p05, p10, p25, p50, p75, p90, p95},
 *      p_above: [{level, probability}],
 *      inputs: {window, observations, skipped_days, mean_log_return,
 *      sample_sd, drift, sigma_daily, sigma_annual, lambda,
 *      garch: {omega, alpha, beta, persistence, log_likelihood,
 *      converged, iterations}}, track_record: {judged, coverage_50,
 *      coverage_90, mape}}]}
 *      track_record scores this model's forecasts at this horizon that
 *      `moonscope daily` recorded on earlier days and whose target day is
 *      on or before as_of: the share of outcomes inside the 50 % (q25–q75)
 *      and 90 % (q05–q95) intervals, against nominal 0.5 and 0.9, and the
 *      mean absolute percentage error of the median; nulls with judged 0
 *      when there is nothing to score yet.
 * Problems: 400 invalid-parameters, 404 asset-not-found, 404 no-data (no
 *           bar on as_of, or too little history), 405, 503.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ms_api.h"
#include "ms_error.h"
#include "ms_forecast.h"
#include "ms_function.h"
#include "ms_json.h"
#include "ms_record.h"

static const char *const models[] = { "naive", "drift", "ewma", "garch",
	"all", NULL };
#define MODEL_ALL 4
#define MAX_LEVELS 16

static const struct ms_param_spec path_params[] = {
	MS_PATH_ID,
};

static const struct ms_param_spec params[] = {
	{ .name = "horizon", .type = MS_PARAM_INT, .min_i = 1, .max_i = 3660,
	  .def = "30", .doc = "days ahead" },
	{ .name = "model", .type = MS_PARAM_ENUM, .choices = models,
	  .def = "all", .doc = "naive, drift, ewma, garch or all" },
	{ .name = "window", .type = MS_PARAM_INT, .min_i = 31, .max_i = 10000,
	  .doc = "days of history used (default 365; garch 1000)" },
	{ .name = "levels", .type = MS_PARAM_LIST, .max_len = 24,
	  .max_items = MAX_LEVELS, .doc = "prices: probability of ending above each" },
	MS_PARAM_AS_OF,
};

/* Each level item must be a positive number; validated like any NUMBER. */
static const struct ms_param_spec level_spec = {
	.name = "levels", .type = MS_PARAM_NUMBER, .min_d = 1e-12, .max_d = 1e15,
};

static cJSON *
add_forecast(cJSON *arr, const struct ms_forecast *f)
{
	static const char *const qnames[MS_FORECAST_NQ] = { "p05", "p10",
		"p25", "p50", "p75", "p90", "p95" };
	const struct ms_forecast_fit *fit = &f->fit;
	cJSON *o = cJSON_CreateObject(), *q, *pa, *in, *g;

	if (o == NULL)
		return NULL;
	cJSON_AddItemToArray(arr, o);
	ms_json_str(o, "model", ms_forecast_model_name(fit->model));
	ms_json_str(o, "used", ms_forecast_model_name(fit->used));
	ms_json_str(o, "fallback_reason", fit->fallback ? fit->fallback_reason : NULL);
	ms_json_str(o, "method", f->method == MS_FORECAST_MONTE_CARLO ?
	    "monte_carlo" : "closed_form");
	ms_json_int(o, "paths", (int64_t)f->paths);
	if (f->method == MS_FORECAST_MONTE_CARLO)
		ms_json_int(o, "seed", (int64_t)f->seed);
	else
		cJSON_AddNullToObject(o, "seed");
	if ((q = cJSON_AddObjectToObject(o, "quantiles")) != NULL)
		for (int i = 0; i < MS_FORECAST_NQ; i++)
			ms_json_num(q, qnames[i], f->quantile[i]);
	if ((pa = cJSON_AddArrayToObject(o, "p_above")) != NULL)
		for (size_t i = 0; i < f->nlevels; i++) {
			cJSON *l = cJSON_CreateObject();
			if (l == NULL)
				break;
			cJSON_AddItemToArray(pa, l);
			ms_json_num(l, "level", f->level[i]);
			ms_json_num(l, "probability", f->p_above[i]);
		}
	if ((in = cJSON_AddObjectToObject(o, "inputs")) == NULL)
		return o;
	ms_json_int(in, "window", (int64_t)fit->window);
	ms_json_int(in, "observations", (int64_t)fit->nobs);
	ms_json_int(in, "skipped_days", (int64_t)fit->nskipped);
	ms_json_num(in, "mean_log_return", fit->mean_return);
	ms_json_num(in, "sample_sd", fit->sample_sd);
	ms_json_num(in, "drift", fit->drift);
	ms_json_num(in, "sigma_daily", fit->sigma);
	ms_json_num(in, "sigma_annual", fit->sigma * sqrt(MS_FORECAST_DAYS_PER_YEAR));
	ms_json_num(in, "lambda", fit->lambda);
	if (!fit->garch_tried) {
		cJSON_AddNullToObject(in, "garch");
		return o;
	}
	if ((g = cJSON_AddObjectToObject(in, "garch")) == NULL)
		return o;
	ms_json_num(g, "omega", fit->garch.p.omega);
	ms_json_num(g, "alpha", fit->garch.p.alpha);
	ms_json_num(g, "beta", fit->garch.p.beta);
	ms_json_num(g, "persistence", fit->garch.p.alpha + fit->garch.p.beta);
	ms_json_num(g, "log_likelihood", fit->garch.loglik);
	ms_json_bool(g, "converged", fit->garch.converged);
	ms_json_int(g, "iterations", fit->garch.iterations);
	return o;
}

/* How this model's recorded forecasts at this horizon fared so far. */
static int
add_track(struct ms_store *st, cJSON *o, int64_t asset_id,
    const char *model, int horizon, int32_t as_of)
{
	struct ms_forecast_track t;
	cJSON *tr;
	int rc;

	if ((rc = ms_record_forecast_track(st, asset_id, model, horizon, as_of,
	    &t)) != 0)
		return rc;
	if (o == NULL || (tr = cJSON_AddObjectToObject(o, "track_record")) == NULL)
		return 0;
	ms_json_int(tr, "judged", (int64_t)t.judged);
	ms_json_num(tr, "coverage_50", t.coverage_50);
	ms_json_num(tr, "coverage_90", t.coverage_90);
	ms_json_num(tr, "mape", t.mape);
	return 0;
}

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	const struct ms_param_value *id = ms_request_path_param(req, "id");
	const struct ms_param_value *pwin = ms_request_param(req, "window");
	const struct ms_param_value *plev = ms_request_param(req, "levels");
	int horizon = (int)ms_request_param(req, "horizon")->i;
	int model = ms_request_param(req, "model")->choice;
	struct ms_store *st = ms_ctx_store(ctx, res, req);
	struct ms_source_set sources = { .n = 0 };
	double levels[MAX_LEVELS], *closes = NULL;
	size_t nlevels = 0, ndays;
	struct ms_resolution how;
	struct ms_asset a;
	struct ms_bar bar;
	int32_t as_of;
	int rc;
	cJSON *data = NULL, *arr;

	if (st == NULL)
		return 0;
	for (size_t i = 0; plev->present && i < plev->nitems; i++) {
		struct ms_param_value v;
		const char *why;
		memset(&v, 0, sizeof(v));
		if (ms_param_validate(&level_spec, plev->items[i],
		    strlen(plev->items[i]), &v, &why) != 0) {
			struct ms_invalid_param ip = { "levels",
			    "every level must be a positive number" };
			return ms_response_problem(res, MS_PROBLEM_INVALID_PARAMS,
			    "a price level is not a positive number", &ip, 1, req);
		}
		levels[nlevels++] = v.d;
	}
	if ((rc = ms_api_as_of(st, req, res, &as_of)) != 0)
		return rc == MS_ERR_NODATA ? 0 : rc;
	rc = ms_api_resolve(st, req, res, "id", id->s, as_of, &a, &how);
	if (rc != 0)
		return rc == MS_ERR_NOTFOUND ? 0 : rc;
	/*
	 * The models fit on the window ending at the last bar at or before
	 * as_of; that bar must be on as_of itself or the price is stale.
	 */
	if ((rc = ms_api_bar_on_day(st, req, res, &a, as_of, &bar)) != 0)
		return rc == MS_ERR_NODATA ? 0 : rc;
	ms_source_set_add(&sources, bar.source_id);
	ndays = (pwin->present ? (size_t)pwin->i : MS_FORECAST_DEFAULT_GARCH_WINDOW) + 1;
	if ((rc = ms_market_closes(st, a.id, as_of, ndays, &closes)) != 0)
		return rc;
	if ((data = cJSON_CreateObject()) == NULL) {
		free(closes);
		return MS_ERR_NOMEM;
	}
	ms_api_asset_fields(data, &a);
	ms_json_date(data, "date", as_of);
	ms_json_num(data, "price", bar.close);
	ms_json_int(data, "horizon", horizon);
	ms_json_date(data, "target_date", as_of + horizon);
	ms_api_resolution_fields(data, &how);
	arr = cJSON_AddArrayToObject(data, "forecasts");
	int fitted = 0;
	for (int m = 0; m < MS_FORECAST_NMODELS; m++) {
		struct ms_forecast_params fp;
		struct ms_forecast f;
		if (model != MODEL_ALL && model != m)
			continue;
		ms_forecast_params_default((enum ms_forecast_model)m, &fp);
		fp.horizon = horizon;
		if (pwin->present)
			fp.window = (size_t)pwin->i;
		rc = ms_forecast_run(closes, ndays, &fp, levels, nlevels, &f);
		if (rc == MS_ERR_NODATA || rc == MS_ERR_RANGE)
			continue;   /* too little history for this model */
		if (rc != 0) {
			cJSON_Delete(data);
			free(closes);
			return rc;
		}
		cJSON *o = add_forecast(arr, &f);
		if ((rc = add_track(st, o, a.id, ms_forecast_model_name(
		    (enum ms_forecast_model)m), horizon, as_of)) != 0) {
			cJSON_Delete(data);
			free(closes);
			return rc;
		}
		fitted++;
	}
	free(closes);
	if (fitted == 0) {
		cJSON_Delete(data);
		return ms_response_problem(res, MS_PROBLEM_NO_DATA,
		    "too little price history before as_of to fit a model "
		    "(at least 30 daily returns are needed)", NULL, 0, req);
	}
	return ms_api_send(st, req, res, data, as_of, &sources, 0, 0, 0);
}

static const struct ms_route route = {
	.name = "v1_forecasts",
	.pattern = "/v1/forecasts/{id}",
	.methods = "GET, HEAD",
	.path_params = path_params,
	.n_path_params = sizeof(path_params) / sizeof(path_params[0]),
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "price forecasts: quantile fans of naive, drift, ewma and garch models",
};

MS_FUNCTION(route, v1_forecasts)
