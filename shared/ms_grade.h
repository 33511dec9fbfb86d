/*
 * ms_grade.h — trader and investor grades (0–100) of every asset in a
 * panel, as of the panel's last day.
 *
 * Each component is a raw per-asset number computed from the panel alone
 * (so from data known at the end of the day), then turned into a
 * cross-sectional percentile rank over the assets that have it:
 * pct = (r - 0.5) / n with r the average (mid-)rank among n values, so
 * ranks lie in (0, 1) and ties share one value. A grade is
 * 100 * sum(w_k * pct_k) / sum(w_k) over the components the asset has; an
 * asset missing components worth half or more of the total weight gets no
 * grade (NaN). docs/models/grades.md gives every formula.
 *
 * Trader grade (short term):
 *   momentum_7d    close / close 7 days earlier - 1           weight 0.20
 *   momentum_30d   close / close 30 days earlier - 1          weight 0.20
 *   trend          close / SMA(close, 50) - 1                 weight 0.25
 *   volume_trend   mean volume 7d / mean volume 30d           weight 0.15
 *   risk_adjusted  mean / stdev of daily log returns, 30d     weight 0.20
 * Investor grade (long term):
 *   size           log(market cap)                            weight 0.25
 *   liquidity      mean volume 30d / market cap               weight 0.20
 *   drawdown       close / max(close over the window) - 1     weight 0.20
 *   age            days since the first bar in the window     weight 0.15
 *   volatility     -stdev of daily log returns, 90d           weight 0.20
 * "Earlier" closes allow the same slack as /v1/assets/{id}: floor(k/10)
 * days. Windows need at least 2/3 of their days present.
 */
#ifndef MS_GRADE_H
#define MS_GRADE_H

#include <stddef.h>

#include "ms_panel.h"

enum ms_grade_component {
	MS_GC_MOMENTUM_7D,
	MS_GC_MOMENTUM_30D,
	MS_GC_TREND,
	MS_GC_VOLUME_TREND,
	MS_GC_RISK_ADJUSTED,
	MS_GC_SIZE,
	MS_GC_LIQUIDITY,
	MS_GC_DRAWDOWN,
	MS_GC_AGE,
	MS_GC_VOLATILITY,
	MS_GC__COUNT
};
#define MS_GC_TRADER_FIRST MS_GC_MOMENTUM_7D
#define MS_GC_TRADER_LAST MS_GC_RISK_ADJUSTED
#define MS_GC_INVESTOR_FIRST MS_GC_SIZE
#define MS_GC_INVESTOR_LAST MS_GC_VOLATILITY

/* The panel length grades need (the longest window: the drawdown's). */
#define MS_GRADE_LOOKBACK 365

/* Name of a component ("momentum_7d"). */
const char *ms_grade_component_name(enum ms_grade_component c);

struct ms_grade_weights {
	double w[MS_GC__COUNT];
};

/* The documented default weights. */
void ms_grade_default_weights(struct ms_grade_weights *w);

struct ms_grade {
	double trader, investor;              /* 0..100, NaN = not graded */
	double raw[MS_GC__COUNT];             /* component values, NaN = unknown */
	double pct[MS_GC__COUNT];             /* percentile ranks, NaN = unknown */
};

/*
 * Grades every asset of the panel that is listed on its last day (a bar
 * within MS_LISTED_DAYS); others get NaN grades. out has p->nassets
 * entries (caller-allocated). weights NULL = defaults. Returns 0 or
 * MS_ERR_NOMEM.
 */
int ms_grade_panel(const struct ms_panel *p,
    const struct ms_grade_weights *weights, struct ms_grade *out);

/*
 * Loads the MS_GRADE_LOOKBACK-day panel ending at day and grades it.
 * On success *panel and *grades (p->nassets entries) belong to the caller:
 * ms_panel_free and free(). weights NULL = defaults.
 */
struct ms_store;
int ms_grade_universe(struct ms_store *st, int32_t day,
    const struct ms_grade_weights *weights, struct ms_panel **panel,
    struct ms_grade **grades);

/*
 * Percentile ranks of v[0..n) into pct (NaN stays NaN), as defined above.
 * Exposed for tests and the backtester. Returns 0 or MS_ERR_NOMEM.
 */
int ms_pct_rank(const double *v, size_t n, double *pct);

#endif
