/*
 * ms_bt_compare.c — the regression gate over two backtest summaries (see
 * ms_bt_compare.h): flatten the metrics, apply directions and tolerances,
 * and write the Markdown table and the JUnit XML that CI systems read.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ms_bt.h"
#include "ms_bt_compare.h"
#include "ms_buf.h"
#include "ms_error.h"

static const char *const dir_names[] = { "ignore", "higher_better",
	"lower_better" };
static const char *const status_names[] = { "unchanged", "improved",
	"within", "degraded", "new", "moved" };

const char *
ms_bt_cmp_dir_name(enum ms_bt_cmp_dir d)
{
	return (unsigned)d <= MS_BT_CMP_LOWER ? dir_names[d] : "unknown";
}

const char *
ms_bt_cmp_status_name(enum ms_bt_cmp_status s)
{
	return (unsigned)s <= MS_BT_CMP_MOVED ? status_names[s] : "unknown";
}

/* The built-in directions; every other metric is "ignore". */
static const struct {
	const char *name;
	enum ms_bt_cmp_dir dir;
} builtin[] = {
	{ "portfolio.total_return", MS_BT_CMP_HIGHER },
	{ "portfolio.cagr", MS_BT_CMP_HIGHER },
	{ "portfolio.annual_volatility", MS_BT_CMP_LOWER },
	{ "portfolio.sharpe", MS_BT_CMP_HIGHER },
	{ "portfolio.sortino", MS_BT_CMP_HIGHER },
	{ "portfolio.downside_risk", MS_BT_CMP_LOWER },
	{ "portfolio.max_drawdown", MS_BT_CMP_HIGHER },
	{ "portfolio.max_drawdown_duration", MS_BT_CMP_LOWER },
	{ "portfolio.calmar", MS_BT_CMP_HIGHER },
	{ "portfolio.var", MS_BT_CMP_HIGHER },
	{ "portfolio.cvar", MS_BT_CMP_HIGHER },
	{ "portfolio.hit_rate_periods", MS_BT_CMP_HIGHER },
	{ "portfolio.mean_period_return", MS_BT_CMP_HIGHER },
	{ "portfolio.alpha", MS_BT_CMP_HIGHER },
	{ "portfolio.final_equity_usd", MS_BT_CMP_HIGHER },
	{ "picks.win_rate", MS_BT_CMP_HIGHER },
	{ "picks.mean_return", MS_BT_CMP_HIGHER },
	{ "picks.median_return", MS_BT_CMP_HIGHER },
	{ "picks.share_2x", MS_BT_CMP_HIGHER },
	{ "picks.share_10x", MS_BT_CMP_HIGHER },
	{ "picks.share_100x", MS_BT_CMP_HIGHER },
	{ "picks.share_died", MS_BT_CMP_LOWER },
};

void
ms_bt_cmp_opts_init(struct ms_bt_cmp_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->abs = MS_BT_CMP_DEFAULT_ABS;
	o->rel = MS_BT_CMP_DEFAULT_REL;
}

void
ms_bt_cmp_opts_free(struct ms_bt_cmp_opts *o)
{
	if (o == NULL)
		return;
	free(o->tol);
	o->tol = NULL;
	o->ntol = 0;
}

static int
fail(char *err, size_t errsz, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Writes the reason into err (when given) and returns rc. */
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

int
ms_bt_cmp_read_file(const char *path, size_t max, char **out, size_t *len,
    char *err, size_t errsz)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL)
		return fail(err, errsz, MS_ERR_IO, "%s: cannot open", path);
	if ((buf = malloc(max + 1)) == NULL) {
		fclose(f);
		return MS_ERR_NOMEM;
	}
	n = fread(buf, 1, max + 1, f);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return fail(err, errsz, MS_ERR_IO, "%s: read error", path);
	}
	fclose(f);
	if (n > max) {
		free(buf);
		return fail(err, errsz, MS_ERR_TOOBIG, "%s: file too large", path);
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* A finite, non-negative number item. */
static int
tol_number(const cJSON *it, double *out)
{
	if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) ||
	    it->valuedouble < 0)
		return -1;
	*out = it->valuedouble;
	return 0;
}

