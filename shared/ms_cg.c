/*
 * ms_cg.c — the shared half of the CoinGecko-compatible API (/api/v3):
 * CoinGecko-shaped errors and parameter checks, the time and number
 * conventions of its answers, and the read queries the cg_* routes need
 * beyond ms_market.h (the listing with the previous day and the running
 * ATH in one query, ranks, symbol and name lookups, all-time lows, charts,
 * categories). Like ms_market.c, every query binds the as-of day and reads
 * no row dated after it; statements come from the store's cache and are
 * reset after use.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "ms_cg.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_json.h"
#include "ms_log.h"
#include "ms_store.h"

/* ---- responses ------------------------------------------------------- */

int
ms_cg_error(struct ms_response *res, int status, const char *msg)
{
	cJSON *doc = cJSON_CreateObject();
	int rc;

	if (doc == NULL || cJSON_AddStringToObject(doc, "error", msg) == NULL) {
		cJSON_Delete(doc);
		return MS_ERR_NOMEM;
	}
	if ((rc = ms_response_json(res, status, doc)) != MS_OK)
		return rc;
	return MS_CG_SENT;
}

int
ms_cg_send(struct ms_response *res, cJSON *doc)
{
	return ms_response_json(res, 200, doc);
}

struct ms_store *
ms_cg_store(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	struct ms_store *st = ms_ctx_store(ctx, res, req);

	if (st == NULL) {
		int status = res->status >= 500 ? res->status : 503;
		int err = res->error;

		/* The runtime's problem+json becomes CoinGecko's shape. */
		if (ms_cg_error(res, status,
		    "the data store is not available; try again later") < 0)
			res->status = status;
		res->error = err;
	}
	return st;
}

/* ---- parameters ------------------------------------------------------ */

const char *
ms_cg_text(const struct ms_request *req, const char *name)
{
	const struct ms_param_value *v = ms_request_param(req, name);

	return v != NULL && v->present ? v->s : NULL;
}

/* Writes 400 "invalid NAME". */
static int
invalid(struct ms_response *res, const char *name)
{
	char msg[96];

	snprintf(msg, sizeof(msg), "invalid %s", name);
	return ms_cg_error(res, 400, msg);
}

int
ms_cg_required(const struct ms_request *req, struct ms_response *res,
    const char *name, const char **out)
{
	const char *s = ms_cg_text(req, name);
	char msg[96];

	if (s == NULL) {
		snprintf(msg, sizeof(msg), "Missing parameter %s", name);
		return ms_cg_error(res, 422, msg);
	}
	*out = s;
	return 0;
}

int
ms_cg_split(const char *s, char *buf, size_t bufsz, const char **items,
    size_t max)
{
	size_t len = strlen(s), n = 0;
	char *p, *comma;

	if (len >= bufsz)
		return -1;
	memcpy(buf, s, len + 1);
	for (p = buf; p != NULL; p = comma) {
		char *end;

		if ((comma = strchr(p, ',')) != NULL)
			*comma++ = '\0';
		while (*p == ' ')
			p++;
		end = p + strlen(p);
		while (end > p && end[-1] == ' ')
			*--end = '\0';
		if (*p == '\0')
			continue;
		if (n == max)
			return -1;
		items[n++] = p;
	}
	return (int)n;
}

int
ms_cg_vs_currency(const struct ms_request *req, struct ms_response *res,
    const char *name)
{
	const char *items[64];
	char buf[512];
	const char *s = NULL;
	int rc, n;

	if ((rc = ms_cg_required(req, res, name, &s)) != 0)
		return rc;
	n = ms_cg_split(s, buf, sizeof(buf), items, 64);
	for (int i = 0; i < n; i++)
		if (strcasecmp(items[i], "usd") == 0)
			return 0;
	return invalid(res, name);
}

int
ms_cg_flag(const struct ms_request *req, struct ms_response *res,
    const char *name, int def, int *out)
{
	const char *s = ms_cg_text(req, name);

	if (s == NULL)
		*out = def;
	else if (strcasecmp(s, "true") == 0)
		*out = 1;
	else if (strcasecmp(s, "false") == 0)
		*out = 0;
	else
		return invalid(res, name);
	return 0;
}

