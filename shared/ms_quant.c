/*
 * ms_quant.c — the performance and risk metrics of ms_quant.h (Sharpe,
 * Sortino, volatility, drawdown, CAGR, Calmar, VaR, CVaR, tail ratio,
 * skew, kurtosis, beta, alpha) over caller-owned arrays of periodic simple
 * returns, with empyrical's definitions.
 *
 * Nothing here allocates or keeps state besides the once-only switch that
 * turns GSL's aborting error handler off: quantiles sort a copy of the
 * known returns in the caller's workspace (gsl_sort) and interpolate as
 * numpy.percentile does (gsl_stats_quantile_from_sorted_data). Means and
 * central moments are two-pass sums in index order, so results are
 * deterministic for identical input. The definitions, their sources and
 * where we differ from empyrical are in docs/models/quant.md.
 */
#include <math.h>
#include <pthread.h>
#include <stddef.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "ms_error.h"
#include "ms_quant.h"

static pthread_once_t gsl_once = PTHREAD_ONCE_INIT;

static void
gsl_handler_off(void)
{
	gsl_set_error_handler_off();
}

void
ms_quant_init(void)
{
	(void)pthread_once(&gsl_once, gsl_handler_off);
}

/* The argument checks shared by the scalar functions. */
static int
args_ok(const double *r, size_t n)
{
	return r != NULL && n <= MS_QUANT_MAX_N;
}

static int
ppy_ok(double periods_per_year)
{
	return isfinite(periods_per_year) && periods_per_year > 0 &&
	    periods_per_year <= MS_QUANT_MAX_PERIODS_PER_YEAR;
}

static int
cutoff_ok(double cutoff)
{
	return isfinite(cutoff) && cutoff > 0 && cutoff < 1;
}

size_t
ms_quant_count(const double *r, size_t n)
{
	size_t m = 0;

	if (!args_ok(r, n))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (isfinite(r[i]))
			m++;
	return m;
}

/*
 * Mean and sample standard deviation (ddof = 1) of the known r - shift,
 * two passes. Returns the number of known values; *mean / *sd are NaN when
 * there are too few (0, or 1 for sd).
 */
static size_t
mean_sd(const double *r, size_t n, double shift, double *mean, double *sd)
{
	double s = 0, q = 0, m;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (isfinite(r[i])) {
			s += r[i] - shift;
			k++;
		}
	}
	*mean = *sd = NAN;
	if (k == 0)
		return 0;
	m = s / (double)k;
	*mean = m;
	if (k < 2)
		return k;
	for (size_t i = 0; i < n; i++) {
		if (isfinite(r[i])) {
			double d = (r[i] - shift) - m;

			q += d * d;
		}
	}
	*sd = sqrt(q / (double)(k - 1));
	return k;
}

size_t
ms_quant_mean_sd(const double *r, size_t n, double *mean, double *sd)
{
	if (!args_ok(r, n)) {
		*mean = *sd = NAN;
		return 0;
	}
	return mean_sd(r, n, 0, mean, sd);
}

double
ms_quant_mean(const double *r, size_t n)
{
	double m, sd;

	if (!args_ok(r, n))
		return NAN;
	(void)mean_sd(r, n, 0, &m, &sd);
	return m;
}

double
ms_quant_annual_volatility(const double *r, size_t n, double periods_per_year)
{
	double m, sd;

	if (!args_ok(r, n) || !ppy_ok(periods_per_year))
		return NAN;
	if (mean_sd(r, n, 0, &m, &sd) < 2)
		return NAN;
	return sd * sqrt(periods_per_year);
}

double
ms_quant_sharpe(const double *r, size_t n, double risk_free,
    double periods_per_year)
{
	double m, sd;

	if (!args_ok(r, n) || !ppy_ok(periods_per_year) || !isfinite(risk_free))
		return NAN;
	if (mean_sd(r, n, risk_free, &m, &sd) < 2 || !(sd > 0))
		return NAN;
	return m / sd * sqrt(periods_per_year);
}

