/*
 * ms_upstream.c — the polite libcurl client of ms_upstream.h: one easy
 * handle reused for every request of a run (keep-alive), a sliding-window
 * request budget, Retry-After and backoff waits that a signal can cut
 * short, a body cap enforced while the bytes arrive, and a parser for
 * untrusted JSON bodies. The policy itself is described in ms_upstream.h
 * and docs/ingest.md.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "ms_buf.h"
#include "ms_error.h"
#include "ms_upstream.h"

#ifndef MS_VERSION
#define MS_VERSION "0.0.0"
#endif

#define HDR_VALUE_MAX 256
#define EXCERPT_MAX 160
/* Waits sleep in slices this long so a signal is noticed quickly. */
#define SLEEP_SLICE 0.05

struct ms_upstream {
	CURL *curl;
	struct curl_slist *headers;
	char base[MS_UPSTREAM_URL_MAX + 1];
	struct ms_upstream_opts o;
	double deadline;            /* monotonic seconds */
	double *ring;               /* start times of the last requests */
	size_t ring_n, ring_head;
	FILE *reqlog;
	uint64_t rng;
	struct ms_upstream_stats st;
	/* The current response. */
	struct ms_buf body;
	int over_cap;
	char retry_after[HDR_VALUE_MAX];
	char location[HDR_VALUE_MAX];
	char curl_err[CURL_ERROR_SIZE];
};

static double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
epoch_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* splitmix64: jitter only, not cryptographic. */
static uint64_t
rng_next(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static double
rng_u01(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) / 9007199254740992.0;
}

void
ms_upstream_defaults(struct ms_upstream_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->base_url = MS_UPSTREAM_DEFAULT_URL;
	o->key_kind = MS_KEY_NONE;
	o->per_minute = 25;
	o->window = 60;
	o->retry_after_default = 60;
	o->max_retries = 5;
	o->backoff_base = 2;
	o->backoff_max = 60;
	o->max_run_seconds = 3600;
	o->connect_timeout = 10;
	o->timeout = 60;
	o->max_body = MS_UPSTREAM_DEFAULT_BODY_MAX;
}

int
ms_upstream_check_url(const char *url, char *err, size_t errlen)
{
	size_t n, skip;
	const char *host;

	if (url == NULL || url[0] == '\0') {
		snprintf(err, errlen, "the base URL is empty");
		return MS_ERR_INVALID;
	}
	n = strlen(url);
	if (n > MS_UPSTREAM_URL_MAX) {
		snprintf(err, errlen, "the base URL is longer than %d bytes",
		    MS_UPSTREAM_URL_MAX);
		return MS_ERR_INVALID;
	}
	if (strncasecmp(url, "https://", 8) == 0)
		skip = 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		skip = 7;
	else {
		snprintf(err, errlen, "the base URL must start with http:// or "
		    "https:// (got \"%.40s\")", url);
		return MS_ERR_INVALID;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)url[i];

		if (c <= ' ' || c >= 0x7f) {
			snprintf(err, errlen, "the base URL has a space, "
			    "control or non-ASCII byte at offset %zu", i);
			return MS_ERR_INVALID;
		}
		if (c == '?' || c == '#') {
			snprintf(err, errlen, "the base URL must not have a "
			    "query or fragment ('%c' at offset %zu)", c, i);
			return MS_ERR_INVALID;
		}
	}
	host = url + skip;
	if (host[0] == '\0' || host[0] == '/' || host[0] == ':' ||
	    host[0] == '@') {
		snprintf(err, errlen, "the base URL has no host");
		return MS_ERR_INVALID;
	}
	/* The URL is printed and recorded (imports.path): no credentials. */
	for (const char *p = host; *p != '\0' && *p != '/'; p++) {
		if (*p == '@') {
			snprintf(err, errlen, "the base URL must not carry "
			    "credentials (user@host); use the API key options");
			return MS_ERR_INVALID;
		}
	}
	return MS_OK;
}

int
ms_upstream_check_key(const char *key, char *err, size_t errlen)
{
	size_t n = key != NULL ? strlen(key) : 0;

	if (n == 0 || n > MS_UPSTREAM_KEY_MAX) {
		snprintf(err, errlen, "the API key must be 1..%d bytes",
		    MS_UPSTREAM_KEY_MAX);
		return MS_ERR_INVALID;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)key[i];

		if (c <= ' ' || c >= 0x7f) {
			snprintf(err, errlen, "the API key has a space, "
			    "control or non-ASCII byte at offset %zu", i);
			return MS_ERR_INVALID;
		}
	}
	return MS_OK;
}

