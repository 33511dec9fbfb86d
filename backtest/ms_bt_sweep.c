/*
 * ms_bt_sweep.c — the parameter sweep of the moonshot backtester (see
 * ms_bt_sweep.h): the grid spec, the threaded run of one ms_bt_run per
 * variant, the shard document, loading and merging shards, the deflated
 * Sharpe ratio of the best variant (Bailey & López de Prado 2014, with
 * GSL's normal distribution), and the report files.
 *
 * Determinism: the threads only decide which variant runs when; each
 * variant's result lands in its own slot and the documents are written
 * in variant order. The report is always rendered from parsed shard
 * documents (an unsharded run parses its own 1/1 shard), so the bytes of
 * a merged report are those of the unsharded run.
 *
 * Memory: a variant's ms_bt_result lives only while its row is extracted
 * (metrics and the daily returns, owned by the row).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <cJSON.h>
#include <sqlite3.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "ms_bt_io.h"
#include "ms_bt_sweep.h"
#include "ms_buf.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_json.h"
#include "ms_market.h"
#include "ms_quant.h"
#include "ms_store.h"
#include "ms_svg.h"

#ifndef MS_VERSION
#define MS_VERSION "0.0.0"
#endif

#define REPORT_MAX (256u * 1024u * 1024u)
#define MAX_RETURNS ((size_t)MS_QUANT_MAX_N)

static int
fail(char *err, size_t errsz, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(char *err, size_t errsz, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errsz > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* ---- the spec --------------------------------------------------------- */

void
ms_bt_sweep_spec_init(struct ms_bt_sweep_spec *s)
{
	memset(s, 0, sizeof(*s));
}

int
ms_bt_sweep_key(const char *in, char *out, size_t outsz)
{
	size_t n = 0;

	if (in == NULL)
		return MS_ERR_INVALID;
	if (strncmp(in, "--", 2) == 0)
		in += 2;
	for (; *in != '\0'; in++) {
		char c = *in;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (c == '-')
			c = '_';
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_'))
			return MS_ERR_INVALID;
		if (n + 1 >= outsz || n + 1 >= MS_BT_SWEEP_KEY_MAX)
			return MS_ERR_INVALID;
		out[n++] = c;
	}
	if (n == 0)
		return MS_ERR_INVALID;
	out[n] = '\0';
	return 0;
}

/* A value: 1..64 printable ASCII bytes, no comma, no space at the ends. */
static int
value_ok(const char *v, size_t n)
{
	if (n == 0 || n >= MS_BT_SWEEP_VALUE_MAX || v[0] == ' ' ||
	    v[n - 1] == ' ')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (v[i] < 0x20 || v[i] > 0x7e || v[i] == ',')
			return 0;
	return 1;
}

static int
axis_of(const struct ms_bt_sweep_spec *s, const char *key)
{
	for (size_t i = 0; i < s->naxes; i++)
		if (strcmp(s->axes[i].key, key) == 0)
			return (int)i;
	return -1;
}

int
ms_bt_sweep_spec_set(struct ms_bt_sweep_spec *s, const char *key,
    const char *value, char *err, size_t errsz)
{
	char k[MS_BT_SWEEP_KEY_MAX];
	size_t i, n = value ? strlen(value) : 0;

	if (ms_bt_sweep_key(key, k, sizeof(k)) != 0)
		return fail(err, errsz, MS_ERR_INVALID, "%s: not an option name",
		    key ? key : "(null)");
	if (!value_ok(value, n))
		return fail(err, errsz, MS_ERR_INVALID, "--%s: a value of 1..64 "
		    "printable bytes without a comma", k);
	if (axis_of(s, k) >= 0)
		return fail(err, errsz, MS_ERR_INVALID, "--%s is also a grid "
		    "axis", k);
	/* Sorted by key, one entry per key: the same options in any order
	 * give the same spec. */
	for (i = 0; i < s->nbase; i++) {
		int c = strcmp(s->base[i].key, k);
		if (c == 0) {
			memcpy(s->base[i].value, value, n + 1);
			return 0;
		}
		if (c > 0)
			break;
	}
	if (s->nbase == MS_BT_SWEEP_MAX_BASE)
		return fail(err, errsz, MS_ERR_TOOBIG, "more than %d options",
		    MS_BT_SWEEP_MAX_BASE);
	memmove(&s->base[i + 1], &s->base[i], (s->nbase - i) * sizeof(s->base[0]));
	memcpy(s->base[i].key, k, strlen(k) + 1);
	memcpy(s->base[i].value, value, n + 1);
	s->nbase++;
	return 0;
}

size_t
ms_bt_sweep_count(const struct ms_bt_sweep_spec *s)
{
	size_t n = 1;

	for (size_t i = 0; i < s->naxes; i++)
		n *= s->axes[i].n;
	return n;
}

