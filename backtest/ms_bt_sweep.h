/*
 * ms_bt_sweep.h — a parameter sweep of the moonshot backtester: a grid
 * over the options of `backtest moonshots`, every variant one ms_bt_run
 * (the same code, on its own read-only store handle), run in parallel
 * threads and splittable into shards that are merged later; the report
 * lists every variant tried and the deflated Sharpe ratio of the best
 * (Bailey & López de Prado 2014), so the selection bias of picking the
 * best of many is visible.
 *
 * The spec. Base options (key = value, applied to ms_bt_params_default
 * first) and grid axes (key = v1, v2, ...); keys are the options of
 * `backtest moonshots` without the dashes, with '_' or '-' ("max_market_cap",
 * "hold"). The library does not parse values itself: the caller passes
 * an apply function (the CLI's ms_cli_bt_option) that stores one value
 * into ms_bt_params and says why a value is rejected.
 *
 * Variants are numbered 0..N-1 in row-major order over the axes as
 * given: the last axis varies fastest. Shard i of n (1-based) runs the
 * variants with index % n == i - 1 (interleaved, so that slow and fast
 * parts of the grid spread over the shards).
 *
 * Every run produces a shard document (JSON, schema
 * "moonscope.backtest.sweep" version 1, "kind": "shard"): the spec, the
 * store's data version and day range, and per variant its resolved dates,
 * metrics and daily portfolio returns. The full report is always built
 * from shard documents, also for an unsharded run (one shard 1/1, printed
 * and parsed back in memory), so a merge of shards is byte-identical to
 * the unsharded run. docs/backtest-sweep.md documents every key.
 */
#ifndef MS_BT_SWEEP_H
#define MS_BT_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "ms_bt.h"

#define MS_BT_SWEEP_SCHEMA "moonscope.backtest.sweep"
#define MS_BT_SWEEP_SCHEMA_VERSION 1
#define MS_BT_SWEEP_KEY_MAX 32          /* key, with NUL */
#define MS_BT_SWEEP_VALUE_MAX 65        /* value, with NUL */
#define MS_BT_SWEEP_MAX_AXES 8
#define MS_BT_SWEEP_MAX_VALUES 100      /* per axis */
#define MS_BT_SWEEP_MAX_BASE 32         /* base options */
#define MS_BT_SWEEP_MAX_VARIANTS 10000
#define MS_BT_SWEEP_MAX_JOBS 64
#define MS_BT_SWEEP_MAX_SHARDS 10000
#define MS_BT_SWEEP_MAX_GRID_FILE (64u * 1024u)
#define MS_BT_SWEEP_MAX_FILE (256u * 1024u * 1024u)   /* shard file */
#define MS_BT_SWEEP_EULER_GAMMA 0.57721566490153286061

/*
 * Stores value into p for key (canonical, e.g. "max_market_cap").
 * Returns 1 when done, 0 when key is not an option, -1 when value is
 * invalid (*why: what the option needs).
 */
typedef int (*ms_bt_sweep_apply_fn)(const char *key, const char *value,
    struct ms_bt_params *p, const char **why);

struct ms_bt_sweep_opt {
	char key[MS_BT_SWEEP_KEY_MAX];
	char value[MS_BT_SWEEP_VALUE_MAX];
};

struct ms_bt_sweep_axis {
	char key[MS_BT_SWEEP_KEY_MAX];
	size_t n;
	char values[MS_BT_SWEEP_MAX_VALUES][MS_BT_SWEEP_VALUE_MAX];
};

struct ms_bt_sweep_spec {
	struct ms_bt_sweep_opt base[MS_BT_SWEEP_MAX_BASE];  /* sorted by key */
	size_t nbase;
	struct ms_bt_sweep_axis axes[MS_BT_SWEEP_MAX_AXES];
	size_t naxes;
};

/* An empty spec (no base option, no axis: one variant). */
void ms_bt_sweep_spec_init(struct ms_bt_sweep_spec *s);

/*
 * The canonical form of a key: lower case, '-' as '_', leading "--"
 * dropped; [a-z0-9_], 1..31 bytes. Returns 0 or MS_ERR_INVALID.
 */
int ms_bt_sweep_key(const char *in, char *out, size_t outsz);

/*
 * Sets base option key = value (replacing an earlier value of the key).
 * MS_ERR_INVALID (bad key or value length, the key is a grid axis),
 * MS_ERR_TOOBIG (too many options), with a reason in err.
 */
int ms_bt_sweep_spec_set(struct ms_bt_sweep_spec *s, const char *key,
    const char *value, char *err, size_t errsz);

/*
 * Adds an axis from "key=v1,v2,..." (spaces around tokens ignored).
 * MS_ERR_PARSE, MS_ERR_INVALID (repeated key or value, key also a base
 * option), MS_ERR_TOOBIG (too many axes, values or variants), with err.
 */
int ms_bt_sweep_spec_axis(struct ms_bt_sweep_spec *s, const char *arg,
    char *err, size_t errsz);