/* sqrt(mean(min(r - t, 0)^2)) over the known returns, not annualised. */
static double
downside_dev(const double *r, size_t n, double target)
{
	double q = 0;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (isfinite(r[i])) {
			double d = r[i] - target;

			if (d < 0)
				q += d * d;
			k++;
		}
	}
	return k == 0 ? NAN : sqrt(q / (double)k);
}

double
ms_quant_downside_risk(const double *r, size_t n, double required_return,
    double periods_per_year)
{
	if (!args_ok(r, n) || !ppy_ok(periods_per_year) ||
	    !isfinite(required_return))
		return NAN;
	return downside_dev(r, n, required_return) * sqrt(periods_per_year);
}

double
ms_quant_sortino(const double *r, size_t n, double required_return,
    double periods_per_year)
{
	double m, sd, dd;

	if (!args_ok(r, n) || !ppy_ok(periods_per_year) ||
	    !isfinite(required_return))
		return NAN;
	if (mean_sd(r, n, required_return, &m, &sd) < 2)
		return NAN;
	dd = downside_dev(r, n, required_return);
	if (!(dd > 0))
		return NAN;
	return m / dd * sqrt(periods_per_year);
}

/* prod(1 + r_i), or NaN when the path rule fails (unknown or r < -1). */
static double
growth(const double *r, size_t n)
{
	double w = 1.0;

	for (size_t i = 0; i < n; i++) {
		if (!isfinite(r[i]) || r[i] < -1.0)
			return NAN;
		w *= 1.0 + r[i];
	}
	return w;
}

double
ms_quant_total_return(const double *r, size_t n)
{
	if (!args_ok(r, n) || n == 0)
		return NAN;
	return growth(r, n) - 1.0;
}

double
ms_quant_cagr(const double *r, size_t n, double periods_per_year)
{
	double years;

	if (!args_ok(r, n) || n == 0 || !ppy_ok(periods_per_year))
		return NAN;
	years = (double)n / periods_per_year;
	return pow(growth(r, n), 1.0 / years) - 1.0;
}

int
ms_quant_max_drawdown(const double *r, size_t n,
    struct ms_quant_drawdown *out)
{
	struct ms_quant_drawdown d = { 0, 0, 0, 0, 1, 0 };
	double w = 1.0, high = 1.0;
	size_t high_at = 0;

	if (r == NULL || out == NULL)
		return MS_ERR_INVALID;
	if (n > MS_QUANT_MAX_N)
		return MS_ERR_TOOBIG;
	if (n == 0 || isnan(growth(r, n))) {
		d.depth = NAN;
		d.recovered = 0;
		*out = d;
		return MS_OK;
	}
	for (size_t j = 1; j <= n; j++) {
		w *= 1.0 + r[j - 1];
		if (w >= high) {
			/* At or above the high-water mark: the first time after
			 * the deepest trough is its recovery. */
			if (d.depth < 0 && !d.recovered) {
				d.recovery = j;
				d.recovered = 1;
			}
			high = w;
			high_at = j;
		} else {
			double dd = w / high - 1.0;

			if (dd < d.depth) {
				d.depth = dd;
				d.trough = j;
				d.peak = high_at;
				d.recovered = 0;
				d.recovery = 0;
			}
		}
	}
	if (d.depth < 0)
		d.duration = d.recovered ? d.recovery - d.peak : n - d.peak;
	*out = d;
	return MS_OK;
}

double
ms_quant_calmar(const double *r, size_t n, double periods_per_year)
{
	struct ms_quant_drawdown d;
	double c;

	if (!args_ok(r, n) || !ppy_ok(periods_per_year))
		return NAN;
	if (ms_quant_max_drawdown(r, n, &d) != MS_OK || !(d.depth < 0))
		return NAN;
	c = ms_quant_cagr(r, n, periods_per_year) / fabs(d.depth);
	return isfinite(c) ? c : NAN;
}

