/*
 * ms_ingest.c — `moonscope ingest`: the universe and daily history of a
 * CoinGecko-compatible upstream, fetched politely (ms_upstream.c), parsed
 * as untrusted JSON, and written to the store in one transaction. The
 * contract (phases, timing, missing days, identity) is in ms_ingest.h.
 *
 * Everything a run will write is held in memory (an ms_ingest_batch)
 * until the fetch phase is over, so the write lock is taken only for the
 * short write phase and a failure anywhere leaves the store untouched.
 * Bars are upserted the way the CSV importer does it (insert-or-nothing,
 * then update-where-different), so counts tell inserts from updates and
 * writing the same values again changes nothing.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "ms_cg.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_identity.h"
#include "ms_ingest.h"
#include "ms_market.h"
#include "ms_reference.h"
#include "ms_store.h"
#include "ms_upstream.h"

#define DAY_MS 86400000.0
#define DAY_S INT64_C(86400)
/* A range shorter than this gets hourly points from CoinGecko. */
#define MIN_RANGE_DAYS 92

/* ---- JSON field helpers ----------------------------------------------- */

static const char *
json_type(const cJSON *j)
{
	if (j == NULL)
		return "nothing";
	if (cJSON_IsNull(j))
		return "null";
	if (cJSON_IsBool(j))
		return "a boolean";
	if (cJSON_IsNumber(j))
		return "a number";
	if (cJSON_IsString(j))
		return "a string";
	if (cJSON_IsArray(j))
		return "an array";
	if (cJSON_IsObject(j))
		return "an object";
	return "an unknown value";
}

/* A number, or NaN for null/missing; anything else is an error. */
static int
num_item(const cJSON *it, double *out, const char *what, char *err,
    size_t errlen)
{
	if (it == NULL || cJSON_IsNull(it)) {
		*out = NAN;
		return MS_OK;
	}
	if (!cJSON_IsNumber(it)) {
		snprintf(err, errlen, "%s: expected a number or null, got %s",
		    what, json_type(it));
		return MS_ERR_PARSE;
	}
	if (!isfinite(it->valuedouble)) {
		snprintf(err, errlen, "%s: not a finite number", what);
		return MS_ERR_PARSE;
	}
	*out = it->valuedouble;
	return MS_OK;
}

static int
num_field(const cJSON *obj, const char *key, double *out, const char *ctx,
    char *err, size_t errlen)
{
	char what[96];

	snprintf(what, sizeof(what), "%s.%s", ctx, key);
	return num_item(cJSON_GetObjectItemCaseSensitive(obj, key), out, what,
	    err, errlen);
}

/*
 * A string into dst (cap bytes), or "" for null/missing, or "" when it is
 * too long or has control bytes (stored as unknown). Another type is an
 * error.
 */
static int
str_field(const cJSON *obj, const char *key, char *dst, size_t cap,
    const char *ctx, char *err, size_t errlen)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t n;

	dst[0] = '\0';
	if (it == NULL || cJSON_IsNull(it))
		return MS_OK;
	if (!cJSON_IsString(it) || it->valuestring == NULL) {
		snprintf(err, errlen, "%s.%s: expected a string or null, got %s",
		    ctx, key, json_type(it));
		return MS_ERR_PARSE;
	}
	n = strlen(it->valuestring);
	if (n >= cap)
		return MS_OK;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)it->valuestring[i] < ' ' ||
		    it->valuestring[i] == 0x7f)
			return MS_OK;
	memcpy(dst, it->valuestring, n + 1);
	return MS_OK;
}

int
ms_ingest_id_ok(const char *id, size_t len)
{
	if (len == 0 || len > MS_SLUG_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = id[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '-' && c != '_' && c != '.')))
			return 0;
	}
	return 1;
}

/* The coin's id: a string (else an error); *usable 0 when it is not a
 * usable slug. */
static int
id_field(const cJSON *obj, char *dst, int *usable, const char *ctx, char *err,
    size_t errlen)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, "id");
	size_t n;

	*usable = 0;
	dst[0] = '\0';
	if (!cJSON_IsString(it) || it->valuestring == NULL) {
		snprintf(err, errlen, "%s.id: expected a string, got %s", ctx,
		    json_type(it));
		return MS_ERR_PARSE;
	}
	n = strlen(it->valuestring);
	if (ms_ingest_id_ok(it->valuestring, n)) {
		memcpy(dst, it->valuestring, n + 1);
		*usable = 1;
	}
	return MS_OK;
}

/* ---- /coins/markets, /coins/list, /global ---------------------------- */

int
ms_ingest_parse_markets(const char *body, size_t len, struct ms_ingest_coin *out,
    size_t cap, size_t *n, unsigned long *skipped, char *err, size_t errlen)
{
	cJSON *root = NULL;
	const cJSON *el;
	size_t i = 0, k = 0;
	int rc;

	if ((rc = ms_upstream_parse_json(body, len, &root, err, errlen)) != 0)
		return rc;
	if (!cJSON_IsArray(root)) {
		snprintf(err, errlen, "expected an array of coins, got %s",
		    json_type(root));
		cJSON_Delete(root);
		return MS_ERR_PARSE;
	}
	rc = MS_OK;
	cJSON_ArrayForEach(el, root) {
		struct ms_ingest_coin *c;
		char ctx[32];
		int usable;

		if (i >= cap) {
			snprintf(err, errlen, "the page has more than the %zu "
			    "coins asked for", cap);
			rc = MS_ERR_TOOBIG;
			break;
		}
		snprintf(ctx, sizeof(ctx), "[%zu]", i);
		i++;
		if (!cJSON_IsObject(el)) {
			snprintf(err, errlen, "%s: expected an object, got %s",
			    ctx, json_type(el));
			rc = MS_ERR_PARSE;
			break;
		}
		c = &out[k];
		if ((rc = id_field(el, c->id, &usable, ctx, err, errlen)) != 0 ||
		    (rc = str_field(el, "symbol", c->symbol, sizeof(c->symbol),
		    ctx, err, errlen)) != 0 ||
		    (rc = str_field(el, "name", c->name, sizeof(c->name), ctx,
		    err, errlen)) != 0 ||
		    (rc = num_field(el, "current_price", &c->price, ctx, err,
		    errlen)) != 0 ||
		    (rc = num_field(el, "market_cap", &c->market_cap, ctx, err,
		    errlen)) != 0 ||
		    (rc = num_field(el, "total_volume", &c->volume, ctx, err,
		    errlen)) != 0 ||
		    (rc = num_field(el, "market_cap_rank", &c->rank, ctx, err,
		    errlen)) != 0)
			break;
		if (!usable) {
			(*skipped)++;
			continue;
		}
		k++;
	}
	cJSON_Delete(root);
	if (rc != MS_OK)
		return rc;
	*n = k;
	return MS_OK;
}

static int
cmp_coin_id(const void *a, const void *b)
{
	return strcmp(((const struct ms_ingest_coin *)a)->id,
	    ((const struct ms_ingest_coin *)b)->id);
}

