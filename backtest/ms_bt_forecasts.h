/*
 * ms_bt_forecasts.h — `moonscope backtest forecasts`: walk-forward
 * evaluation of the forecast models that /v1/forecasts serves, and the
 * judging of the forecasts `moonscope daily` recorded in the store.
 *
 * Walk-forward: on each origin date D (from, from + step, ... <= to) and
 * for each asset, the closes known at the end of D are read exactly as
 * /v1/forecasts reads them (ms_market_closes, window + 1 days ending at D)
 * and each model is fitted with ms_forecast_fit and predicted with
 * ms_forecast_predict at every horizon h, with the route's parameters
 * (ms_forecast_params_default, optional window). Nothing dated after D is
 * read to make the forecast; ms_bt_fc_check_lookahead proves it on a
 * store truncated after D. Then the forecast is judged against the
 * realised close on D + h (or the last bar at most floor(h / 10) days
 * before it: the rule of the API's track_record, ms_record_forecast_track).
 *
 * Recorded: the rows of forecast_records (ms_record.h) with day in
 * [from, to] are judged the same way. A record holds quantiles only, so
 * its normal law on the log price is recovered from them:
 *     log_mean = ln(q50 / price),  log_sd = ln(q95 / q05) / (2 z_0.95).
 *
 * Scores (per forecast, on the natural log of the price y = ln S_{t+h}):
 *   coverage   y in [q_lo, q_hi] (closed) for the central 50 / 80 / 90 %
 *              intervals [q25, q75], [q10, q90], [q05, q95];
 *   pinball    L_tau = (1{y < ln q_tau} - tau)(ln q_tau - y) for tau in
 *              ms_forecast_qprob (0.05 0.10 0.25 0.50 0.75 0.90 0.95);
 *   crps       closed form of the normal N(ln S_t + log_mean, log_sd^2)
 *              (Gneiting, Raftery, Westveld & Goldman 2005, eq. 5;
 *              Gneiting & Raftery 2007); for garch simulated by
 *              Monte Carlo this is the normal with the same mean and
 *              variance V_h, and crps_sample is the CRPS of the simulated
 *              sample the quantiles came from;
 *   ape        |q50 - S_{t+h}| / S_{t+h}   (MAPE = its mean);
 *   log error  ln q50 - y                  (RMSE = root of its mean square);
 *   direction  sign(q50 - S_t) against sign(S_{t+h} - S_t); a forecast
 *              with q50 = S_t, or a flat outcome, makes no call.
 * Aggregates per model x horizon (and per asset x model x horizon) with
 * two-sided binomial tests (coverage against its nominal, direction
 * against 0.5) and skill against the naive model on the forecasts both
 * made: 1 - score / score_naive for CRPS, mean pinball and RMSE.
 * docs/backtest-forecasts.md has every definition and source.
 */
#ifndef MS_BT_FORECASTS_H
#define MS_BT_FORECASTS_H

#include <stddef.h>
#include <stdint.h>

#include "ms_forecast.h"
#include "ms_market.h"

struct ms_store;
struct ms_buf;
struct cJSON;

#define MS_BT_FC_SCHEMA "moonscope.backtest.forecasts"
#define MS_BT_FC_SCHEMA_VERSION 1

#define MS_BT_FC_DEFAULT_STEP 30        /* days between origins */
#define MS_BT_FC_MAX_STEP 3660
#define MS_BT_FC_MAX_ASSETS 64          /* --assets keys */
#define MS_BT_FC_MAX_RECORDED_ASSETS 1000  /* assets met in forecast_records */
#define MS_BT_FC_MAX_HORIZONS 8
#define MS_BT_FC_MAX_ORIGINS 10000
#define MS_BT_FC_MAX_ROWS 1000000       /* forecasts in one run */
#define MS_BT_FC_KEY_MAX 64             /* one asset key (id or symbol) */
#define MS_BT_FC_NINT 3                 /* central intervals 50, 80, 90 % */
/* The default asset keys: the majors with the longest histories. */
#define MS_BT_FC_DEFAULT_ASSETS "BTC,ETH,XRP,LTC,DOGE"

/* Nominal coverage of the intervals: 0.5, 0.8, 0.9. */
extern const double ms_bt_fc_nominal[MS_BT_FC_NINT];

struct ms_bt_fc_params {
	int32_t from, to;            /* origins in [from, to]; -1 = default */
	int step;                    /* days between origins, 1..MAX_STEP; 30 */
	char assets[MS_BT_FC_MAX_ASSETS][MS_BT_FC_KEY_MAX];
	size_t nassets;              /* 0 = defaults (walk-forward: the
	                                majors the store has; recorded: every
	                                asset with records) */
	int model_on[MS_FORECAST_NMODELS];  /* default all 1 */
	int horizons[MS_BT_FC_MAX_HORIZONS];/* increasing; default 7 30 90 */
	size_t nhorizons;
	size_t window;               /* 0 = the route's defaults (365; garch
	                                1000), else 31..MS_FORECAST_MAX_WINDOW */
	int recorded;                /* judge forecast_records instead */
};