/* Copies the known returns into work and sorts them; returns their number. */
static size_t
sorted_known(const double *r, size_t n, double *work)
{
	size_t m = 0;

	ms_quant_init();
	for (size_t i = 0; i < n; i++)
		if (isfinite(r[i]))
			work[m++] = r[i];
	if (m > 1)
		gsl_sort(work, 1, m);
	return m;
}

/* numpy.percentile(s, 100 f) (linear) of sorted s[0..m), m >= 1. */
static double
quantile_sorted(const double *s, size_t m, double f)
{
	return gsl_stats_quantile_from_sorted_data(s, 1, m, f);
}

/* empyrical's CVaR on sorted s[0..m), m >= 1. */
static double
cvar_sorted(const double *s, size_t m, double cutoff)
{
	size_t k = (size_t)floor((double)(m - 1) * cutoff);
	double sum = 0;

	for (size_t i = 0; i <= k; i++)
		sum += s[i];
	return sum / (double)(k + 1);
}

static double
tail_ratio_sorted(const double *s, size_t m)
{
	double lo = fabs(quantile_sorted(s, m, 0.05));

	if (!(lo > 0))
		return NAN;
	return fabs(quantile_sorted(s, m, 0.95)) / lo;
}

double
ms_quant_var(const double *r, size_t n, double cutoff, double *work)
{
	size_t m;

	if (!args_ok(r, n) || work == NULL || !cutoff_ok(cutoff))
		return NAN;
	m = sorted_known(r, n, work);
	return m == 0 ? NAN : quantile_sorted(work, m, cutoff);
}

double
ms_quant_cvar(const double *r, size_t n, double cutoff, double *work)
{
	size_t m;

	if (!args_ok(r, n) || work == NULL || !cutoff_ok(cutoff))
		return NAN;
	m = sorted_known(r, n, work);
	return m == 0 ? NAN : cvar_sorted(work, m, cutoff);
}

double
ms_quant_tail_ratio(const double *r, size_t n, double *work)
{
	size_t m;

	if (!args_ok(r, n) || work == NULL)
		return NAN;
	m = sorted_known(r, n, work);
	return m == 0 ? NAN : tail_ratio_sorted(work, m);
}

/* Central moments m2, m3, m4 (population) of the known returns; count. */
static size_t
moments(const double *r, size_t n, double *m2, double *m3, double *m4)
{
	double mean, sd, s2 = 0, s3 = 0, s4 = 0;
	size_t k = mean_sd(r, n, 0, &mean, &sd);

	if (k == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (isfinite(r[i])) {
			double d = r[i] - mean, d2 = d * d;

			s2 += d2;
			s3 += d2 * d;
			s4 += d2 * d2;
		}
	}
	*m2 = s2 / (double)k;
	*m3 = s3 / (double)k;
	*m4 = s4 / (double)k;
	return k;
}

double
ms_quant_skew(const double *r, size_t n)
{
	double m2, m3, m4;

	if (!args_ok(r, n) || moments(r, n, &m2, &m3, &m4) == 0 || !(m2 > 0))
		return NAN;
	return m3 / pow(m2, 1.5);
}

double
ms_quant_kurtosis(const double *r, size_t n)
{
	double m2, m3, m4;

	if (!args_ok(r, n) || moments(r, n, &m2, &m3, &m4) == 0 || !(m2 > 0))
		return NAN;
	return m4 / (m2 * m2) - 3.0;
}