int
ms_upstream_key_kind_parse(const char *s, enum ms_upstream_key_kind *out)
{
	if (s == NULL)
		return MS_ERR_INVALID;
	if (strcasecmp(s, "none") == 0)
		*out = MS_KEY_NONE;
	else if (strcasecmp(s, "demo") == 0)
		*out = MS_KEY_DEMO;
	else if (strcasecmp(s, "pro") == 0)
		*out = MS_KEY_PRO;
	else
		return MS_ERR_INVALID;
	return MS_OK;
}

const char *
ms_upstream_key_kind_name(enum ms_upstream_key_kind k)
{
	switch (k) {
	case MS_KEY_NONE: return "none";
	case MS_KEY_DEMO: return "demo";
	case MS_KEY_PRO: return "pro";
	}
	return "none";
}

double
ms_upstream_retry_after(const char *value, double now_epoch)
{
	char buf[HDR_VALUE_MAX];
	size_t n;
	const char *p;

	if (value == NULL)
		return -1;
	while (*value == ' ' || *value == '\t')
		value++;
	n = strlen(value);
	while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, value, n);
	buf[n] = '\0';
	for (p = buf; *p >= '0' && *p <= '9'; p++)
		;
	if (*p == '\0') {
		char *end;
		long v;

		if (n > 9)
			return -1;
		errno = 0;
		v = strtol(buf, &end, 10);
		if (errno != 0 || *end != '\0' || v < 0)
			return -1;
		return (double)v;
	}
	{
		time_t t = curl_getdate(buf, NULL);

		if (t == (time_t)-1)
			return -1;
		return (double)t > now_epoch ? (double)t - now_epoch : 0;
	}
}

double
ms_upstream_backoff(double base, double cap, int k, double u01)
{
	double d = base;

	for (int i = 1; i < k && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	/* "Equal jitter": between half and all of the step. */
	return d * (0.5 + 0.5 * u01);
}

/* ---- callbacks ------------------------------------------------------- */

static size_t
on_body(char *p, size_t size, size_t nmemb, void *ud)
{
	struct ms_upstream *u = ud;
	size_t n = size * nmemb;

	if (ms_buf_append(&u->body, p, n) != MS_OK) {
		u->over_cap = 1;
		return 0;    /* aborts the transfer (CURLE_WRITE_ERROR) */
	}
	return n;
}

/* Copies a header's value (trimmed, printable bytes only) into dst. */
static void
header_value(const char *p, size_t n, char *dst, size_t cap)
{
	size_t o = 0;

	while (n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == '\n' ||
	    p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		unsigned char c = (unsigned char)p[i];

		dst[o++] = c >= ' ' && c < 0x7f ? (char)c : '?';
	}
	dst[o] = '\0';
}

static size_t
on_header(char *p, size_t size, size_t nmemb, void *ud)
{
	struct ms_upstream *u = ud;
	size_t n = size * nmemb;

	if (n >= 12 && strncasecmp(p, "retry-after:", 12) == 0)
		header_value(p + 12, n - 12, u->retry_after,
		    sizeof(u->retry_after));
	else if (n >= 9 && strncasecmp(p, "location:", 9) == 0)
		header_value(p + 9, n - 9, u->location, sizeof(u->location));
	return n;
}

static int
on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct ms_upstream *u = ud;

	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return u->o.cancel != NULL && *u->o.cancel ? 1 : 0;
}

/* ---- life cycle ------------------------------------------------------ */

