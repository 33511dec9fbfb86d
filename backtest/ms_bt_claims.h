/*
 * ms_bt_claims.h — judging price-target claims ("XRP to $33 by
 * 2023-12-31, made 2023-08-01") against history, and the probability
 * Moonscope's models gave each claim on the day it was made.
 *
 * Input: a CSV file with the header `who,made,asset,target,deadline`
 * (optionally followed by `,source`: where the claim was published), or a
 * JSON array of objects with the same keys. A file with any bad line is
 * rejected whole, with "FILE:LINE: reason" for each bad line (the first
 * MS_BT_CLAIMS_MAX_ERRORS are listed).
 *
 * Judging one claim, with M = made, T = deadline, L = the store's last day:
 *   - the asset is resolved as of M (id or symbol, as /v1/target does);
 *     an unknown asset rejects the file like a bad line;
 *   - price_made = the close of M's bar; no bar with a close on M:
 *     "unpriced" (not judged);
 *   - direction: a target >= price_made is a rise target, below it a fall
 *     target;
 *   - the window is the days M+1 .. min(T, L): the claim is judged on what
 *     happened after the day whose close the probability starts from;
 *   - a day "reaches" a rise target when its high (its close when the high
 *     is unknown, e.g. CoinGecko's daily snapshots) is >= target, a fall
 *     target when its low (or close) is <= target; first_hit is the first
 *     such day;
 *   - best = the highest high-or-close in the window (first day it was
 *     reached), worst = the lowest low-or-close;
 *   - the deadline close is the close of the last bar at or before
 *     min(T, L) in the window, with its date;
 *   - status: T > L: "open" (not judged; first_hit says whether it was hit
 *     so far); else when the asset is not listed as of T (no bar in the
 *     MS_LISTED_DAYS days ending T): "ended" (not judged: the store cannot
 *     tell a death from the end of a source's file); else "hit" when
 *     first_hit exists, "miss" otherwise.
 *   - the probability: exactly what GET /v1/target?id=ASSET&price=TARGET&
 *     horizons=H&as_of=M answers, H = T - M days: for each forecast model
 *     (naive, drift, ewma, garch), ms_forecast_fit on the closes of the
 *     MS_FORECAST_DEFAULT_GARCH_WINDOW + 1 days ending at M
 *     (ms_market_closes) with the model's defaults and horizon H, then
 *     ms_target_probs: the probability of touching the target within H
 *     days. Nothing dated after M is read for it. A model without enough
 *     history has no probability (NaN).
 * Over the judged claims (hit or miss): hit rate, and per model the Brier
 * score mean((p - y)^2) over the claims the model gave a probability.
 *
 * docs/backtest-claims.md documents the file format, rules and report.
 */
#ifndef MS_BT_CLAIMS_H
#define MS_BT_CLAIMS_H

#include <stddef.h>
#include <stdint.h>

#include "ms_forecast.h"
#include "ms_market.h"

struct ms_store;
struct ms_buf;

#define MS_BT_CLAIMS_SCHEMA "moonscope.backtest.claims"
#define MS_BT_CLAIMS_SCHEMA_VERSION 1
#define MS_BT_CLAIMS_MAX_FILE (4u * 1024u * 1024u)  /* bytes */
#define MS_BT_CLAIMS_MAX 10000        /* claims per file */
#define MS_BT_CLAIMS_MAX_ERRORS 20    /* bad lines listed (all are counted) */
#define MS_BT_CLAIM_WHO_MAX 128       /* bytes */
#define MS_BT_CLAIM_ASSET_MAX 80      /* bytes, as /v1/target's id */
#define MS_BT_CLAIM_SOURCE_MAX 512    /* bytes */
#define MS_BT_CLAIM_MAX_HORIZON 3660  /* deadline - made, days (/v1/target's) */
#define MS_BT_CLAIM_MIN_TARGET 1e-12  /* USD, as /v1/target's price */
#define MS_BT_CLAIM_MAX_TARGET 1e12

/* One claim as read from the file. */
struct ms_bt_claim {
	unsigned long line;           /* 1-based line where it starts */
	char who[MS_BT_CLAIM_WHO_MAX + 1];
	int32_t made, deadline;       /* day numbers, made < deadline */
	char asset[MS_BT_CLAIM_ASSET_MAX + 1];   /* id or symbol */
	double target;                /* USD */
	char source[MS_BT_CLAIM_SOURCE_MAX + 1]; /* "" when none */
};

/*
 * Reads the claims file at path (at most MS_BT_CLAIMS_MAX_FILE bytes, gzip
 * or plain; JSON when the first byte after white space and a UTF-8
 * byte-order mark is '[', else CSV). name is used in messages (NULL: the
 * path). On success returns 0 and sets *out (malloc'd, caller frees) and
 * *n (>= 1). On a bad file returns MS_ERR_PARSE, MS_ERR_INVALID,
 * MS_ERR_TOOBIG or MS_ERR_IO and appends "NAME:LINE: reason\n" lines to
 * errors (at most MS_BT_CLAIMS_MAX_ERRORS, then one line saying how many
 * more); *out is untouched.
 */
