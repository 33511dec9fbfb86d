/*
 * GET /api/v3/coins/list — every coin's id, symbol and name.
 *
 * Methods: GET, HEAD.
 * Parameters (CoinGecko's):
 *   include_platform   true | false (default false): adds "platforms",
 *                      which is always {} (Moonscope stores no contract
 *                      addresses)
 *   status             active (default) | inactive: the assets listed as
 *                      of the last day in the store (a bar in its last 31
 *                      days), or the others (dead or delisted coins)
 *   x_cg_demo_api_key, x_cg_pro_api_key   accepted, not checked
 * Moonscope extension: as_of=YYYY-MM-DD answers as known at the end of
 * that UTC day (it is then "now"; no later row is read); 400 "invalid
 * as_of" when it is not such a date.
 * 200: [{"id", "symbol", "name", "platforms"?}] sorted by id. id is the
 *      Moonscope asset id, symbol lower case ("" when unknown), name ("" when
 *      unknown).
 * Errors ({"error": ...}): 400 "invalid include_platform", "invalid
 *      status"; 503 store unavailable.
 */
#include <ctype.h>
#include <stdlib.h>

#include "ms_cg.h"
#include "ms_error.h"
#include "ms_function.h"

static const struct ms_param_spec params[] = {
	MS_CG_PARAM_FLAG("include_platform",
	    "include platforms (always {}: no contract addresses are stored)"),
	MS_CG_PARAM("status", 16, "active (default) or inactive"),
	MS_CG_PARAM_AS_OF,
	MS_CG_PARAM_KEYS,
};

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	static const char *const statuses[] = { "active", "inactive", NULL };
	struct ms_store *st;
	int32_t as_of;
	struct ms_asset *v = NULL;
	size_t n = 0;
	int32_t now;
	int rc, platform, status;
	cJSON *doc;

	if ((st = ms_cg_store(ctx, req, res)) == NULL)
		return 0;
	if ((rc = ms_cg_check_as_of(req, res, &as_of)) != 0)
		return MS_CG_DONE(rc);
	if ((rc = ms_cg_flag(req, res, "include_platform", 0, &platform)) != 0 ||
	    (rc = ms_cg_choice(req, res, "status", statuses, 0, &status)) != 0)
		return MS_CG_DONE(rc);
	if ((doc = cJSON_CreateArray()) == NULL)
		return MS_ERR_NOMEM;
	rc = ms_cg_day(st, as_of, &now);
	if (rc == MS_ERR_NODATA)
		return ms_cg_send(res, doc);
	if (rc == 0)
		rc = ms_cg_assets(st, now, status == 0, &v, &n);
	if (rc != 0) {
		cJSON_Delete(doc);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		char sym[MS_SYMBOL_MAX + 1];
		size_t k;

		if (o == NULL) {
			free(v);
			cJSON_Delete(doc);
			return MS_ERR_NOMEM;
		}
		for (k = 0; v[i].symbol[k] != '\0'; k++)
			sym[k] = (char)tolower((unsigned char)v[i].symbol[k]);
		sym[k] = '\0';
		cJSON_AddStringToObject(o, "id", v[i].slug);
		cJSON_AddStringToObject(o, "symbol", sym);
		cJSON_AddStringToObject(o, "name", v[i].name);
		if (platform)
			cJSON_AddObjectToObject(o, "platforms");
		cJSON_AddItemToArray(doc, o);
	}
	free(v);
	return ms_cg_send(res, doc);
}

static const struct ms_route route = {
	.name = "cg_coins_list",
	.pattern = "/api/v3/coins/list",
	.methods = "GET, HEAD",
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "CoinGecko-compatible: id, symbol and name of every coin",
};

MS_FUNCTION(route, cg_coins_list)
