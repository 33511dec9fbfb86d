/*
 * ms_cg.h — what the CoinGecko-compatible routes (/api/v3, functions/cg_*.c)
 * share: CoinGecko's error body, its loosely typed parameters, its time
 * conventions, and the read queries behind coins/markets, simple/price,
 * coins/{id}, the charts, categories and global.
 *
 * CoinGecko answers bare JSON (no envelope) and errors as {"error": "..."}
 * with the status, not problem+json. The runtime (ms_http) still refuses
 * malformed requests before a handler runs (unknown or repeated keys, bad
 * escapes, control bytes, overlong values) with its problem+json; every
 * error a cg handler decides itself is CoinGecko-shaped, which is why the
 * cg routes declare their parameters as strings and check them here.
 *
 * Time: a bar of day D closes at the end of D, which is 00:00 UTC of D+1 —
 * the instant CoinGecko stamps its daily points with. Every timestamp the
 * cg routes write for a bar is that instant ((D + 1) * 86400 s), so a
 * Moonscope that ingests /api/v3 from another one (CoinGecko timing: bar
 * day = date of the point - 1) gets the same days back.
 *
 * The as-of day of every cg answer ("now") is the last day in the store,
 * or, with the Moonscope extension as_of=YYYY-MM-DD (MS_CG_PARAM_AS_OF, on
 * the routes that have a "now"), that day: the answer is then as known at
 * its end and reads no row dated after it.
 */
#ifndef MS_CG_H
#define MS_CG_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "ms_http.h"
#include "ms_market.h"

/* A helper wrote a complete CoinGecko error response: the handler returns 0. */
#define MS_CG_SENT 1
/* What a handler returns for a helper's result rc (MS_CG_SENT or < 0). */
#define MS_CG_DONE(rc) ((rc) == MS_CG_SENT ? 0 : (rc))

#define MS_CG_KEY_MAX 256      /* bytes of an API key parameter */
#define MS_CG_LIST_MAX 4000    /* bytes of ids/names/symbols */
#define MS_CG_LIST_ITEMS 500   /* items of ids/names/symbols */
#define MS_CG_DAY_MS 86400000LL

/*
 * The API key parameters every cg route declares (CoinGecko clients send
 * them in the query string). Moonscope has no keys of its own to check:
 * they are accepted and ignored, like the x-cg-demo-api-key and
 * x-cg-pro-api-key headers.
 */
#define MS_CG_PARAM_KEYS \
	{ .name = "x_cg_demo_api_key", .type = MS_PARAM_STRING, \
	  .max_len = MS_CG_KEY_MAX, \
	  .doc = "CoinGecko demo API key (accepted, not checked)" }, \
	{ .name = "x_cg_pro_api_key", .type = MS_PARAM_STRING, \
	  .max_len = MS_CG_KEY_MAX, \
	  .doc = "CoinGecko pro API key (accepted, not checked)" }

/* A CoinGecko text parameter, checked by the handler (CoinGecko errors). */
#define MS_CG_PARAM(name_, max_, doc_) \
	{ .name = (name_), .type = MS_PARAM_STRING, .max_len = (max_), \
	  .doc = (doc_) }

#define MS_CG_PARAM_FLAG(name_, doc_) MS_CG_PARAM(name_, 16, doc_)

#define MS_CG_PARAM_VS_CURRENCY \
	MS_CG_PARAM("vs_currency", 64, \
	    "target currency (required): only usd is supported")

#define MS_CG_PARAM_PRECISION \
	MS_CG_PARAM("precision", 8, \
	    "decimal places of price values: full or 0..18 (default: full)")

/* Moonscope's as_of on cg routes (not CoinGecko's): see ms_cg_check_as_of. */
#define MS_CG_PARAM_AS_OF \
	MS_CG_PARAM("as_of", 16, "Moonscope extension: answer as known at " \
	    "the end of this UTC day, YYYY-MM-DD (default: the last day in " \
	    "the store)")

/* Path parameter {id}: a Moonscope asset id; anything else is "coin not found". */
#define MS_CG_PATH_ID \
	{ .name = "id", .type = MS_PARAM_STRING, .required = 1, .max_len = 128, \
	  .doc = "coin id: a Moonscope asset id (e.g. ripple)" }

/* ---- responses ------------------------------------------------------- */

/*
 * Writes CoinGecko's error body {"error": msg} with status. Returns
 * MS_CG_SENT, or a negative ms_err when memory ran out.
 */
int ms_cg_error(struct ms_response *res, int status, const char *msg);

/*
 * Sends doc (ownership taken; NULL = out of memory) as a 200 bare JSON
 * answer. Returns 0 or a negative ms_err.
 */
int ms_cg_send(struct ms_response *res, cJSON *doc);

