/*
 * ms_bt_picks.c — `backtest picks`: reads a recorded list of picks (a CSV
 * with a header, a JSON array, the JSON of /v1/moonshots/past, or a
 * vendor's list with its own column names), checks it whole, resolves its
 * assets in the store, and values every pick with ms_bt_value — the same
 * valuation, costs, delisting and left rules as `backtest moonshots` —
 * then computes the pick statistics with ms_bt_pick_stats.
 *
 * Nothing is judged from a file with any problem: every malformed line,
 * unknown asset, date outside the store or exit not after its date is
 * collected (file:line: reason, like the importer) and the file is
 * rejected whole. The report files are written by ms_bt_report.c.
 *
 * Memory: ms_bt_picks_read returns the picks in one array
 * (ms_bt_picks_file_free); ms_bt_picks_judge returns one result
 * (ms_bt_picks_result_free). One forward panel is alive at a time.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <zlib.h>

#include "ms_bt.h"
#include "ms_csv.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_identity.h"
#include "ms_market.h"
#include "ms_store.h"

static const char *const format_names[MS_BT_PICKS_FORMAT__COUNT] = {
	"csv", "json", "moonshots_past",
};

const char *
ms_bt_picks_format_name(enum ms_bt_picks_format f)
{
	return (unsigned)f < MS_BT_PICKS_FORMAT__COUNT ? format_names[f] :
	    "unknown";
}

/* ---- problems ---------------------------------------------------------- */

static void
problem(struct ms_bt_picks_errors *e, unsigned long line, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static void
problem(struct ms_bt_picks_errors *e, unsigned long line, const char *fmt,
    ...)
{
	va_list ap;

	e->total++;
	if (e->n == MS_BT_PICKS_MAX_ERRORS)
		return;
	e->e[e->n].line = line;
	va_start(ap, fmt);
	vsnprintf(e->e[e->n].reason, sizeof(e->e[e->n].reason), fmt, ap);
	va_end(ap);
	/* A reason is one line, whatever the input held. */
	for (char *c = e->e[e->n].reason; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20)
			*c = ' ';
	e->n++;
}

/* ---- columns and keys -------------------------------------------------- */

enum role { R_NONE = -1, R_DATE, R_ID, R_SYMBOL, R_NAME, R_PRICE, R_UNTIL,
	R_TARGET, R__COUNT };

static const char *const role_names[R__COUNT] = {
	"date", "asset id", "symbol", "name", "entry price", "exit date",
	"target USD",
};

/*
 * Accepted column (CSV) and key (JSON) names, after normalising: lower
 * case, each run of other bytes than letters and digits one '_', none at
 * the ends ("Date Picked" -> date_picked, "Entry Price ($)" ->
 * entry_price). The report's own picks.csv and /v1/moonshots/past are
 * among them; so are common vendor spellings. A report's exit_date is an
 * outcome, not an input, and is not read.
 */
static const struct {
	const char *name;
	enum role role;
} aliases[] = {
	{ "date", R_DATE }, { "day", R_DATE }, { "pick_date", R_DATE },
	{ "date_picked", R_DATE }, { "picked_on", R_DATE },
	{ "date_made", R_DATE }, { "call_date", R_DATE },
	{ "entry_date", R_DATE }, { "signal_date", R_DATE },
	{ "asset", R_ID }, { "id", R_ID }, { "slug", R_ID },
	{ "asset_id", R_ID }, { "coin_id", R_ID },
	{ "symbol", R_SYMBOL }, { "ticker", R_SYMBOL },
	{ "name", R_NAME }, { "coin", R_NAME }, { "coin_name", R_NAME },
	{ "token", R_NAME }, { "project", R_NAME },
	{ "entry_price", R_PRICE }, { "price", R_PRICE }, { "entry", R_PRICE },
	{ "price_at_pick", R_PRICE }, { "pick_price", R_PRICE },
	{ "buy_price", R_PRICE }, { "price_usd", R_PRICE },
	{ "entry_price_usd", R_PRICE },
	{ "until", R_UNTIL }, { "exit", R_UNTIL }, { "sell_date", R_UNTIL },
	{ "hold_until", R_UNTIL },
	{ "target_usd", R_TARGET }, { "amount_usd", R_TARGET },
	{ "size_usd", R_TARGET },
};

/* Normalises name[0..len) into out (cap bytes); "" when it does not fit. */
static void
normalise(const char *name, size_t len, char *out, size_t cap)
{
	size_t k = 0;
	int sep = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (isalnum(c) && c < 0x80) {
			if (sep && k > 0) {
				if (k + 1 >= cap)
					goto toolong;
				out[k++] = '_';
			}
			sep = 0;
			if (k + 1 >= cap)
				goto toolong;
			out[k++] = (char)tolower(c);
		} else {
			sep = 1;
		}
	}
	out[k] = '\0';
	return;
toolong:
	out[0] = '\0';
}

