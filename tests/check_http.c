/*
 * check_http.c — tests of the request/response runtime without a server.
 *
 * Each test builds the CGI variables a web server would pass, calls
 * ms_handle() with a small test route, and checks the status, headers and
 * the parsed JSON body: routing and path parameters, the query-string
 * rules (unknown, repeated, missing, malformed keys — all collected into
 * one problem), Content-Length, handler failures, the store context, the
 * envelope, problem+json, serialization, the JSON helpers and the log line
 * format. A multi-request test is there for `make valgrind` to prove that
 * nothing a request allocates survives it.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <cJSON.h>

#include "ms_date.h"
#include "ms_error.h"
#include "ms_http.h"
#include "ms_json.h"
#include "ms_log.h"
#include "ms_problem.h"
#include "ms_store.h"

/* ---- test routes ------------------------------------------------------- */

static const char *const intervals[] = { "1d", "7d", "30d", NULL };

static const struct ms_param_spec echo_path[] = {
	{ .name = "id", .type = MS_PARAM_SLUG, .max_len = 16,
	    .doc = "asset id" },
};

static const struct ms_param_spec echo_params[] = {
	{ .name = "limit", .type = MS_PARAM_INT, .min_i = 1, .max_i = 500,
	    .def = "100", .doc = "rows per page" },
	{ .name = "q", .type = MS_PARAM_STRING, .doc = "free text" },
	{ .name = "as_of", .type = MS_PARAM_DATE, .doc = "day" },
	{ .name = "ids", .type = MS_PARAM_LIST, .max_items = 5,
	    .def = "btc,eth", .doc = "assets" },
	{ .name = "interval", .type = MS_PARAM_ENUM, .choices = intervals,
	    .def = "1d", .doc = "bar size" },
	{ .name = "p", .type = MS_PARAM_NUMBER, .min_d = 0, .max_d = 1,
	    .doc = "probability" },
};

static int
echo_handler(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	const struct ms_param_value *id = ms_request_path_param(req, "id");
	const struct ms_param_value *limit = ms_request_param(req, "limit");
	const struct ms_param_value *q = ms_request_param(req, "q");
	const struct ms_param_value *as_of = ms_request_param(req, "as_of");
	const struct ms_param_value *ids = ms_request_param(req, "ids");
	const struct ms_param_value *iv = ms_request_param(req, "interval");
	const struct ms_param_value *p = ms_request_param(req, "p");
	struct ms_meta meta = { .as_of = 17532, .source = "test",
	    .synthetic = 1, .data_version = 7, .page = 2, .limit = 10,
	    .total = 25 };
	cJSON *data = cJSON_CreateObject(), *arr;

	(void)ctx;
	if (data == NULL)
		return MS_ERR_NOMEM;
	ms_json_str(data, "id", id->s);
	ms_json_int(data, "limit", limit->i);
	ms_json_bool(data, "limit_defaulted", limit->defaulted);
	ms_json_str(data, "q", q->present ? q->s : NULL);
	ms_json_date(data, "as_of", as_of->present ? as_of->day : -1);
	arr = cJSON_AddArrayToObject(data, "ids");
	for (size_t i = 0; arr != NULL && i < ids->nitems; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(ids->items[i]));
	ms_json_int(data, "interval", iv->choice);
	ms_json_num(data, "p", p->present ? p->d : NAN);
	ms_json_str(data, "method", req->method);
	ms_json_str(data, "path", req->path);
	ms_json_str(data, "accept", ms_request_env(req, "HTTP_ACCEPT"));
	ck_assert_ptr_null(ms_request_param(req, "nope"));
	ck_assert_ptr_null(ms_request_path_param(req, "nope"));
	return ms_response_envelope(res, 200, data, &meta, req);
}

static const struct ms_route echo_route = {
	.name = "t_echo", .pattern = "/v1/echo/{id}", .methods = "GET",
	.path_params = echo_path, .n_path_params = 1,
	.params = echo_params, .n_params = 6,
	.handler = echo_handler, .summary = "echoes its validated input",
};

static const struct ms_param_spec req_params[] = {
	{ .name = "name", .type = MS_PARAM_STRING, .required = 1 },
	{ .name = "n", .type = MS_PARAM_INT, .required = 1, .min_i = 1,
	    .max_i = 3 },
};

static int
ok_handler(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	cJSON *data = cJSON_CreateObject();

	(void)ctx;
	ms_json_str(data, "path", req->path);
	return ms_response_envelope(res, 200, data, NULL, req);
}

static const struct ms_route req_route = {
	.name = "t_req", .pattern = "/v1/req", .methods = "GET, HEAD, POST",
	.params = req_params, .n_params = 2, .handler = ok_handler,
	.summary = "two required parameters",
};

static const struct ms_route star_route = {
	.name = "t_star", .pattern = "*", .methods = "GET",
	.handler = ok_handler, .summary = "everything",
};

static const struct ms_route multi_route = {
	.name = "t_multi", .pattern = "/v1/{a}/x/{b}", .methods = "GET",
	.path_params = (const struct ms_param_spec[]){
		{ .name = "a", .type = MS_PARAM_SLUG },
		{ .name = "b", .type = MS_PARAM_INT, .min_i = 1, .max_i = 9 },
	},
	.n_path_params = 2, .handler = ok_handler, .summary = "two segments",
};

static int
fail_handler(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	(void)ctx;
	(void)req;
	ms_buf_puts(&res->body, "SECRET half-written body");
	ms_response_header(res, "X-Leak", "1");
	res->status = 200;
	return MS_ERR_STORE;
}

static const struct ms_route fail_route = {
	.name = "t_fail", .pattern = "/v1/fail", .methods = "GET",
	.handler = fail_handler, .summary = "always fails",
};

static int
nostatus_handler(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	(void)ctx;
	(void)req;
	(void)res;
	return 0;
}

static const struct ms_route nostatus_route = {
	.name = "t_nostatus", .pattern = "/v1/nostatus", .methods = "GET",
	.handler = nostatus_handler, .summary = "forgets the status",
};

static int
store_handler(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	struct ms_store *st = ms_ctx_store(ctx, res, req);
	cJSON *data;

	if (st == NULL)
		return 0;
	data = cJSON_CreateObject();
	ms_json_bool(data, "store", 1);
	return ms_response_envelope(res, 200, data, NULL, req);
}

static const struct ms_route store_route = {
	.name = "t_store", .pattern = "/v1/store", .methods = "GET",
	.handler = store_handler, .summary = "opens the store",
};

static const struct ms_param_spec bad_default_params[] = {
	{ .name = "n", .type = MS_PARAM_INT, .min_i = 1, .max_i = 5,
	    .def = "9" },
};

static const struct ms_route bad_default_route = {
	.name = "t_baddef", .pattern = "/v1/baddef", .methods = "GET",
	.params = bad_default_params, .n_params = 1, .handler = ok_handler,
	.summary = "a default its validator refuses",
};

/* ---- helpers ----------------------------------------------------------- */

/* Captures what is written to fd 2 between start and end. */
struct capture {
	int saved;
	FILE *tmp;
};

static void
capture_start(struct capture *c)
{
	fflush(stderr);
	c->tmp = tmpfile();
	ck_assert_ptr_nonnull(c->tmp);
	c->saved = dup(STDERR_FILENO);
	ck_assert_int_ge(c->saved, 0);
	ck_assert_int_ge(dup2(fileno(c->tmp), STDERR_FILENO), 0);
}

/* Returns what was captured (caller frees). */
static char *
capture_end(struct capture *c)
{
	long n;
	char *s;

	fflush(stderr);
	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	n = ftell(c->tmp);
	ck_assert_int_ge(n, 0);
	s = calloc(1, (size_t)n + 1);
	ck_assert_ptr_nonnull(s);
	rewind(c->tmp);
	ck_assert_uint_eq(fread(s, 1, (size_t)n, c->tmp), (size_t)n);
	fclose(c->tmp);
	return s;
}

static size_t
count_char(const char *s, char c)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == c;
	return n;
}

/* Ends run_env's list of extra variables (a typed null pointer). */
#define ENV_END ((const char *)0)

/*
 * Runs one request: method, request URI (QUERY_STRING is derived from it
 * as a server would), then extra "K=V" variables, NULL-terminated. Any 5xx
 * log line goes to a capture and is returned in *log when log is not NULL.
 */
