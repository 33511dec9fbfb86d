/*
 * ms_import.c — the CSV import pipeline: layout detection, row checks,
 * asset identity, bar upserts, `daily` rebuilds and the import report.
 * The layouts and the row policy are documented in ms_import.h.
 *
 * Speed matters (the 2018 universe has 252k rows): each file runs in one
 * transaction with cached prepared statements; assets are looked up in an
 * in-memory hash map (one SQL lookup per distinct asset, not per row);
 * duplicate (asset, day) pairs are found in a hash set; nothing is
 * allocated per row (maps grow by doubling).
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "ms_csv.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_identity.h"
#include "ms_market.h"
#include "ms_import.h"
#include "ms_store.h"

#define MAX_FILES 100000
#define MAX_DEPTH 32

enum layout {
	L_CMC2018,
	L_KAGGLE,
	L_KAGGLE_NOSRC,
	L_COINGECKO,
	L_COINBASE,
	L_TOP200,
	L_GENERIC,
	L_COUNT
};

struct layout_def {
	const char *name;       /* layout and default source name */
	const char *header;     /* exact header line */
	int priority;
	const char *timing;
	const char *description;
};

static const struct layout_def layouts[L_COUNT] = {
	[L_CMC2018] = { "cmc_allcoins_2018",
	    "date,slug,open,high,low,close,volume_usd,market_cap_usd", 20,
	    "CMC daily OHLC; close at 23:59:59 UTC; market_cap at the day's "
	    "open",
	    "CoinMarketCap daily OHLCV and market cap of every listed coin, "
	    "2018-01-01..2018-07-02, scraped July 2018 (includes dead coins)" },
	[L_KAGGLE] = { "cmc_daily_kaggle",
	    "date,symbol,name,open,high,low,close,volume_usd,market_cap_usd,"
	    "source", 10,
	    "CMC daily OHLC; close at 23:59:59 UTC",
	    "CoinMarketCap daily OHLCV and market cap of major coins (the "
	    "Kaggle 'Cryptocurrency Historical Prices' set)" },
	[L_KAGGLE_NOSRC] = { "cmc_daily_kaggle",
	    "date,symbol,name,open,high,low,close,volume_usd,market_cap_usd",
	    10,
	    "CMC daily OHLC; close at 23:59:59 UTC",
	    "CoinMarketCap daily OHLCV and market cap of major coins (the "
	    "Kaggle 'Cryptocurrency Historical Prices' set)" },
	[L_COINGECKO] = { "coingecko_max",
	    "date,coin,price_usd,market_cap_usd,total_volume_usd,source", 30,
	    "CoinGecko 00:00 UTC snapshot of the file date, stored as the "
	    "close of the previous day (bar day = date - 1); open/high/low "
	    "unknown",
	    "CoinGecko website 'max' CSV exports (price, market cap, total "
	    "volume), daily" },
	[L_COINBASE] = { "coinbase_spot",
	    "date,symbol,base,open,high,low,close,volume", 50,
	    "Coinbase spot daily OHLC (UTC day); volume = base volume * close "
	    "(approximate USD); no market cap",
	    "Coinbase spot daily candles of USD pairs (listing-biased: only "
	    "coins traded on Coinbase)" },
	[L_TOP200] = { "cmc_top200_monthly",
	    "Rank,Name,Symbol,Market Cap,Price,Circulating Supply,"
	    "Volume (24h),% 1h,% 24h,% 7d,snapshot_date", 40,
	    "CMC historical snapshot: price and market cap at the close of "
	    "snapshot_date; no open/high/low",
	    "CoinMarketCap monthly top-200 snapshots (point-in-time ranks, "
	    "prices, market caps)" },
	[L_GENERIC] = { "generic",
	    "date,id,symbol,name,open,high,low,close,volume,market_cap", 60,
	    "user-supplied daily bars; close at the end of the UTC day",
	    "generic CSV import (date,id,symbol,name,open,high,low,close,"
	    "volume,market_cap)" },
};

static const char *const skip_names[MS_SKIP_COUNT] = {
	"missing_price", "nonpositive_price", "negative_value",
	"inconsistent_ohlc", "duplicate_row", "non_usd_quote",
	"date_out_of_range",
};

const char *
ms_import_skip_name(enum ms_import_skip k)
{
	return (unsigned)k < MS_SKIP_COUNT ? skip_names[k] : "unknown";
}

/* ---- hash maps -------------------------------------------------------- */

