/*
 * GET /v1/assets — the assets listed as of a day, searched, filtered,
 * sorted and paged.
 *
 * Methods: GET, HEAD.
 * Parameters (all optional):
 *   q               string, 1..64 bytes: case-insensitive substring of the
 *                   id, symbol or name
 *   category        string, 1..64 bytes: assets tagged with this category
 *                   (case-insensitive, exact tag)
 *   min_market_cap  number >= 0 (USD); assets with unknown market cap are
 *   max_market_cap  excluded when either bound is given
 *   sort            market_cap (default) | volume | price | change_24h |
 *                   symbol | name | id
 *   order           desc (default for numbers) | asc (default for text)
 *   limit           1..500 (default 50); page >= 1 (default 1)
 *   as_of           date (default: the last day in the store)
 * An asset is listed as of D when it has a bar in the 31 days ending D;
 * each row shows that last bar (its `date` says how fresh it is). Rows
 * whose sort key is unknown (null) come last in either order; ties are
 * broken by id.
 * 200: data [ {id, symbol, name, date, price, market_cap, volume,
 *      change_24h, source} ], meta.pagination {page, limit, total, pages}.
 * Problems: 400 invalid-parameters, 404 no-data, 405, 503.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ms_api.h"
#include "ms_error.h"
#include "ms_function.h"
#include "ms_json.h"

static const char *const sort_keys[] = { "market_cap", "volume", "price",
	"change_24h", "symbol", "name", "id", NULL };
enum { SORT_MCAP, SORT_VOLUME, SORT_PRICE, SORT_CHANGE, SORT_SYMBOL,
	SORT_NAME, SORT_ID };
static const char *const orders[] = { "asc", "desc", NULL };

static const struct ms_param_spec params[] = {
	{ .name = "q", .type = MS_PARAM_STRING, .max_len = 64,
	  .doc = "search id, symbol and name (case-insensitive substring)" },
	{ .name = "category", .type = MS_PARAM_STRING, .max_len = 64,
	  .doc = "only assets tagged with this category" },
	{ .name = "min_market_cap", .type = MS_PARAM_NUMBER, .min_d = 0,
	  .max_d = 1e15, .doc = "minimum market cap, USD" },
	{ .name = "max_market_cap", .type = MS_PARAM_NUMBER, .min_d = 0,
	  .max_d = 1e15, .doc = "maximum market cap, USD" },
	{ .name = "sort", .type = MS_PARAM_ENUM, .choices = sort_keys,
	  .def = "market_cap", .doc = "sort key" },
	{ .name = "order", .type = MS_PARAM_ENUM, .choices = orders,
	  .doc = "asc or desc (default: desc for numbers, asc for text)" },
	MS_PARAM_LIMIT(50, 500),
	MS_PARAM_PAGE,
	MS_PARAM_AS_OF,
};

struct row {
	const struct ms_listing_row *l;
	double key;        /* numeric sort key, NaN = unknown */
	const char *text;  /* text sort key, NULL = unknown */
	int desc;          /* the order, in every row: qsort has no context */
};

static int
cmp_rows(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	int c = 0;

	if (a->text != NULL || b->text != NULL) {
		if (a->text == NULL || b->text == NULL)
			return a->text == NULL ? 1 : -1;
		c = strcasecmp(a->text, b->text);
	} else if (isnan(a->key) || isnan(b->key)) {
		if (!isnan(a->key) || !isnan(b->key))
			return isnan(a->key) ? 1 : -1;
	} else {
		c = (a->key > b->key) - (a->key < b->key);
	}
	if (a->desc)
		c = -c;
	if (c == 0)
		c = strcmp(a->l->asset.slug, b->l->asset.slug);
	return c;
}

/* Case-insensitive substring test over ASCII; other bytes compare exactly. */
static int
contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return n == 0;
}

static int
has_category(const char *csv, const char *cat)
{
	size_t n = strlen(cat);
	const char *p = csv;

	while (*p != '\0') {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && strncasecmp(p, cat, n) == 0)
			return 1;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return 0;
}

