/*
 * ms_bt_claims.c — `moonscope backtest claims`: reads a file of
 * price-target claims (CSV or JSON), judges each against the store (hit or
 * miss, first day hit, best and worst price before the deadline, the close
 * at the deadline and how far it was from the target), asks the
 * /v1/target models what they gave the claim on the day it was made, and
 * scores those probabilities with the Brier score. The rules are in
 * ms_bt_claims.h and docs/backtest-claims.md.
 *
 * Memory: the claims and their results are two arrays sized once; each
 * claim's bars and closes are read, used and freed before the next. The
 * report functions build each file in memory and write it once; the
 * report.html page (tables, a calibration chart of the probabilities and
 * how close each claim came) is drawn with ms_svg.h.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <cJSON.h>
#include <zlib.h>

#include "ms_bt_claims.h"
#include "ms_bt_io.h"
#include "ms_buf.h"
#include "ms_csv.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_json.h"
#include "ms_store.h"
#include "ms_svg.h"
#include "ms_target.h"

#ifndef MS_VERSION
#define MS_VERSION "0.0.0"
#endif

#define REPORT_MAX (256u * 1024u * 1024u)
/* Rows of the per-claim table in summary.md (claims.csv has them all). */
#define MD_MAX_ROWS 200

static const char *const status_names[MS_BT_CLAIM__COUNT] = {
	"hit", "miss", "open", "ended", "unpriced",
};

const char *
ms_bt_claim_status_name(enum ms_bt_claim_status s)
{
	return (unsigned)s < MS_BT_CLAIM__COUNT ? status_names[s] : "?";
}

/* ---- reading the file ------------------------------------------------ */

/* Bad lines of one file: the first MS_BT_CLAIMS_MAX_ERRORS are listed. */
struct errlist {
	const char *name;
	struct ms_buf *out;
	size_t count;
};

static void
bad_line(struct errlist *e, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
bad_line(struct errlist *e, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	if (e->count++ >= MS_BT_CLAIMS_MAX_ERRORS || e->out == NULL)
		return;
	if (line > 0)
		ms_buf_printf(e->out, "%s:%lu: ", e->name, line);
	else
		ms_buf_printf(e->out, "%s: ", e->name);
	va_start(ap, fmt);
	ms_buf_vprintf(e->out, fmt, ap);
	va_end(ap);
	ms_buf_putc(e->out, '\n');
}

static void
errlist_end(struct errlist *e)
{
	if (e->count > MS_BT_CLAIMS_MAX_ERRORS && e->out != NULL)
		ms_buf_printf(e->out, "%s: ... and %zu more bad lines\n", e->name,
		    e->count - MS_BT_CLAIMS_MAX_ERRORS);
}

/* A text field: 1..max bytes (0..max when may_be_empty), no control byte. */
static const char *
check_text(const char *s, size_t max, int may_be_empty, int no_space)
{
	size_t n = strlen(s);

	if (n == 0 && !may_be_empty)
		return "is empty";
	if (n > max)
		return "is too long";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return "holds a control character";
		if (no_space && c == ' ')
			return "holds a space";
	}
	return NULL;
}

/* A target as text: a plain decimal number in range. */
static const char *
parse_target(const char *s, double *out)
{
	char *end;
	double v;

	if (*s == '\0')
		return "is empty";
	if (strlen(s) > 40 || strspn(s, "0123456789.eE+-") != strlen(s))
		return "is not a plain number (digits, '.', exponent; no '$' "
		    "or thousands separators)";
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || end == s)
		return "is not a number";
	*out = v;
	return NULL;
}

/*
 * Checks and stores one claim's fields; reports each problem and returns
 * -1, or 0 when c is filled.
 */
static int
check_claim(struct errlist *e, unsigned long line, const char *who,
    const char *made, const char *asset, double target, const char *deadline,
    const char *source, struct ms_bt_claim *c)
{
	const char *why;
	size_t before = e->count;

	memset(c, 0, sizeof(*c));
	c->line = line;
	if ((why = check_text(who, MS_BT_CLAIM_WHO_MAX, 0, 0)) != NULL)
		bad_line(e, line, "who %s (1..%d bytes)", why,
		    MS_BT_CLAIM_WHO_MAX);
	else
		memcpy(c->who, who, strlen(who) + 1);
	if ((why = check_text(asset, MS_BT_CLAIM_ASSET_MAX, 0, 1)) != NULL)
		bad_line(e, line, "asset %s (an id or symbol, 1..%d bytes)", why,
		    MS_BT_CLAIM_ASSET_MAX);
	else
		memcpy(c->asset, asset, strlen(asset) + 1);
	if ((why = check_text(source, MS_BT_CLAIM_SOURCE_MAX, 1, 0)) != NULL)
		bad_line(e, line, "source %s (0..%d bytes)", why,
		    MS_BT_CLAIM_SOURCE_MAX);
	else
		memcpy(c->source, source, strlen(source) + 1);
	if (ms_date_parse(made, strlen(made), &c->made) != 0 ||
	    c->made < MS_DATE_MIN || c->made > MS_DATE_MAX) {
		bad_line(e, line, "made '%.20s' is not a date YYYY-MM-DD "
		    "(2009-01-03 .. 2099-12-31)", made);
		c->made = -1;
	}
	if (ms_date_parse(deadline, strlen(deadline), &c->deadline) != 0 ||
	    c->deadline < MS_DATE_MIN || c->deadline > MS_DATE_MAX) {
		bad_line(e, line, "deadline '%.20s' is not a date YYYY-MM-DD "
		    "(2009-01-03 .. 2099-12-31)", deadline);
		c->deadline = -1;
	}
	if (c->made >= 0 && c->deadline >= 0) {
		if (c->deadline <= c->made)
			bad_line(e, line, "deadline is not after made");
		else if (c->deadline - c->made > MS_BT_CLAIM_MAX_HORIZON)
			bad_line(e, line, "deadline is %d days after made; at most "
			    "%d (the longest horizon of /v1/target)",
			    (int)(c->deadline - c->made), MS_BT_CLAIM_MAX_HORIZON);
	}
	if (!isfinite(target) || target < MS_BT_CLAIM_MIN_TARGET ||
	    target > MS_BT_CLAIM_MAX_TARGET)
		bad_line(e, line, "target must be a price in USD, 1e-12 .. 1e12");
	c->target = target;
	return e->count == before ? 0 : -1;
}

static const char *const csv_cols[] = { "who", "made", "asset", "target",
	"deadline", "source" };