static uint64_t
hash_bytes(const char *s, size_t n)
{
	uint64_t h = UINT64_C(1469598103934665603);

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

static uint64_t
hash_u64(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

/* An asset met in the current file. */
struct asset_ent {
	char slug[MS_SLUG_MAX + 1];
	int64_t id;
	int touched;       /* its bars changed: rebuild daily */
};

/* A string key -> index map; keys live in one growing arena. */
struct strmap {
	size_t cap, n;      /* slots (power of two), used */
	uint32_t *slot;     /* index + 1 into keys/vals; 0 = empty */
	size_t *koff;       /* key offsets into arena */
	size_t *klen;
	int *val;
	uint64_t *khash;
	size_t kcap;
	char *arena;
	size_t alen, acap;
};

static void
strmap_free(struct strmap *m)
{
	free(m->slot);
	free(m->koff);
	free(m->klen);
	free(m->val);
	free(m->khash);
	free(m->arena);
	memset(m, 0, sizeof(*m));
}

static int
strmap_grow(struct strmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 1024;
	uint32_t *ns = calloc(ncap, sizeof(*ns));

	if (ns == NULL)
		return MS_ERR_NOMEM;
	for (size_t i = 0; i < m->n; i++) {
		size_t j = (size_t)m->khash[i] & (ncap - 1);

		while (ns[j] != 0)
			j = (j + 1) & (ncap - 1);
		ns[j] = (uint32_t)(i + 1);
	}
	free(m->slot);
	m->slot = ns;
	m->cap = ncap;
	return MS_OK;
}

/* Index of key, or -1. */
static int
strmap_get(const struct strmap *m, const char *k, size_t n, uint64_t h)
{
	if (m->cap == 0)
		return -1;
	for (size_t j = (size_t)h & (m->cap - 1); m->slot[j] != 0;
	    j = (j + 1) & (m->cap - 1)) {
		size_t i = m->slot[j] - 1;

		if (m->khash[i] == h && m->klen[i] == n &&
		    memcmp(m->arena + m->koff[i], k, n) == 0)
			return m->val[i];
	}
	return -1;
}

static int
strmap_put(struct strmap *m, const char *k, size_t n, uint64_t h, int val)
{
	size_t j;

	if ((m->n + 1) * 2 > m->cap && strmap_grow(m) != MS_OK)
		return MS_ERR_NOMEM;
	if (m->n == m->kcap) {
		size_t nk = m->kcap ? m->kcap * 2 : 512;
		size_t *o = realloc(m->koff, nk * sizeof(*o));

		if (o == NULL)
			return MS_ERR_NOMEM;
		m->koff = o;
		if ((o = realloc(m->klen, nk * sizeof(*o))) == NULL)
			return MS_ERR_NOMEM;
		m->klen = o;
		{
			int *v = realloc(m->val, nk * sizeof(*v));

			if (v == NULL)
				return MS_ERR_NOMEM;
			m->val = v;
		}
		{
			uint64_t *hh = realloc(m->khash, nk * sizeof(*hh));

			if (hh == NULL)
				return MS_ERR_NOMEM;
			m->khash = hh;
		}
		m->kcap = nk;
	}
	if (m->alen + n + 1 > m->acap) {
		size_t na = m->acap ? m->acap : 16384;
		char *a;

		while (m->alen + n + 1 > na)
			na *= 2;
		if ((a = realloc(m->arena, na)) == NULL)
			return MS_ERR_NOMEM;
		m->arena = a;
		m->acap = na;
	}
	memcpy(m->arena + m->alen, k, n);
	m->arena[m->alen + n] = '\0';
	m->koff[m->n] = m->alen;
	m->klen[m->n] = n;
	m->khash[m->n] = h;
	m->val[m->n] = val;
	m->alen += n + 1;
	j = (size_t)h & (m->cap - 1);
	while (m->slot[j] != 0)
		j = (j + 1) & (m->cap - 1);
	m->slot[j] = (uint32_t)(m->n + 1);
	m->n++;
	return MS_OK;
}

/* A set of (asset index, day) pairs, for duplicate rows. */
struct dayset {
	size_t cap, n;
	uint64_t *k;        /* key + 1; 0 = empty */
};

static void
dayset_free(struct dayset *s)
{
	free(s->k);
	memset(s, 0, sizeof(*s));
}

/* Returns 1 if newly added, 0 if present, <0 on error. */
static int
dayset_add(struct dayset *s, uint64_t key)
{
	size_t j;

	key += 1;
	if ((s->n + 1) * 2 > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 4096;
		uint64_t *nk = calloc(ncap, sizeof(*nk));

		if (nk == NULL)
			return MS_ERR_NOMEM;
		for (size_t i = 0; i < s->cap; i++) {
			if (s->k[i] == 0)
				continue;
			j = (size_t)hash_u64(s->k[i]) & (ncap - 1);
			while (nk[j] != 0)
				j = (j + 1) & (ncap - 1);
			nk[j] = s->k[i];
		}
		free(s->k);
		s->k = nk;
		s->cap = ncap;
	}
	for (j = (size_t)hash_u64(key) & (s->cap - 1); s->k[j] != 0;
	    j = (j + 1) & (s->cap - 1))
		if (s->k[j] == key)
			return 0;
	s->k[j] = key;
	s->n++;
	return 1;
}

/* ---- one import -------------------------------------------------------- */

struct imp {
	struct ms_store *st;
	struct ms_import_result *r;
	enum layout lay;
	int64_t source_id;
	int32_t day_min, day_max;
	struct strmap by_key;      /* raw row key -> asset index */
	struct strmap by_slug;     /* slug -> asset index */
	struct asset_ent *assets;
	size_t nassets, cassets;
	struct dayset seen;
	int changed;
};

/* One parsed row; strings point into the CSV record. */
struct row {
	int32_t day;
	const char *slug, *symbol, *name;
	double open, high, low, close, volume, mcap;
};

static int
reject(struct imp *im, unsigned long line, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
reject(struct imp *im, unsigned long line, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line == 0)   /* the file as a whole (it could not be opened) */
		snprintf(im->r->error, sizeof(im->r->error), "%s: %s",
		    im->r->path, msg);
	else
		snprintf(im->r->error, sizeof(im->r->error), "%s:%lu: %s",
		    im->r->path, line, msg);
	im->r->rejected = 1;
	return code;
}

/*
 * Parses a numeric field: empty -> NaN; otherwise the whole field must be
 * a finite decimal number (ms_csv_number). Returns 0 or -1.
 */
static int
parse_num(const char *s, size_t len, double *out)
{
	if (len == 0) {
		*out = NAN;
		return 0;
	}
	return ms_csv_number(s, len, out);
}

/*
 * Binds an asset's symbol (?2) and name (?3), either of which may be NULL
 * (the column stays NULL), steps a statement that returns no rows and
 * resets it. Parameter ?1 is bound by the caller. The strings are bound
 * SQLITE_STATIC: they must outlive the step, which they do here.
 */
static int
step_symbol_name(sqlite3_stmt *s, const char *symbol, const char *name)
{
	int rc;

	if (symbol != NULL)
		sqlite3_bind_text(s, 2, symbol, -1, SQLITE_STATIC);
	if (name != NULL)
		sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? MS_OK : MS_ERR_STORE;
}

/* The asset index for a row, creating the asset if needed. */
static int
asset_for_row(struct imp *im, const struct row *rw, unsigned long line,
    int *out)
{
	static const char sel[] =
	    "SELECT id, symbol, name FROM assets WHERE slug = ?";
	static const char ins[] =
	    "INSERT INTO assets(slug, symbol, name) VALUES (?, ?, ?)";
	static const char fill[] =
	    "UPDATE assets SET symbol = coalesce(symbol, ?2), "
	    "name = coalesce(name, ?3) WHERE id = ?1";
	char key[MS_SLUG_MAX + MS_SYMBOL_MAX + MS_NAME_MAX + 8];
	char sym[MS_SYMBOL_MAX + 1];
	struct ms_identity id;
	const char *symbol = NULL, *name = NULL;
	size_t kn, sn = 0, nn = 0, gn = 0;
	uint64_t h;
	int idx, rc, cacheable = 1;
	sqlite3_stmt *s;

	if (rw->slug != NULL)
		gn = strlen(rw->slug);
	if (rw->symbol != NULL)
		sn = strlen(rw->symbol);
	if (rw->name != NULL)
		nn = strlen(rw->name);
	if (gn > MS_SLUG_MAX)
		return reject(im, line, MS_ERR_TOOBIG,
		    "id longer than %d bytes", MS_SLUG_MAX);
	if (sn > MS_SYMBOL_MAX)
		return reject(im, line, MS_ERR_TOOBIG,
		    "symbol longer than %d bytes", MS_SYMBOL_MAX);
	if (nn > MS_NAME_MAX)
		return reject(im, line, MS_ERR_TOOBIG,
		    "name longer than %d bytes", MS_NAME_MAX);
	/* The row's raw identity: id \x1f symbol \x1f name. */
	kn = 0;
	memcpy(key + kn, rw->slug != NULL ? rw->slug : "", gn);
	kn += gn;
	key[kn++] = '\x1f';
	memcpy(key + kn, rw->symbol != NULL ? rw->symbol : "", sn);
	kn += sn;
	key[kn++] = '\x1f';
	memcpy(key + kn, rw->name != NULL ? rw->name : "", nn);
	kn += nn;
	key[kn] = '\0';
	h = hash_bytes(key, kn);
	if ((idx = strmap_get(&im->by_key, key, kn, h)) >= 0) {
		*out = idx;
		return MS_OK;
	}
	/* A ticker whose meaning changed over time is resolved per row
	 * (never cached). */
	if (gn == 0 && sn > 0) {
		for (size_t i = 0; i < ms_identity_count(); i++) {
			const struct ms_known_asset *k = ms_identity_entry(i);

			if ((k->from_day || k->until_day) &&
			    strcasecmp(k->symbol, rw->symbol) == 0)
				cacheable = 0;
		}
	}
	rc = ms_identity_resolve(rw->slug, rw->symbol, rw->name, rw->day, &id);
	if (rc == MS_ERR_TOOBIG)
		return reject(im, line, rc, "asset id longer than %d bytes",
		    MS_SLUG_MAX);
	if (rc != MS_OK)
		return reject(im, line, MS_ERR_INVALID,
		    "no usable asset id (id %s, symbol %s, name %s)",
		    gn ? rw->slug : "empty", sn ? rw->symbol : "empty",
		    nn ? rw->name : "empty");
	idx = strmap_get(&im->by_slug, id.slug, strlen(id.slug),
	    hash_bytes(id.slug, strlen(id.slug)));
	if (idx < 0) {
		if (id.symbol != NULL) {
			size_t n = strlen(id.symbol);

			if (n > MS_SYMBOL_MAX)
				n = MS_SYMBOL_MAX;
			for (size_t i = 0; i < n; i++) {
				char c = id.symbol[i];

				sym[i] = c >= 'a' && c <= 'z' ?
				    (char)(c - 'a' + 'A') : c;
			}
			sym[n] = '\0';
			symbol = sym;
		}
		name = id.name;
		if (im->nassets == im->cassets) {
			size_t nc = im->cassets ? im->cassets * 2 : 256;
			struct asset_ent *a = realloc(im->assets,
			    nc * sizeof(*a));

			if (a == NULL)
				return MS_ERR_NOMEM;
			im->assets = a;
			im->cassets = nc;
		}
		idx = (int)im->nassets;
		memset(&im->assets[idx], 0, sizeof(im->assets[idx]));
		memcpy(im->assets[idx].slug, id.slug, strlen(id.slug) + 1);

		if ((s = ms_store_stmt(im->st, sel)) == NULL)
			return MS_ERR_STORE;
		sqlite3_bind_text(s, 1, id.slug, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			int need = (symbol != NULL &&
			    sqlite3_column_type(s, 1) == SQLITE_NULL) ||
			    (name != NULL &&
			    sqlite3_column_type(s, 2) == SQLITE_NULL);

			im->assets[idx].id = sqlite3_column_int64(s, 0);
			sqlite3_reset(s);
			if (need) {
				if ((s = ms_store_stmt(im->st, fill)) == NULL)
					return MS_ERR_STORE;
				sqlite3_bind_int64(s, 1, im->assets[idx].id);
				if (step_symbol_name(s, symbol, name) != MS_OK)
					return MS_ERR_STORE;
				im->changed = 1;
			}
		} else if (rc == SQLITE_DONE) {
			sqlite3_reset(s);
			if ((s = ms_store_stmt(im->st, ins)) == NULL)
				return MS_ERR_STORE;
			sqlite3_bind_text(s, 1, id.slug, -1, SQLITE_STATIC);
			if (step_symbol_name(s, symbol, name) != MS_OK)
				return MS_ERR_STORE;
			im->assets[idx].id =
			    sqlite3_last_insert_rowid(ms_store_db(im->st));
			im->changed = 1;
			im->r->assets_new++;
		} else {
			sqlite3_reset(s);
			return MS_ERR_STORE;
		}
		im->nassets++;
		if ((rc = strmap_put(&im->by_slug, id.slug, strlen(id.slug),
		    hash_bytes(id.slug, strlen(id.slug)), idx)) != MS_OK)
			return rc;
	}
	if (cacheable &&
	    (rc = strmap_put(&im->by_key, key, kn, h, idx)) != MS_OK)
		return rc;
	*out = idx;
	return MS_OK;
}

/* Inserts or updates one bar (ms_store_put_bar) and counts the outcome. */
static int
store_bar(struct imp *im, int idx, const struct row *rw)
{
	const struct ms_bar b = { .day = rw->day, .open = rw->open,
		.high = rw->high, .low = rw->low, .close = rw->close,
		.volume = rw->volume, .market_cap = rw->mcap };
	int rc = ms_store_put_bar(im->st, im->assets[idx].id, im->source_id,
	    &b);

	if (rc < 0)
		return rc;
	if (rc == 0) {
		im->r->unchanged++;
		return MS_OK;
	}
	if (rc == MS_STORE_BAR_INSERTED)
		im->r->inserted++;
	else
		im->r->updated++;
	im->assets[idx].touched = 1;
	im->changed = 1;
	return MS_OK;
}

/* Remembers a value of the per-row `source` column. */
static void
note_srcvalue(struct ms_import_result *r, const char *v, size_t n)
{
	for (size_t i = 0; i < r->nsrcvalues; i++) {
		if (strncmp(r->srcvalues[i].value, v,
		    sizeof(r->srcvalues[i].value) - 1) == 0 &&
		    (n >= sizeof(r->srcvalues[i].value) - 1 ||
		    r->srcvalues[i].value[n] == '\0')) {
			r->srcvalues[i].rows++;
			return;
		}
	}
	if (r->nsrcvalues == MS_IMPORT_MAX_SRCVALUES) {
		r->srcvalue_other++;
		return;
	}
	snprintf(r->srcvalues[r->nsrcvalues].value,
	    sizeof(r->srcvalues[0].value), "%s", v);
	r->srcvalues[r->nsrcvalues].rows = 1;
	r->nsrcvalues++;
}

static int
same_header(const struct ms_csv *csv, const char *hdr)
{
	size_t nf = ms_csv_nfields(csv), len;
	const char *p = hdr;

	for (size_t i = 0; i < nf; i++) {
		const char *f = ms_csv_field(csv, i, &len);

		if (strncmp(p, f, len) != 0)
			return 0;
		p += len;
		if (i + 1 < nf) {
			if (*p != ',')
				return 0;
			p++;
		}
	}
	return *p == '\0';
}

static size_t
header_fields(const char *hdr)
{
	size_t n = 1;

	for (; *hdr; hdr++)
		n += *hdr == ',';
	return n;
}

/* Field i as a number, or a file-level rejection. */
#define NUM(i, dst) do { \
	size_t l_; \
	const char *f_ = ms_csv_field(csv, (i), &l_); \
	char c_[64]; \
	if (parse_num(f_, l_, &(dst)) != 0) \
		return reject(im, line, MS_ERR_PARSE, \
		    "field %zu (%s): not a number: \"%.40s\"", \
		    (size_t)(i) + 1, colname(im->lay, (i), c_), f_); \
} while (0)

/* The name of column i of a layout, for messages, in buf. */
static const char *
colname(enum layout lay, size_t i, char buf[64])
{
	const char *p = layouts[lay].header, *c;
	size_t k = 0;

	while (k < i && (c = strchr(p, ',')) != NULL) {
		p = c + 1;
		k++;
	}
	c = strchr(p, ',');
	snprintf(buf, 64, "%.*s",
	    (int)(c != NULL ? (size_t)(c - p) : strlen(p)), p);
	return buf;
}

static int
parse_date_field(struct imp *im, const struct ms_csv *csv, size_t i,
    unsigned long line, int32_t *out)
{
	size_t len;
	const char *f = ms_csv_field(csv, i, &len);
	int rc = ms_date_parse(f, len, out);
	char col[64];

	if (rc == MS_OK)
		return MS_OK;
	return reject(im, line, MS_ERR_PARSE, "%s: invalid date \"%.20s\"%s",
	    colname(im->lay, i, col), f,
	    rc == MS_ERR_RANGE ? " (no such day)" : " (want YYYY-MM-DD)");
}

/*
 * Fills rw from the current record. Returns 0, a skip reason + 1 via
 * *skip (row-level), or a negative error (file rejected).
 */
static int
parse_row(struct imp *im, const struct ms_csv *csv, unsigned long line,
    struct row *rw, int *skip)
{
	size_t len;
	const char *f;
	char ymd[MS_DATE_LEN + 1];
	int rc;

	*skip = -1;
	rw->slug = rw->symbol = rw->name = NULL;
	rw->open = rw->high = rw->low = rw->close = NAN;
	rw->volume = rw->mcap = NAN;
	switch (im->lay) {
	case L_CMC2018:
		if ((rc = parse_date_field(im, csv, 0, line, &rw->day)) != 0)
			return rc;
		rw->slug = ms_csv_field(csv, 1, NULL);
		NUM(2, rw->open);
		NUM(3, rw->high);
		NUM(4, rw->low);
		NUM(5, rw->close);
		NUM(6, rw->volume);
		NUM(7, rw->mcap);
		break;
	case L_KAGGLE:
	case L_KAGGLE_NOSRC:
		if ((rc = parse_date_field(im, csv, 0, line, &rw->day)) != 0)
			return rc;
		rw->symbol = ms_csv_field(csv, 1, NULL);
		rw->name = ms_csv_field(csv, 2, NULL);
		NUM(3, rw->open);
		NUM(4, rw->high);
		NUM(5, rw->low);
		NUM(6, rw->close);
		NUM(7, rw->volume);
		NUM(8, rw->mcap);
		if (im->lay == L_KAGGLE) {
			f = ms_csv_field(csv, 9, &len);
			note_srcvalue(im->r, f, len);
		}
		break;
	case L_COINGECKO:
		if ((rc = parse_date_field(im, csv, 0, line, &rw->day)) != 0)
			return rc;
		rw->day -= 1;   /* 00:00 UTC snapshot = previous day's close */
		rw->symbol = ms_csv_field(csv, 1, NULL);
		NUM(2, rw->close);
		NUM(3, rw->mcap);
		NUM(4, rw->volume);
		f = ms_csv_field(csv, 5, &len);
		note_srcvalue(im->r, f, len);
		break;
	case L_COINBASE:
		if ((rc = parse_date_field(im, csv, 0, line, &rw->day)) != 0)
			return rc;
		f = ms_csv_field(csv, 1, &len);
		rw->symbol = ms_csv_field(csv, 2, NULL);
		NUM(3, rw->open);
		NUM(4, rw->high);
		NUM(5, rw->low);
		NUM(6, rw->close);
		NUM(7, rw->volume);
		if (len < 4 || strcmp(f + len - 4, "/USD") != 0) {
			*skip = MS_SKIP_NON_USD_QUOTE;
			return 0;
		}
		if (!isnan(rw->volume) && !isnan(rw->close))
			rw->volume *= rw->close;
		break;
	case L_TOP200:
		f = ms_csv_field(csv, 10, &len);
		if (len != 8) {
			return reject(im, line, MS_ERR_PARSE,
			    "snapshot_date: invalid date \"%.20s\" (want "
			    "YYYYMMDD)", f);
		}
		memcpy(ymd, f, 4);
		ymd[4] = '-';
		memcpy(ymd + 5, f + 4, 2);
		ymd[7] = '-';
		memcpy(ymd + 8, f + 6, 2);
		ymd[10] = '\0';
		rc = ms_date_parse(ymd, MS_DATE_LEN, &rw->day);
		if (rc != MS_OK)
			return reject(im, line, MS_ERR_PARSE,
			    "snapshot_date: invalid date \"%.20s\"%s", f,
			    rc == MS_ERR_RANGE ? " (no such day)" :
			    " (want YYYYMMDD)");
		{
			double rank;

			NUM(0, rank);
			(void)rank;
		}
		rw->name = ms_csv_field(csv, 1, NULL);
		rw->symbol = ms_csv_field(csv, 2, NULL);
		NUM(3, rw->mcap);
		NUM(4, rw->close);
		NUM(6, rw->volume);
		break;
	case L_GENERIC:
		if ((rc = parse_date_field(im, csv, 0, line, &rw->day)) != 0)
			return rc;
		rw->slug = ms_csv_field(csv, 1, NULL);
		rw->symbol = ms_csv_field(csv, 2, NULL);
		rw->name = ms_csv_field(csv, 3, NULL);
		NUM(4, rw->open);
		NUM(5, rw->high);
		NUM(6, rw->low);
		NUM(7, rw->close);
		NUM(8, rw->volume);
		NUM(9, rw->mcap);
		break;
	case L_COUNT:
		return MS_ERR_INTERNAL;
	}

	/* Row-level checks, in a fixed order. */
	if (rw->day < im->day_min || rw->day > im->day_max) {
		*skip = MS_SKIP_DATE_OUT_OF_RANGE;
		return 0;
	}
	if (isnan(rw->close)) {
		*skip = MS_SKIP_MISSING_PRICE;
		return 0;
	}
	if (rw->close <= 0 || rw->open <= 0 || rw->high <= 0 ||
	    rw->low <= 0) {
		/* NaN compares false, so unknown values pass. */
		*skip = MS_SKIP_NONPOSITIVE_PRICE;
		return 0;
	}
	if (rw->volume < 0 || rw->mcap < 0) {
		*skip = MS_SKIP_NEGATIVE_VALUE;
		return 0;
	}
	if (!isnan(rw->high) && !isnan(rw->low)) {
		double tol = 1e-9 * rw->high;

		if (rw->high < rw->low || rw->close < rw->low - tol ||
		    rw->close > rw->high + tol ||
		    (!isnan(rw->open) && (rw->open < rw->low - tol ||
		    rw->open > rw->high + tol))) {
			*skip = MS_SKIP_INCONSISTENT_OHLC;
			return 0;
		}
	}
	if (rw->volume == 0 || rw->mcap == 0) {
		im->r->zero_as_null++;
		if (rw->volume == 0)
			rw->volume = NAN;
		if (rw->mcap == 0)
			rw->mcap = NAN;
	}
	return 0;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

/* Rebuilds daily, records the import and bumps the version. */
static int
finish_import(struct imp *im)
{
	static const char rec[] =
	    "INSERT INTO imports(path, layout, source_id, rows_read, "
	    "rows_inserted, rows_updated, rows_skipped, first_day, last_day, "
	    "finished_at, rows_unchanged, assets) VALUES (?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?, ?)";
	struct ms_import_result *r = im->r;
	sqlite3_stmt *s;
	int rc;

	for (size_t i = 0; i < im->nassets; i++)
		if (im->assets[i].touched &&
		    (rc = ms_store_rebuild_daily(im->st, im->assets[i].id))
		    != MS_OK)
			return rc;
	if ((s = ms_store_stmt(im->st, rec)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_text(s, 1, r->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, r->layout, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, im->source_id);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)r->rows_read);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)r->inserted);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)r->updated);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)r->skipped);
	if (r->first_day >= 0) {
		sqlite3_bind_int(s, 8, r->first_day);
		sqlite3_bind_int(s, 9, r->last_day);
	}
	sqlite3_bind_int64(s, 10, (sqlite3_int64)r->unchanged);
	sqlite3_bind_int64(s, 11, (sqlite3_int64)r->assets);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return MS_ERR_STORE;
	if (im->changed) {
		if ((rc = ms_store_bump_version(im->st)) != MS_OK)
			return rc;
		r->changed = 1;
	}
	return MS_OK;
}

