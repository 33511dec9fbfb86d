/*
 * GET /v1/grades — trader and investor grades (0–100) with their
 * components, as of a day.
 *
 * Methods: GET, HEAD.
 * Parameters (all optional):
 *   ids     comma-separated ids or symbols (1..100): grade these only
 *   sort    trader_grade (default) | investor_grade
 *   order   desc (default) | asc
 *   limit 1..500 (default 50), page >= 1, as_of
 * Every listed asset is ranked against the whole universe as of the day
 * (docs/models/grades.md); ungraded assets (too little history, no bar on
 * the day) have null grades and come last.
 * 200: data [ {id, symbol, name, trader_grade, investor_grade,
 *      components: {momentum_7d: {value, percentile, weight}, ...}} ].
 * Problems: 400 invalid-parameters, 404 asset-not-found (an id matches
 *           nothing in the universe), 404 no-data, 405, 503.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ms_api.h"
#include "ms_error.h"
#include "ms_function.h"
#include "ms_grade.h"
#include "ms_json.h"

static const char *const sorts[] = { "trader_grade", "investor_grade", NULL };
static const char *const orders[] = { "asc", "desc", NULL };

static const struct ms_param_spec params[] = {
	{ .name = "ids", .type = MS_PARAM_LIST, .max_len = 80, .max_items = 100,
	  .doc = "grade only these ids or symbols" },
	{ .name = "sort", .type = MS_PARAM_ENUM, .choices = sorts,
	  .def = "trader_grade", .doc = "sort key" },
	{ .name = "order", .type = MS_PARAM_ENUM, .choices = orders,
	  .def = "desc", .doc = "sort order" },
	MS_PARAM_LIMIT(50, 500),
	MS_PARAM_PAGE,
	MS_PARAM_AS_OF,
};

struct row { size_t a; double key; int desc; };

static int
cmp_rows(const void *pa, const void *pb)
{
	const struct row *x = pa, *y = pb;
	int c = 0;

	if (isnan(x->key) || isnan(y->key)) {
		if (isnan(x->key) != isnan(y->key))
			return isnan(x->key) ? 1 : -1;
	} else {
		c = (x->key > y->key) - (x->key < y->key);
		if (x->desc)
			c = -c;
	}
	return c ? c : (x->a > y->a) - (x->a < y->a);
}

static void
add_grade(cJSON *o, const struct ms_grade *g, const struct ms_grade_weights *w)
{
	cJSON *comps = NULL, *c;

	ms_json_num(o, "trader_grade", g->trader);
	ms_json_num(o, "investor_grade", g->investor);
	if ((comps = cJSON_AddObjectToObject(o, "components")) == NULL)
		return;
	for (int k = 0; k < MS_GC__COUNT; k++) {
		if ((c = cJSON_AddObjectToObject(comps,
		    ms_grade_component_name(k))) == NULL)
			return;
		ms_json_str(c, "grade", k <= MS_GC_TRADER_LAST ? "trader" : "investor");
		ms_json_num(c, "value", g->raw[k]);
		ms_json_num(c, "percentile", g->pct[k]);
		ms_json_num(c, "weight", w->w[k]);
	}
}

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	const struct ms_param_value *ids = ms_request_param(req, "ids");
	int sort = ms_request_param(req, "sort")->choice;
	int desc = ms_request_param(req, "order")->choice == 1;
	int64_t limit = ms_request_param(req, "limit")->i;
	int64_t page = ms_request_param(req, "page")->i;
	struct ms_store *st = ms_ctx_store(ctx, res, req);
	struct ms_grade_weights w;
	struct ms_panel *p = NULL;
	struct ms_grade *g = NULL;
	struct row *rows = NULL;
	size_t n = 0;
	int32_t as_of;
	int rc;
	cJSON *data = NULL;

	if (st == NULL)
		return 0;
	if ((rc = ms_api_as_of(st, req, res, &as_of)) != 0)
		return rc == MS_ERR_NODATA ? 0 : rc;
	ms_grade_default_weights(&w);
	if ((rc = ms_grade_universe(st, as_of, &w, &p, &g)) != 0)
		return rc;
	if ((rows = calloc(p->nassets ? p->nassets : 1, sizeof(*rows))) == NULL) {
		rc = MS_ERR_NOMEM;
		goto done;
	}
	if (ids->present) {
		/* Resolve each key, then find its asset in the panel. */
		for (size_t i = 0; i < ids->nitems; i++) {
			struct ms_asset a;
			struct ms_resolution how;
			size_t k;
			rc = ms_api_resolve(st, req, res, "ids", ids->items[i],
			    as_of, &a, &how);
			if (rc != 0) {
				rc = rc == MS_ERR_NOTFOUND ? 0 : rc;
				goto done;
			}
			for (k = 0; k < p->nassets && p->assets[k].id != a.id; k++)
				;
			if (k == p->nassets) {
				struct ms_invalid_param ip = { "ids",
				    "asset has no data in the year before as_of" };
				rc = ms_response_problem(res, MS_PROBLEM_NO_DATA,
				    "an asset has no data to grade as of this day",
				    &ip, 1, req);
				goto done;
			}
			rows[n++].a = k;
		}
	} else {
		for (size_t a = 0; a < p->nassets; a++)
			if (p->last_day - p->last_bar_day[a] < MS_LISTED_DAYS)
				rows[n++].a = a;
	}
	for (size_t i = 0; i < n; i++) {
		rows[i].key = sort == 0 ? g[rows[i].a].trader : g[rows[i].a].investor;
		rows[i].desc = desc;
	}
	if (!ids->present && n > 1)
		qsort(rows, n, sizeof(*rows), cmp_rows);
	if ((data = cJSON_CreateArray()) == NULL) {
		rc = MS_ERR_NOMEM;
		goto done;
	}
	size_t start = (size_t)((page - 1) * limit);
	for (size_t i = start; i < n && i < start + (size_t)limit; i++) {
		cJSON *o = cJSON_CreateObject();
		if (o == NULL)
			break;
		cJSON_AddItemToArray(data, o);
		ms_api_asset_fields(o, &p->assets[rows[i].a]);
		add_grade(o, &g[rows[i].a], &w);
	}
	rc = ms_api_send(st, req, res, data, as_of, &p->sources, page, limit,
	    (int64_t)n);
	data = NULL;
done:
	cJSON_Delete(data);
	free(rows);
	free(g);
	ms_panel_free(p);
	return rc;
}

static const struct ms_route route = {
	.name = "v1_grades",
	.pattern = "/v1/grades",
	.methods = "GET, HEAD",
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "trader and investor grades with their components",
};

MS_FUNCTION(route, v1_grades)
