/*
 * ms_forecast.c — the four forecast models of ms_forecast.h: estimation
 * from a window of daily closes, h-day variance, lognormal quantiles and
 * probabilities, and the seeded Monte Carlo used for garch.
 *
 * Everything is a pure function of its arguments: no statics besides the
 * once-only switch that turns GSL's aborting error handler off, fixed
 * seeds, and the same order of operations for the same input, so the same
 * closes always give bit-identical output. Formulas and their sources are
 * in docs/models/forecasts.md.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "ms_error.h"
#include "ms_forecast.h"
#include "ms_garch.h"

const double ms_forecast_qprob[MS_FORECAST_NQ] = {
	0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95
};

static const char *const model_names[MS_FORECAST_NMODELS] = {
	"naive", "drift", "ewma", "garch"
};

static pthread_once_t gsl_once = PTHREAD_ONCE_INIT;

static void
gsl_handler_off(void)
{
	gsl_set_error_handler_off();
}

void
ms_forecast_init(void)
{
	(void)pthread_once(&gsl_once, gsl_handler_off);
}

const char *
ms_forecast_model_name(enum ms_forecast_model m)
{
	if ((int)m < 0 || (int)m >= MS_FORECAST_NMODELS)
		return "?";
	return model_names[m];
}

int
ms_forecast_model_parse(const char *s, size_t len, enum ms_forecast_model *out)
{
	if (s == NULL || out == NULL)
		return MS_ERR_PARSE;
	for (int m = 0; m < MS_FORECAST_NMODELS; m++) {
		if (strlen(model_names[m]) == len &&
		    memcmp(model_names[m], s, len) == 0) {
			*out = (enum ms_forecast_model)m;
			return MS_OK;
		}
	}
	return MS_ERR_PARSE;
}

void
ms_forecast_params_default(enum ms_forecast_model m,
    struct ms_forecast_params *p)
{
	memset(p, 0, sizeof(*p));
	p->model = m;
	p->horizon = 30;
	p->window = m == MS_FORECAST_GARCH ? MS_FORECAST_DEFAULT_GARCH_WINDOW :
	    MS_FORECAST_DEFAULT_WINDOW;
	p->lambda = MS_FORECAST_DEFAULT_LAMBDA;
	p->paths = MS_FORECAST_DEFAULT_PATHS;
	p->seed = MS_FORECAST_DEFAULT_SEED;
	p->max_persistence = MS_FORECAST_DEFAULT_MAX_PERSISTENCE;
	ms_garch_options_default(&p->garch);
}

static int
valid_close(double c)
{
	return isfinite(c) && c > 0;
}

static int
params_valid(const struct ms_forecast_params *p)
{
	return (int)p->model >= 0 && (int)p->model < MS_FORECAST_NMODELS &&
	    p->horizon >= 1 && p->horizon <= MS_FORECAST_MAX_HORIZON &&
	    p->window >= MS_FORECAST_MIN_RETURNS &&
	    p->window <= MS_FORECAST_MAX_WINDOW &&
	    isfinite(p->lambda) && p->lambda > 0 && p->lambda < 1 &&
	    p->paths <= MS_FORECAST_MAX_PATHS &&
	    isfinite(p->max_persistence) && p->max_persistence > 0 &&
	    p->max_persistence <= 1;
}

/* RiskMetrics: sigma^2 starts at mean(r^2), then lambda-weighted updates;
 * the value after the last return is the forecast for the next day. */
static double
ewma_var(const double *r, size_t n, double lambda)
{
	double s2 = 0;

	for (size_t t = 0; t < n; t++)
		s2 += r[t] * r[t];
	s2 /= (double)n;
	for (size_t t = 0; t < n; t++)
		s2 = lambda * s2 + (1.0 - lambda) * r[t] * r[t];
	return s2;
}

static void
use_ewma(struct ms_forecast_fit *f, const double *r, double lambda)
{
	f->used = MS_FORECAST_EWMA;
	f->drift = 0;
	f->lambda = lambda;
	f->sigma = sqrt(ewma_var(r, f->nobs, lambda));
}