static int
read_csv(const char *path, struct errlist *e, struct ms_bt_claim *v,
    size_t *nv)
{
	struct ms_csv *c;
	char err[512];
	size_t ncols = 0, n = 0;
	int rc, header = 1;

	if (ms_csv_open(path, &c, err, sizeof(err)) != 0) {
		bad_line(e, 0, "%s", err);
		return MS_ERR_IO;
	}
	while ((rc = ms_csv_next(c)) == 1) {
		unsigned long line = ms_csv_line(c);
		size_t nf = ms_csv_nfields(c);
		const char *tw;
		double target = NAN;

		if (header) {
			header = 0;
			ncols = nf;
			for (size_t i = 0; i < nf && i < 6; i++)
				if (strcmp(ms_csv_field(c, i, NULL), csv_cols[i]) != 0)
					ncols = 0;
			if (ncols != 5 && ncols != 6) {
				bad_line(e, line, "the header must be "
				    "who,made,asset,target,deadline (optionally "
				    "followed by ,source)");
				ms_csv_close(c);
				return MS_ERR_PARSE;
			}
			continue;
		}
		if (nf != ncols) {
			bad_line(e, line, "%zu fields, the header has %zu", nf,
			    ncols);
			continue;
		}
		if (n == MS_BT_CLAIMS_MAX) {
			bad_line(e, line, "more than %d claims", MS_BT_CLAIMS_MAX);
			ms_csv_close(c);
			return MS_ERR_TOOBIG;
		}
		if ((tw = parse_target(ms_csv_field(c, 3, NULL), &target)) != NULL) {
			bad_line(e, line, "target %s", tw);
			target = 1;   /* reported; check the other fields too */
			check_claim(e, line, ms_csv_field(c, 0, NULL),
			    ms_csv_field(c, 1, NULL), ms_csv_field(c, 2, NULL),
			    target, ms_csv_field(c, 4, NULL),
			    ncols == 6 ? ms_csv_field(c, 5, NULL) : "", &v[n]);
			continue;
		}
		if (check_claim(e, line, ms_csv_field(c, 0, NULL),
		    ms_csv_field(c, 1, NULL), ms_csv_field(c, 2, NULL), target,
		    ms_csv_field(c, 4, NULL),
		    ncols == 6 ? ms_csv_field(c, 5, NULL) : "", &v[n]) == 0)
			n++;
	}
	if (rc < 0) {
		bad_line(e, ms_csv_line(c), "%s", ms_csv_error(c));
		ms_csv_close(c);
		return rc;
	}
	if (header)
		bad_line(e, 0, "the file is empty (no header)");
	ms_csv_close(c);
	*nv = n;
	return 0;
}

/*
 * Lines where the elements of the top-level array of valid JSON text s
 * start: lines[k] for the k-th element (k < cap).
 */
static void
json_element_lines(const char *s, size_t len, unsigned long *lines,
    size_t cap)
{
	unsigned long line = 1;
	int depth = 0, instr = 0, esc = 0, expect = 0;
	size_t k = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\n')
			line++;
		if (instr) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				instr = 0;
			continue;
		}
		if (depth == 1 && expect && c != ' ' && c != '\t' &&
		    c != '\n' && c != '\r' && c != ']') {
			if (k < cap)
				lines[k] = line;
			k++;
			expect = 0;
		}
		switch (c) {
		case '"':
			instr = 1;
			break;
		case '[':
		case '{':
			if (++depth == 1)
				expect = 1;
			break;
		case ']':
		case '}':
			depth--;
			break;
		case ',':
			if (depth == 1)
				expect = 1;
			break;
		default:
			break;
		}
	}
}

/* The string member key of o, or NULL (reported) when absent or not text. */
static const char *
json_text(struct errlist *e, unsigned long line, const cJSON *o,
    const char *key, int optional)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	if (it == NULL || (optional && cJSON_IsNull(it))) {
		if (optional)
			return "";
		bad_line(e, line, "%s is missing", key);
		return NULL;
	}
	if (!cJSON_IsString(it) || it->valuestring == NULL) {
		bad_line(e, line, "%s must be a string", key);
		return NULL;
	}
	return it->valuestring;
}

static int
read_json(const char *text, size_t len, struct errlist *e,
    struct ms_bt_claim *v, size_t *nv)
{
	static const char *const keys[] = { "who", "made", "asset", "target",
		"deadline", "source" };
	const char *end = NULL;
	unsigned long *lines = NULL;
	size_t n = 0, k = 0, nel;
	cJSON *doc, *it;

	if (memchr(text, '\0', len) != NULL) {
		unsigned long line = 1;
		for (const char *p = text; *p != '\0'; p++)
			line += *p == '\n';
		bad_line(e, line, "a NUL byte");
		return MS_ERR_PARSE;
	}
	/* len + 1: cJSON wants the terminating NUL inside the length. */
	doc = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
	if (doc == NULL) {
		unsigned long line = 1;
		for (const char *p = text; end != NULL && p < end && *p; p++)
			line += *p == '\n';
		bad_line(e, line, "not valid JSON here");
		return MS_ERR_PARSE;
	}
	if (!cJSON_IsArray(doc)) {
		bad_line(e, 1, "the JSON document must be an array of claims");
		cJSON_Delete(doc);
		return MS_ERR_PARSE;
	}
	nel = (size_t)cJSON_GetArraySize(doc);
	if (nel > MS_BT_CLAIMS_MAX) {
		bad_line(e, 1, "more than %d claims", MS_BT_CLAIMS_MAX);
		cJSON_Delete(doc);
		return MS_ERR_TOOBIG;
	}
	if (nel > 0 && (lines = calloc(nel, sizeof(*lines))) == NULL) {
		cJSON_Delete(doc);
		return MS_ERR_NOMEM;
	}
	json_element_lines(text, len, lines, nel);
	cJSON_ArrayForEach(it, doc) {
		unsigned long line = lines[k++];
		const cJSON *m, *tg;
		const char *who, *made, *asset, *deadline, *source;
		size_t before = e->count;

		if (!cJSON_IsObject(it)) {
			bad_line(e, line, "a claim must be an object");
			continue;
		}
		/* Unknown and repeated keys are errors. */
		for (m = it->child; m != NULL; m = m->next) {
			size_t j;
			for (j = 0; j < 6 && strcmp(m->string, keys[j]) != 0; j++)
				;
			if (j == 6)
				bad_line(e, line, "unknown key '%.40s'", m->string);
			for (const cJSON *p = it->child; p != m; p = p->next)
				if (strcmp(p->string, m->string) == 0) {
					bad_line(e, line, "key '%.40s' repeated",
					    m->string);
					break;
				}
		}
		who = json_text(e, line, it, "who", 0);
		made = json_text(e, line, it, "made", 0);
		asset = json_text(e, line, it, "asset", 0);
		deadline = json_text(e, line, it, "deadline", 0);
		source = json_text(e, line, it, "source", 1);
		tg = cJSON_GetObjectItemCaseSensitive(it, "target");
		if (tg == NULL)
			bad_line(e, line, "target is missing");
		else if (!cJSON_IsNumber(tg))
			bad_line(e, line, "target must be a number (USD)");
		if (e->count != before)
			continue;
		if (check_claim(e, line, who, made, asset, tg->valuedouble,
		    deadline, source, &v[n]) == 0)
			n++;
	}
	free(lines);
	cJSON_Delete(doc);
	*nv = n;
	return 0;
}

