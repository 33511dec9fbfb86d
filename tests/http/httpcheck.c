/*
 * httpcheck.c — the HTTP client of the integration tests: sends each request
 * of one or more case files to a running Moonscope (through lighttpd or
 * Apache) and checks status, headers and JSON body; or, with --same, sends
 * every request to two servers and checks that they answer alike.
 *
 *   httpcheck [-v] BASE_URL CASEFILE...
 *   httpcheck --same [-v] BASE_URL_A BASE_URL_B CASEFILE...
 *
 * BASE_URL is scheme://host:port ("http://127.0.0.1:8080"); every request
 * target from a case file is sent VERBATIM (CURLOPT_REQUEST_TARGET), so bad
 * percent escapes, raw bytes and dot segments reach the server untouched.
 * Every request has a 5 s timeout. Output: one line per failing case (with
 * an excerpt of the body), "PASS" lines too with -v, and last, alone on its
 * line, "N passed, M failed". Exit status 0 if all passed, 1 if any failed,
 * 2 on a usage error.
 *
 * Case files. One case per line; blank lines and lines starting with '#'
 * are ignored. Tokens are separated by blanks; a double-quoted part of a
 * token may contain blanks. A case is
 *
 *   METHOD TARGET STATUS [CONTENT-TYPE] [CHECK...]
 *
 *   METHOD        GET, HEAD, POST, PUT, DELETE, OPTIONS or PATCH.
 *   TARGET        the request target, path and query ("/v1/assets?limit=5").
 *   STATUS        the expected HTTP status.
 *   CONTENT-TYPE  optional: the expected start of the Content-Type header,
 *                 e.g. application/json; "-" checks nothing.
 *
 * Escapes, in TARGET and in quoted strings: \xNN is the byte 0xNN, \\ a
 * backslash, \" a double quote, \{N:TEXT} TEXT repeated N times (TEXT may
 * not contain '}'), e.g. "q=\{300:a}". (A NUL byte cannot be sent raw; use
 * %00.)
 *
 * Checks on the JSON body. PATH is a dotted path with [i] indexes
 * ("data.change.d1", "invalid_params[0].name", "data[2].id"); [*] applies
 * the check to every element of an array.
 *
 *   PATH=12.5        number, equal within a relative tolerance of 1e-9
 *   PATH~=12.5@0.01  number within an absolute tolerance
 *   PATH<N PATH<=N PATH>N PATH>=N   number comparisons
 *   PATH="text"      string, exactly
 *   PATH!=VALUE      anything but VALUE (number, "string", null, true, false)
 *   PATH=null  PATH=true  PATH=false
 *   PATH:TYPE        TYPE is object, array, number, string, null or bool
 *   PATH:exists  PATH:absent
 *   PATH#N           array (or object) with N elements
 *
 * Other checks and options:
 *
 *   header:NAME        the response has header NAME (case-insensitive)
 *   header:NAME=VALUE  ... with exactly this value
 *   header:NAME~TEXT   ... whose value contains TEXT
 *   !header:NAME       the response has no header NAME
 *   body~"TEXT"        the raw body contains TEXT
 *   send:NAME=VALUE    send this request header
 *   send-body="TEXT"   send TEXT as the request body (POST/PUT/PATCH send an
 *                      empty body by default)
 *   noproblem          skip the automatic problem+json check below
 *   noenvelope         skip the automatic envelope check below
 *
 * Every request carries "X-Request-Id: httpcheck-LINE" (LINE of the case in
 * its file), so server logs can be matched to cases, unless the case sends
 * its own with send:X-Request-Id=....
 *
 * Automatic checks: every answer with a body that claims JSON must be valid
 * UTF-8 and parse. Every 4xx/5xx answer to a non-HEAD request must be
 * application/problem+json whose "type" and "title" are non-empty strings
 * and whose "status" equals the HTTP status; invalid_params, when present,
 * is an array of {name, reason} strings. Every 2xx application/json answer
 * must be the envelope {"data": ..., "meta": {...}} with meta.request_id.
 *
 * --same mode ignores the checks and compares, for each case, the answers
 * of the two servers: status, Content-Type, Allow, and the body — as JSON
 * with meta.request_id and the problem's "instance" removed, or byte for
 * byte when it is not JSON. Both requests carry the same X-Request-Id.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cJSON.h>
#include <curl/curl.h>

#include "ms_param.h"

#define HC_LINE_MAX 65536          /* bytes of one case line */
#define HC_TARGET_MAX 65536        /* decoded request target */
#define HC_TOKENS_MAX 64           /* tokens of one case */
#define HC_BODY_MAX (8u << 20)     /* response body cap */
#define HC_HEADERS_MAX 65536       /* response header bytes */
#define HC_TIMEOUT_MS 5000L
#define HC_EXCERPT 300             /* body bytes quoted in a failure */
#define HC_ERR_MAX 4096            /* one case's failure text */

/* A growable byte buffer with a hard cap. */
struct hc_buf {
	char *p;
	size_t len, cap, max;
	int overflow;
};

/* One response. */
struct hc_resp {
	long status;
	char ctype[256];
	struct hc_buf body;
	struct hc_buf headers;  /* "Name: value\r\n" lines of the final response */
	char curl_err[CURL_ERROR_SIZE];
	int ok;                 /* the transfer completed */
};

/* One parsed case line. */
struct hc_case {
	const char *file;
	long line;
	char method[16];
	char *target;           /* decoded; malloc'd */
	char *display;          /* the target as written; malloc'd */
	long status;
	char *ctype;            /* NULL = do not check */
	char *tokens[HC_TOKENS_MAX];  /* checks, raw; malloc'd */
	size_t ntokens;
	struct curl_slist *send;      /* extra request headers */
	char *send_body;              /* malloc'd, NULL = none */
	size_t send_body_len;
	int noproblem, noenvelope;
};