void ms_bt_fc_params_default(struct ms_bt_fc_params *p);

/*
 * Checks every field; 0, or MS_ERR_RANGE with the offending option and
 * why in why (whysz bytes).
 */
int ms_bt_fc_params_check(const struct ms_bt_fc_params *p, char *why,
    size_t whysz);

/*
 * Parses a comma-separated list into p (replacing the defaults): asset
 * keys, model names, or horizons (sorted, duplicates removed). Each
 * returns 0 or MS_ERR_PARSE / MS_ERR_TOOBIG / MS_ERR_RANGE.
 */
int ms_bt_fc_parse_assets(const char *s, struct ms_bt_fc_params *p);
int ms_bt_fc_parse_models(const char *s, struct ms_bt_fc_params *p);
int ms_bt_fc_parse_horizons(const char *s, struct ms_bt_fc_params *p);

/* One forecast and its outcome. */
struct ms_bt_fc_row {
	int32_t origin;              /* the forecast's as-of day */
	size_t asset;                /* index into ms_bt_fc_result.assets */
	enum ms_forecast_model model, used;
	int recorded;                /* 1: read from forecast_records */
	enum ms_forecast_method method;  /* walk-forward only */
	int horizon;
	double price;                /* S_t, the close on origin */
	double log_mean, log_sd;     /* the law of ln(S_{t+h} / S_t) */
	double q[MS_FORECAST_NQ];    /* price quantiles at ms_forecast_qprob */
	int32_t target_day;          /* origin + horizon */
	int32_t realised_day;        /* -1: not judged */
	double realised;             /* S_{t+h}; NaN: not judged */
	/* Scores; NaN (or 0 for the flags) when not judged. */
	double crps;                 /* normal closed form, log price */
	double crps_sample;          /* garch Monte Carlo sample, else NaN */
	double pinball[MS_FORECAST_NQ];
	double ape;                  /* |q50 - y| / y on the price */
	double log_err;              /* ln q50 - ln y */
	int inside[MS_BT_FC_NINT];   /* 1 when y is in the interval */
	int below[MS_FORECAST_NQ];   /* 1 when y < q_tau */
	int dir_pred, dir_real;      /* -1, 0, 1 */
	size_t naive;                /* row of the naive model with the same
	                                origin, asset and horizon; SIZE_MAX */
};

/* Aggregate scores of a set of forecasts (one model and horizon). */
struct ms_bt_fc_score {
	size_t forecasts;            /* made */
	size_t n;                    /* judged */
	size_t inside[MS_BT_FC_NINT];
	size_t below_lo[MS_BT_FC_NINT], above_hi[MS_BT_FC_NINT];
	double coverage[MS_BT_FC_NINT];      /* inside / n */
	double coverage_p[MS_BT_FC_NINT];    /* binomial test vs nominal */
	size_t below_q[MS_FORECAST_NQ];
	double share_below[MS_FORECAST_NQ];  /* below_q / n: calibration */
	double pinball[MS_FORECAST_NQ];      /* mean loss per quantile */
	double pinball_mean;                 /* mean of the seven */
	double crps;
	size_t n_sample;                     /* judged with crps_sample */
	double crps_sample;
	double crps_sample_normal;           /* crps over the same forecasts */
	double mape, rmse;
	size_t calls, hits;                  /* direction */
	double accuracy, accuracy_p;         /* hits / calls; test vs 0.5 */
	size_t skill_n;                      /* judged with a naive partner */
	double skill_crps, skill_pinball, skill_rmse;
	size_t fallbacks;                    /* garch that fell back to ewma */
};

struct ms_bt_fc_asset {
	struct ms_asset asset;
	size_t forecasts, judged;
	size_t no_forecast;          /* origins x models without a fit */
};

struct ms_bt_fc_result {
	struct ms_bt_fc_params params;   /* as run (defaults resolved) */
	int32_t data_first, data_last;
	int64_t data_version;
	struct ms_bt_fc_asset *assets;
	size_t nassets;
	int32_t *origins;                /* walk-forward: the origin dates */
	size_t norigins;
	struct ms_bt_fc_row *rows;       /* by origin, asset, horizon, model */
	size_t nrows;
	size_t judged, no_forecast;
	size_t sample_mismatch;          /* crps_sample skipped: the simulated
	                                    sample did not reproduce the
	                                    quantiles (a code drift) */
	/* [m * nhorizons + h], m over all MS_FORECAST_NMODELS */
	struct ms_bt_fc_score *overall;
	/* [(a * MS_FORECAST_NMODELS + m) * nhorizons + h] */
	struct ms_bt_fc_score *by_asset;
	int lookahead_checked, lookahead_identical;   /* set by the caller */
};

