/*
 * ms_api.h — pieces every /v1 route shares: the common parameters, the
 * effective as-of day, and the envelope with meta.source/data_version.
 */
#ifndef MS_API_H
#define MS_API_H

#include <stdint.h>

#include <cJSON.h>

#include "ms_date.h"
#include "ms_http.h"
#include "ms_market.h"

/* `as_of=YYYY-MM-DD`: answer with what was known at the end of that day. */
#define MS_PARAM_AS_OF \
	{ .name = "as_of", .type = MS_PARAM_DATE, \
	  .doc = "answer as known at the end of this UTC day (YYYY-MM-DD); default: the last day in the store" }

#define MS_PARAM_LIMIT(def_, max_) \
	{ .name = "limit", .type = MS_PARAM_INT, .min_i = 1, .max_i = (max_), \
	  .def = #def_, .doc = "page size" }

#define MS_PARAM_PAGE \
	{ .name = "page", .type = MS_PARAM_INT, .min_i = 1, .max_i = 1000000, \
	  .def = "1", .doc = "page number, from 1" }

/* Path parameter {id}: an asset id (slug) or symbol. */
#define MS_PATH_ID \
	{ .name = "id", .type = MS_PARAM_SLUG, .required = 1, .max_len = 80, \
	  .doc = "asset id (e.g. ripple) or symbol (e.g. xrp), case-insensitive" }

/*
 * The day a request is answered as of: the as_of parameter when given,
 * else the last day in the store. Writes a 404 no-data problem into res and
 * returns MS_ERR_NODATA when the store holds no data (at or before as_of).
 */
int ms_api_as_of(struct ms_store *st, const struct ms_request *req,
    struct ms_response *res, int32_t *as_of);

/*
 * Resolves a key to an asset as of day, or writes the 404 asset-not-found
 * problem (naming param_name in invalid_params) and returns MS_ERR_NOTFOUND.
 */
int ms_api_resolve(struct ms_store *st, const struct ms_request *req,
    struct ms_response *res, const char *param_name, const char *key,
    int32_t day, struct ms_asset *asset, struct ms_resolution *how);

/*
 * The asset's bar on day itself, with a known close: the starting point
 * of forecasts, targets and signals. Otherwise writes the 404 no-data
 * problem and returns MS_ERR_NODATA.
 */
int ms_api_bar_on_day(struct ms_store *st, const struct ms_request *req,
    struct ms_response *res, const struct ms_asset *a, int32_t day,
    struct ms_bar *bar);

/* Adds id, symbol, name (null when unknown) of a to obj. */
void ms_api_asset_fields(cJSON *obj, const struct ms_asset *a);

/* Adds "resolved_by" and, when a symbol was ambiguous, "candidates". */
void ms_api_resolution_fields(cJSON *obj, const struct ms_resolution *how);

/*
 * Sends the 200 envelope for data (ownership taken) with meta.as_of,
 * meta.source and meta.synthetic from sources, meta.data_version, and
 * pagination when limit > 0.
 */
int ms_api_send(struct ms_store *st, const struct ms_request *req,
    struct ms_response *res, cJSON *data, int32_t as_of,
    const struct ms_source_set *sources, int64_t page, int64_t limit,
    int64_t total);

/* Name of a source id, "" when unknown (for per-row "source" fields). */
const char *ms_api_source_name(struct ms_store *st, int64_t id,
    char *buf, size_t bufsz);

#endif