/* Failure text of the current case, accumulated by hc_fail(). */
struct hc_err {
	char text[HC_ERR_MAX];
	size_t len;
	int n;
};

static int verbose;

static void
hc_fail(struct hc_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
hc_fail(struct hc_err *e, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (e->len + 3 >= sizeof(e->text))
		return;
	if (e->n > 0) {
		memcpy(e->text + e->len, "; ", 2);
		e->len += 2;
	}
	va_start(ap, fmt);
	w = vsnprintf(e->text + e->len, sizeof(e->text) - e->len, fmt, ap);
	va_end(ap);
	if (w > 0) {
		e->len += (size_t)w;
		if (e->len >= sizeof(e->text))
			e->len = sizeof(e->text) - 1;
	}
	e->text[e->len] = '\0';
	e->n++;
}

/* --- buffers ------------------------------------------------------------ */

static int
hc_buf_add(struct hc_buf *b, const char *p, size_t n)
{
	size_t ncap;
	char *np;

	if (b->len + n + 1 > b->max) {
		b->overflow = 1;
		return -1;
	}
	if (b->len + n + 1 > b->cap) {
		ncap = b->cap ? b->cap : 4096;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		if (ncap > b->max)
			ncap = b->max;
		np = realloc(b->p, ncap);
		if (np == NULL)
			return -1;
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static void
hc_buf_reset(struct hc_buf *b)
{
	b->len = 0;
	b->overflow = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

static void
hc_buf_free(struct hc_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* --- escapes and tokens ----------------------------------------------------- */

static int
hc_hexval(int c)
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
 * Decodes the escapes of s[0..n) (\xNN, \\, \", \{N:TEXT}) into a new
 * NUL-terminated string (caller frees); *outlen gets its length. Returns
 * NULL and sets *why on a bad escape. Quotes are not special here.
 */
static char *
hc_unescape(const char *s, size_t n, size_t *outlen, const char **why)
{
	struct hc_buf b = { NULL, 0, 0, HC_TARGET_MAX, 0 };
	size_t i = 0;
	char c;

	*why = NULL;
	if (hc_buf_add(&b, "", 0) < 0)
		goto oom;
	while (i < n) {
		if (s[i] != '\\') {
			if (hc_buf_add(&b, &s[i], 1) < 0)
				goto oom;
			i++;
			continue;
		}
		if (i + 1 >= n) {
			*why = "backslash at end";
			goto bad;
		}
		if (s[i + 1] == '\\' || s[i + 1] == '"') {
			if (hc_buf_add(&b, &s[i + 1], 1) < 0)
				goto oom;
			i += 2;
		} else if (s[i + 1] == 'x') {
			int hi, lo;

			if (i + 3 >= n) {
				*why = "short \\x escape";
				goto bad;
			}
			hi = hc_hexval((unsigned char)s[i + 2]);
			lo = hc_hexval((unsigned char)s[i + 3]);
			if (hi < 0 || lo < 0) {
				*why = "bad \\x escape";
				goto bad;
			}
			c = (char)(hi * 16 + lo);
			if (c == '\0') {
				*why = "\\x00 cannot be sent (use %00)";
				goto bad;
			}
			if (hc_buf_add(&b, &c, 1) < 0)
				goto oom;
			i += 4;
		} else if (s[i + 1] == '{') {
			const char *colon, *end, *p = s + i + 2;
			char *numend;
			long count, k;

			end = memchr(p, '}', n - (size_t)(p - s));
			colon = memchr(p, ':', end ? (size_t)(end - p) : 0);
			if (end == NULL || colon == NULL) {
				*why = "bad \\{N:TEXT} escape";
				goto bad;
			}
			errno = 0;
			count = strtol(p, &numend, 10);
			if (errno != 0 || numend != colon || count < 0 ||
			    count > HC_TARGET_MAX) {
				*why = "bad count in \\{N:TEXT}";
				goto bad;
			}
			for (k = 0; k < count; k++)
				if (hc_buf_add(&b, colon + 1,
				    (size_t)(end - colon - 1)) < 0)
					goto oom;
			i = (size_t)(end - s) + 1;
		} else {
			*why = "unknown backslash escape";
			goto bad;
		}
	}
	*outlen = b.len;
	return b.p;
oom:
	if (*why == NULL)
		*why = b.overflow ? "too long after escapes" : "out of memory";
bad:
	hc_buf_free(&b);
	return NULL;
}

/*
 * Splits line into blank-separated tokens; a "..." part may hold blanks and
 * \" (kept as written; hc_unescape decodes later). Tokens point into line,
 * which is modified. Returns the count or -1 on an unterminated quote or
 * too many tokens.
 */
static int
hc_tokenize(char *line, char **tok, int max)
{
	int n = 0, inq;
	char *p = line, *w;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '\n' || *p == '\r')
			return n;
		if (n == max)
			return -1;
		tok[n++] = p;
		inq = 0;
		w = p;
		while (*p != '\0' && (inq || (*p != ' ' && *p != '\t' &&
		    *p != '\n' && *p != '\r'))) {
			if (*p == '\\' && p[1] != '\0') {
				*w++ = *p++;
				*w++ = *p++;
				continue;
			}
			if (*p == '"')
				inq = !inq;
			*w++ = *p++;
		}
		if (inq)
			return -1;
		if (*p != '\0')
			p++;
		*w = '\0';
	}
}

/*
 * Turns a value token into a string: "..." is unquoted and unescaped,
 * anything else is taken as written (unescaped). Caller frees.
 */
static char *
hc_string_value(const char *v, size_t *len, const char **why)
{
	size_t n = strlen(v);

	if (n >= 2 && v[0] == '"' && v[n - 1] == '"')
		return hc_unescape(v + 1, n - 2, len, why);
	return hc_unescape(v, n, len, why);
}

/* --- case parsing ----------------------------------------------------------- */

static void
hc_case_free(struct hc_case *c)
{
	size_t i;

	free(c->target);
	free(c->display);
	free(c->ctype);
	for (i = 0; i < c->ntokens; i++)
		free(c->tokens[i]);
	curl_slist_free_all(c->send);
	free(c->send_body);
	memset(c, 0, sizeof(*c));
}

static char *
hc_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d != NULL)
		memcpy(d, s, n);
	return d;
}

static int
hc_is_ctype(const char *t)
{
	const char *slash;

	if (strcmp(t, "-") == 0)
		return 1;
	slash = strchr(t, '/');
	if (slash == NULL || slash == t)
		return 0;
	for (; *t != '\0'; t++)
		if (!(isalnum((unsigned char)*t) || strchr("/.+-", *t) != NULL))
			return 0;
	return 1;
}

/*
 * Parses one non-empty case line into c. Returns 0, or -1 with *why set.
 */
static int
hc_case_parse(char *line, struct hc_case *c, const char **why)
{
	char *tok[HC_TOKENS_MAX];
	int n, i = 0;
	size_t len;
	char *end;
	static const char *const methods[] = { "GET", "HEAD", "POST", "PUT",
	    "DELETE", "OPTIONS", "PATCH", NULL };
	const char *const *m;

	n = hc_tokenize(line, tok, HC_TOKENS_MAX);
	if (n < 0) {
		*why = "unterminated quote or too many tokens";
		return -1;
	}
	if (n < 3) {
		*why = "need METHOD TARGET STATUS";
		return -1;
	}
	for (m = methods; *m != NULL; m++)
		if (strcmp(*m, tok[0]) == 0)
			break;
	if (*m == NULL) {
		*why = "unknown method";
		return -1;
	}
	memcpy(c->method, *m, strlen(*m) + 1);
	c->display = hc_strdup(tok[1]);
	c->target = hc_unescape(tok[1], strlen(tok[1]), &len, why);
	if (c->display == NULL || c->target == NULL)
		return -1;
	if (strlen(c->target) != len || len == 0) {
		*why = "empty target";
		return -1;
	}
	errno = 0;
	c->status = strtol(tok[2], &end, 10);
	if (errno != 0 || *end != '\0' || c->status < 100 || c->status > 599) {
		*why = "bad status";
		return -1;
	}
	i = 3;
	if (i < n && hc_is_ctype(tok[i])) {
		if (strcmp(tok[i], "-") != 0 &&
		    (c->ctype = hc_strdup(tok[i])) == NULL)
			return -1;
		i++;
	}
	for (; i < n; i++) {
		if (strcmp(tok[i], "noproblem") == 0) {
			c->noproblem = 1;
		} else if (strcmp(tok[i], "noenvelope") == 0) {
			c->noenvelope = 1;
		} else if (strncmp(tok[i], "send:", 5) == 0) {
			char *eq = strchr(tok[i] + 5, '='), *val, *hdr;
			size_t vlen, nlen;
			struct curl_slist *ns;

			if (eq == NULL || eq == tok[i] + 5) {
				*why = "send:NAME=VALUE";
				return -1;
			}
			if ((val = hc_string_value(eq + 1, &vlen, why)) == NULL)
				return -1;
			nlen = (size_t)(eq - tok[i] - 5);
			hdr = malloc(nlen + vlen + 3);
			if (hdr == NULL) {
				free(val);
				return -1;
			}
			memcpy(hdr, tok[i] + 5, nlen);
			memcpy(hdr + nlen, ": ", 2);
			memcpy(hdr + nlen + 2, val, vlen + 1);
			free(val);
			ns = curl_slist_append(c->send, hdr);
			free(hdr);
			if (ns == NULL)
				return -1;
			c->send = ns;
		} else if (strncmp(tok[i], "send-body=", 10) == 0) {
			free(c->send_body);
			c->send_body = hc_string_value(tok[i] + 10,
			    &c->send_body_len, why);
			if (c->send_body == NULL)
				return -1;
		} else {
			if (c->ntokens == HC_TOKENS_MAX) {
				*why = "too many checks";
				return -1;
			}
			if ((c->tokens[c->ntokens] = hc_strdup(tok[i])) == NULL)
				return -1;
			c->ntokens++;
		}
	}
	return 0;
}

/* --- HTTP --------------------------------------------------------------------- */

static size_t
hc_write_cb(char *p, size_t size, size_t nmemb, void *ud)
{
	struct hc_buf *b = ud;

	if (hc_buf_add(b, p, size * nmemb) < 0)
		return 0;  /* aborts the transfer */
	return size * nmemb;
}

static size_t
hc_header_cb(char *p, size_t size, size_t nmemb, void *ud)
{
	struct hc_buf *b = ud;
	size_t n = size * nmemb;

	/* A new status line (after 1xx or a redirect) starts a new set. */
	if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		hc_buf_reset(b);
		return n;
	}
	if (hc_buf_add(b, p, n) < 0)
		return 0;
	return n;
}

static void
hc_resp_init(struct hc_resp *r)
{
	memset(r, 0, sizeof(*r));
	r->body.max = HC_BODY_MAX;
	r->headers.max = HC_HEADERS_MAX;
}

static void
hc_resp_free(struct hc_resp *r)
{
	hc_buf_free(&r->body);
	hc_buf_free(&r->headers);
}

/*
 * Sends case c to base (scheme://host:port) and fills r. request_id, if not
 * NULL, is sent as X-Request-Id. Returns 0 when an HTTP answer arrived.
 */
static int
hc_request(CURL *h, const char *base, const struct hc_case *c,
    const char *request_id, struct hc_resp *r)
{
	struct curl_slist *hdrs = NULL, *s, *ns;
	char idhdr[256];
	const char *ct = NULL;
	CURLcode rc;

	hc_resp_init(r);
	curl_easy_reset(h);
	ns = curl_slist_append(hdrs, "Expect:");
	if (ns == NULL)
		goto oom;
	hdrs = ns;
	for (s = c->send; s != NULL; s = s->next)
		if (strncasecmp(s->data, "X-Request-Id:", 13) == 0)
			request_id = NULL;  /* the case sends its own */
	if (request_id != NULL) {
		snprintf(idhdr, sizeof(idhdr), "X-Request-Id: %s", request_id);
		if ((ns = curl_slist_append(hdrs, idhdr)) == NULL)
			goto oom;
		hdrs = ns;
	}
	for (s = c->send; s != NULL; s = s->next) {
		if ((ns = curl_slist_append(hdrs, s->data)) == NULL)
			goto oom;
		hdrs = ns;
	}
	curl_easy_setopt(h, CURLOPT_URL, base);
	curl_easy_setopt(h, CURLOPT_REQUEST_TARGET, c->target);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, HC_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, HC_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "moonscope-httpcheck/1");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, hc_write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, hc_header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &r->headers);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->curl_err);
	if (strcmp(c->method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (strcmp(c->method, "POST") == 0 ||
	    strcmp(c->method, "PUT") == 0 || strcmp(c->method, "PATCH") == 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c->method);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE,
		    (long)(c->send_body ? c->send_body_len : 0));
		curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS,
		    c->send_body ? c->send_body : "");
	} else if (strcmp(c->method, "GET") != 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c->method);
	}
	rc = curl_easy_perform(h);
	curl_slist_free_all(hdrs);
	if (rc != CURLE_OK) {
		if (r->curl_err[0] == '\0')
			snprintf(r->curl_err, sizeof(r->curl_err), "%s",
			    curl_easy_strerror(rc));
		if (r->body.overflow)
			snprintf(r->curl_err, sizeof(r->curl_err),
			    "body larger than %u bytes", HC_BODY_MAX);
		return -1;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
	    ct != NULL)
		snprintf(r->ctype, sizeof(r->ctype), "%s", ct);
	r->ok = 1;
	return 0;
