/*
 * ms_target.c — price-target arithmetic and touch probabilities (see
 * ms_target.h and docs/models/target.md).
 *
 * The closed form is the distribution of the running maximum of Brownian
 * motion with drift (Harrison 1985, ch. 1; Shreve 2004, vol. II, 7.2):
 * for X_t = nu t + sigma W_t and b > 0,
 *     P(max_{s<=t} X_s >= b) = N((-b + nu t) / (sigma sqrt t))
 *                 + exp(2 nu b / sigma^2) N((-b - nu t) / (sigma sqrt t)).
 * The second term is evaluated as exp(2 nu b / sigma^2 + ln N(.)), with
 * ln N from gsl_sf_log_erfc, so a large exponent never overflows on its
 * own while its factor underflows (targets 1000x away, small sigma).
 * The minimum follows by the reflection X -> -X.
 */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_erf.h>

#include "ms_error.h"
#include "ms_forecast.h"
#include "ms_garch.h"
#include "ms_target.h"

static double
known_positive(double v)
{
	return isfinite(v) && v > 0 ? v : NAN;
}

int
ms_target_basic(double price, double market_cap, double max_supply,
    double target, struct ms_target_basic *out)
{
	struct ms_target_basic t;

	if (out == NULL)
		return MS_ERR_INVALID;
	if (!isfinite(price) || price <= 0 || !isfinite(target) || target <= 0)
		return MS_ERR_RANGE;
	t.price = price;
	t.target = target;
	t.multiple = target / price;
	t.change_pct = (t.multiple - 1.0) * 100.0;
	t.market_cap = known_positive(market_cap);
	t.supply = t.market_cap / price;              /* NaN stays NaN */
	t.implied_market_cap = target * t.supply;
	t.max_supply = known_positive(max_supply);
	t.implied_fdv = target * t.max_supply;
	if (!isfinite(t.multiple))
		return MS_ERR_RANGE;
	*out = t;
	return MS_OK;
}

static int
gbm_args_ok(double s0, double target, double nu, double sigma, double t)
{
	return isfinite(s0) && s0 > 0 && isfinite(target) && target > 0 &&
	    isfinite(nu) && isfinite(sigma) && sigma >= 0 && isfinite(t) &&
	    t >= 0;
}

static double
clamp01(double p)
{
	return p < 0 ? 0 : p > 1 ? 1 : p;
}

/* ln N(x), accurate far into the lower tail. */
static int
log_ncdf(double x, double *out)
{
	gsl_sf_result res;
	int status = gsl_sf_log_erfc_e(-x / M_SQRT2, &res);

	if (status != GSL_SUCCESS || isnan(res.val))
		return MS_ERR_RANGE;
	*out = res.val - M_LN2;
	return MS_OK;
}

/* P(max_{s<=t} X_s >= b) for X = nu s + sigma W_s, b > 0, sigma t > 0. */
static int
max_exceeds(double b, double nu, double sigma, double t, double *out)
{
	double st = sigma * sqrt(t), l2, e;
	int rc;

	if ((rc = log_ncdf((-b - nu * t) / st, &l2)) != MS_OK)
		return rc;
	e = 2.0 * nu * b / (sigma * sigma) + l2;
	if (isnan(e))
		return MS_ERR_RANGE;
	*out = clamp01(gsl_cdf_ugaussian_P((-b + nu * t) / st) + exp(e));
	return MS_OK;
}

int
ms_target_touch_gbm(double s0, double target, double nu, double sigma,
    double t, double *out)
{
	double b, p;
	int rc;

	ms_forecast_init();
	if (out == NULL)
		return MS_ERR_INVALID;
	if (!gbm_args_ok(s0, target, nu, sigma, t))
		return MS_ERR_RANGE;
	b = log(target / s0);
	if (b == 0) {
		*out = 1.0;
		return MS_OK;
	}
	if (t == 0 || sigma * sigma == 0) {
		/* Deterministic path nu s on [0, t]: its extreme is nu t. */
		*out = (b > 0 && nu * t >= b) || (b < 0 && nu * t <= b);
		return MS_OK;
	}
	/* Reflection: min X <= b < 0 is max(-X) >= -b, and -X has drift -nu. */
	rc = b > 0 ? max_exceeds(b, nu, sigma, t, &p) :
	    max_exceeds(-b, -nu, sigma, t, &p);
	if (rc != MS_OK)
		return rc;
	*out = p;
	return MS_OK;
}

