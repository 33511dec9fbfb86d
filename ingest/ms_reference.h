/*
 * ms_reference.h — importing reference tables: company market caps and
 * asset categories (sectors).
 *
 * These files are not daily market data; `moonscope import` hands a file to
 * this importer when its header is none of the market layouts of
 * ms_import.h. A layout is recognised from its exact header line (plain or
 * gzip, read with ms_csv):
 *
 *   companies             rank,name,symbol,market_cap_usd,price_usd,country
 *       One snapshot of company market caps (companiesmarketcap.com
 *       exports), written to table `companies`.
 *   coingecko_categories  coingecko_id,symbol,name,market_cap_rank,
 *                         market_cap_usd,categories     ('|'-joined)
 *   cmc_tag_flags         symbol,is_layer1,is_layer2,is_defi,is_meme,is_ai,
 *                         is_gaming,is_infrastructure,is_rwa,is_stablecoin,
 *                         is_exchange                   (0/1 flags)
 *   cmc_coin_tags         symbol,tag,tag_name,tag_group (one tag a row)
 *   category_mappings     symbol,category,priority,notes
 *       Source categories, mapped to the Moonscope category vocabulary
 *       (ms_reference_vocab) and merged into assets.categories.
 *
 * Company snapshots. The snapshot day is opts->as_of when given, else a
 * "_YYYY-MM-DD" or "_YYYY-MM" in the file's base name (the first one; a
 * month means its 1st day and is reported as approximate), else the file
 * is rejected with a message asking for --as-of. The day must be
 * 1970-01-01 .. today + 1. Every row is checked and any bad row rejects the
 * whole file ("FILE:LINE: reason"): wrong field count, rank not an integer
 * 1..MS_REF_MAX_RANK or repeated, empty name, name/symbol/country longer
 * than MS_REF_NAME_MAX/MS_REF_SYMBOL_MAX/MS_REF_COUNTRY_MAX bytes, market
 * cap empty, not a finite number or negative, a non-empty price that is
 * not a finite number >= 0, more than MS_REF_MAX_ROWS rows, no data rows.
 * A market cap of exactly 0 is the source's "unknown" (delisted shares):
 * the row is not stored and is counted in zero_market_cap. One transaction
 * deletes the snapshot day's rows and inserts the file's, so re-importing
 * replaces the snapshot (idempotent). source = the file's base name.
 * Company tables are not market data: data_version is not changed.
 *
 * Categories. Each row's source categories are mapped through a fixed table
 * (ms_reference.c; unmapped values are counted and ignored) and the row is
 * matched to one asset:
 *   coingecko_categories: an asset whose slug is the coingecko_id or the
 *     slugified name, and whose symbol is NULL or the row's symbol
 *     (case-insensitive); else the curated ticker of ms_identity.h with
 *     that name; else the only asset with the symbol;
 *   symbol-only layouts: the curated ticker (entries without time bounds,
 *     or any entry when the file has a date), else the only asset with the
 *     symbol.
 * Several assets with the symbol and no better match: the row is skipped
 * as ambiguous; none: unmatched. Mapped categories are merged into
 * assets.categories (sorted, de-duplicated, comma-separated; existing
 * categories are kept; an asset's string is rewritten only when a category
 * is added). Rows: wrong field count, an empty or over-long symbol, a flag
 * other than 0/1, a non-numeric rank or market cap, more than
 * MS_REF_MAX_ROWS rows reject the file. One transaction per file;
 * data_version is bumped only when some assets.categories changed.
 *
 * Every imported file also gets a row in `imports` (layout name, source_id
 * NULL; for companies first_day = last_day = the snapshot day, rows_inserted
 * = companies stored, rows_skipped = zero market caps; for categories
 * rows_updated = assets changed, rows_skipped = rows not matched).
 */
#ifndef MS_REFERENCE_H
#define MS_REFERENCE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ms_store.h"

#define MS_REF_MAX_ROWS 100000
#define MS_REF_MAX_RANK 1000000
#define MS_REF_NAME_MAX 127
#define MS_REF_SYMBOL_MAX 31
#define MS_REF_COUNTRY_MAX 64
/* Longest assets.categories string written (ms_market.h reads 511). */
#define MS_REF_CATEGORIES_MAX 511

enum ms_ref_kind {
	MS_REF_NONE,           /* not a reference layout */
	MS_REF_COMPANIES,
	MS_REF_CATEGORIES
};

/* How a company snapshot got its day. */
enum ms_ref_day_from {
	MS_REF_DAY_AS_OF,      /* opts->as_of */
	MS_REF_DAY_NAME,       /* _YYYY-MM-DD in the file name */
	MS_REF_DAY_NAME_MONTH  /* _YYYY-MM: the 1st of the month (approximate) */
};

struct ms_reference_opts {
	int32_t as_of;         /* snapshot day; -1 = from the file name */
	int32_t today;         /* today's day number; 0 = the real date */
};

#define MS_REF_EXAMPLES 160

