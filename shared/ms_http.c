/*
 * ms_http.c — request parsing, routing and responses for every function.
 *
 * ms_handle() turns one request, given as CGI variables, into one complete
 * response in memory: it decodes and checks the path, matches it against
 * the route's pattern, checks the method and the declared body size,
 * decodes the query string and validates every parameter against the
 * route's table (collecting every rejected key into one 400 problem), and
 * only then calls the handler with typed values. Whatever happens, the
 * response it leaves is sendable, carries X-Request-Id and Cache-Control,
 * and anything that failed on our side is logged in one line.
 *
 * Memory: the decoded strings of a request live in one arena allocated
 * once per request (its size is bounded by the raw query and path, so it
 * never grows and pointers into it stay valid); parameter values and LIST
 * item arrays are freed before ms_handle() returns. The response body is
 * the caller's (ms_response_free). Nothing here touches the process
 * environment or stdio; that is ms_serve.c's job.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "ms_date.h"
#include "ms_error.h"
#include "ms_http.h"
#include "ms_json.h"
#include "ms_log.h"
#include "ms_store.h"

#define HTTP_METHOD_MAX 16

/* The rejected parameters of one request, in bounded storage it owns. */
struct invalid_set {
	struct ms_invalid_param list[MS_MAX_INVALID];
	char names[MS_MAX_INVALID][MS_INVALID_NAME_MAX + 4];
	char reasons[MS_MAX_INVALID][MS_INVALID_REASON_MAX];
	size_t n;       /* listed */
	size_t total;   /* rejected, listed or not */
};

/* Everything ms_handle() needs while working on one request. */
struct work {
	struct ms_ctx *ctx;
	const struct ms_route *route;
	struct ms_request req;
	struct ms_response *res;
	struct invalid_set inv;
	unsigned char *seen;   /* per query spec: 0, 1 seen, 2 repeat reported */
	int fatal;             /* a negative ms_err that makes this a 500 */
	char method[HTTP_METHOD_MAX + 1];
};

/* ---- small text helpers ------------------------------------------------ */

/*
 * Copies at most max bytes of src[0..len) into dst (room for max + 4),
 * replacing control bytes with ctrl and, when src is not valid UTF-8, every
 * byte >= 0x80 with '?'. A cut never splits a UTF-8 sequence and is marked
 * with "...". Returns the length written.
 */
static size_t
sanitize(char *dst, const char *src, size_t len, size_t max, char ctrl)
{
	int utf8 = ms_utf8_valid(src, len);
	size_t n = len, o;

	if (n > max) {
		n = max;
		if (utf8)
			while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
				n--;
	}
	for (o = 0; o < n; o++) {
		unsigned char c = (unsigned char)src[o];

		if (c < 0x20 || c == 0x7f)
			dst[o] = ctrl;
		else if (c >= 0x80 && !utf8)
			dst[o] = '?';
		else
			dst[o] = (char)c;
	}
	if (n < len) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
	return o;
}

/* ASCII only, whatever the locale. */
static int
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static int
is_token_char(char c)
{
	return is_alnum(c) || c == '-' || c == '_';
}

static int
valid_request_id(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return 0;
	for (; s[n] != '\0'; n++) {
		if (n >= MS_REQUEST_ID_MAX - 1 ||
		    !(is_alnum(s[n]) || s[n] == '.' ||
		    s[n] == '_' || s[n] == '-'))
			return 0;
	}
	return n > 0;
}

static const char *
env_get(char **envp, const char *name)
{
	size_t n = strlen(name);

	for (char **e = envp; e != NULL && *e != NULL; e++) {
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	}
	return NULL;
}

static uint64_t
now_us(int clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- responses --------------------------------------------------------- */

const char *
ms_http_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	}
	return "Unknown";
}

void
ms_response_init(struct ms_response *res)
{
	memset(res, 0, sizeof(*res));
	ms_buf_init(&res->body, 0);
}

void
ms_response_free(struct ms_response *res)
{
	if (res == NULL)
		return;
	ms_buf_free(&res->body);
}

const char *
ms_response_header_get(const struct ms_response *res, const char *name)
{
	for (size_t i = 0; i < res->n_headers; i++) {
		if (strcasecmp(res->headers[i].name, name) == 0)
			return res->headers[i].value;
	}
	return NULL;
}