static enum role
role_of(const char *name, size_t len)
{
	char n[64];

	normalise(name, len, n, sizeof(n));
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(n, aliases[i].name) == 0)
			return aliases[i].role;
	return R_NONE;
}

/* ---- values ------------------------------------------------------------ */

/*
 * A date: YYYY-MM-DD, optionally followed by 'T' or ' ' and a time of day
 * (the day is what counts: the pick is bought at that day's close).
 */
static int
parse_day(const char *s, size_t len, int32_t *out)
{
	if (len > MS_DATE_LEN && (s[MS_DATE_LEN] == 'T' ||
	    s[MS_DATE_LEN] == ' ') && len <= 40)
		len = MS_DATE_LEN;
	if (len != MS_DATE_LEN || ms_date_parse(s, len, out) != 0 ||
	    *out < MS_DATE_MIN || *out > MS_DATE_MAX)
		return -1;
	return 0;
}

/*
 * A finite number >= lo, the whole string, with an optional leading '$'
 * (vendor lists print prices so). Empty: NaN. Returns 0 or -1.
 */
static int
parse_num(const char *s, size_t len, double lo, double *out)
{
	char buf[64], *end;
	double v;

	if (len == 0) {
		*out = NAN;
		return 0;
	}
	if (s[0] == '$') {
		s++;
		len--;
	}
	if (len == 0 || len >= sizeof(buf) || isspace((unsigned char)s[0]))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtod(buf, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < lo)
		return -1;
	*out = v;
	return 0;
}

/* Copies a text value; -1 when it is too long or holds a control byte. */
static int
copy_text(char *dst, size_t cap, const char *s, size_t len)
{
	if (len >= cap)
		return -1;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20)
			return -1;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

static void
pick_init(struct ms_bt_pick_in *pk, unsigned long line)
{
	memset(pk, 0, sizeof(*pk));
	pk->line = line;
	pk->day = pk->until = -1;
	pk->entry_price = pk->target_usd = NAN;
}

/*
 * Stores value s[0..len) of role into pk; a problem is recorded (and -1
 * returned) when it is malformed. what names the column or key.
 */
static int
set_value(struct ms_bt_pick_in *pk, enum role role, const char *s, size_t len,
    const char *what, struct ms_bt_picks_errors *e)
{
	unsigned long ln = pk->line;

	switch (role) {
	case R_DATE:
	case R_UNTIL: {
		int32_t *d = role == R_DATE ? &pk->day : &pk->until;
		if (len == 0 && role == R_UNTIL)
			return 0;
		if (parse_day(s, len, d) != 0) {
			problem(e, ln, "%s: invalid date \"%.*s\" (want YYYY-MM-DD)",
			    what, (int)(len > 40 ? 40 : len), s);
			return -1;
		}
		return 0;
	}
	case R_ID:
	case R_SYMBOL:
	case R_NAME: {
		char *dst = role == R_ID ? pk->id : role == R_SYMBOL ? pk->symbol :
		    pk->name;
		if (copy_text(dst, MS_BT_PICKS_KEY_MAX, s, len) != 0) {
			problem(e, ln, "%s: longer than %d bytes or with a control "
			    "byte", what, MS_BT_PICKS_KEY_MAX - 1);
			return -1;
		}
		return 0;
	}
	case R_PRICE:
		if (parse_num(s, len, 0, &pk->entry_price) != 0 ||
		    pk->entry_price == 0) {
			problem(e, ln, "%s: not a price above 0: \"%.*s\"", what,
			    (int)(len > 40 ? 40 : len), s);
			return -1;
		}
		return 0;
	case R_TARGET:
		if (parse_num(s, len, 0, &pk->target_usd) != 0 ||
		    pk->target_usd > MS_BT_MAX_CAPITAL) {
			problem(e, ln, "%s: not an amount 0..1e12 USD: \"%.*s\"",
			    what, (int)(len > 40 ? 40 : len), s);
			return -1;
		}
		return 0;
	default:
		return 0;
	}
}

/* The checks every pick passes after its fields are read. */
static void
check_pick(const struct ms_bt_pick_in *pk, struct ms_bt_picks_errors *e)
{
	if (pk->day < 0)
		problem(e, pk->line, "no date");
	if (pk->id[0] == '\0' && pk->symbol[0] == '\0' && pk->name[0] == '\0')
		problem(e, pk->line, "no asset (id, symbol or name)");
	if (pk->day >= 0 && pk->until >= 0 && pk->until <= pk->day)
		problem(e, pk->line, "exit date is not after the date");
}