int
ms_quant_alpha_beta(const double *r, const double *bench, size_t n,
    double risk_free, double periods_per_year, double *alpha, double *beta,
    size_t *npairs)
{
	double sb = 0, mb, cov = 0, var = 0, b, a = 0;
	size_t k = 0;

	if (r == NULL || bench == NULL || alpha == NULL || beta == NULL)
		return MS_ERR_INVALID;
	if (n > MS_QUANT_MAX_N)
		return MS_ERR_TOOBIG;
	if (!ppy_ok(periods_per_year) || !isfinite(risk_free))
		return MS_ERR_RANGE;
	for (size_t i = 0; i < n; i++) {
		if (isfinite(r[i]) && isfinite(bench[i])) {
			sb += bench[i];
			k++;
		}
	}
	if (npairs != NULL)
		*npairs = k;
	*alpha = *beta = NAN;
	if (k < 2)
		return MS_OK;
	mb = sb / (double)k;
	/* cov = mean((b - mean b) r): centring one side suffices, as in
	 * empyrical's beta_aligned. */
	for (size_t i = 0; i < n; i++) {
		if (isfinite(r[i]) && isfinite(bench[i])) {
			double d = bench[i] - mb;

			cov += d * r[i];
			var += d * d;
		}
	}
	cov /= (double)k;
	var /= (double)k;
	if (!(var >= 1.0e-30))
		return MS_OK;
	b = cov / var;
	for (size_t i = 0; i < n; i++)
		if (isfinite(r[i]) && isfinite(bench[i]))
			a += (r[i] - risk_free) - b * (bench[i] - risk_free);
	a /= (double)k;
	*beta = b;
	*alpha = pow(1.0 + a, periods_per_year) - 1.0;
	return MS_OK;
}

void
ms_quant_params_default(struct ms_quant_params *p)
{
	if (p == NULL)
		return;
	p->periods_per_year = MS_QUANT_PERIODS_PER_YEAR;
	p->risk_free = 0;
	p->required_return = 0;
	p->cutoff = MS_QUANT_CUTOFF;
}

int
ms_quant_summary(const double *r, const double *bench, size_t n,
    const struct ms_quant_params *p, double *work,
    struct ms_quant_summary *out)
{
	struct ms_quant_params def;
	struct ms_quant_summary s;
	double ppy, sd;
	size_t m;
	int rc;

	if (r == NULL || work == NULL || out == NULL)
		return MS_ERR_INVALID;
	if (n > MS_QUANT_MAX_N)
		return MS_ERR_TOOBIG;
	if (p == NULL) {
		ms_quant_params_default(&def);
		p = &def;
	}
	if (!ppy_ok(p->periods_per_year) || !isfinite(p->risk_free) ||
	    fabs(p->risk_free) >= 1 || !isfinite(p->required_return) ||
	    fabs(p->required_return) >= 1 || !cutoff_ok(p->cutoff))
		return MS_ERR_RANGE;
	ppy = p->periods_per_year;

	s.n = n;
	s.nobs = mean_sd(r, n, 0, &s.mean, &sd);
	s.total_return = ms_quant_total_return(r, n);
	s.cagr = ms_quant_cagr(r, n, ppy);
	s.annual_volatility = ms_quant_annual_volatility(r, n, ppy);
	s.sharpe = ms_quant_sharpe(r, n, p->risk_free, ppy);
	s.sortino = ms_quant_sortino(r, n, p->required_return, ppy);
	s.downside_risk = ms_quant_downside_risk(r, n, p->required_return, ppy);
	rc = ms_quant_max_drawdown(r, n, &s.max_drawdown);
	if (rc != MS_OK)
		return rc;
	s.calmar = ms_quant_calmar(r, n, ppy);
	m = sorted_known(r, n, work);
	if (m == 0) {
		s.var = s.cvar = s.tail_ratio = NAN;
	} else {
		s.var = quantile_sorted(work, m, p->cutoff);
		s.cvar = cvar_sorted(work, m, p->cutoff);
		s.tail_ratio = tail_ratio_sorted(work, m);
	}
	s.skew = ms_quant_skew(r, n);
	s.kurtosis = ms_quant_kurtosis(r, n);
	s.npairs = 0;
	s.alpha = s.beta = NAN;
	if (bench != NULL) {
		rc = ms_quant_alpha_beta(r, bench, n, p->risk_free, ppy,
		    &s.alpha, &s.beta, &s.npairs);
		if (rc != MS_OK)
			return rc;
	}
	*out = s;
	return MS_OK;
}