oom:
	curl_slist_free_all(hdrs);
	snprintf(r->curl_err, sizeof(r->curl_err), "out of memory");
	return -1;
}

/*
 * Finds response header name; copies its value (trimmed) into out. Returns
 * 1 if found.
 */
static int
hc_header(const struct hc_resp *r, const char *name, char *out, size_t outlen)
{
	const char *p = r->headers.p, *eol, *colon, *v;
	size_t nlen = strlen(name), vlen;

	if (p == NULL)
		return 0;
	while (*p != '\0') {
		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon != NULL && (size_t)(colon - p) == nlen &&
		    strncasecmp(p, name, nlen) == 0) {
			v = colon + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			vlen = (size_t)(eol - v);
			while (vlen > 0 && (v[vlen - 1] == '\r' ||
			    v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
				vlen--;
			if (vlen >= outlen)
				vlen = outlen - 1;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return 1;
		}
		p = *eol ? eol + 1 : eol;
	}
	return 0;
}

/* --- JSON checks -------------------------------------------------------------- */

/* Parses a whole body as JSON (trailing blanks allowed); NULL if it is not. */
static cJSON *
hc_parse_json(const struct hc_buf *b)
{
	const char *end = NULL;
	cJSON *j;

	if (b->p == NULL || b->len == 0)
		return NULL;
	j = cJSON_ParseWithLengthOpts(b->p, b->len, &end, 0);
	if (j == NULL)
		return NULL;
	while (end != NULL && end < b->p + b->len && isspace((unsigned char)*end))
		end++;
	if (end != b->p + b->len) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

enum hc_op {
	HC_EQ_NUM, HC_APPROX, HC_LT, HC_LE, HC_GT, HC_GE, HC_EQ_STR,
	HC_EQ_NULL, HC_EQ_TRUE, HC_EQ_FALSE, HC_TYPE, HC_EXISTS, HC_ABSENT,
	HC_LEN
};

struct hc_assert {
	const char *token;   /* as written, for messages */
	char path[512];
	enum hc_op op;
	double num, tol;
	char *str;           /* HC_EQ_STR (malloc'd), HC_TYPE name */
	size_t len;
	int negate;          /* PATH!=VALUE */
};

static int
hc_parse_number(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno == 0 && end != s && *end == '\0' && isfinite(*out) ? 0 : -1;
}

/* Parses a JSON check token. Returns 0, or -1 with *why. */
static int
hc_assert_parse(const char *tok, struct hc_assert *a, const char **why)
{
	size_t plen = 0;
	const char *op;
	char *end;

	memset(a, 0, sizeof(*a));
	a->token = tok;
	while (tok[plen] != '\0' && (isalnum((unsigned char)tok[plen]) ||
	    strchr("_-.[]*", tok[plen]) != NULL))
		plen++;
	if (plen == 0 || plen >= sizeof(a->path)) {
		*why = "unknown check";
		return -1;
	}
	memcpy(a->path, tok, plen);
	a->path[plen] = '\0';
	op = tok + plen;
	if (op[0] == '!' && op[1] == '=') {
		a->negate = 1;
		op++;
	}
	if (op[0] == '=') {
		const char *v = op + 1;

		if (strcmp(v, "null") == 0)
			a->op = HC_EQ_NULL;
		else if (strcmp(v, "true") == 0)
			a->op = HC_EQ_TRUE;
		else if (strcmp(v, "false") == 0)
			a->op = HC_EQ_FALSE;
		else if (v[0] == '"') {
			a->op = HC_EQ_STR;
			if ((a->str = hc_string_value(v, &a->len, why)) == NULL)
				return -1;
		} else if (hc_parse_number(v, &a->num) == 0)
			a->op = HC_EQ_NUM;
		else {
			*why = "value must be a number, \"string\", null, true or false";
			return -1;
		}
	} else if (op[0] == '~' && op[1] == '=') {
		const char *at = strchr(op, '@');
		char numbuf[128];
		size_t nlen;

		if (at == NULL || (nlen = (size_t)(at - op - 2)) >= sizeof(numbuf)) {
			*why = "approximate check is PATH~=NUMBER@TOLERANCE";
			return -1;
		}
		memcpy(numbuf, op + 2, nlen);
		numbuf[nlen] = '\0';
		if (hc_parse_number(numbuf, &a->num) < 0 ||
		    hc_parse_number(at + 1, &a->tol) < 0 || a->tol < 0) {
			*why = "bad number in approximate check";
			return -1;
		}
		a->op = HC_APPROX;
	} else if (op[0] == '<' || op[0] == '>') {
		int eq = op[1] == '=';

		a->op = op[0] == '<' ? (eq ? HC_LE : HC_LT) : (eq ? HC_GE : HC_GT);
		if (hc_parse_number(op + 1 + eq, &a->num) < 0) {
			*why = "bad number in comparison";
			return -1;
		}
	} else if (op[0] == ':') {
		static const char *const types[] = { "object", "array",
		    "number", "string", "null", "bool", NULL };
		const char *const *t;

		if (strcmp(op + 1, "exists") == 0) {
			a->op = HC_EXISTS;
			return 0;
		}
		if (strcmp(op + 1, "absent") == 0) {
			a->op = HC_ABSENT;
			return 0;
		}
		for (t = types; *t != NULL; t++)
			if (strcmp(*t, op + 1) == 0)
				break;
		if (*t == NULL) {
			*why = "unknown type";
			return -1;
		}
		a->op = HC_TYPE;
		a->str = hc_strdup(op + 1);
		if (a->str == NULL)
			return -1;
	} else if (op[0] == '#') {
		long n;

		errno = 0;
		n = strtol(op + 1, &end, 10);
		if (errno != 0 || end == op + 1 || *end != '\0' || n < 0) {
			*why = "bad length";
			return -1;
		}
		a->op = HC_LEN;
		a->len = (size_t)n;
	} else {
		*why = "unknown check";
		return -1;
	}
	return 0;
}

static const char *
hc_type_name(const cJSON *j)
{
	if (cJSON_IsObject(j))
		return "object";
	if (cJSON_IsArray(j))
		return "array";
	if (cJSON_IsNumber(j))
		return "number";
	if (cJSON_IsString(j))
		return "string";
	if (cJSON_IsNull(j))
		return "null";
	if (cJSON_IsBool(j))
		return "bool";
	return "invalid";
}

/* Renders j briefly into out for messages. */
static void
hc_render(const cJSON *j, char *out, size_t outlen)
{
	char *s;

	if (j == NULL) {
		snprintf(out, outlen, "(missing)");
		return;
	}
	s = cJSON_PrintUnformatted(j);
	snprintf(out, outlen, "%.120s%s", s ? s : "?",
	    s && strlen(s) > 120 ? "..." : "");
	free(s);
}

static int
hc_num_eq(double a, double b)
{
	double m = fabs(a) > fabs(b) ? fabs(a) : fabs(b);

	return a == b || fabs(a - b) <= 1e-9 * m;
}

/* Checks the leaf j (NULL = missing) against a; 0 = pass. */
static int
hc_check_leaf(const cJSON *j, const struct hc_assert *a, const char *at,
    struct hc_err *e)
{
	char got[160];
	int ok = 0;

	if (a->op == HC_ABSENT) {
		if (j == NULL)
			return 0;
		hc_render(j, got, sizeof(got));
		hc_fail(e, "%s: expected absent, got %s", at, got);
		return -1;
	}
	if (j == NULL) {
		hc_fail(e, "%s: missing (check %s)", at, a->token);
		return -1;
	}
	switch (a->op) {
	case HC_EXISTS:
		ok = 1;
		break;
	case HC_EQ_NUM:
		ok = cJSON_IsNumber(j) && hc_num_eq(j->valuedouble, a->num);
		break;
	case HC_APPROX:
		ok = cJSON_IsNumber(j) && fabs(j->valuedouble - a->num) <= a->tol;
		break;
	case HC_LT:
		ok = cJSON_IsNumber(j) && j->valuedouble < a->num;
		break;
	case HC_LE:
		ok = cJSON_IsNumber(j) && j->valuedouble <= a->num;
		break;
	case HC_GT:
		ok = cJSON_IsNumber(j) && j->valuedouble > a->num;
		break;
	case HC_GE:
		ok = cJSON_IsNumber(j) && j->valuedouble >= a->num;
		break;
	case HC_EQ_STR:
		ok = cJSON_IsString(j) && j->valuestring != NULL &&
		    strlen(j->valuestring) == a->len &&
		    memcmp(j->valuestring, a->str, a->len) == 0;
		break;
	case HC_EQ_NULL:
		ok = cJSON_IsNull(j);
		break;
	case HC_EQ_TRUE:
		ok = cJSON_IsTrue(j);
		break;
	case HC_EQ_FALSE:
		ok = cJSON_IsFalse(j);
		break;
	case HC_TYPE:
		ok = strcmp(hc_type_name(j), a->str) == 0;
		break;
	case HC_LEN:
		ok = (cJSON_IsArray(j) || cJSON_IsObject(j)) &&
		    (size_t)cJSON_GetArraySize(j) == a->len;
		break;
	case HC_ABSENT:
		break;
	}
	if (a->negate)
		ok = !ok;
	if (ok)
		return 0;
	hc_render(j, got, sizeof(got));
	if (a->op == HC_LEN && (cJSON_IsArray(j) || cJSON_IsObject(j)))
		hc_fail(e, "%s: expected %zu elements, got %d", at, a->len,
		    cJSON_GetArraySize(j));
	else
		hc_fail(e, "%s: check %s failed, got %s", at, a->token, got);
	return -1;
}

/*
 * Walks path (the part of a->path still to resolve) from j and checks the
 * leaf or leaves. `at` is the path resolved so far, for messages.
 */
static int
hc_eval(const cJSON *j, const char *path, const struct hc_assert *a,
    const char *at, struct hc_err *e)
{
	char here[600], name[256];
	size_t n;

	if (*path == '.')
		path++;
	if (*path == '\0')
		return hc_check_leaf(j, a, at[0] ? at : "(root)", e);
	if (j == NULL)
		return a->op == HC_ABSENT ? 0 :
		    hc_check_leaf(NULL, a, at[0] ? at : "(root)", e);
	if (*path == '[') {
		const char *close = strchr(path, ']');
		char *end;
		long idx;

		if (close == NULL) {
			hc_fail(e, "bad path in %s", a->token);
			return -1;
		}
		if (path[1] == '*' && close == path + 2) {
			const cJSON *it;
			int rc = 0, k = 0;

			if (!cJSON_IsArray(j)) {
				hc_fail(e, "%s: not an array (check %s)", at,
				    a->token);
				return -1;
			}
			cJSON_ArrayForEach(it, j) {
				snprintf(here, sizeof(here), "%s[%d]", at, k++);
				if (hc_eval(it, close + 1, a, here, e) < 0) {
					rc = -1;
					break;  /* one failure per check is enough */
				}
			}
			return rc;
		}
		errno = 0;
		idx = strtol(path + 1, &end, 10);
		if (errno != 0 || end != close || idx < 0 || idx > 1000000) {
			hc_fail(e, "bad index in %s", a->token);
			return -1;
		}
		snprintf(here, sizeof(here), "%s[%ld]", at, idx);
		return hc_eval(cJSON_IsArray(j) ? cJSON_GetArrayItem(j, (int)idx)
		    : NULL, close + 1, a, here, e);
	}
	n = strcspn(path, ".[");
	if (n >= sizeof(name)) {
		hc_fail(e, "bad path in %s", a->token);
		return -1;
	}
	memcpy(name, path, n);
	name[n] = '\0';
	snprintf(here, sizeof(here), "%s%s%s", at, at[0] ? "." : "", name);
	return hc_eval(cJSON_IsObject(j) ?
	    cJSON_GetObjectItemCaseSensitive(j, name) : NULL, path + n, a,
	    here, e);
}

/* Checks a problem+json body against the HTTP status. */
static void
hc_check_problem(const cJSON *doc, long status, struct hc_err *e)
{
	const cJSON *type, *title, *st, *ip, *it;

	if (!cJSON_IsObject(doc)) {
		hc_fail(e, "problem body is not a JSON object");
		return;
	}
	type = cJSON_GetObjectItemCaseSensitive(doc, "type");
	title = cJSON_GetObjectItemCaseSensitive(doc, "title");
	st = cJSON_GetObjectItemCaseSensitive(doc, "status");
	if (!cJSON_IsString(type) || type->valuestring[0] == '\0')
		hc_fail(e, "problem: type missing");
	if (!cJSON_IsString(title) || title->valuestring[0] == '\0')
		hc_fail(e, "problem: title missing");
	if (!cJSON_IsNumber(st) || st->valuedouble != (double)status)
		hc_fail(e, "problem: status does not match HTTP %ld", status);
	ip = cJSON_GetObjectItemCaseSensitive(doc, "invalid_params");
	if (ip != NULL) {
		if (!cJSON_IsArray(ip)) {
			hc_fail(e, "problem: invalid_params is not an array");
			return;
		}
		cJSON_ArrayForEach(it, ip) {
			if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(it,
			    "name")) || !cJSON_IsString(
			    cJSON_GetObjectItemCaseSensitive(it, "reason"))) {
				hc_fail(e, "problem: invalid_params entry "
				    "without name/reason strings");
				return;
			}
		}
	}
}