static int
parse_dir(const cJSON *it, enum ms_bt_cmp_dir *d)
{
	if (!cJSON_IsString(it))
		return -1;
	for (int k = 0; k <= MS_BT_CMP_LOWER; k++)
		if (strcmp(it->valuestring, dir_names[k]) == 0) {
			*d = (enum ms_bt_cmp_dir)k;
			return 0;
		}
	return -1;
}

int
ms_bt_cmp_parse_tolerances(const char *text, size_t len,
    struct ms_bt_cmp_opts *o, char *err, size_t errsz)
{
	const char *end = NULL;
	cJSON *doc, *it;
	int rc = 0;

	if (len > MS_BT_CMP_MAX_TOL_FILE)
		return fail(err, errsz, MS_ERR_TOOBIG, "%s", "tolerances: too large");
	doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (doc == NULL || !cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return fail(err, errsz, MS_ERR_PARSE, "%s",
		    "tolerances: not a JSON object");
	}
	for (const char *p = end; p != NULL && p < text + len; p++)
		if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t' &&
		    *p != '\0') {
			cJSON_Delete(doc);
			return fail(err, errsz, MS_ERR_PARSE, "%s",
			    "tolerances: trailing bytes after the JSON document");
		}
	cJSON_ArrayForEach(it, doc) {
		const char *k = it->string;
		if (strcmp(k, "schema") == 0) {
			if (!cJSON_IsString(it) ||
			    strcmp(it->valuestring, MS_BT_CMP_SCHEMA) != 0) {
				rc = fail(err, errsz, MS_ERR_INVALID, "tolerances: "
				    "schema must be \"%s\"", MS_BT_CMP_SCHEMA);
				goto done;
			}
		} else if (strcmp(k, "schema_version") == 0) {
			if (!cJSON_IsNumber(it) || it->valuedouble != 1) {
				rc = fail(err, errsz, MS_ERR_INVALID, "%s",
				    "tolerances: schema_version must be 1");
				goto done;
			}
		} else if (strcmp(k, "default") == 0) {
			cJSON *d;
			cJSON_ArrayForEach(d, it) {
				double v;
				if (tol_number(d, &v) != 0 ||
				    (strcmp(d->string, "abs") != 0 &&
				    strcmp(d->string, "rel") != 0)) {
					rc = fail(err, errsz, MS_ERR_INVALID,
					    "tolerances: default.%s: abs or rel, a "
					    "number >= 0", d->string);
					goto done;
				}
				if (strcmp(d->string, "abs") == 0)
					o->abs = v;
				else
					o->rel = v;
			}
		} else if (strcmp(k, "metrics") == 0 && cJSON_IsObject(it)) {
			cJSON *m;
			cJSON_ArrayForEach(m, it) {
				struct ms_bt_cmp_tol t;
				cJSON *f;
				if (!cJSON_IsObject(m) || strlen(m->string) >=
				    MS_BT_CMP_NAME_MAX ||
				    o->ntol >= MS_BT_CMP_MAX_METRICS) {
					rc = fail(err, errsz, MS_ERR_INVALID,
					    "tolerances: metric %.100s: an object "
					    "(name < 128 bytes, at most 1000)",
					    m->string);
					goto done;
				}
				memset(&t, 0, sizeof(t));
				memcpy(t.name, m->string, strlen(m->string) + 1);
				cJSON_ArrayForEach(f, m) {
					int bad;
					if (strcmp(f->string, "direction") == 0) {
						bad = parse_dir(f, &t.dir);
						t.has_dir = 1;
					} else if (strcmp(f->string, "abs") == 0) {
						bad = tol_number(f, &t.abs);
						t.has_abs = 1;
					} else if (strcmp(f->string, "rel") == 0) {
						bad = tol_number(f, &t.rel);
						t.has_rel = 1;
					} else {
						bad = -1;
					}
					if (bad) {
						rc = fail(err, errsz, MS_ERR_INVALID,
						    "tolerances: metric %.100s: direction "
						    "(higher_better, lower_better, "
						    "ignore), abs or rel (numbers >= 0)",
						    m->string);
						goto done;
					}
				}
				void *tmp = realloc(o->tol, (o->ntol + 1) *
				    sizeof(*o->tol));
				if (tmp == NULL) {
					rc = MS_ERR_NOMEM;
					goto done;
				}
				o->tol = tmp;
				o->tol[o->ntol++] = t;
			}
		} else {
			rc = fail(err, errsz, MS_ERR_INVALID,
			    "tolerances: unknown key %.100s", k);
			goto done;
		}
	}
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "schema")))
		rc = fail(err, errsz, MS_ERR_INVALID, "tolerances: schema "
		    "\"%s\" is required", MS_BT_CMP_SCHEMA);