/* Appends a pick, growing the array; -1 at MS_BT_PICKS_MAX. */
static int
push(struct ms_bt_picks_file *f, size_t *cap, const struct ms_bt_pick_in *pk)
{
	if (f->n == MS_BT_PICKS_MAX)
		return MS_ERR_TOOBIG;
	if (f->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		void *t = realloc(f->v, nc * sizeof(*f->v));
		if (t == NULL)
			return MS_ERR_NOMEM;
		f->v = t;
		*cap = nc;
	}
	f->v[f->n++] = *pk;
	return 0;
}

/* ---- CSV --------------------------------------------------------------- */

static int
read_csv(const char *path, struct ms_bt_picks_file *f,
    struct ms_bt_picks_errors *e)
{
	struct ms_csv *c = NULL;
	enum role col[MS_CSV_MAX_FIELDS];
	char hdr[MS_CSV_MAX_FIELDS][48];
	size_t nf, cap = 0, have[R__COUNT];
	char err[256];
	int rc;

	if ((rc = ms_csv_open(path, &c, err, sizeof(err))) != 0) {
		problem(e, 0, "%s", err);
		return MS_ERR_IO;
	}
	if ((rc = ms_csv_next(c)) <= 0) {
		if (rc == 0)
			problem(e, 1, "empty file");
		else
			problem(e, ms_csv_line(c), "%s", ms_csv_error(c));
		ms_csv_close(c);
		return MS_ERR_INVALID;
	}
	nf = ms_csv_nfields(c);
	for (size_t r = 0; r < R__COUNT; r++)
		have[r] = SIZE_MAX;
	for (size_t i = 0; i < nf; i++) {
		size_t len;
		const char *h = ms_csv_field(c, i, &len);
		snprintf(hdr[i], sizeof(hdr[i]), "%.*s", (int)(len > 40 ? 40 : len),
		    h);
		col[i] = role_of(h, len);
		if (col[i] == R_NONE)
			continue;   /* other columns are ignored */
		if (have[col[i]] != SIZE_MAX)
			problem(e, 1, "header: two %s columns (%s and %s)",
			    role_names[col[i]], hdr[have[col[i]]], hdr[i]);
		have[col[i]] = i;
	}
	if (have[R_DATE] == SIZE_MAX)
		problem(e, 1, "header: no date column (date, day, pick_date...)");
	if (have[R_ID] == SIZE_MAX && have[R_SYMBOL] == SIZE_MAX &&
	    have[R_NAME] == SIZE_MAX)
		problem(e, 1, "header: no asset column (asset, id, slug, symbol, "
		    "ticker, name, coin...)");
	if (e->total > 0) {
		ms_csv_close(c);
		return MS_ERR_INVALID;
	}
	while ((rc = ms_csv_next(c)) == 1) {
		struct ms_bt_pick_in pk;
		size_t before = e->total;

		pick_init(&pk, ms_csv_line(c));
		if (ms_csv_nfields(c) != nf) {
			problem(e, pk.line, "wrong number of fields: %zu (want %zu)",
			    ms_csv_nfields(c), nf);
			continue;
		}
		for (size_t i = 0; i < nf; i++) {
			size_t len;
			const char *v = ms_csv_field(c, i, &len);
			if (col[i] != R_NONE)
				(void)set_value(&pk, col[i], v, len, hdr[i], e);
		}
		if (e->total == before)
			check_pick(&pk, e);
		if (e->total == before && (rc = push(f, &cap, &pk)) != 0) {
			if (rc == MS_ERR_TOOBIG)
				problem(e, pk.line, "more than %d picks",
				    MS_BT_PICKS_MAX);
			ms_csv_close(c);
			return rc;
		}
	}
	if (rc < 0)
		problem(e, ms_csv_line(c), "%s", ms_csv_error(c));
	ms_csv_close(c);
	if (e->total == 0 && f->n == 0)
		problem(e, 2, "no picks");
	return e->total > 0 ? MS_ERR_INVALID : 0;
}

/* ---- JSON -------------------------------------------------------------- */

/* The 1-based line of offset off in text. */
static unsigned long
line_of(const char *text, size_t off)
{
	unsigned long ln = 1;

	for (size_t i = 0; i < off; i++)
		ln += text[i] == '\n';
	return ln;
}

/*
 * The lines where the items of the picks array start: the root array
 * (depth 0), or the array under the key "picks" of the root object, or of
 * the root's "data" object. lines[] has room for max items. The text has
 * been parsed by cJSON already, so the scan may be lenient.
 */
