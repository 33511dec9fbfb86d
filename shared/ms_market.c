/*
 * ms_market.c — read queries over the served series for routes and models.
 *
 * Every query binds the as-of day and selects only rows dated on or before
 * it, so no answer can depend on later data. Statements are prepared once
 * per process through ms_store_stmt() and reset after each use, so a
 * long-lived read-only connection never holds a read transaction open
 * between requests and sees new imports at once.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "ms_error.h"
#include "ms_log.h"
#include "ms_market.h"
#include "ms_store.h"

#define BAR_COLS "day, open, high, low, close, volume, market_cap, source_id"

void
ms_market_read_bar(sqlite3_stmt *s, int first, struct ms_bar *b)
{
	b->day = (int32_t)sqlite3_column_int64(s, first);
	b->open = ms_store_col_double(s, first + 1);
	b->high = ms_store_col_double(s, first + 2);
	b->low = ms_store_col_double(s, first + 3);
	b->close = ms_store_col_double(s, first + 4);
	b->volume = ms_store_col_double(s, first + 5);
	b->market_cap = ms_store_col_double(s, first + 6);
	b->source_id = sqlite3_column_int64(s, first + 7);
}

void
ms_market_read_asset(sqlite3_stmt *s, int first, struct ms_asset *a)
{
	a->id = sqlite3_column_int64(s, first);
	ms_store_col_text(s, first + 1, a->slug, sizeof(a->slug));
	ms_store_col_text(s, first + 2, a->symbol, sizeof(a->symbol));
	ms_store_col_text(s, first + 3, a->name, sizeof(a->name));
	ms_store_col_text(s, first + 4, a->categories, sizeof(a->categories));
}

/*
 * Steps s, which yields at most one row: 0 with the row ready (the caller
 * reads it, then resets s), `none` when there is no row (s is reset), or
 * MS_ERR_STORE (logged, s reset).
 */
static int
step_row(struct ms_store *st, sqlite3_stmt *s, int none, const char *what)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return none;
	}
	return ms_store_step_error(st, s, what);
}

/* Market cap of the last bar within MS_LISTED_DAYS of day, NaN if none. */
static double
listed_market_cap(struct ms_store *st, int64_t asset_id, int32_t day)
{
	struct ms_bar b;

	if (ms_market_bar_near(st, asset_id, day, MS_LISTED_DAYS - 1, &b) != 0)
		return NAN;
	return b.market_cap;
}

int
ms_market_resolve(struct ms_store *st, const char *key, int32_t day,
    struct ms_asset *out, struct ms_resolution *res)
{
	static const char by_slug[] =
	    "SELECT id, slug, symbol, name, categories FROM assets "
	    "WHERE slug = lower(?1)";
	static const char by_symbol[] =
	    "SELECT id, slug, symbol, name, categories FROM assets "
	    "WHERE symbol = ?1 COLLATE NOCASE ORDER BY id LIMIT 64";
	sqlite3_stmt *s;
	int rc;