done:
	cJSON_Delete(doc);
	return rc;
}

int
ms_bt_cmp_parse_summary(const char *text, size_t len, cJSON **out,
    char *err, size_t errsz)
{
	cJSON *doc, *schema, *ver;

	if (len > MS_BT_CMP_MAX_FILE)
		return fail(err, errsz, MS_ERR_TOOBIG, "%s", "summary too large");
	doc = cJSON_ParseWithLength(text, len);
	if (doc == NULL || !cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return fail(err, errsz, MS_ERR_PARSE, "%s", "not a JSON object");
	}
	schema = cJSON_GetObjectItemCaseSensitive(doc, "schema");
	ver = cJSON_GetObjectItemCaseSensitive(doc, "schema_version");
	if (!cJSON_IsString(schema) || strncmp(schema->valuestring,
	    MS_BT_CMP_SUMMARY_PREFIX, strlen(MS_BT_CMP_SUMMARY_PREFIX)) != 0 ||
	    strcmp(schema->valuestring, MS_BT_CMP_SCHEMA) == 0) {
		cJSON_Delete(doc);
		return fail(err, errsz, MS_ERR_INVALID, "schema is not a "
		    "backtest summary (%s<command>, e.g. %s)",
		    MS_BT_CMP_SUMMARY_PREFIX, MS_BT_SCHEMA);
	}
	if (!cJSON_IsNumber(ver) || ver->valuedouble != MS_BT_SCHEMA_VERSION) {
		cJSON_Delete(doc);
		return fail(err, errsz, MS_ERR_INVALID, "%s",
		    "schema_version is not 1 (this build reads version 1)");
	}
	if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "metrics"))) {
		cJSON_Delete(doc);
		return fail(err, errsz, MS_ERR_INVALID, "%s", "no metrics object");
	}
	*out = doc;
	return 0;
}

int
ms_bt_cmp_same_schema(const cJSON *base, const cJSON *cur, char *err,
    size_t errsz)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(base, "schema");
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(cur, "schema");

	if (!cJSON_IsString(a) || !cJSON_IsString(b))
		return fail(err, errsz, MS_ERR_INVALID, "%s", "no schema");
	if (strcmp(a->valuestring, b->valuestring) != 0)
		return fail(err, errsz, MS_ERR_INVALID, "the baseline is a %s "
		    "summary, the current one a %s summary", a->valuestring,
		    b->valuestring);
	return 0;
}

/* ---- flattening ------------------------------------------------------ */

struct flat {
	char name[MS_BT_CMP_NAME_MAX];
	double v;
};

struct flat_list {
	struct flat *v;
	size_t n;
	int rc;
};

static void
flatten(const cJSON *o, const char *prefix, struct flat_list *fl)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, o) {
		char name[MS_BT_CMP_NAME_MAX];
		int len = snprintf(name, sizeof(name), "%s%s%s", prefix,
		    prefix[0] ? "." : "", it->string ? it->string : "");

		if (fl->rc != 0)
			return;
		if (len < 0 || (size_t)len >= sizeof(name))
			continue;   /* names this long are not ours: skip */
		if (cJSON_IsObject(it)) {
			flatten(it, name, fl);
			continue;
		}
		if (!cJSON_IsNumber(it) && !cJSON_IsNull(it))
			continue;
		if (fl->n >= MS_BT_CMP_MAX_METRICS) {
			fl->rc = MS_ERR_TOOBIG;
			return;
		}
		memcpy(fl->v[fl->n].name, name, (size_t)len + 1);
		fl->v[fl->n].v = cJSON_IsNumber(it) ? it->valuedouble : NAN;
		fl->n++;
	}
}

static int
flat_of(const cJSON *doc, struct flat_list *fl)
{
	fl->n = 0;
	fl->rc = 0;
	if ((fl->v = malloc(MS_BT_CMP_MAX_METRICS * sizeof(*fl->v))) == NULL)
		return MS_ERR_NOMEM;
	flatten(cJSON_GetObjectItemCaseSensitive(doc, "metrics"), "", fl);
	return fl->rc;
}

