/*
 * ms_record.h — the daily record: what Moonscope said on each day, kept so
 * that it can be judged later.
 *
 * `moonscope daily` computes, as of a day D and from data known at D only,
 * every asset's grades and signal, the moonshot screener's top K picks
 * (default parameters), and forecasts of every model at a few horizons for
 * the largest assets, and stores them with D. Recording is idempotent per day:
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
 * Version 5 adds:
 *   signal_records(day, asset_id, signal, PRIMARY KEY(day, asset_id))
 *   forecast_records(day, asset_id, model, horizon, used, price,
 *                    q05 .. q95, PRIMARY KEY(asset_id, model, horizon, day))
 */
#ifndef MS_RECORD_H
#define MS_RECORD_H

#include <stddef.h>
#include <stdint.h>

struct ms_store;

#define MS_RECORD_DEFAULT_K 20
#define MS_RECORD_DEFAULT_FORECAST_TOP 10
#define MS_RECORD_MAX_HORIZONS 8

struct ms_record_opts {
	size_t picks;              /* top K picks recorded (default 20) */
	size_t forecast_top;       /* forecast the N largest by market cap (10) */
	int horizons[MS_RECORD_MAX_HORIZONS];  /* increasing (7, 30, 90) */
	size_t nhorizons;
};

void ms_record_opts_default(struct ms_record_opts *o);

struct ms_record_summary {
	int32_t day;
	size_t graded, picks, universe, signals, forecasts;
};

/* Like ms_record_day, with options (NULL = defaults). */
int ms_record_day_opts(struct ms_store *st, int32_t day,
    const struct ms_record_opts *opts, struct ms_record_summary *out);

/* How recorded forecasts of one asset, model and horizon fared. */
struct ms_forecast_track {
	size_t judged;             /* forecasts whose target day is <= as_of */
	double coverage_50;        /* share with the outcome in [q25, q75] */
	double coverage_90;        /* share with the outcome in [q05, q95] */
	double mape;               /* mean |q50 - outcome| / outcome */
};

/*
 * Judges the recorded forecasts of asset_id by `model` at `horizon` made
 * on days d with d + horizon <= as_of, against the close on d + horizon
 * (or the last bar at most floor(horizon/10) days before it).
 */
int ms_record_forecast_track(struct ms_store *st, int64_t asset_id,
    const char *model, int horizon, int32_t as_of,
    struct ms_forecast_track *out);

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
