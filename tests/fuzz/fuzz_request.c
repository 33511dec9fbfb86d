/*
 * fuzz_request.c — fuzzes the request runtime (shared/ms_http.c): path
 * decoding and routing, method and Content-Length checks, query parsing
 * and the parameter validators as ms_handle() drives them, problem+json
 * and envelope building, and response serialisation.
 *
 * Input: byte 0 picks one of three test routes (below); the rest is split
 * at NUL bytes into REQUEST_METHOD, REQUEST_URI, QUERY_STRING,
 * CONTENT_LENGTH and up to 12 more CGI variables, given verbatim when
 * they hold '=' and as the X-Request-Id header otherwise. A variable the
 * input ends before is absent. No store is opened: the handler never asks
 * for one.
 *
 * Invariants: the handler is reached only with values that satisfy their
 * specs (fuzz_check_value), every required parameter present and an
 * allowed method; without the handler the answer is a 4xx problem (never
 * a 5xx: nothing here may fail inside the server); every body is valid
 * UTF-8 JSON; problem bodies carry their status and at most
 * MS_MAX_INVALID invalid_params; the serialised header block is clean
 * "Name: value" CRLF lines (no header injection); HEAD sends no body.
 * Leaks are left to the sanitizers (libFuzzer) and valgrind (replay).
 * With FUZZ_VERBOSE set, each input's status and body go to stderr.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "fuzz.h"
#include "ms_buf.h"
#include "ms_error.h"
#include "ms_http.h"
#include "ms_param.h"

#define MAX_VARS 16

static const char *const sorts[] = { "market_cap", "volume", "symbol", NULL };
static const char *const needs[] = { "a", "b", NULL };

static const struct ms_param_spec item_path[] = {
	{ .name = "id", .type = MS_PARAM_SLUG, .max_len = 16,
	  .doc = "asset id" },
	{ .name = "day", .type = MS_PARAM_DATE, .doc = "day" },
};

/* Every parameter type, with and without defaults and bounds. */
static const struct ms_param_spec item_params[] = {
	{ .name = "q", .type = MS_PARAM_STRING, .max_len = 32, .doc = "text" },
	{ .name = "sym", .type = MS_PARAM_SLUG, .doc = "symbol" },
	{ .name = "limit", .type = MS_PARAM_INT, .min_i = 1, .max_i = 500,
	  .def = "100", .doc = "rows" },
	{ .name = "page", .type = MS_PARAM_INT, .doc = "page" },
	{ .name = "min_market_cap", .type = MS_PARAM_NUMBER, .min_d = 0,
	  .max_d = 1e15, .doc = "USD" },
	{ .name = "p", .type = MS_PARAM_NUMBER, .doc = "any number" },
	{ .name = "as_of", .type = MS_PARAM_DATE, .doc = "day" },
	{ .name = "sort", .type = MS_PARAM_ENUM, .choices = sorts,
	  .def = "market_cap", .doc = "sort key" },
	{ .name = "ids", .type = MS_PARAM_LIST, .max_items = 5,
	  .def = "btc,eth", .doc = "assets" },
};

static const struct ms_param_spec list_params[] = {
	{ .name = "need", .type = MS_PARAM_ENUM, .required = 1,
	  .choices = needs, .doc = "required" },
	{ .name = "symbols", .type = MS_PARAM_LIST, .max_items = 2,
	  .max_len = 4, .doc = "symbols" },
};

static const struct ms_param_spec any_params[] = {
	{ .name = "x", .type = MS_PARAM_INT, .min_i = -3, .max_i = 3,
	  .doc = "small" },
};

static int reached;

static void
check_all(const struct ms_param_spec *specs, size_t n,
    const struct ms_param_value *vals)
{
	for (size_t i = 0; i < n; i++) {
		const struct ms_param_value *v = &vals[i];

		if (specs[i].required)
			FUZZ_ASSERT(v->present);
		if (!v->present) {
			FUZZ_ASSERT(specs[i].def == NULL);
			continue;
		}
		fuzz_check_value(&specs[i], v);
		if (v->defaulted)
			FUZZ_ASSERT(strcmp(v->s, specs[i].def) == 0);
	}
}

