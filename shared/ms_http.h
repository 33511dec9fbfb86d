/*
 * ms_http.h — the request/response runtime every function is built on.
 *
 * A function (functions/<route>.c) declares one struct ms_route: its path
 * pattern, allowed methods, parameter table and handler, and calls
 * ms_serve() from main(). ms_serve() is the only code that touches libfcgi,
 * stdin/stdout or the environment: it accepts FastCGI requests in a loop
 * (or serves one plain-CGI request), parses and validates the request into
 * a struct ms_request, calls the handler, and sends the struct ms_response
 * it filled — built wholly in memory and written once. Handlers are
 * therefore unit-testable without a web server: build a NULL-terminated
 * array of CGI variables ("REQUEST_METHOD=GET", "REQUEST_URI=/v1/x?a=1")
 * and call ms_handle().
 *
 * Problems ms_handle() answers by itself, in this order: 414 uri-too-long
 * (path or query over its limit), 400 invalid-parameters for an undecodable
 * path or more than MS_QUERY_MAX_PAIRS query pairs, 404 not-found (path
 * does not match the pattern; the path is percent-decoded first, and a
 * trailing slash does not match), 405 method-not-allowed with Allow (HEAD is allowed
 * wherever GET is), 413 payload-too-large (CONTENT_LENGTH > MS_CONTENT_MAX;
 * a smaller body is never read) or 400 naming "Content-Length" when it is
 * malformed, then one 400 invalid-parameters listing every rejected path
 * and query parameter: unknown, repeated, missing required, bad
 * percent-escape, or refused by its validator. A handler failure becomes a
 * 500 with a generic detail; the specifics go to the log. Every response
 * carries X-Request-Id and Cache-Control (no-cache below 400, no-store from
 * 400 on) unless the handler set its own.
 */
#ifndef MS_HTTP_H
#define MS_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "ms_buf.h"
#include "ms_param.h"
#include "ms_problem.h"

struct ms_store;

#define MS_MAX_PATH_PARAMS 4
#define MS_PATH_MAX 1024         /* decoded path bytes */
#define MS_REQUEST_ID_MAX 64
#define MS_MAX_INVALID 16        /* invalid_params entries reported */
#define MS_MAX_HEADERS 16        /* extra response headers */
#define MS_CONTENT_MAX 65536     /* request body bytes accepted (never read by GET routes) */
#define MS_DETAIL_MAX 512        /* problem detail bytes */
#define MS_INVALID_NAME_MAX 64   /* bytes of a rejected key echoed in invalid_params */
#define MS_INVALID_REASON_MAX 192

#define MS_CONTENT_TYPE_JSON "application/json; charset=utf-8"
#define MS_CONTENT_TYPE_PROBLEM "application/problem+json"

struct ms_request;
struct ms_response;
struct ms_ctx;

/*
 * A handler fills res (status, body) from a validated request. It returns
 * 0, or a negative ms_err for an unexpected failure, in which case the
 * runtime discards whatever was written and answers 500 (details logged).
 */
typedef int (*ms_handler_fn)(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res);

struct ms_route {
	const char *name;      /* "v1_asset": used in logs */
	/* Path pattern; "{name}" matches one whole non-empty segment, e.g.
	 * "/v1/assets/{id}/ohlcv". Path parameters are validated with
	 * path_params[i] in order of appearance (n_path_params must equal the
	 * number of "{...}" segments). A pattern of "*" matches any path and
	 * ignores query keys it does not declare (the not-found function). */
	const char *pattern;
	const char *methods;   /* "GET, HEAD" — also the Allow header on 405 */
	const struct ms_param_spec *path_params;
	size_t n_path_params;
	const struct ms_param_spec *params;   /* query parameters */
	size_t n_params;
	ms_handler_fn handler;
	const char *summary;   /* one line for --help and docs */
};

/* A header the request carried, as CGI passes it (HTTP_X_FOO). */
struct ms_request {
	const struct ms_route *route;
	const char *method;                 /* "GET" */
	char path[MS_PATH_MAX];             /* decoded path, no query */
	char request_id[MS_REQUEST_ID_MAX]; /* from X-Request-Id if sane, else generated */
	/* Validated query parameters, in route->params order. */
	struct ms_param_value *values;
	/* Validated path parameters, in route->path_params order. */
	struct ms_param_value path_values[MS_MAX_PATH_PARAMS];
	/* Request environment (CGI variables); NULL-terminated "K=V" array. */
	char **envp;
	/* Storage owned by the request (decoded strings), allocated once at
	 * its final size so value pointers stay valid; freed by ms_handle(). */
	char *arena;
	size_t arena_len, arena_cap;
};

/* Looks up a CGI variable of the request (e.g. "HTTP_ACCEPT"); NULL if absent. */
const char *ms_request_env(const struct ms_request *req, const char *name);

/* The value of query parameter `name` (must be in the route's table). */
const struct ms_param_value *ms_request_param(const struct ms_request *req,
    const char *name);
/* The value of path parameter `name`. */
const struct ms_param_value *ms_request_path_param(const struct ms_request *req,
    const char *name);

struct ms_header { char name[64]; char value[256]; };

struct ms_response {
	int status;
	const char *content_type;  /* static string */
	struct ms_header headers[MS_MAX_HEADERS];
	size_t n_headers;
	struct ms_buf body;
	int head_only;             /* HEAD: send headers only */
	int error;                 /* negative ms_err behind a 5xx; logged, never sent */
};

/*
 * Sets a response header; name and value are copied. A header of the same
 * name (case-insensitive) is replaced. Returns MS_ERR_INVALID for a name
 * that is not a token or is Status/Content-Type/Content-Length (set by the
 * runtime) or a value with CR/LF/control bytes, MS_ERR_TOOBIG when a field
 * does not fit or MS_MAX_HEADERS are set.
 */