static int
hc_starts_with(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* Checks header tokens (header:..., !header:...). Returns 1 if tok is one. */
static int
hc_check_header_token(const char *tok, const struct hc_resp *r,
    struct hc_err *e)
{
	char name[128], val[1024];
	const char *p;
	size_t n;
	int neg = 0;

	if (tok[0] == '!') {
		neg = 1;
		tok++;
	}
	if (strncmp(tok, "header:", 7) != 0)
		return 0;
	p = tok + 7;
	n = strcspn(p, "=~");
	if (n == 0 || n >= sizeof(name)) {
		hc_fail(e, "bad header check %s", tok);
		return 1;
	}
	memcpy(name, p, n);
	name[n] = '\0';
	if (neg) {
		if (hc_header(r, name, val, sizeof(val)))
			hc_fail(e, "header %s present (%s), expected absent",
			    name, val);
		return 1;
	}
	if (!hc_header(r, name, val, sizeof(val))) {
		hc_fail(e, "header %s missing", name);
		return 1;
	}
	if (p[n] != '\0') {
		const char *why = NULL;
		size_t wlen;
		char *want = hc_string_value(p + n + 1, &wlen, &why);

		if (want == NULL) {
			hc_fail(e, "bad header check %s: %s", tok,
			    why ? why : "?");
			return 1;
		}
		if (p[n] == '=' ? strcmp(val, want) != 0 :
		    strstr(val, want) == NULL)
			hc_fail(e, "header %s is \"%s\", expected %s \"%s\"",
			    name, val, p[n] == '=' ? "exactly" : "to contain",
			    want);
		free(want);
	}
	return 1;
}

/* Runs every check of case c against response r; failures go to e. */
static void
hc_check_case(const struct hc_case *c, const struct hc_resp *r,
    struct hc_err *e)
{
	cJSON *doc = NULL;
	int is_json, is_problem, head = strcmp(c->method, "HEAD") == 0;
	size_t i;

	if (r->status != c->status)
		hc_fail(e, "status %ld, expected %ld", r->status, c->status);
	if (c->ctype != NULL && !hc_starts_with(r->ctype, c->ctype))
		hc_fail(e, "Content-Type \"%s\", expected \"%s\"", r->ctype,
		    c->ctype);
	is_problem = hc_starts_with(r->ctype, "application/problem+json");
	is_json = is_problem || hc_starts_with(r->ctype, "application/json");
	if (head && r->body.len > 0)
		hc_fail(e, "HEAD answer has a body");
	if (is_json && !head) {
		if (!ms_utf8_valid(r->body.p, r->body.len))
			hc_fail(e, "body is not valid UTF-8");
		if ((doc = hc_parse_json(&r->body)) == NULL)
			hc_fail(e, "body is not valid JSON");
	}
	if (r->status >= 400 && !head && !c->noproblem) {
		if (!is_problem)
			hc_fail(e, "error answer is not application/problem+json "
			    "(Content-Type \"%s\")", r->ctype);
		else if (doc != NULL)
			hc_check_problem(doc, r->status, e);
	}
	if (r->status >= 200 && r->status < 300 && !head && !c->noenvelope &&
	    hc_starts_with(r->ctype, "application/json") && doc != NULL) {
		const cJSON *meta = cJSON_GetObjectItemCaseSensitive(doc, "meta");

		if (cJSON_GetObjectItemCaseSensitive(doc, "data") == NULL)
			hc_fail(e, "envelope: no \"data\"");
		if (!cJSON_IsObject(meta))
			hc_fail(e, "envelope: no \"meta\" object");
		else if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(meta,
		    "request_id")))
			hc_fail(e, "envelope: no meta.request_id");
	}
	for (i = 0; i < c->ntokens; i++) {
		const char *tok = c->tokens[i];
		struct hc_assert a;
		const char *why = NULL;

		if (hc_check_header_token(tok, r, e))
			continue;
		if (strncmp(tok, "body~", 5) == 0) {
			size_t wlen;
			char *want = hc_string_value(tok + 5, &wlen, &why);

			if (want == NULL)
				hc_fail(e, "bad check %s: %s", tok, why ? why : "?");
			else if (r->body.p == NULL || strstr(r->body.p, want) == NULL)
				hc_fail(e, "body does not contain \"%s\"", want);
			free(want);
			continue;
		}
		if (hc_assert_parse(tok, &a, &why) < 0) {
			hc_fail(e, "bad check %s: %s", tok, why ? why : "?");
			free(a.str);
			continue;
		}
		if (doc == NULL)
			hc_fail(e, "check %s: no JSON body", tok);
		else
			hc_eval(doc, a.path, &a, "", e);
		free(a.str);
	}
	cJSON_Delete(doc);
}

