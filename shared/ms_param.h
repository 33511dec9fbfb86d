/*
 * ms_param.h — declarative request parameters and their pure validators.
 *
 * A route declares its query (and path) parameters in a table of
 * struct ms_param_spec. The runtime decodes the query string, rejects
 * unknown, repeated, missing, overlong or malformed keys, and hands the
 * handler an array of struct ms_param_value in table order. Validators are
 * pure functions of (spec, raw bytes): bounded length, no NUL, valid UTF-8,
 * strto* with end pointer and ERANGE, then a range check.
 */
#ifndef MS_PARAM_H
#define MS_PARAM_H

#include <stddef.h>
#include <stdint.h>

enum ms_param_type {
	MS_PARAM_STRING,  /* printable UTF-8, no control bytes, <= max_len */
	MS_PARAM_SLUG,    /* [A-Za-z0-9._-]{1,max_len}: asset ids and symbols */
	MS_PARAM_INT,     /* decimal integer in [min_i, max_i] */
	MS_PARAM_NUMBER,  /* finite decimal number in [min_d, max_d] */
	MS_PARAM_DATE,    /* YYYY-MM-DD, real day, in [MS_DATE_MIN, MS_DATE_MAX] */
	MS_PARAM_ENUM,    /* one of choices[] (exact, case-sensitive) */
	MS_PARAM_LIST     /* comma-separated SLUGs, 1..max_items, each <= max_len */
};

struct ms_param_spec {
	const char *name;
	enum ms_param_type type;
	int required;
	size_t max_len;              /* STRING/SLUG/LIST item; 0 = 64 */
	int64_t min_i, max_i;        /* INT; both 0 = any int64 */
	double min_d, max_d;         /* NUMBER; both 0 = any finite number */
	const char *const *choices;  /* ENUM: NULL-terminated */
	size_t max_items;            /* LIST; 0 = 100 */
	const char *def;             /* default as raw text, validated like input; NULL = none */
	const char *doc;             /* one line for docs and --help */
};

/* A validated value. Which member is set depends on the spec's type. */
struct ms_param_value {
	int present;          /* 1 if given or defaulted */
	int defaulted;        /* 1 if the value came from spec->def */
	const char *s;        /* STRING/SLUG/ENUM/LIST: decoded text, NUL-terminated */
	size_t len;
	int64_t i;            /* INT */
	double d;             /* NUMBER */
	int32_t day;          /* DATE */
	int choice;           /* ENUM: index into choices */
	size_t nitems;        /* LIST: number of items */
	const char **items;   /* LIST: item pointers (owned by the request) */
};

/* Maximum bytes of a raw (still encoded) query string. */
#define MS_QUERY_MAX 4096
/* Maximum number of key=value pairs in a query string. */
#define MS_QUERY_MAX_PAIRS 64

/*
 * Validates one decoded value (val, len bytes, may contain NUL which is
 * rejected) against spec. On success returns 0 and fills *out; for LIST the
 * item array is allocated with malloc and the caller frees out->items. On
 * failure returns a negative ms_err and sets *reason to a static string
 * naming what is wrong ("must be an integer in the allowed range"; use
 * ms_param_check for a reason that names the range). *out is written
 * only on success. Pure: no globals, no I/O.
 */
int ms_param_validate(const struct ms_param_spec *spec, const char *val,
    size_t len, struct ms_param_value *out, const char **reason);

/*
 * The same validation as ms_param_validate, but on failure writes into the
 * caller's reason buffer (reason_size bytes, always NUL-terminated) a
 * sentence that names what is allowed: "must be an integer between 1 and
 * 500", "must be one of: 1d, 7d, 30d", "must be at most 64 bytes". The
 * runtime uses this for invalid_params. Pure.
 */
int ms_param_check(const struct ms_param_spec *spec, const char *val,
    size_t len, struct ms_param_value *out, char *reason, size_t reason_size);

/*
 * Writes into buf (n bytes, NUL-terminated, cut to fit) what values spec
 * accepts, e.g. "an integer between 1 and 500"; for --help, docs and
 * reasons. Returns strlen(buf).
 */
size_t ms_param_describe(const struct ms_param_spec *spec, char *buf,
    size_t n);

/* Frees a LIST value's items and zeroes *v; NULL is a no-op. */
void ms_param_value_clear(struct ms_param_value *v);

/*
 * Percent-decodes src (srclen bytes) of a query component into dst (room
 * for srclen + 1 bytes), turning '+' into space. Returns 0 and sets *dstlen,
 * or MS_ERR_PARSE for a bad %XY escape. dst is NUL-terminated; a decoded
 * NUL is kept (validators reject it).
 */
int ms_param_unescape(const char *src, size_t srclen, char *dst,
    size_t *dstlen);

/*
 * Percent-decodes a URL path: like ms_param_unescape but '+' stays '+', and
 * dst holds dstsize bytes including the NUL; MS_ERR_TOOBIG when the decoded
 * path does not fit, MS_ERR_PARSE for a bad escape.
 */
int ms_path_unescape(const char *src, size_t srclen, char *dst,
    size_t dstsize, size_t *dstlen);

/* 1 if s[0..len) is well-formed UTF-8 (no overlongs, no surrogates). */
int ms_utf8_valid(const char *s, size_t len);

#endif