/* [p, e) without spaces and tabs at both ends. */
static void
trim(const char **p, const char **e)
{
	while (*p < *e && (**p == ' ' || **p == '\t'))
		(*p)++;
	while (*e > *p && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

/* Adds the axis "key=v1,v2" held in [p, e). */
static int
add_axis(struct ms_bt_sweep_spec *s, const char *p, const char *e,
    char *err, size_t errsz)
{
	struct ms_bt_sweep_axis *ax;
	const char *eq = memchr(p, '=', (size_t)(e - p)), *kp = p, *ke = eq;
	char key[MS_BT_SWEEP_KEY_MAX * 2];
	size_t cur = ms_bt_sweep_count(s);

	if (eq == NULL)
		return fail(err, errsz, MS_ERR_PARSE, "a grid axis is "
		    "KEY=V1,V2,...");
	trim(&kp, &ke);
	if ((size_t)(ke - kp) >= sizeof(key))
		return fail(err, errsz, MS_ERR_INVALID, "grid key too long");
	memcpy(key, kp, (size_t)(ke - kp));
	key[ke - kp] = '\0';
	if (s->naxes == MS_BT_SWEEP_MAX_AXES)
		return fail(err, errsz, MS_ERR_TOOBIG, "more than %d grid axes",
		    MS_BT_SWEEP_MAX_AXES);
	ax = &s->axes[s->naxes];
	memset(ax, 0, sizeof(*ax));
	if (ms_bt_sweep_key(key, ax->key, sizeof(ax->key)) != 0)
		return fail(err, errsz, MS_ERR_INVALID, "grid key '%s' is not an "
		    "option name", key);
	if (axis_of(s, ax->key) >= 0)
		return fail(err, errsz, MS_ERR_INVALID, "grid axis %s given twice",
		    ax->key);
	for (size_t i = 0; i < s->nbase; i++)
		if (strcmp(s->base[i].key, ax->key) == 0)
			return fail(err, errsz, MS_ERR_INVALID, "%s is both an "
			    "option and a grid axis", ax->key);
	for (const char *v = eq + 1; ; ) {
		const char *c = memchr(v, ',', (size_t)(e - v));
		const char *vp = v, *ve = c ? c : e;

		trim(&vp, &ve);
		if (!value_ok(vp, (size_t)(ve - vp)))
			return fail(err, errsz, MS_ERR_INVALID, "grid %s: each "
			    "value 1..64 printable bytes, none empty", ax->key);
		if (ax->n == MS_BT_SWEEP_MAX_VALUES)
			return fail(err, errsz, MS_ERR_TOOBIG, "grid %s: more than "
			    "%d values", ax->key, MS_BT_SWEEP_MAX_VALUES);
		memcpy(ax->values[ax->n], vp, (size_t)(ve - vp));
		ax->values[ax->n][ve - vp] = '\0';
		for (size_t j = 0; j < ax->n; j++)
			if (strcmp(ax->values[j], ax->values[ax->n]) == 0)
				return fail(err, errsz, MS_ERR_INVALID, "grid %s: "
				    "value %s given twice", ax->key, ax->values[j]);
		ax->n++;
		if (c == NULL)
			break;
		v = c + 1;
	}
	if (cur * ax->n > MS_BT_SWEEP_MAX_VARIANTS)
		return fail(err, errsz, MS_ERR_TOOBIG, "the grid has more than %d "
		    "variants", MS_BT_SWEEP_MAX_VARIANTS);
	s->naxes++;
	return 0;
}

int
ms_bt_sweep_spec_axis(struct ms_bt_sweep_spec *s, const char *arg,
    char *err, size_t errsz)
{
	size_t n;

	if (arg == NULL || (n = strlen(arg)) > MS_BT_SWEEP_MAX_VALUES *
	    MS_BT_SWEEP_VALUE_MAX + 2 * MS_BT_SWEEP_KEY_MAX)
		return fail(err, errsz, MS_ERR_TOOBIG, "grid axis too long");
	return add_axis(s, arg, arg + n, err, errsz);
}

int
ms_bt_sweep_spec_file(struct ms_bt_sweep_spec *s, const char *text,
    size_t len, char *err, size_t errsz)
{
	const char *p = text, *end = text + len;
	int line = 0, rc;
	char why[256];

	if (len > MS_BT_SWEEP_MAX_GRID_FILE)
		return fail(err, errsz, MS_ERR_TOOBIG, "grid file over %u bytes",
		    MS_BT_SWEEP_MAX_GRID_FILE);
	if (memchr(text, '\0', len) != NULL)
		return fail(err, errsz, MS_ERR_PARSE, "grid file holds a NUL byte");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *hash, *lp = p;

		line++;
		if (le > p && le[-1] == '\r')
			le--;
		if ((hash = memchr(p, '#', (size_t)(le - p))) != NULL)
			le = hash;
		trim(&lp, &le);
		if (lp < le && (rc = add_axis(s, lp, le, why, sizeof(why))) != 0)
			return fail(err, errsz, rc, "line %d: %s", line, why);
		p = nl ? nl + 1 : end;
	}
	return 0;
}

void
ms_bt_sweep_coords(const struct ms_bt_sweep_spec *s, size_t v,
    size_t *coords)
{
	for (size_t i = s->naxes; i-- > 0; ) {
		coords[i] = v % s->axes[i].n;
		v /= s->axes[i].n;
	}
}

static int
apply_one(ms_bt_sweep_apply_fn apply, const char *key, const char *value,
    struct ms_bt_params *p, char *err, size_t errsz)
{
	const char *why = "is invalid";
	int k = apply(key, value, p, &why);

	if (k == 0)
		return fail(err, errsz, MS_ERR_INVALID, "%s is not an option of "
		    "backtest moonshots", key);
	if (k < 0)
		return fail(err, errsz, MS_ERR_INVALID, "%s=%s: %s", key, value,
		    why);
	return 0;
}

int
ms_bt_sweep_params(const struct ms_bt_sweep_spec *s, size_t v,
    ms_bt_sweep_apply_fn apply, struct ms_bt_params *out, char *err,
    size_t errsz)
{
	size_t coords[MS_BT_SWEEP_MAX_AXES];
	char why[160];
	int rc;

	ms_bt_params_default(out);
	for (size_t i = 0; i < s->nbase; i++)
		if ((rc = apply_one(apply, s->base[i].key, s->base[i].value, out,
		    err, errsz)) != 0)
			return rc;
	if (v == SIZE_MAX)
		return 0;
	if (v >= ms_bt_sweep_count(s))
		return fail(err, errsz, MS_ERR_RANGE, "no variant %zu", v);
	ms_bt_sweep_coords(s, v, coords);
	for (size_t i = 0; i < s->naxes; i++)
		if ((rc = apply_one(apply, s->axes[i].key,
		    s->axes[i].values[coords[i]], out, err, errsz)) != 0)
			return rc;
	if ((rc = ms_bt_params_check(out, why, sizeof(why))) != 0)
		return fail(err, errsz, rc, "variant %zu: %s", v, why);
	return 0;
}

int
ms_bt_sweep_check(const struct ms_bt_sweep_spec *s,
    ms_bt_sweep_apply_fn apply, char *err, size_t errsz)
{
	struct ms_bt_params p;
	size_t n = ms_bt_sweep_count(s);
	int rc;

	if ((rc = ms_bt_sweep_params(s, SIZE_MAX, apply, &p, err, errsz)) != 0)
		return rc;
	for (size_t v = 0; v < n; v++)
		if ((rc = ms_bt_sweep_params(s, v, apply, &p, err, errsz)) != 0)
			return rc;
	return 0;
}

int
ms_bt_sweep_in_shard(size_t v, size_t i, size_t n)
{
	return n > 0 && i >= 1 && i <= n && v % n == i - 1;
}

/* ---- rows ------------------------------------------------------------- */

enum fkind { F_DBL, F_SIZE };

/* The per-variant metrics, in the order of the documents and CSV. */
static const struct field {
	const char *name;
	enum fkind kind;
	size_t off;
} fields[] = {
#define D(n) { #n, F_DBL, offsetof(struct ms_bt_sweep_row, n) }
#define Z(n) { #n, F_SIZE, offsetof(struct ms_bt_sweep_row, n) }
	D(total_return), D(cagr), D(sharpe), D(sharpe_period), D(sortino),
	D(max_drawdown), D(annual_volatility), D(calmar), D(skew),
	D(kurtosis), D(mean_return), Z(picks), Z(filled), Z(judged),
	Z(wins), D(win_rate), D(mean_pick_return), D(median_pick_return),
	D(share_died), D(final_equity_usd),
#undef D
#undef Z
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static double *
fld_d(struct ms_bt_sweep_row *r, size_t i)
{
	return (double *)(void *)((char *)r + fields[i].off);
}

static size_t *
fld_z(struct ms_bt_sweep_row *r, size_t i)
{
	return (size_t *)(void *)((char *)r + fields[i].off);
}

static double
fld_dc(const struct ms_bt_sweep_row *r, size_t i)
{
	return *(const double *)(const void *)((const char *)r + fields[i].off);
}

static size_t
fld_zc(const struct ms_bt_sweep_row *r, size_t i)
{
	return *(const size_t *)(const void *)((const char *)r + fields[i].off);
}

/* A row with every metric unknown. */
static void
row_blank(struct ms_bt_sweep_row *r, size_t v)
{
	memset(r, 0, sizeof(*r));
	r->index = v;
	r->from = r->to = r->first_day = -1;
	for (size_t i = 0; i < NFIELDS; i++)
		if (fields[i].kind == F_DBL)
			*fld_d(r, i) = NAN;
}

static void
row_free(struct ms_bt_sweep_row *r)
{
	free(r->returns);
	r->returns = NULL;
	r->nreturns = 0;
}

/* The row of variant v from its run. */
static int
row_from_result(const struct ms_bt_result *res, size_t v,
    struct ms_bt_sweep_row *r)
{
	const struct ms_quant_summary *q = &res->portfolio.q;
	const struct ms_bt_pick_stats *ps = &res->pick_stats;

	row_blank(r, v);
	r->ok = 1;
	r->from = res->params.from;
	r->to = res->params.to;
	r->rebalance_dates = res->ndates;
	r->tranches = res->ntranches;
	r->nreturns = res->nperiods;
	r->first_day = res->nperiods ? res->periods[0].day : -1;
	if (res->nperiods > MAX_RETURNS)
		return MS_ERR_TOOBIG;
	if (res->nperiods > 0) {
		if ((r->returns = malloc(res->nperiods * sizeof(double))) == NULL)
			return MS_ERR_NOMEM;
		for (size_t t = 0; t < res->nperiods; t++)
			r->returns[t] = res->periods[t].ret;
	}
	if (res->portfolio.known) {
		r->total_return = q->total_return;
		r->cagr = q->cagr;
		r->sharpe = q->sharpe;
		r->sortino = q->sortino;
		r->max_drawdown = q->max_drawdown.depth;
		r->annual_volatility = q->annual_volatility;
		r->calmar = q->calmar;
		r->skew = q->skew;
		r->kurtosis = q->kurtosis;
		r->mean_return = q->mean;
	}
	/* The same estimator as the Sharpe above, per period (not annualised). */
	r->sharpe_period = r->nreturns ?
	    ms_quant_sharpe(r->returns, r->nreturns, 0, 1) : NAN;
	r->picks = res->npicks;
	r->filled = res->filled;
	r->judged = ps->count;
	r->wins = ps->wins;
	r->win_rate = ps->win_rate;
	r->mean_pick_return = ps->mean;
	r->median_pick_return = ps->median;
	r->share_died = ps->share_died;
	r->final_equity_usd = res->final_equity_usd;
	return 0;
}

/* ---- JSON helpers ----------------------------------------------------- */

/* A number item printed so it reads back exactly; null when not finite. */
static cJSON *
num_item(double v)
{
	char buf[40];

	if (!isfinite(v))
		return cJSON_CreateNull();
	if (v == 0)
		return cJSON_CreateNumber(0);   /* -0 too: one spelling */
	if (ms_json_format_double(v, buf, sizeof(buf)) < 0)
		return cJSON_CreateNumber(v);
	return cJSON_CreateRaw(buf);
}

static void
add_num(cJSON *o, const char *key, double v)
{
	cJSON *it = num_item(v);

	if (it != NULL && !cJSON_AddItemToObject(o, key, it))
		cJSON_Delete(it);
}

static void
add_size(cJSON *o, const char *key, size_t v)
{
	ms_json_int(o, key, (int64_t)v);
}

static cJSON *
spec_json(const struct ms_bt_sweep_spec *s)
{
	cJSON *o = cJSON_CreateObject(), *base, *grid;

	if (o == NULL)
		return NULL;
	base = cJSON_AddArrayToObject(o, "base");
	for (size_t i = 0; base != NULL && i < s->nbase; i++) {
		cJSON *b = cJSON_CreateObject();
		if (b == NULL || !cJSON_AddItemToArray(base, b)) {
			cJSON_Delete(b);
			break;
		}
		ms_json_str(b, "key", s->base[i].key);
		ms_json_str(b, "value", s->base[i].value);
	}
	grid = cJSON_AddArrayToObject(o, "grid");
	for (size_t i = 0; grid != NULL && i < s->naxes; i++) {
		cJSON *a = cJSON_CreateObject(), *vals;
		if (a == NULL || !cJSON_AddItemToArray(grid, a)) {
			cJSON_Delete(a);
			break;
		}
		ms_json_str(a, "key", s->axes[i].key);
		vals = cJSON_AddArrayToObject(a, "values");
		for (size_t j = 0; vals != NULL && j < s->axes[i].n; j++) {
			cJSON *x = cJSON_CreateString(s->axes[i].values[j]);
			if (x == NULL || !cJSON_AddItemToArray(vals, x)) {
				cJSON_Delete(x);
				break;
			}
		}
	}
	add_size(o, "variants", ms_bt_sweep_count(s));
	return o;
}

static void
add_store(cJSON *root, int64_t version, int32_t first, int32_t last)
{
	cJSON *o = cJSON_AddObjectToObject(root, "store");

	if (o == NULL)
		return;
	ms_json_int(o, "data_version", version);
	ms_json_date(o, "first_day", first);
	ms_json_date(o, "last_day", last);
}

/* The run fields and metrics of a row (without the returns). */
static void
add_row_fields(cJSON *o, const struct ms_bt_sweep_row *r)
{
	cJSON *m;

	ms_json_str(o, "status", r->ok ? "ok" : "no_data");
	ms_json_date(o, "from", r->from);
	ms_json_date(o, "to", r->to);
	add_size(o, "rebalance_dates", r->rebalance_dates);
	add_size(o, "tranches", r->tranches);
	add_size(o, "periods", r->nreturns);
	if ((m = cJSON_AddObjectToObject(o, "metrics")) == NULL)
		return;
	for (size_t i = 0; i < NFIELDS; i++) {
		if (fields[i].kind == F_DBL)
			add_num(m, fields[i].name, fld_dc(r, i));
		else
			add_size(m, fields[i].name, fld_zc(r, i));
	}
}

/* The shard document of rows[n] (variant order). */
static char *
shard_text(const struct ms_bt_sweep_spec *spec, const struct ms_bt_sweep_opts *o,
    int64_t version, int32_t first, int32_t last,
    const struct ms_bt_sweep_row *rows, size_t n)
{
	cJSON *root = cJSON_CreateObject(), *x, *vars;
	char *txt = NULL;

	if (root == NULL)
		return NULL;
	ms_json_str(root, "schema", MS_BT_SWEEP_SCHEMA);
	ms_json_int(root, "schema_version", MS_BT_SWEEP_SCHEMA_VERSION);
	ms_json_str(root, "kind", "shard");
	ms_json_str(root, "moonscope_version", MS_VERSION);
	add_store(root, version, first, last);
	if ((x = spec_json(spec)) != NULL && !cJSON_AddItemToObject(root,
	    "spec", x))
		cJSON_Delete(x);
	if ((x = cJSON_AddObjectToObject(root, "shard")) != NULL) {
		add_size(x, "index", o->shard);
		add_size(x, "count", o->nshards);
		ms_json_str(x, "split", "modulo");
	}
	vars = cJSON_AddArrayToObject(root, "variants");
	for (size_t k = 0; vars != NULL && k < n; k++) {
		const struct ms_bt_sweep_row *r = &rows[k];
		cJSON *v = cJSON_CreateObject(), *ret, *vals;

		if (v == NULL || !cJSON_AddItemToArray(vars, v)) {
			cJSON_Delete(v);
			goto out;
		}
		add_size(v, "index", r->index);
		add_row_fields(v, r);
		if ((ret = cJSON_AddObjectToObject(v, "returns")) == NULL)
			goto out;
		ms_json_date(ret, "first_day", r->first_day);
		if ((vals = cJSON_AddArrayToObject(ret, "values")) == NULL)
			goto out;
		for (size_t t = 0; t < r->nreturns; t++) {
			cJSON *it = num_item(r->returns[t]);
			if (it == NULL || !cJSON_AddItemToArray(vals, it)) {
				cJSON_Delete(it);
				goto out;
			}
		}
	}
	txt = cJSON_PrintUnformatted(root);
out:
	cJSON_Delete(root);
	return txt;
}

/* ---- running ---------------------------------------------------------- */

struct run_state {
	const struct ms_bt_sweep_spec *spec;
	const struct ms_bt_sweep_opts *o;
	const size_t *list;          /* the shard's variants, ascending */
	size_t nlist;
	struct ms_bt_sweep_row *rows;   /* [nlist] */
	int64_t data_version;
	pthread_mutex_t mu;
	size_t next, done;
	int rc;
	char err[1024];
};

/* Records the first failure (under the lock). */
static void
run_fail(struct run_state *s, int rc, const char *msg)
{
	pthread_mutex_lock(&s->mu);
	if (s->rc == 0) {
		s->rc = rc;
		snprintf(s->err, sizeof(s->err), "%s", msg);
	}
	pthread_mutex_unlock(&s->mu);
}

static int
run_variant(struct run_state *s, struct ms_store *st, size_t k)
{
	struct ms_bt_params p;
	struct ms_bt_result *res = NULL;
	size_t v = s->list[k];
	char why[512];
	int rc;

	if ((rc = ms_bt_sweep_params(s->spec, v, s->o->apply, &p, why,
	    sizeof(why))) != 0) {
		run_fail(s, rc, why);
		return rc;
	}
	rc = ms_bt_run(st, &p, NULL, NULL, &res);
	if (rc == MS_ERR_NODATA) {
		row_blank(&s->rows[k], v);
		return 0;
	}
	if (rc != 0) {
		snprintf(why, sizeof(why), "variant %zu: %s", v, ms_strerror(rc));
		run_fail(s, rc, why);
		return rc;
	}
	if (res->data_version != s->data_version) {
		ms_bt_result_free(res);
		run_fail(s, MS_ERR_INVALID, "the store changed during the sweep "
		    "(its data version moved); run it again");
		return MS_ERR_INVALID;
	}
	rc = row_from_result(res, v, &s->rows[k]);
	ms_bt_result_free(res);
	if (rc != 0) {
		snprintf(why, sizeof(why), "variant %zu: %s", v, ms_strerror(rc));
		run_fail(s, rc, why);
	}
	return rc;
}

/*
 * A page cache that holds the panels every variant re-reads (at most
 * 64 MiB per thread): after its first variant a thread reads the store
 * from memory (about 10 % faster on the 2018 universe). A tuning of this
 * connection only; results do not depend on it, so a failure is ignored.
 */
static void
big_cache(struct ms_store *st)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(ms_store_db(st), "PRAGMA cache_size = -65536",
	    -1, &s, NULL) != SQLITE_OK)
		return;
	(void)sqlite3_step(s);
	sqlite3_finalize(s);
}