int
ms_response_header(struct ms_response *res, const char *name,
    const char *value)
{
	size_t nlen, vlen, i;

	if (name == NULL || value == NULL)
		return MS_ERR_INVALID;
	nlen = strlen(name);
	vlen = strlen(value);
	if (nlen == 0)
		return MS_ERR_INVALID;
	if (nlen >= sizeof(res->headers[0].name) ||
	    vlen >= sizeof(res->headers[0].value))
		return MS_ERR_TOOBIG;
	for (i = 0; i < nlen; i++) {
		if (!is_token_char(name[i]))
			return MS_ERR_INVALID;
	}
	for (i = 0; i < vlen; i++) {
		unsigned char c = (unsigned char)value[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return MS_ERR_INVALID;
	}
	if (strcasecmp(name, "Status") == 0 ||
	    strcasecmp(name, "Content-Type") == 0 ||
	    strcasecmp(name, "Content-Length") == 0)
		return MS_ERR_INVALID;
	for (i = 0; i < res->n_headers; i++) {
		if (strcasecmp(res->headers[i].name, name) == 0)
			break;
	}
	if (i == res->n_headers) {
		if (res->n_headers >= MS_MAX_HEADERS)
			return MS_ERR_TOOBIG;
		res->n_headers++;
	}
	memcpy(res->headers[i].name, name, nlen + 1);
	memcpy(res->headers[i].value, value, vlen + 1);
	return MS_OK;
}

int
ms_response_json(struct ms_response *res, int status, cJSON *doc)
{
	char *text;
	int rc;

	if (doc == NULL)
		return MS_ERR_NOMEM;
	text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	if (text == NULL)
		return MS_ERR_NOMEM;
	ms_buf_reset(&res->body);
	rc = ms_buf_puts(&res->body, text);
	cJSON_free(text);
	if (rc != MS_OK) {
		ms_buf_reset(&res->body);
		return rc;
	}
	res->status = status;
	res->content_type = MS_CONTENT_TYPE_JSON;
	return MS_OK;
}

int
ms_response_envelope(struct ms_response *res, int status, cJSON *data,
    const struct ms_meta *meta, const struct ms_request *req)
{
	cJSON *doc, *m, *p;
	int ok;

	if (data == NULL)
		return MS_ERR_NOMEM;
	doc = cJSON_CreateObject();
	if (doc == NULL) {
		cJSON_Delete(data);
		return MS_ERR_NOMEM;
	}
	if (!cJSON_AddItemToObject(doc, "data", data)) {
		cJSON_Delete(data);
		cJSON_Delete(doc);
		return MS_ERR_NOMEM;
	}
	ok = (m = cJSON_AddObjectToObject(doc, "meta")) != NULL;
	if (ok && meta != NULL) {
		if (meta->as_of >= 0)
			ok = ok && ms_json_date(m, "as_of", meta->as_of) != NULL;
		if (meta->source != NULL)
			ok = ok && ms_json_str(m, "source", meta->source) != NULL;
		ok = ok && ms_json_bool(m, "synthetic", meta->synthetic) != NULL;
		if (meta->data_version >= 0)
			ok = ok && ms_json_int(m, "data_version",
			    meta->data_version) != NULL;
	}
	if (ok && req != NULL)
		ok = ms_json_str(m, "request_id", req->request_id) != NULL;
	if (ok && meta != NULL && meta->limit > 0) {
		ok = (p = cJSON_AddObjectToObject(m, "pagination")) != NULL;
		ok = ok && ms_json_int(p, "page", meta->page) != NULL;
		ok = ok && ms_json_int(p, "limit", meta->limit) != NULL;
		if (meta->total >= 0) {
			ok = ok && ms_json_int(p, "total", meta->total) != NULL;
			ok = ok && ms_json_int(p, "pages",
			    (meta->total + meta->limit - 1) / meta->limit) != NULL;
		} else {
			ok = ok && cJSON_AddNullToObject(p, "total") != NULL;
			ok = ok && cJSON_AddNullToObject(p, "pages") != NULL;
		}
	}
	if (!ok) {
		cJSON_Delete(doc);
		return MS_ERR_NOMEM;
	}
	return ms_response_json(res, status, doc);
}

/* "GET, HEAD" lists m (exact token)? */
static int
method_listed(const char *methods, const char *m)
{
	size_t n = strlen(m);
	const char *p = methods;

	while (p != NULL && *p != '\0') {
		size_t k;

		while (*p == ',' || *p == ' ')
			p++;
		for (k = 0; p[k] != '\0' && p[k] != ',' && p[k] != ' '; k++)
			;
		if (k == n && k > 0 && memcmp(p, m, n) == 0)
			return 1;
		p += k;
	}
	return 0;
}

static int
method_allowed(const struct ms_route *route, const char *m)
{
	if (method_listed(route->methods, m))
		return 1;
	return strcmp(m, "HEAD") == 0 && method_listed(route->methods, "GET");
}

/* The Allow header value: the route's methods, plus HEAD where GET is. */
static void
allow_value(const struct ms_route *route, char *out, size_t n)
{
	int head = method_listed(route->methods, "GET") &&
	    !method_listed(route->methods, "HEAD");

	snprintf(out, n, "%s%s", route->methods != NULL ? route->methods : "",
	    head ? ", HEAD" : "");
}

/* A fixed problem body for when cJSON cannot allocate. */
static void
problem_fallback(struct ms_response *res, const struct ms_problem_type *t)
{
	ms_buf_reset(&res->body);
	if (ms_buf_printf(&res->body,
	    "{\"type\":\"%s%s\",\"title\":\"%s\",\"status\":%d}",
	    MS_PROBLEM_BASE, t->slug, t->title, t->status) != MS_OK)
		ms_buf_reset(&res->body);
}

int
ms_response_problem(struct ms_response *res, enum ms_problem_kind kind,
    const char *detail, const struct ms_invalid_param *invalid,
    size_t n_invalid, const struct ms_request *req)
{
	const struct ms_problem_type *t = ms_problem_type(kind);
	char text[MS_DETAIL_MAX + 4], type[128], allow[256];
	cJSON *doc, *arr, *o;
	int ok;

	res->status = t->status;
	res->content_type = MS_CONTENT_TYPE_PROBLEM;
	ms_buf_reset(&res->body);
	if (kind == MS_PROBLEM_METHOD_NOT_ALLOWED && req != NULL &&
	    req->route != NULL) {
		allow_value(req->route, allow, sizeof(allow));
		(void)ms_response_header(res, "Allow", allow);
	}
	snprintf(type, sizeof(type), "%s%s", MS_PROBLEM_BASE, t->slug);
	ok = (doc = cJSON_CreateObject()) != NULL;
	ok = ok && cJSON_AddStringToObject(doc, "type", type) != NULL;
	ok = ok && cJSON_AddStringToObject(doc, "title", t->title) != NULL;
	ok = ok && cJSON_AddNumberToObject(doc, "status", t->status) != NULL;
	if (ok && detail != NULL) {
		sanitize(text, detail, strlen(detail), MS_DETAIL_MAX - 3, ' ');
		ok = cJSON_AddStringToObject(doc, "detail", text) != NULL;
	}
	if (ok && req != NULL && req->request_id[0] != '\0') {
		char inst[MS_REQUEST_ID_MAX + 16];

		snprintf(inst, sizeof(inst), "urn:request:%s", req->request_id);
		ok = cJSON_AddStringToObject(doc, "instance", inst) != NULL;
	}
	if (ok && invalid != NULL && n_invalid > 0) {
		ok = (arr = cJSON_AddArrayToObject(doc, "invalid_params")) != NULL;
		for (size_t i = 0; ok && i < n_invalid && i < MS_MAX_INVALID; i++) {
			const char *nm = invalid[i].name ? invalid[i].name : "";
			const char *why = invalid[i].reason ? invalid[i].reason : "";
			char name[MS_INVALID_NAME_MAX + 4];
			char reason[MS_INVALID_REASON_MAX + 4];

			sanitize(name, nm, strlen(nm), MS_INVALID_NAME_MAX, '?');
			sanitize(reason, why, strlen(why),
			    MS_INVALID_REASON_MAX - 1, ' ');
			ok = (o = cJSON_CreateObject()) != NULL;
			ok = ok && cJSON_AddStringToObject(o, "name", name) != NULL;
			ok = ok && cJSON_AddStringToObject(o, "reason", reason) != NULL;
			if (o != NULL && !(ok && cJSON_AddItemToArray(arr, o))) {
				cJSON_Delete(o);
				ok = 0;
			}
		}
	}
	if (ok) {
		char *s = cJSON_PrintUnformatted(doc);

		ok = s != NULL && ms_buf_puts(&res->body, s) == MS_OK;
		cJSON_free(s);
	}
	cJSON_Delete(doc);
	if (!ok) {
		problem_fallback(res, t);
		return MS_ERR_NOMEM;
	}
	return MS_OK;
}

int
ms_response_serialize(const struct ms_response *res, struct ms_buf *out)
{
	int rc;

	rc = ms_buf_printf(out, "Status: %d %s\r\n", res->status,
	    ms_http_status_text(res->status));
	if (rc == MS_OK && res->content_type != NULL)
		rc = ms_buf_printf(out, "Content-Type: %s\r\n", res->content_type);
	if (rc == MS_OK)
		rc = ms_buf_printf(out, "Content-Length: %zu\r\n", res->body.len);
	for (size_t i = 0; rc == MS_OK && i < res->n_headers; i++)
		rc = ms_buf_printf(out, "%s: %s\r\n", res->headers[i].name,
		    res->headers[i].value);
	if (rc == MS_OK)
		rc = ms_buf_puts(out, "\r\n");
	if (rc == MS_OK && !res->head_only && res->body.len > 0)
		rc = ms_buf_append(out, res->body.data, res->body.len);
	return rc;
}

/* ---- requests ---------------------------------------------------------- */

const char *
ms_request_env(const struct ms_request *req, const char *name)
{
	return env_get(req->envp, name);
}

const struct ms_param_value *
ms_request_param(const struct ms_request *req, const char *name)
{
	const struct ms_route *r = req->route;

	for (size_t i = 0; r != NULL && req->values != NULL && i < r->n_params;
	    i++) {
		if (strcmp(r->params[i].name, name) == 0)
			return &req->values[i];
	}
	return NULL;
}

const struct ms_param_value *
ms_request_path_param(const struct ms_request *req, const char *name)
{
	const struct ms_route *r = req->route;

	for (size_t i = 0; r != NULL && i < r->n_path_params &&
	    i < MS_MAX_PATH_PARAMS; i++) {
		if (strcmp(r->path_params[i].name, name) == 0)
			return &req->path_values[i];
	}
	return NULL;
}

/* Bump allocation from the request's arena; NULL cannot happen when the
 * arena was sized from the request (checked anyway). */
static char *
arena_take(struct ms_request *req, size_t n)
{
	char *p;

	if (req->arena == NULL || n > req->arena_cap - req->arena_len)
		return NULL;
	p = req->arena + req->arena_len;
	req->arena_len += n;
	return p;
}

static void
request_free(struct ms_request *req)
{
	const struct ms_route *r = req->route;

	if (req->values != NULL) {
		for (size_t i = 0; i < r->n_params; i++)
			ms_param_value_clear(&req->values[i]);
	}
	for (size_t i = 0; i < MS_MAX_PATH_PARAMS; i++)
		ms_param_value_clear(&req->path_values[i]);
	free(req->values);
	free(req->arena);
	req->values = NULL;
	req->arena = NULL;
}

/* Records a rejected key; identical (name, reason) pairs are kept once. */
static void
invalid_add(struct invalid_set *inv, const char *name, size_t nlen,
    const char *reason)
{
	char clean[MS_INVALID_NAME_MAX + 4];

	sanitize(clean, name, nlen, MS_INVALID_NAME_MAX, '?');
	for (size_t i = 0; i < inv->n; i++) {
		if (strcmp(inv->names[i], clean) == 0 &&
		    strcmp(inv->reasons[i], reason) == 0)
			return;
	}
	inv->total++;
	if (inv->n >= MS_MAX_INVALID)
		return;
	memcpy(inv->names[inv->n], clean, strlen(clean) + 1);
	snprintf(inv->reasons[inv->n], sizeof(inv->reasons[0]), "%s", reason);
	inv->list[inv->n].name = inv->names[inv->n];
	inv->list[inv->n].reason = inv->reasons[inv->n];
	inv->n++;
}

static void
problem_invalid(struct work *w)
{
	char detail[160];

	if (w->inv.total == 1)
		snprintf(detail, sizeof(detail), "1 request parameter is invalid");
	else if (w->inv.total <= w->inv.n)
		snprintf(detail, sizeof(detail),
		    "%zu request parameters are invalid", w->inv.total);
	else
		snprintf(detail, sizeof(detail),
		    "%zu request parameters are invalid; the first %zu are listed",
		    w->inv.total, w->inv.n);
	ms_response_problem(w->res, MS_PROBLEM_INVALID_PARAMS, detail,
	    w->inv.list, w->inv.n, &w->req);
}

/* One rejected item outside the query (path, Content-Length, query). */
static void
problem_one(struct work *w, const char *name, const char *reason)
{
	invalid_add(&w->inv, name, strlen(name), reason);
	problem_invalid(w);
}

/*
 * Fills req->path from REQUEST_URI (the part before '?', decoded), else
 * SCRIPT_NAME + PATH_INFO. Returns 0, or 1 after writing a problem.
 */
static int
parse_path(struct work *w)
{
	char **envp = w->req.envp;
	const char *uri = env_get(envp, "REQUEST_URI");
	size_t len = 0;
	int rc;

	if (uri != NULL && uri[0] != '\0') {
		size_t raw = strcspn(uri, "?#");

		/* Absolute form (http://host/path): keep only the path. */
		if (strncasecmp(uri, "http://", 7) == 0 ||
		    strncasecmp(uri, "https://", 8) == 0) {
			const char *auth = uri + (uri[4] == ':' ? 7 : 8);
			const char *p = strchr(auth, '/');

			if (p == NULL || (size_t)(p - uri) > raw) {
				uri = "/";
				raw = 1;
			} else {
				raw -= (size_t)(p - uri);
				uri = p;
			}
		}
		rc = ms_path_unescape(uri, raw, w->req.path, sizeof(w->req.path),
		    &len);
	} else {
		const char *sn = env_get(envp, "SCRIPT_NAME");
		const char *pi = env_get(envp, "PATH_INFO");
		size_t a = sn != NULL ? strlen(sn) : 0;
		size_t b = pi != NULL ? strlen(pi) : 0;

		rc = MS_OK;
		if (a + b >= sizeof(w->req.path)) {
			rc = MS_ERR_TOOBIG;
		} else {
			if (a > 0)
				memcpy(w->req.path, sn, a);
			if (b > 0)
				memcpy(w->req.path + a, pi, b);
			len = a + b;
			w->req.path[len] = '\0';
		}
	}
	if (rc == MS_ERR_TOOBIG) {
		w->req.path[0] = '\0';
		ms_response_problem(w->res, MS_PROBLEM_URI_TOO_LONG,
		    "the request path is longer than this server accepts",
		    NULL, 0, &w->req);
		return 1;
	}
	if (rc != MS_OK) {
		w->req.path[0] = '\0';
		problem_one(w, "path", "contains an invalid percent-escape");
		return 1;
	}
	if (memchr(w->req.path, '\0', len) != NULL ||
	    !ms_utf8_valid(w->req.path, len)) {
		w->req.path[0] = '\0';
		problem_one(w, "path", "must be valid UTF-8 without NUL bytes");
		return 1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)w->req.path[i];

		if (c < 0x20 || c == 0x7f) {
			w->req.path[0] = '\0';
			problem_one(w, "path", "must not contain control characters");
			return 1;
		}
	}
	return 0;
}

