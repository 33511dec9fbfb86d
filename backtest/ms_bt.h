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
 * Snapshot universes (rebalance MS_BT_SNAPSHOTS): the rebalance dates are
 * the days on which the store has bars of the snapshot source (default
 * cmc_top200_monthly) and every cohort is held until the next of them
 * (hold_days must be MS_BT_HOLD_NEXT). Positions are marked by any bar the
 * store has between snapshots, else at the last known price. A holding
 * with no bar on its exit snapshot S' and none after it (before the
 * snapshot after S', at most delist_days) "left" the universe, which is
 * not a death: it is valued on S' by left_rule, net of the spread only
 * (its volume is unknown):
 *   MS_BT_LEFT_BOUND (default)  min(last price, cutoff / supply), where
 *       cutoff is the smallest market cap of S' (its market cap must have
 *       been below it to be absent) and supply = market cap / close of its
 *       last bar with both (assumed unchanged): an upper bound;
 *   MS_BT_LEFT_ZERO             0, the lower bound;
 *   MS_BT_LEFT_LAST             the last price.
 * The died rule does not apply in snapshot mode: absence is not a death.
 *
 * Benchmarks, on the same days: buy-and-hold of one asset (default
 * bitcoin), and an equal-weight basket of the screen's whole universe on
 * each date before any filter (every asset with a bar on D), held with the
 * same tranches, hold and delisting rule, gross of costs.
 *
 * One valuation serves every command: ms_bt_run values its cohorts, and
 * `backtest picks` (ms_bt_picks_judge) values recorded picks, with the
 * same function (ms_bt_value's core), so both apply the same cost,
 * delisting and left rules to the same data.
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
#define MS_BT_SNAPSHOT_SOURCE "cmc_top200_monthly"  /* default snapshot source */
#define MS_BT_SOURCE_MAX 96        /* snapshot source name, with NUL */
#define MS_BT_SNAPSHOT_DELIST_DAYS 45  /* the CLI's delist_days for snapshots */

enum ms_bt_rebalance { MS_BT_DAILY, MS_BT_WEEKLY, MS_BT_MONTHLY,
	MS_BT_SNAPSHOTS, MS_BT_REBALANCE__COUNT };

/* "daily", "weekly", "monthly", "snapshots". */
const char *ms_bt_rebalance_name(enum ms_bt_rebalance r);
/* MS_BT_REBALANCE__COUNT when name is none of them. */
enum ms_bt_rebalance ms_bt_rebalance_parse(const char *name);

/* How a holding that left a snapshot universe is valued (see above). */
enum ms_bt_left_rule { MS_BT_LEFT_BOUND, MS_BT_LEFT_ZERO, MS_BT_LEFT_LAST,
	MS_BT_LEFT__COUNT };

/* "bound", "zero", "last"; parse returns MS_BT_LEFT__COUNT when unknown. */
const char *ms_bt_left_rule_name(enum ms_bt_left_rule r);
enum ms_bt_left_rule ms_bt_left_rule_parse(const char *name);

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
	/* Added for snapshot universes (defaults: bound, cmc_top200_monthly). */
	enum ms_bt_left_rule left_rule;
	char snapshot_source[MS_BT_SOURCE_MAX];
};

/* The documented defaults (ms_screen_defaults for the screen). */
void ms_bt_params_default(struct ms_bt_params *p);

/*
 * The options of snapshot universes, for every command line that takes
 * the replay's options (cli/args.c's ms_cli_bt_option knows the others):
 * `--rebalance snapshots` (the other --rebalance values are left to
 * ms_cli_bt_option: returns 0 for them), `--left-rule bound|zero|last`,
 * `--snapshot-source NAME`. Returns 1 when o with value a was stored into
 * p, 0 when o is not one of them (p untouched), -1 when a is invalid
 * (*why says what the option needs).
 */
int ms_bt_snapshot_option(const char *o, const char *a,
    struct ms_bt_params *p, const char **why);

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

enum ms_bt_status { MS_BT_HELD, MS_BT_DIED, MS_BT_CENSORED, MS_BT_UNFILLED,
	MS_BT_LEFT };

