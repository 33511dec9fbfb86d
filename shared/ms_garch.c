/*
 * ms_garch.c — GARCH(1,1) likelihood, maximum-likelihood fit, variance
 * forecasts and seeded path simulation (see ms_garch.h and
 * docs/models/forecasts.md).
 *
 * The fit minimises the negative log-likelihood with GSL's nmsimplex2 over
 * an unconstrained vector (u0, u1, u2) that maps onto the admissible set:
 *     omega = exp(u0),  P = logistic(u1),  A = logistic(u2),
 *     alpha = P * A,    beta = P * (1 - A),
 * so omega > 0, alpha >= 0, beta >= 0 and alpha + beta = P < 1 hold at
 * every point the simplex visits. The returns are divided by their
 * standard deviation first, so the optimiser works on unit-variance data
 * whatever the asset's price scale; omega is scaled back at the end. After
 * the simplex converges it is restarted once from its best vertex, which
 * guards against the known premature collapse of Nelder–Mead simplices.
 * Nothing here keeps state between calls; GSL's error handler is switched
 * off (ms_forecast_init) and every GSL status is checked.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>

#include "ms_error.h"
#include "ms_forecast.h"
#include "ms_garch.h"

#define LOG_2PI 1.837877066409345483560659472811
/* Objective value for points whose likelihood is not finite. Finite, so
 * nmsimplex2 treats it as a very bad point instead of failing. */
#define PENALTY 1e300
/* Paths simulated side by side in ms_garch_paths. */
#define PATH_BLOCK 8

void
ms_garch_options_default(struct ms_garch_options *o)
{
	o->max_iter = 2000;
	o->size_tol = 1e-5;
}

static int
params_ok(const struct ms_garch_params *p)
{
	return isfinite(p->omega) && isfinite(p->alpha) && isfinite(p->beta) &&
	    p->omega > 0 && p->alpha >= 0 && p->beta >= 0;
}

int
ms_garch_loglik(const double *e, size_t n, const struct ms_garch_params *p,
    double var0, double *ll, double *sigma2_next)
{
	double s2 = var0, sum = 0;

	if (e == NULL || p == NULL || ll == NULL || n == 0)
		return MS_ERR_INVALID;
	if (n > MS_GARCH_MAX_OBS)
		return MS_ERR_TOOBIG;
	if (!params_ok(p) || !isfinite(var0) || var0 <= 0)
		return MS_ERR_RANGE;
	for (size_t t = 0; t < n; t++) {
		if (!isfinite(e[t]))
			return MS_ERR_INVALID;
		sum += log(s2) + e[t] * e[t] / s2;
		s2 = p->omega + p->alpha * e[t] * e[t] + p->beta * s2;
	}
	sum = -0.5 * ((double)n * LOG_2PI + sum);
	if (!isfinite(sum) || !isfinite(s2) || s2 <= 0)
		return MS_ERR_RANGE;
	*ll = sum;
	if (sigma2_next != NULL)
		*sigma2_next = s2;
	return MS_OK;
}

static double
logistic(double u)
{
	return 1.0 / (1.0 + exp(-u));
}

/* Maps the simplex's unconstrained vector onto (omega, alpha, beta). */
static void
from_free(const gsl_vector *u, struct ms_garch_params *p)
{
	double pers = logistic(gsl_vector_get(u, 1));
	double share = logistic(gsl_vector_get(u, 2));

	p->omega = exp(gsl_vector_get(u, 0));
	p->alpha = pers * share;
	p->beta = pers * (1.0 - share);
}

struct nll_ctx {
	const double *x;   /* unit-variance residuals */
	size_t n;
};

/*
 * Negative log-likelihood of the scaled residuals, sigma^2_1 = 1, without
 * the constant n ln(2 pi) / 2 (a smaller value resolves finer changes).
 */