/*
 * Runs the evaluation (walk-forward, or recorded when p->recorded). p is
 * checked (MS_ERR_RANGE). Defaults: from = the store's first day + 365,
 * to = its last day - the longest horizon (recorded: the first and last
 * recorded days). MS_ERR_NOTFOUND when no asset key resolves,
 * MS_ERR_NODATA when there is no origin or record in the range,
 * MS_ERR_TOOBIG past MS_BT_FC_MAX_ROWS; why (whysz bytes, may be NULL)
 * says why in words a user can act on. progress, when not NULL, is
 * called with (done, total, arg). On success *out is allocated; free with
 * ms_bt_fc_result_free.
 */
int ms_bt_fc_run(struct ms_store *st, const struct ms_bt_fc_params *p,
    void (*progress)(size_t, size_t, void *), void *arg,
    struct ms_bt_fc_result **out, char *why, size_t whysz);

void ms_bt_fc_result_free(struct ms_bt_fc_result *r);

/* The score cells of a result; NULL when the model is off or h unknown. */
const struct ms_bt_fc_score *ms_bt_fc_cell(const struct ms_bt_fc_result *r,
    size_t asset_or_all, enum ms_forecast_model m, int horizon);
#define MS_BT_FC_ALL ((size_t)-1)

/*
 * The forecasts of every asset id, model and horizon of p at origin, as
 * the walk-forward makes them (out[(a * NMODELS + m) * nhorizons + h];
 * rc[a * NMODELS + m] is the fit's return code, out untouched when it is
 * not 0). Reads nothing after origin.
 */
int ms_bt_fc_forecast_at(struct ms_store *st, int32_t origin,
    const int64_t *asset_ids, size_t nassets,
    const struct ms_bt_fc_params *p, struct ms_forecast *out, int *rc);

/*
 * The look-ahead guard: ms_bt_fc_forecast_at on st and on a copy of st
 * truncated after origin (written in dir, then removed); *same = 1 when
 * every forecast and return code is identical, bit for bit.
 */
int ms_bt_fc_check_lookahead(struct ms_store *st, int32_t origin,
    const int64_t *asset_ids, size_t nassets,
    const struct ms_bt_fc_params *p, const char *dir, int *same);

/* ---- the metrics, exposed for tests ---------------------------------- */

/* Pinball (quantile) loss of quantile q at level tau for outcome y. */
double ms_bt_fc_pinball(double q, double y, double tau);

/*
 * CRPS of N(mu, sigma^2) at y: sigma [z (2 Phi(z) - 1) + 2 phi(z) -
 * 1 / sqrt(pi)], z = (y - mu) / sigma; |y - mu| when sigma = 0. 0 or
 * MS_ERR_RANGE (non-finite input, sigma < 0).
 */
int ms_bt_fc_crps_normal(double mu, double sigma, double y, double *out);

/*
 * CRPS of the empirical law of the m sorted values x at y:
 * (1/m) sum |x_i - y| - (1/m^2) sum_i (2i - m + 1) x_(i), i = 0..m-1
 * (= E|X - y| - E|X - X'| / 2). 0 or MS_ERR_RANGE.
 */
int ms_bt_fc_crps_sample(const double *sorted, size_t m, double y,
    double *out);

/*
 * Two-sided binomial test of k successes in n trials against p0: the
 * doubled smaller tail, min(1, 2 min(P(X <= k), P(X >= k))) (exact and
 * equal to the likelihood-ordering test when p0 = 0.5). NaN when n = 0.
 * 0 or MS_ERR_RANGE.
 */
int ms_bt_fc_binom_p(size_t k, size_t n, double p0, double *out);

/*
 * Fills the scores of one row from its forecast and realised value (the
 * realised value NaN: not judged). 0 or MS_ERR_RANGE.
 */
int ms_bt_fc_score_row(struct ms_bt_fc_row *row);

/*
 * Aggregates rows[0..n) matching model m, horizon h and asset (or
 * MS_BT_FC_ALL). Skill uses each row's naive partner (row.naive). 0 or
 * MS_ERR_RANGE (a failed GSL call).
 */
int ms_bt_fc_aggregate(const struct ms_bt_fc_row *rows, size_t n,
    enum ms_forecast_model m, int h, size_t asset,
    struct ms_bt_fc_score *out);

/* ---- report ---------------------------------------------------------- */

/* summary.json's document (cJSON_Delete); NULL when out of memory. */
struct cJSON *ms_bt_fc_summary_json(const struct ms_bt_fc_result *r);
/* summary.md (malloc'd, caller frees); NULL when out of memory. */
char *ms_bt_fc_summary_markdown(const struct ms_bt_fc_result *r);
/* forecasts.csv into b; 0 or MS_ERR_TOOBIG / MS_ERR_NOMEM. */
int ms_bt_fc_csv(const struct ms_bt_fc_result *r, struct ms_buf *b);
/* report.html into b; 0 or an MS_ERR_* code. */
int ms_bt_fc_html(const struct ms_bt_fc_result *r, struct ms_buf *b);

/*
 * Creates dir (and missing parents) and writes summary.json,
 * forecasts.csv, summary.md and report.html, each once. 0, or non-zero
 * with a reason in err.
 */
int ms_bt_fc_write_report(const struct ms_bt_fc_result *r, const char *dir,
    char *err, size_t errsz);

#endif
