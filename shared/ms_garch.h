/*
 * ms_garch.h — GARCH(1,1): Gaussian log-likelihood, maximum-likelihood fit
 * with a GSL Nelder–Mead simplex, multi-step variance forecasts and seeded
 * path simulation. Pure functions over arrays; no store access.
 *
 * Model (Bollerslev 1986), for residuals e_1..e_n (demeaned log returns):
 *     e_t = sigma_t z_t,   z_t ~ N(0,1) i.i.d.
 *     sigma^2_{t+1} = omega + alpha e_t^2 + beta sigma^2_t
 * with omega > 0, alpha >= 0, beta >= 0, alpha + beta < 1 for a fit, and
 * sigma^2_1 = var0 (the fit uses the sample variance (1/n) sum e_t^2).
 * Log-likelihood:
 *     LL = -1/2 sum_t [ ln(2 pi) + ln sigma^2_t + e_t^2 / sigma^2_t ].
 * Formulas, transform and fallbacks: docs/models/forecasts.md.
 * Callers own every array they pass; nothing returned needs freeing.
 */
#ifndef MS_GARCH_H
#define MS_GARCH_H

#include <stddef.h>

#define MS_GARCH_MIN_OBS 100        /* fewer residuals: no fit (MS_ERR_NODATA) */
#define MS_GARCH_MAX_OBS 100000     /* more: MS_ERR_TOOBIG */
#define MS_GARCH_MAX_ITER 100000    /* hard cap on options.max_iter */
#define MS_GARCH_MAX_HORIZON 36600  /* days, for forecasts and paths */
#define MS_GARCH_MAX_PATHS 1000000

struct ms_garch_params {
	double omega, alpha, beta;
};

/* Minimiser settings; ms_garch_options_default fills the documented ones. */
struct ms_garch_options {
	int max_iter;       /* simplex iterations per run, 1..MS_GARCH_MAX_ITER (default 2000) */
	double size_tol;    /* simplex size in the transformed space (default 1e-5) */
};

struct ms_garch_fit {
	struct ms_garch_params p;  /* on the scale of the input returns */
	double mean;               /* sample mean removed from the returns */
	double var0;               /* sigma^2_1: (1/n) sum (r_t - mean)^2 */
	double sigma2_next;        /* sigma^2_{n+1}, the one-day-ahead variance */
	double loglik;             /* LL at p for the demeaned returns */
	size_t nobs;
	int iterations;            /* simplex iterations over both runs */
	int converged;             /* 1: both runs stopped by a rule below and the fit is valid */
	int flat;                  /* 1: the last run stopped by the flat-objective rule
	                              (typically a maximum on the boundary), 0: by size_tol */
	int gsl_status;            /* last GSL status (GSL_SUCCESS when all went well) */
};

void ms_garch_options_default(struct ms_garch_options *o);

/*
 * Log-likelihood of the residuals e[0..n) under p, starting from
 * sigma^2_1 = var0. Needs n >= 1, finite e, omega > 0, alpha >= 0,
 * beta >= 0 (stationarity is not required here) and var0 > 0, else
 * MS_ERR_RANGE / MS_ERR_INVALID. On success writes *ll and, when
 * sigma2_next is not NULL, sigma^2_{n+1}.
 */
int ms_garch_loglik(const double *e, size_t n, const struct ms_garch_params *p,
    double var0, double *ll, double *sigma2_next);

/*
 * Fits GARCH(1,1) by Gaussian maximum likelihood to the log returns
 * r[0..n) (demeaned inside). o may be NULL for the defaults.
 * Returns MS_ERR_INVALID (NULL or non-finite input, bad options),
 * MS_ERR_NODATA (n < MS_GARCH_MIN_OBS), MS_ERR_TOOBIG (n > MS_GARCH_MAX_OBS),
 * MS_ERR_RANGE (zero variance), MS_ERR_NOMEM; otherwise MS_OK with *out
 * written — check out->converged: a non-converged fit is reported, not used.
 */
int ms_garch_fit(const double *r, size_t n, const struct ms_garch_options *o,
    struct ms_garch_fit *out);

/*
 * Sum of the expected conditional variances sigma^2_{n+1} .. sigma^2_{n+h}
 * given sigma2_next = sigma^2_{n+1}: the variance of the h-day log return.
 * E[sigma^2_{n+k+1}] = omega + (alpha + beta) E[sigma^2_{n+k}]. NaN when
 * h < 1, h > MS_GARCH_MAX_HORIZON or an input is not finite.
 */
double ms_garch_horizon_var(const struct ms_garch_params *p,
    double sigma2_next, int horizon);

/*
 * Simulates n residuals e_1..e_n of the model from sigma^2_1 = sigma2_1
 * with a gsl_rng mt19937 seeded with seed (z from the ziggurat sampler).
 * Writes out[0..n). For tests and examples.
 */
int ms_garch_simulate(const struct ms_garch_params *p, double sigma2_1,
    unsigned long seed, size_t n, double *out);

/*
 * Seeded Monte Carlo of log-price paths x_t = ln(S_t / S_0),
 *     x_t = x_{t-1} + drift + e_t,  e_t = sigma_t z_t,
 *     sigma^2_1 = sigma2_next, sigma^2_{t+1} = omega + alpha e_t^2 + beta sigma^2_t,
 * for t = 1..horizon, from one mt19937 stream seeded with seed, drawn in
 * a fixed order (blocks of 8 paths in lockstep, day by day), so results
 * are identical for identical inputs. alpha = beta = 0
 * and omega = sigma^2 gives i.i.d. normal returns (GBM sampled daily).
 *
 * Outputs (each may be NULL when not wanted; when given, written fully):
 *   final[npaths]   x_horizon of each path;
 *   touched[nmarks] paths whose running extreme reached barrier by day
 *                   marks[k]: max x_t >= barrier when barrier > 0,
 *                   min x_t <= barrier when barrier < 0, all when 0;
 *   above[nmarks]   paths with x_{marks[k]} >= barrier.
 * marks must be increasing, each in 1..horizon; nmarks <= 64. The path
 * is observed at daily steps only (discrete monitoring).
 */
#define MS_GARCH_MAX_MARKS 64
int ms_garch_paths(const struct ms_garch_params *p, double drift,
    double sigma2_next, int horizon, size_t npaths, unsigned long seed,
    double barrier, const int *marks, size_t nmarks, double *final,
    size_t *touched, size_t *above);

#endif