/* Reads at most max bytes of path through zlib; *out NUL-terminated. */
static int
slurp(const char *path, size_t max, char **out, size_t *len,
    struct errlist *e)
{
	gzFile g = gzopen(path, "rb");
	char *buf;
	size_t n = 0;
	int k;

	if (g == NULL) {
		bad_line(e, 0, "cannot open: %s", strerror(errno ? errno : ENOENT));
		return MS_ERR_IO;
	}
	if ((buf = malloc(max + 2)) == NULL) {
		gzclose(g);
		return MS_ERR_NOMEM;
	}
	while (n <= max && (k = gzread(g, buf + n,
	    (unsigned)(max + 1 - n < 65536 ? max + 1 - n : 65536))) > 0)
		n += (size_t)k;
	if (k < 0 || gzclose(g) != Z_OK) {
		free(buf);
		bad_line(e, 0, "read error (a corrupt or truncated gzip file?)");
		return MS_ERR_IO;
	}
	if (n > max) {
		free(buf);
		bad_line(e, 0, "larger than %u bytes", MS_BT_CLAIMS_MAX_FILE);
		return MS_ERR_TOOBIG;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int
ms_bt_claims_read(const char *path, const char *name,
    struct ms_bt_claim **out, size_t *n, struct ms_buf *errors)
{
	struct errlist e = { name ? name : path, errors, 0 };
	struct ms_bt_claim *v = NULL;
	char *text = NULL;
	size_t len = 0, nv = 0, i = 0;
	int rc;

	if ((rc = slurp(path, MS_BT_CLAIMS_MAX_FILE, &text, &len, &e)) != 0)
		goto done;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (text[i] == ' ' || text[i] == '\t' ||
	    text[i] == '\r' || text[i] == '\n'))
		i++;
	if ((v = calloc(MS_BT_CLAIMS_MAX, sizeof(*v))) == NULL) {
		rc = MS_ERR_NOMEM;
		goto done;
	}
	if (i < len && text[i] == '[')
		rc = read_json(text + i, len - i, &e, v, &nv);
	else
		rc = read_csv(path, &e, v, &nv);
	if (rc == 0 && e.count == 0 && nv == 0)
		bad_line(&e, 0, "no claims");
	if (rc == 0 && e.count > 0)
		rc = MS_ERR_INVALID;
	if (rc == 0) {
		struct ms_bt_claim *shrunk = realloc(v, nv * sizeof(*v));
		*out = shrunk != NULL ? shrunk : v;
		*n = nv;
		v = NULL;
	}
done:
	errlist_end(&e);
	free(v);
	free(text);
	return rc;
}

/* ---- judging --------------------------------------------------------- */

static int
finite_pos(double x)
{
	return isfinite(x) && x > 0;
}

/*
 * What /v1/target answers for this claim: its model loop, for the one
 * horizon. Nothing after made is read (ms_market_closes ends at made).
 */
static int
model_probs(struct ms_store *st, int64_t id, int32_t made, double target,
    int horizon, struct ms_bt_claim_prob *out)
{
	const size_t nclose = MS_FORECAST_DEFAULT_GARCH_WINDOW + 1;
	double *closes = NULL;
	int rc;

	for (int m = 0; m < MS_FORECAST_NMODELS; m++) {
		out[m].known = 0;
		out[m].used = (enum ms_forecast_model)m;
		out[m].touch = out[m].end_above = NAN;
	}
	if ((rc = ms_market_closes(st, id, made, nclose, &closes)) != 0)
		return rc;
	for (int m = 0; m < MS_FORECAST_NMODELS; m++) {
		struct ms_forecast_params fp;
		struct ms_forecast_fit fit;
		struct ms_target_prob p;

		ms_forecast_params_default((enum ms_forecast_model)m, &fp);
		fp.horizon = horizon;
		rc = ms_forecast_fit(closes, nclose, &fp, &fit);
		if (rc == MS_ERR_NODATA || rc == MS_ERR_RANGE) {
			rc = 0;       /* too little history: no answer */
			continue;
		}
		if (rc == 0)
			rc = ms_target_probs(&fit, &fp, target, &horizon, 1, &p);
		if (rc != 0)
			break;
		out[m].known = 1;
		out[m].used = fit.used;
		out[m].touch = p.touch;
		out[m].end_above = p.above;
	}
	free(closes);
	return rc;
}

static void
result_init(struct ms_bt_claim_result *r, const struct ms_bt_claim *c)
{
	memset(r, 0, sizeof(*r));
	r->claim = *c;
	r->horizon = (int)(c->deadline - c->made);
	r->rise = -1;
	r->status = MS_BT_CLAIM_UNPRICED;
	r->price_made = r->required_multiple = NAN;
	r->first_hit = r->best_day = r->worst_day = r->deadline_close_day = -1;
	r->first_hit_price = r->best_price = r->worst_price = NAN;
	r->deadline_close = r->target_over_close = r->short_pct = NAN;
	r->best_vs_target = NAN;
	r->window_end = -1;
	for (int m = 0; m < MS_FORECAST_NMODELS; m++) {
		r->prob[m].known = 0;
		r->prob[m].used = (enum ms_forecast_model)m;
		r->prob[m].touch = r->prob[m].end_above = NAN;
	}
}

/* Judges one resolved claim against the store whose last day is last. */
static int
judge(struct ms_store *st, int32_t last, struct ms_bt_claim_result *r)
{
	const struct ms_bt_claim *c = &r->claim;
	struct ms_bar bar, *bars = NULL;
	size_t nb = 0;
	int rc, listed;

	rc = ms_market_bar_at(st, r->asset.id, c->made, &bar);
	if (rc != 0 && rc != MS_ERR_NODATA)
		return rc;
	r->window_end = c->deadline < last ? c->deadline : last;
	if (rc == MS_ERR_NODATA || bar.day != c->made || !(bar.close > 0)) {
		r->status = MS_BT_CLAIM_UNPRICED;
		return 0;
	}
	r->price_made = bar.close;
	r->required_multiple = c->target / bar.close;
	r->rise = c->target >= bar.close;
	if ((rc = model_probs(st, r->asset.id, c->made, c->target, r->horizon,
	    r->prob)) != 0)
		return rc;

	if (r->window_end > c->made &&
	    (rc = ms_market_bars(st, r->asset.id, c->made + 1, r->window_end,
	    &bars, &nb)) != 0)
		return rc;
	for (size_t i = 0; i < nb; i++) {
		const struct ms_bar *b = &bars[i];
		double up, down;

		if (!finite_pos(b->close))
			continue;
		r->bars++;
		up = finite_pos(b->high) ? b->high : b->close;
		down = finite_pos(b->low) ? b->low : b->close;
		if (r->best_day < 0 || up > r->best_price) {
			r->best_price = up;
			r->best_day = b->day;
		}
		if (r->worst_day < 0 || down < r->worst_price) {
			r->worst_price = down;
			r->worst_day = b->day;
		}
		if (r->first_hit < 0 && (r->rise ? up >= c->target :
		    down <= c->target)) {
			r->first_hit = b->day;
			r->first_hit_price = r->rise ? up : down;
		}
		r->deadline_close = b->close;
		r->deadline_close_day = b->day;
	}
	free(bars);
	if (r->deadline_close_day >= 0) {
		r->target_over_close = c->target / r->deadline_close;
		r->short_pct = 100 * (r->rise ?
		    (c->target - r->deadline_close) / c->target :
		    (r->deadline_close - c->target) / c->target);
	}
	if (r->best_day >= 0)
		r->best_vs_target = (r->rise ? r->best_price : r->worst_price) /
		    c->target;

	/* Listed as of the deadline: a bar in the 31 days ending it. */
	listed = c->made >= c->deadline - (MS_LISTED_DAYS - 1) ||
	    r->deadline_close_day >= c->deadline - (MS_LISTED_DAYS - 1);
	if (c->deadline > last)
		r->status = MS_BT_CLAIM_OPEN;
	else if (!listed)
		r->status = MS_BT_CLAIM_ENDED;
	else
		r->status = r->first_hit >= 0 ? MS_BT_CLAIM_HIT : MS_BT_CLAIM_MISS;
	return 0;
}

static void
score(struct ms_bt_claims_result *res)
{
	size_t hits = res->count[MS_BT_CLAIM_HIT];

	res->judged = hits + res->count[MS_BT_CLAIM_MISS];
	res->hit_rate = res->judged ? (double)hits / (double)res->judged : NAN;
	for (int m = 0; m < MS_FORECAST_NMODELS; m++) {
		struct ms_bt_claim_brier *b = &res->brier[m];
		double se = 0, sp = 0, sy = 0;

		b->n = 0;
		for (size_t i = 0; i < res->n; i++) {
			const struct ms_bt_claim_result *r = &res->v[i];
			double y;
			if ((r->status != MS_BT_CLAIM_HIT &&
			    r->status != MS_BT_CLAIM_MISS) || !r->prob[m].known ||
			    !isfinite(r->prob[m].touch))
				continue;
			y = r->status == MS_BT_CLAIM_HIT ? 1 : 0;
			se += (r->prob[m].touch - y) * (r->prob[m].touch - y);
			sp += r->prob[m].touch;
			sy += y;
			b->n++;
		}
		b->brier = b->n ? se / (double)b->n : NAN;
		b->mean_prob = b->n ? sp / (double)b->n : NAN;
		b->hit_rate = b->n ? sy / (double)b->n : NAN;
	}
}

void
ms_bt_claims_result_free(struct ms_bt_claims_result *r)
{
	if (r == NULL)
		return;
	free(r->v);
	free(r);
}

int
ms_bt_claims_run(struct ms_store *st, const char *name,
    const struct ms_bt_claim *claims, size_t n,
    void (*progress)(size_t, size_t, void *), void *arg,
    struct ms_buf *errors, struct ms_bt_claims_result **out)
{
	struct errlist e = { name, errors, 0 };
	struct ms_bt_claims_result *res;
	struct ms_data_range range;
	int rc;