/*
 * Matches req->path against the route pattern. Returns 1 on a match with
 * the "{...}" segments in seg[]/seglen[] and their count in *nseg, 0 when
 * the path does not match, -1 for a pattern with too many parameters.
 */
static int
match_pattern(const char *pat, const char *path, const char **seg,
    size_t *seglen, size_t *nseg)
{
	const char *pat0 = pat;
	size_t k = 0;

	*nseg = 0;
	if (strcmp(pat, "*") == 0)
		return 1;
	while (*pat != '\0' && *path != '\0') {
		if (*pat == '{' && pat > pat0 && pat[-1] == '/') {
			const char *close = strchr(pat, '}');
			size_t n = strcspn(path, "/");

			if (close == NULL || n == 0)
				return 0;
			if (k >= MS_MAX_PATH_PARAMS)
				return -1;
			seg[k] = path;
			seglen[k] = n;
			k++;
			pat = close + 1;
			path += n;
			continue;
		}
		if (*pat != *path)
			return 0;
		pat++;
		path++;
	}
	if (*pat != '\0' || *path != '\0')
		return 0;
	*nseg = k;
	return 1;
}

/* Returns 0 on a match, or 1 after writing a problem. */
static int
route_path(struct work *w)
{
	const struct ms_route *route = w->route;
	const char *seg[MS_MAX_PATH_PARAMS];
	size_t seglen[MS_MAX_PATH_PARAMS], nseg;
	int m;

	if (w->req.path[0] != '/' && strcmp(route->pattern, "*") != 0)
		m = 0;
	else
		m = match_pattern(route->pattern, w->req.path, seg, seglen, &nseg);
	if (m == 0) {
		char detail[MS_DETAIL_MAX];

		snprintf(detail, sizeof(detail), "nothing is served at %.400s",
		    w->req.path);
		ms_response_problem(w->res, MS_PROBLEM_NOT_FOUND, detail, NULL, 0,
		    &w->req);
		return 1;
	}
	if (m < 0 || nseg != route->n_path_params) {
		ms_log(MS_LOG_ERROR, w->req.request_id,
		    "route %s: pattern %s does not fit its %zu path parameters",
		    route->name, route->pattern, route->n_path_params);
		w->fatal = MS_ERR_INTERNAL;
		return 1;
	}
	/* Validation of the captured segments waits for the method check. */
	for (size_t k = 0; k < nseg; k++) {
		char reason[MS_INVALID_REASON_MAX];
		const struct ms_param_spec *spec = &route->path_params[k];
		char *v = arena_take(&w->req, seglen[k] + 1);
		int rc;

		if (v == NULL) {
			w->fatal = MS_ERR_INTERNAL;
			return 1;
		}
		memcpy(v, seg[k], seglen[k]);
		v[seglen[k]] = '\0';
		rc = ms_param_check(spec, v, seglen[k], &w->req.path_values[k],
		    reason, sizeof(reason));
		if (rc == MS_ERR_NOMEM || rc == MS_ERR_INTERNAL) {
			w->fatal = rc;
			return 1;
		}
		if (rc != MS_OK)
			invalid_add(&w->inv, spec->name, strlen(spec->name), reason);
	}
	return 0;
}