static const struct flat *
flat_find(const struct flat_list *fl, const char *name)
{
	for (size_t i = 0; i < fl->n; i++)
		if (strcmp(fl->v[i].name, name) == 0)
			return &fl->v[i];
	return NULL;
}

/* ---- judging --------------------------------------------------------- */

/*
 * Directions by the last part of a dotted name, for the commands whose
 * metrics repeat per model, horizon or series (forecasts "garch.h30.crps",
 * grades "trader.mean_ic", claims "models.ewma.brier"); an exact name in
 * builtin[] wins.
 */
static const struct {
	const char *last;
	enum ms_bt_cmp_dir dir;
} builtin_last[] = {
	{ "crps", MS_BT_CMP_LOWER },
	{ "crps_sample", MS_BT_CMP_LOWER },
	{ "pinball_mean", MS_BT_CMP_LOWER },
	{ "mape", MS_BT_CMP_LOWER },
	{ "rmse_log", MS_BT_CMP_LOWER },
	{ "brier", MS_BT_CMP_LOWER },
	{ "skill_crps", MS_BT_CMP_HIGHER },
	{ "skill_pinball", MS_BT_CMP_HIGHER },
	{ "skill_rmse", MS_BT_CMP_HIGHER },
	{ "directional_accuracy", MS_BT_CMP_HIGHER },
	{ "mean_ic", MS_BT_CMP_HIGHER },
	{ "t_ic", MS_BT_CMP_HIGHER },
	{ "mean_spread", MS_BT_CMP_HIGHER },
};

static void
settings(const struct ms_bt_cmp_opts *o, const char *name,
    enum ms_bt_cmp_dir *dir, double *abs_tol, double *rel_tol)
{
	*dir = MS_BT_CMP_IGNORE;
	*abs_tol = o->abs;
	*rel_tol = o->rel;
	{
		const char *dot = strrchr(name, '.');
		const char *last = dot != NULL ? dot + 1 : name;

		for (size_t i = 0; i < sizeof(builtin_last) /
		    sizeof(builtin_last[0]); i++)
			if (strcmp(builtin_last[i].last, last) == 0)
				*dir = builtin_last[i].dir;
	}
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (strcmp(builtin[i].name, name) == 0)
			*dir = builtin[i].dir;
	for (size_t i = 0; i < o->ntol; i++) {
		const struct ms_bt_cmp_tol *t = &o->tol[i];
		if (strcmp(t->name, name) != 0)
			continue;
		if (t->has_dir)
			*dir = t->dir;
		if (t->has_abs)
			*abs_tol = t->abs;
		if (t->has_rel)
			*rel_tol = t->rel;
	}
}

static int
same_bits(double a, double b)
{
	return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof(a)) == 0;
}

static void
judge(struct ms_bt_cmp_row *row, double abs_tol, double rel_tol)
{
	double worse;

	row->allowed = NAN;
	if (row->dir != MS_BT_CMP_IGNORE && !isnan(row->base))
		row->allowed = fmax(abs_tol, rel_tol * fabs(row->base));
	if (!row->in_cur) {
		row->status = row->dir == MS_BT_CMP_IGNORE ? MS_BT_CMP_MOVED :
		    MS_BT_CMP_DEGRADED;
		return;
	}
	if (!row->in_base) {
		row->status = MS_BT_CMP_NEW;
		return;
	}
	if (same_bits(row->base, row->cur)) {
		row->status = MS_BT_CMP_UNCHANGED;
		return;
	}
	if (row->dir == MS_BT_CMP_IGNORE) {
		row->status = MS_BT_CMP_MOVED;
		return;
	}
	if (isnan(row->base)) {
		row->status = MS_BT_CMP_NEW;
		return;
	}
	if (isnan(row->cur)) {
		row->status = MS_BT_CMP_DEGRADED;
		return;
	}
	worse = row->dir == MS_BT_CMP_HIGHER ? row->base - row->cur :
	    row->cur - row->base;
	if (worse <= 0)
		row->status = MS_BT_CMP_IMPROVED;
	else if (worse <= row->allowed)
		row->status = MS_BT_CMP_WITHIN;
	else
		row->status = MS_BT_CMP_DEGRADED;
}