int
ms_forecast_fit(const double *close, size_t n,
    const struct ms_forecast_params *p, struct ms_forecast_fit *out)
{
	struct ms_forecast_fit f;
	double *r;
	size_t lo;

	ms_forecast_init();
	if (close == NULL || p == NULL || out == NULL || !params_valid(p))
		return MS_ERR_INVALID;
	if (n > MS_FORECAST_MAX_PRICES)
		return MS_ERR_TOOBIG;
	if (n < 2 || !valid_close(close[n - 1]))
		return MS_ERR_NODATA;

	memset(&f, 0, sizeof(f));
	f.model = p->model;
	f.window = p->window;
	f.price = close[n - 1];
	f.lambda = NAN;
	f.garch_rc = MS_OK;
	f.garch.loglik = f.garch.mean = f.garch.var0 = NAN;
	f.garch.sigma2_next = NAN;
	f.garch.p.omega = f.garch.p.alpha = f.garch.p.beta = NAN;
	lo = n - 1 > p->window ? n - 1 - p->window : 0;
	f.first_index = lo;

	if ((r = malloc((n - 1 - lo) * sizeof(*r))) == NULL)
		return MS_ERR_NOMEM;
	for (size_t i = lo + 1; i < n; i++) {
		if (valid_close(close[i - 1]) && valid_close(close[i]))
			r[f.nobs++] = log(close[i] / close[i - 1]);
		else
			f.nskipped++;
	}
	if (f.nobs < MS_FORECAST_MIN_RETURNS) {
		free(r);
		return MS_ERR_NODATA;
	}
	f.mean_return = gsl_stats_mean(r, 1, f.nobs);
	f.sample_sd = gsl_stats_sd_m(r, 1, f.nobs, f.mean_return);

	switch (p->model) {
	case MS_FORECAST_NAIVE:
		f.used = MS_FORECAST_NAIVE;
		f.drift = 0;
		f.sigma = f.sample_sd;
		break;
	case MS_FORECAST_DRIFT:
		f.used = MS_FORECAST_DRIFT;
		f.drift = f.mean_return;
		f.sigma = f.sample_sd;
		break;
	case MS_FORECAST_EWMA:
		use_ewma(&f, r, p->lambda);
		break;
	case MS_FORECAST_GARCH:
		f.garch_tried = 1;
		f.garch_rc = ms_garch_fit(r, f.nobs, &p->garch, &f.garch);
		if (f.garch_rc == MS_ERR_NOMEM || f.garch_rc == MS_ERR_INVALID) {
			int rc = f.garch_rc;

			free(r);
			return rc;
		}
		if (f.garch_rc == MS_OK && f.garch.converged &&
		    f.garch.p.alpha + f.garch.p.beta < p->max_persistence) {
			f.used = MS_FORECAST_GARCH;
			f.drift = 0;
			f.sigma = sqrt(f.garch.sigma2_next);
			break;
		}
		f.fallback = 1;
		if (f.garch_rc == MS_ERR_NODATA)
			f.fallback_reason = "too few returns for a garch fit "
			    "(fewer than 100); ewma used";
		else if (f.garch_rc == MS_ERR_RANGE)
			f.fallback_reason = "returns have zero variance; "
			    "ewma used";
		else if (f.garch_rc == MS_OK && !f.garch.converged)
			f.fallback_reason = "garch maximum likelihood did not "
			    "converge; ewma used";
		else if (f.garch_rc == MS_OK)
			f.fallback_reason = "garch fit is near-integrated "
			    "(alpha + beta at or above max_persistence): no "
			    "usable long-run variance; ewma used";
		else
			f.fallback_reason = "garch fit failed; ewma used";
		use_ewma(&f, r, p->lambda);
		break;
	}
	free(r);
	if (!isfinite(f.sigma) || !isfinite(f.drift))
		return MS_ERR_RANGE;
	*out = f;
	return MS_OK;
}

double
ms_forecast_horizon_var(const struct ms_forecast_fit *fit, int horizon)
{
	if (fit == NULL || horizon < 1 || horizon > MS_FORECAST_MAX_HORIZON)
		return NAN;
	if (fit->used == MS_FORECAST_GARCH)
		return ms_garch_horizon_var(&fit->garch.p,
		    fit->garch.sigma2_next, horizon);
	return (double)horizon * fit->sigma * fit->sigma;
}