/* What one reference import did. Filled by ms_reference_import_file. */
struct ms_reference_result {
	const char *path;          /* the caller's string */
	const char *layout;        /* layout name, or NULL if not ours */
	enum ms_ref_kind kind;
	int rejected;              /* 1 when the file was rejected */
	int unknown_layout;        /* the header is no reference layout */
	char error[768];           /* "FILE:LINE: reason" when rejected */
	unsigned long rows_read;   /* data rows (header excluded) */
	int changed;               /* the store's tables changed */
	double seconds;
	/* companies */
	int32_t snapshot_day;      /* -1 if none */
	enum ms_ref_day_from day_from;
	unsigned long inserted;        /* rows stored */
	unsigned long replaced;        /* rows of the old snapshot deleted */
	unsigned long zero_market_cap; /* rows not stored: market cap 0 */
	/* categories */
	unsigned long matched, ambiguous, unmatched;  /* rows */
	unsigned long matched_slug, matched_curated, matched_symbol;
	unsigned long mapped;          /* source category values mapped */
	unsigned long unmapped;        /* source category values ignored */
	unsigned long added;           /* (asset, category) pairs added */
	unsigned long assets_changed;  /* assets whose categories changed */
	unsigned long overflow;        /* categories not added: string full */
	char ambiguous_ex[MS_REF_EXAMPLES];  /* some ambiguous symbols */
	char unmatched_ex[MS_REF_EXAMPLES];  /* some unmatched symbols */
};

/*
 * The layout of a header: its name and kind, or NULL (kind MS_REF_NONE)
 * when header (a whole line without its newline) is none of ours.
 */
const char *ms_reference_layout_of(const char *header,
    enum ms_ref_kind *kind);

/*
 * The reference kind of a file from its header line (MS_REF_NONE for any
 * other file, and for one that cannot be read). Reads only the header.
 */
enum ms_ref_kind ms_reference_file_kind(const char *path);

/*
 * Imports one reference file in its own transaction. Returns 0 when
 * imported; MS_ERR_NOTFOUND with r->unknown_layout set when the header is
 * not a reference layout (nothing read beyond it, the store untouched);
 * MS_ERR_PARSE/MS_ERR_INVALID/MS_ERR_IO/MS_ERR_TOOBIG/MS_ERR_RANGE when the
 * file was rejected (r->rejected, r->error); MS_ERR_STORE/MS_ERR_BUSY/
 * MS_ERR_NOMEM on a store or system failure (r->error). The store is
 * unchanged whenever the return is not 0. opts may be NULL (no as-of).
 */
int ms_reference_import_file(struct ms_store *st, const char *path,
    const struct ms_reference_opts *opts, struct ms_reference_result *r);

/*
 * The snapshot day named by a file name: the first "_YYYY-MM-DD" or
 * "_YYYY-MM" (not followed by a digit) in path's base name. Returns 0 and
 * sets *day and *from (MS_REF_DAY_NAME or MS_REF_DAY_NAME_MONTH), or
 * MS_ERR_NOTFOUND.
 */
int ms_reference_day_from_name(const char *path, int32_t *day,
    enum ms_ref_day_from *from);

/* The category vocabulary, sorted: n slugs (static strings). */
const char *const *ms_reference_vocab(size_t *n);

/*
 * The Moonscope categories of one source category value of a layout
 * ("coingecko_categories", "cmc_tag_flags" (the column name, e.g.
 * "is_meme"), "cmc_coin_tags" (the tag), "category_mappings"): up to max
 * slugs written to out; returns how many (0: unmapped).
 */
size_t ms_reference_map(const char *layout, const char *value,
    const char **out, size_t max);

/*
 * Entry i of the mapping table, for tests and docs: its layout name and
 * source value (static strings) and up to max target slugs in to[];
 * returns the number of targets, or 0 when i is past the last entry.
 */
size_t ms_reference_mapping(size_t i, const char **layout,
    const char **value, const char **to, size_t max);

/*
 * Merges the category slugs add[0..nadd) into assets.categories of the
 * asset with id asset_id, exactly as a category file's row is merged
 * (sorted, de-duplicated, comma-separated, existing categories kept, the
 * string rewritten only when a slug is new, at most MS_REF_CATEGORIES_MAX
 * bytes). For other importers (ingest/ms_ingest.c) that tag sectors inside
 * their own transaction: this neither begins nor commits one, nor bumps
 * data_version — the caller does when *added > 0. Sets *added to the
 * number of slugs added (0: unchanged) and adds the slugs that did not
 * fit to *overflow. Returns 0, MS_ERR_NOTFOUND (no such asset),
 * MS_ERR_BUSY, MS_ERR_NOMEM or MS_ERR_STORE.
 */
int ms_reference_add_categories(struct ms_store *st, int64_t asset_id,
    const char *const *add, size_t nadd, unsigned long *added,
    unsigned long *overflow);

/* Writes a human-readable summary of r to f. */
void ms_reference_print(FILE *f, const struct ms_reference_result *r);

#endif
