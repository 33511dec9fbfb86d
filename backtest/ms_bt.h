/*
 * ms_bt.h — the moonshot backtester: a point-in-time replay of the
 * /v1/moonshots screener, with costs, a delisting rule, benchmarks, pick
 * statistics with bootstrap confidence intervals, and the report files.
 *
 * On each rebalance date D the decision is exactly the API's: the panel
 * and grades of ms_grade_universe(st, D, NULL, ...) (nothing after D is
 * read) screened by ms_screen_run with the caller's ms_screen_params; the
 * top K picks are bought equal-weight at D's close. What happens after D
 * (the holding period) is read only to value the positions.
 *
 * Holding: every cohort (the picks of one date) is held `hold_days`
 * calendar days and sold at the close of D + hold_days; with
 * MS_BT_HOLD_NEXT it is held until the next rebalance date instead. Cohorts
 * overlap when the hold is longer than the rebalance step, so the capital
 * is split into equal tranches (as many as cohorts are ever open at once);
 * each cohort invests the cash of one free tranche and returns it when
 * sold. Nothing is rebalanced between cohorts, so every trade is costed.
 *
 * Costs, per trade (buy and sell), of notional N on a day of USD volume V:
 *     cost = spread_bps / 10^4 + impact * N / V     (a fraction of N)
 * Every trade is capped at max_volume_share * V. A buy larger than the
 * cap is reduced to it (the reduction stays in cash and is reported); a
 * pick with unknown or zero volume on D is not bought ("unfilled"). The
 * entry price paid is close * (1 + cost). A sale starts at the exit day's
 * close and sells at most the cap on each day (days without a bar or
 * volume sell nothing), for up to delist_days days; what is
 * still unsold then is written off (unsold_share), or, when the store ends
 * first, valued at the last close less the cost of a capped sale
 * ("censored"). Cash from sales after the exit day joins the next cohort
 * bought after it arrives.
 * Positions are marked at the close until sold.
 *
 * Delisting: a holding whose last bar L comes before its exit day and that
 * has no bar in the delist_days (default 30) days after L "died": it is valued at
 * its last close * (1 - delist_haircut) from day L + 1 on, with no trading
 * cost (there is no market). When the store ends before those days have
 * passed, or the exit day is after the store's last day, the pick is
 * "censored" and sold as far as the data goes.
 *
 * Benchmarks, on the same days: buy-and-hold of one asset (default
 * bitcoin), and an equal-weight basket of the screen's whole universe on
 * each date before any filter (every asset with a bar on D), held with the
 * same tranches, hold and delisting rule, gross of costs.
 *
 * docs/backtesting.md documents every rule and metric.
 */
#ifndef MS_BT_H
#define MS_BT_H

#include <stddef.h>
#include <stdint.h>

#include "ms_market.h"
#include "ms_quant.h"
#include "ms_screen.h"

struct ms_store;

#define MS_BT_HOLD_NEXT 0          /* hold_days: until the next rebalance */
#define MS_BT_MAX_HOLD 730         /* days */
#define MS_BT_DELIST_DAYS 30       /* default delist_days */
#define MS_BT_MAX_DELIST_DAYS 365
#define MS_BT_WARMUP_DAYS 30       /* default --from: first day + this */
#define MS_BT_MAX_TOP 500
#define MS_BT_MAX_DATES 10000
#define MS_BT_MAX_BOOTSTRAP 1000000
#define MS_BT_MAX_CAPITAL 1e12
#define MS_BT_SCHEMA "moonscope.backtest.moonshots"
#define MS_BT_SCHEMA_VERSION 1

enum ms_bt_rebalance { MS_BT_DAILY, MS_BT_WEEKLY, MS_BT_MONTHLY,
	MS_BT_REBALANCE__COUNT };

/* "daily", "weekly", "monthly". */
const char *ms_bt_rebalance_name(enum ms_bt_rebalance r);

