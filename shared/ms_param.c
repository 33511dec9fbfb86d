/*
 * ms_param.c — pure validators for declared request parameters.
 *
 * Each route lists its parameters in a table of struct ms_param_spec; the
 * runtime decodes the query string and passes each raw value here. A
 * validator is a pure function of (spec, bytes): it checks the hard length
 * bound first, then rejects NUL bytes, bad UTF-8 and control characters,
 * then parses strictly (strto* with an end pointer and ERANGE, after a
 * hand-written grammar check so that strtod's extras — "nan", "inf", hex
 * floats, leading blanks — never get through) and finally checks the range.
 *
 * A failure is first classified into a reason code. ms_param_validate()
 * turns the code into a static sentence; ms_param_check() writes a sentence
 * naming the allowed range ("must be an integer between 1 and 500") into a
 * caller-owned bounded buffer. The runtime uses the latter, so clients see
 * what would have been accepted.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ms_date.h"
#include "ms_error.h"
#include "ms_param.h"

#define PARAM_DEFAULT_MAX_LEN 64
#define PARAM_DEFAULT_MAX_ITEMS 100
#define PARAM_INT_MAX_LEN 20     /* "-9223372036854775808" */
#define PARAM_NUMBER_MAX_LEN 64
#define PARAM_ENUM_MAX_LEN 64

/* Why a value was rejected; mapped to text by the two entry points. */
enum why {
	WHY_EMPTY,
	WHY_NUL,
	WHY_UTF8,
	WHY_CONTROL,
	WHY_TOO_LONG,
	WHY_SYNTAX,      /* the type's grammar */
	WHY_RANGE,       /* parsed, but outside [min, max] */
	WHY_NO_DAY,      /* DATE: well-formed but no such calendar day */
	WHY_EMPTY_ITEM,  /* LIST: ",," or a leading/trailing comma */
	WHY_TOO_MANY,    /* LIST: more than max_items */
	WHY_ITEM_TOO_LONG, /* LIST: one item longer than max_len */
	WHY_BAD_SPEC     /* programmer error in the table */
};

static size_t
spec_max_len(const struct ms_param_spec *spec)
{
	return spec->max_len != 0 ? spec->max_len : PARAM_DEFAULT_MAX_LEN;
}

static size_t
spec_max_items(const struct ms_param_spec *spec)
{
	return spec->max_items != 0 ? spec->max_items : PARAM_DEFAULT_MAX_ITEMS;
}

/* Both bounds 0 means "no range": any int64 / any finite number. */
static int
int_unbounded(const struct ms_param_spec *spec)
{
	return spec->min_i == 0 && spec->max_i == 0;
}

static int
number_unbounded(const struct ms_param_spec *spec)
{
	return spec->min_d == 0.0 && spec->max_d == 0.0;
}

/* The largest raw length a value of this spec may have. */
static size_t
spec_raw_max(const struct ms_param_spec *spec)
{
	size_t items, len;

	switch (spec->type) {
	case MS_PARAM_INT:
		return PARAM_INT_MAX_LEN;
	case MS_PARAM_NUMBER:
		return PARAM_NUMBER_MAX_LEN;
	case MS_PARAM_DATE:
		return MS_DATE_LEN;
	case MS_PARAM_ENUM:
		return PARAM_ENUM_MAX_LEN;
	case MS_PARAM_LIST:
		items = spec_max_items(spec);
		len = spec_max_len(spec);
		if (len >= (SIZE_MAX / 2) / items)
			return SIZE_MAX / 2;
		return items * (len + 1) - 1;
	case MS_PARAM_STRING:
	case MS_PARAM_SLUG:
		break;
	}
	return spec_max_len(spec);
}