static void *
worker(void *arg)
{
	struct run_state *s = arg;
	struct ms_store *st = NULL;
	char why[600];
	int rc;

	if ((rc = ms_store_open(s->o->db, MS_STORE_RO, &st)) != 0) {
		snprintf(why, sizeof(why), "cannot open %s: %s", s->o->db,
		    ms_strerror(rc));
		run_fail(s, rc, why);
		return NULL;
	}
	big_cache(st);
	for (;;) {
		size_t k;

		pthread_mutex_lock(&s->mu);
		if (s->rc != 0 || s->next == s->nlist) {
			pthread_mutex_unlock(&s->mu);
			break;
		}
		k = s->next++;
		pthread_mutex_unlock(&s->mu);
		if (run_variant(s, st, k) != 0)
			break;
		pthread_mutex_lock(&s->mu);
		s->done++;
		if (s->o->progress != NULL)
			s->o->progress(s->done, s->nlist, s->list[k], s->o->arg);
		pthread_mutex_unlock(&s->mu);
	}
	ms_store_close(st);
	return NULL;
}

/* The store's data version and day range, read once before the run. */
static int
store_info(const char *db, int64_t *version, int32_t *first, int32_t *last,
    char *err, size_t errsz)
{
	struct ms_store *st;
	struct ms_data_range range;
	int rc;

	if ((rc = ms_store_open(db, MS_STORE_RO, &st)) != 0)
		return fail(err, errsz, rc, "cannot open %s: %s", db,
		    ms_strerror(rc));
	if ((rc = ms_store_read_begin(st)) == 0) {
		if ((rc = ms_store_data_version(st, version)) == 0)
			rc = ms_market_range(st, -1, &range);
		ms_store_read_end(st);
	}
	ms_store_close(st);
	if (rc != 0)
		return fail(err, errsz, rc, "%s: %s", db, ms_strerror(rc));
	if (range.first_day < 0)
		return fail(err, errsz, MS_ERR_NODATA, "%s holds no data", db);
	*first = range.first_day;
	*last = range.last_day;
	return 0;
}

int
ms_bt_sweep_run(const struct ms_bt_sweep_spec *spec,
    const struct ms_bt_sweep_opts *o, char **out, char *err, size_t errsz)
{
	struct run_state s;
	pthread_t th[MS_BT_SWEEP_MAX_JOBS];
	size_t n = ms_bt_sweep_count(spec), *list = NULL, nth = 0, jobs;
	int32_t first = -1, last = -1;
	int rc;

	if (o->db == NULL || o->apply == NULL || o->jobs < 1 ||
	    o->jobs > MS_BT_SWEEP_MAX_JOBS || o->nshards < 1 ||
	    o->nshards > MS_BT_SWEEP_MAX_SHARDS || o->shard < 1 ||
	    o->shard > o->nshards)
		return fail(err, errsz, MS_ERR_INVALID, "invalid sweep options");
	if ((rc = ms_bt_sweep_check(spec, o->apply, err, errsz)) != 0)
		return rc;
	ms_quant_init();
	memset(&s, 0, sizeof(s));
	s.spec = spec;
	s.o = o;
	if ((rc = store_info(o->db, &s.data_version, &first, &last, err,
	    errsz)) != 0)
		return rc;
	if ((list = malloc((n / o->nshards + 1) * sizeof(*list))) == NULL)
		return fail(err, errsz, MS_ERR_NOMEM, "out of memory");
	for (size_t v = 0; v < n; v++)
		if (ms_bt_sweep_in_shard(v, o->shard, o->nshards))
			list[s.nlist++] = v;
	s.list = list;
	if (s.nlist > 0 && (s.rows = calloc(s.nlist, sizeof(*s.rows))) == NULL) {
		free(list);
		return fail(err, errsz, MS_ERR_NOMEM, "out of memory");
	}
	if (pthread_mutex_init(&s.mu, NULL) != 0) {
		free(s.rows);
		free(list);
		return fail(err, errsz, MS_ERR_INTERNAL, "pthread_mutex_init failed");
	}
	jobs = o->jobs < s.nlist ? o->jobs : s.nlist;
	if (jobs <= 1) {
		if (s.nlist > 0)
			worker(&s);
	} else {
		for (size_t i = 0; i < jobs; i++) {
			if (pthread_create(&th[nth], NULL, worker, &s) != 0)
				break;
			nth++;
		}
		if (nth == 0)
			worker(&s);   /* no thread could start: run here */
		for (size_t i = 0; i < nth; i++)
			pthread_join(th[i], NULL);
	}
	pthread_mutex_destroy(&s.mu);
	rc = s.rc;
	if (rc == 0 && s.done != s.nlist)
		rc = MS_ERR_INTERNAL;
	if (rc != 0) {
		fail(err, errsz, rc, "%s", s.err[0] ? s.err : ms_strerror(rc));
	} else if ((*out = shard_text(spec, o, s.data_version, first, last,
	    s.rows, s.nlist)) == NULL) {
		rc = fail(err, errsz, MS_ERR_NOMEM, "out of memory");
	}
	for (size_t k = 0; k < s.nlist; k++)
		row_free(&s.rows[k]);
	free(s.rows);
	free(list);
	return rc;
}

/* ---- the deflated Sharpe ratio ---------------------------------------- */

double
ms_bt_sweep_expected_max(double variance, size_t ntrials)
{
	double n = (double)ntrials, a, b;

	if (ntrials == 0 || !isfinite(variance) || variance < 0)
		return NAN;
	if (ntrials == 1)
		return 0;   /* no selection: the benchmark is 0 */
	ms_quant_init();
	a = gsl_cdf_ugaussian_Pinv(1 - 1 / n);
	b = gsl_cdf_ugaussian_Pinv(1 - 1 / (n * M_E));
	return sqrt(variance) * ((1 - MS_BT_SWEEP_EULER_GAMMA) * a +
	    MS_BT_SWEEP_EULER_GAMMA * b);
}