/* Returns 0, or 1 after writing a 413/400 problem. */
static int
check_content_length(struct work *w)
{
	const char *cl = env_get(w->req.envp, "CONTENT_LENGTH");
	unsigned long long v;
	size_t n;

	if (cl == NULL || cl[0] == '\0')
		return 0;
	n = strlen(cl);
	for (size_t i = 0; i < n; i++) {
		if (cl[i] < '0' || cl[i] > '9') {
			problem_one(w, "Content-Length",
			    "must be a non-negative decimal integer");
			return 1;
		}
	}
	/* At most 19 digits cannot overflow; more is too large anyway. */
	v = n > 19 ? ULLONG_MAX : strtoull(cl, NULL, 10);
	if (v > MS_CONTENT_MAX) {
		char detail[128];

		snprintf(detail, sizeof(detail),
		    "request bodies are limited to %d bytes", MS_CONTENT_MAX);
		ms_response_problem(w->res, MS_PROBLEM_PAYLOAD_TOO_LARGE, detail,
		    NULL, 0, &w->req);
		return 1;
	}
	return 0;
}

static size_t
count_pairs(const char *qs, size_t len)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i == len || qs[i] == '&') {
			if (i > start)
				n++;
			start = i + 1;
		}
	}
	return n;
}

/* Looks up a decoded key in the route's table; -1 if unknown. */
static long
spec_index(const struct ms_route *route, const char *key, size_t len)
{
	for (size_t i = 0; i < route->n_params; i++) {
		const char *nm = route->params[i].name;

		if (strlen(nm) == len && memcmp(nm, key, len) == 0)
			return (long)i;
	}
	return -1;
}

