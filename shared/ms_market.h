/*
 * ms_market.h — the read model: what routes (and later the analytics and
 * the backtester) ask of the store.
 *
 * Everything here reads the served series `daily` (one bar per asset and
 * day, the highest-priority source) and answers "as of" a day: no function
 * reads a row dated after the as_of day it is given. Unknown values come
 * back as NaN.
 */
#ifndef MS_MARKET_H
#define MS_MARKET_H

#include <stddef.h>
#include <stdint.h>

#include "ms_identity.h"

struct ms_store;

/* Field lengths (MS_SLUG_MAX, MS_SYMBOL_MAX, MS_NAME_MAX) are the importer's. */
#define MS_CATEGORIES_MAX 512
#define MS_SOURCE_NAME_MAX 96

/*
 * An asset is "listed" as of day D when it has a bar in the MS_LISTED_DAYS
 * days ending D (monthly snapshot sources have gaps of up to 31 days).
 */
#define MS_LISTED_DAYS 31

struct ms_asset {
	int64_t id;
	char slug[MS_SLUG_MAX + 1];
	char symbol[MS_SYMBOL_MAX + 1]; /* "" when unknown */
	char name[MS_NAME_MAX + 1];   /* "" when unknown */
	char categories[MS_CATEGORIES_MAX]; /* comma-separated, "" when none */
};

struct ms_bar {
	int32_t day;
	double open, high, low, close, volume, market_cap; /* NaN = unknown */
	int64_t source_id;
};

/*
 * Readers of a query row: the bar columns "day, open, high, low, close,
 * volume, market_cap, source_id" and the asset columns "id, slug, symbol,
 * name, categories", each starting at column `first`.
 */
struct sqlite3_stmt;
void ms_market_read_bar(struct sqlite3_stmt *s, int first, struct ms_bar *b);
void ms_market_read_asset(struct sqlite3_stmt *s, int first,
    struct ms_asset *a);

/* How a key was resolved to an asset. */
enum ms_resolved_by { MS_RESOLVED_ID, MS_RESOLVED_SYMBOL };

#define MS_MAX_CANDIDATES 8

struct ms_resolution {
	enum ms_resolved_by by;
	size_t n_candidates;                 /* assets sharing the symbol (>=1) */
	char candidates[MS_MAX_CANDIDATES][MS_SLUG_MAX + 1]; /* best first */
};

/*
 * Resolves key (an asset id/slug or a symbol, case-insensitive) as of day.
 * The id wins over a symbol; a symbol shared by several assets resolves to
 * the one with the largest market cap as of day (ties: lowest internal id),
 * and res lists the candidates. Returns 0, MS_ERR_NOTFOUND, or an error.
 */
int ms_market_resolve(struct ms_store *st, const char *key, int32_t day,
    struct ms_asset *out, struct ms_resolution *res);

/* Looks an asset up by internal id; MS_ERR_NOTFOUND when none. */
int ms_market_asset(struct ms_store *st, int64_t id, struct ms_asset *out);

/* The last day with any bar at or before day (or overall when day < 0). */
int ms_market_latest_day(struct ms_store *st, int32_t day, int32_t *out);

struct ms_data_range {
	int32_t first_day, last_day;  /* -1 when the store is empty */
	int64_t assets, bars;
};

/* Data range, asset and bar counts of the served series up to day. */
int ms_market_range(struct ms_store *st, int32_t day, struct ms_data_range *out);

/* The last bar of asset at or before day; MS_ERR_NODATA when none. */
int ms_market_bar_at(struct ms_store *st, int64_t asset_id, int32_t day,
    struct ms_bar *out);

/*
 * The bar of asset on day - k, or the last bar before it that is at most
 * `slack` days older; MS_ERR_NODATA when none.
 */
int ms_market_bar_near(struct ms_store *st, int64_t asset_id, int32_t day,
    int32_t slack, struct ms_bar *out);

/* The first day of asset's series (any source); MS_ERR_NODATA when none. */
int ms_market_first_day(struct ms_store *st, int64_t asset_id, int32_t *out);

/*
 * All-time high of asset up to day: the highest `high` (or `close` where
 * high is unknown) and its day. MS_ERR_NODATA when none.
 */
int ms_market_ath(struct ms_store *st, int64_t asset_id, int32_t day,
    double *price, int32_t *ath_day);

/*
 * Bars of asset with from <= day <= to, oldest first. *out is malloc'd
 * (caller frees); *n may be 0 with *out NULL.
 */
int ms_market_bars(struct ms_store *st, int64_t asset_id, int32_t from,
    int32_t to, struct ms_bar **out, size_t *n);

/*
 * The closes of asset for the ndays days ending at day, one per calendar
 * day, NaN where there is no bar (the input the forecast models expect).
 * *out is malloc'd (caller frees). MS_ERR_RANGE for ndays 0 or over
 * 20,000.
 */
int ms_market_closes(struct ms_store *st, int64_t asset_id, int32_t day,
    size_t ndays, double **out);

struct ms_company {
	int rank;
	char name[MS_NAME_MAX + 1];
	char symbol[MS_SYMBOL_MAX + 1];
	double market_cap;
};

/*
 * The `top` largest companies (at most 16) of the company snapshot nearest
 * to day (on a tie the earlier one); *after = 1 when that snapshot
 * postdates day. Company caps are a scale to compare an implied market cap
 * with, not an input of any decision, so the nearest table serves better
 * than an old one. MS_ERR_NODATA when no snapshot was imported.
 */
int ms_market_companies(struct ms_store *st, int32_t day, size_t top,
    struct ms_company *out, size_t *n, int32_t *snapshot_day, int *after);

/* One row of the cross-section as of a day (see ms_market_listing). */
struct ms_listing_row {
	struct ms_asset asset;
	struct ms_bar bar;          /* last bar at or before the day */
	double prev_close;          /* close of bar.day - 1, NaN if none */
};

/*
 * Every asset listed as of day, in internal id order. *out is malloc'd
 * (caller frees).
 */
int ms_market_listing(struct ms_store *st, int32_t day,
    struct ms_listing_row **out, size_t *n);

struct ms_source_info {
	int64_t id;
	char name[MS_SOURCE_NAME_MAX];
	int priority;
	int synthetic;
};

/* Looks a source up by id. */
int ms_market_source(struct ms_store *st, int64_t id, struct ms_source_info *out);

/*
 * The set of sources a response was built from, for meta.source and
 * meta.synthetic. Add ids as bars are used; format once at the end.
 */
#define MS_SOURCE_SET_MAX 8
struct ms_source_set {
	int64_t ids[MS_SOURCE_SET_MAX];
	size_t n;
};

/* Adds id once; the set is kept in ascending id order (at most MS_SOURCE_SET_MAX). */
void ms_source_set_add(struct ms_source_set *set, int64_t id);
/*
 * Writes the names joined by ", " into buf (truncated safely) and sets
 * *synthetic when any source is synthetic.
 */
int ms_source_set_format(struct ms_store *st, const struct ms_source_set *set,
    char *buf, size_t bufsz, int *synthetic);

/*
 * Adds to set the sources of the served bars in the `days` days ending at
 * day (cross-sectional answers built from a panel use this for
 * meta.source).
 */
int ms_market_sources_between(struct ms_store *st, int32_t day, int32_t days,
    struct ms_source_set *set);

#endif