int
ms_ingest_parse_list(const char *body, size_t len, struct ms_ingest_coin **out,
    size_t *n, unsigned long *skipped, char *err, size_t errlen)
{
	cJSON *root = NULL;
	const cJSON *el;
	struct ms_ingest_coin *v = NULL;
	size_t total, i = 0, k = 0;
	int rc;

	if ((rc = ms_upstream_parse_json(body, len, &root, err, errlen)) != 0)
		return rc;
	if (!cJSON_IsArray(root)) {
		snprintf(err, errlen, "expected an array of coins, got %s",
		    json_type(root));
		cJSON_Delete(root);
		return MS_ERR_PARSE;
	}
	total = (size_t)cJSON_GetArraySize(root);
	if (total > MS_INGEST_LIST_MAX) {
		snprintf(err, errlen, "more than %d coins", MS_INGEST_LIST_MAX);
		cJSON_Delete(root);
		return MS_ERR_TOOBIG;
	}
	if (total > 0 && (v = calloc(total, sizeof(*v))) == NULL) {
		cJSON_Delete(root);
		return MS_ERR_NOMEM;
	}
	rc = MS_OK;
	cJSON_ArrayForEach(el, root) {
		char ctx[32];
		int usable;

		snprintf(ctx, sizeof(ctx), "[%zu]", i);
		i++;
		if (!cJSON_IsObject(el)) {
			snprintf(err, errlen, "%s: expected an object, got %s",
			    ctx, json_type(el));
			rc = MS_ERR_PARSE;
			break;
		}
		if ((rc = id_field(el, v[k].id, &usable, ctx, err, errlen)) != 0 ||
		    (rc = str_field(el, "symbol", v[k].symbol,
		    sizeof(v[k].symbol), ctx, err, errlen)) != 0 ||
		    (rc = str_field(el, "name", v[k].name, sizeof(v[k].name),
		    ctx, err, errlen)) != 0)
			break;
		v[k].price = v[k].market_cap = v[k].volume = v[k].rank = NAN;
		if (!usable) {
			(*skipped)++;
			continue;
		}
		k++;
	}
	cJSON_Delete(root);
	if (rc != MS_OK) {
		free(v);
		return rc;
	}
	if (k > 1)
		qsort(v, k, sizeof(*v), cmp_coin_id);
	*out = v;
	*n = k;
	return MS_OK;
}

const struct ms_ingest_coin *
ms_ingest_list_find(const struct ms_ingest_coin *list, size_t n, const char *id)
{
	struct ms_ingest_coin key = { .price = NAN };
	size_t len = strlen(id);

	if (list == NULL || n == 0 || len > MS_SLUG_MAX)
		return NULL;
	memcpy(key.id, id, len + 1);
	return bsearch(&key, list, n, sizeof(*list), cmp_coin_id);
}

/* obj.key.sub as a number (obj.key may be null/missing: NaN). */
static int
nested_num(const cJSON *obj, const char *key, const char *sub, double *out,
    char *err, size_t errlen)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(obj, key);
	char ctx[64];

	*out = NAN;
	if (o == NULL || cJSON_IsNull(o))
		return MS_OK;
	if (!cJSON_IsObject(o)) {
		snprintf(err, errlen, "data.%s: expected an object, got %s", key,
		    json_type(o));
		return MS_ERR_PARSE;
	}
	snprintf(ctx, sizeof(ctx), "data.%s", key);
	return num_field(o, sub, out, ctx, err, errlen);
}

int
ms_ingest_parse_global(const char *body, size_t len, struct ms_ingest_global *g,
    char *err, size_t errlen)
{
	cJSON *root = NULL;
	const cJSON *data;
	int rc;

	memset(g, 0, sizeof(*g));
	if ((rc = ms_upstream_parse_json(body, len, &root, err, errlen)) != 0)
		return rc;
	data = cJSON_IsObject(root) ?
	    cJSON_GetObjectItemCaseSensitive(root, "data") : NULL;
	if (!cJSON_IsObject(data)) {
		snprintf(err, errlen, "expected an object with a \"data\" "
		    "object");
		cJSON_Delete(root);
		return MS_ERR_PARSE;
	}
	if ((rc = nested_num(data, "total_market_cap", "usd",
	    &g->total_market_cap_usd, err, errlen)) == 0 &&
	    (rc = nested_num(data, "total_volume", "usd", &g->total_volume_usd,
	    err, errlen)) == 0 &&
	    (rc = nested_num(data, "market_cap_percentage", "btc",
	    &g->btc_dominance, err, errlen)) == 0)
		rc = num_field(data, "active_cryptocurrencies",
		    &g->active_cryptocurrencies, "data", err, errlen);
	cJSON_Delete(root);
	if (rc == MS_OK)
		g->present = 1;
	return rc;
}

/* ---- /coins/categories/list ------------------------------------------ */

/* Sectors in the order a limited run asks for them (see ms_ingest.h). */
static const char *const sector_order[] = {
	"layer-1", "defi", "meme", "stablecoin", "layer-2", "ai",
	"smart-contracts", "exchange", "gaming", "rwa", "liquid-staking",
	"infrastructure", "depin", "oracle", "interoperability", "storage",
	"privacy", "metaverse", "nft", "wrapped", "layer-0", "payments",
	"store-of-value",
};

#define NSECTORS (sizeof(sector_order) / sizeof(sector_order[0]))
#define TAG_BITS 64

/* The vocabulary index of slug, or -1 (also past the 64 bits of a set). */
static int
vocab_index(const char *slug)
{
	size_t n;
	const char *const *v = ms_reference_vocab(&n);

	for (size_t i = 0; i < n && i < TAG_BITS; i++)
		if (strcmp(v[i], slug) == 0)
			return (int)i;
	return -1;
}

/* The position of vocabulary slug i in sector_order (NSECTORS + i when
 * it is not listed there). */
static int
sector_rank(size_t i)
{
	size_t n;
	const char *const *v = ms_reference_vocab(&n);

	for (size_t k = 0; k < NSECTORS; k++)
		if (i < n && strcmp(sector_order[k], v[i]) == 0)
			return (int)k;
	return (int)(NSECTORS + i);
}

uint64_t
ms_ingest_category_tags(const char *id, const char *name,
    enum ms_ingest_cat_how *how)
{
	const char *to[8];
	size_t k = 0;
	uint64_t tags = 0;
	enum ms_ingest_cat_how h = MS_INGEST_CAT_NONE;

	if (name != NULL && name[0] != '\0')
		k = ms_reference_map("coingecko_categories", name, to, 8);
	if (k > 0) {
		h = k == 1 && strcmp(ms_cg_category_name(to[0]), name) == 0 ?
		    MS_INGEST_CAT_CANONICAL : MS_INGEST_CAT_NAME;
	} else if (id != NULL && vocab_index(id) >= 0) {
		to[0] = id;
		k = 1;
		h = MS_INGEST_CAT_ID;
	}
	for (size_t i = 0; i < k; i++) {
		int b = vocab_index(to[i]);

		if (b >= 0)
			tags |= UINT64_C(1) << b;
	}
	if (tags == 0)
		h = MS_INGEST_CAT_NONE;
	if (how != NULL)
		*how = h;
	return tags;
}

