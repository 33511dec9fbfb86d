/*
 * ms_indicators.h — technical indicators over arrays of daily values:
 * simple and log returns, realized volatility, SMA, EMA, RSI, MACD,
 * Bollinger bands, true range and ATR, ROI over k days, drawdown from the
 * running all-time high.
 *
 * Pure functions: no store access, no I/O, no allocation. Every function
 * reads caller-owned input arrays x[0..n) (oldest first) and writes
 * caller-owned output arrays of the same length n, one value per input
 * index, so out[i] is the indicator as of day i and uses no value after
 * day i. Output arrays must not overlap the inputs or each other.
 *
 * Unknown values. An input that is NaN or infinite is unknown; so is a
 * price that is <= 0 where the input is a price (returns, ROI, drawdown,
 * true range and ATR), because sources write 0 for "no price". An output
 * that cannot be computed is NaN: during the warm-up, when a window holds
 * an unknown value, or when it is undefined (see each function). Windowed
 * indicators (SMA, Bollinger, realized volatility) are NaN while their
 * window holds an unknown value. Recursive indicators (EMA, RSI, MACD,
 * ATR) run over runs of consecutive known inputs: an unknown input ends
 * the run (its output is NaN) and the next known input starts a new run,
 * which warms up again from scratch, so a gap never lets a stale state
 * carry across missing days.
 *
 * Return value: MS_OK, or MS_ERR_INVALID (a NULL pointer),
 * MS_ERR_TOOBIG (n > MS_IND_MAX_N), MS_ERR_RANGE (a period or parameter
 * outside its documented range). On an error nothing is written.
 * n == 0 is valid and writes nothing.
 *
 * Formulas, defaults, warm-ups and sources: docs/models/indicators.md.
 * Tests: tests/check_indicators.c against tests/quant/reference.py and
 * published worked examples.
 */
#ifndef MS_INDICATORS_H
#define MS_INDICATORS_H

#include <stddef.h>

#define MS_IND_MAX_N 1000000            /* longest series, values */
#define MS_IND_MAX_PERIOD 100000        /* longest window or period */
#define MS_IND_MAX_PERIODS_PER_YEAR 1000000.0

/* Defaults (the conventional parameters; callers pass them explicitly). */
#define MS_IND_PERIODS_PER_YEAR 365.0   /* daily crypto: every day trades */
#define MS_IND_VOL_WINDOW 30
#define MS_IND_RSI_PERIOD 14
#define MS_IND_MACD_FAST 12
#define MS_IND_MACD_SLOW 26
#define MS_IND_MACD_SIGNAL 9
#define MS_IND_BB_PERIOD 20
#define MS_IND_BB_K 2.0
#define MS_IND_ATR_PERIOD 14

/*
 * Simple returns out[i] = p[i] / p[i-1] - 1. out[0] is NaN (no previous
 * day); out[i] is NaN when p[i] or p[i-1] is unknown.
 */
int ms_ind_simple_returns(const double *price, size_t n, double *out);

/*
 * Log returns out[i] = ln(p[i] / p[i-1]); NaN as for simple returns.
 */
int ms_ind_log_returns(const double *price, size_t n, double *out);

/*
 * Realized volatility over a window of `window` log returns, from the
 * log-return series r[0..n) of ms_ind_log_returns (r[0] is NaN):
 *     daily[i]  = sample stdev (ddof = 1) of r[i-window+1 .. i]
 *     annual[i] = daily[i] * sqrt(periods_per_year)
 * NaN while the window holds an unknown return, so with r from
 * ms_ind_log_returns the first value is at i = window (window + 1 prices).
 * window in 2..MS_IND_MAX_PERIOD; periods_per_year in
 * (0, MS_IND_MAX_PERIODS_PER_YEAR] (default 365). daily or annual may be
 * NULL (not both). Cost O(n * window): each window is summed twice, exactly.
 */
int ms_ind_realized_vol(const double *logret, size_t n, size_t window,
    double periods_per_year, double *daily, double *annual);

/*
 * Simple moving average out[i] = mean(x[i-period+1 .. i]); NaN while the
 * window holds an unknown value, so the first period - 1 outputs are NaN.
 * period in 1..MS_IND_MAX_PERIOD. Cost O(n): a running sum, recomputed
 * exactly every `period` values so rounding cannot accumulate.
 */