static void
item_lines(const char *text, size_t len, enum ms_bt_picks_format fmt,
    int wrapped, unsigned long *lines, size_t max)
{
	enum { MAXD = 64 };
	char type[MAXD];             /* '{' or '[' per depth */
	char key[MAXD][8];           /* last key of each object, truncated */
	int target_depth = -1, expect = 0, in_key = 0;
	size_t depth = 0, k = 0, ksz = 0;
	unsigned long ln = 1;
	char kbuf[8];

	for (size_t i = 0; i < len && k < max; i++) {
		char ch = text[i];

		if (ch == '\n') {
			ln++;
			continue;
		}
		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == ',' ||
		    ch == ':') {
			if (ch == ',' && depth > 0 && (int)depth - 1 == target_depth)
				expect = 1;
			if (ch == ',' && depth > 0 && type[depth - 1] == '{')
				in_key = 1;
			continue;
		}
		if (expect && (int)depth - 1 == target_depth && ch != ']') {
			lines[k++] = ln;
			expect = 0;
		}
		if (ch == '"') {
			/* A string: a key when an object awaits one. */
			int is_key = in_key;
			ksz = 0;
			for (i++; i < len && text[i] != '"'; i++) {
				if (text[i] == '\\')
					i++;
				else if (ksz + 1 < sizeof(kbuf))
					kbuf[ksz++] = text[i];
				else
					ksz = sizeof(kbuf);   /* too long: no match */
			}
			if (is_key && depth > 0) {
				if (ksz < sizeof(kbuf)) {
					memcpy(key[depth - 1], kbuf, ksz);
					key[depth - 1][ksz] = '\0';
				} else {
					key[depth - 1][0] = '\0';
				}
				in_key = 0;
			}
			continue;
		}
		if (ch == '{' || ch == '[') {
			if (depth == MAXD)
				return;
			if (ch == '[' && target_depth < 0) {
				int hit = 0;
				if (!wrapped)
					hit = depth == 0;
				else if (fmt == MS_BT_PICKS_PAST)
					hit = depth == 2 && strcmp(key[0], "data") == 0 &&
					    strcmp(key[1], "picks") == 0;
				else
					hit = depth == 1 && strcmp(key[0], "picks") == 0;
				if (hit) {
					target_depth = (int)depth;
					expect = 1;
				}
			}
			type[depth] = ch;
			key[depth][0] = '\0';
			in_key = ch == '{';
			depth++;
			continue;
		}
		if (ch == '}' || ch == ']') {
			if (depth > 0)
				depth--;
			if ((int)depth == target_depth)
				return;
			in_key = 0;
			continue;
		}
	}
}