int
ms_target_end_above_gbm(double s0, double target, double nu, double sigma,
    double t, double *out)
{
	double b;

	ms_forecast_init();
	if (out == NULL)
		return MS_ERR_INVALID;
	if (!gbm_args_ok(s0, target, nu, sigma, t))
		return MS_ERR_RANGE;
	b = log(target / s0);
	if (t == 0 || sigma * sigma == 0) {
		*out = nu * t >= b;
		return MS_OK;
	}
	*out = gsl_cdf_ugaussian_Q((b - nu * t) / (sigma * sqrt(t)));
	return MS_OK;
}

static int
horizons_ok(const int *h, size_t nh)
{
	if (h == NULL || nh < 1 || nh > MS_TARGET_MAX_HORIZONS)
		return 0;
	for (size_t k = 0; k < nh; k++)
		if (h[k] < 1 || h[k] > MS_FORECAST_MAX_HORIZON ||
		    (k > 0 && h[k] <= h[k - 1]))
			return 0;
	return 1;
}

int
ms_target_touch_mc(const struct ms_garch_params *p, double drift,
    double sigma2_next, double s0, double target, const int *horizons,
    size_t nh, size_t paths, unsigned long seed, double *touch,
    double *above)
{
	size_t hit[MS_TARGET_MAX_HORIZONS], up[MS_TARGET_MAX_HORIZONS];
	int rc;

	if (p == NULL || !horizons_ok(horizons, nh))
		return MS_ERR_INVALID;
	if (!isfinite(s0) || s0 <= 0 || !isfinite(target) || target <= 0 ||
	    paths < 1 || paths > MS_FORECAST_MAX_PATHS)
		return MS_ERR_RANGE;
	if ((double)paths * (double)horizons[nh - 1] > MS_FORECAST_MAX_MC_STEPS)
		return MS_ERR_TOOBIG;
	rc = ms_garch_paths(p, drift, sigma2_next, horizons[nh - 1], paths,
	    seed, log(target / s0), horizons, nh, NULL, hit, up);
	if (rc != MS_OK)
		return rc;
	for (size_t k = 0; k < nh; k++) {
		if (touch != NULL)
			touch[k] = (double)hit[k] / (double)paths;
		if (above != NULL)
			above[k] = (double)up[k] / (double)paths;
	}
	return MS_OK;
}

static double
binomial_se(double p, size_t n)
{
	return sqrt(p * (1.0 - p) / (double)n);
}

int
ms_target_probs(const struct ms_forecast_fit *fit,
    const struct ms_forecast_params *p, double target, const int *horizons,
    size_t nh, struct ms_target_prob *out)
{
	struct ms_target_prob res[MS_TARGET_MAX_HORIZONS];
	double touch[MS_TARGET_MAX_HORIZONS], above[MS_TARGET_MAX_HORIZONS];
	int rc;

	if (fit == NULL || p == NULL || out == NULL || !horizons_ok(horizons, nh))
		return MS_ERR_INVALID;
	if (p->paths > MS_FORECAST_MAX_PATHS)
		return MS_ERR_RANGE;
	if (fit->used == MS_FORECAST_GARCH && p->paths > 0) {
		rc = ms_target_touch_mc(&fit->garch.p, fit->drift,
		    fit->garch.sigma2_next, fit->price, target, horizons, nh,
		    p->paths, p->seed, touch, above);
		if (rc != MS_OK)
			return rc;
		for (size_t k = 0; k < nh; k++) {
			double v = ms_forecast_horizon_var(fit, horizons[k]);

			res[k].horizon = horizons[k];
			res[k].method = MS_FORECAST_MONTE_CARLO;
			res[k].paths = p->paths;
			res[k].drift = fit->drift;
			res[k].sigma = sqrt(v / horizons[k]);
			res[k].touch = touch[k];
			res[k].above = above[k];
			res[k].touch_se = binomial_se(touch[k], p->paths);
			res[k].above_se = binomial_se(above[k], p->paths);
		}
	} else {
		for (size_t k = 0; k < nh; k++) {
			double t = horizons[k];
			double v = ms_forecast_horizon_var(fit, horizons[k]);
			double sigma = sqrt(v / t);

			if ((rc = ms_target_touch_gbm(fit->price, target,
			    fit->drift, sigma, t, &res[k].touch)) != MS_OK)
				return rc;
			if ((rc = ms_target_end_above_gbm(fit->price, target,
			    fit->drift, sigma, t, &res[k].above)) != MS_OK)
				return rc;
			res[k].horizon = horizons[k];
			res[k].method = MS_FORECAST_CLOSED_FORM;
			res[k].paths = 0;
			res[k].drift = fit->drift;
			res[k].sigma = sigma;
			res[k].touch_se = res[k].above_se = 0;
		}
	}
	for (size_t k = 0; k < nh; k++)
		out[k] = res[k];
	return MS_OK;
}
