/*
 * ms_demo.c — the deterministic SYNTHETIC demo universe (see ms_demo.h).
 *
 * Model, per day t (daily log returns):
 *   market:  m_t = mu(year) + s_t z_t,  s_t^2 = w + a (m_{t-1}-mu)^2
 *            + b s_{t-1}^2                    (GARCH(1,1))
 *   asset i: r_it = beta_i m_t + d_it + e_it, e_it = h_it u_it with its own
 *            GARCH(1,1) h_it; z, u are Student-t (nu 3.5..5) scaled to unit
 *            variance, so returns are fat-tailed and volatility clusters.
 *   d_it is 0 except in an asset's "pump" window (a small cap that runs up
 *   for weeks) or its death spiral (a steep negative drift with rising
 *   volatility over the last weeks, after which the series stops).
 * OHLC: open = previous close times a tiny gap, close = open-to-close move;
 * high/low extend the body by half-normal amounts scaled with volatility.
 * Market cap = close * circulating supply (slow inflation); volume = a
 * lognormal turnover of market cap that rises with |return|.
 *
 * All random numbers come from one gsl_rng (mt19937) seeded with the seed,
 * drawn in a fixed order, so a seed and asset count give identical data.
 * GSL's error handler is switched off; nothing here can fail inside GSL
 * except the allocation, which is checked.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "ms_date.h"
#include "ms_demo.h"
#include "ms_error.h"
#include "ms_store.h"

#define DEMO_TIMING "SYNTHETIC daily bars; close at the end of the UTC day"

/* The large caps with familiar ids, so the quick start's examples work. */
struct big_cap {
	const char *slug, *symbol, *name, *categories;
	double price0;     /* price on 2021-01-01 (roughly the real one) */
	double supply0;
	double beta, vol;  /* market beta, idiosyncratic daily vol */
};

static const struct big_cap big_caps[MS_DEMO_MIN_ASSETS] = {
	{ "bitcoin", "BTC", "Bitcoin", "layer-1,store-of-value",
	  29000, 18.6e6, 1.00, 0.010 },
	{ "ethereum", "ETH", "Ethereum", "layer-1,smart-contracts",
	  730, 114e6, 1.20, 0.018 },
	{ "ripple", "XRP", "XRP", "payments", 0.22, 45e9, 1.10, 0.035 },
	{ "dogecoin", "DOGE", "Dogecoin", "meme", 0.0047, 127e9, 1.30, 0.050 },
	{ "cardano", "ADA", "Cardano", "layer-1,smart-contracts",
	  0.18, 31e9, 1.20, 0.030 },
	{ "solana", "SOL", "Solana", "layer-1,smart-contracts",
	  1.5, 270e6, 1.40, 0.045 },
	{ "litecoin", "LTC", "Litecoin", "payments", 125, 66e6, 1.00, 0.025 },
	{ "binance-coin", "BNB", "Binance Coin", "exchange,layer-1",
	  37, 150e6, 1.00, 0.030 },
	{ "tron", "TRX", "TRON", "layer-1", 0.027, 71e9, 0.90, 0.030 },
	{ "polkadot-new", "DOT", "Polkadot", "layer-0,infrastructure",
	  8.2, 1.0e9, 1.20, 0.035 },
	{ "chainlink", "LINK", "Chainlink", "oracle,defi,infrastructure",
	  11.5, 400e6, 1.20, 0.035 },
	{ "uniswap", "UNI", "Uniswap", "defi,exchange", 5.0, 500e6, 1.20,
	  0.040 },
};

static const char *const small_categories[] = {
	"ai", "meme", "defi", "gaming", "layer-1", "layer-2", "infrastructure",
	"privacy", "storage", "payments", "ai,infrastructure", "meme,gaming",
	"defi,layer-2", "rwa",
};

#define NCAT (sizeof(small_categories) / sizeof(small_categories[0]))

/* Market drift per year (2021 bull, 2022 bear, recovery). */
static double
market_mu(int32_t day)
{
	int y, m, d;

	ms_date_to_ymd(day, &y, &m, &d);
	switch (y) {
	case 2021: return 0.0025;
	case 2022: return -0.0025;
	case 2023: return 0.0012;
	default: return 0.0008;
	}
}