int
ms_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];
		size_t n;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return 0;   /* continuation byte, C0/C1, or F5..FF */
		}
		if (len - i - 1 < n)
			return 0;
		for (size_t k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decodes src into dst (dstsize bytes with the NUL); '+' becomes a
 * space when plus is set. MS_ERR_PARSE for a bad escape, MS_ERR_TOOBIG
 * when the output does not fit.
 */
static int
unescape(const char *src, size_t srclen, char *dst, size_t dstsize,
    int plus, size_t *dstlen)
{
	size_t o = 0;

	for (size_t i = 0; i < srclen; i++) {
		char c = src[i];

		if (c == '+' && plus) {
			c = ' ';
		} else if (c == '%') {
			int hi, lo;

			if (srclen - i < 3)
				return MS_ERR_PARSE;
			hi = hexval(src[i + 1]);
			lo = hexval(src[i + 2]);
			if (hi < 0 || lo < 0)
				return MS_ERR_PARSE;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (o + 1 >= dstsize)
			return MS_ERR_TOOBIG;
		dst[o++] = c;
	}
	if (dstsize == 0)
		return MS_ERR_TOOBIG;
	dst[o] = '\0';
	*dstlen = o;
	return MS_OK;
}

int
ms_param_unescape(const char *src, size_t srclen, char *dst, size_t *dstlen)
{
	/* Decoding never lengthens: srclen + 1 bytes always suffice. */
	return unescape(src, srclen, dst, srclen + 1, 1, dstlen);
}

int
ms_path_unescape(const char *src, size_t srclen, char *dst, size_t dstsize,
    size_t *dstlen)
{
	return unescape(src, srclen, dst, dstsize, 0, dstlen);
}

static int
is_slug_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* 1 if s holds a C0 control, DEL or a C1 control (U+0080..U+009F). */
static int
has_control(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < len; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 1;
		if (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 &&
		    p[i + 1] <= 0x9f)
			return 1;
	}
	return 0;
}

static int
check_slug(const char *s, size_t len, size_t max_len, enum why *why)
{
	if (len == 0) {
		*why = WHY_EMPTY;
		return MS_ERR_INVALID;
	}
	if (len > max_len) {
		*why = WHY_TOO_LONG;
		return MS_ERR_TOOBIG;
	}
	for (size_t i = 0; i < len; i++) {
		if (!is_slug_char(s[i])) {
			*why = WHY_SYNTAX;
			return MS_ERR_PARSE;
		}
	}
	return MS_OK;
}

/* Copies len bytes of val into a NUL-terminated stack buffer of size n. */
static void
copy_small(char *dst, size_t n, const char *val, size_t len)
{
	if (len >= n)
		len = n - 1;
	memcpy(dst, val, len);
	dst[len] = '\0';
}

static int
parse_int(const struct ms_param_spec *spec, const char *val, size_t len,
    int64_t *out, enum why *why)
{
	char tmp[PARAM_INT_MAX_LEN + 1];
	size_t i = 0;
	long long v;
	char *end;

	if (val[0] == '-')
		i = 1;
	if (i == len) {
		*why = WHY_SYNTAX;
		return MS_ERR_PARSE;
	}
	for (; i < len; i++) {
		if (val[i] < '0' || val[i] > '9') {
			*why = WHY_SYNTAX;
			return MS_ERR_PARSE;
		}
	}
	copy_small(tmp, sizeof(tmp), val, len);
	errno = 0;
	v = strtoll(tmp, &end, 10);
	if (errno == ERANGE) {
		*why = WHY_RANGE;
		return MS_ERR_RANGE;
	}
	if (errno != 0 || end != tmp + len) {
		*why = WHY_SYNTAX;
		return MS_ERR_PARSE;
	}
	if (!int_unbounded(spec) && (v < spec->min_i || v > spec->max_i)) {
		*why = WHY_RANGE;
		return MS_ERR_RANGE;
	}
	*out = (int64_t)v;
	return MS_OK;
}

/*
 * The accepted number grammar: -?(D+(.D*)?|.D+)([eE][+-]?D+)? — plain
 * decimal only. strtod alone would also take "nan", "inf", "0x1p3" and
 * leading white space.
 */
static int
number_grammar(const char *s, size_t len)
{
	size_t i = 0, mant = 0;

	if (i < len && s[i] == '-')
		i++;
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		i++;
		mant++;
	}
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			i++;
			mant++;
		}
	}
	if (mant == 0)
		return 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t exp = 0;

		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			i++;
			exp++;
		}
		if (exp == 0)
			return 0;
	}
	return i == len;
}