static void
run_env(struct ms_ctx *ctx, const struct ms_route *route,
    struct ms_response *res, char **log, const char *method,
    const char *uri, ...)
{
	char *env[16];
	size_t n = 0;
	struct capture cap;
	const char *extra;
	char *s;
	va_list ap;

	if (method != NULL) {
		env[n] = malloc(strlen(method) + 16);
		snprintf(env[n++], strlen(method) + 16, "REQUEST_METHOD=%s", method);
	}
	if (uri != NULL) {
		const char *q = strchr(uri, '?');

		env[n] = malloc(strlen(uri) + 16);
		snprintf(env[n++], strlen(uri) + 16, "REQUEST_URI=%s", uri);
		if (q != NULL) {
			env[n] = malloc(strlen(q) + 16);
			snprintf(env[n++], strlen(q) + 16, "QUERY_STRING=%s", q + 1);
		}
	}
	va_start(ap, uri);
	while ((extra = va_arg(ap, const char *)) != NULL && n < 15)
		env[n++] = strdup(extra);
	va_end(ap);
	env[n] = NULL;

	ms_response_init(res);
	capture_start(&cap);
	ms_handle(ctx, route, env, res);
	s = capture_end(&cap);
	if (log != NULL)
		*log = s;
	else
		free(s);
	for (size_t i = 0; i < n; i++)
		free(env[i]);
}

static cJSON *
body_json(const struct ms_response *res)
{
	cJSON *doc;

	ck_assert_ptr_nonnull(res->body.data);
	doc = cJSON_ParseWithLength(res->body.data, res->body.len);
	ck_assert_msg(doc != NULL, "body is not JSON: %s", res->body.data);
	return doc;
}

static const char *
jstr(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

static double
jnum(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNumber(it) ? it->valuedouble : NAN;
}

/* Asserts a problem response of the given kind; returns its parsed body. */
static cJSON *
assert_problem(const struct ms_response *res, enum ms_problem_kind kind)
{
	const struct ms_problem_type *t = ms_problem_type(kind);
	char type[128];
	cJSON *doc;

	ck_assert_int_eq(res->status, t->status);
	ck_assert_str_eq(res->content_type, "application/problem+json");
	doc = body_json(res);
	snprintf(type, sizeof(type), "%s%s", MS_PROBLEM_BASE, t->slug);
	ck_assert_str_eq(jstr(doc, "type"), type);
	ck_assert_str_eq(jstr(doc, "title"), t->title);
	ck_assert_int_eq((int)jnum(doc, "status"), t->status);
	ck_assert_ptr_nonnull(jstr(doc, "instance"));
	ck_assert_int_eq(strncmp(jstr(doc, "instance"), "urn:request:", 12), 0);
	ck_assert_str_eq(ms_response_header_get(res, "Cache-Control"),
	    "no-store");
	ck_assert_ptr_nonnull(ms_response_header_get(res, "X-Request-Id"));
	return doc;
}

/* 1 if invalid_params holds exactly this (name, reason) entry. */
static int
has_invalid(const cJSON *doc, const char *name, const char *reason)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc,
	    "invalid_params");
	const cJSON *it;

	cJSON_ArrayForEach(it, arr) {
		const char *n = jstr(it, "name"), *r = jstr(it, "reason");

		if (n != NULL && r != NULL && strcmp(n, name) == 0 &&
		    strcmp(r, reason) == 0)
			return 1;
	}
	return 0;
}

/* The first reason given for `name` in invalid_params, or NULL. */
static const char *
invalid_reason(const cJSON *doc, const char *name)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc,
	    "invalid_params");
	const cJSON *it;

	cJSON_ArrayForEach(it, arr) {
		const char *n = jstr(it, "name");

		if (n != NULL && strcmp(n, name) == 0)
			return jstr(it, "reason");
	}
	return NULL;
}

static int
invalid_count(const cJSON *doc)
{
	return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc,
	    "invalid_params"));
}

/* ---- core: successful requests ------------------------------------------ */

START_TEST(test_get_ok)
{
	struct ms_ctx ctx;
	struct ms_response res;
	cJSON *doc, *data, *meta, *pg, *ids;

	ms_ctx_init(&ctx);
	run_env(&ctx, &echo_route, &res, NULL, "GET",
	    "/v1/echo/bitcoin?limit=5&q=a+b%21&as_of=2020-02-29&p=0.25",
	    "HTTP_ACCEPT=application/json", ENV_END);
	ck_assert_int_eq(res.status, 200);
	ck_assert_str_eq(res.content_type, "application/json; charset=utf-8");
	ck_assert_str_eq(ms_response_header_get(&res, "Cache-Control"),
	    "no-cache");
	ck_assert_int_eq(res.head_only, 0);
	doc = body_json(&res);
	data = cJSON_GetObjectItemCaseSensitive(doc, "data");
	ck_assert_str_eq(jstr(data, "id"), "bitcoin");
	ck_assert_int_eq((int)jnum(data, "limit"), 5);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(data, "limit_defaulted")));
	ck_assert_str_eq(jstr(data, "q"), "a b!");
	ck_assert_str_eq(jstr(data, "as_of"), "2020-02-29");
	ck_assert_double_eq(jnum(data, "p"), 0.25);
	ck_assert_int_eq((int)jnum(data, "interval"), 0);      /* default 1d */
	ids = cJSON_GetObjectItem(data, "ids");                 /* default list */
	ck_assert_int_eq(cJSON_GetArraySize(ids), 2);
	ck_assert_str_eq(cJSON_GetArrayItem(ids, 1)->valuestring, "eth");
	ck_assert_str_eq(jstr(data, "method"), "GET");
	ck_assert_str_eq(jstr(data, "path"), "/v1/echo/bitcoin");
	ck_assert_str_eq(jstr(data, "accept"), "application/json");

	meta = cJSON_GetObjectItemCaseSensitive(doc, "meta");
	ck_assert_str_eq(jstr(meta, "as_of"), "2018-01-01");
	ck_assert_str_eq(jstr(meta, "source"), "test");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(meta, "synthetic")));
	ck_assert_int_eq((int)jnum(meta, "data_version"), 7);
	ck_assert_str_eq(jstr(meta, "request_id"),
	    ms_response_header_get(&res, "X-Request-Id"));
	pg = cJSON_GetObjectItem(meta, "pagination");
	ck_assert_int_eq((int)jnum(pg, "page"), 2);
	ck_assert_int_eq((int)jnum(pg, "limit"), 10);
	ck_assert_int_eq((int)jnum(pg, "total"), 25);
	ck_assert_int_eq((int)jnum(pg, "pages"), 3);
	cJSON_Delete(doc);
	ms_response_free(&res);
	ck_assert_uint_eq(ctx.requests, 1);
	ms_ctx_free(&ctx);
}
END_TEST

START_TEST(test_defaults_and_nulls)
{
	struct ms_ctx ctx;
	struct ms_response res;
	cJSON *doc, *data;

	ms_ctx_init(&ctx);
	run_env(&ctx, &echo_route, &res, NULL, "GET", "/v1/echo/btc", ENV_END);
	ck_assert_int_eq(res.status, 200);
	doc = body_json(&res);
	data = cJSON_GetObjectItem(doc, "data");
	ck_assert_int_eq((int)jnum(data, "limit"), 100);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(data, "limit_defaulted")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(data, "q")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(data, "as_of")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(data, "p")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(data, "accept")));
	cJSON_Delete(doc);
	ms_response_free(&res);
	ms_ctx_free(&ctx);
}
END_TEST

START_TEST(test_empty_segments_ignored)
{
	struct ms_ctx ctx;
	struct ms_response res;

	ms_ctx_init(&ctx);
	run_env(&ctx, &echo_route, &res, NULL, "GET",
	    "/v1/echo/btc?&&limit=5&&", ENV_END);
	ck_assert_int_eq(res.status, 200);
	ms_response_free(&res);
	ms_ctx_free(&ctx);
}
END_TEST