static int
cmp_category_id(const void *pa, const void *pb)
{
	const struct ms_ingest_category *a = *(const struct ms_ingest_category
	    *const *)pa;
	const struct ms_ingest_category *b = *(const struct ms_ingest_category
	    *const *)pb;
	int c = strcmp(a->id, b->id);

	if (c != 0)
		return c;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/*
 * Drops the entries of v[0..*n) whose id came earlier in the list (each
 * counted in *skipped), keeping list order: sorting pointers by (id,
 * position) finds them in n log n, whatever the list's size.
 */
static int
drop_repeated(struct ms_ingest_category *v, size_t *n,
    unsigned long *skipped)
{
	struct ms_ingest_category **p, *first;
	size_t k = 0;

	if (*n < 2)
		return MS_OK;
	if ((p = malloc(*n * sizeof(*p))) == NULL)
		return MS_ERR_NOMEM;
	for (size_t i = 0; i < *n; i++)
		p[i] = &v[i];
	qsort(p, *n, sizeof(*p), cmp_category_id);
	first = p[0];
	for (size_t i = 1; i < *n; i++) {
		if (strcmp(p[i]->id, first->id) == 0)
			p[i]->id[0] = '\0';     /* a repeat: dropped below */
		else
			first = p[i];
	}
	free(p);
	for (size_t i = 0; i < *n; i++) {
		if (v[i].id[0] == '\0') {
			(*skipped)++;
			continue;
		}
		if (k != i)
			v[k] = v[i];
		k++;
	}
	*n = k;
	return MS_OK;
}

int
ms_ingest_parse_categories(const char *body, size_t len,
    struct ms_ingest_category **out, size_t *n, unsigned long *skipped,
    char *err, size_t errlen)
{
	cJSON *root = NULL;
	const cJSON *el;
	struct ms_ingest_category *v = NULL;
	size_t total, i = 0, k = 0;
	int rc;

	if ((rc = ms_upstream_parse_json(body, len, &root, err, errlen)) != 0)
		return rc;
	if (!cJSON_IsArray(root)) {
		snprintf(err, errlen, "expected an array of categories, got %s",
		    json_type(root));
		cJSON_Delete(root);
		return MS_ERR_PARSE;
	}
	total = (size_t)cJSON_GetArraySize(root);
	if (total > MS_INGEST_CATLIST_MAX) {
		snprintf(err, errlen, "more than %d categories",
		    MS_INGEST_CATLIST_MAX);
		cJSON_Delete(root);
		return MS_ERR_TOOBIG;
	}
	if (total > 0 && (v = calloc(total, sizeof(*v))) == NULL) {
		cJSON_Delete(root);
		return MS_ERR_NOMEM;
	}
	rc = MS_OK;
	cJSON_ArrayForEach(el, root) {
		struct ms_ingest_category *c = &v[k];
		const cJSON *id;
		char ctx[32];
		size_t idlen;

		snprintf(ctx, sizeof(ctx), "[%zu]", i);
		i++;
		if (!cJSON_IsObject(el)) {
			snprintf(err, errlen, "%s: expected an object, got %s",
			    ctx, json_type(el));
			rc = MS_ERR_PARSE;
			break;
		}
		id = cJSON_GetObjectItemCaseSensitive(el, "category_id");
		if (id != NULL && !cJSON_IsNull(id) &&
		    (!cJSON_IsString(id) || id->valuestring == NULL)) {
			snprintf(err, errlen, "%s.category_id: expected a string "
			    "or null, got %s", ctx, json_type(id));
			rc = MS_ERR_PARSE;
			break;
		}
		if ((rc = str_field(el, "name", c->name, sizeof(c->name), ctx,
		    err, errlen)) != MS_OK)
			break;
		idlen = cJSON_IsString(id) ? strlen(id->valuestring) : 0;
		if (idlen == 0 || !ms_ingest_id_ok(id->valuestring, idlen)) {
			(*skipped)++;
			continue;
		}
		memcpy(c->id, id->valuestring, idlen + 1);
		c->tags = ms_ingest_category_tags(c->id, c->name, &c->how);
		c->pos = i - 1;
		k++;
	}
	cJSON_Delete(root);
	if (rc == MS_OK)
		rc = drop_repeated(v, &k, skipped);
	if (rc != MS_OK) {
		free(v);
		return rc;
	}
	*out = v;
	*n = k;
	return MS_OK;
}

static int
cmp_category(const void *pa, const void *pb)
{
	const struct ms_ingest_category *a = pa, *b = pb;

	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

size_t
ms_ingest_pick_categories(struct ms_ingest_category *v, size_t n, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		int best = 1 << 20;

		for (size_t b = 0; b < TAG_BITS; b++)
			if ((v[i].tags >> b) & 1) {
				int r = sector_rank(b);

				if (r < best)
					best = r;
			}
		/* Unmapped ones last; then by how, then by sector. */
		v[i].order = v[i].how == MS_INGEST_CAT_NONE ? 1 << 30 :
		    (int)v[i].how * (1 << 21) + best;
		k += v[i].tags != 0;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_category);
	return k < max ? k : max;
}

/* ---- market_chart ----------------------------------------------------- */

struct slot {
	double close, mcap, vol;
	unsigned char state;    /* 0 none, 1 price, 2 no bar */
	unsigned char got;      /* bit 1 mcap, bit 2 volume seen */
};

/*
 * One series (kind 0 prices, 1 market caps, 2 volumes) into the slots of
 * [day_min, day_max].
 */
static int
chart_series(const cJSON *arr, const char *name, int kind, int32_t day_min,
    int32_t day_max, struct slot *slots, struct ms_ingest_chart_stats *cs,
    char *err, size_t errlen)
{
	const cJSON *el;
	size_t i = 0;

	if (arr == NULL || cJSON_IsNull(arr)) {
		if (kind == 0) {
			snprintf(err, errlen, "no \"prices\" array");
			return MS_ERR_PARSE;
		}
		return MS_OK;
	}
	if (!cJSON_IsArray(arr)) {
		snprintf(err, errlen, "%s: expected an array, got %s", name,
		    json_type(arr));
		return MS_ERR_PARSE;
	}
	cJSON_ArrayForEach(el, arr) {
		char what[64];
		const cJSON *t, *v;
		double ts, val, date;
		struct slot *s;
		int32_t bar;
		int rc;

		if (i >= MS_INGEST_SERIES_MAX) {
			snprintf(err, errlen, "%s: more than %d points", name,
			    MS_INGEST_SERIES_MAX);
			return MS_ERR_TOOBIG;
		}
		if (!cJSON_IsArray(el) || cJSON_GetArraySize(el) != 2) {
			snprintf(err, errlen, "%s[%zu]: expected [timestamp, "
			    "value], got %s", name, i, cJSON_IsArray(el) ?
			    "an array of another length" : json_type(el));
			return MS_ERR_PARSE;
		}
		t = cJSON_GetArrayItem(el, 0);
		v = cJSON_GetArrayItem(el, 1);
		if (!cJSON_IsNumber(t) || !isfinite(t->valuedouble)) {
			snprintf(err, errlen, "%s[%zu][0]: expected a timestamp "
			    "in ms, got %s", name, i, cJSON_IsNumber(t) ?
			    "a non-finite number" : json_type(t));
			return MS_ERR_PARSE;
		}
		snprintf(what, sizeof(what), "%s[%zu][1]", name, i);
		if ((rc = num_item(v, &val, what, err, errlen)) != MS_OK)
			return rc;
		i++;
		ts = t->valuedouble;
		if (ts < 0 || ts > 1e15 || fmod(ts, DAY_MS) != 0) {
			if (kind == 0)
				cs->intraday++;
			continue;
		}
		date = ts / DAY_MS;
		bar = (int32_t)date - 1;
		if (bar < day_min || bar > day_max) {
			if (kind == 0)
				cs->out_of_range++;
			continue;
		}
		s = &slots[bar - day_min];
		if (kind == 0) {
			if (s->state != 0) {
				cs->duplicates++;
				continue;
			}
			if (isnan(val)) {
				cs->null_price++;
				s->state = 2;
			} else if (val <= 0) {
				cs->bad_value++;
				s->state = 2;
			} else {
				s->close = val;
				s->state = 1;
			}
			continue;
		}
		if (s->state != 1 || (s->got & kind) != 0)
			continue;
		s->got |= (unsigned char)kind;
		if (val < 0) {
			cs->bad_value++;
			s->state = 2;
			continue;
		}
		if (val == 0) {
			cs->zero_as_null++;
			val = NAN;
		}
		if (kind == 1)
			s->mcap = val;
		else
			s->vol = val;
	}
	return MS_OK;
}

int
ms_ingest_parse_chart(const char *body, size_t len, int32_t day_min,
    int32_t day_max, struct ms_ingest_point **out, size_t *n,
    struct ms_ingest_chart_stats *csp, char *err, size_t errlen)
{
	struct ms_ingest_chart_stats dummy = { 0 };
	struct ms_ingest_chart_stats *cs = csp != NULL ? csp : &dummy;
	struct ms_ingest_point *pts = NULL;
	struct slot *slots;
	cJSON *root = NULL;
	size_t ndays, k = 0;
	int rc;

	if (day_max < day_min || day_max - day_min > 100000) {
		snprintf(err, errlen, "invalid day window");
		return MS_ERR_INVALID;
	}
	ndays = (size_t)(day_max - day_min) + 1;
	if ((rc = ms_upstream_parse_json(body, len, &root, err, errlen)) != 0)
		return rc;
	if (!cJSON_IsObject(root)) {
		snprintf(err, errlen, "expected an object with \"prices\", got "
		    "%s", json_type(root));
		cJSON_Delete(root);
		return MS_ERR_PARSE;
	}
	if ((slots = calloc(ndays, sizeof(*slots))) == NULL) {
		cJSON_Delete(root);
		return MS_ERR_NOMEM;
	}
	for (size_t i = 0; i < ndays; i++)
		slots[i].mcap = slots[i].vol = NAN;
	rc = chart_series(cJSON_GetObjectItemCaseSensitive(root, "prices"),
	    "prices", 0, day_min, day_max, slots, cs, err, errlen);
	if (rc == MS_OK)
		rc = chart_series(cJSON_GetObjectItemCaseSensitive(root,
		    "market_caps"), "market_caps", 1, day_min, day_max, slots,
		    cs, err, errlen);
	if (rc == MS_OK)
		rc = chart_series(cJSON_GetObjectItemCaseSensitive(root,
		    "total_volumes"), "total_volumes", 2, day_min, day_max,
		    slots, cs, err, errlen);
	cJSON_Delete(root);
	if (rc == MS_OK) {
		size_t np = 0;

		for (size_t i = 0; i < ndays; i++)
			np += slots[i].state == 1;
		if (np > 0 && (pts = malloc(np * sizeof(*pts))) == NULL)
			rc = MS_ERR_NOMEM;
		for (size_t i = 0; rc == MS_OK && i < ndays; i++) {
			if (slots[i].state != 1)
				continue;
			pts[k].day = day_min + (int32_t)i;
			pts[k].close = slots[i].close;
			pts[k].market_cap = slots[i].mcap;
			pts[k].volume = slots[i].vol;
			k++;
		}
		cs->points += k;
	}
	free(slots);
	if (rc != MS_OK) {
		free(pts);
		return rc;
	}
	*out = pts;
	*n = k;
	return MS_OK;
}

/* ---- the batch and the write phase ------------------------------------ */

void
ms_ingest_batch_free(struct ms_ingest_batch *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->n; i++) {
		free(b->items[i].want);
		free(b->items[i].pts);
	}
	free(b->items);
	memset(b, 0, sizeof(*b));
}

