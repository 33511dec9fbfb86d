/*
 * ms_ingest.h — pulling the market universe and daily history from a
 * CoinGecko-compatible upstream into the store (`moonscope ingest`).
 *
 * A run has two phases:
 *
 *  1. Fetch (no write lock held). /coins/markets?vs_currency=usd&order=
 *     market_cap_desc, paged (per_page = min(250, top)), gives the top N
 *     coins by market cap; /coins/list (optional) the id/symbol/name of
 *     every coin, used to check the universe and to resolve --ids;
 *     /global (optional) the whole-market figures, which are reported but
 *     NOT stored (a live snapshot backs no day's close; /api/v3/global is
 *     computed from the stored closes, see docs/ingest.md). For each coin of the
 *     universe that lacks days, /coins/{id}/market_chart/range?vs_currency=
 *     usd&from&to for the span of its missing days, widened to at least
 *     92 days so CoinGecko answers with daily (00:00 UTC) points.
 *     Sectors (optional, `categories` > 0): /coins/categories/list, then
 *     /coins/markets?category=ID for up to `categories` of the listed
 *     categories that map to a Moonscope category (ms_reference.h's
 *     vocabulary, chosen in the order of ms_ingest_pick_categories); each
 *     universe coin on those pages is tagged with the category.
 *  2. Write, in ONE transaction (BEGIN IMMEDIATE ... COMMIT): assets,
 *     their new category tags (merged into assets.categories as the
 *     category importer merges them: existing tags are kept), bars,
 *     `daily` rebuilds, one `imports` row, data_version. Any
 *     failure in either phase writes nothing (ROLLBACK) and the store stays
 *     exactly as it was.
 *
 * Timing (source "coingecko_api", priority 35): a CoinGecko daily point
 * at 00:00 UTC of date D is a snapshot, i.e. the close of D-1, stored as
 * the bar of day D-1 with close = price, market_cap and volume as given,
 * open/high/low unknown (NULL) — exactly like the coingecko_max CSV
 * importer. Points not at 00:00 UTC (CoinGecko's "now" point) are
 * ignored. A null or missing price skips the point; a null market cap or
 * volume is stored as NULL; a 0 market cap or volume is stored as NULL
 * (unknown), as the importer does; a non-positive price or negative value
 * skips the point.
 *
 * Missing days: the window is the bar days [today - backfill, today - 1];
 * a day is missing when the asset has no coingecko_api bar for it. Only
 * missing days (plus the last `refresh_days` days, re-fetched and updated
 * where values differ) are written; other points of a response are
 * counted as already stored.
 *
 * Identity: a coin becomes the asset whose slug is its id when the store
 * has one; else the curated identity table's asset when the coin's symbol
 * and name match an entry (ms_identity.h; "binancecoin"/BNB/"BNB" is
 * binance-coin); else a new asset whose slug is the id. Symbol and name
 * are set from the first source that has them and never overwritten.
 */
#ifndef MS_INGEST_H
#define MS_INGEST_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ms_identity.h"
#include "ms_store.h"
#include "ms_upstream.h"

#define MS_INGEST_SOURCE "coingecko_api"
#define MS_INGEST_PRIORITY 35
#define MS_INGEST_TIMING \
	"CoinGecko API 00:00 UTC daily snapshot of date D, stored as the " \
	"close of the previous day (bar day = D - 1); open/high/low unknown"
#define MS_INGEST_DESCRIPTION \
	"CoinGecko-compatible API (/coins/{id}/market_chart/range, daily " \
	"points): price, market cap, total volume; `moonscope ingest`"

