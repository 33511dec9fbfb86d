/*
 * GET /api/v3/ping — CoinGecko's server status check.
 *
 * Methods: GET, HEAD.
 * Parameters: x_cg_demo_api_key, x_cg_pro_api_key (accepted, not checked).
 * 200: {"gecko_says": "(V3) To the Moon!"}, CoinGecko's own text, so
 *      clients that compare it keep working. It does not touch the store
 *      (/v1/health reports on that).
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
	cJSON *doc = cJSON_CreateObject();

	(void)ctx;
	(void)req;
	if (doc == NULL || cJSON_AddStringToObject(doc, "gecko_says",
	    "(V3) To the Moon!") == NULL) {
		cJSON_Delete(doc);
		return MS_ERR_NOMEM;
	}
	return ms_cg_send(res, doc);
}

static const struct ms_route route = {
	.name = "cg_ping",
	.pattern = "/api/v3/ping",
	.methods = "GET, HEAD",
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "CoinGecko-compatible: server status",
};

MS_FUNCTION(route, cg_ping)