	if (n == 0 || n > MS_BT_CLAIMS_MAX)
		return MS_ERR_RANGE;
	if ((rc = ms_market_range(st, -1, &range)) != 0)
		return rc;
	if (range.last_day < 0)
		return MS_ERR_NODATA;
	if ((res = calloc(1, sizeof(*res))) == NULL ||
	    (res->v = calloc(n, sizeof(*res->v))) == NULL) {
		free(res);
		return MS_ERR_NOMEM;
	}
	res->n = n;
	res->data_first = range.first_day;
	res->data_last = range.last_day;
	if ((rc = ms_store_data_version(st, &res->data_version)) != 0)
		goto fail;
	snprintf(res->file, sizeof(res->file), "%s", name);

	/* Every asset first: an unknown one rejects the file. */
	for (size_t i = 0; i < n; i++) {
		struct ms_resolution how;

		result_init(&res->v[i], &claims[i]);
		rc = ms_market_resolve(st, claims[i].asset, claims[i].made,
		    &res->v[i].asset, &how);
		if (rc == MS_ERR_NOTFOUND) {
			bad_line(&e, claims[i].line, "asset '%s': no asset with "
			    "this id or symbol in the store", claims[i].asset);
			rc = 0;
		} else if (rc != 0) {
			goto fail;
		}
	}
	if (e.count > 0) {
		errlist_end(&e);
		rc = MS_ERR_INVALID;
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		if ((rc = judge(st, range.last_day, &res->v[i])) != 0)
			goto fail;
		res->count[res->v[i].status]++;
		if (progress != NULL)
			progress(i + 1, n, arg);
	}
	score(res);
	*out = res;
	return 0;
fail:
	ms_bt_claims_result_free(res);
	return rc;
}

/* ---- summary.json ---------------------------------------------------- */

static void
json_claim(cJSON *o, const struct ms_bt_claim_result *r)
{
	const struct ms_bt_claim *c = &r->claim;
	cJSON *p;

	ms_json_int(o, "line", (int64_t)c->line);
	ms_json_str(o, "who", c->who);
	ms_json_date(o, "made", c->made);
	ms_json_str(o, "asset", c->asset);
	ms_json_str(o, "asset_id", r->asset.slug);
	ms_json_str(o, "symbol", r->asset.symbol[0] ? r->asset.symbol : NULL);
	ms_json_num(o, "target", c->target);
	ms_json_date(o, "deadline", c->deadline);
	ms_json_int(o, "horizon_days", r->horizon);
	ms_json_str(o, "direction", r->rise < 0 ? NULL : r->rise ? "rise" :
	    "fall");
	ms_json_str(o, "status", ms_bt_claim_status_name(r->status));
	ms_json_num(o, "price_made", r->price_made);
	ms_json_num(o, "required_multiple", r->required_multiple);
	ms_json_date(o, "window_end", r->rise < 0 ? -1 : r->window_end);
	ms_json_int(o, "bars", (int64_t)r->bars);
	ms_json_date(o, "first_hit_date", r->first_hit);
	ms_json_num(o, "first_hit_price", r->first_hit_price);
	if (r->first_hit >= 0)
		ms_json_int(o, "days_to_hit", r->first_hit - c->made);
	else
		cJSON_AddNullToObject(o, "days_to_hit");
	ms_json_num(o, "best_price", r->best_price);
	ms_json_date(o, "best_date", r->best_day);
	ms_json_num(o, "worst_price", r->worst_price);
	ms_json_date(o, "worst_date", r->worst_day);
	ms_json_num(o, "deadline_close", r->deadline_close);
	ms_json_date(o, "deadline_close_date", r->deadline_close_day);
	ms_json_num(o, "target_over_close", r->target_over_close);
	ms_json_num(o, "short_pct", r->short_pct);
	ms_json_num(o, "best_vs_target", r->best_vs_target);
	if ((p = cJSON_AddObjectToObject(o, "probabilities")) == NULL)
		return;
	for (int m = 0; m < MS_FORECAST_NMODELS; m++) {
		cJSON *x = cJSON_AddObjectToObject(p,
		    ms_forecast_model_name((enum ms_forecast_model)m));
		if (x == NULL)
			return;
		ms_json_num(x, "touch", r->prob[m].touch);
		ms_json_num(x, "end_above", r->prob[m].end_above);
		ms_json_str(x, "used", r->prob[m].known ?
		    ms_forecast_model_name(r->prob[m].used) : NULL);
	}
	ms_json_str(o, "source", c->source[0] ? c->source : NULL);
}

cJSON *
ms_bt_claims_summary_json(const struct ms_bt_claims_result *r)
{
	cJSON *root, *o, *m, *arr;

	if ((root = cJSON_CreateObject()) == NULL)
		return NULL;
	ms_json_str(root, "schema", MS_BT_CLAIMS_SCHEMA);
	ms_json_int(root, "schema_version", MS_BT_CLAIMS_SCHEMA_VERSION);
	ms_json_str(root, "moonscope_version", MS_VERSION);
	if ((o = cJSON_AddObjectToObject(root, "store")) != NULL) {
		ms_json_int(o, "data_version", r->data_version);
		ms_json_date(o, "first_day", r->data_first);
		ms_json_date(o, "last_day", r->data_last);
	}
	if ((o = cJSON_AddObjectToObject(root, "input")) != NULL) {
		ms_json_str(o, "file", r->file);
		ms_json_int(o, "claims", (int64_t)r->n);
	}
	if ((m = cJSON_AddObjectToObject(root, "metrics")) != NULL) {
		ms_json_int(m, "claims", (int64_t)r->n);
		ms_json_int(m, "judged", (int64_t)r->judged);
		for (int s = 0; s < MS_BT_CLAIM__COUNT; s++)
			ms_json_int(m, status_names[s], (int64_t)r->count[s]);
		ms_json_num(m, "hit_rate", r->hit_rate);
		if ((o = cJSON_AddObjectToObject(m, "models")) != NULL)
			for (int k = 0; k < MS_FORECAST_NMODELS; k++) {
				const struct ms_bt_claim_brier *b = &r->brier[k];
				cJSON *x = cJSON_AddObjectToObject(o,
				    ms_forecast_model_name((enum ms_forecast_model)k));
				if (x == NULL)
					break;
				ms_json_int(x, "n", (int64_t)b->n);
				ms_json_num(x, "brier", b->brier);
				ms_json_num(x, "mean_probability", b->mean_prob);
				ms_json_num(x, "hit_rate", b->hit_rate);
			}
	}
	if ((arr = cJSON_AddArrayToObject(root, "claims")) != NULL)
		for (size_t i = 0; i < r->n; i++) {
			cJSON *x = cJSON_CreateObject();
			if (x == NULL)
				break;
			cJSON_AddItemToArray(arr, x);
			json_claim(x, &r->v[i]);
		}
	return root;
}

/* ---- claims.csv ------------------------------------------------------ */

int
ms_bt_claims_csv(const struct ms_bt_claims_result *res, struct ms_buf *b)
{
	int rc = 0;

	rc |= ms_buf_puts(b, "line,who,made,asset,asset_id,symbol,target,"
	    "deadline,horizon_days,direction,status,price_made,"
	    "required_multiple,window_end,bars,first_hit_date,first_hit_price,"
	    "days_to_hit,best_price,best_date,worst_price,worst_date,"
	    "deadline_close,deadline_close_date,target_over_close,short_pct,"
	    "best_vs_target,p_touch_naive,p_touch_drift,p_touch_ewma,"
	    "p_touch_garch,garch_used,p_end_above_naive,p_end_above_drift,"
	    "p_end_above_ewma,p_end_above_garch,source\n");
	for (size_t i = 0; i < res->n; i++) {
		const struct ms_bt_claim_result *r = &res->v[i];
		const struct ms_bt_claim *c = &r->claim;

		rc |= ms_buf_printf(b, "%lu,", c->line);
		rc |= ms_bt_csv_text(b, c->who);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_date(b, c->made);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_text(b, c->asset);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_text(b, r->asset.slug);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_text(b, r->asset.symbol);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, c->target);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_date(b, c->deadline);
		rc |= ms_buf_printf(b, ",%d,%s,%s,", r->horizon,
		    r->rise < 0 ? "" : r->rise ? "rise" : "fall",
		    ms_bt_claim_status_name(r->status));
		rc |= ms_bt_csv_num(b, r->price_made);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, r->required_multiple);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_date(b, r->rise < 0 ? -1 : r->window_end);
		rc |= ms_buf_printf(b, ",%zu,", r->bars);
		rc |= ms_bt_csv_date(b, r->first_hit);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, r->first_hit_price);
		rc |= ms_buf_putc(b, ',');
		if (r->first_hit >= 0)
			rc |= ms_buf_printf(b, "%d", (int)(r->first_hit - c->made));
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, r->best_price);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_date(b, r->best_day);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, r->worst_price);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_date(b, r->worst_day);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, r->deadline_close);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_date(b, r->deadline_close_day);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, r->target_over_close);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, r->short_pct);
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_num(b, r->best_vs_target);
		for (int m = 0; m < MS_FORECAST_NMODELS; m++) {
			rc |= ms_buf_putc(b, ',');
			rc |= ms_bt_csv_num(b, r->prob[m].touch);
		}
		rc |= ms_buf_printf(b, ",%s",
		    r->prob[MS_FORECAST_GARCH].known ? ms_forecast_model_name(
		    r->prob[MS_FORECAST_GARCH].used) : "");
		for (int m = 0; m < MS_FORECAST_NMODELS; m++) {
			rc |= ms_buf_putc(b, ',');
			rc |= ms_bt_csv_num(b, r->prob[m].end_above);
		}
		rc |= ms_buf_putc(b, ',');
		rc |= ms_bt_csv_text(b, c->source);
		rc |= ms_buf_putc(b, '\n');
	}
	return rc ? MS_ERR_TOOBIG : 0;
}