/* Lists the parameters whose values differ, into buf. */
static void
param_diff(const cJSON *base, const cJSON *cur, char *buf, size_t bufsz)
{
	const cJSON *pb = cJSON_GetObjectItemCaseSensitive(base, "parameters");
	const cJSON *pc = cJSON_GetObjectItemCaseSensitive(cur, "parameters");
	const cJSON *it;
	size_t len = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(it, pb) {
		const cJSON *o = cJSON_GetObjectItemCaseSensitive(pc, it->string);
		if (o != NULL && cJSON_Compare(it, o, 1))
			continue;
		int w = snprintf(buf + len, bufsz - len, "%s%s", len ? ", " : "",
		    it->string);
		if (w < 0 || (size_t)w >= bufsz - len) {
			buf[len] = '\0';
			return;
		}
		len += (size_t)w;
	}
}

int
ms_bt_cmp_run(const cJSON *base, const cJSON *cur,
    const struct ms_bt_cmp_opts *o, struct ms_bt_cmp_result *out)
{
	struct flat_list fb = { NULL, 0, 0 }, fc = { NULL, 0, 0 };
	struct ms_bt_cmp_result r;
	int rc;

	memset(&r, 0, sizeof(r));
	if ((rc = flat_of(base, &fb)) != 0 || (rc = flat_of(cur, &fc)) != 0)
		goto done;
	if ((r.rows = calloc(fb.n + fc.n + 1, sizeof(*r.rows))) == NULL) {
		rc = MS_ERR_NOMEM;
		goto done;
	}
	for (int pass = 0; pass < 2; pass++) {
		const struct flat_list *a = pass == 0 ? &fb : &fc;
		for (size_t i = 0; i < a->n; i++) {
			const struct flat *x = flat_find(&fb, a->v[i].name);
			const struct flat *y = flat_find(&fc, a->v[i].name);
			struct ms_bt_cmp_row *row;
			double at, rt;
			if (pass == 1 && x != NULL)
				continue;   /* already listed */
			row = &r.rows[r.n++];
			memcpy(row->name, a->v[i].name, sizeof(row->name));
			row->in_base = x != NULL;
			row->in_cur = y != NULL;
			row->base = x ? x->v : NAN;
			row->cur = y ? y->v : NAN;
			settings(o, row->name, &row->dir, &at, &rt);
			judge(row, at, rt);
			r.gated += row->dir != MS_BT_CMP_IGNORE;
			r.moved += row->status != MS_BT_CMP_UNCHANGED;
			r.degraded += row->status == MS_BT_CMP_DEGRADED;
		}
	}
	param_diff(base, cur, r.param_diff, sizeof(r.param_diff));
	*out = r;
	r.rows = NULL;
done:
	free(r.rows);
	free(fb.v);
	free(fc.v);
	return rc;
}

void
ms_bt_cmp_result_free(struct ms_bt_cmp_result *r)
{
	if (r == NULL)
		return;
	free(r->rows);
	r->rows = NULL;
	r->n = 0;
}

/* ---- output ---------------------------------------------------------- */

static const char *
fmt_num(char *buf, size_t n, double v, int present)
{
	if (!present)
		snprintf(buf, n, "(missing)");
	else if (isnan(v))
		snprintf(buf, n, "null");
	else
		snprintf(buf, n, "%.6g", v);
	return buf;
}