/* Reads every data row; returns 0 or an error (file rejected). */
static int
import_rows(struct imp *im, struct ms_csv *csv, size_t nfields)
{
	struct ms_import_result *r = im->r;
	struct row rw;
	unsigned long line = 1;
	int rc, skip, idx;

	while ((rc = ms_csv_next(csv)) == 1) {
		line = ms_csv_line(csv);
		r->rows_read++;
		if (ms_csv_nfields(csv) != nfields)
			return reject(im, line, MS_ERR_PARSE,
			    "wrong number of fields: %zu (want %zu)",
			    ms_csv_nfields(csv), nfields);
		if ((rc = parse_row(im, csv, line, &rw, &skip)) != 0)
			return rc;
		if (skip < 0) {
			if ((rc = asset_for_row(im, &rw, line, &idx)) != 0)
				return rc;
			rc = dayset_add(&im->seen,
			    ((uint64_t)(uint32_t)idx << 32) |
			    (uint32_t)rw.day);
			if (rc < 0)
				return rc;
			if (rc == 0)
				skip = MS_SKIP_DUPLICATE_ROW;
		}
		if (skip >= 0) {
			r->skips[skip]++;
			r->skipped++;
			continue;
		}
		if ((rc = store_bar(im, idx, &rw)) != MS_OK)
			return rc;
		if (r->first_day < 0 || rw.day < r->first_day)
			r->first_day = rw.day;
		if (rw.day > r->last_day)
			r->last_day = rw.day;
	}
	if (rc < 0)
		return reject(im, ms_csv_line(csv), rc, "%s",
		    ms_csv_error(csv));
	r->assets = im->nassets;
	if (r->rows_read == 0)
		return reject(im, line, MS_ERR_INVALID, "no data rows");
	if (r->skipped * 2 > r->rows_read)
		return reject(im, line, MS_ERR_INVALID,
		    "%lu of %lu data rows skipped (more than 50%%): the file "
		    "is probably not what its header says", r->skipped,
		    r->rows_read);
	return MS_OK;
}