/* ---- summary.md ------------------------------------------------------ */

/* A price with about 6 significant digits. */
static const char *
price(char *buf, size_t n, double v)
{
	if (!isfinite(v))
		snprintf(buf, n, "n/a");
	else if (v >= 100000)
		snprintf(buf, n, "$%.0f", v);
	else
		snprintf(buf, n, "$%.6g", v);
	return buf;
}

static const char *
prob(char *buf, size_t n, double v)
{
	if (!isfinite(v))
		snprintf(buf, n, "n/a");
	else if (v > 0 && v < 0.0001)
		snprintf(buf, n, "%.2g", v);
	else
		snprintf(buf, n, "%.4f", v);
	return buf;
}

/* A markdown table cell: '|' and line breaks replaced. */
static int
md_text(struct ms_buf *b, const char *s)
{
	int rc = 0;

	for (; *s != '\0'; s++)
		rc |= ms_buf_putc(b, *s == '|' ? '/' : (*s == '\n' ||
		    *s == '\r') ? ' ' : *s);
	return rc;
}

/* One sentence on how far the claim was from its target. */
static int
md_verdict(struct ms_buf *b, const struct ms_bt_claim_result *r)
{
	const struct ms_bt_claim *c = &r->claim;
	char d0[MS_DATE_LEN + 1], d1[MS_DATE_LEN + 1], p0[40], p1[40];

	if (r->status == MS_BT_CLAIM_UNPRICED)
		return ms_buf_puts(b, "no price on the day it was made; not "
		    "judged");
	if (r->first_hit >= 0) {
		ms_date_format(r->first_hit, d0);
		return ms_buf_printf(b, "%s %s on %s, %d days after it was made",
		    r->status == MS_BT_CLAIM_HIT ? "reached" : "reached so far:",
		    price(p0, sizeof(p0), r->first_hit_price), d0,
		    (int)(r->first_hit - c->made));
	}
	if (r->deadline_close_day < 0)
		return ms_buf_puts(b, "no bar after the day it was made");
	ms_date_format(r->deadline_close_day, d0);
	ms_date_format(r->best_day, d1);
	if (r->rise)
		return ms_buf_printf(b, "%s: close %s on %s, %.1f%% short of the "
		    "target (target = %.4g x close); best %s on %s",
		    r->status == MS_BT_CLAIM_OPEN ? "open so far" :
		    r->status == MS_BT_CLAIM_ENDED ? "series ended" : "missed",
		    price(p0, sizeof(p0), r->deadline_close), d0, r->short_pct,
		    r->target_over_close, price(p1, sizeof(p1), r->best_price), d1);
	ms_date_format(r->worst_day, d1);
	return ms_buf_printf(b, "%s: close %s on %s, %.1f%% above the target; "
	    "lowest %s on %s",
	    r->status == MS_BT_CLAIM_OPEN ? "open so far" :
	    r->status == MS_BT_CLAIM_ENDED ? "series ended" : "missed",
	    price(p0, sizeof(p0), r->deadline_close), d0, r->short_pct,
	    price(p1, sizeof(p1), r->worst_price), d1);
}