int
ms_upstream_new(const struct ms_upstream_opts *o, struct ms_upstream **out,
    char *err, size_t errlen)
{
	struct ms_upstream *u;
	char hdr[64 + MS_UPSTREAM_KEY_MAX];
	size_t n;
	int rc;

	if ((rc = ms_upstream_check_url(o->base_url, err, errlen)) != MS_OK)
		return rc;
	if (o->key_kind != MS_KEY_NONE &&
	    (rc = ms_upstream_check_key(o->api_key, err, errlen)) != MS_OK)
		return rc;
	if (o->per_minute < 1 || o->per_minute > MS_UPSTREAM_BUDGET_MAX ||
	    !(o->window > 0) || o->max_retries < 0 ||
	    !(o->retry_after_default >= 0) || !(o->backoff_base >= 0) ||
	    !(o->backoff_max >= o->backoff_base) ||
	    !(o->max_run_seconds > 0) || !(o->connect_timeout > 0) ||
	    !(o->timeout > 0) || o->max_body == 0) {
		snprintf(err, errlen, "invalid upstream options");
		return MS_ERR_INVALID;
	}
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return MS_ERR_NOMEM;
	u->o = *o;
	n = strlen(o->base_url);
	while (n > 0 && o->base_url[n - 1] == '/')
		n--;
	memcpy(u->base, o->base_url, n);
	u->base[n] = '\0';
	u->o.base_url = u->base;
	u->o.api_key = NULL;
	u->o.request_log = NULL;
	u->deadline = mono_now() + o->max_run_seconds;
	u->rng = o->seed != 0 ? o->seed :
	    (uint64_t)(epoch_now() * 1e6) ^ (uint64_t)(uintptr_t)u;
	ms_buf_init(&u->body, o->max_body);
	u->ring = calloc((size_t)o->per_minute, sizeof(*u->ring));
	if (u->ring == NULL) {
		ms_upstream_free(u);
		return MS_ERR_NOMEM;
	}
	if (o->request_log != NULL &&
	    (u->reqlog = fopen(o->request_log, "a")) == NULL) {
		snprintf(err, errlen, "cannot open the request log %s: %s",
		    o->request_log, strerror(errno));
		ms_upstream_free(u);
		return MS_ERR_IO;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (u->curl = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "cannot initialise libcurl");
		ms_upstream_free(u);
		return MS_ERR_NOMEM;
	}
	u->headers = curl_slist_append(NULL, "Accept: application/json");
	if (u->headers != NULL && o->key_kind != MS_KEY_NONE) {
		struct curl_slist *h;

		snprintf(hdr, sizeof(hdr), "%s: %s", o->key_kind == MS_KEY_PRO ?
		    "x-cg-pro-api-key" : "x-cg-demo-api-key", o->api_key);
		h = curl_slist_append(u->headers, hdr);
		if (h == NULL) {
			curl_slist_free_all(u->headers);
			u->headers = NULL;
		} else {
			u->headers = h;
		}
		memset(hdr, 0, sizeof(hdr));
	}
	if (u->headers == NULL) {
		ms_upstream_free(u);
		return MS_ERR_NOMEM;
	}
	rc = CURLE_OK;
#define SET(opt, val) \
	do { if (rc == CURLE_OK) rc = curl_easy_setopt(u->curl, opt, val); } \
	while (0)
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_USERAGENT, "moonscope/" MS_VERSION);
	SET(CURLOPT_HTTPHEADER, u->headers);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)(o->connect_timeout * 1000));
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_body);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, u);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, u);
	SET(CURLOPT_XFERINFOFUNCTION, on_progress);
	SET(CURLOPT_XFERINFODATA, u);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_ERRORBUFFER, u->curl_err);
#undef SET
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "libcurl refused an option: %s",
		    curl_easy_strerror((CURLcode)rc));
		ms_upstream_free(u);
		return MS_ERR_INVALID;
	}
	*out = u;
	return MS_OK;
}

void
ms_upstream_free(struct ms_upstream *u)
{
	if (u == NULL)
		return;
	if (u->curl != NULL) {
		curl_easy_cleanup(u->curl);
		curl_global_cleanup();
	}
	curl_slist_free_all(u->headers);
	if (u->reqlog != NULL)
		fclose(u->reqlog);
	ms_buf_free(&u->body);
	free(u->ring);
	free(u);
}

const struct ms_upstream_stats *
ms_upstream_stats(const struct ms_upstream *u)
{
	return &u->st;
}

double
ms_upstream_time_left(const struct ms_upstream *u)
{
	return u->deadline - mono_now();
}

/* ---- waiting ---------------------------------------------------------- */

static int
cancelled(const struct ms_upstream *u)
{
	return u->o.cancel != NULL && *u->o.cancel;
}