START_TEST(test_request_id)
{
	struct ms_ctx ctx;
	struct ms_response res;
	char id63[64], id64[128], gen1[MS_REQUEST_ID_MAX];
	static const char *const bad[] = {
		"HTTP_X_REQUEST_ID=", "HTTP_X_REQUEST_ID=a b",
		"HTTP_X_REQUEST_ID=a\"b", "HTTP_X_REQUEST_ID=\xc3\xa9",
		"HTTP_X_REQUEST_ID=a/b",
	};

	ms_ctx_init(&ctx);
	run_env(&ctx, &echo_route, &res, NULL, "GET", "/v1/echo/btc",
	    "HTTP_X_REQUEST_ID=abc-123_X.y", ENV_END);
	ck_assert_str_eq(ms_response_header_get(&res, "X-Request-Id"),
	    "abc-123_X.y");
	ms_response_free(&res);

	memset(id63, 'a', 63);
	id63[63] = '\0';
	snprintf(id64, sizeof(id64), "HTTP_X_REQUEST_ID=%sa", id63);
	run_env(&ctx, &echo_route, &res, NULL, "GET", "/v1/echo/btc", id64,
	    ENV_END);
	ck_assert_str_ne(ms_response_header_get(&res, "X-Request-Id"), id64 + 18);
	snprintf(gen1, sizeof(gen1), "%s",
	    ms_response_header_get(&res, "X-Request-Id"));
	ms_response_free(&res);

	snprintf(id64, sizeof(id64), "HTTP_X_REQUEST_ID=%s", id63);
	run_env(&ctx, &echo_route, &res, NULL, "GET", "/v1/echo/btc", id64,
	    ENV_END);
	ck_assert_str_eq(ms_response_header_get(&res, "X-Request-Id"), id63);
	ms_response_free(&res);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *got;

		run_env(&ctx, &echo_route, &res, NULL, "GET", "/v1/echo/btc",
		    bad[i], ENV_END);
		got = ms_response_header_get(&res, "X-Request-Id");
		ck_assert_str_ne(got, bad[i] + 18);
		/* generated ids differ from request to request */
		ck_assert_str_ne(got, gen1);
		ck_assert_uint_gt(strlen(got), 0);
		ck_assert_uint_eq(strspn(got, "0123456789abcdef-"), strlen(got));
		ms_response_free(&res);
	}
	ms_ctx_free(&ctx);
}
END_TEST

START_TEST(test_head)
{
	struct ms_ctx ctx;
	struct ms_response res;
	struct ms_buf out;
	char want[64];

	ms_ctx_init(&ctx);
	run_env(&ctx, &echo_route, &res, NULL, "HEAD", "/v1/echo/btc", ENV_END);
	ck_assert_int_eq(res.status, 200);
	ck_assert_int_eq(res.head_only, 1);
	ck_assert_uint_gt(res.body.len, 0);
	ms_buf_init(&out, 0);
	ck_assert_int_eq(ms_response_serialize(&res, &out), 0);
	snprintf(want, sizeof(want), "Content-Length: %zu\r\n", res.body.len);
	ck_assert_ptr_nonnull(strstr(out.data, want));
	/* headers only: the serialization ends with the blank line */
	ck_assert_str_eq(out.data + out.len - 4, "\r\n\r\n");
	ms_buf_free(&out);
	ms_response_free(&res);

	/* HEAD gets headers only for a problem too */
	run_env(&ctx, &echo_route, &res, NULL, "HEAD", "/v1/echo/btc?limit=0",
	    ENV_END);
	ck_assert_int_eq(res.status, 400);
	ck_assert_int_eq(res.head_only, 1);
	ms_response_free(&res);
	ms_ctx_free(&ctx);
}
END_TEST

START_TEST(test_method_not_allowed)
{
	static const char *const methods[] = {
		"POST", "PUT", "DELETE", "OPTIONS", "get", "PATCH", "G\nET",
		"AVERYLONGMETHODNAMEINDEED",
	};
	struct ms_ctx ctx;
	struct ms_response res;

	ms_ctx_init(&ctx);
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		cJSON *doc;

		run_env(&ctx, &echo_route, &res, NULL, methods[i],
		    "/v1/echo/btc?limit=0", ENV_END);
		doc = assert_problem(&res, MS_PROBLEM_METHOD_NOT_ALLOWED);
		ck_assert_str_eq(ms_response_header_get(&res, "Allow"),
		    "GET, HEAD");
		ck_assert_ptr_null(strchr(jstr(doc, "detail"), '\n'));
		cJSON_Delete(doc);
		ms_response_free(&res);
	}
	/* A route that lists HEAD itself is not given a second one. */
	run_env(&ctx, &req_route, &res, NULL, "DELETE", "/v1/req", ENV_END);
	ck_assert_int_eq(res.status, 405);
	ck_assert_str_eq(ms_response_header_get(&res, "Allow"),
	    "GET, HEAD, POST");
	ms_response_free(&res);
	ms_ctx_free(&ctx);
}
END_TEST

START_TEST(test_not_found)
{
	static const char *const uris[] = {
		"/v1/echo", "/v1/echo/", "/v1/echo/btc/", "/v1/echo/btc/x",
		"/v1/echox/btc", "/v1/ech/btc", "/", "/v2/echo/btc",
		"v1/echo/btc", "/v1//btc", "//v1/echo/btc", "/v1/echo%2Fbtc%2F",
	};
	struct ms_ctx ctx;
	struct ms_response res;

	ms_ctx_init(&ctx);
	for (size_t i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
		cJSON *doc;

		run_env(&ctx, &echo_route, &res, NULL, "GET", uris[i], ENV_END);
		ck_assert_msg(res.status == 404, "%s: %d", uris[i], res.status);
		doc = assert_problem(&res, MS_PROBLEM_NOT_FOUND);
		cJSON_Delete(doc);
		ms_response_free(&res);
	}
	/* 404 wins over 405: the path is checked first */
	run_env(&ctx, &echo_route, &res, NULL, "POST", "/nowhere", ENV_END);
	ck_assert_int_eq(res.status, 404);
	ms_response_free(&res);
	ms_ctx_free(&ctx);
}
END_TEST

START_TEST(test_path_params)
{
	struct ms_ctx ctx;
	struct ms_response res;
	cJSON *doc;

	ms_ctx_init(&ctx);
	/* decoded before matching; '+' is literal in a path */
	run_env(&ctx, &echo_route, &res, NULL, "GET", "/v1/echo/bit%63oin",
	    ENV_END);
	ck_assert_int_eq(res.status, 200);
	doc = body_json(&res);
	ck_assert_str_eq(jstr(cJSON_GetObjectItem(doc, "data"), "id"),
	    "bitcoin");
	cJSON_Delete(doc);
	ms_response_free(&res);

	run_env(&ctx, &echo_route, &res, NULL, "GET", "/v1/echo/a+b", ENV_END);
	doc = assert_problem(&res, MS_PROBLEM_INVALID_PARAMS);
	ck_assert_ptr_nonnull(invalid_reason(doc, "id"));
	cJSON_Delete(doc);
	ms_response_free(&res);

	run_env(&ctx, &echo_route, &res, NULL, "GET",
	    "/v1/echo/abcdefghijklmnopq", ENV_END);           /* 17 > 16 */
	doc = assert_problem(&res, MS_PROBLEM_INVALID_PARAMS);
	ck_assert_str_eq(invalid_reason(doc, "id"), "must be at most 16 bytes");
	cJSON_Delete(doc);
	ms_response_free(&res);

	/* path and query problems are reported together */
	run_env(&ctx, &echo_route, &res, NULL, "GET",
	    "/v1/echo/bad%20id?limit=x", ENV_END);
	doc = assert_problem(&res, MS_PROBLEM_INVALID_PARAMS);
	ck_assert_int_eq(invalid_count(doc), 2);
	ck_assert_ptr_nonnull(invalid_reason(doc, "id"));
	ck_assert_str_eq(invalid_reason(doc, "limit"),
	    "must be an integer between 1 and 500");
	cJSON_Delete(doc);
	ms_response_free(&res);

	/* two parameters, validated in order */
	run_env(&ctx, &multi_route, &res, NULL, "GET", "/v1/abc/x/7", ENV_END);
	ck_assert_int_eq(res.status, 200);
	ms_response_free(&res);
	run_env(&ctx, &multi_route, &res, NULL, "GET", "/v1/abc/x/70", ENV_END);
	doc = assert_problem(&res, MS_PROBLEM_INVALID_PARAMS);
	ck_assert_str_eq(invalid_reason(doc, "b"),
	    "must be an integer between 1 and 9");
	cJSON_Delete(doc);
	ms_response_free(&res);
	ms_ctx_free(&ctx);
}
END_TEST

START_TEST(test_bad_paths)
{
	static const struct {
		const char *uri;
		const char *reason;
	} bad[] = {
		{ "/v1/echo/%zz", "contains an invalid percent-escape" },
		{ "/v1/echo/%4", "contains an invalid percent-escape" },
		{ "/v1/echo/a%00b", "must be valid UTF-8 without NUL bytes" },
		{ "/v1/echo/%ff", "must be valid UTF-8 without NUL bytes" },
		{ "/v1/echo/a%0Ab", "must not contain control characters" },
	};
	struct ms_ctx ctx;
	struct ms_response res;

	ms_ctx_init(&ctx);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cJSON *doc;

		run_env(&ctx, &echo_route, &res, NULL, "GET", bad[i].uri, ENV_END);
		doc = assert_problem(&res, MS_PROBLEM_INVALID_PARAMS);
		ck_assert_str_eq(invalid_reason(doc, "path"), bad[i].reason);
		cJSON_Delete(doc);
		ms_response_free(&res);
	}
	ms_ctx_free(&ctx);
}
END_TEST

