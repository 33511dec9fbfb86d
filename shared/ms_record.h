/*
 * ms_record.h — the daily record: what Moonscope said on each day, kept so
 * that it can be judged later.
 *
 * `moonscope daily` computes, as of a day D and from data known at D only,
 * every asset's grades and the moonshot screener's top K picks (default
 * parameters), and stores them with D. Recording is idempotent per day:
 * recording D again replaces D's rows with the same computation. The
 * market data_version the record was computed from is kept in `runs`.
 * Recorded rows are derived analytics, not market data, so recording does
 * not change data_version.
 *
 * Tables (schema version 2):
 *   runs(day PRIMARY KEY, data_version, picks_k, made_at)
 *   pick_records(day, rank, asset_id, price, market_cap, volume,
 *                trader_grade, investor_grade, PRIMARY KEY(day, rank))
 *   grade_records(day, asset_id, trader, investor,
 *                 PRIMARY KEY(day, asset_id))
 */
#ifndef MS_RECORD_H
#define MS_RECORD_H

#include <stddef.h>
#include <stdint.h>

struct ms_store;

#define MS_RECORD_DEFAULT_K 20

struct ms_record_summary {
	int32_t day;
	size_t graded, picks, universe;
};

/*
 * Computes and records day's grades and top k picks in one transaction.
 * The store must be open read-write. Returns 0 or a negative ms_err
 * (MS_ERR_NODATA when the store has no bar on or before day).
 */
int ms_record_day(struct ms_store *st, int32_t day, size_t k,
    struct ms_record_summary *out);

/* One recorded pick judged as of a later day (see ms_record_judge). */
struct ms_judged_pick {
	int32_t day;                 /* entry (decision) day */
	int rank;
	int64_t asset_id;
	double entry_price, entry_market_cap, trader_grade;
	int32_t last_day;            /* last bar at or before as_of */
	double last_price;           /* its close */
	double roi;                  /* last_price / entry_price - 1 */
	double roi_h[3];             /* at 7, 30, 90 days; NaN if not yet */
	double max_gain;             /* best high (or close) after entry / entry - 1 */
	int died;                    /* see ms_record_judge */
};

/*
 * Reads the picks recorded for days in [from, to] (and <= as_of) and
 * judges each as of as_of, using only bars dated at most as_of. A pick
 * "died" when its last bar is more than 30 days before as_of, or its
 * market cap on that bar is below 1% of its market cap at entry. A dead
 * pick keeps its last price (the delisting rule of this endpoint; the
 * backtester's rule is configurable). *out is malloc'd, newest day first.
 */
int ms_record_judge(struct ms_store *st, int32_t from, int32_t to,
    int32_t as_of, struct ms_judged_pick **out, size_t *n);

#endif
