/*
 * ms_import.h — importing CSV files of daily market data into the store.
 *
 * A file's layout is recognised from its header line (exact column names,
 * in order); each layout names its source, the source's priority (lower
 * wins in `daily`) and what its values mean in time:
 *
 *   cmc_allcoins_2018   date,slug,open,high,low,close,volume_usd,
 *                       market_cap_usd                         priority 20
 *       CMC daily OHLC, close at 23:59:59 UTC; market cap at the day's open.
 *   cmc_daily_kaggle    date,symbol,name,open,high,low,close,volume_usd,
 *                       market_cap_usd[,source]                priority 10
 *       CMC daily OHLC, close at 23:59:59 UTC. The per-row `source` column
 *       is only summarised in the import report.
 *   coingecko_max       date,coin,price_usd,market_cap_usd,
 *                       total_volume_usd,source                priority 30
 *       A 00:00 UTC snapshot of `date`, i.e. the previous day's close: it
 *       is stored as the bar of day date-1 with close = price and
 *       open/high/low unknown (NULL).
 *   coinbase_spot       date,symbol,base,open,high,low,close,volume
 *                                                              priority 50
 *       Coinbase UTC-day OHLC. volume is in base units and is stored as
 *       volume*close, an approximate USD volume; market cap unknown. Rows
 *       not quoted in USD (symbol not ending in "/USD") are skipped.
 *   cmc_top200_monthly  Rank,Name,Symbol,Market Cap,Price,Circulating
 *                       Supply,Volume (24h),% 1h,% 24h,% 7d,snapshot_date
 *                                                              priority 40
 *       CMC snapshot: close = Price and market cap at the close of
 *       snapshot_date (YYYYMMDD); identity by Name+Symbol.
 *   generic             date,id,symbol,name,open,high,low,close,volume,
 *                       market_cap                             priority 60
 *       The documented user layout: id is the slug (may be empty when
 *       symbol or name is given); symbol/name may be empty. Source name
 *       "generic:<file basename>" unless --source is given.
 *
 * --source/--priority (struct ms_import_opts) override the name and
 * priority of any layout.
 *
 * Not accepted (unknown layout): the QuantConnect CoinGecko universe
 * fixture `date,symbol,price_usd,volume_usd,market_cap_usd`. Its tickers
 * are a 2022 mapping, not the 2018 point-in-time symbols (COMP in 2018 is
 * not Compound), so importing it by ticker would attach prices to the
 * wrong coins.
 *
 * Row policy.
 *  FILE-LEVEL errors reject the whole file: nothing is written (its
 *  transaction is rolled back) and the report says "FILE:LINE: reason".
 *  They are: an unreadable file or corrupt/truncated gzip, an unknown
 *  header, a row with the wrong number of fields, an unterminated quote, a
 *  line over 64 KiB, a NUL byte, invalid UTF-8, a non-empty numeric field
 *  that is not a finite number, an invalid date (2018-02-30), a row with
 *  no usable asset id, an over-long id/symbol/name, a file with no data
 *  rows, and a file where more than half of the data rows were skipped
 *  (it is probably not what it claims to be).
 *  ROW-LEVEL skips are counted by reason and the file is still imported:
 *    missing_price       no close/price
 *    nonpositive_price   close (or open/high/low) <= 0
 *    negative_value      volume or market cap < 0
 *    inconsistent_ohlc   high < low, or open/close outside [low, high] by
 *                        more than 1e-9 relative (checked against the real
 *                        CMC and Coinbase files: no row of them fails it,
 *                        so CMC's display rounding is not a problem)
 *    duplicate_row       the same (asset, day) again in the same file (the
 *                        first row is kept)
 *    non_usd_quote       a Coinbase pair not quoted in USD
 *    date_out_of_range   bar day before 2009-01-03 or after today+1 (UTC)
 *  NOTES, not skips: a zero market cap or volume means "unknown" and is
 *  stored as NULL (counted as zero_as_null, once per row).
 *
 * Each file is imported in its own transaction (BEGIN IMMEDIATE ...
 * COMMIT): bars are inserted, or updated only where a value differs, so
 * re-importing a file changes nothing (and data_version stays the same);
 * `daily` is rebuilt for the assets whose bars changed; one `imports` row
 * records the file; data_version is bumped only if bars/daily/assets
 * changed.
 */
#ifndef MS_IMPORT_H
#define MS_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ms_store.h"

enum ms_import_skip {
	MS_SKIP_MISSING_PRICE,
	MS_SKIP_NONPOSITIVE_PRICE,
	MS_SKIP_NEGATIVE_VALUE,
	MS_SKIP_INCONSISTENT_OHLC,
	MS_SKIP_DUPLICATE_ROW,
	MS_SKIP_NON_USD_QUOTE,
	MS_SKIP_DATE_OUT_OF_RANGE,
	MS_SKIP_COUNT
};

/* The reason's name as printed ("missing_price", ...). */
const char *ms_import_skip_name(enum ms_import_skip k);

struct ms_import_opts {
	const char *source;    /* source name override, or NULL */
	int priority;          /* priority override, or -1 */
	int32_t today;         /* today's day number; 0 = the real date */
};

#define MS_IMPORT_MAX_SRCVALUES 64

/* What one file import did. Filled by ms_import_file. */
struct ms_import_result {
	const char *path;          /* the caller's string */
	const char *layout;        /* layout name, or NULL if unknown */
	char source[128];          /* source name used */
	int rejected;              /* 1 when the file was rejected */
	int unknown_layout;        /* rejected because of its header */
	char error[768];           /* "FILE:LINE: reason" when rejected */
	unsigned long rows_read;   /* data rows (header excluded) */
	unsigned long inserted, updated, unchanged, skipped;
	unsigned long skips[MS_SKIP_COUNT];
	unsigned long zero_as_null;
	unsigned long assets;      /* distinct assets in the file */
	unsigned long assets_new;  /* assets created by this file */
	int32_t first_day, last_day;  /* of the stored bars; -1 if none */
	int changed;               /* data_version was bumped */
	double seconds;
	/* Per-row `source` column values seen (kaggle, coingecko). */
	size_t nsrcvalues;
	unsigned long srcvalue_other;
	struct {
		char value[160];
		unsigned long rows;
	} srcvalues[MS_IMPORT_MAX_SRCVALUES];
};

/*
 * Imports one file in its own transaction. Returns 0 when imported;
 * MS_ERR_PARSE/MS_ERR_INVALID/MS_ERR_IO/MS_ERR_TOOBIG when the file was
 * rejected (r->rejected, r->error); MS_ERR_STORE/MS_ERR_BUSY/MS_ERR_NOMEM
 * on a store or system failure (also described in r->error). The store is
 * unchanged whenever the return is not 0.
 */
int ms_import_file(struct ms_store *st, const char *path,
    const struct ms_import_opts *opts, struct ms_import_result *r);

/*
 * Expands path into the files to import: a file is itself; a directory is
 * walked recursively for *.csv and *.csv.gz (hidden entries skipped), and
 * the files are sorted by path. Appends malloc'd strings to *list (grown
 * with realloc; *n entries). Returns 0, MS_ERR_IO (message in errbuf) or
 * MS_ERR_TOOBIG past 100,000 files. Free with ms_import_free_list.
 */
int ms_import_collect(const char *path, char ***list, size_t *n,
    char *errbuf, size_t errlen);
void ms_import_free_list(char **list, size_t n);

/* Writes a human-readable summary of r to f. */
void ms_import_print(FILE *f, const struct ms_import_result *r);

#endif