/* --- output ------------------------------------------------------------------- */

/* Prints up to HC_EXCERPT bytes of b, escaping what is not printable. */
static void
hc_print_excerpt(const struct hc_buf *b)
{
	size_t i, n = b->len < HC_EXCERPT ? b->len : HC_EXCERPT;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)b->p[i];

		if (ch == '\n')
			fputs("\\n", stdout);
		else if (ch < 0x20 || ch >= 0x7f)
			printf("\\x%02x", ch);
		else
			putchar(ch);
	}
	if (b->len > n)
		fputs("...", stdout);
}

/* --- drivers ------------------------------------------------------------------ */

struct hc_stats {
	long passed, failed;
};

/*
 * Reads one case file and calls run() for each case. Unparseable lines
 * count as failures.
 */
struct hc_ctx {
	const char *base[2];    /* server A (and B with --same) */
};

typedef void (*hc_run_fn)(CURL *h, const struct hc_case *c,
    const struct hc_ctx *ctx, struct hc_stats *st);

static void
hc_run_file(CURL *h, const char *path, hc_run_fn run,
    const struct hc_ctx *ctx, struct hc_stats *st)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;

	if (f == NULL) {
		printf("FAIL %s: cannot open: %s\n", path, strerror(errno));
		st->failed++;
		return;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		struct hc_case c;
		const char *why = NULL;
		char *p = line;

		lineno++;
		if (n > HC_LINE_MAX) {
			printf("FAIL %s:%ld: line longer than %d bytes\n", path,
			    lineno, HC_LINE_MAX);
			st->failed++;
			continue;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '\n' || *p == '\r' || *p == '#')
			continue;
		memset(&c, 0, sizeof(c));
		c.file = path;
		c.line = lineno;
		if (hc_case_parse(p, &c, &why) < 0) {
			printf("FAIL %s:%ld: bad case: %s\n", path, lineno,
			    why ? why : "out of memory");
			st->failed++;
		} else {
			run(h, &c, ctx, st);
		}
		hc_case_free(&c);
	}
	free(line);
	fclose(f);
}

