/*
 * ms_quant.h — performance and risk metrics of a series of periodic simple
 * returns, with the definitions of empyrical (Quantopian, 0.5.5 /
 * empyrical-reloaded) and quantstats: Sharpe, Sortino, downside risk,
 * annual volatility, max drawdown (depth, peak/trough/recovery, duration),
 * total return, CAGR, Calmar, historical VaR and CVaR, tail ratio, skew,
 * excess kurtosis, beta and alpha against a benchmark.
 *
 * Pure functions over caller-owned arrays: no store access, no I/O, no
 * allocation. Functions that need sorted data take a caller-owned
 * workspace `work` of at least n doubles (its contents are overwritten).
 * periods_per_year is the data's own number of bars per year: 365 for
 * daily crypto (MS_QUANT_PERIODS_PER_YEAR), 252 to compare with equity
 * tools. risk_free and required_return are per period, not annual.
 *
 * Unknown returns (NaN or infinite):
 *   - distribution statistics (Sharpe, Sortino, downside risk, volatility,
 *     VaR, CVaR, tail ratio, skew, kurtosis) skip them, as empyrical's
 *     nan-aware functions do: the sample is the known returns;
 *   - path statistics (total return, max drawdown, CAGR, Calmar) need the
 *     whole path: one unknown return, or one below -1 (a loss of more than
 *     everything), makes the result NaN rather than compounding a guess;
 *   - beta and alpha use the pairs where both returns are known.
 * The scalar functions return NaN when the metric is undefined (too few
 * observations, zero dispersion, see each) or an argument is invalid
 * (NULL, n > MS_QUANT_MAX_N, periods_per_year not in
 * (0, MS_QUANT_MAX_PERIODS_PER_YEAR], cutoff not in (0, 1)); the
 * int-returning ones say which with an ms_error code.
 *
 * Formulas, sources and differences from empyrical are listed per metric
 * in docs/models/quant.md. Tests: tests/check_quant.c against
 * tests/quant/reference.py and the golden values.
 */
#ifndef MS_QUANT_H
#define MS_QUANT_H

#include <stddef.h>

#define MS_QUANT_MAX_N 1000000
#define MS_QUANT_MAX_PERIODS_PER_YEAR 1000000.0
#define MS_QUANT_PERIODS_PER_YEAR 365.0     /* daily crypto */
#define MS_QUANT_CUTOFF 0.05                /* VaR / CVaR tail probability */

/*
 * Turns GSL's aborting error handler off, once per process (thread-safe).
 * Every function here that calls GSL calls it first; callers that use GSL
 * themselves may call it too. Safe to call any number of times.
 */
void ms_quant_init(void);

/* Number of known (finite) values in r[0..n); 0 for NULL. */
size_t ms_quant_count(const double *r, size_t n);

/* Mean of the known returns; NaN when there are none. */
double ms_quant_mean(const double *r, size_t n);

/*
 * Mean and sample standard deviation (ddof = 1) of the known returns, two
 * passes; returns how many are known. *mean is NaN with none, *sd with
 * fewer than 2.
 */
size_t ms_quant_mean_sd(const double *r, size_t n, double *mean, double *sd);

/*
 * Annual volatility: sd(r, ddof = 1) * sqrt(periods_per_year) over the
 * known returns; NaN with fewer than 2 (empyrical annual_volatility).
 */
double ms_quant_annual_volatility(const double *r, size_t n,
    double periods_per_year);

/*
 * Sharpe ratio: mean(r - rf) / sd(r - rf, ddof = 1) * sqrt(periods_per_year)
 * over the known returns (empyrical sharpe_ratio). NaN with fewer than 2
 * known returns or zero standard deviation (empyrical gives inf/NaN).
 */
double ms_quant_sharpe(const double *r, size_t n, double risk_free,
    double periods_per_year);

/*
 * Annualised downside risk (empyrical downside_risk): with
 * d_i = min(r_i - required_return, 0) over ALL known returns (not only
 * the negative ones), sqrt(mean(d^2)) * sqrt(periods_per_year).
 * NaN with no known return.
 */