/* Re-checks everything the runtime promised, then echoes some values. */
static int
handler(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	const struct ms_route *r = req->route;
	struct ms_meta meta = { .as_of = -1, .source = "fuzz",
	    .data_version = -1 };
	cJSON *data;

	(void)ctx;
	reached = 1;
	FUZZ_ASSERT(strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "HEAD") == 0 ||
	    (strcmp(req->method, "POST") == 0 &&
	    strstr(r->methods, "POST") != NULL));
	check_all(r->path_params, r->n_path_params, req->path_values);
	for (size_t i = 0; i < r->n_path_params; i++)
		FUZZ_ASSERT(req->path_values[i].present);
	check_all(r->params, r->n_params, req->values);

	if ((data = cJSON_CreateObject()) == NULL)
		return MS_ERR_NOMEM;
	cJSON_AddStringToObject(data, "path", req->path);
	for (size_t i = 0; i < r->n_params; i++)
		if (req->values[i].present)
			cJSON_AddStringToObject(data, r->params[i].name,
			    req->values[i].s);
	for (size_t i = 0; i < r->n_path_params; i++)
		cJSON_AddStringToObject(data, r->path_params[i].name,
		    req->path_values[i].s);
	if (r->n_params > 0 && req->values[0].present)
		(void)ms_response_header(res, "X-Echo", req->values[0].s);
	return ms_response_envelope(res, 200, data, &meta, req);
}

static const struct ms_route routes[] = {
	{ .name = "fuzz_item", .pattern = "/v1/fuzz/{id}/bars/{day}",
	  .methods = "GET, HEAD", .path_params = item_path,
	  .n_path_params = 2, .params = item_params,
	  .n_params = sizeof(item_params) / sizeof(item_params[0]),
	  .handler = handler, .summary = "every parameter type" },
	{ .name = "fuzz_list", .pattern = "/v1/fuzz", .methods = "GET, HEAD, POST",
	  .params = list_params,
	  .n_params = sizeof(list_params) / sizeof(list_params[0]),
	  .handler = handler, .summary = "a required parameter" },
	{ .name = "fuzz_any", .pattern = "*", .methods = "GET, HEAD",
	  .params = any_params, .n_params = 1, .handler = handler,
	  .summary = "the catch-all" },
};

static int
token_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* The header block: "Name: value" lines, CRLF-terminated, then CRLF. */
static void
check_serialized(const struct ms_response *res)
{
	struct ms_buf out;
	const char *p, *end, *eol;
	size_t body;

	ms_buf_init(&out, 0);
	FUZZ_ASSERT(ms_response_serialize(res, &out) == MS_OK);
	p = out.data;
	end = out.data + out.len;
	FUZZ_ASSERT(strncmp(p, "Status: ", 8) == 0);
	for (;;) {
		const char *c = p;

		eol = memchr(p, '\r', (size_t)(end - p));
		FUZZ_ASSERT(eol != NULL && eol + 1 < end && eol[1] == '\n');
		FUZZ_ASSERT(memchr(p, '\n', (size_t)(eol - p)) == NULL);
		if (eol == p)
			break;
		while (c < eol && token_char(*c))
			c++;
		FUZZ_ASSERT(c > p && c + 1 < eol && c[0] == ':' && c[1] == ' ');
		for (c += 2; c < eol; c++)
			FUZZ_ASSERT((unsigned char)*c >= 0x20 && *c != 0x7f);
		p = eol + 2;
	}
	body = (size_t)(end - (eol + 2));
	FUZZ_ASSERT(body == (res->head_only ? 0 : res->body.len));
	ms_buf_free(&out);
}

