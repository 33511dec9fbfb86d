/*
 * ms_indicators.c — the technical indicators of ms_indicators.h over
 * caller-owned arrays: returns, realized volatility, SMA, EMA, RSI, MACD,
 * Bollinger bands, true range, ATR, ROI and drawdown from the all-time high.
 *
 * Nothing here allocates, touches the store or keeps state between calls:
 * each function is a loop over its input that writes out[i] from inputs at
 * indexes <= i only, so an indicator as of day D is the same whether or
 * not days after D exist (the point-in-time rule of DESIGN.md). Unknown
 * inputs (NaN, infinite, or a price <= 0) give NaN outputs, never 0; the
 * rules for windows and recursive states are in the header and in
 * docs/models/indicators.md, with the formulas and their sources.
 */
#include <math.h>
#include <stddef.h>

#include "ms_error.h"
#include "ms_indicators.h"

/* A price is known when it is finite and positive (sources write 0 for none). */
static int
price_known(double p)
{
	return isfinite(p) && p > 0;
}

/* The checks every function starts with: pointers, then the length cap. */
static int
check_series(const void *in, size_t n, const void *out)
{
	if (in == NULL || out == NULL)
		return MS_ERR_INVALID;
	if (n > MS_IND_MAX_N)
		return MS_ERR_TOOBIG;
	return MS_OK;
}

static int
check_period(size_t period, size_t min)
{
	return period >= min && period <= MS_IND_MAX_PERIOD ? MS_OK :
	    MS_ERR_RANGE;
}

int
ms_ind_simple_returns(const double *price, size_t n, double *out)
{
	int rc = check_series(price, n, out);

	if (rc != MS_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || !price_known(price[i]) ||
		    !price_known(price[i - 1]))
			out[i] = NAN;
		else
			out[i] = price[i] / price[i - 1] - 1.0;
	}
	return MS_OK;
}

int
ms_ind_log_returns(const double *price, size_t n, double *out)
{
	int rc = check_series(price, n, out);

	if (rc != MS_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || !price_known(price[i]) ||
		    !price_known(price[i - 1]))
			out[i] = NAN;
		else
			out[i] = log(price[i] / price[i - 1]);
	}
	return MS_OK;
}

/*
 * Mean and sum of squared deviations of w[0..len), both by two exact
 * passes; returns 0 when some value is unknown (then *mean, *ss unset).
 */
static int
window_moments(const double *w, size_t len, double *mean, double *ss)
{
	double s = 0, m, q = 0;

	for (size_t j = 0; j < len; j++) {
		if (!isfinite(w[j]))
			return 0;
		s += w[j];
	}
	m = s / (double)len;
	for (size_t j = 0; j < len; j++) {
		double d = w[j] - m;

		q += d * d;
	}
	*mean = m;
	*ss = q;
	return 1;
}

int
ms_ind_realized_vol(const double *logret, size_t n, size_t window,
    double periods_per_year, double *daily, double *annual)
{
	double ann;

	if (logret == NULL || (daily == NULL && annual == NULL))
		return MS_ERR_INVALID;
	if (n > MS_IND_MAX_N)
		return MS_ERR_TOOBIG;
	if (check_period(window, 2) != MS_OK || !isfinite(periods_per_year) ||
	    periods_per_year <= 0 ||
	    periods_per_year > MS_IND_MAX_PERIODS_PER_YEAR)
		return MS_ERR_RANGE;
	ann = sqrt(periods_per_year);
	for (size_t i = 0; i < n; i++) {
		double m, ss, sd = NAN;

		if (i + 1 >= window &&
		    window_moments(logret + i + 1 - window, window, &m, &ss))
			sd = sqrt(ss / (double)(window - 1));
		if (daily != NULL)
			daily[i] = sd;
		if (annual != NULL)
			annual[i] = sd * ann;
	}
	return MS_OK;
}