/* Lognormal quantiles and P(S_h > level), from nu h and sqrt(V_h). */
static void
closed_form(struct ms_forecast *o, const double *levels)
{
	double s0 = o->fit.price, m = o->log_mean, sd = o->log_sd;

	for (int i = 0; i < MS_FORECAST_NQ; i++)
		o->quantile[i] = s0 * exp(m + (sd > 0 ?
		    sd * gsl_cdf_ugaussian_Pinv(ms_forecast_qprob[i]) : 0));
	for (size_t k = 0; k < o->nlevels; k++) {
		double b = log(levels[k] / s0);

		/* Q(), not 1 - P(), keeps tiny tail probabilities exact. */
		if (sd > 0)
			o->p_above[k] = gsl_cdf_ugaussian_Q((b - m) / sd);
		else
			o->p_above[k] = m > b ? 1.0 : 0.0;
	}
}

static int
monte_carlo(struct ms_forecast *o, const struct ms_forecast_params *p,
    const double *levels)
{
	const struct ms_forecast_fit *f = &o->fit;
	size_t n = p->paths;
	double *x;
	int rc;

	if ((double)n * (double)p->horizon > MS_FORECAST_MAX_MC_STEPS)
		return MS_ERR_TOOBIG;
	if ((x = malloc(n * sizeof(*x))) == NULL)
		return MS_ERR_NOMEM;
	rc = ms_garch_paths(&f->garch.p, f->drift, f->garch.sigma2_next,
	    p->horizon, n, p->seed, 0.0, NULL, 0, x, NULL, NULL);
	if (rc != MS_OK) {
		free(x);
		return rc;
	}
	gsl_sort(x, 1, n);
	for (int i = 0; i < MS_FORECAST_NQ; i++)
		o->quantile[i] = f->price * exp(gsl_stats_quantile_from_sorted_data(
		    x, 1, n, ms_forecast_qprob[i]));
	for (size_t k = 0; k < o->nlevels; k++) {
		double b = log(levels[k] / f->price);
		size_t lo = 0, hi = n;

		/* First index with x > b, by bisection over the sorted paths. */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (x[mid] > b)
				hi = mid;
			else
				lo = mid + 1;
		}
		o->p_above[k] = (double)(n - lo) / (double)n;
	}
	free(x);
	return MS_OK;
}

int
ms_forecast_predict(const struct ms_forecast_fit *fit,
    const struct ms_forecast_params *p, const double *levels, size_t nlevels,
    struct ms_forecast *out)
{
	struct ms_forecast res, *o = &res;
	int rc = MS_OK;

	ms_forecast_init();
	if (fit == NULL || p == NULL || out == NULL || !params_valid(p) ||
	    (nlevels > 0 && levels == NULL))
		return MS_ERR_INVALID;
	if (nlevels > MS_FORECAST_MAX_LEVELS)
		return MS_ERR_TOOBIG;
	for (size_t k = 0; k < nlevels; k++)
		if (!isfinite(levels[k]) || levels[k] <= 0)
			return MS_ERR_RANGE;
	if (!valid_close(fit->price))
		return MS_ERR_INVALID;
	memset(o, 0, sizeof(*o));
	o->fit = *fit;
	o->horizon = p->horizon;
	o->log_mean = fit->drift * (double)p->horizon;
	o->log_sd = sqrt(ms_forecast_horizon_var(fit, p->horizon));
	o->nlevels = nlevels;
	for (size_t k = 0; k < nlevels; k++)
		o->level[k] = levels[k];
	for (size_t k = nlevels; k < MS_FORECAST_MAX_LEVELS; k++)
		o->level[k] = o->p_above[k] = NAN;
	if (!isfinite(o->log_sd) || !isfinite(o->log_mean))
		return MS_ERR_RANGE;
	if (fit->used == MS_FORECAST_GARCH && p->paths > 0) {
		o->method = MS_FORECAST_MONTE_CARLO;
		o->paths = p->paths;
		o->seed = p->seed;
		rc = monte_carlo(o, p, levels);
	} else {
		o->method = MS_FORECAST_CLOSED_FORM;
		closed_form(o, levels);
	}
	if (rc == MS_OK)
		*out = *o;
	return rc;
}

int
ms_forecast_run(const double *close, size_t n,
    const struct ms_forecast_params *p, const double *levels, size_t nlevels,
    struct ms_forecast *out)
{
	struct ms_forecast_fit fit;
	int rc;

	if ((rc = ms_forecast_fit(close, n, p, &fit)) != MS_OK)
		return rc;
	return ms_forecast_predict(&fit, p, levels, nlevels, out);
}