double ms_quant_downside_risk(const double *r, size_t n,
    double required_return, double periods_per_year);

/*
 * Sortino ratio (empyrical sortino_ratio): mean(r - required_return) *
 * periods_per_year / ms_quant_downside_risk, i.e.
 * mean(r - t) / sqrt(mean(min(r - t, 0)^2)) * sqrt(periods_per_year).
 * NaN with fewer than 2 known returns or zero downside risk (empyrical
 * gives +inf there; JSON has no infinity and "undefined" is the honest
 * answer).
 */
double ms_quant_sortino(const double *r, size_t n, double required_return,
    double periods_per_year);

/* Compounded total return prod(1 + r_i) - 1; path rule (NaN on an unknown). */
double ms_quant_total_return(const double *r, size_t n);

/*
 * CAGR (empyrical annual_return / cagr): (prod(1 + r_i))^(1 / years) - 1
 * with years = n / periods_per_year. Path rule; NaN for n = 0.
 */
double ms_quant_cagr(const double *r, size_t n, double periods_per_year);

/*
 * Maximum drawdown of the wealth path W_0 = 1, W_j = prod_{i<j}(1 + r_i),
 * j = 0..n (W_j is the value after return r[j-1]; with returns built from
 * prices p[0..n] as p[j+1]/p[j] - 1, W_j is proportional to p[j], so
 * wealth indexes are price indexes). As empyrical max_drawdown, the
 * starting point counts: a first return of -10% is a 10% drawdown.
 */
struct ms_quant_drawdown {
	double depth;      /* min_j W_j / max_{k<=j} W_k - 1, in [-1, 0]; NaN if unknown */
	size_t peak;       /* last wealth index at the high-water mark before the trough */
	size_t trough;     /* first wealth index where depth is reached */
	size_t recovery;   /* first index after the trough back at the peak's
	                      value; meaningful only when recovered = 1 */
	int recovered;     /* 1: recovered (or no drawdown at all), 0: not by W_n */
	size_t duration;   /* periods from peak to recovery, or to n when not
	                      recovered (an ongoing drawdown); 0 when depth = 0 */
};

/*
 * Fills *out with the maximum drawdown of r[0..n). Returns MS_ERR_INVALID
 * for NULL pointers, MS_ERR_TOOBIG for n > MS_QUANT_MAX_N; otherwise MS_OK
 * with out written: depth NaN (and indexes 0) when n = 0 or the path rule
 * fails; depth 0, peak = trough = recovery = 0, recovered = 1, duration 0
 * when the wealth never falls below a previous high.
 */
int ms_quant_max_drawdown(const double *r, size_t n,
    struct ms_quant_drawdown *out);

/*
 * Calmar ratio (empyrical calmar_ratio): CAGR / |max drawdown depth|;
 * NaN when there is no drawdown (depth = 0), an infinite result, or by the
 * path rule.
 */
double ms_quant_calmar(const double *r, size_t n, double periods_per_year);

/*
 * Historical value at risk (empyrical value_at_risk): the cutoff quantile
 * of the known returns with linear interpolation between order statistics
 * (numpy.percentile's default): with sorted s[0..m), h = (m - 1) * cutoff,
 * VaR = s[floor h] + (h - floor h) (s[floor h + 1] - s[floor h]).
 * A return, so usually negative (-0.05 = a 5% loss). cutoff in (0, 1),
 * default 0.05. NaN with no known return. work: n doubles.
 */
double ms_quant_var(const double *r, size_t n, double cutoff, double *work);

/*
 * Historical conditional VaR / expected shortfall (empyrical
 * conditional_value_at_risk): the mean of the floor((m - 1) * cutoff) + 1
 * smallest known returns. empyrical counts NaN in m; we drop them first.
 * NaN with no known return. work: n doubles.
 */
double ms_quant_cvar(const double *r, size_t n, double cutoff, double *work);