static struct ms_ingest_item *
batch_add(struct ms_ingest_batch *b)
{
	if (b->n == b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 64;
		struct ms_ingest_item *v = realloc(b->items, nc * sizeof(*v));

		if (v == NULL)
			return NULL;
		b->items = v;
		b->cap = nc;
	}
	memset(&b->items[b->n], 0, sizeof(b->items[0]));
	return &b->items[b->n++];
}

static void
bind_opt_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v != NULL && v[0] != '\0')
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static int
step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return MS_OK;
	return rc == SQLITE_BUSY ? MS_ERR_BUSY : MS_ERR_STORE;
}

/* The id of the asset with slug: 1 found, 0 not, < 0 error. */
static int
asset_by_slug(struct ms_store *st, const char *slug, int64_t *id)
{
	static const char sql[] = "SELECT id FROM assets WHERE slug = ?";
	sqlite3_stmt *s = ms_store_stmt(st, sql);
	int rc;

	if (s == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : MS_ERR_STORE;
}

/* The asset for an item, created or its symbol/name filled in. */
static int
item_asset(struct ms_store *st, const struct ms_ingest_item *it, int64_t *id,
    int *changed, struct ms_ingest_result *r)
{
	static const char ins[] =
	    "INSERT INTO assets(slug, symbol, name) VALUES (?1, ?2, ?3)";
	static const char fill[] =
	    "UPDATE assets SET symbol = coalesce(symbol, ?2), "
	    "name = coalesce(name, ?3) WHERE id = ?1 AND "
	    "((symbol IS NULL AND ?2 IS NOT NULL) OR "
	    "(name IS NULL AND ?3 IS NOT NULL))";
	sqlite3_stmt *s;
	int rc = asset_by_slug(st, it->slug, id);

	if (rc < 0)
		return rc;
	if (rc == 1) {
		if ((s = ms_store_stmt(st, fill)) == NULL)
			return MS_ERR_STORE;
		sqlite3_bind_int64(s, 1, *id);
		bind_opt_text(s, 2, it->symbol);
		bind_opt_text(s, 3, it->name);
		if ((rc = step_done(s)) != MS_OK)
			return rc;
		if (sqlite3_changes(ms_store_db(st)) > 0)
			*changed = 1;
		return MS_OK;
	}
	if ((s = ms_store_stmt(st, ins)) == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_text(s, 1, it->slug, -1, SQLITE_STATIC);
	bind_opt_text(s, 2, it->symbol);
	bind_opt_text(s, 3, it->name);
	if ((rc = step_done(s)) != MS_OK)
		return rc;
	*id = sqlite3_last_insert_rowid(ms_store_db(st));
	*changed = 1;
	r->assets_new++;
	return MS_OK;
}

/* Inserts or updates one bar (ms_store_put_bar's outcome). A CoinGecko
 * point has a close only: open, high and low are unknown. */
static int
upsert_bar(struct ms_store *st, int64_t asset, int64_t source,
    const struct ms_ingest_point *p)
{
	const struct ms_bar b = { .day = p->day, .open = NAN, .high = NAN,
		.low = NAN, .close = p->close, .volume = p->volume,
		.market_cap = p->market_cap };

	return ms_store_put_bar(st, asset, source, &b);
}

static int
record_import(struct ms_store *st, const char *label, int64_t source,
    const struct ms_ingest_batch *b, const struct ms_ingest_result *r)
{
	static const char sql[] =
	    "INSERT INTO imports(path, layout, source_id, rows_read, "
	    "rows_inserted, rows_updated, rows_skipped, first_day, last_day, "
	    "finished_at, rows_unchanged, assets) VALUES (?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?, ?)";
	sqlite3_stmt *s = ms_store_stmt(st, sql);
	sqlite3_int64 offered = 0;

	if (s == NULL)
		return MS_ERR_STORE;
	for (size_t i = 0; i < b->n; i++)
		offered += (sqlite3_int64)b->items[i].npts;
	sqlite3_bind_text(s, 1, label, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, MS_INGEST_SOURCE, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, source);
	sqlite3_bind_int64(s, 4, offered);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)r->inserted);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)r->updated);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)r->already_stored);
	if (r->first_day >= 0) {
		sqlite3_bind_int(s, 8, r->first_day);
		sqlite3_bind_int(s, 9, r->last_day);
	}
	sqlite3_bind_int64(s, 10, (sqlite3_int64)r->unchanged);
	sqlite3_bind_int64(s, 11, (sqlite3_int64)b->n);
	return step_done(s);
}

/* Merges an item's category tags into its asset's categories. */
static int
item_tags(struct ms_store *st, const struct ms_ingest_item *it, int64_t asset,
    int *changed, struct ms_ingest_result *r)
{
	const char *add[TAG_BITS];
	size_t n, k = 0;
	const char *const *v = ms_reference_vocab(&n);
	unsigned long added = 0;
	int rc;

	for (size_t i = 0; i < n && i < TAG_BITS; i++)
		if ((it->tags >> i) & 1)
			add[k++] = v[i];
	rc = ms_reference_add_categories(st, asset, add, k, &added,
	    &r->tags_overflow);
	if (rc != MS_OK)
		return rc;
	if (added > 0) {
		r->tags_added += added;
		r->assets_retagged++;
		*changed = 1;
	}
	return MS_OK;
}

