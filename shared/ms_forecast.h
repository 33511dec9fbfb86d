/*
 * ms_forecast.h — price forecasts at a horizon of h days from an array of
 * daily closes: models naive, drift, ewma and garch; quantiles of the price
 * at t+h, probabilities of ending above given levels, and diagnostics.
 *
 * Pure functions: the caller passes the closes known at the as-of day
 * (oldest first, close[n-1] = the as-of day's close) and nothing later.
 * Every model is a normal model for the h-day log return
 *     ln(S_{t+h} / S_t) ~ N(nu h, V_h)
 * (garch by seeded Monte Carlo by default), with
 *     naive  nu = 0,               V_h = h s^2       (s = sample stdev)
 *     drift  nu = mean log return, V_h = h s^2       (GBM)
 *     ewma   nu = 0,               V_h = h sigma^2_{t+1} (RiskMetrics)
 *     garch  nu = 0,               V_h = sum of GARCH(1,1) variance forecasts
 * Zero drift means a zero median log return: the median price is S_t.
 * Formulas, defaults and sources: docs/models/forecasts.md.
 * Results are plain structs filled by value: nothing returned here needs
 * freeing, and temporary memory is freed before each function returns.
 */
#ifndef MS_FORECAST_H
#define MS_FORECAST_H

#include <stddef.h>

#include "ms_garch.h"

enum ms_forecast_model {
	MS_FORECAST_NAIVE = 0,
	MS_FORECAST_DRIFT = 1,
	MS_FORECAST_EWMA = 2,
	MS_FORECAST_GARCH = 3
};
#define MS_FORECAST_NMODELS 4

/* How the quantiles and probabilities were computed. */
enum ms_forecast_method {
	MS_FORECAST_CLOSED_FORM = 0,   /* lognormal formulas */
	MS_FORECAST_MONTE_CARLO = 1    /* seeded simulation of GARCH paths */
};

#define MS_FORECAST_DAYS_PER_YEAR 365
#define MS_FORECAST_NQ 7               /* 5, 10, 25, 50, 75, 90, 95 % */
#define MS_FORECAST_MIN_RETURNS 30     /* fewer usable returns: MS_ERR_NODATA */
#define MS_FORECAST_MAX_PRICES 100000  /* n above this: MS_ERR_TOOBIG */
#define MS_FORECAST_MAX_WINDOW 10000   /* days */
#define MS_FORECAST_MAX_HORIZON 3660   /* days (ten years and some) */
#define MS_FORECAST_MAX_LEVELS 32
#define MS_FORECAST_MAX_PATHS 100000
/* Hard cap on simulated days, paths x horizon (about half a second). */
#define MS_FORECAST_MAX_MC_STEPS 40000000.0
#define MS_FORECAST_DEFAULT_WINDOW 365
#define MS_FORECAST_DEFAULT_GARCH_WINDOW 1000
#define MS_FORECAST_DEFAULT_LAMBDA 0.94
#define MS_FORECAST_DEFAULT_PATHS 10000
#define MS_FORECAST_DEFAULT_SEED 20240601UL
#define MS_FORECAST_DEFAULT_MAX_PERSISTENCE 0.999

/* The quantile probabilities, in order: 0.05 ... 0.95. */
extern const double ms_forecast_qprob[MS_FORECAST_NQ];

struct ms_forecast_params {
	enum ms_forecast_model model;
	int horizon;          /* days ahead, 1..MS_FORECAST_MAX_HORIZON */
	size_t window;        /* days of history used, MIN_RETURNS..MAX_WINDOW */
	double lambda;        /* ewma decay, 0 < lambda < 1 */
	size_t paths;         /* garch Monte Carlo paths; 0 = closed form */
	unsigned long seed;   /* garch Monte Carlo seed */
	double max_persistence;  /* garch fits with alpha + beta >= this fall
	                            back to ewma; (0, 1], 1 disables the rule */
	struct ms_garch_options garch;
};