char *
ms_bt_claims_markdown(const struct ms_bt_claims_result *res)
{
	struct ms_buf b;
	char d0[MS_DATE_LEN + 1], d1[MS_DATE_LEN + 1], x[40], y[40], z[40];
	int rc = 0;

	ms_buf_init(&b, REPORT_MAX);
	ms_date_format(res->data_first, d0);
	ms_date_format(res->data_last, d1);
	rc |= ms_buf_printf(&b, "# Price-target claims: %s\n\n", res->file);
	rc |= ms_buf_printf(&b, "%zu claims judged against the store (%s .. "
	    "%s, data version %lld): %zu hit, %zu missed, %zu open (deadline "
	    "after %s), %zu ended (the asset's series stops before the "
	    "deadline), %zu unpriced (no close on the day made).",
	    res->n, d0, d1, (long long)res->data_version,
	    res->count[MS_BT_CLAIM_HIT], res->count[MS_BT_CLAIM_MISS],
	    res->count[MS_BT_CLAIM_OPEN], d1, res->count[MS_BT_CLAIM_ENDED],
	    res->count[MS_BT_CLAIM_UNPRICED]);
	if (res->judged > 0)
		rc |= ms_buf_printf(&b, " Hit rate %.1f%% of %zu judged.",
		    100 * res->hit_rate, res->judged);
	rc |= ms_buf_puts(&b, "\n\nA rise target is reached on the first day "
	    "whose high (the close where the high is unknown) is at or above "
	    "it; a fall target when the low (or close) is at or below it; days "
	    "after the day made up to the deadline. Probabilities are those of "
	    "/v1/target as of the day made (touching the target within the "
	    "horizon).\n\n");
	rc |= ms_buf_puts(&b, "| model | claims scored | Brier score | mean "
	    "probability | hit rate |\n|---|---|---|---|---|\n");
	for (int m = 0; m < MS_FORECAST_NMODELS; m++) {
		const struct ms_bt_claim_brier *br = &res->brier[m];
		rc |= ms_buf_printf(&b, "| %s | %zu | %s | %s | %s |\n",
		    ms_forecast_model_name((enum ms_forecast_model)m), br->n,
		    prob(x, sizeof(x), br->brier), prob(y, sizeof(y),
		    br->mean_prob), prob(z, sizeof(z), br->hit_rate));
	}
	rc |= ms_buf_puts(&b, "\n| line | who | asset | made | target | "
	    "deadline | status | price made | P(touch) naive / drift / ewma / "
	    "garch | outcome |\n|---|---|---|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < res->n && i < MD_MAX_ROWS; i++) {
		const struct ms_bt_claim_result *r = &res->v[i];
		char p[4][40];

		ms_date_format(r->claim.made, d0);
		ms_date_format(r->claim.deadline, d1);
		for (int m = 0; m < MS_FORECAST_NMODELS; m++)
			prob(p[m], sizeof(p[m]), r->prob[m].touch);
		rc |= ms_buf_printf(&b, "| %lu | ", r->claim.line);
		rc |= md_text(&b, r->claim.who);
		rc |= ms_buf_printf(&b, " | %s | %s | %s | %s | %s | %s | %s / %s "
		    "/ %s / %s | ", r->asset.symbol[0] ? r->asset.symbol :
		    r->asset.slug, d0, price(x, sizeof(x), r->claim.target), d1,
		    ms_bt_claim_status_name(r->status),
		    price(y, sizeof(y), r->price_made), p[0], p[1], p[2], p[3]);
		rc |= md_verdict(&b, r);
		rc |= ms_buf_puts(&b, " |\n");
	}
	if (res->n > MD_MAX_ROWS)
		rc |= ms_buf_printf(&b, "\n(%zu more claims in claims.csv.)\n",
		    res->n - MD_MAX_ROWS);
	if (rc != 0) {
		ms_buf_free(&b);
		return NULL;
	}
	return ms_buf_steal(&b);
}