static double
change_24h(const struct ms_listing_row *l)
{
	if (isnan(l->prev_close) || l->prev_close <= 0 || isnan(l->bar.close))
		return NAN;
	return l->bar.close / l->prev_close - 1.0;
}

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	const struct ms_param_value *q = ms_request_param(req, "q");
	const struct ms_param_value *cat = ms_request_param(req, "category");
	const struct ms_param_value *minc = ms_request_param(req, "min_market_cap");
	const struct ms_param_value *maxc = ms_request_param(req, "max_market_cap");
	const struct ms_param_value *sort = ms_request_param(req, "sort");
	const struct ms_param_value *order = ms_request_param(req, "order");
	int64_t limit = ms_request_param(req, "limit")->i;
	int64_t page = ms_request_param(req, "page")->i;
	struct ms_store *st = ms_ctx_store(ctx, res, req);
	struct ms_source_set sources = { .n = 0 };
	struct ms_listing_row *rows = NULL;
	struct row *sel = NULL;
	size_t n = 0, nsel = 0;
	int32_t as_of;
	int rc;
	cJSON *data;

	if (st == NULL)
		return 0;
	if (minc->present && maxc->present && minc->d > maxc->d) {
		struct ms_invalid_param ip[] = {
			{ "min_market_cap", "must not exceed max_market_cap" },
			{ "max_market_cap", "must not be below min_market_cap" },
		};
		return ms_response_problem(res, MS_PROBLEM_INVALID_PARAMS,
		    "min_market_cap is greater than max_market_cap", ip, 2, req);
	}
	if ((rc = ms_api_as_of(st, req, res, &as_of)) != 0)
		return rc == MS_ERR_NODATA ? 0 : rc;
	if ((rc = ms_market_listing(st, as_of, &rows, &n)) != 0)
		return rc;
	if (n > 0 && (sel = calloc(n, sizeof(*sel))) == NULL) {
		free(rows);
		return MS_ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct ms_listing_row *l = &rows[i];
		double cap = l->bar.market_cap;
		if (q->present && !contains_ci(l->asset.slug, q->s) &&
		    !contains_ci(l->asset.symbol, q->s) &&
		    !contains_ci(l->asset.name, q->s))
			continue;
		if (cat->present && !has_category(l->asset.categories, cat->s))
			continue;
		if ((minc->present || maxc->present) && isnan(cap))
			continue;
		if (minc->present && cap < minc->d)
			continue;
		if (maxc->present && cap > maxc->d)
			continue;
		struct row *r = &sel[nsel++];
		r->l = l;
		r->key = NAN;
		r->text = NULL;
		switch (sort->choice) {
		case SORT_MCAP: r->key = cap; break;
		case SORT_VOLUME: r->key = l->bar.volume; break;
		case SORT_PRICE: r->key = l->bar.close; break;
		case SORT_CHANGE: r->key = change_24h(l); break;
		case SORT_SYMBOL: r->text = l->asset.symbol[0] ? l->asset.symbol : NULL; break;
		case SORT_NAME: r->text = l->asset.name[0] ? l->asset.name : NULL; break;
		default: r->text = l->asset.slug; break;
		}
	}
	int desc = order->present ? order->choice == 1 : sort->choice < SORT_SYMBOL;
	for (size_t i = 0; i < nsel; i++)
		sel[i].desc = desc;
	if (nsel > 1)
		qsort(sel, nsel, sizeof(*sel), cmp_rows);

	if ((data = cJSON_CreateArray()) == NULL) {
		free(sel);
		free(rows);
		return MS_ERR_NOMEM;
	}
	size_t start = (size_t)((page - 1) * limit);
	for (size_t i = start; i < nsel && i < start + (size_t)limit; i++) {
		const struct ms_listing_row *l = sel[i].l;
		char srcname[MS_SOURCE_NAME_MAX];
		cJSON *o = cJSON_CreateObject();
		if (o == NULL)
			break;
		cJSON_AddItemToArray(data, o);
		ms_api_asset_fields(o, &l->asset);
		ms_json_date(o, "date", l->bar.day);
		ms_json_num(o, "price", l->bar.close);
		ms_json_num(o, "market_cap", l->bar.market_cap);
		ms_json_num(o, "volume", l->bar.volume);
		ms_json_num(o, "change_24h", change_24h(l));
		ms_json_str(o, "source", ms_api_source_name(st,
		    l->bar.source_id, srcname, sizeof(srcname)));
		ms_source_set_add(&sources, l->bar.source_id);
	}
	free(sel);
	free(rows);
	return ms_api_send(st, req, res, data, as_of, &sources, page, limit,
	    (int64_t)nsel);
}

static const struct ms_route route = {
	.name = "v1_assets",
	.pattern = "/v1/assets",
	.methods = "GET, HEAD",
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "list, search, filter and sort the assets listed as of a day",
};

MS_FUNCTION(route, v1_assets)