/*
 * Adds the axes of a grid file of len bytes: one axis per line,
 * "key = v1, v2, ..."; '#' starts a comment; blank lines are ignored.
 * Errors as ms_bt_sweep_spec_axis, naming the line.
 */
int ms_bt_sweep_spec_file(struct ms_bt_sweep_spec *s, const char *text,
    size_t len, char *err, size_t errsz);

/* N = the product of the axes' sizes (1 with no axis). */
size_t ms_bt_sweep_count(const struct ms_bt_sweep_spec *s);

/* The value index on each axis of variant v (coords[naxes]). */
void ms_bt_sweep_coords(const struct ms_bt_sweep_spec *s, size_t v,
    size_t *coords);

/*
 * The parameters of variant v (v = SIZE_MAX: the base alone): defaults,
 * then the base options, then v's value of each axis, then
 * ms_bt_params_check. Returns 0, or MS_ERR_INVALID / MS_ERR_RANGE with
 * err naming the key and value.
 */
int ms_bt_sweep_params(const struct ms_bt_sweep_spec *s, size_t v,
    ms_bt_sweep_apply_fn apply, struct ms_bt_params *out, char *err,
    size_t errsz);

/* ms_bt_sweep_params for every variant: the first error, or 0. */
int ms_bt_sweep_check(const struct ms_bt_sweep_spec *s,
    ms_bt_sweep_apply_fn apply, char *err, size_t errsz);

/* 1 when variant v belongs to shard i of n (1-based): v % n == i - 1. */
int ms_bt_sweep_in_shard(size_t v, size_t i, size_t n);

/* ---- running ---------------------------------------------------------- */

struct ms_bt_sweep_opts {
	const char *db;             /* store path, opened read-only per thread */
	size_t jobs;                /* threads, 1..MS_BT_SWEEP_MAX_JOBS */
	size_t shard, nshards;      /* 1-based shard of nshards; 1/1 = all */
	ms_bt_sweep_apply_fn apply;
	/*
	 * Called (serialised under a lock, from any thread) after each
	 * variant: done of total variants of the shard, v the one finished.
	 * May be NULL.
	 */
	void (*progress)(size_t done, size_t total, size_t v, void *arg);
	void *arg;
};

/*
 * Runs the shard's variants on `jobs` threads, each with its own
 * read-only handle of the store, and returns the shard document's text
 * in *out (malloc'd, caller frees). The output does not depend on jobs.
 * A variant whose range holds no rebalance date is reported with status
 * "no_data"; any other failure fails the sweep. Fails with MS_ERR_INVALID
 * when the store's data version changes during the run. err receives a
 * reason on failure.
 */
int ms_bt_sweep_run(const struct ms_bt_sweep_spec *spec,
    const struct ms_bt_sweep_opts *o, char **out, char *err, size_t errsz);

/* ---- the merged sweep and its report ----------------------------------- */

/* One variant's results (a row of variants.csv). */
struct ms_bt_sweep_row {
	size_t index;
	int ok;                      /* 0: no rebalance date ("no_data") */
	int32_t from, to;            /* as run (defaults resolved) */
	size_t rebalance_dates, tranches;
	int32_t first_day;           /* day of returns[0] */
	size_t nreturns;             /* T: daily portfolio returns */
	double *returns;             /* [nreturns], owned */
	double total_return, cagr, sharpe, sharpe_period, sortino;
	double max_drawdown, annual_volatility, calmar;
	double skew, kurtosis;       /* biased; kurtosis is excess (ms_quant) */
	double mean_return;          /* mean daily return */
	size_t picks, filled, judged, wins;
	double win_rate, mean_pick_return, median_pick_return, share_died;
	double final_equity_usd;
};

/*
 * The deflated Sharpe ratio of the best variant. Sharpe ratios here are
 * per period (daily, not annualised), as in the paper:
 *   V      = sample variance (ddof 1) of the trials' finite Sharpe ratios
 *   SR0    = sqrt(V) ((1 - g) Phi^-1(1 - 1/N) + g Phi^-1(1 - 1/(N e)))
 *            (g: Euler-Mascheroni; SR0 = 0 when N = 1)
 *   z      = (SR* - SR0) sqrt(T - 1) / sqrt(1 - g3 SR* + (g4 - 1)/4 SR*^2)
 *   DSR    = Phi(z); PSR = the same with SR0 = 0
 * N = every variant tried, T = the best variant's number of returns, g3
 * its skewness and g4 its (non-excess) kurtosis. NaN when undefined.
 */
struct ms_bt_sweep_dsr {
	size_t trials;               /* N */
	size_t sharpes;              /* trials with a finite Sharpe ratio */
	size_t best;                 /* variant index; SIZE_MAX when none */
	double variance;             /* V */
	double expected_max;         /* SR0 */
	double sharpe;               /* SR*, per period */
	size_t T;
	double skew, kurtosis;       /* g3, g4 (non-excess) */
	double z, dsr, psr;
};