int
ms_import_file(struct ms_store *st, const char *path,
    const struct ms_import_opts *opts, struct ms_import_result *r)
{
	struct ms_import_opts dflt = { NULL, -1, 0 };
	struct ms_csv *csv = NULL;
	struct imp im;
	char err[256], hdr[200];
	const struct layout_def *ld;
	double t0 = now_seconds();
	int32_t today;
	int64_t v0 = 0, v1 = 0;
	int rc, in_tx = 0;

	if (opts == NULL)
		opts = &dflt;
	memset(r, 0, sizeof(*r));
	memset(&im, 0, sizeof(im));
	r->path = path;
	r->first_day = r->last_day = -1;
	im.st = st;
	im.r = r;
	today = opts->today != 0 ? opts->today : ms_date_today();
	im.day_min = ms_date_from_ymd(2009, 1, 3);
	im.day_max = today + 1;

	if ((rc = ms_csv_open(path, &csv, err, sizeof(err))) != MS_OK) {
		rc = reject(&im, 0, rc, "%s", err);
		goto out;
	}
	rc = ms_csv_next(csv);
	if (rc <= 0) {
		rc = reject(&im, ms_csv_line(csv),
		    rc == 0 ? MS_ERR_INVALID : rc,
		    "%s", rc == 0 ? "empty file (no header line)" :
		    ms_csv_error(csv));
		goto out;
	}
	im.lay = L_COUNT;
	for (int i = 0; i < L_COUNT; i++) {
		if (same_header(csv, layouts[i].header)) {
			im.lay = (enum layout)i;
			break;
		}
	}
	if (im.lay == L_COUNT) {
		size_t len, o = 0;

		hdr[0] = '\0';
		for (size_t i = 0; i < ms_csv_nfields(csv) && o < 120; i++) {
			const char *f = ms_csv_field(csv, i, &len);
			int n = snprintf(hdr + o, sizeof(hdr) - o, "%s%.*s",
			    i ? "," : "", (int)(len > 60 ? 60 : len), f);

			if (n < 0)
				break;
			o += (size_t)n;
			if (o >= sizeof(hdr))
				o = sizeof(hdr) - 1;
		}
		if (o >= 120)
			snprintf(hdr + 120, sizeof(hdr) - 120, "...");
		rc = reject(&im, 1, MS_ERR_PARSE,
		    "unknown CSV layout (header: %s)", hdr);
		r->unknown_layout = 1;
		goto out;
	}
	ld = &layouts[im.lay];
	r->layout = ld->name;
	if (opts->source != NULL && opts->source[0] != '\0')
		snprintf(r->source, sizeof(r->source), "%s", opts->source);
	else if (im.lay == L_GENERIC)
		snprintf(r->source, sizeof(r->source), "generic:%s",
		    base_name(path));
	else
		snprintf(r->source, sizeof(r->source), "%s", ld->name);

	if ((rc = ms_store_begin(st)) != MS_OK) {
		snprintf(r->error, sizeof(r->error), "%s: cannot start a "
		    "transaction: %s", path, ms_strerror(rc));
		goto out;
	}
	in_tx = 1;
	if ((rc = ms_store_data_version(st, &v0)) != MS_OK)
		goto out;
	/*
	 * A source keeps the priority it has unless --priority says
	 * otherwise: re-importing a file must not undo an operator's choice.
	 */
	int prio = ld->priority;
	rc = MS_OK;
	if (opts->priority >= 0)
		prio = opts->priority;
	else if ((rc = ms_store_source_priority(st, r->source, &prio)) ==
	    MS_ERR_NOTFOUND)
		rc = MS_OK;
	if (rc == MS_OK)
		rc = ms_store_source(st, r->source, prio, ld->timing, 0,
		    ld->description, &im.source_id);
	if (rc != MS_OK) {
		snprintf(r->error, sizeof(r->error), "%s: store error: %s",
		    path, ms_strerror(rc));
		goto out;
	}
	/* A new priority for an existing source rebuilt `daily`. */
	if ((rc = ms_store_data_version(st, &v1)) != MS_OK)
		goto out;
	if (v1 != v0)
		r->changed = 1;
	rc = import_rows(&im, csv, header_fields(ld->header));
	if (rc == MS_OK)
		rc = finish_import(&im);
	if (rc != MS_OK && !r->rejected && r->error[0] == '\0')
		snprintf(r->error, sizeof(r->error), "%s: store error: %s (%s)",
		    path, ms_strerror(rc), sqlite3_errmsg(ms_store_db(st)));
	if (rc == MS_OK) {
		rc = ms_store_commit(st);
		if (rc != MS_OK)
			snprintf(r->error, sizeof(r->error),
			    "%s: commit failed: %s", path, ms_strerror(rc));
		else
			in_tx = 0;
	}
out:
	if (in_tx && rc != MS_OK)
		ms_store_rollback(st);
	if (rc != MS_OK && r->error[0] == '\0')
		snprintf(r->error, sizeof(r->error), "%s: %s", path,
		    ms_strerror(rc));
	if (rc != MS_OK)
		r->changed = 0;
	ms_csv_close(csv);
	strmap_free(&im.by_key);
	strmap_free(&im.by_slug);
	dayset_free(&im.seen);
	free(im.assets);
	r->seconds = now_seconds() - t0;
	return rc;
}