/*
 * The process's store, or NULL after rewriting the runtime's 503 problem
 * as a CoinGecko error (the handler then returns 0).
 */
struct ms_store *ms_cg_store(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res);

/* ---- parameters (each returns 0, MS_CG_SENT or a negative ms_err) ---- */

/*
 * Checks a currency parameter (vs_currency, or the comma-separated
 * vs_currencies): missing → 422 "Missing parameter NAME"; no usd among
 * it → 400 "invalid NAME". Only usd is served; other currencies in
 * vs_currencies are ignored, as CoinGecko ignores unknown ones.
 */
int ms_cg_vs_currency(const struct ms_request *req, struct ms_response *res,
    const char *name);

/* "true"/"false" (default def when absent); else 400 "invalid NAME". */
int ms_cg_flag(const struct ms_request *req, struct ms_response *res,
    const char *name, int def, int *out);

/* One of choices[] (NULL-terminated; default index def when absent). */
int ms_cg_choice(const struct ms_request *req, struct ms_response *res,
    const char *name, const char *const *choices, int def, int *out);

/* A decimal integer in [min, max] (default def when absent). */
int ms_cg_int(const struct ms_request *req, struct ms_response *res,
    const char *name, int64_t min, int64_t max, int64_t def, int64_t *out);

/*
 * as_of: absent (*day = -1) or a date YYYY-MM-DD within 2009-01-03 ..
 * 2099-12-31 (*day = its day number); anything else is 400 "invalid
 * as_of".
 */
int ms_cg_check_as_of(const struct ms_request *req, struct ms_response *res,
    int32_t *day);

/* precision: "full" or 0..18 → *digits, -1 meaning full (the default). */
int ms_cg_precision(const struct ms_request *req, struct ms_response *res,
    int *digits);

/*
 * The value of an optional text parameter, NULL when absent. Required
 * ones: ms_cg_required writes 422 "Missing parameter NAME" when absent.
 */
const char *ms_cg_text(const struct ms_request *req, const char *name);
int ms_cg_required(const struct ms_request *req, struct ms_response *res,
    const char *name, const char **out);

/*
 * Copies the comma-separated list s into buf (bufsz bytes) and splits the
 * copy into at most max items (pointers into buf), skipping empty ones and
 * trimming blanks. Returns the item count, or -1 when s does not fit in
 * buf or has more than max items.
 */
int ms_cg_split(const char *s, char *buf, size_t bufsz, const char **items,
    size_t max);

/* ---- values and time --------------------------------------------------- */

/* v rounded to digits decimal places (digits < 0: v itself). */
double ms_cg_round(double v, int digits);

/* A JSON number printed so it reads back as exactly v, or null. */
cJSON *ms_cg_number(double v);
/* An integer JSON number printed exactly. */
cJSON *ms_cg_integer(int64_t v);
/* Adds key: {"usd": v} (v may be NaN: null). */
cJSON *ms_cg_add_usd(cJSON *obj, const char *key, double v);

/* The instant a bar of day closes: (day + 1) * 86400000 ms. */
int64_t ms_cg_close_ms(int32_t day);
/* The same instant as "YYYY-MM-DDT00:00:00.000Z"; buf holds 25 bytes. */
#define MS_CG_ISO_LEN 24
void ms_cg_close_iso(int32_t day, char buf[MS_CG_ISO_LEN + 1]);
/* Adds key: the ISO close instant of day, or null when day < 0. */
cJSON *ms_cg_add_close_iso(cJSON *obj, const char *key, int32_t day);

/* Adds key: "YYYY-MM-DDT00:00:00.000Z" of day itself (an ATH or ATL day). */
cJSON *ms_cg_add_day_iso(cJSON *obj, const char *key, int32_t day);

/* Lower-cases s into out (outsz bytes, cut to fit). */
void ms_cg_lower(const char *s, char *out, size_t outsz);

/*
 * Parses a CoinGecko time: UNIX seconds ("1519862400", a fraction is
 * dropped) or an ISO date "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM" (":SS" and a
 * trailing "Z" allowed; UTC), within 1970..2099. Returns 0 and sets *secs,
 * or MS_ERR_PARSE.
 */
int ms_cg_parse_time(const char *s, int64_t *secs);

/* 100 * (now - then) / then, NaN unless both are known and then > 0. */
double ms_cg_pct(double now, double then);

/* ---- the read model ---------------------------------------------------- */

/* A coin as of a day: its last bar, the day before, running ATH, rank. */
struct ms_cg_market {
	struct ms_asset asset;
	struct ms_bar bar;        /* last bar at or before the day */
	double prev_close, prev_market_cap, prev_volume;  /* bar.day - 1 */
	double ath;               /* highest high (close where unknown) to bar.day */
	int32_t ath_day;          /* -1 when unknown */
	int64_t rank;             /* market-cap rank among listed coins, 0 = none */
};