static void
hc_run_check(CURL *h, const struct hc_case *c, const struct hc_ctx *ctx,
    struct hc_stats *st)
{
	const char *base = ctx->base[0];
	struct hc_resp r;
	struct hc_err e;
	char rid[64];

	memset(&e, 0, sizeof(e));
	snprintf(rid, sizeof(rid), "httpcheck-%ld", c->line);
	if (hc_request(h, base, c, rid, &r) < 0)
		hc_fail(&e, "no answer: %s", r.curl_err);
	else
		hc_check_case(c, &r, &e);
	if (e.n > 0) {
		printf("FAIL %s:%ld: %s %s: %s", c->file, c->line, c->method,
		    c->display, e.text);
		if (r.body.len > 0) {
			fputs(" | body: ", stdout);
			hc_print_excerpt(&r.body);
		}
		putchar('\n');
		st->failed++;
	} else {
		if (verbose)
			printf("PASS %s:%ld: %s %s -> %ld\n", c->file, c->line,
			    c->method, c->display, r.status);
		st->passed++;
	}
	hc_resp_free(&r);
}

/* Removes what legitimately differs between two answers to one request. */
static void
hc_strip_volatile(cJSON *doc)
{
	cJSON *meta;

	if (!cJSON_IsObject(doc))
		return;
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "instance");
	meta = cJSON_GetObjectItemCaseSensitive(doc, "meta");
	if (cJSON_IsObject(meta))
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "request_id");
}