static int
write_items(struct ms_store *st, const struct ms_ingest_batch *b,
    int64_t source, int *changed, struct ms_ingest_result *r)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct ms_ingest_item *it = &b->items[i];
		int64_t asset = 0;
		int touched = 0, rc;

		if ((rc = item_asset(st, it, &asset, changed, r)) != MS_OK)
			return rc;
		if (it->tags != 0 &&
		    (rc = item_tags(st, it, asset, changed, r)) != MS_OK)
			return rc;
		for (size_t k = 0; k < it->npts; k++) {
			const struct ms_ingest_point *p = &it->pts[k];

			if (it->want == NULL || p->day < it->want_lo ||
			    p->day > it->want_hi ||
			    !it->want[p->day - it->want_lo]) {
				r->already_stored++;
				continue;
			}
			if ((rc = upsert_bar(st, asset, source, p)) < 0)
				return rc;
			if (rc == 0) {
				r->unchanged++;
			} else {
				if (rc == MS_STORE_BAR_INSERTED)
					r->inserted++;
				else
					r->updated++;
				touched = 1;
			}
			if (r->first_day < 0 || p->day < r->first_day)
				r->first_day = p->day;
			if (p->day > r->last_day)
				r->last_day = p->day;
		}
		if (touched) {
			*changed = 1;
			if ((rc = ms_store_rebuild_daily(st, asset)) != MS_OK)
				return rc;
		}
	}
	return MS_OK;
}

int
ms_ingest_write(struct ms_store *st, const struct ms_ingest_batch *b,
    const char *label, volatile sig_atomic_t *cancel,
    struct ms_ingest_result *r)
{
	int64_t source = 0, v0 = 0, v1 = 0;
	int rc, prio = MS_INGEST_PRIORITY, changed = 0;

	if ((rc = ms_store_begin(st)) != MS_OK) {
		snprintf(r->error, sizeof(r->error), "cannot start a "
		    "transaction: %s (is another writer running?)",
		    ms_strerror(rc));
		return rc;
	}
	rc = ms_store_data_version(st, &v0);
	/* An operator's priority for the source is kept. */
	if (rc == MS_OK &&
	    (rc = ms_store_source_priority(st, MS_INGEST_SOURCE, &prio)) ==
	    MS_ERR_NOTFOUND)
		rc = MS_OK;
	if (rc == MS_OK)
		rc = ms_store_source(st, MS_INGEST_SOURCE, prio,
		    MS_INGEST_TIMING, 0, MS_INGEST_DESCRIPTION, &source);
	if (rc == MS_OK && (rc = ms_store_data_version(st, &v1)) == MS_OK &&
	    v1 != v0)
		r->changed = 1;
	if (rc == MS_OK)
		rc = write_items(st, b, source, &changed, r);
	if (rc == MS_OK)
		rc = record_import(st, label, source, b, r);
	if (rc == MS_OK && changed)
		rc = ms_store_bump_version(st);
	if (rc != MS_OK) {
		snprintf(r->error, sizeof(r->error), "store error: %s (%s)",
		    ms_strerror(rc), sqlite3_errmsg(ms_store_db(st)));
		ms_store_rollback(st);
		return rc;
	}
	if (cancel != NULL && *cancel) {
		snprintf(r->error, sizeof(r->error), "interrupted before the "
		    "commit");
		ms_store_rollback(st);
		return MS_ERR_IO;
	}
	if ((rc = ms_store_commit(st)) != MS_OK) {
		snprintf(r->error, sizeof(r->error), "commit failed: %s",
		    ms_strerror(rc));
		ms_store_rollback(st);
		return rc;
	}
	if (changed)
		r->changed = 1;
	(void)ms_store_data_version(st, &r->data_version);
	return MS_OK;
}

/* ---- the fetch phase --------------------------------------------------- */

void
ms_ingest_defaults(struct ms_ingest_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->top = 250;
	o->history_top = -1;
	o->backfill_days = 365;
	o->refresh_days = 0;
	o->history_max = -1;
	o->categories = MS_INGEST_CATEGORIES_DEFAULT;
}