static int
parse_number(const struct ms_param_spec *spec, const char *val, size_t len,
    double *out, enum why *why)
{
	char tmp[PARAM_NUMBER_MAX_LEN + 1];
	char *end;
	double v;

	if (!number_grammar(val, len)) {
		*why = WHY_SYNTAX;
		return MS_ERR_PARSE;
	}
	copy_small(tmp, sizeof(tmp), val, len);
	errno = 0;
	v = strtod(tmp, &end);
	if (end != tmp + len) {
		*why = WHY_SYNTAX;
		return MS_ERR_PARSE;
	}
	/* ERANGE on underflow still yields a usable tiny value; overflow not. */
	if ((errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL)) ||
	    !isfinite(v)) {
		*why = WHY_RANGE;
		return MS_ERR_RANGE;
	}
	if (v == 0.0)
		v = 0.0;   /* "-0" is 0: never echo a negative zero back */
	if (!number_unbounded(spec) && (v < spec->min_d || v > spec->max_d)) {
		*why = WHY_RANGE;
		return MS_ERR_RANGE;
	}
	*out = v;
	return MS_OK;
}

static int
parse_list(const struct ms_param_spec *spec, const char *val, size_t len,
    struct ms_param_value *v, enum why *why)
{
	size_t max_items = spec_max_items(spec);
	size_t max_len = spec_max_len(spec);
	size_t n = 1, start = 0, k = 0;
	const char **items;
	char *text;
	int rc;

	for (size_t i = 0; i < len; i++) {
		if (val[i] == ',')
			n++;
	}
	if (n > max_items) {
		*why = WHY_TOO_MANY;
		return MS_ERR_TOOBIG;
	}
	for (size_t i = 0; i <= len; i++) {
		if (i < len && val[i] != ',')
			continue;
		if (i == start) {
			*why = WHY_EMPTY_ITEM;
			return MS_ERR_INVALID;
		}
		rc = check_slug(val + start, i - start, max_len, why);
		if (rc != MS_OK) {
			if (*why == WHY_TOO_LONG)
				*why = WHY_ITEM_TOO_LONG;
			return rc;
		}
		start = i + 1;
	}
	/* One block: the pointer array, then the text with ',' turned to NUL. */
	items = malloc(n * sizeof(*items) + len + 1);
	if (items == NULL) {
		*why = WHY_BAD_SPEC;
		return MS_ERR_NOMEM;
	}
	text = (char *)(items + n);
	memcpy(text, val, len);
	text[len] = '\0';
	items[k++] = text;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == ',') {
			text[i] = '\0';
			items[k++] = text + i + 1;
		}
	}
	v->items = items;
	v->nitems = n;
	return MS_OK;
}

static int
validate(const struct ms_param_spec *spec, const char *val, size_t len,
    struct ms_param_value *out, enum why *why)
{
	struct ms_param_value v;
	int rc = MS_OK;