/* ---- report.html ----------------------------------------------------- */

#define CELL 160                /* bytes per table cell */
#define HTML_MAX_ROWS 1000      /* claims listed in the page */

/* ms_svg returns MS_ERR_RANGE for data it cannot draw: say so instead. */
static int
chart_or_note(struct ms_buf *b, int rc, const char *what)
{
	char msg[200];

	if (rc != MS_ERR_RANGE)
		return rc;
	snprintf(msg, sizeof(msg), "(%s: nothing to draw yet.)", what);
	return ms_html_p(b, msg);
}

static int
html_brier(struct ms_buf *b, const struct ms_bt_claims_result *res)
{
	static const char *const head[5] = { "model", "claims scored",
		"Brier score", "mean probability", "hit rate" };
	char cells[1 + MS_FORECAST_NMODELS][5][CELL];
	const char *ptr[(1 + MS_FORECAST_NMODELS) * 5];

	for (int c = 0; c < 5; c++)
		snprintf(cells[0][c], CELL, "%s", head[c]);
	for (int m = 0; m < MS_FORECAST_NMODELS; m++) {
		const struct ms_bt_claim_brier *br = &res->brier[m];
		snprintf(cells[m + 1][0], CELL, "%s",
		    ms_forecast_model_name((enum ms_forecast_model)m));
		snprintf(cells[m + 1][1], CELL, "%zu", br->n);
		prob(cells[m + 1][2], CELL, br->brier);
		prob(cells[m + 1][3], CELL, br->mean_prob);
		prob(cells[m + 1][4], CELL, br->hit_rate);
	}
	for (int i = 0; i < (1 + MS_FORECAST_NMODELS) * 5; i++)
		ptr[i] = cells[i / 5][i % 5];
	return ms_html_table(b, ptr, 1 + MS_FORECAST_NMODELS, 5);
}

/*
 * Calibration: the judged claims of each model in ten bins of its
 * probability; x = mean probability in the bin, y = share that hit.
 */
static int
html_calibration(struct ms_buf *b, const struct ms_bt_claims_result *res)
{
	static const struct ms_svg_axes ax = { "Calibration of the touch "
	    "probabilities (judged claims, ten bins)", "probability given on "
	    "the day made", "share of the claims that hit", 0, 0, 0, 0, 0, 0, 0 };
	double x[MS_FORECAST_NMODELS][10], y[MS_FORECAST_NMODELS][10];
	struct ms_svg_series s[MS_FORECAST_NMODELS];

	for (int m = 0; m < MS_FORECAST_NMODELS; m++) {
		double sp[10] = { 0 }, sy[10] = { 0 };
		size_t n[10] = { 0 };

		for (size_t i = 0; i < res->n; i++) {
			const struct ms_bt_claim_result *r = &res->v[i];
			double p = r->prob[m].touch;
			int k;
			if ((r->status != MS_BT_CLAIM_HIT &&
			    r->status != MS_BT_CLAIM_MISS) || !isfinite(p))
				continue;
			k = p >= 1 ? 9 : (int)(p * 10);
			sp[k] += p;
			sy[k] += r->status == MS_BT_CLAIM_HIT;
			n[k]++;
		}
		for (int k = 0; k < 10; k++) {
			x[m][k] = n[k] ? sp[k] / (double)n[k] : NAN;
			y[m][k] = n[k] ? sy[k] / (double)n[k] : NAN;
		}
		s[m].name = ms_forecast_model_name((enum ms_forecast_model)m);
		s[m].x = x[m];
		s[m].y = y[m];
		s[m].n = 10;
	}
	return chart_or_note(b, ms_svg_calibration(b, &ax, s,
	    MS_FORECAST_NMODELS), "calibration");
}

/* How close each claim came: best (or worst) price / target, log axis. */
static int
html_reach(struct ms_buf *b, const struct ms_bt_claims_result *res)
{
	static const struct ms_svg_axes ax = { "How close the claims came: "
	    "best price in the window / target - 1 (fall targets: target / "
	    "lowest - 1)", "best / target - 1 (0 = reached)", "claims", 0, 1,
	    0, 0, 0, 0, 1 };
	double *v = malloc((res->n ? res->n : 1) * sizeof(*v));
	int *hit = malloc((res->n ? res->n : 1) * sizeof(*hit));
	size_t n = 0;
	int rc;

	if (v == NULL || hit == NULL) {
		free(v);
		free(hit);
		return MS_ERR_NOMEM;
	}
	for (size_t i = 0; i < res->n; i++) {
		const struct ms_bt_claim_result *r = &res->v[i];
		if (r->rise < 0 || !(r->best_vs_target > 0))
			continue;
		v[n] = (r->rise ? r->best_vs_target : 1 / r->best_vs_target) - 1;
		hit[n++] = r->first_hit >= 0;
	}
	rc = chart_or_note(b, ms_svg_histogram_marked(b, &ax, v, hit, n, 20,
	    "claims", "reached the target"), "how close the claims came");
	free(v);
	free(hit);
	return rc;
}