/* Sleeps secs seconds in slices; -1 when cancelled. */
static int
sleep_for(struct ms_upstream *u, double secs)
{
	double end = mono_now() + secs, left;

	u->st.waited += secs > 0 ? secs : 0;
	while ((left = end - mono_now()) > 0) {
		struct timespec ts;
		double s = left < SLEEP_SLICE ? left : SLEEP_SLICE;

		if (cancelled(u))
			return -1;
		ts.tv_sec = (time_t)s;
		ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
	return cancelled(u) ? -1 : 0;
}

/*
 * Waits until one more request fits in the budget, then records its start
 * time (returned in *t). The oldest of the last per_minute requests must
 * be at least `window` seconds old.
 */
static int
budget_take(struct ms_upstream *u, double *t, char *err, size_t errlen)
{
	size_t cap = (size_t)u->o.per_minute;
	double now = mono_now();

	if (u->ring_n == cap) {
		/* 1 ms margin so log rounding never shows R+1 in a window. */
		double ready = u->ring[u->ring_head] + u->o.window + 0.001;

		if (ready > now) {
			if (ready - now > u->deadline - now) {
				snprintf(err, errlen, "the run time limit "
				    "(%.0f s) would pass while waiting for the "
				    "request budget (%d per %.0f s)",
				    u->o.max_run_seconds, u->o.per_minute,
				    u->o.window);
				return MS_ERR_IO;
			}
			if (sleep_for(u, ready - now) != 0) {
				snprintf(err, errlen, "interrupted");
				return MS_ERR_IO;
			}
			now = mono_now();
		}
	}
	if (u->ring_n < cap) {
		u->ring[(u->ring_head + u->ring_n) % cap] = now;
		u->ring_n++;
	} else {
		u->ring[u->ring_head] = now;
		u->ring_head = (u->ring_head + 1) % cap;
	}
	*t = now;
	return MS_OK;
}

/* ---- requests --------------------------------------------------------- */

/* A printable, single-line excerpt of the response body. */
static void
body_excerpt(const struct ms_upstream *u, char *out, size_t cap)
{
	size_t o = 0, n = u->body.len;

	if (cap == 0)
		return;
	for (size_t i = 0; i < n && o + 4 < cap && o < EXCERPT_MAX; i++) {
		unsigned char c = (unsigned char)u->body.data[i];

		out[o++] = c >= ' ' && c < 0x7f ? (char)c : ' ';
	}
	if (n > 0 && o < n && o + 4 <= cap) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

static int
retryable_curl(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

static const char *
curl_reason(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_CONNECT: return "could not connect";
	case CURLE_COULDNT_RESOLVE_HOST: return "could not resolve the host";
	case CURLE_OPERATION_TIMEDOUT: return "timed out";
	case CURLE_GOT_NOTHING:
		return "the server closed the connection without an answer";
	case CURLE_PARTIAL_FILE:
		return "the connection closed before the whole body arrived";
	case CURLE_RECV_ERROR: return "error receiving data";
	case CURLE_SEND_ERROR: return "error sending data";
	case CURLE_PEER_FAILED_VERIFICATION:
		return "TLS certificate verification failed";
	case CURLE_UNSUPPORTED_PROTOCOL:
		return "protocol not allowed (http and https only)";
	default: return curl_easy_strerror(c);
	}
}

int
ms_upstream_get(struct ms_upstream *u, const char *path, char **body,
    size_t *len, char *err, size_t errlen)
{
	char url[MS_UPSTREAM_URL_MAX + MS_UPSTREAM_PATH_MAX + 1];
	char why[320], ex[EXCERPT_MAX + 8];
	size_t plen = path != NULL ? strlen(path) : 0;
	int attempt;

	if (plen == 0 || path[0] != '/' || plen > MS_UPSTREAM_PATH_MAX) {
		snprintf(err, errlen, "invalid request path");
		return MS_ERR_INVALID;
	}
	for (size_t i = 0; i < plen; i++) {
		unsigned char c = (unsigned char)path[i];

		if (c <= ' ' || c >= 0x7f || c == '#') {
			snprintf(err, errlen, "invalid byte in request path");
			return MS_ERR_INVALID;
		}
	}
	snprintf(url, sizeof(url), "%s%s", u->base, path);
	why[0] = '\0';
	for (attempt = 0;; attempt++) {
		double t, wait = 0, left;
		long status = 0;
		CURLcode cc;
		int rc;

		if (cancelled(u)) {
			snprintf(err, errlen, "GET %s: interrupted", path);
			return MS_ERR_IO;
		}
		if ((rc = budget_take(u, &t, why, sizeof(why))) != MS_OK) {
			snprintf(err, errlen, "GET %s: %s", path, why);
			return rc;
		}
		left = u->deadline - mono_now();
		if (left <= 0) {
			snprintf(err, errlen, "GET %s: the run time limit "
			    "(%.0f s) was reached", path,
			    u->o.max_run_seconds);
			return MS_ERR_IO;
		}
		u->st.requests++;
		if (attempt > 0)
			u->st.retries++;
		if (u->reqlog != NULL) {
			fprintf(u->reqlog, "%.6f %.6f GET %s\n", epoch_now(), t,
			    path);
			fflush(u->reqlog);
		}
		ms_buf_reset(&u->body);
		u->over_cap = 0;
		u->retry_after[0] = u->location[0] = u->curl_err[0] = '\0';
		curl_easy_setopt(u->curl, CURLOPT_URL, url);
		curl_easy_setopt(u->curl, CURLOPT_TIMEOUT_MS,
		    (long)(1000 * (u->o.timeout < left ? u->o.timeout : left)));
		cc = curl_easy_perform(u->curl);
		u->st.bytes += u->body.len;
		if (cancelled(u) || cc == CURLE_ABORTED_BY_CALLBACK) {
			snprintf(err, errlen, "GET %s: interrupted", path);
			return MS_ERR_IO;
		}
		if (u->over_cap || cc == CURLE_FILESIZE_EXCEEDED) {
			snprintf(err, errlen, "GET %s: the response body is "
			    "larger than the limit of %zu bytes (--max-body)",
			    path, u->o.max_body);
			return MS_ERR_TOOBIG;
		}
		if (cc != CURLE_OK) {
			if (!retryable_curl(cc)) {
				snprintf(err, errlen, "GET %s: %s%s%s", path,
				    curl_reason(cc), u->curl_err[0] ? ": " : "",
				    u->curl_err);
				return MS_ERR_IO;
			}
			u->st.net_errors++;
			if (cc == CURLE_OPERATION_TIMEDOUT)
				snprintf(why, sizeof(why), "timed out (limit "
				    "%.1f s)", u->o.timeout < left ?
				    u->o.timeout : left);
			else
				snprintf(why, sizeof(why), "%s", curl_reason(cc));
			wait = ms_upstream_backoff(u->o.backoff_base,
			    u->o.backoff_max, attempt + 1, rng_u01(&u->rng));
		} else {
			curl_easy_getinfo(u->curl, CURLINFO_RESPONSE_CODE,
			    &status);
			if (status == 200) {
				size_t n = u->body.len;
				char *b = ms_buf_steal(&u->body);

				if (b == NULL) {
					/* An empty body: still a string. */
					if ((b = calloc(1, 1)) == NULL)
						return MS_ERR_NOMEM;
					n = 0;
				}
				*body = b;
				*len = n;
				return MS_OK;
			}
			if (status == 429) {
				double ra = ms_upstream_retry_after(
				    u->retry_after[0] ? u->retry_after : NULL,
				    epoch_now());

				u->st.rate_limited++;
				wait = ra >= 0 ? ra : u->o.retry_after_default;
				snprintf(why, sizeof(why), "HTTP 429 Too Many "
				    "Requests (%s %.1f s)", ra >= 0 ?
				    "Retry-After" : "no Retry-After; waiting",
				    wait);
			} else if (status >= 500 && status <= 599) {
				double ra = ms_upstream_retry_after(
				    u->retry_after[0] ? u->retry_after : NULL,
				    epoch_now());

				u->st.server_errors++;
				wait = ms_upstream_backoff(u->o.backoff_base,
				    u->o.backoff_max, attempt + 1,
				    rng_u01(&u->rng));
				if (ra > wait)
					wait = ra;
				body_excerpt(u, ex, sizeof(ex));
				snprintf(why, sizeof(why), "HTTP %ld%s%s", status,
				    ex[0] ? ": " : "", ex);
			} else if (status >= 300 && status <= 399) {
				snprintf(err, errlen, "GET %s: HTTP %ld redirect "
				    "to %s; redirects are not followed (set the "
				    "base URL to the final location)", path,
				    status, u->location[0] ? u->location :
				    "(no Location)");
				return MS_ERR_IO;
			} else {
				body_excerpt(u, ex, sizeof(ex));
				snprintf(err, errlen, "GET %s: HTTP %ld%s%s%s",
				    path, status, ex[0] ? ": " : "", ex,
				    status == 401 || status == 403 ?
				    " (check the API key and its kind: "
				    "MOONSCOPE_API_KEY, MOONSCOPE_API_KEY_KIND)" :
				    "");
				return MS_ERR_IO;
			}
		}
		/* A retryable failure. */
		if (attempt >= u->o.max_retries) {
			snprintf(err, errlen, "GET %s: giving up after %d "
			    "attempt%s: %s", path, attempt + 1,
			    attempt == 0 ? "" : "s", why);
			return MS_ERR_IO;
		}
		left = u->deadline - mono_now();
		if (wait > left) {
			snprintf(err, errlen, "GET %s: giving up: %s, and a "
			    "wait of %.1f s would pass the run time limit "
			    "(%.1f s left)", path, why, wait,
			    left > 0 ? left : 0);
			return MS_ERR_IO;
		}
		if (u->o.notices != NULL)
			fprintf(u->o.notices, "ingest: GET %s: %s; retry %d/%d "
			    "in %.1f s\n", path, why, attempt + 1,
			    u->o.max_retries, wait);
		if (sleep_for(u, wait) != 0) {
			snprintf(err, errlen, "GET %s: interrupted", path);
			return MS_ERR_IO;
		}
	}
}

/*
 * 1 when a parse that failed at body[off] failed because the body ends
 * too soon: inside a literal (cJSON reports its start), inside a string
 * that is never closed (reported just after its opening quote), or in a
 * number's tail ("1e", "2.").
 */
static int
ends_inside_value(const char *body, size_t off, size_t len)
{
	static const char *const lits[] = { "true", "false", "null" };
	size_t n = len - off, i;
	const char *s = body + off;

	for (i = 0; i < 3; i++)
		if (n > 0 && n < strlen(lits[i]) && memcmp(s, lits[i], n) == 0)
			return 1;
	if (off > 0 && body[off - 1] == '"') {
		for (i = 0; i < n; i++) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				break;
		}
		if (i >= n)
			return 1;
	}
	for (i = 0; i < n; i++)
		if (strchr("0123456789eE+-.", s[i]) == NULL)
			return 0;
	return n > 0;
}

int
ms_upstream_parse_json(const char *body, size_t len, cJSON **out, char *err,
    size_t errlen)
{
	const char *end = NULL;
	const void *nul = memchr(body, '\0', len);
	cJSON *j;

	if (nul != NULL) {
		snprintf(err, errlen, "invalid JSON: a NUL byte at offset %zu",
		    (size_t)((const char *)nul - body));
		return MS_ERR_PARSE;
	}
	if (len == 0) {
		snprintf(err, errlen, "invalid JSON: the body is empty");
		return MS_ERR_PARSE;
	}
	/*
	 * The length includes the terminating NUL: with
	 * require_null_terminated, cJSON wants to find it right after the
	 * value (and its trailing whitespace), which is "no trailing bytes".
	 */
	j = cJSON_ParseWithLengthOpts(body, len + 1, &end, 1);
	if (j != NULL) {
		*out = j;
		return MS_OK;
	}
	/*
	 * Say why. The parse above saw the NUL terminator as part of its
	 * input, so running out of input fails at offset len (or inside the
	 * last value: ends_inside_value): truncated. Otherwise, a complete
	 * value followed by more bytes, or bad syntax.
	 */
	{
		size_t off = end != NULL && end >= body ?
		    (size_t)(end - body) : 0;

		if (off >= len || ends_inside_value(body, off, len)) {
			snprintf(err, errlen, "invalid JSON: truncated (the "
			    "body ends at byte %zu inside a value)", len);
			return MS_ERR_PARSE;
		}
		end = NULL;
		j = cJSON_ParseWithLengthOpts(body, len, &end, 0);
		if (j != NULL) {
			cJSON_Delete(j);
			snprintf(err, errlen, "invalid JSON: unexpected bytes "
			    "after the value at offset %zu", off);
			return MS_ERR_PARSE;
		}
		snprintf(err, errlen, "invalid JSON: syntax error at offset "
		    "%zu of %zu", off, len);
	}
	return MS_ERR_PARSE;
}