/* ---- collecting files ------------------------------------------------- */

static int
has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

static int
push_path(char ***list, size_t *n, size_t *cap, const char *p)
{
	char *dup;

	if (*n >= MAX_FILES)
		return MS_ERR_TOOBIG;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		char **t = realloc(*list, nc * sizeof(*t));

		if (t == NULL)
			return MS_ERR_NOMEM;
		*list = t;
		*cap = nc;
	}
	if ((dup = strdup(p)) == NULL)
		return MS_ERR_NOMEM;
	(*list)[(*n)++] = dup;
	return MS_OK;
}

static int
walk(const char *dir, int depth, char ***list, size_t *n, size_t *cap,
    char *errbuf, size_t errlen)
{
	DIR *d;
	struct dirent *e;
	struct stat sb;
	char path[4096];
	int rc = MS_OK;

	if (depth > MAX_DEPTH) {
		snprintf(errbuf, errlen, "%s: directories nested too deep",
		    dir);
		return MS_ERR_TOOBIG;
	}
	if ((d = opendir(dir)) == NULL) {
		snprintf(errbuf, errlen, "%s: %s", dir, strerror(errno));
		return MS_ERR_IO;
	}
	while (rc == MS_OK && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    e->d_name) >= sizeof(path)) {
			snprintf(errbuf, errlen, "%s: path too long", dir);
			rc = MS_ERR_TOOBIG;
			break;
		}
		if (stat(path, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode))
			rc = walk(path, depth + 1, list, n, cap, errbuf,
			    errlen);
		else if (S_ISREG(sb.st_mode) && (has_suffix(path, ".csv") ||
		    has_suffix(path, ".csv.gz")))
			rc = push_path(list, n, cap, path);
	}
	closedir(d);
	if (rc == MS_ERR_TOOBIG && errbuf[0] == '\0')
		snprintf(errbuf, errlen, "more than %d files", MAX_FILES);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