/* One "key=value" (or "key") segment of the query string. */
static void
query_pair(struct work *w, const char *seg, size_t len)
{
	const struct ms_route *route = w->route;
	const char *eq = memchr(seg, '=', len);
	size_t klen = eq != NULL ? (size_t)(eq - seg) : len;
	size_t vlen = eq != NULL ? len - klen - 1 : 0;
	char reason[MS_INVALID_REASON_MAX];
	char *key, *val;
	size_t kdec, vdec;
	long i;
	int rc;

	key = arena_take(&w->req, klen + 1);
	val = arena_take(&w->req, vlen + 1);
	if (key == NULL || val == NULL) {
		w->fatal = MS_ERR_INTERNAL;
		return;
	}
	if (ms_param_unescape(seg, klen, key, &kdec) != MS_OK) {
		invalid_add(&w->inv, seg, klen, "contains an invalid percent-escape");
		return;
	}
	i = spec_index(route, key, kdec);
	if (i < 0) {
		/* The catch-all route answers any URL; it has no unknown keys. */
		if (strcmp(route->pattern, "*") != 0)
			invalid_add(&w->inv, key, kdec, "unknown parameter");
		return;
	}
	if (w->seen[i] != 0) {
		if (w->seen[i] == 1)
			invalid_add(&w->inv, key, kdec, "repeated parameter");
		w->seen[i] = 2;
		ms_param_value_clear(&w->req.values[i]);
		return;
	}
	w->seen[i] = 1;
	if (ms_param_unescape(eq != NULL ? eq + 1 : "", vlen, val, &vdec) !=
	    MS_OK) {
		invalid_add(&w->inv, key, kdec, "contains an invalid percent-escape");
		return;
	}
	rc = ms_param_check(&route->params[i], val, vdec, &w->req.values[i],
	    reason, sizeof(reason));
	if (rc == MS_ERR_NOMEM || rc == MS_ERR_INTERNAL)
		w->fatal = rc;
	else if (rc != MS_OK)
		invalid_add(&w->inv, key, kdec, reason);
}