static double
nll(const gsl_vector *u, void *arg)
{
	const struct nll_ctx *c = arg;
	struct ms_garch_params p;
	double s2 = 1.0, sum = 0;

	from_free(u, &p);
	if (!(p.omega > 0) || !isfinite(p.omega) || !(p.alpha + p.beta < 1.0))
		return PENALTY;
	for (size_t t = 0; t < c->n; t++) {
		double x2 = c->x[t] * c->x[t];

		sum += log(s2) + x2 / s2;
		s2 = p.omega + p.alpha * x2 + p.beta * s2;
	}
	sum *= 0.5;
	return isfinite(sum) && sum < PENALTY ? sum : PENALTY;
}

/*
 * The second stopping rule. A maximum on the boundary of the admissible
 * set (alpha = 0, beta = 0 or alpha + beta -> 1) lies at infinity in the
 * transformed space, where the simplex never shrinks; there the natural
 * parameters and the objective stop changing instead. Every FLAT_WINDOW
 * iterations the best point is compared with the one FLAT_WINDOW earlier.
 */
#define FLAT_WINDOW 100
#define FLAT_FTOL 1e-9    /* change of the scaled negative log-likelihood */
#define FLAT_PTOL 1e-7    /* change of omega / var, alpha and beta */

/* Best point of the simplex in natural coordinates, and its value. */
static void
best_point(const gsl_multimin_fminimizer *s, double v[4])
{
	struct ms_garch_params p;

	from_free(gsl_multimin_fminimizer_x(s), &p);
	v[0] = p.omega;
	v[1] = p.alpha;
	v[2] = p.beta;
	v[3] = gsl_multimin_fminimizer_minimum(s);
}

static int
flat_since(const double a[4], const double b[4])
{
	return fabs(a[0] - b[0]) < FLAT_PTOL && fabs(a[1] - b[1]) < FLAT_PTOL &&
	    fabs(a[2] - b[2]) < FLAT_PTOL && fabs(a[3] - b[3]) < FLAT_FTOL;
}

/*
 * One simplex run from u with the given step; copies the best vertex back
 * into u. Returns the GSL status of the run's end: GSL_SUCCESS when a
 * stopping rule held (*flat = 1 when it was the flat-objective rule),
 * GSL_CONTINUE when max_iter ran out, or an error.
 */
static int
simplex_run(gsl_multimin_fminimizer *s, gsl_multimin_function *f,
    gsl_vector *u, const gsl_vector *step, const struct ms_garch_options *o,
    int *iterations, int *flat)
{
	double mark[4], now[4];
	int status, iter = 0;

	*flat = 0;
	status = gsl_multimin_fminimizer_set(s, f, u, step);
	if (status != GSL_SUCCESS)
		return status;
	best_point(s, mark);
	do {
		iter++;
		status = gsl_multimin_fminimizer_iterate(s);
		if (status != GSL_SUCCESS)
			break;
		status = gsl_multimin_test_size(
		    gsl_multimin_fminimizer_size(s), o->size_tol);
		if (status == GSL_CONTINUE && iter % FLAT_WINDOW == 0) {
			best_point(s, now);
			if (flat_since(now, mark)) {
				status = GSL_SUCCESS;
				*flat = 1;
			}
			memcpy(mark, now, sizeof(mark));
		}
	} while (status == GSL_CONTINUE && iter < o->max_iter);
	*iterations += iter;
	/* The best vertex so far is valid even after an iterate error. */
	if (gsl_vector_memcpy(u, gsl_multimin_fminimizer_x(s)) != GSL_SUCCESS)
		return GSL_EFAILED;
	return status;
}

int
ms_garch_fit(const double *r, size_t n, const struct ms_garch_options *o,
    struct ms_garch_fit *out)
{
	struct ms_garch_options opt;
	struct ms_garch_fit fit;
	struct nll_ctx ctx;
	gsl_multimin_function f;
	gsl_multimin_fminimizer *s = NULL;
	gsl_vector *u = NULL, *step = NULL;
	double *x = NULL, mean = 0, var = 0, sd;
	int rc, status, flat;