#define MS_INGEST_TOP_MAX 5000
#define MS_INGEST_BACKFILL_MAX 3660   /* days */
#define MS_INGEST_IDS_MAX 500
#define MS_INGEST_PAGE_MAX 250        /* per_page */
#define MS_INGEST_LIST_MAX 200000     /* /coins/list entries */
#define MS_INGEST_SERIES_MAX 200000   /* points in one chart series */
#define MS_INGEST_POINTS_MAX 20000000 /* points held by one run */
#define MS_INGEST_CATEGORIES_MAX 1000 /* categories asked per run */
#define MS_INGEST_CATEGORIES_DEFAULT 25
#define MS_INGEST_CATLIST_MAX 20000   /* /coins/categories/list entries */
#define MS_INGEST_CAT_NAME_MAX 127    /* longer names are unknown */

/* One coin of /coins/markets or /coins/list. Strings are "" when the
 * upstream gave none (or one too long to store). */
struct ms_ingest_coin {
	char id[MS_SLUG_MAX + 1];
	char symbol[MS_SYMBOL_MAX + 1];
	char name[MS_NAME_MAX + 1];
	double price, market_cap, volume;   /* NaN = unknown */
	double rank;                        /* market_cap_rank; NaN unknown */
};

/* How an upstream category maps to Moonscope's categories. */
enum ms_ingest_cat_how {
	MS_INGEST_CAT_NONE,       /* no Moonscope category: never asked */
	MS_INGEST_CAT_CANONICAL,  /* its name is the one Moonscope serves
	                           * for exactly that category
	                           * (ms_cg_category_name) */
	MS_INGEST_CAT_NAME,       /* another name the category importer
	                           * maps (ms_reference_map) */
	MS_INGEST_CAT_ID          /* name unmapped or null, but the id is a
	                           * Moonscope category itself */
};

/* One entry of /coins/categories/list. */
struct ms_ingest_category {
	char id[MS_SLUG_MAX + 1];              /* category_id */
	char name[MS_INGEST_CAT_NAME_MAX + 1]; /* "" when null or unusable */
	uint64_t tags;        /* bit i: ms_reference_vocab()[i]; 0 = none */
	enum ms_ingest_cat_how how;
	size_t pos;           /* position in the list */
	int order;            /* selection key (ms_ingest_pick_categories) */
};

/* One stored daily point: the bar of `day` (the snapshot date - 1). */
struct ms_ingest_point {
	int32_t day;
	double close, market_cap, volume;   /* NaN = unknown */
};

/* What a chart parse saw. */
struct ms_ingest_chart_stats {
	unsigned long points;       /* daily points with a price */
	unsigned long intraday;     /* not at 00:00 UTC: ignored */
	unsigned long out_of_range; /* outside the asked window: ignored */
	unsigned long null_price;   /* price null: no bar */
	unsigned long bad_value;    /* price <= 0 or a negative value */
	unsigned long duplicates;   /* the same day again: first kept */
	unsigned long zero_as_null; /* 0 market cap/volume stored as NULL */
};

/* /global, reported only. NaN/-1 when unknown. */
struct ms_ingest_global {
	int present;
	double total_market_cap_usd, total_volume_usd, btc_dominance;
	double active_cryptocurrencies;
};

/*
 * Checks a CoinGecko id for use as a slug and in a URL path: 1..64 bytes
 * of [a-z0-9._-] starting with a letter or digit. 1 when usable.
 */
int ms_ingest_id_ok(const char *id, size_t len);

/*
 * Parses a /coins/markets page into out[0..cap). A page with more than
 * cap coins, a body that is not an array of objects, an id that is not a
 * string, a numeric field that is neither a number nor null, or a
 * non-finite number is MS_ERR_PARSE/MS_ERR_TOOBIG with the reason (and
 * the index) in err. Coins whose id string is unusable (ms_ingest_id_ok)
 * are left out and counted in *skipped. Sets *n.
 */
int ms_ingest_parse_markets(const char *body, size_t len,
    struct ms_ingest_coin *out, size_t cap, size_t *n, unsigned long *skipped,
    char *err, size_t errlen);

/*
 * Parses /coins/list into a malloc'd array sorted by id (free with free())
 * in *out, *n entries. Entries with an unusable id are left out and
 * counted in *skipped; wrong types are errors.
 */
