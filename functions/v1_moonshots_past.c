/*
 * GET /v1/moonshots/past — the moonshot picks Moonscope recorded on past
 * days (`moonscope daily`), judged against what happened next.
 *
 * Methods: GET, HEAD.
 * Parameters (all optional):
 *   from, to   dates: picks made on days in [from, to]; default: the 365
 *              days ending as_of
 *   limit 1..500 (default 50), page >= 1, as_of (date): judge as of this
 *              day, using no bar after it (default: the last day)
 * For each pick: entry day and price (the close on the day it was made),
 * the last price at or before as_of, ROI since the pick, ROI at 7/30/90
 * days (null until that day has passed), the maximum gain reached (best
 * high, or close where the high is unknown, after entry), and whether the
 * asset died: no bar in the 30 days before as_of, or market cap below 1 %
 * of its market cap at entry. A dead pick is valued at its last price.
 * summary: count, wins (ROI > 0), win_rate, mean and median ROI, died —
 * over all picks in the range, not only the page.
 * 200: data {summary {...}, picks: [{day, rank, id, symbol, name,
 *      entry_price, entry_market_cap, trader_grade, last_date, last_price,
 *      roi, roi_7d, roi_30d, roi_90d, max_gain, died}]}
 * Problems: 400 invalid-parameters (from after to), 404 no-data, 405, 503.
 */
#include <math.h>
#include <stdlib.h>

#include "ms_api.h"
#include "ms_error.h"
#include "ms_function.h"
#include "ms_json.h"
#include "ms_record.h"

static const struct ms_param_spec params[] = {
	{ .name = "from", .type = MS_PARAM_DATE, .doc = "first pick day" },
	{ .name = "to", .type = MS_PARAM_DATE, .doc = "last pick day" },
	MS_PARAM_LIMIT(50, 500),
	MS_PARAM_PAGE,
	MS_PARAM_AS_OF,
};

static int
cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

static void
add_summary(cJSON *data, const struct ms_judged_pick *v, size_t n)
{
	cJSON *s = cJSON_AddObjectToObject(data, "summary");
	double *rois = malloc((n ? n : 1) * sizeof(*rois)), sum = 0;
	size_t k = 0, wins = 0, died = 0;

	if (s == NULL || rois == NULL) {
		free(rois);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		died += v[i].died != 0;
		if (isnan(v[i].roi))
			continue;
		rois[k++] = v[i].roi;
		sum += v[i].roi;
		wins += v[i].roi > 0;
	}
	qsort(rois, k, sizeof(*rois), cmp_double);
	ms_json_int(s, "count", (int64_t)n);
	ms_json_int(s, "judged", (int64_t)k);
	ms_json_int(s, "wins", (int64_t)wins);
	ms_json_num(s, "win_rate", k ? (double)wins / (double)k : NAN);
	ms_json_num(s, "mean_roi", k ? sum / (double)k : NAN);
	ms_json_num(s, "median_roi", k == 0 ? NAN : k % 2 ? rois[k / 2] :
	    (rois[k / 2 - 1] + rois[k / 2]) / 2);
	ms_json_int(s, "died", (int64_t)died);
	free(rois);
}

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	const struct ms_param_value *pfrom = ms_request_param(req, "from");
	const struct ms_param_value *pto = ms_request_param(req, "to");
	int64_t limit = ms_request_param(req, "limit")->i;
	int64_t page = ms_request_param(req, "page")->i;
	struct ms_store *st = ms_ctx_store(ctx, res, req);
	struct ms_judged_pick *v = NULL;
	size_t n = 0;
	int32_t as_of, from, to;
	int rc;
	cJSON *data, *arr;

	if (st == NULL)
		return 0;
	if ((rc = ms_api_as_of(st, req, res, &as_of)) != 0)
		return rc == MS_ERR_NODATA ? 0 : rc;
	to = pto->present && pto->day < as_of ? pto->day : as_of;
	from = pfrom->present ? pfrom->day : to - 364;
	if (from > to) {
		struct ms_invalid_param ip = { "from",
		    "must not be after `to` (or after as_of)" };
		return ms_response_problem(res, MS_PROBLEM_INVALID_PARAMS,
		    "the date range is empty", &ip, 1, req);
	}
	if ((rc = ms_record_judge(st, from, to, as_of, &v, &n)) != 0)
		return rc;
	if ((data = cJSON_CreateObject()) == NULL) {
		free(v);
		return MS_ERR_NOMEM;
	}
	ms_json_date(data, "from", from);
	ms_json_date(data, "to", to);
	add_summary(data, v, n);
	arr = cJSON_AddArrayToObject(data, "picks");
	size_t start = (size_t)((page - 1) * limit);
	for (size_t i = start; arr != NULL && i < n && i < start + (size_t)limit; i++) {
		const struct ms_judged_pick *j = &v[i];
		struct ms_asset a;
		cJSON *o = cJSON_CreateObject();
		if (o == NULL)
			break;
		cJSON_AddItemToArray(arr, o);
		ms_json_date(o, "day", j->day);
		ms_json_int(o, "rank", j->rank);
		if ((rc = ms_market_asset(st, j->asset_id, &a)) != 0) {
			free(v);
			cJSON_Delete(data);
			return rc;
		}
		ms_api_asset_fields(o, &a);
		ms_json_num(o, "entry_price", j->entry_price);
		ms_json_num(o, "entry_market_cap", j->entry_market_cap);
		ms_json_num(o, "trader_grade", j->trader_grade);
		ms_json_date(o, "last_date", j->last_day);
		ms_json_num(o, "last_price", j->last_price);
		ms_json_num(o, "roi", j->roi);
		ms_json_num(o, "roi_7d", j->roi_h[0]);
		ms_json_num(o, "roi_30d", j->roi_h[1]);
		ms_json_num(o, "roi_90d", j->roi_h[2]);
		ms_json_num(o, "max_gain", j->max_gain);
		ms_json_bool(o, "died", j->died);
	}
	free(v);
	struct ms_source_set sources = { .n = 0 };
	if ((rc = ms_market_sources_between(st, as_of, as_of - from + 1,
	    &sources)) != 0) {
		cJSON_Delete(data);
		return rc;
	}
	return ms_api_send(st, req, res, data, as_of, &sources, page, limit,
	    (int64_t)n);
}

static const struct ms_route route = {
	.name = "v1_moonshots_past",
	.pattern = "/v1/moonshots/past",
	.methods = "GET, HEAD",
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "recorded moonshot picks and how they did",
};

MS_FUNCTION(route, v1_moonshots_past)