double
ms_bt_sweep_psr(double sr, double sr0, size_t T, double skew, double kurt,
    double *z)
{
	double den, zz;

	if (z != NULL)
		*z = NAN;
	if (T < 2 || !isfinite(sr) || !isfinite(sr0) || !isfinite(skew) ||
	    !isfinite(kurt))
		return NAN;
	den = 1 - skew * sr + (kurt - 1) / 4 * sr * sr;
	if (!(den > 0))
		return NAN;
	zz = (sr - sr0) * sqrt((double)T - 1) / sqrt(den);
	if (!isfinite(zz))
		return NAN;
	if (z != NULL)
		*z = zz;
	ms_quant_init();
	return gsl_cdf_ugaussian_P(zz);
}

int
ms_bt_sweep_deflate(const double *sr, size_t n, const size_t *T,
    const double *skew, const double *kurt, struct ms_bt_sweep_dsr *out)
{
	struct ms_bt_sweep_dsr d;
	double *fin;
	size_t m = 0;

	if (sr == NULL || T == NULL || skew == NULL || kurt == NULL ||
	    out == NULL)
		return MS_ERR_INVALID;
	memset(&d, 0, sizeof(d));
	d.trials = n;
	d.best = SIZE_MAX;
	d.variance = d.expected_max = d.sharpe = d.skew = d.kurtosis = NAN;
	d.z = d.dsr = d.psr = NAN;
	if ((fin = malloc((n ? n : 1) * sizeof(*fin))) == NULL)
		return MS_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(sr[i]))
			continue;
		fin[m++] = sr[i];
		if (d.best == SIZE_MAX || sr[i] > sr[d.best])
			d.best = i;
	}
	d.sharpes = m;
	if (m >= 2) {
		ms_quant_init();
		d.variance = gsl_stats_variance(fin, 1, m);   /* ddof 1 */
	} else if (n == 1) {
		d.variance = 0;   /* one trial: nothing was selected */
	}
	free(fin);
	if (d.best != SIZE_MAX) {
		d.sharpe = sr[d.best];
		d.T = T[d.best];
		d.skew = skew[d.best];
		d.kurtosis = kurt[d.best];
		d.expected_max = ms_bt_sweep_expected_max(d.variance, n);
		d.dsr = ms_bt_sweep_psr(d.sharpe, d.expected_max, d.T, d.skew,
		    d.kurtosis, &d.z);
		d.psr = ms_bt_sweep_psr(d.sharpe, 0, d.T, d.skew, d.kurtosis,
		    NULL);
	}
	*out = d;
	return 0;
}

/* ---- loading shards --------------------------------------------------- */

struct ms_bt_sweep *
ms_bt_sweep_new(void)
{
	struct ms_bt_sweep *sw = calloc(1, sizeof(*sw));

	if (sw != NULL)
		ms_bt_params_default(&sw->base);
	return sw;
}

void
ms_bt_sweep_free(struct ms_bt_sweep *sw)
{
	if (sw == NULL)
		return;
	for (size_t i = 0; sw->rows != NULL && i < sw->nvariants; i++)
		row_free(&sw->rows[i]);
	free(sw->rows);
	free(sw->have);
	free(sw);
}

static const cJSON *
get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* A non-negative integer up to max. */
static int
j_size(const cJSON *o, const char *key, size_t max, size_t *out)
{
	const cJSON *x = get(o, key);

	if (!cJSON_IsNumber(x) || !(x->valuedouble >= 0) ||
	    x->valuedouble > (double)max ||
	    x->valuedouble != floor(x->valuedouble))
		return -1;
	*out = (size_t)x->valuedouble;
	return 0;
}

/* A number, or null (NaN). */
static int
j_num_item(const cJSON *x, double *out)
{
	if (cJSON_IsNull(x)) {
		*out = NAN;
		return 0;
	}
	if (!cJSON_IsNumber(x))
		return -1;
	*out = x->valuedouble;
	return 0;
}

/* "YYYY-MM-DD" or null (-1). */
static int
j_day(const cJSON *o, const char *key, int32_t *out)
{
	const cJSON *x = get(o, key);

	if (cJSON_IsNull(x)) {
		*out = -1;
		return 0;
	}
	if (!cJSON_IsString(x) || ms_date_parse(x->valuestring,
	    strlen(x->valuestring), out) != 0)
		return -1;
	return 0;
}

static const char *
j_str(const cJSON *o, const char *key)
{
	const cJSON *x = get(o, key);

	return cJSON_IsString(x) ? x->valuestring : NULL;
}

/* The spec of a document, rebuilt through the same checks as the CLI's. */
static int
spec_from_json(const cJSON *js, struct ms_bt_sweep_spec *s, char *err,
    size_t errsz)
{
	const cJSON *base = get(js, "base"), *grid = get(js, "grid"), *x;
	char buf[MS_BT_SWEEP_MAX_VALUES * MS_BT_SWEEP_VALUE_MAX + 64];
	size_t n;
	int rc;

	ms_bt_sweep_spec_init(s);
	if (!cJSON_IsArray(base) || !cJSON_IsArray(grid))
		return fail(err, errsz, MS_ERR_PARSE, "spec needs base and grid "
		    "arrays");
	cJSON_ArrayForEach(x, base) {
		const char *k = j_str(x, "key"), *v = j_str(x, "value");
		if (k == NULL || v == NULL)
			return fail(err, errsz, MS_ERR_PARSE, "spec.base: "
			    "{key, value} strings");
		if ((rc = ms_bt_sweep_spec_set(s, k, v, err, errsz)) != 0)
			return rc;
	}
	cJSON_ArrayForEach(x, grid) {
		const char *k = j_str(x, "key");
		const cJSON *vals = get(x, "values"), *v;
		size_t len;

		if (k == NULL || !cJSON_IsArray(vals) ||
		    strlen(k) >= MS_BT_SWEEP_KEY_MAX)
			return fail(err, errsz, MS_ERR_PARSE, "spec.grid: {key, "
			    "values}");
		len = (size_t)snprintf(buf, sizeof(buf), "%s=", k);
		cJSON_ArrayForEach(v, vals) {
			size_t vl;
			if (!cJSON_IsString(v) || (vl = strlen(v->valuestring)) >=
			    MS_BT_SWEEP_VALUE_MAX || len + vl + 2 >= sizeof(buf))
				return fail(err, errsz, MS_ERR_PARSE, "spec.grid "
				    "%s: values are short strings", k);
			memcpy(buf + len, v->valuestring, vl);
			len += vl;
			buf[len++] = ',';
		}
		if (buf[len - 1] == ',')
			len--;
		buf[len] = '\0';
		if ((rc = ms_bt_sweep_spec_axis(s, buf, err, errsz)) != 0)
			return rc;
	}
	if (j_size(js, "variants", MS_BT_SWEEP_MAX_VARIANTS, &n) != 0 ||
	    n != ms_bt_sweep_count(s))
		return fail(err, errsz, MS_ERR_INVALID, "spec.variants does not "
		    "match the grid");
	return 0;
}

static int
row_from_json(const cJSON *v, size_t nvariants, struct ms_bt_sweep_row *r,
    char *err, size_t errsz)
{
	const cJSON *m = get(v, "metrics"), *ret = get(v, "returns"), *vals, *x;
	const char *status = j_str(v, "status");
	size_t idx, t = 0;

	if (j_size(v, "index", nvariants - 1, &idx) != 0)
		return fail(err, errsz, MS_ERR_INVALID, "a variant without a valid "
		    "index");
	row_blank(r, idx);
	if (status == NULL || (strcmp(status, "ok") != 0 &&
	    strcmp(status, "no_data") != 0))
		return fail(err, errsz, MS_ERR_PARSE, "variant %zu: status", idx);
	r->ok = strcmp(status, "ok") == 0;
	if (j_day(v, "from", &r->from) || j_day(v, "to", &r->to) ||
	    j_size(v, "rebalance_dates", MS_BT_MAX_DATES, &r->rebalance_dates) ||
	    j_size(v, "tranches", MS_BT_MAX_DATES, &r->tranches) ||
	    j_size(v, "periods", MAX_RETURNS, &r->nreturns) ||
	    !cJSON_IsObject(m) || !cJSON_IsObject(ret) ||
	    j_day(ret, "first_day", &r->first_day) ||
	    !cJSON_IsArray(vals = get(ret, "values")))
		return fail(err, errsz, MS_ERR_PARSE, "variant %zu: missing or "
		    "invalid fields", idx);
	for (size_t i = 0; i < NFIELDS; i++) {
		int bad = fields[i].kind == F_DBL ?
		    j_num_item(get(m, fields[i].name), fld_d(r, i)) :
		    j_size(m, fields[i].name, SIZE_MAX / 2, fld_z(r, i));
		if (bad)
			return fail(err, errsz, MS_ERR_PARSE, "variant %zu: metrics."
			    "%s", idx, fields[i].name);
	}
	if ((size_t)cJSON_GetArraySize(vals) != r->nreturns)
		return fail(err, errsz, MS_ERR_INVALID, "variant %zu: %zu returns "
		    "for %zu periods", idx, (size_t)cJSON_GetArraySize(vals),
		    r->nreturns);
	if (r->nreturns > 0 && (r->returns = malloc(r->nreturns *
	    sizeof(double))) == NULL)
		return fail(err, errsz, MS_ERR_NOMEM, "out of memory");
	cJSON_ArrayForEach(x, vals) {
		if (j_num_item(x, &r->returns[t++]) != 0) {
			row_free(r);
			return fail(err, errsz, MS_ERR_PARSE, "variant %zu: returns",
			    idx);
		}
	}
	if (!r->ok && r->nreturns > 0) {
		row_free(r);
		return fail(err, errsz, MS_ERR_INVALID, "variant %zu: no_data with "
		    "returns", idx);
	}
	return 0;
}

