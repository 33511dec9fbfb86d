/*
 * GET /api/v3/coins/categories — the categories with their market data.
 *
 * Methods: GET, HEAD.
 * Parameters (CoinGecko's):
 *   order   market_cap_desc (default), market_cap_asc, name_desc, name_asc,
 *           market_cap_change_24h_desc, market_cap_change_24h_asc
 *           (unknown values sort last)
 *   x_cg_demo_api_key, x_cg_pro_api_key   accepted, not checked
 * Computed over the coins of /coins/markets (assets listed as of the last
 * day in the store), for every category some asset has:
 *   market_cap             sum of the members' known market caps
 *   market_cap_change_24h  percent change of that sum against the day
 *                          before, over the members with both days known
 *   volume_24h             sum of the members' known volumes
 *   top_3_coins_id         the three largest members by market cap
 *   top_3_coins            [] (CoinGecko lists image URLs; none stored)
 *   content                null (no descriptions are stored)
 *   updated_at             the close instant of the last day
 * id and name are those of /coins/categories/list (Moonscope category ids).
 * Moonscope extension: as_of=YYYY-MM-DD answers as known at the end of
 * that UTC day (it is then "now"; no later row is read); 400 "invalid
 * as_of" when it is not such a date.
 * 200: [{id, name, market_cap, market_cap_change_24h, content,
 *      top_3_coins_id, top_3_coins, volume_24h, updated_at}].
 * Errors ({"error": ...}): 400 "invalid order"; 503 store unavailable.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ms_cg.h"
#include "ms_error.h"
#include "ms_function.h"
#include "ms_json.h"

static const struct ms_param_spec params[] = {
	MS_CG_PARAM("order", 32, "market_cap_desc (default), market_cap_asc, "
	    "name_desc, name_asc, market_cap_change_24h_desc, "
	    "market_cap_change_24h_asc"),
	MS_CG_PARAM_AS_OF,
	MS_CG_PARAM_KEYS,
};

static const char *const orders[] = {
	"market_cap_desc", "market_cap_asc", "name_desc", "name_asc",
	"market_cap_change_24h_desc", "market_cap_change_24h_asc", NULL
};

struct cat {
	const char *id, *name;
	double cap, change, volume;
	const struct ms_cg_market *top[3];
	size_t ntop;
	int order;     /* the request's order, for qsort */
};

static int
cmp_cats(const void *pa, const void *pb)
{
	const struct cat *a = pa, *b = pb;
	int desc = a->order % 2 == 0, c = 0;

	if (a->order == 2 || a->order == 3) {
		c = strcmp(a->name, b->name);
		if (desc)
			c = -c;
	} else {
		double x = a->order < 2 ? a->cap : a->change;
		double y = a->order < 2 ? b->cap : b->change;

		if (isnan(x) != isnan(y))
			return isnan(x) ? 1 : -1;
		if (!isnan(x) && x != y)
			c = (x < y) == desc ? 1 : -1;
	}
	return c != 0 ? c : strcmp(a->id, b->id);
}

/* Sums the members of c among the listing v[0..n) (in rank order). */
static void
sum_category(struct cat *c, const struct ms_cg_market *v, size_t n)
{
	double now = 0, then = 0;
	int ncap = 0, nvol = 0, nchange = 0;

	c->cap = c->volume = 0;
	c->ntop = 0;
	for (size_t i = 0; i < n; i++) {
		const struct ms_cg_market *m = &v[i];

		if (!ms_cg_in_category(&m->asset, c->id))
			continue;
		if (c->ntop < 3)
			c->top[c->ntop++] = m;
		if (!isnan(m->bar.market_cap)) {
			c->cap += m->bar.market_cap;
			ncap++;
			if (!isnan(m->prev_market_cap)) {
				now += m->bar.market_cap;
				then += m->prev_market_cap;
				nchange++;
			}
		}
		if (!isnan(m->bar.volume)) {
			c->volume += m->bar.volume;
			nvol++;
		}
	}
	if (ncap == 0)
		c->cap = NAN;
	if (nvol == 0)
		c->volume = NAN;
	c->change = nchange > 0 ? ms_cg_pct(now, then) : NAN;
}

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	struct ms_store *st;
	int32_t as_of;
	struct ms_cg_market *v = NULL;
	struct cat *cats = NULL;
	char **ids = NULL;
	size_t n = 0, nids = 0;
	int32_t now = -1;
	int rc, order;
	cJSON *doc = NULL;

	if ((st = ms_cg_store(ctx, req, res)) == NULL)
		return 0;
	if ((rc = ms_cg_check_as_of(req, res, &as_of)) != 0)
		return MS_CG_DONE(rc);
	if ((rc = ms_cg_choice(req, res, "order", orders, 0, &order)) != 0)
		return MS_CG_DONE(rc);
	rc = ms_cg_day(st, as_of, &now);
	if (rc == 0)
		rc = ms_cg_listing(st, now, &v, &n);
	else if (rc == MS_ERR_NODATA)
		rc = 0;
	if (rc == 0)
		rc = ms_cg_categories(st, &ids, &nids);
	if (rc == 0 && nids > 0 && (cats = calloc(nids, sizeof(*cats))) == NULL)
		rc = MS_ERR_NOMEM;
	if (rc == 0 && (doc = cJSON_CreateArray()) == NULL)
		rc = MS_ERR_NOMEM;
	for (size_t i = 0; rc == 0 && i < nids; i++) {
		cats[i].id = ids[i];
		cats[i].name = ms_cg_category_name(ids[i]);
		cats[i].order = order;
		sum_category(&cats[i], v, n);
	}
	if (rc == 0 && nids > 1)
		qsort(cats, nids, sizeof(*cats), cmp_cats);
	for (size_t i = 0; rc == 0 && i < nids; i++) {
		cJSON *o = cJSON_CreateObject(), *top;

		if (o == NULL || !cJSON_AddItemToArray(doc, o)) {
			cJSON_Delete(o);
			rc = MS_ERR_NOMEM;
			break;
		}
		cJSON_AddStringToObject(o, "id", cats[i].id);
		cJSON_AddStringToObject(o, "name", cats[i].name);
		ms_json_num(o, "market_cap", cats[i].cap);
		ms_json_num(o, "market_cap_change_24h", cats[i].change);
		cJSON_AddNullToObject(o, "content");
		top = cJSON_AddArrayToObject(o, "top_3_coins_id");
		for (size_t k = 0; top != NULL && k < cats[i].ntop; k++)
			cJSON_AddItemToArray(top,
			    cJSON_CreateString(cats[i].top[k]->asset.slug));
		cJSON_AddArrayToObject(o, "top_3_coins");
		ms_json_num(o, "volume_24h", cats[i].volume);
		ms_cg_add_close_iso(o, "updated_at", now);
	}
	free(cats);
	ms_cg_categories_free(ids, nids);
	free(v);
	if (rc != 0) {
		cJSON_Delete(doc);
		return rc;
	}
	return ms_cg_send(res, doc);
}

static const struct ms_route route = {
	.name = "cg_categories",
	.pattern = "/api/v3/coins/categories",
	.methods = "GET, HEAD",
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "CoinGecko-compatible: categories with market cap and volume",
};

MS_FUNCTION(route, cg_categories)