static double
clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* A Student-t draw scaled to unit variance (nu > 2). */
static double
t_unit(gsl_rng *r, double nu)
{
	/* Clamped at 10 sd: fat tails, but no single absurd day. */
	return clampd(gsl_ran_tdist(r, nu) / sqrt(nu / (nu - 2.0)), -10, 10);
}


struct spec {
	char slug[32], symbol[16], name[48];
	const char *categories;
	double price0, supply0, inflation, beta, vol, nu, turnover;
	int32_t first, last;          /* trading days (inclusive) */
	int32_t pump0, pump1;         /* pump window, or -1 */
	double pump_drift;
	int32_t doom0;                /* start of the death spiral, or -1 */
	double doom_drift;
};

static void
make_specs(gsl_rng *r, int n, int32_t d0, int32_t d1, struct spec *sp)
{
	int32_t span = d1 - d0 + 1;

	for (int i = 0; i < n; i++) {
		struct spec *s = &sp[i];

		memset(s, 0, sizeof(*s));
		s->pump0 = s->pump1 = s->doom0 = -1;
		s->first = d0;
		s->last = d1;
		if (i < MS_DEMO_MIN_ASSETS) {
			const struct big_cap *b = &big_caps[i];

			snprintf(s->slug, sizeof(s->slug), "%s", b->slug);
			snprintf(s->symbol, sizeof(s->symbol), "%s", b->symbol);
			snprintf(s->name, sizeof(s->name), "%s", b->name);
			s->categories = b->categories;
			s->price0 = b->price0;
			s->supply0 = b->supply0;
			s->beta = b->beta;
			s->vol = b->vol;
			s->nu = 4.5;
			s->inflation = i == 0 ? 0.017 : 0.02;
			s->turnover = 0.04;
			continue;
		}
		snprintf(s->slug, sizeof(s->slug), "demo-coin-%03d",
		    i - MS_DEMO_MIN_ASSETS + 1);
		snprintf(s->symbol, sizeof(s->symbol), "DC%03d",
		    i - MS_DEMO_MIN_ASSETS + 1);
		snprintf(s->name, sizeof(s->name), "Demo Coin %03d",
		    i - MS_DEMO_MIN_ASSETS + 1);
		s->categories = small_categories[gsl_rng_uniform_int(r, NCAT)];
		s->price0 = exp(gsl_ran_gaussian(r, 2.0) - 2.0);
		/* Listing market cap between $1M and $500M, log-uniform. */
		s->supply0 = exp(log(1e6) + gsl_rng_uniform(r) *
		    (log(5e8) - log(1e6))) / s->price0;
		s->beta = 0.8 + 0.9 * gsl_rng_uniform(r);
		s->vol = 0.04 + 0.06 * gsl_rng_uniform(r);
		s->nu = 3.5 + 1.5 * gsl_rng_uniform(r);
		s->inflation = 0.3 * gsl_rng_uniform(r);
		s->turnover = exp(gsl_ran_gaussian(r, 0.7) - 3.5);
		if (gsl_rng_uniform(r) < 0.5)
			s->first = d0 + (int32_t)(gsl_rng_uniform(r) *
			    (span * 0.6));
		if (gsl_rng_uniform(r) < 0.12) {
			int32_t len = 30 + (int32_t)gsl_rng_uniform_int(r, 60);

			s->pump0 = s->first + (int32_t)(gsl_rng_uniform(r) *
			    (d1 - s->first - len));
			s->pump1 = s->pump0 + len;
			s->pump_drift = 0.02 + 0.04 * gsl_rng_uniform(r);
		}
		if (gsl_rng_uniform(r) < 0.22 && d1 - s->first > 200) {
			int32_t len = 20 + (int32_t)gsl_rng_uniform_int(r, 60);

			s->last = s->first + 150 +
			    (int32_t)(gsl_rng_uniform(r) *
			    (d1 - 30 - s->first - 150));
			s->doom0 = s->last - len;
			/* Lose 95% .. 99.9% over the spiral. */
			s->doom_drift = (log(0.05) + log(0.02) *
			    gsl_rng_uniform(r) * 1.76) / len;
		}
	}
}

