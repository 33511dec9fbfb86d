/*
 * ms_bt_stats.c — trade statistics of backtest picks (see ms_bt.h): win
 * rate, mean and median net return, the shares reaching 2x/10x/100x and
 * the share that died, with seeded bootstrap percentile intervals drawn
 * with GSL's random number generator; and the t-statistics of a mean and
 * of an OLS fit on a benchmark (gsl_fit_linear).
 *
 * The bootstrap resamples indexes into the sorted known returns: each
 * resample counts how often each order statistic was drawn, so its mean,
 * median and win rate come from one O(n) walk instead of a sort.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "ms_bt.h"
#include "ms_error.h"
#include "ms_quant.h"

static int
cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

/*
 * The median of a multiset given by counts over sorted values s[0..m)
 * totalling n draws: the middle order statistic, or the mean of the two
 * middle ones when n is even.
 */
static double
median_of_counts(const double *s, const unsigned *cnt, size_t m, size_t n)
{
	size_t lo = (n - 1) / 2, hi = n / 2, seen = 0;
	double vlo = NAN;

	for (size_t i = 0; i < m; i++) {
		if (cnt[i] == 0)
			continue;
		size_t next = seen + cnt[i];
		if (isnan(vlo) && lo < next)
			vlo = s[i];
		if (hi < next)
			return (vlo + s[i]) / 2;
		seen = next;
	}
	return vlo;
}

/* The 2.5 and 97.5 percentiles of v[0..n) (sorted in place). */
static struct ms_bt_ci
percentile_ci(double *v, size_t n)
{
	struct ms_bt_ci ci = { NAN, NAN };

	if (n == 0)
		return ci;
	gsl_sort(v, 1, n);
	ci.lo = gsl_stats_quantile_from_sorted_data(v, 1, n, 0.025);
	ci.hi = gsl_stats_quantile_from_sorted_data(v, 1, n, 0.975);
	return ci;
}

int
ms_bt_pick_stats(const double *ret, const double *max_gain, const int *died,
    size_t n, uint64_t seed, size_t nboot, struct ms_bt_pick_stats *out)
{
	struct ms_bt_pick_stats s;
	double *sorted = NULL, *bmean = NULL, *bmed = NULL, *bwin = NULL;
	unsigned *cnt = NULL;
	gsl_rng *rng = NULL;
	size_t m = 0, firstwin;
	double sum = 0;
	int rc = 0;

	if (n > MS_QUANT_MAX_N || nboot > MS_BT_MAX_BOOTSTRAP)
		return MS_ERR_RANGE;
	ms_quant_init();
	memset(&s, 0, sizeof(s));
	s.win_rate = s.mean = s.median = s.mean_t = NAN;
	s.mean_ci.lo = s.mean_ci.hi = s.median_ci.lo = s.median_ci.hi = NAN;
	s.win_rate_ci.lo = s.win_rate_ci.hi = NAN;
	s.share_2x = s.share_10x = s.share_100x = s.share_died = NAN;
	s.bootstrap = nboot;
	s.seed = seed;
	if ((sorted = malloc((n ? n : 1) * sizeof(*sorted))) == NULL)
		return MS_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(ret[i]))
			continue;
		sorted[m++] = ret[i];
		sum += ret[i];
		s.wins += ret[i] > 0;
		s.n2x += max_gain[i] >= 1;
		s.n10x += max_gain[i] >= 9;
		s.n100x += max_gain[i] >= 99;
		s.died += died[i] != 0;
	}
	s.count = m;
	if (m > 0) {
		qsort(sorted, m, sizeof(*sorted), cmp_double);
		s.mean = sum / (double)m;
		s.median = gsl_stats_median_from_sorted_data(sorted, 1, m);
		s.win_rate = (double)s.wins / (double)m;
		s.share_2x = (double)s.n2x / (double)m;
		s.share_10x = (double)s.n10x / (double)m;
		s.share_100x = (double)s.n100x / (double)m;
		s.share_died = (double)s.died / (double)m;
		s.mean_t = ms_bt_mean_t(sorted, m);
	}
	if (m == 0 || nboot == 0)
		goto done;
	/* Index of the first win in sorted order: wins are a suffix. */
	for (firstwin = 0; firstwin < m && !(sorted[firstwin] > 0); firstwin++)
		;
	cnt = malloc(m * sizeof(*cnt));
	bmean = malloc(nboot * sizeof(*bmean));
	bmed = malloc(nboot * sizeof(*bmed));
	bwin = malloc(nboot * sizeof(*bwin));
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (cnt == NULL || bmean == NULL || bmed == NULL || bwin == NULL ||
	    rng == NULL) {
		rc = MS_ERR_NOMEM;
		goto done;
	}
	/* mt19937 takes an unsigned long seed; 0 means its default 4357. */
	gsl_rng_set(rng, (unsigned long)seed);
	for (size_t b = 0; b < nboot; b++) {
		double bs = 0;
		size_t w = 0;

		memset(cnt, 0, m * sizeof(*cnt));
		for (size_t k = 0; k < m; k++)
			cnt[gsl_rng_uniform_int(rng, (unsigned long)m)]++;
		for (size_t i = 0; i < m; i++) {
			bs += cnt[i] * sorted[i];
			if (i >= firstwin)
				w += cnt[i];
		}
		bmean[b] = bs / (double)m;
		bmed[b] = median_of_counts(sorted, cnt, m, m);
		bwin[b] = (double)w / (double)m;
	}
	s.mean_ci = percentile_ci(bmean, nboot);
	s.median_ci = percentile_ci(bmed, nboot);
	s.win_rate_ci = percentile_ci(bwin, nboot);
done:
	gsl_rng_free(rng);
	free(cnt);
	free(bmean);
	free(bmed);
	free(bwin);
	free(sorted);
	if (rc == 0)
		*out = s;
	return rc;
}

double
ms_bt_mean_t(const double *r, size_t n)
{
	double mean, sd;
	size_t m = ms_quant_mean_sd(r, n, &mean, &sd);

	return m >= 2 && sd > 0 ? mean / (sd / sqrt((double)m)) : NAN;
}

int
ms_bt_ols_t(const double *r, const double *bench, size_t n, double *alpha_t,
    double *beta_t)
{
	double *x, *y, c0, c1, cov00, cov01, cov11, sumsq;
	size_t m = 0;

	*alpha_t = *beta_t = NAN;
	if (n > MS_QUANT_MAX_N)
		return MS_ERR_RANGE;
	ms_quant_init();
	if ((x = malloc((n ? n : 1) * 2 * sizeof(*x))) == NULL)
		return MS_ERR_NOMEM;
	y = x + (n ? n : 1);
	for (size_t i = 0; i < n; i++) {
		if (isfinite(r[i]) && isfinite(bench[i])) {
			x[m] = bench[i];
			y[m] = r[i];
			m++;
		}
	}
	/* Two pairs fit exactly: no residual, no standard error. */
	if (m >= 3 && gsl_fit_linear(x, 1, y, 1, m, &c0, &c1, &cov00, &cov01,
	    &cov11, &sumsq) == GSL_SUCCESS) {
		if (cov00 > 0 && isfinite(cov00))
			*alpha_t = c0 / sqrt(cov00);
		if (cov11 > 0 && isfinite(cov11))
			*beta_t = c1 / sqrt(cov11);
	}
	free(x);
	return 0;
}
