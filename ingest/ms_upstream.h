/*
 * ms_upstream.h — a polite HTTP client for CoinGecko-compatible upstreams.
 *
 * One ms_upstream is one libcurl handle plus the politeness state of a
 * run: a sliding-window request budget (at most `per_minute` requests in
 * any `window` seconds; every attempt counts, errors and 429s too), the
 * retry policy, the run's deadline and its statistics. The policy (see
 * docs/ingest.md):
 *
 *   200               success; the body is returned (NUL-terminated).
 *   429               wait Retry-After (delta-seconds or HTTP-date; when
 *                     absent, `retry_after_default`), then retry.
 *   5xx, timeouts,    wait an exponential backoff with jitter
 *   connection errors (backoff_base * 2^k, capped at backoff_max, times a
 *   (refused, reset,  random factor in [0.5, 1)); a 503 with Retry-After
 *   closed mid-body)  waits at least that long. Then retry.
 *   3xx               an error naming the Location: redirects are never
 *                     followed (CURLOPT_FOLLOWLOCATION off).
 *   other statuses    an error with the status and a sanitised excerpt of
 *                     the body (401/403 also hint at the API key).
 *   body > max_body   an error (the transfer is aborted at the cap).
 *
 * A request is given up after max_retries retries, or as soon as a wait
 * would pass the run's deadline (max_run_seconds after ms_upstream_new).
 * Only http and https are allowed (CURLOPT_PROTOCOLS_STR), TLS peer and
 * host verification stay on, the User-Agent is "moonscope/<version>", and
 * the API key travels in x-cg-demo-api-key or x-cg-pro-api-key, never in
 * the URL (so it is never logged).
 *
 * Untrusted bodies are parsed with ms_upstream_parse_json: length-bounded,
 * no NUL byte, nothing but whitespace after the value.
 */
#ifndef MS_UPSTREAM_H
#define MS_UPSTREAM_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cJSON.h>

#define MS_UPSTREAM_DEFAULT_URL "https://api.coingecko.com/api/v3"
#define MS_UPSTREAM_PRO_URL "https://pro-api.coingecko.com/api/v3"
#define MS_UPSTREAM_URL_MAX 512     /* base URL, bytes */
#define MS_UPSTREAM_PATH_MAX 1024   /* path + query, bytes */
#define MS_UPSTREAM_KEY_MAX 128     /* API key, bytes */
#define MS_UPSTREAM_BUDGET_MAX 10000 /* requests per window */
#define MS_UPSTREAM_DEFAULT_BODY_MAX (16u * 1024u * 1024u)

enum ms_upstream_key_kind {
	MS_KEY_NONE,   /* no key header */
	MS_KEY_DEMO,   /* x-cg-demo-api-key */
	MS_KEY_PRO     /* x-cg-pro-api-key */
};

struct ms_upstream_opts {
	const char *base_url;        /* http(s)://host[:port]/path, no query */
	const char *api_key;         /* NULL or "" = none */
	enum ms_upstream_key_kind key_kind;
	int per_minute;              /* request budget per window, >= 1 */
	double window;               /* budget window in seconds (60) */
	double retry_after_default;  /* seconds, for a 429 without the header */
	int max_retries;             /* retries per request, >= 0 */
	double backoff_base;         /* seconds */
	double backoff_max;          /* seconds */
	double max_run_seconds;      /* the whole run's deadline */
	double connect_timeout;      /* seconds */
	double timeout;              /* seconds, one attempt in total */
	size_t max_body;             /* bytes */
	const char *request_log;     /* append one line per attempt, or NULL */
	uint64_t seed;               /* jitter seed; 0 = from the clock */
	/* Set (by a signal handler) to cancel waits and transfers; may be
	 * NULL. */
	volatile sig_atomic_t *cancel;
	/* Notices (a retry and why) go here, one line each; NULL = none. */
	FILE *notices;
};