/*
 * Tail ratio (empyrical tail_ratio): |q95| / |q5| of the known returns,
 * quantiles as ms_quant_var. NaN with no known return or q5 = 0.
 * work: n doubles.
 */
double ms_quant_tail_ratio(const double *r, size_t n, double *work);

/*
 * Skewness, the biased (population-moment) estimator of scipy.stats.skew's
 * default: g1 = m3 / m2^1.5, m_k = mean((r - mean)^k) over the known
 * returns. NaN when m2 = 0 or there is no known return. (pandas and
 * quantstats use the adjusted G1 = g1 sqrt(m(m-1)) / (m-2) instead.)
 */
double ms_quant_skew(const double *r, size_t n);

/*
 * Excess kurtosis, the biased estimator of scipy.stats.kurtosis's default
 * (fisher=True, bias=True): g2 = m4 / m2^2 - 3. NaN when m2 = 0 or no
 * known return. (pandas/quantstats use the adjusted G2.)
 */
double ms_quant_kurtosis(const double *r, size_t n);

/*
 * Beta and annualised alpha of r against the benchmark b, aligned by index
 * (r[i] and b[i] are the same period), by OLS over the pairs where both
 * are known (empyrical alpha_beta_aligned):
 *     beta  = cov(r, b) / var(b)     (population moments of the pairs)
 *     a     = mean((r - rf) - beta (b - rf))            (per period)
 *     alpha = (1 + a)^periods_per_year - 1
 * Writes *alpha, *beta (NaN when fewer than 2 pairs or var(b) < 1e-30, as
 * empyrical) and, when npairs is not NULL, the number of pairs used.
 * Returns MS_ERR_INVALID (NULL), MS_ERR_TOOBIG, MS_ERR_RANGE (bad
 * periods_per_year or risk_free not finite), else MS_OK.
 */
int ms_quant_alpha_beta(const double *r, const double *bench, size_t n,
    double risk_free, double periods_per_year, double *alpha, double *beta,
    size_t *npairs);

/* Parameters of ms_quant_summary; ms_quant_params_default fills the defaults. */
struct ms_quant_params {
	double periods_per_year;  /* default 365 */
	double risk_free;         /* per period, default 0 (Sharpe, alpha) */
	double required_return;   /* per period, default 0 (Sortino target) */
	double cutoff;            /* VaR/CVaR tail probability, default 0.05 */
};

void ms_quant_params_default(struct ms_quant_params *p);

/* Every metric at once, as the /v1/quantmetrics route reports them. */
struct ms_quant_summary {
	size_t n;                  /* returns passed */
	size_t nobs;               /* known returns (distribution statistics) */
	double mean;               /* per period */
	double total_return;
	double cagr;
	double annual_volatility;
	double sharpe;
	double sortino;
	double downside_risk;      /* annualised */
	struct ms_quant_drawdown max_drawdown;
	double calmar;
	double var;                /* at cutoff */
	double cvar;
	double tail_ratio;
	double skew;
	double kurtosis;           /* excess */
	size_t npairs;             /* benchmark pairs used; 0 without benchmark */
	double beta;               /* NaN without benchmark */
	double alpha;              /* annualised; NaN without benchmark */
};

/*
 * Fills *out with every metric of r[0..n) (and of beta/alpha against
 * bench[0..n), which may be NULL). p may be NULL for the defaults; work
 * holds n doubles. Returns MS_ERR_INVALID (NULL r, work or out),
 * MS_ERR_TOOBIG (n > MS_QUANT_MAX_N), MS_ERR_RANGE (a parameter outside
 * its range: periods_per_year in (0, 1e6], |risk_free| and
 * |required_return| < 1, cutoff in (0, 1)), else MS_OK with *out written
 * (undefined metrics NaN, as the functions above).
 */
int ms_quant_summary(const double *r, const double *bench, size_t n,
    const struct ms_quant_params *p, double *work,
    struct ms_quant_summary *out);

#endif
