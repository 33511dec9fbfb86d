/*
 * GET /v1/signals — daily long/flat/short signals of one asset from a
 * documented rule, and what following them returned against holding.
 *
 * Methods: GET, HEAD.
 * Parameters:
 *   id        required: asset id or symbol
 *   from      date: start of the performance period and of the series
 *             (default as_of - 365 days)
 *   fee_bps   number 0..1000 (default 10): cost per unit of position
 *             change, in basis points (costs are on by default)
 *   limit 1..500 (default 30), page >= 1: the daily series, newest first
 *   as_of     date: signals use closes up to each day only
 * The rule (docs/models/signals.md): long when the close is above its
 * 50-day SMA and above the close 20 days earlier; short when below both;
 * flat otherwise. A day's signal is held over the next day.
 * 200: data {id, symbol, name, date, signal, position ("long" | "flat" |
 *      "short"), trend ("up" | "down" | null: the last non-flat signal),
 *      since (first day of the current signal), rule, performance {from,
 *      to, strategy_return, hold_return, fee_bps, fees, trades,
 *      days_long, days_short, days_flat}, series: [{date, signal, close}]}
 *      with meta.pagination over the series.
 * Problems: 400 invalid-parameters, 404 asset-not-found, 404 no-data,
 *           405, 503.
 */
#include <math.h>
#include <stdlib.h>

#include "ms_api.h"
#include "ms_error.h"
#include "ms_function.h"
#include "ms_json.h"
#include "ms_signal.h"

#define LOOKBACK (MS_SIGNAL_WARMUP + MS_SIGNAL_MOMENTUM)

static const struct ms_param_spec params[] = {
	{ .name = "id", .type = MS_PARAM_SLUG, .required = 1, .max_len = 80,
	  .doc = "asset id or symbol" },
	{ .name = "from", .type = MS_PARAM_DATE,
	  .doc = "start of the performance period (default as_of - 365)" },
	{ .name = "fee_bps", .type = MS_PARAM_NUMBER, .min_d = 0, .max_d = 1000,
	  .def = "10", .doc = "cost per unit of position change, basis points" },
	MS_PARAM_LIMIT(30, 500),
	MS_PARAM_PAGE,
	MS_PARAM_AS_OF,
};

static const char *
position(int s)
{
	return s > 0 ? "long" : s < 0 ? "short" : "flat";
}

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	const struct ms_param_value *id = ms_request_param(req, "id");
	const struct ms_param_value *pfrom = ms_request_param(req, "from");
	double fee_bps = ms_request_param(req, "fee_bps")->d;
	int64_t limit = ms_request_param(req, "limit")->i;
	int64_t page = ms_request_param(req, "page")->i;
	struct ms_store *st = ms_ctx_store(ctx, res, req);
	struct ms_source_set sources = { .n = 0 };
	struct ms_signal_perf perf;
	struct ms_resolution how;
	struct ms_asset a;
	struct ms_bar bar;
	double *c = NULL;
	int *sig = NULL;
	int32_t as_of, from, first;
	size_t n, start;
	int rc;
	cJSON *data = NULL, *p, *arr;

	if (st == NULL)
		return 0;
	if ((rc = ms_api_as_of(st, req, res, &as_of)) != 0)
		return rc == MS_ERR_NODATA ? 0 : rc;
	from = pfrom->present ? pfrom->day : as_of - 365;
	if (from >= as_of) {
		struct ms_invalid_param ip = { "from", "must be before as_of" };
		return ms_response_problem(res, MS_PROBLEM_INVALID_PARAMS,
		    "the performance period is empty", &ip, 1, req);
	}
	rc = ms_api_resolve(st, req, res, "id", id->s, as_of, &a, &how);
	if (rc != 0)
		return rc == MS_ERR_NOTFOUND ? 0 : rc;
	if ((rc = ms_api_bar_on_day(st, req, res, &a, as_of, &bar)) != 0)
		return rc == MS_ERR_NODATA ? 0 : rc;
	ms_source_set_add(&sources, bar.source_id);
	first = from - LOOKBACK;
	n = (size_t)(as_of - first + 1);
	start = (size_t)(from - first);
	if ((rc = ms_market_closes(st, a.id, as_of, n, &c)) != 0)
		return rc;
	if ((sig = malloc(n * sizeof(*sig))) == NULL) {
		rc = MS_ERR_NOMEM;
		goto done;
	}
	if ((rc = ms_signal_series(c, n, sig)) != 0 ||
	    (rc = ms_signal_perf(c, sig, n, start, fee_bps, &perf)) != 0)
		goto done;

	if ((data = cJSON_CreateObject()) == NULL) {
		rc = MS_ERR_NOMEM;
		goto done;
	}
	ms_api_asset_fields(data, &a);
	ms_api_resolution_fields(data, &how);
	ms_json_date(data, "date", as_of);
	ms_json_int(data, "signal", sig[n - 1]);
	ms_json_str(data, "position", position(sig[n - 1]));
	const char *trend = NULL;
	for (size_t t = n; t-- > 0;)
		if (sig[t] != 0) {
			trend = sig[t] > 0 ? "up" : "down";
			break;
		}
	ms_json_str(data, "trend", trend);
	size_t k = n - 1;
	while (k > 0 && sig[k - 1] == sig[n - 1])
		k--;
	ms_json_date(data, "since", first + (int32_t)k);
	ms_json_str(data, "rule", "long: close > SMA(50) and close > close 20 days "
	    "earlier; short: close < SMA(50) and close < close 20 days earlier; "
	    "else flat; held over the next day");
	if ((p = cJSON_AddObjectToObject(data, "performance")) != NULL) {
		ms_json_date(p, "from", from);
		ms_json_date(p, "to", as_of);
		ms_json_num(p, "strategy_return", perf.strategy_return);
		ms_json_num(p, "hold_return", perf.hold_return);
		ms_json_num(p, "fee_bps", fee_bps);
		ms_json_num(p, "fees", perf.fees);
		ms_json_int(p, "trades", (int64_t)perf.trades);
		ms_json_int(p, "days_long", (int64_t)perf.days_long);
		ms_json_int(p, "days_short", (int64_t)perf.days_short);
		ms_json_int(p, "days_flat", (int64_t)perf.days_flat);
	}
	arr = cJSON_AddArrayToObject(data, "series");
	size_t total = n - start, skip = (size_t)((page - 1) * limit);
	for (size_t i = skip; arr != NULL && i < total && i < skip + (size_t)limit; i++) {
		size_t t = n - 1 - i;
		cJSON *o = cJSON_CreateObject();
		if (o == NULL)
			break;
		cJSON_AddItemToArray(arr, o);
		ms_json_date(o, "date", first + (int32_t)t);
		ms_json_int(o, "signal", sig[t]);
		ms_json_num(o, "close", c[t]);
	}
	rc = ms_api_send(st, req, res, data, as_of, &sources, page, limit,
	    (int64_t)total);
	data = NULL;
done:
	cJSON_Delete(data);
	free(sig);
	free(c);
	return rc;
}

static const struct ms_route route = {
	.name = "v1_signals",
	.pattern = "/v1/signals",
	.methods = "GET, HEAD",
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "daily long/flat/short signals and their performance vs holding",
};

MS_FUNCTION(route, v1_signals)