struct ms_bt_params {
	int32_t from, to;               /* rebalance dates in [from, to]; -1 = default */
	enum ms_bt_rebalance rebalance; /* default weekly */
	int hold_days;                  /* 1..MS_BT_MAX_HOLD or MS_BT_HOLD_NEXT; 28 */
	size_t top;                     /* K, 1..MS_BT_MAX_TOP; default 10 */
	struct ms_screen_params screen; /* the /v1/moonshots parameters */
	char category[65];              /* screen.category points here when set */
	double capital;                 /* USD, default 100000 */
	double spread_bps;              /* per trade, default 50 */
	double impact;                  /* per unit of volume share, default 0.5 */
	double max_volume_share;        /* buy cap, default 0.1 */
	double delist_haircut;          /* 0..1, default 1 (total loss) */
	int delist_days;                /* no bar for this long: delisted; also
	                                   the longest a sale may take; 30 */
	char benchmark[MS_SLUG_MAX + 1];/* asset key, default "bitcoin" */
	uint64_t seed;                  /* bootstrap seed, default 1 */
	size_t bootstrap;               /* resamples, default 10000 */
};

/* The documented defaults (ms_screen_defaults for the screen). */
void ms_bt_params_default(struct ms_bt_params *p);

/*
 * Checks every field's range; returns 0, or MS_ERR_RANGE and writes the
 * offending option's name and why into why (whysz bytes).
 */
int ms_bt_params_check(const struct ms_bt_params *p, char *why, size_t whysz);

/* One decision: the screen's top picks as of a day. */
struct ms_bt_choice {
	int64_t asset_id;
	double price, market_cap, volume, trader_grade, investor_grade;
};

struct ms_bt_decision {
	int32_t day;
	size_t universe;     /* assets in the panel (bar in the lookback year) */
	size_t tradable;     /* of them with a bar on the day: the basket */
	size_t matched;      /* passed every filter */
	size_t n;            /* picks: min(top, matched) */
	struct ms_bt_choice *picks;   /* [n], rank order */
};

/*
 * The decision on day: ms_grade_universe + ms_screen_run with sp, top K.
 * Fills *out (free with ms_bt_decision_free). Reads nothing after day.
 */
int ms_bt_decide(struct ms_store *st, int32_t day,
    const struct ms_screen_params *sp, size_t top, struct ms_bt_decision *out);
void ms_bt_decision_free(struct ms_bt_decision *d);

/* 1 when a and b are identical (same picks, same values bit for bit). */
int ms_bt_decision_equal(const struct ms_bt_decision *a,
    const struct ms_bt_decision *b);

/*
 * Writes a copy of st's database to path (which must not exist) with every
 * `daily` and `bars` row dated after day deleted: the store as it was known
 * at the end of day.
 */
int ms_bt_truncated_copy(struct ms_store *st, int32_t day, const char *path);

/*
 * The look-ahead guard: decides on day on st, and again on a copy of st
 * truncated after day (written in dir, then removed); *same = 1 when the
 * two decisions are identical.
 */
int ms_bt_check_lookahead(struct ms_store *st, int32_t day,
    const struct ms_screen_params *sp, size_t top, const char *dir, int *same);

enum ms_bt_status { MS_BT_HELD, MS_BT_DIED, MS_BT_CENSORED, MS_BT_UNFILLED };

/* "held", "died", "censored", "unfilled". */
const char *ms_bt_status_name(enum ms_bt_status s);

struct ms_bt_pick {
	int32_t day;                 /* decision = entry day */
	size_t rank;                 /* 1-based */
	int64_t asset_id;
	char slug[MS_SLUG_MAX + 1];
	char symbol[MS_SYMBOL_MAX + 1];
	double market_cap, volume, trader_grade;   /* on the day */
	double entry_price;          /* close on the day */
	double entry_cost;           /* fraction of the notional */
	double target_usd, notional_usd, reduced_usd;
	int32_t exit_day;            /* last sale (or write-off) day; died: the
	                                first day without a bar */
	int32_t last_bar_day;        /* last bar at or before the exit day */
	double exit_price;           /* mean sale price (died: last close) */
	double exit_cost;            /* fraction of the sales; died: the haircut */
	double ret_gross;            /* price return, no costs; died: with haircut */
	double ret_net;              /* proceeds / notional - 1; NaN when unfilled */
	double max_gain;             /* best high after entry / entry - 1 (gross) */
	double unsold_share;         /* of the units, written off unsold */
	enum ms_bt_status status;
};

struct ms_bt_period {
	int32_t day;
	double ret;                  /* portfolio return of the day (the first
	                                day's is against the capital) */
	double equity;               /* portfolio value / capital */
	double drawdown;             /* equity / running max - 1 */
	double invested;             /* share of the equity in positions */
	size_t positions;
	double bench_equity;         /* benchmark asset, 1 at the start; NaN unknown */
	double universe_equity;      /* universe basket, 1 at the start */
};