/*
 * Checks the query string's size and number of pairs, then allocates the
 * request's arena (sized so that it never grows) and value array. Returns
 * 0, or 1 after writing a problem (or setting w->fatal).
 */
static int
prepare_query(struct work *w)
{
	const struct ms_route *route = w->route;
	const char *qs = env_get(w->req.envp, "QUERY_STRING");
	size_t qlen, npairs, cap;

	if (qs == NULL)
		qs = "";
	qlen = strlen(qs);
	if (qlen > MS_QUERY_MAX) {
		char detail[128];

		snprintf(detail, sizeof(detail),
		    "the query string is longer than %d bytes", MS_QUERY_MAX);
		ms_response_problem(w->res, MS_PROBLEM_URI_TOO_LONG, detail,
		    NULL, 0, &w->req);
		return 1;
	}
	npairs = count_pairs(qs, qlen);
	if (npairs > MS_QUERY_MAX_PAIRS) {
		char reason[96];

		snprintf(reason, sizeof(reason),
		    "must have at most %d parameters", MS_QUERY_MAX_PAIRS);
		problem_one(w, "query", reason);
		return 1;
	}
	/* Every decoded key and value fits in its raw bytes plus a NUL. */
	cap = qlen + 2 * (npairs + 1) + strlen(w->req.path) +
	    MS_MAX_PATH_PARAMS + 1;
	w->req.arena = malloc(cap);
	if (route->n_params > 0) {
		w->req.values = calloc(route->n_params,
		    sizeof(*w->req.values) + 1);
		if (w->req.values != NULL)
			w->seen = (unsigned char *)(w->req.values + route->n_params);
	}
	if (w->req.arena == NULL || (route->n_params > 0 && w->req.values == NULL)) {
		w->fatal = MS_ERR_NOMEM;
		return 1;
	}
	w->req.arena_cap = cap;
	return 0;
}

/*
 * Decodes and validates every query pair, then applies defaults and flags
 * missing required keys. Rejections go to w->inv; allocation failures and
 * table bugs set w->fatal.
 */
static void
parse_query(struct work *w)
{
	const struct ms_route *route = w->route;
	const char *qs = env_get(w->req.envp, "QUERY_STRING");
	size_t qlen = qs != NULL ? strlen(qs) : 0, start = 0;

	for (size_t i = 0; i <= qlen && w->fatal == 0; i++) {
		if (i < qlen && qs[i] != '&')
			continue;
		if (i > start)
			query_pair(w, qs + start, i - start);
		start = i + 1;
	}
	for (size_t k = 0; k < route->n_params && w->fatal == 0; k++) {
		const struct ms_param_spec *spec = &route->params[k];
		char reason[MS_INVALID_REASON_MAX];
		int rc;

		if (w->seen[k] != 0)
			continue;
		if (spec->required) {
			invalid_add(&w->inv, spec->name, strlen(spec->name),
			    "is required");
			continue;
		}
		if (spec->def == NULL)
			continue;
		rc = ms_param_check(spec, spec->def, strlen(spec->def),
		    &w->req.values[k], reason, sizeof(reason));
		if (rc != MS_OK) {
			/* A default its own validator refuses: a table bug. */
			ms_log(MS_LOG_ERROR, w->req.request_id,
			    "route %s: default of %s %s", route->name,
			    spec->name, reason);
			w->fatal = MS_ERR_INTERNAL;
			return;
		}
		w->req.values[k].defaulted = 1;
	}
}

