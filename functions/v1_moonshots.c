/*
 * GET /v1/moonshots — the moonshot screener: low-cap assets as of a day,
 * filtered and sorted, with the reasons each one passed and counts of
 * what was excluded and why.
 *
 * Methods: GET, HEAD.
 * Parameters (all optional):
 *   max_market_cap      number > 0, default 100000000 (USD, exclusive)
 *   min_market_cap      number >= 0
 *   min_volume          number >= 0: USD volume on the day
 *   min_liquidity       number >= 0: volume / market cap on the day
 *   min_roi_7d, max_roi_7d, min_roi_30d, max_roi_30d, min_roi_90d,
 *   max_roi_90d         numbers >= -1 (fractions: 0.5 = +50 %); an asset
 *                       whose ROI is unknown fails a bound on it
 *   category            string: assets tagged with it
 *   min_trader_grade, min_investor_grade   numbers 0..100
 *   include_unknown_cap false (default) | true
 *   sort                trader_grade (default) | investor_grade | roi_7d |
 *                       roi_30d | roi_90d | market_cap | volume
 *   order               desc (default) | asc
 *   limit 1..500 (default 50), page >= 1, as_of
 * The universe is every asset with a bar in the year before as_of — dead
 * coins included — and a pick needs a bar on as_of itself. Grades and
 * ROI follow docs/models/grades.md and docs/models/screener.md.
 * 200: data {universe, matched, excluded {reason: count}, picks: [{rank,
 *      id, symbol, name, price, market_cap, volume, liquidity, roi_7d,
 *      roi_30d, roi_90d, trader_grade, investor_grade, reasons: [..]}]},
 *      meta.pagination over the picks.
 * Problems: 400 invalid-parameters, 404 no-data, 405, 503.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ms_api.h"
#include "ms_error.h"
#include "ms_function.h"
#include "ms_json.h"
#include "ms_screen.h"

static const char *const sorts[] = { "trader_grade", "investor_grade",
	"roi_7d", "roi_30d", "roi_90d", "market_cap", "volume", NULL };
static const char *const orders[] = { "asc", "desc", NULL };
static const char *const bools[] = { "false", "true", NULL };

#define NUM(n, lo, hi, d) \
	{ .name = n, .type = MS_PARAM_NUMBER, .min_d = lo, .max_d = hi, .doc = d }

static const struct ms_param_spec params[] = {
	{ .name = "max_market_cap", .type = MS_PARAM_NUMBER, .min_d = 1,
	  .max_d = 1e15, .def = "100000000", .doc = "market cap below this (USD)" },
	NUM("min_market_cap", 0, 1e15, "market cap at least this (USD)"),
	NUM("min_volume", 0, 1e15, "volume on the day at least this (USD)"),
	NUM("min_liquidity", 0, 1e6, "volume / market cap at least this"),
	NUM("min_roi_7d", -1, 1e9, "7-day ROI at least this (0.5 = +50%)"),
	NUM("max_roi_7d", -1, 1e9, "7-day ROI at most this"),
	NUM("min_roi_30d", -1, 1e9, "30-day ROI at least this"),
	NUM("max_roi_30d", -1, 1e9, "30-day ROI at most this"),
	NUM("min_roi_90d", -1, 1e9, "90-day ROI at least this"),
	NUM("max_roi_90d", -1, 1e9, "90-day ROI at most this"),
	{ .name = "category", .type = MS_PARAM_STRING, .max_len = 64,
	  .doc = "only assets tagged with this category" },
	NUM("min_trader_grade", 0, 100, "trader grade at least this"),
	NUM("min_investor_grade", 0, 100, "investor grade at least this"),
	{ .name = "include_unknown_cap", .type = MS_PARAM_ENUM, .choices = bools,
	  .def = "false", .doc = "keep assets whose market cap is unknown" },
	{ .name = "sort", .type = MS_PARAM_ENUM, .choices = sorts,
	  .def = "trader_grade", .doc = "sort key" },
	{ .name = "order", .type = MS_PARAM_ENUM, .choices = orders,
	  .def = "desc", .doc = "sort order" },
	MS_PARAM_LIMIT(50, 500),
	MS_PARAM_PAGE,
	MS_PARAM_AS_OF,
};

static double
opt(const struct ms_request *req, const char *name)
{
	const struct ms_param_value *v = ms_request_param(req, name);

	return v->present ? v->d : NAN;
}

/* Short sentences saying why the pick passed, for people. */
static void
add_reasons(cJSON *o, const struct ms_screen_pick *pk,
    const struct ms_screen_params *sp)
{
	cJSON *r = cJSON_AddArrayToObject(o, "reasons");
	char line[160];

	if (r == NULL)
		return;
	if (!isnan(pk->market_cap)) {
		snprintf(line, sizeof(line), "market cap $%.0f under $%.0f",
		    pk->market_cap, sp->max_market_cap);
		cJSON_AddItemToArray(r, cJSON_CreateString(line));
	} else {
		cJSON_AddItemToArray(r, cJSON_CreateString(
		    "market cap unknown (included on request)"));
	}
	if (!isnan(pk->trader_grade)) {
		snprintf(line, sizeof(line), "trader grade %.1f", pk->trader_grade);
		cJSON_AddItemToArray(r, cJSON_CreateString(line));
	}
	if (!isnan(pk->roi[1])) {
		snprintf(line, sizeof(line), "30-day ROI %+.1f%%", 100 * pk->roi[1]);
		cJSON_AddItemToArray(r, cJSON_CreateString(line));
	}
	if (!isnan(pk->liquidity)) {
		snprintf(line, sizeof(line), "volume %.1f%% of market cap",
		    100 * pk->liquidity);
		cJSON_AddItemToArray(r, cJSON_CreateString(line));
	}
}

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	const struct ms_param_value *cat = ms_request_param(req, "category");
	int64_t limit = ms_request_param(req, "limit")->i;
	int64_t page = ms_request_param(req, "page")->i;
	struct ms_store *st = ms_ctx_store(ctx, res, req);
	struct ms_screen_params sp;
	struct ms_screen_result sr;
	struct ms_panel *p = NULL;
	struct ms_grade *g = NULL;
	int32_t as_of;
	int rc;
	cJSON *data, *ex, *arr;

	if (st == NULL)
		return 0;
	ms_screen_defaults(&sp);
	sp.max_market_cap = opt(req, "max_market_cap");
	sp.min_market_cap = opt(req, "min_market_cap");
	sp.min_volume = opt(req, "min_volume");
	sp.min_liquidity = opt(req, "min_liquidity");
	sp.roi_min[0] = opt(req, "min_roi_7d");
	sp.roi_max[0] = opt(req, "max_roi_7d");
	sp.roi_min[1] = opt(req, "min_roi_30d");
	sp.roi_max[1] = opt(req, "max_roi_30d");
	sp.roi_min[2] = opt(req, "min_roi_90d");
	sp.roi_max[2] = opt(req, "max_roi_90d");
	sp.category = cat->present ? cat->s : NULL;
	sp.min_trader_grade = opt(req, "min_trader_grade");
	sp.min_investor_grade = opt(req, "min_investor_grade");
	sp.include_unknown_cap = ms_request_param(req, "include_unknown_cap")->choice == 1;
	sp.sort = (enum ms_screen_sort)ms_request_param(req, "sort")->choice;
	sp.descending = ms_request_param(req, "order")->choice == 1;
	if (!isnan(sp.min_market_cap) && sp.min_market_cap >= sp.max_market_cap) {
		struct ms_invalid_param ip = { "min_market_cap",
		    "must be below max_market_cap" };
		return ms_response_problem(res, MS_PROBLEM_INVALID_PARAMS,
		    "the market cap range is empty", &ip, 1, req);
	}

	if ((rc = ms_api_as_of(st, req, res, &as_of)) != 0)
		return rc == MS_ERR_NODATA ? 0 : rc;
	if ((rc = ms_grade_universe(st, as_of, NULL, &p, &g)) != 0)
		return rc;
	if ((rc = ms_screen_run(p, g, &sp, &sr)) != 0) {
		free(g);
		ms_panel_free(p);
		return rc;
	}
	if ((data = cJSON_CreateObject()) == NULL) {
		rc = MS_ERR_NOMEM;
		goto done;
	}
	ms_json_int(data, "universe", (int64_t)sr.universe);
	ms_json_int(data, "matched", (int64_t)sr.n);
	if ((ex = cJSON_AddObjectToObject(data, "excluded")) != NULL)
		for (int k = 0; k < MS_EX__COUNT; k++)
			ms_json_int(ex, ms_screen_reason_name(k),
			    (int64_t)sr.excluded[k]);
	arr = cJSON_AddArrayToObject(data, "picks");
	size_t start = (size_t)((page - 1) * limit);
	for (size_t i = start; arr != NULL && i < sr.n &&
	    i < start + (size_t)limit; i++) {
		const struct ms_screen_pick *pk = &sr.picks[i];
		cJSON *o = cJSON_CreateObject();
		if (o == NULL)
			break;
		cJSON_AddItemToArray(arr, o);
		ms_json_int(o, "rank", (int64_t)i + 1);
		ms_api_asset_fields(o, &p->assets[pk->asset]);
		ms_json_num(o, "price", pk->price);
		ms_json_num(o, "market_cap", pk->market_cap);
		ms_json_num(o, "volume", pk->volume);
		ms_json_num(o, "liquidity", pk->liquidity);
		ms_json_num(o, "roi_7d", pk->roi[0]);
		ms_json_num(o, "roi_30d", pk->roi[1]);
		ms_json_num(o, "roi_90d", pk->roi[2]);
		ms_json_num(o, "trader_grade", pk->trader_grade);
		ms_json_num(o, "investor_grade", pk->investor_grade);
		add_reasons(o, pk, &sp);
	}
	rc = ms_api_send(st, req, res, data, as_of, &p->sources, page, limit,
	    (int64_t)sr.n);
done:
	ms_screen_result_free(&sr);
	free(g);
	ms_panel_free(p);
	return rc;
}

static const struct ms_route route = {
	.name = "v1_moonshots",
	.pattern = "/v1/moonshots",
	.methods = "GET, HEAD",
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "the moonshot screener: low-cap assets as of a day",
};

MS_FUNCTION(route, v1_moonshots)