struct ms_bt_date {
	int32_t day;
	size_t universe, tradable, matched, picked, filled;
	size_t tranche;              /* 0-based; SIZE_MAX when nothing was bought */
	double tranche_value;        /* USD invested from (0 when idle) */
};

/* Bootstrap percentile interval; NaN when undefined. */
struct ms_bt_ci {
	double lo, hi;
};

/* Statistics of pick (trade) returns; see ms_bt_pick_stats. */
struct ms_bt_pick_stats {
	size_t count;                /* picks with a known net return */
	size_t wins;                 /* net return > 0 */
	double win_rate, mean, median;
	struct ms_bt_ci mean_ci, median_ci, win_rate_ci;   /* 95 % */
	size_t n2x, n10x, n100x;     /* max gain >= 1, 9, 99 */
	double share_2x, share_10x, share_100x;
	size_t died;
	double share_died;
	size_t bootstrap;
	uint64_t seed;
};

/*
 * Trade statistics of n picks: ret[i] net returns (NaN = not judged, left
 * out of every statistic), max_gain[i], died[i] (0/1). Bootstrap: nboot
 * resamples of the known returns with replacement, drawn with GSL's
 * mt19937 seeded with seed; the 95 % intervals are the 2.5 and 97.5
 * percentiles (linear interpolation) of the resampled mean, median and win
 * rate. nboot 0 = no intervals. Returns 0, MS_ERR_NOMEM or MS_ERR_RANGE.
 */
int ms_bt_pick_stats(const double *ret, const double *max_gain,
    const int *died, size_t n, uint64_t seed, size_t nboot,
    struct ms_bt_pick_stats *out);

struct ms_bt_series_summary {
	int known;                   /* 0: the series is unknown (no benchmark) */
	struct ms_quant_summary q;
	double hit_rate;             /* period-based: share of days with r > 0 */
};

struct ms_bt_result {
	struct ms_bt_params params;  /* as run (defaults resolved) */
	int32_t data_first, data_last;
	int64_t data_version;
	struct ms_asset bench_asset; /* id 0 when not found */
	size_t ntranches;
	struct ms_bt_date *dates;
	size_t ndates;
	struct ms_bt_pick *picks;
	size_t npicks;
	struct ms_bt_period *periods;
	size_t nperiods;
	struct ms_bt_series_summary portfolio, bench, universe;
	struct ms_bt_pick_stats pick_stats;
	size_t filled, unfilled, reduced, censored;
	size_t written_off;          /* picks with an unsold part written off */
	double reduced_usd, spread_usd, impact_usd;
	double final_equity_usd;
	int lookahead_checked;       /* dates checked by --check-lookahead */
	int lookahead_identical;     /* of them identical */
};

/*
 * Runs the replay. p is checked (MS_ERR_RANGE); from/to -1 resolve to the
 * defaults: from = the store's first day + MS_BT_WARMUP_DAYS, to = the last
 * day whose hold ends within the store. MS_ERR_NODATA when the store is
 * empty or no rebalance date falls in the range. progress, when not NULL,
 * is called after each date with (done, total, arg). On success *out is
 * allocated; free with ms_bt_result_free.
 */
int ms_bt_run(struct ms_store *st, const struct ms_bt_params *p,
    void (*progress)(size_t, size_t, void *), void *arg,
    struct ms_bt_result **out);

void ms_bt_result_free(struct ms_bt_result *r);

/*
 * The report. ms_bt_summary_json builds summary.json's document (caller
 * frees with cJSON_Delete; NULL on allocation failure). ms_bt_write_report
 * creates dir (and missing parents) and writes summary.json, picks.csv,
 * periods.csv, rebalances.csv and summary.md, each written once. errbuf
 * receives a reason on failure.
 */
struct cJSON;
struct cJSON *ms_bt_summary_json(const struct ms_bt_result *r);
int ms_bt_write_report(const struct ms_bt_result *r, const char *dir,
    char *errbuf, size_t errsz);

/* The Markdown summary (malloc'd, caller frees), also printed by the CLI. */
char *ms_bt_summary_markdown(const struct ms_bt_result *r);

#endif
