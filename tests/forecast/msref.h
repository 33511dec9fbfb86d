/*
 * msref.h — the deterministic test series of tests/forecast/msref.py, in C,
 * for tests/check_garch.c, check_forecast.c and check_target.c (header-only;
 * every function is static inline). See msref.py for the definition; the
 * two must stay identical because the Python reference values pasted into
 * the C tests were computed on this series.
 */
#ifndef MSREF_H
#define MSREF_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#define MSREF_SEED 12345u
#define MSREF_OMEGA 2e-5
#define MSREF_ALPHA 0.10
#define MSREF_BETA 0.85
#define MSREF_MU 0.001
#define MSREF_NRET 1000
#define MSREF_P0 0.5

static inline double
msref_uniform(uint64_t *s)
{
	*s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return (double)(*s >> 11) * (1.0 / 9007199254740992.0);
}

static inline double
msref_normal(uint64_t *s)
{
	double acc = 0.0;

	for (int i = 0; i < 12; i++)
		acc += msref_uniform(s);
	return acc - 6.0;
}

/* r[0..n): the GARCH(1,1) log returns of msref.py (parameters above). */
static inline void
msref_returns(uint64_t seed, size_t n, double *r)
{
	uint64_t s = seed;
	double s2 = MSREF_OMEGA / (1.0 - MSREF_ALPHA - MSREF_BETA);

	for (size_t t = 0; t < n; t++) {
		double e = sqrt(s2) * msref_normal(&s);

		r[t] = MSREF_MU + e;
		s2 = MSREF_OMEGA + MSREF_ALPHA * e * e + MSREF_BETA * s2;
	}
}

/* close[0..n]: n + 1 prices from MSREF_P0 (r is scratch, n long). */
static inline void
msref_prices(uint64_t seed, size_t n, double *r, double *close)
{
	msref_returns(seed, n, r);
	close[0] = MSREF_P0;
	for (size_t t = 1; t <= n; t++)
		close[t] = close[t - 1] * exp(r[t - 1]);
}

#endif