START_TEST(test_script_name_path_info)
{
	struct ms_ctx ctx;
	struct ms_response res;
	cJSON *doc;

	ms_ctx_init(&ctx);
	run_env(&ctx, &echo_route, &res, NULL, "GET", NULL,
	    "SCRIPT_NAME=/v1/echo", "PATH_INFO=/eth", "QUERY_STRING=limit=3",
	    ENV_END);
	ck_assert_int_eq(res.status, 200);
	doc = body_json(&res);
	ck_assert_str_eq(jstr(cJSON_GetObjectItem(doc, "data"), "id"), "eth");
	ck_assert_int_eq((int)jnum(cJSON_GetObjectItem(doc, "data"), "limit"), 3);
	cJSON_Delete(doc);
	ms_response_free(&res);

	/* absolute-form request URIs keep only their path */
	run_env(&ctx, &echo_route, &res, NULL, "GET",
	    "http://example.org/v1/echo/eth", ENV_END);
	ck_assert_int_eq(res.status, 200);
	ms_response_free(&res);

	/* no method at all is taken as GET */
	run_env(&ctx, &echo_route, &res, NULL, NULL, "/v1/echo/eth", ENV_END);
	ck_assert_int_eq(res.status, 200);
	ms_response_free(&res);
	ms_ctx_free(&ctx);
}
END_TEST

/* ---- core: query-string rules ------------------------------------------ */

struct qcase {
	const char *query;
	int status;
	int n_invalid;
	const char *name;     /* one expected entry (may be NULL) */
	const char *reason;
};

static const struct qcase qcases[] = {
	{ "limit=5", 200, 0, NULL, NULL },
	{ "limit=500&interval=30d&ids=a,b,c,d,e", 200, 0, NULL, NULL },
	{ "limit=0", 400, 1, "limit", "must be an integer between 1 and 500" },
	{ "limit=501", 400, 1, "limit", "must be an integer between 1 and 500" },
	{ "limit=%2B5", 400, 1, "limit", "must be an integer between 1 and 500" },
	{ "limit=5%20", 400, 1, "limit", "must be an integer between 1 and 500" },
	{ "limit=99999999999999999999", 400, 1, "limit",
	    "must be an integer between 1 and 500" },
	{ "limit=", 400, 1, "limit", "must not be empty" },
	{ "limit", 400, 1, "limit", "must not be empty" },
	{ "limit=%005", 400, 1, "limit", "must not contain NUL bytes" },
	{ "bogus=1", 400, 1, "bogus", "unknown parameter" },
	{ "LIMIT=1", 400, 1, "LIMIT", "unknown parameter" },
	{ "=1", 400, 1, "", "unknown parameter" },
	{ "bogus=1&bogus=2", 400, 1, "bogus", "unknown parameter" },
	{ "limit=1&limit=2", 400, 1, "limit", "repeated parameter" },
	{ "limit=1&limit=1&limit=1", 400, 1, "limit", "repeated parameter" },
	{ "limit=x&limit=2", 400, 2, "limit", "repeated parameter" },
	{ "ids=a&ids=b", 400, 1, "ids", "repeated parameter" },
	{ "limit=%zz", 400, 1, "limit", "contains an invalid percent-escape" },
	{ "limit=5%", 400, 1, "limit", "contains an invalid percent-escape" },
	{ "%zz=1", 400, 1, "%zz", "contains an invalid percent-escape" },
	{ "q=%00", 400, 1, "q", "must not contain NUL bytes" },
	{ "q=%ff", 400, 1, "q", "must be valid UTF-8" },
	{ "q=a%0d%0ab", 400, 1, "q", "must not contain control characters" },
	{ "%01=x", 400, 1, "?", "unknown parameter" },
	{ "%ff=x", 400, 1, "?", "unknown parameter" },
	{ "a%22b=x", 400, 1, "a\"b", "unknown parameter" },
	{ "as_of=2018-02-30", 400, 1, "as_of",
	    "must be a real calendar day (YYYY-MM-DD)" },
	{ "as_of=2019-02-29", 400, 1, "as_of",
	    "must be a real calendar day (YYYY-MM-DD)" },
	{ "as_of=2020-02-29", 200, 0, NULL, NULL },
	{ "as_of=2008-12-31", 400, 1, "as_of",
	    "must be a date (YYYY-MM-DD) between 2009-01-03 and 2099-12-31" },
	{ "interval=2d", 400, 1, "interval", "must be one of: 1d, 7d, 30d" },
	{ "ids=a,,b", 400, 1, "ids", "must not contain empty list items" },
	{ "ids=a,b,c,d,e,f", 400, 1, "ids", "must have at most 5 items" },
	{ "p=nan", 400, 1, "p", "must be a number between 0 and 1" },
	{ "p=1e400", 400, 1, "p", "must be a number between 0 and 1" },
	{ "p=-0", 200, 0, NULL, NULL },
	{ "limit=abc&bogus=1&as_of=2018-02-30&limit=3", 400, 4, "bogus",
	    "unknown parameter" },
};

START_TEST(test_query_rules)
{
	struct ms_ctx ctx;

	ms_ctx_init(&ctx);
	for (size_t i = 0; i < sizeof(qcases) / sizeof(qcases[0]); i++) {
		const struct qcase *c = &qcases[i];
		struct ms_response res;
		char uri[256];
		cJSON *doc;

		snprintf(uri, sizeof(uri), "/v1/echo/btc?%s", c->query);
		run_env(&ctx, &echo_route, &res, NULL, "GET", uri, ENV_END);
		ck_assert_msg(res.status == c->status, "case %zu (%s): %d %s", i,
		    c->query, res.status, res.body.data);
		if (c->status == 400) {
			doc = assert_problem(&res, MS_PROBLEM_INVALID_PARAMS);
			ck_assert_msg(invalid_count(doc) == c->n_invalid,
			    "case %zu (%s): %s", i, c->query, res.body.data);
			if (c->name != NULL)
				ck_assert_msg(has_invalid(doc, c->name, c->reason),
				    "case %zu (%s): %s", i, c->query, res.body.data);
			cJSON_Delete(doc);
		}
		ms_response_free(&res);
	}
	ms_ctx_free(&ctx);
}
END_TEST

START_TEST(test_required)
{
	struct ms_ctx ctx;
	struct ms_response res;
	cJSON *doc;

	ms_ctx_init(&ctx);
	run_env(&ctx, &req_route, &res, NULL, "GET", "/v1/req", ENV_END);
	doc = assert_problem(&res, MS_PROBLEM_INVALID_PARAMS);
	ck_assert_int_eq(invalid_count(doc), 2);
	ck_assert_str_eq(invalid_reason(doc, "name"), "is required");
	ck_assert_str_eq(invalid_reason(doc, "n"), "is required");
	ck_assert_str_eq(jstr(doc, "detail"), "2 request parameters are invalid");
	cJSON_Delete(doc);
	ms_response_free(&res);

	run_env(&ctx, &req_route, &res, NULL, "GET", "/v1/req?name=x", ENV_END);
	doc = assert_problem(&res, MS_PROBLEM_INVALID_PARAMS);
	ck_assert_int_eq(invalid_count(doc), 1);
	ck_assert_str_eq(jstr(doc, "detail"), "1 request parameter is invalid");
	cJSON_Delete(doc);
	ms_response_free(&res);

	run_env(&ctx, &req_route, &res, NULL, "GET", "/v1/req?name=x&n=2", ENV_END);
	ck_assert_int_eq(res.status, 200);
	ms_response_free(&res);
	ms_ctx_free(&ctx);
}
END_TEST

START_TEST(test_content_length)
{
	static const struct {
		const char *cl;
		int status;
	} cases[] = {
		{ "CONTENT_LENGTH=", 200 },
		{ "CONTENT_LENGTH=0", 200 },
		{ "CONTENT_LENGTH=100", 200 },
		{ "CONTENT_LENGTH=65536", 200 },
		{ "CONTENT_LENGTH=65537", 413 },
		{ "CONTENT_LENGTH=99999999999999999999999", 413 },
		{ "CONTENT_LENGTH=abc", 400 },
		{ "CONTENT_LENGTH=-1", 400 },
		{ "CONTENT_LENGTH=+1", 400 },
		{ "CONTENT_LENGTH= 1", 400 },
		{ "CONTENT_LENGTH=1x", 400 },
	};
	struct ms_ctx ctx;

	ms_ctx_init(&ctx);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ms_response res;
		cJSON *doc;

		run_env(&ctx, &echo_route, &res, NULL, "GET", "/v1/echo/btc",
		    cases[i].cl, ENV_END);
		ck_assert_msg(res.status == cases[i].status, "%s: %d",
		    cases[i].cl, res.status);
		if (res.status == 413) {
			doc = assert_problem(&res, MS_PROBLEM_PAYLOAD_TOO_LARGE);
			cJSON_Delete(doc);
		} else if (res.status == 400) {
			doc = assert_problem(&res, MS_PROBLEM_INVALID_PARAMS);
			ck_assert_ptr_nonnull(invalid_reason(doc, "Content-Length"));
			cJSON_Delete(doc);
		}
		ms_response_free(&res);
	}
	ms_ctx_free(&ctx);
}
END_TEST