	ms_forecast_init();
	if (r == NULL || out == NULL)
		return MS_ERR_INVALID;
	if (o == NULL)
		ms_garch_options_default(&opt);
	else
		opt = *o;
	if (opt.max_iter < 1 || opt.max_iter > MS_GARCH_MAX_ITER ||
	    !isfinite(opt.size_tol) || opt.size_tol <= 0)
		return MS_ERR_INVALID;
	if (n < MS_GARCH_MIN_OBS)
		return MS_ERR_NODATA;
	if (n > MS_GARCH_MAX_OBS)
		return MS_ERR_TOOBIG;
	for (size_t t = 0; t < n; t++) {
		if (!isfinite(r[t]))
			return MS_ERR_INVALID;
		mean += r[t];
	}
	mean /= (double)n;
	for (size_t t = 0; t < n; t++)
		var += (r[t] - mean) * (r[t] - mean);
	var /= (double)n;
	/* Log returns are dimensionless: a standard deviation under 1e-12
	 * is a constant series up to rounding, with nothing to fit. */
	if (!isfinite(var) || !(var >= 1e-24))
		return MS_ERR_RANGE;
	sd = sqrt(var);

	memset(&fit, 0, sizeof(fit));
	fit.mean = mean;
	fit.var0 = var;
	fit.nobs = n;
	fit.loglik = NAN;
	fit.sigma2_next = NAN;
	fit.p.omega = fit.p.alpha = fit.p.beta = NAN;

	rc = MS_ERR_NOMEM;
	if ((x = malloc(n * sizeof(*x))) == NULL)
		goto done;
	for (size_t t = 0; t < n; t++)
		x[t] = (r[t] - mean) / sd;
	s = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, 3);
	u = gsl_vector_alloc(3);
	step = gsl_vector_alloc(3);
	if (s == NULL || u == NULL || step == NULL)
		goto done;

	ctx.x = x;
	ctx.n = n;
	f.f = nll;
	f.n = 3;
	f.params = &ctx;
	/* Start at alpha = 0.05, beta = 0.90, unconditional variance 1. */
	gsl_vector_set(u, 0, log(0.05));
	gsl_vector_set(u, 1, log(0.95 / 0.05));
	gsl_vector_set(u, 2, log((0.05 / 0.95) / (0.90 / 0.95)));
	gsl_vector_set_all(step, 0.5);
	status = simplex_run(s, &f, u, step, &opt, &fit.iterations, &flat);
	if (status == GSL_SUCCESS) {
		gsl_vector_set_all(step, 0.1);
		status = simplex_run(s, &f, u, step, &opt, &fit.iterations,
		    &flat);
		fit.flat = flat;
	}
	fit.gsl_status = status;

	from_free(u, &fit.p);
	fit.p.omega *= var;   /* back to the scale of r */
	if (params_ok(&fit.p) && fit.p.alpha + fit.p.beta < 1.0) {
		double *e = x;

		for (size_t t = 0; t < n; t++)
			e[t] = r[t] - mean;
		if (ms_garch_loglik(e, n, &fit.p, var, &fit.loglik,
		    &fit.sigma2_next) != MS_OK) {
			fit.loglik = NAN;
			fit.sigma2_next = NAN;
		}
	}
	fit.converged = status == GSL_SUCCESS && isfinite(fit.loglik) &&
	    isfinite(fit.sigma2_next) && fit.sigma2_next > 0;
	*out = fit;
	rc = MS_OK;
done:
	gsl_multimin_fminimizer_free(s);
	gsl_vector_free(u);
	gsl_vector_free(step);
	free(x);
	return rc;
}

double
ms_garch_horizon_var(const struct ms_garch_params *p, double sigma2_next,
    int horizon)
{
	double v = sigma2_next, sum = 0, phi;

	if (p == NULL || horizon < 1 || horizon > MS_GARCH_MAX_HORIZON ||
	    !params_ok(p) || !isfinite(sigma2_next) || sigma2_next < 0)
		return NAN;
	/* A loop, not the geometric-series closed form: exact for any
	 * persistence, including alpha + beta close to 1. */
	phi = p->alpha + p->beta;
	for (int k = 0; k < horizon; k++) {
		sum += v;
		v = p->omega + phi * v;
	}
	return isfinite(sum) ? sum : NAN;
}

