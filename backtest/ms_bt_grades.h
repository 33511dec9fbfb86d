/*
 * ms_bt_grades.h — the information coefficient of Moonscope's grades: how
 * well the trader and investor grades (and each of their components) rank
 * the assets' forward returns.
 *
 * On each evaluation date D (from, from + every, ... <= to):
 *   - the grades are exactly those /v1/grades serves as of D:
 *     ms_grade_universe(st, D, default weights) (nothing after D is read);
 *   - the cross-section is every graded asset with a close on D (a bar on
 *     D with close > 0); for each of the MS_BT_GRADES_NSERIES series
 *     (trader, investor, then the components' raw values) the pairs are the
 *     assets whose value is known;
 *   - the forward return of an asset is from D's close to the close of
 *     D + horizon, with the delisting rule of the moonshot backtest
 *     (ms_bt.h), gross of costs: with L its last bar in D .. D + horizon,
 *       bar on D + horizon                      -> close / close_D - 1
 *       L earlier, a bar again within delist_days after L (a gap; the
 *       search starts after D + horizon)        -> close_L / close_D - 1
 *       L earlier, no bar in the delist_days after L ("died")
 *                              -> close_L (1 - delist_haircut) / close_D - 1
 *       L earlier, the store ends before L + delist_days ("censored")
 *                                               -> close_L / close_D - 1
 *     so a coin that stops trading stays in the sample with its loss;
 *   - IC = Spearman's rank correlation of the series and the forward
 *     returns over the pairs (gsl_stats_spearman: Pearson correlation of
 *     the ranks, ties sharing their average rank); NaN with fewer than
 *     MS_BT_GRADES_MIN_PAIRS pairs or when either side is constant;
 *   - deciles: with r the average rank of a value among the n pairs
 *     (1 = lowest), the decile is floor(10 (2r - 1) / (2n)) in 0..9
 *     (integer arithmetic on 2r); the decile spread is the mean forward
 *     return of decile 9 (highest values) minus that of decile 0; NaN when
 *     either is empty.
 * Over the dates: mean IC, its sample standard deviation (n - 1), the
 * t-statistic mean / (sd / sqrt(n)), the share of dates with IC > 0, and
 * the same mean / sd / t for the decile spread.
 *
 * docs/backtest-grades.md documents the options, formulas and report.
 */
#ifndef MS_BT_GRADES_H
#define MS_BT_GRADES_H

#include <stddef.h>
#include <stdint.h>

#include "ms_grade.h"
#include "ms_market.h"

struct ms_store;
struct ms_buf;

#define MS_BT_GRADES_SCHEMA "moonscope.backtest.grades"
#define MS_BT_GRADES_SCHEMA_VERSION 1
#define MS_BT_GRADES_NSERIES (2 + MS_GC__COUNT)  /* trader, investor, components */
#define MS_BT_GRADES_MIN_PAIRS 10
#define MS_BT_GRADES_NDECILES 10
#define MS_BT_GRADES_MAX_EVERY 365      /* days */
#define MS_BT_GRADES_MAX_HORIZON 730    /* days */
#define MS_BT_GRADES_MAX_DATES 10000
#define MS_BT_GRADES_WARMUP_DAYS 30     /* default from: first day + this */

/* "trader", "investor", then ms_grade_component_name(k). */
const char *ms_bt_grades_series_name(size_t series);

struct ms_bt_grades_params {
	int32_t from, to;       /* evaluation dates in [from, to]; -1 = default */
	int every;              /* days between dates, 1..365; default 7 */
	int horizon;            /* forward days, 1..730; default 28 */
	int delist_days;        /* 1..365; default 30 (MS_BT_DELIST_DAYS) */
	double delist_haircut;  /* 0..1; default 1 (total loss) */
};

void ms_bt_grades_params_default(struct ms_bt_grades_params *p);

/*
 * Checks every field's range; 0, or MS_ERR_RANGE with the option's name
 * and what it needs in why.
 */
int ms_bt_grades_params_check(const struct ms_bt_grades_params *p,
    char *why, size_t whysz);

enum ms_bt_fwd_status {
	MS_BT_FWD_HELD,       /* a bar on D + horizon */
	MS_BT_FWD_GAP,        /* no bar then, but one again within delist_days */
	MS_BT_FWD_DIED,       /* no bar for delist_days after its last one */
	MS_BT_FWD_CENSORED,   /* the store ends before that could be told */
	MS_BT_FWD__COUNT
};

/* "held", "gap", "died", "censored". */
const char *ms_bt_fwd_status_name(enum ms_bt_fwd_status s);