int ms_ind_sma(const double *x, size_t n, size_t period, double *out);

/*
 * Exponential moving average with alpha = 2 / (period + 1), seeded with
 * the SMA of the first `period` values of each run of known values:
 *     out[s+period-1] = mean(x[s .. s+period-1])
 *     out[i]          = alpha * x[i] + (1 - alpha) * out[i-1]   afterwards
 * where s is the start of the run. Warm-up period - 1 (NaN) values per run.
 * period in 1..MS_IND_MAX_PERIOD.
 */
int ms_ind_ema(const double *x, size_t n, size_t period, double *out);

/*
 * Relative strength index with Wilder's smoothing (Wilder 1978), over the
 * changes d_i = x[i] - x[i-1], gains G = max(d, 0), losses L = max(-d, 0):
 *     avgG, avgL at the first `period` changes of a run = their means;
 *     then avgG = (avgG * (period - 1) + G_i) / period (same for avgL);
 *     out = 100 - 100 / (1 + avgG / avgL).
 * avgL = 0 gives 100 (avgG > 0) or 50 (avgG = 0, a flat run: neither
 * gains nor losses). First value at x index period (period + 1 values).
 * period in 1..MS_IND_MAX_PERIOD (default 14).
 */
int ms_ind_rsi(const double *x, size_t n, size_t period, double *out);

/*
 * MACD (Appel): macd = EMA_fast(x) - EMA_slow(x), signal = EMA_signal of
 * the macd line (seeded with the SMA of its first `signal` values), hist =
 * macd - signal; each EMA as ms_ind_ema. macd starts at index slow - 1,
 * signal and hist at slow + signal - 2 (index 33 for 12, 26, 9).
 * 1 <= fast < slow <= MS_IND_MAX_PERIOD, 1 <= signal <= MS_IND_MAX_PERIOD.
 * All three outputs are required (they double as workspace).
 */
int ms_ind_macd(const double *x, size_t n, size_t fast, size_t slow,
    size_t signal, double *macd, double *sig, double *hist);

/*
 * Bollinger bands: middle = SMA(period), upper/lower = middle +/- k * sd,
 * sd the POPULATION standard deviation (divide by period) of the same
 * window, as Bollinger and TA-Lib define it. First value at period - 1.
 * period in 1..MS_IND_MAX_PERIOD (default 20), k finite and >= 0 (default 2).
 * Cost O(n * period) (two exact passes per window).
 */
int ms_ind_bollinger(const double *x, size_t n, size_t period, double k,
    double *upper, double *middle, double *lower);

/*
 * True range (Wilder): tr[i] = max(h[i] - l[i], |h[i] - c[i-1]|,
 * |l[i] - c[i-1]|). tr[0] is NaN (no previous close); tr[i] is NaN when
 * h[i], l[i] or c[i-1] is unknown or h[i] < l[i] (an inconsistent bar).
 */
int ms_ind_true_range(const double *high, const double *low,
    const double *close, size_t n, double *out);

/*
 * Average true range with Wilder's smoothing: the first ATR of a run of
 * known true ranges is their mean over `period` values, then
 * atr = (atr * (period - 1) + tr_i) / period. As TA-Lib: the first true
 * range is at index 1, so the first ATR is at index period.
 * period in 1..MS_IND_MAX_PERIOD (default 14).
 */
int ms_ind_atr(const double *high, const double *low, const double *close,
    size_t n, size_t period, double *out);

/*
 * Return on investment over k days: out[i] = p[i] / p[i-k] - 1; NaN for
 * i < k or when either price is unknown. k in 1..MS_IND_MAX_PERIOD.
 */
int ms_ind_roi(const double *price, size_t n, size_t k, double *out);

/*
 * Drawdown from the running all-time high:
 *     ath[i]      = max of the known prices p[0..i]
 *     drawdown[i] = p[i] / ath[i] - 1   (<= 0; 0 at a new high)
 * Unknown prices are skipped by the running maximum; drawdown[i] is NaN
 * when p[i] is unknown, ath[i] NaN before the first known price. ath may
 * be NULL when not wanted.
 */
int ms_ind_drawdown(const double *price, size_t n, double *drawdown,
    double *ath);

#endif