/* ---- core: failures, store, logging ------------------------------------ */

START_TEST(test_handler_failure)
{
	struct ms_ctx ctx;
	struct ms_response res;
	char *log;
	cJSON *doc;

	ms_ctx_init(&ctx);
	run_env(&ctx, &fail_route, &res, &log, "GET", "/v1/fail", ENV_END);
	doc = assert_problem(&res, MS_PROBLEM_INTERNAL);
	ck_assert_ptr_null(strstr(res.body.data, "SECRET"));
	ck_assert_ptr_null(strstr(res.body.data, "store"));
	ck_assert_ptr_null(ms_response_header_get(&res, "X-Leak"));
	ck_assert_ptr_nonnull(jstr(doc, "detail"));
	/* one log line naming the route, request and error */
	ck_assert_uint_eq(count_char(log, '\n'), 1);
	ck_assert_ptr_nonnull(strstr(log, "level=error"));
	ck_assert_ptr_nonnull(strstr(log, "route=t_fail"));
	ck_assert_ptr_nonnull(strstr(log, "status=500"));
	ck_assert_ptr_nonnull(strstr(log, "err=\"store error (-3)\""));
	ck_assert_ptr_nonnull(strstr(log,
	    ms_response_header_get(&res, "X-Request-Id")));
	free(log);
	cJSON_Delete(doc);
	ms_response_free(&res);

	run_env(&ctx, &nostatus_route, &res, &log, "GET", "/v1/nostatus", ENV_END);
	ck_assert_int_eq(res.status, 500);
	ck_assert_ptr_nonnull(strstr(log, "route=t_nostatus"));
	free(log);
	ms_response_free(&res);

	/* a default the table's own validator refuses is our bug: 500 */
	run_env(&ctx, &bad_default_route, &res, &log, "GET", "/v1/baddef", ENV_END);
	ck_assert_int_eq(res.status, 500);
	ck_assert_ptr_nonnull(strstr(log, "default of n"));
	free(log);
	ms_response_free(&res);
	/* ... but an explicit valid value never touches the default */
	run_env(&ctx, &bad_default_route, &res, NULL, "GET", "/v1/baddef?n=2",
	    ENV_END);
	ck_assert_int_eq(res.status, 200);
	ms_response_free(&res);
	ms_ctx_free(&ctx);
}
END_TEST

START_TEST(test_store_unavailable)
{
	struct ms_ctx ctx;
	struct ms_response res;
	char *log;
	cJSON *doc;

	ms_ctx_init(&ctx);
	snprintf(ctx.store_path, sizeof(ctx.store_path),
	    "/nonexistent-moonscope-dir/none.db");
	for (int i = 0; i < 2; i++) {   /* retried on every request */
		run_env(&ctx, &store_route, &res, &log, "GET", "/v1/store", ENV_END);
		doc = assert_problem(&res, MS_PROBLEM_STORE_UNAVAILABLE);
		ck_assert_ptr_null(strstr(res.body.data, "nonexistent"));
		ck_assert_ptr_null(ctx.store);
		ck_assert_ptr_nonnull(strstr(log, "status=503"));
		ck_assert_ptr_nonnull(strstr(log,
		    "store=/nonexistent-moonscope-dir/none.db"));
		free(log);
		cJSON_Delete(doc);
		ms_response_free(&res);
	}
	ms_ctx_free(&ctx);
}
END_TEST

