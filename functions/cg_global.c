/*
 * GET /api/v3/global — CoinGecko's whole-market figures.
 *
 * Methods: GET, HEAD.
 * Parameters: x_cg_demo_api_key, x_cg_pro_api_key (accepted, not checked).
 * Computed over the coins of /coins/markets (the assets listed as of the
 * last day L in the store, each with its last bar), so the total is the
 * sum of that table's market caps:
 *   active_cryptocurrencies   how many they are
 *   total_market_cap.usd, total_volume.usd   sums of the known values
 *   market_cap_percentage     the 10 largest by market cap, keyed by
 *                             lower-case symbol (the id when the symbol is
 *                             unknown or taken by a larger coin), in
 *                             percent of the total
 *   market_cap_change_percentage_24h_usd, volume_change_percentage_24h_usd
 *                             percent change of the sums against the day
 *                             before, over the coins with both days known
 *   updated_at                the close instant of L in UNIX seconds
 *   upcoming_icos, ongoing_icos, ended_icos, markets   null (not stored)
 * Moonscope extension: as_of=YYYY-MM-DD answers as known at the end of
 * that UTC day (it is then "now"; no later row is read); 400 "invalid
 * as_of" when it is not such a date.
 * 200: {"data": {...}} — CoinGecko's own wrapper, not Moonscope's envelope.
 * Errors ({"error": ...}): 503 store unavailable.
 */
#include <math.h>
#include <stdlib.h>

#include "ms_cg.h"
#include "ms_error.h"
#include "ms_function.h"
#include "ms_json.h"

static const struct ms_param_spec params[] = {
	MS_CG_PARAM_AS_OF,
	MS_CG_PARAM_KEYS,
};

#define TOP 10

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	struct ms_store *st;
	int32_t as_of;
	struct ms_cg_market *v = NULL;
	size_t n = 0;
	int32_t now = -1;
	double cap = 0, vol = 0, cap_now = 0, cap_then = 0, vol_now = 0,
	    vol_then = 0;
	int ncap = 0, nvol = 0, ncc = 0, nvc = 0, rc;
	cJSON *doc, *data, *pct;

	if ((st = ms_cg_store(ctx, req, res)) == NULL)
		return 0;
	if ((rc = ms_cg_check_as_of(req, res, &as_of)) != 0)
		return MS_CG_DONE(rc);
	rc = ms_cg_day(st, as_of, &now);
	if (rc == 0)
		rc = ms_cg_listing(st, now, &v, &n);
	else if (rc == MS_ERR_NODATA)
		rc = 0;
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const struct ms_bar *b = &v[i].bar;

		if (!isnan(b->market_cap)) {
			cap += b->market_cap;
			ncap++;
			if (!isnan(v[i].prev_market_cap)) {
				cap_now += b->market_cap;
				cap_then += v[i].prev_market_cap;
				ncc++;
			}
		}
		if (!isnan(b->volume)) {
			vol += b->volume;
			nvol++;
			if (!isnan(v[i].prev_volume)) {
				vol_now += b->volume;
				vol_then += v[i].prev_volume;
				nvc++;
			}
		}
	}
	doc = cJSON_CreateObject();
	if ((data = cJSON_AddObjectToObject(doc, "data")) == NULL) {
		free(v);
		cJSON_Delete(doc);
		return MS_ERR_NOMEM;
	}
	ms_json_int(data, "active_cryptocurrencies", (int64_t)n);
	cJSON_AddNullToObject(data, "upcoming_icos");
	cJSON_AddNullToObject(data, "ongoing_icos");
	cJSON_AddNullToObject(data, "ended_icos");
	cJSON_AddNullToObject(data, "markets");
	ms_cg_add_usd(data, "total_market_cap", ncap > 0 ? cap : NAN);
	ms_cg_add_usd(data, "total_volume", nvol > 0 ? vol : NAN);
	pct = cJSON_AddObjectToObject(data, "market_cap_percentage");
	/* The listing is in rank order: the first TOP with a cap. */
	for (size_t i = 0; pct != NULL && i < n && i < TOP && v[i].rank > 0;
	    i++) {
		char key[MS_SLUG_MAX + 1];

		ms_cg_lower(v[i].asset.symbol, key, sizeof(key));
		if (key[0] == '\0' ||
		    cJSON_GetObjectItemCaseSensitive(pct, key) != NULL)
			ms_cg_lower(v[i].asset.slug, key, sizeof(key));
		ms_json_num(pct, key, 100.0 * v[i].bar.market_cap / cap);
	}
	ms_json_num(data, "market_cap_change_percentage_24h_usd",
	    ncc > 0 ? ms_cg_pct(cap_now, cap_then) : NAN);
	ms_json_num(data, "volume_change_percentage_24h_usd",
	    nvc > 0 ? ms_cg_pct(vol_now, vol_then) : NAN);
	if (now >= 0)
		ms_json_int(data, "updated_at", ms_cg_close_ms(now) / 1000);
	else
		cJSON_AddNullToObject(data, "updated_at");
	free(v);
	return ms_cg_send(res, doc);
}

static const struct ms_route route = {
	.name = "cg_global",
	.pattern = "/api/v3/global",
	.methods = "GET, HEAD",
	.params = params,
	.n_params = sizeof(params) / sizeof(params[0]),
	.handler = handle,
	.summary = "CoinGecko-compatible: total market cap, volume, dominance",
};

MS_FUNCTION(route, cg_global)