/* Writes one asset row (insert or fill in missing fields). */
static int
put_asset(struct ms_store *st, const struct spec *s, int64_t *id)
{
	static const char ins[] =
	    "INSERT INTO assets(slug, symbol, name, categories) "
	    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(slug) DO UPDATE SET "
	    "symbol = coalesce(symbol, ?2), name = coalesce(name, ?3), "
	    "categories = coalesce(categories, ?4)";
	static const char sel[] = "SELECT id FROM assets WHERE slug = ?";
	sqlite3_stmt *q;
	int rc;

	if ((q = ms_store_stmt(st, ins)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_text(q, 1, s->slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, s->symbol, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, s->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, s->categories, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return MS_ERR_STORE;
	if ((q = ms_store_stmt(st, sel)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_text(q, 1, s->slug, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return rc == SQLITE_ROW ? MS_OK : MS_ERR_STORE;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 1 when the store has bars from a non-synthetic source. */
static int
has_real_data(struct ms_store *st, int *out)
{
	static const char sql[] =
	    "SELECT EXISTS (SELECT 1 FROM sources s WHERE s.synthetic = 0 "
	    "AND EXISTS (SELECT 1 FROM bars b WHERE b.source_id = s.id))";
	sqlite3_stmt *q = ms_store_stmt(st, sql);
	int rc;

	if (q == NULL)
		return MS_ERR_STORE;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(q, 0);
	sqlite3_reset(q);
	return rc == SQLITE_ROW ? MS_OK : MS_ERR_STORE;
}

static int
generate(struct ms_store *st, gsl_rng *r, const struct ms_demo_opts *o,
    int64_t source_id, struct ms_demo_result *res)
{
	static const char ins[] =
	    "INSERT INTO bars(asset_id, source_id, day, open, high, low, "
	    "close, volume, market_cap) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
	int32_t d0 = ms_date_from_ymd(2021, 1, 1);
	int32_t d1 = ms_date_from_ymd(2024, 12, 31);
	size_t ndays = (size_t)(d1 - d0 + 1);
	double *mkt = NULL;
	struct spec *sp = NULL;
	int64_t *ids = NULL;
	int rc = MS_OK;

	mkt = malloc(ndays * sizeof(*mkt));
	sp = malloc((size_t)o->assets * sizeof(*sp));
	ids = malloc((size_t)o->assets * sizeof(*ids));
	if (mkt == NULL || sp == NULL || ids == NULL) {
		rc = MS_ERR_NOMEM;
		goto out;
	}
	/* The market factor: GARCH(1,1) with t(4) shocks. */
	{
		double a = 0.07, b = 0.88, lr = 0.03 * 0.03;
		double w = lr * (1 - a - b), h = lr, prev = 0;

		for (size_t t = 0; t < ndays; t++) {
			h = fmin(w + a * prev * prev + b * h, 0.12 * 0.12);
			prev = sqrt(h) * t_unit(r, 4.5);
			mkt[t] = market_mu(d0 + (int32_t)t) + prev;
		}
	}
	make_specs(r, o->assets, d0, d1, sp);
	res->first_day = d0;
	res->last_day = d1;
	for (int i = 0; i < o->assets; i++) {
		const struct spec *s = &sp[i];
		double a = 0.08, b = 0.87, lr = s->vol * s->vol;
		double w = lr * (1 - a - b), h = lr, e = 0;
		double close = s->price0, supply = s->supply0;
		double infl = s->inflation / 365.0;

		if ((rc = put_asset(st, s, &ids[i])) != MS_OK)
			goto out;
		res->assets++;
		if (s->last < d1)
			res->dead++;
		for (int32_t day = s->first; day <= s->last; day++) {
			size_t t = (size_t)(day - d0);
			double drift = 0, lret, open, hi, lo, sig, vol, mcap;
			sqlite3_stmt *q;

			h = fmin(w + a * e * e + b * h, 4 * lr);
			sig = sqrt(h);
			if (s->pump0 >= 0 && day >= s->pump0 && day <= s->pump1)
				drift = s->pump_drift;
			if (s->doom0 >= 0 && day >= s->doom0) {
				drift = s->doom_drift;
				sig *= 1.5;
			}
			e = sig * t_unit(r, s->nu);
			lret = clampd(s->beta * mkt[t] + drift + e, -2.0, 1.0);
			open = close * exp(gsl_ran_gaussian(r, 0.002));
			if (day == s->first)
				open = close;
			close = open * exp(lret);
			hi = fmax(open, close) *
			    exp(fabs(gsl_ran_gaussian(r, 0.4 * sig)));
			lo = fmin(open, close) *
			    exp(-fabs(gsl_ran_gaussian(r, 0.4 * sig)));
			supply *= 1 + infl;
			mcap = close * supply;
			vol = mcap * s->turnover * (1 + 6 * fabs(lret)) *
			    exp(gsl_ran_gaussian(r, 0.35));
			if ((q = ms_store_stmt(st, ins)) == NULL) {
				rc = MS_ERR_STORE;
				goto out;
			}
			sqlite3_bind_int64(q, 1, ids[i]);
			sqlite3_bind_int64(q, 2, source_id);
			sqlite3_bind_int(q, 3, day);
			sqlite3_bind_double(q, 4, open);
			sqlite3_bind_double(q, 5, hi);
			sqlite3_bind_double(q, 6, lo);
			sqlite3_bind_double(q, 7, close);
			sqlite3_bind_double(q, 8, vol);
			sqlite3_bind_double(q, 9, mcap);
			rc = sqlite3_step(q);
			sqlite3_reset(q);
			if (rc != SQLITE_DONE) {
				rc = MS_ERR_STORE;
				goto out;
			}
			rc = MS_OK;
			res->bars++;
		}
	}
	for (int i = 0; i < o->assets && rc == MS_OK; i++)
		rc = ms_store_rebuild_daily(st, ids[i]);
out:
	free(mkt);
	free(sp);
	free(ids);
	return rc;
}

int
ms_demo_generate(struct ms_store *st, const struct ms_demo_opts *o,
    struct ms_demo_result *out, char *err, size_t errlen)
{
	struct ms_demo_result res;
	char desc[256];
	gsl_rng *r = NULL;
	int64_t source_id, purged;
	double t0 = now_seconds();
	int rc, real = 0;

	memset(&res, 0, sizeof(res));
	if (o->assets < MS_DEMO_MIN_ASSETS || o->assets > MS_DEMO_MAX_ASSETS) {
		snprintf(err, errlen, "--assets must be %d..%d",
		    MS_DEMO_MIN_ASSETS, MS_DEMO_MAX_ASSETS);
		return MS_ERR_INVALID;
	}
	gsl_set_error_handler_off();
	if ((rc = ms_store_begin(st)) != MS_OK) {
		snprintf(err, errlen, "cannot start a transaction: %s",
		    ms_strerror(rc));
		return rc;
	}
	if ((rc = has_real_data(st, &real)) != MS_OK) {
		snprintf(err, errlen, "store error");
		goto fail;
	}
	if (real && !o->force) {
		snprintf(err, errlen, "the store already holds real (non-"
		    "synthetic) market data; refusing to mix SYNTHETIC demo "
		    "data into it (use --force to do it anyway)");
		rc = MS_ERR_INVALID;
		goto fail;
	}
	snprintf(desc, sizeof(desc), "SYNTHETIC demo data made by `moonscope "
	    "demo-data` (seed %llu, %d assets): NOT market data; for trying "
	    "Moonscope offline only", (unsigned long long)o->seed, o->assets);
	rc = ms_store_source(st, MS_DEMO_SOURCE, MS_DEMO_PRIORITY, DEMO_TIMING,
	    1, desc, &source_id);
	if (rc == MS_OK) {
		rc = ms_store_purge_source(st, MS_DEMO_SOURCE, &purged);
		if (rc == MS_ERR_NOTFOUND)
			rc = MS_OK;
	}
	if (rc != MS_OK) {
		snprintf(err, errlen, "store error: %s", ms_strerror(rc));
		goto fail;
	}
	if ((r = gsl_rng_alloc(gsl_rng_mt19937)) == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = MS_ERR_NOMEM;
		goto fail;
	}
	gsl_rng_set(r, (unsigned long)o->seed);
	rc = generate(st, r, o, source_id, &res);
	gsl_rng_free(r);
	if (rc == MS_OK)
		rc = ms_store_bump_version(st);
	if (rc == MS_OK)
		rc = ms_store_commit(st);
	if (rc != MS_OK) {
		snprintf(err, errlen, "store error: %s (%s)", ms_strerror(rc),
		    sqlite3_errmsg(ms_store_db(st)));
		goto fail;
	}
	res.seconds = now_seconds() - t0;
	*out = res;
	return MS_OK;
fail:
	ms_store_rollback(st);
	return rc;
}