	memset(res, 0, sizeof(*res));
	if ((s = ms_store_stmt(st, by_slug)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		ms_market_read_asset(s, 0, out);
		sqlite3_reset(s);
		res->by = MS_RESOLVED_ID;
		res->n_candidates = 1;
		memcpy(res->candidates[0], out->slug, sizeof(out->slug));
		return 0;
	}
	if (rc != SQLITE_DONE)
		return ms_store_step_error(st, s, "resolve slug");
	sqlite3_reset(s);

	if ((s = ms_store_stmt(st, by_symbol)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
	/*
	 * Collect the candidates first: ranking them runs other statements,
	 * and this one must be finished before those start.
	 */
	struct ms_asset cands[MS_MAX_CANDIDATES];
	size_t nc = 0, total = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (nc < MS_MAX_CANDIDATES)
			ms_market_read_asset(s, 0, &cands[nc++]);
		total++;
	}
	if (rc != SQLITE_DONE)
		return ms_store_step_error(st, s, "resolve symbol");
	sqlite3_reset(s);
	if (nc == 0)
		return MS_ERR_NOTFOUND;

	/*
	 * Rank by market cap as of day (unknown caps last); among those
	 * without one, the asset with the most recent bar first (a dead coin
	 * should not shadow the live one that took over its symbol); then by
	 * internal id.
	 */
	double caps[MS_MAX_CANDIDATES];
	int32_t last[MS_MAX_CANDIDATES];
	size_t order[MS_MAX_CANDIDATES];
	for (size_t i = 0; i < nc; i++) {
		struct ms_bar b;
		caps[i] = listed_market_cap(st, cands[i].id, day);
		last[i] = ms_market_bar_at(st, cands[i].id, day, &b) == 0 ?
		    b.day : -1;
		order[i] = i;
	}
	for (size_t i = 1; i < nc; i++) {
		size_t j = i, o = order[i];
		while (j > 0) {
			size_t p = order[j - 1];
			int better;
			if (!isnan(caps[o]) || !isnan(caps[p]))
				better = !isnan(caps[o]) &&
				    (isnan(caps[p]) || caps[o] > caps[p]);
			else
				better = last[o] > last[p];
			if (!better)
				break;
			order[j] = p;
			j--;
		}
		order[j] = o;
	}
	*out = cands[order[0]];
	res->by = MS_RESOLVED_SYMBOL;
	res->n_candidates = total;
	for (size_t i = 0; i < nc; i++)
		memcpy(res->candidates[i], cands[order[i]].slug, sizeof(res->candidates[i]));
	return 0;
}

int
ms_market_latest_day(struct ms_store *st, int32_t day, int32_t *out)
{
	static const char sql[] =
	    "SELECT max(day) FROM daily WHERE day <= ?1";
	sqlite3_stmt *s;
	int rc;

	if ((s = ms_store_stmt(st, sql)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, day < 0 ? INT32_MAX : day);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return ms_store_step_error(st, s, "latest day");
	if (sqlite3_column_type(s, 0) == SQLITE_NULL) {
		sqlite3_reset(s);
		return MS_ERR_NODATA;
	}
	*out = (int32_t)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

int
ms_market_range(struct ms_store *st, int32_t day, struct ms_data_range *out)
{
	static const char sql[] =
	    "SELECT min(day), max(day), count(*), count(DISTINCT asset_id) "
	    "FROM daily WHERE day <= ?1";
	sqlite3_stmt *s;
	struct ms_data_range r;

	if ((s = ms_store_stmt(st, sql)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, day < 0 ? INT32_MAX : day);
	if (sqlite3_step(s) != SQLITE_ROW)
		return ms_store_step_error(st, s, "range");
	if (sqlite3_column_type(s, 0) == SQLITE_NULL) {
		r.first_day = r.last_day = -1;
	} else {
		r.first_day = (int32_t)sqlite3_column_int64(s, 0);
		r.last_day = (int32_t)sqlite3_column_int64(s, 1);
	}
	r.bars = sqlite3_column_int64(s, 2);
	r.assets = sqlite3_column_int64(s, 3);
	sqlite3_reset(s);
	*out = r;
	return 0;
}

/* Runs a statement expected to yield one bar row (BAR_COLS first). */
static int
one_bar(struct ms_store *st, sqlite3_stmt *s, struct ms_bar *out,
    const char *what)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return MS_ERR_NODATA;
	}
	if (rc != SQLITE_ROW)
		return ms_store_step_error(st, s, what);
	ms_market_read_bar(s, 0, out);
	sqlite3_reset(s);
	return 0;
}

int
ms_market_bar_at(struct ms_store *st, int64_t asset_id, int32_t day,
    struct ms_bar *out)
{
	static const char sql[] =
	    "SELECT " BAR_COLS " FROM daily WHERE asset_id = ?1 AND day <= ?2 "
	    "ORDER BY day DESC LIMIT 1";
	sqlite3_stmt *s;

	if ((s = ms_store_stmt(st, sql)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, asset_id);
	sqlite3_bind_int64(s, 2, day);
	return one_bar(st, s, out, "bar at");
}

int
ms_market_bar_near(struct ms_store *st, int64_t asset_id, int32_t day,
    int32_t slack, struct ms_bar *out)
{
	static const char sql[] =
	    "SELECT " BAR_COLS " FROM daily WHERE asset_id = ?1 "
	    "AND day <= ?2 AND day >= ?3 ORDER BY day DESC LIMIT 1";
	sqlite3_stmt *s;

	if ((s = ms_store_stmt(st, sql)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, asset_id);
	sqlite3_bind_int64(s, 2, day);
	sqlite3_bind_int64(s, 3, (int64_t)day - slack);
	return one_bar(st, s, out, "bar near");
}

int
ms_market_first_day(struct ms_store *st, int64_t asset_id, int32_t *out)
{
	static const char sql[] =
	    "SELECT day FROM daily WHERE asset_id = ?1 ORDER BY day LIMIT 1";
	sqlite3_stmt *s;
	int rc;

	if ((s = ms_store_stmt(st, sql)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, asset_id);
	if ((rc = step_row(st, s, MS_ERR_NODATA, "first day")) != 0)
		return rc;
	*out = (int32_t)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

int
ms_market_ath(struct ms_store *st, int64_t asset_id, int32_t day,
    double *price, int32_t *ath_day)
{
	/*
	 * The running high stored with the last bar at or before day: one
	 * primary-key seek instead of a scan of the asset's history.
	 */
	static const char sql[] =
	    "SELECT ath, ath_day FROM daily WHERE asset_id = ?1 AND day <= ?2 "
	    "ORDER BY day DESC LIMIT 1";
	sqlite3_stmt *s;
	int rc;

	if ((s = ms_store_stmt(st, sql)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, asset_id);
	sqlite3_bind_int64(s, 2, day);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE || (rc == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) == SQLITE_NULL)) {
		sqlite3_reset(s);
		return MS_ERR_NODATA;
	}
	if (rc != SQLITE_ROW)
		return ms_store_step_error(st, s, "ath");
	*price = sqlite3_column_double(s, 0);
	*ath_day = (int32_t)sqlite3_column_int64(s, 1);
	sqlite3_reset(s);
	return 0;
}

int
ms_market_bars(struct ms_store *st, int64_t asset_id, int32_t from,
    int32_t to, struct ms_bar **out, size_t *n)
{
	static const char sql[] =
	    "SELECT " BAR_COLS " FROM daily WHERE asset_id = ?1 "
	    "AND day BETWEEN ?2 AND ?3 ORDER BY day";
	sqlite3_stmt *s;
	struct ms_bar *v = NULL, *nv;
	size_t len = 0, cap = 0;
	int rc;

	if ((s = ms_store_stmt(st, sql)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, asset_id);
	sqlite3_bind_int64(s, 2, from);
	sqlite3_bind_int64(s, 3, to);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				free(v);
				sqlite3_reset(s);
				return MS_ERR_NOMEM;
			}
			v = nv;
		}
		ms_market_read_bar(s, 0, &v[len++]);
	}
	if (rc != SQLITE_DONE) {
		free(v);
		return ms_store_step_error(st, s, "bars");
	}
	sqlite3_reset(s);
	*out = v;
	*n = len;
	return 0;
}

int
ms_market_listing(struct ms_store *st, int32_t day,
    struct ms_listing_row **out, size_t *n)
{
	/*
	 * For each asset, its last bar in the listing window; the previous
	 * day's close comes from a primary-key lookup.
	 */
	static const char sql[] =
	    "SELECT a.id, a.slug, a.symbol, a.name, a.categories, "
	    "d.day, d.open, d.high, d.low, d.close, d.volume, d.market_cap, "
	    "d.source_id, "
	    "(SELECT p.close FROM daily p WHERE p.asset_id = a.id "
	    " AND p.day = d.day - 1) "
	    "FROM assets a JOIN daily d ON d.asset_id = a.id AND d.day = "
	    "(SELECT max(x.day) FROM daily x WHERE x.asset_id = a.id "
	    " AND x.day <= ?1 AND x.day >= ?2) "
	    "ORDER BY a.id";
	sqlite3_stmt *s;
	struct ms_listing_row *v = NULL, *nv;
	size_t len = 0, cap = 0;
	int rc;

	if ((s = ms_store_stmt(st, sql)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, day);
	sqlite3_bind_int64(s, 2, (int64_t)day - (MS_LISTED_DAYS - 1));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 256;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				free(v);
				sqlite3_reset(s);
				return MS_ERR_NOMEM;
			}
			v = nv;
		}
		ms_market_read_asset(s, 0, &v[len].asset);
		ms_market_read_bar(s, 5, &v[len].bar);
		v[len].prev_close = ms_store_col_double(s, 13);
		len++;
	}
	if (rc != SQLITE_DONE) {
		free(v);
		return ms_store_step_error(st, s, "listing");
	}
	sqlite3_reset(s);
	*out = v;
	*n = len;
	return 0;
}

int
ms_market_source(struct ms_store *st, int64_t id, struct ms_source_info *out)
{
	static const char sql[] =
	    "SELECT id, name, priority, synthetic FROM sources WHERE id = ?1";
	sqlite3_stmt *s;
	int rc;

	if ((s = ms_store_stmt(st, sql)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = step_row(st, s, MS_ERR_NOTFOUND, "source")) != 0)
		return rc;
	out->id = sqlite3_column_int64(s, 0);
	ms_store_col_text(s, 1, out->name, sizeof(out->name));
	out->priority = sqlite3_column_int(s, 2);
	out->synthetic = sqlite3_column_int(s, 3) != 0;
	sqlite3_reset(s);
	return 0;
}

void
ms_source_set_add(struct ms_source_set *set, int64_t id)
{
	size_t i = 0;

	/* Kept in ascending id order, so meta.source does not depend on the
	 * order in which a query met the rows. */
	while (i < set->n && set->ids[i] < id)
		i++;
	if ((i < set->n && set->ids[i] == id) || set->n == MS_SOURCE_SET_MAX)
		return;
	memmove(&set->ids[i + 1], &set->ids[i], (set->n - i) * sizeof(set->ids[0]));
	set->ids[i] = id;
	set->n++;
}

int
ms_source_set_format(struct ms_store *st, const struct ms_source_set *set,
    char *buf, size_t bufsz, int *synthetic)
{
	struct ms_source_info si;
	size_t used = 0;
	int rc;

	*synthetic = 0;
	if (bufsz == 0)
		return MS_ERR_RANGE;
	buf[0] = '\0';
	for (size_t i = 0; i < set->n; i++) {
		if ((rc = ms_market_source(st, set->ids[i], &si)) != 0)
			return rc;
		if (si.synthetic)
			*synthetic = 1;
		size_t need = strlen(si.name) + (used ? 2 : 0);
		if (used + need + 1 > bufsz)
			break;
		if (used) {
			memcpy(buf + used, ", ", 2);
			used += 2;
		}
		memcpy(buf + used, si.name, strlen(si.name));
		used += strlen(si.name);
		buf[used] = '\0';
	}
	return 0;
}

int
ms_market_sources_between(struct ms_store *st, int32_t day, int32_t days,
    struct ms_source_set *set)
{
	static const char sql[] =
	    "SELECT DISTINCT source_id FROM daily WHERE day BETWEEN ?1 AND ?2";
	sqlite3_stmt *s;
	int rc;

	if ((s = ms_store_stmt(st, sql)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, (int64_t)day - days + 1);
	sqlite3_bind_int64(s, 2, day);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		ms_source_set_add(set, sqlite3_column_int64(s, 0));
	if (rc != SQLITE_DONE)
		return ms_store_step_error(st, s, "sources between");
	sqlite3_reset(s);
	return 0;
}

int
ms_market_asset(struct ms_store *st, int64_t id, struct ms_asset *out)
{
	static const char sql[] =
	    "SELECT id, slug, symbol, name, categories FROM assets WHERE id = ?1";
	sqlite3_stmt *s;
	int rc;

	if ((s = ms_store_stmt(st, sql)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = step_row(st, s, MS_ERR_NOTFOUND, "asset")) != 0)
		return rc;
	ms_market_read_asset(s, 0, out);
	sqlite3_reset(s);
	return 0;
}

int
ms_market_closes(struct ms_store *st, int64_t asset_id, int32_t day,
    size_t ndays, double **out)
{
	static const char sql[] =
	    "SELECT day, close FROM daily WHERE asset_id = ?1 "
	    "AND day BETWEEN ?2 AND ?3";
	int32_t first = day - (int32_t)ndays + 1;
	sqlite3_stmt *s;
	double *v;
	int rc;

	if (ndays == 0 || ndays > 20000)
		return MS_ERR_RANGE;
	if ((v = malloc(ndays * sizeof(*v))) == NULL)
		return MS_ERR_NOMEM;
	for (size_t i = 0; i < ndays; i++)
		v[i] = NAN;
	if ((s = ms_store_stmt(st, sql)) == NULL) {
		free(v);
		return MS_ERR_STORE;
	}
	sqlite3_bind_int64(s, 1, asset_id);
	sqlite3_bind_int64(s, 2, first);
	sqlite3_bind_int64(s, 3, day);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		v[sqlite3_column_int64(s, 0) - first] = ms_store_col_double(s, 1);
	if (rc != SQLITE_DONE) {
		free(v);
		return ms_store_step_error(st, s, "closes");
	}
	sqlite3_reset(s);
	*out = v;
	return 0;
}

int
ms_market_companies(struct ms_store *st, int32_t day, size_t top,
    struct ms_company *out, size_t *n, int32_t *snapshot_day, int *after)
{
	/* The snapshot nearest to day; on a tie, the earlier one. */
	static const char pick[] =
	    "SELECT snapshot_day FROM (SELECT DISTINCT snapshot_day "
	    "FROM companies) ORDER BY abs(snapshot_day - ?1), snapshot_day "
	    "LIMIT 1";
	static const char rows[] =
	    "SELECT rank, name, symbol, market_cap FROM companies "
	    "WHERE snapshot_day = ?1 ORDER BY market_cap DESC, rank LIMIT ?2";
	sqlite3_stmt *s;
	int32_t snap;
	size_t k = 0;
	int rc;

	if (top > 16)
		top = 16;
	if ((s = ms_store_stmt(st, pick)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, day);
	if ((rc = sqlite3_step(s)) == SQLITE_DONE) {
		sqlite3_reset(s);
		return MS_ERR_NODATA;
	}
	if (rc != SQLITE_ROW)
		return ms_store_step_error(st, s, "company snapshot");
	snap = (int32_t)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if ((s = ms_store_stmt(st, rows)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, snap);
	sqlite3_bind_int64(s, 2, (int64_t)top);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && k < top) {
		out[k].rank = sqlite3_column_int(s, 0);
		ms_store_col_text(s, 1, out[k].name, sizeof(out[k].name));
		ms_store_col_text(s, 2, out[k].symbol, sizeof(out[k].symbol));
		out[k].market_cap = sqlite3_column_double(s, 3);
		k++;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return ms_store_step_error(st, s, "companies");
	sqlite3_reset(s);
	*n = k;
	*snapshot_day = snap;
	*after = snap > day;
	return 0;
}