START_TEST(test_store_kept_open)
{
	struct ms_ctx ctx;
	struct ms_response res;
	struct ms_store *st = NULL, *first;
	char dir[] = "/tmp/ms_check_http_XXXXXX";
	char path[256];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.db", dir);
	ck_assert_int_eq(ms_store_open(path, MS_STORE_RW, &st), 0);
	ms_store_close(st);

	ms_ctx_init(&ctx);
	snprintf(ctx.store_path, sizeof(ctx.store_path), "%s", path);
	run_env(&ctx, &store_route, &res, NULL, "GET", "/v1/store", ENV_END);
	ck_assert_int_eq(res.status, 200);
	ck_assert_ptr_nonnull(ctx.store);
	first = ctx.store;
	ms_response_free(&res);
	run_env(&ctx, &store_route, &res, NULL, "GET", "/v1/store", ENV_END);
	ck_assert_int_eq(res.status, 200);
	ck_assert_ptr_eq(ctx.store, first);
	ms_response_free(&res);
	ms_ctx_free(&ctx);
	ck_assert_ptr_null(ctx.store);
	ms_ctx_free(NULL);

	unlink(path);
	snprintf(path, sizeof(path), "%s/s.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/s.db-shm", dir);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(test_log_requests)
{
	struct ms_ctx ctx;
	struct ms_response res;
	char *log;

	ms_ctx_init(&ctx);
	run_env(&ctx, &echo_route, &res, &log, "GET", "/v1/echo/btc?limit=0",
	    ENV_END);
	ck_assert_str_eq(log, "");      /* quiet by default, even for a 400 */
	free(log);
	ms_response_free(&res);

	ctx.log_requests = 1;
	run_env(&ctx, &echo_route, &res, &log, "GET", "/v1/echo/btc", ENV_END);
	ck_assert_uint_eq(count_char(log, '\n'), 1);
	ck_assert_ptr_nonnull(strstr(log, "level=info"));
	ck_assert_ptr_nonnull(strstr(log, "route=t_echo"));
	ck_assert_ptr_nonnull(strstr(log, "method=GET"));
	ck_assert_ptr_nonnull(strstr(log, "path=/v1/echo/btc"));
	ck_assert_ptr_nonnull(strstr(log, "status=200"));
	ck_assert_ptr_null(strstr(log, "level=error"));
	free(log);
	ms_response_free(&res);
	ms_ctx_free(&ctx);
}
END_TEST

START_TEST(test_star_route)
{
	struct ms_ctx ctx;
	struct ms_response res;

	ms_ctx_init(&ctx);
	/* "*" matches every path and ignores undeclared query keys... */
	run_env(&ctx, &star_route, &res, NULL, "GET", "/any/thing/at/all?x&y=%ff",
	    ENV_END);
	ck_assert_int_eq(res.status, 200);
	ms_response_free(&res);
	/* ... but not the size limits or bad escapes */
	run_env(&ctx, &star_route, &res, NULL, "GET", "/any?%zz=1", ENV_END);
	ck_assert_int_eq(res.status, 400);
	ms_response_free(&res);
	run_env(&ctx, &star_route, &res, NULL, "GET", "/any/thing/", ENV_END);
	ck_assert_int_eq(res.status, 200);
	ms_response_free(&res);
	ms_ctx_free(&ctx);
}
END_TEST

/* ---- core: responses --------------------------------------------------- */

START_TEST(test_serialize)
{
	struct ms_response res;
	struct ms_buf out;

	ms_response_init(&res);
	ms_buf_init(&out, 0);
	res.status = 200;
	res.content_type = MS_CONTENT_TYPE_JSON;
	ck_assert_int_eq(ms_response_header(&res, "X-A", "b"), 0);
	ck_assert_int_eq(ms_buf_puts(&res.body, "{}"), 0);
	ck_assert_int_eq(ms_response_serialize(&res, &out), 0);
	ck_assert_str_eq(out.data, "Status: 200 OK\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Content-Length: 2\r\n"
	    "X-A: b\r\n"
	    "\r\n"
	    "{}");
	ms_buf_reset(&out);
	res.head_only = 1;
	ck_assert_int_eq(ms_response_serialize(&res, &out), 0);
	ck_assert_str_eq(out.data, "Status: 200 OK\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Content-Length: 2\r\n"
	    "X-A: b\r\n"
	    "\r\n");
	ms_buf_reset(&out);
	res.head_only = 0;
	ms_response_problem(&res, MS_PROBLEM_NOT_FOUND, NULL, NULL, 0, NULL);
	ck_assert_int_eq(ms_response_serialize(&res, &out), 0);
	ck_assert_int_eq(strncmp(out.data, "Status: 404 Not Found\r\n"
	    "Content-Type: application/problem+json\r\n", 63), 0);
	ms_buf_free(&out);

	/* too small an output buffer fails cleanly */
	ms_buf_init(&out, 20);
	ck_assert_int_eq(ms_response_serialize(&res, &out), MS_ERR_TOOBIG);
	ms_buf_free(&out);
	ms_response_free(&res);
	ms_response_free(NULL);
	ck_assert_str_eq(ms_http_status_text(414), "URI Too Long");
	ck_assert_str_eq(ms_http_status_text(599), "Unknown");
}
END_TEST

START_TEST(test_response_header)
{
	struct ms_response res;
	char name[16];

	ms_response_init(&res);
	ck_assert_int_eq(ms_response_header(&res, "X-A", "1"), 0);
	ck_assert_int_eq(ms_response_header(&res, "x-a", "2"), 0);   /* replace */
	ck_assert_uint_eq(res.n_headers, 1);
	ck_assert_str_eq(ms_response_header_get(&res, "X-A"), "2");
	ck_assert_int_eq(ms_response_header(&res, "X-B", "a\r\nSet-Cookie: x"),
	    MS_ERR_INVALID);
	ck_assert_int_eq(ms_response_header(&res, "X-B", "a\nb"), MS_ERR_INVALID);
	ck_assert_int_eq(ms_response_header(&res, "X B", "1"), MS_ERR_INVALID);
	ck_assert_int_eq(ms_response_header(&res, "X:B", "1"), MS_ERR_INVALID);
	ck_assert_int_eq(ms_response_header(&res, "", "1"), MS_ERR_INVALID);
	ck_assert_int_eq(ms_response_header(&res, "Content-Length", "1"),
	    MS_ERR_INVALID);
	ck_assert_int_eq(ms_response_header(&res, "status", "200"),
	    MS_ERR_INVALID);
	ck_assert_int_eq(ms_response_header(&res, NULL, "1"), MS_ERR_INVALID);
	{
		char big[300];

		memset(big, 'v', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		ck_assert_int_eq(ms_response_header(&res, "X-Big", big),
		    MS_ERR_TOOBIG);
	}
	for (int i = 1; i < MS_MAX_HEADERS; i++) {
		snprintf(name, sizeof(name), "X-%d", i);
		ck_assert_int_eq(ms_response_header(&res, name, "v"), 0);
	}
	ck_assert_int_eq(ms_response_header(&res, "X-Full", "v"), MS_ERR_TOOBIG);
	ck_assert_int_eq(ms_response_header(&res, "X-1", "w"), 0);  /* replace ok */
	ck_assert_uint_eq(res.n_headers, MS_MAX_HEADERS);
	ck_assert_ptr_null(ms_response_header_get(&res, "X-Full"));
	ms_response_free(&res);
}
END_TEST

START_TEST(test_problem_body)
{
	struct ms_response res;
	struct ms_request req;
	struct ms_invalid_param ip[2] = {
		{ "a\x01" "b", "bad\nreason" }, { "\xff\xfe", "x" },
	};
	char detail[1000];
	const char *d;
	cJSON *doc, *arr;

	memset(&req, 0, sizeof(req));
	req.route = &echo_route;
	snprintf(req.request_id, sizeof(req.request_id), "rid-1");
	memset(detail, 'x', sizeof(detail) - 1);
	detail[sizeof(detail) - 1] = '\0';
	detail[3] = '\r';
	detail[4] = '\n';
	detail[5] = '\t';

	ms_response_init(&res);
	ck_assert_int_eq(ms_response_problem(&res, MS_PROBLEM_INVALID_PARAMS,
	    detail, ip, 2, &req), 0);
	ck_assert_int_eq(res.status, 400);
	ck_assert_str_eq(res.content_type, "application/problem+json");
	doc = body_json(&res);
	ck_assert_str_eq(jstr(doc, "type"),
	    "https://moonscope.dev/problems/invalid-parameters");
	ck_assert_str_eq(jstr(doc, "instance"), "urn:request:rid-1");
	d = jstr(doc, "detail");
	ck_assert_uint_le(strlen(d), MS_DETAIL_MAX);
	ck_assert_int_eq(strncmp(d, "xxx   xx", 8), 0);
	ck_assert_int_eq(strcmp(d + strlen(d) - 3, "..."), 0);
	arr = cJSON_GetObjectItem(doc, "invalid_params");
	ck_assert_int_eq(cJSON_GetArraySize(arr), 2);
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(arr, 0), "name"), "a?b");
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(arr, 0), "reason"),
	    "bad reason");
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(arr, 1), "name"), "??");
	cJSON_Delete(doc);

	/* a multi-byte character is never cut in half */
	{
		char utf[600];
		size_t n = 0;

		while (n + 2 < sizeof(utf) - 1) {
			utf[n++] = '\xc3';
			utf[n++] = '\xa9';
		}
		utf[n] = '\0';
		ms_response_problem(&res, MS_PROBLEM_NO_DATA, utf, NULL, 0, NULL);
		doc = body_json(&res);
		d = jstr(doc, "detail");
		ck_assert(ms_utf8_valid(d, strlen(d)));
		ck_assert_uint_le(strlen(d), MS_DETAIL_MAX);
		ck_assert_ptr_null(cJSON_GetObjectItem(doc, "instance"));
		ck_assert_ptr_null(cJSON_GetObjectItem(doc, "invalid_params"));
		cJSON_Delete(doc);
	}

	/* 405 carries Allow from the request's route */
	ms_response_problem(&res, MS_PROBLEM_METHOD_NOT_ALLOWED, NULL, NULL, 0,
	    &req);
	ck_assert_str_eq(ms_response_header_get(&res, "Allow"), "GET, HEAD");
	ms_response_free(&res);
}
END_TEST

START_TEST(test_problem_registry)
{
	for (int k = 0; k < MS_PROBLEM__COUNT; k++) {
		const struct ms_problem_type *t = ms_problem_type(k);

		ck_assert_int_eq((int)t->kind, k);
		ck_assert(t->status >= 400 && t->status <= 599);
		ck_assert_uint_gt(strlen(t->slug), 0);
		ck_assert_uint_gt(strlen(t->title), 0);
		ck_assert_str_ne(ms_http_status_text(t->status), "Unknown");
		for (int j = 0; j < k; j++)
			ck_assert_str_ne(ms_problem_type(j)->slug, t->slug);
	}
	ck_assert_int_eq(ms_problem_type(MS_PROBLEM_INVALID_PARAMS)->status, 400);
	ck_assert_int_eq(ms_problem_type(MS_PROBLEM_METHOD_NOT_ALLOWED)->status,
	    405);
	ck_assert_int_eq(ms_problem_type(MS_PROBLEM_URI_TOO_LONG)->status, 414);
	ck_assert_int_eq(ms_problem_type(MS_PROBLEM_PAYLOAD_TOO_LARGE)->status,
	    413);
	ck_assert_int_eq(ms_problem_type(MS_PROBLEM_STORE_UNAVAILABLE)->status,
	    503);
	ck_assert_str_eq(ms_problem_type(MS_PROBLEM_STORE_UNAVAILABLE)->slug,
	    "store-unavailable");
	/* out of range falls back to the internal-error entry */
	ck_assert_int_eq(ms_problem_type(MS_PROBLEM__COUNT)->status, 500);
}
END_TEST

