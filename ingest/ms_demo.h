/*
 * ms_demo.h — a deterministic SYNTHETIC market for the offline quick start.
 *
 * Writes a made-up universe into the store as source "synthetic-demo"
 * (priority 90, synthetic = 1): daily OHLCV and market cap over
 * 2021-01-01..2024-12-31 for a few large caps with familiar ids (bitcoin,
 * ethereum, ripple, dogecoin, ...) and many small caps ("demo-coin-001",
 * ...), some of which collapse and stop trading. None of it is market
 * data. Returns follow a one-factor model with GARCH(1,1) variance and
 * Student-t shocks (GSL's mt19937 generator, seeded), so the same seed and
 * asset count always give the same values, bit for bit.
 */
#ifndef MS_DEMO_H
#define MS_DEMO_H

#include <stdint.h>

#include "ms_store.h"

#define MS_DEMO_SOURCE "synthetic-demo"
#define MS_DEMO_PRIORITY 90
#define MS_DEMO_DEFAULT_ASSETS 300
#define MS_DEMO_MIN_ASSETS 12
#define MS_DEMO_MAX_ASSETS 5000
#define MS_DEMO_DEFAULT_SEED 42

struct ms_demo_opts {
	int assets;        /* total assets, MS_DEMO_MIN..MAX_ASSETS */
	uint64_t seed;
	int force;         /* run even if the store holds real data */
};

struct ms_demo_result {
	long assets;       /* assets written */
	long bars;         /* bars written */
	long dead;         /* assets whose series stops early */
	int32_t first_day, last_day;
	double seconds;
};

/*
 * Replaces the synthetic-demo source's bars with a fresh universe, in one
 * transaction. Returns 0; MS_ERR_INVALID (message in err) when the store
 * already holds non-synthetic bars and !force, or when opts are out of
 * range; MS_ERR_STORE / MS_ERR_NOMEM on failure (store unchanged).
 */
int ms_demo_generate(struct ms_store *st, const struct ms_demo_opts *opts,
    struct ms_demo_result *out, char *err, size_t errlen);

#endif