struct run {
	struct ms_store *st;
	struct ms_upstream *u;
	const struct ms_ingest_opts *o;
	struct ms_ingest_result *r;
	struct ms_ingest_batch b;
	struct ms_ingest_coin *list;
	size_t nlist;
	int32_t today, win_lo, win_hi;
	int64_t source_id;         /* -1 when the source does not exist yet */
	double t0;
	int bar_open;              /* a progress bar line awaits its \n */
};

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
progress(struct run *ru, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
progress(struct run *ru, const char *fmt, ...)
{
	va_list ap;

	if (ru->o->progress == NULL)
		return;
	va_start(ap, fmt);
	if (ru->bar_open) {
		fputs("\r\033[K", ru->o->progress);
		ru->bar_open = 0;
	}
	vfprintf(ru->o->progress, fmt, ap);
	fputc('\n', ru->o->progress);
	va_end(ap);
	fflush(ru->o->progress);
}

/* A progress bar (TTY) or a line every 10% (otherwise). */
static void
history_progress(struct run *ru, size_t done, size_t total)
{
	const struct ms_upstream_stats *ns = ms_upstream_stats(ru->u);
	char bar[21];
	size_t fill = total ? done * 20 / total : 20;

	if (ru->o->progress == NULL)
		return;
	if (!ru->o->tty) {
		size_t step = total / 10 ? total / 10 : 1;

		if (done != total && done % step != 0)
			return;
	}
	for (size_t i = 0; i < 20; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[20] = '\0';
	if (!ru->o->tty) {
		progress(ru, "ingest: history %zu/%zu assets, %lu requests, "
		    "%lu retries, %lu 429s", done, total, ns->requests,
		    ns->retries, ns->rate_limited);
		return;
	}
	/* A terminal: one line redrawn in place, ended when complete. */
	fprintf(ru->o->progress, "\r\033[Kingest: history [%s] %zu/%zu "
	    "assets, %lu requests, %lu retries, %lu 429s", bar, done, total,
	    ns->requests, ns->retries, ns->rate_limited);
	ru->bar_open = done < total;
	if (!ru->bar_open)
		fputc('\n', ru->o->progress);
	fflush(ru->o->progress);
}

static int
fetch(struct run *ru, const char *path, char **body, size_t *len)
{
	char err[768];
	int rc = ms_upstream_get(ru->u, path, body, len, err, sizeof(err));

	if (rc != MS_OK)
		snprintf(ru->r->error, sizeof(ru->r->error), "%s", err);
	return rc;
}

static int
fail_parse(struct run *ru, const char *path, const char *err, int rc)
{
	snprintf(ru->r->error, sizeof(ru->r->error), "GET %s: %s", path, err);
	return rc;
}

/* Upper-cased copy of a symbol. */
static void
upper_copy(char *dst, size_t cap, const char *src)
{
	size_t i;

	for (i = 0; src[i] != '\0' && i + 1 < cap; i++)
		dst[i] = src[i] >= 'a' && src[i] <= 'z' ?
		    (char)(src[i] - 'a' + 'A') : src[i];
	dst[i] = '\0';
}

/* Adds a coin to the batch (resolving its slug), unless one with the same
 * id or slug is there already (then counted as skipped). */
static int
add_coin(struct run *ru, const struct ms_ingest_coin *c)
{
	const struct ms_known_asset *k = NULL;
	struct ms_ingest_item *it;
	char slug[MS_SLUG_MAX + 1];
	int64_t id;
	int rc;

	for (size_t i = 0; i < ru->b.n; i++)
		if (strcmp(ru->b.items[i].id, c->id) == 0) {
			ru->r->coins_skipped++;
			return MS_OK;
		}
	rc = asset_by_slug(ru->st, c->id, &id);
	if (rc < 0)
		return rc;
	if (rc == 0 && c->symbol[0] != '\0' && c->name[0] != '\0')
		k = ms_identity_by_symbol(c->symbol, c->name, ru->today);
	snprintf(slug, sizeof(slug), "%s", k != NULL ? k->slug : c->id);
	for (size_t i = 0; i < ru->b.n; i++)
		if (strcmp(ru->b.items[i].slug, slug) == 0) {
			ru->r->coins_skipped++;
			return MS_OK;
		}
	if ((it = batch_add(&ru->b)) == NULL)
		return MS_ERR_NOMEM;
	memcpy(it->id, c->id, strlen(c->id) + 1);
	memcpy(it->slug, slug, strlen(slug) + 1);
	if (k != NULL) {
		snprintf(it->symbol, sizeof(it->symbol), "%s", k->canon_symbol);
		snprintf(it->name, sizeof(it->name), "%s", k->name);
	} else {
		upper_copy(it->symbol, sizeof(it->symbol), c->symbol);
		snprintf(it->name, sizeof(it->name), "%s", c->name);
	}
	ru->r->coins++;
	return MS_OK;
}

static int
fetch_markets(struct run *ru)
{
	int per_page = ru->o->top < MS_INGEST_PAGE_MAX ? ru->o->top :
	    MS_INGEST_PAGE_MAX;
	int pages = (ru->o->top + per_page - 1) / per_page;
	struct ms_ingest_coin *coins = calloc((size_t)per_page, sizeof(*coins));
	int rc = MS_OK;

	if (coins == NULL)
		return MS_ERR_NOMEM;
	for (int p = 1; p <= pages && (int)ru->r->coins < ru->o->top; p++) {
		char path[160], err[512];
		char *body = NULL;
		size_t len = 0, n = 0;

		snprintf(path, sizeof(path), "/coins/markets?vs_currency=usd&"
		    "order=market_cap_desc&per_page=%d&page=%d", per_page, p);
		if ((rc = fetch(ru, path, &body, &len)) != MS_OK)
			break;
		rc = ms_ingest_parse_markets(body, len, coins, (size_t)per_page,
		    &n, &ru->r->coins_skipped, err, sizeof(err));
		free(body);
		if (rc != MS_OK) {
			rc = fail_parse(ru, path, err, rc);
			break;
		}
		for (size_t i = 0; i < n && (int)ru->r->coins < ru->o->top;
		    i++)
			if ((rc = add_coin(ru, &coins[i])) != MS_OK)
				break;
		if (rc != MS_OK)
			break;
		progress(ru, "ingest: markets page %d/%d: %zu coins", p, pages,
		    n);
		if (n < (size_t)per_page)
			break;     /* the upstream has no more coins */
	}
	free(coins);
	return rc;
}

static int
fetch_list(struct run *ru)
{
	static const char path[] = "/coins/list";
	char err[512];
	char *body = NULL;
	size_t len = 0;
	unsigned long skipped = 0;
	int rc;

	if ((rc = fetch(ru, path, &body, &len)) != MS_OK)
		return rc;
	rc = ms_ingest_parse_list(body, len, &ru->list, &ru->nlist, &skipped,
	    err, sizeof(err));
	free(body);
	if (rc != MS_OK)
		return fail_parse(ru, path, err, rc);
	ru->r->listed = ru->nlist;
	for (size_t i = 0; i < ru->b.n; i++)
		if (ms_ingest_list_find(ru->list, ru->nlist,
		    ru->b.items[i].id) == NULL)
			ru->r->unlisted++;
	progress(ru, "ingest: /coins/list: %zu coins (%lu of the universe "
	    "not listed)", ru->nlist, ru->r->unlisted);
	return MS_OK;
}

static int
fetch_global(struct run *ru)
{
	static const char path[] = "/global";
	char err[512];
	char *body = NULL;
	size_t len = 0;
	int rc;

	if ((rc = fetch(ru, path, &body, &len)) != MS_OK)
		return rc;
	rc = ms_ingest_parse_global(body, len, &ru->r->global, err,
	    sizeof(err));
	free(body);
	if (rc != MS_OK)
		return fail_parse(ru, path, err, rc);
	return MS_OK;
}

static int
cmp_item_ptr(const void *a, const void *b)
{
	const struct ms_ingest_item *x = *(const struct ms_ingest_item *const *)a;
	const struct ms_ingest_item *y = *(const struct ms_ingest_item *const *)b;

	return strcmp(x->id, y->id);
}

/*
 * Tags the universe coins on the pages of one category. Pages of
 * per_page coins by market cap, until a short page, a page with no coin
 * of the universe (the rest of the category has smaller market caps, so
 * it is outside the top N too) or as many pages as the universe has.
 */
static int
fetch_category(struct run *ru, const struct ms_ingest_category *cat,
    struct ms_ingest_item **idx, struct ms_ingest_coin *coins, int per_page)
{
	int pages = (ru->o->top + per_page - 1) / per_page;
	int rc = MS_OK;

	for (int p = 1; p <= pages; p++) {
		char path[256], err[512];
		char *body = NULL;
		size_t len = 0, n = 0;
		unsigned long skipped = 0, hits = 0;

		snprintf(path, sizeof(path), "/coins/markets?vs_currency=usd&"
		    "category=%s&order=market_cap_desc&per_page=%d&page=%d",
		    cat->id, per_page, p);
		if ((rc = fetch(ru, path, &body, &len)) != MS_OK)
			return rc;
		ru->r->cat_pages++;
		rc = ms_ingest_parse_markets(body, len, coins, (size_t)per_page,
		    &n, &skipped, err, sizeof(err));
		free(body);
		if (rc != MS_OK)
			return fail_parse(ru, path, err, rc);
		for (size_t i = 0; i < n; i++) {
			struct ms_ingest_item key, *kp = &key, **hit;

			memcpy(key.id, coins[i].id, sizeof(key.id));
			hit = bsearch(&kp, idx, ru->b.n, sizeof(*idx),
			    cmp_item_ptr);
			if (hit == NULL)
				continue;
			if ((*hit)->tags == 0)
				ru->r->coins_tagged++;
			(*hit)->tags |= cat->tags;
			hits++;
		}
		if (n < (size_t)per_page || hits == 0)
			break;
	}
	return MS_OK;
}

/* /coins/categories/list, then the markets of the chosen categories. */
static int
fetch_categories(struct run *ru)
{
	static const char path[] = "/coins/categories/list";
	int per_page = ru->o->top < MS_INGEST_PAGE_MAX ? ru->o->top :
	    MS_INGEST_PAGE_MAX;
	struct ms_ingest_category *cats = NULL;
	struct ms_ingest_item **idx = NULL;
	struct ms_ingest_coin *coins = NULL;
	char err[512];
	char *body = NULL;
	size_t len = 0, ncat = 0, nask;
	unsigned long skipped = 0;
	int rc;

	if ((rc = fetch(ru, path, &body, &len)) != MS_OK)
		return rc;
	rc = ms_ingest_parse_categories(body, len, &cats, &ncat, &skipped, err,
	    sizeof(err));
	free(body);
	if (rc != MS_OK)
		return fail_parse(ru, path, err, rc);
	ru->r->cat_list_asked = 1;
	ru->r->cat_listed = ncat;
	nask = ms_ingest_pick_categories(cats, ncat,
	    (size_t)ru->o->categories);
	for (size_t i = 0; i < ncat; i++)
		ru->r->cat_mapped += cats[i].tags != 0;
	progress(ru, "ingest: /coins/categories/list: %zu categories, %lu "
	    "with a Moonscope category; asking the markets of %zu", ncat,
	    ru->r->cat_mapped, nask);
	if (nask > 0 && ru->b.n > 0) {
		idx = malloc(ru->b.n * sizeof(*idx));
		coins = calloc((size_t)per_page, sizeof(*coins));
		if (idx == NULL || coins == NULL)
			rc = MS_ERR_NOMEM;
		for (size_t i = 0; rc == MS_OK && i < ru->b.n; i++)
			idx[i] = &ru->b.items[i];
		if (rc == MS_OK)
			qsort(idx, ru->b.n, sizeof(*idx), cmp_item_ptr);
		for (size_t i = 0; rc == MS_OK && i < nask; i++) {
			rc = fetch_category(ru, &cats[i], idx, coins, per_page);
			if (rc == MS_OK)
				ru->r->cat_asked++;
		}
	}
	if (rc == MS_OK && nask > 0)
		progress(ru, "ingest: categories: %lu asked (%lu pages), %lu "
		    "coins of the universe tagged", ru->r->cat_asked,
		    ru->r->cat_pages, ru->r->coins_tagged);
	free(coins);
	free(idx);
	free(cats);
	return rc;
}

/* Adds the coins of --ids (resolved through /coins/list when fetched). */
static int
add_ids(struct run *ru)
{
	const char *s = ru->o->ids;
	size_t count = 0;

	while (s != NULL && *s != '\0') {
		const char *comma = strchr(s, ',');
		size_t n = comma != NULL ? (size_t)(comma - s) : strlen(s);
		struct ms_ingest_coin c;
		int rc;

		if (!ms_ingest_id_ok(s, n) || ++count > MS_INGEST_IDS_MAX) {
			snprintf(ru->r->error, sizeof(ru->r->error), "--ids: "
			    "\"%.*s\" is not a coin id (1..64 bytes of a-z, "
			    "0-9, '.', '_', '-'; at most %d ids)",
			    (int)(n > 64 ? 64 : n), s, MS_INGEST_IDS_MAX);
			return MS_ERR_INVALID;
		}
		memset(&c, 0, sizeof(c));
		memcpy(c.id, s, n);
		c.id[n] = '\0';
		if (ru->list != NULL) {
			const struct ms_ingest_coin *l = ms_ingest_list_find(
			    ru->list, ru->nlist, c.id);

			if (l == NULL) {
				snprintf(ru->r->error, sizeof(ru->r->error),
				    "--ids: the upstream's /coins/list has no "
				    "coin \"%s\"", c.id);
				return MS_ERR_NOTFOUND;
			}
			c = *l;
		}
		if ((rc = add_coin(ru, &c)) != MS_OK)
			return rc;
		s = comma != NULL ? comma + 1 : s + n;
	}
	return MS_OK;
}

/* Marks the days of the window an item must fetch (missing or refreshed). */
static int
plan_item(struct run *ru, struct ms_ingest_item *it)
{
	static const char sql[] =
	    "SELECT b.day FROM bars b JOIN assets a ON a.id = b.asset_id "
	    "WHERE a.slug = ?1 AND b.source_id = ?2 AND b.day BETWEEN ?3 AND ?4";
	size_t nd = (size_t)(ru->win_hi - ru->win_lo) + 1;
	unsigned char *w = malloc(nd);
	int32_t lo = -1, hi = -1;
	int rc;

	if (w == NULL)
		return MS_ERR_NOMEM;
	memset(w, 1, nd);
	if (ru->source_id >= 0) {
		sqlite3_stmt *s = ms_store_stmt(ru->st, sql);

		if (s == NULL) {
			free(w);
			return MS_ERR_STORE;
		}
		sqlite3_bind_text(s, 1, it->slug, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, ru->source_id);
		sqlite3_bind_int(s, 3, ru->win_lo);
		sqlite3_bind_int(s, 4, ru->win_hi);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW)
			w[sqlite3_column_int(s, 0) - ru->win_lo] = 0;
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) {
			free(w);
			return MS_ERR_STORE;
		}
	}
	for (int i = 0; i < ru->o->refresh_days && (size_t)i < nd; i++)
		w[nd - 1 - (size_t)i] = 1;
	for (size_t i = 0; i < nd; i++) {
		if (!w[i])
			continue;
		if (lo < 0)
			lo = ru->win_lo + (int32_t)i;
		hi = ru->win_lo + (int32_t)i;
	}
	if (lo < 0) {
		free(w);
		return MS_OK;
	}
	it->want_lo = lo;
	it->want_hi = hi;
	it->want = malloc((size_t)(hi - lo) + 1);
	if (it->want == NULL) {
		free(w);
		return MS_ERR_NOMEM;
	}
	memcpy(it->want, w + (lo - ru->win_lo), (size_t)(hi - lo) + 1);
	free(w);
	return MS_OK;
}