int
ms_cg_choice(const struct ms_request *req, struct ms_response *res,
    const char *name, const char *const *choices, int def, int *out)
{
	const char *s = ms_cg_text(req, name);

	if (s == NULL) {
		*out = def;
		return 0;
	}
	for (int i = 0; choices[i] != NULL; i++) {
		if (strcmp(s, choices[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return invalid(res, name);
}

/* Parses a whole decimal integer (no sign, blanks or junk); 0 or -1. */
static int
parse_int(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

int
ms_cg_int(const struct ms_request *req, struct ms_response *res,
    const char *name, int64_t min, int64_t max, int64_t def, int64_t *out)
{
	const char *s = ms_cg_text(req, name);
	int64_t v;

	if (s == NULL) {
		*out = def;
		return 0;
	}
	if (parse_int(s, &v) != 0 || v < min || v > max)
		return invalid(res, name);
	*out = v;
	return 0;
}

int
ms_cg_precision(const struct ms_request *req, struct ms_response *res,
    int *digits)
{
	const char *s = ms_cg_text(req, "precision");
	int64_t v;

	if (s == NULL || strcmp(s, "full") == 0) {
		*digits = -1;
		return 0;
	}
	if (parse_int(s, &v) != 0 || v > 18)
		return invalid(res, "precision");
	*digits = (int)v;
	return 0;
}

int
ms_cg_check_as_of(const struct ms_request *req, struct ms_response *res,
    int32_t *day)
{
	const char *s = ms_cg_text(req, "as_of");
	int32_t d;

	*day = -1;
	if (s == NULL)
		return 0;
	if (strlen(s) != MS_DATE_LEN ||
	    ms_date_parse(s, MS_DATE_LEN, &d) != MS_OK ||
	    d < MS_DATE_MIN || d > MS_DATE_MAX)
		return invalid(res, "as_of");
	*day = d;
	return 0;
}

/* ---- values and time ------------------------------------------------- */

double
ms_cg_round(double v, int digits)
{
	char buf[64];

	/* Beyond 1e17 a double has no decimals left to round. */
	if (digits < 0 || !isfinite(v) || fabs(v) >= 1e17)
		return v;
	if (snprintf(buf, sizeof(buf), "%.*f", digits, v) >= (int)sizeof(buf))
		return v;
	return strtod(buf, NULL);
}

cJSON *
ms_cg_number(double v)
{
	char buf[32];

	if (!isfinite(v))
		return cJSON_CreateNull();
	if (v == 0.0)
		return cJSON_CreateNumber(0.0);
	if (ms_json_format_double(v, buf, sizeof(buf)) < 0)
		return cJSON_CreateNumber(v);
	return cJSON_CreateRaw(buf);
}

cJSON *
ms_cg_integer(int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return cJSON_CreateRaw(buf);
}

cJSON *
ms_cg_add_usd(cJSON *obj, const char *key, double v)
{
	cJSON *o = cJSON_AddObjectToObject(obj, key);

	if (o != NULL)
		ms_json_num(o, "usd", v);
	return o;
}

int64_t
ms_cg_close_ms(int32_t day)
{
	return ((int64_t)day + 1) * MS_CG_DAY_MS;
}

void
ms_cg_close_iso(int32_t day, char buf[MS_CG_ISO_LEN + 1])
{
	char date[MS_DATE_LEN + 1];

	ms_date_format(day + 1, date);
	snprintf(buf, MS_CG_ISO_LEN + 1, "%sT00:00:00.000Z", date);
}

cJSON *
ms_cg_add_close_iso(cJSON *obj, const char *key, int32_t day)
{
	char buf[MS_CG_ISO_LEN + 1];

	if (day < 0)
		return cJSON_AddNullToObject(obj, key);
	ms_cg_close_iso(day, buf);
	return cJSON_AddStringToObject(obj, key, buf);
}

cJSON *
ms_cg_add_day_iso(cJSON *obj, const char *key, int32_t day)
{
	char date[MS_DATE_LEN + 1], buf[MS_CG_ISO_LEN + 1];

	if (day < 0)
		return cJSON_AddNullToObject(obj, key);
	ms_date_format(day, date);
	snprintf(buf, sizeof(buf), "%sT00:00:00.000Z", date);
	return cJSON_AddStringToObject(obj, key, buf);
}

void
ms_cg_lower(const char *s, char *out, size_t outsz)
{
	size_t i;

	if (outsz == 0)
		return;
	for (i = 0; s[i] != '\0' && i + 1 < outsz; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
}

/* Two decimal digits at s as an int, or -1. */
static int
two_digits(const char *s)
{
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

#define CG_TIME_MAX 4102444800LL   /* 2100-01-01T00:00:00Z */

int
ms_cg_parse_time(const char *s, int64_t *secs)
{
	size_t len = s != NULL ? strlen(s) : 0;
	int64_t v;
	int32_t day;
	int hh = 0, mm = 0, ss = 0, y, mo, d;
	size_t i;

	if (len == 0 || len > 32)
		return MS_ERR_PARSE;
	/* UNIX seconds, perhaps with a fraction (dropped). */
	for (i = 0; i < len && isdigit((unsigned char)s[i]); i++)
		;
	if (i > 0 && i <= 10 && (i == len || s[i] == '.')) {
		char head[12];
		size_t j;

		for (j = i + 1; i < len && j < len; j++)
			if (!isdigit((unsigned char)s[j]))
				return MS_ERR_PARSE;
		if (i < len && j == i + 1)
			return MS_ERR_PARSE;   /* "123." */
		memcpy(head, s, i);
		head[i] = '\0';
		if (parse_int(head, &v) != 0 || v > CG_TIME_MAX)
			return MS_ERR_PARSE;
		*secs = v;
		return MS_OK;
	}
	/* YYYY-MM-DD[THH:MM[:SS]][Z] */
	if (len < 10 || i != 4 || s[4] != '-' || s[7] != '-')
		return MS_ERR_PARSE;
	y = two_digits(s) * 100 + two_digits(s + 2);
	mo = two_digits(s + 5);
	d = two_digits(s + 8);
	if (two_digits(s) < 0 || two_digits(s + 2) < 0 || mo < 0 || d < 0 ||
	    y < 1970 || y > 2099 || !ms_date_valid_ymd(y, mo, d))
		return MS_ERR_PARSE;
	i = 10;
	if (i < len && s[i] == 'T') {
		if (len < 16 || s[13] != ':')
			return MS_ERR_PARSE;
		hh = two_digits(s + 11);
		mm = two_digits(s + 14);
		i = 16;
		if (i < len && s[i] == ':') {
			if (len < 19)
				return MS_ERR_PARSE;
			ss = two_digits(s + 17);
			i = 19;
		}
		if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59)
			return MS_ERR_PARSE;
	}
	if (i < len && s[i] == 'Z')
		i++;
	if (i != len)
		return MS_ERR_PARSE;
	day = ms_date_from_ymd(y, mo, d);
	*secs = (int64_t)day * 86400 + hh * 3600 + mm * 60 + ss;
	return MS_OK;
}

double
ms_cg_pct(double now, double then)
{
	if (!isfinite(now) || !isfinite(then) || then <= 0)
		return NAN;
	return 100.0 * (now - then) / then;
}

/* ---- the read model -------------------------------------------------- */

/*
 * Reads the COIN_COLS columns from `first`: the bar, ATH, and the day
 * before's close, market cap and volume.
 */
#define COIN_COLS "d.day, d.open, d.high, d.low, d.close, d.volume, " \
	"d.market_cap, d.source_id, d.ath, d.ath_day, p.close, p.market_cap, " \
	"p.volume"

static void
read_coin(sqlite3_stmt *s, int first, struct ms_cg_market *c)
{
	struct ms_bar *b = &c->bar;

	ms_market_read_bar(s, first, b);
	c->ath = ms_store_col_double(s, first + 8);
	c->ath_day = sqlite3_column_type(s, first + 9) == SQLITE_NULL ? -1 :
	    (int32_t)sqlite3_column_int64(s, first + 9);
	c->prev_close = ms_store_col_double(s, first + 10);
	c->prev_market_cap = ms_store_col_double(s, first + 11);
	c->prev_volume = ms_store_col_double(s, first + 12);
	c->rank = 0;
}

int
ms_cg_now(struct ms_store *st, int32_t *out)
{
	return ms_market_latest_day(st, -1, out);
}

int
ms_cg_day(struct ms_store *st, int32_t as_of, int32_t *out)
{
	int32_t last;
	int rc;

	if (as_of < 0)
		return ms_cg_now(st, out);
	if ((rc = ms_market_latest_day(st, as_of, &last)) != 0)
		return rc;
	*out = as_of;
	return 0;
}

int
ms_cg_listing(struct ms_store *st, int32_t day, struct ms_cg_market **out,
    size_t *n)
{
	/*
	 * Each asset's last bar in the listing window, the day before it
	 * from a primary-key lookup, in rank order. CROSS JOIN keeps assets
	 * the outer loop: otherwise SQLite may scan all of `daily` and run
	 * the subquery per row (0.8 s instead of 10 ms on the real store).
	 */
	static const char sql[] =
	    "SELECT a.id, a.slug, a.symbol, a.name, a.categories, " COIN_COLS
	    " FROM assets a CROSS JOIN daily d ON d.asset_id = a.id AND d.day = "
	    "(SELECT max(x.day) FROM daily x WHERE x.asset_id = a.id "
	    " AND x.day <= ?1 AND x.day >= ?2) "
	    "LEFT JOIN daily p ON p.asset_id = a.id AND p.day = d.day - 1 "
	    "ORDER BY d.market_cap IS NULL, d.market_cap DESC, a.id";
	sqlite3_stmt *s;
	struct ms_cg_market *v = NULL, *nv;
	size_t len = 0, cap = 0;
	int rc;

	if ((s = ms_store_stmt(st, sql)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, day);
	sqlite3_bind_int64(s, 2, (int64_t)day - (MS_LISTED_DAYS - 1));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 256;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				free(v);
				sqlite3_reset(s);
				return MS_ERR_NOMEM;
			}
			v = nv;
		}
		ms_market_read_asset(s, 0, &v[len].asset);
		read_coin(s, 5, &v[len]);
		if (!isnan(v[len].bar.market_cap))
			v[len].rank = (int64_t)len + 1;
		len++;
	}
	if (rc != SQLITE_DONE) {
		free(v);
		return ms_store_step_error(st, s, "cg listing");
	}
	sqlite3_reset(s);
	*out = v;
	*n = len;
	return 0;
}

int
ms_cg_assets(struct ms_store *st, int32_t day, int active,
    struct ms_asset **out, size_t *n)
{
	static const char sql[] =
	    "SELECT a.id, a.slug, a.symbol, a.name, a.categories FROM assets a "
	    "WHERE EXISTS (SELECT 1 FROM daily d WHERE d.asset_id = a.id "
	    " AND d.day <= ?1 AND d.day >= ?2) = ?3 ORDER BY a.slug";
	sqlite3_stmt *s;
	struct ms_asset *v = NULL, *nv;
	size_t len = 0, cap = 0;
	int rc;

	if ((s = ms_store_stmt(st, sql)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, day);
	sqlite3_bind_int64(s, 2, (int64_t)day - (MS_LISTED_DAYS - 1));
	sqlite3_bind_int(s, 3, active ? 1 : 0);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 256;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				free(v);
				sqlite3_reset(s);
				return MS_ERR_NOMEM;
			}
			v = nv;
		}
		ms_market_read_asset(s, 0, &v[len++]);
	}
	if (rc != SQLITE_DONE) {
		free(v);
		return ms_store_step_error(st, s, "cg assets");
	}
	sqlite3_reset(s);
	*out = v;
	*n = len;
	return 0;
}

int
ms_cg_find(struct ms_store *st, const char *id, struct ms_asset *out)
{
	static const char sql[] =
	    "SELECT id, slug, symbol, name, categories FROM assets "
	    "WHERE slug = lower(?1)";
	sqlite3_stmt *s;
	int rc;

	if ((s = ms_store_stmt(st, sql)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return MS_ERR_NOTFOUND;
	}
	if (rc != SQLITE_ROW)
		return ms_store_step_error(st, s, "cg find");
	ms_market_read_asset(s, 0, out);
	sqlite3_reset(s);
	return 0;
}

int
ms_cg_find_by(struct ms_store *st, int by_name, const char *key,
    int32_t day, struct ms_asset *out, size_t max, size_t *n)
{
#define FIND_BY(col) \
	"SELECT a.id, a.slug, a.symbol, a.name, a.categories, " \
	"(SELECT d.market_cap FROM daily d WHERE d.asset_id = a.id " \
	" AND d.day <= ?2 AND d.day >= ?3 ORDER BY d.day DESC LIMIT 1) AS mc " \
	"FROM assets a WHERE a." col " = ?1 COLLATE NOCASE AND EXISTS " \
	"(SELECT 1 FROM daily y WHERE y.asset_id = a.id AND y.day <= ?2) " \
	"ORDER BY mc IS NULL, mc DESC, a.id LIMIT 64"
	static const char by_symbol[] = FIND_BY("symbol");
	static const char by_name_sql[] = FIND_BY("name");
#undef FIND_BY
	sqlite3_stmt *s;
	size_t len = 0;
	int rc = SQLITE_DONE;

	if ((s = ms_store_stmt(st, by_name ? by_name_sql : by_symbol)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, day);
	sqlite3_bind_int64(s, 3, (int64_t)day - (MS_LISTED_DAYS - 1));
	while (len < max && (rc = sqlite3_step(s)) == SQLITE_ROW)
		ms_market_read_asset(s, 0, &out[len++]);
	if (len < max && rc != SQLITE_DONE)
		return ms_store_step_error(st, s, "cg find by");
	sqlite3_reset(s);
	*n = len;
	return 0;
}

/* ms_cg_market_of, with the rank query only when want_rank. */
static int
market_of(struct ms_store *st, const struct ms_asset *a, int32_t day,
    struct ms_cg_market *c, int want_rank)
{
	static const char sql[] =
	    "SELECT " COIN_COLS " FROM daily d LEFT JOIN daily p "
	    "ON p.asset_id = d.asset_id AND p.day = d.day - 1 "
	    "WHERE d.asset_id = ?1 AND d.day <= ?2 ORDER BY d.day DESC LIMIT 1";
	/* Listed assets ranked above it: a larger cap, or equal and older. */
	static const char rank_sql[] =
	    "SELECT count(*) FROM assets a CROSS JOIN daily d "
	    "ON d.asset_id = a.id "
	    "AND d.day = (SELECT max(x.day) FROM daily x WHERE x.asset_id = a.id "
	    " AND x.day <= ?1 AND x.day >= ?2) "
	    "WHERE d.market_cap > ?3 OR (d.market_cap = ?3 AND a.id < ?4)";
	sqlite3_stmt *s;
	int rc;

	if ((s = ms_store_stmt(st, sql)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, a->id);
	sqlite3_bind_int64(s, 2, day);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return MS_ERR_NODATA;
	}
	if (rc != SQLITE_ROW)
		return ms_store_step_error(st, s, "cg coin");
	c->asset = *a;
	read_coin(s, 0, c);
	sqlite3_reset(s);

	if (!want_rank || isnan(c->bar.market_cap) ||
	    c->bar.day < day - (MS_LISTED_DAYS - 1))
		return 0;
	if ((s = ms_store_stmt(st, rank_sql)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, day);
	sqlite3_bind_int64(s, 2, (int64_t)day - (MS_LISTED_DAYS - 1));
	sqlite3_bind_double(s, 3, c->bar.market_cap);
	sqlite3_bind_int64(s, 4, a->id);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW)
		return ms_store_step_error(st, s, "cg rank");
	c->rank = sqlite3_column_int64(s, 0) + 1;
	sqlite3_reset(s);
	return 0;
}

int
ms_cg_market_of(struct ms_store *st, const struct ms_asset *a, int32_t day,
    struct ms_cg_market *c)
{
	return market_of(st, a, day, c, 1);
}

int
ms_cg_quote_of(struct ms_store *st, const struct ms_asset *a, int32_t day,
    struct ms_cg_market *c)
{
	return market_of(st, a, day, c, 0);
}

int
ms_cg_atl(struct ms_store *st, int64_t asset_id, int32_t day,
    double *price, int32_t *atl_day)
{
	static const char sql[] =
	    "SELECT coalesce(low, close) AS v, day FROM daily "
	    "WHERE asset_id = ?1 AND day <= ?2 AND v IS NOT NULL "
	    "ORDER BY v, day LIMIT 1";
	sqlite3_stmt *s;
	int rc;

	if ((s = ms_store_stmt(st, sql)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_int64(s, 1, asset_id);
	sqlite3_bind_int64(s, 2, day);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return MS_ERR_NODATA;
	}
	if (rc != SQLITE_ROW)
		return ms_store_step_error(st, s, "cg atl");
	*price = sqlite3_column_double(s, 0);
	*atl_day = (int32_t)sqlite3_column_int64(s, 1);
	sqlite3_reset(s);
	return 0;
}

int
ms_cg_change(struct ms_store *st, const struct ms_cg_market *c, int k,
    double *out)
{
	struct ms_bar past;
	int rc;

	*out = NAN;
	if (k == 1) {
		*out = ms_cg_pct(c->bar.close, c->prev_close);
		return 0;
	}
	rc = ms_market_bar_near(st, c->asset.id, c->bar.day - k, k / 10, &past);
	if (rc == MS_ERR_NODATA)
		return 0;
	if (rc != 0)
		return rc;
	*out = ms_cg_pct(c->bar.close, past.close);
	return 0;
}

int
ms_cg_sparkline(struct ms_store *st, int64_t asset_id, int32_t day,
    int digits, cJSON **out)
{
	struct ms_bar *bars = NULL;
	size_t n = 0;
	cJSON *arr;
	int rc;

	if ((rc = ms_market_bars(st, asset_id, day - 7, day, &bars, &n)) != 0)
		return rc;
	if ((arr = cJSON_CreateArray()) == NULL) {
		free(bars);
		return MS_ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++)
		if (!isnan(bars[i].close))
			cJSON_AddItemToArray(arr,
			    ms_cg_number(ms_cg_round(bars[i].close, digits)));
	free(bars);
	*out = arr;
	return 0;
}

/* Appends [ms, v] to arr unless v is unknown. */
static void
add_point(cJSON *arr, int64_t ms, double v)
{
	cJSON *pt;

	if (!isfinite(v) || (pt = cJSON_CreateArray()) == NULL)
		return;
	cJSON_AddItemToArray(pt, ms_cg_integer(ms));
	cJSON_AddItemToArray(pt, ms_cg_number(v));
	cJSON_AddItemToArray(arr, pt);
}

int
ms_cg_chart(struct ms_store *st, int64_t asset_id, int32_t from, int32_t to,
    int digits, cJSON **out)
{
	struct ms_bar *bars = NULL;
	size_t n = 0;
	cJSON *doc, *prices, *caps, *vols;
	int rc;

	if (from > to) {
		n = 0;
	} else if ((rc = ms_market_bars(st, asset_id, from, to, &bars,
	    &n)) != 0) {
		return rc;
	}
	doc = cJSON_CreateObject();
	prices = cJSON_AddArrayToObject(doc, "prices");
	caps = cJSON_AddArrayToObject(doc, "market_caps");
	vols = cJSON_AddArrayToObject(doc, "total_volumes");
	if (doc == NULL || prices == NULL || caps == NULL || vols == NULL) {
		free(bars);
		cJSON_Delete(doc);
		return MS_ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		int64_t ms = ms_cg_close_ms(bars[i].day);

		add_point(prices, ms, ms_cg_round(bars[i].close, digits));
		add_point(caps, ms, bars[i].market_cap);
		add_point(vols, ms, bars[i].volume);
	}
	free(bars);
	*out = doc;
	return 0;
}

/* ---- categories ------------------------------------------------------ */

/*
 * The Moonscope vocabulary (docs/import.md) with, for each, a CoinGecko
 * category name that ingest/ms_reference.c maps to exactly that category,
 * so that a Moonscope ingesting this list tags the same sectors.
 */
static const struct { const char *id, *name; } cg_names[] = {
	{ "ai", "Artificial Intelligence (AI)" },
	{ "defi", "Decentralized Finance (DeFi)" },
	{ "depin", "DePIN" },
	{ "exchange", "Exchange-based Tokens" },
	{ "gaming", "Gaming (GameFi)" },
	{ "infrastructure", "Infrastructure" },
	{ "interoperability", "Cross-chain Communication" },
	{ "layer-0", "Layer 0 (L0)" },
	{ "layer-1", "Layer 1 (L1)" },
	{ "layer-2", "Layer 2 (L2)" },
	{ "liquid-staking", "Liquid Staking Tokens" },
	{ "meme", "Meme" },
	{ "metaverse", "Metaverse" },
	{ "nft", "NFT" },
	{ "oracle", "Oracle" },
	{ "payments", "Payments" },
	{ "privacy", "Privacy" },
	{ "rwa", "Real World Assets (RWA)" },
	{ "smart-contracts", "Smart Contract Platform" },
	{ "stablecoin", "Stablecoins" },
	{ "storage", "Storage" },
	{ "store-of-value", "Store of Value" },
	{ "wrapped", "Wrapped-Tokens" },
};

const char *
ms_cg_category_name(const char *id)
{
	for (size_t i = 0; i < sizeof(cg_names) / sizeof(cg_names[0]); i++)
		if (strcmp(cg_names[i].id, id) == 0)
			return cg_names[i].name;
	return id;
}

int
ms_cg_in_category(const struct ms_asset *a, const char *cat)
{
	size_t n = strlen(cat);
	const char *p = a->categories;

	if (n == 0)
		return 0;
	while (*p != '\0') {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (len == n && strncasecmp(p, cat, n) == 0)
			return 1;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return 0;
}

static int
cmp_str(const void *pa, const void *pb)
{
	const char *const *a = pa, *const *b = pb;

	return strcmp(*a, *b);
}

void
ms_cg_categories_free(char **v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

/* Adds the items of csv (p, len bytes) to the set v; 0 or MS_ERR_NOMEM. */
static int
add_categories(const char *csv, char ***v, size_t *n, size_t *cap)
{
	const char *p = csv;

	while (*p != '\0') {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		size_t i;

		for (i = 0; len > 0 && i < *n; i++)
			if (strlen((*v)[i]) == len && memcmp((*v)[i], p, len) == 0)
				break;
		if (len > 0 && len < MS_CATEGORIES_MAX && i == *n) {
			char *item, **nv;

			if (*n == *cap) {
				*cap = *cap ? *cap * 2 : 32;
				if ((nv = realloc(*v, *cap * sizeof(**v))) == NULL)
					return MS_ERR_NOMEM;
				*v = nv;
			}
			if ((item = malloc(len + 1)) == NULL)
				return MS_ERR_NOMEM;
			memcpy(item, p, len);
			item[len] = '\0';
			(*v)[(*n)++] = item;
		}
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return 0;
}

int
ms_cg_categories(struct ms_store *st, char ***out, size_t *n)
{
	static const char sql[] =
	    "SELECT DISTINCT categories FROM assets "
	    "WHERE categories IS NOT NULL AND categories != ''";
	sqlite3_stmt *s;
	char **v = NULL;
	size_t len = 0, cap = 0;
	int rc;

	if ((s = ms_store_stmt(st, sql)) == NULL)
		return MS_ERR_STORE;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);

		if (t != NULL &&
		    add_categories((const char *)t, &v, &len, &cap) != 0) {
			sqlite3_reset(s);
			ms_cg_categories_free(v, len);
			return MS_ERR_NOMEM;
		}
	}
	if (rc != SQLITE_DONE) {
		ms_cg_categories_free(v, len);
		return ms_store_step_error(st, s, "cg categories");
	}
	sqlite3_reset(s);
	if (len > 1)
		qsort(v, len, sizeof(*v), cmp_str);
	*out = v;
	*n = len;
	return 0;
}
