/*
 * ms_signal.c — the signal rule and its performance (see ms_signal.h).
 */
#include <math.h>
#include <stdlib.h>

#include "ms_error.h"
#include "ms_indicators.h"
#include "ms_signal.h"

int
ms_signal_series(const double *close, size_t n, int *sig)
{
	double *sma, *roi;
	int rc;

	if (n > MS_IND_MAX_N)
		return MS_ERR_TOOBIG;
	if (n == 0)
		return 0;
	sma = malloc(n * sizeof(*sma));
	roi = malloc(n * sizeof(*roi));
	if (sma == NULL || roi == NULL) {
		free(sma);
		free(roi);
		return MS_ERR_NOMEM;
	}
	rc = ms_ind_sma(close, n, MS_SIGNAL_SMA, sma);
	if (rc == 0)
		rc = ms_ind_roi(close, n, MS_SIGNAL_MOMENTUM, roi);
	if (rc == 0)
		for (size_t t = 0; t < n; t++) {
			double c = close[t];
			sig[t] = 0;
			if (isnan(c) || isnan(sma[t]) || isnan(roi[t]))
				continue;
			if (c > sma[t] && roi[t] > 0)
				sig[t] = 1;
			else if (c < sma[t] && roi[t] < 0)
				sig[t] = -1;
		}
	free(sma);
	free(roi);
	return rc;
}

int
ms_signal_perf(const double *close, const int *sig, size_t n, size_t start,
    double fee_bps, struct ms_signal_perf *out)
{
	struct ms_signal_perf p = { 0 };
	double equity = 1, fee = fee_bps / 1e4;
	int prev = 0;
	size_t first = n, last = n;

	if (start + 1 >= n || !(fee_bps >= 0))
		return MS_ERR_RANGE;
	for (size_t t = start; t + 1 < n; t++) {
		int s = sig[t];
		int change = abs(s - prev);
		if (change) {
			p.trades++;
			p.fees += fee * change;
			equity *= 1 - fee * change;
		}
		prev = s;
		if (s > 0)
			p.days_long++;
		else if (s < 0)
			p.days_short++;
		else
			p.days_flat++;
		if (close[t] > 0 && close[t + 1] > 0)
			equity *= 1 + s * (close[t + 1] / close[t] - 1);
		if (close[t] > 0 && first == n)
			first = t;
		if (close[t + 1] > 0)
			last = t + 1;
	}
	p.strategy_return = equity - 1;
	p.hold_return = first < n && last < n && last > first ?
	    close[last] / close[first] - 1 : NAN;
	*out = p;
	return 0;
}