/*
 * Finds the first place where a and b differ; writes its path into path
 * (cap bytes; starts as the path of a and b) and returns 1, or returns 0
 * when they are equal.
 */
static int
hc_json_diff(const cJSON *a, const cJSON *b, char *path, size_t cap)
{
	size_t len = strlen(path);
	const cJSON *x;
	int i, na, nb;

	if (strcmp(hc_type_name(a), hc_type_name(b)) != 0)
		return 1;
	if (cJSON_IsObject(a)) {
		cJSON_ArrayForEach(x, a) {
			snprintf(path + len, cap - len, "%s%s", len ? "." : "",
			    x->string);
			if (hc_json_diff(x, cJSON_GetObjectItemCaseSensitive(b,
			    x->string), path, cap))
				return 1;
		}
		cJSON_ArrayForEach(x, b) {
			if (cJSON_GetObjectItemCaseSensitive(a, x->string) == NULL) {
				snprintf(path + len, cap - len, "%s%s",
				    len ? "." : "", x->string);
				return 1;
			}
		}
		path[len] = '\0';
		return 0;
	}
	if (cJSON_IsArray(a)) {
		na = cJSON_GetArraySize(a);
		nb = cJSON_GetArraySize(b);
		if (na != nb) {
			snprintf(path + len, cap - len, "#");
			return 1;
		}
		for (i = 0; i < na; i++) {
			snprintf(path + len, cap - len, "[%d]", i);
			if (hc_json_diff(cJSON_GetArrayItem(a, i),
			    cJSON_GetArrayItem(b, i), path, cap))
				return 1;
		}
		path[len] = '\0';
		return 0;
	}
	return !cJSON_Compare(a, b, 1);
}

