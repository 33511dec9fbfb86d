/*
 * ms_signal.h — daily long/flat/short signals from a documented rule, and
 * the result of following them.
 *
 * Rule (trend filter plus momentum), on day t from closes up to t only:
 *   +1 (long)   close_t > SMA_50(close)_t  and  close_t / close_{t-20} > 1
 *   -1 (short)  close_t < SMA_50(close)_t  and  close_t / close_{t-20} < 1
 *    0 (flat)   otherwise, or when an input is unknown
 * The signal of day t is held over day t+1: the strategy's return on t+1
 * is s_t * (close_{t+1} / close_t - 1), minus fee_bps / 10^4 times the
 * change of position |s_t - s_{t-1}| (entering or leaving costs one unit,
 * flipping long to short two). A day whose next close is unknown earns 0.
 * Buy-and-hold over the same days is the benchmark (no fee).
 */
#ifndef MS_SIGNAL_H
#define MS_SIGNAL_H

#include <stddef.h>

#define MS_SIGNAL_SMA 50
#define MS_SIGNAL_MOMENTUM 20
/* Closes needed before the first day a signal can be non-zero. */
#define MS_SIGNAL_WARMUP MS_SIGNAL_SMA

/*
 * Signals for close[0..n) (one per calendar day, NaN where unknown) into
 * sig[0..n). Returns 0 or a negative ms_err (n too large: MS_ERR_TOOBIG;
 * allocation: MS_ERR_NOMEM).
 */
int ms_signal_series(const double *close, size_t n, int *sig);

struct ms_signal_perf {
	double strategy_return;  /* compounded, net of fees */
	double hold_return;      /* close at the end / close at the start - 1 */
	double fees;             /* sum of fee fractions charged */
	size_t trades;           /* position changes */
	size_t days_long, days_short, days_flat;
};

/*
 * Follows sig over days [start, n-1) of close (returns earned on days
 * start+1 .. n-1). start < n - 1. fee_bps >= 0.
 */
int ms_signal_perf(const double *close, const int *sig, size_t n,
    size_t start, double fee_bps, struct ms_signal_perf *out);

#endif