ms_import_collect(const char *path, char ***list, size_t *n, char *errbuf,
    size_t errlen)
{
	struct stat sb;
	size_t cap = *n, first = *n;
	int rc;

	errbuf[0] = '\0';
	if (stat(path, &sb) != 0) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		return MS_ERR_IO;
	}
	if (!S_ISDIR(sb.st_mode))
		return push_path(list, n, &cap, path);
	{
		/* Strip trailing slashes so reported paths look right. */
		char dir[4096];
		size_t l = strlen(path);

		if (l >= sizeof(dir)) {
			snprintf(errbuf, errlen, "%s: path too long", path);
			return MS_ERR_TOOBIG;
		}
		memcpy(dir, path, l + 1);
		while (l > 1 && dir[l - 1] == '/')
			dir[--l] = '\0';
		rc = walk(dir, 0, list, n, &cap, errbuf, errlen);
	}
	if (rc == MS_OK && *n > first)
		qsort(*list + first, *n - first, sizeof(**list), cmp_str);
	return rc;
}

void
ms_import_free_list(char **list, size_t n)
{
	if (list == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

void
ms_import_print(FILE *f, const struct ms_import_result *r)
{
	char d0[MS_DATE_LEN + 1], d1[MS_DATE_LEN + 1];

	if (r->rejected || r->error[0] != '\0') {
		fprintf(f, "%s: REJECTED (nothing imported)\n  %s\n", r->path,
		    r->error);
		if (r->layout == NULL)
			return;
	}
	if (r->rejected)
		return;
	fprintf(f, "%s: layout %s, source %s\n", r->path, r->layout,
	    r->source);
	fprintf(f, "  rows read %lu, inserted %lu, updated %lu, unchanged "
	    "%lu, skipped %lu\n", r->rows_read, r->inserted, r->updated,
	    r->unchanged, r->skipped);
	for (int k = 0; k < MS_SKIP_COUNT; k++)
		if (r->skips[k] > 0)
			fprintf(f, "    skipped %s: %lu\n", skip_names[k],
			    r->skips[k]);
	if (r->zero_as_null > 0)
		fprintf(f, "  note: %lu rows had a zero volume or market cap, "
		    "stored as unknown (zero_as_null)\n", r->zero_as_null);
	if (r->first_day >= 0) {
		ms_date_format(r->first_day, d0);
		ms_date_format(r->last_day, d1);
	} else {
		snprintf(d0, sizeof(d0), "-");
		snprintf(d1, sizeof(d1), "-");
	}
	fprintf(f, "  assets %lu (%lu new), days %s..%s, %s, %.2f s\n",
	    r->assets, r->assets_new, d0, d1,
	    r->changed ? "store changed" : "no change", r->seconds);
	if (r->nsrcvalues > 0) {
		size_t show = r->nsrcvalues < 4 ? r->nsrcvalues : 3;

		fprintf(f, "  per-row source column: %zu%s distinct values\n",
		    r->nsrcvalues, r->srcvalue_other ? "+" : "");
		for (size_t i = 0; i < show; i++)
			fprintf(f, "    %s (%lu rows)\n", r->srcvalues[i].value,
			    r->srcvalues[i].rows);
		if (show < r->nsrcvalues || r->srcvalue_other)
			fprintf(f, "    ...\n");
	}
}
