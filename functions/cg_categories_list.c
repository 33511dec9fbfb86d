/*
 * GET /api/v3/coins/categories/list — the categories coins are tagged with.
 *
 * Methods: GET, HEAD.
 * Parameters: x_cg_demo_api_key, x_cg_pro_api_key (accepted, not checked).
 * 200: [{"category_id", "name"}] for every category some asset has,
 *      sorted by category_id. category_id is the Moonscope category (the
 *      vocabulary of docs/import.md, e.g. layer-1, meme, stablecoin) — what
 *      /coins/markets?category= takes; name is the CoinGecko category name
 *      that Moonscope's importer maps to exactly that category ("Layer 1
 *      (L1)", "Meme", "Stablecoins"). The ids differ from CoinGecko's for
 *      most categories (CoinGecko: meme-token, stablecoins, ...).
 * Errors ({"error": ...}): 503 store unavailable.
 */
#include "ms_cg.h"
#include "ms_error.h"
#include "ms_function.h"

static const struct ms_param_spec params[] = {
	MS_CG_PARAM_KEYS,
};

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	struct ms_store *st;
	char **cats = NULL;
	size_t n = 0;
	int rc;
	cJSON *doc;

	if ((st = ms_cg_store(ctx, req, res)) == NULL)
		return 0;
	if ((rc = ms_cg_categories(st, &cats, &n)) != 0)
		return rc;
	if ((doc = cJSON_CreateArray()) == NULL) {
		ms_cg_categories_free(cats, n);
		return MS_ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();

		if (o == NULL || !cJSON_AddItemToArray(doc, o)) {
			cJSON_Delete(o);
			cJSON_Delete(doc);
			ms_cg_categories_free(cats, n);
			return MS_ERR_NOMEM;
		}
		cJSON_AddStringToObject(o, "category_id", cats[i]);
		cJSON_AddStringToObject(o, "name", ms_cg_category_name(cats[i]));
	}
	ms_cg_categories_free(cats, n);
	return ms_cg_send(res, doc);
}

static const struct ms_route route = {
	.name = "cg_categories_list",
	.pattern = "/api/v3/coins/categories/list",
	.methods = "GET, HEAD",
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "CoinGecko-compatible: category ids and names",
};

MS_FUNCTION(route, cg_categories_list)