/* "held", "died", "censored", "unfilled", "left". */
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
	double exit_cap_limit;       /* left: the exit snapshot's smallest market
	                                cap (the bound's cutoff); else NaN */
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
	double bench_ret;            /* the day's returns of the two, the */
	double universe_ret;         /* series beta/alpha and stats use */
};

struct ms_bt_date {
	int32_t day;
	size_t universe, tradable, matched, picked, filled;
	size_t tranche;              /* 0-based; SIZE_MAX when nothing was bought */
	double tranche_value;        /* USD invested from (0 when idle) */
	int32_t exit_day;            /* nominal exit: day + hold */
	size_t left;                 /* picks that left the snapshot universe */
	double exit_cap_limit;       /* snapshots: smallest market cap of the
	                                exit snapshot; else NaN */
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
	double mean_t;               /* mean / (sd / sqrt(count)); NaN < 2 */
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
	double mean_t;               /* t of the mean period return */
	double alpha_t, beta_t;      /* OLS t of intercept and slope on the
	                                benchmark; NaN without one */
};

/*
 * The t-statistic of the mean of the finite values of r[0..n):
 * mean / (s / sqrt(m)), s the sample standard deviation (m - 1). NaN when
 * fewer than 2 values are finite or s is 0.
 */
double ms_bt_mean_t(const double *r, size_t n);

/*
 * OLS of r on bench over the pairs where both are finite, with GSL's
 * gsl_fit_linear: r = c0 + c1 bench + e. *alpha_t = c0 / se(c0),
 * *beta_t = c1 / se(c1), the standard errors from the residual variance
 * with m - 2 degrees of freedom. c0 is the per-period intercept whose
 * annualised form is ms_quant_alpha_beta's alpha (risk-free 0), c1 its
 * beta. NaN when fewer than 3 pairs, bench has no variance, or the fit is
 * exact. Returns 0, MS_ERR_NOMEM or MS_ERR_RANGE (n too large).
 */
int ms_bt_ols_t(const double *r, const double *bench, size_t n,
    double *alpha_t, double *beta_t);