	if (spec == NULL || (val == NULL && len > 0)) {
		*why = WHY_BAD_SPEC;
		return MS_ERR_INTERNAL;
	}
	if (len == 0) {
		*why = WHY_EMPTY;
		return MS_ERR_INVALID;
	}
	if (len > spec_raw_max(spec)) {
		*why = WHY_TOO_LONG;
		return MS_ERR_TOOBIG;
	}
	if (memchr(val, '\0', len) != NULL) {
		*why = WHY_NUL;
		return MS_ERR_INVALID;
	}
	if (!ms_utf8_valid(val, len)) {
		*why = WHY_UTF8;
		return MS_ERR_INVALID;
	}
	if (has_control(val, len)) {
		*why = WHY_CONTROL;
		return MS_ERR_INVALID;
	}
	memset(&v, 0, sizeof(v));
	v.present = 1;
	v.s = val;
	v.len = len;
	v.d = NAN;
	v.day = -1;
	v.choice = -1;
	switch (spec->type) {
	case MS_PARAM_STRING:
		break;
	case MS_PARAM_SLUG:
		rc = check_slug(val, len, spec_max_len(spec), why);
		break;
	case MS_PARAM_INT:
		rc = parse_int(spec, val, len, &v.i, why);
		break;
	case MS_PARAM_NUMBER:
		rc = parse_number(spec, val, len, &v.d, why);
		break;
	case MS_PARAM_DATE:
		rc = ms_date_parse(val, len, &v.day);
		if (rc == MS_ERR_PARSE) {
			*why = WHY_SYNTAX;
		} else if (rc != MS_OK) {
			*why = WHY_NO_DAY;
		} else if (v.day < MS_DATE_MIN || v.day > MS_DATE_MAX) {
			*why = WHY_RANGE;
			rc = MS_ERR_RANGE;
		}
		break;
	case MS_PARAM_ENUM:
		rc = MS_ERR_INVALID;
		*why = WHY_SYNTAX;
		if (spec->choices == NULL) {
			*why = WHY_BAD_SPEC;
			rc = MS_ERR_INTERNAL;
			break;
		}
		for (int k = 0; spec->choices[k] != NULL; k++) {
			if (strlen(spec->choices[k]) == len &&
			    memcmp(spec->choices[k], val, len) == 0) {
				v.choice = k;
				rc = MS_OK;
				break;
			}
		}
		break;
	case MS_PARAM_LIST:
		rc = parse_list(spec, val, len, &v, why);
		break;
	default:
		*why = WHY_BAD_SPEC;
		rc = MS_ERR_INTERNAL;
		break;
	}
	if (rc != MS_OK)
		return rc;
	*out = v;
	return MS_OK;
}

static const char *
why_static(const struct ms_param_spec *spec, enum why why)
{
	switch (why) {
	case WHY_EMPTY: return "must not be empty";
	case WHY_NUL: return "must not contain NUL bytes";
	case WHY_UTF8: return "must be valid UTF-8";
	case WHY_CONTROL: return "must not contain control characters";
	case WHY_TOO_LONG: return "is too long";
	case WHY_NO_DAY: return "must be a real calendar day (YYYY-MM-DD)";
	case WHY_EMPTY_ITEM: return "must not contain empty list items";
	case WHY_TOO_MANY: return "has too many list items";
	case WHY_ITEM_TOO_LONG: return "has a list item that is too long";
	case WHY_BAD_SPEC: return "cannot be validated (server error)";
	case WHY_SYNTAX:
	case WHY_RANGE:
		break;
	}
	switch (spec->type) {
	case MS_PARAM_STRING: return "must be valid text";
	case MS_PARAM_SLUG: return "must contain only A-Z a-z 0-9 . _ -";
	case MS_PARAM_INT: return "must be an integer in the allowed range";
	case MS_PARAM_NUMBER: return "must be a finite number in the allowed range";
	case MS_PARAM_DATE:
		return why == WHY_SYNTAX ? "must be a date as YYYY-MM-DD" :
		    "must be a date between 2009-01-03 and 2099-12-31";
	case MS_PARAM_ENUM: return "must be one of the allowed values";
	case MS_PARAM_LIST: return "must be a comma-separated list of A-Z a-z 0-9 . _ - items";
	}
	return "is invalid";
}

int
ms_param_validate(const struct ms_param_spec *spec, const char *val,
    size_t len, struct ms_param_value *out, const char **reason)
{
	enum why why = WHY_SYNTAX;
	int rc = validate(spec, val, len, out, &why);

	if (rc != MS_OK && reason != NULL)
		*reason = spec != NULL ? why_static(spec, why) :
		    "cannot be validated (server error)";
	return rc;
}

/* Appends the allowed ENUM choices to buf as "a, b, c", cut to fit. */
static void
choices_text(const struct ms_param_spec *spec, char *buf, size_t n,
    const char *sep)
{
	size_t len = strlen(buf);

	for (int k = 0; spec->choices != NULL && spec->choices[k] != NULL; k++) {
		int w = snprintf(buf + len, n - len, "%s%s", k > 0 ? sep : "",
		    spec->choices[k]);

		if (w < 0 || (size_t)w >= n - len) {
			/* Cut: mark the omission if there is room. */
			if (n >= 4)
				memcpy(buf + n - 4, "...", 4);
			return;
		}
		len += (size_t)w;
	}
}