static int
html_claims(struct ms_buf *b, const struct ms_bt_claims_result *res)
{
	static const char *const head[] = { "line", "who", "asset", "made",
		"target", "deadline", "status", "price made", "first reached",
		"best (date)", "deadline close (date)", "short of target",
		"P(touch) naive", "drift", "ewma", "garch" };
	enum { NC = sizeof(head) / sizeof(head[0]) };
	size_t rows = 1 + (res->n < HTML_MAX_ROWS ? res->n : HTML_MAX_ROWS);
	char (*cells)[CELL] = calloc(rows * NC, CELL);
	const char **ptr = calloc(rows * NC, sizeof(*ptr));
	int rc;

	if (cells == NULL || ptr == NULL) {
		free(cells);
		free(ptr);
		return MS_ERR_NOMEM;
	}
	for (size_t c = 0; c < NC; c++)
		snprintf(cells[c], CELL, "%s", head[c]);
	for (size_t i = 0; i + 1 < rows; i++) {
		const struct ms_bt_claim_result *r = &res->v[i];
		char (*row)[CELL] = cells + (i + 1) * NC;
		char d[MS_DATE_LEN + 1], p[40];

		snprintf(row[0], CELL, "%lu", r->claim.line);
		snprintf(row[1], CELL, "%s", r->claim.who);
		snprintf(row[2], CELL, "%s", r->asset.symbol[0] ?
		    r->asset.symbol : r->asset.slug);
		ms_date_format(r->claim.made, row[3]);
		price(row[4], CELL, r->claim.target);
		ms_date_format(r->claim.deadline, row[5]);
		snprintf(row[6], CELL, "%s", ms_bt_claim_status_name(r->status));
		price(row[7], CELL, r->price_made);
		if (r->first_hit >= 0) {
			ms_date_format(r->first_hit, d);
			snprintf(row[8], CELL, "%s", d);
		}
		if (r->best_day >= 0) {
			ms_date_format(r->rise ? r->best_day : r->worst_day, d);
			snprintf(row[9], CELL, "%s (%s)", price(p, sizeof(p),
			    r->rise ? r->best_price : r->worst_price), d);
		}
		if (r->deadline_close_day >= 0) {
			ms_date_format(r->deadline_close_day, d);
			snprintf(row[10], CELL, "%s (%s)", price(p, sizeof(p),
			    r->deadline_close), d);
			snprintf(row[11], CELL, "%.1f%%", r->short_pct);
		}
		for (int m = 0; m < MS_FORECAST_NMODELS; m++)
			prob(row[12 + m], CELL, r->prob[m].touch);
	}
	for (size_t i = 0; i < rows * NC; i++)
		ptr[i] = cells[i];
	rc = ms_html_table(b, ptr, rows, NC);
	free(cells);
	free(ptr);
	return rc;
}

/* Appends report.html's page to b; 0 or an MS_ERR_* code. */
static int
claims_html(const void *arg, struct ms_buf *b)
{
	const struct ms_bt_claims_result *res = arg;
	char title[600], msg[1024], d0[MS_DATE_LEN + 1], d1[MS_DATE_LEN + 1];
	char hr[40];
	int rc;

	ms_date_format(res->data_first, d0);
	ms_date_format(res->data_last, d1);
	snprintf(title, sizeof(title), "Price-target claims: %s", res->file);
	snprintf(msg, sizeof(msg), "%zu claims judged against the store (%s .. "
	    "%s, data version %lld): %zu hit, %zu missed, %zu open, %zu "
	    "ended, %zu unpriced; hit rate %s of %zu judged. A rise target is "
	    "reached on the first day after the day made whose high (the close "
	    "where the high is unknown) is at or above it, a fall target when "
	    "the low (or close) is at or below it. The probabilities are "
	    "those of /v1/target as of the day made: touching the target "
	    "within the horizon. Moonscope %s.", res->n, d0, d1,
	    (long long)res->data_version, res->count[MS_BT_CLAIM_HIT],
	    res->count[MS_BT_CLAIM_MISS], res->count[MS_BT_CLAIM_OPEN],
	    res->count[MS_BT_CLAIM_ENDED], res->count[MS_BT_CLAIM_UNPRICED],
	    prob(hr, sizeof(hr), res->hit_rate), res->judged, MS_VERSION);
	if ((rc = ms_html_begin(b, title)) != 0 ||
	    (rc = ms_html_p(b, msg)) != 0 ||
	    (rc = ms_html_h2(b, "Brier scores of the models")) != 0 ||
	    (rc = ms_html_p(b, "Brier score = mean of (p - y)^2 over the "
	    "judged claims, y = 1 for a hit (Brier 1950): 0 is perfect, 0.25 "
	    "is a constant 50 %.")) != 0 ||
	    (rc = html_brier(b, res)) != 0 ||
	    (rc = html_calibration(b, res)) != 0 ||
	    (rc = ms_html_h2(b, "How close the claims came")) != 0 ||
	    (rc = html_reach(b, res)) != 0 ||
	    (rc = ms_html_h2(b, "Claims")) != 0 ||
	    (rc = html_claims(b, res)) != 0)
		return rc;
	if (res->n > HTML_MAX_ROWS) {
		snprintf(msg, sizeof(msg), "(%zu more claims in claims.csv.)",
		    res->n - HTML_MAX_ROWS);
		if ((rc = ms_html_p(b, msg)) != 0)
			return rc;
	}
	return ms_html_end(b);
}

/* ---- files ----------------------------------------------------------- */

static int
claims_csv_part(const void *r, struct ms_buf *b)
{
	return ms_bt_claims_csv(r, b);
}

int
ms_bt_claims_write_report(const struct ms_bt_claims_result *r,
    const char *dir, char *err, size_t errsz)
{
	static const struct ms_bt_part csv = { "claims.csv", claims_csv_part };
	static const struct ms_bt_part html = { "report.html", claims_html };
	int rc = ms_bt_write_report_files(dir, ms_bt_claims_summary_json(r),
	    &csv, 1, r, ms_bt_claims_markdown(r), REPORT_MAX, err, errsz);

	if (rc == 0)
		rc = ms_bt_write_part(dir, &html, r, REPORT_MAX, err, errsz);
	return rc;
}