/* E[max] of N trials' Sharpe ratios with variance V (SR0 above). */
double ms_bt_sweep_expected_max(double variance, size_t ntrials);

/*
 * Phi((sr - sr0) sqrt(T - 1) / sqrt(1 - skew sr + (kurt - 1)/4 sr^2));
 * *z (may be NULL) receives the argument. NaN when T < 2, an input is
 * not finite, or the denominator is not positive.
 */
double ms_bt_sweep_psr(double sr, double sr0, size_t T, double skew,
    double kurt, double *z);

/*
 * The DSR of the best of n trials with per-period Sharpe ratios sr[n]
 * (NaN = undefined, left out of V but counted in N): the best is the
 * highest sr, the lowest index on ties; T, skew and kurt (non-excess) are
 * the best's. Fills *out; returns 0 or MS_ERR_INVALID.
 */
int ms_bt_sweep_deflate(const double *sr, size_t n, const size_t *T,
    const double *skew, const double *kurt, struct ms_bt_sweep_dsr *out);

struct ms_bt_sweep {
	struct ms_bt_sweep_spec spec;
	struct ms_bt_params base;    /* the base options applied */
	char moonscope_version[32];
	int64_t data_version;
	int32_t data_first, data_last;
	size_t nshards;              /* shard count of the loaded documents */
	size_t nvariants;
	struct ms_bt_sweep_row *rows;   /* [nvariants], by index */
	unsigned char *have;            /* [nvariants]: loaded */
	size_t nloaded;
	struct ms_bt_sweep_dsr dsr;  /* by ms_bt_sweep_complete */
	int complete;
};

struct ms_bt_sweep *ms_bt_sweep_new(void);
void ms_bt_sweep_free(struct ms_bt_sweep *sw);

/*
 * Adds the shard document text[len] (label names it in errors) to sw.
 * The first document sets the spec and the store's version; every other
 * must have the same spec, Moonscope version, data version, day range
 * and shard count, and no variant already loaded. MS_ERR_PARSE,
 * MS_ERR_INVALID, MS_ERR_TOOBIG, MS_ERR_NOMEM with a reason in err.
 */
int ms_bt_sweep_load(struct ms_bt_sweep *sw, const char *text, size_t len,
    const char *label, char *err, size_t errsz);

/*
 * Checks that every variant is loaded exactly once, applies the base
 * options (apply) into sw->base, and computes the deflated Sharpe ratio.
 * MS_ERR_INVALID with err listing the first missing variants.
 */
int ms_bt_sweep_complete(struct ms_bt_sweep *sw, ms_bt_sweep_apply_fn apply,
    char *err, size_t errsz);

/*
 * The heat map of the best (highest) annualised Sharpe over the values
 * of axes a (rows) and b (columns), every other axis free: m[na * nb],
 * NaN where no variant has a Sharpe. a == b is allowed only with one
 * axis (a single row). Returns 0 or MS_ERR_INVALID.
 */
int ms_bt_sweep_heat(const struct ms_bt_sweep *sw, size_t a, size_t b,
    double *m);

/*
 * The default heat map axes: the first two axes with more than one
 * value (or the one such axis twice, or axis 0 twice). -1 without axes.
 */
int ms_bt_sweep_heat_axes(const struct ms_bt_sweep *sw, size_t *a,
    size_t *b);

/*
 * The report of a completed sweep. Each returns malloc'd text (caller
 * frees) or NULL on allocation failure: sweep.json (kind "report"),
 * variants.csv, returns.csv (variant, date, return), summary.md. ha/hb
 * are the heat map axes (SIZE_MAX: the default).
 */
char *ms_bt_sweep_json(const struct ms_bt_sweep *sw);
char *ms_bt_sweep_variants_csv(const struct ms_bt_sweep *sw);
char *ms_bt_sweep_returns_csv(const struct ms_bt_sweep *sw);
char *ms_bt_sweep_markdown(const struct ms_bt_sweep *sw, size_t ha,
    size_t hb);
/*
 * report.html: one self-contained page (ms_svg.h) with the summary, the
 * best variant and its DSR, its equity curve, the heat map, the
 * distribution of the variants' Sharpe ratios and the table of variants.
 */
char *ms_bt_sweep_html(const struct ms_bt_sweep *sw, size_t ha, size_t hb);

/*
 * Creates dir (and missing parents) and writes sweep.json, variants.csv,
 * returns.csv, summary.md and report.html, each once. 0, or non-zero with a reason in
 * err.
 */
int ms_bt_sweep_write_report(const struct ms_bt_sweep *sw, const char *dir,
    size_t ha, size_t hb, char *err, size_t errsz);

/*
 * Reads a whole file of at most max bytes into *out (NUL-terminated,
 * caller frees) and its length into *len. MS_ERR_IO / MS_ERR_TOOBIG /
 * MS_ERR_NOMEM with a reason in err.
 */
int ms_bt_sweep_read_file(const char *path, size_t max, char **out,
    size_t *len, char *err, size_t errsz);

#endif
