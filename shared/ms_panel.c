/*
 * ms_panel.c — loading a point-in-time cross-section (see ms_panel.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "ms_error.h"
#include "ms_log.h"
#include "ms_panel.h"
#include "ms_store.h"

void
ms_panel_free(struct ms_panel *p)
{
	if (p == NULL)
		return;
	free(p->assets);
	free(p->last_bar_day);
	free(p->close);
	free(p->high);
	free(p->low);
	free(p->volume);
	free(p->market_cap);
	free(p->present);
	free(p);
}

double
ms_panel_last(const double *series, size_t at, size_t slack)
{
	for (size_t k = 0; k <= slack && k <= at; k++)
		if (!isnan(series[at - k]))
			return series[at - k];
	return NAN;
}

/* Grows the per-asset arrays of p to hold cap assets. */
static int
grow(struct ms_panel *p, size_t cap)
{
	double **fields[] = { &p->close, &p->high, &p->low, &p->volume,
		&p->market_cap };
	void *t;

	if ((t = realloc(p->assets, cap * sizeof(*p->assets))) == NULL)
		return MS_ERR_NOMEM;
	p->assets = t;
	if ((t = realloc(p->last_bar_day, cap * sizeof(*p->last_bar_day))) == NULL)
		return MS_ERR_NOMEM;
	p->last_bar_day = t;
	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		if ((t = realloc(*fields[f], cap * p->ndays * sizeof(double))) == NULL)
			return MS_ERR_NOMEM;
		*fields[f] = t;
	}
	if ((t = realloc(p->present, cap * p->ndays)) == NULL)
		return MS_ERR_NOMEM;
	p->present = t;
	return 0;
}

int
ms_panel_load(struct ms_store *st, int32_t day, size_t ndays,
    struct ms_panel **out)
{
	static const char assets_sql[] =
	    "SELECT id, slug, symbol, name, categories FROM assets ORDER BY id";
	static const char bars_sql[] =
	    "SELECT day, close, high, low, volume, market_cap, source_id FROM daily "
	    "WHERE asset_id = ?1 AND day BETWEEN ?2 AND ?3";
	struct ms_asset *ids = NULL;
	struct ms_panel *p;
	size_t nids = 0, capids = 0, cap = 0;
	sqlite3_stmt *s;
	int rc = 0;

	if (ndays == 0 || ndays > MS_PANEL_MAX_DAYS)
		return MS_ERR_RANGE;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return MS_ERR_NOMEM;
	p->ndays = ndays;
	p->last_day = day;
	p->first_day = day - (int32_t)ndays + 1;

	/* The asset list first: the bar statement runs once per asset. */
	if ((s = ms_store_stmt(st, assets_sql)) == NULL) {
		ms_panel_free(p);
		return MS_ERR_STORE;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (nids == capids) {
			capids = capids ? capids * 2 : 256;
			void *t = realloc(ids, capids * sizeof(*ids));
			if (t == NULL) {
				rc = MS_ERR_NOMEM;
				break;
			}
			ids = t;
		}
		struct ms_asset *a = &ids[nids++];
		ms_market_read_asset(s, 0, a);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(ids);
		ms_panel_free(p);
		return rc == MS_ERR_NOMEM ? rc : MS_ERR_STORE;
	}

	if ((s = ms_store_stmt(st, bars_sql)) == NULL) {
		free(ids);
		ms_panel_free(p);
		return MS_ERR_STORE;
	}
	rc = 0;
	for (size_t i = 0; i < nids && rc == 0; i++) {
		size_t a = p->nassets, base;
		int any = 0;

		if (a == cap) {
			cap = cap ? cap * 2 : 256;
			if ((rc = grow(p, cap)) != 0)
				break;
		}
		base = a * ndays;
		for (size_t d = 0; d < ndays; d++) {
			p->close[base + d] = p->high[base + d] = p->low[base + d] = NAN;
			p->volume[base + d] = p->market_cap[base + d] = NAN;
		}
		memset(p->present + base, 0, ndays);
		sqlite3_bind_int64(s, 1, ids[i].id);
		sqlite3_bind_int64(s, 2, p->first_day);
		sqlite3_bind_int64(s, 3, day);
		int step;
		while ((step = sqlite3_step(s)) == SQLITE_ROW) {
			int32_t bd = (int32_t)sqlite3_column_int64(s, 0);
			size_t off = base + (size_t)(bd - p->first_day);
			p->close[off] = ms_store_col_double(s, 1);
			p->high[off] = ms_store_col_double(s, 2);
			p->low[off] = ms_store_col_double(s, 3);
			p->volume[off] = ms_store_col_double(s, 4);
			p->market_cap[off] = ms_store_col_double(s, 5);
			ms_source_set_add(&p->sources, sqlite3_column_int64(s, 6));
			p->present[off] = 1;
			p->last_bar_day[a] = bd;
			any = 1;
		}
		sqlite3_reset(s);
		if (step != SQLITE_DONE) {
			ms_log(MS_LOG_ERROR, NULL, "panel: %s",
			    sqlite3_errmsg(ms_store_db(st)));
			rc = MS_ERR_STORE;
			break;
		}
		if (any) {
			p->assets[a] = ids[i];
			p->nassets++;
		}
	}
	free(ids);
	if (rc != 0) {
		ms_panel_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

int
ms_panel_slice(const struct ms_panel *big, int32_t day, size_t ndays,
    struct ms_panel **out)
{
	double *const src[] = { big->close, big->high, big->low, big->volume,
		big->market_cap };
	struct ms_panel *p;
	int32_t first = day - (int32_t)ndays + 1;
	size_t off;
	int rc;

	if (ndays == 0 || ndays > MS_PANEL_MAX_DAYS || first < big->first_day ||
	    day > big->last_day)
		return MS_ERR_RANGE;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return MS_ERR_NOMEM;
	p->ndays = ndays;
	p->first_day = first;
	p->last_day = day;
	p->sources = big->sources;
	off = (size_t)(first - big->first_day);
	if (big->nassets > 0 && (rc = grow(p, big->nassets)) != 0) {
		ms_panel_free(p);
		return rc;
	}
	for (size_t a = 0; a < big->nassets; a++) {
		double *const dst[] = { p->close, p->high, p->low, p->volume,
			p->market_cap };
		size_t base = a * big->ndays + off, k = p->nassets;
		int32_t last = -1;

		for (size_t d = 0; d < ndays; d++)
			if (big->present[base + d])
				last = first + (int32_t)d;
		if (last < 0)
			continue;
		for (size_t f = 0; f < sizeof(src) / sizeof(src[0]); f++)
			memcpy(dst[f] + k * ndays, src[f] + base,
			    ndays * sizeof(double));
		memcpy(p->present + k * ndays, big->present + base, ndays);
		p->assets[k] = big->assets[a];
		p->last_bar_day[k] = last;
		p->nassets++;
	}
	*out = p;
	return 0;
}