static int
fetch_history(struct run *ru, struct ms_ingest_item *it)
{
	char path[256], err[512];
	char *body = NULL;
	size_t len = 0;
	/* The snapshot of bar day d is at 00:00 UTC of d + 1. */
	int64_t to = ((int64_t)it->want_hi + 1) * DAY_S + 3600;
	int64_t from = ((int64_t)it->want_lo + 1) * DAY_S;
	int rc;

	if (to - from < MIN_RANGE_DAYS * DAY_S)
		from = to - MIN_RANGE_DAYS * DAY_S;
	snprintf(path, sizeof(path), "/coins/%s/market_chart/range?"
	    "vs_currency=usd&from=%lld&to=%lld", it->id, (long long)from,
	    (long long)to);
	if ((rc = fetch(ru, path, &body, &len)) != MS_OK)
		return rc;
	rc = ms_ingest_parse_chart(body, len, it->want_lo, it->want_hi,
	    &it->pts, &it->npts, &ru->r->chart, err, sizeof(err));
	free(body);
	if (rc != MS_OK)
		return fail_parse(ru, path, err, rc);
	ru->b.total_points += it->npts;
	if (ru->b.total_points > MS_INGEST_POINTS_MAX) {
		snprintf(ru->r->error, sizeof(ru->r->error), "more than %d "
		    "points in one run; use a smaller --top or --backfill-days",
		    MS_INGEST_POINTS_MAX);
		return MS_ERR_TOOBIG;
	}
	return MS_OK;
}

/* Days an item still has to fetch. */
static size_t
missing_days(const struct ms_ingest_item *it)
{
	size_t k = 0;

	if (it->want == NULL)
		return 0;
	for (int32_t d = it->want_lo; d <= it->want_hi; d++)
		k += it->want[d - it->want_lo] != 0;
	return k;
}

struct hist_rank {
	size_t i, missing;
};