/*
 * The fitted state of a model, reusable for several horizons and by
 * ms_target. All rates are per day.
 */
struct ms_forecast_fit {
	enum ms_forecast_model model;  /* asked for */
	enum ms_forecast_model used;   /* whose numbers these are: ewma after a garch fallback */
	size_t window;                 /* days of history asked for */
	size_t nobs;                   /* log returns used */
	size_t nskipped;               /* day pairs in the window without a return (missing/invalid close) */
	size_t first_index;            /* index in close[] where the window starts */
	double price;                  /* S_t = close[n-1] */
	double mean_return;            /* sample mean of the log returns */
	double sample_sd;              /* sample standard deviation (n - 1) */
	double drift;                  /* nu used for forecasting */
	double sigma;                  /* one-day-ahead volatility used */
	double lambda;                 /* ewma decay when ewma was used, else NaN */
	int garch_tried;               /* the garch model was asked for */
	struct ms_garch_fit garch;     /* valid when garch_tried (see converged) */
	int garch_rc;                  /* ms_garch_fit's return code */
	int fallback;                  /* 1: garch failed, ewma used */
	const char *fallback_reason;   /* static text, NULL without fallback */
};

struct ms_forecast {
	struct ms_forecast_fit fit;
	int horizon;
	enum ms_forecast_method method;
	size_t paths;                  /* 0 for the closed form */
	unsigned long seed;
	double log_mean;               /* nu h */
	double log_sd;                 /* sqrt(V_h) */
	double quantile[MS_FORECAST_NQ];  /* prices at ms_forecast_qprob */
	size_t nlevels;
	double level[MS_FORECAST_MAX_LEVELS];
	double p_above[MS_FORECAST_MAX_LEVELS];  /* P(S_{t+h} > level) */
};

/*
 * Switches GSL's aborting error handler off, once per process (thread
 * safe). Every function of ms_forecast, ms_garch and ms_target that calls
 * GSL calls it first, so calling it at start-up is optional.
 */
void ms_forecast_init(void);

/* "naive", "drift", "ewma", "garch"; "?" for an unknown value. */
const char *ms_forecast_model_name(enum ms_forecast_model m);
/* Parses exactly len bytes of s as a model name; MS_ERR_PARSE if none. */
int ms_forecast_model_parse(const char *s, size_t len,
    enum ms_forecast_model *out);

/* Fills the documented defaults for model m (horizon 30 days). */
void ms_forecast_params_default(enum ms_forecast_model m,
    struct ms_forecast_params *p);

/*
 * Fits the model in p to close[0..n) (oldest first). Closes that are not
 * finite or not > 0 count as missing; returns are taken only between two
 * consecutive valid days. Returns MS_ERR_INVALID (NULL, bad params),
 * MS_ERR_TOOBIG (n), MS_ERR_NODATA (close[n-1] missing or fewer than
 * MS_FORECAST_MIN_RETURNS returns), MS_ERR_NOMEM, else MS_OK with *out set.
 * A failed garch fit is not an error: ewma is used and flagged.
 */
int ms_forecast_fit(const double *close, size_t n,
    const struct ms_forecast_params *p, struct ms_forecast_fit *out);

/* V_h of a fit for horizon h days; NaN when h is out of range. */
double ms_forecast_horizon_var(const struct ms_forecast_fit *fit, int horizon);

/*
 * Quantiles and P(above levels[k]) at p->horizon from a fit. levels may be
 * NULL when nlevels is 0; each level finite and > 0. Monte Carlo is used
 * when the fit's model is garch (no fallback) and p->paths > 0.
 */
int ms_forecast_predict(const struct ms_forecast_fit *fit,
    const struct ms_forecast_params *p, const double *levels, size_t nlevels,
    struct ms_forecast *out);

/* ms_forecast_fit then ms_forecast_predict. */
int ms_forecast_run(const double *close, size_t n,
    const struct ms_forecast_params *p, const double *levels, size_t nlevels,
    struct ms_forecast *out);

#endif