int ms_ingest_parse_list(const char *body, size_t len,
    struct ms_ingest_coin **out, size_t *n, unsigned long *skipped, char *err,
    size_t errlen);

/* The entry of a sorted list whose id is id, or NULL. */
const struct ms_ingest_coin *ms_ingest_list_find(const struct ms_ingest_coin *list,
    size_t n, const char *id);

/*
 * Parses a market_chart(/range) body: "prices" (required), "market_caps"
 * and "total_volumes" (optional; missing or null = unknown), each an array
 * of [ms, number|null]. Keeps the daily points whose bar day is in
 * [day_min, day_max]; *out is malloc'd (free with free()), sorted by day,
 * one point per day; *n may be 0. cs (may be NULL) counts the rest.
 */
int ms_ingest_parse_chart(const char *body, size_t len, int32_t day_min,
    int32_t day_max, struct ms_ingest_point **out, size_t *n,
    struct ms_ingest_chart_stats *cs, char *err, size_t errlen);

/*
 * The Moonscope categories of an upstream category as a bit set over
 * ms_reference_vocab() (bit i = vocabulary entry i), and how they were
 * found (*how may be NULL): its name through the category importer's
 * CoinGecko table (ms_reference_map, layout coingecko_categories); else,
 * when the name is unmapped or empty, its id when the id is itself a
 * vocabulary slug (what another Moonscope serves for a category without
 * a CoinGecko name, e.g. payments). 0 when neither.
 */
uint64_t ms_ingest_category_tags(const char *id, const char *name,
    enum ms_ingest_cat_how *how);

/*
 * Parses /coins/categories/list ([{"category_id", "name"}]) into a
 * malloc'd array in list order (free with free()) in *out, *n entries,
 * each with its tags. An entry whose category_id is null, missing or not
 * a usable id (ms_ingest_id_ok) is left out and counted in *skipped, as
 * is a repeated id; a name that is null, missing, over
 * MS_INGEST_CAT_NAME_MAX bytes or has control bytes is unknown (""). A
 * body that is not an array of objects, a category_id or name of another
 * type, or more than MS_INGEST_CATLIST_MAX entries is an error naming the
 * entry.
 */
int ms_ingest_parse_categories(const char *body, size_t len,
    struct ms_ingest_category **out, size_t *n, unsigned long *skipped,
    char *err, size_t errlen);

/*
 * Orders v[0..n) for asking and returns how many to ask (at most max):
 * only categories with tags; first the canonical names in Moonscope's
 * order of sectors (layer-1, defi, meme, stablecoin, layer-2, ai,
 * smart-contracts, exchange, gaming, rwa, liquid-staking, infrastructure,
 * depin, oracle, interoperability, storage, privacy, metaverse, nft,
 * wrapped, layer-0, payments, store-of-value, then any other vocabulary
 * slug), then other mapped names, then ids, each by their best sector and
 * then list position.
 */
size_t ms_ingest_pick_categories(struct ms_ingest_category *v, size_t n,
    size_t max);

/* Parses /global into *g. */
int ms_ingest_parse_global(const char *body, size_t len,
    struct ms_ingest_global *g, char *err, size_t errlen);

/* ---- the write phase, usable without a network ------------------------ */

/* One asset of a batch. */
struct ms_ingest_item {
	char id[MS_SLUG_MAX + 1];          /* the upstream's id */
	char slug[MS_SLUG_MAX + 1];        /* resolved */
	char symbol[MS_SYMBOL_MAX + 1];    /* as stored if new ("" = NULL) */
	char name[MS_NAME_MAX + 1];
	/* Days to write: [want_lo, want_hi] where want[day - want_lo]. */
	int32_t want_lo, want_hi;
	unsigned char *want;               /* NULL = none */
	struct ms_ingest_point *pts;           /* owned */
	size_t npts;
	uint64_t tags;                     /* categories to add (bit set over
	                                    * ms_reference_vocab); 0 none */
};