static int
cmp_hist_rank(const void *pa, const void *pb)
{
	const struct hist_rank *a = pa, *b = pb;

	if (a->missing != b->missing)
		return a->missing > b->missing ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/*
 * Keeps the history plan of the keep items missing the most days (ties:
 * the earlier in the universe, i.e. the larger market cap) and drops the
 * others' (counted as deferred: a later run asks for them).
 */
static int
defer_history(struct run *ru, size_t keep)
{
	struct hist_rank *v;
	size_t n = 0;

	if ((v = malloc(ru->b.n * sizeof(*v))) == NULL)
		return MS_ERR_NOMEM;
	for (size_t i = 0; i < ru->b.n; i++)
		if (ru->b.items[i].want != NULL) {
			v[n].i = i;
			v[n].missing = missing_days(&ru->b.items[i]);
			n++;
		}
	qsort(v, n, sizeof(*v), cmp_hist_rank);
	for (size_t k = keep; k < n; k++) {
		struct ms_ingest_item *it = &ru->b.items[v[k].i];

		free(it->want);
		it->want = NULL;
		ru->r->deferred++;
	}
	free(v);
	return MS_OK;
}

static int
source_lookup(struct run *ru)
{
	static const char sql[] = "SELECT id FROM sources WHERE name = ?";
	sqlite3_stmt *s = ms_store_stmt(ru->st, sql);
	int rc;

	ru->source_id = -1;
	if (s == NULL)
		return MS_ERR_STORE;
	sqlite3_bind_text(s, 1, MS_INGEST_SOURCE, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		ru->source_id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? MS_OK : MS_ERR_STORE;
}

static int
run_phases(struct run *ru)
{
	const struct ms_ingest_opts *o = ru->o;
	size_t nhist = 0, done = 0, nmarket;
	int rc;

	if ((rc = source_lookup(ru)) != MS_OK)
		return rc;
	if ((rc = fetch_markets(ru)) != MS_OK)
		return rc;
	nmarket = ru->b.n;
	if (!o->no_list && (rc = fetch_list(ru)) != MS_OK)
		return rc;
	if ((rc = add_ids(ru)) != MS_OK)
		return rc;
	if (!o->no_global && (rc = fetch_global(ru)) != MS_OK)
		return rc;
	if (o->categories > 0 && (rc = fetch_categories(ru)) != MS_OK)
		return rc;
	if (o->no_history)
		return MS_OK;
	/* Plan: the first history_top coins of the markets, and all --ids. */
	for (size_t i = 0; i < ru->b.n; i++) {
		struct ms_ingest_item *it = &ru->b.items[i];

		if (i < nmarket && o->history_top >= 0 &&
		    i >= (size_t)o->history_top)
			continue;
		if ((rc = plan_item(ru, it)) != MS_OK)
			return rc;
		if (it->want == NULL)
			ru->r->up_to_date++;
		else
			nhist++;
	}
	if (o->history_max >= 0 && nhist > (size_t)o->history_max &&
	    (rc = defer_history(ru, (size_t)o->history_max)) != MS_OK)
		return rc;
	if (o->history_max >= 0 && nhist > (size_t)o->history_max)
		nhist = (size_t)o->history_max;
	for (size_t i = 0; i < ru->b.n; i++) {
		struct ms_ingest_item *it = &ru->b.items[i];

		if (it->want == NULL)
			continue;
		if ((rc = fetch_history(ru, it)) != MS_OK)
			return rc;
		ru->r->history_assets++;
		history_progress(ru, ++done, nhist);
	}
	if (nhist == 0)
		progress(ru, "ingest: history: every asset is up to date");
	return MS_OK;
}

int
ms_ingest_run(struct ms_store *st, struct ms_upstream *u, const char *label,
    const struct ms_ingest_opts *o, struct ms_ingest_result *r)
{
	struct run ru;
	int rc;

	memset(r, 0, sizeof(*r));
	memset(&ru, 0, sizeof(ru));
	r->first_day = r->last_day = -1;
	r->global.total_market_cap_usd = r->global.total_volume_usd = NAN;
	r->global.btc_dominance = r->global.active_cryptocurrencies = NAN;
	ru.st = st;
	ru.u = u;
	ru.o = o;
	ru.r = r;
	ru.t0 = now_seconds();
	ru.today = o->today != 0 ? o->today : ms_date_today();
	ru.win_hi = ru.today - 1;
	ru.win_lo = ru.today - o->backfill_days;
	if (o->top < 1 || o->top > MS_INGEST_TOP_MAX ||
	    o->backfill_days < 1 || o->backfill_days > MS_INGEST_BACKFILL_MAX ||
	    o->refresh_days < 0 || o->refresh_days > o->backfill_days) {
		snprintf(r->error, sizeof(r->error), "invalid ingest options");
		return MS_ERR_INVALID;
	}
	rc = run_phases(&ru);
	if (rc == MS_OK && o->cancel != NULL && *o->cancel) {
		snprintf(r->error, sizeof(r->error), "interrupted");
		rc = MS_ERR_IO;
	}
	if (ru.bar_open)
		fputc('\n', ru.o->progress);
	if (rc == MS_OK) {
		progress(&ru, "ingest: writing %zu assets, %zu points in one "
		    "transaction", ru.b.n, ru.b.total_points);
		rc = ms_ingest_write(st, &ru.b, label, o->cancel, r);
	} else if (r->error[0] == '\0') {
		snprintf(r->error, sizeof(r->error), "%s (%s)", ms_strerror(rc),
		    sqlite3_errmsg(ms_store_db(st)));
	}
	if (rc != MS_OK) {
		/* Nothing of a failed run is counted as written. */
		r->inserted = r->updated = r->unchanged = 0;
		r->assets_new = 0;
		r->tags_added = r->assets_retagged = r->tags_overflow = 0;
		r->changed = 0;
	}
	r->net = *ms_upstream_stats(u);
	ms_ingest_batch_free(&ru.b);
	free(ru.list);
	r->seconds = now_seconds() - ru.t0;
	return rc;
}

/* ---- the summary -------------------------------------------------------- */

static void
money(char *buf, size_t cap, double v)
{
	if (isnan(v))
		snprintf(buf, cap, "unknown");
	else if (v >= 1e12)
		snprintf(buf, cap, "$%.3fT", v / 1e12);
	else if (v >= 1e9)
		snprintf(buf, cap, "$%.3fB", v / 1e9);
	else
		snprintf(buf, cap, "$%.0f", v);
}

void
ms_ingest_print(FILE *f, const struct ms_ingest_result *r, int ok)
{
	const struct ms_upstream_stats *n = &r->net;
	char d0[MS_DATE_LEN + 1], d1[MS_DATE_LEN + 1];

	if (!ok) {
		fprintf(f, "ingest: FAILED: %s\n", r->error);
		fprintf(f, "  nothing was written: the store is exactly as it "
		    "was before this run\n");
	}
	fprintf(f, "  universe %lu coins", r->coins);
	if (r->coins_skipped > 0)
		fprintf(f, " (%lu skipped: unusable or duplicate ids)",
		    r->coins_skipped);
	if (r->listed > 0)
		fprintf(f, "; /coins/list %lu coins, %lu of the universe not in "
		    "it", r->listed, r->unlisted);
	fprintf(f, "\n");
	if (r->global.present) {
		char m[32], v[32];

		money(m, sizeof(m), r->global.total_market_cap_usd);
		money(v, sizeof(v), r->global.total_volume_usd);
		fprintf(f, "  global: market cap %s, 24h volume %s, BTC "
		    "dominance ", m, v);
		if (isnan(r->global.btc_dominance))
			fprintf(f, "unknown");
		else
			fprintf(f, "%.2f%%", r->global.btc_dominance);
		fprintf(f, " (reported, not stored)\n");
	}
	fprintf(f, "  history: %lu assets fetched, %lu up to date; daily points "
	    "%lu (ignored: %lu intraday, %lu outside the missing span, %lu "
	    "already stored; skipped: %lu null price, %lu bad value, %lu "
	    "duplicate day)\n", r->history_assets, r->up_to_date,
	    r->chart.points, r->chart.intraday, r->chart.out_of_range,
	    r->already_stored, r->chart.null_price, r->chart.bad_value,
	    r->chart.duplicates);
	if (r->deferred > 0)
		fprintf(f, "  history: %lu assets with missing days left for a "
		    "later run (--history-max)\n", r->deferred);
	if (r->cat_list_asked)
		fprintf(f, "  categories: %lu listed, %lu with a Moonscope "
		    "category, markets of %lu asked (%lu pages); %lu coins "
		    "tagged%s\n", r->cat_listed, r->cat_mapped, r->cat_asked,
		    r->cat_pages, r->coins_tagged, ok ? "" : " (not written)");
	if (ok && r->cat_list_asked)
		fprintf(f, "  categories added %lu to %lu assets\n",
		    r->tags_added, r->assets_retagged);
	if (r->tags_overflow > 0)
		fprintf(f, "  note: %lu categories not added (an asset's list "
		    "would pass %d bytes)\n", r->tags_overflow,
		    MS_REF_CATEGORIES_MAX);
	if (r->chart.zero_as_null > 0)
		fprintf(f, "  note: %lu zero market caps or volumes stored as "
		    "unknown (NULL)\n", r->chart.zero_as_null);
	if (ok) {
		if (r->first_day >= 0) {
			ms_date_format(r->first_day, d0);
			ms_date_format(r->last_day, d1);
		} else {
			snprintf(d0, sizeof(d0), "-");
			snprintf(d1, sizeof(d1), "-");
		}
		fprintf(f, "  rows inserted %lu, updated %lu, unchanged %lu; "
		    "assets %lu new; bar days %s..%s; %s (data version %lld)\n",
		    r->inserted, r->updated, r->unchanged, r->assets_new, d0,
		    d1, r->changed ? "store changed" : "no change",
		    (long long)r->data_version);
	}
	fprintf(f, "  requests %lu, retries %lu, 429s %lu, 5xx %lu, network "
	    "errors %lu, bytes %llu, waited %.1f s; %.2f s\n", n->requests,
	    n->retries, n->rate_limited, n->server_errors, n->net_errors,
	    (unsigned long long)n->bytes, n->waited, r->seconds);
}