size_t
ms_param_describe(const struct ms_param_spec *spec, char *buf, size_t n)
{
	char lo[MS_DATE_LEN + 1], hi[MS_DATE_LEN + 1];
	int w = 0;

	if (n == 0)
		return 0;
	buf[0] = '\0';
	switch (spec->type) {
	case MS_PARAM_STRING:
		w = snprintf(buf, n, "text of 1 to %zu bytes", spec_max_len(spec));
		break;
	case MS_PARAM_SLUG:
		w = snprintf(buf, n, "1 to %zu characters of A-Z a-z 0-9 . _ -",
		    spec_max_len(spec));
		break;
	case MS_PARAM_INT:
		if (int_unbounded(spec))
			w = snprintf(buf, n, "an integer");
		else
			w = snprintf(buf, n, "an integer between %" PRId64
			    " and %" PRId64, spec->min_i, spec->max_i);
		break;
	case MS_PARAM_NUMBER:
		if (number_unbounded(spec))
			w = snprintf(buf, n, "a finite number");
		else
			w = snprintf(buf, n, "a number between %.15g and %.15g",
			    spec->min_d, spec->max_d);
		break;
	case MS_PARAM_DATE:
		ms_date_format(MS_DATE_MIN, lo);
		ms_date_format(MS_DATE_MAX, hi);
		w = snprintf(buf, n, "a date (YYYY-MM-DD) between %s and %s",
		    lo, hi);
		break;
	case MS_PARAM_ENUM:
		w = snprintf(buf, n, "one of: ");
		if (w >= 0 && (size_t)w < n)
			choices_text(spec, buf, n, ", ");
		break;
	case MS_PARAM_LIST:
		w = snprintf(buf, n, "a comma-separated list of 1 to %zu items, "
		    "each 1 to %zu characters of A-Z a-z 0-9 . _ -",
		    spec_max_items(spec), spec_max_len(spec));
		break;
	}
	(void)w;
	return strlen(buf);
}

int
ms_param_check(const struct ms_param_spec *spec, const char *val,
    size_t len, struct ms_param_value *out, char *reason, size_t reason_size)
{
	enum why why = WHY_SYNTAX;
	int rc = validate(spec, val, len, out, &why);
	char what[256];

	if (rc == MS_OK || reason == NULL || reason_size == 0)
		return rc;
	if (spec == NULL) {
		snprintf(reason, reason_size, "cannot be validated (server error)");
		return rc;
	}
	switch (why) {
	case WHY_SYNTAX:
	case WHY_RANGE:
		ms_param_describe(spec, what, sizeof(what));
		snprintf(reason, reason_size, "must be %s", what);
		break;
	case WHY_TOO_LONG:
		if (spec->type == MS_PARAM_STRING || spec->type == MS_PARAM_SLUG)
			snprintf(reason, reason_size, "must be at most %zu bytes",
			    spec_max_len(spec));
		else {
			ms_param_describe(spec, what, sizeof(what));
			snprintf(reason, reason_size, "is too long: must be %s",
			    what);
		}
		break;
	case WHY_TOO_MANY:
		snprintf(reason, reason_size, "must have at most %zu items",
		    spec_max_items(spec));
		break;
	case WHY_ITEM_TOO_LONG:
		snprintf(reason, reason_size,
		    "must have items of at most %zu characters",
		    spec_max_len(spec));
		break;
	case WHY_NO_DAY:
	case WHY_EMPTY_ITEM:
	case WHY_EMPTY:
	case WHY_NUL:
	case WHY_UTF8:
	case WHY_CONTROL:
	case WHY_BAD_SPEC:
		snprintf(reason, reason_size, "%s", why_static(spec, why));
		break;
	}
	return rc;
}

void
ms_param_value_clear(struct ms_param_value *v)
{
	if (v == NULL)
		return;
	free(v->items);
	memset(v, 0, sizeof(*v));
}