START_TEST(test_envelope)
{
	struct ms_response res;
	struct ms_meta meta = { .as_of = -1, .data_version = -1, .page = 1,
	    .limit = 50, .total = -1 };
	cJSON *doc, *m, *pg;

	ms_response_init(&res);
	ck_assert_int_eq(ms_response_envelope(&res, 200, cJSON_CreateArray(),
	    &meta, NULL), 0);
	doc = body_json(&res);
	ck_assert(cJSON_IsArray(cJSON_GetObjectItem(doc, "data")));
	m = cJSON_GetObjectItem(doc, "meta");
	ck_assert_ptr_null(cJSON_GetObjectItem(m, "as_of"));
	ck_assert_ptr_null(cJSON_GetObjectItem(m, "source"));
	ck_assert_ptr_null(cJSON_GetObjectItem(m, "data_version"));
	ck_assert_ptr_null(cJSON_GetObjectItem(m, "request_id"));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(m, "synthetic")));
	pg = cJSON_GetObjectItem(m, "pagination");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(pg, "total")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(pg, "pages")));
	cJSON_Delete(doc);

	meta.limit = 0;
	ck_assert_int_eq(ms_response_envelope(&res, 201, cJSON_CreateObject(),
	    &meta, NULL), 0);
	ck_assert_int_eq(res.status, 201);
	doc = body_json(&res);
	ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "meta"),
	    "pagination"));
	cJSON_Delete(doc);

	meta.limit = 10;
	meta.total = 0;
	ck_assert_int_eq(ms_response_envelope(&res, 200, cJSON_CreateObject(),
	    &meta, NULL), 0);
	doc = body_json(&res);
	pg = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "meta"), "pagination");
	ck_assert_int_eq((int)jnum(pg, "pages"), 0);
	cJSON_Delete(doc);

	ck_assert_int_eq(ms_response_envelope(&res, 200, cJSON_CreateNull(),
	    NULL, NULL), 0);
	ck_assert_str_eq(res.body.data, "{\"data\":null,\"meta\":{}}");
	ck_assert_int_eq(ms_response_envelope(&res, 200, NULL, NULL, NULL),
	    MS_ERR_NOMEM);
	ck_assert_int_eq(ms_response_json(&res, 200, NULL), MS_ERR_NOMEM);
	ms_response_free(&res);
}
END_TEST

START_TEST(test_json_helpers)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	ck_assert_ptr_nonnull(ms_json_num(o, "nan", NAN));
	ck_assert_ptr_nonnull(ms_json_num(o, "inf", INFINITY));
	ck_assert_ptr_nonnull(ms_json_num(o, "ninf", -INFINITY));
	ck_assert_ptr_nonnull(ms_json_num(o, "x", 1.5));
	ck_assert_ptr_nonnull(ms_json_num(o, "nz", -0.0));
	ck_assert_ptr_nonnull(ms_json_int(o, "big", 9007199254740992LL));
	ck_assert_ptr_nonnull(ms_json_int(o, "max", INT64_MAX));
	ck_assert_ptr_nonnull(ms_json_int(o, "e14", 999999999999999LL));
	ck_assert_ptr_nonnull(ms_json_int(o, "neg", -3));
	ck_assert_ptr_nonnull(ms_json_str(o, "s", "a\"b\n"));
	ck_assert_ptr_nonnull(ms_json_str(o, "null", NULL));
	ck_assert_ptr_nonnull(ms_json_date(o, "d", 18321));
	ck_assert_ptr_nonnull(ms_json_date(o, "nd", -1));
	ck_assert_ptr_nonnull(ms_json_bool(o, "t", 5));
	ck_assert_ptr_nonnull(ms_json_bool(o, "f", 0));
	s = cJSON_PrintUnformatted(o);
	ck_assert_str_eq(s, "{\"nan\":null,\"inf\":null,\"ninf\":null,"
	    "\"x\":1.5,\"nz\":0,\"big\":9007199254740992,"
	    "\"max\":9223372036854775807,\"e14\":999999999999999,\"neg\":-3,"
	    "\"s\":\"a\\\"b\\n\",\"null\":null,\"d\":\"2020-02-29\","
	    "\"nd\":null,\"t\":true,\"f\":false}");
	cJSON_free(s);
	cJSON_Delete(o);
	/* NULL object: nothing added, nothing leaked */
	ck_assert_ptr_null(ms_json_num(NULL, "x", 1.0));
	ck_assert_ptr_null(ms_json_num(NULL, "x", NAN));
	ck_assert_ptr_null(ms_json_str(NULL, "x", "y"));
}
END_TEST

START_TEST(test_log_format)
{
	struct capture cap;
	struct ms_log_field f[3] = {
		{ "route", "v1_x" }, { "path", "/a b" }, { "Bad Key", "\"q\"" },
	};
	char *log;

	ms_log_set_prog("t_prog");
	capture_start(&cap);
	ms_log_fields(MS_LOG_WARN, "r-1", f, 3, "line1\nline2 \"%s\" %zu",
	    "q\x01", (size_t)7);
	log = capture_end(&cap);
	ck_assert_uint_eq(count_char(log, '\n'), 1);
	ck_assert_int_eq(strncmp(log, "ts=", 3), 0);
	ck_assert_ptr_nonnull(strstr(log, " level=warn prog=t_prog pid="));
	ck_assert_ptr_nonnull(strstr(log, " req=r-1 route=v1_x path=\"/a b\""));
	ck_assert_ptr_nonnull(strstr(log, " key=\"\\\"q\\\"\""));
	ck_assert_ptr_nonnull(strstr(log,
	    " msg=\"line1\\nline2 \\\"q\\x01\\\" 7\"\n"));
	free(log);

	/* invalid UTF-8 is escaped, valid UTF-8 kept */
	capture_start(&cap);
	ms_log(MS_LOG_ERROR, NULL, "\xff|\xc3\xa9");
	log = capture_end(&cap);
	ck_assert_ptr_nonnull(strstr(log, "msg=\"\\xff|\\xc3\\xa9\""));
	ck_assert_ptr_null(strstr(log, "req="));
	free(log);
	capture_start(&cap);
	ms_log(MS_LOG_INFO, "", "\xc3\xa9 ok");
	log = capture_end(&cap);
	ck_assert_ptr_nonnull(strstr(log, "req=\"\" msg=\"\xc3\xa9 ok\""));
	free(log);
	ms_log_set_prog(NULL);
}
END_TEST

START_TEST(test_log_long_line)
{
	struct capture cap;
	char *big = malloc(20000), *log;

	memset(big, 'z', 19999);
	big[19999] = '\0';
	capture_start(&cap);
	ms_log(MS_LOG_ERROR, "r", "%s", big);
	log = capture_end(&cap);
	ck_assert_uint_le(strlen(log), MS_LOG_LINE_MAX);
	ck_assert_uint_eq(count_char(log, '\n'), 1);
	ck_assert_str_eq(log + strlen(log) - 4, "...\n");
	free(log);
	free(big);
}
END_TEST

START_TEST(test_help)
{
	struct ms_buf b;

	ms_buf_init(&b, 0);
	ck_assert_int_eq(ms_route_help(&echo_route, &b), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "t_echo - echoes its validated input"));
	ck_assert_ptr_nonnull(strstr(b.data, "/v1/echo/{id}"));
	ck_assert_ptr_nonnull(strstr(b.data, "methods: GET, HEAD"));
	ck_assert_ptr_nonnull(strstr(b.data, "an integer between 1 and 500"));
	ck_assert_ptr_nonnull(strstr(b.data, "default 100"));
	ck_assert_ptr_nonnull(strstr(b.data, "one of: 1d, 7d, 30d"));
	ck_assert_ptr_nonnull(strstr(b.data, "rows per page"));
	ms_buf_free(&b);
}
END_TEST

/* ---- limits ------------------------------------------------------------ */

START_TEST(test_limits_many_invalid)
{
	struct ms_ctx ctx;
	struct ms_response res;
	char *uri = malloc(2000);
	size_t n;
	cJSON *doc;

	ms_ctx_init(&ctx);
	n = (size_t)snprintf(uri, 2000, "/v1/echo/btc?");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(uri + n, 2000 - n, "k%d=1&", i);
	run_env(&ctx, &echo_route, &res, NULL, "GET", uri, ENV_END);
	doc = assert_problem(&res, MS_PROBLEM_INVALID_PARAMS);
	ck_assert_int_eq(invalid_count(doc), MS_MAX_INVALID);
	ck_assert_str_eq(jstr(doc, "detail"),
	    "40 request parameters are invalid; the first 16 are listed");
	cJSON_Delete(doc);
	ms_response_free(&res);
	free(uri);
	ms_ctx_free(&ctx);
}
END_TEST

START_TEST(test_limits_pairs)
{
	struct ms_ctx ctx;
	struct ms_response res;
	char *uri = malloc(4000);
	size_t n;
	cJSON *doc;

	ms_ctx_init(&ctx);
	/* 64 pairs: each rejected, but counted */
	n = (size_t)snprintf(uri, 4000, "/v1/echo/btc?");
	for (int i = 0; i < MS_QUERY_MAX_PAIRS; i++)
		n += (size_t)snprintf(uri + n, 4000 - n, "%sk=1", i ? "&" : "");
	run_env(&ctx, &echo_route, &res, NULL, "GET", uri, ENV_END);
	doc = assert_problem(&res, MS_PROBLEM_INVALID_PARAMS);
	ck_assert_str_eq(invalid_reason(doc, "k"), "unknown parameter");
	cJSON_Delete(doc);
	ms_response_free(&res);
	/* 65 pairs: refused as a whole */
	snprintf(uri + n, 4000 - n, "&k=1");
	run_env(&ctx, &echo_route, &res, NULL, "GET", uri, ENV_END);
	doc = assert_problem(&res, MS_PROBLEM_INVALID_PARAMS);
	ck_assert_str_eq(invalid_reason(doc, "query"),
	    "must have at most 64 parameters");
	cJSON_Delete(doc);
	ms_response_free(&res);
	free(uri);
	ms_ctx_free(&ctx);
}
END_TEST