int
ms_ind_sma(const double *x, size_t n, size_t period, double *out)
{
	double sum = 0;
	size_t bad = 0;     /* unknown values inside the current window */
	int rc = check_series(x, n, out);

	if (rc != MS_OK)
		return rc;
	if (check_period(period, 1) != MS_OK)
		return MS_ERR_RANGE;
	for (size_t i = 0; i < n; i++) {
		if (isfinite(x[i]))
			sum += x[i];
		else
			bad++;
		if (i >= period) {
			double old = x[i - period];

			if (isfinite(old))
				sum -= old;
			else
				bad--;
		}
		if (i + 1 < period) {
			out[i] = NAN;
			continue;
		}
		/* Every `period` values, replace the running sum by an exact
		 * one so add/subtract rounding never builds up. */
		if ((i + 1) % period == 0) {
			sum = 0;
			for (size_t j = i + 1 - period; j <= i; j++)
				if (isfinite(x[j]))
					sum += x[j];
		}
		out[i] = bad > 0 ? NAN : sum / (double)period;
	}
	return MS_OK;
}

/*
 * The EMA recursion over runs of known values (see ms_ind_ema); x and out
 * must not overlap. Arguments are already checked.
 */
static void
ema_run(const double *x, size_t n, size_t period, double *out)
{
	double alpha = 2.0 / ((double)period + 1.0);
	double sum = 0, ema = 0;
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		if (!isfinite(x[i])) {
			out[i] = NAN;
			run = 0;
			sum = 0;
			continue;
		}
		run++;
		if (run < period) {
			sum += x[i];
			out[i] = NAN;
		} else if (run == period) {
			sum += x[i];
			ema = sum / (double)period;
			out[i] = ema;
		} else {
			ema = alpha * x[i] + (1.0 - alpha) * ema;
			out[i] = ema;
		}
	}
}

int
ms_ind_ema(const double *x, size_t n, size_t period, double *out)
{
	int rc = check_series(x, n, out);

	if (rc != MS_OK)
		return rc;
	if (check_period(period, 1) != MS_OK)
		return MS_ERR_RANGE;
	ema_run(x, n, period, out);
	return MS_OK;
}

static double
rsi_value(double avg_gain, double avg_loss)
{
	if (avg_loss == 0)
		return avg_gain > 0 ? 100.0 : 50.0;
	return 100.0 - 100.0 / (1.0 + avg_gain / avg_loss);
}

int
ms_ind_rsi(const double *x, size_t n, size_t period, double *out)
{
	double sum_gain = 0, sum_loss = 0, avg_gain = 0, avg_loss = 0;
	double p;
	size_t run = 0;     /* consecutive known values ending at i */
	int rc = check_series(x, n, out);

	if (rc != MS_OK)
		return rc;
	if (check_period(period, 1) != MS_OK)
		return MS_ERR_RANGE;
	p = (double)period;
	for (size_t i = 0; i < n; i++) {
		double d, gain, loss;
		size_t changes;

		if (!isfinite(x[i])) {
			out[i] = NAN;
			run = 0;
			continue;
		}
		run++;
		if (run == 1) {
			sum_gain = sum_loss = 0;
			out[i] = NAN;
			continue;
		}
		d = x[i] - x[i - 1];
		gain = d > 0 ? d : 0;
		loss = d < 0 ? -d : 0;
		changes = run - 1;
		if (changes < period) {
			sum_gain += gain;
			sum_loss += loss;
			out[i] = NAN;
			continue;
		}
		if (changes == period) {
			avg_gain = (sum_gain + gain) / p;
			avg_loss = (sum_loss + loss) / p;
		} else {
			avg_gain = (avg_gain * (p - 1.0) + gain) / p;
			avg_loss = (avg_loss * (p - 1.0) + loss) / p;
		}
		out[i] = rsi_value(avg_gain, avg_loss);
	}
	return MS_OK;
}

int
ms_ind_macd(const double *x, size_t n, size_t fast, size_t slow,
    size_t signal, double *macd, double *sig, double *hist)
{
	if (x == NULL || macd == NULL || sig == NULL || hist == NULL)
		return MS_ERR_INVALID;
	if (n > MS_IND_MAX_N)
		return MS_ERR_TOOBIG;
	if (check_period(fast, 1) != MS_OK || check_period(slow, 2) != MS_OK ||
	    fast >= slow || check_period(signal, 1) != MS_OK)
		return MS_ERR_RANGE;
	/* hist holds the fast EMA and sig the slow EMA for a moment. */
	ema_run(x, n, fast, hist);
	ema_run(x, n, slow, sig);
	for (size_t i = 0; i < n; i++)
		macd[i] = hist[i] - sig[i];     /* NaN while either is NaN */
	ema_run(macd, n, signal, sig);
	for (size_t i = 0; i < n; i++)
		hist[i] = macd[i] - sig[i];
	return MS_OK;
}