static void
make_request_id(struct work *w)
{
	const char *given = env_get(w->req.envp, "HTTP_X_REQUEST_ID");

	if (valid_request_id(given)) {
		memcpy(w->req.request_id, given, strlen(given) + 1);
		return;
	}
	snprintf(w->req.request_id, sizeof(w->req.request_id),
	    "%lx-%" PRIx64 "-%" PRIx64, (unsigned long)getpid(),
	    now_us(CLOCK_REALTIME) / 1000u, w->ctx->requests);
}

/* Runs the checks and the handler; leaves a response in w->res. */
static void
run(struct work *w)
{
	const struct ms_route *route = w->route;
	const char *m = env_get(w->req.envp, "REQUEST_METHOD");
	size_t mlen;
	int rc;

	if (m == NULL || m[0] == '\0')
		m = "GET";
	mlen = strlen(m);
	if (mlen > HTTP_METHOD_MAX)
		mlen = HTTP_METHOD_MAX;
	sanitize(w->method, m, mlen, HTTP_METHOD_MAX - 3, '?');
	w->req.method = w->method;

	if (parse_path(w) != 0)
		return;
	if (prepare_query(w) != 0)
		return;
	if (route_path(w) != 0)
		return;
	if (!method_allowed(route, w->method)) {
		char detail[128];

		snprintf(detail, sizeof(detail), "%s is not allowed here",
		    w->method);
		ms_response_problem(w->res, MS_PROBLEM_METHOD_NOT_ALLOWED, detail,
		    NULL, 0, &w->req);
		return;
	}
	if (check_content_length(w) != 0)
		return;
	parse_query(w);
	if (w->fatal != 0)
		return;
	if (w->inv.total > 0) {
		problem_invalid(w);
		return;
	}
	if (route->handler == NULL) {
		w->fatal = MS_ERR_INTERNAL;
		return;
	}
	rc = route->handler(w->ctx, &w->req, w->res);
	if (w->ctx->store != NULL)
		ms_store_read_end(w->ctx->store);
	if (rc < 0)
		w->fatal = rc;
	else if (w->res->status < 100 || w->res->status > 599)
		w->fatal = MS_ERR_INTERNAL;
}

void
ms_handle(struct ms_ctx *ctx, const struct ms_route *route, char **envp,
    struct ms_response *res)
{
	struct work *w;
	uint64_t t0 = now_us(CLOCK_MONOTONIC);
	char status[16], bytes[32], us[32], err[64];

	/* ~5 KB of bounded state: heap rather than stack for small threads. */
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		res->error = MS_ERR_NOMEM;
		ms_response_problem(res, MS_PROBLEM_INTERNAL, NULL, NULL, 0, NULL);
		return;
	}
	ctx->requests++;
	w->ctx = ctx;
	w->route = route;
	w->res = res;
	w->req.route = route;
	w->req.envp = envp;
	make_request_id(w);
	run(w);

	if (w->fatal != 0) {
		/* Whatever the handler wrote is discarded; details go to the log. */
		ms_buf_reset(&res->body);
		res->n_headers = 0;
		res->error = w->fatal;
		ms_response_problem(res, MS_PROBLEM_INTERNAL,
		    "the server could not answer this request; the error has "
		    "been logged", NULL, 0, &w->req);
	}
	(void)ms_response_header(res, "X-Request-Id", w->req.request_id);
	if (ms_response_header_get(res, "Cache-Control") == NULL)
		(void)ms_response_header(res, "Cache-Control",
		    res->status < 400 ? "no-cache" : "no-store");
	/* HEAD gets the headers of whatever GET would have answered. */
	if (strcmp(w->method, "HEAD") == 0)
		res->head_only = 1;

	snprintf(status, sizeof(status), "%d", res->status);
	snprintf(bytes, sizeof(bytes), "%zu", res->body.len);
	snprintf(us, sizeof(us), "%" PRIu64, now_us(CLOCK_MONOTONIC) - t0);
	if (res->status >= 500) {
		struct ms_log_field f[7] = {
			{ "route", route->name }, { "method", w->method },
			{ "path", w->req.path }, { "status", status },
			{ "us", us }, { "err", NULL }, { "store", NULL },
		};
		size_t n = 5;

		if (res->error != 0) {
			snprintf(err, sizeof(err), "%s (%d)",
			    ms_strerror(res->error), res->error);
			f[n++].value = err;
		}
		if (res->status == 503 && ctx->store == NULL &&
		    ctx->store_path[0] != '\0') {
			f[n] = f[6];
			f[n++].value = ctx->store_path;
		}
		ms_log_fields(MS_LOG_ERROR, w->req.request_id, f, n,
		    "request failed");
	} else if (ctx->log_requests) {
		struct ms_log_field f[6] = {
			{ "route", route->name }, { "method", w->method },
			{ "path", w->req.path }, { "status", status },
			{ "bytes", bytes }, { "us", us },
		};

		ms_log_fields(MS_LOG_INFO, w->req.request_id, f, 6, "request");
	}
	request_free(&w->req);
	free(w);
}