/* What a run's requests did so far. */
struct ms_upstream_stats {
	unsigned long requests;      /* attempts sent (every one counts) */
	unsigned long retries;       /* attempts after the first of a request */
	unsigned long rate_limited;  /* 429 answers */
	unsigned long server_errors; /* 5xx answers */
	unsigned long net_errors;    /* timeouts, refused, reset, ... */
	uint64_t bytes;              /* body bytes received (decoded) */
	double waited;               /* seconds spent waiting (budget+retry) */
};

struct ms_upstream;

/* Fills o with the defaults: the public URL, no key, 25 requests per 60 s,
 * 60 s default Retry-After, 5 retries, backoff 2..60 s, a 3600 s run,
 * connect timeout 10 s, request timeout 60 s, 16 MiB bodies. */
void ms_upstream_defaults(struct ms_upstream_opts *o);

/*
 * Checks a base URL: http:// or https://, a host without user@, at most
 * MS_UPSTREAM_URL_MAX bytes, no whitespace, control bytes, '?' or '#'.
 * Returns 0 or MS_ERR_INVALID with the reason in err.
 */
int ms_upstream_check_url(const char *url, char *err, size_t errlen);

/* Checks an API key: 1..MS_UPSTREAM_KEY_MAX printable ASCII bytes, no
 * spaces. Returns 0 or MS_ERR_INVALID with the reason in err. */
int ms_upstream_check_key(const char *key, char *err, size_t errlen);

/* "none", "demo" or "pro" (case-insensitive) into *out; MS_ERR_INVALID
 * otherwise. */
int ms_upstream_key_kind_parse(const char *s, enum ms_upstream_key_kind *out);
const char *ms_upstream_key_kind_name(enum ms_upstream_key_kind k);

/*
 * Creates a client (copies what it needs from o; o's strings need not
 * outlive it except `cancel` and `notices`). Returns 0 and sets *out (free
 * with ms_upstream_free), or an error with the reason in err.
 */
int ms_upstream_new(const struct ms_upstream_opts *o, struct ms_upstream **out,
    char *err, size_t errlen);
/* Frees u; NULL is a no-op. */
void ms_upstream_free(struct ms_upstream *u);

/*
 * GETs base_url + path (path starts with '/', may carry a query) with
 * the politeness policy above. On success returns 0 and sets *body (a
 * NUL-terminated malloc'd buffer the caller frees) and *len. Otherwise
 * returns MS_ERR_IO (network, status, redirect, retries exhausted, run
 * time over, cancelled), MS_ERR_TOOBIG (body over the cap),
 * MS_ERR_INVALID (bad path) or MS_ERR_NOMEM, with one line saying why in
 * err.
 */
int ms_upstream_get(struct ms_upstream *u, const char *path, char **body,
    size_t *len, char *err, size_t errlen);

/* The statistics so far (owned by u). */
const struct ms_upstream_stats *ms_upstream_stats(const struct ms_upstream *u);

/* Seconds left before the run's deadline (may be negative). */
double ms_upstream_time_left(const struct ms_upstream *u);

/*
 * Parses an untrusted body of len bytes (body[len] must be NUL) as one
 * JSON value with nothing but whitespace after it. A NUL byte inside,
 * invalid syntax or a truncated document is MS_ERR_PARSE with the byte
 * offset in err. On success *out is the tree (free with cJSON_Delete).
 */
int ms_upstream_parse_json(const char *body, size_t len, cJSON **out,
    char *err, size_t errlen);

/*
 * Helpers of the policy, exposed for tests. retry_after parses a
 * Retry-After value (delta-seconds, or an HTTP-date relative to now_epoch)
 * into seconds >= 0; -1 when absent or unparseable. backoff is the wait
 * before retry k (k >= 1) given a random u01 in [0, 1).
 */
double ms_upstream_retry_after(const char *value, double now_epoch);
double ms_upstream_backoff(double base, double cap, int k, double u01);

#endif