/* One asset on one date: its grades and forward return. */
struct ms_bt_grades_obs {
	int32_t day;
	int64_t asset_id;
	char slug[MS_SLUG_MAX + 1];
	char symbol[MS_SYMBOL_MAX + 1];
	double value[MS_BT_GRADES_NSERIES];   /* NaN = unknown */
	double price;                 /* close on day */
	int32_t last_bar_day;         /* last bar in day .. day + horizon */
	double exit_price;            /* the value the return is taken at */
	double ret;                   /* exit_price / price - 1 */
	enum ms_bt_fwd_status status;
};

/* One series on one date. */
struct ms_bt_grades_cell {
	size_t n;                     /* pairs */
	double ic;                    /* NaN when undefined */
	size_t dn[MS_BT_GRADES_NDECILES];       /* assets per decile */
	double dmean[MS_BT_GRADES_NDECILES];    /* mean forward return; NaN empty */
	double spread;                /* dmean[9] - dmean[0] */
};

struct ms_bt_grades_date {
	int32_t day;
	size_t universe;              /* assets in the 365-day panel */
	size_t graded;                /* with a trader or investor grade */
	size_t priced;                /* of all assets: close on the day */
	size_t status[MS_BT_FWD__COUNT];   /* of the priced assets */
	struct ms_bt_grades_cell cell[MS_BT_GRADES_NSERIES];
};

struct ms_bt_grades_stats {
	size_t dates;                 /* dates with a known IC */
	double mean_ic, sd_ic, t_ic, share_positive;
	size_t spread_dates;          /* dates with a known spread */
	double mean_spread, sd_spread, t_spread;
	double mean_pairs;            /* mean pairs per date with a known IC */
	double decile_mean[MS_BT_GRADES_NDECILES];  /* mean over dates of dmean */
};

struct ms_bt_grades_result {
	struct ms_bt_grades_params params;    /* as run, defaults resolved */
	int32_t data_first, data_last;
	int64_t data_version;
	struct ms_bt_grades_date *dates;
	size_t ndates;
	struct ms_bt_grades_obs *obs;         /* every priced asset, every date */
	size_t nobs;
	struct ms_bt_grades_stats stats[MS_BT_GRADES_NSERIES];
};

/*
 * Runs the evaluation. p is checked (MS_ERR_RANGE). Defaults: from = the
 * store's first day + MS_BT_GRADES_WARMUP_DAYS, to = the store's last day
 * - horizon; a date whose D + horizon is after the store's last day is
 * never evaluated (MS_ERR_RANGE when to asks for one). MS_ERR_NODATA when
 * the store is empty or no date falls in the range. progress (may be
 * NULL) is called after each date. On success *out is allocated; free with
 * ms_bt_grades_result_free.
 */
int ms_bt_grades_run(struct ms_store *st, const struct ms_bt_grades_params *p,
    void (*progress)(size_t, size_t, void *), void *arg,
    struct ms_bt_grades_result **out);

void ms_bt_grades_result_free(struct ms_bt_grades_result *r);

/*
 * Spearman's rank correlation of x[0..n) and y[0..n) with GSL
 * (gsl_stats_spearman; work holds 2n doubles). *out is NaN when n <
 * 2 or either side is constant. Returns 0 or MS_ERR_RANGE (non-finite
 * input).
 */
int ms_bt_spearman(const double *x, const double *y, size_t n, double *work,
    double *out);

/*
 * Deciles of the values x[0..n) as defined above, and the mean of y in
 * each: fills c->n, c->dn, c->dmean and c->spread (c->ic untouched). idx
 * holds n size_t. Returns 0 or MS_ERR_RANGE (non-finite input).
 */
int ms_bt_deciles(const double *x, const double *y, size_t n, size_t *idx,
    struct ms_bt_grades_cell *c);

/*
 * Mean (gsl_stats_mean), sample standard deviation (n - 1,
 * gsl_stats_sd_m) and t = mean / (sd / sqrt(n)) of v[0..n): NaN when n is
 * 0 (all three), below 2 (sd, t) or sd is 0 (t).
 */
void ms_bt_mean_sd_t(const double *v, size_t n, double *mean, double *sd,
    double *t);

/*
 * The report. ms_bt_grades_summary_json: summary.json (schema
 * moonscope.backtest.grades v1; cJSON_Delete; NULL on allocation failure).
 * ms_bt_grades_markdown: summary.md (malloc'd; NULL on failure).
 * ms_bt_grades_write_report creates dir (and missing parents) and writes
 * summary.json, ic.csv, deciles.csv, grades_returns.csv (the per-asset
 * inputs), summary.md and report.html (tables and SVG charts, ms_svg.h),
 * each once; errbuf receives a reason on failure.
 */
struct cJSON;
struct cJSON *ms_bt_grades_summary_json(const struct ms_bt_grades_result *r);
char *ms_bt_grades_markdown(const struct ms_bt_grades_result *r);
int ms_bt_grades_write_report(const struct ms_bt_grades_result *r,
    const char *dir, char *errbuf, size_t errsz);

#endif