struct ms_ingest_batch {
	struct ms_ingest_item *items;
	size_t n, cap;
	size_t total_points;
};

/* Frees what the batch owns (not b itself); NULL is a no-op. */
void ms_ingest_batch_free(struct ms_ingest_batch *b);

/* What a run (or a write) did. */
struct ms_ingest_result {
	unsigned long coins;           /* universe (markets + --ids) */
	unsigned long coins_skipped;   /* unusable ids, duplicates */
	unsigned long listed;          /* /coins/list entries (0 = not asked) */
	unsigned long unlisted;        /* universe coins absent from the list */
	unsigned long history_assets;  /* charts requested */
	unsigned long up_to_date;      /* nothing missing: no request */
	unsigned long deferred;        /* missing days left for a later run
	                                * (history_max) */
	/* Categories. */
	int cat_list_asked;            /* /coins/categories/list was fetched */
	unsigned long cat_listed;      /* usable /coins/categories/list ids */
	unsigned long cat_mapped;      /* of them with a Moonscope category */
	unsigned long cat_asked;       /* categories whose markets were asked */
	unsigned long cat_pages;       /* pages of those */
	unsigned long coins_tagged;    /* universe coins given a category */
	unsigned long tags_added;      /* (asset, category) pairs written */
	unsigned long assets_retagged; /* assets whose categories changed */
	unsigned long tags_overflow;   /* not added: the string was full */
	unsigned long assets_new;
	struct ms_ingest_chart_stats chart;
	unsigned long already_stored;  /* points for days not wanted */
	unsigned long inserted, updated, unchanged;
	int32_t first_day, last_day;   /* of the written bars; -1 none */
	int changed;                   /* data_version bumped */
	int64_t data_version;          /* after the run */
	struct ms_ingest_global global;
	struct ms_upstream_stats net;
	double seconds;
	char error[1024];              /* the reason, when not 0 */
};

/*
 * Writes a batch in one transaction (see the top of this file) and
 * records `imports` row (path = label, layout "coingecko_api"). Returns 0
 * or an error with r->error set; on error nothing was written. Adds to
 * r's counters. cancel (may be NULL) is checked before COMMIT.
 */
int ms_ingest_write(struct ms_store *st, const struct ms_ingest_batch *b,
    const char *label, volatile sig_atomic_t *cancel,
    struct ms_ingest_result *r);

/* ---- a whole run ------------------------------------------------------ */

struct ms_ingest_opts {
	int top;                   /* 1..MS_INGEST_TOP_MAX (250) */
	int history_top;           /* history for the first K; -1 = all */
	int history_max;           /* at most K chart requests, the coins
	                            * missing the most days first (ties: market
	                            * order); the rest wait for a later run;
	                            * -1 = no limit */
	int categories;            /* categories whose markets are asked,
	                            * 0..MS_INGEST_CATEGORIES_MAX; 0 = no
	                            * category request at all (25) */
	int backfill_days;         /* 1..MS_INGEST_BACKFILL_MAX (365) */
	int refresh_days;          /* 0..backfill_days (0) */
	int32_t today;             /* 0 = the real UTC date */
	const char *ids;           /* "a,b,c" more coins by id, or NULL */
	int no_list, no_global, no_history;
	FILE *progress;            /* progress/notices; NULL = none */
	int tty;                   /* progress is a terminal: one \r line */
	volatile sig_atomic_t *cancel;
};

void ms_ingest_defaults(struct ms_ingest_opts *o);

/*
 * Runs both phases against u and st. Returns 0, or an error with
 * r->error saying why (the store is then unchanged).
 */
int ms_ingest_run(struct ms_store *st, struct ms_upstream *u,
    const char *label, const struct ms_ingest_opts *o,
    struct ms_ingest_result *r);

/* Writes the summary of r (after a success or a failure) to f. */
void ms_ingest_print(FILE *f, const struct ms_ingest_result *r, int ok);

#endif