/* Headline figures of the same run with left holdings valued at zero. */
struct ms_bt_lower {
	int known;                   /* 1 once ms_bt_left_lower_bound filled it */
	double total_return, cagr, final_equity_usd;
	double mean_return, median_return, win_rate;   /* picks, net */
	double universe_total_return;
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
	/* Added for snapshot universes. */
	size_t left;                 /* picks that left the universe */
	double left_value_usd;       /* proceeds credited to them (an upper
	                                bound under MS_BT_LEFT_BOUND) */
	struct ms_bt_lower left_zero;/* the run again with MS_BT_LEFT_ZERO */
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
 * Runs r's parameters again with left_rule MS_BT_LEFT_ZERO (no bootstrap)
 * and stores the headline figures in r->left_zero: with the default bound
 * rule, the portfolio's result lies between the two. Returns 0 or the
 * run's error (r is unchanged then).
 */
int ms_bt_left_lower_bound(struct ms_store *st, struct ms_bt_result *r);

/*
 * The days on which source has bars, ascending, with the smallest known
 * market cap of each (NaN when none): *days and *mincap are malloc'd
 * (caller frees both; NULL when *n is 0). MS_ERR_NOTFOUND when there is
 * no source of that name, MS_ERR_TOOBIG over MS_BT_MAX_DATES days.
 */
int ms_bt_snapshots(struct ms_store *st, const char *source, int32_t **days,
    double **mincap, size_t *n);

/* ---- the valuation shared by every command ---------------------------- */

/* A cohort: holdings bought together at one close and sold together. */
struct ms_bt_cohort {
	int32_t day;                 /* entry: bought at this day's close */
	int hold;                    /* 1..MS_BT_MAX_HOLD days to the exit */
	int snapshot;                /* 1: the exit is a snapshot day; an absent
	                                holding "left" (see the top) */
	int32_t after;               /* snapshot: the snapshot after the exit, or
	                                -1 (a later bar is looked for until the
	                                day before it, at most delist_days) */
	double cutoff;               /* snapshot: smallest market cap of the exit
	                                snapshot, NaN unknown */
};

/*
 * Values n holdings of one cohort under p's cost, delisting and left
 * rules on the store's data (data_last: the store's last day): ids[i] the
 * asset, targets[i] the USD to buy (0 = not bought). Fills out[i]: day,
 * rank (i + 1), asset, slug, symbol, market cap and volume on the day,
 * entry price and cost, target, notional, reduced, exit day, last bar,
 * exit price and cost, returns, max gain, unsold share, status (an asset
 * without a bar on the day is "unfilled"). *spread_usd and *impact_usd
 * (may be NULL) are increased by the costs paid. Reads only the days from
 * co->day to co->day + hold + delist_days. Returns 0, MS_ERR_RANGE for a
 * bad cohort, or a store error.
 */
int ms_bt_value(struct ms_store *st, const struct ms_bt_params *p,
    int32_t data_last, const struct ms_bt_cohort *co, const int64_t *ids,
    const double *targets, size_t n, struct ms_bt_pick *out,
    double *spread_usd, double *impact_usd);

/*
 * The report. ms_bt_summary_json builds summary.json's document (caller
 * frees with cJSON_Delete; NULL on allocation failure). ms_bt_write_report
 * creates dir (and missing parents) and writes summary.json, picks.csv,
 * periods.csv, rebalances.csv, summary.md and, last, report.html
 * (ms_bt_write_html), each written once. errbuf receives a reason on
 * failure.
 */
struct cJSON;
struct cJSON *ms_bt_summary_json(const struct ms_bt_result *r);
/* Adds every replay parameter of p to the object o, as summary.json's
 * "parameters" (and sweep.json's "base") show them. */
void ms_bt_params_json(struct cJSON *o, const struct ms_bt_params *p);
int ms_bt_write_report(const struct ms_bt_result *r, const char *dir,
    char *errbuf, size_t errsz);

/* The Markdown summary (malloc'd, caller frees), also printed by the CLI. */
char *ms_bt_summary_markdown(const struct ms_bt_result *r);

/* ---- backtest picks: a recorded list of picks, judged ------------------ */

/*
 * `moonscope backtest picks FILE` reads a list of picks (CSV with a
 * header, a JSON array of objects, the JSON of /v1/moonshots/past, or a
 * vendor's list whose columns are named in one of the accepted ways; see
 * docs/backtest-picks.md), resolves every asset in the store, and values
 * each pick with ms_bt_value: bought at the close of its date (the store's
 * close: a price given in the file is reported next to it, never used),
 * held p->hold_days days (or until its own exit day, or, with
 * MS_BT_HOLD_NEXT, until the next snapshot of p->snapshot_source) under
 * the cost, delisting and left rules of `backtest moonshots`. Picks that
 * share a day and an exit form one cohort.
 *
 * A file is judged whole or not at all: a malformed line, an unknown
 * asset or a date outside the store rejects it with every problem found
 * (file:line: reason, the first MS_BT_PICKS_MAX_ERRORS of them).
 */
#define MS_BT_PICKS_SCHEMA "moonscope.backtest.picks"
#define MS_BT_PICKS_SCHEMA_VERSION 1
#define MS_BT_PICKS_MAX 100000              /* picks in one file */
#define MS_BT_PICKS_MAX_FILE (32u * 1024u * 1024u)   /* bytes */
#define MS_BT_PICKS_KEY_MAX 129             /* id, symbol or name, with NUL */
#define MS_BT_PICKS_MAX_ERRORS 20
#define MS_BT_PICKS_REASON_MAX 240

enum ms_bt_picks_format { MS_BT_PICKS_CSV, MS_BT_PICKS_JSON,
	MS_BT_PICKS_PAST, MS_BT_PICKS_FORMAT__COUNT };

/* "csv", "json", "moonshots_past". */
const char *ms_bt_picks_format_name(enum ms_bt_picks_format f);

/* One pick as written in the file. */
struct ms_bt_pick_in {
	unsigned long line;          /* 1-based line where it starts */
	int32_t day;                 /* the pick's date */
	int32_t until;               /* its own exit day, or -1 */
	char id[MS_BT_PICKS_KEY_MAX];      /* asset id/slug or key; "" none */
	char symbol[MS_BT_PICKS_KEY_MAX];  /* "" none */
	char name[MS_BT_PICKS_KEY_MAX];    /* "" none */
	double entry_price;          /* as given; NaN when not given */
	double target_usd;           /* USD to buy; NaN = the default */
};

struct ms_bt_picks_file {
	enum ms_bt_picks_format format;
	struct ms_bt_pick_in *v;     /* [n], file order */
	size_t n;
};

struct ms_bt_picks_problem {
	unsigned long line;          /* 0: the file as a whole */
	char reason[MS_BT_PICKS_REASON_MAX];
};

/* Why a file was rejected: the first problems and how many in all. */
struct ms_bt_picks_errors {
	size_t n, total;
	struct ms_bt_picks_problem e[MS_BT_PICKS_MAX_ERRORS];
};

/*
 * Reads and checks path (plain or gzip, at most MS_BT_PICKS_MAX_FILE
 * bytes and MS_BT_PICKS_MAX picks). Returns 0 and fills *out (free with
 * ms_bt_picks_file_free), or MS_ERR_INVALID / MS_ERR_IO / MS_ERR_TOOBIG /
 * MS_ERR_NOMEM with the problems in *errs and *out untouched.
 */
int ms_bt_picks_read(const char *path, struct ms_bt_picks_file *out,
    struct ms_bt_picks_errors *errs);
void ms_bt_picks_file_free(struct ms_bt_picks_file *f);

struct ms_bt_picks_opts {
	double notional;             /* USD per pick without target_usd;
	                                NaN = capital / top (10,000) */
	int32_t exit;                /* every pick sold on this day; -1 none */
};

struct ms_bt_judged_pick {
	struct ms_bt_pick pick;      /* rank = 1-based position in the file */
	unsigned long line;
	char key[MS_BT_PICKS_KEY_MAX];     /* the asset as written */
	const char *resolved_by;     /* "id", "name" or "symbol" (static) */
	size_t candidates;           /* assets sharing the symbol (>= 1) */
	int32_t until;               /* nominal exit day */
	double file_price;           /* the file's entry price; NaN none */
	double price_diff;           /* file_price / store close - 1; NaN */
};

struct ms_bt_picks_result {
	struct ms_bt_params params;  /* as run */
	struct ms_bt_picks_opts opts;/* notional resolved */
	char file[1024];             /* as given (truncated) */
	enum ms_bt_picks_format format;
	int32_t data_first, data_last;
	int64_t data_version;
	struct ms_bt_judged_pick *picks;    /* [n], file order */
	size_t n;
	struct ms_bt_pick_stats stats;
	size_t filled, unfilled, censored, left, written_off, reduced;
	size_t cohorts;              /* panel loads: distinct (day, exit) */
	size_t with_price;           /* picks with a file price */
	size_t price_off;            /* of them more than 1 % off the close */
	double price_diff_median, price_diff_max;  /* of |diff|; NaN none */
	double notional_usd, proceeds_usd, spread_usd, impact_usd;
};

/*
 * Judges in on the store (see above). file names the input in messages
 * and the report. Returns 0 and sets *out (free with
 * ms_bt_picks_result_free); MS_ERR_INVALID with the problems in *errs
 * when an asset is unknown, a date is outside the store or an exit is not
 * after its date; MS_ERR_RANGE for bad parameters (reason in errs);
 * MS_ERR_NODATA for an empty store; or a store error.
 */
int ms_bt_picks_judge(struct ms_store *st, const struct ms_bt_params *p,
    const struct ms_bt_picks_opts *o, const char *file,
    const struct ms_bt_picks_file *in, struct ms_bt_picks_result **out,
    struct ms_bt_picks_errors *errs);
void ms_bt_picks_result_free(struct ms_bt_picks_result *r);

/*
 * The picks report (backtest/ms_bt_report.c): summary.json (schema
 * moonscope.backtest.picks v1; caller frees with cJSON_Delete), the
 * Markdown summary (malloc'd, caller frees), and the files summary.json,
 * picks.csv and summary.md written into dir (created).
 */
struct cJSON *ms_bt_picks_summary_json(const struct ms_bt_picks_result *r);
char *ms_bt_picks_markdown(const struct ms_bt_picks_result *r);
int ms_bt_picks_write_report(const struct ms_bt_picks_result *r,
    const char *dir, char *errbuf, size_t errsz);

#endif