int ms_bt_claims_read(const char *path, const char *name,
    struct ms_bt_claim **out, size_t *n, struct ms_buf *errors);

enum ms_bt_claim_status {
	MS_BT_CLAIM_HIT,
	MS_BT_CLAIM_MISS,
	MS_BT_CLAIM_OPEN,      /* deadline after the store's last day */
	MS_BT_CLAIM_ENDED,     /* the asset is not listed as of the deadline */
	MS_BT_CLAIM_UNPRICED,  /* no close on the day it was made */
	MS_BT_CLAIM__COUNT
};

/* "hit", "miss", "open", "ended", "unpriced". */
const char *ms_bt_claim_status_name(enum ms_bt_claim_status s);

/* One model's answer on the day the claim was made. */
struct ms_bt_claim_prob {
	int known;                    /* 0: too little history (no answer) */
	enum ms_forecast_model used;  /* ewma after a garch fallback */
	double touch;                 /* P(touch within H days); NaN unknown */
	double end_above;             /* P(close on M + H >= target) */
};

struct ms_bt_claim_result {
	struct ms_bt_claim claim;
	struct ms_asset asset;        /* resolved as of made */
	int horizon;                  /* deadline - made, days */
	int rise;                     /* 1 rise target, 0 fall target; -1 unpriced */
	enum ms_bt_claim_status status;
	double price_made;            /* close on made; NaN when unpriced */
	double required_multiple;     /* target / price_made */
	int32_t window_end;           /* min(deadline, store's last day) */
	size_t bars;                  /* bars in the window */
	int32_t first_hit;            /* day, -1 when not reached (so far) */
	double first_hit_price;       /* the high/low/close that reached it */
	double best_price;            /* highest high-or-close in the window */
	int32_t best_day;             /* -1 when the window has no bar */
	double worst_price;           /* lowest low-or-close */
	int32_t worst_day;
	double deadline_close;        /* close of the last bar in the window */
	int32_t deadline_close_day;   /* its day; -1 when none */
	double target_over_close;     /* target / deadline_close */
	double short_pct;             /* how far the deadline close was from the
	                                 target, in % of the target, positive when
	                                 short: rise (target - close) / target,
	                                 fall (close - target) / target; x 100 */
	double best_vs_target;        /* rise: best / target; fall: worst / target */
	struct ms_bt_claim_prob prob[MS_FORECAST_NMODELS];
};

/* Brier score of one model over the judged claims it gave a probability. */
struct ms_bt_claim_brier {
	size_t n;
	double brier;                 /* mean (p - y)^2; NaN when n = 0 */
	double mean_prob;             /* mean p */
	double hit_rate;              /* mean y over the same claims */
};

struct ms_bt_claims_result {
	int32_t data_first, data_last;
	int64_t data_version;
	char file[512];               /* the name the claims were read from */
	struct ms_bt_claim_result *v; /* [n], file order */
	size_t n;
	size_t count[MS_BT_CLAIM__COUNT];
	size_t judged;                /* hits + misses */
	double hit_rate;              /* hits / judged; NaN when none */
	struct ms_bt_claim_brier brier[MS_FORECAST_NMODELS];
};

/*
 * Judges claims[0..n) (ms_bt_claims_parse's output) against st. name
 * names the file in messages and the report. Every asset is resolved
 * first: when one is unknown, returns MS_ERR_INVALID with "NAME:LINE:
 * reason" lines in errors and does nothing else. MS_ERR_NODATA when the
 * store is empty. progress (may be NULL) is called after each claim with
 * (done, total, arg). On success *out is allocated (free with
 * ms_bt_claims_result_free).
 */
int ms_bt_claims_run(struct ms_store *st, const char *name,
    const struct ms_bt_claim *claims, size_t n,
    void (*progress)(size_t, size_t, void *), void *arg,
    struct ms_buf *errors, struct ms_bt_claims_result **out);

/* Frees a result; NULL is a no-op. */
void ms_bt_claims_result_free(struct ms_bt_claims_result *r);

/*
 * The report. ms_bt_claims_summary_json builds summary.json (schema
 * moonscope.backtest.claims v1; caller frees with cJSON_Delete; NULL on
 * allocation failure). ms_bt_claims_markdown returns summary.md (malloc'd,
 * caller frees; NULL on failure). ms_bt_claims_csv appends claims.csv to b.
 * ms_bt_claims_write_report creates dir (and missing parents) and writes
 * summary.json, claims.csv, summary.md and report.html (tables and SVG
 * charts, ms_svg.h), each once; errbuf receives a reason on failure.
 */
struct cJSON;
struct cJSON *ms_bt_claims_summary_json(const struct ms_bt_claims_result *r);
char *ms_bt_claims_markdown(const struct ms_bt_claims_result *r);
int ms_bt_claims_csv(const struct ms_bt_claims_result *r, struct ms_buf *b);
int ms_bt_claims_write_report(const struct ms_bt_claims_result *r,
    const char *dir, char *errbuf, size_t errsz);

#endif