char *
ms_bt_cmp_markdown(const struct ms_bt_cmp_result *r, const char *base_label,
    const char *cur_label)
{
	struct ms_buf b;
	int rc = 0;
	size_t shown = 0;

	ms_buf_init(&b, MS_BT_CMP_MAX_FILE);
	rc |= ms_buf_printf(&b, "## Backtest comparison: %s\n\n",
	    r->degraded ? "FAIL" : "PASS");
	rc |= ms_buf_printf(&b, "Baseline `%s`, current `%s`: %zu metrics "
	    "gated, %zu moved, %zu degraded beyond tolerance.\n\n",
	    base_label, cur_label, r->gated, r->moved, r->degraded);
	if (r->param_diff[0] != '\0')
		rc |= ms_buf_printf(&b, "Parameters differ: %s.\n\n",
		    r->param_diff);
	for (size_t i = 0; i < r->n; i++) {
		const struct ms_bt_cmp_row *w = &r->rows[i];
		char a[40], c[40], d[64], e[40];

		if (w->status == MS_BT_CMP_UNCHANGED)
			continue;
		if (shown++ == 0)
			rc |= ms_buf_puts(&b, "| metric | better | baseline | "
			    "current | change | allowed | status |\n"
			    "|---|---|---|---|---|---|---|\n");
		if (isfinite(w->base) && isfinite(w->cur) && w->base != 0)
			snprintf(d, sizeof(d), "%+.6g (%+.2f%%)", w->cur - w->base,
			    100 * (w->cur - w->base) / fabs(w->base));
		else if (isfinite(w->base) && isfinite(w->cur))
			snprintf(d, sizeof(d), "%+.6g", w->cur - w->base);
		else
			snprintf(d, sizeof(d), "n/a");
		if (isnan(w->allowed))
			snprintf(e, sizeof(e), "-");
		else
			snprintf(e, sizeof(e), "%.3g", w->allowed);
		rc |= ms_buf_printf(&b, "| %s | %s | %s | %s | %s | %s | %s%s%s |\n",
		    w->name, w->dir == MS_BT_CMP_HIGHER ? "higher" :
		    w->dir == MS_BT_CMP_LOWER ? "lower" : "-",
		    fmt_num(a, sizeof(a), w->base, w->in_base),
		    fmt_num(c, sizeof(c), w->cur, w->in_cur), d, e,
		    w->status == MS_BT_CMP_DEGRADED ? "**" : "",
		    ms_bt_cmp_status_name(w->status),
		    w->status == MS_BT_CMP_DEGRADED ? "**" : "");
	}
	if (shown == 0)
		rc |= ms_buf_puts(&b, "No metric moved.\n");
	if (rc != 0) {
		ms_buf_free(&b);
		return NULL;
	}
	return ms_buf_steal(&b);
}

/* Appends s with the five XML special characters escaped. */
static int
xml_text(struct ms_buf *b, const char *s)
{
	int rc = 0;

	for (; *s != '\0' && rc == 0; s++) {
		switch (*s) {
		case '&': rc = ms_buf_puts(b, "&amp;"); break;
		case '<': rc = ms_buf_puts(b, "&lt;"); break;
		case '>': rc = ms_buf_puts(b, "&gt;"); break;
		case '"': rc = ms_buf_puts(b, "&quot;"); break;
		case '\'': rc = ms_buf_puts(b, "&apos;"); break;
		default:
			/* Control bytes are not allowed in XML 1.0. */
			rc = ms_buf_putc(b, (unsigned char)*s < 0x20 ? '?' : *s);
		}
	}
	return rc;
}

char *
ms_bt_cmp_junit(const struct ms_bt_cmp_result *r)
{
	struct ms_buf b;
	int rc = 0;

	ms_buf_init(&b, MS_BT_CMP_MAX_FILE);
	rc |= ms_buf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<testsuites name=\"moonscope backtest compare\" tests=\"%zu\" "
	    "failures=\"%zu\">\n  <testsuite name=\"backtest.compare\" "
	    "tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n",
	    r->gated, r->degraded, r->gated, r->degraded);
	for (size_t i = 0; i < r->n; i++) {
		const struct ms_bt_cmp_row *w = &r->rows[i];
		char a[40], c[40], msg[256];

		if (w->dir == MS_BT_CMP_IGNORE)
			continue;
		rc |= ms_buf_puts(&b, "    <testcase classname=\"backtest.compare\" "
		    "name=\"");
		rc |= xml_text(&b, w->name);
		if (w->status != MS_BT_CMP_DEGRADED) {
			rc |= ms_buf_puts(&b, "\"/>\n");
			continue;
		}
		snprintf(msg, sizeof(msg), "%s (%s): baseline %s, current %s, "
		    "allowed %.3g", w->name, ms_bt_cmp_dir_name(w->dir),
		    fmt_num(a, sizeof(a), w->base, w->in_base),
		    fmt_num(c, sizeof(c), w->cur, w->in_cur), w->allowed);
		rc |= ms_buf_puts(&b, "\">\n      <failure type=\"degraded\" "
		    "message=\"");
		rc |= xml_text(&b, msg);
		rc |= ms_buf_puts(&b, "\">");
		rc |= xml_text(&b, msg);
		rc |= ms_buf_puts(&b, "</failure>\n    </testcase>\n");
	}
	rc |= ms_buf_puts(&b, "  </testsuite>\n</testsuites>\n");
	if (rc != 0) {
		ms_buf_free(&b);
		return NULL;
	}
	return ms_buf_steal(&b);
}