/* Reads path whole (plain or gzip) into a NUL-terminated buffer. */
static int
slurp(const char *path, char **out, size_t *len, struct ms_bt_picks_errors *e)
{
	gzFile gz = gzopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int got;

	if (gz == NULL) {
		problem(e, 0, "cannot open: %s", strerror(errno ? errno : ENOENT));
		return MS_ERR_IO;
	}
	for (;;) {
		if (cap - n < 65536 + 1) {
			size_t nc = cap ? cap * 2 : 131072;
			if (nc > MS_BT_PICKS_MAX_FILE + 65536 + 1)
				nc = MS_BT_PICKS_MAX_FILE + 65536 + 1;
			if (nc <= cap) {
				problem(e, 0, "larger than %u bytes",
				    MS_BT_PICKS_MAX_FILE);
				free(buf);
				gzclose(gz);
				return MS_ERR_TOOBIG;
			}
			char *t = realloc(buf, nc);
			if (t == NULL) {
				free(buf);
				gzclose(gz);
				return MS_ERR_NOMEM;
			}
			buf = t;
			cap = nc;
		}
		got = gzread(gz, buf + n, 65536);
		if (got < 0) {
			int zerr;
			problem(e, 0, "read error: %s", gzerror(gz, &zerr));
			free(buf);
			gzclose(gz);
			return MS_ERR_IO;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > MS_BT_PICKS_MAX_FILE) {
			problem(e, 0, "larger than %u bytes", MS_BT_PICKS_MAX_FILE);
			free(buf);
			gzclose(gz);
			return MS_ERR_TOOBIG;
		}
	}
	gzclose(gz);
	if (buf == NULL && (buf = malloc(1)) == NULL)
		return MS_ERR_NOMEM;
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* One JSON pick object into pk. */
static void
json_pick(const cJSON *o, struct ms_bt_pick_in *pk,
    struct ms_bt_picks_errors *e)
{
	const cJSON *it;
	int seen[R__COUNT] = { 0 };

	cJSON_ArrayForEach(it, o) {
		enum role r = it->string ? role_of(it->string,
		    strlen(it->string)) : R_NONE;
		char num[40];

		if (r == R_NONE || cJSON_IsNull(it))
			continue;
		if (seen[r]++) {
			problem(e, pk->line, "two %s keys", role_names[r]);
			continue;
		}
		if (cJSON_IsString(it)) {
			(void)set_value(pk, r, it->valuestring,
			    strlen(it->valuestring), it->string, e);
		} else if (cJSON_IsNumber(it) && (r == R_PRICE || r == R_TARGET)) {
			/* %.17g reads back exactly. */
			snprintf(num, sizeof(num), "%.17g", it->valuedouble);
			(void)set_value(pk, r, num, strlen(num), it->string, e);
		} else {
			problem(e, pk->line, "%s: want a %s", it->string,
			    r == R_PRICE || r == R_TARGET ? "number" : "string");
		}
	}
}

/* The JSON value starts at text[start] (after a BOM and white space). */
static int
read_json(const char *text, size_t len, size_t start,
    struct ms_bt_picks_file *f, struct ms_bt_picks_errors *e)
{
	const char *end = NULL;
	cJSON *doc, *arr = NULL, *data, *it;
	unsigned long *lines = NULL;
	size_t cap = 0, k = 0, nitems;
	int wrapped = 0, rc = 0;

	doc = cJSON_ParseWithLengthOpts(text + start, len - start, &end, 0);
	if (doc == NULL) {
		size_t off = end != NULL && end >= text && end <= text + len ?
		    (size_t)(end - text) : 0;
		problem(e, line_of(text, off), "invalid JSON");
		return MS_ERR_INVALID;
	}
	for (const char *p = end; p != NULL && p < text + len; p++)
		if (!isspace((unsigned char)*p)) {
			problem(e, line_of(text, (size_t)(p - text)),
			    "bytes after the JSON value");
			cJSON_Delete(doc);
			return MS_ERR_INVALID;
		}
	f->format = MS_BT_PICKS_JSON;
	if (cJSON_IsArray(doc)) {
		arr = doc;
	} else if (cJSON_IsObject(doc)) {
		wrapped = 1;
		arr = cJSON_GetObjectItemCaseSensitive(doc, "picks");
		data = cJSON_GetObjectItemCaseSensitive(doc, "data");
		if (arr == NULL && cJSON_IsObject(data)) {
			arr = cJSON_GetObjectItemCaseSensitive(data, "picks");
			f->format = MS_BT_PICKS_PAST;
		}
	}
	if (!cJSON_IsArray(arr)) {
		problem(e, 1, "no picks array (want a JSON array of picks, "
		    "{\"picks\": [...]}, or a /v1/moonshots/past response)");
		cJSON_Delete(doc);
		return MS_ERR_INVALID;
	}
	nitems = (size_t)cJSON_GetArraySize(arr);
	if (nitems > MS_BT_PICKS_MAX) {
		problem(e, 1, "more than %d picks", MS_BT_PICKS_MAX);
		cJSON_Delete(doc);
		return MS_ERR_TOOBIG;
	}
	if (nitems == 0) {
		problem(e, 1, "no picks");
		cJSON_Delete(doc);
		return MS_ERR_INVALID;
	}
	/* The scan starts at 0: before start are only a BOM and blanks. */
	if ((lines = calloc(nitems, sizeof(*lines))) == NULL) {
		cJSON_Delete(doc);
		return MS_ERR_NOMEM;
	}
	item_lines(text, len, f->format, wrapped, lines, nitems);
	cJSON_ArrayForEach(it, arr) {
		struct ms_bt_pick_in pk;
		size_t before = e->total;

		pick_init(&pk, lines[k] ? lines[k] : 1);
		k++;
		if (!cJSON_IsObject(it)) {
			problem(e, pk.line, "pick %zu: not an object", k);
			continue;
		}
		json_pick(it, &pk, e);
		if (e->total == before)
			check_pick(&pk, e);
		if (e->total == before && (rc = push(f, &cap, &pk)) != 0)
			break;
	}
	free(lines);
	cJSON_Delete(doc);
	if (rc != 0)
		return rc;
	return e->total > 0 ? MS_ERR_INVALID : 0;
}

/* ---- reading ----------------------------------------------------------- */

int
ms_bt_picks_read(const char *path, struct ms_bt_picks_file *out,
    struct ms_bt_picks_errors *errs)
{
	struct ms_bt_picks_file f;
	char *text = NULL;
	size_t len = 0, i = 0;
	int rc;

	memset(errs, 0, sizeof(*errs));
	memset(&f, 0, sizeof(f));
	if ((rc = slurp(path, &text, &len, errs)) != 0)
		return rc;
	/* A UTF-8 byte-order mark, then white space: '[' or '{' is JSON. */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && isspace((unsigned char)text[i]))
		i++;
	if (i < len && (text[i] == '[' || text[i] == '{')) {
		rc = read_json(text, len, i, &f, errs);
	} else {
		f.format = MS_BT_PICKS_CSV;
		rc = read_csv(path, &f, errs);
	}
	free(text);
	if (rc == 0 && errs->total > 0)
		rc = MS_ERR_INVALID;
	if (rc != 0) {
		free(f.v);
		return rc;
	}
	*out = f;
	return 0;
}