int ms_response_header(struct ms_response *res, const char *name,
    const char *value);

/* The value of a response header set so far, or NULL. */
const char *ms_response_header_get(const struct ms_response *res,
    const char *name);

/* The reason phrase of an HTTP status ("Not Found"); never NULL. */
const char *ms_http_status_text(int status);

/* Envelope metadata. Strings are copied into the JSON as given. */
struct ms_meta {
	int32_t as_of;            /* day; <0 = omit */
	const char *source;       /* "cmc_daily_kaggle, coingecko_max"; NULL = omit */
	int synthetic;            /* 1 when any row served is synthetic (demo) */
	int64_t data_version;     /* <0 = omit */
	/* Pagination; included when limit > 0. */
	int64_t page, limit, total;
};

/*
 * Writes a 200 (or `status`) JSON envelope {"data": data, "meta": {...}} to
 * res. Takes ownership of data (cJSON_Delete'd here in every case; NULL
 * data is taken as a failed allocation: MS_ERR_NOMEM). meta may be NULL.
 * meta: {"as_of", "source", "synthetic", "data_version", "request_id",
 * "pagination": {"page", "limit", "total", "pages"}} with the optional
 * members omitted as described above; total < 0 is unknown (null).
 * Returns 0 or a negative ms_err.
 */
int ms_response_envelope(struct ms_response *res, int status, cJSON *data,
    const struct ms_meta *meta, const struct ms_request *req);

/*
 * Writes any JSON document with the given status and Content-Type
 * MS_CONTENT_TYPE_JSON, replacing the body; takes ownership of doc.
 */
int ms_response_json(struct ms_response *res, int status, cJSON *doc);

/* One entry of invalid_params. */
struct ms_invalid_param { const char *name; const char *reason; };

/*
 * Writes an RFC 9457 problem+json response of the given kind. detail may be
 * NULL; it is truncated to 512 bytes and CR/LF/control bytes are replaced.
 * invalid/n_invalid may be NULL/0 (at most MS_MAX_INVALID are listed;
 * names are cut to MS_INVALID_NAME_MAX bytes and non-printable bytes shown
 * as '?'). instance is "urn:request:<request id>" when req is not NULL.
 * For 405 the Allow header is set from the request's route. Returns 0, or
 * MS_ERR_NOMEM after writing a minimal problem body.
 */
int ms_response_problem(struct ms_response *res, enum ms_problem_kind kind,
    const char *detail, const struct ms_invalid_param *invalid,
    size_t n_invalid, const struct ms_request *req);

/*
 * Per-process state the runtime keeps between requests: the store handle,
 * opened read-only on first use from $MOONSCOPE_DB (or the default path) and
 * kept open, so later requests see new data without a restart.
 */
struct ms_ctx {
	struct ms_store *store;
	char store_path[1024];    /* "" = ms_store_path_default(), copied at first open */
	uint64_t requests;
	int log_requests;         /* 1: an info line per request (MS_LOG_REQUESTS=1) */
};

/* Zeroes ctx. */
void ms_ctx_init(struct ms_ctx *ctx);
/* Closes the store; ctx may be reused. NULL is a no-op. */
void ms_ctx_free(struct ms_ctx *ctx);

/*
 * Returns the process's store (opening it on first use), or NULL after
 * writing a 503 problem into res — the handler then returns 0, as the
 * response is complete. A failed open is retried by the next request.
 * Handlers call this, never ms_store_open.
 */
struct ms_store *ms_ctx_store(struct ms_ctx *ctx, struct ms_response *res,
    const struct ms_request *req);

/*
 * Parses and validates one request described by envp (CGI variables:
 * REQUEST_METHOD, REQUEST_URI or SCRIPT_NAME+PATH_INFO, QUERY_STRING,
 * CONTENT_LENGTH, HTTP_*), runs the route's handler and fills res. Any
 * input error becomes a problem response. Always leaves res sendable.
 * The caller initialises res with ms_response_init and frees it after.
 */
void ms_handle(struct ms_ctx *ctx, const struct ms_route *route, char **envp,
    struct ms_response *res);

/* Empty response: status 0, no headers, body limited to MS_BUF_DEFAULT_MAX. */
void ms_response_init(struct ms_response *res);
/* Frees the body; NULL is a no-op. */
void ms_response_free(struct ms_response *res);

/*
 * Appends res as a CGI/FastCGI response to out: "Status: 200 OK",
 * Content-Type, Content-Length (of the body, also for HEAD), the extra
 * headers, a blank line, then the body unless head_only; lines end in
 * CRLF. Used by the serve loop and by tests. Returns 0 or a negative ms_err
 * (out may then hold a partial response: reset it).
 */
int ms_response_serialize(const struct ms_response *res, struct ms_buf *out);

/*
 * Appends the --help text of a route to out: name, summary, pattern,
 * methods and the table of path and query parameters.
 */
int ms_route_help(const struct ms_route *route, struct ms_buf *out);

/*
 * The serve loop. With --help prints the route summary and parameters
 * (--version the build's version) before touching libfcgi. Under a FastCGI
 * server, accepts requests until the server closes the socket or sends
 * SIGTERM/SIGINT/SIGUSR1 (the request in progress is finished first); run
 * as CGI, serves the one request in the environment (without
 * REQUEST_METHOD or GATEWAY_INTERFACE it prints a hint and returns 2).
 * SIGPIPE is ignored. MS_LOG_REQUESTS=1 in the process environment logs
 * one info line per request. Returns the process exit status.
 */
int ms_serve(const struct ms_route *route, int argc, char **argv);

#endif