START_TEST(test_limits_query_length)
{
	struct ms_ctx ctx;
	struct ms_response res;
	char *uri = malloc(MS_QUERY_MAX + 64);
	size_t n;
	cJSON *doc;

	ms_ctx_init(&ctx);
	n = (size_t)snprintf(uri, 64, "/v1/echo/btc?q=");
	/* exactly MS_QUERY_MAX bytes of query: accepted (q is too long) */
	memset(uri + n, 'a', MS_QUERY_MAX - 2);
	uri[n + MS_QUERY_MAX - 2] = '\0';
	run_env(&ctx, &echo_route, &res, NULL, "GET", uri, ENV_END);
	doc = assert_problem(&res, MS_PROBLEM_INVALID_PARAMS);
	ck_assert_str_eq(invalid_reason(doc, "q"), "must be at most 64 bytes");
	cJSON_Delete(doc);
	ms_response_free(&res);
	/* one more byte: 414 */
	uri[n + MS_QUERY_MAX - 2] = 'a';
	uri[n + MS_QUERY_MAX - 1] = '\0';
	run_env(&ctx, &echo_route, &res, NULL, "GET", uri, ENV_END);
	doc = assert_problem(&res, MS_PROBLEM_URI_TOO_LONG);
	cJSON_Delete(doc);
	ms_response_free(&res);
	free(uri);
	ms_ctx_free(&ctx);
}
END_TEST

START_TEST(test_limits_path_length)
{
	struct ms_ctx ctx;
	struct ms_response res;
	char *uri = malloc(4 * MS_PATH_MAX);
	char *sn = malloc(2 * MS_PATH_MAX);
	cJSON *doc;

	ms_ctx_init(&ctx);
	uri[0] = '/';
	memset(uri + 1, 'a', MS_PATH_MAX);
	uri[MS_PATH_MAX] = '\0';              /* 1024 bytes: one too many */
	run_env(&ctx, &echo_route, &res, NULL, "GET", uri, ENV_END);
	doc = assert_problem(&res, MS_PROBLEM_URI_TOO_LONG);
	cJSON_Delete(doc);
	ms_response_free(&res);

	uri[MS_PATH_MAX - 1] = '\0';          /* 1023 bytes: fits, no route */
	run_env(&ctx, &echo_route, &res, NULL, "GET", uri, ENV_END);
	ck_assert_int_eq(res.status, 404);
	ms_response_free(&res);

	/* long raw, short decoded: judged on the decoded length */
	snprintf(uri, 4 * MS_PATH_MAX, "/v1/echo/%s",
	    "%41%41%41%41%41%41%41%41");
	run_env(&ctx, &echo_route, &res, NULL, "GET", uri, ENV_END);
	ck_assert_int_eq(res.status, 200);
	ms_response_free(&res);

	snprintf(sn, 2 * MS_PATH_MAX, "SCRIPT_NAME=/%01500d", 0);
	run_env(&ctx, &echo_route, &res, NULL, "GET", NULL, sn, ENV_END);
	ck_assert_int_eq(res.status, 414);
	ms_response_free(&res);
	free(uri);
	free(sn);
	ms_ctx_free(&ctx);
}
END_TEST

START_TEST(test_limits_long_names)
{
	struct ms_ctx ctx;
	struct ms_response res;
	char uri[600];
	const char *name;
	cJSON *doc, *arr;

	ms_ctx_init(&ctx);
	snprintf(uri, sizeof(uri), "/v1/echo/btc?%0300d=1", 0);
	run_env(&ctx, &echo_route, &res, NULL, "GET", uri, ENV_END);
	doc = assert_problem(&res, MS_PROBLEM_INVALID_PARAMS);
	arr = cJSON_GetObjectItem(doc, "invalid_params");
	name = jstr(cJSON_GetArrayItem(arr, 0), "name");
	ck_assert_uint_eq(strlen(name), MS_INVALID_NAME_MAX + 3);
	ck_assert_str_eq(name + MS_INVALID_NAME_MAX, "...");
	cJSON_Delete(doc);
	ms_response_free(&res);
	ms_ctx_free(&ctx);
}
END_TEST

/*
 * Many requests through one context, mixing successes, LIST values (which
 * allocate), defaults, every kind of rejection and handler failures. Under
 * `make valgrind` this proves a request leaves nothing behind.
 */
START_TEST(test_limits_multi_request)
{
	static const struct {
		const struct ms_route *route;
		const char *method, *uri;
		int status;
	} seq[] = {
		{ &echo_route, "GET", "/v1/echo/btc?ids=a,b,c", 200 },
		{ &echo_route, "GET", "/v1/echo/btc", 200 },
		{ &echo_route, "HEAD", "/v1/echo/btc?ids=x", 200 },
		{ &echo_route, "GET", "/v1/echo/btc?ids=a,b&ids=c", 400 },
		{ &echo_route, "GET", "/v1/echo/btc?ids=a&limit=0", 400 },
		{ &echo_route, "GET", "/v1/echo/btc?ids=a&bogus=1&q=%ff", 400 },
		{ &echo_route, "POST", "/v1/echo/btc?ids=a", 405 },
		{ &echo_route, "GET", "/v1/echo/", 404 },
		{ &echo_route, "GET", "/v1/echo/%zz", 400 },
		{ &fail_route, "GET", "/v1/fail", 500 },
		{ &nostatus_route, "GET", "/v1/nostatus", 500 },
		{ &req_route, "GET", "/v1/req?name=a&n=1", 200 },
		{ &multi_route, "GET", "/v1/a/x/3", 200 },
		{ &store_route, "GET", "/v1/store", 503 },
	};
	struct ms_ctx ctx;

	ms_ctx_init(&ctx);
	snprintf(ctx.store_path, sizeof(ctx.store_path),
	    "/nonexistent-moonscope-dir/none.db");
	for (int round = 0; round < 20; round++) {
		for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
			struct ms_response res;
			struct ms_buf out;

			run_env(&ctx, seq[i].route, &res, NULL, seq[i].method,
			    seq[i].uri, ENV_END);
			ck_assert_msg(res.status == seq[i].status, "%s: %d",
			    seq[i].uri, res.status);
			ms_buf_init(&out, 0);
			ck_assert_int_eq(ms_response_serialize(&res, &out), 0);
			ms_buf_free(&out);
			ms_response_free(&res);
		}
	}
	ck_assert_uint_eq(ctx.requests, 20 * (sizeof(seq) / sizeof(seq[0])));
	ms_ctx_free(&ctx);
}
END_TEST

Suite *make_http_suite(void);

Suite *
make_http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");

	tcase_add_test(core, test_get_ok);
	tcase_add_test(core, test_defaults_and_nulls);
	tcase_add_test(core, test_empty_segments_ignored);
	tcase_add_test(core, test_request_id);
	tcase_add_test(core, test_head);
	tcase_add_test(core, test_method_not_allowed);
	tcase_add_test(core, test_not_found);
	tcase_add_test(core, test_path_params);
	tcase_add_test(core, test_bad_paths);
	tcase_add_test(core, test_script_name_path_info);
	tcase_add_test(core, test_query_rules);
	tcase_add_test(core, test_required);
	tcase_add_test(core, test_content_length);
	tcase_add_test(core, test_handler_failure);
	tcase_add_test(core, test_store_unavailable);
	tcase_add_test(core, test_store_kept_open);
	tcase_add_test(core, test_log_requests);
	tcase_add_test(core, test_star_route);
	tcase_add_test(core, test_serialize);
	tcase_add_test(core, test_response_header);
	tcase_add_test(core, test_problem_body);
	tcase_add_test(core, test_problem_registry);
	tcase_add_test(core, test_envelope);
	tcase_add_test(core, test_json_helpers);
	tcase_add_test(core, test_log_format);
	tcase_add_test(core, test_log_long_line);
	tcase_add_test(core, test_help);
	tcase_add_test(limits, test_limits_many_invalid);
	tcase_add_test(limits, test_limits_pairs);
	tcase_add_test(limits, test_limits_query_length);
	tcase_add_test(limits, test_limits_path_length);
	tcase_add_test(limits, test_limits_long_names);
	tcase_add_test(limits, test_limits_multi_request);
	tcase_set_timeout(limits, 60);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}