/* The last day with any bar (the "now" of every cg answer); MS_ERR_NODATA. */
int ms_cg_now(struct ms_store *st, int32_t *out);

/*
 * The "now" of an answer: as_of itself when >= 0 (from ms_cg_check_as_of),
 * else ms_cg_now. MS_ERR_NODATA when the store has no bar at or before it.
 */
int ms_cg_day(struct ms_store *st, int32_t as_of, int32_t *out);

/*
 * Every asset listed as of day (a bar in the MS_LISTED_DAYS days ending
 * day), ranked by market cap: the array is in rank order (known market caps
 * descending, then the others; ties by internal id) and rank is 1.. for
 * the ones with a market cap, 0 for the others. *out is malloc'd (caller
 * frees); *n may be 0 with *out NULL.
 */
int ms_cg_listing(struct ms_store *st, int32_t day, struct ms_cg_market **out,
    size_t *n);

/*
 * The assets listed as of day (active 1) or not (active 0), by id (slug).
 * *out is malloc'd (caller frees); *n may be 0 with *out NULL.
 */
int ms_cg_assets(struct ms_store *st, int32_t day, int active,
    struct ms_asset **out, size_t *n);

/* The asset whose id (slug) is id, case-insensitively; MS_ERR_NOTFOUND. */
int ms_cg_find(struct ms_store *st, const char *id, struct ms_asset *out);

/*
 * The assets whose symbol (by_name 0) or name (by_name 1) is key,
 * case-insensitively, that have a bar at or before day, best first
 * (largest market cap as listed on day; then internal id). At most max
 * are written to out; *n is how many were.
 */
int ms_cg_find_by(struct ms_store *st, int by_name, const char *key,
    int32_t day, struct ms_asset *out, size_t max, size_t *n);

/*
 * Fills c for asset a as of day: last bar at or before day, the day before
 * it, ATH and rank (0 when the asset is not listed on day or has no market
 * cap). MS_ERR_NODATA when it has no bar.
 */
int ms_cg_market_of(struct ms_store *st, const struct ms_asset *a, int32_t day,
    struct ms_cg_market *c);

/*
 * ms_cg_market_of without the rank (c->rank is 0): one query instead of
 * two, for answers that do not show a rank (simple/price, where the rank
 * query — a scan of every listed asset — was most of the cost).
 */
int ms_cg_quote_of(struct ms_store *st, const struct ms_asset *a,
    int32_t day, struct ms_cg_market *c);

/* The all-time low of an asset up to day (lowest low, close where unknown). */
int ms_cg_atl(struct ms_store *st, int64_t asset_id, int32_t day,
    double *price, int32_t *atl_day);

/*
 * Percent price change of c over k days: its close against the close of
 * bar.day - k (or the last bar at most floor(k/10) days older, as
 * /v1/assets/{id} does). NaN when unknown; *out is written either way.
 */
int ms_cg_change(struct ms_store *st, const struct ms_cg_market *c, int k,
    double *out);

/*
 * The asset's daily closes of day - 7 .. day as a JSON array (unknown
 * ones skipped), rounded to digits: the sparkline (7 days of daily
 * points, 8 with both ends, like market_chart?days=7).
 */
int ms_cg_sparkline(struct ms_store *st, int64_t asset_id, int32_t day,
    int digits, cJSON **out);

/*
 * {"prices": [[ms, close]...], "market_caps": [...], "total_volumes":
 * [...]} of the asset's bars with from <= day <= to, one point per bar at
 * its close instant; a day whose value is unknown is left out of that
 * series. Prices are rounded to digits.
 */
int ms_cg_chart(struct ms_store *st, int64_t asset_id, int32_t from,
    int32_t to, int digits, cJSON **out);

/* ---- categories ---------------------------------------------------------- */

/*
 * The display name of a Moonscope category (the vocabulary of
 * docs/import.md): the CoinGecko category name that the importer maps to
 * exactly that category ("layer-1" → "Layer 1 (L1)"), or the id itself
 * for one outside the vocabulary.
 */
const char *ms_cg_category_name(const char *id);

/* 1 when the asset's comma-separated categories include cat. */
int ms_cg_in_category(const struct ms_asset *a, const char *cat);

/*
 * The distinct categories of all assets, sorted by id, each at most
 * MS_CATEGORIES_MAX bytes. *out is malloc'd (caller frees with
 * ms_cg_categories_free); *n may be 0.
 */
int ms_cg_categories(struct ms_store *st, char ***out, size_t *n);
void ms_cg_categories_free(char **v, size_t n);

#endif