static int
load_doc(struct ms_bt_sweep *sw, const cJSON *doc, const char *label,
    char *err, size_t errsz)
{
	const cJSON *x, *shard = get(doc, "shard"), *store = get(doc, "store"),
	    *vars = get(doc, "variants");
	const char *ver = j_str(doc, "moonscope_version");
	struct ms_bt_sweep_spec *spec;
	size_t si, sn, nv;
	int64_t dv;
	int32_t first, last;
	int rc;

	x = get(doc, "schema");
	if (!cJSON_IsString(x) || strcmp(x->valuestring, MS_BT_SWEEP_SCHEMA))
		return fail(err, errsz, MS_ERR_INVALID, "%s: schema is not %s",
		    label, MS_BT_SWEEP_SCHEMA);
	x = get(doc, "schema_version");
	if (!cJSON_IsNumber(x) || x->valuedouble != MS_BT_SWEEP_SCHEMA_VERSION)
		return fail(err, errsz, MS_ERR_INVALID, "%s: schema_version is "
		    "not 1 (this build reads version 1)", label);
	x = get(doc, "kind");
	if (!cJSON_IsString(x) || strcmp(x->valuestring, "shard") != 0)
		return fail(err, errsz, MS_ERR_INVALID, "%s: not a shard file "
		    "(kind \"shard\"; a report's sweep.json cannot be merged)",
		    label);
	if (ver == NULL || strlen(ver) >= sizeof(sw->moonscope_version) ||
	    !cJSON_IsObject(shard) || !cJSON_IsObject(store) ||
	    !cJSON_IsArray(vars) ||
	    j_size(shard, "index", MS_BT_SWEEP_MAX_SHARDS, &si) ||
	    j_size(shard, "count", MS_BT_SWEEP_MAX_SHARDS, &sn) ||
	    si < 1 || si > sn || !cJSON_IsNumber(get(store, "data_version")) ||
	    j_day(store, "first_day", &first) || j_day(store, "last_day", &last))
		return fail(err, errsz, MS_ERR_PARSE, "%s: missing or invalid "
		    "moonscope_version, shard or store", label);
	dv = (int64_t)get(store, "data_version")->valuedouble;
	if ((spec = malloc(sizeof(*spec))) == NULL)
		return fail(err, errsz, MS_ERR_NOMEM, "out of memory");
	if ((rc = spec_from_json(get(doc, "spec"), spec, err, errsz)) != 0) {
		free(spec);
		return rc;
	}
	nv = ms_bt_sweep_count(spec);
	if (sw->rows == NULL) {
		sw->spec = *spec;
		snprintf(sw->moonscope_version, sizeof(sw->moonscope_version), "%s",
		    ver);
		sw->data_version = dv;
		sw->data_first = first;
		sw->data_last = last;
		sw->nshards = sn;
		sw->nvariants = nv;
		sw->rows = calloc(nv, sizeof(*sw->rows));
		sw->have = calloc(nv, 1);
		if (sw->rows == NULL || sw->have == NULL) {
			free(spec);
			return fail(err, errsz, MS_ERR_NOMEM, "out of memory");
		}
	} else {
		const char *what = NULL;
		cJSON *a = spec_json(&sw->spec), *b = spec_json(spec);
		if (a == NULL || b == NULL)
			what = "?";
		else if (!cJSON_Compare(a, b, 1))
			what = "grid and options";
		else if (strcmp(ver, sw->moonscope_version) != 0)
			what = "Moonscope version";
		else if (dv != sw->data_version || first != sw->data_first ||
		    last != sw->data_last)
			what = "store data version";
		else if (sn != sw->nshards)
			what = "shard count";
		cJSON_Delete(a);
		cJSON_Delete(b);
		if (what != NULL) {
			free(spec);
			return fail(err, errsz, MS_ERR_INVALID, "%s: its %s differ "
			    "from the first shard's", label, what);
		}
	}
	free(spec);
	cJSON_ArrayForEach(x, vars) {
		struct ms_bt_sweep_row r;

		if ((rc = row_from_json(x, sw->nvariants, &r, err, errsz)) != 0)
			return rc;
		if (!ms_bt_sweep_in_shard(r.index, si, sn) || sw->have[r.index]) {
			row_free(&r);
			return fail(err, errsz, MS_ERR_INVALID, "%s: variant %zu %s",
			    label, r.index, sw->have[r.index] ? "is in two shards" :
			    "does not belong to its shard");
		}
		sw->rows[r.index] = r;
		sw->have[r.index] = 1;
		sw->nloaded++;
	}
	return 0;
}

int
ms_bt_sweep_load(struct ms_bt_sweep *sw, const char *text, size_t len,
    const char *label, char *err, size_t errsz)
{
	const char *end = NULL;
	cJSON *doc;
	int rc;

	if (sw->complete)
		return fail(err, errsz, MS_ERR_INVALID, "sweep already complete");
	if (len > MS_BT_SWEEP_MAX_FILE)
		return fail(err, errsz, MS_ERR_TOOBIG, "%s: over %u bytes", label,
		    MS_BT_SWEEP_MAX_FILE);
	doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (doc == NULL || !cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return fail(err, errsz, MS_ERR_PARSE, "%s: not a JSON object",
		    label);
	}
	while (end != NULL && end < text + len && (*end == ' ' || *end == '\n' ||
	    *end == '\r' || *end == '\t' || *end == '\0'))
		end++;
	if (end != text + len) {
		cJSON_Delete(doc);
		return fail(err, errsz, MS_ERR_PARSE, "%s: bytes after the JSON "
		    "document", label);
	}
	rc = load_doc(sw, doc, label, err, errsz);
	cJSON_Delete(doc);
	return rc;
}