int
ms_ind_bollinger(const double *x, size_t n, size_t period, double k,
    double *upper, double *middle, double *lower)
{
	if (x == NULL || upper == NULL || middle == NULL || lower == NULL)
		return MS_ERR_INVALID;
	if (n > MS_IND_MAX_N)
		return MS_ERR_TOOBIG;
	if (check_period(period, 1) != MS_OK || !isfinite(k) || k < 0)
		return MS_ERR_RANGE;
	for (size_t i = 0; i < n; i++) {
		double m, ss, sd;

		if (i + 1 < period ||
		    !window_moments(x + i + 1 - period, period, &m, &ss)) {
			upper[i] = middle[i] = lower[i] = NAN;
			continue;
		}
		sd = sqrt(ss / (double)period);
		middle[i] = m;
		upper[i] = m + k * sd;
		lower[i] = m - k * sd;
	}
	return MS_OK;
}

/* True range at i >= 1, NaN when an input is unknown or the bar is inconsistent. */
static double
true_range_at(const double *h, const double *l, const double *c, size_t i)
{
	double pc = c[i - 1], a, b, d;

	if (!price_known(h[i]) || !price_known(l[i]) || !price_known(pc) ||
	    h[i] < l[i])
		return NAN;
	a = h[i] - l[i];
	b = fabs(h[i] - pc);
	d = fabs(l[i] - pc);
	if (b > a)
		a = b;
	if (d > a)
		a = d;
	return a;
}

int
ms_ind_true_range(const double *high, const double *low,
    const double *close, size_t n, double *out)
{
	if (high == NULL || low == NULL || close == NULL || out == NULL)
		return MS_ERR_INVALID;
	if (n > MS_IND_MAX_N)
		return MS_ERR_TOOBIG;
	for (size_t i = 0; i < n; i++)
		out[i] = i == 0 ? NAN : true_range_at(high, low, close, i);
	return MS_OK;
}

int
ms_ind_atr(const double *high, const double *low, const double *close,
    size_t n, size_t period, double *out)
{
	double sum = 0, atr = 0, p;
	size_t run = 0;     /* consecutive known true ranges ending at i */

	if (high == NULL || low == NULL || close == NULL || out == NULL)
		return MS_ERR_INVALID;
	if (n > MS_IND_MAX_N)
		return MS_ERR_TOOBIG;
	if (check_period(period, 1) != MS_OK)
		return MS_ERR_RANGE;
	p = (double)period;
	for (size_t i = 0; i < n; i++) {
		double tr = i == 0 ? NAN : true_range_at(high, low, close, i);

		if (isnan(tr)) {
			out[i] = NAN;
			run = 0;
			sum = 0;
			continue;
		}
		run++;
		if (run < period) {
			sum += tr;
			out[i] = NAN;
			continue;
		}
		if (run == period)
			atr = (sum + tr) / p;
		else
			atr = (atr * (p - 1.0) + tr) / p;
		out[i] = atr;
	}
	return MS_OK;
}

int
ms_ind_roi(const double *price, size_t n, size_t k, double *out)
{
	int rc = check_series(price, n, out);

	if (rc != MS_OK)
		return rc;
	if (check_period(k, 1) != MS_OK)
		return MS_ERR_RANGE;
	for (size_t i = 0; i < n; i++) {
		if (i < k || !price_known(price[i]) ||
		    !price_known(price[i - k]))
			out[i] = NAN;
		else
			out[i] = price[i] / price[i - k] - 1.0;
	}
	return MS_OK;
}

int
ms_ind_drawdown(const double *price, size_t n, double *drawdown,
    double *ath)
{
	double high = NAN;
	int rc = check_series(price, n, drawdown);

	if (rc != MS_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (price_known(price[i]) && !(price[i] <= high))
			high = price[i];        /* also the first known price */
		if (ath != NULL)
			ath[i] = high;
		drawdown[i] = price_known(price[i]) ? price[i] / high - 1.0 :
		    NAN;
	}
	return MS_OK;
}