/* ---- per-process context ----------------------------------------------- */

void
ms_ctx_init(struct ms_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
}

void
ms_ctx_free(struct ms_ctx *ctx)
{
	if (ctx == NULL)
		return;
	ms_store_close(ctx->store);
	ctx->store = NULL;
}

struct ms_store *
ms_ctx_store(struct ms_ctx *ctx, struct ms_response *res,
    const struct ms_request *req)
{
	struct ms_store *st = NULL;
	int rc;

	if (ctx->store != NULL)
		goto reading;
	if (ctx->store_path[0] == '\0') {
		const char *p = ms_store_path_default();
		size_t n = p != NULL ? strlen(p) : 0;

		if (n == 0 || n >= sizeof(ctx->store_path)) {
			res->error = MS_ERR_TOOBIG;
			ms_response_problem(res, MS_PROBLEM_STORE_UNAVAILABLE,
			    "the data store is not available", NULL, 0, req);
			return NULL;
		}
		memcpy(ctx->store_path, p, n + 1);
	}
	rc = ms_store_open(ctx->store_path, MS_STORE_RO, &st);
	if (rc != MS_OK || st == NULL) {
		res->error = rc != MS_OK ? rc : MS_ERR_INTERNAL;
		ms_response_problem(res, MS_PROBLEM_STORE_UNAVAILABLE,
		    "the data store is not available; try again later",
		    NULL, 0, req);
		return NULL;
	}
	ctx->store = st;
reading:
	/* One snapshot for the whole request; ms_handle ends it. */
	if ((rc = ms_store_read_begin(ctx->store)) != MS_OK) {
		res->error = rc;
		ms_response_problem(res, MS_PROBLEM_STORE_UNAVAILABLE,
		    "the data store is not available; try again later",
		    NULL, 0, req);
		return NULL;
	}
	return ctx->store;
}

/* ---- --help ------------------------------------------------------------ */

static const char *
type_name(enum ms_param_type t)
{
	switch (t) {
	case MS_PARAM_STRING: return "string";
	case MS_PARAM_SLUG: return "slug";
	case MS_PARAM_INT: return "integer";
	case MS_PARAM_NUMBER: return "number";
	case MS_PARAM_DATE: return "date";
	case MS_PARAM_ENUM: return "enum";
	case MS_PARAM_LIST: return "list";
	}
	return "?";
}

static int
help_table(struct ms_buf *out, const char *title,
    const struct ms_param_spec *specs, size_t n, int path)
{
	int rc = ms_buf_printf(out, "\n%s:\n", title);

	if (rc == MS_OK && n == 0)
		rc = ms_buf_puts(out, "  (none)\n");
	for (size_t i = 0; rc == MS_OK && i < n; i++) {
		const struct ms_param_spec *s = &specs[i];
		char what[256];

		ms_param_describe(s, what, sizeof(what));
		rc = ms_buf_printf(out, "  %-14s %-8s %-9s %s\n", s->name,
		    type_name(s->type),
		    path || s->required ? "required" : "optional",
		    s->doc != NULL ? s->doc : "");
		if (rc == MS_OK)
			rc = ms_buf_printf(out, "  %-14s %-8s %-9s accepts %s\n",
			    "", "", "", what);
		if (rc == MS_OK && s->def != NULL)
			rc = ms_buf_printf(out, "  %-14s %-8s %-9s default %s\n",
			    "", "", "", s->def);
	}
	return rc;
}

int
ms_route_help(const struct ms_route *route, struct ms_buf *out)
{
	char allow[256];
	int rc;

	allow_value(route, allow, sizeof(allow));
	rc = ms_buf_printf(out, "%s - %s\n\n  route:   %s\n  methods: %s\n",
	    route->name, route->summary != NULL ? route->summary : "",
	    route->pattern, allow);
	if (rc == MS_OK)
		rc = help_table(out, "path parameters", route->path_params,
		    route->n_path_params, 1);
	if (rc == MS_OK)
		rc = help_table(out, "query parameters", route->params,
		    route->n_params, 0);
	if (rc == MS_OK)
		rc = ms_buf_puts(out, "\nRun by a FastCGI server (or as CGI) it "
		    "serves requests; MOONSCOPE_DB names the store,\n"
		    "MS_LOG_REQUESTS=1 logs one line per request on stderr.\n");
	return rc;
}
