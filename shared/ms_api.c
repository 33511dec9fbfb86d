/*
 * ms_api.c — shared helpers of the /v1 routes (see ms_api.h).
 */
#include <stdio.h>
#include <string.h>

#include "ms_api.h"
#include "ms_error.h"
#include "ms_json.h"
#include "ms_store.h"

int
ms_api_as_of(struct ms_store *st, const struct ms_request *req,
    struct ms_response *res, int32_t *as_of)
{
	const struct ms_param_value *v = ms_request_param(req, "as_of");
	int32_t last;
	int rc;

	if (v != NULL && v->present) {
		*as_of = v->day;
		return 0;
	}
	rc = ms_market_latest_day(st, -1, &last);
	if (rc == MS_ERR_NODATA) {
		ms_response_problem(res, MS_PROBLEM_NO_DATA,
		    "the store holds no market data yet; import some "
		    "(moonscope import) or load the demo (moonscope demo-data)",
		    NULL, 0, req);
		return rc;
	}
	if (rc != 0)
		return rc;
	*as_of = last;
	return 0;
}

int
ms_api_resolve(struct ms_store *st, const struct ms_request *req,
    struct ms_response *res, const char *param_name, const char *key,
    int32_t day, struct ms_asset *asset, struct ms_resolution *how)
{
	char detail[256];
	int rc = ms_market_resolve(st, key, day, asset, how);

	if (rc == MS_ERR_NOTFOUND) {
		struct ms_invalid_param ip = { param_name,
		    "no asset with this id or symbol" };
		snprintf(detail, sizeof(detail),
		    "no asset has the id or symbol '%.80s'", key);
		ms_response_problem(res, MS_PROBLEM_ASSET_NOT_FOUND, detail,
		    &ip, 1, req);
	}
	return rc;
}

int
ms_api_bar_on_day(struct ms_store *st, const struct ms_request *req,
    struct ms_response *res, const struct ms_asset *a, int32_t day,
    struct ms_bar *bar)
{
	char date[MS_DATE_LEN + 1], detail[200];
	int rc = ms_market_bar_at(st, a->id, day, bar);

	if (rc != 0 && rc != MS_ERR_NODATA)
		return rc;
	if (rc == 0 && bar->day == day && bar->close > 0)
		return 0;
	ms_date_format(day, date);
	snprintf(detail, sizeof(detail), "asset '%s' has no price on %s, the "
	    "day the answer starts from", a->slug, date);
	ms_response_problem(res, MS_PROBLEM_NO_DATA, detail, NULL, 0, req);
	return MS_ERR_NODATA;
}

void
ms_api_asset_fields(cJSON *obj, const struct ms_asset *a)
{
	ms_json_str(obj, "id", a->slug);
	ms_json_str(obj, "symbol", a->symbol[0] ? a->symbol : NULL);
	ms_json_str(obj, "name", a->name[0] ? a->name : NULL);
}

void
ms_api_resolution_fields(cJSON *obj, const struct ms_resolution *how)
{
	cJSON *c;

	ms_json_str(obj, "resolved_by",
	    how->by == MS_RESOLVED_ID ? "id" : "symbol");
	if (how->by != MS_RESOLVED_SYMBOL || how->n_candidates < 2)
		return;
	if ((c = cJSON_AddArrayToObject(obj, "candidates")) == NULL)
		return;
	for (size_t i = 0; i < how->n_candidates && i < MS_MAX_CANDIDATES; i++)
		cJSON_AddItemToArray(c, cJSON_CreateString(how->candidates[i]));
}

int
ms_api_send(struct ms_store *st, const struct ms_request *req,
    struct ms_response *res, cJSON *data, int32_t as_of,
    const struct ms_source_set *sources, int64_t page, int64_t limit,
    int64_t total)
{
	char names[512];
	struct ms_meta meta;
	int rc;

	memset(&meta, 0, sizeof(meta));
	meta.as_of = as_of;
	meta.data_version = -1;
	names[0] = '\0';
	if (sources != NULL && sources->n > 0) {
		rc = ms_source_set_format(st, sources, names, sizeof(names),
		    &meta.synthetic);
		if (rc != 0) {
			cJSON_Delete(data);
			return rc;
		}
		meta.source = names;
	}
	if ((rc = ms_store_data_version(st, &meta.data_version)) != 0) {
		cJSON_Delete(data);
		return rc;
	}
	meta.page = page;
	meta.limit = limit;
	meta.total = total;
	return ms_response_envelope(res, 200, data, &meta, req);
}

const char *
ms_api_source_name(struct ms_store *st, int64_t id, char *buf, size_t bufsz)
{
	struct ms_source_info si;

	if (bufsz == 0)
		return "";
	buf[0] = '\0';
	if (ms_market_source(st, id, &si) == 0)
		snprintf(buf, bufsz, "%s", si.name);
	return buf;
}