static void
check_response(const struct ms_response *res, int is_head)
{
	const char *rid = ms_response_header_get(res, "X-Request-Id");
	cJSON *doc, *st, *inv;

	FUZZ_ASSERT(res->status >= 100 && res->status <= 599);
	FUZZ_ASSERT(res->status < 500);
	FUZZ_ASSERT(reached == (res->status == 200));
	FUZZ_ASSERT(res->head_only == is_head);
	FUZZ_ASSERT(rid != NULL && rid[0] != '\0');
	FUZZ_ASSERT(ms_response_header_get(res, "Cache-Control") != NULL);
	FUZZ_ASSERT(res->body.len > 0 && res->content_type != NULL);
	FUZZ_ASSERT(ms_utf8_valid(res->body.data, res->body.len));
	doc = cJSON_ParseWithLength(res->body.data, res->body.len);
	FUZZ_ASSERT(doc != NULL);
	if (res->status >= 400) {
		FUZZ_ASSERT(strcmp(res->content_type,
		    MS_CONTENT_TYPE_PROBLEM) == 0);
		st = cJSON_GetObjectItemCaseSensitive(doc, "status");
		FUZZ_ASSERT(cJSON_IsNumber(st) &&
		    st->valuedouble == res->status);
		inv = cJSON_GetObjectItemCaseSensitive(doc, "invalid_params");
		if (res->status == 400)
			FUZZ_ASSERT(cJSON_IsArray(inv) &&
			    cJSON_GetArraySize(inv) >= 1 &&
			    cJSON_GetArraySize(inv) <= MS_MAX_INVALID);
		if (res->status == 405)
			FUZZ_ASSERT(ms_response_header_get(res, "Allow") !=
			    NULL);
	} else {
		FUZZ_ASSERT(cJSON_IsObject(
		    cJSON_GetObjectItemCaseSensitive(doc, "data")));
	}
	cJSON_Delete(doc);
	check_serialized(res);
}

/* "NAME=" + s[0..n) as a new string (caller frees). */
static char *
make_var(const char *name, const char *s, size_t n)
{
	size_t k = strlen(name);
	char *v = malloc(k + n + 1);

	FUZZ_ASSERT(v != NULL);
	memcpy(v, name, k);
	memcpy(v + k, s, n);
	v[k + n] = '\0';
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fixed[] = { "REQUEST_METHOD=",
		"REQUEST_URI=", "QUERY_STRING=", "CONTENT_LENGTH=" };
	const struct ms_route *route;
	const char *p, *end, *m;
	char *envp[MAX_VARS + 1];
	size_t nvar = 0;
	struct ms_ctx ctx;
	struct ms_response res;
	int is_head;

	if (size == 0)
		return 0;
	route = &routes[data[0] % (sizeof(routes) / sizeof(routes[0]))];
	p = (const char *)data + 1;
	end = (const char *)data + size;
	while (p < end && nvar < MAX_VARS) {
		const char *z = memchr(p, '\0', (size_t)(end - p));
		size_t n = z != NULL ? (size_t)(z - p) : (size_t)(end - p);

		if (nvar < 4)
			envp[nvar] = make_var(fixed[nvar], p, n);
		else if (memchr(p, '=', n) != NULL)
			envp[nvar] = make_var("", p, n);
		else
			envp[nvar] = make_var("HTTP_X_REQUEST_ID=", p, n);
		nvar++;
		p += n + 1;
	}
	envp[nvar] = NULL;

	/* What ms_handle treats as the method: absent or empty is GET. */
	m = nvar > 0 ? envp[0] + strlen(fixed[0]) : "";
	is_head = strcmp(m, "HEAD") == 0;

	reached = 0;
	ms_ctx_init(&ctx);
	ms_response_init(&res);
	ms_handle(&ctx, route, envp, &res);
	check_response(&res, is_head);
	/* For corpus upkeep: FUZZ_VERBOSE=1 shows what each input gets. */
	if (getenv("FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "%d %.*s\n", res.status,
		    (int)(res.body.len > 300 ? 300 : res.body.len),
		    res.body.data);
	FUZZ_ASSERT(ctx.store == NULL);
	ms_response_free(&res);
	ms_ctx_free(&ctx);
	for (size_t i = 0; i < nvar; i++)
		free(envp[i]);
	return 0;
}