int
ms_garch_simulate(const struct ms_garch_params *p, double sigma2_1,
    unsigned long seed, size_t n, double *out)
{
	gsl_rng *rng;
	double s2 = sigma2_1;

	ms_forecast_init();
	if (p == NULL || out == NULL)
		return MS_ERR_INVALID;
	if (n > MS_GARCH_MAX_OBS)
		return MS_ERR_TOOBIG;
	if (!params_ok(p) || !isfinite(sigma2_1) || sigma2_1 <= 0)
		return MS_ERR_RANGE;
	if ((rng = gsl_rng_alloc(gsl_rng_mt19937)) == NULL)
		return MS_ERR_NOMEM;
	gsl_rng_set(rng, seed);
	for (size_t t = 0; t < n; t++) {
		double e = sqrt(s2) * gsl_ran_gaussian_ziggurat(rng, 1.0);

		out[t] = e;
		s2 = p->omega + p->alpha * e * e + p->beta * s2;
	}
	gsl_rng_free(rng);
	return MS_OK;
}

int
ms_garch_paths(const struct ms_garch_params *p, double drift,
    double sigma2_next, int horizon, size_t npaths, unsigned long seed,
    double barrier, const int *marks, size_t nmarks, double *final,
    size_t *touched, size_t *above)
{
	gsl_rng *rng;
	int up = barrier > 0, down = barrier < 0;

	ms_forecast_init();
	if (p == NULL || (nmarks > 0 && marks == NULL))
		return MS_ERR_INVALID;
	if (horizon < 1 || horizon > MS_GARCH_MAX_HORIZON || npaths < 1 ||
	    npaths > MS_GARCH_MAX_PATHS || nmarks > MS_GARCH_MAX_MARKS)
		return MS_ERR_RANGE;
	if (!params_ok(p) || !isfinite(drift) || !isfinite(sigma2_next) ||
	    sigma2_next < 0 || !isfinite(barrier))
		return MS_ERR_RANGE;
	for (size_t k = 0; k < nmarks; k++)
		if (marks[k] < 1 || marks[k] > horizon ||
		    (k > 0 && marks[k] <= marks[k - 1]))
			return MS_ERR_RANGE;
	if ((rng = gsl_rng_alloc(gsl_rng_mt19937)) == NULL)
		return MS_ERR_NOMEM;
	gsl_rng_set(rng, seed);
	for (size_t k = 0; k < nmarks; k++) {
		if (touched != NULL)
			touched[k] = 0;
		if (above != NULL)
			above[k] = 0;
	}

	/*
	 * Paths advance in blocks of PATH_BLOCK, in lockstep: the variance
	 * recursion is a chain of dependent operations (sqrt, multiply, add)
	 * whose latency dominates one path at a time, and independent paths
	 * side by side hide it (about 1.6x faster). The draw order (day by
	 * day, path by path within a block) is fixed, so results stay
	 * identical for identical inputs.
	 */
	for (size_t i0 = 0; i0 < npaths; i0 += PATH_BLOCK) {
		double xt[PATH_BLOCK], s2[PATH_BLOCK];
		int hit[PATH_BLOCK];
		size_t nb = npaths - i0 < PATH_BLOCK ? npaths - i0 : PATH_BLOCK;
		size_t k = 0;

		for (size_t j = 0; j < nb; j++) {
			xt[j] = 0;
			s2[j] = sigma2_next;
			hit[j] = !up && !down;
		}
		for (int t = 1; t <= horizon; t++) {
			for (size_t j = 0; j < nb; j++) {
				double e = sqrt(s2[j]) *
				    gsl_ran_gaussian_ziggurat(rng, 1.0);

				xt[j] += drift + e;
				s2[j] = p->omega + p->alpha * e * e +
				    p->beta * s2[j];
				if ((up && xt[j] >= barrier) ||
				    (down && xt[j] <= barrier))
					hit[j] = 1;
			}
			if (k < nmarks && t == marks[k]) {
				for (size_t j = 0; j < nb; j++) {
					if (touched != NULL && hit[j])
						touched[k]++;
					if (above != NULL && xt[j] >= barrier)
						above[k]++;
				}
				k++;
			}
		}
		if (final != NULL)
			for (size_t j = 0; j < nb; j++)
				final[i0 + j] = xt[j];
	}
	gsl_rng_free(rng);
	return MS_OK;
}
