/*
 * GET /api/v3/simple/supported_vs_currencies — the currencies prices can
 * be asked in.
 *
 * Methods: GET, HEAD.
 * Parameters: x_cg_demo_api_key, x_cg_pro_api_key (accepted, not checked).
 * 200: ["usd"]. Moonscope stores USD values only; every cg route refuses
 *      another vs_currency with 400 {"error": "invalid vs_currency"}.
 * Errors: the runtime's 400 problem for malformed requests; 405.
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
	cJSON *doc = cJSON_CreateArray();
	cJSON *usd = cJSON_CreateString("usd");

	(void)ctx;
	(void)req;
	if (doc == NULL || usd == NULL) {
		cJSON_Delete(doc);
		cJSON_Delete(usd);
		return MS_ERR_NOMEM;
	}
	cJSON_AddItemToArray(doc, usd);
	return ms_cg_send(res, doc);
}

static const struct ms_route route = {
	.name = "cg_simple_supported_vs_currencies",
	.pattern = "/api/v3/simple/supported_vs_currencies",
	.methods = "GET, HEAD",
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "CoinGecko-compatible: the supported vs currencies (usd)",
};

MS_FUNCTION(route, cg_simple_supported_vs_currencies)