int
ms_bt_sweep_complete(struct ms_bt_sweep *sw, ms_bt_sweep_apply_fn apply,
    char *err, size_t errsz)
{
	double *sr, *sk, *ku;
	size_t *T, n = sw->nvariants;
	int rc;

	if (sw->rows == NULL)
		return fail(err, errsz, MS_ERR_INVALID, "no shard loaded");
	if (sw->nloaded != n) {
		char miss[200];
		size_t len = 0, k = 0;
		for (size_t v = 0; v < n && k < 10; v++) {
			if (sw->have[v])
				continue;
			len += (size_t)snprintf(miss + len, sizeof(miss) - len,
			    "%s%zu", k ? ", " : "", v);
			k++;
			if (len >= sizeof(miss))
				break;
		}
		return fail(err, errsz, MS_ERR_INVALID, "%zu of %zu variants "
		    "missing (e.g. %s): a shard is missing", n - sw->nloaded, n,
		    miss);
	}
	if ((rc = ms_bt_sweep_params(&sw->spec, SIZE_MAX, apply, &sw->base, err,
	    errsz)) != 0)
		return rc;
	sr = malloc(n * sizeof(*sr));
	sk = malloc(n * sizeof(*sk));
	ku = malloc(n * sizeof(*ku));
	T = malloc(n * sizeof(*T));
	if (sr == NULL || sk == NULL || ku == NULL || T == NULL) {
		rc = fail(err, errsz, MS_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t v = 0; v < n; v++) {
		const struct ms_bt_sweep_row *r = &sw->rows[v];
		sr[v] = r->ok ? r->sharpe_period : NAN;
		sk[v] = r->skew;
		ku[v] = r->kurtosis + 3;   /* non-excess */
		T[v] = ms_quant_count(r->returns, r->nreturns);
	}
	if ((rc = ms_bt_sweep_deflate(sr, n, T, sk, ku, &sw->dsr)) != 0)
		fail(err, errsz, rc, "%s", ms_strerror(rc));
	else
		sw->complete = 1;
out:
	free(sr);
	free(sk);
	free(ku);
	free(T);
	return rc;
}

/* ---- heat map --------------------------------------------------------- */

int
ms_bt_sweep_heat_axes(const struct ms_bt_sweep *sw, size_t *a, size_t *b)
{
	size_t k = 0, found[2] = { 0, 0 };

	if (sw->spec.naxes == 0)
		return -1;
	for (size_t i = 0; i < sw->spec.naxes && k < 2; i++)
		if (sw->spec.axes[i].n > 1)
			found[k++] = i;
	*a = found[0];
	*b = k == 2 ? found[1] : found[0];
	return 0;
}

int
ms_bt_sweep_heat(const struct ms_bt_sweep *sw, size_t a, size_t b,
    double *m)
{
	const struct ms_bt_sweep_spec *s = &sw->spec;
	size_t coords[MS_BT_SWEEP_MAX_AXES], na, nb;

	if (a >= s->naxes || b >= s->naxes)
		return MS_ERR_INVALID;
	na = a == b ? 1 : s->axes[a].n;
	nb = s->axes[b].n;
	for (size_t i = 0; i < na * nb; i++)
		m[i] = NAN;
	for (size_t v = 0; v < sw->nvariants; v++) {
		double x = sw->rows[v].sharpe;
		size_t cell;

		if (!sw->rows[v].ok || !isfinite(x))
			continue;
		ms_bt_sweep_coords(s, v, coords);
		cell = (a == b ? 0 : coords[a] * nb) + coords[b];
		if (isnan(m[cell]) || x > m[cell])
			m[cell] = x;
	}
	return 0;
}

/* ---- report ----------------------------------------------------------- */

static void
add_values(cJSON *o, const struct ms_bt_sweep_spec *s, size_t v)
{
	size_t coords[MS_BT_SWEEP_MAX_AXES];
	cJSON *x = cJSON_AddObjectToObject(o, "values");

	if (x == NULL)
		return;
	ms_bt_sweep_coords(s, v, coords);
	for (size_t i = 0; i < s->naxes; i++)
		ms_json_str(x, s->axes[i].key, s->axes[i].values[coords[i]]);
}

char *
ms_bt_sweep_json(const struct ms_bt_sweep *sw)
{
	const struct ms_bt_sweep_dsr *d = &sw->dsr;
	cJSON *root, *o, *x, *vars;
	size_t nodata = 0;
	char *txt;

	if (!sw->complete || (root = cJSON_CreateObject()) == NULL)
		return NULL;
	ms_json_str(root, "schema", MS_BT_SWEEP_SCHEMA);
	ms_json_int(root, "schema_version", MS_BT_SWEEP_SCHEMA_VERSION);
	ms_json_str(root, "kind", "report");
	ms_json_str(root, "moonscope_version", sw->moonscope_version);
	add_store(root, sw->data_version, sw->data_first, sw->data_last);
	if ((x = spec_json(&sw->spec)) != NULL && !cJSON_AddItemToObject(root,
	    "spec", x))
		cJSON_Delete(x);
	/* from/to stay null: each variant's own. */
	if ((o = cJSON_AddObjectToObject(root, "base_parameters")) != NULL)
		ms_bt_params_json(o, &sw->base);
	for (size_t v = 0; v < sw->nvariants; v++)
		nodata += !sw->rows[v].ok;
	if (d->best != SIZE_MAX &&
	    (o = cJSON_AddObjectToObject(root, "best")) != NULL) {
		add_size(o, "index", d->best);
		add_values(o, &sw->spec, d->best);
		add_row_fields(o, &sw->rows[d->best]);
	} else {
		cJSON_AddNullToObject(root, "best");
	}
	if ((o = cJSON_AddObjectToObject(root, "deflated_sharpe")) != NULL) {
		add_size(o, "trials", d->trials);
		add_size(o, "trials_with_sharpe", d->sharpes);
		if (d->best != SIZE_MAX)
			add_size(o, "best", d->best);
		else
			cJSON_AddNullToObject(o, "best");
		ms_json_num(o, "sharpe_variance", d->variance);
		ms_json_num(o, "expected_max_sharpe", d->expected_max);
		ms_json_num(o, "sharpe", d->sharpe);
		add_size(o, "periods", d->T);
		ms_json_num(o, "skew", d->skew);
		ms_json_num(o, "kurtosis", d->kurtosis);
		ms_json_num(o, "z", d->z);
		ms_json_num(o, "dsr", d->dsr);
		ms_json_num(o, "psr", d->psr);
	}
	/* Flat numbers under "metrics", for a regression gate. */
	if ((o = cJSON_AddObjectToObject(root, "metrics")) != NULL) {
		const struct ms_bt_sweep_row *b = d->best != SIZE_MAX ?
		    &sw->rows[d->best] : NULL;
		if ((x = cJSON_AddObjectToObject(o, "best")) != NULL) {
			ms_json_num(x, "sharpe", b ? b->sharpe : NAN);
			ms_json_num(x, "cagr", b ? b->cagr : NAN);
			ms_json_num(x, "total_return", b ? b->total_return : NAN);
			ms_json_num(x, "max_drawdown", b ? b->max_drawdown : NAN);
			ms_json_num(x, "win_rate", b ? b->win_rate : NAN);
		}
		if ((x = cJSON_AddObjectToObject(o, "deflated_sharpe")) != NULL) {
			ms_json_num(x, "dsr", d->dsr);
			ms_json_num(x, "psr", d->psr);
			ms_json_num(x, "expected_max_sharpe", d->expected_max);
		}
		if ((x = cJSON_AddObjectToObject(o, "variants")) != NULL) {
			add_size(x, "count", sw->nvariants);
			add_size(x, "no_data", nodata);
		}
	}
	vars = cJSON_AddArrayToObject(root, "variants");
	for (size_t v = 0; vars != NULL && v < sw->nvariants; v++) {
		cJSON *it = cJSON_CreateObject();
		if (it == NULL || !cJSON_AddItemToArray(vars, it)) {
			cJSON_Delete(it);
			break;
		}
		add_size(it, "index", v);
		add_values(it, &sw->spec, v);
		add_row_fields(it, &sw->rows[v]);
	}
	txt = cJSON_Print(root);
	cJSON_Delete(root);
	if (txt != NULL) {
		/* With the final newline, as the other report files. */
		size_t n = strlen(txt);
		char *t = realloc(txt, n + 2);
		if (t == NULL) {
			cJSON_free(txt);
			return NULL;
		}
		t[n] = '\n';
		t[n + 1] = '\0';
		txt = t;
	}
	return txt;
}

char *
ms_bt_sweep_variants_csv(const struct ms_bt_sweep *sw)
{
	const struct ms_bt_sweep_spec *s = &sw->spec;
	size_t coords[MS_BT_SWEEP_MAX_AXES];
	struct ms_buf b;
	int rc = 0;

	if (!sw->complete)
		return NULL;
	ms_buf_init(&b, REPORT_MAX);
	rc |= ms_buf_puts(&b, "index");
	for (size_t i = 0; i < s->naxes; i++)
		rc |= ms_buf_printf(&b, ",%s", s->axes[i].key);
	rc |= ms_buf_puts(&b, ",status,first_rebalance,last_rebalance,"
	    "rebalance_dates,tranches,periods");
	for (size_t i = 0; i < NFIELDS; i++)
		rc |= ms_buf_printf(&b, ",%s", fields[i].name);
	rc |= ms_buf_puts(&b, ",best\n");
	for (size_t v = 0; rc == 0 && v < sw->nvariants; v++) {
		const struct ms_bt_sweep_row *r = &sw->rows[v];

		ms_bt_sweep_coords(s, v, coords);
		rc |= ms_buf_printf(&b, "%zu", v);
		for (size_t i = 0; i < s->naxes; i++) {
			rc |= ms_buf_putc(&b, ',');
			rc |= ms_bt_csv_text(&b, s->axes[i].values[coords[i]]);
		}
		rc |= ms_buf_printf(&b, ",%s,", r->ok ? "ok" : "no_data");
		rc |= ms_bt_csv_date(&b, r->from);
		rc |= ms_buf_putc(&b, ',');
		rc |= ms_bt_csv_date(&b, r->to);
		rc |= ms_buf_printf(&b, ",%zu,%zu,%zu", r->rebalance_dates,
		    r->tranches, r->nreturns);
		for (size_t i = 0; i < NFIELDS; i++) {
			rc |= ms_buf_putc(&b, ',');
			if (fields[i].kind == F_DBL)
				rc |= ms_bt_csv_num(&b, fld_dc(r, i));
			else
				rc |= ms_buf_printf(&b, "%zu", fld_zc(r, i));
		}
		rc |= ms_buf_printf(&b, ",%d\n", v == sw->dsr.best);
	}
	if (rc != 0) {
		ms_buf_free(&b);
		return NULL;
	}
	return ms_buf_steal(&b);
}

char *
ms_bt_sweep_returns_csv(const struct ms_bt_sweep *sw)
{
	struct ms_buf b;
	int rc = 0;

	if (!sw->complete)
		return NULL;
	ms_buf_init(&b, REPORT_MAX);
	rc |= ms_buf_puts(&b, "variant,date,return\n");
	for (size_t v = 0; rc == 0 && v < sw->nvariants; v++) {
		const struct ms_bt_sweep_row *r = &sw->rows[v];
		for (size_t t = 0; rc == 0 && t < r->nreturns; t++) {
			rc |= ms_buf_printf(&b, "%zu,", v);
			rc |= ms_bt_csv_date(&b, r->first_day + (int32_t)t);
			rc |= ms_buf_putc(&b, ',');
			rc |= ms_bt_csv_num(&b, r->returns[t]);
			rc |= ms_buf_putc(&b, '\n');
		}
	}
	if (rc != 0) {
		ms_buf_free(&b);
		return NULL;
	}
	return ms_buf_steal(&b);
}

static const char *
pct(char *buf, size_t n, double v)
{
	if (!isfinite(v))
		snprintf(buf, n, "n/a");
	else
		snprintf(buf, n, "%+.1f%%", 100 * v);
	return buf;
}

static const char *
num(char *buf, size_t n, double v, int prec)
{
	if (!isfinite(v))
		snprintf(buf, n, "n/a");
	else
		snprintf(buf, n, "%.*f", prec, v);
	return buf;
}

/* A Markdown table cell: '|' escaped. */
static int
md_cell(struct ms_buf *b, const char *s)
{
	int rc = 0;

	for (; *s != '\0'; s++) {
		if (*s == '|')
			rc |= ms_buf_putc(b, '\\');
		rc |= ms_buf_putc(b, *s);
	}
	return rc;
}

/* "top=5, hold=28" for variant v. */
static int
md_values(struct ms_buf *b, const struct ms_bt_sweep_spec *s, size_t v)
{
	size_t coords[MS_BT_SWEEP_MAX_AXES];
	int rc = 0;

	ms_bt_sweep_coords(s, v, coords);
	for (size_t i = 0; i < s->naxes; i++)
		rc |= ms_buf_printf(b, "%s%s=%s", i ? ", " : "", s->axes[i].key,
		    s->axes[i].values[coords[i]]);
	return rc;
}

static int
md_heat(struct ms_buf *b, const struct ms_bt_sweep *sw, size_t ha,
    size_t hb)
{
	const struct ms_bt_sweep_spec *s = &sw->spec;
	size_t na, nb;
	double *m;
	char x[32];
	int rc = 0;

	if (ha >= s->naxes || hb >= s->naxes)
		return 0;
	na = ha == hb ? 1 : s->axes[ha].n;
	nb = s->axes[hb].n;
	if ((m = malloc(na * nb * sizeof(*m))) == NULL)
		return MS_ERR_NOMEM;
	ms_bt_sweep_heat(sw, ha, hb, m);
	if (ha == hb)
		rc |= ms_buf_printf(b, "\n## Sharpe by %s (the best over the "
		    "other axes)\n\n| %s |", s->axes[hb].key, s->axes[hb].key);
	else
		rc |= ms_buf_printf(b, "\n## Sharpe by %s × %s (the best over the "
		    "other axes)\n\n| %s \\ %s |", s->axes[ha].key, s->axes[hb].key,
		    s->axes[ha].key, s->axes[hb].key);
	for (size_t j = 0; j < nb; j++) {
		rc |= ms_buf_putc(b, ' ');
		rc |= md_cell(b, s->axes[hb].values[j]);
		rc |= ms_buf_puts(b, " |");
	}
	rc |= ms_buf_puts(b, "\n|---|");
	for (size_t j = 0; j < nb; j++)
		rc |= ms_buf_puts(b, "---|");
	rc |= ms_buf_putc(b, '\n');
	for (size_t i = 0; i < na; i++) {
		rc |= ms_buf_puts(b, "| ");
		rc |= md_cell(b, ha == hb ? "Sharpe" : s->axes[ha].values[i]);
		rc |= ms_buf_puts(b, " |");
		for (size_t j = 0; j < nb; j++)
			rc |= ms_buf_printf(b, " %s |", num(x, sizeof(x),
			    m[i * nb + j], 2));
		rc |= ms_buf_putc(b, '\n');
	}
	free(m);
	return rc;
}

char *
ms_bt_sweep_markdown(const struct ms_bt_sweep *sw, size_t ha, size_t hb)
{
	const struct ms_bt_sweep_spec *s = &sw->spec;
	const struct ms_bt_sweep_dsr *d = &sw->dsr;
	struct ms_buf b;
	char d0[MS_DATE_LEN + 1], d1[MS_DATE_LEN + 1], x[32], y[32], z[32],
	    w[32], u[32];
	size_t nodata = 0;
	int rc = 0;

	if (!sw->complete)
		return NULL;
	if ((ha == SIZE_MAX || hb == SIZE_MAX) &&
	    ms_bt_sweep_heat_axes(sw, &ha, &hb) != 0)
		ha = hb = SIZE_MAX;
	ms_buf_init(&b, REPORT_MAX);
	for (size_t v = 0; v < sw->nvariants; v++)
		nodata += !sw->rows[v].ok;
	ms_date_format(sw->data_first, d0);
	ms_date_format(sw->data_last, d1);
	rc |= ms_buf_printf(&b, "# Moonshot backtest sweep: %zu variant%s\n\n",
	    sw->nvariants, sw->nvariants == 1 ? "" : "s");
	rc |= ms_buf_puts(&b, "Grid:");
	for (size_t i = 0; i < s->naxes; i++) {
		rc |= ms_buf_printf(&b, "%s %s = ", i ? " ×" : "", s->axes[i].key);
		for (size_t j = 0; j < s->axes[i].n; j++)
			rc |= ms_buf_printf(&b, "%s%s", j ? ", " : "",
			    s->axes[i].values[j]);
	}
	if (s->naxes == 0)
		rc |= ms_buf_puts(&b, " none");
	rc |= ms_buf_puts(&b, ". Other options:");
	for (size_t i = 0; i < s->nbase; i++)
		rc |= ms_buf_printf(&b, " --%s %s", s->base[i].key,
		    s->base[i].value);
	rc |= ms_buf_printf(&b, "%s (the rest at the `backtest moonshots` "
	    "defaults). Store data version %lld, %s .. %s. Each variant is one "
	    "`backtest moonshots` run; Sharpe is annualised with 365 days.",
	    s->nbase ? "" : " none", (long long)sw->data_version, d0, d1);
	if (nodata > 0)
		rc |= ms_buf_printf(&b, " %zu variant%s had no rebalance date in "
		    "range (no_data).", nodata, nodata == 1 ? "" : "s");
	rc |= ms_buf_puts(&b, "\n\n");
	if (d->best == SIZE_MAX) {
		rc |= ms_buf_puts(&b, "No variant has a Sharpe ratio: no best, no "
		    "deflated Sharpe ratio.\n");
	} else {
		const struct ms_bt_sweep_row *r = &sw->rows[d->best];
		rc |= ms_buf_printf(&b, "**Best** (highest Sharpe): variant %zu (",
		    d->best);
		rc |= md_values(&b, s, d->best);
		rc |= ms_buf_printf(&b, "): Sharpe %s, CAGR %s, max drawdown %s, "
		    "total return %s, %zu picks, win rate %s.\n\n",
		    num(x, sizeof(x), r->sharpe, 2), pct(y, sizeof(y), r->cagr),
		    pct(z, sizeof(z), r->max_drawdown),
		    pct(w, sizeof(w), r->total_return), r->picks,
		    pct(u, sizeof(u), r->win_rate));
		rc |= ms_buf_printf(&b, "**Deflated Sharpe ratio** of the best: "
		    "DSR = %s (PSR against 0: %s). ", num(x, sizeof(x), d->dsr, 4),
		    num(y, sizeof(y), d->psr, 4));
		rc |= ms_buf_printf(&b, "Per day: best Sharpe %s against SR0 = "
		    "%s, the Sharpe the best of N = %zu trials reaches by luck "
		    "alone (variance of the %zu trial Sharpes %s); ",
		    num(x, sizeof(x), d->sharpe, 4),
		    num(y, sizeof(y), d->expected_max, 4), d->trials, d->sharpes,
		    num(z, sizeof(z), d->variance, 8));
		rc |= ms_buf_printf(&b, "T = %zu days, skewness %s, kurtosis %s. ",
		    d->T, num(x, sizeof(x), d->skew, 2),
		    num(y, sizeof(y), d->kurtosis, 2));
		rc |= ms_buf_puts(&b, "DSR is the probability that the best "
		    "variant's true Sharpe ratio is above zero once the number of "
		    "variants tried is accounted for (Bailey & López de Prado "
		    "2014); below 0.95 the best is not distinguishable from the "
		    "luckiest of many.\n");
	}
	rc |= md_heat(&b, sw, ha, hb);
	rc |= ms_buf_puts(&b, "\n## Every variant\n\n| # |");
	for (size_t i = 0; i < s->naxes; i++) {
		rc |= ms_buf_putc(&b, ' ');
		rc |= md_cell(&b, s->axes[i].key);
		rc |= ms_buf_puts(&b, " |");
	}
	rc |= ms_buf_puts(&b, " Sharpe | CAGR | max drawdown | total return | "
	    "picks | win rate |\n|---|");
	for (size_t i = 0; i < s->naxes; i++)
		rc |= ms_buf_puts(&b, "---|");
	rc |= ms_buf_puts(&b, "---|---|---|---|---|---|\n");
	for (size_t v = 0; rc == 0 && v < sw->nvariants; v++) {
		const struct ms_bt_sweep_row *r = &sw->rows[v];
		size_t coords[MS_BT_SWEEP_MAX_AXES];

		ms_bt_sweep_coords(s, v, coords);
		rc |= ms_buf_printf(&b, "| %zu%s |", v, v == d->best ? " (best)" :
		    "");
		for (size_t i = 0; i < s->naxes; i++) {
			rc |= ms_buf_putc(&b, ' ');
			rc |= md_cell(&b, s->axes[i].values[coords[i]]);
			rc |= ms_buf_puts(&b, " |");
		}
		if (!r->ok)
			rc |= ms_buf_puts(&b, " no data | | | | | |\n");
		else
			rc |= ms_buf_printf(&b, " %s | %s | %s | %s | %zu | %s |\n",
			    num(x, sizeof(x), r->sharpe, 2), pct(y, sizeof(y), r->cagr),
			    pct(z, sizeof(z), r->max_drawdown),
			    pct(w, sizeof(w), r->total_return), r->picks,
			    pct(u, sizeof(u), r->win_rate));
	}
	if (rc != 0) {
		ms_buf_free(&b);
		return NULL;
	}
	return ms_buf_steal(&b);
}

/* ---- report.html ------------------------------------------------------ */

/*
 * Appends a chart, or when it cannot be drawn (MS_ERR_RANGE: nothing
 * finite to draw) a paragraph saying so; other errors pass through.
 */
static int
chart_or_note(struct ms_buf *b, int rc, const char *what)
{
	char msg[160];

	if (rc != MS_ERR_RANGE)
		return rc;
	snprintf(msg, sizeof(msg), "No %s: no finite value to draw.", what);
	return ms_html_p(b, msg);
}

/* A table of rows x cols cells of at most CELL bytes, then freed. */
#define CELL 160

static int
html_variants(struct ms_buf *b, const struct ms_bt_sweep *sw)
{
	const struct ms_bt_sweep_spec *s = &sw->spec;
	size_t cols = 1 + s->naxes + 7, rows = sw->nvariants + 1, coords[
	    MS_BT_SWEEP_MAX_AXES];
	const char **cells;
	char *store;
	int rc;

	cells = calloc(rows * cols, sizeof(*cells));
	store = malloc(rows * cols * CELL);
	if (cells == NULL || store == NULL) {
		free(cells);
		free(store);
		return MS_ERR_NOMEM;
	}
#define C(r, c) (store + ((r) * cols + (c)) * CELL)
	snprintf(C(0, 0), CELL, "#");
	for (size_t i = 0; i < s->naxes; i++)
		snprintf(C(0, 1 + i), CELL, "%s", s->axes[i].key);
	{
		static const char *const head[] = { "Sharpe", "CAGR",
			"max drawdown", "total return", "picks", "win rate",
			"status" };
		for (size_t j = 0; j < 7; j++)
			snprintf(C(0, 1 + s->naxes + j), CELL, "%s", head[j]);
	}
	for (size_t v = 0; v < sw->nvariants; v++) {
		const struct ms_bt_sweep_row *r = &sw->rows[v];
		size_t k = 1 + s->naxes;

		ms_bt_sweep_coords(s, v, coords);
		snprintf(C(v + 1, 0), CELL, "%zu%s", v, v == sw->dsr.best ?
		    " (best)" : "");
		for (size_t i = 0; i < s->naxes; i++)
			snprintf(C(v + 1, 1 + i), CELL, "%s",
			    s->axes[i].values[coords[i]]);
		num(C(v + 1, k), CELL, r->sharpe, 2);
		pct(C(v + 1, k + 1), CELL, r->cagr);
		pct(C(v + 1, k + 2), CELL, r->max_drawdown);
		pct(C(v + 1, k + 3), CELL, r->total_return);
		snprintf(C(v + 1, k + 4), CELL, "%zu", r->picks);
		pct(C(v + 1, k + 5), CELL, r->win_rate);
		snprintf(C(v + 1, k + 6), CELL, "%s", r->ok ? "ok" : "no data");
	}
	for (size_t i = 0; i < rows * cols; i++)
		cells[i] = store + i * CELL;
#undef C
	rc = ms_html_table(b, cells, rows, cols);
	free(cells);
	free(store);
	return rc;
}

static int
html_dsr(struct ms_buf *b, const struct ms_bt_sweep *sw)
{
	const struct ms_bt_sweep_dsr *d = &sw->dsr;
	const struct ms_bt_sweep_row *r = &sw->rows[d->best];
	char v[14][48], best[400];
	const char *cells[32];
	struct ms_buf vb;
	int rc;

	ms_buf_init(&vb, sizeof(best));
	rc = ms_buf_printf(&vb, "%zu: ", d->best);
	rc |= md_values(&vb, &sw->spec, d->best);
	snprintf(best, sizeof(best), "%s", rc == 0 && vb.data ? vb.data : "?");
	ms_buf_free(&vb);
	num(v[0], sizeof(v[0]), r->sharpe, 2);
	pct(v[1], sizeof(v[1]), r->cagr);
	pct(v[2], sizeof(v[2]), r->max_drawdown);
	pct(v[3], sizeof(v[3]), r->total_return);
	snprintf(v[4], sizeof(v[4]), "%zu", r->picks);
	pct(v[5], sizeof(v[5]), r->win_rate);
	num(v[6], sizeof(v[6]), d->dsr, 4);
	num(v[7], sizeof(v[7]), d->psr, 4);
	num(v[8], sizeof(v[8]), d->sharpe, 5);
	num(v[9], sizeof(v[9]), d->expected_max, 5);
	snprintf(v[10], sizeof(v[10]), "%zu (%zu with a Sharpe)", d->trials,
	    d->sharpes);
	num(v[11], sizeof(v[11]), d->variance, 8);
	snprintf(v[12], sizeof(v[12]), "%zu", d->T);
	snprintf(v[13], sizeof(v[13]), "%.2f / %.2f", d->skew, d->kurtosis);
	{
		const char *names[15] = { "best variant", "Sharpe (annualised)",
			"CAGR", "max drawdown", "total return", "picks",
			"win rate (trade-based)", "deflated Sharpe ratio (DSR)",
			"PSR against 0", "best Sharpe per day (SR*)",
			"expected max Sharpe per day (SR0)", "trials N",
			"variance of the trial Sharpes (per day)",
			"days T", "skewness / kurtosis (non-excess)" };
		cells[0] = "statistic";
		cells[1] = "value";
		cells[2] = names[0];
		cells[3] = best;
		for (size_t i = 0; i < 14; i++) {
			cells[4 + 2 * i] = names[i + 1];
			cells[5 + 2 * i] = v[i];
		}
	}
	return ms_html_table(b, cells, 16, 2);
}

/* The best variant's equity (1 at the start) against the days. */
static int
html_equity(struct ms_buf *b, const struct ms_bt_sweep *sw)
{
	const struct ms_bt_sweep_row *r = &sw->rows[sw->dsr.best];
	struct ms_svg_axes ax;
	struct ms_svg_series se;
	double *x, *y, eq = 1;
	int rc;

	if (r->nreturns == 0)
		return chart_or_note(b, MS_ERR_RANGE, "equity chart");
	x = malloc(r->nreturns * sizeof(*x));
	y = malloc(r->nreturns * sizeof(*y));
	if (x == NULL || y == NULL) {
		free(x);
		free(y);
		return MS_ERR_NOMEM;
	}
	for (size_t t = 0; t < r->nreturns; t++) {
		eq *= 1 + r->returns[t];
		x[t] = (double)(r->first_day + (int32_t)t);
		y[t] = eq;
	}
	memset(&ax, 0, sizeof(ax));
	ax.title = "Equity of the best variant (net of costs)";
	ax.xlabel = "date";
	ax.ylabel = "equity (1 = capital)";
	ax.x_is_date = 1;
	ax.y_log = 1;
	se.name = "best variant";
	se.x = x;
	se.y = y;
	se.n = r->nreturns;
	rc = chart_or_note(b, ms_svg_lines(b, &ax, &se, 1), "equity chart");
	free(x);
	free(y);
	return rc;
}

char *
ms_bt_sweep_html(const struct ms_bt_sweep *sw, size_t ha, size_t hb)
{
	const struct ms_bt_sweep_spec *s = &sw->spec;
	struct ms_buf b;
	struct ms_svg_axes ax;
	char title[200], *md = NULL, *p1;
	double *m = NULL, *sh = NULL;
	const char **rl = NULL, **cl = NULL;
	size_t na, nb, nsh = 0;
	int rc = 0;

	if (!sw->complete)
		return NULL;
	if ((ha == SIZE_MAX || hb == SIZE_MAX) &&
	    ms_bt_sweep_heat_axes(sw, &ha, &hb) != 0)
		ha = hb = SIZE_MAX;
	ms_buf_init(&b, REPORT_MAX);
	snprintf(title, sizeof(title), "Moonshot backtest sweep: %zu variant%s",
	    sw->nvariants, sw->nvariants == 1 ? "" : "s");
	rc |= ms_html_begin(&b, title);
	/* The summary's first paragraph (grid, options, store). */
	if ((md = ms_bt_sweep_markdown(sw, ha, hb)) == NULL) {
		rc = MS_ERR_NOMEM;
		goto out;
	}
	if ((p1 = strstr(md, "\n\n")) != NULL) {
		char *e = strstr(p1 + 2, "\n\n");
		if (e != NULL)
			*e = '\0';
		rc |= ms_html_p(&b, p1 + 2);
	}
	if (sw->dsr.best == SIZE_MAX) {
		rc |= ms_html_p(&b, "No variant has a Sharpe ratio: no best, no "
		    "deflated Sharpe ratio.");
	} else {
		rc |= ms_html_h2(&b, "Best variant and its deflated Sharpe ratio");
		rc |= html_dsr(&b, sw);
		rc |= ms_html_p(&b, "DSR is the probability that the best "
		    "variant's true Sharpe ratio is above zero once the number of "
		    "variants tried is accounted for (Bailey & López de Prado "
		    "2014): SR0 is the Sharpe ratio the best of N trials reaches "
		    "by luck alone. Below 0.95 the best is not distinguishable "
		    "from the luckiest of many.");
		rc |= html_equity(&b, sw);
	}
	if (rc != 0)
		goto out;
	if (ha != SIZE_MAX) {
		na = ha == hb ? 1 : s->axes[ha].n;
		nb = s->axes[hb].n;
		m = malloc(na * nb * sizeof(*m));
		rl = malloc(na * sizeof(*rl));
		cl = malloc(nb * sizeof(*cl));
		if (m == NULL || rl == NULL || cl == NULL) {
			rc = MS_ERR_NOMEM;
			goto out;
		}
		ms_bt_sweep_heat(sw, ha, hb, m);
		for (size_t i = 0; i < na; i++)
			rl[i] = ha == hb ? "Sharpe" : s->axes[ha].values[i];
		for (size_t j = 0; j < nb; j++)
			cl[j] = s->axes[hb].values[j];
		if (ha == hb)
			snprintf(title, sizeof(title), "Sharpe by %s (the best over "
			    "the other axes)", s->axes[hb].key);
		else
			snprintf(title, sizeof(title), "Sharpe by %s (rows) and %s "
			    "(columns), the best over the other axes",
			    s->axes[ha].key, s->axes[hb].key);
		rc |= ms_html_h2(&b, "Heat map");
		memset(&ax, 0, sizeof(ax));
		ax.title = title;
		ax.xlabel = s->axes[hb].key;
		ax.ylabel = ha == hb ? "" : s->axes[ha].key;
		rc |= chart_or_note(&b, ms_svg_heatmap(&b, &ax, m, na, nb, rl, cl),
		    "heat map");
	}
	if ((sh = malloc(sw->nvariants * sizeof(*sh))) == NULL) {
		rc = MS_ERR_NOMEM;
		goto out;
	}
	for (size_t v = 0; v < sw->nvariants; v++)
		if (sw->rows[v].ok && isfinite(sw->rows[v].sharpe))
			sh[nsh++] = sw->rows[v].sharpe;
	rc |= ms_html_h2(&b, "Sharpe ratios of every variant");
	memset(&ax, 0, sizeof(ax));
	ax.title = "Distribution of the variants' Sharpe ratios (annualised)";
	ax.xlabel = "Sharpe";
	ax.ylabel = "variants";
	rc |= chart_or_note(&b, nsh ? ms_svg_histogram(&b, &ax, sh, nsh,
	    nsh < 20 ? (nsh < 5 ? 5 : nsh) : 20) : MS_ERR_RANGE,
	    "histogram");
	rc |= ms_html_h2(&b, "Every variant");
	rc |= html_variants(&b, sw);
	rc |= ms_html_end(&b);
out:
	free(md);
	free(m);
	free(rl);
	free(cl);
	free(sh);
	if (rc != 0) {
		ms_buf_free(&b);
		return NULL;
	}
	return ms_buf_steal(&b);
}

int
ms_bt_sweep_write_report(const struct ms_bt_sweep *sw, const char *dir,
    size_t ha, size_t hb, char *err, size_t errsz)
{
	static const char *const names[] = { "sweep.json", "variants.csv",
		"returns.csv", "summary.md", "report.html" };
	char *txt[5];
	int rc = 0;

	if (!sw->complete)
		return fail(err, errsz, MS_ERR_INVALID, "sweep not complete");
	if (ms_bt_mkdirs(dir) != 0)
		return fail(err, errsz, MS_ERR_IO, "cannot create %s: %s", dir,
		    strerror(errno));
	txt[0] = ms_bt_sweep_json(sw);
	txt[1] = ms_bt_sweep_variants_csv(sw);
	txt[2] = ms_bt_sweep_returns_csv(sw);
	txt[3] = ms_bt_sweep_markdown(sw, ha, hb);
	txt[4] = ms_bt_sweep_html(sw, ha, hb);
	for (size_t i = 0; i < 5; i++) {
		if (rc == 0 && txt[i] == NULL)
			rc = fail(err, errsz, MS_ERR_NOMEM, "%s: out of memory",
			    names[i]);
		if (rc == 0)
			rc = ms_bt_write_file(dir, names[i], txt[i], strlen(txt[i]), err, errsz);
	}
	for (size_t i = 0; i < 5; i++)
		free(txt[i]);
	return rc;
}

int
ms_bt_sweep_read_file(const char *path, size_t max, char **out, size_t *len,
    char *err, size_t errsz)
{
	FILE *f = fopen(path, "rb");
	struct ms_buf b;
	char chunk[65536];
	size_t n;
	int rc = 0;

	if (f == NULL)
		return fail(err, errsz, MS_ERR_IO, "%s: %s", path, strerror(errno));
	ms_buf_init(&b, max);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (b.len + n > max) {
			rc = fail(err, errsz, MS_ERR_TOOBIG, "%s: over %zu bytes",
			    path, max);
			break;
		}
		if (ms_buf_append(&b, chunk, n) != 0) {
			rc = fail(err, errsz, MS_ERR_NOMEM, "%s: out of memory", path);
			break;
		}
	}
	if (rc == 0 && ferror(f))
		rc = fail(err, errsz, MS_ERR_IO, "%s: read error", path);
	fclose(f);
	if (rc != 0) {
		ms_buf_free(&b);
		return rc;
	}
	*len = b.len;
	if ((*out = ms_buf_steal(&b)) == NULL && (*out = calloc(1, 1)) == NULL)
		return fail(err, errsz, MS_ERR_NOMEM, "out of memory");
	return 0;
}
