/*
 * ms_target.h — price-target arithmetic ("can XRP reach $500?"): the
 * required multiple and change, the implied market cap at the target, and
 * the probabilities of touching the target within a horizon and of ending
 * above it, under GBM (closed form) or GARCH paths (seeded Monte Carlo).
 *
 * Pure functions over numbers; the caller brings the price, market cap
 * and a fitted model (ms_forecast_fit). Time is in days and rates are per
 * day. For GBM the log price is a Brownian motion with drift
 *     ln(S_t / S_0) = nu t + sigma W_t,   nu = mu - sigma^2 / 2,
 * where mu is the GBM drift (dS = mu S dt + sigma S dW); these functions
 * take nu, the mean daily log return, which is what ms_forecast_fit
 * reports as `drift`. Formulas, derivation and sources:
 * docs/models/target.md. Nothing returned here needs freeing.
 */
#ifndef MS_TARGET_H
#define MS_TARGET_H

#include <stddef.h>

#include "ms_forecast.h"
#include "ms_garch.h"

#define MS_TARGET_MAX_HORIZONS 16

struct ms_target_basic {
	double price, target;
	double multiple;            /* target / price */
	double change_pct;          /* (target / price - 1) * 100 */
	double market_cap;          /* NaN when unknown */
	double supply;              /* circulating: market_cap / price; NaN when unknown */
	double implied_market_cap;  /* target * supply */
	double max_supply;          /* NaN when unknown */
	double implied_fdv;         /* target * max_supply (fully diluted) */
};

/*
 * Fills *out. price and target must be finite and > 0 (else MS_ERR_RANGE).
 * A market_cap or max_supply that is NaN, infinite or <= 0 is unknown and
 * makes the derived fields NaN (sources write 0 for unknown caps).
 */
int ms_target_basic(double price, double market_cap, double max_supply,
    double target, struct ms_target_basic *out);

/*
 * P(the price touches target at some time in [0, t]) for GBM observed
 * continuously, from s0 with log drift nu and volatility sigma per day.
 * target above s0: P(max S >= target); below: P(min S <= target); equal: 1.
 * sigma = 0 is the deterministic path. MS_ERR_RANGE for s0, target <= 0,
 * t < 0, sigma < 0 or non-finite input; *out in [0, 1] otherwise.
 */
int ms_target_touch_gbm(double s0, double target, double nu, double sigma,
    double t, double *out);

/* P(S_t >= target) for the same GBM (lognormal). */
int ms_target_end_above_gbm(double s0, double target, double nu,
    double sigma, double t, double *out);

/*
 * Seeded Monte Carlo under GARCH(1,1) paths with drift (ms_garch_paths):
 * for each horizons[k] (increasing, 1..MS_FORECAST_MAX_HORIZON, nh <=
 * MS_TARGET_MAX_HORIZONS) the fraction of paths whose daily closes touched
 * target by that day, and the fraction at or above it on that day.
 * paths x the last horizon must not exceed MS_FORECAST_MAX_MC_STEPS
 * (MS_ERR_TOOBIG). touch and above may be NULL when not wanted.
 */
int ms_target_touch_mc(const struct ms_garch_params *p, double drift,
    double sigma2_next, double s0, double target, const int *horizons,
    size_t nh, size_t paths, unsigned long seed, double *touch,
    double *above);

struct ms_target_prob {
	int horizon;                    /* days */
	enum ms_forecast_method method; /* closed form (GBM) or Monte Carlo (garch) */
	size_t paths;                   /* 0 for the closed form */
	double drift;                   /* nu per day used */
	double sigma;                   /* per-day volatility: constant, or sqrt(V_h / h) */
	double touch, above;            /* probabilities */
	double touch_se, above_se;      /* Monte Carlo standard errors; 0 for closed form */
};

/*
 * Touch and end-above probabilities at each horizon under a fitted model:
 * the GBM closed form with the fit's drift and sigma for naive, drift and
 * ewma (and for garch when p->paths is 0, with sigma = sqrt(V_h / h)), the
 * Monte Carlo of GARCH paths (p->paths, p->seed) for a converged garch.
 * Writes out[0..nh).
 */
int ms_target_probs(const struct ms_forecast_fit *fit,
    const struct ms_forecast_params *p, double target, const int *horizons,
    size_t nh, struct ms_target_prob *out);

#endif