static void
hc_run_same(CURL *h, const struct hc_case *c, const struct hc_ctx *ctx,
    struct hc_stats *st)
{
	const char *const *bases = ctx->base;
	struct hc_resp a, b;
	struct hc_err e;
	char rid[64], allow_a[256], allow_b[256];
	cJSON *ja, *jb;
	int ha, hb;

	memset(&e, 0, sizeof(e));
	snprintf(rid, sizeof(rid), "httpcheck-same-%ld", c->line);
	if (hc_request(h, bases[0], c, rid, &a) < 0)
		hc_fail(&e, "A: no answer: %s", a.curl_err);
	if (hc_request(h, bases[1], c, rid, &b) < 0)
		hc_fail(&e, "B: no answer: %s", b.curl_err);
	if (a.ok && b.ok) {
		if (a.status != b.status)
			hc_fail(&e, "status A %ld, B %ld", a.status, b.status);
		if (strcasecmp(a.ctype, b.ctype) != 0)
			hc_fail(&e, "Content-Type A \"%s\", B \"%s\"", a.ctype,
			    b.ctype);
		ha = hc_header(&a, "Allow", allow_a, sizeof(allow_a));
		hb = hc_header(&b, "Allow", allow_b, sizeof(allow_b));
		if (ha != hb || (ha && strcmp(allow_a, allow_b) != 0))
			hc_fail(&e, "Allow A \"%s\", B \"%s\"", ha ? allow_a : "",
			    hb ? allow_b : "");
		ja = hc_parse_json(&a.body);
		jb = hc_parse_json(&b.body);
		if (ja != NULL && jb != NULL) {
			hc_strip_volatile(ja);
			hc_strip_volatile(jb);
			char where[512] = "";

			if (hc_json_diff(ja, jb, where, sizeof(where)))
				hc_fail(&e, "JSON bodies differ at %s",
				    where[0] ? where : "(root)");
		} else if (a.body.len != b.body.len || (a.body.len > 0 &&
		    memcmp(a.body.p, b.body.p, a.body.len) != 0)) {
			hc_fail(&e, "bodies differ");
		}
		cJSON_Delete(ja);
		cJSON_Delete(jb);
	}
	if (e.n > 0) {
		printf("FAIL %s:%ld: %s %s: %s | A: ", c->file, c->line,
		    c->method, c->display, e.text);
		hc_print_excerpt(&a.body);
		fputs(" | B: ", stdout);
		hc_print_excerpt(&b.body);
		putchar('\n');
		st->failed++;
	} else {
		if (verbose)
			printf("SAME %s:%ld: %s %s -> %ld\n", c->file, c->line,
			    c->method, c->display, a.status);
		st->passed++;
	}
	hc_resp_free(&a);
	hc_resp_free(&b);
}

static void
hc_usage(void)
{
	fputs("usage: httpcheck [-v] BASE_URL CASEFILE...\n"
	    "       httpcheck --same [-v] BASE_URL_A BASE_URL_B CASEFILE...\n",
	    stderr);
}

int
main(int argc, char **argv)
{
	struct hc_stats st = { 0, 0 };
	struct hc_ctx ctx;
	int i = 1, same = 0, nbases;
	CURL *h;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--same") == 0)
			same = 1;
		else if (strcmp(argv[i], "-v") == 0)
			verbose = 1;
		else {
			hc_usage();
			return 2;
		}
	}
	nbases = same ? 2 : 1;
	if (argc - i < nbases + 1) {
		hc_usage();
		return 2;
	}
	ctx.base[0] = argv[i++];
	ctx.base[1] = same ? argv[i++] : NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (h = curl_easy_init()) == NULL) {
		fputs("httpcheck: cannot initialise libcurl\n", stderr);
		return 2;
	}
	/* The same handle keeps the connection alive between cases, which is
	 * how real clients talk to the servers too. */
	for (; i < argc; i++)
		hc_run_file(h, argv[i], same ? hc_run_same : hc_run_check,
		    &ctx, &st);
	curl_easy_cleanup(h);
	curl_global_cleanup();
	printf("%ld passed, %ld failed\n", st.passed, st.failed);
	return st.failed > 0 ? 1 : 0;
}