void
ms_bt_picks_file_free(struct ms_bt_picks_file *f)
{
	if (f == NULL)
		return;
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

/* ---- judging ----------------------------------------------------------- */

void
ms_bt_picks_result_free(struct ms_bt_picks_result *r)
{
	if (r == NULL)
		return;
	free(r->picks);
	free(r);
}

/*
 * The asset a pick names, as of its day: an id (or a key that is a
 * symbol) through ms_market_resolve; else the importer's identity of its
 * name and symbol (curated table, the slug of the name) as an id; else
 * its symbol, then its name, as a symbol. MS_ERR_NOTFOUND when none.
 */
static int
resolve(struct ms_store *st, const struct ms_bt_pick_in *pk,
    struct ms_asset *a, const char **by, size_t *cands)
{
	struct ms_resolution res;
	struct ms_identity idn;
	int rc;

	*cands = 1;
	if (pk->id[0] != '\0') {
		rc = ms_market_resolve(st, pk->id, pk->day, a, &res);
		if (rc == 0) {
			*by = res.by == MS_RESOLVED_ID ? "id" : "symbol";
			*cands = res.n_candidates;
		}
		return rc;
	}
	if (ms_identity_resolve(NULL, pk->symbol[0] ? pk->symbol : NULL,
	    pk->name[0] ? pk->name : NULL, pk->day, &idn) == 0) {
		rc = ms_market_resolve(st, idn.slug, pk->day, a, &res);
		if (rc == 0 && res.by == MS_RESOLVED_ID) {
			*by = "name";
			return 0;
		}
		if (rc != 0 && rc != MS_ERR_NOTFOUND)
			return rc;
	}
	for (int k = 0; k < 2; k++) {
		const char *key = k == 0 ? pk->symbol : pk->name;
		if (key[0] == '\0')
			continue;
		rc = ms_market_resolve(st, key, pk->day, a, &res);
		if (rc == 0) {
			*by = res.by == MS_RESOLVED_ID ? "id" : "symbol";
			*cands = res.n_candidates;
			return 0;
		}
		if (rc != MS_ERR_NOTFOUND)
			return rc;
	}
	return MS_ERR_NOTFOUND;
}

/* The first snapshot day after day (index), or SIZE_MAX. */
static size_t
snapshot_after(const int32_t *snap, size_t n, int32_t day)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (snap[mid] <= day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n ? lo : SIZE_MAX;
}

/* One pick's cohort key; picks with equal keys are valued together. */
struct slot {
	size_t i;                    /* index in the file */
	struct ms_bt_cohort co;
};

static int
cmp_slot(const void *pa, const void *pb)
{
	const struct slot *a = pa, *b = pb;

	if (a->co.day != b->co.day)
		return a->co.day < b->co.day ? -1 : 1;
	if (a->co.hold != b->co.hold)
		return a->co.hold < b->co.hold ? -1 : 1;
	if (a->co.snapshot != b->co.snapshot)
		return a->co.snapshot < b->co.snapshot ? -1 : 1;
	return (a->i > b->i) - (a->i < b->i);
}

static int
cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

/* Counts, price checks and pick statistics of a judged result. */
static int
summarise(struct ms_bt_picks_result *r)
{
	size_t n = r->n ? r->n : 1, nd = 0;
	double *ret = malloc(n * sizeof(*ret)), *mg = malloc(n * sizeof(*mg));
	double *diff = malloc(n * sizeof(*diff));
	int *died = malloc(n * sizeof(*died)), rc;

	if (ret == NULL || mg == NULL || died == NULL || diff == NULL) {
		rc = MS_ERR_NOMEM;
		goto done;
	}
	for (size_t i = 0; i < r->n; i++) {
		struct ms_bt_judged_pick *j = &r->picks[i];
		const struct ms_bt_pick *pk = &j->pick;

		ret[i] = pk->ret_net;
		mg[i] = pk->max_gain;
		died[i] = pk->status == MS_BT_DIED;
		r->filled += pk->status != MS_BT_UNFILLED;
		r->unfilled += pk->status == MS_BT_UNFILLED;
		r->censored += pk->status == MS_BT_CENSORED;
		r->left += pk->status == MS_BT_LEFT;
		r->written_off += pk->unsold_share > 0;
		if (pk->status != MS_BT_UNFILLED) {
			r->reduced += pk->reduced_usd > 0;
			r->notional_usd += pk->notional_usd;
			r->proceeds_usd += pk->notional_usd * (1 + pk->ret_net);
		}
		j->price_diff = NAN;
		if (!isnan(j->file_price)) {
			r->with_price++;
			if (isfinite(pk->entry_price) && pk->entry_price > 0) {
				j->price_diff = j->file_price / pk->entry_price - 1;
				diff[nd++] = fabs(j->price_diff);
				r->price_off += fabs(j->price_diff) > 0.01;
			}
		}
	}
	r->price_diff_median = r->price_diff_max = NAN;
	if (nd > 0) {
		qsort(diff, nd, sizeof(*diff), cmp_double);
		r->price_diff_median = nd % 2 ? diff[nd / 2] :
		    (diff[nd / 2 - 1] + diff[nd / 2]) / 2;
		r->price_diff_max = diff[nd - 1];
	}
	rc = ms_bt_pick_stats(ret, mg, died, r->n, r->params.seed,
	    r->params.bootstrap, &r->stats);
done:
	free(ret);
	free(mg);
	free(died);
	free(diff);
	return rc;
}

int
ms_bt_picks_judge(struct ms_store *st, const struct ms_bt_params *p,
    const struct ms_bt_picks_opts *o, const char *file,
    const struct ms_bt_picks_file *in, struct ms_bt_picks_result **out,
    struct ms_bt_picks_errors *errs)
{
	struct ms_bt_picks_result *r = NULL;
	struct ms_data_range range;
	struct slot *slots = NULL;
	int64_t *ids = NULL, *gids = NULL;
	double *targets = NULL, *gtargets = NULL, *mincap = NULL;
	int32_t *snap = NULL;
	struct ms_bt_pick *vals = NULL;
	size_t nsnap = 0;
	char why[160], d0[MS_DATE_LEN + 1], d1[MS_DATE_LEN + 1];
	int rc;

	memset(errs, 0, sizeof(*errs));
	if (ms_bt_params_check(p, why, sizeof(why)) != 0) {
		problem(errs, 0, "%s", why);
		return MS_ERR_RANGE;
	}
	if (!isnan(o->notional) && !(o->notional > 0 &&
	    o->notional <= MS_BT_MAX_CAPITAL)) {
		problem(errs, 0, "--notional: above 0, at most 1e12 USD");
		return MS_ERR_RANGE;
	}
	if (in->n > MS_BT_PICKS_MAX)
		return MS_ERR_TOOBIG;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return MS_ERR_NOMEM;
	r->params = *p;
	r->params.screen.category = NULL;
	r->opts = *o;
	if (isnan(r->opts.notional))
		r->opts.notional = p->capital / (double)p->top;
	snprintf(r->file, sizeof(r->file), "%s", file ? file : "");
	r->format = in->format;
	r->n = in->n;
	if ((rc = ms_store_read_begin(st)) != 0) {
		free(r);
		return rc;
	}
	if ((rc = ms_market_range(st, -1, &range)) != 0)
		goto fail;
	if (range.first_day < 0) {
		rc = MS_ERR_NODATA;
		goto fail;
	}
	r->data_first = range.first_day;
	r->data_last = range.last_day;
	ms_date_format(r->data_first, d0);
	ms_date_format(r->data_last, d1);
	if ((rc = ms_store_data_version(st, &r->data_version)) != 0)
		goto fail;
	if (p->hold_days == MS_BT_HOLD_NEXT) {
		rc = ms_bt_snapshots(st, p->snapshot_source, &snap, &mincap,
		    &nsnap);
		if (rc == MS_ERR_NOTFOUND || (rc == 0 && nsnap == 0)) {
			problem(errs, 0, "--hold next: the store has no snapshot "
			    "source %s", p->snapshot_source);
			rc = MS_ERR_INVALID;
		}
		if (rc != 0)
			goto fail;
	}
	r->picks = calloc(in->n ? in->n : 1, sizeof(*r->picks));
	slots = calloc(in->n ? in->n : 1, sizeof(*slots));
	ids = calloc(in->n ? in->n : 1, sizeof(*ids));
	targets = calloc(in->n ? in->n : 1, sizeof(*targets));
	vals = calloc(in->n ? in->n : 1, sizeof(*vals));
	gids = calloc(in->n ? in->n : 1, sizeof(*gids));
	gtargets = calloc(in->n ? in->n : 1, sizeof(*gtargets));
	if (r->picks == NULL || slots == NULL || ids == NULL ||
	    targets == NULL || vals == NULL || gids == NULL || gtargets == NULL) {
		rc = MS_ERR_NOMEM;
		goto fail;
	}

	/* Resolve and check every pick before valuing any. */
	for (size_t i = 0; i < in->n; i++) {
		const struct ms_bt_pick_in *pk = &in->v[i];
		struct ms_bt_judged_pick *j = &r->picks[i];
		struct ms_bt_cohort *co = &slots[i].co;
		struct ms_asset a;
		char dd[MS_DATE_LEN + 1];
		int32_t until;

		j->line = pk->line;
		j->file_price = pk->entry_price;
		j->resolved_by = "id";
		j->candidates = 1;
		snprintf(j->key, sizeof(j->key), "%s", pk->id[0] ? pk->id :
		    pk->name[0] ? pk->name : pk->symbol);
		ms_date_format(pk->day, dd);
		if (pk->day < r->data_first || pk->day > r->data_last) {
			problem(errs, pk->line, "date %s is outside the store "
			    "(%s..%s)", dd, d0, d1);
			continue;
		}
		rc = resolve(st, pk, &a, &j->resolved_by, &j->candidates);
		if (rc == MS_ERR_NOTFOUND) {
			if (pk->symbol[0] != '\0' && strcmp(pk->symbol, j->key) != 0)
				problem(errs, pk->line, "unknown asset \"%s\" (symbol "
				    "%s) as of %s", j->key, pk->symbol, dd);
			else
				problem(errs, pk->line, "unknown asset \"%s\" as of %s",
				    j->key, dd);
			continue;
		}
		if (rc != 0)
			goto fail;
		ids[i] = a.id;
		targets[i] = isnan(pk->target_usd) ? r->opts.notional :
		    pk->target_usd;
		until = pk->until >= 0 ? pk->until : o->exit;
		co->day = pk->day;
		co->snapshot = 0;
		co->after = -1;
		co->cutoff = NAN;
		if (until < 0 && p->hold_days == MS_BT_HOLD_NEXT) {
			size_t k = snapshot_after(snap, nsnap, pk->day);
			if (k == SIZE_MAX) {
				problem(errs, pk->line, "--hold next: no snapshot of %s "
				    "after %s", p->snapshot_source, dd);
				continue;
			}
			until = snap[k];
			co->snapshot = 1;
			co->after = k + 1 < nsnap ? snap[k + 1] : -1;
			co->cutoff = mincap[k];
		} else if (until < 0) {
			until = pk->day + p->hold_days;
		}
		if (until <= pk->day) {
			problem(errs, pk->line, "exit is not after the date %s", dd);
			continue;
		}
		if (until - pk->day > MS_BT_MAX_HOLD) {
			problem(errs, pk->line, "held %ld days (at most %d)",
			    (long)(until - pk->day), MS_BT_MAX_HOLD);
			continue;
		}
		co->hold = (int)(until - pk->day);
		j->until = until;
		slots[i].i = i;
	}
	if (errs->total > 0) {
		rc = MS_ERR_INVALID;
		goto fail;
	}

	/* Cohorts: the picks of one day with one exit, valued together. */
	qsort(slots, in->n, sizeof(*slots), cmp_slot);
	for (size_t s = 0, e; s < in->n; s = e) {
		for (e = s + 1; e < in->n && slots[e].co.day == slots[s].co.day &&
		    slots[e].co.hold == slots[s].co.hold &&
		    slots[e].co.snapshot == slots[s].co.snapshot; e++)
			;
		for (size_t k = s; k < e; k++) {
			gids[k - s] = ids[slots[k].i];
			gtargets[k - s] = targets[slots[k].i];
		}
		if ((rc = ms_bt_value(st, &r->params, r->data_last, &slots[s].co,
		    gids, gtargets, e - s, vals, &r->spread_usd,
		    &r->impact_usd)) != 0)
			goto fail;
		for (size_t k = s; k < e; k++) {
			size_t i = slots[k].i;
			r->picks[i].pick = vals[k - s];
			r->picks[i].pick.rank = i + 1;
		}
		r->cohorts++;
	}
	if ((rc = summarise(r)) != 0)
		goto fail;
	ms_store_read_end(st);
	free(slots);
	free(ids);
	free(targets);
	free(vals);
	free(gids);
	free(gtargets);
	free(snap);
	free(mincap);
	*out = r;
	return 0;
fail:
	ms_store_read_end(st);
	free(slots);
	free(ids);
	free(targets);
	free(vals);
	free(gids);
	free(gtargets);
	free(snap);
	free(mincap);
	ms_bt_picks_result_free(r);
	return rc;
}
