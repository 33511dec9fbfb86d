/*
 * GET /v1/market — the whole market as of a day: total market cap, the
 * dominance of the largest assets, breadth, and a bull/bear regime.
 *
 * Methods: GET, HEAD.
 * Parameters: top (1..50, default 10): how many assets the dominance table
 *             lists; as_of (date).
 * Computed over the assets with a bar on as_of (the grade panel):
 *   total_market_cap   sum of the known market caps
 *   dominance          the `top` largest, each with its share of the total
 *   breadth            share of assets with: 30-day ROI > 0, close above
 *                      its 50-day SMA, trader grade >= 70 (among graded)
 *   regime             "bull" when at least half the assets with a known
 *                      trend close above their 50-day SMA, else "bear"
 * 200: data {date, assets, assets_with_market_cap, total_market_cap,
 *      total_volume, dominance: [{id, symbol, name, market_cap, share}],
 *      breadth: {positive_roi_30d, above_sma_50, high_trader_grade},
 *      regime}.
 * Problems: 400 invalid-parameters, 404 no-data, 405, 503.
 */
#include <math.h>
#include <stdlib.h>

#include "ms_api.h"
#include "ms_error.h"
#include "ms_function.h"
#include "ms_grade.h"
#include "ms_json.h"
#include "ms_screen.h"

static const struct ms_param_spec params[] = {
	{ .name = "top", .type = MS_PARAM_INT, .min_i = 1, .max_i = 50,
	  .def = "10", .doc = "assets listed in the dominance table" },
	MS_PARAM_AS_OF,
};

struct capped { size_t a; double cap; };

static int
cmp_cap_desc(const void *pa, const void *pb)
{
	const struct capped *x = pa, *y = pb;
	int c = (x->cap < y->cap) - (x->cap > y->cap);

	return c ? c : (x->a > y->a) - (x->a < y->a);
}

/* Share k/n, or NaN when n is 0. */
static double
share(size_t k, size_t n)
{
	return n ? (double)k / (double)n : NAN;
}

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	int64_t top = ms_request_param(req, "top")->i;
	struct ms_store *st = ms_ctx_store(ctx, res, req);
	struct ms_panel *p = NULL;
	struct ms_grade *g = NULL;
	struct capped *caps = NULL;
	size_t on_day = 0, ncap = 0, pos30 = 0, n30 = 0, above = 0, ntrend = 0,
	    high = 0, graded = 0;
	double total = 0, volume = 0;
	int32_t as_of;
	int rc;
	cJSON *data = NULL, *arr, *b;

	if (st == NULL)
		return 0;
	if ((rc = ms_api_as_of(st, req, res, &as_of)) != 0)
		return rc == MS_ERR_NODATA ? 0 : rc;
	if ((rc = ms_grade_universe(st, as_of, NULL, &p, &g)) != 0)
		return rc;
	if ((caps = malloc((p->nassets ? p->nassets : 1) * sizeof(*caps))) == NULL) {
		rc = MS_ERR_NOMEM;
		goto done;
	}
	size_t at = p->ndays - 1;
	for (size_t a = 0; a < p->nassets; a++) {
		double c = ms_panel_row(p, p->close, a)[at];
		double m = ms_panel_row(p, p->market_cap, a)[at];
		double v = ms_panel_row(p, p->volume, a)[at];
		if (isnan(c))
			continue;
		on_day++;
		if (!isnan(m) && m > 0) {
			total += m;
			caps[ncap].a = a;
			caps[ncap].cap = m;
			ncap++;
		}
		if (!isnan(v))
			volume += v;
		double r30 = ms_screen_roi(p, a, 30);
		if (!isnan(r30)) {
			n30++;
			pos30 += r30 > 0;
		}
		if (!isnan(g[a].raw[MS_GC_TREND])) {
			ntrend++;
			above += g[a].raw[MS_GC_TREND] > 0;
		}
		if (!isnan(g[a].trader)) {
			graded++;
			high += g[a].trader >= 70;
		}
	}
	if (on_day == 0) {
		rc = ms_response_problem(res, MS_PROBLEM_NO_DATA,
		    "no asset has a bar on this day", NULL, 0, req);
		goto done;
	}
	qsort(caps, ncap, sizeof(*caps), cmp_cap_desc);
	if ((data = cJSON_CreateObject()) == NULL) {
		rc = MS_ERR_NOMEM;
		goto done;
	}
	ms_json_date(data, "date", as_of);
	ms_json_int(data, "assets", (int64_t)on_day);
	ms_json_int(data, "assets_with_market_cap", (int64_t)ncap);
	ms_json_num(data, "total_market_cap", ncap ? total : NAN);
	ms_json_num(data, "total_volume", volume);
	arr = cJSON_AddArrayToObject(data, "dominance");
	for (size_t i = 0; arr != NULL && i < ncap && i < (size_t)top; i++) {
		cJSON *o = cJSON_CreateObject();
		if (o == NULL)
			break;
		cJSON_AddItemToArray(arr, o);
		ms_api_asset_fields(o, &p->assets[caps[i].a]);
		ms_json_num(o, "market_cap", caps[i].cap);
		ms_json_num(o, "share", caps[i].cap / total);
	}
	if ((b = cJSON_AddObjectToObject(data, "breadth")) != NULL) {
		ms_json_num(b, "positive_roi_30d", share(pos30, n30));
		ms_json_num(b, "above_sma_50", share(above, ntrend));
		ms_json_num(b, "high_trader_grade", share(high, graded));
	}
	ms_json_str(data, "regime", ntrend == 0 ? NULL :
	    2 * above >= ntrend ? "bull" : "bear");
	rc = ms_api_send(st, req, res, data, as_of, &p->sources, 0, 0, 0);
	data = NULL;
done:
	cJSON_Delete(data);
	free(caps);
	free(g);
	ms_panel_free(p);
	return rc;
}

static const struct ms_route route = {
	.name = "v1_market",
	.pattern = "/v1/market",
	.methods = "GET, HEAD",
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "total market cap, dominance, breadth and regime",
};

MS_FUNCTION(route, v1_market)
